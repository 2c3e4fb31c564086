"""Pagination as AWS does it, declared once per List operation.

moto pages with a default size but accepts any MaxResults, so a client that asks
for 1,000 items per page passes against moto and fails against AWS with a
ValidationException. Each corrected List operation declares a ``PageRule`` with
the bounds from its AWS API reference (e.g. MaxResults 1-100 for
https://docs.aws.amazon.com/singlesignon/latest/APIReference/API_ListAccountAssignments.html,
1-20 for
https://docs.aws.amazon.com/organizations/latest/APIReference/API_ListAccounts.html)
and pages through ``page``.

Tokens are opaque to clients, as AWS's are. Each names the first item of the next
page by its key, plus that item's position as a hint: finding the position is
O(1) while nothing changes between pages, and an item deleted between pages does
not break the token (the listing resumes at the hinted position).
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")

# Builds the service's own error from a message: each service words its
# validation failures with its own exception type.
InvalidInput = Callable[[str], Exception]


@dataclass(frozen=True)
class PageRule(Generic[T]):
    """Bounds of one List operation and how to identify its items."""

    maximum: int
    default: int
    key: Callable[[T], str]
    parameter: str = "maxResults"


def check_max_results(
    max_results: int | None, maximum: int, invalid: InvalidInput, parameter: str = "maxResults"
) -> None:
    """Reject MaxResults outside 1..maximum with the wording of AWS's request validation."""
    if max_results is None:
        return
    if max_results > maximum:
        raise invalid(
            f"1 validation error detected: Value '{max_results}' at '{parameter}' failed to "
            f"satisfy constraint: Member must have value less than or equal to {maximum}"
        )
    if max_results < 1:
        raise invalid(
            f"1 validation error detected: Value '{max_results}' at '{parameter}' failed to "
            "satisfy constraint: Member must have value greater than or equal to 1"
        )


def page(
    items: Sequence[T],
    rule: PageRule[T],
    max_results: int | None,
    next_token: str | None,
    invalid: InvalidInput,
) -> tuple[list[T], str | None]:
    """One page of ``items`` and the token for the next one (None on the last page)."""
    check_max_results(max_results, rule.maximum, invalid, rule.parameter)
    size = max_results or rule.default
    start = _start_index(items, rule, next_token, invalid) if next_token else 0
    end = min(start + size, len(items))
    token = _encode(rule.key(items[end]), end) if end < len(items) else None
    return list(items[start:end]), token


def _start_index(items: Sequence[T], rule: PageRule[T], token: str, invalid: InvalidInput) -> int:
    key, hint = _decode(token, invalid)
    if 0 <= hint < len(items) and rule.key(items[hint]) == key:
        return hint
    for index, item in enumerate(items):
        if rule.key(item) == key:
            return index
    # The item that began the next page is gone: resume where it was.
    return min(max(hint, 0), len(items))


def _encode(key: str, hint: int) -> str:
    raw = json.dumps({"k": key, "i": hint}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode()


def _decode(token: str, invalid: InvalidInput) -> tuple[str, int]:
    try:
        data = json.loads(base64.urlsafe_b64decode(token.encode()))
        return str(data["k"]), int(data["i"])
    except (binascii.Error, ValueError, KeyError, TypeError) as error:
        raise invalid("The NextToken is invalid or expired.") from error
