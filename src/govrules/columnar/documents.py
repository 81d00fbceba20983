"""Decisions over a table: each row's JSON, in the forms a batch writes, and its fingerprint.

    made = write_documents(engine, policy, as_of, facts, run, laws, rows, row_numbers, forms)
    made.fingerprint      # 'sha256:...' per row, as Decision.fingerprint gives it
    made.texts["line"]    # the JSON line ``govrules batch`` writes for the row

Rows that share their applied rules, outcome, missing facts, calendar years and comparison
with other laws (a *shape*) share their citations, missing facts and notices: those are built
once per shape by the engine's own code (``Decision.citations``, ``MissingFact``, the notice
functions of ``runtime/findings.py`` and ``runtime/hierarchy.py``) and written by the same
encoders, with holes where each row's values go (``templates.py``). The fingerprint is
sha256 over the RFC 8785 form of each row's decision, assembled the same way.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

import polars as pl

from govrules.columnar.arithmetic import normalised
from govrules.columnar.columns import NotColumnar
from govrules.columnar.facts import Facts
from govrules.columnar.hashing import fingerprints
from govrules.columnar.missing import missing_keys
from govrules.columnar.other_laws import OtherLaw
from govrules.columnar.parts import WRITERS, Parts, listed_years
from govrules.columnar.rules import RuleRun
from govrules.columnar.templates import Pieces, fill, render_texts, render_tokens, split, token
from govrules.compiler.policy import CompiledPolicy
from govrules.engine import Engine
from govrules.records import record
from govrules.runtime.decision import Decision
from govrules.values import MISSING

__all__ = ["FORMS", "Written", "write_documents"]

# The texts a caller may ask for, per row:
#   line        the JSON line of `govrules batch` (--cite full)
#   line-ids    the same with --cite ids
#   decision    the Parquet `decision` column (--cite full); decision-ids with --cite ids
#   values      the Parquet `values` column
FORMS = ("line", "line-ids", "decision", "decision-ids", "values")


def _compact(value: Any) -> str:
    return WRITERS["c"](value)


def _canonical(value: Any) -> str:
    return WRITERS["jcs"](value)


@record
class Written:
    outcome: pl.Series
    fingerprint: pl.Series
    texts: dict[str, pl.Series]
    lists: dict[str, pl.Series]  # "missing", "citations": per row, names and clause ids
    failed: pl.Series  # rows whose text could not be written here


class _Holes:
    def __init__(self) -> None:
        self.series: dict[int, pl.Series] = {}

    def add(self, series: pl.Series) -> int:
        number = len(self.series)
        self.series[number] = series
        return number


def write_documents(
    engine: Engine,
    policy: CompiledPolicy,
    as_of: dt.date,
    facts: Facts,
    run: RuleRun,
    laws: list[OtherLaw],
    rows: int,
    row_numbers: pl.Series,
    forms: tuple[str, ...],
) -> Written:
    holes = _Holes()
    failed = pl.repeat(False, rows, eager=True)

    done: dict[tuple[int, bool], tuple[Any, int]] = {}

    def rendered(column: Any, text: bool = False) -> int:
        """The hole of a column's tokens (or texts), each column rendered once."""
        nonlocal failed
        known = done.get((id(column), text))
        if known is not None and known[0] is column:
            return known[1]
        found, bad = (render_texts if text else render_tokens)(column, rows)
        failed = failed | bad
        number = holes.add(found.fill_null(""))
        done[(id(column), text)] = (column, number)
        return number

    values = {name: token(rendered(run.state[slot])) for name, slot in policy.public_slots}
    # the facts as the decision keeps them: after the defaults of inputs, in one spelling
    given = {item.name: normalised(run.state[item.slot], rows) for item in policy.inputs}
    fact_holes = {name: rendered(column) for name, column in given.items()}
    law_holes = [
        [
            (rendered(a), rendered(a, True), rendered(b), rendered(b, True))
            for a, b in zip(law.this, law.that, strict=True)
        ]
        for law in laws
    ]
    years = listed_years(run.years, rows)
    years_hole = holes.add(years)
    missing = missing_keys(policy, run, rows)
    parts = Parts(engine, policy, as_of, run, missing, laws, law_holes, years_hole, years, rows)
    for name, column in given.items():
        holes.series[-1 - fact_holes[name]] = column.known(rows)
    distinct_outcomes = run.outcome.unique().to_list()
    holes.series[OUTCOME] = run.outcome.replace_strict(
        distinct_outcomes, [_compact(o) for o in distinct_outcomes], return_dtype=pl.String
    )
    holes.series[ROW] = row_numbers.cast(pl.String)
    skeleton = Decision(
        policy,
        as_of,
        "",
        {},
        (),
        (),
        (),
        [MISSING] * len(policy.inputs),
        [],
        engine.calendar.provenance,
    ).to_dict()
    writer = _Writer(policy, skeleton, values, fact_holes, parts, forms)
    texts: dict[str, list[pl.Series]] = {form: [] for form in forms}
    fingerprints = []
    for start in range(0, rows, SLICE):
        piece = {n: series.slice(start, SLICE) for n, series in holes.series.items()}
        ids = {name: found.slice(start, SLICE) for name, found in parts.ids.items()}
        found, made = writer.write(piece, ids)
        fingerprints.append(found)
        for form in forms:
            texts[form].append(made[form])
    fingerprint = pl.concat(fingerprints) if fingerprints else pl.Series([], dtype=pl.String)
    lists = {name: parts.lists(name) for name in ("missing", "citations")}
    for law in laws:
        failed = failed | law.failed
    return Written(
        run.outcome,
        fingerprint,
        {
            form: pl.concat(found) if found else pl.Series([], dtype=pl.String)
            for form, found in texts.items()
        },
        lists,
        failed,
    )


