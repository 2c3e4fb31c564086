"""A snapshot, or a fragment of one, indexed for the served types' digests.

A served type's digest reads relations between records (a user's groups, the
names of an entitlement's holders). `Relations` indexes them once over the
records it is given: a whole snapshot when a sync computes every digest, or
the fragment of the store that the digests of a few resources read, when a
write-through computes those (`ServedType.load` says which rows that is). The
digest code cannot tell the two apart, which is what makes a write record the
digest the next sync computes. It also answers the `Rows` questions in memory,
so dependencies can be checked against a snapshot without a store.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Mapping, Sequence
from typing import Any

from connector.record_keys import (
    application_entitlement_id,
    content_hash,
    object_key,
    permission_set_id,
)
from connector.records import (
    Account,
    Application,
    ApplicationAssignment,
    ApplicationAssignmentProvenance,
    Assignment,
    AssignmentProvenance,
    Group,
    Membership,
    MembershipProvenance,
    PermissionSet,
    ProvisionedPair,
    Snapshot,
    User,
)
from connector.served import provenance
from connector.served.rows import Pair, Principal


class Relations:
    """Indexes over `snapshot`; `object_hashes` are content hashes already computed
    (by object key, as a sync has them), the others are computed when asked."""

    def __init__(
        self, snapshot: Snapshot, object_hashes: Mapping[tuple[str, str], str] | None = None
    ) -> None:
        self._users = {u.id: u for u in snapshot.users}
        self._groups = {g.id: g for g in snapshot.groups}
        self._permission_sets = {p.arn: p for p in snapshot.permission_sets}
        self._arns = {permission_set_id(arn): arn for arn in self._permission_sets}
        self._accounts = {a.id: a for a in snapshot.accounts}
        self._provisioned = {
            (p.account_id, p.permission_set_arn) for p in snapshot.provisioned_pairs
        }
        self._hashes = object_hashes or {}
        # Relations as ids, which digests read for every resource of a sync; the
        # membership records are kept for the Rows questions only.
        self._memberships = {(m.group_id, m.user_id): m for m in snapshot.memberships}
        self._groups_of: defaultdict[str, list[str]] = defaultdict(list)
        self._members_of: defaultdict[str, list[str]] = defaultdict(list)
        for group_id, user_id in self._memberships:
            self._groups_of[user_id].append(group_id)
            self._members_of[group_id].append(user_id)
        self._held_by: defaultdict[Principal, list[Pair]] = defaultdict(list)
        self._holders: defaultdict[Pair, list[Principal]] = defaultdict(list)
        for a in snapshot.assignments:
            self._held_by[(a.principal_type, a.principal_id)].append(
                (a.account_id, a.permission_set_arn)
            )
            self._holders[(a.account_id, a.permission_set_arn)].append(
                (a.principal_type, a.principal_id)
            )
        self._applications = {a.arn: a for a in snapshot.applications}
        self._application_arns = {
            application_entitlement_id(arn): arn for arn in self._applications
        }
        self._applications_held_by: defaultdict[Principal, list[str]] = defaultdict(list)
        self._application_holders: defaultdict[str, list[Principal]] = defaultdict(list)
        for aa in snapshot.application_assignments:
            principal = (aa.principal_type, aa.principal_id)
            self._applications_held_by[principal].append(aa.application_arn)
            self._application_holders[aa.application_arn].append(principal)
        self._assignment_provenance = {p.assignment: p for p in snapshot.assignment_provenance}
        self._membership_provenance = {
            (p.group_id, p.user_id): p for p in snapshot.membership_provenance
        }
        self._application_assignment_provenance = {
            p.assignment: p for p in snapshot.application_assignment_provenance
        }

    # -- what digests read ----------------------------------------------------------

    def user(self, user_id: str) -> User | None:
        return self._users.get(user_id)

    def group(self, group_id: str) -> Group | None:
        return self._groups.get(group_id)

    def permission_set(self, arn: str) -> PermissionSet | None:
        return self._permission_sets.get(arn)

    def permission_set_arn(self, served_id: str) -> str | None:
        """The ARN of the permission set served as "ps-..."."""
        return self._arns.get(served_id)

    def account(self, account_id: str) -> Account | None:
        return self._accounts.get(account_id)

    def application(self, arn: str) -> Application | None:
        return self._applications.get(arn)

    def application_arn(self, entitlement_id: str) -> str | None:
        """The ARN of the application served as "app.apl-..."."""
        return self._application_arns.get(entitlement_id)

    def applications_held_by(self, principal_type: str, principal_id: str) -> Sequence[str]:
        """ARNs of the applications the principal is assigned to."""
        return self._applications_held_by.get((principal_type, principal_id), ())

    def application_holders(self, arn: str) -> Sequence[Principal]:
        return self._application_holders.get(arn, ())

    def application_names(self, arn: str) -> list[Any]:
        """What a principal shows of an application it is assigned to: its id and name."""
        application = self.application(arn)
        return [arn, application.name if application else None]

    def is_provisioned(self, pair: Pair) -> bool:
        return pair in self._provisioned

    def object_hash(self, record: object) -> str:
        """The record's content hash, as the change record keeps it for the raw object."""
        found = self._hashes.get(object_key(record))
        return found if found is not None else content_hash(record)

    def group_ids_of(self, user_id: str) -> Sequence[str]:
        return self._groups_of.get(user_id, ())

    def member_ids_of(self, group_id: str) -> Sequence[str]:
        return self._members_of.get(group_id, ())

    def pairs_held_by(self, principal_type: str, principal_id: str) -> Sequence[Pair]:
        return self._held_by.get((principal_type, principal_id), ())

    def holders_of(self, pair: Pair) -> Sequence[Principal]:
        return self._holders.get(pair, ())

    def entitlement_names(self, account_id: str, arn: str) -> list[Any]:
        """What a principal shows of an entitlement it holds: ids and both names."""
        ps, account = self.permission_set(arn), self.account(account_id)
        return [account_id, account.name if account else None, arn, ps.name if ps else None]

    def granted(self, assignment: Assignment | ApplicationAssignment) -> dict[str, Any]:
        """How the assignment (to an account or an application) came to be, as served
        (connector.served.provenance)."""
        found = (
            self._assignment_provenance.get(assignment)
            if isinstance(assignment, Assignment)
            else self._application_assignment_provenance.get(assignment)
        )
        return provenance.granted(found.provenance if found else None)

    def member_since(self, group_id: str, user_id: str) -> dict[str, Any]:
        """How the membership came to be, as served."""
        found = self._membership_provenance.get((group_id, user_id))
        return provenance.member_since(
            found.provenance if found else None, self._memberships.get((group_id, user_id))
        )

    def group_name(self, group_id: str) -> str | None:
        group = self.group(group_id)
        return group.display_name if group else None

    def principal_name(self, principal_type: str, principal_id: str) -> str | None:
        """The name a principal is shown under: a user's displayName, else userName."""
        if principal_type == "USER":
            user = self.user(principal_id)
            return user.display_name or user.user_name if user else None
        return self.group_name(principal_id)

    # -- the Rows questions, in memory ----------------------------------------------

    def users(self, ids: Collection[str]) -> list[User]:
        return [self._users[i] for i in ids if i in self._users]

    def groups(self, ids: Collection[str]) -> list[Group]:
        return [self._groups[i] for i in ids if i in self._groups]

    def memberships(
        self, *, user_ids: Collection[str] = (), group_ids: Collection[str] = ()
    ) -> list[Membership]:
        keys = [(g, u) for u in user_ids for g in self.group_ids_of(u)]
        keys += [(g, u) for g in group_ids for u in self.member_ids_of(g)]
        return [self._memberships[key] for key in dict.fromkeys(keys)]

    def assignments(
        self,
        *,
        principals: Collection[Principal] = (),
        pairs: Collection[Pair] = (),
        permission_set_arns: Collection[str] = (),
        account_ids: Collection[str] = (),
    ) -> list[Assignment]:
        found = [Assignment(*pair, *p) for p in principals for pair in self.pairs_held_by(*p)]
        found += [Assignment(*pair, *p) for pair in pairs for p in self.holders_of(pair)]
        wanted = (set(permission_set_arns), set(account_ids))
        if wanted != (set(), set()):
            found += [
                Assignment(*pair, *p)
                for pair, holders in self._holders.items()
                if pair[1] in wanted[0] or pair[0] in wanted[1]
                for p in holders
            ]
        return list(dict.fromkeys(found))

    def assignment_provenance(
        self, assignments: Collection[Assignment]
    ) -> list[AssignmentProvenance]:
        return [
            self._assignment_provenance[a] for a in assignments if a in self._assignment_provenance
        ]

    def membership_provenance(
        self, memberships: Collection[Membership]
    ) -> list[MembershipProvenance]:
        keys = [(m.group_id, m.user_id) for m in memberships]
        return [self._membership_provenance[k] for k in keys if k in self._membership_provenance]

    def permission_sets(
        self, *, arns: Collection[str] = (), ids: Collection[str] = ()
    ) -> list[PermissionSet]:
        wanted = dict.fromkeys([*arns, *(self._arns[i] for i in ids if i in self._arns)])
        return [self._permission_sets[arn] for arn in wanted if arn in self._permission_sets]

    def accounts(self, ids: Collection[str]) -> list[Account]:
        return [self._accounts[i] for i in ids if i in self._accounts]

    def provisioned(self, pairs: Collection[Pair]) -> list[ProvisionedPair]:
        return [ProvisionedPair(*pair) for pair in pairs if pair in self._provisioned]

    def applications(self, ids: Collection[str]) -> list[Application]:
        arns = [self._application_arns[i] for i in ids if i in self._application_arns]
        return [self._applications[arn] for arn in arns]

    def application_assignments(
        self, *, principals: Collection[Principal] = (), application_arns: Collection[str] = ()
    ) -> list[ApplicationAssignment]:
        found = [
            ApplicationAssignment(arn, *p)
            for p in principals
            for arn in self.applications_held_by(*p)
        ]
        found += [
            ApplicationAssignment(arn, *p)
            for arn in application_arns
            for p in self.application_holders(arn)
        ]
        return list(dict.fromkeys(found))

    def application_assignment_provenance(
        self, assignments: Collection[ApplicationAssignment]
    ) -> list[ApplicationAssignmentProvenance]:
        kept = self._application_assignment_provenance
        return [kept[a] for a in assignments if a in kept]

    def all_user_ids(self) -> list[str]:
        return list(self._users)

    def all_group_ids(self) -> list[str]:
        return list(self._groups)

    def all_account_ids(self) -> list[str]:
        return list(self._accounts)

    def all_permission_set_arns(self) -> list[str]:
        return list(self._permission_sets)

    def all_application_arns(self) -> list[str]:
        return list(self._applications)
