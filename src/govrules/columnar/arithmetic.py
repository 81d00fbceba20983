"""Exact arithmetic on columns, as ``Decimal`` does it in the engine's context, row by row.

    total, overflow = arithmetic("+", price, extra, rows)   # exponent: the smaller of the two
    fen, negative_zero = round_fen(amount, "half_up", rows)   # quantized to 0.01, as Decimal
    compare(">=", proposed, lowest, rows)                    # numerically: 0.10 == 0.1

A sum keeps the smaller exponent, a product the sum of the exponents, a rounding to the fen the
exponent -2 -- the digits ``Decimal`` writes. Every coefficient stays below ``LIMIT`` (10**37,
far inside an ``Int128`` and the engine's 50 digits); a row whose result would not, or that
``Decimal`` would write as a negative zero, is returned in the second mask, for the per-case
engine. A function that cannot compute two columns of these kinds returns ``None``.
"""

from __future__ import annotations

from typing import Any

import polars as pl

from govrules.columnar.columns import LIMIT, Column, NotColumnar, pow10
from govrules.values import MISSING, exact_decimal

__all__ = [
    "all_known",
    "as_decimal",
    "normalised",
    "arithmetic",
    "compare",
    "extreme",
    "member",
    "round_fen",
    "unify",
]

_DIRECT = frozenset({"int", "date", "datetime", "str", "bool"})
_HALF_INT = 2**31


def as_decimal(column: Column) -> Column:
    """An integer column as decimals (exponent 0), as ``Decimal(int)`` makes them."""
    if column.kind == "dec":
        return column
    if column.constant:
        return Column.of(column.value, "dec")
    assert column.data is not None
    data = column.data.cast(pl.Int128)
    exp = pl.DataFrame({"d": data}).select(
        pl.when(pl.col("d").is_null()).then(None).otherwise(pl.lit(0, dtype=pl.Int32))
    )
    return Column.decimals(data, exp.to_series())


def unify(a: Column, b: Column) -> tuple[Column, Column]:
    """Two columns of one kind: an integer beside a decimal is a decimal (as ``Decimal``
    treats an ``int``), an unknown constant takes the other's kind."""
    if a.kind == b.kind:
        return a, b
    if a.constant and a.value is MISSING:
        return Column.of(MISSING, b.kind), b
    if b.constant and b.value is MISSING:
        return a, Column.of(MISSING, a.kind)
    if {a.kind, b.kind} == {"int", "dec"}:
        return as_decimal(a), as_decimal(b)
    raise NotColumnar(f"a value of kind {a.kind} beside one of kind {b.kind}")


def _aligned(a: Column, b: Column, rows: int) -> tuple[pl.DataFrame, pl.Series]:
    """Both coefficients at the smaller exponent (columns ``a``, ``b``, ``e``), and the rows
    where that would pass ``LIMIT`` (their coefficients are left at 0)."""
    ea, ca = a.exponents_and_coefficients(rows)
    eb, cb = b.exponents_and_coefficients(rows)
    if a.constant and b.constant:
        pass
    elif (ea == eb).fill_null(True).all():  # one exponent already: nothing to align
        return (
            pl.DataFrame({"a": ca, "b": cb, "e": ea.fill_null(eb)}).with_columns(
                over=pl.repeat(False, rows)
            ),
            pl.repeat(False, rows, eager=True),
        )
    frame = pl.DataFrame({"ea": ea, "ca": ca, "eb": eb, "cb": cb}).with_columns(
        e=pl.min_horizontal("ea", "eb")
    )
    ka, kb = frame["ea"] - frame["e"], frame["eb"] - frame["e"]
    frame = frame.with_columns(pa=pow10(ka), pb=pow10(kb), la=_limits(ka), lb=_limits(kb))
    # below LIMIT // 10**k, read from a table of the few shifts there are: a division of
    # 128-bit integers per row costs more than the rest of the alignment
    fits = ((pl.col("ca").abs() < pl.col("la")) & (pl.col("cb").abs() < pl.col("lb"))).fill_null(
        False
    )
    known = pl.col("ca").is_not_null() & pl.col("cb").is_not_null()
    out = frame.select(
        a=pl.when(fits).then(pl.col("ca") * pl.col("pa")).when(known).then(0).otherwise(None),
        b=pl.when(fits).then(pl.col("cb") * pl.col("pb")).when(known).then(0).otherwise(None),
        e=pl.col("e"),
        over=known & ~fits,
    )
    return out, out["over"]


