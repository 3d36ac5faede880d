#include "core/decimal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MSG_NOT_NUMBER "A value provided cannot be converted into a number"
#define MSG_DIGITS     "Attempting to store more than 38 significant digits in a Number"
#define MSG_OVERFLOW   "Number overflow. Attempting to store a number with magnitude larger than supported range"
#define MSG_UNDERFLOW  "Number underflow. Attempting to store a number with magnitude smaller than supported range"

/* Text made only of characters a number can contain ("1e", ".", "+-1") is malformed number text;
 * anything else ("dog", "NaN", " 1") is not number text at all. DynamoDB words the two differently. */
static int not_a_number(slice text, aws_error *err)
{
    for (size_t i = 0; i < text.len; i++) {
        char c = text.ptr[i];
        if (!((c >= '0' && c <= '9') || c == '.' || c == '+' || c == '-' || c == 'e' || c == 'E')) {
            return error_validation(err, "The parameter cannot be converted to a numeric value: %.*s",
                                    (int)(text.len > 200 ? 200 : text.len), text.ptr);
        }
    }
    if (text.len == 0)
        return error_validation(err, "The parameter cannot be converted to a numeric value");
    return error_validation(err, MSG_NOT_NUMBER);
}

int decimal_parse(slice text, decimal *out, aws_error *err)
{
    const char *p = text.ptr, *end = text.ptr + text.len;
    bool negative = false;
    if (p < end && (*p == '+' || *p == '-')) {
        negative = *p == '-';
        p++;
    }
    /* Mantissa: digits, at most one '.', at least one digit. */
    long ndigits_total = 0; /* digits seen in the mantissa */
    long int_digits = 0;    /* of which before the point */
    long first_nz = -1, last_nz = -1;
    bool seen_point = false;
    decimal d;
    decimal_zero(&d);
    uint8_t buf[DECIMAL_MAX_DIGITS];
    int nbuf = 0;
    for (; p < end; p++) {
        char c = *p;
        if (c >= '0' && c <= '9') {
            if (c != '0') {
                if (first_nz < 0)
                    first_nz = ndigits_total;
                last_nz = ndigits_total;
            }
            if (first_nz >= 0 && ndigits_total - first_nz < DECIMAL_MAX_DIGITS)
                buf[nbuf++] = (uint8_t)(c - '0');
            ndigits_total++;
            if (!seen_point)
                int_digits++;
        } else if (c == '.' && !seen_point) {
            seen_point = true;
        } else {
            break;
        }
    }
    if (ndigits_total == 0)
        return not_a_number(text, err);
    long long exp10 = 0;
    if (p < end && (*p == 'e' || *p == 'E')) {
        p++;
        bool eneg = false;
        if (p < end && (*p == '+' || *p == '-')) {
            eneg = *p == '-';
            p++;
        }
        if (p == end)
            return not_a_number(text, err);
        for (; p < end && *p >= '0' && *p <= '9'; p++) {
            if (exp10 < 1000000000LL)
                exp10 = exp10 * 10 + (*p - '0');
        }
        if (eneg)
            exp10 = -exp10;
    }
    if (p != end)
        return not_a_number(text, err);

    if (first_nz < 0) { /* zero, whatever the exponent */
        *out = d;
        return 0;
    }
    /* The first non-zero digit has place value 10^(int_digits - 1 - first_nz + exp10). */
    long long sci = (long long)int_digits - 1 - first_nz + exp10;
    long sig = last_nz - first_nz + 1;
    if (sci > DECIMAL_MAX_EXP)
        return error_validation(err, MSG_OVERFLOW);
    if (sci < DECIMAL_MIN_EXP)
        return error_validation(err, MSG_UNDERFLOW);
    if (sig > DECIMAL_MAX_DIGITS)
        return error_validation(err, MSG_DIGITS);
    d.negative = negative;
    d.exp = (int16_t)sci;
    d.ndigits = (uint8_t)sig;
    memcpy(d.digits, buf, (size_t)sig);
    *out = d;
    return 0;
}

