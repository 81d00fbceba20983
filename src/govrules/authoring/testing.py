"""Running the tests written next to a policy (its ``tests:`` section).

for result in run_policy_tests(engine):
    print(result.policy, result.name, result.passed, result.failures)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import field
from decimal import Decimal
from typing import Any

from govrules.compiler.policy import CompiledPolicy
from govrules.engine import Engine
from govrules.errors import GovrulesError
from govrules.language.files import PolicyTestModel
from govrules.records import record
from govrules.runtime.decision import Decision
from govrules.values import MISSING, Record, to_json_value

__all__ = ["Coverage", "PolicyTestResult", "coverage", "run_policy_tests", "run_test"]


@record(slots=False)
class PolicyTestResult:
    policy: str
    version: str
    name: str
    location: str
    failures: tuple[str, ...]
    decision: Decision | None = field(default=None, compare=False)

    @property
    def passed(self) -> bool:
        return not self.failures


def _same(expected: Any, actual: Any) -> bool:
    if actual is MISSING or actual is None:
        return expected is None
    if isinstance(actual, bool) or isinstance(expected, bool):
        return expected is actual
    if isinstance(actual, Decimal):
        try:
            return isinstance(expected, (int, Decimal, str)) and Decimal(expected) == actual
        except ArithmeticError:
            return False
    if isinstance(actual, dt.datetime):  # written as a case writes it, with or without seconds
        if isinstance(expected, str):
            try:
                expected = dt.datetime.fromisoformat(expected)
            except ValueError:
                return False
        return bool(expected == actual)
    if isinstance(actual, dt.date):
        return bool(expected == actual or expected == actual.isoformat())
    if isinstance(actual, Record):  # expected as a mapping; a field left out is unknown
        fields = actual.as_dict()
        return (
            isinstance(expected, dict)
            and set(expected) <= set(fields)
            and all(_same(expected.get(name), value) for name, value in fields.items())
        )
    if isinstance(actual, (tuple, list)):
        return (
            isinstance(expected, list)
            and len(expected) == len(actual)
            and all(_same(e, a) for e, a in zip(expected, actual, strict=True))
        )
    return bool(expected == actual)


def run_test(engine: Engine, policy: CompiledPolicy, test: PolicyTestModel) -> PolicyTestResult:
    """Evaluate one test case and compare the decision with what the test expects."""
    span = test.span_of()
    location = str(span) if span else policy.path
    failures: list[str] = []
    decision = None
    expect = test.expect
    try:
        decision = engine.evaluate_version(policy, dict(test.input), test.as_of)
    except GovrulesError as error:
        if expect.error is None:
            failures.append(f"evaluation failed: {error}")
        elif expect.error not in str(error):
            failures.append(f"expected an error containing {expect.error!r}, got: {error}")
        return PolicyTestResult(policy.id, policy.version, test.name, location, tuple(failures))
    if expect.error is not None:
        failures.append(
            f"expected an error containing {expect.error!r}, got outcome {decision.outcome!r}"
        )
    if expect.outcome is not None and decision.outcome != expect.outcome:
        failures.append(f"outcome: expected {expect.outcome!r}, got {decision.outcome!r}")
    all_values = {o.name: decision.values.get(o.name, MISSING) for o in policy.outputs}
    for name, wanted in expect.values.items():
        if name not in all_values:
            failures.append(f"'{name}' is not an output of {policy.id}")
            continue
        if not _same(wanted, all_values[name]):
            failures.append(
                f"{name}: expected {to_json_value(wanted)!r}, got "
                f"{to_json_value(all_values[name])!r}"
            )
    if expect.missing is not None:
        got = sorted(fact.fact for fact in decision.missing)
        if got != sorted(expect.missing):
            failures.append(f"missing: expected {sorted(expect.missing)}, got {got}")
    if expect.notices is not None:
        got = sorted(notice.code for notice in decision.notices)
        if got != sorted(expect.notices):
            failures.append(f"notices: expected {sorted(expect.notices)}, got {got}")
    return PolicyTestResult(
        policy.id, policy.version, test.name, location, tuple(failures), decision
    )


def run_policy_tests(
    engine: Engine,
    policy_id: str | None = None,
    policies: Sequence[CompiledPolicy] | None = None,
) -> list[PolicyTestResult]:
    """Run the tests of every loaded policy version (or of one policy id, or of ``policies``)."""
    results = []
    for policy in engine.policies() if policies is None else policies:
        if policy_id is not None and policy.id != policy_id:
            continue
        for test in policy.model.tests:
            results.append(run_test(engine, policy, test))
    return results


@record(slots=False)
class Coverage:
    """Which rules and clauses of a policy version fired in at least one of its tests."""

    policy: str
    version: str
    rules_fired: tuple[str, ...]
    rules_not_fired: tuple[str, ...]
    clauses_used: tuple[str, ...]
    clauses_not_used: tuple[str, ...]

    @property
    def rule_percent(self) -> float:
        total = len(self.rules_fired) + len(self.rules_not_fired)
        return 100.0 * len(self.rules_fired) / total if total else 100.0

    @property
    def clause_percent(self) -> float:
        total = len(self.clauses_used) + len(self.clauses_not_used)
        return 100.0 * len(self.clauses_used) / total if total else 100.0


def coverage(policy: CompiledPolicy, results: list[PolicyTestResult]) -> Coverage:
    """Rules applied (or defeated after their condition held) and clauses they cite."""
    fired: set[str] = set()
    used: set[str] = set()
    for result in results:
        if (
            result.decision is None
            or result.policy != policy.id
            or result.version != policy.version
        ):
            continue
        fired.update(result.decision.applied_rules)
        fired.update(
            e["rule"]
            for e in result.decision.trace
            if e["event"] == "rule" and e["status"] == "defeated"
        )
        used.update(c.ref for c in result.decision.citations)
    rules = [rule.id for rule in policy.rules]
    clauses = sorted({c.ref for rule in policy.rules for c in rule.citations})
    return Coverage(
        policy.id,
        policy.version,
        tuple(r for r in rules if r in fired),
        tuple(r for r in rules if r not in fired),
        tuple(c for c in clauses if c in used),
        tuple(c for c in clauses if c not in used),
    )
