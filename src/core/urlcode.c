#include "core/urlcode.h"

#include <string.h>

#include "core/hex.h"

slice url_decode(arena *a, slice s, bool plus_is_space)
{
    if (s.len == 0 || (memchr(s.ptr, '%', s.len) == NULL && (!plus_is_space || memchr(s.ptr, '+', s.len) == NULL)))
        return s;
    char *out = arena_alloc(a, s.len + 1);
    size_t n = 0;
    for (size_t i = 0; i < s.len; i++) {
        char c = s.ptr[i];
        int hi, lo;
        if (c == '%' && i + 2 < s.len && (hi = hex_digit_value((unsigned char)s.ptr[i + 1])) >= 0 &&
            (lo = hex_digit_value((unsigned char)s.ptr[i + 2])) >= 0) {
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
