/* jutil: the string helpers ($util.escapeJavaScript, urlEncode/urlDecode, base64Encode/base64Decode). Java
 * works on UTF-16 strings and decodes bytes with its own replacement rules; both are
 * reproduced here over UTF-8 slices. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "core/base64.h"
#include "core/hex.h"
#include "core/utf8.h"
#include "vtl/jutil.h"
#include "vtl/jutil_internal.h"

/* ---- UTF-8 as Java reads it ---- */

static bool is_cont(uint8_t b)
{
    return (b & 0xc0) == 0x80;
}

/* Decodes the code point at s[*i], advancing *i, with the replacement rules of Java's UTF-8 decoder
 * (new String(bytes, UTF_8)): a malformed sequence becomes U+FFFD, consuming as many bytes as Java does. */
uint32_t jutil_utf8_next(const uint8_t *s, size_t n, size_t *i)
{
    size_t p = *i;
    uint8_t b1 = s[p++];
    if (b1 < 0x80) {
        *i = p;
        return b1;
    }
    if (b1 >= 0xc2 && b1 <= 0xdf) {
        if (p < n && is_cont(s[p])) {
            *i = p + 1;
            return ((uint32_t)(b1 & 0x1f) << 6) | (s[p] & 0x3f);
        }
        *i = p;
        return 0xfffd;
    }
    if ((b1 & 0xf0) == 0xe0) {
        if (p + 1 < n) {
            uint8_t b2 = s[p], b3 = s[p + 1];
            bool bad2 = (b1 == 0xe0 && (b2 & 0xe0) == 0x80) || !is_cont(b2);
            if (bad2 || !is_cont(b3)) {
                *i = p + (bad2 ? 0 : 1);
                return 0xfffd;
            }
            uint32_t c = ((uint32_t)(b1 & 0x0f) << 12) | ((uint32_t)(b2 & 0x3f) << 6) | (b3 & 0x3f);
            *i = p + 2;
            return (c >= 0xd800 && c <= 0xdfff) ? 0xfffd : c;
        }
        /* Truncated at the end of the input: Java replaces what is left with one U+FFFD. */
        if (p < n && ((b1 == 0xe0 && (s[p] & 0xe0) == 0x80) || !is_cont(s[p]))) {
            *i = p;
            return 0xfffd;
        }
        *i = n;
        return 0xfffd;
    }
    if ((b1 & 0xf8) == 0xf0) {
        if (p + 2 < n) {
            uint8_t b2 = s[p], b3 = s[p + 1], b4 = s[p + 2];
            uint32_t c = ((uint32_t)(b1 & 0x07) << 18) | ((uint32_t)(b2 & 0x3f) << 12) | ((uint32_t)(b3 & 0x3f) << 6) |
                         (b4 & 0x3f);
            if (!is_cont(b2) || !is_cont(b3) || !is_cont(b4) || c < 0x10000 || c > 0x10ffff) {
                /* how many bytes Java counts as the malformed unit */
                size_t skip;
                if (b1 > 0xf4 || (b1 == 0xf0 && (b2 < 0x90 || b2 > 0xbf)) || (b1 == 0xf4 && (b2 & 0xf0) != 0x80) ||
                    !is_cont(b2))
                    skip = 1;
                else if (!is_cont(b3))
                    skip = 2;
                else
                    skip = 3;
                *i = p - 1 + skip;
                return 0xfffd;
            }
            *i = p + 3;
            return c;
        }
        if (b1 > 0xf4 || (p < n && ((b1 == 0xf0 && (s[p] < 0x90 || s[p] > 0xbf)) ||
                                    (b1 == 0xf4 && (s[p] & 0xf0) != 0x80) || !is_cont(s[p])))) {
            *i = p;
            return 0xfffd;
        }
        p++; /* the valid second byte goes with the replacement */
        if (p < n && !is_cont(s[p])) {
            *i = p;
            return 0xfffd;
        }
        *i = n;
        return 0xfffd;
    }
    *i = p;
    return 0xfffd;
}

