"""A reader of the plain YAML that case files are written in, without PyYAML: the same located
tree as the reference reader (``reader.py``), or ``None`` at the first thing it is not sure of.

Importing PyYAML takes longer than reading an eight-line case file, so a case file is tried
here first. It takes block mappings and sequences (items that are mappings too, a sequence at
its key's indentation), scalars on one line (plain, single-quoted, double-quoted without a
backslash), block scalars ``>``, ``>-``, ``|``, ``|-`` whose lines share one indentation and
no blank line, flow sequences and mappings of scalars closed on their line, comments and blank
lines. A plain scalar is taken only in forms whose YAML 1.1 tag is certain: text starting with
a letter or any character no tag is resolved from (the words ``true``, ``null``, ``yes``...
in their three spellings made what ``scalar_value`` makes them), decimal integers, decimals,
``YYYY-MM-DD`` dates, dates and times. Anything else -- a tab, a carriage return, a byte-order
mark, ``---``, ``%``, anchors, aliases, tags, ``?`` keys, multi-line scalars, empty values,
duplicate or merge keys, any other number, deep nesting -- gives ``None``: the caller reads
the file the reference way, so every message is the reference reader's.

    data = read_plain_yaml("as_of: 2026-11-21\\nfacts:\\n  price: '100'\\n", "case.yaml")
    data["facts"].value_spans["price"]      # SourceSpan('case.yaml', 3, 11), inside the quote
    read_plain_yaml("a: &x 1\\n", "case.yaml")  # None: an anchor
"""

from __future__ import annotations

import re
from bisect import bisect_right
from typing import Any

from govrules.errors import Diagnostic
from govrules.language.characters import CONTROL
from govrules.language.located_yaml import STANDARD_TAG, LocatedList, LocatedMap, scalar_value
from govrules.spans import SourceSpan

__all__ = ["read_plain_yaml"]

# YAML's indicators: a plain scalar may not start with one (``-`` starts the numbers taken)
_INDICATORS = frozenset("-?:,[]{}#&*!|>'\"%@`")
# the first characters YAML 1.1's implicit resolvers are filed under; a plain scalar starting
# with any other character is text, except for the words below
_RESOLVED_FIRST = frozenset("-+.0123456789~<=")
_BOOLS = ("yes", "no", "true", "false", "on", "off")
_WORDS = {word: STANDARD_TAG + "null" for word in ("null", "Null", "NULL")}
_WORDS.update((spelt, STANDARD_TAG + "bool") for w in _BOOLS for spelt in (w, w.title(), w.upper()))
# the forms taken of what starts with a digit or a minus, each named by the tag YAML 1.1
# resolves it to (checked against PyYAML's resolvers by tests/test_plain_yaml.py); a date and
# time without seconds is no timestamp, so it is text
_FORMS = re.compile(
    r"(?P<int>-?(?:0|[1-9][0-9]*))|(?P<float>-?[0-9]+\.[0-9]+)"
    r"|(?P<timestamp>[0-9]{4}-[0-9]{2}-[0-9]{2}(?:T[0-9]{2}:[0-9]{2}:[0-9]{2})?)"
    r"|(?P<str>[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2})"
)
# never in a document taken: tabs, line ends but LF, a byte-order mark, what YAML cannot print
_NEVER = ("\t", "\r", "\ufeff", "\u2028", "\u2029", "\ufffe", "\uffff")
_MAX_CONTAINERS = 30  # nested containers; the reference refuses 40 levels (events.MAX_DEPTH)
_MAX_KEY = 200  # characters of a key; YAML refuses a simple key of more than 1024
_FLOW_STOPS = ",[]{}:"  # what ends a plain scalar in a flow collection (a colon: declined)


class _Decline(Exception):
    """The text holds something left to the reference reader."""


def read_plain_yaml(text: str, file: str) -> Any:
    """The located tree of ``text`` (a block mapping or sequence), exactly as
    ``read_yaml_text`` makes it; ``None`` when the text holds anything outside this reader's
    subset (see the module's docstring). Never raises for what the text holds."""
    if any(mark in text for mark in _NEVER) or CONTROL.search(text) is not None:
        return None
    try:
        return _Reader(text, file).document()
    except (_Decline, IndexError):
        return None


