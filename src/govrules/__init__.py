"""govrules: Chinese labour, personnel and social-security regulations as executable,
cited, auditable rules.

    from datetime import date
    from govrules import Engine

    engine = Engine.default()
    decision = engine.evaluate("cn.jilin.taobei.wage_deposit",
                               {"contract_price": "1000000", "first_deposit": True},
                               as_of=date(2026, 11, 21))
    decision.outcome, decision.values["rate_min"], decision.citations

The names below are imported when first used, not with the package: ``import govrules`` (and
so every command line start) pays only for what it reaches.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from govrules.audit.review import Review, review_case
    from govrules.citations import Citation
    from govrules.compiler.policy import CompiledPolicy, Notice
    from govrules.engine import Engine
    from govrules.errors import (
        CaseError,
        Diagnostic,
        EvaluationError,
        GovrulesError,
        PolicyLoadError,
        UnknownPolicyError,
    )
    from govrules.explain import explain_text
    from govrules.runtime.decision import Decision, MissingFact
    from govrules.runtime.trace import NULL_RECORDER, NullRecorder, Recorder, TraceRecorder

__all__ = [
    "NULL_RECORDER",
    "CaseError",
    "Citation",
    "CompiledPolicy",
    "Decision",
    "Diagnostic",
    "Engine",
    "EvaluationError",
    "GovrulesError",
    "MissingFact",
    "Notice",
    "NullRecorder",
    "PolicyLoadError",
    "Recorder",
    "Review",
    "TraceRecorder",
    "UnknownPolicyError",
    "explain_text",
    "review_case",
]

__version__ = "0.1.0"

# where each exported name lives
_HOMES = {
    "Review": "govrules.audit.review",
    "review_case": "govrules.audit.review",
    "Citation": "govrules.citations",
    "CompiledPolicy": "govrules.compiler.policy",
    "Notice": "govrules.compiler.policy",
    "Engine": "govrules.engine",
    "CaseError": "govrules.errors",
    "Diagnostic": "govrules.errors",
    "EvaluationError": "govrules.errors",
    "GovrulesError": "govrules.errors",
    "PolicyLoadError": "govrules.errors",
    "UnknownPolicyError": "govrules.errors",
    "explain_text": "govrules.explain",
    "Decision": "govrules.runtime.decision",
    "MissingFact": "govrules.runtime.decision",
    "NULL_RECORDER": "govrules.runtime.trace",
    "NullRecorder": "govrules.runtime.trace",
    "Recorder": "govrules.runtime.trace",
    "TraceRecorder": "govrules.runtime.trace",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'govrules' has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value  # found once; later lookups do not come here
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