size_t decimal_format(const decimal *d, char *buf)
{
    char *o = buf;
    if (d->ndigits == 0) {
        buf[0] = '0';
        buf[1] = '\0';
        return 1;
    }
    if (d->negative)
        *o++ = '-';
    int n = d->ndigits, e = d->exp;
    if (e < 0) {
        *o++ = '0';
        *o++ = '.';
        for (int i = 0; i < -e - 1; i++)
            *o++ = '0';
        for (int i = 0; i < n; i++)
            *o++ = (char)('0' + d->digits[i]);
    } else if (e >= n - 1) {
        for (int i = 0; i < n; i++)
            *o++ = (char)('0' + d->digits[i]);
        for (int i = 0; i < e - (n - 1); i++)
            *o++ = '0';
    } else {
        for (int i = 0; i < n; i++) {
            if (i == e + 1)
                *o++ = '.';
            *o++ = (char)('0' + d->digits[i]);
        }
    }
    *o = '\0';
    return (size_t)(o - buf);
}

slice decimal_to_slice(arena *a, const decimal *d)
{
    char tmp[DECIMAL_TEXT_MAX];
    size_t n = decimal_format(d, tmp);
    return slice_make(arena_strndup(a, tmp, n), n);
}

int decimal_canonical(arena *a, slice text, slice *out, aws_error *err)
{
    decimal d;
    if (decimal_parse(text, &d, err) != 0)
        return -1;
    *out = decimal_to_slice(a, &d);
    return 0;
}

static int compare_magnitude(const decimal *a, const decimal *b)
{
    if (a->ndigits == 0 || b->ndigits == 0)
        return (a->ndigits != 0) - (b->ndigits != 0);
    if (a->exp != b->exp)
        return a->exp < b->exp ? -1 : 1;
    int n = a->ndigits < b->ndigits ? a->ndigits : b->ndigits;
    for (int i = 0; i < n; i++) {
        if (a->digits[i] != b->digits[i])
            return a->digits[i] < b->digits[i] ? -1 : 1;
    }
    return (a->ndigits > n) - (b->ndigits > n);
}

int decimal_compare(const decimal *a, const decimal *b)
{
    int sa = a->ndigits == 0 ? 0 : (a->negative ? -1 : 1);
    int sb = b->ndigits == 0 ? 0 : (b->negative ? -1 : 1);
    if (sa != sb)
        return sa < sb ? -1 : 1;
    if (sa == 0)
        return 0;
    int m = compare_magnitude(a, b);
    return sa < 0 ? -m : m;
}

void decimal_negate(decimal *d)
{
    if (d->ndigits != 0)
        d->negative = !d->negative;
}

/* Wide enough for any two operands whose sum can still fit in 38 digits (see decimal_add). */
#define ADD_WIDTH 96

int decimal_add(const decimal *a, const decimal *b, decimal *out, aws_error *err)
{
    if (a->ndigits == 0) {
        *out = *b;
        return 0;
    }
    if (b->ndigits == 0) {
        *out = *a;
        return 0;
    }
    int low_a = a->exp - a->ndigits + 1, low_b = b->exp - b->ndigits + 1;
    int low = low_a < low_b ? low_a : low_b;
    int high = (a->exp > b->exp ? a->exp : b->exp) + 1; /* room for a carry */
    /* Operands this far apart cannot cancel more than one leading digit, and their lowest digits do
     * not overlap: the exact result has more than 38 significant digits. DynamoDB reports such
     * inexact arithmetic as an overflow. */
    if (high - low + 1 > ADD_WIDTH)
        return error_validation(err, MSG_OVERFLOW);
    int8_t acc[ADD_WIDTH];
    memset(acc, 0, sizeof(acc));
    const decimal *big = a, *small = b;
    bool subtract = a->negative != b->negative;
    if (subtract && compare_magnitude(a, b) < 0) {
        big = b;
        small = a;
    }
    for (int i = 0; i < big->ndigits; i++)
        acc[big->exp - i - low] = (int8_t)big->digits[i];
    for (int i = 0; i < small->ndigits; i++) {
        int pos = small->exp - i - low;
        acc[pos] = (int8_t)(acc[pos] + (subtract ? -small->digits[i] : small->digits[i]));
    }
    int width = high - low + 1;
    for (int i = 0; i < width - 1; i++) {
        if (acc[i] >= 10) {
            acc[i] = (int8_t)(acc[i] - 10);
            acc[i + 1]++;
        } else if (acc[i] < 0) {
            acc[i] = (int8_t)(acc[i] + 10);
            acc[i + 1]--;
        }
    }
    int top = width - 1;
    while (top >= 0 && acc[top] == 0)
        top--;
    if (top < 0) {
        decimal_zero(out);
        return 0;
    }
    int bottom = 0;
    while (acc[bottom] == 0)
        bottom++;
    int exp = top + low;
    if (exp > DECIMAL_MAX_EXP)
        return error_validation(err, MSG_OVERFLOW);
    if (exp < DECIMAL_MIN_EXP)
        return error_validation(err, MSG_UNDERFLOW);
    if (top - bottom + 1 > DECIMAL_MAX_DIGITS)
        return error_validation(err, MSG_OVERFLOW);
    decimal r;
    r.negative = big->negative;
    r.exp = (int16_t)exp;
    r.ndigits = (uint8_t)(top - bottom + 1);
    for (int i = 0; i < r.ndigits; i++)
        r.digits[i] = (uint8_t)acc[top - i];
    *out = r;
    return 0;
}

