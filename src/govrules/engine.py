"""The engine: loads policies, selects the version in force, evaluates cases into decisions.

    engine = Engine.default()                       # the bundled policies
    engine = Engine.from_directory("policies")      # or any folder of policies and sources
    decision = engine.evaluate("cn.jilin.taobei.wage_deposit",
                               {"contract_price": "1000000", "first_deposit": True},
                               as_of=date(2026, 11, 21))
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, NoReturn

from pydantic import BaseModel, ValidationError

from govrules._yaml import read_yaml_file
from govrules.calendar import DateComputation, WorkingDayCalendar
from govrules.casemodel import InvalidCase, build_case_model, build_converter, case_errors
from govrules.compile import compile_policy
from govrules.decision import Decision, MissingFact
from govrules.errors import (
    CaseError,
    Diagnostic,
    EvaluationError,
    PolicyLoadError,
    UnknownPolicyError,
    suggest,
)
from govrules.expr import MISSING
from govrules.policy import CompiledPolicy, CompiledRule, Notice, Program
from govrules.schema import PolicyModel
from govrules.schema_errors import diagnostics_from_validation
from govrules.sources import SourceLibrary
from govrules.spans import SourceSpan
from govrules.trace import NULL_RECORDER, Recorder, TraceRecorder
from govrules.values import to_json_value

__all__ = ["Engine", "bundled_policy_directory", "load_policies", "load_policy_file"]


def bundled_policy_directory() -> Path:
    """The policies shipped with govrules (inside the package, or the source checkout's)."""
    packaged = Path(__file__).parent / "policies"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / "policies"


def _policy_files(folder: Path) -> list[Path]:
    return sorted(path for path in folder.rglob("*.yaml")
                  if "sources" not in path.relative_to(folder).parts[:-1])


def load_policies(folders: Sequence[Path], root: Path | None = None,
                  ) -> tuple[list[CompiledPolicy], SourceLibrary, list[Diagnostic]]:
    """Compile every policy in ``folders``; return the good ones and every problem found."""
    sources = SourceLibrary([folder / "sources" for folder in folders
                             if (folder / "sources").is_dir()], root)
    policies: list[CompiledPolicy] = []
    problems: list[Diagnostic] = []
    for folder in folders:
        if not folder.is_dir():
            problems.append(Diagnostic("no-directory", f"'{folder}' is not a directory"))
            continue
        for path in _policy_files(folder):
            display = sources._display(path)  # noqa: SLF001 - same display rule
            try:
                policies.append(_load_one(path, display, sources))
            except PolicyLoadError as error:
                problems.extend(error.diagnostics)
    seen: dict[tuple[str, str], CompiledPolicy] = {}
    for policy in policies:
        key = (policy.id, policy.version)
        if key in seen:
            problems.append(Diagnostic(
                "duplicate-policy", f"{policy.id} version {policy.version} is also defined in "
                f"{seen[key].path}", policy.model.span_of("id")))
        seen[key] = policy
    return policies, sources, problems


def load_policy_file(path: Path, sources: SourceLibrary,
                     display: str | None = None) -> CompiledPolicy:
    """Read, check and compile one policy file; ``PolicyLoadError`` lists every problem."""
    return _load_one(path, display or path.as_posix(), sources)


def _load_one(path: Path, display: str, sources: SourceLibrary) -> CompiledPolicy:
    data = read_yaml_file(path, display)
    if not isinstance(data, dict) or data.get("kind") != "policy":
        raise PolicyLoadError([Diagnostic(
            "not-a-policy", "a policy file starts with 'kind: policy'",
            getattr(data, "span", None) or SourceSpan(display, 1, 1),
            "source documents belong in a 'sources' folder")])
    try:
        model = PolicyModel.model_validate(data)
    except ValidationError as error:
        raise PolicyLoadError(diagnostics_from_validation(error, data, display)) from None
    return compile_policy(model, display, sources, path.read_bytes())


class _Frame:
    """Where date computations of one evaluation are reported (kept in the last slot)."""

    __slots__ = ("calendar", "recorder", "rule", "dates")

    def __init__(self, calendar: WorkingDayCalendar, recorder: Recorder) -> None:
        self.calendar = calendar
        self.recorder = recorder
        self.rule: str | None = None
        self.dates: list[DateComputation] = []

    def date_computed(self, computation: DateComputation) -> None:
        self.dates.append(computation)
        if self.recorder.enabled:
            self.recorder.record({"event": "date", "rule": self.rule,
                                  **computation.to_dict()})


class Engine:
    """A set of compiled policies, by id and version, and the calendar they compute on."""

    def __init__(self, policies: Iterable[CompiledPolicy], sources: SourceLibrary,
                 calendar: WorkingDayCalendar | None = None) -> None:
        self.sources = sources
        self.calendar = calendar or WorkingDayCalendar.prc()
        self._versions: dict[str, list[CompiledPolicy]] = {}
        for policy in policies:
            self._versions.setdefault(policy.id, []).append(policy)
        for versions in self._versions.values():
            versions.sort(key=lambda p: p.model.effective.from_)
        self._case_models: dict[tuple[str, str], type[BaseModel]] = {}
        self._converters: dict[int, Callable[[Mapping[str, Any]], list[Any]]] = {}
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
        periods = ", ".join(f"{p.version} from {p.model.effective.from_}"
                            + (f" to {p.model.effective.to}" if p.model.effective.to else "")
                            for p in versions)
        raise UnknownPolicyError(f"'{policy_id}' is not in force on {as_of} ({periods})")

    def case_model(self, policy_id: str, as_of: dt.date | None = None) -> type[BaseModel]:
        """The pydantic model of a case for the policy (version in force on ``as_of``)."""
        return self._case_model(self.policy(policy_id, as_of))

    # ------------------------------------------------------------------ evaluation

    def evaluate(self, policy_id: str, case: Mapping[str, Any] | BaseModel,
                 as_of: dt.date | None = None, *, trace: bool = True,
                 recorder: Recorder | None = None) -> Decision:
        """Decide ``case`` under the version of ``policy_id`` in force on ``as_of`` (today).

        ``trace=False`` (or ``recorder=NULL_RECORDER``) skips building the trace. Raises
        ``UnknownPolicyError`` or ``CaseError``; an incomplete case is a decision, not an error.
        """
        day = as_of if as_of is not None else dt.date.today()
        entry = self._in_force.get((policy_id, day))
        if entry is None:
            if type(day) is not dt.date:
                raise CaseError([Diagnostic("invalid-as-of",
                                            f"as_of must be a date, got {day!r}")])
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
                raise CaseError([Diagnostic("invalid-case", f"a {type(case).__name__} is not a "
                                            f"case of {policy.id}")])
            case = case.__dict__
        try:
            inputs = convert(case)
        except InvalidCase:
            self._refuse(policy, case)
        return _evaluate(policy, inputs, day, self.calendar, recorder)

    def _case_model(self, policy: CompiledPolicy) -> type[BaseModel]:
        key = (policy.id, policy.version)
        model = self._case_models.get(key)
        if model is None:
            model = self._case_models[key] = build_case_model(policy)
        return model

    def _converter(self, policy: CompiledPolicy) -> Callable[[Mapping[str, Any]], list[Any]]:
        convert = self._converters.get(id(policy))
        if convert is None:
            convert = self._converters[id(policy)] = build_converter(policy)
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
        raise EvaluationError(f"{policy.id}: the case model accepts a case that the converter "
                              "refuses; please report this")

    def evaluate_version(self, policy: CompiledPolicy, case: Mapping[str, Any],
                         as_of: dt.date, *, trace: bool = True) -> Decision:
        """Evaluate under one given policy version (its tests, a saved decision's version)."""
        if not policy.in_force(as_of):
            raise UnknownPolicyError(f"{policy.id} {policy.version} is not in force on {as_of}")
        recorder: Recorder = TraceRecorder() if trace else NULL_RECORDER
        return _evaluate(policy, self._inputs(policy, case), as_of, self.calendar, recorder)


def _evaluate(policy: CompiledPolicy, inputs: list[Any], as_of: dt.date,
              calendar: WorkingDayCalendar, recorder: Recorder) -> Decision:
    tracing = recorder.enabled
    program = policy.program(as_of, tracing)  # a dictionary lookup once built
    frame = _Frame(calendar, recorder)
    values = inputs  # the converter's fresh list becomes the slot list
    values.extend(program.parameters)
    values.extend(policy.blank_values)
    values.append(as_of)
    values.append(frame)
    if tracing:
        recorder.record({"event": "policy", "policy": policy.id, "version": policy.version,
                         "content_hash": policy.content_hash, "file": policy.path,
                         "as_of": as_of.isoformat(), "calendar": calendar.provenance})
        recorder.record({"event": "facts", "given": {
            item.name: to_json_value(values[item.slot]) for item in policy.inputs
            if values[item.slot] is not MISSING}})
    missing = _missing_required(policy, values, recorder)
    conflicts: list[tuple[int, CompiledRule]] = []
    if tracing or missing:
        applied = _run_rules_traced(policy, program, values, frame, missing, conflicts)
    else:
        applied = _run_rules(policy, program, values, conflicts)
    return _decide(policy, program, values, frame, as_of, missing, applied, conflicts)


def _run_rules(policy: CompiledPolicy, program: Program, values: list[Any],
               conflicts: list[tuple[int, CompiledRule]]) -> list[CompiledRule]:
    """The fast path: every required fact given, nothing recorded."""
    applied: list[CompiledRule] = []
    rule = None
    try:
        for rule, condition, sets, defeatable in program.steps:
            if condition is not None and condition(values) is not True:
                continue
            if defeatable and _defeater(rule, applied) is not None:
                continue
            for slot, compute in sets:
                value = compute(values)
                current = values[slot]
                if current is MISSING:
                    values[slot] = value
                elif current != value:
                    conflicts.append((slot, rule))
            applied.append(rule)
    except (ArithmeticError, ValueError, OverflowError) as error:
        raise EvaluationError(f"{policy.id}: rule '{rule.id if rule else '?'}' failed: "
                              f"{error}") from None
    return applied


def _run_rules_traced(policy: CompiledPolicy, program: Program, values: list[Any],
                      frame: _Frame, missing: tuple[MissingFact, ...],
                      conflicts: list[tuple[int, CompiledRule]]) -> list[CompiledRule]:
    """The same rules, recording each step, and skipping rules whose facts are missing."""
    recorder = frame.recorder
    tracing = recorder.enabled
    as_of = values[policy.as_of_slot]
    blocked = frozenset(policy.inputs_by_name[m.fact].slot for m in missing)
    applied: list[CompiledRule] = []
    for rule, condition, sets, _ in program.steps:
        frame.rule = rule.id
        if rule.input_slots & blocked:
            if tracing:
                _record_rule(recorder, rule, values, None, "skipped",
                             detail="required facts are missing")
            continue
        try:
            if tracing:
                _record_parameters(recorder, policy, rule, rule.condition_parameters, as_of)
            holds = True if condition is None else condition(values)
            if holds is not True:
                if tracing:
                    _record_rule(recorder, rule, values, holds,
                                 "unknown" if holds is MISSING else "not_applicable")
                continue
            defeater = _defeater(rule, applied) if rule.defeated_by else None
            if defeater is not None:
                if tracing:
                    _record_rule(recorder, rule, values, True, "defeated",
                                 defeated_by=defeater)
                continue
            if tracing:
                _record_parameters(recorder, policy, rule, rule.set_parameters, as_of)
            produced = {}
            for slot, compute in sets:
                value = produced[slot] = compute(values)
                current = values[slot]
                if current is MISSING:
                    values[slot] = value
                elif current != value:
                    conflicts.append((slot, rule))
        except (ArithmeticError, ValueError, OverflowError) as error:
            raise EvaluationError(f"{policy.id}: rule '{rule.id}' failed: {error}") from None
        applied.append(rule)
        if tracing:
            _record_rule(recorder, rule, values, True, "applied", produced={
                policy.name_of[slot]: value for slot, value in produced.items()})
    return applied


def _defeater(rule: CompiledRule, applied: list[CompiledRule]) -> CompiledRule | None:
    return next((other for other in applied if other.index in rule.defeated_by), None)


def _decide(policy: CompiledPolicy, program: Program, values: list[Any], frame: _Frame,
            as_of: dt.date, missing: tuple[MissingFact, ...], applied: list[CompiledRule],
            conflicts: list[tuple[int, CompiledRule]]) -> Decision:
    notices = [rule.notice for rule in applied if rule.notice is not None]
    for slot, rule in conflicts:
        name = policy.name_of[slot]
        first = next(r for r in applied if any(entry[0] == slot for entry in r.sets))
        values[slot] = MISSING
        notices.append(Notice("conflict", "warning", f"rules '{first.id}' and '{rule.id}' "
                              f"give different values for '{name}' and neither defeats the "
                              "other", None, first.citations + rule.citations))
    chosen = values[policy.outcome_slot]
    if missing:
        outcome = "incomplete"
    elif conflicts:
        outcome = "conflict"
    else:
        outcome = policy.default_outcome if chosen is MISSING else chosen
    if policy.reporting_outputs:
        missing = missing + _missing_for_outputs(policy, values, missing)
    if frame.dates:
        notices.extend(_calendar_notices(frame.dates))
    if program.unverified:
        notices.extend(_unverified_notices(policy, applied, as_of, program.unverified))
    recorder = frame.recorder
    if recorder.enabled:
        decisive = [r.id for r in applied if r.sets and r.sets[-1][0] == policy.outcome_slot]
        recorder.record({"event": "outcome", "outcome": outcome,
                         "rule": decisive[-1] if decisive and outcome not in
                         ("incomplete", "conflict") else None,
                         "default": chosen is MISSING})
    result = {name: None if (value := values[slot]) is MISSING else value
              for name, slot in policy.public_slots}
    events = tuple(recorder.events) if recorder.enabled and isinstance(recorder, TraceRecorder) \
        else ()
    return Decision(policy, as_of, outcome, result, missing, tuple(notices), events,
                    values[:len(policy.inputs)], applied)


def _missing_required(policy: CompiledPolicy, values: list[Any],
                      recorder: Recorder) -> tuple[MissingFact, ...]:
    found = []
    for item in policy.required_checks:
        if values[item.slot] is not MISSING:
            continue
        if item.required:
            reason = "required"
        elif item.required_when is not None and item.required_when(values) is True:
            reason = f"required when {item.required_when_text}"
        else:
            continue
        found.append(MissingFact(item.name, True, reason, (), item.title_zh, item.title_en,
                                 item.citations))
    if found and recorder.enabled:
        recorder.record({"event": "missing", "facts": [m.to_dict() for m in found]})
    return tuple(found)


def _missing_for_outputs(policy: CompiledPolicy, values: list[Any],
                         already: tuple[MissingFact, ...]) -> tuple[MissingFact, ...]:
    """Optional facts that a ``report_missing`` output could not do without."""
    needed: dict[str, list[str]] = {}
    for output in policy.outputs:
        if output.report_missing and values[output.slot] is MISSING:
            for name in output.optional_inputs:
                if values[policy.inputs_by_name[name].slot] is MISSING:
                    needed.setdefault(name, []).append(output.name)
    known = {m.fact for m in already}
    return tuple(
        MissingFact(name, False, "needed for " + ", ".join(outputs), tuple(outputs),
                    policy.inputs_by_name[name].title_zh, policy.inputs_by_name[name].title_en,
                    policy.inputs_by_name[name].citations)
        for name, outputs in needed.items() if name not in known)


def _calendar_notices(dates: list[DateComputation]) -> list[Notice]:
    years = sorted({year for d in dates for year in d.unpublished_years})
    if not years:
        return []
    listed = ", ".join(str(y) for y in years)
    return [Notice("calendar-unpublished", "warning",
                   f"a date computation reaches {listed}, for which no official State Council "
                   "holiday schedule is in the calendar; the result uses estimated holidays "
                   "and no make-up workdays",
                   f"日期计算涉及{listed}年，该年度国务院节假日安排尚未收录，结果按估计的节假日计算",
                   ())]


def _unverified_notices(policy: CompiledPolicy, applied: list[CompiledRule],
                        as_of: dt.date, unverified: frozenset[str]) -> list[Notice]:
    flagged: list[Notice] = []
    seen: set[str] = set()
    for rule in applied:
        for name, _, origin in rule.reads:
            if origin != "parameter" or name in seen or name not in unverified:
                continue
            value = policy.parameters_by_name[name].at(as_of)
            if value is not None and value.unverified:
                seen.add(name)
                flagged.append(Notice(
                    "unverified", "warning",
                    f"parameter '{name}' = {to_json_value(value.value)} is not verified against "
                    "an authoritative text" + (f": {value.note}" if value.note else ""),
                    None, value.citations, rule.id))
    return flagged


def _record_parameters(recorder: Recorder, policy: CompiledPolicy, rule: CompiledRule,
                       names: tuple[str, ...], as_of: dt.date) -> None:
    """Record each parameter read, where the lookup happens: value, start date, clause."""
    for name in names:
        value = policy.parameters_by_name[name].at(as_of)
        if value is not None:
            recorder.record({"event": "parameter", "rule": rule.id, "name": name,
                             "value": to_json_value(value.value),
                             "effective_from": value.effective_from.isoformat(),
                             "citations": [c.ref for c in value.citations],
                             "unverified": value.unverified})


def _record_rule(recorder: Recorder, rule: CompiledRule, values: list[Any], holds: Any,
                 status: str, *, produced: dict[str, Any] | None = None,
                 defeated_by: CompiledRule | None = None, detail: str | None = None) -> None:
    event: dict[str, Any] = {
        "event": "rule", "rule": rule.id, "title": rule.title_en, "title_zh": rule.title_zh,
        "status": status, "condition": rule.condition_text,
        "condition_value": to_json_value(holds),
        "reads": {name: to_json_value(values[slot]) for name, slot, origin in rule.reads
                  if origin != "parameter"},
        "citations": [c.ref for c in rule.citations],
    }
    if produced is not None:
        event["values"] = {name: to_json_value(value) for name, value in produced.items()}
    if rule.interpretations and status == "applied":
        event["interpretations"] = [note.to_dict() for note in rule.interpretations]
    if defeated_by is not None:
        event["defeated_by"] = defeated_by.id
        event["defeated_by_citations"] = [c.ref for c in defeated_by.citations]
    if detail is not None:
        event["detail"] = detail
    recorder.record(event)
