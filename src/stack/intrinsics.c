/* CloudFormation's intrinsic functions, condition functions, references and AWS::Include. */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/base64.h"
#include "core/json.h"
#include "stack/loader.h"

bool cfn_is_true(const json_t *v)
{
    if (json_is_true(v))
        return true;
    if (json_is_string(v))
        return strcasecmp(json_string_value(v), "true") == 0;
    return false;
}

const char *cfn_string(loader *L, json_t *v, const char *what)
{
    if (json_is_string(v))
        return json_string_value(v);
    if (json_is_integer(v))
        return scratch_printf(L, "%lld", (long long)json_integer_value(v));
    if (json_is_real(v))
        return scratch_printf(L, "%.17g", json_real_value(v));
    if (json_is_boolean(v))
        return json_is_true(v) ? "true" : "false";
    loader_fail(L, "%s must be a string", what);
    return NULL;
}

cfn_resource *cfn_find_resource(loader *L, const char *logical_id)
{
    for (size_t i = 0; i < L->resource_count; i++)
        if (strcmp(L->resources[i].logical_id, logical_id) == 0)
            return &L->resources[i];
    return NULL;
}

/* The one key of a single-key object, when it names a function. */
static const char *function_key(json_t *v)
{
    if (!json_is_object(v) || json_object_size(v) != 1)
        return NULL;
    const char *k = json_object_iter_key(json_object_iter(v));
    if (strcmp(k, "Ref") == 0 || strncmp(k, "Fn::", 4) == 0)
        return k;
    return NULL;
}

static const char *pseudo(loader *L, const char *name, json_t **list)
{
    *list = NULL;
    if (strcmp(name, "AWS::Region") == 0)
        return L->region;
    if (strcmp(name, "AWS::AccountId") == 0)
        return L->account;
    if (strcmp(name, "AWS::StackName") == 0)
        return L->stack_name;
    if (strcmp(name, "AWS::Partition") == 0)
        return L->partition;
    if (strcmp(name, "AWS::URLSuffix") == 0)
        return L->url_suffix;
    if (strcmp(name, "AWS::StackId") == 0)
        return scratch_printf(L, "arn:%s:cloudformation:%s:%s:stack/%s/%s", L->partition, L->region, L->account,
                              L->stack_name, loader_gen_id(L, 36, false, "stack-id", NULL));
    if (strcmp(name, "AWS::NotificationARNs") == 0) {
        *list = json_array();
        return "";
    }
    return NULL;
}

const char *cfn_physical_id(loader *L, cfn_resource *r)
{
    if (r->id_state == RES_DONE)
        return r->physical_id;
    if (r->id_state == RES_RESOLVING) {
        loader_fail(L, "circular dependency: the name of resource %s depends on itself", r->logical_id);
        return NULL;
    }
    r->id_state = RES_RESOLVING;
    const char *t = r->type, *name_prop = NULL, *id = NULL;
    size_t id_len = 0;
    bool gen_name = false;
    if (strcmp(t, "AWS::DynamoDB::Table") == 0 || strcmp(t, "AWS::Serverless::SimpleTable") == 0)
        name_prop = "TableName", gen_name = true;
    else if (strcmp(t, "AWS::IAM::Role") == 0)
        name_prop = "RoleName", gen_name = true;
    else if (strcmp(t, "AWS::ApiGateway::Model") == 0)
        name_prop = "Name", gen_name = true;
    else if (strcmp(t, "AWS::ApiGateway::Stage") == 0)
        name_prop = "StageName";
    else if (strcmp(t, "AWS::ApiGateway::RestApi") == 0 || strcmp(t, "AWS::Serverless::Api") == 0 ||
             strcmp(t, "AWS::ApiGateway::ApiKey") == 0)
        id_len = 10;
    else if (strncmp(t, "AWS::ApiGateway::", 17) == 0)
        id_len = 6;
    else
        gen_name = true;

    if (name_prop != NULL) {
        json_t *raw = json_object_get(r->props, name_prop);
        if (raw != NULL) {
            const char *saved_res = L->where_resource;
            size_t saved_len = L->where_len;
            L->where_resource = scratch_printf(L, "Resource %s", r->logical_id);
            L->where_len = 0;
            L->where_prop[0] = '\0';
            size_t s;
            loader_where_push(L, name_prop, &s);
            json_t *v = cfn_resolve(L, raw);
            if (v != NULL && v != L->novalue)
                id = cfn_string(L, v, name_prop);
            else if (v == L->novalue)
                raw = NULL;
            if (v != NULL)
                json_decref(v);
            loader_where_pop(L, s);
            if (id == NULL && raw != NULL)
                return NULL;
            L->where_resource = saved_res;
            L->where_len = saved_len;
        }
    }
    if (id == NULL && id_len > 0)
        id = loader_gen_id(L, id_len, false, r->logical_id, NULL);
    if (id == NULL && gen_name)
        id = loader_gen_name(L, r->logical_id, strcmp(t, "AWS::IAM::Role") == 0 ? 64 : 255);
    if (id == NULL)
        id = r->logical_id;
    r->physical_id = id;
    r->id_state = RES_DONE;
    return id;
}

