"""The hash chain of a decision log: what one record holds, how its hash is computed, and the
walk that checks every link.

A record's hash is sha256 over the canonical JSON (RFC 8785) of every stored column but the hash
itself -- its id, its time, the decision's JSON as stored, and the hash of the record before it
-- so changing, removing, inserting or reordering a record breaks a link ``walk_chain`` names.

    entry = entry_of(decision, origin="batch")             # what the caller gives
    record = seal(entry, 1, now_utc(), GENESIS)            # what the log stores
    walk_chain(rows).first_break                           # None: intact
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence
from dataclasses import asdict, astuple, fields, replace
from typing import Any

from govrules.canonical import digest
from govrules.errors import GovrulesError
from govrules.records import record
from govrules.runtime.decision import Decision, fingerprint_of

__all__ = [
    "COLUMNS",
    "GENESIS",
    "MAX_DECISION_BYTES",
    "MAX_ORIGIN_LENGTH",
    "ChainBreak",
    "ChainReport",
    "DecisionLogError",
    "Entry",
    "LogRecord",
    "entry_of",
    "now_utc",
    "record_hash",
    "seal",
    "walk_chain",
]

# The previous hash of the first record: the form of every other hash, all zeros.
GENESIS = "sha256:" + "0" * 64
# The largest decision JSON a record holds (UTF-8 bytes): the largest of the bundled examples,
# with its trace, is about 160 KiB; a hundred times that leaves room for long lists of facts.
MAX_DECISION_BYTES = 16 * 1024 * 1024
MAX_ORIGIN_LENGTH = 100


class DecisionLogError(GovrulesError):
    """A decision log cannot be opened, written or read, or a record cannot be made."""


@record
class LogRecord:
    """One stored record, its fields in the order of the table's columns (``COLUMNS``)."""

    id: int
    recorded_at: str  # UTC, ISO 8601 with offset and microseconds: text order is time order
    origin: str  # which face made the decision: "service", "batch", "cli", ...
    policy: str
    policy_version: str
    policy_hash: str
    pack_id: str | None
    pack_version: str | None
    pack_manifest: str | None  # the pack's manifest digest
    as_of: str
    outcome: str
    fingerprint: str
    decision: str  # exactly ``decision.to_json(indent=None)``
    previous_hash: str
    hash: str  # the ``record_hash`` column

    @classmethod
    def from_row(cls, row: Sequence[Any]) -> LogRecord:
        return cls(*row)

    def content(self) -> dict[str, Any]:
        """Every column but the record's hash, by column name: what the hash covers."""
        return dict(zip(COLUMNS[:-1], astuple(self)[:-1], strict=True))

    def to_dict(self) -> dict[str, Any]:
        """The record as JSON, its decision embedded as an object (a JSON line of ``query``)."""
        document = self.content()
        document["decision"] = json.loads(self.decision)
        document["record_hash"] = self.hash
        return document


COLUMNS = tuple(field.name for field in fields(LogRecord))[:-1] + ("record_hash",)


@record
class Entry:
    """A decision about to be appended: every column but id, time and the two hashes."""

    origin: str
    policy: str
    policy_version: str
    policy_hash: str
    pack_id: str | None
    pack_version: str | None
    pack_manifest: str | None
    as_of: str
    outcome: str
    fingerprint: str
    decision: str


def entry_of(decision: Decision, origin: str) -> Entry:
    """The columns of a decision, checked: a real ``Decision``, a short origin, a bounded size."""
    if not isinstance(decision, Decision):
        raise DecisionLogError(f"a decision log records decisions, not a {type(decision).__name__}")
    if (
        not isinstance(origin, str)
        or not origin
        or len(origin) > MAX_ORIGIN_LENGTH
        or not origin.isprintable()
    ):
        raise DecisionLogError(
            f"origin: expected a printable name of 1 to {MAX_ORIGIN_LENGTH} characters, such as "
            f"'service' or 'batch' (got {origin!r:.60})"
        )
    text = decision.to_json(indent=None)
    size = len(text.encode("utf-8"))
    if size > MAX_DECISION_BYTES:
        raise DecisionLogError(
            f"the decision's JSON is {size:,} bytes, more than the {MAX_DECISION_BYTES:,} a "
            "decision log record holds (make it without its trace: trace=False)"
        )
    pack = decision.policy.pack
    return Entry(
        origin=origin,
        policy=decision.policy_id,
        policy_version=decision.policy_version,
        policy_hash=decision.policy.content_hash,
        pack_id=pack.id if pack is not None else None,
        pack_version=pack.version if pack is not None else None,
        pack_manifest=pack.manifest if pack is not None else None,
        as_of=decision.as_of.isoformat(),
        outcome=decision.outcome,
        fingerprint=decision.fingerprint,
        decision=text,
    )


def now_utc() -> str:
    """This instant in UTC, ISO 8601 with offset and microseconds (one length, so text sorts)."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="microseconds")


def record_hash(content: dict[str, Any]) -> str:
    """sha256 over the canonical JSON of a record's columns but ``record_hash``."""
    return digest(content)


