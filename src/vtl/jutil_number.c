/* jutil: numbers as Java prints them.
 *
 * Double.toString in the Java versions API Gateway and the reference harness run (8 to 17) is not the
 * shortest round-trip form: it prints 1.0E23 as "9.999999999999999E22", 2^-1074 as "4.9E-324", and an
 * integral double below 2^63 with all its exact digits ("1.85976442080999776E17"). To print the same bytes,
 * this file follows the same steps as that implementation: integral values go through 64-bit integer
 * digits, the rest through the Steele & White digit generation with its symmetric stopping test, a
 * decimal-exponent estimate, at least two digits in E-form, and its rounding of the last digit. The
 * intermediate arithmetic is done in 32-bit, 64-bit or arbitrary precision integers exactly where the
 * original chooses them, because the stopping test differs slightly between them (strict versus
 * non-strict comparison, and integer wrap-around). Unit tests compare against outputs of the real JVM. */
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "vtl/jutil.h"

size_t jutil_format_long(long long v, char out[JUTIL_NUMBER_MAX])
{
    char tmp[24];
    size_t n = 0;
    unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
    do {
        tmp[n++] = (char)('0' + u % 10);
        u /= 10;
    } while (u != 0);
    size_t len = 0;
    if (v < 0)
        out[len++] = '-';
    while (n > 0)
        out[len++] = tmp[--n];
    out[len] = '\0';
    return len;
}

/* ---- a small unsigned big integer, enough for 10^330 * 2^1100 ---- */

#define BIG_WORDS 90
typedef struct big {
    uint32_t w[BIG_WORDS]; /* little-endian */
    int n;                 /* words in use; no leading zero word */
} big;

static void big_set(big *b, uint64_t v)
{
    b->n = 0;
    while (v != 0) {
        b->w[b->n++] = (uint32_t)v;
        v >>= 32;
    }
}

static void big_mul_small(big *b, uint32_t m)
{
    uint64_t carry = 0;
    for (int i = 0; i < b->n; i++) {
        uint64_t t = (uint64_t)b->w[i] * m + carry;
        b->w[i] = (uint32_t)t;
        carry = t >> 32;
    }
    if (carry != 0)
        b->w[b->n++] = (uint32_t)carry;
}

static void big_mul_pow5(big *b, int k)
{
    while (k >= 13) {
        big_mul_small(b, 1220703125u); /* 5^13 */
        k -= 13;
    }
    static const uint32_t p5[13] = {1,     5,      25,      125,     625,      3125,     15625,
                                    78125, 390625, 1953125, 9765625, 48828125, 244140625};
    if (k > 0)
        big_mul_small(b, p5[k]);
}

static void big_shl(big *b, int k)
{
    if (b->n == 0 || k == 0)
        return;
    int words = k / 32, bits = k % 32;
    if (bits != 0) {
        uint32_t carry = 0;
        for (int i = 0; i < b->n; i++) {
            uint32_t w = b->w[i];
            b->w[i] = (w << bits) | carry;
            carry = w >> (32 - bits);
        }
        if (carry != 0)
            b->w[b->n++] = carry;
    }
    if (words != 0) {
        memmove(b->w + words, b->w, sizeof(uint32_t) * (size_t)b->n);
        memset(b->w, 0, sizeof(uint32_t) * (size_t)words);
        b->n += words;
    }
}

static int big_cmp(const big *a, const big *b)
{
    if (a->n != b->n)
        return a->n < b->n ? -1 : 1;
    for (int i = a->n - 1; i >= 0; i--)
        if (a->w[i] != b->w[i])
            return a->w[i] < b->w[i] ? -1 : 1;
    return 0;
}

static void big_sub(big *a, const big *b) /* a -= b, a >= b */
{
    int64_t borrow = 0;
    for (int i = 0; i < a->n; i++) {
        int64_t t = (int64_t)a->w[i] - (i < b->n ? b->w[i] : 0) - borrow;
        borrow = t < 0;
        a->w[i] = (uint32_t)(t + (borrow << 32));
    }
    while (a->n > 0 && a->w[a->n - 1] == 0)
        a->n--;
}

