"""The sub-commands a policy author uses on policy folders: list, validate, lint, schema (test
and coverage are in ``checking``).

    govrules list [--format text|json|ids]
    govrules validate [PATH ...] [--format text|json]
    govrules lint [PATH ...] [-q] [--format text|json]
    govrules schema POLICY_ID | --policy-format | --source-format

validate and lint exit 1 when a check fails, so a CI job can run them as they are. With
``--format json`` each prints one JSON document on stdout and nothing else (the shapes are in
docs/integrators.md, "The command line as JSON"); ``list --format ids`` prints one policy id a
line, for scripts and shell completion.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from govrules.authoring.lint import Finding, lint
from govrules.cli.arguments import (
    EXIT_FAILED,
    EXIT_OK,
    Commands,
    UsageError,
    add_format_option,
    engine_for,
    print_diagnostics,
    print_json,
    problems_json,
    workspace_for,
)
from govrules.cli.output import colour_for, paint
from govrules.compiler.policy import CompiledPolicy
from govrules.errors import Diagnostic
from govrules.language.files import file_format_schema

__all__ = ["register_lint", "register_list", "register_schema", "register_validate"]


def register_list(commands: Commands) -> None:
    command = commands.add_parser("list", help="list the policies")
    command.add_argument(
        "--format",
        choices=("text", "json", "ids"),
        default="text",
        help="ids: one policy id a line, each once",
    )
    command.set_defaults(run=cmd_list)


def cmd_list(args: argparse.Namespace) -> int:
    engine = engine_for(args)
    if args.format == "json":
        print_json([_policy_row(policy) for policy in engine.policies()])
        return EXIT_OK
    if args.format == "ids":
        for policy_id in dict.fromkeys(policy.id for policy in engine.policies()):
            print(policy_id)
        return EXIT_OK
    for policy in engine.policies():
        period = policy.model.effective
        until = period.to.isoformat() if period.to else "…"
        since = "unknown" if period.undated else period.start.isoformat()
        print(
            f"{policy.id}  {policy.version}  {since}–{until}  "
            f"{policy.model.jurisdiction}  {policy.model.title.zh} / {policy.model.title.en}"
        )
    return EXIT_OK


def _policy_row(policy: CompiledPolicy) -> dict[str, Any]:
    period = policy.model.effective
    return {
        "id": policy.id,
        "version": policy.version,
        "title_zh": policy.model.title.zh,
        "title_en": policy.model.title.en,
        "jurisdiction": policy.model.jurisdiction,
        "pack": policy.pack.to_dict() if policy.pack is not None else None,
        "effective": {
            "from": "unknown" if period.undated else period.start.isoformat(),
            "to": period.to.isoformat() if period.to else None,
        },
    }


def register_validate(commands: Commands) -> None:
    validate = commands.add_parser("validate", help="check policy folders and their sources")
    validate.add_argument("paths", nargs="*", metavar="PATH")
    add_format_option(validate)
    validate.set_defaults(run=cmd_validate)


def cmd_validate(args: argparse.Namespace) -> int:
    workspace = workspace_for(args, args.paths)
    problems = list(workspace.problems)
    reported = {str(d) for d in problems}
    for diagnostic in workspace.sources.check_all():
        if str(diagnostic) not in reported:
            problems.append(diagnostic)
    packs = [pack for pack in workspace.packs if pack.is_pack]
    if args.format == "json":
        print_json(
            {
                "ok": not problems,
                "policies": len(workspace.selected),
                "sources": len(workspace.sources.ids()),
                "packs": len(packs),
                "problems": problems_json(problems),
            }
        )
        return EXIT_FAILED if problems else EXIT_OK
    if problems:
        print_diagnostics(problems, sys.stdout)
        print(f"{len(problems)} problem(s)", file=sys.stderr)
        return EXIT_FAILED
    print(
        f"ok: {len(workspace.selected)} policies, {len(workspace.sources.ids())} source "
        f"documents" + (f", {len(packs)} pack(s)" if packs else "")
    )
    return EXIT_OK


def register_lint(commands: Commands) -> None:
    lint_command = commands.add_parser("lint", help="what loads but is probably wrong")
    lint_command.add_argument("paths", nargs="*", metavar="PATH")
    lint_command.add_argument("-q", "--quiet", action="store_true", help="warnings only")
    add_format_option(lint_command)
    lint_command.set_defaults(run=cmd_lint)


def cmd_lint(args: argparse.Namespace) -> int:
    """Report what loads but is probably wrong; exit 1 on a warning (infos do not fail)."""
    workspace = workspace_for(args, args.paths)
    as_json = args.format == "json"
    if workspace.problems:
        if as_json:
            print_json(_lint_document([], workspace.problems))
        else:
            print_diagnostics(workspace.problems, sys.stdout)
        print("fix the load errors first (govrules validate)", file=sys.stderr)
        return EXIT_FAILED
    findings = lint(workspace.selected, workspace.sources)
    shown = [f for f in findings if f.level == "warning" or not args.quiet]
    warnings = sum(1 for f in findings if f.level == "warning")
    if as_json:
        document = _lint_document(shown, [])
        document["notes"] = len(findings) - warnings  # counted when -q leaves them out
        print_json(document)
        return EXIT_FAILED if warnings else EXIT_OK
    colour = colour_for(args, sys.stdout)
    for finding in shown:
        print(paint(str(finding), "warning" if finding.level == "warning" else "note", colour))
    print(f"{warnings} warning(s), {len(findings) - warnings} note(s)")
    return EXIT_FAILED if warnings else EXIT_OK


def _lint_document(findings: list[Finding], problems: list[Diagnostic]) -> dict[str, Any]:
    warnings = sum(1 for f in findings if f.level == "warning")
    return {
        "ok": not problems and not warnings,
        "warnings": warnings,
        "notes": len(findings) - warnings,
        "findings": [
            {
                "code": f.code,
                "level": f.level,
                "message": f.message,
                "file": f.span.file if f.span else None,
                "line": f.span.line if f.span else None,
                "column": f.span.column if f.span else None,
            }
            for f in findings
        ],
        "problems": problems_json(problems),
    }


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
