"""How a value was computed: the rule's expression as the policy writes it, the same with the
values it read put in, and the result.

    severance_amount = round_fen(monthly_base * min(compensation_months, 12), 'half_up')
                     = round_fen(21000 × min(12, 12), 'half_up') = 252000.00

The expression comes from the policy file as written (a rule's ``set``, its ``else``, a
``default``: the compiled policy's ``header.set_texts``), the values from the trace: the facts
and values the rule event ``reads``, the figures read for the rule, and ``as_of``. A name bound
by a comprehension, the table of a ``lookup`` and the parameter of an ``at`` stay names. When
the values would make the line unreadable (a list of records, a long list, a very long line)
only the expression and the result are shown.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import fields
from typing import Any

from govrules.language.expr import ExpressionSyntaxError, Type, parse_expression
from govrules.language.expr.ast import (
    Attribute,
    Call,
    Comprehension,
    Expr,
    ListLiteral,
    Literal,
    Name,
)
from govrules.records import record

__all__ = ["Formula", "Term", "expression_of", "substitute"]

_LONGEST = 160  # characters of a substituted expression still worth reading
_LIST_ITEMS = 5  # items of a list still worth reading in place of its name
_OPERATOR = re.compile(r"""'[^'\n]*'|"[^"\n]*"|(?P<op>[*/])""")
_SIGNS = {"*": "×", "/": "÷"}
_FIELD = re.compile(r"\s*\.\s*([A-Za-z_][A-Za-z0-9_]*)")


@record
class Term:
    """A value known when the rule ran, and its type (for quoting text, reading fields)."""

    value: Any  # its JSON form, as the trace holds it
    type: Type | None


@record
class Formula:
    """One value a rule gave: ``name = expression = substituted = result``, the parts that
    add nothing (a literal, a substitution that changes nothing) left out."""

    name: str
    expression: str | None
    substituted: str | None
    result: str
    adds: bool = False  # a collected list: the rule adds this item to it

    @property
    def parts(self) -> tuple[str, ...]:
        found: list[str] = []
        for part in (self.expression, self.substituted, self.result):
            if part is not None and part not in found:
                found.append(part)
        return tuple(found)

    @property
    def lead(self) -> str:
        """``name =``, or ``name +=`` for an item added to a collected list."""
        return f"{self.name} {'+=' if self.adds else '='}"

    def __str__(self) -> str:
        return f"{self.lead} " + " = ".join(self.parts)


def expression_of(text: str) -> tuple[str | None, Expr | None]:
    """The expression on one line, and its tree (``None`` for a literal, or a list of them:
    the value says it all)."""
    try:
        tree = parse_expression(text)
    except (ExpressionSyntaxError, RecursionError):
        return " ".join(text.split()), None
    if isinstance(tree, Literal) or (
        isinstance(tree, ListLiteral) and all(isinstance(item, Literal) for item in tree.items)
    ):
        return None, None
    return " ".join(text.split()), tree


def substitute(text: str, tree: Expr, known: Mapping[str, Term]) -> str | None:
    """``text`` with every name in ``known`` replaced by its value and ``*`` ``/`` written
    ``×`` ``÷``; ``None`` when no name was replaced or the result would be unreadable."""
    edits: list[tuple[int, int, str]] = []
    for start, end, term in _uses(text, tree, known, frozenset()):
        shown = _shown(term.value, term.type)
        if shown is None:
            return None
        edits.append((start, end, shown))
    if not edits:
        return None
    for match in _OPERATOR.finditer(text):
        if match.group("op"):
            edits.append((match.start(), match.end(), _SIGNS[match.group("op")]))
    result = text
    for start, end, shown in sorted(edits, reverse=True):
        result = result[:start] + shown + result[end:]
    result = " ".join(result.split())
    return result if len(result) <= _LONGEST else None


def _uses(
    text: str, node: Expr, known: Mapping[str, Term], bound: frozenset[str]
) -> Iterator[tuple[int, int, Term]]:
    """(start, end, value) of every free name of ``node`` whose value is known; a record's
    field read (``sanction.kind``) as one use, when the record is known."""
    if isinstance(node, Name):
        term = known.get(node.name)
        if term is not None and node.name not in bound:
            yield node.offset, node.offset + len(node.name), term
        return
    if isinstance(node, Attribute) and isinstance(node.value, Name):
        term = known.get(node.value.name)
        end = node.value.offset + len(node.value.name)
        read = _FIELD.match(text, end)
        if (
            term is not None
            and isinstance(term.value, dict)
            and node.value.name not in bound
            and read is not None
            and read.group(1) == node.name
        ):
            found = term.type.field(node.name) if term.type is not None else None
            field_type = found[1] if found is not None else None
            yield node.value.offset, read.end(), Term(term.value.get(node.name), field_type)
            return
    if isinstance(node, Comprehension):
        yield from _uses(text, node.iterable, known, bound)
        inner = bound | {node.variable}
        yield from _uses(text, node.element, known, inner)
        if node.condition is not None:
            yield from _uses(text, node.condition, known, inner)
        return
    children: list[Expr] = []
    for part in fields(node):
        child = getattr(node, part.name)
        if isinstance(child, Expr):
            children.append(child)
        elif isinstance(child, tuple):
            children.extend(item for item in child if isinstance(item, Expr))
    if isinstance(node, Call) and node.function in ("at", "lookup") and children:
        children = children[1:]  # the parameter or table itself, not its value today
    for child in children:
        yield from _uses(text, child, known, bound)


def _shown(value: Any, kind: Type | None) -> str | None:
    """A value as it would be written in the expression, or ``None`` when not readable so."""
    if value is None:
        return "unknown"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return None
    if isinstance(value, list):
        if len(value) > _LIST_ITEMS:
            return None
        item = kind.item if kind is not None else None
        items = [_shown(v, item) for v in value]
        return None if None in items else "[" + ", ".join(str(i) for i in items) + "]"
    text = str(value)
    if kind is not None and kind.kind in ("text", "enum"):
        return f'"{text}"' if "'" in text else f"'{text}'"
    return f"({text})" if text.startswith("-") else text
