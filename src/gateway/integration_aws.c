/* The integrations that never leave the process: DynamoDB actions on the engine, and MOCK. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/json.h"
#include "core/json_parse.h"
#include "gateway/gw_internal.h"

/* ---- the role's permission ------------------------------------------------------------------- */

typedef struct arn_list {
    slice *items;
    size_t count, max;
    bool overflow; /* more resources than checked: the request is refused */
} arn_list;

static void add_table(arn_list *l, const stack_model *m, arena *a, const char *table, const char *index)
{
    if (table == NULL)
        return;
    if (l->count == l->max) {
        l->overflow = true;
        return;
    }
    buf arn;
    buf_init(&arn, a, 128);
    buf_append_cstr(&arn, "arn:aws:dynamodb:");
    buf_append_slice(&arn, m->region);
    buf_append_char(&arn, ':');
    buf_append_slice(&arn, m->account_id);
    buf_append_cstr(&arn, ":table/");
    buf_append_cstr(&arn, table);
    if (index != NULL) {
        buf_append_cstr(&arn, "/index/");
        buf_append_cstr(&arn, index);
    }
    l->items[l->count++] = buf_slice(&arn);
}

/* Every table (or index) ARN the request reaches, for the IAM check. */
static void request_resources(const stack_model *m, const json_t *request, arn_list *l, arena *a)
{
    add_table(l, m, a, json_string_value(json_object_get(request, "TableName")),
              json_string_value(json_object_get(request, "IndexName")));
    const char *key;
    const json_t *value;
    json_object_foreach((json_t *)json_object_get(request, "RequestItems"), key, value)
    {
        add_table(l, m, a, key, NULL);
    }
    size_t i;
    const json_t *item;
    json_array_foreach(json_object_get(request, "TransactItems"), i, item)
    {
        const char *kind;
        const json_t *action;
        json_object_foreach((json_t *)item, kind, action)
        {
            add_table(l, m, a, json_string_value(json_object_get(action, "TableName")), NULL);
        }
    }
}

/* The last resources each thread saw allowed, per integration. Roles and integrations are read-only
 * after load, so an allowed (integration, resource) stays allowed; most requests of a method reach
 * the same table, and matching its policy's wildcards again each time was a visible cost. Denials are
 * not remembered: they are answered with a message built from the full check. */
enum { ALLOWED_SEEN = 8, ALLOWED_ARN_MAX = 600 };
static _Thread_local struct {
    const model_integration *in;
    size_t len;
    char arn[ALLOWED_ARN_MAX];
} allowed_seen[ALLOWED_SEEN];
static _Thread_local unsigned allowed_next;

static bool role_allows(const model_integration *in, const char *action, slice arn)
{
    for (size_t i = 0; i < ALLOWED_SEEN; i++)
        if (allowed_seen[i].in == in && allowed_seen[i].len == arn.len &&
            memcmp(allowed_seen[i].arn, arn.ptr, arn.len) == 0)
            return true;
    if (!model_role_allows(in->role, action, arn))
        return false;
    if (arn.len <= ALLOWED_ARN_MAX) {
        unsigned slot = allowed_next++ % ALLOWED_SEEN;
        allowed_seen[slot].in = in;
        allowed_seen[slot].len = arn.len;
        memcpy(allowed_seen[slot].arn, arn.ptr, arn.len);
    }
    return true;
}

/* 0 when the integration's role may run the action on everything the request touches. */
static int check_role(gw_exchange *x, gw_state *st, const json_t *request, aws_error *err)
{
    const model_integration *in = &st->method->integration;
    const model_role *role = in->role;
    if (role == NULL)
        return 0; /* no role declared in the stack: reported at load, nothing to enforce */
    buf action_text;
    buf_init(&action_text, x->arena, 64);
    buf_append_cstr(&action_text, "dynamodb:");
    buf_append_slice(&action_text, in->aws_action);
    slice action = buf_slice(&action_text);
    slice resources[128];
    arn_list list = {resources, 0, 128, false};
    request_resources(st->model, request, &list, x->arena);
    if (list.overflow)
        return error_set(err, 400, "AccessDeniedException", "The request reaches too many resources to authorize");
    for (size_t i = 0; i < list.count; i++) {
        if (role_allows(in, action.ptr, resources[i]))
            continue;
        return error_set(err, 400, "AccessDeniedException",
                         "User: arn:aws:sts::%.*s:assumed-role/%.*s/BackplaneAssumeRoleSession is not authorized to "
                         "perform: %.*s on resource: %.*s because no identity-based policy allows the %.*s action",
                         SLICE_FMT(st->model->account_id), SLICE_FMT(role->name), SLICE_FMT(action),
                         SLICE_FMT(resources[i]), SLICE_FMT(action));
    }
    return 0;
}

