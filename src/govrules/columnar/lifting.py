"""Running the engine's own Python functions over the distinct argument rows of a table.

What has no column form of its own -- a working-day period on the calendar, a division, a
table lookup -- is computed by the very function the per-case engine calls, once for each
distinct combination of its arguments, and joined back to every row that has it. The result
is exact by construction, and a table of a million cases holds only a few thousand distinct
dates.

    lifted = lift(period_end_result, [start, days, unit], active, rows, "date", calendar=cal)
    lifted.column, lifted.failed, lifted.years

A combination the function refuses (a division by zero, a date beyond the calendar) marks
its rows ``failed``: the per-case engine decides them, and says why.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import localcontext
from typing import Any

import polars as pl

from govrules.columnar.columns import Column, from_python
from govrules.records import record
from govrules.runtime.evaluation import DECIMAL_CONTEXT
from govrules.values import MISSING

__all__ = ["Lifted", "lift"]


@record
class Lifted:
    """The result per row, the rows whose computation failed, and for calendar functions the
    years without a published holiday schedule each row's computation reached (or null)."""

    column: Column
    failed: pl.Series
    years: pl.Series | None


def lift(
    function: Callable[..., Any],
    parts: Sequence[Column],
    needed: pl.Series,
    rows: int,
    kind: str,
    *,
    calendar_years: bool = False,
) -> Lifted:
    """``function(*values)`` for each row where ``needed`` holds (the caller has guarded
    against unknown arguments where the engine does); null elsewhere. With
    ``calendar_years`` the function returns ``(result, unpublished_years)``."""
    columns: dict[str, pl.Series] = {"~1": pl.repeat(True, rows, eager=True)}
    names = [f"a{index}" for index in range(len(parts))]
    for name, part in zip(names, parts, strict=True):
        if not part.constant:  # a constant is given to the function as it is
            columns.update(part.frame(rows, name))
    table = pl.DataFrame(columns)
    keys = list(table.columns)
    wanted = table.filter(needed.fill_null(False))
    distinct = wanted.unique(maintain_order=True)
    arguments = [
        [part.value] * distinct.height if part.constant else part.python(distinct, name)
        for name, part in zip(names, parts, strict=True)
    ]
    results: list[Any] = []
    failures: list[bool] = []
    years: list[str | None] = []
    with localcontext(DECIMAL_CONTEXT):
        for values in zip(*arguments, strict=True) if arguments else [()] * distinct.height:
            try:
                found = function(*values)
            except Exception:  # noqa: BLE001 - the engine decides the row and reports it
                results.append(MISSING)
                failures.append(True)
                years.append(None)
                continue
            if calendar_years:
                found, unpublished = found
                years.append(",".join(str(y) for y in unpublished) if unpublished else None)
            results.append(found)
            failures.append(False)
    column, bad = from_python(results, kind)
    answers = distinct.with_columns(
        pl.Series("~failed", [f or b for f, b in zip(failures, bad, strict=True)], pl.Boolean),
        pl.Series("~years", years if calendar_years else [None] * len(results), pl.String),
        *(series.alias("~r" + name) for name, series in column.frame(len(results), "").items()),
    )
    joined = table.join(answers, on=keys, how="left", nulls_equal=True, maintain_order="left")
    mask = needed.fill_null(False)
    guard = pl.DataFrame({"m": mask})

    def kept(name: str) -> pl.Series:
        return guard.select(pl.when(pl.col("m")).then(joined[name]).otherwise(None)).to_series()

    if kind == "dec":
        result = Column.decimals(kept("~r"), kept("~r~e"))
    else:
        result = Column(kind, kept("~r"))
    failed = (mask & joined["~failed"].fill_null(False)).alias("failed")
    found_years = kept("~years") if calendar_years else None
    return Lifted(result, failed, found_years)
