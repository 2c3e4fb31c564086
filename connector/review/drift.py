"""The drift report: what in Identity Center needs a human now (issue 13, docs/access-review.md).

Seven kinds, each read from the current snapshot and the provenance the store
keeps beside it (connector.store.provenance), so the report is as fresh as the
last sync and the change feed:

- access made out of band since a time (who and when, from provenance);
- assignments whose principal the identity store no longer has;
- provisioned copies older than their permission set
  (ProvisioningStatus LATEST_PERMISSION_SET_NOT_PROVISIONED);
- permission sets provisioned where nobody is assigned;
- access held in suspended or closed accounts (Organizations' account Status);
- disabled users who still hold assignments, directly or through a group;
- access unused for more than N days: each route (direct, or through a group) of
  an access held for longer than that whose last use (connector.store.last_use)
  is older, or unknown within CloudTrail's history.

A kind that cannot be known (no sync yet; last use not read, still being read,
or not reaching N days back) says so and why, with no count; the report never
fails on partial data.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from connector.records import Account, Assignment, Provenance, ProvisionedPair, Snapshot
from connector.review.parameters import DriftQuery
from connector.store import last_use, provenance, sign_in_backfill, snapshots
from connector.store import tables as t

# Organizations' account Status (API_Account.html): anything but ACTIVE holds no
# usable access, SUSPENDED and PENDING_CLOSURE alike.
ACTIVE = "ACTIVE"
DISABLED = "DISABLED"  # the Identity Store's UserStatus (API_User.html)

NO_SNAPSHOT = "no sync has completed yet: run `idc-connector sync`"
NO_LAST_USE = (
    "last use is not recorded: the sign-in back-fill has not run (it runs with the change "
    "feed: docs/access-review.md#last-use)"
)


@dataclass(frozen=True)
class Named:
    """An object a row points at, with its name where the snapshot knows one."""

    id: str
    name: str | None = None
    status: str | None = None  # an account's Organizations status
    ou_path: str | None = None  # an account's OU, as a path of names from the root


@dataclass(frozen=True)
class DriftRow:
    """One thing that needs a human: who, what, when, and why it is drift."""

    why: str
    principal_type: str | None = None  # USER or GROUP
    principal: Named | None = None
    account: Named | None = None
    permission_set: Named | None = None
    group: Named | None = None  # a membership's group, or the route of group access
    granted_at: datetime | None = None
    granted_by: str | None = None
    last_used: datetime | None = None  # unusedAccess: the latest sign-in known, if any


@dataclass(frozen=True)
class DriftKind:
    kind: str
    title: str
    rows: tuple[DriftRow, ...] = ()
    unknown: str | None = None  # why this kind cannot be known now

    @property
    def count(self) -> int | None:
        return None if self.unknown else len(self.rows)


@dataclass(frozen=True)
class DriftReport:
    generated_at: datetime
    snapshot_sync_id: int | None
    synced_at: datetime | None
    query: DriftQuery
    kinds: tuple[DriftKind, ...]


TITLES = {
    "outOfBand": "assignments and memberships made out of band",
    "principalGone": "assignments whose principal no longer exists",
    "outdatedProvisioning": "permission sets whose provisioned copy is out of date",
    "unassignedProvisioning": "permission sets provisioned where nobody is assigned",
    "inactiveAccount": "access held in suspended or closed accounts",
    "disabledUser": "disabled users who still hold assignments",
    "unusedAccess": "access unused for more than the given number of days",
}


def drift_report(connection: sa.Connection, query: DriftQuery, now: datetime) -> DriftReport:
    """The report over the current snapshot, read in the caller's transaction."""
    snapshot_id = snapshots.current_snapshot_id(connection)
    if snapshot_id is None:
        return DriftReport(
            now,
            None,
            None,
            query,
            tuple(DriftKind(kind, title, unknown=NO_SNAPSHOT) for kind, title in TITLES.items()),
        )
    snapshot = snapshots.read_snapshot(connection, snapshot_id)
    made_assignments, made_memberships = provenance.every_row(connection)
    view = _View(
        snapshot,
        {p.assignment: p.provenance for p in made_assignments},
        {(p.group_id, p.user_id): p.provenance for p in made_memberships},
    )
    synced_at = connection.execute(
        sa.select(t.syncs.c.finished_at).where(t.syncs.c.id == snapshot_id)
    ).scalar_one_or_none()
    rows = {
        "outOfBand": view.out_of_band(query.since),
        "principalGone": view.principal_gone(),
        "outdatedProvisioning": view.pairs(
            snapshot.outdated_pairs,
            "changed after it was provisioned here: the account still has the old "
            "policies until ProvisionPermissionSet",
        ),
        "unassignedProvisioning": view.pairs(
            [p for p in snapshot.provisioned_pairs if p not in view.assigned_pairs],
            "provisioned here, but nobody is assigned it",
        ),
        "inactiveAccount": view.inactive_accounts(),
        "disabledUser": view.disabled_users(),
    }
    kinds = [
        DriftKind(kind, title, tuple(rows[kind])) for kind, title in TITLES.items() if kind in rows
    ]
    kinds.append(_unused_access(connection, view, now - timedelta(days=query.unused_days)))
    return DriftReport(now, snapshot_id, synced_at, query, tuple(kinds))


