/* value_json_strict: the fast route of v_parse_json for the documents nearly every request carries, plain
 * strict JSON: an object or array with double-quoted strings (escapes limited to \" \\ \/ \b \f \n \r \t),
 * numbers in RFC 8259 form, true/false/null and the four whitespace characters. For those the permissive
 * json-smart reader (json_reader.h) gives a result this route reproduces exactly; anything else (json-smart's
 * oddities, \u escapes, big integers, invalid JSON, deep nesting) makes this route give up so that the
 * permissive reader decides, errors included. It never reports errors itself.
 *
 * Why it is faster: one loop with a stack of open containers instead of a call per value; no bounds checks
 * outside strings (the text is first checked to end in a closing bracket, which stops every other scan);
 * strings scanned eight bytes at a time; numbers converted in the scanning loop, doubles too when the
 * conversion is exact without strtod; and every list and map allocated once at its exact size from a stack
 * of pending values, with repeated keys looked for only when a filter of key hashes says they may be; and
 * DynamoDB's typed strings ({"S": "..."}, most of the values in a Query result) read without opening a container. */
#include <float.h>
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "core/swar.h"
#include "vtl/jutil_internal.h"
#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#include "vtl/value.h"

/* Far below json-smart's limit of 1000 (which counts scalars too): deeper documents take the permissive
 * route, which reports the limit. */
#define STRICT_MAX_DEPTH 500
/* Objects up to this many keys look for a repeated key only when two keys have the same length; larger ones
 * through a hash index. */
#define FILTER_KEYS 16

/* Values are handled as their two 8-byte words (see put). */
_Static_assert(sizeof(vval) == 16 && offsetof(vval, len) + sizeof(uint32_t) <= 8 && offsetof(vval, u) == 8,
               "a value is a head word (kind, length) and a payload word");

typedef union head_word {
    struct {
        uint8_t kind;
        uint32_t len;
    } f; /* laid out as vval's first word */
    uint64_t w;
} head_word;

typedef union payload_word {
    const void *ptr;
    int64_t i;
    double d;
    bool b;
    uint64_t w;
} payload_word;

/* A value being read, as its two words: returned in two registers, never through memory. */
typedef struct words {
    uint64_t lo, hi;
} words;

static inline uint64_t head(uint8_t kind, uint32_t len)
{
    head_word h = {.w = 0};
    h.f.kind = kind;
    h.f.len = len;
    return h.w;
}

static inline uint64_t ptr_word(const void *p)
{
    payload_word x = {.w = 0};
    x.ptr = p;
    return x.w;
}

static inline uint64_t bool_word(bool b)
{
    payload_word x = {.w = 0};
    x.b = b;
    return x.w;
}

/* A value is written as two 8-byte stores and copied as two 8-byte loads and stores: a 16-byte load of a
 * value stored in smaller pieces moments before waits for those stores to retire instead of taking their
 * data directly, and containers are copied right after their last element was pushed. */
static inline __attribute__((always_inline)) void put(vval *dst, words v)
{
    uint64_t lo = v.lo, hi = v.hi;
    __asm__("" : "+r"(lo), "+r"(hi)); /* keeps the compiler from merging the words into one wide store */
    memcpy(dst, &lo, 8);
    memcpy((char *)dst + 8, &hi, 8);
}

static inline __attribute__((always_inline)) void copy_value(vval *dst, const vval *src)
{
    uint64_t lo, hi;
    memcpy(&lo, src, 8);
    memcpy(&hi, (const char *)src + 8, 8);
    put(dst, (words){lo, hi});
}

typedef struct sparser {
    const uint8_t *end;
    arena *a;
    const uint8_t *tail16; /* the text's last sixteen bytes, or NULL in a shorter text */
    vval *stack, *limit;   /* values (and keys) of the containers being read, innermost last */
    vval local[256];
} sparser;

/* Doubles the value stack whose first free slot is `top`; that slot moved, or NULL. */
static __attribute__((noinline)) vval *grow(sparser *s, vval *top)
{
    size_t n = (size_t)(top - s->stack), cap = (size_t)(s->limit - s->stack) * 2;
    vval *grown = s->stack == s->local ? malloc(cap * sizeof(vval)) : realloc(s->stack, cap * sizeof(vval));
    if (grown == NULL)
        return NULL;
    if (s->stack == s->local)
        memcpy(grown, s->local, n * sizeof(vval));
    s->stack = grown;
    s->limit = grown + cap;
    return grown + n;
}

