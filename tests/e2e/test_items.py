"""PutItem, GetItem, UpdateItem, DeleteItem through boto3 (client and resource layers), compared
with what DynamoDB documents and answers."""
from decimal import Decimal

import pytest
from boto3.dynamodb.conditions import Attr

from items_helpers import assert_error, client_error, create_table, raw_call

ALL_TYPES = {
    "pk": {"S": "all"},
    "s": {"S": "héllo"},
    "n": {"N": "12.5"},
    "b": {"B": b"\x00\x01\xff"},
    "t": {"BOOL": True},
    "f": {"BOOL": False},
    "z": {"NULL": True},
    "m": {"M": {"inner": {"S": "x"}, "deep": {"M": {"n": {"N": "1"}}}}},
    "l": {"L": [{"S": "a"}, {"N": "2"}, {"L": []}, {"M": {}}]},
    "ss": {"SS": ["a", "b"]},
    "ns": {"NS": ["1", "2.5"]},
    "bs": {"BS": [b"x", b"y"]},
    "empty": {"S": ""},
}


@pytest.fixture
def table(dynamodb_client):
    return create_table(dynamodb_client, "Items")


def test_every_type_round_trips(dynamodb_client, table):
    dynamodb_client.put_item(TableName=table, Item=ALL_TYPES)
    item = dynamodb_client.get_item(TableName=table, Key={"pk": {"S": "all"}}, ConsistentRead=True)["Item"]
    expected = dict(ALL_TYPES)
    got_sets = {k: sorted(item[k][t]) for k, t in (("ss", "SS"), ("ns", "NS"), ("bs", "BS"))}
    assert got_sets == {"ss": ["a", "b"], "ns": ["1", "2.5"], "bs": [b"x", b"y"]}
    for k in ("ss", "ns", "bs"):
        del item[k]
        del expected[k]
    assert item == expected


@pytest.mark.parametrize(
    "given,canonical",
    [("1.50", "1.5"), ("-0", "0"), ("1e3", "1000"), ("0.000100", "0.0001"), ("+7", "7"), ("-1.2E-2", "-0.012")],
)
def test_numbers_come_back_canonical(dynamodb_client, table, given, canonical):
    dynamodb_client.put_item(TableName=table, Item={"pk": {"S": "n"}, "v": {"N": given}, "s": {"NS": [given]}})
    item = dynamodb_client.get_item(TableName=table, Key={"pk": {"S": "n"}})["Item"]
    assert item["v"] == {"N": canonical}
    assert item["s"] == {"NS": [canonical]}


def test_missing_item_gives_empty_response(dynamodb_client, table):
    r = dynamodb_client.get_item(TableName=table, Key={"pk": {"S": "nothing"}})
    assert "Item" not in r


def test_missing_table(dynamodb_client):
    r = client_error(dynamodb_client.get_item, TableName="NoSuchTable", Key={"pk": {"S": "a"}})
    assert_error(r, "ResourceNotFoundException", "Requested resource not found")
    r = client_error(dynamodb_client.put_item, TableName="NoSuchTable", Item={"pk": {"S": "a"}})
    assert_error(r, "ResourceNotFoundException", "Requested resource not found")


def test_key_must_match_schema(dynamodb_client, table):
    r = client_error(dynamodb_client.get_item, TableName=table, Key={"pk": {"N": "1"}})
    assert_error(r, "ValidationException", "The provided key element does not match the schema")
    r = client_error(dynamodb_client.put_item, TableName=table, Item={"other": {"S": "x"}})
    assert_error(r, "ValidationException", "One or more parameter values were invalid: Missing the key pk in the item")


