"""Citations, missing facts and notices over a table: each made once for each distinct
combination of what decides it (the rules that applied, the facts missing, the comparison with
another law), by the engine's own code, and given to each row by number.

    parts = Parts(engine, policy, as_of, run, missing, laws, law_holes, years_hole, years, rows)
    parts.ids["citations"]                  # per row: the number of its list of citations
    parts.templates("notices", "full", "c") # per number: the JSON text, holes for row values
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

import polars as pl

from govrules.calendar import DateComputation
from govrules.canonical import plain_jcs
from govrules.columnar.missing import MissingKeys
from govrules.columnar.other_laws import OtherLaw
from govrules.columnar.rules import RuleRun
from govrules.columnar.templates import Pieces, plain, split, text_mark
from govrules.compiler.policy import CompiledPolicy, CompiledRule, Notice
from govrules.engine import Engine
from govrules.runtime.decision import Decision
from govrules.runtime.findings import calendar_notices, undated_notice, unverified_notices
from govrules.values import MISSING

__all__ = ["WRITERS", "Parts", "distinct_ids", "listed_years"]


def _compact(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _spaced(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _canonical(value: Any) -> str:
    return plain_jcs(value).decode("utf-8")


# How each form writes JSON: RFC 8785 for the fingerprint, compact for JSON lines
# (``batch/writing.py``'s ``json_line``), and ``json.dumps``'s default for Parquet's texts.
WRITERS: dict[str, Callable[[Any], str]] = {"jcs": _canonical, "c": _compact, "s": _spaced}


class Parts:
    """Citations, missing facts and notices: each made once for each distinct combination of
    what decides it, and given to each row by number."""

    def __init__(
        self,
        engine: Engine,
        policy: CompiledPolicy,
        as_of: dt.date,
        run: RuleRun,
        missing: MissingKeys,
        laws: list[OtherLaw],
        law_holes: list[list[tuple[int, int, int, int]]],
        years_hole: int,
        years: pl.Series,
        rows: int,
    ) -> None:
        self.rows = rows
        program = run.program
        noticed = [
            index
            for index, rule in enumerate(policy.rules)
            if rule.notice is not None
            or any(
                origin == "parameter" and name in program.unverified
                for name, _, origin in rule.reads
            )
        ]
        keys: dict[str, pl.Series] = {"years": years != ""}
        for index in noticed:
            keys[f"rule{index}"] = run.applied[policy.rules[index].index]
        for number, law in enumerate(laws):
            keys.update(law.key_columns(f"law{number}:"))
        self.notice_ids, combos = distinct_ids(pl.DataFrame(keys))
        self.notices = [
            _notices(engine, policy, as_of, run, laws, law_holes, years_hole, combo)
            for combo in combos
        ]
        applied = {f"rule{i}": run.applied[rule.index] for i, rule in enumerate(policy.rules)}
        self.citation_ids, combos = distinct_ids(pl.DataFrame({**applied, "~n": self.notice_ids}))
        self.citations = []
        for combo in combos:
            rules = [rule for i, rule in enumerate(policy.rules) if combo[f"rule{i}"]]
            notices = tuple(self.notices[combo["~n"]])
            decision = Decision(
                policy,
                as_of,
                "",
                {},
                (),
                notices,
                (),
                [MISSING] * len(policy.inputs),
                rules,
                engine.calendar.provenance,
            )
            self.citations.append([c.to_dict() for c in decision.citations])
        self.missing_ids, combos = distinct_ids(missing.flags)
        self.missing = [missing.facts(combo) if "~" not in combo else () for combo in combos]
        self.notice_dicts = [[plain(n.to_dict()) for n in found] for found in self.notices]
        self.ids = {
            "citations": self.citation_ids,
            "missing": self.missing_ids,
            "notices": self.notice_ids,
        }
        self._templates: dict[tuple[str, str, str], dict[int, Pieces]] = {}

    def objects(self, name: str, kind: str) -> tuple[pl.Series, list[Any]]:
        if name == "citations":
            full: list[Any] = self.citations
            ids, small = self.citation_ids, [[c["ref"] for c in found] for found in full]
        elif name == "missing":
            ids, full = self.missing_ids, [[m.to_dict() for m in found] for found in self.missing]
            small = [[m.fact for m in found] for found in self.missing]
        else:
            ids, full = self.notice_ids, self.notice_dicts
            small = [[n["code"] for n in found] for found in full]
        return ids, full if kind == "full" else small

    def templates(self, name: str, kind: str, writer: str) -> dict[int, Pieces]:
        key = (name, kind, writer)
        found = self._templates.get(key)
        if found is None:
            _, objects = self.objects(name, kind)
            found = {index: split(WRITERS[writer](item)) for index, item in enumerate(objects)}
            self._templates[key] = found
        return found

    def lists(self, name: str) -> pl.Series:
        ids, objects = self.objects(name, "ids")
        table = pl.DataFrame(
            {
                "~id": pl.int_range(len(objects), eager=True).cast(pl.Int64),
                "l": pl.Series(objects, dtype=pl.List(pl.String)),
            }
        )
        looked = pl.DataFrame({"~id": ids}).join(table, on="~id", how="left", maintain_order="left")
        return looked["l"]


class _Listed:
    """Stands for the years a calendar notice lists: written as the text mark of a hole."""

    def __init__(self, number: int) -> None:
        self.number = number

    def __str__(self) -> str:
        return text_mark(self.number)

    def __lt__(self, other: object) -> bool:
        return False


def distinct_ids(frame: pl.DataFrame) -> tuple[pl.Series, list[dict[str, Any]]]:
    """A number per row for its distinct combination of ``frame``'s columns, and those."""
    distinct = frame.unique(maintain_order=True).with_row_index("~id")
    joined = frame.join(
        distinct, on=list(frame.columns), how="left", nulls_equal=True, maintain_order="left"
    )
    combos = distinct.drop("~id").to_dicts()
    return joined["~id"].cast(pl.Int64), combos


