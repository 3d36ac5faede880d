/* API Gateway's template variables: $input (body, json, path, params), $util, $context with its
 * writable requestOverride/responseOverride maps, and reading the overrides back after rendering. */
#include <stdint.h>
#include <string.h>

#include "core/json.h"
#include "core/json_write.h"
#include "vtl/eval.h"
#include "vtl/jsonpath.h"

static mresult found(vval v)
{
    return (mresult){true, v};
}
static const mresult NOT_FOUND = {false, {0}};

static slice body_text(rctx *c)
{
    if (c->env->body.ptr == NULL && c->env->body_json != NULL) {
        buf b;
        buf_init(&b, c->a, 1024);
        json_write(&b, c->env->body_json, JSON_COMPACT | JSON_ENCODE_ANY);
        c->env->body = buf_slice(&b);
    }
    return c->env->body.len ? c->env->body : SLICE_LIT("{}");
}

/* The body as json-smart parses it, once per render. */
static json_t *body_json(rctx *c)
{
    if (c->body_state == 0 && c->env->body_json != NULL) {
        c->body_json = (json_t *)c->env->body_json; /* read-only from here on, as a parsed body is */
        c->body_state = 1;
    }
    if (c->body_state == 0) {
        aws_error e;
        error_clear(&e);
        c->body_state = jutil_json_parse(body_text(c), &c->body_json, &e) == 0 ? 1 : -1;
        if (c->body_state < 0)
            c->body_err = arena_slice_dup(c->a, slice_cstr(e.message));
    }
    if (c->body_state < 0) {
        /* API Gateway answers 400 {"message": "Could not process payload..."}: status 400 tells the
         * gateway it is the client's fault. */
        rc_fail(c, 400, "BadRequestException", "Could not process payload: %.*s", SLICE_FMT(c->body_err));
        return NULL;
    }
    return c->body_json;
}

/* The body as values (value_json.c), for a read that follows simple steps; NULL after rc_fail. A document
 * already handed to the template is read again: Jayway parses the body for every $input.path, so what one
 * call returned and the template changed must not show in the next. */
const vval *apigw_body_values(rctx *c)
{
    if (c->doc_state == 0 || c->doc_state == 2) {
        if (c->env->body_json != NULL) { /* already parsed: converting the tree beats writing and reading text */
            c->doc = v_from_json(c->a, c->env->body_json);
            c->doc_state = 1;
            return &c->doc;
        }
        aws_error e;
        error_clear(&e);
        if (v_parse_json(c->a, c->env->body.len != 0 ? c->env->body : body_text(c), &c->doc, &e) != 0) {
            rc_fail(c, 400, "BadRequestException", "Could not process payload: %s", e.message);
            return NULL;
        }
        c->doc_state = 1;
    }
    return &c->doc;
}

static input_path *input_path_new(arena *a, slice arg, const jsonpath *p, bool json)
{
    int n = jsonpath_simple_length(p);
    input_path *ip = arena_alloc(a, sizeof(*ip) + (n > 0 ? (size_t)n : 0) * sizeof(input_step));
    ip->path = p;
    ip->arg = arg;
    ip->json = json;
    ip->nsteps = n;
    for (int i = 0; i < n; i++)
        jsonpath_simple_step(p, (size_t)i, &ip->steps[i].name, &ip->steps[i].index);
    ip->member = !json && n == 1 && ip->steps[0].index == -1;
    return ip;
}

/* Follows a simple path's steps through the body's values. Returns 1 with *out set, 0 when the steps leave the
 * happy case (a missing name, a kind that does not fit, an index out of range, a null document) and
 * jsonpath_eval must decide, -1 after rc_fail. */
static int read_simple(rctx *c, const input_path *ip, vval *out)
{
    const vval *root = apigw_body_values(c);
    if (root == NULL)
        return -1;
    vval cur = *root;
    if (cur.kind == V_NULL)
        return 0;
    for (int i = 0; i < ip->nsteps; i++) {
        const input_step *st = &ip->steps[i];
        if (st->index == -1) {
            if (cur.kind != V_MAP)
                return 0;
            long at = vmap_find_str(cur.u.m, st->name);
            if (at < 0)
                return 0;
            cur = cur.u.m->vals[at];
        } else {
            if (cur.kind != V_LIST || st->index < 0 || (size_t)st->index >= cur.u.l->n)
                return 0;
            cur = cur.u.l->items[st->index];
        }
    }
    *out = cur;
    return 1;
}

