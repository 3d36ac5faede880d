#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "dynamo/attr.h"
#include "dynamo/item_codec.h"
#include "dynamo/key_codec.h"

static json_t *J(const char *text)
{
    json_error_t je;
    json_t *v = json_loads(text, JSON_DECODE_ANY | JSON_ALLOW_NUL, &je);
    cr_assert_not_null(v, "bad test JSON %s: %s", text, je.text);
    return v;
}

static arena A;
static arena *prev_arena;

static void setup(void)
{
    json_glue_init();
    arena_init(&A, 1 << 16);
    prev_arena = json_arena_push(&A);
}

static void teardown(void)
{
    json_arena_pop(prev_arena);
    arena_destroy(&A);
}

TestSuite(item_codec, .init = setup, .fini = teardown);
TestSuite(key_codec, .init = setup, .fini = teardown);

static json_t *random_number(void);

static void round_trip(const char *text)
{
    json_t *item = J(text);
    aws_error e;
    cr_assert_eq(item_validate(item, &e), 0, "%s: %s", text, e.message);
    slice bytes;
    cr_assert_eq(item_encode(&A, item, &bytes, &e), 0);
    json_t *back;
    cr_assert_eq(item_decode(bytes, &back, &e), 0, "%s", e.message);
    /* The size read from the bytes is the one counted on the item. */
    size_t size = 0;
    cr_assert_eq(item_encoded_size(bytes, &size, &e), 0, "%s", e.message);
    cr_assert_eq(size, item_size(item), "%s: %zu != %zu", text, size, item_size(item));
    /* Exactly the same JSON, member order included. */
    slice a = json_dump_slice(item, JSON_COMPACT), b = json_dump_slice(back, JSON_COMPACT);
    cr_assert(slice_eq(a, b), "%.*s != %.*s", SLICE_FMT(a), SLICE_FMT(b));
    /* And the same text written straight from the bytes. */
    buf out;
    buf_init(&out, &A, 16);
    cr_assert_eq(item_write_json(&out, bytes, &e), 0, "%s", e.message);
    slice direct = buf_slice(&out);
    cr_assert(slice_eq(direct, b), "%.*s != %.*s", SLICE_FMT(direct), SLICE_FMT(b));
}

Test(item_codec, round_trips_every_type)
{
    round_trip("{}");
    round_trip("{\"id\":{\"S\":\"abc\"},\"n\":{\"N\":\"-12.5\"},\"z\":{\"N\":\"0\"},\"b\":{\"B\":\"AAEC/w==\"}}");
    round_trip("{\"t\":{\"BOOL\":true},\"f\":{\"BOOL\":false},\"nul\":{\"NULL\":true},\"e\":{\"S\":\"\"},"
               "\"eb\":{\"B\":\"\"}}");
    round_trip("{\"m\":{\"M\":{\"x\":{\"L\":[{\"N\":\"1e125\"},{\"N\":\"-1e-130\"},{\"M\":{}},{\"L\":[]}]},"
               "\"\\u00e9k\":{\"S\":\"nul \\u0000 inside\"}}}}");
    round_trip("{\"ss\":{\"SS\":[\"b\",\"a\"]},\"ns\":{\"NS\":[\"3.14159265358979323846264338327950288\",\"-7\"]},"
               "\"bs\":{\"BS\":[\"QQ==\",\"Qg==\",\"AAAA\"]}}");
    round_trip("{\"n38\":{\"N\":\"12345678901234567890123456789012345678\"},"
               "\"n1\":{\"N\":\"0.00000000000000000000000000000000000000000000000000001\"}}");
}

Test(item_codec, encoded_size_and_text_match_the_tree_for_random_numbers)
{
    srand(11);
    for (int i = 0; i < 2000; i++) {
        json_t *item = json_object();
        json_object_set_new(item, "k", random_number());
        json_t *set = json_array(), *list = json_array();
        for (int j = 0; j < 2; j++) {
            json_array_append(set, attr_payload(random_number()));
            json_array_append_new(list, random_number());
        }
        json_object_set_new(item, "ns", attr_new(ATTR_NS, set));
        json_object_set_new(item, "l", attr_new(ATTR_L, list));
        aws_error e;
        slice bytes;
        size_t size;
        cr_assert_eq(item_encode(&A, item, &bytes, &e), 0);
        cr_assert_eq(item_encoded_size(bytes, &size, &e), 0);
        cr_assert_eq(size, item_size(item));
        buf text;
        buf_init(&text, &A, 16);
        cr_assert_eq(item_write_json(&text, bytes, &e), 0);
        slice direct = buf_slice(&text), tree = json_dump_slice(item, JSON_COMPACT);
        cr_assert(slice_eq(direct, tree), "%.*s != %.*s", SLICE_FMT(direct), SLICE_FMT(tree));
    }
}

