/*
 * jsonpath: the JSONPath that $input.path / $input.json accept, evaluated as Jayway JsonPath 2.0 does
 * (default configuration, json-smart provider) over jansson values from jutil_json_parse:
 *   $  .name  ['name']  ["name"]  [n]  [-n]  [*]  .*  ..name  [a:b] [:b] [a:]  [0,1]  ['a','b']
 *   filters [?(@.x == 'y')] with == != < <= > >= =~ && || ( ) and existence [?(@.x)] / [?(!@.x)]
 * A definite path (no wildcard, deep scan, slice, union or filter) yields the one value it names; an
 * indefinite path yields an array of every match, possibly empty. Either can be "not found" (Jayway's
 * PathNotFoundException, which $input.path turns into ""): 2.0 throws it for a missing leaf even in an
 * indefinite path, unless an array wildcard [*] above it swallows it (see jsonpath.c for the rules).
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

/* A path whose every step is one property name or one index ("$", "$.a.b", "$['a'][0]"): the number of
 * steps; -1 for any other path. Following such steps through objects that have the names and arrays long
 * enough for the indexes finds exactly what jsonpath_eval finds; anywhere else the caller must ask
 * jsonpath_eval (missing names, wrong kinds and bad indexes have their own outcomes). */
int jsonpath_simple_length(const jsonpath *p);
/* Step i (< jsonpath_simple_length) of such a path: a name (*index set to -1) or an index >= 0 (*name
 * empty); a negative index in the path is reported as -2, which no array satisfies. */
void jsonpath_simple_step(const jsonpath *p, size_t i, slice *name, long *index);

enum { JSONPATH_NOT_FOUND = 0, JSONPATH_FOUND = 1 };
/* Evaluates p over root. Returns JSONPATH_FOUND with *out a new reference (for a definite path the value
 * itself, inside root, which may be json null; for an indefinite path a new array in the current json
 * arena), JSONPATH_NOT_FOUND (*out NULL), or -1 with e set when Jayway would throw something other than
 * PathNotFoundException (InvalidPathException: [0] on an object, a filter on a string, ...; and
 * IllegalArgumentException when root is JSON null, as Jayway refuses a null document; status 500).
 * The values returned are shared with root: copy before changing them. */
int jsonpath_eval(const jsonpath *p, json_t *root, json_t **out, aws_error *e);

/* Compile into `a` and evaluate in one call. */
int jsonpath_read(arena *a, slice path, json_t *root, json_t **out, aws_error *e);

#endif
