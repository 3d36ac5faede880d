/* OpenAPI 3.0 and Swagger 2.0 documents with API Gateway's x-amazon-apigateway-* extensions. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include "core/json.h"
#include "stack/loader.h"

#define X "x-amazon-apigateway-"

typedef struct oa {
    loader *L;
    api_builder *api;
    json_t *doc;
    bool v3;
    json_t *schemes;         /* securitySchemes / securityDefinitions */
    json_t *global_security; /* array or NULL */
    const char *default_validator;
    json_t *global_consumes;
} oa;

bool openapi_is_document(const json_t *doc)
{
    return json_is_object(doc) &&
           (json_is_string(json_object_get(doc, "openapi")) || json_is_string(json_object_get(doc, "swagger")));
}

/* A "$ref": "#/a/b/c" inside the document; NULL when it does not resolve. */
static json_t *local_ref(oa *o, json_t *v)
{
    for (int hops = 0; hops < 16 && json_is_object(v); hops++) {
        const char *ref = json_string_value(json_object_get(v, "$ref"));
        if (ref == NULL)
            return v;
        if (strncmp(ref, "#/", 2) != 0)
            return NULL;
        json_t *cur = o->doc;
        char *path = scratch_printf(o->L, "%s", ref + 2), *save = NULL;
        for (char *tok = strtok_r(path, "/", &save); tok != NULL && cur != NULL; tok = strtok_r(NULL, "/", &save)) {
            /* JSON pointer escapes */
            char *w = tok;
            for (char *r = tok; *r; r++, w++) {
                if (r[0] == '~' && r[1] == '1')
                    *w = '/', r++;
                else if (r[0] == '~' && r[1] == '0')
                    *w = '~', r++;
                else
                    *w = *r;
            }
            *w = '\0';
            cur = json_object_get(cur, tok);
        }
        v = cur;
    }
    return v;
}

static const char *ref_model_name(const char *ref)
{
    static const char *prefixes[] = {"#/components/schemas/", "#/definitions/"};
    for (size_t i = 0; i < 2; i++)
        if (strncmp(ref, prefixes[i], strlen(prefixes[i])) == 0)
            return ref + strlen(prefixes[i]);
    const char *m = strstr(ref, "/models/");
    return m != NULL ? m + 8 : NULL;
}

static bool has_model(api_builder *api, const char *name)
{
    for (size_t i = 0; i < api->models.count; i++)
        if (strcmp(VEC_AT(&api->models, model_model, i).name.ptr, name) == 0)
            return true;
    return false;
}

static void add_model(oa *o, const char *name, const char *ct, json_t *schema)
{
    if (has_model(o->api, name))
        return;
    model_model *m = vec_push(&o->L->scratch, &o->api->models);
    m->name = keep_str(o->L, name);
    m->content_type = keep_str(o->L, ct);
    m->description = keep_json_str(o->L, json_object_get(schema, "description"));
    m->schema = keep_json(o->L, schema);
}

/* The model a schema stands for: the one it $refs, or a new one named after its content. */
static const char *schema_model(oa *o, json_t *schema, const char *ct)
{
    if (!json_is_object(schema))
        return NULL;
    const char *ref = json_string_value(json_object_get(schema, "$ref"));
    if (ref != NULL) {
        const char *name = ref_model_name(ref);
        if (name == NULL || !has_model(o->api, name)) {
            loader_fail(o->L, "$ref %s does not name a schema of this document", ref);
            return NULL;
        }
        return name;
    }
    slice dump = json_dump_slice(schema, JSON_COMPACT | JSON_SORT_KEYS);
    char *name = scratch_printf(o->L, "Model%08llx", (unsigned long long)(XXH64(dump.ptr, dump.len, 0) & 0xffffffffu));
    if (json_arena_current() == NULL)
        free((void *)dump.ptr);
    add_model(o, name, ct, schema);
    return name;
}