def _skip(line: str, index: int) -> int:
    """The index of the first character at or after ``index`` that is not a space."""
    return len(line) - len(line[index:].lstrip(" "))


def _is_dash(line: str, column: int) -> bool:
    """Whether a block sequence's entry (``-`` then a space or the line's end) is at ``column``."""
    return line[column : column + 1] == "-" and line[column + 1 : column + 2] in ("", " ")


class _Reader:
    def __init__(self, text: str, file: str) -> None:
        self.file = file
        self.lines = text.split("\n")
        self.final_break = text.endswith("\n")
        self.last = 0  # the last line the node just read used
        for line in self.lines:
            if line.startswith(("---", "...", "%")):
                raise _Decline  # document markers and directives
        # what is neither blank nor a comment: (line index, indentation), in order
        self.content = [
            (row, _skip(line, 0))
            for row, line in enumerate(self.lines)
            if line.strip(" ") and not line.lstrip(" ").startswith("#")
        ]
        self.rows = [row for row, _ in self.content]

    def span(self, row: int, column: int) -> SourceSpan:
        return SourceSpan(self.file, row + 1, column + 1)

    def after(self, row: int) -> tuple[int, int] | None:
        """The next line after ``row`` that is neither blank nor a comment, and its indent."""
        index = bisect_right(self.rows, row)
        return self.content[index] if index < len(self.content) else None

    def document(self) -> Any:
        if not self.content:
            raise _Decline  # an empty document: the reference says so
        row, indent = self.content[0]
        value, _ = self.own_line(row, indent, 0)
        if self.after(self.last) is not None:
            raise _Decline
        return value

    def own_line(self, row: int, column: int, depth: int) -> tuple[Any, SourceSpan]:
        """A block container that starts a line of its own."""
        if _is_dash(self.lines[row], column):
            return self.sequence(row, column, depth, indentless=False)
        if self.is_key(self.lines[row], column):
            return self.mapping(row, column, depth)
        raise _Decline  # a scalar on a line of its own: perhaps one of several lines

    def mapping(self, row: int, column: int, depth: int) -> tuple[LocatedMap, SourceSpan]:
        if depth >= _MAX_CONTAINERS:
            raise _Decline
        result = LocatedMap()
        result.span = span = self.span(row, column)
        result.key_spans, result.value_spans = {}, {}
        while True:
            line = self.lines[row]
            key, start = self.key(line, column)
            if key in result or key == "<<":
                raise _Decline  # a duplicate, or perhaps a merge key
            start = _skip(line, start)
            if start == len(line) or line[start] == "#":  # the value is on the lines below
                below = self.after(row)
                if below is None:
                    raise _Decline  # an empty value
                if below[1] > column:
                    value, value_span = self.own_line(below[0], below[1], depth + 1)
                elif below[1] == column and _is_dash(self.lines[below[0]], column):
                    value, value_span = self.sequence(*below, depth + 1, indentless=True)
                else:
                    raise _Decline  # an empty value
            else:
                value, value_span = self.inline(row, start, column, depth + 1, compact=False)
            result[key] = value
            result.key_spans[key] = self.span(row, column)
            result.value_spans[key] = value_span
            following = self.after(self.last)
            if following is None or following[1] < column:
                return result, span
            if following[1] > column:
                raise _Decline  # a scalar's next line, or something out of place
            row = following[0]

    def sequence(
        self, row: int, column: int, depth: int, *, indentless: bool
    ) -> tuple[LocatedList, SourceSpan]:
        if depth >= _MAX_CONTAINERS:
            raise _Decline
        items = LocatedList()
        items.span = span = self.span(row, column)
        items.spans = []
        while True:
            line = self.lines[row]
            start = _skip(line, column + 1)
            if start == len(line) or line[start] == "#":  # the item is on the lines below
                below = self.after(row)
                if below is None or below[1] <= column:
                    raise _Decline  # an empty item
                value, value_span = self.own_line(below[0], below[1], depth + 1)
            else:
                value, value_span = self.inline(row, start, column, depth + 1, compact=True)
            items.append(value)
            items.spans.append(value_span)
            following = self.after(self.last)
            if following is None or following[1] < column:
                return items, span
            if following[1] > column:
                raise _Decline
            if not _is_dash(self.lines[following[0]], column):
                if indentless:
                    return items, span  # the mapping around goes on at this indentation
                raise _Decline
            row = following[0]

    def inline(
        self, row: int, column: int, parent: int, depth: int, *, compact: bool
    ) -> tuple[Any, SourceSpan]:
        """The node written at ``column`` after a key's colon or a sequence's dash; a mapping
        or a sequence only after a dash (``compact``)."""
        line = self.lines[row]
        self.last = row
        first = line[column]
        if compact and _is_dash(line, column):
            return self.sequence(row, column, depth, indentless=False)
        if compact and self.is_key(line, column):
            return self.mapping(row, column, depth)
        if first in "[{":
            return self.flow(row, column, depth)
        if first in ">|":
            return self.block_scalar(row, column, parent)
        value, end, span = self.scalar(row, column, "")
        self.line_end(line, end)
        return value, span

    def line_end(self, line: str, end: int) -> None:
        """Only spaces, or a comment after a space, may follow a node on its line."""
        rest = line[end:]
        after = rest.lstrip(" ")
        if after and not (after[0] == "#" and len(after) < len(rest)):
            raise _Decline

    def key(self, line: str, column: int) -> tuple[str, int]:
        """The key written at ``column`` and where its value starts (past the colon)."""
        if line[column] in "'\"":
            key, end = self.quoted(line, column)
        else:
            end = line.find(": ", column)
            end = len(line) - 1 if end < 0 and line.endswith(":") else end
            key = line[column:end].rstrip(" ")
            self.plain_text(key)
            if ":" in key:
                raise _Decline  # a colon inside a key: left to the reference
        if end < 0 or line[end : end + 1] != ":" or line[end + 1 : end + 2] not in ("", " "):
            raise _Decline
        if len(key) > _MAX_KEY:
            raise _Decline
        return key, end + 1

    def is_key(self, line: str, column: int) -> bool:
        try:
            self.key(line, column)
        except _Decline:
            return False
        return True

    def scalar(self, row: int, column: int, stops: str) -> tuple[Any, int, SourceSpan]:
        """A scalar on one line: its value, where it ends, and its content's position.
        ``stops``: the characters that end a plain scalar (those of a flow collection)."""
        line = self.lines[row]
        if line[column] in "'\"":
            text, end = self.quoted(line, column)
            return text, end, self.span(row, column + 1)
        end = len(line)
        comment = line.find(" #", column)
        if comment >= 0:
            end = comment
        for stop in stops:
            found = line.find(stop, column, end)
            if found >= 0:
                end = found
        text = line[column:end].rstrip(" ")
        if ":" in text and _FORMS.fullmatch(text) is None or stops and "#" in text:
            raise _Decline  # a colon is left to the reference, which knows where keys end
        self.plain_text(text)
        span = self.span(row, column)
        return _plain_value(text, span), column + len(text), span

    @staticmethod
    def plain_text(text: str) -> None:
        if not text or text[0] in _INDICATORS and not (text[0] == "-" and text[1:2].isdigit()):
            raise _Decline
        if " #" in text or ": " in text or text.endswith(":"):
            raise _Decline

    @staticmethod
    def quoted(line: str, column: int) -> tuple[str, int]:
        """A quoted scalar closed on its line: its value, and the index past the quote."""
        quote = line[column]
        end = column
        while True:
            end = line.find(quote, end + 1)
            if end < 0:
                raise _Decline  # on more than one line
            if quote == "'" and line[end + 1 : end + 2] == "'":
                end += 1  # '' writes one quote
                continue
            break
        text = line[column + 1 : end]
        if quote == '"':
            if "\\" in text:
                raise _Decline  # escapes are left to the reference
            return text, end + 1
        return text.replace("''", "'"), end + 1

    def flow(self, row: int, column: int, depth: int) -> tuple[Any, SourceSpan]:
        """A flow sequence or mapping of scalars, closed on its line."""
        if depth >= _MAX_CONTAINERS:
            raise _Decline
        line = self.lines[row]
        is_map = line[column] == "{"
        closer = "}" if is_map else "]"
        result: Any = LocatedMap() if is_map else LocatedList()
        result.span = span = self.span(row, column)
        if is_map:
            result.key_spans, result.value_spans = {}, {}
        else:
            result.spans = []
        at = _skip(line, column + 1)
        while line[at] != closer:
            if is_map:
                key_at = at
                key, at = self.flow_key(line, at)
                if line[at : at + 2] != ": " or key in result or key == "<<":
                    raise _Decline
                at = _skip(line, at + 1)
                if line[at] in "[{":
                    raise _Decline  # a collection inside: left to the reference
                result[key], at, result.value_spans[key] = self.scalar(row, at, _FLOW_STOPS)
                result.key_spans[key] = self.span(row, key_at)
            else:
                if line[at] in "[{":
                    raise _Decline
                value, at, value_span = self.scalar(row, at, _FLOW_STOPS)
                result.append(value)
                result.spans.append(value_span)
            at = _skip(line, at)
            if line[at] == ",":
                at = _skip(line, at + 1)
                if line[at] == closer:
                    raise _Decline  # a trailing comma
            elif line[at] != closer:
                raise _Decline
        self.line_end(line, at + 1)
        self.last = row
        return result, span

    def flow_key(self, line: str, column: int) -> tuple[str, int]:
        """A key inside a flow mapping, and where it ends."""
        if line[column] in "'\"":
            return self.quoted(line, column)
        end = column
        while end < len(line) and line[end] not in _FLOW_STOPS and line[end : end + 2] != " #":
            end += 1
        key = line[column:end].rstrip(" ")
        self.plain_text(key)
        if "#" in key or len(key) > _MAX_KEY:
            raise _Decline
        return key, column + len(key)

    def block_scalar(self, row: int, column: int, parent: int) -> tuple[str, SourceSpan]:
        """``>``, ``>-``, ``|`` or ``|-``, with lines of one indentation and no blank line."""
        line = self.lines[row]
        end = column + 1
        strip = line[end : end + 1] == "-"
        self.line_end(line, end + strip)  # refuses an indentation or keep indicator too
        lines: list[str] = []
        indent = -1
        at = row + 1
        while at < len(self.lines):
            written = self.lines[at]
            if not written.strip(" "):
                break
            if indent < 0:
                indent = _skip(written, 0)
            if _skip(written, 0) < indent:
                break
            if _skip(written, 0) > indent or written.endswith(" "):
                raise _Decline  # a more-indented line or trailing spaces: left to the reference
            lines.append(written[indent:])
            at += 1
        if not lines or indent <= parent:
            raise _Decline  # an empty block scalar
        last = row + len(lines)
        while at < len(self.lines) and not self.lines[at].strip(" "):
            if len(self.lines[at]) >= indent:
                raise _Decline  # spaces that may be part of the scalar
            at += 1
        if at < len(self.lines) and _skip(self.lines[at], 0) >= indent:
            raise _Decline  # a blank line inside the scalar (or a comment-like line in it)
        if not strip and last == len(self.lines) - 1 and not self.final_break:
            raise _Decline  # the kept line break is not written
        text = (" " if line[column] == ">" else "\n").join(lines) + ("" if strip else "\n")
        self.last = last
        return text, SourceSpan(self.file, row + 2, column + 3)


def _plain_value(text: str, span: SourceSpan) -> Any:
    """The value of a plain scalar in the forms taken (see the module's docstring), made by
    the reference's own conversion from the tag YAML 1.1 resolves it to."""
    if text[0] not in _RESOLVED_FIRST:
        tag = _WORDS.get(text)
        if tag is None:
            return text
    else:
        form = _FORMS.fullmatch(text)
        if form is None:
            raise _Decline
        tag = STANDARD_TAG + str(form.lastgroup)
    problems: list[Diagnostic] = []
    value = scalar_value(tag, text, span, problems)
    if problems:
        raise _Decline  # refused by the reference, in its words (a date such as 2026-02-30)
    return value
