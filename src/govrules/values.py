"""The values rules compute: ``MISSING`` for what is not known, and their plain-JSON forms
(dates as YYYY-MM-DD, decimals as exact strings)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

__all__ = ["MISSING", "Missing", "canonical_decimal", "to_json_value"]


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

    def __bool__(self) -> bool:
        return False


MISSING = Missing()


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
    if isinstance(value, (tuple, list, frozenset, set)):
        items = [to_json_value(item) for item in value]
        return sorted(items) if isinstance(value, (set, frozenset)) else items
    raise TypeError(f"no JSON form for {type(value).__name__}")


def canonical_decimal(value: Decimal) -> str:
    """One spelling per amount (1000000, 1000000.00 and 1E+6 all give '1000000')."""
    text = format(value.normalize(), "f")
    return "0" if text in ("-0", "0") else text
