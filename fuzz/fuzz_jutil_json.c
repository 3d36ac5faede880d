/* libFuzzer target: arbitrary bytes as a request body through the json-smart-compatible parser, then printed
 * every way the engine prints JSON, escaped, URL- and base64-coded. Must never crash, hang or leak. */
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/json.h"
#include "vtl/jutil.h"

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
    json_t *v;
    if (jutil_json_parse(in, &v, &e) == 0) {
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
