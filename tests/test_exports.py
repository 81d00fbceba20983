"""The public surface is exactly what we mean to support."""

from __future__ import annotations

import govrules


def test_exported_names() -> None:
    assert set(govrules.__all__) == {
        "NULL_RECORDER", "CaseError", "Citation", "CompiledPolicy", "Decision", "Diagnostic",
        "Engine", "EvaluationError", "GovrulesError", "MissingFact", "Notice", "NullRecorder",
        "PolicyLoadError", "Recorder", "Review", "TraceRecorder", "UnknownPolicyError",
        "explain_text", "review_case",
    }
    for name in govrules.__all__:
        assert getattr(govrules, name).__module__.startswith("govrules")  or name == "NULL_RECORDER"
