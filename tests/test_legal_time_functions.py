"""The date, working-day, age and hour functions of the expression language, on the real PRC
calendar (the ``holidays`` package's China data), through the real parser, checker and compiler.

Expected dates are worked out by hand from the State Council's schedules:

* 2024: 春节 2月10日-17日 off, 2月4日 and 18日 (Sundays) worked; 劳动节 5月1日-5日 off, 4月28日
  (Sunday) and 5月11日 (Saturday) worked; 国庆 10月1日-7日 off, 9月29日 (Sunday) and 10月12日
  (Saturday) worked.
* 2025: 春节 1月28日-2月4日 off, 1月26日 (Sunday) and 2月8日 (Saturday) worked; 国庆中秋
  10月1日-8日 off, 9月28日 (Sunday) and 10月11日 (Saturday) worked.
* 2026: 元旦 1月1日-3日 off, 1月4日 (Sunday) worked; 春节 2月15日-23日 off, 2月14日 and 28日
  (Saturdays) worked; 国庆 10月1日-7日 off (3 and 4 October a Saturday and a Sunday), 9月20日
  (Sunday) and 10月10日 (Saturday) worked.

``tests/test_calendar.py`` checks that the calendar data says exactly this for 2024-2026.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import WAGE_DEPOSIT_POLICY, InputScope, copy_sources
from govrules.calendar import (
    DateComputation,
    WorkingDayCalendar,
    add_months,
    add_working_days,
    add_years,
    count_working_days,
    count_working_days_inclusive,
    nth_working_day,
    subtract_working_days,
)
from govrules.engine import Engine
from govrules.errors import EvaluationError, PolicyLoadError
from govrules.language.expr import Type, check, compile_expression, parse_expression
from govrules.language.expr.types import DATE, DATETIME, INTEGER, MONEY, TEXT, list_type
from govrules.values import MISSING

D = dt.date
T = dt.datetime
CAL = WorkingDayCalendar.prc()
SETTINGS = settings(max_examples=200, deadline=None)


class Frame:
    """Slot values, the official calendar, and the date computations reported (last slot)."""

    def __init__(self, values: list[Any]) -> None:
        self.v = [*values, self]
        self.calendar = CAL
        self.dates: list[DateComputation] = []

    def date_computed(self, computation: DateComputation) -> None:
        self.dates.append(computation)


TYPES: dict[str, Type] = {
    "start": DATE, "end": DATE, "birth": DATE, "start_opt": DATE.as_optional(),
    "n": INTEGER, "y": INTEGER, "m": INTEGER, "d": INTEGER,
    "t": DATETIME, "u": DATETIME, "price": MONEY, "label": TEXT,
}
SCOPE = InputScope(TYPES)
NUMBERS = frozenset(Decimal(k) for k in (0, 1, 2, 3, 4, 20, 29, 30, 2023, 2024, 2026))


def checked(text: str):  # noqa: ANN201 - the checker's tree
    tree, issues = check(parse_expression(text), SCOPE, NUMBERS)
    assert issues == [], issues
    return tree


def issue_of(text: str):  # noqa: ANN201 - the one issue reported
    tree, issues = check(parse_expression(text), SCOPE, NUMBERS)
    assert tree.type.kind == "error" and len(issues) == 1, issues
    return issues[0]


def run(text: str, traced: bool = False, frame: Frame | None = None, **values: Any) -> Any:
    frame = frame or Frame([values.get(name, MISSING) for name in TYPES])
    return compile_expression(checked(text), traced=traced)(frame.v)


def frame_for(**values: Any) -> Frame:
    return Frame([values.get(name, MISSING) for name in TYPES])


def _days(first: dt.date, last: dt.date) -> list[dt.date]:
    return [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]


# ------------------------------------------------------------------ subtract_days, add_days


@pytest.mark.parametrize(("text", "start", "n", "expected"), [
    ("subtract_days(start, n)", D(2024, 3, 1), 1, D(2024, 2, 29)),
    ("subtract_days(start, n)", D(2023, 3, 1), 1, D(2023, 2, 28)),
    ("subtract_days(start, n)", D(2026, 10, 8), 7, D(2026, 10, 1)),    # a holiday: not moved
    ("subtract_days(start, n)", D(2026, 1, 1), 1, D(2025, 12, 31)),
    ("subtract_days(start, n)", D(2026, 9, 30), -1, D(2026, 10, 1)),   # negative goes forward
    ("subtract_days(start, n)", D(2026, 9, 30), 0, D(2026, 9, 30)),
    ("add_days(start, n)", D(2024, 3, 1), -1, D(2024, 2, 29)),         # negative goes back
    ("add_days(start, n)", D(2026, 10, 2), 2, D(2026, 10, 4)),         # a Sunday: not moved
])
def test_calendar_days_are_never_shifted(text: str, start: dt.date, n: int,
                                         expected: dt.date) -> None:
    frame = frame_for(start=start, n=n)
    assert run(text, traced=True, frame=frame) == expected
    assert frame.dates == []   # nothing moved, nothing reported


# ------------------------------------------------------------------ subtract_working_days


@pytest.mark.parametrize(("start", "n", "expected"), [
    (D(2026, 10, 8), 1, D(2026, 9, 30)),     # back over the whole National Day week
    (D(2026, 10, 12), 1, D(2026, 10, 10)),   # Sun 11 rests, Sat 10 is a make-up day
    (D(2026, 10, 12), 3, D(2026, 10, 8)),
    (D(2026, 10, 12), 4, D(2026, 9, 30)),
    (D(2026, 9, 21), 1, D(2026, 9, 20)),     # Sunday 20 Sept worked for National Day
    (D(2026, 10, 3), 1, D(2026, 9, 30)),     # a start on a holiday
    (D(2026, 2, 24), 1, D(2026, 2, 14)),     # 15-23 Feb off; Sat 14 Feb worked
    (D(2026, 2, 24), 2, D(2026, 2, 13)),
    (D(2026, 1, 5), 1, D(2026, 1, 4)),       # Sunday 4 Jan worked
    (D(2026, 1, 5), 2, D(2025, 12, 31)),     # 1-3 Jan off, into the year before
    (D(2026, 3, 9), 1, D(2026, 3, 6)),       # an ordinary weekend
    (D(2024, 10, 8), 1, D(2024, 9, 30)),
    (D(2024, 10, 8), 2, D(2024, 9, 29)),     # Sunday 29 Sept 2024 worked
    (D(2025, 10, 9), 1, D(2025, 9, 30)),     # 1-8 Oct 2025 off
    (D(2026, 10, 1), 0, D(2026, 10, 1)),     # zero is the day itself, even a holiday
])
def test_subtract_working_days(start: dt.date, n: int, expected: dt.date) -> None:
    assert run("subtract_working_days(start, n)", start=start, n=n) == expected


def test_subtract_working_days_reports_the_days_it_crossed() -> None:
    frame = frame_for(start=D(2026, 10, 8), n=1)
    assert run("subtract_working_days(start, n)", traced=True, frame=frame) == D(2026, 9, 30)
    (computation,) = frame.dates
    assert computation.function == "subtract_working_days"
    assert (computation.start, computation.amount, computation.result) == (
        D(2026, 10, 8), 1, D(2026, 9, 30))
    assert [(note.day, note.kind) for note in computation.days] == [
        (D(2026, 10, day), "public_holiday") for day in (1, 2, 3, 5, 6, 7)]
    assert computation.basis == (
        "1 working days before 2026-10-08 (start day not counted): 2026-09-30; skipped 6 "
        "statutory holiday(s) and 1 weekend day(s), counted 0 make-up workday(s)")
    makeup = subtract_working_days(CAL, D(2026, 10, 12), 3)
    assert [(n.day, n.kind) for n in makeup.days] == [(D(2026, 10, 10), "makeup_workday")]


def test_subtract_working_days_into_an_unpublished_year_is_reported_untraced() -> None:
    frame = frame_for(start=D(2001, 1, 2), n=5)
    assert run("subtract_working_days(start, n)", frame=frame).year == 2000
    (computation,) = frame.dates
    assert computation.unpublished_years == (2000,)


def test_negative_working_days_are_an_evaluation_error() -> None:
    with pytest.raises(ValueError, match="subtract_working_days: cannot count -1 working days"):
        run("subtract_working_days(start, n)", start=D(2026, 3, 2), n=-1)
    with pytest.raises(ValueError, match="add_working_days: cannot count -2 working days"):
        run("add_working_days(start, n)", start=D(2026, 3, 2), n=-2)
    with pytest.raises(ValueError, match="counted from 1, not 0"):
        run("nth_working_day(start, n)", start=D(2026, 3, 2), n=0)


# ------------------------------------------------------------------ nth_working_day


@pytest.mark.parametrize(("start", "n", "expected"), [
    (D(2026, 10, 8), 1, D(2026, 10, 8)),     # a working start day is the first
    (D(2026, 10, 8), 3, D(2026, 10, 10)),    # Thu 8, Fri 9, make-up Sat 10
    (D(2026, 10, 1), 1, D(2026, 10, 8)),     # a start on a holiday: the next working day
    (D(2026, 10, 10), 1, D(2026, 10, 10)),   # a start on a make-up Saturday counts
    (D(2026, 10, 10), 2, D(2026, 10, 12)),
    (D(2026, 3, 8), 1, D(2026, 3, 9)),       # a start on an ordinary Sunday
    (D(2026, 2, 13), 2, D(2026, 2, 14)),
    (D(2026, 2, 13), 3, D(2026, 2, 24)),
    (D(2024, 4, 28), 3, D(2024, 4, 30)),     # Sunday 28 April 2024 worked
    (D(2025, 1, 27), 2, D(2025, 2, 5)),      # 28 Jan - 4 Feb 2025 off
])
def test_nth_working_day(start: dt.date, n: int, expected: dt.date) -> None:
    assert run("nth_working_day(start, n)", start=start, n=n) == expected


def test_nth_working_day_from_a_holiday_names_the_start_day() -> None:
    result = nth_working_day(CAL, D(2026, 10, 1), 1)
    assert result.function == "nth_working_day"
    assert result.days[0].day == D(2026, 10, 1) and result.days[0].kind == "public_holiday"
    assert "counting from 2026-10-01" in result.basis
    assert nth_working_day(CAL, D(2026, 10, 10), 1).days[0].kind == "makeup_workday"


# ------------------------------------------------------------------ counting, both ends


@pytest.mark.parametrize(("start", "end", "expected"), [
    (D(2026, 10, 1), D(2026, 10, 7), 0),
    (D(2026, 9, 30), D(2026, 10, 10), 4),     # 30 Sept, 8, 9, Sat 10
    (D(2026, 10, 8), D(2026, 10, 8), 1),
    (D(2026, 10, 10), D(2026, 10, 10), 1),    # a make-up Saturday alone
    (D(2026, 10, 11), D(2026, 10, 11), 0),    # a Sunday alone
    (D(2026, 10, 9), D(2026, 10, 8), 0),      # end before start
    (D(2026, 1, 1), D(2026, 12, 31), 248),    # the whole of 2026
    (D(2026, 2, 1), D(2026, 2, 28), 16),      # 20 weekdays - 6 days off + 2 make-up Saturdays
    (D(2024, 4, 28), D(2024, 5, 11), 9),      # Sun 28, 29, 30 Apr; 6-10 May; Sat 11 May
    (D(2025, 1, 26), D(2025, 2, 8), 6),       # Sun 26, 27 Jan; 5-7 Feb; Sat 8 Feb
])
def test_count_working_days_inclusive(start: dt.date, end: dt.date, expected: int) -> None:
    assert run("count_working_days_inclusive(start, end)", start=start, end=end) == expected
    exclusive = count_working_days(CAL, start, end).result
    assert expected == exclusive + (1 if CAL.is_working_day(start) and start <= end else 0)


def test_count_inclusive_reports_its_days() -> None:
    result = count_working_days_inclusive(CAL, D(2026, 9, 30), D(2026, 10, 10))
    assert (result.function, result.amount, result.result) == (
        "count_working_days_inclusive", 4, 4)
    assert [n.day for n in result.days] == [D(2026, 10, d) for d in (1, 2, 3, 5, 6, 7, 10)]
    assert result.basis == "4 working days from 2026-09-30 to 2026-10-10, both included"


# ------------------------------------------------------------------ building dates


def test_make_date_is_never_moved() -> None:
    assert run("make_date(y, m, d)", y=2026, m=10, d=1) == D(2026, 10, 1)   # National Day
    assert run("make_date(y, m, d)", y=2024, m=2, d=29) == D(2024, 2, 29)
    assert run("make_date(2024, 2, 29)") == D(2024, 2, 29)   # folded
    assert run("date('2026-10-04')") == D(2026, 10, 4)       # the literal form still works


@pytest.mark.parametrize(("y", "m", "d", "fragment"), [
    (2023, 2, 29, "year 2023, month 2, day 29 is not a date"),
    (2026, 13, 1, "month 13"),
    (2026, 4, 31, "day 31"),
    (0, 1, 1, "year 0"),
    (10**20, 1, 1, "is not a date"),
])
def test_an_impossible_date_is_an_evaluation_error_naming_the_values(
        y: int, m: int, d: int, fragment: str) -> None:
    with pytest.raises(ValueError, match=fragment):
        run("make_date(y, m, d)", y=y, m=m, d=d)


def test_an_impossible_constant_date_is_a_load_error() -> None:
    issue = issue_of("start < make_date(2023, 2, 29)")
    assert (issue.code, issue.offset) == ("bad-date", 8)
    assert "year 2023, month 2, day 29 is not a date" in issue.message


@pytest.mark.parametrize(("day", "expected"), [
    (D(2024, 2, 10), (D(2024, 2, 1), D(2024, 2, 29), D(2024, 1, 1), D(2024, 3, 31), 1, 3)),
    (D(2023, 2, 28), (D(2023, 2, 1), D(2023, 2, 28), D(2023, 1, 1), D(2023, 3, 31), 1, 3)),
    (D(2026, 3, 31), (D(2026, 3, 1), D(2026, 3, 31), D(2026, 1, 1), D(2026, 3, 31), 1, 3)),
    (D(2026, 4, 1), (D(2026, 4, 1), D(2026, 4, 30), D(2026, 4, 1), D(2026, 6, 30), 2, 6)),
    (D(2026, 5, 20), (D(2026, 5, 1), D(2026, 5, 31), D(2026, 4, 1), D(2026, 6, 30), 2, 6)),
    (D(2026, 9, 30), (D(2026, 9, 1), D(2026, 9, 30), D(2026, 7, 1), D(2026, 9, 30), 3, 9)),
    (D(2026, 10, 1), (D(2026, 10, 1), D(2026, 10, 31), D(2026, 10, 1), D(2026, 12, 31), 4, 12)),
    (D(2026, 12, 31), (D(2026, 12, 1), D(2026, 12, 31), D(2026, 10, 1), D(2026, 12, 31), 4, 12)),
])
def test_month_and_quarter_bounds(day: dt.date, expected: tuple[Any, ...]) -> None:
    names = ("start_of_month", "end_of_month", "start_of_quarter", "end_of_quarter", "quarter",
             "last_month_of_quarter")
    assert tuple(run(f"{name}(start)", start=day) for name in names) == expected


def test_month_ends_are_not_moved_off_rest_days() -> None:
    assert run("end_of_month(start)", start=D(2026, 5, 15)) == D(2026, 5, 31)   # a Sunday
    assert run("end_of_month(start)", start=D(2026, 1, 2)) == D(2026, 1, 31)    # a Saturday
    # "the 20th of the last month of the quarter": 20 June 2026, a Saturday, stays put
    assert run("make_date(year(start), last_month_of_quarter(start), d)", start=D(2026, 5, 3),
               d=20) == D(2026, 6, 20)


@pytest.mark.parametrize(("y", "m", "weekday", "expected"), [
    (2026, 3, "monday", D(2026, 3, 2)),      # 1 March 2026 is a Sunday
    (2026, 3, "sunday", D(2026, 3, 1)),
    (2026, 10, "thursday", D(2026, 10, 1)),  # National Day itself: not moved
    (2026, 2, "saturday", D(2026, 2, 7)),
    (2024, 2, "thursday", D(2024, 2, 1)),
    (2024, 2, "wednesday", D(2024, 2, 7)),
])
def test_first_weekday_of_month(y: int, m: int, weekday: str, expected: dt.date) -> None:
    assert run(f"first_weekday_of_month(y, m, '{weekday}')", y=y, m=m) == expected


def test_first_weekday_of_an_impossible_month() -> None:
    with pytest.raises(ValueError, match="first_weekday_of_month: year 2026, month 13"):
        run("first_weekday_of_month(y, m, 'monday')", y=2026, m=13)


def test_months_of_year() -> None:
    assert checked("months_of_year(y)").type == list_type(DATE)
    months = run("months_of_year(y)", y=2024)
    assert months == tuple(D(2024, month, 1) for month in range(1, 13))
    assert run("start in months_of_year(year(start))", start=D(2026, 7, 1)) is True
    assert run("start in months_of_year(year(start))", start=D(2026, 7, 2)) is False


# ------------------------------------------------------------------ ages


@pytest.mark.parametrize(("birth", "on", "years"), [
    (D(1966, 5, 10), D(2026, 5, 9), 59),
    (D(1966, 5, 10), D(2026, 5, 10), 60),     # reached on the anniversary
    (D(2008, 2, 29), D(2009, 2, 27), 0),
    (D(2008, 2, 29), D(2009, 2, 28), 1),      # 29 Feb: 28 Feb in a common year
    (D(2008, 2, 29), D(2012, 2, 28), 3),
    (D(2008, 2, 29), D(2012, 2, 29), 4),      # a leap year has the day itself
    (D(2026, 3, 2), D(2026, 3, 2), 0),
    (D(2000, 12, 31), D(2001, 12, 30), 0),
    (D(2000, 12, 31), D(2001, 12, 31), 1),
])
def test_age_years(birth: dt.date, on: dt.date, years: int) -> None:
    assert run("age_years(birth, start)", birth=birth, start=on) == years


@pytest.mark.parametrize(("birth", "on", "months"), [
    (D(2024, 1, 31), D(2024, 2, 28), 0),
    (D(2024, 1, 31), D(2024, 2, 29), 1),      # no 31 February: the month's last day
    (D(2023, 1, 31), D(2023, 2, 28), 1),
    (D(2024, 1, 31), D(2024, 3, 30), 1),
    (D(2024, 1, 31), D(2024, 3, 31), 2),
    (D(2024, 3, 31), D(2024, 4, 30), 1),
    (D(2008, 2, 29), D(2009, 2, 28), 12),
    (D(2026, 3, 2), D(2026, 3, 2), 0),
])
def test_age_months(birth: dt.date, on: dt.date, months: int) -> None:
    assert run("age_months(birth, start)", birth=birth, start=on) == months


def test_the_criminal_law_reading_is_the_age_the_day_before() -> None:
    text = "age_years(birth, subtract_days(start, 1))"
    assert run(text, birth=D(2010, 6, 15), start=D(2026, 6, 15)) == 15
    assert run(text, birth=D(2010, 6, 15), start=D(2026, 6, 16)) == 16
    assert run(text, birth=D(2008, 2, 29), start=D(2009, 2, 28)) == 0
    assert run(text, birth=D(2008, 2, 29), start=D(2009, 3, 1)) == 1


def test_an_age_before_the_birth_is_an_evaluation_error() -> None:
    with pytest.raises(ValueError, match=r"age_years\(2026-03-02, 2026-03-01\)"):
        run("age_years(birth, start)", birth=D(2026, 3, 2), start=D(2026, 3, 1))
    with pytest.raises(ValueError, match="before the birth date"):
        run("age_months(birth, start)", birth=D(2026, 3, 2), start=D(2025, 3, 1))


# ------------------------------------------------------------------ date and time


def test_hours() -> None:
    t = T(2026, 3, 2, 9, 30)
    assert run("add_hours(t, n)", t=t, n=24) == T(2026, 3, 3, 9, 30)
    assert run("add_hours(t, n)", t=t, n=-10) == T(2026, 3, 1, 23, 30)
    assert run("add_hours(t, n)", t=T(2024, 2, 28, 20), n=8) == T(2024, 2, 29, 4)
    assert run("add_hours(t, n)", t=T(2023, 2, 28, 20), n=8) == T(2023, 3, 1, 4)
    between = "hours_between(t, u)"
    assert run(between, t=t, u=T(2026, 3, 3, 9, 29)) == 23
    assert run(between, t=t, u=T(2026, 3, 3, 9, 30)) == 24
    assert run(between, t=T(2026, 3, 3, 9, 29), u=t) == -23     # toward zero
    assert run(between, t=t, u=T(2026, 3, 2, 10, 29, 59)) == 0
    day = run("date_of(t)", t=T(2026, 10, 1, 23, 59))
    assert day == D(2026, 10, 1) and type(day) is dt.date


def test_datetimes_compare_and_limits_read_exactly() -> None:
    assert checked("t <= add_hours(u, n)").type.kind == "bool"
    text = "t <= add_hours(u, n)"
    assert run(text, t=T(2026, 3, 3, 9, 30), u=T(2026, 3, 2, 9, 30), n=24) is True
    assert run(text, t=T(2026, 3, 3, 9, 31), u=T(2026, 3, 2, 9, 30), n=24) is False
    assert run("t == u", t=T(2026, 3, 2, 9), u=T(2026, 3, 2, 9)) is True


# ------------------------------------------------------------------ checking


@pytest.mark.parametrize(("text", "code", "argument"), [
    ("subtract_working_days(price, n)", "type-mismatch", "price"),
    ("subtract_working_days(start, price)", "type-mismatch", "price"),
    ("nth_working_day(start, label)", "type-mismatch", "label"),
    ("count_working_days_inclusive(start, n)", "type-mismatch", "n"),
    ("subtract_days(t, n)", "type-mismatch", "t"),
    ("make_date(y, start, d)", "type-mismatch", "start"),
    ("age_years(birth, t)", "type-mismatch", "t"),
    ("end_of_month(t)", "type-mismatch", "t"),
    ("quarter(n)", "type-mismatch", "n"),
    ("first_weekday_of_month(y, m, 'mondya')", "bad-arguments", "'mondya'"),
    ("first_weekday_of_month(y, m, label)", "bad-arguments", "label"),
    ("months_of_year(start)", "type-mismatch", "start"),
    ("add_hours(start, n)", "type-mismatch", "start"),
    ("hours_between(t, start)", "type-mismatch", "start"),
    ("date_of(start)", "type-mismatch", "start"),
    ("add_days(t, n)", "type-mismatch", "t"),
    ("t < start", "type-mismatch", "<"),
])
def test_bad_arguments_are_located(text: str, code: str, argument: str) -> None:
    issue = issue_of(text)
    assert issue.code == code
    assert issue.offset == text.rindex(argument)   # the argument is the last of its name


def test_did_you_mean_for_the_weekday_and_the_function() -> None:
    assert issue_of("first_weekday_of_month(y, m, 'mondya')").hint == "did you mean 'monday'?"
    issue = issue_of("subtract_working_day(start, n)")
    assert (issue.code, issue.hint) == ("unknown-function", "did you mean 'subtract_working_days'?")


@pytest.mark.parametrize(("text", "expected"), [
    ("subtract_days(start)", "subtract_days() takes 2 argument(s), got 1"),
    ("nth_working_day(start, n, n)", "nth_working_day() takes 2 argument(s), got 3"),
    ("make_date(y, m)", "make_date() takes 3 argument(s), got 2"),
    ("date_of()", "date_of() takes 1 argument(s), got 0"),
])
def test_wrong_arity(text: str, expected: str) -> None:
    issue = issue_of(text)
    assert (issue.code, issue.message, issue.offset) == ("bad-arguments", expected, 0)
    assert issue.hint is not None and issue.hint.startswith("usage: ")


@pytest.mark.parametrize(("text", "kind"), [
    ("subtract_working_days(start, n)", DATE), ("nth_working_day(start, n)", DATE),
    ("count_working_days_inclusive(start, end)", INTEGER), ("make_date(y, m, d)", DATE),
    ("age_years(birth, start)", INTEGER), ("age_months(birth, start)", INTEGER),
    ("quarter(start)", INTEGER), ("add_hours(t, n)", DATETIME),
    ("hours_between(t, u)", INTEGER), ("date_of(t)", DATE),
    ("subtract_working_days(start_opt, n)", DATE.as_optional()),
])
def test_result_types(text: str, kind: Type) -> None:
    assert checked(text).type == kind


def test_unknown_arguments_give_unknown_results() -> None:
    assert run("subtract_working_days(start_opt, n)", n=1) is MISSING
    assert run("end_of_quarter(start_opt)") is MISSING


# ------------------------------------------------------------------ through the engine


def _policy_with(tmp_path: Path, condition: str) -> Engine:
    copy_sources(tmp_path / "sources")
    text = WAGE_DEPOSIT_POLICY.read_text(encoding="utf-8")
    assert text.count("    when: first_deposit\n") == 1
    (tmp_path / "wage_deposit.yaml").write_text(
        text.replace("    when: first_deposit\n", f"    when: first_deposit and {condition}\n"),
        encoding="utf-8")
    return Engine.from_directory(tmp_path)


CASE = {"contract_price": "100.00", "first_deposit": True, "previous_rate": "0.03",
        "arrears_in_previous_period": False}


def test_an_impossible_date_in_a_policy_fails_the_rule_naming_the_values(tmp_path: Path) -> None:
    engine = _policy_with(tmp_path, "make_date(year(as_of), 0, 1) < as_of")
    with pytest.raises(EvaluationError, match="year 2026, month 0, day 1 is not a date"):
        engine.evaluate("cn.jilin.taobei.wage_deposit", CASE, as_of=D(2026, 1, 1), trace=False)


def test_an_impossible_constant_date_in_a_policy_is_a_load_error(tmp_path: Path) -> None:
    with pytest.raises(PolicyLoadError) as caught:
        _policy_with(tmp_path, "make_date(1, 0, 1) < as_of")
    assert [d.code for d in caught.value.diagnostics] == ["bad-date"]


def test_a_policy_traces_the_working_days_it_counted_back(tmp_path: Path) -> None:
    engine = _policy_with(tmp_path, "subtract_working_days(as_of, 1) < as_of")
    decision = engine.evaluate("cn.jilin.taobei.wage_deposit", CASE, as_of=D(2026, 10, 8))
    (event,) = [e for e in decision.trace if e["event"] == "date"]
    assert event["function"] == "subtract_working_days"
    assert event["result"] == "2026-09-30"
    assert [day["date"] for day in event["days"]] == [
        f"2026-10-0{d}" for d in (1, 2, 3, 5, 6, 7)]


# ------------------------------------------------------------------ laws


starts = st.dates(min_value=D(2001, 1, 1), max_value=D(2026, 12, 31))
amounts = st.integers(min_value=1, max_value=60)


@SETTINGS
@given(day=starts, n=amounts)
def test_counting_back_then_forward(day: dt.date, n: int) -> None:
    back = subtract_working_days(CAL, add_working_days(CAL, day, n).result, n).result
    assert back <= day
    assert (back == day) is CAL.is_working_day(day)
    forth = add_working_days(CAL, subtract_working_days(CAL, day, n).result, n).result
    assert forth >= day
    assert (forth == day) is CAL.is_working_day(day)


@SETTINGS
@given(day=starts, n=amounts)
def test_subtract_working_days_lands_on_the_nth_working_day_back(day: dt.date, n: int) -> None:
    result = subtract_working_days(CAL, day, n)
    assert CAL.is_working_day(result.result)
    assert count_working_days(CAL, result.result, day - dt.timedelta(days=1)).result == n - 1
    notes = [CAL.note(d) for d in _days(result.result, day - dt.timedelta(days=1))]
    crossed = [note.day for note in notes if note is not None and note.kind != "weekend"]
    assert [note.day for note in result.days] == crossed   # holidays and make-up days, in order


@SETTINGS
@given(day=starts, n=amounts)
def test_nth_working_day_and_the_inclusive_count_agree(day: dt.date, n: int) -> None:
    nth = nth_working_day(CAL, day, n).result
    assert nth >= day and CAL.is_working_day(nth)
    assert count_working_days_inclusive(CAL, day, nth).result == n
    before = 0 if CAL.is_working_day(day) else 1
    assert nth == add_working_days(CAL, day, n - 1 + before).result


@SETTINGS
@given(first=starts, last=starts)
def test_the_inclusive_count_adds_a_working_start_day(first: dt.date, last: dt.date) -> None:
    inclusive = count_working_days_inclusive(CAL, first, last).result
    extra = 1 if first <= last and CAL.is_working_day(first) else 0
    assert inclusive == count_working_days(CAL, first, last).result + extra


births = st.dates(min_value=D(1900, 1, 1), max_value=D(2026, 12, 31))


@SETTINGS
@given(birth=births, gap=st.integers(min_value=0, max_value=40000),
       more=st.integers(min_value=0, max_value=800))
def test_ages_are_monotone_and_bracketed(birth: dt.date, gap: int, more: int) -> None:
    on = birth + dt.timedelta(days=gap)
    later = on + dt.timedelta(days=more)
    years = run("age_years(birth, start)", birth=birth, start=on)
    assert years <= run("age_years(birth, start)", birth=birth, start=later)
    assert add_years(birth, years) <= on < add_years(birth, years + 1)
    months = run("age_months(birth, start)", birth=birth, start=on)
    assert add_months(birth, months) <= on < add_months(birth, months + 1)
    assert years == months // 12


@SETTINGS
@given(day=st.dates(min_value=D(1, 1, 1), max_value=D(9999, 12, 31)))
def test_month_and_quarter_bounds_hold_the_day(day: dt.date) -> None:
    start, end = run("start_of_quarter(start)", start=day), run("end_of_quarter(start)", start=day)
    assert start <= run("start_of_month(start)", start=day) <= day
    assert day <= run("end_of_month(start)", start=day) <= end
    assert start.day == 1
    if end < D(9999, 12, 31):
        assert (end + dt.timedelta(days=1)).day == 1
    assert run("quarter(start)", start=day) == (day.month - 1) // 3 + 1


@SETTINGS
@given(t=st.datetimes(min_value=T(2000, 1, 1), max_value=T(2030, 12, 31)),
       n=st.integers(min_value=-10000, max_value=10000))
def test_hours_round_trip(t: dt.datetime, n: int) -> None:
    later = run("add_hours(t, n)", t=t, n=n)
    assert run("hours_between(t, u)", t=t, u=later) == n
    assert run("hours_between(t, u)", t=later, u=t) == -n


# ------------------------------------------------------------------ traced and untraced alike


CALENDAR_CALLS = [
    "period_end(start, n, 'days')", "period_end(start, n, 'months')",
    "period_end(start, 3, 'years')", "add_working_days(start, n)",
    "subtract_working_days(start, n)", "nth_working_day(start, n + 1)",
    "count_working_days(start, end)", "count_working_days_inclusive(start, end)",
    "period_end(start_opt, n, 'days')",
]


@pytest.mark.parametrize("text", CALENDAR_CALLS)
@pytest.mark.parametrize("start", [D(2000, 12, 20), D(2024, 9, 27), D(2026, 9, 30),
                                   D(2026, 12, 24), D(2031, 2, 1)])
def test_an_untraced_call_gives_the_traced_result_and_reports_what_is_estimated(
    text: str, start: dt.date
) -> None:
    """Untraced, a calendar function answers without describing the days it met; it gives the
    traced result and reports the same computation exactly when a year is estimated."""
    for n in (0, 1, 15):
        values = {"start": start, "start_opt": start, "end": start + dt.timedelta(days=9 * n),
                  "n": n}
        traced, untraced = frame_for(**values), frame_for(**values)
        result = run(text, traced=True, frame=traced)
        assert run(text, frame=untraced) == result
        (computation,) = traced.dates
        assert untraced.dates == ([computation] if computation.unpublished_years else [])


def test_an_unknown_start_is_unknown_untraced() -> None:
    frame = frame_for(n=3)
    assert run("period_end(start_opt, n, 'days')", frame=frame) is MISSING
    assert frame.dates == []