void jutil_java_decode(jutil_buf *out, const uint8_t *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        size_t start = i;
        while (i < n && s[i] < 0x80)
            i++;
        jutil_buf_put(out, (const char *)s + start, i - start);
        if (i >= n)
            break;
        char tmp[4];
        uint32_t c = jutil_utf8_next(s, n, &i);
        jutil_buf_put(out, tmp, utf8_put(tmp, c));
    }
}

static const char HEX_UPPER[] = "0123456789ABCDEF";

static void put_u_escape(jutil_buf *out, unsigned unit)
{
    char e[6] = {'\\',
                 'u',
                 HEX_UPPER[(unit >> 12) & 15],
                 HEX_UPPER[(unit >> 8) & 15],
                 HEX_UPPER[(unit >> 4) & 15],
                 HEX_UPPER[unit & 15]};
    jutil_buf_put(out, e, 6);
}

/* ---- escapeJavaScript ---- */

void jutil_escape_javascript(jutil_buf *out, slice str)
{
    const uint8_t *s = (const uint8_t *)str.ptr;
    size_t n = str.len, i = 0;
    while (i < n) {
        uint8_t b = s[i];
        if (b >= 0x80) {
            uint32_t c = jutil_utf8_next(s, n, &i);
            if (c >= 0x10000) { /* Java sees the two UTF-16 code units */
                c -= 0x10000;
                put_u_escape(out, 0xd800 + (c >> 10));
                put_u_escape(out, 0xdc00 + (c & 0x3ff));
            } else {
                put_u_escape(out, c);
            }
            continue;
        }
        i++;
        switch (b) {
        case '\'':
            jutil_buf_put(out, "\\'", 2);
            break;
        case '"':
            jutil_buf_put(out, "\\\"", 2);
            break;
        case '\\':
            jutil_buf_put(out, "\\\\", 2);
            break;
        case '/':
            jutil_buf_put(out, "\\/", 2);
            break;
        case '\b':
            jutil_buf_put(out, "\\b", 2);
            break;
        case '\n':
            jutil_buf_put(out, "\\n", 2);
            break;
        case '\t':
            jutil_buf_put(out, "\\t", 2);
            break;
        case '\f':
            jutil_buf_put(out, "\\f", 2);
            break;
        case '\r':
            jutil_buf_put(out, "\\r", 2);
            break;
        default:
            if (b < 0x20)
                put_u_escape(out, b);
            else
                jutil_buf_putc(out, (char)b); /* 0x7f included: Commons Lang escapes only above it */
        }
    }
}

/* ---- URLEncoder / URLDecoder ---- */

