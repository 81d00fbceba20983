"""Parse expression text into the syntax tree (a Pratt parser; no ``eval`` anywhere).

Grammar, loosest binding first::

    expr     := 'if' expr 'then' expr 'else' expr | or
    or       := and ('or' and)*
    and      := not ('and' not)*
    not      := 'not' not | compare
    compare  := sum (('=='|'!='|'<'|'<='|'>'|'>='|'in'|'not' 'in') sum)?
    sum      := product (('+'|'-') product)*
    product  := unary (('*'|'/') unary)*
    unary    := '-' unary | postfix
    postfix  := primary ('.' NAME)*
    primary  := NUMBER | STRING | 'true' | 'false' | NAME | NAME '(' args ')' | '[' args ']'
              | '[' comprehension ']' | NAME '(' comprehension ')' | '(' expr ')'
    comprehension := expr 'for' NAME 'in' or ('if' or)?

    parse_expression("max(previous_rate - step, floor_rate)")
    parse_expression("count(s for s in sanctions if s.kind == 'warning')")
"""

from __future__ import annotations

import re
from decimal import Decimal

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

__all__ = ["ExpressionSyntaxError", "parse_expression"]

KEYWORDS = frozenset({"and", "or", "not", "if", "then", "else", "in", "for", "true", "false"})
_TOKEN = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<number>\d+(?:\.\d+)?)
  | (?P<string>'[^'\n]*'|"[^"\n]*")
  | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<op>==|!=|<=|>=|[-+*/<>(),.\[\]])
