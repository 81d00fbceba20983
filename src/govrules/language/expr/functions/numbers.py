"""Functions on numbers: ``min``, ``max``, ``clamp``, ``abs``, ``round_fen``, ``floor``.

Each keeps the unit of its arguments (``min`` of two money amounts is money) except ``floor``,
which gives a plain integer, and ``round_fen``, which gives money rounded to 0.01 yuan in a
mode the author must name -- the law names one, so the expression does too:

    round_fen(contract_price * rate_min, 'half_up')
"""

from __future__ import annotations

import math
from collections.abc import Callable
from decimal import (
    ROUND_CEILING,
    ROUND_DOWN,
    ROUND_FLOOR,
    ROUND_HALF_DOWN,
    ROUND_HALF_EVEN,
    ROUND_HALF_UP,
    ROUND_UP,
    Decimal,
)
from typing import Any

from govrules.language.expr.ast import Call
from govrules.language.expr.functions.spec import (
    Argument,
    FunctionSpec,
    SignatureChecker,
    need,
    text_choice,
)
from govrules.language.expr.types import DATE, INTEGER, MONEY, Type

__all__ = [
    "ABS",
    "CLAMP",
    "FLOOR",
    "MAX",
    "MIN",
    "ROUNDING_MODES",
    "ROUND_FEN",
    "fen_rounding",
]

_FEN = Decimal("0.01")
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


def _extreme(checker: SignatureChecker, node: Call, args: tuple[Argument, ...]) -> Type | None:
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
    rounding = _ROUNDING[mode]
    return lambda x: (x if type(x) is Decimal else Decimal(x)).quantize(_FEN, rounding=rounding)


MIN = FunctionSpec("min(a, b, ...)", (2, -1), _extreme, summary="smallest value", run=min)
MAX = FunctionSpec("max(a, b, ...)", (2, -1), _extreme, summary="largest value", run=max)
CLAMP = FunctionSpec(
    "clamp(x, low, high)", (3, 3), _extreme, summary="x limited to [low, high]", run=_clamp
)
ABS = FunctionSpec("abs(x)", (1, 1), _abs, summary="absolute value", run=abs)
ROUND_FEN = FunctionSpec(  # its run-time depends on the mode: see fen_rounding
    "round_fen(amount, 'half_up')",
    (2, 2),
    _round,
    summary="round money to 0.01 yuan with an explicit mode",
)
FLOOR = FunctionSpec(
    "floor(x)",
    (1, 1),
    _floor,
    summary="largest integer not above a plain number",
    run=math.floor,
)
