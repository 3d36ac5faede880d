/* libFuzzer target: arbitrary bytes through json_parse and through jansson's json_loadb with the same
 * flags. Both must accept or refuse alike, and what they accept must serialise to the same bytes:
 * json_parse stands in for json_loadb on every request path. Never a crash, hang or leak. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/json.h"
#include "core/json_parse.h"

/* json_dumps would allocate through the glue allocator; these bytes are plain malloc. */
static char *dump_any(const json_t *v)
{
    size_t n = json_dumpb(v, NULL, 0, JSON_ENCODE_ANY | JSON_COMPACT);
    char *text = malloc(n + 1);
    json_dumpb(v, text, n, JSON_ENCODE_ANY | JSON_COMPACT);
    text[n] = '\0';
    return text;
}

static void same_or_abort(const uint8_t *data, size_t size, size_t flags)
{
    json_t *ours = json_parse(slice_make((const char *)data, size), flags);
    json_t *theirs = json_loadb((const char *)data, size, flags, NULL);
    /* json_loadb skips a NUL byte that follows a number or a literal (its look-ahead mistakes the
     * pushed-back NUL for an empty buffer); json_parse refuses it. Elsewhere they must agree. */
    bool quirk = memchr(data, 0, size) != NULL && ours == NULL;
    if ((ours == NULL) != (theirs == NULL) && !quirk)
        abort();
    if (ours != NULL && theirs != NULL) {
        char *a = dump_any(ours), *b = dump_any(theirs);
        if (strcmp(a, b) != 0 || !json_equal(ours, theirs))
            abort();
        free(a);
        free(b);
    }
    json_decref(ours);
    json_decref(theirs);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int ready;
    if (!ready) {
        json_glue_init();
        ready = 1;
    }
    same_or_abort(data, size, 0);
    same_or_abort(data, size, JSON_ALLOW_NUL | JSON_DECODE_ANY);
    return 0;
}
