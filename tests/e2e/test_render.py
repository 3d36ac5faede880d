"""`portico render`: one mapping template rendered offline, byte for byte, from the command line."""
import json
import re
import subprocess

PUT_ITEM = """{
    "TableName": "Comments",
    "Item": {
        "commentId": {"S": "$context.requestId"},
        "pageId": {"S": "$input.path('$.pageId')"},
        "message": {"S": "$input.path('$.message')"}
    }
}"""


def render(binary, template_path, *args):
    return subprocess.run([binary, "render", str(template_path), *args], capture_output=True, timeout=30)


def test_put_item_request_template(portico, tmp_path):
    t = tmp_path / "put.vtl"
    t.write_text(PUT_ITEM)
    r = render(portico, t, "--body", '{"pageId":"p1","message":"hi"}')
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert doc["Item"]["pageId"]["S"] == "p1"
    assert doc["Item"]["message"]["S"] == "hi"
    assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", doc["Item"]["commentId"]["S"])


def test_params_context_and_stage_variables(portico, tmp_path):
    t = tmp_path / "t.vtl"
    t.write_text("$input.params('pageId')|$input.params('q')|$input.params('X-Amz-Target')|$context.httpMethod"
                 "|$context.stage|$context.identity.sourceIp|$stageVariables.table|$context.requestId")
    r = render(portico, t, "--path", "pageId=p1", "--query", "q=a b", "--header", "X-Amz-Target=T", "--method", "GET",
               "--stage", "dev", "--stage-var", "table=Comments",
               "--context-json", '{"requestId": "fixed", "identity": {"sourceIp": "10.0.0.1"}}')
    assert r.returncode == 0, r.stderr
    assert r.stdout == b"p1|a b|T|GET|dev|10.0.0.1|Comments|fixed"


def test_prints_exact_bytes_including_whitespace(portico, tmp_path):
    t = tmp_path / "t.vtl"
    t.write_bytes(b"#foreach($i in [1..3])\n  $i\n#end\n")
    r = render(portico, t)
    assert r.returncode == 0
    assert r.stdout == b"  1\n  2\n  3\n"


def test_body_file_and_empty_body(portico, tmp_path):
    t = tmp_path / "t.vtl"
    t.write_text("$input.body|$input.json('$.a')")
    body = tmp_path / "body.json"
    body.write_text('{"a": [1, "x/y"]}')
    r = render(portico, t, "--body-file", str(body))
    assert r.stdout == b'{"a": [1, "x/y"]}|[1,"x/y"]'
    r = render(portico, t)
    assert r.stdout == b'{}|""'


def test_syntax_error_exits_1_with_message(portico, tmp_path):
    t = tmp_path / "t.vtl"
    t.write_text("ok\n#end\n")
    r = render(portico, t)
    assert r.returncode == 1
    assert r.stdout == b""
    assert b'Encountered "#end\\n" at line 2, column 1' in r.stderr


def test_render_failure_exits_1(portico, tmp_path):
    t = tmp_path / "t.vtl"
    t.write_text("$input.path('$')")
    r = render(portico, t, "--body", "{a")
    assert r.returncode == 1
    assert r.stderr
