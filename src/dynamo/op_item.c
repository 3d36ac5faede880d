/* The single-item operations: PutItem, GetItem, UpdateItem, DeleteItem. Writes check their
 * condition inside the writer's transaction, against the item as it is when the write happens. */
#include <stdio.h>
#include <string.h>

#include "core/buf.h"
#include "core/json.h"
#include "core/json_write.h"
#include "dynamo/item_codec.h"
#include "dynamo/item_request.h"
#include "dynamo/key_codec.h"
#include "dynamo/legacy.h"

typedef enum write_kind { WRITE_PUT, WRITE_UPDATE, WRITE_DELETE } write_kind;

typedef enum return_values { RV_NONE, RV_ALL_OLD, RV_UPDATED_OLD, RV_ALL_NEW, RV_UPDATED_NEW } return_values;

static const char *const RETURN_VALUES[] = {"NONE", "ALL_OLD", "UPDATED_OLD", "ALL_NEW", "UPDATED_NEW", NULL};
#define RETURN_VALUES_SHOWN "[ALL_NEW, UPDATED_OLD, ALL_OLD, NONE, UPDATED_NEW]"

typedef struct item_write {
    write_ctx w; /* first */
    write_kind kind;
    slice table;
    json_t *item; /* PutItem */
    json_t *key;  /* UpdateItem, DeleteItem */
    expr_set x;
    return_values rv;
    bool rv_on_failure_all_old;
    rcc_mode rcc;
    bool metrics;
} item_write;

/* Sets the key attributes of `key` on `item` (an UpdateItem on a new key creates the item with them). */
static void put_key_attributes(json_t *item, const json_t *key)
{
    const char *name;
    json_t *value;
    json_object_foreach((json_t *)key, name, value) json_object_set(item, name, value);
}

/* The item an UpdateItem leaves behind, or -1 (err set). */
static int updated_item(const item_write *iw, const table_def *t, const json_t *old, json_t **out, aws_error *err)
{
    json_t *next;
    if (iw->x.update != NULL) {
        if (expr_update_apply(iw->x.update, old, &next, err) < 0)
            return -1;
    } else {
        next = old ? json_deep_copy(old) : json_object();
    }
    put_key_attributes(next, iw->key);
    if (ireq_item(t, next, err) < 0) {
        if (strstr(err->message, "Item size has exceeded") != NULL)
            error_validation(err, "Item size to update has exceeded the maximum allowed size");
        return -1;
    }
    *out = next;
    return 0;
}

static int run_item_write(store_tx *tx, void *ctx, aws_error *err)
{
    item_write *iw = ctx;
    const table_def *t = ireq_tx_table(tx, iw->table, err);
    if (t == NULL)
        return -1;
    const json_t *key = iw->kind == WRITE_PUT ? ireq_key_of(t, iw->item) : iw->key;
    json_t *old = NULL, *next = NULL;
    if (key == NULL)
        return error_validation(err, "The provided key element does not match the schema");
    if (store_tx_get_item(tx, t, key, &old, err) < 0)
        return -1;
    if (iw->x.condition != NULL && !expr_condition_matches(iw->x.condition, old)) {
        if (iw->rv_on_failure_all_old && old != NULL)
            iw->w.error_extra = json_pack("{s:O}", "Item", old);
        return error_set(err, 400, "ConditionalCheckFailedException", "The conditional request failed");
    }
    switch (iw->kind) {
    case WRITE_PUT:
        next = iw->item;
        if (store_tx_put_item_over(tx, t, next, old, err) < 0)
            return -1;
        break;
    case WRITE_UPDATE:
        if (updated_item(iw, t, old, &next, err) < 0)
            return -1;
        if (store_tx_put_item_over(tx, t, next, old, err) < 0)
            return -1;
        break;
    case WRITE_DELETE:
        if (old != NULL && store_tx_delete_item(tx, t, key, NULL, err) < 0)
            return -1;
        break;
    }

    json_t *response = json_object();
    json_t *attributes = NULL;
    switch (iw->rv) {
    case RV_NONE:
        break;
    case RV_ALL_OLD:
        attributes = old ? json_incref(old) : NULL;
        break;
    case RV_ALL_NEW:
        attributes = next ? json_incref(next) : NULL;
        break;
    case RV_UPDATED_OLD:
        attributes = old && iw->x.update ? expr_update_returned(iw->x.update, old) : NULL;
        break;
    case RV_UPDATED_NEW:
        attributes = next && iw->x.update ? expr_update_returned(iw->x.update, next) : NULL;
        break;
    }
    if (attributes != NULL)
        json_object_set_new(response, "Attributes", attributes);
    if (iw->rcc != RCC_NONE) {
        item_capacity cap = {0};
        capacity_add_write(&cap, t, old, next, 1);
        json_object_set_new(response, "ConsumedCapacity", capacity_json(iw->rcc, t, &cap, false));
    }
    if (iw->metrics) {
        json_t *m = item_collection_metrics(t, next ? next : old);
        if (m != NULL)
            json_object_set_new(response, "ItemCollectionMetrics", m);
    }
    iw->w.response = response;
    return 0;
}

