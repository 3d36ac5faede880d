/* libFuzzer target: arbitrary bytes as a JSONPath, compiled and evaluated over a fixed document with arrays,
 * objects, nulls and scalars. Must never crash, hang or leak. */
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/json.h"
#include "vtl/jsonpath.h"
#include "vtl/jutil.h"

static const char DOC[] = "{\"store\":{\"book\":[{\"t\":\"a\",\"p\":8.95},{\"t\":\"b\",\"p\":12,\"i\":\"x\"}],"
                          "\"bike\":{\"c\":\"red\"}},\"n\":[1,2,[3,{\"a\":null}]],\"s\":\"str\",\"z\":null,\"e\":[]}";

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
    aws_error e;
    error_clear(&e);
    json_t *doc, *out;
    if (jutil_json_parse(SLICE_LIT(DOC), &doc, &e) == 0) {
        error_clear(&e);
        (void)jsonpath_read(&a, slice_make((const char *)data, size), doc, &out, &e);
    }
    json_arena_pop(prev);
    arena_destroy(&a);
    return 0;
}
