"""Text, Markdown and HTML are rendered from one step model and say the same things: for the
decision of every bundled example, every rule, reading (interpretation) and clause the
decision names appears in all three, with the values, missing facts and notices; and each
computed value shows its formula with the values substituted.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from html import escape
from pathlib import Path
from typing import Any

import pytest

from conftest import ROOT
from govrules import Engine
from govrules.explain import explain_html, explain_markdown, explain_text
from govrules.explain.formulas import Term, expression_of, substitute
from govrules.explain.quoting import markdown_text
from govrules.explain.steps import explain
from govrules.language.expr import Type
from govrules.runtime.case_files import read_case_file
from govrules.runtime.decision import Decision

SEVERANCE = ROOT / "examples" / "termination" / "02_severance_high_earner.json"
EXAMPLES = sorted(p for p in (ROOT / "examples").rglob("*") if p.suffix in (".json", ".yaml"))


def _decision(engine: Engine, path: Path, trace: bool = True) -> Decision:
    facts, envelope = read_case_file(path)
    assert envelope is not None, path
    as_of = envelope["as_of"]
    day = as_of if isinstance(as_of, dt.date) else dt.date.fromisoformat(str(as_of))
    return engine.evaluate(str(envelope["policy"]), facts, as_of=day, trace=trace)


def _refs(node: Any) -> Iterator[str]:
    """Every clause ref anywhere in a decision's JSON: citations, and the citation lists of
    rules, figures, readings, missing facts and notices."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("citations", "defeated_by_citations") and isinstance(value, list):
                for item in value:
                    if isinstance(item, str):
                        yield item
                    elif isinstance(item, dict) and "ref" in item:
                        yield str(item["ref"])
            else:
                yield from _refs(value)
    elif isinstance(node, list):
        for item in node:
            yield from _refs(item)


def _named(decision: Decision) -> dict[str, set[str]]:
    rules: set[str] = set()
    readings: set[str] = set()
    for event in decision.trace:
        if event["event"] == "rule":
            rules.add(event["rule"])
            if event.get("defeated_by"):
                rules.add(event["defeated_by"])
            readings.update(note["id"] for note in event.get("interpretations", ()))
    return {
        "rule": rules,
        "reading": readings,
        "clause": set(_refs(decision.to_dict())),
        "value": set(decision.values),
        "missing": {fact.fact for fact in decision.missing},
        "notice": {notice.code for notice in decision.notices},
    }


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_every_rendering_names_every_rule_reading_and_clause(engine: Engine,
                                                            path: Path) -> None:
    decision = _decision(engine, path)
    renderings = {"text": explain_text(decision), "markdown": explain_markdown(decision),
                  "html": explain_html(decision)}
    named = _named(decision)
    assert named["rule"] and named["clause"], "an example with nothing to explain"
    for kind, ids in named.items():
        for identifier in ids:
            for format_name, rendering in renderings.items():
                shown = escape(identifier) if format_name == "html" else identifier
                assert shown in rendering, f"{kind} {identifier!r} is not in the {format_name}"
    for format_name, rendering in renderings.items():
        assert decision.outcome in rendering, format_name
        assert decision.fingerprint in rendering, format_name


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_every_rendering_shows_the_same_formulas_and_readings(engine: Engine,
                                                             path: Path) -> None:
    decision = _decision(engine, path)
    model = explain(decision)
    text, markdown, html = (explain_text(decision), explain_markdown(decision),
                            explain_html(decision))
    flat_text = " ".join(text.split())
    for step in model.steps:
        for formula in step.gives:
            line = str(formula)
            assert all(part in flat_text for part in formula.parts), line
            assert line in markdown and escape(line) in html, line
        for reading in step.readings:
            assert reading.en in flat_text and markdown_text(reading.en) in markdown
            assert escape(reading.en) in html
    for rule in model.not_applied:
        for rendering in (text, markdown, escape(html)):
            assert rule.rule in rendering
    assert ("Clauses relied on" in text) == ("Clauses relied on" in markdown) == (
        "Clauses relied on" in html) == bool(model.clauses)


def test_a_computed_value_shows_its_formula_with_the_values_put_in(engine: Engine) -> None:
    decision = _decision(engine, SEVERANCE)
    text = " ".join(explain_text(decision).split())
    assert "post_2008_amount = round_fen(monthly_base * post_2008_months_paid, 'half_up')" in text
    assert "= round_fen(30000.3 × 12, 'half_up') = 360003.60" in text
    assert "severance_amount = pre_2008_amount + post_2008_amount" in text
    assert "= 120000.00 + 360003.60 = 480003.60" in text
    assert "high_earner = average_monthly_wage > local_average_monthly_wage * cap_multiple" in text
    assert "= 40000 > 10000.1 × 3 = true" in text


def test_a_decision_without_a_trace_says_its_steps_were_not_recorded(engine: Engine) -> None:
    decision = _decision(engine, SEVERANCE, trace=False)
    for rendering in (explain_text(decision), explain_markdown(decision),
                      explain_html(decision)):
        assert "Not recorded" in rendering or "not recorded" in rendering
        assert decision.outcome in rendering


# ---------------------------------------------------------------- the substitution itself

MONEY = Type("money")
TEXT = Type("text")


def _substituted(text: str, **known: Any) -> str | None:
    _, tree = expression_of(text)
    assert tree is not None
    terms = {name: value if isinstance(value, Term) else Term(value, MONEY)
             for name, value in known.items()}
    return substitute(text, tree, terms)


def test_substitution_puts_values_in_and_writes_the_operators_as_people_do() -> None:
    assert _substituted("base * months / 2", base="21000", months=12) == "21000 × 12 ÷ 2"
    assert _substituted("a - b", a="1", b="-5") == "1 - (-5)"
    assert _substituted("kind == 'x*y'", kind=Term("a'b", TEXT)) == "\"a'b\" == 'x*y'"
    assert _substituted("min(a, 3)", a=None) == "min(unknown, 3)"


def test_substitution_leaves_bound_names_tables_and_parameters_of_at_as_names() -> None:
    assert _substituted("count(x for x in xs if x > limit)", xs=["1", "2"], x="9",
                        limit="1") == "count(x for x in [1, 2] if x > 1)"
    assert _substituted("lookup(table, amount)", table="1", amount="5") == "lookup(table, 5)"
    assert _substituted("at(rate, day)", rate="1", day="2026-01-01") == "at(rate, 2026-01-01)"


def test_substitution_gives_up_where_it_would_be_unreadable() -> None:
    assert _substituted("size(xs)", xs=[str(i) for i in range(50)]) is None
    assert _substituted("given(r)", r={"a": "1"}) is None
    assert _substituted("1 + 2") is None  # nothing to put in
    long = " + ".join(f"a{i}" for i in range(40))
    assert _substituted(long, **{f"a{i}": "123456.78" for i in range(40)}) is None
    record = Term({"kind": "warning"}, Type("record", fields=(("kind", TEXT),)))
    assert _substituted("r.kind == 'warning'", r=record) == "'warning' == 'warning'"
