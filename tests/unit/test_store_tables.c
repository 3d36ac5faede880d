/* Table operations through the engine: validation messages and descriptions as DynamoDB gives them. */
#include "store_test_util.h"

typedef struct env {
    char *dir;
    dynamo_engine *e;
    arena a;
} env;

static void env_open(env *v)
{
    json_glue_init();
    v->dir = temp_data_dir();
    arena_init(&v->a, 64 * 1024);
    dynamo_options o = {.data_dir = v->dir, .map_size = (size_t)1 << 30};
    aws_error err;
    v->e = dynamo_engine_open(&o, &err);
    cr_assert_not_null(v->e, "%s", err.message);
}

static void env_close(env *v)
{
    dynamo_engine_close(v->e);
    arena_destroy(&v->a);
    remove_dir(v->dir);
    free(v->dir);
}

static json_t *ok(env *v, const char *op, const char *req)
{
    aws_error err;
    json_t *resp = engine_call(v->e, &v->a, op, req, &err);
    cr_assert_not_null(resp, "%s failed: %s: %s", op, err.type, err.message);
    return resp;
}

static void fails(env *v, const char *op, const char *req, const char *type, const char *message)
{
    aws_error err;
    json_t *resp = engine_call(v->e, &v->a, op, req, &err);
    cr_assert_null(resp, "%s unexpectedly succeeded", op);
    cr_assert_str_eq(err.type, type, "%s: %s", err.type, err.message);
    if (message != NULL)
        cr_assert_str_eq(err.message, message);
    cr_assert_eq(err.status, 400);
}

#define SIMPLE_TABLE                                                                                                   \
    "{\"TableName\":\"Music\",\"AttributeDefinitions\":[{\"AttributeName\":\"Artist\",\"AttributeType\":\"S\"},"       \
    "{\"AttributeName\":\"Song\",\"AttributeType\":\"S\"}],\"KeySchema\":[{\"AttributeName\":\"Artist\","              \
    "\"KeyType\":\"HASH\"},{\"AttributeName\":\"Song\",\"KeyType\":\"RANGE\"}],\"BillingMode\":\"PAY_PER_REQUEST\"}"

Test(tables, create_describe_list_delete)
{
    env v;
    env_open(&v);
    json_t *r = ok(&v, "CreateTable", SIMPLE_TABLE);
    json_t *d = json_object_get(r, "TableDescription");
    cr_assert_str_eq(json_string_value(json_object_get(d, "TableStatus")), "ACTIVE");
    cr_assert_str_eq(json_string_value(json_object_get(d, "TableArn")),
                     "arn:aws:dynamodb:us-east-1:000000000000:table/Music");
    cr_assert_eq(strlen(json_string_value(json_object_get(d, "TableId"))), 36);
    cr_assert(json_is_number(json_object_get(d, "CreationDateTime")));
    cr_assert_eq(json_integer_value(json_object_get(d, "ItemCount")), 0);
    cr_assert_str_eq(json_string_value(json_object_get(json_object_get(d, "BillingModeSummary"), "BillingMode")),
                     "PAY_PER_REQUEST");
    cr_assert_eq(json_integer_value(json_object_get(json_object_get(d, "ProvisionedThroughput"), "ReadCapacityUnits")),
                 0);

    fails(&v, "CreateTable", SIMPLE_TABLE, "ResourceInUseException", "Table already exists: Music");

    json_t *desc = json_object_get(ok(&v, "DescribeTable", "{\"TableName\":\"Music\"}"), "Table");
    cr_assert(json_equal(json_object_get(desc, "TableId"), json_object_get(d, "TableId")));
    cr_assert_eq(json_array_size(json_object_get(desc, "KeySchema")), 2);

    ok(&v, "CreateTable",
       "{\"TableName\":\"Albums\",\"AttributeDefinitions\":[{\"AttributeName\":\"id\",\"AttributeType\":\"N\"}],"
       "\"KeySchema\":[{\"AttributeName\":\"id\",\"KeyType\":\"HASH\"}],"
       "\"ProvisionedThroughput\":{\"ReadCapacityUnits\":5,\"WriteCapacityUnits\":7}}");
    json_t *list = ok(&v, "ListTables", "{}");
    cr_assert_eq(json_array_size(json_object_get(list, "TableNames")), 2);
    cr_assert_str_eq(json_string_value(json_array_get(json_object_get(list, "TableNames"), 0)), "Albums");
    list = ok(&v, "ListTables", "{\"Limit\":1}");
    cr_assert_str_eq(json_string_value(json_object_get(list, "LastEvaluatedTableName")), "Albums");
    list = ok(&v, "ListTables", "{\"ExclusiveStartTableName\":\"Albums\"}");
    cr_assert_eq(json_array_size(json_object_get(list, "TableNames")), 1);
    cr_assert_null(json_object_get(list, "LastEvaluatedTableName"));
    fails(&v, "ListTables", "{\"Limit\":0}", "ValidationException",
          "1 validation error detected: Value '0' at 'limit' failed to satisfy constraint: Member must have value "
          "greater than or equal to 1");

    json_t *albums = json_object_get(ok(&v, "DescribeTable", "{\"TableName\":\"Albums\"}"), "Table");
    cr_assert_null(json_object_get(albums, "BillingModeSummary"));
    cr_assert_eq(
        json_integer_value(json_object_get(json_object_get(albums, "ProvisionedThroughput"), "WriteCapacityUnits")), 7);

    json_t *del = json_object_get(ok(&v, "DeleteTable", "{\"TableName\":\"Music\"}"), "TableDescription");
    cr_assert_str_eq(json_string_value(json_object_get(del, "TableName")), "Music");
    fails(&v, "DescribeTable", "{\"TableName\":\"Music\"}", "ResourceNotFoundException",
          "Requested resource not found: Table: Music not found");
    fails(&v, "DeleteTable", "{\"TableName\":\"Music\"}", "ResourceNotFoundException",
          "Requested resource not found: Table: Music not found");
    env_close(&v);
}

