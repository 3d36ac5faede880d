#include "http/server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <h2o.h>
#include <h2o/http1.h>
#include <h2o/http2.h>

#include "core/buf.h"
#include "core/log.h"
#include "http/loop_internal.h"

#if H2O_USE_LIBUV
#error "libh2o-evloop needs H2O_USE_LIBUV=0 (its .pc file does not say so)"
#endif

#define DEFAULT_MAX_BODY          (10u * 1024 * 1024)
#define DEFAULT_HEADER_TIMEOUT_MS 10000
#define ARENA_FIRST_CHUNK         (64 * 1024)
#define FREE_LIST_MAX             1024

typedef struct listener listener;

/* The handler and filter H2O calls; each knows its listener. */
typedef struct {
    h2o_handler_t super;
    listener *l;
} listener_handler;

typedef struct {
    h2o_filter_t super;
    listener *l;
} listener_filter;

struct listener {
    http_listener_config config;
    char *name, *host; /* owned copies */
    unsigned port;
    h2o_hostconf_t *hostconf;
    h2o_hostconf_t *hosts[2]; /* NULL-terminated: the accept context's view */
    int *fds;                 /* one per thread, bound and listening */
};

typedef struct {
    h2o_accept_ctx_t accept;
    h2o_socket_t *sock;
    http_loop *loop;
} loop_listener;

typedef struct req_state req_state;

struct http_server {
    h2o_globalconf_t globalconf;
    listener *listeners;
    size_t num_listeners;
    http_loop *loops;
    unsigned threads;
    atomic_bool stopping;
    http_server_config config;
    pthread_mutex_t init_lock; /* loops setting themselves up */
    pthread_cond_t init_cond;
    unsigned loops_ready;
};

/* Hangs off h2o's request pool: its dispose callback tells us the library is done with the request. */
typedef struct {
    req_state *st;
} req_link;

struct req_state {
    http_request view; /* first: the handlers' pointer is this state's */
    arena arena;
    http_loop *loop;
    h2o_req_t *h2o; /* NULL once the library has disposed of the request */
    int refs;       /* 1 for the library's request + 1 while pending + 1 while running a handler */
    bool pending, responded, in_handler, resume_deferred;
    http_handler_fn resume_fn;
    void *resume_data;
    h2o_multithread_message_t message;
    req_state *next_free;
};

/* The state being answered by http_respond on this thread: lets the filter tell our responses from
 * the library's own. */
static _Thread_local req_state *responding;

/* ---------- reason phrases ---------- */

const char *http_reason_phrase(int status)
{
    switch (status) {
    case 100:
        return "Continue";
    case 200:
        return "OK";
    case 201:
        return "Created";
    case 202:
        return "Accepted";
    case 203:
        return "Non-Authoritative Information";
    case 204:
        return "No Content";
    case 205:
        return "Reset Content";
    case 206:
        return "Partial Content";
    case 300:
        return "Multiple Choices";
    case 301:
        return "Moved Permanently";
    case 302:
        return "Found";
    case 303:
        return "See Other";
    case 304:
        return "Not Modified";
    case 307:
        return "Temporary Redirect";
    case 308:
        return "Permanent Redirect";
    case 400:
        return "Bad Request";
    case 401:
        return "Unauthorized";
    case 402:
        return "Payment Required";
    case 403:
        return "Forbidden";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 406:
        return "Not Acceptable";
    case 408:
        return "Request Timeout";
    case 409:
        return "Conflict";
    case 410:
        return "Gone";
    case 411:
        return "Length Required";
    case 412:
        return "Precondition Failed";
    case 413:
        return "Request Entity Too Large";
    case 414:
        return "Request-URI Too Long";
    case 415:
        return "Unsupported Media Type";
    case 416:
        return "Requested Range Not Satisfiable";
    case 417:
        return "Expectation Failed";
    case 422:
        return "Unprocessable Entity";
    case 429:
        return "Too Many Requests";
    case 500:
        return "Internal Server Error";
    case 501:
        return "Not Implemented";
    case 502:
        return "Bad Gateway";
    case 503:
        return "Service Unavailable";
    case 504:
        return "Gateway Timeout";
    case 505:
        return "HTTP Version Not Supported";
    default:
        return "Unknown";
    }
}

/* ---------- request state ---------- */

