"""DynamoDB's wire protocol front door: what DynamoDB answers before and around an operation."""
import http.client
import json
import re
import socket
import zlib

import pytest
import requests

REQUEST_ID = re.compile(r"^[0-9A-Z]{52}$")
AUTH = (
    "AWS4-HMAC-SHA256 Credential=AKIDPORTICOTEST/20240101/us-east-1/dynamodb/aws4_request, "
    "SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=0123abcd"
)


def call(url, operation=None, body=b"{}", auth=AUTH, content_type="application/x-amz-json-1.0", extra=None,
         method="POST", path="/"):
    headers = {}
    if operation is not None:
        headers["X-Amz-Target"] = f"DynamoDB_20120810.{operation}"
    if auth is not None:
        headers["Authorization"] = auth
        headers["X-Amz-Date"] = "20240101T000000Z"
    if content_type is not None:
        headers["Content-Type"] = content_type
    headers.update(extra or {})
    return requests.request(method, url + path, data=body, headers=headers, timeout=30)


def assert_crc(r):
    assert r.headers["x-amz-crc32"] == str(zlib.crc32(r.content))


def assert_error(r, status, type_, message=None):
    assert r.status_code == status, r.text
    assert REQUEST_ID.match(r.headers["x-amzn-RequestId"])
    assert_crc(r)
    body = r.json()
    assert body["__type"] == type_
    if message is None:
        assert "message" not in body and "Message" not in body
    else:
        assert body["message"] == message


def test_health_check(portico_server):
    r = requests.get(portico_server.dynamodb_url + "/", timeout=10)
    assert r.status_code == 200
    assert r.text == "healthy: dynamodb.us-east-1.amazonaws.com "
    assert r.headers["Content-Length"] == str(len(r.content))
    assert_crc(r)
    assert REQUEST_ID.match(r.headers["x-amzn-RequestId"])
    assert r.headers["Server"] == "Server"


def test_request_ids_differ(portico_server):
    ids = {requests.get(portico_server.dynamodb_url + "/", timeout=10).headers["x-amzn-RequestId"] for _ in range(5)}
    assert len(ids) == 5


def test_missing_authentication_token(portico_server):
    r = call(portico_server.dynamodb_url, "ListTables", auth=None)
    assert_error(r, 400, "com.amazon.coral.service#MissingAuthenticationTokenException",
                 "Request is missing Authentication Token")
    # Same bytes as DynamoDB's, so the same checksum.
    assert r.headers["x-amz-crc32"] == "2088342776"


def test_authorization_that_is_not_sigv4_is_missing_token(portico_server):
    r = call(portico_server.dynamodb_url, "ListTables", auth="AWS4")
    assert_error(r, 400, "com.amazon.coral.service#MissingAuthenticationTokenException",
                 "Request is missing Authentication Token")


def test_incomplete_signature(portico_server):
    r = call(portico_server.dynamodb_url, "ListTables", auth="AWS4-", extra={"X-Amz-Date": None})
    assert_error(
        r, 400, "com.amazon.coral.service#IncompleteSignatureException",
        "Authorization header requires 'Credential' parameter. "
        "Authorization header requires 'Signature' parameter. "
        "Authorization header requires 'SignedHeaders' parameter. "
        "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. "
        "Authorization=AWS4-")


def test_incomplete_signature_one_parameter_missing(portico_server):
    r = call(portico_server.dynamodb_url, "ListTables", auth="AWS4- Signature=b, Credential=a")
    assert_error(r, 400, "com.amazon.coral.service#IncompleteSignatureException",
                 "Authorization header requires 'SignedHeaders' parameter. "
                 "Authorization=AWS4- Signature=b, Credential=a")


def test_credential_scope_must_have_five_parts(portico_server):
    r = call(portico_server.dynamodb_url, "ListTables",
             auth="AWS4-HMAC-SHA256 Credential=a/b/c/d, SignedHeaders=host, Signature=x")
    assert_error(r, 400, "com.amazon.coral.service#IncompleteSignatureException",
                 "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, "
                 "got 'a/b/c/d'")


def test_both_query_and_header_signature(portico_server):
    r = call(portico_server.dynamodb_url, "ListTables", path="/?X-Amz-Algorithm")
    assert_error(r, 400, "com.amazon.coral.service#InvalidSignatureException",
                 "Found both 'X-Amz-Algorithm' as a query-string param and 'Authorization' as HTTP header.")


def test_incomplete_query_signature(portico_server):
    r = call(portico_server.dynamodb_url, "ListTables", auth=None,
             path="/?X-Amz-Algorithm=a&X-Amz-Credential=b&X-Amz-Signature=c&X-Amz-Date=d")
    assert_error(r, 400, "com.amazon.coral.service#IncompleteSignatureException",
                 "AWS query-string parameters must include 'X-Amz-SignedHeaders'. "
                 "Re-examine the query-string parameters.")


