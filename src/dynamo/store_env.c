/* The LMDB environment, the writer thread with its group commit, and per-thread readers. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "core/json.h"
#include "core/log.h"
#include "dynamo/store_internal.h"

#define DEFAULT_MAP_SIZE ((size_t)256 << 30)
#define DEFAULT_MAX_DBS  4096
#define MAX_READERS      1024

static _Atomic uint64_t store_ids = 1;

int store_lmdb_error(aws_error *err, int rc, const char *what)
{
    if (rc == MDB_MAP_FULL)
        return error_set(err, 500, "InternalServerError", "The store is full (%s): raise the map size", what);
    return error_set(err, 500, "InternalServerError", "Internal server error (%s: %s)", what, mdb_strerror(rc));
}

const char *store_region(const store *s)
{
    return s->region;
}
const char *store_account_id(const store *s)
{
    return s->account_id;
}

static int mkdir_p(const char *path)
{
    char buf[4096];
    size_t n = strlen(path);
    if (n == 0 || n >= sizeof(buf))
        return -1;
    memcpy(buf, path, n + 1);
    for (char *p = buf + 1; *p; p++) {
        if (*p == '/') {
            *p = '\0';
            if (mkdir(buf, 0755) != 0 && errno != EEXIST)
                return -1;
            *p = '/';
        }
    }
    if (mkdir(buf, 0755) != 0 && errno != EEXIST)
        return -1;
    return 0;
}

static void *writer_main(void *arg);

/* PORTICO_MAP_SIZE (bytes, or with a K/M/G/T suffix) overrides the built-in default. */
static size_t default_map_size(void)
{
    const char *env = getenv("PORTICO_MAP_SIZE");
    if (env == NULL || *env == '\0')
        return DEFAULT_MAP_SIZE;
    char *end;
    unsigned long long v = strtoull(env, &end, 10);
    switch (*end) {
    case 'T':
    case 't':
        v <<= 10; /* fall through */
    case 'G':
    case 'g':
        v <<= 10; /* fall through */
    case 'M':
    case 'm':
        v <<= 10; /* fall through */
    case 'K':
    case 'k':
        v <<= 10;
        break;
    default:
        break;
    }
    return v >= ((size_t)1 << 20) ? (size_t)v : DEFAULT_MAP_SIZE;
}

store *store_open(const store_options *o, aws_error *err)
{
    if (o->data_dir == NULL || mkdir_p(o->data_dir) != 0) {
        error_set(err, 500, "InternalServerError", "cannot create the data folder %s: %s",
                  o->data_dir ? o->data_dir : "(none)", strerror(errno));
        return NULL;
    }
    store *s = calloc(1, sizeof(*s));
    s->id = atomic_fetch_add(&store_ids, 1);
    s->region = strdup(o->region ? o->region : "us-east-1");
    s->account_id = strdup(o->account_id ? o->account_id : "000000000000");
    atomic_store(&s->epoch, 1);
    pthread_mutex_init(&s->readers_lock, NULL);
    pthread_mutex_init(&s->queue_lock, NULL);
    /* The group-commit wait is a timed wait on a monotonic clock (wall clock jumps must not stretch it). */
    pthread_condattr_t cond_attr;
    pthread_condattr_init(&cond_attr);
    pthread_condattr_setclock(&cond_attr, CLOCK_MONOTONIC);
    pthread_cond_init(&s->queue_cond, &cond_attr);
    pthread_condattr_destroy(&cond_attr);
    arena_init(&s->writer_scratch, 64 * 1024);

    /* The default map is large and sparse; where the address space is limited (ulimit -v) it is
     * halved until it fits, down to 1 GiB. An explicit size is used as given. */
    size_t map_size = o->map_size ? o->map_size : default_map_size();
    int rc;
    for (;;) {
        rc = mdb_env_create(&s->env);
        if (rc == 0)
            rc = mdb_env_set_mapsize(s->env, map_size);
        if (rc == 0)
            rc = mdb_env_set_maxdbs(s->env, o->max_dbs ? o->max_dbs : DEFAULT_MAX_DBS);
        if (rc == 0)
            rc = mdb_env_set_maxreaders(s->env, MAX_READERS);
        if (rc == 0)
            rc = mdb_env_open(s->env, o->data_dir, MDB_NOTLS | (o->no_sync ? MDB_NOSYNC : 0), 0644);
        if (rc != ENOMEM || o->map_size != 0 || map_size <= ((size_t)1 << 30))
            break;
        mdb_env_close(s->env);
        s->env = NULL;
        map_size /= 2;
    }
    if (rc != 0) {
        store_lmdb_error(err, rc, "open the store");
        goto fail;
    }
    /* Readers left in the lock file by a process that died. */
    int dead = 0;
    mdb_reader_check(s->env, &dead);

    MDB_txn *txn;
    rc = mdb_txn_begin(s->env, NULL, 0, &txn);
    if (rc == 0)
        rc = mdb_dbi_open(txn, "catalog", MDB_CREATE, &s->catalog_dbi);
    if (rc == 0)
        rc = mdb_dbi_open(txn, "stats", MDB_CREATE, &s->stats_dbi);
    if (rc != 0) {
        if (txn)
            mdb_txn_abort(txn);
        store_lmdb_error(err, rc, "open the catalog");
        goto fail;
    }
    if (catalog_load(s, txn, err) != 0) {
        mdb_txn_abort(txn);
        goto fail;
    }
    rc = mdb_txn_commit(txn);
    if (rc != 0) {
        store_lmdb_error(err, rc, "load the catalog");
        goto fail;
    }
    if (pthread_create(&s->writer, NULL, writer_main, s) != 0) {
        error_set(err, 500, "InternalServerError", "cannot start the writer thread");
        goto fail;
    }
    return s;
fail:
    catalog_free(atomic_load(&s->current));
    if (s->env)
        mdb_env_close(s->env);
    arena_destroy(&s->writer_scratch);
    free(s->region);
    free(s->account_id);
    free(s);
    return NULL;
}

