/*
 * jutil: the pieces of the Java libraries behind API Gateway's mapping templates, reproduced byte for
 * byte, so that a template renders as it does on AWS:
 *   - Commons Lang 2.6 StringEscapeUtils.escapeJavaScript      ($util.escapeJavaScript)
 *   - java.net.URLEncoder / URLDecoder with UTF-8                ($util.urlEncode / urlDecode)
 *   - java.util.Base64 basic encoder / decoder over UTF-8        ($util.base64Encode / base64Decode)
 *   - Double.toString, Long.toString                            (how numbers print)
 *   - json-smart 2.2 in permissive mode, as Jayway JsonPath 2.0's JsonSmartJsonProvider parses request
 *     bodies and $util.parseJson input, into jansson values (objects keep key order, as LinkedHashMap)
 *   - json-smart's serialisers: JSONArray/JSONObject.toString (escapes '/') and
 *     JSONValue.toJSONString(v, JSONStyle.LT_COMPRESS) ($input.json: does not escape '/')
 *   - Java's toString of a parsed value: LinkedHashMap "{k=v, k2=v2}", JSONArray as compact JSON.
 * Strings are UTF-8 slices; where Java works on UTF-16 code units (escapes of characters outside the
 * BMP) the UTF-16 form is produced. Invalid UTF-8 is read as U+FFFD, as Java's decoder does.
 * Never evaluates templates or paths. Allocates only from the arena it is given (jansson values: the
 * thread's current json arena, core/json.h).
 */
#ifndef PORTICO_VTL_JUTIL_H
#define PORTICO_VTL_JUTIL_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/error.h"
#include "core/slice.h"

/* Every writer below appends to the project's arena buffer (core/buf.h); these names keep the Java
 * helpers' code short. */
typedef buf jutil_buf;
static inline void jutil_buf_init(jutil_buf *b, arena *a, size_t initial_cap)
{
    buf_init(b, a, initial_cap);
}
static inline void jutil_buf_put(jutil_buf *b, const char *p, size_t n)
{
    buf_append(b, p, n);
}
static inline void jutil_buf_putc(jutil_buf *b, char c)
{
    buf_append_char(b, c);
}
static inline void jutil_buf_puts(jutil_buf *b, slice s)
{
    buf_append(b, s.ptr, s.len);
}
/* The bytes so far; NUL-terminated (the NUL is not counted). */
static inline slice jutil_buf_slice(jutil_buf *b)
{
    return buf_slice(b);
}

/* ---- $util string helpers ---- */

/* StringEscapeUtils.escapeJavaScript (Commons Lang 2.6). Cannot fail. */
void jutil_escape_javascript(jutil_buf *out, slice s);
/* URLEncoder.encode(s, "UTF-8"). Cannot fail. */
void jutil_url_encode(jutil_buf *out, slice s);
/* URLDecoder.decode(s, "UTF-8"). Java throws IllegalArgumentException on a malformed '%' escape: then
 * returns -1 with e set (status 500, type "IllegalArgumentException", Java's message). */
int jutil_url_decode(jutil_buf *out, slice s, aws_error *e);
/* Base64.getEncoder().encodeToString(s.getBytes(UTF_8)). Cannot fail. */
void jutil_base64_encode(jutil_buf *out, slice s);
/* new String(Base64.getDecoder().decode(s), UTF_8): padding optional, as Java; on invalid input returns
 * -1 with e set (status 500, type "IllegalArgumentException", Java's message). Decoded bytes that are not
 * valid UTF-8 become U+FFFD, as new String does. */
int jutil_base64_decode(jutil_buf *out, slice s, aws_error *e);

/* ---- numbers ---- */

#define JUTIL_NUMBER_MAX 32
/* Double.toString(d): "1.0", "1.0E21", "1.0E-5", "-0.0", "NaN", "Infinity". Writes a NUL-terminated string,
 * returns its length. */
size_t jutil_format_double(double d, char out[JUTIL_NUMBER_MAX]);
/* Long.toString(v) (Integer prints the same way). */
size_t jutil_format_long(long long v, char out[JUTIL_NUMBER_MAX]);

/* ---- JSON as json-smart 2.2 sees it ---- */

/* JsonSmartJsonProvider.parse(text) (json-smart 2.2, MODE_PERMISSIVE): objects (key order kept), arrays,
 * strings, integers (json_integer), decimals (json_real: Double), true/false/null; unquoted and
 * single-quoted strings accepted, so a body such as `a=b` is the string "a=b". On a malformed document
 * returns -1 with e set: status 400, type "ParseException", message as json-smart's
 * ParseException.getMessage() ("Unexpected End Of File position 1: null"). *out is a new reference in the
 * current json arena. See jutil.c for the exact permissive rules kept and the known gaps. */
int jutil_json_parse(slice text, json_t **out, aws_error *e);

typedef enum jutil_json_style {
    JUTIL_JSON_DEFAULT,     /* JSONArray.toString() / JSONObject.toString(): '/' escaped as "\/" */
    JUTIL_JSON_LT_COMPRESS, /* JSONValue.toJSONString(v, LT_COMPRESS), what $input.json prints */
} jutil_json_style;

/* Compact JSON as json-smart writes it (no spaces; non-ASCII kept; control characters escaped). */
void jutil_json_write(jutil_buf *out, const json_t *v, jutil_json_style style);
/* A JSON string's escaped body as json-smart writes it (no surrounding quotes). */
void jutil_json_write_string(jutil_buf *out, slice s, jutil_json_style style);

/* String.valueOf(v) for a value from jutil_json_parse: strings raw, numbers as Java prints Integer/Long/
 * Double, true/false, null -> "null", objects as LinkedHashMap.toString ("{a=1, b=[1,2]}", nested objects
 * the same way), arrays as JSONArray.toString (compact JSON, DEFAULT style). A NULL v prints "null". */
void jutil_java_string(jutil_buf *out, const json_t *v);

#endif
