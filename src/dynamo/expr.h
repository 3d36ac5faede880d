/*
 * expr: DynamoDB expressions, the public face. Owns parsing and checking ConditionExpression,
 * FilterExpression, KeyConditionExpression, ProjectionExpression and UpdateExpression together with
 * the request's ExpressionAttributeNames / ExpressionAttributeValues, and evaluating them on items
 * (jansson objects in DynamoDB JSON form: name -> {"S": ...}).
 *
 * Never reads or writes storage, never knows table metadata beyond the key names it is handed, and
 * never allocates outside the arena it is given (compiled forms) or the thread's current json arena
 * (items it builds, see core/json.h).
 *
 * Use:
 *   expr_input in = {.names = ..., .values = ..., .condition = ..., .update = ...};
 *   expr_set x;
 *   if (expr_compile(a, &in, &x, err) != 0) return -1;              // ValidationException
 *   if (x.condition && !expr_condition_matches(x.condition, old)) -> ConditionalCheckFailedException
 *   if (expr_update_apply(x.update, old, &new_item, err) != 0) return -1;
 *   json_t *shown = expr_project(x.projection, item);
 *
 * Compiled expressions point into `in.values` (and the expression strings): keep them alive as
 * long as the expr_set is used (they normally all live in the request arena).
 */
#ifndef PORTICO_DYNAMO_EXPR_H
#define PORTICO_DYNAMO_EXPR_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/arena.h"
#include "core/error.h"
#include "core/slice.h"
#include "dynamo/attr.h"

typedef struct expr_condition expr_condition;   /* a compiled condition, filter or key condition */
typedef struct expr_projection expr_projection; /* a compiled ProjectionExpression */
typedef struct expr_update expr_update;         /* a compiled UpdateExpression */

/* Everything expression-related that one request (or one TransactWriteItems action) carries.
 * An expression that is absent has .ptr == NULL; an empty one ("") is present and rejected
 * ("The expression can not be empty;"). names / values are the request's JSON objects, or NULL. */
typedef struct expr_input {
    json_t *names;       /* ExpressionAttributeNames: {"#n": "name"} */
    json_t *values;      /* ExpressionAttributeValues: {":v": {"S": "x"}} */
    slice condition;     /* ConditionExpression */
    slice filter;        /* FilterExpression */
    slice key_condition; /* KeyConditionExpression */
    slice projection;    /* ProjectionExpression */
    slice update;        /* UpdateExpression */
} expr_input;

/* The compiled forms; NULL for each expression the request did not carry. */
typedef struct expr_set {
    expr_condition *condition;
    expr_condition *filter;
    expr_condition *key_condition; /* turn into a key range with expr_key_condition_resolve */
    expr_projection *projection;
    expr_update *update;
} expr_set;

/* Validates the names and values maps, parses and checks every expression present, and checks
 * that every name and value is used by some expression of the request (DynamoDB checks across
 * all of them), in DynamoDB's order: maps, then UpdateExpression, ConditionExpression,
 * KeyConditionExpression, FilterExpression, ProjectionExpression, then unused names and values.
 * Fails with a ValidationException worded as DynamoDB words it. */
int expr_compile(arena *a, const expr_input *in, expr_set *out, aws_error *err);

/* Which expression parameters an operation accepts, for expr_check_params. */
enum {
    EXPR_PARAM_CONDITION = 1 << 0,
    EXPR_PARAM_FILTER = 1 << 1,
    EXPR_PARAM_KEY_CONDITION = 1 << 2,
    EXPR_PARAM_PROJECTION = 1 << 3,
    EXPR_PARAM_UPDATE = 1 << 4,
};
/* The checks DynamoDB makes before compiling, which depend on the operation:
 * "ExpressionAttributeNames can only be specified when using expressions" and
 * "ExpressionAttributeValues can only be specified when using expressions: ConditionExpression
 * is null". `accepted` is the EXPR_PARAM_* set of the operation (PutItem/DeleteItem: CONDITION;
 * UpdateItem: UPDATE|CONDITION; GetItem: PROJECTION; Query: PROJECTION|FILTER|KEY_CONDITION;
 * Scan: PROJECTION|FILTER). Call before expr_compile. */
int expr_check_params(const expr_input *in, unsigned accepted, aws_error *err);

/* ---- conditions and filters ---- */

