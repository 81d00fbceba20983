# Longer than 400 lines because each rule of legal time is computed and described here, next to
# the day table it runs on: the fast answer and its description must agree day for day.
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
calendar then only estimates, and the decision must say so). An untraced evaluation asks the
``*_result`` twin of each function instead: the same date or count and the unpublished years,
without the description.

    cal = WorkingDayCalendar.prc()
    period_end(cal, date(2026, 9, 20), 15, "days").result    # 2026-10-08
    period_end_result(cal, date(2026, 9, 20), 15, "days")    # (2026-10-08, ())
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable
from dataclasses import field
from typing import TYPE_CHECKING, Any, Literal

from govrules.records import record

if TYPE_CHECKING:
    import holidays

__all__ = [
    "CalendarSnapshot",
    "DateComputation",
    "DayNote",
    "WorkingDayCalendar",
    "add_days",
    "add_months",
    "add_working_days",
    "add_working_days_result",
    "add_years",
    "age_months",
    "age_years",
    "count_working_days",
    "count_working_days_inclusive",
    "count_working_days_inclusive_result",
    "count_working_days_result",
    "days_in_month",
    "nth_working_day",
    "nth_working_day_result",
    "period_end",
    "period_end_result",
    "subtract_working_days",
    "subtract_working_days_result",
]

