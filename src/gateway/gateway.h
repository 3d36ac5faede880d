/*
 * gateway: serves the REST APIs of a loaded stack model, following API Gateway's method execution:
 * route (stage, resource, method) → method request (API key, validators) → integration request
 * (parameter mapping, template chosen by Content-Type, passthrough) → integration (DynamoDB action
 * in-process, MOCK, HTTP) → integration response (selection pattern, parameter mapping, template)
 * → method response. Every error it produces is one of API Gateway's gateway responses.
 *
 * The gateway knows no HTTP library: a transport (the HTTP server, or `portico test-invoke`) fills a
 * gw_exchange, calls gateway_handle and gets the response through exchange->done. Work that
 * completes elsewhere (a DynamoDB write finishing on the store's writer thread) comes back to the
 * transport's own thread through exchange->resume before anything else runs.
 *
 * gateway_create prepares the model once (compiles every mapping template, selection pattern and
 * model schema, checks roles) and after that everything it holds is read-only: any number of
 * threads may call gateway_handle at once.
 */
#ifndef PORTICO_GATEWAY_GATEWAY_H
#define PORTICO_GATEWAY_GATEWAY_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/error.h"
#include "core/slice.h"
#include "dynamo/engine.h"
#include "stack/model.h"
#include "vtl/vtl.h"

typedef struct gateway gateway;
typedef struct gw_exchange gw_exchange;

typedef struct gateway_options {
    const char *data_dir; /* where generated API key values are kept; NULL: not kept */
    bool warn_to_stderr;  /* print load-time warnings */
} gateway_options;

/* Serves every API of every model. The first API of the first model is the default one: the API a
 * request reaches unless its Host names another ("{api-id}.execute-api.…", see stack/model.h). The
 * models must outlive the gateway. */
gateway *gateway_create(const stack_model *const *models, size_t model_count, dynamo_engine *engine,
                        const gateway_options *options, arena *load_arena, aws_error *err);
void gateway_destroy(gateway *g);

/* One request and its response. The transport fills the request half and the callbacks. */
struct gw_exchange {
    /* request */
    slice method;      /* "GET" */
    slice path;        /* raw path as sent, without the query string: "/prod/comments/p1" */
    slice query;       /* raw query string without '?' */
    slice host;        /* Host header (selects the API) */
    vtl_pairs headers; /* as sent: original case, in order */
    slice body;
    slice source_ip;
    slice protocol; /* "HTTP/1.1" */
    arena *arena;   /* request arena: everything the gateway allocates goes here */
    buf *trace;     /* when not NULL, the execution log is written here (test-invoke) */

    /* response: set before done() */
    int status;
    vtl_pairs response_headers;
    slice response_body;

    /* transport callbacks */
    void (*done)(gw_exchange *x);
    /* Runs fn(x) on the transport's thread for this exchange; may be called from any thread.
     * A transport without threads of its own may call fn at once. */
    void (*resume)(gw_exchange *x, void (*fn)(gw_exchange *x));
    void *transport; /* the transport's own state */
    void *http_loop; /* the server loop running this exchange (HTTP integrations); NULL: none */

    /* gateway-internal state of the request being processed */
    struct gw_state *state;
};

void gateway_handle(gateway *g, gw_exchange *x);

#endif
