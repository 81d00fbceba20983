"""What a decision reports beside its values: the facts it misses and its notices.

Missing facts are reported all at once: required facts (or facts required by a condition on
other facts), and the optional facts that a ``report_missing`` output could not do without.
Notices warn of dates computed on an estimated holiday calendar and of figures not verified
against an authoritative text.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from govrules.calendar import DateComputation
from govrules.compiler.policy import CompiledInput, CompiledPolicy, CompiledRule, Notice
from govrules.compiler.tables import Table
from govrules.runtime.decision import MissingFact
from govrules.runtime.plans import policy_plan
from govrules.runtime.trace_events import missing_event
from govrules.values import MISSING, to_json_value

__all__ = [
    "calendar_notices",
    "missing_for_outputs",
    "missing_required",
    "undated_notice",
    "unverified_notices",
]


def missing_required(
    policy: CompiledPolicy, values: list[Any], emit: Callable[..., None] | None
) -> tuple[MissingFact, ...]:
    """The required facts the case does not give (``emit`` reports them to the trace)."""
    found = []
    for item in policy.required_checks:
        if values[item.slot] is not MISSING:
            continue
        if item.required:
            reason = "required"
        elif item.required_when is not None and item.required_when(values) is True:
            reason = "when"
        else:
            continue
        found.append(_required(policy, item, reason))
    if found and emit is not None:
        emit(missing_event, tuple(found))
    return tuple(found)


def _required(policy: CompiledPolicy, item: CompiledInput, reason: str) -> MissingFact:
    """The record of a missing required fact: it depends on the input and the reason only,
    and is immutable, so each policy makes it once."""
    cache = policy_plan(policy).missing
    record = cache.get(("required", item.name, reason))
    if record is None:
        why = "required" if reason == "required" else f"required when {item.required_when_text}"
        record = MissingFact(item.name, True, why, (), item.title_zh, item.title_en, item.citations)
        cache[("required", item.name, reason)] = record
    return record


def missing_for_outputs(
    policy: CompiledPolicy, values: list[Any], already: tuple[MissingFact, ...]
) -> tuple[MissingFact, ...]:
    """Optional facts that a ``report_missing`` output could not do without."""
    needed: dict[str, list[str]] = {}
    for output in policy.outputs:
        if output.report_missing and values[output.slot] is MISSING:
            for name in output.optional_inputs:
                if values[policy.inputs_by_name[name].slot] is MISSING:
                    needed.setdefault(name, []).append(output.name)
    known = {m.fact for m in already}
    cache = policy_plan(policy).missing
    found = []
    for name, outputs in needed.items():
        if name in known:
            continue
        record = cache.get(("needed", name, *outputs))
        if record is None:
            item = policy.inputs_by_name[name]
            record = MissingFact(
                name,
                False,
                "needed for " + ", ".join(outputs),
                tuple(outputs),
                item.title_zh,
                item.title_en,
                item.citations,
            )
            cache[("needed", name, *outputs)] = record
        found.append(record)
    return tuple(found)


def calendar_notices(dates: list[DateComputation]) -> list[Notice]:
    years = sorted({year for d in dates for year in d.unpublished_years})
    if not years:
        return []
    listed = ", ".join(str(y) for y in years)
    return [
        Notice(
            "calendar-unpublished",
            "warning",
            f"a date computation reaches {listed}, for which no official State Council "
            "holiday schedule is in the calendar; the result uses estimated holidays "
            "and no make-up workdays",
            f"日期计算涉及{listed}年，该年度国务院节假日安排尚未收录，结果按估计的节假日计算",
            (),
        )
    ]


def unverified_notices(
    policy: CompiledPolicy, applied: list[CompiledRule], as_of: dt.date, unverified: frozenset[str]
) -> list[Notice]:
    flagged: list[Notice] = []
    seen: set[str] = set()
    for rule in applied:
        for name, _, origin in rule.reads:
            if origin != "parameter" or name in seen or name not in unverified:
                continue
            value = policy.parameters_by_name[name].at(as_of)
            if value is not None and value.unverified:
                seen.add(name)
                shown = (
                    "(a table)" if isinstance(value.value, Table) else to_json_value(value.value)
                )
                flagged.append(
                    Notice(
                        "unverified",
                        "warning",
                        f"parameter '{name}' = {shown} is not verified "
                        "against an authoritative text" + (f": {value.note}" if value.note else ""),
                        None,
                        value.citations,
                        rule.id,
                    )
                )
    return flagged


def undated_notice(policy: CompiledPolicy, parameters: frozenset[str]) -> Notice:
    """The text (or a figure of it) states no date it took effect: the decision assumes it
    was in force on the date decided, and says so."""
    what = []
    if policy.undated:
        what.append(f"policy {policy.id}")
    what.extend(f"parameter '{name}'" for name in sorted(parameters))
    return Notice(
        "undated-source",
        "warning",
        f"the source of {', '.join(what)} states no date it took effect; the decision assumes "
        "it was in force on the date decided",
        "所依据的文件未载明施行日期，本决定按其在决定日有效处理",
        (),
    )
