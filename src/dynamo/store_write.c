/* The write primitives of jobs: items with their index entries and counters, and catalog changes. */
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "dynamo/item_codec.h"
#include "dynamo/store_internal.h"

arena *store_tx_arena(store_tx *tx)
{
    return tx->job->arena;
}
store *store_tx_store(store_tx *tx)
{
    return tx->s;
}

static store_catalog *tx_catalog(store_tx *tx)
{
    return tx->s->staged != NULL ? tx->s->staged : atomic_load(&tx->s->current);
}

const table_def *store_tx_table(store_tx *tx, slice name)
{
    store_catalog *c = tx_catalog(tx);
    return c != NULL ? catalog_find(c, name) : NULL;
}

/* ---- counters ---- */

int stats_read(MDB_txn *txn, store *s, const table_def *t, slice index_name, store_stats *out)
{
    char buf[512];
    memset(out, 0, sizeof(*out));
    size_t n = t->id.len + (index_name.ptr != NULL ? 1 + index_name.len : 0);
    if (n > sizeof(buf))
        return -1;
    memcpy(buf, t->id.ptr, t->id.len);
    if (index_name.ptr != NULL) {
        buf[t->id.len] = '\0';
        memcpy(buf + t->id.len + 1, index_name.ptr, index_name.len);
    }
    MDB_val k = {n, buf}, v;
    int rc = mdb_get(txn, s->stats_dbi, &k, &v);
    if (rc == MDB_NOTFOUND)
        return 0;
    if (rc != 0 || v.mv_size != sizeof(*out))
        return -1;
    memcpy(out, v.mv_data, sizeof(*out));
    return 0;
}

int stats_add(MDB_txn *txn, store *s, const table_def *t, const index_def *ix, int64_t items, int64_t bytes)
{
    if (items == 0 && bytes == 0)
        return 0;
    store_stats st;
    slice name = ix != NULL ? ix->name : SLICE_NULL;
    if (stats_read(txn, s, t, name, &st) != 0)
        memset(&st, 0, sizeof(st));
    st.item_count += items;
    st.size_bytes += bytes;
    if (st.item_count < 0)
        st.item_count = 0;
    if (st.size_bytes < 0)
        st.size_bytes = 0;
    char buf[512];
    size_t n = t->id.len + (ix != NULL ? 1 + ix->name.len : 0);
    if (n > sizeof(buf))
        return -1;
    memcpy(buf, t->id.ptr, t->id.len);
    if (ix != NULL) {
        buf[t->id.len] = '\0';
        memcpy(buf + t->id.len + 1, ix->name.ptr, ix->name.len);
    }
    MDB_val k = {n, buf}, v = {sizeof(st), &st};
    return mdb_put(txn, s->stats_dbi, &k, &v, 0) == 0 ? 0 : -1;
}

int stats_delete_table(MDB_txn *txn, store *s, const table_def *t)
{
    MDB_cursor *c;
    if (mdb_cursor_open(txn, s->stats_dbi, &c) != 0)
        return -1;
    MDB_val k = {t->id.len, (void *)t->id.ptr}, v;
    int rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE);
    while (rc == 0 && k.mv_size >= t->id.len && memcmp(k.mv_data, t->id.ptr, t->id.len) == 0 &&
           (k.mv_size == t->id.len || ((const char *)k.mv_data)[t->id.len] == '\0')) {
        mdb_cursor_del(c, 0);
        rc = mdb_cursor_get(c, &k, &v, MDB_GET_CURRENT);
        if (rc != 0) /* the cursor sits past the end after deleting the last key */
            break;
    }
    mdb_cursor_close(c);
    return 0;
}

int store_tx_stats(store_tx *tx, const table_def *t, slice index_name, store_stats *out)
{
    return stats_read(tx->txn, tx->s, t, index_name, out);
}

/* ---- items ---- */

