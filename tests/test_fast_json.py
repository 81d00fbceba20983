"""The fast paths of a decision's JSON give the very bytes of the plain ones: orjson against the
standard library's encoder (and with orjson absent), the compact trace against events built on
the spot, cached records against fresh ones, whatever the caller's decimal context."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from decimal import ROUND_DOWN, Decimal, localcontext
from pathlib import Path
from typing import Any

import pytest
import rfc8785
from hypothesis import given, settings
from hypothesis import strategies as st

from govrules import Engine, canonical
from govrules.canonical import MAX_SAFE_INTEGER, dumps, jcs, plain_digest, plain_jcs
from govrules.runtime.decision import Decision
from govrules.runtime.trace import TraceRecorder
from govrules.runtime.trace_events import json_value
from govrules.values import MISSING, to_json_value

ROOT = Path(__file__).resolve().parents[1]
WAGE = "cn.jilin.taobei.wage_deposit"
DAY = dt.date(2026, 11, 21)
CLEAN = {"contract_price": "1000000", "first_deposit": False, "previous_rate": "0.04",
         "arrears_in_previous_period": False}

# every character but lone surrogates: controls, U+2028/2029, "/", beyond U+FFFF
TEXT = st.text(st.characters(blacklist_categories=("Cs",)))
SCALAR = st.none() | st.booleans() | st.integers(-MAX_SAFE_INTEGER, MAX_SAFE_INTEGER) | TEXT
JSON = st.recursive(
    SCALAR,
    lambda children: st.lists(children, max_size=4) | st.tuples(children, children)
    | st.dictionaries(TEXT, children, max_size=4),
    max_leaves=25,
)
# what json.dumps writes and orjson declines: integers beyond 64 bits, names that are not text
ODD = st.recursive(
    SCALAR | st.integers(min_value=2**63 - 2, max_value=2**70) | st.integers(max_value=-2**63),
    lambda children: st.lists(children, max_size=3)
    | st.dictionaries(TEXT | st.integers(-5, 5) | st.booleans() | st.none(), children,
                      max_size=3),
    max_leaves=12,
)


@pytest.fixture(params=["orjson", "pure Python"])
def encoder(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Each test below runs with orjson, then as if it were not installed."""
    if request.param == "pure Python":
        monkeypatch.setattr(canonical, "_orjson", None)
    return str(request.param)


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine.default()


# ---------------------------------------------------------------------------- canonical.py


@settings(max_examples=300, deadline=None)
@given(JSON)
def test_plain_jcs_is_rfc_8785_either_way(value: Any) -> None:
    expected = rfc8785.dumps(value)
    assert plain_jcs(value) == expected == jcs(value)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(canonical, "_orjson", None)
        assert plain_jcs(value) == expected


def test_names_beyond_u_ffff_are_sorted_by_utf16_code_units(encoder: str) -> None:
    # UTF-8 (orjson's order) puts U+E000 first; UTF-16 code units put the surrogate pair first
    value = {"\ue000": 1, "\U0001f600": 2, "a": {"\uffff": 0, "\U00010000": 1}}
    assert plain_jcs(value) == rfc8785.dumps(value)
    assert list(json.loads(plain_jcs(value))) == ["a", "\U0001f600", "\ue000"]


def test_what_canonical_json_cannot_hold_is_refused_as_before(encoder: str) -> None:
    for big in (2**53, -(2**53), 2**64, [1, {"a": 2**60}]):
        with pytest.raises(ValueError, match="beyond what canonical JSON holds"):
            plain_jcs(big)
    with pytest.raises(TypeError, match="member name must be text"):
        plain_jcs({1: "a"})
    for odd in (dt.date(2026, 1, 1), Decimal("1"), b"x", {"a": {1, 2}}):
        with pytest.raises(TypeError, match="no canonical JSON"):
            plain_jcs(odd)
    assert plain_jcs(MAX_SAFE_INTEGER) == b"9007199254740991"


@settings(max_examples=300, deadline=None)
@given(JSON | ODD)
def test_dumps_is_the_standard_librarys_text_either_way(value: Any) -> None:
    for indent in (2, None, 4):
        expected = json.dumps(value, ensure_ascii=False, indent=indent)
        assert dumps(value, indent) == expected
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(canonical, "_orjson", None)
            assert dumps(value, indent) == expected


