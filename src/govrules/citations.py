"""Citations: a reference from a policy to one clause of a source document, with its text."""

from __future__ import annotations

from govrules.records import record

__all__ = ["Citation"]


@record
class Citation:
    """One clause, as an auditor needs it: where it is, what it says, how sure we are of it."""

    document: str
    clause: str
    document_title: str
    document_title_en: str
    document_number: str | None
    label: str
    text: str
    verification: str
    excerpt: bool

    @property
    def ref(self) -> str:
        """The stable reference ``document#clause``."""
        return f"{self.document}#{self.clause}"

    def to_dict(self) -> dict[str, object]:
        return {
            "ref": self.ref,
            "document": self.document,
            "document_title": self.document_title,
            "document_title_en": self.document_title_en,
            "document_number": self.document_number,
            "article": self.label,
            "text": self.text,
            "verification": self.verification,
            "excerpt": self.excerpt,
        }
