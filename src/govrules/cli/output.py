"""Colour on a terminal, and only there: whether a stream gets colour, and the few styles the
command line uses.

    colour = use_colour(sys.stdout, args.color)   # --color auto|always|never
    print(paint("FAIL", "failed", colour))        # red on a terminal, plain 'FAIL' elsewhere

``auto`` (the default) colours a terminal only, and never when ``NO_COLOR`` is set to anything
but the empty string (https://no-color.org) or ``TERM`` is ``dumb``: a pipe, a file or a CI log
gets plain text. ``--color always`` and ``--color never`` are the user's word for this one run
and win over ``NO_COLOR``, as the convention asks. A progress bar on standard error asks the
same question of ``sys.stderr``.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Mapping
from typing import TextIO

__all__ = ["COLOUR_CHOICES", "colour_for", "paint", "use_colour"]

COLOUR_CHOICES = ("auto", "always", "never")

# Select Graphic Rendition codes: a colour a dark and a light terminal both show.
_STYLES = {
    "ok": "32",  # green
    "failed": "1;31",  # bold red
    "warning": "33",  # yellow
    "note": "2",  # faint
}


def use_colour(
    stream: TextIO, choice: str = "auto", environ: Mapping[str, str] | None = None
) -> bool:
    """Whether to colour what goes to ``stream``: ``choice`` is ``--color``'s value."""
    if choice not in COLOUR_CHOICES:
        raise ValueError(f"colour is one of {', '.join(COLOUR_CHOICES)}, not {choice!r}")
    if choice != "auto":
        return choice == "always"
    environment = os.environ if environ is None else environ
    if environment.get("NO_COLOR", "") or environment.get("TERM") == "dumb":
        return False
    try:
        return stream.isatty()
    except (AttributeError, OSError, ValueError):  # no such method, or a closed stream
        return False


def colour_for(args: argparse.Namespace, stream: TextIO) -> bool:
    """``use_colour`` for the stream a command writes to, as its ``--color`` asks."""
    return use_colour(stream, getattr(args, "color", None) or "auto")


def paint(text: str, style: str, colour: bool) -> str:
    """``text`` in one of the styles (ok, failed, warning, note) when ``colour``, else as is."""
    if not colour:
        return text
    return f"\x1b[{_STYLES[style]}m{text}\x1b[0m"
