"""What ``/metrics`` tells Prometheus: decisions by policy and outcome, requests and their
latency by route, and problems by code.

    metrics = ServiceMetrics()
    metrics.decided("cn.jilin.taobei.wage_deposit", "assessed")
    app = MeasuredApp(app, metrics)           # times every request by its route
    metrics.render()                          # the Prometheus text format

Each service has its own registry. A service run with several worker processes
(``govrules serve --workers N``) sets ``PROMETHEUS_MULTIPROC_DIR`` before any worker starts,
and ``render`` then adds up every worker's figures.
"""

from __future__ import annotations

import os
import time
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["CONTENT_TYPE", "MeasuredApp", "ServiceMetrics"]

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"

# From a fast decision without a trace (under a millisecond) to a batch streamed for minutes.
_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 120)


class ServiceMetrics:
    """The counters and histograms of one service."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.decisions = Counter(
            "govrules_decisions",
            "Decisions made, by policy and outcome",
            ("policy", "outcome"),
            registry=self.registry,
        )
        self.case_errors = Counter(
            "govrules_refused_cases",
            "Cases refused as invalid, by policy",
            ("policy",),
            registry=self.registry,
        )
        self.requests = Counter(
            "govrules_http_requests",
            "HTTP requests answered, by method, route and status",
            ("method", "route", "status"),
            registry=self.registry,
        )
        self.latency = Histogram(
            "govrules_http_request_duration_seconds",
            "Time from a request's arrival to the end of its answer, by method and route",
            ("method", "route"),
            buckets=_BUCKETS,
            registry=self.registry,
        )
        self.problems = Counter(
            "govrules_problems",
            "Requests (and batch lines) refused, by problem code and status",
            ("code", "status"),
            registry=self.registry,
        )

    def decided(self, policy_id: str, outcome: str) -> None:
        self.decisions.labels(policy_id, outcome).inc()

    def refused_case(self, policy_id: str) -> None:
        self.case_errors.labels(policy_id).inc()

    def problem(self, code: str, status: int) -> None:
        self.problems.labels(code, str(status)).inc()

    def answered(self, method: str, route: str, status: int, seconds: float) -> None:
        self.requests.labels(method, route, str(status)).inc()
        self.latency.labels(method, route).observe(seconds)

    def render(self) -> bytes:
        """The Prometheus text exposition of every figure (of every worker process)."""
        if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
            registry = CollectorRegistry()
            MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
            return generate_latest(registry)
        return generate_latest(self.registry)


class MeasuredApp:
    """ASGI middleware timing each HTTP request, labelled by the route's template (never the
    path itself, whose values are unbounded) and the status answered."""

    def __init__(self, app: ASGIApp, metrics: ServiceMetrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = 500

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            route: Any = scope.get("route")
            template = getattr(route, "path", None) or "(no route)"
            self.metrics.answered(scope["method"], template, status, time.perf_counter() - start)