DayKind = Literal["public_holiday", "weekend", "makeup_workday"]
Unit = Literal["days", "months", "years"]
Result = tuple[Any, tuple[int, ...]]  # a date or a count, and the unpublished years it touched
_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_WEEKDAYS_ZH = ("星期一", "星期二", "星期三", "星期四", "星期五", "星期六", "星期日")
_US_DATE = re.compile(r"\b(\d{2})/(\d{2})/(\d{4})\b")  # holidays' en_US "substituted from"
_KIND_TEXT = {"public_holiday": "statutory holiday", "weekend": "weekend rest day"}
_ONE_DAY = dt.timedelta(days=1)
_MONTH_DAYS = (0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
_FIRST, _LAST = dt.date.min.toordinal(), dt.date.max.toordinal()

# A year's day table holds one code per day. A working day has an even code, so that
# "is it a working day" is one bit; the codes of notable days name what a note would say.
_ORDINARY, _HOLIDAY, _MAKEUP, _WEEKEND = 0, 1, 2, 3
# Computations kept per calendar: plain results (small), and described ones (what a trace
# shows; larger, and only asked for by traced evaluations).
_RESULTS_KEPT, _COMPUTATIONS_KEPT = 1 << 15, 1 << 12


def _china(**options: Any) -> holidays.HolidayBase:
    # holidays (and its data for every country) takes a tenth of a second to import: only a
    # calendar that builds a year table, or reads the package's schedules, pays for it
    import holidays

    return holidays.China(**options)  # type: ignore[attr-defined,no-any-return]


def days_in_month(year: int, month: int) -> int:
    """The number of days of ``month`` (1-12) in ``year``: 28 to 31."""
    if month == 2 and year % 4 == 0 and (year % 100 != 0 or year % 400 == 0):
        return 29
    return _MONTH_DAYS[month]


@record
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


@record
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


# (year, day codes, rest days with their English and Chinese names, make-up workdays)
YearData = tuple[int, bytes, tuple[tuple[dt.date, str, str], ...], tuple[dt.date, ...]]


@record(slots=False)
class CalendarSnapshot:
    """The year tables a calendar has built, and its provenance: a small picklable value from
    which ``WorkingDayCalendar.from_snapshot`` answers for those years without the ``holidays``
    package (a command line that keeps one next to its compiled policies starts faster)."""

    provenance: str
    published_years: frozenset[int]
    years: tuple[YearData, ...]


class _Year:
    """One year of the calendar: its rest days and make-up workdays, and the day table."""

    __slots__ = ("first", "codes", "rest", "makeup")

    def __init__(
        self, year: int, rest: dict[dt.date, tuple[str, str]], makeup: frozenset[dt.date]
    ) -> None:
        self.first = dt.date(year, 1, 1).toordinal()
        self.rest = rest
        self.makeup = makeup
        codes = bytearray()
        for ordinal in range(self.first, dt.date(year, 12, 31).toordinal() + 1):
            day = dt.date.fromordinal(ordinal)
            if day in rest:
                codes.append(_HOLIDAY)
            elif day.weekday() >= 5:
                codes.append(_MAKEUP if day in makeup else _WEEKEND)
            else:
                codes.append(_ORDINARY)
        self.codes = bytes(codes)

    def data(self) -> YearData:
        rest = tuple((day, en, zh) for day, (en, zh) in sorted(self.rest.items()))
        year = dt.date.fromordinal(self.first).year
        return year, self.codes, rest, tuple(sorted(self.makeup))


class WorkingDayCalendar:
    """Working days and rest days of the PRC, from the ``holidays`` package's China calendar.

    Years with an officially published State Council schedule are those for which the package
    records the substituted days off (``published_years``); other years are computed by the
    package's rules and are only an estimate. Each year is built once, when a date in it is
    first asked about; computations are remembered per calendar (they depend on nothing else).
    """

    def __init__(self, country: holidays.HolidayBase | None = None) -> None:
        self._country = country
        self._published: frozenset[int] | None = None
        self._provenance: str | None = None
        self._years: dict[int, _Year] = {}
        self._stored: dict[int, YearData] = {}  # years of a snapshot, not yet unpacked
        self._results: dict[tuple[Any, ...], Result] = {}
        self._computations: dict[tuple[Any, ...], DateComputation] = {}
        if country is not None:
            self._read_schedules(country)

    _shared: WorkingDayCalendar | None = None

    @classmethod
    def prc(cls) -> WorkingDayCalendar:
        """The process-wide official PRC calendar (built once; it only ever grows a cache)."""
        if cls._shared is None:
            cls._shared = cls()
        return cls._shared

    @classmethod
    def from_snapshot(cls, snapshot: CalendarSnapshot) -> WorkingDayCalendar:
        """A calendar answering for the snapshot's years from its tables (other years are built
        from the ``holidays`` package when first asked about, as by any calendar)."""
        calendar = cls()
        calendar._published = snapshot.published_years
        calendar._provenance = snapshot.provenance
        calendar._stored = {data[0]: data for data in snapshot.years}
        return calendar

    def snapshot(self, years: Iterable[int] = ()) -> CalendarSnapshot:
        """The years built so far (and ``years``, built now), the schedules and provenance."""
        for year in years:
            self._year(year)
        built = {year: table.data() for year, table in self._years.items()}
        return CalendarSnapshot(
            self.provenance,
            self.published_years,
            tuple(sorted({**self._stored, **built}.values(), key=lambda data: data[0])),
        )

    def _read_schedules(self, country: holidays.HolidayBase) -> None:
        import holidays

        special = getattr(country, "special_public_holidays", {}) or {}
        self._published = frozenset(int(year) for year in special)
        years = sorted(self._published) or [0, -1]
        version = getattr(holidays, "__version__", "?")
        schedules = f"official State Council schedules {years[0]}-{years[-1]}"
        if self._provenance is None:
            self._provenance = f"holidays {version}, China; {schedules}"

    @property
    def published_years(self) -> frozenset[int]:
        if self._published is None:
            self._read_schedules(_china())
        assert self._published is not None
        return self._published

    @property
    def provenance(self) -> str:
        """Which calendar data decided: the package, its version, the official schedules."""
        if self._provenance is None:
            self._read_schedules(_china())
        assert self._provenance is not None
        return self._provenance

    @provenance.setter
    def provenance(self, text: str) -> None:
        self._provenance = text

    def _year(self, year: int) -> _Year:
        cached = self._years.get(year)
        if cached is not None:
            return cached
        stored = self._stored.pop(year, None)
        if stored is not None:
            _, codes, rest_days, makeup_days = stored
            if len(codes) != dt.date(year, 12, 31).timetuple().tm_yday:
                raise ValueError(
                    f"calendar snapshot: the day table of {year} has {len(codes)} days"
                )
            table = _Year.__new__(_Year)
            table.first, table.codes = dt.date(year, 1, 1).toordinal(), codes
            table.rest = {day: (en, zh) for day, en, zh in rest_days}
            table.makeup = frozenset(makeup_days)
        else:
            # Names in fixed languages, never the locale's (the package follows LANG / LC_ALL
            # by itself), and a substituted day's date in ISO form, not en_US's 09/20/2026.
            zh = _china(years=year, language="zh_CN")
            en = _china(years=year, language="en_US")
            rest = {
                d: (_US_DATE.sub(r"\3-\1-\2", str(en.get(d, n))), str(n)) for d, n in zh.items()
            }
            makeup = frozenset(d for d in getattr(zh, "weekend_workdays", ()) if d.year == year)
            table = _Year(year, rest, makeup)
        self._years[year] = table
        return table

    def _codes(self, ordinal: int) -> tuple[int, bytes]:
        """The day table of the year holding ``ordinal``, and the ordinal of its 1 January."""
        if not _FIRST <= ordinal <= _LAST:
            raise OverflowError("date value out of range")
        table = self._year(dt.date.fromordinal(ordinal).year)
        return table.first, table.codes

    def note(self, day: dt.date) -> DayNote | None:
        """What makes ``day`` special, or ``None`` for an ordinary working weekday."""
        table = self._year(day.year)
        named = table.rest.get(day)
        if named is not None:
            return DayNote(day, "public_holiday", *named)
        weekday = day.weekday()
        if weekday >= 5:
            kind: DayKind = "makeup_workday" if day in table.makeup else "weekend"
            return DayNote(day, kind, _WEEKDAYS[weekday], _WEEKDAYS_ZH[weekday])
        return None

    def is_working_day(self, day: dt.date) -> bool:
        table = self._years.get(day.year) or self._year(day.year)
        return not table.codes[day.toordinal() - table.first] & 1

    def unpublished(self, first: dt.date, last: dt.date) -> tuple[int, ...]:
        """Years between the two dates (inclusive) that have no official schedule."""
        low, high = first.year, last.year
        if low > high:
            low, high = high, low
        published = self.published_years
        if low == high:
            return () if low in published else (low,)
        return tuple(y for y in range(low, high + 1) if y not in published)

    # ------------------------------------------------------------ walking the day tables

    def _next_working(self, ordinal: int) -> int:
        """The first working day on or after ``ordinal``."""
        first, codes = self._codes(ordinal)
        while True:
            index = ordinal - first
            if index >= len(codes):
                first, codes = self._codes(ordinal)
                index = 0
            if not codes[index] & 1:
                return ordinal
            ordinal += 1

    def _walk(self, ordinal: int, amount: int, step: int) -> int:
        """The ``amount``-th working day from ``ordinal`` going ``step`` (+1 or -1) a day."""
        first = end = 0
        codes = b""
        while amount > 0:
            ordinal += step
            if not first <= ordinal < end:
                first, codes = self._codes(ordinal)
                end = first + len(codes)
            if not codes[ordinal - first] & 1:
                amount -= 1
        return ordinal

    def _count(self, first_day: int, last_day: int) -> int:
        """Working days from ordinal ``first_day`` to ``last_day``, both included."""
        counted = 0
        ordinal = first_day
        while ordinal <= last_day:
            first, codes = self._codes(ordinal)
            part = codes[ordinal - first : last_day - first + 1]
            counted += part.count(_ORDINARY) + part.count(_MAKEUP)
            ordinal = first + len(codes)
        return counted

    def _notable(self, first_day: int, last_day: int) -> tuple[list[DayNote], int]:
        """The holidays and make-up workdays from ordinal ``first_day`` to ``last_day``, and
        how many weekend days lie between (what a working-day description names)."""
        notable: list[DayNote] = []
        weekends = 0
        ordinal = first_day
        while ordinal <= last_day:
            first, codes = self._codes(ordinal)
            part = codes[ordinal - first : last_day - first + 1]
            weekends += part.count(_WEEKEND)
            for index, code in enumerate(part):
                if code in (_HOLIDAY, _MAKEUP):
                    note = self.note(dt.date.fromordinal(ordinal + index))
                    assert note is not None
                    notable.append(note)
            ordinal = first + len(codes)
        return notable, weekends

    # Computations depend on nothing but their arguments and the calendar, so each is kept;
    # when too many are, all are forgotten at once (cheaper than keeping them in order of use).

    def _result(self, key: tuple[Any, ...], result: Any, unpublished: tuple[int, ...]) -> Result:
        if len(self._results) >= _RESULTS_KEPT:
            self._results.clear()
        found = self._results[key] = (result, unpublished)
        return found

    def _computation(self, key: tuple[Any, ...], computation: DateComputation) -> DateComputation:
        if len(self._computations) >= _COMPUTATIONS_KEPT:
            self._computations.clear()
        self._computations[key] = computation
        return computation


def add_days(start: dt.date, days: int) -> dt.date:
    return start + dt.timedelta(days=days)


def _whole(amount: Any) -> int:
    """An integral amount of months or years as an ``int`` (a fraction of one is refused)."""
    if type(amount) is int:
        return amount
    if amount != int(amount):
        raise ValueError("Non-integer years and months are ambiguous and not currently supported")
    return int(amount)


def add_months(start: dt.date, months: int) -> dt.date:
    """Corresponding day ``months`` later, or the month's last day if none (第二百零二条)."""
    year, month = divmod(start.year * 12 + start.month - 1 + _whole(months), 12)
    day = start.day
    if day > 28:
        day = min(day, days_in_month(year, month + 1))
    return dt.date(year, month + 1, day)


def add_years(start: dt.date, years: int) -> dt.date:
    """Corresponding day ``years`` later; 29 February becomes 28 February (第二百零二条)."""
    year = start.year + _whole(years)
    day = start.day
    if day == 29 and start.month == 2:
        day = days_in_month(year, 2)
    return dt.date(year, start.month, day)


def _plain_end(start: dt.date, amount: int, unit: str) -> dt.date:
    if amount < 0:
        raise ValueError(f"a period cannot be negative ({amount} {unit})")
    if unit == "days":
        return start + dt.timedelta(days=amount)
    if unit == "months":
        return add_months(start, amount)
    if unit == "years":
        return add_years(start, amount)
    raise ValueError(f"unknown period unit {unit!r}; use days, months or years")


def period_end_result(
    calendar: WorkingDayCalendar, start: dt.date, amount: int, unit: Unit
) -> Result:
    """``period_end``'s last day and unpublished years, without the description."""
    key = ("period_end", start, amount, unit)
    found = calendar._results.get(key)
    if found is None:
        plain = _plain_end(start, amount, unit)
        end = dt.date.fromordinal(calendar._next_working(plain.toordinal()))
        found = calendar._result(key, end, calendar.unpublished(plain, end))
    return found


def period_end(
    calendar: WorkingDayCalendar,
    start: dt.date,
    amount: int,
    unit: Literal["days", "months", "years"],
) -> DateComputation:
    """Last day of a statutory period of ``amount`` ``unit`` beginning the day after ``start``."""
    key = ("period_end", start, amount, unit)
    found = calendar._computations.get(key)
    if found is not None:
        return found
    plain = _plain_end(start, amount, unit)
    end, unpublished = period_end_result(calendar, start, amount, unit)
    moved = [calendar.note(plain + dt.timedelta(days=i)) for i in range((end - plain).days)]
    length = f"{amount} {unit[:-1] if amount == 1 else unit}"
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
    days = tuple(note for note in moved if note is not None)
    computation = DateComputation(
        "period_end", start, amount, unit, end, plain, days, unpublished, basis
    )
    return calendar._computation(key, computation)


# ------------------------------------------------------------------ working days


def _counted(function: str, amount: int) -> None:
    if amount < 0:
        raise ValueError(f"{function}: cannot count {amount} working days (a negative number)")


def add_working_days_result(calendar: WorkingDayCalendar, start: dt.date, amount: int) -> Result:
    key = ("add_working_days", start, amount)
    found = calendar._results.get(key)
    if found is None:
        _counted("add_working_days", amount)
        day = dt.date.fromordinal(calendar._walk(start.toordinal(), amount, 1))
        unpublished = calendar.unpublished(start + _ONE_DAY, day) if amount else ()
        found = calendar._result(key, day, unpublished)
    return found


def subtract_working_days_result(
    calendar: WorkingDayCalendar, start: dt.date, amount: int
) -> Result:
    key = ("subtract_working_days", start, amount)
    found = calendar._results.get(key)
    if found is None:
        _counted("subtract_working_days", amount)
        day = dt.date.fromordinal(calendar._walk(start.toordinal(), amount, -1))
        unpublished = calendar.unpublished(day, start - _ONE_DAY) if amount else ()
        found = calendar._result(key, day, unpublished)
    return found


def nth_working_day_result(calendar: WorkingDayCalendar, start: dt.date, amount: int) -> Result:
    key = ("nth_working_day", start, amount)
    found = calendar._results.get(key)
    if found is None:
        if amount < 1:
            raise ValueError(f"nth_working_day: working days are counted from 1, not {amount}")
        day = dt.date.fromordinal(calendar._walk(start.toordinal() - 1, amount, 1))
        found = calendar._result(key, day, calendar.unpublished(start, day))
    return found


def count_working_days_result(calendar: WorkingDayCalendar, start: dt.date, end: dt.date) -> Result:
    key = ("count_working_days", start, end)
    found = calendar._results.get(key)
    if found is None:
        counted = calendar._count((start + _ONE_DAY).toordinal(), end.toordinal())
        unpublished = calendar.unpublished(start + _ONE_DAY, end) if end > start else ()
        found = calendar._result(key, counted, unpublished)
    return found


def count_working_days_inclusive_result(
    calendar: WorkingDayCalendar, start: dt.date, end: dt.date
) -> Result:
    key = ("count_working_days_inclusive", start, end)
    found = calendar._results.get(key)
    if found is None:
        counted = calendar._count(start.toordinal(), end.toordinal())
        unpublished = calendar.unpublished(start, end) if end >= start else ()
        found = calendar._result(key, counted, unpublished)
    return found


def _skipped(notable: list[DayNote], weekends: int) -> str:
    holidays_skipped = sum(1 for n in notable if n.kind == "public_holiday")
    return (
        f"skipped {holidays_skipped} statutory holiday(s) and {weekends} weekend day(s), "
        f"counted {len(notable) - holidays_skipped} make-up workday(s)"
    )


def _described(
    calendar: WorkingDayCalendar,
    function: str,
    start: dt.date,
    given: Any,
    span: Callable[[Any], tuple[dt.date, dt.date]],
    basis: Callable[[Any, list[DayNote], int], str],
) -> DateComputation:
    """A working-day function's computation, described: its result and unpublished years (from
    its ``_result`` twin), the holidays and make-up workdays within ``span(result)`` (both days
    included), and its ``basis``. ``given`` is the amount, or the end day of a count."""
    key = (function, start, given)
    remembered = calendar._computations.get(key)
    if remembered is not None:
        return remembered
    result, unpublished = _RESULTS[function](calendar, start, given)
    first, last = span(result)
    notable, weekends = calendar._notable(first.toordinal(), last.toordinal())
    amount = result if function.startswith("count") else given
    computation = DateComputation(
        function,
        start,
        amount,
        "working_days",
        result,
        None,
        tuple(notable),
        unpublished,
        basis(result, notable, weekends),
    )
    return calendar._computation(key, computation)


def add_working_days(calendar: WorkingDayCalendar, start: dt.date, amount: int) -> DateComputation:
    """The ``amount``-th working day after ``start`` (the start day is not counted)."""
    return _described(
        calendar,
        "add_working_days",
        start,
        amount,
        lambda day: (start + _ONE_DAY, day),
        lambda day, notable, weekends: (
            f"{amount} working days after {start.isoformat()} (start day not counted): "
            f"{day.isoformat()}; {_skipped(notable, weekends)}"
        ),
    )


def subtract_working_days(
    calendar: WorkingDayCalendar, start: dt.date, amount: int
) -> DateComputation:
    """The ``amount``-th working day before ``start`` (the start day is not counted):
    "N个工作日前". Zero working days before ``start`` is ``start``, even on a rest day."""
    return _described(
        calendar,
        "subtract_working_days",
        start,
        amount,
        lambda day: (day, start - _ONE_DAY),
        lambda day, notable, weekends: (
            f"{amount} working days before {start.isoformat()} (start day not counted): "
            f"{day.isoformat()}; {_skipped(notable, weekends)}"
        ),
    )


def nth_working_day(calendar: WorkingDayCalendar, start: dt.date, amount: int) -> DateComputation:
    """The ``amount``-th working day counting ``start`` itself when it is a working day
    (``amount`` >= 1): the first working day is ``start``, or the next one after a rest day."""
    return _described(
        calendar,
        "nth_working_day",
        start,
        amount,
        lambda day: (start, day),
        lambda day, notable, weekends: (
            f"working day {amount} counting from {start.isoformat()} (start day counted when a "
            f"working day): {day.isoformat()}; {_skipped(notable, weekends)}"
        ),
    )


def count_working_days(
    calendar: WorkingDayCalendar, start: dt.date, end: dt.date
) -> DateComputation:
    """Working days after ``start`` up to and including ``end`` (0 when ``end <= start``)."""
    return _described(
        calendar,
        "count_working_days",
        start,
        end,
        lambda _: (start + _ONE_DAY, end),
        lambda counted, notable, weekends: (
            f"{counted} working days after {start.isoformat()} up to and including "
            f"{end.isoformat()}"
        ),
    )


def count_working_days_inclusive(
    calendar: WorkingDayCalendar, start: dt.date, end: dt.date
) -> DateComputation:
    """Working days from ``start`` to ``end``, both included (0 when ``end < start``)."""
    return _described(
        calendar,
        "count_working_days_inclusive",
        start,
        end,
        lambda _: (start, end),
        lambda counted, notable, weekends: (
            f"{counted} working days from {start.isoformat()} to {end.isoformat()}, both included"
        ),
    )


_RESULTS: dict[str, Callable[[WorkingDayCalendar, dt.date, Any], Result]] = {
    "add_working_days": add_working_days_result,
    "subtract_working_days": subtract_working_days_result,
    "nth_working_day": nth_working_day_result,
    "count_working_days": count_working_days_result,
    "count_working_days_inclusive": count_working_days_inclusive_result,
}


# ------------------------------------------------------------------ ages


def age_years(birth: dt.date, on: dt.date) -> int:
    """Completed years of age (周岁) on ``on`` of a person born on ``birth``.

    An age is reached on the anniversary of the birth: a person born on 29 February reaches it
    on 28 February in a common year, the corresponding day ``add_years`` gives (第二百零二条).
    The criminal-law reading, an age reached the day after the birthday, is the age on the day
    before: ``age_years(birth, on - 1 day)``. A day before the birth date is an error.
    """
    _after_birth("age_years", birth, on)
    years = on.year - birth.year
    # the anniversary in on's year: birth's month and day, 28 February for a 29 February
    if birth.month != on.month:
        return years if birth.month < on.month else years - 1
    day = birth.day
    if day == 29 and birth.month == 2:
        day = days_in_month(on.year, 2)
    return years if day <= on.day else years - 1


def age_months(birth: dt.date, on: dt.date) -> int:
    """Completed months of age on ``on`` of a person born on ``birth``: reached on the
    corresponding day of each month, or that month's last day when it has none (第二百零二条)."""
    _after_birth("age_months", birth, on)
    months = (on.year - birth.year) * 12 + on.month - birth.month
    # the monthly anniversary in on's month is birth's day, or the month's last day
    if birth.day <= on.day or on.day == days_in_month(on.year, on.month):
        return months
    return months - 1


def _after_birth(function: str, birth: dt.date, on: dt.date) -> None:
    if on < birth:
        raise ValueError(
            f"{function}({birth.isoformat()}, {on.isoformat()}): the day is before the birth date"
        )
