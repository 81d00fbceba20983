"""Benchmark: how loading one policy file grows with its rules (goal 4 of the performance work).

Policies of 100, 1,000 and 10,000 rules in three shapes are generated here and loaded with
``load_policy_file`` -- read (YAML), check (file models) and compile (names, types, order,
conflicts, freeze) -- by the working tree and by the baseline tree (``baseline.py``), each in a
fresh interpreter of its own, in the same run. The shapes:

- ``chain``: each rule reads the value the next one written sets (written in reverse order of
  dependency), the order stage's worst case;
- ``same_condition``: every rule under one condition, each setting an output of its own, the
  conflict check's worst case;
- ``mixed``: dated parameters, tables, lookups, ``else`` branches, ``defeats``, outputs and
  inputs with defaults -- a policy as authors write them, only longer.

Each line gives the best load time of N, the ratio to the baseline (baseline time / this time,
so > 1 is faster; the target is >= 5 at 1,000 rules), and in its note the time per rule and the
split between reading the YAML and the rest. A shape's line at 10,000 rules also compares its
time per rule with that at 1,000 (flat is 1.0). The contender "govrules, gc paused" is the
working tree with the garbage collector paused from outside for the whole load: the share of
the time, growing with the size, that the collector would spend walking the trees being built.
``load_policy_file`` pauses it itself while it reads, validates and compiles a file (and
resumes it after each), so the two are close; the baseline tree did not. The ``check`` of a
line is the digest of the compiled rule ids in order and of the diagnostics (code, line,
column) of the same policy with a conflict and a cycle written into its middle: both trees
must agree.

    python benchmarks/compile_scale.py            # 100 / 1,000 / 10,000 rules
    python benchmarks/compile_scale.py --quick    # 100 / 1,000 rules, one run each
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: the repository root is the import root
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

__all__ = ["SHAPES", "measure", "measure_here", "policy_text"]

SHAPES = ("chain", "same_condition", "mixed")
FULL_SIZES = (100, 1_000, 10_000)
QUICK_SIZES = (100, 1_000)
TARGET_RATIO = 5.0  # a 1,000-rule policy loads in <= 1/5 of the baseline's time
TARGET_SIZE = 1_000
SOURCE = "cn.jilin.taobei.wage_deposit_integrity"  # the document every generated rule cites

_HEAD = """\
kind: policy
id: bench.compile.{name}
version: 1.0.0
title: {{zh: 规则数量, en: Compile scale}}
jurisdiction: cn.jilin.baicheng.taobei
sources: {{wage: {source}}}
effective: {{from: 2016-05-26}}
"""
_CITE = "wage#art4"


# ---------------------------------------------------------------------------- the policies


def policy_text(shape: str, rules: int, broken_at: int | None = None) -> str:
    """The YAML text of a generated policy of ``rules`` rules (``mixed`` adds its ``else``
    branches, alternatives and defaults). With ``broken_at``, two rules that form a cycle and
    one that conflicts with the rule written at that position are inserted there."""
    head, blocks, clash = _SHAPES[shape](rules)
    outputs = head.pop()  # the outputs come last in the head, the broken rules add two
    if broken_at is not None:
        outputs += ["  loop_a: {type: integer}", "  loop_b: {type: integer}"]
        blocks[broken_at:broken_at] = [
            clash(broken_at),
            f"  - {{id: loop_a, cite: {_CITE}, set: {{loop_a: loop_b + 1}}}}",
            f"  - {{id: loop_b, cite: {_CITE}, set: {{loop_b: loop_a + 1}}}}",
        ]
    lines = [_HEAD.format(name=shape, source=SOURCE), *head, "outputs:", *outputs]
    lines += ["outcome: {values: [done, big], default: done}", "rules:", *blocks]
    return "\n".join(lines) + "\n"


def _chain(count: int) -> Any:
    """Rule ``r<i>`` sets ``v<i>`` from ``v<i-1>``; written last rule first."""
    head = ["inputs:", "  x: {type: integer, required: true}"]
    outputs = [f"  v{i}: {{type: integer}}" for i in range(count)]
    blocks = [
        f"  - {{id: r{i}, cite: {_CITE}, set: {{v{i}: {'x' if i == 0 else f'v{i - 1} + 1'}}}}}"
        for i in reversed(range(count))
    ]

    def clash(position: int) -> str:
        target = count - 1 - position  # the rule written at ``position``
        return f"  - {{id: clash, cite: {_CITE}, set: {{v{target}: x + 1}}}}"

    return [*head, outputs], blocks, clash


def _same_condition(count: int) -> Any:
    """Every rule ``when: x > limit``, each setting its own output."""
    head = [
        "inputs:",
        "  x: {type: integer, required: true}",
        "parameters:",
        f"  limit: {{type: integer, values: [{{from: 2016-05-26, value: 10, cite: {_CITE}}}]}}",
    ]
    outputs = [f"  v{i}: {{type: integer}}" for i in range(count)]
    blocks = [
        f"  - {{id: r{i}, cite: {_CITE}, when: x > limit, set: {{v{i}: x + limit}}}}"
        for i in range(count)
    ]

    def clash(position: int) -> str:
        return f"  - {{id: clash, cite: {_CITE}, when: x > limit, set: {{v{position}: x}}}}"

    return [*head, outputs], blocks, clash


def _mixed(count: int) -> Any:
    """Groups of ten rules: a dated parameter per group, a table every fifth group read by
    ``lookup``, rules chained within a group, an ``else`` on every fourth rule, an alternative
    that defeats the last rule of a group, a default on every third output."""
    groups = max(1, count // 10)
    head = [
        "inputs:",
        "  x: {type: integer, required: true}",
        "  day: {type: date, required: true}",
        "  kind: {type: enum, values: [a, b, c], required: true}",
        f"  extra: {{type: integer, default: {{value: '0', cite: {_CITE}}}}}",
        "parameters:",
        "  start:",
        "    type: date",
        f"    values: [{{from: 2016-05-26, value: 2017-01-01, cite: {_CITE}}}]",
    ]
    for group in range(groups):
        head += [f"  p{group}:", "    type: integer", "    values:"]
        head += [
            f"      - {{from: {year}-01-01, value: {group + step}, cite: {_CITE}}}"
            for step, year in enumerate((2016, 2018, 2020))
        ]
        if group % 5 == 0:
            head += [
                f"  t{group}:",
                "    type: table",
                "    keys: {kind: {type: enum, values: [a, b, c]}}",
                "    value: integer",
                "    values:",
                "      - from: 2016-01-01",
                "        rows:",
            ]
            head += [
                f"          - {{kind: {kind}, value: {group + step}, cite: {_CITE}}}"
                for step, kind in enumerate("abc")
            ]
    outputs = [
        f"  v{i}: {{type: integer"
        + (f", default: {{value: '0', cite: {_CITE}}}" if i % 3 == 0 else "")
        + "}"
        for i in range(count)
    ]
    blocks = []
    for i in range(count):
        group = i // 10
        read = f"v{i - 1}" if i % 10 else f"lookup(t{group - group % 5}, kind)"
        block = [
            f"  - id: r{i}",
            f"    cite: {_CITE}",
            f"    when: x > p{group} and day >= start",
            f"    set: {{v{i}: '{read} + p{group} + extra'}}",
        ]
        if i % 4 == 1:
            block.append(f"    else: {{set: {{v{i}: '1'}}}}")
        if i % 10 == 9:
            block += [
                "    outcome: big",
                f"  - id: s{i}",
                f"    cite: {_CITE}",
                "    when: kind == 'b'",
                f"    set: {{v{i}: p{group}}}",
                f"    defeats: [r{i}]",
            ]
        blocks.append("\n".join(block))

    def clash(position: int) -> str:
        written = blocks[position].split("\n")[0].removeprefix("  - id: r")
        i = int(written)
        return (
            f"  - {{id: clash, cite: {_CITE}, when: x > p{i // 10} and day >= start, "
            f"set: {{v{i}: x}}}}"
        )

    return [*head, outputs], blocks, clash


_SHAPES = {"chain": _chain, "same_condition": _same_condition, "mixed": _mixed}


# ---------------------------------------------------------------------------- measuring


def measure_here(
    shapes: list[str], sizes: list[int], repeats: int, paused: bool = False
) -> list[dict[str, Any]]:
    """Time ``load_policy_file`` on each generated policy with the govrules this interpreter
    imports (the working tree's or the baseline's); best of ``repeats`` runs each (one at
    10,000 rules). With ``paused``, also once with the garbage collector paused during the
    load: how much of the time is the collector walking the trees being built."""
    from govrules.compiler.loading import load_policy_file
    from govrules.errors import PolicyLoadError
    from govrules.language.reader import read_yaml_file
    from govrules.language.sources import SourceLibrary

    repository = Path(__file__).resolve().parents[1]
    found = sorted(repository.glob(f"policies/*/sources/{SOURCE}.yaml"))
    results = []
    with tempfile.TemporaryDirectory() as folder:
        sources_folder = Path(folder) / "sources"
        sources_folder.mkdir()
        (sources_folder / found[0].name).write_bytes(found[0].read_bytes())
        sources = SourceLibrary([sources_folder])
        for shape in shapes:
            for size in sizes:
                path = Path(folder) / f"{shape}_{size}.yaml"
                path.write_text(policy_text(shape, size), encoding="utf-8")
                broken = Path(folder) / f"{shape}_{size}_broken.yaml"
                broken.write_text(policy_text(shape, size, broken_at=size // 2), encoding="utf-8")
                try:
                    load_policy_file(broken, sources, display=broken.name)
                    diagnostics: list[Any] = []
                except PolicyLoadError as error:
                    diagnostics = [
                        (d.code, d.span.line, d.span.column) if d.span else (d.code,)
                        for d in error.diagnostics
                    ]
                best_total = best_read = float("inf")
                rule_ids: list[str] = []
                runs = repeats if size < 10_000 else 1  # 10,000 rules: seconds each
                for _ in range(runs):
                    gc.collect()
                    started = time.perf_counter()
                    compiled = load_policy_file(path, sources, display=path.name)
                    best_total = min(best_total, time.perf_counter() - started)
                    rule_ids = [rule.id for rule in compiled.rules]
                    del compiled
                    gc.collect()
                    started = time.perf_counter()
                    read_yaml_file(path, path.name)
                    best_read = min(best_read, time.perf_counter() - started)
                without_gc = float("inf")
                if paused:
                    gc.collect()
                    gc.disable()
                    try:
                        started = time.perf_counter()
                        load_policy_file(path, sources, display=path.name)
                        without_gc = time.perf_counter() - started
                    finally:
                        gc.enable()
                digest = hashlib.sha256(
                    json.dumps([rule_ids, diagnostics]).encode("utf-8")
                ).hexdigest()
                results.append(
                    {
                        "shape": shape,
                        "size": size,
                        "rules": len(rule_ids),
                        "total": best_total,
                        "read": best_read,
                        "paused": without_gc,
                        "paused_runs": 1 if paused else 0,
                        "check": f"sha256:{digest[:16]}",
                        "runs": runs,
                        "diagnostics": len(diagnostics),
                    }
                )
    return results


_SCRIPT = """
import json, sys
from benchmarks.compile_scale import measure_here
print(json.dumps(measure_here(*json.loads(sys.argv[1]))))
"""


def _run(src: Path | None, shapes: list[str], sizes: list[int], repeats: int) -> Any:
    from benchmarks.baseline import run_python

    arguments = [shapes, sizes, repeats, src is None]  # the collector paused: this tree only
    return json.loads(run_python(_SCRIPT, src, [json.dumps(arguments)]))


def measure(quick: bool) -> list[dict[str, Any]]:
    """The lines of the table (see the harness contract): per shape and size, the working
    tree against the baseline tree, and the time per rule at 10,000 rules against 1,000."""
    from benchmarks.baseline import baseline_tree

    sizes = list(QUICK_SIZES if quick else FULL_SIZES)
    rounds, per_round = (1, 1) if quick else (2, 3)
    shapes = list(SHAPES)
    # the trees take turns, so that a slower minute of a shared machine hits both
    before: dict[tuple[str, int], dict[str, Any]] = {}
    now: dict[tuple[str, int], dict[str, Any]] = {}
    for _ in range(rounds):
        for src, best in ((baseline_tree(), before), (None, now)):
            for result in _run(src, shapes, sizes, per_round):
                key = (result["shape"], result["size"])
                if key in best and best[key]["check"] != result["check"]:
                    result["check"] = "differs between runs"
                if key in best:
                    result["runs"] += best[key]["runs"]
                    result["paused_runs"] += best[key]["paused_runs"]
                    for part in ("total", "read", "paused"):
                        result[part] = min(result[part], best[key][part])
                best[key] = result
    lines: list[dict[str, Any]] = []
    for shape in shapes:
        for size in sizes:
            mine, theirs = now[(shape, size)], before[(shape, size)]
            ratio = theirs["total"] / mine["total"]
            label = f"load_policy_file, {shape}, {size:,} rules"
            aimed = size == TARGET_SIZE
            lines.append(_line(label, "govrules@baseline", theirs, None, None, None, None))
            lines.append(
                _line(
                    label,
                    "govrules",
                    mine,
                    "govrules@baseline",
                    ratio,
                    f">= {TARGET_RATIO:g}x" if aimed else None,
                    ratio >= TARGET_RATIO if aimed else None,
                )
            )
            paused = dict(mine, total=mine["paused"], runs=mine["paused_runs"], read=None)
            lines.append(
                _line(
                    label,
                    "govrules, gc paused",
                    paused,
                    "govrules",
                    mine["total"] / mine["paused"],
                    None,
                    None,
                )
            )
        if 10_000 in sizes:
            small, large = now[(shape, 1_000)], now[(shape, 10_000)]
            per_small = small["total"] / small["rules"]
            per_large = large["total"] / large["rules"]
            lines.append(
                {
                    "goal": "4 scale with rules",
                    "benchmark": f"{shape}: time per 1,000 rules at 10,000 rules",
                    "contender": "govrules",
                    "unit": "ms",
                    "value": round(per_large * 1e6, 1),
                    "versus": "govrules at 1,000 rules",
                    "ratio": round(per_small / per_large, 2),
                    "target": "roughly flat (ratio near 1)",
                    "met": per_small / per_large >= 0.8,
                    "check": large["check"],
                    "note": f"{per_small * 1e6:.1f} ms per 1,000 rules at 1,000 rules; with the "
                    "garbage collector paused during the load: "
                    f"{large['paused'] / large['rules'] * 1e6:.1f} ms at 10,000 rules, "
                    f"{small['paused'] / small['rules'] * 1e6:.1f} ms at 1,000",
                }
            )
    return lines


def _line(
    label: str,
    contender: str,
    result: dict[str, Any],
    versus: str | None,
    ratio: float | None,
    target: str | None,
    met: bool | None,
) -> dict[str, Any]:
    total, read = result["total"], result["read"]
    split = (
        f"; read {read * 1000:.0f} ms + check and compile {(total - read) * 1000:.0f} ms"
        if read is not None  # (the read is timed with the collector running)
        else ""
    )
    return {
        "goal": "4 scale with rules",
        "benchmark": label,
        "contender": contender,
        "unit": "ms",
        "value": round(total * 1000, 1),
        "versus": versus,
        "ratio": round(ratio, 2) if ratio is not None else None,
        "target": target,
        "met": met,
        "check": result["check"],
        "note": (
            f"best of {result['runs']}; "
            f"{result['rules']:,} compiled rules, {total / result['rules'] * 1e6:.0f} us each"
            + split
        ),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="100 and 1,000 rules, one run")
    args = parser.parse_args()
    lines = measure(args.quick)
    for line in lines:
        ratio = f"{line['ratio']:.2f}x" if line["ratio"] is not None else ""
        met = {True: "PASS", False: "MISS", None: ""}[line["met"]]
        print(
            f"{line['benchmark']:<52} {line['contender']:<18} {line['value']:>10,.1f} "
            f"{line['unit']:<3} {ratio:>7} {met:<4} {line['note']}"
        )
    problems = [
        line["benchmark"]
        for line, other in zip(lines, lines[1:], strict=False)
        if line["benchmark"] == other["benchmark"] and line["check"] != other["check"]
    ]
    for problem in problems:
        print(f"! the trees disagree on {problem}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