int decimal_sub(const decimal *a, const decimal *b, decimal *out, aws_error *err)
{
    decimal nb = *b;
    decimal_negate(&nb);
    return decimal_add(a, &nb, out, err);
}

void decimal_from_int64(decimal *out, int64_t v)
{
    decimal_zero(out);
    if (v == 0)
        return;
    uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    uint8_t rev[20];
    int n = 0;
    while (u != 0) {
        rev[n++] = (uint8_t)(u % 10);
        u /= 10;
    }
    int trailing = 0;
    while (rev[trailing] == 0)
        trailing++;
    out->negative = v < 0;
    out->exp = (int16_t)(n - 1);
    out->ndigits = (uint8_t)(n - trailing);
    for (int i = 0; i < out->ndigits; i++)
        out->digits[i] = rev[n - 1 - i];
}

bool decimal_to_int64(const decimal *d, int64_t *out)
{
    if (d->ndigits == 0) {
        *out = 0;
        return true;
    }
    if (d->exp < d->ndigits - 1 || d->exp > 18)
        return false;
    uint64_t u = 0;
    for (int i = 0; i <= d->exp; i++)
        u = u * 10 + (i < d->ndigits ? d->digits[i] : 0);
    if (d->negative) {
        if (u > (uint64_t)INT64_MAX + 1)
            return false;
        *out = u == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)u;
    } else {
        if (u > (uint64_t)INT64_MAX)
            return false;
        *out = (int64_t)u;
    }
    return true;
}

double decimal_to_double(const decimal *d)
{
    char tmp[DECIMAL_TEXT_MAX + 8];
    /* Scientific form keeps the text short; strtod rounds correctly. */
    if (d->ndigits == 0)
        return 0.0;
    char *o = tmp;
    if (d->negative)
        *o++ = '-';
    for (int i = 0; i < d->ndigits; i++) {
        *o++ = (char)('0' + d->digits[i]);
        if (i == 0)
            *o++ = '.';
    }
    snprintf(o, sizeof(tmp) - (size_t)(o - tmp), "e%d", d->exp);
    return strtod(tmp, NULL);
}

int decimal_from_double(double v, decimal *out, aws_error *err)
{
    if (!isfinite(v))
        return error_validation(err, "The parameter cannot be converted to a numeric value: %s",
                                isnan(v) ? "NaN" : (v < 0 ? "-Infinity" : "Infinity"));
    if (v == 0) {
        decimal_zero(out);
        return 0;
    }
    char tmp[64];
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(tmp, sizeof(tmp), "%.*e", prec - 1, v);
        if (prec == 17 || strtod(tmp, NULL) == v)
            break;
    }
    return decimal_parse(slice_cstr(tmp), out, err);
}
