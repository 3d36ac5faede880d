/*
 * wire: DynamoDB's JSON wire protocol (what the AWS CLI, boto3 and the SDKs speak) over the HTTP
 * server, in front of the engine. Owns what DynamoDB's front door does before and after an
 * operation: method and Content-Type checks, the health answer to GET, CORS, X-Amz-Target, the
 * presence and shape of the SigV4 credentials (it never verifies signatures), parsing the body into
 * the request arena, and writing the answer (x-amzn-RequestId, x-amz-crc32, error __type with
 * DynamoDB's namespaces). It never interprets an operation's parameters: the engine does.
 */
#ifndef PORTICO_DYNAMO_WIRE_H
#define PORTICO_DYNAMO_WIRE_H

#include "core/error.h"
#include "core/slice.h"
#include "dynamo/engine.h"
#include "http/server.h"

typedef struct dynamo_wire dynamo_wire;

/* `region` names the endpoint in the health answer; NULL means "us-east-1". */
dynamo_wire *dynamo_wire_new(dynamo_engine *engine, const char *region);
void dynamo_wire_free(dynamo_wire *wire);

/* The listener's handler and error shaper (ctx: the dynamo_wire). */
http_outcome dynamo_wire_handle(http_request *req, void *wire);
void dynamo_wire_shape_error(void *wire, http_response *out, arena *a);

/* ---- pieces, exposed for tests ---- */

/* "DynamoDB_20120810.PutItem" -> "PutItem". -1 when the API version is not 20120810 or there is
 * no single dot. (Whether the engine serves the operation is dynamo_operation_known's call.) */
int dynamo_wire_parse_target(slice target, slice *operation);

/* DynamoDB's checks of the request's credentials, in DynamoDB's order and wording:
 * MissingAuthenticationTokenException, IncompleteSignatureException, InvalidSignatureException.
 * `authorization` is SLICE_NULL when the header is absent; `has_date`: X-Amz-Date or Date present. */
int dynamo_wire_check_auth(slice authorization, slice query, bool has_date, aws_error *err);

/* "com.amazonaws.dynamodb.v20120810#" for DynamoDB's own errors, "com.amazon.coral.service#" for
 * the front door's (serialization, operation, authentication), "com.amazon.coral.validate#" for
 * ValidationException: the __type prefix DynamoDB puts before `type`. */
const char *dynamo_wire_error_namespace(const char *type);

/* DynamoDB's request ids: 52 characters of [0-9A-Z]. Writes 52 characters and a NUL. */
#define DYNAMO_REQUEST_ID_LEN 52
void dynamo_wire_request_id(char out[DYNAMO_REQUEST_ID_LEN + 1]);

/* The error body DynamoDB sends: {"__type":"ns#Type","message":"..."} plus the engine's extra
 * fields (see engine.h). Built in `a`. */
slice dynamo_wire_error_body(const aws_error *err, json_t *extra, arena *a);

#endif