def _unused_access(connection: sa.Connection, view: _View, cutoff: datetime) -> DriftKind:
    """Routes of access unused since `cutoff`, once last use is known back to it
    (`unknown_last_use`)."""
    kind, title = "unusedAccess", TITLES["unusedAccess"]
    unknown = unknown_last_use(sign_in_backfill.progress(connection), cutoff)
    if unknown is not None:
        return DriftKind(kind, title, unknown=unknown)
    routes = view.routes()
    used = last_use.last_used(
        connection, {(user_id, a.account_id, a.permission_set_arn) for user_id, a, _ in routes}
    )
    return DriftKind(kind, title, tuple(view.unused(routes, used, cutoff)))


def unknown_last_use(
    progress: sign_in_backfill.Progress | None, cutoff: datetime | None
) -> str | None:
    """Why last use cannot be told back to `cutoff` (None: at all), or None when it can.

    Last use is known from the 90-day back-fill of sign-ins on (the change feed
    keeps it current after): before the back-fill ends, or for a cutoff older
    than where it began reading, an access with no sign-in may have been used.
    """
    if progress is None:
        return NO_LAST_USE
    if progress.finished_at is None:
        reached = progress.reached or progress.window_end
        return (
            "the sign-in back-fill is still reading CloudTrail (back to "
            f"{reached:%Y-%m-%d} of {progress.window_start:%Y-%m-%d} so far)"
        )
    if cutoff is not None and cutoff < _aware(progress.window_start):
        return (
            f"last use is known from {progress.window_start:%Y-%m-%d} on (CloudTrail "
            "keeps 90 days of events): ask for fewer days"
        )
    return None


