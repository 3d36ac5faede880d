#include "dynamo/attr.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"

static const char *const type_names[] = {
    [ATTR_NONE] = "", [ATTR_S] = "S", [ATTR_N] = "N",   [ATTR_B] = "B",   [ATTR_BOOL] = "BOOL", [ATTR_NULL] = "NULL",
    [ATTR_M] = "M",   [ATTR_L] = "L", [ATTR_SS] = "SS", [ATTR_NS] = "NS", [ATTR_BS] = "BS",
};

const char *attr_type_name(attr_type t)
{
    return (unsigned)t < sizeof(type_names) / sizeof(type_names[0]) ? type_names[t] : "";
}

attr_type attr_type_from_name(slice name)
{
    /* every attribute value on every path asks this: decide on the length and first letters */
    const char *p = name.ptr;
    switch (name.len) {
    case 1:
        return p[0] == 'S'   ? ATTR_S
               : p[0] == 'N' ? ATTR_N
               : p[0] == 'B' ? ATTR_B
               : p[0] == 'M' ? ATTR_M
               : p[0] == 'L' ? ATTR_L
                             : ATTR_NONE;
    case 2:
        if (p[1] != 'S')
            return ATTR_NONE;
        return p[0] == 'S' ? ATTR_SS : p[0] == 'N' ? ATTR_NS : p[0] == 'B' ? ATTR_BS : ATTR_NONE;
    case 4:
        return memcmp(p, "BOOL", 4) == 0 ? ATTR_BOOL : memcmp(p, "NULL", 4) == 0 ? ATTR_NULL : ATTR_NONE;
    default:
        return ATTR_NONE;
    }
}

attr_type attr_type_of(const json_t *av)
{
    if (!json_is_object(av) || json_object_size(av) != 1)
        return ATTR_NONE;
    void *it = json_object_iter((json_t *)av);
    return attr_type_from_name(slice_make(json_object_iter_key(it), json_object_iter_key_len(it)));
}

json_t *attr_payload(const json_t *av)
{
    if (!json_is_object(av) || json_object_size(av) != 1)
        return NULL;
    return json_object_iter_value(json_object_iter((json_t *)av));
}

attr_type attr_set_element_type(attr_type set)
{
    switch (set) {
    case ATTR_SS:
        return ATTR_S;
    case ATTR_NS:
        return ATTR_N;
    case ATTR_BS:
        return ATTR_B;
    default:
        return ATTR_NONE;
    }
}

attr_type attr_set_type_of(attr_type element)
{
    switch (element) {
    case ATTR_S:
        return ATTR_SS;
    case ATTR_N:
        return ATTR_NS;
    case ATTR_B:
        return ATTR_BS;
    default:
        return ATTR_NONE;
    }
}

/* ---- builders ---- */

json_t *attr_new(attr_type t, json_t *payload)
{
    json_t *o = json_object();
    const char *name = attr_type_name(t); /* a constant: no UTF-8 check needed */
    json_object_setn_new_nocheck(o, name, strlen(name), payload);
    return o;
}

json_t *attr_new_s(slice s)
{
    return attr_new(ATTR_S, json_stringn_nocheck(s.ptr != NULL ? s.ptr : "", s.len));
}

json_t *attr_new_n_decimal(const decimal *d)
{
    char buf[DECIMAL_TEXT_MAX];
    size_t n = decimal_format(d, buf);
    return attr_new(ATTR_N, json_stringn_nocheck(buf, n));
}

json_t *attr_new_n_int64(int64_t v)
{
    char buf[32];
    int n = snprintf(buf, sizeof(buf), "%lld", (long long)v);
    return attr_new(ATTR_N, json_stringn_nocheck(buf, (size_t)n));
}

json_t *base64_json_string(slice raw)
{
    size_t cap = base64_encoded_len(raw.len);
    char small[256];
    arena *cur = json_arena_current();
    char *buf = cap <= sizeof(small) ? small : cur != NULL ? arena_alloc(cur, cap) : malloc(cap);
    if (buf == NULL)
        return NULL;
    size_t n = base64_encode_into(buf, raw);
    json_t *v = json_stringn_nocheck(buf, n);
    if (buf != small && cur == NULL)
        free(buf);
    return v;
}

