"""Many cases at once: ``Engine.evaluate_many`` (lazy, in order, a bad case in its place, in
worker processes) and decisions that cross processes by pickling."""

from __future__ import annotations

import base64
import datetime as dt
import itertools
import pickle
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from conftest import POLICIES, ROOT, WAGE_DEPOSIT_POLICY, copy_sources
from govrules import CaseError, Decision, Engine, EvaluationError, UnknownPolicyError
from govrules.compiler.policy import CompiledPolicy
from govrules.packs.manifest import compute_manifest, write_manifest
from govrules.runtime.case_files import read_case_file
from govrules.values import MISSING

WAGE_DEPOSIT = "cn.jilin.taobei.wage_deposit"
DAY = dt.date(2026, 11, 21)
EXAMPLES = sorted(
    p
    for p in (ROOT / "examples").rglob("*")
    if p.suffix in (".json", ".yaml") and "reviews" not in p.parts
)


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine.default()


def _wage_cases(count: int) -> list[dict[str, object]]:
    return [
        {"contract_price": f"{1000 + 37 * i}.{i % 100:02d}", "first_deposit": i % 3 != 0}
        for i in range(count)
    ]


def _same(made: object, expected: object) -> None:
    if isinstance(expected, CaseError):
        assert isinstance(made, CaseError)
        assert made.diagnostics == expected.diagnostics
    else:
        assert not isinstance(made, CaseError)
        assert made.to_json() == expected.to_json()  # type: ignore[attr-defined]


@pytest.mark.parametrize("workers", [1, 2])
def test_each_case_in_order_as_evaluate_decides_it(engine: Engine, workers: int) -> None:
    cases = _wage_cases(700)
    cases[3] = {"contract_price": "abc"}
    cases[520] = {"contract_price": "-5", "first_deposit": "yes"}
    made = list(
        engine.evaluate_many(WAGE_DEPOSIT, iter(cases), DAY, workers=workers, chunk_size=64)
    )
    assert len(made) == len(cases)
    for case, decision in zip(cases, made, strict=True):
        try:
            expected: object = engine.evaluate(WAGE_DEPOSIT, case, DAY, trace=False)
        except CaseError as error:
            expected = error
        _same(decision, expected)
    assert isinstance(made[3], CaseError) and made[3].diagnostics[0].code == "invalid-input"
    assert isinstance(made[520], CaseError)
    assert {d.outcome for d in made if not isinstance(d, CaseError)} >= {"assessed"}


@pytest.mark.parametrize("workers", [1, 2])
def test_every_example_decides_alike_in_a_worker(engine: Engine, workers: int) -> None:
    """Every policy of the examples, records and lists among the facts, with the trace on."""
    for path in EXAMPLES:
        facts, envelope = read_case_file(path)
        assert envelope is not None
        day = dt.date.fromisoformat(str(envelope["as_of"]))
        policy_id = str(envelope["policy"])
        (made,) = engine.evaluate_many(policy_id, [facts], day, trace=True, workers=workers)
        _same(made, engine.evaluate(policy_id, facts, day, trace=True))


def test_lazy_with_bounded_work_in_flight(engine: Engine) -> None:
    """An endless stream of cases: the first ones come back without reading the rest."""
    pulled = itertools.count()

    def endless() -> object:
        for i in pulled:
            yield {"contract_price": str(1000 + i), "first_deposit": True}

    first = list(
        itertools.islice(
            engine.evaluate_many(WAGE_DEPOSIT, endless(), DAY, workers=2, chunk_size=10), 25
        )
    )  # type: ignore[arg-type]
    assert [d.facts["contract_price"] for d in first] == [1000 + i for i in range(25)]  # type: ignore[union-attr]
    assert next(pulled) <= 10 * 2 * 2 + 30  # at most 2 chunks per worker ahead of the reader


