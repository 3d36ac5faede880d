/* TransactWriteItems (every action checked, then every write applied, in one writer job: all or
 * nothing) and TransactGetItems (every read from one read transaction: one snapshot). A
 * ClientRequestToken makes a successful TransactWriteItems idempotent for ten minutes. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/json.h"
#include "dynamo/item_request.h"
#include "dynamo/key_codec.h"

#define TRANSACT_MAX          100
#define IDEMPOTENCY_SECONDS   600
#define IDEMPOTENCY_MAX_ITEMS 100000

/* ---- the idempotency window: token -> (request fingerprint, response) ---- */

typedef struct token_entry {
    const void *owner; /* the store: tokens are per engine */
    char *token, *fingerprint, *response;
    time_t expires;
    struct token_entry *next;
} token_entry;

static pthread_mutex_t tokens_lock = PTHREAD_MUTEX_INITIALIZER;
static token_entry *tokens;
static size_t n_tokens;

static void tokens_expire(time_t now)
{
    for (token_entry **p = &tokens; *p != NULL;) {
        token_entry *t = *p;
        if (t->expires <= now) {
            *p = t->next;
            free(t->token);
            free(t->fingerprint);
            free(t->response);
            free(t);
            n_tokens--;
        } else {
            p = &t->next;
        }
    }
}

/* 1: known token (*fingerprint_match, *response: a malloc'd copy or NULL); 0: unknown. */
static int tokens_find(const void *owner, slice token, slice fingerprint, bool *fingerprint_match, char **response)
{
    pthread_mutex_lock(&tokens_lock);
    tokens_expire(time(NULL));
    int found = 0;
    for (token_entry *t = tokens; t != NULL; t = t->next)
        if (t->owner == owner && slice_eq_cstr(token, t->token)) {
            found = 1;
            *fingerprint_match = slice_eq_cstr(fingerprint, t->fingerprint);
            *response = *fingerprint_match ? strdup(t->response) : NULL;
            break;
        }
    pthread_mutex_unlock(&tokens_lock);
    return found;
}

static void tokens_add(const void *owner, slice token, slice fingerprint, slice response)
{
    token_entry *t = calloc(1, sizeof *t);
    if (t == NULL)
        return;
    t->owner = owner;
    t->token = strndup(token.ptr, token.len);
    t->fingerprint = strndup(fingerprint.ptr, fingerprint.len);
    t->response = strndup(response.ptr, response.len);
    t->expires = time(NULL) + IDEMPOTENCY_SECONDS;
    pthread_mutex_lock(&tokens_lock);
    if (n_tokens < IDEMPOTENCY_MAX_ITEMS && t->token && t->fingerprint && t->response) {
        t->next = tokens;
        tokens = t;
        n_tokens++;
        t = NULL;
    }
    pthread_mutex_unlock(&tokens_lock);
    if (t != NULL) {
        free(t->token);
        free(t->fingerprint);
        free(t->response);
        free(t);
    }
}

/* Forgets a token whose transaction did not commit, so that a retry runs it again. */
static void tokens_remove(const void *owner, slice token)
{
    token_entry *gone = NULL;
    pthread_mutex_lock(&tokens_lock);
    for (token_entry **p = &tokens; *p != NULL; p = &(*p)->next)
        if ((*p)->owner == owner && slice_eq_cstr(token, (*p)->token)) {
            gone = *p;
            *p = gone->next;
            n_tokens--;
            break;
        }
    pthread_mutex_unlock(&tokens_lock);
    if (gone != NULL) {
        free(gone->token);
        free(gone->fingerprint);
        free(gone->response);
        free(gone);
    }
}

/* ---- TransactWriteItems ---- */

typedef enum action_kind { ACT_CHECK, ACT_PUT, ACT_DELETE, ACT_UPDATE } action_kind;
static const char *const ACTION_PARAM[] = {"ConditionCheck", "Put", "Delete", "Update"};
static const char *const ACTION_MEMBER[] = {"conditionCheck", "put", "delete", "update"};

