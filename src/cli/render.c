/* `portico render`: renders one mapping template offline, exactly as the gateway would, and prints
 * the bytes. The environment ($input, $context, $stageVariables) comes from the command line. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#include "cli/commands.h"
#include "core/arena.h"
#include "core/json.h"
#include "core/reqid.h"
#include "vtl/vtl.h"

static const char usage_text[] =
    "usage: portico render TEMPLATE_FILE [--body TEXT | --body-file FILE] [--header K=V]... [--query K=V]...\n"
    "                      [--path K=V]... [--stage-var K=V]... [--method M] [--resource-path P] [--stage S]\n"
    "                      [--context-json JSON]\n"
    "Prints the rendered template on stdout. --context-json is merged over the default $context.\n";

static int read_file(arena *a, const char *path, slice *out)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    size_t cap = 4096, len = 0;
    char *buf = malloc(cap);
    for (;;) {
        if (len == cap) {
            cap *= 2;
            char *nb = realloc(buf, cap);
            if (!nb) {
                free(buf);
                fclose(f);
                return -1;
            }
            buf = nb;
        }
        size_t n = fread(buf + len, 1, cap - len, f);
        if (n == 0)
            break;
        len += n;
    }
    int err = ferror(f);
    fclose(f);
    if (err) {
        free(buf);
        return -1;
    }
    *out = arena_slice_dup(a, slice_make(buf, len));
    free(buf);
    return 0;
}

typedef struct pair_list {
    vtl_pair *items;
    size_t count;
} pair_list;

static int add_pair(pair_list *l, const char *kv, const char *opt)
{
    const char *eq = strchr(kv, '=');
    if (!eq) {
        fprintf(stderr, "portico render: %s expects K=V, got '%s'\n", opt, kv);
        return -1;
    }
    l->items[l->count].name = slice_make(kv, (size_t)(eq - kv));
    l->items[l->count].value = slice_cstr(eq + 1);
    l->count++;
    return 0;
}

static void merge(json_t *dst, json_t *src)
{
    const char *k;
    json_t *v;
    json_object_foreach(src, k, v)
    {
        json_t *d = json_object_get(dst, k);
        if (json_is_object(d) && json_is_object(v))
            merge(d, v);
        else
            json_object_set(dst, k, v);
    }
}

static void random_alnum(char *out, size_t n)
{
    static const char alphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";
    for (size_t i = 0; i < n; i++)
        out[i] = alphabet[reqid_random64() % 36];
    out[n] = 0;
}

static json_t *default_context(const char *method, const char *resource_path, const char *stage, const char *path)
{
    char reqid[REQID_UUID_LEN + 1], api_id[11], resource_id[7], ext[17], when[64], domain[96];
    reqid_uuid(reqid);
    random_alnum(api_id, 10);
    random_alnum(resource_id, 6);
    random_alnum(ext, 16);
    struct timeval tv;
    gettimeofday(&tv, NULL);
    struct tm tm;
    gmtime_r(&tv.tv_sec, &tm);
    strftime(when, sizeof(when), "%d/%b/%Y:%H:%M:%S +0000", &tm);
    snprintf(domain, sizeof(domain), "%s.execute-api.us-east-1.amazonaws.com", api_id);
    long long epoch_ms = (long long)tv.tv_sec * 1000 + tv.tv_usec / 1000;
    json_t *identity = json_pack("{s:n,s:n,s:n,s:n,s:n,s:n,s:n,s:n,s:n,s:s,s:s,s:n,s:n}", "cognitoIdentityPoolId",
                                 "accountId", "cognitoIdentityId", "caller", "apiKey", "apiKeyId", "principalOrgId",
                                 "cognitoAuthenticationType", "cognitoAuthenticationProvider", "sourceIp", "127.0.0.1",
                                 "userAgent", "portico-render", "user", "userArn");
    return json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:I,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:o,s:o}", "httpMethod", method,
                     "resourcePath", resource_path, "stage", stage, "requestId", reqid, "extendedRequestId", ext,
                     "requestTime", when, "requestTimeEpoch", (json_int_t)epoch_ms, "path", path, "resourceId",
                     resource_id, "apiId", api_id, "accountId", "123456789012", "protocol", "HTTP/1.1", "domainName",
                     domain, "domainPrefix", api_id, "identity", identity, "authorizer", json_object());
}

int cmd_render(int argc, char **argv)
{
    if (argc < 1 || strcmp(argv[0], "--help") == 0 || strcmp(argv[0], "-h") == 0) {
        fputs(usage_text, argc < 1 ? stderr : stdout);
        return argc < 1 ? 1 : 0;
    }
    arena a;
    arena_init(&a, 64 * 1024);
    int status = 1;
    const char *template_file = NULL, *method = "POST", *resource_path = "/", *stage = "prod", *context_json = NULL;
    slice body = SLICE_NULL;
    pair_list header = {arena_alloc(&a, (size_t)argc * sizeof(vtl_pair)), 0};
    pair_list query = {arena_alloc(&a, (size_t)argc * sizeof(vtl_pair)), 0};
    pair_list path = {arena_alloc(&a, (size_t)argc * sizeof(vtl_pair)), 0};
    pair_list stagev = {arena_alloc(&a, (size_t)argc * sizeof(vtl_pair)), 0};
    for (int i = 0; i < argc; i++) {
        const char *o = argv[i];
        bool has_arg = i + 1 < argc;
        if (o[0] != '-' || o[1] != '-') {
            if (template_file) {
                fprintf(stderr, "portico render: unexpected argument '%s'\n", o);
                goto done;
            }
            template_file = o;
            continue;
        }
        if (!has_arg) {
            fprintf(stderr, "portico render: %s needs a value\n%s", o, usage_text);
            goto done;
        }
        const char *v = argv[++i];
        if (strcmp(o, "--body") == 0)
            body = slice_cstr(v);
        else if (strcmp(o, "--body-file") == 0) {
            if (read_file(&a, v, &body) < 0) {
                fprintf(stderr, "portico render: cannot read %s: %s\n", v, strerror(errno));
                goto done;
            }
        } else if (strcmp(o, "--header") == 0) {
            if (add_pair(&header, v, o) < 0)
                goto done;
        } else if (strcmp(o, "--query") == 0) {
            if (add_pair(&query, v, o) < 0)
                goto done;
        } else if (strcmp(o, "--path") == 0) {
            if (add_pair(&path, v, o) < 0)
                goto done;
        } else if (strcmp(o, "--stage-var") == 0) {
            if (add_pair(&stagev, v, o) < 0)
                goto done;
        } else if (strcmp(o, "--method") == 0)
            method = v;
        else if (strcmp(o, "--resource-path") == 0)
            resource_path = v;
        else if (strcmp(o, "--stage") == 0)
            stage = v;
        else if (strcmp(o, "--context-json") == 0)
            context_json = v;
        else {
            fprintf(stderr, "portico render: unknown option %s\n%s", o, usage_text);
            goto done;
        }
    }
    if (!template_file) {
        fputs(usage_text, stderr);
        goto done;
    }
    slice source;
    if (read_file(&a, template_file, &source) < 0) {
        fprintf(stderr, "portico render: cannot read %s: %s\n", template_file, strerror(errno));
        goto done;
    }
    /* $context.path is the stage and the resource path with the parameters filled in */
    char *full_path = arena_sprintf(&a, "/%s%s", stage, resource_path);
    json_t *ctx = default_context(method, resource_path, stage, full_path);
    if (context_json) {
        json_error_t je;
        json_t *over = json_loads(context_json, JSON_DECODE_INT_AS_REAL * 0, &je);
        if (!json_is_object(over)) {
            fprintf(stderr, "portico render: --context-json must be a JSON object (%s)\n",
                    over ? "not an object" : je.text);
            json_decref(over);
            json_decref(ctx);
            goto done;
        }
        merge(ctx, over);
        json_decref(over);
    }
    aws_error err;
    error_clear(&err);
    vtl_template *t = vtl_compile(source, &a, &err);
    if (!t) {
        fprintf(stderr, "portico render: %s\n", err.message);
        json_decref(ctx);
        goto done;
    }
    vtl_env env;
    memset(&env, 0, sizeof(env));
    env.body = body;
    env.path = (vtl_pairs){path.items, path.count};
    env.querystring = (vtl_pairs){query.items, query.count};
    env.header = (vtl_pairs){header.items, header.count};
    env.stage_variables = (vtl_pairs){stagev.items, stagev.count};
    env.context = ctx;
    slice out;
    int rc = vtl_render(t, &env, &a, &out, &err);
    json_decref(ctx);
    if (rc < 0) {
        fprintf(stderr, "portico render: %s\n", err.message);
        goto done;
    }
    if (out.len && fwrite(out.ptr, 1, out.len, stdout) != out.len)
        goto done;
    fflush(stdout);
    status = 0;
done:
    arena_destroy(&a);
    return status;
}