static int get_old(store_tx *tx, const table_def *t, slice lmdb_key, json_t **old, aws_error *err)
{
    *old = NULL;
    MDB_val k = {lmdb_key.len, (void *)lmdb_key.ptr}, v;
    int rc = mdb_get(tx->txn, t->dbi, &k, &v);
    if (rc == MDB_NOTFOUND)
        return 0;
    if (rc != 0)
        return store_lmdb_error(err, rc, "read");
    return item_decode(slice_make(v.mv_data, v.mv_size), old, err);
}

int store_tx_get_item(store_tx *tx, const table_def *t, const json_t *key, json_t **item, aws_error *err)
{
    slice full;
    *item = NULL;
    if (store_table_key(tx->scratch, t, key, &full, err) != 0)
        return -1;
    return get_old(tx, t, keyenc_fit(tx->scratch, full), item, err);
}

static int index_put(store_tx *tx, const table_def *t, const index_def *ix, const json_t *item, aws_error *err)
{
    slice full, value;
    size_t size;
    int rc = store_index_key(tx->scratch, t, ix, item, &full, err);
    if (rc != 0)
        return rc < 0 ? -1 : 0; /* 1: not in this (sparse) index */
    if (store_index_value(tx->scratch, t, ix, item, &value, &size, err) != 0)
        return -1;
    slice k = keyenc_fit(tx->scratch, full);
    MDB_val mk = {k.len, (void *)k.ptr}, mv = {value.len, (void *)value.ptr};
    rc = mdb_put(tx->txn, ix->dbi, &mk, &mv, 0);
    if (rc != 0)
        return store_lmdb_error(err, rc, "write an index entry");
    if (stats_add(tx->txn, tx->s, t, ix, 1, (int64_t)size) != 0)
        return error_set(err, 500, "InternalServerError", "Internal server error (index counters)");
    return 0;
}

static int index_remove(store_tx *tx, const table_def *t, const index_def *ix, const json_t *item, aws_error *err)
{
    slice full, value;
    size_t size;
    int rc = store_index_key(tx->scratch, t, ix, item, &full, err);
    if (rc != 0)
        return rc < 0 ? -1 : 0;
    slice k = keyenc_fit(tx->scratch, full);
    MDB_val mk = {k.len, (void *)k.ptr};
    rc = mdb_del(tx->txn, ix->dbi, &mk, NULL);
    if (rc == MDB_NOTFOUND)
        return 0;
    if (rc != 0)
        return store_lmdb_error(err, rc, "delete an index entry");
    if (store_index_value(tx->scratch, t, ix, item, &value, &size, err) != 0)
        return -1;
    if (stats_add(tx->txn, tx->s, t, ix, -1, -(int64_t)size) != 0)
        return error_set(err, 500, "InternalServerError", "Internal server error (index counters)");
    return 0;
}

/* The put itself, over `old` (the item stored under key k, NULL when none). */
static int put_over(store_tx *tx, const table_def *t, slice k, const json_t *item, const json_t *old, aws_error *err)
{
    slice value;
    if (item_encode(tx->scratch, item, &value, err) != 0)
        return -1;
    MDB_val mk = {k.len, (void *)k.ptr}, mv = {value.len, (void *)value.ptr};
    int rc = mdb_put(tx->txn, t->dbi, &mk, &mv, 0);
    if (rc != 0)
        return store_lmdb_error(err, rc, "write an item");
    int64_t delta = (int64_t)item_size(item) - (old != NULL ? (int64_t)item_size(old) : 0);
    if (stats_add(tx->txn, tx->s, t, NULL, old != NULL ? 0 : 1, delta) != 0)
        return error_set(err, 500, "InternalServerError", "Internal server error (table counters)");
    for (size_t i = 0; i < t->n_indexes; i++) {
        const index_def *ix = &t->indexes[i];
        if (old != NULL && index_remove(tx, t, ix, old, err) != 0)
            return -1;
        if (index_put(tx, t, ix, item, err) != 0)
            return -1;
    }
    return 0;
}

