"""A decision log: an append-only table of decisions in a database, each record chained to the
one before by its hash. What the two databases share is here; ``sqlite`` and ``postgres`` say
how each locks, stores and streams.

    with open_log("decisions.sqlite") as log:
        record = log.append(decision, origin="batch")     # record.id, record.hash
        log.verify().intact                                # True
        for found in log.query(policy="cn.national.severance_pay", outcome="owed"):
            ...
"""

from __future__ import annotations

import abc
from collections.abc import Generator, Iterable, Iterator, Mapping, Sequence
from types import TracebackType
from typing import Any

from govrules.decisionlog.chain import (
    COLUMNS,
    GENESIS,
    ChainReport,
    DecisionLogError,
    Entry,
    LogRecord,
    entry_of,
    now_utc,
    seal,
    walk_chain,
)
from govrules.decisionlog.query import Moment, Question
from govrules.runtime.decision import Decision

__all__ = [
    "INDEXES",
    "SELECT_RECORDS",
    "DecisionLog",
    "LogUnavailableError",
    "create_table",
    "insert_record",
]

SELECT_RECORDS = f"SELECT {', '.join(COLUMNS)} FROM records"
# One schema for both databases: every column text but the id, so that both store the very text
# each record's hash was computed over.
_COLUMN_TYPES = {
    "recorded_at": "TEXT NOT NULL",
    "origin": "TEXT NOT NULL",
    "policy": "TEXT NOT NULL",
    "policy_version": "TEXT NOT NULL",
    "policy_hash": "TEXT NOT NULL",
    "pack_id": "TEXT",
    "pack_version": "TEXT",
    "pack_manifest": "TEXT",
    "as_of": "TEXT NOT NULL",
    "outcome": "TEXT NOT NULL",
    "fingerprint": "TEXT NOT NULL",
    "decision": "TEXT NOT NULL",
    "previous_hash": "TEXT NOT NULL",
    "record_hash": "TEXT NOT NULL UNIQUE",
}
INDEXES = (
    "CREATE INDEX IF NOT EXISTS records_by_policy ON records (policy, recorded_at)",
    "CREATE INDEX IF NOT EXISTS records_by_time ON records (recorded_at)",
    "CREATE INDEX IF NOT EXISTS records_by_outcome ON records (outcome, recorded_at)",
)


def create_table(id_type: str) -> str:
    """The records table; ``id_type`` is the database's 64-bit integer (the log gives ids itself,
    1, 2, 3, ... in chain order: a gap is a deleted record, never a rolled-back sequence)."""
    columns = ",\n    ".join(f"{name} {kind}" for name, kind in _COLUMN_TYPES.items())
    return f"CREATE TABLE IF NOT EXISTS records (\n    id {id_type} PRIMARY KEY,\n    {columns}\n)"


def insert_record(placeholder: str) -> str:
    return (
        f"INSERT INTO records ({', '.join(COLUMNS)}) "
        f"VALUES ({', '.join([placeholder] * len(COLUMNS))})"
    )


class LogUnavailableError(DecisionLogError):
    """The log cannot be opened: no such log, not a decision log, no database driver, no
    server. The command line says so and exits 2."""


class DecisionLog(abc.ABC):
    """The records of one database: append (safe from several threads and processes at once),
    verify the chain, query and show. Close it, or use it as a context manager."""

    # how the database's driver writes a parameter in SQL
    placeholder = "?"

    def __init__(self, shown: str) -> None:
        self.shown = shown  # the target as it may be printed: a DSN without its password

    # ------------------------------------------------------------------ writing

    def append(self, decision: Decision, *, origin: str) -> LogRecord:
        """Append one decision; the record it became (with its id and hash)."""
        return self._append([entry_of(decision, origin)])[0]

    def append_many(self, decisions: Iterable[Decision], *, origin: str) -> list[LogRecord]:
        """Append decisions in one transaction, consecutive in the chain; all or none."""
        entries = [entry_of(decision, origin) for decision in decisions]
        return self._append(entries) if entries else []

    @abc.abstractmethod
    def _append(self, entries: Sequence[Entry]) -> list[LogRecord]:
        """Within one transaction that holds the log's write lock: read the last record, seal
        each entry after it (``_chain``) and insert them."""

    @staticmethod
    def _chain(entries: Sequence[Entry], last: Sequence[Any] | None) -> list[LogRecord]:
        """The records the entries become after the last record (its id and hash, or None)."""
        record_id, previous = (0, GENESIS) if last is None else (int(last[0]), str(last[1]))
        records = []
        for entry in entries:
            record_id += 1
            record = seal(entry, record_id, now_utc(), previous)
            records.append(record)
            previous = record.hash
        return records

    # ------------------------------------------------------------------ reading

    @abc.abstractmethod
    def _rows(self, where: str, parameters: Sequence[Any]) -> Generator[Sequence[Any]]:
        """The records that meet the condition, as rows of ``COLUMNS`` in id order, streamed
        from one consistent snapshot on a connection of their own."""

    def verify(self, anchor: str | None = None) -> ChainReport:
        """Walk the whole chain (streaming) and report the first broken link, if any.
        ``anchor``: a record hash kept elsewhere that the chain must still hold."""
        return walk_chain(self._rows("1 = 1", []), anchor)

    def query(
        self,
        *,
        policy: str | None = None,
        outcome: str | None = None,
        since: Moment | None = None,
        until: Moment | None = None,
        facts: Mapping[str, Any] | None = None,
        limit: int | None = None,
    ) -> Iterator[dict[str, Any]]:
        """The records that match, oldest first, as JSON objects (the decision embedded).
        ``since``/``until`` bound the time of recording (a date is a day in Beijing); ``facts``
        compares each fact as the decision's JSON spells it."""
        if limit is not None and (type(limit) is not int or limit < 0):
            raise DecisionLogError(f"limit: expected a count of 0 or more, not {limit!r}")
        question = Question.of(
            policy=policy, outcome=outcome, since=since, until=until, facts=facts
        )
        return self._answer(question, limit)

    def _answer(self, question: Question, limit: int | None) -> Iterator[dict[str, Any]]:
        if limit == 0:
            return
        where, parameters = question.where(self.placeholder)
        found = 0
        rows = self._rows(where, parameters)
        try:
            for row in rows:
                record = LogRecord.from_row(row)
                if question.holds_for(record):
                    yield record.to_dict()
                    found += 1
                    if limit is not None and found >= limit:
                        return
        finally:
            rows.close()

    def show(self, record_id: int) -> dict[str, Any] | None:
        """The record of that id as a JSON object, or None when there is none."""
        rows = self._rows(f"id = {self.placeholder}", [record_id])
        try:
            row = next(iter(rows), None)
        finally:
            rows.close()
        return None if row is None else LogRecord.from_row(row).to_dict()

    # ------------------------------------------------------------------ life

    @abc.abstractmethod
    def close(self) -> None:
        """Close the log's connections."""

    def __enter__(self) -> DecisionLog:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.shown}>"
