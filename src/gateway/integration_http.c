/* HTTP and HTTP_PROXY integrations: the request goes to the upstream URL through the pooled HTTP
 * client on the request's own loop. HTTP maps the answer through the integration responses;
 * HTTP_PROXY hands it back as it came. */
#include <stdio.h>
#include <string.h>

#include "core/json.h"
#include "gateway/gw_internal.h"
#include "http/client.h"

/* Headers a proxy must not copy from one connection to the next. */
static bool hop_by_hop(slice name)
{
    static const char *const names[] = {
        "connection", "keep-alive", "transfer-encoding", "content-length",      "host",
        "upgrade",    "te",         "trailer",           "proxy-authorization", "proxy-connection"};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (slice_eq_nocase(name, slice_cstr(names[i])))
            return true;
    return false;
}

/* The target of a mapping ("integration.request.path.id") with its prefix, or SLICE_NULL. */
static slice mapped_name(slice target, const char *prefix)
{
    size_t n = strlen(prefix);
    return slice_starts_with(target, slice_make(prefix, n)) ? slice_sub(target, n, target.len) : SLICE_NULL;
}

static void append_query_escaped(buf *b, slice s)
{
    static const char hex[] = "0123456789ABCDEF";
    for (size_t i = 0; i < s.len; i++) {
        unsigned char c = (unsigned char)s.ptr[i];
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || strchr("-_.~", c) != NULL) {
            buf_append_char(b, (char)c);
        } else {
            buf_append_char(b, '%');
            buf_append_char(b, hex[c >> 4]);
            buf_append_char(b, hex[c & 15]);
        }
    }
}

/* The upstream URL: {name} placeholders filled from the path mappings (HTTP_PROXY: from the method's
 * own path parameters), then the query string. */
static slice upstream_url(gw_exchange *x, gw_state *st, bool proxy)
{
    const model_integration *in = &st->method->integration;
    vtl_pairs path_values = proxy ? st->path_params : (vtl_pairs){0};
    buf query;
    buf_init(&query, x->arena, 64);
    for (size_t i = 0; i < in->request_parameters.count; i++) {
        slice target = in->request_parameters.items[i].key;
        slice value = gw_mapping_value(x, st, in->request_parameters.items[i].value);
        if (value.ptr == NULL)
            continue;
        slice name = mapped_name(target, "integration.request.path.");
        if (name.ptr != NULL)
            path_values = gw_pairs_append(x->arena, path_values, name, value);
        name = mapped_name(target, "integration.request.querystring.");
        if (name.ptr != NULL) {
            buf_append_char(&query, query.len == 0 ? '?' : '&');
            append_query_escaped(&query, name);
            buf_append_char(&query, '=');
            append_query_escaped(&query, value);
        }
    }
    if (proxy && x->query.len != 0) {
        buf_append_char(&query, query.len == 0 ? '?' : '&');
        buf_append_slice(&query, x->query);
    }
    buf url;
    buf_init(&url, x->arena, in->uri.len + 64);
    for (size_t i = 0; i < in->uri.len; i++) {
        char c = in->uri.ptr[i];
        const char *close = c == '{' ? memchr(in->uri.ptr + i, '}', in->uri.len - i) : NULL;
        if (close == NULL) {
            buf_append_char(&url, c);
            continue;
        }
        slice name = slice_make(in->uri.ptr + i + 1, (size_t)(close - in->uri.ptr) - i - 1);
        if (name.len != 0 && name.ptr[name.len - 1] == '+')
            name.len--;
        slice value = gw_pairs_get(path_values, name, false);
        buf_append_slice(&url, value.ptr != NULL ? value : SLICE_LIT(""));
        i = (size_t)(close - in->uri.ptr);
    }
    buf_append_slice(&url, buf_slice(&query));
    return buf_slice(&url);
}

/* The client's answer, kept until the exchange is back on its loop through resume (the transport
 * counts on every pending exchange coming back that way). */
typedef struct upstream_answer {
    const char *error;
    bool timed_out;
} upstream_answer;

static void after_upstream(gw_exchange *x);