void store_close(store *s)
{
    if (s == NULL)
        return;
    pthread_mutex_lock(&s->queue_lock);
    s->stopping = true;
    pthread_cond_signal(&s->queue_cond);
    pthread_mutex_unlock(&s->queue_lock);
    pthread_join(s->writer, NULL);
    for (store_reader *r = s->readers, *next; r != NULL; r = next) {
        next = r->next_registered;
        if (r->txn)
            mdb_txn_abort(r->txn);
        arena_destroy(&r->scratch);
        free(r);
    }
    s->readers = NULL;
    catalog_reclaim(s, true);
    catalog_free(atomic_load(&s->current));
    free(s->pending_drops);
    free(s->staged_all);
    mdb_env_close(s->env);
    arena_destroy(&s->writer_scratch);
    pthread_mutex_destroy(&s->readers_lock);
    pthread_mutex_destroy(&s->queue_lock);
    pthread_cond_destroy(&s->queue_cond);
    free(s->region);
    free(s->account_id);
    free(s);
}

/* ---- readers ---- */

#define READER_CACHE 8
static _Thread_local struct {
    uint64_t store_id;
    store_reader *reader;
} reader_cache[READER_CACHE];
static _Thread_local unsigned reader_cache_next;

static store_reader *thread_reader(store *s)
{
    for (int i = 0; i < READER_CACHE; i++)
        if (reader_cache[i].store_id == s->id)
            return reader_cache[i].reader;
    store_reader *r = calloc(1, sizeof(*r));
    r->s = s;
    arena_init(&r->scratch, 16 * 1024);
    pthread_mutex_lock(&s->readers_lock);
    r->next_registered = s->readers;
    s->readers = r;
    pthread_mutex_unlock(&s->readers_lock);
    unsigned slot = reader_cache_next++ % READER_CACHE;
    reader_cache[slot].store_id = s->id;
    reader_cache[slot].reader = r;
    return r;
}

store_reader *store_read_begin(store *s)
{
    store_reader *r = thread_reader(s);
    if (r->depth++ > 0)
        return r;
    /* Pin the epoch before loading the snapshot: the writer frees a retired snapshot only when no
     * reader pinned an epoch older than its retirement. */
    atomic_store(&r->epoch, atomic_load(&s->epoch));
    r->catalog = atomic_load(&s->current);
    int rc = r->txn != NULL ? mdb_txn_renew(r->txn) : mdb_txn_begin(s->env, NULL, MDB_RDONLY, &r->txn);
    if (rc != 0) {
        log_error("store: cannot start a read transaction: %s", mdb_strerror(rc));
        if (r->txn != NULL) {
            mdb_txn_abort(r->txn);
            r->txn = NULL;
        }
    }
    return r;
}

void store_read_end(store_reader *r)
{
    if (r == NULL || --r->depth > 0)
        return;
    if (r->txn != NULL)
        mdb_txn_reset(r->txn);
    r->catalog = NULL;
    atomic_store(&r->epoch, 0);
    arena_reset(&r->scratch);
}

/* ---- writer ---- */

