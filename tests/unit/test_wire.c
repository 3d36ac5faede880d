#include <criterion/criterion.h>
#include <string.h>

#include "core/arena.h"
#include "core/json.h"
#include "dynamo/wire.h"
#include "http/sigv4.h"

Test(sigv4, parses_a_full_header)
{
    sigv4_header h;
    sigv4_parse_header(SLICE_LIT("AWS4-HMAC-SHA256 Credential=AKID/20240101/us-east-1/dynamodb/aws4_request, "
                                 "SignedHeaders=host;x-amz-date, Signature=abc123"),
                       &h);
    cr_assert(slice_eq_cstr(h.algorithm, "AWS4-HMAC-SHA256"));
    cr_assert(slice_eq_cstr(h.credential, "AKID/20240101/us-east-1/dynamodb/aws4_request"));
    cr_assert(slice_eq_cstr(h.signed_headers, "host;x-amz-date"));
    cr_assert(slice_eq_cstr(h.signature, "abc123"));
    cr_assert_eq(h.credential_parts, 5);
    cr_assert(slice_eq_cstr(h.access_key, "AKID"));
    cr_assert(slice_eq_cstr(h.date, "20240101"));
    cr_assert(slice_eq_cstr(h.region, "us-east-1"));
    cr_assert(slice_eq_cstr(h.service, "dynamodb"));
    cr_assert(slice_eq_cstr(h.terminator, "aws4_request"));
}

Test(sigv4, separators_and_missing_parts)
{
    sigv4_header h;
    sigv4_parse_header(SLICE_LIT("  AWS4- Signature=b,Credential=a/b/c/d/"), &h);
    cr_assert(slice_eq_cstr(h.algorithm, "AWS4-"));
    cr_assert(slice_eq_cstr(h.signature, "b"));
    cr_assert(slice_eq_cstr(h.credential, "a/b/c/d/"));
    cr_assert_null(h.signed_headers.ptr);
    cr_assert_eq(h.credential_parts, 4); /* trailing slashes do not count */
    sigv4_parse_header(SLICE_NULL, &h);
    cr_assert_eq(h.algorithm.len, 0);
    cr_assert_null(h.credential.ptr);
}

Test(sigv4, query_parameters)
{
    slice v;
    slice q = SLICE_LIT("a=1&X-Amz-Algorithm&X-Amz-Date=20240101");
    cr_assert_eq(sigv4_query_param(q, "X-Amz-Algorithm", &v), 0);
    cr_assert_eq(v.len, 0);
    cr_assert_eq(sigv4_query_param(q, "X-Amz-Date", &v), 0);
    cr_assert(slice_eq_cstr(v, "20240101"));
    cr_assert_eq(sigv4_query_param(q, "X-Amz-Algorith", &v), -1);
    cr_assert_eq(sigv4_query_param(SLICE_NULL, "a", &v), -1);
}

Test(wire, target)
{
    slice op;
    cr_assert_eq(dynamo_wire_parse_target(SLICE_LIT("DynamoDB_20120810.PutItem"), &op), 0);
    cr_assert(slice_eq_cstr(op, "PutItem"));
    cr_assert_eq(dynamo_wire_parse_target(SLICE_LIT("DynamoDB_20120810."), &op), -1);
    cr_assert_eq(dynamo_wire_parse_target(SLICE_LIT("DynamoDB_20120810.A.B"), &op), -1);
    cr_assert_eq(dynamo_wire_parse_target(SLICE_LIT("DynamoDB_20111205.PutItem"), &op), -1);
    cr_assert_eq(dynamo_wire_parse_target(SLICE_LIT("whatever"), &op), -1);
    cr_assert_eq(dynamo_wire_parse_target(SLICE_NULL, &op), -1);
}

static const char *check(const char *auth, const char *query, bool has_date, aws_error *e)
{
    error_clear(e);
    int rc = dynamo_wire_check_auth(auth != NULL ? slice_cstr(auth) : SLICE_NULL, slice_cstr(query), has_date, e);
    return rc == 0 ? NULL : e->type;
}

