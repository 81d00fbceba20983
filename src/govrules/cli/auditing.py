"""The sub-commands an auditor uses to check a decision: review, why-not, verify.

    govrules review POLICY_ID --first FILE --second FILE [--as-of YYYY-MM-DD] [--format text|json]
    govrules why-not POLICY_ID --case FILE|- [--as-of YYYY-MM-DD] [--format text|json]
    govrules verify DECISION.json|-

review and why-not print text for people, or JSON with ``--format json``; verify exits 1 when a
saved decision no longer holds. ``-`` reads standard input: one of review's two cases, the case
of why-not, the decision verify checks.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from govrules.audit.review import review_case
from govrules.audit.verify import DecisionFormatError, read_decision, verify_decision
from govrules.audit.whynot import BlockedRule, why_not
from govrules.cli.arguments import (
    EXIT_FAILED,
    EXIT_OK,
    Commands,
    UsageError,
    add_case_command,
    date_argument,
    decide_case,
    engine_for,
    envelope_date,
)
from govrules.cli.output import colour_for, paint
from govrules.engine import today
from govrules.explain import explain_text
from govrules.explain.quoting import visible
from govrules.explain.shown import show_value
from govrules.runtime.case_files import STANDARD_INPUT, read_case
from govrules.values import to_json_value

__all__ = ["register_review", "register_verify", "register_why_not"]


def register_review(commands: Commands) -> None:
    review = commands.add_parser("review", help="two independent reviews of one case")
    review.add_argument("policy_id", metavar="POLICY_ID")
    review.add_argument(
        "--first", required=True, metavar="FILE", help="the first reviewer's case (- : stdin)"
    )
    review.add_argument(
        "--second", required=True, metavar="FILE", help="the second reviewer's case (- : stdin)"
    )
    review.add_argument("--as-of", type=date_argument, metavar="YYYY-MM-DD")
    review.add_argument("--format", choices=("json", "text"), default="text")
    review.set_defaults(run=cmd_review)


def cmd_review(args: argparse.Namespace) -> int:
    """Two reviewers' facts: agreed, or collective review with the differences side by side."""
    if args.first == args.second == STANDARD_INPUT:
        raise UsageError("only one of --first and --second can be read from standard input (-)")
    engine = engine_for(args)
    first, envelope = read_case(args.first)
    second, _ = read_case(args.second)
    as_of = args.as_of or envelope_date(envelope) or today()
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
    """A fact or value as the explanations show it, its control characters made visible."""
    return visible(show_value(to_json_value(value)))


def register_why_not(commands: Commands) -> None:
    add_case_command(
        commands, "why-not", "why the outcome is not another one", cmd_why_not, ("text", "json")
    )


def cmd_why_not(args: argparse.Namespace) -> int:
    """Why the outcome is not another one, and which single facts would change it."""
    engine = engine_for(args)
    decision = decide_case(engine, args)
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


def register_verify(commands: Commands) -> None:
    verify = commands.add_parser("verify", help="re-evaluate a saved decision and check it")
    verify.add_argument(
        "decision", metavar="DECISION.json", help="a saved decision (- : standard input)"
    )
    verify.set_defaults(run=cmd_verify)


def cmd_verify(args: argparse.Namespace) -> int:
    """Re-evaluate a saved decision and confirm or refute its fingerprint."""
    from_stdin = args.decision == STANDARD_INPUT
    shown = "<stdin>" if from_stdin else args.decision
    try:
        # bytes, decoded as UTF-8 whatever the locale says standard input holds
        raw = sys.stdin.buffer.read() if from_stdin else Path(args.decision).read_bytes()
        saved = read_decision(raw.decode("utf-8"))
    except (OSError, UnicodeDecodeError, DecisionFormatError) as error:
        raise UsageError(f"{shown}: cannot read a decision ({error})") from None
    engine = engine_for(args)
    result = verify_decision(engine, saved)
    # what verify prints comes partly from the saved document: shown, never obeyed
    verdict = paint(
        "VERIFIED:" if result.verified else "NOT VERIFIED:",
        "ok" if result.verified else "failed",
        colour_for(args, sys.stdout),
    )
    print(f"{verdict} {visible(result.reason)}")
    if result.changed:
        print(f"  changed   the {result.changed}")
    if result.fingerprint_saved:
        print(f"  saved     {result.fingerprint_saved}")
        print(f"  now       {result.fingerprint_now}")
    for difference in result.differences:
        print(f"  {visible(str(difference))}")
    if result.more_differences:
        print(f"  … and {result.more_differences} more difference(s)")
    return EXIT_OK if result.verified else EXIT_FAILED
