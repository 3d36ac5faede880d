"""Durability: a writer process streams PutItem / UpdateItem / TransactWriteItems touching GSI keys;
the server is SIGKILLed mid-stream and restarted on the same data. Every acknowledged write must be
there, and every index entry must match its item."""
import os
import random
import signal
import subprocess
import sys
import time

from conftest import dynamodb_client_for

GROUPS = 7

# The writer: op i is a PutItem (i % 3 == 0), an UpdateItem of the item put just before (1), or a
# transaction putting a new item and updating an older one out of the index (2). It prints
# "sent i" before each request and "ack i" once DynamoDB answered 200.
WRITER = r"""
import sys, boto3
from botocore.config import Config
url = sys.argv[1]
c = boto3.session.Session().client(
    "dynamodb", endpoint_url=url, region_name="us-east-1", aws_access_key_id="AKIDPORTICOTEST",
    aws_secret_access_key="portico-test-secret",
    config=Config(retries={"total_max_attempts": 1}, connect_timeout=2, read_timeout=10))
G = %d
def item(i):
    return {"pk": {"S": "k%%d" %% i}, "g": {"S": "g%%d" %% (i %% G)}, "gs": {"N": str(i)}, "v": {"N": "0"}}
i = 0
while True:
    print("sent", i, flush=True)
    op = i %% 3
    if op == 0:
        c.put_item(TableName="Stream", Item=item(i))
    elif op == 1:
        c.update_item(TableName="Stream", Key={"pk": {"S": "k%%d" %% (i - 1)}},
                      UpdateExpression="SET g = :g, v = v + :one, u = :i",
                      ExpressionAttributeValues={":g": {"S": "g%%d" %% ((i + 3) %% G)}, ":one": {"N": "1"},
                                                 ":i": {"N": str(i)}})
    else:
        c.transact_write_items(TransactItems=[
            {"Put": {"TableName": "Stream", "Item": item(i)}},
            {"Update": {"TableName": "Stream", "Key": {"pk": {"S": "k%%d" %% (i - 2)}},
                        "UpdateExpression": "SET v = v + :ten REMOVE g",
                        "ExpressionAttributeValues": {":ten": {"N": "10"}}}},
        ])
    print("ack", i, flush=True)
    i += 1
""" % GROUPS


def apply(model, i):
    """The expected effect of op i on the model (key -> item in plain values)."""
    if i % 3 == 0:
        model[f"k{i}"] = {"pk": f"k{i}", "g": f"g{i % GROUPS}", "gs": i, "v": 0}
    elif i % 3 == 1:
        it = dict(model[f"k{i - 1}"])
        it.update(g=f"g{(i + 3) % GROUPS}", v=it["v"] + 1, u=i)
        model[f"k{i - 1}"] = it
    else:
        model[f"k{i}"] = {"pk": f"k{i}", "g": f"g{i % GROUPS}", "gs": i, "v": 0}
        it = dict(model[f"k{i - 2}"])
        it["v"] += 10
        it.pop("g", None)
        model[f"k{i - 2}"] = it


def plain(item):
    out = {}
    for name, av in item.items():
        (t, v), = av.items()
        out[name] = int(v) if t == "N" else v
    return out


def scan_all(c, **kwargs):
    items, start = [], None
    while True:
        page = c.scan(TableName="Stream", **kwargs, **({"ExclusiveStartKey": start} if start else {}))
        items += page["Items"]
        start = page.get("LastEvaluatedKey")
        if not start:
            return items


def test_acknowledged_writes_survive_sigkill(portico_factory, tmp_path):
    data = tmp_path / "data"
    server = portico_factory(data_dir=data)  # fsync on (the default)
    c = dynamodb_client_for(server)
    c.create_table(
        TableName="Stream",
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                              {"AttributeName": "g", "AttributeType": "S"},
                              {"AttributeName": "gs", "AttributeType": "N"}],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        GlobalSecondaryIndexes=[{"IndexName": "byGroup",
                                 "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"},
                                               {"AttributeName": "gs", "KeyType": "RANGE"}],
                                 "Projection": {"ProjectionType": "ALL"}}],
        BillingMode="PAY_PER_REQUEST",
    )

    script = tmp_path / "writer.py"
    script.write_text(WRITER)
    writer = subprocess.Popen([sys.executable if sys.executable else "/usr/bin/python3", str(script), server.dynamodb_url],
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    acked, sent = -1, -1
    kill_after = random.randint(60, 180)
    try:
        deadline = time.monotonic() + 120
        for line in writer.stdout:
            word, n = line.split()
            if word == "sent":
                sent = int(n)
            else:
                acked = int(n)
            if acked >= kill_after or time.monotonic() > deadline:
                break
        server.kill()  # SIGKILL: as a crash would
        for line in writer.stdout:  # drain: an answer may have arrived just before the kill
            word, n = line.split()
            if word == "sent":
                sent = int(n)
            else:
                acked = int(n)
    finally:
        if writer.poll() is None:
            try:
                writer.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.kill(writer.pid, signal.SIGKILL)
                writer.wait()
    assert acked >= kill_after, f"the writer stopped early ({acked} acknowledged)"

    server = portico_factory(data_dir=data)
    c = dynamodb_client_for(server)
    stored = {i["pk"]["S"]: plain(i) for i in scan_all(c)}

    # Every acknowledged write is there; the one in flight at the kill may or may not be.
    model = {}
    for i in range(acked + 1):
        apply(model, i)
    candidates = [model]
    if sent > acked:
        with_flight = {k: dict(v) for k, v in model.items()}
        apply(with_flight, sent)
        candidates.append(with_flight)
    assert stored in candidates, "stored items differ from the acknowledged writes"

    # Every index entry matches an item, and every item with the index keys has its entry.
    expected_entries = sorted((it["g"], it["gs"], it["pk"]) for it in stored.values() if "g" in it)
    index_scan = scan_all(c, IndexName="byGroup")
    assert sorted((plain(e)["g"], plain(e)["gs"], plain(e)["pk"]) for e in index_scan) == expected_entries
    for e in index_scan:
        assert plain(e) == stored[e["pk"]["S"]]
    for g in range(GROUPS):
        got = c.query(TableName="Stream", IndexName="byGroup", KeyConditionExpression="g = :g",
                      ExpressionAttributeValues={":g": {"S": f"g{g}"}})["Items"]
        gs_values = [int(e["gs"]["N"]) for e in got]
        assert gs_values == sorted(gs_values)
        assert sorted(gs_values) == sorted(it["gs"] for it in stored.values() if it.get("g") == f"g{g}")
    desc = c.describe_table(TableName="Stream")["Table"]
    assert desc["ItemCount"] == len(stored)
    assert desc["GlobalSecondaryIndexes"][0]["ItemCount"] == len(expected_entries)
