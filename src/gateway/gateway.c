/* The gateway's entry: preparing a model, routing a request, and the gateway responses. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "core/log.h"
#include "core/reqid.h"
#include "core/urlcode.h"
#include "gateway/api_keys.h"
#include "gateway/gw_internal.h"
#include "gateway/selection.h"

/* ---- small shared helpers ---------------------------------------------------------------------- */

slice gw_pairs_get(vtl_pairs pairs, slice name, bool ignore_case)
{
    /* The last occurrence wins, as API Gateway keeps the last of repeated parameters. */
    for (size_t i = pairs.count; i-- > 0;)
        if (ignore_case ? slice_eq_nocase(pairs.items[i].name, name) : slice_eq(pairs.items[i].name, name))
            return pairs.items[i].value;
    return SLICE_NULL;
}

vtl_pairs gw_pairs_append(arena *a, vtl_pairs pairs, slice name, slice value)
{
    vtl_pair *items = arena_alloc(a, (pairs.count + 1) * sizeof(*items));
    if (pairs.count != 0)
        memcpy(items, pairs.items, pairs.count * sizeof(*items));
    items[pairs.count] = (vtl_pair){name, value};
    return (vtl_pairs){items, pairs.count + 1};
}

vtl_pairs gw_pairs_set(arena *a, vtl_pairs pairs, slice name, slice value)
{
    for (size_t i = 0; i < pairs.count; i++)
        if (slice_eq_nocase(pairs.items[i].name, name)) {
            vtl_pair *items = arena_alloc(a, pairs.count * sizeof(*items));
            memcpy(items, pairs.items, pairs.count * sizeof(*items));
            items[i].value = value;
            return (vtl_pairs){items, pairs.count};
        }
    return gw_pairs_append(a, pairs, name, value);
}

const char *gw_trace_pairs(gw_exchange *x, vtl_pairs pairs)
{
    if (x->trace == NULL)
        return "";
    buf b;
    buf_init(&b, x->arena, 128);
    buf_append_char(&b, '{');
    for (size_t i = 0; i < pairs.count; i++)
        buf_printf(&b, "%s%.*s=%.*s", i ? ", " : "", SLICE_FMT(pairs.items[i].name), SLICE_FMT(pairs.items[i].value));
    buf_append_char(&b, '}');
    return buf_slice(&b).ptr;
}

void gw_trace(gw_exchange *x, const char *fmt, ...)
{
    if (x->trace == NULL)
        return;
    va_list ap;
    va_start(ap, fmt);
    char *line = arena_vsprintf(x->arena, fmt, ap);
    va_end(ap);
    buf_append_cstr(x->trace, line);
    buf_append_char(x->trace, '\n');
}

/* ---- preparation -------------------------------------------------------------------------------- */

static const json_t *lookup_model_schema(void *ctx, slice name)
{
    const model_model *m = model_api_model(ctx, name);
    return m != NULL ? m->schema : NULL;
}

static int compile_templates(gateway *g, const model_templates *templates, const char *where, aws_error *err)
{
    for (size_t i = 0; i < templates->count; i++) {
        model_template *t = &templates->items[i];
        aws_error terr;
        error_clear(&terr);
        vtl_template *compiled = vtl_compile(t->text, g->arena, &terr);
        if (compiled == NULL)
            return error_set(err, 400, "BadRequestException", "%s, template for %.*s: %s", where,
                             SLICE_FMT(t->content_type), terr.message);
        t->compiled = compiled;
    }
    return 0;
}

