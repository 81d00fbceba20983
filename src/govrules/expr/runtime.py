"""What compiled expressions see at run time: the unknown marker and the evaluation frame."""

from __future__ import annotations

from typing import Any, Protocol

__all__ = ["MISSING", "Frame", "Missing"]


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


class Frame(Protocol):
    """One evaluation: slot values, and where date computations and warnings are reported."""

    v: list[Any]

    def date_computed(self, computation: Any) -> None: ...
