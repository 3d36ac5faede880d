/*
 * base64: RFC 4648's standard alphabet with padding. Encoding, the value of one digit, and the strict
 * decoding DynamoDB applies to B values (a length that is a multiple of 4, nothing outside the alphabet,
 * padding only at the end, unused final bits zero), which is also what keeps encoding and decoding
 * exact inverses. Callers with other rules (Java's decoder behind $util.base64Decode, with its own
 * error messages) read digits with base64_digit and keep their rules to themselves.
 */
#ifndef PORTICO_CORE_BASE64_H
#define PORTICO_CORE_BASE64_H

#include <stddef.h>

#include "core/arena.h"
#include "core/slice.h"

static inline size_t base64_encoded_len(size_t raw_len)
{
    return (raw_len + 2) / 3 * 4;
}
/* Writes base64_encoded_len(raw.len) characters (no NUL) and returns that length. */
size_t base64_encode_into(char *out, slice raw);
/* The same, NUL-terminated, in `a`. */
slice base64_encode(arena *a, slice raw);
/* 0..63 for a digit of the alphabet, -1 for anything else ('=' included). */
int base64_digit(unsigned char c);

typedef enum base64_fault {
    BASE64_OK,
    BASE64_BAD_LENGTH,    /* not a multiple of 4 */
    BASE64_BAD_CHARACTER, /* outside the alphabet, or padding before the end */
    BASE64_NOT_CANONICAL, /* the last digit before the padding carries bits that are dropped */
} base64_fault;

/* Bytes that valid text decodes to (exact for valid text). */
size_t base64_decoded_len(slice text);
/* Strict decoding into out (base64_decoded_len(text) bytes of room), or only the check when out is NULL. */
base64_fault base64_decode_into(slice text, unsigned char *out);
/* Strict decoding into `a`; -1 when the text is not valid. */
int base64_decode(arena *a, slice text, slice *raw);

#endif
