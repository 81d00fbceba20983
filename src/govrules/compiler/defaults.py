"""Compile stage 2c, defaults: a rule's ``else`` and an output's or input's ``default`` become
drafts of their own, so that they are ordered, traced and covered by tests like any rule.

    rules:
      - id: late_marriage
        when: first_marriage and age_years(birth_date, marriage_date) >= late_age
        set: {extra_days: late_marriage_days}
        else: {set: {extra_days: "0"}}                 # id late_marriage:else, when false
    outputs:
      leave_days: {type: integer, default: {value: "0", cite: rules#art34}}   # default:leave_days
    inputs:
      days: {type: decimal, default: {value: entitled_days, cite: rules#art34}}

An else applies when the rule's condition is false -- not when it is unknown -- and is
defeated by whatever defeats its rule. A default applies when nothing gave a value: for an
output, after every rule that may set it; for an input, when the caller did not give it,
before every rule that reads it.
"""

from __future__ import annotations

from govrules.compiler.context import Compilation, RuleDraft
from govrules.compiler.names import Declarations
from govrules.compiler.rules import (
    check_outcome,
    check_self_reads,
    fits,
    make_notice,
    values_set,
)
from govrules.language.expr import Checked, Symbol
from govrules.language.expr.ast import Call, Name, Unary
from govrules.language.expr.types import BOOL
from govrules.language.files import InputModel, OutputModel
from govrules.language.located import Bilingual

__all__ = ["default_values", "else_branches"]


def else_branches(work: Compilation, drafts: list[RuleDraft]) -> list[RuleDraft]:
    """A draft for each rule's ``else``: its condition is the rule's, negated."""
    found = []
    for draft in drafts:
        rule = draft.model
        if rule is None or rule.otherwise is None:
            continue
        branch = rule.otherwise
        condition = draft.condition
        if condition is None or (condition.is_constant and condition.constant is True):
            work.problem(
                "else-never-applies",
                f"rule '{rule.id}' always applies, so its 'else' never does",
                work.where(rule, "otherwise"),
            )
            continue
        citations = work.citations(branch.cite, branch) if branch.cite else draft.citations
        sets = values_set(work, f"{rule.id}:else", branch.set, branch)
        check_self_reads(work, f"{rule.id}:else", branch, condition, work.where(rule, "when"), sets)
        effect = bool(branch.set) or branch.notice is not None
        check_outcome(work, f"{rule.id}:else", branch, branch.outcome, effect)
        negated = Checked(
            Unary(condition.node.offset, "not", condition.node),
            BOOL.as_optional(condition.type.optional),
            (condition,),
        )
        found.append(
            RuleDraft(
                id=f"{rule.id}:else",
                kind="else",
                citations=citations,
                condition=negated,
                sets=sets,
                notice=make_notice(branch.notice, citations, f"{rule.id}:else"),
                interpretations=draft.interpretations,
                outcome=branch.outcome,
                when_text=f"not ({draft.when_text})",
                span=branch.span_of(),
                model=rule,
                defeated_as=rule.id,
                set_texts=tuple(branch.set.items()),
            )
        )
    return found


def default_values(work: Compilation, declared: Declarations) -> list[RuleDraft]:
    """A draft for each declared default, applying when nothing gave the value."""
    found = []
    for symbol in (*declared.inputs, *declared.outputs):
        owner = (work.model.inputs if symbol.origin == "input" else work.model.outputs)[symbol.name]
        default = owner.default
        if default is None:
            continue
        if isinstance(owner, InputModel) and (owner.required or owner.required_when is not None):
            work.problem(
                "default-on-required",
                f"'{symbol.name}' is required, so its default would never be used",
                work.where(owner, "default"),
            )
            continue
        if isinstance(owner, OutputModel) and owner.collect:
            work.problem(
                "default-on-collected",
                f"'{symbol.name}' collects items from every rule; it starts empty, not unknown",
                work.where(owner, "default"),
            )
            continue
        span = work.where(default, "value")
        value = work.expression(default.value, span)
        if value is None:
            continue
        if symbol in value.names():
            work.problem(
                "cycle", f"the default of '{symbol.name}' reads '{symbol.name}' itself", span
            )
            continue
        if not fits(symbol.type, value):
            work.problem(
                "type-mismatch",
                f"'{symbol.name}' takes {symbol.type.as_optional(False)} but the default gives "
                f"{value.type.as_optional(False)}",
                span,
            )
            continue
        citations = work.citations(default.cite, default)
        found.append(
            RuleDraft(
                id=f"default:{symbol.name}",
                kind="default",
                citations=citations,
                condition=_not_given(symbol, value.node.offset),
                sets=((symbol, value),),
                notice=None,
                interpretations=(),
                outcome=None,
                when_text=f"not given({symbol.name})",
                span=default.span_of(),
                set_texts=((symbol.name, str(default.value)),),
                own_title=_default_title(owner.title),
            )
        )
    return found


def _default_title(title: Bilingual | None) -> Bilingual | None:
    """A default's title names what it gives a value to: 未给出时的默认值：<the value's title>."""
    if title is None:
        return None
    return Bilingual(zh=f"未给出时的默认值：{title.zh}", en=f"Default when not given: {title.en}")


def _not_given(symbol: Symbol, offset: int) -> Checked:
    """``not given(name)``, built checked: the condition of a default."""
    name = Checked(Name(offset, symbol.name), symbol.type, symbol=symbol)
    given = Checked(Call(offset, "given", (name.node,)), BOOL, (name,))
    return Checked(Unary(offset, "not", given.node), BOOL, (given,))
