"""The facts of a table read into lazy columns at fixed scales (``fused.py``), as one layer of
the query of ``fused_values.py``, exactly as ``facts.py`` reads them case by case.

    query = Query(frame.lazy())
    price, wrong = read_input(item, frame, (2, 9), query, observed)  # 2 places, 9 digits
    text_shapes(policy, frame)      # {"contract_price": (2, 9), ...}, from the cells

A text decimal column is read at a *shape*: the places and the characters before the point
that its well-written cells have at most. A cell of that shape is matched by a narrowed
``DECIMAL_TEXT`` pattern and cast exactly; any other cell is marked (``wrong``) for the
per-case engine, and ``observed`` says whether the column had one a wider shape would take.
"""

from __future__ import annotations

from typing import Any

import polars as pl

from govrules.columnar.columns import NotColumnar, kind_of
from govrules.columnar.facts import (
    _CONTROLS,
    _DATE,
    _DECIMAL,
    _INTEGER,
    InputColumnError,
    _typed_problem,
)
from govrules.columnar.fused import NARROW, Lazy
from govrules.columnar.value_columns import DIGITS
from govrules.compiler.policy import CompiledInput, CompiledPolicy
from govrules.runtime.case_values import declared_bounds
from govrules.runtime.limits import (
    EARLIEST_DATE,
    LATEST_DATE,
    MAX_INTEGER,
    MAX_INTEGER_DIGITS,
    RATE_MAX,
    RATE_MIN,
)
from govrules.values import MISSING

__all__ = ["MOST_PLACES", "Query", "Shapes", "input_bounds", "read_input", "text_shapes"]

# The places a text decimal column is read at, at most: a cell with more goes per case.
MOST_PLACES = 18
# A column's shape: its places, and the characters before its point.
Shapes = dict[str, tuple[int, int]]


class Query:
    """A lazy frame built layer by layer: a value used more than once is a column of its own,
    so that no expression is copied into the ones that read it."""

    def __init__(self, frame: pl.LazyFrame) -> None:
        self.frame = frame
        self.count = 0

    def let(self, part: Lazy) -> Lazy:
        if part.expr is None:
            return part
        self.count += 1
        name = f"~{self.count}"
        self.frame = self.frame.with_columns(part.expr.alias(name))
        return Lazy(part.kind, pl.col(name), MISSING, part.scale, part.bound)

    def mask(self, expr: pl.Expr) -> pl.Expr:
        return self.let(Lazy("bool", expr)).e()


# --------------------------------------------------------------------------- the facts


def text_shapes(
    policy: CompiledPolicy, frame: pl.DataFrame, names: list[str] | None = None
) -> Shapes:
    """For each text decimal column (of ``names``), the places it is read at (the most its
    well-written cells of at most 18 places have) and the most characters before its point
    (at most 16: a sign and 15 digits)."""
    found: dict[str, pl.Expr] = {}
    for item in policy.inputs:
        if names is not None and item.name not in names:
            continue
        if item.name in frame.columns and kind_of(item.type) == "dec":
            dtype = frame.schema[item.name]
            if dtype == pl.String or isinstance(dtype, (pl.Categorical, pl.Enum)):
                text = pl.col(item.name).cast(pl.String)
                point, length = text.str.find(".", literal=True), text.str.len_bytes()
                places = (length - point - 1).fill_null(0)
                # a cell of more places than a column reads goes per case at any shape
                ok = text.str.contains(_DECIMAL) & (places <= MOST_PLACES)
                places = pl.when(ok).then(places).max()
                found[item.name] = pl.struct(
                    p=places, w=pl.when(ok).then(point.fill_null(length)).max()
                )
    if not found:
        return {}
    row = frame.select(**found).row(0, named=True)
    return {
        name: (min(shape["p"] or 0, MOST_PLACES), min(shape["w"] or 0, MAX_INTEGER_DIGITS + 1))
        for name, shape in row.items()
    }


def _pattern(shape: tuple[int, int]) -> str:
    """A decimal text of at most these places and characters before the point: the pattern
    of ``DECIMAL_TEXT``, narrowed (a text it takes is read exactly by a cast)."""
    scale, whole = shape
    digits = max(min(whole, MAX_INTEGER_DIGITS), 1)
    fraction = rf"(?:\.[0-9]{{1,{scale}}})?" if scale else ""
    return rf"^-?(?:0|[1-9][0-9]{{0,{digits - 1}}}){fraction}$"


def input_bounds(policy: CompiledPolicy, item: CompiledInput) -> list[tuple[str, Any]]:
    words = {"gt": ">", "ge": ">=", "lt": "<", "le": "<="}
    bounds: list[tuple[str, Any]] = list(declared_bounds(policy.model.inputs[item.name]))
    if item.type.kind == "rate":  # a rate's own range, unless a bound of the policy is tighter
        if not any(name in ("gt", "ge") and limit >= RATE_MIN for name, limit in bounds):
            bounds.append(("ge", RATE_MIN))
        if not any(name in ("lt", "le") and limit <= RATE_MAX for name, limit in bounds):
            bounds.append(("le", RATE_MAX))
    return [(words[name], limit) for name, limit in bounds]