/* Reads and checks everything a write can check before it reaches the writer. */
static int prepare_write(dynamo_engine *e, dynamo_call *call, write_kind kind, item_write *iw, aws_error *err)
{
    static const legacy_request legacy_kind[] = {LEGACY_PUT_ITEM, LEGACY_UPDATE_ITEM, LEGACY_DELETE_ITEM};
    static const unsigned accepted[] = {EXPR_PARAM_CONDITION, EXPR_PARAM_CONDITION | EXPR_PARAM_UPDATE,
                                        EXPR_PARAM_CONDITION};
    static const char *const rvoccf_values[] = {"NONE", "ALL_OLD", NULL};
    json_t *req = call->request;
    iw->kind = kind;
    if (ireq_table_name(req, "TableName", "tableName", &iw->table, err) < 0)
        return -1;
    json_t *target;
    if (kind == WRITE_PUT) {
        if (ireq_object(req, "Item", "item", true, &target, err) < 0)
            return -1;
    } else if (ireq_object(req, "Key", "key", true, &target, err) < 0) {
        return -1;
    }
    int rv, rvoccf;
    bool metrics;
    if (ireq_enum(req, "ReturnValues", "returnValues", RETURN_VALUES, RETURN_VALUES_SHOWN, RV_NONE, &rv, err) < 0 ||
        ireq_rcc(req, &iw->rcc, err) < 0 || ireq_metrics(req, &metrics, err) < 0 ||
        ireq_enum(req, "ReturnValuesOnConditionCheckFailure", "returnValuesOnConditionCheckFailure", rvoccf_values,
                  "[ALL_OLD, NONE]", 0, &rvoccf, err) < 0)
        return -1;
    if (kind != WRITE_UPDATE && rv != RV_NONE && rv != RV_ALL_OLD)
        return error_validation(err, "ReturnValues can only be ALL_OLD or NONE");
    iw->rv = (return_values)rv;
    iw->metrics = metrics;
    iw->rv_on_failure_all_old = rvoccf == 1;

    req = legacy_translate(legacy_kind[kind], req, NULL, err);
    if (req == NULL)
        return -1;
    if (kind == WRITE_PUT) {
        iw->item = target;
        if (item_validate(iw->item, err) < 0)
            return -1;
    } else {
        iw->key = target;
    }
    if (ireq_compile(call->arena, req, accepted[kind], &iw->x, err) < 0)
        return -1;

    store_reader *r = store_read_begin(dynamo_engine_store(e));
    const table_def *t = ireq_table(r, iw->table, err);
    int rc = -1;
    if (t != NULL) {
        if (kind == WRITE_PUT) {
            rc = ireq_item(t, iw->item, err);
        } else {
            rc = ireq_key(t, iw->key, err);
            if (rc == 0 && kind == WRITE_UPDATE && iw->x.update != NULL)
                rc = expr_update_check_keys(iw->x.update, t->key.hash.name,
                                            key_schema_has_range(&t->key) ? t->key.range.name : SLICE_NULL, err);
        }
    }
    store_read_end(r);
    return rc;
}

