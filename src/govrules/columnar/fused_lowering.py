"""Lowering checked expressions to lazy polars expressions at fixed scales (``fused.py``): the
twin of ``lowering.py`` for value columns, building one query instead of computing each node.

    lowering = FusedLowering(policy, program, as_of, calendar)
    lowering.state[slot] = price                    # the inputs, as lazy columns
    value = lowering.lower(rule.condition, active)  # an expression over the frame
    lowering.failed                                 # rows the per-case engine must decide

The nodes and their short circuits are ``lowering.py``'s (the compiler says which nodes are
constant; a part the closure would not evaluate for a row is not *active* there). What has
no column form runs the engine's own function once for each distinct combination of its
arguments, inside the query (``map_batches``); a function of decimals that returns a text
would write the engine's digits, which these columns do not keep, so it is not lowered
(``NotColumnar``: the batch is decided by ``lowering.py``).
"""

from __future__ import annotations

import datetime as dt
import operator
from collections.abc import Callable
from decimal import localcontext
from typing import Any

import polars as pl

from govrules.calendar import WorkingDayCalendar
from govrules.columnar import fused
from govrules.columnar.columns import KINDS, LIMIT, NotColumnar, kind_of, to_python_value
from govrules.columnar.fused import DTYPES, Lazy
from govrules.columnar.lowering import _COMPARISONS, _LiftFrame, column_kind
from govrules.compiler.policy import CompiledPolicy, Program
from govrules.language.expr import compiler as expression_compiler
from govrules.language.expr.ast import Binary, Call, Conditional, Literal, Name, Unary
from govrules.language.expr.checked import Checked
from govrules.language.expr.closures import Code
from govrules.language.expr.functions import FUNCTIONS
from govrules.language.expr.functions.numbers import fen_rounding
from govrules.runtime.evaluation import DECIMAL_CONTEXT
from govrules.values import MISSING

__all__ = ["LIFTED_SCALE", "FusedLowering"]

_EXTREMES = frozenset({"min", "max", "clamp"})
# the places of a decimal computed by the engine's own function (more: the row goes per case);
# amounts and rates have far fewer, and every place costs a digit of the 37 a row may use
LIFTED_SCALE = 10


