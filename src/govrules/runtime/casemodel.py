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
from collections.abc import Callable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, Literal, Optional

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    Strict,
    StrictBool,
    StrictInt,
    StrictStr,
    ValidationError,
    create_model,
)

from govrules.compiler.policy import CompiledPolicy
from govrules.errors import CaseError, Diagnostic, suggest
from govrules.language.expr.types import Type
from govrules.values import MISSING, record_class

__all__ = ["InvalidCase", "build_case_model", "build_converter", "case_errors"]

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2})?$")


def _exact_number(value: Any) -> Any:
    """Accept Decimal, int or a decimal string; refuse floats and bools by name."""
    if isinstance(value, bool):
        raise ValueError("expected a number, got a boolean")
    if isinstance(value, float):
        raise ValueError(
            f'a float is not exact; give the number as a string such as "{value!r}" or as a Decimal'
        )
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, str):
        try:
            number = Decimal(value.strip())
        except InvalidOperation:
            raise ValueError('expected a decimal number such as "1000000" or "0.04"') from None
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


def _local_datetime(value: Any) -> Any:
    """A local (Beijing) date and time; a time zone is refused rather than converted."""
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            raise ValueError("expected a local date and time without a time zone")
        return value
    if isinstance(value, str) and _DATETIME.match(value):
        try:
            return dt.datetime.fromisoformat(value)
        except ValueError:
            raise ValueError(f"'{value}' is not a real date and time") from None
    raise ValueError("expected a local date and time written YYYY-MM-DDTHH:MM")


_Number = Annotated[Decimal, BeforeValidator(_exact_number)]
_DateTime = Annotated[dt.datetime, BeforeValidator(_local_datetime)]
_Date = Annotated[dt.date, BeforeValidator(_iso_date)]


def _annotation(kind: Type, name: str = "Record") -> Any:
    if kind.kind == "record":
        return _record_model(kind, name)
    if kind.kind == "bool":
        return StrictBool
    if kind.kind == "integer":
        return StrictInt
    if kind.kind in ("decimal", "money", "rate"):
        return _Number
    if kind.kind == "date":
        return _Date
    if kind.kind == "datetime":
        return _DateTime
    if kind.kind == "text":
        return StrictStr
    if kind.kind == "enum":
        return Literal[tuple(kind.values or ())]
    if kind.kind == "list" and kind.item is not None:
        return Annotated[list[_annotation(kind.item, name)], Strict()]  # type: ignore[misc]
    raise AssertionError(kind)


def _record_model(kind: Type, name: str) -> type[BaseModel]:
    """The pydantic model of a record: its fields, required unless declared optional."""
    fields: dict[str, Any] = {}
    for field_name, field_type in kind.fields or ():
        annotation = _annotation(field_type.as_optional(False), f"{name}_{field_name}")
        if field_type.optional:
            fields[field_name] = (Optional[annotation], Field(None))  # noqa: UP045
        else:
            fields[field_name] = (annotation, ...)
    return create_model(name, __config__=ConfigDict(extra="forbid", strict=False), **fields)


def build_case_model(policy: CompiledPolicy) -> type[BaseModel]:
    """The pydantic model of a case for ``policy`` (JSON Schema via ``model_json_schema``)."""
    fields: dict[str, Any] = {}
    for item in policy.inputs:
        spec = policy.model.inputs[item.name]
        bounds = {
            b: getattr(spec, b) for b in ("gt", "ge", "lt", "le") if getattr(spec, b) is not None
        }
        description = " / ".join(t for t in (item.title_zh, item.title_en) if t) or None
        if item.required:
            description = (description + " " if description else "") + "(required)"
        elif item.required_when_text:
            description = (
                description + " " if description else ""
            ) + f"(required when {item.required_when_text})"
        if spec.max_items is not None:
            bounds["max_length"] = spec.max_items
        record_name = "".join(part.title() for part in item.name.split("_"))
        fields[item.name] = (
            Optional[_annotation(item.type.as_optional(False), record_name)],  # noqa: UP045
            Field(None, description=description, **bounds),
        )
    model_name = "Case_" + policy.id.replace(".", "_")
    return create_model(
        model_name,
        __config__=ConfigDict(
            extra="forbid",
            title=f"{policy.id} case",
            json_schema_extra={"description": policy.model.title.en},
        ),
        **fields,
    )


def case_errors(error: ValidationError, policy: CompiledPolicy) -> CaseError:
    """A ``CaseError`` naming each bad field, the value given and what was expected."""
    names = [item.name for item in policy.inputs]
    found = []
    for item in error.errors(include_url=False):
        loc = [str(part) for part in item["loc"]]
        field = _path(item["loc"])
        if item["type"] == "extra_forbidden":
            found.append(
                Diagnostic(
                    "unknown-input",
                    f"'{field}' is not an input of {policy.id}",
                    None,
                    suggest(loc[0], names),
                )
            )
            continue
        message = item["msg"].removeprefix("Value error, ")
        if item["type"] in ("model_type", "dict_type"):
            found.append(Diagnostic("invalid-case", "a case must be a JSON object of facts"))
            continue
        given = item.get("input")
        found.append(Diagnostic("invalid-input", f"{field}: {message} (got {given!r})"))
    return CaseError(found)


