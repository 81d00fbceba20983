"""JSON text with holes: the parts of a decision that are the same for many rows, written once
by the very code that writes a decision, and the values of each row put in their places.

    hole = token(3)                          # a JSON value to be filled in: '"\\ue0003\\ue001"'
    pieces = split(json.dumps({"rate": hole}))   # ['{"rate": ', 3, '}']
    fill(keys, {0: pieces}, {3: tokens})     # per row: '{"rate": "0.04"}'

A *token* hole stands for a whole JSON value (quotes included); a *text* hole for characters
inside a string. Marks are private-use characters, which no encoder escapes, and which no
policy text holds (``split`` refuses a text that does).

The rendering functions give, for a column, each row's JSON token or text exactly as
``json.dumps(to_json_value(value), ensure_ascii=False)`` writes it (and ``str`` of it).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

import polars as pl

from govrules.columnar.columns import Column

__all__ = ["Hole", "fill", "render_tokens", "render_texts", "split", "text_mark", "token"]

_TOKEN = re.compile('"\ue000([0-9]+)\ue001"')
_TEXT = re.compile("\ue002([0-9]+)\ue003")
_ANY = re.compile("[\ue000-\ue003]")

Pieces = list[str | int]  # literal text, or the number of a hole


def token(number: int) -> str:
    return f"\ue000{number}\ue001"


def text_mark(number: int) -> str:
    return f"\ue002{number}\ue003"


class Hole(str):
    """A value in a template: written as the token mark of hole ``number``, shown (``str``) as
    the text mark of hole ``shown``, and equal to its partner exactly when the rows of the
    template hold equal values."""

    __slots__ = ("equal", "shown")
    equal: bool
    shown: str

    def __new__(cls, number: int, shown: int, equal: bool = False) -> Hole:
        made = super().__new__(cls, token(number))
        made.equal = equal
        made.shown = text_mark(shown)
        return made

    def __str__(self) -> str:
        return self.shown

    def __eq__(self, other: object) -> bool:
        return self.equal

    def __ne__(self, other: object) -> bool:
        return not self.equal

    def __hash__(self) -> int:
        return str.__hash__(self)


def plain(value: Any) -> Any:
    """A JSON value with every ``Hole`` turned into plain text (its token mark)."""
    if isinstance(value, Hole):
        return str.__add__("", value)
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(item) for item in value]
    return value


def split(text: str) -> Pieces:
    """A serialised template as literal pieces and hole numbers (token holes then text)."""
    pieces: Pieces = []
    for index, part in enumerate(_TOKEN.split(text)):
        if index % 2:
            pieces.append(int(part))
            continue
        for inner, chunk in enumerate(_TEXT.split(part)):
            if inner % 2:
                pieces.append(-1 - int(chunk))  # a text hole: numbered below zero
            elif chunk:
                if _ANY.search(chunk):
                    raise ValueError("a template text holds a private-use mark")
                pieces.append(chunk)
    return pieces


def fill(
    keys: pl.Series | None,
    templates: Mapping[int, Pieces],
    holes: Mapping[int, pl.Series],
    rows: int,
) -> pl.Series:
    """Each row's text: the template of its key (or the only one, when ``keys`` is None) with
    its holes filled from ``holes`` (text holes by the negative numbers ``split`` gives)."""
    if keys is None:
        (only,) = templates.values()
        return _concat(only, holes, pl.DataFrame({"~": pl.repeat(0, rows, eager=True)}))
    plain_texts = {k: "".join(p for p in t if isinstance(p, str)) for k, t in templates.items()}
    if all(all(isinstance(p, str) for p in t) for t in templates.values()):
        return keys.replace_strict(
            list(plain_texts), list(plain_texts.values()), return_dtype=pl.String
        )
    used = {p if p >= 0 else -1 - p for t in templates.values() for p in t if isinstance(p, int)}
    frame = pl.DataFrame({"~key": keys, "~row": pl.int_range(rows, eager=True)})
    frame = frame.with_columns(*(holes[n].alias(f"h{n}") for n in sorted(used)))
    parts = []
    for (key,), group in frame.partition_by("~key", as_dict=True).items():
        text = _concat(templates[int(key)], holes, group, prefix="h")
        parts.append(pl.DataFrame({"~row": group["~row"], "t": text}))
    joined = pl.concat(parts).sort("~row")
    return joined["t"]


def _concat(
    pieces: Sequence[str | int],
    holes: Mapping[int, pl.Series],
    frame: pl.DataFrame,
    prefix: str = "",
) -> pl.Series:
    if all(isinstance(piece, str) for piece in pieces):
        return pl.repeat("".join(str(p) for p in pieces), frame.height, dtype=pl.String, eager=True)
    exprs: list[pl.Expr] = []
    for piece in pieces:
        if isinstance(piece, str):
            exprs.append(pl.lit(piece))
        else:
            number = piece if piece >= 0 else -1 - piece
            exprs.append(pl.col(f"{prefix}{number}") if prefix else pl.lit(holes[number]))
    return frame.select(pl.concat_str(exprs).alias("t")).to_series()


# --------------------------------------------------------------------------- rendering


def decimal_text(column: Column, rows: int) -> tuple[pl.Series, pl.Series]:
    """``format(value, "f")`` of each decimal, and the rows it cannot write (exponent > 0).

    The digits before and after the point are cut arithmetically (in 64 bits when every
    coefficient fits, as amounts and rates do), the places read from each row's exponent."""
    exp, coef = column.exponents_and_coefficients(rows)
    frame = pl.DataFrame({"c": coef, "e": exp})
    small = bool(frame.select(((pl.col("c").abs() < 10**18) & (pl.col("e") >= -18)).all()).item())
    magnitude = pl.col("c").abs().cast(pl.Int64 if small else pl.Int128)
    places = (-pl.col("e")).clip(0, 38 if not small else 18)
    powers = sorted(frame["e"].drop_nulls().unique().to_list())
    unit: pl.Expr = pl.lit(1, dtype=pl.Int64 if small else pl.Int128)
    for exponent in powers:
        if exponent < 0 and -exponent <= (18 if small else 38):
            scale = pl.lit(10**-exponent, dtype=pl.Int64 if small else pl.Int128)
            unit = pl.when(pl.col("e") == exponent).then(scale).otherwise(unit)
    frame = frame.select(
        c=pl.col("c"),
        e=pl.col("e"),
        p=places,
        whole=(magnitude // unit).cast(pl.String),
        fraction=(magnitude % unit).cast(pl.String),
    )
    body = (
        pl.when(pl.col("p") > 0)
        .then(pl.col("whole") + "." + pl.col("fraction").str.zfill(pl.col("p")))
        .otherwise(pl.col("whole"))
    )
    out = frame.select(
        t=pl.when(pl.col("c") < 0).then("-" + body).otherwise(body),
        bad=((pl.col("e") > 0) | (pl.col("e") < -38)).fill_null(False),
    )
    return out["t"], out["bad"]


def render_tokens(column: Column, rows: int) -> tuple[pl.Series, pl.Series]:
    """Each row's JSON token (``null`` for MISSING), and the rows it cannot write."""
    none = pl.repeat(False, rows, eager=True)
    if column.constant and column.kind != "dec":
        from govrules.values import to_json_value

        written = json.dumps(to_json_value(column.value), ensure_ascii=False)
        return pl.repeat(written, rows, eager=True), none
    if column.kind == "dec":
        digits, bad = decimal_text(column, rows)
        return ('"' + digits + '"').fill_null("null"), bad
    data = column.series(rows)
    if column.kind == "bool":
        return data.replace_strict([True, False], ["true", "false"], default="null"), none
    if column.kind == "int":
        return data.cast(pl.String).fill_null("null"), none
    if column.kind == "date":
        return ('"' + data.dt.strftime("%Y-%m-%d") + '"').fill_null("null"), none
    if column.kind == "datetime":
        micro = (data.dt.microsecond() != 0).fill_null(False)
        moments = ('"' + data.dt.strftime("%Y-%m-%dT%H:%M:%S") + '"').fill_null("null")
        return moments, micro
    return _json_strings(data), none


def render_texts(column: Column, rows: int) -> tuple[pl.Series, pl.Series]:
    """Each row's ``str(to_json_value(value))`` as it sits inside a JSON string."""
    if column.kind == "dec" and not column.constant:
        return decimal_text(column, rows)
    tokens, bad = render_tokens(column, rows)
    if column.kind in ("dec", "date", "datetime", "str"):
        inner = tokens.str.slice(1, tokens.str.len_chars() - 2)
        return inner, bad
    if column.kind == "bool":
        return tokens.replace_strict(["true", "false"], ["True", "False"], default=None), bad
    return tokens, bad


def _json_strings(data: pl.Series) -> pl.Series:
    """JSON strings as ``json.dumps(..., ensure_ascii=False)`` writes them: each distinct
    text once (an enum has a handful)."""
    distinct = data.drop_nulls().unique().to_list()
    written = [json.dumps(text, ensure_ascii=False) for text in distinct]
    return data.replace_strict(distinct, written, default="null", return_dtype=pl.String)
