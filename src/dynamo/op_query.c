/* Query and Scan: walk a key range of a table or an index in key order, a page at a time
 * (Limit items evaluated, or 1 MB read), filter after reading, project, and say where the next
 * page starts. Both run on the calling thread inside one read transaction. */
#include <stdio.h>
#include <string.h>

#include "core/buf.h"
#include "core/json.h"
#include "core/json_write.h"
#include "dynamo/item_codec.h"
#include "dynamo/item_request.h"
#include "dynamo/key_codec.h"
#include "dynamo/legacy.h"

#define PAGE_MAX_BYTES (1024 * 1024)

typedef enum select_kind { SEL_SPECIFIC, SEL_COUNT, SEL_ALL, SEL_ALL_PROJECTED } select_kind;
static const char *const SELECT_VALUES[] = {"SPECIFIC_ATTRIBUTES", "COUNT", "ALL_ATTRIBUTES",
                                            "ALL_PROJECTED_ATTRIBUTES", NULL};

typedef struct read_req {
    bool is_query;
    slice table, index_name;
    int select; /* -1: absent */
    bool consistent, forward;
    int64_t limit;                   /* 0: none */
    int64_t segment, total_segments; /* -1: absent */
    json_t *esk;
    rcc_mode rcc;
    legacy_info legacy;
    json_t *req; /* the request with legacy parameters translated */
    expr_set x;
} read_req;

/* An integer member within [min, max]; *out = absent when missing. */
static int read_int(const json_t *obj, const char *param, const char *member, int64_t min, int64_t max, int64_t absent,
                    int64_t *out, aws_error *err)
{
    const json_t *v = json_object_get(obj, param);
    if (v == NULL || json_is_null(v)) {
        *out = absent;
        return 0;
    }
    if (json_is_real(v))
        *out = (int64_t)json_real_value(v);
    else if (json_is_integer(v))
        *out = json_integer_value(v);
    else if (json_is_string(v))
        return error_set(err, 400, "SerializationException", "STRING_VALUE cannot be converted to Integer");
    else if (json_is_boolean(v))
        return error_set(err, 400, "SerializationException", "%s cannot be converted to Integer",
                         json_is_true(v) ? "TRUE_VALUE" : "FALSE_VALUE");
    else
        return error_set(err, 400, "SerializationException", "Start of structure or map found where not expected");
    if (*out < min)
        return error_validation(
            err,
            "1 validation error detected: Value '%lld' at '%s' failed to satisfy constraint: Member "
            "must have value greater than or equal to %lld",
            (long long)*out, member, (long long)min);
    if (*out > max)
        return error_validation(
            err,
            "1 validation error detected: Value '%lld' at '%s' failed to satisfy constraint: Member "
            "must have value less than or equal to %lld",
            (long long)*out, member, (long long)max);
    return 0;
}