json_t *attr_new_b(slice raw)
{
    return attr_new(ATTR_B, base64_json_string(raw));
}

json_t *attr_new_bool(bool v)
{
    return attr_new(ATTR_BOOL, json_boolean(v));
}
json_t *attr_new_null(void)
{
    return attr_new(ATTR_NULL, json_true());
}

/* ---- payload access ---- */

slice attr_s(const json_t *av)
{
    return json_string_slice(attr_payload(av));
}

int attr_n(const json_t *av, decimal *out)
{
    aws_error e;
    json_t *p = attr_payload(av);
    if (!json_is_string(p))
        return -1;
    return decimal_parse(json_string_slice(p), out, &e);
}

int attr_b_decode(arena *a, const json_t *av, slice *raw)
{
    json_t *p = attr_payload(av);
    if (!json_is_string(p))
        return -1;
    return base64_decode(a, json_string_slice(p), raw);
}

/* ---- validation ---- */

#define MSG_EMPTY_AV "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes"
#define MSG_MULTI_AV                                                                                                   \
    "Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes"
#define MSG_NESTING                                                                                                    \
    "Nesting Levels have exceeded supported limits: Attributes in the item have nested levels beyond supported limit"
#define MSG_NULL_FALSE                                                                                                 \
    "One or more parameter values were invalid: Null attribute value types must have the value of true"
#define MSG_ITEM_SIZE    "Item size has exceeded the maximum allowed size"
#define MSG_KEY_MISMATCH "The provided key element does not match the schema"
#define MSG_STRUCT       "Start of structure or map found where not expected"

static int serialization(aws_error *err, const char *msg)
{
    return error_set(err, 400, "SerializationException", "%s", msg);
}

/* What Coral says when a JSON value of the wrong kind is given where a scalar of java_type is expected. */
static int scalar_type_error(aws_error *err, const json_t *v, const char *java_type)
{
    if (json_is_integer(v))
        return error_set(err, 400, "SerializationException", "NUMBER_VALUE cannot be converted to %s", java_type);
    if (json_is_real(v))
        return error_set(err, 400, "SerializationException", "DECIMAL_VALUE cannot be converted to %s", java_type);
    if (json_is_true(v))
        return error_set(err, 400, "SerializationException", "TRUE_VALUE cannot be converted to %s", java_type);
    if (json_is_false(v))
        return error_set(err, 400, "SerializationException", "FALSE_VALUE cannot be converted to %s", java_type);
    if (json_is_array(v))
        return error_set(err, 400, "SerializationException", "Unrecognized collection type class java.lang.%s",
                         java_type);
    if (json_is_object(v))
        return serialization(err, MSG_STRUCT);
    return serialization(err, "Unexpected value type in payload");
}

static int check_string(const json_t *v, aws_error *err)
{
    return json_is_string(v) ? 0 : scalar_type_error(err, v, "String");
}

static int check_number(json_t *v, aws_error *err)
{
    if (!json_is_string(v))
        return scalar_type_error(err, v, "String");
    decimal d;
    slice text = json_string_slice(v);
    if (decimal_parse(text, &d, err) != 0)
        return -1;
    char buf[DECIMAL_TEXT_MAX];
    size_t n = decimal_format(&d, buf);
    if (n != text.len || memcmp(buf, text.ptr, n) != 0)
        json_string_setn_nocheck(v, buf, n);
    return 0;
}

