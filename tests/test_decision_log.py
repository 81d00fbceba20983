"""The decision log in a real SQLite file: records that hold the decisions as made, a hash chain
that `verify` walks, a database that refuses changes, tampering caught at the record it touched,
queries, several processes and threads appending at once, and the `govrules log` commands."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import multiprocessing
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import rfc8785

from conftest import ROOT
from govrules import Decision, Engine
from govrules.cli.main import main
from govrules.decisionlog import (
    GENESIS,
    DecisionLog,
    DecisionLogError,
    LogUnavailableError,
    chain,
    open_log,
)
from govrules.decisionlog.chain import COLUMNS
from govrules.runtime.case_files import read_case_file

WAGE = "cn.jilin.taobei.wage_deposit"
DAY = dt.date(2026, 11, 21)
EXAMPLES = sorted(p for p in (ROOT / "examples").rglob("*")
                  if p.suffix in (".json", ".yaml") and "reviews" not in p.parts)


# ------------------------------------------------------------------ decisions to log

def example_decisions(engine: Engine) -> list[Decision]:
    """Every bundled example case decided, as the engine decides it (many policies, outcomes)."""
    decisions = []
    for path in EXAMPLES:
        facts, envelope = read_case_file(path)
        assert envelope is not None
        decisions.append(engine.evaluate(str(envelope["policy"]), facts,
                                         as_of=dt.date.fromisoformat(str(envelope["as_of"]))))
    return decisions


def wage_decisions(engine: Engine, count: int) -> list[Decision]:
    """Small decisions without a trace: the contract price and first deposit vary."""
    return [engine.evaluate(WAGE, {"contract_price": str(100_000 + 1000 * n),
                                   "first_deposit": n % 2 == 0}, as_of=DAY, trace=False)
            for n in range(count)]


@pytest.fixture(scope="module")
def decisions(engine: Engine) -> list[Decision]:
    return example_decisions(engine)


@pytest.fixture
def log_path(tmp_path: Path) -> Path:
    return tmp_path / "decisions.sqlite"


@pytest.fixture
def log(log_path: Path) -> Iterator[DecisionLog]:
    with open_log(log_path) as opened:
        yield opened


def independent_hash(row: dict[str, Any]) -> str:
    """A record's hash by the documented recipe, with another RFC 8785 implementation."""
    content = {name: row[name] for name in COLUMNS if name != "record_hash"}
    return "sha256:" + hashlib.sha256(rfc8785.dumps(content)).hexdigest()


# ------------------------------------------------------------------ shared checks (also PostgreSQL)

def check_records_hold_decisions(log: DecisionLog, decisions: list[Decision]) -> None:
    first = log.append(decisions[0], origin="cli")
    rest = log.append_many(decisions[1:], origin="batch")
    records = [first, *rest]
    assert [r.id for r in records] == list(range(1, len(decisions) + 1))
    assert records[0].previous_hash == GENESIS
    for before, record in zip(records, records[1:], strict=False):
        assert record.previous_hash == before.hash
    for record, decision in zip(records, decisions, strict=True):
        assert record.decision == decision.to_json(indent=None)
        assert record.fingerprint == decision.fingerprint
        shown = log.show(record.id)
        assert shown is not None
        assert shown["decision"] == decision.to_dict()
        assert shown["record_hash"] == record.hash == independent_hash(shown | {
            "decision": record.decision})
        assert shown["policy"] == decision.policy_id
        assert shown["outcome"] == decision.outcome
        assert shown["as_of"] == decision.as_of.isoformat()
        pack = decision.to_dict()["pack"] or {}
        assert (shown["pack_id"], shown["pack_version"], shown["pack_manifest"]) == (
            pack.get("id"), pack.get("version"), pack.get("manifest"))
        stamped = dt.datetime.fromisoformat(shown["recorded_at"])
        assert stamped.utcoffset() == dt.timedelta(0)
    assert log.show(len(decisions) + 1) is None
    report = log.verify()
    assert report.intact and report.count == len(decisions)
    assert report.head_hash == records[-1].hash


