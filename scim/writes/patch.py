"""PATCH (RFC 7644 §3.5.2) applied to a served document, in memory.

The request's operations are applied in order to a copy of the resource as it
is served; what the document looks like after each operation is what the
write path turns into AWS changes (`scim.writes.plan`), so a PATCH means
exactly what RFC 7644 says it means and nothing is decided twice.

Forms real clients send are accepted as RFC 7644 allows or as they are known
to send them: `op` in any case ("Add", "Replace"; Entra), `path: "members"`
with a list of values to add or remove, `path: 'members[value eq "..."]'`,
`add`/`replace` without a path (the value's attributes are the targets, URN
keyed extension blocks included).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from scim2_models.exceptions import InvalidPathException
from scim2_models.path import (
    CompareOperator,
    Comparison,
    FilterNode,
    LogicalExpr,
    LogicalOperator,
    Not,
    Path,
    Present,
)

from schemas import urns
from schemas.attributes import AttributeDefinition
from schemas.definitions import find_attribute, find_resource_type
from scim.errors import ScimError
from scim.writes.identity_input import refuse_repeated_names

OPS = ("add", "remove", "replace")
# A PATCH larger than this is refused (the guardrails may cap changes lower).
MAX_OPERATIONS = 1000


@dataclass(frozen=True)
class PatchOperation:
    op: str
    path: Path[Any] | None
    value: Any


@dataclass(frozen=True)
class _Target:
    schema: str  # the URN the attribute belongs to
    attribute: AttributeDefinition
    sub_attribute: AttributeDefinition | None
    value_filter: FilterNode | None


def _bad(detail: str, scim_type: str = "invalidValue") -> ScimError:
    return ScimError(400, detail, scim_type=scim_type)


def load_patch(body: Any) -> list[PatchOperation]:
    """The operations of a PatchOp message, checked (RFC 7644 §3.5.2)."""
    if not isinstance(body, Mapping):
        raise _bad("the body must be a PatchOp object", "invalidSyntax")
    schemas = body.get("schemas")
    if not isinstance(schemas, list) or urns.PATCH_OP not in schemas:
        raise _bad(f"a PATCH body must name the schema {urns.PATCH_OP}", "invalidSyntax")
    operations = body.get("Operations", body.get("operations"))
    if not isinstance(operations, list) or not operations:
        raise _bad("a PATCH body needs a non-empty 'Operations' list", "invalidSyntax")
    if len(operations) > MAX_OPERATIONS:
        raise _bad(f"a PATCH takes at most {MAX_OPERATIONS} operations", "tooMany")
    loaded = []
    for index, operation in enumerate(operations, start=1):
        if not isinstance(operation, Mapping):
            raise _bad(f"operation {index} is not an object", "invalidSyntax")
        op = operation.get("op")
        if not isinstance(op, str) or op.lower() not in OPS:
            raise _bad(
                f"operation {index}: 'op' must be add, remove or replace, not {op!r}",
                "invalidSyntax",
            )
        raw_path = operation.get("path")
        path: Path[Any] | None = None
        if raw_path is not None:
            if not isinstance(raw_path, str) or not raw_path.strip():
                raise _bad(f"operation {index}: 'path' must be a string", "invalidPath")
            try:
                path = Path(raw_path.strip())
            except InvalidPathException as exc:
                raise _bad(f"operation {index}: path {raw_path!r}: {exc}", "invalidPath") from None
        if op.lower() == "remove" and path is None:
            raise _bad(f"operation {index}: remove needs a 'path' (RFC 7644 §3.5.2.2)", "noTarget")
        if op.lower() != "remove" and "value" not in operation:
            raise _bad(f"operation {index}: {op.lower()} needs a 'value'", "invalidValue")
        loaded.append(PatchOperation(op.lower(), path, operation.get("value")))
    return loaded


def apply_operation(
    resource_type: str, document: Mapping[str, Any], operation: PatchOperation
) -> dict[str, Any]:
    """The document after one operation (the input is not changed)."""
    result = copy.deepcopy(dict(document))
    if operation.path is None:
        if not isinstance(operation.value, Mapping):
            raise _bad(f"{operation.op} without a path needs an object as its value")
        refuse_repeated_names(operation.value)
        for key, value in operation.value.items():
            if key == "schemas":
                continue
            if (
                isinstance(value, Mapping)
                and find_resource_type(resource_type) is not None
                and (key.lower().startswith("urn:") and _is_extension(resource_type, key))
            ):
                refuse_repeated_names(value)
                for sub_key, sub_value in _attributes(value):
                    _apply_path(resource_type, result, operation.op, f"{key}:{sub_key}", sub_value)
            else:
                try:
                    _apply_path(resource_type, result, operation.op, key, value)
                except ScimError as exc:
                    # Clients (Okta) send the resource back with its read-only
                    # attributes as they are: not a change, so not refused.
                    if exc.scim_type != "mutability" or attribute_value(document, key) != value:
                        raise
        return result
    text = str(operation.path)
    if _is_extension(resource_type, text):
        # The path names a whole extension: its value's attributes are the targets.
        if operation.op == "remove" or not isinstance(operation.value, Mapping):
            raise _bad(f"{text!r} names a whole extension: give its attributes", "invalidPath")
        for sub_key, sub_value in _attributes(operation.value):
            _apply_path(resource_type, result, operation.op, f"{text}:{sub_key}", sub_value)
        return result
    _apply(resource_type, result, operation.op, text, operation.path, operation.value)
    return result


def _attributes(value: Mapping[str, Any]) -> list[tuple[str, Any]]:
    """An extension object's attributes (a `schemas` list inside it names, not sets)."""
    return [(k, v) for k, v in value.items() if k.lower() != "schemas"]


