"""Bounded inputs (issue 11, item 3): every value a case may hold has a documented limit
(``runtime/limits.py``, ``docs/limits.md``), and a value outside it is a ``CaseError`` naming the
field -- exit 2 on the command line -- never an internal error or a silent acceptance.

Each defect of the issue has a test here through the Python API and through the CLI; a
hypothesis property checks that the fast converter and the pydantic case model accept exactly
the same cases for every bundled policy.
"""

from __future__ import annotations

import datetime as dt
import enum
import json
import sys
import tracemalloc
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from govrules import Engine
from govrules.calendar import WorkingDayCalendar
from govrules.cli.main import main
from govrules.compiler.policy import CompiledPolicy
from govrules.errors import CaseError
from govrules.language.expr.types import RATE, Type
from govrules.runtime import limits
from govrules.runtime.case_values import scalar_check
from govrules.runtime.casemodel import InvalidCase, build_case_model, build_converter

WAGE = "cn.jilin.taobei.wage_deposit"
LIMITS = "cn.national.labor_arbitration_time_limits"
HIRING = "cn.gansu.dingxi.service_staff_hiring_conditions"
DAY = dt.date(2026, 11, 21)
CLEAN = {"contract_price": "1000000", "first_deposit": True}


class PaymentForm(enum.StrEnum):
    CASH = "cash"


class Days(enum.IntEnum):
    THREE = 3


def refused(engine: Engine, policy: str, case: dict[str, Any], field: str) -> str:
    """The message of the one problem with ``case``, which must name ``field``."""
    with pytest.raises(CaseError) as caught:
        engine.evaluate(policy, case, as_of=DAY)
    (problem,) = caught.value.diagnostics
    assert problem.code == "invalid-input" and problem.message.startswith(field + ":")
    return problem.message


def work_of(action: Callable[[], object]) -> tuple[int, int]:
    """The work ``action`` does, counted rather than timed: the Python calls it makes and the
    peak memory it allocates (after a first run, so that caches are warm)."""
    action()
    calls = 0

    def count(frame: object, event: str, arg: object) -> None:
        nonlocal calls
        calls += event == "call"

    tracemalloc.start()
    sys.setprofile(count)
    try:
        action()
    finally:
        sys.setprofile(None)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return calls, peak


def cli_refuses(tmp_path: Path, policy: str, case: dict[str, Any], field: str,
                capsys: pytest.CaptureFixture[str]) -> str:
    path = tmp_path / "case.json"
    path.write_text(json.dumps(case), encoding="utf-8")
    assert main(["evaluate", policy, "--case", str(path), "--as-of", DAY.isoformat()]) == 2
    err = capsys.readouterr().err
    assert f"invalid-input: {field}" in err and "internal error" not in err
    return err


