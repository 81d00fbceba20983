"""govrules lint on the bundled policies (clean) and on a fixture with one of each finding."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import FIXTURES, POLICIES, source_file
from govrules.authoring.lint import lint
from govrules.cli.main import main
from govrules.engine import load_policies


def _pack(tmp_path: Path) -> Path:
    pack = tmp_path / "pack"
    (pack / "sources").mkdir(parents=True)
    shutil.copy(source_file("cn.jilin.taobei.wage_deposit_integrity"), pack / "sources")
    for path in (FIXTURES / "lint").glob("*.yaml"):
        shutil.copy(path, pack)
    return pack


def test_bundled_policies_have_no_lint_warnings(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["lint", str(POLICIES)]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[-1].startswith("0 warning(s)")
    assert "uncited-clauses" in out  # seed clauses no policy cites are reported, not failed


def test_each_finding_is_reported(tmp_path: Path) -> None:
    policies, sources, problems = load_policies([_pack(tmp_path)])
    assert problems == []
    found = {(f.code, f.level) for f in lint(policies, sources)}
    assert ("unused-input", "warning") in found
    assert ("unused-parameter", "warning") in found
    assert ("dead-rule", "warning") in found
    assert ("no-tests", "warning") in found
    assert ("stays-unknown", "warning") in found
    assert ("period-gap", "warning") in found
    assert ("uncited-clauses", "info") in found
    messages = [str(f) for f in lint(policies, sources)]
    assert any("input 'never_read' is read by no rule" in m for m in messages)
    assert any("between 2019-12-31 and 2020-03-01" in m for m in messages)


def test_lint_command_fails_on_warnings(tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["lint", "-q", str(_pack(tmp_path))]) == 1
    assert "warning: unused-parameter: parameter 'spare'" in capsys.readouterr().out


def test_coverage_threshold_fails_an_untested_policy(tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    pack = _pack(tmp_path)
    assert main(["test", str(pack)]) == 0
    out = capsys.readouterr().out
    assert "test.fixture.lint 2.0.0: rules 100% (1/1)" in out
    assert "test.fixture.lint 1.0.0: rules 0% (0/2)" in out
    assert main(["test", str(pack), "--min-coverage", "50"]) == 1
    assert "coverage below 50%: test.fixture.lint 1.0.0 (0%)" in capsys.readouterr().out


def test_an_output_a_test_leaves_unknown_is_named_unless_the_policy_says_why(
        tmp_path: Path) -> None:
    policies, sources, problems = load_policies([_pack(tmp_path)])
    assert problems == []
    unknown = [f for f in lint(policies, sources) if f.code == "stays-unknown"]
    assert len(unknown) == 1  # 'explained' says why it may stay unknown
    assert "'first_amount'" in unknown[0].message
    assert "a later deposit leaves the first amount unknown" in unknown[0].message
    assert unknown[0].span is not None and unknown[0].span.line == 14
