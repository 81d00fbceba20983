"""Turn pydantic validation errors on a file model into located diagnostics."""

from __future__ import annotations

import functools
import re
from typing import Any

from pydantic import ValidationError

from govrules.errors import Diagnostic, suggest
from govrules.language import files
from govrules.language.located import LocatedModel
from govrules.language.reader import LocatedMap, span_at
from govrules.spans import SourceSpan

__all__ = ["diagnostics_from_validation"]


def _field_path(loc: tuple[int | str, ...]) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(document)"


def _clean_loc(data: Any, loc: tuple[int | str, ...]) -> tuple[int | str, ...]:
    """Drop the names pydantic adds for union members and wrappers ('str', 'function-...')."""
    kept: list[int | str] = []
    node = data
    for part in loc:
        in_map = isinstance(node, dict) and isinstance(part, str) and part in node
        in_list = isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
        if in_map or in_list:
            kept.append(part)
            node = node[part]
        elif isinstance(node, dict) and isinstance(part, str) and _is_key(part):
            kept.append(part)  # a key that is absent (a missing field)
            node = None
    return tuple(kept)


def _is_key(part: str) -> bool:
    """Not one of the names pydantic inserts for union members and wrappers."""
    return (
        part.isidentifier()
        and part not in ("str", "int", "bool", "date", "decimal")
        and not part.startswith(("function-", "tagged-union", "literal"))
    )


def diagnostics_from_validation(error: ValidationError, data: Any, file: str) -> list[Diagnostic]:
    """One diagnostic per distinct problem, located as precisely as the YAML allows."""
    found: list[Diagnostic] = []
    seen: set[tuple[str, str]] = set()
    items = [
        (item, _clean_loc(data, tuple(item["loc"]))) for item in error.errors(include_url=False)
    ]
    deepest = [loc for _, loc in items]
    for item, loc in items:
        if any(len(other) > len(loc) and other[: len(loc)] == loc for other in deepest):
            continue  # a consequence of a more precise problem inside it (e.g. a list left empty)
        kind = item["type"]
        where = _field_path(loc)
        span: SourceSpan | None
        hint: str | None = None
        if kind == "extra_forbidden":
            parent = _parent(data, loc)
            key = str(loc[-1]) if loc else ""
            span = parent.key_spans.get(key) if isinstance(parent, LocatedMap) else None
            if key in _known_keys():  # spelt right, but it belongs to another part of the format
                hint = f"'{key}' is a key of another part of the file format, not allowed here"
            else:
                hint = suggest(key, _known_keys())
            if " " in key:
                hint = "a comma inside { } starts a new key: quote the text that holds it"
            code, message = "unknown-key", f"'{key}' is not a known key here ({where})"
        elif kind == "missing":
            span = span_at(data, loc[:-1])
            code, message = "missing-key", f"'{loc[-1]}' is required ({where})"
        elif kind == "bool_type" and _yaml11_bool(item.get("input")):
            span = span_at(data, loc)
            code = "yaml-bool"
            message = (
                f"{where}: {item['input']!r} is not a boolean in govrules files "
                "(YAML 1.1 would read it as one)"
            )
            hint = "write true or false"
        else:
            span = span_at(data, loc)
            code = "invalid-value"
            # a validator's own ValueError reads as its message, without pydantic's prefix
            message = f"{where}: {item['msg'].removeprefix('Value error, ')}"
            expected = (item.get("ctx") or {}).get("expected")
            if item["type"] == "literal_error" and isinstance(item.get("input"), str) and expected:
                hint = suggest(item["input"], re.findall(r"'([^']*)'", str(expected)))
            if "input" in item and not isinstance(item["input"], (dict, list)):
                message += f" (got {item['input']!r})"
            if kind == "bool_type":
                hint = "write true or false"
        place = (where, code)
        if place in seen:  # one report per place, not one per union member
            continue
        seen.add(place)
        found.append(Diagnostic(code, message, span or SourceSpan(file, 1, 1), hint))
    return found


# Words YAML 1.1 reads as booleans; the reader keeps them as text, and a yes-or-no field
# refuses them by name instead of guessing
_YAML11_BOOLS = frozenset({"yes", "no", "on", "off", "y", "n"})


def _yaml11_bool(value: Any) -> bool:
    return isinstance(value, str) and value.lower() in _YAML11_BOOLS


def _parent(data: Any, loc: tuple[int | str, ...]) -> Any:
    node = data
    for part in loc[:-1]:
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            return None
    return node


# Keys of the coverage files, whose model lives above this layer.
_COVERAGE_KEYS = ("document", "not_computable", "whole_document", "notes")


@functools.cache
def _known_keys() -> frozenset[str]:
    """Every key used anywhere in the file formats, for "did you mean" on a misspelt key: read
    from the file models themselves, so that it never falls behind them."""
    found = set(_COVERAGE_KEYS)
    for model in vars(files).values():
        if isinstance(model, type) and issubclass(model, LocatedModel):
            found.update(field.alias or name for name, field in model.model_fields.items())
    return frozenset(found)
