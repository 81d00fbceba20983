"""The ``govrules`` command line: a face over the engine that holds no rule of its own."""

from govrules.cli.main import main

__all__ = ["main"]
