#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/decimal.h"

static const char *canon(const char *text)
{
    static char buf[AWS_ERROR_MESSAGE_MAX];
    decimal d;
    aws_error e;
    error_clear(&e);
    if (decimal_parse(slice_cstr(text), &d, &e) != 0)
        return strcpy(buf, e.message);
    decimal_format(&d, buf);
    return buf;
}

static decimal num(const char *text)
{
    decimal d;
    aws_error e;
    cr_assert_eq(decimal_parse(slice_cstr(text), &d, &e), 0, "parse %s: %s", text, e.message);
    return d;
}

Test(decimal, canonical_forms)
{
    cr_assert_str_eq(canon("1E+2"), "100");
    cr_assert_str_eq(canon("0.00100"), "0.001");
    cr_assert_str_eq(canon("-0"), "0");
    cr_assert_str_eq(canon("-0.000e5"), "0");
    cr_assert_str_eq(canon("0e1000"), "0");
    cr_assert_str_eq(canon("+3"), "3");
    cr_assert_str_eq(canon(".123"), "0.123");
    cr_assert_str_eq(canon("0001.23"), "1.23");
    cr_assert_str_eq(canon("1e+5"), "100000");
    cr_assert_str_eq(canon("-17.4E37"), "-174000000000000000000000000000000000000");
    cr_assert_str_eq(canon("5."), "5");
    cr_assert_str_eq(canon("-.5"), "-0.5");
    cr_assert_str_eq(canon("12.50"), "12.5");
    cr_assert_str_eq(canon("1.5e-3"), "0.0015");
    cr_assert_str_eq(canon("123.456e1"), "1234.56");
    cr_assert_str_eq(canon("1000000"), "1000000");
    cr_assert_str_eq(canon("1e-130"),
                     "0."
                     "000000000000000000000000000000000000000000000000000000000000000000000000000000000"
                     "000000000000000000000000000000000000000000000000"
                     "1");
    /* 38 significant digits, and trailing zeros do not count. */
    cr_assert_str_eq(canon("3.1415926535897932384626433832795028841"), "3.1415926535897932384626433832795028841");
    cr_assert_str_eq(canon("31415926535897932384626433832795028841e30"),
                     "31415926535897932384626433832795028841000000000000000000000000000000");
    cr_assert_str_eq(canon("1.000000000000000000000000000000000000000000000000"), "1");
    cr_assert_str_eq(canon("0.000000000000000000000000000000000000000000000000001"),
                     "0.000000000000000000000000000000000000000000000000001");
}

Test(decimal, rejects_with_dynamodb_messages)
{
    cr_assert_str_eq(canon("."), "A value provided cannot be converted into a number");
    cr_assert_str_eq(canon("1e"), "A value provided cannot be converted into a number");
    cr_assert_str_eq(canon("--1"), "A value provided cannot be converted into a number");
    cr_assert_str_eq(canon("1.2.3"), "A value provided cannot be converted into a number");
    cr_assert_str_eq(canon("1e5.5"), "A value provided cannot be converted into a number");
    cr_assert_str_eq(canon(""), "The parameter cannot be converted to a numeric value");
    cr_assert_str_eq(canon("NaN"), "The parameter cannot be converted to a numeric value: NaN");
    cr_assert_str_eq(canon("Infinity"), "The parameter cannot be converted to a numeric value: Infinity");
    cr_assert_str_eq(canon(" 1"), "The parameter cannot be converted to a numeric value:  1");
    cr_assert_str_eq(canon("1 "), "The parameter cannot be converted to a numeric value: 1 ");
    cr_assert_str_eq(canon("0x10"), "The parameter cannot be converted to a numeric value: 0x10");
    cr_assert_str_eq(canon("3.14159265358979323846264338327950288419"),
                     "Attempting to store more than 38 significant digits in a Number");
    cr_assert_str_eq(canon("314159265358979323846264338327950288419e30"),
                     "Attempting to store more than 38 significant digits in a Number");
    cr_assert_str_eq(canon("-1.23456789012345678901234567890123456789"),
                     "Attempting to store more than 38 significant digits in a Number");
    const char *over = "Number overflow. Attempting to store a number with magnitude larger than supported range";
    const char *under = "Number underflow. Attempting to store a number with magnitude smaller than supported range";
    cr_assert_str_eq(canon("1e126"), over);
    cr_assert_str_eq(canon("-1e126"), over);
    cr_assert_str_eq(canon("11e125"), over);
    cr_assert_str_eq(canon("1e999999999999999999999"), over);
    cr_assert_str_eq(canon("1e-131"), under);
    cr_assert_str_eq(canon("-1e-131"), under);
    cr_assert_str_eq(canon("0.9e-130"), under);
    cr_assert_str_eq(canon("9.9999999999999999999999999999999999999E+125"),
                     "999999999999999999999999999999999999990000000000000000000000000000000000000000000000000000"
                     "000000000000000000000000000000000000");
    aws_error e;
    decimal d;
    cr_assert_eq(decimal_parse(SLICE_LIT("x"), &d, &e), -1);
    cr_assert_str_eq(e.type, "ValidationException");
    cr_assert_eq(e.status, 400);
}

