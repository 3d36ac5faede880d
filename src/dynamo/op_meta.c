/* Account- and resource-level operations with simple faithful answers: DescribeLimits,
 * DescribeEndpoints, DescribeContinuousBackups, TagResource, UntagResource, ListTagsOfResource. */
#include <string.h>

#include "core/json.h"
#include "dynamo/op_table_util.h"

void op_describe_limits(dynamo_engine *e, dynamo_call *call)
{
    (void)e;
    dynamo_call_succeed(call, json_pack("{s:i,s:i,s:i,s:i}", "AccountMaxReadCapacityUnits", 80000,
                                        "AccountMaxWriteCapacityUnits", 80000, "TableMaxReadCapacityUnits", 40000,
                                        "TableMaxWriteCapacityUnits", 40000));
}

void op_describe_endpoints(dynamo_engine *e, dynamo_call *call)
{
    const char *region = store_region(dynamo_engine_store(e));
    dynamo_call_succeed(call, json_pack("{s:[{s:s++,s:i}]}", "Endpoints", "Address", "dynamodb.", region,
                                        ".amazonaws.com", "CachePeriodInMinutes", 1440));
}

void op_describe_continuous_backups(dynamo_engine *e, dynamo_call *call)
{
    verrs v = {0};
    verrs_name(&v, "tableName", json_object_get(call->request, "TableName"), true);
    if (verrs_finish(&v, &call->error) != 0) {
        dynamo_call_fail(call, &call->error);
        return;
    }
    slice name = json_string_slice(json_object_get(call->request, "TableName"));
    store_reader *r = store_read_begin(dynamo_engine_store(e));
    bool found = store_read_table(r, name) != NULL;
    store_read_end(r);
    if (!found) {
        aws_error err;
        error_set(&err, 400, "TableNotFoundException", "Table not found: %.*s", SLICE_FMT(name));
        dynamo_call_fail(call, &err);
        return;
    }
    dynamo_call_succeed(call, json_pack("{s:{s:s,s:{s:s}}}", "ContinuousBackupsDescription", "ContinuousBackupsStatus",
                                        "ENABLED", "PointInTimeRecoveryDescription", "PointInTimeRecoveryStatus",
                                        "DISABLED"));
}

/* ---- tags ---- */

static int arn_param(const json_t *req, slice *arn, aws_error *err)
{
    json_t *a = json_object_get(req, "ResourceArn");
    *arn = SLICE_NULL;
    if (!json_is_string(a))
        return error_validation(err, "1 validation error detected: Value null at 'resourceArn' failed to satisfy "
                                     "constraint: Member must not be null");
    *arn = json_string_slice(a);
    if (arn->len < 1 || arn->len > 1283)
        return error_validation(err, "Invalid TableArn");
    return 0;
}

static int resource_not_found(aws_error *err, slice arn)
{
    return error_set(err, 400, "ResourceNotFoundException", "Requested resource not found: ResourcArn: %.*s not found",
                     SLICE_FMT(arn));
}

/* The table whose ARN is `arn`, in the write transaction's catalog. */
static const table_def *tx_table_by_arn(store_tx *tx, slice arn)
{
    static const char marker[] = ":table/";
    const char *p = memmem(arn.ptr, arn.len, marker, sizeof(marker) - 1);
    if (p == NULL)
        return NULL;
    slice name = slice_make(p + sizeof(marker) - 1, arn.len - (size_t)(p - arn.ptr) - (sizeof(marker) - 1));
    const table_def *t = store_tx_table(tx, name);
    return t != NULL && slice_eq(t->arn, arn) ? t : NULL;
}

