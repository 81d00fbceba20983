"""The typed tree the checker produces, and the names it resolves.

Checked(node, Type("money"), args=(...))   # a node with its type and checked children
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Protocol

from govrules.language.expr.ast import Expr
from govrules.language.expr.types import Type
from govrules.records import record

__all__ = ["ERROR", "Checked", "ExpressionIssue", "Scope", "Symbol"]

ERROR = Type("error")
_NO_CONSTANT: Any = object()  # the constant of a node that is not constant


@record
class Symbol:
    """A name an expression may use: an input, a parameter, a computed value, ``as_of``."""

    name: str
    type: Type
    slot: int
    origin: str  # input | parameter | value | context | variable (bound by a comprehension)

    def __hash__(self) -> int:
        # equal symbols have equal names, slots and origins: hashing these alone keeps sets of
        # symbols (what each rule reads) from hashing every symbol's type tree, again and again
        return hash((self.name, self.slot, self.origin))


class Scope(Protocol):
    def lookup(self, name: str) -> Symbol | None: ...

    def names(self) -> Iterable[str]: ...


@record
class ExpressionIssue:
    code: str
    message: str
    offset: int
    hint: str | None = None


@record
class Checked:
    """A type-checked node. ``constant`` holds the folded value of a constant node."""

    node: Expr
    type: Type
    args: tuple[Checked, ...] = ()
    symbol: Symbol | None = None
    constant: Any = _NO_CONSTANT
    literal: bool = False

    @property
    def is_constant(self) -> bool:
        return self.constant is not _NO_CONSTANT

    def names(self) -> frozenset[Symbol]:
        """Every symbol of the policy this expression reads (not the variables it binds)."""
        found: set[Symbol] = set()
        stack = [self]
        while stack:
            node = stack.pop()
            if node.symbol is not None and node.symbol.origin != "variable":
                found.add(node.symbol)
            stack.extend(node.args)
        return frozenset(found)

    def bindings(self) -> int:
        """How many binding slots the expression needs (comprehensions nested this deep)."""
        deepest = 0
        stack = [self]
        while stack:
            node = stack.pop()
            if node.symbol is not None and node.symbol.origin == "variable":
                deepest = max(deepest, node.symbol.slot + 1)
            stack.extend(node.args)
        return deepest
