"""``govrules batch --columns values``: typed value columns, decided in columns or case by case,
equal to the values of the engine's own decisions on generated cases (nulls, zeros, huge
amounts, month ends) -- and the fingerprints of a table large enough to be hashed on several
threads, equal to the per-case decisions' fingerprints.

Nothing here is mocked: real Parquet files, the real engine, compared value by value."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import sys
from decimal import Decimal, localcontext
from pathlib import Path
from typing import Any

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from govrules import Engine
from govrules.batch import BadRow, BatchSummary, decide_rows, read_cases
from govrules.batch.value_columns import ValuesWriter, _held, decide_values_in_columns
from govrules.cli.main import main
from govrules.columnar import decide_frame
from govrules.columnar.hashing import fingerprints
from govrules.values import MISSING, to_json_value

sys.path.insert(0, str(Path(__file__).parent))
from test_columnar import _cases, _parquet  # noqa: E402

sys.path.insert(0, str(Path(__file__).parent / "golden"))
from generate import generated_cases  # noqa: E402

TAOBEI = "cn.jilin.taobei.wage_deposit"
NATIONAL = "cn.national.wage_deposit"
RETIREMENT = "cn.national.retirement_eligibility"
ARBITRATION = "cn.national.labor_arbitration_time_limits"
LISTS = "cn.jilin.taobei.assessment_filing"  # list inputs: decided case by case
DAY = dt.date(2026, 11, 21)


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine.default()


def _expected(engine: Engine, policy_id: str, path: Path) -> list[dict[str, Any]]:
    """Each row as the engine decides it: outcome and values, or refused."""
    found = []
    for row, made in decide_rows(engine, policy_id, read_cases(path, engine, policy_id, DAY), DAY):
        if isinstance(made, BadRow):
            found.append({"row": row, "refused": True})
            continue
        values = {k: None if v is MISSING else v for k, v in made.values.items()}
        found.append({"row": row, "outcome": made.outcome, **values})
    return found


def _read(path: Path) -> list[dict[str, Any]]:
    found = []
    for row in pq.read_table(path).to_pylist():
        if row["error"] is not None:
            found.append({"row": row["row"], "refused": True})
        else:
            found.append({k: v for k, v in row.items() if k != "error"})
    return found


@pytest.mark.parametrize("policy_id", [TAOBEI, NATIONAL, RETIREMENT, ARBITRATION])
def test_value_columns_are_the_engines_values(
    engine: Engine, tmp_path: Path, policy_id: str
) -> None:
    cases = _cases(engine, policy_id, 300, 20261122)
    path = _parquet(engine, policy_id, cases, tmp_path / "cases.parquet")
    out = tmp_path / "values.parquet"
    summary = BatchSummary(policy_id, DAY)
    with ValuesWriter(out, engine.policy(policy_id, DAY)) as target:
        decide_values_in_columns(engine, policy_id, path, "parquet", DAY, summary, target)
    got, expected = _read(out), _expected(engine, policy_id, path)
    assert len(got) == len(expected) == len(cases)
    for mine, theirs in zip(got, expected, strict=True):
        assert mine == theirs  # Decimal equality: 0.04 == 0.040000000000000000, exactly
    assert summary.rows == len(cases)
    assert summary.refused == sum("refused" in row for row in expected)
    # the columns are typed: decimals exact, dates as dates
    schema = pq.read_schema(out)
    for item in engine.policy(policy_id, DAY).outputs:
        if item.type.kind in ("money", "rate", "decimal") and not item.internal:
            assert schema.field(item.name).type == pa.decimal128(38, 18)
        if item.type.kind == "date" and not item.internal:
            assert schema.field(item.name).type == pa.date32()


@pytest.mark.parametrize("engine_flag", ["auto", "per-case"])
def test_the_command_writes_the_same_columns_either_way(
    engine: Engine, tmp_path: Path, engine_flag: str
) -> None:
    cases = _cases(engine, TAOBEI, 200, 7)
    path = _parquet(engine, TAOBEI, cases, tmp_path / "cases.parquet")
    out = tmp_path / f"{engine_flag}.parquet"
    argv = ["batch", TAOBEI, "--cases", str(path), "--as-of", str(DAY), "--out", str(out)]
    status = main([*argv, "--columns", "values", "--engine", engine_flag])
    expected = _expected(engine, TAOBEI, path)
    assert status == (1 if any("refused" in row for row in expected) else 0)
    assert _read(out) == expected


def test_a_policy_that_does_not_plan_is_written_case_by_case(
    engine: Engine, tmp_path: Path
) -> None:
    cases = [
        {"excellent_quota": 3, "excellent_reported": 2},
        {"excellent_quota": 5, "excellent_reported": 6},
        {"excellent_quota": "five"},
    ]
    lines = tmp_path / "cases.jsonl"
    lines.write_text("".join(json.dumps(case) + "\n" for case in cases))
    out = tmp_path / "values.parquet"
    argv = ["batch", LISTS, "--cases", str(lines), "--as-of", str(DAY), "--out", str(out)]
    assert main([*argv, "--columns", "values"]) == 1  # the third row is refused
    got = pq.read_table(out).to_pylist()
    assert [row["row"] for row in got] == [1, 2, 3]
    for row, case in zip(got[:2], cases[:2], strict=True):
        made = engine.evaluate(LISTS, case, DAY, trace=False)
        assert row["outcome"] == made.outcome and row["error"] is None
        for name, value in made.values.items():
            if isinstance(value, (list, tuple)):
                assert row[name] == json.dumps(to_json_value(value), ensure_ascii=False)
            else:
                assert row[name] == (None if value is MISSING else value)
    assert got[2]["outcome"] is None and "excellent_quota" in got[2]["error"]


def test_the_command_refuses_what_value_columns_cannot_be(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cases = tmp_path / "cases.csv"
    cases.write_text("contract_price,first_deposit,proposed_rate,payment_form\n1,true,0.04,cash\n")
    argv = ["batch", TAOBEI, "--cases", str(cases), "--columns", "values"]
    assert main(argv) == 2
    assert "--out FILE.parquet" in capsys.readouterr().err
    assert main([*argv, "--out", str(tmp_path / "v.parquet"), "--trace"]) == 2
    assert "--trace" in capsys.readouterr().err


def test_a_decimal_is_held_exactly_or_not_at_all() -> None:
    assert _held(Decimal("0.04")) == Decimal("0.040000000000000000")
    assert _held(Decimal("-12.5E+3")) == Decimal("-12500")
    assert _held(7) == Decimal(7)
    assert _held(Decimal("1.000000000000000000000")) == Decimal(1)  # zeros past 18 places
    assert _held(Decimal("1E-19")) is None
    assert _held(Decimal("1E20")) is None  # 21 digits before the point
    assert _held(Decimal("99999999999999999999.999999999999999999")) is not None
    assert _held(Decimal("NaN")) is None
    assert _held(True) is None
    with localcontext() as odd:  # the caller's context changes nothing
        odd.prec = 3
        assert _held(Decimal("123456.789")) == Decimal("123456.789000000000000000")


def test_a_value_no_column_holds_refuses_its_row_naming_it(engine: Engine, tmp_path: Path) -> None:
    """A money value of more than 18 places (a fact passed through unrounded) is an error row
    naming the value, never a rounded number."""
    policy = engine.policy(NATIONAL, DAY)
    made = engine.evaluate(
        NATIONAL,
        {"contract_price": "1000", "payment_form": "cash"},
        DAY,
        trace=False,
    )
    writer = ValuesWriter(tmp_path / "v.parquet", policy)
    assert not isinstance(writer.checked(1, made), BadRow)
    writer.close()
    name = next(f.name for f in writer.schema if pa.types.is_decimal(f.type))
    made.values[name] = Decimal("1E-30")
    bad = writer.checked(1, made)
    assert isinstance(bad, BadRow) and bad.problems[0].field == name
    assert name in writer.row(1, made)["error"]


# --------------------------------------------------------------------------- fingerprints


def test_fingerprints_on_several_threads_are_sha256_of_each_row() -> None:
    texts = [("x" * (row % 5000)) + f"é{row}" for row in range(9000)]  # short ones too
    prefixes = [b"", b'{"a":1,', "中文".encode()]
    keys = [row % 3 for row in range(9000)]
    starts = [hashlib.sha256(prefix) for prefix in prefixes]
    expected = [
        "sha256:" + hashlib.sha256(prefixes[k] + text.encode()).hexdigest()
        for k, text in zip(keys, texts, strict=True)
    ]
    series, key_series = pl.Series(texts), pl.Series(keys)
    assert fingerprints(series, key_series, starts).to_list() == expected
    long_only = [row for row in range(9000) if len(texts[row].encode()) > 12]
    picked = series.gather(long_only)  # no short texts: read from the views in place
    assert fingerprints(picked, key_series.gather(long_only), starts).to_list() == [
        expected[row] for row in long_only
    ]
    sliced = pl.concat([series.slice(100, 3000), series.slice(5000, 3000)], rechunk=False)
    sliced_keys = pl.concat([key_series.slice(100, 3000), key_series.slice(5000, 3000)])
    assert fingerprints(sliced, sliced_keys, starts).to_list() == (
        expected[100:3100] + expected[5000:8000]
    )
    assert (
        fingerprints(pl.Series([], dtype=pl.String), pl.Series([], dtype=pl.Int64), starts).len()
        == 0
    )


def test_a_large_table_has_the_per_case_fingerprints(engine: Engine) -> None:
    """Enough rows for the hashing to be shared among threads."""
    policy = engine.policy(TAOBEI, DAY)
    cases = [case for _, case in generated_cases(policy, 5000, 11)]
    frame = pl.DataFrame(
        {
            item.name: pl.Series(
                [case.get(item.name) for case in cases],
                dtype=pl.Boolean if item.type.kind == "bool" else pl.String,
            )
            for item in policy.inputs
        }
    )
    numbers = pl.int_range(1, frame.height + 1, eager=True)
    decided = decide_frame(engine, TAOBEI, frame, DAY, numbers, ("values",))
    columnar = decided.written.fingerprint.to_list()
    checked = 0
    for index, facts in enumerate(cases):
        if decided.per_case[index]:
            continue
        given = {k: v for k, v in facts.items() if v is not None}
        assert engine.evaluate(TAOBEI, given, DAY, trace=False).fingerprint == columnar[index]
        checked += 1
    assert checked > 4000
