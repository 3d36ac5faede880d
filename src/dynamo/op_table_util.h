/*
 * op_table_util: what the table operations (op_table.c, op_ttl.c, op_meta.c) share: DynamoDB's
 * "N validation errors detected" collector, table descriptions, and running a catalog change as a
 * store job that completes the call. Never used by the item operations.
 */
#ifndef PORTICO_DYNAMO_OP_TABLE_UTIL_H
#define PORTICO_DYNAMO_OP_TABLE_UTIL_H

#include <jansson.h>

#include "core/error.h"
#include "dynamo/ops.h"

/* The framework-level constraint messages of DynamoDB, gathered and then reported as one
 * "1 validation error detected: ..." / "2 validation errors detected: ...; ..." message. */
typedef struct verrs {
    int n;
    char text[AWS_ERROR_MESSAGE_MAX];
    size_t len;
} verrs;

void verrs_add(verrs *v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* -1 with the ValidationException filled when something was added, else 0. */
int verrs_finish(const verrs *v, aws_error *err);
/* TableName / IndexName constraints: length 3..255, pattern [a-zA-Z0-9_.-]+. `path` e.g. "tableName". */
void verrs_name(verrs *v, const char *path, const json_t *name, bool required);
/* Shape errors (a string where a number belongs...) as DynamoDB reports them. */
int serialization_error(aws_error *err, const char *what);

/* TableDescription of t (current arena). Counters from the reader or the write transaction. */
json_t *table_description(const table_def *t, store_reader *r, store_tx *tx, const char *status);

/* A catalog change run on the writer thread: `run` does the change and sets tj->response (built
 * in the job's arena); the call completes after the commit. */
typedef struct table_job table_job;
typedef int (*table_job_fn)(store_tx *tx, table_job *tj, aws_error *err);
struct table_job {
    store_job job;
    dynamo_call *call;
    table_job_fn run;
    json_t *request;
    json_t *definition;
    json_t *response;
};
void table_job_submit(dynamo_engine *e, dynamo_call *call, table_job_fn run, json_t *definition);

/* The TableName parameter: a string (SerializationException otherwise) that is a valid table name. */
int table_name_param(const json_t *req, slice *name, aws_error *err);
/* The read-only table operations (DescribeTable, DescribeTimeToLive): TableName checked, the table found in a
 * read snapshot and the call answered with describe(t, r), or ResourceNotFoundException. */
typedef json_t *(*table_describer)(const table_def *t, store_reader *r);
void table_read_answer(dynamo_engine *e, dynamo_call *call, table_describer describe);
/* ResourceNotFoundException "Requested resource not found: Table: X not found". */
int table_not_found(aws_error *err, slice name);
double now_epoch_seconds(void);
/* "[a, b, c]" of the strings in `names` (current arena). */
const char *join_names(const slice *names, size_t n);

#endif
