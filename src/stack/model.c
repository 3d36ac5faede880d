/* Lookups on the loaded model: routing, templates, stages, roles, keys. Nothing here allocates. */
#include "stack/model.h"

#include "stack/iam_policy.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

static const char *verb_names[MODEL_VERB_COUNT] = {"GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "ANY"};

model_verb model_verb_parse(slice name)
{
    if (slice_eq_nocase(name, SLICE_LIT("x-amazon-apigateway-any-method")))
        return MODEL_VERB_ANY;
    for (int i = 0; i < MODEL_VERB_COUNT; i++)
        if (slice_eq_nocase(name, slice_cstr(verb_names[i])))
            return (model_verb)i;
    return MODEL_VERB_INVALID;
}

const char *model_verb_name(model_verb v)
{
    return v >= 0 && v < MODEL_VERB_COUNT ? verb_names[v] : "?";
}

const char *model_integration_type_name(model_integration_type t)
{
    switch (t) {
    case MODEL_INTEGRATION_AWS:
        return "AWS";
    case MODEL_INTEGRATION_AWS_PROXY:
        return "AWS_PROXY";
    case MODEL_INTEGRATION_HTTP:
        return "HTTP";
    case MODEL_INTEGRATION_HTTP_PROXY:
        return "HTTP_PROXY";
    case MODEL_INTEGRATION_MOCK:
        return "MOCK";
    }
    return "?";
}

const slice *model_map_get(const model_map *m, slice key)
{
    for (size_t i = 0; i < m->count; i++)
        if (slice_eq(m->items[i].key, key))
            return &m->items[i].value;
    return NULL;
}

const model_template *model_template_find(const model_templates *t, slice content_type)
{
    size_t n = 0;
    while (n < content_type.len && content_type.ptr[n] != ';')
        n++;
    while (n > 0 && isspace((unsigned char)content_type.ptr[n - 1]))
        n--;
    size_t b = 0;
    while (b < n && isspace((unsigned char)content_type.ptr[b]))
        b++;
    slice media = slice_make(content_type.ptr + b, n - b);
    for (size_t i = 0; i < t->count; i++)
        if (slice_eq_nocase(t->items[i].content_type, media))
            return &t->items[i];
    return NULL;
}

const model_method *model_resource_method(const model_resource *r, model_verb v)
{
    if (r == NULL || v < 0 || v >= MODEL_VERB_COUNT)
        return NULL;
    return r->methods[v] != NULL ? r->methods[v] : r->methods[MODEL_VERB_ANY];
}

const model_stage *model_api_stage(const model_api *api, slice name)
{
    for (size_t i = 0; i < api->stage_count; i++)
        if (slice_eq(api->stages[i].name, name))
            return &api->stages[i];
    return NULL;
}

const model_model *model_api_model(const model_api *api, slice name)
{
    for (size_t i = 0; i < api->model_count; i++)
        if (slice_eq(api->models[i].name, name))
            return &api->models[i];
    return NULL;
}

const model_model *model_api_resolve_ref(const model_api *api, slice ref)
{
    static const char *prefixes[] = {"#/components/schemas/", "#/definitions/"};
    for (size_t i = 0; i < 2; i++) {
        slice p = slice_cstr(prefixes[i]);
        if (slice_starts_with(ref, p))
            return model_api_model(api, slice_sub(ref, p.len, ref.len));
    }
    slice models = SLICE_LIT("/models/");
    for (size_t i = 0; i + models.len <= ref.len; i++)
        if (memcmp(ref.ptr + i, models.ptr, models.len) == 0 &&
            slice_starts_with(ref, SLICE_LIT("https://apigateway.amazonaws.com/restapis/")))
            return model_api_model(api, slice_sub(ref, i + models.len, ref.len));
    return NULL;
}

const model_gateway_response *model_api_gateway_response(const model_api *api, slice type)
{
    for (size_t i = 0; i < api->gateway_response_count; i++)
        if (slice_eq(api->gateway_responses[i].type, type))
            return &api->gateway_responses[i];
    return NULL;
}

static const model_resource *find_literal(const model_resource *r, slice seg)
{
    size_t lo = 0, hi = r->literal_count;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = slice_cmp(r->literals[mid]->path_part, seg);
        if (c == 0)
            return r->literals[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

typedef struct match_state {
    model_path_param *params;
    size_t max, count;
} match_state;

static const model_resource *match_from(const model_resource *r, slice rest, match_state *st, int depth)
{
    if (rest.len == 0)
        return r;
    if (depth > 256)
        return NULL;
    size_t n = 0;
    while (n < rest.len && rest.ptr[n] != '/')
        n++;
    slice seg = slice_make(rest.ptr, n);
    slice after = n < rest.len ? slice_sub(rest, n + 1, rest.len) : slice_make(rest.ptr + n, 0);
    if (seg.len == 0)
        return NULL;
    if (n < rest.len && after.len == 0)
        return NULL; /* "a//" */
    const model_resource *lit = find_literal(r, seg);
    if (lit != NULL) {
        const model_resource *m = match_from(lit, after, st, depth + 1);
        if (m != NULL)
            return m;
    }
    if (r->param != NULL) {
        size_t saved = st->count;
        if (st->count < st->max)
            st->params[st->count++] = (model_path_param){r->param->param_name, seg};
        const model_resource *m = match_from(r->param, after, st, depth + 1);
        if (m != NULL)
            return m;
        st->count = saved;
    }
    if (r->greedy != NULL) {
        if (st->count < st->max)
            st->params[st->count++] = (model_path_param){r->greedy->param_name, rest};
        return r->greedy;
    }
    return NULL;
}

const model_resource *model_api_match(const model_api *api, slice path, model_path_param *params, size_t max_params,
                                      size_t *param_count)
{
    match_state st = {params, max_params, 0};
    if (param_count != NULL)
        *param_count = 0;
    if (api->root == NULL || path.len == 0 || path.ptr[0] != '/')
        return NULL;
    slice rest = slice_sub(path, 1, path.len);
    if (rest.len > 0 && rest.ptr[rest.len - 1] == '/')
        rest.len--; /* "/comments/" is "/comments" */
    const model_resource *r = match_from(api->root, rest, &st, 0);
    if (r != NULL && param_count != NULL)
        *param_count = st.count;
    return r;
}

bool model_role_allows(const model_role *role, const char *action, slice resource_arn)
{
    if (role == NULL || role->policy_count == 0)
        return false;
    const json_t *docs[role->policy_count];
    for (size_t i = 0; i < role->policy_count; i++)
        docs[i] = role->policies[i].document;
    return iam_policies_evaluate(docs, role->policy_count, slice_cstr(action), resource_arn) == IAM_ALLOW;
}

const model_api *model_api_by_id(const stack_model *m, slice id)
{
    for (size_t i = 0; i < m->api_count; i++)
        if (slice_eq(m->apis[i].id, id))
            return &m->apis[i];
    return NULL;
}

const model_api *model_api_for_host(const stack_model *m, slice host)
{
    if (m->api_count == 0)
        return NULL;
    static const char marker[] = ".execute-api.";
    for (size_t i = 0; i + sizeof(marker) - 1 <= host.len; i++)
        if (memcmp(host.ptr + i, marker, sizeof(marker) - 1) == 0) {
            const model_api *api = model_api_by_id(m, slice_make(host.ptr, i));
            if (api != NULL)
                return api;
            break;
        }
    return &m->apis[0];
}

const model_table *model_table_by_name(const stack_model *m, slice name)
{
    for (size_t i = 0; i < m->table_count; i++)
        if (slice_eq(m->tables[i].name, name))
            return &m->tables[i];
    return NULL;
}

const model_role *model_role_by_arn(const stack_model *m, slice arn)
{
    for (size_t i = 0; i < m->role_count; i++)
        if (slice_eq(m->roles[i].arn, arn))
            return &m->roles[i];
    return NULL;
}

const model_api_key *model_api_key_by_value(const stack_model *m, slice value)
{
    for (size_t i = 0; i < m->api_key_count; i++)
        if (slice_eq(m->api_keys[i].value, value))
            return &m->api_keys[i];
    return NULL;
}

size_t model_usage_plans_for(const stack_model *m, const model_api *api, slice stage, const model_api_key *key,
                             const model_usage_plan **out, size_t max)
{
    size_t n = 0;
    for (size_t p = 0; p < m->usage_plan_count && n < max; p++) {
        const model_usage_plan *u = &m->usage_plans[p];
        bool covers = false, has_key = key == NULL;
        for (size_t s = 0; s < u->stage_count; s++)
            if (u->stages[s].api == api && slice_eq(u->stages[s].stage, stage))
                covers = true;
        for (size_t k = 0; k < u->key_count && !has_key; k++)
            has_key = u->keys[k] == key;
        if (covers && has_key)
            out[n++] = u;
    }
    return n;
}
