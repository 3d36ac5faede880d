/*
 * store: the embedded DynamoDB storage on LMDB. Owns the LMDB environment in the data folder, the
 * catalog of tables (immutable table_def snapshots swapped in on each catalog change), the
 * per-thread read transactions, the single writer thread with its group commit, secondary index
 * maintenance and the per-table counters DescribeTable reports (ItemCount, TableSizeBytes).
 *
 * It never validates requests, evaluates expressions or builds DynamoDB responses: callers (the
 * operations) check items and keys (attr.h) before handing them over; the store trusts them.
 *
 * Layout: one LMDB environment; the "catalog" DB maps table name -> definition (JSON text); the
 * "stats" DB holds the counters; per table a primary DB (key: key_codec table key, value:
 * item_codec item) and per secondary index a DB (key: index key || table key, value: the projected
 * item in item_codec form). Items missing an index key attribute have no entry in that index.
 *
 * Threads:
 * - Reads: any thread calls store_read_begin / store_read_end around its reads. Each thread has
 *   its own LMDB read transaction, reset between requests and renewed by the next begin: no lock.
 *   Everything a read returns (slices, table_defs) is valid until store_read_end.
 * - Writes: store_submit hands a job to the writer thread. The writer takes every job waiting,
 *   runs each inside the batch's write transaction (as if in its own nested transaction: a job
 *   that returns -1 leaves no trace; see store_job.replayable), commits (fsync unless durability was turned off), then
 * calls each job's `done` on the writer thread. The caller gets back to its own loop itself.
 * - jansson values a write primitive returns are allocated in the job's arena (the writer pushes
 *   it while the job runs); values a read returns go to the calling thread's current arena.
 */
#ifndef PORTICO_DYNAMO_STORE_H
#define PORTICO_DYNAMO_STORE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/error.h"
#include "core/slice.h"
#include "dynamo/attr.h"
#include "dynamo/key_codec.h"

typedef struct store store;

typedef struct store_options {
    const char *data_dir;   /* created when missing */
    size_t map_size;        /* LMDB map size (sparse); 0: 256 GiB */
    unsigned max_dbs;       /* LMDB named databases (tables + indexes + 2); 0: 4096 */
    bool no_sync;           /* true: skip fsync at commit (MDB_NOSYNC). Only when explicitly asked. */
    const char *region;     /* for ARNs; NULL: "us-east-1" */
    const char *account_id; /* for ARNs; NULL: "000000000000" */
} store_options;

store *store_open(const store_options *options, aws_error *err);
/* Runs the jobs already submitted, stops the writer, closes the environment. No reader may be open. */
void store_close(store *s);
const char *store_region(const store *s);
const char *store_account_id(const store *s);

/* ---------------------------------------------------------------------------------------------
 * Catalog: immutable definitions. A table_def never changes after it is published; UpdateTable
 * publishes a new one. Strings are NUL-terminated; slices point into the def.
 */

/* key_attr and key_schema come from attr.h. */

typedef enum projection_type { PROJECTION_KEYS_ONLY, PROJECTION_INCLUDE, PROJECTION_ALL } projection_type;

typedef struct index_def {
    slice name;
    bool global;    /* GSI (true) or LSI (false) */
    key_schema key; /* an LSI's hash is the table's hash */
    projection_type projection;
    slice *non_key_attributes; /* INCLUDE only */
    size_t n_non_key_attributes;
    slice arn;                             /* table ARN + "/index/" + name */
    int64_t read_capacity, write_capacity; /* GSI on PROVISIONED tables; 0 otherwise */
    unsigned dbi;                          /* LMDB handle of the index DB (store-internal) */
} index_def;

typedef enum billing_mode { BILLING_PROVISIONED, BILLING_PAY_PER_REQUEST } billing_mode;

typedef struct table_def {
    slice name;
    slice id;             /* TableId: a UUID */
    slice arn;            /* arn:aws:dynamodb:REGION:ACCOUNT:table/NAME */
    double creation_time; /* epoch seconds (with fraction) */
    key_schema key;
    index_def *indexes; /* GSIs first, then LSIs */
    size_t n_indexes;
    size_t n_gsi; /* indexes[0 .. n_gsi) are global, the rest local */
    billing_mode billing;
    int64_t read_capacity, write_capacity; /* PROVISIONED; 0 for PAY_PER_REQUEST */
    slice ttl_attribute;                   /* SLICE_NULL when TTL is not enabled */
    json_t *definition;                    /* the stored definition (heap, immutable): read only, deep-copy out */
    unsigned dbi;                          /* LMDB handle of the primary DB (store-internal) */
    /* store-internal */
    unsigned refs;
} table_def;

/* NULL when the table has no index of that name. */
const index_def *table_find_index(const table_def *t, slice name);
/* Is `name` one of the table's or any index's key attributes? */
bool table_is_key_attribute(const table_def *t, slice name);

/* Counters kept in the same transaction as the items. index_name SLICE_NULL: the table itself. */
typedef struct store_stats {
    int64_t item_count;
    int64_t size_bytes;
} store_stats;

/* ---------------------------------------------------------------------------------------------
 * Reads. begin/end nest (an inner begin reuses the outer transaction).
 */

typedef struct store_reader store_reader;

store_reader *store_read_begin(store *s);
void store_read_end(store_reader *r);

/* The catalog as of this read: NULL when no such table. */
const table_def *store_read_table(store_reader *r, slice name);
/* Tables in name order: the first after `exclusive_start` (SLICE_NULL: from the start); *n_out
 * receives how many follow it (including it). The array is valid until store_read_end. */
