"""Typed columns: the values of one expression for every row of a table, each row as exactly
the Python value the per-case engine would hold.

    price = Column.decimals(coef, exponent)   # Decimal(coef) * 10**exponent, row by row
    Column.of(Decimal("0.04"), "dec")         # a constant, for every row
    price.python(rows)                        # the rows as Decimal / MISSING, to run a function

A decimal is kept as the engine keeps it, sign and coefficient and exponent: ``0.10`` and
``0.1`` are equal but are written differently, and a decision writes what the engine computed,
so the exponent is a column of its own. The coefficient is an ``Int128``; a row whose value
does not fit (or is a negative zero, which only ``Decimal`` can hold) is not represented: the
function that made it reports the row so that the per-case engine decides it. A null cell is
``MISSING``: a fact not given, or a value no rule has set.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import polars as pl

from govrules.language.expr.types import Type
from govrules.records import record
from govrules.values import MISSING

__all__ = ["KINDS", "Column", "NotColumnar", "kind_of", "pow10", "to_python_value"]

# The kinds a column may hold, by the types of the language that map onto them.
KINDS = {
    "money": "dec",
    "rate": "dec",
    "decimal": "dec",
    "integer": "int",
    "bool": "bool",
    "date": "date",
    "datetime": "datetime",
    "text": "str",
    "enum": "str",
}
_DTYPES: dict[str, Any] = {
    "int": pl.Int64,
    "bool": pl.Boolean,
    "date": pl.Date,
    "datetime": pl.Datetime("us"),
    "str": pl.String,
}
# The largest coefficient kept: every sum and product is checked against it before it is made.
LIMIT = 10**37
_POWERS = [10**k for k in range(39)]


class NotColumnar(Exception):
    """A construct the columnar path does not take; the message says which and where."""


def kind_of(kind: Type) -> str:
    """The column kind of a value of a language type (``NotColumnar`` for lists, records)."""
    found = KINDS.get(kind.kind)
    if found is None:
        raise NotColumnar(f"values of type {kind} are not held in columns")
    return found


def pow10(exponents: pl.Series) -> pl.Series:
    """10 to each of ``exponents`` (0 to 38) as Int128; null for a null or larger exponent.
    A column holds a few exponents: one branch for each of them."""
    found = [k for k in exponents.drop_nulls().unique().to_list() if 0 <= k < len(_POWERS)]
    if not found:
        return pl.repeat(None, exponents.len(), dtype=pl.Int128, eager=True)
    power: pl.Expr = pl.lit(None, dtype=pl.Int128)
    for k in found:
        power = pl.when(pl.col("k") == k).then(pl.lit(_POWERS[k], dtype=pl.Int128)).otherwise(power)
    return pl.DataFrame({"k": exponents}).select(power).to_series()


@record
class Column:
    """One value per row (``data``; for decimals the coefficient, with ``exp``), or a constant
    Python ``value`` for every row when ``data`` is ``None``."""

    kind: str
    data: pl.Series | None = None
    exp: pl.Series | None = None
    value: Any = MISSING

    @staticmethod
    def of(value: Any, kind: str) -> Column:
        return Column(kind, None, None, value)

    @staticmethod
    def decimals(coef: pl.Series, exp: pl.Series) -> Column:
        return Column("dec", coef.cast(pl.Int128), exp.cast(pl.Int32))

    @property
    def constant(self) -> bool:
        return self.data is None

    def known(self, rows: int) -> pl.Series:
        """Whether each row holds a value (``given`` in the language)."""
        if self.data is None:
            return pl.repeat(self.value is not MISSING, rows, eager=True)
        return self.data.is_not_null()

    def series(self, rows: int) -> pl.Series:
        """The values as a Series (the coefficient, for decimals)."""
        if self.data is not None:
            return self.data
        if self.kind == "dec":
            return self.exponents_and_coefficients(rows)[1]
        dtype = _DTYPES[self.kind]
        value = None if self.value is MISSING else self.value
        return pl.repeat(value, rows, dtype=dtype, eager=True)

    def exponent(self, rows: int) -> pl.Series:
        assert self.kind == "dec"
        if self.data is not None:
            assert self.exp is not None
            return self.exp
        return self.exponents_and_coefficients(rows)[0]

    def exponents_and_coefficients(self, rows: int) -> tuple[pl.Series, pl.Series]:
        if self.data is not None:
            assert self.exp is not None
            return self.exp, self.data
        coef, exp = decimal_parts(self.value)
        return (
            pl.repeat(exp, rows, dtype=pl.Int32, eager=True),
            pl.repeat(coef, rows, dtype=pl.Int128, eager=True),
        )

    def materialised(self, rows: int) -> Column:
        if self.data is not None:
            return self
        if self.kind == "dec":
            exp, coef = self.exponents_and_coefficients(rows)
            return Column("dec", coef, exp)
        return Column(self.kind, self.series(rows))

    def take(self, mask: pl.Series, other: Column, rows: int) -> Column:
        """This column where ``mask`` holds, ``other`` elsewhere (both of one kind)."""
        if self.kind != other.kind:
            raise NotColumnar(f"a value of kind {self.kind} beside one of kind {other.kind}")
        frame = pl.DataFrame({"m": mask.fill_null(False)})
        a, b = self.materialised(rows), other.materialised(rows)
        assert a.data is not None and b.data is not None
        data = frame.select(pl.when(pl.col("m")).then(a.data).otherwise(b.data)).to_series()
        if self.kind != "dec":
            return Column(self.kind, data)
        assert a.exp is not None and b.exp is not None
        exp = frame.select(pl.when(pl.col("m")).then(a.exp).otherwise(b.exp)).to_series()
        return Column("dec", data, exp)

    def frame(self, rows: int, name: str) -> dict[str, pl.Series]:
        """The column's Series by name, for a frame of several (a decimal has two)."""
        if self.kind == "dec":
            exp, coef = self.exponents_and_coefficients(rows)
            return {name: coef.alias(name), name + "~e": exp.alias(name + "~e")}
        return {name: self.series(rows).alias(name)}

    def python(self, frame: pl.DataFrame, name: str) -> list[Any]:
        """The values of the rows of ``frame`` (made by ``frame``) as Python values."""
        if self.kind == "dec":
            coefs, exps = frame[name].to_list(), frame[name + "~e"].to_list()
            return [
                MISSING if c is None else Decimal(f"{c}E{e}")
                for c, e in zip(coefs, exps, strict=True)
            ]
        return [MISSING if v is None else v for v in frame[name].to_list()]


