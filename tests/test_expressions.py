"""Unit tests of the expression language: parse, check, compile and evaluate.

The parser, checker, compiler and calendar are the real ones. ``Scope`` and ``Frame`` below
are the minimal scaffolding the expression layer expects from its host (the engine provides
richer versions); they hold names and slot values, nothing else.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from itertools import product
from pathlib import Path
from typing import Any

import pytest

from conftest import WAGE_DEPOSIT_POLICY, copy_sources
from govrules.calendar import DateComputation, WorkingDayCalendar
from govrules.engine import Engine
from govrules.errors import EvaluationError
from govrules.language.expr import (
    ExpressionSyntaxError,
    Symbol,
    Type,
    check,
    compile_expression,
    parse_expression,
)
from govrules.language.expr.ast import (
    Binary,
    Call,
    Conditional,
    Expr,
    ListLiteral,
    Literal,
    Name,
    Unary,
)
from govrules.language.expr.types import (
    BOOL,
    DATE,
    DECIMAL,
    INTEGER,
    MONEY,
    RATE,
    TEXT,
    enum_type,
    list_type,
)
from govrules.values import MISSING

# ------------------------------------------------------------------ scaffolding


class Scope:
    """Names an expression may read, each with a type and a slot."""

    def __init__(self, types: dict[str, Type]) -> None:
        self.symbols = {name: Symbol(name, kind, slot, "input")
                        for slot, (name, kind) in enumerate(types.items())}

    def lookup(self, name: str) -> Symbol | None:
        return self.symbols.get(name)

    def names(self) -> list[str]:
        return list(self.symbols)


class Frame:
    """One evaluation: slot values, the official calendar, and reported date computations.

    Compiled closures take the slot list ``v``; its last slot holds the frame itself, which
    is where date functions find the calendar and report what they computed.
    """

    def __init__(self, values: list[Any]) -> None:
        self.v = [*values, self]
        self.calendar = WorkingDayCalendar.prc()
        self.dates: list[DateComputation] = []

    def date_computed(self, computation: DateComputation) -> None:
        self.dates.append(computation)


FORM = enum_type(("cash", "bank_guarantee", "other"))
TYPES: dict[str, Type] = {
    "price": MONEY,
    "price_opt": MONEY.as_optional(),
    "rate": RATE,
    "rate_opt": RATE.as_optional(),
    "step": RATE,
    "floor_rate": RATE,
    "cap_rate": RATE,
    "n": INTEGER,
    "n_opt": INTEGER.as_optional(),
    "x": DECIMAL,
    "y": DECIMAL,
    "start": DATE,
    "end": DATE,
    "start_opt": DATE.as_optional(),
    "flag": BOOL,
    "p": BOOL.as_optional(),
    "q": BOOL.as_optional(),
    "form": FORM,
    "form_opt": FORM.as_optional(),
    "label": TEXT,
    "tags": list_type(TEXT),
}
SCOPE = Scope(TYPES)
DEFAULT_NUMBERS = frozenset({Decimal(0), Decimal(1)})


def checked(text: str, allowed: frozenset[Decimal] = DEFAULT_NUMBERS):
    tree, issues = check(parse_expression(text), SCOPE, allowed)
    assert issues == [], issues
    return tree


def issues_of(text: str, allowed: frozenset[Decimal] = DEFAULT_NUMBERS):
    tree, issues = check(parse_expression(text), SCOPE, allowed)
    assert issues, f"{text!r} should not check"
    assert tree.type.kind == "error"
    return issues


def frame_for(values: dict[str, Any]) -> Frame:
    unknown = set(values) - set(TYPES)
    assert not unknown, unknown
    return Frame([values.get(name, MISSING) for name in TYPES])


def run(text: str, allowed: frozenset[Decimal] = DEFAULT_NUMBERS, traced: bool = False,
        frame: Frame | None = None, **values: Any) -> Any:
    fn = compile_expression(checked(text, allowed), traced=traced)
    return fn((frame if frame is not None else frame_for(values)).v)


def sexpr(node: Expr) -> str:
    """The tree without offsets, to compare shapes."""
    if isinstance(node, Literal):
        return repr(node.value) if isinstance(node.value, str) else str(node.value)
    if isinstance(node, Name):
        return node.name
    if isinstance(node, Unary):
        return f"({node.op} {sexpr(node.operand)})"
    if isinstance(node, Binary):
        return f"({node.op} {sexpr(node.left)} {sexpr(node.right)})"
    if isinstance(node, Conditional):
        return f"(if {sexpr(node.condition)} {sexpr(node.then)} {sexpr(node.otherwise)})"
    if isinstance(node, Call):
        return f"({node.function}" + "".join(" " + sexpr(a) for a in node.args) + ")"
    if isinstance(node, ListLiteral):
        return "[" + " ".join(sexpr(a) for a in node.items) + "]"
    raise AssertionError(node)


def D(text: str) -> Decimal:  # noqa: N802 - reads like a literal
    return Decimal(text)


# ------------------------------------------------------------------ parsing


@pytest.mark.parametrize(("text", "shape"), [
    ("a or b and c", "(or a (and b c))"),
    ("a and b or c", "(or (and a b) c)"),
    ("a or b or c", "(or (or a b) c)"),
    ("not a and b", "(and (not a) b)"),
    ("not not a", "(not (not a))"),
    ("not a == b", "(not (== a b))"),
    ("a == b and c != d", "(and (== a b) (!= c d))"),
    ("a + b * c - d", "(- (+ a (* b c)) d)"),
    ("a - b - c", "(- (- a b) c)"),
    ("a / b / c", "(/ (/ a b) c)"),
    ("a * b / c", "(/ (* a b) c)"),
    ("(a + b) * c", "(* (+ a b) c)"),
    ("-a * b", "(* (- a) b)"),
    ("- -a", "(- (- a))"),
    ("a - -b", "(- a (- b))"),
    ("a + b < c * d", "(< (+ a b) (* c d))"),
    ("a <= b", "(<= a b)"),
    ("a >= b", "(>= a b)"),
    ("x in [a, b]", "(in x [a b])"),
    ("x not in [a, b]", "(not in x [a b])"),
    ("x not in tags and y", "(and (not in x tags) y)"),
    ("not x in tags", "(not (in x tags))"),
    ("not x not in tags", "(not (not in x tags))"),
    ("a + 1 in [b]", "(in (+ a 1) [b])"),
    ("if a then b else c", "(if a b c)"),
    ("if a then b else c + 1", "(if a b (+ c 1))"),
    ("(if a then b else c) + 1", "(+ (if a b c) 1)"),
    ("if a or b then c else d", "(if (or a b) c d)"),
    ("if a then if b then c else d else e", "(if a (if b c d) e)"),
    ("if a then b else if c then d else e", "(if a b (if c d e))"),
    ("max(a - b, c)", "(max (- a b) c)"),
    ("f()", "(f)"),
    ("f(if a then b else c, [1, 2])", "(f (if a b c) [1 2])"),
    ("round_fen(a * b, 'half_up')", "(round_fen (* a b) 'half_up')"),
    ('label == "two words"', "(== label 'two words')"),
])
def test_precedence_and_shape(text: str, shape: str) -> None:
    assert sexpr(parse_expression(text)) == shape


def test_literals_are_exact() -> None:
    one = parse_expression("1")
    assert isinstance(one, Literal) and type(one.value) is int and one.value == 1
    rate = parse_expression("0.04")
    assert isinstance(rate, Literal) and type(rate.value) is Decimal
    assert rate.value == Decimal("0.04")
    assert parse_expression("1.50").value == Decimal("1.50")  # type: ignore[attr-defined]
    assert parse_expression("true").value is True  # type: ignore[attr-defined]
    assert parse_expression("false").value is False  # type: ignore[attr-defined]
    assert parse_expression("'cash'").value == "cash"  # type: ignore[attr-defined]


def test_no_float_in_any_parsed_literal() -> None:
    tree = parse_expression("if 0.1 + 0.2 == 0.3 then [1.5, 2.25, 3] else [0.001, 7, 9.75]")
    stack: list[Expr] = [tree]
    literals = []
    while stack:
        node = stack.pop()
        if isinstance(node, Literal):
            literals.append(node.value)
        for field in ("operand", "left", "right", "condition", "then", "otherwise"):
            if hasattr(node, field):
                stack.append(getattr(node, field))
        stack.extend(getattr(node, "args", ()))
        stack.extend(getattr(node, "items", ()))
    assert len(literals) == 9
    assert not any(isinstance(value, float) for value in literals)


def test_offsets_point_at_operators_and_names() -> None:
    tree = parse_expression("price * rate_min")
    assert isinstance(tree, Binary)
    assert (tree.offset, tree.left.offset, tree.right.offset) == (6, 0, 8)
    call = parse_expression("  max(a, b)")
    assert isinstance(call, Call) and call.offset == 2
    assert [arg.offset for arg in call.args] == [6, 9]


@pytest.mark.parametrize(("text", "offset"), [
    ("a < b < c", 6),
    ("a == b == c", 7),
    ("a <= b >= c", 7),
    ("a < b in c", 6),
    ("a in b in c", 7),
    ("a not in b == c", 11),
    ("1 != 0 != 1", 7),
])
def test_chained_comparison_refused(text: str, offset: int) -> None:
    with pytest.raises(ExpressionSyntaxError) as caught:
        parse_expression(text)
    assert caught.value.offset == offset
    assert "do not chain" in caught.value.message
    assert "and" in caught.value.message  # tells the author how to write it


def test_chained_comparison_with_parentheses_is_a_comparison_of_a_comparison() -> None:
    assert sexpr(parse_expression("(a < b) == c")) == "(== (< a b) c)"


@pytest.mark.parametrize(("text", "offset", "fragment"), [
    ("price +", 7, "the end of the expression"),
    ("price $ 1", 6, "unexpected character '$'"),
    ("price 1", 6, "after a complete expression"),
    ("price rate", 6, "after a complete expression"),
    ("(price", 6, "expected ')'"),
    ("max(price, 1", 12, "expected ','"),
    ("max(price 1)", 10, "expected ','"),
    ("[1, 2", 5, "expected ','"),
    ("if p then 1", 11, "expected 'else'"),
    ("if p else 1", 5, "expected 'then'"),
    ("then", 0, "expected a value"),
    ("", 0, "the end of the expression"),
    ("a and", 5, "expected a value"),
    ("a + * b", 4, "expected a value"),
    ("label == 'open", 9, "unexpected character"),
    ("not in tags", 0, "expected a value but found 'not'"),
    ("a;b", 1, "unexpected character ';'"),  # a.b is a record field since records exist
    ("1 = 1", 2, "unexpected character '='"),
    ("x ! y", 2, "unexpected character '!'"),
])
def test_syntax_error_offsets(text: str, offset: int, fragment: str) -> None:
    with pytest.raises(ExpressionSyntaxError) as caught:
        parse_expression(text)
    assert caught.value.offset == offset, caught.value.message
    assert fragment in caught.value.message
    assert str(caught.value) == caught.value.message


def test_too_long_and_too_deep_are_syntax_errors() -> None:
    with pytest.raises(ExpressionSyntaxError, match="longer than"):
        parse_expression("a + " * 1001 + "a")
    with pytest.raises(ExpressionSyntaxError, match="nested too deeply"):
        parse_expression("(" * 100 + "a" + ")" * 100)
    with pytest.raises(ExpressionSyntaxError, match="nested too deeply"):
        parse_expression("[" * 100 + "a" + "]" * 100)


def test_long_runs_of_prefix_operators_are_syntax_errors_not_crashes() -> None:
    # Regression: prefix '-' and 'not' once recursed without counting depth, so a run of
    # them well under MAX_LENGTH raised RecursionError.
    with pytest.raises(ExpressionSyntaxError, match="nested too deeply") as caught:
        parse_expression("-" * 3000 + "x")
    assert caught.value.offset <= 3000
    with pytest.raises(ExpressionSyntaxError, match="nested too deeply"):
        parse_expression("not " * 900 + "p")
    assert sexpr(parse_expression("- - - x")) == "(- (- (- x)))"


# ------------------------------------------------------------------ checking


def test_unknown_name_suggests_the_close_one() -> None:
    (issue,) = issues_of("prcie * rate")
    assert issue.code == "unknown-name"
    assert issue.offset == 0
    assert "'prcie'" in issue.message
    assert issue.hint == "did you mean 'price'?"


def test_unknown_name_far_from_everything_has_no_hint() -> None:
    (issue,) = issues_of("price * zzzzqqq")
    assert issue.code == "unknown-name" and issue.offset == 8 and issue.hint is None


def test_every_problem_is_reported_at_once() -> None:
    issues = issues_of("prcie + 1 > 0 and ratte == 0")
    assert [(i.code, i.offset) for i in issues] == [("unknown-name", 0), ("unknown-name", 18)]
    assert issues[1].hint == "did you mean 'rate'?"


@pytest.mark.parametrize("text", [
    "start < 1",
    "start == 0",
    "start > n",
    "start != price",
    "start <= 1",
])
def test_date_compared_with_a_number_is_refused(text: str) -> None:
    (issue,) = issues_of(text)
    assert issue.code == "type-mismatch"
    assert "date" in issue.message
    assert issue.offset == text.index(text.split()[1])


@pytest.mark.parametrize("text", ["start + 1", "start - end", "n + start", "start * 1"])
def test_date_arithmetic_is_refused_with_a_hint(text: str) -> None:
    (issue,) = issues_of(text)
    assert issue.code == "type-mismatch"
    assert issue.hint is not None and "add_days" in issue.hint


@pytest.mark.parametrize(("text", "message"), [
    ("price + rate", "cannot add rate to money"),
    ("rate - price", "cannot subtract money from rate"),
    ("price + n", "cannot add integer to money"),
    ("price * price", "cannot multiply money by money"),
    ("rate / price", "cannot divide rate by money"),
    ("price == rate", "cannot compare money with rate"),
    ("price < rate", "cannot compare money with rate"),
    ("max(price, rate)", "cannot mix money and rate"),
    ("if flag then price else rate", "cannot mix money and rate"),
    ("coalesce(price_opt, rate)", "cannot mix money and rate"),
    ("[price, rate]", "cannot mix money and rate"),
    ("max(price, x)", "cannot mix decimal and money"),
])
def test_unit_mismatch(text: str, message: str) -> None:
    (issue,) = issues_of(text)
    assert issue.code == "unit-mismatch"
    assert issue.message == message


@pytest.mark.parametrize(("text", "kind"), [
    ("price * rate", "money"),
    ("rate * price", "money"),
    ("price / rate", "money"),
    ("price / price", "decimal"),
    ("rate / rate", "decimal"),
    ("price / n", "money"),
    ("price * x", "money"),
    ("rate * rate", "rate"),
    ("price + price", "money"),
    ("price + 1", "money"),   # a bare 1 takes the unit of the other side
    ("1 - rate", "rate"),
    ("rate - 0", "rate"),
    ("n + n", "integer"),
    ("n * n", "integer"),
    ("n + x", "decimal"),
    ("n / n", "decimal"),
    ("-price", "money"),
    ("max(rate - step, floor_rate)", "rate"),
    ("clamp(rate, floor_rate, cap_rate)", "rate"),
    ("min(n, 1)", "integer"),
    ("min(start, end)", "date"),
    ("abs(price)", "money"),
    ("round_fen(price * rate, 'half_up')", "money"),
    ("days_between(start, end)", "integer"),
    ("add_months(start, n)", "date"),
    ("period_end(start, n, 'days')", "date"),
    ("count_working_days(start, end)", "integer"),
    ("year(start)", "integer"),
    ("size(tags)", "integer"),
    ("price > 0", "bool"),
    ("rate <= 1", "bool"),
    ("form == 'cash'", "bool"),
    ("label in tags", "bool"),
    ("if flag then price else 0", "money"),
])
def test_unit_algebra(text: str, kind: str) -> None:
    assert checked(text).type.kind == kind


@pytest.mark.parametrize(("text", "allowed"), [
    ("price * 1", DEFAULT_NUMBERS),
    ("price * 0", DEFAULT_NUMBERS),
    ("1 * price", DEFAULT_NUMBERS),
    ("price * 0.04", DEFAULT_NUMBERS | {Decimal("0.04")}),   # a declared (cited) number
])
def test_multiplying_money_by_a_bare_number_keeps_money(
        text: str, allowed: frozenset[Decimal]) -> None:
    # Regression: a bare number once adopted the other side's unit for '*' too, so
    # 'price * 1' was refused as 'cannot multiply money by money'.
    tree, issues = check(parse_expression(text), SCOPE, allowed)
    assert issues == []
    assert tree.type == MONEY


def test_dividing_by_a_bare_one_keeps_the_unit() -> None:
    # Regression: 'price / 1' was once typed decimal (the 1 adopted 'money', and money /
    # money is a plain ratio), silently losing the unit.
    for text, kind in (("price / 1", MONEY), ("rate / 1", RATE), ("rate * 1", RATE),
                       ("n * 1", INTEGER), ("x / 1", DECIMAL)):
        tree, issues = check(parse_expression(text), SCOPE)
        assert issues == [], text
        assert tree.type == kind, text


@pytest.mark.parametrize(("text", "number", "offset"), [
    ("price * 2", "2", 8),
    ("price * 0.04", "0.04", 8),
    ("rate > 0.5 and n < 15", "0.5", 7),
    ("max(n, 100)", "100", 7),
    ("-3", "3", 1),
])
def test_uncited_number_refused(text: str, number: str, offset: int) -> None:
    issue = issues_of(text)[0]
    assert issue.code == "uncited-number"
    assert issue.offset == offset
    assert f"the number {number} has no citation" == issue.message
    assert issue.hint is not None and "cite" in issue.hint


@pytest.mark.parametrize("text", ["price > 0", "rate <= 1", "n - 1", "1.0 - rate",
                                  "price + 0.00", "-1"])
def test_zero_and_one_need_no_citation(text: str) -> None:
    checked(text)


def test_cited_numbers_are_allowed_when_declared() -> None:
    allowed = DEFAULT_NUMBERS | {Decimal("0.04"), Decimal(15)}
    assert checked("x * 0.04", allowed).type == DECIMAL
    assert checked("price + 0.04", allowed).type == MONEY
    assert checked("add_days(start, 15)", allowed).type == DATE
    assert issues_of("x * 0.05", allowed)[0].code == "uncited-number"


@pytest.mark.parametrize(("text", "literal", "hint"), [
    ("form == 'cahs'", "cahs", "did you mean 'cash'?"),
    ("'bank_guarante' != form", "bank_guarante", "did you mean 'bank_guarantee'?"),
    ("form in ['cash', 'gold']", "gold", None),
    ("form not in ['cash', 'bank-guarantee']", "bank-guarantee",
     "did you mean 'bank_guarantee'?"),
    ("form_opt == 'Cash'", "Cash", "did you mean 'cash'?"),
])
def test_enum_literal_must_be_a_member(text: str, literal: str, hint: str | None) -> None:
    (issue,) = issues_of(text)
    assert issue.code == "unknown-enum-value"
    assert issue.offset == text.index(f"'{literal}'")
    assert issue.message.startswith(f"'{literal}' is not one of cash, bank_guarantee, other")
    assert issue.hint == hint


def test_enum_members_check() -> None:
    assert checked("form == 'cash'").type == BOOL
    assert checked("form in ['cash', 'other']").type == BOOL
    assert checked("form_opt != 'other'").type == BOOL.as_optional()


@pytest.mark.parametrize(("text", "expected"), [
    ("clamp(rate, floor_rate)", "clamp() takes 3 argument(s), got 2"),
    ("clamp(rate, floor_rate, cap_rate, step)", "clamp() takes 3 argument(s), got 4"),
    ("max()", "max() takes 1 or more argument(s), got 0"),
    ("abs(price, price)", "abs() takes 1 argument(s), got 2"),
    ("round_fen(price)", "round_fen() takes 2 argument(s), got 1"),
    ("period_end(start, n)", "period_end() takes 3 argument(s), got 2"),
    ("add_months(start)", "add_months() takes 2 argument(s), got 1"),
    ("all_known()", "all_known() takes 1 or more argument(s), got 0"),
])
def test_wrong_arity(text: str, expected: str) -> None:
    (issue,) = issues_of(text)
    assert issue.code == "bad-arguments"
    assert issue.message == expected
    assert issue.offset == 0
    assert issue.hint is not None and issue.hint.startswith("usage: ")


def test_min_of_one_value_must_be_a_list() -> None:
    # min(list) is the smallest item; one plain value is a mistake, named as such
    (issue,) = issues_of("min(rate)")
    assert issue.code == "type-mismatch"
    assert issue.message == "min() of one argument takes a list of numbers or dates, got rate"
    assert issue.offset == 4


def test_unknown_function_suggests() -> None:
    (issue,) = issues_of("roundfen(price, 'half_up')")
    assert issue.code == "unknown-function"
    assert issue.hint == "did you mean 'round_fen'?"


@pytest.mark.parametrize(("text", "hint"), [
    ("round_fen(price, 'half-up')", "did you mean 'half_up'?"),
    ("round_fen(price, 'halfup')", "did you mean 'half_up'?"),
    ("round_fen(price, 'bankers')", None),
    ("round_fen(price, label)", None),       # a mode must be a literal, not a value
    ("round_fen(price, 1)", None),
])
def test_round_fen_mode_must_be_a_known_literal(text: str, hint: str | None) -> None:
    (issue,) = issues_of(text)
    assert issue.code == "bad-arguments"
    assert issue.message.startswith("the rounding mode must be one of 'half_up', 'half_even'")
    assert issue.offset == text.index(text.split(", ")[1])
    assert issue.hint == hint


def test_round_fen_refuses_a_rate() -> None:
    (issue,) = issues_of("round_fen(rate, 'half_up')")
    assert issue.code == "type-mismatch" and "the amount" in issue.message


@pytest.mark.parametrize(("text", "code"), [
    ("not price", "type-mismatch"),
    ("flag and price", "type-mismatch"),
    ("price or flag", "type-mismatch"),
    ("if price then 1 else 0", "type-mismatch"),
    ("if flag then start else price", "type-mismatch"),
    ("-flag", "type-mismatch"),
    ("label < label", "type-mismatch"),
    ("form == label", "type-mismatch"),
    ("price in tags", "type-mismatch"),
    ("label in label", "type-mismatch"),
    ("1 in []", "type-mismatch"),  # an empty list has no items to look for
    ("given(price * rate)", "bad-arguments"),
    ("given(1)", "bad-arguments"),
    ("date(label)", "bad-arguments"),
    ("date('2024-02-30')", "bad-date"),
    ("date('30/01/2024')", "bad-date"),
    ("period_end(start, n, 'weeks')", "bad-arguments"),
    ("period_end(start, rate, 'days')", "type-mismatch"),
    ("add_working_days(price, n)", "type-mismatch"),
    ("days_between(start, n)", "type-mismatch"),
    ("min(start, n)", "type-mismatch"),
    ("size(label)", "type-mismatch"),
    ("all_known(price)", "type-mismatch"),
])
def test_other_type_errors(text: str, code: str) -> None:
    assert issues_of(text)[0].code == code


def test_optionality_propagates() -> None:
    assert checked("price_opt * rate").type == MONEY.as_optional()
    assert checked("price * rate").type == MONEY
    assert checked("max(rate_opt, floor_rate)").type == RATE.as_optional()
    assert checked("given(price_opt)").type == BOOL
    assert checked("coalesce(price_opt, 0)").type == MONEY
    assert checked("coalesce(price_opt, price_opt)").type == MONEY.as_optional()
    assert checked("all_known(flag)").type == BOOL.as_optional()
    assert checked("if p then price else 0").type == MONEY.as_optional()
    assert checked("not p").type == BOOL.as_optional()


def test_checked_names_lists_what_is_read() -> None:
    tree = checked("max(clamp(rate, floor_rate, cap_rate) - step, floor_rate)")
    assert {symbol.name for symbol in tree.names()} == {"rate", "floor_rate", "cap_rate", "step"}


# ------------------------------------------------------------------ evaluation


def test_decimal_arithmetic_is_exact() -> None:
    assert run("x + y", x=D("0.1"), y=D("0.2")) == D("0.3")
    assert run("x + y == x + y", x=D("0.1"), y=D("0.2")) is True
    result = run("price * rate", price=D("1234567.89"), rate=D("0.045"))
    assert result == D("55555.55505") and type(result) is Decimal
    assert run("price - price * rate", price=D("10000000000.00"), rate=D("0.0001")) \
        == D("9999000000.000000")
    assert run("n * n", n=3) == 9
    third = run("price / n", price=D("1"), n=3)
    assert type(third) is Decimal and third == Decimal(1) / Decimal(3)
    assert run("n / n", n=7) == Decimal(1)
    assert type(run("n / n", n=7)) is Decimal


def test_no_float_appears_in_results() -> None:
    cases = [
        ("price * rate", {"price": D("100.10"), "rate": D("0.03")}),
        ("price / rate", {"price": D("1"), "rate": D("0.07")}),
        ("max(rate - step, floor_rate)", {"rate": D("0.025"), "step": D("0.01"),
                                          "floor_rate": D("0.02")}),
        ("round_fen(price * rate, 'half_up')", {"price": D("3.33"), "rate": D("0.333")}),
        ("1.5 * x", {"x": D("2")}),
        ("n / n", {"n": 4}),
        ("-price", {"price": D("2.50")}),
        ("abs(x)", {"x": D("-0.1")}),
    ]
    allowed = DEFAULT_NUMBERS | {Decimal("1.5")}
    for text, values in cases:
        value = run(text, allowed=allowed, **values)
        assert isinstance(value, Decimal) and not isinstance(value, float), (text, value)


def test_literal_decimal_evaluates_to_decimal() -> None:
    allowed = DEFAULT_NUMBERS | {Decimal("0.1"), Decimal("0.2"), Decimal("0.3")}
    assert run("0.1 + 0.2 == 0.3", allowed=allowed) is True
    assert run("x * 0.1", allowed=allowed, x=D("3")) == D("0.3")


T, F, M = True, False, MISSING
TRUTH = [T, F, M]


def _kleene_and(a: Any, b: Any) -> Any:
    if a is F or b is F:
        return F
    if a is M or b is M:
        return M
    return T


def _kleene_or(a: Any, b: Any) -> Any:
    if a is T or b is T:
        return T
    if a is M or b is M:
        return M
    return F


@pytest.mark.parametrize(("a", "b"), list(product(TRUTH, TRUTH)))
def test_three_valued_and_or(a: Any, b: Any) -> None:
    assert run("p and q", p=a, q=b) is _kleene_and(a, b)
    assert run("p or q", p=a, q=b) is _kleene_or(a, b)


@pytest.mark.parametrize("a", TRUTH)
def test_three_valued_not(a: Any) -> None:
    expected = M if a is M else (not a)
    assert run("not p", p=a) is expected
    assert run("not not p", p=a) is a


def test_and_or_with_one_known_side() -> None:
    assert run("flag and p", flag=False, p=M) is F
    assert run("flag and p", flag=True, p=M) is M
    assert run("flag or p", flag=True, p=M) is T
    assert run("flag or p", flag=False, p=M) is M
    assert run("flag and flag", flag=True) is T
    assert run("flag or flag", flag=False) is F


def test_unknown_propagates_through_arithmetic_and_comparison() -> None:
    assert run("price_opt * rate", price_opt=M, rate=D("0.04")) is M
    assert run("price_opt * rate", price_opt=D("100"), rate=D("0.04")) == D("4.00")
    assert run("price_opt > 0", price_opt=M) is M
    assert run("price_opt > 0 or flag", price_opt=M, flag=True) is T
    assert run("price_opt > 0 and flag", price_opt=M, flag=False) is F
    assert run("max(rate_opt, floor_rate)", rate_opt=M, floor_rate=D("0.02")) is M
    assert run("round_fen(price_opt, 'half_up')", price_opt=M) is M
    assert run("add_months(start_opt, 1)", start_opt=M) is M
    assert run("period_end(start_opt, 1, 'days')", start_opt=M) is M
    assert run("form_opt == 'cash'", form_opt=M) is M
    assert run("form_opt in ['cash', 'other']", form_opt=M) is M
    assert run("-price_opt", price_opt=M) is M


def test_if_then_else() -> None:
    text = "if flag then price else 0"
    assert run(text, flag=True, price=D("5.00")) == D("5.00")
    assert run(text, flag=False, price=D("5.00")) == 0
    assert run("if p then price else 0", p=M, price=D("5")) is M
    assert run("if p then price else 0", p=False, price=D("5")) == 0
    assert run("if flag then price_opt else price", flag=False, price_opt=M,
               price=D("2")) == D("2")
    assert run("if flag then if p then 1 else 0 else n", flag=True, p=True, n=7) == 1
    assert run("if flag then if p then 1 else 0 else n", flag=False, p=True, n=7) == 7


def test_if_evaluates_only_the_chosen_branch() -> None:
    text = "if n == 0 then 0 else price / n"
    assert run(text, n=0, price=D("10")) == 0
    assert run(text, n=4, price=D("10")) == D("2.5")


def test_division_by_zero_raises() -> None:
    with pytest.raises(ZeroDivisionError):
        run("price / n", price=D("10"), n=0)
    with pytest.raises(ZeroDivisionError):
        run("price / x", price=D("10"), x=D("0.00"))
    with pytest.raises(ZeroDivisionError):
        run("price_opt / rate", price_opt=D("1"), rate=D("0"))


def slot(name: str) -> int:
    symbol = SCOPE.lookup(name)
    assert symbol is not None
    return symbol.slot


def test_constants_are_substituted_and_folded() -> None:
    constants = {slot("rate"): D("0.04"), slot("step"): D("0.01"), slot("cap_rate"): D("0.06")}
    fn = compile_expression(checked("min(rate + step, cap_rate)"), constants=constants)
    assert fn(frame_for({}).v) == D("0.05")   # the slots are empty: the value is folded in
    fn = compile_expression(checked("price * rate"), constants={slot("rate"): D("0.04")})
    assert fn(frame_for({"price": D("250.00")}).v) == D("10.0000")
    # a parameter with no value on the date is an unknown constant
    unknown = {slot("rate_opt"): MISSING}
    assert compile_expression(checked("rate_opt > 0"), constants=unknown)(
        frame_for({}).v) is MISSING
    assert compile_expression(checked("rate_opt * rate_opt"), constants=unknown)(
        frame_for({}).v) is MISSING
    assert compile_expression(checked("given(rate_opt)"), constants=unknown)(
        frame_for({}).v) is False
    assert compile_expression(checked("coalesce(rate_opt, rate)"), constants=unknown)(
        frame_for({"rate": D("0.03")}).v) == D("0.03")


@pytest.mark.parametrize("text", ["price * rate_opt", "rate_opt * price",
                                  "max(rate_opt, rate)", "price * rate_opt + price"])
def test_an_unknown_constant_propagates_as_unknown(text: str) -> None:
    # Regression: a constant operand was once inlined without checking for MISSING, so
    # 'price * rate_opt' with rate_opt folded to MISSING raised TypeError.
    fn = compile_expression(checked(text), constants={slot("rate_opt"): MISSING})
    assert fn(frame_for({"price": D("1"), "rate": D("0.1")}).v) is MISSING


@pytest.mark.parametrize(("text", "expected"), [
    ("if n == 0 then 0 else 1 / n", 0),
    ("n != 0 and 1 / n > 0", False),
    ("n == 0 or 1 / n > 0", True),
])
def test_folding_does_not_evaluate_what_a_guard_skips(text: str, expected: Any) -> None:
    # Regression: every all-constant sub-expression was once folded eagerly, so a guarded
    # '1 / n' with n folded to 0 raised ZeroDivisionError at compile time.
    assert run(text, n=0) == expected   # as a slot value, the guard protects the division
    fn = compile_expression(checked(text), constants={slot("n"): 0})
    assert fn(frame_for({}).v) == expected


def test_a_reached_division_by_a_folded_zero_fails_when_evaluated() -> None:
    fn = compile_expression(checked("1 / n"), constants={slot("n"): 0})   # compiles
    with pytest.raises(ZeroDivisionError):
        fn(frame_for({}).v)
    fn = compile_expression(checked("if flag then 1 / n else 0"), constants={slot("n"): 0})
    assert fn(frame_for({"flag": False}).v) == 0
    with pytest.raises(ZeroDivisionError):
        fn(frame_for({"flag": True}).v)


def test_constant_division_by_zero_in_a_policy_is_not_a_bare_crash(tmp_path: Path) -> None:
    # Regression: 'first_deposit and 1 / 0 > 0' once made evaluation raise a bare
    # ZeroDivisionError (folded while building the program for the date) even when
    # first_deposit was false.
    copy_sources(tmp_path / "sources")
    text = WAGE_DEPOSIT_POLICY.read_text(encoding="utf-8")
    assert text.count("    when: first_deposit\n") == 1
    (tmp_path / "wage_deposit.yaml").write_text(
        # 1 / (1 - 1): a literal "1 / 0" is refused when the policy loads (division-by-zero)
        text.replace("    when: first_deposit\n", "    when: first_deposit and 1 / (1 - 1) > 0\n"),
        encoding="utf-8")
    engine = Engine.from_directory(tmp_path)
    case = {"contract_price": "100.00", "first_deposit": False, "previous_rate": "0.03",
            "arrears_in_previous_period": False}
    decision = engine.evaluate("cn.jilin.taobei.wage_deposit", case,
                               as_of=dt.date(2026, 1, 1), trace=False)
    assert decision.values["rate_max"] == D("0.03")
    with pytest.raises(EvaluationError, match="division by zero"):
        engine.evaluate("cn.jilin.taobei.wage_deposit", {**case, "first_deposit": True},
                        as_of=dt.date(2026, 1, 1), trace=False)


def test_min_max_clamp() -> None:
    values = {"floor_rate": D("0.02"), "cap_rate": D("0.06"), "step": D("0.01")}
    clamp = "clamp(rate, floor_rate, cap_rate)"
    assert run(clamp, rate=D("0.0001"), **values) == D("0.02")
    assert run(clamp, rate=D("0.045"), **values) == D("0.045")
    assert run(clamp, rate=D("1"), **values) == D("0.06")
    assert run(clamp, rate=D("0.02"), **values) == D("0.02")
    assert run(clamp, rate=D("0.06"), **values) == D("0.06")
    lowered = "max(clamp(rate, floor_rate, cap_rate) - step, floor_rate)"
    assert run(lowered, rate=D("0.025"), **values) == D("0.02")
    assert run(lowered, rate=D("0.05"), **values) == D("0.04")
    assert run("min(x, y, 1)", x=D("3"), y=D("-2")) == D("-2")
    assert run("max(x, y, 0)", x=D("-3"), y=D("-2")) == 0
    assert run("min(n, 1)", n=5) == 1
    assert run("max(start, end)", start=dt.date(2026, 1, 1),
               end=dt.date(2025, 12, 31)) == dt.date(2026, 1, 1)
    assert run("min(start, end)", start=dt.date(2026, 1, 1),
               end=dt.date(2025, 12, 31)) == dt.date(2025, 12, 31)
    assert run("abs(x)", x=D("-1.25")) == D("1.25")


@pytest.mark.parametrize(("amount", "mode", "expected"), [
    ("0.125", "half_up", "0.13"),
    ("0.125", "half_even", "0.12"),
    ("0.125", "half_down", "0.12"),
    ("0.125", "down", "0.12"),
    ("0.125", "up", "0.13"),
    ("0.135", "half_up", "0.14"),
    ("0.135", "half_even", "0.14"),
    ("0.135", "down", "0.13"),
    ("2.675", "half_up", "2.68"),   # float(2.675) rounds to 2.67: no float is involved
    ("2.675", "half_even", "2.68"),
    ("2.665", "half_even", "2.66"),
    ("2.665", "half_up", "2.67"),
    ("2.665", "down", "2.66"),
    ("1.005", "half_up", "1.01"),   # float(1.005) is below 1.005
    ("1.005", "half_even", "1.00"),
    ("1.005", "down", "1.00"),
    ("-0.125", "half_up", "-0.13"),
    ("-0.125", "half_even", "-0.12"),
    ("-0.125", "down", "-0.12"),
    ("-0.125", "floor", "-0.13"),
    ("-0.125", "ceiling", "-0.12"),
    ("0.1249999", "half_up", "0.12"),
    ("0.0050", "half_up", "0.01"),
    ("0.0050", "half_even", "0.00"),
    ("0.0049", "up", "0.01"),
    ("12345678901.235", "half_even", "12345678901.24"),
    ("7", "half_up", "7.00"),
])
def test_round_fen_modes(amount: str, mode: str, expected: str) -> None:
    result = run(f"round_fen(x, '{mode}')", x=D(amount))
    assert type(result) is Decimal
    assert str(result) == expected   # quantized: always two places


def test_round_fen_of_a_product_rounds_only_at_the_end() -> None:
    # 333.33 * 0.045 = 14.99985 exactly; rounding the rate or an intermediate would differ
    assert run("round_fen(price * rate, 'half_up')", price=D("333.33"),
               rate=D("0.045")) == D("15.00")
    assert run("round_fen(price * rate, 'down')", price=D("333.33"),
               rate=D("0.045")) == D("14.99")
    assert run("round_fen(n, 'half_up')", n=3) == D("3.00")


def test_given() -> None:
    assert run("given(price_opt)", price_opt=M) is False
    assert run("given(price_opt)", price_opt=D("0")) is True
    assert run("given(p)", p=False) is True
    assert run("given(p)", p=M) is False
    assert run("given(price)", price=D("1")) is True
    assert run("given(p) and p", p=M) is False


@pytest.mark.parametrize(("a", "b", "expected"), [
    (T, T, T), (T, F, F), (F, T, F), (F, F, F),
    (T, M, T), (M, T, T), (F, M, F), (M, F, F), (M, M, M),
])
def test_all_known(a: Any, b: Any, expected: Any) -> None:
    assert run("all_known(p, q)", p=a, q=b) is expected


def test_all_known_single() -> None:
    assert run("all_known(p)", p=M) is M
    assert run("all_known(p)", p=T) is T
    assert run("all_known(flag, p)", flag=False, p=M) is F


def test_coalesce() -> None:
    assert run("coalesce(price_opt, 0)", price_opt=M) == 0
    assert run("coalesce(price_opt, 0)", price_opt=D("12.50")) == D("12.50")
    assert run("coalesce(price_opt, price_opt, price)", price_opt=M, price=D("3")) == D("3")
    assert run("coalesce(price_opt, price_opt)", price_opt=M) is M
    assert run("coalesce(p, q, flag)", p=M, q=False, flag=True) is False
    assert run("coalesce(start_opt, start)", start_opt=M,
               start=dt.date(2026, 1, 1)) == dt.date(2026, 1, 1)


@pytest.mark.parametrize(("start", "months", "expected"), [
    ((2024, 1, 31), 1, (2024, 2, 29)),
    ((2023, 1, 31), 1, (2023, 2, 28)),
    ((2024, 3, 31), 1, (2024, 4, 30)),
    ((2024, 1, 30), 1, (2024, 2, 29)),
    ((2024, 1, 15), 1, (2024, 2, 15)),
    ((2024, 2, 29), 12, (2025, 2, 28)),
    ((2024, 12, 31), 2, (2025, 2, 28)),
    ((2024, 2, 29), 1, (2024, 3, 29)),
    ((2023, 11, 30), 3, (2024, 2, 29)),
])
def test_add_months_month_end_rule(start: tuple[int, int, int], months: int,
                                   expected: tuple[int, int, int]) -> None:
    assert run("add_months(start, n)", start=dt.date(*start), n=months) == dt.date(*expected)


def test_add_months_on_literal_dates_is_folded_and_correct() -> None:
    assert run("add_months(date('2024-01-31'), 1)") == dt.date(2024, 2, 29)
    assert run("add_months(date('2023-01-31'), 1)") == dt.date(2023, 2, 28)
    assert run("add_years(date('2024-02-29'), 1)") == dt.date(2025, 2, 28)
    assert run("add_days(date('2024-02-28'), 1)") == dt.date(2024, 2, 29)
    assert run("date('2026-10-01') > start", start=dt.date(2026, 9, 30)) is True


def test_date_parts_lists_and_membership() -> None:
    day = dt.date(2026, 10, 5)
    assert run("year(start)", start=day) == 2026
    assert run("month(start)", start=day) == 10
    assert run("day(start)", start=day) == 5
    assert run("days_between(start, end)", start=dt.date(2024, 2, 1),
               end=dt.date(2024, 3, 1)) == 29
    assert run("days_between(start, end)", start=dt.date(2024, 3, 1),
               end=dt.date(2024, 2, 1)) == -29
    assert run("size(tags)", tags=("a", "b")) == 2
    assert run("label in tags", label="b", tags=("a", "b")) is True
    assert run("label not in tags", label="b", tags=("a", "b")) is False
    assert run("form in ['cash', 'other']", form="bank_guarantee") is False
    assert run("form not in ['cash', 'other']", form="bank_guarantee") is True
    assert run("n in [0, 1]", n=1) is True
    assert run("form == 'cash'", form="cash") is True


def test_legal_time_functions_use_the_frame_calendar() -> None:
    allowed = DEFAULT_NUMBERS | {Decimal(15)}
    frame = frame_for({"start": dt.date(2026, 9, 20)})
    assert run("period_end(start, 15, 'days')", allowed, frame=frame) == dt.date(2026, 10, 8)
    assert frame.dates == []   # untraced, inside a published year: nothing reported

    frame = frame_for({"start": dt.date(2026, 9, 20)})
    assert run("period_end(start, 15, 'days')", allowed, traced=True,
               frame=frame) == dt.date(2026, 10, 8)
    (computation,) = frame.dates
    assert computation.function == "period_end"
    assert computation.plain_end == dt.date(2026, 10, 5)

    frame = frame_for({"start": dt.date(2026, 9, 30)})
    assert run("add_working_days(start, 15)", allowed, frame=frame) == dt.date(2026, 10, 27)
    frame = frame_for({"start": dt.date(2026, 9, 30), "end": dt.date(2026, 10, 10)})
    assert run("count_working_days(start, end)", frame=frame) == 3


def test_reaching_an_unpublished_year_is_reported_even_untraced() -> None:
    allowed = DEFAULT_NUMBERS | {Decimal(15)}
    frame = frame_for({"start": dt.date(2026, 12, 25)})
    result = run("period_end(start, 15, 'days')", allowed, frame=frame)
    assert result.year == 2027
    (computation,) = frame.dates
    assert 2027 in computation.unpublished_years


def test_legal_time_on_literal_dates_is_not_folded_without_a_calendar() -> None:
    allowed = DEFAULT_NUMBERS | {Decimal(15)}
    fn = compile_expression(checked("period_end(date('2026-09-20'), 15, 'days')", allowed),
                            traced=True)
    frame = frame_for({})
    assert fn(frame.v) == dt.date(2026, 10, 8)
    assert len(frame.dates) == 1
