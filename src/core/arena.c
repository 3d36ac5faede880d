#include "core/arena.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct arena_chunk {
    arena_chunk *prev;
    size_t size;
    _Alignas(16) char data[];
};

static arena_chunk *chunk_new(size_t size, arena_chunk *prev)
{
    arena_chunk *c = malloc(sizeof(*c) + size);
    if (c == NULL) {
        fputs("portico: out of memory\n", stderr);
        abort();
    }
    c->prev = prev;
    c->size = size;
    return c;
}

void arena_init(arena *a, size_t first_chunk_size)
{
    if (first_chunk_size < 256)
        first_chunk_size = 256;
    a->chunk_size = first_chunk_size;
    a->head = chunk_new(first_chunk_size, NULL);
    a->large = NULL;
    a->cur = a->head->data;
    a->end = a->head->data + first_chunk_size;
    a->total_bytes = 0;
}

static void free_large(arena *a)
{
    while (a->large != NULL) {
        arena_chunk *prev = a->large->prev;
        free(a->large);
        a->large = prev;
    }
}

void arena_reset(arena *a)
{
    free_large(a);
    while (a->head->prev != NULL) {
        arena_chunk *prev = a->head->prev;
        free(a->head);
        a->head = prev;
    }
    a->cur = a->head->data;
    a->end = a->head->data + a->head->size;
    a->chunk_size = a->head->size;
    a->total_bytes = 0;
}

void arena_destroy(arena *a)
{
    free_large(a);
    while (a->head != NULL) {
        arena_chunk *prev = a->head->prev;
        free(a->head);
        a->head = prev;
    }
    a->cur = a->end = NULL;
}

void *arena_alloc_slow(arena *a, size_t size)
{
    /* Big requests get a chunk of their own so that the free tail of the current one stays usable. */
    if (size > a->chunk_size / 4) {
        arena_chunk *big = chunk_new(size, a->large);
        a->large = big;
        a->total_bytes += size;
        return big->data;
    }
    if (a->chunk_size < (1u << 20))
        a->chunk_size *= 2;
    /* at most a quarter of the old chunk size here, so the request fits the new chunk */
    a->head = chunk_new(a->chunk_size, a->head);
    a->cur = a->head->data;
    a->end = a->head->data + a->chunk_size;
    void *p = a->cur;
    a->cur += size;
    a->total_bytes += size;
    return p;
}

void *arena_calloc(arena *a, size_t size)
{
    void *p = arena_alloc(a, size);
    memset(p, 0, size);
    return p;
}

char *arena_strndup(arena *a, const char *s, size_t len)
{
    char *p = arena_alloc(a, len + 1);
    if (len != 0)
        memcpy(p, s, len);
    p[len] = '\0';
    return p;
}

slice arena_slice_dup(arena *a, slice s)
{
    return (slice){arena_strndup(a, s.ptr, s.len), s.len};
}

char *arena_vsprintf(arena *a, const char *fmt, va_list ap)
{
    va_list copy;
    va_copy(copy, ap);
    int n = vsnprintf(NULL, 0, fmt, copy);
    va_end(copy);
    if (n < 0)
        n = 0;
    char *p = arena_alloc(a, (size_t)n + 1);
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    return p;
}

char *arena_sprintf(arena *a, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *p = arena_vsprintf(a, fmt, ap);
    va_end(ap);
    return p;
}
