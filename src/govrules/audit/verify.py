"""Re-verifying a saved decision: is the document what the engine made, and does the engine
still make it?

Two questions, answered in order. First the document: its fingerprint is recomputed from its
own content (``fingerprint_of``) and its trace from ``trace_digest``, so an edit anywhere -- a
value, a rule's status in the trace, a notice -- is caught without re-evaluating anything.
Then the decision: its facts are evaluated again under the same policy version on the same
date, and every part is compared, the trace event by event. Each difference is named by its
path (``values.rate_min: saved "0.05", now "0.04"``), and the verdict says which side changed:
the saved document, the policy (or a source it cites), the calendar data, or the engine.

    result = verify_decision(engine, read_decision(Path("decision.json").read_text()))
    result.verified, result.changed, [str(d) for d in result.differences]

A format-1 decision (made before decisions carried their facts and a fingerprint over their
whole content) is re-evaluated from the facts in its trace, but cannot be fully verified.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import field
from decimal import Decimal
from typing import Any

from govrules.canonical import digest
from govrules.compiler.policy import CompiledPolicy
from govrules.engine import Engine
from govrules.errors import GovrulesError
from govrules.records import record
from govrules.runtime.decision import FORMAT, fingerprint_of

__all__ = [
    "DecisionFormatError",
    "Difference",
    "Verification",
    "read_decision",
    "verify_decision",
]

MAX_DIFFERENCES = 50  # named one by one; beyond, counted
_MEMBERS = {
    "format": int,
    "policy": str,
    "policy_version": str,
    "policy_hash": str,
    "as_of": str,
    "calendar": str,
    "facts": dict,
    "outcome": str,
    "values": dict,
    "citations": list,
    "missing": list,
    "notices": list,
    "fingerprint": str,
}


class DecisionFormatError(GovrulesError):
    """A saved decision that cannot be read: not JSON, a repeated key, a member of a wrong
    type. (A decision that reads but does not verify is a ``Verification``, not an error.)"""


@record(slots=False)
class Difference:
    """One part of the decision that differs: where, as saved, and as made now."""

    path: str
    saved: Any
    now: Any

    def __str__(self) -> str:
        return f"{self.path}: saved {_shown(self.saved)}, now {_shown(self.now)}"


@record(slots=False)
class Verification:
    """What checking a saved decision showed."""

    verified: bool
    reason: str
    changed: str | None = None  # document | pack | policy | calendar | engine
    fingerprint_saved: str | None = None
    fingerprint_now: str | None = None
    differences: tuple[Difference, ...] = ()
    more_differences: int = 0
    notes: tuple[str, ...] = field(default=())


def read_decision(text: str) -> dict[str, Any]:
    """A saved decision's JSON object; a repeated key (a forgery's favourite: two "outcome"
    members, the first one read by some tools and the last by others) is refused."""

    def refuse_repeats(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        found: dict[str, Any] = {}
        for key, value in pairs:
            if key in found:
                raise DecisionFormatError(f"the key '{key}' appears twice in one object")
            found[key] = value
        return found

    try:
        document = json.loads(text, object_pairs_hook=refuse_repeats, parse_float=Decimal)
    except (json.JSONDecodeError, RecursionError, ValueError) as error:
        raise DecisionFormatError(f"not a JSON decision ({error})") from None
    if not isinstance(document, dict):
        raise DecisionFormatError("a decision is a JSON object")
    return document


def verify_decision(engine: Engine, saved: dict[str, Any]) -> Verification:
    """Check ``saved`` (a decision's JSON object) against itself and a fresh evaluation."""
    if "format" not in saved:
        return _format_one(engine, saved)
    problem = _shape_problem(saved)
    if problem is not None:
        return Verification(False, f"not a decision of format {FORMAT}: {problem}")
    claimed = saved["fingerprint"]
    intact = fingerprint_of(saved) == claimed
    if saved["format"] == 2:  # made before decisions named their pack
        saved = {**saved, "format": FORMAT, "pack": _PACK_UNRECORDED}
    trace = saved.get("trace")
    if intact and trace:
        intact = digest(trace) == saved.get("trace_digest")
    policy = _policy(engine, saved)
    if not isinstance(policy, CompiledPolicy):
        return Verification(False, policy, None, claimed)
    try:
        as_of = dt.date.fromisoformat(saved["as_of"])
        decision = engine.evaluate_version(
            policy, dict(saved["facts"]), as_of, trace=saved.get("trace_digest") is not None
        )
    except (GovrulesError, ValueError) as error:
        return Verification(False, f"the saved facts no longer evaluate: {error}", None, claimed)
    now = decision.to_dict()
    found: list[Difference] = []
    for key in now:
        if key == "fingerprint" or (key == "trace" and not trace):
            continue
        if key == "pack" and saved["pack"] is _PACK_UNRECORDED:
            continue
        _compare(key, saved.get(key), now[key], found)
    if saved["pack"] is _PACK_UNRECORDED:
        # the fingerprint of a format-2 document covers no pack: recompute it the same way
        now_then = {k: v for k, v in now.items() if k != "pack"} | {"format": 2}
        now = {**now, "fingerprint": fingerprint_of(now_then)}
    if intact and now["fingerprint"] == claimed and not found:
        return Verification(
            True,
            "reproduced: the document is intact and the same decision is made again, "
            "facts, outcome, values, citations, missing facts, notices and trace alike",
            None,
            claimed,
            now["fingerprint"],
        )
    changed, reason = _blame(intact, saved, now)
    shown = tuple(found[:MAX_DIFFERENCES])
    return Verification(
        False, reason, changed, claimed, now["fingerprint"], shown, len(found) - len(shown)
    )


def _blame(intact: bool, saved: dict[str, Any], now: dict[str, Any]) -> tuple[str, str]:
    if not intact:
        return "document", (
            "the saved document was altered after it was made: its fingerprint does not match "
            "its own content"
        )
    if saved["policy_hash"] != now["policy_hash"]:
        return "policy", (
            "the policy, or a source document it cites, changed since the decision was made "
            f"(content hash {saved['policy_hash'][:12]}… then, {now['policy_hash'][:12]}… now)"
        )
    if saved["pack"] is not _PACK_UNRECORDED and saved["pack"] != now["pack"]:
        return "pack", f"another pack decided it: {_pack_shown(saved['pack'])}; " + (
            f"the pack loaded now is {_pack_shown(now['pack'])}"
        )
    if saved["calendar"] != now["calendar"]:
        return "calendar", (
            f"the calendar data changed: the decision was made with {saved['calendar']}, "
            f"now {now['calendar']}"
        )
    return "engine", (
        "the engine changed: the same policy, calendar and facts give another decision"
    )


# what a format-2 decision (made before decisions named their pack) stands for in 'pack'
_PACK_UNRECORDED: Any = object()


def _pack_shown(pack: Any) -> str:
    if not isinstance(pack, dict):
        return "none (a policy from a plain folder, not a pack)"
    manifest = str(pack.get("manifest"))
    return f"{pack.get('id')} {pack.get('version')} (manifest {manifest[:23]}…)"


def _shape_problem(saved: dict[str, Any]) -> str | None:
    for key, kind in _MEMBERS.items():
        if key not in saved:
            return f"no '{key}'"
        if type(saved[key]) is not kind:
            return f"'{key}' must be {_KIND_NAMES[kind]}, got {_kind_name(saved[key])}"
    if saved["format"] not in (2, FORMAT):
        return f"format {saved['format']} is not one this engine reads"
    if saved["format"] == FORMAT:
        pack = saved.get("pack", _ABSENT)
        if pack is _ABSENT:
            return "no 'pack'"
        if pack is not None and not (
            isinstance(pack, dict)
            and set(pack) == {"id", "version", "manifest"}
            and all(isinstance(v, str) for v in pack.values())
        ):
            return "'pack' must be null or an object of id, version and manifest (text)"
    if "trace" in saved and not isinstance(saved["trace"], list):
        return f"'trace' must be a list, got {_kind_name(saved['trace'])}"
    digest_saved = saved.get("trace_digest")
    if digest_saved is not None and not isinstance(digest_saved, str):
        return "'trace_digest' must be text or null"
    try:
        dt.date.fromisoformat(saved["as_of"])
    except ValueError:
        return f"as_of {saved['as_of']!r} is not a date"
    return None


_KIND_NAMES = {int: "a number", str: "text", dict: "an object", list: "a list"}


def _kind_name(value: Any) -> str:
    return "null" if value is None else _KIND_NAMES.get(type(value), type(value).__name__)


def _policy(engine: Engine, saved: dict[str, Any]) -> CompiledPolicy | str:
    """The policy version that made the decision, or why it cannot be had (text)."""
    versions = [p for p in engine.policies() if p.id == saved["policy"]]
    if not versions:
        return f"no policy '{saved['policy']}' in the policies loaded"
    policy = next((p for p in versions if p.version == saved["policy_version"]), None)
    if policy is None:
        known = ", ".join(p.version for p in versions)
        return (
            f"policy {saved['policy']} version {saved['policy_version']} is no longer loaded "
            f"(versions now: {known}); the decision cannot be reproduced with these policies"
        )
    return policy


def _compare(path: str, saved: Any, now: Any, found: list[Difference]) -> None:
    """Every leaf that differs, by its path; objects member by member, lists item by item."""
    if isinstance(saved, dict) and isinstance(now, dict):
        for key in sorted(set(saved) | set(now), key=str):
            _compare(f"{path}.{key}", saved.get(key, _ABSENT), now.get(key, _ABSENT), found)
    elif isinstance(saved, list) and isinstance(now, list):
        for index in range(max(len(saved), len(now))):
            _compare(
                f"{path}[{index}]",
                saved[index] if index < len(saved) else _ABSENT,
                now[index] if index < len(now) else _ABSENT,
                found,
            )
    elif type(saved) is not type(now) or saved != now:
        found.append(Difference(path, saved, now))


class _Absent:
    def __repr__(self) -> str:
        return "(absent)"


_ABSENT = _Absent()


def _shown(value: Any) -> str:
    if value is _ABSENT:
        return "(absent)"
    if isinstance(value, Decimal):
        return f"{value} (a JSON number; decisions write decimals as text)"
    return json.dumps(value, ensure_ascii=False, default=str)[:300]


def _format_one(engine: Engine, saved: dict[str, Any]) -> Verification:
    """A decision of format 1: its fingerprint covered only the policy, date and facts, and its
    facts lived in its trace. Re-evaluate and compare what can be compared; never verified."""
    note = (
        "a format-1 decision cannot be fully verified: its fingerprint covers neither its "
        "values nor its trace"
    )
    facts = None
    for event in saved.get("trace") or ():
        if isinstance(event, dict) and event.get("event") == "facts":
            facts = event.get("given")
    if not isinstance(facts, dict):
        return Verification(False, note + "; it was saved without its facts", notes=(note,))
    policy = _policy(engine, saved) if isinstance(saved.get("policy"), str) else None
    if not isinstance(policy, CompiledPolicy):
        return Verification(False, f"{note}; {policy or 'it names no policy'}", notes=(note,))
    try:
        as_of = dt.date.fromisoformat(str(saved.get("as_of")))
        decision = engine.evaluate_version(policy, dict(facts), as_of)
    except (GovrulesError, ValueError) as error:
        return Verification(False, f"{note}; its facts no longer evaluate: {error}")
    now = decision.to_dict()
    found: list[Difference] = []
    for key in ("outcome", "values", "missing", "notices"):
        _compare(key, saved.get(key), now[key], found)
    agreement = (
        "its outcome, values, missing facts and notices are made again"
        if not found
        else "and its outcome, values, missing facts or notices differ"
    )
    return Verification(
        False,
        f"{note}; {agreement}",
        None,
        None,
        now["fingerprint"],
        tuple(found[:MAX_DIFFERENCES]),
        max(len(found) - MAX_DIFFERENCES, 0),
        (note,),
    )