static int parse_request(dynamo_call *call, bool is_query, read_req *q, aws_error *err)
{
    json_t *req = call->request;
    q->is_query = is_query;
    int select;
    if (ireq_table_name(req, "TableName", "tableName", &q->table, err) < 0 ||
        ireq_string(req, "IndexName", &q->index_name, err) < 0 ||
        ireq_enum(req, "Select", "select", SELECT_VALUES,
                  "[SPECIFIC_ATTRIBUTES, COUNT, ALL_ATTRIBUTES, ALL_PROJECTED_ATTRIBUTES]", -1, &select, err) < 0 ||
        ireq_rcc(req, &q->rcc, err) < 0 || ireq_bool(req, "ConsistentRead", false, &q->consistent, err) < 0 ||
        ireq_bool(req, "ScanIndexForward", true, &q->forward, err) < 0 ||
        read_int(req, "Limit", "limit", 1, INT32_MAX, 0, &q->limit, err) < 0 ||
        ireq_object(req, "ExclusiveStartKey", "exclusiveStartKey", false, &q->esk, err) < 0)
        return -1;
    q->select = select;
    q->segment = q->total_segments = -1;
    if (!is_query && (read_int(req, "Segment", "segment", 0, 999999, -1, &q->segment, err) < 0 ||
                      read_int(req, "TotalSegments", "totalSegments", 1, 1000000, -1, &q->total_segments, err) < 0))
        return -1;

    q->req = legacy_translate(is_query ? LEGACY_QUERY : LEGACY_SCAN, req, &q->legacy, err);
    if (q->req == NULL)
        return -1;

    bool projection = json_object_get(q->req, "ProjectionExpression") != NULL;
    const char *projection_param = q->legacy.attributes_to_get ? "AttributesToGet" : "ProjectionExpression";
    if (projection && q->select >= 0 && q->select != SEL_SPECIFIC)
        return error_validation(err, "Cannot specify the %s when choosing to get %s", projection_param,
                                q->select == SEL_COUNT ? "only the Count" : SELECT_VALUES[q->select]);
    if (q->select == SEL_ALL_PROJECTED && q->index_name.ptr == NULL)
        return error_validation(err, "ALL_PROJECTED_ATTRIBUTES can be used only when Querying using an IndexName");
    if (q->select == SEL_SPECIFIC && !projection)
        return error_validation(err, "Must specify the AttributesToGet or ProjectionExpression when choosing to get "
                                     "SPECIFIC_ATTRIBUTES");
    if (q->select < 0)
        q->select = projection ? SEL_SPECIFIC : q->index_name.ptr ? SEL_ALL_PROJECTED : SEL_ALL;

    if (!is_query) {
        if (q->segment >= 0 && q->total_segments < 0)
            return error_validation(err, "The TotalSegments parameter is required but was not present in the request "
                                         "when Segment parameter is present");
        if (q->total_segments >= 0 && q->segment < 0)
            return error_validation(err, "The Segment parameter is required but was not present in the request when "
                                         "parameter TotalSegments is present");
        if (q->total_segments >= 0 && q->segment >= q->total_segments)
            return error_validation(
                err,
                "The Segment parameter is zero-based and must be less than parameter TotalSegments: "
                "Segment: %lld is not less than TotalSegments: %lld",
                (long long)q->segment, (long long)q->total_segments);
    }
    unsigned accepted = EXPR_PARAM_PROJECTION | EXPR_PARAM_FILTER | (is_query ? EXPR_PARAM_KEY_CONDITION : 0);
    return ireq_compile(call->arena, q->req, accepted, &q->x, err);
}

static void key_name(char *buf, size_t size, slice name)
{
    size_t n = name.len < size ? name.len : size - 1;
    if (n != 0)
        memcpy(buf, name.ptr, n);
    buf[n] = '\0';
}

/* The LastEvaluatedKey of an entry: the table's key attributes, plus the index's for an index. */
static json_t *last_key(const table_def *t, const index_def *ix, const json_t *entry)
{
    json_t *key = json_object();
    const key_schema *schemas[2] = {&t->key, ix ? &ix->key : NULL};
    for (int s = 0; s < 2; s++) {
        if (schemas[s] == NULL)
            continue;
        const key_attr *parts[2] = {&schemas[s]->hash, key_schema_has_range(schemas[s]) ? &schemas[s]->range : NULL};
        for (int p = 0; p < 2; p++) {
            if (parts[p] == NULL)
                continue;
            char name[ATTR_KEY_NAME_MAX_BYTES + 1];
            key_name(name, sizeof name, parts[p]->name);
            json_t *v = json_object_get(entry, name);
            if (v != NULL)
                json_object_set(key, name, v);
        }
    }
    return key;
}

/* Text of a key value as DynamoDB prints it in messages: {S:abc}. */
static void value_text(char *buf, size_t size, const json_t *av)
{
    json_t *p = attr_payload(av);
    snprintf(buf, size, "{%s:%s}", attr_type_name(attr_type_of(av)), json_is_string(p) ? json_string_value(p) : "");
}

