"""What the sub-commands share: exit codes, the usage error, dates as arguments, the engine
``--policies`` and ``--pack`` options, and the case ``POLICY_ID --case FILE|- [--as-of]`` names
(``-``: the case is read from standard input).

    add_case_command(commands, "why-not", "why the outcome is not another one", cmd_why_not,
                     ("text", "json"))
    decision = decide_case(engine_for(args), args)
    print_json({"ok": True, "problems": problems_json(diagnostics)})   # --format json
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO, TypeAlias

from govrules.engine import Engine, today
from govrules.errors import Diagnostic
from govrules.runtime.case_files import read_case, shown_source
from govrules.runtime.decision import Decision
from govrules.runtime.limits import EARLIEST_DATE, LATEST_DATE

if TYPE_CHECKING:
    from govrules.compiler.loading import Workspace

__all__ = [
    "EXIT_FAILED",
    "EXIT_OK",
    "EXIT_USAGE",
    "Commands",
    "UsageError",
    "add_case_command",
    "add_format_option",
    "date_argument",
    "decide_case",
    "engine_for",
    "envelope_date",
    "print_diagnostics",
    "print_json",
    "problems_json",
    "remember_calendar",
    "workspace_for",
]

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
# the commands that decide for as long as they run, on the engine they load once
_LONG_RUNNING = ("serve", "batch")

# What ``add_subparsers()`` returns; argparse names its type only privately.
Commands: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"


class UsageError(Exception):
    """Bad arguments or an unreadable input file: exit 2 with the message on stderr."""


_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def date_argument(text: str) -> dt.date:
    """A date written ``YYYY-MM-DD`` within the calendar's range, for ``--as-of`` and an
    envelope's ``as_of`` (not an ISO week date such as ``2026-W47-6``, nor other digits)."""
    shown = repr(text[:40]) if len(text) <= 40 else repr(text[:40] + "...")
    try:
        if not _DATE.fullmatch(text):
            raise ValueError
        day = dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{shown} is not a date written YYYY-MM-DD") from None
    return _in_range(day)


def _in_range(day: dt.date) -> dt.date:
    if not EARLIEST_DATE <= day <= LATEST_DATE:
        raise argparse.ArgumentTypeError(
            f"{day} is outside {EARLIEST_DATE} to {LATEST_DATE}, the range of the working-day "
            "calendar"
        )
    return day


def engine_for(args: argparse.Namespace, policy_id: str | None = None) -> Engine:
    """The engine the global options ask for: the ``--policies`` folders alone (with the packs
    they require), or the bundled and installed packs with the ``--pack`` folders.

    ``policy_id``: a command about that policy alone, which loads only what it needs, and
    takes the calendar years earlier commands built from the cache (``remember_calendar``)."""
    folders = getattr(args, "policies", None)
    packs = getattr(args, "packs", None) or []
    if policy_id is None:
        engine = Engine.from_directory(*folders, *packs) if folders else Engine.default(*packs)
    else:
        from govrules.compiler.cache import PolicyCache

        cache = PolicyCache.default()
        calendar = cache.calendar() if cache is not None else None
        args.policy_cache = cache
        engine = Engine.for_policy(policy_id, *packs, folders=folders or (), calendar=calendar)
    if getattr(args, "command", None) in _LONG_RUNNING:
        # what is loaded lives as long as the process: the collector need not walk it again
        # (a tenth off each decision a batch keeps), and forked workers share its pages
        gc.collect()
        gc.freeze()
    return engine


def remember_calendar(args: argparse.Namespace, engine: Engine) -> None:
    """Keep the calendar years the command built in the cache ``engine_for`` used, so that
    the next command answers for them without the ``holidays`` package."""
    cache = getattr(args, "policy_cache", None)
    if cache is not None:
        cache.keep_calendar(engine.calendar)


def workspace_for(args: argparse.Namespace, paths: list[str] | None) -> Workspace:
    """The packs the paths name (default: ``--policies``, else the bundled packs), with the
    packs they require; ``selected`` holds the policies under the paths."""
    # the loader is imported by the commands that load a workspace (a warm evaluate does not)
    from govrules.compiler.loading import load_workspace
    from govrules.packs.bundled import bundled_policy_directory

    chosen = paths or getattr(args, "policies", None) or [str(bundled_policy_directory())]
    return load_workspace([Path(p) for p in chosen], Path.cwd())


def add_format_option(command: argparse.ArgumentParser) -> None:
    """``--format text|json`` for a command that checks something."""
    command.add_argument(
        "--format",
        choices=("text", "json"),
        default="text",
        help="json: one JSON document on stdout, nothing else",
    )


def add_case_command(
    commands: Commands,
    name: str,
    help_text: str,
    run: Callable[[argparse.Namespace], int],
    formats: tuple[str, ...],
) -> argparse.ArgumentParser:
    """A sub-command that decides one case: POLICY_ID --case FILE|- [--as-of] [--format]."""
    command = commands.add_parser(name, help=help_text)
    command.add_argument("policy_id", metavar="POLICY_ID")
    command.add_argument(
        "--case",
        required=True,
        metavar="FILE",
        help="the facts, as a JSON or YAML object (or a policy/as_of/facts envelope); "
        "- reads them from standard input",
    )
    command.add_argument(
        "--as-of",
        type=date_argument,
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


def decide_case(engine: Engine, args: argparse.Namespace, trace: bool = True) -> Decision:
    """Decide the case named by ``--case``, a file or ``-`` for standard input (its envelope
    may name the policy and the date)."""
    facts, envelope = read_case(args.case)
    if envelope and envelope.get("policy") not in (None, args.policy_id):
        raise UsageError(
            f"{shown_source(args.case)} is a case for {envelope['policy']!r}, not {args.policy_id}"
        )
    as_of = args.as_of or envelope_date(envelope) or today()
    return engine.evaluate(args.policy_id, facts, as_of=as_of, trace=trace)


def envelope_date(envelope: dict[str, Any] | None) -> dt.date | None:
    """The ``as_of`` an envelope names, if it names one."""
    if not envelope or envelope.get("as_of") is None:
        return None
    value = envelope["as_of"]
    try:
        if isinstance(value, dt.datetime):
            raise argparse.ArgumentTypeError(f"{value} is not a date without a time of day")
        if isinstance(value, dt.date):
            return _in_range(value)
        if not isinstance(value, str):
            raise argparse.ArgumentTypeError(f"a {type(value).__name__} is not a date YYYY-MM-DD")
        return date_argument(value)
    except argparse.ArgumentTypeError as error:
        raise UsageError(f"as_of: {error}") from None


def print_diagnostics(diagnostics: Sequence[Diagnostic], stream: TextIO) -> None:
    for diagnostic in diagnostics:
        print(str(diagnostic), file=stream)


def print_json(document: Any) -> None:
    """One JSON document on stdout, as every ``--format json`` prints it."""
    print(json.dumps(document, ensure_ascii=False, indent=2))


def problems_json(diagnostics: Sequence[Diagnostic]) -> list[dict[str, object]]:
    """Diagnostics as JSON: code, message, file, line, column, hint."""
    return [diagnostic.to_dict() for diagnostic in diagnostics]
