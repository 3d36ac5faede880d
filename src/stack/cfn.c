/* CloudFormation templates: sections, parameters, resources, and the model parts they declare. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "core/json.h"
#include "stack/loader.h"
#include "stack/yaml.h"

/* ---------- shared builders ---------- */

api_builder *builder_api_new(loader *L, const char *logical_id, const char *id)
{
    api_builder *a = arena_calloc(&L->scratch, sizeof(*a));
    a->logical_id = logical_id;
    a->id = id;
    a->root_id = loader_gen_id(L, 10, false, logical_id, "/");
    a->source = L->file_name;
    vec_init(&a->binary_media_types, sizeof(slice));
    vec_init(&a->stages, sizeof(model_stage));
    vec_init(&a->models, sizeof(model_model));
    vec_init(&a->validators, sizeof(model_validator));
    vec_init(&a->gateway_responses, sizeof(model_gateway_response));
    vec_init(&a->methods, sizeof(b_method));
    vec_init(&a->resources, sizeof(b_resource));
    *(api_builder **)vec_push(&L->scratch, &L->apis) = a;
    return a;
}

api_builder *builder_api_by_id(loader *L, const char *id)
{
    for (size_t i = 0; i < L->apis.count; i++) {
        api_builder *a = VEC_AT(&L->apis, api_builder *, i);
        if (strcmp(a->id, id) == 0)
            return a;
    }
    return NULL;
}

static int cmp_kv_ct(const void *a, const void *b)
{
    return slice_cmp(((const model_template *)a)->content_type, ((const model_template *)b)->content_type);
}

model_templates build_templates(loader *L, json_t *obj)
{
    model_templates t = {NULL, 0};
    if (!json_is_object(obj) || json_object_size(obj) == 0)
        return t;
    t.items = arena_calloc(L->load, json_object_size(obj) * sizeof(model_template));
    const char *k;
    json_t *v;
    json_object_foreach(obj, k, v)
    {
        model_template *m = &t.items[t.count++];
        char *ct = arena_strndup(L->load, k, strlen(k));
        for (char *p = ct; *p; p++)
            *p = (char)tolower((unsigned char)*p);
        m->content_type = slice_cstr(ct);
        m->text = json_is_null(v) ? keep_str(L, "") : keep_json_str(L, v);
    }
    qsort(t.items, t.count, sizeof(model_template), cmp_kv_ct);
    return t;
}

model_map build_map(loader *L, json_t *obj)
{
    model_map m = {NULL, 0};
    if (!json_is_object(obj) || json_object_size(obj) == 0)
        return m;
    m.items = arena_calloc(L->load, json_object_size(obj) * sizeof(model_kv));
    const char *k;
    json_t *v;
    json_object_foreach(obj, k, v)
    {
        m.items[m.count].key = keep_str(L, k);
        m.items[m.count].value = keep_json_str(L, v);
        m.count++;
    }
    return m;
}

model_params build_params(loader *L, json_t *obj)
{
    model_params p = {NULL, 0};
    if (!json_is_object(obj) || json_object_size(obj) == 0)
        return p;
    p.items = arena_calloc(L->load, json_object_size(obj) * sizeof(model_param));
    const char *k;
    json_t *v;
    json_object_foreach(obj, k, v)
    {
        p.items[p.count].name = keep_str(L, k);
        p.items[p.count].required = cfn_is_true(v);
        p.count++;
    }
    return p;
}

model_passthrough build_passthrough(const char *s)
{
    if (s == NULL)
        return MODEL_PASSTHROUGH_WHEN_NO_MATCH;
    if (strcasecmp(s, "WHEN_NO_TEMPLATES") == 0)
        return MODEL_PASSTHROUGH_WHEN_NO_TEMPLATES;
    if (strcasecmp(s, "NEVER") == 0)
        return MODEL_PASSTHROUGH_NEVER;
    return MODEL_PASSTHROUGH_WHEN_NO_MATCH;
}

model_content_handling build_content_handling(const char *s)
{
    if (s != NULL && strcasecmp(s, "CONVERT_TO_TEXT") == 0)
        return MODEL_CONTENT_CONVERT_TO_TEXT;
    if (s != NULL && strcasecmp(s, "CONVERT_TO_BINARY") == 0)
        return MODEL_CONTENT_CONVERT_TO_BINARY;
    return MODEL_CONTENT_PASSTHROUGH;
}

int build_integration_type(loader *L, const char *s, model_integration_type *out)
{
    static const struct {
        const char *name;
        model_integration_type t;
    } types[] = {{"AWS", MODEL_INTEGRATION_AWS},
                 {"AWS_PROXY", MODEL_INTEGRATION_AWS_PROXY},
                 {"HTTP", MODEL_INTEGRATION_HTTP},
                 {"HTTP_PROXY", MODEL_INTEGRATION_HTTP_PROXY},
                 {"MOCK", MODEL_INTEGRATION_MOCK}};
    for (size_t i = 0; s != NULL && i < sizeof(types) / sizeof(types[0]); i++)
        if (strcasecmp(s, types[i].name) == 0) {
            *out = types[i].t;
            return 0;
        }
    return loader_fail(L, "integration type %s is not one of AWS, AWS_PROXY, HTTP, HTTP_PROXY, MOCK",
                       s != NULL ? s : "(missing)");
}

void build_integration_uri(loader *L, model_integration *in)
{
    /* "arn:aws:apigateway:{region}:{service}:action/{Action}" or ":path/..." */
    in->aws_service = keep_str(L, "");
    in->aws_action = keep_str(L, "");
    if (in->type != MODEL_INTEGRATION_AWS || !slice_starts_with(in->uri, SLICE_LIT("arn:")))
        return;
    const char *u = in->uri.ptr;
    const char *f[6];
    int n = 0;
    f[n++] = u;
    for (const char *p = u; *p && n < 6; p++)
        if (*p == ':')
            f[n++] = p + 1;
    if (n < 6)
        return;
    in->aws_service = keep_strn(L, f[4], (size_t)(f[5] - 1 - f[4]));
    if (strncmp(f[5], "action/", 7) == 0) {
        const char *act = f[5] + 7;
        size_t len = strcspn(act, "?&/");
        in->aws_action = keep_strn(L, act, len);
    }
    if (!slice_eq_cstr(in->aws_service, "dynamodb"))
        loader_note(L, "AWS integrations with %s: only DynamoDB actions run on Portico", in->aws_service.ptr);
}

int build_add_stage(loader *L, api_builder *api, const char *name, json_t *variables, const char *description,
                    const char *deployment_id, json_t *method_settings, bool cache)
{
    model_stage *st = NULL;
    for (size_t i = 0; i < api->stages.count; i++)
        if (strcmp(VEC_AT(&api->stages, model_stage, i).name.ptr, name) == 0)
            st = &VEC_AT(&api->stages, model_stage, i);
    if (st == NULL) {
        st = vec_push(&L->scratch, &api->stages);
        st->name = keep_str(L, name);
    }
    if (variables != NULL && json_object_size(variables) > 0)
        st->variables = build_map(L, variables);
    if (description != NULL || st->description.ptr == NULL)
        st->description = keep_str(L, description);
    if (deployment_id != NULL || st->deployment_id.ptr == NULL)
        st->deployment_id = keep_str(L, deployment_id);
    if (method_settings != NULL)
        st->method_settings = keep_json(L, method_settings);
    st->cache_cluster_enabled = st->cache_cluster_enabled || cache;
    if (cache)
        loader_note(L, "stage caches (CacheClusterEnabled) are not implemented: responses are not cached");
    return 0;
}

