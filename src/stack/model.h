/*
 * model: what Portico serves, as read from the user's CloudFormation / SAM / OpenAPI files: REST APIs
 * (stages, resource tree, methods, integrations, models, validators, gateway responses), DynamoDB
 * tables to create, API keys and usage plans, IAM roles, and what was ignored.
 *
 * The model is built once by stack_load (stack/stack.h) inside one arena (the "load arena") and is
 * read-only afterwards: every pointer, slice and json_t in it lives in that arena and dies with it
 * (json_decref on them is a no-op, never needed). A reload builds a new model in a new arena.
 * Every slice in the model is also NUL-terminated, so slice.ptr can be handed to C APIs directly.
 *
 * Shaped for the gateway's request path: resources form a tree whose literal children are sorted
 * (binary search) with the {param} and {proxy+} children kept apart; a resource holds its methods
 * in an array indexed by HTTP verb; templates are small arrays looked up by media type. Lookups
 * allocate nothing.
 *
 * Several APIs: each API has a stable 10-character id (like API Gateway's, derived from the stack
 * name and logical id, so it survives restarts). The gateway tells APIs apart by the Host header,
 * as AWS does with {api-id}.execute-api.{region}.amazonaws.com: a request whose Host starts with
 * "{api-id}.execute-api." goes to that API (`curl http://{id}.execute-api.localhost:8080/prod/x`
 * works without any set-up: *.localhost resolves to the loopback address). Any other Host goes to
 * the first API loaded (the default API), so with a single API plain http://127.0.0.1:8080/{stage}/
 * {path} just works. A path prefix (/{api-name}/...) was rejected: it would change the URLs and the
 * $context.path / $context.resourcePath values users' templates see, which must stay as on AWS.
 * model_api_for_host implements the rule; stack_print_routes prints the resulting URLs.
 *
 * This module never reads files, never touches the store and never serves requests.
 */
#ifndef PORTICO_STACK_MODEL_H
#define PORTICO_STACK_MODEL_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/slice.h"

/* HTTP methods a REST API method can declare. MODEL_VERB_ANY is API Gateway's ANY: used when the
 * resource has no method for the request's own verb. */
typedef enum model_verb {
    MODEL_VERB_GET,
    MODEL_VERB_POST,
    MODEL_VERB_PUT,
    MODEL_VERB_DELETE,
    MODEL_VERB_PATCH,
    MODEL_VERB_HEAD,
    MODEL_VERB_OPTIONS,
    MODEL_VERB_ANY,
    MODEL_VERB_COUNT,
    MODEL_VERB_INVALID = -1
} model_verb;

model_verb model_verb_parse(slice name); /* case-insensitive; "x-amazon-apigateway-any-method" is ANY */
const char *model_verb_name(model_verb v);

/* A string-to-string map (request/response parameter mappings, stage variables, headers). Entries
 * keep the order of the source file. */
typedef struct model_kv {
    slice key;
    slice value;
} model_kv;

typedef struct model_map {
    model_kv *items;
    size_t count;
} model_map;

const slice *model_map_get(const model_map *m, slice key); /* NULL when absent */

/* requestParameters of a method request / responseParameters of a method response:
 * "method.request.querystring.name" -> required flag. */
typedef struct model_param {
    slice name;
    bool required;
} model_param;

typedef struct model_params {
    model_param *items;
    size_t count;
} model_params;

/* A mapping template for one media type. `compiled` is the gateway's: it may set it once while it
 * prepares the freshly loaded model (before serving); the loader leaves it NULL. */
typedef struct model_template {
    slice content_type; /* lower-case, as declared ("application/json") */
    slice text;
    void *compiled;
} model_template;

typedef struct model_templates {
    model_template *items;
    size_t count;
} model_templates;

/* The template for a request's Content-Type: exact media-type match, case-insensitive, ignoring
 * parameters such as "; charset=utf-8". NULL when none; the caller applies passthroughBehavior. */
const model_template *model_template_find(const model_templates *t, slice content_type);

/* A model (schema) of an API. Schemas keep their "$ref"s as written; model_api_resolve_ref turns
 * any of "#/definitions/X", "#/components/schemas/X" and
 * "https://apigateway.amazonaws.com/restapis/{id}/models/X" into the model X. */
typedef struct model_model {
    slice name;
    slice content_type;
    slice description;
    json_t *schema; /* JSON schema (draft 4) as jansson; never NULL (an empty object when none) */
    void *compiled; /* the gateway's, as for templates */
} model_model;

typedef struct model_validator {
    slice id;
    slice name;
    bool validate_body;
    bool validate_parameters;
} model_validator;

/* The content-type -> model map of a method request or method response. */
typedef struct model_model_ref {
    slice content_type;
    const model_model *model;
} model_model_ref;

typedef struct model_method_response {
    slice status_code;
    model_params response_parameters; /* "method.response.header.X" -> required */
    model_model_ref *response_models;
    size_t response_model_count;
} model_method_response;

