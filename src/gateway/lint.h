/*
 * lint: the traps API Gateway users fall into, found by reading a prepared model: DynamoDB errors
 * that the default response turns into 200s, user input spliced into DynamoDB JSON without
 * $util.escapeJavaScript, cached methods whose cache key leaves out a request parameter. Reports
 * only; never changes the model.
 */
#ifndef PORTICO_GATEWAY_LINT_H
#define PORTICO_GATEWAY_LINT_H

#include <stdio.h>

#include "stack/model.h"

/* Writes one "warning: …" line per finding; returns how many. Run after gateway_create, which
 * compiles the selection patterns this reads. */
size_t gateway_lint(const stack_model *m, FILE *out);

#endif