static int tag_run(store_tx *tx, table_job *tj, aws_error *err)
{
    slice arn = json_string_slice(json_object_get(tj->request, "ResourceArn"));
    const table_def *t = tx_table_by_arn(tx, arn);
    if (t == NULL)
        return resource_not_found(err, arn);
    json_t *d = json_deep_copy(t->definition);
    json_t *tags = json_object_get(d, "Tags");
    if (tags == NULL) {
        tags = json_array();
        json_object_set_new(d, "Tags", tags);
    }
    json_t *add = json_object_get(tj->request, "Tags");
    json_t *remove = json_object_get(tj->request, "TagKeys");
    size_t i;
    json_t *x;
    /* TagResource replaces the values of existing keys; UntagResource removes keys. */
    json_array_foreach(add, i, x)
    {
        json_t *k = json_object_get(x, "Key");
        for (size_t j = 0; j < json_array_size(tags); j++)
            if (json_equal(json_object_get(json_array_get(tags, j), "Key"), k)) {
                json_array_remove(tags, j);
                break;
            }
        json_array_append_new(tags, json_pack("{s:O,s:O}", "Key", k, "Value", json_object_get(x, "Value")));
    }
    json_array_foreach(remove, i, x)
    {
        for (size_t j = 0; j < json_array_size(tags); j++)
            if (json_equal(json_object_get(json_array_get(tags, j), "Key"), x)) {
                json_array_remove(tags, j);
                break;
            }
    }
    if (json_array_size(tags) > 50)
        return error_set(err, 400, "ValidationException",
                         "One or more parameter values were invalid: The number of tags exceeds the limit of 50");
    if (store_tx_update_table(tx, t, d, NULL, err) != 0)
        return -1;
    tj->response = json_object();
    return 0;
}

static void tag_or_untag(dynamo_engine *e, dynamo_call *call, const char *list, const char *path)
{
    slice arn;
    if (arn_param(call->request, &arn, &call->error) != 0) {
        dynamo_call_fail(call, &call->error);
        return;
    }
    json_t *l = json_object_get(call->request, list);
    if (!json_is_array(l)) {
        error_validation(
            &call->error,
            "1 validation error detected: Value null at '%s' failed to satisfy constraint: Member must not "
            "be null",
            path);
        dynamo_call_fail(call, &call->error);
        return;
    }
    size_t i;
    json_t *x;
    json_array_foreach(l, i, x)
    {
        const json_t *k = strcmp(list, "Tags") == 0 ? json_object_get(x, "Key") : x;
        if (!json_is_string(k) || json_string_length(k) < 1 || json_string_length(k) > 128 ||
            (strcmp(list, "Tags") == 0 && !json_is_string(json_object_get(x, "Value")))) {
            error_validation(&call->error, "One or more parameter values were invalid: Invalid tag");
            dynamo_call_fail(call, &call->error);
            return;
        }
    }
    table_job_submit(e, call, tag_run, NULL);
}

void op_tag_resource(dynamo_engine *e, dynamo_call *call)
{
    tag_or_untag(e, call, "Tags", "tags");
}
void op_untag_resource(dynamo_engine *e, dynamo_call *call)
{
    tag_or_untag(e, call, "TagKeys", "tagKeys");
}

void op_list_tags_of_resource(dynamo_engine *e, dynamo_call *call)
{
    slice arn;
    if (arn_param(call->request, &arn, &call->error) != 0) {
        dynamo_call_fail(call, &call->error);
        return;
    }
    store_reader *r = store_read_begin(dynamo_engine_store(e));
    size_t n;
    const table_def *const *tables = store_read_tables(r, SLICE_NULL, &n);
    json_t *resp = NULL;
    for (size_t i = 0; i < n && resp == NULL; i++)
        if (slice_eq(tables[i]->arn, arn)) {
            json_t *tags = json_object_get(tables[i]->definition, "Tags");
            resp = json_pack("{s:o}", "Tags", tags != NULL ? json_deep_copy(tags) : json_array());
        }
    store_read_end(r);
    if (resp == NULL) {
        aws_error err;
        resource_not_found(&err, arn);
        dynamo_call_fail(call, &err);
        return;
    }
    dynamo_call_succeed(call, resp);
}