static bool url_unreserved(uint8_t b)
{
    return (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || (b >= '0' && b <= '9') || b == '.' || b == '-' ||
           b == '*' || b == '_';
}

void jutil_url_encode(jutil_buf *out, slice str)
{
    const uint8_t *s = (const uint8_t *)str.ptr;
    size_t n = str.len, i = 0;
    while (i < n) {
        uint8_t b = s[i];
        if (url_unreserved(b)) {
            jutil_buf_putc(out, (char)b);
            i++;
        } else if (b == ' ') {
            jutil_buf_putc(out, '+');
            i++;
        } else {
            char tmp[4];
            size_t len;
            if (b < 0x80) {
                tmp[0] = (char)b;
                len = 1;
                i++;
            } else {
                len = utf8_put(tmp, jutil_utf8_next(s, n, &i));
            }
            for (size_t k = 0; k < len; k++) {
                uint8_t x = (uint8_t)tmp[k];
                char e[3] = {'%', HEX_UPPER[x >> 4], HEX_UPPER[x & 15]};
                jutil_buf_put(out, e, 3);
            }
        }
    }
}

/* Integer.parseInt over the two characters after '%', as URLDecoder calls it. Returns 0 with *v set, or -1
 * with the index Java reports in its NumberFormatException. */
static int parse_hex_pair(uint32_t c1, uint32_t c2, int *v, int *err_index)
{
    int sign = 1, d;
    if (c1 == '-' || c1 == '+') {
        sign = c1 == '-' ? -1 : 1;
        if ((d = hex_digit_value(c2)) < 0) {
            *err_index = 1;
            return -1;
        }
        *v = sign * d;
        return 0;
    }
    int d1 = hex_digit_value(c1);
    if (d1 < 0) {
        *err_index = 0;
        return -1;
    }
    if ((d = hex_digit_value(c2)) < 0) {
        *err_index = 1;
        return -1;
    }
    *v = d1 * 16 + d;
    return 0;
}

static int url_error(aws_error *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int url_error(aws_error *e, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    e->status = 500;
    e->type = "IllegalArgumentException";
    vsnprintf(e->message, sizeof(e->message), fmt, ap);
    va_end(ap);
    return -1;
}

/* UTF-16 units as Java's String holds them: a lone surrogate (only ever half of a pair cut by a window) prints
 * as '?', as Java's UTF-8 encoder writes it. */
static void put_units(jutil_buf *out, const uint16_t *u, size_t n)
{
    for (size_t k = 0; k < n; k++) {
        uint32_t c = u[k];
        if (c >= 0xd800 && c <= 0xdbff && k + 1 < n && u[k + 1] >= 0xdc00 && u[k + 1] <= 0xdfff) {
            c = 0x10000 + ((c - 0xd800) << 10) + (u[k + 1] - 0xdc00);
            k++;
        } else if (c >= 0xd800 && c <= 0xdfff) {
            c = '?';
        }
        char tmp[4];
        jutil_buf_put(out, tmp, utf8_put(tmp, c));
    }
}

int jutil_url_decode(jutil_buf *out, slice str, aws_error *e)
{
    const uint8_t *s = (const uint8_t *)str.ptr;
    size_t n = str.len;
    if (memchr(s, '%', n) == NULL) { /* the common case: no escapes, '+' is a space */
        size_t run = 0;
        for (size_t i = 0; i < n; i++)
            if (s[i] == '+') {
                jutil_java_decode(out, s + run, i - run);
                jutil_buf_putc(out, ' ');
                run = i + 1;
            }
        jutil_java_decode(out, s + run, n - run);
        return 0;
    }
    /* Java's algorithm counts UTF-16 units ("(i+2) < numChars"), so work on them */
    uint16_t *u = arena_alloc(out->a, (n + 1) * sizeof(uint16_t));
    size_t m = 0;
    for (size_t i = 0; i < n;) {
        uint32_t c = s[i] < 0x80 ? s[i++] : jutil_utf8_next(s, n, &i);
        if (c >= 0x10000) {
            u[m++] = (uint16_t)(0xd800 + ((c - 0x10000) >> 10));
            u[m++] = (uint16_t)(0xdc00 + ((c - 0x10000) & 0x3ff));
        } else {
            u[m++] = (uint16_t)c;
        }
    }
    uint8_t *bytes = arena_alloc(out->a, m / 3 + 1);
    size_t i = 0, run = 0;
    while (i < m) {
        if (u[i] == '+') {
            put_units(out, u + run, i - run);
            jutil_buf_putc(out, ' ');
            run = ++i;
            continue;
        }
        if (u[i] != '%') {
            i++;
            continue;
        }
        put_units(out, u + run, i - run);
        size_t pos = 0;
        while (i + 2 < m && u[i] == '%') {
            int v, idx;
            if (parse_hex_pair(u[i + 1], u[i + 2], &v, &idx) != 0) {
                jutil_buf w;
                jutil_buf_init(&w, out->a, 16);
                put_units(&w, u + i + 1, 2);
                int len = snprintf(
                    e->message, sizeof(e->message),
                    "URLDecoder: Illegal hex characters in escape (%%) pattern - Error at index %d in: \"", idx);
                size_t room = sizeof(e->message) - (size_t)len - 2;
                size_t k = w.len < room ? w.len : room;
                memcpy(e->message + len, w.ptr, k);
                memcpy(e->message + len + k, "\"", 2);
                e->status = 500;
                e->type = "IllegalArgumentException";
                return -1;
            }
            if (v < 0)
                return url_error(e, "URLDecoder: Illegal hex characters in escape (%%) pattern - negative value");
            bytes[pos++] = (uint8_t)v;
            i += 3;
        }
        if (i < m && u[i] == '%')
            return url_error(e, "URLDecoder: Incomplete trailing escape (%%) pattern");
        jutil_java_decode(out, bytes, pos);
        run = i;
    }
    put_units(out, u + run, m - run);
    return 0;
}

/* ---- Base64 ---- */

void jutil_base64_encode(jutil_buf *out, slice str)
{
    const uint8_t *s = (const uint8_t *)str.ptr;
    size_t n = str.len;
    /* Java encodes the String's UTF-8 bytes; invalid input bytes were U+FFFD in the String. */
    jutil_buf clean;
    bool ascii = true;
    for (size_t i = 0; i < n; i++)
        if (s[i] >= 0x80) {
            ascii = false;
            break;
        }
    if (!ascii) {
        jutil_buf_init(&clean, out->a, n + 8);
        jutil_java_decode(&clean, s, n);
        s = (const uint8_t *)clean.ptr;
        n = clean.len;
    }
    buf_reserve(out, base64_encoded_len(n));
    out->len += base64_encode_into(out->ptr + out->len, slice_make((const char *)s, n));
}

/* A digit's value, -2 for the padding character, -1 for anything else. */
static int b64_value(uint8_t c)
{
    return c == '=' ? -2 : base64_digit(c);
}

int jutil_base64_decode(jutil_buf *out, slice str, aws_error *e)
{
    /* Base64.Decoder.decode(String) first takes the String's ISO-8859-1 bytes: characters above U+00FF become '?'. */
    const uint8_t *in = (const uint8_t *)str.ptr;
    size_t n = str.len, sl = 0;
    uint8_t *src = arena_alloc(out->a, n + 1);
    for (size_t i = 0; i < n;) {
        if (in[i] < 0x80) {
            src[sl++] = in[i++];
            continue;
        }
        uint32_t c = jutil_utf8_next(in, n, &i);
        src[sl++] = c <= 0xff ? (uint8_t)c : '?';
    }
    if (sl == 0)
        return 0;
    if (sl < 2)
        return url_error(e, "Input byte[] should at least have 2 bytes for base64 bytes");
    uint8_t *dst = arena_alloc(out->a, sl);
    size_t sp = 0, dp = 0;
    uint32_t bits = 0;
    int shift = 18;
    while (sp < sl) {
        uint8_t raw = src[sp++];
        int b = b64_value(raw);
        if (b < 0) {
            if (b == -2) {
                if ((shift == 6 && (sp == sl || src[sp++] != '=')) || shift == 18)
                    return url_error(e, "Input byte array has wrong 4-byte ending unit");
                break;
            }
            /* Java prints the byte as a signed number in hex */
            int8_t sb = (int8_t)raw;
            if (sb < 0)
                return url_error(e, "Illegal base64 character -%x", (unsigned)(-sb));
            return url_error(e, "Illegal base64 character %x", (unsigned)sb);
        }
        bits |= (uint32_t)b << shift;
        shift -= 6;
        if (shift < 0) {
            dst[dp++] = (uint8_t)(bits >> 16);
            dst[dp++] = (uint8_t)(bits >> 8);
            dst[dp++] = (uint8_t)bits;
            shift = 18;
            bits = 0;
        }
    }
    if (shift == 6) {
        dst[dp++] = (uint8_t)(bits >> 16);
    } else if (shift == 0) {
        dst[dp++] = (uint8_t)(bits >> 16);
        dst[dp++] = (uint8_t)(bits >> 8);
    } else if (shift == 12) {
        return url_error(e, "Last unit does not have enough valid bits");
    }
    if (sp < sl)
        return url_error(e, "Input byte array has incorrect ending byte at %zu", sp);
    jutil_java_decode(out, dst, dp);
    return 0;
}