def test_dumps_edge_cases(encoder: str) -> None:
    cases = [
        {}, [], {"a": {}, "b": [], "c": [[]], "d": [{}]}, "\u2028\u2029/\x7f\x00\x1f\ud7ff",
        {"\U0001f600": "\U0001f600"}, 2**64, -(2**63) - 1, {1: 2, None: 3, False: 4},
        "\ud800",  # a lone surrogate: json.dumps writes it, orjson refuses it
        [1, True, False, None, 0, -0, "", "0"],
    ]
    for value in cases:
        assert dumps(value) == json.dumps(value, ensure_ascii=False, indent=2)


# ---------------------------------------------------------------------------- decisions


def _decisions(engine: Engine) -> list[tuple[Decision, Decision]]:
    """Each bundled policy's first three tests, traced and not (fresh decisions)."""
    found = []
    for policy in engine.policies():
        for test in policy.model.tests[:3]:
            try:
                traced = engine.evaluate_version(policy, dict(test.input), test.as_of)
                plain = engine.evaluate_version(policy, dict(test.input), test.as_of, trace=False)
            except Exception:  # noqa: BLE001 - a test of an error: no decision to write
                continue
            found.append((traced, plain))
    return found


def _forms(decision: Decision) -> tuple[str, str, str, str | None]:
    body = decision.to_dict()
    return decision.to_json(), decision.to_json(indent=None), body["fingerprint"], \
        body["trace_digest"]


