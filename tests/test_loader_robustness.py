"""The loader and the validator never fail without a location, and never accept silently.

Regressions of issue 11, item 4: long chains of rules and long expressions once raised
RecursionError and lost every other file's problems; lax YAML booleans, an effective period
ending before it starts, a literal division by zero, a rule reading the value it sets, a test
expecting an outcome no rule gives, tags on lists and mappings, and control characters were
accepted. The fixtures under ``fixtures/bad/`` pin each new code and position; these tests
cover what a fixture cannot show.
"""

from __future__ import annotations

import datetime as dt
import inspect
import random
import shutil
import sys
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from conftest import FIXTURES, source_file
from govrules.cli.main import main
from govrules.compiler import loading
from govrules.compiler.order import order
from govrules.engine import Engine, load_policies, load_policy_file
from govrules.errors import EvaluationError, PolicyLoadError
from govrules.language.expr import (
    ExpressionSyntaxError,
    Symbol,
    Type,
    check,
    compile_expression,
    parse_expression,
)
from govrules.language.expr.parser import MAX_DEPTH
from govrules.language.reader import read_yaml_file, read_yaml_text
from govrules.language.sources import SourceLibrary
from govrules.spans import SourceSpan

HEAD = """kind: policy
id: test.robustness.{name}
version: 1.0.0
title: {{zh: 测试, en: Robustness}}
jurisdiction: cn.jilin.baicheng.taobei
sources: {{wage: cn.jilin.taobei.wage_deposit_integrity}}
effective: {{from: 2016-05-26}}
"""


def _folder(tmp_path: Path) -> Path:
    folder = tmp_path / "policies"
    (folder / "sources").mkdir(parents=True)
    name = "cn.jilin.taobei.wage_deposit_integrity.yaml"
    shutil.copy(source_file(name.removesuffix(".yaml")), folder / "sources" / name)
    return folder


def _chain(count: int, name: str = "chain") -> str:
    """``count`` rules, each reading the value the next one written sets (reverse order)."""
    lines = [HEAD.format(name=name), "inputs:", "  x: {type: integer, required: true}"]
    lines += ["outputs:", *(f"  v{i}: {{type: integer}}" for i in range(count))]
    lines += ["outcome: {values: [done], default: done}", "rules:"]
    for i in reversed(range(count)):
        source = "x" if i == 0 else f"v{i - 1}"
        lines += [f"  - id: r{i}", "    cite: wage#art4", f"    set: {{v{i}: {source}}}"]
    return "\n".join(lines) + "\n"


def _long_sum(terms: int, name: str = "long") -> str:
    return HEAD.format(name=name) + (
        "inputs:\n  x: {type: integer, required: true}\n"
        "outputs:\n  y: {type: integer}\n"
        "outcome: {values: [done], default: done}\n"
        "rules:\n  - id: r\n    cite: wage#art4\n    set:\n"
        f"      y: {'+'.join(['x'] * terms)}\n"
    )


def _diagnostics(path: Path, sources: SourceLibrary) -> list[tuple[str, int, int]]:
    with pytest.raises(PolicyLoadError) as caught:
        load_policy_file(path, sources, display=path.name)
    return [(d.code, d.span.line, d.span.column) for d in caught.value.diagnostics if d.span]


# ------------------------------------------------------------------ long chains of rules


def test_twelve_hundred_rules_in_reverse_order_load_in_dependency_order(
    tmp_path: Path, sources: SourceLibrary
) -> None:
    path = tmp_path / "chain.yaml"
    path.write_text(_chain(1200), encoding="utf-8")
    compiled = load_policy_file(path, sources)
    assert [rule.id for rule in compiled.rules] == [f"r{i}" for i in range(1200)]


