"""The function reference in docs/policy-authors.md is what the generator makes of the
allow-list, and every function gives it a meaning and an example."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from govrules.authoring import function_reference
from govrules.authoring.function_reference import END, START, main, reference, with_reference
from govrules.language.expr import parse_expression
from govrules.language.expr.functions import FUNCTIONS

DOC = Path(__file__).resolve().parents[1] / "docs" / "policy-authors.md"


def test_the_reference_in_the_guide_is_current() -> None:
    text = DOC.read_text(encoding="utf-8")
    assert text.count(START) == 1 and text.count(END) == 1
    assert with_reference(text) == text, (
        "docs/policy-authors.md is stale: run python -m govrules.authoring.function_reference "
        "--write docs/policy-authors.md")


def test_every_function_has_a_summary_and_an_example() -> None:
    missing = sorted(name for name, spec in FUNCTIONS.items()
                     if not spec.summary.strip() or not spec.example.strip())
    assert missing == [], f"give these functions a summary and an example: {missing}"


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_every_example_parses_and_calls_its_function(name: str) -> None:
    example = FUNCTIONS[name].example
    if not example:
        pytest.skip("no example (reported by test_every_function_has_a_summary_and_an_example)")
    parse_expression(example)
    assert re.search(rf"(?<![\w.]){name}\(", example), example


def test_every_function_and_construct_has_a_row() -> None:
    table = reference()
    for name, spec in FUNCTIONS.items():
        usage = spec.usage.replace("|", "\\|")
        assert f"| `{usage}` |" in table, name
    for construct, _, example in function_reference.CONSTRUCTS:
        assert f"`{construct}`" in table
        parse_expression(example)


def test_pipes_are_escaped_so_the_table_keeps_its_columns() -> None:
    row = next(line for line in reference().splitlines() if line.startswith("| `period_end("))
    assert "'days'\\|'months'\\|'years'" in row
    assert row.replace("\\|", "").count("|") == 4


def test_write_and_check(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    stale = tmp_path / "guide.md"
    stale.write_text(f"# Guide\n\nbefore\n\n{START}\nold table\n{END}\n\nafter\n",
                     encoding="utf-8")
    assert main(["--check", str(stale)]) == 1
    assert "out of date" in capsys.readouterr().err
    assert main(["--write", str(stale)]) == 0
    written = stale.read_text(encoding="utf-8")
    assert written == f"# Guide\n\nbefore\n\n{reference()}\n\nafter\n"
    assert main(["--check", str(stale)]) == 0
    assert main(["--check", str(DOC)]) == 0


def test_a_file_without_markers_is_refused(tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    plain = tmp_path / "plain.md"
    plain.write_text("# Nothing to replace\n", encoding="utf-8")
    assert main(["--write", str(plain)]) == 2
    assert "markers" in capsys.readouterr().err
    assert plain.read_text(encoding="utf-8") == "# Nothing to replace\n"
    with pytest.raises(ValueError, match="missing or out of order"):
        with_reference(f"{END}\n{START}\n")


def test_printing_the_reference(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 0
    assert capsys.readouterr().out == reference() + "\n"
