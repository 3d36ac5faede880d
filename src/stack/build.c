/* The last step of a load: API builders become resource trees, references become pointers. */
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "stack/loader.h"

typedef struct path_entry {
    const char *path;
    model_resource *res;
} path_entry;

static int cmp_path_entry(const void *a, const void *b)
{
    return strcmp(((const path_entry *)a)->path, ((const path_entry *)b)->path);
}

static int cmp_literal(const void *a, const void *b)
{
    const model_resource *x = *(const model_resource *const *)a, *y = *(const model_resource *const *)b;
    return slice_cmp(x->path_part, y->path_part);
}

static int cmp_res_path(const void *a, const void *b)
{
    const model_resource *x = *(const model_resource *const *)a, *y = *(const model_resource *const *)b;
    return slice_cmp(x->path, y->path);
}

static model_resource *find_path(path_entry *paths, size_t n, const char *path)
{
    path_entry key = {path, NULL};
    path_entry *e = bsearch(&key, paths, n, sizeof(*paths), cmp_path_entry);
    return e != NULL ? e->res : NULL;
}

/* Every path with all its ancestors, normalised (no trailing '/'). */
static void add_path(loader *L, vec *paths, const char *path)
{
    char *p = scratch_printf(L, "%s", path);
    size_t n = strlen(p);
    while (n > 1 && p[n - 1] == '/')
        p[--n] = '\0';
    for (;;) {
        *(const char **)vec_push(&L->scratch, paths) = p;
        char *slash = strrchr(p, '/');
        if (slash == NULL || slash == p)
            break;
        p = scratch_printf(L, "%.*s", (int)(slash - p), p);
    }
}

