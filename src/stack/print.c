/* What a user sees of the model: warnings at start, routes with their URLs, a canonical JSON form. */
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "stack/stack.h"

void stack_print_warnings(FILE *out, const stack_model *m)
{
    for (size_t i = 0; i < m->unsupported_count; i++)
        fprintf(out, "warning: %s\n", m->unsupported[i].ptr);
    if (m->ignored_count == 0)
        return;
    fputs("warning: resources Portico does not run:", out);
    /* grouped by type, in first-seen order */
    for (size_t i = 0; i < m->ignored_count; i++) {
        bool seen = false;
        for (size_t k = 0; k < i && !seen; k++)
            seen = slice_eq(m->ignored[k].type, m->ignored[i].type);
        if (seen)
            continue;
        fprintf(out, " %s (", m->ignored[i].type.ptr);
        bool first = true;
        for (size_t k = i; k < m->ignored_count; k++)
            if (slice_eq(m->ignored[k].type, m->ignored[i].type)) {
                fprintf(out, "%s%s", first ? "" : ", ", m->ignored[k].logical_id.ptr);
                first = false;
            }
        fputs(")", out);
    }
    fputs("\n", out);
}

static void print_method(FILE *out, const model_method *mm, const char *url)
{
    fprintf(out, "    %-7s %s", mm->http_method.ptr, url);
    if (mm->has_integration) {
        const model_integration *in = &mm->integration;
        fprintf(out, "  -> %s", model_integration_type_name(in->type));
        if (in->aws_action.len > 0)
            fprintf(out, " %s:%s", in->aws_service.ptr, in->aws_action.ptr);
        else if (in->uri.len > 0)
            fprintf(out, " %s", in->uri.ptr);
    } else {
        fputs("  -> (no integration)", out);
    }
    if (mm->api_key_required)
        fputs("  [API key]", out);
    if (!slice_eq_cstr(mm->authorization_type, "NONE"))
        fprintf(out, "  [%s]", mm->authorization_type.ptr);
    fputc('\n', out);
}

void stack_print_routes(FILE *out, const stack_model *m, const char *base_url)
{
    const char *scheme_end = strstr(base_url, "://");
    const char *hostport = scheme_end != NULL ? scheme_end + 3 : base_url;
    const char *port = strrchr(hostport, ':');
    for (size_t a = 0; a < m->api_count; a++) {
        const model_api *api = &m->apis[a];
        char base[512];
        if (a == 0)
            snprintf(base, sizeof(base), "%s", base_url);
        else
            snprintf(base, sizeof(base), "http://%s.execute-api.localhost%s", api->id.ptr, port != NULL ? port : "");
        fprintf(out, "API %s (id %s%s, from %s)\n", api->name.ptr, api->id.ptr, a == 0 ? ", default" : "",
                api->source.ptr);
        for (size_t s = 0; s < api->stage_count; s++) {
            const model_stage *st = &api->stages[s];
            fprintf(out, "  stage %s\n", st->name.ptr);
            for (size_t r = 0; r < api->resource_count; r++) {
                const model_resource *res = api->resources[r];
                for (int v = 0; v < MODEL_VERB_COUNT; v++) {
                    if (res->methods[v] == NULL)
                        continue;
                    char url[1024];
                    snprintf(url, sizeof(url), "%s/%s%s", base, st->name.ptr,
                             strcmp(res->path.ptr, "/") == 0 ? "/" : res->path.ptr);
                    print_method(out, res->methods[v], url);
                }
            }
        }
    }
    for (size_t t = 0; t < m->table_count; t++)
        fprintf(out, "table %s\n", m->tables[t].name.ptr);
    for (size_t k = 0; k < m->api_key_count; k++)
        fprintf(out, "API key %s: %s%s%s\n", m->api_keys[k].name.ptr, m->api_keys[k].value.ptr,
                m->api_keys[k].value_generated ? " (generated)" : "", m->api_keys[k].enabled ? "" : " (disabled)");
}

/* ---- canonical JSON ---- */

static json_t *str(slice s)
{
    return json_stringn(s.ptr != NULL ? s.ptr : "", s.len);
}

static json_t *map_json(const model_map *m)
{
    json_t *o = json_object();
    for (size_t i = 0; i < m->count; i++)
        json_object_setn_new(o, m->items[i].key.ptr, m->items[i].key.len, str(m->items[i].value));
    return o;
}

static json_t *params_json(const model_params *p)
{
    json_t *o = json_object();
    for (size_t i = 0; i < p->count; i++)
        json_object_setn_new(o, p->items[i].name.ptr, p->items[i].name.len, json_boolean(p->items[i].required));
    return o;
}

static json_t *templates_json(const model_templates *t)
{
    json_t *o = json_object();
    for (size_t i = 0; i < t->count; i++)
        json_object_setn_new(o, t->items[i].content_type.ptr, t->items[i].content_type.len, str(t->items[i].text));
    return o;
}

static json_t *model_refs_json(const model_model_ref *refs, size_t n)
{
    json_t *o = json_object();
    for (size_t i = 0; i < n; i++)
        json_object_setn_new(o, refs[i].content_type.ptr, refs[i].content_type.len,
                             refs[i].model != NULL ? str(refs[i].model->name) : json_null());
    return o;
}

static const char *passthrough_name(model_passthrough p)
{
    return p == MODEL_PASSTHROUGH_NEVER               ? "NEVER"
           : p == MODEL_PASSTHROUGH_WHEN_NO_TEMPLATES ? "WHEN_NO_TEMPLATES"
                                                      : "WHEN_NO_MATCH";
}

