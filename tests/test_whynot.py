"""Why not: what made a negative outcome, what blocked the others, which one fact would matter."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from conftest import ROOT
from govrules import Engine
from govrules.audit.whynot import why_not
from govrules.cli.main import main

DAY = dt.date(2026, 11, 21)
WAGE = "cn.jilin.taobei.wage_deposit"


def test_two_failures_are_both_named_and_no_single_fact_fixes_them(engine: Engine) -> None:
    case = {"contract_price": "2345678.90", "first_deposit": False, "previous_rate": "0.05",
            "arrears_in_previous_period": True, "proposed_rate": "0.04",
            "payment_form": "bank_guarantee"}
    report = why_not(engine, engine.evaluate(WAGE, case, as_of=DAY))
    assert report.outcome == "non_compliant"
    assert {r.rule for r in report.reasons} == {"rate_outside_range", "non_money_deposit"}
    blocked = {r.rule: r for r in report.blocked}
    assert blocked["all_checks_pass"].outcome == "compliant"
    assert blocked["all_checks_pass"].status == "not_applicable"
    assert report.changes == ()


def test_a_single_fact_that_changes_the_outcome_is_named(engine: Engine) -> None:
    case = {"contract_price": "1000000", "first_deposit": True, "proposed_rate": "0.06",
            "payment_form": "cash"}
    report = why_not(engine, engine.evaluate(WAGE, case, as_of=DAY))
    assert ("proposed_rate", Decimal("0.05"), "compliant") in {
        (c.fact, c.to, c.outcome) for c in report.changes}
    assert all(c.outcome == "compliant" for c in report.changes)


def test_removing_the_protection_would_make_the_dismissal_lawful(engine: Engine) -> None:
    case = {"initiator": "employer", "contract_start_date": "2024-03-01",
            "claimed_grounds": ["major_change_in_circumstances"],
            "protections": ["pregnancy_maternity_nursing"]}
    decision = engine.evaluate("cn.gansu.dingxi.service_staff_termination", case, as_of=DAY)
    report = why_not(engine, decision)
    assert report.outcome == "unlawful"
    assert [r.rule for r in report.reasons] == ["employer_without_ground"]
    assert ("protections", [], "lawful") in [(c.fact, c.to, c.outcome) for c in report.changes]
    # the derived absenteeism ground is found at its threshold
    assert ("annual_absence_days", 31, "lawful") in [
        (c.fact, c.to, c.outcome) for c in report.changes]


def test_why_not_command(capsys: pytest.CaptureFixture[str]) -> None:
    case = str(ROOT / "examples" / "wage_deposit" / "02_after_arrears_bank_guarantee.json")
    assert main(["why-not", WAGE, "--case", case]) == 0
    out = capsys.readouterr().out
    assert "because rule non_money_deposit" in out and "Why not another outcome" in out
