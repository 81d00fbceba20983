"""Legal time on the official PRC calendar: statutory periods, working days, month ends.

The rules, stated once here and used by every policy:

* ``add_months`` / ``add_years`` -- the corresponding day of the target month, or that month's
  last day when it has none (民法典 第二百零二条).
* ``period_end`` -- a period of N days, months or years: the start day is not counted
  (民法典 第二百零一条, 民事诉讼法 第八十五条); the period ends on the Nth day after, or on the
  corresponding day (第二百零二条); a last day that is a rest day -- a public holiday, a
  substituted day off, or a weekend that is not an official make-up workday -- moves to the next
  working day (第二百零三条).
* ``add_working_days`` / ``count_working_days`` -- "N个工作日": working days after the start day,
  on the State Council's yearly schedule, make-up Saturdays and Sundays included;
  ``subtract_working_days`` -- "N个工作日前", the Nth working day before the start day.
* ``nth_working_day`` / ``count_working_days_inclusive`` -- for texts that count the start day:
  the start day is the first working day when it is one (otherwise the next working day is).
* ``age_years`` / ``age_months`` -- completed years and months of age (周岁): an age is reached
  on the anniversary of the birth, which ``add_years`` / ``add_months`` give (28 February in a
  common year for a birth on 29 February).
* Amounts of working days are never negative: counting back is ``subtract_working_days``.

Every computation returns a ``DateComputation`` that names the days which moved or were
skipped, and the years it touched for which no official schedule has been published (the
calendar then only estimates, and the decision must say so).

    cal = WorkingDayCalendar.prc()
    period_end(cal, date(2026, 9, 20), 15, "days").result    # 2026-10-08
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

import holidays
from dateutil.relativedelta import relativedelta

__all__ = [
    "DateComputation",
    "DayNote",
    "WorkingDayCalendar",
    "add_days",
    "add_months",
    "add_working_days",
    "add_years",
    "age_months",
    "age_years",
    "count_working_days",
    "count_working_days_inclusive",
    "nth_working_day",
    "period_end",
    "subtract_working_days",
]

DayKind = Literal["public_holiday", "weekend", "makeup_workday"]
_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_WEEKDAYS_ZH = ("星期一", "星期二", "星期三", "星期四", "星期五", "星期六", "星期日")
_US_DATE = re.compile(r"\b(\d{2})/(\d{2})/(\d{4})\b")  # holidays' en_US "substituted from"
_KIND_TEXT = {"public_holiday": "statutory holiday", "weekend": "weekend rest day"}
_ONE_DAY = dt.timedelta(days=1)


@dataclass(frozen=True, slots=True)
class DayNote:
    """Why one day is not an ordinary day (a holiday, a weekend, a make-up workday), named in
    English and Chinese by the engine whatever the locale: ``National Day`` / ``国庆节``."""

    day: dt.date
    kind: DayKind
    name: str
    name_zh: str = field(default="", compare=False)

    def __str__(self) -> str:
        what = _KIND_TEXT.get(self.kind, "official make-up workday")
        return f"{self.day.isoformat()} {self.name}, {what}"

    def to_dict(self) -> dict[str, str]:
        return {
            "date": self.day.isoformat(),
            "kind": self.kind,
            "name": self.name,
            "name_zh": self.name_zh,
            "text": str(self),
        }


@dataclass(frozen=True, slots=True)
class DateComputation:
    """A computed date (or count) and everything that shaped it."""

    function: str
    start: dt.date
    amount: int
    unit: str
    result: dt.date | int
    plain_end: dt.date | None
    days: tuple[DayNote, ...]
    unpublished_years: tuple[int, ...]
    basis: str

    def to_dict(self) -> dict[str, object]:
        return {
            "function": self.function,
            "start": self.start.isoformat(),
            "amount": self.amount,
            "unit": self.unit,
            "result": self.result.isoformat() if isinstance(self.result, dt.date) else self.result,
            "plain_end": self.plain_end.isoformat() if self.plain_end else None,
            "days": [note.to_dict() for note in self.days],
            "unpublished_years": list(self.unpublished_years),
            "basis": self.basis,
        }


class WorkingDayCalendar:
    """Working days and rest days of the PRC, from the ``holidays`` package's China calendar.

    Years with an officially published State Council schedule are those for which the package
    records the substituted days off (``published_years``); other years are computed by the
    package's rules and are only an estimate.
    """

    def __init__(self, country: holidays.HolidayBase | None = None) -> None:
        self._source = country if country is not None else holidays.China()  # type: ignore[attr-defined]
        special = getattr(self._source, "special_public_holidays", {}) or {}
        self.published_years: frozenset[int] = frozenset(int(year) for year in special)
        years = sorted(self.published_years) or [0, -1]
        version = getattr(holidays, "__version__", "?")
        schedules = f"official State Council schedules {years[0]}-{years[-1]}"
        self.provenance = f"holidays {version}, China; {schedules}"
        self._years: dict[int, tuple[dict[dt.date, tuple[str, str]], frozenset[dt.date]]] = {}

    _shared: WorkingDayCalendar | None = None

    @classmethod
    def prc(cls) -> WorkingDayCalendar:
        """The process-wide official PRC calendar (built once; it only ever grows a cache)."""
        if cls._shared is None:
            cls._shared = cls()
        return cls._shared

    def _year(self, year: int) -> tuple[dict[dt.date, tuple[str, str]], frozenset[dt.date]]:
        # Names in fixed languages, never the locale's (the package follows LANG / LC_ALL
        # by itself), and a substituted day's date in ISO form, not en_US's 09/20/2026.
        cached = self._years.get(year)
        if cached is None:
            zh = holidays.China(years=year, language="zh_CN")  # type: ignore[attr-defined]
            en = holidays.China(years=year, language="en_US")  # type: ignore[attr-defined]
            rest = {
                d: (_US_DATE.sub(r"\3-\1-\2", str(en.get(d, n))), str(n)) for d, n in zh.items()
            }
            makeup = frozenset(d for d in getattr(zh, "weekend_workdays", ()) if d.year == year)
            cached = self._years[year] = (rest, makeup)
        return cached

    def note(self, day: dt.date) -> DayNote | None:
        """What makes ``day`` special, or ``None`` for an ordinary working weekday."""
        rest, makeup = self._year(day.year)
        if day in rest:
            return DayNote(day, "public_holiday", *rest[day])
        weekday = day.weekday()
        if weekday >= 5:
            kind: DayKind = "makeup_workday" if day in makeup else "weekend"
            return DayNote(day, kind, _WEEKDAYS[weekday], _WEEKDAYS_ZH[weekday])
        return None

    def is_working_day(self, day: dt.date) -> bool:
        rest, makeup = self._year(day.year)
        if day in rest:
            return False
        return day.weekday() < 5 or day in makeup

    def unpublished(self, first: dt.date, last: dt.date) -> tuple[int, ...]:
        """Years between the two dates (inclusive) that have no official schedule."""
        low, high = min(first, last).year, max(first, last).year
        return tuple(y for y in range(low, high + 1) if y not in self.published_years)


def add_days(start: dt.date, days: int) -> dt.date:
    return start + dt.timedelta(days=days)


def add_months(start: dt.date, months: int) -> dt.date:
    """Corresponding day ``months`` later, or the month's last day if none (第二百零二条)."""
    return start + relativedelta(months=months)


