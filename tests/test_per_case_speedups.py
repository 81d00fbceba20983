"""The per-case path's shortcuts decide exactly what the long way decides.

Each shortcut is compared with the long way it replaces, on the real engine and the bundled
policies: the converter's exact decimals with the case model's check followed by
``exact_decimal``; ``exact_decimal``'s reading of the text with the digit-by-digit definition;
the untraced loop (which skips the rules of a missing fact itself) with the traced one; the
inlined closures of conditions with three-valued logic worked out by hand; decisions whose
values are built when first read with their JSON, pickles and the notices comparing them with
a superior norm; and the engine's decimal context with the caller's.
"""

from __future__ import annotations

import datetime as dt
import pickle
from decimal import ROUND_DOWN, Decimal, InvalidOperation, getcontext, localcontext
from itertools import product
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import WAGE_DEPOSIT_POLICY, copy_sources
from govrules.engine import Engine
from govrules.errors import EvaluationError, GovrulesError
from govrules.language.expr import Symbol, Type, check, compile_expression, parse_expression
from govrules.language.expr.types import BOOL, DECIMAL, MONEY, RATE, TEXT, enum_type, list_type
from govrules.runtime.case_values import scalar_check
from govrules.runtime.casemodel import InvalidCase, build_converter
from govrules.runtime.decision import public_values, values_later
from govrules.runtime.evaluation import DECIMAL_CONTEXT
from govrules.values import MISSING, Record, exact_decimal

TAOBEI = "cn.jilin.taobei.wage_deposit"
DAY = dt.date(2024, 5, 1)
FIRST = {"contract_price": "1000000", "first_deposit": True, "proposed_rate": "0.045",
         "payment_form": "cash"}


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine.default()


# ------------------------------------------------------------------ exact decimals


def _one_spelling(value: Decimal) -> Decimal:
    """The definition: trailing zeros dropped digit by digit, a positive exponent spelled
    out, every zero the plain 0 (what ``exact_decimal`` did before it read the text)."""
    sign, digits, exponent = value.as_tuple()
    assert isinstance(exponent, int)
    if exponent > 0:
        return Decimal((sign, digits + (0,) * exponent, 0)) if digits != (0,) else Decimal(0)
    kept = list(digits)
    while len(kept) > 1 and kept[-1] == 0 and exponent < 0:
        kept.pop()
        exponent += 1
    if kept == [0]:
        return Decimal(0)
    return Decimal((sign, tuple(kept), exponent))


_DECIMALS = st.builds(
    lambda sign, digits, exponent: Decimal((sign, tuple(digits), exponent)),
    st.integers(0, 1),
    st.lists(st.integers(0, 9), min_size=1, max_size=40),
    st.integers(-45, 12),
)


@settings(max_examples=600, deadline=None)
@given(_DECIMALS, st.booleans())
def test_exact_decimal_reads_the_text_as_the_digits_say(value: Decimal, lower: bool) -> None:
    with localcontext() as context:  # str() writes an exponent e or E as the context says
        context.capitals = 0 if lower else 1
        found = exact_decimal(value)
    assert found.as_tuple() == _one_spelling(value).as_tuple()


@pytest.mark.parametrize("text", ["NaN", "-Infinity", "Infinity", "sNaN"])
def test_exact_decimal_refuses_what_is_not_a_number(text: str) -> None:
    with pytest.raises(ValueError, match="not a finite number"):
        exact_decimal(Decimal(text))


_BOUNDS = [
    (MONEY, (("gt", Decimal(0)),)),
    (RATE, (("gt", Decimal(0)), ("le", Decimal(1)))),
    (RATE, ()),
    (RATE, (("ge", Decimal(-5)),)),
    (DECIMAL, (("lt", Decimal("12.5")),)),
    (DECIMAL, ()),
]
_TEXTS = st.one_of(
    st.from_regex(r"-?[0-9]{1,17}(\.[0-9]{0,32})?", fullmatch=True),
    st.sampled_from(["-0", "-0.000", "0.00", "100.00", "1E+6", " 1", "+1", "1_000", "１０"]),
    st.builds(Decimal, st.sampled_from(["1E+6", "1000000.00", "-0.0", "0.0400", "1E-31"])),
    st.integers(-10**16, 10**16),
    st.sampled_from([True, 1.5, None, [], "abc"]),
)


