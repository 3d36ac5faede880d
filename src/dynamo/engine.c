/* The engine on the embedded store: the operation table, the store and the TTL sweeper. */
#include "dynamo/engine.h"

#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "core/log.h"
#include "dynamo/ops.h"
#include "dynamo/store_ttl.h"

struct dynamo_engine {
    store *store;
    ttl_sweeper *ttl;
};

typedef struct op_entry {
    const char *name;
    dynamo_op_fn fn;
} op_entry;

/* In strcmp order (find_operation searches it by halves). */
static const op_entry operations[] = {
    {"BatchGetItem", op_batch_get_item},
    {"BatchWriteItem", op_batch_write_item},
    {"CreateTable", op_create_table},
    {"DeleteItem", op_delete_item},
    {"DeleteTable", op_delete_table},
    {"DescribeContinuousBackups", op_describe_continuous_backups},
    {"DescribeEndpoints", op_describe_endpoints},
    {"DescribeLimits", op_describe_limits},
    {"DescribeTable", op_describe_table},
    {"DescribeTimeToLive", op_describe_time_to_live},
    {"GetItem", op_get_item},
    {"ListTables", op_list_tables},
    {"ListTagsOfResource", op_list_tags_of_resource},
    {"PutItem", op_put_item},
    {"Query", op_query},
    {"Scan", op_scan},
    {"TagResource", op_tag_resource},
    {"TransactGetItems", op_transact_get_items},
    {"TransactWriteItems", op_transact_write_items},
    {"UntagResource", op_untag_resource},
    {"UpdateItem", op_update_item},
    {"UpdateTable", op_update_table},
    {"UpdateTimeToLive", op_update_time_to_live},
};

/* strcmp order of a slice against a name. */
static int compare_name(slice name, const char *entry)
{
    size_t n = strlen(entry);
    int c = memcmp(name.ptr, entry, name.len < n ? name.len : n);
    return c != 0 ? c : name.len < n ? -1 : name.len > n ? 1 : 0;
}

/* Binary search: every request names its operation, and the table is kept in strcmp order (the
 * unit tests check it). */
static const op_entry *find_operation(slice name)
{
    size_t lo = 0, hi = sizeof(operations) / sizeof(operations[0]);
    if (name.ptr == NULL)
        return NULL;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = compare_name(name, operations[mid].name);
        if (c == 0)
            return &operations[mid];
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return NULL;
}

bool dynamo_operation_known(slice operation)
{
    return find_operation(operation) != NULL;
}

dynamo_engine *dynamo_engine_open(const dynamo_options *options, aws_error *err)
{
    store_options so = {
        .data_dir = options->data_dir,
        .map_size = options->map_size,
        .no_sync = options->no_sync,
        .region = options->region,
        .account_id = options->account_id,
    };
    store *s = store_open(&so, err);
    if (s == NULL)
        return NULL;
    dynamo_engine *e = calloc(1, sizeof(*e));
    if (e == NULL) {
        store_close(s);
        error_set(err, 500, "InternalServerError", "out of memory");
        return NULL;
    }
    e->store = s;
    e->ttl = ttl_sweeper_start(s, TTL_SWEEP_INTERVAL_DEFAULT_MS);
    return e;
}

void dynamo_engine_close(dynamo_engine *engine)
{
    if (engine == NULL)
        return;
    ttl_sweeper_stop(engine->ttl);
    store_close(engine->store);
    free(engine);
}

store *dynamo_engine_store(dynamo_engine *e)
{
    return e->store;
}

void dynamo_call_fail(dynamo_call *call, const aws_error *err)
{
    call->response = NULL;
    call->response_text = SLICE_NULL;
    if (&call->error != err)
        call->error = *err;
    call->done(call);
}

void dynamo_call_succeed(dynamo_call *call, json_t *response)
{
    call->response = response;
    error_clear(&call->error);
    call->done(call);
}

void dynamo_call_succeed_text(dynamo_call *call, slice text)
{
    call->response = NULL;
    call->response_text = text;
    error_clear(&call->error);
    call->done(call);
}

void dynamo_engine_call(dynamo_engine *engine, dynamo_call *call)
{
    call->response = NULL;
    call->response_text = SLICE_NULL;
    error_clear(&call->error);
    const op_entry *op = find_operation(call->operation);
    if (op == NULL) {
        aws_error err;
        error_set(&err, 400, "UnknownOperationException", "%s", "");
        dynamo_call_fail(call, &err);
        return;
    }
    if (!json_is_object(call->request)) {
        aws_error err;
        error_set(&err, 400, "SerializationException", "Start of structure or map found where not expected");
        dynamo_call_fail(call, &err);
        return;
    }
    arena *prev = json_arena_push(call->arena);
    op->fn(engine, call);
    json_arena_pop(prev);
}
