"""``govrules lint``: what loads but is probably wrong, or unfinished.

Findings (code, level):
  unused-input / unused-parameter (warning)  declared but read by no rule
  dead-rule (warning)                        a condition that is always false
  period-overlap / period-gap (warning)      versions of one policy overlap or leave a gap
  no-tests (warning)                         a policy with no tests next to it
  unverified-figure (info)                   a figure in force marked unverified
  stays-unknown (warning)                    an output a test leaves unknown although it gives
                                             every fact the output depends on (no default, no
                                             rule for that case: add a default or an else)
  uncited-clauses (info)                     seed clauses no policy cites, per document

Errors that stop a policy from loading (uncited numbers, citations that reach nothing, unknown
names, type mismatches) are reported by ``govrules validate`` and are not repeated here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from govrules.compiler.policy import CompiledPolicy
from govrules.engine import Engine
from govrules.errors import GovrulesError
from govrules.language.expr.ast import Literal
from govrules.language.sources import SourceLibrary
from govrules.records import record
from govrules.spans import SourceSpan

__all__ = ["Finding", "lint"]


@record(slots=False)
class Finding:
    code: str
    level: str  # warning | info
    message: str
    span: SourceSpan | None = None

    def __str__(self) -> str:
        where = f"{self.span}: " if self.span else ""
        return f"{where}{self.level}: {self.code}: {self.message}"


def _policy_findings(policy: CompiledPolicy) -> Iterable[Finding]:
    model = policy.model
    read = {name for rule in policy.rules for name, _, _ in rule.reads}
    read |= {
        name
        for item in policy.inputs
        if item.required_when_text
        for name in model.inputs
        if name in item.required_when_text
    }
    for name, spec in model.inputs.items():
        if name not in read:
            yield Finding(
                "unused-input", "warning", f"input '{name}' is read by no rule", spec.span_of()
            )
    for name, parameter in model.parameters.items():
        if name not in read:
            yield Finding(
                "unused-parameter",
                "warning",
                f"parameter '{name}' is read by no rule",
                parameter.span_of(),
            )
    for rule in policy.rules:
        condition = rule.condition
        if (
            condition is not None
            and isinstance(condition.node, Literal)
            and condition.node.value is False
        ):
            yield Finding("dead-rule", "warning", f"rule '{rule.id}' can never apply", rule.span)
    if not model.tests:
        yield Finding(
            "no-tests", "warning", f"{policy.id} has no tests next to it", model.span_of("id")
        )
    for figure in policy.parameters:
        for value in figure.values:
            if value.unverified:
                yield Finding(
                    "unverified-figure",
                    "info",
                    f"{policy.id}: '{figure.name}' from {value.effective_from} is "
                    "marked unverified",
                    model.parameters[figure.name].span_of(),
                )


def _period_findings(policies: list[CompiledPolicy]) -> Iterable[Finding]:
    by_id: dict[str, list[CompiledPolicy]] = {}
    for policy in policies:
        by_id.setdefault(policy.id, []).append(policy)
    for versions in by_id.values():
        versions.sort(key=lambda p: p.model.effective.start)
        for before, after in zip(versions, versions[1:], strict=False):
            end = before.model.effective.to
            start = after.model.effective.start
            if end is None or end >= start:
                yield Finding(
                    "period-overlap",
                    "warning",
                    f"{before.id} {before.version} and {after.version} are both in "
                    f"force on {start}",
                    after.model.span_of("effective"),
                )
            elif end + dt.timedelta(days=1) < start:
                yield Finding(
                    "period-gap",
                    "warning",
                    f"{before.id} is in force on no version between {end} and {start}",
                    after.model.span_of("effective"),
                )


def _uncited(policies: list[CompiledPolicy], sources: SourceLibrary) -> Iterable[Finding]:
    cited: set[str] = set()
    for policy in policies:
        for rule in policy.rules:
            cited |= {c.ref for c in rule.citations}
        for parameter in policy.parameters:
            cited |= {c.ref for value in parameter.values for c in value.citations}
        for item in policy.inputs:
            cited |= {c.ref for c in item.citations}
        for note in policy.interpretations:
            cited |= {c.ref for c in note.citations}
    for document in sources.documents():
        if document.model.origin.seed is None:
            continue
        clauses = list(document.model.clauses)
        missing = [c for c in clauses if f"{document.id}#{c}" not in cited]
        if missing:
            shown = ", ".join(missing[:8]) + (" …" if len(missing) > 8 else "")
            yield Finding(
                "uncited-clauses",
                "info",
                f"{document.id}: {len(clauses) - len(missing)} of {len(clauses)} "
                f"clauses cited; not cited: {shown}",
            )


def lint(policies: list[CompiledPolicy], sources: SourceLibrary) -> list[Finding]:
    """Every finding, warnings first."""
    found = [f for policy in policies for f in _policy_findings(policy)]
    found += list(_period_findings(policies))
    found += list(_uncited(policies, sources))
    found += list(_unknown_outputs(policies, sources))
    return sorted(found, key=lambda f: (f.level != "warning", str(f.span or ""), f.code))


def _unknown_outputs(policies: list[CompiledPolicy], sources: SourceLibrary) -> Iterable[Finding]:
    """Outputs that the policy's own tests show can stay unknown with every fact given.

    The tests are the evidence: a case that gives each input an output depends on, yet leaves
    the output unknown, is a gap in the rules (or a value the policy should default).
    """
    engine = Engine(policies, sources)
    for policy in policies:
        model = policy.model.outputs
        candidates = [
            o
            for o in policy.outputs
            if not (o.internal or o.collect or o.has_default or model[o.name].may_stay_unknown)
        ]
        flagged: set[str] = set()
        for test in policy.model.tests:
            given = {name for name, value in test.input.items() if value is not None}
            try:
                decision = engine.evaluate_version(policy, dict(test.input), test.as_of)
            except GovrulesError:
                continue  # a test expecting an error, reported by govrules test if wrong
            if decision.outcome in ("incomplete", "conflict"):
                continue
            for output in candidates:
                if output.name in flagged or decision.values.get(output.name) is not None:
                    continue
                if output.inputs and set(output.inputs) <= given:
                    flagged.add(output.name)
                    yield Finding(
                        "stays-unknown",
                        "warning",
                        f"output '{output.name}' stays unknown in test '{test.name}' although "
                        f"every fact it depends on ({', '.join(output.inputs)}) is given; add a "
                        "default, an else or a rule for that case (or say why with "
                        "may_stay_unknown)",
                        policy.model.outputs[output.name].span_of(),
                    )