static int check_binary(const json_t *v, aws_error *err)
{
    if (!json_is_string(v)) {
        if (json_is_array(v))
            return serialization(err, "Unrecognized collection type class java.nio.ByteBuffer");
        if (json_is_object(v))
            return serialization(err, MSG_STRUCT);
        return serialization(err, "only base-64-encoded strings are convertible to bytes");
    }
    slice s = json_string_slice(v);
    switch (base64_decode_into(s, NULL)) {
    case BASE64_OK:
        return 0;
    case BASE64_BAD_LENGTH:
        return error_set(err, 400, "SerializationException",
                         "Base64 encoded length is expected a multiple of 4 bytes but found: %zu", s.len);
    case BASE64_BAD_CHARACTER:
        return serialization(err, "Invalid Base64 character found in the encoded value");
    default:
        return serialization(err, "Invalid last non-pad Base64 character dectected");
    }
}

/* BOOL and NULL take JSON booleans; Coral also converts a few strings. Rewrites to a JSON boolean. */
static int check_boolean(json_t *av, const char *key, json_t *v, aws_error *err)
{
    if (json_is_boolean(v))
        return 0;
    if (json_is_string(v)) {
        slice s = json_string_slice(v);
        bool value;
        if (slice_eq_nocase(s, SLICE_LIT("true")) || slice_eq(s, SLICE_LIT("1")) ||
            slice_eq_nocase(s, SLICE_LIT("yes")))
            value = true;
        else if (slice_eq_nocase(s, SLICE_LIT("false")) || slice_eq(s, SLICE_LIT("0")) ||
                 slice_eq_nocase(s, SLICE_LIT("no")))
            value = false;
        else
            return serialization(err, "Unexpected token received from parser");
        json_object_set_new(av, key, json_boolean(value));
        return 0;
    }
    if (json_is_number(v))
        return error_set(err, 400, "SerializationException", "%s cannot be converted to Boolean",
                         json_is_integer(v) ? "NUMBER_VALUE" : "DECIMAL_VALUE");
    return scalar_type_error(err, v, "Boolean");
}

static int slice_qsort_cmp(const void *a, const void *b)
{
    return slice_cmp(*(const slice *)a, *(const slice *)b);
}

/* Elements are canonical text (numbers and base64 are validated first), so equal text <=> equal value. */
static bool has_duplicates(const json_t *arr)
{
    size_t n = json_array_size(arr);
    if (n < 2)
        return false;
    if (n <= 32) {
        for (size_t i = 0; i < n; i++) {
            slice a = json_string_slice(json_array_get(arr, i));
            for (size_t j = i + 1; j < n; j++) {
                if (slice_eq(a, json_string_slice(json_array_get(arr, j))))
                    return true;
            }
        }
        return false;
    }
    arena *cur = json_arena_current();
    slice *v = cur != NULL ? arena_alloc(cur, n * sizeof(slice)) : malloc(n * sizeof(slice));
    if (v == NULL)
        return false;
    for (size_t i = 0; i < n; i++)
        v[i] = json_string_slice(json_array_get(arr, i));
    qsort(v, n, sizeof(slice), slice_qsort_cmp);
    bool dup = false;
    for (size_t i = 1; i < n && !dup; i++)
        dup = slice_eq(v[i - 1], v[i]);
    if (cur == NULL)
        free(v);
    return dup;
}

/* "[a, b, c]" as DynamoDB prints a collection in its messages, cut to fit. */
static void collection_text(const json_t *arr, char *out, size_t cap)
{
    size_t o = 0;
    out[o++] = '[';
    for (size_t i = 0; i < json_array_size(arr); i++) {
        slice s = json_string_slice(json_array_get(arr, i));
        if (o + s.len + 4 >= cap)
            break;
        if (i > 0) {
            out[o++] = ',';
            out[o++] = ' ';
        }
        memcpy(out + o, s.ptr, s.len);
        o += s.len;
    }
    out[o++] = ']';
    out[o] = '\0';
}