typedef struct action {
    action_kind kind;
    slice table;
    json_t *item; /* Put */
    json_t *key;  /* the item's key */
    expr_set x;
    bool rv_on_failure_all_old;
    const char *invalid; /* a ValidationError found before the writer (cancellation reason) */
    /* filled in the writer */
    json_t *old, *next;
} action;

typedef struct transact_write {
    write_ctx w; /* first */
    action *actions;
    size_t n;
    rcc_mode rcc;
    bool metrics;
    slice token, fingerprint;
    const void *owner;
    bool token_added; /* this run remembered the token (it is forgotten if the commit fails) */
} transact_write;

/* Fails with TransactionCanceledException listing one reason per action. */
static int cancel(transact_write *tw, json_t *reasons, aws_error *err)
{
    char codes[AWS_ERROR_MESSAGE_MAX - 128];
    size_t used = 0;
    for (size_t i = 0; i < json_array_size(reasons) && used < sizeof codes; i++)
        used += (size_t)snprintf(codes + used, sizeof codes - used, "%s%s", i ? ", " : "",
                                 json_string_value(json_object_get(json_array_get(reasons, i), "Code")));
    error_set(err, 400, "TransactionCanceledException",
              "Transaction cancelled, please refer cancellation reasons for specific reasons [%s]", codes);
    /* DynamoDB capitalises this exception's message member. */
    tw->w.error_extra = json_pack("{s:o,s:s}", "CancellationReasons", reasons, "Message", err->message);
    return -1;
}

static json_t *reason_none(void)
{
    return json_pack("{s:s}", "Code", "None");
}

static void forget_token(write_ctx *w)
{
    transact_write *tw = (transact_write *)w; /* w is its first member */
    if (tw->token_added)
        tokens_remove(tw->owner, tw->token);
}

