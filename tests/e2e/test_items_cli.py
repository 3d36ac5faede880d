"""Item operations driven by the AWS CLI (/usr/bin/aws), as a user would from a shell."""
import json
import os
import subprocess

from items_helpers import create_table

AWS = "/usr/bin/aws"


def aws(server, *args):
    env = dict(os.environ, AWS_ACCESS_KEY_ID="AKIDPORTICOTEST", AWS_SECRET_ACCESS_KEY="portico-test-secret",
               AWS_DEFAULT_REGION="us-east-1", AWS_PAGER="", AWS_CONFIG_FILE="/dev/null",
               AWS_SHARED_CREDENTIALS_FILE="/dev/null")
    r = subprocess.run([AWS, "dynamodb", *args, "--endpoint-url", server.dynamodb_url, "--output", "json"],
                       capture_output=True, text=True, timeout=60, env=env)
    return r


def ok(server, *args):
    r = aws(server, *args)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout) if r.stdout.strip() else {}


def test_cli_put_get_update_query_scan_delete(portico_server, dynamodb_client):
    create_table(dynamodb_client, "CliItems", range_key=("sk", "N"))
    for i in range(3):
        ok(portico_server, "put-item", "--table-name", "CliItems",
           "--item", json.dumps({"pk": {"S": "p"}, "sk": {"N": str(i)}, "v": {"S": f"v{i}"}}))
    got = ok(portico_server, "get-item", "--table-name", "CliItems", "--key", '{"pk":{"S":"p"},"sk":{"N":"1"}}',
             "--consistent-read")
    assert got["Item"] == {"pk": {"S": "p"}, "sk": {"N": "1"}, "v": {"S": "v1"}}
    upd = ok(portico_server, "update-item", "--table-name", "CliItems", "--key", '{"pk":{"S":"p"},"sk":{"N":"1"}}',
             "--update-expression", "SET v = :v", "--expression-attribute-values", '{":v":{"S":"new"}}',
             "--return-values", "UPDATED_NEW")
    assert upd["Attributes"] == {"v": {"S": "new"}}
    q = ok(portico_server, "query", "--table-name", "CliItems", "--key-condition-expression", "pk = :p AND sk >= :s",
           "--expression-attribute-values", '{":p":{"S":"p"},":s":{"N":"1"}}', "--no-scan-index-forward")
    assert [i["sk"]["N"] for i in q["Items"]] == ["2", "1"]
    # the CLI paginates by itself with --page-size: every item comes back
    s = ok(portico_server, "scan", "--table-name", "CliItems", "--page-size", "1")
    assert s["Count"] == 3
    r = aws(portico_server, "delete-item", "--table-name", "CliItems", "--key", '{"pk":{"S":"p"},"sk":{"N":"0"}}',
            "--condition-expression", "attribute_not_exists(pk)")
    assert r.returncode != 0
    assert "ConditionalCheckFailedException" in r.stderr
    ok(portico_server, "delete-item", "--table-name", "CliItems", "--key", '{"pk":{"S":"p"},"sk":{"N":"0"}}')
    assert ok(portico_server, "scan", "--table-name", "CliItems", "--select", "COUNT")["Count"] == 2


def test_cli_batch_and_transactions(portico_server, dynamodb_client):
    create_table(dynamodb_client, "CliBatch")
    items = {"CliBatch": [{"PutRequest": {"Item": {"pk": {"S": f"k{i}"}}}} for i in range(5)]}
    out = ok(portico_server, "batch-write-item", "--request-items", json.dumps(items))
    assert out["UnprocessedItems"] == {}
    out = ok(portico_server, "batch-get-item", "--request-items",
             json.dumps({"CliBatch": {"Keys": [{"pk": {"S": "k1"}}, {"pk": {"S": "k4"}}]}}))
    assert sorted(i["pk"]["S"] for i in out["Responses"]["CliBatch"]) == ["k1", "k4"]
    r = aws(portico_server, "transact-write-items", "--transact-items", json.dumps([
        {"Put": {"TableName": "CliBatch", "Item": {"pk": {"S": "k1"}}, "ConditionExpression": "attribute_not_exists(pk)"}}
    ]))
    assert r.returncode != 0
    assert "TransactionCanceledException" in r.stderr
    assert "ConditionalCheckFailed" in r.stderr