json_t *cfn_resource_props(loader *L, cfn_resource *r)
{
    if (r->props_state == RES_DONE)
        return r->resolved;
    if (r->props_state == RES_RESOLVING) {
        loader_fail(L, "circular dependency: resource %s refers to itself", r->logical_id);
        return NULL;
    }
    r->props_state = RES_RESOLVING;
    const char *saved_res = L->where_resource;
    char saved_prop[sizeof(L->where_prop)];
    size_t saved_len = L->where_len;
    memcpy(saved_prop, L->where_prop, sizeof(saved_prop));
    L->where_resource = scratch_printf(L, "Resource %s", r->logical_id);
    L->where_len = 0;
    L->where_prop[0] = '\0';
    json_t *v = cfn_resolve(L, r->props);
    if (v == NULL)
        return NULL; /* keep the location of the error */
    if (v == L->novalue) {
        json_decref(v);
        v = json_object();
    }
    L->where_resource = saved_res;
    L->where_len = saved_len;
    memcpy(L->where_prop, saved_prop, sizeof(saved_prop));
    r->resolved = v;
    r->props_state = RES_DONE;
    return v;
}

static const char *service_of(const char *type)
{
    /* "AWS::Lambda::Function" -> "lambda" */
    const char *p = strstr(type, "::");
    if (p == NULL)
        return "unknown";
    p += 2;
    const char *q = strstr(p, "::");
    size_t n = q != NULL ? (size_t)(q - p) : strlen(p);
    static _Thread_local char buf[64];
    if (n >= sizeof(buf))
        n = sizeof(buf) - 1;
    for (size_t i = 0; i < n; i++)
        buf[i] = (char)tolower((unsigned char)p[i]);
    buf[n] = '\0';
    return buf;
}

static json_t *get_att(loader *L, const char *res_name, const char *attr)
{
    cfn_resource *r = cfn_find_resource(L, res_name);
    if (r == NULL) {
        loader_fail(L, "Fn::GetAtt refers to unknown resource %s", res_name);
        return NULL;
    }
    if (!r->created) {
        loader_fail(L, "Fn::GetAtt refers to resource %s, which is not created (its Condition is false)", res_name);
        return NULL;
    }
    const char *id = cfn_physical_id(L, r);
    if (id == NULL)
        return NULL;
    const char *t = r->type;
    if (strcmp(t, "AWS::DynamoDB::Table") == 0 || strcmp(t, "AWS::Serverless::SimpleTable") == 0) {
        const char *arn = scratch_printf(L, "arn:%s:dynamodb:%s:%s:table/%s", L->partition, L->region, L->account, id);
        if (strcmp(attr, "Arn") == 0)
            return json_string(arn);
        if (strcmp(attr, "StreamArn") == 0)
            return json_string(scratch_printf(L, "%s/stream/1970-01-01T00:00:00.000", arn));
        if (strcmp(attr, "TableId") == 0)
            return json_string(loader_gen_id(L, 32, false, r->logical_id, "table-id"));
    } else if (strcmp(t, "AWS::IAM::Role") == 0) {
        if (strcmp(attr, "Arn") == 0) {
            json_t *props = r->props;
            json_t *path = json_object_get(props, "Path");
            const char *p = json_is_string(path) ? json_string_value(path) : "/";
            return json_string(scratch_printf(L, "arn:%s:iam::%s:role%s%s", L->partition, L->account, p, id));
        }
        if (strcmp(attr, "RoleId") == 0)
            return json_string(scratch_printf(L, "AROA%s", loader_gen_id(L, 17, true, r->logical_id, "role-id")));
    } else if (strcmp(t, "AWS::ApiGateway::RestApi") == 0 || strcmp(t, "AWS::Serverless::Api") == 0) {
        if (strcmp(attr, "RootResourceId") == 0)
            return json_string(loader_gen_id(L, 10, false, r->logical_id, "/"));
        if (strcmp(attr, "RestApiId") == 0)
            return json_string(id);
    } else if (strcmp(t, "AWS::ApiGateway::Resource") == 0) {
        if (strcmp(attr, "ResourceId") == 0)
            return json_string(id);
    } else if (strcmp(t, "AWS::ApiGateway::ApiKey") == 0) {
        if (strcmp(attr, "APIKeyId") == 0)
            return json_string(id);
    } else if (strcmp(t, "AWS::ApiGateway::UsagePlan") == 0) {
        if (strcmp(attr, "Id") == 0)
            return json_string(id);
    } else if (strcmp(t, "AWS::ApiGateway::RequestValidator") == 0) {
        if (strcmp(attr, "RequestValidatorId") == 0)
            return json_string(id);
    } else if (strcmp(t, "AWS::ApiGateway::Deployment") == 0) {
        if (strcmp(attr, "DeploymentId") == 0)
            return json_string(id);
    } else {
        /* A resource Portico does not run: any attribute, with a plausible value. */
        if (strcmp(attr, "Arn") == 0)
            return json_string(scratch_printf(L, "arn:%s:%s:%s:%s:%s%s", L->partition, service_of(t), L->region,
                                              L->account, strcmp(t, "AWS::Lambda::Function") == 0 ? "function:" : "",
                                              id));
        return json_string(scratch_printf(L, "%s.%s", id, attr));
    }
    loader_fail(L, "Fn::GetAtt: resource %s (%s) has no attribute %s", res_name, t, attr);
    return NULL;
}