def listed_years(found: list[pl.Series], rows: int) -> pl.Series:
    """The years without a published holiday schedule each row's date computations reached,
    as the calendar notice lists them ("2027, 2028"; "" for none)."""
    if not found:
        return pl.repeat("", rows, eager=True)
    joined = (
        pl.DataFrame({f"y{i}": s for i, s in enumerate(found)})
        .select(pl.concat_str(pl.all(), separator=",", ignore_nulls=True))
        .to_series()
    )
    distinct = joined.unique().to_list()
    tidy = [
        ", ".join(str(y) for y in sorted({int(y) for y in text.split(",") if y}))
        for text in distinct
    ]
    return joined.replace_strict(distinct, tidy, return_dtype=pl.String)


def _notices(
    engine: Engine,
    policy: CompiledPolicy,
    as_of: dt.date,
    run: RuleRun,
    laws: list[OtherLaw],
    law_holes: list[list[tuple[int, int, int, int]]],
    years_hole: int,
    key: dict[str, Any],
) -> list[Notice]:
    """The notices of rows with this key, in the engine's order: the rules', the calendar's,
    unverified figures, an undated source, then the comparisons with other laws."""
    applied: list[CompiledRule] = [
        rule for index, rule in enumerate(policy.rules) if key.get(f"rule{index}", False)
    ]
    notices: list[Notice] = [rule.notice for rule in applied if rule.notice is not None]
    if key["years"]:
        # the years are the row's own: the notice lists them where this mark stands
        listed: Any = _Listed(years_hole)
        computed = DateComputation("", as_of, 0, "", as_of, None, (), (listed,), "")
        notices.extend(calendar_notices([computed]))
    program = run.program
    if program.unverified:
        notices.extend(unverified_notices(policy, applied, as_of, program.unverified))
    if policy.model.effective.undated or program.undated:
        notices.append(undated_notice(policy, program.undated))
    for number, (law, holes) in enumerate(zip(laws, law_holes, strict=True)):
        notice = law.notice(key, f"law{number}:", holes, engine)
        if notice is not None:
            notices.append(notice)
    return notices
