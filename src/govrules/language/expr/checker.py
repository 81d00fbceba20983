"""Static checking of expressions: names resolve, types fit, units agree -- at load time.

``check`` turns a syntax tree into a ``Checked`` tree in which every node has a type, constant
sub-expressions are folded, and every problem is reported with its offset, all at once. A call
is checked against its function's signature in ``functions``, the allow-list.

    checked, issues = check(parse_expression("contract_price * rate_min"), scope)
    checked.type   # Type('money')
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from govrules.errors import suggest
from govrules.language.expr.ast import (
    Attribute,
    Binary,
    Call,
    Comprehension,
    Conditional,
    Expr,
    ListLiteral,
    Literal,
    Name,
    Unary,
)
from govrules.language.expr.binding import check_attribute, check_comprehension
from govrules.language.expr.checked import (
    _NO_CONSTANT,
    ERROR,
    Checked,
    ExpressionIssue,
    Scope,
    Symbol,
)
from govrules.language.expr.functions import FUNCTIONS, ROUNDING_MODES
from govrules.language.expr.functions.spec import Argument
from govrules.language.expr.types import (
    BOOL,
    DATE,
    DECIMAL,
    INTEGER,
    MONEY,
    PLAIN,
    TEXT,
    Type,
    list_type,
    unit_type,
)

__all__ = [
    "Checked",
    "ExpressionIssue",
    "ROUNDING_MODES",
    "Scope",
    "Symbol",
    "check",
    "FUNCTIONS",
    "suggest",
]


@dataclass
class _Checker:
    scope: Scope
    allowed_numbers: frozenset[Decimal]
    issues: list[ExpressionIssue] = field(default_factory=list)
    bound: list[tuple[str, Type]] = field(default_factory=list)  # comprehension variables

    def known(self, name: str) -> bool:
        return self.scope.lookup(name) is not None

    def names(self) -> Iterable[str]:
        return [*self.scope.names(), *(name for name, _ in self.bound)]

    def fail(self, node: Expr, code: str, message: str, hint: str | None = None) -> Checked:
        self.issues.append(ExpressionIssue(code, message, node.offset, hint))
        return Checked(node, ERROR)

    def visit(self, node: Expr) -> Checked:
        if isinstance(node, Literal):
            return self.literal(node)
        if isinstance(node, Name):
            return self.name(node)
        if isinstance(node, Unary):
            return self.unary(node)
        if isinstance(node, Binary):
            return self.binary(node)
        if isinstance(node, Conditional):
            return self.conditional(node)
        if isinstance(node, Call):
            return self.call(node)
        if isinstance(node, ListLiteral):
            return self.list_literal(node)
        if isinstance(node, Attribute):
            return check_attribute(self, node)
        if isinstance(node, Comprehension):
            return self.comprehension(node)
        raise AssertionError(f"unknown node {node!r}")

    def comprehension(self, node: Comprehension) -> Checked:
        found = check_comprehension(self, node)
        if found is None:
            return Checked(node, ERROR)
        iterable, condition, element, built, slot = found
        parts = (iterable, element) if condition is None else (iterable, element, condition)
        variable = Symbol(node.variable, iterable.type.item or ERROR, slot, "variable")
        return Checked(node, built, parts, symbol=variable)

    def literal(self, node: Literal) -> Checked:
        value = node.value
        if isinstance(value, bool):
            return Checked(node, BOOL, constant=value, literal=True)
        if isinstance(value, (int, Decimal)):
            if value not in self.allowed_numbers:  # (an int equals and hashes as its Decimal)
                return self.fail(
                    node,
                    "uncited-number",
                    f"the number {value} has no citation",
                    "make it a parameter with a 'cite'",
                )
            return Checked(
                node, INTEGER if isinstance(value, int) else DECIMAL, constant=value, literal=True
            )
        return Checked(node, TEXT, constant=value, literal=True)

    def name(self, node: Name) -> Checked:
        for slot in range(len(self.bound) - 1, -1, -1):
            name, kind = self.bound[slot]
            if name == node.name:
                return Checked(node, kind, symbol=Symbol(name, kind, slot, "variable"))
        symbol = self.scope.lookup(node.name)
        if symbol is None:
            return self.fail(
                node,
                "unknown-name",
                f"'{node.name}' is not an input, parameter or value",
                suggest(node.name, self.names()),
            )
        return Checked(node, symbol.type, symbol=symbol)

    def unary(self, node: Unary) -> Checked:
        operand = self.visit(node.operand)
        if operand.type is ERROR:
            return Checked(node, ERROR)
        if node.op == "not":
            if operand.type.kind != "bool":
                return self.fail(node, "type-mismatch", f"'not' needs a bool, got {operand.type}")
            return Checked(node, BOOL.as_optional(operand.type.optional), (operand,))
        if not operand.type.numeric:
            return self.fail(node, "type-mismatch", f"cannot negate {operand.type}")
        return Checked(node, operand.type, (operand,), literal=operand.literal)

    def binary(self, node: Binary) -> Checked:
        left, right = self.visit(node.left), self.visit(node.right)
        if left.type is ERROR or right.type is ERROR:
            return Checked(node, ERROR)
        optional = left.type.optional or right.type.optional
        op = node.op
        if op in ("and", "or"):
            for side in (left, right):
                if side.type.kind != "bool":
                    return self.fail(
                        side.node, "type-mismatch", f"'{op}' needs bools, got {side.type}"
                    )
            return Checked(node, BOOL.as_optional(optional), (left, right))
        if op in ("in", "not in"):
            return self.membership(node, left, right, optional)
        if op in ("==", "!=", "<", "<=", ">", ">="):
            return self.comparison(node, left, right, optional)
        if op == "/" and _zero(right):
            return self.fail(
                node.right,
                "division-by-zero",
                "divides by zero, so no case could be decided",
                "divide by a value that cannot be 0, or guard it: if d == 0 then ... else x / d",
            )
        result = self.arithmetic(node, left, right)
        if result is None:
            return Checked(node, ERROR)
        return Checked(node, result.as_optional(optional), (left, right))

    def arithmetic(self, node: Binary, left: Checked, right: Checked) -> Type | None:
        lt, rt, op = left.type, right.type, node.op
        if lt.kind in ("date", "datetime") or rt.kind in ("date", "datetime"):
            self.fail(
                node,
                "type-mismatch",
                f"cannot use '{op}' on {lt} and {rt}",
                "use add_days, add_months, period_end or days_between for dates",
            )
            return None
        if not lt.numeric or not rt.numeric:
            self.fail(node, "type-mismatch", f"cannot use '{op}' on {lt} and {rt}")
            return None
        if op in ("+", "-"):
            lk, rk = self.adopt(left, rt.kind), self.adopt(right, lt.kind)
            if lk == rk:
                return unit_type(lk)
            if lk in PLAIN and rk in PLAIN:
                return DECIMAL
            self.fail(
                node,
                "unit-mismatch",
                f"cannot {'add' if op == '+' else 'subtract'} "
                f"{rk} {'to' if op == '+' else 'from'} {lk}",
            )
            return None
        lk, rk = lt.kind, rt.kind  # a bare number multiplies or divides without a unit
        if op == "*":
            if lk in PLAIN and rk in PLAIN:
                return INTEGER if lk == rk == "integer" else DECIMAL
            if lk in PLAIN:
                return unit_type(rk)
            if rk in PLAIN:
                return unit_type(lk)
            if {lk, rk} == {"money", "rate"}:
                return MONEY
            if lk == rk == "rate":
                return unit_type("rate")
            self.fail(node, "unit-mismatch", f"cannot multiply {lk} by {rk}")
            return None
        # division
        if rk in PLAIN:
            return unit_type(lk) if lk not in PLAIN else DECIMAL
        if lk == rk:
            return DECIMAL
        if lk == "money" and rk == "rate":
            return MONEY
        self.fail(node, "unit-mismatch", f"cannot divide {lk} by {rk}")
        return None

    @staticmethod
    def adopt(side: Checked, other_kind: str) -> str:
        """A bare 0 or 1 takes the unit of the other operand."""
        if side.literal and side.type.kind in PLAIN and other_kind not in PLAIN:
            return other_kind
        return side.type.kind

    def comparable(self, node: Expr, left: Checked, right: Checked) -> bool:
        lt, rt = left.type, right.type
        if lt.numeric and rt.numeric:
            lk, rk = self.adopt(left, rt.kind), self.adopt(right, lt.kind)
            if lk == rk or (lk in PLAIN and rk in PLAIN):
                return True
            self.fail(node, "unit-mismatch", f"cannot compare {lt} with {rt}")
            return False
        if lt.kind == "enum" and rt.kind == "text" and right.is_constant:
            return self.enum_member(right, lt)
        if rt.kind == "enum" and lt.kind == "text" and left.is_constant:
            return self.enum_member(left, rt)
        if lt.same_shape(rt):
            return True
        self.fail(node, "type-mismatch", f"cannot compare {lt} with {rt}")
        return False

    def enum_member(self, text: Checked, enum: Type) -> bool:
        values = enum.values or ()
        if text.constant in values:
            return True
        self.fail(
            text.node,
            "unknown-enum-value",
            f"'{text.constant}' is not one of {', '.join(values)}",
            suggest(str(text.constant), values),
        )
        return False

    def comparison(self, node: Binary, left: Checked, right: Checked, optional: bool) -> Checked:
        if node.op in ("<", "<=", ">", ">=") and not (
            (left.type.numeric and right.type.numeric)
            or (left.type.kind == right.type.kind and left.type.kind in ("date", "datetime"))
        ):
            return self.fail(
                node, "type-mismatch", f"cannot order {left.type} and {right.type} with '{node.op}'"
            )
        if not self.comparable(node, left, right):
            return Checked(node, ERROR)
        return Checked(node, BOOL.as_optional(optional), (left, right))

    def membership(self, node: Binary, left: Checked, right: Checked, optional: bool) -> Checked:
        if right.type.kind != "list" or right.type.item is None:
            return self.fail(
                node, "type-mismatch", f"'{node.op}' needs a list on the right, got {right.type}"
            )
        item = right.type.item
        if isinstance(right.node, ListLiteral):
            for element in right.args:
                if not self.comparable(element.node, left, element):
                    return Checked(node, ERROR)
        elif left.type.kind == "text" and left.is_constant and item.kind == "enum":
            if not self.enum_member(left, item):
                return Checked(node, ERROR)
        elif not left.type.same_shape(item):
            return self.fail(node, "type-mismatch", f"cannot look for {left.type} in {right.type}")
        return Checked(node, BOOL.as_optional(optional), (left, right))

    def conditional(self, node: Conditional) -> Checked:
        condition = self.visit(node.condition)
        then, otherwise = self.visit(node.then), self.visit(node.otherwise)
        if ERROR in (condition.type, then.type, otherwise.type):
            return Checked(node, ERROR)
        if condition.type.kind != "bool":
            return self.fail(
                node.condition,
                "type-mismatch",
                f"'if' needs a bool condition, got {condition.type}",
            )
        joined = self.unify(node, (then, otherwise))
        if joined is None:
            return Checked(node, ERROR)
        optional = condition.type.optional or then.type.optional or otherwise.type.optional
        return Checked(node, joined.as_optional(optional), (condition, then, otherwise))

    def unify(self, node: Expr, items: tuple[Argument, ...]) -> Type | None:
        """The common type of several branches or arguments (bare 0/1 adopt a unit)."""
        unit_kinds = {item.type.kind for item in items if not item.literal}
        first = next((item.type for item in items if not item.literal), items[0].type)
        if all(item.type.numeric for item in items):
            non_plain = {k for k in unit_kinds if k not in PLAIN}
            if len(non_plain) > 1 or (non_plain and unit_kinds & PLAIN):
                self.fail(node, "unit-mismatch", "cannot mix " + " and ".join(sorted(unit_kinds)))
                return None
            if non_plain:
                return unit_type(non_plain.pop())
            all_kinds = {item.type.kind for item in items}
            return INTEGER if all_kinds == {"integer"} else DECIMAL
        for item in items:
            if not item.type.same_shape(first):
                self.fail(item.node, "type-mismatch", f"expected {first}, got {item.type}")
                return None
        return first.as_optional(False)

    def list_literal(self, node: ListLiteral) -> Checked:
        items = tuple(self.visit(item) for item in node.items)
        if any(item.type is ERROR for item in items):
            return Checked(node, ERROR)
        if not items:  # an empty list fits any list value (a default, a rule's value)
            return Checked(node, Type("list"), constant=())
        joined = self.unify(node, items)
        if joined is None:
            return Checked(node, ERROR)
        constant = (
            tuple(item.constant for item in items)
            if all(item.is_constant for item in items)
            else _NO_CONSTANT
        )
        return Checked(node, list_type(joined), items, constant=constant)

    def call(self, node: Call) -> Checked:
        spec = FUNCTIONS.get(node.function)
        if spec is None:
            return self.fail(
                node,
                "unknown-function",
                f"'{node.function}' is not a function",
                suggest(node.function, FUNCTIONS),
            )
        if node.function == "given" and (len(node.args) != 1 or not isinstance(node.args[0], Name)):
            return self.fail(node, "bad-arguments", "given() takes one name")
        args = tuple(self.visit(arg) for arg in node.args)
        if any(arg.type is ERROR for arg in args):
            return Checked(node, ERROR)
        result = spec.result_type(self, node, args)
        if result is None:
            return Checked(node, ERROR)
        if node.function == "date":  # a fixed date is folded here, so a bad one is a load error
            text = str(args[0].constant)
            try:
                return Checked(node, DATE, args, constant=dt.date.fromisoformat(text))
            except ValueError:
                return self.fail(node, "bad-date", f"'{text}' is not a date written YYYY-MM-DD")
        return Checked(node, result, args)


def _zero(divisor: Checked) -> bool:
    """Whether a divisor is a zero written in the text: ``0``, ``(0)``, ``-0``."""
    node = divisor.node
    while isinstance(node, Unary) and node.op == "-":
        node = node.operand
    return (
        isinstance(node, Literal)
        and isinstance(node.value, (int, Decimal))
        and not isinstance(node.value, bool)
        and node.value == 0
    )


def check(
    tree: Expr,
    scope: Scope,
    allowed_numbers: frozenset[Decimal] = frozenset({Decimal(0), Decimal(1)}),
) -> tuple[Checked, list[ExpressionIssue]]:
    """Type-check ``tree`` against ``scope``; all problems are returned, none raised."""
    checker = _Checker(scope, allowed_numbers)
    return checker.visit(tree), checker.issues
