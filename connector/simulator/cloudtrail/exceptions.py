"""LookupEvents' errors, named and worded as botocore's CloudTrail model has them."""

from __future__ import annotations

from moto.core.exceptions import JsonRESTError


class InvalidLookupAttributesException(JsonRESTError):
    code = 400

    def __init__(self, detail: str) -> None:
        super().__init__(
            "InvalidLookupAttributesException",
            f"Occurs when a lookup attribute is specified that is not valid: {detail}",
        )


class InvalidTimeRangeException(JsonRESTError):
    code = 400

    def __init__(self) -> None:
        super().__init__(
            "InvalidTimeRangeException",
            "Occurs if the timestamp values are not valid. Either the start time occurs "
            "after the end time, or the time range is outside the range of possible values.",
        )


class InvalidMaxResultsException(JsonRESTError):
    code = 400

    def __init__(self) -> None:
        super().__init__(
            "InvalidMaxResultsException",
            "This exception is thrown if the limit specified is not valid.",
        )


class InvalidNextTokenException(JsonRESTError):
    code = 400

    def __init__(self) -> None:
        super().__init__(
            "InvalidNextTokenException",
            "A token that is not valid, or a token that was previously used in a request "
            "with different parameters.",
        )


class InvalidEventCategoryException(JsonRESTError):
    code = 400

    def __init__(self) -> None:
        super().__init__(
            "InvalidEventCategoryException",
            "Occurs if an event category that is not valid is specified as a value of "
            "EventCategory.",
        )
