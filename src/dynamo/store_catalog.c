/* Catalog: table definitions as immutable snapshots, published by the writer, reclaimed by epoch. */
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "core/log.h"
#include "dynamo/store_internal.h"

const index_def *table_find_index(const table_def *t, slice name)
{
    for (size_t i = 0; i < t->n_indexes; i++)
        if (slice_eq(t->indexes[i].name, name))
            return &t->indexes[i];
    return NULL;
}

static bool schema_has(const key_schema *k, slice name)
{
    return slice_eq(k->hash.name, name) || (key_schema_has_range(k) && slice_eq(k->range.name, name));
}

bool table_is_key_attribute(const table_def *t, slice name)
{
    if (schema_has(&t->key, name))
        return true;
    for (size_t i = 0; i < t->n_indexes; i++)
        if (schema_has(&t->indexes[i].key, name))
            return true;
    return false;
}

static attr_type attribute_type(const json_t *defs, slice name)
{
    size_t i;
    json_t *d;
    json_array_foreach(defs, i, d)
    {
        if (slice_eq(json_string_slice(json_object_get(d, "AttributeName")), name)) {
            slice t = json_string_slice(json_object_get(d, "AttributeType"));
            return t.len == 1 ? attr_type_from_name(t) : ATTR_NONE;
        }
    }
    return ATTR_NONE;
}

static int parse_key_schema(const json_t *ks, const json_t *defs, key_schema *out, aws_error *err)
{
    memset(out, 0, sizeof(*out));
    size_t i;
    json_t *e;
    json_array_foreach(ks, i, e)
    {
        slice name = json_string_slice(json_object_get(e, "AttributeName"));
        slice type = json_string_slice(json_object_get(e, "KeyType"));
        key_attr *k = slice_eq_cstr(type, "HASH") ? &out->hash : slice_eq_cstr(type, "RANGE") ? &out->range : NULL;
        if (k == NULL || name.len == 0)
            return error_set(err, 500, "InternalServerError", "corrupt key schema in the catalog");
        k->name = name;
        k->type = attribute_type(defs, name);
        if (k->type != ATTR_S && k->type != ATTR_N && k->type != ATTR_B)
            return error_set(err, 500, "InternalServerError", "corrupt attribute definitions in the catalog");
    }
    if (out->hash.name.len == 0)
        return error_set(err, 500, "InternalServerError", "key schema without a hash key in the catalog");
    return 0;
}

static int open_db(MDB_txn *txn, const char *name, unsigned *dbi, aws_error *err)
{
    MDB_dbi d;
    int rc = mdb_dbi_open(txn, name, MDB_CREATE, &d);
    if (rc != 0)
        return store_lmdb_error(err, rc, "open database");
    *dbi = d;
    return 0;
}

static int parse_index(const json_t *j, const json_t *defs, bool global, index_def *ix, MDB_txn *txn, aws_error *err)
{
    ix->name = json_string_slice(json_object_get(j, "IndexName"));
    ix->arn = json_string_slice(json_object_get(j, "IndexArn"));
    ix->global = global;
    if (ix->name.len == 0 || parse_key_schema(json_object_get(j, "KeySchema"), defs, &ix->key, err) != 0)
        return error_is_set(err) ? -1 : error_set(err, 500, "InternalServerError", "corrupt index in the catalog");
    json_t *proj = json_object_get(j, "Projection");
    slice type = json_string_slice(json_object_get(proj, "ProjectionType"));
    ix->projection = slice_eq_cstr(type, "ALL")       ? PROJECTION_ALL
                     : slice_eq_cstr(type, "INCLUDE") ? PROJECTION_INCLUDE
                                                      : PROJECTION_KEYS_ONLY;
    json_t *nk = json_object_get(proj, "NonKeyAttributes");
    if (ix->projection == PROJECTION_INCLUDE && json_array_size(nk) > 0) {
        ix->n_non_key_attributes = json_array_size(nk);
        ix->non_key_attributes = calloc(ix->n_non_key_attributes, sizeof(slice));
        for (size_t i = 0; i < ix->n_non_key_attributes; i++)
            ix->non_key_attributes[i] = json_string_slice(json_array_get(nk, i));
    }
    json_t *pt = json_object_get(j, "ProvisionedThroughput");
    ix->read_capacity = json_integer_value(json_object_get(pt, "ReadCapacityUnits"));
    ix->write_capacity = json_integer_value(json_object_get(pt, "WriteCapacityUnits"));
    const char *db = json_string_value(json_object_get(j, "DbName"));
    if (db == NULL)
        return error_set(err, 500, "InternalServerError", "index without a database in the catalog");
    return open_db(txn, db, &ix->dbi, err);
}

