"""The ``law-hierarchy`` notice: a policy's result beside the result of the policy of another
norm on the same question (``superior:``/``related:``), and which prevails (``precedence``).

    notice = law_hierarchy_notice("superior", entry, policy, values, other, other_values, ...)
    notice.detail["prevails"]     # 'other'
"""

from __future__ import annotations

import datetime as dt
import weakref
from collections.abc import Sequence
from typing import Any, cast

from govrules.citations import Citation
from govrules.compiler.header import OtherLaw
from govrules.compiler.policy import CompiledPolicy, Notice
from govrules.language.sources import SourceDocument, SourceLibrary
from govrules.runtime.precedence import Precedence, precedence
from govrules.values import to_json_value

__all__ = ["LEGISLATION_LAW", "law_hierarchy_notice"]

LEGISLATION_LAW = "cn.national.legislation_law"


# ---------------------------------------------------------------------------- the notice


def _document(policy: CompiledPolicy, sources: SourceLibrary) -> SourceDocument | None:
    # the document's plain values, not its file model: a decision reads no pydantic model
    return sources.get(policy.header.first_source)


def _side(policy: CompiledPolicy, document: SourceDocument | None) -> dict[str, Any]:
    return {
        "policy": policy.id,
        "version": policy.version,
        "pack": policy.pack.to_dict() if policy.pack is not None else None,
        "document": document.id if document is not None else None,
        "title": document.title_zh if document is not None else None,
        "document_number": document.document_number if document is not None else None,
        "law_kind": document.law_kind if document is not None else None,
        "issuer": document.issuer if document is not None else None,
        "level": document.level if document is not None else None,
        "effective": document.effective.isoformat()
        if document is not None and document.effective
        else None,
    }


def _shown(value: Any) -> str:
    return "unknown" if value is None else str(value)


def law_hierarchy_notice(
    relation: str,
    entry: OtherLaw,
    policy: CompiledPolicy,
    values: dict[str, Any],
    other: CompiledPolicy,
    other_values: dict[str, Any] | None,
    other_outcome: str | None,
    other_problem: str | None,
    facts_day: dt.date | None,
    sources: SourceLibrary,
) -> Notice:
    """The ``law-hierarchy`` notice: both results, and which prevails under which article."""
    mine, theirs = _document(policy, sources), _document(other, sources)
    compared = []
    for this_name, other_name in entry.outputs.items():
        a = values.get(this_name)
        b = other_values.get(other_name) if other_values is not None else None
        compared.append(
            {
                "output": this_name,
                "other_output": other_name,
                "this": None if a is None else to_json_value(a),
                "other": None if b is None else to_json_value(b),
                "same": None if a is None or b is None else bool(a == b),
            }
        )
    differ = any(row["same"] is False for row in compared)
    if facts_day is not None and not other.in_force(facts_day):
        verdict = Precedence(
            "not-applicable",
            ("art104",),
            "direct",
            f"the other rule was not in force on {facts_day}, the date of the facts: it does "
            "not govern them (no retroactivity, 第一百零四条)",
            f"事实发生之日（{facts_day}）对方规定尚未施行，不溯及既往（第一百零四条）",
        )
    elif mine is None or theirs is None:
        verdict = Precedence(
            "undetermined",
            (),
            "none",
            "a policy's own source document is not loaded",
            "规范依据未载入",
        )
    else:
        verdict = _precedence(mine, theirs, sources)
    rows_en = "; ".join(
        f"{row['output']}: this {_shown(row['this'])}, other {_shown(row['other'])}"
        for row in compared
    )
    if other_problem is not None:
        rows_en = f"the other policy could not decide this case: {other_problem}"
    head = {
        "this": "this policy's rule",
        "other": "the other rule",
        "undetermined": "",
        "not-applicable": "this policy's rule",
    }[verdict.prevails]
    outcome_en = (
        f"Prevails where they differ: {head} — {verdict.en}."
        if verdict.prevails in ("this", "other")
        else f"Which prevails cannot be determined: {verdict.en}."
        if verdict.prevails == "undetermined"
        else f"{verdict.en}."
    )
    if verdict.reading == "analogy":
        outcome_en += " (A reading by analogy, not the words of 立法法.)"
    en = (
        f"{'Superior' if relation == 'superior' else 'Related'} law: {other.id} "
        f"({_title(theirs)}) computes this question too. {rows_en}. "
        + ("The two results differ. " if differ else "")
        + outcome_en
        + " The values of this decision are this policy's, as written."
    )
    zh_verdict = {
        "this": "以本规定为准",
        "other": "以对方规定为准",
        "undetermined": "无法确定适用",
        "not-applicable": "对方规定不适用",
    }[verdict.prevails]
    zh = (
        f"{'上位' if relation == 'superior' else '相关'}规定{_title(theirs)}"
        f"（{other.id}）亦规定本事项"
        + ("，二者结果不同" if differ else "")
        + f"：{zh_verdict}。{verdict.zh}。本决定的数值按本规定原文计算。"
    )
    detail = {
        "relation": relation,
        "this": _side(policy, mine) | {"outcome": None},
        "other": _side(other, theirs) | {"outcome": other_outcome, "problem": other_problem},
        "compared": compared,
        "differ": differ,
        "prevails": verdict.prevails,
        "articles": [f"{LEGISLATION_LAW}#{article}" for article in verdict.articles],
        "reading": verdict.reading,
        "decides": verdict.decides,
        "explanation": {"en": verdict.en, "zh": verdict.zh},
        "facts_date": facts_day.isoformat() if facts_day is not None else None,
    }
    citations = _citations(sources, verdict.articles)
    return Notice(
        "law-hierarchy",
        "warning" if differ or other_problem else "info",
        en,
        zh,
        citations,
        None,
        detail,
    )


def _title(document: SourceDocument | None) -> str:
    if document is None:
        return "?"
    number = f"（{document.document_number}）" if document.document_number else ""
    return f"《{document.title_zh}》{number}"


def _citations(sources: SourceLibrary, articles: Sequence[str]) -> tuple[Citation, ...]:
    law = sources.get(LEGISLATION_LAW)  # None when no folder holds it; read once, then kept
    if law is None:
        return ()
    known = _KNOWN.setdefault(sources, {})
    key = ("articles", id(law), *articles)
    found = known.get(key)
    if found is None or found[0] is not law:
        cited = (law.citation(article) for article in articles)
        found = known[key] = (law, tuple(c for c in cited if c is not None))
    return found[1]  # type: ignore[no-any-return]


def _precedence(mine: SourceDocument, theirs: SourceDocument, sources: SourceLibrary) -> Precedence:
    """``precedence(mine, theirs)``, worked out once per pair of documents: it reads nothing
    but the two documents, and the verdict is immutable."""
    known = _KNOWN.setdefault(sources, {})
    key = ("precedence", id(mine), id(theirs))
    found = known.get(key)
    if found is None or found[0] is not mine or found[1] is not theirs:
        # precedence reads the documents' id, kind of norm, organ level, issuer and dates,
        # which a SourceDocument holds as its file model does (cast: it is typed for the model)
        found = known[key] = (mine, theirs, precedence(cast(Any, mine), cast(Any, theirs)))
    return found[2]  # type: ignore[no-any-return]


# What a notice needs that depends on a library's documents only, per library while it lives:
# the citations of 立法法's articles and the verdicts between two documents. Each entry keeps
# the documents it was made from, so an entry is used only for those very documents.
_KNOWN: weakref.WeakKeyDictionary[SourceLibrary, dict[tuple[Any, ...], tuple[Any, ...]]] = (
    weakref.WeakKeyDictionary()
)
