"""A decision log in a SQLite file: nothing to install, one file to keep.

WAL mode lets readers read while one writer appends; an append takes the write lock first
(``BEGIN IMMEDIATE``), reads the last record and inserts after it, so writers in several threads
and processes wait their turn (up to ``BUSY_TIMEOUT_SECONDS``) and the chain stays one line.
Triggers refuse every UPDATE and DELETE.

    log = SqliteLog(Path("govrules-decisions.sqlite"))
    log.append(decision, origin="cli")
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Generator, Sequence
from dataclasses import astuple
from pathlib import Path
from typing import Any

from govrules.decisionlog.chain import DecisionLogError, Entry, LogRecord
from govrules.decisionlog.log import (
    INDEXES,
    SELECT_RECORDS,
    DecisionLog,
    LogUnavailableError,
    create_table,
    insert_record,
)

__all__ = ["BUSY_TIMEOUT_SECONDS", "SqliteLog"]

# How long a writer waits for another's transaction before giving up.
BUSY_TIMEOUT_SECONDS = 30.0

_APPEND_ONLY = (
    "CREATE TRIGGER IF NOT EXISTS records_append_only_update BEFORE UPDATE ON records "
    "BEGIN SELECT RAISE(ABORT, 'the decision log is append-only: a record cannot be changed'); "
    "END",
    "CREATE TRIGGER IF NOT EXISTS records_append_only_delete BEFORE DELETE ON records "
    "BEGIN SELECT RAISE(ABORT, 'the decision log is append-only: a record cannot be deleted'); "
    "END",
)
_INSERT = insert_record("?")
_LAST = "SELECT id, record_hash FROM records ORDER BY id DESC LIMIT 1"


class SqliteLog(DecisionLog):
    """A decision log in one SQLite file (made, with its table and triggers, when ``create``)."""

    placeholder = "?"

    def __init__(self, path: Path, *, create: bool = True) -> None:
        super().__init__(str(path))
        self.path = path
        if not create and not path.is_file():
            raise LogUnavailableError(f"no decision log at {path}")
        if path.is_dir():
            raise LogUnavailableError(f"{path} is a folder, not a decision log file")
        self._lock = threading.Lock()
        self._connection = self._connect()
        try:
            self._set_up(create)
        except sqlite3.Error as error:
            self._connection.close()
            raise LogUnavailableError(f"{path}: not a decision log ({error})") from None

    def _set_up(self, create: bool) -> None:
        """WAL mode, and the table, indexes and triggers when ``create``. Processes that open
        one new file at once contend for it in ways SQLite answers with "database is locked"
        at once rather than after its busy timeout (switching the journal mode, or turning a
        read lock into a write lock another holds), so the set-up is tried again, each time
        after a short pause, until ``BUSY_TIMEOUT_SECONDS`` have gone by."""
        deadline = time.monotonic() + BUSY_TIMEOUT_SECONDS
        pause = 0.005
        while True:
            try:
                self._connection.execute("PRAGMA journal_mode = WAL")
                if create:
                    # one write transaction, its lock taken first: the schema whole or not
                    self._connection.execute("BEGIN IMMEDIATE")
                    try:
                        for statement in (create_table("INTEGER"), *INDEXES, *_APPEND_ONLY):
                            self._connection.execute(statement)
                    except BaseException:
                        self._connection.execute("ROLLBACK")
                        raise
                    self._connection.execute("COMMIT")
                self._connection.execute(f"{SELECT_RECORDS} LIMIT 0")
                return
            except sqlite3.OperationalError as error:
                if not _busy(error) or time.monotonic() + pause > deadline:
                    raise
            time.sleep(pause)
            pause = min(pause * 2, 0.25)

    def _connect(self) -> sqlite3.Connection:
        try:
            # autocommit (isolation_level None): the log opens its own transactions
            return sqlite3.connect(
                self.path,
                timeout=BUSY_TIMEOUT_SECONDS,
                isolation_level=None,
                check_same_thread=False,
            )
        except sqlite3.Error as error:
            raise LogUnavailableError(f"{self.path}: cannot open ({error})") from None

    def _append(self, entries: Sequence[Entry]) -> list[LogRecord]:
        with self._lock:
            connection = self._connection
            try:
                connection.execute("BEGIN IMMEDIATE")
                try:
                    records = self._chain(entries, connection.execute(_LAST).fetchone())
                    connection.executemany(_INSERT, [astuple(record) for record in records])
                except BaseException:
                    connection.execute("ROLLBACK")
                    raise
                connection.execute("COMMIT")
            except sqlite3.Error as error:
                raise DecisionLogError(f"{self.path}: cannot append ({error})") from None
        return records

    def _rows(self, where: str, parameters: Sequence[Any]) -> Generator[Sequence[Any]]:
        connection = self._connect()
        try:
            # one read transaction: a snapshot, whatever writers append meanwhile
            connection.execute("BEGIN")
            yield from connection.execute(f"{SELECT_RECORDS} WHERE {where} ORDER BY id", parameters)
        except sqlite3.Error as error:
            raise DecisionLogError(f"{self.path}: cannot read ({error})") from None
        finally:
            connection.close()

    def close(self) -> None:
        with self._lock:
            self._connection.close()


def _busy(error: sqlite3.Error) -> bool:
    """Whether ``error`` is SQLite's "database is locked" (busy, in any of its variants)."""
    return (getattr(error, "sqlite_errorcode", 0) & 0xFF) in (
        sqlite3.SQLITE_BUSY,
        sqlite3.SQLITE_LOCKED,
    )
