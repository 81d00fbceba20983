"""A batch written as typed value columns (``govrules batch --columns values``): per input row
its outcome and each of the policy's values in a Parquet column of its own type, exact --
what a payroll system loads, where a decision row (``--columns decision``) carries the whole
decision as JSON text with its citations and fingerprint.

    with ValuesWriter(Path("values.parquet"), policy) as write:
        write(7, decision)          # or a BadRow: its problems in ``error``

The columns: ``row`` (int64), ``outcome`` (string, null for a refused row), one column per
value of the policy, named as the value (decimals ``decimal128(38, 18)``; integers int64;
dates date32; date-times timestamp[us]; texts, enums strings; booleans bool; a list or a
record as its JSON text), and ``error`` (null, or the problems of a refused row, one a line).
A decimal the column cannot hold exactly (more than 18 places, or 20 digits before the point)
refuses the row, naming the value. ``decide_values_in_columns`` fills the same columns from
the columnar path (``govrules.columnar.value_columns``), deciding case by case the rows it
leaves to the engine.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from contextlib import AbstractContextManager
from decimal import Decimal
from pathlib import Path
from typing import Any

from govrules.batch.columnar_batch import (
    ColumnarUnavailable,
    _csv_chunks,
    _parquet_chunks,
    _per_case,
)
from govrules.batch.parquet_cases import import_pyarrow
from govrules.batch.problems import BadRow, Problem
from govrules.batch.running import BatchSummary
from govrules.compiler.policy import CompiledPolicy
from govrules.engine import Engine
from govrules.runtime.decision import Decision
from govrules.values import MISSING, to_json_value

__all__ = ["COLUMN_FORMS", "ValuesWriter", "decide_values_in_columns", "values_schema"]

# What a Parquet row holds: the whole decision (the default) or typed value columns.
COLUMN_FORMS = ("decision", "values")
PLACES, DIGITS = 18, 38
_RESERVED = ("row", "outcome", "error")
_ROWS_AT_ONCE = 1024
# Rows decided in columns at once, and a Parquet row group of a table decided in columns
CHUNK = 256 * 1024
_GROUP = 128 * 1024


def values_schema(policy: CompiledPolicy) -> Any:
    """The Arrow schema of the value columns of ``policy`` (``ValueError`` for a value named
    like one of the other columns)."""
    pa = import_pyarrow()
    fields = [("row", pa.int64()), ("outcome", pa.string())]
    for output in policy.outputs:
        if output.internal:
            continue
        if output.name in _RESERVED:
            raise ValueError(f"the value {output.name!r} has the name of a column of its own")
        fields.append((output.name, _arrow_type(pa, output)))
    fields.append(("error", pa.string()))
    return pa.schema(fields)


def _arrow_type(pa: Any, output: Any) -> Any:
    if output.collect:
        return pa.string()
    return {
        "money": pa.decimal128(DIGITS, PLACES),
        "rate": pa.decimal128(DIGITS, PLACES),
        "decimal": pa.decimal128(DIGITS, PLACES),
        "integer": pa.int64(),
        "bool": pa.bool_(),
        "date": pa.date32(),
        "datetime": pa.timestamp("us"),
        "text": pa.string(),
        "enum": pa.string(),
    }.get(output.type.kind, pa.string())


class ValuesWriter(AbstractContextManager["ValuesWriter"]):
    """Rows of value columns written to a Parquet file, a thousand at a time."""

    def __init__(self, path: Path, policy: CompiledPolicy) -> None:
        pa = import_pyarrow()
        self._pa = pa
        self.schema = values_schema(policy)
        self._names = [field.name for field in self.schema][2:-1]
        self._decimal = {field.name for field in self.schema if pa.types.is_decimal(field.type)}
        self._text = {
            field.name
            for field in self.schema
            if field.name in self._names and pa.types.is_string(field.type)
        }
        # min/max statistics and dictionaries of decimal128 columns are most of the cost of
        # writing them (a comparison of 16-byte values per row), and amounts to the fen are
        # seldom repeated; row numbers never are: a dictionary of them is built to be dropped
        plain = [field.name for field in self.schema if field.name not in self._decimal]
        try:
            self._file = pa.parquet.ParquetWriter(
                str(path),
                self.schema,
                use_dictionary=[name for name in plain if name != "row"],
                write_statistics=plain,
            )
        except (OSError, pa.ArrowException) as error:
            raise OSError(f"{path}: cannot be written ({error})") from None
        self._rows: list[dict[str, Any]] = []
        self._writing: threading.Thread | None = None
        self._failed: list[BaseException] = []

    def checked(self, row: int, made: Decision | BadRow) -> Decision | BadRow:
        """The decision, or the ``BadRow`` of a decision with a value no column holds."""
        if isinstance(made, BadRow):
            return made
        for name in self._decimal:
            value = made.values.get(name, MISSING)
            if value is not MISSING and value is not None and _held(value) is None:
                problem = Problem(
                    "value-not-held",
                    name,
                    f"{name}: {value} is not held exactly by a decimal of "
                    f"{DIGITS} digits and {PLACES} places",
                )
                return BadRow(row, (problem,))
        return made

    def row(self, row: int, made: Decision | BadRow) -> dict[str, Any]:
        """The columns of one output row (``checked`` first)."""
        made = self.checked(row, made)
        if isinstance(made, BadRow):
            return self._refused(row, made.problems)
        found: dict[str, Any] = {"row": row, "outcome": made.outcome, "error": None}
        for name in self._names:
            value = made.values.get(name, MISSING)
            if value is MISSING or value is None:
                found[name] = None
            elif name in self._decimal:
                found[name] = _held(value)
            elif name in self._text and not isinstance(value, str):
                found[name] = json.dumps(to_json_value(value), ensure_ascii=False)
            else:
                found[name] = value
        return found

    def _refused(self, row: int, problems: tuple[Problem, ...]) -> dict[str, Any]:
        found: dict[str, Any] = dict.fromkeys(self.schema.names)
        found["row"] = row
        found["error"] = "\n".join(f"{p.code}: {p.message}" for p in problems)
        return found

    def __call__(self, row: int, made: Decision | BadRow) -> None:
        """Write one row (``checked`` first: a caller counts what that gives)."""
        self._rows.append(self.row(row, made))
        if len(self._rows) >= _ROWS_AT_ONCE:
            self._flush()

    def table(self, rows: list[dict[str, Any]]) -> Any:
        return self._pa.Table.from_pylist(rows, schema=self.schema)

    def write_table(self, table: Any) -> None:
        """Write a whole table of rows, on a thread of its own while the caller decides the
        next one (Arrow lets go of the interpreter lock while it encodes and compresses); one
        table at most waits."""
        self._flush()
        cast = table.cast(self.schema)

        def write() -> None:
            try:
                self._file.write_table(cast, row_group_size=_GROUP)
            except BaseException as error:  # raised again in the caller's thread
                self._failed.append(error)

        self._writing = threading.Thread(target=write, name="govrules-values")
        self._writing.start()

    def _wait(self) -> None:
        if self._writing is not None:
            self._writing.join()
            self._writing = None
        if self._failed:
            raise self._failed.pop()

    def _flush(self) -> None:
        self._wait()
        if self._rows:
            self._file.write_table(self.table(self._rows))
            self._rows = []

    def close(self) -> None:
        try:
            self._flush()
        finally:
            self._file.close()

    def __exit__(self, *exc: object) -> None:
        self.close()


def _held(value: Any) -> Decimal | None:
    """The decimal as the column holds it, or ``None`` when it cannot exactly."""
    if isinstance(value, bool) or not isinstance(value, (Decimal, int)):
        return None
    number = Decimal(value)
    if not number.is_finite():
        return None
    sign, digits, exponent = number.as_tuple()
    assert isinstance(exponent, int)
    # the digits of the coefficient at 18 places: exact when what is cut off is all zeros
    whole = int("".join(map(str, digits)) or "0")
    shift = exponent + PLACES
    if shift >= 0:
        scaled = whole * 10**shift
    elif whole % 10**-shift:
        return None
    else:
        scaled = whole // 10**-shift
    if scaled >= 10**DIGITS:
        return None
    return Decimal((sign, tuple(map(int, str(scaled))), -PLACES))


def decide_values_in_columns(
    engine: Engine,
    policy_id: str,
    path: Path,
    input_format: str,
    as_of: dt.date,
    summary: BatchSummary,
    target: ValuesWriter,
    *,
    chunk: int = CHUNK,
) -> list[BadRow]:
    """Every case of ``path`` decided in columns into value columns; the refused rows are
    returned (for an errors file), in order. ``ColumnarUnavailable`` before any row is
    written when the columns cannot take the batch."""
    import polars as pl

    from govrules.columnar import InputColumnError, NotColumnar
    from govrules.columnar.fused_values import fused_values
    from govrules.columnar.value_columns import decide_values

    pa = import_pyarrow()
    policy = engine.policy(policy_id, as_of)
    if input_format == "parquet":
        chunks = _parquet_chunks(path, policy, chunk, native=True)
    else:
        chunks = _csv_chunks(path, policy, chunk)
    refused_rows: list[BadRow] = []
    first = 1
    shapes = None  # the shapes the chunk before was read at
    for frame, refused, leftover in chunks:
        rows = frame.height
        try:
            try:  # one lazy query; node by node when the query cannot lower the policy
                found, shapes = fused_values(engine, policy_id, frame, as_of, refused, shapes)
            except NotColumnar:
                found = decide_values(engine, policy_id, frame, as_of, refused)
        except (NotColumnar, InputColumnError) as error:
            if first > 1:
                raise  # rows are written already: a fault of this path, not of the batch
            raise ColumnarUnavailable(str(error)) from None
        others = found.per_case.arg_true().to_list()
        columnar = ~found.per_case
        counts = found.outcome.filter(columnar).value_counts()
        for outcome, number in counts.iter_rows():
            summary.outcomes[outcome] += number
        summary.rows += rows - len(others)
        patched = []
        for index, made in _per_case(engine, policy_id, as_of, others, leftover, first):
            made = target.checked(first + index, made)
            summary.count(made)
            patched.append(target.row(first + index, made))
            if isinstance(made, BadRow):
                refused_rows.append(made)
        numbers = pl.int_range(first, first + rows, dtype=pl.Int64, eager=True).to_arrow()
        columns = {
            "row": numbers,
            "outcome": found.outcome.to_arrow(),
            **found.values,
            "error": pa.nulls(rows, pa.string()),
        }
        table = pa.table(columns).cast(target.schema)
        if patched:
            keep = pa.array(columnar.to_list(), pa.bool_())
            table = pa.concat_tables([table.filter(keep), target.table(patched)])
            table = table.sort_by("row")
        target.write_table(table)
        first += rows
    return refused_rows
