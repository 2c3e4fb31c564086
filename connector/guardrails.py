"""Guardrails: a policy file that forbids some grants and caps changes per request.

Issue 4 item 9; `[[deny_application]]` (issue 12 item 4) forbids grants of
applications as `[[deny_grant]]` does of permission sets in accounts. The
write path checks a request's intents here before AWS is called, so a
forbidden request changes nothing and is answered 403 with the rule that
matched. Only grants can be forbidden: removing access (revokes, membership
removals, deletions) must always stay possible, so that a leaver's access can
be taken away whatever the policy says.

The file (named by IDCC_GUARDRAILS_FILE, format in docs/guardrails.md) is read
once at start. A file that cannot be read or understood raises ConfigError, so
the service refuses to start rather than run without the guardrails its
administrator meant to have. For the same reason a rule that cannot be decided
(the management account or a name is unknown) refuses the grant: fail closed.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeAlias

from connector.errors import ConfigError
from connector.intents import Intent
from connector.writers.applications import GrantApplication
from connector.writers.assignments import Grant

MAX_CHANGES_RULE = "max_changes_per_request"

_ACCOUNT_ID = re.compile(r"^\d{12}$")
# The last segment of a PermissionSetArn, as the sso-admin API reference patterns it.
_PERMISSION_SET_ID = re.compile(r"^ps-[a-zA-Z0-9./-]{16}$")
# Organizations API reference, ListParents ParentId: a root (r-) or an OU (ou-root-suffix).
_PARENT_ID = re.compile(r"^(r-[0-9a-z]{4,32}|ou-[0-9a-z]{4,32}-[a-z0-9]{8,32})$")
_PRINCIPAL_TYPES = ("USER", "GROUP")
_SELECTORS = (
    "permission_sets",
    "accounts",
    "organizational_units",
    "principal_types",
    "management_account",
)
# The last segment of an ApplicationArn, as the sso-admin API reference patterns it.
_APPLICATION_ID = re.compile(r"^apl-[a-zA-Z0-9]{16}$")
_APPLICATION_SELECTORS = ("applications", "providers", "principal_types")


@dataclass(frozen=True)
class Violation:
    """Why a request is refused: the rule's name from the file, and a sentence for the admin."""

    rule: str
    detail: str


@dataclass(frozen=True)
class GuardContext:
    """What the policy needs to know about AWS, supplied by the caller.

    `parents_of` gives an account's OU ids up to and including the root,
    nearest first (Organizations ListParents, walked and cached by the caller);
    it is called only when a rule names OUs, and only for granted accounts.
    """

    management_account_id: str | None
    account_names: Mapping[str, str]
    permission_set_names: Mapping[str, str]
    parents_of: Callable[[str], Sequence[str]]
    # application ARN -> (name, provider ARN), as the last sync read them
    applications: Mapping[str, tuple[str, str]] = field(default_factory=dict)


@dataclass(frozen=True)
class _Unknown:
    """A selector that cannot be decided; the reason goes into the violation."""

    reason: str


_Outcome: TypeAlias = bool | _Unknown


@dataclass(frozen=True)
class _Entries:
    """A list selector's entries: ids and ARNs compared exactly, names ignoring case."""

    ids: frozenset[str]
    names: frozenset[str]

    @classmethod
    def split(cls, entries: Iterable[str], is_id: Callable[[str], bool]) -> _Entries:
        entries = tuple(entries)
        return cls(
            ids=frozenset(entry for entry in entries if is_id(entry)),
            names=frozenset(entry.casefold() for entry in entries if not is_id(entry)),
        )

    def match(self, ids: Iterable[str], name: str | None, what: str) -> _Outcome:
        if not self.ids.isdisjoint(ids):
            return True
        if not self.names:
            return False
        if name is None:
            return _Unknown(f"the name of {what} is unknown")
        return name.casefold() in self.names


