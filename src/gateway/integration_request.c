/* Integration request: parameter mapping, the template chosen by Content-Type, passthrough. */
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "core/log.h"
#include "gateway/gw_internal.h"
#include "vtl/jsonpath.h"
#include "vtl/jutil.h"

static slice context_value(const json_t *context, slice dotted)
{
    const json_t *v = context;
    size_t i = 0;
    while (v != NULL && i <= dotted.len) {
        size_t end = i;
        while (end < dotted.len && dotted.ptr[end] != '.')
            end++;
        v = json_is_object(v) ? json_object_getn(v, dotted.ptr + i, end - i) : NULL;
        i = end + 1;
    }
    if (json_is_string(v))
        return json_string_slice(v);
    if (json_is_integer(v))
        return slice_cstr(arena_sprintf(json_arena_current(), "%lld", (long long)json_integer_value(v)));
    if (json_is_boolean(v))
        return json_is_true(v) ? SLICE_LIT("true") : SLICE_LIT("false");
    return SLICE_NULL;
}

/* A JSONPath over a JSON body, printed as API Gateway prints mapped body values. */
static slice body_path_value(arena *a, slice body, slice path)
{
    json_t *root, *found;
    aws_error err;
    if (jutil_json_parse(body, &root, &err) != 0)
        return SLICE_NULL;
    if (jsonpath_read(a, path, root, &found, &err) != JSONPATH_FOUND || found == NULL || json_is_null(found))
        return SLICE_NULL;
    if (json_is_string(found))
        return json_string_slice(found);
    jutil_buf b;
    jutil_buf_init(&b, a, 64);
    jutil_json_write(&b, found, JUTIL_JSON_LT_COMPRESS);
    return jutil_buf_slice(&b);
}

slice gw_mapping_value(gw_exchange *x, gw_state *st, slice e)
{
    if (e.len >= 2 && e.ptr[0] == '\'' && e.ptr[e.len - 1] == '\'')
        return slice_sub(e, 1, e.len - 2);
    static const struct {
        const char *prefix;
        int source;
    } sources[] = {
        {"method.request.path.", 1},
        {"method.request.querystring.", 2},
        {"method.request.header.", 3},
        {"method.request.multivaluequerystring.", 2},
        {"method.request.multivalueheader.", 3},
        {"context.", 4},
        {"stageVariables.", 5},
        {"integration.response.header.", 6},
        {"method.request.body.", 7},
        {"integration.response.body.", 8},
    };
    if (slice_eq_cstr(e, "method.request.body"))
        return x->body;
    if (slice_eq_cstr(e, "integration.response.body"))
        return gw_integration_response_text(x, st);
    for (size_t i = 0; i < sizeof(sources) / sizeof(sources[0]); i++) {
        size_t n = strlen(sources[i].prefix);
        if (!slice_starts_with(e, slice_make(sources[i].prefix, n)))
            continue;
        slice name = slice_sub(e, n, e.len);
        switch (sources[i].source) {
        case 1:
            return gw_pairs_get(st->path_params, name, false);
        case 2:
            return gw_pairs_get(st->query_params, name, false);
        case 3:
            return gw_pairs_get(x->headers, name, true);
        case 4:
            return context_value(gw_context(x, st), name);
        case 5:
            return st->stage != NULL ? gw_pairs_get(st->stage->variables, name, false) : SLICE_NULL;
        case 6:
            return gw_pairs_get(st->integration_response_headers, name, true);
        case 7:
            return body_path_value(x->arena, x->body, slice_sub(e, n - 2, e.len)); /* keep "$." */
        case 8:
            return body_path_value(x->arena, gw_integration_response_text(x, st), slice_sub(e, n - 2, e.len));
        }
    }
    return SLICE_NULL;
}

int gw_render(gw_exchange *x, gw_state *st, const model_template *t, slice body, const json_t *body_json, slice *out)
{
    aws_error err;
    if (gw_render_template(x, st, t, body, body_json, out, &err) == 0)
        return 0;
    /* A body that looks like JSON but is not fails the request as the client's fault, as on AWS. */
    if (err.status == 400)
        gw_fail(x, GW_BAD_REQUEST_BODY, err.message);
    else
        gw_fail(x, GW_DEFAULT_5XX, "Internal server error");
    return -1;
}

