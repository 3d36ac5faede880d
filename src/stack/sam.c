/* SAM (Transform: AWS::Serverless-2016-10-31): AWS::Serverless::Api and AWS::Serverless::SimpleTable,
 * turned into the same model the plain CloudFormation resources give, the way SAM's transform would. */
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "stack/loader.h"

static model_api_key *add_key(loader *L, const char *logical_id)
{
    for (size_t i = 0; i < L->api_keys.count; i++)
        if (strcmp(VEC_AT(&L->api_keys, model_api_key, i).logical_id.ptr, logical_id) == 0)
            return NULL; /* the shared key exists already */
    model_api_key *k = vec_push(&L->scratch, &L->api_keys);
    k->logical_id = keep_str(L, logical_id);
    k->id = keep_str(L, loader_gen_id(L, 10, false, logical_id, NULL));
    k->name = keep_str(L, loader_gen_name(L, logical_id, 128));
    k->value = keep_str(L, loader_gen_id(L, 40, false, logical_id, "api-key-value"));
    k->value_generated = true;
    k->enabled = true; /* SAM creates its keys enabled */
    return k;
}

static int usage_plan(loader *L, api_builder *api, const char *stage, json_t *up)
{
    const char *create = json_string_value(json_object_get(up, "CreateUsagePlan"));
    if (create == NULL || strcmp(create, "NONE") == 0)
        return 0;
    bool shared = strcmp(create, "SHARED") == 0;
    if (!shared && strcmp(create, "PER_API") != 0)
        return loader_fail(L, "Auth.UsagePlan.CreateUsagePlan must be PER_API, SHARED or NONE");
    const char *plan_logical = shared ? "ServerlessUsagePlan" : scratch_printf(L, "%sUsagePlan", api->logical_id);
    const char *key_logical = shared ? "ServerlessApiKey" : scratch_printf(L, "%sApiKey", api->logical_id);
    add_key(L, key_logical);
    model_usage_plan *plan = NULL;
    for (size_t i = 0; i < L->usage_plans.count; i++)
        if (strcmp(VEC_AT(&L->usage_plans, model_usage_plan, i).logical_id.ptr, plan_logical) == 0)
            plan = &VEC_AT(&L->usage_plans, model_usage_plan, i);
    if (plan == NULL) {
        plan = vec_push(&L->scratch, &L->usage_plans);
        plan->logical_id = keep_str(L, plan_logical);
        plan->id = keep_str(L, loader_gen_id(L, 6, false, plan_logical, NULL));
        json_t *n = json_object_get(up, "UsagePlanName");
        plan->name = n != NULL ? keep_json_str(L, n) : keep_str(L, plan_logical);
        cfn_throttle(json_object_get(up, "Throttle"), &plan->throttle);
        json_t *q = json_object_get(up, "Quota");
        if (json_is_object(q)) {
            plan->quota_set = true;
            json_t *lim = json_object_get(q, "Limit"), *off = json_object_get(q, "Offset");
            plan->quota_limit = json_is_integer(lim)  ? json_integer_value(lim)
                                : json_is_string(lim) ? atoll(json_string_value(lim))
                                                      : 0;
            plan->quota_offset = json_is_integer(off) ? (int)json_integer_value(off) : 0;
            json_t *per = json_object_get(q, "Period");
            plan->quota_period = keep_str(L, json_is_string(per) ? json_string_value(per) : "DAY");
        }
        plan_key_ref *ref = vec_push(&L->scratch, &L->plan_keys);
        ref->plan_id = plan->id.ptr;
        ref->key_id = key_logical;
    }
    model_usage_plan_stage *ns = arena_calloc(L->load, (plan->stage_count + 2) * sizeof(*ns));
    if (plan->stage_count)
        memcpy(ns, plan->stages, plan->stage_count * sizeof(*ns));
    ns[plan->stage_count].stage = keep_str(L, stage);
    ns[plan->stage_count].api_id = keep_str(L, api->id);
    plan->stages = ns;
    plan->stage_count++;
    return 0;
}

static void sam_gateway_responses(loader *L, api_builder *api, json_t *gr)
{
    const char *type;
    json_t *v;
    json_object_foreach(gr, type, v)
    {
        model_gateway_response *g = vec_push(&L->scratch, &api->gateway_responses);
        g->type = keep_str(L, type);
        g->status_code = keep_json_str(L, json_object_get(v, "StatusCode"));
        json_t *rp = json_object_get(v, "ResponseParameters");
        json_t *flat = json_object();
        static const struct {
            const char *sam, *loc;
        } kinds[] = {{"Headers", "header"}, {"Paths", "path"}, {"QueryStrings", "querystring"}};
        for (size_t i = 0; i < 3; i++) {
            const char *k;
            json_t *val;
            json_object_foreach(json_object_get(rp, kinds[i].sam), k, val)
                json_object_set(flat, scratch_printf(L, "gatewayresponse.%s.%s", kinds[i].loc, k), val);
        }
        g->response_parameters = build_map(L, flat);
        json_decref(flat);
        g->response_templates = build_templates(L, json_object_get(v, "ResponseTemplates"));
    }
}

