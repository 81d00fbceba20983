"""Case models: a pydantic model per policy, generated from its inputs, and the fast converter
the engine runs first.

Every field is optional at this level -- a fact nobody gave is reported among the decision's
missing facts, not as an error -- but what *is* given must have the right type and lie within
the limits of ``runtime/limits.py``: money, rates and decimals are exact (a float is refused,
not rounded), dates are ``YYYY-MM-DD`` within the calendar's range, enums are one of their
values, and nothing is coerced silently. Both the model and the converter check each value
with the same functions (``runtime/case_values.py``), so they accept exactly the same cases.

    Model = build_case_model(compiled)
    Model.model_json_schema()       # Draft 2020-12, from runtime/case_schema.py
"""

from __future__ import annotations

import copy
import operator
import reprlib
from collections.abc import Callable, Mapping
from decimal import Decimal
from types import MappingProxyType
from typing import TYPE_CHECKING, Annotated, Any, Optional

from govrules.compiler.policy import CompiledPolicy
from govrules.errors import CaseError, Diagnostic, suggest
from govrules.language.expr.types import Type
from govrules.runtime.case_schema import case_schema, scalar_schema
from govrules.runtime.case_values import DECIMAL_TEXT, Bounds, declared_bounds, scalar_check
from govrules.runtime.limits import (
    MAX_DIAGNOSTICS,
    MAX_LIST_ITEMS,
    RATE_MAX,
    RATE_MIN,
)
from govrules.values import MISSING, exact_decimal, record_class

if TYPE_CHECKING:
    from pydantic import BaseModel, ValidationError

__all__ = ["InvalidCase", "build_case_model", "build_converter", "case_errors"]

Fields = Mapping[str, Any]  # a record's declared fields (FieldModel) by name
_NONE: Fields = MappingProxyType({})


# the policy's plain header, not its file model: a policy from the compiled cache reads its
# file model (pydantic) only when first asked for, and a valid case never asks
def _input_bounds(policy: CompiledPolicy, name: str) -> Bounds:
    return declared_bounds(policy.header.input_limits[name])


def _field_specs(policy: CompiledPolicy, name: str) -> Fields:
    """The declared fields of a record input (or of a list of records), by name."""
    return dict(policy.header.input_limits[name].fields or {})


def _list_limit(policy: CompiledPolicy, name: str) -> int:
    limit = policy.header.input_limits[name].max_items
    return MAX_LIST_ITEMS if limit is None else limit


# --------------------------------------------------------------------------- the model


def _checked_list(limit: int) -> Callable[[Any], Any]:
    def given_list(value: Any) -> Any:
        if not isinstance(value, list):
            raise ValueError("expected a list")
        if len(value) > limit:
            raise ValueError(f"a list of {len(value):,} items; at most {limit:,} are accepted")
        return value

    return given_list


def _checked_record(value: Any) -> Any:
    if not isinstance(value, Mapping):
        raise ValueError("expected an object of the record's fields")
    return value if type(value) is dict else dict(value)


def _annotation(
    kind: Type, name: str, bounds: Bounds = (), limit: int = MAX_LIST_ITEMS, fields: Fields = _NONE
) -> Any:
    # pydantic is imported when a model is first built: a case the converter accepts (every
    # valid case) never needs it, and a cold command line would pay for its import
    from pydantic import BeforeValidator, PlainValidator, WithJsonSchema

    if kind.kind == "record":
        return Annotated[_record_model(kind, name, fields), BeforeValidator(_checked_record)]
    if kind.kind == "list" and kind.item is not None:
        item = _annotation(kind.item, name, fields=fields)
        return Annotated[list[item], BeforeValidator(_checked_list(limit))]  # type: ignore[valid-type]
    return Annotated[
        Any, PlainValidator(scalar_check(kind, bounds)), WithJsonSchema(scalar_schema(kind, bounds))
    ]


def _record_model(kind: Type, name: str, specs: Fields) -> type[BaseModel]:
    """The pydantic model of a record: its fields, required unless declared optional, each
    within its declared bounds."""
    from pydantic import ConfigDict, Field, create_model

    fields: dict[str, Any] = {}
    for field_name, field_type in kind.fields or ():
        bounds = declared_bounds(specs.get(field_name))
        annotation = _annotation(field_type.as_optional(False), f"{name}_{field_name}", bounds)
        if field_type.optional:
            fields[field_name] = (Optional[annotation], Field(None))  # noqa: UP045
        else:
            fields[field_name] = (annotation, ...)
    return create_model(name, __config__=ConfigDict(extra="forbid"), **fields)


