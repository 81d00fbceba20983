"""The engine: loads policies, selects the version in force, evaluates cases into decisions.

engine = Engine.default()                       # the bundled packs and the installed ones
engine = Engine.default("../my-pack")           # and a pack folder besides
engine = Engine.from_directory("policies")      # or the packs (or plain folders) of some paths
decision = engine.evaluate("cn.jilin.taobei.wage_deposit",
                           {"contract_price": "1000000", "first_deposit": True},
                           as_of=date(2026, 11, 21))
for made in engine.evaluate_many("cn.jilin.taobei.wage_deposit", cases, workers=2):
    ...                                         # a Decision, or the CaseError of a bad case
"""

# Longer than 400 lines because one class holds what shares its caches: loading, lookup, the
# evaluation of one case and of many (in worker processes), and the comparison with other laws.

from __future__ import annotations

import datetime as dt
import gc
import os
import sys
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TypeGuard, cast

from govrules.calendar import WorkingDayCalendar
from govrules.compiler.policy import CompiledPolicy, Notice
from govrules.errors import (
    CaseError,
    Diagnostic,
    EvaluationError,
    PolicyLoadError,
    UnknownPolicyError,
    suggest,
)
from govrules.language.sources import SourceLibrary
from govrules.runtime.casemodel import InvalidCase, build_case_model, build_converter, case_errors
from govrules.runtime.decision import Decision, canonical_facts, facts_given, values_later
from govrules.runtime.evaluation import evaluate_case
from govrules.runtime.hierarchy import law_hierarchy_notice
from govrules.runtime.limits import EARLIEST_DATE, LATEST_DATE
from govrules.runtime.trace import NULL_RECORDER, Recorder, TraceRecorder

if TYPE_CHECKING:
    from concurrent.futures import Future
    from multiprocessing.context import BaseContext

    from pydantic import BaseModel

    from govrules.compiler.cache import PolicyCache
    from govrules.compiler.loading import (
        bundled_policy_directory,
        load_policies,
        load_policy_file,
    )
    from govrules.packs.discovery import Pack

# pydantic, multiprocessing and concurrent.futures are imported where they are used: a command
# line that decides one case needs none of them (together about half of its start-up); nor
# the loader, when the warm start has what the command needs (``compiler/resolution.py``)

__all__ = ["Engine", "bundled_policy_directory", "load_policies", "load_policy_file"]


# China keeps one time zone and no daylight saving: the date decided when none is given is the
# date in Beijing, whatever the machine's zone.
BEIJING = dt.timezone(dt.timedelta(hours=8), "UTC+8")


def today() -> dt.date:
    """Today in Beijing: the as-of date of a decision made without one."""
    return dt.datetime.now(BEIJING).date()