class _View:
    """The snapshot indexed for the report's questions."""

    def __init__(
        self,
        snapshot: Snapshot,
        made_assignments: dict[Assignment, Provenance],
        made_memberships: dict[tuple[str, str], Provenance],
    ) -> None:
        self.snapshot = snapshot
        self.made_assignments = made_assignments
        self.made_memberships = made_memberships
        self.users = {u.id: u for u in snapshot.users}
        self.groups = {g.id: g for g in snapshot.groups}
        self.accounts: dict[str, Account] = {a.id: a for a in snapshot.accounts}
        self.set_names = {p.arn: p.name for p in snapshot.permission_sets}
        self.assigned_pairs = {
            ProvisionedPair(a.account_id, a.permission_set_arn) for a in snapshot.assignments
        }
        self.groups_of: dict[str, list[str]] = defaultdict(list)
        for m in snapshot.memberships:
            self.groups_of[m.user_id].append(m.group_id)
        self.joined = {(m.group_id, m.user_id): m.created_at for m in snapshot.memberships}

    # -- the kinds -------------------------------------------------------------

    def out_of_band(self, since: datetime | None) -> list[DriftRow]:
        """Assignments and memberships not made through this connector, with a time
        at or after `since`. An assignment's time is known only where the change
        feed saw it made (AWS records none); a membership falls back on the
        Identity Store's CreatedAt and CreatedBy, as served provenance does."""
        rows = []
        for assignment, made in self.made_assignments.items():
            if made.operation_id is None and _at_or_after(made.granted_at, since):
                rows.append(
                    self._assignment_row(assignment, "made outside this connector", made=made)
                )
        for m in self.snapshot.memberships:
            made_m = self.made_memberships.get((m.group_id, m.user_id))
            if made_m is not None and made_m.operation_id is not None:
                continue
            at = made_m.granted_at if made_m else m.created_at
            by = made_m.granted_by if made_m else m.created_by
            if _at_or_after(at, since):
                rows.append(
                    DriftRow(
                        why="group membership made outside this connector",
                        principal_type="USER",
                        principal=self._principal("USER", m.user_id),
                        group=self._principal("GROUP", m.group_id),
                        granted_at=at,
                        granted_by=by,
                    )
                )
        return _sorted(rows)

    def principal_gone(self) -> list[DriftRow]:
        return _sorted(
            self._assignment_row(
                a,
                f"the identity store has no {a.principal_type.lower()} {a.principal_id}: "
                "the assignment grants nothing and should be removed",
            )
            for a in self.snapshot.assignments
            if a.principal_id not in (self.users if a.principal_type == "USER" else self.groups)
        )

    def pairs(self, pairs: Iterable[ProvisionedPair], why: str) -> list[DriftRow]:
        return _sorted(
            DriftRow(
                why=why,
                account=self._account(p.account_id),
                permission_set=self._permission_set(p.permission_set_arn),
            )
            for p in pairs
        )

    def inactive_accounts(self) -> list[DriftRow]:
        rows = []
        for a in self.snapshot.assignments:
            account = self.accounts.get(a.account_id)
            if account is not None and account.status not in (None, ACTIVE):
                rows.append(self._assignment_row(a, f"the account is {account.status.lower()}"))
        return _sorted(rows)

    def disabled_users(self) -> list[DriftRow]:
        """Every assignment a disabled user holds: its own, and its groups'."""
        held: dict[tuple[str, str], list[Assignment]] = defaultdict(list)
        for a in self.snapshot.assignments:
            held[(a.principal_type, a.principal_id)].append(a)
        rows = []
        for user in self.snapshot.users:
            if user.user_status != DISABLED:
                continue
            why = "the user is disabled but still holds this access"
            rows += [self._assignment_row(a, why) for a in held[("USER", user.id)]]
            for group_id in self.groups_of[user.id]:
                rows += [
                    DriftRow(
                        why=f"{why} through a group",
                        principal_type="USER",
                        principal=self._principal("USER", user.id),
                        account=self._account(a.account_id),
                        permission_set=self._permission_set(a.permission_set_arn),
                        group=self._principal("GROUP", group_id),
                    )
                    for a in held[("GROUP", group_id)]
                ]
        return _sorted(rows)

    def routes(self) -> list[tuple[str, Assignment, str | None]]:
        """(user id, assignment, group id or None) of every route by which an existing
        user holds an access: its own assignment, or its group's."""
        found: list[tuple[str, Assignment, str | None]] = []
        members: dict[str, list[str]] = defaultdict(list)
        for m in self.snapshot.memberships:
            members[m.group_id].append(m.user_id)
        for a in self.snapshot.assignments:
            if a.principal_type == "USER" and a.principal_id in self.users:
                found.append((a.principal_id, a, None))
            elif a.principal_type == "GROUP":
                found += [
                    (u, a, a.principal_id) for u in members[a.principal_id] if u in self.users
                ]
        return found

    def unused(
        self,
        routes: list[tuple[str, Assignment, str | None]],
        used: dict[tuple[str, str, str], datetime],
        cutoff: datetime,
    ) -> list[DriftRow]:
        """Routes whose access was last used before `cutoff` (or not at all), leaving out
        those held for less time than that: granted, or joined through the group, after it."""
        rows = []
        for user_id, a, group_id in routes:
            last = used.get((user_id, a.account_id, a.permission_set_arn))
            if last is not None and _aware(last) >= cutoff:
                continue
            made = self.made_assignments.get(a)
            held_since = [made.granted_at if made else None]
            if group_id is not None:
                joined = self.made_memberships.get((group_id, user_id))
                held_since.append(
                    joined.granted_at if joined else self.joined_at(group_id, user_id)
                )
            if any(at is not None and _aware(at) > cutoff for at in held_since):
                continue
            rows.append(
                DriftRow(
                    why=(f"last used {last:%Y-%m-%d}" if last else "no use recorded")
                    + f", before {cutoff:%Y-%m-%d}",
                    principal_type="USER",
                    principal=self._principal("USER", user_id),
                    account=self._account(a.account_id),
                    permission_set=self._permission_set(a.permission_set_arn),
                    group=self._principal("GROUP", group_id) if group_id else None,
                    granted_at=made.granted_at if made else None,
                    granted_by=made.granted_by if made else None,
                    last_used=last,
                )
            )
        return _sorted(rows)

    def joined_at(self, group_id: str, user_id: str) -> datetime | None:
        """When the Identity Store says the user joined the group (its CreatedAt)."""
        return self.joined.get((group_id, user_id))

    # -- rows ------------------------------------------------------------------

    def _assignment_row(
        self, a: Assignment, why: str, *, made: Provenance | None = None
    ) -> DriftRow:
        made = made or self.made_assignments.get(a)
        return DriftRow(
            why=why,
            principal_type=a.principal_type,
            principal=self._principal(a.principal_type, a.principal_id),
            account=self._account(a.account_id),
            permission_set=self._permission_set(a.permission_set_arn),
            granted_at=made.granted_at if made else None,
            granted_by=made.granted_by if made else None,
        )

    def _principal(self, principal_type: str, principal_id: str) -> Named:
        if principal_type == "USER":
            user = self.users.get(principal_id)
            return Named(principal_id, user.user_name if user else None)
        group = self.groups.get(principal_id)
        return Named(principal_id, group.display_name if group else None)

    def _account(self, account_id: str) -> Named:
        account = self.accounts.get(account_id)
        return Named(
            account_id, account.name if account else None, account.status if account else None
        )

    def _permission_set(self, arn: str) -> Named:
        return Named(arn, self.set_names.get(arn))


def _aware(at: datetime) -> datetime:
    """`at` with its zone: SQLite returns UTC times without one."""
    return at if at.tzinfo is not None else at.replace(tzinfo=UTC)


def _at_or_after(at: datetime | None, since: datetime | None) -> bool:
    """Known to have happened at or after `since` (no `since`: whenever it happened)."""
    return since is None or (at is not None and at >= since)


def _sorted(rows: Iterable[DriftRow]) -> list[DriftRow]:
    def key(row: DriftRow) -> tuple[str, ...]:
        return tuple(
            (named.name or named.id) if named else ""
            for named in (row.principal, row.group, row.account, row.permission_set)
        )

    return sorted(rows, key=key)
