"""Benchmark (issue 18, goal 1): a cold ``govrules evaluate`` of a bundled policy -- a new
Python process that loads the policy, decides the example case and prints the decision -- beside
``python3 -c pass`` in the same run.

Contenders, each a fresh interpreter started the way the ``govrules`` script starts one
(``from govrules.cli.main import main``), rounds interleaved so that all see the same machine:

- ``python3 -c pass``: the floor, the interpreter starting and stopping;
- ``govrules@baseline``: the tree before the performance work (``benchmarks/baseline.py``);
- ``govrules, empty cache``: a compiled cache folder that does not exist yet (a first run);
- ``govrules, warm cache``: the cache an earlier run filled (every later run);
- ``govrules, GOVRULES_CACHE=off``: loading only what the policy needs, compiling it each time.

The figure is wall-clock milliseconds, the best of N runs (the process's CPU time is in the
note). Every contender runs from compiled bytecode, as an installed package does (pip compiles
it when it installs): ``PYTHONDONTWRITEBYTECODE`` is dropped for the runs, and each tree is run
once, untimed, before the rounds, so that its ``__pycache__`` is written. The target is
100 ms for the warm run, ``--format json`` and ``--format text`` alike.
``check`` is the digest of what each contender printed: every govrules contender of a
benchmark must print the same bytes.

    python benchmarks/cold_start.py            # best of 7 (about a minute)
    python benchmarks/cold_start.py --quick    # best of 2, the baseline once
"""

from __future__ import annotations

import argparse
import hashlib
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: the repository root is not on sys.path
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.baseline import BASELINE_REF, REPOSITORY, baseline_tree  # noqa: E402

__all__ = ["TARGET_MS", "measure"]

TARGET_MS = 100.0
GOAL = "1 cold CLI"
POLICY = "cn.jilin.taobei.wage_deposit"
CASE = REPOSITORY / "examples" / "wage_deposit" / "01_first_deposit.yaml"
PASS = "python3 -c pass"
BEFORE = "govrules@baseline"
EMPTY = "govrules, empty cache"
WARM = "govrules, warm cache"
OFF = "govrules, GOVRULES_CACHE=off"
_CLI = "import sys\nfrom govrules.cli.main import main\nsys.exit(main())\n"


def _run(
    code: str, args: list[str], src: Path | None, cache: Path | None
) -> tuple[float, float, str]:
    """Wall seconds, CPU seconds and stdout of one fresh interpreter running ``code``."""
    env = dict(os.environ)
    env.pop("PYTHONHASHSEED", None)
    # bytecode as an installed package has it, for every contender alike (see the docstring)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    if src is not None:
        env["PYTHONPATH"] = str(src)  # before the installed (editable) govrules
    if cache is None:
        env["GOVRULES_CACHE"] = "off"
    else:
        env.pop("GOVRULES_CACHE", None)
        env["XDG_CACHE_HOME"] = str(cache)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", code, *args],
        capture_output=True,
        env=env,
        # in the tree's own folder: positions in the trace name its policies alike
        cwd=src.parent if src is not None else REPOSITORY,
        check=False,
    )
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise RuntimeError(f"{code[:40]!r} {args} failed: {done.stderr.decode()[-2000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, done.stdout.decode()


def measure(quick: bool) -> list[dict[str, Any]]:
    repeats = 2 if quick else 7
    baseline_repeats = 1 if quick else 3  # seconds each
    work = REPOSITORY / "src"
    before = baseline_tree()
    lines: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="govrules-cold-") as folder:
        warm = Path(folder) / "warm"
        for form in ("json", "text"):
            args = ["evaluate", POLICY, "--case", str(CASE), "--format", form]
            runs: dict[str, list[tuple[float, float, str]]] = {}
            _run(_CLI, args, work, warm)  # fills the cache and writes bytecode (not counted)
            _run(_CLI, args, before, None)  # the baseline's bytecode (not counted)
            for round_ in range(repeats):
                empty = Path(folder) / f"empty-{form}-{round_}"
                runs.setdefault(PASS, []).append(_run("pass", [], None, None))
                runs.setdefault(EMPTY, []).append(_run(_CLI, args, work, empty))
                runs.setdefault(WARM, []).append(_run(_CLI, args, work, warm))
                runs.setdefault(OFF, []).append(_run(_CLI, args, work, None))
                if round_ < baseline_repeats:
                    runs.setdefault(BEFORE, []).append(_run(_CLI, args, before, None))
            best = {
                name: (min(r[0] for r in found), min(r[1] for r in found))
                for name, found in runs.items()
            }
            printed = {name: found[0][2] for name, found in runs.items()}
            for name, found in runs.items():
                if any(r[2] != found[0][2] for r in found):
                    raise RuntimeError(f"{name} printed two different decisions")
            digests = {
                name: "sha256:" + hashlib.sha256(out.encode()).hexdigest()
                for name, out in printed.items()
            }
            counts = {name: len(found) for name, found in runs.items()}
            benchmark = f"cold evaluate {POLICY} --format {form}"
            for name in (PASS, BEFORE, EMPTY, OFF, WARM):
                wall, cpu = best[name]
                line: dict[str, Any] = {
                    "goal": GOAL,
                    "benchmark": benchmark,
                    "contender": name,
                    "unit": "ms",
                    "value": round(wall * 1000, 1),
                    "versus": None if name in (PASS, BEFORE) else BEFORE,
                    "target": None,
                    "met": None,
                    "check": None if name == PASS else digests[name],
                    "note": f"best of {counts[name]}; CPU {cpu * 1000:.0f} ms",
                }
                if name == BEFORE:
                    line["note"] += f"; {BASELINE_REF}"
                if name == WARM:
                    line["target"] = TARGET_MS
                    line["met"] = wall * 1000 <= TARGET_MS
                    floor = best[PASS][0]
                    line["note"] += f"; {wall / floor:.1f}x python3 -c pass ({floor * 1000:.1f} ms)"
                lines.append(line)
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="best of 2, the baseline once")
    args = parser.parse_args(argv)
    lines = measure(args.quick)
    width = max(len(line["contender"]) for line in lines)
    shown = None
    for line in lines:
        if line["benchmark"] != shown:
            shown = line["benchmark"]
            print(shown)
        versus = next(
            (
                other["value"]
                for other in lines
                if other["benchmark"] == line["benchmark"] and other["contender"] == line["versus"]
            ),
            None,
        )
        ratio = f"{versus / line['value']:.1f}x" if versus else ""
        met = {True: "met", False: "MISSED", None: ""}[line["met"]]
        print(
            f"  {line['contender']:<{width}} {line['value']:>8.1f} ms {ratio:>7} {met:<6} "
            f"{line['note']}"
        )
    checks: dict[str, set[str]] = {}
    for line in lines:
        if line["check"] is not None:
            checks.setdefault(line["benchmark"], set()).add(line["check"])
    differ = [name for name, seen in checks.items() if len(seen) > 1]
    for name in differ:
        print(f"the contenders disagree: {name}", file=sys.stderr)
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
