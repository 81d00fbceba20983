"""Legal time on the real PRC calendar (the ``holidays`` package's China data).

Expected dates are worked out by hand from the State Council's 2026 schedule (国办发明电
〔2025〕 holiday notice), which ``holidays.China(years=2026)`` records:

* 元旦      1月1日-3日 off; 1月4日 (Sunday) worked
* 春节      2月15日-23日 off; 2月14日 (Saturday) and 2月28日 (Saturday) worked
* 清明节    4月4日-6日 off
* 劳动节    5月1日-5日 off; 5月9日 (Saturday) worked
* 端午节    6月19日-21日 off
* 中秋节    9月25日-27日 off
* 国庆节    10月1日-7日 off; 9月20日 (Sunday) and 10月10日 (Saturday) worked

``test_official_2026_schedule`` checks that the calendar data says exactly this, so that every
other expectation here rests on the schedule and not on the function under test.
"""

from __future__ import annotations

import datetime as dt
import pickle
import subprocess
import sys

import holidays
import pytest

from govrules.calendar import (
    DayNote,
    WorkingDayCalendar,
    add_months,
    add_working_days,
    add_years,
    count_working_days,
    period_end,
)

D = dt.date
CAL = WorkingDayCalendar.prc()
MAKEUP_2026 = {D(2026, 1, 4), D(2026, 2, 14), D(2026, 2, 28), D(2026, 5, 9),
               D(2026, 9, 20), D(2026, 10, 10)}
# Official days off that fall on Monday-Friday (weekend days off need no listing).
WEEKDAY_HOLIDAYS_2026 = {
    D(2026, 1, 1), D(2026, 1, 2),
    D(2026, 2, 16), D(2026, 2, 17), D(2026, 2, 18), D(2026, 2, 19), D(2026, 2, 20),
    D(2026, 2, 23),
    D(2026, 4, 6),
    D(2026, 5, 1), D(2026, 5, 4), D(2026, 5, 5),
    D(2026, 6, 19),
    D(2026, 9, 25),
    D(2026, 10, 1), D(2026, 10, 2), D(2026, 10, 5), D(2026, 10, 6), D(2026, 10, 7),
}


def _days(first: dt.date, last: dt.date) -> list[dt.date]:
    return [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]


def test_official_2026_schedule() -> None:
    table = holidays.China(years=2026)
    makeup = {day for day in table.weekend_workdays if day.year == 2026}
    assert makeup == MAKEUP_2026
    assert {day.weekday() for day in MAKEUP_2026} <= {5, 6}
    weekday_off = {day for day in table if day.weekday() < 5}
    assert weekday_off == WEEKDAY_HOLIDAYS_2026
    # National Day week: 1-7 October off, of which the 3rd is a Saturday and the 4th a Sunday
    assert D(2026, 10, 3).weekday() == 5 and D(2026, 10, 4).weekday() == 6
    for day in _days(D(2026, 10, 1), D(2026, 10, 7)):
        assert not CAL.is_working_day(day), day
    assert 2026 in CAL.published_years
    assert 2027 not in CAL.published_years, (
        "the calendar data now has an official 2027 schedule; update the unpublished-year tests")


def test_is_working_day_follows_the_schedule_for_all_of_2026() -> None:
    for day in _days(D(2026, 1, 1), D(2026, 12, 31)):
        expected = (day in MAKEUP_2026) or (day.weekday() < 5
                                            and day not in WEEKDAY_HOLIDAYS_2026)
        assert CAL.is_working_day(day) is expected, day


