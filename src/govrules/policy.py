"""The compiled, immutable form of a policy: what the engine evaluates.

Produced by ``compile.compile_policy``; nothing here reads files or parses text.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from dataclasses import dataclass, field
from typing import Any

from govrules.citations import Citation
from govrules.expr import Compiled, Type
from govrules.schema import PolicyModel
from govrules.spans import SourceSpan

__all__ = ["CompiledInput", "CompiledOutput", "CompiledParameter", "CompiledPolicy",
           "CompiledRule", "Interpretation", "Notice", "ParameterValue"]


@dataclass(frozen=True, slots=True)
class Interpretation:
    """A reading of an ambiguous text, shown wherever a rule relying on it is used."""

    id: str
    en: str
    zh: str | None
    citations: tuple[Citation, ...]

    def to_dict(self) -> dict[str, object]:
        return {"id": self.id, "en": self.en, "zh": self.zh,
                "citations": [c.ref for c in self.citations]}


@dataclass(frozen=True, slots=True)
class Notice:
    code: str
    level: str
    en: str
    zh: str | None
    citations: tuple[Citation, ...]
    rule: str | None = None

    def to_dict(self) -> dict[str, object]:
        return {"code": self.code, "level": self.level, "en": self.en, "zh": self.zh,
                "rule": self.rule, "citations": [c.ref for c in self.citations]}


@dataclass(frozen=True, slots=True)
class CompiledInput:
    name: str
    slot: int
    type: Type
    required: bool
    required_when: Compiled | None
    required_when_text: str | None
    citations: tuple[Citation, ...]
    title_zh: str | None
    title_en: str | None
    span: SourceSpan | None


@dataclass(frozen=True, slots=True)
class ParameterValue:
    effective_from: dt.date
    value: Any
    citations: tuple[Citation, ...]
    unverified: bool
    note: str | None


@dataclass(frozen=True, slots=True)
class CompiledParameter:
    name: str
    slot: int
    type: Type
    values: tuple[ParameterValue, ...]  # sorted by effective_from
    starts: tuple[dt.date, ...]

    def at(self, day: dt.date) -> ParameterValue | None:
        """The value in force on ``day``, or ``None`` before the first one."""
        index = bisect_right(self.starts, day) - 1
        return self.values[index] if index >= 0 else None


@dataclass(frozen=True, slots=True)
class CompiledOutput:
    name: str
    slot: int
    type: Type
    internal: bool
    report_missing: bool
    optional_inputs: tuple[str, ...]  # inputs it may need, for the missing-facts report
    title_zh: str | None
    title_en: str | None


@dataclass(frozen=True, slots=True)
class CompiledRule:
    id: str
    index: int
    title_en: str | None
    title_zh: str | None
    condition_text: str
    condition: Compiled | None  # None: always applies
    condition_traced: Compiled | None
    sets: tuple[tuple[int, str, Compiled, Compiled], ...]  # slot, name, fast, traced
    notice: Notice | None
    citations: tuple[Citation, ...]
    interpretations: tuple[Interpretation, ...]
    defeated_by: tuple[int, ...]  # indexes of rules that defeat this one
    input_slots: frozenset[int]  # inputs read, directly or through values
    reads: tuple[tuple[str, int, str], ...]  # (name, slot, origin) read directly
    condition_parameters: tuple[str, ...]  # parameters the condition reads
    set_parameters: tuple[str, ...]  # further parameters read when the rule applies
    span: SourceSpan | None


@dataclass(frozen=True, slots=True)
class CompiledPolicy:
    """A checked, ordered, frozen policy, ready for ``Engine.evaluate``."""

    model: PolicyModel
    path: str
    content_hash: str
    inputs: tuple[CompiledInput, ...]
    parameters: tuple[CompiledParameter, ...]
    outputs: tuple[CompiledOutput, ...]
    rules: tuple[CompiledRule, ...]  # in evaluation order
    outcome_slot: int
    as_of_slot: int
    slot_count: int
    interpretations: tuple[Interpretation, ...]
    _parameter_cache: dict[dt.date, tuple[Any, ...]] = field(default_factory=dict, repr=False,
                                                            compare=False)
    _index: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def id(self) -> str:
        return self.model.id

    @property
    def version(self) -> str:
        return self.model.version

    @property
    def inputs_by_name(self) -> dict[str, CompiledInput]:
        return self._index["inputs"]

    @property
    def parameters_by_name(self) -> dict[str, CompiledParameter]:
        return self._index["parameters"]

    @property
    def slot_of(self) -> dict[str, int]:
        return self._index["slots"]

    def __post_init__(self) -> None:
        index = {
            "inputs": {item.name: item for item in self.inputs},
            "parameters": {item.name: item for item in self.parameters},
            "slots": {item.name: item.slot for item in (*self.inputs, *self.parameters,
                                                        *self.outputs)},
        }
        object.__setattr__(self, "_index", index)

    def in_force(self, day: dt.date) -> bool:
        period = self.model.effective
        return period.from_ <= day and (period.to is None or day <= period.to)

    def parameter_values(self, day: dt.date) -> tuple[Any, ...]:
        """The parameter slot values in force on ``day`` (cached per day)."""
        cached = self._parameter_cache.get(day)
        if cached is None:
            values = []
            for parameter in self.parameters:
                found = parameter.at(day)
                values.append(found.value if found is not None else None)
            cached = tuple(values)
            if len(self._parameter_cache) > 4096:
                self._parameter_cache.clear()
            self._parameter_cache[day] = cached
        return cached
