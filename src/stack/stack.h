/*
 * stack: loads the user's deployment file (CloudFormation YAML/JSON, SAM, or a bare OpenAPI 3.0 /
 * Swagger 2.0 document) into the model (stack/model.h).
 *
 * Everything the model holds is allocated in the caller's load arena; temporary work (the raw
 * template, libfyaml's parser) is freed before returning, on success and on failure alike. The
 * caller must have called json_glue_init() once (core/json.h). Errors are values: -1 with an
 * aws_error of type "ValidationError" (CloudFormation's) whose message names the file, line and
 * column for syntax errors, and the resource and property for wrong references, e.g.
 * "Resource CommentsApi, property Body: Fn::GetAtt refers to unknown resource CommentsTabel".
 *
 * Never creates tables, never serves: the store and the gateway read the model afterwards.
 */
#ifndef PORTICO_STACK_STACK_H
#define PORTICO_STACK_STACK_H

#include <stdio.h>

#include "core/arena.h"
#include "core/error.h"
#include "stack/model.h"

typedef struct stack_parameter {
    const char *key;
    const char *value;
} stack_parameter;

typedef struct stack_options {
    const char *stack_name;            /* AWS::StackName; NULL: the file name without its extension */
    const char *region;                /* AWS::Region; NULL: "us-east-1" */
    const char *account_id;            /* AWS::AccountId; NULL: "123456789012" */
    const stack_parameter *parameters; /* --parameter K=V overrides */
    size_t parameter_count;
    const char *default_stage; /* stage given to a bare OpenAPI file; NULL: "prod" */
    bool no_files;             /* refuse AWS::Include / DefinitionUri (the fuzzer sets it) */
} stack_options;

/* Loads `path`: the kind of file is told by its content (Resources / AWSTemplateFormatVersion:
 * CloudFormation; openapi / swagger: OpenAPI), the syntax by its first non-blank byte ('{': JSON,
 * else YAML, a superset). */
int stack_load(const char *path, const stack_options *opts, stack_model **out, arena *load_arena, aws_error *err);

/* The same from bytes in memory; `name` stands for the file in messages and for the stack name;
 * relative includes are looked up in `base_dir` (NULL: the current directory). */
int stack_load_buffer(const char *name, const char *base_dir, const char *data, size_t len, const stack_options *opts,
                      stack_model **out, arena *load_arena, aws_error *err);

/* "key=value" (as given to --parameter) split into p; returns -1 when there is no '='. The strings
 * point into `arg`, which is modified. */
int stack_parameter_parse(char *arg, stack_parameter *p);

/* The warning lines to print at start: unsupported features, then ignored resources grouped by type. */
void stack_print_warnings(FILE *out, const stack_model *m);

/* The resource tree of every API with its methods and the URLs to call, base_url like
 * "http://127.0.0.1:8080" (see model.h for how several APIs are told apart), then tables and keys. */
void stack_print_routes(FILE *out, const stack_model *m, const char *base_url);

/* A canonical JSON description of an API (sorted, no ids unless with_ids): to compare models in
 * tests and for `portico validate --dump`. Allocated in the current json arena. */
json_t *stack_api_to_json(const model_api *api, bool with_ids);

#endif
