"""The closure shapes compiled expressions are made of, and the folding of constants.

``apply(fn, parts)`` gives the closure that applies ``fn`` to compiled parts: folded to a
constant when every part is constant, guarded against unknown arguments only where a part may
be unknown, and with slot reads and constants inlined for the common shapes, so the fast path
runs as few Python calls as the expression needs.

    apply(operator.add, [Code(lambda v: v[3], False, slot=3), const(Decimal("0.01"))])
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from govrules.language.expr.functions.spec import Compiled
from govrules.records import record
from govrules.values import MISSING

__all__ = [
    "Code",
    "apply",
    "binary",
    "conditional",
    "const",
    "first_of_three",
    "logic",
    "member",
]


@record
class Code:
    """A compiled node: its closure, and what is known of it at compile time."""

    fn: Compiled
    optional: bool  # may give MISSING
    constant: bool = False
    value: Any = None
    slot: int | None = None  # the node only reads this slot
    # the node compares one slot with a constant, ``fn(v[slot], constant)``: what ``logic``
    # inlines instead of calling the node's closure
    compare: tuple[Callable[[Any, Any], Any], int, Any] | None = None


def const(value: Any) -> Code:
    return Code(lambda v: value, value is MISSING, True, value)


def apply(fn: Callable[..., Any], parts: list[Code]) -> Code:
    """``fn`` applied to the parts; folded when all are constant, guarded when one may be
    unknown, and with slot reads and constants inlined for the common two-operand shapes."""
    if any(part.constant and part.value is MISSING for part in parts):
        return const(MISSING)  # an unknown constant (a parameter with no value yet)
    if all(part.constant for part in parts):
        arguments = [part.value for part in parts]
        try:
            return const(fn(*arguments))
        except (ArithmeticError, ValueError):
            # not folded: the error belongs to the evaluation that reaches this node, if any
            return Code(lambda v: fn(*arguments), False)
    optional = any(part.optional for part in parts)
    if len(parts) == 1:
        (a,) = parts
        if a.slot is not None:
            s = a.slot
            if not optional:
                return Code(lambda v: fn(v[s]), False)

            def unary_slot(v: list[Any]) -> Any:
                x = v[s]
                return MISSING if x is MISSING else fn(x)

            return Code(unary_slot, True)
        g = a.fn
        if not optional:
            return Code(lambda v: fn(g(v)), False)

        def unary(v: list[Any]) -> Any:
            x = g(v)
            return MISSING if x is MISSING else fn(x)

        return Code(unary, True)
    if len(parts) == 2:
        a, b = parts
        compare = (fn, a.slot, b.value) if a.slot is not None and b.constant else None
        return Code(binary(fn, a, b), optional, compare=compare)
    if len(parts) == 3 and parts[1].constant and parts[2].constant:
        return Code(first_of_three(fn, parts), optional)
    fns = [part.fn for part in parts]
    if not optional:
        return Code(lambda v: fn(*[g(v) for g in fns]), False)

    def general(v: list[Any]) -> Any:
        values = [g(v) for g in fns]
        for value in values:
            if value is MISSING:
                return MISSING
        return fn(*values)

    return Code(general, True)


def first_of_three(fn: Callable[..., Any], parts: list[Code]) -> Compiled:
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


def binary(fn: Callable[[Any, Any], Any], a: Code, b: Code) -> Compiled:
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
    if a.constant and b.slot is not None:
        c, t = a.value, b.slot
        if not b.optional:
            return lambda v: fn(c, v[t])

        def const_slot(v: list[Any]) -> Any:
            y = v[t]
            return MISSING if y is MISSING else fn(c, y)

        return const_slot
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


def logic(op: str, parts: list[Code]) -> Code:
    """``a and b`` / ``a or b`` in three-valued logic: an unknown side decides only when the
    other does not (``False and unknown`` is False, ``True and unknown`` unknown)."""
    a, b = parts
    stop = op == "or"  # the value that decides on its own: True for or, False for and
    if a.constant and a.value is stop:
        return const(stop)
    if a.constant and a.value is (not stop):
        return b
    if b.constant and b.value is (not stop):
        return a
    g, h = a.fn, b.fn
    if a.slot is not None and b.slot is not None and not (a.optional or b.optional):
        s, t = a.slot, b.slot
        if stop:
            return Code(lambda v: v[s] or v[t], False)
        return Code(lambda v: v[s] and v[t], False)
    if not (a.optional or b.optional):
        if stop:
            return Code(lambda v: g(v) or h(v), False)
        return Code(lambda v: g(v) and h(v), False)
    if a.compare is not None:
        return Code(_compare_first(stop, a, h), True)
    if not a.optional:  # a known left side: the right one decides when the left does not

        def known_first(v: list[Any]) -> Any:
            if g(v) is stop:
                return stop
            y = h(v)
            return y if y is stop or y is MISSING else (not stop)

        return Code(known_first, True)

    def kleene(v: list[Any]) -> Any:
        x = g(v)
        if x is stop:
            return stop
        y = h(v)
        if y is stop:
            return stop
        return MISSING if x is MISSING or y is MISSING else (not stop)

    return Code(kleene, True)


def _compare_first(stop: bool, a: Code, h: Compiled) -> Compiled:
    """``known_first`` or ``kleene`` with a left side that compares a slot with a constant,
    inlined (the most common condition: ``initiator == 'employer' and ...``)."""
    assert a.compare is not None
    fn, s, c = a.compare
    if not a.optional:

        def known_compare_first(v: list[Any]) -> Any:
            if fn(v[s], c) is stop:
                return stop
            y = h(v)
            return y if y is stop or y is MISSING else (not stop)

        return known_compare_first

    def compare_first(v: list[Any]) -> Any:
        x = v[s]
        if x is not MISSING:
            x = fn(x, c)
            if x is stop:
                return stop
        y = h(v)
        if y is stop:
            return stop
        return MISSING if x is MISSING or y is MISSING else (not stop)

    return compare_first


def member(item: Code, items: Code, negate: bool) -> Code:
    """``item in items`` (or ``not in``): with a constant item and a slot for the list, the
    shape of ``'x' in claimed_grounds``, one closure; else the general ``apply``."""
    if item.constant and item.value is not MISSING and items.slot is not None:
        c, t = item.value, items.slot
        if negate:

            def not_in_slot(v: list[Any]) -> Any:
                y = v[t]
                return MISSING if y is MISSING else c not in y

            return Code(not_in_slot, items.optional)

        def in_slot(v: list[Any]) -> Any:
            y = v[t]
            return MISSING if y is MISSING else c in y

        return Code(in_slot, items.optional)
    return apply(_not_member if negate else _member, [item, items])


def _member(x: Any, items: Any) -> bool:
    return x in items


def _not_member(x: Any, items: Any) -> bool:
    return x not in items


def conditional(parts: list[Code]) -> Code:
    """``if c then a else b``: unknown when the condition is."""
    condition, then, otherwise = parts
    if condition.constant:
        if condition.value is MISSING:
            return const(MISSING)
        return then if condition.value else otherwise
    c, t, o = condition.fn, then.fn, otherwise.fn

    def choose(v: list[Any]) -> Any:
        flag = c(v)
        if flag is MISSING:
            return MISSING
        return t(v) if flag else o(v)

    return Code(choose, True)
