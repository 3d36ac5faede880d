/*
 * slice: a borrowed run of bytes (pointer + length), the project's string type.
 * A slice never owns its bytes and is not NUL-terminated; whoever made the bytes keeps them alive
 * (usually the request arena, or the model loaded at start).
 */
#ifndef PORTICO_CORE_SLICE_H
#define PORTICO_CORE_SLICE_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

typedef struct slice {
    const char *ptr;
    size_t len;
} slice;

#define SLICE_LIT(s) ((slice){(s), sizeof(s) - 1})
#define SLICE_NULL   ((slice){NULL, 0})
/* printf("%.*s", SLICE_FMT(s)) */
#define SLICE_FMT(s) (int)(s).len, (s).ptr

static inline slice slice_make(const char *ptr, size_t len) { return (slice){ptr, len}; }
static inline slice slice_cstr(const char *s) { return (slice){s, s != NULL ? strlen(s) : 0}; }
static inline bool slice_eq(slice a, slice b) { return a.len == b.len && (a.len == 0 || memcmp(a.ptr, b.ptr, a.len) == 0); }
static inline bool slice_eq_cstr(slice a, const char *b) { return slice_eq(a, slice_cstr(b)); }
static inline bool slice_starts_with(slice a, slice prefix)
{
    return a.len >= prefix.len && memcmp(a.ptr, prefix.ptr, prefix.len) == 0;
}
static inline slice slice_sub(slice a, size_t from, size_t len)
{
    if (from > a.len)
        from = a.len;
    if (len > a.len - from)
        len = a.len - from;
    return (slice){a.ptr + from, len};
}
bool slice_eq_nocase(slice a, slice b);
/* Lexicographic byte comparison, shorter first on a common prefix: <0, 0, >0. */
int slice_cmp(slice a, slice b);

#endif
