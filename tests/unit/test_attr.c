#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "core/json.h"
#include "dynamo/attr.h"

static json_t *J(const char *text)
{
    json_error_t je;
    json_t *v = json_loads(text, JSON_DECODE_ANY, &je);
    cr_assert_not_null(v, "bad test JSON %s: %s", text, je.text);
    return v;
}

/* Validates one attribute value; returns "" on success or the error "Type: message". */
static const char *check(const char *text)
{
    static char out[AWS_ERROR_MESSAGE_MAX + 64];
    json_t *v = J(text);
    aws_error e;
    error_clear(&e);
    if (attr_validate(v, &e) == 0)
        out[0] = '\0';
    else
        snprintf(out, sizeof out, "%s: %s", e.type, e.message);
    json_decref(v);
    return out;
}

/* Validates and returns the canonical JSON text. */
static const char *canonical(const char *text)
{
    static char out[4096];
    json_t *v = J(text);
    aws_error e;
    cr_assert_eq(attr_validate(v, &e), 0, "%s: %s", text, e.message);
    char *s = json_dumps(v, JSON_COMPACT);
    snprintf(out, sizeof out, "%s", s);
    free(s);
    json_decref(v);
    return out;
}

Test(attr, valid_values_pass)
{
    const char *ok[] = {
        "{\"S\":\"x\"}",
        "{\"S\":\"\"}",
        "{\"N\":\"12.5\"}",
        "{\"B\":\"AAEC\"}",
        "{\"B\":\"\"}",
        "{\"BOOL\":false}",
        "{\"NULL\":true}",
        "{\"M\":{}}",
        "{\"L\":[]}",
        "{\"SS\":[\"a\",\"b\"]}",
        "{\"NS\":[\"1\",\"2.5\"]}",
        "{\"BS\":[\"QQ==\",\"Qg==\"]}",
        "{\"M\":{\"a\":{\"L\":[{\"N\":\"1\"},{\"S\":\"x\"}]}}}",
    };
    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
        cr_assert_str_eq(check(ok[i]), "", "%s", ok[i]);
}

Test(attr, type_descriptor_errors)
{
    cr_assert_str_eq(check("{}"),
                     "ValidationException: Supplied AttributeValue is empty, must contain exactly one of the "
                     "supported datatypes");
    cr_assert_str_eq(check("{\"X\":\"a\"}"),
                     "ValidationException: Supplied AttributeValue is empty, must contain exactly one of the "
                     "supported datatypes");
    cr_assert_str_eq(check("{\"S\":null}"),
                     "ValidationException: Supplied AttributeValue is empty, must contain exactly one of the "
                     "supported datatypes");
    cr_assert_str_eq(check("{\"S\":\"a\",\"N\":\"1\"}"),
                     "ValidationException: Supplied AttributeValue has more than one datatypes set, must contain "
                     "exactly one of the supported datatypes");
    cr_assert_str_eq(check("{\"NULL\":false}"), "ValidationException: One or more parameter values were invalid: "
                                                "Null attribute value types must have the value of true");
    cr_assert_str_eq(check("{\"N\":\".\"}"), "ValidationException: A value provided cannot be converted into a number");
}

Test(attr, serialization_errors)
{
    cr_assert_str_eq(check("{\"S\":1}"), "SerializationException: NUMBER_VALUE cannot be converted to String");
    cr_assert_str_eq(check("{\"N\":123}"), "SerializationException: NUMBER_VALUE cannot be converted to String");
    cr_assert_str_eq(check("{\"N\":1.5}"), "SerializationException: DECIMAL_VALUE cannot be converted to String");
    cr_assert_str_eq(check("{\"S\":true}"), "SerializationException: TRUE_VALUE cannot be converted to String");
    cr_assert_str_eq(check("{\"S\":{}}"), "SerializationException: Start of structure or map found where not expected");
    cr_assert_str_eq(check("{\"BOOL\":5}"), "SerializationException: NUMBER_VALUE cannot be converted to Boolean");
    cr_assert_str_eq(check("{\"BOOL\":\"maybe\"}"), "SerializationException: Unexpected token received from parser");
    cr_assert_str_eq(check("{\"B\":\"abc\"}"),
                     "SerializationException: Base64 encoded length is expected a multiple of 4 bytes but found: 3");
    cr_assert_str_eq(check("{\"B\":\"QR==\"}"),
                     "SerializationException: Invalid last non-pad Base64 character dectected");
    cr_assert_str_eq(check("{\"B\":\"Q!==\"}"),
                     "SerializationException: Invalid Base64 character found in the encoded value");
    cr_assert_str_eq(check("{\"L\":{}}"), "SerializationException: Start of structure or map found where not expected");
    cr_assert_str_eq(check("{\"M\":[]}"),
                     "SerializationException: Unrecognized collection type "
                     "java.util.Map<java.lang.String, com.amazonaws.dynamodb.v20120810.AttributeValue>");
    cr_assert_str_eq(check("[]"), "SerializationException: Unrecognized collection type class "
                                  "com.amazonaws.dynamodb.v20120810.AttributeValue");
    cr_assert_str_eq(check("\"x\""), "SerializationException: Unexpected value type in payload");
    cr_assert_str_eq(check("{\"SS\":\"a\"}"), "SerializationException: Unexpected field type");
}