/* $input.path / $input.json through read_simple when the path allows: 1 with *out, 0 to take the general
 * route, -1 after rc_fail. Containers handed out mark the document as handed out. */
static int path_fast(rctx *c, const input_path *ip, bool hand_out, vval *out)
{
    if (ip == NULL || ip->nsteps < 0 || (!hand_out && c->doc_state == 2))
        return 0;
    int r = read_simple(c, ip, out);
    if (r == 1 && hand_out && (out->kind == V_MAP || out->kind == V_LIST))
        c->doc_state = 2;
    return r;
}

/* JSONPATH_FOUND / NOT_FOUND, or -1 after rc_fail */
static int read_path(rctx *c, slice path, json_t **out)
{
    json_t *root = body_json(c);
    if (!root)
        return -1;
    if (json_is_null(root)) { /* the body "null": Jayway refuses a null document */
        rc_fail(c, 500, "InternalServerErrorException",
                "java.lang.IllegalArgumentException: json object can not be null");
        return -1;
    }
    aws_error e;
    error_clear(&e);
    int r = jsonpath_read(c->a, path, root, out, &e);
    if (r < 0) {
        rc_fail(c, e.status ? e.status : 500, e.type ? e.type : "InternalServerErrorException", "%s", e.message);
        return -1;
    }
    return r;
}

/* Java's String.hashCode over the UTF-16 form (ASCII and BMP characters; enough for parameter names). */
static uint32_t java_hash(slice s)
{
    uint32_t h = 0;
    for (size_t i = 0; i < s.len;) {
        unsigned char ch = (unsigned char)s.ptr[i];
        uint32_t cp = ch;
        size_t l = ch < 0x80 ? 1 : ch < 0xE0 ? 2 : ch < 0xF0 ? 3 : 4;
        if (l == 2 && i + 1 < s.len)
            cp = ((ch & 0x1Fu) << 6) | (s.ptr[i + 1] & 0x3F);
        else if (l == 3 && i + 2 < s.len)
            cp = ((ch & 0x0Fu) << 12) | ((s.ptr[i + 1] & 0x3Fu) << 6) | (s.ptr[i + 2] & 0x3F);
        if (l == 4 && i + 3 < s.len) {
            cp = ((ch & 0x07u) << 18) | ((s.ptr[i + 1] & 0x3Fu) << 12) | ((s.ptr[i + 2] & 0x3Fu) << 6) |
                 (s.ptr[i + 3] & 0x3F);
            cp -= 0x10000;
            h = h * 31u + (0xD800u + (cp >> 10));
            h = h * 31u + (0xDC00u + (cp & 0x3FF));
        } else {
            h = h * 31u + cp;
        }
        i += l;
    }
    return h;
}

/* $input.params() maps iterate in java.util.HashMap order (what the reference renderer shows: the
 * request's parameters arrive as a HashMap): by bucket of the spread hash, then insertion order. */
static vval params_map_hashed(rctx *c, vtl_pairs p)
{
    size_t cap = 16;
    while ((double)p.count > 0.75 * (double)cap)
        cap *= 2;
    vmap *m = vmap_new(c->a, p.count);
    for (size_t b = 0; b < cap; b++)
        for (size_t i = 0; i < p.count; i++) {
            uint32_t h = java_hash(p.items[i].name);
            if (((h ^ (h >> 16)) & (cap - 1)) == b)
                vmap_put(c->a, m, v_str(p.items[i].name), v_str(p.items[i].value));
        }
    return (vval){.kind = V_MAP, .u.m = m};
}

static vval params_map(rctx *c, vtl_pairs p)
{
    vmap *m = vmap_new(c->a, p.count);
    for (size_t i = 0; i < p.count; i++)
        vmap_put(c->a, m, v_str(p.items[i].name), v_str(p.items[i].value));
    return (vval){.kind = V_MAP, .u.m = m};
}

