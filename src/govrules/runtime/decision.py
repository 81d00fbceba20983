"""Decisions: the outcome of one evaluation, with its facts, values, citations, missing facts,
notices, trace and fingerprint.

A decision is a record, not a computation: its JSON form (format 3) is the contract other
systems and the ``verify`` command rely on, and the same case on the same date under the same
policy gives byte-identical JSON. Its fingerprint is sha256 over the RFC 8785 canonical form of
that JSON without ``trace`` and ``fingerprint`` -- the trace is covered by ``trace_digest`` --
so anyone can recompute it (``docs/auditors.md``).

    decision.outcome              # 'compliant'
    decision.values["rate_min"]   # Decimal('0.03')
    decision.to_json()
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from govrules.canonical import digest, dumps, plain_digest
from govrules.citations import Citation
from govrules.compiler.policy import CompiledPolicy, CompiledRule, Notice
from govrules.records import record
from govrules.runtime.plans import policy_plan
from govrules.runtime.trace import TraceRecorder
from govrules.runtime.trace_events import json_value
from govrules.values import MISSING, Record, canonical_decimal, to_json_value

__all__ = [
    "FORMAT",
    "JSON_KEYS",
    "Decision",
    "MissingFact",
    "canonical_facts",
    "facts_given",
    "fingerprint_of",
    "public_values",
    "values_later",
]

FORMAT = 3
JSON_KEYS = (
    "format",
    "policy",
    "policy_version",
    "policy_hash",
    "pack",
    "as_of",
    "calendar",
    "facts",
    "outcome",
    "values",
    "citations",
    "missing",
    "notices",
    "trace_digest",
    "trace",
    "fingerprint",
)
# the parts of a decision its fingerprint does not cover directly
UNFINGERPRINTED = ("trace", "fingerprint")


@record
class MissingFact:
    """A fact the decision needed and did not get, with why and on which clause."""

    fact: str
    required: bool
    reason: str
    needed_for: tuple[str, ...]
    title_zh: str | None
    title_en: str | None
    citations: tuple[Citation, ...]

    def to_dict(self) -> dict[str, object]:
        return {
            "fact": self.fact,
            "required": self.required,
            "reason": self.reason,
            "needed_for": list(self.needed_for),
            "title_zh": self.title_zh,
            "title_en": self.title_en,
            "citations": [c.ref for c in self.citations],
        }


def _canonical(value: Any) -> Any:
    if isinstance(value, Decimal):
        return canonical_decimal(value)
    if isinstance(value, Record):
        return {name: _canonical(item) for name, item in value.as_dict().items()}
    if isinstance(value, (list, tuple)):
        return [_canonical(item) for item in value]
    return to_json_value(value)


def canonical_facts(facts: Mapping[str, Any]) -> dict[str, Any]:
    """The given facts in one spelling: exact decimals without trailing zeros (1000000.00 and
    1E+6 are both "1000000"), dates ISO, records as objects; facts not given left out."""
    return {
        name: _canonical(value)
        for name, value in facts.items()
        if value is not None and value is not MISSING
    }


def fingerprint_of(document: Mapping[str, Any]) -> str:
    """The fingerprint of a decision's JSON object: sha256 over the canonical form (RFC 8785)
    of every member but ``trace`` (covered by ``trace_digest``) and ``fingerprint``."""
    return digest({k: v for k, v in document.items() if k not in UNFINGERPRINTED})


def public_values(policy: CompiledPolicy, slots: list[Any]) -> dict[str, Any]:
    """The values of the policy's public outputs in an evaluation's slots (None for unknown)."""
    return {
        name: None if (value := slots[slot]) is MISSING else value
        for name, slot in policy.public_slots
    }


def values_later(decision: Decision) -> Callable[[], dict[str, Any]]:
    """What gives, each time it is called, a fresh dict of the decision's values as decided,
    whatever its reader does to ``decision.values`` meanwhile; it holds no reference to the
    decision, so a decision that keeps it (``add_notices_later``) makes no reference cycle."""
    slots, policy = decision._slots, decision.policy
    if slots is None:
        values = dict(decision.values)
        return lambda: dict(values)
    return lambda: public_values(policy, slots)


def facts_given(policy: CompiledPolicy, inputs: list[Any]) -> dict[str, Any]:
    """The facts of a case's ``inputs`` (as the policy's converter gave them), by input name;
    facts not given are left out."""
    return {
        item.name: value
        for item, value in zip(policy.inputs, inputs, strict=True)
        if value is not MISSING
    }


class Decision:
    """The result of ``Engine.evaluate``. Derived parts (citations, JSON, the notices that
    compare it with another norm's policy) are built on demand."""

    __slots__ = (
        "policy",
        "as_of",
        "outcome",
        "_values",
        "_slots",
        "missing",
        "_notices",
        "_later_notices",
        "calendar",
        "_trace",
        "_inputs",
        "_applied",
        "_fingerprint",
        "_citations",
        "_document",
    )

    def __init__(
        self,
        policy: CompiledPolicy,
        as_of: dt.date,
        outcome: str,
        values: dict[str, Any] | None,
        missing: tuple[MissingFact, ...],
        notices: tuple[Notice, ...],
        trace: tuple[dict[str, Any], ...] | tuple[TraceRecorder, int],
        inputs: list[Any],
        applied: list[CompiledRule],
        calendar: str = "",
    ) -> None:
        self.policy = policy
        self.as_of = as_of
        self.outcome = outcome
        self._values: dict[str, Any] | None = values
        self._slots: list[Any] | None = None
        self.missing = missing
        self._notices = notices
        self._later_notices: Callable[[], tuple[Notice, ...]] | None = None
        # the events, or (the recorder, how many of its events are this decision's): the
        # events are built when the trace is first read
        self._trace: tuple[Any, ...] = trace
        self.calendar = calendar  # the provenance of the holiday calendar used
        self._inputs = inputs
        self._applied = applied
        self._fingerprint: str | None = None
        self._citations: tuple[Citation, ...] | None = None
        self._document: dict[str, Any] | None = None

    @classmethod
    def decided(
        cls,
        policy: CompiledPolicy,
        as_of: dt.date,
        outcome: str,
        slots: list[Any],
        missing: tuple[MissingFact, ...],
        notices: tuple[Notice, ...],
        trace: tuple[TraceRecorder, int] | tuple[()],
        applied: list[CompiledRule],
        calendar: str,
    ) -> Decision:
        """A decision of the evaluation loop: its values stay in the evaluation's ``slots``
        (which nothing changes after) until they are first read."""
        decision = cls(
            policy,
            as_of,
            outcome,
            None,
            missing,
            notices,
            trace,
            slots[: len(policy.inputs)],
            applied,
            calendar,
        )
        decision._slots = slots
        return decision

    @property
    def values(self) -> dict[str, Any]:
        """The values of the policy's public outputs, by name (None for a value not known)."""
        values = self._values
        if values is None:
            assert self._slots is not None
            values = self._values = public_values(self.policy, self._slots)
        return values

    @values.setter
    def values(self, values: dict[str, Any]) -> None:
        self._values = values

    @property
    def trace(self) -> tuple[dict[str, Any], ...]:
        """Every step of the evaluation, in order (empty when it was not traced)."""
        trace = self._trace
        if trace and isinstance(trace[0], TraceRecorder):
            recorder, count = trace
            trace = self._trace = tuple(recorder.events[:count])
        return trace

    @trace.setter
    def trace(self, events: tuple[dict[str, Any], ...]) -> None:
        self._trace = events

    @property
    def notices(self) -> tuple[Notice, ...]:
        """The decision's notices: its own, then those added later (``add_notices_later``),
        which are made when first read."""
        later = self._later_notices
        if later is not None:
            self._notices = self._notices + later()
            self._later_notices = None
        return self._notices

    @notices.setter
    def notices(self, notices: tuple[Notice, ...]) -> None:
        self._notices = tuple(notices)
        self._later_notices = None

    def add_notices_later(self, make: Callable[[], tuple[Notice, ...]]) -> None:
        """Append the notices ``make()`` gives when the notices are first read (the JSON, the
        fingerprint and pickling read them): the comparison with a superior or related norm's
        policy costs several times the decision itself, and a caller who reads only the
        values does not pay for it. ``make`` must depend on nothing that can change."""
        before = self._later_notices
        if before is None:
            self._later_notices = make
        else:
            self._later_notices = lambda: before() + make()

    @property
    def facts(self) -> dict[str, Any]:
        """The facts the case gave, by input name (facts not given are left out)."""
        return facts_given(self.policy, self._inputs)

    @property
    def policy_id(self) -> str:
        return self.policy.id

    @property
    def policy_version(self) -> str:
        return self.policy.version

    @property
    def applied_rules(self) -> tuple[str, ...]:
        """Ids of the rules that applied, in evaluation order."""
        return tuple(rule.id for rule in self._applied)

    @property
    def citations(self) -> tuple[Citation, ...]:
        """Every clause the decision rests on: applied rules, their readings, their figures."""
        if self._citations is None:
            found: dict[str, Citation] = {}
            plan = policy_plan(self.policy)
            for rule in self._applied:
                cited = plan.rules[id(rule)]
                for ref, citation in cited.cited:
                    found.setdefault(ref, citation)
                for parameter in cited.parameters_read:
                    value = parameter.at(self.as_of)
                    if value is not None:
                        for ref, citation in plan.parameter_cited(value):
                            found.setdefault(ref, citation)
            for notice in self.notices:
                for citation in notice.citations:
                    found.setdefault(citation.ref, citation)
            self._citations = tuple(found.values())
        return self._citations

    @property
    def fingerprint(self) -> str:
        if self._fingerprint is None:
            # fingerprint_of, on the JSON the decision built itself (JSON's own types only)
            body = self._body()
            self._fingerprint = plain_digest(
                {k: v for k, v in body.items() if k not in UNFINGERPRINTED}
            )
        return self._fingerprint

    def _body(self) -> dict[str, Any]:
        """The JSON object without its fingerprint, built once."""
        if self._document is None:
            plan = policy_plan(self.policy)
            trace = list(self.trace)
            self._document = {
                "format": FORMAT,
                "policy": self.policy.id,
                "policy_version": self.policy.version,
                "policy_hash": self.policy.content_hash,
                "pack": self.policy.pack.to_dict() if self.policy.pack is not None else None,
                "as_of": self.as_of.isoformat(),
                "calendar": self.calendar,
                "facts": canonical_facts(self.facts),
                "outcome": self.outcome,
                "values": {name: json_value(value) for name, value in self.values.items()},
                "citations": [plan.citation_dict(citation) for citation in self.citations],
                "missing": [fact.to_dict() for fact in self.missing],
                "notices": [notice.to_dict() for notice in self.notices],
                "trace_digest": plain_digest(trace) if trace else None,
                "trace": trace,
            }
        return self._document

    def to_dict(self) -> dict[str, Any]:
        """The JSON contract: exactly the keys of ``JSON_KEYS``, in that order."""
        return {**self._body(), "fingerprint": self.fingerprint}

    def to_json(self, indent: int | None = 2) -> str:
        return dumps(self.to_dict(), indent)

    def __repr__(self) -> str:
        return f"<Decision {self.policy.id} {self.as_of} {self.outcome}>"

    def __reduce__(self) -> tuple[Any, ...]:
        """A decision crosses processes (``Engine.evaluate_many(workers=...)``, Dask): its policy
        travels by reference (``CompiledPolicy.__reduce__``), its applied rules by id; the
        derived parts (citations, JSON, fingerprint) are rebuilt on the other side."""
        state = (
            self.as_of,
            self.outcome,
            self.values,
            self.missing,
            self.notices,
            self.trace,
            self._inputs,
            tuple(rule.id for rule in self._applied),
            self.calendar,
        )
        return (_restore, (self.policy, state))


def _restore(policy: CompiledPolicy, state: tuple[Any, ...]) -> Decision:
    as_of, outcome, values, missing, notices, trace, inputs, applied, calendar = state
    rules = {rule.id: rule for rule in policy.rules}
    return Decision(
        policy,
        as_of,
        outcome,
        values,
        missing,
        notices,
        trace,
        inputs,
        [rules[rule_id] for rule_id in applied],
        calendar,
    )