static int check_set(attr_type t, json_t *v, aws_error *err)
{
    if (!json_is_array(v)) {
        if (json_is_object(v))
            return serialization(err, MSG_STRUCT);
        return serialization(err, "Unexpected field type");
    }
    size_t n = json_array_size(v);
    for (size_t i = 0; i < n; i++) {
        json_t *e = json_array_get(v, i);
        int rc = t == ATTR_NS ? check_number(e, err) : t == ATTR_BS ? check_binary(e, err) : check_string(e, err);
        if (rc != 0)
            return -1;
    }
    if (n == 0) {
        if (t == ATTR_SS)
            return error_validation(err, "One or more parameter values were invalid: An string set  may not be empty");
        if (t == ATTR_NS)
            return error_validation(err, "One or more parameter values were invalid: An number set  may not be empty");
        return error_validation(err, "One or more parameter values were invalid: Binary sets should not be empty");
    }
    if (has_duplicates(v)) {
        if (t == ATTR_NS)
            return error_validation(err, "Input collection contains duplicates");
        char text[800];
        collection_text(v, text, sizeof(text));
        if (t == ATTR_SS)
            return error_validation(
                err, "One or more parameter values were invalid: Input collection %s contains duplicates.", text);
        return error_validation(
            err, "One or more parameter values were invalid: Input collection %sof type BS contains duplicates.", text);
    }
    return 0;
}

static int validate_value(json_t *av, int depth, aws_error *err);

static int check_map(json_t *v, int depth, aws_error *err)
{
    if (!json_is_object(v)) {
        if (json_is_array(v))
            return serialization(err, "Unrecognized collection type java.util.Map<java.lang.String, "
                                      "com.amazonaws.dynamodb.v20120810.AttributeValue>");
        return serialization(err, "Unexpected field type");
    }
    if (depth >= ATTR_MAX_DEPTH)
        return error_validation(err, MSG_NESTING);
    const char *k;
    size_t klen;
    json_t *child;
    json_object_keylen_foreach((json_t *)v, k, klen, child)
    {
        (void)klen;
        if (validate_value(child, depth + 1, err) != 0)
            return -1;
    }
    return 0;
}

static int check_list(json_t *v, int depth, aws_error *err)
{
    if (!json_is_array(v)) {
        if (json_is_object(v))
            return serialization(err, MSG_STRUCT);
        return serialization(err, "Unexpected field type");
    }
    if (depth >= ATTR_MAX_DEPTH)
        return error_validation(err, MSG_NESTING);
    for (size_t i = 0; i < json_array_size(v); i++) {
        if (validate_value(json_array_get(v, i), depth + 1, err) != 0)
            return -1;
    }
    return 0;
}

/* depth: 1 for a top-level attribute; a container at depth 32 is one level too many. */
static int validate_value(json_t *av, int depth, aws_error *err)
{
    if (!json_is_object(av)) {
        if (json_is_array(av))
            return serialization(err,
                                 "Unrecognized collection type class com.amazonaws.dynamodb.v20120810.AttributeValue");
        return serialization(err, "Unexpected value type in payload");
    }
    /* Members that are not type descriptors, or are JSON null, are absent as far as DynamoDB is
     * concerned: drop them so that the value is canonical. */
    const char *key;
    size_t klen;
    json_t *v;
    void *tmp;
    json_object_keylen_foreach_safe(av, tmp, key, klen, v)
    {
        if (attr_type_from_name(slice_make(key, klen)) == ATTR_NONE || json_is_null(v))
            json_object_deln(av, key, klen);
    }
    size_t ntypes = json_object_size(av);
    if (ntypes == 0)
        return error_validation(err, MSG_EMPTY_AV);
    json_object_keylen_foreach_safe(av, tmp, key, klen, v)
    {
        attr_type t = attr_type_from_name(slice_make(key, klen));
        int rc = 0;
        switch (t) {
        case ATTR_S:
            rc = check_string(v, err);
            break;
        case ATTR_N:
            rc = check_number(v, err);
            break;
        case ATTR_B:
            rc = check_binary(v, err);
            break;
        case ATTR_BOOL:
            rc = check_boolean(av, key, v, err);
            break;
        case ATTR_NULL:
            rc = check_boolean(av, key, v, err);
            if (rc == 0 && !json_is_true(json_object_getn(av, key, klen)))
                rc = error_validation(err, MSG_NULL_FALSE);
            break;
        case ATTR_M:
            rc = check_map(v, depth, err);
            break;
        case ATTR_L:
            rc = check_list(v, depth, err);
            break;
        case ATTR_SS:
        case ATTR_NS:
        case ATTR_BS:
            rc = check_set(t, v, err);
            break;
        default:
            break;
        }
        if (rc != 0)
            return -1;
    }
    if (ntypes > 1)
        return error_validation(err, MSG_MULTI_AV);
    return 0;
}

