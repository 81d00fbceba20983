"""The HTTP service's application: the ``/v1`` API over one engine, health and readiness, the
Prometheus metrics, the OpenAPI document, and one answer for every refusal.

    app = create_app(Engine.default(), ServiceSettings(tokens=read_token_file(path)))
    uvicorn.run(app, host="127.0.0.1", port=8000)          # or: govrules serve

``/healthz`` (the process answers) and ``/readyz`` (the engine is loaded, the decision log
open) are never behind a token; ``/v1/...``, ``/metrics`` and ``/openapi.json`` are when
tokens are configured. Every refusal, an unexpected error too, is ``application/problem+json``
without internals (those go to the log of the process).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from importlib import metadata
from typing import Any

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.middleware.cors import CORSMiddleware
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from govrules.decisionlog import open_log
from govrules.engine import Engine
from govrules.errors import CaseError, EvaluationError, UnknownPolicyError
from govrules.service.desk import Desk, unknown_policy
from govrules.service.metrics import CONTENT_TYPE, MeasuredApp, ServiceMetrics
from govrules.service.openapi import openapi_document
from govrules.service.problems import PROBLEM_JSON, Problem, ProblemEntry, case_problem
from govrules.service.routes import json_response, v1_router
from govrules.service.settings import ServiceSettings
from govrules.service.tokens import token_accepted

__all__ = ["create_app"]

LOGGER = logging.getLogger("govrules.service")
_HANDLED = Callable[[Request, Any], Awaitable[Response]]


def create_app(engine: Engine, settings: ServiceSettings | None = None) -> FastAPI:
    """The service over ``engine``: routes, limits, authentication, CORS and metrics as
    ``settings`` say (default: loopback, no tokens, no CORS, no decision log)."""
    settings = settings or ServiceSettings()
    metrics = ServiceMetrics()
    desk = Desk(engine, settings, metrics)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        if settings.log is not None:
            desk.log = open_log(settings.log)
        try:
            yield
        finally:
            if desk.log is not None:
                desk.log.close()
                desk.log = None

    app = FastAPI(
        title="govrules",
        version=metadata.version("govrules"),
        description="Chinese labour and social-security regulations as cited, fingerprinted "
        "decisions (docs/integrators.md, 'HTTP API').",
        openapi_url=None,  # served below, behind the token check when there is one
        docs_url=None,  # the interactive pages load scripts from elsewhere: not in a bureau
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.desk = desk
    guarded = [Depends(_token_check(settings.tokens))] if settings.tokens else []
    app.include_router(v1_router(desk, guarded))

    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> Response:
        return json_response({"status": "alive"})

    @app.get("/readyz", include_in_schema=False)
    async def readyz() -> Response:
        if settings.log is not None and desk.log is None:
            raise Problem(503, "not-ready", "the decision log is not open")
        policies = {policy.id for policy in engine.policies()}
        return json_response(
            {"status": "ready", "policies": len(policies), "packs": len(engine.packs)}
        )

    @app.get("/metrics", include_in_schema=False, dependencies=guarded)
    async def metrics_text() -> Response:
        return Response(metrics.render(), media_type=CONTENT_TYPE)

    document: dict[str, Any] = {}

    @app.get("/openapi.json", include_in_schema=False, dependencies=guarded)
    async def openapi() -> Response:
        if not document:
            document.update(openapi_document(app, engine))
        return JSONResponse(document)

    _handle_errors(app, metrics)
    app.add_middleware(_Plain)
    app.add_middleware(MeasuredApp, metrics=metrics)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(settings.cors_origins),
            allow_methods=["GET", "POST"],
            allow_headers=["Authorization", "Content-Type"],
            expose_headers=["X-Decision-Fingerprint", "X-Decision-Log-Id"],
            max_age=600,
        )
    return app


def _token_check(digests: frozenset[str]) -> Callable[[Request], Awaitable[None]]:
    async def check(request: Request) -> None:
        header = request.headers.get("authorization")
        if token_accepted(header, digests):
            return
        code, detail = (
            ("missing-token", "this service needs an Authorization: Bearer <token> header")
            if header is None
            else ("invalid-token", "the bearer token is not one this service accepts")
        )
        raise Problem(
            401,
            code,
            detail,
            location="header",
            headers={"WWW-Authenticate": 'Bearer realm="govrules"'},
        )

    return check


def _handle_errors(app: FastAPI, metrics: ServiceMetrics) -> None:
    """Every error a request can meet, answered as a problem and counted by its code."""

    def answer(request: Request, problem: Problem) -> Response:
        metrics.problem(problem.code, problem.status)
        headers = dict(problem.headers)
        return JSONResponse(
            problem.to_dict(request.url.path), problem.status, headers, media_type=PROBLEM_JSON
        )

    async def on_problem(request: Request, error: Problem) -> Response:
        return answer(request, error)

    async def on_invalid_request(request: Request, error: RequestValidationError) -> Response:
        entries = []
        for item in error.errors():
            where = [str(part) for part in item.get("loc", ())]
            field = ".".join(where[1:]) or None
            entries.append(
                ProblemEntry(
                    "invalid-parameter",
                    f"{field}: {item.get('msg')}",
                    where[0] if where else None,
                    field,
                )
            )
        detail = "; ".join(e.message for e in entries) or "invalid request"
        return answer(request, Problem(400, "invalid-parameter", detail, tuple(entries)))

    async def on_http(request: Request, error: HTTPException) -> Response:
        code = {404: "not-found", 405: "method-not-allowed"}.get(error.status_code, "http-error")
        detail = f"no route {request.url.path}" if error.status_code == 404 else str(error.detail)
        problem = Problem(error.status_code, code, detail, headers=dict(error.headers or {}))
        return answer(request, problem)

    async def on_case(request: Request, error: CaseError) -> Response:
        return answer(request, case_problem(error, request.path_params.get("policy_id", "")))

    async def on_unknown(request: Request, error: UnknownPolicyError) -> Response:
        return answer(request, unknown_policy(error))

    async def on_evaluation(request: Request, error: EvaluationError) -> Response:
        LOGGER.error("evaluation error on %s: %s", request.url.path, error)
        return answer(request, Problem(500, "evaluation-error", str(error)))

    async def on_anything(request: Request, error: Exception) -> Response:
        # the traceback goes to the process's log (uvicorn logs the exception), not the client
        detail = "an internal error; it has been logged"
        return answer(request, Problem(500, "internal-error", detail))

    handlers: dict[Any, _HANDLED] = {
        Problem: on_problem,
        RequestValidationError: on_invalid_request,
        HTTPException: on_http,
        CaseError: on_case,
        UnknownPolicyError: on_unknown,
        EvaluationError: on_evaluation,
        Exception: on_anything,
    }
    for kind, handler in handlers.items():
        app.add_exception_handler(kind, handler)


class _Plain:
    """Every answer marked as not to be sniffed nor cached: decisions are about people."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers += [
                    (b"x-content-type-options", b"nosniff"),
                    (b"cache-control", b"no-store"),
                ]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, sending if scope["type"] == "http" else send)