def test_projection_and_attributes_to_get(dynamodb_client, table):
    dynamodb_client.put_item(TableName=table, Item=ALL_TYPES)
    r = dynamodb_client.get_item(
        TableName=table,
        Key={"pk": {"S": "all"}},
        ProjectionExpression="#s, m.deep.n, l[1]",
        ExpressionAttributeNames={"#s": "s"},
    )
    assert r["Item"] == {"s": {"S": "héllo"}, "m": {"M": {"deep": {"M": {"n": {"N": "1"}}}}}, "l": {"L": [{"N": "2"}]}}
    r = dynamodb_client.get_item(TableName=table, Key={"pk": {"S": "all"}}, AttributesToGet=["n", "t"])
    assert r["Item"] == {"n": {"N": "12.5"}, "t": {"BOOL": True}}
    r = client_error(
        dynamodb_client.get_item,
        TableName=table,
        Key={"pk": {"S": "all"}},
        AttributesToGet=["n"],
        ProjectionExpression="n",
    )
    assert_error(
        r,
        "ValidationException",
        "Can not use both expression and non-expression parameters in the same request: "
        "Non-expression parameters: {AttributesToGet} Expression parameters: {ProjectionExpression}",
    )


def test_condition_expression_and_return_values(portico_server, dynamodb_client, table):
    item = {"pk": {"S": "c"}, "v": {"N": "1"}}
    r = dynamodb_client.put_item(TableName=table, Item=item, ConditionExpression="attribute_not_exists(pk)",
                                 ReturnValues="ALL_OLD")
    assert "Attributes" not in r
    r = client_error(dynamodb_client.put_item, TableName=table, Item={"pk": {"S": "c"}, "v": {"N": "2"}},
                     ConditionExpression="attribute_not_exists(pk)")
    assert_error(r, "ConditionalCheckFailedException", "The conditional request failed")
    assert "Item" not in r
    status, body = raw_call(portico_server, "PutItem", {
        "TableName": table, "Item": {"pk": {"S": "c"}, "v": {"N": "2"}}, "ConditionExpression": "v = :two",
        "ExpressionAttributeValues": {":two": {"N": "2"}}, "ReturnValuesOnConditionCheckFailure": "ALL_OLD"})
    assert status == 400
    assert body["__type"] == "com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException"
    assert body["message"] == "The conditional request failed"
    assert body["Item"] == item
    # the failed writes changed nothing
    assert dynamodb_client.get_item(TableName=table, Key={"pk": {"S": "c"}})["Item"] == item
    r = dynamodb_client.put_item(TableName=table, Item={"pk": {"S": "c"}, "v": {"N": "3"}},
                                 ConditionExpression="v = :one", ExpressionAttributeValues={":one": {"N": "1"}},
                                 ReturnValues="ALL_OLD")
    assert r["Attributes"] == item
    r = client_error(dynamodb_client.put_item, TableName=table, Item=item, ReturnValues="ALL_NEW")
    assert_error(r, "ValidationException", "ReturnValues can only be ALL_OLD or NONE")
    r = dynamodb_client.delete_item(TableName=table, Key={"pk": {"S": "c"}}, ReturnValues="ALL_OLD")
    assert r["Attributes"] == {"pk": {"S": "c"}, "v": {"N": "3"}}
    assert "Item" not in dynamodb_client.get_item(TableName=table, Key={"pk": {"S": "c"}})
    r = client_error(dynamodb_client.delete_item, TableName=table, Key={"pk": {"S": "c"}},
                     ConditionExpression="attribute_exists(pk)")
    assert_error(r, "ConditionalCheckFailedException", "The conditional request failed")


