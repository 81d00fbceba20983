"""The missing facts of each row, as ``runtime/findings.py`` reports them for one case.

    found = missing_keys(policy, run, rows)
    found.flags              # per row, the flags that decide the list
    found.facts(row_flags)   # the MissingFact records of a row with these flags
    found.names              # per row: "previous_rate, arrears_in_previous_period"

Required facts come first, in the order of the policy's checks; then the optional facts an
output reporting what it misses could not do without, each naming those outputs.
"""

from __future__ import annotations

from typing import Any

import polars as pl

from govrules.columnar.rules import RuleRun
from govrules.compiler.policy import CompiledPolicy
from govrules.records import record
from govrules.runtime.decision import MissingFact

__all__ = ["MissingKeys", "missing_keys"]


@record
class MissingKeys:
    policy: CompiledPolicy
    flags: pl.DataFrame
    names: pl.Series

    def facts(self, flags: dict[str, Any]) -> tuple[MissingFact, ...]:
        return missing_facts(self.policy, flags)


def missing_facts(policy: CompiledPolicy, flags: dict[str, Any]) -> tuple[MissingFact, ...]:
    """The missing facts of a row whose flags are ``flags`` (``missing_required`` and
    ``missing_for_outputs`` of the engine, on those flags)."""
    found = []
    for item in policy.required_checks:
        if flags[f"r:{item.name}"]:
            reason = "required" if item.required else f"required when {item.required_when_text}"
            found.append(
                MissingFact(
                    item.name, True, reason, (), item.title_zh, item.title_en, item.citations
                )
            )
    if not policy.reporting_outputs:
        return tuple(found)
    needed: dict[str, list[str]] = {}
    for output in policy.outputs:
        if output.report_missing and flags[f"o:{output.name}"]:
            for name in output.optional_inputs:
                if flags[f"i:{name}"]:
                    needed.setdefault(name, []).append(output.name)
    known = {m.fact for m in found}
    inputs = policy.inputs_by_name
    return tuple(found) + tuple(
        MissingFact(
            name,
            False,
            "needed for " + ", ".join(outputs),
            tuple(outputs),
            inputs[name].title_zh,
            inputs[name].title_en,
            inputs[name].citations,
        )
        for name, outputs in needed.items()
        if name not in known
    )


def missing_keys(policy: CompiledPolicy, run: RuleRun, rows: int) -> MissingKeys:
    columns: dict[str, pl.Series] = {}
    for item in policy.required_checks:
        columns[f"r:{item.name}"] = run.required_missing[item.name]
    for output in policy.reporting_outputs:
        columns[f"o:{output.name}"] = ~run.state[output.slot].known(rows)
        for name in output.optional_inputs:
            slot = policy.inputs_by_name[name].slot
            columns[f"i:{name}"] = ~run.state[slot].known(rows)
    if not columns:
        empty = pl.DataFrame({"~": pl.repeat(False, rows, eager=True)})
        return MissingKeys(policy, empty, pl.repeat("", rows, eager=True))
    flags = pl.DataFrame(columns)
    distinct = flags.unique(maintain_order=True)
    names = [
        ", ".join(m.fact for m in missing_facts(policy, row))
        for row in distinct.iter_rows(named=True)
    ]
    named = distinct.with_columns(pl.Series("~names", names, pl.String))
    joined = flags.join(named, on=list(flags.columns), how="left", maintain_order="left")
    return MissingKeys(policy, flags, joined["~names"])
