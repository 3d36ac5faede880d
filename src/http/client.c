#include "http/client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/ssl.h>

#include <h2o.h>
#include <h2o/http1client.h>
#include <h2o/socketpool.h>
#include <h2o/url.h>

#include "http/loop_internal.h"

#define DEFAULT_TIMEOUT_MS   29000
#define DEFAULT_MAX_CONNS    64
#define DEFAULT_IDLE_MS      2000
#define DEFAULT_MAX_RESPONSE (10u * 1024 * 1024)

static http_client_config settings;
static SSL_CTX *tls_ctx;
static pthread_once_t tls_once = PTHREAD_ONCE_INIT;

void http_client_configure(const http_client_config *config)
{
    settings = *config;
}

static void make_tls_ctx(void)
{
    tls_ctx = SSL_CTX_new(TLS_client_method());
    if (tls_ctx == NULL)
        return;
    SSL_CTX_set_min_proto_version(tls_ctx, TLS1_2_VERSION);
    SSL_CTX_set_default_verify_paths(tls_ctx);
    SSL_CTX_set_verify(tls_ctx, settings.insecure_tls ? SSL_VERIFY_NONE : SSL_VERIFY_PEER, NULL);
}

/* One h2o_timeout_t per distinct duration (the library's timeouts are fixed-length queues). */
typedef struct timeout_queue {
    struct timeout_queue *next;
    uint64_t ms;
    h2o_timeout_t timeout;
} timeout_queue;

/* Connections to one upstream from one loop. */
typedef struct upstream {
    struct upstream *next;
    bool is_ssl;
    char *host;
    uint16_t port;
    h2o_socketpool_t pool;
    unsigned active;      /* calls holding a connection (the pool does not count them) */
    h2o_linklist_t queue; /* calls waiting for a connection */
    h2o_timeout_entry_t kick;
    struct http_client_loop *owner;
} upstream;

struct http_client_loop {
    http_loop *loop;
    h2o_http1client_ctx_t ctx;
    h2o_timeout_t io_timeout;
    upstream *upstreams;
    timeout_queue *timeouts;
};

struct http_client_call {
    struct http_client_loop *cl;
    upstream *up;
    arena *arena;
    h2o_http1client_t *client; /* while an exchange is under way */
    h2o_iovec_t reqbufs[2];
    h2o_timeout_entry_t timer;
    h2o_timeout_entry_t retry; /* the retry starts from the loop, not inside the library's callbacks */
    h2o_linklist_t wait_link;
    bool holds_slot, idempotent, retried, is_head, finished;
    int status;
    http_header *headers;
    size_t num_headers;
    http_client_done_fn done;
    void *user;
};

/* ---------- per-loop state ---------- */

static struct http_client_loop *client_loop(http_loop *loop)
{
    if (loop->client != NULL)
        return loop->client;
    struct http_client_loop *cl = calloc(1, sizeof(*cl));
    if (cl == NULL) {
        fputs("portico: out of memory\n", stderr);
        abort();
    }
    pthread_once(&tls_once, make_tls_ctx);
    cl->loop = loop;
    h2o_timeout_init(loop->ctx.loop, &cl->io_timeout, DEFAULT_TIMEOUT_MS);
    cl->ctx.loop = loop->ctx.loop;
    cl->ctx.getaddr_receiver = &loop->ctx.receivers.hostinfo_getaddr;
    cl->ctx.io_timeout = &cl->io_timeout;
    cl->ctx.websocket_timeout = NULL;
    cl->ctx.ssl_ctx = tls_ctx;
    loop->client = cl;
    return cl;
}

void http_client_loop_dispose(http_loop *loop)
{
    struct http_client_loop *cl = loop->client;
    if (cl == NULL)
        return;
    while (cl->upstreams != NULL) {
        upstream *up = cl->upstreams;
        cl->upstreams = up->next;
        if (h2o_timeout_is_linked(&up->kick))
            h2o_timeout_unlink(&up->kick);
        h2o_socketpool_dispose(&up->pool);
        free(up->host);
        free(up);
    }
    while (cl->timeouts != NULL) {
        timeout_queue *t = cl->timeouts;
        cl->timeouts = t->next;
        h2o_timeout_dispose(loop->ctx.loop, &t->timeout);
        free(t);
    }
    h2o_timeout_dispose(loop->ctx.loop, &cl->io_timeout);
    free(cl);
    loop->client = NULL;
}

