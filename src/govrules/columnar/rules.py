"""The rule loop over a table: ``runtime/evaluation.py`` for every row at once.

    run = run_rules(policy, as_of, calendar, facts, rows)
    run.applied[rule.index]     # where each rule applied
    run.outcome                 # the outcome of each row
    run.failed                  # rows the per-case engine decides instead

Rules run in the program's order. A rule is skipped where a fact it reads is required and
missing, as the engine skips it; its condition must be true (unknown is not); a rule that
defeats it must not have applied before it; its values are set in order where no earlier
rule set them. A row where two rules give different values (a conflict), where a value
cannot be held, or where a computation fails, is marked ``failed``.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from govrules.calendar import WorkingDayCalendar
from govrules.columnar.arithmetic import as_decimal, compare, unify
from govrules.columnar.columns import Column, NotColumnar, kind_of
from govrules.columnar.facts import Facts
from govrules.columnar.lowering import Lowering
from govrules.compiler.context import InputsOnly, SymbolScope
from govrules.compiler.policy import CompiledInput, CompiledPolicy, Program
from govrules.language.expr import Checked, Symbol, check, parse_expression
from govrules.language.expr.types import DATE
from govrules.records import record
from govrules.values import MISSING

__all__ = ["RuleRun", "required_condition", "run_rules"]


@record
class RuleRun:
    program: Program
    state: dict[int, Column]  # every slot's column after the rules
    applied: dict[int, pl.Series]  # by rule index
    required_missing: dict[str, pl.Series]  # by input name: a required fact not given
    outcome: pl.Series  # the outcome of each row (incomplete where facts are missing)
    failed: pl.Series
    years: list[pl.Series]  # per date computation: unpublished years reached, or null


def required_condition(policy: CompiledPolicy, item: CompiledInput) -> Checked:
    """An input's ``required_when``, checked again as the compiler checks it (the compiled
    policy keeps only its closure): against the inputs, each read as optional, and ``as_of``."""
    if item.required_when_text is None:
        raise NotColumnar(f"input {item.name}: a required_when that is not an expression")
    scope = SymbolScope()
    for other in policy.inputs:
        scope.add(Symbol(other.name, other.type, other.slot, "input"))
    scope.add(Symbol("as_of", DATE, policy.as_of_slot, "context"))
    checked, issues = check(parse_expression(item.required_when_text), InputsOnly(scope))
    if issues:
        raise NotColumnar(f"input {item.name}: its required_when does not check again")
    return checked


def run_rules(
    policy: CompiledPolicy,
    as_of: dt.date,
    calendar: WorkingDayCalendar,
    facts: Facts,
    rows: int,
) -> RuleRun:
    program = policy.program(as_of, False)
    lowering = Lowering(policy, program, as_of, calendar, rows)
    state = lowering.state
    for item in policy.inputs:
        state[item.slot] = facts.columns[item.name]
    for output in policy.outputs:
        if output.collect:
            raise NotColumnar(f"output {output.name} collects a list")
        state[output.slot] = Column.of(MISSING, kind_of(output.type))
    state[policy.outcome_slot] = Column.of(MISSING, "str")

    required_missing: dict[str, pl.Series] = {}
    blocked: dict[int, pl.Series] = {}
    for item in policy.required_checks:
        absent = ~state[item.slot].known(rows)
        if item.required:
            flag = absent
        else:
            condition = lowering.lower(required_condition(policy, item), absent)
            flag = absent & (condition.series(rows) == True).fill_null(False)  # noqa: E712
        required_missing[item.name] = flag
        blocked[item.slot] = flag
    incomplete = pl.repeat(False, rows, eager=True)
    for flag in blocked.values():
        incomplete = incomplete | flag

    exact = {o.slot for o in policy.outputs if o.type.kind in ("decimal", "money", "rate")}
    applied: dict[int, pl.Series] = {}
    for rule in policy.rules:
        skipped = pl.repeat(False, rows, eager=True)
        for slot in rule.input_slots:
            if slot in blocked:
                skipped = skipped | blocked[slot]
        active = ~skipped
        if rule.condition is None:
            holds = active
        else:
            condition = lowering.lower(rule.condition, active)
            holds = active & (condition.series(rows) == True).fill_null(False)  # noqa: E712
        defeated = pl.repeat(False, rows, eager=True)
        for index in rule.defeated_by:
            if index in applied:
                defeated = defeated | applied[index]
        applies = holds & ~defeated
        for slot, _, checked, constant in rule.sets:
            if slot in policy.collect_slots:
                raise NotColumnar(f"rule {rule.id} adds to a list")
            if checked is None:
                value = Column.of(constant, state[slot].kind)
            else:
                value = lowering.lower(checked, applies)
            current = state[slot]
            if slot in exact and value.kind == "int":
                value = as_decimal(value)  # a whole number given to a decimal value
            elif current.kind == "dec" and _whole_number(value):
                # an input's default of 0 stays the int 0 in the engine, which its facts
                # write as a number: the rows it reaches are left to the engine
                lowering.fail(applies & ~current.known(rows))
            value, current = _same_kind(value, current)
            if current.constant and current.value is MISSING:
                # nothing set it before: no conflict is possible, the value stands
                state[slot] = value.take(applies, current, rows)
                continue
            known = current.known(rows)
            compared = compare("!=", value, current, rows)
            assert compared is not None
            differs, over = compared
            conflict = applies & known & (differs.series(rows).fill_null(True) | over)
            lowering.fail(conflict)
            state[slot] = value.take(applies & ~known, current, rows)
        applied[rule.index] = applies
    outcome_column = state[policy.outcome_slot]
    chosen = outcome_column.series(rows)
    outcome = (
        pl.DataFrame({"c": chosen, "i": incomplete})
        .select(
            pl.when(pl.col("i"))
            .then(pl.lit("incomplete"))
            .otherwise(pl.col("c").fill_null(policy.default_outcome))
        )
        .to_series()
    )
    return RuleRun(
        program,
        state,
        applied,
        required_missing,
        outcome,
        lowering.failed,
        lowering.years,
    )


def _same_kind(value: Column, current: Column) -> tuple[Column, Column]:
    if value.kind == current.kind:
        return value, current
    try:
        return unify(value, current)
    except NotColumnar:
        raise NotColumnar(
            f"a value of kind {value.kind} set where one of kind {current.kind} is kept"
        ) from None


def _whole_number(value: Column) -> bool:
    """Whether a value for a decimal slot may be a Python ``int`` the engine keeps as is."""
    if value.kind == "int":
        return True
    return value.constant and type(value.value) is int
