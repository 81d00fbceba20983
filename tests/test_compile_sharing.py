"""What makes a long policy compile quickly keeps every result and every report as it was.

- The same expression text in the same scope is checked once per policy: its problems are
  still reported wherever it is written, and a text is checked again in another scope.
- A citation resolved once is the same citation for every rule that writes it.
- File models keep where they were written without pydantic's private attributes: spans of
  fields (aliased ones too), of mapping entries, after pickling; none for a model not read
  from a file.
- The garbage collector is paused while a file is read and compiled, and left as it was.
- The expression tokenizer finds the tokens and the first bad character it found before.
"""

from __future__ import annotations

import datetime as dt
import gc
import pickle
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import field_validator

from conftest import FIXTURES
from govrules import Engine
from govrules.compiler.context import Compilation
from govrules.engine import load_policy_file
from govrules.errors import PolicyLoadError
from govrules.language.collector import collector_paused
from govrules.language.expr.parser import _TOKEN, KEYWORDS, ExpressionSyntaxError, _tokenize
from govrules.language.files import EffectivePeriod, PolicyModel, RuleModel
from govrules.language.reader import read_yaml_text
from govrules.language.sources import SourceLibrary

_HEAD = """\
kind: policy
id: test.sharing
version: 1.0.0
title: {zh: 共用, en: Sharing}
jurisdiction: cn.jilin.baicheng.taobei
sources: {wage: cn.jilin.taobei.wage_deposit_integrity}
effective: {from: 2016-05-26}
"""


def _load(tmp_path: Path, sources: SourceLibrary, text: str) -> Any:
    path = tmp_path / "sharing.yaml"
    path.write_text(text, encoding="utf-8")
    return load_policy_file(path, sources, display="sharing.yaml")


def _problems(tmp_path: Path, sources: SourceLibrary, text: str) -> list[str]:
    with pytest.raises(PolicyLoadError) as caught:
        _load(tmp_path, sources, text)
    return [str(d) for d in caught.value.diagnostics]


# ------------------------------------------------------------------ expressions checked once


def test_a_wrong_expression_written_twice_is_reported_at_both_places(
    tmp_path: Path, sources: SourceLibrary
) -> None:
    text = _HEAD + (
        "inputs: {x: {type: integer, required: true}}\n"
        "outputs: {a: {type: integer}, b: {type: integer}}\n"
        "outcome: {values: [done], default: done}\n"
        "rules:\n"
        "  - {id: r1, cite: wage#art4, when: x > limt, set: {a: x + 1}}\n"
        "  - {id: r2, cite: wage#art4, when: x > limt, set: {b: x + 1}}\n"
        "  - id: r3\n"
        "    cite: wage#art4\n"
        "    when:   x > limt\n"
        "    set: {a: 'x +'}\n"
        "  - {id: r4, cite: wage#art4, set: {b: 'x +'}}\n"
    )
    unknown = "unknown-name: 'limt' is not an input, parameter or value"
    syntax = "syntax: expected a value but found the end of the expression"
    # as before the texts were checked once: the same reports, in the same order
    assert _problems(tmp_path, sources, text) == [
        f"sharing.yaml:12:41: {unknown}",
        f"sharing.yaml:13:41: {unknown}",
        f"sharing.yaml:16:17: {unknown}",
        f"sharing.yaml:17:18: {syntax}",
        f"sharing.yaml:18:44: {syntax}",
        "sharing.yaml:14:5: conflicting-rules: rules 'r1' and 'r3' apply under the same "
        "condition and give 'a' different values (add 'defeats: [r1]' to 'r3' (or the "
        "reverse) to say which one prevails)",
    ]


