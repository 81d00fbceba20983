"""The benchmark harness: runs each benchmark module in its own Python process, checks the lines
it returns, and says whether the contenders of every benchmark agree on their results.

A benchmark module defines ``measure(quick: bool) -> list[dict]``, one dict per line of the final
table (the fields are listed in ``FIELDS``; benchmarks/README.md describes them). Each module runs
in a fresh interpreter, so that one module's imports, caches or ``gc.freeze()`` cannot speed up or
slow down the next, and a crash is reported instead of ending the run. A module that does not
exist, or that needs an optional dependency which is not installed, is *skipped* with the reason;
a module that raises is an *error*. Timings never fail a run: only an error or a disagreement of
the ``check`` digests of one benchmark's contenders does.

    outcome = run_module("bench_wage_deposit", quick=True)
    print(render_table(outcome.lines))
    status = exit_status([outcome])        # 0, or 1 on an error or a disagreement
"""

from __future__ import annotations

import hashlib
import importlib
import json
import os
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

__all__ = [
    "DEFAULT_MODULES",
    "FIELDS",
    "LONG_MODULES",
    "REPOSITORY",
    "Outcome",
    "Skipped",
    "digest",
    "disagreements",
    "exit_status",
    "known_modules",
    "normalise_lines",
    "run_child",
    "run_module",
]

REPOSITORY = Path(__file__).resolve().parents[1]

# The benchmarks of issue 18's goals, in the order of the goals: what `python -m benchmarks` runs.
DEFAULT_MODULES = (
    "cold_start",
    "evaluate_json",
    "evaluate_dates",
    "bench_wage_deposit",
    "columnar_batch",
    "compile_scale",
)
# Minutes each even in quick mode, and a server or a cluster to start: only with --all or --only.
LONG_MODULES = ("service_load", "dask_scale")
# Files of the folder that are not benchmarks.
_NOT_BENCHMARKS = frozenset({"__init__", "__main__", "harness", "baseline"})

# Every line's fields; the first five are required, the rest default to None.
REQUIRED = ("goal", "benchmark", "contender", "unit", "value")
FIELDS = (*REQUIRED, "versus", "ratio", "target", "met", "check", "note")

# Units where less is better (a duration, a size); for the others ("decisions/s") more is better.
_LOWER_IS_BETTER = frozenset({"ns", "µs", "us", "ms", "s", "B", "KB", "MB", "GB"})


class Skipped(Exception):  # noqa: N818 -- it reads as the outcome it reports
    """Raised by a ``measure()`` that cannot run here (a missing tool, an unsupported host);
    the message says why. A missing optional module needs nothing: ModuleNotFoundError is read
    the same way."""


@dataclass
class Outcome:
    """What one module gave: its lines, or why it was skipped, or the error it raised."""

    module: str
    status: Literal["ok", "skipped", "error"]
    lines: list[dict[str, Any]] = field(default_factory=list)
    reason: str = ""
    seconds: float = 0.0


def known_modules(folder: Path = REPOSITORY / "benchmarks") -> tuple[list[str], list[str]]:
    """(the default modules, the long ones): the named ones, then any other module of the folder
    that defines ``measure``, so that a new benchmark runs without being listed here."""
    named = set(DEFAULT_MODULES) | set(LONG_MODULES)
    extra = sorted(
        path.stem
        for path in folder.glob("*.py")
        if path.stem not in named
        and path.stem not in _NOT_BENCHMARKS
        and "\ndef measure(" in path.read_text(encoding="utf-8")
    )
    return [*DEFAULT_MODULES, *extra], list(LONG_MODULES)


def digest(results: Any) -> str:
    """``sha256:`` and the hex digest of ``results`` as sorted, compact JSON (Decimals, dates and
    other values by their ``str``): the ``check`` of a line, comparable between processes."""
    text = json.dumps(results, sort_keys=True, separators=(",", ":"), default=str)
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


# ---------------------------------------------------------------------- running a module


