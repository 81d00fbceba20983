"""What every compile stage shares: the policy being compiled, its scope and its problems.

A stage reads the ``Compilation`` and adds to it; none stops at the first problem, so that an
author sees every problem of a file in one run.

    work = Compilation(model, "policies/x.yaml", sources)
    work.citations(["wage#art4.item1"], rule)    # resolved, or reported as a problem
    work.expression("contract_price * rate_min", span)    # checked, or reported
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import field, replace
from typing import Any

from govrules.citations import Citation
from govrules.compiler.policy import Interpretation, Notice
from govrules.errors import Diagnostic, PolicyLoadError, suggest
from govrules.language.expr import Checked, ExpressionSyntaxError, Symbol, check, parse_expression
from govrules.language.files import PolicyModel, RuleModel
from govrules.language.located import Bilingual, LocatedModel
from govrules.language.sources import SourceDocument, SourceLibrary
from govrules.packs.manifest import PackRef
from govrules.records import record
from govrules.spans import SourceSpan

__all__ = ["Compilation", "InputsOnly", "RuleDraft", "SymbolScope"]


class SymbolScope:
    """The names an expression may use, by name."""

    def __init__(self) -> None:
        self.symbols: dict[str, Symbol] = {}

    def add(self, symbol: Symbol) -> None:
        self.symbols[symbol.name] = symbol

    def lookup(self, name: str) -> Symbol | None:
        return self.symbols.get(name)

    def names(self) -> Iterable[str]:
        return self.symbols.keys()


class InputsOnly(SymbolScope):
    """The scope of ``required_when``: inputs and ``as_of`` only.

    Every input may be unknown here, required ones too: the condition is asked exactly when
    facts are missing, so it reads each input as optional and is unknown (not false) where an
    input it needs is missing -- and an unknown condition requires nothing.
    """

    def __init__(self, full: SymbolScope) -> None:
        super().__init__()
        self.symbols = {
            n: replace(s, type=s.type.as_optional(True)) if s.origin == "input" else s
            for n, s in full.symbols.items()
            if s.origin in ("input", "context")
        }


@record
class RuleDraft:
    """A rule whose names and types are checked, before it is ordered and frozen.

    Besides the rules as written (``kind`` "rule"), a rule's ``else`` branch ("else", id
    ``<rule>:else``) and an output's or input's ``default`` ("default", id ``default:<name>``)
    are drafts too, so that they are ordered, traced and covered by tests like any rule.
    """

    id: str
    kind: str  # rule | else | default
    citations: tuple[Citation, ...]
    condition: Checked | None
    sets: tuple[tuple[Symbol, Checked], ...]
    notice: Notice | None
    interpretations: tuple[Interpretation, ...]
    outcome: str | None
    when_text: str  # the condition as the trace shows it
    span: SourceSpan | None
    model: RuleModel | None = None  # the rule as written (for an else: the rule it belongs to)
    defeats: tuple[str, ...] = ()
    defeated_as: str = ""  # the id whose defeaters defeat this draft (an else: its rule's)
    set_texts: tuple[tuple[str, str], ...] = ()  # the values as written, for conflict checks
    own_title: Bilingual | None = None  # a default's title, which has no rule of its own
    # what ``reads()`` found, kept: the order and freeze stages both ask
    known_reads: frozenset[Symbol] | None = field(
        default=None, init=False, compare=False, repr=False
    )

    @property
    def title(self) -> Bilingual | None:
        if self.own_title is not None:
            return self.own_title
        return self.model.title if self.model is not None else None

    def reads(self) -> frozenset[Symbol]:
        """Every symbol the rule's condition and values read."""
        if self.known_reads is not None:
            return self.known_reads
        found: set[Symbol] = set()
        if self.condition is not None:
            found |= self.condition.names()
        for _, checked in self.sets:
            found |= checked.names()
        known = frozenset(found)
        object.__setattr__(self, "known_reads", known)  # a cache, not part of the draft's value
        return known


