/*
 * json_reader: the one json-smart 2.2 permissive-mode reader (see jutil_json.c for the rules it follows),
 * written once and instantiated for two kinds of result: jansson values (jutil_json.c, what jsonpath walks)
 * and the template engine's own values (value_json.c, what $input.path hands to a template without a
 * detour through jansson). Both instantiations must accept and refuse exactly the same documents with the
 * same messages, which is why the reader is shared instead of written twice.
 *
 * Include this file once per instantiation, after defining the sink:
 *   JV                      the value type; JV_OBJ the per-object state type the sink needs while filling it
 *   JV_FAIL, jv_failed(v)   the failure value and its test
 *   jv_string(p, s, n, high, in_doc)  a string from n bytes (high: some are >= 0x80 and need Java's
 *                           decoding; in_doc: the bytes are the document's own, valid after parsing)
 *   jv_integer(p, v), jv_double(p, d)  (d may be infinite: json-smart's Infinity)
 *   jv_true(p), jv_false(p), jv_null(p)
 *   jv_array_new(p), jv_array_push(p, &arr, v)
 *   jv_object_new(p, &st), jv_object_set(p, &obj, &st, key, v) (a repeated key replaces the value in
 *                           place, as LinkedHashMap.put), jv_object_done(p, &obj, &st)
 *   jv_drop(v)              releases a partial result after a failure
 * and JSON_READER_ENTRY, the name of the entry function:
 *   static int JSON_READER_ENTRY(slice text, void *sink, JV *out, aws_error *e)
 * Nothing here allocates except through the sink (and a malloc'd scratch buffer for escaped strings).
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/hex.h"
#include "core/swar.h"
#include "vtl/jutil.h"
#include "vtl/jutil_internal.h"

enum { EOI = -1 };
enum stop_set { STOP_TOP, STOP_ARRAY, STOP_KEY, STOP_VALUE };

typedef struct parser {
    const uint8_t *s;
    size_t n, pos;
    int c; /* s[pos] or EOI */
    aws_error *e;
    void *sink;
    char *scratch; /* unescaped string being built (malloc) */
    size_t scratch_len, scratch_cap;
    int depth;
} parser;

#define MAX_DEPTH 1000

static inline void advance(parser *p)
{
    if (p->pos < p->n)
        p->pos++;
    p->c = p->pos < p->n ? p->s[p->pos] : EOI;
}

static bool is_stop(int c, enum stop_set set)
{
    switch (set) {
    case STOP_ARRAY:
        return c == ',' || c == ']';
    case STOP_KEY:
        return c == ':';
    case STOP_VALUE:
        return c == ',' || c == '}';
    default:
        return false;
    }
}

