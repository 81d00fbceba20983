"""Benchmark: a million wage-deposit cases, Parquet to Parquet, decided in columns.

Issue 18, goal 3. Generated Taobei wage-deposit cases (cn.jilin.taobei.wage_deposit: contract
price to the fen, first deposit or not, previous rate, arrears, proposed rate, form of
deposit) are written to a Parquet file once; then, each timed end to end from that file:

1. govrules, columnar: ``govrules batch --engine columnar --cite ids`` into Parquet -- each row
   the full decision's outcome, values, citations, missing facts, notices and fingerprint
   (the national policy decided beside it for the law-hierarchy notice);
2. govrules, per case: the same batch with ``--engine per-case``, over the first 50,000 rows,
   reported as a rate (the rows must be the same bytes: the check is their fingerprints);
3. govrules, value columns: ``govrules batch --columns values`` into Parquet -- per row the
   outcome and the policy's values as typed columns (decimal128, exact), no citations or
   fingerprint, the policy decided in one lazy polars query per chunk: what the two
   contenders below compute, so that the comparison is like for like; and the same value
   columns with each row decided by the per-case engine, over the first 50,000 rows (the
   value-columns ratio of goal 3: the same output both ways, its rows the same bytes);
4. hand-written polars: the Taobei rules on scaled integers (fen, thousandths), exact,
   half-up to the fen, results to Parquet;
5. OpenFisca-Core: a minimal TaxBenefitSystem with int64 amounts in fen and rates in
   thousandths (exact; its default int32/float32 would overflow), from the same Parquet, its
   results to Parquet.

The values of 1, 3, 4 and 5 must be equal on every row (the check: a digest of the rates in
thousandths, amounts in fen, compliance and outcome of all rows). Retirement and arbitration
time limits are decided the same way, columnar against per case, as decision rows and as
value columns (the first rows of each the same as the per-case engine's).

    python benchmarks/columnar_batch.py            # 1,000,000 cases (a few minutes)
    python benchmarks/columnar_batch.py --quick    # 20,000 cases
"""

from __future__ import annotations

import argparse
import datetime as dt
import platform
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

if __package__ in (None, ""):  # run as a script: the repository root is not on sys.path
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.harness import digest  # noqa: E402
from govrules.batch import BatchSummary, ParquetWriter, decide_rows, read_cases, result_row  # noqa: E402
from govrules.batch.columnar_batch import ParquetTarget, decide_in_columns  # noqa: E402
from govrules.batch.value_columns import ValuesWriter, decide_values_in_columns  # noqa: E402
from govrules.engine import Engine  # noqa: E402

TAOBEI = "cn.jilin.taobei.wage_deposit"
AS_OF = dt.date(2026, 11, 21)
GOAL = "3 columnar batch"
FULL, QUICK = 1_000_000, 20_000
LOOP_FULL, LOOP_QUICK = 50_000, 2_000
OTHERS_FULL, OTHERS_QUICK = 200_000, 10_000
OTHERS_LOOP_FULL, OTHERS_LOOP_QUICK = 20_000, 1_000
FORMS = ("cash", "bank_guarantee", "other")


# --------------------------------------------------------------------------- the cases


def wage_cases(count: int, seed: int = 20261121) -> pl.DataFrame:
    """Complete, valid Taobei cases (every contender decides every row): text columns as a
    CSV or a Parquet export from another system writes them."""
    rng = np.random.default_rng(seed)
    fen = rng.integers(1, 10**11, count)
    first = rng.random(count) < 0.4
    previous = rng.integers(1, 121, count)
    proposed = rng.integers(0, 121, count)
    frame = pl.DataFrame(
        {
            "fen": fen,
            "first_deposit": first,
            "previous": previous,
            "arrears_in_previous_period": rng.random(count) < 0.3,
            "proposed": proposed,
            "payment_form": rng.choice(np.array(FORMS), count, p=[0.8, 0.15, 0.05]),
        }
    )
    return frame.select(
        contract_price=_money_text(pl.col("fen")),
        first_deposit=pl.col("first_deposit"),
        previous_rate=pl.when(~pl.col("first_deposit")).then(_rate_text(pl.col("previous"))),
        arrears_in_previous_period=pl.when(~pl.col("first_deposit")).then(
            pl.col("arrears_in_previous_period")
        ),
        proposed_rate=_rate_text(pl.col("proposed")),
        payment_form=pl.col("payment_form"),
    )