def test_ten_thousand_rules_in_reverse_order_validate(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # how the time grows with the rules is measured by benchmarks/compile_scale.py
    folder = _folder(tmp_path)
    (folder / "chain.yaml").write_text(_chain(10_000), encoding="utf-8")
    assert main(["validate", str(folder)]) == 0
    assert "ok: 1 policies" in capsys.readouterr().out


def test_many_rules_under_one_condition_are_checked_for_conflicts_by_key(
    tmp_path: Path, sources: SourceLibrary
) -> None:
    count = 3000
    lines = [HEAD.format(name="same_condition"), "outputs:"]
    lines += [f"  v{i}: {{type: integer}}" for i in range(count)]
    lines += ["outcome: {values: [done], default: done}", "rules:"]
    lines += [f"  - {{id: r{i}, cite: wage#art4, set: {{v{i}: '1'}}}}" for i in range(count)]
    path = tmp_path / "same.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    compiled = load_policy_file(path, sources)
    assert [rule.id for rule in compiled.rules] == [f"r{i}" for i in range(count)]


def test_two_rules_under_one_condition_setting_an_undeclared_name_are_reported_not_crashed(
    tmp_path: Path, sources: SourceLibrary
) -> None:
    # Regression: the conflict check looked the name up among the outputs (KeyError)
    path = tmp_path / "undeclared.yaml"
    path.write_text(
        HEAD.format(name="undeclared")
        + "outputs:\n  a: {type: integer}\noutcome: {values: [done], default: done}\nrules:\n"
        "  - {id: one, cite: wage#art4, set: {a: '1', nope: '1'}}\n"
        "  - {id: two, cite: wage#art4, set: {a: '1', nope: '0'}}\n",
        encoding="utf-8",
    )
    assert _diagnostics(path, sources) == [("bad-target", 12, 53), ("bad-target", 13, 53)]


@dataclass(frozen=True)
class _Slot:
    slot: int


@dataclass
class _Draft:
    id: str
    sets: tuple[tuple[_Slot, None], ...]
    read: frozenset[_Slot]
    defeats: tuple[str, ...]
    span: SourceSpan | None = None

    def reads(self) -> frozenset[_Slot]:
        return self.read


@dataclass
class _Work:
    path: str = "p.yaml"
    problems: list[tuple[str, str, SourceSpan]] = field(default_factory=list)

    def problem(self, code: str, message: str, span: SourceSpan, hint: str | None = None) -> None:
        self.problems.append((code, message, span))


def _recursive_order(work: Any, drafts: list[Any]) -> list[Any]:
    """The ordering as it was written before it kept its own stack: the reference."""
    by_id = {draft.id: draft for draft in drafts}
    position = {draft.id: index for index, draft in enumerate(drafts)}
    setters: dict[int, list[str]] = {}
    for draft in drafts:
        for symbol, _ in draft.sets:
            setters.setdefault(symbol.slot, []).append(draft.id)
    after: dict[str, set[str]] = {rule_id: set() for rule_id in by_id}
    for draft in drafts:
        for symbol in draft.reads():
            for setter in setters.get(symbol.slot, ()):
                if setter != draft.id:
                    after[draft.id].add(setter)
        for target in draft.defeats:
            if target in after:
                after[target].add(draft.id)
    ordered: list[Any] = []
    state: dict[str, int] = {}

    def visit(rule_id: str, path: list[str]) -> None:
        if state.get(rule_id) == 2:
            return
        if state.get(rule_id) == 1:
            cycle = path[path.index(rule_id) :] + [rule_id]
            work.problem(
                "cycle",
                "rules depend on each other in a circle: " + " -> ".join(cycle),
                by_id[rule_id].span or SourceSpan(work.path, 1, 1),
            )
            return
        state[rule_id] = 1
        for dependency in sorted(after[rule_id], key=position.__getitem__):
            visit(dependency, path + [rule_id])
        state[rule_id] = 2
        ordered.append(by_id[rule_id])

    for draft in drafts:
        visit(draft.id, [])
    return ordered


def test_ordering_gives_the_same_order_and_cycles_as_the_recursive_walk() -> None:
    chooser = random.Random(11)
    for _ in range(600):
        count = chooser.randint(1, 12)
        ids = [f"r{i}" for i in range(count)]
        drafts = [
            _Draft(
                rule_id,
                tuple((_Slot(s), None) for s in chooser.sample(range(6), chooser.randint(0, 2))),
                frozenset(_Slot(s) for s in chooser.sample(range(6), chooser.randint(0, 3))),
                tuple(chooser.sample(ids, chooser.randint(0, 1))),
                SourceSpan("p.yaml", index + 1, 5),
            )
            for index, rule_id in enumerate(ids)
        ]
        expected_work, work = _Work(), _Work()
        expected = _recursive_order(expected_work, drafts)
        got = order(work, drafts)  # type: ignore[arg-type]
        assert [d.id for d in got] == [d.id for d in expected]
        assert work.problems == expected_work.problems


# ------------------------------------------------------------------ long expressions


def test_a_two_thousand_term_expression_is_a_located_error(
    tmp_path: Path, sources: SourceLibrary
) -> None:
    path = tmp_path / "long.yaml"
    path.write_text(_long_sum(2000), encoding="utf-8")  # 3,999 characters, under the length
    with pytest.raises(PolicyLoadError) as caught:
        load_policy_file(path, sources, display="long.yaml")
    (diagnostic,) = caught.value.diagnostics
    assert diagnostic.code == "expression-too-deep" and diagnostic.hint
    assert str(diagnostic).startswith("long.yaml:17:")


@pytest.mark.parametrize(
    "text",
    [
        "+".join(["x"] * (MAX_DEPTH + 1)),
        " or ".join(["p"] * (MAX_DEPTH + 1)),
        "r" + ".f" * MAX_DEPTH,
        "x" + "*x" * 1500,
        "-" * 3000 + "x",
    ],
    ids=["sum", "or", "fields", "product", "negations"],
)
def test_deep_trees_built_in_loops_are_refused_by_the_parser(text: str) -> None:
    with pytest.raises(ExpressionSyntaxError, match="nested too deeply") as caught:
        parse_expression(text)
    assert caught.value.code == "expression-too-deep"
    assert 0 <= caught.value.offset < len(text)


def test_a_too_long_expression_has_its_own_code() -> None:
    with pytest.raises(ExpressionSyntaxError) as caught:
        parse_expression("x+" * 2500 + "x")
    assert caught.value.code == "expression-too-long" and caught.value.hint


class _Scope:
    def __init__(self, types: dict[str, Type]) -> None:
        self.symbols = {
            name: Symbol(name, kind, slot, "input")
            for slot, (name, kind) in enumerate(types.items())
        }

    def lookup(self, name: str) -> Symbol | None:
        return self.symbols.get(name)

    def names(self) -> list[str]:
        return list(self.symbols)


_DEEPEST = {
    "sum": "+".join(["x"] * MAX_DEPTH),
    "or": " or ".join(["p"] * MAX_DEPTH),
    "negations": "-(" * 29 + "x" + ")" * 29,
    "calls": "max(" * 29 + "x" + ", x)" * 29,
    "conditions": "if p then " * 19 + "x" + " else x" * 19,
    "exact comparison": "(" + "+".join(["m / x"] * 30) + ") > m",
    "parentheses": "(" * (MAX_DEPTH - 1) + "x" + ")" * (MAX_DEPTH - 1),
}


@pytest.mark.parametrize("text", list(_DEEPEST.values()), ids=list(_DEEPEST))
def test_the_deepest_allowed_expressions_parse_check_compile_and_run_within_the_stack(
    text: str,
) -> None:
    scope = _Scope({"x": Type("integer"), "p": Type("bool"), "m": Type("money")})
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(len(inspect.stack()) + 700)  # the default 1000 leaves callers 300
    try:
        checked, issues = check(parse_expression(text), scope)
        assert not issues
        compile_expression(checked)([3, True, Decimal("1.5")])
    finally:
        sys.setrecursionlimit(limit)


def test_a_parse_from_a_deep_stack_is_refused_not_crashed() -> None:
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(len(inspect.stack()) + 150)
    try:
        with pytest.raises(ExpressionSyntaxError, match="nested too deeply"):
            parse_expression(_DEEPEST["parentheses"])
    finally:
        sys.setrecursionlimit(limit)


# ------------------------------------------------------------------ every file's problems


def test_validate_reports_every_file_even_after_one_fails(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = _folder(tmp_path)
    (folder / "a_chain.yaml").write_text(_chain(1200, "a"), encoding="utf-8")
    (folder / "b_long.yaml").write_text(_long_sum(2000, "b"), encoding="utf-8")
    shutil.copy(FIXTURES / "bad" / "cycle.yaml", folder / "c_cycle.yaml")
    (folder / "d_boom.yaml").write_text(_chain(2, "d"), encoding="utf-8")
    shutil.copy(FIXTURES / "bad" / "lax_booleans.yaml", folder / "e_lax.yaml")
    compile_policy = loading.compile_policy

    def failing(model: Any, path: str, *args: Any) -> Any:
        if path.endswith("d_boom.yaml"):
            raise RuntimeError("a bug of ours")
        return compile_policy(model, path, *args)

    monkeypatch.setattr(loading, "compile_policy", failing)
    assert main(["validate", str(folder)]) == 1
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err and "internal error" not in err
    assert "b_long.yaml:17:" in out and "expression-too-deep" in out
    assert "c_cycle.yaml:14:5: cycle:" in out
    assert "d_boom.yaml:1:1: internal: govrules failed on this file: RuntimeError" in out
    assert out.count("e_lax.yaml:") == 5
    assert "a_chain.yaml" not in out


def test_load_policies_turns_an_unexpected_exception_into_a_located_diagnostic(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = _folder(tmp_path)
    (folder / "one.yaml").write_text(_chain(3, "one"), encoding="utf-8")
    (folder / "two.yaml").write_text(_chain(3, "two"), encoding="utf-8")

    def exhausted(*args: Any) -> Any:
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr(loading, "read_yaml_file", exhausted)
    policies, _, problems = load_policies([folder])
    assert policies == []
    assert [(p.code, p.span.file.rsplit("/", 1)[-1], p.span.line) for p in problems] == [
        ("internal", "one.yaml", 1),
        ("internal", "two.yaml", 1),
    ]
    assert all(p.hint and "RecursionError" in p.message for p in problems)


# ------------------------------------------------------------------ silently accepted, no more


@pytest.mark.parametrize("word", ["yes", "no", "on", "off", "Yes", "ON", "y", "n"])
def test_yaml_one_one_booleans_are_refused_by_name(
    word: str, tmp_path: Path, sources: SourceLibrary
) -> None:
    path = tmp_path / "flag.yaml"
    path.write_text(
        HEAD.format(name="flag")
        + f"inputs:\n  x: {{type: bool, required: {word}}}\n"
        "outcome: {values: [done], default: done}\n"
        "rules:\n  - {id: r, cite: wage#art4, when: x, outcome: done}\n",
        encoding="utf-8",
    )
    assert _diagnostics(path, sources) == [("yaml-bool", 9, 29)]


@pytest.mark.parametrize("written", ["1", "0", "'true'", "'yes'", "2016-05-26"])
def test_a_yes_or_no_field_takes_true_or_false_only(
    written: str, tmp_path: Path, sources: SourceLibrary
) -> None:
    path = tmp_path / "flag.yaml"
    path.write_text(
        HEAD.format(name="flag")
        + "outputs:\n  y: {type: bool, internal: " + written + "}\n"
        "outcome: {values: [done], default: done}\n"
        "rules:\n  - {id: r, cite: wage#art4, set: {y: 'true'}}\n",
        encoding="utf-8",
    )
    with pytest.raises(PolicyLoadError) as caught:
        load_policy_file(path, sources)
    (diagnostic,) = caught.value.diagnostics
    assert diagnostic.code in ("yaml-bool", "invalid-value")
    assert diagnostic.hint == "write true or false"
    column = 30 if written.startswith("'") else 29  # inside the quotes
    assert (diagnostic.span.line, diagnostic.span.column) == (9, column)


def test_yes_and_no_stay_text_where_text_is_meant(tmp_path: Path, sources: SourceLibrary) -> None:
    path = tmp_path / "answers.yaml"
    path.write_text(
        HEAD.format(name="answers")
        + "inputs:\n  answer: {type: enum, values: [yes, no], required: true}\n"
        "outcome: {values: [done, not_done], default: not_done}\n"
        "rules:\n  - {id: r, cite: wage#art4, when: \"answer == 'yes'\", outcome: done}\n"
        "tests:\n  - {name: yes, as_of: 2020-01-01, input: {answer: yes},"
        " expect: {outcome: done}}\n",
        encoding="utf-8",
    )
    compiled = load_policy_file(path, sources)
    assert compiled.model.inputs["answer"].values == ("yes", "no")


def test_a_period_of_one_day_is_in_order(tmp_path: Path, sources: SourceLibrary) -> None:
    path = tmp_path / "day.yaml"
    text = HEAD.format(name="day").replace("2016-05-26}", "2016-05-26, to: 2016-05-26}")
    path.write_text(
        text + "outcome: {values: [done], default: done}\n"
        "rules:\n  - {id: r, cite: wage#art4, outcome: done}\n",
        encoding="utf-8",
    )
    assert load_policy_file(path, sources).model.effective.to == dt.date(2016, 5, 26)


def test_a_zero_that_is_not_written_as_one_still_fails_only_when_reached(
    tmp_path: Path,
) -> None:
    # The checker refuses a zero written as the divisor; a divisor that only the compiler
    # folds to zero loads, and a case that reaches it is an evaluation error, not a crash.
    folder = _folder(tmp_path)
    (folder / "quotient.yaml").write_text(
        HEAD.format(name="quotient")
        + "inputs:\n  go: {type: bool, required: true}\n"
        "outputs:\n  q: {type: decimal}\n"
        "outcome: {values: [done], default: done}\n"
        "rules:\n  - {id: r, cite: wage#art4, when: go, set: {q: '1 / (1 - 1)'}}\n",
        encoding="utf-8",
    )
    engine = Engine.from_directory(folder)
    day = dt.date(2020, 1, 1)
    assert engine.evaluate("test.robustness.quotient", {"go": False}, as_of=day).outcome == "done"
    with pytest.raises(EvaluationError, match="division by zero"):
        engine.evaluate("test.robustness.quotient", {"go": True}, as_of=day)


def test_a_fixed_zero_divisor_is_refused_by_the_checker() -> None:
    scope = _Scope({"x": Type("money")})
    for text, offset in (("x / 0", 4), ("x / (0)", 5), ("x / -0", 4), ("(x + x) / 0.0", 10)):
        _, issues = check(parse_expression(text), scope, frozenset({Decimal(0), Decimal(1)}))
        assert [(i.code, i.offset) for i in issues] == [("division-by-zero", offset)], text
    _, issues = check(parse_expression("x / 1"), scope)
    assert issues == []


def test_a_rule_may_fill_in_its_own_value_through_given(
    tmp_path: Path, sources: SourceLibrary
) -> None:
    path = tmp_path / "fill.yaml"
    path.write_text(
        HEAD.format(name="fill")
        + "inputs:\n  x: {type: integer}\n"
        "outputs:\n  y: {type: integer}\n"
        "outcome: {values: [done], default: done}\n"
        "rules:\n"
        "  - {id: given_x, cite: wage#art4, when: given(x), set: {y: x}}\n"
        "  - {id: fallback, cite: wage#art4, when: not given(y), set: {y: '0'}}\n",
        encoding="utf-8",
    )
    assert [rule.id for rule in load_policy_file(path, sources).rules] == ["given_x", "fallback"]


def test_tags_that_say_what_the_value_already_is_are_accepted() -> None:
    data = read_yaml_text("a: !!map {b: !!seq [1], c: !!str 2}\n", "plain.yaml")
    assert data == {"a": {"b": [1], "c": "2"}}


# ------------------------------------------------------------------ control characters


@pytest.mark.parametrize(
    ("character", "name"),
    [
        ("\x00", "NUL (U+0000)"),
        ("\x07", "BEL (U+0007)"),
        ("\x1b", "ESC (U+001B)"),
        ("\x7f", "DEL (U+007F)"),
        ("\x85", "NEL (U+0085)"),
        ("\x9b", "(U+009B)"),
        ("\x0c", "(U+000C)"),
        ("\ud800", "lone surrogate (U+D800)"),
    ],
)
def test_a_control_character_is_located(character: str, name: str) -> None:
    text = f"kind: policy\ntitle: {{zh: 标题, en: a{character}b}}\n"
    with pytest.raises(PolicyLoadError) as caught:
        read_yaml_text(text, "policy.yaml")
    (diagnostic,) = caught.value.diagnostics
    assert diagnostic.code == "control-character" and name in diagnostic.message
    assert str(diagnostic).startswith("policy.yaml:2:22:")


def test_tab_line_feed_and_carriage_return_are_not_control_characters_here() -> None:
    text = "a: 'x\ty'\r\nb: \"y\\tz\\n\"\r\n"
    assert read_yaml_text(text, "ok.yaml") == {"a": "x\ty", "b": "y\tz\n"}


def test_a_nul_byte_in_a_policy_file_is_located_and_every_other_file_still_checked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = _folder(tmp_path)
    (folder / "nul.yaml").write_bytes(b"kind: policy\nid: test.x\x00\n")
    shutil.copy(FIXTURES / "bad" / "cycle.yaml", folder / "cycle.yaml")
    assert main(["validate", str(folder)]) == 1
    out = capsys.readouterr().out
    assert "nul.yaml:2:11: control-character: the file holds the control character NUL" in out
    assert "cycle.yaml:14:5: cycle:" in out


def test_a_control_character_in_a_yaml_case_file_is_located(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    case = tmp_path / "case.yaml"
    case.write_bytes(b"contract_price: 100\nnote: \x1b[31mred\n")
    with pytest.raises(PolicyLoadError) as caught:
        read_yaml_file(case, "case.yaml")
    assert str(caught.value).startswith("case.yaml:2:7: control-character:")
    command = ["evaluate", "cn.jilin.taobei.wage_deposit", "--case", str(case)]
    assert main([*command, "--as-of", "2026-01-01"]) == 2
    assert ":2:7: control-character:" in capsys.readouterr().err


def test_a_file_that_is_not_utf8_is_located_at_the_bad_byte(tmp_path: Path) -> None:
    path = tmp_path / "latin.yaml"
    path.write_bytes("kind: policy\ntitle: {zh: 标题, en: caf".encode() + b"\xe9}\n")
    with pytest.raises(PolicyLoadError) as caught:
        read_yaml_file(path, "latin.yaml")
    assert str(caught.value).startswith("latin.yaml:2:24: file-encoding:")


@pytest.mark.parametrize("written", ["1_000", "+1000", "1_000.50", "+0.04"])
def test_numbers_with_underscores_or_a_plus_are_refused_in_yaml(tmp_path: Path,
                                                                written: str) -> None:
    from govrules.language.reader import read_yaml_file

    path = tmp_path / "case.yaml"
    path.write_text(f"contract_price: {written}\n", encoding="utf-8")
    with pytest.raises(PolicyLoadError) as caught:
        read_yaml_file(path)
    (problem,) = caught.value.diagnostics
    assert problem.code == "yaml-number" and problem.span is not None
    assert (problem.span.line, problem.span.column) == (1, 17)
    assert problem.hint is not None and "no '_'" in problem.hint
