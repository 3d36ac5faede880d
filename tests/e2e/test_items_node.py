"""Item operations driven by the AWS SDK for JavaScript v3 (@aws-sdk/client-dynamodb) from Node."""
import json
import pathlib
import subprocess

from items_helpers import create_table

NODE_DIR = pathlib.Path(__file__).resolve().parents[1] / "node"


def test_javascript_sdk(portico_server, dynamodb_client):
    assert (NODE_DIR / "node_modules" / "@aws-sdk" / "client-dynamodb").is_dir(), "run scripts/bootstrap --test"
    create_table(dynamodb_client, "NodeItems", range_key=("sk", "N"))
    r = subprocess.run(["/usr/bin/node", str(NODE_DIR / "items_sdk.mjs"), portico_server.dynamodb_url, "NodeItems"],
                       capture_output=True, text=True, timeout=120, cwd=NODE_DIR)
    assert r.returncode == 0, r.stderr
    seen = json.loads(r.stdout.strip().splitlines()[-1])
    assert seen["blob"] == [2, 0, 255]
    assert seen["updated"] == "0.5"
    assert seen["page"] == ["2"]
    assert seen["lastKey"] == {"pk": {"S": "node"}, "sk": {"N": "2"}}
    assert seen["cancelled"] == "TransactionCanceledException"
    assert seen["reasons"] == ["ConditionalCheckFailed"]
    assert seen["missing"] == ["ResourceNotFoundException", "Requested resource not found"]
