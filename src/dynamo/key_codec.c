#include "dynamo/key_codec.h"

#include <string.h>
#include <xxhash.h>

#include "core/decimal.h"
#include "core/json.h"

#define MSG_KEY_MISMATCH "The provided key element does not match the schema"
#define MSG_COND_MISMATCH                                                                                              \
    "One or more parameter values were invalid: Condition parameter type does not match schema type"
#define NUM_MAX_ENC 22
#define EXP_BIAS    130 /* DECIMAL_MIN_EXP .. DECIMAL_MAX_EXP -> 0 .. 255 */

enum { SIGN_NEG = 0x01, SIGN_ZERO = 0x02, SIGN_POS = 0x03 };

static json_t *member(const json_t *obj, slice name)
{
    return json_object_getn(obj, name.ptr, name.len);
}

/* Upper bound of enc(av) for a value of type t; 0 if av is not of type t. */
static size_t enc_cap(attr_type t, const json_t *av)
{
    if (attr_type_of(av) != t)
        return 0;
    json_t *p = attr_payload(av);
    if (!json_is_string(p))
        return 0;
    switch (t) {
    case ATTR_N:
        return NUM_MAX_ENC;
    case ATTR_S:
        return 2 * json_string_length(p) + 2;
    case ATTR_B:
        return 2 * base64_decoded_len(json_string_slice(p)) + 2;
    default:
        return 0;
    }
}

static size_t escape_bytes(uint8_t *out, const uint8_t *in, size_t n)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        out[o++] = in[i];
        if (in[i] == 0x00)
            out[o++] = 0xFF;
    }
    return o;
}

/* Escaped bytes of an S or B value, no terminator. Returns bytes written or (size_t)-1. */
static size_t enc_bytes_body(uint8_t *buf, size_t cap, attr_type t, const json_t *p)
{
    slice s = json_string_slice(p);
    if (t == ATTR_S) {
        if (cap < 2 * s.len)
            return (size_t)-1;
        return escape_bytes(buf, (const uint8_t *)s.ptr, s.len);
    }
    /* B: decode four characters at a time, straight into the escaped form. */
    if (s.len % 4 != 0 || cap < 2 * base64_decoded_len(s))
        return (size_t)-1;
    size_t o = 0;
    for (size_t i = 0; i < s.len; i += 4) {
        uint8_t group[3];
        size_t glen = base64_decoded_len(slice_make(s.ptr + i, 4));
        int v[4] = {0, 0, 0, 0};
        for (int k = 0; k < 4; k++) {
            unsigned char c = (unsigned char)s.ptr[i + k];
            if (c >= 'A' && c <= 'Z')
                v[k] = c - 'A';
            else if (c >= 'a' && c <= 'z')
                v[k] = c - 'a' + 26;
            else if (c >= '0' && c <= '9')
                v[k] = c - '0' + 52;
            else if (c == '+')
                v[k] = 62;
            else if (c == '/')
                v[k] = 63;
            else if (c == '=' && i + 4 == s.len && k >= 2)
                v[k] = 0;
            else
                return (size_t)-1;
        }
        if (i + 4 != s.len)
            glen = 3;
        unsigned x = (unsigned)v[0] << 18 | (unsigned)v[1] << 12 | (unsigned)v[2] << 6 | (unsigned)v[3];
        group[0] = (uint8_t)(x >> 16);
        group[1] = (uint8_t)(x >> 8);
        group[2] = (uint8_t)x;
        o += escape_bytes(buf + o, group, glen);
    }
    return o;
}

static size_t enc_number(uint8_t *buf, const decimal *d)
{
    if (d->ndigits == 0) {
        buf[0] = SIGN_ZERO;
        return 1;
    }
    uint8_t flip = d->negative ? 0xFF : 0x00;
    size_t o = 0;
    buf[o++] = d->negative ? SIGN_NEG : SIGN_POS;
    buf[o++] = (uint8_t)((d->exp + EXP_BIAS) ^ flip);
    for (int i = 0; i < d->ndigits; i += 2) {
        int hi = d->digits[i], lo = i + 1 < d->ndigits ? d->digits[i + 1] : 0;
        buf[o++] = (uint8_t)((hi * 10 + lo + 1) ^ flip);
    }
    buf[o++] = (uint8_t)(0x00 ^ flip);
    return o;
}

