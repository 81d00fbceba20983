"""The HTTP service as a client meets it: the real uvicorn server on a loopback port, called over
HTTP with httpx, every answer compared with what the engine itself decides."""

from __future__ import annotations

import datetime as dt
import io
import json
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn

from conftest import ROOT
from govrules import Engine
from govrules.audit.review import review_case
from govrules.audit.whynot import why_not
from govrules.cli.main import main
from govrules.explain import deadline_entries, explain_html, explain_markdown, explain_text
from govrules.runtime.case_files import read_case_file
from govrules.service import ServiceSettings, create_app, hash_token
from govrules.service.tokens import token_accepted

WAGE = "cn.jilin.taobei.wage_deposit"
RETIREMENT = "cn.national.retirement_eligibility"
ARBITRATION = "cn.national.labor_arbitration_time_limits"
DAY = "2026-11-21"
AS_OF = dt.date(2026, 11, 21)
PROBLEM = "application/problem+json"
JSON = {"Content-Type": "application/json"}
LINES = {"Content-Type": "application/x-ndjson"}


@contextmanager
def running(app: Any) -> Iterator[str]:
    """``app`` served by uvicorn in a thread, on a socket bound here (no port race)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the server did not start"
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()


@pytest.fixture(scope="module")
def client(engine: Engine) -> Iterator[httpx.Client]:
    with running(create_app(engine)) as url, httpx.Client(base_url=url, timeout=30) as client:
        yield client


def _evaluate(client: httpx.Client, body: Any, **query: Any) -> httpx.Response:
    params = {"as_of": DAY, **query}
    content = body if isinstance(body, str | bytes) else json.dumps(body)
    return client.post(f"/v1/policies/{WAGE}/evaluate", params=params, content=content,
                       headers=JSON)


def _problem(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM
    problem = response.json()
    assert problem["type"] == f"urn:govrules:problem:{code}"
    assert problem["status"] == status and problem["instance"] == response.url.path
    assert {"title", "detail", "errors"} <= set(problem)
    return problem


# --------------------------------------------------------------------------- deciding


def test_evaluate_answers_the_engines_decision_byte_for_byte(
        client: httpx.Client, engine: Engine) -> None:
    # 18 significant digits: a float would keep 17 of them
    response = _evaluate(client, '{"contract_price": 123456789012.345678, "first_deposit": true}')
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    made = engine.evaluate(WAGE, {"contract_price": Decimal("123456789012.345678"),
                                  "first_deposit": True}, AS_OF)
    assert response.text == made.to_json()
    assert response.headers["x-decision-fingerprint"] == made.fingerprint
    assert response.json()["facts"]["contract_price"] == "123456789012.345678"


def test_an_envelope_names_the_date_and_the_query_overrides_it(
        client: httpx.Client, engine: Engine) -> None:
    facts = {"contract_price": "1000000", "first_deposit": True}
    envelope = {"policy": WAGE, "as_of": "2025-03-03", "facts": facts}
    response = client.post(f"/v1/policies/{WAGE}/evaluate", json=envelope)
    assert response.json()["fingerprint"] == engine.evaluate(
        WAGE, facts, dt.date(2025, 3, 3)).fingerprint
    response = _evaluate(client, envelope)  # ?as_of=2026-11-21
    assert response.json()["as_of"] == DAY


def test_evaluate_without_trace_is_the_fast_path(client: httpx.Client, engine: Engine) -> None:
    facts = {"contract_price": "1000000", "first_deposit": True}
    response = _evaluate(client, facts, trace="false")
    assert response.json()["trace"] == [] and response.json()["trace_digest"] is None
    assert response.text == engine.evaluate(WAGE, facts, AS_OF, trace=False).to_json()


@pytest.mark.parametrize("kind, media, render", [
    ("text", "text/plain; charset=utf-8", explain_text),
    ("markdown", "text/markdown; charset=utf-8", explain_markdown),
    ("html", "text/html; charset=utf-8", explain_html),
])
def test_evaluate_renders_the_explanations(client: httpx.Client, engine: Engine, kind: str,
                                           media: str, render: Any) -> None:
    facts = {"contract_price": "2500000", "first_deposit": True}
    response = _evaluate(client, facts, format=kind)
    assert response.status_code == 200
    assert response.headers["content-type"] == media
    assert response.text == render(engine.evaluate(WAGE, facts, AS_OF))
    if kind == "html":
        assert "default-src 'none'" in response.headers["content-security-policy"]


def test_why_not_and_deadlines_are_the_commands_answers(
        client: httpx.Client, engine: Engine) -> None:
    facts, envelope = read_case_file(ROOT / "examples" / "arbitration" /
                                     "01_worker_final_award.yaml")
    assert envelope is not None
    day = envelope["as_of"]
    body = json.loads(json.dumps(facts, default=str))
    made = engine.evaluate(ARBITRATION, facts, day)
    answer = client.post(f"/v1/policies/{ARBITRATION}/deadlines", json=body,
                         params={"as_of": day.isoformat()})
    assert answer.status_code == 200, answer.text
    assert answer.json()["deadlines"] == json.loads(json.dumps(deadline_entries(made),
                                                               ensure_ascii=False))
    assert answer.json()["fingerprint"] == made.fingerprint
    timeline = client.post(f"/v1/policies/{ARBITRATION}/deadlines", json=body,
                           params={"as_of": day.isoformat(), "format": "text"})
    assert "仲裁时效届满日" in timeline.text
    answer = client.post(f"/v1/policies/{ARBITRATION}/why-not", json=body,
                         params={"as_of": day.isoformat()})
    assert answer.json() == json.loads(json.dumps(why_not(engine, made).to_dict(), default=str))


def test_review_agrees_or_sends_to_collective_review(
        client: httpx.Client, engine: Engine) -> None:
    folder = ROOT / "examples" / "retirement" / "reviews"
    first, _ = read_case_file(folder / "first_reviewer.yaml")
    second, _ = read_case_file(folder / "second_reviewer.yaml")
    as_json = json.loads(json.dumps({"first": first, "second": second}, default=str))
    answer = client.post(f"/v1/policies/{RETIREMENT}/review", json=as_json,
                         params={"as_of": DAY})
    expected = review_case(engine, RETIREMENT, first, second, AS_OF).to_dict()
    assert answer.json() == json.loads(json.dumps(expected))
    assert answer.json()["status"] == "collective_review_required"
    same = client.post(f"/v1/policies/{RETIREMENT}/review", params={"as_of": DAY},
                       json={"first": as_json["first"], "second": as_json["first"]})
    assert same.json()["status"] == "agreed"
    bad = client.post(f"/v1/policies/{RETIREMENT}/review", params={"as_of": DAY},
                      json={"first": as_json["first"], "second": {"sex": "other"}})
    problem = _problem(bad, 422, "invalid-input")
    assert problem["errors"][0]["field"] == "second.sex"


def test_verify_confirms_a_saved_decision_and_catches_an_edit(client: httpx.Client) -> None:
    saved = _evaluate(client, {"contract_price": "1000000", "first_deposit": True}).json()
    report = client.post("/v1/verify", json=saved).json()
    assert report["verified"] is True and report["fingerprint_now"] == saved["fingerprint"]
    saved["values"]["rate_min"] = "0.03"
    report = client.post("/v1/verify", json=saved).json()
    assert report["verified"] is False and report["changed"] == "document"
    _problem(client.post("/v1/verify", content=b"[1, 2", headers=JSON), 400, "invalid-decision")


# --------------------------------------------------------------------------- catalogue


def test_catalogue_lists_packs_policies_versions_and_schemas(
        client: httpx.Client, engine: Engine) -> None:
    assert {p["id"] for p in client.get("/v1/packs").json()} == set(engine.packs)
    listed = client.get("/v1/policies").json()
    assert [p["id"] for p in listed] == sorted({p.id for p in engine.policies()})
    detail = client.get(f"/v1/policies/{WAGE}", params={"as_of": DAY}).json()
    policy = engine.policy(WAGE, AS_OF)
    assert detail["version"] == policy.version and detail["policy_hash"] == policy.content_hash
    assert [i["name"] for i in detail["inputs"]] == [i.name for i in policy.inputs]
    assert {o["value"] for o in detail["outcomes"]} == set(policy.model.outcome.values)
    assert detail["pack"] == policy.pack.to_dict() if policy.pack else detail["pack"] is None
    schema = client.get(f"/v1/policies/{WAGE}/schema").json()
    assert schema == json.loads(json.dumps(engine.case_model(WAGE).model_json_schema()))
    _problem(client.get("/v1/policies/cn.jilin.taobei.wage_depost"), 404, "unknown-policy")


def test_openapi_documents_each_policys_case_model(client: httpx.Client, engine: Engine) -> None:
    document = client.get("/openapi.json").json()
    schemas = document["components"]["schemas"]
    for policy_id in {p.id for p in engine.policies()}:
        model = json.loads(json.dumps(engine.case_model(policy_id).model_json_schema()))
        assert schemas[policy_id] == {k: v for k, v in model.items()
                                      if k not in ("$schema", "$id")}
        operation = document["paths"][f"/v1/policies/{policy_id}/evaluate"]["post"]
        body = operation["requestBody"]["content"]["application/json"]["schema"]
        assert {"$ref": f"#/components/schemas/{policy_id}"} in body["oneOf"]
    evaluate = document["paths"][f"/v1/policies/{WAGE}/evaluate"]["post"]
    assert evaluate["operationId"] == "evaluate_cn_jilin_taobei_wage_deposit"
    assert evaluate["responses"]["default"]["content"][PROBLEM]


# --------------------------------------------------------------------------- problems


def test_bad_json_is_located_at_its_line_and_column(client: httpx.Client) -> None:
    problem = _problem(_evaluate(client, '{\n  "contract_price": 1,\n  "contract_price": 2}'),
                       400, "duplicate-key")
    assert problem["errors"][0]["line"] == 1 and problem["errors"][0]["location"] == "body"
    problem = _problem(_evaluate(client, '{"contract_price": }'), 400, "json-syntax")
    assert (problem["errors"][0]["line"], problem["errors"][0]["column"]) == (1, 20)
    _problem(_evaluate(client, "[" * 41 + "]" * 41), 400, "json-too-deep")
    _problem(_evaluate(client, b'{"contract_price": "\xff"}'), 400, "file-encoding")


def test_an_invalid_case_names_every_bad_field(client: httpx.Client) -> None:
    response = _evaluate(client, {"contract_price": "1e6", "first_deposit": 1, "frist": True})
    problem = _problem(response, 422, "invalid-case")
    fields = {e["field"]: e["code"] for e in problem["errors"]}
    assert fields == {"contract_price": "invalid-input", "first_deposit": "invalid-input",
                      "frist": "unknown-input"}
    _problem(_evaluate(client, [1, 2]), 422, "invalid-case")
    problem = _problem(_evaluate(client, {"policy": "cn.other", "facts": {}}), 422,
                       "policy-mismatch")
    assert problem["errors"][0]["field"] == "policy"


def test_requests_refused_before_any_decision(client: httpx.Client) -> None:
    _problem(client.post(f"/v1/policies/{WAGE}/evaluate", content=b"contract_price=1",
                         headers={"Content-Type": "application/x-www-form-urlencoded"}),
             415, "unsupported-media-type")
    _problem(client.post("/v1/policies/cn.nowhere/evaluate", json={}), 404, "unknown-policy")
    _problem(client.get("/v1/nothing/here"), 404, "not-found")
    _problem(client.get(f"/v1/policies/{WAGE}/evaluate"), 405, "method-not-allowed")
    problem = _problem(_evaluate(client, {}, trace="perhaps"), 400, "invalid-parameter")
    assert problem["errors"][0]["field"] == "trace"
    problem = _problem(_evaluate(client, {}, as_of="2026-02-30"), 400, "invalid-as-of")
    assert problem["errors"][0] == {**problem["errors"][0], "location": "query", "field": "as_of"}
    _problem(_evaluate(client, {}, as_of="2100-01-01"), 400, "invalid-as-of")


def test_limits_of_size_and_time(engine: Engine) -> None:
    settings = ServiceSettings(max_body=1024, max_batch_lines=3, timeout=1e-6, body_timeout=0.3)
    with running(create_app(engine, settings)) as url, httpx.Client(base_url=url) as client:
        big = json.dumps({"contract_price": "1" + "0" * 2000})
        _problem(_evaluate(client, big), 413, "json-too-large")

        def chunks() -> Iterator[bytes]:  # no Content-Length: found too large while reading
            yield big.encode()

        _problem(client.post(f"/v1/policies/{WAGE}/evaluate", content=chunks(), headers=JSON),
                 413, "json-too-large")
        slow = _problem(_evaluate(client, {"contract_price": "1"}), 503, "time-limit")
        assert "Retry-After" in _evaluate(client, {}).headers and slow["detail"]
        lines = "\n".join(['{"contract_price": "1"}'] * 4)
        _problem(client.post(f"/v1/policies/{WAGE}/batch", content=lines, headers=LINES),
                 413, "batch-too-large")
        stopped = client.post(f"/v1/policies/{WAGE}/batch", content="{}\n", headers=LINES)
        assert stopped.json()["errors"][0]["code"] == "time-limit"
        port = int(url.rsplit(":", 1)[1])
        with socket.create_connection(("127.0.0.1", port)) as raw:
            raw.sendall(f"POST /v1/policies/{WAGE}/evaluate HTTP/1.1\r\nHost: x\r\n"
                        "Content-Type: application/json\r\nContent-Length: 50\r\n\r\n{".encode())
            raw.settimeout(10)
            head = raw.recv(65536).decode()
        assert head.startswith("HTTP/1.1 408") and "body-timeout" in head


# --------------------------------------------------------------------------- batch


def test_batch_streams_one_row_per_case_in_order_and_goes_on_after_a_bad_one(
        client: httpx.Client, engine: Engine) -> None:
    cases = [{"contract_price": str(1000000 + n), "first_deposit": n % 2 == 0} for n in range(6)]
    lines = [json.dumps(case) for case in cases]
    lines[2] = '{"contract_price": "12", "first_deposit": "yes"}'
    lines[4] = "not json"
    body = "\n".join(lines[:3]) + "\n\n" + "\n".join(lines[3:]) + "\n"
    with client.stream("POST", f"/v1/policies/{WAGE}/batch", params={"as_of": DAY},
                       content=body, headers=LINES) as response:
        assert response.status_code == 200
        assert response.headers["content-type"] == "application/x-ndjson"
        assert "content-length" not in response.headers  # streamed
        rows = [json.loads(line) for line in response.iter_lines() if line]
    assert [row["row"] for row in rows] == [1, 2, 3, 4, 5, 6]
    assert rows[2]["errors"][0] == {**rows[2]["errors"][0], "code": "invalid-input",
                                    "field": "first_deposit"}
    assert rows[4]["errors"][0]["code"] == "json-syntax"
    assert "line 6" in rows[4]["errors"][0]["message"]  # the blank line counts as a line
    for number in (0, 1, 3, 5):
        made = engine.evaluate(WAGE, cases[number], AS_OF, trace=False)
        assert rows[number] == {"row": number + 1, **json.loads(made.to_json())}
    small = client.post(f"/v1/policies/{WAGE}/batch", params={"as_of": DAY, "cite": "ids"},
                        content=lines[0], headers=LINES).json()
    assert small["citations"][0].startswith("cn.") and "facts" not in small


# --------------------------------------------------------------------------- operations


def _metric(client: httpx.Client, name: str, **labels: str) -> float:
    wanted = ",".join(f'{k}="{v}"' for k, v in sorted(labels.items()))
    for line in client.get("/metrics").text.splitlines():
        if line.startswith(f"{name}{{{wanted}}} "):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


def test_health_readiness_and_metrics_that_move(client: httpx.Client) -> None:
    assert client.get("/healthz").json() == {"status": "alive"}
    ready = client.get("/readyz").json()
    assert ready["status"] == "ready" and ready["policies"] == 46
    route = "/v1/policies/{policy_id}/evaluate"
    before = (_metric(client, "govrules_decisions_total", policy=WAGE, outcome="assessed"),
              _metric(client, "govrules_http_request_duration_seconds_count",
                      method="POST", route=route),
              _metric(client, "govrules_problems_total", code="unknown-input", status="422"))
    _evaluate(client, {"contract_price": "1000000", "first_deposit": True})
    _evaluate(client, {"contract_prise": "1000000"})
    after = (_metric(client, "govrules_decisions_total", policy=WAGE, outcome="assessed"),
             _metric(client, "govrules_http_request_duration_seconds_count",
                     method="POST", route=route),
             _metric(client, "govrules_problems_total", code="unknown-input", status="422"))
    assert after == (before[0] + 1, before[1] + 2, before[2] + 1)
    assert client.get("/metrics").headers["content-type"].startswith("text/plain; version=0.0.4")


def test_no_cors_unless_configured(client: httpx.Client) -> None:
    asked = client.options(f"/v1/policies/{WAGE}/evaluate", headers={
        "Origin": "https://portal.example", "Access-Control-Request-Method": "POST"})
    assert "access-control-allow-origin" not in asked.headers
    got = client.get("/v1/packs", headers={"Origin": "https://portal.example"})
    assert "access-control-allow-origin" not in got.headers


# --------------------------------------------------------------------------- the command


class ServeCommand:
    """``python -m govrules serve`` in a subprocess, as a user runs it."""

    @contextmanager
    def server(self, args: list[str]) -> Iterator[str]:
        """``govrules serve`` on a free port until the block ends (then interrupted)."""
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        process = subprocess.Popen([sys.executable, "-m", "govrules", "serve", "--port",
                                    str(port), *args], cwd=ROOT, stdout=subprocess.PIPE,
                                   stderr=subprocess.STDOUT, text=True)
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while True:
                assert process.poll() is None, process.communicate()[0]
                assert time.monotonic() < deadline, "govrules serve did not become ready"
                try:
                    if httpx.get(f"{url}/readyz").status_code == 200:
                        break
                except httpx.TransportError:
                    time.sleep(0.1)
            yield url
        finally:
            process.send_signal(signal.SIGINT)
            output = process.communicate(timeout=30)[0]
        assert process.returncode == 0, output
        assert "Traceback" not in output, output


@pytest.fixture(scope="module")
def serve_command() -> ServeCommand:
    return ServeCommand()


def test_govrules_serve_with_tokens_cors_and_a_decision_log(
        tmp_path: Path, engine: Engine, serve_command: Any) -> None:
    from govrules.decisionlog import open_log

    token = "a-token-for-the-payroll-system-0123"
    tokens = tmp_path / "tokens.txt"
    tokens.write_text(f"# the payroll system\n{hash_token(token)}\n", encoding="utf-8")
    log = tmp_path / "decisions.sqlite"
    arguments = ["--tokens", str(tokens), "--log", str(log), "--cors-origin",
                 "https://portal.example"]
    with serve_command.server(arguments) as url, httpx.Client(base_url=url, timeout=30) as client:
        assert client.get("/healthz").status_code == 200
        assert client.get("/readyz").status_code == 200
        missing = _problem(client.get("/v1/policies"), 401, "missing-token")
        assert missing["errors"][0]["location"] == "header"
        wrong = client.get("/v1/policies", headers={"Authorization": "Bearer " + "x" * 30})
        assert _problem(wrong, 401, "invalid-token") and \
            wrong.headers["www-authenticate"].startswith("Bearer")
        _problem(client.get("/metrics"), 401, "missing-token")
        _problem(client.get("/openapi.json"), 401, "missing-token")
        allowed = {"Authorization": f"Bearer {token}"}
        assert client.get("/metrics", headers=allowed).status_code == 200
        facts = {"contract_price": "1000000", "first_deposit": True}
        made = client.post(f"/v1/policies/{WAGE}/evaluate", params={"as_of": DAY},
                           json=facts, headers={**allowed, "Origin": "https://portal.example"})
        assert made.status_code == 200
        assert made.headers["access-control-allow-origin"] == "https://portal.example"
        other = client.get("/v1/packs", headers={**allowed, "Origin": "https://evil.example"})
        assert "access-control-allow-origin" not in other.headers
        record_id = int(made.headers["x-decision-log-id"])
        batch = client.post(f"/v1/policies/{WAGE}/batch", params={"as_of": DAY},
                            content=json.dumps(facts) + "\n" + json.dumps(facts),
                            headers={**allowed, **LINES})
        assert len(batch.text.splitlines()) == 2
    expected = engine.evaluate(WAGE, facts, AS_OF)
    with open_log(str(log)) as opened:
        record = opened.show(record_id)
        assert record is not None
        assert record["origin"] == "service"
        assert record["fingerprint"] == made.json()["fingerprint"] == expected.fingerprint
        assert len(list(opened.query(policy=WAGE))) == 3
        assert opened.verify().intact


def test_serve_refuses_a_bad_token_file(tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    tokens = tmp_path / "tokens.txt"
    tokens.write_text("# plain tokens are not hashes\nmy-secret-token-in-clear\n",
                      encoding="utf-8")
    assert main(["serve", "--tokens", str(tokens)]) == 2
    assert "tokens.txt:2: expected sha256:" in capsys.readouterr().err


def test_hash_token_reads_standard_input_or_makes_a_new_token(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    assert main(["serve", "hash-token"]) == 2
    assert "too easy to guess" in capsys.readouterr().err
    assert main(["serve", "hash-token", "--new"]) == 0
    token, line = capsys.readouterr().out.split()
    assert line == hash_token(token) and token_accepted(f"Bearer {token}", frozenset({line}))
    assert not token_accepted(f"Bearer {token}x", frozenset({line}))
