"""The ground of the file models: the base model that remembers where it was written, and the
shapes every file format shares (names, ids, citations, bilingual texts, type names).

    class ClauseModel(LocatedModel): ...
    clause.span_of("text")      # where the clause's text is written
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, get_args

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    Strict,
    StringConstraints,
    WithJsonSchema,
    model_validator,
)

from govrules.language.reader import LocatedMap
from govrules.spans import SourceSpan

__all__ = [
    "TYPE_NAMES",
    "Bilingual",
    "CiteList",
    "ClauseId",
    "Confidence",
    "DottedId",
    "Expression",
    "Flag",
    "Identifier",
    "IdentifierList",
    "ItemTypeName",
    "LocatedModel",
    "ScalarTypeName",
    "TypeName",
]

TypeName = Literal[
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
    "record",
]
TYPE_NAMES: tuple[str, ...] = get_args(TypeName)
ScalarTypeName = Literal[
    "bool", "integer", "decimal", "money", "rate", "date", "datetime", "text", "enum"
]
ItemTypeName = Literal[
    "bool", "integer", "decimal", "money", "rate", "date", "datetime", "text", "enum", "record"
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
# A yes-or-no field takes true or false only: not 'yes', 'on', 1 or "true" (YAML 1.1 and a
# lax validator would read each of them as true without a word)
Flag = Annotated[bool, Strict()]


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

    # defer_build: a validator is built when a model first validates, not at import; a command
    # that only unpickles compiled policies never builds one
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True, defer_build=True)
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
