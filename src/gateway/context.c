/* $context as API Gateway fills it for a REST API request. Fields without a value are JSON null,
 * which templates print as nothing (API Gateway's rule). */
#include <openssl/evp.h>
#include <sys/time.h>
#include <time.h>

#include "core/reqid.h"
#include "gateway/gw_internal.h"

static json_t *string_or_null(slice s)
{
    return s.ptr != NULL ? json_stringn(s.ptr, s.len) : json_null();
}

/* API Gateway's extended request id: 10 random bytes in base64, e.g. "BxLuAFQcIAMFVvg=". */
static json_t *extended_request_id(void)
{
    unsigned char raw[10];
    uint64_t a = reqid_random64(), b = reqid_random64();
    memcpy(raw, &a, 8);
    memcpy(raw + 8, &b, 2);
    char text[24];
    int n = EVP_EncodeBlock((unsigned char *)text, raw, sizeof(raw));
    return json_stringn(text, (size_t)n);
}

json_t *gw_context_new(gw_exchange *x, gw_state *st)
{
    struct timeval tv;
    gettimeofday(&tv, NULL);
    struct tm tm;
    gmtime_r(&tv.tv_sec, &tm);
    char request_time[40];
    strftime(request_time, sizeof(request_time), "%d/%b/%Y:%H:%M:%S +0000", &tm);

    slice user_agent = gw_pairs_get(x->headers, SLICE_LIT("User-Agent"), true);
    json_t *identity = json_pack("{s:o, s:o, s:n, s:n, s:n, s:n, s:n, s:n, s:n, s:n, s:n, s:n, s:n, s:n, s:n, s:n}",
                                 "sourceIp", string_or_null(x->source_ip), "userAgent", string_or_null(user_agent),
                                 "accountId", "apiKey", "apiKeyId", "caller", "user", "userArn", "accessKey",
                                 "cognitoAuthenticationProvider", "cognitoAuthenticationType", "cognitoIdentityId",
                                 "cognitoIdentityPoolId", "principalOrgId", "clientCert", "vpceId");
    slice host = x->host;
    const char *dot = host.len != 0 ? memchr(host.ptr, '.', host.len) : NULL;
    slice prefix = dot != NULL ? slice_make(host.ptr, (size_t)(dot - host.ptr)) : host;
    return json_pack("{s:s, s:o, s:s, s:I, s:o, s:o, s:o, s:o, s:o, s:o, s:{}, s:{}, s:n, s:n, s:n, s:n, s:n, s:n}",
                     "requestId", st->request_id,                                          /* */
                     "extendedRequestId", extended_request_id(),                           /* */
                     "requestTime", request_time,                                          /* */
                     "requestTimeEpoch", (json_int_t)tv.tv_sec * 1000 + tv.tv_usec / 1000, /* */
                     "httpMethod", string_or_null(x->method),                              /* */
                     "path", string_or_null(x->path),                                      /* */
                     "protocol", string_or_null(x->protocol),                              /* */
                     "domainName", string_or_null(host),                                   /* */
                     "domainPrefix", string_or_null(prefix),                               /* */
                     "identity", identity,                                                 /* */
                     "authorizer", "error",                                                /* */
                     "stage", "resourcePath", "resourceId", "apiId", "accountId", "wafResponseCode");
}

void gw_context_route(gw_exchange *x, gw_state *st)
{
    (void)x;
    json_object_set_new(st->context, "stage", string_or_null(st->stage->stage->name));
    json_object_set_new(st->context, "resourcePath", string_or_null(st->resource->path));
    json_object_set_new(st->context, "resourceId", string_or_null(st->resource->id));
    json_object_set_new(st->context, "apiId", string_or_null(st->api->id));
    json_object_set_new(st->context, "accountId", string_or_null(st->model->account_id));
}
