"""Functions on lists: their size, and aggregates over their items.

A list is a list input, a list literal, or one built by a comprehension; aggregates take the
comprehension directly, so a filter reads as it would be said:

    size(tags) > 0
    count(s for s in sanctions if s.kind == 'criticism') >= 3
    sum(d.units for d in dismantled if d.appliance == 'tv')
    any(n.disqualification != 'none' for n in nominees)
    max_count([s.fault for s in sanctions]) >= 2      # two for the same fault

``min(list)`` and ``max(list)`` are in ``numbers``. Every aggregate keeps the list's order where
it gives a list (``distinct``), and an unknown list gives an unknown result.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from govrules.language.expr.ast import Call
from govrules.language.expr.functions.spec import Argument, FunctionSpec, SignatureChecker
from govrules.language.expr.types import BOOL, INTEGER, Type

__all__ = ["ALL", "ANY", "COUNT", "DISTINCT", "MAX_COUNT", "SIZE", "SUM"]


def _list_of(
    checker: SignatureChecker, arg: Argument, function: str, kinds: tuple[str, ...] | None
) -> Type | None:
    """The item type of a list argument (of one of ``kinds``), or ``None`` after reporting."""
    item = arg.type.item
    if arg.type.kind == "list" and item is not None and (kinds is None or item.kind in kinds):
        return item
    wanted = "a list" if kinds is None else f"a list of {' or '.join(kinds)}"
    checker.fail(arg.node, "type-mismatch", f"{function}() takes {wanted}, got {arg.type}")
    return None


def _size(checker: SignatureChecker, node: Call, args: tuple[Argument, ...]) -> Type | None:
    return INTEGER if _list_of(checker, args[0], node.function, None) else None


def _sum(checker: SignatureChecker, node: Call, args: tuple[Argument, ...]) -> Type | None:
    item = _list_of(checker, args[0], node.function, ("integer", "decimal", "money", "rate"))
    return None if item is None else Type(item.kind)


def _truth(checker: SignatureChecker, node: Call, args: tuple[Argument, ...]) -> Type | None:
    return BOOL if _list_of(checker, args[0], node.function, ("bool",)) else None


def _distinct(checker: SignatureChecker, node: Call, args: tuple[Argument, ...]) -> Type | None:
    return args[0].type if _list_of(checker, args[0], node.function, None) else None


def _total(types: tuple[Type, ...]) -> Callable[[Any], Any]:
    """The sum keeps the items' kind: an empty list of money sums to Decimal 0, of counts to 0."""
    item = types[0].item
    if item is not None and item.kind == "integer":
        return sum
    zero = Decimal(0)
    return lambda items: sum(items, zero)


def _distinct_items(items: Any) -> tuple[Any, ...]:
    return tuple(dict.fromkeys(items))


def _max_count(items: Any) -> int:
    return max(Counter(items).values(), default=0)


SIZE = FunctionSpec(
    "size(list)", (1, 1), _size, summary="number of items", run=len, example="size(tags)"
)
COUNT = FunctionSpec(
    "count(list) | count(x for x in list if condition)",
    (1, 1),
    _size,
    summary="number of items, of those that meet a condition",
    run=len,
    example="count(s for s in sanctions if s.kind == 'criticism')",
)
SUM = FunctionSpec(
    "sum(list) | sum(x.amount for x in list if condition)",
    (1, 1),
    _sum,
    summary="total of the items, in their unit (0 for an empty list)",
    specialise=_total,
    example="sum(d.units for d in dismantled)",
)
ANY = FunctionSpec(
    "any(condition for x in list)",
    (1, 1),
    _truth,
    summary="true when some item meets the condition (false for an empty list)",
    run=any,
    example="any(n.disqualification != 'none' for n in nominees)",
)
ALL = FunctionSpec(
    "all(condition for x in list)",
    (1, 1),
    _truth,
    summary="true when every item meets the condition (true for an empty list)",
    run=all,
    example="all(m.present for m in members)",
)
DISTINCT = FunctionSpec(
    "distinct(list)",
    (1, 1),
    _distinct,
    summary="the items without repeats, in the order they first occur",
    run=_distinct_items,
    example="count(distinct([start_of_month(d) for d in meeting_dates]))",
)
MAX_COUNT = FunctionSpec(
    "max_count(list)",
    (1, 1),
    _size,
    summary="the largest number of times one value occurs (0 for an empty list)",
    run=_max_count,
    example="max_count([s.fault for s in sanctions]) >= 2",
)
