"""How the explanations show a value of a decision: the figures a rule read by name and row,
a trace value in one readable spelling (a text that could be mistaken for more than one value
quoted), an output to its declared precision.

    show_value(["a", "b, c"])     # '[a, "b, c"]'
    figure_name({"name": "approver", "row": {"amount": "[2000, 5000)"}})
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Context, Decimal
from typing import Any

from govrules.compiler.policy import CompiledOutput
from govrules.values import to_json_value

__all__ = ["figure_name", "show_value", "shown_output"]

_PLAIN = re.compile(r"[^\s,=:;{}\[\]()\"'\\]+(?: [^\s,=:;{}\[\]()\"'\\]+)*")


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
    """A value of the trace (its JSON form) as the explanations show it; a text that could be
    mistaken for more than one value (commas, brackets, quotes, spaces at its ends, control
    characters) is quoted, with its quotes and backslashes escaped."""
    if isinstance(value, str):
        if value.isprintable() and _PLAIN.fullmatch(value) and value not in ("—", "true", "false"):
            return value
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(show_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {show_value(v)}" for k, v in value.items()) + "}"
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
            return f"{rounded:f} (exactly {to_json_value(value)})"
        return f"{rounded:f}"
    return show_value(to_json_value(value))
