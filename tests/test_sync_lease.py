"""The sync lease in the store, on both stores: taken when free, kept by renewing, taken
over once expired, and a deposed leader's sync neither starts nor publishes."""

from __future__ import annotations

import pytest

from connector.errors import LeadershipLost, SyncInProgressError
from connector.store import leases, sync_log
from connector.store.store import Store
from connector.store.sync_log import SyncRecord
from tests.serving import wait_for

TTL = 0.5  # seconds: short, so that expiry is quick to wait for


def claim(store: Store, holder: str, ttl: float = TTL) -> int | None:
    with store.writing() as connection:
        return leases.claim(connection, leases.SYNC, holder, ttl)


def renew(store: Store, holder: str, term: int) -> bool:
    with store.writing() as connection:
        return leases.renew(connection, leases.SYNC, holder, term, TTL)


def current(store: Store) -> leases.Lease | None:
    with store.reading() as connection:
        return leases.current(connection, leases.SYNC)


def test_a_lease_is_held_by_one_until_it_expires_then_taken_in_a_new_term(store: Store) -> None:
    assert current(store) is None
    first = claim(store, "a")
    assert first is not None
    assert claim(store, "b") is None
    assert renew(store, "a", first)
    lease = current(store)
    assert lease is not None and lease.held_by("a") and not lease.held_by("b")

    second = wait_for(lambda: claim(store, "b"), timeout=30, what="the lease expired")
    assert second == first + 1
    assert not renew(store, "a", first), "a deposed holder cannot renew"
    taken = current(store)
    assert taken is not None and taken.held_by("b")


def test_a_released_lease_is_taken_at_once(store: Store) -> None:
    term = claim(store, "a", ttl=3600)
    assert term is not None
    assert claim(store, "b") is None
    with store.writing() as connection:
        leases.release(connection, leases.SYNC, "a", term)
    assert claim(store, "b") == term + 1


def test_the_same_holder_claims_again_in_a_new_term(store: Store) -> None:
    """A replica whose sync process was restarted leads again at once."""
    term = claim(store, "a", ttl=3600)
    assert term is not None
    assert claim(store, "a") == term + 1


def test_a_deposed_leaders_sync_is_settled_and_cannot_publish(store: Store) -> None:
    old = claim(store, "a", ttl=3600)
    assert old is not None
    running = store.begin_sync(old)
    # A one-off sync is refused while the leader's runs and beats.
    with pytest.raises(SyncInProgressError):
        store.begin_sync()

    with store.writing() as connection:
        leases.release(connection, leases.SYNC, "a", old)
    new = claim(store, "b", ttl=3600)
    assert new == old + 1
    with pytest.raises(LeadershipLost):
        store.begin_sync(old)
    with pytest.raises(LeadershipLost), store.writing() as connection:
        sync_log.fence(connection, running)

    successor = store.begin_sync(new)  # settles the old term's sync at once
    settled, led = recorded(store, running), recorded(store, successor)
    assert settled.outcome == "failed" and settled.error is not None
    assert settled.error.startswith("interrupted")
    assert settled.finished_at is not None and led.started_at >= settled.finished_at
    # The deposed process's own record of its end changes nothing.
    store.fail_sync(running, "sync interrupted")
    again = recorded(store, running)
    assert (again.error, again.finished_at) == (settled.error, settled.finished_at)
    with store.writing() as connection:
        sync_log.fence(connection, successor)  # the leader's own publish may go on


def recorded(store: Store, sync_id: int) -> SyncRecord:
    (found,) = [s for s in store.syncs() if s.id == sync_id]
    return found
