"""The compiled, immutable form of a policy: what the engine evaluates.

Produced by ``compiler.pipeline.compile_policy``; nothing here reads files or parses text.

    policy.id, policy.version, policy.header.other_laws    # plain values, read when deciding
    policy.model                                            # the file model (pydantic)

A policy taken from the compiled cache holds its file model as the bytes it was kept as, and
reads them when ``model`` is first asked for: deciding reads ``header`` instead, so that a
command line that decides imports no pydantic.
"""

# Longer than 400 lines because the compiled policy's parts and the policy itself, with how it
# builds its programs and restores its file model, are one data structure read together.

from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from dataclasses import field
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from govrules.citations import Citation
from govrules.compiler.header import PolicyHeader
from govrules.compiler.restore import register, restore_policy
from govrules.language.expr.checked import Checked
from govrules.language.expr.functions.spec import Compiled
from govrules.language.expr.types import Type
from govrules.language.sources import kept_model
from govrules.packs.manifest import PackRef
from govrules.records import record
from govrules.spans import SourceSpan
from govrules.values import MISSING, effective_text, to_json_value

if TYPE_CHECKING:
    from govrules.language.files import PolicyModel

__all__ = [
    "CompiledInput",
    "CompiledOutput",
    "CompiledParameter",
    "CompiledPolicy",
    "CompiledRule",
    "Interpretation",
    "Notice",
    "ParameterValue",
    "Program",
]


@record
class Interpretation:
    """A reading of an ambiguous text, shown wherever a rule relying on it is used."""

    id: str
    en: str
    zh: str | None
    citations: tuple[Citation, ...]

    def to_dict(self) -> dict[str, object]:
        return {
            "id": self.id,
            "en": self.en,
            "zh": self.zh,
            "citations": [c.ref for c in self.citations],
        }


@record
class Notice:
    code: str
    level: str
    en: str
    zh: str | None
    citations: tuple[Citation, ...]
    rule: str | None = None
    # structured content for machines (a law-hierarchy notice's two results and verdict)
    detail: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, object]:
        found: dict[str, object] = {
            "code": self.code,
            "level": self.level,
            "en": self.en,
            "zh": self.zh,
            "rule": self.rule,
            "citations": [c.ref for c in self.citations],
        }
        if self.detail is not None:
            found["detail"] = self.detail
        return found


@record
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


@record
class ParameterValue:
    effective_from: dt.date
    value: Any
    citations: tuple[Citation, ...]
    unverified: bool
    note: str | None


@record
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

    def read_on(self, day: dt.date) -> Reading | None:
        """The value in force on ``day`` as ``at(parameter, day)`` reads it, for the trace."""
        found = self.at(day)
        if found is None:
            return None
        return Reading(
            found.value,
            {
                "name": self.name,
                "on": day.isoformat(),
                "value": to_json_value(found.value),
                "effective_from": effective_text(found.effective_from),
                "citations": [c.ref for c in found.citations],
                "unverified": found.unverified,
            },
        )


@record
class Reading:
    """A parameter's value read on a date other than the decision's, and its trace event."""

    value: Any
    event: dict[str, Any]

    def trace(self) -> dict[str, Any]:
        return self.event


@record
class CompiledOutput:
    name: str
    slot: int
    type: Type
    internal: bool
    collect: bool
    report_missing: bool
    optional_inputs: tuple[str, ...]  # inputs it may need, for the missing-facts report
    title_zh: str | None
    title_en: str | None
    inputs: tuple[str, ...] = ()  # every input it depends on, through the rules that set it
    precision: int | None = None  # decimal places shown; the exact value is kept
    has_default: bool = False


@record
class CompiledRule:
    id: str
    index: int
    title_en: str | None
    title_zh: str | None
    condition_text: str
    condition: Checked | None  # None: always applies
    sets: tuple[tuple[int, str, Checked | None, Any], ...]  # slot, name, expression, constant
    notice: Notice | None
    citations: tuple[Citation, ...]
    interpretations: tuple[Interpretation, ...]
    defeated_by: tuple[int, ...]  # indexes of rules that defeat this one
    input_slots: frozenset[int]  # inputs read, directly or through values
    reads: tuple[tuple[str, int, str], ...]  # (name, slot, origin) read directly
    condition_parameters: tuple[str, ...]  # parameters the condition reads
    set_parameters: tuple[str, ...]  # further parameters read when the rule applies
    span: SourceSpan | None
    kind: str = "rule"  # rule | else (a rule's else branch) | default (an output's or input's)


@record
class Program:
    """The closures of every rule for one set of parameter values (and one tracing mode)."""

    parameters: tuple[Any, ...]  # slot values of the parameters
    # per rule: the rule, its condition, the values it sets, whether another rule may defeat
    # it, and the items it adds to collected lists
    steps: tuple[
        tuple[
            CompiledRule,
            Compiled | None,
            tuple[tuple[int, Compiled], ...],
            bool,
            tuple[tuple[int, Compiled], ...],
        ],
        ...,
    ]
    unverified: frozenset[str]  # parameters whose value in force is unverified
    undated: frozenset[str] = frozenset()  # parameters whose value in force states no date