static json_t *ref(loader *L, const char *name)
{
    json_t *list;
    if (strcmp(name, "AWS::NoValue") == 0)
        return json_incref(L->novalue);
    const char *p = pseudo(L, name, &list);
    if (list != NULL)
        return list;
    if (p != NULL)
        return json_string(p);
    json_t *param = json_object_get(L->params, name);
    if (param != NULL)
        return json_incref(param);
    cfn_resource *r = cfn_find_resource(L, name);
    if (r == NULL) {
        loader_fail(L, "Ref refers to unknown resource or parameter %s", name);
        return NULL;
    }
    if (!r->created) {
        loader_fail(L, "Ref refers to resource %s, which is not created (its Condition is false)", name);
        return NULL;
    }
    const char *id = cfn_physical_id(L, r);
    return id != NULL ? json_string(id) : NULL;
}

/* Resolves the argument and insists on a string. */
static const char *arg_string(loader *L, json_t *arg, const char *fn)
{
    json_t *v = cfn_resolve(L, arg);
    if (v == NULL)
        return NULL;
    const char *s = NULL;
    if (v == L->novalue)
        loader_fail(L, "%s: AWS::NoValue where a string is needed", fn);
    else if (json_is_string(v) || json_is_number(v) || json_is_boolean(v))
        s = cfn_string(L, v, fn);
    else
        loader_fail(L, "%s needs a string here", fn);
    if (s != NULL && json_is_string(v))
        s = scratch_printf(L, "%s", s);
    json_decref(v);
    return s;
}

static json_t *arg_list(loader *L, json_t *arg, const char *fn)
{
    json_t *v = cfn_resolve(L, arg);
    if (v == NULL)
        return NULL;
    if (!json_is_array(v)) {
        json_decref(v);
        loader_fail(L, "%s needs a list here", fn);
        return NULL;
    }
    return v;
}

static json_t *fn_sub(loader *L, json_t *arg)
{
    json_t *tmpl_v = arg, *vars = NULL;
    if (json_is_array(arg)) {
        if (json_array_size(arg) != 2 || !json_is_object(json_array_get(arg, 1))) {
            loader_fail(L, "Fn::Sub takes a string or [string, {variables}]");
            return NULL;
        }
        tmpl_v = json_array_get(arg, 0);
        vars = json_array_get(arg, 1);
    }
    const char *tmpl = arg_string(L, tmpl_v, "Fn::Sub");
    if (tmpl == NULL)
        return NULL;
    size_t cap = strlen(tmpl) + 64, len = 0;
    char *out = malloc(cap);
    if (out == NULL)
        return NULL;
    const char *p = tmpl;
    json_t *result = NULL;
    while (*p) {
        const char *piece = NULL;
        size_t piece_len = 0;
        const char *next = p + 1;
        if (p[0] == '$' && p[1] == '{') {
            const char *close = strchr(p + 2, '}');
            if (close == NULL) {
                piece = p, piece_len = strlen(p), next = p + piece_len;
            } else if (p[2] == '!') {
                /* ${!Literal} stands for the text ${Literal} */
                out[len] = 0;
                piece = NULL;
                size_t n = (size_t)(close - (p + 3));
                const char *lit = scratch_printf(L, "${%.*s}", (int)n, p + 3);
                piece = lit, piece_len = strlen(lit), next = close + 1;
            } else {
                const char *b = p + 2, *e = close;
                while (b < e && isspace((unsigned char)*b))
                    b++;
                while (e > b && isspace((unsigned char)e[-1]))
                    e--;
                char *name = scratch_printf(L, "%.*s", (int)(e - b), b);
                json_t *val = NULL;
                json_t *var = vars != NULL ? json_object_get(vars, name) : NULL;
                size_t s;
                loader_where_push(L, name, &s);
                if (var != NULL) {
                    val = cfn_resolve(L, var);
                } else if (strchr(name, '.') != NULL && strncmp(name, "AWS::", 5) != 0) {
                    char *dot = strchr(name, '.');
                    *dot = '\0';
                    val = get_att(L, name, dot + 1);
                } else {
                    val = ref(L, name);
                }
                loader_where_pop(L, s);
                if (val == NULL)
                    goto out;
                if (val == L->novalue || !(json_is_string(val) || json_is_number(val) || json_is_boolean(val))) {
                    json_decref(val);
                    loader_fail(L, "Fn::Sub: ${%s} is not a string", name);
                    goto out;
                }
                piece = cfn_string(L, val, "Fn::Sub variable");
                if (piece != NULL && json_is_string(val))
                    piece = scratch_printf(L, "%s", piece);
                json_decref(val);
                if (piece == NULL)
                    goto out;
                piece_len = strlen(piece);
                next = close + 1;
            }
        } else {
            piece = p, piece_len = 1;
        }
        if (len + piece_len + 1 > cap) {
            if (len + piece_len > LOADER_MAX_STRING) {
                loader_fail(L, "Fn::Sub result is too long");
                goto out;
            }
            while (len + piece_len + 1 > cap)
                cap *= 2;
            char *n = realloc(out, cap);
            if (n == NULL)
                goto out;
            out = n;
        }
        memcpy(out + len, piece, piece_len);
        len += piece_len;
        p = next;
    }
    result = json_stringn(out, len);
out:
    free(out);
    return result;
}