@settings(max_examples=400, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.sampled_from(range(len(_BOUNDS))), _TEXTS)
def test_the_converter_gives_the_model_check_in_one_spelling(which: int, given_: Any) -> None:
    kind, bounds = _BOUNDS[which]
    scope = {"amount": kind.as_optional()}
    expected: Decimal | None
    try:
        expected = _one_spelling(scalar_check(kind, bounds)(given_))
    except (ValueError, InvalidOperation):
        expected = None
    convert = _converter_of(scope, bounds)
    try:
        found = convert(given_)
    except ValueError:
        found = None
    if expected is None or found is None:
        assert expected is None and found is None, (given_, expected, found)
    else:
        assert found.as_tuple() == expected.as_tuple(), given_


def _converter_of(scope: dict[str, Type], bounds: Any) -> Any:
    # the converter's own check of one value, as build_converter builds it
    from govrules.runtime import casemodel

    (kind,) = scope.values()
    return casemodel._check(kind.as_optional(False), bounds)


def test_every_spelling_of_an_amount_is_one_decision(engine: Engine) -> None:
    texts = []
    for price in ("1000000", "1000000.00", Decimal("1E+6"), 1000000, Decimal("1000000.000")):
        decision = engine.evaluate(TAOBEI, {**FIRST, "contract_price": price}, DAY)
        texts.append(decision.to_json())
        assert str(decision.facts["contract_price"]) == "1000000"
    assert len(set(texts)) == 1


def test_converted_records_and_lists_hold_exact_decimals(engine: Engine) -> None:
    for policy in engine.policies():
        convert = build_converter(policy)
        for test in policy.model.tests:
            try:
                slots = convert(dict(test.input))
            except InvalidCase:
                continue
            for value in slots:
                for number in _decimals_in(value):
                    assert number.as_tuple() == _one_spelling(number).as_tuple(), policy.id


def _decimals_in(value: Any) -> list[Decimal]:
    if isinstance(value, Decimal):
        return [value]
    if isinstance(value, (list, tuple, Record)):
        return [number for item in value for number in _decimals_in(item)]
    return []


# ------------------------------------------------------------------ the untraced loop


def test_untraced_and_traced_loops_decide_every_test_case_alike(engine: Engine) -> None:
    # the untraced loop skips the rules of a missing fact itself: everything but the trace
    # (and what covers it) is the same as the traced loop's
    skip = ("trace", "trace_digest", "fingerprint")
    compared = incomplete = 0
    for policy in engine.policies():
        for test in policy.model.tests:
            try:
                quick = engine.evaluate_version(policy, dict(test.input), test.as_of, trace=False)
                slow = engine.evaluate_version(policy, dict(test.input), test.as_of, trace=True)
            except GovrulesError:
                continue
            mine = {k: v for k, v in quick.to_dict().items() if k not in skip}
            theirs = {k: v for k, v in slow.to_dict().items() if k not in skip}
            assert mine == theirs, (policy.id, test.name)
            compared += 1
            incomplete += quick.outcome == "incomplete"
    assert compared > 500 and incomplete > 50  # both loops' paths were taken


# ------------------------------------------------------------------ inlined closures


_KIND = enum_type(("employer", "employee"))
_TYPES: dict[str, Type] = {
    "who": _KIND,
    "who_opt": _KIND.as_optional(),
    "p": BOOL.as_optional(),
    "grounds": list_type(TEXT),
    "grounds_opt": list_type(TEXT).as_optional(),
}


class _Scope:
    def __init__(self) -> None:
        listed = enumerate(_TYPES.items())
        self.symbols = {name: Symbol(name, kind, slot, "input") for slot, (name, kind) in listed}

    def lookup(self, name: str) -> Symbol | None:
        return self.symbols.get(name)

    def names(self) -> list[str]:
        return list(self.symbols)


def _kleene_and(x: Any, y: Any) -> Any:
    if x is False or y is False:
        return False
    return MISSING if x is MISSING or y is MISSING else True


def _kleene_or(x: Any, y: Any) -> Any:
    if x is True or y is True:
        return True
    return MISSING if x is MISSING or y is MISSING else False


def _run(text: str, values: dict[str, Any]) -> Any:
    tree, issues = check(parse_expression(text), _Scope())  # type: ignore[arg-type]
    assert issues == [], issues
    return compile_expression(tree)([values.get(name, MISSING) for name in _TYPES])


