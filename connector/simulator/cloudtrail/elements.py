"""``requestParameters`` and ``responseElements``: a call's input and output in its event.

CloudTrail writes "the parameters, if any, that were sent with the request" and
"the response element for actions that make changes (create, update, or delete
actions)", null otherwise (CloudTrail User Guide, "CloudTrail record contents for
management, data, and network activity events",
https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html).
Their member names are the API's, in lowerCamelCase: a published console
CreateAccountAssignment event reads ``{"instanceArn", "targetId", "targetType",
"permissionSetArn", "principalType", "principalId"}`` and answers
``{"accountAssignmentCreationStatus": {"status": "IN_PROGRESS", "requestId": ...}}``.

The request and response are walked along botocore's model of the operation,
so that only structure member names are recased: map keys (tags) and document
values (the ``AttributeValue`` of an Identity Store update) are the caller's
data and stay as sent. Timestamps are written as CloudTrail writes them in
elements, ``Sep 16, 2020 9:20:50 PM`` (the Organizations User Guide's
CreateAccountResult example); ``eventTime`` itself is ISO 8601.

Since 14 July 2025 AWS hides the group ``displayName`` in CreateGroup and
UpdateGroup events ("HIDDEN_DUE_TO_SECURITY_REASONS"; AWS Security Blog,
"Important changes to CloudTrail events for AWS IAM Identity Center"); the
simulator does so in the ``since-2025-07-14`` shape.
"""

from __future__ import annotations

import functools
from datetime import UTC, datetime
from typing import Any

import botocore.session

from ..behaviour import CloudTrailShape

HIDDEN = "HIDDEN_DUE_TO_SECURITY_REASONS"


@functools.cache
def _service_model(service: str) -> Any:
    """botocore's model of a service (loading one takes tens of milliseconds)."""
    return botocore.session.get_session().get_service_model(service)


def _operation(service: str, operation: str) -> Any:
    model = _service_model(service)
    return model.operation_model(operation) if operation in model.operation_names else None


def lower_camel(name: str) -> str:
    return name[:1].lower() + name[1:]


def cloudtrail_timestamp(value: Any) -> Any:
    """An epoch timestamp (JSON protocol) as CloudTrail writes it in elements."""
    if not isinstance(value, int | float):
        return value
    moment = datetime.fromtimestamp(value, UTC)
    hour = moment.hour % 12 or 12
    return f"{moment:%b} {moment.day}, {moment.year} {hour}:{moment:%M:%S} {moment:%p}"


def recase(value: Any, shape: Any) -> Any:
    """``value`` with its structure member names in lowerCamelCase, following ``shape``."""
    if shape is None or value is None:
        return value
    kind = shape.type_name
    if kind == "structure" and not shape.is_document_type and isinstance(value, dict):
        return {  # AWS leaves unset members out; moto answers some with null
            lower_camel(name): recase(member, shape.members.get(name))
            for name, member in value.items()
            if member is not None
        }
    if kind == "list" and isinstance(value, list):
        return [recase(item, shape.member) for item in value]
    if kind == "map" and isinstance(value, dict):
        return {key: recase(item, shape.value) for key, item in value.items()}
    if kind == "timestamp":
        return cloudtrail_timestamp(value)
    return value


def request_parameters(
    service: str, operation: str, body: dict[str, Any], shape: CloudTrailShape
) -> dict[str, Any] | None:
    """The event's ``requestParameters``: null for a request without members."""
    return _elements(service, operation, body, shape, "input_shape")


def response_elements(
    service: str, operation: str, body: dict[str, Any], shape: CloudTrailShape
) -> dict[str, Any] | None:
    """The event's ``responseElements``: null where the response has no members."""
    return _elements(service, operation, body, shape, "output_shape")


def _elements(
    service: str, operation: str, body: dict[str, Any], shape: CloudTrailShape, side: str
) -> dict[str, Any] | None:
    if not body:
        return None
    model = _operation(service, operation)
    elements: dict[str, Any]
    if model is None:  # not in botocore's model: recase the top level only
        elements = {lower_camel(name): value for name, value in body.items()}
    else:
        elements = recase(body, getattr(model, side))
    if shape == "since-2025-07-14" and (service, operation) in _HIDES_GROUP_NAME:
        _hide_group_name(elements)
    return elements


_HIDES_GROUP_NAME = {("identitystore", "CreateGroup"), ("identitystore", "UpdateGroup")}


def _hide_group_name(elements: dict[str, Any]) -> None:
    """Hide ``displayName``, and an update's new value for it (UpdateGroup's operations)."""
    if "displayName" in elements:
        elements["displayName"] = HIDDEN
    for operation in elements.get("operations") or []:
        if str(operation.get("attributePath", "")).lower() == "displayname":
            operation["attributeValue"] = HIDDEN
