/*
 * json_parse: strict JSON text into a jansson tree, accepting and refusing exactly what json_loadb
 * does (RFC 8259 with jansson's limits: valid UTF-8 only, integers within a long long, reals that do
 * not overflow, 2,048 levels, no NUL byte in a key, a later duplicate key replacing the earlier
 * value in the earlier place), except that a NUL byte right after a number or a literal is refused
 * (json_loadb skips it: its look-ahead mistakes the pushed-back NUL for an empty buffer). It is json_loadb without its
 * per-character stream and string buffer: strings are scanned in runs, validated once and handed to jansson unchecked.
 *
 * It reports only that the text is not JSON; every caller answers that with its own error
 * (SerializationException on the DynamoDB side), never with jansson's message.
 * Supported flags: JSON_DECODE_ANY (a scalar may stand alone) and JSON_ALLOW_NUL ("\u0000" in
 * strings). Values are allocated as every jansson value is (core/json.h: the current arena).
 */
#ifndef PORTICO_CORE_JSON_PARSE_H
#define PORTICO_CORE_JSON_PARSE_H

#include <jansson.h>

#include "core/slice.h"

/* The parsed value, or NULL when `text` is not one JSON text. */
json_t *json_parse(slice text, size_t flags);

#endif