#define WS_BITS ((1ull << ' ') | (1ull << '\n') | (1ull << '\r') | (1ull << '\t'))

static inline bool is_ws(uint8_t c)
{
    return c <= ' ' && ((WS_BITS >> c) & 1) != 0;
}

/* Needs no bound: the text's last non-space byte stops it. Runs of spaces (indentation) are crossed eight
 * bytes at a time: a byte loop would mispredict its exit at every line of a different depth. */
static const uint8_t *skip_ws(const uint8_t *p, const uint8_t *end)
{
    while (is_ws(*p)) {
        if (*p == ' ' && end - p >= 8) {
            uint64_t other = swar_load(p) ^ (SWAR_ONES * ' '); /* non-zero in the bytes that are not spaces */
            p += other ? (unsigned)__builtin_ctzll(other) / 8 : 8;
            continue;
        }
        p++;
    }
    return p;
}

static inline uint64_t string_head(size_t n)
{
    return head(V_STRING, (uint32_t)n);
}

/* A string with backslash escapes from its first byte: the text unescaped into the arena, in Java's
 * decoding when it holds non-ASCII bytes. *pp after the closing quote, or NULL for an escape outside the
 * common set or no closing quote. */
static words escaped_string(sparser *s, const uint8_t *start, const uint8_t **pp)
{
    *pp = NULL;
    const uint8_t *q = start, *end = s->end;
    while (q < end && *q != '"') {
        if (*q == '\\' && end - q < 2)
            return (words){0, 0};
        q += *q == '\\' ? 2 : 1;
    }
    if (q >= end)
        return (words){0, 0};
    /* the unescaped text is never longer than the quoted one, nor empty (an escape gives a character) */
    char *buf = arena_alloc(s->a, (size_t)(q - start));
    size_t len = 0;
    uint8_t acc = 0;
    for (const uint8_t *r = start; r < q; r++) {
        uint8_t c = *r;
        if (c == '\\') {
            switch (*++r) {
            case '"':
            case '\\':
            case '/':
                c = *r;
                break;
            case 'b':
                c = '\b';
                break;
            case 'f':
                c = '\f';
                break;
            case 'n':
                c = '\n';
                break;
            case 'r':
                c = '\r';
                break;
            case 't':
                c = '\t';
                break;
            default:
                return (words){0, 0};
            }
        }
        acc |= c;
        buf[len++] = (char)c;
    }
    slice text = slice_make(buf, len);
    if (acc & 0x80) { /* Java's decoding of the bytes, as the permissive reader does */
        jutil_buf out;
        jutil_buf_init(&out, s->a, len + 16);
        jutil_java_decode(&out, (const uint8_t *)buf, len);
        text = jutil_buf_slice(&out);
    }
    *pp = q + 1;
    return (words){string_head(text.len), ptr_word(text.ptr)};
}

/* The rest of a string whose scan stopped at q, on a backslash or a non-ASCII byte (or at the end). */
static __attribute__((noinline)) words string_slow(sparser *s, const uint8_t *start, const uint8_t *q,
                                                   const uint8_t **pp)
{
    const uint8_t *end = s->end;
    *pp = NULL;
    if (q == end)
        return (words){0, 0};
    if (*q != '\\') { /* non-ASCII: on to the closing quote, unless an escape comes first */
        while (end - q >= 8) {
            uint64_t w = swar_load(q);
            uint64_t hit = swar_byte_mask(w, '"') | swar_byte_mask(w, '\\');
            if (hit != 0) {
                q += swar_first(hit);
                break;
            }
            q += 8;
        }
        while (q < end && *q != '"' && *q != '\\')
            q++;
        if (q == end)
            return (words){0, 0};
        if (*q == '"') { /* Java's decoding of the bytes, as the permissive reader does */
            size_t n = (size_t)(q - start);
            jutil_buf out;
            jutil_buf_init(&out, s->a, n + 16);
            jutil_java_decode(&out, start, n);
            slice text = jutil_buf_slice(&out);
            *pp = q + 1;
            return (words){string_head(text.len), ptr_word(text.ptr)};
        }
    }
    return escaped_string(s, start, pp);
}

/* Sixteen bytes as a vector of GCC and clang's (SSE2 on x86-64, NEON on arm64, words elsewhere). */
typedef uint8_t bytes16 __attribute__((vector_size(16)));

/* Does the text hold neither a backslash nor a byte >= 0x80? Then every string in it ends at its next quote,
 * and the string scanner looks for nothing else: a pass over the whole text sixteen bytes at a time costs less
 * than those two tests in every word of every string. Stops at the first kilobyte with such a byte. */
