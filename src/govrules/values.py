"""The values rules compute: ``MISSING`` for what is not known, ``Record`` for a record fact,
and their plain-JSON forms (dates as YYYY-MM-DD, decimals as exact strings, records as objects).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from functools import cache
from typing import Any, ClassVar

__all__ = [
    "MISSING",
    "Missing",
    "Record",
    "canonical_decimal",
    "effective_text",
    "exact_decimal",
    "exact_fact",
    "record_class",
    "to_json_value",
]


class Missing:
    """The value of a fact nobody gave, or of a value no rule set. Falsy, and never equal."""

    __slots__ = ()
    _instance: Missing | None = None

    def __new__(cls) -> Missing:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "MISSING"

    def __reduce__(self) -> str:
        return "MISSING"  # the one instance, in the receiving process too

    def __bool__(self) -> bool:
        return False


MISSING = Missing()


class Record(tuple[Any, ...]):
    """A record value: its fields' values in declared order (``MISSING`` for an optional field
    not given). Each record type is a subclass that knows its field names:

        Sanction = record_class(("date", "kind", "fault"))
        Sanction((date(2026, 3, 1), "warning", "late_filing")).as_dict()["kind"]   # 'warning'
    """

    __slots__ = ()
    names: ClassVar[tuple[str, ...]] = ()

    def as_dict(self) -> dict[str, Any]:
        return dict(zip(self.names, self, strict=True))

    def __repr__(self) -> str:
        return "Record(" + ", ".join(f"{k}={v!r}" for k, v in self.as_dict().items()) + ")"

    def __reduce__(self) -> tuple[Any, ...]:
        # the class is made at run time: rebuild it from the field names
        return (_record, (self.names, tuple(self)))


@cache
def record_class(names: tuple[str, ...]) -> type[Record]:
    """The record type with these field names (one class per set of names)."""
    return type("Record", (Record,), {"__slots__": (), "names": names})


def _record(names: tuple[str, ...], items: tuple[Any, ...]) -> Record:
    return record_class(names)(items)


def to_json_value(value: Any) -> Any:
    """The JSON form of a value: unknown becomes null, a Decimal keeps its exact digits."""
    if value is MISSING or value is None:
        return None
    if isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Record):
        return {name: to_json_value(item) for name, item in value.as_dict().items()}
    if isinstance(value, dict):  # a record as a test or a case writes it
        return {str(key): to_json_value(item) for key, item in value.items()}
    if isinstance(value, (tuple, list, frozenset, set)):
        items = [to_json_value(item) for item in value]
        return sorted(items) if isinstance(value, (set, frozenset)) else items
    raise TypeError(f"no JSON form for {type(value).__name__}")


def exact_decimal(value: Decimal) -> Decimal:
    """The same number in one spelling: 1000000.00 and 1E+6 both become Decimal('1000000'),
    0.0400 becomes Decimal('0.04'); exactly, without a context's rounding. A fact is decided
    in this spelling, so its spelling cannot change a decision or its fingerprint."""
    # Most numbers are already in their one spelling, and their text says so at a tenth of the
    # cost of ``as_tuple()``: no exponent (a context may write it e or E), and either no point
    # or a last digit other than 0. Negative zero and everything else take the long way.
    text = str(value)
    if "E" not in text and "e" not in text and value.is_finite():
        if "." in text:
            if text[-1] != "0":
                return value
        elif text != "-0":
            return value
    sign, digits, exponent = value.as_tuple()
    if not isinstance(exponent, int):
        raise ValueError(f"{value} is not a finite number")
    if exponent > 0:
        return Decimal((sign, digits + (0,) * exponent, 0)) if digits != (0,) else Decimal(0)
    if exponent == 0 or digits[-1] != 0:
        return value if digits != (0,) or not sign else Decimal(0)
    kept = list(digits)
    while len(kept) > 1 and kept[-1] == 0 and exponent < 0:
        kept.pop()
        exponent += 1
    if kept == [0]:
        return Decimal(0)
    return Decimal((sign, tuple(kept), exponent))


def exact_fact(value: Any) -> Any:
    """A fact with every decimal in it (in a list, in a record) in its one spelling."""
    if type(value) is Decimal:
        return exact_decimal(value)
    if isinstance(value, Record):
        return type(value)(exact_fact(item) for item in value)
    if isinstance(value, list):
        return [exact_fact(item) for item in value]
    return value


def canonical_decimal(value: Decimal) -> str:
    """One spelling per amount (1000000, 1000000.00 and 1E+6 all give '1000000'), exactly:
    trailing zeros are dropped digit by digit, never by rounding to a context's precision, so
    0.04 and 0.039999999999999999999999999999 stay two amounts."""
    return format(exact_decimal(value), "f")


def effective_text(day: dt.date) -> str:
    """The day a value took effect, as the trace writes it: ``unknown`` for an undated text."""
    return "unknown" if day == dt.date.min else day.isoformat()