typedef enum model_integration_type {
    MODEL_INTEGRATION_AWS,
    MODEL_INTEGRATION_AWS_PROXY,
    MODEL_INTEGRATION_HTTP,
    MODEL_INTEGRATION_HTTP_PROXY,
    MODEL_INTEGRATION_MOCK,
} model_integration_type;

const char *model_integration_type_name(model_integration_type t);

typedef enum model_passthrough {
    MODEL_PASSTHROUGH_WHEN_NO_MATCH, /* API Gateway's default */
    MODEL_PASSTHROUGH_WHEN_NO_TEMPLATES,
    MODEL_PASSTHROUGH_NEVER,
} model_passthrough;

typedef enum model_content_handling {
    MODEL_CONTENT_PASSTHROUGH, /* not set */
    MODEL_CONTENT_CONVERT_TO_TEXT,
    MODEL_CONTENT_CONVERT_TO_BINARY,
} model_content_handling;

typedef struct model_integration_response {
    slice status_code;
    slice selection_pattern; /* empty: the default response (OpenAPI "default") */
    bool is_default;
    model_map response_parameters; /* "method.response.header.X" -> "integration.response.header.Y" | "'lit'" */
    model_templates response_templates;
    model_content_handling content_handling;
    void *compiled; /* the gateway's (compiled selection pattern) */
} model_integration_response;

typedef struct model_integration {
    model_integration_type type;
    slice uri;                     /* e.g. "arn:aws:apigateway:us-east-1:dynamodb:action/PutItem" */
    slice http_method;             /* integrationHttpMethod, upper-case; empty for MOCK */
    slice credentials;             /* role ARN or empty */
    const struct model_role *role; /* the role `credentials` names, when the stack declares it */
    slice aws_service;             /* from an AWS uri: "dynamodb"; empty otherwise */
    slice aws_action;              /* from an "action/X" AWS uri: "PutItem"; empty otherwise */
    model_map request_parameters;  /* "integration.request.header.X" -> "method.request.path.p" | "'lit'" */
    model_templates request_templates;
    model_passthrough passthrough;
    model_content_handling content_handling;
    int timeout_ms; /* 29000 when not set */
    slice *cache_key_parameters;
    size_t cache_key_parameter_count;
    slice cache_namespace;
    /* Non-default responses in declaration order, then the default one (if any) last. */
    model_integration_response *responses;
    size_t response_count;
    const model_integration_response *default_response; /* points into responses, or NULL */
} model_integration;

typedef struct model_method {
    model_verb verb;
    slice http_method; /* "GET" ... "ANY" */
    slice operation_name;
    slice authorization_type; /* "NONE", "AWS_IAM", "CUSTOM", "COGNITO_USER_POOLS" */
    slice authorizer_id;
    bool api_key_required;
    model_params request_parameters;          /* "method.request.path.pageId" -> required */
    const model_validator *request_validator; /* NULL: no validation */
    model_model_ref *request_models;
    size_t request_model_count;
    model_method_response *responses;
    size_t response_count;
    bool has_integration;
    model_integration integration;
    const struct model_resource *resource;
} model_method;

typedef enum model_segment_kind {
    MODEL_SEGMENT_ROOT,    /* "/" */
    MODEL_SEGMENT_LITERAL, /* "comments" */
    MODEL_SEGMENT_PARAM,   /* "{pageId}" */
    MODEL_SEGMENT_GREEDY,  /* "{proxy+}": the rest of the path, one or more segments */
} model_segment_kind;

typedef struct model_resource {
    slice id;        /* stable 10-char id */
    slice path;      /* "/comments/{pageId}" */
    slice path_part; /* "{pageId}"; "/" for the root */
    model_segment_kind kind;
    slice param_name; /* "pageId" / "proxy" for PARAM and GREEDY */
    const struct model_resource *parent;
    const struct model_resource **literals; /* sorted by path_part (bytewise) */
    size_t literal_count;
    const struct model_resource *param;  /* the {x} child, at most one (as on AWS) */
    const struct model_resource *greedy; /* the {x+} child */
    const model_method *methods[MODEL_VERB_COUNT];
} model_resource;

/* The method a request's verb selects: its own, else ANY; NULL when neither (403 on AWS). */
const model_method *model_resource_method(const model_resource *r, model_verb v);

typedef struct model_stage {
    slice name;
    slice description;
    slice deployment_id;
    model_map variables;
    bool cache_cluster_enabled;
    json_t *method_settings; /* as declared (array of MethodSettings), or NULL */
} model_stage;

typedef struct model_gateway_response {
    slice type;        /* "DEFAULT_4XX", "MISSING_AUTHENTICATION_TOKEN", ... */
    slice status_code; /* empty: the type's default */
    model_map response_parameters;
    model_templates response_templates;
} model_gateway_response;

