"""Tables: exact and banded keys, load-time checks, the row in the trace."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import FIXTURES
from govrules import Engine, explain_text
from govrules.compiler.loading import load_policy_file
from govrules.errors import PolicyLoadError
from govrules.language.sources import SourceLibrary

POLICY = "test.fixture.tables"
AS_OF = dt.date(2026, 11, 21)
TEXT = (FIXTURES / "good" / "tables.yaml").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def engine(sources: SourceLibrary) -> Engine:
    return Engine([load_policy_file(FIXTURES / "good" / "tables.yaml", sources)], sources)


@pytest.mark.parametrize(("amount", "expected"), [
    ("0", "deputy_and_finance_deputy"),
    ("1999.99", "deputy_and_finance_deputy"),
    ("2000", "director"),          # the shared edge goes up
    ("4999.99", "director"),
    ("5000", "party_group_meeting"),
    ("1000000", "party_group_meeting"),
])
def test_band_edges(engine: Engine, amount: str, expected: str) -> None:
    assert engine.evaluate(POLICY, {"amount": amount}, as_of=AS_OF).values["approver"] == expected


def test_a_value_in_no_band_is_unknown(engine: Engine) -> None:
    assert engine.evaluate(POLICY, {"amount": "-1"}, as_of=AS_OF).values["approver"] is None


def test_exact_key_with_working_days(engine: Engine) -> None:
    # 2026-09-28 (Mon) + 10 working days: the National Day week 10-01..10-07 is off,
    # Sunday 2026-09-20 and Saturday 2026-10-10 are make-up workdays
    decision = engine.evaluate(
        POLICY, {"matter": "meeting_decision_report", "start_date": "2026-09-28"}, as_of=AS_OF)
    assert decision.values["deadline"] == dt.date(2026, 10, 16)


def test_the_trace_names_the_row_and_its_clause(engine: Engine) -> None:
    decision = engine.evaluate(POLICY, {"amount": "2000"}, as_of=AS_OF)
    (read,) = [e for e in decision.trace if e["event"] == "parameter" and e["rule"] == "approval"]
    assert read["name"] == "approval_authority"
    assert read["row"] == {"amount": "[2000, 5000)"}
    assert read["value"] == "director"
    assert read["citations"] == ["cn.yunnan.wenshan.hrss_work_rules#art37.item3"]
    assert "figure approval_authority[amount=[2000, 5000)]=director" in explain_text(decision)


def _problems(tmp_path: Path, sources: SourceLibrary, old: str, new: str) -> list[tuple[str, int]]:
    assert old in TEXT
    path = tmp_path / "broken.yaml"
    path.write_text(TEXT.replace(old, new), encoding="utf-8")
    with pytest.raises(PolicyLoadError) as caught:
        load_policy_file(path, sources)
    return [(d.code, d.span.line if d.span else 0) for d in caught.value.diagnostics]


@pytest.mark.parametrize(("old", "new", "expected"), [
    ('"[2000, 5000)"', '"[1999, 5000)"', ("band-overlap", 26)),
    ('"[2000, 5000)"', '"(2000, 5000)"', ("band-gap", 26)),
    ('"[2000, 5000)"', '"[2000; 5000)"', ("bad-band", 26)),
    ('"[2000, 5000)"', '"[5000, 2000)"', ("bad-band", 26)),
    ("{amount: \"[0, 2000)\"", "{amont: \"[0, 2000)\"", ("unknown-key", 25)),
    ("          - {matter: meeting_decision_report, value: 10, cite: rules#art15.item4.sub2}\n",
     "", ("table-missing-row", 50)),
    ("value: 7, cite: rules#art15.item3.sub1", "value: 7", ("uncited-number", 35)),
    ("value: 7, cite: rules#art15.item3.sub1", "value: seven, cite: rules#art15.item3.sub1",
     ("type-mismatch", 35)),
    ("lookup(working_days, matter)", "lookup(working_days, amount)", ("type-mismatch", 51)),
    ("lookup(approval_authority, amount)", "lookup(approval_authority)", ("bad-arguments", 47)),
])
def test_broken_tables_are_located(tmp_path: Path, sources: SourceLibrary, old: str, new: str,
                                   expected: tuple[str, int]) -> None:
    assert expected in _problems(tmp_path, sources, old, new)


def test_a_declared_gap_is_allowed_and_unknown_inside(tmp_path: Path,
                                                      sources: SourceLibrary) -> None:
    text = TEXT.replace('"[2000, 5000)"', '"(2000, 5000)"').replace(
        "    type: table\n    keys: {amount:",
        "    type: table\n    allow_gaps: true\n    keys: {amount:")
    path = tmp_path / "gaps.yaml"
    path.write_text(text, encoding="utf-8")
    policy = load_policy_file(path, sources)
    engine = Engine([policy], sources)
    assert engine.evaluate(POLICY, {"amount": "2000"}, as_of=AS_OF).values["approver"] is None
    assert engine.evaluate(POLICY, {"amount": "2001"}, as_of=AS_OF).values["approver"] == "director"


def _by_hand(amount: Decimal) -> str | None:
    if amount < 0:
        return None
    if amount < 2000:
        return "deputy_and_finance_deputy"
    return "director" if amount < 5000 else "party_group_meeting"


@settings(max_examples=200, deadline=None)
@given(st.decimals(min_value=-100, max_value=100000, places=2, allow_nan=False,
                   allow_infinity=False))
def test_complete_bands_agree_with_a_plain_classification(amount: Decimal) -> None:
    from conftest import SOURCE_FOLDERS
    sources = SourceLibrary(SOURCE_FOLDERS)
    engine = _cached_engine(sources)
    found = engine.evaluate(POLICY, {"amount": str(amount)}, as_of=AS_OF).values["approver"]
    assert found == _by_hand(amount)
    if amount >= 0:  # declared complete from 0: every amount finds a band
        assert found is not None


_ENGINES: dict[str, Engine] = {}


def _cached_engine(sources: SourceLibrary) -> Engine:
    if "tables" not in _ENGINES:
        _ENGINES["tables"] = Engine(
            [load_policy_file(FIXTURES / "good" / "tables.yaml", sources)], sources)
    return _ENGINES["tables"]