def test_day_notes() -> None:
    assert CAL.note(D(2026, 10, 8)) is None
    holiday = CAL.note(D(2026, 10, 1))
    assert holiday == DayNote(D(2026, 10, 1), "public_holiday", "National Day")
    assert str(holiday) == "2026-10-01 National Day, statutory holiday"
    assert CAL.note(D(2026, 10, 4)) == DayNote(D(2026, 10, 4), "weekend", "Sunday")
    makeup = CAL.note(D(2026, 10, 10))
    assert makeup == DayNote(D(2026, 10, 10), "makeup_workday", "Saturday")
    assert str(makeup) == "2026-10-10 Saturday, official make-up workday"
    assert makeup.to_dict() == {"date": "2026-10-10", "kind": "makeup_workday",
                                "name": "Saturday", "name_zh": "星期六", "text": str(makeup)}
    assert CAL.note(D(2026, 3, 7)) == DayNote(D(2026, 3, 7), "weekend", "Saturday")


# ------------------------------------------------------------------ period_end, days


def test_fifteen_days_into_national_day_moves_past_the_holiday() -> None:
    # Start day 20 Sept not counted: day 1 is 21 Sept, day 15 is 5 Oct (a National Day day
    # off), 6 and 7 Oct are off too, 8 Oct (Thursday) is the first working day.
    result = period_end(CAL, D(2026, 9, 20), 15, "days")
    assert result.function == "period_end"
    assert result.plain_end == D(2026, 10, 5)
    assert result.result == D(2026, 10, 8)
    assert [note.day for note in result.days] == [D(2026, 10, 5), D(2026, 10, 6),
                                                  D(2026, 10, 7)]
    assert all(note.kind == "public_holiday" for note in result.days)
    # the engine's own names, whatever the locale; a substituted day's date in ISO form
    assert [(note.name, note.name_zh) for note in result.days] == [
        ("National Day (observed)", "国庆节（补假）"),
        ("Day off (substituted from 2026-09-20)", "休息日（由 2026-09-20 调休）"),
        ("Day off (substituted from 2026-10-10)", "休息日（由 2026-10-10 调休）"),
    ]
    assert all("statutory holiday" in str(note) for note in result.days)
    assert result.unpublished_years == ()
    assert "2026-10-05, a rest day" in result.basis
    assert "moved to the next working day 2026-10-08" in result.basis
    assert result.to_dict()["days"][0] == {
        "date": "2026-10-05", "kind": "public_holiday", "name": "National Day (observed)",
        "name_zh": "国庆节（补假）",
        "text": "2026-10-05 National Day (observed), statutory holiday"}


def test_start_day_is_not_counted() -> None:
    # Monday 2 March 2026 + 1 day = Tuesday 3 March, an ordinary working day
    assert period_end(CAL, D(2026, 3, 2), 1, "days").result == D(2026, 3, 3)
    assert period_end(CAL, D(2026, 3, 2), 3, "days").result == D(2026, 3, 5)
    zero = period_end(CAL, D(2026, 3, 2), 0, "days")
    assert zero.result == D(2026, 3, 2) and zero.days == ()
    assert "a working day" in zero.basis


def test_period_ending_on_a_plain_sunday_moves_to_monday() -> None:
    # 1 March 2026 (Sunday) + 7 days = 8 March, an ordinary Sunday; Monday 9 March works
    result = period_end(CAL, D(2026, 3, 1), 7, "days")
    assert result.plain_end == D(2026, 3, 8)
    assert result.result == D(2026, 3, 9)
    assert result.days == (DayNote(D(2026, 3, 8), "weekend", "Sunday"),)
    assert str(result.days[0]) == "2026-03-08 Sunday, weekend rest day"


def test_period_ending_on_a_plain_saturday_moves_over_the_weekend() -> None:
    result = period_end(CAL, D(2026, 3, 6), 8, "days")
    assert result.plain_end == D(2026, 3, 14)
    assert result.result == D(2026, 3, 16)
    assert [(n.day, n.kind) for n in result.days] == [(D(2026, 3, 14), "weekend"),
                                                      (D(2026, 3, 15), "weekend")]


