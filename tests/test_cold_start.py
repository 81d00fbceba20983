"""A cold command line: libyaml's events under the same strict reader, loading only what a
policy needs, the compiled cache on disk (hits, misses, every way it is invalidated, corrupt
and foreign entries, GOVRULES_CACHE=off), the one-command argument parser, and the proof that
none of it changes a decision by one byte."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import FIXTURES, POLICIES, ROOT
from govrules import Engine
from govrules.cli import main as _main_module  # noqa: F401 - the package re-exports main
from govrules.cli.main import main
from govrules.compiler.cache import PolicyCache
from govrules.errors import PolicyLoadError
from govrules.language import events, reader
from govrules.language.events import top_level_text
from govrules.language.reader import LocatedList, LocatedMap

CLI = sys.modules["govrules.cli.main"]
WAGE = "cn.jilin.taobei.wage_deposit"
WAGE_CASE = ROOT / "examples" / "wage_deposit" / "01_first_deposit.yaml"


# ------------------------------------------------------------------ the reader, both ways


def _read_with(loader_class: type[Any] | None, text: str) -> Any:
    """What the reader gives with one event source (``None``: ``read_yaml_text`` itself, which
    reads a file libyaml refuses again with the pure-Python source): the data, or the
    diagnostics."""
    try:
        if loader_class is None:
            return _located(reader.read_yaml_text(text, "t.yaml"))
        controls = reader.control_characters(text, "t.yaml")
        if controls:
            raise PolicyLoadError(controls)
        return _located(reader._compose_and_build(loader_class, text, "t.yaml"))
    except PolicyLoadError as error:
        return ("refused", [str(d) for d in error.diagnostics])


def _agree(text: str) -> Any:
    """The fast source accepts what the pure-Python one accepts, as the same tree, and
    refuses what it refuses; the reader says what the pure-Python source says."""
    strict, fast = events.loaders()
    expected = _read_with(strict, text)
    found = _read_with(fast, text)
    if expected[0] == "refused" or found[0] == "refused":
        assert found[0] == expected[0] == "refused", text
    else:
        assert found == expected, text
    assert _read_with(None, text) == expected
    return expected


def _located(value: Any) -> Any:
    """A located tree as plain data with every position, for comparing two reads."""
    if isinstance(value, LocatedMap):
        return (
            "map",
            value.span,
            [(k, value.key_spans[k], value.value_spans[k], _located(v)) for k, v in value.items()],
        )
    if isinstance(value, LocatedList):
        return ("list", value.span, value.spans, [_located(v) for v in value])
    return (type(value).__name__, value)


def _yaml_files() -> list[Path]:
    found = [*POLICIES.rglob("*.yaml"), *(ROOT / "examples").rglob("*.yaml")]
    found += FIXTURES.rglob("*.yaml")
    return sorted(found)


def test_libyaml_is_there_and_reads_as_the_pure_python_reader_on_every_file() -> None:
    assert events.loaders()[1] is not None, "PyYAML without libyaml: the fast path is off"
    files = _yaml_files()
    assert len(files) > 150
    refused = 0
    for path in files:
        text = path.read_text(encoding="utf-8", errors="surrogateescape")
        refused += _agree(text)[0] == "refused"
    assert refused >= 5  # the bad fixtures are among them, refused alike


_PIECES = st.sampled_from(
    [
        "a: 1\n", "b: [x, y]\n", "c: {d: e}\n", "- f\n", "g: &h 1\n", "i: *h\n", "j: !!set {}\n",
        "k: 'q\n", '"l": "\\x07"\n', "  m: n\n", "o: 1_000\n", "p: 2026-01-01T10:00:00Z\n",
        "r: yes\n", "a: 2\n", "s: |\n  t\n", "u: [\n", "---\n", "v: 1.5\n", "w: +3\n", "x:\n",
        "  - y\n", "z: 中文\n", "\t: tab\n", "# comment\n", "? complex\n: key\n", "%YAML 1.1\n",
        "aa: bb: cc\n", "'dd': \"ee\\u00e9\"\n", "ff: .inf\n", "gg: 0o17\n", "hh: <<\n",
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_PIECES, max_size=8))
def test_both_event_sources_agree_on_generated_documents(pieces: list[str]) -> None:
    _agree("".join(pieces))


def test_nesting_and_aliases_are_refused_alike_by_the_fast_path() -> None:
    deep = "a: " + "[" * 50 + "]" * 50 + "\n"
    bomb = "a: &a [x, x]\nb: &b [*a, *a]\nc: [*b, *b]\n"
    strict, fast = events.loaders()
    for text, code in ((deep, "yaml-too-deep"), (bomb, "yaml-alias")):
        found = _read_with(fast, text)
        assert found == _read_with(strict, text)  # the composer's own refusal, same words
        assert found[0] == "refused" and code in found[1][0]


def test_the_top_level_id_is_the_one_a_full_read_finds() -> None:
    for path in sorted(POLICIES.glob("*/policies/*.yaml")):
        assert top_level_text(path.read_bytes(), "id") == reader.read_yaml_file(path)["id"]
    assert top_level_text(b"x: {id: a}\nid: 'b'\n", "id") == "b"
    assert top_level_text(b"- id: a\n", "id") is None
    assert top_level_text(b"id: [a]\n", "id") is None
    assert top_level_text(b"kind: policy\n", "id") is None
    assert top_level_text(b"x: [\nid: a\n", "id") is None


# ------------------------------------------------------------------ a small pack


PACK = """\
kind: pack
id: test.cold
version: 1.0.0
title: {zh: 测试包, en: A test pack}
description: A pack written by the tests.
jurisdiction: {id: cn.test, code: '110000'}
licence: Apache-2.0
maintainers:
  - name: tester
