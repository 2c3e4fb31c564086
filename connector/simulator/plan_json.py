"""An OrganisationPlan to JSON-ready data and back.

The manifest file carries its plan so the benchmark and tests can compare what
they read from AWS with what was planned, without regenerating it. The plan is
nested frozen dataclasses of strings, booleans, optional values and tuples, so
one generic walk over the dataclass fields serves every class in plan.py.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from typing import Any, TypeVar, Union

from .plan import OrganisationPlan

T = TypeVar("T")


def plan_to_data(plan: OrganisationPlan) -> dict[str, Any]:
    data = dataclasses.asdict(plan)
    assert isinstance(data, dict)
    return data


def plan_from_data(data: dict[str, Any]) -> OrganisationPlan:
    plan = _decode(OrganisationPlan, data)
    assert isinstance(plan, OrganisationPlan)
    return plan


def _decode(annotation: Any, value: Any) -> Any:
    if value is None:
        return None
    origin = typing.get_origin(annotation)
    if origin in (Union, types.UnionType):
        options = [arg for arg in typing.get_args(annotation) if arg is not type(None)]
        return _decode(options[0], value)
    if origin is tuple:
        args = typing.get_args(annotation)
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_decode(args[0], item) for item in value)
        return tuple(_decode(arg, item) for arg, item in zip(args, value, strict=True))
    if dataclasses.is_dataclass(annotation) and isinstance(annotation, type):
        hints = typing.get_type_hints(annotation)
        return annotation(
            **{
                field.name: _decode(hints[field.name], value[field.name])
                for field in dataclasses.fields(annotation)
                if field.name in value
            }
        )
    return value