/* ExclusiveStartKey -> the encoded key to resume after. */
static int start_key(const read_req *q, const table_def *t, const index_def *ix, arena *a, slice *out, aws_error *err)
{
    json_t *esk = q->esk;
    slice names[4] = {t->key.hash.name, key_schema_has_range(&t->key) ? t->key.range.name : SLICE_NULL,
                      ix ? ix->key.hash.name : SLICE_NULL,
                      ix && key_schema_has_range(&ix->key) ? ix->key.range.name : SLICE_NULL};
    size_t expected = 0;
    for (int i = 0; i < 4; i++) {
        bool seen = names[i].ptr == NULL;
        for (int j = 0; j < i && !seen; j++)
            seen = names[j].ptr != NULL && slice_eq(names[i], names[j]);
        expected += !seen;
    }
    if (json_object_size(esk) != expected)
        return error_validation(err, ix ? "The provided starting key is invalid"
                                        : "The provided starting key is invalid: The provided key element does not "
                                          "match the schema");
    json_t *table_key = key_extract(&t->key, esk);
    if (table_key == NULL)
        return error_validation(err, "The provided starting key is invalid: The provided key element does not match "
                                     "the schema");
    aws_error inner;
    error_clear(&inner);
    if (key_validate(&t->key, table_key, &inner) < 0)
        return error_validation(err, "The provided starting key is invalid: %s", inner.message);
    if (ix == NULL)
        return keyenc_table_key(a, &t->key, esk, out, err);
    json_t *index_key = key_extract(&ix->key, esk);
    if (index_key == NULL || key_validate(&ix->key, index_key, &inner) < 0)
        return error_validation(err, "The provided starting key is invalid");
    int rc = keyenc_index_key(a, &ix->key, &t->key, esk, out, err);
    if (rc == 1)
        return error_validation(err, "The provided starting key is invalid");
    return rc;
}

static keyenc_op sort_op(expr_sort_op op)
{
    switch (op) {
    case EXPR_SORT_EQ:
        return KEYENC_EQ;
    case EXPR_SORT_LT:
        return KEYENC_LT;
    case EXPR_SORT_LE:
        return KEYENC_LE;
    case EXPR_SORT_GT:
        return KEYENC_GT;
    case EXPR_SORT_GE:
        return KEYENC_GE;
    case EXPR_SORT_BETWEEN:
        return KEYENC_BETWEEN;
    case EXPR_SORT_BEGINS_WITH:
        return KEYENC_BEGINS_WITH;
    case EXPR_SORT_NONE:
        break;
    }
    return KEYENC_ALL;
}

/* The answer written as text (call->text_response): the members the tree would have, in its order. */
static slice text_answer(arena *a, const buf *items, bool with_items, int64_t count, int64_t scanned, json_t *lek,
                         json_t *capacity)
{
    buf out;
    buf_init(&out, a, items->len + 128);
    if (with_items) {
        buf_append_cstr(&out, "{\"Items\":[");
        buf_append(&out, items->ptr, items->len);
        buf_append_cstr(&out, "],");
    } else {
        buf_append_char(&out, '{');
    }
    buf_append_cstr(&out, "\"Count\":");
    buf_append_int(&out, (long long)count);
    buf_append_cstr(&out, ",\"ScannedCount\":");
    buf_append_int(&out, (long long)scanned);
    if (lek != NULL) {
        buf_append_cstr(&out, ",\"LastEvaluatedKey\":");
        json_write(&out, lek, JSON_COMPACT);
    }
    if (capacity != NULL) {
        buf_append_cstr(&out, ",\"ConsumedCapacity\":");
        json_write(&out, capacity, JSON_COMPACT);
    }
    buf_append_char(&out, '}');
    return buf_slice(&out);
}

