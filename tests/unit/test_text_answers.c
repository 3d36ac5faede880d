/* GetItem, Query and Scan written as text (dynamo_call.text_response, what the wire API asks for)
 * give byte for byte the text of the tree they give otherwise. */
#include "store_test_util.h"

/* The answer's text, from the tree (as_text false) or written directly (as_text true). */
static slice answer(dynamo_engine *e, arena *a, const char *op, const char *request, bool as_text, bool *was_text)
{
    dynamo_call *call = engine_call_finished(e, a, op, request, as_text);
    cr_assert_not(error_is_set(&call->error), "%s: %s", op, call->error.message);
    *was_text = call->response_text.ptr != NULL;
    if (*was_text)
        return call->response_text;
    arena *prev = json_arena_push(a);
    slice text = json_dump_slice(call->response, JSON_COMPACT);
    json_arena_pop(prev);
    return text;
}

static void same(dynamo_engine *e, arena *a, const char *op, const char *request, bool expect_text)
{
    bool tree_text, direct_text;
    slice tree = answer(e, a, op, request, false, &tree_text);
    slice direct = answer(e, a, op, request, true, &direct_text);
    cr_assert_not(tree_text, "a tree unless asked for text");
    cr_assert_eq(direct_text, expect_text, "%s %s: written as text?", op, request);
    cr_assert(slice_eq(tree, direct), "%s %s:\n%.*s\n%.*s", op, request, SLICE_FMT(tree), SLICE_FMT(direct));
}