static int prepare_method(gateway *g, const model_api *api, const model_method *cm, aws_error *err)
{
    model_method *m = (model_method *)cm; /* the model reserves `compiled` slots for this step */
    const char *where = arena_sprintf(g->arena, "API %.*s, %.*s %.*s", SLICE_FMT(api->name), SLICE_FMT(m->http_method),
                                      SLICE_FMT(m->resource->path));
    if (!m->has_integration)
        return 0;
    model_integration *in = &m->integration;
    if (compile_templates(g, &in->request_templates, where, err) != 0)
        return -1;
    for (size_t i = 0; i < in->response_count; i++) {
        model_integration_response *r = &in->responses[i];
        if (compile_templates(g, &r->response_templates, where, err) != 0)
            return -1;
        if (!r->is_default && r->selection_pattern.len != 0) {
            selection_pattern *compiled = selection_compile(r->selection_pattern, err);
            r->compiled = compiled;
            if (compiled != NULL) {
                g->patterns = realloc(g->patterns, (g->pattern_count + 1) * sizeof(*g->patterns));
                g->patterns[g->pattern_count++] = compiled;
            }
            if (compiled == NULL)
                return error_set(err, 400, "BadRequestException", "%s: selection pattern %.*s: %s", where,
                                 SLICE_FMT(r->selection_pattern), err->message);
        }
    }
    for (size_t i = 0; i < m->request_model_count; i++) {
        model_model *model = (model_model *)m->request_models[i].model;
        if (model == NULL || model->compiled != NULL)
            continue;
        json_schema *s = json_schema_prepare(model->schema, lookup_model_schema, (void *)api, err);
        if (s == NULL)
            return error_set(err, 400, "BadRequestException", "%s, model %.*s: %s", where, SLICE_FMT(model->name),
                             err->message);
        g->schemas = realloc(g->schemas, (g->schema_count + 1) * sizeof(*g->schemas));
        g->schemas[g->schema_count++] = s;
        model->compiled = s;
    }
    if (in->type == MODEL_INTEGRATION_AWS && !slice_eq_cstr(in->aws_service, "dynamodb")) {
        /* Lambda and other services have no implementation here: the method answers 500, like an
         * integration API Gateway cannot reach. */
        log_warn("%s: AWS integrations with %.*s are not supported (%.*s); the method will answer 500", where,
                 in->aws_service.len ? (int)in->aws_service.len : 7,
                 in->aws_service.len ? in->aws_service.ptr : "unknown", SLICE_FMT(in->uri));
        return 0;
    }
    if (in->type == MODEL_INTEGRATION_AWS && in->aws_action.len == 0)
        return error_set(err, 400, "BadRequestException",
                         "%s: the integration URI %.*s names no DynamoDB action (expected .../action/OPERATION)", where,
                         SLICE_FMT(in->uri));
    if (in->type == MODEL_INTEGRATION_AWS && !dynamo_operation_known(in->aws_action))
        return error_set(err, 400, "BadRequestException", "%s: DynamoDB has no action %.*s", where,
                         SLICE_FMT(in->aws_action));
    if (in->type == MODEL_INTEGRATION_AWS_PROXY)
        log_warn("%s: Lambda proxy integrations are not supported; the method will answer 500", where);
    if (in->type == MODEL_INTEGRATION_AWS && in->credentials.len != 0 && in->role == NULL)
        log_warn("%s: the role %.*s is not declared in the template, so its policies cannot be enforced", where,
                 SLICE_FMT(in->credentials));
    return 0;
}

static int prepare_gateway_responses(gateway *g, const model_api *api, aws_error *err)
{
    for (size_t i = 0; i < api->gateway_response_count; i++) {
        model_gateway_response *r = &api->gateway_responses[i];
        if (gateway_response_type_from_name(r->type) < 0)
            return error_set(err, 400, "BadRequestException", "API %.*s: unknown gateway response type %.*s",
                             SLICE_FMT(api->name), SLICE_FMT(r->type));
        if (compile_templates(g, &r->response_templates, "gateway response", err) != 0)
            return -1;
    }
    return 0;
}

