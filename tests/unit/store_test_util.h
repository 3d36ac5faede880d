/* Helpers shared by the store unit tests: temporary data folders, tables, synchronous engine calls. */
#ifndef PORTICO_TESTS_STORE_TEST_UTIL_H
#define PORTICO_TESTS_STORE_TEST_UTIL_H

#include <criterion/criterion.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/json.h"
#include "dynamo/engine.h"
#include "dynamo/item_codec.h"
#include "dynamo/ops.h"
#include "dynamo/store.h"

static inline char *temp_data_dir(void)
{
    char *dir = strdup("/tmp/portico-store-test-XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
    return dir;
}

static inline void remove_dir(const char *dir)
{
    char cmd[512];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    cr_assert_eq(system(cmd), 0);
}

typedef struct sync_call {
    dynamo_call call;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    bool finished;
} sync_call;

static inline void sync_call_done(dynamo_call *call)
{
    sync_call *s = (sync_call *)call;
    pthread_mutex_lock(&s->lock);
    s->finished = true;
    pthread_cond_signal(&s->cond);
    pthread_mutex_unlock(&s->lock);
}

/* Calls an operation (request_json parsed into `a`) and waits for it; the finished call, its response or
 * error filled, lives in `a`. `text_response` asks for the answer as text where the operation can give it. */
static inline dynamo_call *engine_call_finished(dynamo_engine *e, arena *a, const char *op, const char *request_json,
                                                bool text_response)
{
    sync_call *s = arena_calloc(a, sizeof(*s));
    pthread_mutex_init(&s->lock, NULL);
    pthread_cond_init(&s->cond, NULL);
    arena *prev = json_arena_push(a);
    json_error_t jerr;
    s->call.request = json_loads(request_json, 0, &jerr);
    json_arena_pop(prev);
    cr_assert_not_null(s->call.request, "bad test JSON: %s", jerr.text);
    s->call.operation = slice_cstr(op);
    s->call.arena = a;
    s->call.done = sync_call_done;
    s->call.text_response = text_response;
    dynamo_engine_call(e, &s->call);
    pthread_mutex_lock(&s->lock);
    while (!s->finished)
        pthread_cond_wait(&s->cond, &s->lock);
    pthread_mutex_unlock(&s->lock);
    pthread_mutex_destroy(&s->lock);
    pthread_cond_destroy(&s->cond);
    return &s->call;
}

/* Calls an operation and waits for its completion; the response lives in arena `a`. Returns the
 * response (NULL on error, then *err is filled). */
static inline json_t *engine_call(dynamo_engine *e, arena *a, const char *op, const char *request_json, aws_error *err)
{
    dynamo_call *call = engine_call_finished(e, a, op, request_json, false);
    if (err != NULL)
        *err = call->error;
    return call->response;
}

static inline json_t *parse_in(arena *a, const char *text)
{
    arena *prev = json_arena_push(a);
    json_error_t jerr;
    json_t *v = json_loads(text, 0, &jerr);
    json_arena_pop(prev);
    cr_assert_not_null(v, "bad test JSON: %s (%s)", jerr.text, text);
    return v;
}

#endif
