"""The Comments walkthrough of the AWS tutorial, served from every form of the definition: the example
(SAM or CloudFormation YAML), and the fixtures in CloudFormation JSON, SAM with AWS::Include and a bare
OpenAPI file."""
import pathlib
import signal
import subprocess

import boto3
import pytest
import requests

from conftest import ROOT, free_port, portico_bin
from test_gateway_features import wait_for_port

FIXTURES = ROOT / "tests" / "fixtures" / "comments"
# comments-api.yaml is not a form of its own: sam.yaml includes it.
FORMS = [ROOT / "examples" / "comments" / "template.yaml", FIXTURES / "template.json", FIXTURES / "sam.yaml",
         FIXTURES / "openapi.yaml"]


def ensure_comments_table(endpoint):
    """A bare OpenAPI file declares no table: create it the way a user would, with the AWS SDK."""
    db = boto3.client("dynamodb", endpoint_url=endpoint, region_name="us-east-1",
                      aws_access_key_id="test", aws_secret_access_key="test")
    if "Comments" in db.list_tables()["TableNames"]:
        return
    db.create_table(
        TableName="Comments", BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": "commentId", "AttributeType": "S"},
                              {"AttributeName": "pageId", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "commentId", "KeyType": "HASH"}],
        GlobalSecondaryIndexes=[{"IndexName": "pageId-index",
                                 "KeySchema": [{"AttributeName": "pageId", "KeyType": "HASH"}],
                                 "Projection": {"ProjectionType": "INCLUDE",
                                                "NonKeyAttributes": ["userName", "message"]}}])


@pytest.mark.parametrize("template", FORMS, ids=[p.name for p in FORMS])
def test_comments_walkthrough(template, tmp_path):
    gw_port, db_port = free_port(), free_port()
    proc = subprocess.Popen([portico_bin(), "serve", str(template), "--data", str(tmp_path / "data"),
                             "--listen", f"127.0.0.1:{gw_port}", "--dynamodb-listen", f"127.0.0.1:{db_port}"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        wait_for_port(gw_port, proc)
        wait_for_port(db_port, proc)
        ensure_comments_table(f"http://127.0.0.1:{db_port}")
        base = f"http://127.0.0.1:{gw_port}/prod"
        posted = []
        for user, message in (("ann", "first!"), ("bob", "nice page"), ("cy", "+1")):
            r = requests.post(base + "/comments", json={"pageId": "p1", "userName": user, "message": message})
            assert r.status_code == 200, r.text
            posted.append((user, message))
        requests.post(base + "/comments", json={"pageId": "p2", "userName": "dan", "message": "elsewhere"})
        r = requests.get(base + "/comments/p1")
        assert r.status_code == 200, r.text
        comments = r.json()["comments"]
        assert sorted((c["userName"], c["message"]) for c in comments) == sorted(posted)
        ids = {c["commentId"] for c in comments}
        assert len(ids) == 3 and all(len(i) == 36 for i in ids)  # $context.requestId
        assert requests.get(base + "/comments/nobody").json() == {"comments": []}
        assert requests.get(base + "/nothing").status_code == 403
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=20)
    assert proc.returncode == 0, proc.stderr.read().decode(errors="replace")