static json_t *fn_join(loader *L, json_t *arg)
{
    if (!json_is_array(arg) || json_array_size(arg) != 2) {
        loader_fail(L, "Fn::Join takes [delimiter, [values]]");
        return NULL;
    }
    const char *delim = arg_string(L, json_array_get(arg, 0), "Fn::Join delimiter");
    if (delim == NULL)
        return NULL;
    json_t *list = arg_list(L, json_array_get(arg, 1), "Fn::Join");
    if (list == NULL)
        return NULL;
    size_t total = 0, dl = strlen(delim), i;
    json_t *v;
    const char **parts = arena_alloc(&L->scratch, (json_array_size(list) + 1) * sizeof(char *));
    json_array_foreach(list, i, v)
    {
        parts[i] = (json_is_string(v) || json_is_number(v) || json_is_boolean(v)) ? cfn_string(L, v, "Fn::Join") : NULL;
        if (parts[i] == NULL) {
            json_decref(list);
            loader_fail(L, "Fn::Join: element %zu is not a string", i);
            return NULL;
        }
        total += strlen(parts[i]) + dl;
        if (total > LOADER_MAX_STRING) {
            json_decref(list);
            loader_fail(L, "Fn::Join result is too long");
            return NULL;
        }
    }
    char *buf = arena_alloc(&L->scratch, total + 1);
    size_t len = 0;
    for (size_t k = 0; k < json_array_size(list); k++) {
        if (k > 0)
            memcpy(buf + len, delim, dl), len += dl;
        size_t n = strlen(parts[k]);
        memcpy(buf + len, parts[k], n);
        len += n;
    }
    json_decref(list);
    return json_stringn(buf, len);
}

static json_t *fn_select(loader *L, json_t *arg)
{
    if (!json_is_array(arg) || json_array_size(arg) != 2) {
        loader_fail(L, "Fn::Select takes [index, [values]]");
        return NULL;
    }
    const char *idx_s = arg_string(L, json_array_get(arg, 0), "Fn::Select index");
    if (idx_s == NULL)
        return NULL;
    char *end;
    long idx = strtol(idx_s, &end, 10);
    if (*idx_s == '\0' || *end != '\0' || idx < 0) {
        loader_fail(L, "Fn::Select: index %s is not a non-negative integer", idx_s);
        return NULL;
    }
    json_t *list = arg_list(L, json_array_get(arg, 1), "Fn::Select");
    if (list == NULL)
        return NULL;
    if ((size_t)idx >= json_array_size(list)) {
        loader_fail(L, "Fn::Select: index %ld is out of range (the list has %zu elements)", idx, json_array_size(list));
        json_decref(list);
        return NULL;
    }
    json_t *v = json_incref(json_array_get(list, (size_t)idx));
    json_decref(list);
    return v;
}

static json_t *fn_split(loader *L, json_t *arg)
{
    if (!json_is_array(arg) || json_array_size(arg) != 2) {
        loader_fail(L, "Fn::Split takes [delimiter, string]");
        return NULL;
    }
    const char *delim = arg_string(L, json_array_get(arg, 0), "Fn::Split delimiter");
    if (delim == NULL)
        return NULL;
    const char *s = arg_string(L, json_array_get(arg, 1), "Fn::Split");
    if (s == NULL)
        return NULL;
    size_t dl = strlen(delim);
    if (dl == 0) {
        loader_fail(L, "Fn::Split: the delimiter is empty");
        return NULL;
    }
    json_t *out = json_array();
    const char *p = s;
    for (;;) {
        const char *q = strstr(p, delim);
        if (q == NULL) {
            json_array_append_new(out, json_string(p));
            break;
        }
        json_array_append_new(out, json_stringn(p, (size_t)(q - p)));
        p = q + dl;
    }
    return out;
}