def seal(entry: Entry, record_id: int, recorded_at: str, previous_hash: str) -> LogRecord:
    """The record an entry becomes at its place in the chain."""
    unsealed = LogRecord(
        id=record_id,
        recorded_at=recorded_at,
        **asdict(entry),
        previous_hash=previous_hash,
        hash="",
    )
    return replace(unsealed, hash=record_hash(unsealed.content()))


@record
class ChainBreak:
    """The first broken link: the record where the chain stops holding, and why.

    ``kind`` is ``missing`` (ids jump: records were deleted), ``tampered`` (the stored hash does
    not match the record's content), ``unlinked`` (its previous hash is not the hash of the record
    before it: removed, inserted or reordered), ``fingerprint`` (the decision's JSON no longer
    matches its own fingerprint), ``inconsistent`` (a column disagrees with the decision's JSON)
    or ``anchor`` (a hash kept elsewhere is no longer in the chain; ``record_id`` is None)."""

    record_id: int | None
    kind: str
    reason: str

    def __str__(self) -> str:
        where = f"record {self.record_id}" if self.record_id is not None else "the chain"
        return f"{where}: {self.kind}: {self.reason}"


@record
class ChainReport:
    """What ``DecisionLog.verify`` found: how many records hold, the hash of the last of them,
    and the first break (None when the chain is intact)."""

    count: int
    head_hash: str
    first_break: ChainBreak | None

    @property
    def intact(self) -> bool:
        return self.first_break is None

    def to_dict(self) -> dict[str, Any]:
        broken = self.first_break
        return {
            "intact": self.intact,
            "records": self.count,
            "head_hash": self.head_hash,
            "first_break": None
            if broken is None
            else {"record": broken.record_id, "kind": broken.kind, "reason": broken.reason},
        }


def walk_chain(rows: Iterable[Sequence[Any]], anchor: str | None = None) -> ChainReport:
    """Check every record in id order (rows as the table holds them), stopping at the first
    break. ``anchor``: a record hash kept elsewhere (say, last month's head), which the chain
    must still hold -- the one thing that catches a rewrite of the whole chain or its tail."""
    expected_id, previous, count, anchored = 1, GENESIS, 0, anchor is None
    for row in rows:
        record = LogRecord.from_row(row)
        broken = _break_at(record, expected_id, previous)
        if broken is not None:
            return ChainReport(count, previous, broken)
        anchored = anchored or record.hash == anchor
        expected_id, previous, count = record.id + 1, record.hash, count + 1
    if not anchored:
        reason = f"no record has the hash {anchor}: the chain was rewritten or cut short"
        return ChainReport(count, previous, ChainBreak(None, "anchor", reason))
    return ChainReport(count, previous, None)


def _break_at(record: LogRecord, expected_id: int, previous: str) -> ChainBreak | None:
    if record.id != expected_id:
        gone = (
            f"record {expected_id} is"
            if record.id == expected_id + 1
            else f"records {expected_id} to {record.id - 1} are"
        )
        return ChainBreak(record.id, "missing", f"{gone} missing before it (deleted)")
    if record.hash != record_hash(record.content()):
        return ChainBreak(
            record.id,
            "tampered",
            "its content does not match its hash (changed after it was written)"
            + (f" and {problem[1]}" if (problem := _decision_problem(record)) else ""),
        )
    if record.previous_hash != previous:
        return ChainBreak(
            record.id,
            "unlinked",
            f"its previous hash {record.previous_hash} is not the hash of the record before it "
            f"({previous}): a record was removed, inserted or moved",
        )
    problem = _decision_problem(record)
    return None if problem is None else ChainBreak(record.id, *problem)


def _decision_problem(record: LogRecord) -> tuple[str, str] | None:
    """What is wrong with a record's decision JSON: the kind of break and why, or None."""
    try:
        document = json.loads(record.decision, object_pairs_hook=_unique_members)
        if not isinstance(document, dict):
            raise ValueError("not an object")
        recomputed = fingerprint_of(document)
    except (ValueError, TypeError) as error:
        return "fingerprint", f"its decision is not a decision's JSON ({error})"
    if document.get("fingerprint") != recomputed:
        return "fingerprint", "its decision's JSON no longer matches its fingerprint"
    named = document.get("pack")
    pack: dict[str, Any] = named if isinstance(named, dict) else {}
    columns = {
        "policy": document.get("policy"),
        "policy_version": document.get("policy_version"),
        "policy_hash": document.get("policy_hash"),
        "pack_id": pack.get("id"),
        "pack_version": pack.get("version"),
        "pack_manifest": pack.get("manifest"),
        "as_of": document.get("as_of"),
        "outcome": document.get("outcome"),
        "fingerprint": document.get("fingerprint"),
    }
    stored = record.content()
    differ = [name for name, value in columns.items() if stored[name] != value]
    if differ:
        return "inconsistent", f"its {', '.join(differ)} disagrees with its decision's JSON"
    return None


def _unique_members(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    members = dict(pairs)
    if len(members) != len(pairs):
        raise ValueError("a member is written twice in one object")
    return members
