"""The decision log: every decision a face makes (the service, a batch, ``evaluate --log``)
appended to a table in a real database, each record chained to the one before by its hash, so
that an auditor can ask next year what was decided for whom -- and know nothing was changed.

SQLite (a file, nothing to install) or PostgreSQL (a DSN; ``pip install 'govrules[postgres]'``),
one schema for both (``docs/auditors.md``, "The decision log").

    from govrules.decisionlog import open_log

    with open_log("govrules-decisions.sqlite") as log:
        record = log.append(decision, origin="batch")       # record.id, record.hash
        report = log.verify()                                # report.intact, report.first_break
        for found in log.query(policy="cn.jilin.taobei.wage_deposit", outcome="assessed",
                               since=date(2026, 1, 1), facts={"contract_price": "1000000"}):
            print(found["id"], found["decision"]["values"])
"""

from __future__ import annotations

from pathlib import Path

from govrules.decisionlog.chain import (
    GENESIS,
    MAX_DECISION_BYTES,
    ChainBreak,
    ChainReport,
    DecisionLogError,
    LogRecord,
)
from govrules.decisionlog.log import DecisionLog, LogUnavailableError

__all__ = [
    "DEFAULT_LOG",
    "GENESIS",
    "MAX_DECISION_BYTES",
    "ChainBreak",
    "ChainReport",
    "DecisionLog",
    "DecisionLogError",
    "LogRecord",
    "LogUnavailableError",
    "open_log",
]

# The log a command uses when none is named (nor the GOVRULES_LOG environment variable).
DEFAULT_LOG = "govrules-decisions.sqlite"
_POSTGRES = ("postgresql://", "postgres://")


def open_log(target: str | Path, *, create: bool = True) -> DecisionLog:
    """The decision log at ``target``: a file path for SQLite, a ``postgresql://`` (or
    ``postgres://``) DSN for PostgreSQL. The database, table and triggers are made when missing,
    unless ``create`` is False (then a missing log raises ``LogUnavailableError``)."""
    if isinstance(target, str) and target.startswith(_POSTGRES):
        return _postgres_log(target, create)
    if isinstance(target, str) and ("://" in target or not target.strip()):
        raise LogUnavailableError(f"{target[:60]!r} is neither a file path nor a postgresql:// DSN")
    from govrules.decisionlog.sqlite import SqliteLog

    return SqliteLog(Path(target), create=create)


def _postgres_log(dsn: str, create: bool) -> DecisionLog:
    try:
        from govrules.decisionlog.postgres import PostgresLog
    except ImportError as error:
        if (error.name or "").partition(".")[0] != "psycopg":
            raise
        raise LogUnavailableError(
            "a decision log in PostgreSQL needs psycopg 3: pip install 'govrules[postgres]'"
        ) from None
    return PostgresLog(dsn, create=create)
