"""A standard case schema (issue 11, item 7): ``govrules schema POLICY`` prints Draft 2020-12
JSON Schema that a standard validator enforces as the engine does -- the policy's own bilingual
titles, decimals as strings with patterns (bounds as patterns too), JSON numbers with
``minimum``/``exclusiveMaximum``, dates as patterns, no ``gt``/``le`` keys a validator ignores.

The property: for generated JSON cases of every bundled policy, ``jsonschema``'s
``Draft202012Validator`` and the engine agree on accept or refuse.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from govrules import Engine
from govrules.cli.main import main
from govrules.compiler.policy import CompiledPolicy
from govrules.errors import CaseError, EvaluationError
from govrules.language.expr.types import Type
from govrules.runtime import case_patterns
from govrules.runtime.case_schema import case_schema

WAGE = "cn.jilin.taobei.wage_deposit"
DAY = dt.date(2026, 11, 21)
# keywords of other vocabularies (pydantic's, OpenAPI's) that a 2020-12 validator ignores
IGNORED = {"gt", "ge", "lt", "le", "formatMinimum", "formatMaximum", "max_length",
           "exclusiveMinimum_", "nullable"}


def validator(policy: CompiledPolicy) -> Draft202012Validator:
    """The schema as a reader of ``govrules schema`` gets it (numbers read exactly)."""
    schema = json.loads(json.dumps(case_schema(policy), ensure_ascii=False), parse_float=Decimal)
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def keys(schema: Any) -> set[str]:
    if isinstance(schema, dict):
        return set(schema) | {k for value in schema.values() for k in keys(value)}
    if isinstance(schema, list):
        return {k for value in schema for k in keys(value)}
    return set()


def test_the_schema_is_draft_2020_12_with_the_policys_own_titles(engine: Engine) -> None:
    policy = engine.policy(WAGE)
    schema = engine.case_model(WAGE).model_json_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["title"] == f"{policy.model.title.zh} / {policy.model.title.en}"
    price = schema["properties"]["contract_price"]
    assert price["title"] == "工程承发包合同价款 / Construction contract price (yuan)"
    assert "Contract Price" not in json.dumps(schema)
    assert schema["additionalProperties"] is False
    assert not keys(schema) & IGNORED
    Draft202012Validator.check_schema(schema)


def test_the_issues_examples_are_refused(engine: Engine) -> None:
    check = validator(engine.policy(WAGE))
    for bad in ({"contract_price": -5}, {"contract_price": "abc"}, {"contract_price": "-5"},
                {"contract_price": "１０００"}, {"contract_price": "+1000"},
                {"contract_price": "1_000"}, {"proposed_rate": "1.5"},
                {"payout_order_date": "9999-12-31"}, {"payout_order_date": "2026-02-29"},
                {"payment_form": "gold"}, {"contrct": 1}, {"first_deposit": "yes"}):
        assert not check.is_valid(bad), bad
    for good in ({"contract_price": "1000000", "first_deposit": True},
                 {"contract_price": 2345678.9, "proposed_rate": "0.04"},
                 {"payout_order_date": "2028-02-29", "previous_rate": None}):
        assert check.is_valid(good), good


def test_every_kind_says_what_the_engine_expects(engine: Engine) -> None:
    schema = case_schema(engine.policy("cn.jilin.taobei.arbitration_case_handling"))
    opinions = schema["properties"]["arbitrator_opinions"]["anyOf"][0]
    assert opinions["type"] == "array" and opinions["maxItems"] == 50
    record = opinions["items"]
    assert record["additionalProperties"] is False and record["required"]
    hiring = case_schema(engine.policy("cn.gansu.dingxi.service_staff_hiring_conditions"))
    text = hiring["properties"]["held_certificates"]["anyOf"][0]["items"]
    assert text["maxLength"] == 10_000 and "pattern" in text
    assert hiring["properties"]["employer_type"]["anyOf"][0]["enum"]


def test_the_cli_prints_the_same_schema(engine: Engine, capsys: pytest.CaptureFixture[str],
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Engine, "default", classmethod(lambda cls: engine))
    assert main(["schema", WAGE]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed == json.loads(json.dumps(case_schema(engine.policy(WAGE))))


def test_what_json_schema_cannot_say_is_documented(engine: Engine) -> None:
    # A JSON number's decimal places have no keyword; the engine refuses more than 30.
    number = Decimal("0." + "0" * 30 + "1")
    assert validator(engine.policy(WAGE)).is_valid({"contract_price": number})
    with pytest.raises(CaseError, match="31 decimal places"):
        engine.evaluate(WAGE, {"contract_price": number}, as_of=DAY)
    # written as a string, the schema refuses it too
    assert not validator(engine.policy(WAGE)).is_valid({"contract_price": str(number)})


# --------------------------------------------------------------------------- the patterns

plain = st.decimals(min_value=-10**6, max_value=10**6, allow_nan=False, allow_infinity=False)
written = st.one_of(plain, st.integers(-10**6, 10**6).map(Decimal),
                    st.sampled_from(["0", "-0", "0.00", "-0.0", "1", "1.0", "0.05", "0.050"]).map(
                        Decimal))


def _text(number: Decimal) -> str:
    text = format(number, "f")
    return text if re.fullmatch(case_patterns.DECIMAL_TEXT, text) else "0"


@settings(max_examples=500, deadline=None)
@given(value=written, bound=written, inclusive=st.booleans())
# a bound of 29 significant digits: abs() once rounded it to the context's 28
@example(value=Decimal("-0.15871560675643761582656342572"),
         bound=Decimal("-0.15871560675643761582656342572"), inclusive=True)
@example(value=Decimal("0.15871560675643761582656342572"),
         bound=Decimal("0.15871560675643761582656342572"), inclusive=True)
def test_decimal_bound_patterns_compare_as_decimals(value: Decimal, bound: Decimal,
                                                    inclusive: bool) -> None:
    text = _text(value)
    number = Decimal(text)
    bound = Decimal(_text(bound))
    above = re.search(case_patterns.decimal_at_least(bound, inclusive), text)
    below = re.search(case_patterns.decimal_at_most(bound, inclusive), text)
    assert (above is not None) == (number >= bound if inclusive else number > bound)
    assert (below is not None) == (number <= bound if inclusive else number < bound)


@settings(max_examples=300, deadline=None)
@given(day=st.dates(), bound=st.dates(dt.date(1900, 1, 1), dt.date(2099, 12, 31)),
       inclusive=st.booleans())
def test_date_patterns(day: dt.date, bound: dt.date, inclusive: bool) -> None:
    text = day.isoformat()
    real = re.search(case_patterns.DATE_PATTERN, text) is not None
    assert real == (dt.date(1900, 1, 1) <= day <= dt.date(2099, 12, 31))
    after = re.search(case_patterns.date_at_least(bound, inclusive), text)
    before = re.search(case_patterns.date_at_most(bound, inclusive), text)
    if len(text) == 10:
        assert (after is not None) == (day >= bound if inclusive else day > bound)
        assert (before is not None) == (day <= bound if inclusive else day < bound)


# --------------------------------------------------------------------------- the property


def _json_numbers() -> st.SearchStrategy[Any]:
    """JSON numbers as govrules reads them: ints, and exact decimals of up to 30 places."""
    return st.one_of(
        st.integers(-10**16, 10**16),
        st.builds(lambda n, places: Decimal(n).scaleb(-places),
                  st.integers(-10**20, 10**20), st.integers(-3, 30)),
        st.sampled_from([Decimal("0"), Decimal("-0"), Decimal("1E+2"), Decimal("1E+15"),
                         Decimal("999999999999999.9"), Decimal("0.04"), Decimal("10.0")]),
    )


def _decimal_texts() -> st.SearchStrategy[str]:
    numbers = _json_numbers().map(lambda n: format(Decimal(n), "f"))
    edge = st.sampled_from(["0", "-0", "-0.00", "0.04", "1", "1.0", "10", "10.00", "-1", "11",
                            "+1", "1_0", "１", " 1", "1 ", "1\n", "1e3", "1E3", "007", "1.", ".5",
                            "999999999999999", "1000000000000000", "0." + "0" * 29 + "1",
                            "0." + "0" * 30 + "1", "NaN", "Infinity", "", "-", "abc"])
    return st.one_of(numbers, edge)


OTHERS = st.sampled_from([None, True, False, 0, "", "x", [], {}, Decimal("1.5")])
JSON_SCALARS: dict[str, Any] = {
    "bool": lambda kind: st.booleans() | st.sampled_from([0, 1, "true", None]),
    "integer": lambda kind: st.integers(-2 * 10**6, 2 * 10**6) | st.sampled_from(
        [Decimal("3"), Decimal("3.0"), Decimal("1E+2"), "3", 10**6, -10**6, 10**6 + 1]),
    "decimal": lambda kind: _decimal_texts() | _json_numbers(),
    "money": lambda kind: _decimal_texts() | _json_numbers(),
    "rate": lambda kind: _decimal_texts() | _json_numbers(),
    "date": lambda kind: st.dates().map(str) | st.sampled_from(
        ["2026-02-30", "2028-02-29", "1900-02-29", "2000-02-29", "2026-W47-6", "20260101",
         "2026-1-01", "2026-01-01\n", "1899-12-31", "1900-01-01", "2099-12-31", "2100-01-01"]),
    "datetime": lambda kind: st.datetimes().map(lambda d: d.isoformat(timespec="seconds")) |
    st.sampled_from(["2026-03-02T09:30", "2026-03-02 09:30:00", "2026-03-02T24:00",
                     "2026-03-02T09:30:00.5", "2026-03-02T09:30+08:00", "2026-03-02T9:30",
                     "2100-01-01T00:00", "1900-01-01T00:00:00"]),
    "text": lambda kind: st.text(max_size=12) | st.text(
        st.characters(min_codepoint=0, max_codepoint=0x2100), max_size=6) |
    st.sampled_from(["a\x00", "\x85", "\ud800x", "t\tn\nr\r", "x" * 10_001, "x" * 10_000]),
    "enum": lambda kind: st.sampled_from(kind.values or ("x",)) | st.sampled_from(
        ["CASH", "other ", ""]),
}


def json_values(kind: Type, fields: dict[str, Any] | None = None) -> st.SearchStrategy[Any]:
    if kind.kind == "record":
        strategies = {name: json_values(t.as_optional(False)) for name, t in kind.fields or ()}
        optional = {name: st.none() | strategies[name]
                    for name, t in kind.fields or () if t.optional}
        required = {name: s for name, s in strategies.items() if name not in optional}
        records = st.fixed_dictionaries(required, optional=optional)  # type: ignore[arg-type]
        return st.one_of(records, records, records.map(lambda r: {**r, "extra": 1}),
                         records.map(lambda r: dict(list(r.items())[1:])), OTHERS)
    if kind.kind == "list" and kind.item is not None:
        return st.lists(json_values(kind.item), max_size=4) | OTHERS
    return JSON_SCALARS[kind.kind](kind) | OTHERS


def json_cases(policy: CompiledPolicy) -> st.SearchStrategy[Any]:
    inputs = {item.name: json_values(item.type.as_optional(False)) for item in policy.inputs}
    cases = st.fixed_dictionaries({}, optional=inputs)  # type: ignore[arg-type]
    return st.one_of(cases, cases, cases, cases.map(lambda c: {**c, "unknown_fact": 1}),
                     st.sampled_from([[], "case", None, 5]))


def _as_of(policy: CompiledPolicy) -> dt.date:
    return DAY if policy.in_force(DAY) else policy.model.effective.start


def test_the_schema_and_the_engine_agree(engine: Engine) -> None:
    for policy in engine.policies():
        _agree(engine, policy)


def _agree(engine: Engine, policy: CompiledPolicy) -> None:
    check = validator(policy)
    as_of = _as_of(policy)

    @settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))
    @given(json_cases(policy))
    def agree(case: Any) -> None:
        try:
            engine.evaluate_version(policy, case, as_of, trace=False)
            accepted = True
        except CaseError:
            accepted = False
        except EvaluationError as error:  # a rule failed on facts it accepted
            assert "converter refuses" not in str(error)
            accepted = True
        assert check.is_valid(case) == accepted, (policy.id, case)

    agree()
