"""Case models: a pydantic model per policy, generated from its inputs.

Every field is optional at this level -- a fact nobody gave is reported among the decision's
missing facts, not as an error -- but what *is* given must have the right type: money, rates
and decimals are exact (a float is refused, not rounded), dates are ``YYYY-MM-DD``, enums are
one of their values, and nothing is coerced silently.

    Model = build_case_model(compiled)
    Model.model_json_schema()
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, Literal, Optional

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    StrictStr,
    ValidationError,
    create_model,
)

from govrules.errors import CaseError, Diagnostic
from govrules.expr.checker import suggest
from govrules.expr.types import Type
from govrules.policy import CompiledPolicy

__all__ = ["build_case_model", "case_errors"]

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _exact_number(value: Any) -> Any:
    """Accept Decimal, int or a decimal string; refuse floats and bools by name."""
    if isinstance(value, bool):
        raise ValueError("expected a number, got a boolean")
    if isinstance(value, float):
        raise ValueError("a float is not exact; give the number as a string such as "
                         f"\"{value!r}\" or as a Decimal")
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, str):
        try:
            number = Decimal(value.strip())
        except InvalidOperation:
            raise ValueError(f"expected a decimal number such as \"1000000\" or \"0.04\"") \
                from None
        if not number.is_finite():
            raise ValueError("expected a finite number")
        return number
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError("expected a finite number")
        return value
    raise ValueError(f"expected a decimal number, got {type(value).__name__}")


def _iso_date(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        raise ValueError("expected a date without a time of day")
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and _DATE.match(value):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            raise ValueError(f"'{value}' is not a real date") from None
    raise ValueError("expected a date written YYYY-MM-DD")


_Number = Annotated[Decimal, BeforeValidator(_exact_number)]
_Date = Annotated[dt.date, BeforeValidator(_iso_date)]


def _annotation(kind: Type) -> Any:
    if kind.kind == "bool":
        return StrictBool
    if kind.kind == "integer":
        return StrictInt
    if kind.kind in ("decimal", "money", "rate"):
        return _Number
    if kind.kind == "date":
        return _Date
    if kind.kind == "text":
        return StrictStr
    if kind.kind == "enum":
        return Literal[tuple(kind.values or ())]  # type: ignore[misc]
    if kind.kind == "list" and kind.item is not None:
        return list[_annotation(kind.item)]  # type: ignore[misc]
    raise AssertionError(kind)


def build_case_model(policy: CompiledPolicy) -> type[BaseModel]:
    """The pydantic model of a case for ``policy`` (JSON Schema via ``model_json_schema``)."""
    fields: dict[str, Any] = {}
    for item in policy.inputs:
        spec = policy.model.inputs[item.name]
        bounds = {b: getattr(spec, b) for b in ("gt", "ge", "lt", "le")
                  if getattr(spec, b) is not None}
        description = " / ".join(t for t in (item.title_zh, item.title_en) if t) or None
        if item.required:
            description = (description + " " if description else "") + "(required)"
        elif item.required_when_text:
            description = (description + " " if description else "") + \
                f"(required when {item.required_when_text})"
        fields[item.name] = (Optional[_annotation(item.type)],  # noqa: UP045
                             Field(None, description=description, **bounds))
    model_name = "Case_" + policy.id.replace(".", "_")
    return create_model(  # type: ignore[call-overload, no-any-return]
        model_name,
        __config__=ConfigDict(extra="forbid", title=f"{policy.id} case",
                              json_schema_extra={"description": policy.model.title.en}),
        **fields)


def case_errors(error: ValidationError, policy: CompiledPolicy) -> CaseError:
    """A ``CaseError`` naming each bad field, the value given and what was expected."""
    names = [item.name for item in policy.inputs]
    found = []
    for item in error.errors(include_url=False):
        loc = [str(part) for part in item["loc"]]
        field = ".".join(loc) if loc else "(case)"
        if item["type"] == "extra_forbidden":
            found.append(Diagnostic("unknown-input", f"'{field}' is not an input of "
                                    f"{policy.id}", None, suggest(loc[0], names)))
            continue
        message = item["msg"].removeprefix("Value error, ")
        if item["type"] in ("model_type", "dict_type"):
            found.append(Diagnostic("invalid-case", "a case must be a JSON object of facts"))
            continue
        given = item.get("input")
        found.append(Diagnostic("invalid-input",
                                f"{field}: {message} (got {given!r})"))
    return CaseError(found)