Test(tables, create_validation_messages)
{
    env v;
    env_open(&v);
    fails(
        &v, "CreateTable",
        "{\"TableName\":\"ab\",\"AttributeDefinitions\":[{\"AttributeName\":\"a\",\"AttributeType\":\"S\"}],"
        "\"KeySchema\":[{\"AttributeName\":\"a\",\"KeyType\":\"HASH\"}],\"BillingMode\":\"PAY_PER_REQUEST\"}",
        "ValidationException",
        "1 validation error detected: Value 'ab' at 'tableName' failed to satisfy constraint: Member must have length "
        "greater than or equal to 3");
    fails(&v, "CreateTable",
          "{\"TableName\":\"bad name\",\"AttributeDefinitions\":[{\"AttributeName\":\"a\",\"AttributeType\":\"S\"}],"
          "\"KeySchema\":[{\"AttributeName\":\"a\",\"KeyType\":\"HASH\"}],\"BillingMode\":\"PAY_PER_REQUEST\"}",
          "ValidationException",
          "1 validation error detected: Value 'bad name' at 'tableName' failed to satisfy constraint: Member must "
          "satisfy regular expression pattern: [a-zA-Z0-9_.-]+");
    fails(&v, "CreateTable",
          "{\"TableName\":\"Tbl\",\"AttributeDefinitions\":[{\"AttributeName\":\"a\",\"AttributeType\":\"S\"},"
          "{\"AttributeName\":\"b\",\"AttributeType\":\"S\"}],"
          "\"KeySchema\":[{\"AttributeName\":\"a\",\"KeyType\":\"HASH\"}],\"BillingMode\":\"PAY_PER_REQUEST\"}",
          "ValidationException",
          "One or more parameter values were invalid: Number of attributes in KeySchema does not exactly match number "
          "of attributes defined in AttributeDefinitions");
    fails(
        &v, "CreateTable",
        "{\"TableName\":\"Tbl\",\"AttributeDefinitions\":[{\"AttributeName\":\"a\",\"AttributeType\":\"S\"},"
        "{\"AttributeName\":\"b\",\"AttributeType\":\"S\"},{\"AttributeName\":\"c\",\"AttributeType\":\"S\"}],"
        "\"KeySchema\":[{\"AttributeName\":\"a\",\"KeyType\":\"HASH\"}],\"BillingMode\":\"PAY_PER_REQUEST\","
        "\"GlobalSecondaryIndexes\":[{\"IndexName\":\"gsi\",\"KeySchema\":[{\"AttributeName\":\"b\",\"KeyType\":"
        "\"HASH\"}],"
        "\"Projection\":{\"ProjectionType\":\"ALL\"}}]}",
        "ValidationException",
        "One or more parameter values were invalid: Some AttributeDefinitions are not used. AttributeDefinitions: [a, "
        "b, c], keys used: [a, b]");
    fails(&v, "CreateTable",
          "{\"TableName\":\"Tbl\",\"AttributeDefinitions\":[{\"AttributeName\":\"a\",\"AttributeType\":\"S\"}],"
          "\"KeySchema\":[{\"AttributeName\":\"a\",\"KeyType\":\"HASH\"},{\"AttributeName\":\"b\",\"KeyType\":"
          "\"RANGE\"}],"
          "\"BillingMode\":\"PAY_PER_REQUEST\"}",
          "ValidationException", "Invalid KeySchema: Some index key attribute have no definition");
    fails(&v, "CreateTable",
          "{\"TableName\":\"Tbl\",\"AttributeDefinitions\":[{\"AttributeName\":\"a\",\"AttributeType\":\"S\"}],"
          "\"KeySchema\":[{\"AttributeName\":\"a\",\"KeyType\":\"RANGE\"}],\"BillingMode\":\"PAY_PER_REQUEST\"}",
          "ValidationException", "Invalid KeySchema: The first KeySchemaElement is not a HASH key type");
    fails(&v, "CreateTable",
          "{\"TableName\":\"Tbl\",\"AttributeDefinitions\":[{\"AttributeName\":\"a\",\"AttributeType\":\"X\"}],"
          "\"KeySchema\":[{\"AttributeName\":\"a\",\"KeyType\":\"HASH\"}],\"BillingMode\":\"PAY_PER_REQUEST\"}",
          "ValidationException",
          "1 validation error detected: Value 'X' at 'attributeDefinitions.1.member.attributeType' failed to satisfy "
          "constraint: Member must satisfy enum value set: [B, N, S]");
    fails(&v, "CreateTable",
          "{\"TableName\":\"Tbl\",\"AttributeDefinitions\":[{\"AttributeName\":\"a\",\"AttributeType\":\"S\"}],"
          "\"KeySchema\":[{\"AttributeName\":\"a\",\"KeyType\":\"HASH\"}]}",
          "ValidationException", "No provisioned throughput specified for the table");
    fails(
        &v, "CreateTable",
        "{\"TableName\":\"Tbl\",\"AttributeDefinitions\":[{\"AttributeName\":\"a\",\"AttributeType\":\"S\"}],"
        "\"KeySchema\":[{\"AttributeName\":\"a\",\"KeyType\":\"HASH\"}],\"BillingMode\":\"PAY_PER_REQUEST\","
        "\"ProvisionedThroughput\":{\"ReadCapacityUnits\":1,\"WriteCapacityUnits\":1}}",
        "ValidationException",
        "One or more parameter values were invalid: Neither ReadCapacityUnits nor WriteCapacityUnits can be specified "
        "when BillingMode is PAY_PER_REQUEST");
    fails(&v, "CreateTable",
          "{\"TableName\":\"Tbl\",\"AttributeDefinitions\":[{\"AttributeName\":\"a\",\"AttributeType\":\"S\"}],"
          "\"KeySchema\":[{\"AttributeName\":\"a\",\"KeyType\":\"HASH\"}],"
          "\"ProvisionedThroughput\":{\"ReadCapacityUnits\":0,\"WriteCapacityUnits\":1}}",
          "ValidationException",
          "1 validation error detected: Value '0' at 'provisionedThroughput.readCapacityUnits' failed to satisfy "
          "constraint: Member must have value greater than or equal to 1");
    /* LSI on a table without a sort key. */
    fails(
        &v, "CreateTable",
        "{\"TableName\":\"Tbl\",\"AttributeDefinitions\":[{\"AttributeName\":\"a\",\"AttributeType\":\"S\"},"
        "{\"AttributeName\":\"b\",\"AttributeType\":\"S\"}],"
        "\"KeySchema\":[{\"AttributeName\":\"a\",\"KeyType\":\"HASH\"}],\"BillingMode\":\"PAY_PER_REQUEST\","
        "\"LocalSecondaryIndexes\":[{\"IndexName\":\"lsi\",\"KeySchema\":[{\"AttributeName\":\"a\",\"KeyType\":"
        "\"HASH\"},"
        "{\"AttributeName\":\"b\",\"KeyType\":\"RANGE\"}],\"Projection\":{\"ProjectionType\":\"ALL\"}}]}",
        "ValidationException",
        "One or more parameter values were invalid: Table KeySchema does not have a range key, which is required when "
        "specifying a LocalSecondaryIndex");
    /* LSI with another hash key. */
    fails(&v, "CreateTable",
          "{\"TableName\":\"Tbl\",\"AttributeDefinitions\":[{\"AttributeName\":\"a\",\"AttributeType\":\"S\"},"
          "{\"AttributeName\":\"b\",\"AttributeType\":\"S\"},{\"AttributeName\":\"c\",\"AttributeType\":\"S\"}],"
          "\"KeySchema\":[{\"AttributeName\":\"a\",\"KeyType\":\"HASH\"},{\"AttributeName\":\"b\",\"KeyType\":"
          "\"RANGE\"}],"
          "\"BillingMode\":\"PAY_PER_REQUEST\","
          "\"LocalSecondaryIndexes\":[{\"IndexName\":\"lsi\",\"KeySchema\":[{\"AttributeName\":\"c\",\"KeyType\":"
          "\"HASH\"},"
          "{\"AttributeName\":\"b\",\"KeyType\":\"RANGE\"}],\"Projection\":{\"ProjectionType\":\"ALL\"}}]}",
          "ValidationException",
          "One or more parameter values were invalid: Index KeySchema does not have the same leading hash key as table "
          "KeySchema for index: lsi. index hash key: c, table hash key: a");
    fails(&v, "CreateTable",
          "{\"TableName\":\"Tbl\",\"AttributeDefinitions\":[{\"AttributeName\":\"a\",\"AttributeType\":\"S\"},"
          "{\"AttributeName\":\"b\",\"AttributeType\":\"S\"}],"
          "\"KeySchema\":[{\"AttributeName\":\"a\",\"KeyType\":\"HASH\"}],\"BillingMode\":\"PAY_PER_REQUEST\","
          "\"GlobalSecondaryIndexes\":[{\"IndexName\":\"gsi\",\"KeySchema\":[{\"AttributeName\":\"b\",\"KeyType\":"
          "\"HASH\"}],"
          "\"Projection\":{\"ProjectionType\":\"ALL\",\"NonKeyAttributes\":[\"x\"]}}]}",
          "ValidationException",
          "One or more parameter values were invalid: ProjectionType is ALL, but NonKeyAttributes is specified");
    fails(&v, "CreateTable",
          "{\"TableName\":\"Tbl\",\"AttributeDefinitions\":[{\"AttributeName\":\"a\",\"AttributeType\":\"S\"},"
          "{\"AttributeName\":\"b\",\"AttributeType\":\"S\"}],"
          "\"KeySchema\":[{\"AttributeName\":\"a\",\"KeyType\":\"HASH\"}],\"BillingMode\":\"PAY_PER_REQUEST\","
          "\"GlobalSecondaryIndexes\":[{\"IndexName\":\"gsi\",\"KeySchema\":[{\"AttributeName\":\"b\",\"KeyType\":"
          "\"HASH\"}],"
          "\"Projection\":{\"ProjectionType\":\"ALL\"}},{\"IndexName\":\"gsi\",\"KeySchema\":[{\"AttributeName\":\"b\","
          "\"KeyType\":\"HASH\"}],\"Projection\":{\"ProjectionType\":\"KEYS_ONLY\"}}]}",
          "ValidationException", "One or more parameter values were invalid: Duplicate index name: gsi");
    fails(
        &v, "CreateTable", "{\"TableName\":\"Tbl\"}", "ValidationException",
        "2 validation errors detected: Value null at 'attributeDefinitions' failed to satisfy constraint: Member must "
        "not be null; Value null at 'keySchema' failed to satisfy constraint: Member must not be null");
    env_close(&v);
}

