"""Output rows: what a batch writes for each case, as JSON values.

    decision_row(decision)              # the decision's JSON contract (docs/integrators.md)
    decision_row(decision, cite="ids")  # the small form: citations by clause id
    result_row(7, decision)             # {"row": 7, **decision_row(decision)}
    result_row(8, bad_row)              # {"row": 8, "errors": [{"code", "field", "message"}]}

The small form keeps what a caller acts on and drops the texts it can look up by id:

    {"row", "policy", "policy_version", "as_of", "outcome", "values",
     "citations": [clause ids], "missing": [fact names], "notices": [codes], "fingerprint"}

The fingerprint is the full decision's, so a small row still names the decision exactly
(``govrules evaluate`` of the same facts and date gives it again).
"""

from __future__ import annotations

from typing import Any

from govrules.batch.problems import BadRow
from govrules.runtime.decision import Decision

__all__ = ["CITE_FORMS", "decision_row", "result_row", "small_row"]

CITE_FORMS = ("full", "ids")


def decision_row(decision: Decision, cite: str | None = None) -> dict[str, Any]:
    """A decision as JSON values: its whole JSON contract (``cite`` ``None`` or ``"full"``)
    or the small form (``cite="ids"``); both have ``outcome``, ``values`` and ``fingerprint``."""
    if cite is None or cite == "full":
        return decision.to_dict()
    if cite != "ids":
        raise ValueError(f"cite is one of {', '.join(CITE_FORMS)}, not {cite!r}")
    return small_row(decision.to_dict())


def small_row(document: dict[str, Any]) -> dict[str, Any]:
    """The small form of a decision's JSON object (``--cite ids``)."""
    return {
        "policy": document["policy"],
        "policy_version": document["policy_version"],
        "as_of": document["as_of"],
        "outcome": document["outcome"],
        "values": document["values"],
        "citations": [citation["ref"] for citation in document["citations"]],
        "missing": [fact["fact"] for fact in document["missing"]],
        "notices": [notice["code"] for notice in document["notices"]],
        "fingerprint": document["fingerprint"],
    }


def result_row(row: int, made: Decision | BadRow, cite: str | None = None) -> dict[str, Any]:
    """The output row of input row ``row``: its decision, or the problems that refused it."""
    if isinstance(made, BadRow):
        return made.to_dict()
    return {"row": row, **decision_row(made, cite)}
