"""Request values AWS rejects before any work starts.

botocore checks only the minimum length of strings, so a malformed account id or
principal id reaches the service, which answers ValidationException. The patterns
are those of the request shapes in the API reference (TargetId and AccountId:
``\\d{12}``; PrincipalId; PermissionSetName: ``[\\w+=,.@-]+``, at most 32
characters, e.g.
https://docs.aws.amazon.com/singlesignon/latest/APIReference/API_CreateAccountAssignment.html).
A well-formed id that names nothing is not malformed: that is decided later, when
the request settles.
"""

from __future__ import annotations

import re

from .exceptions import ValidationException

ACCOUNT_ID = re.compile(r"\d{12}")
PRINCIPAL_ID = re.compile(
    r"([0-9a-f]{10}-|)[A-Fa-f0-9]{8}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{12}"
)
PERMISSION_SET_NAME = re.compile(r"[\w+=,.@-]{1,32}")


def check(parameter: str, value: object, pattern: re.Pattern[str]) -> None:
    """Raise AWS's ValidationException if ``value`` (when given) does not match."""
    if value is None:
        return
    if not isinstance(value, str) or not pattern.fullmatch(value):
        raise ValidationException(
            f"1 validation error detected: Value '{value}' at '{parameter}' failed to satisfy "
            f"constraint: Member must satisfy regular expression pattern: {pattern.pattern}"
        )
