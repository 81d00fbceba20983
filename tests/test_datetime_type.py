"""The ``datetime`` type: a local (Beijing) date and time, for limits counted in hours."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from govrules.errors import PolicyLoadError
from govrules.language.expr.types import DATETIME
from govrules.language.reader import read_yaml_file
from govrules.runtime.casemodel import InvalidCase, _base_check, _local_datetime


def test_yaml_reads_a_local_date_and_time(tmp_path: Path) -> None:
    path = tmp_path / "case.yaml"
    path.write_text("reported_at: 2026-03-02T09:30:00\nday: 2026-03-02\n", encoding="utf-8")
    data = read_yaml_file(path)
    assert data["reported_at"] == dt.datetime(2026, 3, 2, 9, 30)
    assert data["day"] == dt.date(2026, 3, 2)


def test_yaml_refuses_a_time_zone(tmp_path: Path) -> None:
    path = tmp_path / "case.yaml"
    path.write_text("reported_at: 2026-03-02T09:30:00+08:00\n", encoding="utf-8")
    with pytest.raises(PolicyLoadError) as caught:
        read_yaml_file(path)
    (diagnostic,) = caught.value.diagnostics
    assert diagnostic.code == "yaml-date"
    assert (diagnostic.span.line, diagnostic.span.column) == (1, 14)
    assert "without a time zone" in (diagnostic.hint or "")


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("2026-03-02T09:30", dt.datetime(2026, 3, 2, 9, 30)),
        ("2026-03-02 09:30:15", dt.datetime(2026, 3, 2, 9, 30, 15)),
        (dt.datetime(2026, 3, 2, 9, 30), dt.datetime(2026, 3, 2, 9, 30)),
    ],
)
def test_case_values_accepted(given: object, expected: dt.datetime) -> None:
    assert _local_datetime(given) == expected
    assert _base_check(DATETIME)(given) == expected


@pytest.mark.parametrize(
    "given",
    [
        "2026-03-02",
        "2026-03-02T09:30+08:00",
        "2026-02-30T09:30",
        dt.datetime(2026, 3, 2, 9, 30, tzinfo=dt.UTC),
        dt.date(2026, 3, 2),
        1700000000,
    ],
)
def test_case_values_refused(given: object) -> None:
    with pytest.raises(ValueError):
        _local_datetime(given)
    with pytest.raises(InvalidCase):
        _base_check(DATETIME)(given)


def test_policy_tests_read_an_expected_date_and_time_as_a_case_writes_it() -> None:
    from govrules.authoring.testing import _same

    moment = dt.datetime(2026, 9, 10, 11, 30)
    assert _same("2026-09-10T11:30", moment)
    assert _same("2026-09-10T11:30:00", moment)
    assert not _same("2026-09-10T11:31", moment)
    assert not _same("not a time", moment)