def _path(loc: tuple[int | str, ...]) -> str:
    """``nominees[2].name``: where in the case a problem is."""
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(case)"


class InvalidCase(Exception):
    """Raised by a converter when the facts do not fit; the pydantic model then says why."""


def build_converter(policy: CompiledPolicy) -> Callable[[Mapping[str, Any]], list[Any]]:
    """A fast check-and-convert of a case given as a mapping, into the input slot values.

    It accepts exactly what the case model accepts (it shares its value checks); when
    anything is wrong it raises ``InvalidCase`` and the caller asks the pydantic model for
    the detailed errors.
    """
    steps: list[tuple[str, Callable[[Any], Any]]] = []
    names = frozenset(item.name for item in policy.inputs)
    for item in policy.inputs:
        spec = policy.model.inputs[item.name]
        bounds = tuple(
            (b, getattr(spec, b)) for b in ("gt", "ge", "lt", "le") if getattr(spec, b) is not None
        )
        checker = _value_check(item.type, bounds)
        if spec.max_items is not None:
            checker = _at_most(checker, spec.max_items)
        steps.append((item.name, checker))

    def convert(case: Mapping[str, Any]) -> list[Any]:
        if type(case) is not dict and not isinstance(case, Mapping):
            raise InvalidCase
        if not names.issuperset(case):
            raise InvalidCase
        get = case.get
        return [MISSING if (value := get(name)) is None else check(value) for name, check in steps]

    return convert


_BOUND_TESTS: dict[str, Callable[[Any, Any], bool]] = {
    "gt": lambda x, b: x > b,
    "ge": lambda x, b: x >= b,
    "lt": lambda x, b: x < b,
    "le": lambda x, b: x <= b,
}


def _value_check(kind: Type, bounds: tuple[tuple[str, Any], ...]) -> Callable[[Any], Any]:
    base = _base_check(kind)
    if not bounds:
        return base
    if kind.kind in ("decimal", "money", "rate") and len(bounds) == 1 and bounds[0][0] == "gt":
        floor = bounds[0][1]

        def above(value: Any) -> Any:  # the common 'gt: 0' on an amount, in one step
            if type(value) is str:
                try:
                    parsed = Decimal(value)
                except InvalidOperation:
                    raise InvalidCase from None
                if parsed.is_finite() and parsed > floor:
                    return parsed
                raise InvalidCase
            converted = base(value)
            if converted > floor:
                return converted
            raise InvalidCase

        return above
    tests = tuple((_BOUND_TESTS[name], limit) for name, limit in bounds)

    def bounded(value: Any) -> Any:
        converted = base(value)
        for test, limit in tests:
            if not test(converted, limit):
                raise InvalidCase
        return converted

    return bounded


def _at_most(check: Callable[[Any], Any], limit: int) -> Callable[[Any], Any]:
    def limited(value: Any) -> Any:
        items = check(value)
        if len(items) > limit:
            raise InvalidCase
        return items

    return limited


def _record_check(kind: Type) -> Callable[[Any], Any]:
    """A mapping of field values becomes a ``Record``; an optional field not given is unknown."""
    make = record_class(tuple(name for name, _ in kind.fields or ()))
    names = frozenset(name for name, _ in kind.fields or ())
    fields = tuple(
        (name, _base_check(field.as_optional(False)), field.optional)
        for name, field in kind.fields or ()
    )

    def record(value: Any) -> Any:
        if not isinstance(value, Mapping) or not names.issuperset(value):
            raise InvalidCase
        items = []
        for name, check, optional in fields:
            given = value.get(name)
            if given is None:
                if not optional:
                    raise InvalidCase
                items.append(MISSING)
            else:
                items.append(check(given))
        return make(items)

    return record


def _base_check(kind: Type) -> Callable[[Any], Any]:
    if kind.kind == "record":
        return _record_check(kind)
    if kind.kind in ("decimal", "money", "rate"):

        def number(value: Any) -> Any:
            kind_of = type(value)
            if kind_of is str:
                try:
                    parsed = Decimal(value)
                except InvalidOperation:
                    raise InvalidCase from None
                if parsed.is_finite():
                    return parsed
                raise InvalidCase
            if kind_of is Decimal and value.is_finite():
                return value
            try:
                return _exact_number(value)
            except ValueError:
                raise InvalidCase from None

        return number
    if kind.kind == "date":

        def day(value: Any) -> Any:
            if type(value) is dt.date:
                return value
            try:
                return _iso_date(value)
            except ValueError:
                raise InvalidCase from None

        return day
    if kind.kind == "datetime":

        def moment(value: Any) -> Any:
            try:
                return _local_datetime(value)
            except ValueError:
                raise InvalidCase from None

        return moment
    if kind.kind == "list" and kind.item is not None:
        item = _base_check(kind.item)

        def items(value: Any) -> Any:
            if not isinstance(value, list):
                raise InvalidCase
            return [item(element) for element in value]

        return items
    accepted = {"bool": bool, "integer": int, "text": str, "enum": str}[kind.kind]
    members = frozenset(kind.values or ()) if kind.kind == "enum" else None

    def exact(value: Any) -> Any:
        if type(value) is not accepted or (members is not None and value not in members):
            raise InvalidCase
        return value

    return exact