static void read_op(dynamo_engine *e, dynamo_call *call, bool is_query)
{
    aws_error err;
    error_clear(&err);
    read_req q = {0};
    if (parse_request(call, is_query, &q, &err) < 0) {
        dynamo_call_fail(call, &err);
        return;
    }
    arena *a = call->arena;
    store_reader *r = store_read_begin(dynamo_engine_store(e));
    store_cursor *cur = NULL;
    const table_def *t = ireq_table(r, q.table, &err);
    const index_def *ix = NULL;
    if (t == NULL)
        goto fail;
    if (q.index_name.ptr != NULL) {
        ix = table_find_index(t, q.index_name);
        if (ix == NULL) {
            error_validation(&err, "The table does not have the specified index: %.*s", SLICE_FMT(q.index_name));
            goto fail;
        }
        if (ix->global && q.consistent) {
            error_validation(&err, "Consistent reads are not supported on global secondary indexes");
            goto fail;
        }
    }
    const key_schema *ks = ix ? &ix->key : &t->key;

    /* What the read may ask of an index that does not hold every attribute. */
    bool fetch_table = false;
    if (ix != NULL && ix->projection != PROJECTION_ALL) {
        if (ix->global) {
            if (q.select == SEL_ALL) {
                error_validation(&err,
                                 "One or more parameter values were invalid: Select type ALL_ATTRIBUTES is not "
                                 "supported for global secondary index %.*s because its projection type is not ALL",
                                 SLICE_FMT(ix->name));
                goto fail;
            }
            if (q.x.projection != NULL) {
                char missing[512] = "";
                size_t used = 0;
                for (size_t i = 0; i < expr_projection_top_count(q.x.projection); i++) {
                    slice name = expr_projection_top_name(q.x.projection, i);
                    if (!index_projects(t, ix, name) && used < sizeof missing)
                        used += (size_t)snprintf(missing + used, sizeof missing - used, "%s%.*s", used ? ", " : "",
                                                 SLICE_FMT(name));
                }
                if (used) {
                    error_validation(&err,
                                     "One or more parameter values were invalid: Global secondary index %.*s does not "
                                     "project %s",
                                     SLICE_FMT(ix->name), missing);
                    goto fail;
                }
            }
        } else {
            fetch_table = q.select == SEL_ALL || q.x.filter != NULL;
            if (q.x.projection != NULL)
                for (size_t i = 0; i < expr_projection_top_count(q.x.projection); i++)
                    if (!index_projects(t, ix, expr_projection_top_name(q.x.projection, i)))
                        fetch_table = true;
        }
    }

    store_range range = {.backward = !q.forward};
    expr_key_range kr = {0};
    if (is_query) {
        if (q.x.filter != NULL) {
            const slice keys[2] = {ks->hash.name, key_schema_has_range(ks) ? ks->range.name : SLICE_NULL};
            for (int i = 0; i < 2; i++)
                if (keys[i].ptr != NULL && expr_condition_references(q.x.filter, keys[i])) {
                    error_validation(&err,
                                     "%s can only contain non-primary key attributes: Primary key attribute: %.*s",
                                     q.legacy.filter ? "QueryFilter" : "Filter Expression", SLICE_FMT(keys[i]));
                    goto fail;
                }
        }
        if (expr_key_condition_resolve(q.x.key_condition, ks, &kr, &err) < 0)
            goto fail;
        if (kr.sort_op == EXPR_SORT_BETWEEN && attr_compare(kr.sort_value, kr.sort_value2) > 0) {
            char lo[160], hi[160];
            value_text(lo, sizeof lo, kr.sort_value);
            value_text(hi, sizeof hi, kr.sort_value2);
            error_validation(&err,
                             "Invalid KeyConditionExpression: The BETWEEN operator requires upper bound to be greater "
                             "than or equal to lower bound; lower bound operand: AttributeValue: %s, upper bound "
                             "operand: AttributeValue: %s",
                             lo, hi);
            goto fail;
        }
        if (keyenc_query_range(a, ks, kr.partition_value, sort_op(kr.sort_op), kr.sort_value, kr.sort_value2,
                               &range.range, &err) < 0)
            goto fail;
    } else if (q.total_segments > 0) {
        keyenc_segment_range(a, (uint32_t)q.segment, (uint32_t)q.total_segments, &range.range);
    }

    if (q.esk != NULL) {
        if (start_key(&q, t, ix, a, &range.after, &err) < 0)
            goto fail;
        if (is_query) {
            char name[ATTR_KEY_NAME_MAX_BYTES + 1];
            key_name(name, sizeof name, ks->hash.name);
            if (!attr_equal(json_object_get(q.esk, name), kr.partition_value)) {
                error_validation(&err, "The provided starting key is outside query boundaries based on provided "
                                       "conditions");
                goto fail;
            }
            if (kr.sort_op != EXPR_SORT_NONE) {
                key_name(name, sizeof name, ks->range.name);
                if (!expr_key_sort_matches(&kr, json_object_get(q.esk, name))) {
                    error_validation(&err, "The provided starting key does not match the range key predicate");
                    goto fail;
                }
            }
        } else if (q.total_segments > 1 && !keyenc_range_contains(&range.range, range.after)) {
            error_validation(&err,
                             "The provided starting key is invalid: Invalid ExclusiveStartKey. Please use "
                             "ExclusiveStartKey with correct Segment. TotalSegments: %lld Segment: %lld",
                             (long long)q.total_segments, (long long)q.segment);
            goto fail;
        }
    }

    /* Every entry the cursor gives satisfies the key condition: the encoded keys are self-delimiting
     * and order-preserving, so the range is the condition itself, and where LMDB's 511-byte keys cut
     * it short the cursor compares full keys (store_read.c). Entries need no check of their own. */
    cur = store_cursor_open(r, t, ix, &range, &err);
    if (cur == NULL)
        goto fail;
    json_t *items = json_array();
    json_t *lek = NULL;
    int64_t scanned = 0, count = 0;
    size_t page_bytes = 0, index_bytes = 0, table_bytes = 0;
    /* An answer that is only written out, of items shown as stored, is written straight from the
     * stored bytes: no tree per item (most of a Query's cost), and entries are decoded only for
     * their key attributes (or when one gives the LastEvaluatedKey). */
    bool as_text = call->text_response && q.x.filter == NULL && q.x.projection == NULL && !fetch_table;
    buf text_items;
    if (as_text)
        buf_init(&text_items, a, 4096);
    for (;;) {
        slice k, v;
        int rc = store_cursor_next(cur, &k, &v, &err);
        if (rc < 0)
            goto fail;
        if (rc == 0)
            break;
        json_t *entry = NULL;
        size_t size;
        if (item_encoded_size(v, &size, &err) < 0)
            goto fail;
        if (as_text) {
            scanned++;
            count++;
            page_bytes += size;
            *(ix ? &index_bytes : &table_bytes) += size;
            if (q.select != SEL_COUNT) {
                if (count > 1)
                    buf_append_char(&text_items, ',');
                if (item_write_json(&text_items, v, &err) < 0)
                    goto fail;
            }
            if ((q.limit > 0 && scanned >= q.limit) || page_bytes >= PAGE_MAX_BYTES) {
                if (item_decode(v, &entry, &err) < 0)
                    goto fail;
                lek = last_key(t, ix, entry);
                break;
            }
            continue;
        }
        if (item_decode(v, &entry, &err) < 0)
            goto fail;
        scanned++;
        page_bytes += size;
        *(ix ? &index_bytes : &table_bytes) += size;
        json_t *item = entry;
        if (fetch_table) {
            json_t *full = NULL;
            if (store_get_item(r, t, entry, &full, &err) < 0)
                goto fail;
            if (full != NULL) {
                table_bytes += item_size(full);
                item = full;
            }
        }
        if (q.x.filter == NULL || expr_condition_matches(q.x.filter, item)) {
            count++;
            /* ALL_PROJECTED_ATTRIBUTES shows the index entry even when the filter needed the table's item. */
            json_t *shown = q.select == SEL_ALL_PROJECTED ? entry : item;
            if (q.select != SEL_COUNT)
                json_array_append_new(items, q.x.projection ? expr_project(q.x.projection, item) : json_incref(shown));
        }
        if ((q.limit > 0 && scanned >= q.limit) || page_bytes >= PAGE_MAX_BYTES) {
            lek = last_key(t, ix, entry);
            break;
        }
    }
    store_cursor_close(cur);
    cur = NULL;

    json_t *capacity = NULL;
    if (q.rcc != RCC_NONE) {
        item_capacity cap = {0};
        if (ix != NULL) {
            cap.index[ix - t->indexes] = capacity_read_units(index_bytes, q.consistent);
            cap.table = fetch_table ? capacity_read_units(table_bytes, q.consistent) : 0;
        } else {
            cap.table = capacity_read_units(table_bytes, q.consistent);
        }
        capacity = capacity_json(q.rcc, t, &cap, true);
    }
    if (as_text) {
        slice text = text_answer(a, &text_items, q.select != SEL_COUNT, count, scanned, lek, capacity);
        store_read_end(r);
        dynamo_call_succeed_text(call, text);
        return;
    }
    json_t *response = json_object();
    if (q.select != SEL_COUNT)
        json_object_set(response, "Items", items);
    json_decref(items);
    json_object_set_new(response, "Count", json_integer(count));
    json_object_set_new(response, "ScannedCount", json_integer(scanned));
    if (lek != NULL)
        json_object_set_new(response, "LastEvaluatedKey", lek);
    if (capacity != NULL)
        json_object_set_new(response, "ConsumedCapacity", capacity);
    store_read_end(r);
    dynamo_call_succeed(call, response);
    return;
fail:
    if (cur != NULL)
        store_cursor_close(cur);
    store_read_end(r);
    dynamo_call_fail(call, &err);
}

void op_query(dynamo_engine *e, dynamo_call *call)
{
    read_op(e, call, true);
}
void op_scan(dynamo_engine *e, dynamo_call *call)
{
    read_op(e, call, false);
}
