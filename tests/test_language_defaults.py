"""Defaults of outputs and inputs, and else branches, through the real engine."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from conftest import FIXTURES
from govrules import Engine
from govrules.compiler.loading import load_policy_file
from govrules.errors import PolicyLoadError
from govrules.explain import explain_text
from govrules.language.sources import SourceLibrary

POLICY = "test.fixture.defaults"
AS_OF = dt.date(2026, 1, 1)
TEXT = (FIXTURES / "good" / "defaults.yaml").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def engine(sources: SourceLibrary) -> Engine:
    return Engine([load_policy_file(FIXTURES / "good" / "defaults.yaml", sources)], sources)


def man(birth: str, **extra: Any) -> dict[str, Any]:
    return {"sex": "male", "birth_date": birth, "marriage_registration_date": "2025-05-01",
            "first_marriage": True, **extra}


def rules_of(decision: Any) -> dict[str, dict[str, Any]]:
    return {e["rule"]: e for e in decision.trace if e["event"] == "rule"}


def test_the_rule_applies_on_the_25th_birthday(engine: Engine) -> None:
    decision = engine.evaluate(POLICY, man("2000-05-01"), as_of=AS_OF)
    assert decision.values == {"late_marriage": True, "extra_days": 15, "entitled_days": 18,
                               "approver": "director"}
    events = rules_of(decision)
    assert events["late_marriage:else"]["status"] == "not_applicable"
    assert events["default:extra_days"]["status"] == "not_applicable"


def test_else_and_the_output_default_apply_a_day_short(engine: Engine) -> None:
    decision = engine.evaluate(POLICY, man("2000-05-02"), as_of=AS_OF)
    assert decision.values["late_marriage"] is False  # from the else branch
    assert decision.values["extra_days"] == 0  # the cited default
    assert decision.values["entitled_days"] == 3
    events = rules_of(decision)
    assert events["late_marriage:else"]["status"] == "applied"
    assert events["late_marriage:else"]["kind"] == "else"
    assert events["late_marriage:else"]["condition"].startswith("not (")
    default = events["default:extra_days"]
    assert (default["status"], default["kind"]) == ("applied", "default")
    assert default["citations"] == ["cn.yunnan.wenshan.hrss_work_rules#art34.item2.sub2"]


def test_an_input_defaults_to_another_value_and_the_trace_says_so(engine: Engine) -> None:
    decision = engine.evaluate(POLICY, man("2000-05-02"), as_of=AS_OF)
    event = rules_of(decision)["default:days_requested"]
    assert event["status"] == "applied" and event["kind"] == "default"
    assert event["values"] == {"days_requested": 3}
    assert decision.values["approver"] == "deputy_director"  # 3 days: 3天以上7天以内
    given = engine.evaluate(POLICY, man("2000-05-02", days_requested="2"), as_of=AS_OF)
    assert rules_of(given)["default:days_requested"]["status"] == "not_applicable"
    assert given.values["approver"] == "section_head"


def test_a_default_is_titled_after_what_it_gives_a_value_to(engine: Engine) -> None:
    decision = engine.evaluate(POLICY, man("2000-05-02"), as_of=AS_OF)
    event = rules_of(decision)["default:days_requested"]
    assert (event["title_zh"], event["title"]) == (
        "未给出时的默认值：请假天数", "Default when not given: Days of leave asked for"
    )
    assert "default:days_requested — 未给出时的默认值：请假天数 Default when not given" in (
        explain_text(decision)
    )
    assert rules_of(decision)["default:extra_days"]["title"] is None  # an untitled output


def test_an_unknown_condition_applies_neither_branch(sources: SourceLibrary,
                                                     tmp_path: Path) -> None:
    text = TEXT.replace("first_marriage: {type: bool, required: true}",
                        "first_marriage: {type: bool}")
    path = tmp_path / "unknown.yaml"
    path.write_text(text, encoding="utf-8")
    engine = Engine([load_policy_file(path, sources)], sources)
    facts = man("2000-05-01")  # old enough: the condition turns on the unknown first marriage
    del facts["first_marriage"]
    decision = engine.evaluate(POLICY, facts, as_of=AS_OF)
    events = rules_of(decision)
    assert events["late_marriage"]["status"] == "unknown"
    assert events["late_marriage:else"]["status"] == "unknown"
    assert decision.values["late_marriage"] is None


def test_else_and_defaults_are_rules_of_their_own(engine: Engine) -> None:
    # so that rule coverage (govrules test --min-coverage) asks for a test of each
    (policy,) = engine.policies()
    kinds = {r.id: r.kind for r in policy.rules}
    assert kinds["late_marriage:else"] == "else"
    assert kinds["default:extra_days"] == kinds["default:days_requested"] == "default"
    order = [r.id for r in policy.rules]
    assert order.index("default:extra_days") > order.index("late_marriage")  # after setters
    assert order.index("default:days_requested") < order.index("approver_deputy")  # before readers


ELSE = "    else:\n      set: {late_marriage: \"false\"}\n"
ENTITLEMENT = "  - id: entitlement\n    cite: rules#art34.item2.sub2\n"


@pytest.mark.parametrize(("old", "new", "code"), [
    (ELSE + ENTITLEMENT, ENTITLEMENT + "    else: {set: {late_marriage: \"false\"}}\n",
     "else-never-applies"),
    ("sex: {type: enum, values: [male, female], required: true}",
     "sex: {type: enum, values: [male, female], required: true,"
     " default: {value: \"'male'\", cite: rules#art34}}",
     "default-on-required"),
    ('default: {value: "0", cite: rules#art34.item2.sub2}',
     'default: {value: "extra_days + 1", cite: rules#art34.item2.sub2}', "cycle"),
    ('default: {value: "0", cite: rules#art34.item2.sub2}',
     "default: {value: \"'none'\", cite: rules#art34.item2.sub2}", "type-mismatch"),
    ('default: {value: "0", cite: rules#art34.item2.sub2}',
     'default: {value: "0"}', "missing"),
    ("    else:\n      set: {late_marriage: \"false\"}\n",
     "    else:\n      set: {late_marriag: \"false\"}\n", "bad-target"),
])
def test_broken_defaults_and_else_are_located(tmp_path: Path, sources: SourceLibrary, old: str,
                                              new: str, code: str) -> None:
    assert old in TEXT
    path = tmp_path / "broken.yaml"
    path.write_text(TEXT.replace(old, new), encoding="utf-8")
    with pytest.raises(PolicyLoadError) as caught:
        load_policy_file(path, sources)
    found = [d for d in caught.value.diagnostics if code in d.code]
    assert found, caught.value.diagnostics
    assert all(d.span is not None and d.span.line > 1 for d in found)
