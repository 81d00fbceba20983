"""Compile stage 2a, declarations: inputs and parameters, typed and cited.

An input's ``required_when`` is checked against the inputs alone and its bounds against its
type; a parameter's effective-dated values are checked against its type, ordered, cited, and
must cover the policy from its first day.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from govrules.citations import Citation
from govrules.compiler.context import Compilation, InputsOnly
from govrules.compiler.names import check_bounds
from govrules.compiler.policy import CompiledInput, CompiledParameter, ParameterValue
from govrules.compiler.tables import Table, build_table
from govrules.language.expr import Symbol, Type, compile_expression

__all__ = ["check_effective", "compile_inputs", "compile_parameters"]


def check_effective(work: Compilation) -> None:
    """The policy's last day in force (``to``, included) is not before its first."""
    period = work.model.effective
    if period.to is not None and not period.undated and period.to < period.start:
        work.problem(
            "effective-order",
            f"the policy is in force to {period.to}, before it comes into force on {period.start}",
            work.where(period, "to"),
            "'to' is the last day in force: a date on or after 'from' (or drop it)",
        )


def compile_inputs(work: Compilation, symbols: tuple[Symbol, ...]) -> tuple[CompiledInput, ...]:
    compiled = []
    inputs_scope = InputsOnly(work.scope)
    for symbol in symbols:
        spec = work.model.inputs[symbol.name]
        condition = None
        if spec.required_when is not None:
            if spec.required:
                work.problem(
                    "required-twice",
                    f"'{symbol.name}' has both 'required' and 'required_when'",
                    work.where(spec, "required_when"),
                )
            checked = work.expression(
                spec.required_when, work.where(spec, "required_when"), inputs_scope
            )
            if checked is not None and checked.type.kind != "bool":
                work.problem(
                    "type-mismatch",
                    f"required_when must be a bool, got {checked.type}",
                    work.where(spec, "required_when"),
                )
            elif checked is not None:
                condition = compile_expression(checked, frame_slot=work.frame_slot)
        check_bounds(work, spec, symbol.type)
        compiled.append(
            CompiledInput(
                symbol.name,
                symbol.slot,
                symbol.type,
                spec.required,
                condition,
                spec.required_when if isinstance(spec.required_when, str) else None,
                work.citations(spec.cite, spec),
                spec.title.zh if spec.title else None,
                spec.title.en if spec.title else spec.description,
                spec.span_of(),
            )
        )
    return tuple(compiled)


def compile_parameters(
    work: Compilation, symbols: tuple[Symbol, ...]
) -> tuple[CompiledParameter, ...]:
    compiled = []
    for symbol in symbols:
        spec = work.model.parameters[symbol.name]
        values: list[ParameterValue] = []
        previous: dt.date | None = None
        for entry in spec.values:
            if symbol.type.kind == "table":
                value, citations = _table_value(work, symbol, spec, entry)
            else:
                value, citations = _scalar_value(work, symbol, spec, entry)
            if previous is not None and entry.start <= previous:
                work.problem(
                    "parameter-order",
                    f"values of '{symbol.name}' must be in increasing 'from' order",
                    work.where(entry, "from_"),
                )
            previous = entry.start
            values.append(
                ParameterValue(entry.start, value, citations, entry.unverified, entry.note)
            )
        if values and values[0].effective_from > work.model.effective.start:
            work.problem(
                "parameter-gap",
                f"'{symbol.name}' has no value from the policy's "
                f"start {work.model.effective.from_}",
                work.where(spec.values[0]),
            )
        compiled.append(
            CompiledParameter(
                symbol.name,
                symbol.slot,
                symbol.type,
                tuple(values),
                tuple(v.effective_from for v in values),
            )
        )
    return tuple(compiled)


def _scalar_value(
    work: Compilation, symbol: Symbol, spec: Any, entry: Any
) -> tuple[Any, tuple[Citation, ...]]:
    if entry.rows is not None or entry.value is None:
        work.problem(
            "parameter-value",
            f"parameter '{symbol.name}' takes a 'value' (only a table has 'rows')",
            work.where(entry),
        )
    if not (entry.cite or spec.cite):
        work.problem(
            "uncited-number",
            f"parameter '{symbol.name}' value from {entry.from_} has no citation",
            work.where(entry),
            "add 'cite: source#clause' to the value or the parameter",
        )
    citations = work.citations(entry.cite, entry) if entry.cite else work.citations(spec.cite, spec)
    return typed_value(work, symbol.name, symbol.type, entry.value, entry), citations


def _table_value(
    work: Compilation, symbol: Symbol, spec: Any, entry: Any
) -> tuple[Table, tuple[Citation, ...]]:
    """One version of a table: its rows, each cited; the version cites what its rows cite."""
    if entry.value is not None or not entry.rows:
        work.problem(
            "parameter-value",
            f"table '{symbol.name}' takes 'rows' (a list of keyed, cited rows), not a 'value'",
            work.where(entry),
        )
    value_type = symbol.type.item or symbol.type

    def convert(value: Any, row: Any) -> Any:
        return typed_value(work, symbol.name, value_type, value, row)

    table = build_table(work, symbol.name, symbol.type, spec, entry, convert)
    work.tables.setdefault(symbol.name, []).append(table)
    citations = tuple(dict.fromkeys(c for row in table.rows() for c in row.citations))
    return table, citations


def typed_value(work: Compilation, name: str, declared: Type, value: Any, node: Any) -> Any:
    """The value as the type declares it (a Decimal for every decimal kind), or reported."""
    kind = declared.kind
    ok = (
        (kind == "bool" and isinstance(value, bool))
        or (kind == "integer" and isinstance(value, int) and not isinstance(value, bool))
        or (
            kind in ("decimal", "money", "rate")
            and isinstance(value, (int, Decimal))
            and not isinstance(value, bool)
        )
        or (kind == "date" and isinstance(value, dt.date))
        or (kind == "text" and isinstance(value, str))
        or (kind == "enum" and isinstance(value, str) and value in (declared.values or ()))
    )
    if not ok:
        work.problem(
            "type-mismatch",
            f"parameter '{name}' is {declared} but the value {value!r} is not",
            work.where(node, "value"),
            "write true or false" if kind == "bool" else None,
        )
        return value
    if kind in ("decimal", "money", "rate"):
        return Decimal(value)
    return value
