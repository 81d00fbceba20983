"""Re-verifying saved decisions: the document checked against itself, then the decision made
again and compared part by part; every tampering caught and blamed on the side that changed."""

from __future__ import annotations

import copy
import datetime as dt
import decimal
import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from conftest import POLICIES
from govrules import Engine
from govrules.audit.verify import DecisionFormatError, read_decision, verify_decision
from govrules.cli.main import main
from govrules.runtime.decision import fingerprint_of

WAGE = "cn.jilin.taobei.wage_deposit"
CASE = {"contract_price": "1000000", "first_deposit": True, "payout_order_date": "2026-09-20"}
DAY = dt.date(2026, 11, 21)


def _saved(engine: Engine, trace: bool = True, **facts: Any) -> dict[str, Any]:
    decision = engine.evaluate(WAGE, {**CASE, **facts}, as_of=DAY, trace=trace)
    return read_decision(decision.to_json())


def _resealed(saved: dict[str, Any]) -> dict[str, Any]:
    """A document made consistent again after an edit: what another engine would have saved."""
    saved["fingerprint"] = fingerprint_of(saved)
    return saved


def test_a_saved_decision_is_reproduced(engine: Engine) -> None:
    result = verify_decision(engine, _saved(engine))
    assert result.verified, result.reason
    assert result.fingerprint_saved == result.fingerprint_now
    assert result.changed is None and result.differences == ()


def test_a_decision_saved_without_its_trace_is_verified(engine: Engine) -> None:
    result = verify_decision(engine, _saved(engine, trace=False))
    assert result.verified, result.reason


def test_a_trace_dropped_after_saving_still_verifies_by_its_digest(engine: Engine) -> None:
    saved = _saved(engine)
    del saved["trace"]
    assert verify_decision(engine, saved).verified


def test_a_tampered_value_is_named_and_blamed_on_the_document(engine: Engine) -> None:
    saved = _saved(engine)
    saved["values"]["rate_min"] = "0.03"
    result = verify_decision(engine, saved)
    assert not result.verified and result.changed == "document"
    assert [str(d) for d in result.differences] == ['values.rate_min: saved "0.03", now "0.04"']


@pytest.mark.parametrize("edit", [
    lambda t: t.__setitem__(3, {**t[3], "status": "not_applicable"}),   # a rule's status
    lambda t: t.append({"event": "rule", "rule": "invented", "status": "applied"}),
    lambda t: next(e for e in t if e["event"] == "parameter").__setitem__("value", "0.09"),
    lambda t: next(e for e in t if e["event"] == "date").__setitem__("result", "2026-10-09"),
])
def test_any_edit_of_the_trace_is_caught(engine: Engine, edit: Any) -> None:
    saved = _saved(engine)
    edit(saved["trace"])
    result = verify_decision(engine, saved)
    assert not result.verified and result.changed == "document"
    assert any(d.path.startswith("trace[") for d in result.differences)


def test_changed_facts_are_caught(engine: Engine) -> None:
    saved = _saved(engine)
    saved["facts"]["contract_price"] = "2"
    result = verify_decision(engine, saved)
    assert not result.verified and result.changed == "document"


def test_a_repeated_key_is_refused_not_read_either_way(engine: Engine) -> None:
    text = json.dumps(_saved(engine), ensure_ascii=False)
    forged = text.replace('"outcome": "', '"outcome": "FORGED", "outcome": "', 1)
    with pytest.raises(DecisionFormatError, match="'outcome' appears twice"):
        read_decision(forged)


@pytest.mark.parametrize(("key", "value", "expected"), [
    ("trace", 5, "'trace' must be a list"),
    ("facts", [], "'facts' must be an object"),
    ("format", 7, "format 7 is not one this engine reads"),
    ("as_of", "21/11/2026", "is not a date"),
])
def test_a_malformed_decision_is_named_not_an_internal_error(engine: Engine, key: str,
                                                              value: Any, expected: str) -> None:
    saved = _saved(engine)
    saved[key] = value
    result = verify_decision(engine, saved)
    assert not result.verified and expected in result.reason


