/* Table operations: CreateTable, DescribeTable, ListTables, DeleteTable, UpdateTable. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/json.h"
#include "core/reqid.h"
#include "dynamo/op_table_util.h"

#define MAX_GSI                20
#define MAX_LSI                5
#define MAX_NON_KEY_ATTRIBUTES 100
#define MAX_CAPACITY           1000000000000LL

/* ---- request checks shared by CreateTable and UpdateTable ---- */

static bool is_string_or_absent(const json_t *v)
{
    return v == NULL || json_is_string(v) || json_is_null(v);
}

/* Framework-level checks of a KeySchema list ("keySchema" / "globalSecondaryIndexes.1.member.keySchema"). */
static void check_key_schema_shape(verrs *v, const char *path, const json_t *ks)
{
    if (ks == NULL || json_is_null(ks)) {
        verrs_add(v, "Value null at '%s' failed to satisfy constraint: Member must not be null", path);
        return;
    }
    size_t n = json_array_size(ks);
    if (n < 1)
        verrs_add(v,
                  "Value '[]' at '%s' failed to satisfy constraint: Member must have length greater than or equal to 1",
                  path);
    if (n > 2)
        verrs_add(v, "Value '%s' at '%s' failed to satisfy constraint: Member must have length less than or equal to 2",
                  "[...]", path);
    size_t i;
    json_t *e;
    json_array_foreach(ks, i, e)
    {
        json_t *name = json_object_get(e, "AttributeName");
        json_t *type = json_object_get(e, "KeyType");
        if (!json_is_string(name))
            verrs_add(
                v, "Value null at '%s.%zu.member.attributeName' failed to satisfy constraint: Member must not be null",
                path, i + 1);
        else if (json_string_length(name) < 1 || json_string_length(name) > 255)
            verrs_add(
                v,
                "Value '%s' at '%s.%zu.member.attributeName' failed to satisfy constraint: Member must have length "
                "%s",
                json_string_value(name), path, i + 1,
                json_string_length(name) < 1 ? "greater than or equal to 1" : "less than or equal to 255");
        if (!json_is_string(type))
            verrs_add(v, "Value null at '%s.%zu.member.keyType' failed to satisfy constraint: Member must not be null",
                      path, i + 1);
        else if (strcmp(json_string_value(type), "HASH") != 0 && strcmp(json_string_value(type), "RANGE") != 0)
            verrs_add(
                v,
                "Value '%s' at '%s.%zu.member.keyType' failed to satisfy constraint: Member must satisfy enum value "
                "set: [HASH, RANGE]",
                json_string_value(type), path, i + 1);
    }
}

static void check_throughput_shape(verrs *v, const char *path, const json_t *pt)
{
    const char *fields[] = {"ReadCapacityUnits", "WriteCapacityUnits"};
    const char *paths[] = {"readCapacityUnits", "writeCapacityUnits"};
    for (int i = 0; i < 2; i++) {
        json_t *x = json_object_get(pt, fields[i]);
        if (x == NULL || json_is_null(x))
            verrs_add(v, "Value null at '%s.%s' failed to satisfy constraint: Member must not be null", path, paths[i]);
        else if (json_is_integer(x) && json_integer_value(x) < 1)
            verrs_add(v,
                      "Value '%lld' at '%s.%s' failed to satisfy constraint: Member must have value greater than or "
                      "equal to 1",
                      (long long)json_integer_value(x), path, paths[i]);
    }
}

static void check_projection_shape(verrs *v, const char *path, const json_t *p)
{
    if (p == NULL || json_is_null(p)) {
        verrs_add(v, "Value null at '%s.projection' failed to satisfy constraint: Member must not be null", path);
        return;
    }
    json_t *type = json_object_get(p, "ProjectionType");
    if (json_is_string(type) && strcmp(json_string_value(type), "ALL") != 0 &&
        strcmp(json_string_value(type), "INCLUDE") != 0 && strcmp(json_string_value(type), "KEYS_ONLY") != 0)
        verrs_add(v,
                  "Value '%s' at '%s.projection.projectionType' failed to satisfy constraint: Member must satisfy enum "
                  "value set: [ALL, INCLUDE, KEYS_ONLY]",
                  json_string_value(type), path);
    json_t *nk = json_object_get(p, "NonKeyAttributes");
    if (nk != NULL && json_is_array(nk) && json_array_size(nk) == 0)
        verrs_add(
            v,
            "Value '[]' at '%s.projection.nonKeyAttributes' failed to satisfy constraint: Member must have length "
            "greater than or equal to 1",
            path);
}

/* JSON types of the fields we read: DynamoDB answers SerializationException for wrong shapes. */
static int check_types(const json_t *req, aws_error *err)
{
    const char *strings[] = {"TableName", "BillingMode", "TableClass"};
    for (size_t i = 0; i < sizeof(strings) / sizeof(strings[0]); i++)
        if (!is_string_or_absent(json_object_get(req, strings[i])))
            return serialization_error(err, "Unexpected value type in payload");
    const char *arrays[] = {"KeySchema",
                            "AttributeDefinitions",
                            "GlobalSecondaryIndexes",
                            "LocalSecondaryIndexes",
                            "GlobalSecondaryIndexUpdates",
                            "Tags"};
    for (size_t i = 0; i < sizeof(arrays) / sizeof(arrays[0]); i++) {
        json_t *a = json_object_get(req, arrays[i]);
        if (a != NULL && !json_is_null(a) && !json_is_array(a))
            return serialization_error(err, "Unexpected value type in payload");
        size_t k;
        json_t *e;
        json_array_foreach(a, k, e) if (!json_is_object(e)) return serialization_error(
            err, "Unexpected value type in payload");
    }
    json_t *pt = json_object_get(req, "ProvisionedThroughput");
    if (pt != NULL && !json_is_null(pt)) {
        if (!json_is_object(pt))
            return serialization_error(err, "Unexpected value type in payload");
        json_t *r = json_object_get(pt, "ReadCapacityUnits"), *w = json_object_get(pt, "WriteCapacityUnits");
        if ((r != NULL && !json_is_null(r) && !json_is_integer(r)) ||
            (w != NULL && !json_is_null(w) && !json_is_integer(w)))
            return serialization_error(err, "Unexpected value type in payload");
    }
    return 0;
}

