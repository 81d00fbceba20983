"""The ``govrules log``command (being written)."""

from __future__ import annotations

from govrules.cli.arguments import Commands

__all__ = ["register_log"]


def register_log(commands: Commands) -> None:
    """Nothing yet: the sub-command is being written."""