int attr_validate(json_t *av, aws_error *err)
{
    return validate_value(av, 1, err);
}

static int check_name(slice name, aws_error *err)
{
    if (name.len == 0)
        return error_validation(err, "One or more parameter values were invalid: An attribute name must not be empty");
    if (name.len > ATTR_NAME_MAX_BYTES)
        return error_validation(err, "One or more parameter values were invalid: Size of attribute name exceeds the "
                                     "maximum allowed size of 65535 bytes");
    return 0;
}

int attr_map_validate(json_t *map, aws_error *err)
{
    if (!json_is_object(map)) {
        if (json_is_array(map))
            return serialization(err, "Unrecognized collection type java.util.Map<java.lang.String, "
                                      "com.amazonaws.dynamodb.v20120810.AttributeValue>");
        return serialization(err, "Unexpected field type");
    }
    const char *k;
    size_t klen;
    json_t *v;
    json_object_keylen_foreach(map, k, klen, v)
    {
        (void)k;
        (void)klen;
        if (attr_validate(v, err) != 0)
            return -1;
    }
    return 0;
}

int item_validate(json_t *item, aws_error *err)
{
    if (attr_map_validate(item, err) != 0)
        return -1;
    const char *k;
    size_t klen;
    json_t *v;
    json_object_keylen_foreach(item, k, klen, v)
    {
        (void)v;
        if (check_name(slice_make(k, klen), err) != 0)
            return -1;
    }
    if (item_size(item) > ITEM_MAX_BYTES)
        return error_validation(err, MSG_ITEM_SIZE);
    return 0;
}

/* ---- sizes ---- */

size_t attr_number_size(bool negative, int ndigits, int exp)
{
    if (ndigits == 0)
        return 1;
    /* Stored as base-100 digits aligned on the decimal point, plus an exponent byte, plus a
     * terminator for negatives. */
    int hi = exp, lo = exp - ndigits + 1;
    int pairs = (hi >= 0 ? hi / 2 : -((-hi + 1) / 2)) - (lo >= 0 ? lo / 2 : -((-lo + 1) / 2)) + 1;
    return 1 + (size_t)pairs + (negative ? 1 : 0);
}

static size_t number_size(slice text)
{
    decimal d;
    aws_error e;
    if (decimal_parse(text, &d, &e) != 0)
        return text.len;
    return attr_number_size(d.negative, d.ndigits, d.exp);
}

static size_t payload_size(attr_type t, const json_t *p)
{
    switch (t) {
    case ATTR_S:
        return json_string_length(p);
    case ATTR_N:
        return number_size(json_string_slice(p));
    case ATTR_B:
        return base64_decoded_len(json_string_slice(p));
    case ATTR_BOOL:
    case ATTR_NULL:
        return 1;
    case ATTR_SS:
    case ATTR_NS:
    case ATTR_BS: {
        size_t sum = 0;
        attr_type et = attr_set_element_type(t);
        for (size_t i = 0; i < json_array_size(p); i++)
            sum += payload_size(et, json_array_get(p, i));
        return sum;
    }
    case ATTR_L: {
        size_t sum = 3;
        for (size_t i = 0; i < json_array_size(p); i++)
            sum += 1 + attr_size(json_array_get(p, i));
        return sum;
    }
    case ATTR_M: {
        size_t sum = 3;
        const char *k;
        size_t klen;
        json_t *v;
        json_object_keylen_foreach((json_t *)p, k, klen, v)
        {
            (void)k;
            sum += 1 + klen + attr_size(v);
        }
        return sum;
    }
    default:
        return 0;
    }
}

