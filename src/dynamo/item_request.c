#include "dynamo/item_request.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/json.h"

/* ---- parameters ---- */

static const char *json_kind(const json_t *v)
{
    if (json_is_true(v) || json_is_false(v))
        return json_is_true(v) ? "TRUE_VALUE" : "FALSE_VALUE";
    if (json_is_integer(v))
        return "NUMBER_VALUE";
    if (json_is_real(v))
        return "DECIMAL_VALUE";
    return "STRING_VALUE";
}

int ireq_string(const json_t *obj, const char *param, slice *out, aws_error *err)
{
    const json_t *v = json_object_get(obj, param);
    *out = SLICE_NULL;
    if (v == NULL || json_is_null(v))
        return 0;
    if (json_is_string(v)) {
        *out = json_string_slice(v);
        return 0;
    }
    if (json_is_object(v))
        return error_set(err, 400, "SerializationException", "Start of structure or map found where not expected");
    if (json_is_array(v))
        return error_set(err, 400, "SerializationException", "Unrecognized collection type class java.lang.String");
    return error_set(err, 400, "SerializationException", "%s cannot be converted to String", json_kind(v));
}

static bool table_name_chars_ok(slice s)
{
    for (size_t i = 0; i < s.len; i++) {
        char c = s.ptr[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.' ||
              c == '-'))
            return false;
    }
    return true;
}

int ireq_table_name(const json_t *obj, const char *param, const char *member, slice *out, aws_error *err)
{
    if (ireq_string(obj, param, out, err) < 0)
        return -1;
    if (out->ptr == NULL)
        return error_validation(err,
                                "1 validation error detected: Value null at '%s' failed to satisfy constraint: Member "
                                "must not be null",
                                member);
    const char *problems[3];
    int n = 0;
    if (!table_name_chars_ok(*out))
        problems[n++] = "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+";
    if (out->len < 3)
        problems[n++] = "Member must have length greater than or equal to 3";
    if (out->len > 255)
        problems[n++] = "Member must have length less than or equal to 255";
    if (n == 0)
        return 0;
    char msg[AWS_ERROR_MESSAGE_MAX];
    size_t used = (size_t)snprintf(msg, sizeof msg, "%d validation error%s detected: ", n, n > 1 ? "s" : "");
    for (int i = 0; i < n && used < sizeof msg; i++)
        used +=
            (size_t)snprintf(msg + used, sizeof msg - used, "%sValue '%.*s' at '%s' failed to satisfy constraint: %s",
                             i ? "; " : "", (int)(out->len > 300 ? 300 : out->len), out->ptr, member, problems[i]);
    return error_validation(err, "%s", msg);
}

int ireq_enum(const json_t *obj, const char *param, const char *member, const char *const *values, const char *shown,
              int absent, int *out, aws_error *err)
{
    slice s;
    if (ireq_string(obj, param, &s, err) < 0)
        return -1;
    if (s.ptr == NULL) {
        *out = absent;
        return 0;
    }
    for (int i = 0; values[i] != NULL; i++)
        if (slice_eq_cstr(s, values[i])) {
            *out = i;
            return 0;
        }
    return error_validation(
        err,
        "1 validation error detected: Value '%.*s' at '%s' failed to satisfy constraint: Member must "
        "satisfy enum value set: %s",
        (int)(s.len > 300 ? 300 : s.len), s.ptr, member, shown);
}