void store_submit(store *s, store_job *job)
{
    job->next = NULL;
    job->status = 0;
    error_clear(&job->error);
    pthread_mutex_lock(&s->queue_lock);
    if (s->queue_tail != NULL)
        s->queue_tail->next = job;
    else
        s->queue_head = job;
    s->queue_tail = job;
    s->queue_len++;
    /* The writer sleeps until a first job arrives, then (group commit) until enough have: waking it
     * for each one in between would only cost context switches. */
    if (s->queue_len == 1 || (s->wake_at != 0 && s->queue_len >= s->wake_at))
        pthread_cond_signal(&s->queue_cond);
    pthread_mutex_unlock(&s->queue_lock);
}

typedef struct sync_wait {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    bool finished;
} sync_wait;

static void sync_done(store_job *job)
{
    sync_wait *w = job->user;
    pthread_mutex_lock(&w->lock);
    w->finished = true;
    pthread_cond_signal(&w->cond);
    pthread_mutex_unlock(&w->lock);
}

int store_run(store *s, store_job_fn run, void *ctx, arena *a, aws_error *err)
{
    if (pthread_equal(pthread_self(), s->writer))
        return error_set(err, 500, "InternalServerError", "store_run called on the writer thread");
    sync_wait w = {.finished = false};
    pthread_mutex_init(&w.lock, NULL);
    pthread_cond_init(&w.cond, NULL);
    store_job job = {.run = run, .ctx = ctx, .arena = a, .done = sync_done, .user = &w};
    store_submit(s, &job);
    pthread_mutex_lock(&w.lock);
    while (!w.finished)
        pthread_cond_wait(&w.cond, &w.lock);
    pthread_mutex_unlock(&w.lock);
    pthread_mutex_destroy(&w.lock);
    pthread_cond_destroy(&w.cond);
    if (job.status != 0 && err != NULL)
        *err = job.error;
    return job.status;
}

/* Snapshots staged by the batch: the last one is published after the commit, the others freed. */
void store_stage_catalog(store *s, store_catalog *c)
{
    if (s->n_staged == s->cap_staged) {
        s->cap_staged = s->cap_staged ? 2 * s->cap_staged : 8;
        s->staged_all = realloc(s->staged_all, s->cap_staged * sizeof(*s->staged_all));
    }
    s->staged_all[s->n_staged++] = c;
    s->staged = c;
}

/* Frees staged snapshots from index `from` on, except `keep`. */
static void unstage_from(store *s, size_t from, store_catalog *keep)
{
    for (size_t i = from; i < s->n_staged; i++)
        if (s->staged_all[i] != keep)
            catalog_free(s->staged_all[i]);
    s->n_staged = from;
}

/* Runs a job straight inside `txn`. Returns whether it wrote (store_tx.wrote). */
static bool run_in(store *s, MDB_txn *txn, store_job *job)
{
    store_tx tx = {.s = s, .txn = txn, .job = job, .scratch = &s->writer_scratch};
    arena *prev = json_arena_push(job->arena);
    error_clear(&job->error);
    job->status = job->run(&tx, job->ctx, &job->error);
    json_arena_pop(prev);
    if (job->status != 0 && !error_is_set(&job->error))
        error_set(&job->error, 500, "InternalServerError", "Internal server error");
    return tx.wrote;
}

/* A job in its own nested transaction: its failure leaves no trace, whatever it did. */
static void run_job(store *s, MDB_txn *parent, store_job *job)
{
    MDB_txn *child;
    int rc = mdb_txn_begin(s->env, parent, 0, &child);
    if (rc != 0) {
        job->status = store_lmdb_error(&job->error, rc, "begin a nested transaction");
        return;
    }
    store_catalog *staged_before = s->staged;
    size_t n_staged_before = s->n_staged;
    run_in(s, child, job);
    if (job->status == 0) {
        rc = mdb_txn_commit(child);
        if (rc != 0)
            job->status = store_lmdb_error(&job->error, rc, "commit a nested transaction");
    } else {
        mdb_txn_abort(child);
    }
    if (job->status != 0) {
        s->staged = staged_before;
        unstage_from(s, n_staged_before, NULL);
    }
}

/* Consecutive replayable jobs share one nested transaction: beginning one costs LMDB a zeroed
 * table of every database handle (max_dbs of them) and committing one merges its dirty pages into
 * the batch, which was most of the writer's own CPU time per PutItem. A job that fails before
 * writing (a condition check, a missing table) leaves no trace anyway. Only when one fails after
 * writing, or the shared transaction cannot commit, is the whole run rolled back and replayed one
 * job per nested transaction, with the same outcome as if it had been run that way at once.
 * Returns the first job after the run. */
