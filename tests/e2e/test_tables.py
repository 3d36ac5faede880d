"""Table operations through boto3 against a running server: create, describe, list, update, delete, TTL."""
import time

import pytest
from botocore.exceptions import ClientError

from conftest import dynamodb_client_for


def error_of(fn, **kwargs):
    with pytest.raises(ClientError) as info:
        fn(**kwargs)
    err = info.value.response
    assert err["ResponseMetadata"]["HTTPStatusCode"] == 400
    return err["Error"]["Code"], err["Error"]["Message"]


def create_orders(client, name="Orders", **extra):
    return client.create_table(
        TableName=name,
        AttributeDefinitions=[
            {"AttributeName": "id", "AttributeType": "S"},
            {"AttributeName": "at", "AttributeType": "N"},
            {"AttributeName": "cust", "AttributeType": "S"},
            {"AttributeName": "status", "AttributeType": "S"},
        ],
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}, {"AttributeName": "at", "KeyType": "RANGE"}],
        GlobalSecondaryIndexes=[
            {
                "IndexName": "byCustomer",
                "KeySchema": [{"AttributeName": "cust", "KeyType": "HASH"}, {"AttributeName": "at", "KeyType": "RANGE"}],
                "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["total"]},
            }
        ],
        LocalSecondaryIndexes=[
            {
                "IndexName": "byStatus",
                "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}, {"AttributeName": "status", "KeyType": "RANGE"}],
                "Projection": {"ProjectionType": "KEYS_ONLY"},
            }
        ],
        BillingMode="PAY_PER_REQUEST",
        **extra,
    )["TableDescription"]


def test_create_describe_list_delete(dynamodb_client):
    c = dynamodb_client
    desc = create_orders(c)
    assert desc["TableStatus"] == "ACTIVE"
    assert desc["TableArn"] == "arn:aws:dynamodb:us-east-1:000000000000:table/Orders"
    assert len(desc["TableId"]) == 36
    assert desc["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    assert desc["ItemCount"] == 0 and desc["TableSizeBytes"] == 0
    gsi = desc["GlobalSecondaryIndexes"][0]
    assert gsi["IndexStatus"] == "ACTIVE"
    assert gsi["IndexArn"] == desc["TableArn"] + "/index/byCustomer"
    assert gsi["Projection"] == {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["total"]}
    assert desc["LocalSecondaryIndexes"][0]["Projection"] == {"ProjectionType": "KEYS_ONLY"}

    c.get_waiter("table_exists").wait(TableName="Orders", WaiterConfig={"Delay": 0.1, "MaxAttempts": 20})
    code, message = error_of(c.create_table, **{
        "TableName": "Orders",
        "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
        "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
        "BillingMode": "PAY_PER_REQUEST",
    })
    assert (code, message) == ("ResourceInUseException", "Table already exists: Orders")

    c.put_item(TableName="Orders", Item={"id": {"S": "o1"}, "at": {"N": "1"}, "cust": {"S": "ann"}, "total": {"N": "12"}})
    c.put_item(TableName="Orders", Item={"id": {"S": "o2"}, "at": {"N": "2"}})
    described = c.describe_table(TableName="Orders")["Table"]
    assert described["ItemCount"] == 2
    assert described["TableSizeBytes"] > 0
    assert described["GlobalSecondaryIndexes"][0]["ItemCount"] == 1
    assert isinstance(described["CreationDateTime"].timestamp(), float)

    for name in ("Zeta", "Alpha", "Mid"):
        c.create_table(
            TableName=name,
            AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "B"}],
            KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}],
            ProvisionedThroughput={"ReadCapacityUnits": 3, "WriteCapacityUnits": 4},
        )
    assert c.list_tables()["TableNames"] == ["Alpha", "Mid", "Orders", "Zeta"]
    page = c.list_tables(Limit=2)
    assert page["TableNames"] == ["Alpha", "Mid"] and page["LastEvaluatedTableName"] == "Mid"
    page = c.list_tables(Limit=2, ExclusiveStartTableName="Mid")
    assert page["TableNames"] == ["Orders", "Zeta"]
    assert "LastEvaluatedTableName" not in page
    # The paginator follows LastEvaluatedTableName.
    names = [n for p in c.get_paginator("list_tables").paginate(PaginationConfig={"PageSize": 1}) for n in p["TableNames"]]
    assert names == ["Alpha", "Mid", "Orders", "Zeta"]
    alpha = c.describe_table(TableName="Alpha")["Table"]
    assert alpha["ProvisionedThroughput"]["ReadCapacityUnits"] == 3
    assert alpha["ProvisionedThroughput"]["NumberOfDecreasesToday"] == 0

    deleted = c.delete_table(TableName="Orders")["TableDescription"]
    assert deleted["TableName"] == "Orders"
    code, message = error_of(c.describe_table, TableName="Orders")
    assert (code, message) == ("ResourceNotFoundException", "Requested resource not found: Table: Orders not found")
    code, _ = error_of(c.get_item, TableName="Orders", Key={"id": {"S": "o1"}, "at": {"N": "1"}})
    assert code == "ResourceNotFoundException"
    # A new table of the same name starts empty.
    create_orders(c)
    assert c.scan(TableName="Orders")["Count"] == 0
    assert c.describe_table(TableName="Orders")["Table"]["ItemCount"] == 0


