/*
 * ops: the DynamoDB operations the engine serves, one handler each, and what handlers share.
 *
 * dynamo_engine_call (engine.c) finds the operation by name and calls its handler. A handler sets
 * call->response (built in call->arena) or call->error, then calls call->done(call) exactly once:
 * before returning for reads, from the writer thread (in the store job's done callback) for
 * writes. Handlers run with call->arena pushed as the thread's jansson arena (engine.c does it).
 *
 * Table operations live in op_table.c and op_ttl.c, item operations in op_item.c, op_query.c,
 * op_batch.c and op_transact.c.
 */
#ifndef PORTICO_DYNAMO_OPS_H
#define PORTICO_DYNAMO_OPS_H

#include "dynamo/engine.h"
#include "dynamo/store.h"

typedef void (*dynamo_op_fn)(dynamo_engine *e, dynamo_call *call);

/* The store behind the engine (for handlers). */
store *dynamo_engine_store(dynamo_engine *e);

/* Completes a call with an error (copies `err`), or with `response`: sets the fields, calls done. */
void dynamo_call_fail(dynamo_call *call, const aws_error *err);
void dynamo_call_succeed(dynamo_call *call, json_t *response);
/* The same with the body as JSON text (only when call->text_response). */
void dynamo_call_succeed_text(dynamo_call *call, slice text);

/* Table operations (store engineer). */
void op_create_table(dynamo_engine *e, dynamo_call *call);
void op_describe_table(dynamo_engine *e, dynamo_call *call);
void op_list_tables(dynamo_engine *e, dynamo_call *call);
void op_delete_table(dynamo_engine *e, dynamo_call *call);
void op_update_table(dynamo_engine *e, dynamo_call *call);
void op_update_time_to_live(dynamo_engine *e, dynamo_call *call);
void op_describe_time_to_live(dynamo_engine *e, dynamo_call *call);
void op_describe_limits(dynamo_engine *e, dynamo_call *call);
void op_describe_endpoints(dynamo_engine *e, dynamo_call *call);
void op_list_tags_of_resource(dynamo_engine *e, dynamo_call *call);
void op_tag_resource(dynamo_engine *e, dynamo_call *call);
void op_untag_resource(dynamo_engine *e, dynamo_call *call);
void op_describe_continuous_backups(dynamo_engine *e, dynamo_call *call);

/* Item operations (items engineer). */
void op_put_item(dynamo_engine *e, dynamo_call *call);
void op_get_item(dynamo_engine *e, dynamo_call *call);
void op_update_item(dynamo_engine *e, dynamo_call *call);
void op_delete_item(dynamo_engine *e, dynamo_call *call);
void op_query(dynamo_engine *e, dynamo_call *call);
void op_scan(dynamo_engine *e, dynamo_call *call);
void op_batch_get_item(dynamo_engine *e, dynamo_call *call);
void op_batch_write_item(dynamo_engine *e, dynamo_call *call);
void op_transact_write_items(dynamo_engine *e, dynamo_call *call);
void op_transact_get_items(dynamo_engine *e, dynamo_call *call);

#endif
