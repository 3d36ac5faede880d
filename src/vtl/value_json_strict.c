/* value_json_strict: the fast route of v_parse_json for the documents nearly every request carries, plain
 * strict JSON: an object or array with double-quoted strings (escapes limited to \" \\ \/ \b \f \n \r \t),
 * numbers in RFC 8259 form, true/false/null and the four whitespace characters. For those the permissive
 * json-smart reader (json_reader.h) gives a result this route reproduces exactly; anything else (json-smart's
 * oddities, \u escapes, big integers, invalid JSON, deep nesting) makes this route give up so that the
 * permissive reader decides, errors included. It never reports errors itself.
 *
 * Why it is faster: no per-character bounds checks and stop sets, strings scanned eight bytes at a time,
 * integers converted in the scanning loop, and every list and map allocated once at its exact size from a
 * stack of pending values. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/swar.h"
#include "vtl/jutil_internal.h"
#include "vtl/value.h"

/* Far below json-smart's limit of 1000 (which counts scalars too): deeper documents take the permissive
 * route, which reports the limit. */
#define STRICT_MAX_DEPTH 500
/* Objects up to this many keys look for a repeated key by scanning; larger ones through a hash index. */
#define SCAN_KEYS 8

/* Values travel in registers (vval is 16 bytes): a value stored field by field and loaded whole right after
 * stalls the pipeline. Failure is a value of its own kind. */
#define FAILED ((vval){.kind = 0xff})
static inline bool failed(vval v)
{
    return v.kind == 0xff;
}

typedef struct sparser {
    const uint8_t *p, *end;
    arena *a;
    vval *stack; /* values (and keys) of the containers being read, innermost last */
    size_t n, cap;
    vval local[256];
    int depth;
} sparser;

static __attribute__((noinline)) bool grow(sparser *s)
{
    size_t cap = s->cap * 2;
    vval *grown = s->stack == s->local ? malloc(cap * sizeof(vval)) : realloc(s->stack, cap * sizeof(vval));
    if (grown == NULL)
        return false;
    if (s->stack == s->local)
        memcpy(grown, s->local, s->n * sizeof(vval));
    s->stack = grown;
    s->cap = cap;
    return true;
}

static inline __attribute__((always_inline)) bool push(sparser *s, vval v)
{
    if (s->n == s->cap && !grow(s))
        return false;
    s->stack[s->n++] = v;
    return true;
}

static inline void skip_ws(sparser *s)
{
    while (s->p < s->end && (*s->p == ' ' || *s->p == '\n' || *s->p == '\r' || *s->p == '\t'))
        s->p++;
}

static __attribute__((noinline)) vval decoded_string(sparser *s, const uint8_t *b, size_t n)
{
    jutil_buf out;
    jutil_buf_init(&out, s->a, n + 16);
    jutil_java_decode(&out, b, n);
    return v_str(jutil_buf_slice(&out));
}

static inline __attribute__((always_inline)) vval string_value(sparser *s, const uint8_t *b, size_t n, bool high,
                                                               bool in_doc)
{
    if (n == 0)
        return v_str(SLICE_LIT(""));
    if (high) /* Java's decoding of the bytes, as the permissive reader does */
        return decoded_string(s, b, n);
    if (in_doc)
        return v_str(slice_make((const char *)b, n));
    return v_str(arena_slice_dup(s->a, slice_make((const char *)b, n)));
}

/* A string with backslash escapes, the opening quote behind; false for an escape outside the common set. */
static vval escaped_string(sparser *s)
{
    /* the unescaped text is never longer than the quoted one */
    const uint8_t *q = s->p;
    while (q < s->end && *q != '"')
        q += *q == '\\' ? 2 : 1;
    if (q >= s->end)
        return FAILED;
    char *buf = arena_alloc(s->a, (size_t)(q - s->p));
    size_t len = 0;
    uint8_t acc = 0;
    for (const uint8_t *r = s->p; r < q; r++) {
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
                return FAILED;
            }
        }
        acc |= c;
        buf[len++] = (char)c;
    }
    s->p = q + 1;
    return string_value(s, (const uint8_t *)buf, len, (acc & 0x80) != 0, true);
}

/* After an element of an array or object: 1 when a comma (and white space) follows, 0 when `close` ends
 * the container (consumed), -1 otherwise. */
static inline int after_element(sparser *s, uint8_t close)
{
    skip_ws(s);
    if (s->p == s->end)
        return -1;
    if (*s->p == close) {
        s->p++;
        return 0;
    }
    if (*s->p != ',')
        return -1;
    s->p++;
    skip_ws(s);
    return 1;
}