def test_bad_json_is_serialization_exception(portico_server):
    r = call(portico_server.dynamodb_url, "ListTables", body=b"{not json")
    assert_error(r, 400, "com.amazon.coral.service#SerializationException")
    assert r.headers["Content-Type"] == "application/x-amz-json-1.0"


def test_bad_json_is_checked_before_target_and_auth(portico_server):
    r = call(portico_server.dynamodb_url, None, body=b"hi", auth=None, content_type="application/json")
    assert_error(r, 400, "com.amazon.coral.service#SerializationException")
    assert r.headers["Content-Type"] == "application/json"


def test_empty_body_is_serialization_exception(portico_server):
    r = call(portico_server.dynamodb_url, "ListTables", body=b"")
    assert_error(r, 400, "com.amazon.coral.service#SerializationException")


def test_unknown_operation(portico_server):
    r = call(portico_server.dynamodb_url, "ListTable", auth=None)
    assert_error(r, 400, "com.amazon.coral.service#UnknownOperationException")
    r = call(portico_server.dynamodb_url, None, extra={"X-Amz-Target": "whatever"})
    assert_error(r, 400, "com.amazon.coral.service#UnknownOperationException")
    r = call(portico_server.dynamodb_url, None)
    assert_error(r, 400, "com.amazon.coral.service#UnknownOperationException")


def test_list_tables_answer_has_checksum_and_id(portico_server):
    r = call(portico_server.dynamodb_url, "ListTables")
    assert r.status_code == 200, r.text
    assert r.headers["Content-Type"] == "application/x-amz-json-1.0"
    assert REQUEST_ID.match(r.headers["x-amzn-RequestId"])
    assert_crc(r)
    assert isinstance(r.json()["TableNames"], list)


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH", "OPTIONS"])
def test_other_methods_are_not_found(portico_server, method):
    r = call(portico_server.dynamodb_url, "ListTables", method=method)
    assert r.status_code == 404
    assert r.text == "<UnknownOperationException/>\n"
    assert r.headers["x-amz-crc32"] == "3552371480"
    assert REQUEST_ID.match(r.headers["x-amzn-RequestId"])


@pytest.mark.parametrize("ctype", [None, "whatever", "application/x-amz-json-1.1", "application/jsonasdf"])
def test_body_with_wrong_content_type_is_not_found(portico_server, ctype):
    r = call(portico_server.dynamodb_url, "ListTables", body=b"hi", content_type=ctype)
    assert r.status_code == 404
    assert r.text == "<UnknownOperationException/>\n"


def test_cors_preflight(portico_server):
    r = requests.options(portico_server.dynamodb_url + "/", timeout=10,
                         headers={"Origin": "http://x", "Access-Control-Request-Headers": "a, b",
                                  "Access-Control-Request-Method": "POST"})
    assert r.status_code == 200
    assert r.headers["Access-Control-Allow-Origin"] == "*"
    assert r.headers["Access-Control-Allow-Headers"] == "a, b"
    assert r.headers["Access-Control-Allow-Methods"] == "POST"
    assert r.headers["Access-Control-Max-Age"] == "172800"
    assert r.content == b""


def test_keep_alive_serves_many_requests_on_one_connection(portico_server):
    conn = http.client.HTTPConnection("127.0.0.1", portico_server.dynamodb_port, timeout=10)
    for _ in range(20):
        conn.request("POST", "/", body=b"{}", headers={
            "X-Amz-Target": "DynamoDB_20120810.ListTables", "Authorization": AUTH,
            "X-Amz-Date": "20240101T000000Z", "Content-Type": "application/x-amz-json-1.0"})
        r = conn.getresponse()
        body = r.read()
        assert r.status == 200
        assert r.getheader("x-amz-crc32") == str(zlib.crc32(body))
    conn.close()


def test_chunked_request_body(portico_server):
    conn = http.client.HTTPConnection("127.0.0.1", portico_server.dynamodb_port, timeout=10)
    conn.request("POST", "/", body=iter([b'{"Li', b'mit": 5}']), encode_chunked=True, headers={
        "X-Amz-Target": "DynamoDB_20120810.ListTables", "Authorization": AUTH,
        "X-Amz-Date": "20240101T000000Z", "Content-Type": "application/x-amz-json-1.0",
        "Transfer-Encoding": "chunked"})
    r = conn.getresponse()
    assert r.status == 200, r.read()
    conn.close()


def raw_exchange(port, data, timeout=10):
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(data)
        chunks = []
        while True:
            try:
                chunk = s.recv(65536)
            except socket.timeout:
                break
            if not chunk:
                break
            chunks.append(chunk)
        return b"".join(chunks)