/* ---------- AWS::DynamoDB::Table ---------- */

static json_t *numbers_in(json_t *pt)
{
    /* ProvisionedThroughput written with strings ("5") is accepted by CloudFormation. */
    if (!json_is_object(pt))
        return json_incref(pt);
    json_t *out = json_object();
    const char *k;
    json_t *v;
    json_object_foreach(pt, k, v)
    {
        if (json_is_string(v)) {
            char *end;
            long long n = strtoll(json_string_value(v), &end, 10);
            json_object_set_new(out, k, *end == '\0' ? json_integer(n) : json_incref(v));
        } else {
            json_object_set(out, k, v);
        }
    }
    return out;
}

static json_t *index_list(json_t *list)
{
    if (!json_is_array(list))
        return json_incref(list);
    json_t *out = json_array();
    size_t i;
    json_t *ix;
    json_array_foreach(list, i, ix)
    {
        json_t *c = json_deep_copy(ix);
        json_t *pt = json_object_get(c, "ProvisionedThroughput");
        if (pt != NULL)
            json_object_set_new(c, "ProvisionedThroughput", numbers_in(pt));
        /* CloudFormation-only keys of an index */
        json_object_del(c, "ContributorInsightsSpecification");
        json_array_append_new(out, c);
    }
    return out;
}

int cfn_build_table(loader *L, const char *logical_id, json_t *props, bool simple)
{
    (void)simple;
    cfn_resource *r = cfn_find_resource(L, logical_id);
    const char *name = r != NULL ? cfn_physical_id(L, r) : logical_id;
    if (name == NULL)
        return -1;
    json_t *req = json_object();
    json_object_set_new(req, "TableName", json_string(name));
    static const char *copied[] = {"AttributeDefinitions",     "KeySchema",  "BillingMode",
                                   "StreamSpecification",      "TableClass", "Tags",
                                   "DeletionProtectionEnabled"};
    for (size_t i = 0; i < sizeof(copied) / sizeof(copied[0]); i++) {
        json_t *v = json_object_get(props, copied[i]);
        if (v != NULL)
            json_object_set(req, copied[i], v);
    }
    if (json_object_get(props, "KeySchema") == NULL || json_object_get(props, "AttributeDefinitions") == NULL) {
        json_decref(req);
        return loader_fail(L, "a DynamoDB table needs KeySchema and AttributeDefinitions");
    }
    json_t *pt = json_object_get(props, "ProvisionedThroughput");
    if (pt != NULL)
        json_object_set_new(req, "ProvisionedThroughput", numbers_in(pt));
    if (json_object_get(props, "BillingMode") == NULL)
        json_object_set_new(req, "BillingMode", json_string(pt != NULL ? "PROVISIONED" : "PAY_PER_REQUEST"));
    json_t *gsi = json_object_get(props, "GlobalSecondaryIndexes");
    if (gsi != NULL)
        json_object_set_new(req, "GlobalSecondaryIndexes", index_list(gsi));
    json_t *lsi = json_object_get(props, "LocalSecondaryIndexes");
    if (lsi != NULL)
        json_object_set_new(req, "LocalSecondaryIndexes", index_list(lsi));
    json_t *sse = json_object_get(props, "SSESpecification");
    if (json_is_object(sse)) {
        /* CloudFormation's SSEEnabled is the API's Enabled. */
        json_t *s = json_object();
        json_t *en = json_object_get(sse, "SSEEnabled");
        json_object_set_new(s, "Enabled", json_boolean(cfn_is_true(en)));
        json_t *t = json_object_get(sse, "SSEType");
        if (t != NULL)
            json_object_set(s, "SSEType", t);
        json_object_set_new(req, "SSESpecification", s);
    }
    static const char *ignored[] = {"PointInTimeRecoverySpecification",
                                    "ContributorInsightsSpecification",
                                    "KinesisStreamSpecification",
                                    "ImportSourceSpecification",
                                    "ResourcePolicy",
                                    "OnDemandThroughput",
                                    "WarmThroughput"};
    for (size_t i = 0; i < sizeof(ignored) / sizeof(ignored[0]); i++)
        if (json_object_get(props, ignored[i]) != NULL)
            loader_note(L, "DynamoDB table property %s is ignored", ignored[i]);

    model_table *t = vec_push(&L->scratch, &L->tables);
    t->logical_id = keep_str(L, logical_id);
    t->name = keep_str(L, name);
    t->arn =
        keep_str(L, scratch_printf(L, "arn:%s:dynamodb:%s:%s:table/%s", L->partition, L->region, L->account, name));
    t->create_request = keep_json(L, req);
    json_decref(req);
    json_t *ttl = json_object_get(props, "TimeToLiveSpecification");
    if (json_is_object(ttl)) {
        json_t *spec = json_object();
        json_t *attr = json_object_get(ttl, "AttributeName");
        if (attr != NULL)
            json_object_set(spec, "AttributeName", attr);
        json_object_set_new(spec, "Enabled", json_boolean(cfn_is_true(json_object_get(ttl, "Enabled"))));
        t->ttl = keep_json(L, spec);
        json_decref(spec);
    }
    return 0;
}

/* ---------- AWS::IAM::Role and policies ---------- */

static json_t *managed_policy(const char *arn)
{
    const char *name = strrchr(arn, '/');
    name = name != NULL ? name + 1 : arn;
    const char *actions_full[] = {"dynamodb:*", NULL};
    const char *actions_ro[] = {"dynamodb:BatchGetItem",
                                "dynamodb:ConditionCheckItem",
                                "dynamodb:DescribeTable",
                                "dynamodb:DescribeTimeToLive",
                                "dynamodb:GetItem",
                                "dynamodb:ListTables",
                                "dynamodb:ListTagsOfResource",
                                "dynamodb:PartiQLSelect",
                                "dynamodb:Query",
                                "dynamodb:Scan",
                                "dynamodb:Describe*",
                                "dynamodb:List*",
                                NULL};
    const char *actions_admin[] = {"*", NULL};
    const char **actions;
    if (strcmp(name, "AmazonDynamoDBFullAccess") == 0 || strcmp(name, "AmazonDynamoDBFullAccess_v2") == 0)
        actions = actions_full;
    else if (strcmp(name, "AmazonDynamoDBReadOnlyAccess") == 0)
        actions = actions_ro;
    else if (strcmp(name, "AdministratorAccess") == 0)
        actions = actions_admin;
    else
        return NULL;
    json_t *list = json_array();
    for (size_t i = 0; actions[i] != NULL; i++)
        json_array_append_new(list, json_string(actions[i]));
    return json_pack("{s:s, s:[{s:s, s:o, s:s}]}", "Version", "2012-10-17", "Statement", "Effect", "Allow", "Action",
                     list, "Resource", "*");
}

static void note_policy_conditions(loader *L, json_t *doc)
{
    json_t *st = json_object_get(doc, "Statement");
    size_t i;
    json_t *s;
    if (json_is_object(st) && json_object_get(st, "Condition") != NULL)
        loader_note(L, "IAM policy Condition blocks are not evaluated: an Allow with one never allows, a Deny with one "
                       "always denies");
    json_array_foreach(st, i, s)
    {
        if (json_object_get(s, "Condition") != NULL)
            loader_note(L, "IAM policy Condition blocks are not evaluated: an Allow with one never allows, a Deny with "
                           "one always denies");
    }
}