static void load_models(oa *o)
{
    json_t *schemas = o->v3 ? json_object_get(json_object_get(o->doc, "components"), "schemas")
                            : json_object_get(o->doc, "definitions");
    const char *k;
    json_t *s;
    json_object_foreach(schemas, k, s) add_model(o, k, "application/json", s);
}

static void load_validators(oa *o)
{
    json_t *vs = json_object_get(o->doc, X "request-validators");
    const char *k;
    json_t *v;
    json_object_foreach(vs, k, v)
    {
        model_validator *mv = vec_push(&o->L->scratch, &o->api->validators);
        mv->name = keep_str(o->L, k);
        mv->id = keep_str(o->L, loader_gen_id(o->L, 6, false, o->api->logical_id, k));
        mv->validate_body = cfn_is_true(json_object_get(v, "validateRequestBody"));
        mv->validate_parameters = cfn_is_true(json_object_get(v, "validateRequestParameters"));
    }
    o->default_validator = json_string_value(json_object_get(o->doc, X "request-validator"));
}

static void load_gateway_responses(oa *o)
{
    json_t *gr = json_object_get(o->doc, X "gateway-responses");
    const char *k;
    json_t *v;
    json_object_foreach(gr, k, v)
    {
        model_gateway_response *g = vec_push(&o->L->scratch, &o->api->gateway_responses);
        g->type = keep_str(o->L, k);
        g->status_code = keep_json_str(o->L, json_object_get(v, "statusCode"));
        g->response_parameters = build_map(o->L, json_object_get(v, "responseParameters"));
        g->response_templates = build_templates(o->L, json_object_get(v, "responseTemplates"));
    }
}

typedef enum { SCHEME_OTHER, SCHEME_API_KEY, SCHEME_AUTHORIZER, SCHEME_SIGV4, SCHEME_COGNITO } scheme_kind;

static scheme_kind scheme_of(oa *o, const char *name)
{
    json_t *s = json_object_get(o->schemes, name);
    if (s == NULL)
        return SCHEME_OTHER;
    json_t *auth = json_object_get(s, X "authorizer");
    if (auth != NULL) {
        const char *t = json_string_value(json_object_get(auth, "type"));
        return t != NULL && strcasecmp(t, "cognito_user_pools") == 0 ? SCHEME_COGNITO : SCHEME_AUTHORIZER;
    }
    const char *authtype = json_string_value(json_object_get(s, X "authtype"));
    if (authtype != NULL && strcasecmp(authtype, "awsSigv4") == 0)
        return SCHEME_SIGV4;
    const char *type = json_string_value(json_object_get(s, "type"));
    const char *in = json_string_value(json_object_get(s, "in"));
    const char *pname = json_string_value(json_object_get(s, "name"));
    if (type != NULL && strcmp(type, "apiKey") == 0 && in != NULL && strcmp(in, "header") == 0 && pname != NULL &&
        strcasecmp(pname, "x-api-key") == 0)
        return SCHEME_API_KEY;
    return SCHEME_OTHER;
}

static void apply_security(oa *o, json_t *security, model_method *m)
{
    size_t i;
    json_t *req;
    json_array_foreach(security, i, req)
    {
        const char *k;
        json_t *v;
        json_object_foreach(req, k, v)
        {
            switch (scheme_of(o, k)) {
            case SCHEME_API_KEY:
                m->api_key_required = true;
                break;
            case SCHEME_AUTHORIZER:
                m->authorization_type = keep_str(o->L, "CUSTOM");
                m->authorizer_id = keep_str(o->L, k);
                loader_note(o->L, "Lambda authorizers are not run: methods using them are not protected");
                break;
            case SCHEME_COGNITO:
                m->authorization_type = keep_str(o->L, "COGNITO_USER_POOLS");
                m->authorizer_id = keep_str(o->L, k);
                loader_note(o->L, "Cognito authorizers are not run: methods using them are not protected");
                break;
            case SCHEME_SIGV4:
                m->authorization_type = keep_str(o->L, "AWS_IAM");
                break;
            default:
                break;
            }
        }
    }
}

