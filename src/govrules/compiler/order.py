"""Compile stage 4, order: rules in dependency order, cycles reported.

A value's setters run before its readers and a defeating rule before the rule it defeats;
otherwise rules keep the order they are written in.
"""

from __future__ import annotations

from govrules.compiler.context import Compilation, RuleDraft
from govrules.spans import SourceSpan

__all__ = ["order"]


def order(work: Compilation, drafts: list[RuleDraft]) -> list[RuleDraft]:
    """Topological order: a value's setters before its readers, defeaters before defeated."""
    by_id = {draft.id: draft for draft in drafts}
    position = {draft.id: index for index, draft in enumerate(drafts)}
    setters: dict[int, list[str]] = {}
    for draft in drafts:
        for symbol, _ in draft.sets:
            setters.setdefault(symbol.slot, []).append(draft.id)
    after: dict[str, set[str]] = {rule_id: set() for rule_id in by_id}
    for draft in drafts:
        for symbol in draft.reads():
            for setter in setters.get(symbol.slot, ()):
                if setter != draft.id:
                    after[draft.id].add(setter)
        for target in draft.defeats:
            if target in after:
                after[target].add(draft.id)
    ordered: list[RuleDraft] = []
    state: dict[str, int] = {}

    def visit(rule_id: str, path: list[str]) -> None:
        if state.get(rule_id) == 2:
            return
        if state.get(rule_id) == 1:
            cycle = path[path.index(rule_id) :] + [rule_id]
            work.problem(
                "cycle",
                "rules depend on each other in a circle: " + " -> ".join(cycle),
                by_id[rule_id].span or SourceSpan(work.path, 1, 1),
            )
            return
        state[rule_id] = 1
        for dependency in sorted(after[rule_id], key=position.__getitem__):
            visit(dependency, path + [rule_id])
        state[rule_id] = 2
        ordered.append(by_id[rule_id])

    for draft in drafts:
        visit(draft.id, [])
    return ordered
