"""Evaluating one case under one compiled policy: the rule loop, the outcome, and the trace
when a recorder is on (missing facts and notices come from ``findings``).

There are two loops over the same compiled program: ``_run_rules`` when nothing is recorded,
over the rules that read no missing fact (``plans.program_plan`` keeps what it needs), and
``_run_rules_traced``, which records each step, the skipped ones included.

    decision = evaluate_case(policy, convert(case), as_of, calendar, NULL_RECORDER)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import (
    ROUND_HALF_EVEN,
    Context,
    DivisionByZero,
    InvalidOperation,
    Overflow,
    getcontext,
    setcontext,
)
from typing import Any

from govrules.calendar import DateComputation, WorkingDayCalendar
from govrules.compiler.policy import (
    CompiledParameter,
    CompiledPolicy,
    CompiledRule,
    Notice,
    Program,
)
from govrules.errors import EvaluationError
from govrules.runtime.decision import Decision, MissingFact
from govrules.runtime.findings import (
    calendar_notices,
    missing_for_outputs,
    missing_required,
    undated_notice,
    unverified_notices,
)
from govrules.runtime.plans import ProgramPlan, policy_plan, program_plan
from govrules.runtime.trace import Recorder, TraceRecorder, emitter
from govrules.runtime.trace_events import (
    date_event,
    figure_event,
    outcome_event,
    parameter_event,
    policy_event,
    rule_event,
)
from govrules.values import MISSING

__all__ = ["evaluate_case"]


class _Frame:
    """Where date computations of one evaluation are reported (kept in the last slot)."""

    __slots__ = ("calendar", "recorder", "emit", "rule", "dates")

    def __init__(self, calendar: WorkingDayCalendar, recorder: Recorder) -> None:
        self.calendar = calendar
        self.recorder = recorder
        # how events are reported: compactly to a TraceRecorder; None when nothing records
        self.emit = emitter(recorder) if recorder.enabled else None
        self.rule: str | None = None
        self.dates: list[DateComputation] = []

    def date_computed(self, computation: DateComputation) -> None:
        self.dates.append(computation)
        if self.emit is not None:
            self.emit(date_event, self.rule, computation, self.calendar.provenance)

    def figure_read(self, event: dict[str, Any]) -> None:
        """A figure read beyond the parameters in force today: a table row, or ``at``."""
        if self.emit is not None:
            self.emit(figure_event, self.rule, event)


# The engine's own arithmetic, whatever the caller's decimal context: enough digits that no
# amount within the input limits is rounded by a sum or a product, and an error (not a silent
# infinity or NaN) for anything a law cannot mean.
DECIMAL_CONTEXT = Context(
    prec=50,
    rounding=ROUND_HALF_EVEN,
    Emin=-999_999,
    Emax=999_999,
    traps=[InvalidOperation, DivisionByZero, Overflow],
)


def evaluate_case(
    policy: CompiledPolicy,
    inputs: list[Any],
    as_of: dt.date,
    calendar: WorkingDayCalendar,
    recorder: Recorder,
) -> Decision:
    """Decide one case: its input slots as the policy's converter gives them (a fresh list,
    every decimal in its one spelling: ``casemodel.build_converter``), the date, the calendar,
    a recorder for the trace."""
    # The engine's own context, whatever the caller's: set for the evaluation and put back,
    # rather than copied each time as ``localcontext`` does (the copy cost more than the rest
    # of setting up an evaluation). Nothing that runs inside reads or changes the context but
    # the arithmetic, whose flags nobody reads.
    saved = getcontext()
    setcontext(DECIMAL_CONTEXT)
    try:
        return _evaluate(policy, inputs, as_of, calendar, recorder)
    finally:
        setcontext(saved)


def _evaluate(
    policy: CompiledPolicy,
    inputs: list[Any],
    as_of: dt.date,
    calendar: WorkingDayCalendar,
    recorder: Recorder,
) -> Decision:
    tracing = recorder.enabled
    program = policy.program(as_of, tracing)  # a dictionary lookup once built
    runner = program_plan(policy, program, undated_notice)
    frame = _Frame(calendar, recorder)
    values = inputs  # the converter's fresh list becomes the slot list
    values += runner.tail  # the parameters in force, then the blank outputs and outcome
    values.append(as_of)
    values.append(frame)
    if policy.bindings:
        values += policy.binding_blanks
    if frame.emit is not None:
        frame.emit(policy_event, policy, as_of, calendar.provenance)
    missing = missing_required(policy, values, frame.emit)
    conflicts: list[tuple[int, CompiledRule]] = []
    if tracing:
        applied = _run_rules_traced(policy, program, values, frame, missing, conflicts)
    else:
        # the rules that read a missing fact are skipped, as the traced loop skips them
        steps = runner.unblocked(_blocked(policy, missing)) if missing else runner.steps
        applied = _run_rules(policy, steps, runner.defeats, values, conflicts)
    return _decide(policy, runner, values, frame, as_of, missing, applied, conflicts)


def _blocked(policy: CompiledPolicy, missing: tuple[MissingFact, ...]) -> frozenset[int]:
    """The input slots of the missing facts: no rule that reads one is evaluated."""
    return frozenset(policy.inputs_by_name[m.fact].slot for m in missing)


def _run_rules(
    policy: CompiledPolicy,
    steps: tuple[Any, ...],
    defeats: bool,
    values: list[Any],
    conflicts: list[tuple[int, CompiledRule]],
) -> list[CompiledRule]:
    """The fast path: nothing recorded (``steps``: the plan's, without the rules that read a
    missing fact; ``defeats``: whether any rule of the policy can be defeated)."""
    applied: list[CompiledRule] = []
    # rule index -> its place in ``applied``, kept only when a rule can be defeated
    position: dict[int, int] | None = {} if defeats else None
    parts: Any = None  # the step's rule and what it sets, also to name a rule that fails
    try:
        for condition, parts in steps:
            if condition(values) is not True:
                continue
            rule, sets, defeatable, collects = parts
            if defeatable and _defeater(rule, applied, position) is not None:  # type: ignore[arg-type]
                continue
            for slot, compute in sets:
                value = compute(values)
                current = values[slot]
                if current is MISSING:
                    values[slot] = value
                elif current != value:
                    conflicts.append((slot, rule))
            if collects:
                for slot, compute in collects:
                    _collect(values, slot, compute(values))
            if position is not None:
                position[rule.index] = len(applied)
            applied.append(rule)
    except (ArithmeticError, ValueError, OverflowError) as error:
        failed = parts[0].id if parts is not None else "?"
        raise EvaluationError(f"{policy.id}: rule '{failed}' failed: {error}") from None
    return applied


def _run_rules_traced(
    policy: CompiledPolicy,
    program: Program,
    values: list[Any],
    frame: _Frame,
    missing: tuple[MissingFact, ...],
    conflicts: list[tuple[int, CompiledRule]],
) -> list[CompiledRule]:
    """The same rules, recording each step, and skipping rules whose facts are missing."""
    emit = frame.emit
    plans = policy_plan(policy).rules if emit is not None else {}
    as_of = values[policy.as_of_slot]
    blocked = _blocked(policy, missing)
    applied: list[CompiledRule] = []
    position: dict[int, int] = {}  # rule index -> its place in ``applied``
    for rule, condition, sets, _, collects in program.steps:
        frame.rule = rule.id
        plan = plans.get(id(rule))
        if rule.input_slots & blocked:
            if plan is not None and emit is not None:
                emit(
                    rule_event,
                    plan,
                    "skipped",
                    None,
                    plan.read(values),
                    None,
                    None,
                    "required facts are missing",
                )
            continue
        try:
            if plan is not None and emit is not None:
                _record_parameters(emit, plan.id, plan.condition_parameters, as_of)
            holds = True if condition is None else condition(values)
            if holds is not True:
                if plan is not None and emit is not None:
                    status = "unknown" if holds is MISSING else "not_applicable"
                    emit(rule_event, plan, status, holds, plan.read(values), None, None, None)
                continue
            defeater = _defeater(rule, applied, position) if rule.defeated_by else None
            if defeater is not None:
                if plan is not None and emit is not None:
                    emit(
                        rule_event, plan, "defeated", True, plan.read(values), None, defeater, None
                    )
                continue
            if plan is not None and emit is not None:
                _record_parameters(emit, plan.id, plan.set_parameters, as_of)
            produced = {}
            for slot, compute in sets:
                value = produced[slot] = compute(values)
                current = values[slot]
                if current is MISSING:
                    values[slot] = value
                elif current != value:
                    conflicts.append((slot, rule))
            for slot, compute in collects:
                _collect(values, slot, produced.setdefault(slot, compute(values)))
        except (ArithmeticError, ValueError, OverflowError) as error:
            raise EvaluationError(f"{policy.id}: rule '{rule.id}' failed: {error}") from None
        position[rule.index] = len(applied)
        applied.append(rule)
        if plan is not None and emit is not None:
            emit(rule_event, plan, "applied", True, plan.read(values), produced, None, None)
    return applied


def _collect(values: list[Any], slot: int, item: Any) -> None:
    """Add ``item`` to the collected list in ``slot`` (an unknown item adds nothing)."""
    if item is not MISSING and item not in values[slot]:
        values[slot] = (*values[slot], item)


def _defeater(
    rule: CompiledRule, applied: list[CompiledRule], position: dict[int, int]
) -> CompiledRule | None:
    """The first rule applied (in evaluation order) of those that defeat ``rule``: looked up
    by index, so a policy of many rules and defeats costs no more per rule than a small one."""
    found = [position[index] for index in rule.defeated_by if index in position]
    return applied[min(found)] if found else None


def _decide(
    policy: CompiledPolicy,
    runner: ProgramPlan,
    values: list[Any],
    frame: _Frame,
    as_of: dt.date,
    missing: tuple[MissingFact, ...],
    applied: list[CompiledRule],
    conflicts: list[tuple[int, CompiledRule]],
) -> Decision:
    program = runner.program
    notices = [rule.notice for rule in applied if rule.notice is not None] if runner.notices else []
    for slot, rule in conflicts:
        name = policy.name_of[slot]
        first = next(r for r in applied if any(entry[0] == slot for entry in r.sets))
        values[slot] = MISSING
        notices.append(
            Notice(
                "conflict",
                "warning",
                f"rules '{first.id}' and '{rule.id}' "
                f"give different values for '{name}' and neither defeats the "
                "other",
                None,
                first.citations + rule.citations,
            )
        )
    chosen = values[policy.outcome_slot]
    if missing:
        outcome = "incomplete"
    elif conflicts:
        outcome = "conflict"
    else:
        outcome = policy.default_outcome if chosen is MISSING else chosen
    if policy.reporting_outputs:
        missing = missing + missing_for_outputs(policy, values, missing)
    if frame.dates:
        notices.extend(calendar_notices(frame.dates))
    if program.unverified:
        notices.extend(unverified_notices(policy, applied, as_of, program.unverified))
    if runner.undated is not None:
        notices.append(runner.undated)
    recorder = frame.recorder
    if frame.emit is not None:
        decisive = [r.id for r in applied if r.sets and r.sets[-1][0] == policy.outcome_slot]
        frame.emit(
            outcome_event,
            outcome,
            decisive[-1] if decisive and outcome not in ("incomplete", "conflict") else None,
            chosen is MISSING,
        )
    # the recorder and how many of its events are this decision's: built when read
    events = (
        (recorder, len(recorder))
        if recorder.enabled and isinstance(recorder, TraceRecorder)
        else ()
    )
    values[policy.frame_slot] = None  # the decision keeps the slots, not the frame
    return Decision.decided(
        policy,
        as_of,
        outcome,
        values,
        missing,
        tuple(notices),
        events,
        applied,
        frame.calendar.provenance,
    )


def _record_parameters(
    emit: Callable[..., None],
    rule: str,
    parameters: tuple[CompiledParameter, ...],
    as_of: dt.date,
) -> None:
    """Record each parameter read, where the lookup happens: value, start date, clause."""
    for parameter in parameters:
        if parameter.at(as_of) is not None:
            emit(parameter_event, rule, parameter, as_of)
