/*
 * hex: the value of one hexadecimal digit, for every reader of escapes (%XX in URLs, \uXXXX in JSON and
 * template strings). Only ASCII digits count: none of those formats takes others.
 */
#ifndef PORTICO_CORE_HEX_H
#define PORTICO_CORE_HEX_H

#include <stdint.h>

/* 0..15, or -1 when c is not a hexadecimal digit. */
static inline int hex_digit_value(uint32_t c)
{
    if (c >= '0' && c <= '9')
        return (int)(c - '0');
    if (c >= 'a' && c <= 'f')
        return (int)(c - 'a' + 10);
    if (c >= 'A' && c <= 'F')
        return (int)(c - 'A' + 10);
    return -1;
}

#endif
