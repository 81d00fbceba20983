"""What a function of the expression language declares: its signature and its run-time.

A ``FunctionSpec`` is one row of the allow-list: how the function is written, how many
arguments it takes, the check that types a call, and the callable that computes it. A check
sees the checker only through ``SignatureChecker`` and the typed arguments only through
``Argument``, so the function modules never import the checker (and the checker can import
them):

    def _size(checker: SignatureChecker, node: Call, args: tuple[Argument, ...]) -> Type | None:
        return INTEGER if need(checker, args[0], ("list",), "the argument") else None

    SIZE = FunctionSpec(
        "size(list)", (1, 1), _size, summary="number of items", run=len, example="size(tags)"
    )
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from govrules.calendar import DateComputation
from govrules.errors import suggest
from govrules.language.expr.ast import Call, Expr
from govrules.language.expr.types import Type
from govrules.records import record

__all__ = [
    "Argument",
    "Compiled",
    "FunctionSpec",
    "SignatureCheck",
    "SignatureChecker",
    "need",
    "text_choice",
]

Compiled = Callable[[list[Any]], Any]
"""A compiled expression: a closure over the slot list of an evaluation."""


class Argument(Protocol):
    """What a signature check reads of a type-checked argument."""

    @property
    def node(self) -> Expr: ...

    @property
    def type(self) -> Type: ...

    @property
    def constant(self) -> Any: ...

    @property
    def literal(self) -> bool: ...

    @property
    def is_constant(self) -> bool: ...


class SignatureChecker(Protocol):
    """What a signature check may ask of the checker: report a problem, join types."""

    def fail(self, node: Expr, code: str, message: str, hint: str | None = None) -> object: ...

    def unify(self, node: Expr, items: tuple[Argument, ...]) -> Type | None: ...


SignatureCheck = Callable[[SignatureChecker, Call, tuple[Argument, ...]], Type | None]


@record
class FunctionSpec:
    """One allowed function: its signature, and how it runs where a plain callable suffices.

    ``run`` takes the argument values and is applied (and folded, and guarded against unknown
    arguments) by the compiler; ``on_calendar`` takes the working-day calendar before them and
    returns a ``DateComputation`` that the evaluation's frame records (``on_calendar_result``
    the result alone, for an evaluation that records nothing). A function with neither
    has its own shape in the compiler (``given``, ``all_known``, ``coalesce``, ``round_fen``)
    or is folded by the checker (``date``). ``summary`` (one line) and ``example`` (an
    expression calling the function) make its row of the function reference in
    ``docs/policy-authors.md``.
    """

    usage: str
    arity: tuple[int, int]  # (min, max); max -1 = any
    check: SignatureCheck
    optional_propagates: bool = True
    summary: str = ""
    run: Callable[..., Any] | None = None
    on_calendar: Callable[..., DateComputation] | None = None
    # the same computation giving only its result and the unpublished years it touched: what
    # an untraced evaluation needs, without the description of the days it met
    on_calendar_result: Callable[..., tuple[Any, tuple[int, ...]]] | None = None
    example: str = ""
    # picks the run-time from the argument types, where one callable cannot serve them all
    # (the sum of an empty list of money is Decimal 0, of integers 0; min of a list or of values)
    specialise: Callable[[tuple[Type, ...]], Callable[..., Any]] | None = None

    def result_type(
        self, checker: SignatureChecker, node: Call, args: tuple[Argument, ...]
    ) -> Type | None:
        """The type of a call with these checked arguments; None once a problem is reported."""
        low, high = self.arity
        if not low <= len(args) <= (high if high >= 0 else len(args)):
            expected = (
                f"{low}" if low == high else f"{low} or more" if high < 0 else f"{low} to {high}"
            )
            checker.fail(
                node,
                "bad-arguments",
                f"{node.function}() takes {expected} argument(s), got {len(args)}",
                f"usage: {self.usage}",
            )
            return None
        result = self.check(checker, node, args)
        if result is None or not self.optional_propagates:
            return result
        return result.as_optional(result.optional or any(arg.type.optional for arg in args))


def need(checker: SignatureChecker, arg: Argument, kinds: tuple[str, ...], what: str) -> bool:
    """True when ``arg`` is of one of ``kinds``; otherwise report a type mismatch."""
    if arg.type.kind in kinds:
        return True
    checker.fail(arg.node, "type-mismatch", f"{what} must be {' or '.join(kinds)}, got {arg.type}")
    return False


def text_choice(
    checker: SignatureChecker, arg: Argument, choices: tuple[str, ...], what: str
) -> bool:
    """True when ``arg`` is a constant text among ``choices``; otherwise report it."""
    if arg.type.kind == "text" and arg.is_constant and arg.constant in choices:
        return True
    checker.fail(
        arg.node,
        "bad-arguments",
        f"{what} must be one of {', '.join(repr(c) for c in choices)}",
        suggest(str(arg.constant), choices),
    )
    return False
