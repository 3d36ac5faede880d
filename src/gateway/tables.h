/*
 * tables: makes the store hold the tables a stack declares. A missing table is created (with its
 * TTL setting); an existing one is kept with its data, and must have the declared key schema. Runs
 * once at start, before serving; calls the engine synchronously.
 */
#ifndef PORTICO_GATEWAY_TABLES_H
#define PORTICO_GATEWAY_TABLES_H

#include "core/error.h"
#include "dynamo/engine.h"
#include "stack/model.h"

int gateway_ensure_tables(const stack_model *m, dynamo_engine *engine, aws_error *err);

/* Calls the engine and waits for the answer (for start-up work and commands without a loop).
 * Returns 0 with *response set (in `a`), or -1 with err set. */
int dynamo_call_wait(dynamo_engine *engine, const char *operation, json_t *request, arena *a, json_t **response,
                     aws_error *err);

#endif
