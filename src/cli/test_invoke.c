/* `portico test-invoke`: the console's TEST button without a server. Loads the template, makes sure
 * its tables exist in the data folder, runs one request through the gateway and prints the
 * execution log, then the status, headers and body. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/commands.h"
#include "cli/options.h"
#include "core/json.h"
#include "gateway/gateway.h"
#include "gateway/tables.h"
#include "stack/stack.h"

static const char usage[] =
    "usage: portico test-invoke TEMPLATE METHOD PATH [--body TEXT | --body-file FILE] [--header K=V]...\n"
    "                           [--query K=V]... [--stage S] [--data DIR] [--parameter K=V]...\n"
    "PATH is the resource path without the stage, e.g. /comments/p1.\n";

typedef struct invocation {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    bool finished;
} invocation;

static void on_done(gw_exchange *x)
{
    invocation *inv = x->transport;
    pthread_mutex_lock(&inv->lock);
    inv->finished = true;
    pthread_cond_signal(&inv->cond);
    pthread_mutex_unlock(&inv->lock);
}

/* No loop of our own: continue on whichever thread finished the work. */
static void resume_here(gw_exchange *x, void (*fn)(gw_exchange *x))
{
    fn(x);
}

int cmd_test_invoke(int argc, char **argv)
{
    cli_request req;
    if (cli_request_parse(argc, argv, 3, &req, usage) != 0)
        return 1;
    const char *template_path = req.positional[0];
    arena load;
    arena_init(&load, 1 << 16);
    stack_model *model;
    aws_error err;
    error_clear(&err);
    stack_options opts = {.parameters = req.parameters, .parameter_count = req.parameter_count};
    if (stack_load(template_path, &opts, &model, &load, &err) != 0) {
        fprintf(stderr, "portico: %s\n", err.message);
        return 1;
    }
    dynamo_options dopts = {.data_dir = req.data_dir};
    dynamo_engine *engine = dynamo_engine_open(&dopts, &err);
    if (engine == NULL) {
        fprintf(stderr, "portico: %s\n", err.message);
        return 1;
    }
    int rc = 1;
    gateway_options gopts = {.data_dir = req.data_dir};
    gateway *g = NULL;
    if (gateway_ensure_tables(model, engine, &err) != 0 ||
        (g = gateway_create((const stack_model *const *)&model, 1, engine, &gopts, &load, &err)) == NULL) {
        fprintf(stderr, "portico: %s\n", err.message);
        goto out;
    }
    const model_api *api = model->api_count != 0 ? &model->apis[0] : NULL;
    const char *stage = req.stage;
    if (stage == NULL)
        stage = api != NULL && api->stage_count != 0 ? api->stages[0].name.ptr : "prod";
    arena request_arena;
    arena_init(&request_arena, 1 << 16);
    buf trace;
    buf_init(&trace, &request_arena, 4096);
    invocation inv = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, false};
    const char *path = req.positional[2];
    gw_exchange x = {
        .method = slice_cstr(req.positional[1]),
        .path = slice_cstr(arena_sprintf(&request_arena, "/%s%s%s", stage, path[0] == '/' ? "" : "/", path)),
        .query = slice_cstr(req.query),
        .host = SLICE_LIT("localhost"),
        .headers = req.headers,
        .body = req.body,
        .source_ip = SLICE_LIT("test-invoke-source-ip"),
        .protocol = SLICE_LIT("HTTP/1.1"),
        .arena = &request_arena,
        .trace = &trace,
        .done = on_done,
        .resume = resume_here,
        .transport = &inv,
    };
    gateway_handle(g, &x);
    pthread_mutex_lock(&inv.lock);
    while (!inv.finished)
        pthread_cond_wait(&inv.cond, &inv.lock);
    pthread_mutex_unlock(&inv.lock);
    slice log = buf_slice(&trace);
    printf("Execution log:\n%.*s\nStatus: %d\nHeaders:\n", SLICE_FMT(log), x.status);
    for (size_t i = 0; i < x.response_headers.count; i++)
        printf("  %.*s: %.*s\n", SLICE_FMT(x.response_headers.items[i].name),
               SLICE_FMT(x.response_headers.items[i].value));
    printf("Body:\n%.*s\n", SLICE_FMT(x.response_body));
    arena_destroy(&request_arena);
    rc = 0;
out:
    gateway_destroy(g);
    dynamo_engine_close(engine);
    arena_destroy(&load);
    cli_request_free(&req);
    return rc;
}