def build_case_model(policy: CompiledPolicy) -> type[BaseModel]:
    """The pydantic model of a case for ``policy``; ``model_json_schema()`` gives its standard
    JSON Schema (``runtime/case_schema.py``), not pydantic's."""
    from pydantic import BaseModel, ConfigDict, Field, create_model

    schema = case_schema(policy)

    class Case(BaseModel):
        model_config = ConfigDict(extra="forbid", title=f"{policy.id} case")

        @classmethod
        def model_json_schema(cls, *args: Any, **kwargs: Any) -> dict[str, Any]:
            return copy.deepcopy(schema)

    fields: dict[str, Any] = {}
    for item in policy.inputs:
        record_name = "".join(part.title() for part in item.name.split("_"))
        annotation = _annotation(
            item.type.as_optional(False),
            record_name,
            _input_bounds(policy, item.name),
            _list_limit(policy, item.name),
            _field_specs(policy, item.name),
        )
        fields[item.name] = (Optional[annotation], Field(None))  # noqa: UP045
    return create_model("Case_" + policy.id.replace(".", "_"), __base__=Case, **fields)


# --------------------------------------------------------------------------- errors

_GIVEN = reprlib.Repr()  # a short, escaped echo of what was given, however large or deep
_GIVEN.maxlevel, _GIVEN.maxstring, _GIVEN.maxother = 2, 60, 60
_GIVEN.maxlist = _GIVEN.maxtuple = _GIVEN.maxdict = _GIVEN.maxset = 4


def case_errors(error: ValidationError, policy: CompiledPolicy) -> CaseError:
    """A ``CaseError`` naming each bad field, the value given and what was expected (at most
    ``MAX_DIAGNOSTICS`` of them, then how many more there are)."""
    names = [item.name for item in policy.inputs]
    found = []
    problems = error.errors(include_url=False)
    for item in problems[:MAX_DIAGNOSTICS]:
        loc = item["loc"]
        field = _path(loc)
        if item["type"] in ("extra_forbidden", "invalid_key"):
            hint = suggest(loc[0], names) if len(loc) == 1 and isinstance(loc[0], str) else None
            found.append(
                Diagnostic("unknown-input", f"{field} is not an input of {policy.id}", None, hint)
                if len(loc) == 1
                else Diagnostic("invalid-input", f"{field}: not a field of this record")
            )
            continue
        if item["type"] in ("model_type", "dict_type"):
            found.append(Diagnostic("invalid-case", "a case must be a JSON object of facts"))
            continue
        message = item["msg"].removeprefix("Value error, ")
        given = _GIVEN.repr(item.get("input"))
        found.append(Diagnostic("invalid-input", f"{field}: {message} (got {given})"))
    if len(problems) > MAX_DIAGNOSTICS:
        more = len(problems) - MAX_DIAGNOSTICS
        found.append(Diagnostic("invalid-input", f"... and {more:,} more problems"))
    return CaseError(found)


def _path(loc: tuple[int | str, ...]) -> str:
    """``nominees[2].name``: where in the case a problem is (odd keys quoted)."""
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
            continue
        key = part if part.isidentifier() else _GIVEN.repr(part)
        text += f".{key}" if text else key
    return text or "(case)"


# --------------------------------------------------------------------------- the converter


class InvalidCase(Exception):
    """Raised by a converter when the facts do not fit; the pydantic model then says why."""


def build_converter(policy: CompiledPolicy) -> Callable[[Mapping[str, Any]], list[Any]]:
    """A fast check-and-convert of a case given as a mapping, into the input slot values.

    It accepts exactly what the case model accepts (it runs the same value checks); when
    anything is wrong it raises ``InvalidCase`` and the caller asks the pydantic model for
    the detailed errors.
    """
    steps = tuple(
        (
            item.name,
            _check(
                item.type.as_optional(False),
                _input_bounds(policy, item.name),
                _list_limit(policy, item.name),
                _field_specs(policy, item.name),
            ),
        )
        for item in policy.inputs
    )
    names = frozenset(item.name for item in policy.inputs)

    def convert(case: Mapping[str, Any]) -> list[Any]:
        if type(case) is not dict and not isinstance(case, Mapping):
            raise InvalidCase
        if not names.issuperset(case):
            raise InvalidCase
        get = case.get
        try:
            return [
                MISSING if (value := get(name)) is None else check(value) for name, check in steps
            ]
        except ValueError:
            raise InvalidCase from None

    return convert


