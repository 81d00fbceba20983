"""The facts of a table of cases, read into columns exactly as the engine reads each case.

    facts = read_facts(policy, frame)
    facts.columns["contract_price"]   # decimals in their one spelling: 1000000.00 is 1000000
    facts.refused                     # rows the engine may refuse: the per-case path decides

A text column is read as a batch reads a CSV cell (``batch/cells.py``): empty is a fact not
given, ``true``/``false`` for a bool, ASCII digits for an integer, and for the rest the text
as written, checked as a case's text is. A typed column (decimal, integer, date, bool) is read
as a Parquet batch reads it. Every value is held to the input's type, the limits of
``runtime/limits.py`` and the policy's bounds; a row with a value the columns do not accept
with certainty is marked ``refused`` and left to the per-case engine, which accepts it or says
exactly why not. Decimals are kept as ``exact_fact`` leaves them (no trailing zeros).
"""

from __future__ import annotations

from typing import Any

import polars as pl

from govrules.columnar.arithmetic import compare, normalised
from govrules.columnar.columns import LIMIT, Column, NotColumnar, kind_of
from govrules.columnar.lifting import lift
from govrules.compiler.policy import CompiledInput, CompiledPolicy
from govrules.records import record
from govrules.runtime.case_patterns import DECIMAL_TEXT
from govrules.runtime.case_values import declared_bounds, scalar_check
from govrules.runtime.limits import EARLIEST_DATE, LATEST_DATE, MAX_INTEGER, RATE_MAX, RATE_MIN
from govrules.values import MISSING, exact_fact

__all__ = ["Facts", "InputColumnError", "out_of_bounds", "read_facts"]

_DECIMAL = f"^{DECIMAL_TEXT}$"
_DATE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
_INTEGER = r"^-?(?:0|[1-9][0-9]*)$"
_CONTROLS = "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]"
_INTEGERS = (pl.Int8, pl.Int16, pl.Int32, pl.Int64, pl.UInt8, pl.UInt16, pl.UInt32, pl.UInt64)


class InputColumnError(ValueError):
    """A column that cannot hold its input (a float for money, say), named."""


@record
class Facts:
    columns: dict[str, Column]  # every input, by name (a constant MISSING when absent)
    refused: pl.Series  # rows the per-case engine must decide


def read_facts(policy: CompiledPolicy, frame: pl.DataFrame) -> Facts:
    """The inputs of ``frame`` (one column per input given; others absent)."""
    rows = frame.height
    refused = pl.repeat(False, rows, eager=True)
    unknown = sorted(set(frame.columns) - set(policy.inputs_by_name))
    if unknown:
        raise InputColumnError(f"column {unknown[0]!r} is not an input of {policy.id}")
    columns: dict[str, Column] = {}
    for item in policy.inputs:
        kind = kind_of(item.type)
        if item.name not in frame.columns:
            columns[item.name] = Column.of(MISSING, kind)
            continue
        column, bad = _read(item, kind, frame[item.name], rows)
        bad = bad | out_of_bounds(policy, item, column, rows)
        columns[item.name] = column
        refused = refused | bad.fill_null(True)
    return Facts(columns, refused)


def _read(item: CompiledInput, kind: str, series: pl.Series, rows: int) -> tuple[Column, pl.Series]:
    dtype: Any = series.dtype
    if dtype == pl.Null:
        return Column.of(MISSING, kind), pl.repeat(False, rows, eager=True)
    if isinstance(dtype, (pl.Categorical, pl.Enum)):
        series = series.cast(pl.String)
        dtype = pl.String
    if dtype == pl.String:
        series = (
            pl.DataFrame({"s": series})
            .select(pl.when(pl.col("s") == "").then(None).otherwise(pl.col("s")))
            .to_series()
        )  # an empty cell is a fact not given
        column, bad = _from_text(item, kind, series, rows)
    else:
        column, bad = _from_typed(item, kind, series, rows)
    return column, bad


def _typed_problem(item: CompiledInput, kind: str, dtype: Any) -> bool:
    if kind == "dec":
        return not (isinstance(dtype, pl.Decimal) or dtype in _INTEGERS)
    return not {
        "int": dtype in _INTEGERS,
        "bool": dtype == pl.Boolean,
        "date": dtype == pl.Date,
        "datetime": isinstance(dtype, pl.Datetime) and dtype.time_zone is None,
    }.get(kind, False)


def _from_typed(
    item: CompiledInput, kind: str, series: pl.Series, rows: int
) -> tuple[Column, pl.Series]:
    if _typed_problem(item, kind, series.dtype):
        raise InputColumnError(
            f"column {item.name!r}: a {series.dtype} column cannot hold a {item.type} input"
        )
    if kind == "dec" and isinstance(series.dtype, pl.Decimal):
        scale = series.dtype.scale or 0
        coef = series.to_physical().cast(pl.Int128)
        too_big = (
            (coef.abs() >= 10 ** (15 + scale)).fill_null(False)
            if scale <= 23
            else pl.repeat(True, rows, eager=True)
        )  # a decimal of more than 30 places, or of 15 digits before the point
        exp = pl.repeat(-scale, rows, dtype=pl.Int32, eager=True)
        return _normalised(coef, exp, rows, too_big)
    if kind == "dec":
        values = series.cast(pl.Int128)
        too_big = (values.abs() >= 10**15).fill_null(False)
        return _normalised(values, pl.repeat(0, rows, dtype=pl.Int32, eager=True), rows, too_big)
    if kind == "int":
        values = series.cast(pl.Int64, strict=False)
        bad = (values.is_null() & series.is_not_null()) | (values.abs() > MAX_INTEGER)
        return Column("int", values), bad.fill_null(False)
    if kind == "date":
        bad = ((series < EARLIEST_DATE) | (series > LATEST_DATE)).fill_null(False)
        return Column("date", series), bad
    if kind == "datetime":
        return _checked_one_by_one(item, kind, series.cast(pl.Datetime("us")), rows)
    return Column(kind, series), pl.repeat(False, rows, eager=True)