@pytest.mark.parametrize(("start", "amount", "makeup_day"), [
    (D(2026, 9, 30), 10, D(2026, 10, 10)),   # Saturday, worked for National Day
    (D(2026, 9, 5), 15, D(2026, 9, 20)),     # Sunday, worked for National Day
    (D(2026, 2, 13), 15, D(2026, 2, 28)),    # Saturday, worked for the Spring Festival
    (D(2025, 12, 31), 4, D(2026, 1, 4)),     # Sunday, worked for New Year
    (D(2026, 5, 1), 8, D(2026, 5, 9)),       # Saturday, worked for Labour Day
])
def test_period_ending_on_a_makeup_workday_does_not_move(start: dt.date, amount: int,
                                                         makeup_day: dt.date) -> None:
    assert makeup_day.weekday() >= 5 and makeup_day in MAKEUP_2026
    result = period_end(CAL, start, amount, "days")
    assert result.plain_end == makeup_day
    assert result.result == makeup_day
    assert result.days == ()


def test_period_ending_on_the_sunday_inside_national_day_week() -> None:
    # 30 Sept + 4 days = Sunday 4 Oct (a weekend day inside the holiday week)
    result = period_end(CAL, D(2026, 9, 30), 4, "days")
    assert result.result == D(2026, 10, 8)
    assert [(n.day, n.kind) for n in result.days] == [
        (D(2026, 10, 4), "weekend"), (D(2026, 10, 5), "public_holiday"),
        (D(2026, 10, 6), "public_holiday"), (D(2026, 10, 7), "public_holiday")]


def test_period_ending_in_the_spring_festival() -> None:
    # 1 Feb + 15 days = 16 Feb (Spring Festival); 16-20 off, 21-22 weekend, 23 off; 24 works
    result = period_end(CAL, D(2026, 2, 1), 15, "days")
    assert result.plain_end == D(2026, 2, 16)
    assert result.result == D(2026, 2, 24)
    assert [n.day for n in result.days] == _days(D(2026, 2, 16), D(2026, 2, 23))
    assert [n.kind for n in result.days] == ["public_holiday"] * 5 + ["weekend"] * 2 + \
        ["public_holiday"]


def test_period_ending_in_labour_day() -> None:
    # 30 April + 1 day = 1 May; 1-5 May off (3 May a Sunday); Wednesday 6 May works
    result = period_end(CAL, D(2026, 4, 30), 1, "days")
    assert result.result == D(2026, 5, 6)
    assert [(n.day.day, n.kind) for n in result.days] == [
        (1, "public_holiday"), (2, "public_holiday"), (3, "weekend"), (4, "public_holiday"),
        (5, "public_holiday")]


def test_bad_period_arguments() -> None:
    with pytest.raises(ValueError, match="negative"):
        period_end(CAL, D(2026, 1, 1), -1, "days")
    with pytest.raises(ValueError, match="unknown period unit"):
        period_end(CAL, D(2026, 1, 1), 1, "weeks")  # type: ignore[arg-type]


# ------------------------------------------------------------------ months and years


@pytest.mark.parametrize(("start", "months", "expected"), [
    (D(2024, 1, 31), 1, D(2024, 2, 29)),
    (D(2023, 1, 31), 1, D(2023, 2, 28)),
    (D(2024, 3, 31), 1, D(2024, 4, 30)),
    (D(2024, 5, 31), 4, D(2024, 9, 30)),
    (D(2024, 1, 29), 1, D(2024, 2, 29)),
    (D(2023, 1, 29), 1, D(2023, 2, 28)),
    (D(2024, 1, 15), 1, D(2024, 2, 15)),
    (D(2024, 8, 31), -6, D(2024, 2, 29)),
])
def test_add_months_month_end_rule(start: dt.date, months: int, expected: dt.date) -> None:
    assert add_months(start, months) == expected


@pytest.mark.parametrize(("start", "years", "expected"), [
    (D(2024, 2, 29), 1, D(2025, 2, 28)),
    (D(2024, 2, 29), 4, D(2028, 2, 29)),
    (D(2023, 2, 28), 1, D(2024, 2, 28)),
    (D(2024, 3, 1), 1, D(2025, 3, 1)),
])
def test_add_years_from_29_february(start: dt.date, years: int, expected: dt.date) -> None:
    assert add_years(start, years) == expected


