"""The YAML reader's one-pass build gives the tree the reference reader gives, or gives up.

``one_pass.build_from_events`` makes the located mappings and lists straight from the parser's
events; the reference composes YAML nodes first (``reader._compose_and_build`` with the
pure-Python parser). On every YAML file of the repository, on the generated long policies and
on generated documents, the one-pass build either gives the same values, of the same types,
at the same positions, or raises -- and it never accepts a document the reference refuses.
On the files authors write it does not give up (else a long policy would be read twice).
"""

from __future__ import annotations

import datetime as dt
import decimal
import importlib.util
from decimal import Decimal
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import FIXTURES, POLICIES, ROOT
from govrules.errors import PolicyLoadError
from govrules.language import events, reader
from govrules.language.characters import control_characters
from govrules.language.events import MAX_DEPTH
from govrules.language.one_pass import Unsure, build_from_events
from govrules.language.reader import LocatedList, LocatedMap, read_yaml_text


def _benchmark() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "compile_scale_for_one_pass", ROOT / "benchmarks" / "compile_scale.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _located(value: Any) -> Any:
    """A located tree as plain data with every position and every value's type."""
    if isinstance(value, LocatedMap):
        assert type(value) is LocatedMap
        return (
            "map",
            value.span,
            [(k, value.key_spans[k], value.value_spans[k], _located(v)) for k, v in value.items()],
            list(value.key_spans) == list(value) == list(value.value_spans),
        )
    if isinstance(value, LocatedList):
        assert type(value) is LocatedList
        return ("list", value.span, value.spans, [_located(v) for v in value])
    return (type(value).__name__, value)


def _reference(text: str) -> Any:
    """What the pure-Python reference reader gives: the tree, or the diagnostics."""
    strict, _ = events.loaders()
    try:
        controls = control_characters(text, "t.yaml")
        if controls:
            raise PolicyLoadError(controls)
        return _located(reader._compose_and_build(strict, text, "t.yaml"))
    except PolicyLoadError as error:
        return ("refused", [str(d) for d in error.diagnostics])


def _one_pass(text: str, loader_class: Any) -> Any:
    """What the one-pass build gives with ``loader_class``'s events, or ``None`` if it gave
    up (by ``Unsure`` or by the parser's own error)."""
    try:
        loader = loader_class(text)
    except Exception:  # noqa: BLE001 - the pure-Python parser refuses some text at once
        return None
    try:
        return _located(build_from_events(loader, "t.yaml"))
    except Exception:  # noqa: BLE001 - giving up in any way sends the file to the reference
        return None
    finally:
        loader.dispose()


def _agree(text: str) -> tuple[Any, list[Any]]:
    """Both event sources under the one-pass build agree with the reference, or give up; the
    reader (which tries the one-pass build first) says what the reference says."""
    expected = _reference(text)
    found = [_one_pass(text, loader) for loader in events.loaders() if loader is not None]
    for tree in found:
        if tree is not None:
            assert expected[0] != "refused", (text, expected)  # never accepts what is refused
            assert tree == expected, text
    try:
        read = _located(read_yaml_text(text, "t.yaml"))
    except PolicyLoadError as error:
        read = ("refused", [str(d) for d in error.diagnostics])
    assert read == expected, text
    return expected, found


def _yaml_files() -> list[Path]:
    found = [*POLICIES.rglob("*.yaml"), *(ROOT / "examples").rglob("*.yaml")]
    found += FIXTURES.rglob("*.yaml")
    return sorted(found)


def test_every_yaml_file_of_the_repository_is_read_alike() -> None:
    """Every file is read alike; the bundled policies and sources, the files authors write,
    are built in one pass by both event sources (the quick way gives up on none of them)."""
    files = _yaml_files()
    assert len(files) > 150
    authored = set(POLICIES.glob("*/policies/*.yaml")) | set(POLICIES.glob("*/sources/*.yaml"))
    assert len(authored) > 40
    quick = 0
    for path in files:
        text = path.read_text(encoding="utf-8", errors="surrogateescape")
        expected, found = _agree(text)
        built = expected[0] != "refused" and all(tree is not None for tree in found)
        assert built or path not in authored, path
        quick += built
    assert quick > 150


@pytest.mark.parametrize("shape", ["chain", "same_condition", "mixed"])
def test_the_generated_long_policies_are_built_in_one_pass(shape: str) -> None:
    text = _benchmark().policy_text(shape, 300)
    expected = _reference(text)
    assert expected[0] == "map"
    for loader in events.loaders():
        if loader is not None:
            assert _one_pass(text, loader) == expected