const table_def *const *store_read_tables(store_reader *r, slice exclusive_start, size_t *n_out);
int store_read_stats(store_reader *r, const table_def *t, slice index_name, store_stats *out);

/* The stored item with this encoded table key (key_codec), as item_codec bytes pointing into the
 * map: 1 found, 0 not found, -1 error (err set). */
int store_get_raw(store_reader *r, const table_def *t, slice key, slice *value, aws_error *err);
/* The same from a DynamoDB JSON map holding at least the table's key attributes (extra attributes
 * are ignored): *item is the decoded item (current arena) or NULL when absent. 0 ok, -1 error. */
int store_get_item(store_reader *r, const table_def *t, const json_t *key, json_t **item, aws_error *err);

/* Cursors walk the primary DB (index NULL) or an index DB in key order over a range of full
 * encoded keys (key_codec: keyenc_query_range, keyenc_segment_range; start inclusive, end exclusive,
 * start.ptr NULL: from the first key). `after`: resume strictly after (forward) or before (backward)
 * this full encoded key, i.e. an ExclusiveStartKey. Keys longer than LMDB allows are handled inside
 * (keyenc_fit): callers always speak full keys. */
typedef struct store_range {
    keyenc_range range;
    bool backward;
    slice after; /* ptr NULL: from the start of the range */
} store_range;

typedef struct store_cursor store_cursor;

/* NULL on error (err set). Close before store_read_end. */
store_cursor *store_cursor_open(store_reader *r, const table_def *t, const index_def *index, const store_range *range,
                                aws_error *err);
/* 1: *key and *value set (valid until store_read_end); 0: past the range; -1: error (err set).
 * *key is the full encoded key (table key, or index key || table key): keyenc_decode_* give the
 * LastEvaluatedKey from it. *value is the item (primary) or the projected item (index) in
 * item_codec form. */
int store_cursor_next(store_cursor *c, slice *key, slice *value, aws_error *err);
void store_cursor_close(store_cursor *c);

/* ---------------------------------------------------------------------------------------------
 * Writes: jobs on the writer thread.
 */

typedef struct store_tx store_tx;
typedef struct store_job store_job;

/* Runs on the writer thread inside the batch's write transaction. Return 0 to keep the job's
 * writes, -1 (err filled) to roll them all back; other jobs in the batch are unaffected. */
typedef int (*store_job_fn)(store_tx *tx, void *ctx, aws_error *err);
/* Runs on the writer thread after the commit (or its failure): job->status and job->error say how it went. */
typedef void (*store_done_fn)(store_job *job);

struct store_job {
    /* in */
    store_job_fn run;
    void *ctx;
    arena *arena;       /* the caller's request arena: the job's jansson values are built there */
    store_done_fn done; /* may be NULL */
    void *user;
    /* true: `run` may be run again from the start after its writes were rolled back, with the same
     * outcome (its only effects are its writes through store_tx and what it stores in ctx for its
     * own `done`). The writer then runs consecutive replayable jobs in one nested transaction
     * instead of one each, and replays them one by one only when one of them fails after writing. */
    bool replayable;
    /* out */
    int status; /* 0: committed and durable; -1: failed (error set) */
    aws_error error;
    /* store-internal */
    store_job *next;
};

/* Queues the job; `done` runs later on the writer thread. The job and its arena must stay alive
 * until then. */
void store_submit(store *s, store_job *job);
/* Submits and waits (for commands and threads without an event loop). Returns the job's status.
 * Must not be called on the writer thread. */
int store_run(store *s, store_job_fn run, void *ctx, arena *a, aws_error *err);

/* Inside a job. */
arena *store_tx_arena(store_tx *tx);
store *store_tx_store(store_tx *tx);
/* The newest definition, including catalog changes made earlier in this batch. NULL: no such table. */
const table_def *store_tx_table(store_tx *tx, slice name);
/* Read-your-writes item access. *item NULL when absent. */
int store_tx_get_item(store_tx *tx, const table_def *t, const json_t *key, json_t **item, aws_error *err);
/* Replaces the item with the same key; maintains every index and the counters. *old_item (when
 * old_item is not NULL) receives the replaced item or NULL. */
int store_tx_put_item(store_tx *tx, const table_def *t, const json_t *item, json_t **old_item, aws_error *err);
/* The same when the job has just read the item being replaced (store_tx_get_item on the same key in
 * this job, `old` NULL when absent): it is not read and decoded a second time. */
int store_tx_put_item_over(store_tx *tx, const table_def *t, const json_t *item, const json_t *old, aws_error *err);
/* Deletes the item with this key (absent: nothing happens), with its index entries. */
int store_tx_delete_item(store_tx *tx, const table_def *t, const json_t *key, json_t **old_item, aws_error *err);
int store_tx_stats(store_tx *tx, const table_def *t, slice index_name, store_stats *out);

/* Catalog changes (the table operations use these; items operations never do). `definition` is a
 * JSON object in the catalog's form (see store_catalog.c); the store copies what it keeps.
 * On success the new table_def is visible to later jobs of the batch, and to readers once the
 * batch is committed. */
int store_tx_create_table(store_tx *tx, const json_t *definition, const table_def **out, aws_error *err);
/* Replaces a table's definition: indexes present in the new definition and not in the old one are
 * created and backfilled; indexes gone are dropped. Key schema and name must not change. */
int store_tx_update_table(store_tx *tx, const table_def *t, const json_t *definition, const table_def **out,
                          aws_error *err);
int store_tx_delete_table(store_tx *tx, const table_def *t, aws_error *err);

#endif