static int prepare_model(gateway *g, const stack_model *model, arena *load_arena, aws_error *err)
{
    for (size_t a = 0; a < model->api_count; a++) {
        const model_api *api = &model->apis[a];
        for (size_t r = 0; r < api->resource_count; r++)
            for (int v = 0; v < MODEL_VERB_COUNT; v++)
                if (api->resources[r]->methods[v] != NULL &&
                    prepare_method(g, api, api->resources[r]->methods[v], err) != 0)
                    return -1;
        if (prepare_gateway_responses(g, api, err) != 0)
            return -1;
        g->stages = realloc(g->stages, (g->stage_count + api->stage_count) * sizeof(*g->stages));
        for (size_t s = 0; s < api->stage_count; s++) {
            const model_stage *stage = &api->stages[s];
            vtl_pair *vars = arena_alloc(load_arena, (stage->variables.count + 1) * sizeof(*vars));
            for (size_t i = 0; i < stage->variables.count; i++)
                vars[i] = (vtl_pair){stage->variables.items[i].key, stage->variables.items[i].value};
            g->stages[g->stage_count++] = (gw_stage_info){model, api, stage, {vars, stage->variables.count}};
        }
    }
    return 0;
}

gateway *gateway_create(const stack_model *const *models, size_t model_count, dynamo_engine *engine,
                        const gateway_options *options, arena *load_arena, aws_error *err)
{
    gateway *g = calloc(1, sizeof(*g));
    g->models = models;
    g->model_count = model_count;
    g->engine = engine;
    g->arena = load_arena;
    g->default_error_template = vtl_compile(SLICE_LIT(GATEWAY_RESPONSE_DEFAULT_TEMPLATE), load_arena, err);
    if (g->default_error_template == NULL)
        goto fail;
    for (size_t m = 0; m < model_count; m++)
        if (prepare_model(g, models[m], load_arena, err) != 0)
            goto fail;
    if (api_keys_resolve(g, options != NULL ? options->data_dir : NULL, err) != 0)
        goto fail;
    return g;
fail:
    gateway_destroy(g);
    return NULL;
}

void gateway_destroy(gateway *g)
{
    if (g == NULL)
        return;
    for (size_t i = 0; i < g->schema_count; i++)
        json_schema_free(g->schemas[i]);
    free(g->schemas);
    for (size_t i = 0; i < g->pattern_count; i++)
        selection_free(g->patterns[i]);
    free(g->patterns);
    free(g->stages);
    free(g);
}

/* ---- gateway responses ------------------------------------------------------------------------ */

static const char *error_type_header(gateway_response_type type)
{
    switch (type) {
    case GW_MISSING_AUTHENTICATION_TOKEN:
        return "MissingAuthenticationTokenException";
    case GW_INVALID_API_KEY:
    case GW_ACCESS_DENIED:
    case GW_WAF_FILTERED:
        return "ForbiddenException";
    case GW_BAD_REQUEST_BODY:
    case GW_BAD_REQUEST_PARAMETERS:
    case GW_DEFAULT_4XX:
        return "BadRequestException";
    case GW_UNSUPPORTED_MEDIA_TYPE:
        return "UnsupportedMediaTypeException";
    case GW_THROTTLED:
    case GW_QUOTA_EXCEEDED:
        return "TooManyRequestsException";
    case GW_UNAUTHORIZED:
        return "UnauthorizedException";
    case GW_REQUEST_TOO_LARGE:
        return "RequestTooLargeException";
    case GW_RESOURCE_NOT_FOUND:
        return "NotFoundException";
    case GW_INTEGRATION_TIMEOUT:
    case GW_INTEGRATION_FAILURE:
    case GW_API_CONFIGURATION_ERROR:
    case GW_AUTHORIZER_FAILURE:
    case GW_AUTHORIZER_CONFIGURATION_ERROR:
    case GW_DEFAULT_5XX:
    default:
        return "InternalServerErrorException";
    }
}

