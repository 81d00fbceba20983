"""Deciding a whole table of cases in columns, each row as the per-case engine decides it.

    from govrules.columnar import evaluate_table
    out = evaluate_table(engine, "cn.jilin.taobei.wage_deposit", frame, date(2026, 11, 21))
    out["outcome"], out["fingerprint"], out["values"]    # one row per case, in order

``frame`` is a polars DataFrame or a pyarrow Table, one column per input given (a null, or an
empty text, is a fact not given; text columns are read as a batch reads CSV cells). The
result has, for each case: ``row`` (1 for the first), ``outcome``, ``fingerprint``,
``values`` (JSON text), ``missing`` and ``citations`` (lists of names and clause ids),
``engine`` (``columnar``, or ``per-case`` for a row the columns left to the engine) and
``error`` (why the engine refused the case, or null). A policy that does not plan
(``plan``) is decided case by case, every row, unless ``engine="columnar"`` insists.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import polars as pl

from govrules.columnar.columns import NotColumnar
from govrules.columnar.documents import Written, write_documents
from govrules.columnar.facts import InputColumnError, read_facts
from govrules.columnar.other_laws import compare_other_laws
from govrules.columnar.planning import Unsupported, plan
from govrules.columnar.rules import run_rules
from govrules.engine import Engine
from govrules.errors import CaseError, EvaluationError
from govrules.records import record
from govrules.runtime.decision import Decision
from govrules.values import to_json_value

__all__ = ["ENGINES", "ColumnarError", "Decided", "decide_frame", "evaluate_table"]

ENGINES = ("auto", "columnar", "per-case")


class ColumnarError(ValueError):
    """The columnar path was asked for and cannot decide this policy or table."""


@record
class Decided:
    """A table decided in columns: the texts of every row, and the rows left to the engine."""

    written: Written
    per_case: pl.Series  # rows the columns did not decide

    @property
    def rows(self) -> int:
        return self.per_case.len()


def decide_frame(
    engine: Engine,
    policy_id: str,
    frame: pl.DataFrame,
    as_of: dt.date,
    row_numbers: pl.Series,
    forms: tuple[str, ...] = (),
    refused: pl.Series | None = None,
) -> Decided:
    """The columnar decisions of ``frame``'s rows (``NotColumnar`` for a policy or a column
    the columns do not take; ``InputColumnError`` for a column that cannot hold its input).
    ``refused`` marks rows a reader already refused: they are left to the caller."""
    policy = engine.policy(policy_id, as_of)
    found = plan(policy)
    if isinstance(found, Unsupported):
        raise NotColumnar(str(found))
    rows = frame.height
    facts = read_facts(policy, frame)
    run = run_rules(policy, as_of, engine.calendar, facts, rows)
    laws = compare_other_laws(engine, policy, as_of, facts, run, rows)
    written = write_documents(engine, policy, as_of, facts, run, laws, rows, row_numbers, forms)
    per_case = facts.refused | run.failed | written.failed
    if refused is not None:
        per_case = per_case | refused
    return Decided(written, per_case)


def evaluate_table(
    engine: Engine,
    policy_id: str,
    table: Any,
    as_of: dt.date,
    *,
    method: str = "auto",
) -> Any:
    """Every case of ``table`` decided under ``policy_id`` on ``as_of``: a table of the same
    kind (polars or pyarrow) with the columns described above."""
    if method not in ENGINES:
        raise ValueError(f"method is one of {', '.join(ENGINES)}, not {method!r}")
    arrow = not isinstance(table, pl.DataFrame)
    frame = pl.from_arrow(table) if arrow else table
    assert isinstance(frame, pl.DataFrame)
    rows = frame.height
    numbers = pl.int_range(1, rows + 1, eager=True).cast(pl.Int64)
    decided: Decided | None = None
    if method != "per-case":
        try:
            decided = decide_frame(engine, policy_id, frame, as_of, numbers, ("values",))
        except (NotColumnar, InputColumnError) as error:
            if method == "columnar":
                raise ColumnarError(str(error)) from None
    if decided is None:
        result = _per_case_rows(engine, policy_id, frame, as_of, list(range(rows)))
    else:
        written = decided.written
        columnar = pl.DataFrame(
            {
                "row": numbers,
                "outcome": written.outcome,
                "fingerprint": written.fingerprint,
                "values": written.texts["values"],
                "missing": written.lists["missing"],
                "citations": written.lists["citations"],
                "engine": pl.repeat("columnar", rows, eager=True),
                "error": pl.repeat(None, rows, dtype=pl.String, eager=True),
            }
        ).filter(~decided.per_case)
        others = decided.per_case.arg_true().to_list()
        result = pl.concat([columnar, _per_case_rows(engine, policy_id, frame, as_of, others)])
        result = result.sort("row")
    return result.to_arrow() if arrow else result


def _per_case_rows(
    engine: Engine, policy_id: str, frame: pl.DataFrame, as_of: dt.date, indexes: list[int]
) -> pl.DataFrame:
    """The rows at ``indexes`` decided by ``Engine.evaluate``, in the result's columns."""
    policy = engine.policy(policy_id, as_of)
    kinds = {item.name: item.type.kind for item in policy.inputs}
    found: dict[str, list[Any]] = {
        name: [] for name in ("row", "outcome", "fingerprint", "values", "missing")
    }
    found.update(citations=[], engine=[], error=[])
    picked = frame[indexes] if indexes else frame.clear()
    for index, cells in zip(indexes, picked.iter_rows(named=True), strict=True):
        facts = {
            name: _cell(kinds.get(name), value)
            for name, value in cells.items()
            if value is not None and value != ""
        }
        found["row"].append(index + 1)
        found["engine"].append("per-case")
        try:
            decision = engine.evaluate(policy_id, facts, as_of, trace=False)
        except (CaseError, EvaluationError) as error:
            for name in ("outcome", "fingerprint", "values", "missing", "citations"):
                found[name].append(None)
            found["error"].append(str(error))
            continue
        found["outcome"].append(decision.outcome)
        found["fingerprint"].append(decision.fingerprint)
        found["values"].append(_values_text(decision))
        found["missing"].append([m.fact for m in decision.missing])
        found["citations"].append([c.ref for c in decision.citations])
        found["error"].append(None)
    return pl.DataFrame(
        found,
        schema={
            "row": pl.Int64,
            "outcome": pl.String,
            "fingerprint": pl.String,
            "values": pl.String,
            "missing": pl.List(pl.String),
            "citations": pl.List(pl.String),
            "engine": pl.String,
            "error": pl.String,
        },
    )


def _values_text(decision: Decision) -> str:
    return json.dumps(
        {name: to_json_value(value) for name, value in decision.values.items()},
        ensure_ascii=False,
    )


def _cell(kind: str | None, value: Any) -> Any:
    """A cell as a batch reads it: text for a bool or an integer is parsed as a CSV cell is."""
    if isinstance(value, str) and kind == "bool" and value in ("true", "false"):
        return value == "true"
    if isinstance(value, str) and kind == "integer":
        try:
            return int(value) if value.lstrip("-").isdigit() and value.isascii() else value
        except ValueError:
            return value
    return value
