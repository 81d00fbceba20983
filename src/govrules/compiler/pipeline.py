"""Compile a policy file: resolve names → check types → order dependencies → freeze.

Each stage adds diagnostics instead of stopping, so that an author sees every problem of a
file in one run. The result is a ``CompiledPolicy`` or a ``PolicyLoadError`` listing them all.

    compiled = compile_policy(model, path="policies/x.yaml", sources=library, raw=b"...")
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from govrules.citations import Citation
from govrules.compiler.policy import (
    CompiledInput,
    CompiledOutput,
    CompiledParameter,
    CompiledPolicy,
    CompiledRule,
    Interpretation,
    Notice,
    ParameterValue,
)
from govrules.errors import Diagnostic, PolicyLoadError, suggest
from govrules.language.expr import (
    Checked,
    ExpressionSyntaxError,
    Symbol,
    Type,
    check,
    compile_expression,
    parse_expression,
)
from govrules.language.expr.types import DATE, PLAIN, scalar
from govrules.language.files import OutputModel, PolicyModel, RuleModel, _Node
from govrules.language.sources import SourceDocument, SourceLibrary
from govrules.spans import SourceSpan

__all__ = ["compile_policy"]

ENGINE_OUTCOMES = ("incomplete", "conflict")


class _Scope:
    def __init__(self) -> None:
        self.symbols: dict[str, Symbol] = {}

    def add(self, symbol: Symbol) -> None:
        self.symbols[symbol.name] = symbol

    def lookup(self, name: str) -> Symbol | None:
        return self.symbols.get(name)

    def names(self) -> Iterable[str]:
        return self.symbols.keys()


class _InputsOnly(_Scope):
    """The scope of ``required_when``: inputs and ``as_of`` only."""

    def __init__(self, full: _Scope) -> None:
        super().__init__()
        self.symbols = {n: s for n, s in full.symbols.items() if s.origin in ("input", "context")}


class _Compilation:
    def __init__(self, model: PolicyModel, path: str, sources: SourceLibrary) -> None:
        self.model, self.path, self.sources = model, path, sources
        self.problems: list[Diagnostic] = []
        self.scope = _Scope()
        self.cited_documents: set[str] = set()
        self.broken_documents: set[str] = set()
        self.frame_slot = -1

    # ------------------------------------------------------------------ helpers

    def where(self, node: _Node, field: str | None = None) -> SourceSpan:
        return node.span_of(field) or SourceSpan(self.path, 1, 1)

    def problem(self, code: str, message: str, span: SourceSpan, hint: str | None = None) -> None:
        self.problems.append(Diagnostic(code, message, span, hint))

    def citations(
        self, refs: Iterable[str] | None, node: _Node, field: str = "cite"
    ) -> tuple[Citation, ...]:
        """Resolve ``alias#clause`` references; report each that reaches nothing."""
        found: list[Citation] = []
        for ref in refs or ():
            span = self.where(node, field)
            alias, sep, clause = ref.partition("#")
            if not sep or not clause:
                self.problem(
                    "bad-citation",
                    f"'{ref}' is not of the form source#clause",
                    span,
                    "for example wage#art4.item1",
                )
                continue
            document_id = self.model.sources.get(alias)
            if document_id is None:
                self.problem(
                    "unknown-source",
                    f"'{alias}' is not one of this policy's sources",
                    span,
                    suggest(alias, self.model.sources),
                )
                continue
            document = self.document(document_id)
            if document is None:
                continue  # reported once, for the 'sources' entry
            citation = document.citation(clause)
            if citation is None:
                self.problem(
                    "unknown-clause",
                    f"'{document_id}' has no clause '{clause}'",
                    span,
                    suggest(clause, document.model.clauses),
                )
                continue
            self.cited_documents.add(document_id)
            found.append(citation)
        return tuple(found)

    def expression(
        self, text: str | bool, span: SourceSpan, scope: _Scope | None = None
    ) -> Checked | None:
        source = ("true" if text else "false") if isinstance(text, bool) else text
        try:
            tree = parse_expression(source)
        except ExpressionSyntaxError as error:
            self.problem("syntax", error.message, span.shifted(error.offset))
            return None
        checked, issues = check(tree, scope or self.scope)
        for issue in issues:
            self.problem(issue.code, issue.message, span.shifted(issue.offset), issue.hint)
        return None if issues else checked

    # ------------------------------------------------------------------ stage 1: names

    def document(self, document_id: str) -> SourceDocument | None:
        """The source document, or ``None``; a broken source file is reported only once."""
        try:
            return self.sources.get(document_id)
        except PolicyLoadError as error:
            if document_id not in self.broken_documents:
                self.broken_documents.add(document_id)
                self.problems.extend(error.diagnostics)
            return None

    def resolve_sources(self) -> None:
        for alias, document_id in self.model.sources.items():
            if self.document(document_id) is None and document_id not in self.broken_documents:
                span = self.model.entry_span("sources", alias) or self.where(self.model)
                self.problem(
                    "unknown-source",
                    f"no source document '{document_id}' "
                    f"(looked for {document_id}.yaml in the sources folders)",
                    span,
                    suggest(document_id, self.sources.ids()),
                )

    def declare(self) -> tuple[list[Symbol], list[Symbol], list[Symbol]]:
        model = self.model
        slot = 0
        inputs: list[Symbol] = []
        parameters: list[Symbol] = []
        outputs: list[Symbol] = []
        taken: dict[str, str] = {}
        for kind, table in (
            ("input", model.inputs),
            ("parameter", model.parameters),
            ("value", model.outputs),
        ):
            for name, spec in table.items():
                if name in taken:
                    self.problem(
                        "duplicate-name",
                        f"'{name}' is both {taken[name]} and {kind}",
                        self.where(spec),
                    )
                    continue
                if name in ("as_of", "outcome"):
                    self.problem("reserved-name", f"'{name}' is reserved", self.where(spec))
                    continue
                taken[name] = f"an {kind}" if kind == "input" else f"a {kind}"
                declared = self.declared_type(spec, name)
                optional = kind == "value" or (
                    kind == "input"
                    and not (
                        getattr(spec, "required", False)
                        and getattr(spec, "required_when", None) is None
                    )
                )
                symbol = Symbol(name, declared.as_optional(optional), slot, kind)
                slot += 1
                self.scope.add(symbol)
                {"input": inputs, "parameter": parameters, "value": outputs}[kind].append(symbol)
        return inputs, parameters, outputs

    def declared_type(self, spec: Any, name: str) -> Type:
        values = (
            tuple(spec.values)
            if getattr(spec, "values", None) and not isinstance(spec.values[0], _Node)
            else None
        )
        if spec.type == "enum" and not values:
            self.problem("enum-values", f"'{name}' is an enum without 'values'", self.where(spec))
        if spec.type == "list" and getattr(spec, "items", None) is None:
            self.problem("list-items", f"'{name}' is a list without 'items'", self.where(spec))
        return scalar(
            spec.type,
            values if spec.type == "enum" else None,
            getattr(spec, "items", None),
            values if spec.type == "list" else None,
        )

    # ------------------------------------------------------------------ stage 2: types

    def compile_inputs(self, symbols: list[Symbol]) -> tuple[CompiledInput, ...]:
        compiled = []
        inputs_scope = _InputsOnly(self.scope)
        for symbol in symbols:
            spec = self.model.inputs[symbol.name]
            condition = None
            if spec.required_when is not None:
                if spec.required:
                    self.problem(
                        "required-twice",
                        f"'{symbol.name}' has both 'required' and 'required_when'",
                        self.where(spec, "required_when"),
                    )
                checked = self.expression(
                    spec.required_when, self.where(spec, "required_when"), inputs_scope
                )
                if checked is not None and checked.type.kind != "bool":
                    self.problem(
                        "type-mismatch",
                        f"required_when must be a bool, got {checked.type}",
                        self.where(spec, "required_when"),
                    )
                elif checked is not None:
                    condition = compile_expression(checked, frame_slot=self.frame_slot)
            for bound in ("gt", "ge", "lt", "le"):
                limit = getattr(spec, bound)
                if limit is None:
                    continue
                fits = (isinstance(limit, dt.date) and symbol.type.kind == "date") or (
                    isinstance(limit, (int, Decimal)) and symbol.type.numeric
                )
                if not fits:
                    self.problem(
                        "type-mismatch",
                        f"'{bound}: {limit}' does not fit a {symbol.type.kind} input",
                        self.where(spec, bound),
                    )
            compiled.append(
                CompiledInput(
                    symbol.name,
                    symbol.slot,
                    symbol.type,
                    spec.required,
                    condition,
                    spec.required_when if isinstance(spec.required_when, str) else None,
                    self.citations(spec.cite, spec),
                    spec.title.zh if spec.title else None,
                    spec.title.en if spec.title else spec.description,
                    spec.span_of(),
                )
            )
        return tuple(compiled)

    def compile_parameters(self, symbols: list[Symbol]) -> tuple[CompiledParameter, ...]:
        compiled = []
        for symbol in symbols:
            spec = self.model.parameters[symbol.name]
            values: list[ParameterValue] = []
            previous: dt.date | None = None
            for entry in spec.values:
                refs = entry.cite or spec.cite
                if not refs:
                    self.problem(
                        "uncited-number",
                        f"parameter '{symbol.name}' value from {entry.from_} has no citation",
                        self.where(entry),
                        "add 'cite: source#clause' to the value or the parameter",
                    )
                citations = (
                    self.citations(entry.cite, entry)
                    if entry.cite
                    else self.citations(spec.cite, spec)
                )
                value = self.parameter_value(symbol, entry)
                if previous is not None and entry.from_ <= previous:
                    self.problem(
                        "parameter-order",
                        f"values of '{symbol.name}' must be in increasing 'from' order",
                        self.where(entry, "from_"),
                    )
                previous = entry.from_
                values.append(
                    ParameterValue(entry.from_, value, citations, entry.unverified, entry.note)
                )
            if values and values[0].effective_from > self.model.effective.from_:
                self.problem(
                    "parameter-gap",
                    f"'{symbol.name}' has no value from the policy's "
                    f"start {self.model.effective.from_}",
                    self.where(spec.values[0]),
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

    def parameter_value(self, symbol: Symbol, entry: Any) -> Any:
        value, kind = entry.value, symbol.type.kind
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
            or (kind == "enum" and isinstance(value, str) and value in (symbol.type.values or ()))
        )
        if not ok:
            self.problem(
                "type-mismatch",
                f"parameter '{symbol.name}' is {symbol.type} but the value {value!r} is not",
                self.where(entry, "value"),
            )
            return value
        if kind in ("decimal", "money", "rate"):
            return Decimal(value)
        return value

    def fits(self, target: Type, checked: Checked) -> bool:
        actual = checked.type
        if target.kind == actual.kind:
            if target.kind == "enum":
                return set(actual.values or ()) <= set(target.values or ())
            return target.as_optional(False) == actual.as_optional(False) or target.kind != "list"
        if (
            target.numeric
            and actual.kind in PLAIN
            and (checked.literal or target.kind == "decimal")
        ):
            return True
        if target.kind == "enum" and actual.kind == "text" and checked.is_constant:
            return checked.constant in (target.values or ())
        return False

    def compile_rules(
        self, outputs: list[Symbol], outcome_slot: int, interpretations: dict[str, Interpretation]
    ) -> list[dict[str, Any]]:
        drafts = []
        seen: dict[str, RuleModel] = {}
        outcomes = set(self.model.outcome.values)
        for rule in self.model.rules:
            if rule.id in seen:
                self.problem(
                    "duplicate-rule", f"rule id '{rule.id}' is used twice", self.where(rule, "id")
                )
                continue
            seen[rule.id] = rule
            citations = self.citations(rule.cite, rule)
            condition = self.expression(rule.when, self.where(rule, "when"))
            if condition is not None and condition.type.kind != "bool":
                self.problem(
                    "type-mismatch",
                    f"'when' must be a bool, got {condition.type}",
                    self.where(rule, "when"),
                )
                condition = None
            sets: list[tuple[Symbol, Checked]] = []
            for name, text in rule.set.items():
                target = self.scope.lookup(name)
                span = rule.entry_span("set", name) or self.where(rule)
                if target is None or target.origin != "value":
                    what = "an input or parameter" if target else "not a declared output"
                    self.problem(
                        "bad-target",
                        f"rule '{rule.id}' sets '{name}', which is {what}",
                        span,
                        suggest(name, self.model.outputs),
                    )
                    continue
                checked = self.expression(text, span)
                if checked is None:
                    continue
                expected = target.type
                if self.model.outputs[name].collect and target.type.item is not None:
                    expected = target.type.item  # a rule adds one item to a collected list
                if not self.fits(expected, checked):
                    self.problem(
                        "type-mismatch",
                        f"'{name}' takes {expected.as_optional(False)}"
                        f" but the rule gives {checked.type.as_optional(False)}",
                        span,
                    )
                    continue
                sets.append((target, checked))
            if rule.outcome is not None and rule.outcome not in outcomes:
                self.problem(
                    "unknown-outcome",
                    f"'{rule.outcome}' is not one of the outcomes {', '.join(sorted(outcomes))}",
                    self.where(rule, "outcome"),
                    suggest(rule.outcome, outcomes),
                )
            if not rule.set and rule.outcome is None and rule.notice is None:
                self.problem(
                    "empty-rule",
                    f"rule '{rule.id}' sets nothing, gives no outcome and no notice",
                    self.where(rule),
                )
            notes = []
            for note_id in rule.interpretation:
                if note_id not in interpretations:
                    self.problem(
                        "unknown-interpretation",
                        f"no interpretation '{note_id}'",
                        self.where(rule, "interpretation"),
                        suggest(note_id, interpretations),
                    )
                else:
                    notes.append(interpretations[note_id])
            notice = None
            if rule.notice is not None:
                notice = Notice(
                    rule.notice.code,
                    rule.notice.level,
                    rule.notice.en,
                    rule.notice.zh,
                    citations,
                    rule.id,
                )
            drafts.append(
                {
                    "model": rule,
                    "citations": citations,
                    "condition": condition,
                    "sets": sets,
                    "notice": notice,
                    "interpretations": tuple(notes),
                    "outcome_slot": outcome_slot,
                }
            )
        known = set(seen)
        for rule in self.model.rules:
            for defeated in rule.defeats:
                if defeated not in known:
                    self.problem(
                        "unknown-rule",
                        f"rule '{rule.id}' defeats '{defeated}', which does not exist",
                        self.where(rule, "defeats"),
                        suggest(defeated, known),
                    )
        return drafts

    def check_conflicts(self, drafts: list[dict[str, Any]]) -> None:
        """Two rules that apply under the same condition and set one value differently, with
        neither defeating the other, can never be right: a load-time error, not a coin toss.
        (Rules whose conditions merely overlap at run time give a ``conflict`` outcome.)"""

        def condition_key(rule: RuleModel) -> str:
            text = rule.when if isinstance(rule.when, str) else str(rule.when).lower()
            return "".join(text.split())

        def results(draft: dict[str, Any]) -> dict[str, str]:
            model: RuleModel = draft["model"]
            found = {
                symbol.name: "".join(model.set[symbol.name].split())
                for symbol, _ in draft["sets"]
                if not self.model.outputs[symbol.name].collect
            }
            if model.outcome is not None:
                found["outcome"] = model.outcome
            return found

        for index, second in enumerate(drafts):
            for first in drafts[:index]:
                a, b = first["model"], second["model"]
                if a.id in b.defeats or b.id in a.defeats:
                    continue
                if condition_key(a) != condition_key(b):
                    continue
                ra, rb = results(first), results(second)
                for name in sorted(set(ra) & set(rb)):
                    if ra[name] != rb[name]:
                        self.problem(
                            "conflicting-rules",
                            f"rules '{a.id}' and '{b.id}' apply under the "
                            f"same condition and give '{name}' different values",
                            self.where(b),
                            f"add 'defeats: [{a.id}]' to '{b.id}' (or the "
                            "reverse) to say which one prevails",
                        )

    # ------------------------------------------------------------------ stage 3: order

    def order(self, drafts: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Topological order: a value's setters before its readers, defeaters before defeated."""
        by_id = {d["model"].id: d for d in drafts}
        setters: dict[int, list[str]] = {}
        for draft in drafts:
            for symbol, _ in draft["sets"]:
                setters.setdefault(symbol.slot, []).append(draft["model"].id)
        after: dict[str, set[str]] = {rule_id: set() for rule_id in by_id}
        for draft in drafts:
            rule_id = draft["model"].id
            for symbol in self.reads(draft):
                for setter in setters.get(symbol.slot, ()):
                    if setter != rule_id:
                        after[rule_id].add(setter)
            for target in draft["model"].defeats:
                if target in after:
                    after[target].add(rule_id)
        ordered: list[dict[str, Any]] = []
        state: dict[str, int] = {}

        def visit(rule_id: str, path: list[str]) -> None:
            if state.get(rule_id) == 2:
                return
            if state.get(rule_id) == 1:
                cycle = path[path.index(rule_id) :] + [rule_id]
                self.problem(
                    "cycle",
                    "rules depend on each other in a circle: " + " -> ".join(cycle),
                    self.where(by_id[rule_id]["model"]),
                )
                return
            state[rule_id] = 1
            for dependency in sorted(
                after[rule_id], key=lambda r: self.model.rules.index(by_id[r]["model"])
            ):
                visit(dependency, path + [rule_id])
            state[rule_id] = 2
            ordered.append(by_id[rule_id])

        for draft in drafts:
            visit(draft["model"].id, [])
        return ordered

    @staticmethod
    def reads(draft: dict[str, Any]) -> set[Symbol]:
        found: set[Symbol] = set()
        if draft["condition"] is not None:
            found |= draft["condition"].names()
        for _, checked in draft["sets"]:
            found |= checked.names()
        return found

    # ------------------------------------------------------------------ stage 4: freeze

    def freeze(
        self,
        ordered: list[dict[str, Any]],
        outputs: list[Symbol],
    ) -> tuple[tuple[CompiledRule, ...], dict[int, frozenset[int]]]:
        index_of = {d["model"].id: i for i, d in enumerate(ordered)}
        defeated_by: dict[str, list[int]] = {}
        for draft in ordered:
            for target in draft["model"].defeats:
                defeated_by.setdefault(target, []).append(index_of[draft["model"].id])
        # inputs each value depends on, through the rules that set it (rules are in order)
        value_inputs: dict[int, set[int]] = {}
        rules = []
        for i, draft in enumerate(ordered):
            model: RuleModel = draft["model"]
            inputs: set[int] = set()
            for symbol in self.reads(draft):
                if symbol.origin == "input":
                    inputs.add(symbol.slot)
                elif symbol.origin == "value":
                    inputs |= value_inputs.get(symbol.slot, set())
            sets: list[tuple[int, str, Checked | None, Any]] = []
            for symbol, checked in draft["sets"]:
                value_inputs.setdefault(symbol.slot, set()).update(inputs)
                sets.append((symbol.slot, symbol.name, checked, None))
            if model.outcome is not None:
                sets.append((draft["outcome_slot"], "outcome", None, model.outcome))
            condition = draft["condition"]
            always = condition is None or (condition.is_constant and condition.constant is True)
            reads = tuple(sorted((s.name, s.slot, s.origin) for s in self.reads(draft)))
            in_condition = sorted(
                s.name for s in (condition.names() if condition else ()) if s.origin == "parameter"
            )
            in_sets = sorted(
                {
                    s.name
                    for _, checked in draft["sets"]
                    for s in checked.names()
                    if s.origin == "parameter"
                }
                - set(in_condition)
            )
            rules.append(
                CompiledRule(
                    id=model.id,
                    index=i,
                    title_en=model.title.en if model.title else None,
                    title_zh=model.title.zh if model.title else None,
                    condition_text=model.when
                    if isinstance(model.when, str)
                    else str(model.when).lower(),
                    condition=None if always else condition,
                    sets=tuple(sets),
                    notice=draft["notice"],
                    citations=draft["citations"],
                    interpretations=draft["interpretations"],
                    defeated_by=tuple(sorted(defeated_by.get(model.id, ()))),
                    input_slots=frozenset(inputs),
                    reads=reads,
                    condition_parameters=tuple(in_condition),
                    set_parameters=tuple(in_sets),
                    span=model.span_of(),
                )
            )
        return tuple(rules), {slot: frozenset(v) for slot, v in value_inputs.items()}


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
    )


