"""Scale-out on Dask, on a real ``distributed.LocalCluster`` of two worker processes: every row
decided there is compared with what ``Engine.evaluate`` decides here, field by field."""

from __future__ import annotations

import datetime as dt
import json
import random
import shutil
import subprocess
import sys
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

dd = pytest.importorskip("dask.dataframe")
distributed = pytest.importorskip("distributed")
pd = pytest.importorskip("pandas")
pa = pytest.importorskip("pyarrow")

from conftest import POLICIES  # noqa: E402
from govrules import Engine  # noqa: E402
from govrules.batch.problems import problems_of  # noqa: E402
from govrules.dask import (  # noqa: E402
    RESULT_COLUMNS,
    ClusterError,
    check_workers,
    decide_cases,
    evaluate_cases,
    evaluate_dataframe,
    forget_engines,
)
from govrules.dask import cases as dask_cases  # noqa: E402
from govrules.errors import CaseError, UnknownPolicyError  # noqa: E402
from govrules.packs.manifest import compute_manifest, write_manifest  # noqa: E402

DAY = dt.date(2026, 11, 21)
WAGE_DEPOSIT = "cn.jilin.taobei.wage_deposit"
RETIREMENT = "cn.national.retirement_eligibility"
ARBITRATION = "cn.national.labor_arbitration_time_limits"


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    with (
        distributed.LocalCluster(
            n_workers=2, processes=True, threads_per_worker=1, dashboard_address="127.0.0.1:0"
        ) as cluster,
        distributed.Client(cluster) as connected,
    ):
        yield connected


@pytest.fixture(scope="module")
def here() -> Engine:
    """This process's engine: the one the Dask functions made here (loaded once)."""
    return dask_cases.engine_for(())


# --------------------------------------------------------------------------- generated cases


def _day(rng: random.Random, first: dt.date, last: dt.date) -> dt.date:
    return first + dt.timedelta(days=rng.randrange((last - first).days + 1))


def _value(rng: random.Random, name: str, kind: str, values: tuple[str, ...]) -> Any:
    if kind == "money":
        return Decimal(rng.randrange(1_000_000, 500_000_000)) / 100
    if kind == "rate":
        return Decimal(rng.randrange(5, 80)) / 1000
    if kind == "bool":
        return rng.random() < 0.5
    if kind == "integer":
        return rng.randrange(0, 480 if "months" in name else 30)
    if kind == "enum":
        return rng.choice(values)
    if name == "birth_date":
        return _day(rng, dt.date(1960, 1, 1), dt.date(1975, 12, 31))
    if name == "work_start_date":
        return _day(rng, dt.date(1978, 1, 1), dt.date(1998, 12, 31))
    if name == "rights_infringed_known_date":
        return _day(rng, dt.date(2024, 1, 1), dt.date(2026, 6, 30))
    return _day(rng, dt.date(2025, 6, 1), dt.date(2026, 11, 20))


def _cases(here: Engine, policy_id: str, count: int, seed: int) -> list[dict[str, Any]]:
    """Cases of plain Python values, each fact given with probability 0.85."""
    rng = random.Random(seed)
    policy = here.policy(policy_id, DAY)
    specs = [(item.name, item.type.kind, tuple(item.type.values or ())) for item in policy.inputs]
    return [
        {
            name: _value(rng, name, kind, values)
            for name, kind, values in specs
            if rng.random() < 0.85
        }
        for _ in range(count)
    ]


def _column(name: str, kind: str, position: int, values: list[Any]) -> Any:
    """A column in one of the forms a DataFrame holds such values in, varied by position."""
    if kind == "money":
        return pd.array(values, dtype=pd.ArrowDtype(pa.decimal128(18, 2)))
    if kind == "rate":
        return pd.array([None if v is None else str(v) for v in values], dtype="string")
    if kind == "bool":
        return pd.array(values, dtype="boolean")
    if kind == "integer":
        return pd.array(values, dtype="Int64")
    if kind == "enum":
        return pd.Categorical(values)
    if position % 3 == 0:
        return pd.Series(pd.to_datetime(values)).array  # datetime64 at midnight
    if position % 3 == 1:
        return pd.array(values, dtype=pd.ArrowDtype(pa.date32()))
    return pd.array([None if v is None else v.isoformat() for v in values], dtype="string")


