"""Two independent reviews of one case (双审复核): both reviewers' facts are decided, and any
difference -- in a fact or in what follows from it -- sends the case to collective review.

    review = review_case(engine, "cn.national.retirement_eligibility", first, second, as_of=day)
    review.status            # 'agreed' or 'collective_review_required'
    review.differing_facts   # {'birth_date': ('1965-01-01', '1965-02-01')}
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from typing import Any

from govrules.engine import Engine, today
from govrules.records import record
from govrules.runtime.decision import Decision
from govrules.values import to_json_value

__all__ = ["Review", "review_case"]


@record(slots=False)
class Review:
    """The outcome of two reviews: agreed (one decision, two fingerprints) or not."""

    status: str
    first: Decision
    second: Decision
    differing_facts: dict[str, tuple[Any, Any]]
    differing_values: dict[str, tuple[Any, Any]]

    @property
    def agreed(self) -> bool:
        return self.status == "agreed"

    def to_dict(self) -> dict[str, Any]:
        def pairs(table: dict[str, tuple[Any, Any]]) -> dict[str, dict[str, Any]]:
            return {
                name: {"first": to_json_value(a), "second": to_json_value(b)}
                for name, (a, b) in table.items()
            }

        return {
            "status": self.status,
            "policy": self.first.policy_id,
            "policy_version": self.first.policy_version,
            "as_of": self.first.as_of.isoformat(),
            "differing_facts": pairs(self.differing_facts),
            "differing_values": pairs(self.differing_values),
            "fingerprints": {"first": self.first.fingerprint, "second": self.second.fingerprint},
            "decision": self.first.to_dict() if self.agreed else None,
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=2)


def _differences(first: Mapping[str, Any], second: Mapping[str, Any]) -> dict[str, tuple[Any, Any]]:
    names = list(first) + [name for name in second if name not in first]
    return {
        name: (first.get(name), second.get(name))
        for name in names
        if first.get(name) != second.get(name)
    }


def review_case(
    engine: Engine,
    policy_id: str,
    first: Mapping[str, Any],
    second: Mapping[str, Any],
    as_of: dt.date | None = None,
) -> Review:
    """Decide both reviewers' facts under the same policy and date, and compare them."""
    day = as_of if as_of is not None else today()
    a = engine.evaluate(policy_id, first, as_of=day)
    b = engine.evaluate(policy_id, second, as_of=day)
    facts = _differences(a.facts, b.facts)
    values = _differences({"outcome": a.outcome, **a.values}, {"outcome": b.outcome, **b.values})
    status = "agreed" if not facts and not values else "collective_review_required"
    return Review(status, a, b, facts, values)
