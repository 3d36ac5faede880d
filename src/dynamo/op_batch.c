/* BatchGetItem (one read transaction, every key answered: UnprocessedKeys stays empty) and
 * BatchWriteItem (every put and delete in one writer job: UnprocessedItems stays empty). */
#include <stdio.h>
#include <string.h>

#include "core/json.h"
#include "dynamo/item_request.h"
#include "dynamo/key_codec.h"
#include "dynamo/legacy.h"

#define BATCH_GET_MAX   100
#define BATCH_WRITE_MAX 25

/* RequestItems: a non-empty map of table name -> entry, with valid table names. */
static int request_items(const json_t *req, const char *op, json_t **out, aws_error *err)
{
    json_t *items;
    if (ireq_object(req, "RequestItems", "requestItems", true, &items, err) < 0)
        return -1;
    if (json_object_size(items) == 0)
        return error_validation(err, "The requestItems parameter is required for %s", op);
    const char *name;
    json_t *entry;
    json_object_foreach(items, name, entry)
    {
        size_t len = strlen(name);
        bool ok = len >= 3 && len <= 255;
        for (size_t i = 0; ok && i < len; i++)
            ok = (name[i] >= 'a' && name[i] <= 'z') || (name[i] >= 'A' && name[i] <= 'Z') ||
                 (name[i] >= '0' && name[i] <= '9') || name[i] == '_' || name[i] == '.' || name[i] == '-';
        if (!ok)
            return error_validation(
                err, "1 validation error detected: Value at 'requestItems' failed to satisfy constraint: "
                     "Map keys must satisfy constraint: [Member must have length less than or equal to "
                     "255, Member must have length greater than or equal to 3, Member must satisfy "
                     "regular expression pattern: [a-zA-Z0-9_.-]+]");
    }
    *out = items;
    return 0;
}

/* Is `k` among keys[0 .. n)? */
static bool seen_key(const slice *keys, size_t n, slice k)
{
    for (size_t i = 0; i < n; i++)
        if (slice_eq(keys[i], k))
            return true;
    return false;
}

/* ---- BatchGetItem ---- */

typedef struct get_table {
    const char *name;
    json_t *keys;
    bool consistent;
    expr_set x;
} get_table;

void op_batch_get_item(dynamo_engine *e, dynamo_call *call)
{
    aws_error err;
    error_clear(&err);
    arena *a = call->arena;
    json_t *items;
    rcc_mode rcc;
    store_reader *r = NULL;
    if (request_items(call->request, "BatchGetItem", &items, &err) < 0 || ireq_rcc(call->request, &rcc, &err) < 0)
        goto fail;
    size_t n_tables = json_object_size(items), total = 0, ti = 0;
    get_table *tables = arena_calloc(a, n_tables * sizeof *tables);
    const char *name;
    json_t *entry;
    json_object_foreach(items, name, entry)
    {
        get_table *g = &tables[ti++];
        g->name = name;
        if (!json_is_object(entry)) {
            error_set(&err, 400, "SerializationException", "Unexpected field type");
            goto fail;
        }
        g->keys = json_object_get(entry, "Keys");
        if (g->keys == NULL || json_is_null(g->keys)) {
            error_validation(&err,
                             "1 validation error detected: Value null at 'requestItems.%s.member.keys' failed to "
                             "satisfy constraint: Member must not be null",
                             name);
            goto fail;
        }
        if (!json_is_array(g->keys)) {
            error_set(&err, 400, "SerializationException", "Unexpected field type");
            goto fail;
        }
        if (json_array_size(g->keys) == 0 || json_array_size(g->keys) > BATCH_GET_MAX) {
            error_validation(&err,
                             "1 validation error detected: Value at 'requestItems.%s.member.keys' failed to satisfy "
                             "constraint: Member must have length %s",
                             name,
                             json_array_size(g->keys) ? "less than or equal to 100" : "greater than or equal to 1");
            goto fail;
        }
        total += json_array_size(g->keys);
        if (ireq_bool(entry, "ConsistentRead", false, &g->consistent, &err) < 0)
            goto fail;
        json_t *translated = legacy_translate(LEGACY_BATCH_GET, entry, NULL, &err);
        if (translated == NULL || ireq_compile(a, translated, EXPR_PARAM_PROJECTION, &g->x, &err) < 0)
            goto fail;
    }
    if (total > BATCH_GET_MAX) {
        error_validation(&err, "Too many items requested for the BatchGetItem call");
        goto fail;
    }

    r = store_read_begin(dynamo_engine_store(e));
    const table_def **defs = arena_calloc(a, n_tables * sizeof *defs);
    for (size_t i = 0; i < n_tables; i++) {
        get_table *g = &tables[i];
        const table_def *t = defs[i] = ireq_table(r, slice_cstr(g->name), &err);
        if (t == NULL)
            goto fail;
        size_t n = json_array_size(g->keys);
        slice *encoded = arena_calloc(a, n * sizeof *encoded);
        for (size_t k = 0; k < n; k++) {
            json_t *key = json_array_get(g->keys, k);
            if (!json_is_object(key)) {
                error_set(&err, 400, "SerializationException", "Unexpected field type");
                goto fail;
            }
            if (ireq_key(t, key, &err) < 0 || keyenc_table_key(a, &t->key, key, &encoded[k], &err) < 0)
                goto fail;
            if (seen_key(encoded, k, encoded[k])) {
                error_validation(&err, "Provided list of item keys contains duplicates");
                goto fail;
            }
        }
    }

    json_t *responses = json_object(), *capacities = json_array();
    for (size_t i = 0; i < n_tables; i++) {
        get_table *g = &tables[i];
        const table_def *t = defs[i];
        json_t *found = json_array();
        item_capacity cap = {0};
        for (size_t k = 0; k < json_array_size(g->keys); k++) {
            json_t *item = NULL;
            if (store_get_item(r, t, json_array_get(g->keys, k), &item, &err) < 0)
                goto fail;
            cap.table += capacity_read_units(item ? item_size(item) : 0, g->consistent);
            if (item != NULL)
                json_array_append_new(found, g->x.projection ? expr_project(g->x.projection, item) : json_incref(item));
        }
        json_object_set_new(responses, g->name, found);
        if (rcc != RCC_NONE)
            json_array_append_new(capacities, capacity_json(rcc, t, &cap, true));
    }
    store_read_end(r);
    json_t *response = json_pack("{s:o,s:{}}", "Responses", responses, "UnprocessedKeys");
    if (rcc != RCC_NONE)
        json_object_set(response, "ConsumedCapacity", capacities);
    json_decref(capacities);
    dynamo_call_succeed(call, response);
    return;
fail:
    if (r != NULL)
        store_read_end(r);
    dynamo_call_fail(call, &err);
}