def test_an_unknown_policy_or_date_fails_before_any_case(engine: Engine) -> None:
    with pytest.raises(UnknownPolicyError, match="no policy 'cn.nowhere'"):
        engine.evaluate_many("cn.nowhere", [{}], DAY)
    with pytest.raises(CaseError, match="invalid-as-of"):
        engine.evaluate_many(WAGE_DEPOSIT, [{}], dt.date(1800, 1, 1))
    with pytest.raises(ValueError, match="at least 1"):
        engine.evaluate_many(WAGE_DEPOSIT, [{}], DAY, workers=0)


def test_a_case_model_of_another_policy_is_refused_in_place(engine: Engine) -> None:
    model = engine.case_model(WAGE_DEPOSIT, DAY)
    other = engine.case_model("cn.national.retirement_eligibility", DAY)
    good = model.model_validate({"contract_price": "2000", "first_deposit": True})
    wrong = other.model_construct()
    for workers in (1, 2):
        made = list(engine.evaluate_many(WAGE_DEPOSIT, [good, wrong, good], DAY, workers=workers))
        assert not isinstance(made[0], CaseError) and not isinstance(made[2], CaseError)
        assert (
            made[0].fingerprint == engine.evaluate(WAGE_DEPOSIT, good, DAY, trace=False).fingerprint
        )
        assert isinstance(made[1], CaseError)
        assert "is not a case of" in made[1].diagnostics[0].message


def test_spawned_workers_when_the_process_runs_threads(engine: Engine) -> None:
    """A service or a Dask client runs threads: the workers are then spawned and make the
    engine again from the same packs; their decisions are the same."""
    stop = threading.Event()
    other = threading.Thread(target=stop.wait, daemon=True)
    other.start()
    try:
        cases = _wage_cases(40)
        made = list(engine.evaluate_many(WAGE_DEPOSIT, cases, DAY, workers=2, chunk_size=8))
        for case, decision in zip(cases, made, strict=True):
            _same(decision, engine.evaluate(WAGE_DEPOSIT, case, DAY, trace=False))
        handmade = Engine(engine.policies(), engine.sources, packs=engine.packs.values())
        with pytest.raises(ValueError, match="Engine.default"):
            list(handmade.evaluate_many(WAGE_DEPOSIT, cases, DAY, workers=2))
    finally:
        stop.set()
        other.join()


def test_a_decision_pickles_within_a_process(engine: Engine) -> None:
    for path in EXAMPLES:
        facts, envelope = read_case_file(path)
        assert envelope is not None
        decision = engine.evaluate(
            str(envelope["policy"]), facts, dt.date.fromisoformat(str(envelope["as_of"]))
        )
        again = pickle.loads(pickle.dumps(decision))
        # a live policy of the same content (another engine's, maybe), not a recompiled one
        assert again.policy.content_hash == decision.policy.content_hash
        assert again.to_json() == decision.to_json()
        assert again.applied_rules == decision.applied_rules
        assert [v is MISSING for v in again._inputs] == [v is MISSING for v in decision._inputs]


_RECEIVE = """
import base64, pickle, sys
decision = pickle.loads(base64.b64decode(sys.stdin.read()))
print(decision.fingerprint)
print(decision.to_json())
"""


def _unpickle_elsewhere(data: bytes, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", _RECEIVE],
        input=base64.b64encode(data).decode(),
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=120,
    )


def test_a_decision_crosses_to_a_process_that_has_no_engine(engine: Engine, tmp_path: Path) -> None:
    """The receiving process loads the pack holding the policy's file, from another folder."""
    facts, envelope = read_case_file(
        ROOT / Path("examples/wenshan/accountability_01_escalation_and_deadlines.yaml")
    )
    assert envelope is not None
    decision = engine.evaluate(
        str(envelope["policy"]), facts, dt.date.fromisoformat(str(envelope["as_of"]))
    )
    done = _unpickle_elsewhere(pickle.dumps(decision), tmp_path)
    assert done.returncode == 0, done.stderr
    fingerprint, text = done.stdout.split("\n", 1)
    assert fingerprint == decision.fingerprint
    assert text.rstrip("\n") == decision.to_json()


