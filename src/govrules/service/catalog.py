"""What the service can decide: the packs loaded, the policies with their versions and effective
periods, and each policy's inputs, outputs, outcomes and case schema.

    GET /v1/packs                              the packs, as `govrules packs --format json`
    GET /v1/policies                           every policy: id, titles, versions, pack
    GET /v1/policies/{policy_id}?as_of=        one policy, its inputs, outputs and outcomes
    GET /v1/policies/{policy_id}/schema?as_of= its case schema, as `govrules schema`

The version described is the one in force on ``as_of``, or the latest without it.
"""

from __future__ import annotations

from typing import Any

from govrules.compiler.policy import CompiledPolicy
from govrules.engine import Engine
from govrules.packs.discovery import Pack

__all__ = ["pack_summary", "policy_detail", "policy_summaries"]


def pack_summary(pack: Pack) -> dict[str, Any]:
    """A pack as ``govrules packs --format json`` shows it (no signature key is checked here)."""
    return pack.to_dict()


def _version(policy: CompiledPolicy) -> dict[str, Any]:
    period = policy.model.effective
    return {
        "version": policy.version,
        "from": None if period.undated else period.start.isoformat(),
        "to": period.to.isoformat() if period.to else None,
        "policy_hash": policy.content_hash,
        "pack": policy.pack.to_dict() if policy.pack is not None else None,
    }


def _versions(engine: Engine) -> dict[str, list[CompiledPolicy]]:
    found: dict[str, list[CompiledPolicy]] = {}
    for policy in engine.policies():
        found.setdefault(policy.id, []).append(policy)
    return found


def policy_summaries(engine: Engine) -> list[dict[str, Any]]:
    """Every policy by id: its latest version's titles and jurisdiction, and all its versions
    (``from`` is ``null`` for a text that states no date; ``to`` for one still in force)."""
    return [
        {
            "id": policy_id,
            "title_zh": versions[-1].model.title.zh,
            "title_en": versions[-1].model.title.en,
            "jurisdiction": versions[-1].model.jurisdiction,
            "latest": versions[-1].version,
            "versions": [_version(policy) for policy in versions],
        }
        for policy_id, versions in _versions(engine).items()
    ]


def policy_detail(engine: Engine, policy: CompiledPolicy) -> dict[str, Any]:
    """One policy version: what it asks (inputs), gives (outputs) and decides (outcomes)."""
    model = policy.model
    outcome = model.outcome
    return {
        "id": policy.id,
        "title_zh": model.title.zh,
        "title_en": model.title.en,
        "description": model.description,
        "jurisdiction": model.jurisdiction,
        **_version(policy),
        "sources": sorted(set(model.sources.values())),
        "inputs": [
            {
                "name": item.name,
                "type": str(item.type.as_optional(False)),
                "required": item.required,
                "required_when": item.required_when_text,
                "title_zh": item.title_zh,
                "title_en": item.title_en,
            }
            for item in policy.inputs
        ],
        "outputs": [
            {
                "name": item.name,
                "type": str(item.type.as_optional(False)),
                "title_zh": item.title_zh,
                "title_en": item.title_en,
            }
            for item in policy.outputs
            if not item.internal
        ],
        "outcomes": [
            {
                "value": value,
                "title_zh": outcome.titles[value].zh if value in outcome.titles else None,
                "title_en": outcome.titles[value].en if value in outcome.titles else None,
            }
            for value in outcome.values
        ],
        "default_outcome": outcome.default,
        "versions": [_version(p) for p in _versions(engine)[policy.id]],
    }