def _is_extension(resource_type: str, urn: str) -> bool:
    definition = find_resource_type(resource_type)
    return definition is not None and any(
        schema.lower() == urn.lower() for schema in definition.schema_ids
    )


def _apply_path(
    resource_type: str, document: dict[str, Any], op: str, text: str, value: Any
) -> None:
    try:
        path = Path(text)
    except InvalidPathException as exc:
        raise _bad(f"attribute {text!r}: {exc}", "invalidPath") from None
    _apply(resource_type, document, op, text, path, value)


def _resolve(resource_type: str, text: str, path: Path[Any]) -> _Target:
    parts = path.parts
    resolved = find_attribute(
        resource_type, path.schema, parts[0], parts[1] if len(parts) > 1 else None
    )
    if resolved is None and resource_type == "Group" and path.schema is None:
        # A group's own entitlements sit in our extension; clients name them bare.
        resolved = find_attribute(
            resource_type, urns.AWS_GROUP, parts[0], parts[1] if len(parts) > 1 else None
        )
    if resolved is None or len(parts) > 2:
        raise _bad(f"{resource_type} has no attribute {text!r}", "invalidPath")
    target = _Target(resolved.schema, resolved.attribute, resolved.sub_attribute, path.value_filter)
    named = target.sub_attribute or target.attribute
    if named.mutability == "readOnly" or target.attribute.mutability == "readOnly":
        raise _bad(f"the attribute {text!r} is read-only", "mutability")
    return target


def _apply(
    resource_type: str,
    document: dict[str, Any],
    op: str,
    text: str,
    path: Path[Any],
    value: Any,
) -> None:
    target = _resolve(resource_type, text, path)
    definition = find_resource_type(resource_type)
    assert definition is not None
    if target.schema == definition.schema:
        container = document
    else:
        container = document.setdefault(target.schema, {})
        if not isinstance(container, dict):
            container = document[target.schema] = {}
    name = _key(container, target.attribute.name)
    attribute, sub = target.attribute, target.sub_attribute
    if target.value_filter is not None and not attribute.multi_valued:
        # RFC 7644 §3.5.2: a valuePath filter selects values of a multi-valued attribute.
        raise _bad(
            f"{text!r}: {attribute.name} is single-valued and takes no [filter]", "invalidPath"
        )
    if attribute.multi_valued:
        current = container.get(name)
        items: list[Any] = list(current) if isinstance(current, list) else []
        container[name] = _multi(items, op, target, value, text)
        return
    if sub is not None:
        complex_value = container.get(name)
        if not isinstance(complex_value, dict):
            complex_value = {}
        sub_name = _key(complex_value, sub.name)
        if op == "remove":
            complex_value.pop(sub_name, None)
        else:
            complex_value[sub_name] = value
        container[name] = complex_value
        return
    if op == "remove":
        container.pop(name, None)
    elif attribute.type == "complex" and isinstance(value, Mapping) and op == "add":
        merged = dict(container.get(name) or {})
        merged.update(value)
        container[name] = merged
    else:
        container[name] = value


