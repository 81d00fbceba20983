"""Running the service on uvicorn: in this process, or in several worker processes that each
load the engine again the way this one was loaded.

    serve(Engine.default(), ServiceSettings(port=8080))                 # one process
    serve(None, ServiceSettings(workers=4), recipe=EngineRecipe())      # four workers

With workers, uvicorn starts each one afresh; it finds what to load in the environment
(``GOVRULES_SERVICE``), and ``PROMETHEUS_MULTIPROC_DIR`` lets ``/metrics`` add up every
worker's figures.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from contextlib import suppress
from dataclasses import asdict

import uvicorn
from fastapi import FastAPI

from govrules.engine import Engine
from govrules.records import record
from govrules.service.app import create_app
from govrules.service.settings import ServiceSettings

__all__ = ["EngineRecipe", "app_from_environment", "serve"]

_ENVIRONMENT = "GOVRULES_SERVICE"


@record(slots=False)
class EngineRecipe:
    """How a worker process loads the engine: ``--policies`` folders only, or the bundled and
    installed packs with ``--pack`` folders (absolute paths)."""

    policies: tuple[str, ...] = ()
    packs: tuple[str, ...] = ()

    def load(self) -> Engine:
        if self.policies:
            return Engine.from_directory(*self.policies, *self.packs)
        return Engine.default(*self.packs)


def serve(
    engine: Engine | None, settings: ServiceSettings, recipe: EngineRecipe | None = None
) -> None:
    """Serve until interrupted. One worker serves ``engine``; several load ``recipe`` each."""
    common = {
        "host": settings.host,
        "port": settings.port,
        "server_header": False,
        "proxy_headers": False,
        "timeout_keep_alive": 5,
        "log_level": "info",
    }
    if settings.workers == 1:
        assert engine is not None, "one worker serves the engine given"
        server = uvicorn.Server(uvicorn.Config(create_app(engine, settings), **common))  # type: ignore[arg-type]
        with suppress(KeyboardInterrupt):  # Ctrl-C: how a service is stopped, not an error
            server.run()
        return
    assert recipe is not None, "worker processes load the engine from a recipe"
    folder = tempfile.mkdtemp(prefix="govrules-metrics-")
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = folder
    os.environ[_ENVIRONMENT] = json.dumps(
        {
            "settings": {**asdict(settings), "tokens": sorted(settings.tokens)},
            "recipe": asdict(recipe),
        }
    )
    try:
        with suppress(KeyboardInterrupt):  # Ctrl-C: how a service is stopped, not an error
            uvicorn.run(
                "govrules.service.server:app_from_environment",
                factory=True,
                workers=settings.workers,
                **common,  # type: ignore[arg-type]
            )
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def app_from_environment() -> FastAPI:
    """The application of one worker process, as ``serve`` described it."""
    described = json.loads(os.environ[_ENVIRONMENT])
    given = described["settings"]
    settings = ServiceSettings(
        **{
            **given,
            "tokens": frozenset(given["tokens"]),
            "cors_origins": tuple(given["cors_origins"]),
        }
    )
    recipe = described["recipe"]
    engine = EngineRecipe(tuple(recipe["policies"]), tuple(recipe["packs"])).load()
    return create_app(engine, settings)
