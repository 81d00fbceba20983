"""Functions on lists: ``size``, the number of items of a list.

A list is a value of a list input or a list literal; ``in`` and ``not in`` test membership.

    size(tags) > 0
"""

from __future__ import annotations

from govrules.language.expr.ast import Call
from govrules.language.expr.functions.spec import Argument, FunctionSpec, SignatureChecker, need
from govrules.language.expr.types import INTEGER, Type

__all__ = ["SIZE"]


def _size(checker: SignatureChecker, node: Call, args: tuple[Argument, ...]) -> Type | None:
    return INTEGER if need(checker, args[0], ("list",), "the argument") else None


SIZE = FunctionSpec("size(list)", (1, 1), _size, summary="number of items", run=len)
