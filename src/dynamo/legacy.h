/*
 * legacy: DynamoDB's pre-expression request parameters (AttributesToGet, KeyConditions,
 * QueryFilter, ScanFilter, ConditionalOperator, Expected, AttributeUpdates), rewritten as the
 * equivalent expressions so that the operations only ever evaluate expressions.
 *
 * It owns the rules DynamoDB applies to the legacy parameters themselves: no mixing with
 * expression parameters, ExpressionAttributeNames/Values only with expressions, the number and
 * types of AttributeValueList entries per ComparisonOperator, Exists/Value combinations, the
 * actions allowed per type in AttributeUpdates. It never looks at a table, its key schema or an
 * item: whether a condition names a key attribute is the operation's business.
 */
#ifndef PORTICO_DYNAMO_LEGACY_H
#define PORTICO_DYNAMO_LEGACY_H

#include <jansson.h>
#include <stdbool.h>

#include "core/error.h"

/* Which request the parameters belong to; BATCH_GET is one table's entry of RequestItems. */
typedef enum legacy_request {
    LEGACY_GET_ITEM,
    LEGACY_BATCH_GET,
    LEGACY_QUERY,
    LEGACY_SCAN,
    LEGACY_PUT_ITEM,
    LEGACY_DELETE_ITEM,
    LEGACY_UPDATE_ITEM,
} legacy_request;

/* What the translation produced, for messages that name the parameter the caller actually sent
 * ("QueryFilter can only contain non-primary key attributes" vs "Filter Expression ..."). */
typedef struct legacy_info {
    bool attributes_to_get; /* ProjectionExpression came from AttributesToGet */
    bool filter;            /* FilterExpression came from QueryFilter / ScanFilter */
    bool key_conditions;    /* KeyConditionExpression came from KeyConditions */
    bool expected;          /* ConditionExpression came from Expected */
    bool attribute_updates; /* UpdateExpression came from AttributeUpdates */
} legacy_info;

/*
 * Checks the legacy parameters of `request` and returns a new reference to a request that uses
 * expressions only: `request` itself (incref'd) when it has no legacy parameter, otherwise a
 * shallow copy where the legacy parameters are replaced by ProjectionExpression /
 * KeyConditionExpression / FilterExpression / ConditionExpression / UpdateExpression, with the
 * placeholders they need added to ExpressionAttributeNames / ExpressionAttributeValues (fresh
 * names, never colliding with the caller's own). Returns NULL with `err` set (a
 * ValidationException, in DynamoDB's words) when the request breaks a rule. `info` may be NULL.
 */
json_t *legacy_translate(legacy_request kind, json_t *request, legacy_info *info, aws_error *err);

#endif
