"""The ground of the file models: the base model that remembers where it was written, and the
shapes every file format shares (names, ids, citations, bilingual texts, type names).

    class ClauseModel(LocatedModel): ...
    clause.span_of("text")      # where the clause's text is written
"""

from __future__ import annotations

import functools
from typing import Annotated, Any, Literal, cast, get_args

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
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


_set = object.__setattr__


@functools.cache
def _aliases(model: type[BaseModel]) -> dict[str, str]:
    """The fields of ``model`` written under another name (``from_`` as ``from``)."""
    return {name: info.alias for name, info in model.model_fields.items() if info.alias}


class LocatedModel(BaseModel):
    """Base of every file model: strict keys, immutable, and position-aware."""

    # defer_build: a validator is built when a model first validates, not at import; a command
    # that only unpickles compiled policies never builds one
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True, defer_build=True)

    # Where a model was written is kept in pydantic's own ``__pydantic_private__`` (pickled,
    # copied and compared with the model) under "_span", "_field_spans" ({field: span}) and
    # "_entry_spans" ({field: {key: span}}), set by the validator below; it is ``None`` for a
    # model not read from a located mapping (and holds only a subclass's own private
    # attributes, if it declares any). Declared private attributes would do the same, but
    # pydantic fills in their defaults for every instance first: a third of the validation
    # time of a long policy.

    @model_validator(mode="wrap")
    @classmethod
    def _remember_position(cls, data: Any, handler: Any) -> Any:
        node = handler(data)
        if isinstance(data, LocatedMap):
            located = {
                "_span": data.span,
                "_field_spans": data.value_spans,
                "_entry_spans": {
                    key: value.value_spans
                    for key, value in data.items()
                    if isinstance(value, LocatedMap)
                },
            }
            private = node.__pydantic_private__
            if private is None:
                _set(node, "__pydantic_private__", located)
            else:  # a subclass's own private attributes stay
                private.update(located)
        return node

    def locate_at(self, span: SourceSpan | None) -> None:
        """Say where a model not read from a located mapping is written (a record field
        written as its type alone, ``date: date``, is located at its key's value)."""
        if not self.__pydantic_private__ or "_span" not in self.__pydantic_private__:
            _locate(self, span, {}, {})

    def span_of(self, field: str | None = None) -> SourceSpan | None:
        """Where ``field`` (or, without one, this whole mapping) is written."""
        private = self.__pydantic_private__
        if not private or "_span" not in private:
            return None
        if field is not None:
            spans = private["_field_spans"]
            alias = _aliases(type(self)).get(field)
            found = (spans.get(alias) if alias else None) or spans.get(field)
            if found is not None:
                return cast("SourceSpan", found)
        return cast("SourceSpan | None", private["_span"])

    def entry_span(self, field: str, key: str) -> SourceSpan | None:
        """Where the value of ``key`` inside the mapping field ``field`` is written."""
        private = self.__pydantic_private__
        entries = private["_entry_spans"].get(field) if private and "_span" in private else None
        found = entries.get(key) if entries else None
        return cast("SourceSpan | None", found) or self.span_of(field)


def _locate(
    model: LocatedModel,
    span: SourceSpan | None,
    fields: dict[str, SourceSpan],
    entries: dict[str, dict[str, SourceSpan]],
) -> None:
    located = {"_span": span, "_field_spans": fields, "_entry_spans": entries}
    private = model.__pydantic_private__
    if private is None:
        _set(model, "__pydantic_private__", located)
    else:  # a subclass's own private attributes stay
        private.update(located)


class Bilingual(LocatedModel):
    """A text in Chinese (authoritative) and English (reference)."""

    zh: str
    en: str