static bool plain_text(const uint8_t *p, size_t n)
{
    const bytes16 backslash = {'\\', '\\', '\\', '\\', '\\', '\\', '\\', '\\',
                               '\\', '\\', '\\', '\\', '\\', '\\', '\\', '\\'};
    size_t i = 0;
    while (n - i >= 64) {
        /* four accumulators, so that the loop does not wait on one */
        bytes16 a0 = {0}, a1 = {0}, a2 = {0}, a3 = {0};
        size_t stop = i + ((n - i) / 64 < 16 ? (n - i) / 64 : 16) * 64;
        for (; i < stop; i += 64) {
            bytes16 x0, x1, x2, x3;
            memcpy(&x0, p + i, 16);
            memcpy(&x1, p + i + 16, 16);
            memcpy(&x2, p + i + 32, 16);
            memcpy(&x3, p + i + 48, 16);
            /* a backslash becomes 0xff: its high bit set, as a non-ASCII byte's is */
            a0 |= x0 | (bytes16)(x0 == backslash);
            a1 |= x1 | (bytes16)(x1 == backslash);
            a2 |= x2 | (bytes16)(x2 == backslash);
            a3 |= x3 | (bytes16)(x3 == backslash);
        }
        bytes16 acc = a0 | a1 | a2 | a3;
        uint64_t lo, hi;
        memcpy(&lo, &acc, 8);
        memcpy(&hi, (const char *)&acc + 8, 8);
        if (((lo | hi) & SWAR_HIGHS) != 0)
            return false;
        if (i < n && n - i < 64 && n >= 128)
            i = n - 64; /* the tail as one more block, overlapping bytes already seen, not byte by byte */
    }
    /* The rest (all of a small body, which most requests carry) sixteen bytes at a time, the last sixteen
     * overlapping bytes already seen: a byte loop here cost more than the rest of reading a small document. */
    if (n >= 16) {
        bytes16 acc = {0}, x;
        for (; n - i > 16; i += 16) {
            memcpy(&x, p + i, 16);
            acc |= x | (bytes16)(x == backslash);
        }
        memcpy(&x, p + n - 16, 16);
        acc |= x | (bytes16)(x == backslash);
        uint64_t lo, hi;
        memcpy(&lo, &acc, 8);
        memcpy(&hi, (const char *)&acc + 8, 8);
        return ((lo | hi) & SWAR_HIGHS) == 0;
    }
    for (; i < n; i++)
        if (p[i] >= 0x80 || p[i] == '\\')
            return false;
    return true;
}

/* A string, *pp on its opening quote; *pp then after the closing quote, or NULL. Strings without escapes
 * or non-ASCII bytes point into the text. `plain`: the text has no backslash or non-ASCII byte. */
static inline __attribute__((always_inline)) words read_string(sparser *s, const uint8_t *end, bool plain,
                                                               const uint8_t **pp)
{
    const uint8_t *start = *pp + 1, *q = start;
    if (plain) {
#if defined(__SSE2__)
        /* sixteen bytes a step where the machine has them: most keys and values end within the first */
        const __m128i quotes = _mm_set1_epi8('"');
        while (end - q >= 16) {
            unsigned quote = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)q), quotes));
            if (quote != 0) {
                q += __builtin_ctz(quote);
                goto closed;
            }
            q += 16;
        }
        if (s->tail16 != NULL) {
            /* the text's last sixteen bytes, those before q shifted out: no byte loop for a string near the end */
            unsigned quote =
                (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)s->tail16), quotes)) >>
                (q - s->tail16);
            if (quote != 0) {
                q += __builtin_ctz(quote);
                goto closed;
            }
            q = end;
            goto slow;
        }
#endif
        while (end - q >= 8) {
            uint64_t quote = swar_byte_mask(swar_load(q), '"');
            if (quote != 0) {
                q += swar_first(quote);
                goto closed;
            }
            q += 8;
        }
        while (q < end && *q != '"')
            q++;
        if (q == end)
            goto slow;
        goto closed;
    }
#if defined(__SSE2__)
    {
        const __m128i quotes = _mm_set1_epi8('"'), backslashes = _mm_set1_epi8('\\');
        while (end - q >= 16) {
            __m128i x = _mm_loadu_si128((const __m128i *)q);
            unsigned quote = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(x, quotes));
            /* a byte's high bit is its own mark for non-ASCII */
            unsigned hit = quote | (unsigned)_mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(x, backslashes), x));
            if (hit != 0) {
                q += __builtin_ctz(hit);
                if (__builtin_expect((hit & -hit & quote) == 0, 0))
                    goto slow;
                goto closed;
            }
            q += 16;
        }
    }