static void big_add(big *out, const big *a, const big *b)
{
    int n = a->n > b->n ? a->n : b->n;
    uint64_t carry = 0;
    for (int i = 0; i < n; i++) {
        uint64_t t = (uint64_t)(i < a->n ? a->w[i] : 0) + (i < b->n ? b->w[i] : 0) + carry;
        out->w[i] = (uint32_t)t;
        carry = t >> 32;
    }
    out->n = n;
    if (carry != 0)
        out->w[out->n++] = (uint32_t)carry;
}

static void big_pow52(big *b, uint64_t m, int p5, int p2)
{
    big_set(b, m);
    big_mul_pow5(b, p5);
    big_shl(b, p2);
}

/* q = b / s (a single decimal digit), b = 10 * (b % s) */
static int big_quo_rem10(big *b, const big *s)
{
    int q = 0;
    while (big_cmp(b, s) >= 0) {
        big_sub(b, s);
        q++;
    }
    big_mul_small(b, 10);
    return q;
}

/* ---- Double.toString ---- */

typedef struct digits {
    char d[24];
    int n;       /* digit count */
    int dec_exp; /* value = 0.d1d2... * 10^dec_exp */
} digits;

static const int N_5_BITS[27] = {0,  3,  5,  7,  10, 12, 14, 17, 19, 21, 24, 26, 28, 31,
                                 33, 35, 38, 40, 42, 45, 47, 49, 52, 54, 56, 59, 61};
static const int INSIGNIFICANT_FOR_POW2[64] = {0,  0,  0,  0,  1,  1,  1,  2,  2,  2,  3,  3,  3,  3,  4,  4,
                                               4,  5,  5,  5,  6,  6,  6,  6,  7,  7,  7,  8,  8,  8,  9,  9,
                                               9,  9,  10, 10, 10, 11, 11, 11, 12, 12, 12, 12, 13, 13, 13, 14,
                                               14, 14, 15, 15, 15, 15, 16, 16, 16, 17, 17, 17, 18, 18, 18, 19};

static int64_t pow5_long(int k)
{
    int64_t r = 1;
    while (k-- > 0)
        r *= 5;
    return r;
}

/* An integral value's digits, optionally rounded off at 10^insignificant, trailing zeros dropped. */
static void integer_digits(digits *out, uint64_t v, int insignificant)
{
    int dec = 0;
    if (insignificant != 0) {
        uint64_t p10 = 1;
        for (int i = 0; i < insignificant; i++)
            p10 *= 10;
        uint64_t residue = v % p10;
        v /= p10;
        dec += insignificant;
        if (residue >= p10 / 2)
            v++;
    }
    while (v % 10 == 0) {
        v /= 10;
        dec++;
    }
    char tmp[24];
    int n = 0;
    while (v != 0) {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    }
    for (int i = 0; i < n; i++)
        out->d[i] = tmp[n - 1 - i];
    out->n = n;
    out->dec_exp = dec + n;
}

static void round_up(digits *g)
{
    int i = g->n - 1;
    while (i > 0 && g->d[i] == '9') {
        g->d[i] = '0';
        i--;
    }
    if (g->d[i] == '9') { /* carry out of the first digit */
        g->dec_exp++;
        g->d[0] = '1';
        return;
    }
    g->d[i]++;
}

static int estimate_dec_exp(uint64_t fract_bits, int bin_exp)
{
    uint64_t bits = 0x3ff0000000000000ULL | (fract_bits & 0x000fffffffffffffULL);
    double d2;
    memcpy(&d2, &bits, sizeof d2);
    /* separate roundings, as Java does them (no fused multiply-add) */
    volatile double t = (d2 - 1.5) * 0.289529654;
    volatile double u = t + 0.176091259;
    volatile double v = (double)bin_exp * 0.301029995663981;
    double d = u + v;
    return (int)floor(d);
}

/* When the output is in E-form Java wants at least two digits, so the stopping test is skipped once. */
static bool e_form(int dec_exp)
{
    return dec_exp < -3 || dec_exp >= 8;
}