def _limits(shifts: pl.Series) -> pl.Series:
    """``LIMIT // 10**k`` for each shift ``k`` (0 to 38) as Int128; null for others."""
    found = [k for k in shifts.drop_nulls().unique().to_list() if 0 <= k < 39]
    if not found:
        return pl.repeat(None, shifts.len(), dtype=pl.Int128, eager=True)
    bound: pl.Expr = pl.lit(None, dtype=pl.Int128)
    for k in found:
        bound = (
            pl.when(pl.col("k") == k).then(pl.lit(LIMIT // 10**k, dtype=pl.Int128)).otherwise(bound)
        )
    return pl.DataFrame({"k": shifts}).select(bound).to_series()


def compare(op: str, a: Column, b: Column, rows: int) -> tuple[Column, pl.Series] | None:
    """``a op b`` numerically for decimals, directly for the other kinds; unknown where either
    is; the second mask holds rows too large to align."""
    a, b = unify(a, b)
    none = pl.repeat(False, rows, eager=True)
    if a.kind in _DIRECT:
        left, right = a.series(rows), b.series(rows)
        return Column("bool", _OPS[op](left, right)), none
    if a.kind != "dec":
        return None
    frame, over = _aligned(a, b, rows)
    return Column("bool", _OPS[op](frame["a"], frame["b"])), over


_OPS: dict[str, Any] = {
    "==": lambda x, y: x == y,
    "!=": lambda x, y: x != y,
    "<": lambda x, y: x < y,
    "<=": lambda x, y: x <= y,
    ">": lambda x, y: x > y,
    ">=": lambda x, y: x >= y,
}


def member(a: Column, items: tuple[Any, ...], negate: bool, rows: int) -> Column | None:
    """``a in items`` for a list of constants of ``a``'s own kind (not decimals)."""
    if a.kind not in ("str", "int", "date", "bool") or not all(
        type(item) is type(items[0]) for item in items
    ):
        return None
    found = a.series(rows).is_in(list(items))
    return Column("bool", ~found if negate else found)


def arithmetic(op: str, a: Column, b: Column, rows: int) -> tuple[Column, pl.Series] | None:
    """``a op b`` for ``+``, ``-``, ``*`` on integers and decimals."""
    a, b = unify(a, b)
    if a.kind == "int":
        x, y = a.series(rows), b.series(rows)
        bound = _HALF_INT if op == "*" else 2**61
        fits = (x.abs() < bound) & (y.abs() < bound)
        frame = pl.DataFrame({"x": x, "y": y, "f": fits.fill_null(True)})
        x0 = pl.when(pl.col("f")).then(pl.col("x")).otherwise(0)
        y0 = pl.when(pl.col("f")).then(pl.col("y")).otherwise(0)
        value = {"+": x0 + y0, "-": x0 - y0, "*": x0 * y0}[op]
        out = frame.select(v=value, over=~pl.col("f"))
        return Column("int", out["v"]), out["over"]
    if a.kind != "dec":
        return None
    if op == "*":
        ea, ca = a.exponents_and_coefficients(rows)
        eb, cb = b.exponents_and_coefficients(rows)
        frame = pl.DataFrame({"ea": ea, "ca": ca, "eb": eb, "cb": cb})
        small = ((pl.col("ca").abs() < 10**18) & (pl.col("cb").abs() < 10**19)).fill_null(True)
        product = pl.when(small).then(pl.col("ca") * pl.col("cb")).otherwise(0)
        negative = (pl.col("ca") < 0) | (pl.col("cb") < 0)
        out = frame.select(
            c=product,
            e=pl.col("ea") + pl.col("eb"),
            over=(~small | ((product == 0) & negative)).fill_null(False),
        )
        return Column.decimals(out["c"], out["e"]), out["over"]
    frame, over = _aligned(a, b, rows)
    total = frame["a"] + frame["b"] if op == "+" else frame["a"] - frame["b"]
    too_big = (total.abs() >= LIMIT).fill_null(False)
    return Column.decimals(total, frame["e"]), over | too_big


def all_known(parts: list[Column], rows: int) -> Column:
    """``all_known``: the known checks all hold; unknown when none of them is known."""
    frame = pl.DataFrame({f"p{i}": part.series(rows) for i, part in enumerate(parts)})
    columns = [pl.col(name) for name in frame.columns]
    any_false = pl.any_horizontal([(c == False).fill_null(False) for c in columns])  # noqa: E712
    any_known = pl.any_horizontal([c.is_not_null() for c in columns])
    result = frame.select(
        pl.when(any_false).then(False).when(any_known).then(True).otherwise(None)
    ).to_series()
    return Column("bool", result)


def round_fen(part: Column, mode: str, rows: int) -> tuple[Column, pl.Series] | None:
    """``round_fen(x, mode)``: x quantized to 0.01 in the rounding mode, as ``Decimal``."""
    if part.kind not in ("dec", "int"):
        return None
    exp, coef = as_decimal(part).exponents_and_coefficients(rows)
    frame = pl.DataFrame({"e": exp, "c": coef}).with_columns(
        k=(-2 - pl.col("e")).cast(pl.Int64), m=pl.col("c").abs()
    )
    frame = frame.with_columns(p=pow10(frame["k"].clip(0, 38)), up=pow10((-frame["k"]).clip(0, 38)))
    q, r = pl.col("m") // pl.col("p"), pl.col("m") % pl.col("p")
    half = pl.col("p") // 2  # p is a power of ten above 1 where rounding happens: exact
    bump = {
        "half_up": r >= half,
        "half_down": r > half,
        "half_even": (r > half) | ((r == half) & (q % 2 == 1)),
        "down": pl.lit(False),
        "up": r > 0,
        "ceiling": (r > 0) & (pl.col("c") > 0),
        "floor": (r > 0) & (pl.col("c") < 0),
    }.get(mode)
    if bump is None:
        return None
    limit = pl.lit(LIMIT, dtype=pl.Int128)
    scaled_fits = (pl.col("m") < limit // pl.col("up")).fill_null(False)
    rounded = pl.when(pl.col("k") > 0).then(q + bump.cast(pl.Int128))
    magnitude = rounded.when(scaled_fits).then(pl.col("m") * pl.col("up")).otherwise(0)
    signed = (
        pl.when(pl.col("c") < 0).then(pl.lit(0, dtype=pl.Int128) - magnitude).otherwise(magnitude)
    )
    out = frame.select(
        c=pl.when(pl.col("c").is_null()).then(None).otherwise(signed),
        e=pl.when(pl.col("c").is_null()).then(None).otherwise(pl.lit(-2, dtype=pl.Int32)),
        bad=(
            ((pl.col("k") > 36) | ((pl.col("k") <= 0) & ~scaled_fits))
            | ((pl.col("c") < 0) & (signed == 0))
        ).fill_null(False),
    )
    return Column.decimals(out["c"], out["e"]), out["bad"]


def extreme(name: str, parts: list[Column], rows: int) -> tuple[Column, pl.Series] | None:
    """``min``, ``max`` and ``clamp`` of scalars, picking the operand Python's would pick (the
    first of equal values, with its own digits)."""
    kinds = {part.kind for part in parts if not (part.constant and part.value is MISSING)}
    if (
        kinds - {"dec", "int", "date", "datetime", "str"}
        or len(kinds) > 1
        and kinds
        != {
            "dec",
            "int",
        }
    ):
        return None
    if kinds == {"dec", "int"}:
        parts = [as_decimal(part) for part in parts]
    over = pl.repeat(False, rows, eager=True)

    def pick(first: Column, later: Column, op: str) -> Column:
        nonlocal over
        found = compare(op, later, first, rows)
        assert found is not None
        better, too_big = found
        over = over | too_big
        return later.take(better.series(rows).fill_null(False), first, rows)

    if name == "clamp":
        x, low, high = parts
        result = pick(low, pick(x, high, "<"), ">")
    else:
        result = parts[0]
        for part in parts[1:]:
            result = pick(result, part, "<" if name == "min" else ">")
    known = pl.repeat(True, rows, eager=True)
    for part in parts:
        known = known & part.known(rows)
    return result.take(known, Column.of(MISSING, result.kind), rows), over


def normalised(column: Column, rows: int) -> Column:
    """Decimals in their one spelling (``exact_decimal``): trailing zeros of the coefficient
    moved into the exponent while it is negative; zero is 0. Other kinds as they are."""
    if column.kind != "dec":
        return column
    if column.constant:
        if column.value is MISSING or type(column.value) is int:
            return column
        return Column.of(exact_decimal(column.value), "dec")
    exp, coef = column.exponents_and_coefficients(rows)
    frame = pl.DataFrame({"c": coef, "e": exp})
    for _ in range(40):
        strip = (pl.col("e") < 0) & (pl.col("c") % 10 == 0) & (pl.col("c") != 0)
        if not frame.select(strip.any()).item():
            break
        frame = frame.select(
            c=pl.when(strip).then(pl.col("c") // 10).otherwise(pl.col("c")),
            e=pl.when(strip).then(pl.col("e") + 1).otherwise(pl.col("e")),
        )
    frame = frame.select(
        c=pl.col("c"),
        e=pl.when(pl.col("c").is_null())
        .then(None)
        .when(pl.col("c") == 0)
        .then(0)
        .otherwise(pl.col("e")),
    )
    return Column.decimals(frame["c"], frame["e"])
