"""The file formats, as pydantic models: what a policy or source YAML file may contain.

These models check shape only (keys, scalar types, patterns). Meaning -- names that resolve,
expressions that type-check, citations that reach a clause -- is checked by the compiler.
Every model remembers the position of the mapping it was read from, and of each field.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    StringConstraints,
    WithJsonSchema,
    model_validator,
)

from govrules.language.reader import LocatedMap
from govrules.spans import SourceSpan

__all__ = [
    "Bilingual",
    "LocatedModel",
    "file_format_schema",
    "ClauseModel",
    "ExpectModel",
    "InputModel",
    "InterpretationModel",
    "NoticeModel",
    "OutcomeModel",
    "OutputModel",
    "ParameterModel",
    "ParameterValueModel",
    "PolicyModel",
    "PolicyTestModel",
    "RuleModel",
    "SourceDocumentModel",
    "TYPE_NAMES",
]

TYPE_NAMES = (
    "bool",
    "integer",
    "decimal",
    "money",
    "rate",
    "date",
    "datetime",
    "text",
    "enum",
    "list",
)
TypeName = Literal[
    "bool", "integer", "decimal", "money", "rate", "date", "datetime", "text", "enum", "list"
]
ScalarTypeName = Literal[
    "bool", "integer", "decimal", "money", "rate", "date", "datetime", "text", "enum"
]
Identifier = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", max_length=64)]
DottedId = Annotated[
    str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$", max_length=160)
]
ClauseId = Annotated[
    str,
    StringConstraints(
        pattern=r"^(preamble|closing|ch\d+|(ch\d+\.)?(art|sec|annex)\d+(_\d+)?)"
        r"(\.(para|item|sub|point|sec)\d+)*$"
    ),
]
Confidence = Literal["A", "B", "C", "U"]
Expression = Annotated[str, StringConstraints(min_length=1, max_length=4000)]


def _as_tuple(value: Any) -> Any:
    """A citation may be written as one string or as a list of strings."""
    return (value,) if isinstance(value, str) else value


def _one_or_many(item: dict[str, Any]) -> WithJsonSchema:
    """The JSON Schema of a field written as one item or a list of items."""
    return WithJsonSchema({"anyOf": [item, {"type": "array", "items": item, "minItems": 1}]})


CiteList = Annotated[
    tuple[Annotated[str, StringConstraints(min_length=3)], ...],
    BeforeValidator(_as_tuple),
    Field(min_length=1),
    _one_or_many(
        {"type": "string", "minLength": 3, "description": "source#clause, e.g. wage#art4.item1"}
    ),
]
IdentifierList = Annotated[
    tuple[Identifier, ...],
    BeforeValidator(_as_tuple),
    _one_or_many({"type": "string", "pattern": r"^[a-z][a-z0-9_]*$"}),
]


class LocatedModel(BaseModel):
    """Base of every file model: strict keys, immutable, and position-aware."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)
    _span: SourceSpan | None = PrivateAttr(default=None)
    _field_spans: dict[str, SourceSpan] = PrivateAttr(default_factory=dict)
    _entry_spans: dict[str, dict[str, SourceSpan]] = PrivateAttr(default_factory=dict)

    @model_validator(mode="wrap")
    @classmethod
    def _remember_position(cls, data: Any, handler: Any) -> Any:
        node = handler(data)
        if isinstance(data, LocatedMap):
            node._span = data.span
            node._field_spans = data.value_spans
            node._entry_spans = {
                key: value.value_spans
                for key, value in data.items()
                if isinstance(value, LocatedMap)
            }
        return node

    def span_of(self, field: str | None = None) -> SourceSpan | None:
        """Where ``field`` (or, without one, this whole mapping) is written."""
        if field is not None:
            alias = (
                type(self).model_fields[field].alias if field in type(self).model_fields else None
            )
            found = self._field_spans.get(alias or field) or self._field_spans.get(field)
            if found is not None:
                return found
        return self._span

    def entry_span(self, field: str, key: str) -> SourceSpan | None:
        """Where the value of ``key`` inside the mapping field ``field`` is written."""
        return self._entry_spans.get(field, {}).get(key) or self.span_of(field)


class Bilingual(LocatedModel):
    """A text in Chinese (authoritative) and English (reference)."""

    zh: str
    en: str


# --------------------------------------------------------------------------- sources


class ClauseModel(LocatedModel):
    label: str
    text: str
    excerpt: bool = False
    verification: Confidence | None = None


class OriginModel(LocatedModel):
    seed: str | None = None
    url: str | None = None
    checked_against: str | None = None


class SourceDocumentModel(LocatedModel):
    """A regulation or law, with its clauses verbatim; see docs/source-format.md."""

    kind: Literal["source"]
    id: DottedId
    title: Bilingual
    issuer: str | None = None
    document_number: str | None = None
    issued: dt.date | None = None
    effective: dt.date | None = None
    repealed: dt.date | None = None
    jurisdiction: str
    origin: OriginModel
    verification: Confidence
    coverage: Literal["full", "selected"] = "full"
    notes: str | None = None
    clauses: dict[ClauseId, ClauseModel] = Field(min_length=1)


