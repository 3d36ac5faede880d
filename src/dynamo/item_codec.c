#include "dynamo/item_codec.h"

#include <string.h>

#include "core/decimal.h"
#include "core/json.h"
#include "core/json_write.h"
#include "core/swar.h"
#include "dynamo/attr.h"

#define CODEC_VERSION    0x01
#define MAX_DECODE_DEPTH 64 /* validated items nest at most 32 levels; anything deeper is corrupt */

/*
 * Value tags. Payloads:
 *   S, B: varint length, bytes (B raw, not base64)
 *   N: header byte (0x80 negative | digit count 0..38); when non-zero, exponent + 130, then the digits
 *      as packed BCD (high nibble first, a 0 nibble pads an odd count)
 *   BOOL / NULL: nothing (the tag says it)
 *   M: varint count, then (varint name length, name, value) each
 *   L: varint count, values
 *   SS / BS: varint count, (varint length, bytes) each;  NS: varint count, numbers
 */
enum {
    TAG_S = 0x01,
    TAG_N = 0x02,
    TAG_B = 0x03,
    TAG_FALSE = 0x04,
    TAG_TRUE = 0x05,
    TAG_NULL = 0x06,
    TAG_M = 0x07,
    TAG_L = 0x08,
    TAG_SS = 0x09,
    TAG_NS = 0x0A,
    TAG_BS = 0x0B,
};

#define EXP_BIAS 130

/* ---- encoding: one pass to size, one to write ---- */

typedef struct writer {
    uint8_t *buf; /* NULL while sizing */
    size_t len;
} writer;

static void put_byte(writer *w, uint8_t b)
{
    if (w->buf != NULL)
        w->buf[w->len] = b;
    w->len++;
}

static void put_bytes(writer *w, const void *p, size_t n)
{
    if (w->buf != NULL && n > 0)
        memcpy(w->buf + w->len, p, n);
    w->len += n;
}

static void put_varint(writer *w, uint64_t v)
{
    while (v >= 0x80) {
        put_byte(w, (uint8_t)(v | 0x80));
        v >>= 7;
    }
    put_byte(w, (uint8_t)v);
}

static int put_number(writer *w, slice text)
{
    decimal d;
    aws_error e;
    if (decimal_parse(text, &d, &e) != 0)
        return -1;
    put_byte(w, (uint8_t)((d.negative ? 0x80 : 0) | d.ndigits));
    if (d.ndigits == 0)
        return 0;
    put_byte(w, (uint8_t)(d.exp + EXP_BIAS));
    for (int i = 0; i < d.ndigits; i += 2)
        put_byte(w, (uint8_t)(d.digits[i] << 4 | (i + 1 < d.ndigits ? d.digits[i + 1] : 0)));
    return 0;
}

static int put_binary(writer *w, const json_t *s)
{
    if (!json_is_string(s))
        return -1;
    slice text = json_string_slice(s);
    size_t n = base64_decoded_len(text);
    put_varint(w, n);
    if (w->buf != NULL) {
        if (base64_decode_into(text, w->buf + w->len) != 0)
            return -1;
    } else if (base64_decode_into(text, NULL) != 0) {
        return -1;
    }
    w->len += n;
    return 0;
}

static int put_string(writer *w, const json_t *s)
{
    if (!json_is_string(s))
        return -1;
    put_varint(w, json_string_length(s));
    put_bytes(w, json_string_value(s), json_string_length(s));
    return 0;
}

static int put_value(writer *w, const json_t *av, int depth);

static int put_members(writer *w, const json_t *obj, int depth)
{
    if (!json_is_object(obj))
        return -1;
    put_varint(w, json_object_size(obj));
    const char *k;
    size_t klen;
    json_t *v;
    json_object_keylen_foreach((json_t *)obj, k, klen, v)
    {
        put_varint(w, klen);
        put_bytes(w, k, klen);
        if (put_value(w, v, depth + 1) != 0)
            return -1;
    }
    return 0;
}