static int run_transact_write(store_tx *tx, void *ctx, aws_error *err)
{
    transact_write *tw = ctx;
    if (tw->token.ptr != NULL) {
        bool match = false;
        char *previous = NULL;
        if (tokens_find(tw->owner, tw->token, tw->fingerprint, &match, &previous)) {
            if (!match)
                return error_set(err, 400, "IdempotentParameterMismatchException",
                                 "DynamoDB rejected the request because you retried a request with a different "
                                 "payload but with an idempotent token that was already used.");
            json_error_t je;
            tw->w.response = json_loads(previous, 0, &je);
            free(previous);
            if (tw->w.response == NULL)
                tw->w.response = json_object();
            return 0;
        }
    }

    const table_def **defs = arena_calloc(store_tx_arena(tx), tw->n * sizeof *defs);
    json_t *reasons = json_array();
    bool failed = false;
    for (size_t i = 0; i < tw->n; i++) {
        action *act = &tw->actions[i];
        const table_def *t = defs[i] = ireq_tx_table(tx, act->table, err);
        if (t == NULL)
            return -1;
        if (store_tx_get_item(tx, t, act->key, &act->old, err) < 0)
            return -1;
        if (act->x.condition != NULL && !expr_condition_matches(act->x.condition, act->old)) {
            json_t *reason =
                json_pack("{s:s,s:s}", "Code", "ConditionalCheckFailed", "Message", "The conditional request failed");
            if (act->rv_on_failure_all_old && act->old != NULL)
                json_object_set(reason, "Item", act->old);
            json_array_append_new(reasons, reason);
            failed = true;
            continue;
        }
        aws_error inner;
        error_clear(&inner);
        if (act->kind == ACT_UPDATE) {
            if (act->x.update != NULL ? expr_update_apply(act->x.update, act->old, &act->next, &inner) < 0 : false) {
                json_array_append_new(reasons,
                                      json_pack("{s:s,s:s}", "Code", "ValidationError", "Message", inner.message));
                failed = true;
                continue;
            }
            if (act->x.update == NULL)
                act->next = act->old ? json_deep_copy(act->old) : json_object();
            const char *name;
            json_t *value;
            json_object_foreach(act->key, name, value) json_object_set(act->next, name, value);
            if (ireq_item(t, act->next, &inner) < 0) {
                if (strstr(inner.message, "Item size has exceeded") != NULL)
                    error_validation(&inner, "Item size to update has exceeded the maximum allowed size");
                json_array_append_new(reasons,
                                      json_pack("{s:s,s:s}", "Code", "ValidationError", "Message", inner.message));
                failed = true;
                continue;
            }
        } else if (act->kind == ACT_PUT) {
            act->next = act->item;
        }
        json_array_append_new(reasons, reason_none());
    }
    if (failed)
        return cancel(tw, reasons, err);
    json_decref(reasons);

    /* Every check passed: apply. */
    item_capacity *caps = arena_calloc(store_tx_arena(tx), tw->n * sizeof *caps);
    json_t *metrics = json_object();
    for (size_t i = 0; i < tw->n; i++) {
        action *act = &tw->actions[i];
        const table_def *t = defs[i];
        size_t slot = 0; /* capacity is reported per table: the first action on that table */
        while (slot < i && !slice_eq(defs[slot]->name, t->name))
            slot++;
        switch (act->kind) {
        case ACT_CHECK:
            caps[slot].table += 2 * capacity_read_units(act->old ? item_size(act->old) : 0, true);
            continue;
        case ACT_PUT:
        case ACT_UPDATE:
            if (store_tx_put_item(tx, t, act->next, NULL, err) < 0)
                return -1;
            break;
        case ACT_DELETE:
            if (act->old != NULL && store_tx_delete_item(tx, t, act->key, NULL, err) < 0)
                return -1;
            break;
        }
        capacity_add_write(&caps[slot], t, act->old, act->next, 2);
        json_t *m = tw->metrics ? item_collection_metrics(t, act->next ? act->next : act->old) : NULL;
        if (m != NULL) {
            char name[256];
            snprintf(name, sizeof name, "%.*s", SLICE_FMT(t->name));
            json_t *list = json_object_get(metrics, name);
            if (list == NULL)
                json_object_set_new(metrics, name, list = json_array());
            json_array_append_new(list, m);
        }
    }
    json_t *response = json_object();
    if (tw->rcc != RCC_NONE) {
        json_t *list = json_array();
        for (size_t i = 0; i < tw->n; i++) {
            bool first = true;
            for (size_t j = 0; j < i && first; j++)
                first = !slice_eq(defs[j]->name, defs[i]->name);
            if (first)
                json_array_append_new(list, capacity_json(tw->rcc, defs[i], &caps[i], false));
        }
        json_object_set_new(response, "ConsumedCapacity", list);
    }
    if (tw->metrics)
        json_object_set(response, "ItemCollectionMetrics", metrics);
    json_decref(metrics);
    if (tw->token.ptr != NULL) {
        slice text = json_dump_slice(response, JSON_COMPACT);
        /* Remembered before the commit, so that a retry in the same batch finds it; forgotten again
         * if the commit fails (forget_token). */
        tokens_add(tw->owner, tw->token, tw->fingerprint, text);
        tw->token_added = true;
    }
    tw->w.response = response;
    return 0;
}

/* TransactItems: a list of 1..100 objects. */
static int transact_items(const json_t *req, json_t **out, aws_error *err)
{
    json_t *items = json_object_get(req, "TransactItems");
    if (items == NULL || json_is_null(items))
        return error_validation(err, "1 validation error detected: Value null at 'transactItems' failed to satisfy "
                                     "constraint: Member must not be null");
    if (!json_is_array(items))
        return error_set(err, 400, "SerializationException", "Unexpected field type");
    if (json_array_size(items) == 0)
        return error_validation(err, "1 validation error detected: Value '[]' at 'transactItems' failed to satisfy "
                                     "constraint: Member must have length greater than or equal to 1");
    if (json_array_size(items) > TRANSACT_MAX)
        return error_validation(err, "1 validation error detected: Value at 'TransactItems' failed to satisfy "
                                     "constraint: Member must have length less than or equal to 100");
    *out = items;
    return 0;
}

