/*
 * fuzz_expr: every expression kind on random text. The first byte picks the kind (condition,
 * filter, key condition, projection, update); the rest is the expression, compiled with a fixed set
 * of names and values and then evaluated on a sample item. Must never crash, hang or leak.
 * Seeds start with A (condition), B (filter), C (key condition), D (projection) or E (update).
 */
#include <stdint.h>
#include <string.h>

#include "core/json.h"
#include "dynamo/expr.h"

static const char *names_json = "{\"#a\":\"a\",\"#n\":\"n\",\"#s\":\"status\",\"#d\":\"a.b\",\"#l\":\"l\"}";
static const char *values_json =
    "{\":s\":{\"S\":\"hello\"},\":n\":{\"N\":\"1.5\"},\":z\":{\"N\":\"0\"},\":b\":{\"B\":\"AQI=\"},"
    "\":t\":{\"S\":\"SS\"},\":l\":{\"L\":[{\"S\":\"x\"}]},\":m\":{\"M\":{\"k\":{\"S\":\"v\"}}},"
    "\":ss\":{\"SS\":[\"a\",\"b\"]},\":ns\":{\"NS\":[\"1\",\"2\"]},\":bool\":{\"BOOL\":true},\":null\":{\"NULL\":true},"
    "\":big\":{\"N\":\"9.9999999999999999999999999999999999999E+125\"}}";
static const char *item_json =
    "{\"pk\":{\"S\":\"p\"},\"sk\":{\"N\":\"3\"},\"a\":{\"S\":\"hello\"},\"n\":{\"N\":\"10\"},"
    "\"l\":{\"L\":[{\"S\":\"x\"},{\"N\":\"2\"},{\"M\":{\"k\":{\"L\":[{\"NULL\":true}]}}}]},"
    "\"m\":{\"M\":{\"k\":{\"S\":\"v\"},\"n\":{\"M\":{\"d\":{\"N\":\"7\"}}}}},\"ss\":{\"SS\":[\"a\"]},"
    "\"ns\":{\"NS\":[\"1\"]},\"bs\":{\"BS\":[\"AQI=\"]},\"b\":{\"B\":\"AQID\"},\"t\":{\"BOOL\":false},"
    "\"big\":{\"N\":\"9.9999999999999999999999999999999999999E+125\"}}";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int ready;
    if (!ready) {
        json_glue_init();
        ready = 1;
    }
    if (size < 1)
        return 0;
    arena a;
    arena_init(&a, 16384);
    arena *prev = json_arena_push(&a);
    json_t *names = json_loads(names_json, 0, NULL), *values = json_loads(values_json, 0, NULL);
    json_t *item = json_loads(item_json, 0, NULL);
    slice text = slice_make(arena_strndup(&a, (const char *)data + 1, size - 1), size - 1);
    expr_input in;
    memset(&in, 0, sizeof(in));
    in.names = names;
    in.values = values;
    switch (data[0] % 5) {
    case 0:
        in.condition = text;
        break;
    case 1:
        in.filter = text;
        break;
    case 2:
        in.key_condition = text;
        break;
    case 3:
        in.projection = text;
        break;
    default:
        in.update = text;
        break;
    }
    expr_set s;
    aws_error err;
    error_clear(&err);
    /* Unused names / values fail the compile after everything was parsed and checked; compile
     * once more without the maps so that evaluation gets exercised too. */
    int rc = expr_compile(&a, &in, &s, &err);
    if (rc != 0 && strstr(err.message, "unused in expressions") != NULL) {
        in.names = NULL;
        in.values = NULL;
        rc = expr_compile(&a, &in, &s, &err);
        if (rc != 0) {
            in.names = names;
            in.values = values;
            json_t *n2 = json_object(), *v2 = json_object();
            const char *k;
            json_t *v;
            json_object_foreach(names, k, v) if (memmem(text.ptr, text.len, k, strlen(k)) != NULL)
                json_object_set(n2, k, v);
            json_object_foreach(values, k, v) if (memmem(text.ptr, text.len, k, strlen(k)) != NULL)
                json_object_set(v2, k, v);
            in.names = json_object_size(n2) ? n2 : NULL;
            in.values = json_object_size(v2) ? v2 : NULL;
            rc = expr_compile(&a, &in, &s, &err);
        }
    }
    if (rc == 0) {
        const json_t *items[2] = {item, NULL};
        for (int i = 0; i < 2; i++) {
            (void)expr_condition_matches(s.condition, items[i]);
            (void)expr_condition_matches(s.filter, items[i]);
            json_t *p = expr_project(s.projection, items[i]);
            json_decref(p);
            if (s.update != NULL) {
                json_t *out = NULL;
                aws_error uerr;
                error_clear(&uerr);
                (void)expr_update_check_keys(s.update, SLICE_LIT("pk"), SLICE_LIT("sk"), &uerr);
                if (expr_update_apply(s.update, items[i], &out, &uerr) == 0) {
                    json_decref(expr_update_returned(s.update, out));
                    json_decref(out);
                }
                json_decref(expr_update_returned(s.update, items[i]));
            }
        }
        if (s.key_condition != NULL) {
            key_schema ks = {{SLICE_LIT("pk"), ATTR_S}, {SLICE_LIT("sk"), ATTR_N}};
            expr_key_range r;
            aws_error kerr;
            error_clear(&kerr);
            if (expr_key_condition_resolve(s.key_condition, &ks, &r, &kerr) == 0)
                (void)expr_key_sort_matches(&r, json_object_get(item, "sk"));
        }
    }
    json_arena_pop(prev);
    arena_destroy(&a);
    return 0;
}
