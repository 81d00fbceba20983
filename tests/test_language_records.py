"""Records, lists of records, comprehensions and aggregates, through the real engine."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from conftest import FIXTURES
from govrules import Engine
from govrules.authoring.testing import run_test
from govrules.compiler.loading import load_policy_file
from govrules.errors import CaseError, PolicyLoadError
from govrules.language.sources import SourceLibrary

POLICY = "test.fixture.records"
AS_OF = dt.date(2026, 3, 1)


@pytest.fixture(scope="module")
def engine(sources: SourceLibrary) -> Engine:
    return Engine([load_policy_file(FIXTURES / "good" / "records.yaml", sources)], sources)


def sanction(day: str, kind: str, fault: str, **extra: Any) -> dict[str, Any]:
    return {"date": day, "kind": kind, "fault": fault, **extra}


def test_three_criticisms_within_the_year_give_a_warning(engine: Engine) -> None:
    case = {
        "sanctions": [
            sanction("2025-03-01", "criticism", "a"),  # the same day a year earlier: outside
            sanction("2025-03-02", "criticism", "b"),
            sanction("2025-09-10", "criticism", "c"),
            sanction("2026-01-05", "warning", "a"),  # a warning is not a criticism
            sanction("2026-02-27", "criticism", "d", note="late filing"),
        ]
    }
    decision = engine.evaluate(POLICY, case, as_of=AS_OF)
    assert decision.values["criticism_count"] == 3
    assert decision.values["repeated_fault_count"] == 1
    assert decision.values["faults"] == ("b", "c", "d")  # in the order given
    assert decision.values["last_criticism"] == dt.date(2026, 2, 27)
    assert decision.outcome == "warning_due"


def test_two_for_the_same_fault_give_a_warning_and_two_different_do_not(engine: Engine) -> None:
    same = engine.evaluate(
        POLICY,
        {
            "sanctions": [
                sanction("2025-06-01", "criticism", "x"),
                sanction("2025-12-01", "criticism", "x"),
            ]
        },
        as_of=AS_OF,
    )
    different = engine.evaluate(
        POLICY,
        {
            "sanctions": [
                sanction("2025-06-01", "criticism", "x"),
                sanction("2025-12-01", "criticism", "y"),
            ]
        },
        as_of=AS_OF,
    )
    assert (same.values["repeated_fault_count"], same.outcome) == (2, "warning_due")
    assert (different.values["repeated_fault_count"], different.outcome) == (1, "no_warning")


def test_an_empty_list_is_given_and_a_missing_one_is_not(engine: Engine) -> None:
    empty = engine.evaluate(POLICY, {"sanctions": []}, as_of=AS_OF)
    assert empty.values["criticism_count"] == 0
    assert empty.values["last_criticism"] is None  # max of nothing is unknown, not an error
    assert empty.outcome == "no_warning"
    missing = engine.evaluate(POLICY, {}, as_of=AS_OF)
    assert missing.values["criticism_count"] is None


def test_record_fields_are_checked_with_their_paths(engine: Engine) -> None:
    case = {
        "sanctions": [
            sanction("2025-06-01", "criticism", "x"),
            {"date": "2025-06-01", "kind": "criticism"},
            sanction("2025-13-01", "criticism", "x"),
            sanction("2025-06-01", "reprimand", "x"),
            sanction("2025-06-01", "warning", "x", colour="red"),
        ]
    }
    with pytest.raises(CaseError) as caught:
        engine.evaluate(POLICY, case, as_of=AS_OF)
    text = str(caught.value)
    assert "sanctions[1].fault: Field required" in text
    assert "sanctions[2].date" in text and "not a real date" in text
    assert "sanctions[3].kind" in text and "reprimand" in text
    assert "sanctions[4].colour" in text
    assert "sanctions[0]" not in text


def test_a_record_field_is_held_to_its_bounds(engine: Engine) -> None:
    # date: {type: date, ge: 2019-01-22}: the first day of the rules, included.
    decision = engine.evaluate(
        POLICY, {"sanctions": [sanction("2019-01-22", "warning", "x")]}, as_of=AS_OF
    )
    assert decision.outcome != "incomplete"
    case = {"sanctions": [sanction("2019-01-22", "warning", "x"),
                          sanction("2019-01-21", "warning", "x")]}
    with pytest.raises(CaseError) as caught:
        engine.evaluate(POLICY, case, as_of=AS_OF)
    text = str(caught.value)
    assert "sanctions[1].date" in text and "at least 2019-01-22" in text
    assert "sanctions[0]" not in text
    schema = engine.case_model(POLICY).model_json_schema()
    jsonschema.validate({"sanctions": [sanction("2019-01-22", "warning", "x")]}, schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"sanctions": [sanction("2019-01-21", "warning", "x")]}, schema)


def test_list_length_limit(engine: Engine) -> None:
    case = {"sanctions": [sanction("2025-06-01", "warning", "x")] * 501}
    with pytest.raises(CaseError) as caught:
        engine.evaluate(POLICY, case, as_of=AS_OF)
    assert "sanctions" in str(caught.value) and "500" in str(caught.value)


def test_case_schema_reaches_into_records(engine: Engine) -> None:
    schema = engine.case_model(POLICY).model_json_schema()
    good = {"sanctions": [sanction("2025-06-01", "warning", "x")]}
    jsonschema.validate(good, schema)
    for bad in (
        {"sanctions": [{"date": "2025-06-01", "kind": "warning"}]},
        {"sanctions": [sanction("2025-06-01", "reprimand", "x")]},
        {"sanctions": [sanction("2025-06-01", "warning", "x", colour="red")]},
    ):
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(bad, schema)


def test_the_trace_shows_the_list_built_and_the_counts(engine: Engine) -> None:
    case = {"sanctions": [sanction("2025-06-01", "criticism", "x")]}
    decision = engine.evaluate(POLICY, case, as_of=AS_OF)
    events = {e["rule"]: e for e in decision.trace if e["event"] == "rule"}
    assert events["window"]["values"]["criticisms_in_year"] == [
        {"date": "2025-06-01", "kind": "criticism", "fault": "x", "note": None}
    ]
    assert events["counts"]["values"]["criticism_count"] == 1
    assert decision.to_json()  # records have a JSON form


def _broken(
    tmp_path: Path, sources: SourceLibrary, old: str, new: str
) -> list[tuple[str, int, int]]:
    """The located problems of the fixture with ``old`` replaced by ``new``."""
    text = (FIXTURES / "good" / "records.yaml").read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "broken.yaml"
    path.write_text(text.replace(old, new), encoding="utf-8")
    with pytest.raises(PolicyLoadError) as caught:
        load_policy_file(path, sources)
    return [(d.code, d.span.line, d.span.column) for d in caught.value.diagnostics if d.span]


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("s.kind == 'criticism' and", "s.knd == 'criticism' and", ("unknown-field", 41, 54)),
        ("count(criticisms_in_year)", "count(criticisms_in_year.date)", ("type-mismatch", 45, 48)),
        (
            "[s for s in sanctions",
            "[sanctions for sanctions in sanctions",
            ("shadowed-name", 41, 43),
        ),
        ("max(s.date for", "max(s.fault for", ("type-mismatch", 48, 23)),
        (
            "    items: record\n    max_items: 500\n    fields:",
            "    items: record\n    max_items: 500\n    fieldz:",
            ("unknown-key", 13, 5),
        ),
        ("      fault: text\n      note", "      fault: list\n      note", ("list-items", 16, 14)),
        (
            "date: {type: date, ge: 2019-01-22}",
            "date: {type: date, ge: 5}",
            ("type-mismatch", 14, 30),
        ),
        (
            "criticisms_in_year: {type: list, items: record, fields: {date: date,",
            "criticisms_in_year: {type: list, items: record, fields: "
            "{date: {type: date, le: 2030-01-01},",
            ("field-bound", 30, 83),
        ),
    ],
)
def test_broken_records_are_located(
    tmp_path: Path, sources: SourceLibrary, old: str, new: str, expected: tuple[str, int, int]
) -> None:
    assert expected in _broken(tmp_path, sources, old, new)


def test_a_key_of_another_part_of_the_format_is_not_suggested_as_its_own_fix(
    tmp_path: Path, sources: SourceLibrary
) -> None:
    text = (FIXTURES / "good" / "records.yaml").read_text(encoding="utf-8")
    path = tmp_path / "broken.yaml"
    broken = text.replace("      fault: text\n", "      fault: {type: text, max_items: 3}\n")
    path.write_text(broken, encoding="utf-8")
    with pytest.raises(PolicyLoadError) as caught:
        load_policy_file(path, sources)
    (found,) = [d for d in caught.value.diagnostics if d.code == "unknown-key"]
    assert "'max_items' is not a known key here" in found.message
    assert found.hint == (
        "'max_items' is a key of another part of the file format, not allowed here"
    )


def test_a_record_without_fields_is_refused(tmp_path: Path, sources: SourceLibrary) -> None:
    found = _broken(
        tmp_path,
        sources,
        "    fields:\n      date: {type: date, ge: 2019-01-22}\n      kind: {type: enum, "
        "values: [criticism, warning]}\n      fault: text\n      note: {type: text, "
        "required: false}\n",
        "",
    )
    assert ("record-fields", 10, 5) in found


def test_policy_tests_compare_records_field_by_field(engine: Engine) -> None:
    (policy,) = engine.policies()
    (test,) = policy.model.tests
    result = run_test(engine, policy, test)
    assert result.passed, result.failures
    wrong = test.model_copy(update={"expect": test.expect.model_copy(update={
        "values": {"criticisms_in_year": [{"date": "2025-06-01", "kind": "warning", "fault": "x"}]}
    })})
    assert not run_test(engine, policy, wrong).passed


def test_a_literal_list_of_codes_fits_a_list_of_enum_values() -> None:
    from govrules.compiler.rules import fits
    from govrules.language.expr import check, parse_expression
    from govrules.language.expr.types import enum_type, list_type

    class NoNames:
        def lookup(self, name: str) -> None:
            return None

        def names(self) -> list[str]:
            return []

    measures = list_type(enum_type(("admonition_talk", "written_self_criticism")))
    good, _ = check(parse_expression("['admonition_talk', 'written_self_criticism']"), NoNames())
    bad, _ = check(parse_expression("['admonition_talk', 'public_apology']"), NoNames())
    assert fits(measures, good)
    assert not fits(measures, bad)


def test_an_empty_list_and_a_choice_of_codes_fit_their_outputs() -> None:
    from govrules.compiler.rules import fits
    from govrules.language.expr import Symbol, check, parse_expression
    from govrules.language.expr.types import BOOL, TEXT, enum_type, list_type

    class Flag:
        def lookup(self, name: str) -> Symbol | None:
            return Symbol("flag", BOOL, 0, "input") if name == "flag" else None

        def names(self) -> list[str]:
            return ["flag"]

    rank = enum_type(("staff", "section_head"))
    choice, _ = check(parse_expression("if flag then 'staff' else 'section_head'"), Flag())
    stray, _ = check(parse_expression("if flag then 'staff' else 'director'"), Flag())
    empty, _ = check(parse_expression("[]"), Flag())
    assert fits(rank, choice) and not fits(rank, stray)
    assert fits(list_type(rank), empty) and fits(list_type(TEXT), empty)


def test_trace_events_refer_to_list_facts_instead_of_copying_them(engine: Engine) -> None:
    case = {"sanctions": [sanction("2025-06-01", "criticism", "x")] * 300}
    decision = engine.evaluate(POLICY, case, as_of=AS_OF)
    window = next(e for e in decision.trace if e["event"] == "rule" and e["rule"] == "window")
    assert window["reads"]["sanctions"] == {"fact": "sanctions", "items": 300}
    assert len(decision.to_dict()["facts"]["sanctions"]) == 300  # once, in the facts
