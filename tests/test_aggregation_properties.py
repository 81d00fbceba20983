"""Aggregates over lists agree with plain Python, for random lists (hypothesis)."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from govrules.language.expr import Symbol, check, compile_expression, parse_expression
from govrules.language.expr.types import INTEGER, MONEY, list_type
from govrules.values import MISSING

FRAME = 2  # slots: amounts, limit, frame, then the comprehensions' bindings


class _Scope:
    symbols = {
        "amounts": Symbol("amounts", list_type(MONEY), 0, "input"),
        "limit": Symbol("limit", MONEY, 1, "input"),
    }

    def lookup(self, name: str) -> Symbol | None:
        return self.symbols.get(name)

    def names(self) -> list[str]:
        return list(self.symbols)


def _run(text: str, amounts: list[Decimal], limit: Decimal) -> Any:
    checked, issues = check(parse_expression(text), _Scope())
    assert issues == [], issues
    slots: list[Any] = [amounts, limit, None, *([MISSING] * checked.bindings())]
    return compile_expression(checked, frame_slot=FRAME)(slots)


AMOUNTS = st.lists(st.decimals(min_value=-1000, max_value=1000, places=2, allow_nan=False,
                               allow_infinity=False), max_size=30)
LIMIT = st.decimals(min_value=-1000, max_value=1000, places=2, allow_nan=False,
                    allow_infinity=False)


@settings(max_examples=200, deadline=None)
@given(AMOUNTS, LIMIT)
def test_aggregates_agree_with_python(amounts: list[Decimal], limit: Decimal) -> None:
    over = [a for a in amounts if a > limit]
    assert _run("count(a for a in amounts if a > limit)", amounts, limit) == len(over)
    assert _run("sum(a for a in amounts if a > limit)", amounts, limit) == sum(over, Decimal(0))
    assert _run("max(a for a in amounts if a > limit)", amounts, limit) == (
        max(over) if over else MISSING)
    assert _run("min(amounts)", amounts, limit) == (min(amounts) if amounts else MISSING)
    assert _run("any(a > limit for a in amounts)", amounts, limit) is any(
        a > limit for a in amounts)
    assert _run("all(a > limit for a in amounts)", amounts, limit) is all(
        a > limit for a in amounts)
    assert _run("distinct(amounts)", amounts, limit) == tuple(dict.fromkeys(amounts))
    assert _run("max_count(amounts)", amounts, limit) == max(Counter(amounts).values(), default=0)
    assert _run("[a for a in amounts if a <= limit]", amounts, limit) == tuple(
        a for a in amounts if a <= limit)


@settings(max_examples=100, deadline=None)
@given(AMOUNTS, LIMIT)
def test_nested_comprehensions_bind_their_own_variables(amounts: list[Decimal],
                                                        limit: Decimal) -> None:
    # for each amount, how many amounts are at most it: a rank, by two nested bindings
    ranks = _run("[count(b for b in amounts if b <= a) for a in amounts]", amounts, limit)
    assert ranks == tuple(sum(1 for b in amounts if b <= a) for a in amounts)


def test_an_integer_sum_stays_an_integer_and_money_stays_decimal() -> None:
    class Counts(_Scope):
        symbols = {"days": Symbol("days", list_type(INTEGER), 0, "input"),
                   "limit": Symbol("limit", MONEY, 1, "input")}

    checked, _ = check(parse_expression("sum(days)"), Counts())
    assert compile_expression(checked, frame_slot=FRAME)([[], Decimal(0), None]) == 0
    assert type(compile_expression(checked, frame_slot=FRAME)([[], Decimal(0), None])) is int
    assert type(_run("sum(amounts)", [], Decimal(0))) is Decimal
