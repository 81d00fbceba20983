"""``ceil``, ``round``, ``div`` and ``mod``: exact, unit-keeping, checked when the policy loads,
and independent of the caller's decimal context."""

from __future__ import annotations

import decimal
import math
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import InputScope
from govrules.language.expr import Type, check, compile_expression, parse_expression
from govrules.language.expr.types import DATE, DECIMAL, INTEGER, MONEY, RATE, TEXT
from govrules.values import MISSING

SETTINGS = settings(max_examples=300, deadline=None)


TYPES: dict[str, Type] = {
    "x": DECIMAL, "y": DECIMAL, "n": INTEGER, "k": INTEGER, "places": INTEGER,
    "price": MONEY, "rate": RATE, "x_opt": DECIMAL.as_optional(), "start": DATE, "label": TEXT,
}
SCOPE = InputScope(TYPES)
NUMBERS = frozenset(Decimal(v) for v in ("0", "1", "2", "4", "28", "29", "0.5"))


def checked(text: str):  # noqa: ANN201 - the checker's tree
    tree, issues = check(parse_expression(text), SCOPE, NUMBERS)
    assert issues == [], issues
    return tree


def issue_of(text: str):  # noqa: ANN201 - the one issue reported
    tree, issues = check(parse_expression(text), SCOPE, NUMBERS)
    assert tree.type.kind == "error" and len(issues) == 1, issues
    return issues[0]


def run(text: str, **values: Any) -> Any:
    slots = [values.get(name, MISSING) for name in TYPES]
    return compile_expression(checked(text))([*slots, None])


D = Decimal


# ------------------------------------------------------------------ ceil


@pytest.mark.parametrize(("value", "expected"), [
    (D("1.2"), 2), (D("-1.2"), -1), (D("2.000"), 2), (D("-0.5"), 0), (D("0.0001"), 1),
    (D("123456789012345678901234567890.1"), 123456789012345678901234567891),
])
def test_ceil(value: Decimal, expected: int) -> None:
    result = run("ceil(x)", x=value)
    assert result == expected and type(result) is int
    assert run("ceil(n)", n=-3) == -3
    assert run("floor(x)", x=value) == math.floor(value)


@pytest.mark.parametrize("text", ["ceil(price)", "ceil(rate)", "ceil(start)"])
def test_ceil_takes_plain_numbers(text: str) -> None:
    issue = issue_of(text)
    assert (issue.code, issue.offset) == ("type-mismatch", 5)


# ------------------------------------------------------------------ round


@pytest.mark.parametrize(("amount", "places", "mode", "expected"), [
    ("2.675", 2, "half_up", "2.68"),      # float(2.675) is below 2.675: no float is involved
    ("2.665", 2, "half_even", "2.66"),
    ("2.675", 2, "half_even", "2.68"),
    ("2.679", 2, "down", "2.67"),
    ("2.671", 2, "up", "2.68"),
    ("2.5", 0, "half_up", "3"),
    ("2.5", 0, "half_even", "2"),
    ("3.5", 0, "half_even", "4"),
    ("-2.5", 0, "half_up", "-3"),         # half away from zero, as 四舍五入 of the magnitude
    ("-2.5", 0, "half_even", "-2"),
    ("-2.7", 0, "down", "-2"),            # toward zero
    ("-2.1", 0, "up", "-3"),              # away from zero
    ("0.04449", 4, "half_up", "0.0445"),
    ("7", 2, "half_up", "7.00"),
    ("9.995", 2, "half_up", "10.00"),     # a carry into a new digit
    ("12345678901234567890123456789.5", 0, "half_up", "12345678901234567890123456790"),
    ("0.1", 28, "down", "0." + "1" + "0" * 27),
])
def test_round(amount: str, places: int, mode: str, expected: str) -> None:
    result = run(f"round(x, places, '{mode}')", x=D(amount), places=places)
    assert type(result) is Decimal
    assert str(result) == expected


