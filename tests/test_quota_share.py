"""The sync and the writes split AWS's quotas while both are at work, through the store."""

from __future__ import annotations

from connector import quota_share
from connector.store import ledger
from connector.store.store import Store, utcnow
from connector.writers.users import UpdateUser
from tests.live import open_operation
from tests.simulation import simulator_settings


def _open_a_write(store: Store) -> str:
    operation_id = "00000000-0000-4000-8000-0000000000aa"
    with store.writing() as connection:
        open_operation(
            connection,
            operation_id,
            UpdateUser(user_id="u"),
            action="modify",
            resource_id="u",
            runner="test",
            now=utcnow(),
        )
    return operation_id


def test_a_sync_paces_at_its_share_while_writes_are_open(store: Store) -> None:
    settings = simulator_settings(str(store.engine.url), sync_quota_share="0.6")
    assert quota_share.for_sync(store, settings)() == 1.0
    operation_id = _open_a_write(store)
    assert quota_share.for_sync(store, settings)() == 0.6
    with store.writing() as connection:
        ledger.set_status(connection, operation_id, "succeeded", utcnow())
    assert quota_share.for_sync(store, settings)() == 1.0


def test_writes_pace_at_the_rest_while_a_sync_runs(store: Store) -> None:
    settings = simulator_settings(str(store.engine.url), sync_quota_share="0.75")
    writes = quota_share.for_writes(store, settings)
    assert writes() == 1.0
    sync_id = store.begin_sync()
    assert quota_share.for_writes(store, settings)() == 0.25
    store.fail_sync(sync_id, "test over")
    assert quota_share.for_writes(store, settings)() == 1.0


def test_the_store_is_asked_at_most_once_per_interval() -> None:
    asked = []
    now = [0.0]
    share = quota_share.QuotaShare(
        lambda: asked.append(now[0]) is None, 0.5, every=2.0, clock=lambda: now[0]
    )
    assert share() == 0.5
    now[0] = 1.0
    assert share() == 0.5
    now[0] = 2.5
    share()
    assert asked == [0.0, 2.5]
