"""The steps of a decision's trace as the explanations show them: each rule that applied (or
was defeated) with the figures it read and the dates it computed, and the rules that did not.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Context, Decimal
from typing import Any

from govrules.compiler.policy import CompiledOutput
from govrules.runtime.decision import Decision
from govrules.values import to_json_value

__all__ = ["Step", "decision_steps", "figure_name", "show_value", "shown_output"]


@dataclass
class Step:
    rule: dict[str, Any]
    parameters: list[dict[str, Any]] = field(default_factory=list)
    dates: list[dict[str, Any]] = field(default_factory=list)


def decision_steps(decision: Decision) -> tuple[list[Step], list[dict[str, Any]]]:
    """(steps shown in full, rule events of rules that did not apply)."""
    shown: list[Step] = []
    others: list[dict[str, Any]] = []
    pending = Step({})
    for event in decision.trace:
        if event["event"] == "parameter":
            pending.parameters.append(event)
        elif event["event"] == "date":
            pending.dates.append(event)
        elif event["event"] == "rule":
            pending.rule = event
            if event["status"] in ("applied", "defeated"):
                shown.append(pending)
            else:
                others.append(event)
            pending = Step({})
    return shown, others


def figure_name(event: dict[str, Any]) -> str:
    """How a figure read is named: ``approver[amount=[2000, 5000)]`` for a table row,
    ``min_years on 2030-05-01`` for a value read on another date, else the parameter's name."""
    name = str(event["name"])
    if event.get("row"):
        name += "[" + ", ".join(f"{k}={v}" for k, v in event["row"].items()) + "]"
    if event.get("on"):
        name += f" on {event['on']}"
    return name


def show_value(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(show_value(v) for v in value) + "]"
    return str(value)


def shown_output(value: Any, output: CompiledOutput) -> str:
    """A value as the explanations show it: to the output's declared precision (half up) with
    the exact value beside it when they differ, which is the value compared and fingerprinted.
    """
    if output.precision is not None and isinstance(value, Decimal):
        context = Context(
            prec=max(value.adjusted() + output.precision + 2, 1), rounding=ROUND_HALF_UP
        )
        rounded = value.quantize(Decimal(1).scaleb(-output.precision), context=context)
        if rounded != value:
            return f"{rounded} (exactly {to_json_value(value)})"
    return show_value(to_json_value(value))
