"""The service's OpenAPI document, with each policy's case model as the request schema of its
own operations, so that clients can generate typed SDKs.

    document = openapi_document(app, engine)
    document["paths"]["/v1/policies/cn.jilin.taobei.wage_deposit/evaluate"]["post"]
    document["components"]["schemas"]["cn.jilin.taobei.wage_deposit"]    # the case schema

The routes that decide a case (evaluate, why-not, deadlines, review) are one route each in the
application; here each is written out once per policy, its body the policy's case (latest
version) or an envelope around it. The request is still read by the strict JSON reader, never
by pydantic: the schema documents, the engine decides.
"""

from __future__ import annotations

import copy
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from govrules.engine import Engine
from govrules.runtime.decision import FORMAT, JSON_KEYS
from govrules.service.problems import PROBLEM_JSON

__all__ = ["openapi_document"]

_PER_POLICY = "x-govrules-per-policy"
_DATE = {"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"}
_PROBLEM = {
    "type": "object",
    "description": "RFC 9457 problem details, with each thing wrong in `errors`",
    "required": ["type", "title", "status", "detail", "errors"],
    "properties": {
        "type": {"type": "string", "examples": ["urn:govrules:problem:invalid-input"]},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": ["string", "null"]},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["code", "message"],
                "properties": {
                    "code": {"type": "string"},
                    "message": {"type": "string"},
                    "location": {"enum": ["body", "query", "header", "path", None]},
                    "field": {"type": ["string", "null"]},
                    "line": {"type": ["integer", "null"]},
                    "column": {"type": ["integer", "null"]},
                    "hint": {"type": ["string", "null"]},
                },
            },
        },
    },
}
_DECISION = {
    "type": "object",
    "description": f"A decision, format {FORMAT} (docs/integrators.md, 'The JSON contract')",
    "required": list(JSON_KEYS),
    "properties": {
        "format": {"const": FORMAT},
        "policy": {"type": "string"},
        "policy_version": {"type": "string"},
        "policy_hash": {"type": "string"},
        "pack": {"type": ["object", "null"]},
        "as_of": _DATE,
        "calendar": {"type": "string"},
        "facts": {"type": "object"},
        "outcome": {"type": "string"},
        "values": {"type": "object"},
        "citations": {"type": "array", "items": {"type": "object"}},
        "missing": {"type": "array", "items": {"type": "object"}},
        "notices": {"type": "array", "items": {"type": "object"}},
        "trace_digest": {"type": ["string", "null"]},
        "trace": {"type": "array", "items": {"type": "object"}},
        "fingerprint": {"type": "string"},
    },
}
_TEXT = {"schema": {"type": "string"}}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _body(operation: str, policy_id: str) -> dict[str, Any]:
    case = _ref(policy_id)
    envelope = {
        "type": "object",
        "required": ["facts"],
        "additionalProperties": False,
        "properties": {"policy": {"const": policy_id}, "as_of": _DATE, "facts": case},
    }
    either = {"oneOf": [case, envelope]}
    if operation == "review":
        schema: dict[str, Any] = {
            "type": "object",
            "required": ["first", "second"],
            "additionalProperties": False,
            "properties": {"first": either, "second": either, "as_of": _DATE},
        }
    else:
        schema = either
    return {"required": True, "content": {"application/json": {"schema": schema}}}


def _answers(operation: str) -> dict[str, Any]:
    if operation == "evaluate":
        content: dict[str, Any] = {"application/json": {"schema": _ref("Decision")}}
        for media in ("text/plain", "text/markdown", "text/html"):
            content[media] = _TEXT
        return {"description": "the decision, in the format asked for", "content": content}
    if operation == "deadlines":
        content = {"application/json": {"schema": {"type": "object"}}, "text/plain": _TEXT}
        return {"description": "the case's deadlines", "content": content}
    return {"description": "the answer", "content": {"application/json": {"schema": {}}}}


def openapi_document(app: FastAPI, engine: Engine) -> dict[str, Any]:
    """The OpenAPI 3.1 document of ``app``, its per-policy operations written out."""
    document = get_openapi(
        title=app.title, version=app.version, description=app.description, routes=app.routes
    )
    schemas: dict[str, Any] = document.setdefault("components", {}).setdefault("schemas", {})
    for generated in ("HTTPValidationError", "ValidationError"):
        schemas.pop(generated, None)
    schemas["Problem"] = _PROBLEM
    schemas["Decision"] = _DECISION
    paths: dict[str, Any] = document["paths"]
    generic: list[tuple[str, str, str, dict[str, Any]]] = []
    for path, item in list(paths.items()):
        for method, operation in list(item.items()):
            if _PER_POLICY in operation:
                generic.append((operation.pop(_PER_POLICY), path, method, item.pop(method)))
        if not item:
            del paths[path]
    ids = sorted({policy.id for policy in engine.policies()})
    for policy_id in ids:
        model = engine.case_model(policy_id)
        schema = model.model_json_schema()
        schemas[policy_id] = {k: v for k, v in schema.items() if k not in ("$schema", "$id")}
        for kind, path, method, operation in generic:
            written = copy.deepcopy(operation)
            written["operationId"] = f"{kind}_{policy_id}".replace(".", "_").replace("-", "_")
            written["summary"] = f"{operation.get('summary', kind)}: {policy_id}"
            written["parameters"] = [
                p for p in written.get("parameters", []) if p.get("name") != "policy_id"
            ]
            written["requestBody"] = _body(kind, policy_id)
            written.setdefault("responses", {})["200"] = _answers(kind)
            paths.setdefault(path.replace("{policy_id}", policy_id), {})[method] = written
    problem = {
        "description": "a problem (RFC 9457): the request refused, and why",
        "content": {PROBLEM_JSON: {"schema": _ref("Problem")}},
    }
    for item in paths.values():
        for operation in item.values():
            responses = operation.setdefault("responses", {})
            responses.pop("422", None)  # FastAPI's own validation answer: ours is a problem
            responses["default"] = problem
    return document