static void table_def_free(table_def *t)
{
    if (t == NULL)
        return;
    for (size_t i = 0; i < t->n_indexes; i++)
        free(t->indexes[i].non_key_attributes);
    free(t->indexes);
    /* The definition lives on the heap whatever arena the freeing thread has. */
    arena *prev = json_arena_push(NULL);
    json_decref(t->definition);
    json_arena_pop(prev);
    free(t);
}

void table_def_unref(table_def *t)
{
    if (t != NULL && --t->refs == 0)
        table_def_free(t);
}

table_def *table_def_from_definition(store *s, const json_t *definition, MDB_txn *txn, bool create, aws_error *err)
{
    (void)s;
    (void)create;
    table_def *t = calloc(1, sizeof(*t));
    if (t == NULL) {
        error_set(err, 500, "InternalServerError", "out of memory");
        return NULL;
    }
    arena *prev = json_arena_push(NULL);
    t->definition = json_deep_copy(definition);
    json_arena_pop(prev);
    const json_t *d = t->definition;
    const json_t *defs = json_object_get(d, "AttributeDefinitions");
    t->name = json_string_slice(json_object_get(d, "TableName"));
    t->id = json_string_slice(json_object_get(d, "TableId"));
    t->arn = json_string_slice(json_object_get(d, "TableArn"));
    t->creation_time = json_number_value(json_object_get(d, "CreationDateTime"));
    if (t->name.len == 0 || parse_key_schema(json_object_get(d, "KeySchema"), defs, &t->key, err) != 0) {
        if (!error_is_set(err))
            error_set(err, 500, "InternalServerError", "corrupt table in the catalog");
        table_def_free(t);
        return NULL;
    }
    t->billing = slice_eq_cstr(json_string_slice(json_object_get(d, "BillingMode")), "PAY_PER_REQUEST")
                     ? BILLING_PAY_PER_REQUEST
                     : BILLING_PROVISIONED;
    json_t *pt = json_object_get(d, "ProvisionedThroughput");
    t->read_capacity = json_integer_value(json_object_get(pt, "ReadCapacityUnits"));
    t->write_capacity = json_integer_value(json_object_get(pt, "WriteCapacityUnits"));
    json_t *ttl = json_object_get(d, "TimeToLive");
    if (slice_eq_cstr(json_string_slice(json_object_get(ttl, "Status")), "ENABLED"))
        t->ttl_attribute = json_string_slice(json_object_get(ttl, "AttributeName"));
    const json_t *gsis = json_object_get(d, "GlobalSecondaryIndexes");
    const json_t *lsis = json_object_get(d, "LocalSecondaryIndexes");
    t->n_gsi = json_array_size(gsis);
    t->n_indexes = t->n_gsi + json_array_size(lsis);
    if (t->n_indexes > 0)
        t->indexes = calloc(t->n_indexes, sizeof(index_def));
    for (size_t i = 0; i < t->n_indexes; i++) {
        const json_t *j = i < t->n_gsi ? json_array_get(gsis, i) : json_array_get(lsis, i - t->n_gsi);
        if (parse_index(j, defs, i < t->n_gsi, &t->indexes[i], txn, err) != 0) {
            table_def_free(t);
            return NULL;
        }
    }
    const char *db = json_string_value(json_object_get(d, "DbName"));
    if (db == NULL) {
        error_set(err, 500, "InternalServerError", "table without a database in the catalog");
        table_def_free(t);
        return NULL;
    }
    if (open_db(txn, db, &t->dbi, err) != 0) {
        table_def_free(t);
        return NULL;
    }
    return t;
}

