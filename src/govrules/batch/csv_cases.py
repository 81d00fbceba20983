"""CSV cases: a header naming inputs of the policy, then one case per record, each cell read by
its input's type (``batch/cells.py``); an empty cell is a fact not given.

    cases = csv_cases(open("cases.csv", "rb"), "cases.csv", engine.policy(policy_id, day))
    next(cases)          # (1, {'contract_price': '1000000', 'first_deposit': True})

The header is checked before any row: a column that is no input of the policy, a column
without a name, or a name written twice is refused, all of them at once. A record with more
or fewer cells than the header, a malformed quote (RFC 4180, read strictly) or a cell that
is no value of its type is a bad row, naming its column; the batch goes on. A blank line is
no case. The file is UTF-8 (a byte-order mark is allowed).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import IO, Any

from govrules.batch.cells import CellError, cell_reader, input_types
from govrules.batch.problems import BadRow, Problem
from govrules.compiler.policy import CompiledPolicy
from govrules.errors import CaseFileError, suggest

__all__ = ["csv_cases"]


def csv_cases(
    stream: IO[bytes] | IO[str], name: str, policy: CompiledPolicy
) -> Iterator[tuple[int, dict[str, Any] | BadRow]]:
    """The cases of a CSV stream; ``CaseFileError`` at once for a header that does not fit."""
    text: IO[str]
    wrapper: io.TextIOWrapper | None = None
    if isinstance(stream, io.TextIOBase):
        text = stream
    else:
        wrapper = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")  # type: ignore[arg-type]
        text = wrapper
    records = csv.reader(text, strict=True)
    try:
        header = _header(records, name, policy)
    except BaseException:
        _release(wrapper)
        raise
    return _rows(records, header, name, policy, wrapper)


def _release(wrapper: io.TextIOWrapper | None) -> None:
    # the stream belongs to the caller (standard input, say): leave it open
    if wrapper is not None:
        wrapper.detach()


def _header(records: Iterator[list[str]], name: str, policy: CompiledPolicy) -> list[str]:
    try:
        header = next(records, None)
    except UnicodeDecodeError:
        raise CaseFileError(f"{name}: the header is not UTF-8") from None
    except csv.Error as error:
        raise CaseFileError(f"{name}: the header is not CSV ({error})") from None
    if not header:
        raise CaseFileError(f"{name}: no header (the first line names the inputs, one a column)")
    inputs = input_types(policy)
    problems = []
    for index, column in enumerate(header, start=1):
        if column == "":
            problems.append(f"column {index} has no name")
        elif column not in inputs:
            hint = suggest(column, inputs)
            problems.append(
                f"column {index} {column!r} is not an input of {policy.id}"
                + (f" ({hint})" if hint else "")
            )
        elif header.index(column) != index - 1:
            problems.append(f"column {index} {column!r} is named twice")
    if problems:
        raise CaseFileError(f"{name}: " + "; ".join(problems))
    return header


def _rows(
    records: Iterator[list[str]],
    header: list[str],
    name: str,
    policy: CompiledPolicy,
    wrapper: io.TextIOWrapper | None,
) -> Iterator[tuple[int, dict[str, Any] | BadRow]]:
    read = cell_reader(policy)
    row = 0
    try:
        while True:
            try:
                cells = next(records, None)
            except UnicodeDecodeError:
                raise CaseFileError(f"{name}: row {row + 1} is not UTF-8") from None
            except csv.Error as error:
                row += 1
                problem = Problem("csv-syntax", None, f"not CSV ({error})")
                yield row, BadRow(row, (problem,))
                continue
            if cells is None:
                return
            if not cells:
                continue  # a blank line
            row += 1
            yield row, _case(row, cells, header, read)
    finally:
        _release(wrapper)


def _case(row: int, cells: list[str], header: list[str], read: Any) -> dict[str, Any] | BadRow:
    if len(cells) != len(header):
        message = f"{len(cells)} cells, where the header names {len(header)} columns"
        return BadRow(row, (Problem("csv-row", None, message),))
    facts: dict[str, Any] = {}
    problems = []
    for column, cell in zip(header, cells, strict=True):
        try:
            value = read(column, cell)
        except CellError as error:
            problems.append(Problem(error.code, column, f"{column}: {error.message}"))
            continue
        if value is not None:
            facts[column] = value
    return BadRow(row, tuple(problems)) if problems else facts
