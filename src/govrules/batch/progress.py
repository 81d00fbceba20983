"""The progress of a batch on a terminal: a bar with the rate and the time left (rich), drawn
on standard error only when it is a terminal; nothing at all otherwise, so that a pipe or a
log file holds only what the batch writes.

    with batch_progress(total=10_000) as advance:
        for ...:
            advance()

``total`` may be unknown (``None``: a stream); the bar then shows the count and the rate. The
bar is redrawn from the batch's own loop, not from a thread of its own, so worker processes
can still be forked. Colour follows rich: none when ``NO_COLOR`` is set.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TextIO

__all__ = ["batch_progress"]

_REDRAW_EVERY = 0.1  # seconds


@contextmanager
def batch_progress(total: int | None, stream: TextIO | None = None) -> Iterator[Callable[[], None]]:
    """A function to call once a row; it draws a bar when ``stream`` (stderr) is a terminal
    and rich is installed, and does nothing otherwise."""
    stream = stream if stream is not None else sys.stderr
    if not stream.isatty():
        yield _nothing
        return
    try:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TaskProgressColumn,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )
    except ImportError:  # the bar is a comfort: without rich ('govrules[batch]'), none
        yield _nothing
        return
    progress = Progress(
        TextColumn("deciding"),
        BarColumn(),
        MofNCompleteColumn(),
        TaskProgressColumn(),
        TextColumn("{task.fields[rate]} rows/s"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=Console(file=stream),
        auto_refresh=False,
        transient=True,
        redirect_stdout=False,  # standard output is the batch's: JSON lines only
        redirect_stderr=False,
    )
    task = progress.add_task("batch", total=total, rate="-")
    started = last = time.monotonic()
    done = 0

    def advance() -> None:
        nonlocal done, last
        done += 1
        now = time.monotonic()
        if now - last >= _REDRAW_EVERY:
            last = now
            rate = f"{done / (now - started):,.0f}"
            progress.update(task, completed=done, rate=rate)
            progress.refresh()

    with progress:
        yield advance


def _nothing() -> None:
    pass
