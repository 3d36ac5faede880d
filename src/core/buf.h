/*
 * buf: a growable byte buffer in an arena, for building output (rendered templates, messages,
 * response bodies) whose size is not known in advance. Growing copies into a bigger arena block;
 * the old block is simply abandoned to the arena.
 */
#ifndef PORTICO_CORE_BUF_H
#define PORTICO_CORE_BUF_H

#include <stdarg.h>
#include <stddef.h>

#include "core/arena.h"
#include "core/slice.h"

typedef struct buf {
    arena *a;
    char *ptr; /* bytes so far; always room for a terminating NUL */
    size_t len, cap;
} buf;

void buf_init(buf *b, arena *a, size_t initial_capacity);
void buf_append(buf *b, const void *bytes, size_t len);
static inline void buf_append_slice(buf *b, slice s)
{
    buf_append(b, s.ptr, s.len);
}
static inline void buf_append_cstr(buf *b, const char *s)
{
    buf_append(b, s, strlen(s));
}
void buf_append_char(buf *b, char c);
void buf_printf(buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The bytes so far, NUL-terminated (the NUL is not counted). */
slice buf_slice(buf *b);

#endif
