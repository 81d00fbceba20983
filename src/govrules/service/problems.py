"""Problems: every refusal of the service as ``application/problem+json`` (RFC 9457), with the
codes and field paths the command line prints.

    raise Problem(404, "unknown-policy", "no policy 'cn.x' (did you mean 'cn.y'?)")
    raise case_problem(case_error)        # 422, one entry of ``errors`` per bad field

The body: ``type`` (``urn:govrules:problem:<code>``), ``title`` (the HTTP status phrase),
``status``, ``detail``, ``instance`` (the path asked for) and ``errors``, each with ``code``,
``message``, ``location`` (``body``, ``query``, ``header`` or ``path``), ``field`` (the fact's
path, such as ``nominees[2].name``), ``line`` and ``column`` (in the body) and ``hint``; a key
that does not apply is ``null``.
"""

from __future__ import annotations

import re
from http import HTTPStatus
from typing import Any

from govrules.batch import problems_of
from govrules.errors import CaseError, CaseFileError
from govrules.records import record

__all__ = [
    "PROBLEM_JSON",
    "Problem",
    "ProblemEntry",
    "case_problem",
    "json_problem",
    "problem_type",
]

PROBLEM_JSON = "application/problem+json"

# How ``read_json_text`` locates a problem: ``<name>:<line>:<column>: <code>: <message>``.
_LOCATED = re.compile(
    r"(?s)(?P<name>[^:]*):(?P<line>[0-9]+):(?P<column>[0-9]+): (?P<code>[a-z-]+): (?P<message>.*)"
)


def problem_type(code: str) -> str:
    """The ``type`` URI of a problem code (a name, not a page to fetch)."""
    return f"urn:govrules:problem:{code}"


@record(slots=False)
class ProblemEntry:
    """One thing wrong with a request."""

    code: str
    message: str
    location: str | None = None
    field: str | None = None
    line: int | None = None
    column: int | None = None
    hint: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "message": self.message,
            "location": self.location,
            "field": self.field,
            "line": self.line,
            "column": self.column,
            "hint": self.hint,
        }


class Problem(Exception):
    """A request refused: its HTTP status, a stable code, a sentence, and each thing wrong
    (by default one entry repeating the code and the sentence)."""

    def __init__(
        self,
        status: int,
        code: str,
        detail: str,
        errors: tuple[ProblemEntry, ...] | None = None,
        *,
        location: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.code = code
        self.detail = detail
        self.errors = errors if errors is not None else (ProblemEntry(code, detail, location),)
        self.headers = headers or {}

    def to_dict(self, instance: str | None = None) -> dict[str, Any]:
        return {
            "type": problem_type(self.code),
            "title": HTTPStatus(self.status).phrase,
            "status": self.status,
            "detail": self.detail,
            "instance": instance,
            "errors": [entry.to_dict() for entry in self.errors],
        }


def case_problem(error: CaseError, policy_id: str, location: str = "body") -> Problem:
    """422: the facts do not fit the policy's inputs; one entry per bad field."""
    entries = tuple(
        ProblemEntry(d.code, d.message, location, row.field, hint=d.hint)
        for d, row in zip(error.diagnostics, problems_of(error), strict=True)
    )
    count = len(entries)
    detail = f"invalid case for {policy_id}: " + (
        entries[0].message if count == 1 else f"{count} problems"
    )
    code = entries[0].code if count == 1 else "invalid-case"
    return Problem(422, code, detail, entries)


def json_problem(error: CaseFileError, location: str = "body") -> Problem:
    """400: a body that is not strict JSON, located at its line and column."""
    found = _LOCATED.fullmatch(str(error))
    if found is None:
        return Problem(400, "json-syntax", str(error), location=location)
    entry = ProblemEntry(
        found["code"],
        found["message"],
        location,
        line=int(found["line"]),
        column=int(found["column"]),
    )
    where = f"line {entry.line}, column {entry.column}"
    return Problem(400, entry.code, f"{entry.message} at {where}", (entry,))
