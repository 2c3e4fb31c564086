"""Helpers for tests that run the connector against the simulated Identity Center."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from connector.config import Settings, load_settings
from connector.connection import connect
from connector.records import Snapshot
from connector.simulator import Manifest, SimulatedAws, load_plan, simulated_aws
from connector.simulator.seed import PRESETS, plan_organisation
from connector.store.store import Store
from connector.sync import run_sync
from connector.tokens import create_token

# The in-process simulator has no quotas; pacing would only slow the tests.
UNPACED = {
    "IDCC_SSO_ADMIN_RPS": "100000",
    "IDCC_IDENTITYSTORE_RPS": "100000",
    "IDCC_ORGANIZATIONS_RPS": "100000",
}


def simulator_settings(database_url: str, **overrides: Any) -> Settings:
    """Settings for the simulator with access-key credentials (moto accepts any key)."""
    env = {
        "IDCC_REGION": "us-east-1",
        "IDCC_CREDENTIALS_MODE": "access_key",
        "IDCC_AWS_ACCESS_KEY_ID": "testing",
        "IDCC_AWS_SECRET_ACCESS_KEY": "testing",
        "IDCC_DATABASE_URL": database_url,
        **UNPACED,
    }
    env.update({f"IDCC_{key.upper()}": str(value) for key, value in overrides.items()})
    return load_settings(env)


@dataclass(frozen=True)
class Synced:
    """A store holding a synced organisation, and a write token for it."""

    url: str
    store: Store
    token: str

    def headers(self, **more: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}", **more}


def synced(url: str) -> Synced:
    """The tiny organisation, synced into the store at `url`."""
    with simulated_aws():
        load_plan(plan_organisation(PRESETS["tiny"]))
        settings = simulator_settings(url)
        store = Store.open(url)
        run_sync(settings, store, connect(settings))
    return Synced(url, store, create_token(store, "iga", "write"))


def differences(snapshot: Snapshot, manifest: Manifest) -> dict[str, object]:
    """Where the stored snapshot and the seeded organisation disagree (empty: none)."""
    plan = manifest.plan
    found: dict[str, object] = {}

    def compare(name: str, stored: set[Any], expected: set[Any]) -> None:
        if stored != expected:
            found[name] = {"missing": expected - stored, "unexpected": stored - expected}

    compare(
        "users",
        {(u.id, u.user_name, u.display_name, u.given_name, u.family_name) for u in snapshot.users},
        {
            (manifest.users[u.key], u.user_name, u.display_name, u.given_name, u.family_name)
            for u in plan.users
        },
    )
    compare(
        "user emails",
        {(u.id, e.value, e.type, e.primary) for u in snapshot.users for e in u.emails},
        {(manifest.users[u.key], e.value, e.type, e.primary) for u in plan.users for e in u.emails},
    )
    compare(
        "user details",
        {
            (u.id, u.title, u.user_type, u.locale, u.timezone, u.preferred_language, u.nick_name)
            for u in snapshot.users
        },
        {
            (
                manifest.users[u.key],
                u.title,
                u.user_type,
                u.locale,
                u.timezone,
                u.preferred_language,
                u.nick_name,
            )
            for u in plan.users
        },
    )
    compare(
        "user external ids",
        {(u.id, x.issuer, x.id) for u in snapshot.users for x in u.external_ids},
        {(manifest.users[u.key], x.issuer, x.id) for u in plan.users for x in u.external_ids},
    )
    compare(
        "groups",
        {(g.id, g.display_name, g.description) for g in snapshot.groups},
        {(manifest.groups[g.key], g.display_name, g.description) for g in plan.groups},
    )
    compare(
        "memberships",
        {(m.group_id, m.user_id) for m in snapshot.memberships},
        manifest.expected_memberships(),
    )
    compare(
        "permission sets",
        {
            (
                p.arn,
                p.name,
                p.description,
                p.session_duration,
                p.relay_state,
                frozenset(m.arn for m in p.managed_policies),
                frozenset((c.name, c.path) for c in p.customer_managed_policies),
                p.inline_policy,
                frozenset(p.tags),
            )
            for p in snapshot.permission_sets
        },
        {
            (
                manifest.permission_sets[p.key],
                p.name,
                p.description,
                p.session_duration,
                p.relay_state,
                frozenset(p.managed_policy_arns),
                frozenset((c.name, c.path) for c in p.customer_managed_policies),
                p.inline_policy,
                frozenset(p.tags),
            )
            for p in plan.permission_sets
        },
    )
    compare(
        "permissions boundaries",
        {
            (p.arn, p.permissions_boundary.managed_policy_arn)
            for p in snapshot.permission_sets
            if p.permissions_boundary
        },
        {
            (manifest.permission_sets[p.key], p.permissions_boundary.managed_policy_arn)
            for p in plan.permission_sets
            if p.permissions_boundary
        },
    )
    compare(
        "accounts",
        {(a.id, a.name, a.email, a.status) for a in snapshot.accounts},
        {(manifest.accounts[a.key], a.name, a.email, a.status) for a in plan.accounts}
        | manifest_management_account(snapshot, manifest),
    )
    compare(
        "provisioned pairs",
        {(p.account_id, p.permission_set_arn) for p in snapshot.provisioned_pairs},
        manifest.expected_provisioned_pairs(),
    )
    compare(
        "assignments",
        {
            (a.account_id, a.permission_set_arn, a.principal_type, a.principal_id)
            for a in snapshot.assignments
        },
        manifest.expected_assignments(),
    )
    compare(
        "applications",
        {
            (a.arn, a.name, a.description, a.provider_arn, a.assignment_required, a.status)
            for a in snapshot.applications
        },
        {
            (
                manifest.applications[a.key],
                a.name,
                a.description,
                a.provider_arn,
                a.assignment_required,
                "ENABLED",
            )
            for a in plan.applications
        },
    )
    compare(
        "application assignments",
        {
            (a.application_arn, a.principal_type, a.principal_id)
            for a in snapshot.application_assignments
        },
        manifest.expected_application_assignments(),
    )
    return found


def manifest_management_account(snapshot: Snapshot, manifest: Manifest) -> set[Any]:
    """The organisation's management account, which the plan does not list itself."""
    return {
        (a.id, a.name, a.email, a.status)
        for a in snapshot.accounts
        if a.id == manifest.management_account_id
    }