void apigw_precompile(vnode *n, arena *a)
{
    if (n == NULL)
        return;
    if (n->kind == E_REF && slice_eq_cstr(n->text, "input") && n->nkids > 0) {
        vnode *m = n->kids[0];
        bool json = slice_eq_cstr(m->text, "json");
        if (m->kind == E_METHOD && m->nkids == 1 && m->kids[0]->kind == E_STRING &&
            (slice_eq_cstr(m->text, "path") || json)) {
            jsonpath *p;
            aws_error e;
            error_clear(&e);
            if (jsonpath_compile(a, m->kids[0]->text, &p, &e) == 0) {
                m->path = input_path_new(a, m->kids[0]->text, p, json);
                if (n->nkids == 1 && !(n->flags & NF_RUNT))
                    n->hint |= RH_INPUT_CONST;
            }
        }
    }
    for (uint32_t i = 0; i < n->nkids; i++)
        apigw_precompile(n->kids[i], a);
}

/* The path to read: the one compiled with the template when the argument is that constant, else compiled
 * now (NULL when it does not compile: the general route reports the error in its order). */
static const input_path *path_for(rctx *c, slice arg, const input_path *pre)
{
    if (pre)
        return pre;
    jsonpath *p;
    aws_error e;
    error_clear(&e);
    return jsonpath_compile(c->a, arg, &p, &e) == 0 ? input_path_new(c->a, arg, p, false) : NULL;
}

/* $input.path(arg) */
static vval input_path_value(rctx *c, slice arg, const input_path *ip)
{
    vval fast;
    int fr = path_fast(c, ip, true, &fast);
    if (fr < 0)
        return v_null();
    if (fr == 1)
        return fast.kind == V_NULL ? v_str(SLICE_NULL) : fast;
    json_t *v = NULL;
    int r = read_path(c, arg, &v);
    if (r < 0)
        return v_null();
    if (r == JSONPATH_NOT_FOUND || v == NULL || json_is_null(v))
        return v_str(SLICE_NULL);
    return v_from_json(c->a, v);
}

/* $input.json(arg) */
static vval input_json_value(rctx *c, slice arg, const input_path *ip)
{
    vval fast;
    int fr = path_fast(c, ip, false, &fast);
    if (fr < 0)
        return v_null();
    jutil_buf b;
    if (fr == 1) { /* json-smart's writer over the same values prints what jutil_json_write prints */
        jutil_buf_init(&b, c->a, 64);
        v_print_json(&b, fast, JUTIL_JSON_LT_COMPRESS);
        return v_str(jutil_buf_slice(&b));
    }
    json_t *v = NULL;
    int r = read_path(c, arg, &v);
    if (r < 0)
        return v_null();
    if (r == JSONPATH_NOT_FOUND)
        return v_str(SLICE_LIT("\"\""));
    jutil_buf_init(&b, c->a, 64);
    jutil_json_write(&b, v, JUTIL_JSON_LT_COMPRESS);
    return v_str(jutil_buf_slice(&b));
}

vval apigw_input_const_general(rctx *c, const input_path *ip)
{
    vval v = ip->json ? input_json_value(c, ip->arg, ip) : input_path_value(c, ip->arg, ip);
    return v.kind == V_NULL ? v_str(SLICE_NULL) : v;
}

slice apigw_param(const vtl_env *env, slice name)
{
    const vtl_pairs *lists[] = {&env->path, &env->querystring, &env->header};
    for (int l = 0; l < 3; l++)
        for (size_t i = 0; i < lists[l]->count; i++)
            if (slice_eq(lists[l]->items[i].name, name))
                return lists[l]->items[i].value;
    return SLICE_NULL;
}

