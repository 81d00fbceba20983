"""Functions about what is known: ``given``, ``all_known``, ``coalesce``.

They are the only functions that see an unknown argument instead of becoming unknown with it,
so none propagates optionality and each has its own run-time shape:

    given(award_received_date)              # true when the fact is known
    all_known(paid_on_time, deposit_paid)   # the known checks hold; unknown if none is known
    coalesce(suspension_days, 0)            # the first known value

``given`` reads what the compiler knows of its argument (a constant, a slot) and is compiled
there; ``all_known_closure`` and ``coalesce_closure`` build the closures of the other two.
"""

from __future__ import annotations

from typing import Any

from govrules.language.expr.ast import Call
from govrules.language.expr.functions.spec import (
    Argument,
    Compiled,
    FunctionSpec,
    SignatureChecker,
    need,
)
from govrules.language.expr.types import BOOL, Type
from govrules.values import MISSING

__all__ = ["ALL_KNOWN", "COALESCE", "GIVEN", "all_known_closure", "coalesce_closure"]


def _given(checker: SignatureChecker, node: Call, args: tuple[Argument, ...]) -> Type | None:
    return BOOL


def _all_known(checker: SignatureChecker, node: Call, args: tuple[Argument, ...]) -> Type | None:
    for arg in args:
        if not need(checker, arg, ("bool",), "each argument"):
            return None
    return BOOL.as_optional(True)


def _coalesce(checker: SignatureChecker, node: Call, args: tuple[Argument, ...]) -> Type | None:
    joined = checker.unify(node, args)
    return None if joined is None else joined.as_optional(args[-1].type.optional)


def all_known_closure(checks: list[Compiled]) -> Compiled:
    """``all_known``: the known checks all hold; unknown when none of them is known."""
    if len(checks) == 2:
        first, second = checks

        def both_known(v: list[Any]) -> Any:
            x, y = first(v), second(v)
            if x is MISSING:
                return y
            return x if y is MISSING else (x and y)

        return both_known

    def all_known(v: list[Any]) -> Any:
        known = [x for x in (g(v) for g in checks) if x is not MISSING]
        return all(known) if known else MISSING

    return all_known


def coalesce_closure(candidates: list[Compiled]) -> Compiled:
    """``coalesce``: the first known value, tried in order; unknown when none is."""

    def coalesce(v: list[Any]) -> Any:
        for g in candidates:
            value = g(v)
            if value is not MISSING:
                return value
        return MISSING

    return coalesce


GIVEN = FunctionSpec(
    "given(name)",
    (1, 1),
    _given,
    optional_propagates=False,
    summary="true when the fact or value is known",
    example="given(award_received_date)",
)
ALL_KNOWN = FunctionSpec(
    "all_known(check, ...)",
    (1, -1),
    _all_known,
    optional_propagates=False,
    summary="true when every known check holds; unknown if none is",
    example="all_known(paid_on_time, deposit_paid)",
)
COALESCE = FunctionSpec(
    "coalesce(a, b, ...)",
    (2, -1),
    _coalesce,
    optional_propagates=False,
    summary="first known value",
    example="coalesce(suspension_days, 0)",
)