def check_queries(log: DecisionLog, decisions: list[Decision]) -> None:
    log.append_many(decisions, origin="batch")
    documents = [d.to_dict() for d in decisions]

    def ids(**question: Any) -> list[int]:
        return [record["id"] for record in log.query(**question)]

    def expected(keep: Callable[[dict[str, Any]], bool]) -> list[int]:
        return [n for n, document in enumerate(documents, 1) if keep(document)]

    assert ids() == list(range(1, len(decisions) + 1))
    assert ids(policy=WAGE) == expected(lambda d: d["policy"] == WAGE)
    outcome = documents[0]["outcome"]
    assert ids(outcome=outcome) == expected(lambda d: d["outcome"] == outcome)
    assert ids(policy=WAGE, outcome="assessed") == expected(
        lambda d: d["policy"] == WAGE and d["outcome"] == "assessed")
    # facts as the decision's JSON spells them: money, booleans
    price = next(d["facts"]["contract_price"] for d in documents if d["policy"] == WAGE)
    assert ids(facts={"contract_price": price}) == expected(
        lambda d: d["facts"].get("contract_price") == price)
    assert ids(facts={"first_deposit": "true"}) == expected(
        lambda d: d["facts"].get("first_deposit") is True)
    assert ids(facts={"first_deposit": True, "contract_price": price}) == expected(
        lambda d: d["facts"].get("first_deposit") is True
        and d["facts"].get("contract_price") == price)
    assert ids(facts={"contract_price": "no such price"}) == []
    # through the Python API, a Decimal is spelled as the decision spells it
    assert ids(facts={"contract_price": Decimal(price) + Decimal("0.00")}) == ids(
        facts={"contract_price": price})
    with pytest.raises(DecisionLogError, match="a float is not a value"):
        log.query(facts={"contract_price": 1000000.0})
    assert ids(limit=2) == [1, 2]
    # times: a day in Beijing, or an instant with its offset
    first = log.show(1)
    assert first is not None
    recorded = dt.datetime.fromisoformat(first["recorded_at"])
    beijing_day = recorded.astimezone(dt.timezone(dt.timedelta(hours=8))).date()
    everything = list(range(1, len(decisions) + 1))
    assert ids(since=beijing_day, until=beijing_day) == everything
    assert ids(until=beijing_day - dt.timedelta(days=1)) == []
    assert ids(since=beijing_day + dt.timedelta(days=1)) == []
    assert ids(since=recorded) == everything
    assert ids(until=recorded) == [1]
    assert ids(since=first["recorded_at"], until=recorded.isoformat()) == [1]
    with pytest.raises(DecisionLogError, match="no time zone"):
        list(log.query(since=dt.datetime(2026, 1, 1)))