/* A string, standing on its opening quote. */
static inline vval read_string(sparser *s)
{
    const uint8_t *start = ++s->p, *q = start;
    uint64_t high = 0;
    for (;;) {
        if (s->end - q >= 8) {
            uint64_t w = swar_load(q);
            uint64_t hit = swar_byte_mask(w, '"') | swar_byte_mask(w, '\\');
            if (hit == 0) {
                high |= w;
                q += 8;
                continue;
            }
            size_t k = (size_t)__builtin_ctzll(hit) / 8; /* bytes before the quote or backslash */
            high |= k ? w & (~0ULL >> (64 - 8 * k)) : 0;
            q += k;
        } else {
            while (q < s->end && *q != '"' && *q != '\\')
                high |= *q++;
            if (q == s->end)
                return FAILED;
        }
        break;
    }
    if (*q == '\\')
        return escaped_string(s);
    s->p = q + 1;
    return string_value(s, start, (size_t)(q - start), swar_has_high(high), true);
}

static inline bool is_digit(uint8_t c)
{
    return c >= '0' && c <= '9';
}

/* A number in RFC 8259 form; integers of up to 18 digits are converted here, others with a fraction or an
 * exponent by strtod as the permissive reader does, longer integers are left to it (json-smart's BigInteger
 * rules). */
static vval read_number(sparser *s)
{
    const uint8_t *start = s->p, *q = s->p;
    bool neg = *q == '-';
    if (neg)
        q++;
    if (q == s->end || !is_digit(*q))
        return FAILED;
    const uint8_t *digits = q;
    uint64_t v = 0;
    if (*q == '0')
        q++;
    else
        while (q < s->end && is_digit(*q))
            v = v * 10 + (uint64_t)(*q++ - '0');
    if (q < s->end && is_digit(*q)) /* a leading zero: json-smart's reading of it is not strict JSON's */
        return FAILED;
    bool real = false;
    if (q < s->end && *q == '.') {
        real = true;
        if (++q == s->end || !is_digit(*q))
            return FAILED;
        while (q < s->end && is_digit(*q))
            q++;
    }
    if (q < s->end && (*q == 'e' || *q == 'E')) {
        real = true;
        q++;
        if (q < s->end && (*q == '+' || *q == '-'))
            q++;
        if (q == s->end || !is_digit(*q))
            return FAILED;
        while (q < s->end && is_digit(*q))
            q++;
    }
    s->p = q;
    if (!real) {
        if (q - digits > 18)
            return FAILED;
        return v_integral(neg ? -(int64_t)v : (int64_t)v);
    }
    char small[64];
    size_t len = (size_t)(q - start);
    if (len >= sizeof small)
        return FAILED;
    memcpy(small, start, len);
    small[len] = '\0';
    double d = strtod(small, NULL);
    if (isinf(d)) /* json-smart's Infinity: the permissive reader's business */
        return FAILED;
    return v_double(d);
}

static inline bool word(sparser *s, const char *w, size_t n)
{
    if ((size_t)(s->end - s->p) < n || memcmp(s->p, w, n) != 0)
        return false;
    s->p += n;
    return true;
}

static vval read_value(sparser *s);

static vval read_array(sparser *s)
{
    size_t base = s->n;
    s->p++;
    skip_ws(s);
    if (s->p < s->end && *s->p == ']') {
        s->p++;
    } else {
        for (;;) {
            vval v = read_value(s);
            if (failed(v) || !push(s, v))
                return FAILED;
            int more = after_element(s, ']');
            if (more < 0)
                return FAILED;
            if (more == 0)
                break;
        }
    }
    size_t n = s->n - base;
    vlist *l = vlist_new(s->a, n, true);
    memcpy(l->items, s->stack + base, n * sizeof(vval));
    l->n = n;
    s->n = base;
    return (vval){.kind = V_LIST, .u.l = l};
}

/* Copies a value just pushed as two 8-byte words as two 8-byte words: a 16-byte load of it would wait for
 * both stores to retire instead of taking their data directly. */
static inline __attribute__((always_inline)) void copy_value(vval *dst, const vval *src)
{
    uint64_t lo, hi;
    memcpy(&lo, src, 8);
    memcpy(&hi, (const char *)src + 8, 8);
    __asm__("" : "+r"(lo), "+r"(hi));
    memcpy(dst, &lo, 8);
    memcpy((char *)dst + 8, &hi, 8);
}

