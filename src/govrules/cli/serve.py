"""The ``govrules serve`` command: the HTTP API (``docs/integrators.md``, "HTTP API") on uvicorn,
and ``govrules serve hash-token`` to make the line a token file holds.

    govrules serve                                      # http://127.0.0.1:8000, no token
    govrules serve --host 0.0.0.0 --port 8080 --tokens tokens.txt --log decisions.sqlite
    govrules serve --cors-origin https://portal.example.gov.cn --workers 4
    govrules serve hash-token --new                     # a new token, and its line for the file
    printf %s "$TOKEN" | govrules serve hash-token      # the line for a token you have

It needs the ``serve`` extra (``pip install 'govrules[serve]'``); without it the command says
so and exits 2.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from types import ModuleType

from govrules.cli.arguments import EXIT_OK, Commands, UsageError, engine_for

__all__ = ["register_serve"]

_EXTRA = ("fastapi", "uvicorn", "prometheus_client", "starlette")
_LOOPBACK = ("127.0.0.1", "::1", "localhost")


def register_serve(commands: Commands) -> None:
    serve = commands.add_parser(
        "serve",
        help="serve the HTTP API (JSON; OpenAPI at /openapi.json)",
        description="Serve the policies as an HTTP API: evaluate, why-not, deadlines, review, "
        "verify, a streaming batch, health, readiness and Prometheus metrics.",
    )
    serve.add_argument(
        "--host",
        default="127.0.0.1",
        help="the address to listen on (default 127.0.0.1: this machine only)",
    )
    serve.add_argument("--port", type=int, default=8000, help="default 8000")
    serve.add_argument(
        "--tokens",
        metavar="FILE",
        help="accept only bearer tokens whose sha256: digest is a line of FILE (made by "
        "'govrules serve hash-token'); /healthz and /readyz stay open",
    )
    serve.add_argument(
        "--cors-origin",
        action="append",
        default=[],
        metavar="URL",
        help="let browser pages of this origin call the API; may be given more than once "
        "(default: no CORS)",
    )
    serve.add_argument(
        "--log",
        metavar="TARGET",
        help="append every decision to this decision log: a SQLite file or a postgresql:// DSN",
    )
    serve.add_argument(
        "--max-body",
        type=int,
        metavar="BYTES",
        help="the largest request body (default 2 MiB; a batch: 64 MiB)",
    )
    serve.add_argument(
        "--timeout",
        type=float,
        metavar="SECONDS",
        help="time to decide one case (default 10; 503 past it)",
    )
    serve.add_argument(
        "--workers", type=int, default=1, metavar="N", help="worker processes (default 1)"
    )
    serve.set_defaults(run=cmd_serve)
    actions = serve.add_subparsers(dest="serve_action", metavar="hash-token")
    hashing = actions.add_parser(
        "hash-token", help="print the line a token file holds for a token read on stdin"
    )
    hashing.add_argument(
        "--new", action="store_true", help="make a new random token: print it, then its line"
    )
    hashing.set_defaults(run=cmd_hash_token)


def _service() -> ModuleType:
    """``govrules.service``, or a usage error naming the extra that installs what it needs."""
    try:
        import govrules.service as service
    except ModuleNotFoundError as error:
        if (error.name or "").partition(".")[0] not in _EXTRA:
            raise
        raise UsageError(
            f"govrules serve needs {error.name}, which is not installed: "
            "pip install 'govrules[serve]'"
        ) from None
    return service


def cmd_hash_token(args: argparse.Namespace) -> int:
    service = _service()
    if args.new:
        token = service.new_token()
    else:
        token = sys.stdin.readline().strip()
        if not token:
            raise UsageError("give the token on standard input, or --new to make one")
    try:
        line = service.hash_token(token)
    except service.TokenFileError as error:
        raise UsageError(str(error)) from None
    if args.new:
        print(token)
    print(line)
    return EXIT_OK


def cmd_serve(args: argparse.Namespace) -> int:
    service = _service()
    try:
        tokens = service.read_token_file(Path(args.tokens)) if args.tokens else frozenset()
    except service.TokenFileError as error:
        raise UsageError(str(error)) from None
    limits = {
        name: value
        for name, value in (("max_body", args.max_body), ("timeout", args.timeout))
        if value is not None
    }
    try:
        settings = service.ServiceSettings(
            host=args.host,
            port=args.port,
            tokens=tokens,
            cors_origins=tuple(args.cors_origin),
            log=args.log,
            workers=args.workers,
            **limits,
        )
    except ValueError as error:
        raise UsageError(str(error)) from None
    if args.log:
        _check_log(args.log)
    if args.host not in _LOOPBACK and not tokens:
        print(
            f"warning: serving on {args.host} without --tokens: anyone who can reach this "
            "port can call the API",
            file=sys.stderr,
        )
    engine = engine_for(args)  # loaded here, so that a bad pack stops before serving
    recipe = service.EngineRecipe(
        tuple(str(Path(p).resolve()) for p in args.policies or ()),
        tuple(str(Path(p).resolve()) for p in args.packs or ()),
    )
    service.serve(engine, settings, recipe)
    return EXIT_OK


def _check_log(target: str) -> None:
    """Open the decision log once before serving: a log that cannot be opened is a usage
    error now, not a failed start of every worker."""
    from govrules.decisionlog import DecisionLogError, open_log

    try:
        open_log(target).close()
    except DecisionLogError as error:
        raise UsageError(f"--log {target}: {error}") from None
