"""The command line's habits other programs rely on: a case from standard input, --version,
--format json for the checking commands, JSON lines from run, shell completion, colour only on a
terminal (NO_COLOR respected), and evaluate --log into a real SQLite decision log.

Everything runs the real CLI, in-process (``main``) or as a subprocess where standard input, a
terminal or the environment is what is tested, on the national pack alone (fast to load)."""

from __future__ import annotations

import datetime as dt
import importlib.metadata
import io
import json
import os
import pty
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import POLICIES, ROOT
from govrules import Engine
from govrules.authoring.lint import lint
from govrules.calendar import WorkingDayCalendar
from govrules.cli.main import main
from govrules.cli.output import use_colour
from govrules.compiler.loading import load_workspace
from govrules.decisionlog import open_log

NATIONAL = POLICIES / "cn.national"
LEAVE = "cn.national.maternity_leave"
FACTS = {"sex": "female", "pregnancy_outcome": "birth", "difficult_birth": True, "babies": 2}
DAY = "2026-03-05"
GOVRULES = [sys.executable, "-m", "govrules", "--policies", str(NATIONAL)]


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine.from_directory(NATIONAL)


def _cli(*args: str) -> list[str]:
    return ["--policies", str(NATIONAL), *args]


def _stdin(monkeypatch: pytest.MonkeyPatch, data: bytes) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))


def _expected(engine: Engine, facts: dict[str, object] = FACTS) -> str:
    return engine.evaluate(LEAVE, facts, as_of=dt.date.fromisoformat(DAY)).fingerprint


# --------------------------------------------------------------------------- standard input


def test_a_json_case_piped_into_evaluate_is_decided_as_the_engine_decides_it(
        engine: Engine) -> None:
    done = subprocess.run([*GOVRULES, "evaluate", LEAVE, "--case", "-", "--as-of", DAY],
                          input=json.dumps(FACTS).encode(), capture_output=True, check=False)
    assert done.returncode == 0, done.stderr
    decision = json.loads(done.stdout)
    assert decision["fingerprint"] == _expected(engine)
    assert decision["values"]["entitled_days"] == 128
    assert done.stderr == b""


