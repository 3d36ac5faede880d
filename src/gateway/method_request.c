/* Method request: the API key check and the request validators, before any integration work. */
#include "core/json.h"
#include "gateway/api_keys.h"
#include "gateway/gw_internal.h"

static int check_api_key(gw_exchange *x, gw_state *st)
{
    slice value = gw_pairs_get(x->headers, SLICE_LIT("x-api-key"), true);
    const model_api_key *key = value.ptr != NULL ? api_keys_find(st->g, value) : NULL;
    if (key != NULL) {
        json_t *identity = json_object_get(gw_context(x, st), "identity");
        json_object_set_new(identity, "apiKey", json_stringn(value.ptr, value.len));
        json_object_set_new(identity, "apiKeyId", json_stringn(key->id.ptr, key->id.len));
    }
    const model_usage_plan *plans[1];
    if (key == NULL || !key->enabled ||
        model_usage_plans_for(st->model, st->api, st->stage->stage->name, key, plans, 1) == 0) {
        gw_trace(x, "API Key %s not authorized because %s", value.ptr != NULL ? "given" : "(none)",
                 key == NULL     ? "it is unknown"
                 : !key->enabled ? "it is disabled"
                                 : "no usage plan covers this stage");
        gw_fail(x, GW_INVALID_API_KEY, NULL);
        return -1;
    }
    gw_trace(x, "API Key authorized because method '%.*s %.*s' requires API Key and API Key is valid",
             SLICE_FMT(st->method->http_method), SLICE_FMT(st->resource->path));
    return 0;
}

static bool parameter_present(gw_exchange *x, gw_state *st, slice name)
{
    static const char header[] = "method.request.header.", query[] = "method.request.querystring.",
                      path[] = "method.request.path.";
    if (slice_starts_with(name, SLICE_LIT(header)))
        return gw_pairs_get(x->headers, slice_sub(name, sizeof(header) - 1, name.len), true).ptr != NULL;
    if (slice_starts_with(name, SLICE_LIT(query)))
        return gw_pairs_get(st->query_params, slice_sub(name, sizeof(query) - 1, name.len), false).ptr != NULL;
    if (slice_starts_with(name, SLICE_LIT(path)))
        return gw_pairs_get(st->path_params, slice_sub(name, sizeof(path) - 1, name.len), false).ptr != NULL;
    return true; /* multivalue forms and others are not checked */
}

static int validate_parameters(gw_exchange *x, gw_state *st)
{
    buf missing;
    buf_init(&missing, x->arena, 64);
    const model_params *params = &st->method->request_parameters;
    for (size_t i = 0; i < params->count; i++) {
        if (!params->items[i].required || parameter_present(x, st, params->items[i].name))
            continue;
        slice name = params->items[i].name;
        const char *last_dot = name.ptr + name.len;
        while (last_dot > name.ptr && last_dot[-1] != '.')
            last_dot--;
        buf_append_cstr(&missing, missing.len == 0 ? "" : ", ");
        buf_append(&missing, last_dot, (size_t)(name.ptr + name.len - last_dot));
    }
    if (missing.len == 0)
        return 0;
    const char *message = arena_sprintf(x->arena, "Missing required request parameters: [%s]", buf_slice(&missing).ptr);
    gw_trace(x, "Request validation failed: %s", message);
    gw_fail(x, GW_BAD_REQUEST_PARAMETERS, message);
    return -1;
}

static const model_model *request_model(const model_method *m, slice content_type)
{
    const model_model *fallback = NULL;
    for (size_t i = 0; i < m->request_model_count; i++) {
        slice ct = m->request_models[i].content_type;
        if (slice_eq_nocase(ct, content_type))
            return m->request_models[i].model;
        if (slice_eq_cstr(ct, "$default"))
            fallback = m->request_models[i].model;
    }
    return fallback;
}

static int validate_body(gw_exchange *x, gw_state *st)
{
    const model_model *model = request_model(st->method, st->content_type);
    if (model == NULL || model->compiled == NULL)
        return 0;
    json_error_t jerr;
    json_t *instance = json_loadb(x->body.ptr != NULL ? x->body.ptr : "", x->body.len, JSON_DECODE_ANY, &jerr);
    slice messages;
    if (instance == NULL) {
        messages = slice_cstr(arena_sprintf(x->arena, "[Invalid JSON: %s]", jerr.text));
    } else if (json_schema_validate(model->compiled, instance, x->arena, &messages)) {
        return 0;
    }
    json_object_set_new(json_object_get(gw_context(x, st), "error"), "validationErrorString",
                        json_stringn(messages.ptr, messages.len));
    gw_trace(x, "Request body does not match model schema for content type %.*s: %.*s", SLICE_FMT(st->content_type),
             SLICE_FMT(messages));
    gw_fail(x, GW_BAD_REQUEST_BODY, NULL);
    return -1;
}

int gw_method_request(gw_exchange *x, gw_state *st)
{
    const model_method *m = st->method;
    slice ct = gw_pairs_get(x->headers, SLICE_LIT("Content-Type"), true);
    /* Media type only: "application/json; charset=utf-8" selects the application/json template. */
    size_t n = 0;
    while (n < ct.len && ct.ptr[n] != ';')
        n++;
    while (n > 0 && ct.ptr[n - 1] == ' ')
        n--;
    st->content_type = ct.ptr != NULL && n != 0 ? slice_make(ct.ptr, n) : SLICE_LIT("application/json");

    if (m->api_key_required && check_api_key(x, st) != 0)
        return -1;
    const model_validator *v = m->request_validator;
    if (v != NULL && v->validate_parameters && validate_parameters(x, st) != 0)
        return -1;
    if (v != NULL && v->validate_body && validate_body(x, st) != 0)
        return -1;
    return 0;
}
