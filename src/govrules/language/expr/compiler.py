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
from decimal import Decimal
from fractions import Fraction
from typing import Any

from govrules.language.expr.ast import (
    Attribute,
    Binary,
    Call,
    Comprehension,
    Conditional,
    ListLiteral,
    Literal,
    Name,
    Unary,
)
from govrules.language.expr.checked import Checked
from govrules.language.expr.closures import Code, apply, conditional, const, logic, member
from govrules.language.expr.functions import FUNCTIONS
from govrules.language.expr.functions.knowledge import all_known_closure, coalesce_closure
from govrules.language.expr.functions.numbers import fen_rounding
from govrules.language.expr.functions.parameters import ParameterHistory
from govrules.language.expr.functions.spec import Compiled, FunctionSpec
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
    # the closures use ``member`` (one closure for ``'x' in list_input``); the columnar
    # lowering takes these
    "in": lambda x, items: x in items,
    "not in": lambda x, items: x not in items,
}
_UNARY_OPERATORS: dict[str, Callable[[Any], Any]] = {"not": operator.not_, "-": operator.neg}
_COMPARISONS = frozenset({"==", "!=", "<", "<=", ">", ">="})


def _exact_divide(a: Fraction, b: Fraction) -> Fraction:
    if b == 0:
        raise ZeroDivisionError("division by zero")
    return a / b


_EXACT_OPERATORS: dict[str, Callable[[Any, Any], Any]] = {
    "+": operator.add,
    "-": operator.sub,
    "*": operator.mul,
    "/": _exact_divide,
}


def _divides(checked: Checked) -> bool:
    """Whether the arithmetic of a comparison's operands divides (outside function calls)."""
    stack = list(checked.args)
    while stack:
        node = stack.pop()
        if isinstance(node.node, Binary) and node.node.op == "/":
            return True
        if isinstance(node.node, (Binary, Unary)) and not node.is_constant:
            stack.extend(node.args)
    return False