Test(text_answers, match_the_tree)
{
    json_glue_init();
    char *dir = temp_data_dir();
    dynamo_options o = {.data_dir = dir, .no_sync = true, .map_size = (size_t)1 << 30};
    aws_error err;
    dynamo_engine *e = dynamo_engine_open(&o, &err);
    cr_assert_not_null(e, "%s", err.message);
    arena a;
    arena_init(&a, 64 * 1024);
    cr_assert_not_null(
        engine_call(
            e, &a, "CreateTable",
            "{\"TableName\":\"Tab\",\"BillingMode\":\"PAY_PER_REQUEST\","
            "\"AttributeDefinitions\":[{\"AttributeName\":\"pk\",\"AttributeType\":\"S\"},"
            "{\"AttributeName\":\"g\",\"AttributeType\":\"S\"},{\"AttributeName\":\"s\",\"AttributeType\":\"N\"}],"
            "\"KeySchema\":[{\"AttributeName\":\"pk\",\"KeyType\":\"HASH\"}],"
            "\"GlobalSecondaryIndexes\":[{\"IndexName\":\"by-g\",\"KeySchema\":[{\"AttributeName\":\"g\",\"KeyType\":"
            "\"HASH\"},{\"AttributeName\":\"s\",\"KeyType\":\"RANGE\"}],\"Projection\":{\"ProjectionType\":\"ALL\"}}]}",
            &err),
        "%s %s", err.type, err.message);
    char req[1024];
    for (int i = 0; i < 30; i++) {
        snprintf(req, sizeof req,
                 "{\"TableName\":\"Tab\",\"Item\":{\"pk\":{\"S\":\"k%d\"},\"g\":{\"S\":\"g%d\"},\"s\":{\"N\":\"%d.5\"},"
                 "\"txt\":{\"S\":\"quote \\\" tab \\t \\u00e9\\u2028 %d\"},\"b\":{\"B\":\"AAEC/w==\"},"
                 "\"m\":{\"M\":{\"l\":{\"L\":[{\"BOOL\":true},{\"NULL\":true},{\"NS\":[\"-1e-5\",\"7\"]}]},"
                 "\"ss\":{\"SS\":[\"x\",\"y\"]},\"bs\":{\"BS\":[\"QQ==\"]}}},\"n\":{\"N\":\"-%d00\"}}}",
                 i, i % 3, i, i, i);
        cr_assert_not_null(engine_call(e, &a, "PutItem", req, &err), "%s", err.message);
    }
    same(e, &a, "GetItem", "{\"TableName\":\"Tab\",\"Key\":{\"pk\":{\"S\":\"k7\"}}}", true);
    same(e, &a, "GetItem", "{\"TableName\":\"Tab\",\"Key\":{\"pk\":{\"S\":\"absent\"}}}", true);
    same(e, &a, "GetItem",
         "{\"TableName\":\"Tab\",\"Key\":{\"pk\":{\"S\":\"k7\"}},\"ReturnConsumedCapacity\":\"TOTAL\"}", true);
    same(e, &a, "GetItem",
         "{\"TableName\":\"Tab\",\"Key\":{\"pk\":{\"S\":\"nope\"}},\"ReturnConsumedCapacity\":\"INDEXES\"}", true);
    same(e, &a, "GetItem", "{\"TableName\":\"Tab\",\"Key\":{\"pk\":{\"S\":\"k7\"}},\"ProjectionExpression\":\"g\"}",
         false);
    static const char *const queries[] = {
        "{\"TableName\":\"Tab\",\"IndexName\":\"by-g\",\"KeyConditionExpression\":\"g = :g\","
        "\"ExpressionAttributeValues\":{\":g\":{\"S\":\"g1\"}}}",
        "{\"TableName\":\"Tab\",\"IndexName\":\"by-g\",\"KeyConditionExpression\":\"g = :g AND s > :s\","
        "\"ExpressionAttributeValues\":{\":g\":{\"S\":\"g2\"},\":s\":{\"N\":\"10\"}},\"ScanIndexForward\":false}",
        "{\"TableName\":\"Tab\",\"IndexName\":\"by-g\",\"KeyConditionExpression\":\"g = :g\",\"Limit\":3,"
        "\"ExpressionAttributeValues\":{\":g\":{\"S\":\"g0\"}},\"ReturnConsumedCapacity\":\"INDEXES\"}",
        "{\"TableName\":\"Tab\",\"IndexName\":\"by-g\",\"KeyConditionExpression\":\"g = :g\",\"Select\":\"COUNT\","
        "\"ExpressionAttributeValues\":{\":g\":{\"S\":\"g0\"}},\"ReturnConsumedCapacity\":\"TOTAL\"}",
        "{\"TableName\":\"Tab\",\"KeyConditionExpression\":\"pk = :p\","
        "\"ExpressionAttributeValues\":{\":p\":{\"S\":\"k4\"}}}",
        "{\"TableName\":\"Tab\",\"KeyConditionExpression\":\"pk = :p\","
        "\"ExpressionAttributeValues\":{\":p\":{\"S\":\"none\"}}}",
    };
    for (size_t i = 0; i < sizeof queries / sizeof queries[0]; i++)
        same(e, &a, "Query", queries[i], true);
    same(e, &a, "Scan", "{\"TableName\":\"Tab\"}", true);
    same(e, &a, "Scan", "{\"TableName\":\"Tab\",\"Limit\":4,\"ReturnConsumedCapacity\":\"TOTAL\"}", true);
    same(e, &a, "Scan", "{\"TableName\":\"Tab\",\"Segment\":1,\"TotalSegments\":3}", true);
    /* With a filter or a projection the tree is needed: the answer stays a tree. */
    same(e, &a, "Scan",
         "{\"TableName\":\"Tab\",\"FilterExpression\":\"s > :s\",\"ExpressionAttributeValues\":{\":s\":{\"N\":\"5\"}}}",
         false);
    same(e, &a, "Query",
         "{\"TableName\":\"Tab\",\"IndexName\":\"by-g\",\"KeyConditionExpression\":\"g = :g\","
         "\"ProjectionExpression\":\"pk\",\"ExpressionAttributeValues\":{\":g\":{\"S\":\"g1\"}}}",
         false);
    arena_destroy(&a);
    dynamo_engine_close(e);
    remove_dir(dir);
    free(dir);
}
