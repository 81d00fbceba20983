"""Writing a batch's output rows: JSON lines (one compact object a line, UTF-8) or Parquet.

    with open_writer(Path("decisions.parquet"), "parquet") as write:
        write({"row": 1, **decision_row(decision)})

A Parquet file has one row per input row and these columns:

    row          int64          the input row (1 for the first case)
    outcome      string         null for a refused row
    fingerprint  string
    values       string         the values, as JSON text (decimals stay exact strings)
    missing      list<string>   the facts missing
    citations    list<string>   the clause ids relied on
    decision     string         the whole output row as JSON text (the decision's contract,
                                or its small form with --cite ids)
    error        string         null, or the problems of a refused row, one a line

Rows are written a thousand at a time (one row group each), so memory stays bounded.
"""

from __future__ import annotations

import json
from contextlib import AbstractContextManager
from pathlib import Path
from typing import IO, Any

from govrules.batch.parquet_cases import import_pyarrow

__all__ = ["OUTPUT_FORMATS", "JsonLinesWriter", "ParquetWriter", "json_line", "open_writer"]

OUTPUT_FORMATS = ("jsonl", "parquet")
_ROWS_AT_ONCE = 1024


def json_line(row: dict[str, Any]) -> str:
    """One output row as a line of JSON (no newline inside: newlines in texts are escaped)."""
    return json.dumps(row, ensure_ascii=False, separators=(",", ":")) + "\n"


class JsonLinesWriter(AbstractContextManager["JsonLinesWriter"]):
    """Output rows as JSON lines on a text stream, which stays the caller's to close."""

    def __init__(self, stream: IO[str]) -> None:
        self.stream = stream

    def __call__(self, row: dict[str, Any]) -> None:
        self.stream.write(json_line(row))

    def close(self) -> None:
        self.stream.flush()

    def __exit__(self, *exc: object) -> None:
        self.close()


class ParquetWriter(AbstractContextManager["ParquetWriter"]):
    """Output rows as a Parquet file (the columns above)."""

    def __init__(self, path: Path) -> None:
        pa = import_pyarrow()
        self._pa = pa
        text, texts = pa.string(), pa.list_(pa.string())
        self.schema = pa.schema(
            [
                ("row", pa.int64()),
                ("outcome", text),
                ("fingerprint", text),
                ("values", text),
                ("missing", texts),
                ("citations", texts),
                ("decision", text),
                ("error", text),
            ]
        )
        try:
            self._file = pa.parquet.ParquetWriter(str(path), self.schema)
        except (OSError, pa.ArrowException) as error:
            raise OSError(f"{path}: cannot be written ({error})") from None
        self._columns: dict[str, list[Any]] = {name: [] for name in self.schema.names}

    def __call__(self, row: dict[str, Any]) -> None:
        columns = self._columns
        columns["row"].append(row["row"])
        if "errors" in row:
            for name in ("outcome", "fingerprint", "values", "missing", "citations"):
                columns[name].append(None)
            columns["decision"].append(None)
            columns["error"].append(
                "\n".join(f"{e['code']}: {e['message']}" for e in row["errors"])
            )
        else:
            columns["outcome"].append(row["outcome"])
            columns["fingerprint"].append(row["fingerprint"])
            columns["values"].append(json.dumps(row["values"], ensure_ascii=False))
            columns["missing"].append([_named(m, "fact") for m in row["missing"]])
            columns["citations"].append([_named(c, "ref") for c in row["citations"]])
            columns["decision"].append(json.dumps(row, ensure_ascii=False))
            columns["error"].append(None)
        if len(columns["row"]) >= _ROWS_AT_ONCE:
            self._flush()

    def _flush(self) -> None:
        if self._columns["row"]:
            table = self._pa.table(self._columns, schema=self.schema)
            self._file.write_table(table)
            self._columns = {name: [] for name in self.schema.names}

    def close(self) -> None:
        self._flush()
        self._file.close()

    def __exit__(self, *exc: object) -> None:
        self.close()


def _named(item: Any, key: str) -> str:
    """A missing fact or a citation: a name already (the small form), or its ``key``."""
    return item if isinstance(item, str) else str(item[key])


def open_writer(target: Path | IO[str], output_format: str) -> JsonLinesWriter | ParquetWriter:
    """The writer of ``output_format`` to a path (Parquet, or JSON lines) or a text stream."""
    if output_format == "parquet":
        if not isinstance(target, Path):
            raise ValueError("Parquet is written to a file, not a stream")
        return ParquetWriter(target)
    if isinstance(target, Path):
        return _FileJsonLines(target)
    return JsonLinesWriter(target)


class _FileJsonLines(JsonLinesWriter):
    def __init__(self, path: Path) -> None:
        super().__init__(path.open("w", encoding="utf-8", newline="\n"))

    def close(self) -> None:
        self.stream.close()