static json_t *fn_find_in_map(loader *L, json_t *arg)
{
    if (!json_is_array(arg) || json_array_size(arg) < 3 || json_array_size(arg) > 4) {
        loader_fail(L, "Fn::FindInMap takes [MapName, TopLevelKey, SecondLevelKey]");
        return NULL;
    }
    const char *keys[3];
    for (size_t i = 0; i < 3; i++)
        if ((keys[i] = arg_string(L, json_array_get(arg, i), "Fn::FindInMap")) == NULL)
            return NULL;
    json_t *map = json_object_get(L->mappings, keys[0]);
    json_t *top = map != NULL ? json_object_get(map, keys[1]) : NULL;
    json_t *v = top != NULL ? json_object_get(top, keys[2]) : NULL;
    if (v == NULL) {
        json_t *dflt = json_array_size(arg) == 4 ? json_object_get(json_array_get(arg, 3), "DefaultValue") : NULL;
        if (dflt != NULL)
            return cfn_resolve(L, dflt);
        if (map == NULL)
            loader_fail(L, "Fn::FindInMap: unknown mapping %s", keys[0]);
        else if (top == NULL)
            loader_fail(L, "Fn::FindInMap: mapping %s has no key %s", keys[0], keys[1]);
        else
            loader_fail(L, "Fn::FindInMap: mapping %s, key %s has no key %s", keys[0], keys[1], keys[2]);
        return NULL;
    }
    return cfn_resolve(L, v);
}

static json_t *fn_base64(loader *L, json_t *arg)
{
    const char *s = arg_string(L, arg, "Fn::Base64");
    if (s == NULL)
        return NULL;
    slice raw = slice_cstr(s);
    char *out = arena_alloc(&L->scratch, base64_encoded_len(raw.len));
    return json_stringn(out, base64_encode_into(out, raw));
}

static json_t *fn_get_azs(loader *L, json_t *arg)
{
    const char *region = arg_string(L, arg, "Fn::GetAZs");
    if (region == NULL)
        return NULL;
    if (*region == '\0')
        region = L->region;
    json_t *out = json_array();
    for (char c = 'a'; c <= 'c'; c++)
        json_array_append_new(out, json_string(scratch_printf(L, "%s%c", region, c)));
    return out;
}

static json_t *fn_cidr(loader *L, json_t *arg)
{
    if (!json_is_array(arg) || json_array_size(arg) != 3) {
        loader_fail(L, "Fn::Cidr takes [ipBlock, count, cidrBits]");
        return NULL;
    }
    const char *block = arg_string(L, json_array_get(arg, 0), "Fn::Cidr ipBlock");
    const char *count_s = block ? arg_string(L, json_array_get(arg, 1), "Fn::Cidr count") : NULL;
    const char *bits_s = count_s ? arg_string(L, json_array_get(arg, 2), "Fn::Cidr cidrBits") : NULL;
    if (bits_s == NULL)
        return NULL;
    char addr[64];
    int prefix;
    const char *slash = strchr(block, '/');
    long count = strtol(count_s, NULL, 10), bits = strtol(bits_s, NULL, 10);
    if (slash == NULL || (size_t)(slash - block) >= sizeof(addr)) {
        loader_fail(L, "Fn::Cidr: %s is not an IPv4 CIDR block", block);
        return NULL;
    }
    memcpy(addr, block, (size_t)(slash - block));
    addr[slash - block] = '\0';
    prefix = atoi(slash + 1);
    struct in_addr ia;
    if (inet_pton(AF_INET, addr, &ia) != 1 || prefix < 0 || prefix > 32) {
        loader_fail(L, "Fn::Cidr: %s is not an IPv4 CIDR block (IPv6 is not supported)", block);
        return NULL;
    }
    if (count < 1 || count > LOADER_MAX_CIDR || bits < 1 || bits > 32 - prefix ||
        (32 - prefix - bits < 31 && (1L << (32 - prefix - bits)) < count)) {
        loader_fail(L, "Fn::Cidr: cannot cut %ld subnets of %ld host bits from %s", count, bits, block);
        return NULL;
    }
    uint32_t base = ntohl(ia.s_addr);
    if (prefix < 32)
        base &= prefix == 0 ? 0 : ~((1u << (32 - prefix)) - 1);
    json_t *out = json_array();
    for (long i = 0; i < count; i++) {
        uint32_t a = base + (uint32_t)i * (uint32_t)(1ull << bits);
        json_array_append_new(out, json_string(scratch_printf(L, "%u.%u.%u.%u/%ld", a >> 24, (a >> 16) & 255,
                                                              (a >> 8) & 255, a & 255, 32 - bits)));
    }
    return out;
}

