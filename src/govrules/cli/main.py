"""The ``govrules`` command line.

    govrules list
    govrules validate [PATH ...]
    govrules lint [PATH ...]
    govrules evaluate POLICY_ID --case FILE [--as-of YYYY-MM-DD] [--format json|text]
    govrules deadlines POLICY_ID --case FILE [--as-of YYYY-MM-DD] [--format text|json]
    govrules review POLICY_ID --first FILE --second FILE [--as-of YYYY-MM-DD]
    govrules why-not POLICY_ID --case FILE [--as-of YYYY-MM-DD] [--format text|json]
    govrules verify DECISION.json
    govrules schema POLICY_ID | --policy-format | --source-format
    govrules run [EXAMPLES ...]          evaluate example cases, printing cited decisions
    govrules test [PATH]                 run the tests written next to the policies

Exit codes: 0 success (any decision, an incomplete one too); 1 a check failed or an internal
error; 2 bad input, bad arguments or an unknown policy (the message goes to stderr).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any, TextIO

from govrules.audit.review import review_case
from govrules.audit.verify import verify_decision
from govrules.audit.whynot import BlockedRule, why_not
from govrules.authoring.lint import lint
from govrules.authoring.testing import coverage, run_policy_tests
from govrules.engine import Engine, bundled_policy_directory, load_policies
from govrules.errors import (
    CaseError,
    Diagnostic,
    EvaluationError,
    GovrulesError,
    PolicyLoadError,
    UnknownPolicyError,
)
from govrules.explain import (
    deadline_entries,
    deadline_timeline,
    explain_html,
    explain_markdown,
    explain_text,
    missing_notice,
)
from govrules.language.files import file_format_schema
from govrules.language.reader import read_yaml_file
from govrules.runtime.decision import Decision
from govrules.values import to_json_value

__all__ = ["main"]

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


class _UsageError(Exception):
    """Bad arguments or an unreadable case file: exit 2 with the message on stderr."""


def _date(text: str) -> dt.date:
    try:
        if len(text) != 10:
            raise ValueError
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date written YYYY-MM-DD") from None


def _engine(folders: list[str] | None) -> Engine:
    if folders:
        return Engine.from_directory(*folders)
    return Engine.default()


def read_case_file(path: Path) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """Facts from a JSON or YAML file, and the envelope (policy, as_of) if the file has one.

    JSON numbers are read as exact decimals, never floats.
    """
    if not path.is_file():
        raise _UsageError(f"{path}: no such file")
    if path.suffix.lower() == ".json":
        try:
            data = json.loads(path.read_text(encoding="utf-8"), parse_float=Decimal)
        except (json.JSONDecodeError, UnicodeDecodeError) as error:
            raise _UsageError(f"{path}: not valid JSON ({error})") from None
    else:
        try:
            data = read_yaml_file(path)
        except PolicyLoadError as error:
            raise _UsageError(str(error)) from None
    if not isinstance(data, dict):
        raise _UsageError(f"{path}: a case file holds a JSON/YAML object of facts")
    if "facts" in data and "policy" in data:
        facts = data["facts"]
        if not isinstance(facts, dict):
            raise _UsageError(f"{path}: 'facts' must be an object")
        return dict(facts), {k: v for k, v in data.items() if k != "facts"}
    return dict(data), None


def _print_diagnostics(diagnostics: Sequence[Diagnostic], stream: TextIO) -> None:
    for diagnostic in diagnostics:
        print(str(diagnostic), file=stream)


# ------------------------------------------------------------------------------ commands


def cmd_list(args: argparse.Namespace) -> int:
    engine = _engine(args.policies)
    for policy in engine.policies():
        period = policy.model.effective
        until = period.to.isoformat() if period.to else "…"
        print(
            f"{policy.id}  {policy.version}  {period.from_.isoformat()}–{until}  "
            f"{policy.model.jurisdiction}  {policy.model.title.zh} / {policy.model.title.en}"
        )
    return EXIT_OK


def cmd_validate(args: argparse.Namespace) -> int:
    folders = [Path(p) for p in (args.paths or [str(bundled_policy_directory())])]
    problems: list[Diagnostic] = []
    policy_folders = []
    for folder in folders:
        if not folder.exists():
            problems.append(Diagnostic("no-directory", f"'{folder}' does not exist"))
        elif folder.is_dir():
            policy_folders.append(folder)
        else:
            problems.append(Diagnostic("not-a-directory", f"'{folder}' is not a directory"))
    policies, sources, found = load_policies(policy_folders, Path.cwd())
    problems.extend(found)
    reported = {str(d) for d in problems}
    for diagnostic in sources.check_all():
        if str(diagnostic) not in reported:
            problems.append(diagnostic)
    if problems:
        _print_diagnostics(problems, sys.stdout)
        print(f"{len(problems)} problem(s)", file=sys.stderr)
        return EXIT_FAILED
    print(f"ok: {len(policies)} policies, {len(sources.ids())} source documents")
    return EXIT_OK


def cmd_lint(args: argparse.Namespace) -> int:
    """Report what loads but is probably wrong; exit 1 on a warning (infos do not fail)."""
    folders = [Path(p) for p in (args.paths or [str(bundled_policy_directory())])]
    policies, sources, problems = load_policies(folders, Path.cwd())
    if problems:
        _print_diagnostics(problems, sys.stdout)
        print("fix the load errors first (govrules validate)", file=sys.stderr)
        return EXIT_FAILED
    findings = lint(policies, sources)
    for finding in findings:
        if finding.level == "warning" or not args.quiet:
            print(finding)
    warnings = sum(1 for f in findings if f.level == "warning")
    print(f"{warnings} warning(s), {len(findings) - warnings} note(s)")
    return EXIT_FAILED if warnings else EXIT_OK


def cmd_evaluate(args: argparse.Namespace) -> int:
    engine = _engine(args.policies)
    decision = _decide(engine, args, trace=not args.no_trace)
    if args.format == "json":
        sys.stdout.write(decision.to_json() + "\n")
    elif args.format == "notice":
        sys.stdout.write(missing_notice(decision))
    elif args.format == "markdown":
        sys.stdout.write(explain_markdown(decision))
    elif args.format == "html":
        sys.stdout.write(explain_html(decision))
    else:
        sys.stdout.write(explain_text(decision))
    return EXIT_OK


def _decide(engine: Engine, args: argparse.Namespace, trace: bool = True) -> Decision:
    """Decide the case file named by ``--case`` (its envelope may name the policy and date)."""
    facts, envelope = read_case_file(Path(args.case))
    if envelope and envelope.get("policy") not in (None, args.policy_id):
        raise _UsageError(f"{args.case} is a case for {envelope['policy']}, not {args.policy_id}")
    as_of = args.as_of or _envelope_date(envelope) or dt.date.today()
    return engine.evaluate(args.policy_id, facts, as_of=as_of, trace=trace)


def _envelope_date(envelope: dict[str, Any] | None) -> dt.date | None:
    if not envelope or envelope.get("as_of") is None:
        return None
    value = envelope["as_of"]
    if isinstance(value, dt.date):
        return value
    try:
        return _date(str(value))
    except argparse.ArgumentTypeError as error:
        raise _UsageError(f"as_of: {error}") from None


def cmd_deadlines(args: argparse.Namespace) -> int:
    """The case's deadlines as a timeline, earliest first, with the clause for each."""
    engine = _engine(args.policies)
    decision = _decide(engine, args)
    as_of = decision.as_of
    if args.format == "json":
        print(
            json.dumps(
                {
                    "policy": decision.policy_id,
                    "as_of": as_of.isoformat(),
                    "deadlines": deadline_entries(decision),
                    "missing": [m.to_dict() for m in decision.missing],
                    "fingerprint": decision.fingerprint,
                },
                ensure_ascii=False,
                indent=2,
            )
        )
    else:
        sys.stdout.write(deadline_timeline(decision))
    return EXIT_OK


