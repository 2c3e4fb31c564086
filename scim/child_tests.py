"""Filter tests on a resource's children, one subquery for each kind of child.

A comparison on a multi-valued attribute (`emails.value eq "..."`,
`...:effectiveAccess.value co "..."`) or on meta asks whether the resource
owns a child row where a condition holds. Compiled one by one, each such test
was a subquery of its own: 20 of them on effective access took seconds on a
store of 10,000 users, since each one reads every user's access again
(issue 9). So every test of a filter on the same children (`sql_map.Children`)
becomes one boolean formula, and the formula one `IN (SELECT ...)`, which
reads those children once:

- "owns a child where a, or one where b" (and its negation, "owns none where
  a and none where b") needs no more than the rows where a or b holds;
- any other formula (`emails.value co "a" and emails.value co "b"`: two
  children may answer) groups the rows where any of its conditions holds by
  their owner and tests, for each condition, whether a row of the group met it
  (`HAVING`). An owner without such rows gets the formula's value for "no
  condition met", which is why a formula true for it is tested as the
  negation of its opposite.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import sqlalchemy as sa
from scim2_models.path import LogicalOperator

from scim.sql_map import Children, SqlExpr


@dataclass(frozen=True)
class Equal:
    """`column eq "value"` on a string; kept apart so that several make one IN list."""

    column: SqlExpr
    exact: bool  # caseExact (RFC 7643 §2.2); otherwise `value` is lower case already
    value: str

    def left(self) -> SqlExpr:
        return self.column if self.exact else sa.func.lower(self.column)


# A condition on one child row. It is only ever used inside the subquery's
# WHERE or a CASE, never negated there, so a NULL in it reads as false.
Case = SqlExpr | Equal


@dataclass(frozen=True)
class Formula:
    """A boolean formula over "the resource owns a child where `case` holds"."""

    op: Literal["has", "and", "or", "not"]
    case: Case | None = None
    terms: tuple[Formula, ...] = ()

    def unmet(self) -> bool:
        """The formula's value for a resource none of whose children meets a condition."""
        match self.op:
            case "has":
                return False
            case "not":
                return not self.terms[0].unmet()
            case "and":
                return all(term.unmet() for term in self.terms)
        return any(term.unmet() for term in self.terms)

    def cases(self) -> list[Case]:
        if self.case is not None:
            return [self.case]
        return [case for term in self.terms for case in term.cases()]

    def any_of(self) -> tuple[bool, list[Case]] | None:
        """(negated, cases) when the formula is "owns a child where any case holds" or
        its negation; None for any other formula."""
        if self.op == "has":
            return False, self.cases()
        if self.op == "not":
            inner = self.terms[0].any_of()
            return None if inner is None else (not inner[0], inner[1])
        parts = [term.any_of() for term in self.terms]
        negated = self.op == "and"  # E(a) or E(b) is E(a or b); not E(a) and not E(b) too
        if all(part is not None and part[0] == negated for part in parts):
            return negated, self.cases()
        return None

    def having(self, met: dict[int, SqlExpr]) -> SqlExpr:
        match self.op:
            case "has":
                return met[id(self.case)]
            case "not":
                return sa.not_(self.terms[0].having(met))
            case "and":
                return sa.and_(*(term.having(met) for term in self.terms))
        return sa.or_(*(term.having(met) for term in self.terms))


@dataclass(frozen=True)
class ChildTest:
    target: Children
    formula: Formula

    @classmethod
    def has(cls, target: Children, case: Case, *, negated: bool = False) -> ChildTest:
        test = cls(target, Formula("has", case))
        return test.negated() if negated else test

    def negated(self) -> ChildTest:
        if self.formula.op == "not":
            return ChildTest(self.target, self.formula.terms[0])
        return ChildTest(self.target, Formula("not", terms=(self.formula,)))

    def sql(self, snapshot_id: int) -> SqlExpr:
        """TRUE or FALSE for each resource row, never NULL."""
        simple = self.formula.any_of()
        if simple is not None:
            negated, cases = simple
            owned = self.target.owned(snapshot_id, _any(cases))
            return sa.not_(owned) if negated else owned
        cases = self.formula.cases()
        met = {id(case): sa.func.max(sa.case((_sql(case), 1), else_=0)) == 1 for case in cases}
        having = self.formula.having(met)
        if self.formula.unmet():
            return sa.not_(self.target.owned(snapshot_id, _any(cases), having=sa.not_(having)))
        return self.target.owned(snapshot_id, _any(cases), having=having)


def combine(op: LogicalOperator, parts: list[SqlExpr | ChildTest]) -> list[SqlExpr | ChildTest]:
    """The parts of an `and`/`or`, with the tests of the same children made one."""
    merged: list[SqlExpr | ChildTest] = []
    same: dict[int, list[ChildTest]] = {}
    for part in parts:
        if isinstance(part, ChildTest):
            group = same.setdefault(id(part.target), [])
            group.append(part)
            if len(group) > 1:
                continue
        merged.append(part)
    word: Literal["and", "or"] = "and" if op == LogicalOperator.and_ else "or"
    for position, part in enumerate(merged):
        if isinstance(part, ChildTest) and len(group := same[id(part.target)]) > 1:
            merged[position] = ChildTest(
                part.target, Formula(word, terms=tuple(test.formula for test in group))
            )
    return merged


def _sql(case: Case) -> SqlExpr:
    return case.left() == case.value if isinstance(case, Equal) else case


def _any(cases: list[Case]) -> SqlExpr:
    """The cases or'ed, the string equalities on one column as one IN list."""
    equal: dict[tuple[int, bool], list[Equal]] = {}
    other: list[SqlExpr] = []
    for case in cases:
        if isinstance(case, Equal):
            equal.setdefault((id(case.column), case.exact), []).append(case)
        else:
            other.append(case)
    for group in equal.values():
        values = sorted({case.value for case in group})
        left = group[0].left()
        other.append(left == values[0] if len(values) == 1 else left.in_(values))
    return sa.or_(*other)
