"""Case files: the facts of one case, read from JSON or YAML, with the envelope that may name
the policy and the date.

Every face reads cases the same way (the command line, a service, a batch), so this lives below
them. A file holds either the facts themselves or an envelope around them:

    policy: cn.jilin.taobei.wage_deposit
    as_of: 2026-11-21
    facts:
      contract_price: "1000000"

    facts, envelope = read_case_file(Path("case.yaml"))
    facts                         # {'contract_price': '1000000'}
    envelope                      # {'policy': ..., 'as_of': date(2026, 11, 21)}, or None
    read_case("-")                # the same, from standard input (named ``<stdin>``)

JSON is read as strictly as YAML (``language/reader.py``): a size limit, duplicate keys refused,
nesting and number length limited (``runtime/limits.py``), numbers read as exact ``int`` or
``Decimal`` (never floats; NaN and Infinity are not JSON), and every refusal located at its
line and column. A file is JSON when its name ends in ``.json``; a stream (standard input) has
no name, so it is JSON when its first character other than white space is ``{`` and YAML
otherwise -- a YAML case on standard input is written in block style, as case files are.
"""

from __future__ import annotations

import json
import re
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any, BinaryIO, TypeAlias

from govrules.errors import CaseFileError, Diagnostic, PolicyLoadError
from govrules.language.reader import read_yaml_file, read_yaml_text
from govrules.runtime.limits import MAX_CASE_FILE_BYTES, MAX_JSON_DEPTH, MAX_JSON_NUMBER_DIGITS
from govrules.spans import SourceSpan

__all__ = [
    "STANDARD_INPUT",
    "read_case",
    "read_case_file",
    "read_case_stream",
    "read_json_text",
    "shown_source",
]

# What names standard input where a case file is expected, and how its positions are shown.
STANDARD_INPUT = "-"
_STDIN_NAME = "<stdin>"

_Case: TypeAlias = tuple[dict[str, Any], dict[str, Any] | None]


def shown_source(source: str) -> str:
    """How a case source is named in messages: ``<stdin>`` for ``-``, else the path."""
    return _STDIN_NAME if source == STANDARD_INPUT else source


def read_case(source: str, stdin: BinaryIO | None = None) -> _Case:
    """The case a command-line argument names: a file path, or ``-`` for standard input
    (``stdin``, default this process's). Raises ``CaseFileError``."""
    if source != STANDARD_INPUT:
        return read_case_file(Path(source))
    if stdin is None:
        if sys.stdin is None:  # a process started without one (pythonw, some services)
            raise CaseFileError(f"{_STDIN_NAME}: this process has no standard input")
        stdin = sys.stdin.buffer
    return read_case_stream(stdin, _STDIN_NAME)


def read_case_file(path: Path) -> _Case:
    """Facts from a JSON or YAML file, and the envelope (policy, as_of) if the file has one.

    JSON numbers are read as exact decimals, never floats. Raises ``CaseFileError``.
    """
    if not path.is_file():
        raise CaseFileError(f"{path}: no such file")
    if path.suffix.lower() == ".json":
        data = read_json_text(_decoded(_file_bytes(path), str(path), "json"), str(path))
    else:
        try:
            data = read_yaml_file(path, plain_first=True)
        except PolicyLoadError as error:
            raise CaseFileError(str(error)) from None
    return _case(data, str(path))


def read_case_stream(stream: BinaryIO, name: str = _STDIN_NAME) -> _Case:
    """Facts from a stream of JSON or YAML bytes (JSON when it starts with ``{``), with the
    same limits as a file; positions in messages name ``name``. Raises ``CaseFileError``."""
    try:
        raw = stream.read(MAX_CASE_FILE_BYTES + 1)
    except OSError as error:
        raise CaseFileError(f"{name}: cannot be read ({error.strerror or error})") from None
    kind = "json" if raw.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] == b"{" else "yaml"
    text = _decoded(raw, name, kind)
    if not text.strip():
        raise CaseFileError(
            str(
                Diagnostic(
                    "case-empty",
                    "nothing to read: give the case as a JSON or YAML object",
                    SourceSpan(name, 1, 1),
                )
            )
        )
    if kind == "json":
        data = read_json_text(text, name)
    else:
        try:
            data = read_yaml_text(text, name, plain_first=True)
        except PolicyLoadError as error:
            raise CaseFileError(str(error)) from None
    return _case(data, name)


def _case(data: Any, name: str) -> _Case:
    """The facts, and the envelope around them if there is one."""
    if not isinstance(data, dict):
        raise CaseFileError(f"{name}: a case file holds a JSON/YAML object of facts")
    if "facts" in data and "policy" in data:
        facts = data["facts"]
        if not isinstance(facts, dict):
            raise CaseFileError(f"{name}: 'facts' must be an object")
        return dict(facts), {k: v for k, v in data.items() if k != "facts"}
    return dict(data), None


def _file_bytes(path: Path) -> bytes:
    try:
        with path.open("rb") as file:
            return file.read(MAX_CASE_FILE_BYTES + 1)
    except OSError as error:
        raise CaseFileError(f"{path}: cannot be read ({error.strerror or error})") from None


