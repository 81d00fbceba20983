"""Compile stage 3, conflicts: rules that provably disagree are a load error.

Two rules that apply under the same condition and set one value differently, with neither
defeating the other, can never be right: a located error, not a coin toss. Rules whose
conditions merely overlap for some case give the ``conflict`` outcome at run time instead.

Rules are compared only with the earlier rules that share their condition and set one of
their values to something else, found by key, so a policy of many rules is checked in about
the time it takes to read them.
"""

from __future__ import annotations

from govrules.compiler.context import Compilation, RuleDraft
from govrules.spans import SourceSpan

__all__ = ["check_conflicts"]


def check_conflicts(work: Compilation, drafts: list[RuleDraft]) -> None:
    rules = [draft for draft in drafts if draft.kind == "rule"]
    results = [_results(work, rule) for rule in rules]
    # (condition, value name) -> what the earlier rules give it -> their positions
    given: dict[tuple[str, str], dict[str, list[int]]] = {}
    for index, second in enumerate(rules):
        condition = _condition_key(second)
        rb = results[index]
        rivals: set[int] = set()
        for name, value in rb.items():
            for other, positions in given.get((condition, name), {}).items():
                if other != value:
                    rivals.update(positions)
        for position in sorted(rivals):
            first, ra = rules[position], results[position]
            if first.id in second.defeats or second.id in first.defeats:
                continue
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
        for name, value in rb.items():
            given.setdefault((condition, name), {}).setdefault(value, []).append(index)


def _condition_key(draft: RuleDraft) -> str:
    """The condition as written, white space removed: equal keys mean the same condition."""
    return "".join(draft.when_text.split())


def _results(work: Compilation, draft: RuleDraft) -> dict[str, str]:
    """What the rule gives, as written: single values (not collected items) and the outcome.
    A name that is not an output is left out (the rules stage reports it)."""
    outputs = work.model.outputs
    found = {
        name: "".join(text.split())
        for name, text in draft.set_texts
        if name in outputs and not outputs[name].collect
    }
    if draft.outcome is not None:
        found["outcome"] = draft.outcome
    return found
