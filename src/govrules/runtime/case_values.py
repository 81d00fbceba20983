"""The check of one given value against its input type and the limits: the one place that says
what a case may hold, shared by the pydantic case model and the fast converter so that the two
accept exactly the same cases.

A check takes what the caller gave and returns the value rules compute with, or raises
``ValueError`` with a message saying what was expected:

    check = scalar_check(MONEY, (("gt", Decimal(0)),))
    check("1000000")         # Decimal('1000000')
    check("１０００")          # ValueError: expected a decimal number written with ASCII digits ...

A member of a ``StrEnum`` or ``IntEnum`` (any subclass of ``str``, ``int``, ``Decimal``, ``date``
or ``datetime``) is read as its plain value; ``bool`` is never a number.
"""

from __future__ import annotations

import datetime as dt
import operator
import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from govrules.errors import suggest
from govrules.language.expr.types import Type
from govrules.runtime import case_patterns
from govrules.runtime.limits import (
    EARLIEST_DATE,
    FORBIDDEN_CHARACTERS,
    LATEST_DATE,
    MAX_DECIMAL_PLACES,
    MAX_INTEGER,
    MAX_INTEGER_DIGITS,
    MAX_MAGNITUDE,
    MAX_TEXT_LENGTH,
    RATE_MAX,
    RATE_MIN,
)

__all__ = [
    "DECIMAL_TEXT",
    "DATE_TEXT",
    "DATETIME_TEXT",
    "Bounds",
    "declared_bounds",
    "scalar_check",
]

Bounds = tuple[tuple[str, Any], ...]  # (("gt", Decimal(0)), ("le", Decimal(1)))

# A decimal number given as text: ASCII digits, an optional minus, no exponent, no separators.
DECIMAL_TEXT = re.compile(case_patterns.DECIMAL_TEXT)
DATE_TEXT = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
DATETIME_TEXT = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}(?::[0-9]{2})?")
_LOOSE_NUMBER = re.compile(r"\s*[-+]?[0-9]*\.?[0-9]*(?:[eE][-+]?[0-9]+)?\s*")


def declared_bounds(spec: Any) -> Bounds:
    """The bounds an input or a record field declares, in a fixed order: ``(("ge", 0), ...)``."""
    return tuple(
        (name, limit)
        for name in ("gt", "ge", "lt", "le")
        if (limit := getattr(spec, name, None)) is not None
    )


_BOUND_WORDS = {"gt": "greater than", "ge": "at least", "lt": "less than", "le": "at most"}
_BOUND_TESTS: dict[str, Callable[[Any, Any], bool]] = {
    "gt": operator.gt,
    "ge": operator.ge,
    "lt": operator.lt,
    "le": operator.le,
}


def scalar_check(kind: Type, bounds: Bounds = ()) -> Callable[[Any], Any]:
    """The check of a value of a scalar ``kind`` (not a list or a record), with the policy's
    bounds (``gt``/``ge``/``lt``/``le``) after the type's own limits."""
    base = _BASE[kind.kind](kind)
    if not bounds:
        return base
    tests = tuple(
        (_BOUND_TESTS[name], limit, f"{_BOUND_WORDS[name]} {limit}") for name, limit in bounds
    )

    def bounded(value: Any) -> Any:
        converted = base(value)
        for test, limit, words in tests:
            if not test(converted, limit):
                raise ValueError(f"must be {words}")
        return converted

    return bounded


# --------------------------------------------------------------------------- numbers


def _number(kind: Type) -> Callable[[Any], Any]:
    name = {"money": "an amount of money", "rate": "a rate", "decimal": "a decimal number"}[
        kind.kind
    ]
    rate = kind.kind == "rate"
    in_range = _rate_range if rate else _magnitude
    fullmatch = DECIMAL_TEXT.fullmatch

    def number(value: Any) -> Any:
        if type(value) is str:  # the usual case, checked inline: one call per value
            if fullmatch(value) is None:
                raise ValueError(_number_text_problem(value, name))
            parsed = Decimal(value)
            if parsed.adjusted() >= MAX_INTEGER_DIGITS or (
                rate and not RATE_MIN <= parsed <= RATE_MAX
            ):
                in_range(parsed)  # raises, saying why
            return parsed
        given = type(value)
        if given is Decimal:
            parsed = _finite(value)
        elif given is int:
            parsed = _whole(value)
        else:
            parsed = _other_number(value, name)
        in_range(parsed)
        return parsed

    return number