/* ---- BatchWriteItem ---- */

typedef struct write_request {
    const char *table;
    json_t *item; /* PutRequest */
    json_t *key;  /* DeleteRequest */
} write_request;

typedef struct batch_write {
    write_ctx w; /* first */
    write_request *requests;
    size_t n;
    const char **tables; /* distinct table names, in request order */
    size_t n_tables;
    rcc_mode rcc;
    bool metrics;
} batch_write;

/* A key validation error of a PutRequest item, in BatchWriteItem's words. */
static int batch_key_error(aws_error *err)
{
    if (strstr(err->message, "Type mismatch for key") != NULL || strstr(err->message, "Missing the key") != NULL)
        error_validation(err, "The provided key element does not match the schema");
    return -1;
}

static int run_batch_write(store_tx *tx, void *ctx, aws_error *err)
{
    batch_write *b = ctx;
    item_capacity *caps = arena_calloc(store_tx_arena(tx), b->n_tables * sizeof *caps);
    json_t *metrics = json_object();
    for (size_t i = 0; i < b->n; i++) {
        write_request *wr = &b->requests[i];
        const table_def *t = ireq_tx_table(tx, slice_cstr(wr->table), err);
        if (t == NULL)
            return -1;
        json_t *old = NULL;
        if (wr->item != NULL) {
            if (store_tx_put_item(tx, t, wr->item, &old, err) < 0)
                return -1;
        } else if (store_tx_delete_item(tx, t, wr->key, &old, err) < 0) {
            return -1;
        }
        size_t ti = 0;
        while (ti < b->n_tables && strcmp(b->tables[ti], wr->table) != 0)
            ti++;
        capacity_add_write(&caps[ti], t, old, wr->item, 1);
        json_t *m = b->metrics ? item_collection_metrics(t, wr->item ? wr->item : wr->key) : NULL;
        if (m != NULL) {
            json_t *list = json_object_get(metrics, wr->table);
            if (list == NULL)
                json_object_set_new(metrics, wr->table, list = json_array());
            json_array_append_new(list, m);
        }
    }
    json_t *response = json_pack("{s:{}}", "UnprocessedItems");
    if (b->rcc != RCC_NONE) {
        json_t *list = json_array();
        for (size_t ti = 0; ti < b->n_tables; ti++) {
            const table_def *t = store_tx_table(tx, slice_cstr(b->tables[ti]));
            if (t != NULL)
                json_array_append_new(list, capacity_json(b->rcc, t, &caps[ti], false));
        }
        json_object_set_new(response, "ConsumedCapacity", list);
    }
    if (b->metrics)
        json_object_set(response, "ItemCollectionMetrics", metrics);
    json_decref(metrics);
    b->w.response = response;
    return 0;
}