def test_create_table_validation(dynamodb_client):
    c = dynamodb_client
    code, message = error_of(c.create_table, **{
        "TableName": "Tbl",
        "AttributeDefinitions": [
            {"AttributeName": "a", "AttributeType": "S"},
            {"AttributeName": "b", "AttributeType": "S"},
        ],
        "KeySchema": [{"AttributeName": "a", "KeyType": "HASH"}],
        "BillingMode": "PAY_PER_REQUEST",
    })
    assert code == "ValidationException"
    assert message == (
        "One or more parameter values were invalid: Number of attributes in KeySchema does not exactly match "
        "number of attributes defined in AttributeDefinitions"
    )
    code, message = error_of(c.create_table, **{
        "TableName": "Tbl",
        "AttributeDefinitions": [{"AttributeName": "a", "AttributeType": "S"}],
        "KeySchema": [{"AttributeName": "a", "KeyType": "HASH"}],
        "BillingMode": "PROVISIONED",
    })
    assert message == (
        "One or more parameter values were invalid: ReadCapacityUnits and WriteCapacityUnits must both be "
        "specified when BillingMode is PROVISIONED"
    )
    code, message = error_of(c.create_table, **{
        "TableName": "Tbl",
        "AttributeDefinitions": [{"AttributeName": "a", "AttributeType": "S"}, {"AttributeName": "g", "AttributeType": "S"}],
        "KeySchema": [{"AttributeName": "a", "KeyType": "HASH"}],
        "BillingMode": "PAY_PER_REQUEST",
        "GlobalSecondaryIndexes": [
            {"IndexName": "g%d" % i + "xx", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
             "Projection": {"ProjectionType": "KEYS_ONLY"}}
            for i in range(21)
        ],
    })
    assert message == "One or more parameter values were invalid: GlobalSecondaryIndex count exceeds the per-table limit of 20"
    assert c.list_tables()["TableNames"] == []


