/* jutil: JSON as json-smart 2.2 reads and writes it, and Java's toString of the values it makes.
 *
 * The parser follows json-smart's permissive mode (what Jayway JsonPath 2.0's JsonSmartJsonProvider uses),
 * established against the real jar (tests/unit/test_jutil.c records the cases):
 *   - anything after the first complete value is ignored (`{"a":1}x`, `[1] [2]`);
 *   - strings may be single-quoted; an unknown escape such as `\q` is dropped;
 *   - unquoted text is a string, ended by the delimiters of its context (top level: the end of the input;
 *     array element: `,` `]`; object key: `:`; object value: `,` `}`) and trimmed, so `a=b` is "a=b" and
 *     `[a b, c]` is ["a b","c"]; `true`/`false`/`null` only when the whole text is the keyword;
 *   - a number followed by other text is text (`1-2`, `0x10`, `100L`); `01` is 1; `-` alone is 0; `1.` is 1.0;
 *   - empty elements and extra commas are skipped (`[1,,2,]`, `{,"a":1,}`); array elements need no comma
 *     between a quoted string and what follows (`['x' y]` is ["x","y"]); an empty object value is "";
 *   - integers that fit a long are json integers (Integer/Long); decimals are json reals (Double).
 * Known gaps (jansson cannot hold them): integers beyond a long and decimals longer than 18 characters are
 * BigInteger/BigDecimal in json-smart and print their exact digits, here they become doubles; NaN and
 * out-of-range decimals (Infinity) become the strings "NaN" / "Infinity"; a lone UTF-16 surrogate escape
 * becomes U+FFFD. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "vtl/jutil.h"
#include "vtl/jutil_internal.h"

/* ---- reading: json_reader.h instantiated for jansson values ---- */

/* A JSON string value from bytes of the document; invalid UTF-8 is replaced as Java's String would have. */
static json_t *make_string(const uint8_t *s, size_t n, bool high)
{
    if (n == 0)
        return json_string("");
    if (high) {
        arena tmp_arena;
        arena_init(&tmp_arena, n * 3 + 64);
        jutil_buf b;
        jutil_buf_init(&b, &tmp_arena, n * 3 + 16);
        jutil_java_decode(&b, s, n);
        json_t *v = json_stringn_nocheck(b.ptr, b.len);
        arena_destroy(&tmp_arena);
        return v;
    }
    return json_stringn_nocheck((const char *)s, n);
}

static json_t *real_value(double d)
{
    json_t *v = json_real(d);
    if (v == NULL) /* out of range: Infinity in Java */
        v = json_string(d < 0 ? "-Infinity" : "Infinity");
    return v;
}

static void object_set(json_t *obj, json_t *key, json_t *v)
{
    json_object_setn_new_nocheck(obj, json_string_value(key), json_string_length(key), v);
    json_decref(key);
}

#define JV                                json_t *
#define JV_OBJ                            int
#define JV_FAIL                           NULL
#define jv_failed(v)                      ((v) == NULL)
#define jv_string(p, s, n, high, in_doc)  ((void)(p), (void)(in_doc), make_string((s), (n), (high)))
#define jv_integer(p, v)                  ((void)(p), json_integer(v))
#define jv_double(p, d)                   ((void)(p), real_value(d))
#define jv_true(p)                        json_true()
#define jv_false(p)                       json_false()
#define jv_null(p)                        json_null()
#define jv_array_new(p)                   ((void)(p), json_array())
#define jv_array_push(p, arr, v)          json_array_append_new(*(arr), (v))
#define jv_object_new(p, st)              ((void)(st), json_object())
#define jv_object_set(p, obj, st, key, v) object_set(*(obj), (key), (v))
#define jv_object_done(p, obj, st)        ((void)(obj), (void)(st))
#define jv_drop(v)                        json_decref(v)
#define JSON_READER_ENTRY                 read_json_document
#include "vtl/json_reader.h"

int jutil_json_parse(slice text, json_t **out, aws_error *e)
{
    return read_json_document(text, NULL, out, e);
}

/* ---- writing ---- */

static const char HEX_UPPER[] = "0123456789ABCDEF";

