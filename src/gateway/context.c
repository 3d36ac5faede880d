/* $context as API Gateway fills it for a REST API request. Fields without a value are JSON null,
 * which templates print as nothing (API Gateway's rule). */
#include <openssl/evp.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#include "core/json.h"
#include "core/reqid.h"
#include "gateway/gw_internal.h"

static json_t *string_or_null(slice s)
{
    return s.ptr != NULL ? json_stringn(s.ptr, s.len) : json_null();
}

/* Keys are the literals below: known UTF-8 and NUL-free, so jansson's checks are skipped. */
static void put(json_t *object, const char *key, json_t *value)
{
    json_object_set_new_nocheck(object, key, value);
}

/* API Gateway's extended request id: 10 random bytes in base64, e.g. "BxLuAFQcIAMFVvg=". */
static void extended_request_id(char out[24])
{
    unsigned char raw[10];
    uint64_t a = reqid_random64(), b = reqid_random64();
    memcpy(raw, &a, 8);
    memcpy(raw + 8, &b, 2);
    EVP_EncodeBlock((unsigned char *)out, raw, sizeof(raw)); /* 16 characters and a NUL */
}

/* "22/Nov/2026:10:00:00 +0000"; formatted once per second per thread, as requests within a second
 * share it. */
static json_t *request_time(time_t now)
{
    static _Thread_local time_t formatted_at = -1;
    static _Thread_local char text[40];
    static _Thread_local size_t len;
    if (now != formatted_at) {
        struct tm tm;
        gmtime_r(&now, &tm);
        len = strftime(text, sizeof(text), "%d/%b/%Y:%H:%M:%S +0000", &tm);
        formatted_at = now;
    }
    return json_stringn_nocheck(text, len);
}

void gw_context_start(gw_state *st)
{
    gettimeofday(&st->started, NULL);
    reqid_uuid(st->request_id);
    extended_request_id(st->extended_request_id);
}

vtl_pairs gw_context_strings(gw_exchange *x, gw_state *st)
{
    vtl_pair *items = arena_alloc(x->arena, 2 * sizeof(vtl_pair));
    items[0] = (vtl_pair){SLICE_LIT("requestId"), slice_cstr(st->request_id)};
    items[1] = (vtl_pair){SLICE_LIT("extendedRequestId"), slice_cstr(st->extended_request_id)};
    return (vtl_pairs){items, 2};
}

static void put_route(gw_state *st);

static json_t *build(gw_exchange *x, gw_state *st);

json_t *gw_context(gw_exchange *x, gw_state *st)
{
    if (st->context == NULL) { /* in the request's arena, whichever continuation asks first */
        arena *previous = json_arena_push(x->arena);
        st->context = build(x, st);
        if (st->routed)
            put_route(st);
        json_arena_pop(previous);
    }
    return st->context;
}

static json_t *build(gw_exchange *x, gw_state *st)
{
    const struct timeval tv = st->started;

    json_t *identity = json_object();
    put(identity, "sourceIp", string_or_null(x->source_ip));
    put(identity, "userAgent", string_or_null(gw_pairs_get(x->headers, SLICE_LIT("User-Agent"), true)));
    static const char *const absent_identity[] = {"accountId",
                                                  "apiKey",
                                                  "apiKeyId",
                                                  "caller",
                                                  "user",
                                                  "userArn",
                                                  "accessKey",
                                                  "cognitoAuthenticationProvider",
                                                  "cognitoAuthenticationType",
                                                  "cognitoIdentityId",
                                                  "cognitoIdentityPoolId",
                                                  "principalOrgId",
                                                  "clientCert",
                                                  "vpceId"};
    for (size_t i = 0; i < sizeof(absent_identity) / sizeof(absent_identity[0]); i++)
        put(identity, absent_identity[i], json_null());

    slice host = x->host;
    const char *dot = host.len != 0 ? memchr(host.ptr, '.', host.len) : NULL;
    slice prefix = dot != NULL ? slice_make(host.ptr, (size_t)(dot - host.ptr)) : host;
    json_t *context = json_object();
    put(context, "requestId", json_stringn_nocheck(st->request_id, strlen(st->request_id)));
    put(context, "extendedRequestId", json_stringn_nocheck(st->extended_request_id, strlen(st->extended_request_id)));
    put(context, "requestTime", request_time(tv.tv_sec));
    put(context, "requestTimeEpoch", json_integer((json_int_t)tv.tv_sec * 1000 + tv.tv_usec / 1000));
    put(context, "httpMethod", string_or_null(x->method));
    put(context, "path", string_or_null(x->path));
    put(context, "protocol", string_or_null(x->protocol));
    put(context, "domainName", string_or_null(host));
    put(context, "domainPrefix", string_or_null(prefix));
    put(context, "identity", identity);
    put(context, "authorizer", json_object());
    put(context, "error", json_object());
    static const char *const routed_later[] = {"stage", "resourcePath", "resourceId",
                                               "apiId", "accountId",    "wafResponseCode"};
    for (size_t i = 0; i < sizeof(routed_later) / sizeof(routed_later[0]); i++)
        put(context, routed_later[i], json_null());
    return context;
}

const json_t *gw_context_for_template(void *exchange)
{
    gw_exchange *x = exchange;
    return gw_context(x, x->state);
}

void gw_context_route(gw_exchange *x, gw_state *st)
{
    (void)x;
    st->routed = true;
    if (st->context != NULL)
        put_route(st);
}

static void put_route(gw_state *st)
{
    put(st->context, "stage", string_or_null(st->stage->stage->name));
    put(st->context, "resourcePath", string_or_null(st->resource->path));
    put(st->context, "resourceId", string_or_null(st->resource->id));
    put(st->context, "apiId", string_or_null(st->api->id));
    put(st->context, "accountId", string_or_null(st->model->account_id));
}
