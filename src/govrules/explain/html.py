"""A decision as one self-contained HTML page (no network, no external assets): the outcome
first, then the values, missing facts and notices, each step (facts, figures, dates, formulas,
readings, clauses linked to their text), the rules that did not apply, and the text of every
clause relied on. Every string is escaped, its control characters shown as escapes.
"""

from __future__ import annotations

from html import escape

from govrules.explain.quoting import visible
from govrules.explain.steps import Explanation, Step, explain
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
code{background:#f3f3f3;padding:0 .2rem}.formula code{white-space:normal}
"""


def _h(text: str) -> str:
    return escape(visible(text))


def _anchor(ref: str) -> str:
    return "clause-" + "".join(ch if ch.isalnum() else "-" for ch in ref)


def _refs(refs: tuple[str, ...], known: frozenset[str]) -> str:
    """Clause refs as code, each linked to its text on the page when the page shows it."""
    return ", ".join(
        f'<a href="#{_anchor(ref)}"><code>{_h(ref)}</code></a>'
        if ref in known
        else f"<code>{_h(ref)}</code>"
        for ref in refs
    )


def explain_html(decision: Decision) -> str:
    """The decision as a standalone HTML document."""
    shown = explain(decision)
    known = frozenset(clause.ref for clause in shown.clauses)
    out = [
        "<!DOCTYPE html>",
        '<html lang="zh-CN"><head><meta charset="utf-8">',
        f"<title>{_h(shown.policy)} — {_h(shown.outcome)}</title>",
        f"<style>{_STYLE}</style></head><body>",
        f"<h1>{_h(shown.title)}</h1>",
        f'<p class="meta">{_h(shown.policy)} {_h(shown.version)} · as of {shown.as_of} · '
        f"fingerprint <code>{_h(shown.fingerprint)}</code></p>",
        f'<div class="outcome">Outcome: <strong>{_h(shown.outcome)}</strong>'
        + (f" — {_h(shown.outcome_title)}" if shown.outcome_title else "")
        + "</div>",
    ]
    if shown.values:
        out.append("<h2>Values</h2><table><tr><th>value</th><th></th><th>meaning</th></tr>")
        out += [
            f"<tr><td><code>{_h(row.name)}</code></td><td>{_h(row.shown)}</td>"
            f"<td>{_h(row.label)}</td></tr>"
            for row in shown.values
        ]
        out.append("</table>")
    if shown.missing:
        out.append("<h2>Missing facts (一次性告知)</h2><ul>")
        for fact in shown.missing:
            refs = f" ({_refs(fact.citations, known)})" if fact.citations else ""
            out.append(
                f"<li><code>{_h(fact.fact)}</code> {_h(fact.label)} — {_h(fact.reason)}{refs}</li>"
            )
        out.append("</ul>")
    if shown.notices:
        out.append("<h2>Notices</h2><ul>")
        for notice in shown.notices:
            css = ' class="warning"' if notice.level == "warning" else ""
            refs = f" ({_refs(notice.citations, known)})" if notice.citations else ""
            out.append(
                f"<li{css}><strong>{_h(notice.code)}</strong> ({_h(notice.level)}): "
                f"{_h(notice.en)}" + (f"<br>{_h(notice.zh)}" if notice.zh else "") + f"{refs}</li>"
            )
        out.append("</ul>")
    out += _steps(shown, known)
    if shown.clauses:
        out.append("<h2>Clauses relied on</h2>")
        for clause in shown.clauses:
            marks = "".join(f" [{_h(mark)}]" for mark in clause.marks)
            lines = "\n".join(_h(line) for line in clause.text.splitlines())
            out.append(
                f'<div class="clause" id="{_anchor(clause.ref)}"><strong>{_h(clause.heading)}'
                f"</strong>{marks} <code>{_h(clause.ref)}</code>\n{lines}</div>"
            )
    out.append("</body></html>")
    return "\n".join(out) + "\n"


def _steps(shown: Explanation, known: frozenset[str]) -> list[str]:
    out = ["<h2>Steps</h2>"]
    if not shown.traced:
        return [*out, "<p>Not recorded: the decision was evaluated without a trace.</p>"]
    out += [_step(step, known) for step in shown.steps]
    if not shown.steps:
        out.append("<p>No rule applied.</p>")
    if shown.not_applied:
        out.append("<h3>Not applied</h3><ul>")
        for rule in shown.not_applied:
            title = f" {_h(rule.title)}" if rule.title else ""
            out.append(
                f"<li><code>{_h(rule.rule)}</code>{title} — {_h(rule.why)} "
                f"({_refs(rule.citations, known)})</li>"
            )
        out.append("</ul>")
    return out


def _step(step: Step, known: frozenset[str]) -> str:
    out = [
        f'<div class="step"><h3>{step.number}. {_h(step.title)} <code>{_h(step.rule)}</code></h3>',
        f"<p>When <code>{_h(step.condition)}</code> → {_h(step.condition_value)}</p>",
    ]
    if step.defeated_by is not None:
        out.append(
            f"<p>Defeated by <code>{_h(step.defeated_by)}</code> "
            f"({_refs(step.defeated_by_citations, known)}).</p>"
        )
    if step.facts:
        facts = ", ".join(f"<code>{_h(k)}</code> = {_h(v)}" for k, v in step.facts)
        out.append(f"<p>Facts used: {facts}</p>")
    for figure in step.figures:
        out.append(
            f"<p>Figure <code>{_h(figure.name)}</code> = {_h(figure.value)}, in force from "
            f"{_h(figure.effective_from)} ({_refs(figure.citations, known)})"
            + (' <span class="warning">(unverified)</span>' if figure.unverified else "")
            + "</p>"
        )
    for computation in step.dates:
        out.append(f"<p>Date: {_h(computation.basis)}</p>")
        out += [f'<p class="days">· {_h(day)}</p>' for day in computation.days]
    for formula in step.gives:
        out.append(f'<p class="formula">Gives: <code>{_h(str(formula))}</code></p>')
    for reading in step.readings:
        zh = f"<br>{_h(reading.zh)}" if reading.zh else ""
        out.append(
            f'<p class="reading">Reading (<code>{_h(reading.id)}</code>): {_h(reading.en)}{zh}</p>'
        )
    out.append(f"<p>Clauses: {_refs(step.citations, known)}</p></div>")
    return "\n".join(out)