@dataclass(frozen=True)
class _DenyGrant:
    """One [[deny_grant]] table: it matches a grant when every selector it names matches."""

    name: str
    permission_sets: _Entries | None
    accounts: _Entries | None
    organizational_units: frozenset[str] | None
    principal_types: frozenset[str] | None
    management_account: bool

    def check(self, grant: Grant, context: GuardContext) -> Violation | None:
        unknown: _Unknown | None = None
        for outcome in self._outcomes(grant, context):
            if outcome is False:
                return None
            if isinstance(outcome, _Unknown) and unknown is None:
                unknown = outcome
        granting = _describe(grant, context)
        if unknown is not None:
            return Violation(
                self.name,
                f"{granting} is refused because {unknown.reason}, "
                "so this guardrail cannot rule it out.",
            )
        return Violation(self.name, f"{granting} is forbidden.")

    def _outcomes(self, grant: Grant, context: GuardContext) -> Iterator[_Outcome]:
        """Each named selector's outcome, lazily: the OU look-up last, skipped once one fails."""
        if self.principal_types is not None:
            yield grant.principal_type in self.principal_types
        arn, account = grant.permission_set_arn, grant.account_id
        if self.permission_sets is not None:
            ps_name = context.permission_set_names.get(arn)
            yield self.permission_sets.match(
                (arn, _last_segment(arn)), ps_name, f"permission set {arn}"
            )
        if self.accounts is not None:
            account_name = context.account_names.get(account)
            yield self.accounts.match((account,), account_name, f"account {account}")
        if self.management_account:
            management = context.management_account_id
            if management is None:
                yield _Unknown("the management account could not be determined")
            else:
                yield account == management
        if self.organizational_units is not None:
            yield not self.organizational_units.isdisjoint(context.parents_of(account))


@dataclass(frozen=True)
class _DenyApplication:
    """One [[deny_application]] table: it matches a grant of an application when every
    selector it names matches."""

    name: str
    applications: _Entries | None
    providers: frozenset[str] | None
    principal_types: frozenset[str] | None

    def check(self, grant: GrantApplication, context: GuardContext) -> Violation | None:
        arn = grant.application_arn
        known = context.applications.get(arn)
        outcomes: list[_Outcome] = []
        if self.principal_types is not None:
            outcomes.append(grant.principal_type in self.principal_types)
        if self.applications is not None:
            outcomes.append(
                self.applications.match(
                    (arn, _last_segment(arn)), known and known[0], f"application {arn}"
                )
            )
        if self.providers is not None:
            outcomes.append(
                _Unknown(f"the provider of application {arn} is unknown")
                if known is None
                else known[1] in self.providers
            )
        if any(outcome is False for outcome in outcomes):
            return None
        granting = (
            f"Granting application {known[0] if known else arn} "
            f"to {grant.principal_type.lower()} {grant.principal_id}"
        )
        unknown = next((o for o in outcomes if isinstance(o, _Unknown)), None)
        if unknown is not None:
            return Violation(
                self.name,
                f"{granting} is refused because {unknown.reason}, "
                "so this guardrail cannot rule it out.",
            )
        return Violation(self.name, f"{granting} is forbidden.")