@record(weakref_slot=True, init=False)
class CompiledPolicy:
    """A checked, ordered, frozen policy, ready for ``Engine.evaluate``.

    It pickles by reference (its content hash and file), not by value: its compiled rules are
    closures. The receiving process takes the live policy of that hash, or loads the pack that
    holds the file and checks the hash (``restore_policy``).
    """

    _model: PolicyModel | None = field(repr=False, compare=False)
    # the file model as pickled bytes, read on first use (a policy from the compiled cache)
    _model_blob: bytes | None = field(repr=False, compare=False)
    header: PolicyHeader = field(repr=False, compare=False)
    path: str
    content_hash: str
    inputs: tuple[CompiledInput, ...]
    parameters: tuple[CompiledParameter, ...]
    outputs: tuple[CompiledOutput, ...]
    rules: tuple[CompiledRule, ...]  # in evaluation order
    outcome_slot: int
    as_of_slot: int
    frame_slot: int
    interpretations: tuple[Interpretation, ...]
    bindings: int = 0  # slots after the frame for the variables of comprehensions
    pack: PackRef | None = None  # None: loaded from a plain folder, not a pack
    _programs: dict[tuple[tuple[int, ...], bool], Program] = field(
        default_factory=dict, repr=False, compare=False
    )
    _program_keys: dict[dt.date, tuple[int, ...]] = field(
        default_factory=dict, repr=False, compare=False
    )
    _by_day: dict[tuple[dt.date, bool], Program] = field(
        default_factory=dict, repr=False, compare=False
    )
    # derived in __post_init__, for the evaluation loop
    inputs_by_name: dict[str, CompiledInput] = field(init=False, repr=False, compare=False)
    parameters_by_name: dict[str, CompiledParameter] = field(init=False, repr=False, compare=False)
    name_of: dict[int, str] = field(init=False, repr=False, compare=False)
    required_checks: tuple[CompiledInput, ...] = field(init=False, repr=False, compare=False)
    blank_values: tuple[Any, ...] = field(init=False, repr=False, compare=False)
    public_slots: tuple[tuple[str, int], ...] = field(init=False, repr=False, compare=False)
    reporting_outputs: tuple[CompiledOutput, ...] = field(init=False, repr=False, compare=False)
    default_outcome: str = field(init=False, repr=False, compare=False)
    collect_slots: frozenset[int] = field(init=False, repr=False, compare=False)
    binding_blanks: tuple[Any, ...] = field(init=False, repr=False, compare=False)
    exact_slots: tuple[int, ...] = field(init=False, repr=False, compare=False)
    undated: bool = field(init=False, repr=False, compare=False)  # the text states no date
    id: str = field(init=False, compare=False)
    version: str = field(init=False, compare=False)

    def __init__(
        self,
        model: PolicyModel | None,
        path: str,
        content_hash: str,
        inputs: tuple[CompiledInput, ...],
        parameters: tuple[CompiledParameter, ...],
        outputs: tuple[CompiledOutput, ...],
        rules: tuple[CompiledRule, ...],
        outcome_slot: int,
        as_of_slot: int,
        frame_slot: int,
        interpretations: tuple[Interpretation, ...],
        bindings: int = 0,
        pack: PackRef | None = None,
        *,
        header: PolicyHeader | None = None,
        model_blob: bytes | None = None,
    ) -> None:
        """A policy from its file ``model``; or, restored from the compiled cache, from its
        ``header`` and its file model kept as ``model_blob`` (``pickle`` bytes)."""
        if header is None:
            if model is None:
                raise TypeError("a compiled policy needs its file model, or its header")
            header = PolicyHeader.of(model)
        elif model is None and model_blob is None:
            raise TypeError("a compiled policy restored from its header needs its file model")
        given: dict[str, Any] = {
            "_model": model,
            "_model_blob": model_blob,
            "header": header,
            "path": path,
            "content_hash": content_hash,
            "inputs": inputs,
            "parameters": parameters,
            "outputs": outputs,
            "rules": rules,
            "outcome_slot": outcome_slot,
            "as_of_slot": as_of_slot,
            "frame_slot": frame_slot,
            "interpretations": interpretations,
            "bindings": bindings,
            "pack": pack,
            "_programs": {},
            "_program_keys": {},
            "_by_day": {},
        }
        for name, value in given.items():
            object.__setattr__(self, name, value)
        self.__post_init__()

    @property
    def model(self) -> PolicyModel:
        """The policy's file model; a policy from the compiled cache reads it on first use
        (from the bytes kept in the entry its HMAC sealed: ``compiler/cache.py``)."""
        return kept_model(self)  # type: ignore[no-any-return]

    def __post_init__(self) -> None:
        header = self.header
        every: tuple[CompiledInput | CompiledParameter | CompiledOutput, ...] = (
            *self.inputs,
            *self.parameters,
            *self.outputs,
        )
        derived = {
            "inputs_by_name": {item.name: item for item in self.inputs},
            "parameters_by_name": {item.name: item for item in self.parameters},
            "name_of": {item.slot: item.name for item in every} | {self.outcome_slot: "outcome"},
            "required_checks": tuple(i for i in self.inputs if i.required or i.required_when),
            "blank_values": tuple(() if o.collect else MISSING for o in self.outputs) + (MISSING,),
            "collect_slots": frozenset(o.slot for o in self.outputs if o.collect),
            "public_slots": tuple((o.name, o.slot) for o in self.outputs if not o.internal),
            "reporting_outputs": tuple(o for o in self.outputs if o.report_missing),
            "default_outcome": header.default_outcome,
            "binding_blanks": (MISSING,) * self.bindings,
            "exact_slots": tuple(i.slot for i in self.inputs if _holds_decimals(i.type)),
            "undated": header.undated,
            "id": header.id,
            "version": header.version,
        }
        for name, value in derived.items():
            object.__setattr__(self, name, value)
        register(self)

    def __reduce__(self) -> tuple[Any, ...]:
        where = str(Path(self.path).resolve())
        return (restore_policy, (self.content_hash, where, self.id, self.version))

    def in_force(self, day: dt.date) -> bool:
        header = self.header
        return header.effective_start <= day and (
            header.effective_to is None or day <= header.effective_to
        )

    def program(self, day: dt.date, traced: bool) -> Program:
        """The rules compiled with the parameter values in force on ``day`` folded in.

        Parameter values change only on their effective dates, so a handful of programs
        serves every date; each is built once, on first use.
        """
        program = self._by_day.get((day, traced))
        if program is not None:
            return program
        key = self._program_keys.get(day)
        if key is None:
            key = tuple(bisect_right(p.starts, day) - 1 for p in self.parameters)
            if len(self._program_keys) > 4096:
                self._program_keys.clear()
            self._program_keys[day] = key
        program = self._programs.get((key, traced))
        if program is None:
            program = self._programs[(key, traced)] = self._build_program(key, traced)
        if len(self._by_day) > 4096:
            self._by_day.clear()
        self._by_day[(day, traced)] = program
        return program

    def _build_program(self, key: tuple[int, ...], traced: bool) -> Program:
        values = tuple(
            p.values[i].value if i >= 0 else MISSING
            for p, i in zip(self.parameters, key, strict=True)
        )
        constants = {p.slot: value for p, value in zip(self.parameters, values, strict=True)}
        unverified = frozenset(
            p.name
            for p, i in zip(self.parameters, key, strict=True)
            if i >= 0 and p.values[i].unverified
        )
        exact = {o.slot for o in self.outputs if o.type.kind in ("decimal", "money", "rate")}
        histories = {p.slot: p for p in self.parameters}
        steps = []
        for rule in self.rules:
            condition = (
                None
                if rule.condition is None
                else _compile(rule.condition, traced, constants, self.frame_slot, histories)
            )
            compiled = []
            for slot, _, checked, constant in rule.sets:
                if checked is None:
                    compiled.append((slot, _constant(constant)))
                    continue
                compute = _compile(checked, traced, constants, self.frame_slot, histories)
                if slot in exact and _may_give_an_integer(checked):
                    compute = _as_decimal(compute)  # a whole number given to a decimal value
                compiled.append((slot, compute))
            sets = tuple(e for e in compiled if e[0] not in self.collect_slots)
            collects = tuple(e for e in compiled if e[0] in self.collect_slots)
            steps.append((rule, condition, sets, bool(rule.defeated_by), collects))
        undated = frozenset(
            p.name
            for p, i in zip(self.parameters, key, strict=True)
            if i >= 0 and p.values[i].effective_from == dt.date.min
        )
        return Program(values, tuple(steps), unverified, undated)


def _compile(checked: Checked, *arguments: Any) -> Compiled:
    # imported when a program is first built: the closure compiler, not the checker
    from govrules.language.expr.compiler import compile_expression

    return compile_expression(checked, *arguments)


def _constant(value: Any) -> Compiled:
    return lambda v: value


def _as_decimal(compute: Compiled) -> Compiled:
    def exact(v: list[Any]) -> Any:
        value = compute(v)
        return value if value is MISSING else Decimal(value)

    return exact


def _holds_decimals(kind: Type) -> bool:
    """Whether a value of this type may hold a decimal (itself, its items, its fields)."""
    if kind.kind in ("decimal", "money", "rate"):
        return True
    if kind.item is not None and _holds_decimals(kind.item):
        return True
    return any(_holds_decimals(field) for _, field in kind.fields or ())


def _may_give_an_integer(checked: Checked) -> bool:
    """Whether a value for a decimal output may come out a Python int: an integer expression,
    or a bare 0 or 1 that took the output's unit (``max(x, 0)``, ``if c then x else 0``)."""
    if checked.type.kind == "integer":
        return True
    stack = [checked]
    while stack:
        node = stack.pop()
        if type(node.constant) is int:
            return True
        stack.extend(node.args)
    return False
