"""Benchmark (issue 18, goal 2): one decision with its trace, written as JSON -- what the
command line and the service return -- on every bundled policy, now and before the speed-ups.

For each of the bundled policies, the cases of its own tests (``policy.model.tests``) are
decided with ``Engine.evaluate_version(...)`` and written with ``decision.to_json()`` (the
trace on, indented: the fingerprint, the trace digest and the JSON text), by the working tree's
govrules and by the baseline (``benchmarks/baseline.py``), each in a fresh interpreter, rounds
alternating so that both see the same machine. The figure is microseconds of CPU time per
decision (``time.process_time``: other processes on a busy machine do not count), the best of
several repeats; the target is at least 4x the baseline on every policy. The full run also
decides the same cases with the trace off and no JSON (informative). Each contender's
``check`` is the digest of every JSON text it wrote: the two must agree, policy by policy.

    python benchmarks/evaluate_json.py           # three rounds, best of 5 (about a minute)
    python benchmarks/evaluate_json.py --quick   # one round, best of 2, trace on only
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import sys
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: the repository root is not on sys.path
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.baseline import BASELINE_REF, baseline_tree, run_python  # noqa: E402

__all__ = ["TARGET", "measure"]

TARGET = 4.0  # trace on, evaluate + to_json(): at least this many times the baseline's speed
GOAL = "2 evaluate+JSON"
NOW = "govrules"
BEFORE = "govrules@baseline"

# Run in each contender's interpreter: decide every policy's test cases, time them, print JSON.
_SCRIPT = r"""
import hashlib, json, sys, time
from govrules.engine import Engine
from govrules.errors import GovrulesError

repeats, floor, timed_plain = int(sys.argv[1]), float(sys.argv[2]), sys.argv[3] == "1"
engine = Engine.default()

def traced(policy, cases):
    out = []
    for day, case in cases:
        try:
            out.append(engine.evaluate_version(policy, case, day).to_json())
        except GovrulesError as error:
            out.append(f"{type(error).__name__}: {error}")
    return out

def plain(policy, cases):
    out = []
    for day, case in cases:
        try:
            out.append(engine.evaluate_version(policy, case, day, trace=False))
        except GovrulesError as error:
            out.append(None)
    return out

def best(run, policy, cases):
    # enough passes per repeat that one repeat lasts at least `floor` seconds
    started = time.process_time()
    run(policy, cases)
    once = max(time.process_time() - started, 1e-6)
    passes = max(1, int(floor / once))
    fastest = float("inf")
    for _ in range(repeats):
        started = time.process_time()
        for _ in range(passes):
            run(policy, cases)
        fastest = min(fastest, (time.process_time() - started) / passes)
    return fastest / len(cases) * 1e6

found = {}
for policy in engine.policies():
    cases = [(test.as_of, dict(test.input)) for test in policy.model.tests]
    if not cases:
        continue
    texts = traced(policy, cases)
    plain_json = [
        d.to_json() if d is not None else "error" for d in plain(policy, cases)
    ]
    found[f"{policy.id} {policy.version}"] = {
        "cases": len(cases),
        "traced_us": best(traced, policy, cases),
        "plain_us": best(plain, policy, cases) if timed_plain else 0.0,
        "check": "sha256:" + hashlib.sha256("\n".join(texts).encode("utf-8")).hexdigest(),
        "plain_check": "sha256:"
        + hashlib.sha256("\n".join(plain_json).encode("utf-8")).hexdigest(),
    }
print(json.dumps(found))
"""


def _run(src: Path | None, repeats: int, floor: float, plain: bool) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = json.loads(
        run_python(_SCRIPT, src, [str(repeats), str(floor), "1" if plain else "0"])
    )
    return found


def _best_of(rounds: list[dict[str, dict[str, Any]]]) -> dict[str, dict[str, Any]]:
    """Each policy's fastest figures over the rounds (checks must not change between rounds)."""
    merged: dict[str, dict[str, Any]] = {}
    for found in rounds:
        for key, entry in found.items():
            kept = merged.setdefault(key, dict(entry))
            if (kept["check"], kept["plain_check"]) != (entry["check"], entry["plain_check"]):
                raise RuntimeError(f"{key}: two rounds of one contender wrote different JSON")
            kept["traced_us"] = min(kept["traced_us"], entry["traced_us"])
            kept["plain_us"] = min(kept["plain_us"], entry["plain_us"])
    return merged


def _all_check(found: dict[str, dict[str, Any]], field: str) -> str:
    joined = "\n".join(f"{key} {found[key][field]}" for key in sorted(found))
    return "sha256:" + hashlib.sha256(joined.encode("utf-8")).hexdigest()


def _geomean(values: list[float]) -> float:
    return math.exp(sum(math.log(v) for v in values) / len(values))


