"""Re-verifying saved decisions: reproduced, tampered, or made under a policy no longer loaded."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest

from conftest import POLICIES
from govrules import Engine
from govrules.audit.verify import verify_decision
from govrules.cli.main import main

WAGE = "cn.jilin.taobei.wage_deposit"
CASE = {"contract_price": "1000000", "first_deposit": True, "payout_order_date": "2026-09-20"}


def _saved(engine: Engine) -> dict:  # type: ignore[type-arg]
    return json.loads(engine.evaluate(WAGE, CASE, as_of=dt.date(2026, 11, 21)).to_json())


def test_a_saved_decision_is_reproduced(engine: Engine) -> None:
    result = verify_decision(engine, _saved(engine))
    assert result.verified and result.fingerprint_saved == result.fingerprint_now


def test_a_tampered_decision_is_refuted_with_the_difference(engine: Engine) -> None:
    saved = _saved(engine)
    saved["values"]["rate_min"] = "0.03"
    result = verify_decision(engine, saved)
    assert not result.verified
    assert result.differences["values"][0]["rate_min"] == "0.03"
    assert result.differences["values"][1]["rate_min"] == "0.04"


def test_changed_facts_change_the_fingerprint(engine: Engine) -> None:
    saved = _saved(engine)
    next(e for e in saved["trace"] if e["event"] == "facts")["given"]["contract_price"] = "2"
    result = verify_decision(engine, saved)
    assert not result.verified and "fingerprint differs" in result.reason


def test_a_policy_version_no_longer_loaded_fails_clearly(engine: Engine) -> None:
    saved = _saved(engine)
    saved["policy_version"] = "0.9.0"
    result = verify_decision(engine, saved)
    assert not result.verified and "version 0.9.0 is no longer loaded" in result.reason


def test_a_decision_without_trace_cannot_be_verified(engine: Engine) -> None:
    saved = json.loads(engine.evaluate(WAGE, CASE, as_of=dt.date(2026, 11, 21),
                                       trace=False).to_json())
    result = verify_decision(engine, saved)
    assert not result.verified and "without its trace" in result.reason


def test_an_edited_policy_refutes_the_fingerprint(engine: Engine, tmp_path: Path) -> None:
    saved = _saved(engine)
    pack = tmp_path / "policies"
    shutil.copytree(POLICIES, pack)
    edited = pack / "cn" / "jilin" / "taobei" / "wage_deposit.yaml"
    edited.write_text(edited.read_text(encoding="utf-8") + "\n# an edit\n", encoding="utf-8")
    result = verify_decision(Engine.from_directory(pack), saved)
    assert not result.verified and "fingerprint differs" in result.reason


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
    assert out.startswith("NOT VERIFIED") and "outcome" in out