int ireq_bool(const json_t *obj, const char *param, bool absent, bool *out, aws_error *err)
{
    const json_t *v = json_object_get(obj, param);
    if (v == NULL || json_is_null(v)) {
        *out = absent;
        return 0;
    }
    if (json_is_boolean(v)) {
        *out = json_is_true(v);
        return 0;
    }
    if (json_is_string(v)) {
        const char *s = json_string_value(v);
        if (strcasecmp(s, "true") == 0 || strcmp(s, "1") == 0 || strcasecmp(s, "yes") == 0) {
            *out = true;
            return 0;
        }
        if (strcasecmp(s, "false") == 0 || strcmp(s, "0") == 0 || strcasecmp(s, "no") == 0) {
            *out = false;
            return 0;
        }
        return error_set(err, 400, "SerializationException", "Unexpected token received from parser");
    }
    if (json_is_number(v))
        return error_set(err, 400, "SerializationException", "%s cannot be converted to Boolean", json_kind(v));
    return error_set(err, 400, "SerializationException", "Start of structure or map found where not expected");
}

int ireq_object(const json_t *obj, const char *param, const char *member, bool required, json_t **out, aws_error *err)
{
    json_t *v = json_object_get(obj, param);
    *out = NULL;
    if (v == NULL || json_is_null(v)) {
        if (required)
            return error_validation(err,
                                    "1 validation error detected: Value null at '%s' failed to satisfy constraint: "
                                    "Member must not be null",
                                    member);
        return 0;
    }
    if (json_is_array(v))
        return error_set(err, 400, "SerializationException",
                         "Unrecognized collection type java.util.Map<java.lang.String, "
                         "com.amazonaws.dynamodb.v20120810.AttributeValue>");
    if (!json_is_object(v))
        return error_set(err, 400, "SerializationException", "Unexpected field type");
    *out = v;
    return 0;
}

const table_def *ireq_table(store_reader *r, slice name, aws_error *err)
{
    const table_def *t = store_read_table(r, name);
    if (t == NULL)
        error_set(err, 400, "ResourceNotFoundException", "Requested resource not found");
    return t;
}

const table_def *ireq_tx_table(store_tx *tx, slice name, aws_error *err)
{
    const table_def *t = store_tx_table(tx, name);
    if (t == NULL)
        error_set(err, 400, "ResourceNotFoundException", "Requested resource not found");
    return t;
}

int ireq_rcc(const json_t *obj, rcc_mode *out, aws_error *err)
{
    static const char *const values[] = {"NONE", "INDEXES", "TOTAL", NULL};
    int i;
    if (ireq_enum(obj, "ReturnConsumedCapacity", "returnConsumedCapacity", values, "[INDEXES, TOTAL, NONE]", 0, &i,
                  err) < 0)
        return -1;
    *out = (rcc_mode)i;
    return 0;
}

int ireq_metrics(const json_t *obj, bool *size, aws_error *err)
{
    static const char *const values[] = {"NONE", "SIZE", NULL};
    int i;
    if (ireq_enum(obj, "ReturnItemCollectionMetrics", "returnItemCollectionMetrics", values, "[SIZE, NONE]", 0, &i,
                  err) < 0)
        return -1;
    *size = i == 1;
    return 0;
}

static slice expr_param(const json_t *obj, const char *name)
{
    const json_t *v = json_object_get(obj, name);
    return json_is_string(v) ? json_string_slice(v) : SLICE_NULL;
}

void ireq_expr_input(const json_t *obj, expr_input *in)
{
    json_t *names = json_object_get(obj, "ExpressionAttributeNames");
    json_t *values = json_object_get(obj, "ExpressionAttributeValues");
    *in = (expr_input){
        .names = json_is_null(names) ? NULL : names,
        .values = json_is_null(values) ? NULL : values,
        .condition = expr_param(obj, "ConditionExpression"),
        .filter = expr_param(obj, "FilterExpression"),
        .key_condition = expr_param(obj, "KeyConditionExpression"),
        .projection = expr_param(obj, "ProjectionExpression"),
        .update = expr_param(obj, "UpdateExpression"),
    };
}

