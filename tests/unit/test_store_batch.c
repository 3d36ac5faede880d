/* The writer's group-commit wait: when it waits, for how many jobs, and never for long. */
#include <criterion/criterion.h>

#include "dynamo/store_batch.h"

Test(store_batch, no_wait_before_any_batch_or_after_a_lone_job)
{
    store_batch_history none = {0};
    store_batch_wait w = store_batch_plan(&none);
    cr_assert_eq(w.target, 0);
    cr_assert_eq(w.max_ns, 0);
    store_batch_history lone = {.jobs = 1, .duration_ns = 2000000, .queued_at_ack = 5};
    w = store_batch_plan(&lone);
    cr_assert_eq(w.target, 0);
    cr_assert_eq(w.max_ns, 0);
}

Test(store_batch, waits_for_the_writers_just_acknowledged)
{
    /* 32 committed while 32 others waited: both cohorts belong in the next batch. */
    store_batch_history h = {.jobs = 32, .duration_ns = 1200000, .queued_at_ack = 32};
    store_batch_wait w = store_batch_plan(&h);
    cr_assert_eq(w.target, 64);
    cr_assert_eq(w.max_ns, 600000, "half the last batch's duration, got %llu", (unsigned long long)w.max_ns);
}

Test(store_batch, wait_is_capped)
{
    store_batch_history slow = {.jobs = 8, .duration_ns = 50000000, .queued_at_ack = 0};
    store_batch_wait w = store_batch_plan(&slow);
    cr_assert_eq(w.target, 8);
    cr_assert_eq(w.max_ns, STORE_BATCH_MAX_WAIT_NS);
    store_batch_history instant = {.jobs = 8, .duration_ns = 0, .queued_at_ack = 0};
    cr_assert_eq(store_batch_plan(&instant).max_ns, 0);
}
