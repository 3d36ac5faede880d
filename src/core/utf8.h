/*
 * utf8: writing one code point as UTF-8, for every reader that turns escapes (\uXXXX in JSON and template
 * strings, %XX in URLs decoded to characters) back into text. No validation: callers pass code points they
 * have already checked or replaced.
 */
#ifndef PORTICO_CORE_UTF8_H
#define PORTICO_CORE_UTF8_H

#include <stddef.h>
#include <stdint.h>

/* Writes 1 to 4 bytes and returns how many. */
static inline size_t utf8_put(char out[4], uint32_t cp)
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

#endif
