#include "core/urlcode.h"

#include <string.h>

static int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

slice url_decode(arena *a, slice s, bool plus_is_space)
{
    if (s.len == 0 || (memchr(s.ptr, '%', s.len) == NULL && (!plus_is_space || memchr(s.ptr, '+', s.len) == NULL)))
        return s;
    char *out = arena_alloc(a, s.len + 1);
    size_t n = 0;
    for (size_t i = 0; i < s.len; i++) {
        char c = s.ptr[i];
        int hi, lo;
        if (c == '%' && i + 2 < s.len && (hi = hex_value(s.ptr[i + 1])) >= 0 && (lo = hex_value(s.ptr[i + 2])) >= 0) {
            out[n++] = (char)(hi * 16 + lo);
            i += 2;
        } else if (c == '+' && plus_is_space) {
            out[n++] = ' ';
        } else {
            out[n++] = c;
        }
    }
    out[n] = '\0';
    return slice_make(out, n);
}