void jutil_json_write_string(jutil_buf *out, slice str, jutil_json_style style)
{
    const uint8_t *s = (const uint8_t *)str.ptr;
    size_t n = str.len, i = 0, run = 0;
    while (i < n) {
        uint8_t b = s[i];
        const char *esc = NULL;
        bool u_escape = false;
        uint32_t unit = 0;
        size_t next = i + 1;
        if (b >= 0x80) {
            size_t j = i;
            uint32_t c = jutil_utf8_next(s, n, &j);
            next = j;
            if ((c >= 0x80 && c <= 0x9f) || (c >= 0x2000 && c <= 0x20ff)) {
                u_escape = true;
                unit = c;
            } else if (c == 0xfffd && !(j - i == 3 && s[i] == 0xef && s[i + 1] == 0xbf && s[i + 2] == 0xbd)) {
                esc = "\xef\xbf\xbd"; /* invalid bytes: Java's String held U+FFFD */
            } else {
                i = j;
                continue;
            }
        } else {
            switch (b) {
            case '"':
                esc = "\\\"";
                break;
            case '\\':
                esc = "\\\\";
                break;
            case '\b':
                esc = "\\b";
                break;
            case '\f':
                esc = "\\f";
                break;
            case '\n':
                esc = "\\n";
                break;
            case '\r':
                esc = "\\r";
                break;
            case '\t':
                esc = "\\t";
                break;
            case '/':
                if (style == JUTIL_JSON_DEFAULT)
                    esc = "\\/";
                break;
            default:
                if (b < 0x20 || b == 0x7f) {
                    u_escape = true;
                    unit = b;
                }
            }
            if (esc == NULL && !u_escape) {
                i++;
                continue;
            }
        }
        jutil_buf_put(out, (const char *)s + run, i - run);
        if (esc != NULL) {
            jutil_buf_put(out, esc, strlen(esc));
        } else {
            char e[6] = {'\\',
                         'u',
                         HEX_UPPER[(unit >> 12) & 15],
                         HEX_UPPER[(unit >> 8) & 15],
                         HEX_UPPER[(unit >> 4) & 15],
                         HEX_UPPER[unit & 15]};
            jutil_buf_put(out, e, 6);
        }
        i = next;
        run = i;
    }
    jutil_buf_put(out, (const char *)s + run, n - run);
}

static void write_number(jutil_buf *out, const json_t *v)
{
    char num[JUTIL_NUMBER_MAX];
    size_t len = json_is_integer(v) ? jutil_format_long(json_integer_value(v), num)
                                    : jutil_format_double(json_real_value(v), num);
    jutil_buf_put(out, num, len);
}

void jutil_json_write(jutil_buf *out, const json_t *v, jutil_json_style style)
{
    if (v == NULL) {
        jutil_buf_put(out, "null", 4);
        return;
    }
    switch (json_typeof(v)) {
    case JSON_OBJECT: {
        jutil_buf_putc(out, '{');
        const char *key;
        size_t key_len;
        json_t *item;
        bool first = true;
        json_object_keylen_foreach((json_t *)v, key, key_len, item)
        {
            if (!first)
                jutil_buf_putc(out, ',');
            first = false;
            jutil_buf_putc(out, '"');
            jutil_json_write_string(out, slice_make(key, key_len), style);
            jutil_buf_put(out, "\":", 2);
            jutil_json_write(out, item, style);
        }
        jutil_buf_putc(out, '}');
        break;
    }
    case JSON_ARRAY: {
        jutil_buf_putc(out, '[');
        for (size_t i = 0; i < json_array_size(v); i++) {
            if (i > 0)
                jutil_buf_putc(out, ',');
            jutil_json_write(out, json_array_get(v, i), style);
        }
        jutil_buf_putc(out, ']');
        break;
    }
    case JSON_STRING:
        jutil_buf_putc(out, '"');
        jutil_json_write_string(out, json_string_slice(v), style);
        jutil_buf_putc(out, '"');
        break;
    case JSON_INTEGER:
    case JSON_REAL:
        write_number(out, v);
        break;
    case JSON_TRUE:
        jutil_buf_put(out, "true", 4);
        break;
    case JSON_FALSE:
        jutil_buf_put(out, "false", 5);
        break;
    case JSON_NULL:
        jutil_buf_put(out, "null", 4);
        break;
    }
}

void jutil_java_string(jutil_buf *out, const json_t *v)
{
    if (v == NULL) {
        jutil_buf_put(out, "null", 4);
        return;
    }
    switch (json_typeof(v)) {
    case JSON_OBJECT: { /* LinkedHashMap.toString */
        jutil_buf_putc(out, '{');
        const char *key;
        size_t key_len;
        json_t *item;
        bool first = true;
        json_object_keylen_foreach((json_t *)v, key, key_len, item)
        {
            if (!first)
                jutil_buf_put(out, ", ", 2);
            first = false;
            jutil_buf_put(out, key, key_len);
            jutil_buf_putc(out, '=');
            jutil_java_string(out, item);
        }
        jutil_buf_putc(out, '}');
        break;
    }
    case JSON_ARRAY: /* JSONArray.toString is its JSON */
        jutil_json_write(out, v, JUTIL_JSON_DEFAULT);
        break;
    case JSON_STRING:
        jutil_buf_puts(out, json_string_slice(v));
        break;
    default:
        jutil_json_write(out, v, JUTIL_JSON_DEFAULT);
    }
}