def test_a_text_is_checked_again_in_another_scope(tmp_path: Path, sources: SourceLibrary) -> None:
    """``required_when`` sees inputs only: the text a rule may use is an error there."""
    text = _HEAD + (
        "inputs:\n"
        "  x: {type: integer, required: true}\n"
        "  y: {type: integer, required_when: v > 1}\n"
        "outputs: {v: {type: integer}, w: {type: integer}}\n"
        "outcome: {values: [done], default: done}\n"
        "rules:\n"
        "  - {id: r1, cite: wage#art4, set: {v: x + 1}}\n"
        "  - {id: r2, cite: wage#art4, when: v > 1, set: {w: x}}\n"
    )
    assert _problems(tmp_path, sources, text) == [
        "sharing.yaml:10:37: unknown-name: 'v' is not an input, parameter or value"
    ]
    good = text.replace("required_when: v > 1", "required_when: x > 1")
    policy = _load(tmp_path, sources, good.replace("when: v > 1", "when: x > 1"))
    assert [rule.id for rule in policy.rules] == ["r1", "r2"]


def test_shared_checked_trees_compile_to_the_rules_each_text_gives(
    tmp_path: Path, sources: SourceLibrary
) -> None:
    text = _HEAD + (
        "inputs: {x: {type: integer, required: true}}\n"
        "outputs: {a: {type: integer}, b: {type: integer}, c: {type: integer}}\n"
        "outcome: {values: [done], default: done}\n"
        "rules:\n"
        "  - {id: r1, cite: wage#art4, when: x > 1, set: {a: x + 1}}\n"
        "  - {id: r2, cite: wage#art4, when: 'x   >   1', set: {b: x + 1}}\n"
        "  - {id: r3, cite: wage#art4, when: x > 1, set: {c: a + b}}\n"
    )
    policy = _load(tmp_path, sources, text)
    r1, r2, r3 = policy.rules
    assert r1.condition is r3.condition  # the same text: one checked tree
    assert r2.condition is not None and r2.condition is not r1.condition  # another text
    assert r1.sets[0][2] is r2.sets[0][2]
    assert [r.condition_text for r in policy.rules] == ["x > 1", "x   >   1", "x > 1"]
    assert r3.reads == (("a", 1, "value"), ("b", 2, "value"), ("x", 0, "input"))
    assert [c.ref for c in r1.citations] == [c.ref for c in r3.citations]
    decided = Engine([policy], sources).evaluate(policy.id, {"x": 5}, dt.date(2024, 1, 1))
    assert {name: decided.values[name] for name in ("a", "b", "c")} == {"a": 6, "b": 6, "c": 12}


# ------------------------------------------------------------------ the models' positions


def test_models_keep_their_positions_without_private_attributes() -> None:
    text = (
        "id: r1\ncite: wage#art4\nwhen: x > 1\nset:\n  a: x + 1\n  b: '2'\n"
        "else: {set: {a: '0'}}\n"
    )
    rule = RuleModel.model_validate(read_yaml_text(text, "r.yaml"))
    assert str(rule.span_of()) == "r.yaml:1:1"
    assert str(rule.span_of("when")) == "r.yaml:3:7"
    assert str(rule.span_of("otherwise")) == "r.yaml:7:7"  # written as 'else'
    assert str(rule.entry_span("set", "b")) == "r.yaml:6:7"
    assert str(rule.entry_span("set", "zz")) == "r.yaml:5:3"  # no such entry: the field
    assert str(rule.span_of("title")) == "r.yaml:1:1"  # not written: the mapping
    assert rule.otherwise is not None
    assert str(rule.otherwise.entry_span("set", "a")) == "r.yaml:7:18"
    period = EffectivePeriod.model_validate(read_yaml_text("from: 2020-01-01\n", "e.yaml"))
    assert str(period.span_of("from_")) == "e.yaml:1:7"
    again = pickle.loads(pickle.dumps(rule))
    assert again == rule and str(again.entry_span("set", "b")) == "r.yaml:6:7"
    assert rule.__private_attributes__ == {}  # nothing for pydantic to fill in per instance


def test_a_model_not_read_from_a_file_has_no_positions() -> None:
    rule = RuleModel(id="r1", cite=("wage#art4",))
    assert rule.span_of() is None and rule.span_of("when") is None
    assert rule.entry_span("set", "a") is None
    assert rule == RuleModel(id="r1", cite=("wage#art4",))
    read = RuleModel.model_validate(read_yaml_text("id: r1\ncite: wage#art4\n", "r.yaml"))
    assert read != rule  # where it was written is part of a model read from a file