def test_month_periods_use_the_month_end_rule() -> None:
    # 29 Feb 2024 is an ordinary Thursday (Spring Festival 2024 was 10-17 Feb)
    assert D(2024, 2, 29) not in holidays.China(years=2024)
    leap = period_end(CAL, D(2024, 1, 31), 1, "months")
    assert (leap.plain_end, leap.result, leap.days) == (D(2024, 2, 29), D(2024, 2, 29), ())
    # 28 Feb 2023 is an ordinary Tuesday
    plain = period_end(CAL, D(2023, 1, 31), 1, "months")
    assert (plain.plain_end, plain.result) == (D(2023, 2, 28), D(2023, 2, 28))
    # 31 Jan 2026 + 1 month = 28 Feb 2026, a Saturday that is an official make-up workday
    makeup = period_end(CAL, D(2026, 1, 31), 1, "months")
    assert (makeup.plain_end, makeup.result, makeup.days) == (D(2026, 2, 28),
                                                              D(2026, 2, 28), ())
    # 1 Sept 2026 + 1 month = 1 Oct 2026 (National Day): moves to 8 Oct
    national = period_end(CAL, D(2026, 9, 1), 1, "months")
    assert national.plain_end == D(2026, 10, 1)
    assert national.result == D(2026, 10, 8)
    assert [n.day for n in national.days] == _days(D(2026, 10, 1), D(2026, 10, 7))


def test_year_periods_from_29_february() -> None:
    # 2025-02-28 is a Friday and not among 2025's days off (Spring Festival 28 Jan - 4 Feb)
    assert D(2025, 2, 28) not in holidays.China(years=2025)
    one = period_end(CAL, D(2024, 2, 29), 1, "years")
    assert (one.plain_end, one.result, one.days) == (D(2025, 2, 28), D(2025, 2, 28), ())
    # 2021-02-28 is a Sunday and not a make-up day (2021 make-up days: 7 Feb, 20 Feb)
    assert D(2021, 2, 28).weekday() == 6
    assert D(2021, 2, 28) not in holidays.China(years=2021).weekend_workdays
    sunday = period_end(CAL, D(2020, 2, 29), 1, "years")
    assert sunday.plain_end == D(2021, 2, 28)
    assert sunday.result == D(2021, 3, 1)
    assert sunday.days == (DayNote(D(2021, 2, 28), "weekend", "Sunday"),)
    # Two years from 29 Feb 2016 is 28 Feb 2018, a Wednesday after the 2018 Spring Festival
    assert D(2018, 2, 28) not in holidays.China(years=2018)
    assert period_end(CAL, D(2016, 2, 29), 2, "years").result == D(2018, 2, 28)
    # Four years from 29 Feb 2024 is 29 Feb 2028: a year without an official schedule
    far = period_end(CAL, D(2024, 2, 29), 4, "years")
    assert far.plain_end == D(2028, 2, 29)
    assert far.unpublished_years == (2028,)


# ------------------------------------------------------------------ working days


def test_fifteen_working_days_after_30_september_2026() -> None:
    # 1-7 Oct off; 8 (1), 9 (2), Sat 10 make-up (3), 12-16 (4-8), 19-23 (9-13), 26 (14),
    # 27 Oct (15).
    result = add_working_days(CAL, D(2026, 9, 30), 15)
    assert result.function == "add_working_days"
    assert result.result == D(2026, 10, 27)
    assert result.plain_end is None
    holidays_skipped = [n.day for n in result.days if n.kind == "public_holiday"]
    assert holidays_skipped == [D(2026, 10, d) for d in (1, 2, 3, 5, 6, 7)]
    assert [n.day for n in result.days if n.kind == "makeup_workday"] == [D(2026, 10, 10)]
    # weekend days skipped: 4, 11, 17, 18, 24, 25 Oct
    assert "skipped 6 statutory holiday(s) and 6 weekend day(s), counted 1 make-up " \
        "workday(s)" in result.basis
    assert result.unpublished_years == ()