Test(tables, indexes_are_described_and_update_table_adds_and_removes_them)
{
    env v;
    env_open(&v);
    ok(&v, "CreateTable",
       "{\"TableName\":\"Orders\",\"AttributeDefinitions\":[{\"AttributeName\":\"id\",\"AttributeType\":\"S\"},"
       "{\"AttributeName\":\"at\",\"AttributeType\":\"N\"},{\"AttributeName\":\"cust\",\"AttributeType\":\"S\"}],"
       "\"KeySchema\":[{\"AttributeName\":\"id\",\"KeyType\":\"HASH\"},{\"AttributeName\":\"at\",\"KeyType\":\"RANGE\"}"
       "],"
       "\"ProvisionedThroughput\":{\"ReadCapacityUnits\":5,\"WriteCapacityUnits\":5},"
       "\"LocalSecondaryIndexes\":[{\"IndexName\":\"byCust\",\"KeySchema\":[{\"AttributeName\":\"id\",\"KeyType\":"
       "\"HASH\"},"
       "{\"AttributeName\":\"cust\",\"KeyType\":\"RANGE\"}],\"Projection\":{\"ProjectionType\":\"KEYS_ONLY\"}}]}");
    json_t *d = json_object_get(ok(&v, "DescribeTable", "{\"TableName\":\"Orders\"}"), "Table");
    json_t *lsi = json_array_get(json_object_get(d, "LocalSecondaryIndexes"), 0);
    cr_assert_str_eq(json_string_value(json_object_get(lsi, "IndexArn")),
                     "arn:aws:dynamodb:us-east-1:000000000000:table/Orders/index/byCust");
    cr_assert_null(json_object_get(lsi, "IndexStatus"));

    /* A GSI needs its attribute definitions. */
    const char *add =
        "{\"TableName\":\"Orders\",\"AttributeDefinitions\":[{\"AttributeName\":\"cust\",\"AttributeType\":\"S\"}],"
        "\"GlobalSecondaryIndexUpdates\":[{\"Create\":{\"IndexName\":\"gCust\",\"KeySchema\":[{\"AttributeName\":"
        "\"cust\",\"KeyType\":\"HASH\"}],\"Projection\":{\"ProjectionType\":\"INCLUDE\",\"NonKeyAttributes\":["
        "\"total\"]},"
        "\"ProvisionedThroughput\":{\"ReadCapacityUnits\":2,\"WriteCapacityUnits\":3}}}]}";
    json_t *u = json_object_get(ok(&v, "UpdateTable", add), "TableDescription");
    json_t *gsi = json_array_get(json_object_get(u, "GlobalSecondaryIndexes"), 0);
    cr_assert_str_eq(json_string_value(json_object_get(gsi, "IndexName")), "gCust");
    cr_assert_str_eq(json_string_value(json_object_get(gsi, "IndexStatus")), "ACTIVE");
    cr_assert_eq(
        json_integer_value(json_object_get(json_object_get(gsi, "ProvisionedThroughput"), "WriteCapacityUnits")), 3);
    cr_assert_str_eq(
        json_string_value(json_array_get(json_object_get(json_object_get(gsi, "Projection"), "NonKeyAttributes"), 0)),
        "total");

    fails(&v, "UpdateTable",
          "{\"TableName\":\"Orders\",\"ProvisionedThroughput\":{\"ReadCapacityUnits\":5,\"WriteCapacityUnits\":5}}",
          "ValidationException",
          "The provisioned throughput for the table will not change. The requested value equals the current value. "
          "Current ReadCapacityUnits provisioned for the table: 5. Requested ReadCapacityUnits: 5. Current "
          "WriteCapacityUnits provisioned for the table: 5. Requested WriteCapacityUnits: 5. Refer to the Amazon "
          "DynamoDB Developer Guide for current limits and how to request higher limits.");
    u = json_object_get(
        ok(&v, "UpdateTable",
           "{\"TableName\":\"Orders\",\"ProvisionedThroughput\":{\"ReadCapacityUnits\":4,\"WriteCapacityUnits\":9}}"),
        "TableDescription");
    json_t *pt = json_object_get(u, "ProvisionedThroughput");
    cr_assert_eq(json_integer_value(json_object_get(pt, "NumberOfDecreasesToday")), 1);
    cr_assert(json_is_number(json_object_get(pt, "LastIncreaseDateTime")));

    u = json_object_get(ok(&v, "UpdateTable", "{\"TableName\":\"Orders\",\"BillingMode\":\"PAY_PER_REQUEST\"}"),
                        "TableDescription");
    cr_assert_str_eq(json_string_value(json_object_get(json_object_get(u, "BillingModeSummary"), "BillingMode")),
                     "PAY_PER_REQUEST");

    u = json_object_get(
        ok(&v, "UpdateTable",
           "{\"TableName\":\"Orders\",\"GlobalSecondaryIndexUpdates\":[{\"Delete\":{\"IndexName\":\"gCust\"}}]}"),
        "TableDescription");
    cr_assert_null(json_object_get(u, "GlobalSecondaryIndexes"));
    /* cust is still used by the LSI, so its definition stays. */
    cr_assert_eq(json_array_size(json_object_get(u, "AttributeDefinitions")), 3);
    fails(&v, "UpdateTable", "{\"TableName\":\"Orders\"}", "ValidationException",
          "At least one of ProvisionedThroughput, BillingMode, UpdateStreamEnabled, GlobalSecondaryIndexUpdates or "
          "SSESpecification or ReplicaUpdates is required");
    fails(&v, "UpdateTable", "{\"TableName\":\"Nope\",\"BillingMode\":\"PAY_PER_REQUEST\"}",
          "ResourceNotFoundException", "Requested resource not found: Table: Nope not found");
    env_close(&v);
}