mresult apigw_input(rctx *c, slice name, vval *args, uint32_t n, const input_path *pre)
{
    if (n == 0 && (slice_eq_cstr(name, "body") || slice_eq_cstr(name, "getBody")))
        return found(v_str(body_text(c)));
    if (n == 0 && slice_eq_cstr(name, "params")) {
        vmap *m = vmap_new(c->a, 3);
        vmap_put(c->a, m, v_str(SLICE_LIT("path")), params_map_hashed(c, c->env->path));
        vmap_put(c->a, m, v_str(SLICE_LIT("querystring")), params_map_hashed(c, c->env->querystring));
        vmap_put(c->a, m, v_str(SLICE_LIT("header")), params_map_hashed(c, c->env->header));
        return found((vval){.kind = V_MAP, .u.m = m});
    }
    if (n != 1 || args[0].kind != V_STRING)
        return NOT_FOUND;
    slice arg = v_s(args[0]);
    if (slice_eq_cstr(name, "params"))
        return found(v_str(apigw_param(c->env, arg)));
    if (slice_eq_cstr(name, "path"))
        return found(input_path_value(c, arg, path_for(c, arg, pre)));
    if (slice_eq_cstr(name, "json"))
        return found(input_json_value(c, arg, path_for(c, arg, pre)));
    return NOT_FOUND;
}

mresult apigw_util(rctx *c, slice name, vval *args, uint32_t n)
{
    if (n != 1)
        return NOT_FOUND;
    vval x = args[0];
    jutil_buf b;
    jutil_buf_init(&b, c->a, 64);
    aws_error e;
    error_clear(&e);
    if (slice_eq_cstr(name, "escapeJavaScript")) {
        if (x.kind == V_NULL)
            return found(v_str(SLICE_NULL));
        jutil_escape_javascript(&b, v_to_string(c, x));
        return found(v_str(jutil_buf_slice(&b)));
    }
    if (slice_eq_cstr(name, "base64Encode")) {
        jutil_base64_encode(&b, x.kind == V_NULL ? SLICE_LIT("null") : v_to_string(c, x));
        return found(v_str(jutil_buf_slice(&b)));
    }
    if (x.kind != V_STRING && x.kind != V_NULL)
        return NOT_FOUND;
    if (x.kind == V_NULL) {
        rc_fail(c, 500, "InternalServerErrorException",
                "Invocation of method '%.*s' threw java.lang.NullPointerException", SLICE_FMT(name));
        return found(v_null());
    }
    slice s = v_s(x);
    if (slice_eq_cstr(name, "urlEncode")) {
        jutil_url_encode(&b, s);
        return found(v_str(jutil_buf_slice(&b)));
    }
    int rc = 0;
    if (slice_eq_cstr(name, "urlDecode"))
        rc = jutil_url_decode(&b, s, &e);
    else if (slice_eq_cstr(name, "base64Decode"))
        rc = jutil_base64_decode(&b, s, &e);
    else if (slice_eq_cstr(name, "parseJson")) {
        vval j;
        if (v_parse_json(c->a, s, &j, &e) < 0) {
            rc_fail(c, 500, "InternalServerErrorException", "Invocation of method 'parseJson' threw exception: %s",
                    e.message);
            return found(v_null());
        }
        return found(j);
    } else
        return NOT_FOUND;
    if (rc < 0) {
        rc_fail(c, 500, "InternalServerErrorException", "Invocation of method '%.*s' threw exception: %s",
                SLICE_FMT(name), e.message);
        return found(v_null());
    }
    return found(v_str(jutil_buf_slice(&b)));
}

static vval map_with(rctx *c, const char *k1, vval v1, const char *k2, vval v2, const char *k3, vval v3)
{
    vmap *m = vmap_new(c->a, 4);
    if (k1)
        vmap_put(c->a, m, v_str(slice_cstr(k1)), v1);
    if (k2)
        vmap_put(c->a, m, v_str(slice_cstr(k2)), v2);
    if (k3)
        vmap_put(c->a, m, v_str(slice_cstr(k3)), v3);
    return (vval){.kind = V_MAP, .u.m = m};
}

