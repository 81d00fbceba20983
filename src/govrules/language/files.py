"""The file formats, as pydantic models: what a policy or source YAML file may contain.

These models check shape only (keys, scalar types, patterns). Meaning -- names that resolve,
expressions that type-check, citations that reach a clause -- is checked by the compiler.
Every model remembers the position of the mapping it was read from, and of each field.
"""

# Longer than 400 lines because every file format (source, pack, policy) is here, in one
# module: the did-you-mean hints for misspelt keys and the JSON Schemas are read from it.

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BeforeValidator,
    ConfigDict,
    Field,
    GetJsonSchemaHandler,
    StringConstraints,
    model_validator,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema

from govrules.language.collector import collector_paused
from govrules.language.located import (
    TYPE_NAMES,
    Bilingual,
    CiteList,
    ClauseId,
    Confidence,
    DottedId,
    Expression,
    Flag,
    Identifier,
    IdentifierList,
    ItemTypeName,
    LocatedModel,
    ScalarTypeName,
    TypeName,
)
from govrules.versions import Version

__all__ = [
    "Bilingual",
    "LocatedModel",
    "file_format_schema",
    "ClauseModel",
    "DefaultModel",
    "ElseModel",
    "ExpectModel",
    "FieldModel",
    "InputModel",
    "InterpretationModel",
    "NoticeModel",
    "OutcomeModel",
    "OtherLawModel",
    "OutputModel",
    "PackModel",
    "ParameterModel",
    "ParameterValueModel",
    "PolicyModel",
    "PolicyTestModel",
    "RuleModel",
    "SourceDocumentModel",
    "TableKeyModel",
    "TableRowModel",
    "TYPE_NAMES",
]

# --------------------------------------------------------------------------- sources


class ClauseModel(LocatedModel):
    label: str
    text: str
    excerpt: Flag = False
    verification: Confidence | None = None


class OriginModel(LocatedModel):
    seed: str | None = None
    url: str | None = None
    checked_against: str | None = None


# The kinds of norm 立法法 ranks (法律 … 地方政府规章), then those it does not: normative documents
# of an organ, Party regulations and documents, and an organ's internal work rules.
LawKind = Literal[
    "法律",
    "行政法规",
    "部门规章",
    "地方性法规",
    "自治条例和单行条例",
    "地方政府规章",
    "规范性文件",
    "党内法规",
    "党内规范性文件",
    "内部制度",
]
# The level of the issuing organ: the state, a province, a city with districts (or prefecture,
# autonomous prefecture), a county (or district, county-level city), a township.
OrganLevel = Literal["national", "provincial", "prefectural", "county", "township"]


class SourceDocumentModel(LocatedModel):
    """A regulation or law, with its clauses verbatim; see docs/source-format.md."""

    kind: Literal["source"]
    id: DottedId
    title: Bilingual
    issuer: str | None = None
    issuer_en: str | None = None
    # where the document stands in the hierarchy of law (立法法 第九十八至一百零七条)
    law_kind: LawKind | None = None
    level: OrganLevel | None = None
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


# --------------------------------------------------------------------------- packs


# a pack id, or a jurisdiction id: dotted lowercase names (one name alone, such as cn, too)
PackId = Annotated[
    str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*$", max_length=160)
]


class JurisdictionModel(LocatedModel):
    """Where a pack's rules apply: a dotted id, and the GB/T 2260 code of the division."""

    id: PackId
    code: Annotated[str, StringConstraints(pattern=r"^[0-9]{6}$")] | None = None


class MaintainerModel(LocatedModel):
    name: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    email: Annotated[str, StringConstraints(pattern=r"^[^@\s]+@[^@\s]+$")] | None = None
    url: str | None = None


def _semantic_version(text: str) -> str:
    Version.parse(text)  # a VersionError is a ValueError: reported at the key, with the others
    return text


class PackModel(LocatedModel):
    """A policy pack's ``pack.yaml``; see docs/packs.md."""

    kind: Literal["pack"]
    id: PackId
    version: Annotated[str, StringConstraints(max_length=80), AfterValidator(_semantic_version)]
    title: Bilingual
    description: str | None = None
    jurisdiction: JurisdictionModel
    # the namespaces of the policy ids the pack defines (default: the pack id)
    roots: list[DottedId | Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$")]] = Field(
        default_factory=list
    )
    requires: dict[str, str] = Field(default_factory=dict)
    licence: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    maintainers: list[MaintainerModel] = Field(min_length=1)


