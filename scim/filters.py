"""SCIM filters (RFC 7644 §3.4.2.2) compiled to parameterised SQL.

Parsing is scim2-models' (`ScimFilter`): its grammar binds `and` tighter than
`or`, reads multi-digit numbers, value paths and Entra's
`emails[type eq "work"].value eq "..."` form (docs/api.md says why it was
chosen over scim2-filter-parser). Meaning is ours, in one place:

- every attribute is resolved against the published schemas
  (`schemas.definitions.find_attribute`); an unknown one is an `invalidFilter`
  error, never a silently wider result;
- strings compare case-insensitively unless the attribute is caseExact
  (RFC 7643 §2.2), with Unicode-aware lower() on both stores;
- a comparison with an absent attribute is false, except `ne`, which is true:
  an absent value is not equal to anything; `not` therefore never meets SQL's
  NULL (every compiled expression is TRUE or FALSE);
- a multi-valued attribute matches when any of its values does (§3.4.2.2);
  named without a sub-attribute, its `value` is compared.
"""

from __future__ import annotations

import operator
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from scim2_models import ScimFilter
from scim2_models.exceptions import InvalidFilterException
from scim2_models.path import (
    AttrPath,
    CompareOperator,
    Comparison,
    FilterNode,
    LogicalExpr,
    LogicalOperator,
    Not,
    Present,
    ValuePath,
)

from schemas.definitions import find_attribute
from scim.child_tests import ChildTest, Equal, combine
from scim.filter_limits import check_text, check_tree, invalid_filter
from scim.query import utc_datetime
from scim.sql_map import Children, Column, ResourceSql, SqlExpr


def parse_filter(text: str) -> FilterNode:
    """The filter's syntax tree, once it is known to be within scim.filter_limits."""
    check_text(text)
    try:
        root = ScimFilter(text).ast
    except InvalidFilterException as exc:
        raise invalid_filter(f"the filter does not parse: {exc}") from None
    check_tree(root)
    return root


def compile_filter(text: str, resource: ResourceSql, snapshot_id: int) -> SqlExpr:
    """The SQL condition selecting the resources `text` matches."""
    compiler = _Compiler(resource, snapshot_id)
    return compiler.sql(compiler.node(parse_filter(text)))


class _Compiler:
    def __init__(self, resource: ResourceSql, snapshot_id: int) -> None:
        self._resource = resource
        self._snapshot_id = snapshot_id

    def node(self, node: FilterNode) -> SqlExpr | ChildTest:
        match node:
            case LogicalExpr(op=op, terms=terms):
                parts = combine(op, [self.node(term) for term in terms])
                if len(parts) == 1:
                    return parts[0]
                rendered = [self.sql(part) for part in parts]
                return sa.and_(*rendered) if op == LogicalOperator.and_ else sa.or_(*rendered)
            case Not(expr=inner):
                compiled = self.node(inner)
                if isinstance(compiled, ChildTest):
                    return compiled.negated()
                return sa.not_(compiled)
            case Comparison() | Present():
                return self._attribute_test(node)
            case ValuePath(attr_path=path, val_filter=inner):
                return self._value_path(path, inner)
        raise invalid_filter(f"unsupported filter expression {node}")

    def sql(self, compiled: SqlExpr | ChildTest) -> SqlExpr:
        return compiled.sql(self._snapshot_id) if isinstance(compiled, ChildTest) else compiled

    # -- attributes -------------------------------------------------------------

    def _resolve(self, path: AttrPath) -> tuple[Any, Column | Children]:
        resolved = find_attribute(self._resource.name, path.uri, path.attr, path.sub_attr)
        if resolved is None:
            raise invalid_filter(
                f"{self._resource.name} has no attribute {str(path)!r} (RFC 7644 §3.4.2.2)"
            )
        key = (
            resolved.path
            if resolved.schema in (None, self._resource.core_schema)
            else (f"{resolved.schema}:{resolved.path}")
        )
        target = self._resource.attributes.get(key) or self._resource.attributes.get(
            key.rsplit(".", 1)[0]
        )
        if target is None:
            raise invalid_filter(f"the attribute {str(path)!r} cannot be used in a filter")
        return resolved, target

    def _attribute_test(self, node: Comparison | Present) -> SqlExpr | ChildTest:
        resolved, target = self._resolve(node.attr_path)
        definition = resolved.sub_attribute or resolved.attribute
        if isinstance(target, Column):
            return _test(target.expression, node, definition)
        sub = resolved.sub_attribute.name if resolved.sub_attribute else "value"
        if sub not in target.columns:
            raise invalid_filter(
                f"the attribute {str(node.attr_path)!r} cannot be used in a filter"
            )
        if resolved.sub_attribute is None and resolved.attribute.sub_attributes:
            definition = next(
                (s for s in resolved.attribute.sub_attributes if s.name == "value"), definition
            )
        column = target.columns[sub]
        if isinstance(node, Comparison) and node.op in (CompareOperator.eq, CompareOperator.ne):
            negated = node.op == CompareOperator.ne
            if isinstance(node.value, str) and definition.type in ("string", "reference"):
                # "ne": no value equals; an attribute with no values at all matches too.
                exact = bool(definition.case_exact)
                value = node.value if exact else node.value.lower()
                return ChildTest.has(target, Equal(column, exact, value), negated=negated)
            if negated:
                equal = Comparison(node.attr_path, CompareOperator.eq, node.value)
                return ChildTest.has(target, _test(column, equal, definition), negated=True)
        return ChildTest.has(target, _test(column, node, definition))

    def _value_path(self, path: AttrPath, inner: FilterNode) -> ChildTest:
        resolved, target = self._resolve(path)
        if not isinstance(target, Children) or target.single:
            raise invalid_filter(f"{str(path)!r} is not multi-valued: it takes no [filter]")
        sub_compiler = _SubCompiler(resolved.attribute, target, str(path))
        return ChildTest.has(target, sub_compiler.node(inner))