@pytest.fixture(autouse=True)
def _one_engine(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    """The CLI's bundled engine is the session's, loaded once (loading takes seconds)."""
    monkeypatch.setattr(Engine, "default", classmethod(lambda cls: engine))


# --------------------------------------------------------------------------- each defect

# (policy, case, field, words of the message); each also goes through the CLI as JSON
DEFECTS = [
    pytest.param(WAGE, {**CLEAN, "contract_price": "１０００"}, "contract_price", "ASCII",
                 id="full-width digits"),
    pytest.param(WAGE, {**CLEAN, "contract_price": "١٠٠٠"}, "contract_price", "ASCII",
                 id="Arabic-Indic digits"),
    pytest.param(WAGE, {**CLEAN, "contract_price": "1_000"}, "contract_price", "separators",
                 id="underscore"),
    pytest.param(WAGE, {**CLEAN, "contract_price": "+1000"}, "contract_price", "plus sign",
                 id="plus sign"),
    pytest.param(WAGE, {**CLEAN, "contract_price": " 1000"}, "contract_price", "spaces",
                 id="spaces"),
    pytest.param(WAGE, {**CLEAN, "contract_price": "1e27"}, "contract_price", "exponent",
                 id="exponent"),
    pytest.param(WAGE, {**CLEAN, "contract_price": "1" + "0" * 27}, "contract_price", "digits",
                 id="money of 1e27"),
    pytest.param(WAGE, {**CLEAN, "contract_price": "1e-999999999"}, "contract_price",
                 "exponent", id="1e-999999999"),
    pytest.param(WAGE, {**CLEAN, "contract_price": "0." + "0" * 30 + "1"}, "contract_price",
                 "31 decimal places", id="too many places"),
    pytest.param(WAGE, {**CLEAN, "proposed_rate": "11"}, "proposed_rate", "[-1, 10]",
                 id="rate above 10"),
    pytest.param(LIMITS, {"suspension_days": 10**18}, "suspension_days", "1,000,000",
                 id="integer of 10**18"),
    pytest.param(LIMITS, {"acceptance_date": "9999-12-31"}, "acceptance_date",
                 "1900-01-01 to 2099-12-31", id="date 9999-12-31"),
    pytest.param(LIMITS, {"acceptance_date": "2100-01-01"}, "acceptance_date",
                 "2099-12-31", id="date 2100"),
    pytest.param(LIMITS, {"acceptance_date": "1899-12-31"}, "acceptance_date",
                 "1900-01-01", id="date 1899"),
    pytest.param(LIMITS, {"acceptance_date": "２０２６-01-05"}, "acceptance_date",
                 "YYYY-MM-DD", id="full-width date"),
    pytest.param(HIRING, {"held_certificates": ["a\x00b"]}, "held_certificates[0]",
                 "U+0000", id="NUL in text"),
    pytest.param(HIRING, {"held_certificates": ["bell\x07"]}, "held_certificates[0]",
                 "U+0007", id="BEL in text"),
    pytest.param(HIRING, {"held_certificates": ["\x1b[31mred"]}, "held_certificates[0]",
                 "U+001B", id="ESC in text"),
    pytest.param(HIRING, {"held_certificates": ["\x85"]}, "held_certificates[0]", "U+0085",
                 id="C1 control"),
    pytest.param(HIRING, {"held_certificates": ["\ud800"]}, "held_certificates[0]",
                 "lone surrogate", id="lone surrogate"),
    pytest.param(HIRING, {"held_certificates": ["x" * 10_001]}, "held_certificates[0]",
                 "10,000", id="text too long"),
]


@pytest.mark.parametrize(("policy", "case", "field", "words"), DEFECTS)
def test_each_bad_input_is_refused_by_name(engine: Engine, policy: str, case: dict[str, Any],
                                           field: str, words: str) -> None:
    assert words in refused(engine, policy, case, field)


@pytest.mark.parametrize(("policy", "case", "field", "words"), DEFECTS)
def test_each_bad_input_exits_2_naming_the_field(tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str],
                                                 policy: str, case: dict[str, Any], field: str,
                                                 words: str) -> None:
    assert words in cli_refuses(tmp_path, policy, case, field, capsys)


@pytest.mark.parametrize("value", [Decimal("1E+27"), Decimal("-1E+15"), 10**15, Decimal("NaN"),
                                   Decimal("1E-999999999"), Decimal("0E-31"), 1e6, True])
def test_decimal_objects_beyond_the_limits(engine: Engine, value: Any) -> None:
    calls, peak = work_of(
        lambda: refused(engine, WAGE, {**CLEAN, "contract_price": value}, "contract_price"))
    # refused from the value's exponent and digits, never expanded (1E-999999999 written out
    # would be a billion characters): a few dozen calls, a few kilobytes
    assert calls < 1_000 and peak < 1_000_000, (calls, peak)