def _money_text(fen: pl.Expr) -> pl.Expr:
    return (fen // 100).cast(pl.String) + "." + (fen % 100).cast(pl.String).str.zfill(2)


def _rate_text(thousandths: pl.Expr) -> pl.Expr:
    return "0." + thousandths.cast(pl.String).str.zfill(3)


def scalar_cases(engine: Engine, policy_id: str, count: int) -> pl.DataFrame:
    """Generated cases of a policy (tests/golden/generate.py's generator), as text columns."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "golden"))
    from generate import generated_cases

    policy = engine.policy(policy_id, AS_OF)
    cases = [case for _, case in generated_cases(policy, count, 20261121)]
    kinds = {"bool": pl.Boolean, "integer": pl.Int64}
    return pl.DataFrame(
        {
            item.name: pl.Series(
                [case.get(item.name) for case in cases], dtype=kinds.get(item.type.kind, pl.String)
            )
            for item in policy.inputs
        }
    )


# --------------------------------------------------------------------------- contenders


def govrules_columnar(engine: Engine, policy_id: str, source: Path, target: Path) -> BatchSummary:
    summary = BatchSummary(policy_id, AS_OF)
    out = ParquetTarget(target)
    decide_in_columns(engine, policy_id, source, "parquet", AS_OF, summary, out, cite="ids")
    out.close()
    return summary


def govrules_values(engine: Engine, policy_id: str, source: Path, target: Path) -> BatchSummary:
    summary = BatchSummary(policy_id, AS_OF)
    with ValuesWriter(target, engine.policy(policy_id, AS_OF)) as out:
        decide_values_in_columns(engine, policy_id, source, "parquet", AS_OF, summary, out)
    return summary


def govrules_values_per_case(
    engine: Engine, policy_id: str, source: Path, target: Path
) -> BatchSummary:
    """The same value columns, each row decided by the per-case engine."""
    summary = BatchSummary(policy_id, AS_OF)
    with ValuesWriter(target, engine.policy(policy_id, AS_OF)) as write:
        for row, made in decide_rows(
            engine, policy_id, read_cases(source, engine, policy_id, AS_OF), AS_OF
        ):
            made = write.checked(row, made)
            summary.count(made)
            write(row, made)
    return summary


def govrules_per_case(engine: Engine, policy_id: str, source: Path, target: Path) -> BatchSummary:
    summary = BatchSummary(policy_id, AS_OF)
    with ParquetWriter(target) as write:
        for row, made in decide_rows(
            engine, policy_id, read_cases(source, engine, policy_id, AS_OF), AS_OF
        ):
            summary.count(made)
            write(result_row(row, made, "ids"))
    return summary


def polars_by_hand(source: Path, target: Path) -> None:
    """The Taobei rules written by hand in polars on scaled integers, exact."""
    cases = pl.read_parquet(source)
    fen = _scaled(pl.col("contract_price"), 2)
    previous = _scaled(pl.col("previous_rate"), 3)
    proposed = _scaled(pl.col("proposed_rate"), 3)
    clamped = previous.clip(20, 60)
    first, arrears = pl.col("first_deposit"), pl.col("arrears_in_previous_period")
    low = (
        pl.when(first)
        .then(40)
        .when(arrears)
        .then(50)
        .otherwise(pl.max_horizontal(clamped - 10, 20))
    )
    high = pl.when(first).then(50).when(arrears).then(60).otherwise(clamped)
    out = cases.select(fen=fen, low=low, high=high, proposed=proposed, form=pl.col("payment_form"))
    out = out.select(
        rate_min=pl.col("low"),
        rate_max=pl.col("high"),
        amount_min=(pl.col("fen") * pl.col("low") + 500) // 1000,
        amount_max=(pl.col("fen") * pl.col("high") + 500) // 1000,
        rate_ok=(pl.col("proposed") >= pl.col("low")) & (pl.col("proposed") <= pl.col("high")),
        form_ok=pl.col("form") == "cash",
    ).with_columns(compliant=pl.col("rate_ok") & pl.col("form_ok"))
    out = out.with_columns(
        outcome=pl.when(pl.col("compliant"))
        .then(pl.lit("compliant"))
        .otherwise(pl.lit("non_compliant"))
    ).drop("rate_ok", "form_ok")
    out.write_parquet(target)


def _scaled(text: pl.Expr, places: int) -> pl.Expr:
    """A decimal text as an integer of ``places`` places (exact: the texts have no more)."""
    whole = text.str.split_exact(".", 1)
    fraction = whole.struct.field("field_1").fill_null("").str.pad_end(places, "0")
    return (whole.struct.field("field_0") + fraction).cast(pl.Int64)


def openfisca(source: Path, target: Path) -> None:
    """The same rules as an OpenFisca-Core tax-benefit system, from the same Parquet file."""
    from openfisca_core.simulations import SimulationBuilder

    system = _openfisca_system()
    cases = pl.read_parquet(source)
    columns = cases.select(
        fen=_scaled(pl.col("contract_price"), 2),
        first=pl.col("first_deposit"),
        previous=_scaled(pl.col("previous_rate"), 3).fill_null(0),
        arrears=pl.col("arrears_in_previous_period").fill_null(False),
        proposed=_scaled(pl.col("proposed_rate"), 3),
        cash=pl.col("payment_form") == "cash",
    )
    simulation = SimulationBuilder().build_default_simulation(system, cases.height)
    period = "2026"
    for name in columns.columns:
        simulation.set_input(name, period, columns[name].to_numpy())
    found = {
        name: simulation.calculate(name, period)
        for name in ("rate_min", "rate_max", "amount_min", "amount_max", "compliant")
    }
    out = pl.DataFrame(found).with_columns(
        outcome=pl.when(pl.col("compliant"))
        .then(pl.lit("compliant"))
        .otherwise(pl.lit("non_compliant"))
    )
    out.write_parquet(target)


def _openfisca_system() -> Any:
    from openfisca_core.entities import build_entity
    from openfisca_core.periods import DateUnit
    from openfisca_core.taxbenefitsystems import TaxBenefitSystem
    from openfisca_core.variables import Variable

    case = build_entity(key="case", plural="cases", label="A wage-deposit case", is_person=True)

    def variable(name: str, kind: type, formula: Callable[..., Any] | None = None) -> type:
        attributes: dict[str, Any] = {
            "value_type": kind,
            "entity": case,
            "definition_period": DateUnit.YEAR,
            "label": name,
        }
        if formula is not None:
            attributes["formula"] = formula
        return type(name, (Variable,), attributes)

    def rate_min(c: Any, period: Any) -> Any:
        previous = np.clip(c("previous", period), 20, 60)
        return np.where(
            c("first", period),
            40,
            np.where(c("arrears", period), 50, np.maximum(previous - 10, 20)),
        )

    def rate_max(c: Any, period: Any) -> Any:
        previous = np.clip(c("previous", period), 20, 60)
        return np.where(c("first", period), 50, np.where(c("arrears", period), 60, previous))

    def amount_min(c: Any, period: Any) -> Any:
        return (c("fen", period) * c("rate_min", period) + 500) // 1000

    def amount_max(c: Any, period: Any) -> Any:
        return (c("fen", period) * c("rate_max", period) + 500) // 1000

    def compliant(c: Any, period: Any) -> Any:
        proposed = c("proposed", period)
        within = (proposed >= c("rate_min", period)) & (proposed <= c("rate_max", period))
        return within & c("cash", period)

    from openfisca_core.variables import config

    system = TaxBenefitSystem([case])
    # int64, not OpenFisca's int32 for ``int``: amounts in fen times thousandths pass 2**31
    kept = config.VALUE_TYPES[int]["dtype"]
    config.VALUE_TYPES[int]["dtype"] = np.int64
    try:
        system.add_variables(
            variable("fen", int),
            variable("first", bool),
            variable("previous", int),
            variable("arrears", bool),
            variable("proposed", int),
            variable("cash", bool),
            variable("rate_min", int, rate_min),
            variable("rate_max", int, rate_max),
            variable("amount_min", int, amount_min),
            variable("amount_max", int, amount_max),
            variable("compliant", bool, compliant),
        )
    finally:
        config.VALUE_TYPES[int]["dtype"] = kept
    return system


# --------------------------------------------------------------------------- checks


def values_of_govrules(output: Path) -> pl.DataFrame:
    """govrules' output rows as the integers the hand-written contenders compute."""
    rows = pl.read_parquet(output, columns=["outcome", "values"])
    schema = pl.Struct(
        {name: pl.String for name in ("rate_min", "rate_max", "amount_min", "amount_max")}
        | {"compliant": pl.Boolean}
    )
    values = rows.select(pl.col("values").str.json_decode(schema), pl.col("outcome")).unnest(
        "values"
    )
    return values.select(
        rate_min=_scaled(pl.col("rate_min"), 3),
        rate_max=_scaled(pl.col("rate_max"), 3),
        amount_min=_scaled(pl.col("amount_min"), 2),
        amount_max=_scaled(pl.col("amount_max"), 2),
        compliant=pl.col("compliant"),
        outcome=pl.col("outcome"),
    )


def values_of_columns(output: Path) -> pl.DataFrame:
    """The value columns (decimal128 with 18 places) as the same integers."""
    rows = pl.read_parquet(output)

    def scaled(name: str, places: int) -> pl.Expr:
        return pl.col(name).to_physical() // 10 ** (18 - places)

    return rows.select(
        rate_min=scaled("rate_min", 3),
        rate_max=scaled("rate_max", 3),
        amount_min=scaled("amount_min", 2),
        amount_max=scaled("amount_max", 2),
        compliant=pl.col("compliant"),
        outcome=pl.col("outcome"),
    )


def values_check(frame: pl.DataFrame) -> str:
    columns = ("rate_min", "rate_max", "amount_min", "amount_max", "compliant", "outcome")
    text = (
        frame.select(columns)
        .cast(
            {
                "rate_min": pl.Int64,
                "rate_max": pl.Int64,
                "amount_min": pl.Int64,
                "amount_max": pl.Int64,
            }
        )
        .write_csv()
    )
    return digest(text)


def value_rows_check(output: Path, rows: int) -> str:
    """A digest of the first ``rows`` rows of value columns (decimals by their digits)."""
    return digest(pl.read_parquet(output).head(rows).write_csv())


def rows_check(output: Path, rows: int) -> str:
    """A digest of the first ``rows`` output rows: row, outcome, fingerprint, decision."""
    table = pl.read_parquet(
        output, columns=["row", "outcome", "fingerprint", "decision", "error"]
    ).head(rows)
    return digest(table.write_csv())


def _best(run: Callable[[], Any], repeats: int) -> tuple[float, Any]:
    best, found = float("inf"), None
    for _ in range(repeats):
        started = time.perf_counter()
        found = run()
        best = min(best, time.perf_counter() - started)
    return best, found


# --------------------------------------------------------------------------- measure


def measure(quick: bool) -> list[dict[str, Any]]:
    count = QUICK if quick else FULL
    loop = LOOP_QUICK if quick else LOOP_FULL
    repeats = 3 if quick else 2
    engine = Engine.default()
    lines: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="govrules-columnar-") as folder:
        home = Path(folder)
        source, head = home / "cases.parquet", home / "head.parquet"
        wage_cases(count).write_parquet(source)
        pq.write_table(pq.read_table(source).slice(0, loop), head)
        columnar_out, per_case_out = home / "columnar.parquet", home / "per-case.parquet"
        seconds, _ = _best(lambda: govrules_columnar(engine, TAOBEI, source, columnar_out), repeats)
        loop_seconds, _ = _best(lambda: govrules_per_case(engine, TAOBEI, head, per_case_out), 1)
        values_out = home / "values.parquet"
        values_seconds, _ = _best(
            lambda: govrules_values(engine, TAOBEI, source, values_out), repeats
        )
        loop_values_out = home / "per-case-values.parquet"
        loop_values_seconds, _ = _best(
            lambda: govrules_values_per_case(engine, TAOBEI, head, loop_values_out), 1
        )
        hand_seconds, _ = _best(lambda: polars_by_hand(source, home / "hand.parquet"), repeats)
        fisca_seconds, _ = _best(lambda: openfisca(source, home / "openfisca.parquet"), repeats)
        ours = values_check(values_of_govrules(columnar_out))
        ours_typed = values_check(values_of_columns(values_out))
        hand = values_check(pl.read_parquet(home / "hand.parquet"))
        fisca = values_check(pl.read_parquet(home / "openfisca.parquet"))
        rate, loop_rate = count / seconds, loop / loop_seconds
        values_rate, loop_values_rate = count / values_seconds, loop / loop_values_seconds
        note = f"{count:,} cases, Parquet to Parquet, best of {repeats}"
        bench = f"wage deposit (Taobei), {count:,} cases, Parquet → Parquet"
        rows = f"wage deposit (Taobei) batch rows (--cite ids), the first {loop:,}"
        value_rows = f"wage deposit (Taobei) value columns (--columns values), the first {loop:,}"
        lines += [
            _line(
                value_rows,
                "govrules value columns",
                values_rate,
                "govrules per-case",
                values_rate / loop_values_rate,
                ">= 20x",
                values_rate / loop_values_rate >= 20,
                value_rows_check(values_out, loop),
                note + "; every output row",
            ),
            _line(
                value_rows,
                "govrules per-case",
                loop_values_rate,
                None,
                None,
                None,
                None,
                value_rows_check(loop_values_out, loop),
                f"{loop:,} cases, each decided by the engine into the same columns, one run",
            ),
            _line(
                rows,
                "govrules columnar",
                rate,
                "govrules per-case",
                rate / loop_rate,
                ">= 20x",
                rate / loop_rate >= 20,
                rows_check(columnar_out, loop),
                note + "; every output row",
            ),
            _line(
                rows,
                "govrules per-case",
                loop_rate,
                None,
                None,
                None,
                None,
                rows_check(per_case_out, loop),
                f"{loop:,} cases, the batch loop, one run",
            ),
            _line(
                bench,
                "govrules columnar",
                rate,
                "OpenFisca-Core",
                fisca_seconds / seconds,
                "faster",
                fisca_seconds > seconds,
                ours,
                note + "; full decisions (fingerprint, citations, law-hierarchy notice)",
            ),
            _line(
                bench,
                "govrules value columns",
                values_rate,
                "OpenFisca-Core",
                fisca_seconds / values_seconds,
                "faster",
                fisca_seconds > values_seconds,
                ours_typed,
                note + "; --columns values: outcome and values, decimal128(38, 18), exact",
            ),
            _line(
                bench,
                "hand-written polars",
                count / hand_seconds,
                None,
                None,
                None,
                None,
                hand,
                note + "; scaled integers, values only",
            ),
            _line(
                bench,
                "OpenFisca-Core",
                count / fisca_seconds,
                None,
                None,
                None,
                None,
                fisca,
                note + f"; {_version('openfisca-core')}, int64 fen and thousandths, values only",
            ),
        ]
        for policy_id in (
            "cn.national.retirement_eligibility",
            "cn.national.labor_arbitration_time_limits",
        ):
            lines += _other_policy(engine, policy_id, home, quick)
    return lines


