"""Reading the cases of a batch: JSON lines, CSV or Parquet, from a file or a stream, one
``(row, facts)`` at a time -- or ``(row, BadRow)`` for a row that cannot be a case, so that
the batch records it and goes on.

    for row, case in read_cases(Path("cases.csv"), engine, "cn.jilin.taobei.wage_deposit",
                                date(2026, 11, 21)):
        if isinstance(case, BadRow):
            ...                       # case.problems: code, field, message
        else:
            engine.evaluate("cn.jilin.taobei.wage_deposit", case, date(2026, 11, 21))

Row 1 is the first case: the first non-blank line of JSON lines, the first record under the
CSV header, the first row of a Parquet file. A JSON line is an object of facts or an envelope
``{"policy", "as_of", "facts"}`` (``policy`` and ``as_of`` optional); an envelope for another
policy or another date is a bad row, since one batch decides under one policy on one date.
JSON numbers are exact decimals (``runtime/case_files.py``), and a line is held to the limits
of a JSON case file. What can be told before any row -- a file that does not exist, a CSV
column or Parquet column that is no input of the policy -- raises ``CaseFileError``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any, TypeAlias

from govrules.batch.cells import input_types
from govrules.batch.csv_cases import csv_cases
from govrules.batch.parquet_cases import import_pyarrow, parquet_cases
from govrules.batch.problems import BadRow, Problem
from govrules.compiler.policy import CompiledPolicy
from govrules.engine import Engine
from govrules.errors import CaseFileError
from govrules.runtime.case_files import read_json_text
from govrules.runtime.limits import MAX_CASE_FILE_BYTES

__all__ = [
    "INPUT_FORMATS",
    "Case",
    "count_rows",
    "input_format_of",
    "json_line_cases",
    "read_case_line",
    "read_cases",
]

# One read row: the facts of a case, or why there is none.
Case: TypeAlias = tuple[int, dict[str, Any] | BadRow]

INPUT_FORMATS = ("jsonl", "csv", "parquet")
_SUFFIXES = {".jsonl": "jsonl", ".ndjson": "jsonl", ".csv": "csv", ".parquet": "parquet"}
_ENVELOPE = frozenset({"policy", "as_of", "facts"})
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_LOCATED = re.compile(r":([0-9]+):([0-9]+): ([a-z0-9-]+): (.*)", re.DOTALL)


def input_format_of(path: str | Path) -> str:
    """The input format a file's suffix names (``.jsonl``/``.ndjson``, ``.csv``, ``.parquet``)."""
    suffix = Path(path).suffix.lower()
    found = _SUFFIXES.get(suffix)
    if found is None:
        raise CaseFileError(
            f"{path}: cannot tell the format from the suffix {suffix or '(none)'!r}; name the "
            "file .jsonl, .ndjson, .csv or .parquet, or give --input-format jsonl|csv|parquet"
        )
    return found


def count_rows(path: Path, input_format: str) -> int | None:
    """About how many rows a file holds (its lines; a Parquet file's count), for a progress
    bar; ``None`` when that cannot be had cheaply."""
    try:
        if input_format == "parquet":
            rows: int = import_pyarrow().parquet.ParquetFile(path).metadata.num_rows
            return rows
        lines = 0
        with path.open("rb") as file:
            while block := file.read(1 << 20):
                lines += block.count(b"\n")
        return max(lines - (input_format == "csv"), 0)
    except (OSError, CaseFileError, ValueError):
        return None


def read_cases(
    source: str | Path | IO[bytes] | IO[str],
    engine: Engine,
    policy_id: str,
    as_of: dt.date,
    *,
    input_format: str | None = None,
    name: str | None = None,
) -> Iterator[Case]:
    """The cases of ``source`` (a path, or an open stream of JSON lines or CSV) for the version
    of ``policy_id`` in force on ``as_of``, in order, as ``(row, facts | BadRow)``.

    ``input_format`` is ``jsonl``, ``csv`` or ``parquet`` (default: from the path's suffix;
    JSON lines for a stream). ``name`` names the source in messages. Raises
    ``UnknownPolicyError`` and ``CaseFileError`` before the first row.
    """
    policy = engine.policy(policy_id, as_of)
    if isinstance(source, (str, Path)):
        path = Path(source)
        kind = input_format or input_format_of(path)
        if not path.is_file():
            raise CaseFileError(f"{path}: no such file")
        if kind == "parquet":
            return parquet_cases(path, policy)
        return _from_file(path, kind, policy, as_of)
    kind = input_format or "jsonl"
    label = name or "<stream>"
    if kind == "parquet":
        raise CaseFileError(
            f"{label}: Parquet is read from a file, not a stream (it is read from its end)"
        )
    if kind == "csv":
        return csv_cases(source, label, policy)
    return json_line_cases(source, label, policy, as_of)


