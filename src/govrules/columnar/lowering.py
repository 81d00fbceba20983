"""Lowering checked expressions to columns: the expression compiler's twin, over a whole table.

Each node is computed for every row at once, mirroring ``language/expr/compiler.py`` shape
for shape: the same constant folding (the compiler itself says which nodes are constant),
unknown values as nulls with the same three-valued ``and``/``or``, and the same short
circuits -- a part the per-case closure would not evaluate for a row is not *active* for it,
so that what evaluating it does (reach a year without a holiday schedule, fail) is counted
only where the engine would count it. Arithmetic on money and rates is exact (coefficient and
exponent, as ``Decimal`` keeps them); what has no column form runs the engine's own function
over the distinct arguments (``lifting.py``).

    lowering = Lowering(policy, program, as_of, calendar, rows)
    lowering.state[slot] = price                      # the inputs, as columns
    column = lowering.lower(rule.condition, active)   # one value per row
    lowering.failed                                   # rows the per-case engine must decide
"""

from __future__ import annotations

import datetime as dt
import operator
from collections.abc import Callable
from typing import Any

import polars as pl

from govrules.calendar import WorkingDayCalendar
from govrules.columnar import arithmetic
from govrules.columnar.columns import KINDS, Column, NotColumnar, kind_of
from govrules.columnar.lifting import Lifted, lift
from govrules.compiler.policy import CompiledPolicy, Program
from govrules.language.expr import compiler as expression_compiler
from govrules.language.expr.ast import (
    Binary,
    Call,
    Conditional,
    ListLiteral,
    Literal,
    Name,
    Unary,
)
from govrules.language.expr.checked import Checked
from govrules.language.expr.closures import Code
from govrules.language.expr.functions import FUNCTIONS
from govrules.language.expr.functions.numbers import fen_rounding
from govrules.values import MISSING

__all__ = ["Lowering", "column_kind"]

_COMPARISONS = {
    "==": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}
_NATIVE_EXTREMES = frozenset({"min", "max", "clamp"})


def column_kind(checked: Checked) -> str:
    if checked.type.kind == "list":
        return "list"
    return kind_of(checked.type)


class _LiftFrame:
    """The frame a lifted closure reports its date computations to (untraced)."""

    __slots__ = ("calendar", "dates", "rule")

    def __init__(self, calendar: WorkingDayCalendar) -> None:
        self.calendar = calendar
        self.dates: list[Any] = []
        self.rule: str | None = None

    def date_computed(self, computation: Any) -> None:
        self.dates.append(computation)

    def figure_read(self, event: dict[str, Any]) -> None:
        pass