@pytest.mark.parametrize(("start", "amount", "expected"), [
    (D(2026, 9, 30), 1, D(2026, 10, 8)),     # skips the whole National Day week
    (D(2026, 9, 30), 2, D(2026, 10, 9)),
    (D(2026, 9, 30), 3, D(2026, 10, 10)),    # make-up Saturday counts
    (D(2026, 10, 9), 1, D(2026, 10, 10)),
    (D(2026, 10, 9), 2, D(2026, 10, 12)),
    (D(2026, 9, 18), 1, D(2026, 9, 20)),     # Sat 19 rests, Sun 20 is a make-up day
    (D(2026, 9, 24), 1, D(2026, 9, 28)),     # Fri 25 Mid-Autumn, then the weekend
    (D(2025, 12, 31), 1, D(2026, 1, 4)),     # 1-3 Jan off, Sun 4 Jan worked
    (D(2026, 2, 13), 1, D(2026, 2, 14)),     # Sat 14 Feb worked
    (D(2026, 2, 13), 2, D(2026, 2, 24)),     # 15-23 Feb Spring Festival
    (D(2026, 4, 30), 1, D(2026, 5, 6)),
    (D(2026, 4, 30), 3, D(2026, 5, 8)),
    (D(2026, 4, 30), 4, D(2026, 5, 9)),      # Sat 9 May worked
    (D(2026, 3, 6), 1, D(2026, 3, 9)),       # an ordinary weekend
    (D(2026, 3, 2), 5, D(2026, 3, 9)),
])
def test_add_working_days(start: dt.date, amount: int, expected: dt.date) -> None:
    assert add_working_days(CAL, start, amount).result == expected


def test_zero_working_days_is_the_start_even_on_a_holiday() -> None:
    result = add_working_days(CAL, D(2026, 10, 1), 0)
    assert result.result == D(2026, 10, 1)
    assert result.days == () and result.unpublished_years == ()


def test_negative_working_days_refused() -> None:
    with pytest.raises(ValueError):
        add_working_days(CAL, D(2026, 10, 1), -1)


@pytest.mark.parametrize(("start", "end", "expected"), [
    (D(2026, 9, 30), D(2026, 10, 10), 3),     # 8, 9, Sat 10
    (D(2026, 9, 30), D(2026, 10, 7), 0),
    (D(2026, 9, 30), D(2026, 10, 8), 1),
    (D(2026, 10, 1), D(2026, 10, 31), 18),    # 8, 9, 10, 12-16, 19-23, 26-30
    (D(2026, 9, 19), D(2026, 9, 20), 1),      # Sunday 20 Sept is worked
    (D(2026, 2, 13), D(2026, 2, 28), 6),      # Sat 14, 24-27 Feb, Sat 28 (15-23 off)
    (D(2026, 3, 2), D(2026, 3, 2), 0),
    (D(2026, 3, 9), D(2026, 3, 2), 0),        # end before start
    # The whole of 2026: 261 weekdays - 19 weekday holidays + 6 make-up days
    (D(2025, 12, 31), D(2026, 12, 31), 248),
])
def test_count_working_days(start: dt.date, end: dt.date, expected: int) -> None:
    result = count_working_days(CAL, start, end)
    assert result.result == expected
    assert result.amount == expected
    assert result.function == "count_working_days"


def test_2026_arithmetic_behind_248() -> None:
    weekdays = sum(1 for day in _days(D(2026, 1, 1), D(2026, 12, 31)) if day.weekday() < 5)
    assert weekdays == 261
    assert len(WEEKDAY_HOLIDAYS_2026) == 19 and len(MAKEUP_2026) == 6


def test_count_notes_holidays_and_makeup_days() -> None:
    result = count_working_days(CAL, D(2026, 9, 30), D(2026, 10, 10))
    assert [(n.day, n.kind) for n in result.days] == (
        [(D(2026, 10, d), "public_holiday") for d in (1, 2, 3, 5, 6, 7)]
        + [(D(2026, 10, 10), "makeup_workday")])


