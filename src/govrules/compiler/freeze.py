"""Compile stage 5, freeze: ordered drafts become the immutable ``CompiledPolicy``.

Each rule learns its index, the rules that defeat it, the inputs it depends on (directly and
through the values it reads) and the parameters it reads; each output learns the optional
inputs it may need, for the missing-facts report. The content hash covers the policy file and
every source document it cites.
"""

from __future__ import annotations

import hashlib
from typing import Any

from govrules.compiler.context import Compilation, RuleDraft
from govrules.compiler.names import Declarations
from govrules.compiler.policy import (
    CompiledInput,
    CompiledOutput,
    CompiledParameter,
    CompiledPolicy,
    CompiledRule,
    Interpretation,
)
from govrules.language.expr import Checked, Symbol
from govrules.language.expr.ast import Call
from govrules.language.files import OutputModel

__all__ = ["freeze"]


def freeze(
    work: Compilation,
    declarations: Declarations,
    inputs: tuple[CompiledInput, ...],
    parameters: tuple[CompiledParameter, ...],
    ordered: list[RuleDraft],
    interpretations: dict[str, Interpretation],
    raw: bytes,
) -> CompiledPolicy:
    rules, value_inputs = _rules(ordered, declarations.outcome_slot)
    input_names = {s.slot: s.name for s in declarations.inputs}
    optional_inputs = {s.slot for s in declarations.inputs if s.type.optional}
    outputs = tuple(
        _output(
            s,
            work.model.outputs[s.name],
            value_inputs.get(s.slot, frozenset()),
            input_names,
            optional_inputs,
        )
        for s in declarations.outputs
    )
    return CompiledPolicy(
        model=work.model,
        path=work.path,
        content_hash=_content_hash(work, raw),
        inputs=inputs,
        parameters=parameters,
        outputs=outputs,
        rules=rules,
        outcome_slot=declarations.outcome_slot,
        as_of_slot=declarations.as_of_slot,
        frame_slot=declarations.frame_slot,
        interpretations=tuple(interpretations.values()),
        bindings=work.bindings,
        pack=work.pack,
    )


def _rules(
    ordered: list[RuleDraft], outcome_slot: int
) -> tuple[tuple[CompiledRule, ...], dict[int, frozenset[int]]]:
    """The compiled rules, and for each value slot the input slots it depends on."""
    index_of = {draft.id: i for i, draft in enumerate(ordered)}
    defeated_by: dict[str, list[int]] = {}
    for draft in ordered:
        for target in draft.defeats:
            defeated_by.setdefault(target, []).append(index_of[draft.id])
    # inputs each value depends on, through the rules that set it (rules are in order)
    value_inputs: dict[int, set[int]] = {}
    rules = []
    known: dict[int, tuple[Checked, set[str]]] = {}  # by id: drafts share checked trees

    def figures(checked: Checked) -> set[str]:
        found = known.get(id(checked))
        if found is None:
            found = known[id(checked)] = (checked, _figures(checked))
        return found[1]

    for i, draft in enumerate(ordered):
        reads = draft.reads()
        inputs: set[int] = set()
        for symbol in reads:
            if symbol.origin == "input":
                inputs.add(symbol.slot)
            elif symbol.origin == "value":
                inputs |= value_inputs.get(symbol.slot, set())
        sets: list[tuple[int, str, Checked | None, Any]] = []
        for symbol, checked in draft.sets:
            value_inputs.setdefault(symbol.slot, set()).update(inputs)
            sets.append((symbol.slot, symbol.name, checked, None))
        if draft.outcome is not None:
            sets.append((outcome_slot, "outcome", None, draft.outcome))
        condition, title = draft.condition, draft.title
        always = condition is None or (condition.is_constant and condition.constant is True)
        in_condition = sorted(figures(condition) if condition else ())
        in_sets = sorted(
            {name for _, checked in draft.sets for name in figures(checked)} - set(in_condition)
        )
        rules.append(
            CompiledRule(
                id=draft.id,
                index=i,
                title_en=title.en if title else None,
                title_zh=title.zh if title else None,
                condition_text=draft.when_text,
                condition=None if always else condition,
                sets=tuple(sets),
                notice=draft.notice,
                citations=draft.citations,
                interpretations=draft.interpretations,
                defeated_by=tuple(sorted(defeated_by.get(draft.defeated_as or draft.id, ()))),
                input_slots=frozenset(inputs),
                reads=tuple(sorted((s.name, s.slot, s.origin) for s in reads)),
                condition_parameters=tuple(in_condition),
                set_parameters=tuple(in_sets),
                span=draft.span,
                kind=draft.kind,
            )
        )
    return tuple(rules), {slot: frozenset(v) for slot, v in value_inputs.items()}


def _figures(checked: Checked) -> set[str]:
    """The parameters an expression reads as they are in force on the decision's date: not a
    table (its lookup records the row) nor the parameter of ``at`` (it records its own date)."""
    found: set[str] = set()
    stack = [checked]
    while stack:
        node = stack.pop()
        args = node.args
        if isinstance(node.node, Call) and node.node.function == "at":
            args = args[1:]
        symbol = node.symbol
        if symbol is not None and symbol.origin == "parameter" and symbol.type.kind != "table":
            found.add(symbol.name)
        stack.extend(args)
    return found


def _output(
    symbol: Symbol,
    spec: OutputModel,
    inputs: frozenset[int],
    input_names: dict[int, str],
    optional_inputs: set[int],
) -> CompiledOutput:
    title = spec.title
    if isinstance(spec.report_missing, tuple):
        needed = spec.report_missing
    else:
        needed = tuple(input_names[i] for i in sorted(inputs) if i in optional_inputs)
    return CompiledOutput(
        symbol.name,
        symbol.slot,
        symbol.type,
        spec.internal,
        spec.collect,
        bool(spec.report_missing),
        needed,
        title.zh if title else None,
        title.en if title else spec.description,
        tuple(input_names[i] for i in sorted(inputs)),
        spec.precision,
        spec.default is not None,
    )


def _content_hash(work: Compilation, raw: bytes) -> str:
    digest = hashlib.sha256(raw)
    for document_id in sorted(work.cited_documents):
        document = work.sources.get(document_id)
        assert document is not None
        digest.update(document.content_hash.encode())
    return digest.hexdigest()
