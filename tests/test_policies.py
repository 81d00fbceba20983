"""The tests written next to each bundled policy, collected by plain pytest."""

from __future__ import annotations

import pytest

from conftest import POLICIES
from govrules import Engine
from govrules.authoring.testing import run_policy_tests, run_test

_ENGINE = Engine.from_directory(POLICIES)
_CASES = [(policy, test) for policy in _ENGINE.policies() for test in policy.model.tests]


@pytest.mark.parametrize(("policy", "test"), _CASES,
                         ids=[f"{p.id}::{t.name}" for p, t in _CASES])
def test_policy_case(policy, test) -> None:  # type: ignore[no-untyped-def]
    result = run_test(_ENGINE, policy, test)
    assert result.passed, "\n".join(result.failures)


def test_every_bundled_policy_has_tests() -> None:
    assert _ENGINE.policies()
    for policy in _ENGINE.policies():
        assert policy.model.tests, f"{policy.id} has no tests"


def test_a_wrong_expectation_is_reported_with_expected_and_actual(engine: Engine) -> None:
    policy = engine.policy("cn.jilin.taobei.wage_deposit")
    test = policy.model.tests[0].model_copy(update={
        "expect": policy.model.tests[0].expect.model_copy(
            update={"outcome": "compliant", "values": {"rate_min": "0.05"}})})
    result = run_test(engine, policy, test)
    assert not result.passed
    assert "outcome: expected 'compliant', got 'assessed'" in result.failures
    assert "rate_min: expected '0.05', got '0.04'" in result.failures


def test_runner_reports_all_results(engine: Engine) -> None:
    results = run_policy_tests(engine, "cn.jilin.taobei.wage_deposit")
    assert len(results) == len(engine.policy("cn.jilin.taobei.wage_deposit").model.tests)
    assert all(result.passed for result in results)
