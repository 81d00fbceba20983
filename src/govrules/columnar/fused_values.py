"""Value columns in one lazy query: a table's facts read and checked, the rules run and the
values written as ``decimal128`` scaled integers, collected once -- no Python object per row.

    found = fused_values(engine, "cn.jilin.taobei.wage_deposit", frame, date(2026, 11, 21))
    found.outcome, found.values["amount_min"], found.per_case    # as ``decide_values`` gives

The same reading and rule loop as ``facts.py`` and ``rules.py`` (a row the columns do not take
with certainty goes to the per-case engine, which decides it or says why not), lowered to
polars expressions at a fixed scale per column (``fused.py``, ``fused_lowering.py``): a text
decimal column is read at the most places any of its cells has (at most 18; a cell with more
goes per case). ``NotColumnar`` for what this query does not lower (a date-time input, say):
``value_columns.decide_values`` then decides the table node by node.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl
import pyarrow as pa  # type: ignore[import-untyped]

from govrules.columnar.columns import NotColumnar, kind_of
from govrules.columnar.facts import InputColumnError
from govrules.columnar.fused import Lazy, as_decimal, compare, take, unify
from govrules.columnar.fused_facts import (
    Query,
    Shapes,
    input_bounds,
    read_input,
    text_shapes,
)
from govrules.columnar.fused_lowering import FusedLowering
from govrules.columnar.planning import Unsupported, plan
from govrules.columnar.rules import required_condition
from govrules.columnar.value_columns import DIGITS, PLACES, ValueColumns
from govrules.compiler.policy import CompiledPolicy
from govrules.engine import Engine
from govrules.values import MISSING

__all__ = ["fused_values"]

_PER_CASE = "~per_case"
_FIRST_GUESS = 4096


def fused_values(
    engine: Engine,
    policy_id: str,
    frame: pl.DataFrame,
    as_of: dt.date,
    refused: pl.Series | None = None,
    shapes: Shapes | None = None,
) -> tuple[ValueColumns, Shapes]:
    """The outcome and values of every row of ``frame``, as ``decide_values`` gives them, and
    the shapes its text decimal columns were read at: given the shapes of the chunk before
    (``shapes``), a chunk is read at those, and read again at its own if a cell needs more
    -- the query finds out as it reads, so that most chunks are not read twice."""
    policy = engine.policy(policy_id, as_of)
    found = plan(policy)
    if isinstance(found, Unsupported):
        raise NotColumnar(str(found))
    unknown = sorted(set(frame.columns) - set(policy.inputs_by_name))
    if unknown:
        raise InputColumnError(f"column {unknown[0]!r} is not an input of {policy.id}")
    if shapes is None:  # a first guess from the first rows; the query says if it was short
        shapes = text_shapes(policy, frame.head(_FIRST_GUESS))
    out, seen = _collect(engine, policy, frame, as_of, shapes)
    wider = {name: _wider(shapes.get(name, (0, 0)), shape) for name, shape in seen.items()}
    if any(shape != shapes.get(name, (0, 0)) for name, shape in wider.items()):
        shapes = {**shapes, **wider}
        out, _ = _collect(engine, policy, frame, as_of, shapes)
    flags = out[_PER_CASE].fill_null(True)
    if refused is not None:
        flags = flags | refused
    values: dict[str, Any] = {}
    for name, _ in policy.public_slots:
        series = out[name]
        if isinstance(series.dtype, pl.Decimal):
            values[name] = series.to_arrow().view(pa.decimal128(DIGITS, PLACES))
        else:
            values[name] = series.to_arrow()
    return ValueColumns(out["outcome"], values, flags), shapes


def _wider(a: tuple[int, int], b: tuple[int, int]) -> tuple[int, int]:
    return max(a[0], b[0]), max(a[1], b[1])


def _collect(
    engine: Engine, policy: CompiledPolicy, frame: pl.DataFrame, as_of: dt.date, shapes: Shapes
) -> tuple[pl.DataFrame, Shapes]:
    """The query's columns, and the shapes of the text decimal cells it read."""
    query = Query(frame.lazy())
    lowering = FusedLowering(policy, policy.program(as_of, False), as_of, engine.calendar)
    lowering.let = query.let
    bad: list[pl.Expr] = []
    observed: dict[str, pl.Expr] = {}
    for item in policy.inputs:
        shape = shapes.get(item.name, (0, 0))
        column, wrong = read_input(item, frame, shape, query, observed)
        column = query.let(column)
        for name, limit in input_bounds(policy, item):
            compared = compare(name, column, Lazy.of(limit, column.kind))
            if compared is None:
                raise NotColumnar(f"input {item.name}: a bound on a {item.type} value")
            holds, over = compared
            wrong.append(~holds.e().fill_null(True))
            if over is not None:
                wrong.append(over)
        bad += [flag.fill_null(True) for flag in wrong]
        lowering.state[item.slot] = column
    _run_rules(policy, lowering, query)
    per_case = bad
    outcome = lowering.state[policy.outcome_slot]
    columns: dict[str, pl.Expr] = {"outcome": outcome.e().cast(pl.String)}
    for name, slot in policy.public_slots:
        value = lowering.state[slot]
        if value.kind == "dec":
            columns[name], unfit = _decimal128(as_decimal(value))
            if unfit is not None:
                per_case.append(unfit)
        else:
            columns[name] = value.e()
    per_case.append(lowering.failed)
    columns[_PER_CASE] = pl.any_horizontal(per_case)
    out = query.frame.select(**columns, **observed).collect()
    # a column with cells its shape did not take: the shape of its well-written cells
    unread = [name for name in observed if out.height and out[name][0]]
    seen = text_shapes(policy, frame, unread) if unread else {}
    return out.drop(list(observed)), seen