void op_batch_write_item(dynamo_engine *e, dynamo_call *call)
{
    aws_error err;
    error_clear(&err);
    arena *a = call->arena;
    json_t *items;
    store_reader *r = NULL;
    batch_write *b = arena_calloc(a, sizeof *b);
    if (request_items(call->request, "BatchWriteItem", &items, &err) < 0 ||
        ireq_rcc(call->request, &b->rcc, &err) < 0 || ireq_metrics(call->request, &b->metrics, &err) < 0)
        goto fail;
    size_t total = 0;
    const char *name;
    json_t *list;
    json_object_foreach(items, name, list)
    {
        if (!json_is_array(list)) {
            error_set(&err, 400, "SerializationException", "Unexpected field type");
            goto fail;
        }
        if (json_array_size(list) == 0) {
            error_validation(&err,
                             "1 validation error detected: Value '{%s=[]}' at 'requestItems' failed to satisfy "
                             "constraint: Map value must satisfy constraint: [Member must have length less than or "
                             "equal to 25, Member must have length greater than or equal to 1]",
                             name);
            goto fail;
        }
        if (json_array_size(list) > BATCH_WRITE_MAX) {
            error_validation(&err,
                             "1 validation error detected: Value at 'RequestItems.%s.member' failed to satisfy "
                             "constraint: Member must have length less than or equal to 25",
                             name);
            goto fail;
        }
        total += json_array_size(list);
    }
    if (total > BATCH_WRITE_MAX) {
        error_validation(&err, "Too many items requested for the BatchWriteItem call");
        goto fail;
    }
    b->requests = arena_calloc(a, total * sizeof *b->requests);
    b->tables = arena_calloc(a, json_object_size(items) * sizeof *b->tables);
    json_object_foreach(items, name, list)
    {
        b->tables[b->n_tables++] = name;
        for (size_t i = 0; i < json_array_size(list); i++) {
            json_t *wr = json_array_get(list, i), *put = NULL, *del = NULL;
            if (!json_is_object(wr)) {
                error_set(&err, 400, "SerializationException", "Unexpected field type");
                goto fail;
            }
            if (ireq_object(wr, "PutRequest", "putRequest", false, &put, &err) < 0 ||
                ireq_object(wr, "DeleteRequest", "deleteRequest", false, &del, &err) < 0)
                goto fail;
            write_request *out = &b->requests[b->n++];
            out->table = name;
            if (put != NULL && del != NULL) {
                error_validation(&err, "Supplied AttributeValue has more than one datatypes set, must contain "
                                       "exactly one of the supported datatypes");
                goto fail;
            }
            if (put != NULL) {
                if (ireq_object(put, "Item", "item", true, &out->item, &err) < 0 || item_validate(out->item, &err) < 0)
                    goto fail;
            } else if (del != NULL) {
                if (ireq_object(del, "Key", "key", true, &out->key, &err) < 0)
                    goto fail;
            } else {
                error_validation(&err, "Supplied AttributeValue is empty, must contain exactly one of the supported "
                                       "datatypes");
                goto fail;
            }
        }
    }

    r = store_read_begin(dynamo_engine_store(e));
    slice *encoded = arena_calloc(a, b->n * sizeof *encoded);
    for (size_t i = 0; i < b->n; i++) {
        write_request *wr = &b->requests[i];
        const table_def *t = ireq_table(r, slice_cstr(wr->table), &err);
        if (t == NULL)
            goto fail;
        if (wr->item != NULL) {
            if (ireq_item(t, wr->item, &err) < 0) {
                batch_key_error(&err);
                goto fail;
            }
        } else if (ireq_key(t, wr->key, &err) < 0) {
            goto fail;
        }
        if (keyenc_table_key(a, &t->key, wr->item ? wr->item : wr->key, &encoded[i], &err) < 0)
            goto fail;
        for (size_t j = 0; j < i; j++)
            if (strcmp(b->requests[j].table, wr->table) == 0 && slice_eq(encoded[j], encoded[i])) {
                error_validation(&err, "Provided list of item keys contains duplicates");
                goto fail;
            }
    }
    store_read_end(r);
    r = NULL;
    /* run_batch_write only reads b and sets its outputs: safe to run again. */
    ireq_submit(e, call, &b->w, run_batch_write, true);
    return;
fail:
    if (r != NULL)
        store_read_end(r);
    dynamo_call_fail(call, &err);
}