def decimal_parts(value: Any) -> tuple[int | None, int | None]:
    """(coefficient, exponent) of a Decimal or int; (None, None) for MISSING."""
    if value is MISSING or value is None:
        return None, None
    if type(value) is int or type(value) is bool:
        return int(value), 0
    sign, digits, exponent = value.as_tuple()
    if not isinstance(exponent, int):
        raise NotColumnar(f"{value} is not a finite number")
    coef = int("".join(map(str, digits))) if digits else 0
    if sign and coef == 0:
        raise NotColumnar("a negative zero")
    return (-coef if sign else coef), exponent


def to_python_value(value: Any, kind: str) -> tuple[Any, Any]:
    """A Python result in a column's encoding: (value or coefficient, exponent); raises
    ``ValueError`` for what the kind cannot hold exactly (the row goes to the engine)."""
    if value is MISSING or value is None:
        return None, None
    if kind == "dec":
        if not isinstance(value, (Decimal, int)) or isinstance(value, bool):
            raise ValueError(f"not a number: {value!r}")
        try:
            coef, exp = decimal_parts(value)
        except NotColumnar as error:
            raise ValueError(str(error)) from None
        assert coef is not None
        if abs(coef) >= LIMIT:
            raise ValueError("too many digits")
        return coef, exp
    expected: dict[str, tuple[type, ...]] = {
        "int": (int,),
        "bool": (bool,),
        "date": (dt.date,),
        "datetime": (dt.datetime,),
        "str": (str,),
    }
    if type(value) not in expected[kind] or (kind == "date" and type(value) is not dt.date):
        raise ValueError(f"not a {kind}: {value!r}")
    if kind == "int" and not -(2**62) < value < 2**62:
        raise ValueError("too large")
    return value, None


def from_python(values: Sequence[Any], kind: str) -> tuple[Column, list[bool]]:
    """A column of Python values, and for each whether it could not be held (bad rows)."""
    data: list[Any] = []
    exps: list[Any] = []
    bad: list[bool] = []
    for value in values:
        try:
            held, exp = to_python_value(value, kind)
            bad.append(False)
        except ValueError:
            held, exp = None, None
            bad.append(True)
        data.append(held)
        exps.append(exp)
    if kind == "dec":
        column = Column.decimals(pl.Series(data, dtype=pl.Int128), pl.Series(exps, dtype=pl.Int32))
    else:
        column = Column(kind, pl.Series(data, dtype=_DTYPES[kind]))
    return column, bad