static int cmp_cstr(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int segment_of(loader *L, model_resource *r)
{
    const char *part = r->path_part.ptr;
    size_t n = r->path_part.len;
    if (n == 0)
        return loader_fail(L, "path %s has an empty segment", r->path.ptr);
    if (part[0] == '{') {
        if (part[n - 1] != '}' || n < 3)
            return loader_fail(L, "path part %s is not a valid {parameter}", part);
        bool greedy = part[n - 2] == '+';
        size_t name_len = n - 2 - (greedy ? 1 : 0);
        if (name_len == 0)
            return loader_fail(L, "path part %s has no parameter name", part);
        r->kind = greedy ? MODEL_SEGMENT_GREEDY : MODEL_SEGMENT_PARAM;
        r->param_name = keep_strn(L, part + 1, name_len);
        return 0;
    }
    if (strpbrk(part, "{}") != NULL)
        return loader_fail(L, "path part %s mixes text and a {parameter}, which API Gateway does not allow", part);
    r->kind = MODEL_SEGMENT_LITERAL;
    r->param_name = keep_str(L, "");
    return 0;
}

static const model_model *model_named(model_api *api, const char *name)
{
    for (size_t i = 0; i < api->model_count; i++)
        if (strcmp(api->models[i].name.ptr, name) == 0)
            return &api->models[i];
    return NULL;
}

static int build_api(loader *L, api_builder *b, model_api *api)
{
    L->where_resource = scratch_printf(L, "API %s", b->logical_id);
    L->where_len = 0;
    L->where_prop[0] = '\0';
    api->id = keep_str(L, b->id);
    api->logical_id = keep_str(L, b->logical_id);
    api->name = keep_str(L, b->name != NULL ? b->name : b->logical_id);
    api->description = keep_str(L, b->description);
    api->api_key_source = keep_str(L, b->api_key_source != NULL ? b->api_key_source : "HEADER");
    api->source = keep_str(L, b->source);
    api->binary_media_types = vec_finish(L->load, &b->binary_media_types);
    api->binary_media_type_count = b->binary_media_types.count;
    api->stages = vec_finish(L->load, &b->stages);
    api->stage_count = b->stages.count;
    api->models = vec_finish(L->load, &b->models);
    api->model_count = b->models.count;
    api->validators = vec_finish(L->load, &b->validators);
    api->validator_count = b->validators.count;
    api->gateway_responses = vec_finish(L->load, &b->gateway_responses);
    api->gateway_response_count = b->gateway_responses.count;

    /* the resource tree */
    vec paths;
    vec_init(&paths, sizeof(const char *));
    add_path(L, &paths, "/");
    for (size_t i = 0; i < b->resources.count; i++)
        add_path(L, &paths, VEC_AT(&b->resources, b_resource, i).path);
    for (size_t i = 0; i < b->methods.count; i++)
        add_path(L, &paths, VEC_AT(&b->methods, b_method, i).path);
    qsort(paths.items, paths.count, sizeof(const char *), cmp_cstr);
    size_t unique = 0;
    const char **pl = paths.items;
    for (size_t i = 0; i < paths.count; i++)
        if (unique == 0 || strcmp(pl[unique - 1], pl[i]) != 0)
            pl[unique++] = pl[i];
    path_entry *entries = arena_alloc(&L->scratch, unique * sizeof(path_entry));
    const model_resource **all = arena_alloc(L->load, unique * sizeof(model_resource *));
    for (size_t i = 0; i < unique; i++) {
        model_resource *r = arena_calloc(L->load, sizeof(*r));
        r->path = keep_str(L, pl[i]);
        const char *slash = strrchr(pl[i], '/');
        bool root = strcmp(pl[i], "/") == 0;
        r->path_part = keep_str(L, root ? "/" : slash + 1);
        const char *id = NULL;
        for (size_t k = 0; k < b->resources.count && id == NULL; k++) {
            b_resource *br = &VEC_AT(&b->resources, b_resource, k);
            if (br->id != NULL && strcmp(br->path, pl[i]) == 0)
                id = br->id;
        }
        r->id = keep_str(L, root ? b->root_id : id != NULL ? id : loader_gen_id(L, 6, false, b->logical_id, pl[i]));
        if (root) {
            r->kind = MODEL_SEGMENT_ROOT;
            r->param_name = keep_str(L, "");
        } else if (segment_of(L, r) != 0) {
            return -1;
        }
        entries[i].path = pl[i];
        entries[i].res = r;
        all[i] = r;
    }
    /* parents and the single {param} / {proxy+} child; literal children below */
    for (size_t i = 0; i < unique; i++) {
        model_resource *r = entries[i].res;
        if (r->kind == MODEL_SEGMENT_ROOT)
            continue;
        const char *slash = strrchr(entries[i].path, '/');
        const char *parent_path =
            slash == entries[i].path ? "/" : scratch_printf(L, "%.*s", (int)(slash - entries[i].path), entries[i].path);
        model_resource *parent = find_path(entries, unique, parent_path);
        r->parent = parent;
        if (parent->kind == MODEL_SEGMENT_GREEDY)
            return loader_fail(L, "resource %s is below a greedy {proxy+} resource, which API Gateway does not allow",
                               r->path.ptr);
        if (r->kind == MODEL_SEGMENT_PARAM || r->kind == MODEL_SEGMENT_GREEDY) {
            const model_resource *other = parent->param != NULL ? parent->param : parent->greedy;
            if (other != NULL)
                return loader_fail(L,
                                   "a sibling (%s) of resource %s already has a variable path part -- only one "
                                   "is allowed",
                                   other->path_part.ptr, r->path.ptr);
            if (r->kind == MODEL_SEGMENT_PARAM)
                parent->param = r;
            else
                parent->greedy = r;
        }
    }
    for (size_t i = 0; i < unique; i++) {
        model_resource *r = entries[i].res;
        if (r->kind == MODEL_SEGMENT_LITERAL) {
            model_resource *parent = (model_resource *)r->parent;
            if (parent->literals == NULL) {
                size_t n = 0;
                for (size_t k = 0; k < unique; k++)
                    if (entries[k].res->parent == parent && entries[k].res->kind == MODEL_SEGMENT_LITERAL)
                        n++;
                parent->literals = arena_calloc(L->load, n * sizeof(model_resource *));
            }
            parent->literals[parent->literal_count++] = r;
        }
    }
    for (size_t i = 0; i < unique; i++) {
        model_resource *r = entries[i].res;
        if (r->literal_count > 1)
            qsort((void *)r->literals, r->literal_count, sizeof(model_resource *), cmp_literal);
    }
    qsort((void *)all, unique, sizeof(model_resource *), cmp_res_path);
    api->resources = all;
    api->resource_count = unique;
    api->root = find_path(entries, unique, "/");

    /* methods */
    for (size_t i = 0; i < b->methods.count; i++) {
        b_method *bm = &VEC_AT(&b->methods, b_method, i);
        char *p = scratch_printf(L, "%s", bm->path);
        size_t n = strlen(p);
        while (n > 1 && p[n - 1] == '/')
            p[--n] = '\0';
        model_resource *r = find_path(entries, unique, p);
        L->where_resource = scratch_printf(L, "API %s, method %s %s", b->logical_id, bm->m.http_method.ptr, p);
        if (r->methods[bm->m.verb] != NULL)
            return loader_fail(L, "Method already exists for this resource");
        model_method *m = arena_alloc(L->load, sizeof(*m));
        *m = bm->m;
        m->resource = r;
        if (m->authorization_type.ptr == NULL)
            m->authorization_type = keep_str(L, "NONE");
        if (m->authorizer_id.ptr == NULL)
            m->authorizer_id = keep_str(L, "");
        if (m->operation_name.ptr == NULL)
            m->operation_name = keep_str(L, "");
        if (bm->validator_ref != NULL) {
            for (size_t k = 0; k < api->validator_count; k++)
                if (strcmp(api->validators[k].id.ptr, bm->validator_ref) == 0 ||
                    strcmp(api->validators[k].name.ptr, bm->validator_ref) == 0)
                    m->request_validator = &api->validators[k];
            if (m->request_validator == NULL)
                return loader_fail(L, "Invalid Validator identifier specified: %s", bm->validator_ref);
        }
        for (size_t k = 0; k < m->request_model_count; k++) {
            const char *name = bm->request_model_names[k];
            m->request_models[k].model = name != NULL ? model_named(api, name) : NULL;
            if (m->request_models[k].model == NULL)
                return loader_fail(L, "Invalid model identifier specified: %s", name != NULL ? name : "?");
        }
        for (size_t ri = 0; ri < m->response_count; ri++)
            for (size_t k = 0; k < m->responses[ri].response_model_count; k++) {
                const char *name = bm->response_model_names[ri][k];
                m->responses[ri].response_models[k].model = name != NULL ? model_named(api, name) : NULL;
                if (m->responses[ri].response_models[k].model == NULL)
                    return loader_fail(L, "Invalid model identifier specified: %s", name != NULL ? name : "?");
            }
        r->methods[bm->m.verb] = m;
    }
    return 0;
}

int build_finish(loader *L, stack_model **out)
{
    stack_model *m = arena_calloc(L->load, sizeof(*m));
    m->stack_name = keep_str(L, L->stack_name);
    m->region = keep_str(L, L->region);
    m->account_id = keep_str(L, L->account);
    m->api_count = L->apis.count;
    m->apis = arena_calloc(L->load, (m->api_count + 1) * sizeof(model_api));
    for (size_t i = 0; i < L->apis.count; i++)
        if (build_api(L, VEC_AT(&L->apis, api_builder *, i), &m->apis[i]) != 0)
            return -1;
    L->where_resource = NULL;
    m->tables = vec_finish(L->load, &L->tables);
    m->table_count = L->tables.count;
    m->roles = vec_finish(L->load, &L->roles);
    m->role_count = L->roles.count;
    m->api_keys = vec_finish(L->load, &L->api_keys);
    m->api_key_count = L->api_keys.count;
    m->usage_plans = vec_finish(L->load, &L->usage_plans);
    m->usage_plan_count = L->usage_plans.count;
    m->ignored = vec_finish(L->load, &L->ignored);
    m->ignored_count = L->ignored.count;
    m->unsupported = vec_finish(L->load, &L->unsupported);
    m->unsupported_count = L->unsupported.count;

    /* integrations: the role their credentials name */
    for (size_t a = 0; a < m->api_count; a++)
        for (size_t r = 0; r < m->apis[a].resource_count; r++)
            for (int v = 0; v < MODEL_VERB_COUNT; v++) {
                model_method *mm = (model_method *)m->apis[a].resources[r]->methods[v];
                if (mm != NULL && mm->has_integration && mm->integration.credentials.len > 0)
                    mm->integration.role = model_role_by_arn(m, mm->integration.credentials);
            }
    /* usage plans: their APIs and keys */
    for (size_t p = 0; p < m->usage_plan_count; p++) {
        model_usage_plan *u = &m->usage_plans[p];
        L->where_resource = scratch_printf(L, "Usage plan %s", u->logical_id.ptr);
        for (size_t s = 0; s < u->stage_count; s++) {
            u->stages[s].api = model_api_by_id(m, u->stages[s].api_id);
            if (u->stages[s].api == NULL)
                return loader_fail(L, "ApiStages: ApiId %s is not a RestApi of this stack", u->stages[s].api_id.ptr);
            if (model_api_stage(u->stages[s].api, u->stages[s].stage) == NULL)
                return loader_fail(L, "ApiStages: API %s has no stage %s", u->stages[s].api->logical_id.ptr,
                                   u->stages[s].stage.ptr);
        }
        size_t n = 0;
        for (size_t k = 0; k < L->plan_keys.count; k++)
            if (strcmp(VEC_AT(&L->plan_keys, plan_key_ref, k).plan_id, u->id.ptr) == 0)
                n++;
        u->keys = arena_calloc(L->load, (n + 1) * sizeof(model_api_key *));
    }
    for (size_t k = 0; k < L->plan_keys.count; k++) {
        plan_key_ref *ref = &VEC_AT(&L->plan_keys, plan_key_ref, k);
        model_usage_plan *u = NULL;
        const model_api_key *key = NULL;
        for (size_t p = 0; p < m->usage_plan_count; p++)
            if (strcmp(m->usage_plans[p].id.ptr, ref->plan_id) == 0)
                u = &m->usage_plans[p];
        for (size_t i = 0; i < m->api_key_count; i++)
            if (strcmp(m->api_keys[i].id.ptr, ref->key_id) == 0 ||
                strcmp(m->api_keys[i].logical_id.ptr, ref->key_id) == 0)
                key = &m->api_keys[i];
        L->where_resource = "Usage plan keys";
        if (u == NULL)
            return loader_fail(L, "UsagePlanId %s is not a usage plan of this stack", ref->plan_id);
        if (key == NULL)
            return loader_fail(L, "KeyId %s is not an API key of this stack", ref->key_id);
        u->keys[u->key_count++] = key;
    }
    *out = m;
    return 0;
}
