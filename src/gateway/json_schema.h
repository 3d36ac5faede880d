/*
 * json_schema: validates request bodies against API Gateway models (JSON Schema draft 4), the check a
 * request validator with "validateRequestBody" makes before the integration runs.
 *
 * A schema is prepared once at load (its regular expressions compiled, its $ref targets resolved
 * against the API's other models) and is read-only afterwards, so any thread may validate with it.
 * Failures are reported with the wording of the validator API Gateway uses, joined the way
 * $context.error.validationErrorString shows them: "[message, message]".
 * Never touches the request beyond reading the parsed body.
 */
#ifndef PORTICO_GATEWAY_JSON_SCHEMA_H
#define PORTICO_GATEWAY_JSON_SCHEMA_H

#include <jansson.h>
#include <stdbool.h>

#include "core/arena.h"
#include "core/error.h"
#include "core/slice.h"

typedef struct json_schema json_schema;

/* Finds another model of the same API by name, for "$ref" to
 * "https://apigateway.amazonaws.com/restapis/{id}/models/{name}" or "#/definitions/{name}". */
typedef const json_t *(*json_schema_model_lookup)(void *ctx, slice model_name);

/* Prepares `schema` (kept by reference: it must outlive the result). Fails on a schema that cannot be
 * used (a pattern PCRE2 rejects, a $ref to nothing), naming the place. Allocated with malloc; free
 * with json_schema_free at unload. */
json_schema *json_schema_prepare(const json_t *schema, json_schema_model_lookup lookup, void *lookup_ctx,
                                 aws_error *err);
void json_schema_free(json_schema *schema);

/* true when `instance` is valid. Otherwise false, with the messages ("[…, …]") in *messages, built in `a`. */
bool json_schema_validate(const json_schema *schema, const json_t *instance, arena *a, slice *messages);

#endif