Test(item_codec, single_values)
{
    aws_error e;
    json_t *v = J("{\"L\":[{\"S\":\"x\"},{\"NS\":[\"1\"]}]}");
    slice bytes;
    cr_assert_eq(attr_encode(&A, v, &bytes, &e), 0);
    json_t *back;
    cr_assert_eq(attr_decode(bytes, &back, &e), 0);
    cr_assert(attr_equal(v, back));
    json_t *bad = J("{\"Q\":1}");
    cr_assert_eq(attr_encode(&A, bad, &bytes, &e), -1);
}

Test(item_codec, compact)
{
    aws_error e;
    json_t *item = J("{\"id\":{\"S\":\"abc\"},\"n\":{\"N\":\"123456\"},\"b\":{\"B\":\"AAECAwQFBgcICQ==\"}}");
    slice bytes;
    cr_assert_eq(item_encode(&A, item, &bytes, &e), 0);
    /* 1 version + 1 count + (1+2+1+1+3) + (1+1+1+1+1+3) + (1+1+1+1+10) */
    cr_assert_eq(bytes.len, 1 + 1 + 8 + 8 + 14);
}

Test(item_codec, rejects_corrupt_input)
{
    aws_error e;
    json_t *item = J("{\"id\":{\"S\":\"abc\"},\"m\":{\"M\":{\"l\":{\"L\":[{\"N\":\"1.5\"},{\"BS\":[\"QQ==\"]}]}}},"
                     "\"ns\":{\"NS\":[\"1\",\"2\"]},\"b\":{\"BOOL\":true}}");
    slice bytes;
    cr_assert_eq(item_encode(&A, item, &bytes, &e), 0);
    json_t *out;
    /* Every truncation fails cleanly. */
    size_t size;
    for (size_t n = 0; n < bytes.len; n++) {
        buf text;
        buf_init(&text, &A, 16);
        cr_assert_eq(item_write_json(&text, slice_make(bytes.ptr, n), &e), -1, "truncated at %zu", n);
        cr_assert_eq(item_decode(slice_make(bytes.ptr, n), &out, &e), -1, "truncated at %zu", n);
        cr_assert_eq(item_encoded_size(slice_make(bytes.ptr, n), &size, &e), -1, "truncated at %zu", n);
    }
    cr_assert_str_eq(e.type, "InternalServerError");
    /* Trailing garbage too. */
    char *longer = arena_alloc(&A, bytes.len + 1);
    memcpy(longer, bytes.ptr, bytes.len);
    longer[bytes.len] = 0x01;
    cr_assert_eq(item_decode(slice_make(longer, bytes.len + 1), &out, &e), -1);
    /* Random byte flips never crash; whatever decodes is a well-formed item. */
    srand(7);
    char *copy = arena_alloc(&A, bytes.len);
    for (int iter = 0; iter < 5000; iter++) {
        memcpy(copy, bytes.ptr, bytes.len);
        int flips = 1 + rand() % 3;
        for (int f = 0; f < flips; f++)
            copy[rand() % bytes.len] = (char)(rand() & 0xFF);
        size_t size;
        int sized = item_encoded_size(slice_make(copy, bytes.len), &size, &e);
        buf text;
        buf_init(&text, &A, 16);
        int written = item_write_json(&text, slice_make(copy, bytes.len), &e);
        int decoded = item_decode(slice_make(copy, bytes.len), &out, &e);
        cr_assert_eq(written, decoded, "the text writer accepts exactly what decoding accepts");
        cr_assert(written == 0 || text.len == 0, "nothing written on refusal");
        if (decoded == 0) {
            slice again;
            cr_assert_eq(item_encode(&A, out, &again, &e), 0);
            cr_assert_eq(sized, 0, "what decodes is sized");
            /* Sizes agree whenever the bytes say what was decoded (a flipped name can repeat one,
             * and the decoded map keeps only the last). */
            if (slice_eq(again, slice_make(copy, bytes.len))) {
                cr_assert_eq(size, item_size(out));
                slice direct = buf_slice(&text), tree = json_dump_slice(out, JSON_COMPACT);
                cr_assert(slice_eq(direct, tree), "%.*s != %.*s", SLICE_FMT(direct), SLICE_FMT(tree));
            }
        }
    }
    /* Huge claimed counts and lengths. */
    const char evil[] = {0x01, (char)0xFF, (char)0xFF, (char)0xFF, (char)0xFF, 0x0F};
    cr_assert_eq(item_decode(slice_make(evil, sizeof evil), &out, &e), -1);
    const char evil2[] = {0x01, 0x01, 0x01, 'a', 0x01, (char)0xFF, (char)0xFF, (char)0xFF, 0x7F};
    cr_assert_eq(item_decode(slice_make(evil2, sizeof evil2), &out, &e), -1);
    const char badver[] = {0x02, 0x00};
    cr_assert_eq(item_decode(slice_make(badver, sizeof badver), &out, &e), -1);
    const char empty_ok[] = {0x01, 0x00};
    cr_assert_eq(item_decode(slice_make(empty_ok, sizeof empty_ok), &out, &e), 0);
    cr_assert_eq(json_object_size(out), 0);
}

