"""The columnar path (``govrules.columnar``, ``govrules batch --engine``): every row of a table
decided in columns is the row the per-case batch writes for it -- the same bytes of JSON, the
same fingerprint -- over generated cases of the headline policies (nulls, zeros, huge amounts,
month ends, holidays), and the rows it leaves to the engine come back in their place.

Nothing here is mocked: real Parquet and CSV files, the real engine, compared line by line."""

from __future__ import annotations

import datetime as dt
import io
import sys
from decimal import ROUND_FLOOR, Decimal, localcontext
from pathlib import Path
from typing import Any

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from govrules import Engine
from govrules.batch import (
    BatchSummary,
    ParquetWriter,
    decide_rows,
    json_line,
    read_cases,
    result_row,
)
from govrules.batch.columnar_batch import JsonLinesTarget, ParquetTarget, decide_in_columns
from govrules.cli.main import main
from govrules.columnar import (
    ColumnarError,
    ColumnarPlan,
    InputColumnError,
    Unsupported,
    decide_frame,
    evaluate_table,
    plan,
)

sys.path.insert(0, str(Path(__file__).parent / "golden"))
from generate import generated_cases  # noqa: E402

TAOBEI = "cn.jilin.taobei.wage_deposit"
NATIONAL = "cn.national.wage_deposit"
RETIREMENT = "cn.national.retirement_eligibility"
ARBITRATION = "cn.national.labor_arbitration_time_limits"
LISTS = "cn.jilin.taobei.assessment_filing"  # list inputs: does not plan
DAY = dt.date(2026, 11, 21)

# values the generator does not reach: limits, spellings, month ends, the National Day week
EDGES: dict[str, list[Any]] = {
    "money": [
        "0",
        "0.00",
        "999999999999999.99",
        "100.125",
        "1000000.000",
        "-5",
        "1E5",
        " 7",
        "0.0000000000000000000000000001",
        "12345678901234.5678901234567890",
    ],
    "rate": ["0", "0.0100", "1", "10", "1.5", "-1", "0.045", "0.06000", "0.0000001"],
    "date": [
        "2026-09-30",
        "2026-10-01",
        "2026-10-08",
        "2026-02-28",
        "2024-02-29",
        "2026-02-30",
        "2027-12-31",
        "1900-01-01",
        "2099-12-31",
        "2026-9-1",
    ],
    "integer": [0, 1, 999_999, 1_000_000, -3],
}


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine.default()


def _cases(engine: Engine, policy_id: str, count: int, seed: int) -> list[dict[str, Any]]:
    """Generated cases, then one case per edge value of each input's type."""
    policy = engine.policy(policy_id, DAY)
    cases = [case for _, case in generated_cases(policy, count, seed)]
    base = cases[0]
    for item in policy.inputs:
        for value in EDGES.get(item.type.kind, []):
            cases.append({**base, item.name: value})
        cases.append({k: v for k, v in base.items() if k != item.name})
    return cases


def _parquet(engine: Engine, policy_id: str, cases: list[dict[str, Any]], path: Path) -> Path:
    """The cases as a Parquet file: bools as bool, integers as int64, the rest as text."""
    policy = engine.policy(policy_id, DAY)
    kinds = {"bool": pa.bool_(), "integer": pa.int64()}
    columns = {
        item.name: pa.array(
            [case.get(item.name) for case in cases], kinds.get(item.type.kind, pa.string())
        )
        for item in policy.inputs
    }
    pq.write_table(pa.table(columns), path)
    return path


def _per_case_lines(engine: Engine, policy_id: str, path: Path, cite: str, day: dt.date) -> str:
    out = io.StringIO()
    rows = decide_rows(engine, policy_id, read_cases(path, engine, policy_id, day), day)
    for row, made in rows:
        out.write(json_line(result_row(row, made, cite)))
    return out.getvalue()


def _columnar_lines(
    engine: Engine, policy_id: str, path: Path, cite: str, day: dt.date, kind: str = "parquet"
) -> tuple[str, BatchSummary]:
    out = io.StringIO()
    summary = BatchSummary(policy_id, day)
    decide_in_columns(engine, policy_id, path, kind, day, summary, JsonLinesTarget(out), cite=cite)
    return out.getvalue(), summary


@pytest.mark.parametrize(
    ("policy_id", "day"),
    [
        (TAOBEI, DAY),
        (TAOBEI, dt.date(2021, 10, 31)),  # before the national rules: no law-hierarchy notice
        (NATIONAL, DAY),
        (RETIREMENT, DAY),
        (ARBITRATION, DAY),
    ],
)
def test_every_row_is_the_row_the_per_case_batch_writes(
    engine: Engine, tmp_path: Path, policy_id: str, day: dt.date
) -> None:
    cases = _cases(engine, policy_id, 400, 20261121)
    path = _parquet(engine, policy_id, cases, tmp_path / "cases.parquet")
    for cite in ("full", "ids"):
        expected = _per_case_lines(engine, policy_id, path, cite, day)
        found, summary = _columnar_lines(engine, policy_id, path, cite, day)
        assert found == expected, cite
    assert summary.rows == len(cases)
    # rows were decided in columns, not all handed back to the engine (the arbitration
    # policy's rules conflict on about a third of the generated cases: those go back)
    frame = pl.read_parquet(path)
    numbers = pl.int_range(1, frame.height + 1, eager=True)
    decided = decide_frame(engine, policy_id, frame, day, numbers)
    assert decided.per_case.sum() < frame.height * 0.6


