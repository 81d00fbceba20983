"""Property tests: the wage-deposit policy through the real engine, and legal-time laws."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from govrules.calendar import (
    WorkingDayCalendar,
    add_working_days,
    count_working_days,
    period_end,
)
from govrules.engine import Engine
from govrules.values import MISSING

POLICIES = Path(__file__).resolve().parents[1] / "policies"
POLICY_ID = "cn.jilin.taobei.wage_deposit"
AS_OF = dt.date(2026, 11, 21)
CAL = WorkingDayCalendar.prc()
FEN = Decimal("0.01")
FLOOR, CAP = Decimal("0.02"), Decimal("0.06")

SETTINGS = settings(max_examples=200, deadline=None)


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine.from_directory(POLICIES)


prices = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("1e10"), places=2,
                     allow_nan=False, allow_infinity=False).map(str)
rates = st.decimals(min_value=Decimal("0.0001"), max_value=Decimal("1"), places=4,
                    allow_nan=False, allow_infinity=False).map(str)


@SETTINGS
@given(price=prices, first=st.booleans(), previous=rates, arrears=st.booleans())
def test_wage_deposit_rates_and_amounts_stay_lawful(engine: Engine, price: str, first: bool,
                                                    previous: str, arrears: bool) -> None:
    case = {"contract_price": price, "first_deposit": first, "previous_rate": previous,
            "arrears_in_previous_period": arrears}
    decision = engine.evaluate(POLICY_ID, case, as_of=AS_OF, trace=False)
    assert decision.outcome == "assessed"
    values = decision.values
    rate_min, rate_max = values["rate_min"], values["rate_max"]
    amount_min, amount_max = values["amount_min"], values["amount_max"]
    for value in (rate_min, rate_max, amount_min, amount_max):
        assert value is not MISSING
        assert type(value) is Decimal
    assert FLOOR <= rate_min <= rate_max <= CAP
    assert amount_min <= amount_max
    for amount in (amount_min, amount_max):
        assert amount.as_tuple().exponent == -2
        assert amount == amount.quantize(FEN)
    # the amounts are the exact products rounded half-up once, at the end
    contract = Decimal(price)
    assert amount_min == (contract * rate_min).quantize(FEN, rounding=ROUND_HALF_UP)
    assert amount_max == (contract * rate_max).quantize(FEN, rounding=ROUND_HALF_UP)
    assert abs(amount_min - contract * rate_min) <= Decimal("0.005")
    if first:
        assert (rate_min, rate_max) == (Decimal("0.04"), Decimal("0.05"))
    elif arrears:
        assert (rate_min, rate_max) == (Decimal("0.05"), Decimal("0.06"))
    else:
        assert rate_max == min(max(Decimal(previous), FLOOR), CAP)
        assert rate_max - rate_min <= Decimal("0.01")


starts = st.dates(min_value=dt.date(2001, 1, 1), max_value=dt.date(2026, 12, 31))


@SETTINGS
@given(start=starts, amount=st.integers(min_value=0, max_value=400))
def test_period_end_is_a_working_day_not_before_the_plain_end(start: dt.date,
                                                              amount: int) -> None:
    computation = period_end(CAL, start, amount, "days")
    end = computation.result
    plain = start + dt.timedelta(days=amount)
    assert computation.plain_end == plain
    assert CAL.is_working_day(end)
    assert end >= plain
    # every day skipped over is a rest day, and they are exactly the days in between
    assert [note.day for note in computation.days] == [
        plain + dt.timedelta(days=i) for i in range((end - plain).days)]
    assert all(not CAL.is_working_day(note.day) for note in computation.days)


@SETTINGS
@given(start=starts, amount=st.integers(min_value=0, max_value=60),
       more=st.integers(min_value=0, max_value=60))
def test_add_working_days_is_monotonic_in_the_amount(start: dt.date, amount: int,
                                                     more: int) -> None:
    first = add_working_days(CAL, start, amount).result
    second = add_working_days(CAL, start, amount + more).result
    assert first <= second
    if more > 0:
        assert first < second


@SETTINGS
@given(start=starts, shift=st.integers(min_value=0, max_value=60),
       amount=st.integers(min_value=0, max_value=60))
def test_add_working_days_is_monotonic_in_the_start(start: dt.date, shift: int,
                                                    amount: int) -> None:
    later = start + dt.timedelta(days=shift)
    assert add_working_days(CAL, start, amount).result <= \
        add_working_days(CAL, later, amount).result


@SETTINGS
@given(start=starts, amount=st.integers(min_value=0, max_value=120))
def test_count_working_days_inverts_add_working_days(start: dt.date, amount: int) -> None:
    end = add_working_days(CAL, start, amount).result
    assert count_working_days(CAL, start, end).result == amount
    if amount > 0:
        assert CAL.is_working_day(end)
        # one day earlier is one working day short
        assert count_working_days(CAL, start, end - dt.timedelta(days=1)).result == amount - 1


@SETTINGS
@given(accepted=starts, suspended=st.integers(min_value=0, max_value=90),
       more=st.integers(min_value=0, max_value=30))
def test_suspended_days_never_move_the_award_deadline_earlier(engine: Engine, accepted: dt.date,
                                                              suspended: int, more: int) -> None:
    policy = "cn.national.labor_arbitration_time_limits"
    day = dt.date(2026, 11, 21)
    fewer = engine.evaluate(policy, {"acceptance_date": accepted, "suspension_days": suspended},
                            as_of=day, trace=False).values["award_deadline"]
    longer = engine.evaluate(policy, {"acceptance_date": accepted,
                                      "suspension_days": suspended + more},
                             as_of=day, trace=False).values["award_deadline"]
    assert fewer <= longer
    assert CAL.is_working_day(longer)