def _frame(here: Engine, policy_id: str, cases: list[dict[str, Any]]) -> Any:
    policy = here.policy(policy_id, DAY)
    columns = {}
    for position, item in enumerate(policy.inputs):
        values = [case.get(item.name) for case in cases]
        columns[item.name] = _column(item.name, item.type.kind, position, values)
    return pd.DataFrame(columns, index=pd.RangeIndex(1000, 1000 + len(cases)))


def _expected(here: Engine, policy_id: str, case: dict[str, Any], trace: bool = False) -> dict:
    try:
        decision = here.evaluate(policy_id, case, DAY, trace=trace)
    except CaseError as error:
        return {"error": "; ".join(str(problem) for problem in problems_of(error))}
    document = decision.to_dict()
    return {
        "outcome": decision.outcome,
        "values": document["values"],
        "fingerprint": document["fingerprint"],
        "missing": [fact.fact for fact in decision.missing],
        "error": None,
    }


def _found(row: Any) -> dict:
    if not pd.isna(row["error"]):
        assert all(pd.isna(row[name]) for name in RESULT_COLUMNS[:-1])
        return {"error": row["error"]}
    return {
        "outcome": row["outcome"],
        "values": json.loads(row["values"]),
        "fingerprint": row["fingerprint"],
        "missing": json.loads(row["missing"]),
        "error": None,
    }


# --------------------------------------------------------------------------- the DataFrame


@pytest.mark.parametrize(
    ("policy_id", "count"), [(WAGE_DEPOSIT, 200), (RETIREMENT, 150), (ARBITRATION, 150)]
)
def test_every_row_is_the_single_process_decision(
    client: Any, here: Engine, policy_id: str, count: int
) -> None:
    cases = _cases(here, policy_id, count, seed=len(policy_id))
    frame = _frame(here, policy_id, cases)
    cases_ddf = dd.from_pandas(frame, npartitions=5)
    result = evaluate_dataframe(cases_ddf, policy_id, DAY)
    assert list(result.columns) == list(RESULT_COLUMNS)
    assert result.npartitions == cases_ddf.npartitions
    computed = result.compute()
    assert list(computed.index) == list(frame.index)
    assert all(str(dtype) == "string" for dtype in computed.dtypes)
    outcomes = set()
    for case, (_, row) in zip(cases, computed.iterrows(), strict=True):
        assert _found(row) == _expected(here, policy_id, case)
        outcomes.add(row["outcome"])
    assert len(outcomes - {pd.NA}) >= 2, "the generated cases reach more than one outcome"


def test_the_workers_made_their_own_engines(client: Any) -> None:
    assert check_workers(client) == 2
    loaded = client.run(lambda: sorted(dask_cases.engine_for(()).packs))
    assert len(loaded) == 2
    assert all("cn.national" in packs for packs in loaded.values())


def test_bad_rows_are_recorded_and_the_others_decided(client: Any, here: Engine) -> None:
    frame = pd.DataFrame(
        {
            "contract_price": pd.array(["1000000", "１０００", "800000", "500000", "-5"], "string"),
            "first_deposit": pd.array([True, True, False, None, True], dtype="boolean"),
            "payment_form": pd.array(["cash", "cash", "cheque", None, "cash"], "string"),
            "payout_order_date": pd.to_datetime(
                ["2026-09-20", None, "2026-09-20 10:30", None, None], format="ISO8601"
            ),
        }
    )
    computed = evaluate_dataframe(dd.from_pandas(frame, npartitions=2), WAGE_DEPOSIT, DAY)
    computed = computed.compute()
    plain = [
        {
            "contract_price": "1000000",
            "first_deposit": True,
            "payment_form": "cash",
            "payout_order_date": dt.date(2026, 9, 20),
        },
        {"contract_price": "１０００", "first_deposit": True, "payment_form": "cash"},
        {
            "contract_price": "800000",
            "first_deposit": False,
            "payment_form": "cheque",
            "payout_order_date": dt.datetime(2026, 9, 20, 10, 30),
        },
        {"contract_price": "500000"},
        {"contract_price": "-5", "first_deposit": True, "payment_form": "cash"},
    ]
    for case, (_, row) in zip(plain, computed.iterrows(), strict=True):
        assert _found(row) == _expected(here, WAGE_DEPOSIT, case)
    errors = computed["error"].tolist()
    assert errors[0] is pd.NA and errors[3] is pd.NA
    assert errors[1].startswith("invalid-input: contract_price: ")
    assert "payment_form: expected one of 'cash', 'bank_guarantee', 'other'" in errors[2]
    assert "payout_order_date: expected a date without a time of day" in errors[2]
    assert "contract_price: must be greater than 0" in errors[4]