class _SubCompiler:
    """Compiles the filter inside `emails[...]` against the sub-attributes."""

    def __init__(self, attribute: Any, target: Children, label: str) -> None:
        self._attribute = attribute
        self._target = target
        self._label = label

    def node(self, node: FilterNode) -> SqlExpr:
        match node:
            case LogicalExpr(op=op, terms=terms):
                parts = [self.node(term) for term in terms]
                return sa.and_(*parts) if op == LogicalOperator.and_ else sa.or_(*parts)
            case Not(expr=inner):
                return sa.not_(self.node(inner))
            case Comparison(attr_path=path) | Present(attr_path=path):
                name = path.sub_attr or path.attr
                if path.uri or (path.sub_attr and path.attr.lower() != self._label.lower()):
                    raise invalid_filter(f"{path} is not a sub-attribute of {self._label}")
                definition = next(
                    (s for s in self._attribute.sub_attributes if s.name.lower() == name.lower()),
                    None,
                )
                if definition is None or definition.name not in self._target.columns:
                    raise invalid_filter(f"{self._label} has no sub-attribute {name!r}")
                return _test(self._target.columns[definition.name], node, definition)
        raise invalid_filter(f"{node} cannot stand inside {self._label}[...]")


# -- one comparison ---------------------------------------------------------------


def _test(column: SqlExpr, node: Comparison | Present, definition: Any) -> SqlExpr:
    kind = definition.type
    if isinstance(node, Present):
        if kind == "string" or kind == "reference":
            return sa.and_(column.is_not(None), column != "")
        return column.is_not(None)
    op, value = node.op, node.value
    if value is None:
        if op == CompareOperator.eq:
            return column.is_(None)
        if op == CompareOperator.ne:
            return column.is_not(None)
        raise invalid_filter(f"{node}: null can only be compared with eq or ne")
    if kind == "boolean":
        if op not in (CompareOperator.eq, CompareOperator.ne) or not isinstance(value, bool):
            raise invalid_filter(f"{node}: a boolean takes eq or ne with true or false")
        return _present_and(column, column == value, negate=op == CompareOperator.ne)
    if kind == "dateTime":
        return _ordered(column, op, _datetime(node, value), node)
    if kind in ("integer", "decimal"):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise invalid_filter(f"{node}: {definition.name} is a number")
        return _ordered(column, op, value, node)
    if not isinstance(value, str):
        raise invalid_filter(f"{node}: {definition.name} is a string; quote the value")
    exact = bool(definition.case_exact)
    left = column if exact else sa.func.lower(column)
    right: Any = value if exact else value.lower()
    pattern = _LIKE_PATTERNS.get(op)
    if pattern is not None:
        return _present_and(column, left.like(pattern.format(_like_escaped(right)), escape="/"))
    return _ordered(left, op, right, node, present=column)


# One LIKE pattern made here, rather than `'%' || ? || '%'` made again for every row.
_LIKE_PATTERNS = {CompareOperator.co: "%{}%", CompareOperator.sw: "{}%", CompareOperator.ew: "%{}"}


def _like_escaped(value: str) -> str:
    return value.replace("/", "//").replace("%", "/%").replace("_", "/_")


def _ordered(
    column: SqlExpr, op: CompareOperator, value: Any, node: Any, present: SqlExpr | None = None
) -> SqlExpr:
    present = column if present is None else present
    if op == CompareOperator.ne:
        return _present_and(present, column == value, negate=True)
    compare = _COMPARISONS.get(op)
    if compare is None:
        raise invalid_filter(f"{node}: {op.value} does not apply to this attribute")
    return _present_and(present, compare(column, value))


# Built on demand: a single-account lookup is on the hot path of every aggregation.
_COMPARISONS: dict[CompareOperator, Any] = {
    CompareOperator.eq: operator.eq,
    CompareOperator.gt: operator.gt,
    CompareOperator.ge: operator.ge,
    CompareOperator.lt: operator.lt,
    CompareOperator.le: operator.le,
}


def _present_and(column: SqlExpr, condition: SqlExpr, *, negate: bool = False) -> SqlExpr:
    """TRUE or FALSE, never NULL: absent values compare false ("ne": true)."""
    matched = sa.and_(column.is_not(None), condition)
    return sa.not_(matched) if negate else matched


def _datetime(node: Any, value: Any) -> datetime:
    """A dateTime (RFC 7643 §2.3.5) in UTC, as the store keeps times."""
    if not isinstance(value, str):
        raise invalid_filter(f'{node}: not a dateTime such as "2026-11-23T10:00:00Z"')
    try:
        return utc_datetime(value)
    except ValueError as exc:
        raise invalid_filter(f"{node}: {exc}") from None