def test_update_table_indexes_and_capacity(dynamodb_client):
    c = dynamodb_client
    c.create_table(
        TableName="Events",
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        ProvisionedThroughput={"ReadCapacityUnits": 5, "WriteCapacityUnits": 5},
    )
    for i in range(30):
        item = {"id": {"S": f"e{i}"}, "n": {"N": str(i)}}
        if i % 3 == 0:
            item["kind"] = {"S": f"k{i % 2}"}
        c.put_item(TableName="Events", Item=item)

    # A new GSI is backfilled from the items already there (sparse: only items with "kind").
    desc = c.update_table(
        TableName="Events",
        AttributeDefinitions=[{"AttributeName": "kind", "AttributeType": "S"}, {"AttributeName": "n", "AttributeType": "N"}],
        GlobalSecondaryIndexUpdates=[{"Create": {
            "IndexName": "byKind",
            "KeySchema": [{"AttributeName": "kind", "KeyType": "HASH"}, {"AttributeName": "n", "KeyType": "RANGE"}],
            "Projection": {"ProjectionType": "ALL"},
            "ProvisionedThroughput": {"ReadCapacityUnits": 1, "WriteCapacityUnits": 1},
        }}],
    )["TableDescription"]
    assert [g["IndexName"] for g in desc["GlobalSecondaryIndexes"]] == ["byKind"]
    assert {a["AttributeName"] for a in desc["AttributeDefinitions"]} == {"id", "kind", "n"}
    got = c.query(TableName="Events", IndexName="byKind", KeyConditionExpression="kind = :k",
                  ExpressionAttributeValues={":k": {"S": "k0"}})
    assert [int(i["n"]["N"]) for i in got["Items"]] == [0, 6, 12, 18, 24]
    assert c.describe_table(TableName="Events")["Table"]["GlobalSecondaryIndexes"][0]["ItemCount"] == 10
    # New writes are indexed too.
    c.put_item(TableName="Events", Item={"id": {"S": "new"}, "n": {"N": "100"}, "kind": {"S": "k0"}})
    got = c.query(TableName="Events", IndexName="byKind", KeyConditionExpression="kind = :k",
                  ExpressionAttributeValues={":k": {"S": "k0"}}, ScanIndexForward=False, Limit=1)
    assert got["Items"][0]["id"] == {"S": "new"}

    code, message = error_of(c.update_table, TableName="Events",
                             ProvisionedThroughput={"ReadCapacityUnits": 5, "WriteCapacityUnits": 5})
    assert code == "ValidationException" and message.startswith("The provisioned throughput for the table will not change.")
    pt = c.update_table(TableName="Events",
                        ProvisionedThroughput={"ReadCapacityUnits": 2, "WriteCapacityUnits": 8})["TableDescription"][
        "ProvisionedThroughput"]
    assert (pt["ReadCapacityUnits"], pt["WriteCapacityUnits"], pt["NumberOfDecreasesToday"]) == (2, 8, 1)

    desc = c.update_table(TableName="Events", BillingMode="PAY_PER_REQUEST")["TableDescription"]
    assert desc["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    assert desc["ProvisionedThroughput"]["ReadCapacityUnits"] == 0

    desc = c.update_table(TableName="Events",
                          GlobalSecondaryIndexUpdates=[{"Delete": {"IndexName": "byKind"}}])["TableDescription"]
    assert "GlobalSecondaryIndexes" not in desc
    assert [a["AttributeName"] for a in desc["AttributeDefinitions"]] == ["id"]
    code, _ = error_of(c.query, TableName="Events", IndexName="byKind", KeyConditionExpression="kind = :k",
                       ExpressionAttributeValues={":k": {"S": "k0"}})
    assert code == "ValidationException"
    assert c.scan(TableName="Events", Select="COUNT")["Count"] == 31


def test_time_to_live_expires_items(portico_factory, monkeypatch):
    monkeypatch.setenv("PORTICO_TTL_INTERVAL_MS", "100")
    server = portico_factory(fsync=False)
    c = dynamodb_client_for(server)
    c.create_table(
        TableName="Sessions",
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}, {"AttributeName": "user", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        GlobalSecondaryIndexes=[{"IndexName": "byUser", "KeySchema": [{"AttributeName": "user", "KeyType": "HASH"}],
                                 "Projection": {"ProjectionType": "KEYS_ONLY"}}],
        BillingMode="PAY_PER_REQUEST",
    )
    assert c.describe_time_to_live(TableName="Sessions")["TimeToLiveDescription"] == {"TimeToLiveStatus": "DISABLED"}
    spec = c.update_time_to_live(TableName="Sessions",
                                 TimeToLiveSpecification={"Enabled": True, "AttributeName": "expires"})
    assert spec["TimeToLiveSpecification"] == {"Enabled": True, "AttributeName": "expires"}
    assert c.describe_time_to_live(TableName="Sessions")["TimeToLiveDescription"] == {
        "TimeToLiveStatus": "ENABLED", "AttributeName": "expires"}
    code, message = error_of(c.update_time_to_live, TableName="Sessions",
                             TimeToLiveSpecification={"Enabled": True, "AttributeName": "expires"})
    assert (code, message) == ("ValidationException", "TimeToLive is already enabled")

    now = int(time.time())
    c.put_item(TableName="Sessions", Item={"id": {"S": "old"}, "user": {"S": "u"}, "expires": {"N": str(now - 60)}})
    c.put_item(TableName="Sessions", Item={"id": {"S": "live"}, "user": {"S": "u"}, "expires": {"N": str(now + 3600)}})
    c.put_item(TableName="Sessions", Item={"id": {"S": "text"}, "user": {"S": "u"}, "expires": {"S": str(now - 60)}})
    c.put_item(TableName="Sessions", Item={"id": {"S": "ancient"}, "expires": {"N": str(now - 6 * 366 * 86400)}})
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if "Item" not in c.get_item(TableName="Sessions", Key={"id": {"S": "old"}}):
            break
        time.sleep(0.1)
    assert "Item" not in c.get_item(TableName="Sessions", Key={"id": {"S": "old"}})
    ids = sorted(i["id"]["S"] for i in c.scan(TableName="Sessions")["Items"])
    assert ids == ["ancient", "live", "text"]
    users = c.query(TableName="Sessions", IndexName="byUser", KeyConditionExpression="#u = :u",
                    ExpressionAttributeNames={"#u": "user"}, ExpressionAttributeValues={":u": {"S": "u"}})
    assert sorted(i["id"]["S"] for i in users["Items"]) == ["live", "text"]

    c.update_time_to_live(TableName="Sessions", TimeToLiveSpecification={"Enabled": False, "AttributeName": "expires"})
    assert c.describe_time_to_live(TableName="Sessions")["TimeToLiveDescription"]["TimeToLiveStatus"] == "DISABLED"
    code, message = error_of(c.update_time_to_live, TableName="Sessions",
                             TimeToLiveSpecification={"Enabled": False, "AttributeName": "expires"})
    assert (code, message) == ("ValidationException", "TimeToLive is already disabled")


def test_tables_survive_a_restart(portico_factory, tmp_path):
    data = tmp_path / "data"
    server = portico_factory(data_dir=data)
    c = dynamodb_client_for(server)
    create_orders(c, Tags=[{"Key": "team", "Value": "store"}])
    c.update_time_to_live(TableName="Orders", TimeToLiveSpecification={"Enabled": True, "AttributeName": "ttl"})
    before = c.describe_table(TableName="Orders")["Table"]
    assert server.stop() == 0
    server = portico_factory(data_dir=data)
    c = dynamodb_client_for(server)
    after = c.describe_table(TableName="Orders")["Table"]
    for field in ("TableId", "TableArn", "KeySchema", "AttributeDefinitions", "CreationDateTime",
                  "GlobalSecondaryIndexes", "LocalSecondaryIndexes", "BillingModeSummary"):
        assert after[field] == before[field], field
    assert c.describe_time_to_live(TableName="Orders")["TimeToLiveDescription"]["TimeToLiveStatus"] == "ENABLED"
    assert c.list_tags_of_resource(ResourceArn=after["TableArn"])["Tags"] == [{"Key": "team", "Value": "store"}]
