/*
 * buf: a growable byte buffer in an arena, for building output (rendered templates, messages,
 * response bodies) whose size is not known in advance. Growing copies into a bigger arena block;
 * the old block is simply abandoned to the arena.
 */
#ifndef PORTICO_CORE_BUF_H
#define PORTICO_CORE_BUF_H

#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include "core/arena.h"
#include "core/slice.h"

typedef struct buf {
    arena *a;
    char *ptr; /* bytes so far; always room for a terminating NUL */
    size_t len, cap;
} buf;

/* Inline: renderers and writers start a buffer for every value they print; the set-up is a few stores. */
static inline void buf_init(buf *b, arena *a, size_t initial_capacity)
{
    b->a = a;
    b->cap = initial_capacity < 64 ? 64 : initial_capacity;
    b->ptr = arena_alloc(a, b->cap);
    b->len = 0;
}
/* Room for `extra` more bytes (and the NUL). The common case (room left) is inline: appends are
 * the inner loop of every serialiser and renderer. */
void buf_grow(buf *b, size_t extra);
static inline void buf_reserve(buf *b, size_t extra)
{
    if (b->len + extra + 1 > b->cap)
        buf_grow(b, extra);
}
static inline void buf_append(buf *b, const void *bytes, size_t len)
{
    if (len == 0)
        return;
    buf_reserve(b, len);
    memcpy(b->ptr + b->len, bytes, len);
    b->len += len;
}
static inline void buf_append_char(buf *b, char c)
{
    buf_reserve(b, 1);
    b->ptr[b->len++] = c;
}
static inline void buf_append_slice(buf *b, slice s)
{
    buf_append(b, s.ptr, s.len);
}
static inline void buf_append_cstr(buf *b, const char *s)
{
    buf_append(b, s, strlen(s));
}
void buf_printf(buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A decimal integer, as "%lld" prints it (answers carry counts and lengths: printf's format parsing cost
 * more than the rest of writing one). */
void buf_append_int(buf *b, long long v);
/* The bytes so far, NUL-terminated (the NUL is not counted). */
slice buf_slice(buf *b);

#endif
