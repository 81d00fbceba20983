"""Functions on dates and times: fixed and built dates, calendar and working-day arithmetic,
date parts, ages, and hours.

Most are plain: they need nothing but their arguments, and never move a date to a working day.
Statutory periods and working days (``period_end`` and the ``*working_day*`` functions) run on
the evaluation's working-day calendar, and what shaped each result (a holiday, a make-up
workday, a year with no published schedule) is reported to the evaluation's frame:

    period_end(notice_date, notice_days_required, 'days')
    subtract_working_days(hearing_date, notice_working_days)     # "N个工作日前"
    make_date(year(as_of), last_month_of_quarter(as_of), report_day)
    date('2024-05-01')        # folded by the checker; a bad date is reported at load time
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from govrules import calendar as legal_time
from govrules.language.expr.ast import Call
from govrules.language.expr.functions.spec import (
    Argument,
    FunctionSpec,
    SignatureCheck,
    SignatureChecker,
    need,
    text_choice,
)
from govrules.language.expr.types import DATE, DATETIME, INTEGER, Type, list_type

__all__ = [
    "ADD_DAYS",
    "ADD_HOURS",
    "ADD_MONTHS",
    "ADD_WORKING_DAYS",
    "ADD_YEARS",
    "AGE_MONTHS",
    "AGE_YEARS",
    "COUNT_WORKING_DAYS",
    "COUNT_WORKING_DAYS_INCLUSIVE",
    "DATE_LITERAL",
    "DATE_OF",
    "DAY",
    "DAYS_BETWEEN",
    "END_OF_MONTH",
    "END_OF_QUARTER",
    "FIRST_WEEKDAY_OF_MONTH",
    "HOURS_BETWEEN",
    "LAST_MONTH_OF_QUARTER",
    "MAKE_DATE",
    "MONTH",
    "MONTHS_BETWEEN",
    "MONTHS_OF_YEAR",
    "NTH_WORKING_DAY",
    "PERIOD_END",
    "PERIOD_UNITS",
    "QUARTER",
    "START_OF_MONTH",
    "START_OF_QUARTER",
    "SUBTRACT_DAYS",
    "SUBTRACT_WORKING_DAYS",
    "WEEKDAYS",
    "YEAR",
]

PERIOD_UNITS = ("days", "months", "years")
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_HOUR = dt.timedelta(hours=1)


def _date_literal(checker: SignatureChecker, node: Call, args: tuple[Argument, ...]) -> Type | None:
    if args[0].type.kind != "text" or not args[0].is_constant:
        checker.fail(node, "bad-arguments", "date() takes a literal 'YYYY-MM-DD'")
        return None
    return DATE


def _typed(gives: Type, *params: tuple[str, str]) -> SignatureCheck:
    """A check that each argument is of its kind; ``params`` pairs the kind with the words an
    error names the argument by: ``_typed(DATE, ("datetime", "the time"))``."""

    def check(checker: SignatureChecker, node: Call, args: tuple[Argument, ...]) -> Type | None:
        for arg, (kind, what) in zip(args, params, strict=True):
            if not need(checker, arg, (kind,), what):
                return None
        return gives

    return check


_YEAR, _MONTH = ("integer", "the year"), ("integer", "the month")
_shift = _typed(DATE, ("date", "the start"), ("integer", "the amount"))
_between = _typed(INTEGER, ("date", "each argument"), ("date", "each argument"))
_date_part = _typed(INTEGER, ("date", "the argument"))
_DATE_TO_DATE = _typed(DATE, ("date", "the argument"))
_YEAR_MONTH = _typed(DATE, _YEAR, _MONTH)
_YEAR_MONTH_DAY = _typed(DATE, _YEAR, _MONTH, ("integer", "the day"))


def _period(checker: SignatureChecker, node: Call, args: tuple[Argument, ...]) -> Type | None:
    if _shift(checker, node, args[:2]) is None:
        return None
    return DATE if text_choice(checker, args[2], PERIOD_UNITS, "the unit") else None


def _make_date_check(
    checker: SignatureChecker, node: Call, args: tuple[Argument, ...]
) -> Type | None:
    """Three integers; when all three are known at load time they must make a date there."""
    if _YEAR_MONTH_DAY(checker, node, args) is None:
        return None
    if all(arg.is_constant for arg in args):
        try:
            _calendar_date(*(arg.constant for arg in args))
        except ValueError as error:
            checker.fail(node, "bad-date", str(error))
            return None
    return DATE


def _weekday_check(
    checker: SignatureChecker, node: Call, args: tuple[Argument, ...]
) -> Type | None:
    if _YEAR_MONTH(checker, node, args[:2]) is None:
        return None
    return DATE if text_choice(checker, args[2], WEEKDAYS, "the weekday") else None


def _calendar_date(year: int, month: int, day: int, call: str = "make_date") -> dt.date:
    """The date of these numbers, or an error that names them."""
    try:
        return dt.date(year, month, day)
    except (ValueError, OverflowError) as error:
        raise ValueError(
            f"{call}: year {year}, month {month}, day {day} is not a date ({error})"
        ) from None


def _first_weekday_of_month(year: int, month: int, weekday: str) -> dt.date:
    first = _calendar_date(year, month, 1, "first_weekday_of_month")
    return first + dt.timedelta(days=(WEEKDAYS.index(weekday) - first.weekday()) % 7)


def _months_of_year(year: int) -> tuple[dt.date, ...]:
    return tuple(_calendar_date(year, month, 1, "months_of_year") for month in range(1, 13))


def _quarter(day: dt.date) -> int:
    return (day.month + 2) // 3


def _start_of_quarter(day: dt.date) -> dt.date:
    return dt.date(day.year, 3 * _quarter(day) - 2, 1)


def _end_of_quarter(day: dt.date) -> dt.date:
    month = 3 * _quarter(day)
    return dt.date(day.year, month, legal_time.days_in_month(day.year, month))


def _end_of_month(day: dt.date) -> dt.date:
    return day.replace(day=legal_time.days_in_month(day.year, day.month))


def _hours_between(start: dt.datetime, end: dt.datetime) -> int:
    """Whole hours from ``start`` to ``end``, the part of an hour left over dropped (toward
    zero: negative when ``end`` is earlier, and ``hours_between(b, a)`` is the opposite)."""
    whole = abs(end - start) // _HOUR
    return whole if end >= start else -whole


def _spec(
    usage: str, count: int, check: SignatureCheck, summary: str, example: str, **how: Any
) -> FunctionSpec:
    """A spec of ``count`` arguments, every one required."""
    return FunctionSpec(usage, (count, count), check, summary=summary, example=example, **how)


DATE_LITERAL = FunctionSpec(
    "date('YYYY-MM-DD')",
    (1, 1),
    _date_literal,
    summary="a fixed date, checked when the policy loads; never moved to a working day",
    example="date('2021-11-01')",
)
MAKE_DATE = _spec(
    "make_date(year, month, day)",
    3,
    _make_date_check,
    "the date of three integers; never moved to a working day; no such date is an error",
    "make_date(year(as_of), last_month_of_quarter(as_of), report_day)",
    run=_calendar_date,
)
ADD_DAYS = _spec(
    "add_days(date, n)",
    2,
    _shift,
    "n calendar days later (earlier when n is negative), never moved",
    "add_days(injury_date, report_days)",
    run=legal_time.add_days,
)
SUBTRACT_DAYS = _spec(
    "subtract_days(date, n)",
    2,
    _shift,
    "n calendar days earlier (later when n is negative), never moved",
    "subtract_days(contract_end, notice_days)",
    run=lambda day, days: day - dt.timedelta(days=days),
)
ADD_MONTHS = _spec(
    "add_months(date, n)",
    2,
    _shift,
    "corresponding day n months later, or that month's last day (第二百零二条)",
    "add_months(hire_date, probation_months)",
    run=legal_time.add_months,
)
ADD_YEARS = _spec(
    "add_years(date, n)",
    2,
    _shift,
    "corresponding day n years later; 29 February becomes 28 February (第二百零二条)",
    "add_years(birth_date, retirement_age)",
    run=legal_time.add_years,
)
PERIOD_END = _spec(
    "period_end(start, n, 'days'|'months'|'years')",
    3,
    _period,
    "last day of a statutory period (X日/X个月/X年): start day not counted, a rest day moves on",
    "period_end(notice_date, notice_days_required, 'days')",
    on_calendar=legal_time.period_end,
    on_calendar_result=legal_time.period_end_result,
)
ADD_WORKING_DAYS = _spec(
    "add_working_days(start, n)",
    2,
    _shift,
    "n-th working day after start (X个工作日), start day not counted; n >= 0",
    "add_working_days(application_received_date, review_working_days)",
    on_calendar=legal_time.add_working_days,
    on_calendar_result=legal_time.add_working_days_result,
)
SUBTRACT_WORKING_DAYS = _spec(
    "subtract_working_days(date, n)",
    2,
    _shift,
    "n-th working day before date (X个工作日前), date not counted; n >= 0",
    "subtract_working_days(hearing_date, notice_working_days)",
    on_calendar=legal_time.subtract_working_days,
    on_calendar_result=legal_time.subtract_working_days_result,
)
NTH_WORKING_DAY = _spec(
    "nth_working_day(start, n)",
    2,
    _shift,
    "n-th working day counting start itself when it is a working day; n >= 1",
    "nth_working_day(received_date, review_working_days)",
    on_calendar=legal_time.nth_working_day,
    on_calendar_result=legal_time.nth_working_day_result,
)
COUNT_WORKING_DAYS = _spec(
    "count_working_days(start, end)",
    2,
    _between,
    "working days after start up to and including end",
    "count_working_days(application_date, decision_date)",
    on_calendar=legal_time.count_working_days,
    on_calendar_result=legal_time.count_working_days_result,
)
COUNT_WORKING_DAYS_INCLUSIVE = _spec(
    "count_working_days_inclusive(start, end)",
    2,
    _between,
    "working days from start to end, both included (0 when end is before start)",
    "count_working_days_inclusive(leave_start, leave_end)",
    on_calendar=legal_time.count_working_days_inclusive,
    on_calendar_result=legal_time.count_working_days_inclusive_result,
)
DAYS_BETWEEN = _spec(
    "days_between(start, end)",
    2,
    _between,
    "calendar days from start to end (negative when end is earlier)",
    "days_between(hire_date, as_of)",
    run=lambda a, b: (b - a).days,
)
MONTHS_BETWEEN = _spec(
    "months_between(start, end)",
    2,
    _between,
    "calendar months from start's month to end's month (days ignored)",
    "months_between(hire_date, as_of)",
    run=lambda a, b: (b.year - a.year) * 12 + (b.month - a.month),
)
AGE_YEARS = _spec(
    "age_years(birth, on)",
    2,
    _between,
    "completed years of age (周岁), reached on the anniversary; 29 Feb: 28 Feb",
    "age_years(birth_date, as_of)",
    run=legal_time.age_years,
)
AGE_MONTHS = _spec(
    "age_months(birth, on)",
    2,
    _between,
    "completed months of age, reached on the corresponding day (or the month's last day)",
    "age_months(birth_date, as_of)",
    run=legal_time.age_months,
)
YEAR = _spec("year(date)", 1, _date_part, "the year", "year(as_of)", run=lambda d: d.year)
MONTH = _spec(
    "month(date)", 1, _date_part, "the month, 1-12", "month(as_of)", run=lambda d: d.month
)
DAY = _spec("day(date)", 1, _date_part, "the day of the month", "day(as_of)", run=lambda d: d.day)
QUARTER = _spec("quarter(date)", 1, _date_part, "the quarter, 1-4", "quarter(as_of)", run=_quarter)
LAST_MONTH_OF_QUARTER = _spec(
    "last_month_of_quarter(date)",
    1,
    _date_part,
    "the last month of the date's quarter: 3, 6, 9 or 12",
    "make_date(year(as_of), last_month_of_quarter(as_of), report_day)",
    run=lambda d: 3 * _quarter(d),
)
START_OF_MONTH = _spec(
    "start_of_month(date)",
    1,
    _DATE_TO_DATE,
    "the first day of the date's month",
    "start_of_month(as_of)",
    run=lambda d: d.replace(day=1),
)
END_OF_MONTH = _spec(
    "end_of_month(date)",
    1,
    _DATE_TO_DATE,
    "the last day of the date's month, never moved",
    "end_of_month(hire_date)",
    run=_end_of_month,
)
START_OF_QUARTER = _spec(
    "start_of_quarter(date)",
    1,
    _DATE_TO_DATE,
    "the first day of the date's quarter",
    "start_of_quarter(as_of)",
    run=_start_of_quarter,
)
END_OF_QUARTER = _spec(
    "end_of_quarter(date)",
    1,
    _DATE_TO_DATE,
    "the last day of the date's quarter (31 March, 30 June, ...), never moved",
    "end_of_quarter(as_of)",
    run=_end_of_quarter,
)
FIRST_WEEKDAY_OF_MONTH = _spec(
    "first_weekday_of_month(year, month, 'monday')",
    3,
    _weekday_check,
    "the first such weekday of the month, holiday or not ('monday' ... 'sunday')",
    "first_weekday_of_month(year(as_of), month(as_of), 'monday')",
    run=_first_weekday_of_month,
)
MONTHS_OF_YEAR = _spec(
    "months_of_year(year)",
    1,
    _typed(list_type(DATE), _YEAR),
    "the first days of the year's twelve months, as a list of dates",
    "effective_date in months_of_year(year(effective_date))",
    run=_months_of_year,
)
ADD_HOURS = _spec(
    "add_hours(time, n)",
    2,
    _typed(DATETIME, ("datetime", "the time"), ("integer", "the amount")),
    "the date and time n hours later (earlier when n is negative)",
    "reported_at <= add_hours(injured_at, report_hours)",
    run=lambda t, hours: t + dt.timedelta(hours=hours),
)
HOURS_BETWEEN = _spec(
    "hours_between(start, end)",
    2,
    _typed(INTEGER, ("datetime", "the start"), ("datetime", "the end")),
    "whole hours from start to end; a part of an hour is dropped",
    "hours_between(shift_start, shift_end)",
    run=_hours_between,
)
DATE_OF = _spec(
    "date_of(time)",
    1,
    _typed(DATE, ("datetime", "the time")),
    "the date of a date and time",
    "date_of(injured_at)",
    run=lambda t: t.date(),
)