def _append_in_threads(target: str, origin: str, decisions: list[Decision], threads: int,
                       rounds: int) -> None:
    """One process: its own log, shared by several threads, each appending ``rounds`` times
    (single decisions and batches of two, alternately: three records a round)."""
    failures: list[BaseException] = []
    with open_log(target) as log:
        def work(number: int) -> None:
            try:
                for n in range(rounds):
                    log.append(decisions[(number + n) % len(decisions)], origin=origin)
                    log.append_many(decisions[:2], origin=origin)
            except BaseException as error:  # noqa: BLE001 - reported to the parent
                failures.append(error)
        workers = [threading.Thread(target=work, args=(n,)) for n in range(threads)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
    if failures:
        raise failures[0]


def check_concurrent_writers(target: str, decisions: list[Decision]) -> None:
    processes, threads, rounds = 4, 3, 14
    context = multiprocessing.get_context("fork")
    workers = [context.Process(target=_append_in_threads,
                               args=(target, f"process-{n}", decisions, threads, rounds))
               for n in range(processes)]
    for worker in workers:
        worker.start()
    # this process appends at the same time, from threads of its own
    _append_in_threads(target, "parent", decisions, threads, rounds)
    for worker in workers:
        worker.join(timeout=120)
        assert worker.exitcode == 0
    per_process = threads * rounds * 3
    with open_log(target, create=False) as log:
        report = log.verify()
        assert report.first_break is None
        assert report.count == (processes + 1) * per_process
        for origin in ["parent", *(f"process-{n}" for n in range(processes))]:
            found = [r for r in log.query(limit=None) if r["origin"] == origin]
            assert len(found) == per_process, origin


# ------------------------------------------------------------------ SQLite

def test_records_hold_the_decisions_as_made(log: DecisionLog,
                                            decisions: list[Decision]) -> None:
    check_records_hold_decisions(log, decisions)


def test_queries_by_policy_outcome_time_and_facts(engine: Engine, log: DecisionLog,
                                                   decisions: list[Decision]) -> None:
    check_queries(log, decisions + wage_decisions(engine, 6))


def test_several_processes_and_threads_keep_one_chain(engine: Engine, log_path: Path) -> None:
    check_concurrent_writers(str(log_path), wage_decisions(engine, 5))


def _open_at_once(path: str, start: Any, failures: Any) -> None:
    start.wait()
    try:
        open_log(path).close()
    except BaseException as error:  # noqa: BLE001 - reported to the parent
        failures.put(repr(error))


def test_several_processes_making_one_new_log_at_once_all_open_it(tmp_path: Path) -> None:
    """Processes (Dask workers, say) that open one new log file at the same moment race to set
    it up; SQLite answers some of them "database is locked" at once rather than after its busy
    timeout, which the log must wait out (this failed about one file in seven before)."""
    context = multiprocessing.get_context("fork")
    processes, files = 6, 15
    failures = context.Queue()
    for n in range(files):
        path = str(tmp_path / f"new-{n}.sqlite")
        start = context.Barrier(processes)
        workers = [context.Process(target=_open_at_once, args=(path, start, failures))
                   for _ in range(processes)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(timeout=120)
            assert worker.exitcode == 0
        assert failures.empty(), failures.get()
        with open_log(path, create=False) as log:
            assert log.verify().count == 0


def test_the_database_refuses_updates_and_deletes(log: DecisionLog, log_path: Path,
                                                  decisions: list[Decision]) -> None:
    log.append_many(decisions[:3], origin="batch")
    raw = sqlite3.connect(log_path)
    try:
        for statement in ("UPDATE records SET outcome = 'forged' WHERE id = 2",
                          "DELETE FROM records WHERE id = 2", "DELETE FROM records"):
            with pytest.raises(sqlite3.IntegrityError, match="append-only"):
                raw.execute(statement)
        assert raw.execute("SELECT count(*), max(outcome) FROM records").fetchone() == (
            3, max(d.outcome for d in decisions[:3]))
    finally:
        raw.close()
    assert log.verify().intact


def _tamper(path: Path, *statements: str) -> None:
    """What a user with the database file can do: drop the triggers, then change rows."""
    raw = sqlite3.connect(path)
    try:
        raw.execute("DROP TRIGGER records_append_only_update")
        raw.execute("DROP TRIGGER records_append_only_delete")
        for statement in statements:
            raw.execute(statement)
        raw.commit()
    finally:
        raw.close()


def _rewrite_from(path: Path, first_id: int, change: Callable[[dict[str, Any]], None]) -> None:
    """A careful forger: change a record, then recompute its hash and relink every later one."""
    raw = sqlite3.connect(path)
    raw.row_factory = sqlite3.Row
    try:
        raw.execute("DROP TRIGGER records_append_only_update")
        rows = [dict(row) for row in raw.execute("SELECT * FROM records ORDER BY id")]
        previous = rows[first_id - 2]["record_hash"] if first_id > 1 else GENESIS
        for row in rows[first_id - 1:]:
            if row["id"] == first_id:
                change(row)
            row["previous_hash"] = previous
            row["record_hash"] = previous = independent_hash(row)
            raw.execute("UPDATE records SET decision = ?, outcome = ?, previous_hash = ?, "
                        "record_hash = ? WHERE id = ?", (row["decision"], row["outcome"],
                                                          row["previous_hash"],
                                                          row["record_hash"], row["id"]))
        raw.commit()
    finally:
        raw.close()


def _forge_value(row: dict[str, Any]) -> None:
    document = json.loads(row["decision"])
    name = next(iter(document["values"]))
    document["values"][name] = "12345"
    row["decision"] = json.dumps(document, ensure_ascii=False)


def _forge_outcome_everywhere(row: dict[str, Any]) -> None:
    document = json.loads(row["decision"])
    document["outcome"] = row["outcome"] = "forged"
    row["decision"] = json.dumps(document, ensure_ascii=False)


@pytest.mark.parametrize(("tampering", "record", "kind", "words", "holding"), [
    (lambda p: _tamper(p, "UPDATE records SET outcome = 'forged' WHERE id = 3"),
     3, "tampered", "does not match its hash", 2),
    # the same JSON, spelled otherwise: the hash covers the text as stored
    (lambda p: _tamper(p, "UPDATE records SET decision = replace(decision, '\"format\": 3', "
                          "'\"format\":3') WHERE id = 3"),
     3, "tampered", "does not match its hash", 2),
    (lambda p: _tamper(p, "DELETE FROM records WHERE id = 3"), 4, "missing", "record 3 is", 2),
    (lambda p: _tamper(p, "DELETE FROM records WHERE id IN (2, 3)"), 4, "missing",
     "records 2 to 3", 1),
    (lambda p: _tamper(p, "DELETE FROM records WHERE id = 1"), 2, "missing", "record 1 is", 0),
    (lambda p: _rewrite_from(p, 3, _forge_value), 3, "fingerprint",
     "no longer matches its fingerprint", 2),
    (lambda p: _rewrite_from(p, 3, _forge_outcome_everywhere), 3, "fingerprint",
     "no longer matches its fingerprint", 2),
    (lambda p: _rewrite_from(p, 3, lambda row: row.update(outcome="forged")), 3,
     "inconsistent", "its outcome disagrees with its decision's JSON", 2),
], ids=["update-column", "respell-decision-json", "delete-middle", "delete-two",
        "delete-first", "rehashed-value", "rehashed-outcome", "rehashed-column"])
def test_tampering_is_caught_at_the_record_it_touched(
        log: DecisionLog, log_path: Path, decisions: list[Decision],
        tampering: Callable[[Path], None], record: int, kind: str, words: str, holding: int,
        capsys: pytest.CaptureFixture[str]) -> None:
    log.append_many(decisions[:5], origin="batch")
    assert log.verify().intact
    tampering(log_path)
    report = log.verify()
    assert report.first_break is not None
    assert (report.first_break.record_id, report.first_break.kind) == (record, kind)
    assert words in report.first_break.reason
    assert report.count == holding
    assert main(["log", "verify", "--log", str(log_path)]) == 1
    out = capsys.readouterr().out
    assert out.startswith("BROKEN:") and f"record {record}: {kind}:" in out


def test_a_record_moved_out_of_place_is_unlinked(log: DecisionLog, log_path: Path,
                                                 decisions: list[Decision]) -> None:
    log.append_many(decisions[:5], origin="batch")
    # remove record 3 and renumber the later ones, each rehashed with its new id: only the
    # link to the record before gives it away
    raw = sqlite3.connect(log_path)
    raw.row_factory = sqlite3.Row
    try:
        raw.execute("DROP TRIGGER records_append_only_update")
        raw.execute("DROP TRIGGER records_append_only_delete")
        rows = [dict(row) for row in raw.execute("SELECT * FROM records WHERE id > 3 "
                                                 "ORDER BY id")]
        raw.execute("DELETE FROM records WHERE id >= 3")
        for row in rows:
            row["id"] -= 1
            row["record_hash"] = independent_hash(row)
            raw.execute(f"INSERT INTO records ({', '.join(row)}) VALUES "
                        f"({', '.join('?' * len(row))})", list(row.values()))
        raw.commit()
    finally:
        raw.close()
    broken = log.verify().first_break
    assert broken is not None
    assert (broken.record_id, broken.kind) == (3, "unlinked")


def test_an_anchor_catches_a_cut_tail(log: DecisionLog, log_path: Path,
                                      decisions: list[Decision]) -> None:
    records = log.append_many(decisions[:4], origin="batch")
    head = records[-1].hash
    assert log.verify(anchor=head).intact
    _tamper(log_path, "DELETE FROM records WHERE id = 4")
    assert log.verify().intact  # without an anchor, a cut tail looks like a shorter log
    report = log.verify(anchor=head)
    assert report.first_break is not None and report.first_break.kind == "anchor"
    assert report.count == 3 and head in report.first_break.reason


def test_what_is_not_a_decision_or_an_origin_is_refused(
        log: DecisionLog, decisions: list[Decision], monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(DecisionLogError, match="not a dict"):
        log.append(decisions[0].to_dict(), origin="cli")  # type: ignore[arg-type]
    for origin in ("", "x" * 101, "line\nbreak"):
        with pytest.raises(DecisionLogError, match="origin"):
            log.append(decisions[0], origin=origin)
    monkeypatch.setattr(chain, "MAX_DECISION_BYTES", 1000)
    with pytest.raises(DecisionLogError, match="more than the 1,000 a decision log record"):
        log.append_many(decisions[:2], origin="batch")
    assert log.verify().count == 0  # all or none


def test_what_is_not_a_log_is_said_so(tmp_path: Path) -> None:
    with pytest.raises(LogUnavailableError, match="no decision log at"):
        open_log(tmp_path / "absent.sqlite", create=False)
    not_sqlite = tmp_path / "notes.txt"
    not_sqlite.write_text("not a database, just text " * 100, encoding="utf-8")
    with pytest.raises(LogUnavailableError, match="not a decision log"):
        open_log(not_sqlite)
    other = tmp_path / "other.sqlite"
    raw = sqlite3.connect(other)
    raw.execute("CREATE TABLE records (id INTEGER PRIMARY KEY, what TEXT)")
    raw.commit()
    raw.close()
    with pytest.raises(LogUnavailableError, match="not a decision log"):
        open_log(other)
    with pytest.raises(LogUnavailableError, match="a folder"):
        open_log(tmp_path)
    with pytest.raises(LogUnavailableError, match="neither a file path nor"):
        open_log("mysql://host/db")


# ------------------------------------------------------------------ the command line

def test_log_commands(log: DecisionLog, log_path: Path, decisions: list[Decision],
                      capsys: pytest.CaptureFixture[str]) -> None:
    records = log.append_many(decisions, origin="cli")
    target = ["--log", str(log_path)]
    assert main(["log", "verify", *target]) == 0
    out = capsys.readouterr().out
    assert f"intact: {len(decisions)} records" in out and records[-1].hash in out
    assert main(["log", "verify", "--format", "json", *target]) == 0
    assert json.loads(capsys.readouterr().out) == {
        "intact": True, "records": len(decisions), "head_hash": records[-1].hash,
        "first_break": None}
    assert main(["log", "query", *target, "--policy", WAGE]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [json.loads(line) for line in lines] == list(log.query(policy=WAGE))
    assert lines and all(json.loads(line)["decision"]["policy"] == WAGE for line in lines)
    price = json.loads(lines[0])["decision"]["facts"]["contract_price"]
    assert main(["log", "query", *target, "--fact", f"contract_price={price}",
                 "--limit", "0"]) == 0
    assert [json.loads(line) for line in capsys.readouterr().out.splitlines()] == list(
        log.query(facts={"contract_price": price}))
    assert main(["log", "query", *target, "--limit", "2"]) == 0
    captured = capsys.readouterr()
    assert len(captured.out.splitlines()) == 2 and "--limit" in captured.err
    assert main(["log", "show", "2", *target]) == 0
    assert json.loads(capsys.readouterr().out) == log.show(2)


def test_the_default_log_is_the_environment_s_or_the_current_folder_s(
        engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GOVRULES_LOG", raising=False)
    assert main(["log", "verify"]) == 2
    assert "no decision log at govrules-decisions.sqlite" in capsys.readouterr().err
    with open_log("govrules-decisions.sqlite") as log:
        log.append_many(wage_decisions(engine, 2), origin="cli")
    assert main(["log", "verify"]) == 0
    assert "intact: 2 records in govrules-decisions.sqlite" in capsys.readouterr().out
    elsewhere = tmp_path / "elsewhere.sqlite"
    with open_log(elsewhere) as log:
        log.append_many(wage_decisions(engine, 3), origin="cli")
    monkeypatch.setenv("GOVRULES_LOG", str(elsewhere))
    assert main(["log", "verify"]) == 0
    assert "intact: 3 records" in capsys.readouterr().out


@pytest.mark.parametrize(("arguments", "message"), [
    (["log", "show", "9"], "no record 9 in"),
    (["log", "query", "--fact", "contract_price"], "expected NAME=VALUE"),
    (["log", "query", "--since", "2026-02-30"], "since: '2026-02-30' is neither"),
    (["log", "query", "--until", "2026-11-21T08:00:00"], "no time zone"),
    (["log", "verify", "--log", "postgresql://auditor:s3cret-pw@127.0.0.1:9/log"],
     "postgresql://auditor:***@127.0.0.1:9/log"),
    (["log", "verify", "--log", "postgres://127.0.0.1:9/log?password=s3cret-pw"],
     "password=%2A%2A%2A"),
], ids=["no-such-record", "bad-fact", "bad-date", "naive-time", "dsn-password",
        "dsn-password-query"])
def test_bad_arguments_exit_2_with_a_message(
        log: DecisionLog, log_path: Path, arguments: list[str], message: str,
        capsys: pytest.CaptureFixture[str]) -> None:
    if "--log" not in arguments:
        arguments = [*arguments, "--log", str(log_path)]
    assert main(arguments) == 2
    err = capsys.readouterr().err
    assert message in err
    assert "s3cret-pw" not in err and "Traceback" not in err


def test_without_psycopg_a_postgresql_log_names_the_extra(tmp_path: Path) -> None:
    script = (
        "import sys\n"
        "sys.modules['psycopg'] = None\n"  # as if the postgres extra were not installed
        "import govrules, govrules.decisionlog\n"
        "from govrules.cli.main import main\n"
        "sys.exit(main(['log', 'verify', '--log', 'postgresql://127.0.0.1:9/log']))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          cwd=tmp_path, timeout=60)
    assert done.returncode == 2
    assert "pip install 'govrules[postgres]'" in done.stderr
    assert "Traceback" not in done.stderr


def test_the_core_does_not_import_the_database_driver() -> None:
    script = ("import sys, govrules, govrules.decisionlog, govrules.cli.main\n"
              "assert 'psycopg' not in sys.modules, 'psycopg imported'\n")
    subprocess.run([sys.executable, "-c", script], check=True, timeout=60)