static store_job *run_replayable(store *s, MDB_txn *parent, store_job *first)
{
    store_job *end = first;
    while (end != NULL && end->replayable)
        end = end->next;
    store_catalog *staged_before = s->staged;
    size_t n_staged_before = s->n_staged;
    MDB_txn *shared;
    if (mdb_txn_begin(s->env, parent, 0, &shared) == 0) {
        bool clean = true;
        for (store_job *j = first; j != end && clean; j = j->next)
            clean = !(run_in(s, shared, j) && j->status != 0);
        if (!clean)
            mdb_txn_abort(shared);
        else if (mdb_txn_commit(shared) == 0) /* a failed commit frees the transaction too */
            return end;
    }
    s->staged = staged_before;
    unstage_from(s, n_staged_before, NULL);
    for (store_job *j = first; j != end; j = j->next)
        run_job(s, parent, j);
    return end;
}

static void run_batch(store *s, store_job *jobs)
{
    MDB_txn *txn;
    int rc = mdb_txn_begin(s->env, NULL, 0, &txn);
    if (rc != 0) {
        for (store_job *j = jobs; j != NULL; j = j->next)
            j->status = store_lmdb_error(&j->error, rc, "begin a write transaction");
        return;
    }
    for (store_job *j = jobs; j != NULL;) {
        if (j->replayable) {
            j = run_replayable(s, txn, j);
        } else {
            run_job(s, txn, j);
            j = j->next;
        }
    }
    /* Databases of deleted tables and indexes that no reader can see any more. mdb_drop closes the
     * handle at once, so each is attempted once; a failed commit leaves an orphan that the next
     * start removes. */
    for (size_t i = 0; i < s->n_pending_drops; i++)
        mdb_drop(txn, s->pending_drops[i], 1);
    s->n_pending_drops = 0;
    rc = mdb_txn_commit(txn);
    if (rc != 0) {
        for (store_job *j = jobs; j != NULL; j = j->next)
            if (j->status == 0)
                j->status = store_lmdb_error(&j->error, rc, "commit");
        s->staged = NULL;
        unstage_from(s, 0, NULL);
        return;
    }
    if (s->staged != NULL) {
        store_catalog *next = s->staged;
        s->staged = NULL;
        unstage_from(s, 0, next);
        catalog_publish(s, next);
    }
}

static uint64_t monotonic_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* With queue_lock held and at least one job queued: waits (group commit, store_batch.h) until the
 * batch is worth closing. */
static void wait_for_batch(store *s, const store_batch_history *previous)
{
    store_batch_wait plan = store_batch_plan(previous);
    if (plan.target <= s->queue_len || plan.max_ns == 0)
        return;
    uint64_t deadline = monotonic_ns() + plan.max_ns;
    struct timespec until = {.tv_sec = (time_t)(deadline / 1000000000u), .tv_nsec = (long)(deadline % 1000000000u)};
    s->wake_at = plan.target;
    while (s->queue_len < plan.target && !s->stopping)
        if (pthread_cond_timedwait(&s->queue_cond, &s->queue_lock, &until) != 0)
            break;
    s->wake_at = 0;
}

static void *writer_main(void *arg)
{
    store *s = arg;
    store_batch_history history = {0};
    for (;;) {
        pthread_mutex_lock(&s->queue_lock);
        while (s->queue_head == NULL && !s->stopping)
            pthread_cond_wait(&s->queue_cond, &s->queue_lock);
        if (!s->stopping)
            wait_for_batch(s, &history);
        store_job *jobs = s->queue_head;
        size_t n_jobs = s->queue_len;
        s->queue_head = s->queue_tail = NULL;
        s->queue_len = 0;
        bool stopping = s->stopping;
        pthread_mutex_unlock(&s->queue_lock);
        if (jobs == NULL && stopping)
            break;
        uint64_t started = monotonic_ns();
        run_batch(s, jobs);
        history.jobs = n_jobs;
        history.duration_ns = monotonic_ns() - started;
        arena_reset(&s->writer_scratch);
        catalog_reclaim(s, false);
        pthread_mutex_lock(&s->queue_lock);
        history.queued_at_ack = s->queue_len;
        pthread_mutex_unlock(&s->queue_lock);
        /* `done` may free the job (and reuse its memory): read next first. */
        for (store_job *j = jobs, *next; j != NULL; j = next) {
            next = j->next;
            if (j->done != NULL)
                j->done(j);
        }
    }
    return NULL;
}
