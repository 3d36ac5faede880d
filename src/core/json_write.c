#include "core/json_write.h"

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "core/swar.h"

bool json_write_supports(size_t flags)
{
    return (flags & ~(size_t)(JSON_COMPACT | JSON_ENCODE_ANY | JSON_REAL_PRECISION(31))) == 0;
}

/* Which bytes need an escape: the quote, the backslash and the C0 controls (jansson's rule when
 * neither JSON_ESCAPE_SLASH nor JSON_ENSURE_ASCII is set). */
static bool needs_escape(unsigned char c)
{
    return c < 0x20 || c == '"' || c == '\\';
}

/* Does any of these 8 bytes need an escape? */
static bool word_needs_escape(uint64_t w)
{
    return swar_has_below(w, 0x20) || swar_has_byte(w, '"') || swar_has_byte(w, '\\');
}

void json_write_string(buf *b, const char *s, size_t len)
{
    static const char hex[] = "0123456789ABCDEF";
    /* Most text has nothing to escape: copied a word at a time into room reserved for all of it, checking
     * each word as it goes; the first byte that needs an escape hands over to the loop below. */
    buf_reserve(b, len + 2);
    char *out = b->ptr + b->len + 1;
    out[-1] = '"';
    size_t i = 0;
    for (; i + 8 <= len; i += 8) {
        uint64_t w = swar_load(s + i);
        if (word_needs_escape(w))
            break;
        memcpy(out + i, &w, 8);
    }
    for (; i < len && !needs_escape((unsigned char)s[i]); i++)
        out[i] = s[i];
    if (i == len) {
        out[len] = '"';
        b->len += len + 2;
        return;
    }
    b->len += 1 + i;
    size_t run = i;
    while (i < len) {
        /* Most text has nothing to escape: skip it a word at a time. */
        if (i + 8 <= len) {
            if (!word_needs_escape(swar_load(s + i))) {
                i += 8;
                continue;
            }
        }
        unsigned char c = (unsigned char)s[i++];
        if (!needs_escape(c))
            continue;
        buf_append(b, s + run, i - 1 - run);
        run = i;
        char esc[6] = {'\\', 0};
        size_t n = 2;
        switch (c) {
        case '"':
            esc[1] = '"';
            break;
        case '\\':
            esc[1] = '\\';
            break;
        case '\b':
            esc[1] = 'b';
            break;
        case '\f':
            esc[1] = 'f';
            break;
        case '\n':
            esc[1] = 'n';
            break;
        case '\r':
            esc[1] = 'r';
            break;
        case '\t':
            esc[1] = 't';
            break;
        default:
            esc[1] = 'u';
            esc[2] = '0';
            esc[3] = '0';
            esc[4] = hex[c >> 4];
            esc[5] = hex[c & 15];
            n = 6;
        }
        buf_append(b, esc, n);
    }
    buf_append(b, s + run, len - run);
    buf_append_char(b, '"');
}

/* Reals are rare in Portico's trees (consumed capacity, numbers in templates' JSON); jansson's own
 * formatting of one real keeps its exact rules (precision, ".0", exponent form). */
static void write_real(buf *b, const json_t *v, size_t flags)
{
    char text[64];
    size_t n = json_dumpb(v, text, sizeof(text), JSON_ENCODE_ANY | (flags & JSON_REAL_PRECISION(31)));
    buf_append(b, text, n <= sizeof(text) ? n : 0);
}

/* ',' or ':', followed by a space unless compact. */
static void separator(buf *b, char c, bool compact)
{
    buf_append_char(b, c);
    if (!compact)
        buf_append_char(b, ' ');
}

static void write_value(buf *b, const json_t *v, size_t flags)
{
    const bool compact = (flags & JSON_COMPACT) != 0;
    switch (json_typeof(v)) {
    case JSON_OBJECT: {
        buf_append_char(b, '{');
        bool first = true;
        /* The iterator itself, not json_object_keylen_foreach: the macro goes from key to iterator
         * and back three times per member, each a call into the library. */
        for (void *it = json_object_iter((json_t *)v); it != NULL; it = json_object_iter_next((json_t *)v, it)) {
            if (!first)
                separator(b, ',', compact);
            first = false;
            json_write_string(b, json_object_iter_key(it), json_object_iter_key_len(it));
            separator(b, ':', compact);
            write_value(b, json_object_iter_value(it), flags);
        }
        buf_append_char(b, '}');
        break;
    }
    case JSON_ARRAY: {
        buf_append_char(b, '[');
        size_t n = json_array_size(v);
        for (size_t i = 0; i < n; i++) {
            if (i > 0)
                separator(b, ',', compact);
            write_value(b, json_array_get(v, i), flags);
        }
        buf_append_char(b, ']');
        break;
    }
    case JSON_STRING:
        json_write_string(b, json_string_value(v), json_string_length(v));
        break;
    case JSON_INTEGER:
        buf_append_int(b, (long long)json_integer_value(v));
        break;
    case JSON_REAL:
        write_real(b, v, flags);
        break;
    case JSON_TRUE:
        buf_append(b, "true", 4);
        break;
    case JSON_FALSE:
        buf_append(b, "false", 5);
        break;
    case JSON_NULL:
        buf_append(b, "null", 4);
        break;
    }
}

bool json_write(buf *b, const json_t *value, size_t flags)
{
    if (value == NULL)
        return false;
    if (!(flags & JSON_ENCODE_ANY) && !json_is_object(value) && !json_is_array(value))
        return false;
    write_value(b, value, flags);
    return true;
}
