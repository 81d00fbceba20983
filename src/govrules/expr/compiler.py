"""Compile checked expressions into Python closures over an evaluation frame.

A closure takes the frame and returns a value: ``Decimal``, ``int``, ``bool``, ``date``,
``str``, a tuple, or ``MISSING``. Unknown values propagate (three-valued logic for ``and`` /
``or``); nodes whose type is not optional skip the checks, so fully-known expressions run
without them. Date functions report their ``DateComputation`` to the frame when traced.

    fn = compile_expression(checked, traced=False)
    fn(frame)
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from decimal import ROUND_CEILING, ROUND_DOWN, ROUND_FLOOR, ROUND_HALF_DOWN, ROUND_HALF_EVEN
from decimal import ROUND_HALF_UP, ROUND_UP, Decimal
from typing import Any

from govrules import calendar as legal_time
from govrules.expr.ast import Binary, Call, Conditional, ListLiteral, Literal, Name, Unary
from govrules.expr.checker import Checked
from govrules.expr.runtime import MISSING

__all__ = ["Compiled", "compile_expression"]

Compiled = Callable[[Any], Any]
_FEN = Decimal("0.01")
_MODES = {"half_up": ROUND_HALF_UP, "half_even": ROUND_HALF_EVEN, "half_down": ROUND_HALF_DOWN,
          "up": ROUND_UP, "down": ROUND_DOWN, "ceiling": ROUND_CEILING, "floor": ROUND_FLOOR}
_OPERATORS: dict[str, Callable[[Any, Any], Any]] = {
    "+": operator.add, "-": operator.sub, "*": operator.mul,
    "==": operator.eq, "!=": operator.ne, "<": operator.lt, "<=": operator.le,
    ">": operator.gt, ">=": operator.ge,
}


def _divide(a: Any, b: Any) -> Decimal:
    if b == 0:
        raise ZeroDivisionError("division by zero")
    return Decimal(a) / Decimal(b)


def _constant(value: Any) -> Compiled:
    return lambda frame: value


def _strict(fn: Callable[..., Any], parts: list[Compiled]) -> Compiled:
    """Apply ``fn`` to the parts' values; no part can be unknown."""
    if len(parts) == 1:
        (a,) = parts
        return lambda f: fn(a(f))
    if len(parts) == 2:
        a, b = parts
        return lambda f: fn(a(f), b(f))
    return lambda f: fn(*[part(f) for part in parts])


def _guarded(fn: Callable[..., Any], parts: list[Compiled]) -> Compiled:
    """Apply ``fn`` unless a part is unknown, in which case the result is unknown."""
    if len(parts) == 2:
        a, b = parts

        def binary(f: Any) -> Any:
            x = a(f)
            if x is MISSING:
                return MISSING
            y = b(f)
            if y is MISSING:
                return MISSING
            return fn(x, y)
        return binary

    def general(f: Any) -> Any:
        values = [part(f) for part in parts]
        for value in values:
            if value is MISSING:
                return MISSING
        return fn(*values)
    return general


