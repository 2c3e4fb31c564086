"""Account assignments granted and revoked through PATCH and PUT (RFC 7644 §3.5.2, §3.5.1).

Each test checks what AWS ends up holding (read with boto3 from the simulator,
not from our store) and what the client was answered; AWS is asked to write
only what it does not already hold, as the served data or AWS itself shows it.
"""

from __future__ import annotations

from connector.record_keys import entitlement_id, permission_set_id
from tests.live import Live, first_user, free_pair, grant_op


def test_patch_grants_then_revokes_an_assignment_in_aws(live: Live) -> None:
    user = first_user(live)
    account, arn = free_pair(live, "USER", user)
    entitlement = entitlement_id(account, arn)

    granted = live.patch(
        f"Users/{user}", {"op": "add", "path": "entitlements", "value": [{"value": entitlement}]}
    )
    assert granted.status_code == 200, granted.get_json()
    assert entitlement in {e["value"] for e in granted.get_json()["entitlements"]}
    assert live.holds(account, arn, "USER", user)
    # write-through: the next read shows it at once
    read = live.client.get(f"/scim/v2/Users/{user}", headers=live.headers())
    assert entitlement in {e["value"] for e in read.get_json()["entitlements"]}
    holders = live.client.get(f"/scim/v2/Entitlements/{entitlement}", headers=live.headers())
    assert user in {m["value"] for m in holders.get_json().get("members", [])}

    operation_id = granted.headers["X-Operation"].rsplit("/", 1)[-1]
    record = live.operation(operation_id)
    assert record.status == "succeeded" and record.token_name == "iga-writer"
    (step,) = record.steps
    assert step.intent.kind == "grant" and step.status == "succeeded" and step.aws_request_id
    assert [e.status for e in record.events][-1] == "succeeded"

    revoked = live.patch(
        f"Users/{user}", {"op": "remove", "path": f'entitlements[value eq "{entitlement}"]'}
    )
    assert revoked.status_code == 200, revoked.get_json()
    assert entitlement not in {e["value"] for e in revoked.get_json().get("entitlements", [])}
    assert not live.holds(account, arn, "USER", user)


def test_granting_what_exists_and_revoking_what_does_not_call_no_write(live: Live) -> None:
    account, arn, _, user = sorted(
        a for a in live.manifest.expected_assignments() if a[2] == "USER"
    )[0]
    entitlement = entitlement_id(account, arn)
    again = live.patch(
        f"Users/{user}", {"op": "add", "path": "entitlements", "value": [{"value": entitlement}]}
    )
    assert again.status_code == 200
    assert live.create_calls() == 0
    free_account, free_arn = free_pair(live, "USER", user)
    absent = entitlement_id(free_account, free_arn)
    # The store thinks it is absent, so no step is even planned: nothing to revoke.
    gone = live.patch(
        f"Users/{user}", {"op": "remove", "path": f'entitlements[value eq "{absent}"]'}
    )
    assert gone.status_code == 200
    assert live.provisioner.aws().stats.calls["sso-admin:DeleteAccountAssignment"] == 0
    assert live.holds(account, arn, "USER", user)


def test_put_replaces_entitlements_with_the_list_given(live: Live) -> None:
    user = first_user(live)
    current = live.client.get(f"/scim/v2/Users/{user}", headers=live.headers()).get_json()
    account, arn = free_pair(live, "USER", user)
    wanted = entitlement_id(account, arn)
    replaced = live.client.put(
        f"/scim/v2/Users/{user}",
        json=current | {"entitlements": [{"value": wanted}]},
        headers=live.headers(),
    )
    assert replaced.status_code == 200, replaced.get_json()
    assert {e["value"] for e in replaced.get_json()["entitlements"]} == {wanted}
    for e in current.get("entitlements", []):
        acct, _, ps = e["value"].partition(".")
        arn_of = next(
            a for a in live.manifest.permission_sets.values() if permission_set_id(a) == ps
        )
        assert not live.holds(acct, arn_of, "USER", user)
    assert live.holds(account, arn, "USER", user)


def test_a_grant_removed_in_aws_since_the_sync_is_granted_again(live: Live) -> None:
    account, arn, _, user = sorted(
        a for a in live.manifest.expected_assignments() if a[2] == "USER"
    )[0]
    request_id = live.revoke_in_console(account, arn, "USER", user)
    assert request_id and not live.holds(account, arn, "USER", user)
    again = live.patch(f"Users/{user}", grant_op(account, arn))
    assert again.status_code == 200
    assert live.holds(account, arn, "USER", user)
    assert live.create_calls() == 1