Test(attr, sets)
{
    cr_assert_str_eq(check("{\"SS\":[]}"),
                     "ValidationException: One or more parameter values were invalid: An string set  may not be empty");
    cr_assert_str_eq(check("{\"NS\":[]}"),
                     "ValidationException: One or more parameter values were invalid: An number set  may not be empty");
    cr_assert_str_eq(check("{\"BS\":[]}"),
                     "ValidationException: One or more parameter values were invalid: Binary sets should not be empty");
    cr_assert_str_eq(check("{\"SS\":[\"a\",\"a\"]}"),
                     "ValidationException: One or more parameter values were invalid: Input collection [a, a] contains "
                     "duplicates.");
    cr_assert_str_eq(check("{\"NS\":[\"1\",\"1.0\"]}"), "ValidationException: Input collection contains duplicates");
    cr_assert_str_eq(check("{\"BS\":[\"QQ==\",\"QQ==\"]}"),
                     "ValidationException: One or more parameter values were invalid: Input collection [QQ==, QQ==]of "
                     "type BS contains duplicates.");
    cr_assert_str_eq(check("{\"NS\":[\"1\",\"x\"]}"),
                     "ValidationException: The parameter cannot be converted to a numeric value: x");
    /* Many elements go through the sorting path. */
    char big[8192];
    int o = snprintf(big, sizeof big, "{\"SS\":[");
    for (int i = 0; i < 100; i++)
        o += snprintf(big + o, sizeof big - (size_t)o, "%s\"e%d\"", i ? "," : "", i % 99);
    snprintf(big + o, sizeof big - (size_t)o, "]}");
    cr_assert(strstr(check(big), "contains duplicates.") != NULL);
    big[strlen(big) - 2] = '\0';
    strcat(big, ",\"e99\"]}"); /* still has the e0 pair */
    cr_assert(strstr(check(big), "duplicates") != NULL);
}

Test(attr, canonicalises_in_place)
{
    cr_assert_str_eq(canonical("{\"N\":\"1E+2\"}"), "{\"N\":\"100\"}");
    cr_assert_str_eq(canonical("{\"NS\":[\"0.00100\",\"-0\"]}"), "{\"NS\":[\"0.001\",\"0\"]}");
    cr_assert_str_eq(canonical("{\"M\":{\"a\":{\"N\":\"007\"}}}"), "{\"M\":{\"a\":{\"N\":\"7\"}}}");
    cr_assert_str_eq(canonical("{\"L\":[{\"N\":\"+5.0\"}]}"), "{\"L\":[{\"N\":\"5\"}]}");
    cr_assert_str_eq(canonical("{\"BOOL\":\"true\"}"), "{\"BOOL\":true}");
    cr_assert_str_eq(canonical("{\"S\":\"x\",\"junk\":1}"), "{\"S\":\"x\"}");
}

static json_t *nested(int containers, bool list)
{
    json_t *v = attr_new_s(SLICE_LIT("x"));
    for (int i = 0; i < containers; i++) {
        if (list) {
            json_t *a = json_array();
            json_array_append_new(a, v);
            v = attr_new(ATTR_L, a);
        } else {
            json_t *m = json_object();
            json_object_set_new(m, "k", v);
            v = attr_new(ATTR_M, m);
        }
    }
    return v;
}

