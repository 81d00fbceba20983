"""Compile stage 1, names: the sources a policy cites, and every name it declares.

Inputs, parameters and outputs become symbols with a type and a slot in the evaluation's slot
list (inputs first, then parameters, then outputs, then ``outcome``, ``as_of`` and the frame
date functions report to). Outcomes, interpretations and ``report_missing`` lists are checked
here too, since they only name things.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from govrules.compiler.context import Compilation
from govrules.compiler.policy import Interpretation
from govrules.compiler.tables import table_type
from govrules.errors import suggest
from govrules.language.expr import Symbol, Type
from govrules.language.expr.types import DATE, list_type, record_type, scalar
from govrules.language.files import InputModel
from govrules.language.located import LocatedModel
from govrules.records import record

__all__ = [
    "ENGINE_OUTCOMES",
    "Declarations",
    "check_outcomes",
    "check_report_missing",
    "check_test_outcomes",
    "declare",
    "interpretations",
    "resolve_sources",
]

ENGINE_OUTCOMES = ("incomplete", "conflict")
RESERVED_NAMES = ("as_of", "outcome")


@record
class Declarations:
    """The declared symbols in slot order, and the slots that follow them."""

    inputs: tuple[Symbol, ...]
    parameters: tuple[Symbol, ...]
    outputs: tuple[Symbol, ...]

    @property
    def outcome_slot(self) -> int:
        return len(self.inputs) + len(self.parameters) + len(self.outputs)

    @property
    def as_of_slot(self) -> int:
        return self.outcome_slot + 1

    @property
    def frame_slot(self) -> int:
        return self.as_of_slot + 1


def resolve_sources(work: Compilation) -> None:
    """Every entry of ``sources`` names a source document that exists."""
    for alias, document_id in work.model.sources.items():
        if work.document(document_id) is None and document_id not in work.broken_documents:
            span = work.model.entry_span("sources", alias) or work.where(work.model)
            pack = work.sources.elsewhere.get(document_id)
            if pack is not None:
                work.problem(
                    "source-outside-pack",
                    f"source document '{document_id}' is in pack {pack}, which this policy's "
                    "pack does not require",
                    span,
                    f"add {pack} to 'requires' in pack.yaml, or cite a document of this pack",
                )
                continue
            work.problem(
                "unknown-source",
                f"no source document '{document_id}' "
                f"(looked for {document_id}.yaml in the sources folders)",
                span,
                suggest(document_id, work.sources.ids()),
            )


def declare(work: Compilation) -> Declarations:
    """A typed symbol for each input, parameter and output, added to the policy's scope."""
    model = work.model
    slot = 0
    found: dict[str, list[Symbol]] = {"input": [], "parameter": [], "value": []}
    taken: dict[str, str] = {}
    for kind, table in (
        ("input", model.inputs),
        ("parameter", model.parameters),
        ("value", model.outputs),
    ):
        for name, spec in table.items():
            if name in taken:
                work.problem(
                    "duplicate-name",
                    f"'{name}' is both {taken[name]} and {kind}",
                    work.where(spec),
                )
                continue
            if name in RESERVED_NAMES:
                work.problem("reserved-name", f"'{name}' is reserved", work.where(spec))
                continue
            taken[name] = f"an {kind}" if kind == "input" else f"a {kind}"
            declared = _declared_type(work, spec, name)
            optional = kind == "value" or (
                kind == "input"
                and not (
                    getattr(spec, "required", False)
                    and getattr(spec, "required_when", None) is None
                )
            )
            symbol = Symbol(name, declared.as_optional(optional), slot, kind)
            slot += 1
            work.scope.add(symbol)
            found[kind].append(symbol)
    declarations = Declarations(
        tuple(found["input"]), tuple(found["parameter"]), tuple(found["value"])
    )
    work.frame_slot = declarations.frame_slot
    work.scope.add(Symbol("as_of", DATE, declarations.as_of_slot, "context"))
    return declarations