def test_a_policy_whose_file_changed_is_not_restored(tmp_path: Path) -> None:
    """The content hash is checked: a decision of the old text does not attach to the new."""
    pack = tmp_path / "cn.national"
    shutil.copytree(POLICIES / "cn.national", pack)
    engine = Engine.from_directory(pack)
    policy_id = "cn.national.maternity_leave"
    facts, envelope = read_case_file(ROOT / Path("examples/national/maternity_leave.yaml"))
    assert envelope is not None and envelope["policy"] == policy_id
    decision = engine.evaluate(policy_id, facts, dt.date.fromisoformat(str(envelope["as_of"])))
    data = pickle.dumps(decision)
    policy_file = Path(decision.policy.path)
    if not policy_file.is_absolute():
        policy_file = Path.cwd() / policy_file
    policy_file.write_text(
        policy_file.read_text(encoding="utf-8") + "# changed\n", encoding="utf-8"
    )
    done = _unpickle_elsewhere(data, tmp_path)
    assert done.returncode != 0  # the pack's manifest no longer holds
    assert "PolicyNotRestored" in done.stderr and "manifest" in done.stderr
    write_manifest(pack, compute_manifest(pack, "cn.national", engine.packs["cn.national"].version))
    done = _unpickle_elsewhere(data, tmp_path)
    assert done.returncode != 0  # sealed again, but not the policy the decision was made under
    assert "PolicyNotRestored" in done.stderr and "now holds other content" in done.stderr


def test_a_policy_pickles_by_reference(engine: Engine) -> None:
    policy = engine.policy(WAGE_DEPOSIT, DAY)
    assert isinstance(policy, CompiledPolicy)
    data = pickle.dumps(policy)
    assert len(data) < 1000  # the hash and the file, not the compiled rules
    again = pickle.loads(data)
    assert again.content_hash == policy.content_hash and again.id == policy.id
    assert pickle.loads(data) is again  # the same live policy each time


def test_case_errors_keep_their_diagnostics_across_pickling(engine: Engine) -> None:
    with pytest.raises(CaseError) as caught:
        engine.evaluate(WAGE_DEPOSIT, {"contract_price": "abc", "first_deposit": 3}, DAY)
    again = pickle.loads(pickle.dumps(caught.value))
    assert again.diagnostics == caught.value.diagnostics
    assert str(again) == str(caught.value)


@pytest.mark.parametrize("workers", [1, 2])
def test_a_rule_that_fails_on_one_case_does_not_stop_the_others(
    tmp_path: Path, workers: int
) -> None:
    """A rule its facts make fail (a division by zero) gives that case's EvaluationError in
    its place; the cases around it are decided."""
    copy_sources(tmp_path / "sources")
    text = WAGE_DEPOSIT_POLICY.read_text(encoding="utf-8")
    assert text.count("    when: first_deposit\n") == 1
    (tmp_path / "wage_deposit.yaml").write_text(
        text.replace("    when: first_deposit\n", "    when: first_deposit and 1 / (1 - 1) > 0\n"),
        encoding="utf-8",
    )
    engine = Engine.from_directory(tmp_path)
    calm = {
        "contract_price": "100.00",
        "first_deposit": False,
        "previous_rate": "0.03",
        "arrears_in_previous_period": False,
    }
    failing = {**calm, "first_deposit": True}
    made = list(
        engine.evaluate_many(
            WAGE_DEPOSIT, [calm, failing, calm], dt.date(2026, 1, 1), workers=workers
        )
    )
    assert isinstance(made[1], EvaluationError) and "division by zero" in str(made[1])
    for decision in (made[0], made[2]):
        assert isinstance(decision, Decision)
        assert (
            decision.to_json()
            == engine.evaluate(WAGE_DEPOSIT, calm, dt.date(2026, 1, 1), trace=False).to_json()
        )