def _other_policy(engine: Engine, policy_id: str, home: Path, quick: bool) -> list[dict[str, Any]]:
    count = OTHERS_QUICK if quick else OTHERS_FULL
    loop = OTHERS_LOOP_QUICK if quick else OTHERS_LOOP_FULL
    source, head = home / f"{policy_id}.parquet", home / f"{policy_id}-head.parquet"
    scalar_cases(engine, policy_id, count).write_parquet(source)
    pq.write_table(pq.read_table(source).slice(0, loop), head)
    out, loop_out = home / f"{policy_id}-out.parquet", home / f"{policy_id}-loop.parquet"
    seconds, _ = _best(lambda: govrules_columnar(engine, policy_id, source, out), 1)
    loop_seconds, _ = _best(lambda: govrules_per_case(engine, policy_id, head, loop_out), 1)
    rate, loop_rate = count / seconds, loop / loop_seconds
    short = policy_id.rsplit(".", 1)[1]
    name = f"{short} batch rows (--cite ids), the first {loop:,}"
    values_out, loop_values = home / f"{short}-values.parquet", home / f"{short}-pv.parquet"
    values_seconds, _ = _best(lambda: govrules_values(engine, policy_id, source, values_out), 2)
    loop_values_seconds, _ = _best(
        lambda: govrules_values_per_case(engine, policy_id, head, loop_values), 1
    )
    values_rate, loop_values_rate = count / values_seconds, loop / loop_values_seconds
    values_name = f"{short} value columns (--columns values), the first {loop:,}"
    return [
        _line(
            values_name,
            "govrules value columns",
            values_rate,
            "govrules per-case",
            values_rate / loop_values_rate,
            None,
            None,
            value_rows_check(values_out, loop),
            f"{count:,} generated cases (tests/golden), best of 2; every output row",
        ),
        _line(
            values_name,
            "govrules per-case",
            loop_values_rate,
            None,
            None,
            None,
            None,
            value_rows_check(loop_values, loop),
            f"{loop:,} cases, each decided by the engine, one run",
        ),
        _line(
            name,
            "govrules columnar",
            rate,
            "govrules per-case",
            rate / loop_rate,
            None,
            None,
            rows_check(out, loop),
            f"{count:,} generated cases (tests/golden), one run",
        ),
        _line(
            name,
            "govrules per-case",
            loop_rate,
            None,
            None,
            None,
            None,
            rows_check(loop_out, loop),
            f"{loop:,} cases, the batch loop, one run",
        ),
    ]


def _line(
    benchmark: str,
    contender: str,
    value: float,
    versus: str | None,
    ratio: float | None,
    target: str | None,
    met: bool | None,
    check: str | None,
    note: str,
) -> dict[str, Any]:
    return {
        "goal": GOAL,
        "benchmark": benchmark,
        "contender": contender,
        "unit": "cases/s",
        "value": round(value, 1),
        "versus": versus,
        "ratio": None if ratio is None else round(ratio, 2),
        "target": target,
        "met": met,
        "check": check,
        "note": note,
    }


def _version(package: str) -> str:
    from importlib.metadata import version

    return f"{package} {version(package)}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="20,000 cases instead of 1,000,000")
    args = parser.parse_args(argv)
    print(
        f"# {platform.processor() or platform.machine()}, Python {platform.python_version()}, "
        f"polars {pl.__version__}, pyarrow {pa.__version__}"
    )
    for line in measure(args.quick):
        ratio = f"  {line['ratio']}x {line['versus']}" if line["ratio"] is not None else ""
        print(
            f"{line['benchmark']} | {line['contender']}: {line['value']:,.0f} {line['unit']}{ratio}"
            f"  [{line['check'][:19] if line['check'] else ''}]"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
