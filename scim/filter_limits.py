"""How large a filter may be: one place for the limits and the checks (issue 9).

RFC 7644 §3.4.2.2 sets no bound on a filter, and one filter of a few hundred
terms could keep a worker busy for a minute, or break SQLite's own limits
(an expression tree of 1000 levels, a LIKE pattern of 50,000 bytes). So a
filter is refused with 400 `invalidFilter` (RFC 7644 §3.12) before it reaches
SQL when it exceeds any of these. The real clients' filters are far below them:
Microsoft Entra ID, Okta and SailPoint send one to three comparisons
(`userName eq "..."`, `emails[type eq "work"].value eq "..."`,
`meta.lastModified gt "..."`) nested at most two levels; an administrator's
aggregation filter such as `active eq true and (userType eq "Employee" or
userType eq "Contractor")` has three comparisons at depth three.
docs/api.md publishes them.
"""

from __future__ import annotations

from typing import Final

from scim2_models.path import Comparison, FilterNode, LogicalExpr, Not, Present, ValuePath

from scim.errors import ScimError

# Characters of filter text read at all: ten times the longest filter above,
# and well past what a GET carries (gunicorn's request line is 4,094 bytes);
# longer text is refused before it is parsed.
MAX_FILTER_LENGTH: Final = 10_000
# Comparisons (`eq`, `co`, `pr`, ...) in one filter. Each is a condition in the
# SQL, and on a multi-valued attribute a subquery of its own.
MAX_FILTER_COMPARISONS: Final = 20
# Levels of nesting: a lone comparison is 1; `and`/`or`, `not (...)` and a
# value path `emails[...]` each add one around what they hold.
MAX_FILTER_DEPTH: Final = 8
# Characters of one compared value: the Identity Store's longest string
# (SensitiveStringType, 1 to 1,024 characters), so that no longer value can be
# equal to anything a user or group holds.
MAX_FILTER_VALUE_LENGTH: Final = 1024


def invalid_filter(detail: str) -> ScimError:
    return ScimError(400, detail, scim_type="invalidFilter")


def check_text(text: str) -> None:
    """Refuse filter text that is too long, or holds what no SQL string may (NUL)."""
    if len(text) > MAX_FILTER_LENGTH:
        raise invalid_filter(
            f"the filter is {len(text):,} characters long; "
            f"at most {MAX_FILTER_LENGTH:,} are accepted"
        )
    if "\x00" in text:
        raise invalid_filter("the filter holds a NUL character (U+0000), which no value can hold")


def check_tree(root: FilterNode) -> None:
    """Refuse a parsed filter with too many comparisons, too deep, or a too long value."""
    comparisons = 0
    pending: list[tuple[FilterNode, int]] = [(root, 1)]
    while pending:
        node, depth = pending.pop()
        if depth > MAX_FILTER_DEPTH:
            raise invalid_filter(f"the filter nests deeper than {MAX_FILTER_DEPTH} levels")
        match node:
            case LogicalExpr(terms=terms):
                pending.extend((term, depth + 1) for term in terms)
            case Not(expr=inner):
                pending.append((inner, depth + 1))
            case ValuePath(val_filter=inner):
                pending.append((inner, depth + 1))
            case Present():
                comparisons += 1
            case Comparison(value=value):
                comparisons += 1
                if isinstance(value, str) and len(value) > MAX_FILTER_VALUE_LENGTH:
                    raise invalid_filter(
                        f"a compared value is {len(value):,} characters long; "
                        f"at most {MAX_FILTER_VALUE_LENGTH:,} are accepted"
                    )
        if comparisons > MAX_FILTER_COMPARISONS:
            raise invalid_filter(
                f"the filter has more than {MAX_FILTER_COMPARISONS} comparisons; "
                "split it into several requests"
            )