static int build_role(loader *L, cfn_resource *r, json_t *p)
{
    const char *name = cfn_physical_id(L, r);
    if (name == NULL)
        return -1;
    model_role *role = vec_push(&L->scratch, &L->roles);
    role->logical_id = keep_str(L, r->logical_id);
    role->name = keep_str(L, name);
    json_t *path = json_object_get(p, "Path");
    role->arn = keep_str(L, scratch_printf(L, "arn:%s:iam::%s:role%s%s", L->partition, L->account,
                                           json_is_string(path) ? json_string_value(path) : "/", name));
    role->id = keep_str(L, scratch_printf(L, "AROA%s", loader_gen_id(L, 17, true, r->logical_id, "role-id")));
    role->assume_role_policy = keep_json(L, json_object_get(p, "AssumeRolePolicyDocument"));
    json_t *policies = json_object_get(p, "Policies");
    json_t *managed = json_object_get(p, "ManagedPolicyArns");
    size_t np = json_array_size(policies), nm = json_array_size(managed);
    role->policies = arena_calloc(L->load, (np + nm + 1) * sizeof(model_policy));
    size_t i;
    json_t *v;
    json_array_foreach(policies, i, v)
    {
        json_t *doc = json_object_get(v, "PolicyDocument");
        if (json_is_string(doc)) {
            aws_error e;
            error_clear(&e);
            doc = stack_json_parse("PolicyDocument", json_string_value(doc), json_string_length(doc), &e);
            if (doc == NULL)
                return loader_fail(L, "Policies[%zu].PolicyDocument: %s", i, e.message);
        } else {
            json_incref(doc);
        }
        note_policy_conditions(L, doc);
        model_policy *mp = &role->policies[role->policy_count++];
        mp->name = keep_json_str(L, json_object_get(v, "PolicyName"));
        mp->document = keep_json(L, doc);
        json_decref(doc);
    }
    role->managed_policy_arns = arena_calloc(L->load, (nm + 1) * sizeof(slice));
    json_array_foreach(managed, i, v)
    {
        const char *arn = json_string_value(v);
        if (arn == NULL)
            continue;
        role->managed_policy_arns[role->managed_policy_count++] = keep_str(L, arn);
        json_t *doc = managed_policy(arn);
        if (doc == NULL) {
            loader_note(L, "managed policy %s is not known to Portico: it grants nothing here", arn);
            continue;
        }
        model_policy *mp = &role->policies[role->policy_count++];
        mp->name = keep_str(L, strrchr(arn, '/') != NULL ? strrchr(arn, '/') + 1 : arn);
        mp->document = keep_json(L, doc);
        json_decref(doc);
    }
    return 0;
}

/* AWS::IAM::Policy / ManagedPolicy attached to roles of this stack by name. */
static int attach_policy(loader *L, cfn_resource *r, json_t *p)
{
    json_t *roles = json_object_get(p, "Roles");
    json_t *doc = json_object_get(p, "PolicyDocument");
    json_t *pname = json_object_get(p, "PolicyName");
    if (pname == NULL)
        pname = json_object_get(p, "ManagedPolicyName");
    size_t i;
    json_t *rn;
    note_policy_conditions(L, doc);
    json_array_foreach(roles, i, rn)
    {
        const char *name = json_string_value(rn);
        model_role *role = NULL;
        for (size_t k = 0; name != NULL && k < L->roles.count; k++)
            if (strcmp(VEC_AT(&L->roles, model_role, k).name.ptr, name) == 0)
                role = &VEC_AT(&L->roles, model_role, k);
        if (role == NULL) {
            loader_note(L, "policy %s is attached to role %s, which is not in this stack", r->logical_id,
                        name != NULL ? name : "?");
            continue;
        }
        model_policy *np = arena_calloc(L->load, (role->policy_count + 1) * sizeof(model_policy));
        if (role->policy_count)
            memcpy(np, role->policies, role->policy_count * sizeof(model_policy));
        np[role->policy_count].name = pname != NULL ? keep_json_str(L, pname) : keep_str(L, r->logical_id);
        np[role->policy_count].document = keep_json(L, doc);
        role->policies = np;
        role->policy_count++;
    }
    return 0;
}

/* ---------- AWS::ApiGateway::* ---------- */

static api_builder *api_of(loader *L, json_t *p, const char *prop)
{
    const char *id = json_string_value(json_object_get(p, prop));
    api_builder *a = id != NULL ? builder_api_by_id(L, id) : NULL;
    if (a == NULL)
        loader_fail(L, "%s %s is not a RestApi of this stack", prop, id != NULL ? id : "(missing)");
    return a;
}

api_builder *cfn_api_begin(loader *L, cfn_resource *r, json_t *p)
{
    const char *id = cfn_physical_id(L, r);
    if (id == NULL)
        return NULL;
    api_builder *api = builder_api_new(L, r->logical_id, id);
    r->built = api;
    json_t *v;
    if ((v = json_object_get(p, "Name")) != NULL)
        api->name = cfn_string(L, v, "Name");
    if ((v = json_object_get(p, "Description")) != NULL)
        api->description = cfn_string(L, v, "Description");
    if ((v = json_object_get(p, "ApiKeySourceType")) != NULL)
        api->api_key_source = cfn_string(L, v, "ApiKeySourceType");
    size_t i;
    json_t *t;
    json_array_foreach(json_object_get(p, "BinaryMediaTypes"), i, t)
    {
        /* CloudFormation escapes '/' as '~1' here (a JSON-pointer habit). */
        const char *s = json_string_value(t);
        if (s == NULL)
            continue;
        char *c = scratch_printf(L, "%s", s), *q;
        while ((q = strstr(c, "~1")) != NULL) {
            *q = '/';
            memmove(q + 1, q + 2, strlen(q + 2) + 1);
        }
        *(slice *)vec_push(&L->scratch, &api->binary_media_types) = keep_str(L, c);
    }
    return api;
}

