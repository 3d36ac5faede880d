/*
 * json_write: serialises a jansson tree into an arena buffer, byte for byte as json_dumpb would with
 * the same flags, without json_dumpb's per-call costs (it measures the output by dumping twice, and
 * guards against cycles by formatting every container's address into a hash table). Portico's trees
 * are built per request and are never cyclic, so neither is needed; on the gateway's read path those
 * costs were a third of the CPU.
 *
 * Supported flags: JSON_COMPACT, JSON_ENCODE_ANY and JSON_REAL_PRECISION. Anything else (sorting,
 * indenting, escaping slashes or non-ASCII) is json_dumpb's job: json_write_supports says which.
 */
#ifndef PORTICO_CORE_JSON_WRITE_H
#define PORTICO_CORE_JSON_WRITE_H

#include <jansson.h>
#include <stdbool.h>

#include "core/buf.h"

bool json_write_supports(size_t flags);

/* Appends the serialised value; returns false (appending nothing) when `value` is not an object or
 * array and JSON_ENCODE_ANY is absent, as json_dumpb refuses it. */
bool json_write(buf *b, const json_t *value, size_t flags);

/* One JSON string: quotes and escapes exactly as json_write writes a string value. `s` must be valid
 * UTF-8 (it is copied as is). For writers that produce JSON text without a jansson tree. */
void json_write_string(buf *b, const char *s, size_t len);

#endif