static int put_value(writer *w, const json_t *av, int depth)
{
    if (depth > MAX_DECODE_DEPTH)
        return -1;
    attr_type t = attr_type_of(av);
    json_t *p = attr_payload(av);
    switch (t) {
    case ATTR_S:
        put_byte(w, TAG_S);
        return put_string(w, p);
    case ATTR_N:
        put_byte(w, TAG_N);
        return json_is_string(p) ? put_number(w, json_string_slice(p)) : -1;
    case ATTR_B:
        put_byte(w, TAG_B);
        return put_binary(w, p);
    case ATTR_BOOL:
        if (!json_is_boolean(p))
            return -1;
        put_byte(w, json_is_true(p) ? TAG_TRUE : TAG_FALSE);
        return 0;
    case ATTR_NULL:
        put_byte(w, TAG_NULL);
        return 0;
    case ATTR_M:
        put_byte(w, TAG_M);
        return put_members(w, p, depth);
    case ATTR_L:
        if (!json_is_array(p))
            return -1;
        put_byte(w, TAG_L);
        put_varint(w, json_array_size(p));
        for (size_t i = 0; i < json_array_size(p); i++) {
            if (put_value(w, json_array_get(p, i), depth + 1) != 0)
                return -1;
        }
        return 0;
    case ATTR_SS:
    case ATTR_NS:
    case ATTR_BS:
        if (!json_is_array(p))
            return -1;
        put_byte(w, t == ATTR_SS ? TAG_SS : t == ATTR_NS ? TAG_NS : TAG_BS);
        put_varint(w, json_array_size(p));
        for (size_t i = 0; i < json_array_size(p); i++) {
            json_t *e = json_array_get(p, i);
            int rc = t == ATTR_SS   ? put_string(w, e)
                     : t == ATTR_BS ? put_binary(w, e)
                                    : (json_is_string(e) ? put_number(w, json_string_slice(e)) : -1);
            if (rc != 0)
                return -1;
        }
        return 0;
    default:
        return -1;
    }
}

static int not_well_formed(aws_error *err)
{
    return error_validation(err,
                            "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes");
}

int item_encode(arena *a, const json_t *item, slice *out, aws_error *err)
{
    writer w = {NULL, 0};
    put_byte(&w, CODEC_VERSION);
    if (put_members(&w, item, 0) != 0)
        return not_well_formed(err);
    size_t size = w.len;
    w.buf = arena_alloc(a, size > 0 ? size : 1);
    w.len = 0;
    put_byte(&w, CODEC_VERSION);
    put_members(&w, item, 0);
    *out = slice_make((const char *)w.buf, w.len);
    return 0;
}

int attr_encode(arena *a, const json_t *av, slice *out, aws_error *err)
{
    writer w = {NULL, 0};
    if (put_value(&w, av, 0) != 0)
        return not_well_formed(err);
    w.buf = arena_alloc(a, w.len > 0 ? w.len : 1);
    w.len = 0;
    put_value(&w, av, 0);
    *out = slice_make((const char *)w.buf, w.len);
    return 0;
}

/* ---- decoding: bounds-checked at every read ---- */

typedef struct reader {
    const uint8_t *p;
    size_t len, pos;
} reader;

static bool get_byte(reader *r, uint8_t *b)
{
    if (r->pos >= r->len)
        return false;
    *b = r->p[r->pos++];
    return true;
}

static bool get_varint(reader *r, uint64_t *v)
{
    uint64_t x = 0;
    for (int shift = 0; shift < 64; shift += 7) {
        uint8_t b;
        if (!get_byte(r, &b))
            return false;
        x |= (uint64_t)(b & 0x7F) << shift;
        if ((b & 0x80) == 0) {
            *v = x;
            return true;
        }
    }
    return false;
}

static bool get_span(reader *r, slice *s)
{
    uint64_t n;
    if (!get_varint(r, &n) || n > r->len - r->pos)
        return false;
    *s = slice_make((const char *)r->p + r->pos, (size_t)n);
    r->pos += (size_t)n;
    return true;
}

/* A stored number, checked: canonical digits only (what item_encode writes). */
static bool read_decimal(reader *r, decimal *d)
{
    uint8_t h;
    if (!get_byte(r, &h))
        return false;
    decimal_zero(d);
    int n = h & 0x7F;
    if (n == 0)
        return (h & 0x80) == 0;
    if (n > DECIMAL_MAX_DIGITS)
        return false;
    uint8_t e;
    if (!get_byte(r, &e))
        return false;
    d->negative = (h & 0x80) != 0;
    d->exp = (int16_t)(e - EXP_BIAS);
    d->ndigits = (uint8_t)n;
    for (int i = 0; i < n; i += 2) {
        uint8_t b;
        if (!get_byte(r, &b))
            return false;
        uint8_t hi = b >> 4, lo = b & 15;
        if (hi > 9 || lo > 9 || (i + 1 == n && lo != 0))
            return false;
        d->digits[i] = hi;
        if (i + 1 < n)
            d->digits[i + 1] = lo;
    }
    return d->digits[0] != 0 && d->digits[n - 1] != 0;
}