static h2o_timeout_t *timeout_for(struct http_client_loop *cl, uint64_t ms)
{
    for (timeout_queue *t = cl->timeouts; t != NULL; t = t->next)
        if (t->ms == ms)
            return &t->timeout;
    timeout_queue *t = calloc(1, sizeof(*t));
    if (t == NULL) {
        fputs("portico: out of memory\n", stderr);
        abort();
    }
    t->ms = ms;
    h2o_timeout_init(cl->loop->ctx.loop, &t->timeout, ms);
    t->next = cl->timeouts;
    cl->timeouts = t;
    return &t->timeout;
}

static void start_exchange(http_client_call *call);

/* Runs from the zero timeout: the finished call's socket is back in the pool by then. */
static void on_kick(h2o_timeout_entry_t *entry)
{
    upstream *up = H2O_STRUCT_FROM_MEMBER(upstream, kick, entry);
    unsigned max =
        settings.max_connections_per_upstream != 0 ? settings.max_connections_per_upstream : DEFAULT_MAX_CONNS;
    while (up->active < max && !h2o_linklist_is_empty(&up->queue)) {
        http_client_call *call = H2O_STRUCT_FROM_MEMBER(http_client_call, wait_link, up->queue.next);
        h2o_linklist_unlink(&call->wait_link);
        call->holds_slot = true;
        up->active++;
        start_exchange(call);
    }
}

static void release_slot(http_client_call *call)
{
    if (!call->holds_slot)
        return;
    call->holds_slot = false;
    upstream *up = call->up;
    up->active--;
    if (!h2o_linklist_is_empty(&up->queue) && !h2o_timeout_is_linked(&up->kick))
        h2o_timeout_link(up->owner->loop->ctx.loop, &up->owner->loop->ctx.zero_timeout, &up->kick);
}

static upstream *upstream_for(struct http_client_loop *cl, bool is_ssl, h2o_iovec_t host, uint16_t port)
{
    for (upstream *up = cl->upstreams; up != NULL; up = up->next)
        if (up->is_ssl == is_ssl && up->port == port && strlen(up->host) == host.len &&
            memcmp(up->host, host.base, host.len) == 0)
            return up;
    upstream *up = calloc(1, sizeof(*up));
    if (up == NULL) {
        fputs("portico: out of memory\n", stderr);
        abort();
    }
    up->is_ssl = is_ssl;
    up->host = strndup(host.base, host.len);
    up->port = port;
    up->owner = cl;
    h2o_linklist_init_anchor(&up->queue);
    up->kick.cb = on_kick;
    unsigned max =
        settings.max_connections_per_upstream != 0 ? settings.max_connections_per_upstream : DEFAULT_MAX_CONNS;
    struct sockaddr_in sin;
    memset(&sin, 0, sizeof(sin));
    if (!is_ssl && inet_pton(AF_INET, up->host, &sin.sin_addr) == 1) {
        sin.sin_family = AF_INET;
        sin.sin_port = htons(port);
        h2o_socketpool_init_by_address(&up->pool, (struct sockaddr *)&sin, sizeof(sin), 0, max);
    } else {
        h2o_socketpool_init_by_hostport(&up->pool, h2o_iovec_init(up->host, strlen(up->host)), port, is_ssl, max);
    }
    h2o_socketpool_set_timeout(&up->pool, cl->loop->ctx.loop,
                               settings.idle_timeout_ms != 0 ? settings.idle_timeout_ms : DEFAULT_IDLE_MS);
    up->next = cl->upstreams;
    cl->upstreams = up;
    return up;
}

/* ---------- finishing ---------- */

/* Ends the call's hold on the loop: its timers, its place in the queue for a connection, its slot. The
 * h2o client, if any, is the caller's business (finished by h2o, or cancelled). */
static void detach(http_client_call *call)
{
    call->finished = true;
    call->client = NULL;
    if (h2o_timeout_is_linked(&call->timer))
        h2o_timeout_unlink(&call->timer);
    if (h2o_timeout_is_linked(&call->retry))
        h2o_timeout_unlink(&call->retry);
    if (h2o_linklist_is_linked(&call->wait_link))
        h2o_linklist_unlink(&call->wait_link);
    release_slot(call);
}

