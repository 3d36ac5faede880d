/* jsonpath against Jayway JsonPath 2.0: jsonpath_vectors.h holds, for documents and paths, the answers of the
 * real library in the reference harness's configuration (tests/vtl-diff/oracle/JsonPathVectors.java). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "core/json.h"
#include "vtl/jsonpath.h"
#include "vtl/jutil.h"

#include "jsonpath_vectors.h"

Test(jsonpath, answers_as_jayway_2_0)
{
    json_glue_init();
    arena a;
    arena_init(&a, 1 << 16);
    arena *prev = json_arena_push(&a);
    json_t *docs[sizeof(JSONPATH_DOCS) / sizeof(JSONPATH_DOCS[0])];
    for (size_t d = 0; d < sizeof(JSONPATH_DOCS) / sizeof(JSONPATH_DOCS[0]); d++) {
        aws_error e;
        error_clear(&e);
        cr_assert_eq(jutil_json_parse(slice_cstr(JSONPATH_DOCS[d]), &docs[d], &e), 0);
    }
    size_t failures = 0;
    for (size_t i = 0; i < sizeof(JSONPATH_CASES) / sizeof(JSONPATH_CASES[0]); i++) {
        const jsonpath_vector *v = &JSONPATH_CASES[i];
        aws_error e;
        error_clear(&e);
        json_t *out = NULL;
        int rc = jsonpath_read(&a, slice_cstr(v->path), docs[v->doc], &out, &e);
        jutil_buf b;
        jutil_buf_init(&b, &a, 64);
        if (rc == JSONPATH_FOUND) {
            jutil_buf_put(&b, "OK ", 3);
            jutil_json_write(&b, out, JUTIL_JSON_LT_COMPRESS);
        } else if (rc == JSONPATH_NOT_FOUND) {
            jutil_buf_put(&b, "NOTFOUND", 8);
        } else {
            jutil_buf_put(&b, "ERROR ", 6);
            jutil_buf_puts(&b, slice_cstr(e.type));
        }
        const char *got = jutil_buf_slice(&b).ptr;
        /* Jayway's exception classes for bad syntax vary (InvalidPathException, NumberFormatException); an error
         * is an error */
        bool same = strncmp(v->want, "ERROR", 5) == 0 ? strncmp(got, "ERROR", 5) == 0 : strcmp(got, v->want) == 0;
        if (!same && failures++ < 40)
            cr_log_error("doc %d path %s: got %s, Jayway %s", v->doc, v->path, got, v->want);
    }
    cr_expect_eq(failures, 0, "%zu paths differ from Jayway", failures);
    json_arena_pop(prev);
    arena_destroy(&a);
}

Test(jsonpath, definite_paths)
{
    arena a;
    arena_init(&a, 4096);
    aws_error e;
    jsonpath *p;
    const char *definite[] = {"$", "$.a", "$.a.b[0]", "$['a']", "$['a','b']", "a.b"};
    const char *indefinite[] = {"$..a", "$.a[*]", "$.a.*", "$.a[0,1]", "$.a[1:]", "$.a[?(@.x)]"};
    for (size_t i = 0; i < sizeof definite / sizeof definite[0]; i++) {
        cr_assert_eq(jsonpath_compile(&a, slice_cstr(definite[i]), &p, &e), 0, "%s", definite[i]);
        cr_expect(jsonpath_is_definite(p), "%s", definite[i]);
    }
    for (size_t i = 0; i < sizeof indefinite / sizeof indefinite[0]; i++) {
        cr_assert_eq(jsonpath_compile(&a, slice_cstr(indefinite[i]), &p, &e), 0, "%s", indefinite[i]);
        cr_expect_not(jsonpath_is_definite(p), "%s", indefinite[i]);
    }
    const char *bad[] = {"$..", "$[", "$.n[a]", "$[\"a\"]", "$.a[?(@.x in ['a'])]", "$.s[ ?(]"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        error_clear(&e);
        cr_expect_eq(jsonpath_compile(&a, slice_cstr(bad[i]), &p, &e), -1, "%s", bad[i]);
        cr_expect_str_eq(e.type, "InvalidPathException", "%s", bad[i]);
    }
    arena_destroy(&a);
}
