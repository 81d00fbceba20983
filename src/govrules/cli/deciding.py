"""The sub-commands that decide cases and print the decisions: evaluate, deadlines, run.

    govrules evaluate POLICY_ID --case FILE|- [--as-of YYYY-MM-DD] [--format json|text|...]
                      [--log [TARGET]]
    govrules deadlines POLICY_ID --case FILE|- [--as-of YYYY-MM-DD] [--format text|json]
    govrules run [EXAMPLES ...] [--format text|json]

Any decision exits 0, an incomplete one too: the facts still missing are part of the answer.
``evaluate --log`` appends the decision to a decision log (a SQLite file or a PostgreSQL DSN;
``--log`` alone: ``GOVRULES_LOG``, else ``govrules-decisions.sqlite``, as ``govrules log``
reads) before printing it. ``run --format json``
prints JSON lines, one ``{"example", "description", "decision"}`` object per example.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from govrules.cli.arguments import (
    EXIT_OK,
    Commands,
    UsageError,
    add_case_command,
    decide_case,
    engine_for,
    envelope_date,
    remember_calendar,
)
from govrules.engine import today
from govrules.runtime.case_files import read_case_file
from govrules.runtime.decision import Decision

# The renderers and the decision log are imported by the commands that use them: a decision
# printed as JSON needs neither (each takes tens of milliseconds to import).

__all__ = ["register_deadlines", "register_evaluate", "register_run"]


def register_evaluate(commands: Commands) -> None:
    evaluate = add_case_command(
        commands,
        "evaluate",
        "decide one case",
        cmd_evaluate,
        ("json", "text", "markdown", "html", "notice"),
    )
    evaluate.add_argument("--no-trace", action="store_true", help="omit the trace")
    evaluate.add_argument(
        "--log",
        nargs="?",
        const="",
        metavar="TARGET",
        help="append the decision to a decision log: a SQLite file or a postgresql:// DSN "
        f"(--log alone: GOVRULES_LOG, else {_DEFAULT_LOG})",
    )


# the decision log's default file, as ``govrules.decisionlog.DEFAULT_LOG`` names it (a test
# keeps the two equal): written here so that ``evaluate`` without ``--log`` does not import it
_DEFAULT_LOG = "govrules-decisions.sqlite"


def cmd_evaluate(args: argparse.Namespace) -> int:
    # only the policy asked about, and what it needs, is loaded (not every bundled pack)
    engine = engine_for(args, args.policy_id)
    decision = decide_case(engine, args, trace=not args.no_trace)
    remember_calendar(args, engine)
    if args.log is not None:
        _append_to_log(decision, args.log)
    if args.format == "json":
        sys.stdout.write(decision.to_json() + "\n")
    elif args.format == "notice":
        from govrules.explain import missing_notice

        sys.stdout.write(missing_notice(decision))
    elif args.format == "markdown":
        from govrules.explain import explain_markdown

        sys.stdout.write(explain_markdown(decision))
    elif args.format == "html":
        from govrules.explain import explain_html

        sys.stdout.write(explain_html(decision))
    else:
        from govrules.explain import explain_text

        sys.stdout.write(explain_text(decision))
    return EXIT_OK


def _append_to_log(decision: Decision, target: str) -> None:
    """Append ``decision`` to the log ``target`` names (``--log`` alone: the one ``govrules log``
    reads by default); the record's id and hash go to stderr, never the target (a DSN may hold
    a password)."""
    from govrules.decisionlog import DEFAULT_LOG, LogUnavailableError, open_log

    target = target or os.environ.get("GOVRULES_LOG") or DEFAULT_LOG
    try:
        log = open_log(target)
    except LogUnavailableError as error:
        raise UsageError(f"--log: {error}") from None
    with log:
        record = log.append(decision, origin="cli")
    print(f"logged: record {record.id}, {record.hash}", file=sys.stderr)


def register_deadlines(commands: Commands) -> None:
    add_case_command(
        commands, "deadlines", "a case's deadlines as a timeline", cmd_deadlines, ("text", "json")
    )


def cmd_deadlines(args: argparse.Namespace) -> int:
    """The case's deadlines as a timeline, earliest first, with the clause for each."""
    from govrules.explain import deadline_entries, deadline_timeline

    engine = engine_for(args, args.policy_id)
    decision = decide_case(engine, args)
    remember_calendar(args, engine)
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


def register_run(commands: Commands) -> None:
    run = commands.add_parser("run", help="evaluate the example cases and print the decisions")
    run.add_argument("examples", nargs="*", metavar="PATH")
    run.add_argument("--format", choices=("json", "text"), default="text")
    run.set_defaults(run=cmd_run)


def cmd_run(args: argparse.Namespace) -> int:
    """Evaluate every example case (files with 'policy', 'as_of' and 'facts')."""
    from govrules.explain import explain_text
    from govrules.explain.quoting import visible

    engine = engine_for(args)
    roots = [Path(p) for p in (args.examples or ["examples"])]
    files: list[Path] = []
    for root in roots:
        if root.is_dir():
            files.extend(sorted(p for p in root.rglob("*") if p.suffix in (".json", ".yaml")))
        elif root.is_file():
            files.append(root)
        else:
            raise UsageError(f"{root}: no such file or directory")
    if not files:
        raise UsageError("no example cases found")
    for path in files:
        facts, envelope = read_case_file(path)
        if envelope is None:
            raise UsageError(f"{path}: an example names its 'policy', 'as_of' and 'facts'")
        as_of = envelope_date(envelope) or today()
        decision = engine.evaluate(str(envelope["policy"]), facts, as_of=as_of)
        if args.format == "json":  # JSON lines: nothing but one object per example
            described = envelope.get("description")
            line = {
                "example": path.as_posix(),
                "description": None if described is None else " ".join(str(described).split()),
                "decision": decision.to_dict(),
            }
            print(json.dumps(line, ensure_ascii=False))
            continue
        print(f"━━ {visible(path.as_posix())}")
        if envelope.get("description"):
            print(f"   {visible(' '.join(str(envelope['description']).split()))}")
        print(explain_text(decision))
    return EXIT_OK