static const char *param_prefix(const char *in)
{
    if (strcmp(in, "path") == 0)
        return "method.request.path.";
    if (strcmp(in, "query") == 0)
        return "method.request.querystring.";
    if (strcmp(in, "header") == 0)
        return "method.request.header.";
    return NULL;
}

/* Parameters of the path and of the operation (the operation's win), into requestParameters and,
 * for Swagger's in: body, request models. */
static int load_parameters(oa *o, json_t *path_params, json_t *op, b_method *bm)
{
    json_t *op_params = json_object_get(op, "parameters");
    json_t *merged = json_object(); /* "in:name" -> parameter */
    json_t *lists[2] = {path_params, op_params};
    for (int l = 0; l < 2; l++) {
        size_t i;
        json_t *p;
        json_array_foreach(lists[l], i, p)
        {
            json_t *r = local_ref(o, p);
            if (r == NULL) {
                json_decref(merged);
                return loader_fail(o->L, "parameter $ref %s does not resolve",
                                   json_string_value(json_object_get(p, "$ref")) ?: "?");
            }
            const char *in = json_string_value(json_object_get(r, "in"));
            const char *name = json_string_value(json_object_get(r, "name"));
            if (in == NULL || name == NULL)
                continue;
            json_object_set(merged, scratch_printf(o->L, "%s:%s", in, name), r);
        }
    }
    model_method *m = &bm->m;
    m->request_parameters.items = arena_calloc(o->L->load, (json_object_size(merged) + 1) * sizeof(model_param));
    const char *k;
    json_t *r;
    json_object_foreach(merged, k, r)
    {
        const char *in = json_string_value(json_object_get(r, "in"));
        const char *name = json_string_value(json_object_get(r, "name"));
        const char *prefix = param_prefix(in);
        if (prefix != NULL) {
            model_param *mp = &m->request_parameters.items[m->request_parameters.count++];
            mp->name = keep_str(o->L, scratch_printf(o->L, "%s%s", prefix, name));
            mp->required = strcmp(in, "path") == 0 || cfn_is_true(json_object_get(r, "required"));
        } else if (strcmp(in, "body") == 0) {
            json_t *consumes = json_object_get(op, "consumes");
            if (!json_is_array(consumes))
                consumes = o->global_consumes;
            json_t *ct_list = json_is_array(consumes) && json_array_size(consumes) > 0
                                  ? json_incref(consumes)
                                  : json_pack("[s]", "application/json");
            size_t n = json_array_size(ct_list), i;
            json_t *ct;
            m->request_models = arena_calloc(o->L->load, (n + 1) * sizeof(model_model_ref));
            bm->request_model_names = arena_calloc(&o->L->scratch, (n + 1) * sizeof(char *));
            json_array_foreach(ct_list, i, ct)
            {
                const char *name_m = schema_model(o, json_object_get(r, "schema"), json_string_value(ct));
                if (name_m == NULL) {
                    if (error_is_set(o->L->err)) {
                        json_decref(ct_list);
                        json_decref(merged);
                        return -1;
                    }
                    continue;
                }
                m->request_models[m->request_model_count].content_type = keep_json_str(o->L, ct);
                bm->request_model_names[m->request_model_count] = name_m;
                m->request_model_count++;
            }
            json_decref(ct_list);
        }
    }
    json_decref(merged);
    return 0;
}

static int load_request_body(oa *o, json_t *op, b_method *bm)
{
    json_t *body = local_ref(o, json_object_get(op, "requestBody"));
    json_t *content = json_object_get(body, "content");
    if (!json_is_object(content))
        return 0;
    model_method *m = &bm->m;
    size_t n = json_object_size(content);
    m->request_models = arena_calloc(o->L->load, (n + 1) * sizeof(model_model_ref));
    bm->request_model_names = arena_calloc(&o->L->scratch, (n + 1) * sizeof(char *));
    const char *ct;
    json_t *media;
    json_object_foreach(content, ct, media)
    {
        const char *name = schema_model(o, json_object_get(media, "schema"), ct);
        if (name == NULL) {
            if (error_is_set(o->L->err))
                return -1;
            continue;
        }
        m->request_models[m->request_model_count].content_type = keep_str(o->L, ct);
        bm->request_model_names[m->request_model_count] = name;
        m->request_model_count++;
    }
    return 0;
}

