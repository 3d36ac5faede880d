/*
 * loop_internal: what the server and the client inside src/http/ share about an event loop. Private
 * to src/http/: it names the HTTP library's types.
 */
#ifndef PORTICO_HTTP_LOOP_INTERNAL_H
#define PORTICO_HTTP_LOOP_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

#include <h2o.h>

#include "http/server.h"

struct req_state;
struct http_client_loop;

struct http_loop {
    h2o_context_t ctx; /* first: the library hands us the context, we get back the loop */
    http_server *server;
    unsigned index;
    pthread_t tid;  /* as pthread_create returned it, for join */
    pthread_t self; /* set by the loop thread itself before it serves anything */
    h2o_multithread_receiver_t receiver;
    void *listeners; /* the server's per-loop listener sockets */
    struct req_state *free_states;
    size_t num_free;
    size_t live; /* request states not yet recycled: the loop stops only when none is left */
    bool stopping;
    struct http_client_loop *client; /* the HTTP client's per-loop part, made on first use */
};

/* Called by the loop thread after it stopped serving, before the library context goes away. */
void http_loop_run_cleanups(http_loop *loop);
/* The client's own cleanup (client.c); safe when the client was never used on this loop. */
void http_client_loop_dispose(http_loop *loop);

#endif
