"""Bad rows: the row number and, for each problem, its code, the field and the message, so
that one refused row is recorded and the batch goes on.

The codes and field paths are the command line's (``invalid-input``, ``unknown-input``,
``json-syntax``, ...); a row a reader refuses and a case the engine refuses read alike:

    bad = BadRow(7, (Problem("invalid-input", "first_deposit", "expected true or false"),))
    bad.to_dict()     # {"row": 7, "errors": [{"code": ..., "field": ..., "message": ...}]}
    problems_of(case_error)   # the engine's CaseError as Problems, each naming its field
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from govrules.errors import CaseError, Diagnostic
from govrules.records import record

__all__ = ["BadRow", "Problem", "problems_of"]


@record
class Problem:
    """One thing wrong with a row: a stable ``code``, the ``field`` (an input's name or path
    such as ``nominees[2].name``; ``None`` for the row as a whole) and a message for people."""

    code: str
    field: str | None
    message: str

    def to_dict(self) -> dict[str, str | None]:
        return {"code": self.code, "field": self.field, "message": self.message}

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"


@record
class BadRow:
    """A row that could not be decided: its number in the input (1 for the first case) and
    every problem found in it."""

    row: int
    problems: tuple[Problem, ...]

    def to_dict(self) -> dict[str, object]:
        return {"row": self.row, "errors": [problem.to_dict() for problem in self.problems]}

    def __str__(self) -> str:
        return f"row {self.row}: " + "; ".join(str(problem) for problem in self.problems)


# The engine's diagnostics of a case begin with the field they are about: "contract_price:
# expected ...", "nominees[2].name: ...", "zzz is not an input of ...".
_FIELD = r"[A-Za-z_][A-Za-z0-9_]*(?:\[[0-9]+\]|\.[A-Za-z_][A-Za-z0-9_]*)*"
_INVALID = re.compile(rf"({_FIELD}): ")
_UNKNOWN = re.compile(rf"({_FIELD}) is not an input of ")


def problems_of(error: CaseError | Iterable[Diagnostic]) -> tuple[Problem, ...]:
    """The problems of a case the engine refused, with the field each one names."""
    diagnostics = error.diagnostics if isinstance(error, CaseError) else error
    return tuple(_problem(diagnostic) for diagnostic in diagnostics)


def _problem(diagnostic: Diagnostic) -> Problem:
    pattern = _UNKNOWN if diagnostic.code == "unknown-input" else _INVALID
    found = pattern.match(diagnostic.message)
    message = diagnostic.message + (f" ({diagnostic.hint})" if diagnostic.hint else "")
    return Problem(diagnostic.code, found.group(1) if found else None, message)
