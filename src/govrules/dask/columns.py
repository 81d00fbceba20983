"""From DataFrame columns to cases: a column per input, named like it, and a missing value
(None, NaN, NA, NaT) a fact not given. What a column holds is then checked by the engine like any
case (``docs/limits.md``); this module only reads pandas' and pyarrow's values as plain Python
ones, and refuses up front the columns that cannot be exact.

    problems = column_problems(policy, frame.dtypes)   # [] or the columns refused, by name
    cases = cases_of(policy, frame)                     # [{"contract_price": Decimal(...)}, ...]

The reading, column type by column type:

- decimal128 (pyarrow) and text columns give exact decimals; a column of floats (numpy, nullable
  ``Float64`` or pyarrow ``double``) for a money, rate, decimal or integer input is refused as a
  whole, naming the column -- a float is not exact, and an integer column with a missing value
  becomes float in numpy (use the nullable ``Int64`` dtype);
- ``datetime64`` values at midnight are dates for a date input (pandas' own form of a date); a
  time of day, for a date input, is refused by the engine; a column with a time zone is refused
  (dates of law are local Beijing dates); ``date32`` (pyarrow) and ``datetime.date`` are dates;
- numpy and pyarrow integers and booleans are plain ``int`` and ``bool``; text stays text (the
  engine reads it as it reads a case file: ``"2026-09-20"``, ``"1000000"``, never ``"true"``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd  # type: ignore[import-untyped]

from govrules.compiler.policy import CompiledPolicy
from govrules.errors import Diagnostic, suggest

__all__ = ["cases_of", "column_problems"]

_EXACT = ("money", "rate", "decimal")
_PLAIN = (str, bool, int, Decimal, dt.date)  # given as they are (a datetime is not among them)


def column_problems(policy: CompiledPolicy, dtypes: Mapping[str, Any]) -> list[Diagnostic]:
    """The columns refused before any row is read: unknown names, floats for exact numbers,
    dates with a time zone. Each diagnostic names its column."""
    kinds = {item.name: item.type.as_optional(False).kind for item in policy.inputs}
    found = []
    for column, dtype in dtypes.items():
        name = str(column)
        kind = kinds.get(name)
        if kind is None:
            found.append(
                Diagnostic(
                    "unknown-input",
                    f"the column {name!r} is not an input of {policy.id}",
                    hint=suggest(name, kinds) or "select the input columns: ddf[[...]]",
                )
            )
        elif kind in _EXACT and pd.api.types.is_float_dtype(dtype):
            found.append(
                Diagnostic(
                    "invalid-input",
                    f"{name}: a column of floats ({dtype}) is not exact; give {kind} as a "
                    'decimal column (pyarrow decimal128) or as text such as "1000000"',
                )
            )
        elif kind == "integer" and pd.api.types.is_float_dtype(dtype):
            found.append(
                Diagnostic(
                    "invalid-input",
                    f"{name}: a column of floats ({dtype}) for a whole number; use the nullable "
                    'integer dtype ("Int64"), which keeps a missing value missing',
                )
            )
        elif kind in ("date", "datetime") and _zone_of(dtype) is not None:
            found.append(
                Diagnostic(
                    "invalid-input",
                    f"{name}: a column of date-times in the time zone {_zone_of(dtype)}; dates of "
                    "law are local Beijing dates: give them without a time zone",
                )
            )
    return found


def _zone_of(dtype: Any) -> Any:
    zone = getattr(dtype, "tz", None)
    if zone is None and isinstance(dtype, pd.ArrowDtype):
        zone = getattr(dtype.pyarrow_dtype, "tz", None)
    return zone


def cases_of(policy: CompiledPolicy, frame: Any) -> list[dict[str, Any]]:
    """The case of each row of a pandas DataFrame, in order: its input columns' values as plain
    Python values, the missing ones left out."""
    kinds = {item.name: item.type.as_optional(False).kind for item in policy.inputs}
    columns = []
    for column in frame.columns:
        name = str(column)
        read = _reader(kinds.get(name))
        columns.append((name, [read(value) for value in frame[column].tolist()]))
    cases: list[dict[str, Any]] = [{} for _ in range(len(frame))]
    for name, values in columns:
        for case, value in zip(cases, values, strict=True):
            if value is not None:
                case[name] = value
    return cases


def _reader(kind: str | None) -> Callable[[Any], Any]:
    """How a value of a column for an input of ``kind`` is read."""
    if kind == "date":
        return _date_value
    return _plain


def _date_value(value: Any) -> Any:
    if (
        isinstance(value, pd.Timestamp)
        and value.tz is None
        and value.nanosecond == 0
        and value == value.normalize()
    ):
        return dt.date(value.year, value.month, value.day)
    return _plain(value)


def _plain(value: Any) -> Any:
    """A value as plain Python: None for any kind of missing, numpy scalars as ``int``,
    ``bool`` or ``float`` (which the engine refuses), timestamps as ``datetime``, arrays and
    mappings (list and record inputs) item by item."""
    if isinstance(value, _PLAIN) and not isinstance(value, dt.datetime):
        return value
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float):
        return None if value != value else value
    if isinstance(value, pd.Timestamp):
        return _moment(value)
    if isinstance(value, np.generic):
        if isinstance(value, np.datetime64):
            return _moment(pd.Timestamp(value))
        return _plain(value.item())
    if isinstance(value, (list, tuple, np.ndarray)):
        return [_plain(item) for item in value]
    if isinstance(value, Mapping):
        return {key: _plain(item) for key, item in value.items()}
    return value  # a datetime, or what the engine refuses by name (a Timedelta, …)


def _moment(value: Any) -> Any:
    """A timestamp as a plain ``datetime``; with nanoseconds, as text, which the engine refuses
    rather than drop them."""
    if value is pd.NaT:
        return None
    if value.nanosecond:
        return value.isoformat()
    return value.to_pydatetime()
