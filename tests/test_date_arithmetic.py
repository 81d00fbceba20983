"""The fast date arithmetic gives exactly what the plain definitions give.

Month and year arithmetic is computed as ``year * 12 + month`` with the day clamped to the
month's length; here it is compared with ``dateutil.relativedelta`` (what the engine used
before), results and errors alike, over the whole range of ``datetime.date``. Ages are compared
with their definition (the anniversary is not after the day). The working-day functions walk
per-year day tables and remember their answers; here they are compared with the day-by-day
definitions written out below on the calendar's own ``note`` and ``is_working_day``, for every
start day of 2001-2027, and their ``_result`` twins (what an untraced evaluation asks) with the
full computations.
"""

from __future__ import annotations

import calendar as stdlib_calendar
import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from dateutil.relativedelta import relativedelta
from hypothesis import given, settings
from hypothesis import strategies as st

from govrules import calendar as legal_time
from govrules.calendar import (
    DateComputation,
    DayNote,
    WorkingDayCalendar,
    add_months,
    add_years,
    age_months,
    age_years,
    days_in_month,
)
from govrules.language.expr.functions import FUNCTIONS

D = dt.date
ONE = dt.timedelta(days=1)
SETTINGS = settings(max_examples=600, deadline=None)
any_day = st.dates(min_value=D(1, 1, 1), max_value=D(9999, 12, 31))
month_ends = st.builds(
    lambda y, m, back: D(y, m, days_in_month(y, m)) - dt.timedelta(days=back),
    st.integers(1, 9999),
    st.integers(1, 12),
    st.integers(0, 3),
)
days = st.one_of(any_day, month_ends, st.just(D(2024, 2, 29)), st.just(D(2000, 2, 29)))
amounts = st.one_of(
    st.integers(-130_000, 130_000),  # beyond either end of the date range
    st.integers(-30, 30),
    st.integers(-(10**30), 10**30),
)


def _outcome(compute: Callable[[], Any]) -> Any:
    """The result, or the type and message of the error: both must be the same."""
    try:
        return compute()
    except (ValueError, OverflowError) as error:
        return type(error).__name__, str(error)


# ------------------------------------------------------------------ months and years


@SETTINGS
@given(start=days, months=amounts)
def test_add_months_is_relativedelta(start: dt.date, months: int) -> None:
    assert _outcome(lambda: add_months(start, months)) == _outcome(
        lambda: start + relativedelta(months=months)
    )


@SETTINGS
@given(start=days, years=amounts)
def test_add_years_is_relativedelta(start: dt.date, years: int) -> None:
    assert _outcome(lambda: add_years(start, years)) == _outcome(
        lambda: start + relativedelta(years=years)
    )


def test_month_end_and_leap_day_rules() -> None:
    assert add_months(D(2024, 1, 31), 1) == D(2024, 2, 29)
    assert add_months(D(2023, 1, 31), 1) == D(2023, 2, 28)
    assert add_months(D(2024, 3, 31), -1) == D(2024, 2, 29)
    assert add_months(D(2024, 5, 31), 1) == D(2024, 6, 30)
    assert add_months(D(2024, 2, 29), 12) == D(2025, 2, 28)
    assert add_months(D(2024, 2, 29), 48) == D(2028, 2, 29)
    assert add_years(D(2024, 2, 29), 1) == D(2025, 2, 28)
    assert add_years(D(2024, 2, 29), -4) == D(2020, 2, 29)
    assert add_years(D(2000, 2, 29), 100) == D(2100, 2, 28)
    with pytest.raises(ValueError, match="year 10000 is out of range"):
        add_months(D(9999, 12, 1), 1)


def test_whole_amounts_of_another_number_type_count_as_relativedelta_counts_them() -> None:
    from decimal import Decimal

    assert add_months(D(2024, 1, 31), Decimal(1)) == D(2024, 2, 29)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="Non-integer"):
        add_years(D(2024, 1, 31), Decimal("1.5"))  # type: ignore[arg-type]


