"""What the YAML reader builds: mappings and lists that know where each key and value is
written, and the one conversion of a scalar's text to a value (exact numbers, dates, the YAML
1.2 booleans), shared by both ways the reader builds a tree.

    data = read_yaml_text("a: 1\\nb: [x, y]\\n", "example.yaml")   # (reader.py)
    data["b"].spans[1]            # SourceSpan('example.yaml', 2, 8)
    scalar_value("tag:yaml.org,2002:int", "12", span, problems)     # 12
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from govrules.errors import Diagnostic
from govrules.spans import SourceSpan

__all__ = [
    "STANDARD_TAG",
    "STRING_TAG",
    "LocatedList",
    "LocatedMap",
    "scalar_value",
    "tag_refused",
]

STANDARD_TAG = "tag:yaml.org,2002:"
STRING_TAG = STANDARD_TAG + "str"
_TRUE = {"true", "True", "TRUE"}
_FALSE = {"false", "False", "FALSE"}


class LocatedMap(dict[str, Any]):
    """A mapping that knows the position of itself, of each key and of each value."""

    span: SourceSpan
    key_spans: dict[str, SourceSpan]
    value_spans: dict[str, SourceSpan]


class LocatedList(list[Any]):
    """A sequence that knows the position of itself and of each item."""

    span: SourceSpan
    spans: list[SourceSpan]


def scalar_value(tag: str, text: str, span: SourceSpan, diagnostics: list[Diagnostic]) -> Any:
    """The value of a scalar written as ``text`` whose resolved tag is ``tag``; what is refused
    is added to ``diagnostics`` (and the text given back)."""
    if tag == STRING_TAG:
        return text
    if tag == "tag:yaml.org,2002:null":
        return None
    if tag == "tag:yaml.org,2002:bool":
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        return text  # 'yes', 'on', ...: left as text so that a type check names it
    if tag in ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float") and (
        "_" in text or text.startswith("+")
    ):
        diagnostics.append(
            Diagnostic(
                "yaml-number",
                f"'{text}' is not written as a plain number",
                span,
                f"write {text.replace('_', '').lstrip('+')}: no '_' between digits, no '+'",
            )
        )
        return text
    if tag == "tag:yaml.org,2002:int":
        try:
            return int(text, 10)
        except ValueError:
            return text  # octal, hex or sexagesimal forms: left as text, rejected by type
    if tag == "tag:yaml.org,2002:float":
        try:
            number = Decimal(text)
        except InvalidOperation:
            number = None
        if number is None or not number.is_finite():
            diagnostics.append(
                Diagnostic("yaml-number", f"'{text}' is not a finite decimal number", span)
            )
            return text
        return number
    if tag == "tag:yaml.org,2002:timestamp":
        return _timestamp(text, span, diagnostics)
    diagnostics.append(tag_refused(tag, span))
    return text


def _timestamp(text: str, span: SourceSpan, diagnostics: list[Diagnostic]) -> Any:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        pass
    try:
        moment: dt.datetime | None = dt.datetime.fromisoformat(text)
    except ValueError:
        moment = None
    if moment is not None and moment.tzinfo is None:
        return moment
    diagnostics.append(
        Diagnostic(
            "yaml-date",
            f"'{text}' is not a date (YYYY-MM-DD) or a local date and time (YYYY-MM-DDTHH:MM:SS)",
            span,
            "times are local (Beijing) time, written without a time zone",
        )
    )
    return text


def tag_refused(tag: str, span: SourceSpan) -> Diagnostic:
    shown = "!!" + tag.removeprefix(STANDARD_TAG) if tag.startswith(STANDARD_TAG) else tag
    return Diagnostic(
        "yaml-tag",
        f"unsupported tag {shown}",
        span,
        "remove the tag: policy, source and case files hold plain values, lists and mappings",
    )
