"""The fingerprints of a table's rows: sha256 over each row's canonical text, which starts with
one of a few shared prefixes, hashed on every core.

    digests = fingerprints(rests, keys, starts)   # 'sha256:<hex>' per row
    # row i: sha256(prefix of starts[keys[i]] + rests[i]), as Decision.fingerprint gives it

The prefix of a row (the canonical text up to its first value of its own) is hashed once per
prefix: each row copies that sha256 state and hashes only its own text, read as UTF-8 straight
from the Arrow buffer. ``hashlib`` lets go of the interpreter lock while it hashes 2 KB or more
(a decision's own text is some 4 KB), so the rows are shared among threads, one per core.
"""

from __future__ import annotations

import os
import threading
from typing import Any

import numpy as np
import polars as pl
import pyarrow as pa  # type: ignore[import-untyped]

__all__ = ["THREADS", "fingerprints"]

# At most this many threads hash at once; fewer on a machine with fewer cores.
THREADS = 4
# Below this many rows, one thread (starting another costs more than it saves).
_FEW = 2048


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _utf8_pieces(texts: pl.Series) -> tuple[list[memoryview], list[int], list[int], list[int]]:
    """Where the UTF-8 bytes of each text are, without copying them: the buffers, and per row
    the number of its buffer, its start and its end. Polars keeps texts as Arrow string views
    (16 bytes a row: the length, then for a text longer than 12 bytes the number and offset of
    the buffer holding it); a text of 12 bytes or fewer sits in the view itself, so a table
    with any such text is read through a plain copy instead."""
    array = texts.to_arrow(compat_level=pl.CompatLevel.newest())
    rows = len(array)
    if array.type == pa.string_view() and rows:
        buffers = array.buffers()
        views = np.frombuffer(buffers[1], dtype=np.int32).reshape(-1, 4)
        views = views[array.offset : array.offset + rows]
        if int(views[:, 0].min()) > 12:
            starts = views[:, 3].astype(np.int64)
            ends = starts + views[:, 0]
            data = [memoryview(buffer) for buffer in buffers[2:]]
            return data, views[:, 2].tolist(), starts.tolist(), ends.tolist()
    array = texts.to_arrow()
    if array.type != pa.large_string():
        array = array.cast(pa.large_string())
    _, offsets_buffer, data_buffer = array.buffers()
    offsets = np.frombuffer(offsets_buffer, dtype=np.int64)
    bounds = offsets[array.offset : array.offset + rows + 1].tolist()
    whole = memoryview(data_buffer) if data_buffer is not None else memoryview(b"")
    return [whole], [0] * rows, bounds[:-1], bounds[1:]


def fingerprints(rests: pl.Series, keys: pl.Series, starts: list[Any]) -> pl.Series:
    """``"sha256:" + hex`` of each row: its start (``starts[keys[row]]``, a sha256 state over
    the text before the row's own) followed by ``rests[row]`` as UTF-8."""
    data, numbers, firsts, lasts = _utf8_pieces(rests)
    prefixes = keys.to_list()
    rows = len(prefixes)
    digests: list[bytes] = [b""] * rows
    errors: list[BaseException] = []

    def run(first: int, last: int) -> None:
        try:
            for row in range(first, last):
                hashed = starts[prefixes[row]].copy()
                hashed.update(data[numbers[row]][firsts[row] : lasts[row]])
                digests[row] = hashed.digest()
        except BaseException as error:  # raised again in the calling thread, below
            errors.append(error)

    threads = max(1, min(THREADS, _cores(), rows // _FEW))
    if threads == 1:
        run(0, rows)
    else:
        cuts = [rows * part // threads for part in range(threads + 1)]
        workers = [
            threading.Thread(target=run, args=(cuts[part], cuts[part + 1]))
            for part in range(1, threads)
        ]
        for worker in workers:
            worker.start()
        run(cuts[0], cuts[1])
        for worker in workers:
            worker.join()
    if errors:
        raise errors[0]
    hexed = pl.Series("fingerprint", digests, pl.Binary).bin.encode("hex")
    return ("sha256:" + hexed).alias("fingerprint")
