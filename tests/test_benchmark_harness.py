"""The benchmark harness, ``python -m benchmarks``: a module's lines become one table (text, JSON
and Markdown) with the machine and the versions, and the exit status is 1 only when a module
raises or the contenders of one benchmark give different results -- never because of a timing.

The runs are real: a benchmark module in its quick mode in a child process, and results decided
by the engine and digested by the harness; nothing of ours is mocked.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from govrules import Engine

ROOT = Path(__file__).resolve().parents[1]


def _load(name: str) -> Any:
    path = ROOT / "benchmarks" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"_bench_{name}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


harness = _load("harness")
baseline = _load("baseline")

POLICY = "cn.jilin.taobei.wage_deposit"
AS_OF = dt.date(2024, 5, 1)
CASES = [
    {"contract_price": "1000000", "first_deposit": True, "proposed_rate": "0.045",
     "payment_form": "cash"},
    {"contract_price": "1234567.89", "first_deposit": False, "previous_rate": "0.03",
     "arrears_in_previous_period": False, "proposed_rate": "0.025", "payment_form": "cash"},
    {"contract_price": "1000001", "first_deposit": True, "proposed_rate": "0.05",
     "payment_form": "other"},
]


def _benchmark(cases: list[dict[str, Any]], trace: bool, engine: Engine) -> tuple[float, str]:
    """Decisions per second over ``cases`` and the harness's digest of their outcomes and
    values: one contender's real measurement."""
    started = time.perf_counter()
    decisions = [engine.evaluate(POLICY, case, AS_OF, trace=trace) for case in cases]
    rate = len(cases) / (time.perf_counter() - started)
    results = [[d.outcome, {k: str(v) for k, v in d.values.items()}] for d in decisions]
    return rate, harness.digest(results)


def _line(contender: str, rate: float, check: str, **more: Any) -> dict[str, Any]:
    return {"goal": "2 evaluate", "benchmark": "wage deposit", "contender": contender,
            "unit": "decisions/s", "value": rate, "check": check, **more}


def _module(folder: Path, name: str, body: str) -> None:
    (folder / f"{name}.py").write_text(body, encoding="utf-8")


def test_a_quick_run_prints_one_table_and_writes_json_and_markdown(tmp_path: Path) -> None:
    pytest.importorskip("httpx")
    pytest.importorskip("uvicorn")
    pytest.importorskip("fastapi")
    record_file, markdown_file = tmp_path / "run.json", tmp_path / "run.md"
    completed = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--quick", "--only", "service_load",
         "--json", str(record_file), "--markdown", str(markdown_file)],
        cwd=ROOT, capture_output=True, text=True, timeout=300, check=False,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    record = json.loads(record_file.read_text(encoding="utf-8"))
    assert [(m["module"], m["status"]) for m in record["modules"]] == [("service_load", "ok")]
    assert record["exit_status"] == 0 and record["disagreements"] == []
    lines = record["lines"]
    assert [line["contender"] for line in lines] == ["govrules serve", "Engine.evaluate in process"]
    for line in lines:
        assert list(line) == list(harness.FIELDS)
        assert line["value"] > 0 and line["check"].startswith("sha256:")
    # the server's decisions and the engine's own are the same: one digest
    assert lines[0]["check"] == lines[1]["check"]
    assert lines[0]["ratio"] == pytest.approx(lines[0]["value"] / lines[1]["value"])
    assert record["command"] == "python -m benchmarks --quick --only service_load"
    assert {"CPU", "cores", "memory", "OS", "Python"} <= set(record["machine"])
    assert record["versions"]["baseline"].startswith(baseline.BASELINE_REF)
    assert {"govrules", "pydantic", "PyYAML", "orjson", "zen-engine", "openfisca-core"} <= set(
        record["versions"])
    header = completed.stdout.splitlines()[0].split()
    assert header == ["goal", "benchmark", "contender", "value", "versus", "ratio", "target",
                      "met", "note"]
    assert "Engine.evaluate in process" in completed.stdout
    assert "python -m benchmarks --quick --only service_load" in completed.stdout
    markdown = markdown_file.read_text(encoding="utf-8")
    assert markdown.startswith("| goal | benchmark | contender | value |")
    assert "| govrules serve |" in markdown
    assert "Measured with `python -m benchmarks --quick --only service_load` on CPU" in markdown


