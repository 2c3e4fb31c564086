"""`attributes` and `excludedAttributes` (RFC 7644 §3.4.2.5, §3.9) on a document.

Names resolve against the published schemas, so any case and any URN-qualified
form works; a name the resource does not have is ignored (it selects nothing).
`id` and `schemas` (returned "always") are never removed.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import Any

from schemas.definitions import find_attribute

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
    if excluded:
        trimmed = copy.deepcopy(document)
        for name in excluded:
            path = _location(resource_type, core_schema, name)
            if path is not None and path[0] not in _ALWAYS:
                _remove(trimmed, path)
        return trimmed
    return document


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
