/*
 * store_batch: when the writer closes a group commit. Owns the rule that decides how many jobs a
 * batch is worth waiting for and for how long; pure arithmetic on what the previous batch did, so
 * it can be tested without threads or a disk.
 *
 * Why wait at all: every commit costs one sync to disk whatever its size, and clients that write
 * one request at a time (SDKs on keep-alive connections, the gateway's callers) come back right
 * after their acknowledgement. Without a wait they miss the batch that starts at once and split
 * into two cohorts that alternate, each paying a full commit of waiting before its own. Waiting a
 * fraction of a commit for the writers just acknowledged keeps them in one batch: fewer syncs, and
 * a shorter wait for each of them.
 *
 * It never waits when the previous batch held a single job (nothing to gain from a lone writer) and
 * never longer than half the previous batch's own duration, capped at STORE_BATCH_MAX_WAIT_NS.
 */
#ifndef PORTICO_DYNAMO_STORE_BATCH_H
#define PORTICO_DYNAMO_STORE_BATCH_H

#include <stddef.h>
#include <stdint.h>

#define STORE_BATCH_MAX_WAIT_NS 1000000u /* 1 ms */

typedef struct store_batch_history {
    size_t jobs;          /* jobs in the batch just committed (0: none yet) */
    uint64_t duration_ns; /* running its jobs and committing them */
    size_t queued_at_ack; /* jobs already waiting when its writers were acknowledged */
} store_batch_history;

typedef struct store_batch_wait {
    size_t target;   /* close the batch once this many jobs wait (0: at once) */
    uint64_t max_ns; /* or after this long */
} store_batch_wait;

store_batch_wait store_batch_plan(const store_batch_history *previous);

#endif