def measure(quick: bool) -> list[dict[str, Any]]:
    """Trace on (evaluate + to_json) per policy, now and at the baseline; then trace off."""
    rounds, repeats, floor = (1, 2, 0.005) if quick else (3, 5, 0.05)
    timed_plain = not quick  # trace off is informative: timed in the full run only
    src = baseline_tree()
    now_rounds, before_rounds = [], []
    for _ in range(rounds):  # alternate, so that a busy moment of the machine hits both
        before_rounds.append(_run(src, repeats, floor, timed_plain))
        now_rounds.append(_run(None, repeats, floor, timed_plain))
    now, before = _best_of(now_rounds), _best_of(before_rounds)
    if set(now) != set(before):
        raise RuntimeError("the working tree and the baseline do not bundle the same policies")
    note = f"best of {repeats} x {rounds} rounds; CPU µs per decision over the policy's tests"
    keys = sorted(now)
    traced = {key: before[key]["traced_us"] / now[key]["traced_us"] for key in keys}
    plain = {
        key: before[key]["plain_us"] / now[key]["plain_us"] if timed_plain else 1.0 for key in keys
    }
    slowest = min(keys, key=traced.__getitem__)
    cases = sum(now[key]["cases"] for key in keys)
    lines: list[dict[str, Any]] = []

    def total(found: dict[str, dict[str, Any]], field: str) -> float:
        return float(sum(found[k][field] * found[k]["cases"] for k in keys) / cases)

    modes: list[tuple[str, str, str, str | None]] = [
        ("trace on, evaluate + to_json", "traced_us", "check", f">= {TARGET:g}x every policy")
    ]
    if timed_plain:
        modes.append(("trace off, evaluate", "plain_us", "plain_check", None))
    for label, field, check, target in modes:
        ratios = traced if field == "traced_us" else plain
        name = f"{label}: all {len(keys)} policies, {cases} test cases"
        lines.append(
            {
                "goal": GOAL,
                "benchmark": name,
                "contender": BEFORE,
                "unit": "µs",
                "value": round(total(before, field), 2),
                "check": _all_check(before, check),
                "note": f"{note}; mean over all cases; {BASELINE_REF}",
            }
        )
        worst = min(keys, key=ratios.__getitem__)
        lines.append(
            {
                "goal": GOAL,
                "benchmark": name,
                "contender": NOW,
                "unit": "µs",
                "value": round(total(now, field), 2),
                "versus": BEFORE,
                "target": target,
                "met": min(ratios.values()) >= TARGET if target else None,
                "check": _all_check(now, check),
                "note": f"{note}; per policy: lowest {min(ratios.values()):.2f}x ({worst}), "
                f"geometric mean {_geomean(list(ratios.values())):.2f}x",
            }
        )
    for key in keys:
        name = f"trace on, evaluate + to_json: {key}"
        lines.append(
            {
                "goal": GOAL,
                "benchmark": name,
                "contender": BEFORE,
                "unit": "µs",
                "value": round(before[key]["traced_us"], 2),
                "check": before[key]["check"],
                "note": f"{before[key]['cases']} cases",
            }
        )
        lines.append(
            {
                "goal": GOAL,
                "benchmark": name,
                "contender": NOW,
                "unit": "µs",
                "value": round(now[key]["traced_us"], 2),
                "versus": BEFORE,
                "target": f">= {TARGET:g}x",
                "met": traced[key] >= TARGET,
                "check": now[key]["check"],
                "note": "the slowest ratio" if key == slowest else None,
            }
        )
    for key in keys if timed_plain else ():  # trace off: informative, one line per policy
        lines.append(
            {
                "goal": GOAL,
                "benchmark": f"trace off, evaluate: {key}",
                "contender": NOW,
                "unit": "µs",
                "value": round(now[key]["plain_us"], 2),
                "versus": BEFORE,
                "ratio": round(plain[key], 2),
                "check": now[key]["plain_check"],
                "note": f"baseline {before[key]['plain_us']:.2f} µs",
            }
        )
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="one round, best of 2")
    args = parser.parse_args(argv)
    lines = measure(args.quick)
    width = max(len(line["benchmark"]) for line in lines)
    for line in lines:
        ratio = f"{line['ratio']:.2f}x" if line.get("ratio") else ""
        if not ratio and line.get("versus"):
            versus = next(
                other
                for other in lines
                if other["benchmark"] == line["benchmark"] and other["contender"] == line["versus"]
            )
            ratio = f"{versus['value'] / line['value']:.2f}x"
        met = {True: "met", False: "MISSED", None: ""}[line.get("met")]
        print(
            f"{line['benchmark']:<{width}}  {line['contender']:<18} "
            f"{line['value']:>10.2f} {line['unit']}  {ratio:>7} {met}"
        )
    checks: dict[str, set[str | None]] = {}
    for line in lines:
        checks.setdefault(line["benchmark"], set()).add(line["check"])
    differ = [name for name, seen in checks.items() if len(seen - {None}) > 1]
    for name in differ:
        print(f"the contenders disagree: {name}", file=sys.stderr)
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
