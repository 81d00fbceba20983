"""The ``govrules serve``command (being written)."""

from __future__ import annotations

from govrules.cli.arguments import Commands

__all__ = ["register_serve"]


def register_serve(commands: Commands) -> None:
    """Nothing yet: the sub-command is being written."""
