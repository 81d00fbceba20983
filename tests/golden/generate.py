"""The golden set of decisions: what the engine decided, byte for byte, before a speed-up.

Every test written next to a bundled policy, every example case, and a few hundred generated
cases of the headline policies are decided; for each the golden file keeps the outcome, the
fingerprint and the sha256 of every form a decision is read in -- its JSON with and without the
trace, compact and indented, and its text, Markdown and HTML explanations. A change that is
meant to leave decisions alone (a faster encoder, a compact trace, a columnar path) must leave
every one of these hashes as it is: ``tests/test_golden_decisions.py`` checks them.

    python tests/golden/generate.py --write    # after a deliberate change to a policy or format
    python tests/golden/generate.py --check    # what the test does, from the command line

The holiday library's version is part of a decision (its ``calendar`` member); the set records
the text it was made with and the check puts that text on the calendar it uses, so that a new
``holidays`` release (same official schedules) does not read as a changed decision.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import random
import sys
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

from govrules.calendar import WorkingDayCalendar
from govrules.cli.arguments import envelope_date
from govrules.compiler.policy import CompiledPolicy
from govrules.engine import Engine
from govrules.errors import GovrulesError
from govrules.explain.html import explain_html
from govrules.explain.markdown import explain_markdown
from govrules.explain.text import explain_text
from govrules.runtime.case_files import read_case_file as read_example

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = Path(__file__).with_name("decisions.jsonl")

# the policies whose cases are also generated (scalar inputs only), and how many of each
GENERATED = {
    "cn.jilin.taobei.wage_deposit": 150,
    "cn.national.wage_deposit": 150,
    "cn.national.retirement_eligibility": 150,
    "cn.national.labor_arbitration_time_limits": 150,
    "cn.national.severance_pay": 100,
}
SEED = 20261121


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _value(kind: str, values: tuple[str, ...] | None, rng: random.Random) -> Any:
    """One random fact of a scalar type, written as a case file writes it."""
    if kind == "bool":
        return rng.random() < 0.5
    if kind == "integer":
        return rng.choice([0, 1, 2, 3, 5, 12, 15, 60, 119, 120, 180, 240, rng.randrange(0, 600)])
    if kind == "money":
        return str(Decimal(rng.randrange(0, 10**11)) / 100)
    if kind == "rate":
        return str(Decimal(rng.randrange(0, 120)) / 1000)
    if kind == "decimal":
        return str(Decimal(rng.randrange(0, 10**6)) / 100)
    if kind == "date":
        return (dt.date(1955, 1, 1) + dt.timedelta(days=rng.randrange(0, 28_000))).isoformat()
    if kind == "datetime":
        moment = dt.datetime(2015, 1, 1) + dt.timedelta(minutes=rng.randrange(0, 7_000_000))
        return moment.isoformat(timespec="minutes")
    if kind == "enum":
        assert values is not None
        return rng.choice(values)
    if kind == "text":
        return rng.choice(["", "甲", "abc", "劳动合同"])
    raise ValueError(f"no generator for {kind}")


def generated_cases(
    policy: CompiledPolicy, count: int, seed: int
) -> Iterator[tuple[dt.date, dict]]:
    """``count`` cases of ``policy`` (each fact left out one time in five), each with a date
    on which the policy is in force."""
    rng = random.Random(f"{seed}:{policy.id}")
    start = max(policy.model.effective.start, dt.date(2015, 1, 1))
    for _ in range(count):
        case = {}
        for item in policy.inputs:
            if rng.random() < 0.2:
                continue
            case[item.name] = _value(item.type.kind, item.type.values, rng)
        day = start + dt.timedelta(days=rng.randrange(0, (dt.date(2026, 12, 31) - start).days))
        yield day, case


def _cases(engine: Engine) -> Iterator[tuple[str, CompiledPolicy, dt.date, dict]]:
    for policy in engine.policies():
        for test in policy.model.tests:
            yield f"test:{test.name}", policy, test.as_of, dict(test.input)
    for path in sorted((ROOT / "examples").rglob("*")):
        if path.suffix not in (".json", ".yaml") or "reviews" in path.parts:
            continue
        facts, envelope = read_example(path)
        if envelope is None:
            continue
        day = envelope_date(envelope)
        assert day is not None, path
        policy = engine.policy(str(envelope["policy"]), day)
        yield f"example:{path.relative_to(ROOT).as_posix()}", policy, day, facts
    for policy_id, count in GENERATED.items():
        policy = engine.policy(policy_id)
        for index, (day, case) in enumerate(generated_cases(policy, count, SEED)):
            yield f"generated:{index}", policy, day, case


def record(engine: Engine, source: str, policy: CompiledPolicy, day: dt.date, case: dict) -> dict:
    """What the golden set keeps of one case: outcome, fingerprint and the hash of each form."""
    entry: dict[str, Any] = {"source": source, "policy": policy.id, "version": policy.version}
    entry["as_of"] = day.isoformat()
    try:
        traced = engine.evaluate_version(policy, case, day)
        plain = engine.evaluate_version(policy, case, day, trace=False)
    except GovrulesError as error:
        entry["error"] = _sha(f"{type(error).__name__}: {error}")
        return entry
    entry["outcome"] = traced.outcome
    entry["fingerprint"] = traced.fingerprint
    entry["fingerprint_untraced"] = plain.fingerprint
    entry["json"] = _sha(traced.to_json())
    entry["json_compact"] = _sha(traced.to_json(indent=None))
    entry["json_untraced"] = _sha(plain.to_json())
    entry["text"] = _sha(explain_text(traced))
    entry["markdown"] = _sha(explain_markdown(traced))
    entry["html"] = _sha(explain_html(traced))
    return entry


def build(engine: Engine) -> list[dict]:
    return [record(engine, *case) for case in _cases(engine)]


def golden_engine(provenance: str | None = None) -> Engine:
    """The bundled packs, their calendar labelled with ``provenance`` when given."""
    engine = Engine.default()
    if provenance is not None:  # a calendar of its own: the shared one keeps its label
        engine.calendar = WorkingDayCalendar()
        engine.calendar.provenance = provenance
    return engine


def read_golden() -> tuple[str, list[dict]]:
    lines = GOLDEN.read_text(encoding="utf-8").splitlines()
    header = json.loads(lines[0])
    return header["calendar"], [json.loads(line) for line in lines[1:]]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--write", action="store_true", help="write tests/golden/decisions.jsonl")
    parser.add_argument("--check", action="store_true", help="compare with the golden set")
    args = parser.parse_args(argv)
    if args.write:
        engine = golden_engine()
        entries = build(engine)
        header = {"calendar": engine.calendar.provenance, "decisions": len(entries)}
        lines = [json.dumps(header, ensure_ascii=False)]
        lines += [json.dumps(entry, ensure_ascii=False) for entry in entries]
        GOLDEN.write_text("\n".join(lines) + "\n", encoding="utf-8")
        print(f"{GOLDEN.name}: {len(entries)} decisions")
        return 0
    provenance, expected = read_golden()
    actual = build(golden_engine(provenance))
    differ = [(e, a) for e, a in zip(expected, actual, strict=False) if e != a]
    for wanted, got in differ[:20]:
        print(
            json.dumps(wanted, ensure_ascii=False), "\n  now", json.dumps(got, ensure_ascii=False)
        )
    print(f"{len(actual)} decisions, {len(differ)} differ", file=sys.stderr)
    return 1 if differ or len(expected) != len(actual) else 0


if __name__ == "__main__":
    sys.exit(main())
