"""The batch route: JSON lines in, JSON lines out -- the rows ``govrules batch`` writes, one per
case, in order, streamed as they are decided.

    POST /v1/policies/{policy_id}/batch?as_of=2026-11-21&trace=false&cite=full|ids
    Content-Type: application/x-ndjson

    {"contract_price": "1000000", "first_deposit": true}
    {"policy": "cn.jilin.taobei.wage_deposit", "facts": {"contract_price": 5}}

Each line is a case or an envelope for this policy and date, read as ``govrules batch`` reads
it (``govrules.batch``): row 1 is the first non-blank line. The answer to a row is
``{"row": n, **decision}``, or ``{"row": n, "errors": [{"code", "field", "message"}]}`` for a
row that cannot be decided -- and the stream goes on. The whole body is read before the first
answer: a client that sends every line before reading cannot deadlock on full buffers, and the
body is bounded (``settings.py``). With a decision log, rows come out once they are stored.

Should the batch stop (a group of rows past the time limit, the log failing, a policy's rule
failing), its last line is ``{"row": null, "errors": [...]}`` saying why.
"""

from __future__ import annotations

import io
import logging
from collections.abc import AsyncIterator, Iterator
from itertools import islice
from typing import Any

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from govrules.batch import BadRow, decide_rows, json_line, result_row
from govrules.batch.reading import json_line_cases
from govrules.decisionlog import DecisionLogError
from govrules.engine import today
from govrules.errors import EvaluationError
from govrules.runtime.decision import Decision
from govrules.service.bodies import JSON_LINES_TYPES, date_in_query, read_body
from govrules.service.desk import Desk
from govrules.service.problems import Problem

__all__ = ["JSON_LINES", "stream_batch"]

JSON_LINES = "application/x-ndjson"
LOGGER = logging.getLogger("govrules.service")
# A batch body may take longer to arrive than one case: this many times the time limit.
BODY_TIME_FACTOR = 10
# Rows decided in one turn of a worker thread, under one time limit.
ROWS_PER_TURN = 64

_Row = tuple[int, Decision | BadRow]


async def stream_batch(
    desk: Desk, request: Request, policy_id: str, as_of: str | None, trace: bool, cite: str
) -> Response:
    """Read every line of the request, then answer the rows as they are decided."""
    settings = desk.settings
    day = date_in_query(as_of) or today()
    policy = desk.policy(policy_id, day)  # refused before the stream starts
    raw = await read_body(
        request,
        settings.max_batch_bytes,
        settings.body_timeout * BODY_TIME_FACTOR,
        JSON_LINES_TYPES,
    )
    cases = sum(1 for line in raw.split(b"\n") if line.strip())
    if cases > settings.max_batch_lines:
        raise Problem(
            413,
            "batch-too-large",
            f"{cases:,} lines; a batch holds at most {settings.max_batch_lines:,} (split it)",
            location="body",
        )
    read = json_line_cases(io.BytesIO(raw), "body", policy, day)
    rows = decide_rows(
        desk.engine, policy_id, read, day, trace=trace, log=desk.log, origin="service"
    )
    return StreamingResponse(_answers(desk, policy_id, rows, cite), media_type=JSON_LINES)


def _turn(rows: Iterator[_Row]) -> list[_Row]:
    return list(islice(rows, ROWS_PER_TURN))


async def _answers(
    desk: Desk, policy_id: str, rows: Iterator[_Row], cite: str
) -> AsyncIterator[str]:
    while True:
        try:
            turn = await desk.in_time(_turn, rows)
        except Problem as problem:
            yield _stopped(desk, problem.code, 503, problem.detail)
            return
        except DecisionLogError as error:
            LOGGER.error("a batch of %s stopped: the decision log failed: %s", policy_id, error)
            yield _stopped(desk, "decision-log-failed", 503, "the decision log failed")
            return
        except EvaluationError as error:
            LOGGER.error("a batch of %s stopped: %s", policy_id, error)
            yield _stopped(desk, "evaluation-error", 500, str(error))
            return
        except Exception:  # noqa: BLE001 - the stream has begun: say why it ends, log the rest
            LOGGER.exception("a batch of %s stopped", policy_id)
            yield _stopped(desk, "batch-stopped", 500, "an internal error; it has been logged")
            return
        if not turn:
            return
        for row, made in turn:
            if isinstance(made, Decision):
                desk.metrics.decided(made.policy_id, made.outcome)
            else:
                desk.metrics.refused_case(policy_id)
                for wrong in made.problems:
                    desk.metrics.problem(wrong.code, 422)
            yield json_line(result_row(row, made, cite))


def _stopped(desk: Desk, code: str, status: int, message: str) -> str:
    desk.metrics.problem(code, status)
    stop: dict[str, Any] = {
        "row": None,
        "errors": [{"code": code, "field": None, "message": f"the batch stopped: {message}"}],
    }
    return json_line(stop)
