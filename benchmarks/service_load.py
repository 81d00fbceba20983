"""A bounded load test of ``govrules serve``: N evaluations from C concurrent clients against the
real server started in a subprocess, reporting requests per second, p50/p99 latency and errors.

    python benchmarks/service_load.py                    # 20,000 evaluations, 32 clients
    python benchmarks/service_load.py --quick            # 1,000 evaluations, 8 clients
    python benchmarks/service_load.py --workers 2 --trace

Every answer must be 200 and a decision of the case sent; every 100th is compared with the
engine's own decision of the same case (same fingerprint). Zero errors is the bar: the script
exits 1 otherwise. Run from the repository root with the serve extra installed.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import socket
import statistics
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

import httpx

from govrules import Engine

POLICY = "cn.jilin.taobei.wage_deposit"
AS_OF = dt.date(2026, 11, 21)
CHECK_EVERY = 100


def _case(number: int) -> dict[str, object]:
    """Varied cases: first deposits and later ones, with and without arrears."""
    price = f"{100000 + number * 37}.{number % 100:02d}"
    if number % 3 == 0:
        return {"contract_price": price, "first_deposit": True}
    return {
        "contract_price": price,
        "first_deposit": False,
        "previous_rate": "0.04",
        "arrears_in_previous_period": number % 2 == 0,
    }


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _start(port: int, workers: int) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "govrules", "serve", "--port", str(port)]
    process = subprocess.Popen(
        [*command, "--workers", str(workers)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit("govrules serve stopped while starting (is the serve extra in?)")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/readyz").status_code == 200:
                return process
        except httpx.TransportError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit("govrules serve did not become ready within 120 s")


async def _load(
    url: str, total: int, clients: int, trace: bool
) -> tuple[list[float], list[str], dict[int, str]]:
    latencies: list[float] = []
    errors: list[str] = []
    fingerprints: dict[int, str] = {}
    numbers = iter(range(total))
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    params = {"as_of": AS_OF.isoformat(), "trace": str(trace).lower()}
    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=60) as client:

        async def one_client() -> None:
            for number in numbers:
                case = _case(number)
                started = time.perf_counter()
                try:
                    response = await client.post(
                        f"/v1/policies/{POLICY}/evaluate", params=params, json=case
                    )
                except httpx.HTTPError as error:
                    errors.append(f"case {number}: {type(error).__name__}: {error}")
                    continue
                latencies.append(time.perf_counter() - started)
                if response.status_code != 200:
                    errors.append(f"case {number}: {response.status_code} {response.text[:200]}")
                    continue
                decision = response.json()
                given = Decimal(str(case["contract_price"]))
                if Decimal(decision["facts"]["contract_price"]) != given:
                    errors.append(f"case {number}: the answer is for other facts")
                if number % CHECK_EVERY == 0:
                    fingerprints[number] = decision["fingerprint"]

        await asyncio.gather(*(one_client() for _ in range(clients)))
    return latencies, errors, fingerprints


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=20_000)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--workers", type=int, default=1, help="server worker processes")
    parser.add_argument("--trace", action="store_true", help="ask for the trace too")
    parser.add_argument("--quick", action="store_true", help="1,000 requests, 8 clients")
    args = parser.parse_args()
    total, clients = (1_000, 8) if args.quick else (args.requests, args.clients)
    port = _free_port()
    process = _start(port, args.workers)
    try:
        started = time.perf_counter()
        latencies, errors, fingerprints = asyncio.run(
            _load(f"http://127.0.0.1:{port}", total, clients, args.trace)
        )
        elapsed = time.perf_counter() - started
    finally:
        process.terminate()
        process.wait(30)
    engine = Engine.from_directory(Path("policies"))
    for number, fingerprint in fingerprints.items():
        expected = engine.evaluate(POLICY, _case(number), AS_OF, trace=args.trace).fingerprint
        if fingerprint != expected:
            errors.append(f"case {number}: fingerprint {fingerprint}, the engine's {expected}")
    print(
        f"govrules serve, {args.workers} worker(s); {total:,} evaluations of {POLICY} "
        f"from {clients} concurrent clients, trace {'on' if args.trace else 'off'}"
    )
    print(f"  requests/s  {len(latencies) / elapsed:,.0f}")
    if latencies:
        print(
            f"  latency     p50 {_percentile(latencies, 0.5) * 1000:.1f} ms, "
            f"p99 {_percentile(latencies, 0.99) * 1000:.1f} ms, "
            f"mean {statistics.fmean(latencies) * 1000:.1f} ms"
        )
    print(f"  checked     {len(fingerprints)} answers against the engine's own decisions")
    print(f"  errors      {len(errors)}")
    for error in errors[:10]:
        print(f"    {error}")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())


def measure(quick: bool) -> list[dict[str, object]]:
    """The harness's lines (``python -m benchmarks --only service_load``): the server's requests
    per second and latency, and the engine in this process deciding the same cases; the check of
    both is the digest of the fingerprints of every 100th case, so a server that answers
    differently from the engine is a disagreement. Any error or non-200 answer raises."""
    from benchmarks.harness import digest

    total, clients = (1_000, 8) if quick else (20_000, 32)
    port = _free_port()
    process = _start(port, 1)
    try:
        started = time.perf_counter()
        latencies, errors, fingerprints = asyncio.run(
            _load(f"http://127.0.0.1:{port}", total, clients, False)
        )
        elapsed = time.perf_counter() - started
    finally:
        process.terminate()
        process.wait(30)
    if errors:
        raise RuntimeError(f"{len(errors)} failed evaluations, the first: {errors[0]}")
    engine = Engine.from_directory(Path(__file__).resolve().parents[1] / "policies")
    cases = [_case(number) for number in range(total)]
    in_process = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        decisions = [engine.evaluate(POLICY, case, AS_OF, trace=False) for case in cases]
        in_process = min(in_process, time.perf_counter() - started)
    expected = {number: decisions[number].fingerprint for number in fingerprints}
    load = f"{total:,} evaluations of {POLICY} from {clients} clients"
    common = {"goal": "service", "unit": "decisions/s", "ratio": None, "target": None, "met": None}
    return [
        {
            **common,
            "benchmark": "HTTP evaluate, trace off, 1 worker",
            "contender": "govrules serve",
            "value": len(latencies) / elapsed,
            "versus": "Engine.evaluate in process",
            "check": digest(sorted(fingerprints.items())),
            "note": f"{load}; p50 {_percentile(latencies, 0.5) * 1000:.1f} ms, "
            f"p99 {_percentile(latencies, 0.99) * 1000:.1f} ms; zero errors",
        },
        {
            **common,
            "benchmark": "HTTP evaluate, trace off, 1 worker",
            "contender": "Engine.evaluate in process",
            "value": total / in_process,
            "versus": None,
            "check": digest(sorted(expected.items())),
            "note": f"the same {total:,} cases in one loop, best of 3",
        },
    ]
