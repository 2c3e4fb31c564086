"""sso-admin errors moto lacks.

moto's sso-admin raises ResourceNotFoundException, ConflictException and
ServiceQuotaExceededException; AWS also answers malformed requests with
ValidationException (listed under Errors of every operation in
https://docs.aws.amazon.com/singlesignon/latest/APIReference/CommonErrors.html).
"""

from __future__ import annotations

from moto.core.exceptions import JsonRESTError
from moto.ssoadmin.exceptions import (
    ConflictException,
    ResourceNotFoundException,
    ServiceQuotaExceededException,
)

__all__ = [
    "ConflictException",
    "ResourceNotFoundException",
    "ServiceQuotaExceededException",
    "ValidationException",
]


class ValidationException(JsonRESTError):
    code = 400

    def __init__(self, message: str = "") -> None:
        super().__init__(error_type="ValidationException", message=message)
