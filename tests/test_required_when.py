"""``required_when`` through the real engine: a condition on facts that may themselves be missing.

The condition is asked exactly when facts are missing, so it must read every input -- required
ones too -- as possibly unknown: unknown where a fact it needs is missing (never false, never
true, never an internal error), and an unknown condition requires nothing.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from govrules import Engine
from govrules.compiler.loading import load_policy_file
from govrules.language.sources import SourceLibrary

POLICY = """\
kind: policy
id: test.fixture.required_when
version: 1.0.0
title: {zh: 条件必填, en: Conditionally required facts}
jurisdiction: cn.jilin.baicheng.taobei
sources: {wage: cn.jilin.taobei.wage_deposit_integrity}
effective: {from: 2016-05-26}
inputs:
  kind: {type: enum, values: [inflow, within], required: true}
  meeting_date: {type: date, required: true}
  countersigned:
    type: bool
    required_when: kind != 'within'
  approved:
    type: bool
    required_when: meeting_date < as_of
  origin:
    type: text
    required_when: kind == 'within' or given(countersigned)
outputs:
  filed: {type: bool}
outcome: {values: [done], default: done}
rules:
  - id: filed
    cite: wage#art7
    set:
      filed: kind == 'within' or coalesce(countersigned, false)
"""
AS_OF = dt.date(2026, 1, 1)


@pytest.fixture(scope="module")
def engine(sources: SourceLibrary, tmp_path_factory: pytest.TempPathFactory) -> Engine:
    path: Path = tmp_path_factory.mktemp("required_when") / "policy.yaml"
    path.write_text(POLICY, encoding="utf-8")
    return Engine([load_policy_file(path, sources)], sources)


def missing(engine: Engine, facts: dict[str, Any]) -> dict[str, str]:
    decision = engine.evaluate("test.fixture.required_when", facts, as_of=AS_OF)
    return {m.fact: m.reason for m in decision.missing}


def test_a_condition_on_a_missing_required_fact_requires_nothing(engine: Engine) -> None:
    # Neither "kind != 'within'" nor "meeting_date < as_of" can be answered: both are
    # unknown, so only the two required facts are asked for -- and no internal error.
    assert missing(engine, {}) == {"kind": "required", "meeting_date": "required"}


def test_a_condition_is_asked_once_its_facts_are_given(engine: Engine) -> None:
    found = missing(engine, {"kind": "inflow", "meeting_date": "2025-12-02"})
    assert found == {
        "countersigned": "required when kind != 'within'",
        "approved": "required when meeting_date < as_of",
    }
    assert missing(engine, {"kind": "within", "meeting_date": "2026-01-01"}) == {
        "origin": "required when kind == 'within' or given(countersigned)"
    }


def test_a_true_disjunct_decides_even_beside_an_unknown_one(engine: Engine) -> None:
    # "kind == 'within'" is unknown without kind, but given(countersigned) is true.
    assert missing(engine, {"countersigned": True}) == {
        "kind": "required",
        "meeting_date": "required",
        "origin": "required when kind == 'within' or given(countersigned)",
    }
