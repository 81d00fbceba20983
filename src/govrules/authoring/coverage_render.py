"""The clause coverage report as a text table, and as the auditor's map: one self-contained HTML
page with every source document's text clause by clause, coloured by status.

    print(coverage_text(report, verbose=True))      # a row per document, pending clauses under it
    Path("coverage.html").write_text(coverage_html(report), encoding="utf-8")

The page needs no network: its style is inline and it loads nothing. Each encoded clause names
the policies and the rules, parameters, inputs or interpretations citing it, linked to an index
of the policies at the end; each clause that is not computable shows its reason.
"""

from __future__ import annotations

from html import escape

from govrules.authoring.coverage import Citer, ClauseCoverage, CoverageReport, DocumentCoverage

__all__ = ["coverage_html", "coverage_text"]

_WORDS = {"encoded": "encoded", "not_computable": "not computable", "pending": "pending"}


def _done(totals: dict[str, int]) -> float:
    """The share of clauses accounted for: encoded or not computable."""
    count = sum(totals.values())
    return 100.0 * (count - totals["pending"]) / max(count, 1)


def _short(text: str, width: int = 60) -> str:
    line = " ".join(text.split())
    return line if len(line) <= width else line[: width - 1] + "…"


def coverage_text(report: CoverageReport, verbose: bool = False) -> str:
    """A table: per document its counts, the share accounted for, its id and title; with
    ``verbose``, the pending clauses under each document."""

    def row(totals: dict[str, int], name: str) -> str:
        return (
            f"{totals['encoded']:>7} {totals['not_computable']:>9} {totals['pending']:>7} "
            f"{sum(totals.values()):>7} {_done(totals):>4.0f}%  {name}"
        )

    lines = [f"{'encoded':>7} {'not comp.':>9} {'pending':>7} {'clauses':>7} {'done':>5}  document"]
    for document in report.documents:
        lines.append(row(document.totals, f"{document.id}  {document.title}"))
        if verbose:
            lines.extend(
                f"{'':>8}pending {c.id} {c.label}: {_short(c.text)}"
                for c in document.clauses
                if c.status == "pending"
            )
    lines.append(row(report.totals, f"all {len(report.documents)} documents"))
    return "\n".join(lines)


# --------------------------------------------------------------------------- HTML

_STYLE = """
body { font: 15px/1.55 system-ui, "Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei",
       sans-serif; margin: 0 auto; max-width: 62rem; padding: 1.5rem; color: #1d1d1d; }
h1 { font-size: 1.5rem; margin: 0 0 .5rem; } h2 { margin: 2.5rem 0 .2rem; font-size: 1.25rem; }
code { font: .85em ui-monospace, monospace; } a { color: #0b57a4; }
.sub { color: #555; margin: 0 0 .6rem; }
.bar { display: flex; height: .8rem; border-radius: .4rem; overflow: hidden; margin: .4rem 0; }
.bar span { display: block; }
.count.encoded, .bar .encoded { background: #2e7d32; }
.count.not_computable, .bar .not_computable { background: #8a8a8a; }
.count.pending, .bar .pending { background: #e65100; }
.count { color: #fff; padding: 0 .4rem; border-radius: .3rem; white-space: nowrap; }
table { border-collapse: collapse; width: 100%; font-size: .9rem; }
th, td { text-align: left; padding: .2rem .4rem; border-bottom: 1px solid #ddd; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
ol.clauses { list-style: none; padding: 0; }
li.clause { margin: .4rem 0; padding: .4rem .7rem; border-left: .35rem solid;
            border-radius: .2rem; }
li.encoded { background: #edf7ee; border-color: #2e7d32; }
li.not_computable { background: #f3f3f3; border-color: #8a8a8a; }
li.pending { background: #fff3e6; border-color: #e65100; }
li.d1 { margin-left: 1.5rem; } li.d2 { margin-left: 3rem; } li.d3, li.d4 { margin-left: 4.5rem; }
.head { font-size: .85rem; color: #444; }
.status { font-weight: 600; text-transform: uppercase; font-size: .75rem; letter-spacing: .03em; }
.text { white-space: pre-wrap; margin: .2rem 0; }
.by, .reason { font-size: .85rem; margin: .2rem 0 0; } .by ul { margin: 0; padding-left: 1.2rem; }
@media print { li.clause { break-inside: avoid; } }
"""


def _anchor(document: str, clause: str) -> str:
    return f"c-{document}--{clause}"


def _counts(totals: dict[str, int]) -> str:
    parts = " ".join(
        f'<span class="count {status}">{totals[status]} {_WORDS[status]}</span>'
        for status in _WORDS
    )
    return f"{parts} — {sum(totals.values())} clauses, {_done(totals):.0f}% accounted for"


def _bar(totals: dict[str, int]) -> str:
    count = max(sum(totals.values()), 1)
    spans = "".join(
        f'<span class="{status}" style="width:{100.0 * totals[status] / count:.2f}%"></span>'
        for status in _WORDS
    )
    return f'<div class="bar" aria-hidden="true">{spans}</div>'


