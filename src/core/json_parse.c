#include "core/json_parse.h"
#include "core/hex.h"
#include "core/utf8.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

enum { MAX_DEPTH = 2048 }; /* jansson's JSON_PARSER_MAX_DEPTH: counted per value, scalars included */

typedef struct parser {
    const unsigned char *p, *end;
    size_t flags;
    /* decoded text of a string with escapes; grown with malloc, freed when parsing ends */
    char *scratch;
    size_t scratch_cap;
} parser;

static void skip_space(parser *ps)
{
    while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r'))
        ps->p++;
}

/* Length of the valid UTF-8 sequence starting at p (jansson's rules: no overlong forms, no
 * surrogates, nothing above U+10FFFF), or 0. */
static size_t utf8_sequence(const unsigned char *p, const unsigned char *end)
{
    unsigned char c = p[0];
    size_t n;
    uint32_t cp;
    if (c < 0x80)
        return 1;
    if (c < 0xC2)
        return 0;
    if (c < 0xE0) {
        n = 2;
        cp = c & 0x1Fu;
    } else if (c < 0xF0) {
        n = 3;
        cp = c & 0x0Fu;
    } else if (c < 0xF5) {
        n = 4;
        cp = c & 0x07u;
    } else {
        return 0;
    }
    if ((size_t)(end - p) < n)
        return 0;
    for (size_t i = 1; i < n; i++) {
        if ((p[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (p[i] & 0x3Fu);
    }
    if ((n == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) || (n == 4 && (cp < 0x10000 || cp > 0x10FFFF)))
        return 0;
    return n;
}

static bool scratch_reserve(parser *ps, size_t need)
{
    if (need <= ps->scratch_cap)
        return true;
    size_t cap = ps->scratch_cap ? ps->scratch_cap : 256;
    while (cap < need)
        cap *= 2;
    char *grown = realloc(ps->scratch, cap);
    if (grown == NULL)
        return false;
    ps->scratch = grown;
    ps->scratch_cap = cap;
    return true;
}

static int hex4(const unsigned char *p, const unsigned char *end)
{
    if (end - p < 4)
        return -1;
    int v = 0;
    for (int i = 0; i < 4; i++) {
        unsigned char c = p[i];
        int d = hex_digit_value(c);
        if (d < 0)
            return -1;
        v = v * 16 + d;
    }
    return v;
}

/* Decodes the string whose opening quote was just consumed. On success out and len name its bytes
 * (in the input when it has no escapes, else in the scratch buffer) and has_nul says whether it
 * holds a NUL. */
static bool read_string(parser *ps, const char **out, size_t *len, bool *has_nul)
{
    const unsigned char *start = ps->p;
    *has_nul = false;
    /* the common case: no escape before the closing quote */
    const unsigned char *q = start;
    while (q < ps->end) {
        unsigned char c = *q;
        if (c == '"') {
            *out = (const char *)start;
            *len = (size_t)(q - start);
            ps->p = q + 1;
            return true;
        }
        if (c == '\\')
            break;
        if (c < 0x20)
            return false;
        if (c < 0x80) {
            q++;
        } else {
            size_t n = utf8_sequence(q, ps->end);
            if (n == 0)
                return false;
            q += n;
        }
    }
    if (q >= ps->end)
        return false;
    /* escapes: decode into the scratch buffer; the output is never longer than the input */
    size_t used = (size_t)(q - start);
    if (!scratch_reserve(ps, (size_t)(ps->end - start)))
        return false;
    memcpy(ps->scratch, start, used);
    while (q < ps->end) {
        unsigned char c = *q;
        if (c == '"') {
            *out = ps->scratch;
            *len = used;
            ps->p = q + 1;
            return true;
        }
        if (c < 0x20)
            return false;
        if (c >= 0x80) {
            size_t n = utf8_sequence(q, ps->end);
            if (n == 0)
                return false;
            memcpy(ps->scratch + used, q, n);
            used += n;
            q += n;
            continue;
        }
        if (c != '\\') {
            ps->scratch[used++] = (char)c;
            q++;
            continue;
        }
        if (q + 1 >= ps->end)
            return false;
        unsigned char e = q[1];
        q += 2;
        char simple = e == '"'    ? '"'
                      : e == '\\' ? '\\'
                      : e == '/'  ? '/'
                      : e == 'b'  ? '\b'
                      : e == 'f'  ? '\f'
                      : e == 'n'  ? '\n'
                      : e == 'r'  ? '\r'
                      : e == 't'  ? '\t'
                                  : 0;
        if (simple != 0) {
            ps->scratch[used++] = simple;
            continue;
        }
        if (e != 'u')
            return false;
        int v = hex4(q, ps->end);
        if (v < 0)
            return false;
        q += 4;
        uint32_t cp = (uint32_t)v;
        if (cp >= 0xDC00 && cp <= 0xDFFF)
            return false; /* a low surrogate alone */
        if (cp >= 0xD800 && cp <= 0xDBFF) {
            if (ps->end - q < 6 || q[0] != '\\' || q[1] != 'u')
                return false;
            int low = hex4(q + 2, ps->end);
            if (low < 0xDC00 || low > 0xDFFF)
                return false;
            q += 6;
            cp = 0x10000 + ((cp - 0xD800) << 10) + ((uint32_t)low - 0xDC00);
        }
        if (cp == 0) {
            if (!(ps->flags & JSON_ALLOW_NUL))
                return false;
            *has_nul = true;
        }
        used += utf8_put(ps->scratch + used, cp);
    }
    return false;
}

static bool is_digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}

static json_t *read_number(parser *ps)
{
    const unsigned char *start = ps->p, *q = ps->p;
    bool negative = false;
    if (q < ps->end && *q == '-') {
        negative = true;
        q++;
    }
    if (q >= ps->end || !is_digit(*q))
        return NULL;
    if (*q == '0') {
        q++;
        if (q < ps->end && is_digit(*q))
            return NULL;
    } else {
        while (q < ps->end && is_digit(*q))
            q++;
    }
    bool integer = true;
    if (q < ps->end && *q == '.') {
        integer = false;
        q++;
        if (q >= ps->end || !is_digit(*q))
            return NULL;
        while (q < ps->end && is_digit(*q))
            q++;
    }
    if (q < ps->end && (*q == 'e' || *q == 'E')) {
        integer = false;
        q++;
        if (q < ps->end && (*q == '+' || *q == '-'))
            q++;
        if (q >= ps->end || !is_digit(*q))
            return NULL;
        while (q < ps->end && is_digit(*q))
            q++;
    }
    ps->p = q;
    if (integer) {
        /* within a long long, as strtoll with ERANGE refused */
        uint64_t limit = negative ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX, v = 0;
        for (const unsigned char *d = start + negative; d < q; d++) {
            uint64_t digit = (uint64_t)(*d - '0');
            if (v > (limit - digit) / 10)
                return NULL;
            v = v * 10 + digit;
        }
        return json_integer(negative ? (json_int_t)(0 - v) : (json_int_t)v);
    }
    char small[128];
    size_t n = (size_t)(q - start);
    char *text = n < sizeof(small) ? small : malloc(n + 1);
    if (text == NULL)
        return NULL;
    memcpy(text, start, n);
    text[n] = '\0';
    errno = 0;
    double d = strtod(text, NULL);
    bool overflow = errno == ERANGE && (d == HUGE_VAL || d == -HUGE_VAL);
    if (text != small)
        free(text);
    return overflow ? NULL : json_real(d);
}

static bool literal(parser *ps, const char *word, size_t n)
{
    if ((size_t)(ps->end - ps->p) < n || memcmp(ps->p, word, n) != 0)
        return false;
    ps->p += n;
    return true;
}

static json_t *read_value(parser *ps, int depth);

/* Consumes `c` and the white space after it when the text is there; says whether it was. */
static bool take(parser *ps, char c)
{
    if (ps->p >= ps->end || *ps->p != (unsigned char)c)
        return false;
    ps->p++;
    skip_space(ps);
    return true;
}

static json_t *read_object(parser *ps, int depth)
{
    json_t *object = json_object();
    if (object == NULL)
        return NULL;
    skip_space(ps);
    if (take(ps, '}'))
        return object;
    for (;;) {
        if (ps->p >= ps->end || *ps->p != '"')
            break;
        ps->p++;
        const char *key;
        size_t key_len;
        bool has_nul;
        if (!read_string(ps, &key, &key_len, &has_nul) || has_nul)
            break;
        /* the key may sit in the scratch buffer, which the value's strings reuse */
        char small[64];
        char *key_copy = key_len < sizeof(small) ? small : malloc(key_len + 1);
        if (key_copy == NULL)
            break;
        memcpy(key_copy, key, key_len);
        key_copy[key_len] = '\0';
        skip_space(ps);
        json_t *value = take(ps, ':') ? read_value(ps, depth + 1) : NULL;
        int set = value != NULL ? json_object_setn_new_nocheck(object, key_copy, key_len, value) : -1;
        if (key_copy != small)
            free(key_copy);
        if (set != 0)
            break;
        skip_space(ps);
        if (take(ps, ','))
            continue;
        if (take(ps, '}'))
            return object;
        break;
    }
    json_decref(object);
    return NULL;
}

static json_t *read_array(parser *ps, int depth)
{
    json_t *array = json_array();
    if (array == NULL)
        return NULL;
    skip_space(ps);
    if (take(ps, ']'))
        return array;
    for (;;) {
        json_t *value = read_value(ps, depth + 1);
        if (value == NULL || json_array_append_new(array, value) != 0)
            break;
        skip_space(ps);
        if (take(ps, ','))
            continue;
        if (take(ps, ']'))
            return array;
        break;
    }
    json_decref(array);
    return NULL;
}

static json_t *read_value(parser *ps, int depth)
{
    if (depth > MAX_DEPTH || ps->p >= ps->end)
        return NULL;
    switch (*ps->p) {
    case '{':
        ps->p++;
        return read_object(ps, depth);
    case '[':
        ps->p++;
        return read_array(ps, depth);
    case '"': {
        ps->p++;
        const char *s;
        size_t len;
        bool has_nul;
        if (!read_string(ps, &s, &len, &has_nul))
            return NULL;
        return json_stringn_nocheck(s, len);
    }
    case 't':
        return literal(ps, "true", 4) ? json_true() : NULL;
    case 'f':
        return literal(ps, "false", 5) ? json_false() : NULL;
    case 'n':
        return literal(ps, "null", 4) ? json_null() : NULL;
    default:
        return read_number(ps);
    }
}

json_t *json_parse(slice text, size_t flags)
{
    parser ps = {(const unsigned char *)text.ptr, (const unsigned char *)text.ptr + text.len, flags, NULL, 0};
    if (text.ptr == NULL)
        return NULL;
    skip_space(&ps);
    json_t *value = read_value(&ps, 1);
    free(ps.scratch);
    if (value == NULL)
        return NULL;
    skip_space(&ps);
    if (ps.p != ps.end || (!(flags & JSON_DECODE_ANY) && !json_is_object(value) && !json_is_array(value))) {
        json_decref(value);
        return NULL;
    }
    return value;
}
