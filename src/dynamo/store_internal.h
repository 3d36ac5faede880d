/*
 * store_internal: what the store_*.c files share and nobody else sees: the store struct, catalog
 * snapshots and their epoch-based reclamation, readers, the write context of a job.
 */
#ifndef PORTICO_DYNAMO_STORE_INTERNAL_H
#define PORTICO_DYNAMO_STORE_INTERNAL_H

#include <lmdb.h>
#include <pthread.h>
#include <stdatomic.h>

#include "dynamo/store.h"
#include "dynamo/store_batch.h"

/* An immutable set of table definitions, sorted by name. Only the writer thread creates, publishes
 * and frees snapshots and touches table_def.refs; readers only load the published pointer. */
typedef struct store_catalog {
    table_def **tables;
    size_t n;
    /* retirement (writer only) */
    uint64_t retire_epoch;
    struct store_catalog *next;
    unsigned *drop_dbis; /* DBs no newer snapshot uses: dropped once this one is reclaimed */
    size_t n_drop;
} store_catalog;

struct store_reader {
    store *s;
    MDB_txn *txn;
    _Atomic uint64_t epoch; /* 0 while idle; the global epoch seen at begin while reading */
    store_catalog *catalog;
    int depth;
    arena scratch;
    store_reader *next_registered;
};

struct store {
    MDB_env *env;
    MDB_dbi catalog_dbi, stats_dbi;
    char *region, *account_id;
    uint64_t id;

    /* catalog */
    _Atomic(store_catalog *) current;
    _Atomic uint64_t epoch;
    pthread_mutex_t readers_lock; /* registration and the writer's scans */
    store_reader *readers;
    store_catalog *retired; /* oldest first (writer only) */
    unsigned *pending_drops;
    size_t n_pending_drops, cap_pending_drops;

    /* writer */
    pthread_t writer;
    pthread_mutex_t queue_lock;
    pthread_cond_t queue_cond;
    store_job *queue_head, *queue_tail;
    size_t queue_len;
    size_t wake_at; /* store_submit wakes the writer when the queue reaches this length (0: never early) */
    bool stopping;
    store_catalog *staged;      /* the batch's newest catalog (NULL: unchanged) */
    store_catalog **staged_all; /* every snapshot staged in this batch */
    size_t n_staged, cap_staged;
    arena writer_scratch; /* reset after each batch */
};

struct store_tx {
    store *s;
    MDB_txn *txn;
    store_job *job;
    arena *scratch;
    bool wrote; /* a write primitive ran: a failure after it must roll back (store_env.c) */
};

/* store_catalog.c */
int catalog_load(store *s, MDB_txn *txn, aws_error *err);
table_def *table_def_from_definition(store *s, const json_t *definition, MDB_txn *txn, bool create, aws_error *err);
void table_def_unref(table_def *t);
store_catalog *catalog_copy_with(const store_catalog *base, table_def *add, const table_def *remove);
void catalog_free(store_catalog *c);
const table_def *catalog_find(const store_catalog *c, slice name);
/* Writer: publish `next` (after a commit), retire the old one. */
void catalog_publish(store *s, store_catalog *next);
/* Writer: free retired snapshots no reader can still hold; their dropped DBs go to pending_drops. */
void catalog_reclaim(store *s, bool all);
void catalog_note_drop(store_catalog *c, unsigned dbi);
/* Writer: makes c the batch's newest catalog (published at commit, freed if the job fails). */
void store_stage_catalog(store *s, store_catalog *c);

/* store_codec.c: encoding glue over key_codec / item_codec */
int store_table_key(arena *a, const table_def *t, const json_t *item, slice *full, aws_error *err);
/* 1: item not in the index; 0: key in *full; -1 error */
int store_index_key(arena *a, const table_def *t, const index_def *ix, const json_t *item, slice *full, aws_error *err);
/* The projected index entry of an item (the value of an index DB). */
int store_index_value(arena *a, const table_def *t, const index_def *ix, const json_t *item, slice *out, size_t *size,
                      aws_error *err);

/* store_write.c */
int stats_add(MDB_txn *txn, store *s, const table_def *t, const index_def *ix, int64_t items, int64_t bytes);
int stats_read(MDB_txn *txn, store *s, const table_def *t, slice index_name, store_stats *out);
int stats_delete_table(MDB_txn *txn, store *s, const table_def *t);
int index_backfill(store_tx *tx, const table_def *t, const index_def *ix, aws_error *err);

int store_lmdb_error(aws_error *err, int rc, const char *what);

#endif
