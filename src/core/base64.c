#include "core/base64.h"

#include <stdbool.h>
#include <stdint.h>

static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

size_t base64_encode_into(char *out, slice raw)
{
    const unsigned char *p = (const unsigned char *)raw.ptr;
    size_t o = 0, i = 0;
    for (; i + 3 <= raw.len; i += 3) {
        uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];
        out[o++] = alphabet[v >> 18];
        out[o++] = alphabet[(v >> 12) & 63];
        out[o++] = alphabet[(v >> 6) & 63];
        out[o++] = alphabet[v & 63];
    }
    size_t rest = raw.len - i;
    if (rest > 0) {
        uint32_t v = (uint32_t)p[i] << 16 | (rest == 2 ? (uint32_t)p[i + 1] << 8 : 0);
        out[o++] = alphabet[v >> 18];
        out[o++] = alphabet[(v >> 12) & 63];
        out[o++] = rest == 2 ? alphabet[(v >> 6) & 63] : '=';
        out[o++] = '=';
    }
    return o;
}

slice base64_encode(arena *a, slice raw)
{
    char *buf = arena_alloc(a, base64_encoded_len(raw.len) + 1);
    size_t n = base64_encode_into(buf, raw);
    buf[n] = '\0';
    return slice_make(buf, n);
}

int base64_digit(unsigned char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+')
        return 62;
    if (c == '/')
        return 63;
    return -1;
}

size_t base64_decoded_len(slice text)
{
    if (text.len == 0 || text.len % 4 != 0)
        return text.len / 4 * 3;
    size_t n = text.len / 4 * 3;
    if (text.ptr[text.len - 1] == '=')
        n--;
    if (text.ptr[text.len - 2] == '=')
        n--;
    return n;
}

base64_fault base64_decode_into(slice text, unsigned char *out)
{
    if (text.len % 4 != 0)
        return BASE64_BAD_LENGTH;
    const unsigned char *p = (const unsigned char *)text.ptr;
    size_t o = 0;
    for (size_t i = 0; i < text.len; i += 4) {
        int pad = 0;
        if (i + 4 == text.len && p[i + 3] == '=')
            pad = p[i + 2] == '=' ? 2 : 1;
        int v[4] = {0, 0, 0, 0};
        for (int k = 0; k < 4 - pad; k++) {
            v[k] = base64_digit(p[i + k]);
            if (v[k] < 0)
                return BASE64_BAD_CHARACTER;
        }
        /* the bits of the last digit before the padding that no output byte takes must be zero */
        if ((pad == 1 && (v[2] & 3)) || (pad == 2 && (v[1] & 15)))
            return BASE64_NOT_CANONICAL;
        uint32_t x = (uint32_t)v[0] << 18 | (uint32_t)v[1] << 12 | (uint32_t)v[2] << 6 | (uint32_t)v[3];
        int bytes = 3 - pad;
        if (out != NULL)
            for (int k = 0; k < bytes; k++)
                out[o + (size_t)k] = (unsigned char)(x >> (16 - 8 * k));
        o += (size_t)bytes;
    }
    return BASE64_OK;
}

int base64_decode(arena *a, slice text, slice *raw)
{
    size_t n = base64_decoded_len(text);
    unsigned char *buf = arena_alloc(a, n + 1);
    if (base64_decode_into(text, buf) != BASE64_OK)
        return -1;
    *raw = slice_make((const char *)buf, n);
    return 0;
}
