/*
 * vtl: API Gateway's mapping-template language (Apache Velocity 1.7 with API Gateway's variables and
 * null rules). A template is compiled once (vtl_compile) into an immutable tree held in the caller's
 * long-lived arena, then rendered per request (vtl_render) into the request arena without re-parsing.
 * The compiled form is read-only during rendering, so one template may be rendered by many threads.
 * This module never does I/O, never chooses templates (Content-Type selection and passthrough belong
 * to the gateway) and never talks to DynamoDB.
 *
 * Where it knowingly differs from Velocity 1.7 on the JVM (see shared/VTL-FACTS.md for AWS's rules):
 *  - #foreach stops silently after VTL_FOREACH_MAX (1,000) iterations, API Gateway's quota, the way
 *    Velocity's directive.foreach.maxloops stops a loop (the reference harness has no cap).
 *  - Regexes (replaceAll, replaceFirst, matches, split) run on PCRE2, which accepts Java's syntax for
 *    everything templates use; Java-only constructs (\p{javaLowerCase}, possessive classes with
 *    intersections [a-z&&[^b]]) fail as a syntax error instead.
 *  - toLowerCase/toUpperCase change ASCII letters only. String.split returns a list (Java returns a
 *    String[] that prints as "[Ljava.lang.String;@hash"). Integer overflow beyond Long becomes a Double
 *    (Java: BigInteger). #include and #parse render nothing (no resources behind API Gateway).
 *  - Renders are bounded: VTL_MAX_DEPTH macro/#define/#evaluate depth, VTL_MAX_STEPS statements,
 *    VTL_MAX_OUTPUT bytes and VTL_MAX_MEMORY arena bytes; beyond them the render fails (500).
 */
#ifndef PORTICO_VTL_VTL_H
#define PORTICO_VTL_VTL_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/arena.h"
#include "core/error.h"
#include "core/slice.h"

typedef struct vtl_template vtl_template;

/* One name/value pair of an ordered string map (parameters, headers, stage variables, overrides). */
typedef struct vtl_pair {
    slice name;
    slice value;
} vtl_pair;

typedef struct vtl_pairs {
    const vtl_pair *items;
    size_t count;
} vtl_pairs;

/* What $context.requestOverride / $context.responseOverride hold. On input (optional) the values a
 * previous template set (the response template sees what the request template wrote); on output the
 * values after rendering. status 0 means "not set". Arrays on output live in the render arena. */
typedef struct vtl_overrides {
    vtl_pairs request_header, request_path, request_querystring;
    vtl_pairs response_header;
    int response_status;
} vtl_overrides;

typedef struct vtl_env {
    slice body; /* raw body ($input.body; an empty body reads as "{}") */
    /* Optional: the body already parsed, exactly what json-smart would make of `body` (the gateway
     * holds DynamoDB's answer as a tree). Then `body` may be left empty (ptr NULL): it is written from
     * the tree only if the template reads $input.body. The tree is only read, never changed. */
    const json_t *body_json;
    vtl_pairs path;        /* $input.params().path, in order */
    vtl_pairs querystring; /* URL-decoded values */
    vtl_pairs header;
    vtl_pairs stage_variables;
    /* $context: a JSON object (nested objects for identity, authorizer, ...); strings, numbers and
     * booleans become the matching Java values. May be NULL. requestOverride/responseOverride are
     * added by the engine and need not be present. */
    const json_t *context;
    /* Or, when context is NULL: called once, on the template's first read of $context, to build it
     * (most templates never read it; the gateway then never builds it). */
    const json_t *(*context_of)(void *user);
    void *context_user;
    /* Optional: string members of $context the caller knows without building it (requestId, ...), each with the
     * value the built $context holds under that name. A template reading $context.requestId then gets it from
     * here: the context is neither built nor searched. */
    vtl_pairs context_strings;
    vtl_overrides overrides; /* in and out, see above */
} vtl_env;

/* Limits that keep a hostile template bounded (API Gateway's own #foreach cap is 1,000 iterations). */
#define VTL_FOREACH_MAX 1000
#define VTL_MAX_DEPTH   20                   /* macro / #define / #evaluate depth (Velocity's velocimacro.max.depth) */
#define VTL_MAX_OUTPUT  (8u * 1024 * 1024)   /* rendered bytes, also the longest string built */
#define VTL_MAX_STEPS   5000000u             /* statements rendered per request */
#define VTL_MAX_MEMORY  (128u * 1024 * 1024) /* bytes one render may take from its arena */

/* Compiles `source` into `a` (which must outlive the template). On a syntax error returns NULL and
 * fills err (status 400, type "BadRequestException") with Velocity's wording, e.g.
 * `Encountered "#end" at line 3, column 1`. */
vtl_template *vtl_compile(slice source, arena *a, aws_error *err);

/* Renders into `a` (the request arena). Returns 0 and sets *out, or -1 with err filled (status 500,
 * type "InternalServerErrorException", message the reason for the log; the gateway answers
 * 500 {"message": "Internal server error"}). env->overrides is updated on success. */
int vtl_render(const vtl_template *t, vtl_env *env, arena *a, slice *out, aws_error *err);

#endif