#endif
    while (end - q >= 8) {
        uint64_t w = swar_load(q);
        /* the high-bit test is exact everywhere and the byte masks up to their first match, so the lowest
         * mark of the three together is the first stop; whether it is the quote, the masks tell without
         * reading the byte again */
        uint64_t quote = swar_byte_mask(w, '"'), hit = quote | swar_byte_mask(w, '\\') | (w & SWAR_HIGHS);
        if (hit != 0) {
            q += swar_first(hit);
            if (__builtin_expect((hit & -hit & quote) == 0, 0))
                goto slow;
            goto closed;
        }
        q += 8;
    }
    while (q < end && *q != '"' && *q != '\\' && *q < 0x80)
        q++;
    if (q == end || *q != '"')
        goto slow;
closed:;
    size_t n = (size_t)(q - start);
    *pp = q + 1;
    return (words){string_head(n), ptr_word(start)}; /* an empty one too: a pointer into the text, never NULL */
slow:;
    const uint8_t *after; /* not pp itself: the reader's position stays in a register */
    words v = string_slow(s, start, q, &after);
    *pp = after;
    return v;
}

/* Powers of ten a double holds exactly. */
static const double POW10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
                               1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

static const uint64_t POW10_INT[] = {1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000};

/* The run of decimal digits at p (maybe none) appended to *m, wrapping past 19 digits; the position after it.
 * Eight bytes at a time: a number's digits then cost one branch per eight, not a mispredicted one at the end of
 * every number of a length unlike the last. Needs no bound where a word does not fit: the text's last byte
 * is a bracket. */
static inline __attribute__((always_inline)) const uint8_t *read_digits(const uint8_t *p, const uint8_t *end,
                                                                        uint64_t *m)
{
    while (end - p >= 8) {
        uint64_t w = swar_load(p), low = w & 0x0f0f0f0f0f0f0f0full;
        /* non-zero in each byte that is not '0'..'9' (high nibble 3, low one at most 9); no carries between
         * bytes */
        uint64_t other = ((w & 0xf0f0f0f0f0f0f0f0ull) ^ 0x3030303030303030ull) |
                         ((low + 0x0606060606060606ull) & 0xf0f0f0f0f0f0f0f0ull);
        unsigned n = other ? swar_first(other) : 8;
        if (n == 0)
            return p;
        /* the n digits moved to the top bytes, behind zeros; then pairs, then the two halves of four: the first
         * digit, in the low byte, is the most significant */
        uint64_t v = low << (8 * (8 - n));
        v = v * 10 + (v >> 8);
        v = ((v & 0x000000ff000000ffull) * (100 + (1000000ull << 32)) +
             ((v >> 16) & 0x000000ff000000ffull) * (1 + (10000ull << 32))) >>
            32;
        *m = *m * POW10_INT[n] + v;
        p += n;
        if (n < 8)
            return p;
    }
    for (unsigned d; (d = (unsigned)*p - '0') <= 9; p++)
        *m = *m * 10 + d;
    return p;
}

/* The fraction and exponent of a number whose integer digits (nint of them, value m, text from `start`) end at
 * p. Exact, as strtod is, without strtod when the digits fit a double's mantissa and the power of ten is exact:
 * one correctly rounded multiplication or division then gives the nearest double (Clinger's fast path). */
