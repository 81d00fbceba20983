"""``python -m benchmarks``: every benchmark of the performance work in one run, one table of
ratios, and the machine and the versions the figures were measured with.

    python -m benchmarks                     # the benchmarks of the performance goals, in full
    python -m benchmarks --quick             # each in its quick mode: the CI smoke run
    python -m benchmarks --only cold_start evaluate_json
    python -m benchmarks --all --json run.json --markdown run.md   # with the long ones too

The exit status is 0, or 1 when a benchmark raised or the contenders of a benchmark gave
different results; never because of a timing (a missed target shows "no" under "met").
"""

from __future__ import annotations

import argparse
import importlib.metadata
import json
import os
import platform
import subprocess
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from benchmarks.harness import (
    REPOSITORY,
    Outcome,
    disagreements,
    exit_status,
    known_modules,
    lower_is_better,
    run_child,
    run_module,
)

__all__ = [
    "machine",
    "main",
    "render_markdown",
    "render_table",
    "render_text",
    "summary",
    "versions",
]

FOLDER = Path(__file__).resolve().parent


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.run_module:
        return run_child(args.run_module, args.package or None, args.quick, Path(args.output))
    defaults, long = known_modules()
    for name in args.only:
        if name not in defaults + long and not (FOLDER / f"{name}.py").exists():
            _parser().error(f"no benchmark {name!r}; the benchmarks: {', '.join(defaults + long)}")
    if args.list:
        for name in defaults + long:
            print(name + ("  (long: --all or --only)" if name in long else ""))
        return 0
    selected = list(dict.fromkeys(args.only)) or defaults + (long if args.all else [])

    outcomes: list[Outcome] = []
    for name in selected:
        print(f"{name}{' (quick)' if args.quick else ''} ...", end=" ", file=sys.stderr, flush=True)
        outcome = run_module(name, args.quick, timeout=args.timeout)
        print(f"{outcome.status} in {outcome.seconds:.1f} s", file=sys.stderr, flush=True)
        outcomes.append(outcome)

    record = summary(outcomes, _command(args))
    print(render_text(record))
    if args.json:
        text = json.dumps(record, indent=2, ensure_ascii=False)
        Path(args.json).write_text(text + "\n", encoding="utf-8")
    if args.markdown:
        Path(args.markdown).write_text(render_markdown(record), encoding="utf-8")
    status: int = record["exit_status"]
    return status


def summary(outcomes: Sequence[Outcome], command: str) -> dict[str, Any]:
    """One run as data (what --json writes): the command, the machine, the versions, each
    module's status, every line, the disagreements and the exit status."""
    lines = [line for outcome in outcomes for line in outcome.lines]
    return {
        "command": command,
        "machine": machine(),
        "versions": versions(),
        "modules": [
            {"module": o.module, "status": o.status, "reason": o.reason, "seconds": o.seconds}
            for o in outcomes
        ],
        "lines": lines,
        "disagreements": disagreements(lines),
        "exit_status": exit_status(outcomes),
    }


def render_text(record: dict[str, Any]) -> str:
    """The table, then what was skipped, what failed, and the machine and versions."""
    out = [render_table(record["lines"]) if record["lines"] else "(no lines)", ""]
    out += _remarks(record)
    out.append("command   " + record["command"])
    out.append("machine   " + _items(record["machine"]))
    out.append("versions  " + _items(record["versions"]))
    return "\n".join(out)


def _remarks(record: dict[str, Any]) -> list[str]:
    remarks = [
        f"{'skipped' if module['status'] == 'skipped' else 'ERROR in'} {module['module']}: "
        + module["reason"]
        for module in record["modules"]
        if module["status"] != "ok"
    ]
    return remarks + [f"DISAGREEMENT in {problem}" for problem in record["disagreements"]]


def _items(values: dict[str, str]) -> str:
    return "; ".join(f"{name} {value}" for name, value in values.items())


