"""The engine: loads policies, selects the version in force, evaluates cases into decisions.

engine = Engine.default()                       # the bundled packs and the installed ones
engine = Engine.default("../my-pack")           # and a pack folder besides
engine = Engine.from_directory("policies")      # or the packs (or plain folders) of some paths
decision = engine.evaluate("cn.jilin.taobei.wage_deposit",
                           {"contract_price": "1000000", "first_deposit": True},
                           as_of=date(2026, 11, 21))
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any, NoReturn

from pydantic import BaseModel, ValidationError

from govrules.calendar import WorkingDayCalendar
from govrules.compiler.loading import (
    bundled_policy_directory,
    load_packs,
    load_policies,
    load_policy_file,
    load_workspace,
    with_requirements,
)
from govrules.compiler.policy import CompiledPolicy
from govrules.errors import (
    CaseError,
    Diagnostic,
    EvaluationError,
    PolicyLoadError,
    UnknownPolicyError,
    suggest,
)
from govrules.language.sources import SourceLibrary
from govrules.packs.discovery import Pack, available_packs, packs_for_paths
from govrules.runtime.casemodel import InvalidCase, build_case_model, build_converter, case_errors
from govrules.runtime.decision import Decision, canonical_facts
from govrules.runtime.evaluation import evaluate_case
from govrules.runtime.hierarchy import law_hierarchy_notice
from govrules.runtime.limits import EARLIEST_DATE, LATEST_DATE
from govrules.runtime.trace import NULL_RECORDER, Recorder, TraceRecorder

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
        packs: Iterable[Pack] = (),
    ) -> None:
        self.sources = sources
        self.packs: dict[str, Pack] = {pack.id: pack for pack in packs}
        self.calendar = calendar or WorkingDayCalendar.prc()
        self._versions: dict[str, list[CompiledPolicy]] = {}
        for policy in policies:
            self._versions.setdefault(policy.id, []).append(policy)
        for versions in self._versions.values():
            versions.sort(key=lambda p: p.model.effective.start)
        self._case_models: dict[tuple[str, str], type[BaseModel]] = {}
        self._converters: dict[tuple[str, str], Callable[[Mapping[str, Any]], list[Any]]] = {}
        self._in_force: dict[tuple[str, dt.date], tuple[CompiledPolicy, Any]] = {}

    # ------------------------------------------------------------------ loading

    @classmethod
    def from_directory(cls, *folders: str | Path) -> Engine:
        """Load the packs the folders name -- a pack, a folder of packs, or a plain folder of
        policies with its ``sources/`` -- and the bundled or installed packs they require."""
        workspace = load_workspace([Path(folder) for folder in folders], Path.cwd())
        workspace.raise_problems()
        return cls(workspace.policies, workspace.sources, packs=workspace.packs)

    @classmethod
    def default(cls, *packs: str | Path) -> Engine:
        """The bundled packs, every installed one (entry-point group ``govrules.packs``), and
        the pack folders given, which take the place of a bundled or installed pack of the
        same id."""
        given = packs_for_paths([Path(p) for p in packs], Path.cwd()) if packs else []
        mine = {pack.id for pack in given}
        found = given + [pack for pack in available_packs() if pack.id not in mine]
        every, problems = with_requirements(found)
        workspace = load_packs(every, Path.cwd())
        if problems or workspace.problems:
            raise PolicyLoadError(problems + workspace.problems)
        return cls(workspace.policies, workspace.sources, packs=workspace.packs)

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
            f"{p.version} from {p.model.effective.from_}"
            + (f" to {p.model.effective.to}" if p.model.effective.to else "")
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
        if type(case) is not dict and isinstance(case, BaseModel):
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
        try:
            inputs = convert(case)
        except InvalidCase:
            self._refuse(policy, case)
        decision = evaluate_case(policy, inputs, day, self.calendar, recorder)
        if policy.model.superior or policy.model.related:
            self._compare_other_laws(policy, decision, day)
        return decision

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
        if policy.model.superior or policy.model.related:
            self._compare_other_laws(policy, decision, as_of)
        return decision

    def _compare_other_laws(self, policy: CompiledPolicy, decision: Decision, day: dt.date) -> None:
        """Evaluate each policy of another norm the policy declares (in force on ``day``, and
        the case within its ``when``) on the same facts, and add a ``law-hierarchy`` notice."""
        notices = []
        facts = decision.facts
        given = canonical_facts(facts)
        for relation in ("superior", "related"):
            for entry in getattr(policy.model, relation):
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
                    name: name for name in other.model.inputs if name in policy.model.inputs
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
                        relation,
                        entry,
                        policy,
                        decision.values,
                        other,
                        values,
                        outcome,
                        problem,
                        facts_day,
                        self.sources,
                    )
                )
        decision.notices = decision.notices + tuple(notices)


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