def run_module(
    name: str,
    quick: bool,
    *,
    package: str | None = "benchmarks",
    search_path: Sequence[Path] = (),
    timeout: float | None = None,
) -> Outcome:
    """Run ``measure(quick)`` of ``package.name`` in a new interpreter and read its lines.

    ``search_path`` folders come first on the child's PYTHONPATH (then the repository), and
    ``package=None`` imports ``name`` as a top-level module: how a test runs a module of its own.
    The module's own output is kept; it is shown only when it fails."""
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="govrules-bench-") as folder:
        output = Path(folder) / "outcome.json"
        command = [sys.executable, "-m", "benchmarks", "--run-module", name, "--output"]
        command += [str(output), *(["--quick"] if quick else [])]
        command += ["--package", package or ""]
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(
            [*(str(path) for path in search_path), str(REPOSITORY)]
            + ([env["PYTHONPATH"]] if env.get("PYTHONPATH") else [])
        )
        try:
            completed = subprocess.run(
                command,
                cwd=REPOSITORY,
                env=env,
                capture_output=True,
                text=True,
                timeout=timeout,
                check=False,
            )
        except subprocess.TimeoutExpired:
            return Outcome(name, "error", reason=f"still running after {timeout:g} s; stopped")
        seconds = time.perf_counter() - started
        if completed.returncode != 0 or not output.exists():
            tail = (completed.stderr.strip() or completed.stdout.strip())[-3000:]
            return Outcome(
                name, "error", reason=f"exit {completed.returncode}\n{tail}", seconds=seconds
            )
        answer = json.loads(output.read_text(encoding="utf-8"))
    if answer["status"] == "skipped":
        return Outcome(name, "skipped", reason=answer["reason"], seconds=seconds)
    try:
        lines = normalise_lines(answer["lines"])
    except ValueError as error:
        return Outcome(name, "error", reason=str(error), seconds=seconds)
    return Outcome(name, "ok", lines=lines, seconds=seconds)


def run_child(name: str, package: str | None, quick: bool, output: Path) -> int:
    """The child's side of ``run_module``: import, measure, write the outcome as JSON.

    A skip is written as such; an error leaves no outcome file and a traceback on stderr."""
    qualified = f"{package}.{name}" if package else name
    try:
        module = importlib.import_module(qualified)
        measure = getattr(module, "measure", None)
        if not callable(measure):
            print(f"{qualified} defines no measure(quick) function", file=sys.stderr)
            return 1
        lines = measure(quick)
    except Skipped as skip:
        return _write(output, {"status": "skipped", "reason": str(skip) or "skipped"})
    except ModuleNotFoundError as missing:
        reason = _missing_reason(missing, qualified, name, package)
        if reason is None:
            raise
        return _write(output, {"status": "skipped", "reason": reason})
    except SystemExit as stop:
        # a module written as a script may stop on a failed check: that is an error here
        traceback.print_exc()
        print(f"{qualified} stopped with SystemExit({stop.code!r})", file=sys.stderr)
        return 1
    return _write(output, {"status": "ok", "lines": lines})


def _missing_reason(
    missing: ModuleNotFoundError, qualified: str, name: str, package: str | None
) -> str | None:
    """Why a ModuleNotFoundError means "skip", or None when it is a real error (our own code)."""
    if missing.name == qualified:
        return f"benchmarks/{name}.py does not exist" if package else f"no module {name}"
    top = (missing.name or "").partition(".")[0]
    if not top or top in {"govrules", "benchmarks", qualified.partition(".")[0]}:
        return None
    if (REPOSITORY / "benchmarks" / f"{top}.py").exists():
        return None  # a sibling imported as a script would import it: a bug, not a skip
    return f"needs {missing.name}, which is not installed"


def _write(output: Path, outcome: dict[str, Any]) -> int:
    try:
        text = json.dumps(outcome, ensure_ascii=False, allow_nan=False, default=_refuse)
    except (TypeError, ValueError) as error:
        print(f"measure() returned lines that are not plain JSON: {error}", file=sys.stderr)
        return 1
    output.write_text(text, encoding="utf-8")
    return 0


def _refuse(value: object) -> object:
    raise TypeError(f"{type(value).__name__} {value!r} (give numbers, strings, booleans or None)")


# ---------------------------------------------------------------------- lines and checks


