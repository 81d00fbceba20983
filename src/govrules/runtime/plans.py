"""What the runtime works out once per compiled policy instead of once per decision: per rule,
the parts its trace events share and the clauses it cites; the missing-fact records a case can
produce (kept by ``findings``); each clause's JSON object; per program (the rules compiled for
one set of parameter values), what its untraced loop needs.

Everything kept here is immutable or handed out as a fresh copy, so no two decisions share
anything a caller could change. A policy's plan lives as long as the policy.

    plan = policy_plan(policy)
    plan.rules[id(rule)].citations        # ('doc#art3', ...)
    plan.citation_dict(citation)          # a fresh dict, as citation.to_dict() gives
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from operator import itemgetter
from typing import Any

from govrules.citations import Citation
from govrules.compiler.policy import CompiledPolicy, CompiledRule, Notice, ParameterValue, Program

__all__ = ["PolicyPlan", "ProgramPlan", "RulePlan", "policy_plan", "program_plan"]


def _nothing(values: list[Any]) -> tuple[Any, ...]:
    return ()


def _one(slot: int) -> Callable[[list[Any]], tuple[Any, ...]]:
    def read(values: list[Any]) -> tuple[Any, ...]:
        return (values[slot],)

    return read


class RulePlan:
    """One rule's constant parts: for its trace events, and for the clauses it cites."""

    __slots__ = (
        "rule",
        "id",
        "title",
        "title_zh",
        "condition",
        "citations",
        "kind",
        "interpretations",
        "names",
        "lists",
        "read",
        "condition_parameters",
        "set_parameters",
        "name_of",
        "cited",
        "parameters_read",
    )

    def __init__(self, rule: CompiledRule, policy: CompiledPolicy) -> None:
        self.rule = rule
        self.id = rule.id
        self.title = rule.title_en
        self.title_zh = rule.title_zh
        self.condition = rule.condition_text
        self.citations = tuple(c.ref for c in rule.citations)
        self.kind = rule.kind
        # Interpretation.to_dict() of each reading, as parts: the trace makes fresh dicts
        self.interpretations = tuple(
            (note.id, note.en, note.zh, tuple(c.ref for c in note.citations))
            for note in rule.interpretations
        )
        shown = [(name, slot, origin) for name, slot, origin in rule.reads if origin != "parameter"]
        self.names = tuple(name for name, _, _ in shown)
        # a list fact is shown by reference to the decision's facts, never copied into events
        self.lists = tuple(origin == "input" for _, _, origin in shown)
        slots = [slot for _, slot, _ in shown]
        self.read: Callable[[list[Any]], tuple[Any, ...]]
        if not slots:
            self.read = _nothing
        elif len(slots) == 1:
            self.read = _one(slots[0])
        else:
            self.read = itemgetter(*slots)  # the values read, as a tuple, at record time
        by_name = policy.parameters_by_name
        self.condition_parameters = tuple(by_name[n] for n in rule.condition_parameters)
        self.set_parameters = tuple(by_name[n] for n in rule.set_parameters)
        self.name_of = policy.name_of
        # the clauses an applied rule cites: its own, its readings', then (by the date) those of
        # the parameters it reads
        own = rule.citations + tuple(c for note in rule.interpretations for c in note.citations)
        self.cited = tuple((c.ref, c) for c in own)
        self.parameters_read = tuple(
            by_name[name] for name, _, origin in rule.reads if origin == "parameter"
        )


