"""The access-review export: one row per (user, entitlement, route), read from the store
as it is written out (issue 13, docs/access-review.md#review-export).

A certifier decides, for each person and each access, whether it stays; what
they weigh is in the row: who holds it (status, manager), what it grants (the
account and the permission set's policies, or the application), how it is
held (directly, or through which group), who granted it and whether through
this connector (provenance, connector.store.provenance), and whether it is
used (last use, connector.store.last_use).

The rows come from the current snapshot, users in keyset pages of `PAGE`, each
page's memberships, assignments, provenance and last use read for that page
alone: at 100,000 users the memory held is a page's and the small tables'
(accounts, permission sets, applications, group names), and the first rows
are ready as soon as the first page is read. The caller's connection must be
one `Store.reading()` transaction, so every page comes from the same snapshot.

What the store does not know is unknown, never guessed: an application's
last use (CloudTrail's portal events name no application), an assignment's
grant (account or application) neither this connector made nor the change feed
saw made, and last use before the sign-in back-fill has read CloudTrail's 90
days (`unknown_last_use`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

import sqlalchemy as sa

from connector.record_keys import application_entitlement_id, permission_set_id
from connector.records import (
    Application,
    ApplicationAssignment,
    Assignment,
    Membership,
    PermissionSet,
    Provenance,
)
from connector.review.drift import Named, unknown_last_use
from connector.review.parameters import ExportQuery
from connector.store import codec, last_use, provenance, sign_in_backfill, snapshots
from connector.store import tables as t

PAGE = 500  # users per page; with their groups, well within the stores' parameter limits
DISABLED = "DISABLED"  # the Identity Store's UserStatus (API_User.html)

# How an access came to be: through this connector's write ledger, out of band
# (seen by the change feed, or a membership the Identity Store reports made
# by someone else), or unknown (nothing recorded: made before the feed ran;
# AWS reports no maker of an account or application assignment).
Through = Literal["connector", "outOfBand", "unknown"]
# Whether last use is known: a sign-in was seen, none was in the history read
# (never, as far as CloudTrail can tell), or it cannot be told yet.
LastUse = Literal["used", "never", "unknown"]


@dataclass(frozen=True)
class ReviewUser:
    id: str
    user_name: str
    display_name: str | None
    status: str | None  # ENABLED or DISABLED where the Identity Store reports it
    manager: Named | None  # the enterprise extension's manager, named where the snapshot has them


@dataclass(frozen=True)
class Grant:
    through: Through
    at: datetime | None = None
    by: str | None = None


@dataclass(frozen=True)
class ExportRow:
    """One route by which a user holds an entitlement: an account access (`account` and
    `permission_set`) or an application (`application`)."""

    user: ReviewUser
    account: Named | None
    permission_set: PermissionSet | None
    application: Named | None
    group: Named | None  # None: assigned directly
    granted: Grant  # the assignment (to the user, or to the group)
    joined: Grant | None  # a group route's membership
    last_use: LastUse
    last_used: datetime | None
    days_unused: int | None


@dataclass(frozen=True)
class ReviewExport:
    generated_at: datetime
    snapshot_sync_id: int | None
    synced_at: datetime | None
    last_use_known_from: datetime | None
    last_use_unknown: str | None  # why last use is unknown, when it is
    rows: Iterator[ExportRow]


def last_use_refusal(connection: sa.Connection, query: ExportQuery, now: datetime) -> str | None:
    """Why `query.unused_days` cannot be answered now (None: it can, or was not asked).

    Checked before any row is written: a filter on days unused while last use is
    unknown would leave out rows that may be unused, so it is refused instead.
    """
    if query.unused_days is None:
        return None
    cutoff = now - timedelta(days=query.unused_days)
    return unknown_last_use(sign_in_backfill.progress(connection), cutoff)


def review_export(connection: sa.Connection, query: ExportQuery, now: datetime) -> ReviewExport:
    """The export of the current snapshot; its rows are read as they are iterated."""
    snapshot_id = snapshots.current_snapshot_id(connection)
    progress = sign_in_backfill.progress(connection)
    unknown = unknown_last_use(progress, None)
    known_from = progress.window_start if progress is not None and unknown is None else None
    if snapshot_id is None:
        return ReviewExport(now, None, None, known_from, unknown, iter(()))
    synced_at = connection.execute(
        sa.select(t.syncs.c.finished_at).where(t.syncs.c.id == snapshot_id)
    ).scalar_one_or_none()
    reader = _Reader(connection, snapshot_id, query, now, known_from)
    return ReviewExport(now, snapshot_id, synced_at, known_from, unknown, reader.rows())


class _Reader:
    """The snapshot's small tables, indexed once; the users' rows read page by page."""

    def __init__(
        self,
        connection: sa.Connection,
        snapshot_id: int,
        query: ExportQuery,
        now: datetime,
        known_from: datetime | None,
    ) -> None:
        self.connection = connection
        self.snapshot_id = snapshot_id
        self.query = query
        self.now = now
        self.known_from = known_from
        accounts = list(self._select(t.accounts))
        self.accounts = {
            row.id: Named(row.id, row.name, row.status, row.ou_path) for row in accounts
        }
        self.permission_sets = {
            row.arn: codec.permission_set_from_row(row._mapping)
            for row in self._select(t.permission_sets)
        }
        self.applications: dict[str, Application] = {
            row.arn: codec.application_from_row(row._mapping)
            for row in self._select(t.applications)
        }
        self.groups = {
            row.id: Named(row.id, row.display_name)
            for row in self._select(t.groups, t.groups.c.id, t.groups.c.display_name)
        }
        self.wanted_accounts = _matching(query.account, self.accounts, lambda a: a.name)
        self.wanted_sets = _matching(
            query.permission_set,
            self.permission_sets,
            lambda p: p.name,
            lambda p: permission_set_id(p.arn),
        )
        self.wanted_applications = _matching(
            query.application,
            self.applications,
            lambda a: a.name,
            lambda a: application_entitlement_id(a.arn),
        )
        self.wanted_groups = _matching(query.group, self.groups, lambda g: g.name)
        self.wanted_ou_accounts = {row.id for row in accounts if _in_ou(query.ou, row)}

    def rows(self) -> Iterator[ExportRow]:
        after = ""
        while True:
            users = list(
                self.connection.execute(
                    sa.select(
                        t.users.c.id,
                        t.users.c.user_name,
                        t.users.c.display_name,
                        t.users.c.user_status,
                        t.users.c.enterprise,
                    )
                    .where(t.users.c.snapshot_id == self.snapshot_id, t.users.c.id > after)
                    .order_by(t.users.c.id)
                    .limit(PAGE)
                )
            )
            if not users:
                return
            yield from self._page(users)
            after = users[-1].id

    def _page(self, user_rows: list[Any]) -> Iterator[ExportRow]:
        managers = self._user_names({_manager_id(row.enterprise) for row in user_rows} - {None})
        memberships = [
            codec.membership_from_row(row)
            for row in self._in(t.memberships, t.memberships.c.user_id, [r.id for r in user_rows])
        ]
        groups_of: dict[str, list[Membership]] = defaultdict(list)
        for m in memberships:
            groups_of[m.user_id].append(m)
        user_ids = [row.id for row in user_rows]
        group_ids = sorted({m.group_id for m in memberships})
        held = self._held(t.assignments, user_ids, group_ids)
        apps = self._held(t.application_assignments, user_ids, group_ids)
        assignments = {
            Assignment(r.account_id, r.permission_set_arn, r.principal_type, r.principal_id)
            for rows in held.values()
            for r in rows
        }
        made = {
            p.assignment: p.provenance
            for p in provenance.of_assignments(self.connection, assignments)
        }
        joined = {
            (p.group_id, p.user_id): p.provenance
            for p in provenance.of_memberships(self.connection, memberships)
        }
        app_made = {
            p.assignment: p.provenance
            for p in provenance.of_application_assignments(
                self.connection,
                {
                    ApplicationAssignment(r.application_arn, r.principal_type, r.principal_id)
                    for rows in apps.values()
                    for r in rows
                },
            )
        }
        routes = {row.id: list(self._routes(row.id, held, groups_of[row.id])) for row in user_rows}
        used = (
            last_use.last_used(
                self.connection,
                {
                    (user_id, a.account_id, a.permission_set_arn)
                    for user_id, held_routes in routes.items()
                    for _, a in held_routes
                },
            )
            if self.known_from is not None
            else {}
        )
        for row in user_rows:
            user = ReviewUser(
                row.id,
                row.user_name,
                row.display_name,
                row.user_status,
                _manager(row.enterprise, managers),
            )
            rows = [
                self._account_row(user, a, group, made, joined, used) for group, a in routes[row.id]
            ]
            rows += [
                self._application_row(user, a, group, app_made, joined)
                for a, group in self._application_routes(row.id, apps, groups_of[row.id])
            ]
            yield from sorted((r for r in rows if self._wanted(r)), key=_order)

    # -- what the page's users hold ------------------------------------------------

    def _held(
        self, table: sa.Table, user_ids: list[str], group_ids: list[str]
    ) -> dict[tuple[str, str], list[Any]]:
        """The rows of `table` (assignments or application assignments) held by the
        page's users and their groups, by (principal type, principal id)."""
        held: dict[tuple[str, str], list[Any]] = defaultdict(list)
        for principal_type, ids in (("USER", user_ids), ("GROUP", group_ids)):
            for row in self._in(
                table, table.c.principal_id, ids, table.c.principal_type == principal_type
            ):
                held[(principal_type, row.principal_id)].append(row)
        return held

    def _routes(
        self,
        user_id: str,
        held: dict[tuple[str, str], list[Any]],
        memberships: list[Membership],
    ) -> Iterator[tuple[Membership | None, Assignment]]:
        for r in held[("USER", user_id)]:
            yield None, Assignment(r.account_id, r.permission_set_arn, "USER", user_id)
        for m in memberships:
            for r in held[("GROUP", m.group_id)]:
                yield m, Assignment(r.account_id, r.permission_set_arn, "GROUP", m.group_id)

    def _application_routes(
        self,
        user_id: str,
        held: dict[tuple[str, str], list[Any]],
        memberships: list[Membership],
    ) -> Iterator[tuple[ApplicationAssignment, Membership | None]]:
        for r in held[("USER", user_id)]:
            yield ApplicationAssignment(r.application_arn, "USER", user_id), None
        for m in memberships:
            for r in held[("GROUP", m.group_id)]:
                yield ApplicationAssignment(r.application_arn, "GROUP", m.group_id), m

    # -- rows ------------------------------------------------------------------------

    def _account_row(
        self,
        user: ReviewUser,
        a: Assignment,
        group: Membership | None,
        made: dict[Assignment, Provenance],
        joined: dict[tuple[str, str], Provenance],
        used: dict[tuple[str, str, str], datetime],
    ) -> ExportRow:
        granted = _assignment_grant(made.get(a))
        membership = _membership_grant(group, joined) if group else None
        last = used.get((user.id, a.account_id, a.permission_set_arn))
        state, days = self._unused(last, [granted.at, membership.at if membership else None])
        return ExportRow(
            user=user,
            account=self.accounts.get(a.account_id, Named(a.account_id)),
            permission_set=self.permission_sets.get(a.permission_set_arn)
            or PermissionSet(a.permission_set_arn, ""),
            application=None,
            group=self._group(group),
            granted=granted,
            joined=membership,
            last_use=state,
            last_used=last,
            days_unused=days,
        )

    def _application_row(
        self,
        user: ReviewUser,
        a: ApplicationAssignment,
        group: Membership | None,
        made: dict[ApplicationAssignment, Provenance],
        joined: dict[tuple[str, str], Provenance],
    ) -> ExportRow:
        application = self.applications.get(a.application_arn)
        return ExportRow(
            user=user,
            account=None,
            permission_set=None,
            application=Named(a.application_arn, application.name if application else None),
            group=self._group(group),
            granted=_assignment_grant(made.get(a)),
            joined=_membership_grant(group, joined) if group else None,
            last_use="unknown",
            last_used=None,
            days_unused=None,
        )

    def _group(self, membership: Membership | None) -> Named | None:
        if membership is None:
            return None
        return self.groups.get(membership.group_id, Named(membership.group_id))

    def _unused(
        self, last: datetime | None, held_since: list[datetime | None]
    ) -> tuple[LastUse, int | None]:
        """Whole days since the last use; never used, the days since last use became
        known (the back-fill's window start), or since the route was granted or joined
        if later: a lower bound, never a guess beyond what was read."""
        if self.known_from is None:
            return "unknown", None
        if last is not None:
            return "used", (self.now - last).days
        since = max([self.known_from, *(at for at in held_since if at is not None)])
        return "never", max((self.now - since).days, 0)

    def _wanted(self, row: ExportRow) -> bool:
        q = self.query
        if q.account is not None and (
            row.account is None or row.account.id not in self.wanted_accounts
        ):
            return False
        if q.ou is not None and (
            row.account is None or row.account.id not in self.wanted_ou_accounts
        ):
            return False
        if q.permission_set is not None and (
            row.permission_set is None or row.permission_set.arn not in self.wanted_sets
        ):
            return False
        if q.application is not None and (
            row.application is None or row.application.id not in self.wanted_applications
        ):
            return False
        if q.group is not None and (row.group is None or row.group.id not in self.wanted_groups):
            return False
        return q.unused_days is None or (
            row.days_unused is not None and row.days_unused >= q.unused_days
        )

    # -- store reads ---------------------------------------------------------------

    def _select(self, table: sa.Table, *columns: sa.ColumnElement[Any]) -> sa.CursorResult[Any]:
        return self.connection.execute(
            sa.select(*(columns or (table,))).where(table.c.snapshot_id == self.snapshot_id)
        )

    def _in(
        self,
        table: sa.Table,
        column: sa.ColumnElement[Any],
        values: list[str],
        *conditions: sa.ColumnElement[bool],
    ) -> Iterator[Any]:
        for start in range(0, len(values), PAGE):
            yield from self.connection.execute(
                sa.select(table).where(
                    table.c.snapshot_id == self.snapshot_id,
                    column.in_(values[start : start + PAGE]),
                    *conditions,
                )
            )

    def _user_names(self, ids: Collection[str | None]) -> dict[str, str]:
        wanted = sorted(i for i in ids if i is not None)
        return {row.id: row.user_name for row in self._in(t.users, t.users.c.id, wanted)}