size_t keyenc_value(uint8_t *buf, size_t cap, attr_type t, const json_t *av)
{
    size_t need = enc_cap(t, av);
    if (need == 0 || cap < (t == ATTR_N ? NUM_MAX_ENC : need))
        return 0;
    json_t *p = attr_payload(av);
    if (t == ATTR_N) {
        decimal d;
        aws_error e;
        if (decimal_parse(json_string_slice(p), &d, &e) != 0)
            return 0;
        return enc_number(buf, &d);
    }
    size_t n = enc_bytes_body(buf, cap - 2, t, p);
    if (n == (size_t)-1)
        return 0;
    buf[n++] = 0x00;
    buf[n++] = 0x01;
    return n;
}

uint32_t keyenc_hash_prefix(slice encoded_partition_key)
{
    return (uint32_t)(XXH3_64bits(encoded_partition_key.ptr, encoded_partition_key.len) >> 32);
}

static void put_prefix(uint8_t *buf, uint32_t h)
{
    buf[0] = (uint8_t)(h >> 24);
    buf[1] = (uint8_t)(h >> 16);
    buf[2] = (uint8_t)(h >> 8);
    buf[3] = (uint8_t)h;
}

/* prefix || enc(hash) [|| enc(range)] appended at buf; returns length or 0 on a key mismatch. */
static size_t enc_key_at(uint8_t *buf, size_t cap, const key_schema *ks, const json_t *h, const json_t *r)
{
    if (cap < KEYENC_HASH_PREFIX_LEN)
        return 0;
    size_t n = keyenc_value(buf + KEYENC_HASH_PREFIX_LEN, cap - KEYENC_HASH_PREFIX_LEN, ks->hash.type, h);
    if (n == 0)
        return 0;
    put_prefix(buf, keyenc_hash_prefix(slice_make((const char *)buf + KEYENC_HASH_PREFIX_LEN, n)));
    n += KEYENC_HASH_PREFIX_LEN;
    if (key_schema_has_range(ks)) {
        size_t m = keyenc_value(buf + n, cap - n, ks->range.type, r);
        if (m == 0)
            return 0;
        n += m;
    }
    return n;
}

static size_t key_cap(const key_schema *ks, const json_t *item, const json_t **h, const json_t **r)
{
    *h = member(item, ks->hash.name);
    *r = NULL;
    size_t hc = *h != NULL ? enc_cap(ks->hash.type, *h) : 0;
    if (hc == 0)
        return 0;
    size_t rc = 0;
    if (key_schema_has_range(ks)) {
        *r = member(item, ks->range.name);
        rc = *r != NULL ? enc_cap(ks->range.type, *r) : 0;
        if (rc == 0)
            return 0;
    }
    return KEYENC_HASH_PREFIX_LEN + (hc < NUM_MAX_ENC ? NUM_MAX_ENC : hc) + (rc < NUM_MAX_ENC ? NUM_MAX_ENC : rc);
}

int keyenc_table_key(arena *a, const key_schema *ks, const json_t *item, slice *out, aws_error *err)
{
    const json_t *h, *r;
    size_t cap = key_cap(ks, item, &h, &r);
    if (cap == 0)
        return error_validation(err, MSG_KEY_MISMATCH);
    uint8_t *buf = arena_alloc(a, cap);
    size_t n = enc_key_at(buf, cap, ks, h, r);
    if (n == 0)
        return error_validation(err, MSG_KEY_MISMATCH);
    *out = slice_make((const char *)buf, n);
    return 0;
}

int keyenc_index_key(arena *a, const key_schema *index_ks, const key_schema *table_ks, const json_t *item, slice *out,
                     aws_error *err)
{
    const json_t *ih, *ir, *th, *tr;
    size_t icap = key_cap(index_ks, item, &ih, &ir);
    if (icap == 0)
        return 1;
    size_t tcap = key_cap(table_ks, item, &th, &tr);
    if (tcap == 0)
        return error_validation(err, MSG_KEY_MISMATCH);
    uint8_t *buf = arena_alloc(a, icap + tcap);
    size_t n = enc_key_at(buf, icap, index_ks, ih, ir);
    if (n == 0)
        return 1;
    size_t m = enc_key_at(buf + n, tcap, table_ks, th, tr);
    if (m == 0)
        return error_validation(err, MSG_KEY_MISMATCH);
    *out = slice_make((const char *)buf, n + m);
    return 0;
}

