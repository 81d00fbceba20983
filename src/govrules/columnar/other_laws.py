"""The ``law-hierarchy`` notice over a table: each policy of another norm a policy declares
(``superior:``/``related:``) decided on the same facts, in columns, beside this one.

    laws = compare_other_laws(engine, policy, as_of, facts, run, rows)
    laws[0].present          # rows the comparison applies to (its ``when``)
    laws[0].notice(key)      # the notice of one shape of rows, with holes for their values

As ``Engine._compare_other_laws``: the other policy gets the facts it shares with this one
(in their one spelling), is decided without a trace, and the notice compares the outputs
named; which norm prevails comes from the two policies' sources. A row the other policy
would refuse, or cannot decide in columns, is decided by the per-case engine.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import polars as pl

from govrules.columnar.arithmetic import compare
from govrules.columnar.columns import Column, NotColumnar, kind_of
from govrules.columnar.facts import Facts, out_of_bounds
from govrules.columnar.missing import missing_keys
from govrules.columnar.rules import RuleRun, run_rules
from govrules.columnar.templates import Hole
from govrules.compiler.header import OtherLaw as OtherLawEntry
from govrules.compiler.policy import CompiledPolicy, Notice
from govrules.engine import Engine
from govrules.errors import UnknownPolicyError
from govrules.runtime.hierarchy import law_hierarchy_notice
from govrules.values import MISSING

__all__ = ["OtherLaw", "compare_other_laws", "other_law_entries"]


def other_law_entries(policy: CompiledPolicy) -> list[tuple[str, OtherLawEntry]]:
    """The other norms' policies a policy compares itself with, superior ones first."""
    return [(entry.relation, entry) for entry in policy.header.other_laws]


@dataclass
class OtherLaw:
    """One other norm's comparison, row by row."""

    relation: str
    entry: OtherLawEntry
    policy: CompiledPolicy
    other: CompiledPolicy
    present: pl.Series
    this: list[Column]  # per compared output
    that: list[Column]
    same: list[pl.Series]
    outcome: pl.Series
    problem: pl.Series  # "missing a, b", or null
    failed: pl.Series

    def key_columns(self, prefix: str) -> dict[str, pl.Series]:
        """What tells apart the notices of two rows (their values aside)."""
        rows = self.present.len()
        found = {f"{prefix}p": self.present, f"{prefix}o": self.outcome, f"{prefix}q": self.problem}
        for index, (a, b, same) in enumerate(zip(self.this, self.that, self.same, strict=True)):
            found[f"{prefix}a{index}"] = a.known(rows)
            found[f"{prefix}b{index}"] = b.known(rows)
            found[f"{prefix}s{index}"] = same
        return found

    def notice(
        self,
        key: dict[str, Any],
        prefix: str,
        holes: list[tuple[int, int, int, int]],
        engine: Engine,
    ) -> Notice | None:
        """The notice of rows with this key, its values as holes: per compared output the
        numbers of (this token, this text, other token, other text)."""
        if not key[f"{prefix}p"]:
            return None
        values: dict[str, Any] = {}
        others: dict[str, Any] = {}
        pairs = list(self.entry.outputs.items())
        for index, (mine, theirs) in enumerate(pairs):
            same = bool(key[f"{prefix}s{index}"])
            a_token, a_text, b_token, b_text = holes[index]
            values[mine] = Hole(a_token, a_text, same) if key[f"{prefix}a{index}"] else None
            others[theirs] = Hole(b_token, b_text, same) if key[f"{prefix}b{index}"] else None
        return law_hierarchy_notice(
            self.relation,
            self.entry,
            self.policy,
            values,
            self.other,
            others,
            key[f"{prefix}o"],
            key[f"{prefix}q"],
            None,
            engine.sources,
        )


def compare_other_laws(
    engine: Engine,
    policy: CompiledPolicy,
    as_of: dt.date,
    facts: Facts,
    run: RuleRun,
    rows: int,
) -> list[OtherLaw]:
    found = []
    for relation, entry in other_law_entries(policy):
        if entry.facts_date is not None:
            raise NotColumnar("a law-hierarchy comparison by the date of the facts")
        try:
            other = engine.policy(entry.policy, as_of)
        except UnknownPolicyError:
            continue  # not loaded, or not in force on the day: nothing to compare
        found.append(_compare(engine, relation, entry, policy, other, as_of, facts, run, rows))
    return found


def _compare(
    engine: Engine,
    relation: str,
    entry: OtherLawEntry,
    policy: CompiledPolicy,
    other: CompiledPolicy,
    as_of: dt.date,
    facts: Facts,
    run: RuleRun,
    rows: int,
) -> OtherLaw:
    present = pl.repeat(True, rows, eager=True)
    for name, wanted in entry.when.items():
        choices = wanted if isinstance(wanted, list) else [wanted]
        column = facts.columns.get(name)
        if column is None or column.kind not in ("str", "bool", "int"):
            raise NotColumnar(f"a law-hierarchy condition on {name}")
        present = present & column.series(rows).is_in(choices).fill_null(False)
    pairs = entry.inputs or {
        name: name for name in other.model.inputs if name in policy.model.inputs
    }
    failed = pl.repeat(False, rows, eager=True)
    shared: dict[str, Column] = {}
    for theirs, mine in pairs.items():
        column = facts.columns[mine]
        target = other.inputs_by_name[theirs]
        if _kind_problem(policy.inputs_by_name[mine].type, target.type):
            raise NotColumnar(f"input {theirs} of {other.id} is not of the type of {mine}")
        if target.type.kind == "enum" and not column.constant:
            allowed = column.series(rows).is_in(list(target.type.values or ()))
            failed = failed | (column.known(rows) & ~allowed.fill_null(False))
        failed = failed | out_of_bounds(other, target, column, rows)
        shared[theirs] = column
    for item in other.inputs:
        shared.setdefault(item.name, Column.of(MISSING, kind_of(item.type)))
    other_facts = Facts(shared, failed)
    other_run = run_rules(other, as_of, engine.calendar, other_facts, rows)
    failed = failed | other_run.failed
    missing_names = missing_keys(other, other_run, rows).names
    problem = (
        pl.DataFrame({"m": missing_names})
        .select(pl.when(pl.col("m") == "").then(None).otherwise("missing " + pl.col("m")))
        .to_series()
    )
    this, that, same = [], [], []
    this_slots = dict(policy.public_slots)
    that_slots = dict(other.public_slots)
    for mine, theirs in entry.outputs.items():
        a = run.state[this_slots[mine]] if mine in this_slots else Column.of(MISSING, "str")
        b = (
            other_run.state[that_slots[theirs]]
            if theirs in that_slots
            else Column.of(MISSING, "str")
        )
        compared = compare("==", a, b, rows)
        if compared is None:
            raise NotColumnar(f"outputs {mine} and {theirs} cannot be compared in columns")
        equal, over = compared
        failed = failed | over
        this.append(a)
        that.append(b)
        same.append(equal.series(rows).fill_null(False))
    return OtherLaw(
        relation,
        entry,
        policy,
        other,
        present,
        this,
        that,
        same,
        other_run.outcome,
        problem,
        failed & present,
    )


def _kind_problem(mine: Any, theirs: Any) -> bool:
    if mine.kind == theirs.kind:
        return False
    return {mine.kind, theirs.kind} != {"enum", "text"}
