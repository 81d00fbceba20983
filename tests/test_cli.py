"""The command-line contract other systems rely on: outputs, formats and exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import FIXTURES, POLICIES, ROOT, source_file
from govrules.cli.main import main

WAGE = "cn.jilin.taobei.wage_deposit"


def _case(tmp_path: Path, text: str, name: str = "case.json") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_evaluate_json_is_one_object_with_the_contract_keys(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    case = _case(tmp_path, '{"contract_price": 2345678.9, "first_deposit": true}')
    assert main(["evaluate", WAGE, "--case", case, "--as-of", "2026-11-21",
                 "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert list(data) == ["format", "policy", "policy_version", "policy_hash", "pack", "as_of",
                          "calendar", "facts", "outcome", "values", "citations", "missing",
                          "notices", "trace_digest", "trace", "fingerprint"]
    assert data["format"] == 3
    assert data["facts"] == {"contract_price": "2345678.9", "first_deposit": True}
    # a JSON number is read as an exact decimal, never a float
    assert data["values"]["amount_min"] == "93827.16"
    assert data["as_of"] == "2026-11-21"


def test_evaluate_yaml_case_as_text(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    case = _case(tmp_path, "contract_price: '1000000'\nfirst_deposit: true\n"
                 "payout_order_date: 2026-09-20\n", "case.yaml")
    assert main(["evaluate", WAGE, "--case", case, "--as-of", "2026-11-21",
                 "--format", "text"]) == 0
    out = capsys.readouterr().out
    assert "OUTCOME: assessed" in out
    assert "2026-10-05 National Day (observed), statutory holiday" in out
    assert "（一）首次存储标准：按照工程承发包合同价款的4%-5%核定保证金存储金额。" in out


def test_incomplete_case_still_exits_zero(tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    case = _case(tmp_path, '{"first_deposit": false}')
    assert main(["evaluate", WAGE, "--case", case, "--as-of", "2026-11-21"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["outcome"] == "incomplete"
    assert [m["fact"] for m in data["missing"]] == ["contract_price", "previous_rate",
                                                    "arrears_in_previous_period"]


def test_invalid_input_exits_two_with_the_field_on_stderr(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    case = _case(tmp_path, '{"contract_price": "abc", "first_deposit": true}')
    assert main(["evaluate", WAGE, "--case", case]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "contract_price" in captured.err and "Traceback" not in captured.err


def test_unknown_policy_exits_two(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    case = _case(tmp_path, "{}")
    assert main(["evaluate", "cn.nowhere.policy", "--case", case]) == 2
    assert "no policy 'cn.nowhere.policy'" in capsys.readouterr().err


def test_unreadable_case_and_bad_date_exit_two(tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["evaluate", WAGE, "--case", str(tmp_path / "absent.json")]) == 2
    assert main(["evaluate", WAGE, "--case", _case(tmp_path, "[1, 2")]) == 2
    with pytest.raises(SystemExit) as caught:
        main(["evaluate", WAGE, "--case", _case(tmp_path, "{}"), "--as-of", "21/11/2026"])
    assert caught.value.code == 2
    assert "not a date written YYYY-MM-DD" in capsys.readouterr().err


def test_validate_ok_and_broken(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(POLICIES)]) == 0
    assert capsys.readouterr().out.startswith("ok: ")
    broken = tmp_path / "pack"
    (broken / "sources").mkdir(parents=True)
    source = source_file("cn.jilin.taobei.wage_deposit_integrity")
    (broken / "sources" / source.name).write_text(source.read_text(encoding="utf-8"),
                                                  encoding="utf-8")
    for name in ("unknown_name.yaml", "units_and_enums.yaml"):
        (broken / name).write_text((FIXTURES / "bad" / name).read_text(encoding="utf-8"),
                                   encoding="utf-8")
    assert main(["validate", str(broken)]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 4  # one line per problem, both files
    assert all(":" in line.split(" ")[0] for line in lines)
    assert any("unknown_name.yaml:19:22: unknown-name:" in line for line in lines)


def test_list_and_schema(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["list"]) == 0
    assert WAGE in capsys.readouterr().out
    assert main(["schema", WAGE]) == 0
    schema = json.loads(capsys.readouterr().out)
    assert "contract_price" in schema["properties"]


def test_run_examples_prints_cited_decisions(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", str(ROOT / "examples")]) == 0
    out = capsys.readouterr().out
    # every case file is decided (examples/batches/ holds batch inputs, which run does not read)
    cases = [p for p in (ROOT / "examples").rglob("*") if p.suffix in (".json", ".yaml")]
    assert out.count("OUTCOME:") == len(cases)
    assert "OUTCOME: non_compliant" in out and "OUTCOME: incomplete" in out
    assert "Clauses relied on" in out


def test_policy_tests_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["test", str(POLICIES)]) == 0
    assert " passed, 0 failed" in capsys.readouterr().out


@pytest.mark.parametrize("command", [
    [sys.executable, "-m", "govrules.cli", "list"],
    [sys.executable, "-m", "govrules", "list"],
    [str(Path(sys.executable).parent / "govrules"), "list"],  # the installed console script
])
def test_installed_entry_point_runs(command: list[str]) -> None:
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert WAGE in done.stdout
    assert done.stderr == ""


def test_deadlines_timeline_earliest_first_with_clauses(capsys: pytest.CaptureFixture[str]) -> None:
    case = str(ROOT / "examples" / "arbitration" / "01_worker_final_award.yaml")
    assert main(["deadlines", "cn.national.labor_arbitration_time_limits", "--case", case]) == 0
    out = capsys.readouterr().out
    dates = [line.split()[0] for line in out.splitlines() if line.startswith("  20")]
    assert dates == sorted(dates) and dates[0] == "2025-02-28"
    assert "2026-10-03 National Day, statutory holiday" in out
    assert "《中华人民共和国劳动争议调解仲裁法》第四十八条" in out
    assert main(["deadlines", "cn.national.labor_arbitration_time_limits", "--case", case,
                 "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    lawsuit = next(d for d in data["deadlines"] if d["name"] == "lawsuit_deadline")
    assert lawsuit["date"] == "2026-12-25" and lawsuit["rule"] == "worker_lawsuit_final_award"
    assert lawsuit["provisional"] is False


def test_one_time_notice_groups_every_missing_fact_by_clause(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    case = _case(tmp_path, '{"sex": "female", "contribution_months": 200}')
    assert main(["evaluate", "cn.national.retirement_eligibility", "--case", case,
                 "--as-of", "2026-11-21", "--format", "notice"]) == 0
    out = capsys.readouterr().out
    assert "依据《企业人员退休人员资格和待遇审批管理办法》第四条" in out
    for fact in ("[birth_date]", "[work_start_date]", "[position_type]"):
        assert fact in out
    assert "共3项" in out
