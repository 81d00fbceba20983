"""Evaluating one case under one compiled policy: the rule loop, the outcome, and the trace
when a recorder is on (missing facts and notices come from ``findings``).

There are two loops over the same compiled program: ``_run_rules`` for the common case (every
required fact given, nothing recorded) and ``_run_rules_traced``, which records each step and
skips the rules whose facts are missing.
"""

from __future__ import annotations

import datetime as dt
from decimal import (
    ROUND_HALF_EVEN,
    Context,
    DivisionByZero,
    InvalidOperation,
    Overflow,
    localcontext,
)
from typing import Any

from govrules.calendar import DateComputation, WorkingDayCalendar
from govrules.compiler.policy import CompiledPolicy, CompiledRule, Notice, Program
from govrules.errors import EvaluationError
from govrules.runtime.decision import Decision, MissingFact
from govrules.runtime.findings import (
    calendar_notices,
    missing_for_outputs,
    missing_required,
    undated_notice,
    unverified_notices,
)
from govrules.runtime.trace import Recorder, TraceRecorder
from govrules.values import MISSING, effective_text, exact_fact, to_json_value

__all__ = ["evaluate_case"]


class _Frame:
    """Where date computations of one evaluation are reported (kept in the last slot)."""

    __slots__ = ("calendar", "recorder", "rule", "dates")

    def __init__(self, calendar: WorkingDayCalendar, recorder: Recorder) -> None:
        self.calendar = calendar
        self.recorder = recorder
        self.rule: str | None = None
        self.dates: list[DateComputation] = []

    def date_computed(self, computation: DateComputation) -> None:
        self.dates.append(computation)
        if self.recorder.enabled:
            self.recorder.record(
                {
                    "event": "date",
                    "rule": self.rule,
                    **computation.to_dict(),
                    "provisional": bool(computation.unpublished_years),
                    "calendar": self.calendar.provenance,
                }
            )

    def figure_read(self, event: dict[str, Any]) -> None:
        """A figure read beyond the parameters in force today: a table row, or ``at``."""
        if self.recorder.enabled:
            self.recorder.record({"event": "parameter", "rule": self.rule, **event})


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
    """Decide one case: its input slots, the date, the calendar, a recorder for the trace."""
    with localcontext(DECIMAL_CONTEXT):
        return _evaluate(policy, inputs, as_of, calendar, recorder)


def _evaluate(
    policy: CompiledPolicy,
    inputs: list[Any],
    as_of: dt.date,
    calendar: WorkingDayCalendar,
    recorder: Recorder,
) -> Decision:
    tracing = recorder.enabled
    program = policy.program(as_of, tracing)  # a dictionary lookup once built
    frame = _Frame(calendar, recorder)
    values = inputs  # the converter's fresh list becomes the slot list
    for slot in policy.exact_slots:  # one spelling per amount: 1000000.00 is 1000000
        if values[slot] is not MISSING:
            values[slot] = exact_fact(values[slot])
    values.extend(program.parameters)
    values.extend(policy.blank_values)
    values.append(as_of)
    values.append(frame)
    if policy.bindings:
        values.extend(policy.binding_blanks)
    if tracing:
        recorder.record(
            {
                "event": "policy",
                "policy": policy.id,
                "version": policy.version,
                "content_hash": policy.content_hash,
                "file": policy.path,
                "as_of": as_of.isoformat(),
                "calendar": calendar.provenance,
            }
        )
    missing = missing_required(policy, values, recorder)
    conflicts: list[tuple[int, CompiledRule]] = []
    if tracing or missing:
        applied = _run_rules_traced(policy, program, values, frame, missing, conflicts)
    else:
        applied = _run_rules(policy, program, values, conflicts)
    return _decide(policy, program, values, frame, as_of, missing, applied, conflicts)


def _run_rules(
    policy: CompiledPolicy,
    program: Program,
    values: list[Any],
    conflicts: list[tuple[int, CompiledRule]],
) -> list[CompiledRule]:
    """The fast path: every required fact given, nothing recorded."""
    applied: list[CompiledRule] = []
    rule = None
    try:
        for rule, condition, sets, defeatable, collects in program.steps:
            if condition is not None and condition(values) is not True:
                continue
            if defeatable and _defeater(rule, applied) is not None:
                continue
            for slot, compute in sets:
                value = compute(values)
                current = values[slot]
                if current is MISSING:
                    values[slot] = value
                elif current != value:
                    conflicts.append((slot, rule))
            for slot, compute in collects:
                _collect(values, slot, compute(values))
            applied.append(rule)
    except (ArithmeticError, ValueError, OverflowError) as error:
        raise EvaluationError(
            f"{policy.id}: rule '{rule.id if rule else '?'}' failed: {error}"
        ) from None
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
    recorder = frame.recorder
    tracing = recorder.enabled
    as_of = values[policy.as_of_slot]
    blocked = frozenset(policy.inputs_by_name[m.fact].slot for m in missing)
    applied: list[CompiledRule] = []
    for rule, condition, sets, _, collects in program.steps:
        frame.rule = rule.id
        if rule.input_slots & blocked:
            if tracing:
                _record_rule(
                    recorder, rule, values, None, "skipped", detail="required facts are missing"
                )
            continue
        try:
            if tracing:
                _record_parameters(recorder, policy, rule, rule.condition_parameters, as_of)
            holds = True if condition is None else condition(values)
            if holds is not True:
                if tracing:
                    _record_rule(
                        recorder,
                        rule,
                        values,
                        holds,
                        "unknown" if holds is MISSING else "not_applicable",
                    )
                continue
            defeater = _defeater(rule, applied) if rule.defeated_by else None
            if defeater is not None:
                if tracing:
                    _record_rule(recorder, rule, values, True, "defeated", defeated_by=defeater)
                continue
            if tracing:
                _record_parameters(recorder, policy, rule, rule.set_parameters, as_of)
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
        applied.append(rule)
        if tracing:
            _record_rule(
                recorder,
                rule,
                values,
                True,
                "applied",
                produced={policy.name_of[slot]: value for slot, value in produced.items()},
            )
    return applied


