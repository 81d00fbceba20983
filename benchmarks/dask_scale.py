"""Benchmark: a million wage-deposit decisions on Dask, with one worker process and with two.

The cases (the national 2021 wage-deposit rule, cn.national.wage_deposit, by default) are
generated on the workers, partition by partition, from a fixed seed, so that no case crosses
the network. Each run decides every row with ``govrules.dask.evaluate_dataframe`` -- outcome,
values, fingerprint -- and reduces each partition to its row count, its bad rows and a digest
of its fingerprints. The script prints cases per second for

1. the single-process loop: the very function the workers run, here, over the first partitions
   (``--baseline`` cases; the whole set with ``--quick``),
2. Dask with 1 worker process, and
3. Dask with 2 worker processes,

the ratios to the single-process loop, and checks that every run gave the same fingerprints
(partition by partition) with zero bad rows. A worker's start (loading the packs once) is timed
apart from the run.

    python benchmarks/dask_scale.py                   # 1,000,000 cases (long: see README)
    python benchmarks/dask_scale.py --cases 100000    # fewer
    python benchmarks/dask_scale.py --quick           # 20,000 cases, a smoke run
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import platform
import random
import sys
import time
from collections import Counter

import dask.dataframe as dd
import pandas as pd
import pyarrow as pa
from distributed import Client, LocalCluster

from govrules.dask import check_workers, evaluate_dataframe
from govrules.dask.dataframe import decide_frame
from govrules.dask.engines import engine_for, pack_identity

POLICY_ID = "cn.national.wage_deposit"
AS_OF = dt.date(2026, 11, 21)
FULL_CASES = 1_000_000
QUICK_CASES = 20_000
BASELINE_CASES = 50_000
PARTITION = 25_000  # rows of one partition (a task); --quick uses QUICK_PARTITION
QUICK_PARTITION = 2_500
PAYMENT_FORMS = ("cash", "bank_guarantee", "guarantee_company", "insurance_guarantee", "other")


def generated_cases(part: tuple[int, int]) -> pd.DataFrame:
    """The cases of one partition: a fixed seed per partition, every fact a valid value."""
    number, size = part
    rng = random.Random(number)
    day = dt.date(2025, 1, 1)

    def some_day() -> dt.date:
        return day + dt.timedelta(days=rng.randrange(600))

    rows = []
    for _ in range(size):
        price = rng.randrange(10_000_00, 900_000_000_00)
        form = rng.choice(PAYMENT_FORMS)
        rows.append(
            {
                "contract_price": f"{price // 100}.{price % 100:02d}",
                "years_without_arrears": rng.randrange(0, 5),
                "arrears_in_year_before_contract": rng.random() < 0.1,
                "proposed_rate": f"0.{rng.randrange(5, 40):03d}",
                "payment_form": form,
                "guarantee_amount": None if form == "cash" else str(price // 5000),
                "permit_date": some_day(),
                "contract_end_date": day + dt.timedelta(days=700 + rng.randrange(400)),
            }
        )
    frame = pd.DataFrame(rows)
    return frame.astype(
        {
            "contract_price": "string[pyarrow]",
            "years_without_arrears": "Int64",
            "arrears_in_year_before_contract": "boolean",
            "proposed_rate": "string[pyarrow]",
            "payment_form": "string[pyarrow]",
            "guarantee_amount": "string[pyarrow]",
            "permit_date": pd.ArrowDtype(pa.date32()),
            "contract_end_date": pd.ArrowDtype(pa.date32()),
        }
    )


def parts(cases: int, rows: int) -> list[tuple[int, int]]:
    """The partitions of ``cases``: (number, size), ``rows`` at most each."""
    return [(start // rows, min(rows, cases - start)) for start in range(0, cases, rows)]


def summary(result: pd.DataFrame) -> pd.DataFrame:
    """One row per partition: rows, bad rows, outcomes, and a digest of the fingerprints."""
    fingerprints = "\n".join(result["fingerprint"].fillna("-").tolist())
    return pd.DataFrame(
        {
            "rows": [len(result)],
            "errors": [int(result["error"].notna().sum())],
            "outcomes": [json.dumps(Counter(result["outcome"].fillna("-").tolist()))],
            "digest": [hashlib.sha256(fingerprints.encode()).hexdigest()],
        }
    )


SUMMARY_META = pd.DataFrame(
    {
        "rows": pd.Series([], dtype="int64"),
        "errors": pd.Series([], dtype="int64"),
        "outcomes": pd.Series([], dtype=object),
        "digest": pd.Series([], dtype=object),
    }
)


def single_process(cases: int, policy_id: str, rows: int) -> tuple[float, list[pd.DataFrame]]:
    engine = engine_for(())
    expected = pack_identity(engine)
    started = time.perf_counter()  # generating the cases is timed here as on the workers
    results = [
        summary(decide_frame(generated_cases(part), policy_id, AS_OF, (), False, expected))
        for part in parts(cases, rows)
    ]
    return time.perf_counter() - started, results


def on_dask(
    workers: int, cases: int, policy_id: str, rows: int
) -> tuple[float, float, pd.DataFrame]:
    started = time.perf_counter()
    with (
        LocalCluster(
            n_workers=workers, threads_per_worker=1, processes=True, dashboard_address="127.0.0.1:0"
        ) as cluster,
        Client(cluster) as client,
    ):
        check_workers(client)  # each worker loads the packs, once: timed as the start
        ready = time.perf_counter()
        frame = dd.from_map(
            generated_cases, parts(cases, rows), meta=generated_cases((0, 1)).iloc[:0]
        )
        result = evaluate_dataframe(frame, policy_id, AS_OF)
        reduced = result.map_partitions(summary, meta=SUMMARY_META).compute()
        done = time.perf_counter()
    return ready - started, done - ready, reduced.reset_index(drop=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=FULL_CASES)
    parser.add_argument(
        "--baseline",
        type=int,
        default=BASELINE_CASES,
        help="cases of the single-process loop (whole partitions)",
    )
    parser.add_argument("--policy", default=POLICY_ID)
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_CASES:,} cases")
    parser.add_argument("--partition", type=int, default=PARTITION, help="rows of a partition")
    args = parser.parse_args()
    rows = QUICK_PARTITION if args.quick else args.partition
    cases = QUICK_CASES if args.quick else args.cases
    # whole partitions, so that their fingerprints compare with the Dask runs' partitions
    wanted = cases if args.quick else min(cases, args.baseline)
    baseline = sum(size for _, size in parts(cases, rows)[: len(parts(max(1, wanted), rows))])
    print(
        f"{args.policy}, {cases:,} generated cases in partitions of {rows:,}; "
        f"Python {platform.python_version()}, {os.cpu_count()} cores"
    )

    seconds, loop = single_process(baseline, args.policy, rows)
    loop_rate = baseline / seconds
    print(
        f"  single-process loop   {baseline:>9,} cases  {seconds:8.1f} s  "
        f"{loop_rate:9,.0f} cases/s  1.00x"
    )
    runs = {}
    for workers in (1, 2):
        start, seconds, reduced = on_dask(workers, cases, args.policy, rows)
        runs[workers] = reduced
        rate = cases / seconds
        print(
            f"  Dask, {workers} worker{'s' if workers > 1 else ' '}       {cases:>9,} cases  "
            f"{seconds:8.1f} s  {rate:9,.0f} cases/s  {rate / loop_rate:.2f}x  "
            f"(start {start:.1f} s)"
        )

    problems = []
    if not runs[1]["digest"].equals(runs[2]["digest"]):
        problems.append("the 1-worker and 2-worker runs gave different fingerprints")
    if [r["digest"].iloc[0] for r in loop] != runs[1]["digest"].tolist()[: len(loop)]:
        problems.append("Dask and the single-process loop gave different fingerprints")
    for workers, reduced in runs.items():
        if int(reduced["rows"].sum()) != cases:
            problems.append(f"{workers} worker(s): {int(reduced['rows'].sum())} rows")
        if int(reduced["errors"].sum()):
            problems.append(f"{workers} worker(s): {int(reduced['errors'].sum())} bad rows")
    outcomes = sum((Counter(json.loads(o)) for o in runs[2]["outcomes"]), Counter())
    print("  outcomes: " + ", ".join(f"{name} {count:,}" for name, count in outcomes.most_common()))
    print("  same fingerprints in every run, zero bad rows: " + ("yes" if not problems else "NO"))
    for problem in problems:
        print(f"  ! {problem}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())


def measure(quick: bool) -> list[dict[str, object]]:
    """The harness's lines (``python -m benchmarks --only dask_scale``): cases per second of the
    single-process loop and of Dask with 1 and 2 workers, the ratios to the loop; the check of
    each is the digest of the partitions' fingerprint digests that the loop also decided. Bad
    rows, lost rows, or 1 and 2 workers disagreeing on any partition raise."""
    from benchmarks.harness import digest

    rows = QUICK_PARTITION if quick else PARTITION
    cases = QUICK_CASES if quick else FULL_CASES
    wanted = cases if quick else min(cases, BASELINE_CASES)
    baseline = sum(size for _, size in parts(cases, rows)[: len(parts(max(1, wanted), rows))])
    seconds, loop = single_process(baseline, POLICY_ID, rows)
    loop_rate = baseline / seconds
    compared = len(loop)
    common = {"goal": "Dask", "benchmark": f"{POLICY_ID}, generated cases", "unit": "cases/s"}
    lines: list[dict[str, object]] = [
        {
            **common,
            "contender": "single-process loop",
            "value": loop_rate,
            "check": digest([summary["digest"].iloc[0] for summary in loop]),
            "note": f"{baseline:,} cases in partitions of {rows:,}",
        }
    ]
    runs = {}
    for workers in (1, 2):
        start, seconds, reduced = on_dask(workers, cases, POLICY_ID, rows)
        runs[workers] = reduced
        if int(reduced["rows"].sum()) != cases or int(reduced["errors"].sum()):
            raise RuntimeError(
                f"{workers} worker(s): {int(reduced['rows'].sum())} rows of {cases}, "
                f"{int(reduced['errors'].sum())} bad rows"
            )
        lines.append(
            {
                **common,
                "contender": f"Dask, {workers} worker{'s' if workers > 1 else ''}",
                "value": cases / seconds,
                "versus": "single-process loop",
                "ratio": cases / seconds / loop_rate,
                "check": digest(reduced["digest"].tolist()[:compared]),
                "note": f"{cases:,} cases; cluster start {start:.1f} s (not timed)",
            }
        )
    if not runs[1]["digest"].equals(runs[2]["digest"]):
        raise RuntimeError("the 1-worker and 2-worker runs gave different fingerprints")
    return lines
