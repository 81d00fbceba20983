"""Compile stage 4, order: rules in dependency order, cycles reported.

A value's setters run before its readers and a defeating rule before the rule it defeats;
otherwise rules keep the order they are written in. The walk keeps its own stack, so a long
chain of rules (each reading the value the next one sets) is ordered like a short one.
"""

from __future__ import annotations

from collections.abc import Iterator

from govrules.compiler.context import Compilation, RuleDraft
from govrules.spans import SourceSpan

__all__ = ["order"]

_VISITING, _DONE = 1, 2


def order(work: Compilation, drafts: list[RuleDraft]) -> list[RuleDraft]:
    """Topological order: a value's setters before its readers, defeaters before defeated.

    A depth-first walk from each rule in written order, visiting what it depends on in written
    order first; a dependency met again while it is being visited closes a cycle, reported
    once at that rule with the path that leads back to it.
    """
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
    path: list[str] = []  # the rules being visited, outermost first
    on_path: dict[str, int] = {}  # each one's place in ``path``
    pending: list[Iterator[str]] = []  # for each rule of ``path``, the dependencies left

    def enter(rule_id: str) -> None:
        state[rule_id] = _VISITING
        on_path[rule_id] = len(path)
        path.append(rule_id)
        pending.append(iter(sorted(after[rule_id], key=position.__getitem__)))

    for draft in drafts:
        if state.get(draft.id) == _DONE:
            continue
        enter(draft.id)
        while pending:
            dependency = next(pending[-1], None)
            if dependency is None:
                finished = path.pop()
                pending.pop()
                del on_path[finished]
                state[finished] = _DONE
                ordered.append(by_id[finished])
            elif state.get(dependency) == _VISITING:
                cycle = path[on_path[dependency] :] + [dependency]
                work.problem(
                    "cycle",
                    "rules depend on each other in a circle: " + " -> ".join(cycle),
                    by_id[dependency].span or SourceSpan(work.path, 1, 1),
                )
            elif state.get(dependency) != _DONE:
                enter(dependency)
    return ordered