def _oracle_add_working_days(start: dt.date, amount: int, rest: set[dt.date]) -> dt.date:
    day, counted = start, 0
    while counted < amount:
        day += dt.timedelta(days=1)
        if day not in rest:
            counted += 1
    return day


def test_add_working_days_matches_a_naive_count_over_2026() -> None:
    table = holidays.China(years=2026)
    rest = set(table) | {day for day in _days(D(2026, 1, 1), D(2026, 12, 31))
                         if day.weekday() >= 5 and day not in MAKEUP_2026}
    for start in _days(D(2026, 1, 1), D(2026, 11, 30)):
        for amount in (0, 1, 2, 3, 5, 10, 15, 20):
            expected = _oracle_add_working_days(start, amount, rest)
            if expected.year != 2026:
                continue
            assert add_working_days(CAL, start, amount).result == expected, (start, amount)


# ------------------------------------------------------------------ unpublished years


def test_computations_inside_2026_list_no_unpublished_year() -> None:
    assert period_end(CAL, D(2026, 1, 1), 300, "days").unpublished_years == ()
    assert period_end(CAL, D(2026, 1, 31), 10, "months").unpublished_years == ()
    assert add_working_days(CAL, D(2026, 1, 1), 200).unpublished_years == ()
    assert count_working_days(CAL, D(2026, 1, 1), D(2026, 12, 31)).unpublished_years == ()
    assert period_end(CAL, D(2025, 12, 20), 15, "days").unpublished_years == ()


def test_computations_reaching_2027_list_it() -> None:
    assert period_end(CAL, D(2026, 12, 25), 15, "days").unpublished_years == (2027,)
    assert period_end(CAL, D(2026, 1, 1), 400, "days").unpublished_years == (2027,)
    assert period_end(CAL, D(2026, 6, 30), 1, "years").unpublished_years == (2027,)
    assert add_working_days(CAL, D(2026, 12, 20), 15).unpublished_years == (2027,)
    assert count_working_days(CAL, D(2026, 12, 1),
                              D(2027, 1, 10)).unpublished_years == (2027,)
    spanning = add_working_days(CAL, D(2026, 12, 31), 300)
    assert spanning.result.year == 2028
    assert spanning.unpublished_years == (2027, 2028)
    assert period_end(CAL, D(2039, 6, 1), 400, "days").unpublished_years == (2040,)


def test_computations_before_the_first_schedule_list_their_year() -> None:
    assert min(CAL.published_years) == 2001
    assert period_end(CAL, D(2000, 6, 1), 10, "days").unpublished_years == (2000,)
    assert count_working_days(CAL, D(2000, 12, 1),
                              D(2001, 1, 10)).unpublished_years == (2000,)


# The State Council's published make-up workdays (调休上班日) for 2024 and 2025, from its yearly
# holiday notices; the calendar must know every one of them.
MAKEUP_2024 = {D(2024, 2, 4), D(2024, 2, 18), D(2024, 4, 7), D(2024, 4, 28), D(2024, 5, 11),
               D(2024, 9, 14), D(2024, 9, 29), D(2024, 10, 12)}
MAKEUP_2025 = {D(2025, 1, 26), D(2025, 2, 8), D(2025, 4, 27), D(2025, 9, 28), D(2025, 10, 11)}


@pytest.mark.parametrize(("year", "makeup"), [(2024, MAKEUP_2024), (2025, MAKEUP_2025),
                                              (2026, MAKEUP_2026)])
def test_every_published_makeup_workday_is_a_working_day(year: int,
                                                         makeup: set[dt.date]) -> None:
    weekend_days = [d for d in _days(D(year, 1, 1), D(year, 12, 31)) if d.weekday() >= 5]
    working_weekend_days = {d for d in weekend_days if CAL.is_working_day(d)}
    assert working_weekend_days == makeup
    for day in makeup:
        note = CAL.note(day)
        assert note is not None and note.kind == "makeup_workday"