Test(tables, time_to_live_settings)
{
    env v;
    env_open(&v);
    ok(&v, "CreateTable", SIMPLE_TABLE);
    json_t *d = ok(&v, "DescribeTimeToLive", "{\"TableName\":\"Music\"}");
    cr_assert_str_eq(
        json_string_value(json_object_get(json_object_get(d, "TimeToLiveDescription"), "TimeToLiveStatus")),
        "DISABLED");
    fails(&v, "UpdateTimeToLive",
          "{\"TableName\":\"Music\",\"TimeToLiveSpecification\":{\"Enabled\":false,\"AttributeName\":\"exp\"}}",
          "ValidationException", "TimeToLive is already disabled");
    json_t *r =
        ok(&v, "UpdateTimeToLive",
           "{\"TableName\":\"Music\",\"TimeToLiveSpecification\":{\"Enabled\":true,\"AttributeName\":\"exp\"}}");
    cr_assert(json_is_true(json_object_get(json_object_get(r, "TimeToLiveSpecification"), "Enabled")));
    d = json_object_get(ok(&v, "DescribeTimeToLive", "{\"TableName\":\"Music\"}"), "TimeToLiveDescription");
    cr_assert_str_eq(json_string_value(json_object_get(d, "TimeToLiveStatus")), "ENABLED");
    cr_assert_str_eq(json_string_value(json_object_get(d, "AttributeName")), "exp");
    fails(&v, "UpdateTimeToLive",
          "{\"TableName\":\"Music\",\"TimeToLiveSpecification\":{\"Enabled\":true,\"AttributeName\":\"exp\"}}",
          "ValidationException", "TimeToLive is already enabled");
    fails(&v, "UpdateTimeToLive", "{\"TableName\":\"Music\"}", "ValidationException",
          "1 validation error detected: Value null at 'timeToLiveSpecification' failed to satisfy constraint: Member "
          "must not be null");
    fails(&v, "DescribeTimeToLive", "{\"TableName\":\"Nope\"}", "ResourceNotFoundException",
          "Requested resource not found: Table: Nope not found");
    env_close(&v);
}

