"""A stream of cases decided on a Dask cluster, in order: what ``govrules batch --dask`` runs.

    for row in evaluate_cases(cases, "cn.national.wage_deposit", day, "tcp://10.0.0.5:8786"):
        ...     # a decision's JSON object (format 3), or {"errors": [{code, field, message}]}
    for made in decide_cases(cases, policy_id, day, "local", workers=2):
        ...     # a Decision, or the CaseError of a bad case (as Engine.evaluate_many yields)

The cases go to the workers in chunks, at most two per worker thread at a time, so memory stays
bounded however long the stream is; ``"local"`` starts a cluster of worker processes on this
machine for the run. Before the first chunk, every worker's packs are compared with the
client's (``ClusterError`` names the worker and the pack that differ).
"""

from __future__ import annotations

import datetime as dt
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import ExitStack
from itertools import islice
from pathlib import Path
from typing import Any, TypeVar

from distributed import Client, Future, LocalCluster

from govrules.batch.problems import problems_of
from govrules.dask.engines import (
    ClusterError,
    PackIdentity,
    check_identity,
    checked_engine,
    decision_day,
    engine_for,
    pack_identity,
    resolved_packs,
    this_worker,
)
from govrules.errors import CaseError
from govrules.runtime.decision import Decision

__all__ = ["check_workers", "decide_cases", "evaluate_cases"]

# How long to wait for the scheduler to answer, and for a first worker to join it.
CONNECT_SECONDS = 10
WORKER_SECONDS = 30

Case = Mapping[str, Any] | CaseError  # a CaseError (a row a reader refused) passes through
Made = TypeVar("Made")


def evaluate_cases(
    cases: Iterable[Case],
    policy_id: str,
    as_of: dt.date | None,
    address: str,
    *,
    packs: Sequence[str | Path] = (),
    chunk_size: int = 256,
    workers: int | None = None,
    trace: bool = False,
) -> Iterator[dict[str, Any]]:
    """Each case's decision as its JSON object (``Decision.to_dict()``, made on the worker), or
    for a bad case ``{"errors": [{"code", "field", "message"}, ...]}``, in the order of
    ``cases``. ``address`` is the scheduler's (``tcp://host:8786``) or ``"local"``, which
    starts ``workers`` worker processes here (default: one per core) for the run."""
    return _run(
        _json_chunk, _errors_of, cases, policy_id, as_of, address, packs, chunk_size, workers, trace
    )


def decide_cases(
    cases: Iterable[Case],
    policy_id: str,
    as_of: dt.date | None,
    address: str,
    *,
    packs: Sequence[str | Path] = (),
    chunk_size: int = 256,
    workers: int | None = None,
    trace: bool = False,
) -> Iterator[Decision | CaseError]:
    """Each case's ``Decision``, or the ``CaseError`` of a bad case, in the order of ``cases``:
    ``Engine.evaluate_many`` on a cluster (decisions come back pickled and equal the ones this
    process would make)."""
    return _run(
        _decide_chunk,
        _as_it_is,
        cases,
        policy_id,
        as_of,
        address,
        packs,
        chunk_size,
        workers,
        trace,
    )


def _run(
    task: Callable[..., list[Made]],
    refused: Callable[[CaseError], Made],
    cases: Iterable[Case],
    policy_id: str,
    as_of: dt.date | None,
    address: str,
    packs: Sequence[str | Path],
    chunk_size: int,
    workers: int | None,
    trace: bool,
) -> Iterator[Made]:
    """Check what can be checked here and now; decide lazily."""
    if chunk_size < 1 or (workers is not None and workers < 1):
        raise ValueError("chunk_size and workers are at least 1")
    folders = resolved_packs(packs)
    engine = engine_for(folders)
    day = decision_day(as_of)
    engine.policy(policy_id, day)  # an unknown policy, or none in force, raises here
    expected = pack_identity(engine)
    job = (policy_id, day, folders, trace, expected)
    return _stream(task, refused, iter(cases), job, address, chunk_size, workers)


