"""The hierarchy of law: a policy's superior law evaluated beside it, the law-hierarchy notice,
and the verdict of 立法法 第九十八至一百零七条 on pairs of norms."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from conftest import POLICIES
from govrules import Engine
from govrules.cli.main import main
from govrules.errors import PolicyLoadError
from govrules.language.files import SourceDocumentModel
from govrules.runtime.precedence import precedence

WAGE = "cn.jilin.taobei.wage_deposit"
LEAVE = "cn.yunnan.wenshan.leave_and_trips"


def _hierarchy(decision: Any) -> list[dict[str, Any]]:
    return [n for n in decision.to_dict()["notices"] if n["code"] == "law-hierarchy"]


def test_a_2026_taobei_wage_deposit_decision_puts_both_results_side_by_side(
        engine: Engine) -> None:
    decision = engine.evaluate(WAGE, {"contract_price": "1000000", "first_deposit": True},
                               as_of=dt.date(2026, 11, 21))
    assert decision.values["rate_min"] == Decimal("0.04")
    [notice] = _hierarchy(decision)
    detail = notice["detail"]
    assert notice["level"] == "warning" and detail["differ"] is True
    assert detail["relation"] == "superior"
    assert detail["this"]["policy"] == WAGE
    assert detail["other"]["policy"] == "cn.national.wage_deposit"
    assert detail["other"]["pack"]["id"] == "cn.national"
    assert detail["this"]["pack"]["id"] == "cn.jilin.baicheng.taobei"
    rows = {row["output"]: (row["this"], row["other"], row["same"]) for row in detail["compared"]}
    assert rows == {
        "rate_min": ("0.04", "0.01", False),
        "rate_max": ("0.05", "0.03", False),
        "amount_min": ("40000.00", "10000.00", False),
        "amount_max": ("50000.00", "30000.00", False),
    }
    # both are normative documents: the ministries' prevails over the district bureau's, by
    # analogy with 立法法 第九十九、一百条, and the notice says it is a reading
    assert detail["prevails"] == "other" and detail["reading"] == "analogy"
    assert detail["this"]["law_kind"] == detail["other"]["law_kind"] == "规范性文件"
    assert (detail["this"]["level"], detail["other"]["level"]) == ("county", "national")
    assert notice["citations"] == ["cn.national.legislation_law#art99",
                                   "cn.national.legislation_law#art100"]
    assert "by analogy" in notice["en"] and "参照" in notice["zh"]
    cited = {c.ref for c in decision.citations}
    assert "cn.national.legislation_law#art99" in cited


def test_before_the_national_provisions_took_effect_there_is_nothing_to_compare(
        engine: Engine) -> None:
    decision = engine.evaluate(WAGE, {"contract_price": "1000000", "first_deposit": True},
                               as_of=dt.date(2021, 10, 31))
    assert _hierarchy(decision) == []
    decision = engine.evaluate(WAGE, {"contract_price": "1000000", "first_deposit": True},
                               as_of=dt.date(2021, 11, 1))
    assert len(_hierarchy(decision)) == 1


def _leave(start: str, **facts: Any) -> dict[str, Any]:
    return {"leave_type": "maternity", "rank": "staff", "sex": "female",
            "difficult_birth": False, "late_birth_one_child_certificate": False,
            "start_date": start, **facts}


def test_wenshan_maternity_leave_meets_the_national_98_days(engine: Engine) -> None:
    decision = engine.evaluate(LEAVE, _leave("2026-05-04"), as_of=dt.date(2026, 11, 20))
    [notice] = _hierarchy(decision)
    detail = notice["detail"]
    assert detail["compared"] == [{"output": "entitled_days", "other_output": "entitled_days",
                                   "this": 90, "other": 98, "same": False}]
    # an organ's internal rules against an administrative regulation: 第九十九条第二款
    assert detail["other"]["law_kind"] == "行政法规"
    assert detail["prevails"] == "other"
    assert detail["articles"] == ["cn.national.legislation_law#art99.para2"]


def test_other_kinds_of_leave_are_not_compared_with_the_maternity_rule(engine: Engine) -> None:
    decision = engine.evaluate(LEAVE, {"leave_type": "paternity", "rank": "staff", "sex": "male",
                                       "late_birth_one_child_certificate": True,
                                       "start_date": "2026-05-04"},
                               as_of=dt.date(2026, 11, 20))
    assert _hierarchy(decision) == []


def test_a_rule_in_force_only_after_the_facts_does_not_govern_them(engine: Engine) -> None:
    # 立法法 第一百零四条: the 2012 national regulation took effect on 2012-04-28; leave that
    # began the day before is not governed by it
    decision = engine.evaluate(LEAVE, _leave("2012-04-27"), as_of=dt.date(2026, 11, 20))
    [notice] = _hierarchy(decision)
    assert notice["detail"]["prevails"] == "not-applicable"
    assert notice["detail"]["articles"] == ["cn.national.legislation_law#art104"]
    assert notice["detail"]["facts_date"] == "2012-04-27"
    decision = engine.evaluate(LEAVE, _leave("2012-04-28"), as_of=dt.date(2026, 11, 20))
    [notice] = _hierarchy(decision)
    assert notice["detail"]["prevails"] == "other"


def test_the_notice_survives_verify(engine: Engine, tmp_path: Path,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    decision = engine.evaluate(WAGE, {"contract_price": "1000000", "first_deposit": True},
                               as_of=dt.date(2026, 11, 21))
    saved = tmp_path / "decision.json"
    saved.write_text(decision.to_json(), encoding="utf-8")
    assert main(["verify", str(saved)]) == 0
    assert capsys.readouterr().out.startswith("VERIFIED")
    forged = json.loads(saved.read_text(encoding="utf-8"))
    forged["notices"][-1]["detail"]["prevails"] = "this"
    saved.write_text(json.dumps(forged, ensure_ascii=False), encoding="utf-8")
    assert main(["verify", str(saved)]) == 1
    assert "altered" in capsys.readouterr().out


# ---------------------------------------------------------------------------- the verdicts


def _norm(kind: str, level: str, issuer: str, effective: str = "2020-01-01",
          name: str = "x") -> SourceDocumentModel:
    return SourceDocumentModel.model_validate({
        "kind": "source", "id": f"cn.test.{name}", "title": {"zh": name, "en": name},
        "issuer": issuer, "law_kind": kind, "level": level, "effective": effective,
        "jurisdiction": "cn", "origin": {}, "verification": "A",
        "clauses": {"art1": {"label": "第一条", "text": "甲。"}},
    })


@pytest.mark.parametrize(("this", "other", "prevails", "articles", "reading"), [
    (("法律", "national", "全国人大"), ("行政法规", "national", "国务院"),
     "this", ("art99.para1",), "direct"),
    (("地方政府规章", "prefectural", "某市政府"), ("行政法规", "national", "国务院"),
     "other", ("art99.para2",), "direct"),
    (("地方性法规", "provincial", "某省人大"), ("地方政府规章", "prefectural", "某市政府"),
     "this", ("art100.para1",), "direct"),
    (("地方政府规章", "prefectural", "某市政府"), ("地方政府规章", "provincial", "某省政府"),
     "other", ("art100.para2",), "direct"),
    (("部门规章", "national", "某部"), ("地方政府规章", "provincial", "某省政府"),
     "undetermined", ("art102", "art106.item3"), "direct"),
    (("地方性法规", "provincial", "某省人大"), ("部门规章", "national", "某部"),
     "undetermined", ("art106.item2",), "direct"),
    (("规范性文件", "county", "某区人社局"), ("规范性文件", "national", "某部"),
     "other", ("art99", "art100"), "analogy"),
    (("规范性文件", "county", "某区人社局"), ("规范性文件", "county", "某县人社局"),
     "undetermined", ("art106.para1",), "analogy"),
    (("内部制度", "prefectural", "某局"), ("行政法规", "national", "国务院"),
     "other", ("art99.para2",), "analogy"),
    # a ministry's normative document is no 规章: against a province's regulation, unsettled
    (("规范性文件", "national", "某部"), ("地方性法规", "provincial", "某省人大"),
     "undetermined", ("art106.para1",), "analogy"),
    # one organ's rule over its own normative document, whatever their dates
    (("地方政府规章", "provincial", "某省政府"), ("规范性文件", "provincial", "某省政府"),
     "this", ("art100.para1",), "analogy"),
    (("规范性文件", "county", "某区人社局"), ("内部制度", "county", "某区人社局"),
     "this", ("art99", "art100"), "analogy"),
])
def test_precedence_follows_the_articles_of_the_legislation_law(
        this: tuple[str, str, str], other: tuple[str, str, str], prevails: str,
        articles: tuple[str, ...], reading: str) -> None:
    verdict = precedence(_norm(*this, name="a"), _norm(*other, name="b"))
    assert (verdict.prevails, verdict.articles, verdict.reading) == (prevails, articles, reading)
    if prevails == "undetermined":
        assert verdict.decides
    # the verdict is the same seen from the other side
    mirrored = precedence(_norm(*other, name="b"), _norm(*this, name="a"))
    flip = {"this": "other", "other": "this"}
    assert mirrored.prevails == flip.get(prevails, prevails)


def test_the_same_organ_newer_over_older_and_party_documents_undetermined() -> None:
    old = _norm("地方政府规章", "provincial", "某省政府", "2010-01-01", "old")
    new = _norm("地方政府规章", "provincial", "某省政府", "2020-01-01", "new")
    assert precedence(new, old).prevails == "this"
    assert precedence(new, old).articles == ("art103",)
    same_day = _norm("地方政府规章", "provincial", "某省政府", "2010-01-01", "twin")
    assert precedence(old, same_day).prevails == "undetermined"
    party = _norm("党内规范性文件", "county", "某党组")
    verdict = precedence(party, new)
    assert verdict.prevails == "undetermined" and verdict.reading == "none"


# ---------------------------------------------------------------------------- load checks


def _with_superior(tmp_path: Path, block: str) -> Path:
    """A copy of the bundled packs whose Taobei wage-deposit policy declares ``block``."""
    copy = tmp_path / "policies"
    shutil.copytree(POLICIES, copy)
    policy = copy / "cn.jilin.baicheng.taobei" / "policies" / "wage_deposit.yaml"
    text = policy.read_text(encoding="utf-8")
    start = text.index("\nsuperior:\n")
    end = text.index("\ntests:\n")
    policy.write_text(text[:start] + "\n" + block + text[end:], encoding="utf-8")
    assert main(["pack", "seal", str(policy.parents[1])]) == 0
    return copy


@pytest.mark.parametrize(("block", "code", "words"), [
    ("superior:\n  - policy: cn.national.no_such_policy\n    outputs: {rate_min: rate_min}\n",
     "unknown-policy", "no policy 'cn.national.no_such_policy'"),
    ("superior:\n  - policy: cn.national.wage_deposit\n    outputs: {rate_min: no_output}\n",
     "unknown-output", "has no output 'no_output'"),
    ("superior:\n  - policy: cn.national.wage_deposit\n    outputs: {rate_min: exempt}\n",
     "type-mismatch", "cannot be compared"),
    ("superior:\n  - policy: cn.national.wage_deposit\n    outputs: {nothing: rate_min}\n",
     "unknown-output", "'nothing' is not an output of this policy"),
    ("superior:\n  - policy: cn.national.wage_deposit\n    when: {payment_form: gold}\n"
     "    outputs: {rate_min: rate_min}\n",
     "invalid-when", "'gold' is not a value of 'payment_form'"),
    ("superior:\n  - policy: cn.national.wage_deposit\n    facts_date: contract_price\n"
     "    outputs: {rate_min: rate_min}\n",
     "invalid-facts-date", "must be a date input"),
])
def test_a_wrong_declaration_is_a_located_load_error(
        tmp_path: Path, block: str, code: str, words: str) -> None:
    copy = _with_superior(tmp_path, block)
    with pytest.raises(PolicyLoadError) as caught:
        Engine.from_directory(copy)
    [problem] = [d for d in caught.value.diagnostics if d.code == code]
    assert words in problem.message
    assert problem.span is not None and problem.span.file.endswith("wage_deposit.yaml")
    assert problem.span.line > 1


def test_the_hierarchy_notice_is_made_when_read_from_the_decision_as_it_was_made() -> None:
    # The comparison with the superior norm's policy is deferred until the notices are read
    # (the JSON, the fingerprint, pickling): what a caller does to the values meanwhile must
    # not change it, and reading twice gives the same notices.
    engine = Engine.default()
    case = {"contract_price": "1000000", "first_deposit": True, "proposed_rate": "0.045"}
    day = dt.date(2024, 5, 1)
    changed = engine.evaluate("cn.jilin.taobei.wage_deposit", case, day, trace=False)
    kept = engine.evaluate("cn.jilin.taobei.wage_deposit", case, day, trace=False)
    changed.values["rate_min"] = Decimal("0.99")
    assert [n.to_dict() for n in changed.notices] == [n.to_dict() for n in kept.notices]
    assert "law-hierarchy" in [n.code for n in kept.notices]
    assert kept.notices == kept.notices