static void finish(http_client_call *call, int status, slice body, const char *error, bool timed_out)
{
    if (call->finished)
        return;
    detach(call);
    http_client_response res = {
        .status = error == NULL ? status : 0,
        .headers = error == NULL ? call->headers : NULL,
        .num_headers = error == NULL ? call->num_headers : 0,
        .body = error == NULL ? body : slice_make("", 0),
        .error = error,
        .timed_out = timed_out,
    };
    call->done(call->user, &res);
}

static void on_timer(h2o_timeout_entry_t *entry)
{
    http_client_call *call = H2O_STRUCT_FROM_MEMBER(http_client_call, timer, entry);
    if (call->client != NULL) {
        h2o_http1client_cancel(call->client);
        call->client = NULL;
    }
    finish(call, 0, SLICE_NULL, "timeout", true);
}

/* A failure before any answer: once more for an idempotent request (a stale pooled connection). */
static void fail_before_head(http_client_call *call, const char *errstr)
{
    call->client = NULL;
    if (call->idempotent && !call->retried) {
        call->retried = true;
        h2o_timeout_link(call->cl->loop->ctx.loop, &call->cl->loop->ctx.zero_timeout, &call->retry);
        return;
    }
    finish(call, 0, SLICE_NULL, errstr, false);
}

/* ---------- the exchange ---------- */

static int on_body(h2o_http1client_t *client, const char *errstr)
{
    http_client_call *call = client->data;
    size_t max = settings.max_response_bytes != 0 ? settings.max_response_bytes : DEFAULT_MAX_RESPONSE;
    if (errstr != NULL && errstr != h2o_http1client_error_is_eos) {
        finish(call, 0, SLICE_NULL, errstr, false);
        return -1;
    }
    if (client->sock->input->size > max) {
        finish(call, 0, SLICE_NULL, "response too large", false);
        return -1;
    }
    if (errstr == h2o_http1client_error_is_eos) {
        /* The whole body sits in the socket's input buffer (never consumed): copy it out now. */
        slice body = arena_slice_dup(call->arena, slice_make(client->sock->input->bytes, client->sock->input->size));
        finish(call, call->status, body, NULL, false);
    }
    return 0;
}

static h2o_http1client_body_cb on_head(h2o_http1client_t *client, const char *errstr, int minor_version, int status,
                                       h2o_iovec_t msg, h2o_header_t *headers, size_t num_headers, int rlen)
{
    (void)minor_version;
    (void)msg;
    (void)rlen;
    http_client_call *call = client->data;
    if (errstr != NULL && errstr != h2o_http1client_error_is_eos) {
        fail_before_head(call, errstr);
        return NULL;
    }
    call->status = status;
    /* The headers point into the client's buffer: copy them now. */
    call->headers = arena_alloc(call->arena, sizeof(http_header) * (num_headers != 0 ? num_headers : 1));
    for (size_t i = 0; i != num_headers; i++) {
        call->headers[i].name = arena_slice_dup(call->arena, slice_make(headers[i].name->base, headers[i].name->len));
        call->headers[i].value = arena_slice_dup(call->arena, slice_make(headers[i].value.base, headers[i].value.len));
    }
    call->num_headers = num_headers;
    if (errstr == h2o_http1client_error_is_eos) {
        finish(call, status, slice_make("", 0), NULL, false);
        return NULL;
    }
    return on_body;
}

static h2o_http1client_head_cb on_connect(h2o_http1client_t *client, const char *errstr, h2o_iovec_t **reqbufs,
                                          size_t *reqbufcnt, int *method_is_head)
{
    http_client_call *call = client->data;
    if (errstr != NULL) {
        fail_before_head(call, errstr);
        return NULL;
    }
    *reqbufs = call->reqbufs;
    *reqbufcnt = call->reqbufs[1].len != 0 ? 2 : 1;
    *method_is_head = call->is_head;
    return on_head;
}

static void on_retry(h2o_timeout_entry_t *entry)
{
    http_client_call *call = H2O_STRUCT_FROM_MEMBER(http_client_call, retry, entry);
    start_exchange(call);
}