class PolicyPlan:
    """A policy's rule plans, and the records its decisions repeat."""

    __slots__ = ("rules", "missing", "_cited", "_dicts")

    def __init__(self, policy: CompiledPolicy) -> None:
        self.rules = {id(rule): RulePlan(rule, policy) for rule in policy.rules}
        # the missing-fact records of the policy's inputs, by input and reason (``findings``)
        self.missing: dict[tuple[str, ...], Any] = {}
        self._cited: dict[int, tuple[ParameterValue, tuple[tuple[str, Citation], ...]]] = {}
        self._dicts: dict[int, tuple[Citation, dict[str, object]]] = {}
        for rule in self.rules.values():
            for _, citation in rule.cited:
                self._dicts[id(citation)] = (citation, citation.to_dict())

    def parameter_cited(self, value: ParameterValue) -> tuple[tuple[str, Citation], ...]:
        """The clauses of a parameter's value, with their references."""
        found = self._cited.get(id(value))
        if found is None or found[0] is not value:
            pairs = tuple((c.ref, c) for c in value.citations)
            for citation in value.citations:
                self._dicts[id(citation)] = (citation, citation.to_dict())
            found = self._cited[id(value)] = (value, pairs)
        return found[1]

    def citation_dict(self, citation: Citation) -> dict[str, object]:
        """``citation.to_dict()``: a copy of the one made for the policy's own clauses."""
        found = self._dicts.get(id(citation))
        if found is None or found[0] is not citation:
            return citation.to_dict()
        return dict(found[1])  # its values are texts: a shallow copy is a fresh one


# per policy (by identity, while it lives)
_PLANS: dict[int, PolicyPlan] = {}


def policy_plan(policy: CompiledPolicy) -> PolicyPlan:
    """The plan of ``policy``, made on first use and dropped with the policy."""
    plan = _PLANS.get(id(policy))
    if plan is None:
        plan = _PLANS[id(policy)] = PolicyPlan(policy)
        weakref.finalize(policy, _PLANS.pop, id(policy), None)
    return plan


class ProgramPlan:
    """What the untraced evaluation of one program needs beside its rules, worked out once:
    its steps, whether any rule can be defeated or gives a notice, the
    notice an undated text adds, the slot values the inputs are followed by."""

    __slots__ = (
        "program",
        "steps",
        "defeats",
        "notices",
        "undated",
        "tail",
        "_unblocked",
    )

    def __init__(
        self,
        policy: CompiledPolicy,
        program: Program,
        undated: Callable[[CompiledPolicy, frozenset[str]], Notice],
    ) -> None:
        self.program = program
        # each rule's condition (one that always holds for a rule without), then the rest of
        # its step: most conditions do not hold, and the loop unpacks no more than it reads
        self.steps = tuple(
            (condition or _holds, (rule, sets, defeatable, collects))
            for rule, condition, sets, defeatable, collects in program.steps
        )
        self.defeats = any(defeatable for _, _, _, defeatable, _ in program.steps)
        self.notices = any(rule.notice is not None for rule in policy.rules)
        self.undated = (
            undated(policy, program.undated) if policy.undated or program.undated else None
        )
        self.tail = (*program.parameters, *policy.blank_values)
        self._unblocked: dict[frozenset[int], tuple[Any, ...]] = {}

    def unblocked(self, blocked: frozenset[int]) -> tuple[Any, ...]:
        """The steps of the rules that read none of the ``blocked`` input slots (the facts a
        case misses): a case misses one of a few sets of facts, each filtered once."""
        steps = self._unblocked.get(blocked)
        if steps is None:
            if len(self._unblocked) > 256:
                self._unblocked.clear()
            steps = self._unblocked[blocked] = tuple(
                step for step in self.steps if step[1][0].input_slots.isdisjoint(blocked)
            )
        return steps


def _holds(values: list[Any]) -> bool:
    return True


# per program (by identity, while its policy lives)
_PROGRAMS: dict[int, ProgramPlan] = {}


def program_plan(
    policy: CompiledPolicy,
    program: Program,
    undated: Callable[[CompiledPolicy, frozenset[str]], Notice],
) -> ProgramPlan:
    """The plan of one of ``policy``'s programs, made on first use and dropped with the policy
    (``undated`` makes the notice of an undated text, ``findings.undated_notice``)."""
    plan = _PROGRAMS.get(id(program))
    if plan is None or plan.program is not program:
        plan = _PROGRAMS[id(program)] = ProgramPlan(policy, program, undated)
        weakref.finalize(policy, _PROGRAMS.pop, id(program), None)
    return plan
