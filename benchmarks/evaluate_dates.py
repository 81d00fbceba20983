"""Benchmark (issue 18, goal 2): one decision with the trace off on the date-heavy policies --
periods, working days, ages -- now and before the speed-ups.

For each policy below, the cases of its own tests and generated cases
(``generated_cases(policy, count, seed)`` of ``tests/golden/generate.py``, the golden set's
generator, for the policies whose facts are all scalars) are decided with
``Engine.evaluate_version(..., trace=False)`` by the working tree's govrules and by the baseline
(``benchmarks/baseline.py``), each in a fresh interpreter, rounds alternating so that both see
the same machine. The figure is microseconds per decision, the best of several repeats over the
same cases; the target is at least 1.5x the baseline on every policy.

The working tree remembers date computations per calendar and dates per text, so repeated
passes over the same cases meet warm memories; the line "memories cleared" times the same passes
with those memories emptied before each one, which is what a first sight of every case costs.
Each contender's ``check`` is the digest of every decision's JSON (the trace off, indented, or
the error's text): all must agree, policy by policy.

    python benchmarks/evaluate_dates.py           # two rounds, best of 5 (about two minutes)
    python benchmarks/evaluate_dates.py --quick   # one round, fewer cases, best of 2
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: the repository root is not on sys.path
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.baseline import BASELINE_REF, baseline_tree, run_python  # noqa: E402

__all__ = ["POLICIES", "TARGET", "measure"]

TARGET = 1.5  # trace off: at least this many times the baseline's speed on every policy
GOAL = "2 dates, trace off"
NOW = "govrules"
COLD = "govrules, memories cleared"
BEFORE = "govrules@baseline"
SEED = 18

# The policies whose decisions turn on legal time: statutory periods (period_end), working
# days, month arithmetic and ages.
POLICIES = (
    "cn.national.retirement_eligibility",
    "cn.national.labor_arbitration_time_limits",
    "cn.national.wage_deposit",
    "cn.jilin.taobei.wage_deposit",
    "cn.jilin.taobei.title_application",
    "cn.gansu.dingxi.service_staff_termination",
    "cn.hubei.jingmen.dongbao.breeding_sow_insurance",
    "cn.yunnan.wenshan.office_time_limits",
    "cn.yunnan.wenshan.petition_and_review_time_limits",
    "cn.yunnan.wenshan.spending_approval",
    "cn.yunnan.wenshan.staff_accountability",
    "cn.yunnan.wenshan.enforcement_case_oversight",
)

# Run in each contender's interpreter: decide every policy's cases, time them, print JSON.
_SCRIPT = r"""
import gc, hashlib, importlib.util, json, sys, time
from govrules.engine import Engine
from govrules.errors import GovrulesError

policies, count, seed = sys.argv[1].split(","), int(sys.argv[2]), int(sys.argv[3])
repeats, floor = int(sys.argv[4]), float(sys.argv[5])
spec = importlib.util.spec_from_file_location("golden_generate", sys.argv[6])
golden = importlib.util.module_from_spec(spec)
spec.loader.exec_module(golden)
engine = Engine.default()
calendar = engine.calendar
try:
    from govrules.runtime import case_values
except ImportError:
    case_values = None

def forget():
    # the memories of the working tree (the baseline has none): computations and dates read
    for name in ("_results", "_computations"):
        getattr(calendar, name, {}).clear()
    getattr(case_values, "_DAYS_READ", {}).clear()

def decide(policy, cases):
    for day, case in cases:
        engine.evaluate_version(policy, case, day, trace=False)

def best(policy, cases, cold):
    started = time.perf_counter()
    decide(policy, cases)
    once = max(time.perf_counter() - started, 1e-6)
    passes = max(1, int(floor / once))
    fastest = float("inf")
    for _ in range(repeats):
        spent = 0.0
        for _ in range(passes):
            if cold:
                forget()
            started = time.perf_counter()
            decide(policy, cases)
            spent += time.perf_counter() - started
        fastest = min(fastest, spent / passes)
    return fastest / len(cases) * 1e6

found = {}
for policy_id in policies:
    policy = engine.policy(policy_id)
    cases = [(test.as_of, dict(test.input)) for test in policy.model.tests]
    generated = []
    if all(item.type.kind not in ("list", "record") for item in policy.inputs):
        generated = list(golden.generated_cases(policy, count, seed))  # scalar facts only
    cases += generated
    texts, decided = [], []
    for day, case in cases:
        try:
            texts.append(engine.evaluate_version(policy, case, day, trace=False).to_json())
            decided.append((day, case))
        except GovrulesError as error:
            texts.append(f"{type(error).__name__}: {error}")
    found[f"{policy.id} {policy.version}"] = {
        "cases": len(cases),
        "decided": len(decided),
        "generated": len(generated),
        "check": "sha256:" + hashlib.sha256("\n".join(texts).encode("utf-8")).hexdigest(),
        "warm_us": best(policy, decided, False),
        "cold_us": best(policy, decided, True),
    }
    gc.collect()