static req_state *state_take(http_loop *loop)
{
    req_state *st = loop->free_states;
    if (st != NULL) {
        loop->free_states = st->next_free;
        loop->num_free--;
    } else {
        st = calloc(1, sizeof(*st));
        if (st == NULL) {
            fputs("portico: out of memory\n", stderr);
            abort();
        }
        arena_init(&st->arena, ARENA_FIRST_CHUNK);
    }
    arena saved = st->arena;
    memset(st, 0, sizeof(*st));
    st->arena = saved;
    st->loop = loop;
    st->view.arena = &st->arena;
    st->view.loop = loop;
    st->view.thread_index = loop->index;
    loop->live++;
    return st;
}

static void state_release(req_state *st)
{
    if (--st->refs > 0)
        return;
    http_loop *loop = st->loop;
    loop->live--;
    if (loop->num_free >= FREE_LIST_MAX) {
        arena_destroy(&st->arena);
        free(st);
        return;
    }
    arena_reset(&st->arena);
    st->next_free = loop->free_states;
    loop->free_states = st;
    loop->num_free++;
}

static void on_h2o_dispose(void *p)
{
    req_link *link = p;
    req_state *st = link->st;
    st->h2o = NULL;
    state_release(st);
}

/* Binds a new state to the library's request: the state lives at least as long as the request. */
static req_state *state_attach(http_loop *loop, h2o_req_t *req)
{
    req_state *st = state_take(loop);
    req_link *link = h2o_mem_alloc_shared(&req->pool, sizeof(*link), on_h2o_dispose);
    link->st = st;
    st->h2o = req;
    st->refs = 1;
    return st;
}

static slice dup_iovec(arena *a, h2o_iovec_t v)
{
    if (v.base == NULL)
        return slice_make("", 0);
    return arena_slice_dup(a, slice_make(v.base, v.len));
}

/* The peer's address as text: IPv4 written here (every request has one, and getnameinfo's or sprintf's
 * general machinery cost more than the rest of the request's bookkeeping), anything else by h2o. */
static slice numeric_host(arena *a, struct sockaddr *sa, socklen_t len)
{
    if (sa->sa_family == AF_INET) {
        const uint8_t *b = (const uint8_t *)&((const struct sockaddr_in *)sa)->sin_addr;
        buf out;
        buf_init(&out, a, 16);
        for (int i = 0; i < 4; i++) {
            if (i)
                buf_append_char(&out, '.');
            buf_append_int(&out, b[i]);
        }
        return buf_slice(&out);
    }
    char ip[NI_MAXHOST];
    size_t n = h2o_socket_getnumerichost(sa, len, ip);
    return n != SIZE_MAX ? arena_slice_dup(a, slice_make(ip, n)) : slice_make("", 0);
}

static void build_view(req_state *st, listener *l, h2o_req_t *req)
{
    http_request *v = &st->view;
    arena *a = &st->arena;
    v->method = dup_iovec(a, req->method);
    size_t path_len = req->query_at != SIZE_MAX ? req->query_at : req->path.len;
    v->path = arena_slice_dup(a, slice_make(req->path.base, path_len));
    if (req->query_at != SIZE_MAX && req->query_at + 1 <= req->path.len)
        v->query =
            arena_slice_dup(a, slice_make(req->path.base + req->query_at + 1, req->path.len - req->query_at - 1));
    else
        v->query = slice_make("", 0);

    /* The library keeps Host and Content-Length out of req->headers: give them back. */
    bool has_host = req->authority.base != NULL && req->authority.base != l->hostconf->authority.hostport.base;
    bool has_body = req->entity.base != NULL;
    size_t n = req->headers.size + has_host + has_body;
    http_header *h = arena_alloc(a, sizeof(*h) * (n == 0 ? 1 : n));
    size_t k = 0;
    if (has_host)
        h[k++] = (http_header){SLICE_LIT("host"), dup_iovec(a, req->authority)};
    for (size_t i = 0; i != req->headers.size; i++) {
        const h2o_header_t *src = req->headers.entries + i;
        h[k].name = dup_iovec(a, *src->name);
        h[k].value = dup_iovec(a, src->value);
        k++;
    }
    if (has_body) {
        buf len;
        buf_init(&len, a, 24);
        buf_append_int(&len, (long long)req->entity.len);
        h[k++] = (http_header){SLICE_LIT("content-length"), buf_slice(&len)};
    }
    v->headers = h;
    v->num_headers = k;
    v->body = has_body ? dup_iovec(a, req->entity) : slice_make("", 0);

    struct sockaddr_storage ss;
    socklen_t sslen = req->conn->callbacks->get_peername != NULL
                          ? req->conn->callbacks->get_peername(req->conn, (struct sockaddr *)&ss)
                          : 0;
    v->peer_ip = sslen != 0 ? numeric_host(a, (struct sockaddr *)&ss, sslen) : slice_make("", 0);

    v->version = req->version;
    if (req->version >= 0x200)
        v->protocol = SLICE_LIT("HTTP/2");
    else if (req->version == 0x100)
        v->protocol = SLICE_LIT("HTTP/1.0");
    else
        v->protocol = SLICE_LIT("HTTP/1.1");
}

