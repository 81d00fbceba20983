"""Deciding a batch: the read cases through ``Engine.evaluate_many``, each bad row kept in its
place, each decision appended to a decision log if one is given, and a summary by outcome.

    summary = BatchSummary(policy_id, day)
    for row, made in decide_rows(engine, policy_id, read_cases(...), day, workers=2):
        summary.count(made)           # a Decision, or the BadRow of a case that was refused
        write(result_row(row, made))
    print(summary.text())

Order is kept: row n of the output is row n of the input, whether it was decided in this
process or in a worker. With a log, the decisions of each chunk are appended in one
transaction, and a chunk's rows come out only once it is stored.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

from govrules.batch.problems import BadRow, Problem, problems_of
from govrules.engine import Engine
from govrules.errors import CaseError, EvaluationError
from govrules.runtime.decision import Decision

__all__ = ["BatchSummary", "Decide", "DecisionSink", "alongside_bad_rows", "decide_rows"]

Made = TypeVar("Made")
# what decides the good cases of a batch, in order (Engine.evaluate_many by default)
Decide = Callable[[Iterator[dict[str, Any]]], Iterable[Decision | CaseError | EvaluationError]]

# bad rows the summary quotes; the rest are counted
QUOTED_BAD_ROWS = 10


class DecisionSink(Protocol):
    """Where decisions are kept: the decision log (``govrules.decisionlog``)."""

    def append_many(self, decisions: Iterable[Decision], *, origin: str) -> Sequence[Any]: ...


def decide_rows(
    engine: Engine,
    policy_id: str,
    cases: Iterable[tuple[int, dict[str, Any] | BadRow]],
    as_of: dt.date,
    *,
    trace: bool = False,
    workers: int = 1,
    chunk_size: int = 256,
    log: DecisionSink | None = None,
    origin: str = "batch",
    decide: Decide | None = None,
) -> Iterator[tuple[int, Decision | BadRow]]:
    """Each row's decision, or its ``BadRow`` (a row the reader refused, or a case the engine
    refused), in the order of ``cases``. ``UnknownPolicyError`` before the first row.

    ``decide`` takes the place of ``engine.evaluate_many`` (the Dask adapter's
    ``decide_cases``, say): it gets the good cases in order and yields, in the same order,
    each one's ``Decision``, ``CaseError`` or ``EvaluationError``.
    """
    engine.policy(policy_id, as_of)
    if decide is None:

        def decide(
            facts: Iterator[dict[str, Any]],
        ) -> Iterable[Decision | CaseError | EvaluationError]:
            return engine.evaluate_many(
                policy_id, facts, as_of, trace=trace, workers=workers, chunk_size=chunk_size
            )

    made = _refused_in_place(alongside_bad_rows(cases, decide, workers))
    return made if log is None else _logged(made, log, origin, chunk_size)


def _refused_in_place(
    made: Iterator[tuple[int, Decision | CaseError | EvaluationError | BadRow]],
) -> Iterator[tuple[int, Decision | BadRow]]:
    for row, result in made:
        if isinstance(result, CaseError):
            yield row, BadRow(row, problems_of(result))
        elif isinstance(result, EvaluationError):
            # a rule these facts make fail (a division by zero): this row, not the batch
            yield row, BadRow(row, (Problem("evaluation-error", None, str(result)),))
        else:
            yield row, result


def alongside_bad_rows(
    cases: Iterable[tuple[int, dict[str, Any] | BadRow]],
    decide: Callable[[Iterator[dict[str, Any]]], Iterable[Made]],
    workers: int = 1,
) -> Iterator[tuple[int, Made | BadRow]]:
    """What ``decide`` makes of the good cases (one result each, in order), with each bad row
    given out in its place between them: ``(row, result)`` or ``(row, BadRow)``."""
    # the rows read but not yet given out, in order: a bad row waits here for the results of
    # the rows before it (None marks a row being decided)
    waiting: deque[tuple[int, BadRow | None]] = deque()

    def good() -> Iterator[dict[str, Any]]:
        for row, case in cases:
            if isinstance(case, BadRow):
                waiting.append((row, case))
            else:
                waiting.append((row, None))
                yield case

    try:
        for made in decide(good()):
            row, bad = waiting.popleft()
            while bad is not None:
                yield row, bad
                row, bad = waiting.popleft()
            yield row, made
    except EvaluationError as error:
        deciding = next((row for row, bad in waiting if bad is None), None)
        if deciding is None:
            raise
        where = f"row {deciding}" if workers == 1 else f"the rows from {deciding} on (a chunk)"
        raise EvaluationError(f"{where}: {error}") from None
    for row, bad in waiting:
        assert bad is not None, "every case read was decided"
        yield row, bad


def _logged(
    made: Iterator[tuple[int, Decision | BadRow]], log: DecisionSink, origin: str, chunk_size: int
) -> Iterator[tuple[int, Decision | BadRow]]:
    chunk: list[tuple[int, Decision | BadRow]] = []
    decided = 0
    for item in made:
        chunk.append(item)
        decided += not isinstance(item[1], BadRow)
        if decided >= chunk_size:
            _store(chunk, log, origin)
            yield from chunk
            chunk, decided = [], 0
    _store(chunk, log, origin)
    yield from chunk


def _store(chunk: list[tuple[int, Decision | BadRow]], log: DecisionSink, origin: str) -> None:
    decisions = [made for _, made in chunk if isinstance(made, Decision)]
    if decisions:
        log.append_many(decisions, origin=origin)


@dataclass
class BatchSummary:
    """What a batch did: rows decided by outcome, rows refused (the first few quoted)."""

    policy_id: str
    as_of: dt.date
    rows: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)
    refused: int = 0
    quoted: list[BadRow] = field(default_factory=list)
    started: float = field(default_factory=time.monotonic)

    def count(self, made: Decision | BadRow | dict[str, Any]) -> None:
        """Count one output: a decision, a bad row, or an output row already made (Dask)."""
        self.rows += 1
        if isinstance(made, Decision):
            self.outcomes[made.outcome] += 1
        elif isinstance(made, BadRow):
            self.refused += 1
            if len(self.quoted) < QUOTED_BAD_ROWS:
                self.quoted.append(made)
        elif isinstance(made.get("outcome"), str):
            self.outcomes[made["outcome"]] += 1
        else:
            self.refused += 1

    def text(self) -> str:
        """A short block for people: counts by outcome, refused rows, time and rate."""
        seconds = max(time.monotonic() - self.started, 1e-9)
        lines = [
            f"{self.policy_id} as of {self.as_of}: {self.rows:,} rows, "
            f"{self.rows - self.refused:,} decided, {self.refused:,} refused "
            f"in {seconds:.1f} s ({self.rows / seconds:,.0f} rows/s)"
        ]
        width = max((len(outcome) for outcome in self.outcomes), default=0)
        for outcome, number in sorted(self.outcomes.items(), key=lambda item: (-item[1], item[0])):
            lines.append(f"  {outcome:<{width}}  {number:>10,}")
        for bad in self.quoted:
            lines.append(f"  {bad}")
        if self.refused > len(self.quoted):
            lines.append(f"  ... and {self.refused - len(self.quoted):,} more refused rows")
        return "\n".join(lines) + "\n"