static const char *content_handling_name(model_content_handling c)
{
    return c == MODEL_CONTENT_CONVERT_TO_TEXT     ? "CONVERT_TO_TEXT"
           : c == MODEL_CONTENT_CONVERT_TO_BINARY ? "CONVERT_TO_BINARY"
                                                  : "";
}

static json_t *method_json(const model_method *m, bool with_ids)
{
    json_t *o = json_object();
    json_object_set_new(o, "authorizationType", str(m->authorization_type));
    json_object_set_new(o, "apiKeyRequired", json_boolean(m->api_key_required));
    json_object_set_new(o, "requestParameters", params_json(&m->request_parameters));
    json_object_set_new(o, "requestValidator",
                        m->request_validator != NULL ? str(m->request_validator->name) : json_null());
    json_object_set_new(o, "requestModels", model_refs_json(m->request_models, m->request_model_count));
    json_t *mr = json_object();
    for (size_t i = 0; i < m->response_count; i++) {
        const model_method_response *r = &m->responses[i];
        json_object_setn_new(mr, r->status_code.ptr, r->status_code.len,
                             json_pack("{s:o, s:o}", "responseParameters", params_json(&r->response_parameters),
                                       "responseModels", model_refs_json(r->response_models, r->response_model_count)));
    }
    json_object_set_new(o, "methodResponses", mr);
    if (m->has_integration) {
        const model_integration *in = &m->integration;
        json_t *i = json_object();
        json_object_set_new(i, "type", json_string(model_integration_type_name(in->type)));
        json_object_set_new(i, "uri", str(in->uri));
        json_object_set_new(i, "httpMethod", str(in->http_method));
        json_object_set_new(i, "credentials", str(in->credentials));
        json_object_set_new(i, "requestParameters", map_json(&in->request_parameters));
        json_object_set_new(i, "requestTemplates", templates_json(&in->request_templates));
        json_object_set_new(i, "passthroughBehavior", json_string(passthrough_name(in->passthrough)));
        json_object_set_new(i, "contentHandling", json_string(content_handling_name(in->content_handling)));
        json_object_set_new(i, "timeoutInMillis", json_integer(in->timeout_ms));
        json_t *ck = json_array();
        for (size_t k = 0; k < in->cache_key_parameter_count; k++)
            json_array_append_new(ck, str(in->cache_key_parameters[k]));
        json_object_set_new(i, "cacheKeyParameters", ck);
        json_t *rs = json_array();
        for (size_t k = 0; k < in->response_count; k++) {
            const model_integration_response *r = &in->responses[k];
            json_array_append_new(rs, json_pack("{s:o, s:o, s:b, s:o, s:o, s:s}", "statusCode", str(r->status_code),
                                                "selectionPattern", str(r->selection_pattern), "default", r->is_default,
                                                "responseParameters", map_json(&r->response_parameters),
                                                "responseTemplates", templates_json(&r->response_templates),
                                                "contentHandling", content_handling_name(r->content_handling)));
        }
        json_object_set_new(i, "integrationResponses", rs);
        json_object_set_new(o, "integration", i);
    }
    if (with_ids)
        json_object_set_new(o, "operationName", str(m->operation_name));
    return o;
}

json_t *stack_api_to_json(const model_api *api, bool with_ids)
{
    json_t *o = json_object();
    if (with_ids)
        json_object_set_new(o, "id", str(api->id));
    json_object_set_new(o, "name", str(api->name));
    json_object_set_new(o, "apiKeySource", str(api->api_key_source));
    json_t *bmt = json_array();
    for (size_t i = 0; i < api->binary_media_type_count; i++)
        json_array_append_new(bmt, str(api->binary_media_types[i]));
    json_object_set_new(o, "binaryMediaTypes", bmt);
    json_t *stages = json_object();
    for (size_t i = 0; i < api->stage_count; i++)
        json_object_set_new(stages, api->stages[i].name.ptr,
                            json_pack("{s:o}", "variables", map_json(&api->stages[i].variables)));
    json_object_set_new(o, "stages", stages);
    json_t *models = json_object();
    for (size_t i = 0; i < api->model_count; i++)
        json_object_set_new(
            models, api->models[i].name.ptr,
            json_pack("{s:o, s:O}", "contentType", str(api->models[i].content_type), "schema", api->models[i].schema));
    json_object_set_new(o, "models", models);
    json_t *validators = json_object();
    for (size_t i = 0; i < api->validator_count; i++)
        json_object_set_new(validators, api->validators[i].name.ptr,
                            json_pack("{s:b, s:b}", "validateRequestBody", api->validators[i].validate_body,
                                      "validateRequestParameters", api->validators[i].validate_parameters));
    json_object_set_new(o, "requestValidators", validators);
    json_t *gr = json_object();
    for (size_t i = 0; i < api->gateway_response_count; i++) {
        const model_gateway_response *g = &api->gateway_responses[i];
        json_object_set_new(gr, g->type.ptr,
                            json_pack("{s:o, s:o, s:o}", "statusCode", str(g->status_code), "responseParameters",
                                      map_json(&g->response_parameters), "responseTemplates",
                                      templates_json(&g->response_templates)));
    }
    json_object_set_new(o, "gatewayResponses", gr);
    json_t *paths = json_object();
    for (size_t r = 0; r < api->resource_count; r++) {
        const model_resource *res = api->resources[r];
        json_t *methods = json_object();
        for (int v = 0; v < MODEL_VERB_COUNT; v++)
            if (res->methods[v] != NULL)
                json_object_set_new(methods, model_verb_name((model_verb)v), method_json(res->methods[v], with_ids));
        if (with_ids)
            json_object_set_new(methods, "id", str(res->id));
        json_object_set_new(paths, res->path.ptr, methods);
    }
    json_object_set_new(o, "paths", paths);
    return o;
}