/* A required expression string of an action. */
static int required_expression(const json_t *obj, const char *param, const char *member_prefix, const char *member,
                               aws_error *err)
{
    const json_t *v = json_object_get(obj, param);
    if (v == NULL || json_is_null(v))
        return error_validation(err,
                                "1 validation error detected: Value null at '%s.%s' failed to satisfy constraint: "
                                "Member must not be null",
                                member_prefix, member);
    return 0;
}

static int parse_action(arena *a, const json_t *entry, size_t index, action *act, aws_error *err)
{
    static const char *const rvoccf_values[] = {"NONE", "ALL_OLD", NULL};
    static const unsigned accepted[] = {EXPR_PARAM_CONDITION, EXPR_PARAM_CONDITION, EXPR_PARAM_CONDITION,
                                        EXPR_PARAM_CONDITION | EXPR_PARAM_UPDATE};
    if (!json_is_object(entry))
        return error_set(err, 400, "SerializationException", "Unexpected field type");
    int found = -1;
    for (int k = 0; k < 4; k++) {
        const json_t *v = json_object_get(entry, ACTION_PARAM[k]);
        if (v != NULL && !json_is_null(v)) {
            if (found >= 0)
                return error_validation(err, "TransactItems can only contain one of Check, Put, Update or Delete");
            found = k;
        }
    }
    if (found < 0)
        return error_validation(err, "TransactItems can only contain one of Check, Put, Update or Delete");
    act->kind = (action_kind)found;
    json_t *body;
    char prefix[96], member[192];
    snprintf(prefix, sizeof prefix, "transactItems.%zu.member.%s", index + 1, ACTION_MEMBER[found]);
    if (ireq_object(entry, ACTION_PARAM[found], prefix, true, &body, err) < 0)
        return -1;
    snprintf(member, sizeof member, "%s.tableName", prefix);
    if (ireq_table_name(body, "TableName", member, &act->table, err) < 0)
        return -1;
    int rvoccf;
    snprintf(member, sizeof member, "%s.returnValuesOnConditionCheckFailure", prefix);
    if (ireq_enum(body, "ReturnValuesOnConditionCheckFailure", member, rvoccf_values, "[ALL_OLD, NONE]", 0, &rvoccf,
                  err) < 0)
        return -1;
    act->rv_on_failure_all_old = rvoccf == 1;
    if (act->kind == ACT_CHECK &&
        required_expression(body, "ConditionExpression", prefix, "conditionExpression", err) < 0)
        return -1;
    if (act->kind == ACT_UPDATE && required_expression(body, "UpdateExpression", prefix, "updateExpression", err) < 0)
        return -1;
    if (act->kind == ACT_PUT) {
        snprintf(member, sizeof member, "%s.item", prefix);
        if (ireq_object(body, "Item", member, true, &act->item, err) < 0 || item_validate(act->item, err) < 0)
            return -1;
    } else {
        snprintf(member, sizeof member, "%s.key", prefix);
        if (ireq_object(body, "Key", member, true, &act->key, err) < 0)
            return -1;
    }
    return ireq_compile(a, body, accepted[act->kind], &act->x, err);
}

/* Validates actions against their tables; key problems become ValidationError reasons, except
 * empty key values, which DynamoDB reports for the whole request. */
