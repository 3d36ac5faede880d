/*
 * attr: DynamoDB attribute values and items as they live in memory: jansson values in DynamoDB JSON
 * form ({"S":"x"}, {"N":"12.5"}, {"B":"<base64>"}, {"BOOL":true}, {"NULL":true}, {"M":{...}},
 * {"L":[...]}, {"SS":[...]}, {"NS":[...]}, {"BS":[...]}); an item is a JSON object name -> value.
 *
 * Owns: validating values and items that arrive from outside (with DynamoDB's error messages),
 * canonicalising them in place (numbers to canonical text, binary to canonical base64) so that what
 * is stored and returned is canonical, item size as DynamoDB counts it, key schemas and key maps,
 * equality and ordering of values, the size() expression function.
 * Never: touches storage or encodes bytes (item_codec, key_codec do), evaluates expressions.
 *
 * Functions taking a value that has been validated (attr_validate / item_validate) trust its shape;
 * on anything else they answer conservatively (ATTR_NONE, false, 0) and never crash.
 */
#ifndef PORTICO_DYNAMO_ATTR_H
#define PORTICO_DYNAMO_ATTR_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/base64.h"
#include "core/decimal.h"
#include "core/error.h"
#include "core/slice.h"

#define ATTR_MAX_DEPTH          32           /* nesting levels of M / L */
#define ITEM_MAX_BYTES          (400 * 1024) /* item size limit, counted as DynamoDB counts */
#define KEY_HASH_MAX_BYTES      2048         /* partition key value */
#define KEY_RANGE_MAX_BYTES     1024         /* sort key value */
#define ATTR_NAME_MAX_BYTES     65535        /* any attribute name */
#define ATTR_KEY_NAME_MAX_BYTES 255          /* key attribute names (table / index definitions) */

typedef enum attr_type {
    ATTR_NONE = 0, /* not a valid attribute value */
    ATTR_S,
    ATTR_N,
    ATTR_B,
    ATTR_BOOL,
    ATTR_NULL,
    ATTR_M,
    ATTR_L,
    ATTR_SS,
    ATTR_NS,
    ATTR_BS,
} attr_type;

/* "S", "N", ... ; "" for ATTR_NONE. */
const char *attr_type_name(attr_type t);
/* ATTR_NONE when the name is not a type descriptor. */
attr_type attr_type_from_name(slice name);
/* The type of a value {"T": payload}: looks at the single key only (no deep validation). */
attr_type attr_type_of(const json_t *av);
/* The payload under the type key ("x" of {"S":"x"}), or NULL. */
json_t *attr_payload(const json_t *av);
static inline bool attr_type_is_set(attr_type t)
{
    return t == ATTR_SS || t == ATTR_NS || t == ATTR_BS;
}
/* The element type of a set type (ATTR_SS -> ATTR_S ...), ATTR_NONE otherwise; and back. */
attr_type attr_set_element_type(attr_type set);
attr_type attr_set_type_of(attr_type element);

/* Builders: new values in the current json arena. */
json_t *attr_new_s(slice s);
json_t *attr_new_n_decimal(const decimal *d); /* canonical text */
json_t *attr_new_n_int64(int64_t v);
json_t *attr_new_b(slice raw); /* raw bytes; stored as base64 */
json_t *attr_new_bool(bool v);
json_t *attr_new_null(void);
/* Takes ownership of payload (an object / array of values / array of element strings). */
json_t *attr_new(attr_type t, json_t *payload);

/* Payload access for validated values. */
slice attr_s(const json_t *av);                            /* S: the string */
int attr_n(const json_t *av, decimal *out);                /* N: parsed; -1 if not a number */
int attr_b_decode(arena *a, const json_t *av, slice *raw); /* B: raw bytes into arena */

/* Base64 as DynamoDB reads and writes it (standard alphabet, padded). decode: -1 when invalid. */
/* A JSON string holding the base64 text of raw (current json arena): the payload of a B value. */
json_t *base64_json_string(slice raw);