class Engine:
    """A set of compiled policies, by id and version, and the calendar they compute on."""

    def __init__(
        self,
        policies: Iterable[CompiledPolicy],
        sources: SourceLibrary,
        calendar: WorkingDayCalendar | None = None,
        packs: Iterable[Pack] | Callable[[], Iterable[Pack]] = (),
    ) -> None:
        """``packs``: the packs the policies come from, or what reads them when first asked
        for (an engine of the warm start, which has not read them)."""
        self.sources = sources
        self._packs: dict[str, Pack] | None = None
        self._read_packs: Callable[[], Iterable[Pack]] | None = None
        if callable(packs):
            self._read_packs = packs
        else:
            self._packs = {pack.id: pack for pack in packs}
        self.calendar = calendar or WorkingDayCalendar.prc()
        self._versions: dict[str, list[CompiledPolicy]] = {}
        for policy in policies:
            self._versions.setdefault(policy.id, []).append(policy)
        for versions in self._versions.values():
            versions.sort(key=lambda p: p.header.effective_start)
        self._case_models: dict[tuple[str, str], type[BaseModel]] = {}
        self._converters: dict[tuple[str, str], Callable[[Mapping[str, Any]], list[Any]]] = {}
        self._in_force: dict[tuple[str, dt.date], tuple[CompiledPolicy, Any]] = {}
        # how to make this engine again in a worker process (None: made from policies in hand)
        self._recipe: tuple[str, tuple[str, ...]] | None = None

    @property
    def packs(self) -> dict[str, Pack]:
        """The packs the policies come from, by id."""
        if self._packs is None:
            assert self._read_packs is not None
            self._packs = {pack.id: pack for pack in self._read_packs()}
        return self._packs

    # ------------------------------------------------------------------ loading

    @classmethod
    def from_directory(
        cls,
        *folders: str | Path,
        only: Iterable[str] = (),
        calendar: WorkingDayCalendar | None = None,
        cache: bool = True,
    ) -> Engine:
        """Load the packs the folders name -- a pack, a folder of packs, or a plain folder of
        policies with its ``sources/`` -- and the bundled or installed packs they require.

        ``only``: load just these policy ids and what they need (``load_for_policies``);
        ``cache``: keep compiled policies on disk (``compiler/cache.py``; ``GOVRULES_CACHE=off``
        turns it off everywhere)."""
        return cls._from_directory(folders, only, calendar, cache)

    @classmethod
    def default(
        cls,
        *packs: str | Path,
        only: Iterable[str] = (),
        calendar: WorkingDayCalendar | None = None,
        cache: bool = True,
    ) -> Engine:
        """The bundled packs, every installed one (entry-point group ``govrules.packs``), and
        the pack folders given, which take the place of a bundled or installed pack of the
        same id. ``only``, ``cache``: as for ``from_directory``."""
        return cls._default(packs, only, calendar, cache)

    @classmethod
    def for_policy(
        cls,
        policy_id: str,
        *packs: str | Path,
        folders: Iterable[str | Path] = (),
        calendar: WorkingDayCalendar | None = None,
        cache: bool = True,
    ) -> Engine:
        """The engine of a command about one policy: ``from_directory(*folders, *packs,
        only=[policy_id])`` when folders are given, else ``default(*packs, only=[...])``."""
        chosen = tuple(folders)
        if chosen:
            return cls._from_directory((*chosen, *packs), (policy_id,), calendar, cache)
        return cls._default(packs, (policy_id,), calendar, cache)

    @classmethod
    def _from_directory(
        cls,
        folders: tuple[str | Path, ...],
        only: Iterable[str],
        calendar: WorkingDayCalendar | None,
        cache: bool,
    ) -> Engine:
        from govrules.compiler.loading import load_workspace, with_requirements
        from govrules.compiler.needed import load_for_policies
        from govrules.packs.discovery import packs_for_paths

        paths, only = [Path(folder) for folder in folders], tuple(only)
        store = _policy_cache(cache)
        workspace = None
        with _collector_paused():
            if only:
                given = packs_for_paths(paths, Path.cwd())
                every, problems = with_requirements(given, contents=False)
                if problems:
                    raise PolicyLoadError(problems)
                workspace = load_for_policies(every, only, Path.cwd(), store)
            if workspace is None:
                workspace = load_workspace(paths, Path.cwd(), cache=store)
        workspace.raise_problems()
        engine = cls(workspace.policies, workspace.sources, calendar, workspace.packs)
        engine._recipe = ("directory", tuple(str(Path(f).resolve()) for f in folders))
        return engine

    @classmethod
    def _default(
        cls,
        packs: tuple[str | Path, ...],
        only: Iterable[str],
        calendar: WorkingDayCalendar | None,
        cache: bool,
    ) -> Engine:
        only = tuple(only)
        store = _policy_cache(cache)
        if only and not packs and store is not None:
            warm = cls._warm(only, calendar, store)
            if warm is not None:
                return warm
        from govrules.compiler.loading import load_packs, with_requirements
        from govrules.compiler.needed import load_for_policies
        from govrules.packs.discovery import available_packs, packs_for_paths

        given = packs_for_paths([Path(p) for p in packs], Path.cwd()) if packs else []
        mine = {pack.id for pack in given}
        workspace = None
        with _collector_paused():
            if only:
                # pack.yaml alone for the packs that may hold nothing needed
                headers = given + [p for p in available_packs(contents=False) if p.id not in mine]
                workspace = load_for_policies(headers, only, Path.cwd(), store)
                if workspace is not None and workspace.problems:
                    raise PolicyLoadError(workspace.problems)
                if workspace is not None and not packs and store is not None:
                    from govrules.compiler.resolution import keep_resolution

                    keep_resolution(store, only, Path.cwd(), headers, workspace)
            if workspace is None:
                found = given + [pack for pack in available_packs() if pack.id not in mine]
                every, problems = with_requirements(found)
                workspace = load_packs(every, Path.cwd(), cache=store)
                if problems or workspace.problems:
                    raise PolicyLoadError(problems + workspace.problems)
        engine = cls(workspace.policies, workspace.sources, calendar, workspace.packs)
        engine._recipe = ("default", tuple(str(Path(p).resolve()) for p in packs))
        return engine

    @classmethod
    def _warm(
        cls, only: tuple[str, ...], calendar: WorkingDayCalendar | None, store: PolicyCache
    ) -> Engine | None:
        """The engine of ``default(only=...)`` from the resolution an earlier load of these ids
        kept, when every input it read is as it was (``compiler/resolution.py``)."""
        from govrules.compiler.resolution import take_resolution

        root = Path.cwd()
        with _collector_paused():
            found = take_resolution(store, only, root)
        if found is None:
            return None
        sources = SourceLibrary([Path(folder) for folder in found.source_folders], root, {}, store)
        engine = cls(found.policies, sources, calendar, lambda: _read_packs(found.packs))
        engine._recipe = ("default", ())
        return engine

    # ------------------------------------------------------------------ lookup

    def policies(self) -> list[CompiledPolicy]:
        """Every loaded policy version, by id then effective date."""
        return [p for policy_id in sorted(self._versions) for p in self._versions[policy_id]]

    def policy(self, policy_id: str, as_of: dt.date | None = None) -> CompiledPolicy:
        """The version of ``policy_id`` in force on ``as_of`` (default: the latest)."""
        versions = self._versions.get(policy_id)
        if not versions:
            hint = suggest(policy_id, self._versions)
            raise UnknownPolicyError(f"no policy '{policy_id}'" + (f" ({hint})" if hint else ""))
        if as_of is None:
            return versions[-1]
        for policy in reversed(versions):
            if policy.in_force(as_of):
                return policy
        periods = ", ".join(
            f"{p.version} from {p.header.effective_from}"
            + (f" to {p.header.effective_to}" if p.header.effective_to else "")
            for p in versions
        )
        raise UnknownPolicyError(f"'{policy_id}' is not in force on {as_of} ({periods})")

    def case_model(self, policy_id: str, as_of: dt.date | None = None) -> type[BaseModel]:
        """The pydantic model of a case for the policy (version in force on ``as_of``)."""
        return self._case_model(self.policy(policy_id, as_of))

    # ------------------------------------------------------------------ evaluation

    def evaluate(
        self,
        policy_id: str,
        case: Mapping[str, Any] | BaseModel,
        as_of: dt.date | None = None,
        *,
        trace: bool = True,
        recorder: Recorder | None = None,
    ) -> Decision:
        """Decide ``case`` under the version of ``policy_id`` in force on ``as_of`` (today).

        ``trace=False`` (or ``recorder=NULL_RECORDER``) skips building the trace. Raises
        ``UnknownPolicyError`` or ``CaseError``; an incomplete case is a decision, not an error.
        """
        day = as_of if as_of is not None else today()
        entry = self._in_force.get((policy_id, day))
        if entry is None:
            _check_as_of(day)
            policy = self.policy(policy_id, day)
            if len(self._in_force) > 4096:
                self._in_force.clear()
            entry = self._in_force[(policy_id, day)] = (policy, self._converter(policy))
        policy, convert = entry
        if recorder is None:
            recorder = TraceRecorder() if trace else NULL_RECORDER
        if type(case) is not dict and _is_model(case):
            model = self._case_model(policy)
            if not isinstance(case, model):
                raise CaseError(
                    [
                        Diagnostic(
                            "invalid-case", f"a {type(case).__name__} is not a case of {policy.id}"
                        )
                    ]
                )
            case = case.model_dump()  # records as mappings, as the converter reads them
        facts = cast("Mapping[str, Any]", case)  # a model instance was dumped just above
        try:
            inputs = convert(facts)
        except InvalidCase:
            self._refuse(policy, facts)
        decision = evaluate_case(policy, inputs, day, self.calendar, recorder)
        if policy.header.other_laws:
            self._compare_other_laws(policy, decision, day)
        return decision

    def evaluate_many(
        self,
        policy_id: str,
        cases: Iterable[Mapping[str, Any] | BaseModel],
        as_of: dt.date | None = None,
        *,
        trace: bool = False,
        workers: int = 1,
        chunk_size: int = 256,
    ) -> Iterator[Decision | CaseError | EvaluationError]:
        """Decide many cases under one policy and date: a lazy iterator, in the order of
        ``cases``, yielding each case's ``Decision`` or, for a bad case, its ``CaseError`` (or
        the ``EvaluationError`` of a rule its facts make fail, a division by zero say); the
        iteration goes on. An unknown policy or a bad date raises before the first case.

        ``workers=N`` decides chunks of ``chunk_size`` cases in N worker processes, each with
        its own copy of this engine: forked on Linux when this process runs no other thread,
        else spawned (made again the way this one was, by ``default`` or ``from_directory``;
        a script then needs the ``if __name__ == "__main__":`` guard of ``multiprocessing``).
        At most ``2 * N`` chunks are in flight, so memory stays bounded however long ``cases``
        is. Decisions come back pickled: their policy is re-attached by content hash, so they
        equal the ones made here, byte for byte.
        """
        day = as_of if as_of is not None else today()
        _check_as_of(day)
        policy = self.policy(policy_id, day)
        if workers < 1 or chunk_size < 1:
            raise ValueError("workers and chunk_size are at least 1")
        if workers == 1:
            return self._decide_each(policy_id, cases, day, trace)
        model = self._case_model(policy)
        plain = (_as_mapping(case, model) for case in cases)
        return self._decide_in_workers(policy_id, plain, day, trace, workers, chunk_size)

    def _decide_each(
        self,
        policy_id: str,
        cases: Iterable[Mapping[str, Any] | BaseModel | CaseError],
        day: dt.date,
        trace: bool,
    ) -> Iterator[Decision | CaseError | EvaluationError]:
        for case in cases:
            if isinstance(case, CaseError):
                yield case
                continue
            try:
                yield self.evaluate(policy_id, case, day, trace=trace)
            except (CaseError, EvaluationError) as error:
                yield error

    def _decide_in_workers(
        self,
        policy_id: str,
        cases: Iterator[Mapping[str, Any] | CaseError],
        day: dt.date,
        trace: bool,
        workers: int,
        chunk_size: int,
    ) -> Iterator[Decision | CaseError | EvaluationError]:
        # fork hands the workers this very engine; but a fork of a process with other threads (a
        # service, a Dask client) may hang, and macOS and Windows cannot fork safely: there the
        # workers are spawned and make the engine again the way this one was made
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        context: BaseContext
        if _can_fork():
            context = multiprocessing.get_context("fork")
            start: tuple[Any, ...] = (self, None, "")
        elif self._recipe is not None:
            context = multiprocessing.get_context("spawn")
            start = (None, self._recipe, str(Path.cwd()))
        else:
            raise ValueError(
                "workers > 1 in a process with threads needs an engine made by Engine.default() "
                "or Engine.from_directory(), which a spawned worker process can make again"
            )
        with ProcessPoolExecutor(
            workers, mp_context=context, initializer=_start_worker, initargs=start
        ) as pool:
            pending: deque[Future[list[Decision | CaseError | EvaluationError]]] = deque()
            chunks = iter(lambda: list(islice(cases, chunk_size)), [])
            for chunk in chunks:
                pending.append(pool.submit(_decide_chunk, policy_id, chunk, day, trace))
                while len(pending) >= 2 * workers:
                    yield from pending.popleft().result()
            while pending:
                yield from pending.popleft().result()

    def _case_model(self, policy: CompiledPolicy) -> type[BaseModel]:
        key = (policy.id, policy.version)
        model = self._case_models.get(key)
        if model is None:
            model = self._case_models[key] = build_case_model(policy)
        return model

    def _converter(self, policy: CompiledPolicy) -> Callable[[Mapping[str, Any]], list[Any]]:
        key = (policy.id, policy.version)
        convert = self._converters.get(key)
        if convert is None:
            convert = self._converters[key] = build_converter(policy)
        return convert

    def _inputs(self, policy: CompiledPolicy, case: Mapping[str, Any]) -> list[Any]:
        """The input slot values of ``case``; a ``CaseError`` naming every bad field."""
        try:
            return self._converter(policy)(case)
        except InvalidCase:
            self._refuse(policy, case)

    def _refuse(self, policy: CompiledPolicy, case: Any) -> NoReturn:
        """Raise the case model's detailed errors for a case the converter refused."""
        from pydantic import ValidationError

        try:
            self._case_model(policy).model_validate(case)
        except ValidationError as error:
            raise case_errors(error, policy) from None
        raise EvaluationError(
            f"{policy.id}: the case model accepts a case that the converter "
            "refuses; please report this"
        )

    def evaluate_version(
        self, policy: CompiledPolicy, case: Mapping[str, Any], as_of: dt.date, *, trace: bool = True
    ) -> Decision:
        """Evaluate under one given policy version (its tests, a saved decision's version)."""
        _check_as_of(as_of)
        if not policy.in_force(as_of):
            raise UnknownPolicyError(f"{policy.id} {policy.version} is not in force on {as_of}")
        recorder: Recorder = TraceRecorder() if trace else NULL_RECORDER
        decision = evaluate_case(policy, self._inputs(policy, case), as_of, self.calendar, recorder)
        if policy.header.other_laws:
            self._compare_other_laws(policy, decision, as_of)
        return decision

    def _compare_other_laws(self, policy: CompiledPolicy, decision: Decision, day: dt.date) -> None:
        """Add to the decision, made when its notices are first read, a ``law-hierarchy``
        notice for each policy of another norm the policy declares."""
        inputs, values = decision._inputs, values_later(decision)
        decision.add_notices_later(
            lambda: self._other_law_notices(policy, facts_given(policy, inputs), values(), day)
        )

    def _other_law_notices(
        self, policy: CompiledPolicy, facts: dict[str, Any], mine: dict[str, Any], day: dt.date
    ) -> tuple[Notice, ...]:
        """Evaluate each policy of another norm the policy declares (in force on ``day``, and
        the case within its ``when``) on the same facts: a ``law-hierarchy`` notice each."""
        notices = []
        given = canonical_facts(facts)
        declared = policy.header.input_limits  # superior ones first, then related ones
        for entry in policy.header.other_laws:
            if not all(
                facts.get(name) in (wanted if isinstance(wanted, list) else [wanted])
                for name, wanted in entry.when.items()
            ):
                continue
            try:
                other = self.policy(entry.policy, day)
            except UnknownPolicyError:
                continue  # not loaded, or not in force on the day: nothing to compare
            pairs = entry.inputs or {
                name: name for name in other.header.declared_inputs if name in declared
            }
            case = {theirs: given[mine] for theirs, mine in pairs.items() if mine in given}
            values: dict[str, Any] | None = None
            outcome = problem = None
            try:
                made = evaluate_case(
                    other, self._inputs(other, case), day, self.calendar, NULL_RECORDER
                )
                values, outcome = made.values, made.outcome
                if made.missing:
                    problem = "missing " + ", ".join(m.fact for m in made.missing)
            except CaseError as error:
                problem = "; ".join(d.message for d in error.diagnostics)[:300]
            facts_day = facts.get(entry.facts_date) if entry.facts_date else None
            notices.append(
                law_hierarchy_notice(
                    entry.relation,
                    entry,
                    policy,
                    mine,
                    other,
                    values,
                    outcome,
                    problem,
                    facts_day,
                    self.sources,
                )
            )
        return tuple(notices)