def _check(
    kind: Type, bounds: Bounds = (), limit: int = MAX_LIST_ITEMS, fields: Fields = _NONE
) -> Callable[[Any], Any]:
    """The converter's check of one value: ``ValueError`` when it does not fit."""
    if kind.kind == "record":
        return _record_check(kind, fields)
    if kind.kind == "list" and kind.item is not None:
        item = _check(kind.item, fields=fields)

        def items(value: Any) -> Any:
            if not isinstance(value, list) or len(value) > limit:
                raise ValueError
            return [item(element) for element in value]

        return items
    if kind.kind in _DECIMAL_KINDS:
        return _exact_number(kind, bounds)
    return scalar_check(kind, bounds)


_DECIMAL_KINDS = frozenset({"decimal", "money", "rate"})
_ZERO = Decimal(0)
_BOUND_TESTS = {"gt": operator.gt, "ge": operator.ge, "lt": operator.lt, "le": operator.le}


def _exact_number(kind: Type, bounds: Bounds) -> Callable[[Any], Any]:
    """The converter's check of a decimal value: the case model's check, and the number in its
    one spelling (``exact_decimal``: 1000000.00 is 1000000), which is how the evaluation takes
    every fact. A text of ASCII digits, the usual case, is read once, compared with the limits
    that can fail, and its spelling told from the text; anything else takes the model's check."""
    check = scalar_check(kind, bounds)
    fullmatch = DECIMAL_TEXT.fullmatch
    tests = _limits(kind, bounds)

    def number(value: Any) -> Any:
        if type(value) is not str or fullmatch(value) is None:
            return exact_decimal(check(value))  # the check raises for a bad text
        # the pattern allows no more than MAX_INTEGER_DIGITS digits before the point, so the
        # magnitude is within the limit
        parsed = Decimal(value)
        for test, limit in tests:
            if not test(parsed, limit):
                raise ValueError
        if value[-1] != "0":
            return parsed
        # the text has no exponent: only zeros after a point, or a negative zero, spell the
        # number another way
        if "." in value:
            if not parsed:
                return _ZERO
            kept = value.rstrip("0")
            return Decimal(kept[:-1] if kept[-1] == "." else kept)
        return _ZERO if value == "-0" else parsed

    return number


def _limits(kind: Type, bounds: Bounds) -> tuple[tuple[Callable[[Any, Any], bool], Any], ...]:
    """The comparisons a decimal value must pass: the declared bounds, and a rate's own range
    where the bounds do not already imply it (``gt: 0`` implies at least -1): a comparison of
    decimals costs as much as reading one."""
    tests = [(_BOUND_TESTS[name], limit) for name, limit in bounds]
    if kind.kind == "rate":
        if not any(name in ("gt", "ge") and limit >= RATE_MIN for name, limit in bounds):
            tests.append((operator.ge, RATE_MIN))
        if not any(name in ("lt", "le") and limit <= RATE_MAX for name, limit in bounds):
            tests.append((operator.le, RATE_MAX))
    return tuple(tests)


def _record_check(kind: Type, specs: Fields) -> Callable[[Any], Any]:
    """A mapping of field values becomes a ``Record``; an optional field not given is unknown."""
    make = record_class(tuple(name for name, _ in kind.fields or ()))
    names = frozenset(name for name, _ in kind.fields or ())
    fields = tuple(
        (name, _check(field.as_optional(False), declared_bounds(specs.get(name))), field.optional)
        for name, field in kind.fields or ()
    )

    def record(value: Any) -> Any:
        if not isinstance(value, Mapping) or not names.issuperset(value):
            raise ValueError
        items = []
        for name, check, optional in fields:
            given = value.get(name)
            if given is None:
                if not optional:
                    raise ValueError
                items.append(MISSING)
            else:
                items.append(check(given))
        return make(items)

    return record
