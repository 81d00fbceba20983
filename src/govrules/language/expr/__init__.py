"""The expression language: parse, check, compile. It knows nothing of policy files.

    from govrules.language.expr import check, compile_expression, parse_expression

The names below are imported when first used (PEP 562): a policy taken from the compiled cache
needs the closure compiler alone, not the parser and the checker.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from govrules.language.expr.checker import Checked, ExpressionIssue, Scope, Symbol, check
    from govrules.language.expr.compiler import Compiled, compile_expression
    from govrules.language.expr.parser import ExpressionSyntaxError, parse_expression
    from govrules.language.expr.types import Type

__all__ = [
    "Checked",
    "Compiled",
    "ExpressionIssue",
    "ExpressionSyntaxError",
    "Scope",
    "Symbol",
    "Type",
    "check",
    "compile_expression",
    "parse_expression",
]

# where each exported name lives
_HOMES = {
    "Checked": "govrules.language.expr.checker",
    "ExpressionIssue": "govrules.language.expr.checker",
    "Scope": "govrules.language.expr.checker",
    "Symbol": "govrules.language.expr.checker",
    "check": "govrules.language.expr.checker",
    "Compiled": "govrules.language.expr.compiler",
    "compile_expression": "govrules.language.expr.compiler",
    "ExpressionSyntaxError": "govrules.language.expr.parser",
    "parse_expression": "govrules.language.expr.parser",
    "Type": "govrules.language.expr.types",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value  # found once; later lookups do not come here
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