size_t attr_size(const json_t *av)
{
    return payload_size(attr_type_of(av), attr_payload(av));
}

size_t item_size(const json_t *item)
{
    size_t sum = 0;
    const char *k;
    size_t klen;
    json_t *v;
    json_object_keylen_foreach((json_t *)item, k, klen, v)
    {
        (void)k;
        sum += klen + attr_size(v);
    }
    return sum;
}

int64_t attr_size_function(const json_t *av)
{
    json_t *p = attr_payload(av);
    switch (attr_type_of(av)) {
    case ATTR_S: {
        /* DynamoDB counts UTF-16 code units: one per code point, two above U+FFFF. */
        slice s = json_string_slice(p);
        int64_t n = 0;
        for (size_t i = 0; i < s.len; i++) {
            unsigned char c = (unsigned char)s.ptr[i];
            if ((c & 0xC0) != 0x80)
                n += c >= 0xF0 ? 2 : 1;
        }
        return n;
    }
    case ATTR_B:
        return (int64_t)base64_decoded_len(json_string_slice(p));
    case ATTR_SS:
    case ATTR_NS:
    case ATTR_BS:
    case ATTR_L:
        return (int64_t)json_array_size(p);
    case ATTR_M:
        return (int64_t)json_object_size(p);
    default:
        return -1;
    }
}

/* ---- equality and order ---- */

static int compare_numbers(const json_t *pa, const json_t *pb)
{
    slice a = json_string_slice(pa), b = json_string_slice(pb);
    if (slice_eq(a, b))
        return 0;
    decimal da, db;
    aws_error e;
    if (decimal_parse(a, &da, &e) != 0 || decimal_parse(b, &db, &e) != 0)
        return slice_cmp(a, b);
    return decimal_compare(&da, &db);
}

/* Compares the bytes two base64 texts stand for, decoding four characters at a time. */
static int compare_base64(slice a, slice b)
{
    size_t na = base64_decoded_len(a), nb = base64_decoded_len(b);
    unsigned char ba[3], bb[3];
    for (size_t i = 0; i * 3 < na && i * 3 < nb; i++) {
        memset(ba, 0, 3);
        memset(bb, 0, 3);
        if (base64_decode_into(slice_make(a.ptr + i * 4, 4), ba) != 0 ||
            base64_decode_into(slice_make(b.ptr + i * 4, 4), bb) != 0)
            return slice_cmp(a, b);
        size_t la = na - i * 3 < 3 ? na - i * 3 : 3, lb = nb - i * 3 < 3 ? nb - i * 3 : 3;
        size_t l = la < lb ? la : lb;
        int c = memcmp(ba, bb, l);
        if (c != 0)
            return c;
    }
    return (na > nb) - (na < nb);
}

int attr_compare(const json_t *a, const json_t *b)
{
    attr_type ta = attr_type_of(a), tb = attr_type_of(b);
    if (ta != tb)
        return ta < tb ? -1 : 1;
    json_t *pa = attr_payload(a), *pb = attr_payload(b);
    switch (ta) {
    case ATTR_S:
        return slice_cmp(json_string_slice(pa), json_string_slice(pb));
    case ATTR_N:
        return compare_numbers(pa, pb);
    case ATTR_B:
        return compare_base64(json_string_slice(pa), json_string_slice(pb));
    default:
        return attr_equal(a, b) ? 0 : 1;
    }
}

static bool element_equal(attr_type et, const json_t *a, const json_t *b)
{
    if (et == ATTR_N)
        return json_is_string(a) && json_is_string(b) && compare_numbers(a, b) == 0;
    return slice_eq(json_string_slice(a), json_string_slice(b));
}