/* ---------- responding ---------- */

static bool header_is_ours(slice lname)
{
    return slice_eq_cstr(lname, "content-length") || slice_eq_cstr(lname, "transfer-encoding") ||
           slice_eq_cstr(lname, "connection") || slice_eq_cstr(lname, "date");
}

static void add_headers(h2o_req_t *req, arena *a, const http_header *headers, size_t n)
{
    for (size_t i = 0; i != n; i++) {
        slice name = headers[i].name;
        if (name.len == 0)
            continue;
        char *lname = arena_alloc(a, name.len + 1);
        for (size_t j = 0; j != name.len; j++) {
            char c = name.ptr[j];
            lname[j] = (c >= 'A' && c <= 'Z') ? (char)(c + 32) : c;
        }
        lname[name.len] = '\0';
        if (header_is_ours(slice_make(lname, name.len)))
            continue;
        bool same_case = memcmp(lname, name.ptr, name.len) == 0;
        h2o_add_header_by_str(&req->pool, &req->res.headers, lname, name.len, 1, same_case ? NULL : name.ptr,
                              (char *)headers[i].value.ptr, headers[i].value.len);
    }
}

static h2o_generator_t plain_generator = {NULL, NULL};

void http_respond(http_request *view, int status, const http_header *headers, size_t num_headers, slice body)
{
    req_state *st = (req_state *)view;
    if (st->responded)
        return;
    st->responded = true;
    h2o_req_t *req = st->h2o;
    if (req == NULL)
        return;
    req->res.status = status;
    req->res.reason = http_reason_phrase(status);
    add_headers(req, &st->arena, headers, num_headers);
    req->res.content_length = body.len;
    responding = st;
    h2o_start_response(req, &plain_generator);
    responding = NULL;
    if (h2o_memis(req->input.method.base, req->input.method.len, H2O_STRLIT("HEAD")) || body.len == 0) {
        h2o_send(req, NULL, 0, H2O_SEND_STATE_FINAL);
    } else {
        h2o_iovec_t buf = h2o_iovec_init(body.ptr, body.len);
        h2o_send(req, &buf, 1, H2O_SEND_STATE_FINAL);
    }
}

bool http_request_gone(const http_request *view)
{
    return ((const req_state *)view)->h2o == NULL;
}

/* Runs fn (a handler or a resumption) and whatever it resumes synchronously, then settles the
 * pending reference. */
static void run_handler(req_state *st, http_handler_fn fn, void *ctx, bool holds_pending)
{
    st->refs++;
    for (;;) {
        st->in_handler = true;
        st->resume_deferred = false;
        http_outcome outcome = fn(&st->view, ctx);
        st->in_handler = false;
        if (st->resume_deferred) {
            fn = st->resume_fn;
            ctx = st->resume_data;
            continue;
        }
        if (outcome == HTTP_PENDING) {
            if (!holds_pending) {
                st->refs++;
                holds_pending = true;
            }
            st->pending = true;
            break;
        }
        if (!st->responded) {
            log_error("http: handler returned without answering %.*s %.*s", SLICE_FMT(st->view.method),
                      SLICE_FMT(st->view.path));
            static const char msg[] = "{\"message\":\"Internal server error\"}";
            http_header ct = {SLICE_LIT("Content-Type"), SLICE_LIT("application/json")};
            http_respond(&st->view, 500, &ct, 1, SLICE_LIT(msg));
        }
        st->pending = false;
        if (holds_pending)
            st->refs--; /* cannot reach zero: the running reference is still held */
        break;
    }
    state_release(st);
}