_PIECES = st.sampled_from(
    [
        "a: 1\n", "b: [x, y]\n", "c: {d: e}\n", "- f\n", "g: &h 1\n", "i: *h\n", "j: !!set {}\n",
        "k: 'q\n", '"l": "\\x07"\n', "  m: n\n", "o: 1_000\n", "p: 2026-01-01T10:00:00Z\n",
        "r: yes\n", "a: 2\n", "s: |\n  t\n", "u: [\n", "---\n", "v: 1.5\n", "w: +3\n", "x:\n",
        "  - y\n", "z: 中文\n", "\t: tab\n", "# comment\n", "? complex\n: key\n", "%YAML 1.1\n",
        "aa: bb: cc\n", "'dd': \"ee\\u00e9\"\n", "ff: .inf\n", "gg: 0o17\n", "hh: <<\n",
        "<<: {a: 1}\n", "ii: !str x\n", "jj: ! x\n", "kk: 2024-02-30\n", "ll: 2024-02-29\n",
        "mm: ~\n", "nn: null\n", "oo: 'it''s'\n", 'pp: "tab\\there"\n', "qq: >\n  folded\n",
        "rr: [a, {b: c}, [d]]\n", "ss: {? [x]: y}\n", "tt: -12\n", "uu: 0x1f\n", "vv: 1e3\n",
        "ww: True\n", "xx: FALSE\n", "yy: ''\n", "'a': 3\n", "...\n", "zz: &anchor [1]\n",
        "ab: 2024-01-01 10:00:00\n", "ac: 12:30\n", "ad: =\n", "ae: .5\n", "af: -.inf\n",
        '"ag\\u0007": 1\n', "ah: '\\x07'\n", "ai: [1, 2,]\n", "aj: {a, b}\n", "- [a, b]\n",
    ]
)


@settings(max_examples=400, deadline=None)
@given(st.lists(_PIECES, max_size=8))
def test_generated_documents_are_read_alike_or_left_to_the_reference(pieces: list[str]) -> None:
    _agree("".join(pieces))


@pytest.mark.parametrize("depth", [MAX_DEPTH - 2, MAX_DEPTH - 1, MAX_DEPTH, MAX_DEPTH + 1])
@pytest.mark.parametrize("kind", ["flow list", "flow map", "block map"])
def test_nesting_near_the_limit_is_read_alike(depth: int, kind: str) -> None:
    if kind == "flow list":
        text = "[" * depth + "x" + "]" * depth + "\n"
    elif kind == "flow map":
        text = "{a: " * depth + "x" + "}" * depth + "\n"
    else:
        text = "".join("  " * level + "a:\n" for level in range(depth)) + "  " * depth + "x\n"
    expected, _ = _agree(text)
    assert (expected[0] == "refused") == (depth >= MAX_DEPTH)


def test_each_scalar_becomes_the_value_the_reference_gives() -> None:
    text = (
        "int: 12\nneg: -3\ndec: 1.50\nquoted: '12'\ndouble: \"1.5\"\nday: 2024-02-29\n"
        "moment: 2024-02-29T08:30:00\nyes_word: yes\nflag: true\nnothing: ~\nempty:\n"
        "block: |\n  two\n  lines\nfolded: >-\n  one\n  line\nword: text\n"
    )
    data = read_yaml_text(text, "t.yaml")
    assert data == {
        "int": 12, "neg": -3, "dec": Decimal("1.50"), "quoted": "12", "double": "1.5",
        "day": dt.date(2024, 2, 29), "moment": dt.datetime(2024, 2, 29, 8, 30),
        "yes_word": "yes", "flag": True, "nothing": None, "empty": None,
        "block": "two\nlines\n", "folded": "one line", "word": "text",
    }  # fmt: skip
    assert type(data["int"]) is int and type(data["dec"]) is Decimal
    _agree(text)


def test_numbers_are_exact_whatever_the_decimal_context() -> None:
    text = "a: 123456789.123456789\nb: [0.1, 2.50]\n"
    with decimal.localcontext() as context:
        context.prec, context.rounding = 3, decimal.ROUND_DOWN
        data = read_yaml_text(text, "t.yaml")
    assert data["a"] == Decimal("123456789.123456789") and str(data["b"][1]) == "2.50"


def test_a_refused_document_is_refused_at_its_place_with_the_reference_words() -> None:
    """What the one-pass build gives up on is reported as the reference reports it."""
    cases = {
        "a: 1\na: 2\n": "t.yaml:2:1: duplicate-key",
        "a: &x 1\nb: *x\n": "t.yaml:2:4: yaml-alias",
        "a: !!set {}\n": "t.yaml:1:4: yaml-tag",
        "a: 1_000\n": "t.yaml:1:4: yaml-number",
        'a: "\\e"\n': "t.yaml:1:5: control-character",
        "a: 1\n---\nb: 2\n": "yaml-syntax",
        "<<: {a: 1}\n": "t.yaml:1:1: yaml-merge",
        "? [a]\n: b\n": "t.yaml:1:3: yaml-key",
    }
    for text, expected in cases.items():
        with pytest.raises(PolicyLoadError) as caught:
            read_yaml_text(text, "t.yaml")
        assert expected in str(caught.value.diagnostics[0]), (text, caught.value.diagnostics)
        assert _reference(text) == ("refused", [str(d) for d in caught.value.diagnostics])
        for loader in events.loaders():
            if loader is not None:
                assert _one_pass(text, loader) is None, text


def test_a_document_that_is_only_a_scalar_or_empty_reads_as_the_reference() -> None:
    for text in ("just text\n", "12\n", "---\n", "", "# only a comment\n", "- a\n- b\n"):
        _agree(text)


def test_giving_up_is_an_unsure_for_what_the_pass_leaves_to_the_reference() -> None:
    strict, _ = events.loaders()
    loader = strict("a: &x 1\n")
    try:
        with pytest.raises(Unsure):
            build_from_events(loader, "t.yaml")
    finally:
        loader.dispose()
