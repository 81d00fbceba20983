"""Checking the constructs that reach inside values: record fields and comprehensions.

``sanction.kind`` reads a field of a record; ``[n.name for n in nominees if n.disqualified]``
builds a list from another, binding a variable for each item. A bound variable lives only
inside its comprehension, may not hide a name of the policy, and gets a binding slot: its
depth of nesting, which the closure compiler maps to a slot after the evaluation's frame.

    count(s for s in sanctions if s.kind == 'warning' and s.date > add_years(as_of, -1))
"""

from __future__ import annotations

from typing import Protocol

from govrules.errors import suggest
from govrules.language.expr.ast import Attribute, Comprehension, Expr
from govrules.language.expr.checked import ERROR, Checked
from govrules.language.expr.types import Type, list_type

__all__ = ["MAX_BINDINGS", "BindingChecker", "check_attribute", "check_comprehension"]

# comprehensions nested inside one another, at most (each needs a binding slot)
MAX_BINDINGS = 8


class BindingChecker(Protocol):
    """What these checks need of the checker."""

    bound: list[tuple[str, Type]]

    def visit(self, node: Expr) -> Checked: ...

    def fail(self, node: Expr, code: str, message: str, hint: str | None = None) -> Checked: ...

    def known(self, name: str) -> bool: ...


def check_attribute(checker: BindingChecker, node: Attribute) -> Checked:
    """``record.field``, typed; an error node after reporting a problem."""
    value = checker.visit(node.value)
    if value.type is ERROR:
        return Checked(node, ERROR)
    if value.type.kind != "record":
        hint = "a list of records is read with a comprehension: [x.field for x in items]"
        return checker.fail(
            node,
            "type-mismatch",
            f"'.{node.name}' reads a field of a record, not of {value.type}",
            hint if value.type.kind == "list" else None,
        )
    found = value.type.field(node.name)
    if found is None:
        names = [name for name, _ in value.type.fields or ()]
        return checker.fail(
            node,
            "unknown-field",
            f"the record has no field '{node.name}' (fields: {', '.join(names)})",
            suggest(node.name, names),
        )
    _, field_type = found
    return Checked(
        node, field_type.as_optional(field_type.optional or value.type.optional), (value,)
    )


def check_comprehension(
    checker: BindingChecker, node: Comprehension
) -> tuple[Checked, Checked | None, Checked, Type, int] | None:
    """Check ``[element for variable in iterable if condition]``.

    Returns the checked iterable, condition and element, the list type built, and the binding
    slot of the variable; ``None`` after reporting a problem.
    """
    iterable = checker.visit(node.iterable)
    if iterable.type is ERROR:
        return None
    if iterable.type.kind != "list" or iterable.type.item is None:
        checker.fail(
            node.iterable, "type-mismatch", f"'for ... in' needs a list, got {iterable.type}"
        )
        return None
    at = Expr(node.variable_offset)
    if checker.known(node.variable) or any(name == node.variable for name, _ in checker.bound):
        checker.fail(
            at,
            "shadowed-name",
            f"'{node.variable}' is already a name here; a comprehension's variable needs a "
            "name of its own",
        )
        return None
    if len(checker.bound) >= MAX_BINDINGS:
        checker.fail(at, "too-deep", f"comprehensions nested more than {MAX_BINDINGS} deep")
        return None
    slot = len(checker.bound)
    checker.bound.append((node.variable, iterable.type.item))
    try:
        condition = None if node.condition is None else checker.visit(node.condition)
        element = checker.visit(node.element)
    finally:
        checker.bound.pop()
    if element.type is ERROR or (condition is not None and condition.type is ERROR):
        return None
    if condition is not None and condition.type.kind != "bool":
        checker.fail(
            node.condition or node, "type-mismatch", f"'if' needs a bool, got {condition.type}"
        )
        return None
    optional = iterable.type.optional or element.type.optional
    optional = optional or (condition is not None and condition.type.optional)
    built = list_type(element.type).as_optional(optional)
    return iterable, condition, element, built, slot