"""
SOURCE = """\
kind: source
id: test.cold.rules
title: {zh: 测试规定, en: Test rules}
jurisdiction: cn.test
origin: {seed: none}
verification: A
clauses:
  art1:
    label: 第一条
    text: 每日补助五十元。
"""
POLICY = """\
kind: policy
id: test.cold.allowance
version: 1.0.0
title: {zh: 补助, en: Allowance}
jurisdiction: cn.test
sources:
  rules: test.cold.rules
effective: {from: 2020-01-01}
inputs:
  days: {type: integer, required: true, ge: 0}
  urgent: {type: bool}
  reason: {type: text, required_when: urgent}
parameters:
  daily:
    type: money
    values:
      - {from: 2020-01-01, value: 50, cite: rules#art1}
outputs:
  amount: {type: money}
outcome: {values: [assessed], default: assessed}
rules:
  - id: amount
    cite: rules#art1
    set:
      amount: days * daily
"""
DAY = dt.date(2024, 1, 10)


@pytest.fixture
def cache_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "cache-home"
    monkeypatch.setenv("XDG_CACHE_HOME", str(home))
    monkeypatch.delenv("GOVRULES_CACHE", raising=False)
    return home / "govrules"


@pytest.fixture
def pack(tmp_path: Path) -> Path:
    folder = tmp_path / "test.cold"
    (folder / "policies").mkdir(parents=True)
    (folder / "sources").mkdir()
    (folder / "pack.yaml").write_text(PACK, encoding="utf-8")
    (folder / "sources" / "test.cold.rules.yaml").write_text(SOURCE, encoding="utf-8")
    (folder / "policies" / "allowance.yaml").write_text(POLICY, encoding="utf-8")
    return folder


def _entries(cache: Path) -> dict[str, tuple[int, bytes]]:
    """Every policy entry: its inode (an entry written again is a new file) and bytes."""
    folder = cache / "policy"
    if not folder.is_dir():
        return {}
    return {p.name: (p.stat().st_ino, p.read_bytes()) for p in folder.glob("*.pickle")}


def _decide(folder: Path, days: int = 3, **options: Any) -> str:
    engine = Engine.from_directory(folder, **options)
    return engine.evaluate("test.cold.allowance", {"days": days}, as_of=DAY).to_json()


def test_a_second_load_reads_the_entry_the_first_wrote(cache_home: Path, pack: Path) -> None:
    first = _decide(pack)
    written = _entries(cache_home)
    assert len(written) == 1
    again = _decide(pack)
    assert again == first
    assert _entries(cache_home) == written  # a hit writes nothing
    uncached = _decide(pack, cache=False)
    assert uncached == first


@pytest.mark.parametrize(
    ("file", "old", "new", "changed"),
    [
        ("policies/allowance.yaml", "value: 50,", "value: 60,", '"amount": "180'),
        ("sources/test.cold.rules.yaml", "五十元", "五十圆", "五十圆"),
        ("pack.yaml", "A pack written", "A pack writtem", None),
    ],
)
def test_one_byte_changed_in_any_input_is_a_new_entry(
    cache_home: Path, pack: Path, file: str, old: str, new: str, changed: str | None
) -> None:
    before = _decide(pack)
    path = pack / file
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1
    path.write_text(text.replace(old, new), encoding="utf-8")
    after = _decide(pack)
    assert len(_entries(cache_home)) == 2
    assert after == _decide(pack, cache=False)  # what a fresh compile of the new bytes gives
    assert after != before
    if changed is not None:
        assert changed in after and changed not in before
    else:  # the pack's manifest digest, which the decision records
        assert json.loads(after)["pack"]["manifest"] != json.loads(before)["pack"]["manifest"]


def test_a_new_source_document_beside_the_cited_ones_is_a_new_entry(
    cache_home: Path, pack: Path
) -> None:
    _decide(pack)
    shutil.copy(pack / "sources" / "test.cold.rules.yaml", pack / "sources" / "test.cold.x.yaml")
    _decide(pack)
    assert len(_entries(cache_home)) == 2


def test_a_corrupt_or_foreign_entry_is_ignored_and_written_again(
    cache_home: Path, pack: Path
) -> None:
    first = _decide(pack)
    (name, _), = _entries(cache_home).items()
    entry = cache_home / "policy" / name
    good = entry.read_bytes()
    for bad in (
        good[:-1] + bytes([good[-1] ^ 1]),  # one bit flipped in the pickle
        good[: len(good) // 2],  # cut short
        b"",
        b"not a cache entry at all",
    ):
        entry.write_bytes(bad)
        assert _decide(pack) == first
        assert entry.read_bytes() == good  # written again, under the same key, the same bytes
    # an entry sealed with another key (another user's, another machine's) is not read
    stranger = PolicyCache(cache_home, b"k" * 32)
    key = name.removesuffix(".pickle")
    policy = Engine.from_directory(pack, cache=False).policy("test.cold.allowance")
    stranger.store_policy(key, policy, _conditions(pack))
    assert entry.read_bytes() != good
    assert PolicyCache.default() is not None
    assert PolicyCache.default().load_policy(key) is None  # type: ignore[union-attr]
    assert _decide(pack) == first
    assert entry.read_bytes() == good


def _conditions(pack: Path) -> dict[str, Any]:
    from govrules.compiler.pipeline import compile_policy_and_conditions
    from govrules.language.files import PolicyModel
    from govrules.language.sources import SourceLibrary

    path = pack / "policies" / "allowance.yaml"
    model = PolicyModel.model_validate(reader.read_yaml_file(path))
    library = SourceLibrary([pack / "sources"])
    return compile_policy_and_conditions(model, str(path), library, path.read_bytes())[1]


def test_the_required_when_condition_survives_the_cache(cache_home: Path, pack: Path) -> None:
    for _ in range(2):  # compiled, then restored
        engine = Engine.from_directory(pack)
        case = {"days": 3, "urgent": True}
        missing = engine.evaluate("test.cold.allowance", case, as_of=DAY).missing
        assert [m.fact for m in missing] == ["reason"]
        case = {"days": 3, "urgent": False}
        assert not engine.evaluate("test.cold.allowance", case, as_of=DAY).missing
    assert len(_entries(cache_home)) == 1


def test_govrules_cache_off_writes_nothing(
    cache_home: Path, pack: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GOVRULES_CACHE", "off")
    assert PolicyCache.default() is None
    _decide(pack)
    assert not cache_home.exists()


def test_a_folder_others_may_write_in_is_not_used(cache_home: Path, pack: Path) -> None:
    cache_home.mkdir(parents=True)
    cache_home.chmod(0o777)
    assert PolicyCache.default() is None
    _decide(pack)
    assert _entries(cache_home) == {}
    cache_home.chmod(0o700)
    (cache_home / "hmac.key").write_bytes(b"x" * 32)
    (cache_home / "hmac.key").chmod(0o644)  # a key others may read signs nothing
    assert PolicyCache.default() is None


# ------------------------------------------------------------------ every bundled policy


def test_every_bundled_policy_decides_the_same_bytes_from_the_cache(cache_home: Path) -> None:
    fresh = Engine.default(cache=False)
    Engine.default()  # fills the cache
    entries = _entries(cache_home)
    assert len(entries) == len(fresh.policies()) == 46
    cached = Engine.default()
    assert _entries(cache_home) == entries
    compared = 0
    for policy in fresh.policies():
        again = cached.policy(policy.id, policy.model.effective.start)
        assert again is not policy and again.content_hash == policy.content_hash
        for test in policy.model.tests:
            expected = fresh.evaluate_version(policy, dict(test.input), test.as_of)
            made = cached.evaluate_version(again, dict(test.input), test.as_of)
            assert made.to_json() == expected.to_json(), (policy.id, test.name)
            quick = cached.evaluate_version(again, dict(test.input), test.as_of, trace=False)
            plain = fresh.evaluate_version(policy, dict(test.input), test.as_of, trace=False)
            assert quick.to_json() == plain.to_json()
            compared += 1
    assert compared > 150


def _examples() -> list[Path]:
    return sorted(
        p for p in (ROOT / "examples").rglob("*.yaml") if "batches" not in p.relative_to(ROOT).parts
    )


def test_evaluate_loads_only_what_the_policy_needs_and_decides_alike(
    cache_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    full = Engine.default(cache=False)
    examples = _examples()
    assert len(examples) > 20
    for path in examples:
        policy_id = reader.read_yaml_file(path)["policy"]
        narrow = Engine.default(only=[policy_id])
        assert len(narrow.policies()) < len(full.policies())
        for form in ("json", "text"):
            assert main(["evaluate", policy_id, "--case", str(path), "--format", form]) == 0
            printed = capsys.readouterr().out
            assert printed == _printed(full, policy_id, path, form), (path, form)


def _printed(engine: Engine, policy_id: str, path: Path, form: str) -> str:
    from govrules.explain import explain_text
    from govrules.runtime.case_files import read_case_file

    facts, envelope = read_case_file(path)
    assert envelope is not None
    day = envelope["as_of"]
    day = day if isinstance(day, dt.date) else dt.date.fromisoformat(day)
    decision = engine.evaluate(policy_id, facts, as_of=day)
    return decision.to_json() + "\n" if form == "json" else explain_text(decision)


def test_a_policy_and_its_superior_law_are_loaded_with_their_packs(cache_home: Path) -> None:
    engine = Engine.default(only=[WAGE])
    assert sorted(engine.packs) == ["cn.jilin.baicheng.taobei", "cn.national"]
    assert {p.id for p in engine.policies()} == {WAGE, "cn.national.wage_deposit"}


def test_an_unknown_policy_is_refused_as_by_a_full_load(
    cache_home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    case = tmp_path / "case.json"
    case.write_text('{"contract_price": "1000"}', encoding="utf-8")
    assert main(["evaluate", "cn.jilin.taobei.wage_depost", "--case", str(case)]) == 2
    assert "did you mean 'cn.jilin.taobei.wage_deposit'" in capsys.readouterr().err


# ------------------------------------------------------------------ the command line


def test_the_command_table_names_what_each_register_function_registers() -> None:
    import argparse

    for name, module, function in CLI._COMMANDS:
        parser = argparse.ArgumentParser()
        commands = parser.add_subparsers()
        CLI._register(name)(commands)
        assert list(commands.choices) == [name], (module, function)


@pytest.mark.parametrize(
    "argv",
    [
        ["evaluate", WAGE, "--case", "x.yaml", "--as-of", "2026-11-21", "--format", "text"],
        ["--color", "never", "--pack=p", "evaluate", WAGE, "--case", "-", "--no-trace"],
        ["--policies", "a", "--policies", "b", "deadlines", WAGE, "--case", "c.json"],
        ["validate", "policies", "--format", "json"],
        ["--pol", "a", "evaluate", WAGE, "--case", "x"],  # an abbreviation: the full parser
        ["packs", "--format", "json"],
    ],
)
def test_one_command_is_parsed_as_the_full_parser_parses_it(argv: list[str]) -> None:
    narrow = vars(CLI._parse(argv))
    full = vars(CLI._parser().parse_args(argv))
    for parsed in (narrow, full):
        parsed.pop("command_line")
    assert narrow.keys() == full.keys()
    assert {k: v for k, v in narrow.items() if k != "run"} == {
        k: v for k, v in full.items() if k != "run"
    }
    assert narrow["run"].__qualname__ == full["run"].__qualname__


@pytest.mark.parametrize(
    "argv",
    [
        ["evaluate", WAGE],  # --case missing
        ["--color", "purple", "evaluate", WAGE, "--case", "x"],
        ["evaluate", WAGE, "--case", "x", "--as-of", "21/11/2026"],
        ["--p", "a", "evaluate", WAGE, "--case", "x"],  # ambiguous
        ["evaluat", WAGE],
        ["evaluate", WAGE, "--case", "x", "--format", "pdf"],
    ],
)
def test_a_bad_command_line_is_refused_in_the_full_parsers_words(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as narrow:
        CLI._parse(argv)
    said = capsys.readouterr()
    with pytest.raises(SystemExit) as full:
        CLI._parser().parse_args(argv)
    assert capsys.readouterr() == said
    assert narrow.value.code == full.value.code


def test_the_default_log_file_is_the_decision_logs() -> None:
    from govrules.cli import deciding
    from govrules.decisionlog import DEFAULT_LOG

    assert deciding._DEFAULT_LOG == DEFAULT_LOG


def _run(code: str, cache_home: Path, *args: str) -> str:
    environment = dict(os.environ, XDG_CACHE_HOME=str(cache_home.parent))
    done = subprocess.run(
        [sys.executable, "-c", code, *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout


def test_import_govrules_imports_neither_pydantic_nor_yaml(cache_home: Path) -> None:
    code = "import sys, govrules\nprint([m for m in ('pydantic', 'yaml') if m in sys.modules])"
    assert _run(code, cache_home) == "[]\n"


def test_a_warm_evaluate_imports_no_compiler_stage_nor_holidays(cache_home: Path) -> None:
    code = (
        "import io, sys\n"
        "from govrules.cli.main import main\n"
        "out, sys.stdout = sys.stdout, io.StringIO()\n"
        "assert main(sys.argv[1:]) == 0\n"
        "printed, sys.stdout = sys.stdout.getvalue(), out\n"
        "heavy = ('holidays', 'govrules.compiler.pipeline', 'govrules.compiler.rules',\n"
        "         'govrules.explain', 'govrules.decisionlog', 'polars', 'pyarrow')\n"
        "print(sorted(m for m in heavy if m in sys.modules))\n"
        "print(printed, end='')\n"
    )
    argv = ["evaluate", WAGE, "--case", str(WAGE_CASE), "--format", "json"]
    cold = _run(code, cache_home, *argv)
    warm = _run(code, cache_home, *argv)
    assert cold.splitlines()[0] != "[]"  # compiled, and the calendar built from holidays
    assert warm.splitlines()[0] == "[]"
    assert warm.split("\n", 1)[1] == cold.split("\n", 1)[1]
    assert json.loads(warm.split("\n", 1)[1])["policy"] == WAGE
