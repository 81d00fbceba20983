"""Tables: parameters whose value is a set of cited rows, looked up by one or two keys.

    parameters:
      deadline_days:
        type: table
        keys: {matter: {type: enum, values: [administrative_service, transfer]}}
        value: integer
        values:
          - from: 2019-01-22
            rows:
              - {matter: administrative_service, value: 5, cite: rules#art15.item4}
              - {matter: transfer, value: 30, cite: rules#art27.item2}
      approver:
        type: table
        keys: {amount: {type: money, bands: true}}
        value: {type: enum, values: [deputy, director, party_group_meeting]}
        values:
          - from: 2019-01-22
            cite: rules#art37.item1
            rows:
              - {amount: "[0, 2000)", value: deputy}
              - {amount: "[2000, 5000)", value: director}
              - {amount: "[5000, )", value: party_group_meeting}

A key matched exactly (an enum, text, integer or bool) takes one row per value; a key with
``bands: true`` (a number or a date) takes intervals written with their edges: ``[`` and ``]``
include the edge, ``(`` and ``)`` exclude it, an empty edge is open. Bands of one table may not
overlap, and may not leave gaps between them unless the parameter says ``allow_gaps: true``; a
value below the first band or above the last is in no band (a lookup of it is unknown). Every
row cites its clause (its own ``cite``, or the value's, or the parameter's), and the trace of
a lookup shows the row and the clause.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from govrules.citations import Citation
from govrules.errors import suggest
from govrules.language.expr.ast import Call
from govrules.language.expr.checked import Checked
from govrules.language.expr.types import Type
from govrules.records import record
from govrules.spans import SourceSpan
from govrules.values import effective_text, to_json_value

if TYPE_CHECKING:
    # for the types alone: a decision reads a table (runtime/findings.py) without the compiler
    # stages and the file models (pydantic) that context imports
    from govrules.compiler.context import Compilation

__all__ = ["Band", "Table", "TableRow", "build_table", "check_lookups", "table_type"]

_INTERVAL = re.compile(r"^\s*([\[(])\s*([^,\s]*)\s*,\s*([^,\s]*)\s*([\])])\s*$")


@record
class Band:
    """An interval of a number or a date; ``None`` for an open edge."""

    low: Any
    low_included: bool
    high: Any
    high_included: bool
    text: str

    def holds(self, value: Any) -> bool:
        if self.low is not None and (
            value < self.low or (value == self.low and not self.low_included)
        ):
            return False
        return self.high is None or value < self.high or (value == self.high and self.high_included)


@record
class TableRow:
    """A row found by a lookup: its value, the keys it was written for, its clauses."""

    table: str
    keys: tuple[tuple[str, str], ...]  # (key name, the key as written)
    value: Any
    citations: tuple[Citation, ...]
    effective_from: dt.date
    unverified: bool

    def trace(self) -> dict[str, Any]:
        return {
            "name": self.table,
            "row": dict(self.keys),
            "value": to_json_value(self.value),
            "effective_from": effective_text(self.effective_from),
            "citations": [c.ref for c in self.citations],
            "unverified": self.unverified,
        }


@record
class Table:
    """One version of a table: rows by their exact keys, then by band where a key has bands."""

    name: str
    exact: dict[tuple[Any, ...], TableRow]  # rows of a table without a band key
    banded: dict[tuple[Any, ...], tuple[tuple[Band, TableRow], ...]]  # sorted by lower edge
    band_position: int | None  # which key has bands

    def find(self, *keys: Any) -> TableRow | None:
        if self.band_position is None:
            return self.exact.get(keys)
        value = keys[self.band_position]
        rest = keys[: self.band_position] + keys[self.band_position + 1 :]
        for band, row in self.banded.get(rest, ()):  # a handful of bands: a scan is enough
            if band.holds(value):
                return row
        return None

    def rows(self) -> tuple[TableRow, ...]:
        return (*self.exact.values(), *(row for bands in self.banded.values() for _, row in bands))

    def rows_for(self, position: int) -> set[Any]:
        """The values of an exact key that have rows (for the load-time coverage check)."""
        return (
            {key[position] for key in (*self.exact, *self.banded)}
            if position != self.band_position
            else set()
        )


def table_type(work: Compilation, spec: Any, name: str, value_type: Type) -> Type:
    """The type of a table parameter: its keys, as record fields, and its value type."""
    keys = spec.keys or {}
    if not keys or len(keys) > 2:
        work.problem(
            "table-keys", f"table '{name}' needs one or two keys, has {len(keys)}", work.where(spec)
        )
    banded = [key for key, model in keys.items() if model.bands]
    if len(banded) > 1:
        work.problem(
            "table-keys", f"table '{name}' may have bands on one key only", work.where(spec, "keys")
        )
    fields = []
    for key, model in keys.items():
        if model.type == "enum" and not model.values:
            work.problem(
                "enum-values", f"key '{key}' is an enum without 'values'", work.where(model)
            )
        if model.bands and model.type not in ("integer", "decimal", "money", "rate", "date"):
            work.problem(
                "table-keys",
                f"key '{key}' has bands but is {model.type}",
                work.where(model, "bands"),
            )
        kind = (
            Type("enum", values=tuple(model.values or ()))
            if model.type == "enum"
            else Type(model.type)
        )
        fields.append((key, kind))
    return Type("table", item=value_type, fields=tuple(fields))


def build_table(
    work: Compilation,
    name: str,
    kind: Type,
    spec: Any,
    entry: Any,
    convert: Any,
) -> Table:
    """The rows of one effective-dated value of a table, checked; problems are reported.

    ``convert(value, node)`` checks a row's value against the table's value type.
    """
    key_names = [key for key, _ in kind.fields or ()]
    band_position = next((i for i, key in enumerate(key_names) if spec.keys[key].bands), None)
    exact: dict[tuple[Any, ...], TableRow] = {}
    banded: dict[tuple[Any, ...], list[tuple[Band, TableRow, SourceSpan]]] = {}
    for row in entry.rows or ():
        extra = dict(row.model_extra or {})
        for key in extra:
            if key not in key_names:
                work.problem(
                    "unknown-key",
                    f"'{key}' is not a key of table '{name}' (keys: {', '.join(key_names)})",
                    row.span_of(key) or work.where(row),
                    suggest(key, key_names),
                )
        missing = [key for key in key_names if key not in extra]
        if missing:
            work.problem("table-row", f"the row has no {', '.join(missing)}", work.where(row))
            continue
        citations = _row_citations(work, name, spec, entry, row)
        written = tuple((key, str(extra[key])) for key in key_names)
        values: list[Any] = []
        band: Band | None = None
        for position, (key, key_type) in enumerate(kind.fields or ()):
            if position == band_position:
                band = _band(work, extra[key], key_type, row.span_of(key) or work.where(row))
                values.append(None)
            else:
                values.append(_exact_key(work, extra[key], key, key_type, row))
        value = convert(row.value, row)
        found = TableRow(name, written, value, citations, entry.start, entry.unverified)
        if band_position is None:
            index = tuple(values)
            if index in exact:
                work.problem(
                    "duplicate-row", f"table '{name}' has two rows for {written}", work.where(row)
                )
            exact[index] = found
        elif band is not None:
            rest = tuple(v for i, v in enumerate(values) if i != band_position)
            banded.setdefault(rest, []).append((band, found, work.where(row)))
    ordered = {rest: _ordered(work, name, spec, entry, bands) for rest, bands in banded.items()}
    return Table(name, exact, ordered, band_position)


def _row_citations(
    work: Compilation, name: str, spec: Any, entry: Any, row: Any
) -> tuple[Citation, ...]:
    if row.cite:
        return work.citations(row.cite, row)
    if entry.cite:
        return work.citations(entry.cite, entry)
    if spec.cite:
        return work.citations(spec.cite, spec)
    work.problem(
        "uncited-number",
        f"a row of table '{name}' has no citation",
        work.where(row),
        "add 'cite: source#clause' to the row, the value or the parameter",
    )
    return ()


def _exact_key(work: Compilation, value: Any, key: str, kind: Type, row: Any) -> Any:
    span = row.span_of(key) or work.where(row)
    if kind.kind == "enum":
        if value not in (kind.values or ()):
            work.problem(
                "unknown-enum-value",
                f"'{value}' is not one of {', '.join(kind.values or ())}",
                span,
                suggest(str(value), kind.values or ()),
            )
        return value
    expected = {"text": str, "integer": int, "bool": bool}.get(kind.kind)
    if expected is None or type(value) is not expected:
        work.problem("type-mismatch", f"key '{key}' is {kind}, got {value!r}", span)
    return value


def _edge(text: str, kind: Type) -> Any:
    if text == "":
        return None
    if kind.kind == "date":
        return dt.date.fromisoformat(text)
    number = Decimal(text)
    if not number.is_finite():
        raise ValueError(text)
    return int(number) if kind.kind == "integer" and number == number.to_integral() else number


def _band(work: Compilation, written: Any, kind: Type, span: Any) -> Band | None:
    match = _INTERVAL.match(str(written))
    try:
        if match is None:
            raise ValueError(written)
        low, high = _edge(match.group(2), kind), _edge(match.group(3), kind)
    except (ValueError, InvalidOperation):
        work.problem(
            "bad-band",
            f"'{written}' is not an interval of {kind.kind}s",
            span,
            'write "[2000, 5000)": [ ] include the edge, ( ) exclude it, an empty edge is open',
        )
        return None
    band = Band(low, match.group(1) == "[", high, match.group(4) == "]", str(written).strip())
    if (low is None and band.low_included) or (high is None and band.high_included):
        band = Band(
            low,
            low is not None and band.low_included,
            high,
            high is not None and band.high_included,
            band.text,
        )
    if (
        low is not None
        and high is not None
        and (low > high or (low == high and not (band.low_included and band.high_included)))
    ):
        work.problem("bad-band", f"'{written}' holds no value", span)
        return None
    return band


def _ordered(
    work: Compilation,
    name: str,
    spec: Any,
    entry: Any,
    bands: list[tuple[Band, TableRow, SourceSpan]],
) -> tuple[tuple[Band, TableRow], ...]:
    """The bands by their lower edge; overlaps, and gaps unless allowed, are reported at the
    row of the later band."""
    ordered = sorted(
        bands,
        key=lambda item: (item[0].low is not None, item[0].low or 0, not item[0].low_included),
    )
    for (first, _, _), (second, _, where) in zip(ordered, ordered[1:], strict=False):
        if (
            first.high is None
            or second.low is None
            or first.high > second.low
            or (first.high == second.low and first.high_included and second.low_included)
        ):
            work.problem(
                "band-overlap",
                f"bands {first.text} and {second.text} of table '{name}' overlap",
                where,
            )
        elif not spec.allow_gaps and (
            first.high < second.low or not (first.high_included or second.low_included)
        ):
            work.problem(
                "band-gap",
                f"bands {first.text} and {second.text} of table '{name}' leave a gap",
                where,
                "close the gap, or declare 'allow_gaps: true' (a lookup in it is unknown)",
            )
    return tuple((band, row) for band, row, _ in ordered)


def check_lookups(work: Compilation, checked: Checked, span: SourceSpan) -> None:
    """Each ``lookup`` whose key is an enum finds a row for every member, in every version of
    the table: otherwise a located load error, since no case could make it right."""
    if not work.tables:
        return  # a policy without tables has no lookup to check
    stack = [checked]
    while stack:
        node = stack.pop()
        stack.extend(node.args)
        if not (isinstance(node.node, Call) and node.node.function == "lookup"):
            continue
        table = node.args[0].symbol
        if table is None or table.name not in work.tables:
            continue
        for position, arg in enumerate(node.args[1:]):
            if arg.type.kind != "enum" and not (arg.type.kind == "text" and arg.is_constant):
                continue
            members = arg.type.values if arg.type.kind == "enum" else (arg.constant,)
            for version in work.tables[table.name]:
                absent = [m for m in members or () if m not in version.rows_for(position)]
                if absent:
                    key = (table.type.fields or ())[position][0]
                    work.problem(
                        "table-missing-row",
                        f"table '{table.name}' has no row for {key} "
                        f"{', '.join(repr(m) for m in absent)}",
                        span.shifted(arg.node.offset),
                        "add the rows, or look up a narrower enum",
                    )
                    break
