"""A batch decided in columns (``govrules.columnar``): Parquet or CSV cases in, the very rows
the per-case batch writes out -- JSON lines or Parquet, ``--cite full`` or ``ids`` -- byte for
byte, at a fraction of the cost.

    summary = BatchSummary(policy_id, day)
    with open("out.jsonl", "w") as out:
        decide_in_columns(engine, policy_id, Path("cases.parquet"), "parquet", day,
                          summary, JsonLinesTarget(out), cite="ids")

Cases are read a chunk at a time (``CHUNK`` rows). A row the columns leave to the engine (a
cell that is no value of its input, a conflict between rules, ...) is read from its cells
exactly as the per-case readers read it and decided by ``Engine.evaluate_many``; its output
row takes its place. ``columnar_reason`` says why a batch cannot take this path at all.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import io
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any, cast

from govrules.batch.cells import cell_reader
from govrules.batch.csv_cases import _case, _header
from govrules.batch.parquet_cases import _converter, _values, import_pyarrow, parquet_cases
from govrules.batch.problems import BadRow, Problem
from govrules.batch.rows import result_row
from govrules.batch.running import BatchSummary, decide_rows
from govrules.batch.writing import ParquetWriter, json_line
from govrules.engine import Engine
from govrules.errors import CaseFileError

__all__ = [
    "CHUNK",
    "ColumnarUnavailable",
    "JsonLinesTarget",
    "ParquetTarget",
    "columnar_reason",
    "decide_in_columns",
]

# Rows decided at once: a multiple of the Parquet writer's row group (1,024 rows); fewer with
# --cite full, whose rows carry every citation's text (some 9 KB a row)
CHUNK = 128 * 1024
FULL_CHUNK = 16 * 1024


class ColumnarUnavailable(Exception):
    """The columns cannot decide this batch, found before any row was written."""


def columnar_reason(
    engine: Engine, policy_id: str, as_of: dt.date, input_format: str
) -> str | None:
    """Why this batch cannot be decided in columns, or ``None`` when it can."""
    if input_format not in ("parquet", "csv"):
        return f"{input_format} input is read case by case (Parquet or CSV are read in columns)"
    try:
        from govrules.columnar import Unsupported, plan
    except ImportError as error:  # polars is an extra
        return f"the columnar path needs polars and pyarrow ({error.name} is missing)"
    found = plan(engine.policy(policy_id, as_of))
    return str(found) if isinstance(found, Unsupported) else None


class JsonLinesTarget:
    """Output rows written as JSON lines to a text stream (which stays the caller's)."""

    def __init__(self, stream: IO[str]) -> None:
        self.stream = stream

    def write(self, lines: list[str]) -> None:
        self.stream.write("".join(lines))

    def close(self) -> None:
        self.stream.flush()


class ParquetTarget(ParquetWriter):
    """Output rows written as ``ParquetWriter`` writes them (the same file and columns), a
    whole decided table at a time, one row group per 1,024 rows.

    A table is written on a thread of its own while the next chunk is decided: Arrow lets go
    of the interpreter lock while it encodes and compresses, so on two cores the writing
    costs little of the batch's time. One table at most waits to be written."""

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self._writing: threading.Thread | None = None
        self._failed: list[BaseException] = []

    def write_table(self, table: Any) -> None:
        self._wait()
        cast = table.cast(self.schema)

        def write() -> None:
            try:
                self._file.write_table(cast, row_group_size=1024)
            except BaseException as error:  # raised again in the batch's thread
                self._failed.append(error)

        self._writing = threading.Thread(target=write, name="govrules-parquet")
        self._writing.start()

    def _wait(self) -> None:
        if self._writing is not None:
            self._writing.join()
            self._writing = None
        if self._failed:
            raise self._failed.pop()

    def close(self) -> None:
        self._wait()
        super().close()


def decide_in_columns(
    engine: Engine,
    policy_id: str,
    path: Path,
    input_format: str,
    as_of: dt.date,
    summary: BatchSummary,
    target: JsonLinesTarget | ParquetTarget,
    *,
    cite: str = "full",
    refused: Callable[[dict[str, Any]], None] | None = None,
    advance: Callable[[], None] | None = None,
) -> None:
    """Decide every case of ``path`` in columns, writing each output row to ``target``."""
    import polars as pl

    from govrules.columnar import InputColumnError, NotColumnar, decide_frame

    policy = engine.policy(policy_id, as_of)
    size = FULL_CHUNK if cite == "full" else CHUNK
    if input_format == "parquet":
        chunks = _parquet_chunks(path, policy, size)
    else:
        chunks = _csv_chunks(path, policy, size)
    parquet = isinstance(target, ParquetTarget)
    if parquet:
        forms: tuple[str, ...] = ("values", "decision" if cite == "full" else "decision-ids")
    else:
        forms = ("line" if cite == "full" else "line-ids",)
    first = 1
    for frame, refused_rows, leftover in chunks:
        rows = frame.height
        numbers = pl.int_range(first, first + rows, eager=True).cast(pl.Int64)
        try:
            decided = decide_frame(engine, policy_id, frame, as_of, numbers, forms, refused_rows)
        except (NotColumnar, InputColumnError) as error:
            if first > 1:
                raise  # rows are written already: a fault of this path, not of the batch
            raise ColumnarUnavailable(str(error)) from None
        others = decided.per_case.arg_true().to_list()
        made = dict(_per_case(engine, policy_id, as_of, others, leftover, first))
        counts = decided.written.outcome.filter(~decided.per_case).value_counts()
        for outcome, number in counts.iter_rows():
            summary.outcomes[outcome] += number
        summary.rows += rows - len(others)
        outputs = {}
        for index in others:
            summary.count(made[index])
            outputs[index] = result_row(first + index, made[index], cite)
            if refused is not None and "errors" in outputs[index]:
                refused(outputs[index])
        if parquet:
            assert isinstance(target, ParquetTarget)
            target.write_table(_parquet_table(pl, decided, forms, numbers, outputs))
        else:
            lines = [line + "\n" for line in decided.written.texts[forms[0]].to_list()]
            for index, output in outputs.items():
                lines[index] = json_line(output)
            assert isinstance(target, JsonLinesTarget)
            target.write(lines)
        if advance is not None:
            for _ in range(rows):
                advance()
        first += rows


def _per_case(
    engine: Engine,
    policy_id: str,
    as_of: dt.date,
    indexes: list[int],
    leftover: Callable[[int, int], dict[str, Any] | BadRow],
    first: int,
) -> Iterator[tuple[int, Any]]:
    """The rows at ``indexes`` (of the chunk) decided case by case, as a batch decides them."""
    cases = [(index + first, leftover(index, index + first)) for index in indexes]
    for (row, made), index in zip(
        decide_rows(engine, policy_id, cases, as_of), indexes, strict=True
    ):
        assert row == index + first
        yield index, made


def _parquet_table(
    pl: Any,
    decided: Any,
    forms: tuple[str, ...],
    numbers: Any,
    outputs: dict[int, dict[str, Any]],
) -> Any:
    written = decided.written
    frame = pl.DataFrame(
        {
            "row": numbers,
            "outcome": written.outcome,
            "fingerprint": written.fingerprint,
            "values": written.texts["values"],
            "missing": written.lists["missing"],
            "citations": written.lists["citations"],
            "decision": written.texts[forms[1]],
            "error": pl.repeat(None, numbers.len(), dtype=pl.String, eager=True),
        }
    )
    if outputs:
        import json

        patched = [_parquet_row(output, json) for output in outputs.values()]
        others = pl.DataFrame(patched, schema=frame.schema)
        frame = pl.concat([frame.filter(~decided.per_case), others]).sort("row")
    return frame.to_arrow()


def _parquet_row(row: dict[str, Any], json: Any) -> dict[str, Any]:
    """An output row as ``ParquetWriter`` stores it."""
    if "errors" in row:
        return {
            "row": row["row"],
            "outcome": None,
            "fingerprint": None,
            "values": None,
            "missing": None,
            "citations": None,
            "decision": None,
            "error": "\n".join(f"{e['code']}: {e['message']}" for e in row["errors"]),
        }
    return {
        "row": row["row"],
        "outcome": row["outcome"],
        "fingerprint": row["fingerprint"],
        "values": json.dumps(row["values"], ensure_ascii=False),
        "missing": [m if isinstance(m, str) else str(m["fact"]) for m in row["missing"]],
        "citations": [c if isinstance(c, str) else str(c["ref"]) for c in row["citations"]],
        "decision": json.dumps(row, ensure_ascii=False),
        "error": None,
    }


# --------------------------------------------------------------------------- reading


# a chunk: its frame, the rows already refused by the reader (or None), and the reading of a
# leftover row (by its index in the chunk and its number in the file)
Chunk = tuple[Any, Any, Callable[[int, int], "dict[str, Any] | BadRow"]]


def _parquet_chunks(path: Path, policy: Any, size: int, *, native: bool = False) -> Iterator[Chunk]:
    """The file in chunks, as polars frames, after the checks of ``parquet_cases`` (which
    raise ``CaseFileError`` before any row); a leftover row is read as it reads a row.

    ``native``: the chunks are read by polars' own Parquet reader (about twice as fast as
    Arrow's and a conversion), and a chunk is made an Arrow table of the file's own types
    only when one of its rows is left to the engine."""
    import polars as pl

    pa = import_pyarrow()
    parquet_cases(path, policy)  # its checks of the columns, before any row (or raises)
    file = pa.parquet.ParquetFile(path)
    schema = file.schema_arrow
    read = cell_reader(policy)
    converters = [
        (name, _converter(pa, schema.field(name).type, name, read)) for name in schema.names
    ]
    with file:
        if native:
            scan = pl.scan_parquet(path, glob=False)
            frames: Iterator[tuple[Any, Callable[[], Any]]] = (
                _native_chunk(pa, scan.slice(start, length).collect(), schema)
                for start, length in _slices(file.metadata.num_rows, size)
            )
        else:
            frames = (_arrow_chunk(pa, pl, batch) for batch in file.iter_batches(batch_size=size))
        for frame, arrow in frames:

            def leftover(index: int, row: int, arrow: Any = arrow) -> dict[str, Any] | BadRow:
                table = arrow()
                cells = [
                    _values(pa, table.column(i).slice(index, 1))[0]
                    for i in range(table.num_columns)
                ]
                facts: dict[str, Any] = {}
                problems = []
                for (name, convert), cell in zip(converters, cells, strict=True):
                    try:
                        value = convert(cell)
                    except Exception as error:  # CellError, as parquet_cases records it
                        code = getattr(error, "code", "invalid-input")
                        problems.append(
                            Problem(code, name, f"{name}: {getattr(error, 'message', error)}")
                        )
                        continue
                    if value is not None:
                        facts[name] = value
                return BadRow(row, tuple(problems)) if problems else facts

            yield frame, None, leftover


def _slices(total: int, size: int) -> Iterator[tuple[int, int]]:
    """Chunks of ``size`` rows and a last one of at most a quarter of that: the last chunk's
    output is written while nothing else is decided, so it is kept short."""
    tail, start = max(size // 4, 1), 0
    while start < total:
        left = total - start
        if left > size + tail:
            length = size
        elif left > tail:
            length = left - tail
        else:
            length = left
        yield start, length
        start += length


def _arrow_chunk(pa: Any, pl: Any, batch: Any) -> tuple[Any, Callable[[], Any]]:
    table = pa.Table.from_batches([batch])
    frame = pl.from_arrow(table)
    assert isinstance(frame, pl.DataFrame)
    return frame, lambda: table


def _native_chunk(pa: Any, frame: Any, schema: Any) -> tuple[Any, Callable[[], Any]]:
    # the chunk as the file's own Arrow types, made once, when a row is left to the engine
    return frame, functools.cache(lambda: frame.to_arrow().cast(schema))


def _csv_chunks(path: Path, policy: Any, size: int) -> Iterator[Chunk]:
    """The records of a CSV file in chunks of text columns; a record of the wrong length or
    not CSV, and every leftover row, read as ``csv_cases`` reads it."""
    import polars as pl

    try:
        stream = path.open("rb")
    except OSError as error:
        raise CaseFileError(f"{path}: cannot be read ({error.strerror or error})") from None
    with stream:
        text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")
        records = csv.reader(text, strict=True)
        header = _header(records, str(path), policy)
        read = cell_reader(policy)
        row = 0
        while True:
            kept: list[list[str] | BadRow] = []
            done = False
            while len(kept) < size:
                try:
                    cells = next(records, None)
                except UnicodeDecodeError:
                    raise CaseFileError(f"{path}: row {row + 1} is not UTF-8") from None
                except csv.Error as error:
                    row += 1
                    kept.append(BadRow(row, (Problem("csv-syntax", None, f"not CSV ({error})"),)))
                    continue
                if cells is None:
                    done = True
                    break
                if not cells:
                    continue  # a blank line
                row += 1
                if len(cells) == len(header):
                    kept.append(cells)
                else:  # the reader's own refusal of a record of the wrong length
                    kept.append(cast(BadRow, _case(row, cells, header, read)))
            if kept:
                blank = [None] * len(header)
                cells_of = [blank if isinstance(cells, BadRow) else cells for cells in kept]
                columns = dict(zip(header, map(list, zip(*cells_of, strict=True)), strict=True))
                frame = pl.DataFrame(columns, schema={name: pl.String for name in header})
                refused = pl.Series([isinstance(cells, BadRow) for cells in kept])

                def leftover(
                    index: int, row: int, kept: list[list[str] | BadRow] = kept
                ) -> dict[str, Any] | BadRow:
                    cells = kept[index]
                    if isinstance(cells, BadRow):
                        return cells
                    return _case(row, cells, header, read)

                yield frame, refused, leftover
            if done:
                return
