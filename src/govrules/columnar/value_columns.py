"""A table's decisions as typed value columns: each row's outcome and its policy's values,
exact, and nothing else -- what a payroll run reads, without the citations, notices and
fingerprint of a whole decision.

    found = decide_values(engine, "cn.jilin.taobei.wage_deposit", frame, date(2026, 11, 21))
    found.outcome                   # polars Series of outcomes
    found.values["amount_min"]      # a pyarrow decimal128(38, 18) array, exact
    found.per_case                  # rows to decide case by case (their values stay null)

A decimal (money, rate, decimal) is a ``decimal128(38, 18)``: every value with at most 18
places and 20 digits before the point, held exactly (``0.04`` and ``0.040`` are one number
here, as in a comparison). Integers are int64, dates date32, date-times timestamp[us], texts
and enums strings, booleans booleans; an unknown value is null. A row whose value the column
cannot hold, or that the columns leave to the engine (``decide_frame``), is in ``per_case``.
Only the rules run: the other norms a policy compares itself with change its notices, never
its values.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl
import pyarrow as pa  # type: ignore[import-untyped]

from govrules.columnar.columns import Column, NotColumnar
from govrules.columnar.facts import read_facts
from govrules.columnar.planning import Unsupported, plan
from govrules.columnar.rules import run_rules
from govrules.engine import Engine
from govrules.records import record

__all__ = ["PLACES", "ValueColumns", "decide_values"]

# The places of a decimal value column, and the digits it holds in all (Arrow's decimal128).
PLACES = 18
DIGITS = 38


@record
class ValueColumns:
    outcome: pl.Series
    values: dict[str, Any]  # by value name: a pyarrow array, one item per row
    per_case: pl.Series  # rows the columns did not decide


def decide_values(
    engine: Engine,
    policy_id: str,
    frame: pl.DataFrame,
    as_of: dt.date,
    refused: pl.Series | None = None,
) -> ValueColumns:
    """The outcome and values of every row of ``frame`` (``NotColumnar`` for a policy the
    columns do not take, ``InputColumnError`` for a column that cannot hold its input)."""
    policy = engine.policy(policy_id, as_of)
    found = plan(policy)
    if isinstance(found, Unsupported):
        raise NotColumnar(str(found))
    rows = frame.height
    facts = read_facts(policy, frame)
    run = run_rules(policy, as_of, engine.calendar, facts, rows)
    per_case = facts.refused | run.failed
    if refused is not None:
        per_case = per_case | refused
    values = {}
    for name, slot in policy.public_slots:
        column = run.state[slot]
        if column.kind == "dec":
            values[name], unfit = _decimals(column, rows)
            per_case = per_case | unfit
        else:
            values[name] = column.series(rows).to_arrow()
    return ValueColumns(run.outcome, values, per_case)


def _decimals(column: Column, rows: int) -> tuple[Any, pl.Series]:
    """A decimal column as ``decimal128(38, 18)``, and the rows it cannot hold exactly."""
    exp, coef = column.exponents_and_coefficients(rows)
    frame = pl.DataFrame({"c": coef, "e": exp})
    scaled: pl.Expr = pl.lit(None, dtype=pl.Int128)
    fits: pl.Expr = pl.lit(False)
    # one branch per exponent in the column (a handful): times or divided by a power of ten
    for exponent in frame["e"].drop_nulls().unique().to_list():
        shift = exponent + PLACES
        here = pl.col("e") == exponent
        if 0 <= shift < DIGITS:
            power = pl.lit(10**shift, dtype=pl.Int128)
            scaled = pl.when(here).then(pl.col("c") * power).otherwise(scaled)
            bound = pl.lit(10 ** (DIGITS - shift), dtype=pl.Int128)
            fits = pl.when(here).then(pl.col("c").abs() < bound).otherwise(fits)
        elif -DIGITS < shift < 0:  # more places than the column: exact only with zeros there
            power = pl.lit(10**-shift, dtype=pl.Int128)
            scaled = pl.when(here).then(pl.col("c") // power).otherwise(scaled)
            fits = pl.when(here).then(pl.col("c") % power == 0).otherwise(fits)
    out = frame.select(
        v=pl.when(fits).then(scaled),
        bad=(pl.col("c").is_not_null() & ~fits).fill_null(True),
    )
    # the scaled integers are the decimals' own 128-bit representation, read as such
    held = out["v"].cast(pl.Decimal(DIGITS, 0)).to_arrow()
    return held.view(pa.decimal128(DIGITS, PLACES)), out["bad"]
