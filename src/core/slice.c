#include "core/slice.h"

#include <strings.h>

bool slice_eq_nocase(slice a, slice b) { return a.len == b.len && (a.len == 0 || strncasecmp(a.ptr, b.ptr, a.len) == 0); }

int slice_cmp(slice a, slice b)
{
    size_t n = a.len < b.len ? a.len : b.len;
    int c = n != 0 ? memcmp(a.ptr, b.ptr, n) : 0;
    if (c != 0)
        return c;
    return a.len < b.len ? -1 : a.len > b.len ? 1 : 0;
}