def _is_model(case: Any) -> TypeGuard[BaseModel]:
    """Whether ``case`` is a pydantic model instance: never, while pydantic is not imported."""
    pydantic = sys.modules.get("pydantic")
    return pydantic is not None and isinstance(case, pydantic.BaseModel)


def _read_packs(packs: Iterable[tuple[str, str, str]]) -> list[Pack]:
    """The packs a warm start took, read again as its load read them (root, origin, name)."""
    from govrules.packs.discovery import read_pack, with_contents

    return [
        with_contents(read_pack(Path(root), origin, display, contents=False))
        for root, origin, display in packs
    ]


def _as_mapping(case: Mapping[str, Any] | BaseModel, model: type[BaseModel]) -> Any:
    """A case as a worker process can receive it: a mapping (a case model instance dumped, after
    the check ``evaluate`` makes that it is a case of this policy)."""
    if type(case) is dict or not _is_model(case):
        return case
    if not isinstance(case, model):
        message = f"a {type(case).__name__} is not a case of the policy"
        return CaseError([Diagnostic("invalid-case", message)])
    return case.model_dump()


@contextmanager
def _collector_paused() -> Iterator[None]:
    """No cyclic garbage collection while policies load: loading makes hundreds of thousands of
    objects that all live on, and each collection it would trigger walks all of them again
    (about a third of a full load's time). Collection resumes as it was, after."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _policy_cache(wanted: bool) -> PolicyCache | None:
    """The user's compiled-policy cache, when wanted and not turned off (``GOVRULES_CACHE``)."""
    if not wanted:
        return None
    from govrules.compiler.cache import PolicyCache

    return PolicyCache.default()