static int cond_expr(loader *L, json_t *e, bool *out);

static json_t *fn_if(loader *L, json_t *arg)
{
    if (!json_is_array(arg) || json_array_size(arg) != 3 || !json_is_string(json_array_get(arg, 0))) {
        loader_fail(L, "Fn::If takes [ConditionName, value_if_true, value_if_false]");
        return NULL;
    }
    bool c;
    if (cfn_condition(L, json_string_value(json_array_get(arg, 0)), &c) != 0)
        return NULL;
    return cfn_resolve(L, json_array_get(arg, c ? 1 : 2));
}

static json_t *fn_condition_value(loader *L, const char *fn, json_t *arg)
{
    json_t *wrapped = json_object();
    json_object_set(wrapped, fn, arg);
    bool b;
    int rc = cond_expr(L, wrapped, &b);
    json_decref(wrapped);
    return rc == 0 ? json_boolean(b) : NULL;
}

static json_t *fn_get_att(loader *L, json_t *arg)
{
    if (!json_is_array(arg) || json_array_size(arg) != 2) {
        loader_fail(L, "Fn::GetAtt takes [LogicalName, AttributeName] or \"LogicalName.AttributeName\"");
        return NULL;
    }
    const char *res = arg_string(L, json_array_get(arg, 0), "Fn::GetAtt");
    const char *attr = res ? arg_string(L, json_array_get(arg, 1), "Fn::GetAtt") : NULL;
    return attr != NULL ? get_att(L, res, attr) : NULL;
}

static json_t *call(loader *L, const char *fn, json_t *arg)
{
    if (strcmp(fn, "Ref") == 0) {
        if (!json_is_string(arg)) {
            loader_fail(L, "Ref takes the name of a parameter or resource");
            return NULL;
        }
        return ref(L, json_string_value(arg));
    }
    if (strcmp(fn, "Fn::Sub") == 0)
        return fn_sub(L, arg);
    if (strcmp(fn, "Fn::GetAtt") == 0)
        return fn_get_att(L, arg);
    if (strcmp(fn, "Fn::Join") == 0)
        return fn_join(L, arg);
    if (strcmp(fn, "Fn::Select") == 0)
        return fn_select(L, arg);
    if (strcmp(fn, "Fn::Split") == 0)
        return fn_split(L, arg);
    if (strcmp(fn, "Fn::FindInMap") == 0)
        return fn_find_in_map(L, arg);
    if (strcmp(fn, "Fn::If") == 0)
        return fn_if(L, arg);
    if (strcmp(fn, "Fn::Base64") == 0)
        return fn_base64(L, arg);
    if (strcmp(fn, "Fn::GetAZs") == 0)
        return fn_get_azs(L, arg);
    if (strcmp(fn, "Fn::Cidr") == 0)
        return fn_cidr(L, arg);
    if (strcmp(fn, "Fn::Equals") == 0 || strcmp(fn, "Fn::Not") == 0 || strcmp(fn, "Fn::And") == 0 ||
        strcmp(fn, "Fn::Or") == 0)
        return fn_condition_value(L, fn, arg);
    if (strcmp(fn, "Fn::Length") == 0) {
        json_t *list = arg_list(L, arg, "Fn::Length");
        if (list == NULL)
            return NULL;
        json_t *n = json_integer((json_int_t)json_array_size(list));
        json_decref(list);
        return n;
    }
    if (strcmp(fn, "Fn::ToJsonString") == 0) {
        json_t *v = cfn_resolve(L, arg);
        if (v == NULL)
            return NULL;
        slice s = json_dump_slice(v, JSON_COMPACT | JSON_ENCODE_ANY);
        json_decref(v);
        return json_stringn(s.ptr != NULL ? s.ptr : "", s.len);
    }
    if (strcmp(fn, "Fn::ImportValue") == 0) {
        loader_fail(L, "Fn::ImportValue is not supported: Portico loads one stack, there are no exports to import");
        return NULL;
    }
    if (strcmp(fn, "Fn::Transform") == 0) {
        loader_fail(L, "Fn::Transform: only AWS::Include with a local Location is supported");
        return NULL;
    }
    loader_fail(L, "unknown function %s", fn);
    return NULL;
}

