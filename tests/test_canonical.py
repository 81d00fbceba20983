"""Canonical JSON (RFC 8785) as the fingerprint uses it, checked against the RFC's examples and
an independent implementation (the rfc8785 package)."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import pytest
import rfc8785
from hypothesis import given, settings
from hypothesis import strategies as st

from govrules import Engine
from govrules.canonical import MAX_SAFE_INTEGER, digest, jcs

JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-MAX_SAFE_INTEGER, MAX_SAFE_INTEGER)
    | st.text(st.characters(blacklist_categories=("Cs",))),
    lambda children: st.lists(children, max_size=5)
    | st.dictionaries(st.text(st.characters(blacklist_categories=("Cs",)), max_size=8),
                      children, max_size=5),
    max_leaves=30,
)


def test_members_are_sorted_by_utf16_code_units() -> None:
    # RFC 8785 section 3.2.3: the order of these names, and the one a UTF-8 sort would get wrong
    names = ["\u20ac", "\r", "\ufb33", "1", "\U0001f600", "\u0080", "\u00f6"]
    ordered = json.loads(jcs(dict.fromkeys(names, 0)))
    assert list(ordered) == ["\r", "1", "\u0080", "\u00f6", "\u20ac", "\U0001f600", "\ufb33"]


def test_strings_take_only_the_escapes_jcs_requires() -> None:
    assert jcs("\u20ac$\u000f\nA'B\"\\\\\"/") == b'"\xe2\x82\xac$\\u000f\\nA\'B\\"\\\\\\\\\\"/"'
    assert jcs({"a": [1, None, True, "x"]}) == b'{"a":[1,null,true,"x"]}'


@settings(max_examples=300, deadline=None)
@given(JSON)
def test_agrees_with_an_independent_implementation(value: Any) -> None:
    assert jcs(value) == rfc8785.dumps(value)


def test_floats_and_unsafe_integers_are_refused() -> None:
    with pytest.raises(TypeError):
        jcs(0.1)
    with pytest.raises(ValueError):
        jcs(2**53)


def test_a_decisions_fingerprint_recomputed_outside_the_engine() -> None:
    decision = json.loads(Engine.default().evaluate(
        "cn.jilin.taobei.wage_deposit", {"contract_price": "1000000.00", "first_deposit": True},
        as_of=__import__("datetime").date(2026, 11, 21)).to_json())
    body = {k: v for k, v in decision.items() if k not in ("trace", "fingerprint")}
    assert decision["fingerprint"] == "sha256:" + hashlib.sha256(rfc8785.dumps(body)).hexdigest()
    trace = rfc8785.dumps(decision["trace"])
    assert decision["trace_digest"] == "sha256:" + hashlib.sha256(trace).hexdigest()
    assert digest(decision["trace"]) == decision["trace_digest"]
    assert decision["facts"]["contract_price"] == "1000000"  # one spelling


def test_the_fast_forms_sort_and_escape_as_the_rfc_says() -> None:
    from govrules.canonical import plain_digest, plain_jcs

    names = ["\u20ac", "\r", "\ufb33", "1", "\U0001f600", "\u0080", "\u00f6"]
    value = {"b": dict.fromkeys(names, 0), "a": "\u20ac$\u000f\nA'B\"\\\\\"/"}
    assert plain_jcs(value) == jcs(value) == rfc8785.dumps(value)
    assert plain_digest(value) == digest(value)


def test_member_names_that_are_not_text_are_refused_clearly() -> None:
    with pytest.raises(TypeError, match="member name must be text"):
        jcs({"a": 1, 2: "b"})