/* Evaluates a condition on an item (NULL: no item, as for a PutItem on a new key). Comparisons
 * between different types, or with a missing attribute, are false (`<>` is then true), never
 * errors, as in DynamoDB. */
bool expr_condition_matches(const expr_condition *c, const json_t *item);

/* Does the condition mention this top-level attribute (after substituting #names)? For Query's
 * "Filter Expression can only contain non-primary key attributes: Primary key attribute: pk". */
bool expr_condition_references(const expr_condition *c, slice top_name);

/* ---- projection ---- */

/* A new item holding only the projected paths: nested paths keep their structure, list indexes
 * give compacted lists ("a[3], a[1]" -> a: [a1, a3]). Built in the current json arena. */
json_t *expr_project(const expr_projection *p, const json_t *item);

/* The distinct top-level attribute names the projection reads, in expression order. */
size_t expr_projection_top_count(const expr_projection *p);
slice expr_projection_top_name(const expr_projection *p, size_t i);

/* ---- updates ---- */

/* Applies the update to a deep copy of `item` (NULL: the item does not exist yet) and stores the
 * result in *out (built in the current json arena; `item` is not modified). All right-hand sides
 * read the old item. Runtime errors are ValidationExceptions as DynamoDB words them: "The provided
 * expression refers to an attribute that does not exist in the item", "The document path provided
 * in the update expression is invalid for update", "An operand in the update expression has an
 * incorrect data type", number overflow from the decimal arithmetic. */
int expr_update_apply(const expr_update *u, const json_t *item, json_t **out, aws_error *err);

/* "One or more parameter values were invalid: Cannot update attribute pk. This attribute is part
 * of the key", and "Key attributes must be scalars; list random access '[]' and map lookup '.' are
 * not allowed: Key: pk" for nested paths under a key attribute. sort_key.ptr == NULL when the
 * table has none. Call before expr_update_apply. */
int expr_update_check_keys(const expr_update *u, slice partition_key, slice sort_key, aws_error *err);

/* Does any action of the update (SET/REMOVE/ADD/DELETE) target this top-level attribute? */
bool expr_update_touches(const expr_update *u, slice top_name);
/* The distinct top-level attributes the update targets, in expression order. */
size_t expr_update_top_count(const expr_update *u);
slice expr_update_top_name(const expr_update *u, size_t i);

/* For ReturnValues UPDATED_OLD (pass the old item) and UPDATED_NEW (pass the new item): the item
 * projected on the paths the update targeted, as DynamoDB returns them (only the updated nested
 * parts). NULL when nothing of it is in the item (the response then has no Attributes). */
json_t *expr_update_returned(const expr_update *u, const json_t *item);

/* ---- key conditions (Query) ---- */

typedef enum expr_sort_op {
    EXPR_SORT_NONE = 0, /* partition key only */
    EXPR_SORT_EQ,
    EXPR_SORT_LT,
    EXPR_SORT_LE,
    EXPR_SORT_GT,
    EXPR_SORT_GE,
    EXPR_SORT_BETWEEN,
    EXPR_SORT_BEGINS_WITH,
} expr_sort_op;

/* What a KeyConditionExpression asks for, so that the store can build a key range. The values
 * are attribute values ({"S": "x"}) borrowed from the request's ExpressionAttributeValues. */
typedef struct expr_key_range {
    json_t *partition_value;
    expr_sort_op sort_op;
    json_t *sort_value;  /* the bound, prefix or BETWEEN's lower bound */
    json_t *sort_value2; /* BETWEEN's upper bound */
} expr_key_range;

/* Checks the key condition against the key schema of the table or index queried (attr.h) ("Query condition missed key
 * schema element: pk", "Query key condition not supported", "Invalid operator used in KeyConditionExpression: OR", "One
 * or more parameter values were invalid: Condition parameter type does not match schema type", ...) and fills the
 * range. */
int expr_key_condition_resolve(const expr_condition *kc, const key_schema *schema, expr_key_range *out, aws_error *err);

/* Does a sort key value ({"N": "5"}) satisfy the range's sort condition? True for EXPR_SORT_NONE.
 * For stores that scan a partition and filter, and for checking ExclusiveStartKey. */
bool expr_key_sort_matches(const expr_key_range *r, const json_t *sort_value);

#endif