int ireq_compile(arena *a, const json_t *obj, unsigned accepted, expr_set *out, aws_error *err)
{
    static const char *const params[] = {"ConditionExpression", "FilterExpression", "KeyConditionExpression",
                                         "ProjectionExpression", "UpdateExpression"};
    for (size_t i = 0; i < sizeof params / sizeof *params; i++) {
        slice s;
        if (ireq_string(obj, params[i], &s, err) < 0)
            return -1;
    }
    expr_input in;
    ireq_expr_input(obj, &in);
    if (!(accepted & EXPR_PARAM_CONDITION))
        in.condition = SLICE_NULL;
    if (!(accepted & EXPR_PARAM_FILTER))
        in.filter = SLICE_NULL;
    if (!(accepted & EXPR_PARAM_KEY_CONDITION))
        in.key_condition = SLICE_NULL;
    if (!(accepted & EXPR_PARAM_PROJECTION))
        in.projection = SLICE_NULL;
    if (!(accepted & EXPR_PARAM_UPDATE))
        in.update = SLICE_NULL;
    if (expr_check_params(&in, accepted, err) < 0)
        return -1;
    return expr_compile(a, &in, out, err);
}

int ireq_key(const table_def *t, json_t *key, aws_error *err)
{
    return key_validate(&t->key, key, err);
}

int ireq_item(const table_def *t, json_t *item, aws_error *err)
{
    if (item_validate(item, err) < 0)
        return -1;
    if (item_key_validate(&t->key, item, err) < 0)
        return -1;
    for (size_t i = 0; i < t->n_indexes; i++)
        if (item_index_key_validate(&t->indexes[i].key, t->indexes[i].name, item, err) < 0)
            return -1;
    return 0;
}

json_t *ireq_key_of(const table_def *t, const json_t *item)
{
    return key_extract(&t->key, item);
}

/* ---- capacity ---- */

double capacity_read_units(size_t bytes, bool consistent)
{
    double units = bytes == 0 ? 1 : ceil((double)bytes / 4096.0);
    return consistent ? units : units / 2;
}

double capacity_write_units(size_t bytes)
{
    double units = ceil((double)bytes / 1024.0);
    return units < 1 ? 1 : units;
}

static bool is_key_name(const key_schema *ks, slice name)
{
    return slice_eq(ks->hash.name, name) || (key_schema_has_range(ks) && slice_eq(ks->range.name, name));
}

bool index_projects(const table_def *t, const index_def *ix, slice name)
{
    if (ix->projection == PROJECTION_ALL || is_key_name(&t->key, name) || is_key_name(&ix->key, name))
        return true;
    if (ix->projection == PROJECTION_INCLUDE)
        for (size_t i = 0; i < ix->n_non_key_attributes; i++)
            if (slice_eq(ix->non_key_attributes[i], name))
                return true;
    return false;
}

size_t index_projected_size(const table_def *t, const index_def *ix, const json_t *item)
{
    size_t size = 0;
    const char *name;
    json_t *value;
    json_object_foreach((json_t *)item, name, value)
    {
        if (index_projects(t, ix, slice_cstr(name)))
            size += strlen(name) + attr_size(value);
    }
    return size;
}

static bool same_index_key(const index_def *ix, const json_t *a, const json_t *b)
{
    const key_attr *parts[2] = {&ix->key.hash, key_schema_has_range(&ix->key) ? &ix->key.range : NULL};
    for (int i = 0; i < 2; i++) {
        if (parts[i] == NULL)
            continue;
        char name[ATTR_KEY_NAME_MAX_BYTES + 1];
        snprintf(name, sizeof name, "%.*s", SLICE_FMT(parts[i]->name));
        if (!attr_equal(json_object_get(a, name), json_object_get(b, name)))
            return false;
    }
    return true;
}