class Compilation:
    """The state of one policy's compilation, and the checks every stage uses."""

    def __init__(
        self,
        model: PolicyModel,
        path: str,
        sources: SourceLibrary,
        pack: PackRef | None = None,
    ) -> None:
        self.model, self.path, self.sources, self.pack = model, path, sources, pack
        self.problems: list[Diagnostic] = []
        self.scope = SymbolScope()
        self.cited_documents: set[str] = set()
        self.broken_documents: set[str] = set()
        self.frame_slot = -1
        self.bindings = 0  # slots after the frame for comprehension variables, at the deepest
        self.tables: dict[str, list[Any]] = {}  # each table's versions, for lookup checks
        self._checked: dict[tuple[str, SymbolScope], _Checked] = {}  # by text and scope
        self._cited: dict[str, Citation] = {}  # each reference that resolved

    def where(self, node: LocatedModel, field: str | None = None) -> SourceSpan:
        return node.span_of(field) or SourceSpan(self.path, 1, 1)

    def problem(self, code: str, message: str, span: SourceSpan, hint: str | None = None) -> None:
        self.problems.append(Diagnostic(code, message, span, hint))

    def document(self, document_id: str) -> SourceDocument | None:
        """The source document, or ``None``; a broken source file is reported only once."""
        try:
            return self.sources.get(document_id)
        except PolicyLoadError as error:
            if document_id not in self.broken_documents:
                self.broken_documents.add(document_id)
                self.problems.extend(error.diagnostics)
            return None

    def citations(
        self, refs: Iterable[str] | None, node: LocatedModel, field: str = "cite"
    ) -> tuple[Citation, ...]:
        """Resolve ``alias#clause`` references; report each that reaches nothing."""
        found: list[Citation] = []
        for ref in refs or ():
            known = self._cited.get(ref)
            if known is not None:  # resolved before (a long policy cites few clauses, often)
                found.append(known)
                continue
            # the span is looked up only for a problem: most citations resolve
            alias, sep, clause = ref.partition("#")
            if not sep or not clause:
                self.problem(
                    "bad-citation",
                    f"'{ref}' is not of the form source#clause",
                    self.where(node, field),
                    "for example wage#art4.item1",
                )
                continue
            document_id = self.model.sources.get(alias)
            if document_id is None:
                self.problem(
                    "unknown-source",
                    f"'{alias}' is not one of this policy's sources",
                    self.where(node, field),
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
                    self.where(node, field),
                    suggest(clause, document.model.clauses),
                )
                continue
            self.cited_documents.add(document_id)
            self._cited[ref] = citation
            found.append(citation)
        return tuple(found)

    def expression(
        self, text: str | bool, span: SourceSpan, scope: SymbolScope | None = None
    ) -> Checked | None:
        """``text`` parsed and type-checked in ``scope``; ``None`` after reporting problems.

        The same text in the same scope is parsed and checked once per policy (a long policy
        repeats its conditions): the checked tree is immutable and shared, and the problems
        found are reported again, each at its place, wherever the text is written."""
        source = ("true" if text else "false") if isinstance(text, bool) else text
        within = scope or self.scope
        found = self._checked.get((source, within))
        if found is None:
            try:
                found = _check(source, within)
            except RecursionError:  # within the parser's limits, but called from a deep stack
                self.problem(
                    "expression-too-deep",
                    "expression nested too deeply",
                    span,
                    "split it: give a part a name of its own (an internal output) and use "
                    "that name",
                )
                return None  # not kept: it depends on the stack of this call
            if not found[1] or found[1][0][0] != "expression-too-deep":
                # (the parser says so too when it runs out of stack: not kept either)
                self._checked[(source, within)] = found
        checked, problems, bindings = found
        for code, message, offset, hint in problems:
            self.problem(code, message, span.shifted(offset), hint)
        if bindings > self.bindings:
            self.bindings = bindings
        return checked


# an expression checked: its tree (None if it has problems), each problem as its code, message,
# offset in the text and hint, and the binding slots the tree needs
_Checked = tuple[Checked | None, tuple[tuple[str, str, int, str | None], ...], int]


def _check(source: str, scope: SymbolScope) -> _Checked:
    try:
        tree = parse_expression(source)
    except ExpressionSyntaxError as error:
        return None, ((error.code, error.message, error.offset, error.hint),), 0
    checked, issues = check(tree, scope)
    if issues:
        found = tuple((issue.code, issue.message, issue.offset, issue.hint) for issue in issues)
        return None, found, 0
    return checked, (), checked.bindings()
