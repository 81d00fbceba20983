"""The ``govrules log`` commands: check, search and read a decision log.

    govrules log verify [--log TARGET] [--anchor HASH] [--format text|json]
    govrules log query [--log TARGET] [--policy ID] [--outcome O] [--since WHEN] [--until WHEN]
                       [--fact NAME=VALUE ...] [--limit N]
    govrules log show ID [--log TARGET]

TARGET is a SQLite file or a ``postgresql://`` DSN; by default the ``GOVRULES_LOG`` environment
variable, else ``govrules-decisions.sqlite`` in the current folder. ``verify`` exits 0 when the
chain is intact and 1 at its first broken record; a missing log or bad arguments exit 2.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Iterator
from itertools import islice
from typing import Any

from govrules.cli.arguments import EXIT_FAILED, EXIT_OK, Commands, UsageError
from govrules.decisionlog import (
    DEFAULT_LOG,
    DecisionLog,
    DecisionLogError,
    LogUnavailableError,
    open_log,
)

__all__ = ["DEFAULT_QUERY_LIMIT", "log_target", "register_log"]

# How many records ``log query`` prints unless told otherwise (``--limit 0``: all of them).
DEFAULT_QUERY_LIMIT = 1000
_TARGET_HELP = (
    "the decision log: a SQLite file or a postgresql:// DSN (default: the GOVRULES_LOG "
    f"environment variable, else {DEFAULT_LOG} in the current folder)"
)


def log_target(args: argparse.Namespace) -> str:
    """The log named by ``--log``, else by ``GOVRULES_LOG``, else the default file."""
    return str(getattr(args, "log", None) or os.environ.get("GOVRULES_LOG") or DEFAULT_LOG)


def register_log(commands: Commands) -> None:
    log = commands.add_parser(
        "log",
        help="check, search and read a decision log",
        description="Check, search and read a decision log: a SQLite file or a postgresql:// "
        f"DSN, given by --log after the command (default: the GOVRULES_LOG environment "
        f"variable, else {DEFAULT_LOG} in the current folder).",
    )
    actions = log.add_subparsers(dest="log_command", required=True, metavar="verify|query|show")
    target = argparse.ArgumentParser(add_help=False)
    target.add_argument("--log", metavar="TARGET", help=_TARGET_HELP)

    verify = actions.add_parser(
        "verify",
        parents=[target],
        help="walk the hash chain; name the first broken record",
        description="Walk the log's hash chain from the first record: exit 0 when it is intact "
        "(with the count and the hash of the last record), 1 at the first broken record (with "
        "its id and why).",
    )
    verify.add_argument(
        "--anchor",
        metavar="HASH",
        help="a record hash kept elsewhere (an earlier head): the chain must still hold it",
    )
    verify.add_argument("--format", choices=("text", "json"), default="text")
    verify.set_defaults(run=cmd_log_verify)

    query = actions.add_parser(
        "query",
        parents=[target],
        help="print the matching records as JSON lines",
        description="Print the records that match every condition given, oldest first, one "
        "JSON object a line (the decision embedded).",
    )
    query.add_argument("--policy", metavar="ID")
    query.add_argument("--outcome")
    for bound, meaning in (("since", "from"), ("until", "to")):
        query.add_argument(
            f"--{bound}",
            metavar="WHEN",
            help=f"recorded {meaning} this day (YYYY-MM-DD, a day in Beijing) or instant "
            "(YYYY-MM-DDTHH:MM:SS with its offset, such as +08:00 or Z), included",
        )
    query.add_argument(
        "--fact",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a fact as the decision's JSON writes it (contract_price=1000000, "
        "first_deposit=true, start=2026-01-01); may be given more than once",
    )
    query.add_argument(
        "--limit",
        type=_count,
        default=DEFAULT_QUERY_LIMIT,
        metavar="N",
        help=f"print at most N records (default {DEFAULT_QUERY_LIMIT}; 0 for all)",
    )
    query.set_defaults(run=cmd_log_query)

    show = actions.add_parser(
        "show", parents=[target], help="print one record as JSON", description="Print a record."
    )
    show.add_argument("record_id", type=_record_id, metavar="ID")
    show.set_defaults(run=cmd_log_show)


def _count(text: str) -> int:
    if not text.isascii() or not text.isdigit():
        raise argparse.ArgumentTypeError(f"{text[:40]!r} is not a count (0, 1, 2, ...)")
    return int(text)


def _record_id(text: str) -> int:
    if not text.isascii() or not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text[:40]!r} is not a record id (1, 2, 3, ...)")
    return int(text)


def _open(args: argparse.Namespace) -> DecisionLog:
    try:
        return open_log(log_target(args), create=False)
    except LogUnavailableError as error:
        raise UsageError(str(error)) from None


def cmd_log_verify(args: argparse.Namespace) -> int:
    with _open(args) as log:
        report = log.verify(anchor=args.anchor)
    if args.format == "json":
        print(json.dumps(report.to_dict(), ensure_ascii=False))
    elif report.first_break is None:
        print(f"intact: {_records(report.count)} in {log.shown}; head {report.head_hash}")
    else:
        print(f"BROKEN: {log.shown}: {report.first_break}")
        print(f"  the {_records(report.count)} before it hold; their head {report.head_hash}")
    return EXIT_OK if report.intact else EXIT_FAILED


def _records(count: int) -> str:
    return f"{count} record" if count == 1 else f"{count} records"


def cmd_log_query(args: argparse.Namespace) -> int:
    facts = {}
    for given in args.fact:
        name, equals, value = given.partition("=")
        if not name or not equals:
            raise UsageError(f"--fact {given[:60]!r}: expected NAME=VALUE")
        facts[name] = value
    limit = args.limit or None
    with _open(args) as log:
        try:
            records = log.query(
                policy=args.policy,
                outcome=args.outcome,
                since=args.since,
                until=args.until,
                facts=facts,
                limit=None if limit is None else limit + 1,
            )
        except DecisionLogError as error:
            raise UsageError(str(error)) from None
        printed = _print_lines(islice(records, limit))
        if limit is not None and printed == limit and next(records, None) is not None:
            print(f"more records match: only the first {limit} printed (--limit)", file=sys.stderr)
    return EXIT_OK


def _print_lines(records: Iterator[dict[str, Any]]) -> int:
    count = 0
    for record in records:
        sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")
        count += 1
    return count


def cmd_log_show(args: argparse.Namespace) -> int:
    with _open(args) as log:
        record = log.show(args.record_id)
        if record is None:
            raise UsageError(f"no record {args.record_id} in {log.shown}")
    print(json.dumps(record, ensure_ascii=False, indent=2))
    return EXIT_OK
