/* The read path: catalog lookups, point reads and cursors inside the thread's read transaction. */
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "dynamo/item_codec.h"
#include "dynamo/store_internal.h"

static int reader_ok(store_reader *r, aws_error *err)
{
    if (r == NULL || r->txn == NULL || r->depth <= 0)
        return error_set(err, 500, "InternalServerError", "Internal server error (no read transaction)");
    return 0;
}

const table_def *store_read_table(store_reader *r, slice name)
{
    return r->catalog != NULL ? catalog_find(r->catalog, name) : NULL;
}

const table_def *const *store_read_tables(store_reader *r, slice exclusive_start, size_t *n_out)
{
    const store_catalog *c = r->catalog;
    size_t i = 0;
    if (c == NULL) {
        *n_out = 0;
        return NULL;
    }
    if (exclusive_start.ptr != NULL)
        while (i < c->n && slice_cmp(c->tables[i]->name, exclusive_start) <= 0)
            i++;
    *n_out = c->n - i;
    return (const table_def *const *)c->tables + i;
}

int store_read_stats(store_reader *r, const table_def *t, slice index_name, store_stats *out)
{
    memset(out, 0, sizeof(*out));
    if (r->txn == NULL)
        return -1;
    return stats_read(r->txn, r->s, t, index_name, out);
}

int store_get_raw(store_reader *r, const table_def *t, slice key, slice *value, aws_error *err)
{
    if (reader_ok(r, err) != 0)
        return -1;
    slice k = keyenc_fit(&r->scratch, key);
    MDB_val mk = {k.len, (void *)k.ptr}, mv;
    int rc = mdb_get(r->txn, t->dbi, &mk, &mv);
    if (rc == MDB_NOTFOUND)
        return 0;
    if (rc != 0)
        return store_lmdb_error(err, rc, "read");
    *value = slice_make(mv.mv_data, mv.mv_size);
    return 1;
}

int store_get_item(store_reader *r, const table_def *t, const json_t *key, json_t **item, aws_error *err)
{
    *item = NULL;
    slice k, v;
    if (store_table_key(&r->scratch, t, key, &k, err) != 0)
        return -1;
    int found = store_get_raw(r, t, k, &v, err);
    if (found <= 0)
        return found;
    return item_decode(v, item, err);
}

/* ---- cursors ---- */

struct store_cursor {
    store_reader *r;
    MDB_cursor *cur;
    const table_def *t;
    const index_def *ix;
    keyenc_range full;   /* the caller's range, full keys */
    keyenc_range fitted; /* the same in LMDB keys */
    bool exact;
    bool backward;
    bool started, finished;
    slice after; /* LMDB form; ptr NULL when none */
};

store_cursor *store_cursor_open(store_reader *r, const table_def *t, const index_def *index, const store_range *range,
                                aws_error *err)
{
    if (reader_ok(r, err) != 0)
        return NULL;
    store_cursor *c = calloc(1, sizeof(*c));
    c->r = r;
    c->t = t;
    c->ix = index;
    c->backward = range->backward;
    c->full = range->range;
    c->exact = true;
    if (c->full.start.ptr != NULL || c->full.end.ptr != NULL)
        keyenc_range_fit(&r->scratch, &c->full, &c->fitted, &c->exact);
    if (range->after.ptr != NULL)
        c->after = keyenc_fit(&r->scratch, range->after);
    int rc = mdb_cursor_open(r->txn, index != NULL ? index->dbi : t->dbi, &c->cur);
    if (rc != 0) {
        free(c);
        store_lmdb_error(err, rc, "open a cursor");
        return NULL;
    }
    return c;
}

void store_cursor_close(store_cursor *c)
{
    if (c == NULL)
        return;
    mdb_cursor_close(c->cur);
    free(c);
}

static int position(store_cursor *c, MDB_val *k, MDB_val *v)
{
    if (!c->backward) {
        slice from = c->fitted.start;
        bool skip_equal = false;
        if (c->after.ptr != NULL && (from.ptr == NULL || slice_cmp(c->after, from) >= 0)) {
            from = c->after;
            skip_equal = true;
        }
        if (from.ptr == NULL)
            return mdb_cursor_get(c->cur, k, v, MDB_FIRST);
        *k = (MDB_val){from.len, (void *)from.ptr};
        int rc = mdb_cursor_get(c->cur, k, v, MDB_SET_RANGE);
        if (rc == 0 && skip_equal && slice_eq(slice_make(k->mv_data, k->mv_size), from))
            rc = mdb_cursor_get(c->cur, k, v, MDB_NEXT);
        return rc;
    }
    /* Backward: the last key below `to` (exclusive). */
    slice to = c->fitted.end;
    if (c->after.ptr != NULL && (to.ptr == NULL || slice_cmp(c->after, to) < 0))
        to = c->after;
    if (to.ptr == NULL)
        return mdb_cursor_get(c->cur, k, v, MDB_LAST);
    *k = (MDB_val){to.len, (void *)to.ptr};
    int rc = mdb_cursor_get(c->cur, k, v, MDB_SET_RANGE);
    if (rc == MDB_NOTFOUND)
        return mdb_cursor_get(c->cur, k, v, MDB_LAST);
    if (rc != 0)
        return rc;
    return mdb_cursor_get(c->cur, k, v, MDB_PREV);
}

/* The full key of an entry: the stored key, unless keyenc_fit shortened it (only keys of the
 * maximum LMDB length can be shortened ones): then re-encoded from the value. */
static int full_key(store_cursor *c, slice stored, slice value, slice *out, aws_error *err)
{
    if (stored.len < KEYENC_LMDB_MAX) {
        *out = stored;
        return 0;
    }
    arena *prev = json_arena_push(&c->r->scratch);
    json_t *item;
    int rc = item_decode(value, &item, err);
    if (rc == 0)
        rc = c->ix != NULL ? store_index_key(&c->r->scratch, c->t, c->ix, item, out, err)
                           : store_table_key(&c->r->scratch, c->t, item, out, err);
    json_arena_pop(prev);
    return rc == 0 ? 0 : -1;
}

int store_cursor_next(store_cursor *c, slice *key, slice *value, aws_error *err)
{
    for (;;) {
        if (c->finished)
            return 0;
        MDB_val k, v;
        int rc;
        if (!c->started) {
            c->started = true;
            rc = position(c, &k, &v);
        } else {
            rc = mdb_cursor_get(c->cur, &k, &v, c->backward ? MDB_PREV : MDB_NEXT);
        }
        if (rc == MDB_NOTFOUND) {
            c->finished = true;
            return 0;
        }
        if (rc != 0)
            return store_lmdb_error(err, rc, "walk a cursor");
        slice sk = slice_make(k.mv_data, k.mv_size);
        if (!c->backward && c->fitted.end.ptr != NULL && slice_cmp(sk, c->fitted.end) >= 0) {
            c->finished = true;
            return 0;
        }
        if (c->backward && c->fitted.start.ptr != NULL && slice_cmp(sk, c->fitted.start) < 0) {
            c->finished = true;
            return 0;
        }
        slice sv = slice_make(v.mv_data, v.mv_size), fk;
        if (full_key(c, sk, sv, &fk, err) != 0)
            return -1;
        if (!c->exact && !keyenc_range_contains(&c->full, fk))
            continue;
        *key = fk;
        *value = sv;
        return 1;
    }
}
