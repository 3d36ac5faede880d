/* Helpers shared by the tests/unit/test_stack_*.c files: load a template from text or a fixture. */
#ifndef PORTICO_TESTS_STACK_TESTLIB_H
#define PORTICO_TESTS_STACK_TESTLIB_H

#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "core/json.h"
#include "stack/model.h"
#include "stack/stack.h"
#include "stack/yaml.h"

/* One load arena per test process (Criterion runs each test in its own process). */
static arena test_arena;
static aws_error test_err;

static inline void stack_test_setup(void)
{
    json_glue_init();
    arena_init(&test_arena, 4096);
    error_clear(&test_err);
}

static inline void stack_test_teardown(void)
{
    arena_destroy(&test_arena);
}

/* tests/fixtures/NAME, found from this file's own path. */
static inline const char *fixture_path(const char *name)
{
    static char buf[4096];
    const char *here = __FILE__;
    const char *cut = strstr(here, "tests/unit/");
    snprintf(buf, sizeof(buf), "%.*stests/fixtures/%s", cut != NULL ? (int)(cut - here) : 0, here, name);
    return buf;
}

static inline const char *repo_path(const char *name)
{
    static char buf[4096];
    const char *here = __FILE__;
    const char *cut = strstr(here, "tests/unit/");
    snprintf(buf, sizeof(buf), "%.*s%s", cut != NULL ? (int)(cut - here) : 0, here, name);
    return buf;
}

static inline stack_model *load_text_opts(const char *text, const stack_options *opts)
{
    stack_model *m = NULL;
    error_clear(&test_err);
    int rc = stack_load_buffer("t.yaml", fixture_path("stack"), text, strlen(text), opts, &m, &test_arena, &test_err);
    if (rc != 0)
        return NULL;
    return m;
}

static inline stack_model *load_text(const char *text)
{
    return load_text_opts(text, NULL);
}

static inline stack_model *must_load(const char *text)
{
    stack_model *m = load_text(text);
    cr_assert_not_null(m, "load failed: %s", test_err.message);
    return m;
}

/* The error message of a load that must fail. */
static inline const char *load_error(const char *text)
{
    stack_model *m = load_text(text);
    cr_assert_null(m, "the load should have failed");
    cr_assert_str_eq(test_err.type, "ValidationError");
    return test_err.message;
}

#define cr_assert_contains(hay, needle)                                                                                \
    cr_assert(strstr((hay), (needle)) != NULL, "expected \"%s\" in \"%s\"", (needle), (hay))

#endif
