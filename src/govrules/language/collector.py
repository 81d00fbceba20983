"""The garbage collector paused while one file's trees are built.

Reading and compiling a long policy makes hundreds of thousands of objects that all live on:
the collector, which runs every few hundred new objects, would walk the growing trees again
and again, finding nothing to free -- a cost per rule that grows with the rules. Paused for the
one file and resumed after it, the collector walks them once, later.

    with collector_paused():
        data = read_yaml_text(text, "policy.yaml")

It is resumed only if it ran before: a caller who turned it off keeps it off.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["collector_paused"]


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the garbage collector for the ``with`` block, if it is running."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
