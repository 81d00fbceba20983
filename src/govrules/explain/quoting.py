r"""How text from a case (or anywhere else) is shown in an explanation without acting on it.

A fact is data: whatever it holds, it must not start a line of its own, move the cursor,
colour the terminal, or turn into Markdown or HTML. The renderers pass every string they did
not write themselves through one of these:

    visible("x\n\nOUTCOME: approved")    # x\n\nOUTCOME: approved -- one line, as typed
    visible("\x1b[31mred")               # \x1b[31mred -- the escape shown, not obeyed
    markdown_text("*not bold* | x")      # \*not bold\* \| x
    markdown_code("a `b`")               # `` a `b` ``

Control characters (C0, C1, DEL), line and paragraph separators, invisible format characters
(bidirectional overrides, zero-width characters) and lone surrogates are written as Python
escapes; everything else, Chinese included, is left as it is. HTML is ``html.escape`` of
``visible``; Markdown never starts a line with a quoted string, so only the characters that
act inside a line are escaped there (``#`` everywhere, for the closing run of a heading).
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["markdown_code", "markdown_text", "visible"]

_SHORT = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
_HIDDEN = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})
# emphasis, code, links and images, HTML and autolinks, tables, strikethrough, entities, '#';
# a run of '_' inside a word (no_fault_dismissal) cannot be emphasis and stays as it is
_MARKDOWN = re.compile(r"[\\`*\[\]<>|~&#]|(?<!\w)_+|_+(?!\w)")


def _escape(ch: str) -> str:
    if ch in _SHORT:
        return _SHORT[ch]
    code = ord(ch)
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def visible(text: str) -> str:
    """``text`` on one line, every control or invisible character shown as an escape."""
    if text.isprintable():  # the common case: isprintable is false for every hidden character
        return text
    return "".join(_escape(ch) if unicodedata.category(ch) in _HIDDEN else ch for ch in text)


def markdown_text(text: str) -> str:
    """``text`` as Markdown that renders as exactly this text (its escapes made visible)."""
    return _MARKDOWN.sub(lambda found: "".join("\\" + ch for ch in found.group()), visible(text))


def markdown_code(text: str, *, in_table: bool = False) -> str:
    """``text`` as an inline code span, with a fence longer than any run of backticks inside
    so that nothing in it ends the span; in a table, pipes escaped (they split cells even in
    code)."""
    shown = visible(text)
    if in_table:
        shown = shown.replace("|", "\\|")
    longest = max((len(run) for run in re.findall(r"`+", shown)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if shown[:1] == "`" or shown[-1:] == "`" else ""
    return f"{fence}{pad}{shown}{pad}{fence}"
