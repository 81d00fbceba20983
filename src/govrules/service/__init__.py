"""The HTTP service: the engine as a JSON API on FastAPI and uvicorn, for systems in any
language (``govrules serve`` runs it; ``docs/integrators.md``, "HTTP API", documents it).

    from govrules import Engine
    from govrules.service import ServiceSettings, create_app

    app = create_app(Engine.default(), ServiceSettings(log="decisions.sqlite"))
    # POST /v1/policies/cn.jilin.taobei.wage_deposit/evaluate?as_of=2026-11-21
    #      {"contract_price": "1000000", "first_deposit": true}

It needs the ``serve`` extra: ``pip install 'govrules[serve]'``.
"""

from govrules.service.app import create_app
from govrules.service.server import EngineRecipe, serve
from govrules.service.settings import ServiceSettings
from govrules.service.tokens import TokenFileError, hash_token, new_token, read_token_file

__all__ = [
    "EngineRecipe",
    "ServiceSettings",
    "TokenFileError",
    "create_app",
    "hash_token",
    "new_token",
    "read_token_file",
    "serve",
]
