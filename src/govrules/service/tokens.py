"""Bearer tokens: the file of their hashes a service reads, and the check of one presented.

The service never holds a token itself, only its SHA-256 digest, one per line of a file that
may hold comments; a token presented is hashed and compared with every digest in constant time.

    # tokens.txt -- the payroll system, the bureau's portal
    sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08

    digests = read_token_file(Path("tokens.txt"))
    token_accepted("Bearer " + token, digests)     # True for a listed token

A token is a random secret (``new_token()`` makes one of 256 bits), so one round of SHA-256 is
enough: there is no password to guess from its digest.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from pathlib import Path

from govrules.errors import GovrulesError

__all__ = [
    "MIN_TOKEN_LENGTH",
    "TokenFileError",
    "hash_token",
    "new_token",
    "read_token_file",
    "token_accepted",
]

# Shorter secrets are guessable; ``new_token()`` gives 43 characters.
MIN_TOKEN_LENGTH = 16

_DIGEST = re.compile(r"sha256:[0-9a-f]{64}")
_TOKEN = re.compile(r"[A-Za-z0-9._~+/=-]+")  # RFC 6750's token68 characters


class TokenFileError(GovrulesError):
    """A token file that cannot be read, or a line in it that is not a token digest."""


def new_token() -> str:
    """A new random bearer token (URL-safe, 256 bits)."""
    return secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    """The line a token file holds for ``token``: ``sha256:`` and the hex digest."""
    if len(token) < MIN_TOKEN_LENGTH:
        raise TokenFileError(
            f"a token of {len(token)} characters is too easy to guess; use at least "
            f"{MIN_TOKEN_LENGTH} (new_token() makes one)"
        )
    if not _TOKEN.fullmatch(token):
        raise TokenFileError(
            "a bearer token is written with letters, digits and - . _ ~ + / = only (RFC 6750)"
        )
    return "sha256:" + hashlib.sha256(token.encode("ascii")).hexdigest()


def read_token_file(path: Path) -> frozenset[str]:
    """The digests in a token file: one ``sha256:<hex>`` per line; blank lines and lines
    starting with ``#`` are skipped, anything else is refused with its line number."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise TokenFileError(f"{path}: cannot be read ({error})") from None
    digests = set()
    for number, line in enumerate(text.splitlines(), 1):
        entry = line.strip()
        if not entry or entry.startswith("#"):
            continue
        if not _DIGEST.fullmatch(entry):
            raise TokenFileError(
                f"{path}:{number}: expected sha256: and 64 lowercase hex digits (made by "
                "'govrules serve hash-token'), not a token itself or anything else"
            )
        digests.add(entry)
    if not digests:
        raise TokenFileError(f"{path}: holds no token digest, so no client could call")
    return frozenset(digests)


def token_accepted(authorization: str | None, digests: frozenset[str]) -> bool:
    """Whether an ``Authorization`` header carries a bearer token whose digest is listed.
    Every digest is compared, in constant time, whichever matches."""
    if authorization is None:
        return False
    scheme, _, token = authorization.strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not _TOKEN.fullmatch(token):
        return False
    presented = ("sha256:" + hashlib.sha256(token.encode("ascii")).hexdigest()).encode("ascii")
    found = False
    for digest in digests:
        found |= hmac.compare_digest(presented, digest.encode("ascii"))
    return found