class Lowering:
    """The columns of one evaluation: inputs and values by slot, and what went wrong where."""

    def __init__(
        self,
        policy: CompiledPolicy,
        program: Program,
        as_of: dt.date,
        calendar: WorkingDayCalendar,
        rows: int,
    ) -> None:
        self.policy = policy
        self.rows = rows
        self.as_of = as_of
        self.calendar = calendar
        self.constants = {
            p.slot: value for p, value in zip(policy.parameters, program.parameters, strict=True)
        }
        self.histories = {p.slot: p for p in policy.parameters}
        # the compiler that builds the per-case closures, asked which nodes it folds
        self._compiler = expression_compiler._Compiler(
            False, self.constants, policy.frame_slot, self.histories
        )
        self._codes: dict[int, tuple[Checked, Code]] = {}
        self.state: dict[int, Column] = {}
        self.failed = pl.repeat(False, rows, eager=True)
        self.years: list[pl.Series] = []  # per date computation: its unpublished years, or null

    # ------------------------------------------------------------------ helpers

    def code(self, checked: Checked) -> Code:
        # by identity; the node is kept with its code so that its id is never reused
        found = self._codes.get(id(checked))
        if found is None or found[0] is not checked:
            found = self._codes[id(checked)] = (checked, self._compiler.compile(checked))
        return found[1]

    def fail(self, rows: pl.Series) -> None:
        self.failed = self.failed | rows.fill_null(False)

    def _lifted(self, lifted: Lifted) -> Column:
        self.fail(lifted.failed)
        if lifted.years is not None:
            self.years.append(lifted.years)
        return lifted.column

    def _all_known(self, parts: list[Column], active: pl.Series) -> pl.Series:
        needed = active
        for part in parts:
            if not part.constant:
                needed = needed & part.known(self.rows)
        return needed

    # ------------------------------------------------------------------ nodes

    def lower(self, checked: Checked, active: pl.Series) -> Column:
        """The value of ``checked`` in every row, computed where ``active`` (elsewhere the
        value is of no use and nothing it does is counted)."""
        code = self.code(checked)
        if code.constant:
            kind = "list" if isinstance(code.value, tuple) else column_kind(checked)
            return Column.of(code.value, kind)
        node = checked.node
        if any(arg.type.kind not in KINDS and not self.code(arg).constant for arg in checked.args):
            return self.whole(checked, active)  # a list, record or table, per case
        if isinstance(node, Literal):
            return Column.of(node.value, column_kind(checked))
        if isinstance(node, Name):
            return self.name(checked)
        if isinstance(node, Call) and node.function == "given":
            part = self.lower(checked.args[0], active)
            if part.constant:
                return Column.of(part.value is not MISSING, "bool")
            return Column("bool", part.known(self.rows))
        comparison = isinstance(node, Binary) and node.op in _COMPARISONS
        if comparison and expression_compiler._divides(checked):
            return self.whole(checked, active)  # compared in exact rationals
        if isinstance(node, Unary):
            return self.unary(checked, active)
        if isinstance(node, Binary):
            if node.op in ("and", "or"):
                return self.logic(checked, active)
            return self.binary(checked, active)
        if isinstance(node, Conditional):
            return self.conditional(checked, active)
        if isinstance(node, Call):
            return self.call(checked, active)
        if isinstance(node, ListLiteral):
            parts = [self.lower(arg, active) for arg in checked.args]
            if all(part.constant for part in parts):
                return Column.of(tuple(part.value for part in parts), "list")
        # an attribute, a comprehension, a list built per row: the closure, row by row
        return self.whole(checked, active)

    def name(self, checked: Checked) -> Column:
        symbol = checked.symbol
        assert symbol is not None
        if symbol.origin == "variable":
            raise NotColumnar(f"the variable {symbol.name} outside its comprehension")
        if symbol.slot == self.policy.as_of_slot:
            return Column.of(self.as_of, "date")
        if symbol.slot in self.constants:
            return Column.of(self.constants[symbol.slot], column_kind(checked))
        found = self.state.get(symbol.slot)
        if found is None:
            return Column.of(MISSING, column_kind(checked))
        return found

    def unary(self, checked: Checked, active: pl.Series) -> Column:
        op = checked.node.op  # type: ignore[attr-defined]
        part = self.lower(checked.args[0], active)
        if op == "not":
            return Column("bool", ~part.series(self.rows))
        if part.kind == "dec":
            exp, coef = part.exponents_and_coefficients(self.rows)
            return Column.decimals(pl.repeat(0, self.rows, dtype=pl.Int128, eager=True) - coef, exp)
        if part.kind == "int":
            return Column("int", -part.series(self.rows))
        return self.apply(operator.neg, [part], active, column_kind(checked))

    def parts_of(self, args: tuple[Checked, ...], active: pl.Series) -> list[Column]:
        """The parts of an ``apply`` node, each active where the closure evaluates it: with
        two parts the second only where the first is known, otherwise every part."""
        if len(args) == 2:
            first = self.lower(args[0], active)
            return [first, self.lower(args[1], active & first.known(self.rows))]
        return [self.lower(arg, active) for arg in args]

    def apply(
        self, function: Callable[..., Any], parts: list[Column], active: pl.Series, kind: str
    ) -> Column:
        """``function`` of the parts where they are all known, by the engine's own function."""
        return self._lifted(lift(function, parts, self._all_known(parts, active), self.rows, kind))

    def binary(self, checked: Checked, active: pl.Series) -> Column:
        op = checked.node.op  # type: ignore[attr-defined]
        kind = column_kind(checked)
        a, b = self.parts_of(checked.args, active)
        if op in _COMPARISONS:
            compared = arithmetic.compare(op, a, b, self.rows)
            if compared is not None:
                column, over = compared
                self.fail(over & self._all_known([a, b], active))
                return column
            return self.apply(_COMPARISONS[op], [a, b], active, kind)
        if op in ("in", "not in") and b.constant and b.kind == "list":
            member = arithmetic.member(a, b.value, op == "not in", self.rows)
            if member is not None:
                return member
        if op in ("+", "-", "*"):
            computed = arithmetic.arithmetic(op, a, b, self.rows)
            if computed is not None:
                column, over = computed
                self.fail(over & self._all_known([a, b], active))
                return column
        function = expression_compiler._OPERATORS[op]
        return self.apply(function, [a, b], active, kind)

    def logic(self, checked: Checked, active: pl.Series) -> Column:
        stop = checked.node.op == "or"  # type: ignore[attr-defined]
        a = self.lower(checked.args[0], active)
        if a.constant and a.value is (not stop):
            return self.lower(checked.args[1], active)
        a_values = a.series(self.rows)
        undecided = (a_values != stop).fill_null(True)
        b = self.lower(checked.args[1], active & undecided)
        if b.constant and b.value is (not stop):
            return a
        b_values = b.series(self.rows)
        return Column("bool", (a_values | b_values) if stop else (a_values & b_values))

    def conditional(self, checked: Checked, active: pl.Series) -> Column:
        condition = self.lower(checked.args[0], active)
        flag = condition.series(self.rows)
        then = self.lower(checked.args[1], active & flag.fill_null(False))
        otherwise = self.lower(checked.args[2], active & (~flag).fill_null(False))
        then, otherwise = arithmetic.unify(then, otherwise)
        chosen = then.take(flag.fill_null(False), otherwise, self.rows)
        return chosen.take(flag.is_not_null(), Column.of(MISSING, chosen.kind), self.rows)

    # ------------------------------------------------------------------ calls

    def call(self, checked: Checked, active: pl.Series) -> Column:
        name = checked.node.function  # type: ignore[attr-defined]
        kind = column_kind(checked)
        if name == "all_known":
            parts = [self.lower(arg, active) for arg in checked.args]
            return arithmetic.all_known(parts, self.rows)
        if name == "coalesce":
            return self.coalesce(checked, active)
        if name == "round_fen":
            part = self.lower(checked.args[0], active)
            mode = checked.args[1].constant
            rounded = arithmetic.round_fen(part, mode, self.rows)
            if rounded is not None:
                column, bad = rounded
                self.fail(bad & active)
                return column
            return self.apply(fen_rounding(mode), [part], active, kind)
        if name in ("lookup", "at"):
            return self.whole(checked, active)
        spec = FUNCTIONS[name]
        if spec.on_calendar is not None:
            return self.on_calendar(checked, active)
        run = spec.run
        if spec.specialise is not None:
            run = spec.specialise(tuple(arg.type for arg in checked.args))
        assert run is not None, f"{name}() has no run-time"
        if len(checked.args) == 3 and all(arg.is_constant for arg in checked.args[1:]):
            parts = [self.lower(arg, active) for arg in checked.args]
        else:
            parts = self.parts_of(checked.args, active)
        if name in _NATIVE_EXTREMES and len(parts) >= 2:
            picked = arithmetic.extreme(name, parts, self.rows)
            if picked is not None:
                column, over = picked
                self.fail(over & self._all_known(parts, active))
                return column
        return self.apply(run, parts, active, kind)

    def coalesce(self, checked: Checked, active: pl.Series) -> Column:
        result: Column | None = None
        pending = active
        for arg in checked.args:
            part = self.lower(arg, pending)
            if result is None:
                result = part
            else:
                result, part = arithmetic.unify(result, part)
                result = result.take(result.known(self.rows), part, self.rows)
            pending = pending & ~result.known(self.rows)
        assert result is not None
        return result

    def on_calendar(self, checked: Checked, active: pl.Series) -> Column:
        """A date function on the working-day calendar: the engine's function, once for each
        distinct date and amount, with the years it reached that have no published schedule."""
        spec = FUNCTIONS[checked.node.function]  # type: ignore[attr-defined]
        parts = [self.lower(arg, active) for arg in checked.args]
        calendar, compute, quick = self.calendar, spec.on_calendar, spec.on_calendar_result
        assert compute is not None

        def run(*values: Any) -> tuple[Any, tuple[int, ...]]:
            if quick is not None:
                result, unpublished = quick(calendar, *values)
                return result, tuple(unpublished)
            computation = compute(calendar, *values)
            return computation.result, tuple(computation.unpublished_years)

        needed = self._all_known(parts, active)
        kind = column_kind(checked)
        lifted = lift(run, parts, needed, self.rows, kind, calendar_years=True)
        return self._lifted(lifted)

    def whole(self, checked: Checked, active: pl.Series) -> Column:
        """A node with no column form: its closure, as the engine compiles it, run once for
        each distinct combination of the slots it reads."""
        symbols = sorted(checked.names(), key=lambda symbol: symbol.slot)
        symbols = [s for s in symbols if s.slot not in self.constants]
        if any(s.slot == self.policy.frame_slot for s in symbols):
            raise NotColumnar("an expression reading the evaluation's frame")
        parts = [self.name_of_symbol(s.slot, s.type) for s in symbols]
        compiled = expression_compiler.compile_expression(
            checked, False, self.constants, self.policy.frame_slot, self.histories
        )
        size = self.policy.frame_slot + 1 + self.policy.bindings
        slots = [s.slot for s in symbols]
        calendar, as_of, as_of_slot = self.calendar, self.as_of, self.policy.as_of_slot

        def run(*values: Any) -> tuple[Any, tuple[int, ...]]:
            frame = _LiftFrame(calendar)
            v: list[Any] = [MISSING] * size
            v[as_of_slot] = as_of
            v[self.policy.frame_slot] = frame
            for slot, value in zip(slots, values, strict=True):
                v[slot] = value
            result = compiled(v)
            years = sorted({y for d in frame.dates for y in d.unpublished_years})
            return result, tuple(years)

        lifted = lift(run, parts, active, self.rows, column_kind(checked), calendar_years=True)
        return self._lifted(lifted)

    def name_of_symbol(self, slot: int, kind: Any) -> Column:
        if slot == self.policy.as_of_slot:
            return Column.of(self.as_of, "date")
        found = self.state.get(slot)
        return found if found is not None else Column.of(MISSING, kind_of(kind))
