"""BatchGetItem, BatchWriteItem, TransactWriteItems and TransactGetItems through boto3."""
import pytest

from items_helpers import assert_error, client_error, create_table


@pytest.fixture
def tables(dynamodb_client):
    create_table(dynamodb_client, "Users")
    create_table(dynamodb_client, "Orders", range_key=("n", "N"))
    return "Users", "Orders"


def test_batch_write_then_batch_get(dynamodb_client, tables):
    users, orders = tables
    r = dynamodb_client.batch_write_item(RequestItems={
        users: [{"PutRequest": {"Item": {"pk": {"S": f"u{i}"}, "age": {"N": str(20 + i)}}}} for i in range(20)],
        orders: [{"PutRequest": {"Item": {"pk": {"S": "u1"}, "n": {"N": str(i)}}}} for i in range(5)],
    }, ReturnConsumedCapacity="TOTAL")
    assert r["UnprocessedItems"] == {}
    assert sorted(c["TableName"] for c in r["ConsumedCapacity"]) == sorted([users, orders])
    assert {c["TableName"]: c["CapacityUnits"] for c in r["ConsumedCapacity"]} == {users: 20.0, orders: 5.0}
    r = dynamodb_client.batch_get_item(RequestItems={
        users: {"Keys": [{"pk": {"S": f"u{i}"}} for i in range(0, 20, 2)] + [{"pk": {"S": "ghost"}}],
                "ProjectionExpression": "age"},
        orders: {"Keys": [{"pk": {"S": "u1"}, "n": {"N": "3"}}], "ConsistentRead": True},
    })
    assert r["UnprocessedKeys"] == {}
    assert sorted(int(i["age"]["N"]) for i in r["Responses"][users]) == list(range(20, 40, 2))
    assert r["Responses"][orders] == [{"pk": {"S": "u1"}, "n": {"N": "3"}}]
    dynamodb_client.batch_write_item(RequestItems={users: [{"DeleteRequest": {"Key": {"pk": {"S": "u0"}}}}]})
    assert "Item" not in dynamodb_client.get_item(TableName=users, Key={"pk": {"S": "u0"}})


def test_batch_limits_and_duplicates(dynamodb_client, tables):
    users, _ = tables
    r = client_error(dynamodb_client.batch_write_item, RequestItems={
        users: [{"PutRequest": {"Item": {"pk": {"S": f"u{i}"}}}} for i in range(26)]})
    assert_error(r, "ValidationException")
    assert "Member must have length less than or equal to 25" in r["Error"]["Message"]
    r = client_error(dynamodb_client.batch_write_item, RequestItems={users: [
        {"PutRequest": {"Item": {"pk": {"S": "d"}}}}, {"DeleteRequest": {"Key": {"pk": {"S": "d"}}}}]})
    assert_error(r, "ValidationException", "Provided list of item keys contains duplicates")
    r = client_error(dynamodb_client.batch_get_item, RequestItems={
        users: {"Keys": [{"pk": {"S": "a"}}, {"pk": {"S": "a"}}]}})
    assert_error(r, "ValidationException", "Provided list of item keys contains duplicates")
    r = client_error(dynamodb_client.batch_get_item, RequestItems={
        users: {"Keys": [{"pk": {"S": f"k{i}"}} for i in range(60)]},
        "Orders": {"Keys": [{"pk": {"S": f"k{i}"}, "n": {"N": "1"}} for i in range(41)]}})
    assert_error(r, "ValidationException", "Too many items requested for the BatchGetItem call")
    r = client_error(dynamodb_client.batch_write_item, RequestItems={
        "Missing": [{"PutRequest": {"Item": {"pk": {"S": "x"}}}}]})
    assert_error(r, "ResourceNotFoundException", "Requested resource not found")
    r = client_error(dynamodb_client.batch_write_item, RequestItems={
        users: [{"PutRequest": {"Item": {"pk": {"N": "5"}}}}]})
    assert_error(r, "ValidationException", "The provided key element does not match the schema")
    # nothing of the rejected batches was written
    assert "Item" not in dynamodb_client.get_item(TableName=users, Key={"pk": {"S": "u1"}})


