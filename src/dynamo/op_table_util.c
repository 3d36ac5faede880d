/* Shared pieces of the table operations: validation messages, descriptions, catalog jobs. */
#include "dynamo/op_table_util.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/json.h"

void verrs_add(verrs *v, const char *fmt, ...)
{
    if (v->len + 3 >= sizeof(v->text))
        return;
    if (v->n > 0) {
        memcpy(v->text + v->len, "; ", 2);
        v->len += 2;
    }
    va_list ap;
    va_start(ap, fmt);
    int w = vsnprintf(v->text + v->len, sizeof(v->text) - v->len, fmt, ap);
    va_end(ap);
    if (w > 0)
        v->len += (size_t)w < sizeof(v->text) - v->len ? (size_t)w : sizeof(v->text) - v->len - 1;
    v->n++;
}

int verrs_finish(const verrs *v, aws_error *err)
{
    if (v->n == 0)
        return 0;
    return error_validation(err, "%d validation error%s detected: %.*s", v->n, v->n == 1 ? "" : "s", (int)v->len,
                            v->text);
}

static bool name_char_ok(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.' ||
           c == '-';
}

void verrs_name(verrs *v, const char *path, const json_t *name, bool required)
{
    if (name == NULL || json_is_null(name)) {
        if (required)
            verrs_add(v, "Value null at '%s' failed to satisfy constraint: Member must not be null", path);
        return;
    }
    slice s = json_string_slice(name);
    if (s.ptr == NULL)
        s = SLICE_LIT("");
    bool pattern_ok = s.len > 0;
    for (size_t i = 0; i < s.len; i++)
        if (!name_char_ok(s.ptr[i]))
            pattern_ok = false;
    if (!pattern_ok)
        verrs_add(v,
                  "Value '%.*s' at '%s' failed to satisfy constraint: Member must satisfy regular expression pattern: "
                  "[a-zA-Z0-9_.-]+",
                  SLICE_FMT(s), path);
    if (s.len < 3)
        verrs_add(
            v, "Value '%.*s' at '%s' failed to satisfy constraint: Member must have length greater than or equal to 3",
            SLICE_FMT(s), path);
    if (s.len > 255)
        verrs_add(
            v, "Value '%.*s' at '%s' failed to satisfy constraint: Member must have length less than or equal to 255",
            SLICE_FMT(s), path);
}

int serialization_error(aws_error *err, const char *what)
{
    return error_set(err, 400, "SerializationException", "%s", what);
}

int table_name_param(const json_t *req, slice *name, aws_error *err)
{
    const json_t *v = json_object_get(req, "TableName");
    if (v != NULL && !json_is_string(v) && !json_is_null(v))
        return serialization_error(err, "Unexpected value type in payload");
    verrs checks = {0};
    verrs_name(&checks, "tableName", v, true);
    if (verrs_finish(&checks, err) != 0)
        return -1;
    *name = json_string_slice(v);
    return 0;
}

void table_read_answer(dynamo_engine *e, dynamo_call *call, table_describer describe)
{
    slice name;
    if (table_name_param(call->request, &name, &call->error) != 0) {
        dynamo_call_fail(call, &call->error);
        return;
    }
    store_reader *r = store_read_begin(dynamo_engine_store(e));
    const table_def *t = store_read_table(r, name);
    json_t *resp = t != NULL ? describe(t, r) : NULL;
    store_read_end(r);
    if (t == NULL) {
        table_not_found(&call->error, name);
        dynamo_call_fail(call, &call->error);
        return;
    }
    dynamo_call_succeed(call, resp);
}

int table_not_found(aws_error *err, slice name)
{
    return error_set(err, 400, "ResourceNotFoundException", "Requested resource not found: Table: %.*s not found",
                     SLICE_FMT(name));
}

double now_epoch_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    /* Milliseconds, as DynamoDB reports them. */
    return (double)ts.tv_sec + (double)(ts.tv_nsec / 1000000) / 1000.0;
}