_WORKER_ENGINE: Engine | None = None

# names this module offers from the loader, imported when first asked for
_LOADER_NAMES = ("bundled_policy_directory", "load_policies", "load_policy_file")


def __getattr__(name: str) -> Any:
    if name not in _LOADER_NAMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from govrules.compiler import loading

    value = getattr(loading, name)
    globals()[name] = value
    return value


def _can_fork() -> bool:
    import multiprocessing

    return (
        sys.platform.startswith("linux")
        and "fork" in multiprocessing.get_all_start_methods()
        and threading.active_count() == 1
    )


def _start_worker(
    engine: Engine | None, recipe: tuple[str, tuple[str, ...]] | None, cwd: str
) -> None:
    """The engine of a worker process: the parent's, forked; or made again, once, the way the
    parent's was made (a spawned worker, in the parent's folder so that paths read alike)."""
    global _WORKER_ENGINE
    if engine is not None:
        _WORKER_ENGINE = engine
        return
    assert recipe is not None
    os.chdir(cwd)
    kind, paths = recipe
    _WORKER_ENGINE = Engine.default(*paths) if kind == "default" else Engine.from_directory(*paths)


def _decide_chunk(
    policy_id: str, cases: list[Mapping[str, Any] | CaseError], day: dt.date, trace: bool
) -> list[Decision | CaseError | EvaluationError]:
    assert _WORKER_ENGINE is not None, "the worker's engine is made by its initializer"
    return list(_WORKER_ENGINE._decide_each(policy_id, cases, day, trace))


def _check_as_of(day: Any) -> None:
    """The date whose law applies: a date within the calendar's range (``runtime/limits.py``)."""
    if type(day) is not dt.date:
        raise CaseError([Diagnostic("invalid-as-of", f"as_of must be a date, got {day!r}")])
    if not EARLIEST_DATE <= day <= LATEST_DATE:
        raise CaseError(
            [
                Diagnostic(
                    "invalid-as-of",
                    f"as_of {day} is outside {EARLIEST_DATE} to {LATEST_DATE}, the range of "
                    "the working-day calendar",
                )
            ]
        )