Test(attr, nesting_limit)
{
    aws_error e;
    for (int list = 0; list < 2; list++) {
        json_t *ok = nested(31, list), *deep = nested(32, list);
        cr_assert_eq(attr_validate(ok, &e), 0);
        cr_assert_eq(attr_validate(deep, &e), -1);
        cr_assert_str_eq(e.message, "Nesting Levels have exceeded supported limits: Attributes in the item have "
                                    "nested levels beyond supported limit");
        json_decref(ok);
        json_decref(deep);
    }
}

Test(attr, item_validation_and_size)
{
    aws_error e;
    json_t *item = J("{\"id\":{\"S\":\"abc\"},\"n\":{\"N\":\"12.50\"}}");
    cr_assert_eq(item_validate(item, &e), 0);
    cr_assert_str_eq(json_string_value(json_object_get(json_object_get(item, "n"), "N")), "12.5");
    /* "id"(2) + "abc"(3) + "n"(1) + 12.5 -> base-100 digits 12|50: 2 + 1 = 3 */
    cr_assert_eq(item_size(item), 2 + 3 + 1 + 3);
    json_decref(item);

    item = J("{\"\":{\"S\":\"x\"}}");
    cr_assert_eq(item_validate(item, &e), -1);
    json_decref(item);

    /* 400 KB limit counts names and values. */
    size_t n = ITEM_MAX_BYTES - 2;
    char *big = malloc(n + 1);
    memset(big, 'a', n);
    big[n] = '\0';
    item = json_object();
    json_object_set_new(item, "id", attr_new_s(slice_make(big, n)));
    cr_assert_eq(item_validate(item, &e), 0);
    json_object_set_new(item, "x", attr_new_bool(true));
    cr_assert_eq(item_validate(item, &e), -1);
    cr_assert_str_eq(e.message, "Item size has exceeded the maximum allowed size");
    json_decref(item);
    free(big);
}

static size_t size_of(const char *text)
{
    json_t *v = J(text);
    size_t s = attr_size(v);
    json_decref(v);
    return s;
}

Test(attr, value_sizes)
{
    cr_assert_eq(size_of("{\"S\":\"h\\u00e9\"}"), 3); /* UTF-8 bytes */
    cr_assert_eq(size_of("{\"B\":\"AAEC\"}"), 3);
    cr_assert_eq(size_of("{\"N\":\"0\"}"), 1);
    cr_assert_eq(size_of("{\"N\":\"1\"}"), 2);
    cr_assert_eq(size_of("{\"N\":\"10\"}"), 2);
    cr_assert_eq(size_of("{\"N\":\"100\"}"), 2);
    cr_assert_eq(size_of("{\"N\":\"1.2\"}"), 3);
    cr_assert_eq(size_of("{\"N\":\"12\"}"), 2);
    cr_assert_eq(size_of("{\"N\":\"-12\"}"), 3);
    cr_assert_eq(size_of("{\"N\":\"123\"}"), 3);
    cr_assert_eq(size_of("{\"BOOL\":true}"), 1);
    cr_assert_eq(size_of("{\"NULL\":true}"), 1);
    cr_assert_eq(size_of("{\"L\":[]}"), 3);
    cr_assert_eq(size_of("{\"M\":{}}"), 3);
    cr_assert_eq(size_of("{\"L\":[{\"S\":\"ab\"},{\"BOOL\":true}]}"), 3 + (1 + 2) + (1 + 1));
    cr_assert_eq(size_of("{\"M\":{\"ab\":{\"S\":\"xyz\"}}}"), 3 + 1 + 2 + 3);
    cr_assert_eq(size_of("{\"SS\":[\"ab\",\"c\"]}"), 3);
}

static int64_t sizefn(const char *text)
{
    json_t *v = J(text);
    int64_t s = attr_size_function(v);
    json_decref(v);
    return s;
}

