"""Errors and diagnostics: every problem has a stable code, a message, a place and, where
possible, a hint.

    GovrulesError                       base of everything raised on purpose
    ├── PolicyLoadError                 a policy or source file is wrong (holds Diagnostics)
    ├── UnknownPolicyError              no policy with that id, or none in force on the date
    ├── CaseError                       the facts of a case are malformed (holds Diagnostics)
    ├── CaseFileError                   a case file cannot be read as an object of facts
    └── EvaluationError                 a rule failed at run time (a bug in a policy or in us)

A ``Diagnostic`` renders as ``file:line:col: code: message (hint)``, the form editors and CI
annotators understand. Loaders collect as many diagnostics as they can before raising.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from typing import Any

from govrules.records import record
from govrules.spans import SourceSpan

__all__ = [
    "CaseError",
    "CaseFileError",
    "Diagnostic",
    "EvaluationError",
    "GovrulesError",
    "PolicyLoadError",
    "UnknownPolicyError",
    "suggest",
]


def suggest(name: str, candidates: Iterable[str]) -> str | None:
    """A "did you mean ...?" hint naming the closest candidate, if one is close enough."""
    close = difflib.get_close_matches(name, list(candidates), n=1, cutoff=0.6)
    return f"did you mean '{close[0]}'?" if close else None


@record
class Diagnostic:
    """One problem found in a file or a case: ``code`` is stable, ``message`` is for people."""

    code: str
    message: str
    span: SourceSpan | None = None
    hint: str | None = None

    def __str__(self) -> str:
        where = f"{self.span}: " if self.span is not None else ""
        hint = f" ({self.hint})" if self.hint else ""
        return f"{where}{self.code}: {self.message}{hint}"

    def to_dict(self) -> dict[str, object]:
        return {
            "code": self.code,
            "message": self.message,
            "file": self.span.file if self.span else None,
            "line": self.span.line if self.span else None,
            "column": self.span.column if self.span else None,
            "hint": self.hint,
        }


class GovrulesError(Exception):
    """Base class of the errors govrules raises on purpose."""


class _DiagnosticsError(GovrulesError):
    def __init__(self, diagnostics: Iterable[Diagnostic]) -> None:
        self.diagnostics: Sequence[Diagnostic] = tuple(diagnostics)
        super().__init__("\n".join(str(d) for d in self.diagnostics))

    def __reduce__(self) -> tuple[Any, ...]:
        # rebuilt from the diagnostics, not the joined message (a batch's worker sends it back)
        return (type(self), (self.diagnostics,))


class PolicyLoadError(_DiagnosticsError):
    """A policy or source file cannot be loaded; ``diagnostics`` lists every problem found."""


class CaseError(_DiagnosticsError):
    """The facts given for a case do not fit the policy's inputs."""


class CaseFileError(GovrulesError):
    """A case file is missing, is not JSON or YAML, or does not hold an object of facts."""


class UnknownPolicyError(GovrulesError):
    """No policy has the requested id, or none of its versions is in force on the date."""


class EvaluationError(GovrulesError):
    """A rule could not be evaluated (for example a division by zero in the facts given)."""