def _other_number(value: Any, name: str) -> Decimal:
    """A value of another type for a decimal input: a subclass is read as its plain value."""
    if isinstance(value, bool):
        raise ValueError(f"expected {name}, got a boolean")
    if isinstance(value, float):
        raise ValueError(
            f'a float is not exact; give the number as a string such as "{value!r}" or as a Decimal'
        )
    if isinstance(value, str):
        return Decimal(_text_of(value)) if DECIMAL_TEXT.fullmatch(value) else _bad_text(value, name)
    if isinstance(value, Decimal):
        return _finite(Decimal(value))
    if isinstance(value, int):
        return _whole(int.__int__(value))
    raise ValueError(f"expected {name}, got {_kind_of(value)}")


def _bad_text(value: str, name: str) -> Decimal:
    raise ValueError(_number_text_problem(value, name))


def _number_text_problem(text: str, name: str) -> str:
    """Why a text is not a decimal number as a case writes one."""
    if len(text) > MAX_TEXT_LENGTH:
        return f"expected {name} written with ASCII digits; got a text of {len(text):,} characters"
    if any(c.isnumeric() and not "0" <= c <= "9" for c in text):
        reason = "digits other than ASCII 0-9"
    elif text.strip() != text:
        reason = "spaces around the number"
    elif text.startswith("+"):
        reason = "a plus sign"
    elif "_" in text or "," in text:
        reason = "digit separators"
    elif "e" in text.lower() and _LOOSE_NUMBER.fullmatch(text):
        reason = "an exponent"
    elif _LOOSE_NUMBER.fullmatch(text) and "." in text:
        places = len(text.partition(".")[2])
        integer = text.lstrip("-").partition(".")[0]
        if places > MAX_DECIMAL_PLACES:
            reason = f"{places} decimal places (at most {MAX_DECIMAL_PLACES})"
        elif len(integer) > MAX_INTEGER_DIGITS:
            reason = f"{len(integer)} digits before the point (at most {MAX_INTEGER_DIGITS})"
        else:
            reason = "a malformed number"
    elif _LOOSE_NUMBER.fullmatch(text) and len(text.lstrip("-")) > MAX_INTEGER_DIGITS:
        reason = f"{len(text.lstrip('-'))} digits (at most {MAX_INTEGER_DIGITS} before the point)"
    else:
        reason = "not a number"
    return (
        f'expected {name} written with ASCII digits, such as "1000000" or "0.04" '
        f"(no plus sign, spaces, separators or exponent): {reason}"
    )


def _finite(value: Decimal) -> Decimal:
    if not value.is_finite():
        raise ValueError("expected a finite number")
    exponent = value.as_tuple().exponent
    assert isinstance(exponent, int)
    if exponent < -MAX_DECIMAL_PLACES:
        raise ValueError(
            f"has {-exponent} decimal places; at most {MAX_DECIMAL_PLACES} are accepted"
        )
    return value


def _whole(value: int) -> Decimal:
    if not -MAX_MAGNITUDE < value < MAX_MAGNITUDE:
        raise ValueError(_too_large())
    return Decimal(value)


def _too_large() -> str:
    return f"must be less than 10^{MAX_INTEGER_DIGITS} in size (the limit of govrules)"


def _magnitude(value: Decimal) -> None:
    if value.adjusted() >= MAX_INTEGER_DIGITS:  # for a zero, its exponent: 0E+15 is refused
        raise ValueError(_too_large())


def _rate_range(value: Decimal) -> None:
    _magnitude(value)
    if not RATE_MIN <= value <= RATE_MAX:
        raise ValueError(
            f"a rate is a fraction (0.04 is 4%) and must lie within [{RATE_MIN}, {RATE_MAX}]"
        )


def _integer(kind: Type) -> Callable[[Any], Any]:
    def integer(value: Any) -> Any:
        if type(value) is not int:
            if isinstance(value, bool) or not isinstance(value, int):
                raise ValueError(f"expected a whole number, got {_kind_of(value)}")
            value = int.__int__(value)
        if not -MAX_INTEGER <= value <= MAX_INTEGER:
            raise ValueError(
                f"must lie within -{MAX_INTEGER:,} to {MAX_INTEGER:,} (the limit of govrules)"
            )
        return value

    return integer


# --------------------------------------------------------------------------- dates


def _in_calendar(day: dt.date) -> None:
    if not EARLIEST_DATE <= day <= LATEST_DATE:
        raise ValueError(
            f"must lie within {EARLIEST_DATE} to {LATEST_DATE}, the range of the "
            "working-day calendar"
        )


# Dates already read, by their text: the same days recur across the cases of a batch. Only dates
# that passed every check are kept, and all are forgotten at once when too many are.
_DAYS_READ: dict[str, dt.date] = {}
_DAYS_KEPT = 1 << 14