def read_input(
    item: CompiledInput,
    frame: pl.DataFrame,
    shape: tuple[int, int],
    query: Query,
    observed: dict[str, pl.Expr],
) -> tuple[Lazy, list[pl.Expr]]:
    """An input as a lazy column, and the masks of rows the columns do not take."""
    kind = kind_of(item.type)
    if item.name not in frame.columns or frame.schema[item.name] == pl.Null:
        return Lazy.of(MISSING, kind), []
    dtype: Any = frame.schema[item.name]
    cell = pl.col(item.name)
    if isinstance(dtype, (pl.Categorical, pl.Enum)):
        cell, dtype = cell.cast(pl.String), pl.String
    if dtype == pl.String:
        # an empty cell is a fact not given; a number's own checks refuse it, and copying
        # every text to drop it would cost more than the checks
        text = cell if kind in ("dec", "int", "bool", "date") else pl.when(cell != "").then(cell)
        return _from_text(item, kind, text, shape, query, observed)
    if _typed_problem(item, kind, dtype):
        raise InputColumnError(
            f"column {item.name!r}: a {dtype} column cannot hold a {item.type} input"
        )
    if kind == "dec" and isinstance(dtype, pl.Decimal):
        places = dtype.scale or 0
        if places > MOST_PLACES:
            raise NotColumnar(f"column {item.name!r}: a decimal of {places} places")
        coef = cell.to_physical().cast(pl.Int128)
        too_big = coef.abs() >= pl.lit(10 ** (MAX_INTEGER_DIGITS + places), dtype=pl.Int128)
        return Lazy.number(coef, places, 10 ** (MAX_INTEGER_DIGITS + places)), [
            too_big.fill_null(False)  # a cell not given is no fault
        ]
    if kind == "dec":
        coef = cell.cast(pl.Int128)
        too_big = coef.abs() >= pl.lit(10**MAX_INTEGER_DIGITS, dtype=pl.Int128)
        return Lazy.number(coef, 0, 10**MAX_INTEGER_DIGITS), [too_big.fill_null(False)]
    if kind == "int":
        values = cell.cast(pl.Int64, strict=False)
        wrong = (values.is_null() & cell.is_not_null()) | (values.abs() > MAX_INTEGER)
        return Lazy("int", values), [wrong.fill_null(False)]
    if kind == "date":
        return Lazy("date", cell), [
            ((cell < EARLIEST_DATE) | (cell > LATEST_DATE)).fill_null(False)
        ]
    if kind == "bool":
        return Lazy("bool", cell), []
    raise NotColumnar(f"column {item.name!r}: a {dtype} column read in one query")


def _from_text(
    item: CompiledInput,
    kind: str,
    text: pl.Expr,
    shape: tuple[int, int],
    query: Query,
    observed: dict[str, pl.Expr],
) -> tuple[Lazy, list[pl.Expr]]:
    given = (text != "").fill_null(False)
    if kind == "dec":
        given = query.mask(given)
        scale, whole = shape
        bound = 10 ** (max(min(whole, MAX_INTEGER_DIGITS), 1) + scale)  # as many digits
        fits = query.mask(text.str.contains(_pattern(shape)).fill_null(False))
        observed[item.name] = (given & ~fits).any()  # cells the next reading may take
        # exact: the pattern has checked the places (the cast alone would cut digits off)
        read = pl.when(fits).then(text).cast(pl.Decimal(DIGITS, scale), strict=False)
        coef = read.to_physical()
        if bound <= NARROW:
            coef = coef.cast(pl.Int64)
        return Lazy.number(coef, scale, bound), [given & ~fits.fill_null(False)]
    if kind == "int":
        values: pl.Expr = pl.when(text.str.contains(_INTEGER)).then(
            text.cast(pl.Int64, strict=False)
        )
        return Lazy("int", values), [given & (values.is_null() | (values.abs() > MAX_INTEGER))]
    if kind == "bool":
        values = text.replace_strict(
            ["true", "false"], [True, False], default=None, return_dtype=pl.Boolean
        )
        return Lazy("bool", values), [given & values.is_null()]
    if kind == "date":
        ok = text.str.contains(_DATE).fill_null(False)
        days = pl.when(ok).then(text.str.to_date("%Y-%m-%d", strict=False))
        outside = (days < EARLIEST_DATE) | (days > LATEST_DATE)
        return Lazy("date", days), [given & (days.is_null() | outside)]
    if kind == "str" and item.type.kind == "enum":
        members = list(item.type.values or ())
        return Lazy("str", text), [given & ~text.is_in(members).fill_null(False)]
    if kind == "str":
        long = text.str.len_chars() > 10_000
        odd = text.str.contains(_CONTROLS) | text.str.contains("[\ud800-\udfff]")
        return Lazy("str", text), [given & (long | odd)]
    raise NotColumnar(f"input {item.name}: a {item.type} text read in one query")