static words read_real(const uint8_t *start, const uint8_t *p, const uint8_t *end, uint64_t m, size_t ndigits, bool neg,
                       const uint8_t **pp)
{
    *pp = NULL;
    int64_t exp10 = 0;
    if (*p == '.') {
        const uint8_t *frac = ++p;
        if ((unsigned)*p - '0' > 9)
            return (words){0, 0};
        p = read_digits(p, end, &m); /* wraps past 19 digits: then unused */
        ndigits += (size_t)(p - frac);
        exp10 = -(int64_t)(p - frac);
    }
    if ((*p | 0x20) == 'e') {
        p++;
        bool eneg = false;
        if (*p == '-') {
            eneg = true;
            p++;
        } else if (*p == '+') {
            p++;
        }
        unsigned d = (unsigned)*p - '0';
        if (d > 9)
            return (words){0, 0};
        int64_t e = 0;
        do {
            if (e < 1000000)
                e = e * 10 + d;
            d = (unsigned)*++p - '0';
        } while (d <= 9);
        exp10 += eneg ? -e : e;
    }
    payload_word x = {.w = 0};
#if FLT_EVAL_METHOD == 0 /* each operation rounded to double, as the fast path needs */
    if (ndigits <= 19 && m <= (1ull << 53) && exp10 >= -22 && exp10 <= 22) {
        double v = (double)m;
        v = exp10 < 0 ? v / POW10[-exp10] : v * POW10[exp10];
        x.d = neg ? -v : v;
        *pp = p;
        return (words){head(V_DOUBLE, 0), x.w};
    }
#endif
    char small[64];
    size_t len = (size_t)(p - start);
    if (len >= sizeof small)
        return (words){0, 0};
    memcpy(small, start, len);
    small[len] = '\0';
    double d = strtod(small, NULL);
    if (isinf(d)) /* json-smart's Infinity: the permissive reader's business */
        return (words){0, 0};
    x.d = d;
    *pp = p;
    return (words){head(V_DOUBLE, 0), x.w};
}

/* A number in RFC 8259 form from `start`, *pp on its first digit (after the minus sign of a negative one,
 * which the caller steps over on a branch of its own: a position advanced by an arithmetic test of the byte
 * would wait for the load of that byte); *pp then after it, or NULL. Integers of up to 18
 * digits are converted here, longer ones are left to the permissive reader (json-smart's BigInteger rules).
 * Needs no bound: the text's last byte is a bracket. */
static inline __attribute__((always_inline)) words read_number(const uint8_t *end, const uint8_t *start, bool neg,
                                                               const uint8_t **pp)
{
    const uint8_t *p = *pp, *digits = p;
    uint64_t m = 0;
    unsigned d = (unsigned)*p - '0';
    if (d > 9)
        goto fail;
    if (d == 0) {
        if ((unsigned)*++p - '0' <= 9) /* a leading zero: json-smart's reading of it is not strict JSON's */
            goto fail;
    } else {
        p = read_digits(p, end, &m);
    }
    size_t nint = (size_t)(p - digits);
    if (__builtin_expect(*p == '.' || (*p | 0x20) == 'e', 0)) {
        const uint8_t *after; /* not pp itself: the reader's position stays in a register */
        words v = read_real(start, p, end, m, nint, neg, &after);
        *pp = after;
        return v;
    }
    if (nint > 18)
        goto fail;
    int64_t i = neg ? -(int64_t)m : (int64_t)m;
    *pp = p;
    return (words){head(i >= INT32_MIN && i <= INT32_MAX ? V_INT : V_LONG, 0), (uint64_t)i}; /* as v_integral */
fail:
    *pp = NULL;
    return (words){0, 0};
}

static uint32_t key_hash(const vval *k)
{
    uint32_t h = 2166136261u;
    for (uint32_t i = 0; i < k->len; i++)
        h = (h ^ (uint8_t)k->u.str[i]) * 16777619u;
    return h;
}

static inline bool same_key(const vval *a, const vval *b)
{
    /* keys of one length mostly differ in their first byte: no call for those */
    return a->len == b->len && (a->len == 0 || (a->u.str[0] == b->u.str[0] && memcmp(a->u.str, b->u.str, a->len) == 0));
}

/* Do two of the n keys repeat? Asked only when two have the same length modulo 64. */
static __attribute__((noinline)) bool has_repeated_key(const vval *keys, size_t n)
{
    for (size_t i = 1; i < n; i++)
        for (size_t j = 0; j < i; j++)
            if (same_key(&keys[j], &keys[i]))
                return true;
    return false;
}

static inline __attribute__((always_inline)) vmap *new_map(arena *a, size_t cap)
{
    cap = cap ? cap : 4; /* as vmap_new: room for a template's puts */
    vmap *m = arena_alloc(a, sizeof(*m) + 2 * cap * sizeof(vval));
    m->keys = (vval *)(m + 1);
    m->vals = m->keys + cap;
    m->n = 0;
    m->cap = cap;
    return m;
}

