"""Reading what a client sends: the body within its size and time limits, its media type, strict
JSON (numbers exact, never floats), a case or its envelope, and dates in the query.

    raw = await read_body(request, settings.max_body, settings.body_timeout, JSON_TYPES)
    facts, as_of = case_of(parse_json(raw), policy_id)

Every refusal is a ``Problem``: 415 for a media type other than JSON, 413 for a body too large
(before it is read when ``Content-Length`` says so), 408 for a body not sent in time, 400 for
JSON that is not strict JSON (with its line and column), 422 for a case that is not an object.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import anyio
from starlette.requests import Request

from govrules.errors import CaseFileError
from govrules.runtime.case_files import read_json_text
from govrules.runtime.limits import EARLIEST_DATE, LATEST_DATE
from govrules.service.problems import Problem, ProblemEntry, json_problem

__all__ = [
    "JSON_LINES_TYPES",
    "JSON_TYPES",
    "case_of",
    "date_in_query",
    "read_date",
    "decode",
    "parse_json",
    "read_body",
]

# A body without a Content-Type is read as the route's kind; any other type is refused.
JSON_TYPES = ("application/json",)
JSON_LINES_TYPES = (
    "application/x-ndjson",
    "application/jsonl",
    "application/json-lines",
    "application/jsonlines",
)
_ENVELOPE_KEYS = {"policy", "as_of", "facts"}
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _check_media_type(request: Request, accepted: tuple[str, ...]) -> None:
    header = request.headers.get("content-type")
    if header is None:
        return
    kind, *parameters = (part.strip().lower() for part in header.split(";"))
    json_like = kind in accepted or (accepted == JSON_TYPES and kind.endswith("+json"))
    charset = next(
        (p.partition("=")[2].strip('"') for p in parameters if p.startswith("charset=")), None
    )
    if not json_like or charset not in (None, "utf-8", "utf8"):
        raise Problem(
            415,
            "unsupported-media-type",
            f"a body of type {header[:80]!r} is not read here; send {accepted[0]} (UTF-8)",
            location="header",
        )


def _too_large(limit: int) -> Problem:
    return Problem(
        413,
        "json-too-large",
        f"the body is larger than {limit:,} bytes, the limit of this service",
        location="body",
    )


async def read_body(
    request: Request, limit: int, timeout: float, accepted: tuple[str, ...] = JSON_TYPES
) -> bytes:
    """The body, refused when of another media type, longer than ``limit`` bytes (said by its
    ``Content-Length`` or found while reading), or not all sent within ``timeout`` seconds."""
    _check_media_type(request, accepted)
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise _too_large(limit)
    parts: list[bytes] = []
    size = 0
    try:
        with anyio.fail_after(timeout):
            async for part in request.stream():
                size += len(part)
                if size > limit:
                    raise _too_large(limit)
                parts.append(part)
    except TimeoutError:
        raise Problem(
            408,
            "body-timeout",
            f"the body was not received within {timeout:g} seconds",
            location="body",
        ) from None
    return b"".join(parts)


def decode(raw: bytes) -> str:
    """The body as text: UTF-8 (a byte-order mark allowed), else 400 naming where it breaks."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        column = error.start - (raw.rfind(b"\n", 0, error.start) + 1) + 1
        entry = ProblemEntry("file-encoding", "not UTF-8", "body", line=line, column=column)
        message = f"the body is not UTF-8 (line {line})"
        raise Problem(400, "file-encoding", message, (entry,)) from None


def parse_json(raw: bytes | str, name: str = "body") -> Any:
    """A JSON document read strictly (``runtime/case_files.py``): numbers as exact ``int`` or
    ``Decimal``, duplicate keys refused, nesting and number length limited."""
    text = decode(raw) if isinstance(raw, bytes) else raw
    try:
        return read_json_text(text, name)
    except CaseFileError as error:
        raise json_problem(error) from None


def _not_a_case(message: str, field: str | None = None) -> Problem:
    return Problem(
        422, "invalid-case", message, (ProblemEntry("invalid-case", message, "body", field),)
    )


def case_of(document: Any, policy_id: str) -> tuple[dict[str, Any], dt.date | None]:
    """The facts of a body, and the ``as_of`` its envelope names: a body is the facts object
    itself, or an envelope ``{"as_of": ..., "facts": {...}}`` (which may name the policy)."""
    if not isinstance(document, dict):
        raise _not_a_case("a case is a JSON object of facts, or an envelope {as_of, facts}")
    if "facts" not in document or not set(document) <= _ENVELOPE_KEYS:
        return document, None
    facts = document["facts"]
    if not isinstance(facts, dict):
        raise _not_a_case("the envelope's facts must be a JSON object", "facts")
    named = document.get("policy")
    if named is not None and named != policy_id:
        message = f"the envelope is a case for {str(named)[:200]!r}, not {policy_id}"
        raise Problem(
            422,
            "policy-mismatch",
            message,
            (ProblemEntry("policy-mismatch", message, "body", "policy"),),
        )
    return facts, read_date(document.get("as_of"), "body")


def date_in_query(text: str | None) -> dt.date | None:
    """The ``as_of`` of the query string, if given."""
    return read_date(text, "query")


def read_date(value: Any, location: str) -> dt.date | None:
    """A date written ``YYYY-MM-DD`` within the calendar's range, or ``None``; a problem
    naming ``as_of`` in the query (400) or the body (422)."""
    if value is None:
        return None
    shown = repr(value)[:60]
    day = None
    if isinstance(value, str) and _DATE.fullmatch(value):
        try:
            day = dt.date.fromisoformat(value)
        except ValueError:
            day = None
    if day is None:
        message = f"as_of: {shown} is not a date written YYYY-MM-DD"
    elif not EARLIEST_DATE <= day <= LATEST_DATE:
        message = (
            f"as_of: {day} is outside {EARLIEST_DATE} to {LATEST_DATE}, the range of the "
            "working-day calendar"
        )
    else:
        return day
    status = 400 if location == "query" else 422
    raise Problem(
        status,
        "invalid-as-of",
        message,
        (ProblemEntry("invalid-as-of", message, location, "as_of"),),
    )