static void check_attribute_definitions_shape(verrs *v, const json_t *defs, bool required)
{
    if (defs == NULL || json_is_null(defs)) {
        if (required)
            verrs_add(v, "Value null at 'attributeDefinitions' failed to satisfy constraint: Member must not be null");
        return;
    }
    size_t i;
    json_t *d;
    json_array_foreach(defs, i, d)
    {
        json_t *name = json_object_get(d, "AttributeName");
        json_t *type = json_object_get(d, "AttributeType");
        if (!json_is_string(name))
            verrs_add(
                v,
                "Value null at 'attributeDefinitions.%zu.member.attributeName' failed to satisfy constraint: Member "
                "must not be null",
                i + 1);
        if (!json_is_string(type))
            verrs_add(
                v,
                "Value null at 'attributeDefinitions.%zu.member.attributeType' failed to satisfy constraint: Member "
                "must not be null",
                i + 1);
        else if (strcmp(json_string_value(type), "S") != 0 && strcmp(json_string_value(type), "N") != 0 &&
                 strcmp(json_string_value(type), "B") != 0)
            verrs_add(
                v,
                "Value '%s' at 'attributeDefinitions.%zu.member.attributeType' failed to satisfy constraint: Member "
                "must satisfy enum value set: [B, N, S]",
                json_string_value(type), i + 1);
    }
}

static bool defined(const json_t *defs, const char *name)
{
    size_t i;
    json_t *d;
    json_array_foreach(defs, i,
                       d) if (strcmp(json_string_value(json_object_get(d, "AttributeName")), name) == 0) return true;
    return false;
}

static const char *key_names(const json_t *ks)
{
    slice names[2];
    size_t n = 0;
    size_t i;
    json_t *e;
    json_array_foreach(ks, i, e) if (n < 2) names[n++] = json_string_slice(json_object_get(e, "AttributeName"));
    return join_names(names, n);
}

static const char *def_names(const json_t *defs)
{
    size_t n = json_array_size(defs), i;
    slice *names = arena_alloc(json_arena_current(), (n + 1) * sizeof(slice));
    json_t *d;
    json_array_foreach(defs, i, d) names[i] = json_string_slice(json_object_get(d, "AttributeName"));
    return join_names(names, n);
}

/* Semantic checks of one key schema (table or index), with DynamoDB's messages. */
static int check_key_schema(const json_t *ks, const json_t *defs, aws_error *err)
{
    json_t *first = json_array_get(ks, 0), *second = json_array_get(ks, 1);
    size_t i;
    json_t *e;
    size_t undefined = 0;
    json_array_foreach(ks, i, e) if (!defined(defs, json_string_value(json_object_get(e, "AttributeName"))))
        undefined++;
    if (json_array_size(ks) > json_array_size(defs))
        return error_validation(err, "Invalid KeySchema: Some index key attribute have no definition");
    if (undefined > 0)
        return error_validation(
            err,
            "One or more parameter values were invalid: Some index key attributes are not defined in "
            "AttributeDefinitions. Keys: %s, AttributeDefinitions: %s",
            key_names(ks), def_names(defs));
    if (second != NULL && strcmp(json_string_value(json_object_get(first, "AttributeName")),
                                 json_string_value(json_object_get(second, "AttributeName"))) == 0)
        return error_validation(err, "Both the Hash Key and the Range Key element in the KeySchema have the same name");
    if (strcmp(json_string_value(json_object_get(first, "KeyType")), "HASH") != 0)
        return error_validation(err, "Invalid KeySchema: The first KeySchemaElement is not a HASH key type");
    if (second != NULL && strcmp(json_string_value(json_object_get(second, "KeyType")), "RANGE") != 0)
        return error_validation(err, "Invalid KeySchema: The second KeySchemaElement is not a RANGE key type");
    return 0;
}

static json_t *clean_key_schema(const json_t *ks)
{
    json_t *out = json_array();
    size_t i;
    json_t *e;
    json_array_foreach(ks, i, e)
        json_array_append_new(out, json_pack("{s:O,s:O}", "AttributeName", json_object_get(e, "AttributeName"),
                                             "KeyType", json_object_get(e, "KeyType")));
    return out;
}

static json_t *clean_projection(const json_t *p)
{
    json_t *out = json_object();
    json_t *type = json_object_get(p, "ProjectionType");
    json_object_set_new(out, "ProjectionType",
                        json_string(json_is_string(type) ? json_string_value(type) : "KEYS_ONLY"));
    json_t *nk = json_object_get(p, "NonKeyAttributes");
    if (nk != NULL && !json_is_null(nk))
        json_object_set_new(out, "NonKeyAttributes", json_deep_copy(nk));
    return out;
}

static json_t *new_throughput(const json_t *pt)
{
    return json_pack("{s:I,s:I,s:i}", "ReadCapacityUnits",
                     (json_int_t)json_integer_value(json_object_get(pt, "ReadCapacityUnits")), "WriteCapacityUnits",
                     (json_int_t)json_integer_value(json_object_get(pt, "WriteCapacityUnits")),
                     "NumberOfDecreasesToday", 0);
}

static int check_capacity_bounds(const json_t *pt, aws_error *err)
{
    json_int_t r = json_integer_value(json_object_get(pt, "ReadCapacityUnits"));
    json_int_t w = json_integer_value(json_object_get(pt, "WriteCapacityUnits"));
    if (r > MAX_CAPACITY)
        return error_validation(err, "Given value %lld for ReadCapacityUnits is out of bounds", (long long)r);
    if (w > MAX_CAPACITY)
        return error_validation(err, "Given value %lld for WriteCapacityUnits is out of bounds", (long long)w);
    return 0;
}