int store_tx_put_item(store_tx *tx, const table_def *t, const json_t *item, json_t **old_item, aws_error *err)
{
    tx->wrote = true;
    slice full;
    json_t *old;
    if (old_item != NULL)
        *old_item = NULL;
    if (store_table_key(tx->scratch, t, item, &full, err) != 0)
        return -1;
    slice k = keyenc_fit(tx->scratch, full);
    if (get_old(tx, t, k, &old, err) != 0 || put_over(tx, t, k, item, old, err) != 0)
        return -1;
    if (old_item != NULL)
        *old_item = old;
    return 0;
}

int store_tx_put_item_over(store_tx *tx, const table_def *t, const json_t *item, const json_t *old, aws_error *err)
{
    tx->wrote = true;
    slice full;
    if (store_table_key(tx->scratch, t, item, &full, err) != 0)
        return -1;
    return put_over(tx, t, keyenc_fit(tx->scratch, full), item, old, err);
}

int store_tx_delete_item(store_tx *tx, const table_def *t, const json_t *key, json_t **old_item, aws_error *err)
{
    tx->wrote = true;
    slice full;
    json_t *old;
    if (old_item != NULL)
        *old_item = NULL;
    if (store_table_key(tx->scratch, t, key, &full, err) != 0)
        return -1;
    slice k = keyenc_fit(tx->scratch, full);
    if (get_old(tx, t, k, &old, err) != 0)
        return -1;
    if (old == NULL)
        return 0;
    MDB_val mk = {k.len, (void *)k.ptr};
    int rc = mdb_del(tx->txn, t->dbi, &mk, NULL);
    if (rc != 0)
        return store_lmdb_error(err, rc, "delete an item");
    if (stats_add(tx->txn, tx->s, t, NULL, -1, -(int64_t)item_size(old)) != 0)
        return error_set(err, 500, "InternalServerError", "Internal server error (table counters)");
    for (size_t i = 0; i < t->n_indexes; i++)
        if (index_remove(tx, t, &t->indexes[i], old, err) != 0)
            return -1;
    if (old_item != NULL)
        *old_item = old;
    return 0;
}

/* Adds the entries of every existing item to a new index. Items are decoded in a scratch arena
 * reset after each one, so a large table does not pile up in memory. */
int index_backfill(store_tx *tx, const table_def *t, const index_def *ix, aws_error *err)
{
    tx->wrote = true;
    MDB_cursor *c;
    int rc = mdb_cursor_open(tx->txn, t->dbi, &c);
    if (rc != 0)
        return store_lmdb_error(err, rc, "open a cursor");
    arena tmp;
    arena_init(&tmp, 64 * 1024);
    arena *saved_scratch = tx->scratch;
    tx->scratch = &tmp;
    arena *prev = json_arena_push(&tmp);
    MDB_val k, v;
    int status = 0;
    for (rc = mdb_cursor_get(c, &k, &v, MDB_FIRST); rc == 0; rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
        json_t *item;
        if (item_decode(slice_make(v.mv_data, v.mv_size), &item, err) != 0 || index_put(tx, t, ix, item, err) != 0) {
            status = -1;
            break;
        }
        arena_reset(&tmp);
    }
    if (status == 0 && rc != MDB_NOTFOUND)
        status = store_lmdb_error(err, rc, "walk a table");
    json_arena_pop(prev);
    tx->scratch = saved_scratch;
    arena_destroy(&tmp);
    mdb_cursor_close(c);
    return status;
}

/* ---- catalog changes ---- */

static int put_definition(store_tx *tx, const table_def *t, aws_error *err, unsigned flags)
{
    arena *prev = json_arena_push(tx->scratch);
    slice text = json_dump_slice(t->definition, JSON_COMPACT);
    json_arena_pop(prev);
    MDB_val k = {t->name.len, (void *)t->name.ptr}, v = {text.len, (void *)text.ptr};
    int rc = mdb_put(tx->txn, tx->s->catalog_dbi, &k, &v, flags);
    if (rc == MDB_KEYEXIST)
        return error_set(err, 400, "ResourceInUseException", "Table already exists: %.*s", SLICE_FMT(t->name));
    if (rc != 0)
        return store_lmdb_error(err, rc, "write the catalog");
    return 0;
}

