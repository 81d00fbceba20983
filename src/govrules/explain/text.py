"""A decision as terminal text: outcome first, then values, missing facts, notices, the steps
that applied with their facts, figures, readings and clause text, and the citations.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from govrules.explain.steps import decision_steps, figure_name, show_value, shown_output
from govrules.runtime.decision import Decision

__all__ = ["explain_text", "show_value"]


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - _width(text))


def explain_text(decision: Decision) -> str:
    """Plain-text explanation of ``decision`` (uses its trace when it has one)."""
    policy = decision.policy
    model = policy.model
    lines: list[str] = []
    title = model.outcome.titles.get(decision.outcome)
    outcome = decision.outcome + (f" — {title.zh} {title.en}" if title else "")
    lines.append(f"{model.title.zh} / {model.title.en}")
    lines.append(f"policy {policy.id} {policy.version}   as of {decision.as_of.isoformat()}")
    lines.append(f"OUTCOME: {outcome}")
    lines.append("")
    outputs = {o.name: o for o in policy.outputs}
    if decision.values:
        lines.append("Values")
        width = max(_width(name) for name in decision.values) + 2
        shown = {name: shown_output(v, outputs[name]) for name, v in decision.values.items()}
        value_width = max(_width(text) for text in shown.values()) + 2
        for name in decision.values:
            spec = outputs[name]
            label = " ".join(t for t in (spec.title_zh, spec.title_en) if t)
            lines.append(f"  {_pad(name, width)}{_pad(shown[name], value_width)}{label}")
        lines.append("")
    if decision.missing:
        lines.append("Missing facts (一次性告知 — all at once)")
        for fact in decision.missing:
            label = " ".join(t for t in (fact.title_zh, fact.title_en) if t)
            refs = f"  [{', '.join(c.ref for c in fact.citations)}]" if fact.citations else ""
            lines.append(f"  - {fact.fact}: {fact.reason}. {label}{refs}")
        lines.append("")
    if decision.notices:
        lines.append("Notices")
        for notice in decision.notices:
            lines.append(f"  [{notice.level}] {notice.code}: {' '.join(notice.en.split())}")
            if notice.zh:
                lines.append(f"      {' '.join(notice.zh.split())}")
        lines.append("")
    if decision.trace:
        lines.extend(_steps(decision))
    if decision.citations:
        lines.append("Clauses relied on")
        for citation in decision.citations:
            mark = (
                f" [verification {citation.verification}]" if citation.verification != "A" else ""
            )
            excerpt = " [excerpt]" if citation.excerpt else ""
            lines.append(f"  《{citation.document_title}》{citation.label}{mark}{excerpt}")
            lines.append(f"    {citation.ref}")
            for text_line in citation.text.splitlines():
                lines.append(f"    {text_line}")
        lines.append("")
    lines.append(f"fingerprint {decision.fingerprint}")
    return "\n".join(lines) + "\n"


def _steps(decision: Decision) -> list[str]:
    lines = ["Steps"]
    shown, others = decision_steps(decision)
    for number, step in enumerate(shown, 1):
        event = step.rule
        if event["status"] == "defeated":
            lines.append(
                f"  {number}. {event['rule']} — defeated by {event['defeated_by']} "
                f"({', '.join(event['defeated_by_citations'])})"
            )
        else:
            lines.extend(_rule_lines(number, event, step.parameters, step.dates))
    if not shown:
        lines.append("  (no rule applied)")
    if others:
        lines.append(
            "  Not applied: "
            + ", ".join(f"{e['rule']} ({e['status'].replace('_', ' ')})" for e in others)
        )
    lines.append("")
    return lines


def _rule_lines(
    number: int,
    event: dict[str, Any],
    parameters: list[dict[str, Any]],
    dates: list[dict[str, Any]],
) -> list[str]:
    title = " ".join(t for t in (event.get("title_zh"), event.get("title")) if t)
    lines = [f"  {number}. {event['rule']} — {title}"]
    lines.append(f"     when   {event['condition']}  → {show_value(event['condition_value'])}")
    if event.get("reads"):
        facts = ", ".join(f"{k}={show_value(v)}" for k, v in event["reads"].items())
        lines.append(f"     facts  {facts}")
    for parameter in parameters:
        flag = " UNVERIFIED" if parameter["unverified"] else ""
        lines.append(
            f"     figure {figure_name(parameter)}={show_value(parameter['value'])} (in force "
            f"from {parameter['effective_from']}; {', '.join(parameter['citations'])})"
            f"{flag}"
        )
    for computation in dates:
        lines.append(f"     date   {computation['basis']}")
        for day in computation["days"]:
            lines.append(f"              · {day['text']}")
    if event.get("values"):
        produced = ", ".join(f"{k}={show_value(v)}" for k, v in event["values"].items())
        lines.append(f"     gives  {produced}")
    for note in event.get("interpretations", ()):
        lines.append(f"     reading ({note['id']}): {' '.join(note['en'].split())}")
    lines.append(f"     clause {', '.join(event['citations'])}")
    return lines
