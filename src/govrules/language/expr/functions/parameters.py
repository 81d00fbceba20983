"""Functions that read the law's figures beyond their value today: ``lookup`` in a table, and
``at``, a parameter's value in force on another date.

    lookup(deadline_days, matter)                # the row for this matter, with its clause
    lookup(approver_by_amount, amount)           # the band the amount falls in
    at(min_contribution_years, statutory_date)   # the requirement of that year, not today's

Both report what they read to the evaluation's frame, so the trace shows the row used (or the
date the figure was read on) and its clause. A table is a parameter whose values are rows; the
compiler checks at load time that an enum key's every value has a row, so such a lookup is
never unknown; a number or date that falls in no band is unknown at run time.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Protocol

from govrules.language.expr.ast import Call, Name
from govrules.language.expr.functions.spec import Argument, FunctionSpec, SignatureChecker
from govrules.language.expr.types import PLAIN, Type

__all__ = ["AT", "LOOKUP", "FigureRead", "LookupTable", "ParameterHistory"]


class FigureRead(Protocol):
    """A value read from a table row or on a date, and what the trace says of it."""

    @property
    def value(self) -> Any: ...

    def trace(self) -> dict[str, Any]: ...


class LookupTable(Protocol):
    """What a compiled table offers a lookup: the row for these keys, or ``None``."""

    def find(self, *keys: Any) -> FigureRead | None: ...


class ParameterHistory(Protocol):
    """What a parameter offers ``at``: its value in force on a day, or ``None`` before it."""

    def read_on(self, day: dt.date) -> FigureRead | None: ...


def _key_fits(key: Type, arg: Argument) -> bool:
    actual = arg.type
    if key.kind == "enum":
        if actual.kind == "enum":
            return set(actual.values or ()) <= set(key.values or ())
        return actual.kind == "text" and arg.is_constant and arg.constant in (key.values or ())
    if key.numeric and actual.numeric:
        return actual.kind == key.kind or actual.kind in PLAIN or key.kind in PLAIN
    return actual.kind == key.kind


def _lookup(checker: SignatureChecker, node: Call, args: tuple[Argument, ...]) -> Type | None:
    table = args[0].type
    if table.kind != "table" or table.item is None:
        checker.fail(
            args[0].node, "type-mismatch", f"lookup() reads a table parameter, got {table}"
        )
        return None
    keys = table.fields or ()
    if len(args) - 1 != len(keys):
        names = ", ".join(name for name, _ in keys)
        checker.fail(
            node,
            "bad-arguments",
            f"the table has {len(keys)} key(s) ({names}); lookup() got {len(args) - 1}",
        )
        return None
    for (name, key), arg in zip(keys, args[1:], strict=True):
        if not _key_fits(key, arg):
            checker.fail(arg.node, "type-mismatch", f"key '{name}' is {key}, got {arg.type}")
            return None
    # a row may be missing only where a key is not an enum (bands, text, numbers)
    exact = all(key.kind == "enum" for _, key in keys)
    return table.item.as_optional(not exact)


def _at(checker: SignatureChecker, node: Call, args: tuple[Argument, ...]) -> Type | None:
    figure, day = args
    symbol = getattr(figure, "symbol", None)
    if not isinstance(figure.node, Name) or symbol is None or symbol.origin != "parameter":
        checker.fail(figure.node, "bad-arguments", "at() reads a parameter by its name")
        return None
    if day.type.kind != "date":
        checker.fail(day.node, "type-mismatch", f"at() takes a date, got {day.type}")
        return None
    return figure.type.as_optional(True)  # unknown on a day before the parameter's first value


LOOKUP = FunctionSpec(
    "lookup(table, key) | lookup(table, key1, key2)",
    (2, 3),
    _lookup,
    summary="the value of the table row for the keys (a band for a number or date)",
    example="lookup(deadline_days, matter)",
)
AT = FunctionSpec(
    "at(parameter, date)",
    (2, 2),
    _at,
    summary="the parameter's value in force on that date instead of on as_of",
    example="at(min_contribution_years, statutory_date)",
)