int store_tx_create_table(store_tx *tx, const json_t *definition, const table_def **out, aws_error *err)
{
    tx->wrote = true;
    slice name = json_string_slice(json_object_get(definition, "TableName"));
    if (store_tx_table(tx, name) != NULL)
        return error_set(err, 400, "ResourceInUseException", "Table already exists: %.*s", SLICE_FMT(name));
    table_def *t = table_def_from_definition(tx->s, definition, tx->txn, true, err);
    if (t == NULL)
        return -1;
    if (put_definition(tx, t, err, MDB_NOOVERWRITE) != 0) {
        t->refs = 1;
        table_def_unref(t);
        return -1;
    }
    store_stage_catalog(tx->s, catalog_copy_with(tx_catalog(tx), t, NULL));
    if (out != NULL)
        *out = t;
    return 0;
}

static bool has_index_db(const table_def *t, unsigned dbi)
{
    for (size_t i = 0; i < t->n_indexes; i++)
        if (t->indexes[i].dbi == dbi)
            return true;
    return false;
}

int store_tx_update_table(store_tx *tx, const table_def *t, const json_t *definition, const table_def **out,
                          aws_error *err)
{
    tx->wrote = true;
    store_catalog *base = tx_catalog(tx);
    const table_def *current = catalog_find(base, t->name);
    if (current == NULL)
        return error_set(err, 400, "ResourceNotFoundException", "Requested resource not found: Table: %.*s not found",
                         SLICE_FMT(t->name));
    table_def *next = table_def_from_definition(tx->s, definition, tx->txn, true, err);
    if (next == NULL)
        return -1;
    int status = 0;
    for (size_t i = 0; i < next->n_indexes && status == 0; i++)
        if (!has_index_db(current, next->indexes[i].dbi))
            status = index_backfill(tx, next, &next->indexes[i], err);
    for (size_t i = 0; i < current->n_indexes && status == 0; i++) {
        const index_def *ix = &current->indexes[i];
        if (has_index_db(next, ix->dbi))
            continue;
        int rc = mdb_drop(tx->txn, ix->dbi, 0);
        if (rc != 0)
            status = store_lmdb_error(err, rc, "empty an index");
        else {
            slice name = ix->name;
            char buf[512];
            size_t n = current->id.len + 1 + name.len;
            if (n <= sizeof(buf)) {
                memcpy(buf, current->id.ptr, current->id.len);
                buf[current->id.len] = '\0';
                memcpy(buf + current->id.len + 1, name.ptr, name.len);
                MDB_val k = {n, buf};
                mdb_del(tx->txn, tx->s->stats_dbi, &k, NULL);
            }
        }
    }
    if (status == 0)
        status = put_definition(tx, next, err, 0);
    if (status != 0) {
        next->refs = 1;
        table_def_unref(next);
        return -1;
    }
    store_stage_catalog(tx->s, catalog_copy_with(base, next, current));
    if (out != NULL)
        *out = next;
    return 0;
}

int store_tx_delete_table(store_tx *tx, const table_def *t, aws_error *err)
{
    tx->wrote = true;
    store_catalog *base = tx_catalog(tx);
    const table_def *current = catalog_find(base, t->name);
    if (current == NULL)
        return error_set(err, 400, "ResourceNotFoundException", "Requested resource not found: Table: %.*s not found",
                         SLICE_FMT(t->name));
    int rc = mdb_drop(tx->txn, current->dbi, 0);
    for (size_t i = 0; i < current->n_indexes && rc == 0; i++)
        rc = mdb_drop(tx->txn, current->indexes[i].dbi, 0);
    if (rc != 0)
        return store_lmdb_error(err, rc, "empty a table");
    MDB_val k = {current->name.len, (void *)current->name.ptr};
    rc = mdb_del(tx->txn, tx->s->catalog_dbi, &k, NULL);
    if (rc != 0 && rc != MDB_NOTFOUND)
        return store_lmdb_error(err, rc, "write the catalog");
    stats_delete_table(tx->txn, tx->s, current);
    store_stage_catalog(tx->s, catalog_copy_with(base, NULL, current));
    return 0;
}