# ------------------------------------------------------------------ the collector


@pytest.mark.parametrize("enabled", [True, False])
def test_the_collector_is_paused_and_left_as_it_was(enabled: bool) -> None:
    was = gc.isenabled()
    try:
        gc.enable() if enabled else gc.disable()
        with collector_paused():
            assert not gc.isenabled()
        assert gc.isenabled() is enabled
        with pytest.raises(ZeroDivisionError), collector_paused():
            1 / 0  # noqa: B018
        assert gc.isenabled() is enabled
    finally:
        gc.enable() if was else gc.disable()


@pytest.mark.parametrize("enabled", [True, False])
@pytest.mark.parametrize("fixture", ["good/minimal.yaml", "bad/unknown_name.yaml"])
def test_loading_a_policy_leaves_the_collector_as_it_was(
    sources: SourceLibrary, enabled: bool, fixture: str
) -> None:
    was = gc.isenabled()
    seen: list[bool] = []
    original = Compilation.expression

    def watching(self: Compilation, *args: Any, **kwargs: Any) -> Any:
        seen.append(gc.isenabled())
        return original(self, *args, **kwargs)

    try:
        gc.enable() if enabled else gc.disable()
        Compilation.expression = watching  # type: ignore[method-assign]
        try:
            load_policy_file(FIXTURES / fixture, sources)
        except PolicyLoadError:
            assert fixture.startswith("bad/")
        assert gc.isenabled() is enabled
        assert seen and not any(seen)  # paused while compiling
    finally:
        Compilation.expression = original  # type: ignore[method-assign]
        gc.enable() if was else gc.disable()


def test_a_policy_model_is_validated_with_the_collector_paused() -> None:
    seen: list[bool] = []

    class Watched(PolicyModel):
        @field_validator("rules")
        @classmethod
        def _watch(cls, rules: Any) -> Any:
            seen.append(gc.isenabled())
            return rules

    data = read_yaml_text((FIXTURES / "good" / "minimal.yaml").read_text("utf-8"), "m.yaml")
    assert gc.isenabled()
    model = Watched.model_validate(data)
    assert seen == [False] and gc.isenabled()
    assert model.rules[0].id == "amount" and str(model.rules[0].span_of()) == "m.yaml:27:5"


# ------------------------------------------------------------------ the tokenizer


def _reference_tokens(text: str) -> list[tuple[str, str, int]] | tuple[str, int]:
    """The tokenizer as it was written first: a match at a time, a gap refused at its start."""
    tokens: list[tuple[str, str, int]] = []
    position = 0
    for match in _TOKEN.finditer(text):
        if match.start() != position:
            break
        kind = match.lastgroup or ""
        if kind != "space":
            value = match.group()
            if kind == "name" and value in KEYWORDS:
                kind = "keyword"
            tokens.append((kind, value, position))
        position = match.end()
    if position < len(text):
        return (f"unexpected character {text[position]!r}", position)
    return [*tokens, ("end", "", len(text))]


def _tokens(text: str) -> list[tuple[str, str, int]] | tuple[str, int]:
    try:
        return _tokenize(text)
    except ExpressionSyntaxError as error:
        return (error.message, error.offset)


_TEXTS = st.lists(
    st.sampled_from(
        ["a", "x1", "_y", " ", "\t", "\n", "+", "-", "==", "<=", "(", ")", "[", ",", ".", "and",
         "not", "in", "true", "12", "3.5", "'t'", '"u"', "'", '"', "$", "?", ";", "é", "中"]
    ),
    max_size=12,
).map("".join)  # fmt: skip


@settings(max_examples=500, deadline=None)
@given(_TEXTS)
def test_the_tokenizer_finds_what_it_found_before(text: str) -> None:
    assert _tokens(text) == _reference_tokens(text)


def test_a_bad_character_is_reported_where_it_is() -> None:
    for text, offset in (("a + $", 4), ("'open", 0), ("x ; y", 2), ("a +\n 中", 5)):
        found = _tokens(text)
        assert isinstance(found, tuple) and found[1] == offset, text
        assert re.match(r"unexpected character ", found[0])
