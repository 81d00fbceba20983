"""Value columns in one lazy query (``govrules.columnar.fused_values``): every row the query
decides is the engine's own decision -- outcome and every value, exactly -- for every bundled
policy that plans, on generated cases and edge values; the rows it leaves to the engine come
back decided by it; chunks, shapes read again, typed Parquet, CSV and an odd decimal context
change nothing.

Nothing here is mocked: real Parquet and CSV files, the real engine, compared value by value."""

from __future__ import annotations

import csv
import datetime as dt
import sys
from decimal import ROUND_FLOOR, Decimal, localcontext
from pathlib import Path
from typing import Any

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from govrules import Engine
from govrules.batch import BadRow, BatchSummary, decide_rows, read_cases
from govrules.batch.columnar_batch import _slices
from govrules.batch.value_columns import ValuesWriter, decide_values_in_columns
from govrules.columnar import NotColumnar, Unsupported, plan
from govrules.columnar.fused_values import fused_values
from govrules.columnar.value_columns import decide_values
from govrules.values import MISSING

sys.path.insert(0, str(Path(__file__).parent))
from test_columnar import _cases, _parquet  # noqa: E402

TAOBEI = "cn.jilin.taobei.wage_deposit"
NATIONAL = "cn.national.wage_deposit"
RETIREMENT = "cn.national.retirement_eligibility"
ARBITRATION = "cn.national.labor_arbitration_time_limits"
HEADLINE = (TAOBEI, NATIONAL, RETIREMENT, ARBITRATION)
DAY = dt.date(2026, 11, 21)
# what the query does not lower (the batch then decides the table node by node)
NOT_LOWERED = ("a datetime text read in one query", "a text computed from decimals")


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine.default()


def _planned(engine: Engine) -> list[str]:
    return sorted(
        policy.id
        for policy in engine.policies()
        if not isinstance(plan(engine.policy(policy.id, DAY)), Unsupported)
    )


def _decided(engine: Engine, policy_id: str, path: Path) -> list[Any]:
    """Each row of the file as the per-case batch decides it (a Decision or a BadRow)."""
    rows = read_cases(path, engine, policy_id, DAY)
    return [made for _, made in decide_rows(engine, policy_id, rows, DAY)]


def _same(engine: Engine, policy_id: str, frame: pl.DataFrame, path: Path, **kw: Any) -> int:
    """Every row the query decides is the engine's decision; the number of those rows."""
    found, _ = fused_values(engine, policy_id, frame, DAY, **kw)
    outcomes, left = found.outcome.to_list(), found.per_case.to_list()
    values = {name: column.to_pylist() for name, column in found.values.items()}
    decided = 0
    for index, made in enumerate(_decided(engine, policy_id, path)):
        if left[index]:
            continue
        decided += 1
        assert not isinstance(made, BadRow), f"row {index + 1}: the engine refuses it"
        assert outcomes[index] == made.outcome, f"row {index + 1}"
        for name, column in values.items():
            value = made.values.get(name, MISSING)
            expected = None if value is MISSING else value
            assert column[index] == expected, f"row {index + 1}, {name}"  # Decimal equality
    return decided


def test_every_policy_that_plans_is_the_engines_in_one_query(
    engine: Engine, tmp_path: Path
) -> None:
    planned = _planned(engine)
    assert set(HEADLINE) <= set(planned)
    lowered = 0
    for policy_id in planned:
        cases = _cases(engine, policy_id, 60, 20261123)
        path = _parquet(engine, policy_id, cases, tmp_path / f"{policy_id}.parquet")
        frame = pl.read_parquet(path)
        try:
            decided = _same(engine, policy_id, frame, path)
        except NotColumnar as error:
            assert policy_id not in HEADLINE
            assert any(reason in str(error) for reason in NOT_LOWERED), str(error)
            continue
        lowered += 1
        assert decided > 0, policy_id
    assert lowered >= len(planned) - 4