static json_t *get_number(reader *r)
{
    decimal d;
    if (!read_decimal(r, &d))
        return NULL;
    if (d.ndigits == 0)
        return json_stringn_nocheck("0", 1);
    char buf[DECIMAL_TEXT_MAX];
    size_t len = decimal_format(&d, buf);
    return json_stringn_nocheck(buf, len);
}

static json_t *get_string(reader *r)
{
    slice s;
    if (!get_span(r, &s))
        return NULL;
    if (s.ptr == NULL)
        return json_stringn_nocheck("", 0);
    /* ASCII needs no UTF-8 check (most of what jansson spends on a string); other text is checked:
     * corrupt bytes give NULL */
    return swar_all_ascii(s.ptr, s.len) ? json_stringn_nocheck(s.ptr, s.len) : json_stringn(s.ptr, s.len);
}

static json_t *get_binary(reader *r)
{
    slice s;
    if (!get_span(r, &s))
        return NULL;
    return base64_json_string(s);
}

static json_t *get_value(reader *r, int depth);

static json_t *get_members(reader *r, int depth)
{
    uint64_t n;
    if (!get_varint(r, &n) || n > r->len - r->pos)
        return NULL;
    json_t *obj = json_object();
    for (uint64_t i = 0; i < n; i++) {
        slice name;
        json_t *v;
        if (!get_span(r, &name) || (v = get_value(r, depth + 1)) == NULL) {
            json_decref(obj);
            return NULL;
        }
        const char *key = name.ptr != NULL ? name.ptr : "";
        int set = swar_all_ascii(key, name.len) ? json_object_setn_new_nocheck(obj, key, name.len, v)
                                                : json_object_setn_new(obj, key, name.len, v);
        if (set != 0) {
            json_decref(obj);
            return NULL;
        }
    }
    return obj;
}

static json_t *get_array(reader *r, uint8_t tag, int depth)
{
    uint64_t n;
    if (!get_varint(r, &n) || n > r->len - r->pos)
        return NULL;
    json_t *arr = json_array();
    for (uint64_t i = 0; i < n; i++) {
        json_t *e = tag == TAG_L    ? get_value(r, depth + 1)
                    : tag == TAG_SS ? get_string(r)
                    : tag == TAG_NS ? get_number(r)
                                    : get_binary(r);
        if (e == NULL || json_array_append_new(arr, e) != 0) {
            json_decref(arr);
            return NULL;
        }
    }
    return arr;
}

static json_t *get_value(reader *r, int depth)
{
    uint8_t tag;
    if (depth > MAX_DECODE_DEPTH || !get_byte(r, &tag))
        return NULL;
    json_t *payload;
    attr_type t;
    switch (tag) {
    case TAG_S:
        t = ATTR_S, payload = get_string(r);
        break;
    case TAG_N:
        t = ATTR_N, payload = get_number(r);
        break;
    case TAG_B:
        t = ATTR_B, payload = get_binary(r);
        break;
    case TAG_FALSE:
    case TAG_TRUE:
        t = ATTR_BOOL, payload = json_boolean(tag == TAG_TRUE);
        break;
    case TAG_NULL:
        t = ATTR_NULL, payload = json_true();
        break;
    case TAG_M:
        t = ATTR_M, payload = get_members(r, depth);
        break;
    case TAG_L:
    case TAG_SS:
    case TAG_NS:
    case TAG_BS:
        t = tag == TAG_L ? ATTR_L : tag == TAG_SS ? ATTR_SS : tag == TAG_NS ? ATTR_NS : ATTR_BS;
        payload = get_array(r, tag, depth);
        break;
    default:
        return NULL;
    }
    if (payload == NULL)
        return NULL;
    return attr_new(t, payload);
}

static int corrupt(aws_error *err)
{
    return error_set(err, 500, "InternalServerError", "Internal server error: corrupt item encoding");
}

int item_decode(slice bytes, json_t **item, aws_error *err)
{
    reader r = {(const uint8_t *)bytes.ptr, bytes.len, 0};
    uint8_t version;
    if (!get_byte(&r, &version) || version != CODEC_VERSION)
        return corrupt(err);
    json_t *obj = get_members(&r, 0);
    if (obj == NULL)
        return corrupt(err);
    if (r.pos != r.len) {
        json_decref(obj);
        return corrupt(err);
    }
    *item = obj;
    return 0;
}

