/*
 * item_codec: the compact binary form items are stored in (LMDB values), and back.
 *
 * Owns: a self-describing, versioned byte encoding of an item (JSON object name -> attribute value)
 * that round-trips exactly: names and member order kept, numbers packed as decimals, binary stored
 * raw (not base64), strings as UTF-8 bytes.
 * Never: validates DynamoDB rules (attr does), trusts its input when decoding: corrupt or truncated
 * bytes give an error (InternalServerError), never a crash or an over-read.
 *
 * Format: version byte 0x01, varint attribute count, then per attribute varint name length, name
 * bytes, value. A value is a tag byte then its payload (see item_codec.c).
 */
#ifndef PORTICO_DYNAMO_ITEM_CODEC_H
#define PORTICO_DYNAMO_ITEM_CODEC_H

#include <jansson.h>
#include <stddef.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/error.h"
#include "core/slice.h"

/* Encodes a validated item into arena `a`. -1 (ValidationException / InternalServerError) only if
 * the item is not well formed. */
int item_encode(arena *a, const json_t *item, slice *out, aws_error *err);
/* Decodes into a new object in the current json arena. */
int item_decode(slice bytes, json_t **item, aws_error *err);

/* item_size (attr.h) of the item these bytes hold, read straight from them: what Query and Scan
 * count per item (1 MB pages, consumed capacity) costs a walk over the bytes instead of a decode
 * and a number parse per N. -1 (InternalServerError) when the bytes are not a well-formed item. */
int item_encoded_size(slice bytes, size_t *size, aws_error *err);

/* Appends the item as DynamoDB JSON text ({"name":{"S":"..."},...}), byte for byte what json_write
 * (compact) gives for item_decode's tree, without building the tree: for answers that are only
 * serialised (the wire API). -1 (InternalServerError, nothing appended) when the bytes are not a
 * well-formed item, exactly when item_decode refuses them. */
int item_write_json(buf *b, slice bytes, aws_error *err);

/* One attribute of a stored item, decoded alone (current json arena): *value NULL when the item has
 * none of that name. -1 (InternalServerError) when the bytes are not a well-formed item. */
int item_decode_attr(slice bytes, slice name, json_t **value, aws_error *err);

/* The same for a single attribute value (no version byte). */
int attr_encode(arena *a, const json_t *av, slice *out, aws_error *err);
int attr_decode(slice bytes, json_t **av, aws_error *err);

#endif
