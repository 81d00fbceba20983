"""Whether a policy can be decided in columns, and if not, exactly why.

    found = plan(policy)
    if isinstance(found, Unsupported):
        print(found.reasons)      # ('output cases collects a list', ...)

A policy plans when every input and value is a scalar (money, rates, decimals, integers,
dates, date-times, texts, enums, booleans), no output collects a list, and its comparisons
with other laws do not depend on the date of the facts. Anything else in an expression (a
table lookup, a division, a working-day period) is computed by the engine's own functions
over the distinct values of a column, so it does not stop a policy from planning.
"""

from __future__ import annotations

from govrules.columnar.columns import KINDS
from govrules.columnar.other_laws import other_law_entries
from govrules.compiler.policy import CompiledPolicy
from govrules.language.expr.checked import Checked
from govrules.records import record

__all__ = ["ColumnarPlan", "Unsupported", "plan"]


@record
class ColumnarPlan:
    """A policy the columnar path decides."""

    policy: CompiledPolicy


@record
class Unsupported:
    """A policy the columnar path does not decide, and every reason why."""

    policy_id: str
    reasons: tuple[str, ...]

    def __str__(self) -> str:
        return f"{self.policy_id} is decided case by case: " + "; ".join(self.reasons)


def plan(policy: CompiledPolicy) -> ColumnarPlan | Unsupported:
    reasons: list[str] = []
    for item in policy.inputs:
        if item.type.kind not in KINDS:
            reasons.append(f"input {item.name} is a {item.type}")
        if item.required_when is not None and item.required_when_text is None:
            reasons.append(f"input {item.name} has a required_when that is not an expression")
    for output in policy.outputs:
        if output.collect:
            reasons.append(f"output {output.name} collects a list")
        elif output.type.kind not in KINDS:
            reasons.append(f"output {output.name} is a {output.type}")
    for rule in policy.rules:
        expressions = [rule.condition] + [checked for _, _, checked, _ in rule.sets]
        for checked in expressions:
            if checked is not None:
                reasons.extend(f"rule {rule.id}: {why}" for why in _expression(checked))
    for relation, entry in other_law_entries(policy):
        if entry.facts_date is not None:
            reasons.append(
                f"its {relation} law {entry.policy} is compared by the date of the facts"
            )
    unique = tuple(dict.fromkeys(reasons))
    return Unsupported(policy.id, unique) if unique else ColumnarPlan(policy)


def _expression(checked: Checked) -> list[str]:
    """Why the value of a node cannot be held in a column. A node of a scalar type whose
    parts are lists, records or tables is computed whole by the engine's closure (so only what
    it reads from the case must be scalar)."""
    if checked.type.kind not in KINDS and not checked.is_constant:
        return [f"a value of type {checked.type}"]
    found = []
    stack = [checked]
    while stack:
        node = stack.pop()
        if any(arg.type.kind not in KINDS for arg in node.args):
            for symbol in node.names():
                if symbol.origin != "parameter" and symbol.type.kind not in KINDS:
                    found.append(f"{symbol.name} is a {symbol.type}")
            continue
        stack.extend(node.args)
    return found