def add_years(start: dt.date, years: int) -> dt.date:
    """Corresponding day ``years`` later; 29 February becomes 28 February (第二百零二条)."""
    return start + relativedelta(years=years)


def period_end(
    calendar: WorkingDayCalendar,
    start: dt.date,
    amount: int,
    unit: Literal["days", "months", "years"],
) -> DateComputation:
    """Last day of a statutory period of ``amount`` ``unit`` beginning the day after ``start``."""
    if amount < 0:
        raise ValueError(f"a period cannot be negative ({amount} {unit})")
    if unit == "days":
        plain = start + dt.timedelta(days=amount)
    elif unit == "months":
        plain = add_months(start, amount)
    elif unit == "years":
        plain = add_years(start, amount)
    else:
        raise ValueError(f"unknown period unit {unit!r}; use days, months or years")
    end = plain
    moved: list[DayNote] = []
    length = f"{amount} {unit[:-1] if amount == 1 else unit}"
    while not calendar.is_working_day(end):
        note = calendar.note(end)
        assert note is not None
        moved.append(note)
        end += _ONE_DAY
    if moved:
        basis = (
            f"{length} after {start.isoformat()} (start day not counted) ends on "
            f"{plain.isoformat()}, a rest day; moved to the next working day "
            f"{end.isoformat()}"
        )
    else:
        basis = (
            f"{length} after {start.isoformat()} (start day not counted) ends on "
            f"{end.isoformat()}, a working day"
        )
    return DateComputation(
        "period_end",
        start,
        amount,
        unit,
        end,
        plain,
        tuple(moved),
        calendar.unpublished(plain, end),
        basis,
    )