def test_the_limits_themselves_are_accepted(engine: Engine) -> None:
    top = "999999999999999." + "9" * 30
    for price in (top, Decimal(top), 10**15 - 1, "0." + "0" * 29 + "1"):
        engine.evaluate(WAGE, {**CLEAN, "contract_price": price}, as_of=DAY)
    engine.evaluate(WAGE, {**CLEAN, "proposed_rate": "0.039999999999999999999999999999"},
                    as_of=DAY)
    rate = scalar_check(RATE)  # no bundled rate is unbounded; the limits of the type alone
    assert [rate(r) for r in ("-1", "10", -1, Decimal("1E+1"))] == [-1, 10, -1, 10]
    for beyond in ("-1.000000000000000000000000000001", "10.1", 11, Decimal("-2")):
        with pytest.raises(ValueError, match=r"\[-1, 10\]"):
            rate(beyond)
    for day in ("1900-01-01", "2099-12-31", dt.date(1900, 1, 1)):
        engine.evaluate(LIMITS, {"acceptance_date": day}, as_of=DAY)
    engine.evaluate(LIMITS, {"suspension_days": limits.MAX_INTEGER}, as_of=DAY)
    engine.evaluate(HIRING, {"held_certificates": ["tab\tnew\nline\r", "x" * 10_000]}, as_of=DAY)


def test_the_latest_date_is_within_what_the_calendar_knows() -> None:
    calendar = WorkingDayCalendar.prc()
    national_day = dt.date(limits.LATEST_DATE.year, 10, 1)
    assert calendar.note(national_day) is not None  # a public holiday, computed, in 2099


def test_a_huge_list_is_refused_before_it_is_read(engine: Engine) -> None:
    huge = ["x"] * 3_500_000
    found: list[str] = []
    calls, peak = work_of(lambda: found.append(
        refused(engine, HIRING, {"held_certificates": huge}, "held_certificates")))
    assert "3,500,000 items" in found[-1] and "10,000" in found[-1]
    # refused from its length: no call per item, no copy of it (a copy alone is 28 MB)
    assert calls < 1_000 and peak < 1_000_000, (calls, peak)
    # a policy's own max_items replaces the default
    opinions = [{"arbitrator": "a", "chief": False, "opinion": "x"}] * 51
    message = refused(engine, "cn.jilin.taobei.arbitration_case_handling",
                      {"arbitrator_opinions": opinions}, "arbitrator_opinions")
    assert "at most 50" in message


def test_enum_members_and_str_subclasses_are_read_as_their_plain_values(engine: Engine) -> None:
    # used to be an EvaluationError: "the case model accepts a case that the converter refuses"
    decision = engine.evaluate(WAGE, {**CLEAN, "payment_form": PaymentForm.CASH}, as_of=DAY)
    assert type(decision.facts["payment_form"]) is str
    decision = engine.evaluate(LIMITS, {"suspension_days": Days.THREE,
                                        "acceptance_date": "2026-01-05"}, as_of=DAY)
    assert type(decision.facts["suspension_days"]) is int

    class Name(str):
        pass

    engine.evaluate(HIRING, {"held_certificates": [Name("driver")]}, as_of=DAY)
    with pytest.raises(CaseError):  # a subclass is read as its value, which is still checked
        engine.evaluate(HIRING, {"held_certificates": [Name("a\x00")]}, as_of=DAY)
    refused(engine, LIMITS, {"suspension_days": True}, "suspension_days")


def test_all_problems_are_reported_at_once_and_capped(engine: Engine) -> None:
    with pytest.raises(CaseError) as caught:
        engine.evaluate(HIRING, {"held_certificates": ["\x00"] * 500}, as_of=DAY)
    diagnostics = caught.value.diagnostics
    assert len(diagnostics) == limits.MAX_DIAGNOSTICS + 1
    assert "400 more problems" in diagnostics[-1].message