def test_update_item_actions_and_return_values(dynamodb_client, table):
    key = {"pk": {"S": "u"}}
    r = dynamodb_client.update_item(
        TableName=table, Key=key, UpdateExpression="SET a = :a, n = :n ADD s :s",
        ExpressionAttributeValues={":a": {"S": "x"}, ":n": {"N": "10"}, ":s": {"SS": ["p"]}}, ReturnValues="ALL_NEW")
    assert r["Attributes"] == {"pk": {"S": "u"}, "a": {"S": "x"}, "n": {"N": "10"}, "s": {"SS": ["p"]}}
    r = dynamodb_client.update_item(
        TableName=table, Key=key, UpdateExpression="SET n = n + :d REMOVE a",
        ExpressionAttributeValues={":d": {"N": "0.5"}}, ReturnValues="UPDATED_OLD")
    assert r["Attributes"] == {"n": {"N": "10"}, "a": {"S": "x"}}
    r = dynamodb_client.update_item(TableName=table, Key=key, UpdateExpression="ADD n :d",
                                    ExpressionAttributeValues={":d": {"N": "-20.5"}}, ReturnValues="UPDATED_NEW")
    assert r["Attributes"] == {"n": {"N": "-10"}}
    r = dynamodb_client.update_item(TableName=table, Key=key, UpdateExpression="DELETE s :s",
                                    ExpressionAttributeValues={":s": {"SS": ["p"]}}, ReturnValues="ALL_OLD")
    assert r["Attributes"] == {"pk": {"S": "u"}, "n": {"N": "-10"}, "s": {"SS": ["p"]}}
    assert dynamodb_client.get_item(TableName=table, Key=key)["Item"] == {"pk": {"S": "u"}, "n": {"N": "-10"}}
    r = client_error(dynamodb_client.update_item, TableName=table, Key=key, UpdateExpression="SET pk = :v",
                     ExpressionAttributeValues={":v": {"S": "other"}})
    assert_error(r, "ValidationException",
                 "One or more parameter values were invalid: Cannot update attribute pk. This attribute is part of the key")
    r = client_error(dynamodb_client.update_item, TableName=table, Key=key, UpdateExpression="SET a = :v",
                     ConditionExpression="n > :v", ExpressionAttributeValues={":v": {"N": "0"}})
    assert_error(r, "ConditionalCheckFailedException", "The conditional request failed")


def test_legacy_expected_and_attribute_updates(dynamodb_client, table):
    key = {"pk": {"S": "legacy"}}
    dynamodb_client.update_item(TableName=table, Key=key, AttributeUpdates={
        "count": {"Action": "ADD", "Value": {"N": "2"}},
        "name": {"Action": "PUT", "Value": {"S": "ann"}},
        "tags": {"Action": "ADD", "Value": {"L": [{"S": "t1"}]}},
    })
    dynamodb_client.update_item(TableName=table, Key=key, AttributeUpdates={
        "count": {"Action": "ADD", "Value": {"N": "3"}},
        "tags": {"Action": "ADD", "Value": {"L": [{"S": "t2"}]}},
        "name": {"Action": "DELETE"},
    }, Expected={"count": {"Value": {"N": "2"}}, "name": {"Exists": True, "Value": {"S": "ann"}}})
    item = dynamodb_client.get_item(TableName=table, Key=key)["Item"]
    assert item == {"pk": {"S": "legacy"}, "count": {"N": "5"}, "tags": {"L": [{"S": "t1"}, {"S": "t2"}]}}
    r = client_error(dynamodb_client.put_item, TableName=table, Item=key, Expected={"count": {"Exists": False}})
    assert_error(r, "ConditionalCheckFailedException", "The conditional request failed")
    r = client_error(dynamodb_client.put_item, TableName=table, Item=key,
                     Expected={"count": {"ComparisonOperator": "BETWEEN", "AttributeValueList": [{"N": "1"}]}})
    assert_error(r, "ValidationException",
                 "One or more parameter values were invalid: Invalid number of argument(s) for the BETWEEN "
                 "ComparisonOperator")
    dynamodb_client.put_item(TableName=table, Item=key, ConditionalOperator="OR", Expected={
        "count": {"ComparisonOperator": "GT", "AttributeValueList": [{"N": "100"}]},
        "tags": {"ComparisonOperator": "NOT_NULL"},
    })
    assert dynamodb_client.get_item(TableName=table, Key=key)["Item"] == key


