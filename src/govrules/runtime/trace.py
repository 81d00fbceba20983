"""Recording an evaluation: a recorder is passed in; its null twin makes tracing free.

The engine calls ``record(event)`` with a JSON-ready dict for each step -- facts received,
parameters read, rules tried, dates computed, the outcome -- only when ``enabled`` is true,
so that a run with ``NULL_RECORDER`` builds no event at all.

    recorder = TraceRecorder()
    engine.evaluate("cn.jilin.taobei.wage_deposit", case, recorder=recorder)
    recorder.events[0]["event"]   # 'policy'
"""

from __future__ import annotations

from typing import Any, Protocol

__all__ = ["NULL_RECORDER", "NullRecorder", "Recorder", "TraceRecorder"]


class Recorder(Protocol):
    """Receives the steps of one evaluation, in order."""

    @property
    def enabled(self) -> bool: ...

    def record(self, event: dict[str, Any]) -> None: ...


class TraceRecorder:
    """Keeps every event, numbered, for the decision's ``trace``."""

    enabled = True

    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []

    def record(self, event: dict[str, Any]) -> None:
        self.events.append({"step": len(self.events) + 1, **event})


class NullRecorder:
    """Records nothing; the engine skips building events when it sees ``enabled`` false."""

    enabled = False

    def record(self, event: dict[str, Any]) -> None:
        return None


NULL_RECORDER = NullRecorder()