def test_columns_that_cannot_be_exact_are_refused_before_any_row(client: Any) -> None:
    def refused(frame: Any) -> str:
        with pytest.raises(CaseError) as caught:
            evaluate_dataframe(dd.from_pandas(frame, npartitions=1), WAGE_DEPOSIT, DAY)
        return str(caught.value)

    message = refused(pd.DataFrame({"contract_price": [1000000.0, 2.5]}))
    assert "contract_price: a column of floats (float64) is not exact" in message
    message = refused(pd.DataFrame({"contract_pric": ["1000000"]}))
    assert "the column 'contract_pric' is not an input" in message
    assert "did you mean 'contract_price'?" in message
    zoned = pd.to_datetime(["2026-09-20"]).tz_localize("Asia/Shanghai")
    message = refused(pd.DataFrame({"payout_order_date": zoned}))
    assert "payout_order_date: a column of date-times in the time zone Asia/Shanghai" in message
    with pytest.raises(CaseError, match="contribution_months: a column of floats"):
        frame = pd.DataFrame({"contribution_months": [300, None]})  # numpy makes it float
        evaluate_dataframe(dd.from_pandas(frame, npartitions=1), RETIREMENT, DAY)
    frame = dd.from_pandas(pd.DataFrame({"contract_price": ["1"]}), npartitions=1)
    with pytest.raises(UnknownPolicyError, match="did you mean"):
        evaluate_dataframe(frame, "cn.jilin.taobei.wage_deposits", DAY)
    with pytest.raises(CaseError, match="invalid-as-of"):
        evaluate_dataframe(frame, WAGE_DEPOSIT, dt.date(2100, 1, 1))


def test_traced_fingerprints_cover_the_trace(client: Any, here: Engine) -> None:
    cases = _cases(here, WAGE_DEPOSIT, 20, seed=7)
    frame = dd.from_pandas(_frame(here, WAGE_DEPOSIT, cases), npartitions=2)
    computed = evaluate_dataframe(frame, WAGE_DEPOSIT, DAY, trace=True).compute()
    for case, (_, row) in zip(cases, computed.iterrows(), strict=True):
        assert _found(row) == _expected(here, WAGE_DEPOSIT, case, trace=True)


def test_each_partition_appends_to_one_decision_log(
    client: Any, here: Engine, tmp_path: Path
) -> None:
    from govrules.decisionlog import open_log

    cases = _cases(here, WAGE_DEPOSIT, 60, seed=13)
    frame = dd.from_pandas(_frame(here, WAGE_DEPOSIT, cases), npartitions=6)
    path = tmp_path / "decisions.sqlite"
    computed = evaluate_dataframe(frame, WAGE_DEPOSIT, DAY, log=path).compute()
    decided = computed["fingerprint"].dropna().tolist()
    with open_log(path) as log:
        report = log.verify()
        logged = [record["decision"]["fingerprint"] for record in log.query()]
    assert report.intact, report.first_break
    assert report.count == len(decided) > 0
    assert sorted(logged) == sorted(decided)  # partitions append in the order they finish


# --------------------------------------------------------------------------- streams of cases


def test_a_stream_of_cases_comes_back_in_order(client: Any, here: Engine) -> None:
    cases: list[Any] = _cases(here, ARBITRATION, 90, seed=3)
    cases[10] = {"application_received_date": "2026-13-01"}
    cases[40] = {"no_such_fact": True}
    rows = list(evaluate_cases(cases, ARBITRATION, DAY, client.scheduler.address, chunk_size=7))
    assert len(rows) == len(cases)
    for case, row in zip(cases, rows, strict=True):
        try:
            decision = here.evaluate(ARBITRATION, case, DAY, trace=False)
        except CaseError as error:
            assert row == {"errors": [problem.to_dict() for problem in problems_of(error)]}
        else:
            assert row == decision.to_dict()
    assert rows[10]["errors"][0]["field"] == "application_received_date"
    assert rows[40]["errors"][0]["code"] == "unknown-input"