def _multi(items: list[Any], op: str, target: _Target, value: Any, text: str) -> list[Any]:
    values = value if isinstance(value, list) else [] if value is None else [value]
    if target.value_filter is None and target.sub_attribute is None:
        if op == "add":
            return _merge(items, values, text)
        if op == "replace":
            return _merge([], values, text)
        # remove: everything, or (Entra, Okta) only the values listed
        if not values:
            return []
        unwanted = {_identity(v, text) for v in values}
        return [item for item in items if _identity(item, text) not in unwanted]
    matched = [
        i
        for i, item in enumerate(items)
        if target.value_filter is None or _matches(item, target.value_filter, target.attribute)
    ]
    if target.sub_attribute is None:
        if op == "remove":
            return [item for i, item in enumerate(items) if i not in set(matched)]
        if not matched and op == "replace":
            raise _bad(f"no value matches {text!r}", "noTarget")
        replaced = [item for i, item in enumerate(items) if i not in set(matched)]
        return _merge(replaced, values, text)
    if not matched:
        if op == "remove":
            return items
        created = _element_from_filter(target.value_filter) if op == "add" else None
        if created is None:
            raise _bad(f"no value matches {text!r}", "noTarget")
        # RFC 7644 §3.5.2.1: add creates what is not there; Entra ID adds a
        # user's first work phone as phoneNumbers[type eq "work"].value.
        return [*items, created | {target.sub_attribute.name: value}]
    sub_name = target.sub_attribute.name
    for i in matched:
        element = dict(items[i]) if isinstance(items[i], Mapping) else {}
        if op == "remove":
            element.pop(_key(element, sub_name), None)
        else:
            element[_key(element, sub_name)] = value
        items[i] = element
    return items


def _element_from_filter(node: FilterNode | None) -> dict[str, Any] | None:
    """The value a filter of `sub eq "v"` terms (joined by `and`) describes, or None."""
    if isinstance(node, Comparison) and node.op == CompareOperator.eq:
        return {node.attr_path.attr: node.value}
    if isinstance(node, LogicalExpr) and node.op == LogicalOperator.and_:
        parts = [_element_from_filter(term) for term in node.terms]
        if all(part is not None for part in parts):
            return {k: v for part in parts if part for k, v in part.items()}
    return None


def attribute_value(document: Mapping[str, Any], name: str) -> Any:
    """An attribute's value by name, which RFC 7643 §2.1 makes case-insensitive."""
    return next((v for k, v in document.items() if k.casefold() == name.casefold()), None)


def _identity(item: Any, where: str) -> Any:
    """What makes two values of a multi-valued attribute the same one.

    A value (or its `value`) that is an array or an object names no single
    value (RFC 7643 §2.4): an `invalidValue` naming the attribute.
    """
    found = item.get("value") if isinstance(item, Mapping) else item
    if isinstance(found, list | Mapping):
        kind = "an array" if isinstance(found, list) else "an object"
        raise _bad(f"{where}: a value's 'value' must be a string, number or boolean, not {kind}")
    if found is None and isinstance(item, Mapping):
        return repr(sorted(item.items()))
    return found


def _merge(items: list[Any], values: Sequence[Any], where: str) -> list[Any]:
    """Add values, a value already there once being left as it is (RFC 7644 §3.5.2.1)."""
    merged = list(items)
    seen = {_identity(item, where) for item in merged}
    for value in values:
        if _identity(value, where) not in seen:
            merged.append(value)
            seen.add(_identity(value, where))
    return merged


def _key(container: Mapping[str, Any], name: str) -> str:
    """The key the container already uses for `name` (names are case-insensitive)."""
    return next((k for k in container if k.lower() == name.lower()), name)


def _matches(item: Any, node: FilterNode, attribute: AttributeDefinition) -> bool:
    if not isinstance(item, Mapping):
        return False
    match node:
        case LogicalExpr(op=op, terms=terms):
            results = (_matches(item, term, attribute) for term in terms)
            return all(results) if op == LogicalOperator.and_ else any(results)
        case Not(expr=inner):
            return not _matches(item, inner, attribute)
        case Present(attr_path=path):
            return item.get(_key(item, path.attr)) not in (None, "", [])
        case Comparison(attr_path=path, op=op, value=expected):
            actual = item.get(_key(item, path.attr))
            sub = attribute.sub_attribute(path.attr)
            return _compare(actual, op, expected, sub.case_exact if sub else False)
    raise _bad(f"unsupported filter in a PATCH path: {node}", "invalidFilter")


def _compare(actual: Any, op: CompareOperator, expected: Any, case_exact: bool) -> bool:
    if actual is None:
        return op == CompareOperator.ne
    if isinstance(actual, str) and isinstance(expected, str) and not case_exact:
        actual, expected = actual.casefold(), expected.casefold()
    match op:
        case CompareOperator.eq:
            return bool(actual == expected)
        case CompareOperator.ne:
            return bool(actual != expected)
        case CompareOperator.co:
            return isinstance(actual, str) and str(expected) in actual
        case CompareOperator.sw:
            return isinstance(actual, str) and actual.startswith(str(expected))
        case CompareOperator.ew:
            return isinstance(actual, str) and actual.endswith(str(expected))
    try:
        return bool(
            {
                CompareOperator.gt: actual > expected,
                CompareOperator.ge: actual >= expected,
                CompareOperator.lt: actual < expected,
                CompareOperator.le: actual <= expected,
            }[op]
        )
    except TypeError:
        return False