/* ---- decoding ---- */

static int corrupt(aws_error *err)
{
    return error_set(err, 500, "InternalServerError", "Internal server error: corrupt key encoding");
}

/* Decodes one enc() value of type t at *pos, advancing it; the value is a new json_t. */
static json_t *dec_value(const uint8_t *p, size_t len, size_t *pos, attr_type t)
{
    size_t i = *pos;
    if (t == ATTR_N) {
        if (i >= len)
            return NULL;
        uint8_t sign = p[i++];
        decimal d;
        decimal_zero(&d);
        if (sign == SIGN_ZERO) {
            *pos = i;
            return attr_new_n_decimal(&d);
        }
        if (sign != SIGN_NEG && sign != SIGN_POS)
            return NULL;
        uint8_t flip = sign == SIGN_NEG ? 0xFF : 0x00;
        if (i >= len)
            return NULL;
        d.negative = sign == SIGN_NEG;
        d.exp = (int16_t)((p[i++] ^ flip) - EXP_BIAS);
        uint8_t digs[DECIMAL_MAX_DIGITS];
        int nd = 0;
        for (;;) {
            if (i >= len)
                return NULL;
            uint8_t b = p[i++] ^ flip;
            if (b == 0)
                break;
            if (b > 100 || nd >= DECIMAL_MAX_DIGITS)
                return NULL;
            digs[nd++] = (uint8_t)((b - 1) / 10);
            digs[nd++] = (uint8_t)((b - 1) % 10);
        }
        while (nd > 0 && digs[nd - 1] == 0)
            nd--;
        if (nd == 0 || digs[0] == 0)
            return NULL;
        memcpy(d.digits, digs, (size_t)nd);
        d.ndigits = (uint8_t)nd;
        *pos = i;
        return attr_new_n_decimal(&d);
    }
    /* S / B: find the terminator, counting the unescaped length. */
    size_t n = 0, j = i;
    for (;;) {
        if (j >= len)
            return NULL;
        if (p[j] == 0x00) {
            if (j + 1 >= len)
                return NULL;
            if (p[j + 1] == 0x01)
                break;
            if (p[j + 1] != 0xFF)
                return NULL;
            j += 2;
        } else {
            j++;
        }
        n++;
    }
    char small[512];
    char *raw = n <= sizeof(small) ? small : malloc(n);
    if (raw == NULL)
        return NULL;
    size_t o = 0;
    for (size_t k = i; k < j;) {
        raw[o++] = (char)p[k];
        k += p[k] == 0x00 ? 2 : 1;
    }
    json_t *v = t == ATTR_S ? attr_new_s(slice_make(raw, n)) : attr_new_b(slice_make(raw, n));
    if (raw != small)
        free(raw);
    *pos = j + 2;
    return v;
}

/* Decodes prefix || enc(hash) [|| enc(range)] at *pos into obj. */
static int dec_key_at(const key_schema *ks, const uint8_t *p, size_t len, size_t *pos, json_t *obj)
{
    if (*pos + KEYENC_HASH_PREFIX_LEN > len)
        return -1;
    size_t start = *pos + KEYENC_HASH_PREFIX_LEN, i = start;
    json_t *h = dec_value(p, len, &i, ks->hash.type);
    if (h == NULL)
        return -1;
    uint8_t expect[KEYENC_HASH_PREFIX_LEN];
    put_prefix(expect, keyenc_hash_prefix(slice_make((const char *)p + start, i - start)));
    if (memcmp(expect, p + *pos, KEYENC_HASH_PREFIX_LEN) != 0) {
        json_decref(h);
        return -1;
    }
    json_object_setn_new(obj, ks->hash.name.ptr, ks->hash.name.len, h);
    if (key_schema_has_range(ks)) {
        json_t *r = dec_value(p, len, &i, ks->range.type);
        if (r == NULL)
            return -1;
        json_object_setn_new(obj, ks->range.name.ptr, ks->range.name.len, r);
    }
    *pos = i;
    return 0;
}

