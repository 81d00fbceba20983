"""Comparisons of quotients are exact: present / total >= 2 / 3 is never decided by rounding."""

from __future__ import annotations

from decimal import Decimal, localcontext

from hypothesis import given, settings
from hypothesis import strategies as st

from govrules.language.expr import Symbol, check, compile_expression, parse_expression
from govrules.language.expr.types import DECIMAL, INTEGER

NUMBERS = frozenset({Decimal(0), Decimal(1), Decimal(2), Decimal(3)})


class _Scope:
    symbols = {
        "a": Symbol("a", INTEGER, 0, "input"),
        "b": Symbol("b", INTEGER, 1, "input"),
        "c": Symbol("c", INTEGER, 2, "input"),
        "d": Symbol("d", INTEGER, 3, "input"),
        "x": Symbol("x", DECIMAL, 4, "input"),
    }

    def lookup(self, name: str) -> Symbol | None:
        return self.symbols.get(name)

    def names(self) -> list[str]:
        return list(self.symbols)


def _compiled(text: str):  # type: ignore[no-untyped-def]
    checked, issues = check(parse_expression(text), _Scope(), NUMBERS)
    assert issues == []
    return compile_expression(checked)


def test_a_third_times_three_is_one() -> None:
    # in 28-digit decimals 1 / 3 * 3 is 0.9999999999999999999999999999
    assert _compiled("x / 3 * 3 == x")([0, 0, 0, 0, Decimal(1)]) is True
    assert _compiled("1 / 3 * 3 == 1")([0, 0, 0, 0, 0]) is True


def test_two_thirds_quorum_at_the_edge() -> None:
    quorum = _compiled("a / b >= 2 / 3")
    assert quorum([2, 3, 0, 0, 0]) is True
    assert quorum([6, 9, 0, 0, 0]) is True
    assert quorum([5, 9, 0, 0, 0]) is False


@settings(max_examples=300, deadline=None)
@given(st.integers(-10**6, 10**6), st.integers(1, 10**6), st.integers(-10**6, 10**6),
       st.integers(1, 10**6))
def test_quotients_compare_as_cross_products(a: int, b: int, c: int, d: int) -> None:
    values = [a, b, c, d, 0]
    assert _compiled("a / b >= c / d")(values) is (a * d >= c * b)
    assert _compiled("a / b == c / d")(values) is (a * d == c * b)


def test_the_callers_decimal_context_does_not_decide_a_comparison() -> None:
    compare = _compiled("a / b > c / d")
    with localcontext() as context:
        context.prec = 3
        assert compare([1000, 3001, 1, 3, 0]) is False  # 0.33322... < 0.3333...
        assert compare([1001, 3001, 1, 3, 0]) is True