class Guardrails:
    """The loaded policy; `check` runs on every write request before AWS is called."""

    def __init__(
        self,
        rules: Sequence[_DenyGrant],
        max_changes: int | None,
        application_rules: Sequence[_DenyApplication] = (),
    ) -> None:
        self._rules = tuple(rules)
        self._max_changes = max_changes
        self._application_rules = tuple(application_rules)

    @property
    def empty(self) -> bool:
        """No rule and no cap: every request passes, with nothing to look up."""
        return not self._rules and not self._application_rules and self._max_changes is None

    @property
    def needs_management_account(self) -> bool:
        """Whether a rule names the management account (so the caller must find it)."""
        return any(rule.management_account for rule in self._rules)

    @classmethod
    def none(cls) -> Guardrails:
        """No rules: what the service runs with when IDCC_GUARDRAILS_FILE is not set."""
        return cls((), None)

    @classmethod
    def load(cls, path: Path) -> Guardrails:
        """Read a policy file; every problem in it is reported together in one ConfigError."""
        try:
            with path.open("rb") as file:
                document = tomllib.load(file)
        except FileNotFoundError:
            raise ConfigError(f"guardrails file {path} does not exist") from None
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise ConfigError(f"guardrails file {path} cannot be read: {exc}") from exc
        problems: list[str] = []
        guardrails = cls._parse(document, problems)
        if problems:
            raise ConfigError(f"invalid guardrails file {path}:\n  - " + "\n  - ".join(problems))
        return guardrails

    @classmethod
    def _parse(cls, document: dict[str, Any], problems: list[str]) -> Guardrails:
        unknown = sorted(set(document) - {MAX_CHANGES_RULE, "deny_grant", "deny_application"})
        if unknown:
            problems.append(
                f"unknown keys {', '.join(unknown)} (expected {MAX_CHANGES_RULE}, "
                "[[deny_grant]] and [[deny_application]] tables)"
            )
        max_changes = document.get(MAX_CHANGES_RULE)
        if max_changes is not None and (type(max_changes) is not int or max_changes < 1):
            problems.append(f"{MAX_CHANGES_RULE} must be a whole number of at least 1")
        tables = _tables(document, "deny_grant", problems)
        rules = [
            rule
            for position, table in enumerate(tables, start=1)
            if (rule := _parse_rule(table, position, problems)) is not None
        ]
        application_tables = _tables(document, "deny_application", problems)
        application_rules = [
            application_rule
            for position, table in enumerate(application_tables, start=1)
            if (application_rule := _parse_application_rule(table, position, problems)) is not None
        ]
        names = [table.get("name") for table in (*tables, *application_tables)]
        duplicates = sorted({n for n in names if isinstance(n, str) and names.count(n) > 1})
        if duplicates:
            problems.append(f"several rules are named {', '.join(duplicates)}")
        return cls(rules, max_changes, application_rules)

    def check(self, intents: Sequence[Intent], context: GuardContext) -> Violation | None:
        """The first violation (the change cap, then grants in request order), or None."""
        # Removing access must stay possible whatever the policy: a leaver's
        # DELETE revokes every assignment first, so requests that only remove
        # are not capped.
        removes_only = all(i.removes_access for i in intents)
        if self._max_changes is not None and len(intents) > self._max_changes and not removes_only:
            return Violation(
                MAX_CHANGES_RULE,
                f"The request makes {len(intents)} changes; "
                f"at most {self._max_changes} are allowed in one request.",
            )
        for intent in intents:
            violation: Violation | None = None
            if isinstance(intent, Grant):
                violation = next(
                    (v for rule in self._rules if (v := rule.check(intent, context))), None
                )
            elif isinstance(intent, GrantApplication):
                violation = next(
                    (v for rule in self._application_rules if (v := rule.check(intent, context))),
                    None,
                )
            if violation is not None:
                return violation
        return None


def _tables(document: dict[str, Any], key: str, problems: list[str]) -> list[dict[str, Any]]:
    """The [[key]] tables of the file ([] after reporting them written otherwise)."""
    tables = document.get(key, [])
    if not isinstance(tables, list) or not all(isinstance(t, dict) for t in tables):
        problems.append(f"{key} must be tables, each written [[{key}]]")
        return []
    return tables


def _rule_label(
    table: dict[str, Any], kind: str, selectors: Sequence[str], position: int, found: list[str]
) -> str:
    """The rule's label in problems; adds to `found` what is wrong with its name and keys."""
    name = table.get("name")
    named = isinstance(name, str) and bool(name.strip())
    if not named:
        found.append('needs a name (name = "...", which refusals quote)')
    elif name == MAX_CHANGES_RULE:
        found.append(f"the name {MAX_CHANGES_RULE} is reserved for the change cap")
    unknown = sorted(set(table) - {"name", *selectors})
    if unknown:
        found.append(f"unknown keys {', '.join(unknown)}")
    if not set(table) & set(selectors):
        found.append(f"matches nothing: name at least one of {', '.join(selectors)}")
    return f'[[{kind}]] "{name}"' if named else f"[[{kind}]] number {position}"