int gw_render_template(gw_exchange *x, gw_state *st, const model_template *t, slice body, const json_t *body_json,
                       slice *out, aws_error *e)
{
    vtl_env env = {.body = body,
                   .body_json = body_json,
                   .path = st->path_params,
                   .querystring = st->query_params,
                   .header = x->headers,
                   .stage_variables = st->stage->variables,
                   .context_of = gw_context_for_template,
                   .context_user = x,
                   .context_strings = gw_context_strings(x, st),
                   .overrides = st->overrides};
    error_clear(e);
    if (vtl_render(t->compiled, &env, x->arena, out, e) != 0) {
        if (e->status != 400)
            log_error("%s %.*s %.*s: mapping template failed: %s", st->request_id, SLICE_FMT(x->method),
                      SLICE_FMT(st->resource->path), e->message);
        gw_trace(x, "Execution failed: %s", e->message);
        return -1;
    }
    st->overrides = env.overrides;
    return 0;
}

int gw_integration_request(gw_exchange *x, gw_state *st)
{
    const model_integration *in = &st->method->integration;
    if (!st->method->has_integration) {
        gw_trace(x, "Execution failed due to configuration error: No integration defined for method");
        gw_fail(x, GW_API_CONFIGURATION_ERROR, NULL);
        return -1;
    }
    bool proxy = in->type == MODEL_INTEGRATION_HTTP_PROXY;
    const model_template *t = proxy ? NULL : model_template_find(&in->request_templates, st->content_type);
    if (proxy) {
        st->integration_body = x->body;
    } else if (t == NULL) {
        bool reject = in->passthrough == MODEL_PASSTHROUGH_NEVER ||
                      (in->passthrough == MODEL_PASSTHROUGH_WHEN_NO_TEMPLATES && in->request_templates.count != 0);
        if (reject) {
            gw_trace(x, "Request body does not match any template for content type %.*s and passthrough is %s",
                     SLICE_FMT(st->content_type),
                     in->passthrough == MODEL_PASSTHROUGH_NEVER ? "NEVER" : "WHEN_NO_TEMPLATES");
            gw_fail(x, GW_UNSUPPORTED_MEDIA_TYPE, NULL);
            return -1;
        }
        st->integration_body = x->body;
        gw_trace(x, "Request body passes through: no template for content type %.*s", SLICE_FMT(st->content_type));
    } else if (gw_render(x, st, t, x->body, NULL, &st->integration_body) != 0) {
        return -1;
    }
    static const char header[] = "integration.request.header.";
    for (size_t i = 0; i < in->request_parameters.count; i++) {
        slice target = in->request_parameters.items[i].key;
        if (!slice_starts_with(target, SLICE_LIT(header)))
            continue;
        slice value = gw_mapping_value(x, st, in->request_parameters.items[i].value);
        if (value.ptr != NULL)
            st->integration_headers = gw_pairs_append(x->arena, st->integration_headers,
                                                      slice_sub(target, sizeof(header) - 1, target.len), value);
    }
    for (size_t i = 0; i < st->overrides.request_header.count; i++)
        st->integration_headers =
            gw_pairs_append(x->arena, st->integration_headers, st->overrides.request_header.items[i].name,
                            st->overrides.request_header.items[i].value);
    gw_trace(x, "Endpoint request headers: %s", gw_trace_pairs(x, st->integration_headers));
    gw_trace(x, "Endpoint request body after transformations: %.*s", SLICE_FMT(st->integration_body));
    return 0;
}

void gw_integration_run(gw_exchange *x, gw_state *st)
{
    switch (st->method->integration.type) {
    case MODEL_INTEGRATION_AWS:
        if (slice_eq_cstr(st->method->integration.aws_service, "dynamodb")) {
            gw_integration_aws(x, st);
            return;
        }
        break;
    case MODEL_INTEGRATION_MOCK:
        gw_integration_mock(x, st);
        return;
    case MODEL_INTEGRATION_HTTP:
    case MODEL_INTEGRATION_HTTP_PROXY:
        gw_integration_http(x, st);
        return;
    default:
        break;
    }
    gw_trace(x, "Execution failed due to configuration error: %s integrations with %.*s are not supported",
             model_integration_type_name(st->method->integration.type), SLICE_FMT(st->method->integration.aws_service));
    gw_fail(x, GW_API_CONFIGURATION_ERROR, NULL);
}