class FusedLowering:
    """The lazy columns of one evaluation: inputs and values by slot, and the failed rows."""

    def __init__(
        self,
        policy: CompiledPolicy,
        program: Program,
        as_of: dt.date,
        calendar: WorkingDayCalendar,
    ) -> None:
        self.policy = policy
        self.as_of = as_of
        self.calendar = calendar
        self.constants = {
            p.slot: value for p, value in zip(policy.parameters, program.parameters, strict=True)
        }
        self.histories = {p.slot: p for p in policy.parameters}
        self._compiler = expression_compiler._Compiler(
            False, self.constants, policy.frame_slot, self.histories
        )
        self._codes: dict[int, tuple[Checked, Code]] = {}
        self.state: dict[int, Lazy] = {}
        self.failures: list[pl.Expr] = []
        # a value made a column of the query's own (``fused_values.Query.let``): an engine's
        # function runs once for the table, however many nodes read its result
        self.let: Callable[[Lazy], Lazy] = lambda part: part

    @property
    def failed(self) -> pl.Expr:
        if not self.failures:
            return pl.lit(False)
        return pl.any_horizontal(self.failures).fill_null(False)

    def code(self, checked: Checked) -> Code:
        found = self._codes.get(id(checked))
        if found is None or found[0] is not checked:
            found = self._codes[id(checked)] = (checked, self._compiler.compile(checked))
        return found[1]

    def fail(self, rows: pl.Expr | None, active: pl.Expr | None = None) -> None:
        if rows is not None:
            self.failures.append(rows if active is None else rows & active)

    # ------------------------------------------------------------------ nodes

    def lower(self, checked: Checked, active: pl.Expr) -> Lazy:
        code = self.code(checked)
        if code.constant:
            if isinstance(code.value, tuple):
                return Lazy(kind="list", value=code.value)
            return Lazy.of(code.value, column_kind(checked))
        node = checked.node
        if any(arg.type.kind not in KINDS and not self.code(arg).constant for arg in checked.args):
            return self.whole(checked, active)
        if isinstance(node, Literal):
            return Lazy.of(node.value, column_kind(checked))
        if isinstance(node, Name):
            return self.name(checked)
        if isinstance(node, Call) and node.function == "given":
            part = self.lower(checked.args[0], active)
            return (
                Lazy.of(not part.missing, "bool") if part.constant else Lazy("bool", part.known())
            )
        comparison = isinstance(node, Binary) and node.op in _COMPARISONS
        if comparison and expression_compiler._divides(checked):
            return self.whole(checked, active)
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
        return self.whole(checked, active)

    def name(self, checked: Checked) -> Lazy:
        symbol = checked.symbol
        assert symbol is not None
        if symbol.origin == "variable":
            raise NotColumnar(f"the variable {symbol.name} outside its comprehension")
        if symbol.slot == self.policy.as_of_slot:
            return Lazy.of(self.as_of, "date")
        if symbol.slot in self.constants:
            return Lazy.of(self.constants[symbol.slot], column_kind(checked))
        found = self.state.get(symbol.slot)
        return Lazy.of(MISSING, column_kind(checked)) if found is None else found

    def unary(self, checked: Checked, active: pl.Expr) -> Lazy:
        op = checked.node.op  # type: ignore[attr-defined]
        part = self.lower(checked.args[0], active)
        if op == "not":
            return Lazy("bool", ~part.e())
        if part.kind == "dec":
            return fused.negated(part)
        if part.kind == "int":
            return Lazy("int", -part.e())
        return self.apply(operator.neg, [part], active, column_kind(checked))

    def parts_of(self, args: tuple[Checked, ...], active: pl.Expr) -> list[Lazy]:
        if len(args) == 2:
            first = self.lower(args[0], active)
            return [first, self.lower(args[1], active & first.known())]
        return [self.lower(arg, active) for arg in args]

    def _all_known(self, parts: list[Lazy], active: pl.Expr) -> pl.Expr:
        needed = active
        for part in parts:
            if not part.constant:
                needed = needed & part.known()
        return needed

    def binary(self, checked: Checked, active: pl.Expr) -> Lazy:
        op = checked.node.op  # type: ignore[attr-defined]
        kind = column_kind(checked)
        a, b = self.parts_of(checked.args, active)
        if op in _COMPARISONS:
            compared = fused.compare(op, a, b)
            if compared is not None:
                self.fail(compared[1], active)
                return compared[0]
            return self.apply(_COMPARISONS[op], [a, b], active, kind)
        if op in ("in", "not in") and b.constant and b.kind == "list":
            items = b.value
            if a.kind in ("str", "int", "date", "bool") and all(
                type(item) is type(items[0]) for item in items
            ):
                found = a.e().is_in(list(items))
                return Lazy("bool", ~found if op == "not in" else found)
        if op in ("+", "-", "*"):
            computed = fused.arithmetic(op, a, b)
            if computed is not None:
                self.fail(computed[1], active)
                return computed[0]
        return self.apply(expression_compiler._OPERATORS[op], [a, b], active, kind)

    def logic(self, checked: Checked, active: pl.Expr) -> Lazy:
        stop = checked.node.op == "or"  # type: ignore[attr-defined]
        a = self.lower(checked.args[0], active)
        if a.constant and a.value is (not stop):
            return self.lower(checked.args[1], active)
        undecided = (a.e() != stop).fill_null(True)
        b = self.lower(checked.args[1], active & undecided)
        if b.constant and b.value is (not stop):
            return a
        return Lazy("bool", (a.e() | b.e()) if stop else (a.e() & b.e()))

    def conditional(self, checked: Checked, active: pl.Expr) -> Lazy:
        flag = self.lower(checked.args[0], active).e()
        then = self.lower(checked.args[1], active & flag.fill_null(False))
        otherwise = self.lower(checked.args[2], active & (~flag).fill_null(False))
        chosen, over = fused.take(flag.fill_null(False), then, otherwise)
        self.fail(over, active)
        kept = pl.when(flag.is_not_null()).then(chosen.e())
        return Lazy(chosen.kind, kept, MISSING, chosen.scale, chosen.bound)

    def call(self, checked: Checked, active: pl.Expr) -> Lazy:
        name = checked.node.function  # type: ignore[attr-defined]
        kind = column_kind(checked)
        if name == "all_known":
            flags = [self.lower(arg, active).e() for arg in checked.args]
            any_false = pl.any_horizontal([(f == False).fill_null(False) for f in flags])  # noqa: E712
            any_known = pl.any_horizontal([f.is_not_null() for f in flags])
            return Lazy("bool", pl.when(any_false).then(False).when(any_known).then(True))
        if name == "coalesce":
            return self.coalesce(checked, active)
        if name == "round_fen":
            part = self.lower(checked.args[0], active)
            mode = checked.args[1].constant
            rounded = fused.round_fen(part, mode)
            if rounded is not None:
                self.fail(rounded[1], active)
                return rounded[0]
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
        if name in _EXTREMES and len(parts) >= 2:
            picked = fused.extreme(name, parts)
            if picked is not None:
                self.fail(picked[1], active)
                return picked[0]
        return self.apply(run, parts, active, kind)

    def coalesce(self, checked: Checked, active: pl.Expr) -> Lazy:
        result: Lazy | None = None
        pending = active
        for arg in checked.args:
            part = self.lower(arg, pending)
            if result is None:
                result = part
            else:
                result, over = fused.take(result.known(), result, part)
                self.fail(over, active)
            pending = pending & ~result.known()
        assert result is not None
        return result

    def on_calendar(self, checked: Checked, active: pl.Expr) -> Lazy:
        spec = FUNCTIONS[checked.node.function]  # type: ignore[attr-defined]
        parts = [self.lower(arg, active) for arg in checked.args]
        calendar, compute, quick = self.calendar, spec.on_calendar, spec.on_calendar_result
        assert compute is not None

        def run(*values: Any) -> Any:
            if quick is not None:
                return quick(calendar, *values)[0]
            return compute(calendar, *values).result

        return self.apply(run, parts, active, column_kind(checked))

    def whole(self, checked: Checked, active: pl.Expr) -> Lazy:
        """A node with no column form: its closure, once per distinct combination of the
        slots it reads."""
        symbols = sorted(checked.names(), key=lambda symbol: symbol.slot)
        symbols = [s for s in symbols if s.slot not in self.constants]
        if any(s.slot == self.policy.frame_slot for s in symbols):
            raise NotColumnar("an expression reading the evaluation's frame")
        parts = []
        for symbol in symbols:
            if symbol.slot == self.policy.as_of_slot:
                parts.append(Lazy.of(self.as_of, "date"))
            else:
                found = self.state.get(symbol.slot)
                parts.append(found if found is not None else Lazy.of(MISSING, kind_of(symbol.type)))
        compiled = expression_compiler.compile_expression(
            checked, False, self.constants, self.policy.frame_slot, self.histories
        )
        size = self.policy.frame_slot + 1 + self.policy.bindings
        slots = [s.slot for s in symbols]
        calendar, as_of, as_of_slot = self.calendar, self.as_of, self.policy.as_of_slot
        frame_slot = self.policy.frame_slot

        def run(*values: Any) -> Any:
            v: list[Any] = [MISSING] * size
            v[as_of_slot] = as_of
            v[frame_slot] = _LiftFrame(calendar)
            for slot, value in zip(slots, values, strict=True):
                v[slot] = value
            return compiled(v)

        return self.lift(run, parts, active, column_kind(checked))

    def apply(
        self, function: Callable[..., Any], parts: list[Lazy], active: pl.Expr, kind: str
    ) -> Lazy:
        """``function`` of the parts where they are all known."""
        return self.lift(function, parts, self._all_known(parts, active), kind)

    def lift(
        self, function: Callable[..., Any], parts: list[Lazy], needed: pl.Expr, kind: str
    ) -> Lazy:
        """``function(*values)`` for each distinct row of values where ``needed``, inside the
        query; a row whose computation fails, or whose result the column cannot hold, fails."""
        if kind == "str" and any(part.kind == "dec" for part in parts):
            raise NotColumnar("a text computed from decimals (the engine's digits)")
        if kind == "list" or any(part.kind == "list" and not part.constant for part in parts):
            raise NotColumnar("a list computed row by row")
        fields = {"n": needed.fill_null(False)}
        for index, part in enumerate(parts):
            if not part.constant:
                fields[f"a{index}"] = part.e()
        result_type = pl.Struct({"r": DTYPES[kind], "f": pl.Boolean})

        def run(series: pl.Series) -> pl.Series:
            return _lifted(function, parts, kind, series)

        packed = pl.struct([expr.alias(name) for name, expr in fields.items()])
        out = self.let(Lazy("struct", packed.map_batches(run, return_dtype=result_type))).e()
        self.fail(out.struct.field("f"))
        value = out.struct.field("r")
        if kind == "dec":
            return Lazy.number(value, LIFTED_SCALE, LIMIT)
        return Lazy(kind, value)


