/* libFuzzer target: compile arbitrary bytes as a mapping template and render it against a fixed
 * request. Must never crash, hang or leak: the engine bounds nesting, macro depth, loops and output. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/arena.h"
#include "core/json.h"
#include "vtl/vtl.h"

static const vtl_pair path_params[] = {{SLICE_LIT("pageId"), SLICE_LIT("p1")}};
static const vtl_pair query_params[] = {{SLICE_LIT("q"), SLICE_LIT("a b")}};
static const vtl_pair headers[] = {{SLICE_LIT("X-Amz-Target"), SLICE_LIT("DynamoDB_20120810.Query")}};
static const vtl_pair stage_vars[] = {{SLICE_LIT("table"), SLICE_LIT("Comments")}};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int ready;
    if (!ready) {
        json_glue_init();
        ready = 1;
    }
    arena a;
    arena_init(&a, 16 * 1024);
    aws_error err;
    error_clear(&err);
    vtl_template *t = vtl_compile(slice_make((const char *)data, size), &a, &err);
    if (t) {
        arena *prev = json_arena_push(&a);
        json_t *ctx =
            json_pack("{s:s,s:s,s:{s:s}}", "requestId", "r-1", "stage", "prod", "identity", "sourceIp", "127.0.0.1");
        json_arena_pop(prev);
        vtl_env env;
        memset(&env, 0, sizeof(env));
        env.body = SLICE_LIT("{\"pageId\":\"p1\",\"items\":[{\"a\":1},{\"a\":2.5}],\"s\":\"x/y\",\"n\":null}");
        env.path = (vtl_pairs){path_params, 1};
        env.querystring = (vtl_pairs){query_params, 1};
        env.header = (vtl_pairs){headers, 1};
        env.stage_variables = (vtl_pairs){stage_vars, 1};
        env.context = ctx;
        slice out;
        vtl_render(t, &env, &a, &out, &err);
    }
    arena_destroy(&a);
    return 0;
}
