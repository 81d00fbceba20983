"""The same case gives the same bytes on every machine: no locale (holiday names, date
spellings), no time zone, no hash seed and no caller's decimal context reaches the output.

The command line runs in subprocesses under different ``LANG`` / ``LC_ALL`` / ``LANGUAGE``
(the ``holidays`` package reads them for its names; an unknown locale is still a valid test),
``TZ`` and ``PYTHONHASHSEED``, and each output is compared byte for byte with the first.
"""

from __future__ import annotations

import datetime as dt
import decimal
import json
import os
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from conftest import ROOT
from govrules import Engine
from govrules.calendar import WorkingDayCalendar, period_end
from govrules.explain import explain_text
from govrules.runtime.case_files import read_case_file

CASES = {
    "wage_deposit": ("cn.jilin.taobei.wage_deposit",
                     ROOT / "examples" / "wage_deposit" / "03_deadlines_national_day.yaml"),
    "arbitration": ("cn.national.labor_arbitration_time_limits",
                    ROOT / "examples" / "arbitration" / "01_worker_final_award.yaml"),
    "severance": ("cn.national.severance_pay",
                  ROOT / "examples" / "termination" / "02_severance_high_earner.json"),
}
EXAMPLES = sorted(p for p in (ROOT / "examples").rglob("*") if p.suffix in (".json", ".yaml"))
COMMANDS = [
    ("evaluate", "json"), ("evaluate", "text"), ("evaluate", "markdown"), ("evaluate", "html"),
    ("evaluate", "notice"), ("deadlines", "text"), ("deadlines", "json"), ("why-not", "text"),
]
ENVIRONMENTS = {
    "C": {"LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "TZ": "UTC", "PYTHONHASHSEED": "0"},
    "zh_CN": {"LANG": "zh_CN.UTF-8", "LC_ALL": "zh_CN.UTF-8", "LANGUAGE": "zh_CN",
              "TZ": "Asia/Shanghai", "PYTHONHASHSEED": "1"},
    "en_US": {"LANG": "en_US.UTF-8", "LC_ALL": "en_US.UTF-8", "LANGUAGE": "en_US",
              "TZ": "America/New_York", "PYTHONHASHSEED": "random"},
    "th": {"LANG": "th_TH.UTF-8", "LANGUAGE": "th:zh_TW", "TZ": "Asia/Kolkata",
           "PYTHONHASHSEED": "random"},
}
_US_DATE = re.compile(rb"\b\d{2}/\d{2}/\d{4}\b")
# Every command of every example through the command line's main(), one process per
# environment, the policies loaded once (a process, or a load, per command would take
# minutes): the outputs as JSON, by command.
_BATCH = """
import contextlib, io, json, sys
from govrules import Engine
from govrules.cli import auditing, deciding
from govrules.cli.main import main
from govrules.runtime.case_files import read_case_file
from pathlib import Path
engine = Engine.default()
deciding.engine_for = auditing.engine_for = lambda *args, **kwargs: engine
outputs = {}
for path in sys.argv[2:]:
    _, envelope = read_case_file(Path(path))
    for command, output in json.loads(sys.argv[1]):
        buffer = io.StringIO()
        with contextlib.redirect_stdout(buffer):
            code = main([command, str(envelope["policy"]), "--case", path, "--format", output])
        outputs[f"{path} {command} {output}"] = [code, buffer.getvalue()]
sys.stdout.buffer.write(json.dumps(outputs, ensure_ascii=False, sort_keys=True).encode())
"""


def _environment(environment: dict[str, str]) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items()
           if key not in ("LANG", "LANGUAGE", "TZ", "PYTHONHASHSEED") and not key.startswith("LC_")}
    env.update(environment)
    return env


def _run(environment: dict[str, str], arguments: list[str]) -> bytes:
    done = subprocess.run([sys.executable, *arguments], capture_output=True,
                          env=_environment(environment), cwd=ROOT, timeout=600, check=False)
    assert done.returncode == 0, done.stderr.decode("utf-8", "replace")[-2000:]
    return done.stdout


def _in_every_environment(arguments: list[str], names: tuple[str, ...] = tuple(ENVIRONMENTS)
                          ) -> dict[str, bytes]:
    with ThreadPoolExecutor(max_workers=len(names)) as pool:
        runs = {name: pool.submit(_run, ENVIRONMENTS[name], arguments) for name in names}
        return {name: run.result() for name, run in runs.items()}