def test_as_of_outside_the_calendar(engine: Engine, tmp_path: Path,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(CaseError, match="2099-12-31"):
        engine.evaluate(WAGE, CLEAN, as_of=dt.date(9999, 12, 31))
    path = tmp_path / "case.json"
    path.write_text(json.dumps(CLEAN), encoding="utf-8")
    for bad in ("2026-W47-6", "2026-11-2１", "2100-01-01", "20261121"):
        with pytest.raises(SystemExit) as stopped:
            main(["evaluate", WAGE, "--case", str(path), "--as-of", bad])
        assert stopped.value.code == 2
        assert "--as-of" in capsys.readouterr().err
    path.write_text(json.dumps({"policy": WAGE, "as_of": "2026-W47-6", "facts": CLEAN}),
                    encoding="utf-8")
    assert main(["evaluate", WAGE, "--case", str(path)]) == 2
    assert "as_of" in capsys.readouterr().err


# --------------------------------------------------------------------------- JSON case files


def _json_file(tmp_path: Path, content: str | bytes) -> str:
    path = tmp_path / "case.json"
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return str(path)


@pytest.mark.parametrize(("content", "words"), [
    pytest.param('{"contract_price": "1",\n "first_deposit": true,\n "contract_price": "2"}',
                 ":1:1: duplicate-key: key 'contract_price'", id="duplicate keys"),
    pytest.param('{"facts": ' * 1200 + "{}" + "}" * 1200, "json-too-deep", id="nesting"),
    pytest.param('{"contract_price": ' + "9" * 5000 + "}", "json-number-too-long",
                 id="5,000-digit integer"),
    pytest.param(b'{"contract_price": "1000\x00"}', "1:25: json-syntax: not valid JSON (a control",
                 id="NUL byte"),
    pytest.param(b'{"contract_price": "1000\x07"}', "json-syntax", id="BEL byte"),
    pytest.param(b'{"contract_price":\x1b "1000"}', "json-syntax", id="ESC byte"),
    pytest.param('{"contract_price": NaN}', "json-syntax", id="NaN"),
    pytest.param(b'{"contract_price": "\xff"}', "file-encoding", id="not UTF-8"),
    pytest.param("{" + " " * limits.MAX_CASE_FILE_BYTES + "}", "json-too-large",
                 id="too large"),
])
def test_json_case_files_are_read_strictly(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                           content: str | bytes, words: str) -> None:
    path = _json_file(tmp_path, content)
    assert main(["evaluate", WAGE, "--case", path, "--as-of", "2026-11-21"]) == 2
    err = capsys.readouterr().err
    assert words in err and path in err and "internal error" not in err


@pytest.mark.parametrize(("escaped", "code"), [("\\u0000", "U+0000"), ("\\u0007", "U+0007"),
                                               ("\\u001b", "U+001B"), ("\\ud800", "U+D800")])
def test_escaped_control_characters_are_refused_by_field(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], escaped: str, code: str) -> None:
    path = _json_file(tmp_path, '{"held_certificates": ["x' + escaped + '"]}')
    assert main(["evaluate", HIRING, "--case", path, "--as-of", "2026-11-21"]) == 2
    err = capsys.readouterr().err
    assert "held_certificates[0]" in err and code in err


