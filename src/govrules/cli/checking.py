"""The sub-commands that check policies against their own tests and their source documents:
test and coverage.

    govrules test [PATH ...] [--min-coverage PERCENT] [-v] [--format text|json]
    govrules coverage [PATH ...] [--format text|json|html] [-v] [--fail-on-pending DOC_ID]

Both exit 1 when a check fails, so a CI job can run them as they are. ``test --format json``
prints one JSON document, every test and every policy's coverage (docs/integrators.md, "The
command line as JSON").
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from govrules.authoring.coverage import clause_coverage, load_coverage_files
from govrules.authoring.coverage_render import coverage_html, coverage_text
from govrules.authoring.testing import Coverage, PolicyTestResult, coverage, run_policy_tests
from govrules.cli.arguments import (
    EXIT_FAILED,
    EXIT_OK,
    Commands,
    UsageError,
    add_format_option,
    print_diagnostics,
    print_json,
    problems_json,
    workspace_for,
)
from govrules.cli.output import colour_for, paint
from govrules.compiler.loading import Workspace
from govrules.engine import Engine
from govrules.explain import explain_text

__all__ = ["register_coverage", "register_test"]


def register_test(commands: Commands) -> None:
    test = commands.add_parser("test", help="run the tests written next to the policies")
    test.add_argument(
        "paths", nargs="*", metavar="PATH", help="a policy file, a pack, or a folder of packs"
    )
    test.add_argument(
        "--min-coverage",
        type=float,
        metavar="PERCENT",
        help="fail when a policy's rule coverage is below PERCENT",
    )
    test.add_argument(
        "-v", "--verbose", action="store_true", help="explain the decision of each failing test"
    )
    add_format_option(test)
    test.set_defaults(run=cmd_test)


def cmd_test(args: argparse.Namespace) -> int:
    workspace = workspace_for(args, args.paths)
    if args.format == "json":
        return _test_json(args, workspace)
    workspace.raise_problems()
    engine = Engine(workspace.policies, workspace.sources, packs=workspace.packs)
    results = run_policy_tests(engine, policies=workspace.selected)
    failed = [r for r in results if not r.passed]
    colour = colour_for(args, sys.stdout)
    for result in results:
        status = paint("PASS", "ok", colour) if result.passed else paint("FAIL", "failed", colour)
        print(f"{status} {result.policy} {result.version} :: {result.name}  ({result.location})")
        for failure in result.failures:
            print(f"     {failure}")
        if not result.passed and result.decision is not None and args.verbose:
            print(explain_text(result.decision))
    below = []
    print("coverage (rules fired in a test, clauses they cite):")
    for policy in workspace.selected:
        report = coverage(policy, results)
        print(
            f"  {policy.id} {policy.version}: rules {report.rule_percent:.0f}% "
            f"({len(report.rules_fired)}/{len(report.rules_fired) + len(report.rules_not_fired)})"
            f", clauses {report.clause_percent:.0f}%"
        )
        if report.rules_not_fired:
            print(f"    never fired: {', '.join(report.rules_not_fired)}")
        if args.min_coverage is not None and report.rule_percent < args.min_coverage:
            below.append(f"{policy.id} {policy.version} ({report.rule_percent:.0f}%)")
    print(f"{len(results) - len(failed)} passed, {len(failed)} failed")
    if below:
        print(f"coverage below {args.min_coverage:g}%: {', '.join(below)}")
    return EXIT_FAILED if failed or not results or below else EXIT_OK


def _test_json(args: argparse.Namespace, workspace: Workspace) -> int:
    """``test --format json``: every test, the coverage of every policy, and ``ok``."""
    results: list[PolicyTestResult] = []
    reports: list[Coverage] = []
    if not workspace.problems:
        engine = Engine(workspace.policies, workspace.sources, packs=workspace.packs)
        results = run_policy_tests(engine, policies=workspace.selected)
        reports = [coverage(policy, results) for policy in workspace.selected]
    failed = sum(1 for r in results if not r.passed)
    minimum = args.min_coverage
    below = [r for r in reports if minimum is not None and r.rule_percent < minimum]
    print_json(
        {
            "ok": bool(results) and not failed and not below and not workspace.problems,
            "passed": len(results) - failed,
            "failed": failed,
            "tests": [_test_row(result) for result in results],
            "coverage": [_coverage_row(report, minimum) for report in reports],
            "problems": problems_json(workspace.problems),
        }
    )
    return EXIT_FAILED if workspace.problems or failed or not results or below else EXIT_OK


def _test_row(result: PolicyTestResult) -> dict[str, Any]:
    decision = result.decision
    return {
        "policy": result.policy,
        "version": result.version,
        "name": result.name,
        "location": result.location,
        "passed": result.passed,
        "failures": list(result.failures),
        "outcome": decision.outcome if decision is not None else None,
        "fingerprint": decision.fingerprint if decision is not None else None,
    }


def _coverage_row(report: Coverage, minimum: float | None) -> dict[str, Any]:
    return {
        "policy": report.policy,
        "version": report.version,
        "rules_fired": list(report.rules_fired),
        "rules_not_fired": list(report.rules_not_fired),
        "clauses_used": list(report.clauses_used),
        "clauses_not_used": list(report.clauses_not_used),
        "rule_percent": round(report.rule_percent, 2),
        "clause_percent": round(report.clause_percent, 2),
        "below_minimum": minimum is not None and report.rule_percent < minimum,
    }


def register_coverage(commands: Commands) -> None:
    command = commands.add_parser(
        "coverage", help="which clauses of the source documents the policies encode"
    )
    command.add_argument("paths", nargs="*", metavar="PATH")
    command.add_argument("--format", choices=("text", "json", "html"), default="text")
    command.add_argument(
        "-v", "--verbose", action="store_true", help="list the pending clauses (text format)"
    )
    command.add_argument(
        "--fail-on-pending",
        action="append",
        metavar="DOC_ID",
        help="exit 1 when this source document has a pending clause; may be given more than once",
    )
    command.set_defaults(run=cmd_coverage)


def cmd_coverage(args: argparse.Namespace) -> int:
    """Print the status of every clause; exit 1 on a problem in the coverage files (or in the
    policies and sources they are checked against), or on a pending clause named by
    ``--fail-on-pending``."""
    for folder in args.paths or []:
        if not Path(folder).is_dir():
            raise UsageError(f"'{folder}' is not a directory of policies")
    workspace = workspace_for(args, args.paths)
    policies, sources, problems = workspace.policies, workspace.sources, workspace.problems
    reported = {str(d) for d in problems}
    problems.extend(d for d in sources.check_all() if str(d) not in reported)
    files, found = load_coverage_files([pack.root for pack in workspace.packs], sources)
    problems.extend(found)
    if not problems:
        report, contradictions = clause_coverage(policies, sources, files)
        problems.extend(contradictions)
    if problems:
        print_diagnostics(problems, sys.stderr)
        print(f"{len(problems)} problem(s): no coverage report", file=sys.stderr)
        return EXIT_FAILED
    watched = args.fail_on_pending or []
    unknown = [d for d in watched if report.document(d) is None]
    if unknown:
        raise UsageError(f"no source document {', '.join(unknown)}")
    if args.format == "json":
        print(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    elif args.format == "html":
        print(coverage_html(report), end="")
    else:
        print(coverage_text(report, verbose=args.verbose))
    pending = [
        d for d in watched if (document := report.document(d)) and document.totals["pending"]
    ]
    if pending:
        print(f"pending clauses in {', '.join(pending)}", file=sys.stderr)
        return EXIT_FAILED
    return EXIT_OK