def _assignment_grant(made: Provenance | None) -> Grant:
    """An assignment's provenance is kept only where this connector made it or the change
    feed saw it made; otherwise who made it is unknown (AWS reports no creator)."""
    if made is None:
        return Grant("unknown")
    return Grant(
        "connector" if made.operation_id else "outOfBand", made.granted_at, made.granted_by
    )


def _membership_grant(membership: Membership, joined: dict[tuple[str, str], Provenance]) -> Grant:
    """A membership the connector did not record making is out of band, made when and by
    whom the Identity Store says (its CreatedAt and CreatedBy), as the drift report has it."""
    made = joined.get((membership.group_id, membership.user_id))
    if made is None:
        return Grant("outOfBand", membership.created_at, membership.created_by)
    return Grant(
        "connector" if made.operation_id else "outOfBand", made.granted_at, made.granted_by
    )


def _manager_id(enterprise: Any) -> str | None:
    """The manager's UserId in the enterprise extension (`{"manager": {"value": ...}}`,
    API_User.html Extensions; RFC 7643 §4.3)."""
    if not isinstance(enterprise, dict):
        return None
    manager = enterprise.get("manager") or enterprise.get("Manager")
    value = manager.get("value") if isinstance(manager, dict) else None
    return value if isinstance(value, str) else None


