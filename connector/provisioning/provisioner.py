"""The write path's parts, put together for one store and one AWS: what the
service (`scim.app.create_app`), the CLI and the tests hold."""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path

from connector.aws import AwsClients
from connector.config import Settings
from connector.guard_facts import OrganizationFacts
from connector.guardrails import Guardrails
from connector.intents import AwsCall, Intent
from connector.provisioning.aws_access import AwsAccess
from connector.provisioning.deletions import Deletions
from connector.provisioning.guarding import Guard
from connector.provisioning.resuming import Resumer
from connector.provisioning.running import Runner
from connector.provisioning.submitting import Submitter, WriteRequest
from connector.store.ledger import OperationRecord
from connector.store.store import Store


class Provisioner:
    """Submits, runs, resumes and reports write operations for one store and AWS."""

    def __init__(
        self,
        store: Store,
        settings: Settings,
        connect: Callable[[], AwsClients],
        *,
        runner: str | None = None,
        threads: int = 8,
    ) -> None:
        self._settings = settings
        self._access = AwsAccess(settings, connect)
        deletions = Deletions(store, settings, self._access)
        guardrails = (
            Guardrails.load(Path(settings.guardrails_file))
            if settings.guardrails_file
            else Guardrails.none()
        )
        guard = Guard(store, guardrails, OrganizationFacts(self._access.aws))
        self._runner = Runner(
            store,
            settings,
            self._access,
            deletions,
            runner=runner or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}",
            threads=threads,
        )
        self._submitter = Submitter(store, self._access, guard, deletions, self._runner)
        self._resumer = Resumer(store, settings, self._runner)

    def aws(self) -> AwsClients:
        return self._access.aws()

    def submit(self, request: WriteRequest) -> tuple[str, bool]:
        return self._submitter.submit(request)

    def earlier(self, token_name: str, key: str, request_hash: str) -> str | None:
        return self._submitter.earlier(token_name, key, request_hash)

    def dry_run(self, intents: Sequence[Intent]) -> list[tuple[Intent, list[AwsCall]]]:
        return self._submitter.dry_run(intents)

    def wait(self, operation_id: str, seconds: float) -> OperationRecord:
        return self._submitter.wait(operation_id, seconds)

    def resume_stale(self) -> list[str]:
        return self._resumer.resume_stale()

    def start_resuming(self) -> None:
        self._resumer.start()

    def close(self) -> None:
        self._resumer.stop()
        self._runner.close()
