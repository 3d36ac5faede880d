/*
 * item_request: what the item operations (op_item, op_query, op_batch, op_transact) share:
 * reading the common request parameters with DynamoDB's messages, finding the table, compiling a
 * request's expressions, consumed capacity as DynamoDB counts it, index projections, and the
 * write-job plumbing that completes a call from the writer thread.
 *
 * It never decides what an operation does with an item; each op file does.
 *
 * Errors that carry more than a message (ConditionalCheckFailedException with the old Item,
 * TransactionCanceledException with CancellationReasons) complete the call with call->error set
 * AND call->response holding the extra members of the error body; the wire layer adds them next
 * to "__type" and "message".
 */
#ifndef PORTICO_DYNAMO_ITEM_REQUEST_H
#define PORTICO_DYNAMO_ITEM_REQUEST_H

#include <jansson.h>
#include <stdbool.h>

#include "core/error.h"
#include "core/slice.h"
#include "dynamo/attr.h"
#include "dynamo/expr.h"
#include "dynamo/ops.h"
#include "dynamo/store.h"

#define ITEMS_MAX_INDEXES 32 /* 20 GSIs + 5 LSIs in DynamoDB; room to spare */

/* ---- parameters ---- */

/* A string member; *out SLICE_NULL when absent. `member` is the lower-camel path DynamoDB's
 * constraint messages use ("tableName", "transactItems.1.member.put.tableName"). */
int ireq_string(const json_t *obj, const char *param, slice *out, aws_error *err);
/* TableName: present, 3..255 characters of [a-zA-Z0-9_.-]. */
int ireq_table_name(const json_t *obj, const char *param, const char *member, slice *out, aws_error *err);
/* An enum member: *out is the index in `values` (NULL-terminated), or `absent` when missing.
 * `shown` is the set as DynamoDB's message prints it ("[ALL_NEW, UPDATED_OLD, ...]"). */
int ireq_enum(const json_t *obj, const char *param, const char *member, const char *const *values, const char *shown,
              int absent, int *out, aws_error *err);
/* A boolean member (absent: `absent`). */
int ireq_bool(const json_t *obj, const char *param, bool absent, bool *out, aws_error *err);
/* A required object member ("Value null at 'key' failed to satisfy constraint: Member must not be null"). */
int ireq_object(const json_t *obj, const char *param, const char *member, bool required, json_t **out, aws_error *err);

/* The table, or ResourceNotFoundException "Requested resource not found". */
const table_def *ireq_table(store_reader *r, slice name, aws_error *err);
const table_def *ireq_tx_table(store_tx *tx, slice name, aws_error *err);

/* ReturnConsumedCapacity. */
typedef enum rcc_mode { RCC_NONE, RCC_INDEXES, RCC_TOTAL } rcc_mode;
int ireq_rcc(const json_t *obj, rcc_mode *out, aws_error *err);
/* ReturnItemCollectionMetrics: *size is true for SIZE. */
int ireq_metrics(const json_t *obj, bool *size, aws_error *err);

/* Fills an expr_input from a request object (names, values and the expression strings present). */
void ireq_expr_input(const json_t *obj, expr_input *in);
/* expr_check_params then expr_compile, for an operation accepting `accepted` (EXPR_PARAM_*). */
int ireq_compile(arena *a, const json_t *obj, unsigned accepted, expr_set *out, aws_error *err);

/* Validates a Key against the table's schema and canonicalises it. */
int ireq_key(const table_def *t, json_t *key, aws_error *err);
/* Validates a whole item for a write: values, size, table key, index key types. */
int ireq_item(const table_def *t, json_t *item, aws_error *err);
/* The table key of an item as a new map (values shared). */
json_t *ireq_key_of(const table_def *t, const json_t *item);

/* ---- capacity ---- */

typedef struct item_capacity {
    double table;
    double index[ITEMS_MAX_INDEXES]; /* by position in table_def.indexes */
} item_capacity;

/* Capacity units for `bytes` read (4 KB units, halved when eventually consistent) or written (1 KB). */
double capacity_read_units(size_t bytes, bool consistent);
double capacity_write_units(size_t bytes);
/* Adds what writing `new_item` over `old_item` costs (either may be NULL) to the table and the
 * indexes it touches, times `factor` (2 in transactions). */
void capacity_add_write(item_capacity *c, const table_def *t, const json_t *old_item, const json_t *new_item,
                        double factor);
/* The ConsumedCapacity object for one table (NULL for RCC_NONE). */
json_t *capacity_json(rcc_mode mode, const table_def *t, const item_capacity *c, bool read);

/* Size of the projection of `item` in index `ix` (the bytes an index entry holds). */
size_t index_projected_size(const table_def *t, const index_def *ix, const json_t *item);
/* Does index ix hold attribute `name` (key attributes, ALL, INCLUDE's list)? */
bool index_projects(const table_def *t, const index_def *ix, slice name);

/* ItemCollectionMetrics for a write on a table with local secondary indexes (NULL otherwise). */
json_t *item_collection_metrics(const table_def *t, const json_t *item);

/* ---- writes ---- */

/* Every write job's context starts with this. The run function fills `response` on success, or
 * `error_extra` (error body members) before failing. */
typedef struct write_ctx {
    store_job job;
    dynamo_call *call;
    json_t *response;
    json_t *error_extra;
    /* Optional: called (on the writer thread) when the job ends without being committed, after a run
     * that succeeded too: undoes what the run did outside the store. */
    void (*not_committed)(struct write_ctx *w);
} write_ctx;

/* Submits w (whose run is `run`) to the writer; the call completes when the batch holding it is
 * durable. `replayable`: see store_job.replayable (run has no effect outside the store and w). */
void ireq_submit(dynamo_engine *e, dynamo_call *call, write_ctx *w, store_job_fn run, bool replayable);

/* Completes a call with an error and extra members of the error body (may be NULL). */
void ireq_fail(dynamo_call *call, const aws_error *err, json_t *extra);

#endif