json_t *cfn_resolve(loader *L, json_t *v)
{
    if (v == NULL)
        return json_null();
    if (!json_is_object(v) && !json_is_array(v))
        return json_incref(v);
    if (++L->depth > LOADER_MAX_RESOLVE) {
        L->depth--;
        loader_fail(L, "functions and references nest too deeply");
        return NULL;
    }
    json_t *out = NULL;
    const char *fn = function_key(v);
    if (fn != NULL) {
        out = call(L, fn, json_object_get(v, fn));
    } else if (json_is_array(v)) {
        out = json_array();
        size_t i;
        json_t *e;
        json_array_foreach(v, i, e)
        {
            json_t *r = cfn_resolve(L, e);
            if (r == NULL) {
                json_decref(out);
                out = NULL;
                break;
            }
            if (r == L->novalue)
                json_decref(r);
            else
                json_array_append_new(out, r);
        }
    } else {
        out = json_object();
        const char *k;
        json_t *e;
        json_object_foreach(v, k, e)
        {
            size_t s;
            loader_where_push(L, k, &s);
            json_t *r = cfn_resolve(L, e);
            if (r == NULL) {
                json_decref(out);
                out = NULL;
                break;
            }
            loader_where_pop(L, s);
            if (r == L->novalue)
                json_decref(r);
            else
                json_object_set_new(out, k, r);
        }
    }
    L->depth--;
    return out;
}

/* --- conditions --- */

static int cond_value(loader *L, json_t *e, const char **out)
{
    json_t *v = cfn_resolve(L, e);
    if (v == NULL)
        return -1;
    *out = NULL;
    if (json_is_string(v) || json_is_number(v) || json_is_boolean(v)) {
        const char *s = cfn_string(L, v, "Fn::Equals");
        *out = s != NULL && json_is_string(v) ? scratch_printf(L, "%s", s) : s;
    } else if (json_is_array(v)) {
        slice s = json_dump_slice(v, JSON_COMPACT);
        *out = scratch_printf(L, "%.*s", SLICE_FMT(s));
        if (json_arena_current() == NULL)
            free((void *)s.ptr);
    } else {
        loader_fail(L, "Fn::Equals compares strings");
    }
    json_decref(v);
    return *out != NULL ? 0 : -1;
}

static int cond_expr(loader *L, json_t *e, bool *out)
{
    if (++L->depth > LOADER_MAX_RESOLVE) {
        L->depth--;
        return loader_fail(L, "conditions nest too deeply");
    }
    int rc = -1;
    const char *fn = json_is_object(e) && json_object_size(e) == 1 ? json_object_iter_key(json_object_iter(e)) : NULL;
    json_t *arg = fn != NULL ? json_object_get(e, fn) : NULL;
    if (fn == NULL) {
        if (json_is_boolean(e) || json_is_string(e)) {
            *out = cfn_is_true(e);
            rc = 0;
        } else {
            rc = loader_fail(L, "a condition must be Fn::Equals, Fn::Not, Fn::And, Fn::Or or Condition");
        }
    } else if (strcmp(fn, "Condition") == 0) {
        rc = json_is_string(arg) ? cfn_condition(L, json_string_value(arg), out)
                                 : loader_fail(L, "Condition takes a condition name");
    } else if (strcmp(fn, "Fn::Equals") == 0) {
        const char *a, *b;
        if (!json_is_array(arg) || json_array_size(arg) != 2)
            rc = loader_fail(L, "Fn::Equals takes [value_1, value_2]");
        else if (cond_value(L, json_array_get(arg, 0), &a) == 0 && cond_value(L, json_array_get(arg, 1), &b) == 0) {
            *out = strcmp(a, b) == 0;
            rc = 0;
        }
    } else if (strcmp(fn, "Fn::Not") == 0) {
        bool b;
        if (!json_is_array(arg) || json_array_size(arg) != 1)
            rc = loader_fail(L, "Fn::Not takes [condition]");
        else if (cond_expr(L, json_array_get(arg, 0), &b) == 0) {
            *out = !b;
            rc = 0;
        }
    } else if (strcmp(fn, "Fn::And") == 0 || strcmp(fn, "Fn::Or") == 0) {
        bool is_and = fn[4] == 'A';
        if (!json_is_array(arg) || json_array_size(arg) < 2 || json_array_size(arg) > 10) {
            rc = loader_fail(L, "%s takes 2 to 10 conditions", fn);
        } else {
            bool acc = is_and;
            size_t i;
            json_t *c;
            rc = 0;
            json_array_foreach(arg, i, c)
            {
                bool b;
                if (cond_expr(L, c, &b) != 0) {
                    rc = -1;
                    break;
                }
                acc = is_and ? (acc && b) : (acc || b);
            }
            *out = acc;
        }
    } else if (strcmp(fn, "Ref") == 0 || strncmp(fn, "Fn::", 4) == 0) {
        json_t *v = cfn_resolve(L, e);
        if (v != NULL) {
            *out = cfn_is_true(v);
            json_decref(v);
            rc = 0;
        }
    } else {
        rc = loader_fail(L, "unknown condition function %s", fn);
    }
    L->depth--;
    return rc;
}

