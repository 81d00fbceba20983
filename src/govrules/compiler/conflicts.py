"""Compile stage 3, conflicts: rules that provably disagree are a load error.

Two rules that apply under the same condition and set one value differently, with neither
defeating the other, can never be right: a located error, not a coin toss. Rules whose
conditions merely overlap for some case give the ``conflict`` outcome at run time instead.
"""

from __future__ import annotations

from govrules.compiler.context import Compilation, RuleDraft
from govrules.language.files import RuleModel

__all__ = ["check_conflicts"]


def check_conflicts(work: Compilation, drafts: list[RuleDraft]) -> None:
    for index, second in enumerate(drafts):
        for first in drafts[:index]:
            a, b = first.model, second.model
            if a.id in b.defeats or b.id in a.defeats:
                continue
            if _condition_key(a) != _condition_key(b):
                continue
            ra, rb = _results(work, first), _results(work, second)
            for name in sorted(set(ra) & set(rb)):
                if ra[name] != rb[name]:
                    work.problem(
                        "conflicting-rules",
                        f"rules '{a.id}' and '{b.id}' apply under the "
                        f"same condition and give '{name}' different values",
                        work.where(b),
                        f"add 'defeats: [{a.id}]' to '{b.id}' (or the "
                        "reverse) to say which one prevails",
                    )


def _condition_key(rule: RuleModel) -> str:
    """The condition as written, white space removed: equal keys mean the same condition."""
    text = rule.when if isinstance(rule.when, str) else str(rule.when).lower()
    return "".join(text.split())


def _results(work: Compilation, draft: RuleDraft) -> dict[str, str]:
    """What the rule gives, as written: single values (not collected items) and the outcome."""
    model = draft.model
    found = {
        symbol.name: "".join(model.set[symbol.name].split())
        for symbol, _ in draft.sets
        if not work.model.outputs[symbol.name].collect
    }
    if model.outcome is not None:
        found["outcome"] = model.outcome
    return found