@pytest.mark.parametrize("who", ["who", "who_opt"])
@pytest.mark.parametrize("grounds", ["grounds", "grounds_opt"])
def test_a_comparison_then_membership_in_three_valued_logic(who: str, grounds: str) -> None:
    # ``initiator == 'employer' and 'x' in claimed_grounds``: the shape conditions take most
    for side, p, listed in product(["employer", "employee", MISSING], [True, False, MISSING],
                                   [("x",), ("y",), (), MISSING]):
        if (side is MISSING and who == "who") or (listed is MISSING and grounds == "grounds"):
            continue  # a required fact is never unknown in a rule's condition
        values = {who: side, "p": p, grounds: listed}
        is_employer = MISSING if side is MISSING else side == "employer"
        member = MISSING if listed is MISSING else "x" in listed
        absent = MISSING if listed is MISSING else "x" not in listed
        cases = {
            f"{who} == 'employer' and 'x' in {grounds}": _kleene_and(is_employer, member),
            f"{who} == 'employer' or 'x' in {grounds}": _kleene_or(is_employer, member),
            f"{who} == 'employer' and p": _kleene_and(is_employer, p),
            f"{who} == 'employer' or p": _kleene_or(is_employer, p),
            f"'x' not in {grounds} and p": _kleene_and(absent, p),
            f"'x' in {grounds}": member,
        }
        for text, expected in cases.items():
            assert _run(text, values) is expected, (text, values)


# ------------------------------------------------------------------ decisions read lazily


def test_values_built_when_read_are_the_values_decided(engine: Engine) -> None:
    decision = engine.evaluate(TAOBEI, FIRST, DAY)
    assert decision.values == {k: v for k, v in decision.values.items()}
    assert decision.values["rate_min"] == Decimal("0.04")
    assert decision.values["top_up_deadline"] is None
    again = pickle.loads(pickle.dumps(engine.evaluate(TAOBEI, FIRST, DAY)))
    assert again.to_json() == decision.to_json()
    assert again.fingerprint == decision.fingerprint


def test_a_reader_changing_the_values_changes_no_later_notice(engine: Engine) -> None:
    untouched = engine.evaluate(TAOBEI, FIRST, DAY, trace=False)
    changed = engine.evaluate(TAOBEI, FIRST, DAY, trace=False)
    later = values_later(changed)
    changed.values["rate_min"] = Decimal("0.99")  # before the notices are made
    assert [n.to_dict() for n in changed.notices] == [n.to_dict() for n in untouched.notices]
    assert later() == untouched.values and later() is not later()
    assert public_values(untouched.policy, untouched._slots or []) == untouched.values


# ------------------------------------------------------------------ the decimal context


def test_the_callers_decimal_context_neither_changes_a_decision_nor_is_changed(
    engine: Engine,
) -> None:
    expected = engine.evaluate(TAOBEI, {**FIRST, "contract_price": "1234567.89"}, DAY).to_json()
    with localcontext() as mine:
        mine.prec, mine.rounding, mine.capitals = 3, ROUND_DOWN, 0
        found = engine.evaluate(TAOBEI, {**FIRST, "contract_price": "1234567.89"}, DAY).to_json()
        assert getcontext() is mine and mine.prec == 3 and mine.rounding == ROUND_DOWN
    assert found == expected
    assert getcontext() is not DECIMAL_CONTEXT


def test_the_context_is_given_back_when_a_rule_fails(tmp_path: Path) -> None:
    copy_sources(tmp_path / "sources")
    text = WAGE_DEPOSIT_POLICY.read_text(encoding="utf-8")
    (tmp_path / "wage_deposit.yaml").write_text(
        text.replace("    when: first_deposit\n", "    when: first_deposit and 1 / (1 - 1) > 0\n"),
        encoding="utf-8",
    )
    failing = Engine.from_directory(tmp_path)
    with localcontext() as mine:
        mine.prec = 7
        for trace in (False, True):  # both loops name the rule that failed
            with pytest.raises(EvaluationError, match="rule 'first_deposit_standard' failed: "
                               "division by zero"):
                failing.evaluate(TAOBEI, FIRST, DAY, trace=trace)
            assert getcontext() is mine and mine.prec == 7
