/*
 * arena: a region allocator for memory that lives exactly as long as one unit of work (a request,
 * a template load). Allocation is a pointer bump; everything is released at once by arena_reset or
 * arena_destroy. Never frees single allocations. Not thread-safe: one arena, one thread at a time.
 */
#ifndef PORTICO_CORE_ARENA_H
#define PORTICO_CORE_ARENA_H

#include <stdarg.h>
#include <stddef.h>

#include "core/slice.h"

typedef struct arena_chunk arena_chunk;

typedef struct arena {
    arena_chunk *head;  /* chunk being filled; older chunks hang off it */
    arena_chunk *large; /* allocations too big for a chunk, one each */
    char *cur, *end;    /* free space in head */
    size_t chunk_size;  /* size of the next ordinary chunk */
    size_t total_bytes; /* bytes handed out since the last reset, for limits and metrics */
} arena;

void arena_init(arena *a, size_t first_chunk_size);
/* Releases everything but keeps the first chunk, ready for the next request. */
void arena_reset(arena *a);
void arena_destroy(arena *a);

/* The refill behind arena_alloc: a new chunk, or a chunk of its own for a big request. `size` is already
 * rounded as arena_alloc rounds it. */
void *arena_alloc_slow(arena *a, size_t size);

/* 16-byte aligned; never returns NULL (out of memory aborts: the process cannot continue). Inline because
 * readers and the evaluator allocate small objects by the thousand per request: the bump itself is a few
 * instructions, less than the call. */
static inline void *arena_alloc(arena *a, size_t size)
{
    size = (size + (size == 0) + 15) & ~(size_t)15;
    if ((size_t)(a->end - a->cur) < size)
        return arena_alloc_slow(a, size);
    void *p = a->cur;
    a->cur += size;
    a->total_bytes += size;
    return p;
}
void *arena_calloc(arena *a, size_t size);
char *arena_strndup(arena *a, const char *s, size_t len); /* NUL-terminated copy */
slice arena_slice_dup(arena *a, slice s);
char *arena_sprintf(arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
char *arena_vsprintf(arena *a, const char *fmt, va_list ap);

#endif