int sam_build_api(loader *L, cfn_resource *r)
{
    json_t *p = cfn_resource_props(L, r);
    if (p == NULL)
        return -1;
    api_builder *api = cfn_api_begin(L, r, p);
    if (api == NULL)
        return -1;
    json_t *auth = json_object_get(p, "Auth");
    api->api_key_required_default = cfn_is_true(json_object_get(auth, "ApiKeyRequired"));
    if (json_object_get(auth, "Authorizers") != NULL || json_object_get(auth, "DefaultAuthorizer") != NULL)
        loader_note(L, "SAM Auth authorizers are not run: methods using them are not protected");
    if (json_object_get(auth, "ResourcePolicy") != NULL)
        loader_note(L, "API resource policies (Auth.ResourcePolicy) are not enforced");
    if (json_object_get(p, "Cors") != NULL)
        loader_note(L, "SAM Cors (generated OPTIONS methods) is not supported: declare OPTIONS methods instead");
    json_t *models = json_object_get(p, "Models");
    const char *mk;
    json_t *mv;
    json_object_foreach(models, mk, mv)
    {
        model_model *m = vec_push(&L->scratch, &api->models);
        m->name = keep_str(L, mk);
        m->content_type = keep_str(L, "application/json");
        m->description = keep_str(L, "");
        m->schema = keep_json(L, mv);
    }
    sam_gateway_responses(L, api, json_object_get(p, "GatewayResponses"));

    json_t *body = json_object_get(p, "DefinitionBody");
    json_t *uri = json_object_get(p, "DefinitionUri");
    json_t *doc = NULL;
    size_t s = 0;
    if (body != NULL) {
        loader_where_push(L, "DefinitionBody", &s);
        doc = json_incref(body);
    } else if (uri != NULL) {
        loader_where_push(L, "DefinitionUri", &s);
        doc = loader_load_location(L, uri);
        if (doc == NULL)
            return -1;
        /* SAM resolves intrinsics in a DefinitionUri document too (it is inlined as DefinitionBody) */
        json_t *resolved = cfn_resolve(L, doc);
        json_decref(doc);
        if (resolved == NULL)
            return -1;
        doc = resolved;
    } else {
        loader_note(L, "AWS::Serverless::Api without DefinitionBody/DefinitionUri gets its paths from Lambda "
                       "function events, which Portico does not run: such APIs have no methods");
    }
    if (doc != NULL) {
        int rc = openapi_load(L, api, doc);
        json_decref(doc);
        if (rc != 0)
            return -1;
        loader_where_pop(L, s);
    }
    if (api->name == NULL)
        api->name = r->logical_id;
    json_t *stage = json_object_get(p, "StageName");
    if (stage == NULL)
        return loader_fail(L, "AWS::Serverless::Api needs StageName");
    const char *stage_name = cfn_string(L, stage, "StageName");
    if (stage_name == NULL)
        return -1;
    build_add_stage(L, api, stage_name, json_object_get(p, "Variables"),
                    json_string_value(json_object_get(p, "Description")),
                    loader_gen_id(L, 6, false, r->logical_id, "deployment"), json_object_get(p, "MethodSettings"),
                    cfn_is_true(json_object_get(p, "CacheClusterEnabled")));
    json_t *up = json_object_get(auth, "UsagePlan");
    if (up != NULL) {
        size_t s2;
        loader_where_push(L, "Auth.UsagePlan", &s2);
        if (usage_plan(L, api, stage_name, up) != 0)
            return -1;
        loader_where_pop(L, s2);
    }
    return 0;
}

int sam_build_simple_table(loader *L, cfn_resource *r)
{
    json_t *p = cfn_resource_props(L, r);
    if (p == NULL)
        return -1;
    json_t *pk = json_object_get(p, "PrimaryKey");
    const char *name = json_is_object(pk) ? json_string_value(json_object_get(pk, "Name")) : "id";
    const char *type = json_is_object(pk) ? json_string_value(json_object_get(pk, "Type")) : "String";
    if (name == NULL || type == NULL)
        return loader_fail(L, "PrimaryKey needs Name and Type");
    const char *t = strcmp(type, "String") == 0   ? "S"
                    : strcmp(type, "Number") == 0 ? "N"
                    : strcmp(type, "Binary") == 0 ? "B"
                                                  : NULL;
    if (t == NULL)
        return loader_fail(L, "PrimaryKey Type %s is not String, Number or Binary", type);
    json_t *props = json_pack("{s:[{s:s,s:s}], s:[{s:s,s:s}]}", "AttributeDefinitions", "AttributeName", name,
                              "AttributeType", t, "KeySchema", "AttributeName", name, "KeyType", "HASH");
    json_t *pt = json_object_get(p, "ProvisionedThroughput");
    if (pt != NULL) {
        json_object_set(props, "ProvisionedThroughput", pt);
        json_object_set_new(props, "BillingMode", json_string("PROVISIONED"));
    } else {
        json_object_set_new(props, "BillingMode", json_string("PAY_PER_REQUEST"));
    }
    json_t *sse = json_object_get(p, "SSESpecification");
    if (sse != NULL)
        json_object_set(props, "SSESpecification", sse);
    json_t *tags = json_object_get(p, "Tags");
    if (json_is_object(tags)) {
        json_t *list = json_array();
        const char *k;
        json_t *v;
        json_object_foreach(tags, k, v) json_array_append_new(list, json_pack("{s:s,s:O}", "Key", k, "Value", v));
        json_object_set_new(props, "Tags", list);
    }
    int rc = cfn_build_table(L, r->logical_id, props, true);
    json_decref(props);
    return rc;
}
