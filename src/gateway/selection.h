/*
 * selection: integration response selection patterns. API Gateway treats selectionPattern as a Java
 * regular expression that must match the whole integration status (String.matches); PCRE2 runs it
 * anchored at both ends. Compiled once at load; matching allocates per call only its match data.
 */
#ifndef PORTICO_GATEWAY_SELECTION_H
#define PORTICO_GATEWAY_SELECTION_H

#include <stdbool.h>

#include "core/error.h"
#include "core/slice.h"

typedef struct selection_pattern selection_pattern;

/* Compiled with malloc: lives as long as the process (patterns belong to the loaded model). */
selection_pattern *selection_compile(slice pattern, aws_error *err);
bool selection_matches(const selection_pattern *p, slice subject);

#endif