""",
    re.VERBOSE,
)
_COMPARE = frozenset({"==", "!=", "<", "<=", ">", ">="})
MAX_LENGTH = 4000
MAX_DEPTH = 60


class ExpressionSyntaxError(Exception):
    """Malformed expression text; ``offset`` is the 0-based character position, ``code`` is
    ``syntax``, or ``expression-too-long`` / ``expression-too-deep`` for the limits (with a
    ``hint``)."""

    def __init__(
        self, message: str, offset: int, code: str = "syntax", hint: str | None = None
    ) -> None:
        super().__init__(message)
        self.message, self.offset, self.code, self.hint = message, offset, code, hint


_SPLIT = "split it: give a part a name of its own (an internal output) and use that name"


def _too_deep(offset: int) -> ExpressionSyntaxError:
    return ExpressionSyntaxError(
        f"expression nested too deeply (more than {MAX_DEPTH} levels)",
        offset,
        "expression-too-deep",
        _SPLIT,
    )


def _children(node: Expr) -> tuple[Expr, ...]:
    if isinstance(node, Unary):
        return (node.operand,)
    if isinstance(node, Binary):
        return (node.left, node.right)
    if isinstance(node, Conditional):
        return (node.condition, node.then, node.otherwise)
    if isinstance(node, Call):
        return node.args
    if isinstance(node, ListLiteral):
        return node.items
    if isinstance(node, Attribute):
        return (node.value,)
    if isinstance(node, Comprehension):
        found = (node.element, node.iterable)
        return found if node.condition is None else (*found, node.condition)
    return ()


def _check_depth(tree: Expr) -> None:
    """The tree is at most ``MAX_DEPTH`` nodes deep, so that the checker, the compiler and the
    closures it builds, which recurse on it, stay far from Python's recursion limit. The
    parser's own nesting count does not see this: ``a + a + ... + a`` and ``r.f.f.f`` build
    deep trees in a loop."""
    stack = [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        children = _children(node)
        if children and depth == MAX_DEPTH:
            raise _too_deep(node.offset)  # the operator, call or field that goes one too deep
        stack.extend((child, depth + 1) for child in children)


def _tokenize(text: str) -> list[tuple[str, str, int]]:
    tokens: list[tuple[str, str, int]] = []
    position = 0
    # findall gives each token's text by kind, in C; a token starts where the one before
    # ended unless a gap (text that is no token) lies between, which the lengths then miss
    for space, number, string, name, op in _TOKEN.findall(text):
        if space:
            position += len(space)
            continue
        if name:
            tokens.append(("keyword" if name in KEYWORDS else "name", name, position))
            position += len(name)
        elif op:
            tokens.append(("op", op, position))
            position += len(op)
        elif number:
            tokens.append(("number", number, position))
            position += len(number)
        else:
            tokens.append(("string", string, position))
            position += len(string)
    if position != len(text):
        _refuse_gap(text)
    tokens.append(("end", "", len(text)))
    return tokens


def _refuse_gap(text: str) -> None:
    """Raise for the first character that starts no token."""
    position = 0
    # finditer skips what matches no token; a match that does not start where the previous
    # one ended is such a gap, reported at its first character as a failed match() would be
    for match in _TOKEN.finditer(text):
        if match.start() != position:
            break
        position = match.end()
    raise ExpressionSyntaxError(f"unexpected character {text[position]!r}", position)


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens = _tokenize(text)
        self.index = 0
        self.depth = 0

    def peek(self) -> tuple[str, str, int]:
        return self.tokens[self.index]

    def take(self) -> tuple[str, str, int]:
        token = self.tokens[self.index]
        self.index += 1
        return token

    def accept(self, value: str) -> bool:
        kind, text, _ = self.peek()
        if kind in ("op", "keyword") and text == value:
            self.index += 1
            return True
        return False

    def expect(self, value: str) -> None:
        if not self.accept(value):
            _, text, offset = self.peek()
            found = repr(text) if text else "the end of the expression"
            raise ExpressionSyntaxError(f"expected '{value}' but found {found}", offset)

    # The levels below read the next token straight from the list rather than through peek
    # and accept: every value passes through all of them, and a long policy has thousands.
    # A token's text alone tells a keyword or operator: a name spelt as a keyword is typed
    # as one, a string keeps its quotes, the end's text is empty.

    def expression(self) -> Expr:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise _too_deep(self.tokens[self.index][2])
        try:
            _, text, offset = self.tokens[self.index]
            if text == "if":
                self.index += 1
                condition = self.expression()
                self.expect("then")
                then = self.expression()
                self.expect("else")
                otherwise = self.expression()
                return Conditional(offset, condition, then, otherwise)
            return self.disjunction()
        finally:
            self.depth -= 1

    def disjunction(self) -> Expr:
        left = self.conjunction()
        tokens = self.tokens
        while True:
            _, text, offset = tokens[self.index]
            if text != "or":
                return left
            self.index += 1
            left = Binary(offset, "or", left, self.conjunction())

    def conjunction(self) -> Expr:
        left = self.negation()
        tokens = self.tokens
        while True:
            _, text, offset = tokens[self.index]
            if text != "and":
                return left
            self.index += 1
            left = Binary(offset, "and", left, self.negation())

    def negation(self) -> Expr:
        tokens = self.tokens
        _, text, offset = tokens[self.index]
        if text == "not" and tokens[self.index + 1][1] != "in":
            self.index += 1
            self.depth += 1
            if self.depth > MAX_DEPTH:
                raise _too_deep(offset)
            try:
                return Unary(offset, "not", self.negation())
            finally:
                self.depth -= 1
        return self.comparison()

    def comparison(self) -> Expr:
        left = self.sum()
        tokens = self.tokens
        kind, text, offset = tokens[self.index]
        if kind == "op" and text in _COMPARE:
            self.index += 1
            op = text
        elif text == "in":
            self.index += 1
            op = "in"
        elif text == "not" and tokens[self.index + 1][1] == "in":
            self.index += 2
            op = "not in"
        else:
            return left
        right = self.sum()
        follow_kind, follow, follow_offset = tokens[self.index]
        if (follow_kind == "op" and follow in _COMPARE) or follow == "in":
            raise ExpressionSyntaxError(
                "comparisons do not chain; write 'a <= b and b <= c'", follow_offset
            )
        return Binary(offset, op, left, right)

    def sum(self) -> Expr:
        left = self.product()
        tokens = self.tokens
        while True:
            _, text, offset = tokens[self.index]
            if text != "+" and text != "-":
                return left
            self.index += 1
            left = Binary(offset, text, left, self.product())

    def product(self) -> Expr:
        left = self.unary()
        tokens = self.tokens
        while True:
            _, text, offset = tokens[self.index]
            if text != "*" and text != "/":
                return left
            self.index += 1
            left = Binary(offset, text, left, self.unary())

    def unary(self) -> Expr:
        _, text, offset = self.tokens[self.index]
        if text == "-":
            self.index += 1
            self.depth += 1
            if self.depth > MAX_DEPTH:
                raise _too_deep(offset)
            try:
                return Unary(offset, "-", self.unary())
            finally:
                self.depth -= 1
        return self.postfix()

    def postfix(self) -> Expr:
        value = self.primary()
        tokens = self.tokens
        while True:
            _, text, offset = tokens[self.index]
            if text != ".":
                return value
            self.index += 1
            name_kind, name, _ = self.take()
            if name_kind != "name":
                found = repr(name) if name else "the end of the expression"
                raise ExpressionSyntaxError(
                    f"expected a field name after '.' but found {found}", offset + 1
                )
            value = Attribute(offset, value, name)

    def primary(self) -> Expr:
        kind, text, offset = self.tokens[self.index]
        self.index += 1
        if kind == "name":
            if self.tokens[self.index][1] == "(":
                self.index += 1
                return Call(offset, text, self.arguments(")", comprehension_offset=offset))
            return Name(offset, text)
        if kind == "number":
            return Literal(offset, Decimal(text) if "." in text else int(text))
        if kind == "string":
            return Literal(offset, text[1:-1])
        if kind == "keyword" and text in ("true", "false"):
            return Literal(offset, text == "true")
        if kind == "op" and text == "[":
            items = self.arguments("]", comprehension_offset=offset)
            if len(items) == 1 and isinstance(items[0], Comprehension):
                return items[0]
            return ListLiteral(offset, items)
        if kind == "op" and text == "(":
            inner = self.expression()
            self.expect(")")
            return inner
        found = repr(text) if text else "the end of the expression"
        raise ExpressionSyntaxError(f"expected a value but found {found}", offset)

    def arguments(self, closing: str, comprehension_offset: int) -> tuple[Expr, ...]:
        """Items up to ``closing``; a first item followed by ``for`` is a comprehension, and
        then the only item."""
        items: list[Expr] = []
        if self.accept(closing):
            return ()
        while True:
            item = self.expression()
            if not items and self.peek()[:2] == ("keyword", "for"):
                item = self.comprehension(item, comprehension_offset)
                self.expect_closing(closing, "a comprehension is the only item")
                return (item,)
            items.append(item)
            if self.accept(closing):
                return tuple(items)
            self.expect_closing(",", None)

    def comprehension(self, element: Expr, offset: int) -> Comprehension:
        self.expect("for")
        kind, variable, variable_offset = self.take()
        if kind != "name":
            found = repr(variable) if variable else "the end of the expression"
            raise ExpressionSyntaxError(
                f"expected a name after 'for' but found {found}", variable_offset
            )
        self.expect("in")
        iterable = self.disjunction()
        condition = self.disjunction() if self.accept("if") else None
        return Comprehension(offset, element, variable, variable_offset, iterable, condition)

    def expect_closing(self, value: str, why: str | None) -> None:
        """``expect``, with a hint for the ways authors coming from SQL or English filter."""
        if self.accept(value):
            return
        kind, text, offset = self.peek()
        found = repr(text) if text else "the end of the expression"
        message = f"expected '{value}' but found {found}"
        if kind == "name" and text == "where":
            message += (
                "; filter a list with 'for ... in ... if', as in count(m for m in xs if m > t)"
            )
        elif why:
            message += f" ({why})"
        raise ExpressionSyntaxError(message, offset)


def parse_expression(text: str) -> Expr:
    """Parse ``text``; raise ``ExpressionSyntaxError`` with the offset of the first problem."""
    if len(text) > MAX_LENGTH:
        raise ExpressionSyntaxError(
            f"expression longer than {MAX_LENGTH} characters", 0, "expression-too-long", _SPLIT
        )
    parser = _Parser(text)
    try:
        tree = parser.expression()
    except RecursionError:  # within the limits, but called from a deep stack already
        raise _too_deep(parser.peek()[2]) from None
    kind, value, offset = parser.peek()
    if kind != "end":
        raise ExpressionSyntaxError(f"unexpected {value!r} after a complete expression", offset)
    # Each node of the tree has a token of its own (operator, name, keyword, bracket), so a
    # tree can be no deeper than its tokens are many: only a long one needs walking.
    if len(parser.tokens) - 1 >= MAX_DEPTH:
        _check_depth(tree)
    return tree
