"""Facts written as text, one cell per input: how a CSV cell (or a text column of a Parquet
file) becomes the value of a fact, by the input's type in the policy.

    read = cell_reader(policy)            # the inputs of the policy version deciding
    read("first_deposit", "true")         # True
    read("contract_price", "1000000.00")  # '1000000.00' (the engine reads it exactly)
    read("contract_price", "")            # None: an empty cell is a fact not given

The rules (``docs/limits.md``, "Batches"): money, rates and decimals, dates, date-times, texts
and enum values are the cell's text as written, checked by the engine like any case (so
``1,000`` or `` 1000`` are refused by name, never rounded or trimmed); integers are ASCII
digits with an optional minus and no leading zero; booleans are ``true`` or ``false``,
lower case, as JSON writes them; lists and records are JSON text, read strictly (numbers
exact). Nothing is guessed from how a value looks.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from govrules.compiler.policy import CompiledPolicy
from govrules.errors import CaseFileError
from govrules.language.expr.types import Type
from govrules.runtime.case_files import read_json_text

__all__ = ["CellError", "cell_reader", "input_types"]

_INTEGER = re.compile(r"-?(?:0|[1-9][0-9]*)")
_BOOLEANS = {"true": True, "false": False}
# what the strict JSON reader's message looks like when the text is named "": ":1:5: code: ..."
_LOCATED = re.compile(r":([0-9]+):([0-9]+): ([a-z0-9-]+): (.*)", re.DOTALL)


class CellError(ValueError):
    """A cell that is not a value of its input's type; ``code`` is the diagnostic code."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def input_types(policy: CompiledPolicy) -> dict[str, Type]:
    """Each input of the policy version by name, with its type (not optional)."""
    return {item.name: item.type.as_optional(False) for item in policy.inputs}


def cell_reader(policy: CompiledPolicy) -> Callable[[str, str], Any]:
    """The reading of one cell of a named input: its value, or ``None`` for an empty cell;
    ``CellError`` when the text is not a value of the input's type."""
    readers = {name: _reader(kind) for name, kind in input_types(policy).items()}

    def read(name: str, text: str) -> Any:
        if text == "":
            return None
        return readers[name](text)

    return read


def _reader(kind: Type) -> Callable[[str], Any]:
    if kind.kind == "integer":
        return _integer
    if kind.kind == "bool":
        return _boolean
    if kind.kind in ("list", "record"):
        return _json_cell(kind)
    return _as_written


def _as_written(text: str) -> str:
    return text


def _integer(text: str) -> int:
    if _INTEGER.fullmatch(text) is None:
        raise CellError(
            "invalid-input",
            "expected a whole number written with ASCII digits, such as 12 or -3 "
            f"(got {_echo(text)})",
        )
    return int(text)


def _boolean(text: str) -> bool:
    value = _BOOLEANS.get(text)
    if value is None:
        raise CellError("invalid-input", f"expected true or false (got {_echo(text)})")
    return value


def _json_cell(kind: Type) -> Callable[[str], Any]:
    shape = "a JSON array" if kind.kind == "list" else "a JSON object"

    def read(text: str) -> Any:
        try:
            value = read_json_text(text, "")
        except CaseFileError as error:
            found = _LOCATED.fullmatch(str(error))
            if found is None:
                raise CellError("json-syntax", str(error)) from None
            line, column, code, message = found.groups()
            where = f"column {column}" if line == "1" else f"line {line}, column {column}"
            raise CellError(code, f"{shape} in the cell, {where}: {message}") from None
        if not isinstance(value, list if kind.kind == "list" else dict):
            raise CellError("invalid-input", f"expected {shape} of the {kind} (got {_echo(text)})")
        return value

    return read


def _echo(text: str) -> str:
    """A short, escaped echo of what a cell holds."""
    return repr(text if len(text) <= 40 else text[:40] + "...")
