"""A decision as one self-contained HTML page (no network, no external assets): the outcome
first, then each step with its clause text, the facts it used, the values it produced, and the
deadline explanations.
"""

from __future__ import annotations

from html import escape

from govrules.explain.steps import decision_steps, figure_name, show_value, shown_output
from govrules.runtime.decision import Decision

__all__ = ["explain_html"]

_STYLE = """
body{font-family:"Noto Sans CJK SC","WenQuanYi Zen Hei","Source Han Sans SC",sans-serif;margin:2rem;
max-width:60rem;color:#1b1b1b;line-height:1.5}
h1{font-size:1.4rem;margin-bottom:.2rem}.meta{color:#555;font-size:.9rem}
.outcome{font-size:1.3rem;padding:.6rem 1rem;border-radius:.4rem;margin:1rem 0;
background:#eef4ff;border-left:.4rem solid #2a5bd7}
table{border-collapse:collapse;margin:.5rem 0}td,th{padding:.2rem .8rem;text-align:left;
border-bottom:1px solid #ddd;vertical-align:top}td:nth-child(2){white-space:nowrap}
.step{border:1px solid #ddd;border-radius:.4rem;padding:.6rem 1rem;margin:.8rem 0}
.step h3{margin:.1rem 0 .4rem;font-size:1.05rem}
.clause{background:#fafaf5;border-left:.25rem solid #b8a24a;padding:.4rem .8rem;margin:.4rem 0;
white-space:pre-wrap}
.reading{color:#444;font-style:italic}.warning{color:#8a3b00}.days{color:#555;margin:0}
code{background:#f3f3f3;padding:0 .2rem}
"""


def explain_html(decision: Decision) -> str:
    """The decision as a standalone HTML document."""
    policy = decision.policy
    model = policy.model
    clauses = {c.ref: c for c in decision.citations}
    title = model.outcome.titles.get(decision.outcome)
    out = [
        "<!DOCTYPE html>",
        '<html lang="zh-CN"><head><meta charset="utf-8">',
        f"<title>{escape(policy.id)} — {escape(decision.outcome)}</title>",
        f"<style>{_STYLE}</style></head><body>",
        f"<h1>{escape(model.title.zh)} / {escape(model.title.en)}</h1>",
        f'<p class="meta">{escape(policy.id)} {escape(policy.version)} · as of '
        f"{decision.as_of.isoformat()} · fingerprint <code>{escape(decision.fingerprint)}"
        "</code></p>",
        f'<div class="outcome">Outcome: <strong>{escape(decision.outcome)}</strong>'
        + (f" — {escape(title.zh)} / {escape(title.en)}" if title else "")
        + "</div>",
    ]
    outputs = {o.name: o for o in policy.outputs}
    out.append("<h2>Values</h2><table><tr><th>value</th><th></th><th>meaning</th></tr>")
    for name, value in decision.values.items():
        label = " ".join(t for t in (outputs[name].title_zh, outputs[name].title_en) if t)
        out.append(
            f"<tr><td><code>{escape(name)}</code></td>"
            f"<td>{escape(shown_output(value, outputs[name]))}</td>"
            f"<td>{escape(label)}</td></tr>"
        )
    out.append("</table>")
    if decision.missing:
        out.append("<h2>Missing facts (一次性告知)</h2><ul>")
        for fact in decision.missing:
            out.append(
                f"<li><code>{escape(fact.fact)}</code> {escape(fact.title_zh or '')} — "
                f"{escape(fact.reason)}</li>"
            )
        out.append("</ul>")
    if decision.notices:
        out.append("<h2>Notices</h2><ul>")
        for notice in decision.notices:
            css = ' class="warning"' if notice.level == "warning" else ""
            out.append(
                f"<li{css}><strong>{escape(notice.code)}</strong>: "
                f"{escape(' '.join(notice.en.split()))}"
                + (f"<br>{escape(' '.join(notice.zh.split()))}" if notice.zh else "")
                + "</li>"
            )
        out.append("</ul>")
    out.append("<h2>Steps</h2>")
    for number, step in enumerate(decision_steps(decision)[0], 1):
        rule = step.rule
        heading = " ".join(t for t in (rule.get("title_zh"), rule.get("title")) if t)
        out.append(
            f'<div class="step"><h3>{number}. {escape(heading)} '
            f"<code>{escape(rule['rule'])}</code></h3>"
        )
        if rule["status"] == "defeated":
            out.append(
                f"<p>Defeated by <code>{escape(rule['defeated_by'])}</code> "
                f"({escape(', '.join(rule['defeated_by_citations']))}).</p></div>"
            )
            continue
        out.append(
            f"<p>When <code>{escape(rule['condition'])}</code> → "
            f"{escape(show_value(rule['condition_value']))}</p>"
        )
        if rule.get("reads"):
            facts = ", ".join(f"{k} = {show_value(v)}" for k, v in rule["reads"].items())
            out.append(f"<p>Facts used: {escape(facts)}</p>")
        for parameter in step.parameters:
            out.append(
                f"<p>Figure <code>{escape(figure_name(parameter))}</code> = "
                f"{escape(show_value(parameter['value']))}, in force from "
                f"{escape(parameter['effective_from'])}"
                + (' <span class="warning">(unverified)</span>' if parameter["unverified"] else "")
                + "</p>"
            )
        for computation in step.dates:
            out.append(f"<p>Date: {escape(computation['basis'])}</p>")
            for day in computation["days"]:
                out.append(f'<p class="days">· {escape(day["text"])}</p>')
        if rule.get("values"):
            produced = ", ".join(f"{k} = {show_value(v)}" for k, v in rule["values"].items())
            out.append(f"<p>Gives: <strong>{escape(produced)}</strong></p>")
        for note in rule.get("interpretations", ()):
            out.append(
                f'<p class="reading">Reading ({escape(note["id"])}): '
                f"{escape(' '.join(note['en'].split()))}</p>"
            )
        for ref in rule["citations"]:
            citation = clauses.get(ref)
            if citation is not None:
                out.append(
                    f'<div class="clause"><strong>《{escape(citation.document_title)}》'
                    f"{escape(citation.label)}</strong>\n{escape(citation.text)}</div>"
                )
        out.append("</div>")
    out.append("</body></html>")
    return "\n".join(out) + "\n"