Test(decimal, compare_orders_numbers)
{
    const char *sorted[] = {"-1e125", "-100", "-99.5", "-1", "-0.5", "-1e-130", "0",   "1e-130", "0.001",
                            "0.5",    "1",    "1.5",   "2",  "10",   "99.99",   "100", "1e125"};
    size_t n = sizeof(sorted) / sizeof(sorted[0]);
    for (size_t i = 0; i < n; i++) {
        for (size_t j = 0; j < n; j++) {
            decimal a = num(sorted[i]), b = num(sorted[j]);
            int c = decimal_compare(&a, &b);
            int want = i < j ? -1 : i > j ? 1 : 0;
            cr_assert_eq(c < 0 ? -1 : c > 0 ? 1 : 0, want, "%s vs %s", sorted[i], sorted[j]);
        }
    }
    decimal a = num("1.50"), b = num("15e-1");
    cr_assert_eq(decimal_compare(&a, &b), 0);
}

static const char *add(const char *x, const char *y, bool subtract)
{
    static char buf[DECIMAL_TEXT_MAX];
    decimal a = num(x), b = num(y), r;
    aws_error e;
    int rc = subtract ? decimal_sub(&a, &b, &r, &e) : decimal_add(&a, &b, &r, &e);
    if (rc != 0)
        return strcpy(buf, e.message);
    decimal_format(&r, buf);
    return buf;
}

Test(decimal, add_and_subtract)
{
    cr_assert_str_eq(add("1", "10000000000000000000000", false), "10000000000000000000001");
    cr_assert_str_eq(add("10000000000000000000000", "1", true), "9999999999999999999999");
    cr_assert_str_eq(add("0.1", "0.2", false), "0.3");
    cr_assert_str_eq(add("99.99", "0.01", false), "100");
    cr_assert_str_eq(add("1", "-1", false), "0");
    cr_assert_str_eq(add("-5", "3", false), "-2");
    cr_assert_str_eq(add("3", "5", true), "-2");
    cr_assert_str_eq(add("-3", "-5", true), "2");
    cr_assert_str_eq(add("0", "-7.25", false), "-7.25");
    cr_assert_str_eq(add("1000", "0.001", false), "1000.001");
    cr_assert_str_eq(add("9999999999999999999999999999999999999", "1", false),
                     "10000000000000000000000000000000000000");
    cr_assert_str_eq(add("99999999999999999999999999999999999999", "1", false),
                     "100000000000000000000000000000000000000");
    cr_assert_str_eq(add("1.0000000000000000000000000000000000001", "-1", false),
                     "0.0000000000000000000000000000000000001");
    const char *over = "Number overflow. Attempting to store a number with magnitude larger than supported range";
    cr_assert_str_eq(add("9e125", "9e125", false), over);
    cr_assert_str_eq(add("9e125", "-9e125", true), over);
    /* Inexact results: DynamoDB words them as an overflow. */
    cr_assert_str_eq(add("1e50", "1", false), over);
    cr_assert_str_eq(add("1e50", "1", true), over);
    cr_assert_str_eq(add("1e125", "1e-130", false), over);
    cr_assert_str_eq(add("99999999999999999999999999999999999999", "0.1", false), over);
    cr_assert_str_eq(add("1.5e-130", "-1.4e-130", false),
                     "Number underflow. Attempting to store a number with magnitude smaller than supported range");
    /* Aliasing: out may be an operand. */
    decimal a = num("2.5"), b = num("0.5");
    aws_error e;
    cr_assert_eq(decimal_add(&a, &b, &a, &e), 0);
    char buf[DECIMAL_TEXT_MAX];
    decimal_format(&a, buf);
    cr_assert_str_eq(buf, "3");
}

