"""Two independent reviews (双审复核): agreement, or collective review with the differences."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from conftest import ROOT
from govrules import Engine, review_case
from govrules.cli.main import main

POLICY = "cn.national.retirement_eligibility"
DAY = dt.date(2026, 11, 21)
FACTS = {"birth_date": "1970-01-10", "sex": "female", "position_type": "cadre",
         "work_start_date": "1990-07-01", "contribution_months": 300}
REVIEWS = ROOT / "examples" / "retirement" / "reviews"


def test_agreeing_reviews_give_one_decision_and_both_fingerprints(engine: Engine) -> None:
    review = review_case(engine, POLICY, FACTS, dict(FACTS), as_of=DAY)
    assert review.status == "agreed" and review.agreed
    assert review.differing_facts == {} and review.differing_values == {}
    data = review.to_dict()
    assert data["fingerprints"]["first"] == data["fingerprints"]["second"]
    assert data["decision"]["values"]["statutory_retirement_date"] == "2025-02-10"


def test_a_different_fact_sends_the_case_to_collective_review(engine: Engine) -> None:
    second = {**FACTS, "position_type": "worker"}
    review = review_case(engine, POLICY, FACTS, second, as_of=DAY)
    assert review.status == "collective_review_required"
    assert review.differing_facts == {"position_type": ("cadre", "worker")}
    assert review.differing_values["statutory_retirement_date"] == (dt.date(2025, 2, 10),
                                                                    dt.date(2020, 1, 10))
    assert review.to_dict()["decision"] is None


def test_the_same_decision_from_differently_spelt_facts_still_differs_in_facts(
        engine: Engine) -> None:
    # the reviewers must agree on the facts themselves, not only on what follows from them
    second = {**FACTS, "contribution_months": 301}
    review = review_case(engine, POLICY, FACTS, second, as_of=DAY)
    assert review.status == "collective_review_required"
    assert review.differing_values == {}
    assert review.differing_facts == {"contribution_months": (300, 301)}


def test_review_command(capsys: pytest.CaptureFixture[str]) -> None:
    first, second = str(REVIEWS / "first_reviewer.yaml"), str(REVIEWS / "second_reviewer.yaml")
    assert main(["review", POLICY, "--first", first, "--second", second]) == 0
    out = capsys.readouterr().out
    assert out.startswith("REVIEW: collective_review_required")
    assert "position_type" in out and "集体复核" in out
    assert main(["review", POLICY, "--first", first, "--second", first, "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["status"] == "agreed" and data["decision"]["outcome"] == "eligible"
