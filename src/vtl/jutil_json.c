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
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "vtl/jutil.h"
#include "vtl/jutil_internal.h"

enum { EOI = -1 };
enum stop_set { STOP_TOP, STOP_ARRAY, STOP_KEY, STOP_VALUE };

typedef struct parser {
    const uint8_t *s;
    size_t n, pos;
    int c; /* s[pos] or EOI */
    aws_error *e;
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

/* A JSON string value from bytes of the document; invalid UTF-8 is replaced as Java's String would have. */
static json_t *make_string(const uint8_t *s, size_t n)
{
    if (n == 0)
        return json_string("");
    for (size_t i = 0; i < n; i++) {
        if (s[i] >= 0x80) {
            arena tmp_arena;
            arena_init(&tmp_arena, n * 3 + 64);
            jutil_buf b;
            jutil_buf_init(&b, &tmp_arena, n * 3 + 16);
            jutil_java_decode(&b, s, n);
            json_t *v = json_stringn_nocheck(b.ptr, b.len);
            arena_destroy(&tmp_arena);
            return v;
        }
    }
    return json_stringn_nocheck((const char *)s, n);
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
        int c = p->c, d;
        if (c >= '0' && c <= '9')
            d = c - '0';
        else if (c >= 'a' && c <= 'f')
            d = c - 'a' + 10;
        else if (c >= 'A' && c <= 'F')
            d = c - 'A' + 10;
        else if (c == EOI)
            return fail(p, "Unexpected End Of File position %zu: null", jpos(p, p->pos));
        else
            return fail(p, "Unexpected unicode escape sequence %c at position %zu.", c, jpos(p, p->pos));
        v = v * 16 + (unsigned)d;
    }
    *out = v;
    return 0;
}

/* The common case of a quoted string without escapes: true with *out pointing into the input and *high set
 * when it holds non-ASCII bytes; the parser then stands after the closing quote. */
static bool quoted_plain(parser *p, slice *out, bool *high)
{
    const uint8_t *start = p->s + p->pos + 1, *end = p->s + p->n;
    const uint8_t *q = memchr(start, p->c, (size_t)(end - start));
    if (q == NULL || memchr(start, '\\', (size_t)(q - start)) != NULL)
        return false;
    size_t len = (size_t)(q - start), i = 0;
    uint64_t acc = 0;
    for (; i + 8 <= len; i += 8) {
        uint64_t w;
        memcpy(&w, start + i, 8);
        acc |= w;
    }
    for (; i < len; i++)
        acc |= start[i];
    *out = slice_make((const char *)start, len);
    *high = (acc & 0x8080808080808080ULL) != 0;
    p->pos = (size_t)(q - p->s);
    advance(p);
    return true;
}

/* A quoted string; on return the current character is the one after the closing quote. */
static json_t *read_quoted(parser *p)
{
    slice plain;
    bool high;
    if (quoted_plain(p, &plain, &high))
        return high ? make_string((const uint8_t *)plain.ptr, plain.len)
                    : (plain.len == 0 ? json_string("") : json_stringn_nocheck(plain.ptr, plain.len));
    int quote = p->c;
    /* json-smart looks for the closing quote first: without one, the document ends inside the string */
    if (memchr(p->s + p->pos + 1, quote, p->n - p->pos - 1) == NULL) {
        fail(p, "Unexpected End Of File position %zu: null", jpos(p, p->n));
        return NULL;
    }
    p->scratch_len = 0;
    advance(p);
    size_t run = p->pos;
    unsigned pending_high = 0; /* a high surrogate waiting for its pair */
    for (;;) {
        if (p->c == EOI) {
            fail(p, "Unexpected End Of File position %zu: null", jpos(p, p->pos));
            return NULL;
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
                return NULL;
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
                    return NULL;
                if (u >= 0xd800 && u <= 0xdbff) {
                    if (pending_high)
                        scratch_put(p, "\xef\xbf\xbd", 3);
                    pending_high = u;
                    len = 0;
                } else if (u >= 0xdc00 && u <= 0xdfff && pending_high) {
                    len = jutil_utf8_put(ch, 0x10000 + ((pending_high - 0xd800) << 10) + (u - 0xdc00));
                    pending_high = 0;
                } else {
                    if (pending_high) {
                        scratch_put(p, "\xef\xbf\xbd", 3);
                        pending_high = 0;
                    }
                    len = jutil_utf8_put(ch, (u >= 0xd800 && u <= 0xdfff) ? 0xfffd : u);
                }
                break;
            case 'x': /* json-smart also reads \xXX */
                if (hex_digits(p, 2, &u) != 0)
                    return NULL;
                len = jutil_utf8_put(ch, u);
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
    return make_string((const uint8_t *)p->scratch, p->scratch_len);
}

static json_t *text_value(slice t)
{
    return make_string((const uint8_t *)t.ptr, t.len);
}

static json_t *integer_value(slice t)
{
    if (t.len == 1 && t.ptr[0] == '-')
        return json_integer(0);
    char small[32];
    char *buf = t.len < sizeof small ? small : malloc(t.len + 1);
    if (buf == NULL)
        abort();
    memcpy(buf, t.ptr, t.len);
    buf[t.len] = '\0';
    errno = 0;
    long long v = strtoll(buf, NULL, 10);
    json_t *out;
    if (errno == ERANGE) /* BigInteger in json-smart: known gap, kept as a double */
        out = json_real(strtod(buf, NULL));
    else
        out = json_integer(v);
    if (buf != small)
        free(buf);
    return out;
}

static json_t *decimal_value(parser *p, slice t)
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
        return NULL;
    }
    json_t *v = json_real(d);
    if (v == NULL) /* out of range: Infinity in Java */
        v = json_string(d < 0 ? "-Infinity" : "Infinity");
    return v;
}