def _decimal128(value: Lazy) -> tuple[pl.Expr, pl.Expr | None]:
    """A decimal as the scaled integer of ``decimal128(38, 18)`` (as ``Decimal(38, 0)``), and
    the rows it cannot hold exactly."""
    if value.missing:
        return pl.lit(None, dtype=pl.Decimal(DIGITS, 0)), None
    coef, shift = value.e(), PLACES - value.scale
    if shift >= 0:
        if value.bound * 10**shift <= 10**DIGITS:
            # the integer as a decimal of ``shift`` places: its 128-bit representation is
            # the coefficient times 10**shift, the scaled integer itself, in one cast
            return coef.cast(pl.Decimal(DIGITS, shift)), None
        power = pl.lit(10**shift, dtype=pl.Int128)
        fits = coef.abs() < pl.lit(10**DIGITS // 10**shift, dtype=pl.Int128)
        scaled = pl.when(fits).then(coef * power)
    else:
        power = pl.lit(10**-shift, dtype=pl.Int128)
        fits = coef % power == 0
        scaled = pl.when(fits).then(coef // power)
    return scaled.cast(pl.Decimal(DIGITS, 0)), (coef.is_not_null() & ~fits).fill_null(False)


def _run_rules(policy: CompiledPolicy, lowering: FusedLowering, query: Query) -> None:
    """``rules.run_rules`` over lazy columns (the rows it fails in ``lowering.failed``)."""
    state = lowering.state
    for output in policy.outputs:
        if output.collect:
            raise NotColumnar(f"output {output.name} collects a list")
        state[output.slot] = Lazy.of(MISSING, kind_of(output.type))
    state[policy.outcome_slot] = Lazy.of(MISSING, "str")
    blocked: dict[int, pl.Expr] = {}
    for item in policy.required_checks:
        absent = ~state[item.slot].known()
        if item.required:
            flag = absent
        else:
            condition = lowering.lower(required_condition(policy, item), absent)
            flag = absent & (condition.e() == True).fill_null(False)  # noqa: E712
        blocked[item.slot] = query.mask(flag)
    incomplete = pl.any_horizontal(list(blocked.values())) if blocked else pl.lit(False)
    exact = {o.slot for o in policy.outputs if o.type.kind in ("decimal", "money", "rate")}
    applied: dict[int, pl.Expr] = {}
    for rule in policy.rules:
        skipped = [blocked[slot] for slot in rule.input_slots if slot in blocked]
        active = ~pl.any_horizontal(skipped) if skipped else pl.lit(True)
        if rule.condition is None:
            holds = active
        else:
            condition = lowering.lower(rule.condition, active)
            if condition.constant and condition.value is not True:
                continue  # never applies: sets nothing, defeats nothing
            holds = active & (condition.e() == True).fill_null(False)  # noqa: E712
        defeated = [applied[index] for index in rule.defeated_by if index in applied]
        applies = query.mask(holds & ~pl.any_horizontal(defeated) if defeated else holds)
        for slot, _, checked, constant in rule.sets:
            if slot in policy.collect_slots:
                raise NotColumnar(f"rule {rule.id} adds to a list")
            current = state[slot]
            if checked is None:
                value = Lazy.of(constant, current.kind)
            else:
                value = lowering.lower(checked, applies)
            if slot in exact and value.kind == "int":
                value = as_decimal(value)
            value, current = _same_kind(value, current)
            if current.missing:
                chosen, over = take(applies, value, current)
            else:  # the value is read twice: by the check for a conflict, and where it is kept
                value = query.let(value)
                known = current.known()
                compared = compare("!=", value, current)
                assert compared is not None
                differs, over = compared
                conflict = applies & known & differs.e().fill_null(True)
                lowering.fail(conflict)
                chosen, over_taken = take(applies & ~known, value, current)
                lowering.fail(over_taken)
            lowering.fail(over, applies)
            state[slot] = query.let(chosen)
        applied[rule.index] = applies
    decided = state[policy.outcome_slot].e().fill_null(policy.default_outcome)
    state[policy.outcome_slot] = Lazy(
        "str", pl.when(incomplete).then(pl.lit("incomplete")).otherwise(decided)
    )


def _same_kind(value: Lazy, current: Lazy) -> tuple[Lazy, Lazy]:
    try:
        return unify(value, current)
    except NotColumnar:
        raise NotColumnar(
            f"a value of kind {value.kind} set where one of kind {current.kind} is kept"
        ) from None