def _decoded(raw: bytes, name: str, kind: str) -> str:
    """``raw`` (at most one byte past the limit) as text: refused past the limit, or when not
    UTF-8 (a byte-order mark is allowed)."""
    if len(raw) > MAX_CASE_FILE_BYTES:
        raise CaseFileError(
            str(
                Diagnostic(
                    f"{kind}-too-large",
                    f"file is larger than {MAX_CASE_FILE_BYTES // 1024} KiB",
                    SourceSpan(name, 1, 1),
                )
            )
        )
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        column = error.start - (raw.rfind(b"\n", 0, error.start) + 1) + 1
        span = SourceSpan(name, line, column)
        raise CaseFileError(str(Diagnostic("file-encoding", "not UTF-8", span))) from None


# --------------------------------------------------------------------------- strict JSON

# The pure-Python pieces of the standard decoder (not in the type stubs): strings, arrays and
# objects are read by them, with our scanner for the values inside.
_DECODER: Any = json.decoder
JSONArray, JSONObject, scanstring = _DECODER.JSONArray, _DECODER.JSONObject, _DECODER.scanstring

# JSON's own grammar, with ASCII digits only (``json``'s pattern uses \d, which is Unicode).
_NUMBER = re.compile(r"(-?(?:0|[1-9][0-9]*))(\.[0-9]+)?([eE][-+]?[0-9]+)?")
_SPACE = re.compile(r"[ \t\n\r]*")


class _Refused(Exception):
    def __init__(self, code: str, message: str, position: int) -> None:
        super().__init__(message)
        self.code, self.message, self.position = code, message, position


class _Scanner:
    """The ``scan_once`` of the standard library's pure-Python JSON decoder, with limits."""

    def __init__(self) -> None:
        self.depth = 0
        self.memo: dict[str, str] = {}

    def __call__(self, text: str, index: int) -> tuple[Any, int]:
        try:
            char = text[index]
        except IndexError:
            raise StopIteration(index) from None
        if char == '"':
            found: tuple[str, int] = scanstring(text, index + 1, True)
            return found
        if char in "{[":
            return self._container(text, index)
        for word, value in (("null", None), ("true", True), ("false", False)):
            if text.startswith(word, index):
                return value, index + len(word)
        match = _NUMBER.match(text, index)
        if match is None:
            raise StopIteration(index)
        if match.end() - index > MAX_JSON_NUMBER_DIGITS:
            raise _Refused(
                "json-number-too-long",
                f"a number written with {match.end() - index:,} characters; at most "
                f"{MAX_JSON_NUMBER_DIGITS} are read",
                index,
            )
        whole, fraction, exponent = match.groups()
        if fraction or exponent:
            return Decimal(match.group()), match.end()
        return int(whole), match.end()

    def _container(self, text: str, index: int) -> tuple[Any, int]:
        self.depth += 1
        try:
            if self.depth > MAX_JSON_DEPTH:
                raise _Refused(
                    "json-too-deep", f"nesting deeper than {MAX_JSON_DEPTH} levels", index
                )
            found: tuple[Any, int]
            if text[index] == "[":
                found = JSONArray((text, index + 1), self)
            else:
                unique = _unique_keys(index)
                found = JSONObject((text, index + 1), True, self, None, unique, self.memo)
            return found
        finally:
            self.depth -= 1


def _unique_keys(start: int) -> Any:
    def unique(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key, value in pairs:
            if key in result:
                raise _Refused(
                    "duplicate-key",
                    f"key {key!r} is written twice in the object that starts here (keep one; "
                    "JSON readers silently keep the last)",
                    start,
                )
            result[key] = value
        return result

    return unique


def read_json_text(text: str, name: str) -> Any:
    """The value of a JSON document, read strictly; ``CaseFileError`` naming ``name``, the line
    and the column of the first problem."""
    scan = _Scanner()
    try:
        try:
            value, end = scan(text, _SPACE.match(text, 0).end())  # type: ignore[union-attr]
        except StopIteration as stop:
            raise json.JSONDecodeError("Expecting value", text, stop.value) from None
        end = _SPACE.match(text, end).end()  # type: ignore[union-attr]
        if end != len(text):
            raise json.JSONDecodeError("Extra data", text, end)
    except _Refused as refused:
        raise CaseFileError(
            str(Diagnostic(refused.code, refused.message, _span(text, refused.position, name)))
        ) from None
    except json.JSONDecodeError as error:
        span = SourceSpan(name, error.lineno, error.colno)
        if error.msg.startswith("Invalid control character"):
            error.msg = "a control character inside a string"
        raise CaseFileError(
            str(Diagnostic("json-syntax", f"not valid JSON ({error.msg})", span))
        ) from None
    return value


def _span(text: str, position: int, name: str) -> SourceSpan:
    line = text.count("\n", 0, position) + 1
    return SourceSpan(name, line, position - (text.rfind("\n", 0, position) + 1) + 1)