static int check_actions(store_reader *r, arena *a, transact_write *tw, aws_error *err)
{
    slice *encoded = arena_calloc(a, tw->n * sizeof *encoded);
    for (size_t i = 0; i < tw->n; i++) {
        action *act = &tw->actions[i];
        const table_def *t = ireq_table(r, act->table, err);
        if (t == NULL)
            return -1;
        aws_error inner;
        error_clear(&inner);
        if (act->kind == ACT_PUT) {
            if (ireq_item(t, act->item, &inner) < 0) {
                if (strstr(inner.message, "cannot contain an empty") != NULL) {
                    *err = inner;
                    return -1;
                }
                act->invalid = arena_strndup(a, inner.message, strlen(inner.message));
                continue;
            }
            act->key = ireq_key_of(t, act->item);
        } else if (ireq_key(t, act->key, &inner) < 0) {
            if (strstr(inner.message, "cannot contain an empty") != NULL) {
                *err = inner;
                return -1;
            }
            act->invalid = "The provided key element does not match the schema";
            continue;
        }
        if (act->kind == ACT_UPDATE && act->x.update != NULL &&
            expr_update_check_keys(act->x.update, t->key.hash.name,
                                   key_schema_has_range(&t->key) ? t->key.range.name : SLICE_NULL, err) < 0)
            return -1;
        if (keyenc_table_key(a, &t->key, act->key, &encoded[i], err) < 0)
            return -1;
        for (size_t j = 0; j < i; j++)
            if (encoded[j].ptr != NULL && slice_eq(tw->actions[j].table, act->table) &&
                slice_eq(encoded[j], encoded[i]))
                return error_validation(err, "Transaction request cannot include multiple operations on one item");
    }
    return 0;
}

void op_transact_write_items(dynamo_engine *e, dynamo_call *call)
{
    aws_error err;
    error_clear(&err);
    arena *a = call->arena;
    transact_write *tw = arena_calloc(a, sizeof *tw);
    json_t *items;
    store_reader *r = NULL;
    if (transact_items(call->request, &items, &err) < 0 || ireq_rcc(call->request, &tw->rcc, &err) < 0 ||
        ireq_metrics(call->request, &tw->metrics, &err) < 0 ||
        ireq_string(call->request, "ClientRequestToken", &tw->token, &err) < 0)
        goto fail;
    if (tw->token.ptr != NULL && (tw->token.len < 1 || tw->token.len > 36)) {
        error_validation(&err,
                         "1 validation error detected: Value '%.*s' at 'clientRequestToken' failed to satisfy "
                         "constraint: Member must have length %s",
                         (int)(tw->token.len > 64 ? 64 : tw->token.len), tw->token.ptr,
                         tw->token.len < 1 ? "greater than or equal to 1" : "less than or equal to 36");
        goto fail;
    }
    tw->n = json_array_size(items);
    tw->actions = arena_calloc(a, tw->n * sizeof *tw->actions);
    for (size_t i = 0; i < tw->n; i++)
        if (parse_action(a, json_array_get(items, i), i, &tw->actions[i], &err) < 0)
            goto fail;

    r = store_read_begin(dynamo_engine_store(e));
    if (check_actions(r, a, tw, &err) < 0)
        goto fail;
    store_read_end(r);
    r = NULL;

    bool invalid = false;
    for (size_t i = 0; i < tw->n; i++)
        invalid = invalid || tw->actions[i].invalid != NULL;
    if (invalid) {
        json_t *reasons = json_array();
        for (size_t i = 0; i < tw->n; i++)
            json_array_append_new(reasons, tw->actions[i].invalid ? json_pack("{s:s,s:s}", "Code", "ValidationError",
                                                                              "Message", tw->actions[i].invalid)
                                                                  : reason_none());
        cancel(tw, reasons, &err);
        ireq_fail(call, &err, tw->w.error_extra);
        return;
    }
    if (tw->token.ptr != NULL) {
        json_t *shape = json_copy(call->request);
        json_object_del(shape, "ClientRequestToken");
        json_object_del(shape, "ReturnConsumedCapacity");
        json_object_del(shape, "ReturnItemCollectionMetrics");
        tw->fingerprint = json_dump_slice(shape, JSON_COMPACT | JSON_SORT_KEYS);
        json_decref(shape);
        tw->owner = dynamo_engine_store(e);
    }
    /* Not replayable: a run remembers its ClientRequestToken outside the store, and a second run
     * would find it and answer without writing. */
    tw->w.not_committed = forget_token;
    ireq_submit(e, call, &tw->w, run_transact_write, false);
    return;
fail:
    if (r != NULL)
        store_read_end(r);
    dynamo_call_fail(call, &err);
}