/* The customisation that applies: the type's own, else its DEFAULT_4XX / DEFAULT_5XX. */
static const model_gateway_response *customisation(const model_api *api, gateway_response_type type)
{
    if (api == NULL)
        return NULL;
    const gateway_response_info *info = gateway_response_info_of(type);
    const model_gateway_response *own = model_api_gateway_response(api, slice_cstr(info->name));
    if (own != NULL)
        return own;
    return model_api_gateway_response(api, slice_cstr(gateway_response_info_of(info->fallback)->name));
}

void gw_fail(gw_exchange *x, gateway_response_type type, const char *message)
{
    gw_state *st = x->state;
    const gateway_response_info *info = gateway_response_info_of(type);
    if (message == NULL)
        message = info->message;
    const model_gateway_response *custom = customisation(st->api, type);
    int status = info->status;
    if (custom != NULL && custom->status_code.len != 0)
        status = atoi(custom->status_code.ptr);

    json_t *message_string = json_string(message);
    json_t *context_error = json_object_get(gw_context(x, st), "error");
    json_object_set_new(context_error, "message", json_string(message));
    json_object_set_new(context_error, "messageString",
                        json_string(json_dump_slice(message_string, JSON_ENCODE_ANY).ptr));
    json_object_set_new(context_error, "responseType", json_string(info->name));

    const vtl_template *tpl = st->g->default_error_template;
    slice content_type = SLICE_LIT("application/json");
    if (custom != NULL && custom->response_templates.count != 0) {
        const model_template *t = model_template_find(&custom->response_templates, SLICE_LIT("application/json"));
        if (t == NULL)
            t = &custom->response_templates.items[0];
        tpl = t->compiled;
        content_type = t->content_type;
    }
    vtl_env env = {.body = x->body,
                   .path = st->path_params,
                   .querystring = st->query_params,
                   .header = x->headers,
                   .stage_variables = st->stage != NULL ? st->stage->variables : (vtl_pairs){0},
                   .context = gw_context(x, st)};
    slice body;
    aws_error err;
    if (vtl_render(tpl, &env, x->arena, &body, &err) != 0) {
        log_error("gateway response %s: template failed: %s", info->name, err.message);
        body = SLICE_LIT("{\"message\": \"Internal server error\"}");
        status = 500;
    }
    vtl_pairs headers = {0};
    headers = gw_pairs_append(x->arena, headers, SLICE_LIT("Content-Type"), content_type);
    headers = gw_pairs_append(x->arena, headers, SLICE_LIT("x-amzn-RequestId"), slice_cstr(st->request_id));
    headers = gw_pairs_append(x->arena, headers, SLICE_LIT("x-amzn-ErrorType"), slice_cstr(error_type_header(type)));
    if (custom != NULL)
        for (size_t i = 0; i < custom->response_parameters.count; i++) {
            slice target = custom->response_parameters.items[i].key;
            static const char prefix[] = "gatewayresponse.header.";
            if (!slice_starts_with(target, SLICE_LIT(prefix)))
                continue;
            slice value = gw_mapping_value(x, st, custom->response_parameters.items[i].value);
            if (value.ptr != NULL)
                headers = gw_pairs_set(x->arena, headers, slice_sub(target, sizeof(prefix) - 1, target.len), value);
        }
    gw_trace(x, "Gateway response type: %s with status code: %d", info->name, status);
    gw_trace(x, "Gateway response body: %.*s", SLICE_FMT(body));
    x->status = status;
    x->response_headers = headers;
    x->response_body = body;
    x->done(x);
}

/* ---- routing ------------------------------------------------------------------------------------ */

static const gw_stage_info *find_stage(const gateway *g, const model_api *api, slice name)
{
    for (size_t i = 0; i < g->stage_count; i++)
        if (g->stages[i].api == api && slice_eq(g->stages[i].stage->name, name))
            return &g->stages[i];
    return NULL;
}