static uint32_t key_hash(vval k)
{
    uint32_t h = 2166136261u;
    for (uint32_t i = 0; i < k.len; i++)
        h = (h ^ (uint8_t)k.u.str[i]) * 16777619u;
    return h;
}

/* The map of the n key/value pairs at the top of the stack: a repeated key keeps its first place and takes
 * the last value, as LinkedHashMap.put does. */
static vval build_map(sparser *s, size_t base)
{
    size_t pairs = (s->n - base) / 2;
    vmap *m = vmap_new(s->a, pairs);
    const vval *kv = s->stack + base;
    if (pairs <= SCAN_KEYS) {
        for (size_t i = 0; i < pairs; i++) {
            const vval *key = &kv[2 * i];
            size_t at = 0;
            while (at < m->n && !(m->keys[at].len == key->len && memcmp(m->keys[at].u.str, key->u.str, key->len) == 0))
                at++;
            if (at == m->n)
                copy_value(&m->keys[m->n++], key);
            copy_value(&m->vals[at], key + 1);
        }
        return (vval){.kind = V_MAP, .u.m = m};
    }
    size_t nslots = 16;
    while (nslots < pairs * 2)
        nslots *= 2;
    uint32_t *slots = arena_calloc(s->a, nslots * sizeof(uint32_t)), mask = (uint32_t)nslots - 1;
    for (size_t i = 0; i < pairs; i++) {
        vval key = kv[2 * i];
        uint32_t h = key_hash(key) & mask;
        for (;;) {
            if (slots[h] == 0) {
                slots[h] = (uint32_t)m->n + 1;
                m->keys[m->n] = key;
                m->vals[m->n++] = kv[2 * i + 1];
                break;
            }
            vval old = m->keys[slots[h] - 1];
            if (old.len == key.len && memcmp(old.u.str, key.u.str, key.len) == 0) {
                m->vals[slots[h] - 1] = kv[2 * i + 1];
                break;
            }
            h = (h + 1) & mask;
        }
    }
    return (vval){.kind = V_MAP, .u.m = m};
}

static vval read_object(sparser *s)
{
    size_t base = s->n;
    s->p++;
    skip_ws(s);
    if (s->p < s->end && *s->p == '}') {
        s->p++;
    } else {
        for (;;) {
            if (s->p == s->end || *s->p != '"')
                return FAILED;
            vval k = read_string(s);
            if (failed(k))
                return FAILED;
            skip_ws(s);
            if (s->p == s->end || *s->p != ':')
                return FAILED;
            s->p++;
            skip_ws(s);
            vval v = read_value(s);
            if (failed(v) || !push(s, k) || !push(s, v))
                return FAILED;
            int more = after_element(s, '}');
            if (more < 0)
                return FAILED;
            if (more == 0)
                break;
        }
    }
    vval m = build_map(s, base);
    s->n = base;
    return m;
}

/* A value, standing on its first character (whitespace before it already skipped). */
static vval read_value(sparser *s)
{
    if (s->p == s->end)
        return FAILED;
    switch (*s->p) {
    case '"':
        return read_string(s);
    case '{':
    case '[': {
        if (++s->depth > STRICT_MAX_DEPTH)
            return FAILED;
        vval v = *s->p == '{' ? read_object(s) : read_array(s);
        s->depth--;
        return v;
    }
    case 't':
        return word(s, "true", 4) ? v_bool(true) : FAILED;
    case 'f':
        return word(s, "false", 5) ? v_bool(false) : FAILED;
    case 'n':
        return word(s, "null", 4) ? v_null() : FAILED;
    default:
        return read_number(s);
    }
}

bool v_parse_json_strict(arena *a, slice text, vval *out)
{
    sparser s = {.p = (const uint8_t *)text.ptr, .end = (const uint8_t *)text.ptr + text.len, .a = a};
    s.stack = s.local;
    s.cap = sizeof s.local / sizeof s.local[0];
    skip_ws(&s);
    /* only containers: a scalar at the top is read by json-smart up to the end of the text, by its own rules */
    bool ok = false;
    if (s.p < s.end && (*s.p == '{' || *s.p == '[')) {
        *out = read_value(&s);
        ok = !failed(*out);
    }
    if (ok) { /* json-smart ignores what follows the document; leaving it to the permissive route is simpler */
        skip_ws(&s);
        ok = s.p == s.end;
    }
    if (s.stack != s.local)
        free(s.stack);
    return ok;
}