const char *join_names(const slice *names, size_t n)
{
    size_t len = 3;
    for (size_t i = 0; i < n; i++)
        len += names[i].len + 2;
    arena *a = json_arena_current();
    char *out = a != NULL ? arena_alloc(a, len) : NULL;
    static _Thread_local char fallback[1024];
    if (out == NULL) {
        out = fallback;
        if (len > sizeof(fallback))
            len = sizeof(fallback);
    }
    size_t at = 0;
    out[at++] = '[';
    for (size_t i = 0; i < n; i++) {
        if (i > 0 && at + 2 < len) {
            out[at++] = ',';
            out[at++] = ' ';
        }
        size_t k = names[i].len < len - at - 2 ? names[i].len : len - at - 2;
        memcpy(out + at, names[i].ptr, k);
        at += k;
    }
    out[at++] = ']';
    out[at] = '\0';
    return out;
}

/* ---- descriptions ---- */

static void read_stats(const table_def *t, store_reader *r, store_tx *tx, slice index, store_stats *st)
{
    memset(st, 0, sizeof(*st));
    if (tx != NULL)
        store_tx_stats(tx, t, index, st);
    else if (r != NULL)
        store_read_stats(r, t, index, st);
}

static json_t *copy_of(const json_t *d, const char *key)
{
    json_t *v = json_object_get(d, key);
    return v != NULL ? json_deep_copy(v) : NULL;
}

static json_t *throughput(const json_t *pt, bool with_decreases)
{
    json_t *o = json_object();
    const char *dates[] = {"LastIncreaseDateTime", "LastDecreaseDateTime"};
    for (int i = 0; i < 2; i++) {
        json_t *v = json_object_get(pt, dates[i]);
        if (v != NULL)
            json_object_set_new(o, dates[i], json_real(json_number_value(v)));
    }
    if (with_decreases)
        json_object_set_new(o, "NumberOfDecreasesToday",
                            json_integer(json_integer_value(json_object_get(pt, "NumberOfDecreasesToday"))));
    json_object_set_new(o, "ReadCapacityUnits",
                        json_integer(json_integer_value(json_object_get(pt, "ReadCapacityUnits"))));
    json_object_set_new(o, "WriteCapacityUnits",
                        json_integer(json_integer_value(json_object_get(pt, "WriteCapacityUnits"))));
    return o;
}

static json_t *projection(const json_t *p)
{
    json_t *o = json_object();
    json_object_set_new(o, "ProjectionType", copy_of(p, "ProjectionType"));
    json_t *nk = json_object_get(p, "NonKeyAttributes");
    if (nk != NULL)
        json_object_set_new(o, "NonKeyAttributes", json_deep_copy(nk));
    return o;
}

