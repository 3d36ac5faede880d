/*
 * loader: the state shared by the files that read a template (cfn.c, intrinsics.c, sam.c,
 * openapi.c, build.c). Internal to src/stack; nothing outside includes it.
 *
 * Work happens in a scratch arena (the parsed template, resolved properties, builders); what the
 * model keeps is copied into the load arena with keep_* at the end of each step.
 */
#ifndef PORTICO_STACK_LOADER_H
#define PORTICO_STACK_LOADER_H

#include <jansson.h>
#include <stdbool.h>

#include "core/arena.h"
#include "core/error.h"
#include "stack/model.h"
#include "stack/stack.h"

#define LOADER_ERROR       "ValidationError"
#define LOADER_MAX_INCLUDE 8
#define LOADER_MAX_RESOLVE 256     /* nesting of intrinsic functions and references */
#define LOADER_MAX_STRING  4000000 /* longest string an intrinsic may build */
#define LOADER_MAX_CIDR    256

/* A growable array in the scratch arena (growth copies; never keep pointers into one). */
typedef struct vec {
    void *items;
    size_t count, cap, elem;
} vec;

void vec_init(vec *v, size_t elem);
void *vec_push(arena *a, vec *v);            /* a zeroed new element */
void *vec_finish(arena *into, const vec *v); /* a copy of the items in `into`, NULL when empty */
#define VEC_AT(v, T, i) (((T *)(v)->items)[i])

typedef struct plan_key_ref {
    const char *plan_id;
    const char *key_id; /* the key's id or logical id */
} plan_key_ref;

typedef enum res_state { RES_NEW, RES_RESOLVING, RES_DONE } res_state;

typedef struct cfn_resource {
    const char *logical_id;
    const char *type;
    json_t *def;   /* the resource's object in the template */
    json_t *props; /* its Properties (an object; empty when absent) */
    bool created;  /* its Condition holds (or it has none) */
    res_state id_state;
    const char *physical_id;
    json_t *resolved; /* resolved Properties, cached */
    res_state props_state;
    const char *path; /* AWS::ApiGateway::Resource: its full path, once computed */
    bool path_busy;
    void *built; /* what build produced for it (api builder index + 1, table ...) */
} cfn_resource;

/* One API being assembled; references between its parts are by name until build_api links them. */
typedef struct b_method {
    const char *path;
    model_method m;                     /* request_validator unset; model refs carry names below */
    const char *validator_ref;          /* validator id or name, or NULL */
    const char **request_model_names;   /* parallel to m.request_models */
    const char ***response_model_names; /* [response][i] parallel to responses[].response_models */
} b_method;

typedef struct b_resource {
    const char *path;
    const char *id;
} b_resource;

typedef struct api_builder {
    const char *logical_id;
    const char *id;
    const char *name;
    const char *description;
    const char *api_key_source;
    const char *root_id;
    vec binary_media_types;        /* slice */
    vec stages;                    /* model_stage */
    vec models;                    /* model_model */
    vec validators;                /* model_validator */
    vec gateway_responses;         /* model_gateway_response */
    vec methods;                   /* b_method */
    vec resources;                 /* b_resource */
    bool api_key_required_default; /* SAM Auth.ApiKeyRequired */
    const char *source;
} api_builder;

typedef struct loader {
    arena *load;
    arena scratch;
    arena *saved_json_arena;
    const stack_options *opts;
    aws_error *err;
    const char *file_name;
    const char *base_dir;
    const char *stack_name, *region, *account, *partition, *url_suffix;
    json_t *tmpl;
    json_t *params;     /* name -> value (string or array of strings) */
    json_t *param_defs; /* the Parameters section */
    json_t *mappings;
    json_t *conditions;
    json_t *cond_values; /* name -> true/false/null (null: being evaluated) */
    cfn_resource *resources;
    size_t resource_count;
    json_t *novalue; /* the AWS::NoValue marker */
    bool sam;
    /* where we are, for messages */
    const char *where_resource;
    char where_prop[200];
    size_t where_len;
    int depth;
    int include_depth;
    /* the model as it is built */
    vec apis;        /* api_builder * (builders never move) */
    vec tables;      /* model_table */
    vec roles;       /* model_role */
    vec api_keys;    /* model_api_key */
    vec usage_plans; /* model_usage_plan; stages' api pointers set in finish */
    vec plan_keys;   /* plan_key_ref */
    vec ignored;     /* model_ignored */
    vec unsupported; /* slice */
} loader;

