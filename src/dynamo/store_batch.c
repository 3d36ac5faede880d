/* The writer's group-commit wait (see store_batch.h for why). */
#include "dynamo/store_batch.h"

store_batch_wait store_batch_plan(const store_batch_history *previous)
{
    store_batch_wait w = {0, 0};
    if (previous->jobs < 2 || previous->duration_ns == 0)
        return w;
    /* Those who waited during the last commit, plus those it just acknowledged. */
    w.target = previous->queued_at_ack + previous->jobs;
    w.max_ns = previous->duration_ns / 2;
    if (w.max_ns > STORE_BATCH_MAX_WAIT_NS)
        w.max_ns = STORE_BATCH_MAX_WAIT_NS;
    return w;
}