def _command(args: argparse.Namespace) -> str:
    """The command as a reader would repeat it (without where the outputs were written)."""
    words = ["python -m benchmarks"]
    words += ["--quick"] if args.quick else []
    words += ["--all"] if args.all else []
    words += ["--only", *args.only] if args.only else []
    return " ".join(words)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks", description=(__doc__ or "").split("\n\n")[0]
    )
    parser.add_argument("--quick", action="store_true", help="each module's quick mode (CI)")
    parser.add_argument(
        "--only",
        nargs="+",
        action="extend",
        default=[],
        metavar="NAME",
        help="run only these modules (any module, the long ones too)",
    )
    parser.add_argument("--all", action="store_true", help="the long ones too (service, Dask)")
    parser.add_argument("--list", action="store_true", help="list the modules and stop")
    parser.add_argument("--json", metavar="FILE", help="write the lines and the machine as JSON")
    parser.add_argument("--markdown", metavar="FILE", help="write the README-ready table")
    parser.add_argument(
        "--timeout", type=float, metavar="SECONDS", help="stop a module after this long (an error)"
    )
    # how run_module starts a module in a child process; not for people
    parser.add_argument("--run-module", help=argparse.SUPPRESS)
    parser.add_argument("--output", help=argparse.SUPPRESS)
    parser.add_argument("--package", default="benchmarks", help=argparse.SUPPRESS)
    return parser


# ---------------------------------------------------------------------- the table

_HEADERS = ("goal", "benchmark", "contender", "value", "versus", "ratio", "target", "met", "note")


def table_rows(lines: Iterable[dict[str, Any]]) -> list[tuple[str, ...]]:
    """The lines as table cells, in the order of ``_HEADERS``; a goal or a benchmark is written
    once, on the first of its rows."""
    rows: list[tuple[str, ...]] = []
    previous: tuple[str, str] = ("", "")
    for line in lines:
        goal, benchmark = str(line["goal"]), str(line["benchmark"])
        shown_goal = "" if goal == previous[0] else goal
        shown_benchmark = "" if (goal, benchmark) == previous else benchmark
        previous = (goal, benchmark)
        rows.append(
            (
                shown_goal,
                shown_benchmark,
                str(line["contender"]),
                _number(line["value"]) + f" {line['unit']}",
                line["versus"] or "",
                "" if line["ratio"] is None else _ratio(line["ratio"]),
                _target(line["target"], str(line["unit"])),
                {True: "yes", False: "no", None: ""}[line["met"]],
                line["note"] or "",
            )
        )
    return rows


def render_table(lines: Iterable[dict[str, Any]]) -> str:
    """The plain-text table of the lines, columns padded to their widest cell."""
    rows = [_HEADERS, *table_rows(lines)]
    widths = [max(len(row[column]) for row in rows) for column in range(len(_HEADERS))]
    right = {3, 5}  # numbers line up on the right
    text = []
    for number, row in enumerate(rows):
        cells = [
            cell.rjust(width) if column in right else cell.ljust(width)
            for column, (cell, width) in enumerate(zip(row, widths, strict=True))
        ]
        text.append("  ".join(cells).rstrip())
        if number == 0:
            text.append("  ".join("-" * width for width in widths))
    return "\n".join(text)