/* One index of a CreateTable / UpdateTable request, checked and turned into its catalog form. */
static int build_index(const json_t *ix, const json_t *defs, const json_t *table_ks, bool global, bool pay_per_request,
                       const char *table_arn, const char *table_id, json_t **out, aws_error *err)
{
    const json_t *ks = json_object_get(ix, "KeySchema");
    const char *name = json_string_value(json_object_get(ix, "IndexName"));
    if (check_key_schema(ks, defs, err) != 0)
        return -1;
    if (!global) {
        const char *table_hash = json_string_value(json_object_get(json_array_get(table_ks, 0), "AttributeName"));
        const char *hash = json_string_value(json_object_get(json_array_get(ks, 0), "AttributeName"));
        if (json_array_size(ks) != 2)
            return error_validation(
                err,
                "One or more parameter values were invalid: Index KeySchema does not have a range key for index: %s",
                name);
        if (strcmp(hash, table_hash) != 0)
            return error_validation(err,
                                    "One or more parameter values were invalid: Index KeySchema does not have the same "
                                    "leading hash key as table KeySchema for index: %s. index hash key: %s, table hash "
                                    "key: %s",
                                    name, hash, table_hash);
    }
    const json_t *p = json_object_get(ix, "Projection");
    json_t *ptype = json_object_get(p, "ProjectionType");
    if (!json_is_string(ptype))
        return error_validation(err, "One or more parameter values were invalid: Unknown ProjectionType: null");
    json_t *nk = json_object_get(p, "NonKeyAttributes");
    bool include = strcmp(json_string_value(ptype), "INCLUDE") == 0;
    if (nk != NULL && !json_is_null(nk) && !include)
        return error_validation(
            err,
            "One or more parameter values were invalid: ProjectionType is %s, but NonKeyAttributes is "
            "specified",
            json_string_value(ptype));
    if (include && (nk == NULL || json_is_null(nk)))
        return error_validation(err, "One or more parameter values were invalid: ProjectionType is INCLUDE, but "
                                     "NonKeyAttributes is not specified");
    const json_t *pt = json_object_get(ix, "ProvisionedThroughput");
    bool has_pt = pt != NULL && !json_is_null(pt);
    if (global && pay_per_request && has_pt)
        return error_validation(
            err,
            "One or more parameter values were invalid: ProvisionedThroughput should not be specified "
            "for index: %s when BillingMode is PAY_PER_REQUEST",
            name);
    if (global && !pay_per_request && !has_pt)
        return error_validation(
            err,
            "One or more parameter values were invalid: ProvisionedThroughput must be specified for "
            "index: %s",
            name);
    if (has_pt && check_capacity_bounds(pt, err) != 0)
        return -1;
    json_t *o = json_object();
    json_object_set_new(o, "IndexName", json_string(name));
    json_object_set_new(o, "KeySchema", clean_key_schema(ks));
    json_object_set_new(o, "Projection", clean_projection(p));
    if (global)
        json_object_set_new(o, "ProvisionedThroughput",
                            has_pt ? new_throughput(pt)
                                   : json_pack("{s:i,s:i,s:i}", "ReadCapacityUnits", 0, "WriteCapacityUnits", 0,
                                               "NumberOfDecreasesToday", 0));
    json_object_set_new(o, "IndexArn", json_sprintf("%s/index/%s", table_arn, name));
    char uuid[REQID_UUID_LEN + 1];
    reqid_uuid(uuid);
    json_object_set_new(o, "DbName", json_sprintf("x:%s:%s", table_id, uuid));
    *out = o;
    return 0;
}

/* Every attribute definition must be used by some key schema (table or index). */
static int check_definitions_used(const json_t *defs, const json_t *table_ks, const json_t *gsis, const json_t *lsis,
                                  aws_error *err)
{
    size_t n_used = 0;
    slice used[2 + 2 * (MAX_GSI + MAX_LSI) + 8];
    const json_t *schemas[1 + MAX_GSI + MAX_LSI + 8];
    size_t n_schemas = 0;
    schemas[n_schemas++] = table_ks;
    size_t i;
    json_t *ix;
    json_array_foreach(gsis, i, ix) if (n_schemas < sizeof(schemas) / sizeof(schemas[0])) schemas[n_schemas++] =
        json_object_get(ix, "KeySchema");
    json_array_foreach(lsis, i, ix) if (n_schemas < sizeof(schemas) / sizeof(schemas[0])) schemas[n_schemas++] =
        json_object_get(ix, "KeySchema");
    for (size_t s = 0; s < n_schemas; s++) {
        json_t *e;
        json_array_foreach(schemas[s], i, e)
        {
            slice name = json_string_slice(json_object_get(e, "AttributeName"));
            bool seen = false;
            for (size_t k = 0; k < n_used && !seen; k++)
                seen = slice_eq(used[k], name);
            if (!seen && n_used < sizeof(used) / sizeof(used[0]))
                used[n_used++] = name;
        }
    }
    bool all_used = true;
    json_t *d;
    json_array_foreach(defs, i, d)
    {
        slice name = json_string_slice(json_object_get(d, "AttributeName"));
        bool seen = false;
        for (size_t k = 0; k < n_used && !seen; k++)
            seen = slice_eq(used[k], name);
        if (!seen)
            all_used = false;
    }
    if (all_used)
        return 0;
    if (json_array_size(gsis) == 0 && json_array_size(lsis) == 0)
        return error_validation(err,
                                "One or more parameter values were invalid: Number of attributes in KeySchema does not "
                                "exactly match number of attributes defined in AttributeDefinitions");
    return error_validation(err,
                            "One or more parameter values were invalid: Some AttributeDefinitions are not used. "
                            "AttributeDefinitions: %s, keys used: %s",
                            def_names(defs), join_names(used, n_used));
}

static int check_duplicate_definitions(const json_t *defs, aws_error *err)
{
    size_t i, k;
    json_t *a, *b;
    json_array_foreach(defs, i, a) json_array_foreach(defs, k, b)
    {
        if (k <= i)
            continue;
        if (json_equal(json_object_get(a, "AttributeName"), json_object_get(b, "AttributeName")))
            return error_validation(err, "Cannot have two attributes with the same name");
    }
    return 0;
}

/* ---- CreateTable ---- */

static int create_run(store_tx *tx, table_job *tj, aws_error *err)
{
    const table_def *t;
    if (store_tx_create_table(tx, tj->definition, &t, err) != 0)
        return -1;
    tj->response = json_pack("{s:o}", "TableDescription", table_description(t, NULL, tx, "ACTIVE"));
    return 0;
}