def test_http_1_0_request(portico_server):
    reply = raw_exchange(portico_server.dynamodb_port, b"GET / HTTP/1.0\r\n\r\n")
    assert reply.startswith(b"HTTP/1.1 200 ")
    assert reply.endswith(b"healthy: dynamodb.us-east-1.amazonaws.com ")


def test_body_over_the_limit_is_refused_before_it_is_read(portico_server):
    reply = raw_exchange(portico_server.dynamodb_port,
                         b"POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-amz-json-1.0\r\n"
                         b"Content-Length: 10485761\r\n\r\n{")
    head = reply.split(b"\r\n\r\n", 1)[0].decode()
    assert head.startswith("HTTP/1.1 413 ")
    assert re.search(r"(?im)^x-amzn-RequestId: [0-9A-Z]{52}\r?$", head)
    assert re.search(r"(?im)^content-length: 0\r?$", head)


def test_broken_chunked_body_is_a_bad_request(portico_server):
    reply = raw_exchange(portico_server.gateway_port,
                         b"POST /x HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n")
    assert reply.startswith(b"HTTP/1.1 400 ")
    assert reply.split(b"\r\n\r\n", 1)[1] == b'{"message":"Bad Request"}'


def test_boto3_checks_our_crc32(dynamodb_client):
    # botocore verifies x-amz-crc32 on every DynamoDB answer and raises on a mismatch.
    assert "TableNames" in dynamodb_client.list_tables()


def test_gateway_listener_answers_unknown_routes_like_api_gateway(portico_server):
    r = requests.get(portico_server.gateway_url + "/nothing/here", timeout=10)
    assert r.status_code == 403
    assert r.json() == {"message": "Missing Authentication Token"}
    assert "Server" not in r.headers


def test_stop_is_clean_with_idle_keep_alive_connections(portico_factory):
    server = portico_factory(fsync=False)
    conns = []
    for _ in range(4):
        c = http.client.HTTPConnection("127.0.0.1", server.dynamodb_port, timeout=10)
        c.request("GET", "/")
        c.getresponse().read()
        conns.append(c)  # left open and idle
    assert server.stop(timeout=10) == 0
    for c in conns:
        c.close()


def put_item_request(port, table, key):
    body = json.dumps({"TableName": table, "Item": {"pk": {"S": key}, "data": {"S": "x" * 100}}}).encode()
    return (f"POST / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nX-Amz-Target: DynamoDB_20120810.PutItem\r\n"
            f"Authorization: {AUTH}\r\nX-Amz-Date: 20240101T000000Z\r\n"
            f"Content-Type: application/x-amz-json-1.0\r\nContent-Length: {len(body)}\r\n\r\n").encode() + body


def test_client_gone_while_a_write_is_pending(portico_factory):
    import struct
    import threading

    from conftest import dynamodb_client_for

    server = portico_factory(fsync=True)  # a real fsync keeps each write pending a little longer
    client = dynamodb_client_for(server)
    client.create_table(TableName="Gone", KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                        BillingMode="PAY_PER_REQUEST")
    client.get_waiter("table_exists").wait(TableName="Gone", WaiterConfig={"Delay": 1, "MaxAttempts": 30})

    def hit_and_run(worker):
        for i in range(25):
            s = socket.create_connection(("127.0.0.1", server.dynamodb_port), timeout=10)
            s.sendall(put_item_request(server.dynamodb_port, "Gone", f"{worker}-{i}"))
            if i % 2:
                s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))  # reset, not FIN
            s.close()

    threads = [threading.Thread(target=hit_and_run, args=(w,)) for w in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert server.alive()
    # The server still answers, writes included, and the abandoned writes did not corrupt anything.
    client.put_item(TableName="Gone", Item={"pk": {"S": "after"}})
    assert client.get_item(TableName="Gone", Key={"pk": {"S": "after"}})["Item"] == {"pk": {"S": "after"}}
    count = client.scan(TableName="Gone", Select="COUNT")["Count"]
    assert 1 <= count <= 101
    assert server.stop() == 0, server.stderr()


@pytest.mark.parametrize("operation", ["DescribeTable", "DescribeTimeToLive"])
def test_table_reads_check_the_table_name_alike(portico_server, operation):
    url = portico_server.dynamodb_url
    r = call(url, operation, json.dumps({"TableName": 12}).encode())
    assert r.status_code == 400 and r.json()["__type"].endswith("#SerializationException"), r.text
    r = call(url, operation, json.dumps({"TableName": "no"}).encode())
    assert r.status_code == 400 and r.json()["__type"].endswith("#ValidationException"), r.text
    assert "tableName" in r.json()["message"]
    r = call(url, operation, json.dumps({"TableName": "NoSuchTable"}).encode())
    assert r.status_code == 400 and r.json()["__type"].endswith("#ResourceNotFoundException"), r.text
    assert r.json()["message"] == "Requested resource not found: Table: NoSuchTable not found"