int keyenc_decode_table_key(const key_schema *ks, slice bytes, json_t **key, aws_error *err)
{
    json_t *obj = json_object();
    size_t pos = 0;
    if (dec_key_at(ks, (const uint8_t *)bytes.ptr, bytes.len, &pos, obj) != 0 || pos != bytes.len) {
        json_decref(obj);
        return corrupt(err);
    }
    *key = obj;
    return 0;
}

int keyenc_decode_index_key(const key_schema *index_ks, const key_schema *table_ks, slice bytes, json_t **key,
                            aws_error *err)
{
    json_t *obj = json_object();
    size_t pos = 0;
    const uint8_t *p = (const uint8_t *)bytes.ptr;
    if (dec_key_at(index_ks, p, bytes.len, &pos, obj) != 0 || dec_key_at(table_ks, p, bytes.len, &pos, obj) != 0 ||
        pos != bytes.len) {
        json_decref(obj);
        return corrupt(err);
    }
    *key = obj;
    return 0;
}

/* ---- ranges ---- */

int keyenc_partition_prefix(arena *a, const key_attr *hash, const json_t *value, slice *out, aws_error *err)
{
    size_t cap = enc_cap(hash->type, value);
    if (cap == 0)
        return error_validation(err, MSG_COND_MISMATCH);
    if (cap < NUM_MAX_ENC)
        cap = NUM_MAX_ENC;
    uint8_t *buf = arena_alloc(a, KEYENC_HASH_PREFIX_LEN + cap);
    size_t n = keyenc_value(buf + KEYENC_HASH_PREFIX_LEN, cap, hash->type, value);
    if (n == 0)
        return error_validation(err, MSG_COND_MISMATCH);
    put_prefix(buf, keyenc_hash_prefix(slice_make((const char *)buf + KEYENC_HASH_PREFIX_LEN, n)));
    *out = slice_make((const char *)buf, KEYENC_HASH_PREFIX_LEN + n);
    return 0;
}

bool keyenc_prefix_end(arena *a, slice p, slice *out)
{
    size_t n = p.len;
    while (n > 0 && (uint8_t)p.ptr[n - 1] == 0xFF)
        n--;
    if (n == 0) {
        *out = SLICE_NULL;
        return false;
    }
    char *buf = arena_alloc(a, n);
    memcpy(buf, p.ptr, n);
    buf[n - 1] = (char)((uint8_t)buf[n - 1] + 1);
    *out = slice_make(buf, n);
    return true;
}

static slice end_of(arena *a, slice p)
{
    slice s;
    keyenc_prefix_end(a, p, &s);
    return s;
}

/* P || enc(v) (with terminator) or P || escaped bytes of v (without, for begins_with). */
static int extend(arena *a, slice prefix, attr_type t, const json_t *v, bool terminated, slice *out, aws_error *err)
{
    size_t cap = enc_cap(t, v);
    if (cap == 0)
        return error_validation(err, MSG_COND_MISMATCH);
    if (cap < NUM_MAX_ENC)
        cap = NUM_MAX_ENC;
    uint8_t *buf = arena_alloc(a, prefix.len + cap);
    memcpy(buf, prefix.ptr, prefix.len);
    size_t n;
    if (terminated) {
        n = keyenc_value(buf + prefix.len, cap, t, v);
        if (n == 0)
            return error_validation(err, MSG_COND_MISMATCH);
    } else {
        n = enc_bytes_body(buf + prefix.len, cap, t, attr_payload(v));
        if (n == (size_t)-1)
            return error_validation(err, MSG_COND_MISMATCH);
    }
    *out = slice_make((const char *)buf, prefix.len + n);
    return 0;
}