static int build_create_definition(dynamo_engine *e, const json_t *req, json_t **out, aws_error *err)
{
    if (check_types(req, err) != 0)
        return -1;
    verrs v = {0};
    json_t *ks = json_object_get(req, "KeySchema");
    json_t *defs = json_object_get(req, "AttributeDefinitions");
    json_t *gsis = json_object_get(req, "GlobalSecondaryIndexes");
    json_t *lsis = json_object_get(req, "LocalSecondaryIndexes");
    json_t *billing = json_object_get(req, "BillingMode");
    json_t *pt = json_object_get(req, "ProvisionedThroughput");
    if (json_is_null(pt))
        pt = NULL;
    check_attribute_definitions_shape(&v, defs, true);
    verrs_name(&v, "tableName", json_object_get(req, "TableName"), true);
    check_key_schema_shape(&v, "keySchema", ks);
    const char *lists[] = {"localSecondaryIndexes", "globalSecondaryIndexes"};
    const json_t *ixs[] = {lsis, gsis};
    for (int l = 0; l < 2; l++) {
        size_t i;
        json_t *ix;
        json_array_foreach(ixs[l], i, ix)
        {
            char path[96];
            snprintf(path, sizeof(path), "%s.%zu.member", lists[l], i + 1);
            char sub[128];
            snprintf(sub, sizeof(sub), "%s.indexName", path);
            verrs_name(&v, sub, json_object_get(ix, "IndexName"), true);
            snprintf(sub, sizeof(sub), "%s.keySchema", path);
            check_key_schema_shape(&v, sub, json_object_get(ix, "KeySchema"));
            check_projection_shape(&v, path, json_object_get(ix, "Projection"));
            json_t *ipt = json_object_get(ix, "ProvisionedThroughput");
            if (l == 1 && ipt != NULL && !json_is_null(ipt)) {
                snprintf(sub, sizeof(sub), "%s.provisionedThroughput", path);
                check_throughput_shape(&v, sub, ipt);
            }
        }
    }
    if (billing != NULL && json_is_string(billing) && strcmp(json_string_value(billing), "PROVISIONED") != 0 &&
        strcmp(json_string_value(billing), "PAY_PER_REQUEST") != 0)
        verrs_add(&v,
                  "Value '%s' at 'billingMode' failed to satisfy constraint: Member must satisfy enum value set: "
                  "[PROVISIONED, PAY_PER_REQUEST]",
                  json_string_value(billing));
    if (pt != NULL)
        check_throughput_shape(&v, "provisionedThroughput", pt);
    json_t *table_class = json_object_get(req, "TableClass");
    if (json_is_string(table_class) && strcmp(json_string_value(table_class), "STANDARD") != 0 &&
        strcmp(json_string_value(table_class), "STANDARD_INFREQUENT_ACCESS") != 0)
        verrs_add(&v,
                  "Value '%s' at 'tableClass' failed to satisfy constraint: Member must satisfy enum value set: "
                  "[STANDARD_INFREQUENT_ACCESS, STANDARD]",
                  json_string_value(table_class));
    if (verrs_finish(&v, err) != 0)
        return -1;

    bool ppr = billing != NULL && json_is_string(billing) && strcmp(json_string_value(billing), "PAY_PER_REQUEST") == 0;
    if (ppr && pt != NULL)
        return error_validation(err, "One or more parameter values were invalid: Neither ReadCapacityUnits nor "
                                     "WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST");
    if (!ppr && pt == NULL) {
        if (billing == NULL || json_is_null(billing))
            return error_validation(err, "No provisioned throughput specified for the table");
        return error_validation(err, "One or more parameter values were invalid: ReadCapacityUnits and "
                                     "WriteCapacityUnits must both be specified when BillingMode is PROVISIONED");
    }
    if (pt != NULL && check_capacity_bounds(pt, err) != 0)
        return -1;
    if (check_duplicate_definitions(defs, err) != 0)
        return -1;
    if (check_key_schema(ks, defs, err) != 0)
        return -1;
    if (gsis != NULL && json_array_size(gsis) == 0 && !json_is_null(gsis))
        return error_validation(err,
                                "One or more parameter values were invalid: List of GlobalSecondaryIndexes is empty");
    if (lsis != NULL && json_array_size(lsis) == 0 && !json_is_null(lsis))
        return error_validation(err,
                                "One or more parameter values were invalid: List of LocalSecondaryIndexes is empty");
    if (json_array_size(lsis) > 0 && json_array_size(ks) != 2)
        return error_validation(err, "One or more parameter values were invalid: Table KeySchema does not have a range "
                                     "key, which is required when specifying a LocalSecondaryIndex");
    if (json_array_size(gsis) > MAX_GSI)
        return error_validation(err,
                                "One or more parameter values were invalid: GlobalSecondaryIndex count exceeds the "
                                "per-table limit of %d",
                                MAX_GSI);
    if (json_array_size(lsis) > MAX_LSI)
        return error_validation(err,
                                "One or more parameter values were invalid: Number of LocalSecondaryIndexes exceeds "
                                "per-table limit of %d",
                                MAX_LSI);

    store *s = dynamo_engine_store(e);
    const char *name = json_string_value(json_object_get(req, "TableName"));
    char id[REQID_UUID_LEN + 1];
    reqid_uuid(id);
    char *arn = arena_sprintf(json_arena_current(), "arn:aws:dynamodb:%s:%s:table/%s", store_region(s),
                              store_account_id(s), name);
    json_t *d = json_object();
    json_object_set_new(d, "TableName", json_string(name));
    json_object_set_new(d, "TableId", json_string(id));
    json_object_set_new(d, "TableArn", json_string(arn));
    json_object_set_new(d, "CreationDateTime", json_real(now_epoch_seconds()));
    json_object_set_new(d, "KeySchema", clean_key_schema(ks));
    json_t *clean_defs = json_array();
    size_t i;
    json_t *x;
    json_array_foreach(defs, i, x)
        json_array_append_new(clean_defs, json_pack("{s:O,s:O}", "AttributeName", json_object_get(x, "AttributeName"),
                                                    "AttributeType", json_object_get(x, "AttributeType")));
    json_object_set_new(d, "AttributeDefinitions", clean_defs);
    json_object_set_new(d, "BillingMode", json_string(ppr ? "PAY_PER_REQUEST" : "PROVISIONED"));
    if (billing != NULL && !json_is_null(billing))
        json_object_set_new(d, "BillingModeExplicit", json_true());
    json_object_set_new(
        d, "ProvisionedThroughput",
        ppr ? json_pack("{s:i,s:i,s:i}", "ReadCapacityUnits", 0, "WriteCapacityUnits", 0, "NumberOfDecreasesToday", 0)
            : new_throughput(pt));
    json_object_set_new(d, "DbName", json_sprintf("t:%s", id));

    /* Index names are unique across GSIs and LSIs. */
    slice names[MAX_GSI + MAX_LSI];
    size_t n_names = 0;
    size_t non_key_total = 0;
    const char *out_lists[] = {"LocalSecondaryIndexes", "GlobalSecondaryIndexes"};
    for (int l = 0; l < 2; l++) {
        if (json_array_size(ixs[l]) == 0)
            continue;
        json_t *arr = json_array();
        json_t *ix;
        json_array_foreach(ixs[l], i, ix)
        {
            json_t *built;
            if (build_index(ix, defs, ks, l == 1, ppr, arn, id, &built, err) != 0)
                return -1;
            slice nm = json_string_slice(json_object_get(built, "IndexName"));
            for (size_t k = 0; k < n_names; k++)
                if (slice_eq(names[k], nm))
                    return error_validation(
                        err, "One or more parameter values were invalid: Duplicate index name: %.*s", SLICE_FMT(nm));
            names[n_names++] = nm;
            non_key_total += json_array_size(json_object_get(json_object_get(built, "Projection"), "NonKeyAttributes"));
            json_array_append_new(arr, built);
        }
        json_object_set_new(d, out_lists[l], arr);
    }
    if (non_key_total > MAX_NON_KEY_ATTRIBUTES)
        return error_validation(err,
                                "One or more parameter values were invalid: The sum of NonKeyAttributes across all "
                                "secondary indexes exceeds the limit of %d",
                                MAX_NON_KEY_ATTRIBUTES);
    if (check_definitions_used(defs, ks, gsis, lsis, err) != 0)
        return -1;

    json_t *stream = json_object_get(req, "StreamSpecification");
    if (json_is_true(json_object_get(stream, "StreamEnabled"))) {
        json_t *view = json_object_get(stream, "StreamViewType");
        if (!json_is_string(view))
            return error_validation(err, "One or more parameter values were invalid: StreamViewType must be specified "
                                         "when StreamEnabled is true");
        json_object_set_new(d, "StreamSpecification",
                            json_pack("{s:b,s:O}", "StreamEnabled", 1, "StreamViewType", view));
        char label[32];
        time_t now = (time_t)now_epoch_seconds();
        struct tm tm;
        gmtime_r(&now, &tm);
        strftime(label, sizeof(label), "%Y-%m-%dT%H:%M:%S.000", &tm);
        json_object_set_new(d, "LatestStreamLabel", json_string(label));
        json_object_set_new(d, "LatestStreamArn", json_sprintf("%s/stream/%s", arn, label));
    }
    json_t *sse = json_object_get(req, "SSESpecification");
    if (json_is_true(json_object_get(sse, "Enabled")))
        json_object_set_new(d, "SSEDescription",
                            json_pack("{s:s,s:s,s:s++}", "Status", "ENABLED", "SSEType", "KMS", "KMSMasterKeyArn",
                                      "arn:aws:kms:", store_region(s), ":key/aws-dynamodb"));
    json_t *cls = json_object_get(req, "TableClass");
    if (json_is_string(cls))
        json_object_set(d, "TableClass", cls);
    if (json_is_true(json_object_get(req, "DeletionProtectionEnabled")))
        json_object_set_new(d, "DeletionProtectionEnabled", json_true());
    json_t *tags = json_object_get(req, "Tags");
    if (json_array_size(tags) > 0)
        json_object_set_new(d, "Tags", json_deep_copy(tags));
    *out = d;
    return 0;
}