def test_rows_left_to_the_engine_come_back_in_their_place(engine: Engine, tmp_path: Path) -> None:
    """The national policy's rules conflict on many generated cases, and some cases are
    refused: those rows are decided case by case, between rows decided in columns."""
    cases = _cases(engine, NATIONAL, 300, 7)
    path = _parquet(engine, NATIONAL, cases, tmp_path / "cases.parquet")
    frame = pl.read_parquet(path)
    decided = decide_frame(
        engine, NATIONAL, frame, DAY, pl.int_range(1, len(cases) + 1, eager=True)
    )
    left = decided.per_case.arg_true().to_list()
    assert 0 < len(left) < len(cases)
    expected = _per_case_lines(engine, NATIONAL, path, "ids", DAY).splitlines()
    found, summary = _columnar_lines(engine, NATIONAL, path, "ids", DAY)
    assert found.splitlines() == expected
    outcomes = {
        line.split('"outcome":"')[1].split('"')[0]
        for line in (expected[i] for i in left)
        if '"outcome"' in line
    }
    assert "conflict" in outcomes
    assert summary.refused == sum('"errors"' in line for line in expected)


@pytest.mark.parametrize("cite", ["full", "ids"])
def test_parquet_output_is_the_same_file(engine: Engine, tmp_path: Path, cite: str) -> None:
    cases = _cases(engine, TAOBEI, 2500, 3)  # more than two row groups
    path = _parquet(engine, TAOBEI, cases, tmp_path / "cases.parquet")
    with ParquetWriter(tmp_path / "per-case.parquet") as write:
        for row, made in decide_rows(engine, TAOBEI, read_cases(path, engine, TAOBEI, DAY), DAY):
            write(result_row(row, made, cite))
    target = ParquetTarget(tmp_path / "columnar.parquet")
    decide_in_columns(
        engine, TAOBEI, path, "parquet", DAY, BatchSummary(TAOBEI, DAY), target, cite=cite
    )
    target.close()
    assert (tmp_path / "columnar.parquet").read_bytes() == (
        tmp_path / "per-case.parquet"
    ).read_bytes()


def test_csv_rows_bad_or_good_are_the_rows_of_the_per_case_batch(
    engine: Engine, tmp_path: Path
) -> None:
    path = tmp_path / "cases.csv"
    path.write_text(
        "contract_price,first_deposit,previous_rate,payout_order_date\n"
        "1000000,true,,2026-09-20\n"
        "\n"
        "1234567.89,false,0.03,\n"
        "abc,true,,\n"
        "5,TRUE,,\n"
        "1,true\n"
        '"2,5",true,,\n'
        "100.125,true,,2027-03-01\n"
        "0,true,,\n",
        encoding="utf-8",
    )
    for cite in ("full", "ids"):
        expected = _per_case_lines(engine, TAOBEI, path, cite, DAY)
        found, _ = _columnar_lines(engine, TAOBEI, path, cite, DAY, "csv")
        assert found == expected


_AMOUNT = st.one_of(
    st.decimals(min_value=Decimal("-10"), max_value=Decimal("1e15"), places=2).map(str),
    st.decimals(min_value=0, max_value=Decimal("1e6"), places=6).map(str),
    st.sampled_from(EDGES["money"]),
)
_RATE = st.one_of(
    st.decimals(min_value=Decimal("-0.1"), max_value=Decimal("1.2"), places=4).map(str),
    st.sampled_from(EDGES["rate"]),
)
_DAY = st.one_of(
    st.dates(dt.date(1899, 12, 1), dt.date(2100, 1, 31)).map(dt.date.isoformat),
    st.sampled_from(EDGES["date"]),
)
_CASE = st.fixed_dictionaries(
    {},
    optional={
        "contract_price": _AMOUNT,
        "first_deposit": st.booleans(),
        "previous_rate": _RATE,
        "arrears_in_previous_period": st.booleans(),
        "proposed_rate": _RATE,
        "payment_form": st.sampled_from(["cash", "bank_guarantee", "other", "gold"]),
        "payout_order_date": _DAY,
        "completion_confirmed_date": _DAY,
    },
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases=st.lists(_CASE, min_size=1, max_size=25))
def test_any_wage_deposit_table_is_decided_as_case_by_case(
    engine: Engine, cases: list[dict[str, Any]]
) -> None:
    policy = engine.policy(TAOBEI, DAY)
    frame = pl.DataFrame(
        {
            item.name: pl.Series(
                [case.get(item.name) for case in cases],
                dtype=pl.Boolean if item.type.kind == "bool" else pl.String,
            )
            for item in policy.inputs
        }
    )
    numbers = pl.int_range(1, len(cases) + 1, eager=True)
    decided = decide_frame(engine, TAOBEI, frame, DAY, numbers, ("line", "line-ids"))
    lines = decided.written.texts["line"].to_list()
    small = decided.written.texts["line-ids"].to_list()
    for index, (case, left) in enumerate(zip(cases, decided.per_case.to_list(), strict=True)):
        try:
            made = engine.evaluate(TAOBEI, case, DAY, trace=False)
        except Exception:  # noqa: BLE001 - a refused case must have been left to the engine
            assert left, case
            continue
        if not left:
            assert lines[index] + "\n" == json_line(result_row(index + 1, made, "full")), case
            assert small[index] + "\n" == json_line(result_row(index + 1, made, "ids")), case