static void dtoa(digits *g, int bin_exp, uint64_t fract_bits, int n_significant_bits)
{
    int tail_zeros = __builtin_ctzll(fract_bits);
    int n_fract_bits = 53 - tail_zeros;
    int n_tiny_bits = n_fract_bits - bin_exp - 1;
    if (n_tiny_bits < 0)
        n_tiny_bits = 0;

    if (bin_exp <= 62 && bin_exp >= -21 && n_tiny_bits == 0) {
        int insignificant = 0;
        if (bin_exp > n_significant_bits) {
            int p2 = bin_exp - n_significant_bits - 1;
            if (p2 > 1 && p2 < 64)
                insignificant = INSIGNIFICANT_FOR_POW2[p2];
        }
        uint64_t v = bin_exp >= 52 ? fract_bits << (bin_exp - 52) : fract_bits >> (52 - bin_exp);
        integer_digits(g, v, insignificant);
        return;
    }

    int dec_exp = estimate_dec_exp(fract_bits, bin_exp);
    int b5 = dec_exp < 0 ? -dec_exp : 0;
    int b2 = b5 + n_tiny_bits + bin_exp;
    int s5 = dec_exp > 0 ? dec_exp : 0;
    int s2 = s5 + n_tiny_bits;
    int m5 = b5;
    int m2 = b2 - n_significant_bits;

    fract_bits >>= tail_zeros;
    b2 -= n_fract_bits - 1;
    int common = b2 < s2 ? b2 : s2;
    b2 -= common;
    s2 -= common;
    m2 -= common;
    if (n_fract_bits == 1) /* a power of two: the next smaller double is half as far */
        m2 -= 1;
    if (m2 < 0) {
        b2 -= m2;
        s2 -= m2;
        m2 = 0;
    }

    int b_bits = n_fract_bits + b2 + (b5 < 27 ? N_5_BITS[b5] : b5 * 3);
    int ten_s_bits = s2 + 1 + (s5 + 1 < 27 ? N_5_BITS[s5 + 1] : (s5 + 1) * 3);
    bool low, high;
    int cmp_last; /* sign of 2*remainder - 10*S, for the last-digit rounding */
    g->n = 0;

    if (b_bits < 64 && ten_s_bits < 64) {
        /* Machine integers, with the wrap-around of Java's int or long arithmetic. */
        bool narrow = b_bits < 32 && ten_s_bits < 32;
        int64_t b, s, m, tens;
#define WRAP(x)   (narrow ? (int64_t)(int32_t)(uint32_t)(uint64_t)(x) : (int64_t)(x))
#define MUL(x, y) WRAP((uint64_t)(x) * (uint64_t)(y))
#define SHL(x, k) WRAP((uint64_t)(x) << (k))
#define ADD(x, y) WRAP((uint64_t)(x) + (uint64_t)(y))
        b = SHL(MUL(narrow ? (int64_t)(int32_t)(uint32_t)fract_bits : (int64_t)fract_bits, pow5_long(b5)), b2);
        s = SHL(pow5_long(s5), s2);
        m = SHL(pow5_long(m5), m2);
        tens = MUL(s, 10);
        int q = (int)(b / s);
        b = MUL(10, b % s);
        m = MUL(m, 10);
        low = b < m;
        high = ADD(b, m) > tens;
        if (q == 0 && !high)
            dec_exp--;
        else
            g->d[g->n++] = (char)('0' + q);
        if (e_form(dec_exp))
            high = low = false;
        while (!low && !high) {
            q = (int)(b / s);
            b = MUL(10, b % s);
            m = MUL(m, 10);
            if (m > 0) {
                low = b < m;
                high = ADD(b, m) > tens;
            } else {
                low = high = true;
            }
            g->d[g->n++] = (char)('0' + q);
        }
        int64_t diff = WRAP((uint64_t)SHL(b, 1) - (uint64_t)tens);
        cmp_last = diff == 0 ? 0 : (diff > 0 ? 1 : -1);
#undef WRAP
#undef MUL
#undef SHL
#undef ADD
    } else {
        big bb, sv, mv, tens, sum;
        big_pow52(&sv, 1, s5, s2);
        big_pow52(&bb, fract_bits, b5, b2);
        big_pow52(&mv, 1, m5 + 1, m2 + 1);
        big_pow52(&tens, 1, s5 + 1, s2 + 1);
        int q = big_quo_rem10(&bb, &sv);
        low = big_cmp(&bb, &mv) < 0;
        big_add(&sum, &bb, &mv);
        high = big_cmp(&tens, &sum) <= 0;
        if (q == 0 && !high)
            dec_exp--;
        else
            g->d[g->n++] = (char)('0' + q);
        if (e_form(dec_exp))
            high = low = false;
        while (!low && !high) {
            q = big_quo_rem10(&bb, &sv);
            big_mul_small(&mv, 10);
            low = big_cmp(&bb, &mv) < 0;
            big_add(&sum, &bb, &mv);
            high = big_cmp(&tens, &sum) <= 0;
            g->d[g->n++] = (char)('0' + q);
        }
        cmp_last = 0;
        if (high && low) {
            big_shl(&bb, 1);
            cmp_last = big_cmp(&bb, &tens);
        }
    }
    g->dec_exp = dec_exp + 1;
    if (high) {
        if (low) {
            if (cmp_last == 0) {
                if ((g->d[g->n - 1] - '0') & 1)
                    round_up(g);
            } else if (cmp_last > 0) {
                round_up(g);
            }
        } else {
            round_up(g);
        }
    }
}