def normalise_lines(lines: object) -> list[dict[str, Any]]:
    """The lines with every field present, checked field by field (ValueError names the line and
    the field); a missing ratio is worked out when ``versus`` names a contender of the same
    benchmark measured in the same unit."""
    if not isinstance(lines, list):
        raise ValueError(f"measure() returned {type(lines).__name__}, not a list of lines")
    checked: list[dict[str, Any]] = []
    for number, line in enumerate(lines, start=1):
        where = f"line {number}"
        if not isinstance(line, dict):
            raise ValueError(f"{where}: {type(line).__name__}, not a dict")
        unknown = sorted(set(line) - set(FIELDS))
        if unknown:
            raise ValueError(f"{where}: unknown field {unknown[0]!r} (fields: {', '.join(FIELDS)})")
        for name in REQUIRED:
            if name not in line:
                raise ValueError(f"{where}: the field {name!r} is missing")
        full = {name: line.get(name) for name in FIELDS}
        where = f"{where} ({full['contender']!r})"
        for name in ("goal", "benchmark", "contender", "unit"):
            if isinstance(full[name], bool) or not isinstance(full[name], (str, int)):
                raise ValueError(f"{where}: {name} must be text, not {full[name]!r}")
            full[name] = str(full[name])
        for name in ("value", "ratio"):
            if full[name] is not None and (
                isinstance(full[name], bool) or not isinstance(full[name], (int, float))
            ):
                raise ValueError(f"{where}: {name} must be a number or null, not {full[name]!r}")
        for name in ("versus", "check", "note"):
            if full[name] is not None and not isinstance(full[name], str):
                raise ValueError(f"{where}: {name} must be text or null, not {full[name]!r}")
        if full["met"] is not None and not isinstance(full["met"], bool):
            raise ValueError(f"{where}: met must be true, false or null, not {full['met']!r}")
        if full["target"] is not None and (
            isinstance(full["target"], bool) or not isinstance(full["target"], (int, float, str))
        ):
            raise ValueError(f"{where}: target must be a number, text or null")
        checked.append(full)
    _fill_ratios(checked)
    return checked


def _fill_ratios(lines: list[dict[str, Any]]) -> None:
    """ratio = versus / value for durations, value / versus for rates: > 1 means better."""
    for line in lines:
        if line["ratio"] is not None or line["versus"] is None or not line["value"]:
            continue
        for other in lines:
            same = (other["goal"], other["benchmark"], other["contender"], other["unit"])
            if same == (line["goal"], line["benchmark"], line["versus"], line["unit"]):
                if other["value"]:
                    if line["unit"] in _LOWER_IS_BETTER:
                        line["ratio"] = other["value"] / line["value"]
                    else:
                        line["ratio"] = line["value"] / other["value"]
                break


def disagreements(lines: Iterable[dict[str, Any]]) -> list[str]:
    """One message per benchmark whose contenders' checks differ (contenders without a check
    are not compared)."""
    checks: dict[tuple[str, str], dict[str, list[str]]] = {}
    for line in lines:
        if line.get("check") is None:
            continue
        key = (str(line["goal"]), str(line["benchmark"]))
        checks.setdefault(key, {}).setdefault(line["check"], []).append(str(line["contender"]))
    messages = []
    for (goal, benchmark), by_check in checks.items():
        if len(by_check) > 1:
            sides = "; ".join(
                f"{', '.join(contenders)} gave {check[:19]}…"
                for check, contenders in by_check.items()
            )
            messages.append(f"{goal} / {benchmark}: the contenders disagree: {sides}")
    return messages


def exit_status(outcomes: Iterable[Outcome]) -> int:
    """0, or 1 when a module raised or the contenders of a benchmark disagree. A missed target
    or a skipped module is shown, never failed."""
    outcomes = list(outcomes)
    if any(outcome.status == "error" for outcome in outcomes):
        return 1
    return 1 if disagreements(line for outcome in outcomes for line in outcome.lines) else 0


def lower_is_better(unit: str) -> bool:
    """Whether a smaller value is the better one in ``unit`` (a duration or a size)."""
    return unit in _LOWER_IS_BETTER
