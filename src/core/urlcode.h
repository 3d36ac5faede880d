/*
 * urlcode: percent-decoding of URL parts (path segments, query strings). Malformed escapes are kept
 * as they are, as API Gateway passes them on; never fails.
 */
#ifndef PORTICO_CORE_URLCODE_H
#define PORTICO_CORE_URLCODE_H

#include <stdbool.h>

#include "core/arena.h"
#include "core/slice.h"

/* Decodes %XX; with plus_is_space (query strings) also '+' to ' '. Returns `s` itself when nothing
 * needs decoding, else a copy in `a`. */
slice url_decode(arena *a, slice s, bool plus_is_space);

#endif