def _date(kind: Type) -> Callable[[Any], Any]:
    read = _DAYS_READ.get

    def day(value: Any) -> Any:
        given = type(value)
        if given is str:
            known = read(value)
            if known is not None:
                return known
            if not DATE_TEXT.fullmatch(value):
                raise ValueError("expected a date written YYYY-MM-DD")
            try:
                parsed = dt.date.fromisoformat(value)
            except ValueError:
                raise ValueError(f"'{value}' is not a real date") from None
        elif given is dt.date:
            parsed = value
        elif isinstance(value, dt.datetime):
            raise ValueError("expected a date without a time of day")
        elif isinstance(value, dt.date):
            parsed = dt.date(value.year, value.month, value.day)
        elif isinstance(value, str):
            return day(_text_of(value))
        else:
            raise ValueError(f"expected a date written YYYY-MM-DD, got {_kind_of(value)}")
        _in_calendar(parsed)
        if given is str:
            if len(_DAYS_READ) >= _DAYS_KEPT:
                _DAYS_READ.clear()
            _DAYS_READ[value] = parsed
        return parsed

    return day


def _datetime(kind: Type) -> Callable[[Any], Any]:
    """A local (Beijing) date and time; a time zone is refused rather than converted."""

    def moment(value: Any) -> Any:
        if isinstance(value, dt.datetime):
            if value.tzinfo is not None:
                raise ValueError("expected a local date and time without a time zone")
            parsed = value
            if type(value) is not dt.datetime:  # a subclass: its plain date and time
                parsed = dt.datetime.combine(value.date(), value.time())
        elif isinstance(value, str):
            text = _text_of(value)
            if not DATETIME_TEXT.fullmatch(text):
                raise ValueError("expected a local date and time written YYYY-MM-DDTHH:MM")
            try:
                parsed = dt.datetime.fromisoformat(text)
            except ValueError:
                raise ValueError(f"'{text}' is not a real date and time") from None
        else:
            raise ValueError(
                f"expected a local date and time written YYYY-MM-DDTHH:MM, got {_kind_of(value)}"
            )
        _in_calendar(parsed.date())
        return parsed

    return moment


# --------------------------------------------------------------------------- the rest


def _bool(kind: Type) -> Callable[[Any], Any]:
    def flag(value: Any) -> Any:
        if type(value) is not bool:
            raise ValueError(f"expected true or false, got {_kind_of(value)}")
        return value

    return flag


def _text(kind: Type) -> Callable[[Any], Any]:
    def text(value: Any) -> Any:
        if type(value) is not str:
            if not isinstance(value, str):
                raise ValueError(f"expected a text, got {_kind_of(value)}")
            value = _text_of(value)
        return checked_text(value)

    return text


def checked_text(value: str) -> str:
    """A text within the length limit and free of control characters and lone surrogates."""
    if len(value) > MAX_TEXT_LENGTH:
        raise ValueError(
            f"a text of {len(value):,} characters; at most {MAX_TEXT_LENGTH:,} are accepted"
        )
    bad = FORBIDDEN_CHARACTERS.search(value)
    if bad is not None:
        code = ord(bad.group())
        what = "a lone surrogate" if 0xD800 <= code <= 0xDFFF else "the control character"
        raise ValueError(f"contains {what} U+{code:04X} at position {bad.start()}")
    return value


def _enum(kind: Type) -> Callable[[Any], Any]:
    members = frozenset(kind.values or ())
    listed = ", ".join(repr(v) for v in kind.values or ())

    def member(value: Any) -> Any:
        if type(value) is not str:
            if not isinstance(value, str):
                raise ValueError(f"expected one of {listed}, got {_kind_of(value)}")
            value = _text_of(value)
        if value not in members:
            hint = suggest(value, members) if len(value) <= 100 else None
            raise ValueError(f"expected one of {listed}" + (f" ({hint})" if hint else ""))
        return value

    return member


def _text_of(value: str) -> str:
    """The plain text of a ``str`` subclass (a ``StrEnum`` member is its value)."""
    return str.__str__(value)


def _kind_of(value: Any) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, Decimal, float)):
        return "a number"
    if isinstance(value, str):
        return "a text"
    if isinstance(value, (list, tuple)):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    if value is None:
        return "null"
    return f"a {type(value).__name__}"


_BASE: dict[str, Callable[[Type], Callable[[Any], Any]]] = {
    "decimal": _number,
    "money": _number,
    "rate": _number,
    "integer": _integer,
    "date": _date,
    "datetime": _datetime,
    "bool": _bool,
    "text": _text,
    "enum": _enum,
}
