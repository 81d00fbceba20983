"""The engine: loads policies, selects the version in force, evaluates cases into decisions.

engine = Engine.default()                       # the bundled policies
engine = Engine.from_directory("policies")      # or any folder of policies and sources
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
from govrules.compiler.loading import bundled_policy_directory, load_policies, load_policy_file
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
from govrules.runtime.casemodel import InvalidCase, build_case_model, build_converter, case_errors
from govrules.runtime.decision import Decision
from govrules.runtime.evaluation import evaluate_case
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
    ) -> None:
        self.sources = sources
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
        """Load every policy under the folders (sources from their ``sources/`` subfolders)."""
        paths = [Path(folder) for folder in folders]
        policies, sources, problems = load_policies(paths, Path.cwd())
        if problems:
            raise PolicyLoadError(problems)
        return cls(policies, sources)

    @classmethod
    def default(cls) -> Engine:
        """The policies bundled with govrules."""
        return cls.from_directory(bundled_policy_directory())

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
        return evaluate_case(policy, inputs, day, self.calendar, recorder)

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
        return evaluate_case(policy, self._inputs(policy, case), as_of, self.calendar, recorder)


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