vval apigw_context(rctx *c)
{
    if (c->env->context == NULL && c->env->context_of != NULL)
        c->env->context = c->env->context_of(c->env->context_user);
    vval ctx = c->env->context && json_is_object(c->env->context) ? v_from_json(c->a, c->env->context)
                                                                  : (vval){.kind = V_MAP, .u.m = vmap_new(c->a, 8)};
    if (ctx.kind != V_MAP)
        ctx = (vval){.kind = V_MAP, .u.m = vmap_new(c->a, 8)};
    vtl_overrides *o = &c->env->overrides;
    vval req = map_with(c, "header", params_map(c, o->request_header), "path", params_map(c, o->request_path),
                        "querystring", params_map(c, o->request_querystring));
    vval resp = map_with(c, "header", params_map(c, o->response_header), NULL, v_null(), NULL, v_null());
    if (o->response_status)
        vmap_put(c->a, resp.u.m, v_str(SLICE_LIT("status")), v_integral(o->response_status));
    vmap_put(c->a, ctx.u.m, v_str(SLICE_LIT("requestOverride")), req);
    vmap_put(c->a, ctx.u.m, v_str(SLICE_LIT("responseOverride")), resp);
    return ctx;
}

bool apigw_context_scalar(rctx *c, slice name, vval *out)
{
    if (c->env->context == NULL && c->env->context_of != NULL)
        c->env->context = c->env->context_of(c->env->context_user);
    const json_t *ctx = c->env->context;
    if (ctx == NULL || !json_is_object(ctx))
        return false;
    const json_t *m = json_object_getn(ctx, name.ptr, name.len);
    /* strings, numbers and booleans are immutable: converting one alone gives what the whole map would hold;
     * maps and lists could be changed by the template and must be the map's own */
    if (m == NULL || !(json_is_string(m) || json_is_number(m) || json_is_boolean(m)))
        return false;
    *out = v_from_json(c->a, m);
    return true;
}

static vtl_pairs pairs_of(rctx *c, vval m)
{
    vtl_pairs p = {0};
    if (m.kind != V_MAP)
        return p;
    vtl_pair *items = arena_alloc(c->a, (m.u.m->n + 1) * sizeof(vtl_pair));
    size_t k = 0;
    for (size_t i = 0; i < m.u.m->n; i++) {
        if (m.u.m->vals[i].kind == V_NULL)
            continue;
        /* copies: a string read from the body points into it, and the overrides outlive the render */
        items[k].name = arena_slice_dup(c->a, v_to_string(c, m.u.m->keys[i]));
        items[k].value = arena_slice_dup(c->a, v_to_string(c, m.u.m->vals[i]));
        k++;
    }
    p.items = items;
    p.count = k;
    return p;
}

static vval get(vval m, const char *k)
{
    if (m.kind != V_MAP)
        return v_null();
    long i = vmap_find_str(m.u.m, slice_cstr(k));
    return i >= 0 ? m.u.m->vals[i] : v_null();
}

void apigw_overrides_out(rctx *c)
{
    vtl_overrides *in = &c->env->overrides;
    if (c->context.kind != V_MAP) {
        /* $context never read: the overrides are what came in, with repeated names merged as the maps
         * would have merged them */
        if (in->request_header.count == 0 && in->request_path.count == 0 && in->request_querystring.count == 0 &&
            in->response_header.count == 0)
            return;
        c->context = apigw_context(c);
    }
    vval req = get(c->context, "requestOverride"), resp = get(c->context, "responseOverride");
    vtl_overrides *o = &c->env->overrides;
    o->request_header = pairs_of(c, get(req, "header"));
    o->request_path = pairs_of(c, get(req, "path"));
    o->request_querystring = pairs_of(c, get(req, "querystring"));
    o->response_header = pairs_of(c, get(resp, "header"));
    vval st = get(resp, "status");
    o->response_status = 0;
    if (st.kind == V_INT || st.kind == V_LONG)
        o->response_status = (int)st.u.i;
    else if (st.kind == V_STRING) {
        int v = 0;
        size_t i = 0;
        for (; i < st.len && i < 4 && st.u.str[i] >= '0' && st.u.str[i] <= '9'; i++)
            v = v * 10 + (st.u.str[i] - '0');
        if (i == st.len && i > 0)
            o->response_status = v;
    }
}