void capacity_add_write(item_capacity *c, const table_def *t, const json_t *old_item, const json_t *new_item,
                        double factor)
{
    size_t old_size = old_item ? item_size(old_item) : 0, new_size = new_item ? item_size(new_item) : 0;
    c->table += factor * capacity_write_units(old_size > new_size ? old_size : new_size);
    for (size_t i = 0; i < t->n_indexes && i < ITEMS_MAX_INDEXES; i++) {
        const index_def *ix = &t->indexes[i];
        bool in_old = old_item && item_has_key(&ix->key, old_item);
        bool in_new = new_item && item_has_key(&ix->key, new_item);
        size_t os = in_old ? index_projected_size(t, ix, old_item) : 0;
        size_t ns = in_new ? index_projected_size(t, ix, new_item) : 0;
        if (in_old && in_new && !same_index_key(ix, old_item, new_item))
            c->index[i] += factor * (capacity_write_units(os) + capacity_write_units(ns)); /* delete + put */
        else if (in_old || in_new)
            c->index[i] += factor * capacity_write_units(os > ns ? os : ns);
    }
}

static json_t *capacity_units_json(double units, bool read)
{
    return json_pack("{s:f,s:f}", "CapacityUnits", units, read ? "ReadCapacityUnits" : "WriteCapacityUnits", units);
}

json_t *capacity_json(rcc_mode mode, const table_def *t, const item_capacity *c, bool read)
{
    if (mode == RCC_NONE)
        return NULL;
    double total = c->table;
    for (size_t i = 0; i < t->n_indexes && i < ITEMS_MAX_INDEXES; i++)
        total += c->index[i];
    json_t *out = capacity_units_json(total, read);
    json_object_set_new(out, "TableName", json_stringn(t->name.ptr, t->name.len));
    if (mode == RCC_INDEXES) {
        json_object_set_new(out, "Table", capacity_units_json(c->table, read));
        json_t *gsi = json_object(), *lsi = json_object();
        for (size_t i = 0; i < t->n_indexes && i < ITEMS_MAX_INDEXES; i++) {
            if (c->index[i] == 0)
                continue;
            char name[256];
            snprintf(name, sizeof name, "%.*s", SLICE_FMT(t->indexes[i].name));
            json_object_set_new(t->indexes[i].global ? gsi : lsi, name, capacity_units_json(c->index[i], read));
        }
        if (json_object_size(gsi))
            json_object_set(out, "GlobalSecondaryIndexes", gsi);
        if (json_object_size(lsi))
            json_object_set(out, "LocalSecondaryIndexes", lsi);
        json_decref(gsi);
        json_decref(lsi);
    }
    return out;
}

json_t *item_collection_metrics(const table_def *t, const json_t *item)
{
    if (t->n_indexes == t->n_gsi || item == NULL)
        return NULL; /* only tables with local secondary indexes have item collections */
    char name[ATTR_KEY_NAME_MAX_BYTES + 1];
    snprintf(name, sizeof name, "%.*s", SLICE_FMT(t->key.hash.name));
    json_t *value = json_object_get(item, name);
    if (value == NULL)
        return NULL;
    return json_pack("{s:{s:O},s:[f,f]}", "ItemCollectionKey", name, value, "SizeEstimateRangeGB", 0.0, 1.0);
}

/* ---- writes ---- */

void ireq_fail(dynamo_call *call, const aws_error *err, json_t *extra)
{
    if (&call->error != err)
        call->error = *err;
    call->response = extra;
    call->done(call);
}

static void write_done(store_job *job)
{
    write_ctx *w = job->ctx;
    if (job->status == 0) {
        dynamo_call_succeed(w->call, w->response);
        return;
    }
    if (w->not_committed != NULL)
        w->not_committed(w);
    ireq_fail(w->call, &job->error, w->error_extra);
}

void ireq_submit(dynamo_engine *e, dynamo_call *call, write_ctx *w, store_job_fn run, bool replayable)
{
    w->call = call;
    w->job = (store_job){
        .run = run,
        .ctx = w,
        .arena = call->arena,
        .done = write_done,
        .user = call,
        .replayable = replayable,
    };
    store_submit(dynamo_engine_store(e), &w->job);
}