def test_a_yaml_envelope_on_stdin_names_its_date(
        engine: Engine, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    example = (ROOT / "examples" / "national" / "maternity_leave.yaml").read_bytes()
    _stdin(monkeypatch, example)
    assert main(_cli("evaluate", LEAVE, "--case", "-", "--format", "json")) == 0
    decision = json.loads(capsys.readouterr().out)
    assert decision["as_of"] == DAY  # from the envelope read on stdin
    assert decision["fingerprint"] == _expected(engine)


@pytest.mark.parametrize(("data", "located"), [
    (b'{"sex": "female",\n "sex": "male"}', "<stdin>:1:1: duplicate-key: key 'sex'"),
    (b'{"babies": 2,\n "sex": }', "<stdin>:2:9: json-syntax: not valid JSON"),
    (b"sex: female\nbabies: [2\n", "<stdin>:3:1: yaml-syntax:"),
    (b"sex: female\nbabies: \xff\n", "<stdin>:2:9: file-encoding: not UTF-8"),
    (b" \n", "<stdin>:1:1: case-empty:"),
    (b"{" + b" " * (2 * 1024 * 1024), "<stdin>:1:1: json-too-large:"),
    (b'{"babies": ' + b"1" * 301 + b"}", "<stdin>:1:12: json-number-too-long:"),
], ids=["duplicate", "json", "yaml", "encoding", "empty", "too-large", "number"])
def test_a_bad_case_on_stdin_is_located_and_exits_two(
        data: bytes, located: str, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    _stdin(monkeypatch, data)
    assert main(_cli("evaluate", LEAVE, "--case", "-")) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert located in captured.err
    assert "Traceback" not in captured.err


def test_a_stdin_case_for_another_policy_is_refused_by_name(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    _stdin(monkeypatch, b"policy: cn.national.severance_pay\nfacts: {}\n")
    assert main(_cli("why-not", LEAVE, "--case", "-")) == 2
    assert "<stdin> is a case for 'cn.national.severance_pay'" in capsys.readouterr().err


def test_review_takes_one_case_from_stdin_not_both(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    second = tmp_path / "second.json"
    second.write_text(json.dumps(FACTS), encoding="utf-8")
    _stdin(monkeypatch, json.dumps(FACTS).encode())
    assert main(_cli("review", LEAVE, "--first", "-", "--second", str(second),
                     "--as-of", DAY, "--format", "json")) == 0
    assert json.loads(capsys.readouterr().out)["status"] == "agreed"
    assert main(_cli("review", LEAVE, "--first", "-", "--second", "-")) == 2
    assert "only one of --first and --second" in capsys.readouterr().err


def test_verify_reads_a_decision_from_stdin_and_catches_a_tampered_one(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    _stdin(monkeypatch, json.dumps(FACTS).encode())
    assert main(_cli("evaluate", LEAVE, "--case", "-", "--as-of", DAY)) == 0
    saved = capsys.readouterr().out
    _stdin(monkeypatch, saved.encode())
    assert main(_cli("verify", "-")) == 0
    assert capsys.readouterr().out.startswith("VERIFIED: ")
    _stdin(monkeypatch, saved.replace('"entitled_days": 128', '"entitled_days": 129').encode())
    assert main(_cli("verify", "-")) == 1
    assert capsys.readouterr().out.startswith("NOT VERIFIED: ")


# --------------------------------------------------------------------------- --version


def test_version_names_the_package_the_decision_format_and_the_calendar() -> None:
    done = subprocess.run([sys.executable, "-m", "govrules", "--version"],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        f"govrules {importlib.metadata.version('govrules')}",
        "decision format 3",
        f"calendar {WorkingDayCalendar.prc().provenance}",
    ]


# --------------------------------------------------------------------------- --format json


def test_list_as_json_and_as_ids(engine: Engine, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(_cli("list", "--format", "json")) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [(r["id"], r["version"]) for r in rows] == [
        (p.id, p.version) for p in engine.policies()]
    leave = next(r for r in rows if r["id"] == LEAVE)
    assert leave["pack"] == {"id": "cn.national", "version": engine.packs["cn.national"].version,
                             "manifest": engine.packs["cn.national"].digest}
    assert leave["effective"] == {"from": "2012-04-28", "to": None}
    assert leave["title_zh"] == engine.policy(LEAVE).model.title.zh
    assert main(_cli("list", "--format", "ids")) == 0
    assert capsys.readouterr().out.splitlines() == sorted({p.id for p in engine.policies()})


def test_validate_as_json_lists_located_problems(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(_cli("validate", "--format", "json", str(NATIONAL))) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["ok"] is True and report["problems"] == [] and report["policies"] == 4
    broken = tmp_path / "cn.national"
    shutil.copytree(NATIONAL, broken)
    (broken / "manifest.json").unlink()  # unsealed, so that an edit is not a tampered pack
    policy = broken / "policies" / "maternity_leave.yaml"
    text = policy.read_text(encoding="utf-8")
    assert "(babies - 1)" in text
    policy.write_text(text.replace("(babies - 1)", "(babys - 1)"), encoding="utf-8")
    assert main(["validate", "--format", "json", str(broken)]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["ok"] is False and report["problems"]
    for problem in report["problems"]:
        assert set(problem) == {"code", "message", "file", "line", "column", "hint"}
        assert problem["file"].endswith("maternity_leave.yaml") and problem["line"] > 0


def test_lint_as_json_matches_the_linter(capsys: pytest.CaptureFixture[str]) -> None:
    workspace = load_workspace([NATIONAL], Path.cwd())
    findings = lint(workspace.selected, workspace.sources)
    assert main(_cli("lint", "--format", "json", str(NATIONAL))) == 0
    report = json.loads(capsys.readouterr().out)
    assert [(f["code"], f["level"], f["message"]) for f in report["findings"]] == [
        (f.code, f.level, f.message) for f in findings]
    assert report["warnings"] == sum(f.level == "warning" for f in findings) == 0
    assert report["ok"] is True
    assert main(_cli("lint", "-q", "--format", "json", str(NATIONAL))) == 0
    quiet = json.loads(capsys.readouterr().out)
    assert quiet["findings"] == [] and quiet["notes"] == report["notes"] > 0


def test_test_as_json_reports_each_test_and_a_failure(
        engine: Engine, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pack = tmp_path / "cn.national"
    shutil.copytree(NATIONAL, pack)
    (pack / "manifest.json").unlink()
    for other in (pack / "policies").glob("*.yaml"):
        if other.name != "maternity_leave.yaml":
            other.unlink()
    assert main(["test", "--format", "json", str(pack)]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["ok"] is True and report["failed"] == 0
    assert report["passed"] == len(report["tests"]) > 0
    first = report["tests"][0]
    assert first["policy"] == LEAVE and first["passed"] is True
    assert first["fingerprint"].startswith("sha256:")
    assert [c["policy"] for c in report["coverage"]] == [LEAVE]
    # one expectation changed: that test fails, by name, and the command exits 1
    policy = pack / "policies" / "maternity_leave.yaml"
    text = policy.read_text(encoding="utf-8")
    assert "{entitled_days: 143, " in text
    policy.write_text(text.replace("{entitled_days: 143, ", "{entitled_days: 142, "),
                      encoding="utf-8")
    assert main(["test", "--format", "json", str(pack), "--min-coverage", "101"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["ok"] is False and report["failed"] == 1
    failing = [t for t in report["tests"] if not t["passed"]]
    assert len(failing) == 1 and any("entitled_days" in f for f in failing[0]["failures"])
    assert report["coverage"][0]["below_minimum"] is True


def test_run_as_json_prints_json_lines_only(
        engine: Engine, capsys: pytest.CaptureFixture[str]) -> None:
    examples = [
        ROOT / "examples" / "national" / "maternity_leave.yaml",
        ROOT / "examples" / "wage_deposit" / "national_01_two_clean_years_bank_guarantee.yaml",
    ]
    assert main(_cli("run", "--format", "json", *map(str, examples))) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2
    for line, example in zip(lines, examples, strict=True):
        row = json.loads(line)
        assert list(row) == ["example", "description", "decision"]
        assert row["example"] == example.as_posix()
        assert row["description"]
    first = json.loads(lines[0])["decision"]
    assert first["fingerprint"] == _expected(engine)


# --------------------------------------------------------------------------- completion


def _script(shell: str, capsys: pytest.CaptureFixture[str]) -> str:
    assert main(["completion", shell]) == 0
    return capsys.readouterr().out


def test_bash_completion_completes_commands_options_values_and_policy_ids(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    script = tmp_path / "govrules.bash"
    script.write_text(_script("bash", capsys), encoding="utf-8")
    program = str(Path(sys.executable).parent / "govrules")
    trial = f"""
source {script}
try() {{ COMP_WORDS=("$@"); COMP_CWORD=$(( ${{#COMP_WORDS[@]}} - 1 )); COMPREPLY=()
        _govrules; echo "${{COMPREPLY[*]}}"; }}
try {program} ev
try {program} --color never pa
try {program} pack verify --
try {program} evaluate --format ''
try {program} --policies {NATIONAL} evaluate cn.national.m
try {program} completion ''
"""
    done = subprocess.run(["bash", "-c", trial], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "evaluate",
        "packs pack",
        "--help --key",
        "json text markdown html notice",
        "cn.national.maternity_leave",
        "bash zsh fish",
    ]


@pytest.mark.skipif(shutil.which("zsh") is None, reason="zsh is not installed")
def test_zsh_completion_offers_the_same(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    script = tmp_path / "_govrules"
    script.write_text(_script("zsh", capsys), encoding="utf-8")
    # the completion system's own functions, stood in for: what they are given is printed
    trial = f"""
compdef() {{ : }}
compadd() {{ print -r -- "$*" }}
_files() {{ print -r -- "files $*" }}
source {script}
try() {{ words=("$@"); CURRENT=$#words; _govrules }}
try govrules ev
try govrules pack verify --
try govrules evaluate --case ex
try govrules new pack x --dir ''
"""
    done = subprocess.run(["zsh", "-f", "-c", trial], capture_output=True, text=True,
                          check=False)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert "evaluate" in lines[0].split() and lines[0].startswith("-- list ")
    assert lines[1:] == ["-- -h --help --key", "files ", "files -/"]


@pytest.mark.skipif(shutil.which("fish") is None, reason="fish is not installed")
def test_fish_completion_offers_the_same(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    script = tmp_path / "govrules.fish"
    script.write_text(_script("fish", capsys), encoding="utf-8")
    trial = (f"source {script}; complete -C 'govrules ev'; echo ---; "
             "complete -C 'govrules --color never pack v'; echo ---; "
             "complete -C 'govrules evaluate --format '")
    done = subprocess.run(["fish", "--no-config", "-c", trial], capture_output=True,
                          text=True, check=False)
    assert done.returncode == 0, done.stderr
    parts = [[line.split("\t")[0] for line in part.strip().splitlines()]
             for part in done.stdout.split("---")]
    assert parts == [["evaluate"], ["verify"], ["html", "json", "markdown", "notice", "text"]]


# --------------------------------------------------------------------------- colour


def test_use_colour_follows_the_terminal_no_color_and_the_option() -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    assert use_colour(Terminal(), "auto", {}) is True
    assert use_colour(Terminal(), "auto", {"NO_COLOR": "1"}) is False
    assert use_colour(Terminal(), "auto", {"NO_COLOR": ""}) is True  # empty: not set
    assert use_colour(Terminal(), "auto", {"TERM": "dumb"}) is False
    assert use_colour(io.StringIO(), "auto", {}) is False
    assert use_colour(io.StringIO(), "always", {"NO_COLOR": "1"}) is True
    assert use_colour(Terminal(), "never", {}) is False


def _run_on_terminal(args: list[str], environment: dict[str, str]) -> str:
    """What ``args`` writes to its standard output when that is a terminal."""
    controller, terminal = pty.openpty()
    process = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=terminal,
                               stderr=subprocess.DEVNULL, env=environment)
    os.close(terminal)
    chunks = []
    while True:
        try:
            chunk = os.read(controller, 65536)
        except OSError:  # the terminal is gone: the process has ended
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(controller)
    assert process.wait(timeout=120) == 0
    return b"".join(chunks).decode("utf-8")


def test_colour_only_on_a_terminal_and_never_with_no_color(
        engine: Engine, tmp_path: Path) -> None:
    saved = tmp_path / "decision.json"
    saved.write_text(engine.evaluate(LEAVE, FACTS, as_of=dt.date(2026, 3, 5)).to_json(),
                     encoding="utf-8")
    environment = {k: v for k, v in os.environ.items() if k != "NO_COLOR"} | {"TERM": "xterm"}
    verify = [*GOVRULES, "verify", str(saved)]
    assert "\x1b[32mVERIFIED:\x1b[0m " in _run_on_terminal(verify, environment)
    assert "\x1b[" not in _run_on_terminal(verify, environment | {"NO_COLOR": "1"})
    piped = subprocess.run(verify, capture_output=True, text=True, env=environment, check=False)
    assert piped.stdout.startswith("VERIFIED: ") and "\x1b[" not in piped.stdout
    forced = [*GOVRULES[:3], "--color", "always", *GOVRULES[3:], "verify", str(saved)]
    piped = subprocess.run(forced, capture_output=True, text=True,
                           env=environment | {"NO_COLOR": "1"}, check=False)
    assert piped.stdout.startswith("\x1b[32mVERIFIED:\x1b[0m ")


# --------------------------------------------------------------------------- decision log


def test_evaluate_log_appends_the_decision_to_a_sqlite_log(
        engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "decisions.sqlite"
    case = tmp_path / "case.json"
    case.write_text(json.dumps(FACTS), encoding="utf-8")
    assert main(_cli("evaluate", LEAVE, "--case", str(case), "--as-of", DAY,
                     "--log", str(target))) == 0
    captured = capsys.readouterr()
    printed = json.loads(captured.out)  # stdout stays the decision alone
    assert captured.err.startswith("logged: record 1, ")
    # --log alone: the log GOVRULES_LOG names, as ``govrules log`` reads it
    monkeypatch.setenv("GOVRULES_LOG", str(target))
    assert main(_cli("evaluate", LEAVE, "--case", str(case), "--as-of", DAY, "--log")) == 0
    assert capsys.readouterr().err.startswith("logged: record 2, ")
    with open_log(target) as log:
        first = log.show(1)
        assert log.verify().intact and log.verify().count == 2
    assert first is not None
    assert first["fingerprint"] == printed["fingerprint"] == _expected(engine)
    assert first["origin"] == "cli"
    assert main(_cli("evaluate", LEAVE, "--case", str(case), "--log", "http://nowhere")) == 2
    assert "--log: " in capsys.readouterr().err