class _Compiler:
    def __init__(
        self,
        traced: bool,
        constants: Mapping[int, Any],
        frame_slot: int,
        histories: Mapping[int, ParameterHistory],
    ) -> None:
        self.traced = traced
        self.constants = constants
        self.frame_slot = frame_slot
        self.histories = histories

    def compile(self, checked: Checked) -> Code:
        if checked.is_constant:
            return const(checked.constant)
        node = checked.node
        if isinstance(node, Literal):
            return const(node.value)
        if isinstance(node, Name):
            assert checked.symbol is not None
            if checked.symbol.origin == "variable":  # bound by a comprehension
                slot = self.frame_slot + 1 + checked.symbol.slot
                return Code(lambda v: v[slot], checked.type.optional, slot=slot)
            slot = checked.symbol.slot
            if slot in self.constants:
                return const(self.constants[slot])
            return Code(lambda v: v[slot], checked.type.optional, slot=slot)
        if isinstance(node, Call) and node.function == "given":
            return self.given(checked)
        if isinstance(node, Comprehension):
            return self.comprehension(checked)
        if isinstance(node, Binary) and node.op in _COMPARISONS and _divides(checked):
            # present / total >= 2 / 3 is compared exactly, in rationals, never rounded
            return apply(_OPERATORS[node.op], [self.exact(arg) for arg in checked.args])
        parts = [self.compile(arg) for arg in checked.args]
        if isinstance(node, Attribute):
            return self.attribute(checked, parts[0])
        if isinstance(node, Unary):
            return apply(_UNARY_OPERATORS[node.op], parts)
        if isinstance(node, Binary):
            if node.op in ("and", "or"):
                return logic(node.op, parts)
            if node.op in ("in", "not in"):
                return member(parts[0], parts[1], node.op == "not in")
            return apply(_OPERATORS[node.op], parts)
        if isinstance(node, Conditional):
            return conditional(parts)
        if isinstance(node, ListLiteral):
            return apply(lambda *items: tuple(items), parts)
        if isinstance(node, Call):
            return self.call(node.function, checked, parts)
        raise AssertionError(f"cannot compile {node!r}")

    def exact(self, checked: Checked) -> Code:
        """The arithmetic of a comparison in exact rationals: quotients are not rounded."""
        node = checked.node
        if isinstance(node, Binary) and node.op in _EXACT_OPERATORS:
            return apply(_EXACT_OPERATORS[node.op], [self.exact(arg) for arg in checked.args])
        if isinstance(node, Unary) and node.op == "-":
            return apply(operator.neg, [self.exact(checked.args[0])])
        code = self.compile(checked)
        return apply(Fraction, [code]) if checked.type.numeric else code

    def attribute(self, checked: Checked, record: Code) -> Code:
        found = checked.args[0].type.field(checked.node.name)  # type: ignore[attr-defined]
        assert found is not None
        index = found[0]
        if record.constant:
            return const(MISSING if record.value is MISSING else record.value[index])
        g = record.fn
        if not record.optional:
            return Code(lambda v: g(v)[index], checked.type.optional)

        def field(v: list[Any]) -> Any:
            value = g(v)
            return MISSING if value is MISSING else value[index]

        return Code(field, True)

    def comprehension(self, checked: Checked) -> Code:
        """A list built item by item, each bound in the variable's slot; an unknown list,
        item or filter makes the whole list unknown (nothing is silently dropped)."""
        assert checked.symbol is not None
        iterable, element = self.compile(checked.args[0]), self.compile(checked.args[1])
        condition = self.compile(checked.args[2]) if len(checked.args) == 3 else None
        slot = self.frame_slot + 1 + checked.symbol.slot
        source, build = iterable.fn, element.fn
        keep = None if condition is None else condition.fn

        def comprehension(v: list[Any]) -> Any:
            items = source(v)
            if items is MISSING:
                return MISSING
            built = []
            for item in items:
                v[slot] = item
                if keep is not None:
                    wanted = keep(v)
                    if wanted is MISSING:
                        return MISSING
                    if not wanted:
                        continue
                value = build(v)
                if value is MISSING:
                    return MISSING
                built.append(value)
            return tuple(built)

        optional = iterable.optional or element.optional
        return Code(comprehension, optional or (condition is not None and condition.optional))

    def given(self, checked: Checked) -> Code:
        (arg,) = checked.args
        code = self.compile(arg)
        if code.constant:
            return const(code.value is not MISSING)
        if code.slot is not None:
            s = code.slot
            return Code(lambda v: v[s] is not MISSING, False)
        g = code.fn
        return Code(lambda v: g(v) is not MISSING, False)

    def call(self, name: str, checked: Checked, parts: list[Code]) -> Code:
        # The functions that see unknown arguments, or take a constant that selects their
        # run-time, have their own shapes; the others run their spec's callable.
        if name == "all_known":
            return Code(all_known_closure([part.fn for part in parts]), True)
        if name == "coalesce":
            return Code(coalesce_closure([part.fn for part in parts]), parts[-1].optional)
        if name == "round_fen":
            return apply(fen_rounding(checked.args[1].constant), parts[:1])
        if name == "lookup":
            return self.lookup(parts)
        if name == "at":
            return self.read_at(checked, parts[1])
        spec = FUNCTIONS[name]
        if spec.on_calendar is not None:
            return self.legal_time(spec, parts)
        run = spec.run
        if spec.specialise is not None:
            run = spec.specialise(tuple(arg.type for arg in checked.args))
        assert run is not None, f"{name}() has no run-time"
        return apply(run, parts)

    def lookup(self, parts: list[Code]) -> Code:
        """The value of the table row for the keys; unknown when no row or band holds them."""
        traced, frame_slot = self.traced, self.frame_slot
        table, keys = parts[0], parts[1:]
        if table.constant and table.value is not MISSING and len(keys) == 1:
            # the usual shape: a table parameter in force on the day, one key from the case
            find, key_of = table.value.find, keys[0].fn

            def lookup_one(v: list[Any]) -> Any:
                key = key_of(v)
                if key is MISSING:
                    return MISSING
                row = find(key)
                if row is None:
                    return MISSING
                if traced:
                    v[frame_slot].figure_read(row.trace())
                return row.value

            return Code(lookup_one, True)
        table_of, keys_of = table.fn, [part.fn for part in keys]

        def lookup(v: list[Any]) -> Any:
            table = table_of(v)
            keys = [key_of(v) for key_of in keys_of]
            if table is MISSING or any(key is MISSING for key in keys):
                return MISSING
            row = table.find(*keys)
            if row is None:
                return MISSING
            if traced:
                v[frame_slot].figure_read(row.trace())
            return row.value

        return Code(lookup, True)

    def read_at(self, checked: Checked, day: Code) -> Code:
        """A parameter's value in force on a day given by the case, recorded with that day."""
        symbol = checked.args[0].symbol
        assert symbol is not None
        history = self.histories.get(symbol.slot)
        if history is None:
            raise ValueError(f"at({symbol.name}, ...) needs the parameter's history")
        traced, frame_slot, day_of = self.traced, self.frame_slot, day.fn

        def read_at(v: list[Any]) -> Any:
            when = day_of(v)
            if when is MISSING:
                return MISSING
            found = history.read_on(when)
            if found is None:
                return MISSING
            if traced:
                v[frame_slot].figure_read(found.trace())
            return found.value

        return Code(read_at, True)

    def legal_time(self, spec: FunctionSpec, parts: list[Code]) -> Code:
        """A date function on the working-day calendar, reporting to the evaluation's frame:
        every computation when traced, else only one that reaches a year with no published
        schedule (the decision's notice needs it); untraced, the function's ``_result`` twin
        answers without describing the days it met."""
        compute, quick = spec.on_calendar, spec.on_calendar_result
        assert compute is not None
        traced, frame_slot = self.traced, self.frame_slot
        run: Callable[..., Any]
        if traced or quick is None:

            def run(v: list[Any], *values: Any) -> Any:
                frame = v[frame_slot]
                computation = compute(frame.calendar, *values)
                if traced or computation.unpublished_years:
                    frame.date_computed(computation)
                return computation.result

        else:

            def run(v: list[Any], *values: Any) -> Any:
                frame = v[frame_slot]
                result, unpublished = quick(frame.calendar, *values)
                if unpublished:
                    frame.date_computed(compute(frame.calendar, *values))
                return result

        first, rest = parts[0], parts[1:]
        if first.slot is not None and all(
            part.constant and part.value is not MISSING for part in rest
        ):
            # the common shape: a date of the case, then constants (``period_end(day, 15,
            # 'days')``, an amount of working days the policy sets)
            s, constants = first.slot, tuple(part.value for part in rest)
            if not first.optional:
                return Code(lambda v: run(v, v[s], *constants), False)

            def slot_then_constants(v: list[Any]) -> Any:
                x = v[s]
                return MISSING if x is MISSING else run(v, x, *constants)

            return Code(slot_then_constants, True)
        fns = [part.fn for part in parts]
        if not any(part.optional for part in parts):
            return Code(lambda v: run(v, *[g(v) for g in fns]), False)

        def guarded(v: list[Any]) -> Any:
            values = [g(v) for g in fns]
            if any(value is MISSING for value in values):
                return MISSING
            return run(v, *values)

        return Code(guarded, True)


def compile_expression(
    checked: Checked,
    traced: bool = False,
    constants: Mapping[int, Any] | None = None,
    frame_slot: int = -1,
    histories: Mapping[int, ParameterHistory] | None = None,
) -> Compiled:
    """A closure computing ``checked`` on a slot list.

    ``traced`` makes date functions and figure reads report to the frame (date functions
    report estimated computations even untraced); ``constants`` maps slots whose value is fixed
    (parameters on one date) to that value; ``frame_slot`` is the slot holding the frame;
    ``histories`` maps parameter slots to their values over time, for ``at``.
    """
    return _Compiler(traced, constants or {}, frame_slot, histories or {}).compile(checked).fn
