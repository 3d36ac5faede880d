"""The gateway's request path end to end: `portico serve` on the features fixture, driven with requests
(and boto3 to look at the store behind it)."""
import json
import pathlib
import subprocess
import tempfile
import time

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import boto3
import pytest
import requests

from conftest import ROOT, PorticoServer, portico_bin

FIXTURE = ROOT / "tests" / "fixtures" / "gateway" / "features.yaml"


class Upstream(BaseHTTPRequestHandler):
    """The HTTP integrations' backend: echoes what it was sent as JSON."""

    def answer(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
        if self.path.startswith("/slow"):
            time.sleep(2)
        status = 404 if "/things/missing" in self.path else 200
        text = json.dumps({"method": self.command, "path": self.path, "from": self.headers.get("x-from"),
                           "body": body}).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("x-served-by", "upstream")
            self.send_header("Content-Length", str(len(text)))
            self.end_headers()
            self.wfile.write(text)
        except BrokenPipeError:
            pass  # the gateway gave up first (the timeout test)

    do_GET = do_POST = do_PUT = do_DELETE = answer

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def upstream():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Upstream)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


class Server:
    """`portico serve` of the fixture (conftest.PorticoServer: on free ports, started again when one is taken
    meanwhile), stopped by PID."""

    def __init__(self, data, *parameters):
        self.data = pathlib.Path(data)
        extra = [arg for p in parameters for arg in ("--parameter", p)]
        log_dir = tempfile.mkdtemp(dir=str(self.data.parent), prefix="log")
        self.server = PorticoServer([str(FIXTURE), *extra], data, log_dir)
        self.root = self.server.gateway_url
        self.url = self.root + "/test"
        self.dynamodb = self.server.dynamodb_url

    def stop(self):
        return self.server.stop(timeout=20)

    def stderr(self):
        return self.server.stderr()

    def __getitem__(self, key):
        return getattr(self, key)


@pytest.fixture(scope="module")
def features(tmp_path_factory, upstream):
    server = Server(tmp_path_factory.mktemp("features-data"), f"UpstreamUrl={upstream}")
    yield server
    assert server.stop() == 0, server.stderr()


def dynamodb(features):
    return boto3.client("dynamodb", endpoint_url=features["dynamodb"], region_name="us-east-1",
                        aws_access_key_id="test", aws_secret_access_key="test")


def test_unknown_route_uses_the_customised_gateway_response(features):
    r = requests.get(features["url"] + "/nowhere")
    assert r.status_code == 404
    assert r.json() == {"error": "no route", "path": "/test/nowhere"}
    assert r.headers["x-route"] == "none"
    assert r.headers["x-amzn-ErrorType"] == "MissingAuthenticationTokenException"


def test_unknown_stage_and_method_are_missing_authentication_token(features):
    assert requests.get(features["root"] + "/prod/mock").status_code == 404
    r = requests.put(features["url"] + "/mock")
    assert r.status_code == 404 and r.json()["error"] == "no route"


def test_put_then_get_through_dynamodb(features):
    r = requests.post(features["url"] + "/items", json={"id": "a1", "name": 'say "hi"'})
    assert r.status_code == 201, r.text
    assert r.json() == {"created": True}
    assert r.headers["Content-Type"].startswith("application/json")
    assert len(r.headers["x-amzn-RequestId"]) == 36
    stored = dynamodb(features).get_item(TableName="Items", Key={"id": {"S": "a1"}})["Item"]
    assert stored["name"] == {"S": 'say "hi"'}
    # The response template splices values unescaped, as on AWS: plain values read back as JSON.
    requests.post(features["url"] + "/items", json={"id": "a2", "name": "plain"})
    r = requests.get(features["url"] + "/items/a2")
    assert r.status_code == 200
    assert r.json() == {"id": "a2", "name": "plain"}


def test_condition_failure_is_selected_by_the_4xx_pattern(features):
    requests.post(features["url"] + "/items", json={"id": "dup", "name": "x"})
    r = requests.post(features["url"] + "/items", json={"id": "dup", "name": "y"})
    assert r.status_code == 409
    assert r.json() == {"error": "ConditionalCheckFailedException"}


def test_malformed_json_body_is_refused_before_dynamodb(features):
    r = requests.post(features["url"] + "/items", data='{"id": "x", ', headers={"Content-Type": "application/json"})
    assert r.status_code == 400
    assert r.json()["message"].startswith("Could not process payload")
    assert "Item" not in dynamodb(features).get_item(TableName="Items", Key={"id": {"S": "x"}})


def test_missing_item_sets_status_through_response_override(features):
    r = requests.get(features["url"] + "/items/none-such")
    assert r.status_code == 404
    assert r.json() == {"error": "not found"}


def test_role_policy_refuses_actions_it_does_not_allow(features):
    requests.post(features["url"] + "/items", json={"id": "keep", "name": "x"})
    r = requests.delete(features["url"] + "/items/keep")
    assert r.status_code == 403
    body = r.json()
    assert body["type"].endswith("AccessDeniedException")
    assert "dynamodb:DeleteItem" in body["message"]
    assert "table/Items" in body["message"]
    # nothing was deleted
    assert "Item" in dynamodb(features).get_item(TableName="Items", Key={"id": {"S": "keep"}})


def test_dynamodb_error_without_4xx_pattern_falls_to_the_default_200(features):
    # The key is declared S but the template sends N: DynamoDB answers 400, and with no 4\d{2} pattern
    # API Gateway answers with the default response, passing DynamoDB's error body through.
    r = requests.get(features["url"] + "/unguarded/12")
    assert r.status_code == 200
    assert r.json()["__type"].endswith("ValidationException")


