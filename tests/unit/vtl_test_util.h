/* Helpers for the VTL unit tests: one request environment built from plain strings, rendered the
 * way the gateway renders (compile once into a load arena, render into a request arena). */
#ifndef PORTICO_TESTS_VTL_TEST_UTIL_H
#define PORTICO_TESTS_VTL_TEST_UTIL_H

#include <criterion/criterion.h>
#include <string.h>

#include "core/arena.h"
#include "core/json.h"
#include "vtl/vtl.h"

/* A test's arena, made current for jansson and the template readers' values. */
#define VTL_TEST_ARENA_OPEN(a, prev)                                                                                   \
    json_glue_init();                                                                                                  \
    arena a;                                                                                                           \
    arena_init(&a, 1 << 16);                                                                                           \
    arena *prev = json_arena_push(&a)
#define VTL_TEST_ARENA_CLOSE(a, prev)                                                                                  \
    json_arena_pop(prev);                                                                                              \
    arena_destroy(&a)

typedef struct vtl_case {
    const char *template_text, *body;
    const char **path;
    size_t npath;
    const char **query;
    size_t nquery;
    const char **headers;
    size_t nheaders;
    const char **stage_vars;
    size_t nstage_vars;
    const char *context_json, *method, *resource_path, *stage;
} vtl_case;

static inline vtl_pairs vtl_test_pairs(arena *a, const char **kv, size_t n)
{
    vtl_pair *p = arena_alloc(a, (n + 1) * sizeof(vtl_pair));
    for (size_t i = 0; i < n; i++)
        p[i] = (vtl_pair){slice_cstr(kv[2 * i]), slice_cstr(kv[2 * i + 1])};
    return (vtl_pairs){p, n};
}

/* Renders k; returns 0 and *out, or -1 with err. Everything lives in *a. */
static inline int vtl_test_render(arena *a, const vtl_case *k, slice *out, aws_error *err, vtl_env *env_out)
{
    static int glue;
    if (!glue) {
        json_glue_init();
        glue = 1;
    }
    error_clear(err);
    vtl_template *t = vtl_compile(slice_cstr(k->template_text), a, err);
    if (!t)
        return -1;
    arena *prev = json_arena_push(a);
    json_t *ctx = json_pack("{s:s,s:s,s:s}", "httpMethod", k->method ? k->method : "POST", "resourcePath",
                            k->resource_path ? k->resource_path : "/r", "stage", k->stage ? k->stage : "prod");
    if (k->context_json) {
        json_t *over = json_loads(k->context_json, 0, NULL);
        if (over)
            json_object_update(ctx, over);
    }
    json_arena_pop(prev);
    vtl_env env;
    memset(&env, 0, sizeof(env));
    env.body = slice_cstr(k->body ? k->body : "");
    env.path = vtl_test_pairs(a, k->path, k->npath);
    env.querystring = vtl_test_pairs(a, k->query, k->nquery);
    env.header = vtl_test_pairs(a, k->headers, k->nheaders);
    env.stage_variables = vtl_test_pairs(a, k->stage_vars, k->nstage_vars);
    env.context = ctx;
    int rc = vtl_render(t, &env, a, out, err);
    if (env_out)
        *env_out = env;
    return rc;
}

static inline void expect_render(const vtl_case *k, const char *expected)
{
    arena a;
    arena_init(&a, 4096);
    slice out;
    aws_error err;
    int rc = vtl_test_render(&a, k, &out, &err, NULL);
    cr_assert_eq(rc, 0, "template %s failed: %s", k->template_text, err.message);
    cr_assert(slice_eq(out, slice_cstr(expected)), "template:\n%s\nexpected:\n[%s]\ngot:\n[%.*s]", k->template_text,
              expected, (int)out.len, out.ptr);
    arena_destroy(&a);
}

/* Renders k, asserting that it fails; the error it fails with. */
static inline aws_error render_failure(const vtl_case *k)
{
    arena a;
    arena_init(&a, 4096);
    slice out;
    aws_error err;
    int rc = vtl_test_render(&a, k, &out, &err, NULL);
    cr_assert_eq(rc, -1, "template %s should fail, rendered [%.*s]", k->template_text, (int)out.len, out.ptr);
    arena_destroy(&a);
    return err;
}

static inline void expect_failure(const vtl_case *k)
{
    aws_error err = render_failure(k);
    cr_assert(error_is_set(&err));
}

/* k fails with that status and a message containing `part`. */
static inline void expect_error(const vtl_case *k, int status, const char *part)
{
    aws_error err = render_failure(k);
    cr_assert_eq(err.status, status, "%s: status %d", k->template_text, err.status);
    cr_assert(strstr(err.message, part) != NULL, "%s: message %s", k->template_text, err.message);
}

/* A template with no request data. */
static inline void expect_plain(const char *template_text, const char *expected)
{
    vtl_case k = {.template_text = template_text};
    expect_render(&k, expected);
}

#endif
