"""The characters a policy, source or case file may hold: no control characters but tab, line
feed and carriage return, no lone surrogates; each refused one named and located.

    control_characters("a\x1bb", "case.yaml")   # [case.yaml:1:2: control-character: …]
"""

from __future__ import annotations

import re

from govrules.errors import Diagnostic
from govrules.spans import SourceSpan

__all__ = ["CONTROL", "MAX_CONTROL_REPORTS", "control_characters", "control_name", "position"]

CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
_LINE_BREAK = re.compile("\r\n|[\r\n\u2028\u2029]")  # as the YAML reader counts lines
_CONTROL_NAMES = {0x00: "NUL", 0x07: "BEL", 0x08: "BS", 0x1B: "ESC", 0x7F: "DEL", 0x85: "NEL"}
MAX_CONTROL_REPORTS = 10


def control_name(character: str) -> str:
    """How a refused character is named in a message: ``the control character ESC (U+001B)``."""
    code = ord(character)
    if 0xD800 <= code <= 0xDFFF:
        return f"a lone surrogate (U+{code:04X}), which is not a character"
    name = _CONTROL_NAMES.get(code)
    return f"the control character {name + ' ' if name else ''}(U+{code:04X})"


def position(text: str, index: int, file: str) -> SourceSpan:
    """The line and column of ``text[index]``, counted as the YAML reader counts them."""
    line, line_start = 1, 0
    for brk in _LINE_BREAK.finditer(text, 0, index):
        line, line_start = line + 1, brk.end()
    return SourceSpan(file, line, index - line_start + 1)


def control_characters(text: str, file: str) -> list[Diagnostic]:
    """Each control character written in the text (the first few), at its line and column."""
    found: list[Diagnostic] = []
    for match in CONTROL.finditer(text):
        if len(found) == MAX_CONTROL_REPORTS:
            break
        found.append(
            Diagnostic(
                "control-character",
                f"the file holds {control_name(match.group())}",
                position(text, match.start(), file),
                "remove it: only tab, line feed and carriage return may be written",
            )
        )
    return found
