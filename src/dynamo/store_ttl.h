/*
 * store_ttl: Time to Live. A background thread that periodically walks the tables whose TTL is
 * enabled and deletes, through the writer (so indexes and counters follow), the items whose TTL
 * attribute is a number of epoch seconds in the past. As on DynamoDB: attributes that are not
 * numbers, and dates more than five years in the past, are ignored.
 * Never: touches tables without TTL, or deletes an item that was rewritten since it was seen
 * (the expiry is checked again inside the write job).
 */
#ifndef PORTICO_DYNAMO_STORE_TTL_H
#define PORTICO_DYNAMO_STORE_TTL_H

#include "dynamo/store.h"

#define TTL_SWEEP_INTERVAL_DEFAULT_MS 1000

typedef struct ttl_sweeper ttl_sweeper;

/* interval_ms: time between sweeps; the environment variable PORTICO_TTL_INTERVAL_MS overrides. */
ttl_sweeper *ttl_sweeper_start(store *s, unsigned interval_ms);
void ttl_sweeper_stop(ttl_sweeper *t);
/* One sweep now, on the calling thread (tests, commands): the number of items deleted, or -1. */
long ttl_sweep_once(store *s, double now);

#endif
