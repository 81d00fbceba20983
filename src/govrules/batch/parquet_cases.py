"""Parquet cases (pyarrow): one case per row, each column an input of the policy, read exactly.

    cases = parquet_cases(Path("cases.parquet"), engine.policy(policy_id, day))
    next(cases)          # (1, {'contract_price': Decimal('1000000.00'), 'first_deposit': True})

Every column is checked against its input's type before any row, and a column that cannot
hold the input exactly is refused by name: ``decimal128``/``decimal256`` and integer columns
for money, rates and decimals (a ``float`` or ``double`` column is always refused -- a binary
fraction is not an amount of money, even when it looks whole); integer columns for integers;
``date32``/``date64`` for dates; a ``timestamp`` without a time zone for date-times; ``bool``
for booleans; ``list`` and ``struct`` columns for lists and records (the same rules inside).
A text column (``string``, or dictionary-encoded text) is read like a CSV cell
(``batch/cells.py``), for any input. A null is a fact not given. The rows are read a
thousand at a time, so a file of any length is read in bounded memory.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from govrules.batch.cells import CellError, cell_reader, input_types
from govrules.batch.problems import BadRow, Problem
from govrules.compiler.policy import CompiledPolicy
from govrules.errors import CaseFileError, suggest
from govrules.language.expr.types import Type

__all__ = ["import_pyarrow", "parquet_cases"]

_ROWS_AT_ONCE = 1024


def import_pyarrow() -> Any:
    """The ``pyarrow`` module, or a ``CaseFileError`` naming the extra that installs it."""
    try:
        import pyarrow  # type: ignore[import-untyped]
        import pyarrow.parquet  # type: ignore[import-untyped]  # noqa: F401 - used as pyarrow.parquet
    except ImportError:
        raise CaseFileError("Parquet needs pyarrow: pip install 'govrules[batch]'") from None
    return pyarrow


def parquet_cases(
    path: Path, policy: CompiledPolicy
) -> Iterator[tuple[int, dict[str, Any] | BadRow]]:
    """The cases of a Parquet file; ``CaseFileError`` at once for a column that does not fit."""
    pa = import_pyarrow()
    try:
        file = pa.parquet.ParquetFile(path)
    except (OSError, pa.ArrowException) as error:
        raise CaseFileError(f"{path}: not a Parquet file ({error})") from None
    schema = file.schema_arrow
    inputs = input_types(policy)
    problems = []
    for field in schema:
        if field.name not in inputs:
            hint = suggest(field.name, inputs)
            problems.append(
                f"column {field.name!r} is not an input of {policy.id}"
                + (f" ({hint})" if hint else "")
            )
            continue
        problem = _type_problem(pa, field.type, inputs[field.name])
        if problem is not None:
            problems.append(f"column {field.name!r}: {problem}")
    if len(set(schema.names)) != len(schema.names):
        problems.append("a column is named twice")
    if problems:
        file.close()
        raise CaseFileError(f"{path}: " + "; ".join(problems))
    read = cell_reader(policy)
    converters = [
        (name, _converter(pa, schema.field(name).type, name, read)) for name in schema.names
    ]
    return _rows(pa, file, path, converters)


def _rows(
    pa: Any, file: Any, path: Path, converters: list[tuple[str, Callable[[Any], Any]]]
) -> Iterator[tuple[int, dict[str, Any] | BadRow]]:
    row = 0
    with file:
        for batch in file.iter_batches(batch_size=_ROWS_AT_ONCE):
            try:
                columns = [_values(pa, batch.column(index)) for index in range(batch.num_columns)]
            except pa.ArrowException as error:
                raise CaseFileError(f"{path}: rows {row + 1} on: {error}") from None
            for cells in zip(*columns, strict=True):
                row += 1
                facts: dict[str, Any] = {}
                problems = []
                for (name, convert), cell in zip(converters, cells, strict=True):
                    try:
                        value = convert(cell)
                    except CellError as error:
                        problems.append(Problem(error.code, name, f"{name}: {error.message}"))
                        continue
                    if value is not None:
                        facts[name] = value
                yield row, (BadRow(row, tuple(problems)) if problems else facts)


def _values(pa: Any, column: Any) -> list[Any]:
    # nanoseconds are no part of a Python datetime: read them as microseconds, refusing (in
    # the caller) a time that would lose any
    if pa.types.is_timestamp(column.type) and column.type.unit == "ns":
        column = column.cast(pa.timestamp("us"), safe=True)
    values: list[Any] = column.to_pylist()
    return values


def _is_text(pa: Any, kind: Any) -> bool:
    if pa.types.is_dictionary(kind):
        kind = kind.value_type
    return bool(pa.types.is_string(kind) or pa.types.is_large_string(kind))


def _converter(
    pa: Any, kind: Any, name: str, read: Callable[[str, str], Any]
) -> Callable[[Any], Any]:
    if _is_text(pa, kind):
        return lambda cell: None if cell is None else read(name, cell)
    return _as_read


def _as_read(cell: Any) -> Any:
    return cell


# Text inside a list or a struct is given to the engine as it is (not read like a cell): it
# takes text for these kinds only.
_TEXT_INSIDE = frozenset({"text", "enum", "money", "rate", "decimal", "date", "datetime"})


def _type_problem(pa: Any, arrow: Any, kind: Type, inside: bool = False) -> str | None:
    """Why a column of type ``arrow`` cannot hold values of ``kind`` exactly, or ``None``."""
    types = pa.types
    if types.is_null(arrow) or (_is_text(pa, arrow) and (not inside or kind.kind in _TEXT_INSIDE)):
        return None
    fits = {
        "money": types.is_decimal(arrow) or types.is_integer(arrow),
        "rate": types.is_decimal(arrow) or types.is_integer(arrow),
        "decimal": types.is_decimal(arrow) or types.is_integer(arrow),
        "integer": types.is_integer(arrow),
        "date": types.is_date(arrow),
        "datetime": types.is_timestamp(arrow) and arrow.tz is None,
        "bool": types.is_boolean(arrow),
    }.get(kind.kind, False)
    if fits:
        return None
    if (
        kind.kind == "list"
        and kind.item is not None
        and (types.is_list(arrow) or types.is_large_list(arrow))
    ):
        inner = _type_problem(pa, arrow.value_type, kind.item, True)
        return None if inner is None else f"its items: {inner}"
    if kind.kind == "record" and types.is_struct(arrow):
        fields = dict(kind.fields or ())
        for index in range(arrow.num_fields):
            field = arrow.field(index)
            if field.name not in fields:
                return f"{field.name!r} is not a field of the record ({', '.join(fields)})"
            inner = _type_problem(pa, field.type, fields[field.name].as_optional(False), True)
            if inner is not None:
                return f"field {field.name!r}: {inner}"
        return None
    return _why_not(types, arrow, kind)


def _why_not(types: Any, arrow: Any, kind: Type) -> str:
    if types.is_floating(arrow) and kind.kind in ("money", "rate", "decimal"):
        return (
            f"a {arrow} column cannot hold {kind} values exactly (they are binary fractions); "
            "write it as decimal128, or as text"
        )
    if kind.kind == "datetime" and types.is_timestamp(arrow):
        return "a timestamp with a time zone; a date-time input is local Beijing time, without one"
    wanted = {
        "money": "decimal128 or an integer type",
        "rate": "decimal128 or an integer type",
        "decimal": "decimal128 or an integer type",
        "integer": "an integer type",
        "date": "date32",
        "datetime": "timestamp (without a time zone)",
        "bool": "bool",
        "list": "a list",
        "record": "a struct",
    }.get(kind.kind, "string")
    return f"a {arrow} column cannot hold a {kind} input; write it as {wanted} (or as text)"