# --------------------------------------------------------------------------- policies


def _field_shorthand(value: Any) -> Any:
    """A record field may be written as its type alone: ``date: date``."""
    return {"type": value} if isinstance(value, str) else value


class FieldModel(LocatedModel):
    """A field of a record (or a table's value type): required unless it says otherwise;
    written in full, or as its type name alone (``date: date``)."""

    @classmethod
    def __get_pydantic_json_schema__(
        cls, core_schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        full = handler(core_schema)
        names = [name for name in TYPE_NAMES if name != "record"]
        return {"anyOf": [full, {"type": "string", "enum": names}]}

    type: Literal[
        "bool", "integer", "decimal", "money", "rate", "date", "datetime", "text", "enum", "list"
    ]
    title: Bilingual | None = None
    description: str | None = None
    values: tuple[str, ...] | None = None
    items: ScalarTypeName | None = None
    required: Flag = True
    gt: Decimal | int | dt.date | None = None
    ge: Decimal | int | dt.date | None = None
    lt: Decimal | int | dt.date | None = None
    le: Decimal | int | dt.date | None = None


FieldSpec = Annotated[FieldModel, BeforeValidator(_field_shorthand)]


class DefaultModel(LocatedModel):
    """The value a decision uses when nothing else gives one, and the clause that says so:
    ``default: {value: entitled_days, cite: rules#art34.item1}``."""

    value: Expression | Flag
    cite: CiteList


class InputModel(LocatedModel):
    """A fact the caller supplies: a value, a record (``fields``), or a list of either."""

    type: TypeName
    title: Bilingual | None = None
    description: str | None = None
    values: tuple[str, ...] | None = None
    items: ItemTypeName | None = None
    fields: dict[Identifier, FieldSpec] | None = None
    max_items: int | None = Field(default=None, ge=0)
    required: Flag = False
    required_when: Expression | Flag | None = None
    # an optional fact not given takes this value, computed from the decision's other values
    default: DefaultModel | None = None
    cite: CiteList | None = None
    gt: Decimal | int | dt.date | None = None
    ge: Decimal | int | dt.date | None = None
    lt: Decimal | int | dt.date | None = None
    le: Decimal | int | dt.date | None = None


class TableRowModel(LocatedModel):
    """One row of a table: a value for each key (named by the key), the value, its clause.

    ``{matter: administrative_service, value: 5, cite: rules#art15.item4}``; a key with bands
    takes an interval: ``{amount: "[2000, 5000)", value: director}``.
    """

    model_config = ConfigDict(extra="allow", frozen=True, populate_by_name=True, defer_build=True)
    value: bool | int | Decimal | dt.date | str
    cite: CiteList | None = None
    note: str | None = None


class TableKeyModel(LocatedModel):
    """A key of a table: an enum (or text, integer, bool) matched exactly, or a number or date
    matched by bands written as intervals (``bands: true``)."""

    type: ScalarTypeName
    values: tuple[str, ...] | None = None
    bands: Flag = False
    title: Bilingual | None = None


class ParameterValueModel(LocatedModel):
    """One value of a parameter (or the rows of a table), in force from ``from`` until the
    next value's date; ``from: unknown`` for a figure whose text states no date."""

    from_: dt.date | Literal["unknown"] = Field(alias="from")

    @property
    def start(self) -> dt.date:
        return dt.date.min if isinstance(self.from_, str) else self.from_

    value: bool | int | Decimal | dt.date | str | None = None
    rows: tuple[TableRowModel, ...] | None = None
    cite: CiteList | None = None
    unverified: Flag = False
    note: str | None = None


class ParameterModel(LocatedModel):
    """A figure of the law (rate, period, threshold) with effective-dated values, or a table
    of them (``type: table`` with ``keys`` and the ``value`` type)."""

    type: Literal[
        "bool", "integer", "decimal", "money", "rate", "date", "datetime", "text", "enum", "table"
    ]
    title: Bilingual | None = None
    description: str | None = None
    cite: CiteList | None = None
    values: tuple[ParameterValueModel, ...] = Field(min_length=1)
    # a table: its keys (one or two, in the order a lookup gives them) and its value type
    keys: dict[Identifier, TableKeyModel] | None = None
    value: FieldSpec | None = None
    # bands that leave gaps between them are allowed (a lookup in a gap is unknown)
    allow_gaps: Flag = False


class OutputModel(LocatedModel):
    """A value the policy computes; ``internal`` ones appear in the trace only."""

    type: TypeName
    title: Bilingual | None = None
    description: str | None = None
    values: tuple[str, ...] | None = None
    items: ItemTypeName | None = None
    fields: dict[Identifier, FieldSpec] | None = None
    internal: Flag = False
    # a list that every applying rule adds one item to (no conflict between them)
    collect: Flag = False
    # when the value cannot be computed, list the facts it needs that were not given:
    # true = every optional input it depends on; a list = exactly these inputs
    report_missing: Flag | tuple[Identifier, ...] = False
    # the value when no rule sets it
    default: DefaultModel | None = None
    # shown with this many decimal places; the exact value is kept and compared
    precision: int | None = Field(default=None, ge=0, le=28)
    # why the value may rightly stay unknown when every fact is given (it does not apply to
    # such a case); without it, lint warns of a test that leaves it unknown
    may_stay_unknown: str | None = None


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


class ElseModel(LocatedModel):
    """What a rule gives when its condition is false (not when it is unknown)."""

    cite: CiteList | None = None
    set: dict[str, Expression] = Field(default_factory=dict)
    outcome: Identifier | None = None
    notice: NoticeModel | None = None


class RuleModel(LocatedModel):
    """A cited rule: when its condition holds it sets values, gives an outcome or a notice;
    when the condition is false, its ``else`` does."""

    id: Identifier
    title: Bilingual | None = None
    cite: CiteList
    when: Expression | Flag = True
    set: dict[str, Expression] = Field(default_factory=dict)
    outcome: Identifier | None = None
    notice: NoticeModel | None = None
    interpretation: IdentifierList = ()
    defeats: tuple[Identifier, ...] = ()
    otherwise: ElseModel | None = Field(default=None, alias="else")


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
    """When a policy is in force; ``from: unknown`` for a text that states no date (every
    decision under it then says so)."""

    from_: dt.date | Literal["unknown"] = Field(alias="from")
    to: dt.date | None = None

    @property
    def undated(self) -> bool:
        return self.from_ == "unknown"

    @property
    def start(self) -> dt.date:
        """The first day in force (the earliest date for an undated text)."""
        return dt.date.min if isinstance(self.from_, str) else self.from_


class OtherLawModel(LocatedModel):
    """Another policy that computes the same question under another norm (``superior:`` or
    ``related:``): the engine evaluates it beside this one and says which prevails."""

    policy: DottedId
    # the other policy's inputs, each from an input of this one (default: the same names)
    inputs: dict[Identifier, Identifier] = Field(default_factory=dict)
    # this policy's outputs, each compared with an output of the other
    outputs: dict[Identifier, Identifier] = Field(min_length=1)
    # only for cases whose inputs have these values (an enum or bool input: a value or a list)
    when: dict[Identifier, Any] = Field(default_factory=dict)
    # the input dated at the facts the rule governs: no retroactivity (立法法 第一百零四条)
    facts_date: Identifier | None = None


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
    # the same question under a higher norm, or under another norm whose rank the engine works
    # out from the sources (立法法 第九十八至一百零七条); the first source is this policy's own
    superior: tuple[OtherLawModel, ...] = ()
    related: tuple[OtherLawModel, ...] = ()
    tests: tuple[PolicyTestModel, ...] = ()

    @model_validator(mode="wrap")
    @classmethod
    def _validate_with_collector_paused(cls, data: Any, handler: Any) -> Any:
        # a long policy's models are many and all live on: see collector.py
        with collector_paused():
            return handler(data)


def file_format_schema(kind: str) -> dict[str, Any]:
    """The JSON Schema of a policy file (``kind='policy'``), a source file (``'source'``) or a
    ``pack.yaml`` (``'pack'``), generated from the same models the loader uses."""
    models: dict[str, type[LocatedModel]] = {
        "policy": PolicyModel,
        "source": SourceDocumentModel,
        "pack": PackModel,
    }
    model = models[kind]
    schema = model.model_json_schema(by_alias=True, mode="validation")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = f"govrules {kind} file"
    return schema