int attr_decode(slice bytes, json_t **av, aws_error *err)
{
    reader r = {(const uint8_t *)bytes.ptr, bytes.len, 0};
    json_t *v = get_value(&r, 0);
    if (v == NULL)
        return corrupt(err);
    if (r.pos != r.len) {
        json_decref(v);
        return corrupt(err);
    }
    *av = v;
    return 0;
}

/* ---- sizes straight from the bytes (the rules of attr.c's item_size) ---- */

static bool skip_span(reader *r, size_t *len)
{
    slice s;
    if (!get_span(r, &s))
        return false;
    *len = s.len;
    return true;
}

static bool size_number(reader *r, size_t *size)
{
    uint8_t h, e;
    if (!get_byte(r, &h))
        return false;
    int n = h & 0x7F;
    if (n == 0) {
        *size = 1;
        return (h & 0x80) == 0;
    }
    size_t packed = ((size_t)n + 1) / 2;
    if (n > DECIMAL_MAX_DIGITS || !get_byte(r, &e) || packed > r->len - r->pos)
        return false;
    r->pos += packed;
    *size = attr_number_size((h & 0x80) != 0, n, (int)e - EXP_BIAS);
    return true;
}

static bool size_value(reader *r, int depth, size_t *size);

/* Members of a map or an item: each counts its name's bytes, plus `extra` (1 inside a map). */
static bool size_members(reader *r, int depth, size_t extra, size_t *size)
{
    uint64_t n;
    if (!get_varint(r, &n) || n > r->len - r->pos)
        return false;
    size_t sum = 0;
    for (uint64_t i = 0; i < n; i++) {
        size_t name, value;
        if (!skip_span(r, &name) || !size_value(r, depth + 1, &value))
            return false;
        sum += extra + name + value;
    }
    *size = sum;
    return true;
}

static bool size_value(reader *r, int depth, size_t *size)
{
    uint8_t tag;
    if (depth > MAX_DECODE_DEPTH || !get_byte(r, &tag))
        return false;
    uint64_t n;
    size_t sum = 0, one;
    switch (tag) {
    case TAG_S:
    case TAG_B:
        return skip_span(r, size);
    case TAG_N:
        return size_number(r, size);
    case TAG_FALSE:
    case TAG_TRUE:
    case TAG_NULL:
        *size = 1;
        return true;
    case TAG_M:
        if (!size_members(r, depth, 1, &sum))
            return false;
        *size = 3 + sum;
        return true;
    case TAG_L:
    case TAG_SS:
    case TAG_NS:
    case TAG_BS:
        if (!get_varint(r, &n) || n > r->len - r->pos)
            return false;
        for (uint64_t i = 0; i < n; i++) {
            bool ok = tag == TAG_L    ? size_value(r, depth + 1, &one)
                      : tag == TAG_NS ? size_number(r, &one)
                                      : skip_span(r, &one);
            if (!ok)
                return false;
            sum += tag == TAG_L ? 1 + one : one;
        }
        *size = tag == TAG_L ? 3 + sum : sum;
        return true;
    default:
        return false;
    }
}

int item_encoded_size(slice bytes, size_t *size, aws_error *err)
{
    reader r = {(const uint8_t *)bytes.ptr, bytes.len, 0};
    uint8_t version;
    if (!get_byte(&r, &version) || version != CODEC_VERSION || !size_members(&r, 0, 0, size) || r.pos != r.len)
        return corrupt(err);
    return 0;
}

/* ---- JSON text straight from the bytes (what json_write gives for item_decode's tree) ---- */

/* Text checked as get_string checks it: jansson refuses invalid UTF-8, so must this. */
static bool text_ok(slice s)
{
    if (swar_all_ascii(s.ptr, s.len))
        return true;
    json_t *checked = json_stringn(s.ptr, s.len);
    bool ok = checked != NULL;
    json_decref(checked);
    return ok;
}

static bool json_text(reader *r, buf *b)
{
    slice s;
    if (!get_span(r, &s) || !text_ok(s))
        return false;
    json_write_string(b, s.ptr != NULL ? s.ptr : "", s.len);
    return true;
}

static bool json_number(reader *r, buf *b)
{
    decimal d;
    if (!read_decimal(r, &d))
        return false;
    char text[DECIMAL_TEXT_MAX + 2];
    size_t len = 1;
    text[0] = '"';
    if (d.ndigits == 0)
        text[len++] = '0';
    else
        len += decimal_format(&d, text + 1);
    text[len++] = '"';
    buf_append(b, text, len);
    return true;
}

