"""The one-time notice of everything missing (一次性告知): every fact the decision could not do
without, grouped by the clause that asks for it, in the order an applicant would read it.
"""

from __future__ import annotations

from govrules.explain.quoting import visible
from govrules.runtime.decision import Decision, MissingFact

__all__ = ["missing_notice"]


def missing_notice(decision: Decision) -> str:
    """The notice as text (Chinese first, English after); an empty notice says so."""
    lines = [
        f"一次性告知书 / One-time notice of missing facts — {decision.policy.header.title_zh}",
        f"{decision.policy.id} {decision.policy.version}   as of {decision.as_of.isoformat()}",
        "",
    ]
    if not decision.missing:
        lines.append("材料齐全，无需补正。/ Nothing is missing.")
        return "\n".join(visible(line) for line in lines) + "\n"
    groups: dict[str, list[MissingFact]] = {}
    headings: dict[str, str] = {}
    for fact in decision.missing:
        key = fact.citations[0].ref if fact.citations else ""
        groups.setdefault(key, []).append(fact)
        if fact.citations:
            citation = fact.citations[0]
            headings[key] = f"依据《{citation.document_title}》{citation.label}"
        else:
            headings[key] = "其他 / Other"
    number = 0
    for key, facts in groups.items():
        lines.append(headings[key])
        for fact in facts:
            number += 1
            need = "必需" if fact.required else "计算所需"
            lines.append(
                f"  {number}. {fact.title_zh or fact.fact}（{need}）"
                f" — {fact.title_en or fact.fact} [{fact.fact}]: {fact.reason}"
            )
        lines.append("")
    lines.append(f"共{number}项，请一次性补正。/ {number} item(s); please supply them together.")
    return "\n".join(visible(line) for line in lines) + "\n"