# --------------------------------------------------------------------------- policies


class InputModel(LocatedModel):
    """A fact the caller supplies."""

    type: TypeName
    title: Bilingual | None = None
    description: str | None = None
    values: tuple[str, ...] | None = None
    items: ScalarTypeName | None = None
    required: bool = False
    required_when: Expression | bool | None = None
    cite: CiteList | None = None
    gt: Decimal | int | dt.date | None = None
    ge: Decimal | int | dt.date | None = None
    lt: Decimal | int | dt.date | None = None
    le: Decimal | int | dt.date | None = None


class ParameterValueModel(LocatedModel):
    """One value of a parameter, in force from ``from`` until the next value's date."""

    from_: dt.date = Field(alias="from")
    value: bool | int | Decimal | dt.date | str
    cite: CiteList | None = None
    unverified: bool = False
    note: str | None = None


class ParameterModel(LocatedModel):
    """A figure of the law (rate, period, threshold) with effective-dated values."""

    type: ScalarTypeName
    title: Bilingual | None = None
    description: str | None = None
    cite: CiteList | None = None
    values: tuple[ParameterValueModel, ...] = Field(min_length=1)


class OutputModel(LocatedModel):
    """A value the policy computes; ``internal`` ones appear in the trace only."""

    type: TypeName
    title: Bilingual | None = None
    description: str | None = None
    values: tuple[str, ...] | None = None
    items: ScalarTypeName | None = None
    internal: bool = False
    # a list that every applying rule adds one item to (no conflict between them)
    collect: bool = False
    # when the value cannot be computed, list the facts it needs that were not given:
    # true = every optional input it depends on; a list = exactly these inputs
    report_missing: bool | tuple[Identifier, ...] = False


class OutcomeModel(LocatedModel):
    """The outcomes a policy's rules may give, and the one given when none applies."""

    values: tuple[Identifier, ...] = Field(min_length=1)
    default: Identifier
    titles: dict[Identifier, Bilingual] = Field(default_factory=dict)


class NoticeModel(LocatedModel):
    code: Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_-]*$")]
    level: Literal["info", "warning"] = "info"
    zh: str | None = None
    en: str


class RuleModel(LocatedModel):
    """A cited rule: when its condition holds it sets values, gives an outcome or a notice."""

    id: Identifier
    title: Bilingual | None = None
    cite: CiteList
    when: Expression | bool = True
    set: dict[str, Expression] = Field(default_factory=dict)
    outcome: Identifier | None = None
    notice: NoticeModel | None = None
    interpretation: IdentifierList = ()
    defeats: tuple[Identifier, ...] = ()


class InterpretationModel(LocatedModel):
    """How an ambiguous text is read, written down so that the trace can show it."""

    id: Identifier
    zh: str | None = None
    en: str
    cite: CiteList


class ExpectModel(LocatedModel):
    outcome: str | None = None
    values: dict[str, Any] = Field(default_factory=dict)
    missing: tuple[str, ...] | None = None
    notices: tuple[str, ...] | None = None
    error: str | None = None


class PolicyTestModel(LocatedModel):
    """A case next to the policy, with the decision it must give."""

    name: str
    as_of: dt.date
    input: dict[str, Any] = Field(default_factory=dict)
    expect: ExpectModel


class EffectivePeriod(LocatedModel):
    from_: dt.date = Field(alias="from")
    to: dt.date | None = None


class PolicyModel(LocatedModel):
    """A policy file: one regulation (or a coherent part of one) made executable."""

    kind: Literal["policy"]
    id: DottedId
    version: Annotated[str, StringConstraints(pattern=r"^\d+\.\d+\.\d+$")]
    title: Bilingual
    description: str | None = None
    jurisdiction: str
    sources: dict[Identifier, DottedId] = Field(min_length=1)
    effective: EffectivePeriod
    inputs: dict[Identifier, InputModel] = Field(default_factory=dict)
    parameters: dict[Identifier, ParameterModel] = Field(default_factory=dict)
    outputs: dict[Identifier, OutputModel] = Field(default_factory=dict)
    outcome: OutcomeModel
    rules: tuple[RuleModel, ...] = Field(min_length=1)
    interpretations: tuple[InterpretationModel, ...] = ()
    tests: tuple[PolicyTestModel, ...] = ()


def file_format_schema(kind: str) -> dict[str, Any]:
    """The JSON Schema of a policy file (``kind='policy'``) or a source file (``'source'``),
    generated from the same models the loader uses."""
    model = PolicyModel if kind == "policy" else SourceDocumentModel
    schema = model.model_json_schema(by_alias=True, mode="validation")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = f"govrules {kind} file"
    return schema
