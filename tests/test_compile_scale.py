"""Large generated policies compile to the rules, order and errors they should.

The policies are those the compile-scale benchmark times (``benchmarks/compile_scale.py``), so
these tests also keep that benchmark honest: each shape compiles, a conflict written at the
start, the middle or the end of the rules is found and located, and so is a cycle. Speed is
measured by the benchmark, never here.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import re
from pathlib import Path
from types import ModuleType

import pytest

from conftest import ROOT
from govrules.compiler.policy import CompiledPolicy
from govrules.engine import load_policy_file
from govrules.errors import PolicyLoadError
from govrules.language.expr import Type
from govrules.language.sources import SourceLibrary


def _benchmark() -> ModuleType:
    # loaded from its file: the repository root need not be importable for the tests to run
    spec = importlib.util.spec_from_file_location(
        "compile_scale_policies", ROOT / "benchmarks" / "compile_scale.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


SCALE = _benchmark()


def _load(tmp_path: Path, sources: SourceLibrary, text: str) -> CompiledPolicy:
    path = tmp_path / "generated.yaml"
    path.write_text(text, encoding="utf-8")
    return load_policy_file(path, sources, display=path.name)


def _line_of(text: str, rule_id: str) -> int:
    """The 1-based line where the rule ``rule_id`` starts."""
    pattern = re.compile(rf"^  - (\{{)?id: {re.escape(rule_id)}\b")
    found = [n for n, line in enumerate(text.splitlines(), 1) if pattern.match(line)]
    assert len(found) == 1, (rule_id, found)
    return found[0]


def _assert_dependency_order(policy: CompiledPolicy) -> None:
    """Every setter of a value before each rule that reads it; every defeater before the rule
    it defeats; each rule once, at its index."""
    rules = policy.rules
    assert [rule.index for rule in rules] == list(range(len(rules)))
    assert len({rule.id for rule in rules}) == len(rules)
    setters: dict[int, list[int]] = {}
    for rule in rules:
        for slot, *_ in rule.sets:
            setters.setdefault(slot, []).append(rule.index)
    for rule in rules:
        for _, slot, _ in rule.reads:
            for setter in setters.get(slot, ()):
                assert setter == rule.index or setter < rule.index, (rules[setter].id, rule.id)
        for defeater in rule.defeated_by:
            assert defeater < rule.index, (rules[defeater].id, rule.id)


def test_a_reverse_chain_of_a_thousand_rules_compiles_in_dependency_order(
    tmp_path: Path, sources: SourceLibrary
) -> None:
    policy = _load(tmp_path, sources, SCALE.policy_text("chain", 1000))
    assert [rule.id for rule in policy.rules] == [f"r{i}" for i in range(1000)]
    _assert_dependency_order(policy)


def test_a_thousand_rules_under_one_condition_keep_their_written_order(
    tmp_path: Path, sources: SourceLibrary
) -> None:
    policy = _load(tmp_path, sources, SCALE.policy_text("same_condition", 1000))
    assert [rule.id for rule in policy.rules] == [f"r{i}" for i in range(1000)]
    assert {rule.condition_text for rule in policy.rules} == {"x > limit"}


def test_a_mixed_policy_of_a_thousand_rules_has_every_draft_in_dependency_order(
    tmp_path: Path, sources: SourceLibrary
) -> None:
    policy = _load(tmp_path, sources, SCALE.policy_text("mixed", 1000))
    ids = [rule.id for rule in policy.rules]
    expected = (
        {f"r{i}" for i in range(1000)}
        | {f"s{i}" for i in range(9, 1000, 10)}  # the alternatives that defeat a rule
        | {f"r{i}:else" for i in range(1, 1000, 4)}
        | {f"default:v{i}" for i in range(0, 1000, 3)}
        | {"default:extra"}
    )
    assert sorted(ids) == sorted(expected)
    _assert_dependency_order(policy)
    index = {rule_id: n for n, rule_id in enumerate(ids)}
    # the default of an input before its first reader, an output's after its last setter
    assert index["default:extra"] < index["r0"]
    assert index["r9"] < index["default:v9"] and index["r9:else"] < index["default:v9"]
    assert index["s999"] < index["r999"]


@pytest.mark.parametrize("shape", ["chain", "same_condition", "mixed"])
@pytest.mark.parametrize("where", ["first", "middle", "last"])
def test_a_conflict_and_a_cycle_are_found_and_located_wherever_they_are_written(
    tmp_path: Path, sources: SourceLibrary, shape: str, where: str
) -> None:
    count = 300
    position = {"first": 0, "middle": count // 2, "last": count - 1}[where]
    clean = SCALE.policy_text(shape, count)
    text = SCALE.policy_text(shape, count, broken_at=position)
    # the rule written at ``position`` of the clean policy: the clash is inserted before it
    written = re.findall(r"^  - (?:\{)?id: (r\d+)\b", clean, re.MULTILINE)[position]
    with pytest.raises(PolicyLoadError) as caught:
        _load(tmp_path, sources, text)
    found = [(d.code, d.span.line if d.span else None, d.message) for d in caught.value.diagnostics]
    assert found == [
        (
            "conflicting-rules",
            _line_of(text, written),
            f"rules 'clash' and '{written}' apply under the same condition and give "
            f"'v{written[1:]}' different values",
        ),
        (
            "cycle",
            _line_of(text, "loop_a"),
            "rules depend on each other in a circle: loop_a -> loop_b -> loop_a",
        ),
    ]


def test_the_diagnostics_are_the_same_whatever_the_size(
    tmp_path: Path, sources: SourceLibrary
) -> None:
    """A problem in a long policy is reported as in a short one: no check gives up early."""
    for count in (20, 2000):
        text = SCALE.policy_text("same_condition", count, broken_at=count - 1)
        with pytest.raises(PolicyLoadError) as caught:
            _load(tmp_path, sources, text)
        assert [d.code for d in caught.value.diagnostics] == ["conflicting-rules", "cycle"]


def test_a_type_made_optional_keeps_every_other_field() -> None:
    # as_optional builds the type from its fields (faster than dataclasses.replace): a field
    # added to Type later must be passed on too
    record = Type("record", fields=(("day", Type("date")), ("kind", Type("enum", ("a", "b")))))
    rich = Type("list", values=("a",), item=record, optional=False, fields=record.fields)
    optional = rich.as_optional(True)
    assert optional.optional and optional.as_optional(False) == rich
    assert {f.name for f in dataclasses.fields(Type)} == {
        "kind", "values", "item", "optional", "fields"
    }