void http_request_resume(http_request *view, http_handler_fn fn, void *data)
{
    req_state *st = (req_state *)view;
    http_loop *loop = st->loop;
    st->resume_fn = fn;
    st->resume_data = data;
    if (pthread_equal(pthread_self(), loop->self)) {
        if (st->in_handler) {
            st->resume_deferred = true;
            return;
        }
        run_handler(st, fn, data, true);
        return;
    }
    h2o_multithread_send_message(&loop->receiver, &st->message);
}

static void on_messages(h2o_multithread_receiver_t *receiver, h2o_linklist_t *messages)
{
    (void)receiver;
    while (!h2o_linklist_is_empty(messages)) {
        h2o_multithread_message_t *m = H2O_STRUCT_FROM_MEMBER(h2o_multithread_message_t, link, messages->next);
        h2o_linklist_unlink(&m->link);
        req_state *st = H2O_STRUCT_FROM_MEMBER(req_state, message, m);
        run_handler(st, st->resume_fn, st->resume_data, true);
    }
}

/* ---------- the library's entry points ---------- */

static int on_req(h2o_handler_t *self, h2o_req_t *req)
{
    listener *l = ((listener_handler *)self)->l;
    http_loop *loop = (http_loop *)req->conn->ctx;
    req_state *st = state_attach(loop, req);
    build_view(st, l, req);
    run_handler(st, l->config.handler, l->config.ctx, false);
    return 0;
}

/* Replaces the body of a response the library made itself (413, 400) with the listener's. */
typedef struct {
    h2o_ostream_t super;
    h2o_iovec_t body;
} body_override;

static void override_do_send(h2o_ostream_t *self, h2o_req_t *req, h2o_iovec_t *bufs, size_t bufcnt,
                             h2o_send_state_t state)
{
    body_override *o = (body_override *)self;
    if (state == H2O_SEND_STATE_FINAL) {
        bool head = h2o_memis(req->input.method.base, req->input.method.len, H2O_STRLIT("HEAD"));
        h2o_ostream_send_next(self, req, &o->body, head || o->body.len == 0 ? 0 : 1, state);
        return;
    }
    h2o_ostream_send_next(self, req, bufs, bufcnt, state);
}

static void on_setup_ostream(h2o_filter_t *self, h2o_req_t *req, h2o_ostream_t **slot)
{
    listener *l = ((listener_filter *)self)->l;
    if (responding != NULL || l->config.shape_error == NULL) {
        h2o_setup_next_ostream(req, slot);
        return;
    }
    http_loop *loop = (http_loop *)req->conn->ctx;
    req_state *st = state_attach(loop, req);
    st->responded = true;
    http_response out = {.status = req->res.status};
    l->config.shape_error(l->config.ctx, &out, &st->arena);
    memset(&req->res.headers, 0, sizeof(req->res.headers));
    add_headers(req, &st->arena, out.headers, out.num_headers);
    req->res.content_length = out.body.len;
    body_override *o = (body_override *)h2o_add_ostream(req, sizeof(*o), slot);
    o->super.do_send = override_do_send;
    o->body = h2o_iovec_init(out.body.ptr, out.body.len);
    h2o_setup_next_ostream(req, &o->super.next);
}

static void on_accept(h2o_socket_t *listen_sock, const char *err)
{
    loop_listener *ll = listen_sock->data;
    if (err != NULL)
        return;
    for (int i = 0; i < 16; i++) {
        h2o_socket_t *sock = h2o_evloop_socket_accept(listen_sock);
        if (sock == NULL)
            break;
        h2o_accept(&ll->accept, sock);
    }
}

/* ---------- loops ---------- */

static bool loop_drained(http_loop *loop)
{
    return loop->stopping && loop->live == 0 && h2o_linklist_is_empty(&loop->ctx.http1._conns) &&
           h2o_linklist_is_empty(&loop->ctx.http2._conns);
}

static void loop_begin_stop(http_loop *loop)
{
    loop->stopping = true;
    for (size_t i = 0; i != loop->server->num_listeners; i++) {
        loop_listener *ll = &((loop_listener *)loop->listeners)[i];
        if (ll->sock != NULL) {
            h2o_socket_read_stop(ll->sock);
            h2o_socket_close(ll->sock);
            ll->sock = NULL;
        }
    }
    h2o_context_request_shutdown(&loop->ctx);
    /* Connections idle between requests would otherwise wait out the full header timeout; every
     * response from now on closes its connection (shutdown_requested turns keep-alive off). */
    loop->ctx.http1.req_timeout.timeout = 0;
}