def render_markdown(record: dict[str, Any]) -> str:
    """The README-ready table: a Markdown table of the lines, what was skipped or failed, then the
    command, the machine and the versions the figures were measured with."""
    rows = table_rows(record["lines"])
    out = ["| " + " | ".join(_HEADERS) + " |"]
    out.append("|" + "|".join("---:" if i in {3, 5} else "---" for i in range(len(_HEADERS))) + "|")
    out += ["| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in rows]
    out.append("")
    remarks = [remark.partition("\n")[0] for remark in _remarks(record)]
    out += [f"- {remark}" for remark in remarks] + ([""] if remarks else [])
    out.append(f"Measured with `{record['command']}` on {_items(record['machine'])}.")
    out.append("")
    out.append(f"Versions: {_items(record['versions'])}.")
    return "\n".join(out) + "\n"


def _number(value: float | None) -> str:
    if value is None:
        return "-"
    magnitude = abs(value)
    if magnitude >= 100:
        return f"{value:,.0f}"
    if magnitude >= 10:
        return f"{value:.1f}"
    if magnitude >= 1 or magnitude == 0:
        return f"{value:.2f}"
    return f"{value:.3g}"


def _ratio(ratio: float) -> str:
    return (
        f"{ratio:,.0f}" if ratio >= 100 else f"{ratio:.1f}" if ratio >= 10 else f"{ratio:.2f}"
    ) + "x"


def _target(target: float | str | None, unit: str) -> str:
    if target is None:
        return ""
    if isinstance(target, str):
        return target
    return f"{'<=' if lower_is_better(unit) else '>='} {_number(target)} {unit}"


# ---------------------------------------------------------------------- machine and versions

# The distributions whose versions a reader needs to repeat a figure.
_DISTRIBUTIONS = (
    "pydantic",
    "PyYAML",
    "orjson",
    "polars",
    "pyarrow",
    "numpy",
    "zen-engine",
    "openfisca-core",
    "holidays",
)


def machine() -> dict[str, str]:
    """The CPU, cores, memory, operating system and Python the figures were measured on."""
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return {
        "CPU": _proc_field("/proc/cpuinfo", "model name") or platform.processor() or "unknown",
        "cores": f"{os.cpu_count()} ({usable} usable)",
        "memory": _memory(),
        "OS": _os_name(),
        "Python": f"{platform.python_version()} ({platform.python_implementation()})",
    }


def versions() -> dict[str, str]:
    """govrules (its commit, and the baseline's), and the libraries the contenders use."""
    from benchmarks.baseline import BASELINE_REF

    found = {
        "govrules": f"{_version('govrules')} at {_git_commit()}",
        "baseline": f"{BASELINE_REF} (govrules before the performance work)",
    }
    for distribution in _DISTRIBUTIONS:
        found[distribution] = _version(distribution)
    if found["PyYAML"] != "absent":
        import yaml

        found["PyYAML"] += " with libyaml" if yaml.__with_libyaml__ else " without libyaml"
    return found


def _version(distribution: str) -> str:
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return "absent"


def _proc_field(path: str, name: str) -> str | None:
    try:
        with open(path, encoding="utf-8") as lines:
            for line in lines:
                key, _, value = line.partition(":")
                if key.strip() == name:
                    return value.strip()
    except OSError:
        pass
    return None


def _memory() -> str:
    total = _proc_field("/proc/meminfo", "MemTotal")  # "16314312 kB"
    if total is None or not total.split()[0].isdigit():
        return "unknown"
    return f"{int(total.split()[0]) / 1024**2:.1f} GiB"


def _os_name() -> str:
    pretty = _proc_field("/etc/os-release", "PRETTY_NAME")
    if pretty is None:
        try:
            release = Path("/etc/os-release").read_text(encoding="utf-8")
        except OSError:
            release = ""
        for line in release.splitlines():
            if line.startswith("PRETTY_NAME="):
                pretty = line.partition("=")[2].strip('"')
    return f"{pretty or platform.system()}, {platform.system()} {platform.release()}"


def _git_commit() -> str:
    """The working tree's commit, and whether it has changes; read only (no index refresh)."""
    env = {**os.environ, "GIT_OPTIONAL_LOCKS": "0"}

    def git(*args: str) -> str:
        return subprocess.run(
            ["git", "-C", str(REPOSITORY), *args],
            capture_output=True,
            text=True,
            env=env,
            check=True,
        ).stdout.strip()

    try:
        commit = git("rev-parse", "--short=7", "HEAD")
        changed = git("status", "--porcelain", "--untracked-files=no")
    except (OSError, subprocess.CalledProcessError):
        return "an unknown commit"
    return commit + (" with local changes" if changed else "")


if __name__ == "__main__":
    sys.exit(main())