static int build_rest_api(loader *L, cfn_resource *r, json_t *p)
{
    api_builder *api = cfn_api_begin(L, r, p);
    if (api == NULL)
        return -1;
    if (json_object_get(p, "Policy") != NULL)
        loader_note(L, "API resource policies (Policy) are not enforced");
    json_t *body = json_object_get(p, "Body");
    json_t *s3 = json_object_get(p, "BodyS3Location");
    json_t *doc = NULL;
    size_t s;
    if (body != NULL) {
        loader_where_push(L, "Body", &s);
        if (json_is_string(body)) {
            aws_error e;
            error_clear(&e);
            doc = stack_document_parse("Body", json_string_value(body), json_string_length(body), &e);
            if (doc == NULL)
                return loader_fail(L, "%s", e.message);
        } else {
            doc = json_incref(body);
        }
    } else if (s3 != NULL) {
        loader_where_push(L, "BodyS3Location", &s);
        doc = loader_load_location(L, s3);
        if (doc == NULL)
            return -1;
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
    return 0;
}

static const char *resource_path(loader *L, const char *resource_id, const char *api_id);

static const char *cfn_resource_path(loader *L, cfn_resource *r)
{
    if (r->path != NULL)
        return r->path;
    if (r->path_busy) {
        loader_fail(L, "resource %s is its own ancestor (ParentId loop)", r->logical_id);
        return NULL;
    }
    r->path_busy = true;
    json_t *p = cfn_resource_props(L, r);
    if (p == NULL)
        return NULL;
    const char *parent = json_string_value(json_object_get(p, "ParentId"));
    const char *part = json_string_value(json_object_get(p, "PathPart"));
    const char *api = json_string_value(json_object_get(p, "RestApiId"));
    if (parent == NULL || part == NULL || api == NULL) {
        loader_fail(L, "resource %s needs RestApiId, ParentId and PathPart", r->logical_id);
        return NULL;
    }
    const char *pp = resource_path(L, parent, api);
    if (pp == NULL)
        return NULL;
    r->path = scratch_printf(L, "%s%s%s", pp, strcmp(pp, "/") == 0 ? "" : "/", part);
    r->path_busy = false;
    return r->path;
}

static const char *resource_path(loader *L, const char *resource_id, const char *api_id)
{
    api_builder *api = builder_api_by_id(L, api_id);
    if (api != NULL && strcmp(api->root_id, resource_id) == 0)
        return "/";
    for (size_t i = 0; i < L->resource_count; i++) {
        cfn_resource *r = &L->resources[i];
        if (r->created && strcmp(r->type, "AWS::ApiGateway::Resource") == 0) {
            const char *id = cfn_physical_id(L, r);
            if (id != NULL && strcmp(id, resource_id) == 0)
                return cfn_resource_path(L, r);
        }
    }
    loader_fail(L, "resource id %s is neither a root resource nor an AWS::ApiGateway::Resource of this stack",
                resource_id);
    return NULL;
}

static int build_resource(loader *L, cfn_resource *r, json_t *p)
{
    api_builder *api = api_of(L, p, "RestApiId");
    if (api == NULL)
        return -1;
    const char *path = cfn_resource_path(L, r);
    if (path == NULL)
        return -1;
    b_resource *br = vec_push(&L->scratch, &api->resources);
    br->path = path;
    br->id = cfn_physical_id(L, r);
    return 0;
}

static int fill_method_responses(loader *L, b_method *bm, json_t *list)
{
    size_t n = json_array_size(list), i;
    json_t *v;
    bm->m.responses = arena_calloc(L->load, (n + 1) * sizeof(model_method_response));
    bm->response_model_names = arena_calloc(&L->scratch, (n + 1) * sizeof(const char **));
    json_array_foreach(list, i, v)
    {
        model_method_response *mr = &bm->m.responses[bm->m.response_count];
        mr->status_code = keep_json_str(L, json_object_get(v, "StatusCode"));
        mr->response_parameters = build_params(L, json_object_get(v, "ResponseParameters"));
        json_t *models = json_object_get(v, "ResponseModels");
        size_t nm = json_object_size(models);
        mr->response_models = arena_calloc(L->load, (nm + 1) * sizeof(model_model_ref));
        bm->response_model_names[bm->m.response_count] = arena_calloc(&L->scratch, (nm + 1) * sizeof(char *));
        const char *k;
        json_t *mv;
        json_object_foreach(models, k, mv)
        {
            mr->response_models[mr->response_model_count].content_type = keep_str(L, k);
            bm->response_model_names[bm->m.response_count][mr->response_model_count] = json_string_value(mv);
            mr->response_model_count++;
        }
        bm->m.response_count++;
    }
    return 0;
}

static int build_method(loader *L, cfn_resource *r, json_t *p)
{
    api_builder *api = api_of(L, p, "RestApiId");
    if (api == NULL)
        return -1;
    const char *rid = json_string_value(json_object_get(p, "ResourceId"));
    if (rid == NULL)
        return loader_fail(L, "method %s needs ResourceId", r->logical_id);
    const char *path = resource_path(L, rid, api->id);
    if (path == NULL)
        return -1;
    const char *verb = json_string_value(json_object_get(p, "HttpMethod"));
    model_verb vb = verb != NULL ? model_verb_parse(slice_cstr(verb)) : MODEL_VERB_INVALID;
    if (vb == MODEL_VERB_INVALID)
        return loader_fail(L, "HttpMethod %s is not an HTTP method", verb != NULL ? verb : "(missing)");
    b_method *bm = vec_push(&L->scratch, &api->methods);
    bm->path = path;
    model_method *m = &bm->m;
    m->verb = vb;
    m->http_method = keep_str(L, model_verb_name(vb));
    json_t *at = json_object_get(p, "AuthorizationType");
    m->authorization_type = keep_str(L, json_is_string(at) ? json_string_value(at) : "NONE");
    m->authorizer_id = keep_json_str(L, json_object_get(p, "AuthorizerId"));
    m->operation_name = keep_json_str(L, json_object_get(p, "OperationName"));
    json_t *akr = json_object_get(p, "ApiKeyRequired");
    m->api_key_required = akr != NULL ? cfn_is_true(akr) : api->api_key_required_default;
    m->request_parameters = build_params(L, json_object_get(p, "RequestParameters"));
    bm->validator_ref = json_string_value(json_object_get(p, "RequestValidatorId"));
    json_t *models = json_object_get(p, "RequestModels");
    size_t nm = json_object_size(models);
    m->request_models = arena_calloc(L->load, (nm + 1) * sizeof(model_model_ref));
    bm->request_model_names = arena_calloc(&L->scratch, (nm + 1) * sizeof(char *));
    const char *k;
    json_t *mv;
    json_object_foreach(models, k, mv)
    {
        m->request_models[m->request_model_count].content_type = keep_str(L, k);
        bm->request_model_names[m->request_model_count] = json_string_value(mv);
        m->request_model_count++;
    }
    fill_method_responses(L, bm, json_object_get(p, "MethodResponses"));

    json_t *in = json_object_get(p, "Integration");
    if (in == NULL)
        return 0;
    size_t s;
    loader_where_push(L, "Integration", &s);
    m->has_integration = true;
    model_integration *ig = &m->integration;
    if (build_integration_type(L, json_string_value(json_object_get(in, "Type")), &ig->type) != 0)
        return -1;
    ig->uri = keep_json_str(L, json_object_get(in, "Uri"));
    const char *ihm = json_string_value(json_object_get(in, "IntegrationHttpMethod"));
    char *up = scratch_printf(L, "%s", ihm != NULL ? ihm : "");
    for (char *q = up; *q; q++)
        *q = (char)toupper((unsigned char)*q);
    ig->http_method = keep_str(L, up);
    ig->credentials = keep_json_str(L, json_object_get(in, "Credentials"));
    ig->request_parameters = build_map(L, json_object_get(in, "RequestParameters"));
    ig->request_templates = build_templates(L, json_object_get(in, "RequestTemplates"));
    ig->passthrough = build_passthrough(json_string_value(json_object_get(in, "PassthroughBehavior")));
    ig->content_handling = build_content_handling(json_string_value(json_object_get(in, "ContentHandling")));
    json_t *to = json_object_get(in, "TimeoutInMillis");
    const char *tos = to != NULL ? cfn_string(L, to, "TimeoutInMillis") : NULL;
    ig->timeout_ms = tos != NULL ? atoi(tos) : 29000;
    json_t *ckp = json_object_get(in, "CacheKeyParameters");
    ig->cache_key_parameters = arena_calloc(L->load, (json_array_size(ckp) + 1) * sizeof(slice));
    size_t i;
    json_t *c;
    json_array_foreach(ckp, i, c) ig->cache_key_parameters[ig->cache_key_parameter_count++] = keep_json_str(L, c);
    ig->cache_namespace = keep_json_str(L, json_object_get(in, "CacheNamespace"));
    json_t *irs = json_object_get(in, "IntegrationResponses");
    ig->responses = arena_calloc(L->load, (json_array_size(irs) + 1) * sizeof(model_integration_response));
    /* non-default ones first, in order; the one without SelectionPattern last */
    for (int pass = 0; pass < 2; pass++)
        json_array_foreach(irs, i, c)
        {
            json_t *sp = json_object_get(c, "SelectionPattern");
            bool is_default = sp == NULL || (json_is_string(sp) && json_string_length(sp) == 0);
            if (is_default != (pass == 1))
                continue;
            if (is_default && ig->default_response != NULL)
                continue; /* API Gateway keeps one default */
            model_integration_response *ir = &ig->responses[ig->response_count++];
            ir->status_code = keep_json_str(L, json_object_get(c, "StatusCode"));
            ir->selection_pattern = keep_json_str(L, sp);
            ir->is_default = is_default;
            ir->response_parameters = build_map(L, json_object_get(c, "ResponseParameters"));
            ir->response_templates = build_templates(L, json_object_get(c, "ResponseTemplates"));
            ir->content_handling = build_content_handling(json_string_value(json_object_get(c, "ContentHandling")));
            if (is_default)
                ig->default_response = ir;
        }
    build_integration_uri(L, ig);
    loader_where_pop(L, s);
    return 0;
}

static int build_model(loader *L, cfn_resource *r, json_t *p)
{
    api_builder *api = api_of(L, p, "RestApiId");
    if (api == NULL)
        return -1;
    model_model *m = vec_push(&L->scratch, &api->models);
    m->name = keep_str(L, cfn_physical_id(L, r));
    json_t *ct = json_object_get(p, "ContentType");
    m->content_type = keep_str(L, json_is_string(ct) ? json_string_value(ct) : "application/json");
    m->description = keep_json_str(L, json_object_get(p, "Description"));
    json_t *schema = json_object_get(p, "Schema");
    if (json_is_string(schema)) {
        aws_error e;
        error_clear(&e);
        json_t *parsed = stack_json_parse("Schema", json_string_value(schema), json_string_length(schema), &e);
        if (parsed == NULL)
            return loader_fail(L, "model %s: the Schema is not JSON: %s", r->logical_id, e.message);
        m->schema = keep_json(L, parsed);
        json_decref(parsed);
    } else if (json_is_object(schema)) {
        m->schema = keep_json(L, schema);
    } else {
        arena *prev = json_arena_push(L->load);
        m->schema = json_object();
        json_arena_pop(prev);
    }
    return 0;
}

static int build_validator(loader *L, cfn_resource *r, json_t *p)
{
    api_builder *api = api_of(L, p, "RestApiId");
    if (api == NULL)
        return -1;
    model_validator *v = vec_push(&L->scratch, &api->validators);
    v->id = keep_str(L, cfn_physical_id(L, r));
    json_t *n = json_object_get(p, "Name");
    v->name = n != NULL ? keep_json_str(L, n) : keep_str(L, r->logical_id);
    v->validate_body = cfn_is_true(json_object_get(p, "ValidateRequestBody"));
    v->validate_parameters = cfn_is_true(json_object_get(p, "ValidateRequestParameters"));
    return 0;
}

static int build_gateway_response(loader *L, json_t *p)
{
    api_builder *api = api_of(L, p, "RestApiId");
    if (api == NULL)
        return -1;
    model_gateway_response *g = vec_push(&L->scratch, &api->gateway_responses);
    g->type = keep_json_str(L, json_object_get(p, "ResponseType"));
    g->status_code = keep_json_str(L, json_object_get(p, "StatusCode"));
    g->response_parameters = build_map(L, json_object_get(p, "ResponseParameters"));
    g->response_templates = build_templates(L, json_object_get(p, "ResponseTemplates"));
    return 0;
}

static int build_deployment(loader *L, cfn_resource *r, json_t *p)
{
    json_t *stage = json_object_get(p, "StageName");
    if (stage == NULL)
        return 0;
    api_builder *api = api_of(L, p, "RestApiId");
    if (api == NULL)
        return -1;
    json_t *sd = json_object_get(p, "StageDescription");
    return build_add_stage(L, api, cfn_string(L, stage, "StageName"), json_object_get(sd, "Variables"),
                           json_string_value(json_object_get(sd, "Description")), cfn_physical_id(L, r),
                           json_object_get(sd, "MethodSettings"), cfn_is_true(json_object_get(sd, "CachingEnabled")));
}

static int build_stage(loader *L, json_t *p)
{
    api_builder *api = api_of(L, p, "RestApiId");
    if (api == NULL)
        return -1;
    json_t *name = json_object_get(p, "StageName");
    if (name == NULL)
        return loader_fail(L, "a stage needs StageName");
    return build_add_stage(L, api, cfn_string(L, name, "StageName"), json_object_get(p, "Variables"),
                           json_string_value(json_object_get(p, "Description")),
                           json_string_value(json_object_get(p, "DeploymentId")), json_object_get(p, "MethodSettings"),
                           cfn_is_true(json_object_get(p, "CacheClusterEnabled")));
}

static int build_api_key(loader *L, cfn_resource *r, json_t *p)
{
    model_api_key *k = vec_push(&L->scratch, &L->api_keys);
    k->logical_id = keep_str(L, r->logical_id);
    k->id = keep_str(L, cfn_physical_id(L, r));
    json_t *n = json_object_get(p, "Name");
    k->name = n != NULL ? keep_json_str(L, n) : keep_str(L, loader_gen_name(L, r->logical_id, 128));
    json_t *v = json_object_get(p, "Value");
    if (v != NULL) {
        k->value = keep_json_str(L, v);
    } else {
        k->value = keep_str(L, loader_gen_id(L, 40, false, r->logical_id, "api-key-value"));
        k->value_generated = true;
    }
    k->enabled = cfn_is_true(json_object_get(p, "Enabled")); /* CloudFormation's default is false */
    return 0;
}

void cfn_throttle(const json_t *t, model_throttle *out)
{
    if (!json_is_object(t))
        return;
    json_t *rl = json_object_get(t, "RateLimit"), *bl = json_object_get(t, "BurstLimit");
    out->set = rl != NULL || bl != NULL;
    out->rate_limit = json_is_number(rl) ? json_number_value(rl) : json_is_string(rl) ? atof(json_string_value(rl)) : 0;
    out->burst_limit = json_is_integer(bl)  ? (int)json_integer_value(bl)
                       : json_is_string(bl) ? atoi(json_string_value(bl))
                                            : 0;
}

static int build_usage_plan(loader *L, cfn_resource *r, json_t *p)
{
    model_usage_plan *u = vec_push(&L->scratch, &L->usage_plans);
    u->logical_id = keep_str(L, r->logical_id);
    u->id = keep_str(L, cfn_physical_id(L, r));
    json_t *n = json_object_get(p, "UsagePlanName");
    u->name = n != NULL ? keep_json_str(L, n) : keep_str(L, r->logical_id);
    cfn_throttle(json_object_get(p, "Throttle"), &u->throttle);
    json_t *q = json_object_get(p, "Quota");
    if (json_is_object(q)) {
        u->quota_set = true;
        json_t *lim = json_object_get(q, "Limit"), *off = json_object_get(q, "Offset");
        const char *ls = lim != NULL ? cfn_string(L, lim, "Quota.Limit") : NULL;
        const char *os = off != NULL ? cfn_string(L, off, "Quota.Offset") : NULL;
        u->quota_limit = ls != NULL ? atoll(ls) : 0;
        u->quota_offset = os != NULL ? atoi(os) : 0;
        json_t *per = json_object_get(q, "Period");
        u->quota_period = keep_str(L, json_is_string(per) ? json_string_value(per) : "DAY");
    }
    json_t *stages = json_object_get(p, "ApiStages");
    size_t ns = json_array_size(stages), i;
    json_t *s;
    u->stages = arena_calloc(L->load, (ns + 1) * sizeof(model_usage_plan_stage));
    json_array_foreach(stages, i, s)
    {
        model_usage_plan_stage *st = &u->stages[u->stage_count++];
        st->api_id = keep_json_str(L, json_object_get(s, "ApiId")); /* build_finish links st->api */
        st->stage = keep_json_str(L, json_object_get(s, "Stage"));
        json_t *th = json_object_get(s, "Throttle");
        if (json_is_object(th) && json_object_size(th) > 0)
            st->method_throttles = keep_json(L, th);
    }
    return 0;
}

static int build_usage_plan_key(loader *L, json_t *p)
{
    plan_key_ref *ref = vec_push(&L->scratch, &L->plan_keys);
    ref->plan_id = json_string_value(json_object_get(p, "UsagePlanId"));
    ref->key_id = json_string_value(json_object_get(p, "KeyId"));
    if (ref->plan_id == NULL || ref->key_id == NULL)
        return loader_fail(L, "a usage plan key needs UsagePlanId and KeyId");
    return 0;
}

/* ---------- the template ---------- */

static bool is_type(cfn_resource *r, const char *t)
{
    return strcmp(r->type, t) == 0;
}

static int build_resource_of_pass(loader *L, cfn_resource *r, int pass)
{
    const char *t = r->type;
    bool api = is_type(r, "AWS::ApiGateway::RestApi") || is_type(r, "AWS::Serverless::Api");
    if ((pass == 0) != api && pass < 2)
        return 0;
    bool later = is_type(r, "AWS::IAM::Policy") || is_type(r, "AWS::IAM::ManagedPolicy") ||
                 is_type(r, "AWS::ApiGateway::UsagePlanKey");
    if ((pass == 2) != later)
        return 0;
    json_t *p = cfn_resource_props(L, r);
    if (p == NULL)
        return -1;
    L->where_resource = scratch_printf(L, "Resource %s", r->logical_id);
    L->where_len = 0;
    L->where_prop[0] = '\0';
    if (is_type(r, "AWS::ApiGateway::RestApi"))
        return build_rest_api(L, r, p);
    if (is_type(r, "AWS::Serverless::Api"))
        return sam_build_api(L, r);
    if (is_type(r, "AWS::DynamoDB::Table"))
        return cfn_build_table(L, r->logical_id, p, false);
    if (is_type(r, "AWS::Serverless::SimpleTable"))
        return sam_build_simple_table(L, r);
    if (is_type(r, "AWS::IAM::Role"))
        return build_role(L, r, p);
    if (is_type(r, "AWS::IAM::Policy") || is_type(r, "AWS::IAM::ManagedPolicy"))
        return attach_policy(L, r, p);
    if (is_type(r, "AWS::ApiGateway::Resource"))
        return build_resource(L, r, p);
    if (is_type(r, "AWS::ApiGateway::Method"))
        return build_method(L, r, p);
    if (is_type(r, "AWS::ApiGateway::Model"))
        return build_model(L, r, p);
    if (is_type(r, "AWS::ApiGateway::RequestValidator"))
        return build_validator(L, r, p);
    if (is_type(r, "AWS::ApiGateway::GatewayResponse"))
        return build_gateway_response(L, p);
    if (is_type(r, "AWS::ApiGateway::Deployment"))
        return build_deployment(L, r, p);
    if (is_type(r, "AWS::ApiGateway::Stage"))
        return build_stage(L, p);
    if (is_type(r, "AWS::ApiGateway::ApiKey"))
        return build_api_key(L, r, p);
    if (is_type(r, "AWS::ApiGateway::UsagePlan"))
        return build_usage_plan(L, r, p);
    if (is_type(r, "AWS::ApiGateway::UsagePlanKey"))
        return build_usage_plan_key(L, p);
    if (is_type(r, "AWS::ApiGateway::Authorizer"))
        loader_note(L, "authorizers (AWS::ApiGateway::Authorizer) are not run: methods using them are not protected");
    model_ignored *ig = vec_push(&L->scratch, &L->ignored);
    ig->logical_id = keep_str(L, r->logical_id);
    ig->type = keep_str(L, t);
    return 0;
}

static int check_parameter(loader *L, const char *name, json_t *def, const char *value)
{
    json_t *allowed = json_object_get(def, "AllowedValues");
    if (json_is_array(allowed)) {
        bool ok = false;
        size_t i;
        json_t *a;
        json_array_foreach(allowed, i, a)
        {
            const char *s = cfn_string(L, a, "AllowedValues");
            if (s != NULL && strcmp(s, value) == 0)
                ok = true;
        }
        if (!ok)
            return loader_fail(L, "Parameter '%s' must be one of AllowedValues (got '%s')", name, value);
    }
    json_t *pattern = json_object_get(def, "AllowedPattern");
    if (json_is_string(pattern)) {
        int ec;
        PCRE2_SIZE eo;
        pcre2_code *re = pcre2_compile((PCRE2_SPTR)json_string_value(pattern), PCRE2_ZERO_TERMINATED,
                                       PCRE2_ANCHORED | PCRE2_ENDANCHORED | PCRE2_UTF, &ec, &eo, NULL);
        if (re == NULL)
            return loader_fail(L, "Parameter '%s': AllowedPattern is not a valid regular expression", name);
        pcre2_match_data *md = pcre2_match_data_create_from_pattern(re, NULL);
        int rc = pcre2_match(re, (PCRE2_SPTR)value, strlen(value), 0, 0, md, NULL);
        pcre2_match_data_free(md);
        pcre2_code_free(re);
        if (rc < 0)
            return loader_fail(L, "Parameter '%s' must match pattern %s", name, json_string_value(pattern));
    }
    json_t *v;
    if ((v = json_object_get(def, "MinLength")) != NULL && json_is_integer(v) &&
        strlen(value) < (size_t)json_integer_value(v))
        return loader_fail(L, "Parameter '%s' must contain at least %lld characters", name,
                           (long long)json_integer_value(v));
    if ((v = json_object_get(def, "MaxLength")) != NULL && json_is_integer(v) &&
        strlen(value) > (size_t)json_integer_value(v))
        return loader_fail(L, "Parameter '%s' must contain at most %lld characters", name,
                           (long long)json_integer_value(v));
    const char *type = json_string_value(json_object_get(def, "Type"));
    if (type != NULL && strcmp(type, "Number") == 0) {
        char *end;
        double d = strtod(value, &end);
        if (*value == '\0' || *end != '\0')
            return loader_fail(L, "Parameter '%s' must be a number", name);
        if ((v = json_object_get(def, "MinValue")) != NULL && json_is_number(v) && d < json_number_value(v))
            return loader_fail(L, "Parameter '%s' must be a number not less than %g", name, json_number_value(v));
        if ((v = json_object_get(def, "MaxValue")) != NULL && json_is_number(v) && d > json_number_value(v))
            return loader_fail(L, "Parameter '%s' must be a number not greater than %g", name, json_number_value(v));
    }
    return 0;
}

static int load_parameters(loader *L)
{
    L->where_resource = "Parameters";
    json_t *defs = L->param_defs;
    if (defs != NULL && !json_is_object(defs))
        return loader_fail(L, "the Parameters section must be a mapping");
    for (size_t i = 0; i < L->opts->parameter_count; i++) {
        const char *k = L->opts->parameters[i].key;
        if (json_object_get(defs, k) == NULL)
            return loader_fail(L, "[%s] do not exist in the template", k);
    }
    const char *k;
    json_t *def;
    char missing[512] = "";
    json_object_foreach(defs, k, def)
    {
        const char *value = NULL;
        for (size_t i = 0; i < L->opts->parameter_count; i++)
            if (strcmp(L->opts->parameters[i].key, k) == 0)
                value = L->opts->parameters[i].value;
        json_t *dflt = json_object_get(def, "Default");
        if (value == NULL && dflt != NULL) {
            if (json_is_array(dflt)) {
                /* a list default: join it the way CloudFormation reads it */
                json_t *parts = dflt;
                size_t n;
                json_t *e;
                char *joined = scratch_printf(L, "%s", "");
                json_array_foreach(parts, n, e)
                {
                    const char *s = cfn_string(L, e, "Default");
                    joined = scratch_printf(L, "%s%s%s", joined, n ? "," : "", s ? s : "");
                }
                value = joined;
            } else {
                value = cfn_string(L, dflt, "Default");
                if (value == NULL)
                    return -1;
            }
        }
        if (value == NULL) {
            size_t len = strlen(missing);
            snprintf(missing + len, sizeof(missing) - len, "%s%s", len ? ", " : "", k);
            continue;
        }
        const char *type = json_string_value(json_object_get(def, "Type"));
        if (type == NULL)
            return loader_fail(L, "Parameter '%s' has no Type", k);
        bool list = strcmp(type, "CommaDelimitedList") == 0 || strncmp(type, "List<", 5) == 0;
        if (strncmp(type, "AWS::SSM::Parameter", 19) == 0)
            loader_note(L, "SSM parameter types are read as plain strings (parameter %s keeps its default)", k);
        if (list) {
            json_t *arr = json_array();
            const char *p = value;
            for (;;) {
                const char *c = strchr(p, ',');
                size_t n = c != NULL ? (size_t)(c - p) : strlen(p);
                while (n > 0 && isspace((unsigned char)*p))
                    p++, n--;
                while (n > 0 && isspace((unsigned char)p[n - 1]))
                    n--;
                const char *item = scratch_printf(L, "%.*s", (int)n, p);
                if (check_parameter(L, k, def, item) != 0)
                    return -1;
                json_array_append_new(arr, json_string(item));
                if (c == NULL)
                    break;
                p = c + 1;
            }
            json_object_set_new(L->params, k, arr);
        } else {
            if (check_parameter(L, k, def, value) != 0)
                return -1;
            json_object_set_new(L->params, k, json_string(value));
        }
    }
    if (missing[0] != '\0')
        return loader_fail(L, "[%s] must have values", missing);
    return 0;
}

static int load_transform_section(loader *L)
{
    json_t *t = json_object_get(L->tmpl, "Transform");
    if (t == NULL)
        return 0;
    json_t *list = json_is_array(t) ? json_incref(t) : json_pack("[O]", t);
    size_t i;
    json_t *e;
    int rc = 0;
    L->where_resource = "Transform";
    json_array_foreach(list, i, e)
    {
        if (json_is_string(e)) {
            const char *n = json_string_value(e);
            if (strcmp(n, "AWS::Serverless-2016-10-31") == 0)
                L->sam = true;
            else if (strcmp(n, "AWS::LanguageExtensions") == 0)
                ;
            else
                rc = loader_fail(L,
                                 "transform %s is not supported (AWS::Serverless-2016-10-31, "
                                 "AWS::LanguageExtensions and AWS::Include are)",
                                 n);
        } else if (json_is_object(e)) {
            json_t *wrapped = json_pack("{s:O}", "Fn::Transform", e);
            json_t *top = json_pack("{s:o}", "x", wrapped);
            rc = cfn_expand_transforms(L, &top);
            if (rc == 0) {
                json_t *inc = json_object_get(top, "x");
                const char *k;
                json_t *v;
                json_object_foreach(inc, k, v)
                {
                    if (json_object_get(L->tmpl, k) == NULL)
                        json_object_set(L->tmpl, k, v);
                }
            }
            json_decref(top);
        }
        if (rc != 0)
            break;
    }
    json_decref(list);
    return rc;
}

static int load_template(loader *L)
{
    json_t *T = L->tmpl;
    const char *k;
    json_t *def;
    json_t *resources = json_object_get(T, "Resources");
    if (load_transform_section(L) != 0)
        return -1;
    resources = json_object_get(T, "Resources");
    L->param_defs = json_object_get(T, "Parameters");
    L->mappings = json_object_get(T, "Mappings");
    L->conditions = json_object_get(T, "Conditions");
    if (load_parameters(L) != 0)
        return -1;
    L->where_resource = "Resources";
    if (!json_is_object(resources) || json_object_size(resources) == 0)
        return loader_fail(L, "the template needs a Resources section with at least one resource");
    json_t *before = resources;
    if (cfn_expand_transform_key(L, &resources) != 0)
        return -1;
    if (resources != before)
        json_object_set_new(T, "Resources", resources);
    if (!json_is_object(resources))
        return loader_fail(L, "the Resources section must be a mapping");
    void *tmp;
    json_object_foreach_safe(resources, tmp, k, def)
    {
        L->where_resource = scratch_printf(L, "Resource %s", k);
        L->where_len = 0;
        L->where_prop[0] = '\0';
        json_t *n = def;
        if (cfn_expand_transforms(L, &n) != 0)
            return -1;
        if (n != def)
            json_object_set_new(resources, k, n);
    }
    L->resource_count = json_object_size(resources);
    L->resources = arena_calloc(&L->scratch, L->resource_count * sizeof(cfn_resource));
    size_t n = 0;
    json_object_foreach(resources, k, def)
    {
        cfn_resource *r = &L->resources[n++];
        r->logical_id = k;
        L->where_resource = scratch_printf(L, "Resource %s", k);
        if (!json_is_object(def))
            return loader_fail(L, "a resource must be a mapping");
        json_t *type = json_object_get(def, "Type");
        if (!json_is_string(type))
            return loader_fail(L, "the resource has no Type");
        r->type = json_string_value(type);
        r->def = def;
        r->props = json_object_get(def, "Properties");
        if (r->props == NULL) {
            r->props = json_object();
            json_object_set_new(def, "Properties", r->props);
        } else if (!json_is_object(r->props)) {
            return loader_fail(L, "Properties must be a mapping");
        }
        r->created = true;
    }
    /* Conditions and DependsOn, once every logical id is known. */
    for (size_t i = 0; i < L->resource_count; i++) {
        cfn_resource *r = &L->resources[i];
        L->where_resource = scratch_printf(L, "Resource %s", r->logical_id);
        L->where_len = 0;
        json_t *cond = json_object_get(r->def, "Condition");
        if (cond != NULL) {
            bool b;
            if (!json_is_string(cond))
                return loader_fail(L, "Condition must name a condition");
            if (cfn_condition(L, json_string_value(cond), &b) != 0)
                return -1;
            r->created = b;
        }
        json_t *deps = json_object_get(r->def, "DependsOn");
        json_t *dl = json_is_string(deps) ? json_pack("[O]", deps) : json_incref(deps);
        size_t j;
        json_t *d;
        json_array_foreach(dl, j, d)
        {
            if (!json_is_string(d) || cfn_find_resource(L, json_string_value(d)) == NULL) {
                json_decref(dl);
                return loader_fail(L, "DependsOn refers to unknown resource %s",
                                   json_is_string(d) ? json_string_value(d) : "?");
            }
        }
        json_decref(dl);
    }
    for (int pass = 0; pass < 3; pass++)
        for (size_t i = 0; i < L->resource_count; i++) {
            cfn_resource *r = &L->resources[i];
            if (!r->created)
                continue;
            L->where_resource = scratch_printf(L, "Resource %s", r->logical_id);
            L->where_len = 0;
            L->where_prop[0] = '\0';
            if (build_resource_of_pass(L, r, pass) != 0)
                return -1;
        }
    /* Outputs are resolved too, so that a wrong reference there is reported as CloudFormation would. */
    json_t *outputs = json_object_get(T, "Outputs");
    json_object_foreach(outputs, k, def)
    {
        L->where_resource = scratch_printf(L, "Output %s", k);
        L->where_len = 0;
        L->where_prop[0] = '\0';
        json_t *cond = json_object_get(def, "Condition");
        bool b = true;
        if (json_is_string(cond) && cfn_condition(L, json_string_value(cond), &b) != 0)
            return -1;
        if (!b)
            continue;
        json_t *v = cfn_resolve(L, json_object_get(def, "Value"));
        if (v == NULL)
            return -1;
        json_decref(v);
    }
    return 0;
}

static const char *stem_of(loader *L, const char *name)
{
    const char *base = strrchr(name, '/');
    base = base != NULL ? base + 1 : name;
    const char *dot = strrchr(base, '.');
    size_t n = dot != NULL && dot != base ? (size_t)(dot - base) : strlen(base);
    char *s = scratch_printf(L, "%.*s", (int)n, base);
    /* stack names are [A-Za-z][-A-Za-z0-9]* */
    for (char *p = s; *p; p++)
        if (!isalnum((unsigned char)*p) && *p != '-')
            *p = '-';
    return *s ? s : "stack";
}

int stack_load_buffer(const char *name, const char *base_dir, const char *data, size_t len, const stack_options *opts,
                      stack_model **out, arena *load_arena, aws_error *err)
{
    static const stack_options no_options;
    loader Lv;
    loader *L = &Lv;
    memset(L, 0, sizeof(*L));
    L->load = load_arena;
    L->opts = opts != NULL ? opts : &no_options;
    L->err = err;
    L->file_name = name;
    L->base_dir = base_dir;
    *out = NULL;
    error_clear(err);
    arena_init(&L->scratch, 64 * 1024);
    L->saved_json_arena = json_arena_push(&L->scratch);

    L->stack_name = L->opts->stack_name != NULL ? L->opts->stack_name : stem_of(L, name);
    L->region = L->opts->region != NULL ? L->opts->region : "us-east-1";
    L->account = L->opts->account_id != NULL ? L->opts->account_id : "123456789012";
    L->partition = strncmp(L->region, "cn-", 3) == 0       ? "aws-cn"
                   : strncmp(L->region, "us-gov-", 7) == 0 ? "aws-us-gov"
                                                           : "aws";
    L->url_suffix = strncmp(L->region, "cn-", 3) == 0 ? "amazonaws.com.cn" : "amazonaws.com";
    L->novalue = json_object();
    L->params = json_object();
    L->cond_values = json_object();
    vec_init(&L->apis, sizeof(api_builder *));
    vec_init(&L->tables, sizeof(model_table));
    vec_init(&L->roles, sizeof(model_role));
    vec_init(&L->api_keys, sizeof(model_api_key));
    vec_init(&L->usage_plans, sizeof(model_usage_plan));
    vec_init(&L->plan_keys, sizeof(plan_key_ref));
    vec_init(&L->ignored, sizeof(model_ignored));
    vec_init(&L->unsupported, sizeof(slice));

    int rc = -1;
    json_t *doc = stack_document_parse(name, data, len, err);
    if (doc == NULL)
        goto done;
    L->tmpl = doc;
    if (!json_is_object(doc)) {
        loader_fail(L, "the document is not a mapping");
        goto done;
    }
    if (openapi_is_document(doc)) {
        json_t *title = json_object_get(json_object_get(doc, "info"), "title");
        const char *logical = json_is_string(title) ? json_string_value(title) : L->stack_name;
        api_builder *api = builder_api_new(L, logical, loader_gen_id(L, 10, false, logical, NULL));
        L->where_resource = "OpenAPI";
        if (openapi_load(L, api, doc) != 0)
            goto done;
        if (api->stages.count == 0)
            build_add_stage(L, api, L->opts->default_stage != NULL ? L->opts->default_stage : "prod", NULL, NULL, NULL,
                            NULL, false);
    } else if (json_object_get(doc, "Resources") != NULL || json_object_get(doc, "AWSTemplateFormatVersion") != NULL) {
        if (load_template(L) != 0)
            goto done;
    } else {
        loader_fail(L, "neither a CloudFormation template (no Resources) nor an OpenAPI document (no openapi or "
                       "swagger key)");
        goto done;
    }
    L->where_resource = NULL;
    L->where_len = 0;
    rc = build_finish(L, out);
done:
    json_arena_pop(L->saved_json_arena);
    arena_destroy(&L->scratch);
    return rc;
}

int stack_load(const char *path, const stack_options *opts, stack_model **out, arena *load_arena, aws_error *err)
{
    *out = NULL;
    error_clear(err);
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return error_set(err, 400, LOADER_ERROR, "%s: cannot open (%s)", path, strerror(errno));
    struct stat st;
    if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode) || st.st_size > 64 * 1024 * 1024) {
        fclose(f);
        return error_set(err, 400, LOADER_ERROR, "%s: not a regular file under 64 MB", path);
    }
    size_t n = (size_t)st.st_size;
    char *buf = malloc(n + 1);
    if (buf == NULL) {
        fclose(f);
        return error_set(err, 500, LOADER_ERROR, "%s: out of memory", path);
    }
    size_t got = fread(buf, 1, n, f);
    fclose(f);
    buf[got] = '\0';
    char *dir = strdup(path);
    char *slash = dir != NULL ? strrchr(dir, '/') : NULL;
    const char *base = ".";
    if (slash != NULL) {
        *slash = '\0';
        base = slash == dir ? "/" : dir;
    }
    int rc = stack_load_buffer(path, base, buf, got, opts, out, load_arena, err);
    free(buf);
    free(dir);
    return rc;
}

int stack_parameter_parse(char *arg, stack_parameter *p)
{
    char *eq = strchr(arg, '=');
    if (eq == NULL || eq == arg)
        return -1;
    *eq = '\0';
    p->key = arg;
    p->value = eq + 1;
    return 0;
}
