"""Compile checked expressions into Python closures over the slot list of an evaluation.

A closure takes ``v``, the evaluation's slot list (inputs, parameters, computed values,
``as_of``, and in the last slot the frame that date functions report to), and returns a
``Decimal``, ``int``, ``bool``, ``date``, ``str``, a tuple, or ``MISSING``. Unknown values
propagate (three-valued logic for ``and`` / ``or``); a node that can never be unknown skips
the checks. Parameters whose values are fixed for the date being decided can be passed as
``constants``: they are substituted and folded, so ``min(first_rate_min + step, cap_rate)``
becomes one constant.

    fn = compile_expression(checked, traced=False, constants={3: Decimal("0.02")})
    fn(slots)
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from govrules.language.expr.ast import Binary, Call, Conditional, ListLiteral, Literal, Name, Unary
from govrules.language.expr.checker import Checked
from govrules.language.expr.functions import FUNCTIONS
from govrules.language.expr.functions.knowledge import all_known_closure, coalesce_closure
from govrules.language.expr.functions.numbers import fen_rounding
from govrules.language.expr.functions.spec import Compiled
from govrules.values import MISSING

__all__ = ["Compiled", "compile_expression"]


def _divide(a: Any, b: Any) -> Decimal:
    if b == 0:
        raise ZeroDivisionError("division by zero")
    return Decimal(a) / Decimal(b)


_OPERATORS: dict[str, Callable[[Any, Any], Any]] = {
    "+": operator.add,
    "-": operator.sub,
    "*": operator.mul,
    "/": _divide,
    "==": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
    "in": lambda x, items: x in items,
    "not in": lambda x, items: x not in items,
}
_UNARY_OPERATORS: dict[str, Callable[[Any], Any]] = {"not": operator.not_, "-": operator.neg}


@dataclass(frozen=True, slots=True)
class _Code:
    """A compiled node: its closure, and what is known of it at compile time."""

    fn: Compiled
    optional: bool  # may give MISSING
    constant: bool = False
    value: Any = None
    slot: int | None = None  # the node only reads this slot


def _const(value: Any) -> _Code:
    return _Code(lambda v: value, value is MISSING, True, value)


def _apply(fn: Callable[..., Any], parts: list[_Code]) -> _Code:
    """``fn`` applied to the parts; folded when all are constant, guarded when one may be
    unknown, and with slot reads and constants inlined for the common two-operand shapes."""
    if any(part.constant and part.value is MISSING for part in parts):
        return _const(MISSING)  # an unknown constant (a parameter with no value yet)
    if all(part.constant for part in parts):
        arguments = [part.value for part in parts]
        try:
            return _const(fn(*arguments))
        except (ArithmeticError, ValueError):
            # not folded: the error belongs to the evaluation that reaches this node, if any
            return _Code(lambda v: fn(*arguments), False)
    optional = any(part.optional for part in parts)
    if len(parts) == 1:
        (a,) = parts
        if a.slot is not None:
            s = a.slot
            if not optional:
                return _Code(lambda v: fn(v[s]), False)

            def unary_slot(v: list[Any]) -> Any:
                x = v[s]
                return MISSING if x is MISSING else fn(x)

            return _Code(unary_slot, True)
        g = a.fn
        if not optional:
            return _Code(lambda v: fn(g(v)), False)

        def unary(v: list[Any]) -> Any:
            x = g(v)
            return MISSING if x is MISSING else fn(x)

        return _Code(unary, True)
    if len(parts) == 2:
        return _Code(_binary(fn, parts[0], parts[1]), optional)
    if len(parts) == 3 and parts[1].constant and parts[2].constant:
        return _Code(_first_of_three(fn, parts), optional)
    fns = [part.fn for part in parts]
    if not optional:
        return _Code(lambda v: fn(*[g(v) for g in fns]), False)

    def general(v: list[Any]) -> Any:
        values = [g(v) for g in fns]
        for value in values:
            if value is MISSING:
                return MISSING
        return fn(*values)

    return _Code(general, True)


def _first_of_three(fn: Callable[..., Any], parts: list[_Code]) -> Compiled:
    """``fn(x, c1, c2)`` with constant c1, c2 -- the shape of ``clamp(x, low, high)``."""
    a, c1, c2 = parts[0], parts[1].value, parts[2].value
    if a.slot is not None:
        s = a.slot
        if not a.optional:
            return lambda v: fn(v[s], c1, c2)

        def slot_first(v: list[Any]) -> Any:
            x = v[s]
            return MISSING if x is MISSING else fn(x, c1, c2)

        return slot_first
    g = a.fn
    if not a.optional:
        return lambda v: fn(g(v), c1, c2)

    def code_first(v: list[Any]) -> Any:
        x = g(v)
        return MISSING if x is MISSING else fn(x, c1, c2)

    return code_first


def _binary(fn: Callable[[Any, Any], Any], a: _Code, b: _Code) -> Compiled:
    if b.constant and a.slot is not None:
        s, c = a.slot, b.value
        if not a.optional:
            return lambda v: fn(v[s], c)

        def slot_const(v: list[Any]) -> Any:
            x = v[s]
            return MISSING if x is MISSING else fn(x, c)

        return slot_const
    if b.constant:
        g, c = a.fn, b.value
        if not a.optional:
            return lambda v: fn(g(v), c)

        def code_const(v: list[Any]) -> Any:
            x = g(v)
            return MISSING if x is MISSING else fn(x, c)

        return code_const
    if a.constant:
        c, h = a.value, b.fn
        if not b.optional:
            return lambda v: fn(c, h(v))

        def const_code(v: list[Any]) -> Any:
            y = h(v)
            return MISSING if y is MISSING else fn(c, y)

        return const_code
    if a.slot is not None and b.slot is not None:
        s, t = a.slot, b.slot
        if not (a.optional or b.optional):
            return lambda v: fn(v[s], v[t])

        def slot_slot(v: list[Any]) -> Any:
            x, y = v[s], v[t]
            return MISSING if x is MISSING or y is MISSING else fn(x, y)

        return slot_slot
    g, h = a.fn, b.fn
    if not (a.optional or b.optional):
        return lambda v: fn(g(v), h(v))

    def code_code(v: list[Any]) -> Any:
        x = g(v)
        if x is MISSING:
            return MISSING
        y = h(v)
        return MISSING if y is MISSING else fn(x, y)

    return code_code


class _Compiler:
    def __init__(self, traced: bool, constants: Mapping[int, Any], frame_slot: int) -> None:
        self.traced = traced
        self.constants = constants
        self.frame_slot = frame_slot

    def compile(self, checked: Checked) -> _Code:
        if checked.is_constant:
            return _const(checked.constant)
        node = checked.node
        if isinstance(node, Literal):
            return _const(node.value)
        if isinstance(node, Name):
            assert checked.symbol is not None
            slot = checked.symbol.slot
            if slot in self.constants:
                return _const(self.constants[slot])
            return _Code(lambda v: v[slot], checked.type.optional, slot=slot)
        if isinstance(node, Call) and node.function == "given":
            return self.given(checked)
        parts = [self.compile(arg) for arg in checked.args]
        if isinstance(node, Unary):
            return _apply(_UNARY_OPERATORS[node.op], parts)
        if isinstance(node, Binary):
            if node.op in ("and", "or"):
                return self.logic(node.op, parts)
            return _apply(_OPERATORS[node.op], parts)
        if isinstance(node, Conditional):
            return self.conditional(parts)
        if isinstance(node, ListLiteral):
            return _apply(lambda *items: tuple(items), parts)
        if isinstance(node, Call):
            return self.call(node.function, checked, parts)
        raise AssertionError(f"cannot compile {node!r}")

    def given(self, checked: Checked) -> _Code:
        (arg,) = checked.args
        code = self.compile(arg)
        if code.constant:
            return _const(code.value is not MISSING)
        if code.slot is not None:
            s = code.slot
            return _Code(lambda v: v[s] is not MISSING, False)
        g = code.fn
        return _Code(lambda v: g(v) is not MISSING, False)

    @staticmethod
    def logic(op: str, parts: list[_Code]) -> _Code:
        a, b = parts
        stop = op == "or"  # the value that decides on its own: True for or, False for and
        if a.constant and a.value is stop:
            return _const(stop)
        if a.constant and a.value is (not stop):
            return b
        if b.constant and b.value is (not stop):
            return a
        g, h = a.fn, b.fn
        if a.slot is not None and b.slot is not None and not (a.optional or b.optional):
            s, t = a.slot, b.slot
            if stop:
                return _Code(lambda v: v[s] or v[t], False)
            return _Code(lambda v: v[s] and v[t], False)
        if not (a.optional or b.optional):
            if stop:
                return _Code(lambda v: g(v) or h(v), False)
            return _Code(lambda v: g(v) and h(v), False)

        def kleene(v: list[Any]) -> Any:
            x = g(v)
            if x is stop:
                return stop
            y = h(v)
            if y is stop:
                return stop
            return MISSING if x is MISSING or y is MISSING else (not stop)

        return _Code(kleene, True)

    @staticmethod
    def conditional(parts: list[_Code]) -> _Code:
        condition, then, otherwise = parts
        if condition.constant:
            if condition.value is MISSING:
                return _const(MISSING)
            return then if condition.value else otherwise
        c, t, o = condition.fn, then.fn, otherwise.fn

        def choose(v: list[Any]) -> Any:
            flag = c(v)
            if flag is MISSING:
                return MISSING
            return t(v) if flag else o(v)

        return _Code(choose, True)

    def call(self, name: str, checked: Checked, parts: list[_Code]) -> _Code:
        # The functions that see unknown arguments, or take a constant that selects their
        # run-time, have their own shapes; the others run their spec's callable.
        if name == "all_known":
            return _Code(all_known_closure([part.fn for part in parts]), True)
        if name == "coalesce":
            return _Code(coalesce_closure([part.fn for part in parts]), parts[-1].optional)
        if name == "round_fen":
            return _apply(fen_rounding(checked.args[1].constant), parts[:1])
        spec = FUNCTIONS[name]
        if spec.on_calendar is not None:
            return self.legal_time(spec.on_calendar, parts)
        assert spec.run is not None, f"{name}() has no run-time"
        return _apply(spec.run, parts)

    def legal_time(self, compute: Callable[..., Any], parts: list[_Code]) -> _Code:
        """A date function on the working-day calendar, reporting to the evaluation's frame."""
        traced, frame_slot = self.traced, self.frame_slot

        def run(v: list[Any], *values: Any) -> Any:
            frame = v[frame_slot]
            computation = compute(frame.calendar, *values)
            if traced or computation.unpublished_years:
                frame.date_computed(computation)
            return computation.result

        fns = [part.fn for part in parts]
        if not any(part.optional for part in parts):
            return _Code(lambda v: run(v, *[g(v) for g in fns]), False)

        def guarded(v: list[Any]) -> Any:
            values = [g(v) for g in fns]
            if any(value is MISSING for value in values):
                return MISSING
            return run(v, *values)

        return _Code(guarded, True)


def compile_expression(
    checked: Checked,
    traced: bool = False,
    constants: Mapping[int, Any] | None = None,
    frame_slot: int = -1,
) -> Compiled:
    """A closure computing ``checked`` on a slot list.

    ``traced`` makes date functions report every computation (not only the estimated ones);
    ``constants`` maps slots whose value is fixed (parameters on one date) to that value;
    ``frame_slot`` is the slot holding the frame that date functions report to.
    """
    return _Compiler(traced, constants or {}, frame_slot).compile(checked).fn