/* ---- TransactGetItems ---- */

void op_transact_get_items(dynamo_engine *e, dynamo_call *call)
{
    aws_error err;
    error_clear(&err);
    arena *a = call->arena;
    json_t *items;
    rcc_mode rcc;
    store_reader *r = NULL;
    if (transact_items(call->request, &items, &err) < 0 || ireq_rcc(call->request, &rcc, &err) < 0)
        goto fail;
    size_t n = json_array_size(items);
    slice *tables = arena_calloc(a, n * sizeof *tables);
    json_t **keys = arena_calloc(a, n * sizeof *keys);
    expr_set *xs = arena_calloc(a, n * sizeof *xs);
    for (size_t i = 0; i < n; i++) {
        json_t *entry = json_array_get(items, i), *get;
        char prefix[64], member[96];
        snprintf(prefix, sizeof prefix, "transactItems.%zu.member.get", i + 1);
        if (!json_is_object(entry)) {
            error_set(&err, 400, "SerializationException", "Unexpected field type");
            goto fail;
        }
        if (ireq_object(entry, "Get", prefix, true, &get, &err) < 0)
            goto fail;
        snprintf(member, sizeof member, "%s.tableName", prefix);
        if (ireq_table_name(get, "TableName", member, &tables[i], &err) < 0)
            goto fail;
        snprintf(member, sizeof member, "%s.key", prefix);
        if (ireq_object(get, "Key", member, true, &keys[i], &err) < 0 ||
            ireq_compile(a, get, EXPR_PARAM_PROJECTION, &xs[i], &err) < 0)
            goto fail;
    }
    r = store_read_begin(dynamo_engine_store(e));
    const table_def **defs = arena_calloc(a, n * sizeof *defs);
    slice *encoded = arena_calloc(a, n * sizeof *encoded);
    for (size_t i = 0; i < n; i++) {
        const table_def *t = defs[i] = ireq_table(r, tables[i], &err);
        if (t == NULL || ireq_key(t, keys[i], &err) < 0 || keyenc_table_key(a, &t->key, keys[i], &encoded[i], &err) < 0)
            goto fail;
        for (size_t j = 0; j < i; j++)
            if (slice_eq(tables[j], tables[i]) && slice_eq(encoded[j], encoded[i])) {
                error_validation(&err, "Transaction request cannot include multiple operations on one item");
                goto fail;
            }
    }
    json_t *responses = json_array();
    item_capacity *caps = arena_calloc(a, n * sizeof *caps);
    for (size_t i = 0; i < n; i++) {
        json_t *item = NULL;
        if (store_get_item(r, defs[i], keys[i], &item, &err) < 0)
            goto fail;
        size_t slot = 0;
        while (slot < i && !slice_eq(defs[slot]->name, defs[i]->name))
            slot++;
        caps[slot].table += 2 * capacity_read_units(item ? item_size(item) : 0, true);
        json_t *out = json_object();
        if (item != NULL)
            json_object_set_new(out, "Item",
                                xs[i].projection ? expr_project(xs[i].projection, item) : json_incref(item));
        json_array_append_new(responses, out);
    }
    json_t *response = json_pack("{s:o}", "Responses", responses);
    if (rcc != RCC_NONE) {
        json_t *list = json_array();
        for (size_t i = 0; i < n; i++) {
            bool first = true;
            for (size_t j = 0; j < i && first; j++)
                first = !slice_eq(defs[j]->name, defs[i]->name);
            if (first)
                json_array_append_new(list, capacity_json(rcc, defs[i], &caps[i], true));
        }
        json_object_set_new(response, "ConsumedCapacity", list);
    }
    store_read_end(r);
    dynamo_call_succeed(call, response);
    return;
fail:
    if (r != NULL)
        store_read_end(r);
    dynamo_call_fail(call, &err);
}
