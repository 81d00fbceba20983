"""A Dask DataFrame of cases decided row by row on the workers: one result row per case, with
the same index and partitions.

    import dask.dataframe as dd
    cases = dd.read_parquet("cases/")                    # a column per input of the policy
    result = evaluate_dataframe(cases, "cn.national.wage_deposit", date(2026, 11, 21))
    result.to_parquet("decisions/")                      # outcome, values, fingerprint, ...

Each worker process makes its engine once (``Engine.default`` over the same packs, compared by
their manifest digests with the client's), so no compiled policy travels; a bad row gets its
``error`` and the others are decided.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import dask.dataframe as dd
import pandas as pd  # type: ignore[import-untyped]

from govrules.batch.problems import problems_of
from govrules.dask.columns import cases_of, column_problems
from govrules.dask.engines import (
    PackIdentity,
    checked_engine,
    decision_day,
    engine_for,
    pack_identity,
    resolved_packs,
    this_worker,
)
from govrules.decisionlog import open_log
from govrules.engine import Engine
from govrules.errors import CaseError, EvaluationError
from govrules.runtime.decision import Decision

__all__ = ["RESULT_COLUMNS", "decide_frame", "evaluate_dataframe", "result_meta"]

# outcome, values (JSON text of the decision's values), fingerprint, missing (JSON text of the
# missing facts' names) -- all null for a bad row -- and error (null, or each problem as
# "code: field: message", joined by "; "; "evaluation-error: ..." for a rule that failed)
RESULT_COLUMNS = ("outcome", "values", "fingerprint", "missing", "error")
_TEXT = pd.StringDtype("pyarrow")


def result_meta(index: Any = None) -> Any:
    """The empty result frame: five text columns (pandas ``string[pyarrow]``, null as NA)."""
    index = pd.RangeIndex(0) if index is None else index[:0]
    return pd.DataFrame({name: pd.Series([], dtype=_TEXT, index=index) for name in RESULT_COLUMNS})


def evaluate_dataframe(
    ddf: dd.DataFrame,
    policy_id: str,
    as_of: dt.date | None = None,
    *,
    packs: Sequence[str | Path] = (),
    trace: bool = False,
    log: str | Path | None = None,
) -> dd.DataFrame:
    """The decision of each row of ``ddf`` under the version of ``policy_id`` in force on
    ``as_of`` (today in Beijing, fixed now for every row): a lazy Dask DataFrame with the
    columns of ``RESULT_COLUMNS``, the index and partitions of ``ddf``.

    Raises now, before any row is read, for an unknown policy or date, a column that is not an
    input of the policy, or a column that cannot be exact (``CaseError``, each column named).
    ``trace=True`` gives the fingerprints of traced decisions (they cover the trace's digest).
    A worker whose packs differ from the client's fails its task with ``ClusterError``.

    ``log`` (a ``postgresql://`` DSN, or an SQLite file that every worker reaches) appends each
    partition's decisions to the decision log in one transaction, origin ``"dask"``; the log
    keeps its hash chain whole under concurrent writers. A retried task appends again.
    """
    folders = resolved_packs(packs)
    engine = engine_for(folders)
    day = decision_day(as_of)
    policy = engine.policy(policy_id, day)
    problems = column_problems(policy, dict(ddf.dtypes.items()))
    if problems:
        raise CaseError(problems)
    result: dd.DataFrame = ddf.map_partitions(  # type: ignore[no-untyped-call]
        decide_frame,
        policy_id,
        day,
        folders,
        trace,
        pack_identity(engine),
        _log_target(log),
        meta=result_meta(ddf._meta.index),
        enforce_metadata=False,
    )
    return result


def decide_frame(
    frame: Any,
    policy_id: str,
    day: dt.date,
    packs: tuple[str, ...],
    trace: bool,
    expected: PackIdentity,
    log: str | None = None,
) -> Any:
    """The results of one partition (a pandas DataFrame), decided in this process."""
    engine = checked_engine(packs, expected, this_worker())
    policy = engine.policy(policy_id, day)
    made = [_made(engine, policy_id, case, day, trace) for case in cases_of(policy, frame)]
    if log is not None:
        with open_log(log) as opened:
            opened.append_many((d for d in made if isinstance(d, Decision)), origin="dask")
    rows = [_error_row(d) if isinstance(d, str) else _decided(d) for d in made]
    columns = list(zip(*rows, strict=True)) if rows else [()] * len(RESULT_COLUMNS)
    return pd.DataFrame(
        {
            name: pd.Series(list(values), dtype=_TEXT, index=frame.index)
            for name, values in zip(RESULT_COLUMNS, columns, strict=True)
        }
    )


def _log_target(log: str | Path | None) -> str | None:
    """A DSN as it is; a file path made absolute, as the workers must read it."""
    if log is None or (isinstance(log, str) and "://" in log):
        return log
    return str(Path(log).resolve())


def _made(
    engine: Engine, policy_id: str, case: dict[str, Any], day: dt.date, trace: bool
) -> Decision | str:
    """The decision of one row, or the text of its error."""
    try:
        return engine.evaluate(policy_id, case, day, trace=trace)
    except CaseError as error:
        return "; ".join(str(problem) for problem in problems_of(error))
    except EvaluationError as error:  # a rule that fails on these facts: this row only
        return f"evaluation-error: {error}"


def _error_row(error: str) -> tuple[str | None, ...]:
    return (None, None, None, None, error)


def _decided(decision: Decision) -> tuple[str | None, ...]:
    document = decision.to_dict()
    return (
        decision.outcome,
        json.dumps(document["values"], ensure_ascii=False, separators=(",", ":")),
        document["fingerprint"],
        json.dumps(
            [fact.fact for fact in decision.missing], ensure_ascii=False, separators=(",", ":")
        ),
        None,
    )
