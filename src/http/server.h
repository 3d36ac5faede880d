/*
 * server: the HTTP server every Portico listener runs on. Owns the event loops (one per thread, each
 * with its own SO_REUSEPORT socket per listener), the request lifecycle, the per-request arena and
 * the way back to a request's loop from any other thread. It never interprets a request: each
 * listener's handler answers every request itself (no library error pages), except the few the
 * server must refuse before a handler can run (body over the limit, broken chunked encoding), which
 * the listener can shape with `shape_error`. Nothing outside src/http/ sees the HTTP library.
 *
 * Lifecycle of a request:
 *   - the handler runs on the loop thread with a read-only view (every slice lives in req->arena,
 *     so it stays valid as long as the request does, even after the client is gone);
 *   - it answers at once (http_respond, return HTTP_DONE) or returns HTTP_PENDING and later, from
 *     ANY thread, calls http_request_resume(req, fn, data): fn then runs on the request's loop and
 *     answers (or goes pending again);
 *   - the arena is reset and recycled once the response is written AND no resume is outstanding. A
 *     client that disconnects while a request is pending only makes http_respond a no-op
 *     (http_request_gone tells); the request and its arena stay alive until fn has run.
 */
#ifndef PORTICO_HTTP_SERVER_H
#define PORTICO_HTTP_SERVER_H

#include <stdbool.h>
#include <stddef.h>

#include "core/arena.h"
#include "core/slice.h"

typedef struct http_server http_server;
typedef struct http_loop http_loop; /* one event loop thread */

typedef struct http_header {
    slice name; /* request headers: lower-case; response headers: sent as given */
    slice value;
} http_header;

typedef struct http_request {
    slice method;               /* "GET" */
    slice path;                 /* raw (percent-encoded) path, without the query: "/prod/a%20b" */
    slice query;                /* after '?', without it; empty when there is none */
    const http_header *headers; /* in arrival order; names lower-case */
    size_t num_headers;
    slice body;            /* whole body (chunked bodies are decoded) */
    slice peer_ip;         /* "127.0.0.1", "::1" */
    slice protocol;        /* "HTTP/1.1", "HTTP/1.0", "HTTP/2" */
    int version;           /* 0x100, 0x101, 0x200 */
    arena *arena;          /* everything of this request: free at its end, reset after it */
    http_loop *loop;       /* the loop the request belongs to (for the HTTP client, timers) */
    unsigned thread_index; /* 0 .. threads-1: index per-thread data with it */
} http_request;

typedef enum http_outcome {
    HTTP_DONE,    /* the handler has called http_respond (else the server answers 500) */
    HTTP_PENDING, /* the handler will call http_request_resume exactly once, from any thread */
} http_outcome;

typedef http_outcome (*http_handler_fn)(http_request *req, void *ctx);

typedef struct http_response {
    int status;
    http_header *headers;
    size_t num_headers;
    slice body;
} http_response;

/* Fills `out` (status already set) for a refusal the server makes before the handler can run:
 * 413 (body over max_body_bytes) and 400 (broken chunked body). Allocate from `a`. */
typedef void (*http_shape_error_fn)(void *ctx, http_response *out, arena *a);

typedef struct http_listener_config {
    const char *name; /* for log lines: "DynamoDB API" */
    const char *host; /* numeric IPv4 or IPv6 address: "127.0.0.1", "::1", "0.0.0.0" */
    unsigned port;    /* 0: the system picks one (the same for every thread); see http_server_port */
    http_handler_fn handler;
    void *ctx;
    http_shape_error_fn shape_error; /* NULL: a short text/plain body */
} http_listener_config;

typedef struct http_server_config {
    unsigned threads;           /* event loops; 0 = number of cores */
    size_t max_body_bytes;      /* 0 = 10 MB (API Gateway's payload limit) */
    unsigned header_timeout_ms; /* time to receive a request's head and body; 0 = 10 s */
    bool http2;                 /* cleartext HTTP/2 (prior knowledge and h2c upgrade); off by default */
    const http_listener_config *listeners;
    size_t num_listeners;
    /* Optional, run on each loop thread when it starts and before it ends (per-thread resources). */
    void (*thread_start)(unsigned thread_index, void *ctx);
    void (*thread_stop)(unsigned thread_index, void *ctx);
    void *thread_ctx;
} http_server_config;

/* Binds every listener on every thread (errors such as "address in use" come back here, in `err`)
 * and starts the loops. Returns NULL on failure. */
http_server *http_server_start(const http_server_config *config, char *err, size_t err_len);
/* The port a listener is bound to (useful with port 0). */
unsigned http_server_port(const http_server *server, size_t listener_index);
unsigned http_server_threads(const http_server *server);
/* Graceful stop: stops accepting, closes idle connections, lets in-flight requests finish (pending
 * ones included), joins the threads and frees the server. Call from a thread that is not a loop. */
void http_server_stop(http_server *server);

/* Case-insensitive lookup of a request header; the first one wins. SLICE_NULL when absent. */
slice http_request_header(const http_request *req, slice name);
/* `lname` already lower-case: the fast path. */
slice http_request_header_lc(const http_request *req, const char *lname);

/* On the request's loop thread only. Headers and body must stay valid until the request ends (the
 * arena does). Content-Length is set from body.len; Content-Length, Transfer-Encoding, Connection
 * and Date given here are ignored (the server writes them). A second call is ignored. A no-op when
 * the client is gone. */
void http_respond(http_request *req, int status, const http_header *headers, size_t num_headers, slice body);
static inline void http_respond_with(http_request *req, const http_response *res)
{
    http_respond(req, res->status, res->headers, res->num_headers, res->body);
}
/* Has the client gone away (connection closed, HTTP/2 stream reset)? Loop thread only. */
bool http_request_gone(const http_request *req);
/* For a request whose handler returned (or is about to return) HTTP_PENDING. From any thread: fn
 * runs on the request's loop thread: at once when called from that thread outside the handler,
 * right after the handler returns when called from inside it, or through the loop's queue from
 * another thread. fn answers as a handler does (HTTP_DONE or HTTP_PENDING again). */
void http_request_resume(http_request *req, http_handler_fn fn, void *data);

/* Standard reason phrase ("Not Found"); "Unknown" for codes it does not know. */
const char *http_reason_phrase(int status);

#endif
