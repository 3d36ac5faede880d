"""The Comments walkthrough of the AWS tutorial, served from every form of the definition: the example
(SAM or CloudFormation YAML), and the fixtures in CloudFormation JSON, SAM with AWS::Include and a bare
OpenAPI file."""

import boto3
import pytest
import requests

from conftest import ROOT, PorticoServer

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
    server = PorticoServer([str(template)], tmp_path / "data", str(tmp_path))
    try:
        ensure_comments_table(server.dynamodb_url)
        base = f"{server.gateway_url}/prod"
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
        status = server.stop(timeout=20)
    assert status == 0, server.stderr()