def test_a_policy_that_does_not_plan_says_why_and_is_decided_case_by_case(
    engine: Engine, tmp_path: Path
) -> None:
    found = plan(engine.policy(LISTS))
    assert isinstance(found, Unsupported)
    assert any("nominees" in reason and "list" in reason for reason in found.reasons)
    assert isinstance(plan(engine.policy(TAOBEI)), ColumnarPlan)
    table = pa.table(
        {
            "excellent_quota": pa.array([3, 5], pa.int64()),
            "excellent_reported": pa.array([2, 6], pa.int64()),
        }
    )
    out = evaluate_table(engine, LISTS, table, DAY)
    assert out.column("engine").to_pylist() == ["per-case", "per-case"]
    for index, case in enumerate(table.to_pylist()):
        made = engine.evaluate(LISTS, case, DAY, trace=False)
        assert out.column("fingerprint")[index].as_py() == made.fingerprint
    with pytest.raises(ColumnarError, match="nominees"):
        evaluate_table(engine, LISTS, table, DAY, method="columnar")
    cases = tmp_path / "cases.parquet"
    pq.write_table(table, cases)
    code = main(
        [
            "batch",
            LISTS,
            "--cases",
            str(cases),
            "--as-of",
            DAY.isoformat(),
            "--engine",
            "columnar",
            "--out",
            str(tmp_path / "out.jsonl"),
        ]
    )
    assert code == 2


def test_evaluate_table_gives_the_engines_fingerprints(engine: Engine) -> None:
    cases = _cases(engine, TAOBEI, 200, 5)
    policy = engine.policy(TAOBEI, DAY)
    table = pa.table(
        {
            item.name: pa.array(
                [case.get(item.name) for case in cases],
                pa.bool_() if item.type.kind == "bool" else pa.string(),
            )
            for item in policy.inputs
        }
    )
    out = evaluate_table(engine, TAOBEI, table, DAY)
    assert isinstance(out, pa.Table)
    assert out.column("row").to_pylist() == list(range(1, len(cases) + 1))
    assert "columnar" in out.column("engine").to_pylist()
    for case, fingerprint, outcome, error in zip(
        cases,
        out.column("fingerprint").to_pylist(),
        out.column("outcome").to_pylist(),
        out.column("error").to_pylist(),
        strict=True,
    ):
        try:
            made = engine.evaluate(TAOBEI, case, DAY, trace=False)
        except Exception:  # noqa: BLE001
            assert error is not None and fingerprint is None
            continue
        assert (fingerprint, outcome) == (made.fingerprint, made.outcome)


def test_results_do_not_depend_on_the_decimal_context_or_on_orjson(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    cases = _cases(engine, TAOBEI, 150, 9)
    policy = engine.policy(TAOBEI, DAY)
    frame = pl.DataFrame(
        {
            item.name: pl.Series(
                [case.get(item.name) for case in cases],
                dtype=pl.Boolean if item.type.kind == "bool" else pl.String,
            )
            for item in policy.inputs
        }
    )
    numbers = pl.int_range(1, len(cases) + 1, eager=True)
    plain = decide_frame(engine, TAOBEI, frame, DAY, numbers, ("line",))
    with localcontext() as context:
        context.prec, context.rounding = 3, ROUND_FLOOR
        odd = decide_frame(engine, TAOBEI, frame, DAY, numbers, ("line",))
    import govrules.canonical

    monkeypatch.setattr(govrules.canonical, "_orjson", None)  # the pure-Python canonical form
    slow = decide_frame(engine, TAOBEI, frame, DAY, numbers, ("line",))
    for other in (odd, slow):
        assert other.written.fingerprint.to_list() == plain.written.fingerprint.to_list()
        assert other.written.texts["line"].to_list() == plain.written.texts["line"].to_list()


def test_a_column_that_cannot_hold_its_input_is_named(engine: Engine) -> None:
    frame = pl.DataFrame({"contract_price": [1000.5], "first_deposit": [True]})
    numbers = pl.int_range(1, 2, eager=True)
    with pytest.raises(InputColumnError, match="contract_price"):
        decide_frame(engine, TAOBEI, frame, DAY, numbers)
    out = evaluate_table(engine, TAOBEI, frame, DAY)  # auto: the engine says why, row by row
    assert out["engine"].to_list() == ["per-case"]
    assert "float" in out["error"][0]
