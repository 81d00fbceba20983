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
import importlib.metadata
import sys
from collections.abc import Callable, Sequence
from typing import Any

import govrules
from govrules.calendar import WorkingDayCalendar
from govrules.cli import (
    auditing,
    authoring,
    batch,
    checking,
    completion,
    deciding,
    packs,
    scaffold,
    serve,
)
from govrules.cli import log as decision_log
from govrules.cli.arguments import (
    EXIT_FAILED,
    EXIT_OK,
    EXIT_USAGE,
    Commands,
    UsageError,
    print_diagnostics,
)
from govrules.cli.output import COLOUR_CHOICES
from govrules.decisionlog import LogUnavailableError
from govrules.errors import (
    CaseError,
    CaseFileError,
    EvaluationError,
    GovrulesError,
    PolicyLoadError,
    UnknownPolicyError,
)
from govrules.runtime.decision import FORMAT

__all__ = ["main", "version_text"]

# One per sub-command, in the order ``govrules --help`` lists them (the groups interleave).
_SUB_COMMANDS: tuple[Callable[[Commands], None], ...] = (
    authoring.register_list,
    authoring.register_validate,
    authoring.register_lint,
    deciding.register_evaluate,
    deciding.register_deadlines,
    auditing.register_review,
    auditing.register_why_not,
    auditing.register_verify,
    authoring.register_schema,
    deciding.register_run,
    checking.register_test,
    checking.register_coverage,
    packs.register_packs,
    packs.register_pack,
    scaffold.register_new,
    batch.register_batch,
    serve.register_serve,
    decision_log.register_log,
    completion.register_completion,
)


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
    try:
        version = importlib.metadata.version("govrules")
    except importlib.metadata.PackageNotFoundError:  # run from a source tree, not installed
        version = govrules.__version__
    return (
        f"govrules {version}\n"
        f"decision format {FORMAT}\n"
        f"calendar {WorkingDayCalendar.prc().provenance}"
    )


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
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
    commands = parser.add_subparsers(dest="command", required=True)
    for register in _SUB_COMMANDS:
        register(commands)
    parser.set_defaults(command_line=parser)  # for the completion script
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        return int(args.run(args))
    except PolicyLoadError as error:
        print_diagnostics(error.diagnostics, sys.stderr)
        return EXIT_FAILED if args.command in ("validate", "test") else EXIT_USAGE
    except CaseError as error:
        print(f"invalid case for {getattr(args, 'policy_id', 'the policy')}:", file=sys.stderr)
        print_diagnostics(error.diagnostics, sys.stderr)
        return EXIT_USAGE
    except (UnknownPolicyError, CaseFileError, UsageError, LogUnavailableError) as error:
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