@pytest.mark.parametrize("policy_id", HEADLINE)
def test_generated_cases_are_decided_in_the_query(
    engine: Engine, tmp_path: Path, policy_id: str
) -> None:
    """Generated cases (no edge values): the query leaves to the engine no more rows than the
    columns decided node by node do (``value_columns.decide_values``), and each row it
    decides is the engine's decision."""
    cases = _cases(engine, policy_id, 200, 7)[:200]
    path = _parquet(engine, policy_id, cases, tmp_path / "cases.parquet")
    frame = pl.read_parquet(path)
    node_by_node = (~decide_values(engine, policy_id, frame, DAY).per_case).sum()
    assert _same(engine, policy_id, frame, path) >= node_by_node > 100


def test_the_callers_decimal_context_changes_nothing(engine: Engine, tmp_path: Path) -> None:
    for policy_id in (TAOBEI, RETIREMENT):
        cases = _cases(engine, policy_id, 80, 3)
        path = _parquet(engine, policy_id, cases, tmp_path / "cases.parquet")
        frame = pl.read_parquet(path)
        plain, _ = fused_values(engine, policy_id, frame, DAY)
        with localcontext() as odd:
            odd.prec, odd.rounding = 3, ROUND_FLOOR
            found, _ = fused_values(engine, policy_id, frame, DAY)
        assert found.outcome.equals(plain.outcome) and found.per_case.equals(plain.per_case)
        for name, column in plain.values.items():
            assert found.values[name].equals(column), name