def _declared_type(work: Compilation, spec: Any, name: str) -> Type:
    """The type an input, output or record field declares (``type``, ``values``, ``items``,
    ``fields``); each misuse is reported where it is written."""
    values = (
        tuple(spec.values)
        if getattr(spec, "values", None) and not isinstance(spec.values[0], LocatedModel)
        else None
    )
    if spec.type == "table":
        value = getattr(spec, "value", None)
        if value is None:
            work.problem("table-value", f"table '{name}' has no 'value' type", work.where(spec))
            value_type = Type("error")
        else:
            value_type = _declared_type(work, value, f"{name}.value")
            for bound in _given_bounds(value):
                work.problem(
                    "table-bound",
                    f"table '{name}' has a bound '{bound}' on its values",
                    work.where(value, bound),
                    "a table's rows are its values: write them within the limits instead",
                )
        return table_type(work, spec, name, value_type)
    items = getattr(spec, "items", None)
    fields = getattr(spec, "fields", None)
    if spec.type == "enum" and not values:
        work.problem("enum-values", f"'{name}' is an enum without 'values'", work.where(spec))
    if spec.type == "list" and items is None:
        work.problem("list-items", f"'{name}' is a list without 'items'", work.where(spec))
    if spec.type == "list" and items == "enum" and not values:
        work.problem(
            "enum-values", f"'{name}' is a list of enums without 'values'", work.where(spec)
        )
    is_record = spec.type == "record" or (spec.type == "list" and items == "record")
    if is_record and not fields:
        work.problem(
            "record-fields",
            f"'{name}' is a record without 'fields'",
            work.where(spec),
            "add fields: {name: text, date: date, ...}",
        )
    if fields and not is_record:
        work.problem(
            "record-fields",
            f"'{name}' has 'fields' but is not a record or a list of records",
            work.where(spec, "fields"),
        )
    if is_record:
        record = record_type(
            tuple(
                (field_name, _field_type(work, spec, field_name, field_spec, name))
                for field_name, field_spec in (fields or {}).items()
            )
        )
        return record if spec.type == "record" else list_type(record)
    return scalar(
        spec.type,
        values if spec.type == "enum" else None,
        items,
        values if spec.type == "list" else None,
    )


def _field_type(work: Compilation, owner: Any, name: str, spec: Any, owner_name: str) -> Type:
    if spec.span_of() is None:  # written as its type alone (date: date): locate it by its key
        spec.locate_at(owner.entry_span("fields", name))
    declared = _declared_type(work, spec, f"{owner_name}.{name}")
    if isinstance(owner, InputModel):
        check_bounds(work, spec, declared)
    else:
        for bound in _given_bounds(spec):
            work.problem(
                "field-bound",
                f"'{owner_name}.{name}' has a bound '{bound}', but only an input's fields "
                "are checked against bounds",
                work.where(spec, bound),
            )
    return declared.as_optional(not spec.required)


BOUNDS = ("gt", "ge", "lt", "le")


def _given_bounds(spec: Any) -> list[str]:
    return [bound for bound in BOUNDS if getattr(spec, bound, None) is not None]


def check_bounds(work: Compilation, spec: Any, declared: Type) -> None:
    """An input's or a record field's bounds fit its type: a date for a date, a number for a
    number."""
    for bound in _given_bounds(spec):
        limit = getattr(spec, bound)
        fits = (isinstance(limit, dt.date) and declared.kind == "date") or (
            isinstance(limit, (int, Decimal)) and declared.numeric
        )
        if not fits:
            work.problem(
                "type-mismatch",
                f"'{bound}: {limit}' does not fit a {declared.kind} value",
                work.where(spec, bound),
            )


def check_outcomes(work: Compilation) -> None:
    """The default outcome is one of the outcomes; none is one the engine gives itself."""
    outcome = work.model.outcome
    if outcome.default not in outcome.values:
        work.problem(
            "unknown-outcome",
            f"default outcome '{outcome.default}' is not in 'values'",
            work.where(outcome, "default"),
        )
    for reserved in ENGINE_OUTCOMES:
        if reserved in outcome.values:
            work.problem(
                "reserved-outcome",
                f"'{reserved}' is given by the engine itself",
                work.where(outcome, "values"),
            )


