"""Compile stage 2b, rules: each rule's condition and values type-checked into a draft.

A rule cites its clauses, has a bool ``when``, sets only declared outputs with values of their
type (one item of a collected list), gives a declared outcome, and names interpretations and
defeated rules that exist.
"""

from __future__ import annotations

from govrules.citations import Citation
from govrules.compiler.context import Compilation, RuleDraft
from govrules.compiler.policy import Interpretation, Notice
from govrules.compiler.tables import check_lookups
from govrules.errors import suggest
from govrules.language.expr import Checked, Symbol, Type
from govrules.language.expr.ast import Call, Conditional
from govrules.language.expr.types import PLAIN
from govrules.language.files import NoticeModel, RuleModel
from govrules.language.located import LocatedModel
from govrules.spans import SourceSpan

__all__ = [
    "check_outcome",
    "check_self_reads",
    "compile_rules",
    "fits",
    "make_notice",
    "values_set",
]


def compile_rules(work: Compilation, interpretations: dict[str, Interpretation]) -> list[RuleDraft]:
    drafts = []
    seen: dict[str, RuleModel] = {}
    for rule in work.model.rules:
        if rule.id in seen:
            work.problem(
                "duplicate-rule", f"rule id '{rule.id}' is used twice", work.where(rule, "id")
            )
            continue
        seen[rule.id] = rule
        citations = work.citations(rule.cite, rule)
        when_span = work.where(rule, "when")  # looked up once: a span lookup is not free
        condition = work.expression(rule.when, when_span)
        if condition is not None:
            check_lookups(work, condition, when_span)
        if condition is not None and condition.type.kind != "bool":
            work.problem("type-mismatch", f"'when' must be a bool, got {condition.type}", when_span)
            condition = None
        sets = values_set(work, rule.id, rule.set, rule)
        check_self_reads(work, rule.id, rule, condition, when_span, sets)
        check_outcome(work, rule.id, rule, rule.outcome, bool(rule.set) or rule.notice is not None)
        notes = []
        for note_id in rule.interpretation:
            if note_id not in interpretations:
                work.problem(
                    "unknown-interpretation",
                    f"no interpretation '{note_id}'",
                    work.where(rule, "interpretation"),
                    suggest(note_id, interpretations),
                )
            else:
                notes.append(interpretations[note_id])
        drafts.append(
            RuleDraft(
                id=rule.id,
                kind="rule",
                citations=citations,
                condition=condition,
                sets=sets,
                notice=make_notice(rule.notice, citations, rule.id),
                interpretations=tuple(notes),
                outcome=rule.outcome,
                when_text=rule.when if isinstance(rule.when, str) else str(rule.when).lower(),
                span=rule.span_of(),
                model=rule,
                defeats=rule.defeats,
                set_texts=tuple(rule.set.items()),
            )
        )
    known = set(seen)
    for rule in work.model.rules:
        for defeated in rule.defeats:
            if defeated not in known:
                work.problem(
                    "unknown-rule",
                    f"rule '{rule.id}' defeats '{defeated}', which does not exist",
                    work.where(rule, "defeats"),
                    suggest(defeated, known),
                )
    return drafts


def make_notice(
    model: NoticeModel | None, citations: tuple[Citation, ...], rule_id: str
) -> Notice | None:
    if model is None:
        return None
    return Notice(model.code, model.level, model.en, model.zh, citations, rule_id)


def values_set(
    work: Compilation, rule_id: str, values: dict[str, str], node: LocatedModel
) -> tuple[tuple[Symbol, Checked], ...]:
    """The outputs a rule (or its else) sets, each with its checked value; misfits are
    reported where they are written."""
    sets: list[tuple[Symbol, Checked]] = []
    for name, text in values.items():
        target = work.scope.lookup(name)
        span = node.entry_span("set", name) or work.where(node)
        if target is None or target.origin != "value":
            what = "an input or parameter" if target else "not a declared output"
            work.problem(
                "bad-target",
                f"rule '{rule_id}' sets '{name}', which is {what}",
                span,
                suggest(name, work.model.outputs),
            )
            continue
        checked = work.expression(text, span)
        if checked is None:
            continue
        check_lookups(work, checked, span)
        expected = target.type
        if work.model.outputs[name].collect and target.type.item is not None:
            expected = target.type.item  # a rule adds one item to a collected list
        if not fits(expected, checked):
            work.problem(
                "type-mismatch",
                f"'{name}' takes {expected.as_optional(False)}"
                f" but the rule gives {checked.type.as_optional(False)}",
                span,
            )
            continue
        sets.append((target, checked))
    return tuple(sets)


