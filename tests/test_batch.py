"""``govrules batch`` and ``govrules.batch``: real JSON lines, CSV and Parquet files in and out,
standard input, bad rows in their place, worker processes, the summary, the decision log.

Every decided row is compared with ``engine.evaluate`` of the same case: the same JSON, the
same fingerprint."""

from __future__ import annotations

import datetime as dt
import io
import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from conftest import ROOT, WAGE_DEPOSIT_POLICY, copy_sources
from govrules import Engine
from govrules.batch import BadRow, decide_rows, read_cases, result_row
from govrules.cli.main import main

WAGE = "cn.jilin.taobei.wage_deposit"
RETIREMENT = "cn.national.retirement_eligibility"
FILING = "cn.jilin.taobei.assessment_filing"
DAY = dt.date(2026, 11, 21)
AS_OF = ["--as-of", DAY.isoformat()]


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine.default()


@pytest.fixture(autouse=True)
def _one_engine(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    """The command loads the bundled packs once for the module, not once a call."""
    monkeypatch.setattr(Engine, "default", classmethod(lambda cls, *packs: engine))


def _run(args: list[str],
         capsys: pytest.CaptureFixture[str]) -> tuple[int, list[dict[str, Any]], str]:
    code = main(["batch", *args])
    captured = capsys.readouterr()
    return code, [json.loads(line) for line in captured.out.splitlines()], captured.err


def _expected(engine: Engine, policy: str, facts: dict[str, Any],
              trace: bool = False) -> dict[str, Any]:
    return engine.evaluate(policy, facts, DAY, trace=trace).to_dict()


def _wage_cases(count: int) -> list[dict[str, Any]]:
    return [{"contract_price": f"{1000 + 37 * i}.{i % 100:02d}", "first_deposit": i % 3 != 0}
            for i in range(count)]


# --------------------------------------------------------------------------- JSON lines


def test_json_lines_each_row_is_the_decision_evaluate_makes(
        tmp_path: Path, engine: Engine, capsys: pytest.CaptureFixture[str]) -> None:
    cases = tmp_path / "cases.jsonl"
    cases.write_text(
        '{"contract_price": 2345678.9, "first_deposit": true}\n'
        '{"contract_price": "abc", "first_deposit": true}\n'
        "\n"
        f'{{"policy": "{WAGE}", "as_of": "2026-11-21", "facts": {{"first_deposit": false}}}}\n'
        "{not json\n"
        f'{{"policy": "{WAGE}", "as_of": "2025-01-01", "facts": {{}}}}\n'
        '{"policy": "cn.national.wage_deposit", "facts": {}}\n'
        '{"contract_price": "1000000", "first_deposit": true, "colour": "red"}\n'
        '{"contract_price": "1000000.00", "first_deposit": true}\n',
        encoding="utf-8")
    code, rows, err = _run([WAGE, "--cases", str(cases), *AS_OF], capsys)
    assert code == 1  # some rows were refused
    assert [row["row"] for row in rows] == [1, 2, 3, 4, 5, 6, 7, 8]
    # a JSON number is read exactly, never as a float
    assert rows[0] == {"row": 1, **_expected(engine, WAGE, {"contract_price": Decimal("2345678.9"),
                                                           "first_deposit": True})}
    assert rows[0]["values"]["amount_min"] == "93827.16"
    assert rows[2] == {"row": 3, **_expected(engine, WAGE, {"first_deposit": False})}
    assert rows[7] == {"row": 8, **_expected(engine, WAGE, {"contract_price": "1000000.00",
                                                           "first_deposit": True})}
    errors = {row["row"]: row["errors"] for row in rows if "errors" in row}
    assert set(errors) == {2, 4, 5, 6, 7}
    assert errors[2][0]["code"] == "invalid-input" and errors[2][0]["field"] == "contract_price"
    assert errors[4][0]["code"] == "json-syntax" and "line 5" in errors[4][0]["message"]
    assert [(e["code"], e["field"]) for e in errors[5]] == [("other-date", "as_of")]
    assert "--as-of 2025-01-01" in errors[5][0]["message"]
    assert errors[6][0]["code"] == "other-policy" and errors[6][0]["field"] == "policy"
    assert errors[7][0] == {"code": "unknown-input", "field": "colour",
                            "message": f"colour is not an input of {WAGE}"}
    # the summary: counts by outcome, the refused rows quoted
    assert "8 rows, 3 decided, 5 refused" in err
    assert "assessed" in err and "incomplete" in err
    assert "row 2: invalid-input: contract_price" in err


def test_every_row_decided_exits_zero_and_cite_ids_keeps_rows_small(
        tmp_path: Path, engine: Engine, capsys: pytest.CaptureFixture[str]) -> None:
    facts = _wage_cases(20)
    cases = tmp_path / "cases.ndjson"
    cases.write_text("".join(json.dumps(f) + "\n" for f in facts), encoding="utf-8")
    code, rows, err = _run([WAGE, "--cases", str(cases), *AS_OF, "--cite", "ids"], capsys)
    assert code == 0
    assert "20 rows, 20 decided, 0 refused" in err
    for number, (row, case) in enumerate(zip(rows, facts, strict=True), start=1):
        full = _expected(engine, WAGE, case)
        assert row == {
            "row": number, "policy": WAGE, "policy_version": full["policy_version"],
            "as_of": "2026-11-21", "outcome": full["outcome"], "values": full["values"],
            "citations": [c["ref"] for c in full["citations"]],
            "missing": [m["fact"] for m in full["missing"]],
            "notices": [n["code"] for n in full["notices"]],
            "fingerprint": full["fingerprint"],
        }


def test_trace_is_kept_when_asked(tmp_path: Path, engine: Engine,
                                  capsys: pytest.CaptureFixture[str]) -> None:
    cases = tmp_path / "cases.jsonl"
    cases.write_text('{"contract_price": "1000000", "first_deposit": true}\n', encoding="utf-8")
    _, rows, _ = _run([WAGE, "--cases", str(cases), *AS_OF, "--trace"], capsys)
    expected = _expected(engine, WAGE, {"contract_price": "1000000", "first_deposit": True}, True)
    assert rows[0]["trace"] and rows[0]["trace_digest"] == expected["trace_digest"]
    assert rows[0]["fingerprint"] == expected["fingerprint"]


def test_a_line_over_the_limit_is_one_bad_row(tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    cases = tmp_path / "cases.jsonl"
    huge = '{"contract_price": "' + "1" * (3 * 1024 * 1024) + '"}'
    cases.write_text(huge + '\n{"first_deposit": true}\n', encoding="utf-8")
    code, rows, _ = _run([WAGE, "--cases", str(cases), *AS_OF, "--cite", "ids"], capsys)
    assert code == 1
    assert rows[0]["errors"][0]["code"] == "json-too-large"
    assert rows[1]["row"] == 2 and rows[1]["outcome"] == "incomplete"


# --------------------------------------------------------------------------- CSV


def test_csv_cells_are_typed_by_the_case_model(tmp_path: Path, engine: Engine,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    cases = tmp_path / "cases.csv"
    nominees = json.dumps([{"name": "张三", "disqualification": "none", "already_rewarded": False}],
                          ensure_ascii=False).replace('"', '""')
    cases.write_text(
        "excellent_quota,excellent_reported,bonus_total_correct,nominees\n"
        f'3,2,true,"{nominees}"\n'
        "3,,false,\n"              # empty cells: facts not given
        "3.5,2,yes,\n"             # two bad cells, both named
        '3,2,true,"[{""name"": 1"\n'  # a JSON cell that is not JSON
        "-2,0,true,[]\n",
        encoding="utf-8")
    code, rows, _ = _run([FILING, "--cases", str(cases), *AS_OF], capsys)
    assert code == 1
    first = {"excellent_quota": 3, "excellent_reported": 2, "bonus_total_correct": True,
             "nominees": [{"name": "张三", "disqualification": "none", "already_rewarded": False}]}
    assert rows[0] == {"row": 1, **_expected(engine, FILING, first)}
    assert rows[1] == {"row": 2, **_expected(engine, FILING, {"excellent_quota": 3,
                                                             "bonus_total_correct": False})}
    assert [(e["code"], e["field"]) for e in rows[2]["errors"]] == [
        ("invalid-input", "excellent_quota"), ("invalid-input", "bonus_total_correct")]
    assert "expected true or false" in rows[2]["errors"][1]["message"]
    assert rows[3]["errors"][0]["field"] == "nominees"
    assert rows[3]["errors"][0]["code"] == "json-syntax"
    # read as the integer -2, then refused by the policy's bound (ge: 0), by name
    assert rows[4]["errors"][0]["field"] == "excellent_quota"
    assert "must be at least 0" in rows[4]["errors"][0]["message"]


def test_csv_money_and_dates_are_the_text_as_written(tmp_path: Path, engine: Engine,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    cases = tmp_path / "cases.csv"
    cases.write_text(
        "\ufeffbirth_date,sex,position_type,work_start_date,contribution_months\n"
        "1965-03-01,male,worker,1985-01-01,300\n"
        "1965-3-1,man,worker,,300\n"
        "1968-07-15,female,cadre,1990-09-01,\n", encoding="utf-8")
    code, rows, _ = _run([RETIREMENT, "--cases", str(cases), *AS_OF, "--cite", "ids"], capsys)
    assert code == 1
    assert rows[0]["fingerprint"] == _expected(engine, RETIREMENT, {
        "birth_date": "1965-03-01", "sex": "male", "position_type": "worker",
        "work_start_date": "1985-01-01", "contribution_months": 300})["fingerprint"]
    assert [e["field"] for e in rows[1]["errors"]] == ["birth_date", "sex"]
    assert rows[2]["fingerprint"] == _expected(engine, RETIREMENT, {
        "birth_date": "1968-07-15", "sex": "female", "position_type": "cadre",
        "work_start_date": "1990-09-01"})["fingerprint"]

    spaced = tmp_path / "spaced.csv"
    spaced.write_text("contract_price,first_deposit\n1000000 ,true\n", encoding="utf-8")
    _, rows, _ = _run([WAGE, "--cases", str(spaced), *AS_OF], capsys)
    assert "spaces around the number" in rows[0]["errors"][0]["message"]  # never trimmed


def test_csv_header_is_checked_before_any_row(tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    cases = tmp_path / "cases.csv"
    cases.write_text("contract_prize,first_deposit,first_deposit,\n1,true,true,\n",
                     encoding="utf-8")
    code = main(["batch", WAGE, "--cases", str(cases), *AS_OF])
    out, err = capsys.readouterr()
    assert code == 2 and out == ""
    assert "'contract_prize' is not an input" in err and "did you mean 'contract_price'" in err
    assert "column 3 'first_deposit' is named twice" in err and "column 4 has no name" in err


def test_csv_rows_that_do_not_fit_go_on(tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    cases = tmp_path / "cases.csv"
    cases.write_text('contract_price,first_deposit\n1,true,extra\n"2"x,true\n3,true\n',
                     encoding="utf-8")
    code, rows, _ = _run([WAGE, "--cases", str(cases), *AS_OF, "--cite", "ids"], capsys)
    assert code == 1
    assert rows[0]["errors"][0]["code"] == "csv-row"
    assert rows[1]["errors"][0]["code"] == "csv-syntax"  # a quote must close a cell
    assert rows[2]["row"] == 3 and rows[2]["outcome"] == "assessed"


# --------------------------------------------------------------------------- Parquet


def test_parquet_in_and_out(tmp_path: Path, engine: Engine,
                            capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "cases.parquet"
    pq.write_table(pa.table({
        "birth_date": pa.array([dt.date(1965, 3, 1), dt.date(1970, 1, 1), None]),
        "sex": pa.array(["male", "other", "female"]),
        "contribution_months": pa.array([300, 200, None], pa.int64()),
        "fully_incapacitated": pa.array([False, None, True]),
    }), source)
    out = tmp_path / "decisions.parquet"
    code = main(["batch", RETIREMENT, "--cases", str(source), *AS_OF, "--out", str(out)])
    capsys.readouterr()
    assert code == 1
    table = pq.read_table(out)
    assert table.schema.names == ["row", "outcome", "fingerprint", "values", "missing",
                                  "citations", "decision", "error"]
    got = table.to_pylist()
    assert [r["row"] for r in got] == [1, 2, 3]
    first = _expected(engine, RETIREMENT, {"birth_date": dt.date(1965, 3, 1), "sex": "male",
                                           "contribution_months": 300,
                                           "fully_incapacitated": False})
    assert got[0]["fingerprint"] == first["fingerprint"]
    assert got[0]["outcome"] == first["outcome"] and got[0]["error"] is None
    assert json.loads(got[0]["values"]) == first["values"]
    assert json.loads(got[0]["decision"]) == {"row": 1, **first}
    assert got[0]["missing"] == [m["fact"] for m in first["missing"]]
    assert got[0]["citations"] == [c["ref"] for c in first["citations"]]
    assert got[1]["outcome"] is None and got[1]["fingerprint"] is None
    assert got[1]["error"].startswith("invalid-input: sex: expected one of")
    third = _expected(engine, RETIREMENT, {"sex": "female", "fully_incapacitated": True})
    assert got[2]["fingerprint"] == third["fingerprint"]


def test_parquet_decimals_are_exact_and_floats_are_refused(
        tmp_path: Path, engine: Engine, capsys: pytest.CaptureFixture[str]) -> None:
    exact = tmp_path / "exact.parquet"
    pq.write_table(pa.table({
        "contract_price": pa.array([Decimal("2345678.90"), None], pa.decimal128(12, 2)),
        "first_deposit": pa.array(["true", "false"]),  # text columns read like CSV cells
    }), exact)
    code, rows, _ = _run([WAGE, "--cases", str(exact), *AS_OF], capsys)
    assert code == 0
    assert rows[0] == {"row": 1, **_expected(engine, WAGE, {
        "contract_price": Decimal("2345678.90"), "first_deposit": True})}
    assert rows[0]["values"]["amount_min"] == "93827.16"
    assert rows[1] == {"row": 2, **_expected(engine, WAGE, {"first_deposit": False})}

    floats = tmp_path / "floats.parquet"
    pq.write_table(pa.table({"contract_price": pa.array([1000000.0]),
                             "first_deposit": pa.array([True])}), floats)
    code = main(["batch", WAGE, "--cases", str(floats), *AS_OF])
    out, err = capsys.readouterr()
    assert code == 2 and out == ""
    assert "column 'contract_price': a double column cannot hold money values exactly" in err


def test_parquet_is_not_written_to_standard_output(tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    cases = tmp_path / "cases.jsonl"
    cases.write_text("{}\n", encoding="utf-8")
    assert main(["batch", WAGE, "--cases", str(cases), "--format", "parquet"]) == 2
    assert "--out FILE.parquet" in capsys.readouterr().err


# --------------------------------------------------------------------------- standard input


@pytest.mark.parametrize("form", ["jsonl", "csv"])
def test_cases_from_standard_input(form: str, engine: Engine) -> None:
    if form == "jsonl":
        given = '{"contract_price": "1000000", "first_deposit": true}\n{"first_deposit": 1}\n'
        extra: list[str] = []
    else:
        given = "contract_price,first_deposit\n1000000,true\n,1\n"
        extra = ["--input-format", "csv"]
    done = subprocess.run(
        [sys.executable, "-m", "govrules", "batch", WAGE, "--cases", "-", *AS_OF, *extra],
        input=given.encode(), capture_output=True, cwd=ROOT, timeout=60, check=False)
    assert done.returncode == 1, done.stderr.decode()
    rows = [json.loads(line) for line in done.stdout.decode().splitlines()]
    assert rows[0] == {"row": 1, **_expected(engine, WAGE, {"contract_price": "1000000",
                                                           "first_deposit": True})}
    assert rows[1]["row"] == 2 and rows[1]["errors"][0]["field"] == "first_deposit"
    assert b"2 rows, 1 decided, 1 refused" in done.stderr
    assert b"\x1b[" not in done.stderr  # no bar, no colour on a pipe


# --------------------------------------------------------------------------- workers, errors, log


def test_two_workers_write_what_one_writes(tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    facts: list[Any] = _wage_cases(600)
    facts[5] = {"contract_price": "-1"}
    facts[300] = {"contract_price": "1", "first_deposit": "no"}
    lines = [json.dumps(f) for f in facts]
    lines[450] = "[broken"
    cases = tmp_path / "cases.jsonl"
    cases.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert main(["batch", WAGE, "--cases", str(cases), *AS_OF]) == 1
    one = capsys.readouterr().out
    assert main(["batch", WAGE, "--cases", str(cases), *AS_OF, "--workers", "2"]) == 1
    two = capsys.readouterr().out
    assert one == two
    rows = [json.loads(line) for line in one.splitlines()]
    assert len(rows) == 600
    assert [r["row"] for r in rows if "errors" in r] == [6, 301, 451]


def test_refused_rows_also_go_to_the_errors_file(tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    cases = tmp_path / "cases.jsonl"
    cases.write_text('{"first_deposit": true}\n{"first_deposit": "x"}\n[]\n', encoding="utf-8")
    errors = tmp_path / "errors.jsonl"
    out = tmp_path / "out.jsonl"
    code = main(["batch", WAGE, "--cases", str(cases), *AS_OF, "--out", str(out),
                 "--errors", str(errors)])
    assert code == 1 and capsys.readouterr().out == ""
    written = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    refused = [json.loads(line) for line in errors.read_text(encoding="utf-8").splitlines()]
    assert [r["row"] for r in written] == [1, 2, 3]
    assert refused == [r for r in written if "errors" in r] and len(refused) == 2


def test_decisions_are_appended_to_the_decision_log(tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    from govrules.decisionlog import open_log

    cases = tmp_path / "cases.jsonl"
    cases.write_text("".join(json.dumps(f) + "\n" for f in _wage_cases(300)) + "[]\n",
                     encoding="utf-8")
    target = tmp_path / "decisions.sqlite"
    code, rows, _ = _run([WAGE, "--cases", str(cases), *AS_OF, "--cite", "ids",
                          "--log", str(target)], capsys)
    assert code == 1
    with open_log(target) as log:
        records = list(log.query(policy=WAGE))
        assert log.verify().intact
    assert [r["decision"]["fingerprint"] for r in records] == \
        [r["fingerprint"] for r in rows if "errors" not in r]
    assert {r["origin"] for r in records} == {"batch"}


def test_unknown_policy_and_bad_flags_exit_two(tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    cases = tmp_path / "cases.txt"
    cases.write_text("{}\n", encoding="utf-8")
    assert main(["batch", "cn.nowhere", "--cases", str(cases), "--input-format", "jsonl"]) == 2
    assert "no policy 'cn.nowhere'" in capsys.readouterr().err
    assert main(["batch", WAGE, "--cases", str(cases)]) == 2
    assert "--input-format" in capsys.readouterr().err
    assert main(["batch", WAGE, "--cases", str(tmp_path / "none.jsonl")]) == 2
    assert "no such file" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["batch", WAGE, "--cases", str(cases), "--workers", "0"])
    capsys.readouterr()


# --------------------------------------------------------------------------- the Python API


def test_read_cases_and_decide_rows_from_a_stream(engine: Engine) -> None:
    stream = io.BytesIO(b'{"first_deposit": true}\n\n{"first_deposit": 3}\n7\n')
    cases = list(read_cases(stream, engine, WAGE, DAY))
    assert [row for row, _ in cases] == [1, 2, 3]
    assert cases[0][1] == {"first_deposit": True}
    assert isinstance(cases[2][1], BadRow)
    made = list(decide_rows(engine, WAGE, iter(cases), DAY))
    assert [row for row, _ in made] == [1, 2, 3]
    expected = engine.evaluate(WAGE, {"first_deposit": True}, DAY, trace=False)
    assert made[0][1].fingerprint == expected.fingerprint  # type: ignore[union-attr]
    assert isinstance(made[1][1], BadRow) and made[1][1].problems[0].field == "first_deposit"
    assert result_row(3, made[2][1])["errors"][0]["code"] == "invalid-case"


@pytest.mark.parametrize("workers", [1, 2])
def test_a_rule_failing_on_one_row_refuses_that_row_only(tmp_path: Path, workers: int) -> None:
    """A division by zero the facts of one row cause is that row's error; the batch goes on."""
    copy_sources(tmp_path / "sources")
    text = WAGE_DEPOSIT_POLICY.read_text(encoding="utf-8")
    (tmp_path / "wage_deposit.yaml").write_text(
        text.replace("    when: first_deposit\n", "    when: first_deposit and 1 / (1 - 1) > 0\n"),
        encoding="utf-8")
    engine = Engine.from_directory(tmp_path)
    calm = {"contract_price": "100.00", "first_deposit": False, "previous_rate": "0.03",
            "arrears_in_previous_period": False}
    rows = [(1, calm), (2, {**calm, "first_deposit": True}), (3, calm)]
    day = dt.date(2026, 1, 1)
    made = list(decide_rows(engine, WAGE, iter(rows), day, workers=workers))
    assert [row for row, _ in made] == [1, 2, 3]
    assert isinstance(made[1][1], BadRow)
    assert made[1][1].problems[0].code == "evaluation-error"
    assert "division by zero" in made[1][1].problems[0].message
    expected = engine.evaluate(WAGE, calm, day, trace=False).to_json()
    assert made[0][1].to_json() == made[2][1].to_json() == expected  # type: ignore[union-attr]


def test_the_bundled_batch_example_as_the_readme_runs_it(
        engine: Engine, capsys: pytest.CaptureFixture[str]) -> None:
    """examples/batches/wage_deposit_2026.csv: each decided row is engine.evaluate's decision of
    that row's facts; the row with 'yes' for a boolean is refused in its place."""
    path = ROOT / "examples" / "batches" / "wage_deposit_2026.csv"
    code, rows, err = _run([WAGE, "--cases", str(path), *AS_OF, "--cite", "ids"], capsys)
    assert code == 1  # one row refused
    lines = path.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    assert [row["row"] for row in rows] == list(range(1, len(lines)))
    for row, line in zip(rows, lines[1:], strict=True):
        facts: dict[str, Any] = {
            name: cell for name, cell in zip(header, line.split(","), strict=True) if cell
        }
        if facts.get("first_deposit") not in ("true", "false"):
            assert row["errors"][0]["field"] == "first_deposit"
            continue
        for name in ("first_deposit", "arrears_in_previous_period"):
            if name in facts:
                facts[name] = facts[name] == "true"
        assert row["fingerprint"] == engine.evaluate(WAGE, facts, DAY, trace=False).fingerprint
    assert "7 decided, 1 refused" in err