def test_json_numbers_stay_exact_decimals(tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    path = _json_file(tmp_path, '{"contract_price": 1000000.10, "first_deposit": true,'
                                ' "proposed_rate": 4E-2}')
    assert main(["evaluate", WAGE, "--case", path, "--as-of", "2026-11-21"]) == 0
    facts = json.loads(capsys.readouterr().out)["facts"]
    assert Decimal(facts["contract_price"]) == Decimal("1000000.10")
    assert facts["proposed_rate"] == "0.04"


# --------------------------------------------------------------------------- model == converter


def values(kind: Type) -> st.SearchStrategy[Any]:
    """Values for an input of ``kind``: good ones, bad ones and ones at the limits."""
    weird = st.sampled_from([None, True, 1, -1, 1.5, "", "x", [], {}, Decimal("NaN"), ("a",),
                             "\ud800", 10**18, Decimal("1E+20"), dt.datetime(2026, 1, 1, 9)])
    if kind.kind == "record":
        fields = {field: values(t.as_optional(False)) for field, t in kind.fields or ()}
        optional = {field: st.none() | fields[field]
                    for field, t in kind.fields or () if t.optional}
        required = {field: s for field, s in fields.items() if field not in optional}
        records = st.fixed_dictionaries(required, optional=optional)  # type: ignore[arg-type]
        extra = records.map(lambda r: {**r, "colour": "red"})
        return st.one_of(records, records, extra, weird)
    if kind.kind == "list" and kind.item is not None:
        item = values(kind.item)
        return st.one_of(st.lists(item, max_size=4), st.lists(item, max_size=4).map(tuple), weird)
    return SCALARS[kind.kind](kind) | weird


def _decimals() -> st.SearchStrategy[Any]:
    numbers = st.decimals(allow_nan=True, allow_infinity=True, places=None)
    edge = st.sampled_from(["0", "-0", "0.04", "1", "10", "-1", "11", "+1", "1_0", "１", " 1",
                            "1e3", "999999999999999", "1000000000000000", "0." + "0" * 29 + "1",
                            "0." + "0" * 30 + "1", "007", "1.", ".5", "-0.00", "0.000000"])
    return st.one_of(numbers, numbers.map(str), edge, st.integers(-10**16, 10**16))


SCALARS: dict[str, Any] = {
    "bool": lambda kind: st.booleans() | st.sampled_from([0, 1, "true"]),
    "integer": lambda kind: st.integers(-2 * 10**6, 2 * 10**6) | st.sampled_from(
        [Days.THREE, Decimal(3), "3", 10**6, -10**6, 10**6 + 1]),
    "decimal": lambda kind: _decimals(),
    "money": lambda kind: _decimals(),
    "rate": lambda kind: _decimals(),
    "date": lambda kind: st.dates() | st.dates().map(str) | st.sampled_from(
        ["2026-02-30", "2026-W47-6", "20260101", "1900-01-01", "2099-12-31", "2100-01-01"]),
    "datetime": lambda kind: st.datetimes() | st.datetimes().map(lambda d: d.isoformat()) |
    st.sampled_from(["2026-03-02T09:30", "2026-03-02 09:30:00", "2026-03-02T24:00",
                     "2026-03-02T09:30:00.5", "2026-03-02T09:30+08:00"]),
    "text": lambda kind: st.text(max_size=20) | st.sampled_from(["a\x00", "\x85", "\ud800x",
                                                                 "t\tn\nr\r", "x" * 10_001]),
    "enum": lambda kind: st.sampled_from(kind.values or ("x",)) | st.sampled_from(
        [PaymentForm.CASH, "CASH", "other "]),
}


def cases(policy: CompiledPolicy) -> st.SearchStrategy[dict[str, Any]]:
    inputs = {item.name: values(item.type.as_optional(False)) for item in policy.inputs}
    return st.fixed_dictionaries({}, optional=inputs)  # type: ignore[arg-type]


def test_the_converter_and_the_model_accept_the_same_cases(engine: Engine) -> None:
    for policy in engine.policies():
        _agree(policy)


def _agree(policy: CompiledPolicy) -> None:
    convert, model = build_converter(policy), build_case_model(policy)

    @settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
    @given(cases(policy))
    def agree(case: dict[str, Any]) -> None:
        try:
            convert(case)
            converted = True
        except InvalidCase:
            converted = False
        try:
            model.model_validate(case)
            validated = True
        except ValidationError:
            validated = False
        assert converted == validated, (policy.id, case)

    agree()


def test_a_case_model_instance_with_records_is_a_case(engine: Engine) -> None:
    # its records used to reach the converter as model instances: "the case model accepts a
    # case that the converter refuses"
    policy = "cn.jilin.taobei.arbitration_case_handling"
    model = engine.case_model(policy)
    case = model(matter="award_deliberation",
                 arbitrator_opinions=[{"arbitrator": "a", "chief": True, "opinion": "x"}])
    decision = engine.evaluate(policy, case, as_of=DAY)
    assert decision.facts["arbitrator_opinions"][0].as_dict()["arbitrator"] == "a"
    with pytest.raises(ValidationError):
        model(matter="award_deliberation", arbitrator_opinions=[{"arbitrator": "a\x1b"}])
