"""Functions on numbers: ``min``, ``max``, ``clamp``, ``abs``, ``round_fen``, ``round``,
``floor``, ``ceil``, ``div``, ``mod``.

Each keeps the unit of its arguments (``min`` of two money amounts is money) except ``floor``
and ``ceil``, which give a plain integer, ``div`` and ``mod``, which take plain numbers, and
``round_fen``, which gives money rounded to 0.01 yuan. A rounding names its mode -- the law
names one, so the expression does too:

    round_fen(contract_price * rate_min, 'half_up')
    round(daily_wage * days, places, 'half_even')   # money stays money, a rate stays a rate
    div(days_worked, days_per_month)                # whole months: the floor of the quotient

All of it is exact -- ``Decimal`` in a context of its own, or ``Fraction`` -- never float, and
never the caller's decimal context.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from decimal import (
    MAX_EMAX,
    MIN_EMIN,
    ROUND_CEILING,
    ROUND_DOWN,
    ROUND_FLOOR,
    ROUND_HALF_DOWN,
    ROUND_HALF_EVEN,
    ROUND_HALF_UP,
    ROUND_UP,
    Context,
    Decimal,
    DivisionByZero,
    InvalidOperation,
    Overflow,
)
from fractions import Fraction
from functools import cache
from typing import Any

from govrules.language.expr.ast import Call, Literal, Unary
from govrules.language.expr.functions.spec import (
    Argument,
    FunctionSpec,
    SignatureChecker,
    need,
    text_choice,
)
from govrules.language.expr.types import DATE, DECIMAL, INTEGER, MONEY, Type
from govrules.values import MISSING

__all__ = [
    "ABS",
    "CEIL",
    "CLAMP",
    "DIV",
    "FLOOR",
    "MAX",
    "MAX_PLACES",
    "MIN",
    "MOD",
    "ROUND",
    "ROUNDING_MODES",
    "ROUND_FEN",
    "ROUND_MODES",
    "fen_rounding",
]

_ROUNDING = {
    "half_up": ROUND_HALF_UP,
    "half_even": ROUND_HALF_EVEN,
    "half_down": ROUND_HALF_DOWN,
    "up": ROUND_UP,
    "down": ROUND_DOWN,
    "ceiling": ROUND_CEILING,
    "floor": ROUND_FLOOR,
}
ROUNDING_MODES = tuple(_ROUNDING)
ROUND_MODES = ("half_up", "half_even", "down", "up")
"""The modes of ``round``: 四舍五入, half to even, toward zero (舍去), away from zero (进位)."""
MAX_PLACES = 28  # more places than Decimal's usual precision round nothing a law names


def _extreme(checker: SignatureChecker, node: Call, args: tuple[Argument, ...]) -> Type | None:
    if len(args) == 1:  # the smallest or largest item of a list; unknown for an empty list
        item = args[0].type.item
        if (
            args[0].type.kind != "list"
            or item is None
            or not (item.numeric or item.kind in ("date", "datetime"))
        ):
            checker.fail(
                args[0].node,
                "type-mismatch",
                f"{node.function}() of one argument takes a list of numbers or dates, "
                f"got {args[0].type}",
            )
            return None
        return item.as_optional(True)
    if all(arg.type.kind == "date" for arg in args):
        return DATE
    for arg in args:
        if not arg.type.numeric:
            checker.fail(
                arg.node,
                "type-mismatch",
                f"{node.function}() takes numbers or dates, got {arg.type}",
            )
            return None
    return checker.unify(node, args)


def _round(checker: SignatureChecker, node: Call, args: tuple[Argument, ...]) -> Type | None:
    if not need(checker, args[0], ("money", "decimal", "integer"), "the amount"):
        return None
    if not text_choice(checker, args[1], ROUNDING_MODES, "the rounding mode"):
        return None
    return MONEY


def _abs(checker: SignatureChecker, node: Call, args: tuple[Argument, ...]) -> Type | None:
    return (
        args[0].type.as_optional(False)
        if need(checker, args[0], ("integer", "decimal", "money", "rate"), "the argument")
        else None
    )


def _floor(checker: SignatureChecker, node: Call, args: tuple[Argument, ...]) -> Type | None:
    return INTEGER if need(checker, args[0], ("integer", "decimal"), "the argument") else None


def _clamp(x: Any, low: Any, high: Any) -> Any:
    return max(low, min(x, high))


def fen_rounding(mode: str) -> Callable[[Any], Decimal]:
    """The run-time of ``round_fen(x, mode)`` for a mode the checker has made a known constant."""
    rounding, fen = _ROUNDING[mode], _UNITS[2]

    def to_fen(x: Decimal | int) -> Decimal:  # _quantized(x, 2, rounding), one call less
        value = x if type(x) is Decimal else Decimal(x)
        digits = value.adjusted()
        return _exact_rounding(digits + 4 if digits > 0 else 4, rounding).quantize(value, fen)

    return to_fen


@cache
def _exact_rounding(digits: int, rounding: str) -> Context:
    """``_exact(digits)``, rounding in ``rounding``: ``round_fen`` quantizes through it without
    keyword arguments, whose parsing was half the cost of a rounding."""
    return Context(
        prec=max(digits, 1),
        rounding=rounding,
        Emin=MIN_EMIN,
        Emax=MAX_EMAX,
        capitals=1,
        clamp=0,
        flags=[],
        traps=[InvalidOperation, DivisionByZero, Overflow],
    )


def _of_list(pick: Callable[..., Any]) -> Callable[[tuple[Type, ...]], Callable[..., Any]]:
    """``min``/``max`` of several values, or of the items of one list (unknown when empty)."""

    def of_items(items: Any) -> Any:
        return pick(items) if items else MISSING

    return lambda types: of_items if len(types) == 1 else pick


MIN = FunctionSpec(
    "min(a, b, ...) | min(list)",
    (1, -1),
    _extreme,
    summary="smallest value, or smallest item of a list (unknown for an empty list)",
    run=min,
    specialise=_of_list(min),
    example="min(previous_rate + step, cap_rate)",
)
MAX = FunctionSpec(
    "max(a, b, ...) | max(list)",
    (1, -1),
    _extreme,
    summary="largest value, or largest item of a list (unknown for an empty list)",
    run=max,
    specialise=_of_list(max),
    example="max(s.date for s in sanctions)",
)
CLAMP = FunctionSpec(
    "clamp(x, low, high)",
    (3, 3),
    _extreme,
    summary="x limited to [low, high]",
    run=_clamp,
    example="clamp(previous_rate, floor_rate, cap_rate)",
)
ABS = FunctionSpec(
    "abs(x)", (1, 1), _abs, summary="absolute value", run=abs, example="abs(balance)"
)
ROUND_FEN = FunctionSpec(  # its run-time depends on the mode: see fen_rounding
    "round_fen(amount, 'half_up')",
    (2, 2),
    _round,
    summary="money rounded to 0.01 yuan in the mode named: 'half_up', 'half_even', 'down', ...",
    example="round_fen(contract_price * rate_min, 'half_up')",
)
FLOOR = FunctionSpec(
    "floor(x)",
    (1, 1),
    _floor,
    summary="largest integer not above a plain number",
    run=math.floor,
    example="floor(days_worked / days_per_month)",
)


# ------------------------------------------------------------------ ceil, round, div, mod


def _ceil(checker: SignatureChecker, node: Call, args: tuple[Argument, ...]) -> Type | None:
    return INTEGER if need(checker, args[0], ("integer", "decimal"), "the argument") else None


def _known_number(arg: Argument) -> Any:
    """The value of a constant argument, a negated literal included; ``None`` otherwise."""
    if arg.is_constant:
        return arg.constant
    node = arg.node
    if isinstance(node, Unary) and node.op == "-" and isinstance(node.operand, Literal):
        value = node.operand.value
        return -value if isinstance(value, (int, Decimal)) and not isinstance(value, bool) else None
    return None


def _round_to(checker: SignatureChecker, node: Call, args: tuple[Argument, ...]) -> Type | None:
    amount, places, mode = args
    if not need(checker, amount, ("money", "rate", "decimal"), "the amount"):
        return None
    if not need(checker, places, ("integer",), "the number of places"):
        return None
    known = _known_number(places)
    if known is not None and not 0 <= known <= MAX_PLACES:
        message = f"the number of places must be 0 to {MAX_PLACES}, got {known}"
        checker.fail(places.node, "bad-arguments", message)
        return None
    if not text_choice(checker, mode, ROUND_MODES, "the rounding mode"):
        return None
    return amount.type.as_optional(False)


def _plain_division(
    checker: SignatureChecker, node: Call, args: tuple[Argument, ...]
) -> Type | None:
    """``div`` gives an integer; ``mod`` an integer of integers, a decimal otherwise."""
    for arg in args:
        if not need(checker, arg, ("integer", "decimal"), "each argument"):
            return None
    if _known_number(args[1]) == 0:
        checker.fail(args[1].node, "bad-arguments", f"{node.function}() divides by zero")
        return None
    if node.function == "div" or all(arg.type.kind == "integer" for arg in args):
        return INTEGER
    return DECIMAL


_UNITS = tuple(Decimal((0, (1,), -places)) for places in range(MAX_PLACES + 1))


@cache
def _exact(digits: int) -> Context:
    """A context of its own for one operation, wide enough that nothing is rounded but what
    is asked: never the caller's precision, rounding or traps. Built once per width (its
    flags may collect signals; nothing reads them, and its traps raise)."""
    return _exact_rounding(digits, ROUND_HALF_EVEN)


def _quantized(x: Decimal | int, places: int, rounding: str) -> Decimal:
    """``x`` rounded to ``places`` decimal places in ``rounding`` (a ``decimal`` mode)."""
    value = x if type(x) is Decimal else Decimal(x)
    digits = max(value.adjusted(), 0) + places + 2  # room for every digit kept, and a carry
    return value.quantize(_UNITS[places], rounding=rounding, context=_exact(digits))


def _round_places(x: Decimal | int, places: int, mode: str) -> Decimal:
    if not 0 <= places <= MAX_PLACES:
        raise ValueError(f"round(): the number of places must be 0 to {MAX_PLACES}, got {places}")
    return _quantized(x, places, _ROUNDING[mode])


def _quotient(name: str, a: Decimal | int, b: Decimal | int) -> int:
    """The floor of the exact quotient ``a / b``."""
    if b == 0:
        raise ZeroDivisionError(f"{name}({a}, {b}): division by zero")
    if type(a) is int and type(b) is int:
        return a // b
    return math.floor(Fraction(a) / Fraction(b))


def _div(a: Decimal | int, b: Decimal | int) -> int:
    return _quotient("div", a, b)


def _exponent(x: Decimal | int) -> int:
    exponent = 0 if type(x) is int else Decimal(x).as_tuple().exponent
    assert isinstance(exponent, int), x  # values are finite
    return exponent


def _mod(a: Decimal | int, b: Decimal | int) -> Decimal | int:
    """``a - b * div(a, b)``, exactly: the sign of ``b`` (0 <= mod(a, b) < b when b > 0)."""
    quotient = _quotient("mod", a, b)
    if type(a) is int and type(b) is int:
        return a - b * quotient
    exponent = min(_exponent(a), _exponent(b), 0)  # the remainder is a multiple of 10**exponent
    scaled = (Fraction(a) - Fraction(b) * quotient) * 10**-exponent
    assert scaled.denominator == 1, (a, b)
    digits = tuple(int(c) for c in str(abs(scaled.numerator)))
    return Decimal((int(scaled < 0), digits, exponent))


CEIL = FunctionSpec(
    "ceil(x)",
    (1, 1),
    _ceil,
    summary="smallest integer not below a plain number",
    run=math.ceil,
    example="ceil(days_worked / days_per_month)",
)
ROUND = FunctionSpec(
    "round(x, places, 'half_up'|'half_even'|'down'|'up')",
    (3, 3),
    _round_to,
    summary="x rounded to 0-28 decimal places in the mode named, keeping its unit",
    run=_round_places,
    example="round(average_wage * rate, places, 'half_up')",
)
DIV = FunctionSpec(
    "div(a, b)",
    (2, 2),
    _plain_division,
    summary="integer division of plain numbers: the floor of the exact quotient",
    run=_div,
    example="div(days_worked, days_per_month)",
)
MOD = FunctionSpec(
    "mod(a, b)",
    (2, 2),
    _plain_division,
    summary="what remains after div(a, b): a - b * div(a, b), with the sign of b",
    run=_mod,
    example="mod(days_worked, days_per_month)",
)