def aws_state(aws: SimulatedAws, manifest: Manifest) -> dict[str, Any]:
    """What the simulated Identity Center holds, read through boto3: users, groups,
    memberships and the assignments of every (account, permission set) pair."""
    store_id = aws.identity_store_id

    def listed(client: Any, operation: str, key: str, **parameters: Any) -> list[Any]:
        pages = client.get_paginator(operation).paginate(**parameters)
        return [item for page in pages for item in page[key]]

    groups = listed(aws.identity_store, "list_groups", "Groups", IdentityStoreId=store_id)
    return {
        "users": sorted(
            repr(sorted(u.items()))
            for u in listed(aws.identity_store, "list_users", "Users", IdentityStoreId=store_id)
        ),
        "groups": sorted(repr(sorted(g.items())) for g in groups),
        "memberships": sorted(
            (g["GroupId"], m["MemberId"]["UserId"])
            for g in groups
            for m in listed(
                aws.identity_store,
                "list_group_memberships",
                "GroupMemberships",
                IdentityStoreId=store_id,
                GroupId=g["GroupId"],
            )
        ),
        "assignments": sorted(
            (account, arn, a["PrincipalType"], a["PrincipalId"])
            for account in manifest.accounts.values()
            for arn in manifest.permission_sets.values()
            for a in listed(
                aws.sso_admin,
                "list_account_assignments",
                "AccountAssignments",
                InstanceArn=aws.instance_arn,
                AccountId=account,
                PermissionSetArn=arn,
            )
        ),
    }


def user(aws: SimulatedAws, name: str = "ada", **extra: Any) -> str:
    """A user created in the simulated Identity Store, with what it requires; its id."""
    created = aws.identity_store.create_user(
        IdentityStoreId=aws.identity_store_id,
        UserName=name,
        DisplayName=name.title(),
        Name={"GivenName": name.title(), "FamilyName": "Lovelace"},
        **extra,
    )
    return str(created["UserId"])


def group(aws: SimulatedAws, name: str = "Engineers") -> str:
    """A group created in the simulated Identity Store, with a description; its id."""
    created = aws.identity_store.create_group(
        IdentityStoreId=aws.identity_store_id, DisplayName=name, Description=f"All {name}"
    )
    return str(created["GroupId"])
