"""The routes of the service's ``/v1`` API, each a thin face over the engine and the functions
the command line uses (``explain``, ``audit``): nothing here decides anything itself.

    GET  /v1/packs, /v1/policies, /v1/policies/{id}, /v1/policies/{id}/schema   (catalog.py)
    POST /v1/policies/{id}/evaluate?as_of=&trace=&format=json|text|markdown|html|notice
    POST /v1/policies/{id}/why-not, /deadlines, /review ({first, second})
    POST /v1/verify                                                (a saved decision's JSON)
    POST /v1/policies/{id}/batch                                   (streaming.py)

The decide-a-case routes take the facts object or an envelope ``{as_of, facts}``; the query's
``as_of`` wins over the envelope's, and without either the law of today in Beijing applies.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from govrules.audit.review import review_case
from govrules.audit.verify import DecisionFormatError, read_decision, verify_decision
from govrules.audit.whynot import why_not
from govrules.explain import (
    deadline_entries,
    deadline_timeline,
    explain_html,
    explain_markdown,
    explain_text,
    missing_notice,
)
from govrules.runtime.decision import Decision
from govrules.service.bodies import case_of, date_in_query, decode, read_body, read_date
from govrules.service.catalog import pack_summary, policy_detail, policy_summaries
from govrules.service.desk import Desk
from govrules.service.problems import Problem, ProblemEntry
from govrules.service.streaming import JSON_LINES, stream_batch
from govrules.values import to_json_value

__all__ = ["HTML_POLICY", "json_response", "v1_router"]

DecisionFormat = Literal["json", "text", "markdown", "html", "notice"]
AsOf = Annotated[
    str | None,
    Query(
        description="the date whose law applies, YYYY-MM-DD (default: the envelope's, or "
        "today in Beijing)"
    ),
]
# An explanation is a self-contained page: no script, no request elsewhere.
HTML_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'"
_MEDIA = {
    "json": "application/json",
    "text": "text/plain; charset=utf-8",
    "notice": "text/plain; charset=utf-8",
    "markdown": "text/markdown; charset=utf-8",
    "html": "text/html; charset=utf-8",
}
_RENDER: dict[str, Callable[[Decision], str]] = {
    "json": lambda decision: decision.to_json(),
    "text": explain_text,
    "notice": missing_notice,
    "markdown": explain_markdown,
    "html": explain_html,
}


BATCH_BODY = {
    "requestBody": {
        "required": True,
        "description": "one case (or envelope {as_of, facts}) per line",
        "content": {JSON_LINES: {"schema": {"type": "string"}}},
    },
    "responses": {
        "200": {
            "description": "one line per case, in order: the decision's JSON, or "
            '{"line": N, "error": {problem}}',
            "content": {JSON_LINES: {"schema": {"type": "string"}}},
        }
    },
}


def json_response(document: Any, status: int = 200) -> Response:
    """A JSON answer: UTF-8, exact decimals as strings, dates ``YYYY-MM-DD``."""
    text = json.dumps(document, ensure_ascii=False, default=to_json_value)
    return Response(text, status, media_type="application/json")


def _answer(text: str, media: str, decision: Decision, log_ids: list[int]) -> Response:
    headers = {"X-Decision-Fingerprint": decision.fingerprint}
    if log_ids:
        headers["X-Decision-Log-Id"] = ",".join(str(i) for i in log_ids)
    if media.startswith("text/html"):
        headers["Content-Security-Policy"] = HTML_POLICY
    return Response(text, 200, headers, media_type=media)


def _per_policy(operation: str) -> dict[str, Any]:
    """Marks a route whose OpenAPI operation is written out for each policy (``openapi.py``)."""
    return {"x-govrules-per-policy": operation}


def v1_router(desk: Desk, dependencies: list[Any]) -> APIRouter:
    """Every ``/v1`` route, behind ``dependencies`` (the bearer-token check, when enabled)."""
    router = APIRouter(prefix="/v1", dependencies=dependencies)
    engine = desk.engine

    @router.get("/packs", summary="The packs loaded", tags=["catalog"])
    async def packs() -> Response:
        return json_response([pack_summary(pack) for pack in engine.packs.values()])

    @router.get("/policies", summary="Every policy, with its versions", tags=["catalog"])
    async def policies() -> Response:
        return json_response(policy_summaries(engine))

    @router.get("/policies/{policy_id}", summary="One policy version", tags=["catalog"])
    async def policy(policy_id: str, as_of: AsOf = None) -> Response:
        return json_response(policy_detail(engine, desk.policy(policy_id, date_in_query(as_of))))

    @router.get("/policies/{policy_id}/schema", summary="A case's JSON Schema", tags=["catalog"])
    async def schema(policy_id: str, as_of: AsOf = None) -> Response:
        day = date_in_query(as_of)
        desk.policy(policy_id, day)
        return json_response(engine.case_model(policy_id, day).model_json_schema())

    @router.post(
        "/policies/{policy_id}/evaluate",
        summary="Decide one case",
        tags=["deciding"],
        openapi_extra=_per_policy("evaluate"),
    )
    async def evaluate(
        request: Request,
        policy_id: str,
        as_of: AsOf = None,
        trace: bool = True,
        shape: Annotated[DecisionFormat, Query(alias="format")] = "json",
    ) -> Response:
        text, decision, ids = await desk.decide(
            request, policy_id, as_of, trace or shape != "json", _RENDER[shape]
        )
        return _answer(text, _MEDIA[shape], decision, ids)

    @router.post(
        "/policies/{policy_id}/why-not",
        summary="Why the outcome is not another one",
        tags=["auditing"],
        openapi_extra=_per_policy("why-not"),
    )
    async def why_not_route(request: Request, policy_id: str, as_of: AsOf = None) -> Response:
        def answer(decision: Decision) -> str:
            return json.dumps(why_not(engine, decision).to_dict(), ensure_ascii=False)

        text, decision, ids = await desk.decide(request, policy_id, as_of, True, answer)
        return _answer(text, "application/json", decision, ids)

    @router.post(
        "/policies/{policy_id}/deadlines",
        summary="A case's deadlines, earliest first",
        tags=["deciding"],
        openapi_extra=_per_policy("deadlines"),
    )
    async def deadlines(
        request: Request,
        policy_id: str,
        as_of: AsOf = None,
        shape: Annotated[Literal["json", "text"], Query(alias="format")] = "json",
    ) -> Response:
        def answer(decision: Decision) -> str:
            if shape == "text":
                return deadline_timeline(decision)
            document = {
                "policy": decision.policy_id,
                "as_of": decision.as_of.isoformat(),
                "deadlines": deadline_entries(decision),
                "missing": [m.to_dict() for m in decision.missing],
                "fingerprint": decision.fingerprint,
            }
            return json.dumps(document, ensure_ascii=False, default=to_json_value)

        text, decision, ids = await desk.decide(request, policy_id, as_of, True, answer)
        return _answer(text, _MEDIA[shape], decision, ids)

    @router.post(
        "/policies/{policy_id}/review",
        summary="Two independent reviews of one case",
        tags=["auditing"],
        openapi_extra=_per_policy("review"),
    )
    async def review(request: Request, policy_id: str, as_of: AsOf = None) -> Response:
        desk.policy(policy_id)
        body = await desk.body(request)
        if (
            not isinstance(body, dict)
            or set(body) - {"first", "second", "as_of"}
            or not ("first" in body and "second" in body)
        ):
            message = "a review is a JSON object {first, second} of two reviewers' cases"
            raise Problem(422, "invalid-case", message, location="body")
        first, first_day = case_of(body["first"], policy_id)
        second, _ = case_of(body["second"], policy_id)
        day = desk.day(as_of, read_date(body.get("as_of"), "body") or first_day)
        desk.policy(policy_id, day)

        def work() -> Any:
            for name, facts in (("first", first), ("second", second)):
                try:
                    desk.evaluate(policy_id, facts, day, False)
                except Problem as problem:
                    raise _within(problem, name) from None
            return review_case(engine, policy_id, first, second, day)

        made = await desk.in_time(work)
        ids = await desk.logged([made.first, made.second])
        response = json_response(made.to_dict())
        if ids:
            response.headers["X-Decision-Log-Id"] = ",".join(str(i) for i in ids)
        return response

    @router.post(
        "/policies/{policy_id}/batch",
        summary="Decide many cases: JSON lines in, JSON lines out",
        tags=["deciding"],
        openapi_extra=BATCH_BODY,
    )
    async def batch(
        request: Request,
        policy_id: str,
        as_of: AsOf = None,
        trace: bool = False,
        cite: Literal["full", "ids"] = "full",
    ) -> Response:
        return await stream_batch(desk, request, policy_id, as_of, trace, cite)

    @router.post("/verify", summary="Re-evaluate a saved decision", tags=["auditing"])
    async def verify(request: Request) -> Response:
        raw = await read_body(request, desk.settings.max_body, desk.settings.body_timeout)
        try:
            saved = read_decision(decode(raw))
        except DecisionFormatError as error:
            raise Problem(400, "invalid-decision", str(error), location="body") from None
        result = await desk.in_time(verify_decision, engine, saved)
        return json_response(
            {
                "verified": result.verified,
                "reason": result.reason,
                "changed": result.changed,
                "fingerprint_saved": result.fingerprint_saved,
                "fingerprint_now": result.fingerprint_now,
                "differences": [
                    {"path": d.path, "saved": d.saved, "now": d.now} for d in result.differences
                ],
                "more_differences": result.more_differences,
                "notes": list(result.notes),
            }
        )

    return router


def _within(problem: Problem, reviewer: str) -> Problem:
    """A problem of one reviewer's case, its fields named under ``first`` or ``second``."""
    entries = tuple(
        ProblemEntry(
            e.code,
            f"{reviewer}: {e.message}",
            e.location,
            f"{reviewer}.{e.field}" if e.field else reviewer,
            e.line,
            e.column,
            e.hint,
        )
        for e in problem.errors
    )
    return Problem(problem.status, problem.code, f"{reviewer}: {problem.detail}", entries)
