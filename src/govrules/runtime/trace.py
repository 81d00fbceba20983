"""Recording an evaluation: a recorder is passed in; its null twin makes tracing free.

The engine reports each step -- facts received, parameters read, rules tried, dates computed,
the outcome -- only when ``enabled`` is true, so that a run with ``NULL_RECORDER`` builds no
event at all. A recorder receives each event as a JSON-ready dict through ``record(event)``.
``TraceRecorder`` also takes an event in a compact form, ``defer(build, *fields)``: the
engine's own events arrive so, and the dict (``build(step, *fields)``) is made only when
``events`` (or the decision's ``trace``) is read -- a decision whose trace nobody reads never
pays for it, and none is built twice.

    recorder = TraceRecorder()
    engine.evaluate("cn.jilin.taobei.wage_deposit", case, recorder=recorder)
    recorder.events[0]["event"]   # 'policy'
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

__all__ = ["NULL_RECORDER", "EventBuilder", "NullRecorder", "Recorder", "TraceRecorder", "emitter"]

# Makes one event from its step number and the fields it was recorded with; the dict it
# returns has "step" first, as every event of a trace does.
EventBuilder = Callable[..., dict[str, Any]]


class Recorder(Protocol):
    """Receives the steps of one evaluation, in order."""

    @property
    def enabled(self) -> bool: ...

    def record(self, event: dict[str, Any]) -> None: ...


def _numbered(step: int, event: dict[str, Any]) -> dict[str, Any]:
    event["step"] = step  # the recorder's own copy, made when it was recorded
    return event


class TraceRecorder:
    """Keeps every event, numbered, for the decision's ``trace``."""

    __slots__ = ("_pending", "_events")
    enabled = True

    def __init__(self) -> None:
        self._pending: list[tuple[EventBuilder, tuple[Any, ...]]] = []
        self._events: list[dict[str, Any]] = []

    def record(self, event: dict[str, Any]) -> None:
        # copied now: the caller may reuse its dict; "step" holds the first place
        self._pending.append((_numbered, ({"step": 0, **event},)))

    def defer(self, build: EventBuilder, *fields: Any) -> None:
        """Record an event as ``build`` and its fields; ``build(step, *fields)`` makes it when
        the events are read. The fields must not change in between (they are values, tuples,
        or dicts nobody else holds)."""
        self._pending.append((build, fields))

    def __len__(self) -> int:
        """How many events have been recorded (built or not)."""
        return len(self._pending)

    @property
    def events(self) -> list[dict[str, Any]]:
        """Every event recorded so far, as dicts, in order (each built once)."""
        events = self._events
        done = len(events)
        if done < len(self._pending):
            append = events.append
            for step, (build, fields) in enumerate(self._pending[done:], done + 1):
                append(build(step, *fields))
        return events


class NullRecorder:
    """Records nothing; the engine skips building events when it sees ``enabled`` false."""

    enabled = False

    def record(self, event: dict[str, Any]) -> None:
        return None


NULL_RECORDER = NullRecorder()


def emitter(recorder: Recorder) -> Callable[..., None]:
    """How the engine reports to ``recorder``: ``emit(build, *fields)``. A ``TraceRecorder``
    (whose ``record`` is its own) keeps the compact form; any other recorder receives the
    event built at once, without the step number (the recorder numbers what it keeps)."""
    if isinstance(recorder, TraceRecorder) and type(recorder).record is TraceRecorder.record:
        return recorder.defer
    record = recorder.record

    def emit(build: EventBuilder, *fields: Any) -> None:
        event = build(0, *fields)
        del event["step"]
        record(event)

    return emit
