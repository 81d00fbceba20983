"""Why not: for a decision, the rules that would have given another outcome and why each did
not apply, and the single facts whose change would change the outcome.

    report = why_not(engine, decision)
    report.blocked     # rules for other outcomes: condition false / unknown / defeated
    report.changes     # [FactChange(fact='payment_form', given='bank_guarantee', to='cash',
                       #             outcome='compliant')]
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from govrules.compiler.policy import CompiledPolicy
from govrules.engine import Engine
from govrules.errors import GovrulesError
from govrules.language.expr.types import Type
from govrules.records import record
from govrules.runtime.decision import Decision
from govrules.values import to_json_value

__all__ = ["BlockedRule", "FactChange", "WhyNot", "why_not"]

MAX_TRIALS = 400


@record(slots=False)
class BlockedRule:
    rule: str
    title: str | None
    outcome: str
    status: str  # not_applicable | unknown | skipped | defeated
    condition: str
    reads: dict[str, Any]
    citations: tuple[str, ...]
    defeated_by: str | None


@record(slots=False)
class FactChange:
    fact: str
    given: Any
    to: Any
    outcome: str


@record(slots=False)
class WhyNot:
    outcome: str
    reasons: tuple[BlockedRule, ...]  # the applied rules that gave this outcome
    blocked: tuple[BlockedRule, ...]
    changes: tuple[FactChange, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "outcome": self.outcome,
            "reasons": [{**r.__dict__, "citations": list(r.citations)} for r in self.reasons],
            "blocked_rules": [{**b.__dict__, "citations": list(b.citations)} for b in self.blocked],
            "changes": [
                {
                    "fact": c.fact,
                    "given": to_json_value(c.given),
                    "to": to_json_value(c.to),
                    "outcome": c.outcome,
                }
                for c in self.changes
            ],
        }


def _outcome_rules(policy: CompiledPolicy) -> dict[str, str]:
    found = {}
    for rule in policy.rules:
        for slot, _, _, constant in rule.sets:
            if slot == policy.outcome_slot:
                found[rule.id] = constant
    return found


def _outcome_events(decision: Decision, applied: bool) -> tuple[BlockedRule, ...]:
    """Outcome rules that gave this outcome (``applied``) or could have given another."""
    outcomes = _outcome_rules(decision.policy)
    found = []
    for event in decision.trace:
        if event["event"] != "rule" or event["rule"] not in outcomes:
            continue
        gave_this = event["status"] == "applied" and outcomes[event["rule"]] == decision.outcome
        other = event["status"] != "applied" and outcomes[event["rule"]] != decision.outcome
        if not (gave_this if applied else other):
            continue
        found.append(
            BlockedRule(
                event["rule"],
                event.get("title"),
                outcomes[event["rule"]],
                event["status"],
                event["condition"],
                event.get("reads", {}),
                tuple(event["citations"]),
                event.get("defeated_by"),
            )
        )
    return tuple(found)


def _candidates(kind: Type, given: Any, decision: Decision) -> list[Any]:
    """Alternative values worth trying for one fact."""
    if kind.kind == "bool":
        return [True, False]
    if kind.kind == "enum":
        return list(kind.values or ())
    if kind.kind == "list" and kind.item is not None and kind.item.kind == "enum":
        current = list(given or [])
        options = [[*current, value] for value in kind.item.values or () if value not in current]
        options += [[v for v in current if v != value] for value in current]
        return options
    policy = decision.policy
    numbers: list[Any] = []
    if kind.kind in ("decimal", "money", "rate", "integer"):
        for output in policy.outputs:
            value = decision.values.get(output.name)
            if output.type.kind == kind.kind and value is not None:
                numbers.append(value)
        for parameter in policy.parameters:
            found = parameter.at(decision.as_of)
            if found is not None and parameter.type.kind == kind.kind:
                numbers.append(found.value)
                if kind.kind == "integer":
                    numbers.extend((found.value + 1, found.value - 1))
        return [n for n in numbers if not isinstance(n, bool)]
    if kind.kind == "date":
        return [
            v
            for o in policy.outputs
            if o.type.kind == "date" and isinstance(v := decision.values.get(o.name), dt.date)
        ]
    return []


def _spell(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def why_not(engine: Engine, decision: Decision) -> WhyNot:
    """Rules for other outcomes that did not apply, and single-fact changes that matter."""
    policy = decision.policy
    facts = {name: _spell(value) for name, value in decision.facts.items()}
    changes: list[FactChange] = []
    trials = 0
    for item in policy.inputs:
        given = decision.facts.get(item.name)
        tried: list[Any] = []
        for candidate in _candidates(item.type, given, decision):
            if candidate in tried:
                continue
            tried.append(candidate)
            if trials >= MAX_TRIALS:
                break
            if candidate == given:
                continue
            trials += 1
            try:
                other = engine.evaluate_version(
                    policy, {**facts, item.name: _spell(candidate)}, decision.as_of, trace=False
                )
            except GovrulesError:
                continue  # a value the case model refuses (below a bound, say) is no option
            if other.outcome != decision.outcome and other.outcome != "incomplete":
                changes.append(FactChange(item.name, given, candidate, other.outcome))
    return WhyNot(
        decision.outcome,
        _outcome_events(decision, True),
        _outcome_events(decision, False),
        tuple(changes),
    )