def test_item_size_limit(dynamodb_client, table):
    big = "x" * (400 * 1024)
    r = client_error(dynamodb_client.put_item, TableName=table, Item={"pk": {"S": "big"}, "v": {"S": big}})
    assert_error(r, "ValidationException", "Item size has exceeded the maximum allowed size")
    dynamodb_client.put_item(TableName=table, Item={"pk": {"S": "big"}, "v": {"S": "x" * (300 * 1024)}})
    r = client_error(dynamodb_client.update_item, TableName=table, Key={"pk": {"S": "big"}},
                     UpdateExpression="SET w = :w", ExpressionAttributeValues={":w": {"S": "y" * (150 * 1024)}})
    assert_error(r, "ValidationException", "Item size to update has exceeded the maximum allowed size")


def test_consumed_capacity(dynamodb_client):
    table = create_table(dynamodb_client, "Cap", gsis=[("byG", ("g", "S"), None, {"ProjectionType": "ALL"})])
    r = dynamodb_client.put_item(TableName=table, Item={"pk": {"S": "a"}, "v": {"S": "x" * 1500}},
                                 ReturnConsumedCapacity="TOTAL")
    assert r["ConsumedCapacity"]["TableName"] == table
    assert r["ConsumedCapacity"]["CapacityUnits"] == 2.0
    r = dynamodb_client.put_item(TableName=table, Item={"pk": {"S": "b"}, "g": {"S": "1"}},
                                 ReturnConsumedCapacity="INDEXES")
    c = r["ConsumedCapacity"]
    assert c["CapacityUnits"] == 2.0
    assert c["Table"]["CapacityUnits"] == 1.0
    assert c["GlobalSecondaryIndexes"] == {"byG": {"CapacityUnits": 1.0, "WriteCapacityUnits": 1.0}}
    r = dynamodb_client.get_item(TableName=table, Key={"pk": {"S": "a"}}, ReturnConsumedCapacity="TOTAL")
    assert r["ConsumedCapacity"]["CapacityUnits"] == 0.5
    r = dynamodb_client.get_item(TableName=table, Key={"pk": {"S": "a"}}, ReturnConsumedCapacity="TOTAL",
                                 ConsistentRead=True)
    assert r["ConsumedCapacity"]["CapacityUnits"] == 1.0
    r = dynamodb_client.put_item(TableName=table, Item={"pk": {"S": "a"}}, ReturnConsumedCapacity="NONE")
    assert "ConsumedCapacity" not in r


def test_resource_layer(dynamodb_resource, dynamodb_client):
    create_table(dynamodb_client, "Res", range_key=("sk", "N"))
    t = dynamodb_resource.Table("Res")
    t.put_item(Item={"pk": "p", "sk": 1, "price": Decimal("9.90"), "tags": {"a", "b"}, "doc": {"k": [1, "two"]}})
    item = t.get_item(Key={"pk": "p", "sk": 1})["Item"]
    assert item == {"pk": "p", "sk": Decimal(1), "price": Decimal("9.9"), "tags": {"a", "b"},
                    "doc": {"k": [Decimal(1), "two"]}}
    t.update_item(Key={"pk": "p", "sk": 1}, UpdateExpression="SET price = price + :d",
                  ConditionExpression=Attr("price").lt(10) & Attr("tags").contains("a"),
                  ExpressionAttributeValues={":d": Decimal("0.1")})
    assert t.get_item(Key={"pk": "p", "sk": 1})["Item"]["price"] == Decimal(10)
    with pytest.raises(t.meta.client.exceptions.ConditionalCheckFailedException):
        t.delete_item(Key={"pk": "p", "sk": 1}, ConditionExpression=Attr("price").gt(10))
    t.delete_item(Key={"pk": "p", "sk": 1}, ConditionExpression=Attr("price").eq(10))
    assert "Item" not in t.get_item(Key={"pk": "p", "sk": 1})