def test_contenders_that_disagree_fail_the_run_and_a_missed_target_does_not(
    engine: Engine,
) -> None:
    traced = _benchmark(CASES, True, engine)
    untraced = _benchmark(CASES, False, engine)
    # a contender that decides one case with another proposed rate: a wrong result
    wrong = _benchmark([CASES[0], {**CASES[1], "proposed_rate": "0.05"}, CASES[2]], False, engine)
    assert traced[1] == untraced[1] != wrong[1]

    agreeing = harness.normalise_lines([
        _line("govrules (trace on)", *traced),
        _line("govrules (trace off)", *untraced, versus="govrules (trace on)",
              target=">= 1000x", met=False),
    ])
    assert harness.disagreements(agreeing) == []
    # a target missed by far is shown, never failed
    assert harness.exit_status([harness.Outcome("wage", "ok", agreeing)]) == 0
    assert agreeing[1]["ratio"] == pytest.approx(untraced[0] / traced[0])

    disagreeing = harness.normalise_lines([
        _line("govrules (trace on)", *traced),
        _line("a wrong contender", *wrong),
    ])
    messages = harness.disagreements(disagreeing)
    assert len(messages) == 1
    assert "wage deposit" in messages[0] and "a wrong contender" in messages[0]
    assert "govrules (trace on)" in messages[0]
    assert harness.exit_status([harness.Outcome("wage", "ok", disagreeing)]) == 1
    # the same two checks in different benchmarks are not a disagreement
    apart = [disagreeing[0], {**disagreeing[1], "benchmark": "another benchmark"}]
    assert harness.disagreements(apart) == []


def test_a_module_that_raises_is_an_error_and_fails_the_run(tmp_path: Path) -> None:
    _module(tmp_path, "bench_raises", "def measure(quick):\n    raise RuntimeError('boom')\n")
    _module(tmp_path, "bench_exits", "def measure(quick):\n    raise SystemExit('disagree')\n")
    _module(tmp_path, "bench_nothing", "VALUE = 1\n")
    outcomes = [
        harness.run_module(name, True, package=None, search_path=[tmp_path])
        for name in ("bench_raises", "bench_exits", "bench_nothing")
    ]
    assert [o.status for o in outcomes] == ["error", "error", "error"]
    assert "RuntimeError: boom" in outcomes[0].reason
    assert "SystemExit('disagree')" in outcomes[1].reason
    assert "defines no measure(quick)" in outcomes[2].reason
    assert harness.exit_status(outcomes[:1]) == 1


def test_a_missing_module_or_optional_dependency_is_skipped(tmp_path: Path) -> None:
    _module(tmp_path, "bench_optional", "import not_installed_anywhere_zz\n\n"
                                        "def measure(quick):\n    return []\n")
    _module(tmp_path, "bench_later", "def measure(quick):\n"
                                     "    import not_installed_either_zz\n    return []\n")
    _module(tmp_path, "bench_ours", "import govrules.no_such_module\n")
    _module(tmp_path, "bench_says", "from benchmarks.harness import Skipped\n\n"
                                    "def measure(quick):\n    raise Skipped('needs a GPU')\n")
    optional, later, ours, says = (
        harness.run_module(name, True, package=None, search_path=[tmp_path])
        for name in ("bench_optional", "bench_later", "bench_ours", "bench_says")
    )
    assert (says.status, says.reason) == ("skipped", "needs a GPU")
    assert (optional.status, optional.reason) == (
        "skipped", "needs not_installed_anywhere_zz, which is not installed")
    assert later.status == "skipped" and "not_installed_either_zz" in later.reason
    # our own code missing a module is a bug, not an absent optional dependency
    assert ours.status == "error" and "govrules.no_such_module" in ours.reason
    absent = harness.run_module("no_such_benchmark_zz", True)
    assert (absent.status, absent.reason) == (
        "skipped", "benchmarks/no_such_benchmark_zz.py does not exist")
    assert harness.exit_status([optional, later, absent]) == 0


def test_lines_that_break_the_contract_are_errors_naming_the_field(tmp_path: Path) -> None:
    _module(tmp_path, "bench_no_unit", "def measure(quick):\n    return [{'goal': '1', "
            "'benchmark': 'b', 'contender': 'c', 'value': 1.0}]\n")
    _module(tmp_path, "bench_decimal", "from decimal import Decimal\n\ndef measure(quick):\n"
            "    return [{'goal': '1', 'benchmark': 'b', 'contender': 'c', 'unit': 'ms', "
            "'value': Decimal('1.5')}]\n")
    no_unit, decimal = (
        harness.run_module(name, True, package=None, search_path=[tmp_path])
        for name in ("bench_no_unit", "bench_decimal")
    )
    assert no_unit.status == "error" and "'unit' is missing" in no_unit.reason
    assert decimal.status == "error" and "Decimal" in decimal.reason
    with pytest.raises(ValueError, match="met must be true, false or null"):
        harness.normalise_lines([_line("c", 1.0, "sha256:0", met="yes")])
    with pytest.raises(ValueError, match="unknown field 'speed'"):
        harness.normalise_lines([_line("c", 1.0, "sha256:0", speed=2)])


def test_an_unknown_benchmark_name_is_refused() -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--only", "no_such_benchmark_zz"],
        cwd=ROOT, capture_output=True, text=True, timeout=60, check=False,
    )
    assert completed.returncode == 2
    assert "no benchmark 'no_such_benchmark_zz'" in completed.stderr
    assert "cold_start" in completed.stderr