def test_every_form_is_the_same_with_and_without_orjson(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    fast = [(_forms(a), _forms(b)) for a, b in _decisions(engine)]
    monkeypatch.setattr(canonical, "_orjson", None)
    slow = [(_forms(a), _forms(b)) for a, b in _decisions(engine)]
    assert len(fast) > 100 and fast == slow


def test_digests_are_rfc_8785_of_what_the_decision_wrote(engine: Engine) -> None:
    for traced, _ in _decisions(engine)[::7]:
        document = json.loads(traced.to_json())
        trace = rfc8785.dumps(document.pop("trace"))
        assert document["trace_digest"] == plain_digest(json.loads(trace))
        assert document["trace_digest"] == "sha256:" + __import__("hashlib").sha256(
            trace).hexdigest()
        body = {k: v for k, v in document.items() if k != "fingerprint"}
        assert document["fingerprint"] == canonical.digest(body)


def test_the_trace_is_the_same_whatever_the_callers_decimal_context(engine: Engine) -> None:
    # the trace is built when read, which may be in the caller's context, not the engine's
    cases = [(p, t) for p in engine.policies() for t in p.model.tests[:2]]
    def forms() -> list[Any]:
        out = []
        for policy, test in cases:
            try:
                decision = engine.evaluate_version(policy, dict(test.input), test.as_of)
            except Exception:  # noqa: BLE001
                continue
            out.append((decision.trace, decision.to_json(), decision.fingerprint))
        return out

    usual = forms()
    with localcontext() as odd:
        odd.prec, odd.rounding, odd.capitals = 3, ROUND_DOWN, 0
        assert forms() == usual


@pytest.mark.parametrize("value", [
    Decimal("1E+2"), Decimal("1.50"), Decimal("-0.00"), Decimal("1E-7"), Decimal("0E+3"),
    Decimal("123456789012345678901234567890.123"), dt.date(2026, 2, 28),
    dt.datetime(2026, 2, 28, 9, 30), (Decimal("1.0"), ("a", MISSING)), [True, 1], MISSING,
    None, "文", 7, frozenset({"b", "a"}),
])
def test_json_value_is_to_json_value(value: Any) -> None:
    with localcontext() as odd:
        odd.prec, odd.capitals = 2, 0
        assert json_value(value) == to_json_value(value)
        assert type(json_value(value)) is type(to_json_value(value))


def test_events_built_later_are_the_events_a_recorder_receives_at_once(engine: Engine) -> None:
    class Listening:
        """A recorder of its own: receives each event as a dict, at once."""

        enabled = True

        def __init__(self) -> None:
            self.events: list[dict[str, Any]] = []

        def record(self, event: dict[str, Any]) -> None:
            self.events.append(event)

    case = {**CLEAN, "payout_order_date": "2027-09-20"}  # a date computation too
    listening = Listening()
    engine.evaluate(WAGE, case, as_of=DAY, recorder=listening)
    traced = engine.evaluate(WAGE, case, as_of=DAY)
    assert "step" not in listening.events[0]
    assert [{"step": n, **e} for n, e in enumerate(listening.events, 1)] == list(traced.trace)
    assert {e["event"] for e in traced.trace} >= {"policy", "parameter", "rule", "outcome"}


def test_a_reused_recorder_gives_each_decision_the_events_up_to_it(engine: Engine) -> None:
    recorder = TraceRecorder()
    first = engine.evaluate(WAGE, CLEAN, as_of=DAY, recorder=recorder)
    second = engine.evaluate(WAGE, {"first_deposit": True}, as_of=DAY, recorder=recorder)
    alone = engine.evaluate(WAGE, CLEAN, as_of=DAY)
    assert first.trace == alone.trace  # read after the second evaluation: still its own
    assert len(second.trace) > len(first.trace) and second.trace[: len(first.trace)] == first.trace
    assert [e["step"] for e in recorder.events] == list(range(1, len(recorder.events) + 1))


def test_a_recorder_subclass_that_overrides_record_still_hears_every_event(
    engine: Engine,
) -> None:
    heard: list[str] = []

    class Counting(TraceRecorder):
        def record(self, event: dict[str, Any]) -> None:
            heard.append(event["event"])
            super().record(event)

    decision = engine.evaluate(WAGE, CLEAN, as_of=DAY, recorder=Counting())
    assert heard == [e["event"] for e in decision.trace]
    assert decision.to_json() == engine.evaluate(WAGE, CLEAN, as_of=DAY).to_json()


def test_no_two_decisions_share_what_a_caller_may_change(engine: Engine) -> None:
    a = engine.evaluate(WAGE, CLEAN, as_of=DAY)
    b = engine.evaluate(WAGE, CLEAN, as_of=DAY)
    expected = b.to_json()
    document = a.to_dict()
    document["citations"][0]["text"] = "changed"
    document["missing"].append("x")
    for event in a.trace:
        event.get("citations", []).append("changed")
        event.get("reads", {})["x"] = 1
        for note in event.get("interpretations", []):
            note["citations"].append("changed")
    assert b.to_json() == expected
    assert engine.evaluate(WAGE, CLEAN, as_of=DAY).to_json() == expected


def test_cached_missing_fact_records_are_the_records_a_case_needs(engine: Engine) -> None:
    first = engine.evaluate(WAGE, {"first_deposit": False}, as_of=DAY)
    again = engine.evaluate(WAGE, {"first_deposit": False}, as_of=DAY)
    assert [m.to_dict() for m in first.missing] == [m.to_dict() for m in again.missing]
    assert [m.fact for m in first.missing] == ["contract_price", "previous_rate",
                                               "arrears_in_previous_period"]
    assert first.missing[1].reason == "required when not first_deposit"
    assert first.missing[0].reason == "required"


def test_untraced_decisions_have_an_empty_trace(engine: Engine) -> None:
    plain = engine.evaluate(WAGE, CLEAN, as_of=DAY, trace=False)
    assert plain.trace == () and plain.to_dict()["trace_digest"] is None


def test_without_orjson_installed_the_bytes_are_the_same(engine: Engine) -> None:
    script = (
        "import sys; sys.modules['orjson'] = None\n"
        "import datetime as dt, json\n"
        "from govrules import Engine, canonical\n"
        "assert canonical._orjson is None\n"
        "e = Engine.default()\n"
        f"d = e.evaluate({WAGE!r}, json.loads(sys.argv[1]), as_of=dt.date(2026, 11, 21))\n"
        "sys.stdout.buffer.write(d.to_json().encode('utf-8'))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    done = subprocess.run([sys.executable, "-c", script, json.dumps(CLEAN)], capture_output=True,
                          env=env, check=True, cwd=ROOT)
    assert done.stdout.decode("utf-8") == engine.evaluate(WAGE, CLEAN, as_of=DAY).to_json()