Test(tables, tags_and_account_operations)
{
    env v;
    env_open(&v);
    ok(&v, "CreateTable", SIMPLE_TABLE);
    const char *arn = "arn:aws:dynamodb:us-east-1:000000000000:table/Music";
    char req[512];
    snprintf(req, sizeof(req), "{\"ResourceArn\":\"%s\",\"Tags\":[{\"Key\":\"env\",\"Value\":\"test\"}]}", arn);
    ok(&v, "TagResource", req);
    snprintf(req, sizeof(req), "{\"ResourceArn\":\"%s\"}", arn);
    json_t *tags = json_object_get(ok(&v, "ListTagsOfResource", req), "Tags");
    cr_assert_eq(json_array_size(tags), 1);
    snprintf(req, sizeof(req), "{\"ResourceArn\":\"%s\",\"TagKeys\":[\"env\"]}", arn);
    ok(&v, "UntagResource", req);
    snprintf(req, sizeof(req), "{\"ResourceArn\":\"%s\"}", arn);
    cr_assert_eq(json_array_size(json_object_get(ok(&v, "ListTagsOfResource", req), "Tags")), 0);
    cr_assert_eq(json_integer_value(json_object_get(ok(&v, "DescribeLimits", "{}"), "TableMaxReadCapacityUnits")),
                 40000);
    fails(&v, "DescribeContinuousBackups", "{\"TableName\":\"Nope\"}", "TableNotFoundException",
          "Table not found: Nope");
    fails(&v, "FrobnicateTable", "{}", "UnknownOperationException", NULL);
    cr_assert(dynamo_operation_known(SLICE_LIT("PutItem")));
    cr_assert_not(dynamo_operation_known(SLICE_LIT("FrobnicateTable")));
    env_close(&v);
}

