/*
 * gw_internal: what the stages of the gateway's request path share: the prepared gateway, the state
 * of one request, and one function per stage. Private to src/gateway/.
 */
#ifndef PORTICO_GATEWAY_GW_INTERNAL_H
#define PORTICO_GATEWAY_GW_INTERNAL_H

#include <jansson.h>
#include <sys/time.h>

#include "dynamo/engine.h"
#include "gateway/gateway.h"
#include "gateway/gateway_response.h"
#include "gateway/json_schema.h"

#define GW_MAX_PATH_PARAMS 32

/* Per stage, what the request path wants ready-made. */
typedef struct gw_stage_info {
    const stack_model *model;
    const model_api *api;
    const model_stage *stage;
    vtl_pairs variables;
} gw_stage_info;

struct gateway {
    const stack_model *const *models;
    size_t model_count;
    dynamo_engine *engine;
    arena *arena; /* the load arena: compiled templates, schemas' owners, tables below */
    gw_stage_info *stages;
    size_t stage_count;
    json_schema **schemas; /* to free at destroy */
    size_t schema_count;
    struct selection_pattern **patterns; /* likewise */
    size_t pattern_count;
    vtl_template *default_error_template; /* {"message":$context.error.messageString} */
};

typedef struct gw_state {
    gateway *g;
    const stack_model *model; /* the one holding the API the request reached */
    const model_api *api;
    const gw_stage_info *stage;
    const model_resource *resource;
    const model_method *method;
    slice resource_path_within_stage; /* path after the stage, e.g. "/comments/p1" */
    vtl_pairs path_params, query_params;
    json_t *context; /* $context: NULL until something reads it (gw_context) */
    struct timeval started;
    bool routed; /* gw_context_route has run */
    char extended_request_id[24];
    slice content_type;
    char request_id[37];
    /* integration request output */
    slice integration_body;
    vtl_overrides overrides;
    vtl_pairs integration_headers; /* mapped integration.request.header.* */
    /* integration output */
    int integration_status;
    vtl_pairs integration_response_headers;
    slice integration_response_body;         /* ptr NULL while only the tree below exists */
    const json_t *integration_response_json; /* DynamoDB's answer, serialised only when someone reads it */
    dynamo_call call;
    const struct upstream_answer *upstream; /* HTTP integrations */
} gw_state;

/* Ends the exchange with gateway response `type`; message NULL: the type's default message. */
void gw_fail(gw_exchange *x, gateway_response_type type, const char *message);
/* Appends one line to the execution log, when one is kept. */
void gw_trace(gw_exchange *x, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* "{a=1, b=2}" for the execution log; "" (and no work) when no log is kept. */
const char *gw_trace_pairs(gw_exchange *x, vtl_pairs pairs);

/* Request time and ids, taken when the request arrives (context.c). */
void gw_context_start(gw_state *st);
/* $context for this request, built on first use with what is known so far (routing fills in stage,
 * resource and API ids); later calls return the same object. */
json_t *gw_context(gw_exchange *x, gw_state *st);
/* For vtl_env.context_of: user is the exchange. */
const json_t *gw_context_for_template(void *exchange);
/* For vtl_env.context_strings: the members of $context fixed when the request arrived (requestId,
 * extendedRequestId), so that a template reading only those never has $context built. */
vtl_pairs gw_context_strings(gw_exchange *x, gw_state *st);
/* Adds what routing found: stage, resource, API ids (when $context exists already). */
void gw_context_route(gw_exchange *x, gw_state *st);

/* Stages; each either continues to the next or ends the exchange through gw_fail. */
int gw_method_request(gw_exchange *x, gw_state *st);      /* API key, validators; -1: already answered */
int gw_integration_request(gw_exchange *x, gw_state *st); /* mapping, template; -1: already answered */
void gw_integration_run(gw_exchange *x, gw_state *st);    /* calls gw_integration_response when done */
void gw_integration_response(gw_exchange *x);             /* selection, mapping, template, done() */
void gw_integration_aws(gw_exchange *x, gw_state *st);
void gw_integration_mock(gw_exchange *x, gw_state *st);
void gw_integration_http(gw_exchange *x, gw_state *st); /* HTTP and HTTP_PROXY */

/* Value of a mapping expression such as "method.request.path.id", "'literal'",
 * "context.requestId", "stageVariables.x", "integration.response.header.X",
 * "integration.response.body" / "integration.response.body.JSONPath". NULL slice ptr: no value. */
slice gw_mapping_value(gw_exchange *x, gw_state *st, slice expression);

/* Case-insensitive header lookup; SLICE_NULL when absent. */
slice gw_pairs_get(vtl_pairs pairs, slice name, bool ignore_case);
vtl_pairs gw_pairs_append(arena *a, vtl_pairs pairs, slice name, slice value);
/* Like append, but replaces an entry of the same name (any case): for response headers. */
vtl_pairs gw_pairs_set(arena *a, vtl_pairs pairs, slice name, slice value);

/* The integration's response body as text (written from the tree on first use). */
slice gw_integration_response_text(gw_exchange *x, gw_state *st);

/* Renders a compiled model template with this request's variables; on failure answers the exchange
 * (400 for a malformed JSON body, else 500) and returns -1. */
int gw_render(gw_exchange *x, gw_state *st, const model_template *t, slice body, const json_t *body_json, slice *out);
/* The same without answering: -1 with e set. body_json: the body already parsed, or NULL (vtl_env). */
int gw_render_template(gw_exchange *x, gw_state *st, const model_template *t, slice body, const json_t *body_json,
                       slice *out, aws_error *e);

#endif