void op_create_table(dynamo_engine *e, dynamo_call *call)
{
    json_t *definition = NULL;
    if (build_create_definition(e, call->request, &definition, &call->error) != 0) {
        dynamo_call_fail(call, &call->error);
        return;
    }
    /* Catch the common case early; the job checks again inside the transaction. */
    store_reader *r = store_read_begin(dynamo_engine_store(e));
    slice name = json_string_slice(json_object_get(definition, "TableName"));
    bool exists = store_read_table(r, name) != NULL;
    store_read_end(r);
    if (exists) {
        aws_error err;
        error_set(&err, 400, "ResourceInUseException", "Table already exists: %.*s", SLICE_FMT(name));
        dynamo_call_fail(call, &err);
        return;
    }
    table_job_submit(e, call, create_run, definition);
}

/* ---- DescribeTable ---- */

static json_t *describe_table(const table_def *t, store_reader *r)
{
    return json_pack("{s:o}", "Table", table_description(t, r, NULL, "ACTIVE"));
}

void op_describe_table(dynamo_engine *e, dynamo_call *call)
{
    table_read_answer(e, call, describe_table);
}

/* ---- ListTables ---- */

void op_list_tables(dynamo_engine *e, dynamo_call *call)
{
    const json_t *req = call->request;
    json_t *start = json_object_get(req, "ExclusiveStartTableName");
    json_t *limit = json_object_get(req, "Limit");
    if (!is_string_or_absent(start) || (limit != NULL && !json_is_null(limit) && !json_is_integer(limit))) {
        aws_error err;
        serialization_error(&err, "Unexpected value type in payload");
        dynamo_call_fail(call, &err);
        return;
    }
    verrs v = {0};
    verrs_name(&v, "exclusiveStartTableName", start, false);
    json_int_t max = 100;
    if (json_is_integer(limit)) {
        max = json_integer_value(limit);
        if (max < 1)
            verrs_add(&v,
                      "Value '%lld' at 'limit' failed to satisfy constraint: Member must have value greater than or "
                      "equal to 1",
                      (long long)max);
        if (max > 100)
            verrs_add(&v,
                      "Value '%lld' at 'limit' failed to satisfy constraint: Member must have value less than or equal "
                      "to 100",
                      (long long)max);
    }
    if (verrs_finish(&v, &call->error) != 0) {
        dynamo_call_fail(call, &call->error);
        return;
    }
    store_reader *r = store_read_begin(dynamo_engine_store(e));
    size_t n;
    const table_def *const *tables =
        store_read_tables(r, json_is_string(start) ? json_string_slice(start) : SLICE_NULL, &n);
    json_t *names = json_array();
    size_t take = n < (size_t)max ? n : (size_t)max;
    for (size_t i = 0; i < take; i++)
        json_array_append_new(names, json_stringn(tables[i]->name.ptr, tables[i]->name.len));
    json_t *resp = json_pack("{s:o}", "TableNames", names);
    if (take < n && take > 0)
        json_object_set_new(resp, "LastEvaluatedTableName",
                            json_stringn(tables[take - 1]->name.ptr, tables[take - 1]->name.len));
    store_read_end(r);
    dynamo_call_succeed(call, resp);
}