json_t *table_description(const table_def *t, store_reader *r, store_tx *tx, const char *status)
{
    const json_t *d = t->definition;
    json_t *o = json_object();
    store_stats st;
    read_stats(t, r, tx, SLICE_NULL, &st);
    json_object_set_new(o, "AttributeDefinitions", copy_of(d, "AttributeDefinitions"));
    json_object_set_new(o, "TableName", copy_of(d, "TableName"));
    json_object_set_new(o, "KeySchema", copy_of(d, "KeySchema"));
    json_object_set_new(o, "TableStatus", json_string(status));
    json_object_set_new(o, "CreationDateTime", json_real(t->creation_time));
    json_object_set_new(o, "ProvisionedThroughput", throughput(json_object_get(d, "ProvisionedThroughput"), true));
    json_object_set_new(o, "TableSizeBytes", json_integer(st.size_bytes));
    json_object_set_new(o, "ItemCount", json_integer(st.item_count));
    json_object_set_new(o, "TableArn", copy_of(d, "TableArn"));
    json_object_set_new(o, "TableId", copy_of(d, "TableId"));
    if (t->billing == BILLING_PAY_PER_REQUEST || json_is_true(json_object_get(d, "BillingModeExplicit"))) {
        json_t *b = json_pack("{s:s}", "BillingMode",
                              t->billing == BILLING_PAY_PER_REQUEST ? "PAY_PER_REQUEST" : "PROVISIONED");
        json_t *when = json_object_get(d, "BillingModeUpdated");
        if (t->billing == BILLING_PAY_PER_REQUEST)
            json_object_set_new(b, "LastUpdateToPayPerRequestDateTime",
                                json_real(when != NULL ? json_number_value(when) : t->creation_time));
        json_object_set_new(o, "BillingModeSummary", b);
    }
    const char *lists[] = {"LocalSecondaryIndexes", "GlobalSecondaryIndexes"};
    for (int l = 0; l < 2; l++) {
        const json_t *src = json_object_get(d, lists[l]);
        if (json_array_size(src) == 0)
            continue;
        bool global = l == 1;
        json_t *arr = json_array();
        size_t i;
        json_t *ix;
        json_array_foreach(src, i, ix)
        {
            json_t *e = json_object();
            slice name = json_string_slice(json_object_get(ix, "IndexName"));
            store_stats ist;
            read_stats(t, r, tx, name, &ist);
            json_object_set_new(e, "IndexName", copy_of(ix, "IndexName"));
            json_object_set_new(e, "KeySchema", copy_of(ix, "KeySchema"));
            json_object_set_new(e, "Projection", projection(json_object_get(ix, "Projection")));
            if (global) {
                json_object_set_new(e, "IndexStatus", json_string("ACTIVE"));
                json_object_set_new(e, "ProvisionedThroughput",
                                    throughput(json_object_get(ix, "ProvisionedThroughput"), true));
            }
            json_object_set_new(e, "IndexSizeBytes", json_integer(ist.size_bytes));
            json_object_set_new(e, "ItemCount", json_integer(ist.item_count));
            json_object_set_new(e, "IndexArn", copy_of(ix, "IndexArn"));
            json_array_append_new(arr, e);
        }
        json_object_set_new(o, lists[l], arr);
    }
    json_t *stream = json_object_get(d, "StreamSpecification");
    if (json_is_true(json_object_get(stream, "StreamEnabled"))) {
        json_object_set_new(o, "StreamSpecification", json_deep_copy(stream));
        json_object_set_new(o, "LatestStreamLabel", copy_of(d, "LatestStreamLabel"));
        json_object_set_new(o, "LatestStreamArn", copy_of(d, "LatestStreamArn"));
    }
    json_t *sse = json_object_get(d, "SSEDescription");
    if (sse != NULL)
        json_object_set_new(o, "SSEDescription", json_deep_copy(sse));
    json_t *cls = json_object_get(d, "TableClass");
    if (cls != NULL)
        json_object_set_new(o, "TableClassSummary", json_pack("{s:o}", "TableClass", json_deep_copy(cls)));
    json_object_set_new(o, "DeletionProtectionEnabled",
                        json_boolean(json_is_true(json_object_get(d, "DeletionProtectionEnabled"))));
    return o;
}

/* ---- jobs ---- */

static int table_job_run(store_tx *tx, void *ctx, aws_error *err)
{
    table_job *tj = ctx;
    return tj->run(tx, tj, err);
}

static void table_job_done(store_job *job)
{
    table_job *tj = job->user;
    if (job->status != 0)
        dynamo_call_fail(tj->call, &job->error);
    else
        dynamo_call_succeed(tj->call, tj->response);
}

void table_job_submit(dynamo_engine *e, dynamo_call *call, table_job_fn run, json_t *definition)
{
    table_job *tj = arena_calloc(call->arena, sizeof(*tj));
    tj->call = call;
    tj->run = run;
    tj->request = call->request;
    tj->definition = definition;
    tj->job.run = table_job_run;
    tj->job.ctx = tj;
    tj->job.arena = call->arena;
    tj->job.done = table_job_done;
    tj->job.user = tj;
    store_submit(dynamo_engine_store(e), &tj->job);
}
