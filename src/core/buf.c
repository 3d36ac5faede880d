#include "core/buf.h"

#include <stdio.h>
#include <string.h>

void buf_grow(buf *b, size_t extra)
{
    if (b->len + extra + 1 <= b->cap)
        return;
    size_t cap = b->cap * 2;
    while (cap < b->len + extra + 1)
        cap *= 2;
    char *data = arena_alloc(b->a, cap);
    memcpy(data, b->ptr, b->len);
    b->ptr = data;
    b->cap = cap;
}

void buf_printf(buf *b, const char *fmt, ...)
{
    va_list ap, copy;
    va_start(ap, fmt);
    va_copy(copy, ap);
    int n = vsnprintf(b->ptr + b->len, b->cap - b->len, fmt, ap);
    va_end(ap);
    if (n >= 0 && (size_t)n >= b->cap - b->len) {
        buf_reserve(b, (size_t)n);
        vsnprintf(b->ptr + b->len, b->cap - b->len, fmt, copy);
    }
    va_end(copy);
    if (n > 0)
        b->len += (size_t)n;
}

void buf_append_int(buf *b, long long v)
{
    char digits[24];
    char *p = digits + sizeof(digits);
    /* unsigned arithmetic so that the most negative value negates without overflow */
    unsigned long long u = v < 0 ? 0ull - (unsigned long long)v : (unsigned long long)v;
    do {
        *--p = (char)('0' + u % 10);
        u /= 10;
    } while (u != 0);
    if (v < 0)
        *--p = '-';
    buf_append(b, p, (size_t)(digits + sizeof(digits) - p));
}

slice buf_slice(buf *b)
{
    buf_reserve(b, 0);
    b->ptr[b->len] = '\0';
    return slice_make(b->ptr, b->len);
}