class _Compiler:
    def __init__(self, traced: bool) -> None:
        self.traced = traced

    def compile(self, checked: Checked) -> Compiled:
        if checked.is_constant:
            return _constant(checked.constant)
        node = checked.node
        if isinstance(node, Literal):
            return _constant(node.value)
        if isinstance(node, Name):
            assert checked.symbol is not None
            slot = checked.symbol.slot
            return lambda f: f.v[slot]
        parts = [self.compile(arg) for arg in checked.args]
        optional = any(arg.type.optional for arg in checked.args)
        if isinstance(node, Unary):
            fn = operator.not_ if node.op == "not" else operator.neg
            return self.fold(checked, self.apply(fn, parts, optional))
        if isinstance(node, Binary):
            return self.fold(checked, self.binary(node.op, parts, optional))
        if isinstance(node, Conditional):
            return self.fold(checked, self.conditional(parts))
        if isinstance(node, ListLiteral):
            return self.apply(lambda *items: tuple(items), parts, optional)
        if isinstance(node, Call):
            return self.fold(checked, self.call(node.function, checked, parts, optional))
        raise AssertionError(f"cannot compile {node!r}")

    def fold(self, checked: Checked, fn: Compiled) -> Compiled:
        """Evaluate once at load time when every argument is a constant."""
        if checked.args and all(arg.is_constant for arg in checked.args) and \
                not (isinstance(checked.node, Call) and checked.node.function in _CONTEXTUAL):
            value = fn(None)
            return _constant(value)
        return fn

    @staticmethod
    def apply(fn: Callable[..., Any], parts: list[Compiled], optional: bool) -> Compiled:
        if not optional:
            return _strict(fn, parts)
        if len(parts) == 1:
            (a,) = parts

            def unary(f: Any) -> Any:
                x = a(f)
                return MISSING if x is MISSING else fn(x)
            return unary
        return _guarded(fn, parts)

    def binary(self, op: str, parts: list[Compiled], optional: bool) -> Compiled:
        a, b = parts
        if op == "and":
            if not optional:
                return lambda f: a(f) and b(f)

            def kleene_and(f: Any) -> Any:
                x = a(f)
                if x is False:
                    return False
                y = b(f)
                if y is False:
                    return False
                return MISSING if x is MISSING or y is MISSING else True
            return kleene_and
        if op == "or":
            if not optional:
                return lambda f: a(f) or b(f)

            def kleene_or(f: Any) -> Any:
                x = a(f)
                if x is True:
                    return True
                y = b(f)
                if y is True:
                    return True
                return MISSING if x is MISSING or y is MISSING else False
            return kleene_or
        if op == "in":
            return self.apply(lambda x, items: x in items, parts, optional)
        if op == "not in":
            return self.apply(lambda x, items: x not in items, parts, optional)
        if op == "/":
            return self.apply(_divide, parts, optional)
        return self.apply(_OPERATORS[op], parts, optional)

    @staticmethod
    def conditional(parts: list[Compiled]) -> Compiled:
        condition, then, otherwise = parts

        def choose(f: Any) -> Any:
            c = condition(f)
            if c is MISSING:
                return MISSING
            return then(f) if c else otherwise(f)
        return choose

    def call(self, name: str, checked: Checked, parts: list[Compiled],
             optional: bool) -> Compiled:
        if name == "given":
            (a,) = parts
            return lambda f: a(f) is not MISSING
        if name == "all_known":
            def all_known(f: Any) -> Any:
                known = [v for v in (part(f) for part in parts) if v is not MISSING]
                return all(known) if known else MISSING
            return all_known
        if name == "coalesce":
            def coalesce(f: Any) -> Any:
                for part in parts:
                    value = part(f)
                    if value is not MISSING:
                        return value
                return MISSING
            return coalesce
        if name == "round_fen":
            mode = _MODES[checked.args[1].constant]
            return self.apply(lambda x: Decimal(x).quantize(_FEN, rounding=mode), parts[:1],
                              optional)
        if name in _LEGAL_TIME:
            return self.legal_time(name, parts, optional)
        return self.apply(_PLAIN_FUNCTIONS[name], parts, optional)

    def legal_time(self, name: str, parts: list[Compiled], optional: bool) -> Compiled:
        compute = _LEGAL_TIME[name]
        traced = self.traced

        def run(f: Any, *values: Any) -> Any:
            computation = compute(f.calendar, *values)
            if traced or computation.unpublished_years:
                f.date_computed(computation)
            return computation.result

        if not optional:
            return lambda f: run(f, *[part(f) for part in parts])

        def guarded(f: Any) -> Any:
            values = [part(f) for part in parts]
            if any(value is MISSING for value in values):
                return MISSING
            return run(f, *values)
        return guarded


def _clamp(x: Any, low: Any, high: Any) -> Any:
    return max(low, min(x, high))


_PLAIN_FUNCTIONS: dict[str, Callable[..., Any]] = {
    "min": min, "max": max, "clamp": _clamp, "abs": abs,
    "add_days": legal_time.add_days, "add_months": legal_time.add_months,
    "add_years": legal_time.add_years,
    "days_between": lambda a, b: (b - a).days,
    "year": lambda d: d.year, "month": lambda d: d.month, "day": lambda d: d.day,
    "size": len,
}
_LEGAL_TIME: dict[str, Callable[..., Any]] = {
    "period_end": legal_time.period_end,
    "add_working_days": legal_time.add_working_days,
    "count_working_days": legal_time.count_working_days,
}
_CONTEXTUAL = frozenset(_LEGAL_TIME)


def compile_expression(checked: Checked, traced: bool = False) -> Compiled:
    """A closure computing ``checked`` on a frame; ``traced`` reports date computations."""
    return _Compiler(traced).compile(checked)

