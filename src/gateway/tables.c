#include "gateway/tables.h"

#include <pthread.h>
#include <string.h>

#include "core/json.h"
#include "core/log.h"

typedef struct waiter {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    bool finished;
} waiter;

static void wake(dynamo_call *call)
{
    waiter *w = call->user;
    pthread_mutex_lock(&w->lock);
    w->finished = true;
    pthread_cond_signal(&w->cond);
    pthread_mutex_unlock(&w->lock);
}

int dynamo_call_wait(dynamo_engine *engine, const char *operation, json_t *request, arena *a, json_t **response,
                     aws_error *err)
{
    waiter w = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, false};
    dynamo_call call = {.operation = slice_cstr(operation), .request = request, .arena = a, .done = wake, .user = &w};
    error_clear(&call.error);
    dynamo_engine_call(engine, &call);
    pthread_mutex_lock(&w.lock);
    while (!w.finished)
        pthread_cond_wait(&w.cond, &w.lock);
    pthread_mutex_unlock(&w.lock);
    if (error_is_set(&call.error)) {
        *err = call.error;
        return -1;
    }
    *response = call.response;
    return 0;
}

/* "pk HASH S, sk RANGE N" of a KeySchema + AttributeDefinitions pair, for comparing. */
static const char *key_signature(arena *a, const json_t *key_schema, const json_t *definitions)
{
    char *out = arena_strndup(a, "", 0);
    size_t i, j;
    const json_t *k, *d;
    json_array_foreach(key_schema, i, k)
    {
        const char *name = json_string_value(json_object_get(k, "AttributeName"));
        const char *type = "?";
        json_array_foreach(definitions, j, d)
        {
            if (name != NULL && json_is_string(json_object_get(d, "AttributeName")) &&
                strcmp(json_string_value(json_object_get(d, "AttributeName")), name) == 0)
                type = json_string_value(json_object_get(d, "AttributeType"));
        }
        out = arena_sprintf(a, "%s%s%s %s %s", out, i ? ", " : "", name ? name : "?",
                            json_string_value(json_object_get(k, "KeyType")), type ? type : "?");
    }
    return out;
}

int gateway_ensure_tables(const stack_model *m, dynamo_engine *engine, aws_error *err)
{
    arena a;
    arena_init(&a, 16384);
    arena *previous = json_arena_push(&a);
    int rc = 0;
    for (size_t i = 0; i < m->table_count && rc == 0; i++) {
        const model_table *t = &m->tables[i];
        json_t *response;
        aws_error e;
        error_clear(&e);
        json_t *describe = json_pack("{s:s#}", "TableName", t->name.ptr, t->name.len);
        if (dynamo_call_wait(engine, "DescribeTable", describe, &a, &response, &e) == 0) {
            const json_t *table = json_object_get(response, "Table");
            const char *have =
                key_signature(&a, json_object_get(table, "KeySchema"), json_object_get(table, "AttributeDefinitions"));
            const char *want = key_signature(&a, json_object_get(t->create_request, "KeySchema"),
                                             json_object_get(t->create_request, "AttributeDefinitions"));
            if (strcmp(have, want) != 0)
                rc = error_set(err, 400, "ValidationError",
                               "Table %.*s (%.*s) exists in the data folder with key schema [%s], but the template "
                               "declares [%s]",
                               SLICE_FMT(t->name), SLICE_FMT(t->logical_id), have, want);
            continue;
        }
        if (strcmp(e.type, "ResourceNotFoundException") != 0) {
            *err = e;
            rc = -1;
            continue;
        }
        if (dynamo_call_wait(engine, "CreateTable", json_deep_copy(t->create_request), &a, &response, &e) != 0) {
            rc = error_set(err, 400, "ValidationError", "Resource %.*s: CreateTable failed: %s",
                           SLICE_FMT(t->logical_id), e.message);
            continue;
        }
        log_info("created table %.*s", SLICE_FMT(t->name));
        if (t->ttl != NULL && json_is_true(json_object_get(t->ttl, "Enabled"))) {
            json_t *ttl =
                json_pack("{s:s#, s:O}", "TableName", t->name.ptr, t->name.len, "TimeToLiveSpecification", t->ttl);
            if (dynamo_call_wait(engine, "UpdateTimeToLive", ttl, &a, &response, &e) != 0)
                rc = error_set(err, 400, "ValidationError", "Resource %.*s: UpdateTimeToLive failed: %s",
                               SLICE_FMT(t->logical_id), e.message);
        }
    }
    json_arena_pop(previous);
    arena_destroy(&a);
    return rc;
}
