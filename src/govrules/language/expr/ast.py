"""The syntax tree of the expression language. Every node knows its offset in the text."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

__all__ = [
    "Attribute",
    "Binary",
    "Call",
    "Comprehension",
    "Conditional",
    "Expr",
    "ListLiteral",
    "Literal",
    "Name",
    "Unary",
]


@dataclass(frozen=True, slots=True)
class Expr:
    offset: int


@dataclass(frozen=True, slots=True)
class Literal(Expr):
    value: Decimal | int | bool | str


@dataclass(frozen=True, slots=True)
class Name(Expr):
    name: str


@dataclass(frozen=True, slots=True)
class Unary(Expr):
    op: str  # "-" | "not"
    operand: Expr


@dataclass(frozen=True, slots=True)
class Binary(Expr):
    op: str  # + - * / == != < <= > >= and or in "not in"
    left: Expr
    right: Expr


@dataclass(frozen=True, slots=True)
class Conditional(Expr):
    condition: Expr
    then: Expr
    otherwise: Expr


@dataclass(frozen=True, slots=True)
class Call(Expr):
    function: str
    args: tuple[Expr, ...]


@dataclass(frozen=True, slots=True)
class ListLiteral(Expr):
    items: tuple[Expr, ...]


@dataclass(frozen=True, slots=True)
class Attribute(Expr):
    """A field of a record: ``sanction.kind``."""

    value: Expr
    name: str


@dataclass(frozen=True, slots=True)
class Comprehension(Expr):
    """``[element for variable in iterable if condition]``: a list built from another list,
    in its order; also the one argument of ``count(x for x in xs if ...)`` and the like."""

    element: Expr
    variable: str
    variable_offset: int
    iterable: Expr
    condition: Expr | None