print(json.dumps(found))
"""

_GENERATOR = Path(__file__).resolve().parents[1] / "tests" / "golden" / "generate.py"


def _run(src: Path | None, count: int, repeats: int, floor: float) -> dict[str, dict[str, Any]]:
    args = [",".join(POLICIES), str(count), str(SEED), str(repeats), str(floor), str(_GENERATOR)]
    found: dict[str, dict[str, Any]] = json.loads(run_python(_SCRIPT, src, args))
    return found


def _best_of(rounds: list[dict[str, dict[str, Any]]]) -> dict[str, dict[str, Any]]:
    """Each policy's fastest figures over the rounds (checks must not change between rounds)."""
    merged: dict[str, dict[str, Any]] = {}
    for found in rounds:
        for key, entry in found.items():
            kept = merged.setdefault(key, dict(entry))
            if kept["check"] != entry["check"]:
                raise RuntimeError(f"{key}: two rounds of one contender decided differently")
            kept["warm_us"] = min(kept["warm_us"], entry["warm_us"])
            kept["cold_us"] = min(kept["cold_us"], entry["cold_us"])
    return merged


def _geomean(values: list[float]) -> float:
    return math.exp(sum(math.log(v) for v in values) / len(values))


def measure(quick: bool) -> list[dict[str, Any]]:
    """Trace off, µs per decision per policy: the baseline, now, and now with memories cleared."""
    rounds, count, repeats, floor = (1, 40, 2, 0.01) if quick else (2, 300, 5, 0.1)
    src = baseline_tree()
    now_rounds, before_rounds = [], []
    for _ in range(rounds):  # alternate, so that a busy moment of the machine hits both
        before_rounds.append(_run(src, count, repeats, floor))
        now_rounds.append(_run(None, count, repeats, floor))
    now, before = _best_of(now_rounds), _best_of(before_rounds)
    if set(now) != set(before):
        raise RuntimeError("the working tree and the baseline do not hold the same policies")
    keys = list(now)
    warm = {key: before[key]["warm_us"] / now[key]["warm_us"] for key in keys}
    cold = {key: before[key]["warm_us"] / now[key]["cold_us"] for key in keys}
    note = f"best of {repeats} x {rounds} rounds; µs per decision; {BASELINE_REF} as the baseline"
    target = f">= {TARGET:g}x every policy"
    lines: list[dict[str, Any]] = []
    for key in keys:
        name = f"trace off: {key}"
        cases = (
            f"{now[key]['decided']} of {now[key]['cases']} cases decided "
            f"({now[key]['generated']} generated)"
        )
        common = {"goal": GOAL, "benchmark": name, "unit": "µs", "check": now[key]["check"]}
        lines.append(
            {
                **common,
                "contender": BEFORE,
                "value": round(before[key]["warm_us"], 2),
                "check": before[key]["check"],
                "note": cases,
            }
        )
        lines.append(
            {
                **common,
                "contender": NOW,
                "value": round(now[key]["warm_us"], 2),
                "versus": BEFORE,
                "target": f">= {TARGET:g}x",
                "met": warm[key] >= TARGET,
                "note": f"{note}; {cases}",
            }
        )
        lines.append(
            {
                **common,
                "contender": COLD,
                "value": round(now[key]["cold_us"], 2),
                "versus": BEFORE,
                "note": "date computations and dates read forgotten before each pass",
            }
        )
    for label, ratios in (("warm", warm), ("memories cleared", cold)):
        worst = min(keys, key=ratios.__getitem__)
        lines.append(
            {
                "goal": GOAL,
                "benchmark": f"trace off, {len(keys)} date-heavy policies ({label})",
                "contender": NOW if label == "warm" else COLD,
                "unit": "x",
                "value": round(_geomean(list(ratios.values())), 3),
                "target": target if label == "warm" else None,
                "met": min(ratios.values()) >= TARGET if label == "warm" else None,
                "note": f"geometric mean of the ratios to the baseline; lowest "
                f"{ratios[worst]:.2f}x ({worst}); highest {max(ratios.values()):.2f}x",
            }
        )
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="one round, fewer cases")
    args = parser.parse_args(argv)
    lines = measure(args.quick)
    width = max(len(line["benchmark"]) for line in lines)
    for line in lines:
        ratio = ""
        if line.get("versus"):
            versus = next(
                other
                for other in lines
                if other["benchmark"] == line["benchmark"] and other["contender"] == line["versus"]
            )
            ratio = f"{versus['value'] / line['value']:.2f}x"
        met = {True: "met", False: "MISSED", None: ""}[line.get("met")]
        print(
            f"{line['benchmark']:<{width}}  {line['contender']:<26} "
            f"{line['value']:>9.2f} {line['unit']:<2} {ratio:>7} {met}"
        )
    checks: dict[str, set[str]] = {}
    for line in lines:
        if line.get("check"):
            checks.setdefault(line["benchmark"], set()).add(line["check"])
    differ = [name for name, seen in checks.items() if len(seen) > 1]
    for name in differ:
        print(f"the contenders disagree: {name}", file=sys.stderr)
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
