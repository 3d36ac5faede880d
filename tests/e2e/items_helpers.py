"""Helpers shared by the item-operation tests: tables with the usual shapes, error assertions."""
import pytest
from botocore.exceptions import ClientError


def create_table(client, name, hash_key=("pk", "S"), range_key=None, gsis=(), lsis=(), extra_attrs=()):
    """Creates an on-demand table. gsis / lsis: (name, hash, range or None, projection dict)."""
    attrs = {hash_key[0]: hash_key[1]}
    schema = [{"AttributeName": hash_key[0], "KeyType": "HASH"}]
    if range_key:
        attrs[range_key[0]] = range_key[1]
        schema.append({"AttributeName": range_key[0], "KeyType": "RANGE"})
    for a in extra_attrs:
        attrs[a[0]] = a[1]
    kwargs = {}

    def index_list(indexes):
        out = []
        for iname, ih, ir, proj in indexes:
            attrs[ih[0]] = ih[1]
            ks = [{"AttributeName": ih[0], "KeyType": "HASH"}]
            if ir:
                attrs[ir[0]] = ir[1]
                ks.append({"AttributeName": ir[0], "KeyType": "RANGE"})
            out.append({"IndexName": iname, "KeySchema": ks, "Projection": proj})
        return out

    if gsis:
        kwargs["GlobalSecondaryIndexes"] = index_list(gsis)
    if lsis:
        kwargs["LocalSecondaryIndexes"] = index_list(lsis)
    client.create_table(
        TableName=name,
        KeySchema=schema,
        AttributeDefinitions=[{"AttributeName": k, "AttributeType": v} for k, v in attrs.items()],
        BillingMode="PAY_PER_REQUEST",
        **kwargs,
    )
    client.get_waiter("table_exists").wait(TableName=name, WaiterConfig={"Delay": 0.1, "MaxAttempts": 100})
    return name


def client_error(fn, *args, **kwargs):
    """Runs fn and returns the ClientError's response (asserts one is raised)."""
    with pytest.raises(ClientError) as info:
        fn(*args, **kwargs)
    return info.value.response


def assert_error(response, code, message=None):
    assert response["Error"]["Code"] == code, response["Error"]
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 400
    if message is not None:
        assert response["Error"]["Message"] == message, response["Error"]["Message"]


AUTH = (
    "AWS4-HMAC-SHA256 Credential=AKIDPORTICOTEST/20240101/us-east-1/dynamodb/aws4_request, "
    "SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=0123abcd"
)


def raw_call(server, operation, body):
    """POSTs one operation as JSON, for parameters newer than Debian's botocore knows
    (ReturnValuesOnConditionCheckFailure on single-item writes). Returns (status, parsed body)."""
    import json

    import requests

    r = requests.post(server.dynamodb_url + "/", data=json.dumps(body), timeout=30, headers={
        "X-Amz-Target": f"DynamoDB_20120810.{operation}",
        "Content-Type": "application/x-amz-json-1.0",
        "Authorization": AUTH,
        "X-Amz-Date": "20240101T000000Z",
    })
    return r.status_code, r.json()
