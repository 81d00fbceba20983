"""The JSON Schema (Draft 2020-12) of a policy's case: what ``govrules schema POLICY`` prints.

It says in standard keywords what the engine accepts, so that any Draft 2020-12 validator
refuses what the engine refuses: the policy's own titles in Chinese and English, decimals as
strings with a ``pattern`` (their bounds as patterns too, since ``minimum`` ignores strings) or
as JSON numbers with ``minimum``/``exclusiveMaximum``, dates as patterns of real dates within
the calendar's range, enums as ``enum``, records with ``additionalProperties: false``, lists
with ``maxItems``, text with ``maxLength``. Every input may be ``null`` (not known).

One thing JSON Schema cannot say: how many decimal places a JSON *number* has. The engine reads
JSON numbers exactly and refuses one with more than ``MAX_DECIMAL_PLACES``; write decimals as
strings to have a validator check everything.

    schema = case_schema(policy)
    jsonschema.Draft202012Validator(schema).is_valid({"contract_price": "1000000"})
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from govrules.compiler.policy import CompiledPolicy
from govrules.language.expr.types import Type
from govrules.runtime import case_patterns as patterns
from govrules.runtime.case_values import declared_bounds
from govrules.runtime.limits import (
    MAX_INTEGER,
    MAX_LIST_ITEMS,
    MAX_MAGNITUDE,
    MAX_TEXT_LENGTH,
    RATE_MAX,
    RATE_MIN,
)

__all__ = ["case_schema", "scalar_schema"]

DRAFT = "https://json-schema.org/draft/2020-12/schema"

# A bound: its value and whether it is inclusive (ge, le) or not (gt, lt).
_Bound = tuple[Any, bool]


def case_schema(policy: CompiledPolicy) -> dict[str, Any]:
    """The Draft 2020-12 schema of the facts of a case for ``policy`` (no envelope)."""
    title = policy.model.title
    properties: dict[str, Any] = {}
    for item in policy.inputs:
        spec = policy.model.inputs[item.name]
        lower, upper = _bounds_of(spec)
        limit = MAX_LIST_ITEMS if spec.max_items is None else spec.max_items
        value = _value(item.type.as_optional(False), lower, upper, limit, _fields_of(spec))
        described = _titled(_or_null(value), item.title_zh, item.title_en)
        notes = [spec.description] if spec.description else []
        if item.required:
            notes.append("Required for a complete decision.")
        elif item.required_when_text:
            notes.append(f"Required when {item.required_when_text}.")
        if notes:
            described["description"] = " ".join(notes)
        properties[item.name] = described
    return {
        "$schema": DRAFT,
        "$id": f"urn:govrules:case:{policy.id}:{policy.version}",
        "title": f"{title.zh} / {title.en}",
        "description": (
            f"The facts of one case for {policy.id} {policy.version}"
            + (f": {policy.model.description.strip()}" if policy.model.description else ".")
        ),
        "type": "object",
        "properties": properties,
        "additionalProperties": False,
    }


def scalar_schema(kind: Type, bounds: tuple[tuple[str, Any], ...] = ()) -> dict[str, Any]:
    """The schema of one scalar value with the policy's bounds (``(("gt", 0),)``), as the case
    schema writes it; pydantic uses it when a case model is part of a larger model."""
    lower, upper = _split(bounds)
    return _value(kind, lower, upper, MAX_LIST_ITEMS, {})


def _bounds_of(spec: Any) -> tuple[list[_Bound], list[_Bound]]:
    """The lower and upper bounds an input or a record field declares."""
    return _split(declared_bounds(spec))


def _split(bounds: tuple[tuple[str, Any], ...]) -> tuple[list[_Bound], list[_Bound]]:
    lower = [(b, name == "ge") for name, b in bounds if name in ("gt", "ge")]
    upper = [(b, name == "le") for name, b in bounds if name in ("lt", "le")]
    return lower, upper


def _fields_of(spec: Any) -> dict[str, Any]:
    return dict(spec.fields or {})


def _or_null(schema: dict[str, Any]) -> dict[str, Any]:
    """``schema`` or ``null`` (a fact not known)."""
    if list(schema) == ["anyOf"]:
        return {"anyOf": [*schema["anyOf"], {"type": "null"}]}
    return {"anyOf": [schema, {"type": "null"}]}


def _titled(schema: dict[str, Any], zh: str | None, en: str | None) -> dict[str, Any]:
    title = " / ".join(t for t in (zh, en) if t)
    return {"title": title, **schema} if title else schema


def _value(
    kind: Type, lower: list[_Bound], upper: list[_Bound], limit: int, fields: dict[str, Any]
) -> dict[str, Any]:
    if kind.kind == "record":
        return _record(kind, fields)
    if kind.kind == "list" and kind.item is not None:
        item = _value(kind.item, [], [], MAX_LIST_ITEMS, fields)
        return {"type": "array", "items": item, "maxItems": limit}
    if kind.kind in ("money", "decimal", "rate"):
        return _decimal(kind.kind, lower, upper)
    if kind.kind == "integer":
        low = _tightest([*lower, (-MAX_INTEGER, True)], max)
        high = _tightest([*upper, (MAX_INTEGER, True)], min)
        return {"type": "integer", **_number_bounds(low, high)}
    if kind.kind == "date":
        found = [{"pattern": patterns.DATE_PATTERN}]
        found += [{"pattern": patterns.date_at_least(_day(b), inclusive)} for b, inclusive in lower]
        found += [{"pattern": patterns.date_at_most(_day(b), inclusive)} for b, inclusive in upper]
        if len(found) == 1:
            return {"type": "string", **found[0]}
        return {"type": "string", "allOf": found}
    if kind.kind == "datetime":
        return {"type": "string", "pattern": patterns.DATETIME_PATTERN}
    if kind.kind == "text":
        return {"type": "string", "maxLength": MAX_TEXT_LENGTH, "pattern": patterns.TEXT_PATTERN}
    if kind.kind == "enum":
        return {"type": "string", "enum": list(kind.values or ())}
    if kind.kind == "bool":
        return {"type": "boolean"}
    raise AssertionError(kind)


def _record(kind: Type, specs: dict[str, Any]) -> dict[str, Any]:
    properties: dict[str, Any] = {}
    required = []
    for name, field in kind.fields or ():
        spec = specs.get(name)
        lower, upper = _bounds_of(spec)
        value = _value(field.as_optional(False), lower, upper, MAX_LIST_ITEMS, {})
        if field.optional:
            value = _or_null(value)
        else:
            required.append(name)
        title = getattr(spec, "title", None)
        value = _titled(value, title.zh if title else None, title.en if title else None)
        description = getattr(spec, "description", None)
        if description:
            value["description"] = description
        properties[name] = value
    return {
        "type": "object",
        "properties": properties,
        "required": required,
        "additionalProperties": False,
    }


def _decimal(kind: str, lower: list[_Bound], upper: list[_Bound]) -> dict[str, Any]:
    """A decimal as text (a pattern for each bound) or as a JSON number (minimum, maximum)."""
    if kind == "rate":
        lower, upper = [*lower, (RATE_MIN, True)], [*upper, (RATE_MAX, True)]
    low = _tightest(lower, max)
    high = _tightest(upper, min)
    text = [{"pattern": patterns.DECIMAL_PATTERN}]
    if low is not None:
        text.append({"pattern": patterns.decimal_at_least(Decimal(low[0]), low[1])})
    if high is not None:
        text.append({"pattern": patterns.decimal_at_most(Decimal(high[0]), high[1])})
    low = _tightest([*([low] if low else []), (-MAX_MAGNITUDE, False)], max)
    high = _tightest([*([high] if high else []), (MAX_MAGNITUDE, False)], min)
    return {
        "anyOf": [
            {"type": "string", "allOf": text},
            {"type": "number", **_number_bounds(low, high)},
        ]
    }


def _tightest(bounds: list[_Bound], pick: Any) -> _Bound | None:
    """The strictest of several lower (``pick=max``) or upper (``pick=min``) bounds; of two
    equal values the exclusive one."""
    if not bounds:
        return None
    value = pick(Decimal(b) for b, _ in bounds)
    return value, all(inclusive for b, inclusive in bounds if Decimal(b) == value)


def _number_bounds(low: _Bound | None, high: _Bound | None) -> dict[str, Any]:
    found: dict[str, Any] = {}
    if low is not None:
        found["minimum" if low[1] else "exclusiveMinimum"] = _json_number(low[0])
    if high is not None:
        found["maximum" if high[1] else "exclusiveMaximum"] = _json_number(high[0])
    return found


def _json_number(value: Decimal) -> int | float:
    """A bound as JSON writes it: an integer when it is one, else the shortest float that
    reads back as the same decimal."""
    return int(value) if value == value.to_integral_value() else float(value)


def _day(bound: Any) -> dt.date:
    assert isinstance(bound, dt.date)
    return bound