Test(attr, size_function)
{
    /* UTF-16 code units: e-acute is one, U+1D11E (musical G clef) is two. */
    cr_assert_eq(sizefn("{\"S\":\"\\u00e9\\ud834\\udd1e\"}"), 3);
    cr_assert_eq(sizefn("{\"S\":\"abc\"}"), 3);
    cr_assert_eq(sizefn("{\"B\":\"AAEC\"}"), 3);
    cr_assert_eq(sizefn("{\"SS\":[\"a\",\"b\"]}"), 2);
    cr_assert_eq(sizefn("{\"L\":[{\"N\":\"1\"}]}"), 1);
    cr_assert_eq(sizefn("{\"M\":{\"a\":{\"N\":\"1\"},\"b\":{\"N\":\"2\"}}}"), 2);
    cr_assert_eq(sizefn("{\"N\":\"1\"}"), -1);
    cr_assert_eq(sizefn("{\"BOOL\":true}"), -1);
}

static bool eq(const char *a, const char *b)
{
    json_t *x = J(a), *y = J(b);
    bool r = attr_equal(x, y);
    json_decref(x);
    json_decref(y);
    return r;
}

static int cmp(const char *a, const char *b)
{
    json_t *x = J(a), *y = J(b);
    int r = attr_compare(x, y);
    json_decref(x);
    json_decref(y);
    return r < 0 ? -1 : r > 0 ? 1 : 0;
}

Test(attr, equality)
{
    cr_assert(eq("{\"S\":\"a\"}", "{\"S\":\"a\"}"));
    cr_assert_not(eq("{\"S\":\"a\"}", "{\"S\":\"b\"}"));
    cr_assert(eq("{\"N\":\"1.0\"}", "{\"N\":\"1\"}"));
    cr_assert_not(eq("{\"N\":\"1\"}", "{\"S\":\"1\"}"));
    cr_assert(eq("{\"SS\":[\"a\",\"b\",\"c\"]}", "{\"SS\":[\"c\",\"a\",\"b\"]}"));
    cr_assert_not(eq("{\"SS\":[\"a\",\"b\"]}", "{\"SS\":[\"a\",\"c\"]}"));
    cr_assert(eq("{\"NS\":[\"1\",\"2\"]}", "{\"NS\":[\"2\",\"1.00\"]}"));
    cr_assert(eq("{\"L\":[{\"S\":\"a\"},{\"N\":\"1\"}]}", "{\"L\":[{\"S\":\"a\"},{\"N\":\"1\"}]}"));
    cr_assert_not(eq("{\"L\":[{\"S\":\"a\"},{\"N\":\"1\"}]}", "{\"L\":[{\"N\":\"1\"},{\"S\":\"a\"}]}"));
    cr_assert(eq("{\"M\":{\"a\":{\"S\":\"x\"},\"b\":{\"BOOL\":true}}}",
                 "{\"M\":{\"b\":{\"BOOL\":true},\"a\":{\"S\":\"x\"}}}"));
    cr_assert_not(eq("{\"M\":{\"a\":{\"S\":\"x\"}}}", "{\"M\":{\"a\":{\"S\":\"y\"}}}"));
    cr_assert(eq("{\"NULL\":true}", "{\"NULL\":true}"));
    /* Large sets take the sorting path. */
    char a[4096], b[4096];
    int oa = snprintf(a, sizeof a, "{\"SS\":["), ob = snprintf(b, sizeof b, "{\"SS\":[");
    for (int i = 0; i < 100; i++) {
        oa += snprintf(a + oa, sizeof a - (size_t)oa, "%s\"e%d\"", i ? "," : "", i);
        ob += snprintf(b + ob, sizeof b - (size_t)ob, "%s\"e%d\"", i ? "," : "", 99 - i);
    }
    snprintf(a + oa, sizeof a - (size_t)oa, "]}");
    snprintf(b + ob, sizeof b - (size_t)ob, "]}");
    cr_assert(eq(a, b));
    char *last = strstr(b, "\"e0\"");
    last[2] = '7'; /* e0 -> e7: b no longer holds e0 */
    cr_assert_not(eq(a, b));
    cr_assert_not(eq("{\"BOOL\":true}", "{\"BOOL\":false}"));
}

