"""Every speed-up leaves decisions byte-identical: the golden set (tests/golden/) holds, for
each policy test, example and generated case, the outcome, the fingerprint and the sha256 of the
decision's JSON (traced and not, indented and compact) and of its text, Markdown and HTML
explanations, as the engine gave them before any of the speed-ups."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

_spec = importlib.util.spec_from_file_location(
    "golden_generate", Path(__file__).with_name("golden") / "generate.py"
)
assert _spec is not None and _spec.loader is not None
golden = importlib.util.module_from_spec(_spec)
sys.modules["golden_generate"] = golden
_spec.loader.exec_module(golden)

PROVENANCE, EXPECTED = golden.read_golden()


@pytest.fixture(scope="module")
def actual() -> list[dict]:
    return golden.build(golden.golden_engine(PROVENANCE))


def test_the_golden_set_covers_every_bundled_policy_and_example() -> None:
    policies = {entry["policy"] for entry in EXPECTED}
    assert policies == {p.id for p in golden.golden_engine().policies()}
    sources = {entry["source"].split(":")[0] for entry in EXPECTED}
    assert sources == {"test", "example", "generated"}
    assert len(EXPECTED) > 1500


def test_the_same_cases_are_decided(actual: list[dict]) -> None:
    assert [(e["source"], e["policy"], e["as_of"]) for e in actual] == [
        (e["source"], e["policy"], e["as_of"]) for e in EXPECTED
    ]


@pytest.mark.parametrize(
    "form",
    [
        "outcome",
        "fingerprint",
        "fingerprint_untraced",
        "json",
        "json_compact",
        "json_untraced",
        "text",
        "markdown",
        "html",
        "error",
    ],
)
def test_every_form_of_every_decision_is_byte_identical(actual: list[dict], form: str) -> None:
    differ = [
        f"{e['policy']} {e['source']} {e['as_of']}: {e.get(form)} -> {a.get(form)}"
        for e, a in zip(EXPECTED, actual, strict=True)
        if e.get(form) != a.get(form)
    ]
    assert not differ, f"{len(differ)} decisions changed their {form}:\n" + "\n".join(differ[:10])
