/*
 * jsonpath: the JSONPath that $input.path / $input.json accept, evaluated as Jayway JsonPath 2.0 does
 * (default configuration, json-smart provider) over jansson values from jutil_json_parse:
 *   $  .name  ['name']  ["name"]  [n]  [-n]  [*]  .*  ..name  [a:b] [:b] [a:]  [0,1]  ['a','b']
 *   filters [?(@.x == 'y')] with == != < <= > >= =~ in nin size empty && || and existence [?(@.x)]
 * A definite path (no wildcard, deep scan, slice, union or filter) yields the one value it names, or
 * "not found" when it is missing (Jayway's PathNotFoundException, which $input.path turns into ""). An
 * indefinite path yields an array of every match, possibly empty; it is never "not found".
 * Compiling owns the syntax errors (Jayway's InvalidPathException and its message).
 * Never parses JSON documents and never changes the values it walks.
 */
#ifndef PORTICO_VTL_JSONPATH_H
#define PORTICO_VTL_JSONPATH_H

#include <jansson.h>
#include <stdbool.h>

#include "core/arena.h"
#include "core/error.h"
#include "core/slice.h"

typedef struct jsonpath jsonpath;

/* Compiles `path`; the compiled form lives in `a` (a template's load arena, so that constant paths are
 * compiled once). On a malformed path returns -1 with e set: status 500, type "InvalidPathException",
 * Jayway's message. */
int jsonpath_compile(arena *a, slice path, jsonpath **out, aws_error *e);
bool jsonpath_is_definite(const jsonpath *p);

enum { JSONPATH_NOT_FOUND = 0, JSONPATH_FOUND = 1 };
/* Evaluates p over root. Returns JSONPATH_FOUND with *out a new reference (for a definite path the value
 * itself, inside root, which may be json null; for an indefinite path a new array in the current json
 * arena), JSONPATH_NOT_FOUND (definite path only, *out NULL), or -1 with e set when Jayway would throw
 * something other than PathNotFoundException. */
int jsonpath_eval(const jsonpath *p, json_t *root, json_t **out, aws_error *e);

/* Compile into `a` and evaluate in one call. */
int jsonpath_read(arena *a, slice path, json_t *root, json_t **out, aws_error *e);

#endif
