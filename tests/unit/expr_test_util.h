/* Helpers for the expression unit tests: JSON written with single quotes, compiling a request's
 * expressions, and comparing items. Everything lives in one arena per test. */
#ifndef PORTICO_TESTS_EXPR_TEST_UTIL_H
#define PORTICO_TESTS_EXPR_TEST_UTIL_H

#include <criterion/criterion.h>
#include <string.h>

#include "core/json.h"
#include "dynamo/expr.h"

static arena tu_arena;
static arena *tu_prev;

static inline void tu_setup(void)
{
    json_glue_init();
    arena_init(&tu_arena, 8192);
    tu_prev = json_arena_push(&tu_arena);
}

static inline void tu_teardown(void)
{
    json_arena_pop(tu_prev);
    arena_destroy(&tu_arena);
}

/* JSON text with ' for " (so that tests stay readable). */
static inline json_t *J(const char *text)
{
    char *t = arena_strndup(&tu_arena, text, strlen(text));
    for (char *c = t; *c; c++)
        if (*c == '\'')
            *c = '"';
    json_error_t e;
    json_t *v = json_loads(t, JSON_DECODE_ANY, &e);
    cr_assert_not_null(v, "bad test JSON %s: %s", t, e.text);
    return v;
}

static inline void assert_json(const json_t *got, const char *expected)
{
    json_t *want = J(expected);
    slice g = json_dump_slice(got, JSON_COMPACT | JSON_SORT_KEYS);
    slice w = json_dump_slice(want, JSON_COMPACT | JSON_SORT_KEYS);
    cr_assert(json_equal((json_t *)got, want), "got %.*s, want %.*s", SLICE_FMT(g), SLICE_FMT(w));
}

typedef struct tx {
    const char *names, *values;
    const char *condition, *filter, *key, *projection, *update;
} tx;

static inline int tcompile(tx t, expr_set *out, aws_error *err)
{
    expr_input in;
    memset(&in, 0, sizeof(in));
    in.names = t.names ? J(t.names) : NULL;
    in.values = t.values ? J(t.values) : NULL;
    in.condition = t.condition ? slice_cstr(t.condition) : SLICE_NULL;
    in.filter = t.filter ? slice_cstr(t.filter) : SLICE_NULL;
    in.key_condition = t.key ? slice_cstr(t.key) : SLICE_NULL;
    in.projection = t.projection ? slice_cstr(t.projection) : SLICE_NULL;
    in.update = t.update ? slice_cstr(t.update) : SLICE_NULL;
    error_clear(err);
    return expr_compile(&tu_arena, &in, out, err);
}

static inline expr_set compile_ok(tx t)
{
    expr_set s;
    aws_error e;
    int rc = tcompile(t, &s, &e);
    cr_assert_eq(rc, 0, "unexpected error: %s", e.message);
    return s;
}

#define EXPECT_ERROR(msg, ...)                                                                                         \
    do {                                                                                                               \
        expr_set s_;                                                                                                   \
        aws_error e_;                                                                                                  \
        cr_assert_eq(tcompile((tx){__VA_ARGS__}, &s_, &e_), -1, "expected error: %s", msg);                            \
        cr_assert_str_eq(e_.type, "ValidationException");                                                              \
        cr_assert_str_eq(e_.message, msg);                                                                             \
    } while (0)

#endif
