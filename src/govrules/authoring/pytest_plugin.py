"""The pytest plugin (entry point ``pytest11``): ``pytest`` in a pack's repository collects the
tests written in its policy files, one pytest item per test, and one coverage item per policy.

Collection starts at each ``pack.yaml`` pytest walks past: the pack is loaded with the bundled or
installed packs it requires, exactly as ``govrules test`` loads it. A pack that does not load is
one failing item that prints every located problem. The coverage item fails when a policy's
rule coverage is below ``govrules_min_coverage`` (an ini option, default 100 percent).

    [tool.pytest.ini_options]
    govrules_min_coverage = "100"
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from govrules.authoring.testing import coverage, run_policy_tests, run_test
from govrules.compiler.loading import Workspace, load_workspace
from govrules.compiler.policy import CompiledPolicy
from govrules.engine import Engine
from govrules.language.files import PolicyTestModel
from govrules.packs.discovery import PACK_FILE

__all__ = ["pytest_addoption", "pytest_collect_file"]


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addini(
        "govrules_min_coverage",
        "lowest rule coverage (percent) of a policy's tests before its coverage item fails",
        default="100",
    )


def pytest_collect_file(parent: pytest.Collector, file_path: Path) -> pytest.Collector | None:
    if file_path.name == PACK_FILE:
        return PackFile.from_parent(parent, path=file_path)
    return None


class PolicyTestFailure(Exception):
    """A policy test or a coverage check that did not pass: its lines, shown as they are."""


class PackFile(pytest.File):
    """A pack: its policies' tests and coverage."""

    def collect(self) -> Iterator[pytest.Item]:
        workspace = load_workspace([self.path.parent], Path(self.config.rootpath))
        if workspace.problems:
            yield PackLoadItem.from_parent(self, name="load", workspace=workspace)
            return
        engine = Engine(workspace.policies, workspace.sources, packs=workspace.packs)
        for policy in workspace.selected:
            for test in policy.model.tests:
                yield PolicyTestItem.from_parent(
                    self,
                    name=f"{policy.id}@{policy.version}::{test.name}",
                    engine=engine,
                    policy=policy,
                    test=test,
                )
            yield CoverageItem.from_parent(
                self, name=f"{policy.id}@{policy.version}::coverage", engine=engine, policy=policy
            )


class _Item(pytest.Item):
    def repr_failure(self, excinfo: Any, style: Any = None) -> str:
        if isinstance(excinfo.value, PolicyTestFailure):
            return str(excinfo.value)
        return str(super().repr_failure(excinfo))


class PackLoadItem(_Item):
    def __init__(self, *, workspace: Workspace, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.workspace = workspace

    def runtest(self) -> None:
        raise PolicyTestFailure(
            "the pack does not load:\n" + "\n".join(str(d) for d in self.workspace.problems)
        )

    def reportinfo(self) -> tuple[Path, int | None, str]:
        return self.path, 0, f"load {self.path.parent.name}"


class PolicyTestItem(_Item):
    def __init__(
        self, *, engine: Engine, policy: CompiledPolicy, test: PolicyTestModel, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        self.engine, self.policy, self.test = engine, policy, test

    def runtest(self) -> None:
        result = run_test(self.engine, self.policy, self.test)
        if not result.passed:
            raise PolicyTestFailure(
                f"{result.location}: {self.test.name}\n"
                + "\n".join(f"  {failure}" for failure in result.failures)
            )

    def reportinfo(self) -> tuple[Path, int | None, str]:
        span = self.test.span_of()
        line = span.line - 1 if span is not None else None
        return self.config.rootpath / self.policy.path, line, f"{self.policy.id}: {self.test.name}"


class CoverageItem(_Item):
    def __init__(self, *, engine: Engine, policy: CompiledPolicy, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.engine, self.policy = engine, policy

    def runtest(self) -> None:
        setting = str(self.config.getini("govrules_min_coverage"))
        try:
            wanted = float(setting)
        except ValueError:
            raise pytest.UsageError(
                f"govrules_min_coverage must be a percentage such as 100, not {setting!r}"
            ) from None
        report = coverage(self.policy, run_policy_tests(self.engine, policies=[self.policy]))
        if report.rule_percent < wanted:
            raise PolicyTestFailure(
                f"{self.policy.path}: rule coverage {report.rule_percent:.0f}% is below "
                f"{wanted:g}%; never fired: {', '.join(report.rules_not_fired)}"
            )

    def reportinfo(self) -> tuple[Path, int | None, str]:
        return self.config.rootpath / self.policy.path, 0, f"{self.policy.id}: coverage"
