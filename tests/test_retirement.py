"""The retirement policy against the reform's attachment tables, row by row.

The expected rows are computed here independently from the text of 办法 第一条 (one month of
delay per four birth months for men and women of original age 55, per two for women of
original age 50, counting the first affected month as one, up to 36 / 36 / 60 months), and the
anchor rows of the legal-facts reference are checked against that computation first.
"""

from __future__ import annotations

import datetime as dt

import pytest

from govrules import Engine

POLICY = "cn.national.retirement_eligibility"
DAY = dt.date(2026, 11, 21)
# category: (facts, original age in months, first affected birth month, step, cap)
CATEGORIES = {
    "men": ({"sex": "male"}, 720, (1965, 1), 4, 36),
    "women_55": ({"sex": "female", "position_type": "cadre"}, 660, (1970, 1), 4, 36),
    "women_50": ({"sex": "female", "position_type": "worker"}, 600, (1975, 1), 2, 60),
}
# minimum contribution months by the year the statutory age is reached (办法 附件4)
MINIMUM = {2029: 180, 2030: 186, 2031: 192, 2032: 198, 2033: 204, 2034: 210, 2035: 216,
           2036: 222, 2037: 228, 2038: 234, 2039: 240, 2040: 240}


def expected_age(category: str, year: int, month: int) -> int:
    _, original, (first_year, first_month), step, cap = CATEGORIES[category]
    k = (year - first_year) * 12 + (month - first_month)
    return original if k < 0 else original + min(cap, k // step + 1)


def retirement_month(year: int, month: int, age_months: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + age_months
    return index // 12, index % 12 + 1


def test_the_independent_computation_matches_the_published_anchor_rows() -> None:
    # legal-facts reference, attachment tables 1-3: first row, cap first reached
    assert retirement_month(1965, 1, expected_age("men", 1965, 1)) == (2025, 2)
    assert expected_age("men", 1965, 4) == 721 and expected_age("men", 1964, 12) == 720
    assert expected_age("men", 1976, 9) == 756 and expected_age("men", 1976, 8) < 756
    assert retirement_month(1976, 9, 756) == (2039, 9)
    assert expected_age("women_55", 1970, 1) == 661 and expected_age("women_55", 1981, 9) == 696
    assert expected_age("women_55", 1981, 8) < 696
    assert expected_age("women_50", 1975, 1) == 601 == expected_age("women_50", 1975, 2)
    assert retirement_month(1975, 2, 601) == (2025, 3)
    assert expected_age("women_50", 1984, 11) == 660 and expected_age("women_50", 1984, 10) < 660
    assert retirement_month(1984, 11, 660) == (2039, 11)


ROWS = [(category, year, month) for category, (_, _, (first, _), _, _) in CATEGORIES.items()
        for year in range(first - 1, first + 13) for month in range(1, 13)]


@pytest.mark.parametrize(("category", "year", "month"), ROWS,
                         ids=[f"{c}-{y}-{m:02d}" for c, y, m in ROWS])
def test_every_row_of_the_attachment_tables(engine: Engine, category: str, year: int,
                                            month: int) -> None:
    facts = {**CATEGORIES[category][0], "birth_date": dt.date(year, month, 10),
             "work_start_date": dt.date(year + 20, 7, 1), "contribution_months": 300}
    values = engine.evaluate(POLICY, facts, as_of=DAY, trace=False).values
    age = expected_age(category, year, month)
    assert values["statutory_retirement_age_months"] == age
    assert values["delay_months"] == age - CATEGORIES[category][1]
    retire_year, retire_month = retirement_month(year, month, age)
    assert values["statutory_retirement_date"] == dt.date(retire_year, retire_month, 10)


@pytest.mark.parametrize("year", sorted(MINIMUM))
def test_minimum_contribution_schedule(engine: Engine, year: int) -> None:
    # a man whose statutory date falls in ``year``
    birth = next((y, m) for y in range(1960, 1990) for m in range(1, 13)
                 if retirement_month(y, m, expected_age("men", y, m))[0] == year)
    facts = {"sex": "male", "birth_date": dt.date(birth[0], birth[1], 10),
             "work_start_date": dt.date(1990, 7, 1), "contribution_months": 100}
    values = engine.evaluate(POLICY, facts, as_of=DAY, trace=False).values
    assert values["statutory_retirement_date"].year == year
    assert values["min_contribution_months"] == MINIMUM[year]
    assert values["contribution_shortfall_months"] == MINIMUM[year] - 100