def test_round_keeps_the_unit() -> None:
    assert checked("round(price * rate, 2, 'half_up')").type == MONEY
    assert checked("round(rate, 4, 'half_even')").type == RATE
    assert checked("round(x, 0, 'down')").type == DECIMAL
    assert checked("round(x_opt, 1, 'up')").type == DECIMAL.as_optional()
    assert run("round(price * rate, 2, 'half_up')", price=D("333.33"),
               rate=D("0.045")) == D("15.00")
    assert run("round(rate, 4, 'half_even')", rate=D("0.04445")) == D("0.0444")
    assert run("round(x_opt, 1, 'up')") is MISSING


def test_round_is_independent_of_the_callers_decimal_context() -> None:
    with decimal.localcontext() as context:
        context.prec = 3
        context.rounding = decimal.ROUND_DOWN
        context.traps[decimal.Inexact] = True
        context.traps[decimal.Rounded] = True
        assert run("round(x, 2, 'half_up')", x=D("123456.785")) == D("123456.79")
        assert run("round_fen(x, 'half_up')", x=D("123456.785")) == D("123456.79")
        assert run("div(x, y)", x=D("12345678.9"), y=D("0.3")) == 41152263
        assert run("mod(x, y)", x=D("12345678.9"), y=D("0.4")) == D("0.1")


@pytest.mark.parametrize(("text", "code", "argument", "hint"), [
    ("round(n, 2, 'half_up')", "type-mismatch", "n,", None),      # an integer needs no rounding
    ("round(start, 2, 'half_up')", "type-mismatch", "start", None),
    ("round(x, x, 'half_up')", "type-mismatch", "x, '", None),
    ("round(x, -1, 'half_up')", "bad-arguments", "-1", None),
    ("round(x, 29, 'half_up')", "bad-arguments", "29", None),
    ("round(x, 2, 'half-up')", "bad-arguments", "'half-up'", "did you mean 'half_up'?"),
    ("round(x, 2, 'halfeven')", "bad-arguments", "'halfeven'", "did you mean 'half_even'?"),
    ("round(x, 2, label)", "bad-arguments", "label", None),       # a mode is a literal
    ("round(x, 2, 'bankers')", "bad-arguments", "'bankers'", None),
])
def test_round_arguments_are_checked(text: str, code: str, argument: str,
                                     hint: str | None) -> None:
    issue = issue_of(text)
    assert issue.code == code
    assert issue.offset == text.index(argument)
    assert issue.hint == hint


def test_round_names_its_modes() -> None:
    issue = issue_of("round(x, 2, 'ceiling')")
    assert issue.message == "the rounding mode must be one of 'half_up', 'half_even', 'down', 'up'"
    assert issue_of("round(x, 2)").message == "round() takes 3 argument(s), got 2"


def test_places_out_of_range_at_run_time_is_an_evaluation_error() -> None:
    with pytest.raises(ValueError, match="places must be 0 to 28, got -1"):
        run("round(x, places, 'half_up')", x=D("1.5"), places=-1)


# ------------------------------------------------------------------ div, mod


@pytest.mark.parametrize(("a", "b", "quotient", "remainder"), [
    (7, 2, 3, 1), (-7, 2, -4, 1), (7, -2, -4, -1), (-7, -2, 3, -1), (6, 3, 2, 0), (0, 5, 0, 0),
])
def test_div_and_mod_of_integers(a: int, b: int, quotient: int, remainder: int) -> None:
    assert run("div(n, k)", n=a, k=b) == quotient
    result = run("mod(n, k)", n=a, k=b)
    assert result == remainder and type(result) is int
    assert a == b * quotient + remainder