def _from_file(path: Path, kind: str, policy: CompiledPolicy, as_of: dt.date) -> Iterator[Case]:
    try:
        stream = path.open("rb")
    except OSError as error:
        raise CaseFileError(f"{path}: cannot be read ({error.strerror or error})") from None
    if kind == "csv":
        try:
            found = csv_cases(stream, str(path), policy)
        except BaseException:
            stream.close()
            raise
    else:
        found = json_line_cases(stream, str(path), policy, as_of)
    return _closing(found, stream)


def _closing(cases: Iterator[Case], stream: IO[bytes]) -> Iterator[Case]:
    with stream:
        yield from cases


# --------------------------------------------------------------------------- JSON lines


def json_line_cases(
    stream: IO[bytes] | IO[str], name: str, policy: CompiledPolicy, as_of: dt.date
) -> Iterator[Case]:
    """The cases of a stream of JSON lines; a blank line is no case."""
    row = line = 0
    while True:
        raw = stream.readline(MAX_CASE_FILE_BYTES + 1)
        if not raw:
            return
        line += 1
        if len(raw) > MAX_CASE_FILE_BYTES and raw[-1:] not in (b"\n", "\n"):
            while (more := stream.readline(MAX_CASE_FILE_BYTES)) and more[-1:] not in (b"\n", "\n"):
                pass
            row += 1
            message = f"line {line}: longer than {MAX_CASE_FILE_BYTES // 1024} KiB"
            yield row, BadRow(row, (Problem("json-too-large", None, message),))
            continue
        if not raw.strip():
            continue
        row += 1
        if isinstance(raw, bytes):
            try:
                text = raw.decode("utf-8-sig" if line == 1 else "utf-8")
            except UnicodeDecodeError as error:
                message = f"line {line}, byte {error.start + 1}: not UTF-8"
                yield row, BadRow(row, (Problem("file-encoding", None, message),))
                continue
        else:
            text = raw.removeprefix("\ufeff") if line == 1 else raw
        yield row, read_case_line(text, row, policy, as_of, line=line)


def read_case_line(
    text: str, row: int, policy: CompiledPolicy, as_of: dt.date, *, line: int | None = None
) -> dict[str, Any] | BadRow:
    """The facts of one JSON line (an object of facts, or an envelope for this policy and
    date), or the ``BadRow`` saying why it is not a case."""
    where = f"line {line}" if line is not None else f"row {row}"
    try:
        data = read_json_text(text, "")
    except CaseFileError as error:
        found = _LOCATED.fullmatch(str(error))
        if found is None:
            return BadRow(row, (Problem("json-syntax", None, f"{where}: {error}"),))
        _, column, code, message = found.groups()
        return BadRow(row, (Problem(code, None, f"{where}, column {column}: {message}"),))
    if not isinstance(data, dict):
        message = (
            f"{where}: a row is a JSON object of facts, or an envelope {{policy, as_of, facts}}"
        )
        return BadRow(row, (Problem("invalid-case", None, message),))
    if "facts" in data and "facts" not in input_types(policy):
        return _envelope(data, row, where, policy, as_of)
    return data


def _envelope(
    data: dict[str, Any], row: int, where: str, policy: CompiledPolicy, as_of: dt.date
) -> dict[str, Any] | BadRow:
    problems = []
    extra = sorted(set(data) - _ENVELOPE)
    if extra:
        message = (
            f"{where}: an envelope holds policy, as_of and facts only; "
            f"{', '.join(map(repr, extra))} too"
        )
        problems.append(Problem("invalid-envelope", None, message))
    given = data.get("policy")
    if given is not None and given != policy.id:
        message = f"this row is a case for {_echo(given)}; the batch decides {policy.id}"
        problems.append(Problem("other-policy", "policy", message))
    day = data.get("as_of")
    if day is not None:
        problems.extend(_date_problems(day, as_of))
    facts = data["facts"]
    if not isinstance(facts, dict):
        problems.append(Problem("invalid-case", "facts", "'facts' must be a JSON object of facts"))
    return BadRow(row, tuple(problems)) if problems else facts


def _date_problems(given: Any, as_of: dt.date) -> list[Problem]:
    try:
        if not isinstance(given, str) or not _DATE.fullmatch(given):
            raise ValueError
        day = dt.date.fromisoformat(given)
    except ValueError:
        message = f"expected a date written YYYY-MM-DD (got {_echo(given)})"
        return [Problem("invalid-envelope", "as_of", message)]
    if day != as_of:
        message = (
            f"this row is for the law of {day}; the batch decides as of {as_of} "
            f"(give --as-of {day}, or batch the rows of each date apart)"
        )
        return [Problem("other-date", "as_of", message)]
    return []


def _echo(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:60] + "..."