# Rows written at a time: the texts of a slice stay in the processor's cache while hashed.
SLICE = 8192
# the holes of a row's own outcome token and row number; a fact's given flag is at -1 - hole
OUTCOME, ROW = 1_000_000_001, 1_000_000_002
_PART = {"facts": 0, "outcome": 1, "values": 2, "citations": 3, "missing": 4, "notices": 5}


class _Writer:
    """The templates of every form, made once; ``write`` fills them for a slice of rows."""

    def __init__(
        self,
        policy: CompiledPolicy,
        skeleton: dict[str, Any],
        values: dict[str, str],
        fact_holes: dict[str, int],
        parts: Parts,
        forms: tuple[str, ...],
    ) -> None:
        self.policy = policy
        self.parts = parts
        self.forms = forms
        self.fact_holes = fact_holes
        marks = {name: token(2_000_000 + index) for name, index in _PART.items()}
        marks["fingerprint"] = token(2_000_006)
        self.values = {w: split(WRITERS[w](values)) for w in ("jcs", "c", "s")}
        canonical = {
            k: marks.get(k, v) for k, v in skeleton.items() if k not in ("trace", "fingerprint")
        }
        pieces = split(_canonical(canonical))
        facts_at = pieces.index(2_000_000)
        if 2_000_003 in pieces[facts_at:]:
            raise NotColumnar("the citations do not come before the facts in canonical order")
        self.head, self.tail = pieces[:facts_at], pieces[facts_at:]
        self.starts = []
        for citations in parts.citations:
            started = hashlib.sha256()
            for piece in self.head:
                text = piece if isinstance(piece, str) else _canonical(citations)
                started.update(text.encode("utf-8"))
            self.starts.append(started)
        self._tails: dict[int, Pieces] | None = None
        self.documents: dict[str, Pieces] = {}
        for form in forms:
            if form == "values":
                continue
            body = {key: marks.get(key, value) for key, value in skeleton.items()}
            if form.endswith("-ids"):
                kept: tuple[str, ...] = ("policy", "policy_version", "as_of", "outcome")
                kept += ("values", "citations", "missing", "notices", "fingerprint")
                body = {key: body[key] for key in kept}
            body = {"row": token(ROW), **body}
            self.documents[form] = split(WRITERS[_writer_of(form)](body))

    def facts(self, holes: dict[int, pl.Series], writer: str) -> pl.Series:
        """The given facts, each member there only where the fact is given."""
        names = [item.name for item in self.policy.inputs]
        if writer == "jcs":
            names.sort(key=lambda name: name.encode("utf-16-be"))
        comma, colon = (", ", ": ") if writer == "s" else (",", ":")
        frame = pl.DataFrame(
            {
                **{f"k{i}": holes[-1 - self.fact_holes[name]] for i, name in enumerate(names)},
                **{f"t{i}": holes[self.fact_holes[name]] for i, name in enumerate(names)},
            }
        )
        members = [
            pl.when(pl.col(f"k{i}")).then(pl.lit(WRITERS[writer](name) + colon) + pl.col(f"t{i}"))
            for i, name in enumerate(names)
        ]
        inside = pl.concat_str(members, separator=comma, ignore_nulls=True).fill_null("")
        return frame.select(pl.lit("{") + inside + pl.lit("}")).to_series()

    def subobjects(
        self,
        holes: dict[int, pl.Series],
        ids: dict[str, pl.Series],
        writer: str,
        kind: str,
        skip: tuple[str, ...] = (),
    ) -> dict[int, pl.Series]:
        rows = holes[ROW].len()
        found = {
            2_000_000 + _PART["outcome"]: holes[OUTCOME],
            2_000_000 + _PART["values"]: fill(None, {0: self.values[writer]}, holes, rows),
        }
        for name in ("citations", "missing", "notices"):
            if name in skip:
                continue
            templates = self.parts.templates(name, kind, writer)
            found[2_000_000 + _PART[name]] = fill(ids[name], templates, holes, rows)
        if kind == "full":
            found[2_000_000] = self.facts(holes, writer)
        return found

    def write(
        self, holes: dict[int, pl.Series], ids: dict[str, pl.Series]
    ) -> tuple[pl.Series, dict[str, pl.Series]]:
        rows = holes[ROW].len()
        # the notices (the longest part) written straight into each row's canonical text
        filled = self.subobjects(holes, ids, "jcs", "full", ("citations", "notices"))
        rests = fill(ids["notices"], self.tails(), {**holes, **filled}, rows)
        fingerprint = fingerprints(rests, ids["citations"], self.starts)
        made = {}
        for form in self.forms:
            writer = _writer_of(form)
            if form == "values":
                made[form] = fill(None, {0: self.values[writer]}, holes, rows)
                continue
            filled = self.subobjects(holes, ids, writer, "ids" if form.endswith("-ids") else "full")
            filled[2_000_006] = '"' + fingerprint + '"'
            filled[ROW] = holes[ROW]
            made[form] = fill(None, {0: self.documents[form]}, filled, rows)
        return fingerprint, made

    def tails(self) -> dict[int, Pieces]:
        """The canonical text after the citations, for each set of notices."""
        if self._tails is None:
            notices = self.parts.templates("notices", "full", "jcs")
            at = self.tail.index(2_000_000 + _PART["notices"])
            self._tails = {
                key: [*self.tail[:at], *pieces, *self.tail[at + 1 :]]
                for key, pieces in notices.items()
            }
        return self._tails


def _writer_of(form: str) -> str:
    return "c" if form.startswith("line") else "s"
