"""`attributes` and `excludedAttributes` (RFC 7644 §3.4.2.5, §3.9) on a document.

Names resolve against the published schemas, so any case and any URN-qualified
form works; a name the resource does not have is ignored (it selects nothing).
`id` and `schemas` (returned "always") are never removed.
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Sequence
from typing import Any

from schemas.definitions import SCHEMAS, find_attribute, find_resource_type

_ALWAYS = ("schemas", "id")


def _location(resource_type: str, core_schema: str, name: str) -> tuple[str, ...] | None:
    resolved = find_attribute(resource_type, None, name, None)
    if resolved is None:
        return None
    path: tuple[str, ...] = (resolved.attribute.name,)
    if resolved.sub_attribute is not None:
        path += (resolved.sub_attribute.name,)
    if resolved.schema != core_schema and not resolved.common:
        path = (resolved.schema, *path)
    return path


def requested_paths(
    resource_type: str, core_schema: str, attributes: Sequence[str]
) -> frozenset[tuple[str, ...]]:
    """Where in a document each attribute named in `attributes` lives."""
    return frozenset(
        path
        for name in attributes
        if (path := _location(resource_type, core_schema, name)) is not None
    )


@functools.cache
def request_only_paths(resource_type: str) -> tuple[tuple[str, ...], ...]:
    """Attributes returned only when asked for (RFC 7643 §2.2 returned "request")."""
    definition = find_resource_type(resource_type)
    assert definition is not None
    found: list[tuple[str, ...]] = []
    for schema_id in definition.schema_ids:
        for attribute in SCHEMAS[schema_id].attributes:
            if attribute.returned == "request":
                found.append(
                    (attribute.name,)
                    if schema_id == definition.schema
                    else (schema_id, attribute.name)
                )
    return tuple(found)


def project(
    document: dict[str, Any],
    resource_type: str,
    core_schema: str,
    attributes: Sequence[str],
    excluded: Sequence[str],
) -> dict[str, Any]:
    if attributes:
        kept: dict[str, Any] = {key: document[key] for key in _ALWAYS if key in document}
        for name in attributes:
            path = _location(resource_type, core_schema, name)
            if path is not None:
                _copy(document, kept, path)
        return kept
    # The document is the fresh output of a dump: trimmed in place, not copied.
    trimmed = document
    for path in request_only_paths(resource_type):
        _remove(trimmed, path)
    for name in excluded:
        path = _location(resource_type, core_schema, name)
        if path is not None and path[0] not in _ALWAYS:
            _remove(trimmed, path)
    return _drop_emptied(trimmed)


def _drop_emptied(document: dict[str, Any]) -> dict[str, Any]:
    """An extension left empty by removals goes too (RFC 7643 §2.5: unassigned)."""
    return {key: value for key, value in document.items() if value != {}}


def _copy(source: dict[str, Any], target: dict[str, Any], path: tuple[str, ...]) -> None:
    head, rest = path[0], path[1:]
    if head not in source:
        return
    if not rest:
        target[head] = copy.deepcopy(source[head])
        return
    value = source[head]
    if isinstance(value, list):
        existing = target.setdefault(head, [{} for _ in value])
        for item, into in zip(value, existing, strict=False):
            if isinstance(item, dict):
                _copy(item, into, rest)
    elif isinstance(value, dict):
        _copy(value, target.setdefault(head, {}), rest)


def _remove(document: dict[str, Any], path: tuple[str, ...]) -> None:
    head, rest = path[0], path[1:]
    if head not in document:
        return
    if not rest:
        del document[head]
        return
    value = document[head]
    for item in value if isinstance(value, list) else [value]:
        if isinstance(item, dict):
            _remove(item, rest)
