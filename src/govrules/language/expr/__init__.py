"""The expression language: parse, check, compile. It knows nothing of policy files."""

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