def _collect(values: list[Any], slot: int, item: Any) -> None:
    """Add ``item`` to the collected list in ``slot`` (an unknown item adds nothing)."""
    if item is not MISSING and item not in values[slot]:
        values[slot] = (*values[slot], item)


def _defeater(rule: CompiledRule, applied: list[CompiledRule]) -> CompiledRule | None:
    return next((other for other in applied if other.index in rule.defeated_by), None)


def _decide(
    policy: CompiledPolicy,
    program: Program,
    values: list[Any],
    frame: _Frame,
    as_of: dt.date,
    missing: tuple[MissingFact, ...],
    applied: list[CompiledRule],
    conflicts: list[tuple[int, CompiledRule]],
) -> Decision:
    notices = [rule.notice for rule in applied if rule.notice is not None]
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
    if policy.model.effective.undated or program.undated:
        notices.append(undated_notice(policy, program.undated))
    recorder = frame.recorder
    if recorder.enabled:
        decisive = [r.id for r in applied if r.sets and r.sets[-1][0] == policy.outcome_slot]
        recorder.record(
            {
                "event": "outcome",
                "outcome": outcome,
                "rule": decisive[-1]
                if decisive and outcome not in ("incomplete", "conflict")
                else None,
                "default": chosen is MISSING,
            }
        )
    result = {
        name: None if (value := values[slot]) is MISSING else value
        for name, slot in policy.public_slots
    }
    events = (
        tuple(recorder.events) if recorder.enabled and isinstance(recorder, TraceRecorder) else ()
    )
    return Decision(
        policy,
        as_of,
        outcome,
        result,
        missing,
        tuple(notices),
        events,
        values[: len(policy.inputs)],
        applied,
        frame.calendar.provenance,
    )


def _record_parameters(
    recorder: Recorder,
    policy: CompiledPolicy,
    rule: CompiledRule,
    names: tuple[str, ...],
    as_of: dt.date,
) -> None:
    """Record each parameter read, where the lookup happens: value, start date, clause."""
    for name in names:
        value = policy.parameters_by_name[name].at(as_of)
        if value is not None:
            recorder.record(
                {
                    "event": "parameter",
                    "rule": rule.id,
                    "name": name,
                    "value": to_json_value(value.value),
                    "effective_from": effective_text(value.effective_from),
                    "citations": [c.ref for c in value.citations],
                    "unverified": value.unverified,
                }
            )


def _record_rule(
    recorder: Recorder,
    rule: CompiledRule,
    values: list[Any],
    holds: Any,
    status: str,
    *,
    produced: dict[str, Any] | None = None,
    defeated_by: CompiledRule | None = None,
    detail: str | None = None,
) -> None:
    event: dict[str, Any] = {
        "event": "rule",
        "rule": rule.id,
        "title": rule.title_en,
        "title_zh": rule.title_zh,
        "status": status,
        "condition": rule.condition_text,
        "condition_value": to_json_value(holds),
        "reads": {
            name: _read(name, values[slot], origin)
            for name, slot, origin in rule.reads
            if origin != "parameter"
        },
        "citations": [c.ref for c in rule.citations],
    }
    if produced is not None:
        event["values"] = {name: to_json_value(value) for name, value in produced.items()}
    if rule.interpretations and status == "applied":
        event["interpretations"] = [note.to_dict() for note in rule.interpretations]
    if rule.kind != "rule":
        event["kind"] = rule.kind  # an else branch, or a default that gave the value
    if defeated_by is not None:
        event["defeated_by"] = defeated_by.id
        event["defeated_by_citations"] = [c.ref for c in defeated_by.citations]
    if detail is not None:
        event["detail"] = detail
    recorder.record(event)


def _read(name: str, value: Any, origin: str) -> Any:
    """A value a rule read, as its trace event shows it: a list fact by reference to the
    decision's facts (never copied into every event), anything else by value."""
    if origin == "input" and isinstance(value, (list, tuple)):
        return {"fact": name, "items": len(value)}
    return to_json_value(value)