static void item_write_op(dynamo_engine *e, dynamo_call *call, write_kind kind)
{
    item_write *iw = arena_calloc(call->arena, sizeof *iw);
    aws_error err;
    error_clear(&err);
    if (prepare_write(e, call, kind, iw, &err) < 0) {
        dynamo_call_fail(call, &err);
        return;
    }
    /* run_item_write only reads iw and sets its outputs: safe to run again. */
    ireq_submit(e, call, &iw->w, run_item_write, true);
}

void op_put_item(dynamo_engine *e, dynamo_call *call)
{
    item_write_op(e, call, WRITE_PUT);
}
void op_update_item(dynamo_engine *e, dynamo_call *call)
{
    item_write_op(e, call, WRITE_UPDATE);
}
void op_delete_item(dynamo_engine *e, dynamo_call *call)
{
    item_write_op(e, call, WRITE_DELETE);
}

/* ---- GetItem ---- */

/* GetItem's answer written straight from the stored bytes (call->text_response, no projection):
 * the members the tree would have, in its order. */
static int get_item_text(arena *a, store_reader *r, const table_def *t, const json_t *key, rcc_mode rcc,
                         bool consistent, slice *out, aws_error *err)
{
    slice k, stored;
    size_t size = 0;
    if (keyenc_table_key(a, &t->key, key, &k, err) < 0)
        return -1;
    int found = store_get_raw(r, t, k, &stored, err);
    if (found < 0 || (found && item_encoded_size(stored, &size, err) < 0))
        return -1;
    buf b;
    buf_init(&b, a, found ? stored.len * 2 + 64 : 64);
    buf_append_char(&b, '{');
    if (found) {
        buf_append_cstr(&b, "\"Item\":");
        if (item_write_json(&b, stored, err) < 0)
            return -1;
    }
    if (rcc != RCC_NONE) {
        item_capacity cap = {0};
        cap.table = capacity_read_units(size, consistent);
        buf_append_cstr(&b, found ? ",\"ConsumedCapacity\":" : "\"ConsumedCapacity\":");
        json_write(&b, capacity_json(rcc, t, &cap, true), JSON_COMPACT);
    }
    buf_append_char(&b, '}');
    *out = buf_slice(&b);
    return 0;
}

void op_get_item(dynamo_engine *e, dynamo_call *call)
{
    aws_error err;
    error_clear(&err);
    json_t *req = call->request, *key;
    slice table;
    rcc_mode rcc;
    bool consistent;
    expr_set x;
    if (ireq_table_name(req, "TableName", "tableName", &table, &err) < 0 ||
        ireq_object(req, "Key", "key", true, &key, &err) < 0 || ireq_rcc(req, &rcc, &err) < 0 ||
        ireq_bool(req, "ConsistentRead", false, &consistent, &err) < 0)
        goto fail;
    req = legacy_translate(LEGACY_GET_ITEM, req, NULL, &err);
    if (req == NULL || ireq_compile(call->arena, req, EXPR_PARAM_PROJECTION, &x, &err) < 0)
        goto fail;

    store_reader *r = store_read_begin(dynamo_engine_store(e));
    const table_def *t = ireq_table(r, table, &err);
    json_t *item = NULL;
    if (t == NULL || ireq_key(t, key, &err) < 0) {
        store_read_end(r);
        goto fail;
    }
    if (call->text_response && x.projection == NULL) {
        slice text;
        int rc = get_item_text(call->arena, r, t, key, rcc, consistent, &text, &err);
        store_read_end(r);
        if (rc < 0)
            goto fail;
        dynamo_call_succeed_text(call, text);
        return;
    }
    if (store_get_item(r, t, key, &item, &err) < 0) {
        store_read_end(r);
        goto fail;
    }
    json_t *response = json_object();
    if (item != NULL)
        json_object_set_new(response, "Item", x.projection ? expr_project(x.projection, item) : json_incref(item));
    if (rcc != RCC_NONE) {
        item_capacity cap = {0};
        cap.table = capacity_read_units(item ? item_size(item) : 0, consistent);
        json_object_set_new(response, "ConsumedCapacity", capacity_json(rcc, t, &cap, true));
    }
    store_read_end(r);
    dynamo_call_succeed(call, response);
    return;
fail:
    dynamo_call_fail(call, &err);
}
