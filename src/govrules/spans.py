"""Source positions: where in which file a piece of policy text came from."""

from __future__ import annotations

from govrules.records import record

__all__ = ["SourceSpan"]


@record
class SourceSpan:
    """A position in a file, 1-based, as editors count lines and columns."""

    file: str
    line: int
    column: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"

    def shifted(self, columns: int) -> SourceSpan:
        """The position ``columns`` characters to the right (inside a one-line expression)."""
        return SourceSpan(self.file, self.line, self.column + columns)
