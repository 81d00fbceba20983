"""at(parameter, date) reads the law in force on a date from the facts; undated texts say so."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from conftest import FIXTURES
from govrules import Engine
from govrules.compiler.loading import load_policy_file
from govrules.language.sources import SourceLibrary

POLICY = "test.fixture.law_in_time"


@pytest.fixture(scope="module")
def engine(sources: SourceLibrary) -> Engine:
    return Engine([load_policy_file(FIXTURES / "good" / "law_in_time.yaml", sources)], sources)


def test_the_value_in_force_on_the_facts_date(engine: Engine) -> None:
    decision = engine.evaluate(POLICY, {"statutory_date": "2031-05-01"}, as_of=dt.date(2026, 1, 5))
    assert decision.values == {"required_years": 16, "required_today": 15}
    (read,) = [e for e in decision.trace if e["event"] == "parameter" and e.get("on")]
    assert {k: v for k, v in read.items() if k != "step"} == {
        "event": "parameter", "rule": "at_the_statutory_date", "name": "min_contribution_years",
        "on": "2031-05-01", "value": 16, "effective_from": "2030-01-01",
        "citations": ["cn.national.retirement_age_measures_2024#art2"], "unverified": True,
    }
    today = [e for e in decision.trace if e["event"] == "parameter" and not e.get("on")]
    assert [e["effective_from"] for e in today] == ["unknown"]  # the undated first value


def test_an_undated_policy_says_so_in_every_decision(engine: Engine) -> None:
    decision = engine.evaluate(POLICY, {"statutory_date": "2027-05-01"}, as_of=dt.date(1990, 1, 1))
    (notice,) = [n for n in decision.notices if n.code == "undated-source"]
    assert "policy test.fixture.law_in_time" in notice.en
    assert "parameter 'min_contribution_years'" in notice.en
    assert decision.values["required_years"] == 15


def test_at_takes_a_parameter_by_name(sources: SourceLibrary, tmp_path: Path) -> None:
    from govrules.errors import PolicyLoadError

    text = (FIXTURES / "good" / "law_in_time.yaml").read_text(encoding="utf-8")
    path = tmp_path / "bad.yaml"
    path.write_text(text.replace("at(min_contribution_years, statutory_date)",
                                 "at(min_contribution_years + 1, statutory_date)"),
                    encoding="utf-8")
    with pytest.raises(PolicyLoadError) as caught:
        load_policy_file(path, sources)
    (problem,) = caught.value.diagnostics
    assert problem.code == "bad-arguments" and problem.span is not None
    assert (problem.span.line, problem.span.column) == (24, 49)  # at the '+'