def cmd_review(args: argparse.Namespace) -> int:
    """Two reviewers' facts: agreed, or collective review with the differences side by side."""
    engine = _engine(args.policies)
    first, envelope = read_case_file(Path(args.first))
    second, _ = read_case_file(Path(args.second))
    as_of = args.as_of or _envelope_date(envelope) or dt.date.today()
    review = review_case(engine, args.policy_id, first, second, as_of)
    if args.format == "json":
        print(review.to_json())
        return EXIT_OK
    print(f"REVIEW: {review.status}   {args.policy_id}   as of {as_of.isoformat()}")
    if review.agreed:
        print(f"fingerprints: first {review.first.fingerprint}")
        print(f"              second {review.second.fingerprint}")
        print()
        sys.stdout.write(explain_text(review.first))
        return EXIT_OK
    width = max(len(name) for name in (*review.differing_facts, *review.differing_values))
    for title, table in (
        ("Facts that differ", review.differing_facts),
        ("Results that differ", review.differing_values),
    ):
        if table:
            print(title)
            print(f"  {'':{width}}  {'first reviewer':<24}second reviewer")
            for name, (a, b) in table.items():
                print(f"  {name:{width}}  {_cell(a):<24}{_cell(b)}")
    print(
        "Two reviewers disagree: the case goes to collective review by the whole section "
        "(初审人和复核人审核不一致的，由科室负责人组织集体复核)."
    )
    return EXIT_OK


