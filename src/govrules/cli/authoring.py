"""The sub-commands a policy author uses on policy folders: list, validate, lint, schema, test,
coverage.

    govrules list
    govrules validate [PATH ...]
    govrules lint [PATH ...] [-q]
    govrules schema POLICY_ID | --policy-format | --source-format
    govrules test [PATH ...] [--min-coverage PERCENT] [-v]
    govrules coverage [PATH ...] [--format text|json|html] [-v] [--fail-on-pending DOC_ID]

validate, lint, test and coverage exit 1 when a check fails, so a CI job can run them as they are.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from govrules.authoring.coverage import clause_coverage, load_coverage_files
from govrules.authoring.coverage_render import coverage_html, coverage_text
from govrules.authoring.lint import lint
from govrules.authoring.testing import coverage, run_policy_tests
from govrules.cli.arguments import (
    EXIT_FAILED,
    EXIT_OK,
    Commands,
    UsageError,
    engine_for,
    print_diagnostics,
)
from govrules.compiler.loading import Workspace, load_workspace
from govrules.engine import Engine, bundled_policy_directory
from govrules.explain import explain_text
from govrules.language.files import file_format_schema

__all__ = [
    "register_coverage",
    "register_lint",
    "register_list",
    "register_schema",
    "register_test",
    "register_validate",
]


def register_list(commands: Commands) -> None:
    commands.add_parser("list", help="list the policies").set_defaults(run=cmd_list)


def cmd_list(args: argparse.Namespace) -> int:
    engine = engine_for(args)
    for policy in engine.policies():
        period = policy.model.effective
        until = period.to.isoformat() if period.to else "…"
        since = "unknown" if period.undated else period.start.isoformat()
        print(
            f"{policy.id}  {policy.version}  {since}–{until}  "
            f"{policy.model.jurisdiction}  {policy.model.title.zh} / {policy.model.title.en}"
        )
    return EXIT_OK


def register_validate(commands: Commands) -> None:
    validate = commands.add_parser("validate", help="check policy folders and their sources")
    validate.add_argument("paths", nargs="*", metavar="PATH")
    validate.set_defaults(run=cmd_validate)


def _workspace(args: argparse.Namespace, paths: list[str] | None) -> Workspace:
    """The packs the paths name (default: ``--policies``, else the bundled packs), with the
    packs they require; ``selected`` holds the policies under the paths."""
    chosen = paths or getattr(args, "policies", None) or [str(bundled_policy_directory())]
    return load_workspace([Path(p) for p in chosen], Path.cwd())


def cmd_validate(args: argparse.Namespace) -> int:
    workspace = _workspace(args, args.paths)
    problems = list(workspace.problems)
    reported = {str(d) for d in problems}
    for diagnostic in workspace.sources.check_all():
        if str(diagnostic) not in reported:
            problems.append(diagnostic)
    if problems:
        print_diagnostics(problems, sys.stdout)
        print(f"{len(problems)} problem(s)", file=sys.stderr)
        return EXIT_FAILED
    packs = [pack for pack in workspace.packs if pack.is_pack]
    print(
        f"ok: {len(workspace.selected)} policies, {len(workspace.sources.ids())} source "
        f"documents" + (f", {len(packs)} pack(s)" if packs else "")
    )
    return EXIT_OK


def register_lint(commands: Commands) -> None:
    lint_command = commands.add_parser("lint", help="what loads but is probably wrong")
    lint_command.add_argument("paths", nargs="*", metavar="PATH")
    lint_command.add_argument("-q", "--quiet", action="store_true", help="warnings only")
    lint_command.set_defaults(run=cmd_lint)


def cmd_lint(args: argparse.Namespace) -> int:
    """Report what loads but is probably wrong; exit 1 on a warning (infos do not fail)."""
    workspace = _workspace(args, args.paths)
    if workspace.problems:
        print_diagnostics(workspace.problems, sys.stdout)
        print("fix the load errors first (govrules validate)", file=sys.stderr)
        return EXIT_FAILED
    findings = lint(workspace.selected, workspace.sources)
    for finding in findings:
        if finding.level == "warning" or not args.quiet:
            print(finding)
    warnings = sum(1 for f in findings if f.level == "warning")
    print(f"{warnings} warning(s), {len(findings) - warnings} note(s)")
    return EXIT_FAILED if warnings else EXIT_OK


def register_schema(commands: Commands) -> None:
    schema = commands.add_parser(
        "schema", help="JSON Schema of a policy's case, or of the policy or source file format"
    )
    schema.add_argument("policy_id", metavar="POLICY_ID", nargs="?")
    schema.add_argument(
        "--policy-format", action="store_true", help="the schema of policy files (for editors)"
    )
    schema.add_argument(
        "--source-format", action="store_true", help="the schema of source-document files"
    )
    schema.set_defaults(run=cmd_schema)


def cmd_schema(args: argparse.Namespace) -> int:
    if args.policy_format or args.source_format:
        schema = file_format_schema("policy" if args.policy_format else "source")
    elif args.policy_id:
        schema = engine_for(args).case_model(args.policy_id).model_json_schema()
    else:
        raise UsageError("name a POLICY_ID, or give --policy-format or --source-format")
    print(json.dumps(schema, ensure_ascii=False, indent=2))
    return EXIT_OK


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
    test.set_defaults(run=cmd_test)


def cmd_test(args: argparse.Namespace) -> int:
    workspace = _workspace(args, args.paths)
    workspace.raise_problems()
    engine = Engine(workspace.policies, workspace.sources, packs=workspace.packs)
    results = run_policy_tests(engine, policies=workspace.selected)
    failed = [r for r in results if not r.passed]
    for result in results:
        status = "PASS" if result.passed else "FAIL"
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
    workspace = _workspace(args, args.paths)
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
