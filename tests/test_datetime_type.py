"""The ``datetime`` type: a local (Beijing) date and time, for limits counted in hours."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from govrules import Engine
from govrules.errors import PolicyLoadError
from govrules.language.expr.types import DATETIME
from govrules.language.reader import read_yaml_file
from govrules.runtime.case_values import scalar_check
from govrules.runtime.casemodel import InvalidCase, build_converter

_local_datetime = scalar_check(DATETIME)  # the value check the case model and converter share
_SOW = next(p for p in Engine.default().policies()
            if p.id == "cn.hubei.jingmen.dongbao.breeding_sow_insurance")
_REPORT_SLOT = _SOW.inputs_by_name["report_time"].slot
_CONVERT = build_converter(_SOW)


def _converted(value: object) -> object:
    """The fast converter's reading of a case giving only this date and time."""
    return _CONVERT({"report_time": value})[_REPORT_SLOT]


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
    assert _converted(given) == expected


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
        _converted(given)


def test_policy_tests_read_an_expected_date_and_time_as_a_case_writes_it() -> None:
    from govrules.authoring.testing import _same

    moment = dt.datetime(2026, 9, 10, 11, 30)
    assert _same("2026-09-10T11:30", moment)
    assert _same("2026-09-10T11:30:00", moment)
    assert not _same("2026-09-10T11:31", moment)
    assert not _same("not a time", moment)
