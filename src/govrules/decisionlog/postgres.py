"""A decision log in PostgreSQL: one shared log for services and batches on several machines
(psycopg 3, the ``postgres`` extra).

The table is the SQLite one. An append takes a transaction-scoped advisory lock, reads the last
record and inserts after it, so concurrent writers keep one chain; a trigger refuses UPDATE,
DELETE and TRUNCATE, and those privileges are revoked from PUBLIC. A superuser can still drop
the trigger: that is what ``verify`` is for.

    log = PostgresLog("postgresql://govrules@db.example/govrules")
    log.append(decision, origin="service")
"""

from __future__ import annotations

import threading
from collections.abc import Generator, Sequence
from dataclasses import astuple
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import psycopg

from govrules.decisionlog.chain import DecisionLogError, Entry, LogRecord
from govrules.decisionlog.log import (
    INDEXES,
    SELECT_RECORDS,
    DecisionLog,
    LogUnavailableError,
    create_table,
    insert_record,
)

__all__ = ["CONNECT_TIMEOUT_SECONDS", "LOCK_KEY", "PostgresLog", "shown_dsn"]

# The advisory lock every writer of a log takes: "govrules" in ASCII, as a 64-bit key.
LOCK_KEY = int.from_bytes(b"govrules", "big")
CONNECT_TIMEOUT_SECONDS = 10
_ROWS_PER_FETCH = 500

_APPEND_ONLY = (
    """
    CREATE OR REPLACE FUNCTION govrules_log_refuse_change() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION 'the decision log is append-only: % of a record is refused', TG_OP
            USING ERRCODE = 'insufficient_privilege';
    END
    $$
    """,
    "CREATE TRIGGER records_append_only BEFORE UPDATE OR DELETE ON records "
    "FOR EACH ROW EXECUTE FUNCTION govrules_log_refuse_change()",
    "CREATE TRIGGER records_append_only_truncate BEFORE TRUNCATE ON records "
    "FOR EACH STATEMENT EXECUTE FUNCTION govrules_log_refuse_change()",
    "REVOKE UPDATE, DELETE, TRUNCATE ON records FROM PUBLIC",
)
_INSERT = insert_record("%s")
_LAST = "SELECT id, record_hash FROM records ORDER BY id DESC LIMIT 1"
_LOCK = "SELECT pg_advisory_xact_lock(%s)"


def shown_dsn(dsn: str) -> str:
    """The DSN as it may be printed: its password, in the user part or the query, as ***."""
    try:
        parts = urlsplit(dsn)
        netloc = parts.netloc
        if parts.password is not None:
            user, _, host = netloc.rpartition("@")
            netloc = f"{user.partition(':')[0]}:***@{host}"
        query = urlencode(
            [(k, "***" if k == "password" else v) for k, v in parse_qsl(parts.query, True)]
        )
        return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))
    except ValueError:
        return "the PostgreSQL DSN given"


class PostgresLog(DecisionLog):
    """A decision log in a PostgreSQL database (its table, trigger and grants made when
    ``create`` and not there yet; a role that may only INSERT and SELECT can then write)."""

    placeholder = "%s"

    def __init__(self, dsn: str, *, create: bool = True) -> None:
        super().__init__(shown_dsn(dsn))
        self._dsn = dsn
        self._lock = threading.Lock()
        self._connection = self._connect(autocommit=True)
        try:
            with self._connection.transaction():
                # one setup at a time: CREATE ... IF NOT EXISTS races with itself
                self._connection.execute(_LOCK, [LOCK_KEY])
                found = self._connection.execute("SELECT to_regclass('records')").fetchone()
                if found is None or found[0] is None:
                    if not create:
                        raise LogUnavailableError(f"no decision log in {self.shown}")
                    for statement in (create_table("BIGINT"), *INDEXES, *_APPEND_ONLY):
                        self._connection.execute(statement)
                self._connection.execute(f"{SELECT_RECORDS} LIMIT 0")
        except psycopg.Error as error:
            self._connection.close()
            raise LogUnavailableError(
                f"{self.shown}: not a decision log ({self._hide(error)})"
            ) from None
        except LogUnavailableError:
            self._connection.close()
            raise

    def _connect(self, *, autocommit: bool) -> psycopg.Connection[tuple[Any, ...]]:
        try:
            return psycopg.connect(
                self._dsn, autocommit=autocommit, connect_timeout=CONNECT_TIMEOUT_SECONDS
            )
        except psycopg.Error as error:
            raise LogUnavailableError(
                f"cannot connect to {self.shown}: {self._hide(error)}"
            ) from None

    def _hide(self, error: BaseException) -> str:
        """An error's message, the password (should the driver quote it) replaced by ***."""
        message = str(error).strip()
        password = urlsplit(self._dsn).password
        for key, value in parse_qsl(urlsplit(self._dsn).query):
            if key == "password":
                password = value
        return message.replace(password, "***") if password else message

    def _append(self, entries: Sequence[Entry]) -> list[LogRecord]:
        with self._lock:
            if self._connection.closed or self._connection.broken:
                self._connection = self._connect(autocommit=True)  # the server came back
            connection = self._connection
            try:
                with connection.transaction():
                    connection.execute(_LOCK, [LOCK_KEY])
                    records = self._chain(entries, connection.execute(_LAST).fetchone())
                    with connection.cursor() as cursor:
                        cursor.executemany(_INSERT, [astuple(record) for record in records])
            except psycopg.Error as error:
                raise DecisionLogError(
                    f"{self.shown}: cannot append ({self._hide(error)})"
                ) from None
        return records

    def _rows(self, where: str, parameters: Sequence[Any]) -> Generator[Sequence[Any]]:
        connection = self._connect(autocommit=False)
        try:
            # a server-side cursor streams the rows; its one statement reads one snapshot
            with connection.cursor(name="govrules_log_rows") as cursor:
                cursor.itersize = _ROWS_PER_FETCH
                cursor.execute(f"{SELECT_RECORDS} WHERE {where} ORDER BY id", parameters)
                yield from cursor
        except psycopg.Error as error:
            raise DecisionLogError(f"{self.shown}: cannot read ({self._hide(error)})") from None
        finally:
            connection.close()

    def close(self) -> None:
        with self._lock:
            self._connection.close()