def check_self_reads(
    work: Compilation,
    rule_id: str,
    node: LocatedModel,
    condition: Checked | None,
    when_span: SourceSpan,
    sets: tuple[tuple[Symbol, Checked], ...],
) -> None:
    """A rule (or an else) may not read a value it sets: what it would read is not computed
    yet when it runs. ``given(x)`` is no read of the value -- a rule that fills in ``x`` when
    nothing else gave it is the pattern of a default -- so it is allowed."""
    targets = {symbol for symbol, _ in sets}
    if not targets:
        return
    places: list[tuple[Checked, str | None]] = [(condition, None)] if condition is not None else []
    places += [(checked, symbol.name) for symbol, checked in sets]
    reported: set[Symbol] = set()
    for checked, written in places:
        reads = _reads_outside_given(checked)
        if targets.isdisjoint(reads):
            continue  # as most rules: nothing to report, nothing to sort
        for symbol, offset in sorted(reads.items(), key=lambda f: f[1]):
            if symbol in targets and symbol not in reported:
                reported.add(symbol)
                # where the value is written: looked up only for a problem to report
                span = (node.entry_span("set", written) if written else None) or when_span
                work.problem(
                    "cycle",
                    f"rule '{rule_id}' reads '{symbol.name}', the value it sets itself",
                    span.shifted(offset),
                    f"compute what it reads as another value, or test given({symbol.name})",
                )


def _reads_outside_given(checked: Checked) -> dict[Symbol, int]:
    """The policy's values an expression reads, each at its first offset, not counting the
    argument of ``given``."""
    found: dict[Symbol, int] = {}
    stack = [checked]
    while stack:
        node = stack.pop()
        if isinstance(node.node, Call) and node.node.function == "given":
            continue
        symbol = node.symbol
        if symbol is not None and symbol.origin == "value":
            found[symbol] = min(found.get(symbol, node.node.offset), node.node.offset)
        stack.extend(node.args)
    return found


def check_outcome(
    work: Compilation, rule_id: str, node: LocatedModel, outcome: str | None, effect: bool
) -> None:
    """The outcome is declared, and the rule (or else) gives something."""
    if outcome is not None and outcome not in work.model.outcome.values:
        outcomes = set(work.model.outcome.values)
        work.problem(
            "unknown-outcome",
            f"'{outcome}' is not one of the outcomes {', '.join(sorted(outcomes))}",
            work.where(node, "outcome"),
            suggest(outcome, outcomes),
        )
    if not effect and outcome is None:
        work.problem(
            "empty-rule",
            f"rule '{rule_id}' sets nothing, gives no outcome and no notice",
            work.where(node),
        )


def fits(target: Type, checked: Checked) -> bool:
    """Whether a value of ``checked``'s type may be stored in an output of type ``target``."""
    actual = checked.type
    if target.kind == "list" and actual.kind == "list" and actual.item is None:
        return True  # the empty list []
    if target.kind == "enum" and actual.kind == "text":  # 'a', or if c then 'a' else 'b'
        codes = _possible_texts(checked)
        return codes is not None and codes <= set(target.values or ())
    if (  # a literal list of codes for a list of enum values: ['admonition_talk', ...]
        target.kind == "list"
        and actual.kind == "list"
        and target.item is not None
        and target.item.kind == "enum"
        and actual.item is not None
        and actual.item.kind == "text"
        and checked.is_constant
    ):
        return all(code in (target.item.values or ()) for code in checked.constant)
    if target.kind == actual.kind:
        if target.kind == "enum":
            return set(actual.values or ()) <= set(target.values or ())
        return target.kind != "list" or target.as_optional(False) == actual.as_optional(False)
    # a bare number in a unit's place: 0 or 1 for money, any plain number for a decimal
    return target.numeric and actual.kind in PLAIN and (checked.literal or target.kind == "decimal")


def _possible_texts(checked: Checked) -> set[str] | None:
    """The texts an expression can give, when each branch of it is a constant text."""
    if checked.is_constant:
        return {checked.constant} if isinstance(checked.constant, str) else None
    if isinstance(checked.node, Conditional):
        found: set[str] = set()
        for branch in checked.args[1:]:
            texts = _possible_texts(branch)
            if texts is None:
                return None
            found |= texts
        return found
    return None