def interpretations(work: Compilation) -> dict[str, Interpretation]:
    """The policy's written readings of ambiguous texts, by id, with their citations."""
    found: dict[str, Interpretation] = {}
    for note in work.model.interpretations:
        if note.id in found:
            work.problem(
                "duplicate-interpretation",
                f"interpretation '{note.id}' is defined twice",
                work.where(note, "id"),
            )
        found[note.id] = Interpretation(note.id, note.en, note.zh, work.citations(note.cite, note))
    return found


def check_report_missing(work: Compilation) -> None:
    """Each fact an output's ``report_missing`` names is an input."""
    model = work.model
    for name, spec in model.outputs.items():
        for fact in spec.report_missing if isinstance(spec.report_missing, tuple) else ():
            if fact not in model.inputs:
                work.problem(
                    "unknown-name",
                    f"'{fact}' in report_missing of '{name}' is not an input",
                    work.where(spec, "report_missing"),
                    suggest(fact, model.inputs),
                )


def check_test_outcomes(work: Compilation) -> None:
    """Each outcome a test of the policy expects is one its rules or the engine can give: a
    test expecting another could never pass, whatever the rules did."""
    possible = (*work.model.outcome.values, *ENGINE_OUTCOMES)
    for test in work.model.tests:
        expected = test.expect.outcome
        if expected is not None and expected not in possible:
            work.problem(
                "unknown-outcome",
                f"test '{test.name}' expects the outcome '{expected}', which is not one of "
                f"{', '.join(possible)}",
                work.where(test.expect, "outcome"),
                suggest(expected, possible),
            )


def check_other_laws(work: Compilation) -> None:
    """The names a ``superior:`` or ``related:`` entry uses on this policy's side exist: the
    inputs it passes on, the outputs it compares, the inputs of ``when`` (an enum or bool
    input, with values it can take) and ``facts_date`` (a date input). The other policy's
    side is checked when every policy is loaded (``compiler/loading.py``)."""
    model = work.model
    for group in ("superior", "related"):
        for entry in getattr(model, group):
            for other_input, mine in entry.inputs.items():
                if mine not in model.inputs:
                    work.problem(
                        "unknown-input",
                        f"{group} {entry.policy}: '{mine}' (passed as its '{other_input}') is "
                        "not an input of this policy",
                        entry.entry_span("inputs", other_input) or work.where(entry),
                        suggest(mine, model.inputs),
                    )
            for mine in entry.outputs:
                if mine not in model.outputs:
                    work.problem(
                        "unknown-output",
                        f"{group} {entry.policy}: '{mine}' is not an output of this policy",
                        entry.entry_span("outputs", mine) or work.where(entry),
                        suggest(mine, model.outputs),
                    )
            for name, wanted in entry.when.items():
                spec = model.inputs.get(name)
                span = entry.entry_span("when", name) or work.where(entry)
                allowed: tuple[object, ...] = (
                    (True, False) if spec is not None and spec.type == "bool" else ()
                )
                if spec is not None and spec.type == "enum":
                    allowed = tuple(spec.values or ())
                if not allowed:
                    work.problem(
                        "invalid-when",
                        f"{group} {entry.policy}: when '{name}' must name an enum or bool input "
                        "of this policy",
                        span,
                    )
                    continue
                for value in wanted if isinstance(wanted, list) else [wanted]:
                    if value not in allowed or type(value) is not type(allowed[0]):
                        work.problem(
                            "invalid-when",
                            f"{group} {entry.policy}: {value!r} is not a value of '{name}' "
                            f"({', '.join(str(a) for a in allowed)})",
                            span,
                        )
            date = entry.facts_date
            if date is not None and getattr(model.inputs.get(date), "type", None) != "date":
                work.problem(
                    "invalid-facts-date",
                    f"{group} {entry.policy}: facts_date '{date}' must be a date input of "
                    "this policy",
                    work.where(entry, "facts_date"),
                )