static void start_exchange(http_client_call *call)
{
    h2o_http1client_connect_with_pool(&call->client, call, &call->cl->ctx, &call->up->pool, on_connect);
}

static bool header_is_ours(slice name)
{
    return slice_eq_nocase(name, SLICE_LIT("host")) || slice_eq_nocase(name, SLICE_LIT("content-length")) ||
           slice_eq_nocase(name, SLICE_LIT("connection")) || slice_eq_nocase(name, SLICE_LIT("transfer-encoding"));
}

static bool method_is_idempotent(slice m)
{
    static const char *const methods[] = {"GET", "HEAD", "PUT", "DELETE", "OPTIONS", "TRACE"};
    for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++)
        if (slice_eq_cstr(m, methods[i]))
            return true;
    return false;
}

http_client_call *http_client_send(http_loop *loop, arena *a, const http_client_request *r, http_client_done_fn done,
                                   void *user)
{
    struct http_client_loop *cl = client_loop(loop);
    http_client_call *call = arena_calloc(a, sizeof(*call));
    call->cl = cl;
    call->arena = a;
    call->done = done;
    call->user = user;
    call->timer.cb = on_timer;
    call->retry.cb = on_retry;
    call->idempotent = method_is_idempotent(r->method);
    call->is_head = slice_eq_cstr(r->method, "HEAD");

    h2o_url_t url;
    if (r->url.len == 0 || h2o_url_parse(r->url.ptr, r->url.len, &url) != 0) {
        call->finished = true;
        http_client_response res = {.error = "invalid URL", .body = slice_make("", 0)};
        done(user, &res);
        return call;
    }
    bool is_ssl = url.scheme == &H2O_URL_SCHEME_HTTPS;
    uint16_t port = h2o_url_get_port(&url);
    call->up = upstream_for(cl, is_ssl, url.host, port);

    /* The request head, in the arena. */
    size_t cap = r->method.len + url.path.len + url.authority.len + 96;
    for (size_t i = 0; i != r->num_headers; i++)
        cap += r->headers[i].name.len + r->headers[i].value.len + 4;
    char *head = arena_alloc(a, cap);
    int n = snprintf(head, cap, "%.*s %.*s HTTP/1.1\r\nHost: %.*s\r\n", SLICE_FMT(r->method), (int)url.path.len,
                     url.path.base, (int)url.authority.len, url.authority.base);
    size_t len = (size_t)n;
    if (r->body.len != 0 || !(slice_eq_cstr(r->method, "GET") || call->is_head || slice_eq_cstr(r->method, "DELETE") ||
                              slice_eq_cstr(r->method, "OPTIONS")))
        len += (size_t)snprintf(head + len, cap - len, "Content-Length: %zu\r\n", r->body.len);
    for (size_t i = 0; i != r->num_headers; i++) {
        const http_header *h = &r->headers[i];
        if (h->name.len == 0 || header_is_ours(h->name))
            continue;
        memcpy(head + len, h->name.ptr, h->name.len);
        len += h->name.len;
        memcpy(head + len, ": ", 2);
        len += 2;
        memcpy(head + len, h->value.ptr, h->value.len);
        len += h->value.len;
        memcpy(head + len, "\r\n", 2);
        len += 2;
    }
    memcpy(head + len, "\r\n", 2);
    len += 2;
    call->reqbufs[0] = h2o_iovec_init(head, len);
    call->reqbufs[1] = h2o_iovec_init(r->body.ptr, r->body.len);

    unsigned timeout = r->timeout_ms != 0 ? r->timeout_ms : DEFAULT_TIMEOUT_MS;
    h2o_timeout_link(loop->ctx.loop, timeout_for(cl, timeout), &call->timer);

    unsigned max =
        settings.max_connections_per_upstream != 0 ? settings.max_connections_per_upstream : DEFAULT_MAX_CONNS;
    if (call->up->active >= max) {
        h2o_linklist_insert(&call->up->queue, &call->wait_link);
        return call;
    }
    call->holds_slot = true;
    call->up->active++;
    start_exchange(call);
    return call;
}

void http_client_cancel(http_client_call *call)
{
    if (call->finished)
        return;
    if (call->client != NULL)
        h2o_http1client_cancel(call->client);
    detach(call);
}
