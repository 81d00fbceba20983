"""The one model every explanation is rendered from, so that text, Markdown and HTML say the
same things: the outcome, the values, the missing facts, the notices, each step (the rules
that applied or were defeated, with the facts they read, the figures, the dates, each value's
formula, the readings of the law and the clauses), the rules that did not apply, and the
clauses relied on.

    explanation = explain(decision)
    str(explanation.steps[4].gives[0])
    # 'severance_amount = round_fen(monthly_base * ...) = round_fen(21000 × ...) = 252000.00'

Everything here is plain text as the decision holds it; each renderer quotes it for its own
format (``explain.quoting``).
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from govrules.compiler.policy import CompiledOutput, CompiledPolicy
from govrules.explain.formulas import Formula, Term, expression_of, substitute
from govrules.explain.shown import figure_name, show_value, shown_output
from govrules.language.expr import Type
from govrules.records import record
from govrules.runtime.decision import Decision
from govrules.values import to_json_value

__all__ = [
    "Clause",
    "DateStep",
    "Explanation",
    "Figure",
    "Formula",
    "MissingRow",
    "NotApplied",
    "NoticeRow",
    "Reading",
    "Step",
    "ValueRow",
    "explain",
    "figure_name",
    "show_value",
    "shown_output",
]

_STATUS = {
    "not_applicable": "not applicable: its condition is false",
    "unknown": "unknown: its facts are unknown",
    "skipped": "skipped: required facts are missing",
}


@record
class ValueRow:
    name: str
    shown: str
    label: str


@record
class MissingRow:
    fact: str
    label: str
    reason: str
    citations: tuple[str, ...]


@record
class NoticeRow:
    code: str
    level: str
    en: str
    zh: str | None
    citations: tuple[str, ...]


@record
class Figure:
    """A figure of the law a rule read: its value, since when, on which clauses."""

    name: str
    value: str
    effective_from: str
    citations: tuple[str, ...]
    unverified: bool


@record
class DateStep:
    basis: str
    days: tuple[str, ...]


@record
class Reading:
    """How the policy reads an ambiguous text (an ``interpretation``)."""

    id: str
    en: str
    zh: str | None
    citations: tuple[str, ...]


@record
class Step:
    """A rule that applied, or one that would have and was defeated."""

    number: int
    rule: str
    title: str
    status: str  # applied | defeated
    condition: str
    condition_value: str
    facts: tuple[tuple[str, str], ...]
    figures: tuple[Figure, ...]
    dates: tuple[DateStep, ...]
    gives: tuple[Formula, ...]
    readings: tuple[Reading, ...]
    citations: tuple[str, ...]
    defeated_by: str | None = None
    defeated_by_citations: tuple[str, ...] = ()


@record
class NotApplied:
    rule: str
    title: str
    why: str
    citations: tuple[str, ...]


@record
class Clause:
    ref: str
    heading: str  # 《document》label
    marks: tuple[str, ...]  # "verification B", "excerpt"
    text: str


@record
class Explanation:
    """What every rendering of a decision shows, in the order they show it."""

    title: str
    policy: str
    version: str
    as_of: str
    outcome: str
    outcome_title: str | None
    values: tuple[ValueRow, ...]
    missing: tuple[MissingRow, ...]
    notices: tuple[NoticeRow, ...]
    traced: bool  # False: evaluated without a trace, so there are no steps to show
    steps: tuple[Step, ...]
    not_applied: tuple[NotApplied, ...]
    clauses: tuple[Clause, ...]
    fingerprint: str


def explain(decision: Decision) -> Explanation:
    """The explanation of ``decision``: a pure function of it (steps need its trace)."""
    policy = decision.policy
    header = policy.header  # plain values: no file model read (nor pydantic imported)
    outputs = {o.name: o for o in policy.outputs}
    title = header.outcome_titles.get(decision.outcome)
    steps, not_applied = _steps(decision)
    return Explanation(
        title=f"{header.title_zh} / {header.title_en}",
        policy=policy.id,
        version=policy.version,
        as_of=decision.as_of.isoformat(),
        outcome=decision.outcome,
        outcome_title=f"{title[0]} / {title[1]}" if title else None,
        values=tuple(
            ValueRow(name, shown_output(value, outputs[name]), _label(outputs[name]))
            for name, value in decision.values.items()
        ),
        missing=tuple(
            MissingRow(
                m.fact,
                " ".join(t for t in (m.title_zh, m.title_en) if t),
                m.reason,
                tuple(c.ref for c in m.citations),
            )
            for m in decision.missing
        ),
        notices=tuple(
            NoticeRow(
                n.code,
                n.level,
                " ".join(n.en.split()),
                " ".join(n.zh.split()) if n.zh else None,
                tuple(c.ref for c in n.citations),
            )
            for n in decision.notices
        ),
        traced=bool(decision.trace),
        steps=steps,
        not_applied=not_applied,
        clauses=tuple(
            Clause(
                c.ref,
                f"《{c.document_title}》{c.label}",
                tuple(
                    mark
                    for mark, shown in (
                        (f"verification {c.verification}", c.verification != "A"),
                        ("excerpt", c.excerpt),
                    )
                    if shown
                ),
                c.text,
            )
            for c in decision.citations
        ),
        fingerprint=decision.fingerprint,
    )


def _label(output: CompiledOutput) -> str:
    return " ".join(t for t in (output.title_zh, output.title_en) if t)


def _steps(decision: Decision) -> tuple[tuple[Step, ...], tuple[NotApplied, ...]]:
    """The steps shown in full, numbered, and the rules that did not apply."""
    shown: list[Step] = []
    others: list[NotApplied] = []
    texts = decision.policy.header.set_texts
    figures: list[dict[str, Any]] = []
    dates: list[dict[str, Any]] = []
    for event in decision.trace:
        kind = event.get("event")
        if kind == "parameter":
            figures.append(event)
        elif kind == "date":
            dates.append(event)
        elif kind == "rule":
            title = " ".join(t for t in (event.get("title_zh"), event.get("title")) if t)
            if event["status"] in ("applied", "defeated"):
                shown.append(_step(decision, len(shown) + 1, title, event, figures, dates, texts))
            else:
                why = _STATUS.get(event["status"], str(event["status"]).replace("_", " "))
                others.append(NotApplied(event["rule"], title, why, tuple(event["citations"])))
            figures, dates = [], []
    return tuple(shown), tuple(others)


def _step(
    decision: Decision,
    number: int,
    title: str,
    event: dict[str, Any],
    figures: list[dict[str, Any]],
    dates: list[dict[str, Any]],
    texts: dict[str, dict[str, str]],
) -> Step:
    reads = _reads(decision, event)
    return Step(
        number=number,
        rule=event["rule"],
        title=title,
        status=event["status"],
        condition=" ".join(str(event["condition"]).split()),
        condition_value=show_value(event["condition_value"]),
        facts=tuple((name, show_value(value)) for name, value in reads.items()),
        figures=tuple(
            Figure(
                figure_name(f),
                show_value(f["value"]),
                str(f["effective_from"]),
                tuple(f["citations"]),
                bool(f["unverified"]),
            )
            for f in figures
        ),
        dates=tuple(
            DateStep(str(d["basis"]), tuple(str(day["text"]) for day in d["days"])) for d in dates
        ),
        gives=_formulas(decision, event, reads, figures, texts.get(event["rule"], {})),
        readings=tuple(
            Reading(
                r["id"],
                " ".join(r["en"].split()),
                " ".join(r["zh"].split()) if r.get("zh") else None,
                tuple(r["citations"]),
            )
            for r in event.get("interpretations", ())
        ),
        citations=tuple(event["citations"]),
        defeated_by=event.get("defeated_by"),
        defeated_by_citations=tuple(event.get("defeated_by_citations", ())),
    )


def _reads(decision: Decision, event: dict[str, Any]) -> dict[str, Any]:
    """What the rule read, by name: a fact as the case gave it (the trace may only refer to a
    list or a record), a value as the trace recorded it."""
    given = decision.facts
    inputs = decision.policy.inputs_by_name
    return {
        name: to_json_value(given[name]) if name in inputs and name in given else value
        for name, value in (event.get("reads") or {}).items()
    }


def _formulas(
    decision: Decision,
    event: dict[str, Any],
    reads: dict[str, Any],
    figures: list[dict[str, Any]],
    written: dict[str, str],
) -> tuple[Formula, ...]:
    """Each value the rule gave, with the expression that gave it and the values it read."""
    policy = decision.policy
    outputs = {o.name: o for o in policy.outputs}
    known = {"as_of": Term(decision.as_of.isoformat(), Type("date"))}
    known |= {
        f["name"]: Term(f["value"], _type(policy, f["name"]))
        for f in figures
        if not f.get("row") and not f.get("on")
    }
    known |= {name: Term(value, _type(policy, name)) for name, value in reads.items()}
    found = []
    for name, value in (event.get("values") or {}).items():
        output = outputs.get(name)
        result = _result(value, output)
        text = written.get(name)
        if text is None:
            found.append(Formula(name, None, None, result, bool(output and output.collect)))
            continue
        expression, tree = expression_of(text)
        substituted = substitute(text, tree, known) if tree is not None else None
        found.append(
            Formula(name, expression, substituted, result, bool(output and output.collect))
        )
    return tuple(found)


def _type(policy: CompiledPolicy, name: str) -> Type | None:
    for table in (policy.inputs_by_name, policy.parameters_by_name):
        item = table.get(name)
        if item is not None:
            return item.type
    return next((o.type for o in policy.outputs if o.name == name), None)


def _result(value: Any, output: CompiledOutput | None) -> str:
    """A value a rule gave, as the values table shows it (to the output's precision)."""
    if output is not None and output.precision is not None and isinstance(value, str):
        try:
            return shown_output(Decimal(value), output)
        except InvalidOperation:
            pass
    return show_value(value)
