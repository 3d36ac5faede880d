/* Time to Live settings: UpdateTimeToLive, DescribeTimeToLive (the sweeper is store_ttl.c). */
#include <string.h>

#include "core/json.h"
#include "dynamo/op_table_util.h"

static int ttl_run(store_tx *tx, table_job *tj, aws_error *err)
{
    const json_t *req = tj->request;
    slice name = json_string_slice(json_object_get(req, "TableName"));
    const table_def *t = store_tx_table(tx, name);
    if (t == NULL)
        return table_not_found(err, name);
    const json_t *spec = json_object_get(req, "TimeToLiveSpecification");
    bool enable = json_is_true(json_object_get(spec, "Enabled"));
    const char *attr = json_string_value(json_object_get(spec, "AttributeName"));
    const json_t *cur = json_object_get(t->definition, "TimeToLive");
    bool enabled = slice_eq_cstr(json_string_slice(json_object_get(cur, "Status")), "ENABLED");
    const char *cur_attr = json_string_value(json_object_get(cur, "AttributeName"));
    if (enable && enabled)
        return error_validation(err, "TimeToLive is already enabled");
    if (!enable && !enabled)
        return error_validation(err, "TimeToLive is already disabled");
    if (!enable && cur_attr != NULL && strcmp(cur_attr, attr) != 0)
        return error_validation(err, "TimeToLive is active on a different AttributeName: current AttributeName is %s",
                                cur_attr);
    json_t *d = json_deep_copy(t->definition);
    json_object_set_new(d, "TimeToLive",
                        json_pack("{s:s,s:s}", "AttributeName", attr, "Status", enable ? "ENABLED" : "DISABLED"));
    if (store_tx_update_table(tx, t, d, NULL, err) != 0)
        return -1;
    tj->response = json_pack("{s:{s:b,s:s}}", "TimeToLiveSpecification", "Enabled", enable, "AttributeName", attr);
    return 0;
}

void op_update_time_to_live(dynamo_engine *e, dynamo_call *call)
{
    const json_t *req = call->request;
    const json_t *spec = json_object_get(req, "TimeToLiveSpecification");
    if (!json_is_string(json_object_get(req, "TableName")) && json_object_get(req, "TableName") != NULL) {
        serialization_error(&call->error, "Unexpected value type in payload");
        dynamo_call_fail(call, &call->error);
        return;
    }
    verrs v = {0};
    verrs_name(&v, "tableName", json_object_get(req, "TableName"), true);
    if (spec == NULL || json_is_null(spec)) {
        verrs_add(&v, "Value null at 'timeToLiveSpecification' failed to satisfy constraint: Member must not be null");
    } else {
        json_t *attr = json_object_get(spec, "AttributeName");
        json_t *enabled = json_object_get(spec, "Enabled");
        if (!json_is_string(attr))
            verrs_add(&v, "Value null at 'timeToLiveSpecification.attributeName' failed to satisfy constraint: Member "
                          "must not be null");
        else if (json_string_length(attr) < 1 || json_string_length(attr) > 255)
            verrs_add(&v,
                      "Value '%s' at 'timeToLiveSpecification.attributeName' failed to satisfy constraint: Member must "
                      "have length %s",
                      json_string_value(attr),
                      json_string_length(attr) < 1 ? "greater than or equal to 1" : "less than or equal to 255");
        if (!json_is_boolean(enabled))
            verrs_add(&v,
                      "Value null at 'timeToLiveSpecification.enabled' failed to satisfy constraint: Member must not "
                      "be null");
    }
    if (verrs_finish(&v, &call->error) != 0) {
        dynamo_call_fail(call, &call->error);
        return;
    }
    table_job_submit(e, call, ttl_run, NULL);
}

static json_t *describe_time_to_live(const table_def *t, store_reader *r)
{
    (void)r;
    const json_t *cur = json_object_get(t->definition, "TimeToLive");
    json_t *desc = json_object();
    if (slice_eq_cstr(json_string_slice(json_object_get(cur, "Status")), "ENABLED")) {
        json_object_set_new(desc, "TimeToLiveStatus", json_string("ENABLED"));
        json_object_set_new(desc, "AttributeName", json_deep_copy(json_object_get(cur, "AttributeName")));
    } else {
        json_object_set_new(desc, "TimeToLiveStatus", json_string("DISABLED"));
    }
    return json_pack("{s:o}", "TimeToLiveDescription", desc);
}

void op_describe_time_to_live(dynamo_engine *e, dynamo_call *call)
{
    table_read_answer(e, call, describe_time_to_live);
}
