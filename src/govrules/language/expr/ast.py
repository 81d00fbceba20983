"""The syntax tree of the expression language. Every node knows its offset in the text."""

from __future__ import annotations

from decimal import Decimal

from govrules.records import record

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


@record
class Expr:
    offset: int


@record
class Literal(Expr):
    value: Decimal | int | bool | str


@record
class Name(Expr):
    name: str


@record
class Unary(Expr):
    op: str  # "-" | "not"
    operand: Expr


@record
class Binary(Expr):
    op: str  # + - * / == != < <= > >= and or in "not in"
    left: Expr
    right: Expr


@record
class Conditional(Expr):
    condition: Expr
    then: Expr
    otherwise: Expr


@record
class Call(Expr):
    function: str
    args: tuple[Expr, ...]


@record
class ListLiteral(Expr):
    items: tuple[Expr, ...]


@record
class Attribute(Expr):
    """A field of a record: ``sanction.kind``."""

    value: Expr
    name: str


@record
class Comprehension(Expr):
    """``[element for variable in iterable if condition]``: a list built from another list,
    in its order; also the one argument of ``count(x for x in xs if ...)`` and the like."""

    element: Expr
    variable: str
    variable_offset: int
    iterable: Expr
    condition: Expr | None