Test(attr, ordering)
{
    cr_assert_eq(cmp("{\"S\":\"a\"}", "{\"S\":\"b\"}"), -1);
    cr_assert_eq(cmp("{\"S\":\"ab\"}", "{\"S\":\"a\"}"), 1);
    cr_assert_eq(cmp("{\"S\":\"Z\"}", "{\"S\":\"a\"}"), -1);
    cr_assert_eq(cmp("{\"S\":\"\\u00e9\"}", "{\"S\":\"z\"}"), 1); /* UTF-8 bytes */
    cr_assert_eq(cmp("{\"N\":\"-10\"}", "{\"N\":\"9\"}"), -1);
    cr_assert_eq(cmp("{\"N\":\"10\"}", "{\"N\":\"9\"}"), 1);
    cr_assert_eq(cmp("{\"N\":\"2.50\"}", "{\"N\":\"2.5\"}"), 0);
    /* Binary compares bytes, not base64 text: 0x3f ("Pw==") < 0xfb ("+w==") although 'P' > '+'. */
    cr_assert_eq(cmp("{\"B\":\"Pw==\"}", "{\"B\":\"+w==\"}"), -1);
    cr_assert_eq(cmp("{\"B\":\"AAE=\"}", "{\"B\":\"AA==\"}"), 1);
    cr_assert_eq(cmp("{\"B\":\"AAECAw==\"}", "{\"B\":\"AAECAw==\"}"), 0);
}

Test(attr, types_and_builders)
{
    cr_assert_str_eq(attr_type_name(ATTR_NS), "NS");
    cr_assert_eq(attr_type_from_name(SLICE_LIT("BOOL")), ATTR_BOOL);
    cr_assert_eq(attr_type_from_name(SLICE_LIT("X")), ATTR_NONE);
    cr_assert_eq(attr_set_element_type(ATTR_BS), ATTR_B);
    cr_assert_eq(attr_set_type_of(ATTR_N), ATTR_NS);
    json_glue_init();
    arena a;
    arena_init(&a, 4096);
    arena *prev = json_arena_push(&a);
    json_t *b = attr_new_b(SLICE_LIT("\x00\x01\x02"));
    cr_assert_str_eq(json_string_value(attr_payload(b)), "AAEC");
    slice raw;
    cr_assert_eq(attr_b_decode(&a, b, &raw), 0);
    cr_assert_eq(raw.len, 3);
    cr_assert_eq(memcmp(raw.ptr, "\x00\x01\x02", 3), 0);
    json_t *n = attr_new_n_int64(-42);
    cr_assert_eq(attr_type_of(n), ATTR_N);
    decimal d;
    cr_assert_eq(attr_n(n, &d), 0);
    int64_t v;
    cr_assert(decimal_to_int64(&d, &v));
    cr_assert_eq(v, -42);
    cr_assert(slice_eq_cstr(base64_encode(&a, SLICE_LIT("hello")), "aGVsbG8="));
    cr_assert_eq(base64_decode(&a, SLICE_LIT("aGVsbG8="), &raw), 0);
    cr_assert(slice_eq_cstr(raw, "hello"));
    json_arena_pop(prev);
    arena_destroy(&a);
}

static const key_schema pk_sk = {{{"pk", 2}, ATTR_S}, {{"sk", 2}, ATTR_N}};
static const key_schema pk_only = {{{"id", 2}, ATTR_B}, {{NULL, 0}, ATTR_NONE}};

static const char *key_check(const key_schema *ks, const char *text, bool is_item)
{
    static char out[AWS_ERROR_MESSAGE_MAX];
    json_t *v = J(text);
    aws_error e;
    error_clear(&e);
    int rc = is_item ? (item_validate(v, &e) == 0 ? item_key_validate(ks, v, &e) : -1) : key_validate(ks, v, &e);
    snprintf(out, sizeof out, "%s", rc == 0 ? "" : e.message);
    json_decref(v);
    return out;
}

