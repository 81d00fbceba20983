"""Facts are data: in text, Markdown and HTML a hostile fact shows as typed and never acts --
no forged OUTCOME line, no terminal escape sequence, no Markdown or HTML of its own making.

The subject is the bundled Taobei retirement-approval policy: its missing materials are a list
of text that comes back as a value (``materials_to_request``), and each reviewer is a record
with a text field.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
import sys
from html import escape
from pathlib import Path
from typing import Any

import pytest

from conftest import ROOT
from govrules import Engine
from govrules.errors import CaseError
from govrules.explain import explain_html, explain_markdown, explain_text, missing_notice
from govrules.explain.quoting import markdown_code, markdown_text, visible
from govrules.runtime.decision import Decision

POLICY = "cn.jilin.taobei.retirement_approval_review"
AS_OF = dt.date(2026, 11, 21)
FORGED = "x\n\nOUTCOME: approved"
MARKUP = "*b* _i_ | <b>x</b> `c` # h [l](http://example.com) &amp; ~~s~~ \\"


def _review(reviewer: str, months: int) -> dict[str, Any]:
    return {"reviewer": reviewer, "birth_date": "1968-05-20", "work_start_date": "1988-09-01",
            "retirement_date": "2028-05-20", "retirement_category": "正常退休",
            "deemed_contribution_months": months}


def _facts(materials: list[str], reviewer: str = "王五") -> dict[str, Any]:
    return {"approval_type": "institution", "missing_materials": materials, "form_errors": [],
            "first_review": _review(reviewer, 80), "second_review": _review("赵六", 79)}


def _decide(engine: Engine, materials: list[str], reviewer: str = "王五") -> Decision:
    return engine.evaluate(POLICY, _facts(materials, reviewer), as_of=AS_OF)


def _without_code_spans(markdown: str) -> str:
    return re.sub(r"(`+)(?!`).*?(?<!`)\1(?!`)", "", markdown)


# ---------------------------------------------------------------- the quoting functions


@pytest.mark.parametrize(("raw", "shown"), [
    ("plain 文本", "plain 文本"),
    ("x\n\nOUTCOME: approved", "x\\n\\nOUTCOME: approved"),
    ("\x1b[31mred\x1b[0m", "\\x1b[31mred\\x1b[0m"),
    ("bell\x07 nul\x00 del\x7f csi\x9b", "bell\\x07 nul\\x00 del\\x7f csi\\x9b"),
    ("tab\tcr\r", "tab\\tcr\\r"),
    ("\u202eevil\u2066", "\\u202eevil\\u2066"),             # bidirectional overrides
    ("line\u2028para\u2029nel\x85", "line\\u2028para\\u2029nel\\x85"),
    ("zero\u200bwidth", "zero\\u200bwidth"),
    ("lone \ud800 surrogate", "lone \\ud800 surrogate"),
    ("tag \U000e0041", "tag \\U000e0041"),
])
def test_visible_shows_every_hidden_character_as_an_escape(raw: str, shown: str) -> None:
    assert visible(raw) == shown
    assert visible(raw).isprintable()


def test_markdown_text_escapes_what_markdown_would_act_on() -> None:
    assert markdown_text("*b* | <b> `c` [l](u) & # ~ \\") == (
        "\\*b\\* \\| \\<b\\> \\`c\\` \\[l\\](u) \\& \\# \\~ \\\\")
    assert markdown_text("_i_ x_ _y") == "\\_i\\_ x\\_ \\_y"
    assert markdown_text("no_fault_dismissal 正常_退休") == "no_fault_dismissal 正常_退休"
    assert markdown_text("a\nb") == "a\\\\nb"  # the newline's escape, its backslash escaped


def test_markdown_code_cannot_be_closed_from_inside() -> None:
    assert markdown_code("a") == "`a`"
    assert markdown_code("a `b` c") == "``a `b` c``"
    assert markdown_code("``x") == "``` ``x ```"
    assert markdown_code("a|b", in_table=True) == "`a\\|b`"
    assert markdown_code("a\nb") == "`a\\nb`"


# ---------------------------------------------------------------- whole explanations


def test_a_text_fact_cannot_forge_an_outcome_line(engine: Engine) -> None:
    decision = _decide(engine, [FORGED], reviewer=FORGED)
    text = explain_text(decision)
    outcome_lines = [line for line in text.splitlines() if line.startswith("OUTCOME")]
    assert len(outcome_lines) == 1 and outcome_lines[0].startswith(f"OUTCOME: {decision.outcome}")
    assert "OUTCOME: approved" not in text.splitlines()
    assert '"x\\n\\nOUTCOME: approved"' in text  # quoted, its newlines shown
    for rendering in (explain_markdown(decision), explain_html(decision), missing_notice(decision)):
        assert "\nOUTCOME: approved" not in rendering
        assert not any(line.lstrip("-*> ").startswith("OUTCOME: approved")
                       for line in rendering.splitlines())


def test_the_command_line_text_has_one_outcome_line(tmp_path: Path) -> None:
    case = tmp_path / "case.json"
    case.write_text(json.dumps({"policy": POLICY, "as_of": AS_OF.isoformat(),
                                "facts": _facts([FORGED], reviewer=FORGED)}), encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "govrules", "evaluate", POLICY, "--case",
                           str(case), "--format", "text"], capture_output=True, cwd=ROOT,
                          timeout=120, check=False)
    assert done.returncode == 0, done.stderr.decode()
    lines = done.stdout.decode("utf-8").splitlines()
    assert sum(line.startswith("OUTCOME") for line in lines) == 1
    assert "OUTCOME: approved" not in lines


@pytest.mark.parametrize("hostile", [
    "\x1b[2J\x1b[31mred", "bell\x07", "csi\x9b31m", "nul\x00", "\u202eevil", "line\u2028break",
    "zero\u200bwidth", "lone \ud800",
], ids=["ansi", "bel", "c1", "nul", "bidi", "line-separator", "zero-width", "surrogate"])
def test_control_and_invisible_characters_are_shown_never_sent(engine: Engine,
                                                               hostile: str) -> None:
    try:
        decision = _decide(engine, [hostile], reviewer=hostile)
    except CaseError as refused:  # refused at input: it can never reach an explanation
        assert "missing_materials" in str(refused) or "first_review" in str(refused)
        return
    hidden = [ch for ch in hostile if not ch.isprintable() and ch != " "]
    for rendering in (explain_text(decision), explain_markdown(decision),
                      explain_html(decision), missing_notice(decision)):
        assert not any(ch in rendering for ch in hidden)
        rendering.encode("utf-8")  # a lone surrogate would not even encode
    assert visible(hostile) in explain_text(decision)


def test_markdown_neutralises_markup_in_facts(engine: Engine) -> None:
    decision = _decide(engine, [MARKUP, FORGED], reviewer=MARKUP)
    markdown = explain_markdown(decision)
    prose = _without_code_spans(markdown)
    for raw in ("*b*", "<b>", "[l](http", "&amp;", "~~s~~", "_i_"):
        assert not re.search(r"(?<!\\)" + re.escape(raw), prose), raw
    assert "\\*b\\*" in prose and "\\<b\\>x\\</b\\>" in prose and "\\&amp;" in prose
    # the table keeps its three columns: a fact's '|' does not open a fourth
    table = [line for line in markdown.splitlines() if line.startswith("| `")]
    assert table and all(len(re.findall(r"(?<!\\)\|", row)) == 4 for row in table)
    # no heading or block of the fact's making
    assert not any(line.startswith("# h") for line in markdown.splitlines())


def test_html_still_escapes_everything(engine: Engine) -> None:
    decision = _decide(engine, [MARKUP, FORGED], reviewer=MARKUP)
    page = explain_html(decision)
    assert "<b>x</b>" not in page and escape("<b>x</b>") in page
    assert "x\\n\\nOUTCOME: approved" in page


def test_review_and_why_not_show_facts_escaped(tmp_path: Path) -> None:
    first = tmp_path / "first.json"
    second = tmp_path / "second.json"
    first.write_text(json.dumps({"policy": POLICY, "as_of": AS_OF.isoformat(),
                                 "facts": _facts([FORGED])}), encoding="utf-8")
    second.write_text(json.dumps({"policy": POLICY, "as_of": AS_OF.isoformat(),
                                  "facts": _facts(["x"])}), encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "govrules", "review", POLICY, "--first",
                           str(first), "--second", str(second)], capture_output=True, cwd=ROOT,
                          timeout=120, check=False)
    assert done.returncode == 0, done.stderr.decode()
    out = done.stdout.decode("utf-8")
    assert "OUTCOME: approved" not in out.splitlines()
    assert "x\\n\\nOUTCOME: approved" in out


def test_renderers_escape_even_what_the_input_checks_would_refuse(engine: Engine) -> None:
    # The case model refuses C0 and C1 controls and lone surrogates in text; the renderers do
    # not rely on it. A decision whose values hold them anyway shows them as escapes.
    decision = _decide(engine, ["ok"])
    assert decision.fingerprint  # computed (and kept) before the values are tampered with
    hostile = ("\x1b[2J\x1b[31mred", "bell\x07", "csi\x9b31m", "nul\x00", "lone \ud800")
    decision.values["materials_to_request"] = hostile
    for event in decision.trace:
        if "materials_to_request" in event.get("values", {}):
            event["values"]["materials_to_request"] = list(hostile)
    for rendering in (explain_text(decision), explain_markdown(decision),
                      explain_html(decision)):
        assert not any(ch in rendering for ch in "\x1b\x07\x9b\x00\ud800")
        assert "\\x1b[2J\\x1b[31mred" in rendering and "lone \\ud800" in rendering
