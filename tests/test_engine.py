"""The Python API on the real wage-deposit policy: decisions, citations, missing facts,
trace, fingerprints, case models, and what happens to bad input."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest

from govrules import (
    NULL_RECORDER,
    CaseError,
    Engine,
    TraceRecorder,
    UnknownPolicyError,
)
from govrules.runtime.decision import JSON_KEYS

WAGE = "cn.jilin.taobei.wage_deposit"
DAY = dt.date(2026, 11, 21)
CLEAN = {"contract_price": "1000000", "first_deposit": False, "previous_rate": "0.04",
         "arrears_in_previous_period": False, "proposed_rate": "0.035", "payment_form": "cash",
         "payout_order_date": "2026-09-20", "completion_confirmed_date": "2026-09-30"}


def test_decision_values_are_exact_and_cited(engine: Engine) -> None:
    decision = engine.evaluate(WAGE, CLEAN, as_of=DAY)
    assert decision.outcome == "compliant"
    assert decision.values["rate_min"] == Decimal("0.03")
    assert decision.values["amount_max"] == Decimal("40000.00")
    assert decision.values["top_up_deadline"] == dt.date(2026, 10, 8)
    refs = {citation.ref for citation in decision.citations}
    assert "cn.jilin.taobei.wage_deposit_integrity#art4.item2" in refs
    assert "cn.jilin.taobei.wage_deposit_integrity#art8" in refs
    assert "cn.national.civil_code#art203" in refs
    clause = next(c for c in decision.citations if c.ref.endswith("#art7"))
    assert clause.label == "第七条"
    assert "在15日内补存已经支付的保证金" in clause.text


def test_json_contract_keys_and_forms(engine: Engine) -> None:
    data = json.loads(engine.evaluate(WAGE, CLEAN, as_of=DAY).to_json())
    assert tuple(data) == JSON_KEYS == (
        "format", "policy", "policy_version", "policy_hash", "pack", "as_of", "calendar", "facts",
        "outcome", "values", "citations", "missing", "notices", "trace_digest", "trace",
        "fingerprint")
    assert data["format"] == 3
    assert data["calendar"].startswith("holidays ")
    assert data["trace_digest"].startswith("sha256:")
    assert data["values"]["rate_min"] == "0.03"
    assert data["values"]["compliant"] is True
    assert data["values"]["refund_notice_deadline"] == "2026-10-27"
    assert data["fingerprint"].startswith("sha256:")


def test_same_inputs_give_byte_identical_json(engine: Engine) -> None:
    first = engine.evaluate(WAGE, CLEAN, as_of=DAY).to_json()
    second = engine.evaluate(WAGE, dict(reversed(list(CLEAN.items()))), as_of=DAY).to_json()
    assert first == second


def test_fingerprint_depends_on_facts_and_date_not_on_spelling(engine: Engine) -> None:
    base = engine.evaluate(WAGE, CLEAN, as_of=DAY).fingerprint
    respelt = engine.evaluate(WAGE, {**CLEAN, "contract_price": "1000000.00"}, as_of=DAY)
    assert respelt.fingerprint == base
    assert engine.evaluate(WAGE, {**CLEAN, "contract_price": "1000001"},
                           as_of=DAY).fingerprint != base
    assert engine.evaluate(WAGE, CLEAN, as_of=DAY + dt.timedelta(days=1)).fingerprint != base


def test_trace_records_rules_parameters_and_dates(engine: Engine) -> None:
    trace = engine.evaluate(WAGE, CLEAN, as_of=DAY).trace
    kinds = [event["event"] for event in trace]
    assert kinds[0] == "policy" and kinds[-1] == "outcome"
    assert "facts" not in kinds  # the facts are the decision's own member, not a trace event
    parameter = next(e for e in trace if e["event"] == "parameter" and e["name"] == "floor_rate")
    assert parameter["value"] == "0.02"
    assert parameter["effective_from"] == "2016-05-26"
    assert parameter["citations"] == ["cn.jilin.taobei.wage_deposit_integrity#art4.item2"]
    rule = next(e for e in trace if e["event"] == "rule"
                and e["rule"] == "reduction_after_clean_period")
    assert rule["status"] == "applied" and rule["condition_value"] is True
    assert rule["interpretations"][0]["id"] == "clean_period_range"
    date = next(e for e in trace if e["event"] == "date" and e["rule"] == "top_up_deadline")
    assert date["plain_end"] == "2026-10-05" and date["result"] == "2026-10-08"
    assert [day["date"] for day in date["days"]] == ["2026-10-05", "2026-10-06", "2026-10-07"]
    assert "statutory holiday" in date["days"][0]["text"]


def test_tracing_off_gives_the_same_decision_without_a_trace(engine: Engine) -> None:
    traced = engine.evaluate(WAGE, CLEAN, as_of=DAY)
    quiet = engine.evaluate(WAGE, CLEAN, as_of=DAY, trace=False)
    assert quiet.trace == ()
    assert quiet.values == traced.values and quiet.outcome == traced.outcome
    # the same decision but for the trace: the fingerprint covers the trace by its digest
    a, b = quiet.to_dict(), traced.to_dict()
    assert a["trace_digest"] is None and b["trace_digest"] is not None
    ignored = {"trace", "trace_digest", "fingerprint"}
    assert {k: v for k, v in a.items() if k not in ignored} == {
        k: v for k, v in b.items() if k not in ignored}
    assert quiet.fingerprint != traced.fingerprint
    assert [c.ref for c in quiet.citations] == [c.ref for c in traced.citations]
    assert engine.evaluate(WAGE, CLEAN, as_of=DAY, recorder=NULL_RECORDER).trace == ()


def test_a_recorder_can_be_passed_in(engine: Engine) -> None:
    recorder = TraceRecorder()
    engine.evaluate(WAGE, CLEAN, as_of=DAY, recorder=recorder)
    assert [e["step"] for e in recorder.events] == list(range(1, len(recorder.events) + 1))


def test_every_missing_fact_is_reported_at_once(engine: Engine) -> None:
    decision = engine.evaluate(WAGE, {"first_deposit": False}, as_of=DAY)
    assert decision.outcome == "incomplete"
    assert [m.fact for m in decision.missing] == ["contract_price", "previous_rate",
                                                  "arrears_in_previous_period"]
    assert decision.missing[1].reason == "required when not first_deposit"
    assert decision.missing[1].citations[0].ref.endswith("#art4.item2")


def test_calendar_beyond_published_schedules_warns(engine: Engine) -> None:
    decision = engine.evaluate(WAGE, {**CLEAN, "payout_order_date": "2027-09-20"}, as_of=DAY)
    warning = next(n for n in decision.notices if n.code == "calendar-unpublished")
    assert warning.level == "warning" and "2027" in warning.en


def test_floats_are_refused_not_rounded(engine: Engine) -> None:
    with pytest.raises(CaseError) as caught:
        engine.evaluate(WAGE, {**CLEAN, "contract_price": 1000000.0}, as_of=DAY)
    (problem,) = caught.value.diagnostics
    assert problem.code == "invalid-input"
    assert "contract_price" in problem.message and "float" in problem.message


def test_bad_inputs_are_all_named(engine: Engine) -> None:
    case = {**CLEAN, "contract_price": "-5", "first_deposit": "yes", "payment_form": "gold",
            "payout_order_date": "20/09/2026", "contrct": 1}
    with pytest.raises(CaseError) as caught:
        engine.evaluate(WAGE, case, as_of=DAY)
    messages = [str(d) for d in caught.value.diagnostics]
    assert len(messages) == 5
    text = "\n".join(messages)
    for field in ("contract_price", "first_deposit", "payment_form", "payout_order_date"):
        assert field in text
    assert "did you mean 'contract_price'?" in text


def test_unknown_policy_and_policy_not_in_force(engine: Engine) -> None:
    with pytest.raises(UnknownPolicyError, match="did you mean"):
        engine.evaluate("cn.jilin.taobei.wage_deposits", CLEAN, as_of=DAY)
    with pytest.raises(UnknownPolicyError, match="not in force on 2010-01-01"):
        engine.evaluate(WAGE, CLEAN, as_of=dt.date(2010, 1, 1))


def test_case_model_is_the_pydantic_model_of_the_inputs(engine: Engine) -> None:
    model = engine.case_model(WAGE)
    schema = model.model_json_schema()
    assert set(schema["properties"]) == {
        "contract_price", "first_deposit", "previous_rate", "arrears_in_previous_period",
        "proposed_rate", "payment_form", "payout_order_date", "completion_confirmed_date"}
    case = model(contract_price="1000000", first_deposit=True)
    assert engine.evaluate(WAGE, case, as_of=DAY).values["rate_max"] == Decimal("0.05")


def test_parameters_follow_their_effective_dates(sources) -> None:  # type: ignore[no-untyped-def]
    from conftest import FIXTURES
    from govrules.engine import load_policy_file

    policy = load_policy_file(FIXTURES / "good" / "minimal.yaml", sources)
    engine = Engine([policy], sources)
    early = engine.evaluate(policy.id, {"contract_price": "100"}, as_of=dt.date(2019, 12, 31))
    late = engine.evaluate(policy.id, {"contract_price": "100"}, as_of=dt.date(2020, 1, 1))
    assert early.values["amount"] == Decimal("4.00")
    assert late.values["amount"] == Decimal("5.00")
    read = next(e for e in late.trace if e["event"] == "parameter")
    assert read["effective_from"] == "2020-01-01"
    # an unverified figure is used, and the decision says so
    assert read["unverified"] is True
    (warning,) = [n for n in late.notices if n.code == "unverified"]
    assert warning.level == "warning" and "not yet checked" in warning.en
    assert not [n for n in early.notices if n.code == "unverified"]


def test_default_engine_holds_the_bundled_policies() -> None:
    assert WAGE in {policy.id for policy in Engine.default().policies()}


def _priorities(sources):  # type: ignore[no-untyped-def]
    from conftest import FIXTURES
    from govrules.engine import load_policy_file

    policy = load_policy_file(FIXTURES / "good" / "priorities.yaml", sources)
    return policy, Engine([policy], sources)


def test_a_rule_that_defeats_another_wins_and_the_trace_says_so(sources) -> None:  # type: ignore[no-untyped-def]
    policy, engine = _priorities(sources)
    day = dt.date(2020, 1, 1)
    decision = engine.evaluate(policy.id, {"ground": "no_fault", "protected": True}, as_of=day)
    assert decision.values["lawful"] is False
    assert decision.outcome == "unlawful"
    defeated = next(e for e in decision.trace if e["event"] == "rule"
                    and e["rule"] == "no_fault_ground")
    assert defeated["status"] == "defeated" and defeated["defeated_by"] == "protection"
    assert defeated["defeated_by_citations"] == ["cn.gansu.dingxi.service_staff_hiring#art18"]
    # the protection does not reach the fault ground
    fault = engine.evaluate(policy.id, {"ground": "fault", "protected": True}, as_of=day)
    assert fault.outcome == "lawful"


def test_rules_of_equal_standing_that_disagree_give_a_conflict(sources) -> None:  # type: ignore[no-untyped-def]
    policy, engine = _priorities(sources)
    case = {"ground": "fault", "protected": False, "second_opinion": True}
    for trace in (True, False):
        decision = engine.evaluate(policy.id, case, as_of=dt.date(2020, 1, 1), trace=trace)
        assert decision.outcome == "conflict"
        assert decision.values["lawful"] is None
        notice = next(n for n in decision.notices if n.code == "conflict")
        assert "fault_ground" in notice.en and "contrary_opinion" in notice.en


def test_an_output_that_reports_missing_facts_lists_them_without_blocking(sources) -> None:  # type: ignore[no-untyped-def]
    from conftest import FIXTURES
    from govrules.engine import load_policy_file

    policy = load_policy_file(FIXTURES / "good" / "minimal.yaml", sources)
    engine = Engine([policy], sources)
    decision = engine.evaluate(policy.id, {"contract_price": "100"}, as_of=dt.date(2020, 1, 1))
    assert decision.outcome == "done"
    (fact,) = decision.missing
    assert (fact.fact, fact.required, fact.needed_for) == ("start", False, ("deadline",))
    given = engine.evaluate(policy.id, {"contract_price": "100", "start": "2026-09-20"},
                            as_of=dt.date(2020, 1, 1))
    assert given.missing == () and given.values["deadline"] == dt.date(2026, 10, 8)


def test_list_inputs_must_be_lists_and_unknown_codes_are_named(engine: Engine) -> None:
    policy = "cn.gansu.dingxi.service_staff_termination"
    base = {"initiator": "employer", "contract_start_date": "2024-03-01"}
    with pytest.raises(CaseError) as caught:
        engine.evaluate(policy, {**base, "claimed_grounds": ("breach_of_contract",)}, as_of=DAY)
    assert "claimed_grounds" in str(caught.value)
    with pytest.raises(CaseError) as caught:
        engine.evaluate(policy, {**base, "claimed_grounds": ["breach_of_contrakt"]}, as_of=DAY)
    assert "claimed_grounds[0]" in str(caught.value) and "breach_of_contrakt" in str(caught.value)


def test_a_decimal_value_given_a_bare_zero_is_still_a_decimal() -> None:
    # max(x, 0) or `if c then x else 0` may give the literal 0: a decimal output keeps its kind,
    # so its JSON is the string "0", like every decimal
    engine = Engine.default()
    policy = next(p for p in engine.policies() if p.id == "cn.yunnan.wenshan.performance_points")
    for test in policy.model.tests:
        decision = engine.evaluate_version(policy, dict(test.input), test.as_of)
        for output in policy.outputs:
            value = decision.values.get(output.name)
            if output.type.kind in ("decimal", "money", "rate") and value is not None:
                assert isinstance(value, Decimal), (test.name, output.name, value)
