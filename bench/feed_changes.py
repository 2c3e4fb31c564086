"""Out-of-band changes, as an administrator in the AWS console makes them, at a steady rate.

The simulator attributes requests signed with the console key to
`console_administrator` (connector/simulator/cloudtrail/principals.py), so
their CloudTrail events name that administrator and not the connector, and
the feed must re-read what each names. The mix (issue 11, item 7): grants,
revokes, membership adds and removes, user edits, one permission-set edit and
one account rename. Each change comes with the SCIM read that shows it
(`Probe`); no two changes touch what one probe reads, so every change has a
first read that shows it, even if the feed applies two changes at once.

Which objects are changed is drawn from the seed manifest with a fixed seed,
so a run repeats.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import boto3

from connector.record_keys import entitlement_id, permission_set_id
from connector.simulator.manifest import Manifest

CONSOLE_KEY = "AKIACONSOLEADMIN0001"

# The everyday changes and how often each comes; the permission-set edit and the
# account rename are made once each, a third and two thirds of the way through.
WEIGHTS = {"grant": 5, "revoke": 4, "member-add": 4, "member-remove": 3, "user-edit": 4}


@dataclass(frozen=True)
class Probe:
    """The SCIM read (path under /scim/v2/) and what its answer shows once the change is served."""

    path: str
    shows: Callable[[dict[str, Any]], bool]


@dataclass
class Change:
    number: int
    kind: str
    subject: str
    probe: Probe
    made_at: float = 0.0  # when AWS answered the change (epoch seconds)
    seen_at: float | None = None  # when the first SCIM read showing it returned
    unseen_read_at: float | None = None  # when the last read not showing it was sent
    reads: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def freshness(self) -> float | None:
        return None if self.seen_at is None else self.seen_at - self.made_at


def schedule(count: int, rng: random.Random) -> list[str]:
    """The kind of each change, in order."""
    kinds = rng.choices(list(WEIGHTS), weights=list(WEIGHTS.values()), k=count)
    kinds[count // 3] = "permission-set-edit"
    kinds[(2 * count) // 3] = "account-rename"
    return kinds


def _has(values: list[dict[str, Any]] | None, value: str) -> bool:
    return any(item.get("value") == value for item in values or [])


class ConsoleChanges:
    """Makes each change in AWS as the console administrator and says how SCIM will show it."""

    def __init__(self, manifest: Manifest, url: str, seed: int = 7) -> None:
        self._rng = random.Random(seed)
        self._instance = manifest.instance_arn
        self._store_id = manifest.identity_store_id
        self._users = sorted(manifest.users.values())
        self._groups = sorted(manifest.groups.values())
        self._accounts = sorted(manifest.accounts.values())
        self._permission_sets = sorted(manifest.permission_sets.values())
        self._granted = sorted(
            (principal, account, arn)
            for account, arn, kind, principal in manifest.expected_assignments()
            if kind == "USER"
        )
        self._held = set(self._granted)
        self._memberships = sorted((user, group) for group, user in manifest.expected_memberships())
        self._members = set(self._memberships)
        self._touched: set[tuple[str, ...]] = set()
        session = boto3.session.Session()  # boto3's default session is not thread-safe
        self._clients = {
            name: session.client(
                name,
                endpoint_url=url,
                region_name=manifest.region,
                aws_access_key_id=CONSOLE_KEY,
                aws_secret_access_key="console",
            )
            for name in ("sso-admin", "identitystore", "account")
        }

    def make(self, number: int, kind: str) -> Change:
        maker = {
            "grant": self._grant,
            "revoke": self._revoke,
            "member-add": self._member_add,
            "member-remove": self._member_remove,
            "user-edit": self._user_edit,
            "permission-set-edit": self._permission_set_edit,
            "account-rename": self._account_rename,
        }[kind]
        subject, probe = maker(number)
        return Change(number, kind, subject, probe, made_at=time.time())

    def _untouched(self, draw: Callable[[], tuple[str, ...]], free: Callable[[Any], bool]) -> Any:
        """A drawn key no earlier change touched and `free` accepts; marked touched."""
        for _ in range(10_000):
            key = draw()
            if key not in self._touched and free(key):
                self._touched.add(key)
                return key
        raise RuntimeError("the organisation is too small for this many changes")

    def _assignment(self, user: str, pair: tuple[str, str]) -> dict[str, str]:
        return {
            "InstanceArn": self._instance,
            "TargetId": pair[0],
            "TargetType": "AWS_ACCOUNT",
            "PermissionSetArn": pair[1],
            "PrincipalType": "USER",
            "PrincipalId": user,
        }

    def _entitlement_probe(self, user: str, pair: tuple[str, str], held: bool) -> Probe:
        value = entitlement_id(*pair)
        return Probe(
            f"Users/{user}?attributes=entitlements",
            lambda doc: _has(doc.get("entitlements"), value) == held,
        )

    def _grant(self, number: int) -> tuple[str, Probe]:
        user, account, arn = self._untouched(
            lambda: (
                self._rng.choice(self._users),
                self._rng.choice(self._accounts),
                self._rng.choice(self._permission_sets),
            ),
            lambda key: key not in self._held,
        )
        self._clients["sso-admin"].create_account_assignment(
            **self._assignment(user, (account, arn))
        )
        return user, self._entitlement_probe(user, (account, arn), held=True)

    def _revoke(self, number: int) -> tuple[str, Probe]:
        user, account, arn = self._untouched(
            lambda: self._rng.choice(self._granted), lambda _: True
        )
        self._clients["sso-admin"].delete_account_assignment(
            **self._assignment(user, (account, arn))
        )
        return user, self._entitlement_probe(user, (account, arn), held=False)

    def _member_probe(self, user: str, group: str, member: bool) -> Probe:
        return Probe(
            f"Users/{user}?attributes=groups",
            lambda doc: _has(doc.get("groups"), group) == member,
        )

    def _member_add(self, number: int) -> tuple[str, Probe]:
        user, group = self._untouched(
            lambda: (self._rng.choice(self._users), self._rng.choice(self._groups)),
            lambda key: key not in self._members,
        )
        self._clients["identitystore"].create_group_membership(
            IdentityStoreId=self._store_id, GroupId=group, MemberId={"UserId": user}
        )
        return user, self._member_probe(user, group, member=True)

    def _member_remove(self, number: int) -> tuple[str, Probe]:
        user, group = self._untouched(lambda: self._rng.choice(self._memberships), lambda _: True)
        identity = self._clients["identitystore"]
        membership = identity.get_group_membership_id(
            IdentityStoreId=self._store_id, GroupId=group, MemberId={"UserId": user}
        )["MembershipId"]
        identity.delete_group_membership(IdentityStoreId=self._store_id, MembershipId=membership)
        return user, self._member_probe(user, group, member=False)

    def _user_edit(self, number: int) -> tuple[str, Probe]:
        (user,) = self._untouched(lambda: (self._rng.choice(self._users),), lambda _: True)
        name = f"Edited in the console {number}"
        self._clients["identitystore"].update_user(
            IdentityStoreId=self._store_id,
            UserId=user,
            Operations=[{"AttributePath": "displayName", "AttributeValue": name}],
        )
        return user, Probe(
            f"Users/{user}?attributes=displayName", lambda doc: doc.get("displayName") == name
        )

    def _permission_set_edit(self, number: int) -> tuple[str, Probe]:
        (arn,) = self._untouched(lambda: (self._rng.choice(self._permission_sets),), lambda _: True)
        description = f"Edited in the console {number}"
        self._clients["sso-admin"].update_permission_set(
            InstanceArn=self._instance, PermissionSetArn=arn, Description=description
        )
        return arn, Probe(
            f"PermissionSets/{permission_set_id(arn)}",
            lambda doc: doc.get("description") == description,
        )

    def _account_rename(self, number: int) -> tuple[str, Probe]:
        (account,) = self._untouched(lambda: (self._rng.choice(self._accounts),), lambda _: True)
        name = f"renamed-in-the-console-{number}"
        self._clients["account"].put_account_name(AccountId=account, AccountName=name)
        return account, Probe(f"AwsAccounts/{account}", lambda doc: doc.get("name") == name)


def make_changes(
    changes: ConsoleChanges, count: int, rate: float, made: Callable[[Change], None]
) -> list[Change]:
    """`count` changes, one every 1/`rate` seconds from now (a late one does not shift the rest)."""
    kinds = schedule(count, random.Random(11))
    start = time.monotonic()
    done = []
    for number, kind in enumerate(kinds):
        wait = start + number / rate - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        change = changes.make(number, kind)
        made(change)
        done.append(change)
    return done