static void on_upstream_answer(void *user, const http_client_response *res)
{
    gw_exchange *x = user;
    gw_state *st = x->state;
    upstream_answer *answer = arena_calloc(x->arena, sizeof(*answer));
    answer->error = res->error;
    answer->timed_out = res->timed_out;
    vtl_pairs headers = {0};
    for (size_t i = 0; i < res->num_headers; i++)
        headers = gw_pairs_append(x->arena, headers, res->headers[i].name, res->headers[i].value);
    st->integration_status = res->status;
    st->integration_response_headers = headers;
    st->integration_response_body = res->body;
    st->upstream = answer;
    x->resume(x, after_upstream);
}

static void after_upstream(gw_exchange *x)
{
    gw_state *st = x->state;
    const upstream_answer *res = st->upstream;
    arena *previous = json_arena_push(x->arena);
    if (res->error != NULL) {
        gw_trace(x, "Execution failed due to %s: %s", res->timed_out ? "a timeout error" : "an upstream error",
                 res->error);
        gw_fail(x, res->timed_out ? GW_INTEGRATION_TIMEOUT : GW_INTEGRATION_FAILURE, NULL);
        json_arena_pop(previous);
        return;
    }
    vtl_pairs headers = st->integration_response_headers;
    gw_trace(x, "Endpoint response status: %d", st->integration_status);
    gw_trace(x, "Endpoint response body before transformations: %.*s", SLICE_FMT(st->integration_response_body));
    if (st->method->integration.type == MODEL_INTEGRATION_HTTP_PROXY) {
        vtl_pairs out = {0};
        for (size_t i = 0; i < headers.count; i++)
            if (!hop_by_hop(headers.items[i].name))
                out = gw_pairs_append(x->arena, out, headers.items[i].name, headers.items[i].value);
        out = gw_pairs_set(x->arena, out, SLICE_LIT("x-amzn-RequestId"), slice_cstr(st->request_id));
        x->status = st->integration_status;
        x->response_headers = out;
        x->response_body = st->integration_response_body;
        gw_trace(x, "Method completed with status: %d", st->integration_status);
        x->done(x);
    } else {
        gw_integration_response(x);
    }
    json_arena_pop(previous);
}

void gw_integration_http(gw_exchange *x, gw_state *st)
{
    const model_integration *in = &st->method->integration;
    bool proxy = in->type == MODEL_INTEGRATION_HTTP_PROXY;
    if (x->http_loop == NULL) {
        gw_trace(x, "Execution failed: HTTP integrations need a running server (not available here)");
        gw_fail(x, GW_INTEGRATION_FAILURE, NULL);
        return;
    }
    vtl_pairs headers = proxy ? (vtl_pairs){0} : st->integration_headers;
    if (proxy) {
        for (size_t i = 0; i < x->headers.count; i++)
            if (!hop_by_hop(x->headers.items[i].name))
                headers = gw_pairs_append(x->arena, headers, x->headers.items[i].name, x->headers.items[i].value);
        for (size_t i = 0; i < st->integration_headers.count; i++)
            headers = gw_pairs_set(x->arena, headers, st->integration_headers.items[i].name,
                                   st->integration_headers.items[i].value);
    } else if (gw_pairs_get(headers, SLICE_LIT("Content-Type"), true).ptr == NULL && st->integration_body.len != 0) {
        headers = gw_pairs_append(x->arena, headers, SLICE_LIT("Content-Type"), st->content_type);
    }
    http_header *h = arena_alloc(x->arena, (headers.count + 1) * sizeof(*h));
    for (size_t i = 0; i < headers.count; i++)
        h[i] = (http_header){headers.items[i].name, headers.items[i].value};
    slice method = in->http_method;
    if (method.len == 0 || slice_eq_cstr(method, "ANY"))
        method = x->method;
    http_client_request request = {
        .method = method,
        .url = upstream_url(x, st, proxy),
        .headers = h,
        .num_headers = headers.count,
        .body = proxy ? x->body : st->integration_body,
        .timeout_ms = in->timeout_ms > 0 ? (unsigned)in->timeout_ms : 29000,
    };
    gw_trace(x, "Endpoint request URI: %.*s %.*s", SLICE_FMT(request.method), SLICE_FMT(request.url));
    http_client_send(x->http_loop, x->arena, &request, on_upstream_answer, x);
}