@pytest.mark.parametrize(("a", "b", "quotient", "remainder"), [
    ("7.5", "2", 3, "1.5"),
    ("-7.5", "2", -4, "0.5"),
    ("7.5", "-2", -4, "-0.5"),
    ("0.30", "0.1", 3, "0.00"),
    ("-0.5", "0.25", -2, "0.00"),
    ("100000000000000000000000000000000000000.5", "1", 10**38, "0.5"),
])
def test_div_and_mod_of_decimals_are_exact(a: str, b: str, quotient: int,
                                           remainder: str) -> None:
    assert run("div(x, y)", x=D(a), y=D(b)) == quotient
    result = run("mod(x, y)", x=D(a), y=D(b))
    assert type(result) is Decimal and str(result) == remainder


def test_div_and_mod_types() -> None:
    assert checked("div(n, k)").type == INTEGER
    assert checked("div(x, n)").type == INTEGER
    assert checked("mod(n, k)").type == INTEGER
    assert checked("mod(x, n)").type == DECIMAL
    assert checked("div(x_opt, n)").type == INTEGER.as_optional()


def test_division_by_zero() -> None:
    with pytest.raises(ZeroDivisionError, match=r"div\(7, 0\): division by zero"):
        run("div(n, k)", n=7, k=0)
    with pytest.raises(ZeroDivisionError, match=r"mod\(1.5, 0.00\)"):
        run("mod(x, y)", x=D("1.5"), y=D("0.00"))


@pytest.mark.parametrize(("text", "code", "offset", "message"), [
    ("div(n, 0)", "bad-arguments", 7, "div() divides by zero"),
    ("mod(x, 0.0)", "bad-arguments", 7, "mod() divides by zero"),
    ("div(n, -0)", "bad-arguments", 7, "div() divides by zero"),
    ("div(price, n)", "type-mismatch", 4, "each argument must be integer or decimal, got money"),
    ("mod(n, rate)", "type-mismatch", 7, "each argument must be integer or decimal, got rate"),
    ("div(n)", "bad-arguments", 0, "div() takes 2 argument(s), got 1"),
])
def test_div_and_mod_arguments_are_checked(text: str, code: str, offset: int,
                                           message: str) -> None:
    issue = issue_of(text)
    assert (issue.code, issue.offset, issue.message) == (code, offset, message)


# ------------------------------------------------------------------ laws

decimals = st.decimals(min_value=D("-1e12"), max_value=D("1e12"), places=6, allow_nan=False,
                       allow_infinity=False)
MODES = {"half_up": decimal.ROUND_HALF_UP, "half_even": decimal.ROUND_HALF_EVEN,
         "down": decimal.ROUND_DOWN, "up": decimal.ROUND_UP}


@SETTINGS
@given(x=decimals, places=st.integers(min_value=0, max_value=8), mode=st.sampled_from(list(MODES)))
def test_round_is_decimal_quantize_in_the_named_mode(x: Decimal, places: int, mode: str) -> None:
    with decimal.localcontext() as context:
        context.prec = 60
        expected = x.quantize(D(1).scaleb(-places), rounding=MODES[mode])
    result = run(f"round(x, places, '{mode}')", x=x, places=places)
    assert result == expected and result.as_tuple().exponent == -places


@SETTINGS
@given(a=decimals, b=decimals.filter(lambda value: value != 0))
def test_div_and_mod_rebuild_the_dividend(a: Decimal, b: Decimal) -> None:
    quotient, remainder = run("div(x, y)", x=a, y=b), run("mod(x, y)", x=a, y=b)
    assert quotient == math.floor(Fraction(a) / Fraction(b))
    assert Fraction(a) == Fraction(b) * quotient + Fraction(remainder)
    assert (0 <= remainder < b) if b > 0 else (b < remainder <= 0)


@SETTINGS
@given(x=decimals)
def test_floor_and_ceil_bracket_the_number(x: Decimal) -> None:
    low, high = run("floor(x)", x=x), run("ceil(x)", x=x)
    assert low <= x <= high and high - low == (0 if x == low else 1)