static bool json_binary(reader *r, buf *b)
{
    slice raw;
    if (!get_span(r, &raw))
        return false;
    size_t at = b->len;
    buf_reserve(b, (raw.len + 2) / 3 * 4 + 2);
    b->ptr[at] = '"';
    b->len = at + 1 + base64_encode_into(b->ptr + at + 1, raw);
    buf_append_char(b, '"');
    return true;
}

static bool json_value(reader *r, buf *b, int depth);

static bool json_members(reader *r, buf *b, int depth)
{
    uint64_t n;
    if (!get_varint(r, &n) || n > r->len - r->pos)
        return false;
    buf_append_char(b, '{');
    for (uint64_t i = 0; i < n; i++) {
        slice name;
        if (i > 0)
            buf_append_char(b, ',');
        if (!get_span(r, &name) || !text_ok(name))
            return false;
        json_write_string(b, name.ptr != NULL ? name.ptr : "", name.len);
        buf_append_char(b, ':');
        if (!json_value(r, b, depth + 1))
            return false;
    }
    buf_append_char(b, '}');
    return true;
}

static bool json_value(reader *r, buf *b, int depth)
{
    uint8_t tag;
    if (depth > MAX_DECODE_DEPTH || !get_byte(r, &tag))
        return false;
#define OPEN(text)                                                                                                     \
    {                                                                                                                  \
        text, sizeof(text) - 1                                                                                         \
    }
    static const struct {
        const char *text;
        size_t len;
    } open[] = {
        [TAG_S] = OPEN("{\"S\":"),           [TAG_N] = OPEN("{\"N\":"),
        [TAG_B] = OPEN("{\"B\":"),           [TAG_FALSE] = OPEN("{\"BOOL\":false"),
        [TAG_TRUE] = OPEN("{\"BOOL\":true"), [TAG_NULL] = OPEN("{\"NULL\":true"),
        [TAG_M] = OPEN("{\"M\":"),           [TAG_L] = OPEN("{\"L\":["),
        [TAG_SS] = OPEN("{\"SS\":["),        [TAG_NS] = OPEN("{\"NS\":["),
        [TAG_BS] = OPEN("{\"BS\":["),
    };
#undef OPEN
    if (tag < TAG_S || tag > TAG_BS)
        return false;
    buf_append(b, open[tag].text, open[tag].len);
    bool ok = true;
    switch (tag) {
    case TAG_S:
        ok = json_text(r, b);
        break;
    case TAG_N:
        ok = json_number(r, b);
        break;
    case TAG_B:
        ok = json_binary(r, b);
        break;
    case TAG_M:
        ok = json_members(r, b, depth);
        break;
    case TAG_L:
    case TAG_SS:
    case TAG_NS:
    case TAG_BS: {
        uint64_t n;
        if (!get_varint(r, &n) || n > r->len - r->pos)
            return false;
        for (uint64_t i = 0; i < n && ok; i++) {
            if (i > 0)
                buf_append_char(b, ',');
            ok = tag == TAG_L    ? json_value(r, b, depth + 1)
                 : tag == TAG_SS ? json_text(r, b)
                 : tag == TAG_NS ? json_number(r, b)
                                 : json_binary(r, b);
        }
        buf_append_char(b, ']');
        break;
    }
    default:
        break;
    }
    buf_append_char(b, '}');
    return ok;
}

int item_write_json(buf *b, slice bytes, aws_error *err)
{
    reader r = {(const uint8_t *)bytes.ptr, bytes.len, 0};
    size_t at = b->len;
    uint8_t version;
    if (!get_byte(&r, &version) || version != CODEC_VERSION || !json_members(&r, b, 0) || r.pos != r.len) {
        b->len = at;
        return corrupt(err);
    }
    return 0;
}

int item_decode_attr(slice bytes, slice name, json_t **value, aws_error *err)
{
    reader r = {(const uint8_t *)bytes.ptr, bytes.len, 0};
    uint8_t version;
    uint64_t n;
    *value = NULL;
    if (!get_byte(&r, &version) || version != CODEC_VERSION || !get_varint(&r, &n) || n > r.len - r.pos)
        return corrupt(err);
    for (uint64_t i = 0; i < n; i++) {
        slice member;
        size_t skipped;
        if (!get_span(&r, &member))
            return corrupt(err);
        if (slice_eq(member, name)) {
            /* A later member of the same name would win in item_decode; item_encode never writes one. */
            *value = get_value(&r, 1);
            return *value != NULL ? 0 : corrupt(err);
        }
        if (!size_value(&r, 1, &skipped)) /* walking a value is what sizing it does */
            return corrupt(err);
    }
    return 0;
}
