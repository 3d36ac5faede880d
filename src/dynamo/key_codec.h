/*
 * key_codec: order-preserving byte keys for tables and secondary indexes (LMDB keys).
 *
 * Owns: turning key attribute values into bytes whose memcmp order is DynamoDB's order, and back;
 * the byte ranges Query and Scan walk.
 *   table key = hash prefix (4 bytes, big-endian top of XXH3-64 of the encoded partition key)
 *               || enc(partition key) || enc(sort key, if the schema has one)
 *   index key = index table-style key (prefix of the index partition key || enc(index pk) || enc(index sk))
 *               || the item's table key                       (unique per item, ordered by index key)
 * enc(S) / enc(B): the bytes with 0x00 escaped as 0x00 0xFF, then the terminator 0x00 0x01.
 * enc(N): sign byte (0x01 negative, 0x02 zero, 0x03 positive), exponent byte, base-100 digit pairs
 *         (1..100), terminator 0x00; every byte after the sign inverted for negatives.
 * Every enc() is self-delimiting and no key is a prefix of another, so "the smallest key after K" is
 * K || 0x00, and all keys of a partition (or with an exact sort key) share a byte prefix.
 * Never: reads or writes storage, validates beyond what encoding needs (attr's key_validate does).
 *
 * LMDB keys are at most 511 bytes and DynamoDB keys reach 2048 + 1024 bytes. keyenc_fit turns a full
 * key into an LMDB key: unchanged when short enough, else its first KEYENC_FIT_PREFIX bytes and an
 * 8-byte hash of the whole. Order is then exact except among keys sharing those first bytes, so a
 * range walked with keyenc_range_fit bounds that reports `exact == false` must be filtered by
 * comparing each entry's full key (re-encoded from the item) with keyenc_range_contains.
 */
#ifndef PORTICO_DYNAMO_KEY_CODEC_H
#define PORTICO_DYNAMO_KEY_CODEC_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/error.h"
#include "core/slice.h"
#include "dynamo/attr.h"

#define KEYENC_HASH_PREFIX_LEN 4
#define KEYENC_LMDB_MAX        511
#define KEYENC_FIT_PREFIX      (KEYENC_LMDB_MAX - 8)

/* Table key of an item or a Key map (validated). -1 if a key attribute is missing or mistyped. */
int keyenc_table_key(arena *a, const key_schema *ks, const json_t *item, slice *out, aws_error *err);
/* Index entry key for item: 1 when the item lacks an index key attribute (not in a sparse index,
 * *out untouched), 0 when encoded, -1 on error. */
int keyenc_index_key(arena *a, const key_schema *index_ks, const key_schema *table_ks, const json_t *item, slice *out,
                     aws_error *err);

/* Back to key attribute maps (new object in the current json arena), e.g. LastEvaluatedKey.
 * decode_index_key gives the index key attributes and the table key attributes in one map. */
int keyenc_decode_table_key(const key_schema *ks, slice bytes, json_t **key, aws_error *err);
int keyenc_decode_index_key(const key_schema *index_ks, const key_schema *table_ks, slice bytes, json_t **key,
                            aws_error *err);

/* hash prefix || enc(partition key value): every key of that partition starts with these bytes. */
int keyenc_partition_prefix(arena *a, const key_attr *hash, const json_t *value, slice *out, aws_error *err);

/* A byte range: start inclusive; end exclusive, end.ptr == NULL means "to the last key". */
typedef struct keyenc_range {
    slice start;
    slice end;
} keyenc_range;

typedef enum keyenc_op {
    KEYENC_ALL,         /* no sort key condition: the whole partition */
    KEYENC_EQ,          /* sk = v1 */
    KEYENC_LT,          /* sk < v1 */
    KEYENC_LE,          /* sk <= v1 */
    KEYENC_GT,          /* sk > v1 */
    KEYENC_GE,          /* sk >= v1 */
    KEYENC_BETWEEN,     /* v1 <= sk <= v2 (caller checks v1 <= v2, as DynamoDB reports that) */
    KEYENC_BEGINS_WITH, /* S or B sort key starting with v1 */
} keyenc_op;

/* The range of a Query: partition key = hash_value and the sort key condition (v1 / v2 may be NULL
 * when unused). Works for table keys and index keys alike (ks is then the index schema).
 * Errors when value types do not match the schema. */
int keyenc_query_range(arena *a, const key_schema *ks, const json_t *hash_value, keyenc_op op, const json_t *v1,
                       const json_t *v2, keyenc_range *out, aws_error *err);
/* Parallel Scan: segment's share of the hash prefix space (0 <= segment < total <= 1000000). */
void keyenc_segment_range(arena *a, uint32_t segment, uint32_t total, keyenc_range *out);

/* k || 0x00: the smallest key greater than k (ExclusiveStartKey -> start of the next page). */
slice keyenc_after(arena *a, slice k);
/* The smallest byte string greater than every string starting with p; false if none (all 0xFF). */
bool keyenc_prefix_end(arena *a, slice p, slice *out);
bool keyenc_range_contains(const keyenc_range *r, slice full_key);

/* LMDB form of a full key (see top). Returns `full` itself when it fits. */
slice keyenc_fit(arena *a, slice full);
/* LMDB-form bounds covering every key of r (possibly more: then *exact is false). */
void keyenc_range_fit(arena *a, const keyenc_range *r, keyenc_range *fitted, bool *exact);

/* Low level: appends enc(value) of one key value of type t (S, N, B) to buf (cap bytes; needs at
 * most 2 * raw length + 2, or 22 for numbers). Returns bytes written or 0 on a type mismatch / no room. */
size_t keyenc_value(uint8_t *buf, size_t cap, attr_type t, const json_t *av);
uint32_t keyenc_hash_prefix(slice encoded_partition_key);

#endif