/* Every operation is found (the table is searched by halves, so its order matters), and nothing
 * else: neighbours, prefixes, extensions and other cases. */
Test(tables, every_operation_name_is_found)
{
    static const char *const known[] = {
        "BatchGetItem",
        "BatchWriteItem",
        "CreateTable",
        "DeleteItem",
        "DeleteTable",
        "DescribeContinuousBackups",
        "DescribeEndpoints",
        "DescribeLimits",
        "DescribeTable",
        "DescribeTimeToLive",
        "GetItem",
        "ListTables",
        "ListTagsOfResource",
        "PutItem",
        "Query",
        "Scan",
        "TagResource",
        "TransactGetItems",
        "TransactWriteItems",
        "UntagResource",
        "UpdateItem",
        "UpdateTable",
        "UpdateTimeToLive",
    };
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        cr_assert(dynamo_operation_known(slice_cstr(known[i])), "%s", known[i]);
    static const char *const unknown[] = {"",
                                          "A",
                                          "Zzz",
                                          "Put",
                                          "PutItems",
                                          "putitem",
                                          "GetItem ",
                                          "Querx",
                                          "UpdateTimeToLivf",
                                          "BatchGetIte",
                                          "DescribeTables"};
    for (size_t i = 0; i < sizeof unknown / sizeof unknown[0]; i++)
        cr_assert_not(dynamo_operation_known(slice_cstr(unknown[i])), "%s", unknown[i]);
    cr_assert_not(dynamo_operation_known(SLICE_NULL));
}