typedef struct model_api {
    slice id;         /* 10 chars, [a-z0-9] */
    slice logical_id; /* the template's name for it; the title for a bare OpenAPI file */
    slice name;
    slice description;
    slice api_key_source; /* "HEADER" (default) or "AUTHORIZER" */
    slice *binary_media_types;
    size_t binary_media_type_count;
    model_stage *stages;
    size_t stage_count;
    const model_resource *root;
    const model_resource **resources; /* every resource, sorted by path */
    size_t resource_count;
    model_model *models;
    size_t model_count;
    model_validator *validators;
    size_t validator_count;
    model_gateway_response *gateway_responses;
    size_t gateway_response_count;
    slice source; /* the file it came from */
} model_api;

const model_stage *model_api_stage(const model_api *api, slice name);
const model_model *model_api_model(const model_api *api, slice name);
const model_model *model_api_resolve_ref(const model_api *api, slice ref);
const model_gateway_response *model_api_gateway_response(const model_api *api, slice type);

/* Routing: the resource matching `path` (the part after the stage, starting with '/'). Literal
 * children win over {param}, which wins over {proxy+}, backtracking like API Gateway does. Path
 * parameters are reported as slices into `path` (still URL-encoded), at most max_params. */
typedef struct model_path_param {
    slice name;
    slice value;
} model_path_param;

const model_resource *model_api_match(const model_api *api, slice path, model_path_param *params, size_t max_params,
                                      size_t *param_count);

typedef struct model_table {
    slice logical_id;
    slice name;
    slice arn;
    /* The CreateTable request this table needs: TableName, KeySchema, AttributeDefinitions,
     * BillingMode, ProvisionedThroughput, GlobalSecondaryIndexes, LocalSecondaryIndexes,
     * StreamSpecification, SSESpecification, TableClass, Tags (those present). */
    json_t *create_request;
    json_t *ttl; /* UpdateTimeToLive's TimeToLiveSpecification {AttributeName, Enabled}, or NULL */
} model_table;

typedef struct model_policy {
    slice name;
    json_t *document; /* {"Version":..., "Statement":[...]} */
} model_policy;

typedef struct model_role {
    slice logical_id;
    slice name;
    slice arn;
    slice id; /* RoleId: "AROA..." */
    json_t *assume_role_policy;
    model_policy *policies; /* inline Policies, then managed policies Portico knows, expanded */
    size_t policy_count;
    slice *managed_policy_arns;
    size_t managed_policy_count;
} model_role;

/* IAM evaluation of the role's policies (managed ones expanded at load) for one action on one
 * resource ARN, by stack/iam_policy.h: explicit Deny wins, then any Allow; default deny. Condition
 * blocks are not evaluated: an Allow with one never allows, a Deny with one always denies. */
bool model_role_allows(const model_role *role, const char *action, slice resource_arn);

typedef struct model_api_key {
    slice logical_id;
    slice id;
    slice name;
    slice value; /* as declared, or generated (value_generated) when the template leaves it out */
    bool value_generated;
    bool enabled;
} model_api_key;

typedef struct model_throttle {
    bool set;
    double rate_limit; /* requests per second */
    int burst_limit;
} model_throttle;

typedef struct model_usage_plan_stage {
    slice api_id;
    const model_api *api;
    slice stage;
    model_throttle throttle;
    json_t *method_throttles; /* "/path/VERB" -> {BurstLimit, RateLimit}, or NULL */
} model_usage_plan_stage;

typedef struct model_usage_plan {
    slice logical_id;
    slice id;
    slice name;
    model_usage_plan_stage *stages;
    size_t stage_count;
    model_throttle throttle;
    bool quota_set;
    long long quota_limit;
    int quota_offset;
    slice quota_period; /* "DAY", "WEEK", "MONTH" */
    const model_api_key **keys;
    size_t key_count;
} model_usage_plan;

/* A resource of the template Portico does not run (Lambda functions, log groups ...). */
typedef struct model_ignored {
    slice logical_id;
    slice type;
} model_ignored;

typedef struct stack_model {
    slice stack_name;
    slice region;
    slice account_id;
    model_api *apis; /* apis[0] is the default API (see the header comment) */
    size_t api_count;
    model_table *tables;
    size_t table_count;
    model_role *roles;
    size_t role_count;
    model_api_key *api_keys;
    size_t api_key_count;
    model_usage_plan *usage_plans;
    size_t usage_plan_count;
    model_ignored *ignored;
    size_t ignored_count;
    slice *unsupported; /* one sentence each: features declared but not honoured */
    size_t unsupported_count;
} stack_model;

const model_api *model_api_by_id(const stack_model *m, slice id);
/* The API a request's Host header selects (rule in the header comment); NULL only with no APIs. */
const model_api *model_api_for_host(const stack_model *m, slice host);
const model_table *model_table_by_name(const stack_model *m, slice name);
const model_role *model_role_by_arn(const stack_model *m, slice arn);
const model_api_key *model_api_key_by_value(const stack_model *m, slice value);
/* The usage plans covering (api, stage) that the key belongs to; returns how many were written. */
size_t model_usage_plans_for(const stack_model *m, const model_api *api, slice stage, const model_api_key *key,
                             const model_usage_plan **out, size_t max);

#endif
