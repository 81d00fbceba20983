"""Benchmark: one wage-deposit decision, computed four ways.

The Taobei District wage-deposit rule (cn.jilin.taobei.wage_deposit, in the bundled pack
policies/cn.jilin.baicheng.taobei/) gives a lawful deposit rate range, the deposit amounts and
whether a proposal complies. This script
computes the same five results -- rate_min, rate_max, amount_min, amount_max, compliant --

1. with govrules, tracing on (the default),
2. with govrules, tracing off,
3. with GoRules zen-engine (one expression node between the input and output nodes),
4. with a hand-written Python function using Decimal,

checks that all four agree on a set of representative cases, then times each one over the
same rotation of cases and prints decisions per second and the ratios against the targets.
``measure(quick)`` gives the same figures as lines of the table of ``python -m benchmarks``,
each contender's ``check`` the digest of the five results it gave on every case.

A govrules decision of this policy is more than the five results: the policy declares the
national rule its superior law, so the engine also decides the case under
cn.national.wage_deposit and adds the ``law-hierarchy`` notice comparing the two.

    python benchmarks/bench_wage_deposit.py           # full run (well under a minute)
    python benchmarks/bench_wage_deposit.py --quick   # a few seconds, for a smoke test
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import hashlib
import importlib
import importlib.metadata
import json
import platform
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path
from types import ModuleType
from typing import Any

from govrules.engine import Engine
from govrules.runtime.decision import Decision

POLICY_ID = "cn.jilin.taobei.wage_deposit"
AS_OF = dt.date(2024, 5, 1)
REPOSITORY = Path(__file__).resolve().parents[1]
RESULT_KEYS = ("rate_min", "rate_max", "amount_min", "amount_max", "compliant")

FULL_ITERATIONS = 20_000
QUICK_ITERATIONS = 1_000
REPEATS = 3

# Targets: govrules with tracing off should be at least 15x zen-engine's throughput and take
# at most 20x the time of the hand-written function.
TARGET_VS_ZEN = 15.0
TARGET_VS_HAND = 20.0

Case = dict[str, Any]
Result = Mapping[str, Any]

# The cases every contender decides, in rotation. Numbers are strings, as a JSON client
# sends exact amounts to govrules. The first four are the agreement checks' anchors.
CASES: list[Case] = [
    # First deposit: 4%-5%.
    {"contract_price": "1000000", "first_deposit": True,
     "proposed_rate": "0.045", "payment_form": "cash"},
    # Clean previous period: previous rate less one point, up to the previous rate.
    {"contract_price": "1234567.89", "first_deposit": False, "previous_rate": "0.03",
     "arrears_in_previous_period": False, "proposed_rate": "0.025", "payment_form": "cash"},
    # Arrears in the previous period: 5%-6%, whatever the previous rate.
    {"contract_price": "8800000", "first_deposit": False, "previous_rate": "0.02",
     "arrears_in_previous_period": True, "proposed_rate": "0.055", "payment_form": "cash"},
    # Non-compliant: rate below the first-deposit range.
    {"contract_price": "2500000", "first_deposit": True,
     "proposed_rate": "0.03", "payment_form": "cash"},
    # Non-compliant: a bank guarantee instead of money.
    {"contract_price": "560000.50", "first_deposit": True,
     "proposed_rate": "0.05", "payment_form": "bank_guarantee"},
    # Clean period, previous rate above the 6% cap: clamped first.
    {"contract_price": "3000000", "first_deposit": False, "previous_rate": "0.08",
     "arrears_in_previous_period": False, "proposed_rate": "0.06", "payment_form": "cash"},
    # Clean period, previous rate below the 2% floor: clamped, never below 2%.
    {"contract_price": "999999.99", "first_deposit": False, "previous_rate": "0.015",
     "arrears_in_previous_period": False, "proposed_rate": "0.02", "payment_form": "cash"},
    # Half-up rounding at the fen: 1000001 x 0.045 = 45000.045.
    {"contract_price": "1000001", "first_deposit": True,
     "proposed_rate": "0.05", "payment_form": "other"},
]


# Worked by hand from the policy text: (rate_min, rate_max, amount_min, amount_max, compliant)
# for the four anchor cases above.
ANCHORS: dict[int, tuple[str, str, str, str, bool]] = {
    0: ("0.04", "0.05", "40000.00", "50000.00", True),
    1: ("0.02", "0.03", "24691.36", "37037.04", True),
    2: ("0.05", "0.06", "440000.00", "528000.00", True),
    3: ("0.04", "0.05", "100000.00", "125000.00", False),
}


# ---------------------------------------------------------------------- zen-engine

# One expression node. zen has no clamp(); min/max take an array. Later expressions read
# earlier results of the same node through `$`.
_CLAMPED_PREVIOUS = "min([max([previous_rate, 0.02]), 0.06])"
ZEN_EXPRESSIONS: list[tuple[str, str]] = [
    ("rate_min", "first_deposit ? 0.04 : (arrears_in_previous_period ? min([0.04 + 0.01, 0.06])"
                 f" : max([{_CLAMPED_PREVIOUS} - 0.01, 0.02]))"),
    ("rate_max", "first_deposit ? 0.05 : (arrears_in_previous_period ? min([0.05 + 0.01, 0.06])"
                 f" : {_CLAMPED_PREVIOUS})"),
    ("amount_min", "round(contract_price * $.rate_min, 2)"),
    ("amount_max", "round(contract_price * $.rate_max, 2)"),
    ("compliant", "proposed_rate >= $.rate_min and proposed_rate <= $.rate_max"
                  " and payment_form == 'cash'"),
]


def zen_decision_content() -> dict[str, Any]:
    """The JDM graph: Request -> expression node -> Response."""
    expressions = [{"id": str(index), "key": key, "value": value}
                   for index, (key, value) in enumerate(ZEN_EXPRESSIONS, start=1)]
    return {
        "nodes": [
            {"id": "in", "type": "inputNode", "name": "Request", "position": {"x": 0, "y": 0}},
            {"id": "ex", "type": "expressionNode", "name": "deposit",
             "position": {"x": 1, "y": 0}, "content": {"expressions": expressions}},
            {"id": "out", "type": "outputNode", "name": "Response",
             "position": {"x": 2, "y": 0}},
        ],
        "edges": [
            {"id": "e1", "sourceId": "in", "targetId": "ex", "type": "edge"},
            {"id": "e2", "sourceId": "ex", "targetId": "out", "type": "edge"},
        ],
    }


def zen_context(case: Case) -> Case:
    """The case as zen expects it: JSON numbers instead of decimal strings."""
    numeric = ("contract_price", "previous_rate", "proposed_rate")
    return {name: float(value) if name in numeric else value for name, value in case.items()}


def import_zen() -> ModuleType | None:
    try:
        return importlib.import_module("zen")
    except ImportError:
        return None


# ---------------------------------------------------------------------- hand-written

FIRST_MIN, FIRST_MAX = Decimal("0.04"), Decimal("0.05")
STEP, FLOOR, CAP = Decimal("0.01"), Decimal("0.02"), Decimal("0.06")
FEN = Decimal("0.01")
PAYMENT_FORMS = frozenset({"cash", "bank_guarantee", "other"})


def _exact(value: Any, name: str, low: Decimal, high: Decimal | None,
           low_inclusive: bool) -> Decimal:
    """A decimal string (or int) as a Decimal within bounds, or ValueError."""
    if isinstance(value, (bool, float)):
        raise ValueError(f"{name}: give an exact number, not {type(value).__name__}")
    try:
        number = Decimal(value)
    except (InvalidOperation, TypeError):
        raise ValueError(f"{name}: {value!r} is not a decimal number") from None
    if (not number.is_finite() or (number < low if low_inclusive else number <= low)
            or (high is not None and number > high)):
        raise ValueError(f"{name}: {value!r} is out of range")
    return number


def _flag(value: Any, name: str) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"{name}: expected true or false, got {value!r}")
    return value


def wage_deposit_by_hand(case: Case) -> dict[str, Any]:
    """The same decision written directly: Decimal throughout, half-up to the fen."""
    price = _exact(case["contract_price"], "contract_price", Decimal(0), None, False)
    if _flag(case["first_deposit"], "first_deposit"):
        rate_min, rate_max = FIRST_MIN, FIRST_MAX
    else:
        previous = _exact(case["previous_rate"], "previous_rate", Decimal(0), Decimal(1), False)
        if _flag(case["arrears_in_previous_period"], "arrears_in_previous_period"):
            rate_min, rate_max = min(FIRST_MIN + STEP, CAP), min(FIRST_MAX + STEP, CAP)
        else:
            rate_max = max(FLOOR, min(previous, CAP))
            rate_min = max(rate_max - STEP, FLOOR)
    proposed = _exact(case["proposed_rate"], "proposed_rate", Decimal(0), Decimal(1), True)
    form = case["payment_form"]
    if form not in PAYMENT_FORMS:
        raise ValueError(f"payment_form: {form!r} is not one of {sorted(PAYMENT_FORMS)}")
    return {
        "rate_min": rate_min, "rate_max": rate_max,
        "amount_min": (price * rate_min).quantize(FEN, rounding=ROUND_HALF_UP),
        "amount_max": (price * rate_max).quantize(FEN, rounding=ROUND_HALF_UP),
        "compliant": rate_min <= proposed <= rate_max and form == "cash",
    }


# ---------------------------------------------------------------------- contenders


class Contender:
    """A name, a one-argument callable, its pre-built inputs and how to read its result."""

    def __init__(self, name: str, run: Callable[[Any], Any], inputs: Sequence[Any],
                 result: Callable[[Any], Result]) -> None:
        self.name = name
        self.run = run
        self.inputs = inputs
        self.result = result


def build_contenders(engine: Engine, zen: ModuleType) -> list[Contender]:
    def govrules_values(decision: Decision) -> Result:
        return decision.values

    def zen_values(response: Mapping[str, Any]) -> Result:
        result: Result = response["result"]
        return result

    decision = zen.ZenEngine().create_decision(json.dumps(zen_decision_content()))
    zen_inputs = [zen_context(case) for case in CASES]
    return [
        Contender("govrules (trace on)",
                  functools.partial(engine.evaluate, POLICY_ID, as_of=AS_OF, trace=True),
                  CASES, govrules_values),
        Contender("govrules (trace off)",
                  functools.partial(engine.evaluate, POLICY_ID, as_of=AS_OF, trace=False),
                  CASES, govrules_values),
        Contender("zen-engine", decision.evaluate, zen_inputs, zen_values),
        Contender("hand-written Decimal", wage_deposit_by_hand, CASES, lambda r: r),
    ]


def _comparable(value: Any) -> Any:
    """Numbers as exact Decimals (a float by its shortest repr), booleans as themselves."""
    if isinstance(value, bool):
        return value
    if isinstance(value, float):
        return Decimal(repr(value))
    if isinstance(value, (int, str, Decimal)):
        return Decimal(value)
    raise AssertionError(f"unexpected result value {value!r}")


def check_agreement(contenders: Sequence[Contender]) -> None:
    """Every contender gives the same five results on every case, or the benchmark stops."""
    for index, case in enumerate(CASES):
        expected: dict[str, Any] | None = None
        for contender in contenders:
            raw = contender.result(contender.run(contender.inputs[index]))
            got = {key: _comparable(raw[key]) for key in RESULT_KEYS}
            if expected is None:
                expected = got
            elif got != expected:
                raise SystemExit(f"disagreement on case {index} {case}:\n"
                                 f"  {contenders[0].name}: {expected}\n"
                                 f"  {contender.name}: {got}")
            if index in ANCHORS and got != {key: _comparable(value) for key, value
                                            in zip(RESULT_KEYS, ANCHORS[index], strict=False)}:
                raise SystemExit(f"{contender.name} on case {index}: {got}, expected "
                                 f"{ANCHORS[index]}")


def best_seconds_per_decision(contender: Contender, iterations: int, repeats: int) -> float:
    """Best of ``repeats`` timed passes over ``iterations`` decisions, rotating the cases."""
    inputs = contender.inputs
    workload = [inputs[i % len(inputs)] for i in range(iterations)]
    run = contender.run
    for item in workload[: max(len(inputs), iterations // 20)]:  # warm-up
        run(item)
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        for item in workload:
            run(item)
        best = min(best, time.perf_counter() - start)
    return best / iterations


# ---------------------------------------------------------------------- the harness's lines


def results_check(contender: Contender) -> str:
    """The digest of the five results the contender gives on every case, numbers written
    exactly and without trailing zeros (40000.00 and 40000.0 are one amount)."""
    shown = []
    for item in contender.inputs:
        raw = contender.result(contender.run(item))
        values = [_comparable(raw[key]) for key in RESULT_KEYS]
        shown.append([v if isinstance(v, bool) else format(v.normalize(), "f") for v in values])
    text = json.dumps(shown, separators=(",", ":"))
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


def measure(quick: bool) -> list[dict[str, Any]]:
    """Decisions per second of each contender, govrules against zen-engine (target 15x)."""
    zen = importlib.import_module("zen")  # not installed: the harness reports the skip
    iterations = QUICK_ITERATIONS if quick else FULL_ITERATIONS
    engine = Engine.from_directory(REPOSITORY / "policies")
    contenders = build_contenders(engine, zen)
    try:
        check_agreement(contenders)
    except SystemExit as stop:  # a disagreement is an error of the run, not an exit
        raise RuntimeError(str(stop)) from None
    seconds = {c.name: best_seconds_per_decision(c, iterations, REPEATS) for c in contenders}
    versus_zen = seconds["zen-engine"] / seconds["govrules (trace off)"]
    versus_hand = seconds["govrules (trace off)"] / seconds["hand-written Decimal"]
    benchmark = f"wage deposit, one decision ({POLICY_ID}, {len(CASES)} cases in rotation)"
    note = f"best of {REPEATS} passes of {iterations:,} decisions"
    lines: list[dict[str, Any]] = []
    for contender in contenders:
        line: dict[str, Any] = {
            "goal": "2 wage deposit",
            "benchmark": benchmark,
            "contender": contender.name,
            "unit": "decisions/s",
            "value": round(1 / seconds[contender.name], 1),
            "check": results_check(contender),
            "note": note,
        }
        if contender.name.startswith("govrules"):
            line["versus"] = "zen-engine"
        if contender.name == "govrules (trace off)":
            line["target"] = f">= {TARGET_VS_ZEN:g}x"
            line["met"] = versus_zen >= TARGET_VS_ZEN
            line["note"] = (
                f"{note}; {versus_hand:.1f}x the hand-written function's time (target <= "
                f"{TARGET_VS_HAND:g}x); each decision also decides the superior national rule"
            )
        lines.append(line)
    return lines


# ---------------------------------------------------------------------- report


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "unknown"


def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true",
                        help=f"{QUICK_ITERATIONS} iterations per pass instead of "
                             f"{FULL_ITERATIONS}")
    args = parser.parse_args(argv)

    zen = import_zen()
    if zen is None:
        print("zen-engine is not installed; the benchmark compares against it.\n"
              "Install it with:  pip install zen-engine   (or: pip install -e '.[bench]')",
              file=sys.stderr)
        return 2

    iterations = QUICK_ITERATIONS if args.quick else FULL_ITERATIONS
    engine = Engine.from_directory(REPOSITORY / "policies")
    contenders = build_contenders(engine, zen)
    check_agreement(contenders)

    print(f"Python      {platform.python_version()} ({platform.python_implementation()})")
    print(f"zen-engine  {importlib.metadata.version('zen-engine')}")
    print(f"CPU         {cpu_model()}")
    print(f"Policy      {POLICY_ID} as of {AS_OF}; {len(CASES)} cases in rotation, "
          f"all four contenders agree on {', '.join(RESULT_KEYS)}")
    print(f"Timing      {iterations} decisions per pass, best of {REPEATS} passes\n")

    seconds = {c.name: best_seconds_per_decision(c, iterations, REPEATS) for c in contenders}
    width = max(len(name) for name in seconds)
    print(f"{'contender':<{width}}  {'decisions/s':>12}  {'µs/decision':>12}")
    for name, per_decision in seconds.items():
        print(f"{name:<{width}}  {1 / per_decision:>12,.0f}  {per_decision * 1e6:>12.2f}")

    traced, untraced = seconds["govrules (trace on)"], seconds["govrules (trace off)"]
    vs_zen = seconds["zen-engine"] / untraced       # throughput ratio, higher is better
    vs_hand = untraced / seconds["hand-written Decimal"]  # time ratio, lower is better
    print()
    print(f"govrules (trace off) throughput / zen-engine throughput: {vs_zen:6.2f}x  "
          f"target >= {TARGET_VS_ZEN:g}x  {verdict(vs_zen >= TARGET_VS_ZEN)}")
    print(f"govrules (trace off) time / hand-written time:           {vs_hand:6.2f}x  "
          f"target <= {TARGET_VS_HAND:g}x  {verdict(vs_hand <= TARGET_VS_HAND)}")
    print(f"govrules trace on time / trace off time:                 {traced / untraced:6.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
