"""Hostile input, generated: every input of every bundled policy through the Python API and the
command line, mutated policy files through the loader, tampered decisions through verify.

Bounded so that CI runs it in a minute or two. What must hold, whatever the input: no internal
error; a bad case is a ``CaseError`` (exit 2) that names the field; a bad policy file is a
``PolicyLoadError`` whose every problem is located; a tampered decision never verifies.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import random
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import POLICIES, SOURCE_FOLDERS
from govrules import Engine
from govrules.audit.verify import verify_decision
from govrules.cli.main import main
from govrules.compiler.loading import load_policy_file
from govrules.errors import CaseError, EvaluationError, PolicyLoadError
from govrules.language.sources import SourceLibrary

ENGINE = Engine.from_directory(POLICIES)
SOURCES = SourceLibrary(SOURCE_FOLDERS)
POLICY_FILES = sorted(POLICIES.glob("*/policies/*.yaml"))
FIELDS = sorted((policy.id, item.name) for policy in ENGINE.policies() for item in policy.inputs)
AS_OF = dt.date(2026, 11, 21)

HOSTILE_TEXT = st.sampled_from([
    "", " ", "x\n\nOUTCOME: approved", "\x1b[31mred", "\x00", "\x07", "\ud800", "１０００",
    "١٠٠٠", "1_000", "+1000", "1e-999999999", "9" * 5000, "1E+999999", "NaN", "-Infinity",
    "9999-12-31", "0001-01-01", "2026-02-30", "2026-W47-6", "2026-03-02T09:30+08:00",
    "<script>", "| a | b |", "'; DROP TABLE", "true", "null", "[]", "{}",
])
SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(-(10**30), 10**30), st.floats(allow_nan=True),
    HOSTILE_TEXT, st.text(max_size=40),
    st.decimals(allow_nan=False, allow_infinity=False).map(str),
    st.dates(min_value=dt.date(1, 1, 1)).map(dt.date.isoformat),
)
VALUES = st.recursive(
    SCALARS,
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=12,
)
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _decide_or_refuse(policy_id: str, case: dict[str, Any]) -> None:
    try:
        ENGINE.evaluate(policy_id, case, as_of=AS_OF)
    except CaseError as error:
        assert error.diagnostics, "a refusal names what is wrong"
        named = " ".join(str(d) for d in error.diagnostics)
        assert any(name in named for name in case), named
    except EvaluationError as error:
        # a case the law cannot decide (an amount that overflows a rule): named, not a crash
        assert policy_id in str(error)


@FUZZ
@given(st.sampled_from(FIELDS), VALUES)
def test_any_value_of_any_field_is_decided_or_refused_by_name(field: tuple[str, str],
                                                              value: Any) -> None:
    policy_id, name = field
    _decide_or_refuse(policy_id, {name: value})


@FUZZ
@given(st.sampled_from([p.id for p in ENGINE.policies()]),
       st.dictionaries(st.sampled_from([n for _, n in FIELDS]), VALUES, max_size=6))
def test_any_case_is_decided_or_refused_by_name(policy_id: str, case: dict[str, Any]) -> None:
    _decide_or_refuse(policy_id, case)


@settings(max_examples=6, deadline=None)  # each run loads every policy: a few suffice
@given(st.sampled_from(FIELDS), VALUES)
def test_the_command_line_exits_0_or_2_never_1(field: tuple[str, str], value: Any) -> None:
    policy_id, name = field
    path = Path(f"/tmp/govrules-fuzz-{random.getrandbits(64):x}.json")
    try:
        text = json.dumps({name: value}, ensure_ascii=False)
    except (ValueError, UnicodeEncodeError):  # a float NaN or a lone surrogate JSON cannot hold
        return
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    try:
        code = main(["evaluate", policy_id, "--case", str(path), "--as-of", "2026-11-21",
                     "--no-trace"])
    finally:
        path.unlink()
    assert code in (0, 2)


def _mutations(text: str, rng: random.Random) -> str:
    lines = text.splitlines(keepends=True)
    for _ in range(rng.randint(1, 3)):
        at = rng.randrange(len(lines))
        kind = rng.randrange(5)
        if kind == 0:
            del lines[at]
        elif kind == 1:
            lines.insert(at, lines[rng.randrange(len(lines))])
        elif kind == 2 and lines[at].strip():
            col = rng.randrange(len(lines[at]))
            lines[at] = lines[at][:col] + rng.choice("{}[]:,'\"#&*!|>-0x\t") + lines[at][col:]
        elif kind == 3:
            lines[at] = lines[at].replace("true", "yes").replace(": ", ":  ", 1)
        else:
            other = rng.randrange(len(lines))
            lines[at], lines[other] = lines[other], lines[at]
    return "".join(lines)


@settings(max_examples=100, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(path=st.sampled_from(POLICY_FILES), seed=st.integers(0, 2**32))
def test_a_mutated_policy_loads_or_every_problem_is_located(tmp_path: Path, path: Path,
                                                            seed: int) -> None:
    mutated = tmp_path / f"{seed:x}-{path.name}"
    mutated.write_text(_mutations(path.read_text(encoding="utf-8"), random.Random(seed)),
                       encoding="utf-8")
    try:
        load_policy_file(mutated, SOURCES)
    except PolicyLoadError as error:
        assert error.diagnostics
        for problem in error.diagnostics:
            assert problem.span is not None, str(problem)
            assert problem.code and problem.message


EXAMPLES = sorted(
    p for p in Path(POLICIES.parent / "examples").rglob("*") if p.suffix in (".json", ".yaml")
)


def _leaves(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    if isinstance(value, dict):
        return [leaf for key, item in value.items() for leaf in _leaves(item, (*path, key))]
    if isinstance(value, list):
        return [leaf for i, item in enumerate(value) for leaf in _leaves(item, (*path, i))]
    return [path]


def _tampered(document: dict[str, Any], rng: random.Random) -> dict[str, Any] | None:
    candidates = [p for p in _leaves(document) if p and p[0] != "fingerprint"]
    path = rng.choice(candidates)
    tampered = copy.deepcopy(document)
    holder = tampered
    for key in path[:-1]:
        holder = holder[key]
    old = holder[path[-1]]
    new: Any = {str: lambda v: v + "x", bool: lambda v: not v, int: lambda v: v + 1,
                type(None): lambda v: "x"}.get(type(old), lambda v: "x")(old)
    holder[path[-1]] = new
    return tampered if new != old else None


@pytest.fixture(scope="module")
def decisions() -> list[dict[str, Any]]:
    from govrules.runtime.case_files import read_case_file

    found = []
    for path in EXAMPLES[:12]:
        facts, envelope = read_case_file(path)
        assert envelope is not None
        decision = ENGINE.evaluate(str(envelope["policy"]), facts,
                                   as_of=dt.date.fromisoformat(str(envelope["as_of"])))
        found.append(json.loads(decision.to_json()))
    return found


@settings(max_examples=80, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.integers(0, 2**32))
def test_every_tampering_is_detected(decisions: list[dict[str, Any]], seed: int) -> None:
    rng = random.Random(seed)
    document = rng.choice(decisions)
    tampered = _tampered(document, rng)
    if tampered is None:
        return
    result = verify_decision(ENGINE, tampered)
    assert not result.verified, result.reason
