/*
 * client: asynchronous HTTP/1.1 requests to upstream URLs, for the gateway's HTTP integrations.
 * Owns keep-alive connection pooling (per event loop and upstream, with a connection limit of its
 * own), the overall timeout (API Gateway's 29 s by default), one retry of an idempotent request
 * that failed before any answer (a pooled connection the upstream had closed), and copying the
 * answer into the caller's arena. It never interprets the answer: status, headers and body go back
 * as they came. Everything runs on the loop thread the call was made on.
 */
#ifndef PORTICO_HTTP_CLIENT_H
#define PORTICO_HTTP_CLIENT_H

#include <stdbool.h>
#include <stddef.h>

#include "core/arena.h"
#include "core/slice.h"
#include "http/server.h"

typedef struct http_client_call http_client_call;

typedef struct http_client_request {
    slice method;               /* "GET", "POST"... */
    slice url;                  /* "http://host:port/path?query" or "https://..." */
    const http_header *headers; /* Host, Content-Length, Connection, Transfer-Encoding are the client's */
    size_t num_headers;
    slice body;
    unsigned timeout_ms; /* from the call to the end of the answer; 0 = 29000 (API Gateway's default) */
} http_client_request;

typedef struct http_client_response {
    int status;                 /* 0 when the exchange failed */
    const http_header *headers; /* names lower-case; in the arena */
    size_t num_headers;
    slice body;        /* in the arena */
    const char *error; /* NULL on success, else what went wrong ("connection refused", "timeout") */
    bool timed_out;
} http_client_response;

/* Runs once on the loop thread, possibly before http_client_send returns (a connection error found
 * at once). The response's memory is the arena given to http_client_send. */
typedef void (*http_client_done_fn)(void *user, const http_client_response *res);

typedef struct http_client_config {
    unsigned max_connections_per_upstream; /* per loop; further calls wait their turn; 0 = 64 */
    unsigned idle_timeout_ms;              /* a pooled connection unused this long is closed; 0 = 2000 */
    size_t max_response_bytes;             /* larger answers fail; 0 = 10 MB (API Gateway's limit) */
    bool insecure_tls;                     /* skip the upstream certificate checks (tests only) */
} http_client_config;

/* Optional, before the server starts: process-wide settings (zero fields take the defaults). */
void http_client_configure(const http_client_config *config);

/* From the loop thread of `loop` (in a handler: req->loop). The call lives in `a` (the request
 * arena), which must outlive it: a request that waits on it is pending, so it does. */
http_client_call *http_client_send(http_loop *loop, arena *a, const http_client_request *request,
                                   http_client_done_fn done, void *user);
/* Abandons a call whose done has not run yet; done will not run. */
void http_client_cancel(http_client_call *call);

#endif
