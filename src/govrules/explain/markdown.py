"""A decision as Markdown, for a file, a ticket or a review: the outcome and values first,
then the missing facts, the notices, and each step with the clause text it rests on.
"""

from __future__ import annotations

from govrules.explain.steps import decision_steps, figure_name, show_value, shown_output
from govrules.runtime.decision import Decision

__all__ = ["explain_markdown"]


def explain_markdown(decision: Decision) -> str:
    """The decision as Markdown."""
    policy = decision.policy
    model = policy.model
    clauses = {c.ref: c for c in decision.citations}
    title = model.outcome.titles.get(decision.outcome)
    lines = [
        f"# {model.title.zh} / {model.title.en}",
        "",
        f"`{policy.id}` {policy.version} · as of {decision.as_of.isoformat()}",
        "",
        f"**Outcome: {decision.outcome}**" + (f" — {title.zh} / {title.en}" if title else ""),
        "",
        "## Values",
        "",
        "| value | | meaning |",
        "|---|---|---|",
    ]
    outputs = {o.name: o for o in policy.outputs}
    for name, value in decision.values.items():
        label = " ".join(t for t in (outputs[name].title_zh, outputs[name].title_en) if t)
        lines.append(f"| `{name}` | {shown_output(value, outputs[name])} | {label} |")
    if decision.missing:
        lines += ["", "## Missing facts (一次性告知)", ""]
        lines += [
            f"- `{fact.fact}` {fact.title_zh or ''} — {fact.reason}" for fact in decision.missing
        ]
    if decision.notices:
        lines += ["", "## Notices", ""]
        lines += [f"- **{n.code}** ({n.level}): {' '.join(n.en.split())}" for n in decision.notices]
    lines += ["", "## Steps", ""]
    for number, step in enumerate(decision_steps(decision)[0], 1):
        rule = step.rule
        heading = " ".join(t for t in (rule.get("title_zh"), rule.get("title")) if t)
        lines.append(f"### {number}. {heading} (`{rule['rule']}`)")
        lines.append("")
        if rule["status"] == "defeated":
            lines += [f"Defeated by `{rule['defeated_by']}`.", ""]
            continue
        lines.append(f"- when `{rule['condition']}` → {show_value(rule['condition_value'])}")
        if rule.get("reads"):
            lines.append(
                "- facts: " + ", ".join(f"{k} = {show_value(v)}" for k, v in rule["reads"].items())
            )
        for parameter in step.parameters:
            lines.append(
                f"- figure `{figure_name(parameter)}` = {show_value(parameter['value'])} "
                f"(from {parameter['effective_from']})"
            )
        for computation in step.dates:
            lines.append(f"- date: {computation['basis']}")
            lines += [f"  - {day['text']}" for day in computation["days"]]
        if rule.get("values"):
            lines.append(
                "- gives: " + ", ".join(f"{k} = {show_value(v)}" for k, v in rule["values"].items())
            )
        for ref in rule["citations"]:
            citation = clauses.get(ref)
            if citation is not None:
                text = citation.text.replace("\n", " ")
                lines.append(f"> 《{citation.document_title}》{citation.label}：{text}")
                lines.append("")
        lines.append("")
    lines.append(f"fingerprint `{decision.fingerprint}`")
    return "\n".join(lines) + "\n"