static bool is_digit(int c)
{
    return c >= '0' && c <= '9';
}

static bool continues_as_text(parser *p, enum stop_set stop)
{
    return p->c != EOI && p->c < 126 && !is_stop(p->c, stop);
}

static json_t *read_number(parser *p, enum stop_set stop)
{
    size_t start = p->pos;
    advance(p);
    while (is_digit(p->c))
        advance(p);
    if (p->c != '.' && p->c != 'e' && p->c != 'E') {
        skip_space(p);
        if (continues_as_text(p, stop)) {
            skip_unquoted(p, stop);
            return text_value(trimmed(p, start));
        }
        return integer_value(trimmed(p, start));
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
            return text_value(trimmed(p, start));
        }
    }
    skip_space(p);
    if (continues_as_text(p, stop)) {
        skip_unquoted(p, stop);
        return text_value(trimmed(p, start));
    }
    return decimal_value(p, trimmed(p, start));
}

static json_t *read_value(parser *p, enum stop_set stop);

static json_t *read_array(parser *p)
{
    json_t *arr = json_array();
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
            json_decref(arr);
            return NULL;
        case EOI:
            fail(p, "Unexpected End Of File position %zu: EOF", jpos(p, p->pos) - 1);
            json_decref(arr);
            return NULL;
        default: {
            json_t *v = read_value(p, STOP_ARRAY);
            if (v == NULL) {
                json_decref(arr);
                return NULL;
            }
            json_array_append_new(arr, v);
        }
        }
    }
}

static json_t *read_object(parser *p)
{
    json_t *obj = json_object();
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
            return obj;
        default:
            break;
        }
        json_t *key;
        slice key_text = SLICE_NULL;
        if (p->c == '"' || p->c == '\'') {
            bool high;
            if (!quoted_plain(p, &key_text, &high))
                key = read_quoted(p);
            else if (high)
                key = make_string((const uint8_t *)key_text.ptr, key_text.len);
            else
                key = json_null(); /* the key is key_text, straight from the input */
        } else {
            size_t start = p->pos;
            skip_unquoted(p, STOP_KEY);
            key = text_value(trimmed(p, start));
        }
        if (key == NULL)
            goto failed;
        skip_space(p);
        if (p->c != ':') {
            json_decref(key);
            if (p->c == EOI)
                fail(p, "Unexpected End Of File position %zu: null", jpos(p, p->pos) - 1);
            else
                fail_char(p, -1);
            goto failed;
        }
        advance(p);
        if (p->c == EOI) {
            json_decref(key);
            fail(p, "Unexpected End Of File position %zu: EOF", jpos(p, p->pos) - 1);
            goto failed;
        }
        json_t *v = read_value(p, STOP_VALUE);
        if (v == NULL) {
            json_decref(key);
            goto failed;
        }
        if (json_is_string(key))
            key_text = json_string_slice(key);
        json_object_setn_new_nocheck(obj, key_text.ptr, key_text.len, v);
        json_decref(key);
        skip_space(p);
        if (p->c == '}') {
            advance(p);
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
    json_decref(obj);
    return NULL;
}

static json_t *read_keyword_or_text(parser *p, enum stop_set stop)
{
    size_t start = p->pos;
    skip_unquoted(p, stop);
    slice t = trimmed(p, start);
    if (slice_eq_cstr(t, "null"))
        return json_null();
    if (slice_eq_cstr(t, "true"))
        return json_true();
    if (slice_eq_cstr(t, "false"))
        return json_false();
    return text_value(t); /* "NaN" is a Float in json-smart: known gap, kept as text */
}

static json_t *read_value(parser *p, enum stop_set stop)
{
    if (++p->depth > MAX_DEPTH) {
        fail(p, "Malicious payload, having non natural depths, parsing stoped on %c at position %zu.",
             p->c < 0x80 && p->c >= 0 ? p->c : '?', jpos(p, p->pos));
        return NULL;
    }
    json_t *v;
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
            v = NULL;
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
                v = text_value(trimmed(p, start));
            }
        }
        break;
    }
    p->depth--;
    return v;
}

int jutil_json_parse(slice text, json_t **out, aws_error *e)
{
    parser p = {.s = (const uint8_t *)text.ptr, .n = text.len, .pos = 0, .e = e};
    p.c = p.n > 0 ? p.s[0] : EOI;
    *out = read_value(&p, STOP_TOP);
    free(p.scratch);
    return *out != NULL ? 0 : -1;
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