static int load_responses(oa *o, json_t *op, b_method *bm)
{
    json_t *responses = json_object_get(op, "responses");
    size_t n = json_object_size(responses);
    model_method *m = &bm->m;
    m->responses = arena_calloc(o->L->load, (n + 1) * sizeof(model_method_response));
    bm->response_model_names = arena_calloc(&o->L->scratch, (n + 1) * sizeof(const char **));
    const char *status;
    json_t *resp;
    json_object_foreach(responses, status, resp)
    {
        if (!isdigit((unsigned char)status[0]))
            continue; /* "default" has no method response on API Gateway */
        resp = local_ref(o, resp);
        model_method_response *mr = &m->responses[m->response_count];
        mr->status_code = keep_str(o->L, status);
        json_t *headers = json_object_get(resp, "headers");
        mr->response_parameters.items = arena_calloc(o->L->load, (json_object_size(headers) + 1) * sizeof(model_param));
        const char *h;
        json_t *hv;
        json_object_foreach(headers, h, hv)
        {
            model_param *p = &mr->response_parameters.items[mr->response_parameters.count++];
            p->name = keep_str(o->L, scratch_printf(o->L, "method.response.header.%s", h));
            p->required = false;
        }
        json_t *content = json_object_get(resp, "content");
        json_t *schema2 = json_object_get(resp, "schema");
        size_t nc = o->v3 ? json_object_size(content) : (schema2 != NULL ? 1 : 0);
        mr->response_models = arena_calloc(o->L->load, (nc + 1) * sizeof(model_model_ref));
        const char **names = arena_calloc(&o->L->scratch, (nc + 1) * sizeof(char *));
        bm->response_model_names[m->response_count] = names;
        if (o->v3) {
            const char *ct;
            json_t *media;
            json_object_foreach(content, ct, media)
            {
                const char *name = schema_model(o, json_object_get(media, "schema"), ct);
                if (name == NULL) {
                    if (error_is_set(o->L->err))
                        return -1;
                    continue;
                }
                mr->response_models[mr->response_model_count].content_type = keep_str(o->L, ct);
                names[mr->response_model_count++] = name;
            }
        } else if (schema2 != NULL) {
            const char *name = schema_model(o, schema2, "application/json");
            if (name == NULL && error_is_set(o->L->err))
                return -1;
            if (name != NULL) {
                mr->response_models[0].content_type = keep_str(o->L, "application/json");
                names[mr->response_model_count++] = name;
            }
        }
        m->response_count++;
    }
    return 0;
}