int keyenc_query_range(arena *a, const key_schema *ks, const json_t *hash_value, keyenc_op op, const json_t *v1,
                       const json_t *v2, keyenc_range *out, aws_error *err)
{
    slice p, x, y;
    if (keyenc_partition_prefix(a, &ks->hash, hash_value, &p, err) != 0)
        return -1;
    if (op != KEYENC_ALL && !key_schema_has_range(ks))
        return error_validation(err, "Query key condition not supported");
    attr_type rt = ks->range.type;
    switch (op) {
    case KEYENC_ALL:
        out->start = p;
        out->end = end_of(a, p);
        return 0;
    case KEYENC_BEGINS_WITH:
        if (rt == ATTR_N)
            return error_validation(err, "Invalid KeyConditionExpression: Incorrect operand type for operator or "
                                         "function; operator or function: begins_with, operand type: N");
        if (extend(a, p, rt, v1, false, &x, err) != 0)
            return -1;
        out->start = x;
        out->end = end_of(a, x);
        return 0;
    default:
        break;
    }
    if (extend(a, p, rt, v1, true, &x, err) != 0)
        return -1;
    switch (op) {
    case KEYENC_EQ:
        out->start = x;
        out->end = end_of(a, x);
        return 0;
    case KEYENC_LT:
        out->start = p;
        out->end = x;
        return 0;
    case KEYENC_LE:
        out->start = p;
        out->end = end_of(a, x);
        return 0;
    case KEYENC_GT:
        out->start = end_of(a, x);
        out->end = end_of(a, p);
        if (out->start.ptr == NULL) { /* nothing can follow x within the partition: empty range */
            out->start = x;
            out->end = x;
        }
        return 0;
    case KEYENC_GE:
        out->start = x;
        out->end = end_of(a, p);
        return 0;
    case KEYENC_BETWEEN:
        if (extend(a, p, rt, v2, true, &y, err) != 0)
            return -1;
        out->start = x;
        out->end = end_of(a, y);
        return 0;
    default:
        return error_validation(err, "Unsupported key condition");
    }
}

void keyenc_segment_range(arena *a, uint32_t segment, uint32_t total, keyenc_range *out)
{
    if (total == 0)
        total = 1;
    if (segment >= total)
        segment = total - 1;
    uint64_t lo = ((uint64_t)segment << 32) / total, hi = ((uint64_t)(segment + 1) << 32) / total;
    uint8_t *s = arena_alloc(a, 8);
    put_prefix(s, (uint32_t)lo);
    out->start = slice_make((const char *)s, KEYENC_HASH_PREFIX_LEN);
    if (segment + 1 == total) {
        out->end = SLICE_NULL;
    } else {
        put_prefix(s + 4, (uint32_t)hi);
        out->end = slice_make((const char *)s + 4, KEYENC_HASH_PREFIX_LEN);
    }
}

slice keyenc_after(arena *a, slice k)
{
    char *buf = arena_alloc(a, k.len + 1);
    memcpy(buf, k.ptr, k.len);
    buf[k.len] = 0x00;
    return slice_make(buf, k.len + 1);
}

bool keyenc_range_contains(const keyenc_range *r, slice full_key)
{
    if (slice_cmp(full_key, r->start) < 0)
        return false;
    return r->end.ptr == NULL || slice_cmp(full_key, r->end) < 0;
}

slice keyenc_fit(arena *a, slice full)
{
    if (full.len <= KEYENC_LMDB_MAX)
        return full;
    uint8_t *buf = arena_alloc(a, KEYENC_LMDB_MAX);
    memcpy(buf, full.ptr, KEYENC_FIT_PREFIX);
    uint64_t h = XXH3_64bits(full.ptr, full.len);
    for (int i = 0; i < 8; i++)
        buf[KEYENC_FIT_PREFIX + i] = (uint8_t)(h >> (56 - 8 * i));
    return slice_make((const char *)buf, KEYENC_LMDB_MAX);
}

void keyenc_range_fit(arena *a, const keyenc_range *r, keyenc_range *fitted, bool *exact)
{
    *exact = true;
    fitted->start = r->start;
    if (r->start.len > KEYENC_FIT_PREFIX) {
        fitted->start = slice_sub(r->start, 0, KEYENC_FIT_PREFIX);
        *exact = false;
    }
    fitted->end = r->end;
    if (r->end.ptr != NULL && r->end.len > KEYENC_FIT_PREFIX) {
        keyenc_prefix_end(a, slice_sub(r->end, 0, KEYENC_FIT_PREFIX), &fitted->end);
        *exact = false;
    }
}
