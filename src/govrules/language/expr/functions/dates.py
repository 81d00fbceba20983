"""Functions on dates: fixed dates, calendar and working-day arithmetic, and date parts.

Calendar arithmetic (``add_days``, ``add_months``, ``add_years``, ``days_between``,
``months_between``) is plain: it needs nothing but its arguments. Statutory periods and
working days (``period_end``, ``add_working_days``, ``count_working_days``) run on the
evaluation's working-day calendar, and what shaped each result (a holiday, a make-up workday,
a year with no published schedule) is reported to the evaluation's frame:

    period_end(notice_date, notice_days_required, 'days')
    add_working_days(application_received_date, review_working_days)
    date('2024-05-01')        # folded by the checker; a bad date is reported at load time
"""

from __future__ import annotations

from govrules import calendar as legal_time
from govrules.language.expr.ast import Call
from govrules.language.expr.functions.spec import (
    Argument,
    FunctionSpec,
    SignatureChecker,
    need,
    text_choice,
)
from govrules.language.expr.types import DATE, INTEGER, Type

__all__ = [
    "ADD_DAYS",
    "ADD_MONTHS",
    "ADD_WORKING_DAYS",
    "ADD_YEARS",
    "COUNT_WORKING_DAYS",
    "DATE_LITERAL",
    "DAY",
    "DAYS_BETWEEN",
    "MONTH",
    "MONTHS_BETWEEN",
    "PERIOD_END",
    "PERIOD_UNITS",
    "YEAR",
]

PERIOD_UNITS = ("days", "months", "years")


def _date_literal(checker: SignatureChecker, node: Call, args: tuple[Argument, ...]) -> Type | None:
    if args[0].type.kind != "text" or not args[0].is_constant:
        checker.fail(node, "bad-arguments", "date() takes a literal 'YYYY-MM-DD'")
        return None
    return DATE


def _shift(checker: SignatureChecker, node: Call, args: tuple[Argument, ...]) -> Type | None:
    ok = need(checker, args[0], ("date",), "the start") and need(
        checker, args[1], ("integer",), "the amount"
    )
    return DATE if ok else None


def _period(checker: SignatureChecker, node: Call, args: tuple[Argument, ...]) -> Type | None:
    if _shift(checker, node, args[:2]) is None:
        return None
    return DATE if text_choice(checker, args[2], PERIOD_UNITS, "the unit") else None


def _between(checker: SignatureChecker, node: Call, args: tuple[Argument, ...]) -> Type | None:
    ok = all(need(checker, arg, ("date",), "each argument") for arg in args)
    return INTEGER if ok else None


def _date_part(checker: SignatureChecker, node: Call, args: tuple[Argument, ...]) -> Type | None:
    return INTEGER if need(checker, args[0], ("date",), "the argument") else None


DATE_LITERAL = FunctionSpec("date('YYYY-MM-DD')", (1, 1), _date_literal, summary="a fixed date")
ADD_DAYS = FunctionSpec(
    "add_days(date, n)",
    (2, 2),
    _shift,
    summary="calendar days later, no adjustment",
    run=legal_time.add_days,
)
ADD_MONTHS = FunctionSpec(
    "add_months(date, n)",
    (2, 2),
    _shift,
    summary="corresponding day n months later (month-end rule)",
    run=legal_time.add_months,
)
ADD_YEARS = FunctionSpec(
    "add_years(date, n)",
    (2, 2),
    _shift,
    summary="corresponding day n years later (month-end rule)",
    run=legal_time.add_years,
)
PERIOD_END = FunctionSpec(
    "period_end(start, n, 'days'|'months'|'years')",
    (3, 3),
    _period,
    summary="last day of a statutory period (X日/X个月/X年)",
    on_calendar=legal_time.period_end,
)
ADD_WORKING_DAYS = FunctionSpec(
    "add_working_days(start, n)",
    (2, 2),
    _shift,
    summary="n-th working day after start (X个工作日)",
    on_calendar=legal_time.add_working_days,
)
COUNT_WORKING_DAYS = FunctionSpec(
    "count_working_days(start, end)",
    (2, 2),
    _between,
    summary="working days after start up to end",
    on_calendar=legal_time.count_working_days,
)
DAYS_BETWEEN = FunctionSpec(
    "days_between(start, end)",
    (2, 2),
    _between,
    summary="calendar days from start to end",
    run=lambda a, b: (b - a).days,
)
MONTHS_BETWEEN = FunctionSpec(
    "months_between(start, end)",
    (2, 2),
    _between,
    summary="calendar months from start's month to end's month (days ignored)",
    run=lambda a, b: (b.year - a.year) * 12 + (b.month - a.month),
)
YEAR = FunctionSpec("year(date)", (1, 1), _date_part, summary="the year", run=lambda d: d.year)
MONTH = FunctionSpec(
    "month(date)", (1, 1), _date_part, summary="the month, 1-12", run=lambda d: d.month
)
DAY = FunctionSpec(
    "day(date)", (1, 1), _date_part, summary="the day of the month", run=lambda d: d.day
)