static int load_integration(oa *o, json_t *x, model_integration *ig)
{
    size_t s;
    loader_where_push(o->L, X "integration", &s);
    if (build_integration_type(o->L, json_string_value(json_object_get(x, "type")), &ig->type) != 0)
        return -1;
    ig->uri = keep_json_str(o->L, json_object_get(x, "uri"));
    const char *hm = json_string_value(json_object_get(x, "httpMethod"));
    char *up = scratch_printf(o->L, "%s", hm != NULL ? hm : "");
    for (char *q = up; *q; q++)
        *q = (char)toupper((unsigned char)*q);
    ig->http_method = keep_str(o->L, up);
    ig->credentials = keep_json_str(o->L, json_object_get(x, "credentials"));
    ig->request_parameters = build_map(o->L, json_object_get(x, "requestParameters"));
    ig->request_templates = build_templates(o->L, json_object_get(x, "requestTemplates"));
    ig->passthrough = build_passthrough(json_string_value(json_object_get(x, "passthroughBehavior")));
    ig->content_handling = build_content_handling(json_string_value(json_object_get(x, "contentHandling")));
    json_t *to = json_object_get(x, "timeoutInMillis");
    ig->timeout_ms = 29000;
    if (to != NULL) {
        const char *t = cfn_string(o->L, to, "timeoutInMillis");
        if (t == NULL)
            return -1;
        ig->timeout_ms = atoi(t);
    }
    json_t *ckp = json_object_get(x, "cacheKeyParameters");
    ig->cache_key_parameters = arena_calloc(o->L->load, (json_array_size(ckp) + 1) * sizeof(slice));
    size_t i;
    json_t *c;
    json_array_foreach(ckp, i, c) ig->cache_key_parameters[ig->cache_key_parameter_count++] = keep_json_str(o->L, c);
    ig->cache_namespace = keep_json_str(o->L, json_object_get(x, "cacheNamespace"));
    json_t *rs = json_object_get(x, "responses");
    ig->responses = arena_calloc(o->L->load, (json_object_size(rs) + 1) * sizeof(model_integration_response));
    for (int pass = 0; pass < 2; pass++) {
        const char *pattern;
        json_t *r;
        json_object_foreach(rs, pattern, r)
        {
            bool is_default = strcmp(pattern, "default") == 0;
            if (is_default != (pass == 1))
                continue;
            model_integration_response *ir = &ig->responses[ig->response_count++];
            ir->status_code = keep_json_str(o->L, json_object_get(r, "statusCode"));
            ir->selection_pattern = keep_str(o->L, is_default ? "" : pattern);
            ir->is_default = is_default;
            ir->response_parameters = build_map(o->L, json_object_get(r, "responseParameters"));
            ir->response_templates = build_templates(o->L, json_object_get(r, "responseTemplates"));
            ir->content_handling = build_content_handling(json_string_value(json_object_get(r, "contentHandling")));
            if (is_default)
                ig->default_response = ir;
        }
    }
    build_integration_uri(o->L, ig);
    if (ig->type == MODEL_INTEGRATION_AWS_PROXY)
        loader_note(o->L, "AWS_PROXY integrations (Lambda proxy) are not run by Portico");
    loader_where_pop(o->L, s);
    return 0;
}

static const char *verbs[] = {"get", "put", "post", "delete", "options", "head", "patch", X "any-method"};

static int load_operation(oa *o, const char *path, json_t *path_item, const char *verb, json_t *op)
{
    size_t s;
    loader_where_push(o->L, verb, &s);
    b_method *bm = vec_push(&o->L->scratch, &o->api->methods);
    bm->path = path;
    model_method *m = &bm->m;
    m->verb = model_verb_parse(slice_cstr(verb));
    m->http_method = keep_str(o->L, model_verb_name(m->verb));
    m->operation_name = keep_json_str(o->L, json_object_get(op, "operationId"));
    m->authorization_type = keep_str(o->L, "NONE");
    m->authorizer_id = keep_str(o->L, "");
    json_t *sec = json_object_get(op, "security");
    apply_security(o, json_is_array(sec) ? sec : o->global_security, m);
    json_t *auth = json_object_get(op, X "auth");
    const char *auth_type = json_string_value(json_object_get(auth, "type"));
    if (auth_type != NULL && strcasecmp(auth_type, "aws_iam") == 0)
        m->authorization_type = keep_str(o->L, "AWS_IAM");
    if (slice_eq_cstr(m->authorization_type, "AWS_IAM"))
        loader_note(o->L, "AWS_IAM authorization (SigV4 callers) is not checked");
    if (o->api->api_key_required_default)
        m->api_key_required = true;
    const char *validator = json_string_value(json_object_get(op, X "request-validator"));
    bm->validator_ref = validator != NULL ? validator : o->default_validator;
    if (load_parameters(o, json_object_get(path_item, "parameters"), op, bm) != 0)
        return -1;
    if (o->v3 && load_request_body(o, op, bm) != 0)
        return -1;
    if (load_responses(o, op, bm) != 0)
        return -1;
    json_t *x = json_object_get(op, X "integration");
    if (json_is_object(x)) {
        m->has_integration = true;
        if (load_integration(o, x, &m->integration) != 0)
            return -1;
    } else {
        loader_note(o->L, "methods without x-amazon-apigateway-integration answer 500 (as on AWS)");
    }
    loader_where_pop(o->L, s);
    return 0;
}