def _parse_application_rule(
    table: dict[str, Any], position: int, problems: list[str]
) -> _DenyApplication | None:
    """One [[deny_application]] table, or None after adding its problems to `problems`."""
    found: list[str] = []
    label = _rule_label(table, "deny_application", _APPLICATION_SELECTORS, position, found)
    applications = _strings(table, "applications", found)
    providers = _strings(table, "providers", found)
    found.extend(
        f"providers: {provider!r} is not an application provider ARN"
        for provider in providers or ()
        if not provider.startswith("arn:")
    )
    principal_types = _principal_types(table, found)
    problems.extend(f"{label}: {problem}" for problem in found)
    if found:
        return None
    return _DenyApplication(
        name=str(table["name"]),
        applications=None
        if applications is None
        else _Entries.split(applications, _is_application_id),
        providers=None if providers is None else frozenset(providers),
        principal_types=None if principal_types is None else frozenset(principal_types),
    )


def _principal_types(table: dict[str, Any], found: list[str]) -> tuple[str, ...] | None:
    principal_types = _strings(table, "principal_types", found)
    found.extend(
        f"principal_types: {kind!r} is not USER or GROUP"
        for kind in principal_types or ()
        if kind not in _PRINCIPAL_TYPES
    )
    return principal_types


def _parse_rule(table: dict[str, Any], position: int, problems: list[str]) -> _DenyGrant | None:
    """One [[deny_grant]] table, or None after adding its problems to `problems`."""
    found: list[str] = []
    label = _rule_label(table, "deny_grant", _SELECTORS, position, found)
    permission_sets = _strings(table, "permission_sets", found)
    accounts = _strings(table, "accounts", found)
    ous = _strings(table, "organizational_units", found)
    found.extend(
        f"organizational_units: {ou!r} is not an OU id (ou-...) or a root id (r-...)"
        for ou in ous or ()
        if not _PARENT_ID.match(ou)
    )
    principal_types = _principal_types(table, found)
    management = table.get("management_account")
    if management is not None and management is not True:
        found.append("management_account can only be true (leave it out otherwise)")
    problems.extend(f"{label}: {problem}" for problem in found)
    if found:
        return None
    return _DenyGrant(
        name=str(table["name"]),
        permission_sets=None
        if permission_sets is None
        else _Entries.split(permission_sets, _is_permission_set_id),
        accounts=None if accounts is None else _Entries.split(accounts, _is_account_id),
        organizational_units=None if ous is None else frozenset(ous),
        principal_types=None if principal_types is None else frozenset(principal_types),
        management_account=management is True,
    )


def _strings(table: dict[str, Any], key: str, found: list[str]) -> tuple[str, ...] | None:
    """A list selector's entries; None when absent (any) or invalid (reported in `found`)."""
    value = table.get(key)
    if value is None:
        return None
    if not isinstance(value, list) or not value or not all(isinstance(v, str) and v for v in value):
        found.append(f"{key} must be a non-empty list of strings (leave it out to match any)")
        return None
    return tuple(value)


def _is_account_id(entry: str) -> bool:
    return bool(_ACCOUNT_ID.match(entry))


def _is_application_id(entry: str) -> bool:
    return entry.startswith("arn:") or bool(_APPLICATION_ID.match(entry))


def _is_permission_set_id(entry: str) -> bool:
    return entry.startswith("arn:") or bool(_PERMISSION_SET_ID.match(entry))


def _last_segment(arn: str) -> str:
    """The permission set id: arn:aws:sso:::permissionSet/ssoins-.../ps-... ends with it."""
    return arn.rsplit("/", 1)[-1]


def _describe(grant: Grant, context: GuardContext) -> str:
    """The grant in the admin's words: names where the caller knows them, ids otherwise."""
    permission_set = context.permission_set_names.get(grant.permission_set_arn)
    account_name = context.account_names.get(grant.account_id)
    account = f"{account_name} ({grant.account_id})" if account_name else grant.account_id
    return (
        f"Granting permission set {permission_set or grant.permission_set_arn} "
        f"to {grant.principal_type.lower()} {grant.principal_id} in account {account}"
    )
