"""An application assignment made in AWS changes its Entitlement at the next sync.

Its members, its ETag and meta.lastModified move, and delta aggregation
(`meta.lastModified gt`) finds it and its new holder, not what did not change.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from connector.record_keys import application_entitlement_id
from tests.test_application_entitlements import Organisation, organisation


@pytest.fixture
def org(store_url: str) -> Iterator[Organisation]:
    yield from organisation(store_url)


def test_an_application_assignment_made_in_aws_shows_after_the_next_sync(
    org: Organisation,
) -> None:
    payroll = application_entitlement_id(org.payroll)
    before = org.get(f"/scim/v2/Entitlements/{payroll}")
    unchanged = org.get(f"/scim/v2/Entitlements/{application_entitlement_id(org.wiki)}")
    outsider = sorted(set(org.manifest.users.values()) - {org.holder})[0]
    org.aws.sso_admin.create_application_assignment(
        ApplicationArn=org.payroll, PrincipalType="USER", PrincipalId=outsider
    )
    org.sync()
    after = org.get(f"/scim/v2/Entitlements/{payroll}")
    assert outsider in {m["value"] for m in after["members"]}
    assert after["meta"]["version"] != before["meta"]["version"]
    assert after["meta"]["lastModified"] > before["meta"]["lastModified"]
    response = org.client.get(
        f"/scim/v2/Entitlements/{payroll}", headers={"Authorization": f"Bearer {org.token}"}
    )
    assert response.headers["ETag"] == after["meta"]["version"]
    since = before["meta"]["lastModified"]
    changed = org.ids("Entitlements", f'meta.lastModified gt "{since}"')
    assert payroll in changed
    assert application_entitlement_id(org.wiki) not in changed
    assert org.get(f"/scim/v2/Entitlements/{application_entitlement_id(org.wiki)}") == unchanged
    assert outsider in org.ids("Users", f'meta.lastModified gt "{since}"')
