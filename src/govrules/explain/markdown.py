"""A decision as Markdown, for a file, a ticket or a review: the outcome and values first,
then the missing facts, the notices, each step (facts, figures, dates, formulas, readings,
clauses), the rules that did not apply, and the text of every clause relied on.

Names, refs, conditions and formulas are code spans; every other string is escaped, so that a
fact's ``*``, ``|``, ``<b>`` or newline shows as typed and never becomes Markdown.
"""

from __future__ import annotations

from govrules.explain.quoting import markdown_code as code
from govrules.explain.quoting import markdown_text as md
from govrules.explain.steps import Explanation, Step, explain
from govrules.runtime.decision import Decision

__all__ = ["explain_markdown"]


def _refs(refs: tuple[str, ...]) -> str:
    return ", ".join(code(ref) for ref in refs)


def explain_markdown(decision: Decision) -> str:
    """The decision as Markdown."""
    shown = explain(decision)
    lines = [
        f"# {md(shown.title)}",
        "",
        f"{code(shown.policy)} {md(shown.version)} · as of {shown.as_of}",
        "",
        f"**Outcome: {md(shown.outcome)}**"
        + (f" — {md(shown.outcome_title)}" if shown.outcome_title else ""),
        "",
    ]
    if shown.values:
        lines += ["## Values", "", "| value | | meaning |", "|---|---|---|"]
        lines += [
            f"| {code(row.name, in_table=True)} | {md(row.shown)} | {md(row.label)} |"
            for row in shown.values
        ]
        lines.append("")
    if shown.missing:
        lines += ["## Missing facts (一次性告知)", ""]
        for fact in shown.missing:
            refs = f" (clauses {_refs(fact.citations)})" if fact.citations else ""
            lines.append(f"- {code(fact.fact)} {md(fact.label)} — {md(fact.reason)}{refs}")
        lines.append("")
    if shown.notices:
        lines += ["## Notices", ""]
        for notice in shown.notices:
            refs = f" (clauses {_refs(notice.citations)})" if notice.citations else ""
            zh = f" — {md(notice.zh)}" if notice.zh else ""
            lines.append(f"- **{md(notice.code)}** ({md(notice.level)}): {md(notice.en)}{zh}{refs}")
        lines.append("")
    lines += _steps(shown)
    if shown.clauses:
        lines += ["## Clauses relied on", ""]
        for clause in shown.clauses:
            marks = "".join(f" \\[{md(mark)}\\]" for mark in clause.marks)
            lines += [f"- {code(clause.ref)}{marks}", ""]
            text = [md(line) for line in clause.text.splitlines() if line.strip()]
            lines.append(f"> {md(clause.heading)}：" + "\\\n> ".join(text))
            lines.append("")
    lines.append(f"fingerprint {code(shown.fingerprint)}")
    return "\n".join(lines) + "\n"


def _steps(shown: Explanation) -> list[str]:
    if not shown.traced:
        return ["## Steps", "", "Not recorded: the decision was evaluated without a trace.", ""]
    lines = ["## Steps", ""]
    for step in shown.steps:
        lines += _step(step)
    if not shown.steps:
        lines += ["No rule applied.", ""]
    if shown.not_applied:
        lines += ["### Not applied", ""]
        for rule in shown.not_applied:
            title = f" {md(rule.title)}" if rule.title else ""
            lines.append(
                f"- {code(rule.rule)}{title} — {md(rule.why)} (clauses {_refs(rule.citations)})"
            )
        lines.append("")
    return lines


def _step(step: Step) -> list[str]:
    lines = [f"### {step.number}. {md(step.title)} ({code(step.rule)})", ""]
    lines.append(f"- when {code(step.condition)} → {md(step.condition_value)}")
    if step.defeated_by is not None:
        lines.append(
            f"- defeated by {code(step.defeated_by)} (clauses {_refs(step.defeated_by_citations)})"
        )
    if step.facts:
        lines.append("- facts: " + ", ".join(f"{code(k)} = {md(v)}" for k, v in step.facts))
    for figure in step.figures:
        flag = " **unverified**" if figure.unverified else ""
        lines.append(
            f"- figure {code(figure.name)} = {md(figure.value)} (in force from "
            f"{md(figure.effective_from)}; {_refs(figure.citations)}){flag}"
        )
    for computation in step.dates:
        lines.append(f"- date: {md(computation.basis)}")
        lines += [f"  - {md(day)}" for day in computation.days]
    for formula in step.gives:
        lines.append(f"- gives {code(str(formula))}")
    for reading in step.readings:
        zh = f" — {md(reading.zh)}" if reading.zh else ""
        lines.append(f"- reading ({code(reading.id)}): {md(reading.en)}{zh}")
    lines += [f"- clauses {_refs(step.citations)}", ""]
    return lines
