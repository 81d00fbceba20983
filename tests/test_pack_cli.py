"""Packs on the command line: `govrules packs`, the --pack and --policies options, validate,
lint and test on a policy file, a pack, a pack's subfolder or the policies folder, and
`govrules verify` of decisions made under a pack (format 3) or before decisions named one."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from test_packs import ALLOWANCE, BUNDLED, DAY, edit, write_pack

from conftest import POLICIES
from govrules import Engine
from govrules.audit.verify import read_decision
from govrules.cli.main import main
from govrules.runtime.decision import fingerprint_of

DINGXI = POLICIES / "cn.gansu.dingxi"
TERMINATION = DINGXI / "policies" / "service_staff_termination.yaml"
DIGEST = re.compile(r"sha256:[0-9a-f]{64}")


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def tiny(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return write_pack(tmp_path / "tiny")


# --------------------------------------------------------------------------- govrules packs

def test_packs_lists_the_bundled_packs_with_origin_digest_and_seal(
        capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _run(capsys, "packs")
    assert code == 0 and err == ""
    heads = [line for line in out.splitlines() if not line.startswith(" ")]
    assert [line.split()[:3] for line in heads] == [[p, "1.0.0", "bundled"] for p in BUNDLED]
    manifests = [line for line in out.splitlines() if line.startswith("    manifest")]
    assert len(manifests) == len(BUNDLED)
    assert all(DIGEST.search(line) and "(sealed: every file matches manifest.json)" in line
               for line in manifests), manifests
    assert "甘肃省定西市规定" in out


def test_packs_as_json_and_a_given_pack_in_place_of_a_bundled_one(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    shutil.copytree(DINGXI, tmp_path / "dingxi")
    code, out, _ = _run(capsys, "--pack", "dingxi", "packs", "--format", "json")
    assert code == 0
    rows = {row["id"]: row for row in json.loads(out)}
    assert sorted(rows) == BUNDLED
    for row in rows.values():
        assert set(row) == {"id", "version", "title_zh", "title_en", "origin", "path",
                            "manifest", "sealed", "signature"}
        assert DIGEST.fullmatch(row["manifest"]) and row["sealed"].startswith("sealed")
        assert row["signature"] == "unsigned" and row["title_en"]
    assert (rows["cn.gansu.dingxi"]["origin"], rows["cn.gansu.dingxi"]["path"]) == (
        "path", "dingxi")
    assert rows["cn.national"]["origin"] == "bundled"
    assert rows["cn.national"]["path"].endswith("policies/cn.national")


def test_policies_loads_only_the_pack_given_and_what_it_requires(
        tiny: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "--policies", "tiny", "packs", "--format", "json")
    assert code == 0
    rows = json.loads(out)
    assert [(r["id"], r["origin"]) for r in rows] == [("test.tiny", "path"),
                                                      ("cn.national", "bundled")]
    assert rows[0]["sealed"].startswith("unsealed")


# --------------------------------------------------------------------------- validate, lint, test

@pytest.mark.parametrize("path, policies", [
    (TERMINATION, 1),             # one policy file: its pack's sources and requirements found
    (DINGXI, 2),                  # a pack folder
    (DINGXI / "policies", 2),     # a subfolder of a pack
])
def test_validate_accepts_a_policy_file_a_pack_and_a_packs_subfolder(
        path: Path, policies: int, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _run(capsys, "validate", str(path))
    assert (code, err) == (0, ""), out
    assert out.startswith(f"ok: {policies} policies, ") and out.endswith(", 2 pack(s)\n")


def test_validate_accepts_the_policies_folder(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "validate", str(POLICIES))
    assert code == 0, out
    assert re.fullmatch(rf"ok: \d+ policies, \d+ source documents, {len(BUNDLED)} pack\(s\)\n",
                        out)


def test_validate_reports_a_broken_pack_and_exits_one(
        tiny: Path, capsys: pytest.CaptureFixture[str]) -> None:
    edit(tiny / "pack.yaml", "'^1.0.0'", "'^9'")
    code, out, _ = _run(capsys, "validate", "tiny")
    assert code == 1 and "tiny/pack.yaml:8:17: pack-version-conflict" in out


@pytest.mark.parametrize("path", [TERMINATION, DINGXI])
def test_lint_accepts_a_policy_file_and_a_pack(
        path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "lint", str(path))
    assert code == 0, out
    assert re.search(r"^0 warning\(s\), \d+ note\(s\)$", out, re.MULTILINE)


def test_lint_and_test_of_a_pack_of_ones_own(
        tiny: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "lint", "tiny/policies")
    assert code == 0 and "0 warning(s)" in out
    code, out, _ = _run(capsys, "test", "tiny/policies", "--min-coverage", "100")
    assert code == 0, out
    assert "PASS test.tiny.allowance 1.0.0 :: three days  (tiny/policies/allowance.yaml" in out
    assert "rules 100% (1/1), clauses 100%" in out and "1 passed, 0 failed" in out


@pytest.mark.parametrize("path", [TERMINATION, DINGXI, DINGXI / "policies"])
def test_test_accepts_a_policy_file_a_pack_and_a_packs_subfolder(
        path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "test", str(path), "--min-coverage", "100")
    assert code == 0, out
    assert "cn.gansu.dingxi.service_staff_termination" in out
    assert ("cn.gansu.dingxi.service_staff_hiring_conditions" in out) == (path != TERMINATION)
    assert re.search(r"^\d+ passed, 0 failed$", out, re.MULTILINE)
    assert "cn.national." not in out  # the required pack is loaded, not tested


# --------------------------------------------------------------------------- verify

def _save(engine: Engine, folder: Path, name: str = "decision.json") -> Path:
    path = folder / name
    path.write_text(engine.evaluate(ALLOWANCE, {"days": 3}, as_of=DAY).to_json(),
                    encoding="utf-8")
    return path


def test_a_decision_names_its_pack_and_verifies_under_the_same_pack(
        tiny: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["pack", "seal", "tiny"]) == 0
    engine = Engine.from_directory(tiny)
    saved = _save(engine, tiny.parent)
    document = json.loads(saved.read_text(encoding="utf-8"))
    assert document["format"] == 3
    assert document["pack"] == {"id": "test.tiny", "version": "1.0.0",
                                "manifest": engine.packs["test.tiny"].digest}
    capsys.readouterr()
    code, out, _ = _run(capsys, "--policies", "tiny", "verify", str(saved))
    assert code == 0 and out.startswith("VERIFIED: reproduced")


def test_a_decision_of_an_earlier_version_of_the_pack_is_blamed_on_the_pack(
        tiny: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["pack", "seal", "tiny"]) == 0
    saved = _save(Engine.from_directory(tiny), tiny.parent)
    # the next release of the pack: a new example and a new version, sealed; the policy is
    # the same, and so is every value of the decision
    (tiny / "examples" / "four_days.yaml").write_text(
        f"policy: {ALLOWANCE}\nas_of: 2024-01-10\nfacts: {{days: 4}}\n", encoding="utf-8")
    edit(tiny / "pack.yaml", "version: 1.0.0", "version: 1.1.0")
    assert main(["pack", "seal", "tiny"]) == 0
    capsys.readouterr()
    code, out, _ = _run(capsys, "--policies", "tiny", "verify", str(saved))
    assert code == 1 and out.startswith("NOT VERIFIED: another pack decided it: test.tiny 1.0.0")
    assert "the pack loaded now is test.tiny 1.1.0" in out
    assert "  changed   the pack\n" in out
    assert '  pack.version: saved "1.0.0", now "1.1.0"' in out


def test_a_decision_made_before_decisions_named_their_pack_still_verifies(
        tiny: Path, capsys: pytest.CaptureFixture[str]) -> None:
    engine = Engine.from_directory(tiny)
    made = read_decision(engine.evaluate(ALLOWANCE, {"days": 3}, as_of=DAY).to_json())
    # format 2: the same members but 'pack', and a fingerprint over them
    legacy = {key: value for key, value in made.items() if key != "pack"} | {"format": 2}
    legacy["fingerprint"] = fingerprint_of(legacy)
    path = tiny.parent / "format2.json"
    path.write_text(json.dumps(legacy, ensure_ascii=False, default=str), encoding="utf-8")
    code, out, _ = _run(capsys, "--policies", "tiny", "verify", str(path))
    assert code == 0 and out.startswith("VERIFIED: reproduced"), out
    legacy["values"]["amount"] = "999.00"
    path.write_text(json.dumps(legacy, ensure_ascii=False, default=str), encoding="utf-8")
    code, out, _ = _run(capsys, "--policies", "tiny", "verify", str(path))
    assert code == 1 and "changed   the document" in out
    # a format-3 decision must say which pack made it (null for a plain folder)
    made.pop("pack")
    path.write_text(json.dumps(made, ensure_ascii=False, default=str), encoding="utf-8")
    code, out, _ = _run(capsys, "--policies", "tiny", "verify", str(path))
    assert code == 1 and "no 'pack'" in out


def test_a_bundled_decision_verifies_against_the_bundled_pack(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    engine = Engine.from_directory(DINGXI)
    policy = engine.policy("cn.gansu.dingxi.service_staff_termination")
    test = policy.model.tests[0]
    decision = engine.evaluate(policy.id, dict(test.input), as_of=test.as_of)
    assert decision.to_dict()["pack"]["id"] == "cn.gansu.dingxi"
    path = tmp_path / "decision.json"
    path.write_text(decision.to_json(), encoding="utf-8")
    code, out, _ = _run(capsys, "--policies", str(DINGXI), "verify", str(path))
    assert code == 0 and out.startswith("VERIFIED"), out