@pytest.mark.parametrize(("first", "last"), [
    (D(2024, 10, 1), D(2024, 10, 7)),   # National Day 2024
    (D(2025, 1, 28), D(2025, 2, 4)),    # Spring Festival 2025
    (D(2025, 10, 1), D(2025, 10, 8)),   # National Day and Mid-Autumn 2025
    (D(2026, 2, 15), D(2026, 2, 23)),   # Spring Festival 2026
])
def test_golden_weeks_are_rest_days(first: dt.date, last: dt.date) -> None:
    for day in _days(first, last):
        assert not CAL.is_working_day(day), day
    assert CAL.is_working_day(last + dt.timedelta(days=1))


# ------------------------------------------------------------------ loading and snapshots


def _python(code: str) -> str:
    """Run ``code`` in a fresh interpreter (what a cold command line starts from)."""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True, timeout=120)
    return done.stdout.strip()


def test_importing_the_calendar_imports_neither_holidays_nor_dateutil() -> None:
    shown = _python(
        "import sys, govrules.calendar, govrules.language.expr.functions\n"
        "print(sorted(m for m in ('holidays', 'dateutil') if m in sys.modules))"
    )
    assert shown == "[]"


def test_a_snapshot_answers_like_a_fresh_calendar_for_every_day_it_holds() -> None:
    built = WorkingDayCalendar()
    snapshot = pickle.loads(pickle.dumps(built.snapshot(range(2001, 2028))))
    assert [data[0] for data in snapshot.years] == list(range(2001, 2028))
    restored = WorkingDayCalendar.from_snapshot(snapshot)
    fresh = WorkingDayCalendar()
    assert restored.provenance == fresh.provenance == CAL.provenance
    assert restored.published_years == fresh.published_years
    for day in _days(D(2001, 1, 1), D(2027, 12, 31)):
        assert restored.is_working_day(day) is fresh.is_working_day(day), day
        note, expected = restored.note(day), fresh.note(day)
        assert (note and note.to_dict()) == (expected and expected.to_dict()), day
    # a year the snapshot does not hold is built from the package, as by any calendar
    assert restored.note(D(2030, 10, 1)) == fresh.note(D(2030, 10, 1))
    assert 2030 in {data[0] for data in restored.snapshot().years}


def test_a_calendar_from_a_snapshot_needs_no_holidays_package() -> None:
    snapshot = WorkingDayCalendar().snapshot([2026])
    expected = [str(period_end(CAL, D(2026, 9, 20), 15, "days").to_dict()), CAL.provenance]
    shown = _python(
        "import pickle, sys, datetime as dt\n"
        "from govrules.calendar import WorkingDayCalendar, period_end\n"
        f"cal = WorkingDayCalendar.from_snapshot(pickle.loads({pickle.dumps(snapshot)!r}))\n"
        "print(period_end(cal, dt.date(2026, 9, 20), 15, 'days').to_dict())\n"
        "print(cal.provenance)\n"
        "print('holidays' in sys.modules)\n"
        "cal.is_working_day(dt.date(2031, 1, 1))\n"
        "print('holidays' in sys.modules)"
    )
    assert shown.splitlines() == [*expected, "False", "True"]


def test_the_provenance_can_be_relabelled() -> None:
    calendar = WorkingDayCalendar()
    calendar.provenance = "holidays 0.0, China; official State Council schedules 2001-2026"
    assert calendar.provenance.startswith("holidays 0.0")
    assert calendar.is_working_day(D(2026, 10, 8))


def test_a_snapshot_with_a_wrong_day_table_is_refused_naming_the_year() -> None:
    from govrules.calendar import CalendarSnapshot

    good = WorkingDayCalendar().snapshot([2026])
    year, codes, rest, makeup = good.years[0]
    broken = CalendarSnapshot(good.provenance, good.published_years,
                              ((year, codes[:-1], rest, makeup),))
    with pytest.raises(ValueError, match="the day table of 2026 has 364 days"):
        WorkingDayCalendar.from_snapshot(broken).is_working_day(D(2026, 5, 1))