/* ---- DeleteTable ---- */

static int delete_run(store_tx *tx, table_job *tj, aws_error *err)
{
    slice name = json_string_slice(json_object_get(tj->request, "TableName"));
    const table_def *t = store_tx_table(tx, name);
    if (t == NULL)
        return table_not_found(err, name);
    if (json_is_true(json_object_get(t->definition, "DeletionProtectionEnabled")))
        return error_validation(err,
                                "Resource cannot be deleted as it is currently protected against deletion. Disable "
                                "deletion protection first.");
    json_t *desc = table_description(t, NULL, tx, "DELETING");
    if (store_tx_delete_table(tx, t, err) != 0)
        return -1;
    tj->response = json_pack("{s:o}", "TableDescription", desc);
    return 0;
}

void op_delete_table(dynamo_engine *e, dynamo_call *call)
{
    slice name;
    if (table_name_param(call->request, &name, &call->error) != 0) {
        dynamo_call_fail(call, &call->error);
        return;
    }
    table_job_submit(e, call, delete_run, NULL);
}

/* ---- UpdateTable ---- */

static const json_t *find_def(const json_t *defs, const char *name)
{
    size_t i;
    json_t *d;
    json_array_foreach(defs, i,
                       d) if (strcmp(json_string_value(json_object_get(d, "AttributeName")), name) == 0) return d;
    return NULL;
}

/* AttributeDefinitions of the new definition: those of the table's and remaining indexes' keys. */
static json_t *definitions_in_use(const json_t *defs, const json_t *d)
{
    json_t *out = json_array();
    const json_t *schemas[1 + MAX_GSI + MAX_LSI + 1];
    size_t n = 0;
    schemas[n++] = json_object_get(d, "KeySchema");
    const char *lists[] = {"GlobalSecondaryIndexes", "LocalSecondaryIndexes"};
    for (int l = 0; l < 2; l++) {
        size_t i;
        json_t *ix;
        json_array_foreach(json_object_get(d, lists[l]), i, ix) if (n < sizeof(schemas) / sizeof(schemas[0]))
            schemas[n++] = json_object_get(ix, "KeySchema");
    }
    for (size_t s = 0; s < n; s++) {
        size_t i;
        json_t *e;
        json_array_foreach(schemas[s], i, e)
        {
            const char *name = json_string_value(json_object_get(e, "AttributeName"));
            if (find_def(out, name) == NULL && find_def(defs, name) != NULL)
                json_array_append_new(out, json_deep_copy(find_def(defs, name)));
        }
    }
    return out;
}

/* Applies new throughput values to a ProvisionedThroughput object of the catalog. */
static void apply_throughput(json_t *cur, const json_t *req_pt, double now)
{
    json_int_t r0 = json_integer_value(json_object_get(cur, "ReadCapacityUnits"));
    json_int_t w0 = json_integer_value(json_object_get(cur, "WriteCapacityUnits"));
    json_int_t r1 = json_integer_value(json_object_get(req_pt, "ReadCapacityUnits"));
    json_int_t w1 = json_integer_value(json_object_get(req_pt, "WriteCapacityUnits"));
    if (r1 > r0 || w1 > w0)
        json_object_set_new(cur, "LastIncreaseDateTime", json_real(now));
    if (r1 < r0 || w1 < w0) {
        json_object_set_new(cur, "LastDecreaseDateTime", json_real(now));
        json_object_set_new(cur, "NumberOfDecreasesToday",
                            json_integer(json_integer_value(json_object_get(cur, "NumberOfDecreasesToday")) + 1));
    }
    json_object_set_new(cur, "ReadCapacityUnits", json_integer(r1));
    json_object_set_new(cur, "WriteCapacityUnits", json_integer(w1));
}

