"""The service's desk: what every route that decides shares -- the engine, the limits, the
metrics and the decision log -- and the one way a case is read, decided in time and logged.

    desk = Desk(engine, settings, metrics)
    text, decision, log_ids = await desk.decide(request, policy_id, "2026-11-21", True,
                                            lambda decision: decision.to_json())

A decision runs in a worker thread under the time limit; past it the client is answered 503
and the decision, when it ends, is dropped. A decision is appended to the log only once it is
made in time, and answered only once it is logged: no client holds a decision the log lacks.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import anyio
import anyio.to_thread
from starlette.requests import Request

from govrules.decisionlog import DecisionLog
from govrules.engine import Engine, today
from govrules.errors import CaseError, UnknownPolicyError
from govrules.runtime.decision import Decision
from govrules.service.bodies import JSON_TYPES, case_of, date_in_query, parse_json, read_body
from govrules.service.metrics import ServiceMetrics
from govrules.service.problems import Problem, case_problem
from govrules.service.settings import ServiceSettings

__all__ = ["Desk", "unknown_policy"]

_T = TypeVar("_T")
LOGGER = logging.getLogger("govrules.service")


def unknown_policy(error: UnknownPolicyError) -> Problem:
    """404: no policy of that id, or none in force on the date."""
    return Problem(404, "unknown-policy", str(error), location="path")


class Desk:
    """The engine and what surrounds each decision the service makes."""

    def __init__(self, engine: Engine, settings: ServiceSettings, metrics: ServiceMetrics) -> None:
        self.engine = engine
        self.settings = settings
        self.metrics = metrics
        self.log: DecisionLog | None = None

    # ------------------------------------------------------------------ reading

    async def body(self, request: Request) -> Any:
        """The request's JSON body, within the limits."""
        raw = await read_body(
            request, self.settings.max_body, self.settings.body_timeout, JSON_TYPES
        )
        return parse_json(raw)

    def day(self, query: str | None, envelope: dt.date | None) -> dt.date:
        """The date whose law applies: the query's, the envelope's, or today in Beijing."""
        return date_in_query(query) or envelope or today()

    def policy(self, policy_id: str, day: dt.date | None = None) -> Any:
        try:
            return self.engine.policy(policy_id, day)
        except UnknownPolicyError as error:
            raise unknown_policy(error) from None

    # ------------------------------------------------------------------ deciding

    async def in_time(self, work: Callable[..., _T], *args: Any) -> _T:
        """``work(*args)`` in a worker thread, answered 503 past the time limit."""
        limit = self.settings.timeout
        try:
            with anyio.fail_after(limit):
                return await anyio.to_thread.run_sync(work, *args, abandon_on_cancel=True)
        except TimeoutError:
            raise Problem(
                503,
                "time-limit",
                f"not decided within {limit:g} seconds, the time limit of this service",
                headers={"Retry-After": "1"},
            ) from None

    def evaluate(self, policy_id: str, facts: Any, day: dt.date, trace: bool) -> Decision:
        """One decision, its refusals as problems (run in a worker thread)."""
        try:
            return self.engine.evaluate(policy_id, facts, day, trace=trace)
        except CaseError as error:
            self.metrics.refused_case(policy_id)
            raise case_problem(error, policy_id) from None
        except UnknownPolicyError as error:
            raise unknown_policy(error) from None

    async def decide(
        self,
        request: Request,
        policy_id: str,
        as_of: str | None,
        trace: bool,
        answer: Callable[[Decision], _T],
    ) -> tuple[_T, Decision, list[int]]:
        """Read the case of the request, decide it and make the answer from the decision (in
        one worker thread, in time), then log it: the answer, the decision, its log ids."""
        self.policy(policy_id)  # an unknown policy is told before the body is read
        facts, envelope_day = case_of(await self.body(request), policy_id)
        day = self.day(as_of, envelope_day)

        def work() -> tuple[Decision, _T]:
            decision = self.evaluate(policy_id, facts, day, trace)
            return decision, answer(decision)

        decision, answered = await self.in_time(work)
        return answered, decision, await self.logged([decision])

    async def logged(self, decisions: Sequence[Decision]) -> list[int]:
        """Count the decisions, append them to the log (if any): their record ids."""
        for decision in decisions:
            self.metrics.decided(decision.policy_id, decision.outcome)
        if self.log is None or not decisions:
            return []
        log = self.log

        def append() -> list[int]:
            return [record.id for record in log.append_many(decisions, origin="service")]

        try:
            return await anyio.to_thread.run_sync(append)
        except Exception:  # noqa: BLE001 - whatever the database says, the client learns 503
            LOGGER.exception("the decision log refused a decision")
            raise Problem(
                503,
                "decision-log-failed",
                "the decision was made but could not be written to the decision log, so it "
                "is not given; try again",
                headers={"Retry-After": "5"},
            ) from None
