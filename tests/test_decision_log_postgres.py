"""The decision log in a real PostgreSQL server: the same records, chain and queries as in
SQLite, the database refusing changes (trigger and privileges), tampering caught, and several
processes and threads appending at once.

The server: the one ``GOVRULES_TEST_POSTGRES`` names (a DSN whose role may create databases;
``.ci/run`` starts Debian's and sets it), else a throwaway one started here from the PostgreSQL
binaries on this machine (``initdb`` into a temporary folder, a free loopback port), else the
tests skip and say why. Each test gets a database of its own.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from test_decision_log import (
    check_concurrent_writers,
    check_queries,
    check_records_hold_decisions,
    example_decisions,
    wage_decisions,
)

from govrules import Decision, Engine
from govrules.cli.main import main
from govrules.decisionlog import DecisionLog, LogUnavailableError, open_log
from govrules.decisionlog.chain import COLUMNS

psycopg = pytest.importorskip("psycopg", reason="the postgres extra is not installed")


def _server_binaries() -> Path | None:
    found = shutil.which("pg_ctl")
    if found:
        return Path(found).parent
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"),
                      key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit() else 0)
    return Path(versions[-1]).parent if versions else None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class ThrowawayServer:
    """A PostgreSQL server of our own: initdb into a temporary folder (as the ``postgres`` user
    when we are root, since the server refuses to run as root), trust on loopback only."""

    def __init__(self, binaries: Path) -> None:
        self.binaries = binaries
        self.folder = Path(tempfile.mkdtemp(prefix="govrules-postgres-"))
        self.data = self.folder / "data"
        self.port = _free_port()
        self.user = "postgres" if os.geteuid() == 0 else None

    def _run(self, *command: str) -> None:
        subprocess.run(command, check=True, capture_output=True, timeout=120, user=self.user,
                       cwd=self.folder)

    def start(self) -> str:
        if self.user is not None:
            shutil.chown(self.folder, self.user)  # LookupError: no such user
        self._run(str(self.binaries / "initdb"), "-D", str(self.data), "-U", "govrules",
                  "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync")
        options = (f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 "
                   "-c fsync=off -c max_connections=60")
        self._run(str(self.binaries / "pg_ctl"), "-D", str(self.data), "-l",
                  str(self.folder / "server.log"), "-o", options, "-w", "-t", "60", "start")
        return f"postgresql://govrules@127.0.0.1:{self.port}/postgres"

    def stop(self) -> None:
        if (self.data / "postmaster.pid").exists():
            self._run(str(self.binaries / "pg_ctl"), "-D", str(self.data), "-m", "immediate",
                      "-w", "stop")
        shutil.rmtree(self.folder, ignore_errors=True)


def _unavailable(reason: str) -> None:
    message = (f"no PostgreSQL server for the decision log tests: {reason} (set "
               "GOVRULES_TEST_POSTGRES to a DSN, or install Debian's postgresql package)")
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="module")
def server_dsn() -> Iterator[str]:
    given = os.environ.get("GOVRULES_TEST_POSTGRES")
    if given:
        yield given
        return
    binaries = _server_binaries()
    if binaries is None:
        _unavailable("no PostgreSQL server binaries (initdb, pg_ctl) on this machine")
    assert binaries is not None
    server = ThrowawayServer(binaries)
    try:
        dsn = server.start()
    except (OSError, subprocess.SubprocessError, LookupError) as error:
        server.stop()
        detail = getattr(error, "stderr", None) or error
        _unavailable(f"a throwaway server did not start ({detail!s:.300})")
    try:
        yield dsn
    finally:
        server.stop()


@pytest.fixture
def dsn(server_dsn: str) -> Iterator[str]:
    """A database of its own for each test, dropped afterwards."""
    name = "govrules_log_" + uuid.uuid4().hex[:12]
    with psycopg.connect(server_dsn, autocommit=True) as admin:
        admin.execute(f"CREATE DATABASE {name}")
    parts = urlsplit(server_dsn)
    yield urlunsplit(parts._replace(path="/" + name))
    with psycopg.connect(server_dsn, autocommit=True) as admin:
        admin.execute(f"DROP DATABASE {name} WITH (FORCE)")


@pytest.fixture(scope="module")
def decisions(engine: Engine) -> list[Decision]:
    return example_decisions(engine)


@pytest.fixture
def log(dsn: str) -> Iterator[DecisionLog]:
    with open_log(dsn) as opened:
        yield opened


def _raw(dsn: str) -> psycopg.Connection[tuple[object, ...]]:
    return psycopg.connect(dsn, autocommit=True)


def test_records_hold_the_decisions_as_made(log: DecisionLog,
                                            decisions: list[Decision]) -> None:
    check_records_hold_decisions(log, decisions)


def test_queries_by_policy_outcome_time_and_facts(engine: Engine, log: DecisionLog,
                                                   decisions: list[Decision]) -> None:
    check_queries(log, decisions + wage_decisions(engine, 6))


def test_several_processes_and_threads_keep_one_chain(engine: Engine, dsn: str) -> None:
    open_log(dsn).close()  # the table first, then the writers
    check_concurrent_writers(dsn, wage_decisions(engine, 5))


def test_one_schema_for_both_databases(log: DecisionLog, dsn: str, tmp_path: Path,
                                       decisions: list[Decision]) -> None:
    with _raw(dsn) as raw:
        columns = [row[0] for row in raw.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = 'records' "
            "ORDER BY ordinal_position")]
    assert tuple(columns) == COLUMNS
    # the same decision makes the same record content in both, hash for hash once the time is
    # the same: the hash is over the columns' text, not a database's own types
    with open_log(tmp_path / "decisions.sqlite") as sqlite_log:
        in_sqlite = sqlite_log.append(decisions[0], origin="batch")
    in_postgres = log.append(decisions[0], origin="batch")
    assert in_postgres.decision == in_sqlite.decision
    assert in_postgres.content() | {"recorded_at": ""} == in_sqlite.content() | {
        "recorded_at": ""}


def test_the_database_refuses_changes(log: DecisionLog, dsn: str,
                                      decisions: list[Decision]) -> None:
    log.append_many(decisions[:3], origin="batch")
    with _raw(dsn) as raw:
        for statement in ("UPDATE records SET outcome = 'forged' WHERE id = 2",
                          "DELETE FROM records WHERE id = 2", "TRUNCATE records"):
            with pytest.raises(psycopg.Error, match="append-only"):
                raw.execute(statement)
        assert raw.execute("SELECT count(*) FROM records").fetchone() == (3,)
        # a role granted what a writer needs can append, and the grants give no more
        writer = "govrules_writer_" + uuid.uuid4().hex[:12]
        raw.execute(f"CREATE ROLE {writer} LOGIN PASSWORD 'writer'")
        try:
            raw.execute(f"GRANT SELECT, INSERT ON records TO {writer}")
            parts = urlsplit(dsn)
            writer_dsn = urlunsplit(parts._replace(
                netloc=f"{writer}:writer@{parts.hostname}:{parts.port}"))
            with open_log(writer_dsn) as as_writer_log:
                assert as_writer_log.append(decisions[3], origin="service").id == 4
            with _raw(writer_dsn) as as_writer, pytest.raises(psycopg.Error,
                                                              match="permission denied"):
                as_writer.execute("UPDATE records SET outcome = 'forged'")
        finally:
            raw.execute(f"REVOKE ALL ON records FROM {writer}")
            raw.execute(f"DROP ROLE {writer}")
    assert log.verify().intact and log.verify().count == 4


@pytest.mark.parametrize(("statement", "record", "kind", "holding"), [
    ("UPDATE records SET outcome = 'forged' WHERE id = 3", 3, "tampered", 2),
    ("UPDATE records SET decision = replace(decision, '\"format\": 3', '\"format\":3') "
     "WHERE id = 3", 3, "tampered", 2),
    ("DELETE FROM records WHERE id = 3", 4, "missing", 2),
], ids=["update-column", "respell-decision-json", "delete-middle"])
def test_tampering_is_caught_at_the_record_it_touched(
        log: DecisionLog, dsn: str, decisions: list[Decision], statement: str, record: int,
        kind: str, holding: int, capsys: pytest.CaptureFixture[str]) -> None:
    log.append_many(decisions[:5], origin="batch")
    with _raw(dsn) as raw:  # what the table's owner or a superuser can do
        raw.execute("DROP TRIGGER records_append_only ON records")
        raw.execute(statement)
    report = log.verify()
    assert report.first_break is not None
    assert (report.first_break.record_id, report.first_break.kind) == (record, kind)
    assert report.count == holding
    assert main(["log", "verify", "--log", dsn]) == 1
    assert f"record {record}: {kind}:" in capsys.readouterr().out


def test_log_commands_read_postgresql(log: DecisionLog, dsn: str, decisions: list[Decision],
                                      capsys: pytest.CaptureFixture[str]) -> None:
    records = log.append_many(decisions, origin="cli")
    assert main(["log", "verify", "--log", dsn]) == 0
    assert records[-1].hash in capsys.readouterr().out
    assert main(["log", "query", "--log", dsn, "--outcome", decisions[0].outcome]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == sum(d.outcome == decisions[0].outcome for d in decisions)


def test_a_missing_log_or_server_is_said_so(dsn: str) -> None:
    with pytest.raises(LogUnavailableError, match="no decision log in"):
        open_log(dsn, create=False)
    parts = urlsplit(dsn)
    nowhere = urlunsplit(parts._replace(netloc=f"someone:pw-xyz@127.0.0.1:{_free_port()}"))
    with pytest.raises(LogUnavailableError, match="cannot connect") as caught:
        open_log(nowhere)
    assert "pw-xyz" not in str(caught.value) and "***" in str(caught.value)
