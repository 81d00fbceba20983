"""Lazy columns at a fixed scale: the values of one expression for every row, as a polars
expression, for the value columns (``--columns values``) computed in one lazy query.

    price = Lazy.number(pl.col("contract_price"), scale=2, bound=10**17)  # fen, |coef| < bound
    total, over = arithmetic("*", price, rate)   # scale 2 + 3, no Python object per row
    compare(">=", proposed, lowest)              # numerically: 0.10 == 0.1

A value column needs a decision's numbers, not their digits (``0.04`` and ``0.040`` are one
``decimal128`` value), so a decimal here is a coefficient at a scale fixed for the whole
column -- ``Decimal`` keeps an exponent per value, which the decision rows need and which
costs a branch per row. Each decimal also carries a bound on its coefficient, known when the
query is built: a step whose result may pass ``LIMIT`` (10**37, far inside ``Int128``, and
exact in the engine's 50 digits) checks its rows and returns them in a mask, for the per-case
engine; a step that cannot pass it checks nothing. A coefficient here is never smaller than
the engine's for the same number (its scale is at least the engine's places), so a row this
path computes without passing ``LIMIT`` is one the engine computes exactly too.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import polars as pl

from govrules.columnar.columns import LIMIT, NotColumnar, decimal_parts
from govrules.records import record
from govrules.values import MISSING, exact_decimal

__all__ = ["DTYPES", "Lazy", "arithmetic", "compare", "extreme", "round_fen", "unify"]

DTYPES: dict[str, Any] = {
    "dec": pl.Int128,
    "int": pl.Int64,
    "bool": pl.Boolean,
    "date": pl.Date,
    "datetime": pl.Datetime("us"),
    "str": pl.String,
}
_FALSE = pl.lit(False)


# A coefficient bounded below this is computed in Int64 (several times faster than Int128).
NARROW = 2**62


def _int128(value: int) -> pl.Expr:
    return pl.lit(value, dtype=pl.Int128)


def _int(value: int, bound: int) -> pl.Expr:
    """A literal of the width a result of this ``bound`` is computed in."""
    return pl.lit(value, dtype=pl.Int128 if bound > NARROW else pl.Int64)


def negated(part: Lazy) -> Lazy:
    """``-x`` of a decimal (polars does not negate an Int128)."""
    return Lazy.number(_int(0, part.bound) - part.e(), part.scale, part.bound)


def _width(expr: pl.Expr, bound: int) -> pl.Expr:
    """``expr`` in the width a result of this ``bound`` is computed in (cast before the step,
    so that no Int64 step can overflow)."""
    return expr.cast(pl.Int128) if bound > NARROW else expr


@record
class Lazy:
    """One value per row (``expr``; for decimals the coefficient at ``scale``, every row's
    ``|coefficient| < bound``), or the constant ``value`` when ``expr`` is ``None``."""

    kind: str
    expr: pl.Expr | None = None
    value: Any = MISSING
    scale: int = 0
    bound: int = 1

    @staticmethod
    def of(value: Any, kind: str) -> Lazy:
        if kind == "dec" and value is not MISSING and value is not None:
            coef, exp = decimal_parts(value)
            assert coef is not None and exp is not None
            if abs(coef) >= LIMIT or exp > 37:
                raise NotColumnar(f"the constant {value} has too many digits")
            scale = max(0, -exp)
            return Lazy("dec", None, value, scale, abs(coef * 10 ** (exp + scale)) + 1)
        return Lazy(kind, None, value)

    @staticmethod
    def number(expr: pl.Expr, scale: int, bound: int) -> Lazy:
        return Lazy("dec", expr, MISSING, scale, bound)

    @property
    def constant(self) -> bool:
        return self.expr is None

    @property
    def missing(self) -> bool:
        return self.expr is None and self.value is MISSING

    def known(self) -> pl.Expr:
        if self.expr is None:
            return pl.lit(self.value is not MISSING)
        return self.expr.is_not_null()

    def e(self) -> pl.Expr:
        """The expression of every row (a constant as a literal of the column's type)."""
        if self.expr is not None:
            return self.expr
        if self.value is MISSING:
            return pl.lit(None, dtype=pl.Int64 if self.kind == "dec" else DTYPES[self.kind])
        if self.kind == "dec":
            coef, exp = decimal_parts(self.value)
            assert coef is not None and exp is not None
            return _int(coef * 10 ** (exp + self.scale), self.bound)
        return pl.lit(self.value, dtype=DTYPES[self.kind])

    def at(self, scale: int) -> tuple[pl.Expr, pl.Expr | None, int]:
        """The coefficient at a larger ``scale``, the rows where it would pass ``LIMIT``
        (their coefficient is 0; ``None`` when no row can), and its bound."""
        shift = scale - self.scale
        assert shift >= 0 and self.kind == "dec"
        if shift == 0:
            return self.e(), None, self.bound
        if self.expr is None:
            if self.value is MISSING:
                return self.e(), None, 1
            bound = self.bound * 10**shift
            if bound > LIMIT:
                raise NotColumnar(f"the constant {self.value} at {scale} places")
            return _scaled_constant(self.value, scale, bound), None, bound
        bound = self.bound * 10**shift
        if bound <= LIMIT:
            return _width(self.expr, bound) * _int(10**shift, bound), None, bound
        wide = self.expr.cast(pl.Int128)
        fits = (wide.abs() < _int128(LIMIT // 10**shift)).fill_null(True)  # unknown stays so
        moved_expr = pl.when(fits).then(wide * _int128(10**shift)).otherwise(_int128(0))
        return moved_expr, ~fits, LIMIT


def _scaled_constant(value: Any, scale: int, bound: int) -> pl.Expr:
    coef, exp = decimal_parts(value)
    assert coef is not None and exp is not None
    return _int(coef * 10 ** (exp + scale), bound)


def as_decimal(part: Lazy) -> Lazy:
    """An integer column as decimals at scale 0 (``Decimal(int)``)."""
    if part.kind == "dec":
        return part
    if part.expr is None:
        return Lazy.of(part.value, "dec")
    # the integers of a column are at most MAX_INTEGER or a sum or product of them: 2**63
    return Lazy.number(part.expr.cast(pl.Int128), 0, 2**63)


def unify(a: Lazy, b: Lazy) -> tuple[Lazy, Lazy]:
    """Two columns of one kind, as ``columns.unify`` makes them."""
    if a.kind == b.kind:
        return a, b
    if a.missing:
        return Lazy.of(MISSING, b.kind), b
    if b.missing:
        return a, Lazy.of(MISSING, a.kind)
    if {a.kind, b.kind} == {"int", "dec"}:
        return as_decimal(a), as_decimal(b)
    raise NotColumnar(f"a value of kind {a.kind} beside one of kind {b.kind}")


def _either(a: pl.Expr | None, b: pl.Expr | None) -> pl.Expr | None:
    if a is None:
        return b
    return a if b is None else a | b


def aligned(a: Lazy, b: Lazy) -> tuple[pl.Expr, pl.Expr, int, int, pl.Expr | None]:
    """Both coefficients at the larger scale, that scale, the larger bound, and the rows where
    one would pass ``LIMIT``."""
    scale = max(a.scale, b.scale)
    ea, over_a, bound_a = a.at(scale)
    eb, over_b, bound_b = b.at(scale)
    return ea, eb, scale, max(bound_a, bound_b), _either(over_a, over_b)


_OPS: dict[str, Any] = {
    "==": lambda x, y: x == y,
    "!=": lambda x, y: x != y,
    "<": lambda x, y: x < y,
    "<=": lambda x, y: x <= y,
    ">": lambda x, y: x > y,
    ">=": lambda x, y: x >= y,
}


def compare(op: str, a: Lazy, b: Lazy) -> tuple[Lazy, pl.Expr | None] | None:
    """``a op b``: numerically for decimals, directly for the other kinds."""
    a, b = unify(a, b)
    if a.kind in ("int", "date", "datetime", "str", "bool"):
        return Lazy("bool", _OPS[op](a.e(), b.e())), None
    if a.kind != "dec":
        return None
    ea, eb, _, bound, over = aligned(a, b)
    return Lazy("bool", _OPS[op](_width(ea, bound), _width(eb, bound))), over


def arithmetic(op: str, a: Lazy, b: Lazy) -> tuple[Lazy, pl.Expr | None] | None:
    """``a op b`` for ``+``, ``-``, ``*`` on integers and decimals, exactly."""
    a, b = unify(a, b)
    if a.kind == "int":
        x, y = a.e(), b.e()
        bound = 2**31 if op == "*" else 2**61
        fits = ((x.abs() < bound) & (y.abs() < bound)).fill_null(True)
        x0, y0 = pl.when(fits).then(x).otherwise(0), pl.when(fits).then(y).otherwise(0)
        value = {"+": x0 + y0, "-": x0 - y0, "*": x0 * y0}[op]
        return Lazy("int", value), ~fits
    if a.kind != "dec":
        return None
    if op == "*":
        bound = a.bound * b.bound
        if bound <= LIMIT:
            product = _width(a.e(), bound) * _width(b.e(), bound)
            return Lazy.number(product, a.scale + b.scale, bound), None
        # the product in floating point, ten times below LIMIT: far beyond its rounding error,
        # so a row it lets through is below LIMIT exactly
        approximate = a.e().cast(pl.Float64).abs() * b.e().cast(pl.Float64).abs()
        fits = (approximate < float(LIMIT // 10)).fill_null(True)
        product = pl.when(fits).then(_width(a.e(), LIMIT) * _width(b.e(), LIMIT))
        product = product.otherwise(_int128(0))
        return Lazy.number(product, a.scale + b.scale, LIMIT), ~fits
    ea, eb, scale, bound, over = aligned(a, b)
    ea, eb = _width(ea, 2 * bound), _width(eb, 2 * bound)
    total = ea + eb if op == "+" else ea - eb
    if 2 * bound <= LIMIT:
        return Lazy.number(total, scale, 2 * bound), over
    too_big = (total.abs() >= _int128(LIMIT)).fill_null(False)
    return Lazy.number(total, scale, LIMIT), _either(over, too_big)


_BUMPS = ("half_up", "half_down", "half_even", "down", "up", "ceiling", "floor")


def round_fen(part: Lazy, mode: str) -> tuple[Lazy, pl.Expr | None] | None:
    """``round_fen(x, mode)``: x quantized to 0.01 in the rounding mode, as ``Decimal``."""
    if part.kind not in ("dec", "int") or mode not in _BUMPS:
        return None
    part = as_decimal(part)
    if part.scale <= 2:
        coef, over, bound = part.at(2)
        return Lazy.number(coef, 2, bound), over
    if part.scale > 38:
        raise NotColumnar(f"a rounding of a value of {part.scale} places")
    power = _int(10 ** (part.scale - 2), part.bound)
    c = part.e()
    m = c.abs()
    q, r = m // power, m % power
    half = _int(10 ** (part.scale - 2) // 2, part.bound)
    bump = {
        "half_up": r >= half,
        "half_down": r > half,
        "half_even": (r > half) | ((r == half) & (q % 2 == 1)),
        "down": _FALSE,
        "up": r > 0,
        "ceiling": (r > 0) & (c > 0),
        "floor": (r > 0) & (c < 0),
    }[mode]
    magnitude = q + bump.cast(pl.Int128 if part.bound > NARROW else pl.Int64)
    signed = pl.when(c < 0).then(_int(0, part.bound) - magnitude).otherwise(magnitude)
    bound = part.bound // 10 ** (part.scale - 2) + 2
    return Lazy.number(signed, 2, bound), None


def extreme(name: str, parts: list[Lazy]) -> tuple[Lazy, pl.Expr | None] | None:
    """``min``, ``max`` and ``clamp`` of scalars (unknown when any part is), numerically."""
    kinds = {part.kind for part in parts if not part.missing}
    if kinds - {"dec", "int", "date", "str"} or (len(kinds) > 1 and kinds != {"dec", "int"}):
        return None
    if not kinds:
        return Lazy.of(MISSING, parts[0].kind), None
    kind = "dec" if "dec" in kinds else kinds.pop()
    parts = [as_decimal(part) if kind == "dec" else part for part in parts]
    known = pl.all_horizontal([part.known() for part in parts])
    over: pl.Expr | None = None
    if kind == "dec":
        scale = max(part.scale for part in parts)
        exprs = []
        bound = 1
        for part in parts:
            coef, too_big, part_bound = part.at(scale)
            exprs.append(coef)
            bound = max(bound, part_bound)
            over = _either(over, too_big)
        exprs = [_width(expr, bound) for expr in exprs]
    else:
        exprs = [part.e() for part in parts]
    if name == "clamp":
        x, low, high = exprs
        picked = pl.max_horizontal(low, pl.min_horizontal(x, high))
    else:
        picked = (pl.min_horizontal if name == "min" else pl.max_horizontal)(exprs)
    value = pl.when(known).then(picked)
    if kind == "dec":
        return Lazy.number(value, scale, bound), over
    return Lazy(kind, value), over


def take(mask: pl.Expr, a: Lazy, b: Lazy) -> tuple[Lazy, pl.Expr | None]:
    """``a`` where ``mask`` holds, ``b`` elsewhere (null where the mask is null)."""
    a, b = unify(a, b)
    if a.kind != "dec":
        return Lazy(a.kind, pl.when(mask).then(a.e()).otherwise(b.e())), None
    ea, eb, scale, bound, over = aligned(a, b)
    chosen = pl.when(mask).then(_width(ea, bound)).otherwise(_width(eb, bound))
    return Lazy.number(chosen, scale, bound), over


def python_value(kind: str, value: Any, scale: int) -> Any:
    """A row's value as the engine's function is given it (a decimal in its one spelling)."""
    if value is None:
        return MISSING
    if kind == "dec":
        return exact_decimal(Decimal(f"{value}E-{scale}"))
    return value