@pytest.mark.parametrize(("command", "output"), [
    ("evaluate", "json"), ("evaluate", "text"), ("deadlines", "text"),
])
def test_the_command_line_gives_the_same_bytes_in_every_environment(command: str,
                                                                    output: str) -> None:
    # the National Day case: statutory holidays, substituted days off, a make-up Saturday
    policy, path = CASES["wage_deposit"]
    outputs = _in_every_environment(
        ["-m", "govrules", command, policy, "--case", str(path), "--format", output],
        ("C", "zh_CN", "en_US"))
    first = outputs["C"]
    assert first and not _US_DATE.search(first)
    assert b"2026-10-0" in first  # the holiday week is in it
    for name, produced in outputs.items():
        assert produced == first, name


def test_every_example_in_every_format_is_the_same_in_every_environment() -> None:
    outputs = _in_every_environment(
        ["-c", _BATCH, json.dumps(COMMANDS), *(str(path) for path in EXAMPLES)])
    first = json.loads(outputs["C"])
    assert len(first) == len(EXAMPLES) * len(COMMANDS)
    assert all(code == 0 for code, _ in first.values())
    assert not any(_US_DATE.search(text.encode()) for _, text in first.values())
    for name, produced in outputs.items():
        assert produced == outputs["C"], name


def test_holiday_names_are_the_engines_own_in_both_languages() -> None:
    result = period_end(WorkingDayCalendar(), dt.date(2026, 9, 20), 15, "days")
    assert [(note.name, note.name_zh) for note in result.days] == [
        ("National Day (observed)", "国庆节（补假）"),
        ("Day off (substituted from 2026-09-20)", "休息日（由 2026-09-20 调休）"),
        ("Day off (substituted from 2026-10-10)", "休息日（由 2026-10-10 调休）"),
    ]
    assert result.days[0].to_dict()["name_zh"] == "国庆节（补假）"
    assert str(result.days[1]) == (
        "2026-10-06 Day off (substituted from 2026-09-20), statutory holiday")
    weekend = WorkingDayCalendar().note(dt.date(2026, 10, 10))
    assert weekend is not None and (weekend.name, weekend.name_zh) == ("Saturday", "星期六")


@pytest.mark.parametrize("language", ["zh_CN", "en_US", "th", "zh_TW", "xx_YY"])
def test_holiday_names_do_not_follow_the_locale(monkeypatch: pytest.MonkeyPatch,
                                                language: str) -> None:
    for variable in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.setenv(variable, f"{language}.UTF-8" if variable != "LANGUAGE" else language)
    calendar = WorkingDayCalendar()  # a fresh one: the shared calendar caches its years
    names = {}
    for year in range(2001, 2027):
        for ordinal in range(dt.date(year, 1, 1).toordinal(), dt.date(year, 12, 31).toordinal()):
            note = calendar.note(dt.date.fromordinal(ordinal))
            if note is not None and note.kind == "public_holiday":
                names[note.day] = (note.name, note.name_zh)
    assert names[dt.date(2026, 10, 1)] == ("National Day", "国庆节")
    assert names[dt.date(2026, 2, 17)][1] == "春节"
    assert all(name.isascii() and not re.search(r"\d{2}/\d{2}/\d{4}", name)
               for name, _ in names.values())
    assert all(re.search(r"[\u4e00-\u9fff]", zh) for _, zh in names.values())


def _example_decision_json(engine: Engine, path: Path) -> tuple[str, str]:
    facts, envelope = read_case_file(path)
    assert envelope is not None
    decision = engine.evaluate(str(envelope["policy"]), facts,
                               as_of=dt.date.fromisoformat(str(envelope["as_of"])))
    return decision.to_json(), explain_text(decision)


@pytest.mark.parametrize("case", sorted(CASES))
def test_explanations_do_not_follow_the_callers_decimal_context(engine: Engine,
                                                                case: str) -> None:
    expected_json, expected_text = _example_decision_json(engine, CASES[case][1])
    with decimal.localcontext(prec=6, rounding=decimal.ROUND_DOWN):
        _, text = _example_decision_json(engine, CASES[case][1])
    assert text == expected_text


@pytest.mark.parametrize("case", sorted(CASES))
def test_decisions_do_not_follow_the_callers_decimal_context(engine: Engine, case: str) -> None:
    expected, _ = _example_decision_json(engine, CASES[case][1])
    with decimal.localcontext(prec=6, rounding=decimal.ROUND_DOWN):
        inside, _ = _example_decision_json(engine, CASES[case][1])
    assert inside == expected


def test_the_default_date_is_today_in_beijing_whatever_the_machines_zone() -> None:
    import subprocess
    import sys

    code = "from govrules.engine import today; print(today().isoformat())"
    days = {
        subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                       env={**__import__("os").environ, "TZ": zone}).stdout.strip()
        for zone in ("UTC", "Asia/Shanghai", "America/Los_Angeles", "Pacific/Kiritimati")
    }
    assert len(days) == 1
