"""Canonical JSON (RFC 8785, the JSON Canonicalization Scheme), the digests built on it, and
the indented JSON a decision is written in.

A decision's fingerprint and its trace digest are sha256 over the JCS form of plain JSON
values: objects with their members sorted by the UTF-16 code units of their names, no white
space, strings with only the escapes JCS requires, and numbers as integers (decimals are always
exact strings in govrules, never JSON numbers). Anyone can recompute them outside Python with
any RFC 8785 implementation (``docs/auditors.md`` gives the recipe).

    jcs({"b": [1, "x"], "a": None})    # b'{"a":null,"b":[1,"x"]}'
    digest([{"event": "rule"}])        # 'sha256:…'
    dumps({"a": [1]})                  # '{\\n  "a": [\\n    1\\n  ]\\n}', as json.dumps(indent=2)

``jcs`` and ``digest`` take any value and refuse what JSON cannot hold exactly. The ``plain_``
functions and ``dumps`` are the fast forms for values govrules builds itself, made of JSON's
own types only (dict, list, tuple, str, int, bool, None -- what ``to_json_value`` returns, never
a float): they use orjson when it is installed and give the same bytes as the pure-Python
forms, to which they fall back whenever orjson is absent or declines a value.
"""

from __future__ import annotations

import hashlib
import json
import json.encoder
from collections.abc import Callable
from typing import Any

try:  # optional: the same bytes without it, only slower
    import orjson as _orjson
except ImportError:  # pragma: no cover - exercised by forcing the fallback in the tests
    _orjson = None  # type: ignore[assignment]

__all__ = ["MAX_SAFE_INTEGER", "digest", "dumps", "jcs", "plain_digest", "plain_jcs"]

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
        for name in value:  # before sorting, which needs text
            if type(name) is not str:
                raise TypeError(f"an object member name must be text, got {name!r}")
        members = sorted(value.items(), key=lambda item: item[0].encode("utf-16-be"))
        for index, (name, member) in enumerate(members):
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


def _decline(value: Any) -> Any:
    """orjson's ``default``: every value it does not write as JSON's own type ends here, and
    the caller starts again on the pure-Python path, which writes it or raises as it always
    did (a subclass of str, int, dict or list; a date; a dataclass; a big integer)."""
    raise TypeError(f"no fast JSON for {type(value).__name__}")


if _orjson is not None:
    # Subclasses, dates and dataclasses go to ``_decline`` instead of being written in
    # orjson's own way; integers beyond 2**53 - 1 raise, as RFC 8785 has no exact form for them.
    _SORTED = (
        _orjson.OPT_SORT_KEYS
        | _orjson.OPT_STRICT_INTEGER
        | _orjson.OPT_PASSTHROUGH_SUBCLASS
        | _orjson.OPT_PASSTHROUGH_DATETIME
        | _orjson.OPT_PASSTHROUGH_DATACLASS
    )
    _INDENTED = (
        _orjson.OPT_INDENT_2
        | _orjson.OPT_PASSTHROUGH_SUBCLASS
        | _orjson.OPT_PASSTHROUGH_DATETIME
        | _orjson.OPT_PASSTHROUGH_DATACLASS
    )


def _beyond_bmp(text: bytes) -> bool:
    """Whether UTF-8 ``text`` holds a character beyond U+FFFF (its first byte is F0..F4).

    orjson sorts member names by their UTF-8 bytes, which is the order of UTF-16 code units
    that RFC 8785 asks for except when a name holds such a character (a surrogate pair in
    UTF-16, it sorts before U+E000..U+FFFF); a text that has one anywhere is canonicalised by
    the pure-Python path. Five byte searches are several times faster than one regular
    expression with a class of bytes."""
    return (
        b"\xf0" in text or b"\xf1" in text or b"\xf2" in text or b"\xf3" in text or b"\xf4" in text
    )


def plain_jcs(value: Any) -> bytes:
    """``jcs(value)`` for a value made of JSON's own types only (no float), faster."""
    if _orjson is None:
        return jcs(value)
    try:
        text = _orjson.dumps(value, default=_decline, option=_SORTED)
    except TypeError:  # a big integer, a name that is not text, a subclass: the pure path
        return jcs(value)
    if _beyond_bmp(text):
        return jcs(value)
    return text


def plain_digest(value: Any) -> str:
    """``digest(value)`` for a value made of JSON's own types only (no float), faster."""
    return "sha256:" + hashlib.sha256(plain_jcs(value)).hexdigest()


def dumps(value: Any, indent: int | None = 2) -> str:
    """``json.dumps(value, ensure_ascii=False, indent=indent)`` for a value made of JSON's
    own types only (no float); with ``indent=2`` by orjson when it is installed."""
    if indent == 2 and _orjson is not None:
        try:
            return _orjson.dumps(value, default=_decline, option=_INDENTED).decode("utf-8")
        except TypeError:  # a big integer, a name that is not text, a lone surrogate ...
            pass
    return json.dumps(value, ensure_ascii=False, indent=indent)
