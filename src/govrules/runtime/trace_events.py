"""The events of a decision's trace, as the engine records them compactly and as they are
built when read: one builder per kind of event, and per rule what every event of it shares.

The evaluation loop records ``(builder, fields)`` -- the rule's plan, its status, the values it
read (one C-level ``itemgetter`` call), what it produced -- and leaves the JSON-ready dicts to
the builders, which run only when the trace is read. A builder gives exactly the dict the
engine used to build on the spot, key for key and in the same order: the decision's JSON, its
trace digest and its explanations do not change (the golden decisions prove it).

    plan = policy_plan(policy).rules[id(rule)]
    emit(rule_event, plan, "applied", True, plan.read(values), produced, None, None)
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from govrules.calendar import DateComputation
from govrules.compiler.policy import CompiledParameter, CompiledPolicy, CompiledRule
from govrules.runtime.plans import RulePlan
from govrules.values import MISSING, effective_text, to_json_value

__all__ = [
    "date_event",
    "figure_event",
    "missing_event",
    "outcome_event",
    "parameter_event",
    "policy_event",
    "rule_event",
]


def json_value(value: Any) -> Any:
    """``to_json_value``, with the common kinds answered first."""
    kind = type(value)
    if kind is str or kind is bool or kind is int or value is None:
        return value
    if value is MISSING:
        return None
    if kind is dt.date:
        return value.isoformat()
    if kind is tuple or kind is list:
        return [json_value(item) for item in value]
    if kind is Decimal:
        # str() is three times faster than format(value, "f") and the same text unless it
        # chose an exponent (whichever case the context gives it)
        text = str(value)
        return format(value, "f") if "E" in text or "e" in text else text
    return to_json_value(value)


# ---------------------------------------------------------------------------- the builders


def policy_event(
    step: int, policy: CompiledPolicy, as_of: dt.date, calendar: str
) -> dict[str, Any]:
    return {
        "step": step,
        "event": "policy",
        "policy": policy.id,
        "version": policy.version,
        "content_hash": policy.content_hash,
        "file": policy.path,
        "as_of": as_of.isoformat(),
        "calendar": calendar,
    }


def missing_event(step: int, found: tuple[Any, ...]) -> dict[str, Any]:
    return {"step": step, "event": "missing", "facts": [m.to_dict() for m in found]}


def parameter_event(
    step: int, rule: str, parameter: CompiledParameter, as_of: dt.date
) -> dict[str, Any]:
    """A parameter read where the lookup happens: value, start date, clause (the caller has
    checked that a value is in force on ``as_of``)."""
    found = parameter.at(as_of)
    assert found is not None
    return {
        "step": step,
        "event": "parameter",
        "rule": rule,
        "name": parameter.name,
        "value": json_value(found.value),
        "effective_from": effective_text(found.effective_from),
        "citations": [c.ref for c in found.citations],
        "unverified": found.unverified,
    }


def figure_event(step: int, rule: str | None, event: dict[str, Any]) -> dict[str, Any]:
    """A figure read beyond the parameters in force today: a table row, or ``at``."""
    return {"step": step, "event": "parameter", "rule": rule, **event}


def date_event(
    step: int, rule: str | None, computation: DateComputation, calendar: str
) -> dict[str, Any]:
    return {
        "step": step,
        "event": "date",
        "rule": rule,
        **computation.to_dict(),
        "provisional": bool(computation.unpublished_years),
        "calendar": calendar,
    }


def rule_event(
    step: int,
    plan: RulePlan,
    status: str,
    holds: Any,
    read: tuple[Any, ...],
    produced: dict[int, Any] | None,
    defeated_by: CompiledRule | None,
    detail: str | None,
) -> dict[str, Any]:
    reads: dict[str, Any] = {}
    for name, is_list, value in zip(plan.names, plan.lists, read):  # noqa: B905 - one length
        reads[name] = (
            {"fact": name, "items": len(value)}
            if is_list and isinstance(value, (list, tuple))
            else json_value(value)
        )
    event: dict[str, Any] = {
        "step": step,
        "event": "rule",
        "rule": plan.id,
        "title": plan.title,
        "title_zh": plan.title_zh,
        "status": status,
        "condition": plan.condition,
        "condition_value": json_value(holds),
        "reads": reads,
        "citations": list(plan.citations),
    }
    if produced is not None:
        name_of = plan.name_of
        event["values"] = {name_of[slot]: json_value(value) for slot, value in produced.items()}
    if plan.interpretations and status == "applied":
        event["interpretations"] = [
            {"id": key, "en": en, "zh": zh, "citations": list(refs)}
            for key, en, zh, refs in plan.interpretations
        ]
    if plan.kind != "rule":
        event["kind"] = plan.kind  # an else branch, or a default that gave the value
    if defeated_by is not None:
        event["defeated_by"] = defeated_by.id
        event["defeated_by_citations"] = [c.ref for c in defeated_by.citations]
    if detail is not None:
        event["detail"] = detail
    return event


def outcome_event(step: int, outcome: str, rule: str | None, default: bool) -> dict[str, Any]:
    return {"step": step, "event": "outcome", "outcome": outcome, "rule": rule, "default": default}