/* ---- key codec ---- */

static slice enc1(attr_type t, json_t *v)
{
    uint8_t *buf = arena_alloc(&A, 4200);
    size_t n = keyenc_value(buf, 4200, t, v);
    cr_assert_gt(n, 0);
    return slice_make((const char *)buf, n);
}

static int sign(int c)
{
    return c < 0 ? -1 : c > 0 ? 1 : 0;
}

static json_t *random_number(void)
{
    char text[64];
    int nd = 1 + rand() % 38;
    int o = 0;
    if (rand() & 1)
        text[o++] = '-';
    for (int i = 0; i < nd; i++)
        text[o++] = (char)('0' + (i == 0 ? 1 + rand() % 9 : rand() % 10));
    /* Cluster exponents so that equal exponents and near prefixes are common. */
    int exp = rand() % 4 == 0 ? (rand() % 250) - 125 : (rand() % 7) - 3;
    int sci = exp + nd - 1;
    if (sci > 125)
        exp -= sci - 125;
    if (exp < -130)
        exp = -130;
    snprintf(text + o, sizeof text - (size_t)o, "e%d", exp);
    if (rand() % 20 == 0)
        strcpy(text, "0");
    json_t *v = attr_new(ATTR_N, json_string(text));
    aws_error e;
    cr_assert_eq(attr_validate(v, &e), 0, "%s: %s", text, e.message);
    return v;
}

Test(key_codec, numbers_sort_as_decimals)
{
    srand(1);
    enum { N = 600 };
    json_t *v[N];
    slice k[N];
    for (int i = 0; i < N; i++) {
        v[i] = random_number();
        k[i] = enc1(ATTR_N, v[i]);
        cr_assert_leq(k[i].len, 22);
    }
    for (int i = 0; i < N; i++) {
        for (int j = 0; j < N; j++) {
            int want = sign(attr_compare(v[i], v[j]));
            cr_assert_eq(sign(slice_cmp(k[i], k[j])), want, "%s vs %s", json_string_value(attr_payload(v[i])),
                         json_string_value(attr_payload(v[j])));
        }
    }
}

static json_t *random_bytes_value(attr_type t)
{
    char raw[16];
    int n = rand() % 8;
    for (int i = 0; i < n; i++) {
        int r = rand() % 6;
        raw[i] = r == 0 ? 0x00 : r == 1 ? (char)0xFF : r == 2 ? 0x01 : (char)('a' + rand() % 3);
    }
    if (t == ATTR_B)
        return attr_new_b(slice_make(raw, (size_t)n));
    /* S must be UTF-8: keep to ASCII plus NUL. */
    for (int i = 0; i < n; i++)
        raw[i] = (char)((unsigned char)raw[i] & 0x7F);
    return attr_new_s(slice_make(raw, (size_t)n));
}

Test(key_codec, strings_and_binary_sort_bytewise)
{
    srand(2);
    for (int t = 0; t < 2; t++) {
        attr_type type = t == 0 ? ATTR_S : ATTR_B;
        enum { N = 400 };
        json_t *v[N];
        slice k[N];
        for (int i = 0; i < N; i++) {
            v[i] = random_bytes_value(type);
            k[i] = enc1(type, v[i]);
        }
        for (int i = 0; i < N; i++) {
            for (int j = 0; j < N; j++) {
                cr_assert_eq(sign(slice_cmp(k[i], k[j])), sign(attr_compare(v[i], v[j])));
                /* Self-delimiting: no encoding is a proper prefix of another. */
                if (i != j && k[i].len < k[j].len)
                    cr_assert(memcmp(k[i].ptr, k[j].ptr, k[i].len) != 0 || attr_equal(v[i], v[j]));
            }
        }
    }
}

