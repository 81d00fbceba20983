"""How a service runs: where it listens, who may call it, where its decisions are logged, and
the limits on each request.

    settings = ServiceSettings(port=8080, tokens=read_token_file(Path("tokens.txt")),
                               timeout=5.0, log="decisions.sqlite")
    app = create_app(Engine.default(), settings)

Every limit has a default here, chosen for one case per request; ``docs/limits.md`` ("The HTTP
service") explains each one.
"""

from __future__ import annotations

from dataclasses import field

from govrules.records import record
from govrules.runtime.limits import MAX_CASE_FILE_BYTES

__all__ = [
    "BODY_TIMEOUT",
    "DEFAULT_HOST",
    "DEFAULT_PORT",
    "DEFAULT_TIMEOUT",
    "MAX_BATCH_BYTES",
    "MAX_BATCH_LINES",
    "MAX_BODY_BYTES",
    "ServiceSettings",
]

# Loopback only: a service reachable from other machines is a choice made with ``--host``.
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000

# The body of one request (a case, two reviewers' cases, a saved decision): as a case file.
MAX_BODY_BYTES = MAX_CASE_FILE_BYTES

# A batch: its whole body is read before the first case is decided (a client that sends its
# lines and only then reads the answers cannot deadlock), so it is bounded, in bytes and lines.
MAX_BATCH_BYTES = 64 * 1024 * 1024
MAX_BATCH_LINES = 100_000

# Seconds to decide one case (or a review's two, or one turn of a batch's rows): a decision
# takes milliseconds, so one past this is a sign of trouble, answered 503.
DEFAULT_TIMEOUT = 10.0

# Seconds for a client to send a request's body (408 past it; ten times as long for a batch):
# a client that sends a byte a minute must not hold a connection for ever.
BODY_TIMEOUT = 30.0


@record(slots=False)
class ServiceSettings:
    """What ``create_app`` and ``govrules serve`` need beyond the engine.

    ``tokens``: the ``sha256:<hex>`` digests of the bearer tokens accepted (``tokens.py``);
    empty, no authentication. ``cors_origins``: the origins a browser may call from; empty, no
    CORS headers at all. ``log``: the decision log every decision is appended to (a SQLite
    file or a ``postgresql://`` DSN), or ``None``.
    """

    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    tokens: frozenset[str] = field(default_factory=frozenset)
    cors_origins: tuple[str, ...] = ()
    log: str | None = None
    max_body: int = MAX_BODY_BYTES
    max_batch_bytes: int = MAX_BATCH_BYTES
    max_batch_lines: int = MAX_BATCH_LINES
    timeout: float = DEFAULT_TIMEOUT
    body_timeout: float = BODY_TIMEOUT
    workers: int = 1

    def __post_init__(self) -> None:
        if not 0 <= self.port <= 65535:
            raise ValueError(f"port {self.port} is not between 0 and 65535")
        if self.max_body < 1 or self.max_batch_bytes < 1 or self.max_batch_lines < 1:
            raise ValueError("the body and batch limits are at least 1")
        if not (self.timeout > 0 and self.body_timeout > 0):
            raise ValueError(f"a time limit must be more than 0 seconds, not {self.timeout}")
        if self.workers < 1:
            raise ValueError(f"workers must be at least 1, not {self.workers}")
