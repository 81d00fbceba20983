"""A decision as terminal text: outcome first, then values, missing facts, notices, the steps
that applied with their facts, figures, dates, formulas, readings and clauses, the rules that
did not apply, and the clauses relied on with their text.

Every string the decision holds goes through ``visible``: a fact cannot start a line of its
own (an ``OUTCOME:`` line of its making) or send escape sequences to the terminal.
"""

from __future__ import annotations

import unicodedata

from govrules.explain.quoting import visible
from govrules.explain.steps import Explanation, Formula, Step, explain, show_value
from govrules.runtime.decision import Decision

__all__ = ["explain_text", "show_value"]

_WIDE = 100  # a formula longer than this is broken before each '='


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - _width(text))


def _refs(refs: tuple[str, ...]) -> str:
    return ", ".join(visible(ref) for ref in refs)


def explain_text(decision: Decision) -> str:
    """Plain-text explanation of ``decision`` (its steps when it has a trace)."""
    return _render(explain(decision))


def _render(shown: Explanation) -> str:
    outcome = shown.outcome + (f" — {shown.outcome_title}" if shown.outcome_title else "")
    lines = [
        visible(shown.title),
        f"policy {visible(shown.policy)} {visible(shown.version)}   as of {shown.as_of}",
        f"OUTCOME: {visible(outcome)}",
        "",
    ]
    if shown.values:
        lines.append("Values")
        names = [visible(row.name) for row in shown.values]
        values = [visible(row.shown) for row in shown.values]
        width = max(_width(name) for name in names) + 2
        value_width = max(_width(value) for value in values) + 2
        for name, value, row in zip(names, values, shown.values, strict=True):
            lines.append(f"  {_pad(name, width)}{_pad(value, value_width)}{visible(row.label)}")
        lines.append("")
    if shown.missing:
        lines.append("Missing facts (一次性告知 — all at once)")
        for fact in shown.missing:
            refs = f"  [{_refs(fact.citations)}]" if fact.citations else ""
            lines.append(
                f"  - {visible(fact.fact)}: {visible(fact.reason)}. {visible(fact.label)}{refs}"
            )
        lines.append("")
    if shown.notices:
        lines.append("Notices")
        for notice in shown.notices:
            refs = f"  [{_refs(notice.citations)}]" if notice.citations else ""
            lines.append(
                f"  [{visible(notice.level)}] {visible(notice.code)}: {visible(notice.en)}{refs}"
            )
            if notice.zh:
                lines.append(f"      {visible(notice.zh)}")
        lines.append("")
    lines.extend(_steps(shown))
    if shown.clauses:
        lines.append("Clauses relied on")
        for clause in shown.clauses:
            marks = "".join(f" [{visible(mark)}]" for mark in clause.marks)
            lines.append(f"  {visible(clause.heading)}{marks}")
            lines.append(f"    {visible(clause.ref)}")
            lines.extend(f"    {visible(line)}" for line in clause.text.splitlines())
        lines.append("")
    lines.append(f"fingerprint {visible(shown.fingerprint)}")
    return "\n".join(lines) + "\n"


def _steps(shown: Explanation) -> list[str]:
    if not shown.traced:
        return ["Steps: not recorded (the decision was evaluated without a trace)", ""]
    lines = ["Steps"]
    for step in shown.steps:
        lines.extend(_step_lines(step))
    if not shown.steps:
        lines.append("  (no rule applied)")
    if shown.not_applied:
        lines.append("  Not applied")
        for rule in shown.not_applied:
            title = f" — {visible(rule.title)}" if rule.title else ""
            lines.append(f"    {visible(rule.rule)}{title}")
            lines.append(f"      {visible(rule.why)}; clause {_refs(rule.citations)}")
    lines.append("")
    return lines


def _step_lines(step: Step) -> list[str]:
    lines = [f"  {step.number}. {visible(step.rule)} — {visible(step.title)}"]
    lines.append(f"     when   {visible(step.condition)}  → {visible(step.condition_value)}")
    if step.defeated_by is not None:
        lines.append(
            f"     defeated by {visible(step.defeated_by)} ({_refs(step.defeated_by_citations)})"
        )
    if step.facts:
        facts = ", ".join(f"{visible(k)}={visible(v)}" for k, v in step.facts)
        lines.append(f"     facts  {facts}")
    for figure in step.figures:
        flag = " UNVERIFIED" if figure.unverified else ""
        lines.append(
            f"     figure {visible(figure.name)}={visible(figure.value)} (in force from "
            f"{visible(figure.effective_from)}; {_refs(figure.citations)}){flag}"
        )
    for computation in step.dates:
        lines.append(f"     date   {visible(computation.basis)}")
        lines.extend(f"              · {visible(day)}" for day in computation.days)
    for formula in step.gives:
        lines.extend(_formula_lines(formula))
    for reading in step.readings:
        lines.append(f"     reading ({visible(reading.id)}): {visible(reading.en)}")
        if reading.zh:
            lines.append(f"              {visible(reading.zh)}")
    lines.append(f"     clause {_refs(step.citations)}")
    return lines


def _formula_lines(formula: Formula) -> list[str]:
    """``gives  name = expression = values = result`` on one line, or a part a line when
    that line would be long."""
    if _width(str(formula)) <= _WIDE:
        return [f"     gives  {visible(str(formula))}"]
    first, *rest = formula.parts
    lines = [f"     gives  {visible(formula.lead)} {visible(first)}"]
    lines.extend(f"              = {visible(part)}" for part in rest)
    return lines