/* ---- the DynamoDB call -------------------------------------------------------------------------- */

static const char *error_namespace(const char *type)
{
    static const char *const coral[] = {"AccessDeniedException",        "SerializationException",
                                        "UnknownOperationException",    "MissingAuthenticationTokenException",
                                        "IncompleteSignatureException", "UnrecognizedClientException"};
    for (size_t i = 0; i < sizeof(coral) / sizeof(coral[0]); i++)
        if (strcmp(type, coral[i]) == 0)
            return "com.amazon.coral.service#";
    return "com.amazonaws.dynamodb.v20120810#";
}

static void finish_with_error(gw_exchange *x, gw_state *st, const aws_error *e, const json_t *extra)
{
    json_t *body = json_is_object(extra) ? json_deep_copy(extra) : json_object();
    json_object_set_new(body, "__type",
                        json_string(arena_sprintf(x->arena, "%s%s", error_namespace(e->type), e->type)));
    json_object_set_new(body, "message", json_string(e->message));
    st->integration_status = e->status != 0 ? e->status : 500;
    st->integration_response_json = body;
    if (x->trace != NULL)
        gw_trace(x, "Endpoint response body before transformations: %.*s",
                 SLICE_FMT(gw_integration_response_text(x, st)));
    gw_integration_response(x);
}

static void after_dynamo(gw_exchange *x)
{
    gw_state *st = x->state;
    arena *previous = json_arena_push(x->arena);
    if (error_is_set(&st->call.error)) {
        finish_with_error(x, st, &st->call.error, st->call.response);
    } else {
        st->integration_status = 200;
        st->integration_response_json = st->call.response;
        if (st->call.response == NULL)
            st->integration_response_body = st->call.response_text;
        if (x->trace != NULL)
            gw_trace(x, "Endpoint response body before transformations: %.*s",
                     SLICE_FMT(gw_integration_response_text(x, st)));
        gw_integration_response(x);
    }
    json_arena_pop(previous);
}

static void on_dynamo_done(dynamo_call *call)
{
    gw_exchange *x = call->user;
    x->resume(x, after_dynamo);
}

void gw_integration_aws(gw_exchange *x, gw_state *st)
{
    const model_integration *in = &st->method->integration;
    gw_trace(x, "Endpoint request URI: https://dynamodb.%.*s.amazonaws.com/?Action=%.*s", SLICE_FMT(st->model->region),
             SLICE_FMT(in->aws_action));
    json_t *request = json_parse(st->integration_body, 0);
    aws_error err;
    error_clear(&err);
    if (request == NULL || !json_is_object(request)) {
        error_set(&err, 400, "SerializationException", "Start of structure or map found where not expected.");
        finish_with_error(x, st, &err, NULL);
        return;
    }
    if (check_role(x, st, request, &err) != 0) {
        gw_trace(x, "Endpoint request denied by the integration role: %s", err.message);
        finish_with_error(x, st, &err, NULL);
        return;
    }
    dynamo_call *call = &st->call;
    call->operation = in->aws_action;
    call->request = request;
    call->arena = x->arena;
    /* Plain reads then come back as JSON text written from the stored bytes, which the template's
     * reader turns into values faster than a tree is built and converted (measured on the Comments
     * GET); other answers stay trees, which the template reads without text in between. */
    call->text_response = true;
    call->done = on_dynamo_done;
    call->user = x;
    dynamo_engine_call(st->g->engine, call);
}

void gw_integration_mock(gw_exchange *x, gw_state *st)
{
    json_t *request = json_parse(st->integration_body, 0);
    const json_t *code = json_object_get(request, "statusCode");
    st->integration_status = json_is_integer(code)  ? (int)json_integer_value(code)
                             : json_is_string(code) ? atoi(json_string_value(code))
                                                    : 200;
    st->integration_response_body = SLICE_LIT("");
    gw_trace(x, "Mock integration answered with status %d", st->integration_status);
    gw_integration_response(x);
}
