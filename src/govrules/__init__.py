"""govrules: Chinese labour, personnel and social-security regulations as executable,
cited, auditable rules.

    from datetime import date
    from govrules import Engine

    engine = Engine.default()
    decision = engine.evaluate("cn.jilin.taobei.wage_deposit",
                               {"contract_price": "1000000", "first_deposit": True},
                               as_of=date(2026, 11, 21))
    decision.outcome, decision.values["rate_min"], decision.citations
"""

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