def _cell(value: Any) -> str:
    shown = to_json_value(value)
    if isinstance(shown, list):
        return "[" + ", ".join(_cell(item) for item in shown) + "]"
    return "—" if shown is None else str(shown).lower() if isinstance(shown, bool) else str(shown)


def cmd_why_not(args: argparse.Namespace) -> int:
    """Why the outcome is not another one, and which single facts would change it."""
    engine = _engine(args.policies)
    decision = _decide(engine, args)
    as_of = decision.as_of
    report = why_not(engine, decision)
    if args.format == "json":
        print(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
        return EXIT_OK
    print(f"OUTCOME: {decision.outcome}   ({decision.policy_id}, as of {as_of.isoformat()})")
    for rule in report.reasons:
        _print_rule(f"  because rule {rule.rule} ({rule.title}) applied", rule)
    if report.blocked:
        print("Why not another outcome")
        for rule in report.blocked:
            why = (
                f"defeated by {rule.defeated_by}"
                if rule.defeated_by
                else {
                    "unknown": "its facts are unknown",
                    "skipped": "required facts are missing",
                }.get(rule.status, "its condition is false")
            )
            _print_rule(
                f"  - {rule.outcome}: rule {rule.rule} ({rule.title}) did not apply: {why}", rule
            )
    if report.changes:
        print("What one changed fact would do")
        for change in report.changes:
            print(
                f"  - {change.fact}: {_cell(change.given)} → {_cell(change.to)} gives "
                f"{change.outcome}"
            )
    elif not report.blocked:
        print("No other outcome is within reach of a single fact.")
    return EXIT_OK


def _print_rule(heading: str, rule: BlockedRule) -> None:
    print(heading)
    print(f"      when {rule.condition}")
    if rule.reads:
        print("      with " + ", ".join(f"{k}={_cell(v)}" for k, v in rule.reads.items()))
    print(f"      clause {', '.join(rule.citations)}")


def cmd_verify(args: argparse.Namespace) -> int:
    """Re-evaluate a saved decision and confirm or refute its fingerprint."""
    engine = _engine(args.policies)
    path = Path(args.decision)
    try:
        saved = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError, UnicodeDecodeError) as error:
        raise _UsageError(f"{path}: cannot read a decision ({error})") from None
    if not isinstance(saved, dict):
        raise _UsageError(f"{path}: a decision is a JSON object")
    result = verify_decision(engine, saved)
    print(("VERIFIED: " if result.verified else "NOT VERIFIED: ") + result.reason)
    if result.fingerprint_saved:
        print(f"  saved     {result.fingerprint_saved}")
        print(f"  now       {result.fingerprint_now}")
    for key, (before, after) in result.differences.items():
        print(f"  {key}:")
        print(f"    saved   {json.dumps(before, ensure_ascii=False)[:300]}")
        print(f"    now     {json.dumps(after, ensure_ascii=False)[:300]}")
    return EXIT_OK if result.verified else EXIT_FAILED


def cmd_schema(args: argparse.Namespace) -> int:
    if args.policy_format or args.source_format:
        schema = file_format_schema("policy" if args.policy_format else "source")
    elif args.policy_id:
        schema = _engine(args.policies).case_model(args.policy_id).model_json_schema()
    else:
        raise _UsageError("name a POLICY_ID, or give --policy-format or --source-format")
    print(json.dumps(schema, ensure_ascii=False, indent=2))
    return EXIT_OK


def cmd_run(args: argparse.Namespace) -> int:
    """Evaluate every example case (files with 'policy', 'as_of' and 'facts')."""
    engine = _engine(args.policies)
    roots = [Path(p) for p in (args.examples or ["examples"])]
    files: list[Path] = []
    for root in roots:
        if root.is_dir():
            files.extend(sorted(p for p in root.rglob("*") if p.suffix in (".json", ".yaml")))
        elif root.is_file():
            files.append(root)
        else:
            raise _UsageError(f"{root}: no such file or directory")
    if not files:
        raise _UsageError("no example cases found")
    for path in files:
        facts, envelope = read_case_file(path)
        if envelope is None:
            raise _UsageError(f"{path}: an example names its 'policy', 'as_of' and 'facts'")
        as_of = _envelope_date(envelope) or dt.date.today()
        decision = engine.evaluate(str(envelope["policy"]), facts, as_of=as_of)
        print(f"━━ {path.as_posix()}")
        if envelope.get("description"):
            print(f"   {envelope['description']}")
        if args.format == "json":
            print(decision.to_json())
        else:
            print(explain_text(decision))
    return EXIT_OK


