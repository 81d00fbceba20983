"""``govrules coverage`` over the real bundled policies and sources: every clause is encoded, not
computable (with a reason recorded in each pack's ``coverage/``) or pending; the JSON keys other
systems read; located errors for broken coverage files (``fixtures/coverage/bad/``, each headed
``# expect: code@line:col`` and, when it must be named otherwise, ``# name: FILE``); and the
auditor's HTML map, opened in headless Chromium.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections import Counter
from html import unescape
from pathlib import Path
from typing import Any

import pytest

from conftest import CHROMIUM_FLAGS, FIXTURES, POLICIES, SOURCE_FOLDERS
from govrules.authoring.coverage import clause_coverage, load_coverage_files
from govrules.cli.main import main
from govrules.compiler.loading import load_policies
from govrules.language.sources import SourceLibrary

DEMO = FIXTURES / "coverage" / "folder"
BAD = sorted((FIXTURES / "coverage" / "bad").glob("*.yml"))
WAGE = "cn.jilin.taobei.wage_deposit_integrity"
HEADLINE = (
    "cn.gansu.dingxi.service_staff_hiring",
    "cn.jilin.taobei.enterprise_retirement_approval",
    "cn.jilin.taobei.institution_retirement_approval",
    WAGE,
    "cn.jilin.taobei.arbitration_internal_control",
)
# Clauses of the headline regulations from which something can be computed but that no policy
# encodes yet (an article is listed with its pending items). The acceptance check is that
# this is empty: encode a clause, then take it out of this list. Every one is encoded now.
AWAITING_ENCODING: dict[str, set[str]] = {document: set() for document in HEADLINE}


@pytest.fixture(scope="module")
def bundled() -> dict[str, Any]:
    policies, sources, problems = load_policies([POLICIES], POLICIES.parent)
    assert problems == []
    files, problems = load_coverage_files(sorted(POLICIES.glob("*/")), sources)
    assert problems == []
    report, contradictions = clause_coverage(policies, sources, files)
    assert contradictions == []
    return report.to_dict()


def _document(report: dict[str, Any], document_id: str) -> dict[str, Any]:
    return next(d for d in report["documents"] if d["id"] == document_id)


def _clause(report: dict[str, Any], document_id: str, clause_id: str) -> dict[str, Any]:
    return next(c for c in _document(report, document_id)["clauses"] if c["id"] == clause_id)


def _pending(report: dict[str, Any], document_id: str) -> set[str]:
    return {c["id"] for c in _document(report, document_id)["clauses"] if c["status"] == "pending"}


# --------------------------------------------------------------------------- the contract


def test_json_is_one_object_with_the_contract_keys_and_totals(
        bundled: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["coverage", str(POLICIES), "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data == bundled
    assert {"documents", "totals"} <= set(data)
    assert len(data["documents"]) == len(list(POLICIES.glob("*/sources/*.yaml")))
    overall: Counter[str] = Counter()
    for document in data["documents"]:
        assert {"id", "title", "clauses", "totals"} <= set(document)
        for clause in document["clauses"]:
            assert {"id", "status", "policies", "reason"} <= set(clause)
            assert clause["status"] in ("encoded", "not_computable", "pending")
            assert (clause["reason"] is not None) == (clause["status"] == "not_computable")
        counted = Counter(c["status"] for c in document["clauses"])
        assert document["totals"] == {s: counted[s] for s in document["totals"]}
        assert sum(document["totals"].values()) == len(document["clauses"])
        overall.update(document["totals"])
    assert data["totals"] == dict(overall)
    assert set(data["totals"]) == {"encoded", "not_computable", "pending"}


def test_a_clause_a_rule_cites_is_encoded_with_that_policy_and_rule(
        bundled: dict[str, Any]) -> None:
    clause = _clause(bundled, WAGE, "art4.item1")
    assert clause["status"] == "encoded" and clause["basis"] == "cited"
    assert clause["policies"] == ["cn.jilin.taobei.wage_deposit"]
    assert "cn.jilin.taobei.wage_deposit:first_deposit_standard" in clause["rules"]
    absence = _clause(bundled, "cn.gansu.dingxi.service_staff_hiring", "art15.item4")
    cited_by = {(c["kind"], c["name"]) for c in absence["cited_by"]}
    assert {("rule", "fault_absenteeism"), ("parameter", "max_consecutive_absence_days"),
            ("input", "consecutive_absence_days")} <= cited_by


def test_a_not_computable_clause_carries_its_reason(bundled: dict[str, Any]) -> None:
    annex = _clause(bundled, WAGE, "annex1")
    assert annex["status"] == "not_computable" and annex["policies"] == []
    assert annex["reason"].startswith("An attachment title only")
    soft = _clause(bundled, "cn.gansu.dingxi.service_staff_hiring", "art8.item5")
    assert "generally" in soft["reason"]
    # a reason given for an article covers its sub-clauses, and says where it is written
    law = "cn.national.labor_dispute_mediation_arbitration_law"
    item = _clause(bundled, law, "art19.para2.item1")
    assert (item["status"], item["reason_at"]) == ("not_computable", "art19")


def test_an_article_is_encoded_once_each_sub_clause_is_accounted_for(
        bundled: dict[str, Any]) -> None:
    article = _clause(bundled, "cn.jilin.taobei.arbitration_internal_control", "art17")
    assert (article["status"], article["basis"]) == ("encoded", "sub-clauses")
    assert article["policies"] == ["cn.national.labor_arbitration_time_limits"]
    assert article["cited_by"] == []
    # one sub-clause still pending keeps the article pending (第四十四条: items 1, 4 and 5 are
    # encoded by the severance policy, items 2 and 3 are not)
    contract_law = "cn.national.labor_contract_law"
    assert _clause(bundled, contract_law, "art44.item1")["status"] == "encoded"
    assert _clause(bundled, contract_law, "art44.item2")["status"] == "pending"
    assert _clause(bundled, contract_law, "art44")["status"] == "pending"


def _pending_below_a_citation(report: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """The pending clauses whose article (or paragraph) around them a policy cites."""
    return [
        (d["id"], c)
        for d in report["documents"]
        for c in d["clauses"]
        if c["status"] == "pending" and c["cited_above"]
    ]


def test_citing_an_article_vouches_for_none_of_its_paragraphs(bundled: dict[str, Any]) -> None:
    # 劳动合同法 第三十八条 is cited as a whole (the employee resigned under it); its items stay
    # pending until a policy cites them, and the report says the article around them is cited.
    item = _clause(bundled, "cn.national.labor_contract_law", "art38.item1")
    assert (item["status"], item["cited_above"]) == ("pending", "art38")
    below = _pending_below_a_citation(bundled)
    assert below
    for document, clause in below:
        above = _clause(bundled, document, clause["cited_above"])
        assert above["status"] == "encoded" and above["basis"] == "cited"


def test_reasons_are_short(bundled: dict[str, Any]) -> None:
    reasons = {c["reason"] for d in bundled["documents"] for c in d["clauses"] if c["reason"]}
    assert reasons and max(len(r) for r in reasons) <= 120


# --------------------------------------------------------------------------- the headline data


def test_headline_pending_clauses_are_exactly_those_awaiting_encoding(
        bundled: dict[str, Any]) -> None:
    assert {d: _pending(bundled, d) for d in HEADLINE} == AWAITING_ENCODING


def test_headline_documents_have_no_pending_clause(bundled: dict[str, Any]) -> None:
    assert {d: _pending(bundled, d) for d in HEADLINE} == dict.fromkeys(HEADLINE, set())


def seed_documents() -> list[str]:
    """The documents transcribed from the seed texts (their origin names a seed file): the
    local rules this project exists to encode, as opposed to the national laws they cite."""
    library = SourceLibrary(SOURCE_FOLDERS)
    return sorted(d.id for d in library.documents() if d.model.origin.seed)


def test_every_seed_document_is_accounted_for(bundled: dict[str, Any]) -> None:
    seeds = seed_documents()
    assert set(HEADLINE) < set(seeds) and len(seeds) == 45  # the documents of the seed index
    assert {d: _pending(bundled, d) for d in seeds} == dict.fromkeys(seeds, set())


def test_ci_holds_every_seed_document_to_no_pending_clause() -> None:
    ci = (POLICIES.parent / ".ci" / "run").read_text(encoding="utf-8")
    assert "--fail-on-pending" in ci and "origin.seed" in ci


# --------------------------------------------------------------------------- files and commands


def test_the_fixture_folder(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["coverage", str(DEMO), "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["totals"] == {"encoded": 2, "not_computable": 4, "pending": 1}
    demo = "cn.test.coverage_demo"
    assert _clause(report, demo, "art2")["basis"] == "sub-clauses"
    assert _clause(report, demo, "art2.item1")["rules"] == ["test.fixture.coverage:absent_too_long"]
    assert _pending(report, demo) == {"art3"}


def test_text_table_and_pending_clauses(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["coverage", str(DEMO), "-v"]) == 0
    out = capsys.readouterr().out
    assert re.search(r"^\s+2\s+4\s+1\s+7\s+86%  cn\.test\.coverage_demo  覆盖测试办法$", out, re.M)
    assert "pending art3 第三条: 第三条 申请人应当在十日内补正材料。" in out
    assert main(["coverage", str(DEMO)]) == 0
    assert "pending art3" not in capsys.readouterr().out


def test_fail_on_pending(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["coverage", str(DEMO), "--fail-on-pending", "cn.test.coverage_demo"]) == 1
    assert "pending clauses in cn.test.coverage_demo" in capsys.readouterr().err
    folder = tmp_path / "policies"
    shutil.copytree(DEMO, folder)
    marks = folder / "coverage" / "cn.test.coverage_demo.yml"
    marks.write_text(marks.read_text(encoding="utf-8") + "  art3: A made-up duty.\n",
                     encoding="utf-8")
    assert main(["coverage", str(folder), "--fail-on-pending", "cn.test.coverage_demo"]) == 0


def test_bad_arguments_exit_two(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["coverage", str(tmp_path / "nowhere")]) == 2
    assert main(["coverage", str(DEMO), "--fail-on-pending", "cn.test.nothing"]) == 2
    assert "no source document cn.test.nothing" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exited:
        main(["coverage", str(DEMO), "--format", "pdf"])
    assert exited.value.code == 2


def _expected(path: Path) -> tuple[str, set[tuple[str, int, int]]]:
    lines = path.read_text(encoding="utf-8").splitlines()
    expect = re.fullmatch(r"# expect: (.+)", lines[0])
    assert expect, f"{path.name} lacks an '# expect:' header"
    named = re.fullmatch(r"# name: (\S+)", lines[1])
    found = set()
    for item in expect.group(1).split(","):
        code, _, where = item.strip().partition("@")
        line, _, column = where.partition(":")
        found.add((code, int(line), int(column)))
    return (named.group(1) if named else "cn.test.coverage_demo.yml"), found


@pytest.mark.parametrize("path", BAD, ids=[p.stem for p in BAD])
def test_a_broken_coverage_file_is_a_located_error(
        path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "policies"
    shutil.copytree(DEMO, folder)
    (folder / "coverage" / "cn.test.coverage_demo.yml").unlink()
    name, expected = _expected(path)
    shutil.copy(path, folder / "coverage" / name)
    assert main(["coverage", str(folder), "--format", "json"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    located = re.findall(r"^(.+):(\d+):(\d+): ([a-z-]+): ", captured.err, re.M)
    assert {(code, int(line), int(col)) for _, line, col, code in located} == expected
    assert {Path(file).name for file, *_ in located} == {name}


# --------------------------------------------------------------------------- the auditor's map



def test_html_map_in_headless_chromium(chromium: str, bundled: dict[str, Any], tmp_path: Path,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["coverage", str(POLICIES), "--format", "html"]) == 0
    page = tmp_path / "coverage.html"
    page.write_text(capsys.readouterr().out, encoding="utf-8")
    source = page.read_text(encoding="utf-8")
    assert '<html lang="zh-CN">' in source
    assert not re.search(r'(src|href)\s*=\s*"(https?:)?//', source), "external asset"
    assert "<script" not in source and "<link" not in source
    done = subprocess.run([chromium, *CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'profile'}",
                           "--dump-dom", page.as_uri()],
                          capture_output=True, text=True, timeout=180, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    dom = re.sub(r"<style.*?</style>", "", done.stdout, flags=re.S)

    def seen(html: str) -> str:
        return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())

    def clause(document: str, clause_id: str) -> str:
        start = dom.index(">", dom.index(f'id="c-{document}--{clause_id}"')) + 1
        return seen(dom[start:dom.index('<li class="clause ', start)])

    totals = bundled["totals"]
    header = seen(dom[:dom.index("<nav")])
    assert f"{totals['encoded']} encoded {totals['not_computable']} not computable " \
           f"{totals['pending']} pending" in header
    encoded = clause(WAGE, "art4.item1")
    assert encoded.startswith("encoded · 第四条第（一）项 · art4.item1")
    assert "（一）首次存储标准：按照工程承发包合同价款的4%-5%核定保证金存储金额。" in encoded
    assert "Encoded by: cn.jilin.taobei.wage_deposit 1.1.0:" in encoded
    assert "rule first_deposit_standard" in encoded and "parameter first_rate_max" in encoded
    annex = clause(WAGE, "annex1")
    assert "农民工工资保证金管理权力运行图" in annex
    assert "Not computable: An attachment title only" in annex
    pending = clause("cn.national.labor_contract_law", "art38.item1")
    assert "Pending: no policy cites it" in pending and "art38 around it" in pending
    assert 'href="#p-cn.jilin.taobei.wage_deposit"' in dom
    assert 'id="p-cn.jilin.taobei.wage_deposit"' in dom
