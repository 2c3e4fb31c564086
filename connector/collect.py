"""Read a whole Identity Center into one `Snapshot`, as fast as the quotas allow.

Each AWS service has its own quota, so each gets its own thread pool: a
throttled sso-admin queue never holds up identitystore reads, and the sync
takes about as long as its busiest quota needs (its "throttle floor").
Only this module waits on results; the tasks it submits are single readers
that never wait on each other, so the pools cannot deadlock.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from connector.aws import AwsClients
from connector.config import Settings
from connector.errors import SyncInterruptedError
from connector.readers.accounts import OrganizationView, read_organization
from connector.readers.applications import (
    assignments_of_application,
    list_applications,
    read_application,
)
from connector.readers.assignments import assignments_for_pair, assignments_for_principal
from connector.readers.groups import read_groups
from connector.readers.instance import Instance
from connector.readers.memberships import read_group_memberships
from connector.readers.permission_sets import list_permission_set_arns, read_permission_set
from connector.readers.provisioning import NOT_LATEST, pairs_for_account, pairs_for_permission_set
from connector.readers.users import read_users
from connector.records import Account, Assignment, ProvisionedPair, Snapshot
from connector.walk_plan import (
    WalkChoice,
    call_bound,
    choose_assignment_walk,
    choose_pair_discovery,
)

T = TypeVar("T")


class SyncProgress(Protocol):
    """What the collector tells whoever shows progress."""

    def phase(self, message: str) -> None: ...

    def expect_calls(self, total: int) -> None: ...


class _Silent:
    def phase(self, message: str) -> None:
        pass

    def expect_calls(self, total: int) -> None:
        pass


@dataclass(frozen=True)
class Collected:
    snapshot: Snapshot
    walk: WalkChoice
    organizations_unavailable: str | None


class _Pools:
    """One pool per quota; `submit` refuses new work once a stop is requested."""

    def __init__(self, stack: ExitStack, workers: int, stop: threading.Event) -> None:
        self._stop = stop
        self._pools = {
            service: stack.enter_context(
                ThreadPoolExecutor(max_workers=size, thread_name_prefix=f"sync-{service}")
            )
            for service, size in (
                ("sso-admin", workers),
                ("identitystore", workers),
                ("organizations", 2),
            )
        }
        stack.callback(self._cancel_pending)

    def submit(self, service: str, fn: Callable[..., T], *args: Any) -> Future[T]:
        return self._pools[service].submit(self._guarded, fn, *args)

    def _guarded(self, fn: Callable[..., T], *args: Any) -> T:
        if self._stop.is_set():
            raise SyncInterruptedError("sync interrupted")
        return fn(*args)

    def _cancel_pending(self) -> None:
        for pool in self._pools.values():
            pool.shutdown(wait=True, cancel_futures=True)


def collect_snapshot(
    aws: AwsClients,
    settings: Settings,
    instance: Instance,
    *,
    progress: SyncProgress | None = None,
    stop: threading.Event | None = None,
) -> Collected:
    progress = progress or _Silent()
    stop = stop or threading.Event()
    store_id, instance_arn = instance.identity_store_id, instance.instance_arn
    with ExitStack() as stack:
        pools = _Pools(stack, settings.sync_concurrency, stop)
        users_f = pools.submit("identitystore", read_users, aws, store_id)
        groups_f = pools.submit("identitystore", read_groups, aws, store_id)
        arns_f = pools.submit("sso-admin", list_permission_set_arns, aws, instance_arn)
        org_f = pools.submit("organizations", read_organization, aws, settings.organizations)
        caller_f = pools.submit("organizations", _caller_account, aws)
        applications_f = pools.submit("sso-admin", list_applications, aws, instance_arn)

        progress.phase("reading groups and permission sets")
        groups = groups_f.result()
        membership_fs = [
            pools.submit("identitystore", read_group_memberships, aws, store_id, group.id)
            for group in groups
        ]
        arns = arns_f.result()
        # Details first: they need nothing else, so sso-admin works through them
        # while Organizations (slower quota) is still listing accounts.
        detail_fs = [
            pools.submit("sso-admin", read_permission_set, aws, instance_arn, arn) for arn in arns
        ]
        listed_applications = applications_f.result()
        application_fs = [
            pools.submit("sso-admin", read_application, aws, item) for item in listed_applications
        ]
        application_assignment_fs = [
            pools.submit("sso-admin", assignments_of_application, aws, item["ApplicationArn"])
            for item in listed_applications
        ]
        organization = org_f.result()
        known_accounts = None if organization.accounts is None else len(organization.accounts)
        discovery = choose_pair_discovery(len(arns), known_accounts, settings.assignment_walk)
        # The same walk twice: every pair, then those whose copy is out of date
        # (the drift report's outdated provisioning).
        if discovery == "accounts":
            assert organization.accounts is not None
            pair_fs, outdated_fs = (
                [
                    pools.submit(
                        "sso-admin", pairs_for_account, aws, instance_arn, account.id, status
                    )
                    for account in organization.accounts
                ]
                for status in (None, NOT_LATEST)
            )
        else:
            pair_fs, outdated_fs = (
                [
                    pools.submit(
                        "sso-admin", pairs_for_permission_set, aws, instance_arn, arn, status
                    )
                    for arn in arns
                ]
                for status in (None, NOT_LATEST)
            )

        progress.phase(f"finding where {len(arns)} permission sets are provisioned")
        pairs = list(_sorted_pairs(set(_flatten(pair_fs))))
        users = users_f.result()
        principal_walk_allowed = (
            organization.management_account_id is not None
            and organization.management_account_id == caller_f.result()
        )
        walk = choose_assignment_walk(
            len(pairs),
            len(users),
            len(groups),
            principal_walk_allowed=principal_walk_allowed,
            forced=settings.assignment_walk,
        )
        progress.expect_calls(
            call_bound(
                users=len(users),
                groups=len(groups),
                permission_sets=len(arns),
                accounts=known_accounts or 0,
                pairs=len(pairs),
                applications=len(listed_applications),
                organizational_units=organization.organizational_units,
            )
        )
        progress.phase(
            f"reading assignments {'per principal' if walk == 'principals' else 'per pair'} "
            f"({len(pairs)} provisioned pairs, {len(users)} users, {len(groups)} groups)"
        )
        if walk == "principals":
            assignment_fs = [
                pools.submit(
                    "sso-admin", assignments_for_principal, aws, instance_arn, "USER", user.id
                )
                for user in users
            ] + [
                pools.submit(
                    "sso-admin", assignments_for_principal, aws, instance_arn, "GROUP", group.id
                )
                for group in groups
            ]
        else:
            assignment_fs = [
                pools.submit("sso-admin", assignments_for_pair, aws, instance_arn, pair)
                for pair in pairs
            ]
        assignments = _unique_assignments(_flatten(assignment_fs))
        snapshot = Snapshot(
            instance_arn=instance_arn,
            identity_store_id=store_id,
            users=tuple(users),
            groups=tuple(groups),
            memberships=tuple(_flatten(membership_fs)),
            permission_sets=tuple(f.result() for f in detail_fs),
            accounts=_accounts(organization, pairs, assignments),
            provisioned_pairs=_all_pairs(pairs, assignments),
            outdated_pairs=_sorted_pairs(set(_flatten(outdated_fs))),
            assignments=assignments,
            applications=tuple(sorted((f.result() for f in application_fs), key=lambda a: a.arn)),
            application_assignments=tuple(
                sorted(
                    set(_flatten(application_assignment_fs)),
                    key=lambda a: (a.application_arn, a.principal_type, a.principal_id),
                )
            ),
        )
    return Collected(
        snapshot=snapshot,
        walk=WalkChoice(discovery, walk),
        organizations_unavailable=organization.unavailable_reason,
    )


def _caller_account(aws: AwsClients) -> str | None:
    return aws.call("sts", "GetCallerIdentity").get("Account")


def _flatten(futures: Iterable[Future[list[T]]]) -> list[T]:
    return [item for future in futures for item in future.result()]


def _unique_assignments(items: list[Assignment]) -> tuple[Assignment, ...]:
    return tuple(
        sorted(
            set(items),
            key=lambda a: (a.account_id, a.permission_set_arn, a.principal_type, a.principal_id),
        )
    )


def _all_pairs(
    pairs: list[ProvisionedPair], assignments: tuple[Assignment, ...]
) -> tuple[ProvisionedPair, ...]:
    """Provisioned pairs; an assignment implies its pair even if a listing missed it."""
    found = set(pairs) | {ProvisionedPair(a.account_id, a.permission_set_arn) for a in assignments}
    return _sorted_pairs(found)


def _sorted_pairs(pairs: set[ProvisionedPair]) -> tuple[ProvisionedPair, ...]:
    return tuple(sorted(pairs, key=lambda p: (p.account_id, p.permission_set_arn)))


def _accounts(
    organization: OrganizationView,
    pairs: list[ProvisionedPair],
    assignments: tuple[Assignment, ...],
) -> tuple[Account, ...]:
    """Named accounts from Organizations, else the ids provisioning revealed."""
    if organization.accounts is not None:
        return tuple(sorted(organization.accounts, key=lambda a: a.id))
    ids = {p.account_id for p in pairs} | {a.account_id for a in assignments}
    return tuple(Account(id=account_id) for account_id in sorted(ids))