def _manager(enterprise: Any, names: dict[str, str]) -> Named | None:
    manager_id = _manager_id(enterprise)
    return Named(manager_id, names.get(manager_id)) if manager_id else None


def _matching(wanted: str | None, objects: dict[str, Any], *names: Any) -> set[str]:
    """The keys of the objects a filter value names: by key (id or ARN) or any other name."""
    if wanted is None:
        return set()
    return {
        key
        for key, value in objects.items()
        if key == wanted or any(name(value) == wanted for name in names)
    }


def _in_ou(wanted: str | None, account: Any) -> bool:
    """Whether an account row sits in or beneath the OU a filter value names: by name
    (any OU on the account's path: "Prod" takes Root/Prod/Payments) or by path ("Root/Prod"
    likewise), or the OU it is directly in, by id: only the parent's id is stored
    (docs/access-review.md#review-export)."""
    if wanted is None or account.ou_path is None:
        return False
    path: str = account.ou_path
    return (
        wanted == account.ou_id
        or wanted in path.split("/")
        or path == wanted
        or path.startswith(f"{wanted}/")
    )


def _order(row: ExportRow) -> tuple[str, ...]:
    return (
        "account" if row.account else "application",
        row.account.name or row.account.id if row.account else "",
        row.permission_set.name if row.permission_set else "",
        row.application.name or row.application.id if row.application else "",
        row.group.name or row.group.id if row.group else "",
    )
