"""Re-verifying a saved decision: evaluate its facts again under the same policy version and
date, and confirm (or refute, with the differences) its fingerprint and its content.

    result = verify_decision(engine, json.loads(Path("decision.json").read_text()))
    result.verified, result.differences
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from govrules.engine import Engine
from govrules.errors import GovrulesError

__all__ = ["Verification", "verify_decision"]


@dataclass(frozen=True)
class Verification:
    """What re-evaluating a saved decision showed."""

    verified: bool
    reason: str
    fingerprint_saved: str | None = None
    fingerprint_now: str | None = None
    differences: dict[str, tuple[Any, Any]] = field(default_factory=dict)


def _facts_of(saved: dict[str, Any]) -> dict[str, Any] | None:
    for event in saved.get("trace") or ():
        if isinstance(event, dict) and event.get("event") == "facts":
            given = event.get("given")
            return dict(given) if isinstance(given, dict) else None
    return None


def verify_decision(engine: Engine, saved: dict[str, Any]) -> Verification:
    """Re-evaluate ``saved`` (a decision's JSON object) and compare."""
    missing_keys = [
        key for key in ("policy", "policy_version", "as_of", "fingerprint") if key not in saved
    ]
    if missing_keys:
        return Verification(False, "not a decision: no " + ", ".join(missing_keys))
    facts = _facts_of(saved)
    if facts is None:
        return Verification(
            False,
            "the decision was saved without its trace, so its facts are "
            "unknown; save decisions with the trace to re-verify them",
        )
    try:
        as_of = dt.date.fromisoformat(str(saved["as_of"]))
    except ValueError:
        return Verification(False, f"as_of {saved['as_of']!r} is not a date")
    versions = [p for p in engine.policies() if p.id == saved["policy"]]
    if not versions:
        return Verification(False, f"no policy '{saved['policy']}' in the policies loaded")
    policy = next((p for p in versions if p.version == saved["policy_version"]), None)
    if policy is None:
        known = ", ".join(p.version for p in versions)
        return Verification(
            False,
            f"policy {saved['policy']} version {saved['policy_version']} "
            f"is no longer loaded (versions now: {known}); the decision cannot "
            "be reproduced with these policies",
        )
    try:
        decision = engine.evaluate_version(policy, facts, as_of)
    except GovrulesError as error:
        return Verification(False, f"the saved facts no longer evaluate: {error}")
    now = decision.to_dict()
    differences = {
        key: (saved.get(key), now[key])
        for key in now
        if key != "trace" and saved.get(key) != now[key]
    }
    if saved["fingerprint"] != now["fingerprint"]:
        return Verification(
            False,
            "the fingerprint differs: the policy text, a cited source or "
            "the facts changed since the decision was made",
            saved["fingerprint"],
            now["fingerprint"],
            differences,
        )
    if differences:
        return Verification(
            False,
            "same fingerprint but a different result: the calendar data or the engine changed",
            saved["fingerprint"],
            now["fingerprint"],
            differences,
        )
    return Verification(
        True,
        "reproduced: same fingerprint, same outcome, values, citations, missing facts and notices",
        saved["fingerprint"],
        now["fingerprint"],
    )
