"""Policy authors' mistakes are load-time errors, every one of them, each with file:line:col.

Each file under ``fixtures/bad/`` starts with ``# expect: code@line:col, ...`` -- the exact set
of diagnostics the loader must report.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import FIXTURES
from govrules.engine import load_policy_file
from govrules.errors import PolicyLoadError
from govrules.language.sources import SourceLibrary

BAD = sorted((FIXTURES / "bad").glob("*.yaml"))
_EXPECT = re.compile(r"^# expect: (.+)$")


def _expected(path: Path) -> set[tuple[str, int, int]]:
    match = _EXPECT.match(path.read_text(encoding="utf-8").splitlines()[0])
    assert match, f"{path.name} lacks an '# expect:' header"
    found = set()
    for item in match.group(1).split(","):
        code, _, where = item.strip().partition("@")
        line, _, column = where.partition(":")
        found.add((code, int(line), int(column)))
    return found


@pytest.mark.parametrize("path", BAD, ids=[p.stem for p in BAD])
def test_bad_policy_reports_every_problem_with_its_position(path: Path,
                                                            sources: SourceLibrary) -> None:
    with pytest.raises(PolicyLoadError) as caught:
        load_policy_file(path, sources, display=path.name)
    got = {(d.code, d.span.line, d.span.column) for d in caught.value.diagnostics if d.span}
    assert got == _expected(path)
    for diagnostic in caught.value.diagnostics:
        assert str(diagnostic).startswith(f"{path.name}:{diagnostic.span.line}:")


def test_good_fixture_loads(sources: SourceLibrary) -> None:
    compiled = load_policy_file(FIXTURES / "good" / "minimal.yaml", sources)
    assert [rule.id for rule in compiled.rules] == ["amount", "deadline"]


def _diagnostics(name: str, sources: SourceLibrary) -> list[str]:
    with pytest.raises(PolicyLoadError) as caught:
        load_policy_file(FIXTURES / "bad" / name, sources, display=name)
    return [str(d) for d in caught.value.diagnostics]


def test_unknown_name_suggests_the_close_one(sources: SourceLibrary) -> None:
    (message,) = _diagnostics("unknown_name.yaml", sources)
    assert "'previous_rat' is not an input, parameter or value" in message
    assert "did you mean 'previous_rate'?" in message


def test_unknown_key_suggests_the_close_one(sources: SourceLibrary) -> None:
    (message,) = _diagnostics("unknown_key.yaml", sources)
    assert "'wehn'" in message and "did you mean 'when'?" in message


def test_date_compared_with_number_names_both_types(sources: SourceLibrary) -> None:
    (message,) = _diagnostics("date_compared_with_number.yaml", sources)
    assert "cannot order date and money" in message


def test_duplicate_key_points_at_the_first_one(sources: SourceLibrary) -> None:
    messages = _diagnostics("duplicate_keys.yaml", sources)
    assert any("'first_deposit' is written twice; the first is at line 10" in m
               for m in messages)


def test_unknown_clause_suggests_nothing_wrong(sources: SourceLibrary) -> None:
    messages = _diagnostics("citations.yaml", sources)
    assert any("has no clause 'art99'" in m for m in messages)
    assert any("'wages' is not one of this policy's sources (did you mean 'wage'?)" in m
               for m in messages)


def test_a_misspelt_type_suggests_the_right_one(sources: SourceLibrary) -> None:
    messages = _diagnostics("wrong_types.yaml", sources)
    assert any("(got 'mony')" in m and "did you mean 'money'?" in m for m in messages)


def test_oversized_and_deeply_nested_documents_are_refused(tmp_path: Path,
                                                           sources: SourceLibrary) -> None:
    big = tmp_path / "big.yaml"
    big.write_text("kind: policy\nnote: '" + "x" * (3 * 1024 * 1024) + "'\n", encoding="utf-8")
    with pytest.raises(PolicyLoadError) as caught:
        load_policy_file(big, sources, display="big.yaml")
    assert str(caught.value).startswith("big.yaml:1:1: yaml-too-large:")
    deep = tmp_path / "deep.yaml"
    deep.write_text("kind: policy\nx: " + "[" * 100 + "]" * 100 + "\n", encoding="utf-8")
    with pytest.raises(PolicyLoadError) as caught:
        load_policy_file(deep, sources, display="deep.yaml")
    assert "yaml-too-deep" in str(caught.value) and str(caught.value).startswith("deep.yaml:2:")


def test_an_alias_bomb_is_refused_before_it_expands(tmp_path: Path,
                                                   sources: SourceLibrary) -> None:
    lines = ["kind: policy", "a: &a [x, x, x, x, x, x, x, x, x]"]
    lines += [f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]"
              for i in range(8)]
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(PolicyLoadError) as caught:
        load_policy_file(bomb, sources, display="bomb.yaml")
    assert "bomb.yaml:3:" in str(caught.value) and "yaml-alias" in str(caught.value)
