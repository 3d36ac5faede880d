/* libFuzzer target: template bytes (YAML or JSON) through the whole loader. Files are never read
 * (no_files), so includes fail cleanly; everything is freed with the arena after each input. */
#include <stddef.h>
#include <stdint.h>

#include "core/json.h"
#include "stack/stack.h"

/* libfyaml 0.7.12 (Debian 12) leaks one buffer on some syntax-error paths (e.g. `a: [x, '''' x]`),
 * reproducible with the parser alone, without Portico's code. The leak is the library's; it is
 * suppressed by name so that leaks in Portico's own code still fail the run. */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void) { return "leak:libfyaml.so\n"; }

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int ready;
    if (!ready) {
        json_glue_init();
        ready = 1;
    }
    if (size > 256 * 1024)
        return 0;
    arena a;
    arena_init(&a, 16 * 1024);
    aws_error err;
    stack_model *m = NULL;
    stack_options opts = {.no_files = true};
    if (stack_load_buffer("fuzz.yaml", NULL, (const char *)data, size, &opts, &m, &a, &err) == 0 && m != NULL) {
        /* exercise the read side too */
        for (size_t i = 0; i < m->api_count; i++) {
            model_path_param pp[8];
            size_t n;
            model_api_match(&m->apis[i], SLICE_LIT("/a/b/c"), pp, 8, &n);
            arena *prev = json_arena_push(&a);
            stack_api_to_json(&m->apis[i], true);
            json_arena_pop(prev);
        }
    }
    arena_destroy(&a);
    return 0;
}