def _citers(citers: tuple[Citer, ...]) -> str:
    """One item per policy version: its rules first, then parameters, inputs, interpretations."""
    by_version: dict[tuple[str, str], list[Citer]] = {}
    for citer in citers:
        by_version.setdefault((citer.policy, citer.version), []).append(citer)
    order = ("rule", "parameter", "input", "interpretation")
    items = []
    for (policy, version), cited in by_version.items():
        names = ", ".join(
            f"{escape(c.kind)} <code>{escape(c.name)}</code>"
            for c in sorted(cited, key=lambda c: (order.index(c.kind), c.name))
        )
        link = f'<a href="#p-{escape(policy)}">{escape(policy)}</a>'
        items.append(f"<li>{link} {escape(version)}: {names}</li>")
    return "".join(items)


def _detail(clause: ClauseCoverage) -> str:
    if clause.status == "encoded" and clause.basis == "cited":
        return f'<div class="by">Encoded by:<ul>{_citers(clause.citers)}</ul></div>'
    if clause.status == "encoded":
        links = ", ".join(f'<a href="#p-{escape(p)}">{escape(p)}</a>' for p in clause.policies)
        return f'<div class="by">Encoded through its sub-clauses, by {links}</div>'
    if clause.status == "not_computable":
        where = "" if clause.reason_at in (None, clause.id) else f" (said of {clause.reason_at})"
        where = " (said of the whole document)" if clause.reason_at == "*" else where
        return (
            f'<div class="reason">Not computable: {escape(clause.reason or "")}'
            f"{escape(where)}</div>"
        )
    above = f" ({clause.cited_above} around it is cited as a whole)" if clause.cited_above else ""
    return (
        f'<div class="reason">Pending: no policy cites it, and no reason is recorded'
        f"{escape(above)}.</div>"
    )


def _clause(document: DocumentCoverage, clause: ClauseCoverage) -> str:
    return (
        f'<li class="clause {clause.status} d{min(clause.depth, 4)}" '
        f'id="{escape(_anchor(document.id, clause.id))}">'
        f'<div class="head"><span class="status">{_WORDS[clause.status]}</span> · '
        f"{escape(clause.label)} · <code>{escape(clause.id)}</code></div>"
        f'<p class="text">{escape(clause.text)}</p>{_detail(clause)}</li>'
    )


def _document(document: DocumentCoverage) -> str:
    clauses = "\n".join(_clause(document, clause) for clause in document.clauses)
    return (
        f'<section class="document" id="d-{escape(document.id)}">'
        f"<h2>{escape(document.title)}</h2>"
        f'<p class="sub" lang="en">{escape(document.title_en)} · <code>{escape(document.id)}</code>'
        f"</p><p>{_counts(document.totals)}</p>{_bar(document.totals)}"
        f'<ol class="clauses">\n{clauses}\n</ol></section>'
    )


def _index(report: CoverageReport) -> str:
    rows = []
    for document in report.documents:
        totals = document.totals
        numbers = "".join(f'<td class="n">{totals[status]}</td>' for status in _WORDS)
        rows.append(
            f'<tr><td><a href="#d-{escape(document.id)}">{escape(document.title)}</a><br>'
            f"<code>{escape(document.id)}</code></td>{numbers}"
            f'<td class="n">{_done(totals):.0f}%</td></tr>'
        )
    body = "\n".join(rows)
    return (
        "<table><thead><tr><th>document</th><th>encoded</th><th>not computable</th>"
        f"<th>pending</th><th>accounted</th></tr></thead><tbody>\n{body}\n</tbody></table>"
    )


def _policies(report: CoverageReport) -> str:
    """Each policy with what in it cites which clause, linked back to the clauses."""
    cites: dict[str, dict[Citer, list[tuple[str, ClauseCoverage]]]] = {}
    for document in report.documents:
        for clause in document.clauses:
            for citer in clause.citers:
                cites.setdefault(citer.policy, {}).setdefault(citer, []).append(
                    (document.id, clause)
                )
    parts = []
    for policy in sorted(cites):
        items = "".join(
            f"<li>{escape(citer.version)} {escape(citer.kind)} <code>{escape(citer.name)}</code>: "
            + ", ".join(
                f'<a href="#{escape(_anchor(doc, clause.id))}">{escape(clause.label)}</a>'
                f" <code>{escape(doc)}#{escape(clause.id)}</code>"
                for doc, clause in clauses
            )
            + "</li>"
            for citer, clauses in sorted(cites[policy].items())
        )
        parts.append(
            f'<h3 id="p-{escape(policy)}"><code>{escape(policy)}</code></h3><ul>{items}</ul>'
        )
    return (
        '<section id="policies"><h2>Policies and the clauses they cite</h2>'
        + "".join(parts)
        + "</section>"
    )


def coverage_html(report: CoverageReport) -> str:
    """The auditor's map: totals, a row per document, then each document clause by clause."""
    documents = "\n".join(_document(document) for document in report.documents)
    return (
        '<!DOCTYPE html>\n<html lang="zh-CN">\n<head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>条款覆盖 · Clause coverage</title><style>{_STYLE}</style></head>\n<body>\n"
        '<header><h1>条款覆盖 · <span lang="en">Clause coverage</span></h1>'
        f'<p lang="en">{_counts(report.totals)} in {len(report.documents)} source documents.</p>'
        f"{_bar(report.totals)}"
        '<p class="sub" lang="en">Encoded: a policy cites the clause, or each of its sub-clauses '
        "is accounted for and one is encoded. Not computable: a reason is recorded in the "
        "coverage files. Pending: neither.</p></header>\n"
        f"<nav>{_index(report)}</nav>\n<main>\n{documents}\n{_policies(report)}\n</main>\n"
        "</body>\n</html>\n"
    )