/* A repeated key keeps its first place and takes the last value, as LinkedHashMap.put does. */
static __attribute__((noinline)) vmap *map_with_repeats(arena *a, const vval *kv, size_t pairs)
{
    vmap *m = new_map(a, pairs);
    if (pairs <= FILTER_KEYS) {
        for (size_t i = 0; i < pairs; i++) {
            const vval *key = &kv[2 * i];
            size_t at = 0;
            while (at < m->n && !same_key(&m->keys[at], key))
                at++;
            if (at == m->n)
                copy_value(&m->keys[m->n++], key);
            copy_value(&m->vals[at], key + 1);
        }
        return m;
    }
    size_t nslots = 16;
    while (nslots < pairs * 2)
        nslots *= 2;
    uint32_t *slots = arena_calloc(a, nslots * sizeof(uint32_t)), mask = (uint32_t)nslots - 1;
    for (size_t i = 0; i < pairs; i++) {
        const vval *key = &kv[2 * i];
        uint32_t h = key_hash(key) & mask;
        for (;;) {
            if (slots[h] == 0) {
                slots[h] = (uint32_t)m->n + 1;
                copy_value(&m->keys[m->n], key);
                copy_value(&m->vals[m->n++], key + 1);
                break;
            }
            if (same_key(&m->keys[slots[h] - 1], key)) {
                copy_value(&m->vals[slots[h] - 1], key + 1);
                break;
            }
            h = (h + 1) & mask;
        }
    }
    return m;
}

/* The map of the `pairs` key/value pairs at kv. Small objects are copied first and checked for a repeated
 * key after, and then only when two keys have the same length (modulo 64): a filter built from the words
 * being copied anyway, so that the usual object with keys of different lengths costs no look at its keys'
 * text. */
static vmap *build_map(arena *a, const vval *kv, size_t pairs)
{
    if (pairs > FILTER_KEYS)
        return map_with_repeats(a, kv, pairs);
    vmap *m = new_map(a, pairs);
    vval *keys = m->keys, *vals = m->vals; /* not reloaded after each store, which could alias them */
    uint64_t seen = 0, twice = 0;
    for (size_t i = 0; i < pairs; i++) {
        head_word k;
        uint64_t hi;
        memcpy(&k.w, &kv[2 * i], 8);
        memcpy(&hi, (const char *)&kv[2 * i] + 8, 8);
        put(&keys[i], (words){k.w, hi});
        uint64_t bit = 1ull << (k.f.len & 63);
        twice |= seen & bit;
        seen |= bit;
        copy_value(&vals[i], &kv[2 * i + 1]);
    }
    m->n = pairs;
    if (__builtin_expect(twice != 0, 0) && has_repeated_key(m->keys, pairs))
        return map_with_repeats(a, kv, pairs); /* the copy is left unused */
    return m;
}

static inline vmap *single_map(arena *a, words k, words v)
{
    vmap *m = new_map(a, 1);
    put(&m->keys[0], k);
    put(&m->vals[0], v);
    m->n = 1;
    return m;
}

static vlist *build_list(arena *a, const vval *items, size_t n)
{
    size_t cap = n ? n : 4; /* as vlist_new */
    vlist *l = arena_alloc(a, sizeof(*l) + cap * sizeof(vval));
    l->items = (vval *)(l + 1);
    l->n = n;
    l->cap = cap;
    l->json = true;
    for (size_t i = 0; i < n; i++)
        copy_value(&l->items[i], &items[i]);
    return l;
}

/* A DynamoDB typed string or number, {"S": "..."} or {"N":"..."}, at *pp (on its opening brace) and not ending
 * on the text's last byte: true with *out its map and *pp after the closing brace. The type name is one letter,
 * so `{"S":` is matched as one word, the letter an ASCII byte other than a quote or backslash (a string of its
 * own). False for anything else, with nothing read (any value string that needed the arena is read again):
 * objects with longer names are left to the general way, for which reading the name here would be wasted. */
static inline __attribute__((always_inline)) bool
typed_string(sparser *s, arena *a, const uint8_t *end, const uint8_t *last, bool plain, const uint8_t **pp, words *out)
{
    const uint8_t *p = *pp;
    if (end - p < 8)
        return false;
    uint64_t w = swar_load(p);
    uint8_t letter = (uint8_t)(w >> 16);
    /* in a plain text no byte is a backslash or non-ASCII */
    if (letter == '"' || (!plain && (letter == '\\' || letter >= 0x80)))
        return false;
    words k = {string_head(1), ptr_word(p + 2)};
    /* `{"S": "`, the spacing of DynamoDB and of Python's json.dumps, as one word; `{"S":"` after it */
    if ((w & 0x00ffffffff00ffffull) == 0x0022203a2200227bull)
        p += 6;
    else if ((w & 0xffffff00ffffull) == 0x223a2200227bull)
        p += 5;
    else
        return false;
    words v = read_string(s, end, plain, &p);
    /* a closing brace on the last byte would end the document inside its outer container: not strict JSON */
    if (p == NULL || *p != '}' || p == last)
        return false;
    *pp = p + 1;
    *out = (words){head(V_MAP, 0), ptr_word(single_map(a, k, v))};
    return true;
}