/* Random operands x*10^-sx, y*10^-sy checked against exact 128-bit integer arithmetic. */
Test(decimal, add_matches_int128_reference)
{
    srand(12345);
    for (int iter = 0; iter < 20000; iter++) {
        long long x = ((long long)rand() << 31 ^ rand()) % 1000000000000000LL;
        long long y = ((long long)rand() << 31 ^ rand()) % 1000000000000000LL;
        if (rand() & 1)
            x = -x;
        if (rand() & 1)
            y = -y;
        int sx = rand() % 12, sy = rand() % 12;
        char tx[64], ty[64];
        snprintf(tx, sizeof tx, "%lldE-%d", x, sx);
        snprintf(ty, sizeof ty, "%lldE-%d", y, sy);
        int s = sx > sy ? sx : sy;
        __int128 ax = x, ay = y;
        for (int i = sx; i < s; i++)
            ax *= 10;
        for (int i = sy; i < s; i++)
            ay *= 10;
        bool sub = rand() & 1;
        __int128 r = sub ? ax - ay : ax + ay;
        /* Reference text: integer r scaled by 10^-s, then canonicalised through the parser. */
        char digits[64];
        int nd = 0;
        bool neg = r < 0;
        unsigned __int128 u = neg ? (unsigned __int128)(-r) : (unsigned __int128)r;
        do {
            digits[nd++] = (char)('0' + (int)(u % 10));
            u /= 10;
        } while (u != 0);
        char ref[80];
        int o = 0;
        if (neg)
            ref[o++] = '-';
        while (nd > 0)
            ref[o++] = digits[--nd];
        snprintf(ref + o, sizeof(ref) - (size_t)o, "E-%d", s);
        char want[DECIMAL_TEXT_MAX];
        strcpy(want, canon(ref));
        cr_assert_str_eq(add(tx, ty, sub), want, "%s %c %s", tx, sub ? '-' : '+', ty);
    }
}

Test(decimal, int64_conversions)
{
    decimal d;
    int64_t v;
    char buf[DECIMAL_TEXT_MAX];
    int64_t samples[] = {0, 1, -1, 10, 1200, -987654321, INT64_MAX, INT64_MIN};
    for (size_t i = 0; i < sizeof(samples) / sizeof(samples[0]); i++) {
        decimal_from_int64(&d, samples[i]);
        char want[32];
        snprintf(want, sizeof want, "%lld", (long long)samples[i]);
        decimal_format(&d, buf);
        cr_assert_str_eq(buf, want);
        cr_assert(decimal_to_int64(&d, &v));
        cr_assert_eq(v, samples[i]);
    }
    d = num("1.5");
    cr_assert_not(decimal_to_int64(&d, &v));
    d = num("9223372036854775808");
    cr_assert_not(decimal_to_int64(&d, &v));
    d = num("-9223372036854775809");
    cr_assert_not(decimal_to_int64(&d, &v));
    d = num("1e20");
    cr_assert_not(decimal_to_int64(&d, &v));
    d = num("1.2e3");
    cr_assert(decimal_to_int64(&d, &v));
    cr_assert_eq(v, 1200);
}

Test(decimal, double_conversions)
{
    decimal d = num("12.5");
    cr_assert_eq(decimal_to_double(&d), 12.5);
    d = num("-1e-130");
    cr_assert_eq(decimal_to_double(&d), -1e-130);
    d = num("0");
    cr_assert_eq(decimal_to_double(&d), 0.0);
    aws_error e;
    char buf[DECIMAL_TEXT_MAX];
    cr_assert_eq(decimal_from_double(0.1, &d, &e), 0);
    decimal_format(&d, buf);
    cr_assert_str_eq(buf, "0.1");
    cr_assert_eq(decimal_from_double(-2.5e10, &d, &e), 0);
    decimal_format(&d, buf);
    cr_assert_str_eq(buf, "-25000000000");
    cr_assert_eq(decimal_from_double(1.0 / 3.0, &d, &e), 0);
    cr_assert_eq(decimal_to_double(&d), 1.0 / 3.0);
    cr_assert_eq(decimal_from_double(1e300, &d, &e), -1);
    cr_assert_eq(decimal_from_double(0.0 / 0.0, &d, &e), -1);
}

Test(decimal, canonical_into_arena)
{
    arena a;
    arena_init(&a, 1024);
    slice out;
    aws_error e;
    cr_assert_eq(decimal_canonical(&a, SLICE_LIT("-00012.3400e1"), &out, &e), 0);
    cr_assert(slice_eq_cstr(out, "-123.4"));
    cr_assert_eq(decimal_canonical(&a, SLICE_LIT("abc"), &out, &e), -1);
    arena_destroy(&a);
}