/* The library keeps per-thread recycling lists of memory (socket buffers, request-pool chunks) that
 * nothing frees when the thread ends; leak checkers rightly flag them. Empty them before the thread
 * exits. The pool chunks are only reachable by taking them back through a pool: the layout used
 * here (a chunk starts with its `next` link, 16 recycled at most, 4 allocations of 1000 bytes fill
 * one) is 2.2's. */
static void drain_thread_caches(void)
{
    h2o_mem_recycle_t *buffers = &h2o_socket_buffer_prototype.allocator;
    while (buffers->cnt != 0)
        free(h2o_mem_alloc_recycle(buffers, 1));
#if H2O_VERSION_MAJOR == 2 && H2O_VERSION_MINOR == 2
    h2o_mem_pool_t pool;
    h2o_mem_init_pool(&pool);
    for (int i = 0; i < 16 * 4; i++)
        h2o_mem_alloc_pool(&pool, 1000);
    void *chunk = pool.chunks;
    while (chunk != NULL) {
        void *next = *(void **)chunk;
        free(chunk);
        chunk = next;
    }
#endif
}

/* The library's sockets take their buffer allocator from a thread-local prototype at creation: a
 * socket created on another thread (the loop's wake-up pipe, its listening sockets) would share that
 * thread's non-thread-safe recycling list with every other loop, and two loops could be handed the
 * same buffer. So each loop creates its event loop, context and sockets on its own thread. */
static void loop_init(http_loop *loop)
{
    http_server *s = loop->server;
    pthread_mutex_lock(&s->init_lock); /* h2o_context_init reads the shared global configuration */
    h2o_context_init(&loop->ctx, h2o_evloop_create(), &s->globalconf);
    h2o_multithread_register_receiver(loop->ctx.queue, &loop->receiver, on_messages);
    loop->listeners = calloc(s->num_listeners, sizeof(loop_listener));
    for (size_t i = 0; i != s->num_listeners; i++) {
        listener *l = &s->listeners[i];
        loop_listener *ll = &((loop_listener *)loop->listeners)[i];
        ll->loop = loop;
        ll->accept.ctx = &loop->ctx;
        ll->accept.hosts = l->hosts;
        ll->sock = h2o_evloop_socket_create(loop->ctx.loop, l->fds[loop->index], H2O_SOCKET_FLAG_DONT_READ);
        l->fds[loop->index] = -1; /* the socket owns it now */
        ll->sock->data = ll;
        h2o_socket_read_start(ll->sock, on_accept);
    }
    s->loops_ready++;
    pthread_cond_broadcast(&s->init_cond);
    pthread_mutex_unlock(&s->init_lock);
}

static void *loop_main(void *arg)
{
    http_loop *loop = arg;
    http_server *server = loop->server;
    loop->self = pthread_self();
    loop_init(loop);
    if (server->config.thread_start != NULL)
        server->config.thread_start(loop->index, server->config.thread_ctx);

    while (!loop_drained(loop)) {
        h2o_evloop_run(loop->ctx.loop, INT32_MAX);
        if (!loop->stopping && atomic_load(&server->stopping))
            loop_begin_stop(loop);
    }

    if (server->config.thread_stop != NULL)
        server->config.thread_stop(loop->index, server->config.thread_ctx);
    http_loop_run_cleanups(loop);
    while (loop->free_states != NULL) {
        req_state *st = loop->free_states;
        loop->free_states = st->next_free;
        arena_destroy(&st->arena);
        free(st);
    }
    h2o_multithread_unregister_receiver(loop->ctx.queue, &loop->receiver);
    /* HTTP/2's graceful shutdown leaves its GOAWAY timer armed even with no connection left. */
    if (h2o_timeout_is_linked(&loop->ctx.http2._graceful_shutdown_timeout))
        h2o_timeout_unlink(&loop->ctx.http2._graceful_shutdown_timeout);
    h2o_evloop_t *evloop = loop->ctx.loop;
    h2o_multithread_queue_t *queue = loop->ctx.queue;
    h2o_context_dispose(&loop->ctx);
    free(queue);               /* the evloop flavour of h2o_multithread_destroy_queue does not free it */
    h2o_evloop_run(evloop, 0); /* lets closed sockets be freed */
    h2o_evloop_destroy(evloop);
    drain_thread_caches();
    return NULL;
}