def test_exact_amounts_are_not_one_fingerprint() -> None:
    # 0.04 and 0.039999999999999999999999999999 used to normalise to one 28-digit spelling
    engine = Engine.default()
    case = {**CASE, "proposed_rate": "0.04"}
    compliant = engine.evaluate(WAGE, case, as_of=DAY)
    near = engine.evaluate(WAGE, {**case, "proposed_rate": "0.039999999999999999999999999999"},
                           as_of=DAY)
    assert compliant.fingerprint != near.fingerprint
    forged = read_decision(compliant.to_json())
    forged["facts"]["proposed_rate"] = "0.039999999999999999999999999999"
    assert not verify_decision(engine, forged).verified


def test_the_callers_decimal_context_changes_nothing(engine: Engine) -> None:
    expected = engine.evaluate(WAGE, CASE, as_of=DAY).to_json()
    with decimal.localcontext() as context:
        context.prec = 6
        context.rounding = decimal.ROUND_FLOOR
        assert engine.evaluate(WAGE, CASE, as_of=DAY).to_json() == expected


def test_an_edited_policy_is_blamed(engine: Engine, tmp_path: Path) -> None:
    saved = _saved(engine)
    pack = tmp_path / "policies"
    shutil.copytree(POLICIES, pack)
    edited = pack / "cn.jilin.baicheng.taobei" / "policies" / "wage_deposit.yaml"
    edited.write_text(edited.read_text(encoding="utf-8") + "\n# an edit\n", encoding="utf-8")
    assert main(["pack", "seal", str(edited.parents[1])]) == 0
    result = verify_decision(Engine.from_directory(pack), saved)
    assert not result.verified and result.changed == "policy"
    paths = [d.path for d in result.differences]
    assert paths[0] == "policy_hash" and "trace[0].content_hash" in paths
    assert not any(p.startswith(("values", "outcome", "facts")) for p in paths)


def test_other_calendar_data_is_blamed(engine: Engine) -> None:
    saved = _saved(engine)
    saved["calendar"] = "holidays 0.1, China; official State Council schedules 2001-2020"
    result = verify_decision(engine, _resealed(saved))
    assert not result.verified and result.changed == "calendar"


def test_a_consistent_document_the_engine_no_longer_makes_is_blamed_on_the_engine(
        engine: Engine) -> None:
    saved = _saved(engine)
    saved["values"]["rate_min"] = "0.03"
    result = verify_decision(engine, _resealed(saved))
    assert not result.verified and result.changed == "engine"
    assert [d.path for d in result.differences] == ["values.rate_min"]


def test_a_policy_version_no_longer_loaded_fails_clearly(engine: Engine) -> None:
    saved = _saved(engine)
    saved["policy_version"] = "0.9.0"
    result = verify_decision(engine, _resealed(saved))
    assert not result.verified and "version 0.9.0 is no longer loaded" in result.reason


def test_a_format_one_decision_cannot_be_fully_verified(engine: Engine) -> None:
    now = _saved(engine)
    legacy = {k: copy.deepcopy(now[k]) for k in ("policy", "policy_version", "as_of", "outcome",
                                                 "values", "citations", "missing", "notices",
                                                 "fingerprint")}
    legacy["trace"] = [{"event": "facts", "given": dict(now["facts"])}]
    result = verify_decision(engine, legacy)
    assert not result.verified
    assert "cannot be fully verified" in result.reason and "made again" in result.reason
    legacy["values"]["rate_min"] = "0.03"
    assert [d.path for d in verify_decision(engine, legacy).differences] == ["values.rate_min"]


def test_verify_command_exit_codes(engine: Engine, tmp_path: Path,
                                  capsys: pytest.CaptureFixture[str]) -> None:
    good = tmp_path / "decision.json"
    good.write_text(json.dumps(_saved(engine), ensure_ascii=False), encoding="utf-8")
    assert main(["verify", str(good)]) == 0
    assert capsys.readouterr().out.startswith("VERIFIED")
    bad = _saved(engine)
    bad["outcome"] = "compliant"
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(bad, ensure_ascii=False), encoding="utf-8")
    assert main(["verify", str(path)]) == 1
    out = capsys.readouterr().out
    assert out.startswith("NOT VERIFIED") and "changed   the document" in out
    assert 'outcome: saved "compliant", now "assessed"' in out
    forged = tmp_path / "forged.json"
    forged.write_text(good.read_text(encoding="utf-8").replace(
        '"outcome": "', '"outcome": "FORGED", "outcome": "', 1), encoding="utf-8")
    assert main(["verify", str(forged)]) == 2
    assert "appears twice" in capsys.readouterr().err