def cmd_test(args: argparse.Namespace) -> int:
    engine = _engine([args.path] if args.path else args.policies)
    results = run_policy_tests(engine)
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
    for policy in engine.policies():
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


# ------------------------------------------------------------------------------ entry


def _case_command(
    commands: Any, name: str, help_text: str, run: Any, formats: tuple[str, ...]
) -> argparse.ArgumentParser:
    """A sub-command that decides one case: POLICY_ID --case FILE [--as-of] [--format]."""
    command: argparse.ArgumentParser = commands.add_parser(name, help=help_text)
    command.add_argument("policy_id", metavar="POLICY_ID")
    command.add_argument(
        "--case",
        required=True,
        metavar="FILE",
        help="the facts, as a JSON or YAML object (or a policy/as_of/facts envelope)",
    )
    command.add_argument(
        "--as-of",
        type=_date,
        metavar="YYYY-MM-DD",
        help="the date whose law applies (default: the envelope's, or today)",
    )
    command.add_argument(
        "--format",
        choices=formats,
        default=formats[0],
        help="notice: the one-time notice of every missing fact (一次性告知)"
        if "notice" in formats
        else None,
    )
    command.set_defaults(run=run)
    return command


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="govrules",
        description="Chinese labour and social-security regulations as "
        "executable, cited, auditable rules.",
    )
    parser.add_argument(
        "--policies",
        action="append",
        metavar="DIR",
        help="a folder of policies (with a sources/ subfolder); default: the "
        "bundled policies; may be given more than once",
    )
    commands = parser.add_subparsers(dest="command", required=True)

    commands.add_parser("list", help="list the policies").set_defaults(run=cmd_list)

    validate = commands.add_parser("validate", help="check policy folders and their sources")
    validate.add_argument("paths", nargs="*", metavar="PATH")
    validate.set_defaults(run=cmd_validate)

    lint_command = commands.add_parser("lint", help="what loads but is probably wrong")
    lint_command.add_argument("paths", nargs="*", metavar="PATH")
    lint_command.add_argument("-q", "--quiet", action="store_true", help="warnings only")
    lint_command.set_defaults(run=cmd_lint)

    evaluate = _case_command(
        commands,
        "evaluate",
        "decide one case",
        cmd_evaluate,
        ("json", "text", "markdown", "html", "notice"),
    )
    evaluate.add_argument("--no-trace", action="store_true", help="omit the trace")
    _case_command(
        commands, "deadlines", "a case's deadlines as a timeline", cmd_deadlines, ("text", "json")
    )

    review = commands.add_parser("review", help="two independent reviews of one case")
    review.add_argument("policy_id", metavar="POLICY_ID")
    review.add_argument("--first", required=True, metavar="FILE")
    review.add_argument("--second", required=True, metavar="FILE")
    review.add_argument("--as-of", type=_date, metavar="YYYY-MM-DD")
    review.add_argument("--format", choices=("json", "text"), default="text")
    review.set_defaults(run=cmd_review)

    _case_command(
        commands, "why-not", "why the outcome is not another one", cmd_why_not, ("text", "json")
    )

    verify = commands.add_parser("verify", help="re-evaluate a saved decision and check it")
    verify.add_argument("decision", metavar="DECISION.json")
    verify.set_defaults(run=cmd_verify)

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

    run = commands.add_parser("run", help="evaluate the example cases and print the decisions")
    run.add_argument("examples", nargs="*", metavar="PATH")
    run.add_argument("--format", choices=("json", "text"), default="text")
    run.set_defaults(run=cmd_run)

    test = commands.add_parser("test", help="run the tests written next to the policies")
    test.add_argument("path", nargs="?", metavar="PATH")
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
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        return int(args.run(args))
    except PolicyLoadError as error:
        _print_diagnostics(error.diagnostics, sys.stderr)
        return EXIT_FAILED if args.command in ("validate", "test") else EXIT_USAGE
    except CaseError as error:
        print(f"invalid case for {getattr(args, 'policy_id', 'the policy')}:", file=sys.stderr)
        _print_diagnostics(error.diagnostics, sys.stderr)
        return EXIT_USAGE
    except (UnknownPolicyError, _UsageError) as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except EvaluationError as error:
        print(f"evaluation error: {error}", file=sys.stderr)
        return EXIT_FAILED
    except GovrulesError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_FAILED
    except BrokenPipeError:
        return EXIT_OK
    except Exception as error:  # noqa: BLE001 - the contract: internal errors exit 1
        print(f"internal error: {type(error).__name__}: {error}", file=sys.stderr)
        return EXIT_FAILED


if __name__ == "__main__":
    sys.exit(main())