static size_t format_digits(const digits *g, bool negative, char *out)
{
    size_t i = 0;
    if (negative)
        out[i++] = '-';
    int e = g->dec_exp, n = g->n;
    if (e > 0 && e < 8) {
        int head = n < e ? n : e;
        memcpy(out + i, g->d, (size_t)head);
        i += (size_t)head;
        if (head < e) {
            memset(out + i, '0', (size_t)(e - head));
            i += (size_t)(e - head);
            out[i++] = '.';
            out[i++] = '0';
        } else {
            out[i++] = '.';
            if (head < n) {
                memcpy(out + i, g->d + head, (size_t)(n - head));
                i += (size_t)(n - head);
            } else {
                out[i++] = '0';
            }
        }
    } else if (e <= 0 && e > -3) {
        out[i++] = '0';
        out[i++] = '.';
        for (int k = 0; k < -e; k++)
            out[i++] = '0';
        memcpy(out + i, g->d, (size_t)n);
        i += (size_t)n;
    } else {
        out[i++] = g->d[0];
        out[i++] = '.';
        if (n > 1) {
            memcpy(out + i, g->d + 1, (size_t)(n - 1));
            i += (size_t)(n - 1);
        } else {
            out[i++] = '0';
        }
        out[i++] = 'E';
        int x;
        if (e <= 0) {
            out[i++] = '-';
            x = -e + 1;
        } else {
            x = e - 1;
        }
        if (x >= 100) {
            out[i++] = (char)('0' + x / 100);
            x %= 100;
            out[i++] = (char)('0' + x / 10);
            out[i++] = (char)('0' + x % 10);
        } else if (x >= 10) {
            out[i++] = (char)('0' + x / 10);
            out[i++] = (char)('0' + x % 10);
        } else {
            out[i++] = (char)('0' + x);
        }
    }
    out[i] = '\0';
    return i;
}

size_t jutil_format_double(double d, char out[JUTIL_NUMBER_MAX])
{
    uint64_t bits;
    memcpy(&bits, &d, sizeof bits);
    bool negative = (bits >> 63) != 0;
    uint64_t fract = bits & 0x000fffffffffffffULL;
    int bin_exp = (int)((bits >> 52) & 0x7ff);
    if (bin_exp == 0x7ff) {
        const char *s = fract != 0 ? "NaN" : (negative ? "-Infinity" : "Infinity");
        size_t n = strlen(s);
        memcpy(out, s, n + 1);
        return n;
    }
    int n_significant_bits;
    if (bin_exp == 0) {
        if (fract == 0) {
            const char *s = negative ? "-0.0" : "0.0";
            size_t n = strlen(s);
            memcpy(out, s, n + 1);
            return n;
        }
        int leading = __builtin_clzll(fract);
        int shift = leading - 11;
        fract <<= shift;
        bin_exp = 1 - shift;
        n_significant_bits = 64 - leading;
    } else {
        fract |= 1ULL << 52;
        n_significant_bits = 53;
    }
    bin_exp -= 1023;
    digits g;
    dtoa(&g, bin_exp, fract, n_significant_bits);
    return format_digits(&g, negative, out);
}