@SETTINGS
@given(year=st.integers(1, 9999), month=st.integers(1, 12))
def test_days_in_month_is_the_standard_librarys(year: int, month: int) -> None:
    assert days_in_month(year, month) == stdlib_calendar.monthrange(year, month)[1]


@SETTINGS
@given(day=any_day)
def test_end_of_month_and_quarter_are_relativedeltas_day_31(day: dt.date) -> None:
    end_of_month = FUNCTIONS["end_of_month"].run
    end_of_quarter = FUNCTIONS["end_of_quarter"].run
    assert end_of_month is not None and end_of_quarter is not None
    assert end_of_month(day) == day + relativedelta(day=31)
    quarter_month = D(day.year, 3 * ((day.month + 2) // 3), 1)
    assert end_of_quarter(day) == quarter_month + relativedelta(day=31)


# ------------------------------------------------------------------ ages


def _age_by_definition(birth: dt.date, on: dt.date, unit: str) -> int:
    """The largest n whose anniversary (relativedelta's corresponding day) is not after on."""
    guess = on.year - birth.year if unit == "years" else (
        (on.year - birth.year) * 12 + on.month - birth.month
    )
    anniversary = birth + relativedelta(**{unit: guess})
    return guess if anniversary <= on else guess - 1


@SETTINGS
@given(birth=st.one_of(days, st.just(D(2000, 2, 29))), gap=st.integers(0, 50_000))
def test_ages_are_their_definition(birth: dt.date, gap: int) -> None:
    on = D.fromordinal(min(birth.toordinal() + gap, D(9999, 12, 31).toordinal()))
    assert age_years(birth, on) == _age_by_definition(birth, on, "years")
    assert age_months(birth, on) == _age_by_definition(birth, on, "months")


def test_ages_on_and_around_leap_day_birthdays() -> None:
    born = D(2000, 2, 29)
    assert age_years(born, D(2001, 2, 27)) == 0
    assert age_years(born, D(2001, 2, 28)) == 1
    assert age_years(born, D(2004, 2, 28)) == 3
    assert age_years(born, D(2004, 2, 29)) == 4
    assert age_months(D(2024, 1, 31), D(2024, 2, 28)) == 0
    assert age_months(D(2024, 1, 31), D(2024, 2, 29)) == 1
    with pytest.raises(ValueError, match=r"age_months\(2024-01-31, 2024-01-30\)"):
        age_months(D(2024, 1, 31), D(2024, 1, 30))


# ------------------------------------------------------------------ the working-day calendar


CAL = WorkingDayCalendar.prc()


def _plain_period_end(cal: WorkingDayCalendar, start: dt.date, n: int, unit: str) -> dict:
    plain = start + {"days": dt.timedelta(days=n), "months": relativedelta(months=n),
                     "years": relativedelta(years=n)}[unit]
    end, moved = plain, []
    while not cal.is_working_day(end):
        moved.append(cal.note(end))
        end += ONE
    return {"result": end, "plain_end": plain, "days": moved,
            "unpublished_years": _unpublished(cal, plain, end)}


def _unpublished(cal: WorkingDayCalendar, first: dt.date, last: dt.date) -> list[int]:
    low, high = sorted((first.year, last.year))
    return [year for year in range(low, high + 1) if year not in cal.published_years]


def _plain_walk(cal: WorkingDayCalendar, day: dt.date, n: int, step: dt.timedelta
                ) -> tuple[dt.date, list[DayNote], int]:
    counted, weekends, notable = 0, 0, []
    while counted < n:
        day += step
        note = cal.note(day)
        if note is None:
            counted += 1
        elif note.kind == "weekend":
            weekends += 1
        else:
            notable.append(note)
            counted += note.kind == "makeup_workday"
    return day, sorted(notable, key=lambda note: note.day), weekends


def _plain_count(cal: WorkingDayCalendar, first: dt.date, last: dt.date) -> tuple[int, list]:
    counted, notable = 0, []
    day = first
    while day <= last:
        note = cal.note(day)
        counted += note is None or note.kind == "makeup_workday"
        if note is not None and note.kind != "weekend":
            notable.append(note)
        day += ONE
    return counted, notable


def _same(computation: DateComputation, expected: dict) -> None:
    for name, value in expected.items():
        got = getattr(computation, name)
        assert (list(got) if isinstance(got, tuple) else got) == value, (name, computation)


def _every_day(first: dt.date, last: dt.date, stride: int = 1) -> list[dt.date]:
    return [first + dt.timedelta(days=i) for i in range(0, (last - first).days + 1, stride)]


YEARS_2001_2027 = _every_day(D(2001, 1, 1), D(2027, 12, 31))


@pytest.mark.parametrize(("amount", "unit"), [(0, "days"), (1, "days"), (15, "days"),
                                              (30, "days"), (1, "months"), (6, "months"),
                                              (1, "years")])
def test_period_end_is_the_day_by_day_definition(amount: int, unit: str) -> None:
    for start in YEARS_2001_2027:
        found = legal_time.period_end(CAL, start, amount, unit)  # type: ignore[arg-type]
        _same(found, _plain_period_end(CAL, start, amount, unit))
        assert legal_time.period_end_result(CAL, start, amount, unit) == (  # type: ignore[arg-type]
            found.result, found.unpublished_years)


@pytest.mark.parametrize("amount", [0, 1, 3, 15, 60])
def test_working_day_walks_are_the_day_by_day_definition(amount: int) -> None:
    for start in _every_day(D(2001, 1, 1), D(2027, 12, 31), 3):
        day, notable, weekends = _plain_walk(CAL, start, amount, ONE)
        added = legal_time.add_working_days(CAL, start, amount)
        _same(added, {"result": day, "days": notable, "amount": amount})
        assert f"and {weekends} weekend day(s)" in added.basis
        day, notable, weekends = _plain_walk(CAL, start, amount, -ONE)
        back = legal_time.subtract_working_days(CAL, start, amount)
        _same(back, {"result": day, "days": notable})
        assert f"and {weekends} weekend day(s)" in back.basis
        if amount:
            day, notable, weekends = _plain_walk(CAL, start - ONE, amount, ONE)
            nth = legal_time.nth_working_day(CAL, start, amount)
            _same(nth, {"result": day, "days": notable,
                        "unpublished_years": _unpublished(CAL, start, day)})
        for full in (added, back) + ((nth,) if amount else ()):
            twin = getattr(legal_time, f"{full.function}_result")
            assert twin(CAL, start, amount) == (full.result, full.unpublished_years)


@pytest.mark.parametrize(("length", "stride"), [(-3, 5), (0, 5), (1, 5), (6, 5), (40, 5),
                                                (400, 41), (3000, 367)])
def test_working_day_counts_are_the_day_by_day_definition(length: int, stride: int) -> None:
    for start in _every_day(D(2001, 1, 1), D(2027, 12, 31), stride):
        end = start + dt.timedelta(days=length)
        counted, notable = _plain_count(CAL, start + ONE, end)
        found = legal_time.count_working_days(CAL, start, end)
        _same(found, {"result": counted, "amount": counted, "days": notable})
        assert legal_time.count_working_days_result(CAL, start, end) == (
            counted, found.unpublished_years)
        counted, notable = _plain_count(CAL, start, end)
        found = legal_time.count_working_days_inclusive(CAL, start, end)
        _same(found, {"result": counted, "days": notable,
                      "unpublished_years": _unpublished(CAL, start, end) if end >= start else []})


def test_remembered_computations_are_the_ones_made_afresh() -> None:
    """A calendar that remembers nothing (its memories emptied before every call) and one
    that remembers everything answer alike, description and all."""
    fresh, warm = WorkingDayCalendar(), WorkingDayCalendar()
    calls: list[tuple[str, Any, Any]] = [("period_end", 15, "days"), ("period_end", 2, "months"),
                                         ("add_working_days", 15, None),
                                         ("subtract_working_days", 5, None),
                                         ("nth_working_day", 7, None)]
    for start in _every_day(D(2023, 12, 1), D(2027, 1, 31), 2):
        for name, amount, unit in calls:
            args = (start, amount) if unit is None else (start, amount, unit)
            fresh._results.clear()
            fresh._computations.clear()
            full = getattr(legal_time, name)
            twice = [full(warm, *args), full(warm, *args)]
            assert twice[0] is twice[1]  # remembered
            assert twice[0] == full(fresh, *args)
            assert twice[0].to_dict() == full(fresh, *args).to_dict()


def test_memories_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(legal_time, "_RESULTS_KEPT", 10)
    cal = WorkingDayCalendar()
    for start in _every_day(D(2026, 1, 1), D(2026, 3, 1)):
        assert legal_time.period_end_result(cal, start, 15, "days") == (
            legal_time.period_end(CAL, start, 15, "days").result, ())
        assert len(cal._results) <= 10


def test_errors_are_unchanged() -> None:
    with pytest.raises(ValueError, match=r"a period cannot be negative \(-1 days\)"):
        legal_time.period_end_result(CAL, D(2026, 1, 1), -1, "days")
    with pytest.raises(ValueError, match="unknown period unit 'weeks'"):
        legal_time.period_end(CAL, D(2026, 1, 1), 1, "weeks")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="add_working_days: cannot count -2 working days"):
        legal_time.add_working_days_result(CAL, D(2026, 1, 1), -2)
    with pytest.raises(ValueError, match="counted from 1, not 0"):
        legal_time.nth_working_day_result(CAL, D(2026, 1, 1), 0)
    with pytest.raises(OverflowError, match="date value out of range"):
        legal_time.add_working_days_result(CAL, D(9999, 12, 30), 5)
    with pytest.raises(OverflowError, match="date value out of range"):
        legal_time.period_end_result(CAL, D(9999, 12, 30), 5, "days")


# ------------------------------------------------------------------ dates read from a case


def _read(check: Callable[[Any], Any], value: Any) -> Any:
    try:
        return check(value)
    except ValueError as error:
        return str(error)


def test_a_date_read_again_is_the_same_date_and_a_bad_one_is_refused_every_time() -> None:
    from enum import StrEnum

    from govrules.language.expr.types import DATE
    from govrules.runtime.case_values import scalar_check

    class Day(StrEnum):
        LABOUR_DAY = "2026-05-01"

    read = scalar_check(DATE)
    for _ in range(3):  # the second and third reads come from what the first one kept
        assert read("2026-05-01") == D(2026, 5, 1)
        assert read(Day.LABOUR_DAY) == D(2026, 5, 1)
        assert _read(read, "2026-02-30") == "'2026-02-30' is not a real date"
        assert _read(read, "20260501") == "expected a date written YYYY-MM-DD"
        assert _read(read, "1899-12-31").startswith("must lie within 1900-01-01 to 2099-12-31")
        assert _read(read, "2100-01-01").startswith("must lie within")


@pytest.mark.parametrize(("kind", "text", "expected"), [
    ("money", "1234567.89", "1234567.89"),
    ("money", "-0.5", "-0.5"),
    ("money", "999999999999999", "999999999999999"),
    ("money", "1000000000000000", "expected an amount of money written with ASCII digits"),
    ("money", "1e5", "expected an amount of money written with ASCII digits"),
    ("rate", "0.045", "0.045"),
    ("rate", "10", "10"),
    ("rate", "10.5", "a rate is a fraction (0.04 is 4%) and must lie within [-1, 10]"),
    ("rate", "-1.01", "a rate is a fraction"),
])
def test_numbers_read_from_text_keep_their_checks(kind: str, text: str, expected: str) -> None:
    from govrules.language.expr.types import MONEY, RATE
    from govrules.runtime.case_values import scalar_check

    found = _read(scalar_check({"money": MONEY, "rate": RATE}[kind]), text)
    assert str(found).startswith(expected)
