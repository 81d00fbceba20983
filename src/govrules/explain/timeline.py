"""A decision's deadlines as a timeline, earliest first: what a clerk keeps on the desk.

Each line names the date, the value, the rule and clauses it rests on, and the days that moved
it; a date in a year without a published holiday schedule is marked provisional.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from govrules.explain.quoting import visible
from govrules.runtime.decision import Decision

__all__ = ["deadline_entries", "deadline_timeline"]


def deadline_entries(decision: Decision) -> list[dict[str, Any]]:
    """The date values of ``decision``, earliest first, with what produced each.

    Needs the decision's trace (evaluate with tracing on).
    """
    outputs = {o.name: o for o in decision.policy.outputs}
    labels = {c.ref: f"《{c.document_title}》{c.label}" for c in decision.citations}
    producers: dict[str, dict[str, Any]] = {}
    dates: dict[str, list[dict[str, Any]]] = {}
    for event in decision.trace:
        if event["event"] == "date":
            dates.setdefault(event["rule"], []).append(event)
        elif event["event"] == "rule" and event["status"] == "applied":
            for name in event.get("values", {}):
                producers[name] = event
    entries = []
    for name, value in decision.values.items():
        if outputs[name].type.kind != "date" or not isinstance(value, dt.date):
            continue
        rule = producers.get(name)
        computations = dates.get(rule["rule"], []) if rule else []
        computation = next((c for c in computations if c["result"] == value.isoformat()), None)
        entries.append(
            {
                "date": value.isoformat(),
                "name": name,
                "title_zh": outputs[name].title_zh,
                "title_en": outputs[name].title_en,
                "rule": rule["rule"] if rule else None,
                "clauses": [labels.get(ref, ref) for ref in (rule["citations"] if rule else [])],
                "basis": computation["basis"] if computation else None,
                "moved_over": [day["text"] for day in computation["days"]] if computation else [],
                "provisional": bool(computation and computation["unpublished_years"]),
            }
        )
    entries.sort(key=lambda entry: (entry["date"], entry["name"]))
    return entries


def deadline_timeline(decision: Decision) -> str:
    """The timeline as text."""
    policy = decision.policy
    lines = [
        f"Deadlines — {policy.header.title_zh} / {policy.header.title_en}",
        f"policy {policy.id} {policy.version}   as of {decision.as_of.isoformat()}",
        "",
    ]
    entries = deadline_entries(decision)
    if not entries:
        lines.append("  (no deadline follows from the facts given)")
    for entry in entries:
        flag = "  PROVISIONAL" if entry["provisional"] else ""
        passed = "  (passed)" if entry["date"] < decision.as_of.isoformat() else ""
        title = " ".join(t for t in (entry["title_zh"], entry["title_en"]) if t)
        lines.append(f"  {entry['date']}  {title}{passed}{flag}")
        if entry["basis"]:
            lines.append(f"              {entry['basis']}")
        for day in entry["moved_over"]:
            lines.append(f"                · {day}")
        if entry["clauses"]:
            lines.append(f"              {'; '.join(entry['clauses'])}")
    if decision.missing:
        lines.append("")
        lines.append(
            "  Not computed for want of: "
            + ", ".join(
                f"{m.fact} ({', '.join(m.needed_for) or m.reason})" for m in decision.missing
            )
        )
    return "\n".join(visible(line) for line in lines) + "\n"
