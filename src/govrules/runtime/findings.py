"""What a decision reports beside its values: the facts it misses and its notices.

Missing facts are reported all at once: required facts (or facts required by a condition on
other facts), and the optional facts that a ``report_missing`` output could not do without.
Notices warn of dates computed on an estimated holiday calendar and of figures not verified
against an authoritative text.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from govrules.calendar import DateComputation
from govrules.compiler.policy import CompiledPolicy, CompiledRule, Notice
from govrules.compiler.tables import Table
from govrules.runtime.decision import MissingFact
from govrules.runtime.trace import Recorder
from govrules.values import MISSING, to_json_value

__all__ = [
    "calendar_notices",
    "missing_for_outputs",
    "missing_required",
    "undated_notice",
    "unverified_notices",
]


def missing_required(
    policy: CompiledPolicy, values: list[Any], recorder: Recorder
) -> tuple[MissingFact, ...]:
    found = []
    for item in policy.required_checks:
        if values[item.slot] is not MISSING:
            continue
        if item.required:
            reason = "required"
        elif item.required_when is not None and item.required_when(values) is True:
            reason = f"required when {item.required_when_text}"
        else:
            continue
        found.append(
            MissingFact(item.name, True, reason, (), item.title_zh, item.title_en, item.citations)
        )
    if found and recorder.enabled:
        recorder.record({"event": "missing", "facts": [m.to_dict() for m in found]})
    return tuple(found)


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
    return tuple(
        MissingFact(
            name,
            False,
            "needed for " + ", ".join(outputs),
            tuple(outputs),
            policy.inputs_by_name[name].title_zh,
            policy.inputs_by_name[name].title_en,
            policy.inputs_by_name[name].citations,
        )
        for name, outputs in needed.items()
        if name not in known
    )


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
    if policy.model.effective.undated:
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