static const key_schema table_ks = {{{"pk", 2}, ATTR_S}, {{"sk", 2}, ATTR_N}};
static const key_schema index_ks = {{{"g", 1}, ATTR_B}, {{"r", 1}, ATTR_S}};

Test(key_codec, table_keys_round_trip)
{
    aws_error e;
    json_t *item = J("{\"pk\":{\"S\":\"user#1\\u0000x\"},\"sk\":{\"N\":\"-12.75\"},\"other\":{\"S\":\"y\"}}");
    slice k;
    cr_assert_eq(keyenc_table_key(&A, &table_ks, item, &k, &e), 0);
    json_t *key;
    cr_assert_eq(keyenc_decode_table_key(&table_ks, k, &key, &e), 0);
    cr_assert_eq(json_object_size(key), 2);
    cr_assert(attr_equal(json_object_get(key, "pk"), json_object_get(item, "pk")));
    cr_assert(attr_equal(json_object_get(key, "sk"), json_object_get(item, "sk")));
    /* Partition prefix is a prefix of the key. */
    slice p;
    cr_assert_eq(keyenc_partition_prefix(&A, &table_ks.hash, json_object_get(item, "pk"), &p, &e), 0);
    cr_assert(slice_starts_with(k, p));
    /* Corrupt keys are rejected, including a wrong hash prefix. */
    for (size_t n = 0; n < k.len; n++)
        cr_assert_eq(keyenc_decode_table_key(&table_ks, slice_make(k.ptr, n), &key, &e), -1);
    char *bad = arena_alloc(&A, k.len);
    memcpy(bad, k.ptr, k.len);
    bad[0] ^= 1;
    cr_assert_eq(keyenc_decode_table_key(&table_ks, slice_make(bad, k.len), &key, &e), -1);
    /* Missing or mistyped key attributes. */
    json_t *wrong = J("{\"pk\":{\"S\":\"a\"},\"sk\":{\"S\":\"1\"}}");
    cr_assert_eq(keyenc_table_key(&A, &table_ks, wrong, &k, &e), -1);
    cr_assert_str_eq(e.message, "The provided key element does not match the schema");
}

Test(key_codec, index_keys)
{
    aws_error e;
    json_t *item = J("{\"pk\":{\"S\":\"a\"},\"sk\":{\"N\":\"5\"},\"g\":{\"B\":\"AAD/\"},\"r\":{\"S\":\"zz\"}}");
    slice k;
    cr_assert_eq(keyenc_index_key(&A, &index_ks, &table_ks, item, &k, &e), 0);
    json_t *key;
    cr_assert_eq(keyenc_decode_index_key(&index_ks, &table_ks, k, &key, &e), 0);
    cr_assert_eq(json_object_size(key), 4);
    const char *names[] = {"pk", "sk", "g", "r"};
    for (int i = 0; i < 4; i++)
        cr_assert(attr_equal(json_object_get(key, names[i]), json_object_get(item, names[i])), "%s", names[i]);
    /* Sparse: no index key attribute, not in the index. */
    json_object_del(item, "r");
    cr_assert_eq(keyenc_index_key(&A, &index_ks, &table_ks, item, &k, &e), 1);
    /* Two items with the same index key get distinct, adjacent entries. */
    json_t *a = J("{\"pk\":{\"S\":\"a\"},\"sk\":{\"N\":\"1\"},\"g\":{\"B\":\"AA==\"},\"r\":{\"S\":\"x\"}}");
    json_t *b = J("{\"pk\":{\"S\":\"b\"},\"sk\":{\"N\":\"1\"},\"g\":{\"B\":\"AA==\"},\"r\":{\"S\":\"x\"}}");
    slice ka, kb;
    cr_assert_eq(keyenc_index_key(&A, &index_ks, &table_ks, a, &ka, &e), 0);
    cr_assert_eq(keyenc_index_key(&A, &index_ks, &table_ks, b, &kb, &e), 0);
    cr_assert_neq(slice_cmp(ka, kb), 0);
    keyenc_range r;
    cr_assert_eq(
        keyenc_query_range(&A, &index_ks, json_object_get(a, "g"), KEYENC_EQ, json_object_get(a, "r"), NULL, &r, &e),
        0);
    cr_assert(keyenc_range_contains(&r, ka));
    cr_assert(keyenc_range_contains(&r, kb));
}

