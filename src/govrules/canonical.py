"""Canonical JSON (RFC 8785, the JSON Canonicalization Scheme) and the digests built on it.

A decision's fingerprint and its trace digest are sha256 over the JCS form of plain JSON
values: objects with their members sorted by the UTF-16 code units of their names, no white
space, strings with only the escapes JCS requires, and numbers as integers (decimals are always
exact strings in govrules, never JSON numbers). Anyone can recompute them outside Python with
any RFC 8785 implementation (``docs/auditors.md`` gives the recipe).

    jcs({"b": [1, "x"], "a": None})    # b'{"a":null,"b":[1,"x"]}'
    digest([{"event": "rule"}])        # 'sha256:…'
"""

from __future__ import annotations

import hashlib
from typing import Any

__all__ = ["MAX_SAFE_INTEGER", "digest", "jcs"]

# the largest integer an IEEE double holds exactly: JCS writes numbers as ES6 does
MAX_SAFE_INTEGER = 2**53 - 1
_ESCAPES = {
    '"': '\\"',
    "\\": "\\\\",
    "\b": "\\b",
    "\f": "\\f",
    "\n": "\\n",
    "\r": "\\r",
    "\t": "\\t",
}


def _string(text: str) -> str:
    out = ['"']
    for char in text:
        escaped = _ESCAPES.get(char)
        if escaped is not None:
            out.append(escaped)
        elif char < " ":
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(char)
    out.append('"')
    return "".join(out)


def _write(value: Any, out: list[str]) -> None:
    if value is None:
        out.append("null")
    elif value is True:
        out.append("true")
    elif value is False:
        out.append("false")
    elif type(value) is int:
        if abs(value) > MAX_SAFE_INTEGER:
            raise ValueError(f"the integer {value} is beyond what canonical JSON holds exactly")
        out.append(str(value))
    elif type(value) is str:
        out.append(_string(value))
    elif isinstance(value, dict):
        out.append("{")
        members = sorted(value.items(), key=lambda item: item[0].encode("utf-16-be"))
        for index, (name, member) in enumerate(members):
            if type(name) is not str:
                raise TypeError(f"an object member name must be text, got {name!r}")
            if index:
                out.append(",")
            out.append(_string(name))
            out.append(":")
            _write(member, out)
        out.append("}")
    elif isinstance(value, (list, tuple)):
        out.append("[")
        for index, item in enumerate(value):
            if index:
                out.append(",")
            _write(item, out)
        out.append("]")
    else:
        raise TypeError(f"no canonical JSON for {type(value).__name__}")


def jcs(value: Any) -> bytes:
    """The RFC 8785 canonical form of a plain JSON value, as UTF-8 bytes."""
    out: list[str] = []
    _write(value, out)
    return "".join(out).encode("utf-8")


def digest(value: Any) -> str:
    """``sha256:`` and the hex digest of the canonical form of ``value``."""
    return "sha256:" + hashlib.sha256(jcs(value)).hexdigest()