def test_mock_integration_selects_by_status_and_maps_headers(features):
    r = requests.get(features["url"] + "/mock", params={"q": "a b"})
    assert r.status_code == 200
    assert r.json() == {"mock": True, "stage": "test", "q": "a b"}
    assert r.headers["x-mock"] == "yes"
    r = requests.get(features["url"] + "/mock", params={"code": "404"})
    assert r.status_code == 404
    assert r.json() == {"mock": "missing"}


def test_api_keys(features):
    url = features["url"] + "/secret"
    assert requests.get(url).status_code == 403
    r = requests.get(url, headers={"x-api-key": "wrong"})
    assert r.status_code == 403 and r.json() == {"message": "Forbidden"}
    assert requests.get(url, headers={"x-api-key": "features-disabled-key-0123456789"}).status_code == 403
    r = requests.get(url, headers={"x-api-key": "features-test-key-0123456789"})
    assert r.status_code == 200 and r.json()["secret"] != ""
    generated = json.loads((features["data"] / "api-keys.json").read_text())["GeneratedKey"]
    assert len(generated) >= 20
    assert requests.get(url, headers={"x-api-key": generated}).status_code == 200


def test_request_validation(features):
    url = features["url"] + "/validated"
    r = requests.post(url, json={"name": "ok"})
    assert r.status_code == 400
    assert r.json() == {"message": "Missing required request parameters: [q]"}
    r = requests.post(url, params={"q": "1"}, json={"size": 0})
    assert r.status_code == 400
    assert r.json() == {"message": "Invalid request body"}
    assert r.headers["x-amzn-ErrorType"] == "BadRequestException"
    r = requests.post(url, params={"q": "1"}, json={"name": "ok", "size": 3})
    assert r.status_code == 200 and r.json() == {"valid": True}


def test_passthrough_never_refuses_unmapped_content_types(features):
    r = requests.post(features["url"] + "/strict", data="a=b", headers={"Content-Type": "text/plain"})
    assert r.status_code == 415
    assert r.json() == {"message": "Unsupported Media Type"}
    assert requests.post(features["url"] + "/strict", json={}).status_code == 200


def test_response_override_status_and_header(features):
    r = requests.get(features["url"] + "/teapot")
    assert r.status_code == 418
    assert r.headers["x-brew"] == "tea"
    assert r.json() == {"short": "stout"}


def test_greedy_path_with_any_method(features):
    r = requests.delete(features["url"] + "/files/a/b/c.txt")
    assert r.status_code == 200
    assert r.json() == {"method": "DELETE", "proxy": "a/b/c.txt", "resource": "/files/{proxy+}"}


def test_http_integration_maps_path_query_and_headers(features):
    r = requests.get(features["url"] + "/upstream/t1", headers={"x-client": "tests"})
    assert r.status_code == 200, r.text
    seen = r.json()["upstream"]
    assert seen["method"] == "GET"
    assert seen["path"] == "/things/t1?src=portico"
    assert seen["from"] == "tests"
    assert r.headers["x-upstream"] == "upstream"
    r = requests.get(features["url"] + "/upstream/missing")
    assert r.status_code == 404 and r.json() == {"missing": "missing"}


def test_http_integration_timeout(features):
    r = requests.get(features["url"] + "/slow")
    assert r.status_code == 504
    assert r.json() == {"message": "Endpoint request timed out"}


def test_http_proxy_passes_everything_through(features):
    r = requests.post(features["url"] + "/relay/deep/er?x=1", data="raw body", headers={"x-from": "proxy"})
    assert r.status_code == 200
    seen = r.json()
    assert seen == {"method": "POST", "path": "/deep/er?x=1", "from": "proxy", "body": "raw body"}
    assert r.headers["x-served-by"] == "upstream"


def test_tables_and_generated_keys_survive_a_restart(tmp_path):
    first = Server(tmp_path / "data")
    try:
        assert requests.post(first.url + "/items", json={"id": "persist", "name": "kept"}).status_code == 201
        key = json.loads((first.data / "api-keys.json").read_text())["GeneratedKey"]
    finally:
        assert first.stop() == 0
    second = Server(tmp_path / "data")
    try:
        assert requests.get(second.url + "/items/persist").json() == {"id": "persist", "name": "kept"}
        assert json.loads((second.data / "api-keys.json").read_text())["GeneratedKey"] == key
        assert requests.get(second.url + "/secret", headers={"x-api-key": key}).status_code == 200
    finally:
        assert second.stop() == 0


def test_test_invoke_prints_the_execution_log(tmp_path):
    r = subprocess.run([portico_bin(), "test-invoke", str(FIXTURE), "GET", "/mock", "--query", "q=z",
                        "--data", str(tmp_path / "data")], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert "Method request query string: {q=z}" in r.stdout
    assert "Method completed with status: 200" in r.stdout
    assert "Status: 200" in r.stdout
    assert '"q":"z"' in r.stdout


def test_validate_warns_about_the_default_response_trap(tmp_path):
    r = subprocess.run([portico_bin(), "validate", str(FIXTURE)], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert "GET /unguarded/{id}: no integration response has a selection pattern matching 400" in r.stdout
    assert "POST /items: no integration response" not in r.stdout
    assert "request template line 4: user input is spliced" in r.stdout  # "id": {"S": "$input.path('$.id')"}


def test_validate_reports_broken_templates(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(FIXTURE.read_text().replace("#if($item == \"\")", "#if($item == \"\""))
    r = subprocess.run([portico_bin(), "validate", str(bad)], capture_output=True, text=True, timeout=60)
    assert r.returncode == 1
    assert "GET /items/{id}" in r.stderr
