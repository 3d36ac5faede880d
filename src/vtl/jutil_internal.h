/*
 * jutil_internal: helpers shared by the jutil_*.c files, jsonpath.c and the json_reader.h instantiations
 * (jutil_json.c, value_json.c); not for other modules.
 */
#ifndef PORTICO_VTL_JUTIL_INTERNAL_H
#define PORTICO_VTL_JUTIL_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "core/utf8.h"
#include "vtl/jutil.h"

/* The code point at s[*i] as Java's UTF-8 decoder reads it (malformed input: U+FFFD); advances *i. */
uint32_t jutil_utf8_next(const uint8_t *s, size_t n, size_t *i);
/* Appends new String(bytes, UTF_8) as UTF-8: valid input unchanged, malformed sequences U+FFFD. */
void jutil_java_decode(jutil_buf *out, const uint8_t *s, size_t n);

#endif
