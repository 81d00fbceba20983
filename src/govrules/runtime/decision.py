"""Decisions: the outcome of one evaluation, with its values, citations, missing facts,
notices, trace and fingerprint.

A decision is a record, not a computation: its JSON form is the contract other systems and
the ``verify`` command rely on, and the same case on the same date under the same policy
gives byte-identical JSON.

    decision.outcome              # 'compliant'
    decision.values["rate_min"]   # Decimal('0.03')
    decision.to_json()
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from govrules.citations import Citation
from govrules.compiler.policy import CompiledPolicy, CompiledRule, Notice
from govrules.values import MISSING, canonical_decimal, to_json_value

__all__ = ["Decision", "MissingFact", "canonical_input", "fingerprint"]

JSON_KEYS = (
    "policy",
    "policy_version",
    "as_of",
    "outcome",
    "values",
    "citations",
    "missing",
    "notices",
    "trace",
    "fingerprint",
)


@dataclass(frozen=True, slots=True)
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
    if isinstance(value, (list, tuple)):
        return [_canonical(item) for item in value]
    return to_json_value(value)


def canonical_input(facts: dict[str, Any]) -> str:
    """The given facts as canonical JSON: sorted keys, exact decimals in one spelling."""
    body = {name: _canonical(value) for name, value in facts.items() if value is not None}
    return json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def fingerprint(policy_id: str, content_hash: str, as_of: dt.date, facts_json: str) -> str:
    """sha256 over the canonical input, the as-of date and the policy's content hash."""
    digest = hashlib.sha256()
    for part in (policy_id, content_hash, as_of.isoformat(), facts_json):
        digest.update(part.encode("utf-8"))
        digest.update(b"\x00")
    return "sha256:" + digest.hexdigest()


class Decision:
    """The result of ``Engine.evaluate``. Derived parts (citations, JSON) are built on demand."""

    __slots__ = (
        "policy",
        "as_of",
        "outcome",
        "values",
        "missing",
        "notices",
        "trace",
        "_inputs",
        "_applied",
        "_fingerprint",
        "_citations",
    )

    def __init__(
        self,
        policy: CompiledPolicy,
        as_of: dt.date,
        outcome: str,
        values: dict[str, Any],
        missing: tuple[MissingFact, ...],
        notices: tuple[Notice, ...],
        trace: tuple[dict[str, Any], ...],
        inputs: list[Any],
        applied: list[CompiledRule],
    ) -> None:
        self.policy = policy
        self.as_of = as_of
        self.outcome = outcome
        self.values = values
        self.missing = missing
        self.notices = notices
        self.trace = trace
        self._inputs = inputs
        self._applied = applied
        self._fingerprint: str | None = None
        self._citations: tuple[Citation, ...] | None = None

    @property
    def facts(self) -> dict[str, Any]:
        """The facts the case gave, by input name (facts not given are left out)."""
        return {
            item.name: value
            for item, value in zip(self.policy.inputs, self._inputs, strict=True)
            if value is not MISSING
        }

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
            parameters = {p.name: p for p in self.policy.parameters}
            for rule in self._applied:
                groups = [rule.citations] + [note.citations for note in rule.interpretations]
                for name, _, origin in rule.reads:
                    if origin == "parameter":
                        value = parameters[name].at(self.as_of)
                        if value is not None:
                            groups.append(value.citations)
                for group in groups:
                    for citation in group:
                        found.setdefault(citation.ref, citation)
            for notice in self.notices:
                for citation in notice.citations:
                    found.setdefault(citation.ref, citation)
            self._citations = tuple(found.values())
        return self._citations

    @property
    def fingerprint(self) -> str:
        if self._fingerprint is None:
            self._fingerprint = fingerprint(
                self.policy.id, self.policy.content_hash, self.as_of, canonical_input(self.facts)
            )
        return self._fingerprint

    def to_dict(self) -> dict[str, Any]:
        """The JSON contract: exactly the keys of ``JSON_KEYS``, in that order."""
        return {
            "policy": self.policy.id,
            "policy_version": self.policy.version,
            "as_of": self.as_of.isoformat(),
            "outcome": self.outcome,
            "values": {name: to_json_value(value) for name, value in self.values.items()},
            "citations": [citation.to_dict() for citation in self.citations],
            "missing": [fact.to_dict() for fact in self.missing],
            "notices": [notice.to_dict() for notice in self.notices],
            "trace": list(self.trace),
            "fingerprint": self.fingerprint,
        }

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=indent)

    def __repr__(self) -> str:
        return f"<Decision {self.policy.id} {self.as_of} {self.outcome}>"