def _walk(
    calendar: WorkingDayCalendar, function: str, start: dt.date, amount: int, step: dt.timedelta
) -> tuple[dt.date, list[DayNote], int]:
    """The ``amount``-th working day from ``start`` going a day forward or back at each
    ``step`` (the start day is not counted); the holidays and make-up workdays met, and how
    many weekend days were skipped. Counting back is a step back, never a negative amount."""
    if amount < 0:
        raise ValueError(f"{function}: cannot count {amount} working days (a negative number)")
    day, counted, weekends = start, 0, 0
    notable: list[DayNote] = []
    while counted < amount:
        day += step
        note = calendar.note(day)
        if note is None:
            counted += 1
        elif note.kind == "weekend":
            weekends += 1
        else:
            notable.append(note)
            if note.kind == "makeup_workday":
                counted += 1
    return day, notable, weekends


def _count(
    calendar: WorkingDayCalendar, first: dt.date, last: dt.date
) -> tuple[int, list[DayNote]]:
    """Working days from ``first`` to ``last``, both included (0 when ``last < first``), and
    the holidays and make-up workdays among them."""
    counted = 0
    notable: list[DayNote] = []
    for ordinal in range(first.toordinal(), last.toordinal() + 1):
        note = calendar.note(dt.date.fromordinal(ordinal))
        if note is None:
            counted += 1
        elif note.kind != "weekend":
            notable.append(note)
            if note.kind == "makeup_workday":
                counted += 1
    return counted, notable


def _skipped(notable: list[DayNote], weekends: int) -> str:
    holidays_skipped = sum(1 for n in notable if n.kind == "public_holiday")
    return (
        f"skipped {holidays_skipped} statutory holiday(s) and {weekends} weekend day(s), "
        f"counted {len(notable) - holidays_skipped} make-up workday(s)"
    )


def _working_days(
    function: str,
    start: dt.date,
    amount: int,
    result: dt.date | int,
    notable: list[DayNote],
    unpublished: tuple[int, ...],
    basis: str,
) -> DateComputation:
    notes = tuple(sorted(notable, key=lambda note: note.day))
    return DateComputation(
        function, start, amount, "working_days", result, None, notes, unpublished, basis
    )


def add_working_days(calendar: WorkingDayCalendar, start: dt.date, amount: int) -> DateComputation:
    """The ``amount``-th working day after ``start`` (the start day is not counted)."""
    day, notable, weekends = _walk(calendar, "add_working_days", start, amount, _ONE_DAY)
    basis = (
        f"{amount} working days after {start.isoformat()} (start day not counted): "
        f"{day.isoformat()}; {_skipped(notable, weekends)}"
    )
    unpublished = calendar.unpublished(start + _ONE_DAY, day) if amount else ()
    return _working_days("add_working_days", start, amount, day, notable, unpublished, basis)


