"""The engine of each process of a Dask run, made once, and the check that every worker holds
the same packs as the client: a worker that would decide under other law is refused, not used.

    engine = engine_for(("../my-pack",))         # Engine.default("../my-pack"), once per process
    identity = pack_identity(engine)             # {"cn.national": "1.0.0 sha256:…", …}
    check_identity(identity, worker_identity, "tcp://10.0.0.7:40123")   # or ClusterError

A worker never receives a compiled policy: it receives the pack paths and makes its engine the
way the client made its own (``Engine.default``), then compares what it loaded with what the
client expects, by the packs' manifest digests.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Mapping, Sequence
from importlib import metadata
from pathlib import Path

from distributed import get_worker

from govrules.canonical import digest
from govrules.engine import Engine, today
from govrules.errors import CaseError, Diagnostic, GovrulesError
from govrules.runtime.limits import EARLIEST_DATE, LATEST_DATE

__all__ = [
    "ClusterError",
    "PackIdentity",
    "check_identity",
    "checked_engine",
    "decision_day",
    "engine_for",
    "forget_engines",
    "pack_identity",
    "resolved_packs",
    "this_worker",
]

PackIdentity = Mapping[str, str]  # pack id -> "version digest", and "govrules" -> its version

_ENGINES: dict[tuple[str, ...], Engine] = {}
_CHECKED: set[tuple[tuple[str, ...], tuple[tuple[str, str], ...]]] = set()
_LOCK = threading.Lock()


class ClusterError(GovrulesError):
    """The Dask cluster cannot be used: the scheduler cannot be reached, or a worker holds
    other packs (or another govrules) than the client."""


def resolved_packs(packs: Sequence[str | Path]) -> tuple[str, ...]:
    """The pack folders as absolute paths, so that a worker started elsewhere reads the same
    folders (on another machine, they must exist at the same paths)."""
    return tuple(str(Path(pack).resolve()) for pack in packs)


def engine_for(packs: tuple[str, ...]) -> Engine:
    """This process's engine over the bundled, installed and given packs, made once."""
    with _LOCK:
        engine = _ENGINES.get(packs)
        if engine is None:
            engine = _ENGINES[packs] = Engine.default(*packs)
        return engine


def forget_engines() -> None:
    """Drop this process's engines, so that the next run loads the packs again (after a pack
    changed on disk)."""
    with _LOCK:
        _ENGINES.clear()
        _CHECKED.clear()


def pack_identity(engine: Engine) -> dict[str, str]:
    """What decides in ``engine``: each pack's version and manifest digest, and the version of
    govrules. A pack without a manifest (or a plain folder of policies) is named by a digest of
    its policies' content hashes instead."""
    identity = {"govrules": metadata.version("govrules")}
    policies = engine.policies()
    for pack in engine.packs.values():
        if pack.digest is not None:
            identity[pack.id] = f"{pack.version} {pack.digest}"
            continue
        root = pack.root.resolve()
        hashes = sorted(
            p.content_hash for p in policies if Path(p.path).resolve().is_relative_to(root)
        )
        name = pack.id if pack.is_pack else "(plain folders of policies)"
        identity[name] = f"{pack.version} unsealed {digest(hashes)}".lstrip()
    return identity


def check_identity(expected: PackIdentity, found: PackIdentity, where: str) -> None:
    """Refuse a process whose packs differ from the client's, naming each difference."""
    differences = []
    for name in sorted(set(expected) | set(found)):
        mine, theirs = expected.get(name), found.get(name)
        if mine == theirs:
            continue
        differences.append(
            f"{name}: {mine or 'absent'} on the client, {theirs or 'absent'} on the worker"
        )
    if differences:
        raise ClusterError(
            f"the worker {where} holds other packs than the client, so its decisions would not "
            "be the client's: " + "; ".join(differences) + ". Install the same govrules and "
            "the same packs on every machine (compare `govrules packs` on each)"
        )


def checked_engine(packs: tuple[str, ...], expected: PackIdentity, where: str) -> Engine:
    """This process's engine, compared once with the packs the client expects."""
    engine = engine_for(packs)
    key = (packs, tuple(sorted(expected.items())))
    if key not in _CHECKED:
        check_identity(expected, pack_identity(engine), where)
        with _LOCK:
            _CHECKED.add(key)
    return engine


def decision_day(as_of: dt.date | None) -> dt.date:
    """The date whose law applies to every case of a run: ``as_of``, or today in Beijing,
    fixed once on the client (a run across midnight stays on one date)."""
    day = today() if as_of is None else as_of
    if type(day) is not dt.date or not EARLIEST_DATE <= day <= LATEST_DATE:
        raise CaseError(
            [
                Diagnostic(
                    "invalid-as-of",
                    f"as_of must be a date within {EARLIEST_DATE} to {LATEST_DATE}, got {day!r}",
                )
            ]
        )
    return day


def this_worker() -> str:
    """The address of the Dask worker running this task, for messages."""
    try:
        return str(get_worker().address)
    except ValueError:
        return "(the client's own process)"
