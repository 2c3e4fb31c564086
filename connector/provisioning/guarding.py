"""The guardrails, applied to a planned write before anything is recorded.

What the policy needs (`guardrails.GuardContext`) is gathered only when there
are rules and changes: account, permission set and application names (and
applications' providers) from the served snapshot, the management account
and OUs from Organizations (read on demand, cached). A rule that cannot be
evaluated refuses: guardrails fail closed.
"""

from __future__ import annotations

from collections.abc import Sequence

from connector.errors import ConnectorError, GuardrailRefusal
from connector.guard_facts import OrganizationFacts
from connector.guardrails import GuardContext, Guardrails
from connector.intents import Intent
from connector.store import reads
from connector.store import tables as t
from connector.store.snapshots import current_snapshot_id
from connector.store.store import Store
from connector.writers.assignments import Grant


class Guard:
    def __init__(self, store: Store, guardrails: Guardrails, facts: OrganizationFacts) -> None:
        self._store = store
        self._guardrails = guardrails
        self._facts = facts

    def check(self, intents: Sequence[Intent]) -> None:
        """Raise GuardrailRefusal when a rule forbids the write or cannot be evaluated."""
        if self._guardrails.empty or not intents:
            return
        context = self._context(intents)
        try:
            violation = self._guardrails.check(intents, context)
        except ConnectorError as exc:
            # A rule that cannot be evaluated (Organizations unreachable) refuses.
            raise GuardrailRefusal(f"the guardrails could not be evaluated: {exc}") from None
        if violation is not None:
            raise GuardrailRefusal(
                f"refused by the guardrail {violation.rule!r}: {violation.detail}"
            )

    def _context(self, intents: Sequence[Intent]) -> GuardContext:
        with self._store.reading() as connection:
            snapshot_id = current_snapshot_id(connection)
            accounts, permission_sets, applications = (
                (
                    reads.names(connection, snapshot_id, t.accounts),
                    reads.names(connection, snapshot_id, t.permission_sets),
                    reads.application_names(connection, snapshot_id),
                )
                if snapshot_id is not None
                else ({}, {}, {})
            )
        grants = any(isinstance(intent, Grant) for intent in intents)
        return GuardContext(
            management_account_id=self._facts.management_account_id()
            if grants and self._guardrails.needs_management_account
            else None,
            account_names=accounts,
            permission_set_names=permission_sets,
            parents_of=self._facts.parents_of,
            applications=applications,
        )