def _from_text(
    item: CompiledInput, kind: str, series: pl.Series, rows: int
) -> tuple[Column, pl.Series]:
    given = series.is_not_null()
    if kind == "dec":
        frame = pl.DataFrame({"s": series}).with_columns(ok=pl.col("s").str.contains(_DECIMAL))
        parts = frame.select(
            ok=pl.col("ok"),
            negative=pl.col("s").str.starts_with("-"),
            whole=pl.col("s").str.strip_prefix("-").str.split_exact(".", 1).struct.field("field_0"),
            fraction=pl.col("s").str.split_exact(".", 1).struct.field("field_1").fill_null(""),
        ).with_columns(fraction=pl.col("fraction").str.strip_chars_end("0"))
        digits = parts.select(
            d=pl.when(pl.col("ok")).then(pl.col("whole") + pl.col("fraction")),
            e=-pl.col("fraction").str.len_chars().cast(pl.Int32),
            n=pl.col("negative"),
        )
        coef = digits["d"].cast(pl.Int128, strict=False)
        coef = (
            pl.DataFrame({"c": coef, "n": digits["n"]})
            .select(
                pl.when(pl.col("n"))
                .then(pl.lit(0, dtype=pl.Int128) - pl.col("c"))
                .otherwise(pl.col("c"))
            )
            .to_series()
        )
        unread = given & (coef.is_null() | (coef.abs() >= LIMIT)).fill_null(True)
        column, bad = _normalised(coef, digits["e"], rows)
        return column, unread | bad
    if kind == "int":
        ok = series.str.contains(_INTEGER)
        values = (
            pl.DataFrame({"s": series, "ok": ok})
            .select(pl.when(pl.col("ok")).then(pl.col("s").cast(pl.Int64, strict=False)))
            .to_series()
        )
        bad = given & (values.is_null() | (values.abs() > MAX_INTEGER)).fill_null(True)
        return Column("int", values), bad
    if kind == "bool":
        values = series.replace_strict(
            ["true", "false"], [True, False], default=None, return_dtype=pl.Boolean
        )
        return Column("bool", values), given & values.is_null()
    if kind == "date":
        ok = series.str.contains(_DATE).fill_null(False)
        days = series.str.to_date("%Y-%m-%d", strict=False)
        days = (
            pl.DataFrame({"d": days, "ok": ok})
            .select(pl.when(pl.col("ok")).then(pl.col("d")))
            .to_series()
        )
        outside = (days < EARLIEST_DATE) | (days > LATEST_DATE)
        return Column("date", days), given & (days.is_null() | outside).fill_null(True)
    if kind == "str" and item.type.kind == "enum":
        members = list(item.type.values or ())
        return Column("str", series), given & ~series.is_in(members).fill_null(False)
    if kind == "str":
        long = series.str.len_chars() > 10_000
        odd = series.str.contains(_CONTROLS) | series.str.contains("[\ud800-\udfff]")
        return Column("str", series), given & (long | odd).fill_null(True)
    return _checked_one_by_one(item, kind, series, rows)


def _checked_one_by_one(
    item: CompiledInput, kind: str, series: pl.Series, rows: int
) -> tuple[Column, pl.Series]:
    """The input's own check, once for each distinct value: for the rarer kinds."""
    check = scalar_check(item.type.as_optional(False), ())
    lifted = lift(
        lambda value: exact_fact(check(value)),
        [Column(kind if series.dtype != pl.String else "str", series)],
        series.is_not_null(),
        rows,
        kind,
    )
    return lifted.column, lifted.failed


def _normalised(
    coef: pl.Series, exp: pl.Series, rows: int, bad: pl.Series | None = None
) -> tuple[Column, pl.Series]:
    column = normalised(Column.decimals(coef, exp), rows)
    return column, bad if bad is not None else pl.repeat(False, rows, eager=True)


def out_of_bounds(
    policy: CompiledPolicy, item: CompiledInput, column: Column, rows: int
) -> pl.Series:
    """Rows whose value breaks the type's range (rates) or the policy's bounds."""
    bad = pl.repeat(False, rows, eager=True)
    if column.constant:
        return bad
    bounds: list[tuple[str, Any]] = list(declared_bounds(policy.model.inputs[item.name]))
    if item.type.kind == "rate":
        bounds += [("ge", RATE_MIN), ("le", RATE_MAX)]
    words = {"gt": ">", "ge": ">=", "lt": "<", "le": "<="}
    for name, limit in bounds:
        if column.kind == "dec":
            found = compare(words[name], column, Column.of(limit, "dec"), rows)
        else:
            found = compare(words[name], column, Column.of(limit, column.kind), rows)
        if found is None:
            raise NotColumnar(f"input {item.name}: a bound on a {item.type} value")
        holds, over = found
        bad = bad | over | ~holds.series(rows).fill_null(True)
    return bad
