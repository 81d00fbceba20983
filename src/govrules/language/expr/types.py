"""Static types of the expression language.

Numbers carry a unit so that the checker can refuse nonsense a policy author would not see:
money plus a rate, a date compared with a number. ``integer`` and ``decimal`` are plain numbers;
``money`` (yuan) and ``rate`` (a fraction, 0.04 is 4%) are numbers with a unit. A type is
``optional`` when its value may be unknown at run time (an input the caller may omit, a value
that no rule set); operations on an optional value give an unknown result rather than fail.
"""

from __future__ import annotations

from govrules.records import record

__all__ = [
    "Type",
    "BOOL",
    "DATE",
    "DATETIME",
    "DECIMAL",
    "INTEGER",
    "MONEY",
    "RATE",
    "TEXT",
    "NUMERIC",
    "PLAIN",
    "enum_type",
    "list_type",
    "record_type",
    "scalar",
    "unit_type",
]

NUMERIC = frozenset({"integer", "decimal", "money", "rate"})
PLAIN = frozenset({"integer", "decimal"})


@record
class Type:
    kind: str  # bool integer decimal money rate date datetime text enum list record
    values: tuple[str, ...] | None = None  # enum members
    item: Type | None = None  # list element
    optional: bool = False
    fields: tuple[tuple[str, Type], ...] | None = None  # record fields, in declared order

    def __str__(self) -> str:
        if self.kind == "enum" and self.values is not None:
            text = "enum(" + ", ".join(self.values) + ")"
        elif self.kind == "list" and self.item is not None:
            text = f"list of {self.item}"
        elif self.kind == "record" and self.fields is not None:
            text = "record(" + ", ".join(name for name, _ in self.fields) + ")"
        else:
            text = self.kind
        return text

    def field(self, name: str) -> tuple[int, Type] | None:
        """The position and type of a record's field, or ``None``."""
        for index, (field_name, field_type) in enumerate(self.fields or ()):
            if field_name == name:
                return index, field_type
        return None

    @property
    def numeric(self) -> bool:
        return self.kind in NUMERIC

    def as_optional(self, optional: bool = True) -> Type:
        if self.optional == optional:
            return self
        # the constructor with every field, not dataclasses.replace: the checker asks this of
        # most nodes, and replace() re-reads the fields of the class on every call
        return Type(self.kind, self.values, self.item, optional, self.fields)

    def same_shape(self, other: Type) -> bool:
        """Equal ignoring optionality (an enum matches an enum of the same members)."""
        return self.as_optional(False) == other.as_optional(False)


BOOL = Type("bool")
INTEGER = Type("integer")
DECIMAL = Type("decimal")
MONEY = Type("money")
RATE = Type("rate")
DATE = Type("date")
DATETIME = Type("datetime")  # a local (Beijing) date and time, for hour limits
TEXT = Type("text")
_SCALARS = {t.kind: t for t in (BOOL, INTEGER, DECIMAL, MONEY, RATE, DATE, DATETIME, TEXT)}


def unit_type(kind: str) -> Type:
    """``Type(kind)`` for a plain (not optional) scalar kind: the one shared instance, as the
    checker asks for these on most arithmetic nodes."""
    found = _SCALARS.get(kind)
    return found if found is not None else Type(kind)


def enum_type(values: tuple[str, ...]) -> Type:
    return Type("enum", values=tuple(values))


def list_type(item: Type) -> Type:
    return Type("list", item=item.as_optional(False))


def record_type(fields: tuple[tuple[str, Type], ...]) -> Type:
    """A record: named fields, each with its type (an optional field may be unknown)."""
    return Type("record", fields=tuple(fields))


def scalar(
    kind: str,
    values: tuple[str, ...] | None = None,
    item: str | None = None,
    item_values: tuple[str, ...] | None = None,
) -> Type:
    """The type named in a policy file (``type``, ``values``, ``items``)."""
    if kind == "enum":
        return enum_type(values or ())
    if kind == "list":
        return list_type(scalar(item or "text", item_values))
    return _SCALARS[kind]