static int fail(parser *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(parser *p, const char *fmt, ...)
{
    if (error_is_set(p->e))
        return -1;
    va_list ap;
    va_start(ap, fmt);
    p->e->status = 400;
    p->e->type = "ParseException";
    vsnprintf(p->e->message, sizeof(p->e->message), fmt, ap);
    va_end(ap);
    return -1;
}

/* Java counts positions in UTF-16 units: a byte offset of the document converted. */
static size_t jpos(const parser *p, size_t byte_pos)
{
    size_t units = 0;
    for (size_t i = 0; i < byte_pos && i < p->n; i++) {
        uint8_t b = p->s[i];
        if ((b & 0xc0) != 0x80)
            units += b >= 0xf0 ? 2 : 1;
    }
    return units;
}

/* Unexpected character at the current position, or the one before it (delta -1). */
static int fail_char(parser *p, int delta)
{
    size_t pos = jpos(p, p->pos) + (size_t)(ptrdiff_t)delta;
    /* a character outside ASCII is shown as Java would, one UTF-16 unit; show its UTF-8 instead */
    if (p->c >= 0x80) {
        size_t i = p->pos, start = i;
        (void)jutil_utf8_next(p->s, p->n, &i);
        return fail(p, "Unexpected character (%.*s) at position %zu.", (int)(i - start), (const char *)p->s + start,
                    pos);
    }
    return fail(p, "Unexpected character (%c) at position %zu.", p->c, pos);
}

static void skip_space(parser *p)
{
    while (p->c != EOI && p->c <= ' ')
        advance(p);
}

static bool is_trim_space(uint8_t c)
{
    return c <= ' ';
}

/* Text from start up to the current position, trimmed as String.trim() does. */
static slice trimmed(parser *p, size_t start)
{
    size_t a = start, b = p->pos;
    while (a < b && is_trim_space(p->s[a]))
        a++;
    while (b > a && is_trim_space(p->s[b - 1]))
        b--;
    return slice_make((const char *)p->s + a, b - a);
}

static void skip_unquoted(parser *p, enum stop_set stop)
{
    while (p->c != EOI && !(p->c < 126 && is_stop(p->c, stop)))
        advance(p);
}

/* Unquoted text of the document as a string value. */
static JV text_value(parser *p, slice t)
{
    return jv_string(p, (const uint8_t *)t.ptr, t.len, !swar_all_ascii(t.ptr, t.len), true);
}

static void scratch_put(parser *p, const char *s, size_t n)
{
    if (n == 0)
        return;
    if (p->scratch_len + n > p->scratch_cap) {
        size_t cap = p->scratch_cap ? p->scratch_cap * 2 : 64;
        while (cap < p->scratch_len + n)
            cap *= 2;
        char *q = realloc(p->scratch, cap);
        if (q == NULL)
            abort();
        p->scratch = q;
        p->scratch_cap = cap;
    }
    memcpy(p->scratch + p->scratch_len, s, n);
    p->scratch_len += n;
}

/* The hex digits of a \uXXXX (4) or \xXX (2) escape. */
static int hex_digits(parser *p, int count, unsigned *out)
{
    unsigned v = 0;
    for (int k = 0; k < count; k++) {
        advance(p);
        int c = p->c;
        if (c == EOI)
            return fail(p, "Unexpected End Of File position %zu: null", jpos(p, p->pos));
        int d = hex_digit_value((uint32_t)c);
        if (d < 0)
            return fail(p, "Unexpected unicode escape sequence %c at position %zu.", c, jpos(p, p->pos));
        v = v * 16 + (unsigned)d;
    }
    *out = v;
    return 0;
}

/* The common case of a quoted string without escapes: true with *out pointing into the input and *high set
 * when it holds non-ASCII bytes; the parser then stands after the closing quote. */
static inline __attribute__((always_inline)) bool quoted_plain(parser *p, slice *out, bool *high)
{
    /* one pass, byte by byte: document strings are mostly short, where library scans cost more than they save */
    const uint8_t *start = p->s + p->pos + 1, *end = p->s + p->n, *q = start;
    uint8_t quote = (uint8_t)p->c, acc = 0;
    while (q < end && *q != quote && *q != '\\')
        acc |= *q++;
    if (q == end || *q != quote)
        return false;
    size_t len = (size_t)(q - start);
    *out = slice_make((const char *)start, len);
    *high = (acc & 0x80) != 0;
    p->pos = (size_t)(q - p->s);
    advance(p);
    return true;
}

/* A quoted string; on return the current character is the one after the closing quote. */
static inline __attribute__((always_inline)) JV read_quoted(parser *p)
{
    slice plain;
    bool high;
    if (quoted_plain(p, &plain, &high))
        return jv_string(p, (const uint8_t *)plain.ptr, plain.len, high, true);
    int quote = p->c;
    /* json-smart looks for the closing quote first: without one, the document ends inside the string */
    if (memchr(p->s + p->pos + 1, quote, p->n - p->pos - 1) == NULL) {
        fail(p, "Unexpected End Of File position %zu: null", jpos(p, p->n));
        return JV_FAIL;
    }
    p->scratch_len = 0;
    advance(p);
    size_t run = p->pos;
    unsigned pending_high = 0; /* a high surrogate waiting for its pair */
    for (;;) {
        if (p->c == EOI) {
            fail(p, "Unexpected End Of File position %zu: null", jpos(p, p->pos));
            return JV_FAIL;
        }
        if (p->c == quote || p->c == '\\') {
            scratch_put(p, (const char *)p->s + run, p->pos - run);
            if (p->c == quote) {
                advance(p);
                break;
            }
            advance(p);
            char ch[4];
            size_t len = 1;
            unsigned u = 0;
            if (pending_high && p->c != 'u') {
                scratch_put(p, "\xef\xbf\xbd", 3);
                pending_high = 0;
            }
            switch (p->c) {
            case EOI:
                fail(p, "Unexpected End Of File position %zu: null", jpos(p, p->pos));
                return JV_FAIL;
            case '"':
            case '\'':
            case '\\':
            case '/':
                ch[0] = (char)p->c;
                break;
            case 'b':
                ch[0] = '\b';
                break;
            case 'f':
                ch[0] = '\f';
                break;
            case 'n':
                ch[0] = '\n';
                break;
            case 'r':
                ch[0] = '\r';
                break;
            case 't':
                ch[0] = '\t';
                break;
            case 'u':
                if (hex_digits(p, 4, &u) != 0)
                    return JV_FAIL;
                if (u >= 0xd800 && u <= 0xdbff) {
                    if (pending_high)
                        scratch_put(p, "\xef\xbf\xbd", 3);
                    pending_high = u;
                    len = 0;
                } else if (u >= 0xdc00 && u <= 0xdfff && pending_high) {
                    len = utf8_put(ch, 0x10000 + ((pending_high - 0xd800) << 10) + (u - 0xdc00));
                    pending_high = 0;
                } else {
                    if (pending_high) {
                        scratch_put(p, "\xef\xbf\xbd", 3);
                        pending_high = 0;
                    }
                    len = utf8_put(ch, (u >= 0xd800 && u <= 0xdfff) ? 0xfffd : u);
                }
                break;
            case 'x': /* json-smart also reads \xXX */
                if (hex_digits(p, 2, &u) != 0)
                    return JV_FAIL;
                len = utf8_put(ch, u);
                break;
            default:
                len = 0; /* json-smart drops an unknown escape */
            }
            scratch_put(p, ch, len);
            advance(p);
            run = p->pos;
            continue;
        }
        if (pending_high) {
            scratch_put(p, "\xef\xbf\xbd", 3);
            pending_high = 0;
        }
        advance(p);
    }
    if (pending_high)
        scratch_put(p, "\xef\xbf\xbd", 3);
    return jv_string(p, (const uint8_t *)p->scratch, p->scratch_len, !swar_all_ascii(p->scratch, p->scratch_len),
                     false);
}

static JV integer_value(parser *p, slice t)
{
    if (t.len == 1 && t.ptr[0] == '-')
        return jv_integer(p, 0);
    char small[32];
    char *buf = t.len < sizeof small ? small : malloc(t.len + 1);
    if (buf == NULL)
        abort();
    memcpy(buf, t.ptr, t.len);
    buf[t.len] = '\0';
    errno = 0;
    long long v = strtoll(buf, NULL, 10);
    JV out;
    if (errno == ERANGE) { /* BigInteger in json-smart: known gap, kept as a double */
        double d = strtod(buf, NULL);
        /* beyond a double: refused (without a message), as the reader always did */
        out = isinf(d) ? JV_FAIL : jv_double(p, d);
    } else
        out = jv_integer(p, v);
    if (buf != small)
        free(buf);
    return out;
}

static JV decimal_value(parser *p, slice t)
{
    char small[64];
    char *buf = t.len < sizeof small ? small : malloc(t.len + 1);
    if (buf == NULL)
        abort();
    memcpy(buf, t.ptr, t.len);
    buf[t.len] = '\0';
    char *end;
    double d = strtod(buf, &end);
    bool whole = *end == '\0' && end != buf;
    if (buf != small)
        free(buf);
    if (!whole) {
        fail(p, "For input string: \"%.*s\"", SLICE_FMT(t));
        return JV_FAIL;
    }
    return jv_double(p, d);
}

static bool is_digit(int c)
{
    return c >= '0' && c <= '9';
}

static bool continues_as_text(parser *p, enum stop_set stop)
{
    return p->c != EOI && p->c < 126 && !is_stop(p->c, stop);
}

static JV read_number(parser *p, enum stop_set stop)
{
    size_t start = p->pos;
    advance(p);
    while (is_digit(p->c))
        advance(p);
    if (p->c != '.' && p->c != 'e' && p->c != 'E') {
        skip_space(p);
        if (continues_as_text(p, stop)) {
            skip_unquoted(p, stop);
            return text_value(p, trimmed(p, start));
        }
        return integer_value(p, trimmed(p, start));
    }
    if (p->c == '.') {
        advance(p);
        while (is_digit(p->c))
            advance(p);
    }
    if (p->c == 'e' || p->c == 'E') {
        advance(p);
        if (p->c == '+' || p->c == '-' || is_digit(p->c)) {
            advance(p);
            while (is_digit(p->c))
                advance(p);
        } else {
            skip_unquoted(p, stop);
            return text_value(p, trimmed(p, start));
        }
    }
    skip_space(p);
    if (continues_as_text(p, stop)) {
        skip_unquoted(p, stop);
        return text_value(p, trimmed(p, start));
    }
    return decimal_value(p, trimmed(p, start));
}

static JV read_value(parser *p, enum stop_set stop);

static JV read_array(parser *p)
{
    JV arr = jv_array_new(p);
    advance(p);
    for (;;) {
        switch (p->c) {
        case ' ':
        case '\r':
        case '\n':
        case '\t':
        case ',':
            advance(p);
            continue;
        case ']':
            advance(p);
            return arr;
        case ':':
        case '}':
            fail_char(p, 0);
            jv_drop(arr);
            return JV_FAIL;
        case EOI:
            fail(p, "Unexpected End Of File position %zu: EOF", jpos(p, p->pos) - 1);
            jv_drop(arr);
            return JV_FAIL;
        default: {
            JV v = read_value(p, STOP_ARRAY);
            if (jv_failed(v)) {
                jv_drop(arr);
                return JV_FAIL;
            }
            jv_array_push(p, &arr, v);
        }
        }
    }
}

static JV read_object(parser *p)
{
    JV_OBJ st;
    JV obj = jv_object_new(p, &st);
    advance(p);
    for (;;) {
        switch (p->c) {
        case ' ':
        case '\r':
        case '\n':
        case '\t':
        case ',':
            advance(p);
            continue;
        case ':':
        case ']':
        case '[':
        case '{':
            fail_char(p, 0);
            goto failed;
        case '}':
            advance(p);
            jv_object_done(p, &obj, &st);
            return obj;
        default:
            break;
        }
        JV key;
        if (p->c == '"' || p->c == '\'') {
            key = read_quoted(p);
        } else {
            size_t start = p->pos;
            skip_unquoted(p, STOP_KEY);
            key = text_value(p, trimmed(p, start));
        }
        if (jv_failed(key))
            goto failed;
        skip_space(p);
        if (p->c != ':') {
            jv_drop(key);
            if (p->c == EOI)
                fail(p, "Unexpected End Of File position %zu: null", jpos(p, p->pos) - 1);
            else
                fail_char(p, -1);
            goto failed;
        }
        advance(p);
        if (p->c == EOI) {
            jv_drop(key);
            fail(p, "Unexpected End Of File position %zu: EOF", jpos(p, p->pos) - 1);
            goto failed;
        }
        JV v = read_value(p, STOP_VALUE);
        if (jv_failed(v)) {
            jv_drop(key);
            goto failed;
        }
        jv_object_set(p, &obj, &st, key, v);
        skip_space(p);
        if (p->c == '}') {
            advance(p);
            jv_object_done(p, &obj, &st);
            return obj;
        }
        if (p->c == EOI) {
            fail(p, "Unexpected End Of File position %zu: null", jpos(p, p->pos) - 1);
            goto failed;
        }
        if (p->c != ',') {
            if (p->c >= 0x80) {
                size_t i = p->pos;
                (void)jutil_utf8_next(p->s, p->n, &i);
                fail(p, "Unexpected token %.*s at position %zu.", (int)(i - p->pos), (const char *)p->s + p->pos,
                     jpos(p, p->pos) - 1);
            } else
                fail(p, "Unexpected token %c at position %zu.", p->c, jpos(p, p->pos) - 1);
            goto failed;
        }
        advance(p);
    }
failed:
    jv_drop(obj);
    return JV_FAIL;
}

static JV read_keyword_or_text(parser *p, enum stop_set stop)
{
    size_t start = p->pos;
    skip_unquoted(p, stop);
    slice t = trimmed(p, start);
    if (slice_eq_cstr(t, "null"))
        return jv_null(p);
    if (slice_eq_cstr(t, "true"))
        return jv_true(p);
    if (slice_eq_cstr(t, "false"))
        return jv_false(p);
    return text_value(p, t); /* "NaN" is a Float in json-smart: known gap, kept as text */
}

static JV read_value(parser *p, enum stop_set stop)
{
    if (++p->depth > MAX_DEPTH) {
        fail(p, "Malicious payload, having non natural depths, parsing stoped on %c at position %zu.",
             p->c < 0x80 && p->c >= 0 ? p->c : '?', jpos(p, p->pos));
        return JV_FAIL;
    }
    JV v;
    for (;;) {
        switch (p->c) {
        case ' ':
        case '\r':
        case '\n':
        case '\t':
            advance(p);
            continue;
        case ':':
        case '}':
        case ']':
            fail_char(p, 0);
            v = JV_FAIL;
            break;
        case '{':
            v = read_object(p);
            break;
        case '[':
            v = read_array(p);
            break;
        case '"':
        case '\'':
            v = read_quoted(p);
            break;
        case 'n':
        case 't':
        case 'f':
            v = read_keyword_or_text(p, stop);
            break;
        default:
            if (p->c == '-' || is_digit(p->c)) {
                v = read_number(p, stop);
            } else {
                size_t start = p->pos;
                skip_unquoted(p, stop);
                v = text_value(p, trimmed(p, start));
            }
        }
        break;
    }
    p->depth--;
    return v;
}

static int JSON_READER_ENTRY(slice text, void *sink, JV *out, aws_error *e)
{
    parser p = {.s = (const uint8_t *)text.ptr, .n = text.len, .pos = 0, .e = e, .sink = sink};
    p.c = p.n > 0 ? p.s[0] : EOI;
    *out = read_value(&p, STOP_TOP);
    free(p.scratch);
    return jv_failed(*out) ? -1 : 0;
}