def _lifted(
    function: Callable[..., Any], parts: list[Lazy], kind: str, series: pl.Series
) -> pl.Series:
    frame = series.struct.unnest()
    keys = [name for name in frame.columns if name != "n"]
    if keys:
        distinct = frame.filter(pl.col("n")).select(keys).unique(maintain_order=True)
        height = distinct.height
    else:  # every part a constant: one computation serves every row
        distinct, height = frame.clear(), 1 if frame["n"].any() else 0
    arguments = []
    for index, part in enumerate(parts):
        if part.constant:
            arguments.append([part.value] * height)
        else:
            cells = distinct[f"a{index}"].to_list()
            arguments.append([fused.python_value(part.kind, v, part.scale) for v in cells])
    results: list[Any] = []
    failures: list[bool] = []
    with localcontext(DECIMAL_CONTEXT):
        for values in zip(*arguments, strict=True) if arguments else [()] * height:
            try:
                held, failed = _held(function(*values), kind), False
            except Exception:  # noqa: BLE001 - the engine decides the row and reports it
                held, failed = None, True
            results.append(held)
            failures.append(failed)
    if keys:
        answers = distinct.with_columns(
            pl.Series("~r", results, DTYPES[kind]), pl.Series("~f", failures, pl.Boolean)
        )
        frame = frame.join(answers, on=keys, how="left", nulls_equal=True, maintain_order="left")
    else:
        frame = frame.with_columns(
            pl.lit(results[0] if results else None, dtype=DTYPES[kind]).alias("~r"),
            pl.lit(bool(failures and failures[0])).alias("~f"),
        )
    return frame.select(
        r=pl.when(pl.col("n")).then(pl.col("~r")),
        f=(pl.col("n") & pl.col("~f")).fill_null(False),
    ).to_struct()


def _held(value: Any, kind: str) -> Any:
    """A function's result in the column's encoding (``ValueError`` when it cannot be)."""
    held, exponent = to_python_value(value, kind)
    if kind != "dec" or held is None:
        return held
    shift = exponent + LIFTED_SCALE
    if shift < 0:
        if held % 10**-shift:
            raise ValueError("more places than the column keeps")
        return held // 10**-shift
    held *= 10**shift
    if abs(held) >= LIMIT:
        raise ValueError("too many digits")
    return held