/* Validates one attribute value from the wire and canonicalises it in place (numbers, base64).
 * Errors are DynamoDB's ValidationException messages. */
int attr_validate(json_t *av, aws_error *err);
/* Validates an item (object of name -> value): names, values, total size <= 400 KB. Canonicalises. */
int item_validate(json_t *item, aws_error *err);
/* Validates a map of values where names are not attribute names of an item, e.g.
 * ExpressionAttributeValues (":v" -> value): values only, no size limit. */
int attr_map_validate(json_t *map, aws_error *err);

/* DynamoDB's size accounting (developer guide, "Item sizes and formats"). */
size_t attr_size(const json_t *av);   /* the value alone */
size_t item_size(const json_t *item); /* sum of name bytes + value sizes */
/* The size DynamoDB counts for a number with these decimal digits (decimal.h: exp is the power of
 * ten of the first digit); item_codec sizes stored numbers with it without formatting them. */
size_t attr_number_size(bool negative, int ndigits, int exp);
/* The size() function of expressions: S length, B bytes, set / L / M element count.
 * -1 for N, BOOL, NULL (size() is undefined on them: the condition is then false). */
int64_t attr_size_function(const json_t *av);

/* Deep equality: same type and value; sets compare as sets, numbers as decimals, B as bytes. */
bool attr_equal(const json_t *a, const json_t *b);
/* Ordering of scalar values of one type as DynamoDB sorts them: S by UTF-8 bytes, N as decimals,
 * B by bytes. Values of different types or non-scalars compare by type only (callers check types
 * first: DynamoDB's comparison operators are false across types). */
int attr_compare(const json_t *a, const json_t *b);
/* Can values of this type be compared with < <= > >= / BETWEEN? (S, N, B) */
static inline bool attr_type_is_ordered(attr_type t)
{
    return t == ATTR_S || t == ATTR_N || t == ATTR_B;
}

/* ---- keys ---- */

typedef struct key_attr {
    slice name;     /* empty name: absent (no sort key) */
    attr_type type; /* ATTR_S, ATTR_N or ATTR_B */
} key_attr;

typedef struct key_schema {
    key_attr hash;  /* partition key */
    key_attr range; /* sort key; range.name.len == 0 when the table / index has none */
} key_schema;

static inline bool key_schema_has_range(const key_schema *ks)
{
    return ks->range.name.len > 0;
}

/* A Key parameter (GetItem, DeleteItem, UpdateItem, ExclusiveStartKey of a table): exactly the key
 * attributes of the schema with the right types, else "The provided key element does not match the
 * schema"; empty string / binary and oversized values rejected with DynamoDB's messages. Also
 * validates and canonicalises the values. */
int key_validate(const key_schema *ks, json_t *key, aws_error *err);
/* An item's key attributes (PutItem): present with the right types ("One or more parameter values
 * were invalid: Missing the key X in the item", "... Type mismatch for key X expected: S actual: N"),
 * non-empty, within the size limits. The item must already be validated. */
int item_key_validate(const key_schema *ks, const json_t *item, aws_error *err);
/* For secondary indexes: an item's index key attributes, when present, must have the index's types
 * ("One or more parameter values were invalid: Type mismatch for Index Key X Expected: S Actual: N
 * IndexName: I") and be non-empty. Absent attributes are fine (the item is not in the index). */
int item_index_key_validate(const key_schema *ks, slice index_name, const json_t *item, aws_error *err);
/* Does the item carry every key attribute of ks with the right type? (sparse index membership) */
bool item_has_key(const key_schema *ks, const json_t *item);
/* New object (current json arena) holding only the key attributes of ks taken from item (values
 * shared, reference counted). NULL if one is missing. */
json_t *key_extract(const key_schema *ks, const json_t *item);

#endif