static int update_run(store_tx *tx, table_job *tj, aws_error *err)
{
    const json_t *req = tj->request;
    slice name = json_string_slice(json_object_get(req, "TableName"));
    const table_def *t = store_tx_table(tx, name);
    if (t == NULL)
        return table_not_found(err, name);
    json_t *d = json_deep_copy(t->definition);
    double now = now_epoch_seconds();
    bool changed = false;

    /* Billing mode and table throughput. */
    json_t *billing = json_object_get(req, "BillingMode");
    json_t *pt = json_object_get(req, "ProvisionedThroughput");
    if (json_is_null(pt))
        pt = NULL;
    bool ppr_now = t->billing == BILLING_PAY_PER_REQUEST;
    bool ppr = ppr_now;
    if (json_is_string(billing)) {
        ppr = strcmp(json_string_value(billing), "PAY_PER_REQUEST") == 0;
        if (ppr != ppr_now || !json_is_true(json_object_get(d, "BillingModeExplicit"))) {
            json_object_set_new(d, "BillingMode", json_string(ppr ? "PAY_PER_REQUEST" : "PROVISIONED"));
            json_object_set_new(d, "BillingModeExplicit", json_true());
            if (ppr != ppr_now)
                json_object_set_new(d, "BillingModeUpdated", json_real(now));
            changed = changed || ppr != ppr_now;
        }
    }
    if (ppr && pt != NULL)
        return error_validation(err, "One or more parameter values were invalid: Neither ReadCapacityUnits nor "
                                     "WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST");
    if (!ppr && ppr_now && pt == NULL)
        return error_validation(err, "One or more parameter values were invalid: ReadCapacityUnits and "
                                     "WriteCapacityUnits must both be specified when BillingMode is PROVISIONED");
    if (pt != NULL) {
        if (check_capacity_bounds(pt, err) != 0)
            return -1;
        json_t *cur = json_object_get(d, "ProvisionedThroughput");
        json_int_t r0 = json_integer_value(json_object_get(cur, "ReadCapacityUnits"));
        json_int_t w0 = json_integer_value(json_object_get(cur, "WriteCapacityUnits"));
        json_int_t r1 = json_integer_value(json_object_get(pt, "ReadCapacityUnits"));
        json_int_t w1 = json_integer_value(json_object_get(pt, "WriteCapacityUnits"));
        bool has_other = json_array_size(json_object_get(req, "GlobalSecondaryIndexUpdates")) > 0 ||
                         json_object_get(req, "StreamSpecification") != NULL ||
                         json_object_get(req, "SSESpecification") != NULL;
        if (r0 == r1 && w0 == w1 && !ppr_now && !has_other)
            return error_validation(
                err,
                "The provisioned throughput for the table will not change. The requested value equals "
                "the current value. Current ReadCapacityUnits provisioned for the table: %lld. "
                "Requested ReadCapacityUnits: %lld. Current WriteCapacityUnits provisioned for the "
                "table: %lld. Requested WriteCapacityUnits: %lld. Refer to the Amazon DynamoDB "
                "Developer Guide for current limits and how to request higher limits.",
                (long long)r0, (long long)r1, (long long)w0, (long long)w1);
        apply_throughput(cur, pt, now);
        changed = true;
    }
    if (ppr && !ppr_now) {
        json_object_set_new(
            d, "ProvisionedThroughput",
            json_pack("{s:i,s:i,s:i}", "ReadCapacityUnits", 0, "WriteCapacityUnits", 0, "NumberOfDecreasesToday", 0));
        size_t i;
        json_t *ix;
        json_array_foreach(json_object_get(d, "GlobalSecondaryIndexes"), i, ix) json_object_set_new(
            ix, "ProvisionedThroughput",
            json_pack("{s:i,s:i,s:i}", "ReadCapacityUnits", 0, "WriteCapacityUnits", 0, "NumberOfDecreasesToday", 0));
    }
    if (!ppr && ppr_now) {
        /* Indexes take the table's capacity unless the request gives theirs. */
        size_t i;
        json_t *ix;
        json_array_foreach(json_object_get(d, "GlobalSecondaryIndexes"), i, ix)
            json_object_set_new(ix, "ProvisionedThroughput", new_throughput(pt));
    }

    /* Index updates. */
    json_t *updates = json_object_get(req, "GlobalSecondaryIndexUpdates");
    json_t *new_defs = json_object_get(req, "AttributeDefinitions");
    json_t *defs = json_deep_copy(json_object_get(d, "AttributeDefinitions"));
    size_t n_create_delete = 0;
    size_t i;
    json_t *u;
    json_array_foreach(updates, i, u)
    {
        json_t *create = json_object_get(u, "Create"), *update = json_object_get(u, "Update"),
               *del = json_object_get(u, "Delete");
        if (create != NULL || del != NULL)
            n_create_delete++;
        if (n_create_delete > 1)
            return error_set(err, 400, "LimitExceededException",
                             "Subscriber limit exceeded: Only 1 online index can be created or deleted simultaneously "
                             "per table");
        json_t *gsis = json_object_get(d, "GlobalSecondaryIndexes");
        if (create != NULL) {
            const char *ixname = json_string_value(json_object_get(create, "IndexName"));
            if (ixname == NULL)
                return error_validation(err,
                                        "1 validation error detected: Value null at "
                                        "'globalSecondaryIndexUpdates.1.member.create.indexName' failed to satisfy "
                                        "constraint: Member must not be null");
            if (table_find_index(t, slice_cstr(ixname)) != NULL)
                return error_validation(
                    err, "One or more parameter values were invalid: Index with name: %s already exists", ixname);
            if (json_array_size(gsis) >= MAX_GSI)
                return error_set(err, 400, "LimitExceededException",
                                 "Subscriber limit exceeded: The number of global secondary indexes exceeds the "
                                 "per-table limit of %d",
                                 MAX_GSI);
            if (new_defs == NULL || json_is_null(new_defs))
                return error_validation(err, "The number of attributes in key schema must match the number of "
                                             "attributes defined in attribute definitions.");
            /* New definitions join the table's; a type change of an attribute in use is refused. */
            size_t k;
            json_t *nd;
            json_array_foreach(new_defs, k, nd)
            {
                const char *an = json_string_value(json_object_get(nd, "AttributeName"));
                const json_t *old = find_def(defs, an);
                if (old != NULL &&
                    !json_equal(json_object_get(old, "AttributeType"), json_object_get(nd, "AttributeType")))
                    return error_validation(
                        err,
                        "One or more parameter values were invalid: Cannot update attribute %s. This "
                        "attribute is part of a index",
                        an);
                if (old == NULL)
                    json_array_append_new(defs,
                                          json_pack("{s:O,s:O}", "AttributeName", json_object_get(nd, "AttributeName"),
                                                    "AttributeType", json_object_get(nd, "AttributeType")));
            }
            json_t *built;
            if (build_index(create, defs, json_object_get(d, "KeySchema"), true, ppr,
                            json_string_value(json_object_get(d, "TableArn")),
                            json_string_value(json_object_get(d, "TableId")), &built, err) != 0)
                return -1;
            if (gsis == NULL) {
                gsis = json_array();
                json_object_set_new(d, "GlobalSecondaryIndexes", gsis);
            }
            json_array_append_new(gsis, built);
            changed = true;
        } else if (del != NULL) {
            const char *ixname = json_string_value(json_object_get(del, "IndexName"));
            bool found = false;
            for (size_t k = 0; k < json_array_size(gsis) && !found; k++)
                if (ixname != NULL &&
                    strcmp(json_string_value(json_object_get(json_array_get(gsis, k), "IndexName")), ixname) == 0) {
                    json_array_remove(gsis, k);
                    found = true;
                }
            if (!found)
                return error_set(err, 400, "ResourceNotFoundException",
                                 "Requested resource not found: Index: %s not found", ixname ? ixname : "null");
            if (json_array_size(gsis) == 0)
                json_object_del(d, "GlobalSecondaryIndexes");
            changed = true;
        } else if (update != NULL) {
            const char *ixname = json_string_value(json_object_get(update, "IndexName"));
            json_t *target = NULL;
            for (size_t k = 0; k < json_array_size(gsis); k++)
                if (ixname != NULL &&
                    strcmp(json_string_value(json_object_get(json_array_get(gsis, k), "IndexName")), ixname) == 0)
                    target = json_array_get(gsis, k);
            if (target == NULL)
                return error_set(err, 400, "ResourceNotFoundException",
                                 "Requested resource not found: Index: %s not found", ixname ? ixname : "null");
            json_t *ipt = json_object_get(update, "ProvisionedThroughput");
            if (ppr && ipt != NULL)
                return error_validation(
                    err,
                    "One or more parameter values were invalid: ProvisionedThroughput should not be "
                    "specified for index: %s when BillingMode is PAY_PER_REQUEST",
                    ixname);
            if (ipt != NULL) {
                if (check_capacity_bounds(ipt, err) != 0)
                    return -1;
                apply_throughput(json_object_get(target, "ProvisionedThroughput"), ipt, now);
                changed = true;
            }
        }
    }
    json_object_set_new(d, "AttributeDefinitions", definitions_in_use(defs, d));

    json_t *stream = json_object_get(req, "StreamSpecification");
    if (stream != NULL) {
        bool on = json_is_true(json_object_get(stream, "StreamEnabled"));
        bool was_on = json_is_true(json_object_get(json_object_get(d, "StreamSpecification"), "StreamEnabled"));
        if (on && was_on)
            return error_validation(err, "Table already has an enabled stream: TableName: %.*s", SLICE_FMT(name));
        if (!on && !was_on)
            return error_validation(err, "Table does not have a stream enabled");
        if (on) {
            json_object_set_new(d, "StreamSpecification",
                                json_pack("{s:b,s:O?}", "StreamEnabled", 1, "StreamViewType",
                                          json_object_get(stream, "StreamViewType")));
            char label[32];
            time_t secs = (time_t)now;
            struct tm tm;
            gmtime_r(&secs, &tm);
            strftime(label, sizeof(label), "%Y-%m-%dT%H:%M:%S.000", &tm);
            json_object_set_new(d, "LatestStreamLabel", json_string(label));
            json_object_set_new(d, "LatestStreamArn",
                                json_sprintf("%s/stream/%s", json_string_value(json_object_get(d, "TableArn")), label));
        } else {
            json_object_del(d, "StreamSpecification");
        }
        changed = true;
    }
    json_t *dp = json_object_get(req, "DeletionProtectionEnabled");
    if (json_is_boolean(dp)) {
        json_object_set_new(d, "DeletionProtectionEnabled", json_boolean(json_is_true(dp)));
        changed = true;
    }
    json_t *cls = json_object_get(req, "TableClass");
    if (json_is_string(cls)) {
        json_object_set(d, "TableClass", cls);
        changed = true;
    }
    json_t *sse = json_object_get(req, "SSESpecification");
    if (sse != NULL) {
        changed = true;
        if (json_is_true(json_object_get(sse, "Enabled")))
            json_object_set_new(d, "SSEDescription", json_pack("{s:s,s:s}", "Status", "ENABLED", "SSEType", "KMS"));
        else
            json_object_del(d, "SSEDescription");
    }
    if (!changed && !json_is_string(billing))
        return error_validation(err, "At least one of ProvisionedThroughput, BillingMode, UpdateStreamEnabled, "
                                     "GlobalSecondaryIndexUpdates or SSESpecification or ReplicaUpdates is required");
    const table_def *next;
    if (store_tx_update_table(tx, t, d, &next, err) != 0)
        return -1;
    tj->response = json_pack("{s:o}", "TableDescription", table_description(next, NULL, tx, "ACTIVE"));
    return 0;
}

