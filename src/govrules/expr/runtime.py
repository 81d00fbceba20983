"""The value of what is not known: a fact nobody gave, a value no rule set."""

from __future__ import annotations

__all__ = ["MISSING", "Missing"]


class Missing:
    """The value of a fact nobody gave, or of a value no rule set. Falsy, and never equal."""

    __slots__ = ()
    _instance: Missing | None = None

    def __new__(cls) -> Missing:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "MISSING"

    def __bool__(self) -> bool:
        return False


MISSING = Missing()