/* ---------- listening sockets ---------- */

static int parse_addr(const char *host, unsigned port, struct sockaddr_storage *ss, socklen_t *len)
{
    memset(ss, 0, sizeof(*ss));
    struct sockaddr_in *sin = (struct sockaddr_in *)ss;
    struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;
    if (inet_pton(AF_INET, host, &sin->sin_addr) == 1) {
        sin->sin_family = AF_INET;
        sin->sin_port = htons((uint16_t)port);
        *len = sizeof(*sin);
        return 0;
    }
    if (inet_pton(AF_INET6, host, &sin6->sin6_addr) == 1) {
        sin6->sin6_family = AF_INET6;
        sin6->sin6_port = htons((uint16_t)port);
        *len = sizeof(*sin6);
        return 0;
    }
    return -1;
}

static int open_listen_socket(const char *host, unsigned port, unsigned *bound_port, char *err, size_t err_len)
{
    struct sockaddr_storage ss;
    socklen_t sslen;
    if (parse_addr(host, port, &ss, &sslen) != 0) {
        snprintf(err, err_len, "'%s' is not a numeric IP address", host);
        return -1;
    }
    int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd == -1) {
        snprintf(err, err_len, "socket: %s", strerror(errno));
        return -1;
    }
    int on = 1;
    if (ss.ss_family == AF_INET6)
        setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof(on));
    if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) != 0 ||
        setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &on, sizeof(on)) != 0 ||
        bind(fd, (struct sockaddr *)&ss, sslen) != 0 || listen(fd, SOMAXCONN) != 0) {
        snprintf(err, err_len, "cannot listen on %s:%u: %s", host, port, strerror(errno));
        close(fd);
        return -1;
    }
    struct sockaddr_storage got;
    socklen_t gotlen = sizeof(got);
    getsockname(fd, (struct sockaddr *)&got, &gotlen);
    *bound_port = ntohs(got.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&got)->sin6_port
                                                  : ((struct sockaddr_in *)&got)->sin_port);
    return fd;
}

/* Another process of the same user could hold the port with SO_REUSEPORT too and would silently
 * share its connections: refuse a port that is already bound. */
static bool port_taken(const char *host, unsigned port)
{
    struct sockaddr_storage ss;
    socklen_t sslen;
    if (port == 0 || parse_addr(host, port, &ss, &sslen) != 0)
        return false;
    int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd == -1)
        return false;
    int on = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
    bool taken = bind(fd, (struct sockaddr *)&ss, sslen) != 0 && errno == EADDRINUSE;
    close(fd);
    return taken;
}

static void free_server(http_server *s)
{
    for (size_t i = 0; i != s->num_listeners; i++) {
        listener *l = &s->listeners[i];
        if (l->fds != NULL)
            for (unsigned t = 0; t != s->threads; t++)
                if (l->fds[t] >= 0)
                    close(l->fds[t]);
        free(l->fds);
        free(l->name);
        free(l->host);
    }
    free(s->listeners);
    if (s->loops != NULL)
        for (unsigned t = 0; t != s->threads; t++)
            free(s->loops[t].listeners);
    if (s->loops != NULL) {
        pthread_mutex_destroy(&s->init_lock);
        pthread_cond_destroy(&s->init_cond);
    }
    free(s->loops);
    h2o_config_dispose(&s->globalconf);
    free(s);
}

