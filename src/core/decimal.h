/*
 * decimal: DynamoDB's number type. Up to 38 significant decimal digits, magnitudes from 1E-130 to
 * 9.9999999999999999999999999999999999999E+125 (both signs) and zero, with exact comparison and
 * exact addition / subtraction as UpdateExpression (SET a = a + :v, ADD) needs.
 *
 * Owns: parsing number text the way DynamoDB accepts it (with DynamoDB's ValidationException
 * messages), the canonical text DynamoDB returns (plain digits, no exponent, no trailing zeros,
 * "-0" is "0"), and conversions to and from int64 / double.
 * Never: allocates (a decimal is a plain value), rounds silently (results that do not fit are errors).
 */
#ifndef PORTICO_CORE_DECIMAL_H
#define PORTICO_CORE_DECIMAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/error.h"
#include "core/slice.h"

#define DECIMAL_MAX_DIGITS 38
#define DECIMAL_MIN_EXP    (-130) /* smallest allowed scientific exponent: 1E-130 */
#define DECIMAL_MAX_EXP    125    /* largest allowed scientific exponent: 9.99...E+125 */
/* Longest canonical text: "-0." + 129 zeros + 38 digits, plus NUL; rounded up. */
#define DECIMAL_TEXT_MAX 176

/*
 * value = (negative ? -1 : 1) * d[0].d[1]d[2]...d[ndigits-1] * 10^exp
 * Normalised: ndigits == 0 means zero (then exp == 0 and negative == false); otherwise digits[0] != 0
 * and digits[ndigits-1] != 0 (no leading or trailing zeros). Two equal numbers have equal structs
 * (compare with decimal_compare, not memcmp: bytes past ndigits are unspecified).
 */
typedef struct decimal {
    bool negative;
    uint8_t ndigits;
    int16_t exp;
    uint8_t digits[DECIMAL_MAX_DIGITS]; /* each 0..9 */
} decimal;

/* Parses number text as DynamoDB does ("+1.50e3", "007", "-.5", "5."). Errors (ValidationException):
 * "A value provided cannot be converted into a number", "Attempting to store more than 38 significant
 * digits in a Number", "Number overflow. ...", "Number underflow. ...". */
int decimal_parse(slice text, decimal *out, aws_error *err);

/* Canonical text into buf (at least DECIMAL_TEXT_MAX bytes), NUL-terminated; returns its length. */
size_t decimal_format(const decimal *d, char *buf);
/* Canonical text in arena `a`. */
slice decimal_to_slice(arena *a, const decimal *d);
/* Parse + format: the canonical form of number text, in arena `a`. */
int decimal_canonical(arena *a, slice text, slice *out, aws_error *err);

/* <0, 0, >0 as numbers. */
int decimal_compare(const decimal *a, const decimal *b);
static inline bool decimal_is_zero(const decimal *d)
{
    return d->ndigits == 0;
}
static inline void decimal_zero(decimal *d)
{
    d->negative = false;
    d->ndigits = 0;
    d->exp = 0;
}
void decimal_negate(decimal *d);

/* Exact a + b / a - b into out (out may alias a or b). A result needing more than 38 significant
 * digits or outside the range fails with DynamoDB's ValidationException. */
int decimal_add(const decimal *a, const decimal *b, decimal *out, aws_error *err);
int decimal_sub(const decimal *a, const decimal *b, decimal *out, aws_error *err);

void decimal_from_int64(decimal *out, int64_t v);
/* false when d is not an integer or does not fit in int64. */
bool decimal_to_int64(const decimal *d, int64_t *out);
/* Nearest double (through strtod of the canonical text, so correctly rounded). */
double decimal_to_double(const decimal *d);
/* Shortest decimal that reads back as v (up to 17 digits); -1 (ValidationException) for NaN/Inf or
 * magnitudes outside DynamoDB's range. */
int decimal_from_double(double v, decimal *out, aws_error *err);

#endif
