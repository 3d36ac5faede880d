#include "core/json.h"

#include "core/json_write.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static _Thread_local arena *current;

/* Every block starts with a 16-byte header saying whether it came from malloc or an arena, so that
 * json_decref works on both kinds whatever the current arena is when it runs. */
enum { FROM_HEAP = 0x48454150, FROM_ARENA = 0x4152454e };
typedef struct {
    uint32_t origin;
    uint32_t pad[3];
} block_header;

static void *glue_malloc(size_t size)
{
    block_header *h;
    if (current != NULL) {
        h = arena_alloc(current, sizeof(*h) + size);
        h->origin = FROM_ARENA;
    } else {
        h = malloc(sizeof(*h) + size);
        if (h == NULL)
            return NULL;
        h->origin = FROM_HEAP;
    }
    return h + 1;
}

static void glue_free(void *p)
{
    if (p == NULL)
        return;
    block_header *h = (block_header *)p - 1;
    if (h->origin == FROM_HEAP)
        free(h);
}

void json_glue_init(void)
{
    json_set_alloc_funcs(glue_malloc, glue_free);
    /* Hash seeding reads /dev/urandom on first use; do it now, once, before threads start. */
    json_object_seed(0);
}

arena *json_arena_push(arena *a)
{
    arena *prev = current;
    current = a;
    return prev;
}

void json_arena_pop(arena *previous)
{
    current = previous;
}

arena *json_arena_current(void)
{
    return current;
}

slice json_dump_slice(const json_t *value, size_t flags)
{
    if (current != NULL && json_write_supports(flags)) {
        buf b;
        buf_init(&b, current, 256);
        return json_write(&b, value, flags) ? buf_slice(&b) : SLICE_NULL;
    }
    size_t need = json_dumpb(value, NULL, 0, flags);
    if (need == 0)
        return SLICE_NULL;
    char *buf = current != NULL ? arena_alloc(current, need + 1) : malloc(need + 1);
    if (buf == NULL)
        return SLICE_NULL;
    size_t n = json_dumpb(value, buf, need, flags);
    buf[n] = '\0';
    return slice_make(buf, n);
}
