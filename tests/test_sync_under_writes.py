"""A sync publishes while writes run, on SQLite and PostgreSQL (issue 9, defect 2).

Writes record ledger steps and write-through changes several times a second;
a sync's publish must wait its turn for the store and succeed, never fail with
"database is locked", and the served data must agree with AWS afterwards.
"""

from __future__ import annotations

import threading

from connector.connection import connect
from connector.sync import run_sync
from tests.live import Live, first_user


def test_syncs_succeed_while_patches_run(live: Live) -> None:
    user = first_user(live)
    stop = threading.Event()
    answers: list[int] = []

    def write_steadily() -> None:
        n = 0
        while not stop.is_set():
            n += 1
            answer = live.patch(
                f"Users/{user}", {"op": "replace", "path": "title", "value": f"t{n}"}
            )
            answers.append(answer.status_code)

    writer = threading.Thread(target=write_steadily)
    writer.start()
    settings = live.provisioner._settings
    outcomes = []
    try:
        for _ in range(4):
            # Each sync must wait its turn for the store and publish.
            outcomes.append(run_sync(settings, live.store, connect(settings)).sync_id)
    finally:
        stop.set()
        writer.join()
    assert len(outcomes) == 4
    assert [s.outcome for s in live.store.syncs(limit=4)] == ["succeeded"] * 4
    assert len(answers) >= 4 and set(answers) == {200}, answers
    # What is served agrees with what AWS holds once the writes stopped.
    held = live.aws.identity_store.describe_user(
        IdentityStoreId=live.aws.identity_store_id, UserId=user
    )["Title"]
    served = live.client.get(f"/scim/v2/Users/{user}", headers=live.headers()).get_json()
    assert served["title"] == held == f"t{len(answers)}"
