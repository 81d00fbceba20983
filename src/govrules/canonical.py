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
import json.encoder
from collections.abc import Callable
from typing import Any

__all__ = ["MAX_SAFE_INTEGER", "digest", "jcs"]

# the largest integer an IEEE double holds exactly: JCS writes numbers as ES6 does
MAX_SAFE_INTEGER = 2**53 - 1


# JCS escapes in strings exactly what JSON's minimal escaping does: the quote, the backslash,
# \b \f \n \r \t by name and the other controls below U+0020 as \u00xx in lowercase hex;
# every other character is written as itself. The standard library's encoder for
# ``ensure_ascii=False`` (C code) does just that, much faster than a loop over characters;
# tests/test_canonical.py checks it against an independent RFC 8785 implementation.
_string: Callable[[str], str] = json.encoder.encode_basestring


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
