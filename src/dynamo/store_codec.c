/* Encoding glue: table keys, index keys and projected index entries of an item. */
#include "core/json.h"
#include "dynamo/item_codec.h"
#include "dynamo/store_internal.h"

int store_table_key(arena *a, const table_def *t, const json_t *item, slice *full, aws_error *err)
{
    return keyenc_table_key(a, &t->key, item, full, err);
}

int store_index_key(arena *a, const table_def *t, const index_def *ix, const json_t *item, slice *full, aws_error *err)
{
    return keyenc_index_key(a, &ix->key, &t->key, item, full, err);
}

static void copy_attr(json_t *to, const json_t *item, slice name)
{
    if (name.len == 0)
        return;
    json_t *v = json_object_getn(item, name.ptr, name.len);
    if (v != NULL)
        json_object_setn(to, name.ptr, name.len, v);
}

int store_index_value(arena *a, const table_def *t, const index_def *ix, const json_t *item, slice *out, size_t *size,
                      aws_error *err)
{
    if (ix->projection == PROJECTION_ALL) {
        *size = item_size(item);
        return item_encode(a, item, out, err);
    }
    arena *prev = json_arena_push(a);
    json_t *p = json_object();
    copy_attr(p, item, t->key.hash.name);
    copy_attr(p, item, t->key.range.name);
    copy_attr(p, item, ix->key.hash.name);
    copy_attr(p, item, ix->key.range.name);
    for (size_t i = 0; i < ix->n_non_key_attributes; i++)
        copy_attr(p, item, ix->non_key_attributes[i]);
    *size = item_size(p);
    int rc = item_encode(a, p, out, err);
    json_arena_pop(prev);
    return rc;
}