def test_transaction_commits_every_action(dynamodb_client, tables):
    users, orders = tables
    dynamodb_client.put_item(TableName=users, Item={"pk": {"S": "ann"}, "balance": {"N": "10"}})
    dynamodb_client.put_item(TableName=users, Item={"pk": {"S": "old"}})
    dynamodb_client.transact_write_items(TransactItems=[
        {"ConditionCheck": {"TableName": users, "Key": {"pk": {"S": "ann"}},
                            "ConditionExpression": "balance >= :p", "ExpressionAttributeValues": {":p": {"N": "4"}}}},
        {"Put": {"TableName": orders, "Item": {"pk": {"S": "ann"}, "n": {"N": "1"}, "price": {"N": "4"}},
                 "ConditionExpression": "attribute_not_exists(pk)"}},
        {"Update": {"TableName": users, "Key": {"pk": {"S": "bob"}}, "UpdateExpression": "ADD orders :one",
                    "ExpressionAttributeValues": {":one": {"N": "1"}}}},
        {"Delete": {"TableName": users, "Key": {"pk": {"S": "old"}}}},
    ])
    assert dynamodb_client.get_item(TableName=orders, Key={"pk": {"S": "ann"}, "n": {"N": "1"}})["Item"]["price"] == {
        "N": "4"}
    assert dynamodb_client.get_item(TableName=users, Key={"pk": {"S": "bob"}})["Item"]["orders"] == {"N": "1"}
    assert "Item" not in dynamodb_client.get_item(TableName=users, Key={"pk": {"S": "old"}})


def test_transaction_cancelled_changes_nothing(dynamodb_client, tables):
    users, _ = tables
    dynamodb_client.put_item(TableName=users, Item={"pk": {"S": "ann"}, "balance": {"N": "1"}})
    r = client_error(dynamodb_client.transact_write_items, TransactItems=[
        {"Put": {"TableName": users, "Item": {"pk": {"S": "new"}}}},
        {"Update": {"TableName": users, "Key": {"pk": {"S": "ann"}}, "UpdateExpression": "SET balance = :z",
                    "ConditionExpression": "balance > :z", "ExpressionAttributeValues": {":z": {"N": "5"}},
                    "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}},
    ])
    assert_error(r, "TransactionCanceledException",
                 "Transaction cancelled, please refer cancellation reasons for specific reasons "
                 "[None, ConditionalCheckFailed]")
    reasons = r["CancellationReasons"]
    assert reasons[0] == {"Code": "None"}
    assert reasons[1]["Code"] == "ConditionalCheckFailed"
    assert reasons[1]["Message"] == "The conditional request failed"
    assert reasons[1]["Item"] == {"pk": {"S": "ann"}, "balance": {"N": "1"}}
    assert "Item" not in dynamodb_client.get_item(TableName=users, Key={"pk": {"S": "new"}})
    r = client_error(dynamodb_client.transact_write_items, TransactItems=[
        {"Put": {"TableName": users, "Item": {"pk": {"S": "x"}}}},
        {"Delete": {"TableName": users, "Key": {"pk": {"S": "x"}}}},
    ])
    assert_error(r, "ValidationException", "Transaction request cannot include multiple operations on one item")


def test_client_request_token_is_idempotent(dynamodb_client, tables):
    users, _ = tables
    request = dict(TransactItems=[{"Update": {"TableName": users, "Key": {"pk": {"S": "ctr"}},
                                              "UpdateExpression": "ADD n :one",
                                              "ExpressionAttributeValues": {":one": {"N": "1"}}}}],
                   ClientRequestToken="token-1")
    dynamodb_client.transact_write_items(**request)
    dynamodb_client.transact_write_items(**request)
    assert dynamodb_client.get_item(TableName=users, Key={"pk": {"S": "ctr"}})["Item"]["n"] == {"N": "1"}
    request["TransactItems"][0]["Update"]["ExpressionAttributeValues"][":one"] = {"N": "2"}
    r = client_error(dynamodb_client.transact_write_items, **request)
    assert_error(r, "IdempotentParameterMismatchException")
    request["ClientRequestToken"] = "token-2"
    dynamodb_client.transact_write_items(**request)
    assert dynamodb_client.get_item(TableName=users, Key={"pk": {"S": "ctr"}})["Item"]["n"] == {"N": "3"}


def test_transact_get_items(dynamodb_client, tables):
    users, orders = tables
    dynamodb_client.put_item(TableName=users, Item={"pk": {"S": "ann"}, "a": {"S": "1"}, "b": {"S": "2"}})
    dynamodb_client.put_item(TableName=orders, Item={"pk": {"S": "ann"}, "n": {"N": "7"}})
    r = dynamodb_client.transact_get_items(TransactItems=[
        {"Get": {"TableName": orders, "Key": {"pk": {"S": "ann"}, "n": {"N": "7"}}}},
        {"Get": {"TableName": users, "Key": {"pk": {"S": "nobody"}}}},
        {"Get": {"TableName": users, "Key": {"pk": {"S": "ann"}}, "ProjectionExpression": "#b",
                 "ExpressionAttributeNames": {"#b": "b"}}},
    ])
    assert r["Responses"] == [{"Item": {"pk": {"S": "ann"}, "n": {"N": "7"}}}, {}, {"Item": {"b": {"S": "2"}}}]


def test_resource_batch_writer(dynamodb_resource, tables):
    users, _ = tables
    t = dynamodb_resource.Table(users)
    with t.batch_writer() as w:
        for i in range(60):
            w.put_item(Item={"pk": f"bw{i}", "i": i})
    assert t.scan(Select="COUNT")["Count"] == 60