Test(tables, table_class_and_deletion_protection)
{
    env v;
    env_open(&v);
    ok(&v, "CreateTable",
       "{\"TableName\":\"Cold\",\"AttributeDefinitions\":[{\"AttributeName\":\"a\",\"AttributeType\":\"S\"}],"
       "\"KeySchema\":[{\"AttributeName\":\"a\",\"KeyType\":\"HASH\"}],\"BillingMode\":\"PAY_PER_REQUEST\","
       "\"TableClass\":\"STANDARD_INFREQUENT_ACCESS\",\"DeletionProtectionEnabled\":true}");
    json_t *d = json_object_get(ok(&v, "DescribeTable", "{\"TableName\":\"Cold\"}"), "Table");
    cr_assert_str_eq(json_string_value(json_object_get(json_object_get(d, "TableClassSummary"), "TableClass")),
                     "STANDARD_INFREQUENT_ACCESS");
    cr_assert(json_is_true(json_object_get(d, "DeletionProtectionEnabled")));
    fails(
        &v, "DeleteTable", "{\"TableName\":\"Cold\"}", "ValidationException",
        "Resource cannot be deleted as it is currently protected against deletion. Disable deletion protection first.");
    ok(&v, "UpdateTable", "{\"TableName\":\"Cold\",\"DeletionProtectionEnabled\":false}");
    ok(&v, "DeleteTable", "{\"TableName\":\"Cold\"}");
    fails(&v, "CreateTable",
          "{\"TableName\":\"Cold\",\"AttributeDefinitions\":[{\"AttributeName\":\"a\",\"AttributeType\":\"S\"}],"
          "\"KeySchema\":[{\"AttributeName\":\"a\",\"KeyType\":\"HASH\"}],\"BillingMode\":\"PAY_PER_REQUEST\","
          "\"TableClass\":\"GLACIER\"}",
          "ValidationException",
          "1 validation error detected: Value 'GLACIER' at 'tableClass' failed to satisfy constraint: Member must "
          "satisfy enum value set: [STANDARD_INFREQUENT_ACCESS, STANDARD]");
    env_close(&v);
}
