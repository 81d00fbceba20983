"""The ``govrules`` command line: the top-level parser, the sub-commands in the order ``--help``
lists them, and the exit code each kind of error ends with.

    govrules [--version] [--color auto|always|never] [--policies DIR] [--pack PATH] COMMAND
    govrules list [--format text|json|ids]
    govrules validate [PATH ...] [--format text|json]
    govrules lint [PATH ...] [--format text|json]
    govrules evaluate POLICY_ID --case FILE|- [--as-of YYYY-MM-DD] [--format json|text] [--log]
    govrules deadlines POLICY_ID --case FILE|- [--as-of YYYY-MM-DD] [--format text|json]
    govrules review POLICY_ID --first FILE|- --second FILE|- [--as-of YYYY-MM-DD]
    govrules why-not POLICY_ID --case FILE|- [--as-of YYYY-MM-DD] [--format text|json]
    govrules verify DECISION.json|-
    govrules schema POLICY_ID | --policy-format | --source-format
    govrules run [EXAMPLES ...]          evaluate example cases, printing cited decisions
    govrules test [PATH ...]             run the tests written next to the policies
    govrules packs                       the packs loaded: version, origin, digest, signature
    govrules pack seal|sign|verify|keygen
    govrules completion bash|zsh|fish    a shell completion script
    govrules batch POLICY_ID --cases FILE|- [--out FILE|-] [--workers N] [--dask ADDRESS|local]
    govrules serve [--host 127.0.0.1] [--port 8000] [--tokens FILE] [--log TARGET]
    govrules log verify|query|show       the decision log (SQLite file or PostgreSQL DSN)

Exit codes: 0 success (any decision, an incomplete one too); 1 a check failed or an internal
error; 2 bad input, bad arguments, an unknown policy or a decision log that cannot be opened
(the message goes to stderr).

The sub-commands live with their group: ``authoring`` (list, validate, lint, schema),
``checking`` (test, coverage), ``deciding`` (evaluate, deadlines, run) and ``auditing`` (review,
why-not, verify); what they share is in ``arguments``, colour in ``output``. ``-`` for a case
reads standard input; colour goes to a terminal only, never when ``NO_COLOR`` is set.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Callable, Sequence
from typing import Any, NoReturn

from govrules.cli.arguments import (
    EXIT_FAILED,
    EXIT_OK,
    EXIT_USAGE,
    Commands,
    UsageError,
    print_diagnostics,
)
from govrules.cli.output import COLOUR_CHOICES
from govrules.errors import (
    CaseError,
    CaseFileError,
    EvaluationError,
    GovrulesError,
    PolicyLoadError,
    UnknownPolicyError,
)

__all__ = ["main", "version_text"]

# One per sub-command, in the order ``govrules --help`` lists them (the groups interleave): the
# command, the module of ``govrules.cli`` that registers it, and its register function. A
# command line imports the module of its own command only (``--help`` imports them all).
_COMMANDS: tuple[tuple[str, str, str], ...] = (
    ("list", "authoring", "register_list"),
    ("validate", "authoring", "register_validate"),
    ("lint", "authoring", "register_lint"),
    ("evaluate", "deciding", "register_evaluate"),
    ("deadlines", "deciding", "register_deadlines"),
    ("review", "auditing", "register_review"),
    ("why-not", "auditing", "register_why_not"),
    ("verify", "auditing", "register_verify"),
    ("schema", "authoring", "register_schema"),
    ("run", "deciding", "register_run"),
    ("test", "checking", "register_test"),
    ("coverage", "checking", "register_coverage"),
    ("packs", "packs", "register_packs"),
    ("pack", "packs", "register_pack"),
    ("new", "scaffold", "register_new"),
    ("batch", "batch", "register_batch"),
    ("serve", "serve", "register_serve"),
    ("log", "log", "register_log"),
    ("completion", "completion", "register_completion"),
)
# the global options that take a value, as the narrow parse recognises them before a command
_VALUED_OPTIONS = ("--color", "--policies", "--pack")


def _register(name: str) -> Callable[[Commands], None]:
    _, module, function = next(entry for entry in _COMMANDS if entry[0] == name)
    found: Callable[[Commands], None] = getattr(
        importlib.import_module(f"govrules.cli.{module}"), function
    )
    return found


class _Version(argparse.Action):
    """``--version``: what is computed only when asked (the calendar's provenance)."""

    def __init__(self, option_strings: Sequence[str], dest: str, **kwargs: Any) -> None:
        super().__init__(option_strings, dest, nargs=0, **kwargs)

    def __call__(self, parser: argparse.ArgumentParser, *_: Any) -> None:
        print(version_text())
        parser.exit()


def version_text() -> str:
    """``govrules <version>``, then the decision format and the holiday calendar decisions
    record."""
    import importlib.metadata

    import govrules
    from govrules.calendar import WorkingDayCalendar
    from govrules.runtime.decision import FORMAT

    try:
        version = importlib.metadata.version("govrules")
    except importlib.metadata.PackageNotFoundError:  # run from a source tree, not installed
        version = govrules.__version__
    return (
        f"govrules {version}\n"
        f"decision format {FORMAT}\n"
        f"calendar {WorkingDayCalendar.prc().provenance}"
    )


class _NarrowParseError(Exception):
    """The one-command parser met something it does not know: parse with the full one."""


class _Parser(argparse.ArgumentParser):
    """argparse's parser, whose help formatter is given the terminal's width: argparse asks
    ``shutil`` for it (importing shutil, and the compression modules shutil imports, about
    6 ms) each time it makes a formatter, which ``add_argument`` does for every argument."""

    def _get_formatter(self) -> argparse.HelpFormatter:
        formatter: Any = self.formatter_class  # typeshed's protocol omits ``width``
        return formatter(prog=self.prog, width=_help_width())  # type: ignore[no-any-return]


def _help_width() -> int:
    """What argparse computes: ``shutil.get_terminal_size().columns - 2``."""
    try:
        columns = int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns  # type: ignore[union-attr]
        except (AttributeError, ValueError, OSError):
            columns = 0
    return (columns or 80) - 2


class _NarrowParser(_Parser):
    def error(self, message: str) -> NoReturn:
        raise _NarrowParseError(message)


def _parser(only: str | None = None) -> argparse.ArgumentParser:
    """The parser of every command, or (``only``) of one command and the global options, which
    parses that command's arguments alike and imports nothing of the other commands."""
    parser = (_Parser if only is None else _NarrowParser)(
        prog="govrules",
        description="Chinese labour and social-security regulations as "
        "executable, cited, auditable rules.",
    )
    parser.add_argument(
        "--version", action=_Version, help="the version, decision format and holiday calendar"
    )
    parser.add_argument(
        "--color",
        choices=COLOUR_CHOICES,
        default="auto",
        help="colour the output: auto (the default) on a terminal unless NO_COLOR is set",
    )
    parser.add_argument(
        "--policies",
        action="append",
        metavar="DIR",
        help="use only this pack, folder of packs, or folder of policies (with a sources/ "
        "subfolder), and the packs it requires; may be given more than once",
    )
    parser.add_argument(
        "--pack",
        action="append",
        dest="packs",
        metavar="PATH",
        help="add a pack folder to the bundled and installed packs (it takes the place of one "
        "of the same id); may be given more than once",
    )
    commands: Commands = parser.add_subparsers(dest="command", required=True)  # type: ignore[assignment]
    for name, _, _ in _COMMANDS:
        if only is None or name == only:
            _register(name)(commands)
    parser.set_defaults(command_line=parser)  # for the completion script
    return parser


def _command_named(argv: Sequence[str]) -> str | None:
    """The command ``argv`` names after the global options, when they are written plainly
    (``--color never``, ``--pack=PATH``); ``None`` sends anything else to the full parser."""
    index = 0
    while index < len(argv):
        token = argv[index]
        if token in _VALUED_OPTIONS:
            index += 2
            continue
        if token.startswith("-"):
            if token.partition("=")[0] in _VALUED_OPTIONS and "=" in token:
                index += 1
                continue
            return None  # --help, --version, an abbreviation: the full parser's business
        return token if any(token == name for name, _, _ in _COMMANDS) else None
    return None


def _parse(argv: Sequence[str] | None) -> argparse.Namespace:
    arguments = list(sys.argv[1:] if argv is None else argv)
    command = _command_named(arguments)
    # the completion script lists every command, so it is given the full parser
    if command is not None and command != "completion":
        try:
            return _parser(command).parse_args(arguments)
        except _NarrowParseError:
            pass  # the full parser says what is wrong, in its own words and exit code
    return _parser().parse_args(arguments)


def _usage_errors() -> tuple[type[BaseException], ...]:
    """The errors that exit 2 with their message; a decision log's, only when a command has
    used one (its module is not imported otherwise, so its error cannot have been raised)."""
    errors: tuple[type[BaseException], ...] = (UnknownPolicyError, CaseFileError, UsageError)
    log = sys.modules.get("govrules.decisionlog")
    if log is not None:
        errors += (log.LogUnavailableError,)
    return errors


def main(argv: Sequence[str] | None = None) -> int:
    args = _parse(argv)
    try:
        return int(args.run(args))
    except PolicyLoadError as error:
        print_diagnostics(error.diagnostics, sys.stderr)
        return EXIT_FAILED if args.command in ("validate", "test") else EXIT_USAGE
    except CaseError as error:
        print(f"invalid case for {getattr(args, 'policy_id', 'the policy')}:", file=sys.stderr)
        print_diagnostics(error.diagnostics, sys.stderr)
        return EXIT_USAGE
    except _usage_errors() as error:
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
