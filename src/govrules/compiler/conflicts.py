"""Compile stage 3, conflicts: rules that provably disagree are a load error.

Two rules that apply under the same condition and set one value differently, with neither
defeating the other, can never be right: a located error, not a coin toss. Rules whose
conditions merely overlap for some case give the ``conflict`` outcome at run time instead.
"""

from __future__ import annotations

from govrules.compiler.context import Compilation, RuleDraft
from govrules.spans import SourceSpan

__all__ = ["check_conflicts"]


def check_conflicts(work: Compilation, drafts: list[RuleDraft]) -> None:
    rules = [draft for draft in drafts if draft.kind == "rule"]
    for index, second in enumerate(rules):
        for first in rules[:index]:
            if first.id in second.defeats or second.id in first.defeats:
                continue
            if _condition_key(first) != _condition_key(second):
                continue
            ra, rb = _results(work, first), _results(work, second)
            for name in sorted(set(ra) & set(rb)):
                if ra[name] != rb[name]:
                    work.problem(
                        "conflicting-rules",
                        f"rules '{first.id}' and '{second.id}' apply under the "
                        f"same condition and give '{name}' different values",
                        second.span or SourceSpan(work.path, 1, 1),
                        f"add 'defeats: [{first.id}]' to '{second.id}' (or the "
                        "reverse) to say which one prevails",
                    )


def _condition_key(draft: RuleDraft) -> str:
    """The condition as written, white space removed: equal keys mean the same condition."""
    return "".join(draft.when_text.split())


def _results(work: Compilation, draft: RuleDraft) -> dict[str, str]:
    """What the rule gives, as written: single values (not collected items) and the outcome."""
    found = {
        name: "".join(text.split())
        for name, text in draft.set_texts
        if not work.model.outputs[name].collect
    }
    if draft.outcome is not None:
        found["outcome"] = draft.outcome
    return found
