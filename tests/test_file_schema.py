"""The JSON Schema of the file formats: generated from the loader's models, shipped in the
package, named by every bundled file, and satisfied by every bundled file."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft202012Validator

import govrules
from conftest import POLICIES
from govrules.language.files import file_format_schema

SCHEMAS = Path(govrules.__file__).parent / "schemas"
FILES = sorted(POLICIES.rglob("*.yaml"))


def _kind(path: Path) -> str:
    if path.name == "pack.yaml":
        return "pack"
    return "source" if "sources" in path.relative_to(POLICIES).parts[:-1] else "policy"


def _json_ready(value: Any) -> Any:
    """YAML scalars as JSON has them (what an editor's validator sees)."""
    if isinstance(value, dict):
        return {str(k): _json_ready(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_json_ready(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return value


@pytest.mark.parametrize("kind", ["policy", "source", "pack"])
def test_shipped_schema_is_the_generated_one(kind: str) -> None:
    shipped = json.loads((SCHEMAS / f"{kind}.schema.json").read_text(encoding="utf-8"))
    assert shipped == file_format_schema(kind), "regenerate with govrules schema --{kind}-format"


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_every_bundled_file_names_and_satisfies_its_schema(path: Path) -> None:
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith("# yaml-language-server: $schema=")
    target = (path.parent / first.split("$schema=", 1)[1]).resolve()
    assert target == (SCHEMAS / f"{_kind(path)}.schema.json").resolve()
    schema = json.loads(target.read_text(encoding="utf-8"))
    data = _json_ready(yaml.safe_load(path.read_text(encoding="utf-8")))
    errors = sorted(Draft202012Validator(schema).iter_errors(data), key=str)
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors[:5])


def test_the_schema_rejects_what_the_loader_rejects() -> None:
    schema = file_format_schema("policy")
    bad = {"kind": "policy", "id": "x.y", "version": "1", "title": {"zh": "甲"}}
    assert list(Draft202012Validator(schema).iter_errors(bad))