void op_update_table(dynamo_engine *e, dynamo_call *call)
{
    const json_t *req = call->request;
    slice name;
    if (check_types(req, &call->error) != 0 || table_name_param(req, &name, &call->error) != 0) {
        dynamo_call_fail(call, &call->error);
        return;
    }
    verrs v = {0};
    json_t *billing = json_object_get(req, "BillingMode");
    if (json_is_string(billing) && strcmp(json_string_value(billing), "PROVISIONED") != 0 &&
        strcmp(json_string_value(billing), "PAY_PER_REQUEST") != 0)
        verrs_add(&v,
                  "Value '%s' at 'billingMode' failed to satisfy constraint: Member must satisfy enum value set: "
                  "[PROVISIONED, PAY_PER_REQUEST]",
                  json_string_value(billing));
    json_t *pt = json_object_get(req, "ProvisionedThroughput");
    if (pt != NULL && !json_is_null(pt))
        check_throughput_shape(&v, "provisionedThroughput", pt);
    check_attribute_definitions_shape(&v, json_object_get(req, "AttributeDefinitions"), false);
    size_t i;
    json_t *u;
    json_array_foreach(json_object_get(req, "GlobalSecondaryIndexUpdates"), i, u)
    {
        char path[128];
        json_t *create = json_object_get(u, "Create");
        if (create != NULL) {
            snprintf(path, sizeof(path), "globalSecondaryIndexUpdates.%zu.member.create.indexName", i + 1);
            verrs_name(&v, path, json_object_get(create, "IndexName"), true);
            snprintf(path, sizeof(path), "globalSecondaryIndexUpdates.%zu.member.create.keySchema", i + 1);
            check_key_schema_shape(&v, path, json_object_get(create, "KeySchema"));
            snprintf(path, sizeof(path), "globalSecondaryIndexUpdates.%zu.member.create", i + 1);
            check_projection_shape(&v, path, json_object_get(create, "Projection"));
        }
        json_t *ipt = json_object_get(json_object_get(u, "Update"), "ProvisionedThroughput");
        if (ipt != NULL) {
            snprintf(path, sizeof(path), "globalSecondaryIndexUpdates.%zu.member.update.provisionedThroughput", i + 1);
            check_throughput_shape(&v, path, ipt);
        }
    }
    if (verrs_finish(&v, &call->error) != 0) {
        dynamo_call_fail(call, &call->error);
        return;
    }
    table_job_submit(e, call, update_run, NULL);
}