/* Every key condition's range holds exactly the partition's keys that satisfy it. */
Test(key_codec, query_ranges_match_conditions)
{
    srand(3);
    aws_error e;
    enum { N = 150 };
    static const key_schema sks = {{{"pk", 2}, ATTR_N}, {{"sk", 2}, ATTR_S}};
    json_t *pk = attr_new(ATTR_N, json_string("42"));
    json_t *other_pk = attr_new(ATTR_N, json_string("43"));
    for (int t = 0; t < 2; t++) {
        const key_schema *ks = t == 0 ? &table_ks : &sks;
        json_t *hash = t == 0 ? attr_new_s(SLICE_LIT("p")) : pk;
        json_t *other = t == 0 ? attr_new_s(SLICE_LIT("q")) : other_pk;
        json_t *sk[N];
        slice keys[N], other_keys[N];
        for (int i = 0; i < N; i++) {
            sk[i] = t == 0 ? random_number() : random_bytes_value(ATTR_S);
            json_t *item = json_object();
            json_object_set(item, ks->hash.name.ptr, hash);
            json_object_set(item, ks->range.name.ptr, sk[i]);
            cr_assert_eq(keyenc_table_key(&A, ks, item, &keys[i], &e), 0);
            json_object_set(item, ks->hash.name.ptr, other);
            cr_assert_eq(keyenc_table_key(&A, ks, item, &other_keys[i], &e), 0);
        }
        for (int q = 0; q < 60; q++) {
            json_t *v1 = sk[rand() % N], *v2 = sk[rand() % N];
            if (attr_compare(v1, v2) > 0) {
                json_t *tmp = v1;
                v1 = v2;
                v2 = tmp;
            }
            json_t *prefix = NULL;
            if (t == 1) { /* begins_with on a prefix of some key */
                slice s = attr_s(v1);
                prefix = attr_new_s(slice_sub(s, 0, s.len > 0 ? (size_t)(rand() % (int)(s.len + 1)) : 0));
            }
            for (int op = KEYENC_ALL; op <= KEYENC_BEGINS_WITH; op++) {
                if (op == KEYENC_BEGINS_WITH && t == 0)
                    continue;
                keyenc_range r;
                json_t *a1 = op == KEYENC_BEGINS_WITH ? prefix : v1;
                cr_assert_eq(keyenc_query_range(&A, ks, hash, (keyenc_op)op, a1, v2, &r, &e), 0, "%s", e.message);
                for (int i = 0; i < N; i++) {
                    int c1 = attr_compare(sk[i], v1), c2 = attr_compare(sk[i], v2);
                    bool want;
                    switch (op) {
                    case KEYENC_ALL:
                        want = true;
                        break;
                    case KEYENC_EQ:
                        want = c1 == 0;
                        break;
                    case KEYENC_LT:
                        want = c1 < 0;
                        break;
                    case KEYENC_LE:
                        want = c1 <= 0;
                        break;
                    case KEYENC_GT:
                        want = c1 > 0;
                        break;
                    case KEYENC_GE:
                        want = c1 >= 0;
                        break;
                    case KEYENC_BETWEEN:
                        want = c1 >= 0 && c2 <= 0;
                        break;
                    default:
                        want = slice_starts_with(attr_s(sk[i]), attr_s(prefix));
                        break;
                    }
                    cr_assert_eq(keyenc_range_contains(&r, keys[i]), want, "op %d key %d", op, i);
                    cr_assert_not(keyenc_range_contains(&r, other_keys[i]));
                }
            }
        }
    }
    json_t *bad = attr_new_s(SLICE_LIT("x"));
    keyenc_range r;
    cr_assert_eq(keyenc_query_range(&A, &table_ks, attr_new_s(SLICE_LIT("p")), KEYENC_LT, bad, NULL, &r, &e), -1);
    cr_assert_str_eq(e.message,
                     "One or more parameter values were invalid: Condition parameter type does not match schema type");
}