/* The document from its first bracket p to its last, `last`. The loop keeps the innermost open container in
 * registers (where its values start on the stack, whether it is an object) and the outer ones in `frames`. */
static bool parse(sparser *s, const uint8_t *p, const uint8_t *last, vval *out)
{
    const uint8_t *end = s->end;
    const bool plain = plain_text(p, (size_t)(end - p));
    /* copies of the parser's fields: stores of values could alias them, and would reload them */
    vval *stack = s->stack, *top = stack, *limit = s->limit;
    arena *a = s->a;
    uint32_t frames[STRICT_MAX_DEPTH]; /* an outer container: its stack base, and bit 31 for an object */
    int depth = 0;
    size_t base = 0;
    bool in_obj = false;
    words v;

#define PUSH()                                                                                                         \
    do {                                                                                                               \
        if (__builtin_expect(top == limit, 0)) {                                                                       \
            if ((top = grow(s, top)) == NULL)                                                                          \
                return false;                                                                                          \
            stack = s->stack;                                                                                          \
            limit = s->limit;                                                                                          \
        }                                                                                                              \
        put(top++, v);                                                                                                 \
    } while (0)

/* White space where it may be: most often none, or one space after a separator. A byte below ' ' that is not
 * white space stops skip_ws, and the test that follows refuses it. */
#define SKIP_WS()                                                                                                      \
    do {                                                                                                               \
        if (__builtin_expect(*p <= ' ', 0))                                                                            \
            p = skip_ws(p, end);                                                                                       \
    } while (0)
#define SKIP_SPACE()                                                                                                   \
    do {                                                                                                               \
        if (*p == ' ') /* a branch: an addition would make the position wait for the byte */                           \
            p++;                                                                                                       \
        SKIP_WS();                                                                                                     \
    } while (0)
/* the usual separators, ":" and ": ", without a loop */
#define SEPARATOR()                                                                                                    \
    do {                                                                                                               \
        if (*p != ':') {                                                                                               \
            SKIP_WS();                                                                                                 \
            if (*p != ':')                                                                                             \
                return false;                                                                                          \
        }                                                                                                              \
        p++;                                                                                                           \
        SKIP_SPACE();                                                                                                  \
    } while (0)

    if (*p == '[')
        goto open_array;
open_object:
    if (depth == STRICT_MAX_DEPTH)
        return false;
    frames[depth++] = (uint32_t)base | (uint32_t)in_obj << 31;
    base = (size_t)(top - stack);
    in_obj = true;
    p++;
    SKIP_WS();
    if (*p == '}')
        goto close_object;
    if (*p != '"')
        return false;
    if (v = read_string(s, end, plain, &p), p == NULL)
        return false;
    SEPARATOR();
    if (*p == '"') {
        /* One string in an object of its own, as in DynamoDB's typed values ({"S": "..."}): when it is alone,
         * the map is built from registers, without the value stack. */
        words k = v;
        if (v = read_string(s, end, plain, &p), p == NULL)
            return false;
        SKIP_WS();
        if (*p == '}') {
            if (p == last && depth != 1) /* see close_object */
                return false;
            p++;
            v = (words){head(V_MAP, 0), ptr_word(single_map(a, k, v))};
            goto closed;
        }
        words x = v;
        v = k;
        PUSH();
        v = x;
        goto have_value;
    }
    PUSH();
    goto value;
key:
    if (*p != '"')
        return false;
    if (v = read_string(s, end, plain, &p), p == NULL)
        return false;
    PUSH();
    if (p[0] == ':' && p[1] == ' ' && p[2] == '{' && depth < STRICT_MAX_DEPTH) {
        /* `": {`, before a typed value mostly: straight to it, without the separator's and the value's tests */
        const uint8_t *after = p + 2;
        if (typed_string(s, a, end, last, plain, &after, &v)) {
            p = after;
            goto have_value;
        }
    }
    if (p[0] == ':' && p[1] == '"') { /* `":"`, compact JSON's: straight to the string */
        p++;
        if (v = read_string(s, end, plain, &p), p == NULL)
            return false;
        goto have_value;
    }
    SEPARATOR();
    goto value;
open_array:
    if (depth == STRICT_MAX_DEPTH)
        return false;
    frames[depth++] = (uint32_t)base | (uint32_t)in_obj << 31;
    base = (size_t)(top - stack);
    in_obj = false;
    p++;
    SKIP_WS();
    if (*p == ']')
        goto close_array;
value:
    if (*p == '"') { /* the most common value by far: ahead of the switch's indirect jump */
        if (v = read_string(s, end, plain, &p), p == NULL)
            return false;
        goto have_value;
    }
    if (*p == '{' && depth < STRICT_MAX_DEPTH) {
        /* DynamoDB's typed values ({"S": "..."}), nearly every value of a Query result, read without opening a
         * frame; any other object (or one of these written another way) is opened below */
        const uint8_t *after = p;
        if (typed_string(s, a, end, last, plain, &after, &v)) {
            p = after;
            goto have_value;
        }
    }
    switch (*p) {
    case '{':
        goto open_object;
    case '[':
        goto open_array;
    /* letter by letter: the last byte being a bracket stops a mismatch before the end */
    case 't':
        if (p[1] != 'r' || p[2] != 'u' || p[3] != 'e')
            return false;
        p += 4;
        v = (words){head(V_BOOL, 0), bool_word(true)};
        break;
    case 'f':
        if (p[1] != 'a' || p[2] != 'l' || p[3] != 's' || p[4] != 'e')
            return false;
        p += 5;
        v = (words){head(V_BOOL, 0), bool_word(false)};
        break;
    case 'n':
        if (p[1] != 'u' || p[2] != 'l' || p[3] != 'l')
            return false;
        p += 4;
        v = (words){head(V_NULL, 0), 0};
        break;
    case '-':
        p++;
        if (v = read_number(end, p - 1, true, &p), p == NULL)
            return false;
        break;
    default:
        if (v = read_number(end, p, false, &p), p == NULL)
            return false;
    }
have_value:
    PUSH();
after_element:
    if (*p == ',') { /* mostly straight after the element: no test for white space first */
        p++;
        SKIP_SPACE();
        if (in_obj)
            goto key;
        goto value;
    }
    SKIP_WS();
    if (*p == ',') {
        p++;
        SKIP_SPACE();
        if (in_obj)
            goto key;
        goto value;
    }
    if (*p == '}' && in_obj)
        goto close_object;
    if (*p == ']' && !in_obj)
        goto close_array;
    return false;

close_object:
    /* Only the outermost container may end on the last bracket: reading on after it would pass the end. (That
     * it does end there is checked when it has.) */
    if (p == last && depth != 1)
        return false;
    p++;
    v = (words){head(V_MAP, 0), ptr_word(build_map(a, stack + base, (size_t)(top - stack - base) / 2))};
    goto closed;
close_array:
    if (p == last && depth != 1)
        return false;
    p++;
    v = (words){head(V_LIST, 0), ptr_word(build_list(a, stack + base, (size_t)(top - stack - base)))};
closed:
    top = stack + base;
    depth--;
    base = frames[depth] & 0x7fffffffu;
    in_obj = frames[depth] >> 31;
    if (depth > 0) {
        PUSH();
        goto after_element;
    }
    if (p != last + 1) /* text after the document: not strict JSON */
        return false;
    put(out, v);
    return true;
#undef PUSH
#undef SKIP_WS
#undef SKIP_SPACE
#undef SEPARATOR
}

bool v_parse_json_strict(arena *a, slice text, vval *out)
{
    /* stack positions fit 31 bits; documents of a gigabyte are not request bodies anyway */
    if (text.len == 0 || text.len > (1u << 30))
        return false;
    const uint8_t *p = (const uint8_t *)text.ptr, *end = p + text.len, *last = end - 1;
    /* only containers: a scalar at the top is read by json-smart up to the end of the text, by its own rules;
     * and the closing bracket at the end is what lets the scans run without bounds */
    while (last > p && is_ws(*last))
        last--;
    if (*last != '}' && *last != ']')
        return false;
    if (is_ws(*p)) /* a document starts on its bracket, mostly: no call for that */
        p = skip_ws(p, end);
    if (*p != '{' && *p != '[')
        return false;
    sparser s; /* not zeroed: the value stack is written before it is read */
    s.end = end;
    s.tail16 = text.len >= 16 ? end - 16 : NULL;
    s.a = a;
    s.stack = s.local;
    s.limit = s.local + sizeof s.local / sizeof s.local[0];
    bool ok = parse(&s, p, last, out);
    if (s.stack != s.local)
        free(s.stack);
    return ok;
}