Test(attr, key_maps)
{
    const char *mismatch = "The provided key element does not match the schema";
    cr_assert_str_eq(key_check(&pk_sk, "{\"pk\":{\"S\":\"a\"},\"sk\":{\"N\":\"1\"}}", false), "");
    cr_assert_str_eq(key_check(&pk_sk, "{\"pk\":{\"S\":\"a\"}}", false), mismatch);
    cr_assert_str_eq(key_check(&pk_sk, "{\"pk\":{\"S\":\"a\"},\"sk\":{\"S\":\"1\"}}", false), mismatch);
    cr_assert_str_eq(key_check(&pk_sk, "{\"pk\":{\"S\":\"a\"},\"other\":{\"N\":\"1\"}}", false), mismatch);
    cr_assert_str_eq(key_check(&pk_sk, "{\"pk\":{\"S\":\"a\"},\"sk\":{\"N\":\"1\"},\"x\":{\"N\":\"1\"}}", false),
                     mismatch);
    cr_assert_str_eq(key_check(&pk_sk, "{\"pk\":{\"S\":\"\"},\"sk\":{\"N\":\"1\"}}", false),
                     "One or more parameter values were invalid: The AttributeValue for a key attribute cannot contain "
                     "an empty string value. Key: pk");
    cr_assert_str_eq(key_check(&pk_only, "{\"id\":{\"B\":\"\"}}", false),
                     "One or more parameter values were invalid: The AttributeValue for a key attribute cannot contain "
                     "an empty binary value. Key: id");
    cr_assert_str_eq(key_check(&pk_sk, "{\"sk\":{\"N\":\"1\"}}", true),
                     "One or more parameter values were invalid: Missing the key pk in the item");
    cr_assert_str_eq(key_check(&pk_sk, "{\"pk\":{\"N\":\"1\"},\"sk\":{\"N\":\"1\"}}", true),
                     "One or more parameter values were invalid: Type mismatch for key pk expected: S actual: N");
    cr_assert_str_eq(key_check(&pk_sk, "{\"pk\":{\"S\":\"\"},\"sk\":{\"N\":\"1\"}}", true),
                     "One or more parameter values are not valid. The AttributeValue for a key attribute cannot "
                     "contain an empty string value. Key: pk");

    /* Size limits: 2048 bytes partition key, 1024 bytes sort key. */
    static const key_schema ss = {{{"h", 1}, ATTR_S}, {{"r", 1}, ATTR_S}};
    char *buf = malloc(5000);
    char *h = malloc(2100), *r = malloc(1100);
    memset(h, 'h', 2049);
    h[2049] = '\0';
    memset(r, 'r', 1024);
    r[1024] = '\0';
    snprintf(buf, 5000, "{\"h\":{\"S\":\"%s\"},\"r\":{\"S\":\"%s\"}}", h + 1, r);
    cr_assert_str_eq(key_check(&ss, buf, false), "");
    snprintf(buf, 5000, "{\"h\":{\"S\":\"%s\"},\"r\":{\"S\":\"%s\"}}", h, r);
    cr_assert_str_eq(key_check(&ss, buf, true), "One or more parameter values were invalid: Size of hashkey has "
                                                "exceeded the maximum size limit of2048 bytes");
    snprintf(buf, 5000, "{\"h\":{\"S\":\"a\"},\"r\":{\"S\":\"%sr\"}}", r);
    cr_assert_str_eq(key_check(&ss, buf, false), "One or more parameter values were invalid: Aggregated size of all "
                                                 "range keys has exceeded the size limit of 1024 bytes");
    free(buf);
    free(h);
    free(r);
}

Test(attr, index_keys_and_extract)
{
    static const key_schema gsi = {{{"g", 1}, ATTR_S}, {{NULL, 0}, ATTR_NONE}};
    aws_error e;
    json_t *item = J("{\"pk\":{\"S\":\"a\"},\"sk\":{\"N\":\"1\"},\"g\":{\"N\":\"5\"}}");
    cr_assert_eq(item_index_key_validate(&gsi, SLICE_LIT("ByG"), item, &e), -1);
    cr_assert_str_eq(e.message, "One or more parameter values were invalid: Type mismatch for Index Key g Expected: S "
                                "Actual: N IndexName: ByG");
    cr_assert_not(item_has_key(&gsi, item));
    cr_assert(item_has_key(&pk_sk, item));
    json_t *key = key_extract(&pk_sk, item);
    cr_assert_eq(json_object_size(key), 2);
    cr_assert(attr_equal(json_object_get(key, "sk"), json_object_get(item, "sk")));
    json_decref(key);
    json_object_del(item, "g");
    cr_assert_eq(item_index_key_validate(&gsi, SLICE_LIT("ByG"), item, &e), 0);
    cr_assert_null(key_extract(&gsi, item));
    json_decref(item);
}
