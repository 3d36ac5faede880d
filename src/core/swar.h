/*
 * swar: tests on the eight bytes of a machine word at once, for scanners that skip long runs of
 * ordinary text (JSON writers and readers, stored strings). Each test answers "is there any such
 * byte in the word" exactly; which byte it is, the caller finds by looking at the bytes themselves.
 */
#ifndef PORTICO_CORE_SWAR_H
#define PORTICO_CORE_SWAR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define SWAR_ONES  0x0101010101010101ull
#define SWAR_HIGHS 0x8080808080808080ull

/* Eight bytes from p, unaligned, the first in the low byte whatever the machine's byte order: the masks
 * below are exact up to the first marked byte counting from the low end, which must be the first in memory. */
static inline uint64_t swar_load(const void *p)
{
    uint64_t w;
    memcpy(&w, p, 8);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    w = __builtin_bswap64(w);
#endif
    return w;
}

/* Any byte below n (n at most 0x80)? */
static inline bool swar_has_below(uint64_t w, uint8_t n)
{
    return ((w - SWAR_ONES * n) & ~w & SWAR_HIGHS) != 0;
}

/* The high bit of each byte equal to c. Exact up to the first such byte (later bytes may be marked wrongly),
 * so with a word from swar_load its lowest set bit locates the first match in memory. */
static inline uint64_t swar_byte_mask(uint64_t w, uint8_t c)
{
    uint64_t x = w ^ (SWAR_ONES * c);
    return (x - SWAR_ONES) & ~x & SWAR_HIGHS;
}

/* The position (0-7) of the first marked byte of a non-zero mask from swar_byte_mask or `w & SWAR_HIGHS`. */
static inline unsigned swar_first(uint64_t mask)
{
    return (unsigned)__builtin_ctzll(mask) / 8;
}

/* Any byte equal to c? */
static inline bool swar_has_byte(uint64_t w, uint8_t c)
{
    return swar_byte_mask(w, c) != 0;
}

/* Any byte at 0x80 or above (not ASCII)? */
static inline bool swar_has_high(uint64_t w)
{
    return (w & SWAR_HIGHS) != 0;
}

/* Are all n bytes at p ASCII? */
static inline bool swar_all_ascii(const void *p, size_t n)
{
    const unsigned char *s = p;
    uint64_t acc = 0;
    size_t i = 0;
    for (; i + 8 <= n; i += 8)
        acc |= swar_load(s + i);
    for (; i < n; i++)
        acc |= s[i];
    return !swar_has_high(acc);
}

/* n bytes of a and b equal. For short texts (names, keys): two overlapping word loads answer most of them without
 * a call to memcmp. */
static inline __attribute__((always_inline)) bool swar_equal_short(const char *a, const char *b, size_t n)
{
    if (n >= 8) {
        if (n > 16)
            return memcmp(a, b, n) == 0;
        uint64_t x0, y0, x1, y1;
        memcpy(&x0, a, 8);
        memcpy(&y0, b, 8);
        memcpy(&x1, a + n - 8, 8);
        memcpy(&y1, b + n - 8, 8);
        return ((x0 ^ y0) | (x1 ^ y1)) == 0;
    }
    if (n >= 4) {
        uint32_t x0, y0, x1, y1;
        memcpy(&x0, a, 4);
        memcpy(&y0, b, 4);
        memcpy(&x1, a + n - 4, 4);
        memcpy(&y1, b + n - 4, 4);
        return ((x0 ^ y0) | (x1 ^ y1)) == 0;
    }
    if (n == 0)
        return true;
    /* 1 to 3 bytes: the first, middle and last cover them all */
    return a[0] == b[0] && a[n / 2] == b[n / 2] && a[n - 1] == b[n - 1];
}

#endif
