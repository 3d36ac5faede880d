/* libFuzzer target: arbitrary bytes as a request body through the json-smart-compatible parser, then printed
 * every way the engine prints JSON, escaped, URL- and base64-coded. Must never crash, hang or leak. The strict
 * fast route of v_parse_json must agree with the permissive parser whenever it takes a document (it aborts
 * otherwise, so that the fuzzer reports the input). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/json.h"
#include "vtl/jutil.h"
#include "vtl/value.h"

/* The strict route's values print and compare as the permissive parser's tree converted. */
static void check_strict_route(arena *a, slice in, int parsed, json_t *v)
{
    vval fast;
    if (!v_parse_json_strict(a, in, &fast))
        return;
    if (parsed != 0)
        abort(); /* the strict route took a document json-smart refuses */
    vval want = v_from_json(a, v);
    jutil_buf x, y;
    jutil_buf_init(&x, a, 64);
    jutil_buf_init(&y, a, 64);
    v_print(&x, fast, NULL, NULL);
    v_print_json(&x, fast, JUTIL_JSON_DEFAULT);
    v_print(&y, want, NULL, NULL);
    v_print_json(&y, want, JUTIL_JSON_DEFAULT);
    if (x.len != y.len || memcmp(x.ptr, y.ptr, x.len) != 0 || !v_java_equals(fast, want))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int ready;
    if (!ready) {
        json_glue_init();
        ready = 1;
    }
    arena a;
    arena_init(&a, 16 * 1024);
    arena *prev = json_arena_push(&a);
    slice in = slice_make((const char *)data, size);
    jutil_buf b;
    jutil_buf_init(&b, &a, 64);
    aws_error e;
    error_clear(&e);
    json_t *v = NULL;
    int parsed = jutil_json_parse(in, &v, &e);
    check_strict_route(&a, in, parsed, v);
    if (parsed == 0) {
        jutil_json_write(&b, v, JUTIL_JSON_DEFAULT);
        jutil_json_write(&b, v, JUTIL_JSON_LT_COMPRESS);
        jutil_java_string(&b, v);
    }
    jutil_escape_javascript(&b, in);
    jutil_url_encode(&b, in);
    jutil_base64_encode(&b, in);
    error_clear(&e);
    (void)jutil_url_decode(&b, in, &e);
    error_clear(&e);
    (void)jutil_base64_decode(&b, in, &e);
    json_arena_pop(prev);
    arena_destroy(&a);
    return 0;
}