int cfn_condition(loader *L, const char *name, bool *out)
{
    json_t *memo = json_object_get(L->cond_values, name);
    if (memo != NULL) {
        if (json_is_null(memo))
            return loader_fail(L, "circular dependency: condition %s refers to itself", name);
        *out = json_is_true(memo);
        return 0;
    }
    json_t *def = json_object_get(L->conditions, name);
    if (def == NULL)
        return loader_fail(L, "unknown condition %s", name);
    json_object_set_new(L->cond_values, name, json_null());
    const char *saved_res = L->where_resource;
    char saved_prop[sizeof(L->where_prop)];
    size_t saved_len = L->where_len;
    memcpy(saved_prop, L->where_prop, sizeof(saved_prop));
    L->where_resource = scratch_printf(L, "Condition %s", name);
    L->where_len = 0;
    L->where_prop[0] = '\0';
    bool b = false;
    if (cond_expr(L, def, &b) != 0)
        return -1;
    L->where_resource = saved_res;
    L->where_len = saved_len;
    memcpy(L->where_prop, saved_prop, sizeof(saved_prop));
    json_object_set_new(L->cond_values, name, json_boolean(b));
    *out = b;
    return 0;
}

/* --- AWS::Include --- */

static json_t *include_one(loader *L, json_t *spec)
{
    json_t *name = json_object_get(spec, "Name");
    json_t *params = json_object_get(spec, "Parameters");
    if (!json_is_string(name) || strcmp(json_string_value(name), "AWS::Include") != 0) {
        loader_fail(L, "Fn::Transform: only the AWS::Include transform is supported (macro %s)",
                    json_is_string(name) ? json_string_value(name) : "?");
        return NULL;
    }
    json_t *loc_raw = json_object_get(params, "Location");
    if (loc_raw == NULL) {
        loader_fail(L, "Fn::Transform AWS::Include needs Parameters.Location");
        return NULL;
    }
    const char *loc = arg_string(L, loc_raw, "AWS::Include Location");
    if (loc == NULL)
        return NULL;
    if (L->include_depth >= LOADER_MAX_INCLUDE) {
        loader_fail(L, "AWS::Include: includes nest more than %d deep", LOADER_MAX_INCLUDE);
        return NULL;
    }
    json_t *doc = loader_load_include(L, loc);
    if (doc == NULL)
        return NULL;
    L->include_depth++;
    int rc = cfn_expand_transforms(L, &doc);
    L->include_depth--;
    if (rc != 0) {
        json_decref(doc);
        return NULL;
    }
    return doc;
}

int cfn_expand_transform_key(loader *L, json_t **vp)
{
    json_t *v = *vp;
    json_t *spec = json_object_get(v, "Fn::Transform");
    if (spec == NULL)
        return 0;
    json_t *inc = include_one(L, spec);
    if (inc == NULL)
        return -1;
    if (json_object_size(v) == 1) {
        *vp = inc; /* the caller's container owns the old one and replaces it */
        return 0;
    }
    if (!json_is_object(inc)) {
        json_decref(inc);
        return loader_fail(L, "AWS::Include next to other keys must include a mapping");
    }
    json_object_del(v, "Fn::Transform");
    const char *k;
    json_t *e;
    json_object_foreach(inc, k, e)
    {
        if (json_object_get(v, k) == NULL)
            json_object_set(v, k, e);
    }
    json_decref(inc);
    return 0;
}

int cfn_expand_transforms(loader *L, json_t **vp)
{
    json_t *v = *vp;
    if (++L->depth > LOADER_MAX_RESOLVE + 64) {
        L->depth--;
        return loader_fail(L, "the template nests too deeply");
    }
    int rc = 0;
    if (json_is_array(v)) {
        for (size_t i = 0; rc == 0 && i < json_array_size(v); i++) {
            json_t *e = json_array_get(v, i), *n = e;
            rc = cfn_expand_transforms(L, &n);
            if (rc == 0 && n != e)
                json_array_set_new(v, i, n);
        }
    } else if (json_is_object(v)) {
        json_t *before = v;
        rc = cfn_expand_transform_key(L, vp);
        if (rc == 0 && *vp != before) {
            L->depth--;
            return 0; /* replaced: the included document was expanded already */
        }
        const char *k;
        json_t *e;
        void *tmp;
        if (rc == 0)
            json_object_foreach_safe(v, tmp, k, e)
            {
                json_t *n = e;
                size_t s;
                loader_where_push(L, k, &s);
                rc = cfn_expand_transforms(L, &n);
                loader_where_pop(L, s);
                if (rc != 0)
                    break;
                if (n != e)
                    json_object_set_new(v, k, n);
            }
    }
    L->depth--;
    return rc;
}