def _stream(
    task: Callable[..., list[Made]],
    refused: Callable[[CaseError], Made],
    cases: Iterator[Case],
    job: tuple[Any, ...],
    address: str,
    chunk_size: int,
    workers: int | None,
) -> Iterator[Made]:
    with ExitStack() as stack:
        client = _client(address, workers, stack)
        threads = _check_workers(client, job[4], job[2])
        pending: deque[tuple[list[Case], Future[list[Made]]]] = deque()
        for chunk in iter(lambda: list(islice(cases, chunk_size)), []):
            given = [case for case in chunk if not isinstance(case, CaseError)]
            pending.append((chunk, client.submit(task, given, *job, pure=False)))
            while len(pending) >= 2 * threads:
                yield from _in_place(*pending.popleft(), refused)
        while pending:
            yield from _in_place(*pending.popleft(), refused)


def _in_place(
    chunk: list[Case], future: Future[list[Made]], refused: Callable[[CaseError], Made]
) -> Iterator[Made]:
    """A chunk's results, with the cases refused before the cluster (kept here) in place."""
    made = iter(future.result())
    for case in chunk:
        yield refused(case) if isinstance(case, CaseError) else next(made)


def _client(address: str, workers: int | None, stack: ExitStack) -> Client:
    """A client of the scheduler at ``address``, or of a local cluster started for the run."""
    try:
        if address == "local":
            cluster = LocalCluster(  # type: ignore[no-untyped-call]
                n_workers=workers or os.cpu_count() or 1,
                threads_per_worker=1,
                processes=True,
                dashboard_address="127.0.0.1:0",  # a free port: never taken from another run
            )
            stack.enter_context(cluster)
            client: Client = Client(cluster)  # type: ignore[no-untyped-call]
        else:
            client = Client(address, timeout=CONNECT_SECONDS)  # type: ignore[no-untyped-call]
        stack.enter_context(client)
        return client
    except (OSError, ValueError, TypeError) as error:
        raise ClusterError(f"cannot reach the Dask scheduler at {address!r}: {error}") from None


def check_workers(client: Client, packs: Sequence[str | Path] = ()) -> int:
    """Compare every worker's packs (``Engine.default(*packs)`` there) with this process's;
    ``ClusterError`` names the first worker that differs, or says that no worker joined the
    scheduler in time. Returns the number of worker threads."""
    folders = resolved_packs(packs)
    return _check_workers(client, pack_identity(engine_for(folders)), folders)


def _check_workers(client: Client, expected: PackIdentity, packs: tuple[str, ...]) -> int:
    try:
        client.wait_for_workers(1, timeout=WORKER_SECONDS)
    except TimeoutError:
        raise ClusterError(
            f"no worker joined the Dask scheduler within {WORKER_SECONDS} s"
        ) from None
    for where, found in sorted(client.run(_identity_here, packs).items()):
        check_identity(expected, found, where)
    threads: dict[str, int] = client.nthreads()  # type: ignore[no-untyped-call]
    return max(1, sum(threads.values()))


def _identity_here(packs: tuple[str, ...]) -> dict[str, str]:
    return pack_identity(engine_for(packs))


def _decide_chunk(
    chunk: list[Mapping[str, Any]],
    policy_id: str,
    day: dt.date,
    packs: tuple[str, ...],
    trace: bool,
    expected: PackIdentity,
) -> list[Decision | CaseError]:
    engine = checked_engine(packs, expected, this_worker())
    made: list[Decision | CaseError] = []
    for case in chunk:
        try:
            made.append(engine.evaluate(policy_id, case, day, trace=trace))
        except CaseError as error:
            made.append(error)
    return made


def _json_chunk(
    chunk: list[Mapping[str, Any]],
    policy_id: str,
    day: dt.date,
    packs: tuple[str, ...],
    trace: bool,
    expected: PackIdentity,
) -> list[dict[str, Any]]:
    return [
        _errors_of(made) if isinstance(made, CaseError) else made.to_dict()
        for made in _decide_chunk(chunk, policy_id, day, packs, trace, expected)
    ]


def _errors_of(error: CaseError) -> dict[str, Any]:
    """A bad case as ``govrules batch`` records it (without its row number)."""
    return {"errors": [problem.to_dict() for problem in problems_of(error)]}


def _as_it_is(error: CaseError) -> CaseError:
    return error