def subtract_working_days(
    calendar: WorkingDayCalendar, start: dt.date, amount: int
) -> DateComputation:
    """The ``amount``-th working day before ``start`` (the start day is not counted):
    "N个工作日前". Zero working days before ``start`` is ``start``, even on a rest day."""
    day, notable, weekends = _walk(calendar, "subtract_working_days", start, amount, -_ONE_DAY)
    basis = (
        f"{amount} working days before {start.isoformat()} (start day not counted): "
        f"{day.isoformat()}; {_skipped(notable, weekends)}"
    )
    unpublished = calendar.unpublished(day, start - _ONE_DAY) if amount else ()
    return _working_days("subtract_working_days", start, amount, day, notable, unpublished, basis)


def nth_working_day(calendar: WorkingDayCalendar, start: dt.date, amount: int) -> DateComputation:
    """The ``amount``-th working day counting ``start`` itself when it is a working day
    (``amount`` >= 1): the first working day is ``start``, or the next one after a rest day."""
    if amount < 1:
        raise ValueError(f"nth_working_day: working days are counted from 1, not {amount}")
    day, notable, weekends = _walk(calendar, "nth_working_day", start - _ONE_DAY, amount, _ONE_DAY)
    basis = (
        f"working day {amount} counting from {start.isoformat()} (start day counted when a "
        f"working day): {day.isoformat()}; {_skipped(notable, weekends)}"
    )
    unpublished = calendar.unpublished(start, day)
    return _working_days("nth_working_day", start, amount, day, notable, unpublished, basis)


def count_working_days(
    calendar: WorkingDayCalendar, start: dt.date, end: dt.date
) -> DateComputation:
    """Working days after ``start`` up to and including ``end`` (0 when ``end <= start``)."""
    counted, notable = _count(calendar, start + _ONE_DAY, end)
    basis = (
        f"{counted} working days after {start.isoformat()} up to and including {end.isoformat()}"
    )
    unpublished = calendar.unpublished(start + _ONE_DAY, end) if end > start else ()
    return _working_days("count_working_days", start, counted, counted, notable, unpublished, basis)


def count_working_days_inclusive(
    calendar: WorkingDayCalendar, start: dt.date, end: dt.date
) -> DateComputation:
    """Working days from ``start`` to ``end``, both included (0 when ``end < start``)."""
    counted, notable = _count(calendar, start, end)
    basis = f"{counted} working days from {start.isoformat()} to {end.isoformat()}, both included"
    unpublished = calendar.unpublished(start, end) if end >= start else ()
    function = "count_working_days_inclusive"
    return _working_days(function, start, counted, counted, notable, unpublished, basis)


def _completed(
    function: str, birth: dt.date, on: dt.date, guess: int, later: Callable[[dt.date, int], dt.date]
) -> int:
    """``guess`` when ``later(birth, guess)`` (the anniversary) is not after ``on``, else one
    less: the guess is the difference of the calendar years or months, never too small."""
    if on < birth:
        raise ValueError(
            f"{function}({birth.isoformat()}, {on.isoformat()}): the day is before the birth date"
        )
    return guess if later(birth, guess) <= on else guess - 1


def age_years(birth: dt.date, on: dt.date) -> int:
    """Completed years of age (周岁) on ``on`` of a person born on ``birth``.

    An age is reached on the anniversary of the birth: a person born on 29 February reaches it
    on 28 February in a common year, the corresponding day ``add_years`` gives (第二百零二条).
    The criminal-law reading, an age reached the day after the birthday, is the age on the day
    before: ``age_years(birth, on - 1 day)``. A day before the birth date is an error.
    """
    return _completed("age_years", birth, on, on.year - birth.year, add_years)


def age_months(birth: dt.date, on: dt.date) -> int:
    """Completed months of age on ``on`` of a person born on ``birth``: reached on the
    corresponding day of each month, or that month's last day when it has none (第二百零二条)."""
    guess = (on.year - birth.year) * 12 + on.month - birth.month
    return _completed("age_months", birth, on, guess, add_months)
