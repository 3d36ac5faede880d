/*
 * engine: the DynamoDB operation interface, the one door into the data plane.
 *
 * The wire API (HTTP, `X-Amz-Target: DynamoDB_20120810.<Operation>`) and the gateway's AWS
 * integrations both hand a parsed request to dynamo_engine_call and get back the response body or
 * an AWS error, exactly as DynamoDB would answer. The embedded store is the implementation today;
 * a remote DynamoDB endpoint is another implementation of this same interface.
 *
 * Threads: any event-loop thread may call. Reads complete before the call returns. Writes are
 * handed to the store's writer thread and complete after the group commit that holds them is
 * durable: `done` then runs on the writer thread, and the caller is responsible for getting back
 * to its own loop. The call struct and its arena must stay alive until `done` has run.
 */
#ifndef PORTICO_DYNAMO_ENGINE_H
#define PORTICO_DYNAMO_ENGINE_H

#include <jansson.h>
#include <stdbool.h>

#include "core/arena.h"
#include "core/error.h"
#include "core/slice.h"

typedef struct dynamo_engine dynamo_engine;
typedef struct dynamo_call dynamo_call;
typedef void (*dynamo_done_fn)(dynamo_call *call);

struct dynamo_call {
    /* in */
    slice operation;     /* "PutItem": the part of X-Amz-Target after the dot */
    json_t *request;     /* the request body, parsed (a JSON object) */
    arena *arena;        /* the caller's request arena: the response is built here */
    dynamo_done_fn done; /* runs exactly once, when response or error is set */
    void *user;          /* the caller's own context */
    bool text_response;  /* the caller only serialises the answer: reads may give response_text */
    /* out */
    json_t *response;    /* the response body on success (NULL when response_text is given) */
    slice response_text; /* with text_response: the body as JSON text, written without a tree
                          * (byte for byte json_dump_slice(tree, JSON_COMPACT)); ptr NULL otherwise */
    aws_error error;     /* set on failure; response is then NULL, or the error's extra fields (below) */
};

/* Errors with more than a message. When `error` is set, `response` may hold a JSON object of extra
 * fields that the wire API adds to the error body after "__type" (and "message"), in their order:
 *   ConditionalCheckFailedException + ReturnValuesOnConditionCheckFailure: {"Item": {...}}
 *   TransactionCanceledException: {"CancellationReasons": [...], "Message": "Transaction cancelled, ..."}
 * A "message" or "Message" key among them replaces error.message (DynamoDB capitalises it for
 * TransactionCanceledException). error.type is the bare type ("ValidationException"); the wire API
 * adds DynamoDB's namespace. An empty error.message sends no message at all. */

typedef struct dynamo_options {
    const char *data_dir;   /* created when missing */
    size_t map_size;        /* LMDB map size in bytes; 0 chooses the default */
    bool no_sync;           /* skip fsync at commit: throwaway data only (a zeroed struct is durable) */
    const char *region;     /* for ARNs; default "us-east-1" */
    const char *account_id; /* for ARNs; default "000000000000" */
} dynamo_options;

dynamo_engine *dynamo_engine_open(const dynamo_options *options, aws_error *err);
/* Waits for the writes under way, stops the writer and TTL threads, closes the store. */
void dynamo_engine_close(dynamo_engine *engine);

/* Is `operation` one DynamoDB defines and Portico serves? (UnknownOperationException otherwise.) */
bool dynamo_operation_known(slice operation);

void dynamo_engine_call(dynamo_engine *engine, dynamo_call *call);

#endif