def compile_policy(
    model: PolicyModel, path: str, sources: SourceLibrary, raw: bytes
) -> CompiledPolicy:
    """Check and compile ``model`` (read from ``path``); raise ``PolicyLoadError`` on problems."""
    work = _Compilation(model, path, sources)
    work.resolve_sources()
    input_symbols, parameter_symbols, output_symbols = work.declare()
    outcome_slot = len(input_symbols) + len(parameter_symbols) + len(output_symbols)
    as_of_slot = outcome_slot + 1
    work.frame_slot = as_of_slot + 1
    work.scope.add(Symbol("as_of", DATE, as_of_slot, "context"))
    if model.outcome.default not in model.outcome.values:
        work.problem(
            "unknown-outcome",
            f"default outcome '{model.outcome.default}' is not in 'values'",
            work.where(model.outcome, "default"),
        )
    for reserved in ENGINE_OUTCOMES:
        if reserved in model.outcome.values:
            work.problem(
                "reserved-outcome",
                f"'{reserved}' is given by the engine itself",
                work.where(model.outcome, "values"),
            )
    interpretations = {}
    for note in model.interpretations:
        if note.id in interpretations:
            work.problem(
                "duplicate-interpretation",
                f"interpretation '{note.id}' is defined twice",
                work.where(note, "id"),
            )
        interpretations[note.id] = Interpretation(
            note.id, note.en, note.zh, work.citations(note.cite, note)
        )
    for name, spec in model.outputs.items():
        for fact in spec.report_missing if isinstance(spec.report_missing, tuple) else ():
            if fact not in model.inputs:
                work.problem(
                    "unknown-name",
                    f"'{fact}' in report_missing of '{name}' is not an input",
                    work.where(spec, "report_missing"),
                    suggest(fact, model.inputs),
                )
    inputs = work.compile_inputs(input_symbols)
    parameters = work.compile_parameters(parameter_symbols)
    drafts = work.compile_rules(output_symbols, outcome_slot, interpretations)
    work.check_conflicts(drafts)
    ordered = work.order(drafts)
    if work.problems:
        raise PolicyLoadError(work.problems)
    rules, value_inputs = work.freeze(ordered, output_symbols)
    input_names = {s.slot: s.name for s in input_symbols}
    optional_inputs = {s.slot for s in input_symbols if s.type.optional}
    outputs = tuple(
        _output(
            s,
            model.outputs[s.name],
            value_inputs.get(s.slot, frozenset()),
            input_names,
            optional_inputs,
        )
        for s in output_symbols
    )
    digest = hashlib.sha256(raw)
    for document_id in sorted(work.cited_documents):
        document = sources.get(document_id)
        assert document is not None
        digest.update(document.content_hash.encode())
    return CompiledPolicy(
        model=model,
        path=path,
        content_hash=digest.hexdigest(),
        inputs=inputs,
        parameters=parameters,
        outputs=outputs,
        rules=rules,
        outcome_slot=outcome_slot,
        as_of_slot=as_of_slot,
        frame_slot=as_of_slot + 1,
        interpretations=tuple(interpretations.values()),
    )