/* Errors: "Resource X, property P: message" (or "Template: message"), type ValidationError. */
int loader_fail(loader *L, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void loader_note(loader *L, const char *fmt, ...) __attribute__((format(printf, 2, 3))); /* unsupported */
void loader_where_push(loader *L, const char *key, size_t *saved);
void loader_where_pop(loader *L, size_t saved);

/* Copies into the load arena. */
slice keep_str(loader *L, const char *s);
slice keep_strn(loader *L, const char *s, size_t n);
slice keep_json_str(loader *L, const json_t *v); /* string, number or bool as text; empty otherwise */
json_t *keep_json(loader *L, const json_t *v);   /* deep copy; NULL stays NULL */
char *scratch_printf(loader *L, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Stable ids: n characters of [a-z0-9] (or upper-case) from a hash of the stack name and parts. */
const char *loader_gen_id(loader *L, size_t n, bool upper, const char *a, const char *b);
/* CloudFormation-style generated names: "Stack-LogicalId-ABCDEFGHIJKL". */
const char *loader_gen_name(loader *L, const char *logical_id, size_t max_len);

/* File access for includes (Location relative to the template's folder). Parsed as YAML/JSON. */
json_t *loader_load_include(loader *L, const char *location);
/* The same for a location given as a path or URI string or as {Bucket, Key} (BodyS3Location,
 * DefinitionUri): fails naming what it needs when it is neither. */
json_t *loader_load_location(loader *L, const json_t *location);

/* intrinsics.c */
json_t *cfn_resolve(loader *L, json_t *v); /* new reference, L->novalue, or NULL on error */
int cfn_condition(loader *L, const char *name, bool *out);
int cfn_expand_transforms(loader *L, json_t **v);    /* AWS::Include everywhere, in place */
int cfn_expand_transform_key(loader *L, json_t **v); /* only v's own Fn::Transform key */
cfn_resource *cfn_find_resource(loader *L, const char *logical_id);
const char *cfn_physical_id(loader *L, cfn_resource *r);
/* Starts the API of a RestApi or Serverless::Api resource: its id and the properties both share (Name,
 * Description, ApiKeySourceType, BinaryMediaTypes). NULL on error (reported). */
api_builder *cfn_api_begin(loader *L, cfn_resource *r, json_t *p);
json_t *cfn_resource_props(loader *L, cfn_resource *r); /* resolved Properties (borrowed) */
bool cfn_is_true(const json_t *v);
/* A usage plan's Throttle ({RateLimit, BurstLimit}, numbers or numeric strings) into *out; nothing when absent. */
void cfn_throttle(const json_t *settings, model_throttle *out);
const char *cfn_string(loader *L, json_t *v, const char *what); /* string/number as text, else error */

/* cfn.c: building the model from CloudFormation resources */
api_builder *builder_api_new(loader *L, const char *logical_id, const char *id);
api_builder *builder_api_by_id(loader *L, const char *id);

/* openapi.c: an OpenAPI 3 / Swagger 2 document into an API builder. */
int openapi_load(loader *L, api_builder *api, json_t *doc);
bool openapi_is_document(const json_t *doc);

/* sam.c */
int sam_build_api(loader *L, cfn_resource *r);
int sam_build_simple_table(loader *L, cfn_resource *r);

/* cfn.c: shared builders */
int cfn_build_table(loader *L, const char *logical_id, json_t *props, bool simple);
int build_add_stage(loader *L, api_builder *api, const char *name, json_t *variables, const char *description,
                    const char *deployment_id, json_t *method_settings, bool cache);
model_templates build_templates(loader *L, json_t *obj);
model_map build_map(loader *L, json_t *obj);
model_params build_params(loader *L, json_t *obj);
model_passthrough build_passthrough(const char *s);
model_content_handling build_content_handling(const char *s);
int build_integration_type(loader *L, const char *s, model_integration_type *out);
void build_integration_uri(loader *L, model_integration *in);

/* build.c: builders into the final model. */
int build_finish(loader *L, stack_model **out);

#endif
