/*
 * engine_bench: CPU time per DynamoDB call inside the engine, without HTTP, clients or other
 * processes in the way: what the wire API does per request between reading the body and writing
 * the answer (parse the JSON text, dynamo_engine_call, serialise the response), on one thread, timed
 * with the thread's own CPU clock so that a shared, busy machine changes the figures little.
 *
 * The table is the one bench/run-dynamo uses (hash key pk, GSI by-group on g + s, 1000 items in
 * 100 groups). Reports the best of several rounds for GetItem, Query on the GSI and PutItem (the
 * store opened with --no-fsync semantics, so PutItem shows the CPU cost, not the disk).
 *
 *   build/engine_bench [rounds] [calls-per-round] [GetItem|Query|PutItem]
 *
 * CPU clocks still move with the machine's load; for differences of a few percent, count
 * instructions: valgrind --tool=callgrind build/engine_bench 1 N Query, for two values of N.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/json.h"
#include "core/json_parse.h"
#include "dynamo/engine.h"

typedef struct waiter {
    dynamo_call call;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    bool finished;
} waiter;

static void on_done(dynamo_call *call)
{
    waiter *w = (waiter *)call;
    pthread_mutex_lock(&w->lock);
    w->finished = true;
    pthread_cond_signal(&w->cond);
    pthread_mutex_unlock(&w->lock);
}

/* One call as the wire API makes it; returns the response text's length (0 on error). */
static size_t call(dynamo_engine *e, arena *a, const char *op, const char *body)
{
    arena *prev = json_arena_push(a);
    waiter w = {.finished = false};
    pthread_mutex_init(&w.lock, NULL);
    pthread_cond_init(&w.cond, NULL);
    w.call.operation = slice_cstr(op);
    w.call.request = json_parse(slice_cstr(body), 0);
    w.call.arena = a;
    w.call.done = on_done;
    w.call.text_response = true; /* as the wire API asks */
    dynamo_engine_call(e, &w.call);
    pthread_mutex_lock(&w.lock);
    while (!w.finished)
        pthread_cond_wait(&w.cond, &w.lock);
    pthread_mutex_unlock(&w.lock);
    size_t n = 0;
    if (!error_is_set(&w.call.error) && w.call.response_text.ptr != NULL)
        n = w.call.response_text.len;
    else if (!error_is_set(&w.call.error) && w.call.response != NULL)
        n = json_dump_slice(w.call.response, JSON_COMPACT).len;
    else
        fprintf(stderr, "%s failed: %s %s\n", op, w.call.error.type, w.call.error.message);
    json_arena_pop(prev);
    pthread_mutex_destroy(&w.lock);
    pthread_cond_destroy(&w.cond);
    return n;
}

static double cpu_us(clockid_t clock)
{
    struct timespec ts;
    clock_gettime(clock, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

typedef enum { OP_GET, OP_QUERY, OP_PUT } bench_op;

static void request_text(bench_op op, unsigned i, char *out, size_t size)
{
    switch (op) {
    case OP_GET:
        snprintf(out, size, "{\"TableName\":\"Bench\",\"Key\":{\"pk\":{\"S\":\"item-%u\"}}}", i % 1000);
        break;
    case OP_QUERY:
        snprintf(out, size,
                 "{\"TableName\":\"Bench\",\"IndexName\":\"by-group\",\"KeyConditionExpression\":\"g = :g\","
                 "\"ExpressionAttributeValues\":{\":g\":{\"S\":\"g%u\"}}}",
                 i % 100);
        break;
    case OP_PUT:
        snprintf(out, size,
                 "{\"TableName\":\"Bench\",\"Item\":{\"pk\":{\"S\":\"w-%u\"},\"g\":{\"S\":\"g%u\"},"
                 "\"s\":{\"N\":\"%u\"},\"data\":{\"S\":\"%0100d\"}}}",
                 i, i % 100, i, 0);
        break;
    }
}

int main(int argc, char **argv)
{
    int rounds = argc > 1 ? atoi(argv[1]) : 5;
    unsigned per_round = argc > 2 ? (unsigned)atoi(argv[2]) : 20000;
    json_glue_init();
    char dir[] = "/tmp/portico-engine-bench-XXXXXX";
    if (mkdtemp(dir) == NULL)
        return 1;
    dynamo_options o = {.data_dir = dir, .no_sync = true, .map_size = (size_t)1 << 30};
    aws_error err;
    dynamo_engine *e = dynamo_engine_open(&o, &err);
    if (e == NULL) {
        fprintf(stderr, "open: %s\n", err.message);
        return 1;
    }
    arena a;
    arena_init(&a, 64 * 1024);
    call(e, &a, "CreateTable",
         "{\"TableName\":\"Bench\",\"BillingMode\":\"PAY_PER_REQUEST\","
         "\"AttributeDefinitions\":[{\"AttributeName\":\"pk\",\"AttributeType\":\"S\"},"
         "{\"AttributeName\":\"g\",\"AttributeType\":\"S\"},{\"AttributeName\":\"s\",\"AttributeType\":\"N\"}],"
         "\"KeySchema\":[{\"AttributeName\":\"pk\",\"KeyType\":\"HASH\"}],"
         "\"GlobalSecondaryIndexes\":[{\"IndexName\":\"by-group\",\"KeySchema\":[{\"AttributeName\":\"g\","
         "\"KeyType\":\"HASH\"},{\"AttributeName\":\"s\",\"KeyType\":\"RANGE\"}],"
         "\"Projection\":{\"ProjectionType\":\"ALL\"}}]}");
    char body[512];
    for (unsigned i = 0; i < 1000; i++) {
        snprintf(body, sizeof body,
                 "{\"TableName\":\"Bench\",\"Item\":{\"pk\":{\"S\":\"item-%u\"},\"g\":{\"S\":\"g%u\"},"
                 "\"s\":{\"N\":\"%u\"},\"data\":{\"S\":\"%0100d\"}}}",
                 i, i % 100, i, 0);
        call(e, &a, "PutItem", body);
        arena_reset(&a);
    }
    static const char *const names[] = {"GetItem", "Query", "PutItem"};
    unsigned next_put = 0;
    const char *only = argc > 3 ? argv[3] : NULL;
    for (int op = OP_GET; op <= OP_PUT; op++) {
        if (only != NULL && strcmp(only, names[op]) != 0)
            continue;
        double best = 1e18, best_process = 1e18;
        size_t bytes = 0;
        for (int r = 0; r < rounds; r++) {
            double start = cpu_us(CLOCK_THREAD_CPUTIME_ID), start_process = cpu_us(CLOCK_PROCESS_CPUTIME_ID);
            for (unsigned i = 0; i < per_round; i++) {
                request_text((bench_op)op, op == OP_PUT ? next_put++ : i * 7919u, body, sizeof body);
                bytes = call(e, &a, names[op], body);
                arena_reset(&a);
            }
            double per_call = (cpu_us(CLOCK_THREAD_CPUTIME_ID) - start) / per_round;
            double per_call_process = (cpu_us(CLOCK_PROCESS_CPUTIME_ID) - start_process) / per_round;
            if (per_call < best)
                best = per_call;
            if (per_call_process < best_process)
                best_process = per_call_process;
        }
        printf("%-8s %7.2f us CPU per call on the calling thread, %7.2f us in all threads (best of %d x %u), "
               "response %zu bytes\n",
               names[op], best, best_process, rounds, per_round, bytes);
    }
    arena_destroy(&a);
    dynamo_engine_close(e);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : 1;
}