/* ---- snapshots ---- */

static int cmp_tables(const void *a, const void *b)
{
    return slice_cmp((*(table_def *const *)a)->name, (*(table_def *const *)b)->name);
}

store_catalog *catalog_copy_with(const store_catalog *base, table_def *add, const table_def *remove)
{
    store_catalog *c = calloc(1, sizeof(*c));
    size_t n = (base != NULL ? base->n : 0) + 1;
    c->tables = calloc(n, sizeof(table_def *));
    if (base != NULL)
        for (size_t i = 0; i < base->n; i++)
            if (base->tables[i] != remove)
                c->tables[c->n++] = base->tables[i];
    if (add != NULL)
        c->tables[c->n++] = add;
    qsort(c->tables, c->n, sizeof(table_def *), cmp_tables);
    for (size_t i = 0; i < c->n; i++)
        c->tables[i]->refs++;
    return c;
}

void catalog_free(store_catalog *c)
{
    if (c == NULL)
        return;
    for (size_t i = 0; i < c->n; i++)
        table_def_unref(c->tables[i]);
    free(c->tables);
    free(c->drop_dbis);
    free(c);
}

const table_def *catalog_find(const store_catalog *c, slice name)
{
    size_t lo = 0, hi = c->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int r = slice_cmp(c->tables[mid]->name, name);
        if (r == 0)
            return c->tables[mid];
        if (r < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

void catalog_note_drop(store_catalog *c, unsigned dbi)
{
    for (size_t i = 0; i < c->n_drop; i++)
        if (c->drop_dbis[i] == dbi)
            return;
    c->drop_dbis = realloc(c->drop_dbis, (c->n_drop + 1) * sizeof(unsigned));
    c->drop_dbis[c->n_drop++] = dbi;
}

static bool catalog_uses_dbi(const store_catalog *c, unsigned dbi)
{
    for (size_t i = 0; i < c->n; i++) {
        const table_def *t = c->tables[i];
        if (t->dbi == dbi)
            return true;
        for (size_t k = 0; k < t->n_indexes; k++)
            if (t->indexes[k].dbi == dbi)
                return true;
    }
    return false;
}

void catalog_publish(store *s, store_catalog *next)
{
    store_catalog *old = atomic_load(&s->current);
    atomic_store(&s->current, next);
    uint64_t e = atomic_fetch_add(&s->epoch, 1) + 1;
    if (old == NULL)
        return;
    for (size_t i = 0; i < old->n; i++) {
        const table_def *t = old->tables[i];
        if (!catalog_uses_dbi(next, t->dbi))
            catalog_note_drop(old, t->dbi);
        for (size_t k = 0; k < t->n_indexes; k++)
            if (!catalog_uses_dbi(next, t->indexes[k].dbi))
                catalog_note_drop(old, t->indexes[k].dbi);
    }
    old->retire_epoch = e;
    old->next = NULL;
    store_catalog **tail = &s->retired;
    while (*tail != NULL)
        tail = &(*tail)->next;
    *tail = old;
}

void catalog_reclaim(store *s, bool all)
{
    uint64_t min_active = UINT64_MAX;
    pthread_mutex_lock(&s->readers_lock);
    for (store_reader *r = s->readers; r != NULL; r = r->next_registered) {
        uint64_t e = atomic_load(&r->epoch);
        if (e != 0 && e < min_active)
            min_active = e;
    }
    pthread_mutex_unlock(&s->readers_lock);
    while (s->retired != NULL && (all || min_active >= s->retired->retire_epoch)) {
        store_catalog *c = s->retired;
        s->retired = c->next;
        for (size_t i = 0; i < c->n_drop; i++) {
            if (s->n_pending_drops == s->cap_pending_drops) {
                s->cap_pending_drops = s->cap_pending_drops ? 2 * s->cap_pending_drops : 16;
                s->pending_drops = realloc(s->pending_drops, s->cap_pending_drops * sizeof(unsigned));
            }
            s->pending_drops[s->n_pending_drops++] = c->drop_dbis[i];
        }
        catalog_free(c);
    }
}

/* Loads every table of the catalog DB (startup) and drops databases no table refers to (left by a
 * deletion whose final drop had not happened yet). */
int catalog_load(store *s, MDB_txn *txn, aws_error *err)
{
    MDB_cursor *cur;
    int rc = mdb_cursor_open(txn, s->catalog_dbi, &cur);
    if (rc != 0)
        return store_lmdb_error(err, rc, "open catalog");
    store_catalog *cat = calloc(1, sizeof(*cat));
    MDB_val k, v;
    for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0; rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        json_error_t jerr;
        arena *prev = json_arena_push(NULL);
        json_t *def = json_loadb(v.mv_data, v.mv_size, 0, &jerr);
        json_arena_pop(prev);
        if (def == NULL) {
            log_error("store: unreadable catalog entry %.*s: %s", (int)k.mv_size, (const char *)k.mv_data, jerr.text);
            continue;
        }
        table_def *t = table_def_from_definition(s, def, txn, false, err);
        prev = json_arena_push(NULL);
        json_decref(def);
        json_arena_pop(prev);
        if (t == NULL) {
            log_error("store: unusable catalog entry %.*s: %s", (int)k.mv_size, (const char *)k.mv_data, err->message);
            error_clear(err);
            continue;
        }
        cat->tables = realloc(cat->tables, (cat->n + 1) * sizeof(table_def *));
        cat->tables[cat->n++] = t;
        t->refs = 1;
    }
    mdb_cursor_close(cur);
    if (cat->n > 1)
        qsort(cat->tables, cat->n, sizeof(table_def *), cmp_tables);

    /* Orphans: named databases "t:..." / "x:..." that no table uses. */
    MDB_dbi main_dbi;
    rc = mdb_dbi_open(txn, NULL, 0, &main_dbi);
    if (rc == 0 && mdb_cursor_open(txn, main_dbi, &cur) == 0) {
        char **orphans = NULL;
        size_t n_orphans = 0;
        for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0; rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
            const char *name = k.mv_data;
            if (k.mv_size < 3 || (name[0] != 't' && name[0] != 'x') || name[1] != ':')
                continue;
            char *copy = strndup(name, k.mv_size);
            bool used = false;
            for (size_t i = 0; i < cat->n && !used; i++) {
                const json_t *d = cat->tables[i]->definition;
                used = strcmp(json_string_value(json_object_get(d, "DbName")), copy) == 0;
                const char *lists[] = {"GlobalSecondaryIndexes", "LocalSecondaryIndexes"};
                for (int l = 0; l < 2 && !used; l++) {
                    size_t x;
                    json_t *ix;
                    json_array_foreach(json_object_get(d, lists[l]), x, ix)
                    {
                        const char *db = json_string_value(json_object_get(ix, "DbName"));
                        if (db != NULL && strcmp(db, copy) == 0)
                            used = true;
                    }
                }
            }
            if (used) {
                free(copy);
                continue;
            }
            orphans = realloc(orphans, (n_orphans + 1) * sizeof(char *));
            orphans[n_orphans++] = copy;
        }
        mdb_cursor_close(cur);
        for (size_t i = 0; i < n_orphans; i++) {
            MDB_dbi d;
            if (mdb_dbi_open(txn, orphans[i], 0, &d) == 0)
                mdb_drop(txn, d, 1);
            free(orphans[i]);
        }
        free(orphans);
    }
    catalog_publish(s, cat);
    return 0;
}
