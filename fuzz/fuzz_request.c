/*
 * Fuzz target for the value layer: arbitrary bytes as a request-like JSON item go through
 * validation, the item codec (encode, decode, compare) and the key codec (encode, decode, compare).
 * The same bytes are also fed to the item decoder raw, as if they had been read from storage.
 */
#include <stdint.h>
#include <stdlib.h>

#include "core/json.h"
#include "dynamo/attr.h"
#include "dynamo/item_codec.h"
#include "dynamo/key_codec.h"

static const key_schema schemas[] = {
    {{{"pk", 2}, ATTR_S}, {{"sk", 2}, ATTR_N}},
    {{{"id", 2}, ATTR_N}, {{NULL, 0}, ATTR_NONE}},
    {{{"b", 1}, ATTR_B}, {{"s", 1}, ATTR_S}},
};

static void check_item(arena *a, json_t *item)
{
    aws_error err;
    if (item_validate(item, &err) != 0)
        return;
    slice bytes;
    if (item_encode(a, item, &bytes, &err) != 0)
        abort(); /* a validated item always encodes */
    json_t *back;
    if (item_decode(bytes, &back, &err) != 0)
        abort();
    if (json_object_size(back) != json_object_size(item))
        abort();
    const char *k;
    size_t klen;
    json_t *v;
    json_object_keylen_foreach(item, k, klen, v)
    {
        json_t *w = json_object_getn(back, k, klen);
        if (w == NULL || !attr_equal(v, w) || !json_equal(v, w) || attr_size(v) != attr_size(w))
            abort();
    }
    for (size_t i = 0; i < sizeof(schemas) / sizeof(schemas[0]); i++) {
        const key_schema *ks = &schemas[i];
        if (item_key_validate(ks, item, &err) != 0)
            continue;
        slice key;
        if (keyenc_table_key(a, ks, item, &key, &err) != 0)
            abort();
        json_t *decoded;
        if (keyenc_decode_table_key(ks, key, &decoded, &err) != 0)
            abort();
        if (!attr_equal(json_object_getn(decoded, ks->hash.name.ptr, ks->hash.name.len),
                        json_object_getn(item, ks->hash.name.ptr, ks->hash.name.len)))
            abort();
        keyenc_range r;
        if (keyenc_query_range(a, ks, json_object_getn(item, ks->hash.name.ptr, ks->hash.name.len),
                               key_schema_has_range(ks) ? KEYENC_EQ : KEYENC_ALL,
                               json_object_getn(item, ks->range.name.ptr, ks->range.name.len), NULL, &r, &err) != 0)
            abort();
        if (!keyenc_range_contains(&r, key))
            abort();
        (void)keyenc_fit(a, key);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int initialised;
    if (!initialised) {
        json_glue_init();
        initialised = 1;
    }
    arena a;
    arena_init(&a, 4096);
    arena *prev = json_arena_push(&a);

    json_t *raw;
    aws_error err;
    if (item_decode(slice_make((const char *)data, size), &raw, &err) == 0) {
        slice again;
        if (item_encode(&a, raw, &again, &err) != 0)
            abort();
    }
    (void)attr_decode(slice_make((const char *)data, size), &raw, &err);

    json_t *doc = json_loadb((const char *)data, size, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
    if (doc != NULL) {
        if (json_is_object(doc)) {
            check_item(&a, doc);
        }
        /* Also as a single attribute value. */
        json_t *copy = json_deep_copy(doc);
        if (copy != NULL && attr_validate(copy, &err) == 0) {
            slice bytes;
            json_t *back;
            if (attr_encode(&a, copy, &bytes, &err) != 0 || attr_decode(bytes, &back, &err) != 0 ||
                !attr_equal(copy, back))
                abort();
            (void)attr_size_function(copy);
        }
    }

    json_arena_pop(prev);
    arena_destroy(&a);
    return 0;
}