static void note_extensions(oa *o, json_t *obj)
{
    static const char *known[] = {X "api-key-source",         X "binary-media-types", X "gateway-responses",
                                  X "request-validators",     X "request-validator",  X "documentation",
                                  X "endpoint-configuration", X "tag-value"};
    const char *k;
    json_t *v;
    json_object_foreach(obj, k, v)
    {
        if (strncmp(k, X, strlen(X)) != 0)
            continue;
        bool ok = false;
        for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
            ok = ok || strcmp(k, known[i]) == 0;
        if (ok)
            continue;
        if (strcmp(k, X "cors") == 0 || strcmp(k, X "importexport-version") == 0 || strcmp(k, X "integrations") == 0)
            loader_note(o->L, "%s is an HTTP API extension: ignored for REST APIs", k);
        else
            loader_note(o->L, "%s is not supported: ignored", k);
    }
}

int openapi_load(loader *L, api_builder *api, json_t *doc)
{
    if (!openapi_is_document(doc))
        return loader_fail(L, "not an OpenAPI 3.0 or Swagger 2.0 document (no openapi or swagger key)");
    oa o = {.L = L, .api = api, .doc = doc};
    o.v3 = json_object_get(doc, "openapi") != NULL;
    const char *version = json_string_value(json_object_get(doc, o.v3 ? "openapi" : "swagger"));
    if (o.v3 ? strncmp(version, "3.", 2) != 0 : strcmp(version, "2.0") != 0)
        return loader_fail(L, "OpenAPI version %s is not supported (3.0.x and Swagger 2.0 are)", version);
    o.schemes = o.v3 ? json_object_get(json_object_get(doc, "components"), "securitySchemes")
                     : json_object_get(doc, "securityDefinitions");
    o.global_security = json_object_get(doc, "security");
    o.global_consumes = json_object_get(doc, "consumes");
    json_t *info = json_object_get(doc, "info");
    if (api->name == NULL && json_is_string(json_object_get(info, "title")))
        api->name = json_string_value(json_object_get(info, "title"));
    if (api->description == NULL && json_is_string(json_object_get(info, "description")))
        api->description = json_string_value(json_object_get(info, "description"));
    json_t *v;
    if ((v = json_object_get(doc, X "api-key-source")) != NULL && json_is_string(v) && api->api_key_source == NULL)
        api->api_key_source = json_string_value(v);
    size_t i;
    json_t *t;
    json_array_foreach(json_object_get(doc, X "binary-media-types"), i, t)
    {
        if (json_is_string(t))
            *(slice *)vec_push(&L->scratch, &api->binary_media_types) = keep_json_str(L, t);
    }
    if (json_object_get(doc, X "policy") != NULL)
        loader_note(L, "API resource policies (x-amazon-apigateway-policy) are not enforced");
    note_extensions(&o, doc);
    load_models(&o);
    load_validators(&o);
    load_gateway_responses(&o);
    json_t *paths = json_object_get(doc, "paths");
    const char *path;
    json_t *item;
    json_object_foreach(paths, path, item)
    {
        if (path[0] != '/')
            return loader_fail(L, "path %s does not start with /", path);
        size_t s;
        loader_where_push(L, path, &s);
        item = local_ref(&o, item);
        b_resource *br = vec_push(&L->scratch, &api->resources);
        br->path = path;
        br->id = NULL;
        for (size_t k = 0; k < sizeof(verbs) / sizeof(verbs[0]); k++) {
            json_t *op = json_object_get(item, verbs[k]);
            if (json_is_object(op) && load_operation(&o, path, item, verbs[k], op) != 0)
                return -1;
        }
        note_extensions(&o, item);
        loader_where_pop(L, s);
    }
    return 0;
}