static bool set_equal(attr_type t, const json_t *a, const json_t *b)
{
    size_t n = json_array_size(a);
    if (n != json_array_size(b))
        return false;
    attr_type et = attr_set_element_type(t);
    if (n > 32) {
        /* Large sets: compare sorted element texts (elements of validated sets are canonical). */
        arena *cur = json_arena_current();
        slice *va = cur != NULL ? arena_alloc(cur, 2 * n * sizeof(slice)) : malloc(2 * n * sizeof(slice));
        if (va != NULL) {
            slice *vb = va + n;
            for (size_t i = 0; i < n; i++) {
                va[i] = json_string_slice(json_array_get(a, i));
                vb[i] = json_string_slice(json_array_get(b, i));
            }
            qsort(va, n, sizeof(slice), slice_qsort_cmp);
            qsort(vb, n, sizeof(slice), slice_qsort_cmp);
            bool same = true;
            for (size_t i = 0; i < n && same; i++)
                same = slice_eq(va[i], vb[i]);
            if (cur == NULL)
                free(va);
            if (same || et != ATTR_N)
                return same;
            /* Numbers that are not canonical text: fall through to the exact comparison. */
        }
    }
    /* Sets have no duplicates, so "every element of a is in b" with equal sizes is equality. */
    for (size_t i = 0; i < n; i++) {
        json_t *x = json_array_get(a, i);
        if (element_equal(et, x, json_array_get(b, i)))
            continue;
        bool found = false;
        for (size_t j = 0; j < n && !found; j++)
            found = element_equal(et, x, json_array_get(b, j));
        if (!found)
            return false;
    }
    return true;
}

bool attr_equal(const json_t *a, const json_t *b)
{
    attr_type ta = attr_type_of(a);
    if (ta == ATTR_NONE || ta != attr_type_of(b))
        return false;
    json_t *pa = attr_payload(a), *pb = attr_payload(b);
    switch (ta) {
    case ATTR_S:
    case ATTR_B:
        return json_is_string(pa) && json_is_string(pb) && slice_eq(json_string_slice(pa), json_string_slice(pb));
    case ATTR_N:
        return json_is_string(pa) && json_is_string(pb) && compare_numbers(pa, pb) == 0;
    case ATTR_BOOL:
    case ATTR_NULL:
        return json_is_boolean(pa) && json_is_boolean(pb) && json_is_true(pa) == json_is_true(pb);
    case ATTR_L: {
        size_t n = json_array_size(pa);
        if (!json_is_array(pa) || !json_is_array(pb) || n != json_array_size(pb))
            return false;
        for (size_t i = 0; i < n; i++) {
            if (!attr_equal(json_array_get(pa, i), json_array_get(pb, i)))
                return false;
        }
        return true;
    }
    case ATTR_M: {
        if (!json_is_object(pa) || !json_is_object(pb) || json_object_size(pa) != json_object_size(pb))
            return false;
        const char *k;
        size_t klen;
        json_t *v;
        json_object_keylen_foreach(pa, k, klen, v)
        {
            json_t *w = json_object_getn(pb, k, klen);
            if (w == NULL || !attr_equal(v, w))
                return false;
        }
        return true;
    }
    case ATTR_SS:
    case ATTR_NS:
    case ATTR_BS:
        return json_is_array(pa) && json_is_array(pb) && set_equal(ta, pa, pb);
    default:
        return false;
    }
}

/* ---- keys ---- */

static json_t *member(const json_t *obj, slice name)
{
    return json_object_getn(obj, name.ptr, name.len);
}

/* Empty and oversized key values; `were` picks DynamoDB's two phrasings ("were invalid:" for Key
 * parameters, "are not valid." for items). */
static int check_key_value(const key_attr *ka, bool is_hash, const json_t *av, bool were, aws_error *err)
{
    json_t *p = attr_payload(av);
    size_t size;
    if (ka->type == ATTR_S)
        size = json_string_length(p);
    else if (ka->type == ATTR_B)
        size = base64_decoded_len(json_string_slice(p));
    else
        return 0;
    if (size == 0)
        return error_validation(err,
                                "One or more parameter values %s The AttributeValue for a key attribute cannot "
                                "contain an empty %s value. Key: %.*s",
                                were ? "were invalid:" : "are not valid.", ka->type == ATTR_S ? "string" : "binary",
                                SLICE_FMT(ka->name));
    if (is_hash && size > KEY_HASH_MAX_BYTES)
        return error_validation(err, "One or more parameter values were invalid: Size of hashkey has exceeded the "
                                     "maximum size limit of2048 bytes");
    if (!is_hash && size > KEY_RANGE_MAX_BYTES)
        return error_validation(err, "One or more parameter values were invalid: Aggregated size of all range keys "
                                     "has exceeded the size limit of 1024 bytes");
    return 0;
}

