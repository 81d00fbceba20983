"""The ``govrules batch``command (being written)."""

from __future__ import annotations

from govrules.cli.arguments import Commands

__all__ = ["register_batch"]


def register_batch(commands: Commands) -> None:
    """Nothing yet: the sub-command is being written."""
