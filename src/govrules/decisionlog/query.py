"""The questions a decision log answers: which records, by policy, outcome, time and facts.

Policy, outcome and time narrow the records in SQL (both databases, the same text); facts are
compared afterwards, record by record, with the value as the decision's JSON spells it -- the
one spelling of a fact ("1000000" for money, "2024-01-01" for a date, "true" for yes).

    question = Question.of(policy="cn.national.severance_pay", since=date(2026, 1, 1),
                           facts={"contract_price": "1000000"})
    where, parameters = question.where("?")
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import field
from typing import Any

from govrules.canonical import jcs
from govrules.decisionlog.chain import DecisionLogError, LogRecord
from govrules.engine import BEIJING
from govrules.records import record
from govrules.runtime.decision import canonical_facts

__all__ = ["Moment", "Question", "fact_text", "time_bound"]

Moment = dt.date | dt.datetime | str


def time_bound(value: Moment, name: str, *, end: bool) -> tuple[str, bool]:
    """A bound on ``recorded_at`` as stored text (UTC), and whether it is exclusive.

    A date is a day in Beijing, the day of the law: ``since`` it is its first instant,
    ``until`` it is the whole day (before the next day's first instant). A date-time must name
    its offset (``2026-11-21T08:00:00+08:00`` or ``...Z``); both of its bounds are inclusive."""
    if isinstance(value, str):
        value = _parse_moment(value, name)
    if isinstance(value, dt.datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            raise DecisionLogError(
                f"{name}: {value.isoformat()} has no time zone: add its offset, such as +08:00 or Z"
            )
        return _stored(value), False
    if isinstance(value, dt.date):
        day = value + dt.timedelta(days=1) if end else value
        return _stored(dt.datetime.combine(day, dt.time(), BEIJING)), end
    raise DecisionLogError(f"{name}: expected a date or a date-time, not a {type(value).__name__}")


def _parse_moment(text: str, name: str) -> dt.date | dt.datetime:
    try:
        if len(text) == 10:
            return dt.date.fromisoformat(text)
        return dt.datetime.fromisoformat(text)
    except ValueError:
        raise DecisionLogError(
            f"{name}: {text[:40]!r} is neither a date YYYY-MM-DD nor a date-time "
            "YYYY-MM-DDTHH:MM:SS+08:00"
        ) from None


def _stored(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat(timespec="microseconds")


def fact_text(value: Any) -> str:
    """A fact as one text, spelled as a decision's JSON spells it: strings as they are,
    true/false, integers in digits, decimals exact without trailing zeros, dates ISO, null,
    lists and records as canonical JSON."""
    if isinstance(value, str):
        return value
    if value is None or isinstance(value, (bool, int)):
        return json.dumps(value)
    spelled = canonical_facts({"fact": value}).get("fact")
    return spelled if isinstance(spelled, str) else jcs(spelled).decode("utf-8")


@record
class Question:
    """Which records: every part optional, all given parts must hold."""

    policy: str | None = None
    outcome: str | None = None
    since: tuple[str, bool] | None = None
    until: tuple[str, bool] | None = None
    facts: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of(
        cls,
        *,
        policy: str | None = None,
        outcome: str | None = None,
        since: Moment | None = None,
        until: Moment | None = None,
        facts: Mapping[str, Any] | None = None,
    ) -> Question:
        wanted = {}
        for name, value in (facts or {}).items():
            if not isinstance(name, str):
                raise DecisionLogError(f"facts: a fact's name is text, not {name!r}")
            try:
                wanted[name] = fact_text(value)
            except (TypeError, ValueError):
                raise DecisionLogError(
                    f"facts: {name}: a {type(value).__name__} is not a value a decision's JSON "
                    "holds (give text, a Decimal, an int, a bool or a date)"
                ) from None
        return cls(
            policy,
            outcome,
            None if since is None else time_bound(since, "since", end=False),
            None if until is None else time_bound(until, "until", end=True),
            wanted,
        )

    def where(self, placeholder: str) -> tuple[str, list[Any]]:
        """The SQL condition on the records table (``1 = 1`` for none) and its parameters."""
        conditions, parameters = ["1 = 1"], []
        if self.policy is not None:
            conditions.append(f"policy = {placeholder}")
            parameters.append(self.policy)
        if self.outcome is not None:
            conditions.append(f"outcome = {placeholder}")
            parameters.append(self.outcome)
        if self.since is not None:
            conditions.append(f"recorded_at >= {placeholder}")
            parameters.append(self.since[0])
        if self.until is not None:
            operator = "<" if self.until[1] else "<="
            conditions.append(f"recorded_at {operator} {placeholder}")
            parameters.append(self.until[0])
        return " AND ".join(conditions), parameters

    def holds_for(self, record: LogRecord) -> bool:
        """Whether the record's decision has every fact asked for (the SQL part already held)."""
        if not self.facts:
            return True
        given = json.loads(record.decision).get("facts", {})
        return all(
            name in given and fact_text(given[name]) == value for name, value in self.facts.items()
        )