Test(wire, authentication_checks_in_dynamodb_order)
{
    aws_error e;
    cr_assert_str_eq(check(NULL, "", true, &e), "MissingAuthenticationTokenException");
    cr_assert_str_eq(e.message, "Request is missing Authentication Token");
    cr_assert_str_eq(check("Bearer x", "", true, &e), "MissingAuthenticationTokenException");
    cr_assert_str_eq(check("X", "X-Amz-Algorithm", true, &e), "InvalidSignatureException");
    cr_assert_str_eq(check("AWS4- Signature=b Credential=a", "", true, &e), "IncompleteSignatureException");
    cr_assert_str_eq(e.message, "Authorization header requires 'SignedHeaders' parameter. "
                                "Authorization=AWS4- Signature=b Credential=a");
    cr_assert_str_eq(check("AWS4-HMAC-SHA256 Credential=a/b/c/d/e, SignedHeaders=host, Signature=x", "", false, &e),
                     "IncompleteSignatureException");
    cr_assert_str_eq(check("AWS4-HMAC-SHA25 Credential=a/b/c/d/e, SignedHeaders=host, Signature=x", "", true, &e),
                     "IncompleteSignatureException");
    cr_assert_str_eq(e.message, "Unsupported AWS 'algorithm': 'AWS4-HMAC-SHA25' (only AWS4-HMAC-SHA256 for now). ");
    cr_assert_null(check("AWS4-HMAC-SHA256 Credential=a/b/c/d/e, SignedHeaders=host, Signature=x", "", true, &e));
    cr_assert_str_eq(check(NULL, "X-Amz-Algorithm", true, &e), "IncompleteSignatureException");
    cr_assert(strstr(e.message, "must include 'X-Amz-Algorithm'. ") != NULL);
    cr_assert_null(check(
        NULL, "X-Amz-Algorithm=a&X-Amz-Credential=b&X-Amz-Signature=c&X-Amz-SignedHeaders=d&X-Amz-Date=e", false, &e));
}

Test(wire, namespaces)
{
    cr_assert_str_eq(dynamo_wire_error_namespace("ValidationException"), "com.amazon.coral.validate#");
    cr_assert_str_eq(dynamo_wire_error_namespace("SerializationException"), "com.amazon.coral.service#");
    cr_assert_str_eq(dynamo_wire_error_namespace("UnknownOperationException"), "com.amazon.coral.service#");
    cr_assert_str_eq(dynamo_wire_error_namespace("ResourceNotFoundException"), "com.amazonaws.dynamodb.v20120810#");
    cr_assert_str_eq(dynamo_wire_error_namespace("ConditionalCheckFailedException"),
                     "com.amazonaws.dynamodb.v20120810#");
}

Test(wire, request_ids)
{
    char a[DYNAMO_REQUEST_ID_LEN + 1], b[DYNAMO_REQUEST_ID_LEN + 1];
    dynamo_wire_request_id(a);
    dynamo_wire_request_id(b);
    cr_assert_eq(strlen(a), 52);
    cr_assert_str_neq(a, b);
    for (int i = 0; i < 52; i++)
        cr_assert((a[i] >= '0' && a[i] <= '9') || (a[i] >= 'A' && a[i] <= 'Z'));
}

Test(wire, error_bodies_with_extra_fields)
{
    json_glue_init();
    arena a;
    arena_init(&a, 1024);
    aws_error e;
    error_set(&e, 400, "ConditionalCheckFailedException", "The conditional request failed");
    arena *prev = json_arena_push(&a);
    json_t *extra = json_pack("{s:{s:{s:s}}}", "Item", "id", "S", "1");
    json_arena_pop(prev);
    slice body = dynamo_wire_error_body(&e, extra, &a);
    cr_assert(slice_eq_cstr(body, "{\"__type\":\"com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException\","
                                  "\"message\":\"The conditional request failed\",\"Item\":{\"id\":{\"S\":\"1\"}}}"));

    error_set(&e, 400, "TransactionCanceledException", "ignored");
    prev = json_arena_push(&a);
    extra = json_pack("{s:[{s:s}],s:s}", "CancellationReasons", "Code", "None", "Message", "Transaction cancelled");
    json_arena_pop(prev);
    body = dynamo_wire_error_body(&e, extra, &a);
    cr_assert(slice_eq_cstr(body,
                            "{\"__type\":\"com.amazonaws.dynamodb.v20120810#TransactionCanceledException\","
                            "\"CancellationReasons\":[{\"Code\":\"None\"}],\"Message\":\"Transaction cancelled\"}"));

    error_set(&e, 400, "UnknownOperationException", "%s", "");
    body = dynamo_wire_error_body(&e, NULL, &a);
    cr_assert(slice_eq_cstr(body, "{\"__type\":\"com.amazon.coral.service#UnknownOperationException\"}"));
    arena_destroy(&a);
}