def _taobei(prices: list[str], tmp_path: Path) -> tuple[pl.DataFrame, Path]:
    count = len(prices)
    frame = pl.DataFrame(
        {
            "contract_price": prices,
            "first_deposit": [index % 3 == 0 for index in range(count)],
            "previous_rate": ["0.0425" if index % 3 else None for index in range(count)],
            "arrears_in_previous_period": [index % 5 == 1 for index in range(count)],
            "proposed_rate": ["0.04", "0.045", "0.05", "0.1"] * (count // 4) + ["0"] * (count % 4),
            "payment_form": ["cash"] * count,
        }
    )
    path = tmp_path / "taobei.parquet"
    frame.write_parquet(path)
    return frame, path


def test_a_chunk_is_read_again_when_its_first_rows_are_narrower(
    engine: Engine, tmp_path: Path
) -> None:
    """The first rows have two places and nine digits; later rows have six places, or fifteen
    digits and two places (a product past Int64): the query reads the chunk again at their
    shape rather than leave them to the engine."""
    prices = ["1234567.89"] * 5000 + ["0.123456", "999999999999999.99", "5.50", "7"] * 10
    frame, path = _taobei(prices, tmp_path)
    assert _same(engine, TAOBEI, frame, path) == len(prices)
    narrow = {"contract_price": (0, 1), "previous_rate": (1, 1), "proposed_rate": (0, 1)}
    assert _same(engine, TAOBEI, frame, path, shapes=narrow) == len(prices)
    _, shapes = fused_values(engine, TAOBEI, frame, DAY, shapes=narrow)
    assert shapes["contract_price"] == (6, 15)  # the places and the digits before the point


def test_cells_no_shape_takes_are_left_to_the_engine(engine: Engine, tmp_path: Path) -> None:
    """Nineteen places, sixteen digits, a spelling the engine refuses: per case, each."""
    prices = ["1.5", "0.0000000000000000001", "1234567890123456", "01.5", "1e3", "", "1.5"]
    frame, path = _taobei(prices, tmp_path)
    found, shapes = fused_values(engine, TAOBEI, frame, DAY)
    assert found.per_case.to_list() == [False, True, True, True, True, False, False]
    assert shapes["contract_price"] == (1, 1)  # no cell a wider shape would take
    assert _same(engine, TAOBEI, frame, path) == 3


def test_typed_parquet_columns_are_read_as_the_engine_reads_them(
    engine: Engine, tmp_path: Path
) -> None:
    count = 400
    table = pa.table(
        {
            "contract_price": pa.array(
                [Decimal(f"{index * 7919 % 10**9}.{index % 10000:04d}") for index in range(count)],
                pa.decimal128(20, 4),
            ),
            "first_deposit": pa.array([index % 2 == 0 for index in range(count)]),
            "previous_rate": pa.array(
                [None if index % 2 == 0 else Decimal(f"0.0{index % 7}") for index in range(count)],
                pa.decimal128(10, 6),
            ),
            "arrears_in_previous_period": pa.array(
                [None if index % 2 == 0 else index % 3 == 0 for index in range(count)]
            ),
            "proposed_rate": pa.array([index % 2 for index in range(count)], pa.int64()),
        }
    )
    path = tmp_path / "typed.parquet"
    pq.write_table(table, path)
    frame = pl.read_parquet(path)
    # refused by the engine: a price of 0 (row 1), a previous rate of 0 (one odd row in 7)
    assert _same(engine, TAOBEI, frame, path) == count - 1 - 29
    assert (~decide_values(engine, TAOBEI, frame, DAY).per_case).sum() == count - 1 - 29


def _written(path: Path) -> list[dict[str, Any]]:
    found = []
    for row in pq.read_table(path).to_pylist():
        if row["error"] is not None:
            found.append({"row": row["row"], "refused": row["error"]})
        else:
            found.append({k: v for k, v in row.items() if k != "error"})
    return found


def _per_case_file(engine: Engine, policy_id: str, path: Path, out: Path) -> list[Any]:
    with ValuesWriter(out, engine.policy(policy_id, DAY)) as write:
        for row, made in decide_rows(
            engine, policy_id, read_cases(path, engine, policy_id, DAY), DAY
        ):
            write(row, made)
    return _written(out)


@pytest.mark.parametrize("policy_id", [TAOBEI, RETIREMENT])
@pytest.mark.parametrize("input_format", ["parquet", "csv"])
def test_a_batch_in_small_chunks_is_the_per_case_file(
    engine: Engine, tmp_path: Path, policy_id: str, input_format: str
) -> None:
    """Chunks of 64 rows (shapes carried from one to the next, a short last chunk, rows left
    to the engine read back from the chunk): the same rows as the batch case by case, refused
    rows with the same problems."""
    cases = _cases(engine, policy_id, 250, 11)
    path = _parquet(engine, policy_id, cases, tmp_path / "cases.parquet")
    if input_format == "csv":
        text = tmp_path / "cases.csv"
        table = pq.read_table(path).to_pylist()
        with text.open("w", newline="", encoding="utf-8") as stream:
            writer = csv.writer(stream)
            writer.writerow(table[0].keys())
            for row in table:
                writer.writerow(
                    "" if v is None else str(v).lower() if isinstance(v, bool) else v
                    for v in row.values()
                )
        path = text
    summary = BatchSummary(policy_id, DAY)
    out = tmp_path / "values.parquet"
    with ValuesWriter(out, engine.policy(policy_id, DAY)) as target:
        decide_values_in_columns(
            engine, policy_id, path, input_format, DAY, summary, target, chunk=64
        )
    expected = _per_case_file(engine, policy_id, path, tmp_path / "expected.parquet")
    assert _written(out) == expected
    assert summary.rows == len(cases) and summary.refused == sum("refused" in r for r in expected)


def test_the_chunks_cover_the_file_with_a_short_last_one() -> None:
    size = 256
    for total in (0, 1, 63, 64, 255, 256, 257, 320, 321, 1000, 10_000):
        chunks = list(_slices(total, size))
        assert [start for start, _ in chunks] == [
            sum(length for _, length in chunks[:index]) for index in range(len(chunks))
        ]
        assert sum(length for _, length in chunks) == total
        assert all(0 < length <= size for _, length in chunks)
        if total > size:
            assert chunks[-1][1] <= size // 4


def test_an_empty_table_and_a_file_name_like_a_pattern(engine: Engine, tmp_path: Path) -> None:
    frame, _ = _taobei(["1.5", "2"], tmp_path)
    found, _ = fused_values(engine, TAOBEI, frame.clear(), DAY)
    assert found.outcome.len() == found.per_case.len() == 0
    path = tmp_path / "cases[1].parquet"  # read as a file, not as a pattern of files
    frame.write_parquet(path)
    out = tmp_path / "values.parquet"
    with ValuesWriter(out, engine.policy(TAOBEI, DAY)) as target:
        decide_values_in_columns(
            engine, TAOBEI, path, "parquet", DAY, BatchSummary(TAOBEI, DAY), target
        )
    assert [row["row"] for row in _written(out)] == [1, 2]