Test(key_codec, scan_segments_partition_the_space)
{
    uint32_t totals[] = {1, 2, 3, 7, 1000, 1000000};
    for (size_t t = 0; t < sizeof(totals) / sizeof(totals[0]); t++) {
        uint32_t total = totals[t];
        keyenc_range prev = {SLICE_NULL, SLICE_NULL};
        uint32_t step = total > 5000 ? 997 : 1;
        for (uint32_t s = 0; s < total; s += step) {
            keyenc_range r;
            keyenc_segment_range(&A, s, total, &r);
            if (s == 0)
                cr_assert(slice_eq(r.start, slice_make("\0\0\0\0", 4)));
            if (s + 1 == total)
                cr_assert_null(r.end.ptr);
            else
                cr_assert_lt(slice_cmp(r.start, r.end), 0);
            if (step == 1 && s > 0)
                cr_assert(slice_eq(prev.end, r.start), "segments %u and %u of %u do not meet", s - 1, s, total);
            prev = r;
        }
    }
    /* Every key falls in exactly one segment. */
    aws_error e;
    srand(4);
    for (int i = 0; i < 200; i++) {
        json_t *item = json_object();
        json_object_set_new(item, "pk", random_bytes_value(ATTR_S));
        json_object_set_new(item, "sk", random_number());
        slice k;
        cr_assert_eq(keyenc_table_key(&A, &table_ks, item, &k, &e), 0);
        int hits = 0;
        for (uint32_t s = 0; s < 7; s++) {
            keyenc_range r;
            keyenc_segment_range(&A, s, 7, &r);
            hits += keyenc_range_contains(&r, k);
        }
        cr_assert_eq(hits, 1);
    }
}

Test(key_codec, after_prefix_end_and_fit)
{
    slice k = SLICE_LIT("abc");
    slice after = keyenc_after(&A, k);
    cr_assert_eq(after.len, 4);
    cr_assert_gt(slice_cmp(after, k), 0);
    slice end;
    cr_assert(keyenc_prefix_end(&A, SLICE_LIT("ab\xff\xff"), &end));
    cr_assert(slice_eq(end, SLICE_LIT("ac")));
    cr_assert_not(keyenc_prefix_end(&A, SLICE_LIT("\xff\xff"), &end));

    /* Short keys fit unchanged; long ones become prefix + hash, distinct and within LMDB's limit. */
    cr_assert(slice_eq(keyenc_fit(&A, k), k));
    char *long1 = arena_alloc(&A, 3000), *long2 = arena_alloc(&A, 3000);
    memset(long1, 'x', 3000);
    memset(long2, 'x', 3000);
    long2[2999] = 'y';
    slice f1 = keyenc_fit(&A, slice_make(long1, 3000)), f2 = keyenc_fit(&A, slice_make(long2, 3000));
    cr_assert_eq(f1.len, KEYENC_LMDB_MAX);
    cr_assert_neq(slice_cmp(f1, f2), 0);
    cr_assert_eq(memcmp(f1.ptr, long1, KEYENC_FIT_PREFIX), 0);

    keyenc_range r = {slice_make(long1, 3000), SLICE_NULL}, fitted;
    bool exact;
    keyenc_range_fit(&A, &r, &fitted, &exact);
    cr_assert_not(exact);
    cr_assert_leq(slice_cmp(fitted.start, f1), 0);
    r = (keyenc_range){SLICE_LIT("a"), SLICE_LIT("b")};
    keyenc_range_fit(&A, &r, &fitted, &exact);
    cr_assert(exact);
    cr_assert(slice_eq(fitted.start, r.start) && slice_eq(fitted.end, r.end));
}

Test(key_codec, binary_keys_with_long_values)
{
    /* A 2048-byte binary partition key of 0x00 bytes doubles under escaping and still decodes. */
    static const key_schema bks = {{{"b", 1}, ATTR_B}, {{NULL, 0}, ATTR_NONE}};
    char *raw = arena_calloc(&A, 2048);
    json_t *item = json_object();
    json_object_set_new(item, "b", attr_new_b(slice_make(raw, 2048)));
    aws_error e;
    cr_assert_eq(item_key_validate(&bks, item, &e), 0);
    slice k;
    cr_assert_eq(keyenc_table_key(&A, &bks, item, &k, &e), 0);
    cr_assert_eq(k.len, 4 + 2 * 2048 + 2);
    json_t *key;
    cr_assert_eq(keyenc_decode_table_key(&bks, k, &key, &e), 0);
    cr_assert(attr_equal(json_object_get(key, "b"), json_object_get(item, "b")));
}