http_server *http_server_start(const http_server_config *config, char *err, size_t err_len)
{
    http_server *s = calloc(1, sizeof(*s));
    if (s == NULL) {
        snprintf(err, err_len, "out of memory");
        return NULL;
    }
    s->config = *config;
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    s->threads = config->threads != 0 ? config->threads : (cores > 0 ? (unsigned)cores : 1);
    atomic_init(&s->stopping, false);

    h2o_config_init(&s->globalconf);
    s->globalconf.server_name = h2o_iovec_init("", 0); /* each listener decides its own Server header */
    s->globalconf.max_request_entity_size = config->max_body_bytes != 0 ? config->max_body_bytes : DEFAULT_MAX_BODY;
    unsigned timeout = config->header_timeout_ms != 0 ? config->header_timeout_ms : DEFAULT_HEADER_TIMEOUT_MS;
    s->globalconf.http1.req_timeout = timeout;
    s->globalconf.http1.upgrade_to_http2 = config->http2 ? 1 : 0;
    s->globalconf.http2.idle_timeout = timeout;
    s->globalconf.http2.graceful_shutdown_timeout = 2000;

    s->num_listeners = config->num_listeners;
    s->listeners = calloc(config->num_listeners, sizeof(listener));
    for (size_t i = 0; i != config->num_listeners; i++) {
        listener *l = &s->listeners[i];
        l->config = config->listeners[i];
        l->name = strdup(l->config.name != NULL ? l->config.name : "HTTP");
        l->host = strdup(l->config.host != NULL ? l->config.host : "127.0.0.1");
        l->config.name = l->name;
        l->config.host = l->host;
        char hostname[32];
        snprintf(hostname, sizeof(hostname), "listener-%zu", i);
        l->hostconf = h2o_config_register_host(&s->globalconf, h2o_iovec_init(hostname, strlen(hostname)), 65535);
        l->hosts[0] = l->hostconf;
        l->hosts[1] = NULL;
        /* No path is registered: every request falls to the fallback path, whose one handler is ours. */
        listener_handler *h = (listener_handler *)h2o_create_handler(&l->hostconf->fallback_path, sizeof(*h));
        h->super.on_req = on_req;
        h->l = l;
        listener_filter *f = (listener_filter *)h2o_create_filter(&l->hostconf->fallback_path, sizeof(*f));
        f->super.on_setup_ostream = on_setup_ostream;
        f->l = l;

        l->fds = malloc(sizeof(int) * s->threads);
        for (unsigned t = 0; t != s->threads; t++)
            l->fds[t] = -1;
        if (port_taken(l->host, l->config.port)) {
            snprintf(err, err_len, "cannot listen on %s:%u: %s", l->host, l->config.port, strerror(EADDRINUSE));
            free_server(s);
            return NULL;
        }
        unsigned port = l->config.port;
        for (unsigned t = 0; t != s->threads; t++) {
            unsigned bound = 0;
            l->fds[t] = open_listen_socket(l->host, port, &bound, err, err_len);
            if (l->fds[t] < 0) {
                free_server(s);
                return NULL;
            }
            port = bound; /* with port 0, every thread joins the port the first one got */
        }
        l->port = port;
    }

    s->loops = calloc(s->threads, sizeof(http_loop));
    pthread_mutex_init(&s->init_lock, NULL);
    pthread_cond_init(&s->init_cond, NULL);
    for (unsigned t = 0; t != s->threads; t++) {
        http_loop *loop = &s->loops[t];
        loop->server = s;
        loop->index = t;
        if (pthread_create(&loop->tid, NULL, loop_main, loop) != 0) {
            fputs("portico: cannot start a thread\n", stderr);
            abort();
        }
    }
    /* Each loop sets up its library context on its own thread (see loop_init); wait for all of them
     * so that http_server_stop can reach every loop's receiver. */
    pthread_mutex_lock(&s->init_lock);
    while (s->loops_ready != s->threads)
        pthread_cond_wait(&s->init_cond, &s->init_lock);
    pthread_mutex_unlock(&s->init_lock);
    return s;
}

unsigned http_server_port(const http_server *s, size_t i)
{
    return i < s->num_listeners ? s->listeners[i].port : 0;
}

unsigned http_server_threads(const http_server *s)
{
    return s->threads;
}

void http_server_stop(http_server *s)
{
    atomic_store(&s->stopping, true);
    for (unsigned t = 0; t != s->threads; t++)
        h2o_multithread_send_message(&s->loops[t].receiver, NULL); /* wakes the loop */
    for (unsigned t = 0; t != s->threads; t++)
        pthread_join(s->loops[t].tid, NULL);
    free_server(s);
}

/* ---------- request headers ---------- */

slice http_request_header_lc(const http_request *req, const char *lname)
{
    size_t len = strlen(lname);
    for (size_t i = 0; i != req->num_headers; i++) {
        slice n = req->headers[i].name;
        if (n.len == len && memcmp(n.ptr, lname, len) == 0)
            return req->headers[i].value;
    }
    return SLICE_NULL;
}

slice http_request_header(const http_request *req, slice name)
{
    for (size_t i = 0; i != req->num_headers; i++)
        if (slice_eq_nocase(req->headers[i].name, name))
            return req->headers[i].value;
    return SLICE_NULL;
}

void http_loop_run_cleanups(http_loop *loop)
{
    http_client_loop_dispose(loop);
}