static vtl_pairs parse_query(arena *a, slice query)
{
    vtl_pairs out = {0};
    size_t i = 0;
    while (i < query.len) {
        size_t end = i;
        while (end < query.len && query.ptr[end] != '&')
            end++;
        slice part = slice_sub(query, i, end - i);
        if (part.len != 0) {
            const char *eq = memchr(part.ptr, '=', part.len);
            slice name = eq != NULL ? slice_make(part.ptr, (size_t)(eq - part.ptr)) : part;
            slice value = eq != NULL ? slice_sub(part, name.len + 1, part.len) : SLICE_LIT("");
            out = gw_pairs_append(a, out, url_decode(a, name, true), url_decode(a, value, true));
        }
        i = end + 1;
    }
    return out;
}

/* The API a Host names ("{api-id}.execute-api.…") in any model, else the first model's default API. */
static void route_api(const gateway *g, slice host, gw_state *st)
{
    static const char marker[] = ".execute-api.";
    const char *at = host.len != 0 ? memmem(host.ptr, host.len, marker, sizeof(marker) - 1) : NULL;
    if (at != NULL) {
        slice id = slice_make(host.ptr, (size_t)(at - host.ptr));
        for (size_t m = 0; m < g->model_count; m++) {
            const model_api *api = model_api_by_id(g->models[m], id);
            if (api != NULL) {
                st->model = g->models[m];
                st->api = api;
                return;
            }
        }
    }
    if (g->model_count != 0) {
        st->model = g->models[0];
        st->api = model_api_for_host(g->models[0], host);
    }
}

void gateway_handle(gateway *g, gw_exchange *x)
{
    gw_state *st = arena_calloc(x->arena, sizeof(*st));
    x->state = st;
    st->g = g;
    gw_context_start(st);
    arena *previous = json_arena_push(x->arena);
    st->query_params = parse_query(x->arena, x->query);

    route_api(g, x->host, st);
    slice path = x->path.len != 0 ? x->path : SLICE_LIT("/");
    size_t stage_end = 1;
    while (stage_end < path.len && path.ptr[stage_end] != '/')
        stage_end++;
    slice stage_name = slice_sub(path, 1, stage_end - 1);
    if (st->api != NULL && stage_name.len != 0)
        st->stage = find_stage(g, st->api, stage_name);
    slice rest = stage_end < path.len ? slice_sub(path, stage_end, path.len) : SLICE_LIT("/");
    model_path_param raw[GW_MAX_PATH_PARAMS];
    size_t raw_count = 0;
    if (st->stage != NULL)
        st->resource = model_api_match(st->api, rest, raw, GW_MAX_PATH_PARAMS, &raw_count);
    if (st->resource != NULL)
        st->method = model_resource_method(st->resource, model_verb_parse(x->method));
    gw_trace(x, "Starting execution for request: %s", st->request_id);
    if (st->method == NULL) {
        gw_fail(x, GW_MISSING_AUTHENTICATION_TOKEN, NULL);
        json_arena_pop(previous);
        return;
    }
    for (size_t i = 0; i < raw_count; i++)
        st->path_params =
            gw_pairs_append(x->arena, st->path_params, raw[i].name, url_decode(x->arena, raw[i].value, false));
    st->resource_path_within_stage = rest;
    gw_context_route(x, st);
    gw_trace(x, "HTTP Method: %.*s, Resource Path: %.*s", SLICE_FMT(x->method), SLICE_FMT(st->resource->path));
    gw_trace(x, "Method request path: %s", gw_trace_pairs(x, st->path_params));
    gw_trace(x, "Method request query string: %s", gw_trace_pairs(x, st->query_params));
    gw_trace(x, "Method request headers: %s", gw_trace_pairs(x, x->headers));
    gw_trace(x, "Method request body before transformations: %.*s", SLICE_FMT(x->body));
    if (gw_method_request(x, st) == 0 && gw_integration_request(x, st) == 0)
        gw_integration_run(x, st);
    json_arena_pop(previous);
}
