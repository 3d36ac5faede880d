/* TTL: find expired items with a read cursor, delete them in write jobs that check again. */
#include "dynamo/store_ttl.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/decimal.h"
#include "core/json.h"
#include "core/log.h"
#include "dynamo/item_codec.h"

#define TTL_BATCH          100
#define FIVE_YEARS_SECONDS (5.0 * 365.25 * 86400.0)

struct ttl_sweeper {
    store *s;
    unsigned interval_ms;
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    bool stopping;
};

static bool is_expired(const json_t *item, slice attr, double now)
{
    const json_t *av = json_object_getn(item, attr.ptr, attr.len);
    const json_t *n = json_object_get(av, "N");
    if (!json_is_string(n) || json_object_size(av) != 1)
        return false;
    decimal d;
    aws_error err;
    if (decimal_parse(json_string_slice(n), &d, &err) != 0)
        return false;
    double when = decimal_to_double(&d);
    return when < now && when > now - FIVE_YEARS_SECONDS;
}

typedef struct ttl_job {
    slice table;
    json_t **items;
    size_t n;
    double now;
    long deleted;
} ttl_job;

static int delete_expired(store_tx *tx, void *ctx, aws_error *err)
{
    ttl_job *j = ctx;
    const table_def *t = store_tx_table(tx, j->table);
    if (t == NULL || t->ttl_attribute.ptr == NULL)
        return 0;
    for (size_t i = 0; i < j->n; i++) {
        json_t *current;
        if (store_tx_get_item(tx, t, j->items[i], &current, err) != 0)
            return -1;
        if (current == NULL || !is_expired(current, t->ttl_attribute, j->now))
            continue;
        if (store_tx_delete_item(tx, t, current, NULL, err) != 0)
            return -1;
        j->deleted++;
    }
    return 0;
}

static long flush(store *s, arena *a, ttl_job *j)
{
    if (j->n == 0)
        return 0;
    aws_error err;
    error_clear(&err);
    j->deleted = 0;
    if (store_run(s, delete_expired, j, a, &err) != 0) {
        log_warn("ttl: deleting expired items of %.*s failed: %s", SLICE_FMT(j->table), err.message);
        j->n = 0;
        return -1;
    }
    j->n = 0;
    return j->deleted;
}

/* Sweeps one table: expired items are collected (their keys copied to `a`) under a read
 * transaction, then deleted by jobs of up to TTL_BATCH items. */
static long sweep_table(store *s, slice name, double now)
{
    arena a;
    arena_init(&a, 64 * 1024);
    arena *prev = json_arena_push(&a);
    ttl_job j = {.now = now};
    j.table = arena_slice_dup(&a, name);
    long deleted = 0;
    json_t **found = NULL;
    size_t n_found = 0, cap = 0;

    store_reader *r = store_read_begin(s);
    const table_def *t = store_read_table(r, name);
    if (t != NULL && t->ttl_attribute.ptr != NULL) {
        aws_error err;
        error_clear(&err);
        store_range range = {0};
        store_cursor *c = store_cursor_open(r, t, NULL, &range, &err);
        slice k, v;
        arena item_arena;
        arena_init(&item_arena, 16 * 1024);
        while (c != NULL && store_cursor_next(c, &k, &v, &err) == 1) {
            json_arena_push(&item_arena);
            json_t *item;
            bool expired = item_decode(v, &item, &err) == 0 && is_expired(item, t->ttl_attribute, now);
            json_t *key = NULL;
            json_arena_push(&a);
            if (expired) {
                json_t *copy = json_deep_copy(item);
                key = json_object();
                json_object_setn(key, t->key.hash.name.ptr, t->key.hash.name.len,
                                 json_object_getn(copy, t->key.hash.name.ptr, t->key.hash.name.len));
                if (key_schema_has_range(&t->key))
                    json_object_setn(key, t->key.range.name.ptr, t->key.range.name.len,
                                     json_object_getn(copy, t->key.range.name.ptr, t->key.range.name.len));
            }
            arena_reset(&item_arena);
            if (key != NULL) {
                if (n_found == cap) {
                    cap = cap ? cap * 2 : 64;
                    json_t **grown = arena_alloc(&a, cap * sizeof(*grown));
                    if (n_found)
                        memcpy(grown, found, n_found * sizeof(*grown));
                    found = grown;
                }
                found[n_found++] = key;
            }
        }
        store_cursor_close(c);
        arena_destroy(&item_arena);
    }
    store_read_end(r);
    for (size_t i = 0; i < n_found; i += TTL_BATCH) {
        j.items = found + i;
        j.n = n_found - i < TTL_BATCH ? n_found - i : TTL_BATCH;
        long d = flush(s, &a, &j);
        if (d > 0)
            deleted += d;
    }
    json_arena_pop(prev);
    arena_destroy(&a);
    return deleted;
}

long ttl_sweep_once(store *s, double now)
{
    /* Names first (the snapshot is only valid inside a read), then table by table. */
    arena a;
    arena_init(&a, 4096);
    store_reader *r = store_read_begin(s);
    size_t n;
    const table_def *const *tables = store_read_tables(r, SLICE_NULL, &n);
    slice *names = arena_alloc(&a, (n + 1) * sizeof(slice));
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (tables[i]->ttl_attribute.ptr != NULL)
            names[m++] = arena_slice_dup(&a, tables[i]->name);
    store_read_end(r);
    long deleted = 0;
    for (size_t i = 0; i < m; i++)
        deleted += sweep_table(s, names[i], now);
    arena_destroy(&a);
    return deleted;
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void *sweeper_main(void *arg)
{
    ttl_sweeper *t = arg;
    pthread_mutex_lock(&t->lock);
    while (!t->stopping) {
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += t->interval_ms / 1000;
        until.tv_nsec += (long)(t->interval_ms % 1000) * 1000000L;
        if (until.tv_nsec >= 1000000000L) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000L;
        }
        while (!t->stopping && pthread_cond_timedwait(&t->cond, &t->lock, &until) == 0)
            ;
        if (t->stopping)
            break;
        pthread_mutex_unlock(&t->lock);
        long n = ttl_sweep_once(t->s, now_seconds());
        if (n > 0)
            log_debug("ttl: deleted %ld expired items", n);
        pthread_mutex_lock(&t->lock);
    }
    pthread_mutex_unlock(&t->lock);
    return NULL;
}

ttl_sweeper *ttl_sweeper_start(store *s, unsigned interval_ms)
{
    const char *env = getenv("PORTICO_TTL_INTERVAL_MS");
    if (env != NULL && atoi(env) > 0)
        interval_ms = (unsigned)atoi(env);
    ttl_sweeper *t = calloc(1, sizeof(*t));
    t->s = s;
    t->interval_ms = interval_ms ? interval_ms : TTL_SWEEP_INTERVAL_DEFAULT_MS;
    pthread_mutex_init(&t->lock, NULL);
    pthread_cond_init(&t->cond, NULL);
    if (pthread_create(&t->thread, NULL, sweeper_main, t) != 0) {
        log_error("ttl: cannot start the sweeper thread");
        free(t);
        return NULL;
    }
    return t;
}

void ttl_sweeper_stop(ttl_sweeper *t)
{
    if (t == NULL)
        return;
    pthread_mutex_lock(&t->lock);
    t->stopping = true;
    pthread_cond_signal(&t->cond);
    pthread_mutex_unlock(&t->lock);
    pthread_join(t->thread, NULL);
    pthread_mutex_destroy(&t->lock);
    pthread_cond_destroy(&t->cond);
    free(t);
}