def test_decisions_cross_the_cluster_whole(client: Any, here: Engine) -> None:
    cases: list[Any] = _cases(here, RETIREMENT, 30, seed=5)
    passed_through = CaseError([])
    cases.insert(3, passed_through)
    made = list(decide_cases(cases, RETIREMENT, DAY, client.scheduler.address, chunk_size=4))
    assert made[3] is passed_through
    for case, decision in zip(cases[:3] + cases[4:], made[:3] + made[4:], strict=True):
        assert decision.to_dict() == here.evaluate(RETIREMENT, case, DAY, trace=False).to_dict()


def test_a_local_cluster_for_the_run(here: Engine) -> None:
    cases = _cases(here, WAGE_DEPOSIT, 12, seed=11)
    rows = list(evaluate_cases(cases, WAGE_DEPOSIT, DAY, "local", workers=1, chunk_size=5))
    expected = [here.evaluate(WAGE_DEPOSIT, case, DAY, trace=False) for case in cases]
    assert [row["fingerprint"] for row in rows] == [d.fingerprint for d in expected]


def test_an_unreachable_scheduler_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(dask_cases, "CONNECT_SECONDS", 1)
    rows = evaluate_cases([{}], WAGE_DEPOSIT, DAY, "tcp://127.0.0.1:9")
    with pytest.raises(
        ClusterError, match="cannot reach the Dask scheduler at 'tcp://127.0.0.1:9'"
    ):
        next(rows)


def test_a_worker_with_other_packs_is_refused(client: Any, tmp_path: Path) -> None:
    pack = tmp_path / "cn.jilin.baicheng.taobei"
    shutil.copytree(POLICIES / "cn.jilin.baicheng.taobei", pack)
    folders = (str(pack.resolve()),)
    client.run(dask_cases.engine_for, folders)  # the workers load the pack as it is now
    # then it changes, and is sealed again, on the client's disk
    text = (pack / "pack.yaml").read_text(encoding="utf-8")
    (pack / "pack.yaml").write_text(text + "# edited on the client\n", encoding="utf-8")
    write_manifest(pack, compute_manifest(pack, "cn.jilin.baicheng.taobei", "1.0.0"))
    case = {"contract_price": "1000000", "first_deposit": True}
    try:
        with pytest.raises(ClusterError) as caught:
            list(evaluate_cases([case], WAGE_DEPOSIT, DAY, client.scheduler.address, packs=[pack]))
        message = str(caught.value)
        assert "holds other packs than the client" in message
        edited = dask_cases.engine_for(folders).packs["cn.jilin.baicheng.taobei"].digest
        assert f"cn.jilin.baicheng.taobei: 1.0.0 {edited} on the client, 1.0.0 sha256:" in message
        assert message.count("on the client") == 1, "the other packs are the same"
        frame = dd.from_pandas(pd.DataFrame({"contract_price": ["1000000"]}), npartitions=1)
        with pytest.raises(ClusterError, match="cn.jilin.baicheng.taobei"):
            evaluate_dataframe(frame, WAGE_DEPOSIT, DAY, packs=[pack]).compute()
    finally:
        client.run(forget_engines)
        forget_engines()


# --------------------------------------------------------------------------- the extra


def test_the_core_does_not_import_dask() -> None:
    code = (
        "import sys, govrules, govrules.cli.main\n"
        "assert not {'dask', 'distributed', 'pandas'} & set(sys.modules), sorted(sys.modules)\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_without_the_extra_the_message_names_it() -> None:
    code = "import sys\nsys.modules['distributed'] = None\nimport govrules.dask\n"
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert run.returncode == 1
    assert "ImportError: scale-out on Dask needs the dask extra" in run.stderr
    assert "pip install 'govrules[dask]'" in run.stderr