int key_validate(const key_schema *ks, json_t *key, aws_error *err)
{
    if (attr_map_validate(key, err) != 0)
        return -1;
    size_t want = key_schema_has_range(ks) ? 2 : 1;
    if (json_object_size(key) != want)
        return error_validation(err, MSG_KEY_MISMATCH);
    const key_attr *parts[2] = {&ks->hash, &ks->range};
    for (size_t i = 0; i < want; i++) {
        json_t *av = member(key, parts[i]->name);
        if (av == NULL || attr_type_of(av) != parts[i]->type)
            return error_validation(err, MSG_KEY_MISMATCH);
    }
    for (size_t i = 0; i < want; i++) {
        if (check_key_value(parts[i], i == 0, member(key, parts[i]->name), true, err) != 0)
            return -1;
    }
    return 0;
}

int item_key_validate(const key_schema *ks, const json_t *item, aws_error *err)
{
    const key_attr *parts[2] = {&ks->hash, &ks->range};
    size_t n = key_schema_has_range(ks) ? 2 : 1;
    for (size_t i = 0; i < n; i++) {
        json_t *av = member(item, parts[i]->name);
        if (av == NULL)
            return error_validation(err, "One or more parameter values were invalid: Missing the key %.*s in the item",
                                    SLICE_FMT(parts[i]->name));
        attr_type t = attr_type_of(av);
        if (t != parts[i]->type)
            return error_validation(err,
                                    "One or more parameter values were invalid: Type mismatch for key %.*s expected: "
                                    "%s actual: %s",
                                    SLICE_FMT(parts[i]->name), attr_type_name(parts[i]->type), attr_type_name(t));
        if (check_key_value(parts[i], i == 0, av, false, err) != 0)
            return -1;
    }
    return 0;
}

int item_index_key_validate(const key_schema *ks, slice index_name, const json_t *item, aws_error *err)
{
    const key_attr *parts[2] = {&ks->hash, &ks->range};
    size_t n = key_schema_has_range(ks) ? 2 : 1;
    for (size_t i = 0; i < n; i++) {
        json_t *av = member(item, parts[i]->name);
        if (av == NULL)
            continue;
        attr_type t = attr_type_of(av);
        if (t != parts[i]->type)
            return error_validation(err,
                                    "One or more parameter values were invalid: Type mismatch for Index Key %.*s "
                                    "Expected: %s Actual: %s IndexName: %.*s",
                                    SLICE_FMT(parts[i]->name), attr_type_name(parts[i]->type), attr_type_name(t),
                                    SLICE_FMT(index_name));
        if (check_key_value(parts[i], i == 0, av, false, err) != 0)
            return -1;
    }
    return 0;
}

bool item_has_key(const key_schema *ks, const json_t *item)
{
    json_t *h = member(item, ks->hash.name);
    if (h == NULL || attr_type_of(h) != ks->hash.type)
        return false;
    if (!key_schema_has_range(ks))
        return true;
    json_t *r = member(item, ks->range.name);
    return r != NULL && attr_type_of(r) == ks->range.type;
}

json_t *key_extract(const key_schema *ks, const json_t *item)
{
    json_t *h = member(item, ks->hash.name);
    if (h == NULL)
        return NULL;
    json_t *r = NULL;
    if (key_schema_has_range(ks)) {
        r = member(item, ks->range.name);
        if (r == NULL)
            return NULL;
    }
    json_t *key = json_object();
    json_object_setn(key, ks->hash.name.ptr, ks->hash.name.len, h);
    if (r != NULL)
        json_object_setn(key, ks->range.name.ptr, ks->range.name.len, r);
    return key;
}
