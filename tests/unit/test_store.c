/* The store: items with index maintenance, projections, cursors, group commit, reopening, snapshots. */
#include "store_test_util.h"

#include <stdatomic.h>

#include "dynamo/store_ttl.h"

static const char *DEFINITION =
    "{\"TableName\":\"T\",\"TableId\":\"11111111-2222-4333-8444-555555555555\","
    "\"TableArn\":\"arn:aws:dynamodb:us-east-1:000000000000:table/T\",\"CreationDateTime\":1700000000.5,"
    "\"KeySchema\":[{\"AttributeName\":\"pk\",\"KeyType\":\"HASH\"},{\"AttributeName\":\"sk\",\"KeyType\":\"RANGE\"}],"
    "\"AttributeDefinitions\":[{\"AttributeName\":\"pk\",\"AttributeType\":\"S\"},"
    "{\"AttributeName\":\"sk\",\"AttributeType\":\"N\"},{\"AttributeName\":\"g\",\"AttributeType\":\"S\"},"
    "{\"AttributeName\":\"gs\",\"AttributeType\":\"N\"},{\"AttributeName\":\"l\",\"AttributeType\":\"S\"}],"
    "\"BillingMode\":\"PAY_PER_REQUEST\",\"DbName\":\"t:11111111\","
    "\"GlobalSecondaryIndexes\":["
    "{\"IndexName\":\"gall\",\"KeySchema\":[{\"AttributeName\":\"g\",\"KeyType\":\"HASH\"},"
    "{\"AttributeName\":\"gs\",\"KeyType\":\"RANGE\"}],\"Projection\":{\"ProjectionType\":\"ALL\"},\"DbName\":\"x:1:"
    "a\"},"
    "{\"IndexName\":\"gkeys\",\"KeySchema\":[{\"AttributeName\":\"g\",\"KeyType\":\"HASH\"}],"
    "\"Projection\":{\"ProjectionType\":\"KEYS_ONLY\"},\"DbName\":\"x:1:b\"},"
    "{\"IndexName\":\"ginc\",\"KeySchema\":[{\"AttributeName\":\"g\",\"KeyType\":\"HASH\"}],"
    "\"Projection\":{\"ProjectionType\":\"INCLUDE\",\"NonKeyAttributes\":[\"x\"]},\"DbName\":\"x:1:c\"}],"
    "\"LocalSecondaryIndexes\":["
    "{\"IndexName\":\"lsi\",\"KeySchema\":[{\"AttributeName\":\"pk\",\"KeyType\":\"HASH\"},"
    "{\"AttributeName\":\"l\",\"KeyType\":\"RANGE\"}],\"Projection\":{\"ProjectionType\":\"KEYS_ONLY\"},"
    "\"DbName\":\"x:1:d\"}]}";

typedef struct fixture {
    char *dir;
    store *s;
    arena a;
} fixture;

static void open_store(fixture *f)
{
    store_options o = {.data_dir = f->dir, .map_size = (size_t)1 << 30};
    aws_error err;
    error_clear(&err);
    f->s = store_open(&o, &err);
    cr_assert_not_null(f->s, "store_open: %s", err.message);
}

static int create_job(store_tx *tx, void *ctx, aws_error *err)
{
    return store_tx_create_table(tx, ctx, NULL, err);
}

static void setup_fixture(fixture *f, bool with_table)
{
    json_glue_init();
    f->dir = temp_data_dir();
    arena_init(&f->a, 64 * 1024);
    open_store(f);
    if (with_table) {
        aws_error err;
        json_t *def = parse_in(&f->a, DEFINITION);
        cr_assert_eq(store_run(f->s, create_job, def, &f->a, &err), 0, "create: %s", err.message);
    }
}

static void teardown_fixture(fixture *f)
{
    store_close(f->s);
    arena_destroy(&f->a);
    remove_dir(f->dir);
    free(f->dir);
}

typedef struct put_ctx {
    const char *table;
    json_t *items[8];
    size_t n;
    json_t *delete_key;
    bool fail;
    bool over; /* read the old item first, then store_tx_put_item_over */
    int runs;
} put_ctx;

static int put_job(store_tx *tx, void *ctx, aws_error *err)
{
    put_ctx *p = ctx;
    p->runs++;
    const table_def *t = store_tx_table(tx, slice_cstr(p->table));
    if (t == NULL)
        return error_set(err, 400, "ResourceNotFoundException", "no table");
    for (size_t i = 0; i < p->n; i++) {
        json_t *old;
        if (p->over ? store_tx_get_item(tx, t, p->items[i], &old, err) != 0 ||
                          store_tx_put_item_over(tx, t, p->items[i], old, err) != 0
                    : store_tx_put_item(tx, t, p->items[i], NULL, err) != 0)
            return -1;
    }
    if (p->delete_key != NULL && store_tx_delete_item(tx, t, p->delete_key, NULL, err) != 0)
        return -1;
    if (p->fail)
        return error_set(err, 400, "ConditionalCheckFailedException", "The conditional request failed");
    return 0;
}

static bool put_over_old; /* put() reads the old item itself (store_tx_put_item_over) */

static void put(fixture *f, const char *item_json)
{
    put_ctx p = {.table = "T", .n = 1, .over = put_over_old};
    p.items[0] = parse_in(&f->a, item_json);
    aws_error err;
    cr_assert_eq(store_run(f->s, put_job, &p, &f->a, &err), 0, "put: %s", err.message);
}

static void del(fixture *f, const char *key_json)
{
    put_ctx p = {.table = "T"};
    p.delete_key = parse_in(&f->a, key_json);
    aws_error err;
    cr_assert_eq(store_run(f->s, put_job, &p, &f->a, &err), 0, "delete: %s", err.message);
}

static json_t *get(fixture *f, const char *key_json)
{
    store_reader *r = store_read_begin(f->s);
    const table_def *t = store_read_table(r, SLICE_LIT("T"));
    cr_assert_not_null(t);
    json_t *item;
    aws_error err;
    arena *prev = json_arena_push(&f->a);
    cr_assert_eq(store_get_item(r, t, parse_in(&f->a, key_json), &item, &err), 0, "get: %s", err.message);
    json_arena_pop(prev);
    store_read_end(r);
    return item;
}

/* Every entry of an index (or the table with index NULL) as decoded items, in cursor order. */
static json_t *walk(fixture *f, const char *index, const store_range *range)
{
    store_reader *r = store_read_begin(f->s);
    const table_def *t = store_read_table(r, SLICE_LIT("T"));
    const index_def *ix = index != NULL ? table_find_index(t, slice_cstr(index)) : NULL;
    cr_assert(index == NULL || ix != NULL);
    store_range all = {0};
    aws_error err;
    store_cursor *c = store_cursor_open(r, t, ix, range != NULL ? range : &all, &err);
    cr_assert_not_null(c, "%s", err.message);
    arena *prev = json_arena_push(&f->a);
    json_t *out = json_array();
    slice k, v;
    int rc;
    while ((rc = store_cursor_next(c, &k, &v, &err)) == 1) {
        json_t *item;
        cr_assert_eq(item_decode(v, &item, &err), 0);
        json_array_append_new(out, item);
    }
    cr_assert_eq(rc, 0, "%s", err.message);
    json_arena_pop(prev);
    store_cursor_close(c);
    store_read_end(r);
    return out;
}

static store_stats stats(fixture *f, const char *index)
{
    store_reader *r = store_read_begin(f->s);
    const table_def *t = store_read_table(r, SLICE_LIT("T"));
    store_stats st;
    cr_assert_eq(store_read_stats(r, t, index ? slice_cstr(index) : SLICE_NULL, &st), 0);
    store_read_end(r);
    return st;
}

static bool json_eq_text(const json_t *v, const char *text, arena *a)
{
    json_t *expected = parse_in(a, text);
    return json_equal(v, expected);
}

static void put_get_delete(bool over)
{
    put_over_old = over;
    fixture f;
    setup_fixture(&f, true);
    put(&f, "{\"pk\":{\"S\":\"a\"},\"sk\":{\"N\":\"1\"},\"g\":{\"S\":\"G1\"},\"gs\":{\"N\":\"5\"},\"x\":{\"S\":\"X\"},"
            "\"y\":{\"S\":\"Y\"},\"l\":{\"S\":\"L\"}}");
    json_t *item = get(&f, "{\"pk\":{\"S\":\"a\"},\"sk\":{\"N\":\"1\"}}");
    cr_assert_not_null(item);
    cr_assert(json_eq_text(json_object_get(item, "y"), "{\"S\":\"Y\"}", &f.a));
    cr_assert_eq(json_array_size(walk(&f, "gall", NULL)), 1);
    cr_assert_eq(json_array_size(walk(&f, "lsi", NULL)), 1);
    cr_assert_eq(stats(&f, NULL).item_count, 1);
    cr_assert_gt(stats(&f, NULL).size_bytes, 0);
    cr_assert_eq(stats(&f, "gall").item_count, 1);

    /* Moving the item to another GSI key leaves exactly one entry, under the new key. */
    put(&f, "{\"pk\":{\"S\":\"a\"},\"sk\":{\"N\":\"1\"},\"g\":{\"S\":\"G2\"},\"gs\":{\"N\":\"6\"}}");
    json_t *entries = walk(&f, "gall", NULL);
    cr_assert_eq(json_array_size(entries), 1);
    cr_assert(json_eq_text(json_object_get(json_array_get(entries, 0), "g"), "{\"S\":\"G2\"}", &f.a));
    /* The new version has no "l": it left the LSI. */
    cr_assert_eq(json_array_size(walk(&f, "lsi", NULL)), 0);
    cr_assert_eq(stats(&f, "lsi").item_count, 0);
    cr_assert_eq(stats(&f, NULL).item_count, 1);

    del(&f, "{\"pk\":{\"S\":\"a\"},\"sk\":{\"N\":\"1\"}}");
    cr_assert_null(get(&f, "{\"pk\":{\"S\":\"a\"},\"sk\":{\"N\":\"1\"}}"));
    cr_assert_eq(json_array_size(walk(&f, "gall", NULL)), 0);
    cr_assert_eq(json_array_size(walk(&f, "gkeys", NULL)), 0);
    cr_assert_eq(stats(&f, NULL).item_count, 0);
    cr_assert_eq(stats(&f, NULL).size_bytes, 0);
    cr_assert_eq(stats(&f, "gall").item_count, 0);
    teardown_fixture(&f);
    put_over_old = false;
}

Test(store, put_get_delete_maintains_indexes)
{
    put_get_delete(false);
}

Test(store, put_over_a_known_old_item_maintains_indexes)
{
    put_get_delete(true);
}

Test(store, sparse_indexes_skip_items_without_the_key)
{
    fixture f;
    setup_fixture(&f, true);
    put(&f, "{\"pk\":{\"S\":\"a\"},\"sk\":{\"N\":\"1\"},\"g\":{\"S\":\"G\"}}"); /* no gs: not in gall */
    put(&f, "{\"pk\":{\"S\":\"b\"},\"sk\":{\"N\":\"1\"},\"g\":{\"S\":\"G\"},\"gs\":{\"N\":\"1\"}}");
    put(&f, "{\"pk\":{\"S\":\"c\"},\"sk\":{\"N\":\"1\"}}"); /* in no index */
    cr_assert_eq(json_array_size(walk(&f, NULL, NULL)), 3);
    cr_assert_eq(json_array_size(walk(&f, "gall", NULL)), 1);
    cr_assert_eq(json_array_size(walk(&f, "gkeys", NULL)), 2);
    cr_assert_eq(stats(&f, "gkeys").item_count, 2);
    teardown_fixture(&f);
}

Test(store, projections_store_the_projected_attributes)
{
    fixture f;
    setup_fixture(&f, true);
    put(&f, "{\"pk\":{\"S\":\"a\"},\"sk\":{\"N\":\"1\"},\"g\":{\"S\":\"G\"},\"gs\":{\"N\":\"2\"},\"x\":{\"S\":\"X\"},"
            "\"y\":{\"S\":\"Y\"},\"l\":{\"S\":\"L\"}}");
    json_t *keys = json_array_get(walk(&f, "gkeys", NULL), 0);
    cr_assert(json_eq_text(keys, "{\"pk\":{\"S\":\"a\"},\"sk\":{\"N\":\"1\"},\"g\":{\"S\":\"G\"}}", &f.a));
    json_t *inc = json_array_get(walk(&f, "ginc", NULL), 0);
    cr_assert(
        json_eq_text(inc, "{\"pk\":{\"S\":\"a\"},\"sk\":{\"N\":\"1\"},\"g\":{\"S\":\"G\"},\"x\":{\"S\":\"X\"}}", &f.a));
    json_t *all = json_array_get(walk(&f, "gall", NULL), 0);
    cr_assert_eq(json_object_size(all), 7);
    json_t *lsi = json_array_get(walk(&f, "lsi", NULL), 0);
    cr_assert(json_eq_text(lsi, "{\"pk\":{\"S\":\"a\"},\"sk\":{\"N\":\"1\"},\"l\":{\"S\":\"L\"}}", &f.a));
    teardown_fixture(&f);
}

static const char *sk_of(json_t *items, size_t i)
{
    return json_string_value(json_object_get(json_object_get(json_array_get(items, i), "sk"), "N"));
}

Test(store, cursors_walk_ranges_both_ways_and_resume_after_a_key)
{
    fixture f;
    setup_fixture(&f, true);
    const char *sks[] = {"-5", "1", "2.5", "10", "100"};
    for (int i = 0; i < 5; i++) {
        char buf[128];
        snprintf(buf, sizeof(buf), "{\"pk\":{\"S\":\"p\"},\"sk\":{\"N\":\"%s\"}}", sks[i]);
        put(&f, buf);
        snprintf(buf, sizeof(buf), "{\"pk\":{\"S\":\"other\"},\"sk\":{\"N\":\"%s\"}}", sks[i]);
        put(&f, buf);
    }
    store_reader *r = store_read_begin(f.s);
    const table_def *t = store_read_table(r, SLICE_LIT("T"));
    aws_error err;
    arena *prev = json_arena_push(&f.a);
    json_t *p = parse_in(&f.a, "{\"S\":\"p\"}");
    store_range range = {0};
    cr_assert_eq(keyenc_query_range(&f.a, &t->key, p, KEYENC_ALL, NULL, NULL, &range.range, &err), 0);
    store_range between = {0};
    cr_assert_eq(keyenc_query_range(&f.a, &t->key, p, KEYENC_BETWEEN, parse_in(&f.a, "{\"N\":\"1\"}"),
                                    parse_in(&f.a, "{\"N\":\"10\"}"), &between.range, &err),
                 0);
    json_arena_pop(prev);
    store_read_end(r);

    json_t *fw = walk(&f, NULL, &range);
    cr_assert_eq(json_array_size(fw), 5);
    for (int i = 0; i < 5; i++)
        cr_assert_str_eq(sk_of(fw, i), sks[i]);

    range.backward = true;
    json_t *bw = walk(&f, NULL, &range);
    cr_assert_eq(json_array_size(bw), 5);
    for (int i = 0; i < 5; i++)
        cr_assert_str_eq(sk_of(bw, i), sks[4 - i]);

    json_t *mid = walk(&f, NULL, &between);
    cr_assert_eq(json_array_size(mid), 3);
    cr_assert_str_eq(sk_of(mid, 0), "1");
    cr_assert_str_eq(sk_of(mid, 2), "10");

    /* Resume after sk = 2.5, both ways. */
    slice after;
    cr_assert_eq(
        keyenc_table_key(&f.a, &t->key, parse_in(&f.a, "{\"pk\":{\"S\":\"p\"},\"sk\":{\"N\":\"2.5\"}}"), &after, &err),
        0);
    range.after = after;
    range.backward = false;
    json_t *rest = walk(&f, NULL, &range);
    cr_assert_eq(json_array_size(rest), 2);
    cr_assert_str_eq(sk_of(rest, 0), "10");
    range.backward = true;
    json_t *before = walk(&f, NULL, &range);
    cr_assert_eq(json_array_size(before), 2);
    cr_assert_str_eq(sk_of(before, 0), "1");
    cr_assert_str_eq(sk_of(before, 1), "-5");

    /* Parallel scan segments cover the table exactly once. */
    size_t total = 0;
    for (uint32_t seg = 0; seg < 4; seg++) {
        store_range sr = {0};
        keyenc_segment_range(&f.a, seg, 4, &sr.range);
        total += json_array_size(walk(&f, NULL, &sr));
    }
    cr_assert_eq(total, 10);
    teardown_fixture(&f);
}

/* Group commit: a job that fails leaves no trace, the others of its batch commit. */
typedef struct gate {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    bool open;
    bool entered;
} gate;

static int blocking_job(store_tx *tx, void *ctx, aws_error *err)
{
    (void)tx;
    (void)err;
    gate *g = ctx;
    pthread_mutex_lock(&g->lock);
    g->entered = true;
    pthread_cond_broadcast(&g->cond);
    while (!g->open)
        pthread_cond_wait(&g->cond, &g->lock);
    pthread_mutex_unlock(&g->lock);
    return 0;
}

typedef struct done_counter {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    int done;
} done_counter;

static void count_done(store_job *job)
{
    done_counter *c = job->user;
    pthread_mutex_lock(&c->lock);
    c->done++;
    pthread_cond_broadcast(&c->cond);
    pthread_mutex_unlock(&c->lock);
}

/* Submits a job that holds the writer until g->open, and waits until it runs: jobs submitted next queue up and
 * run as one batch once the gate opens. The held job counts itself in dc when done. */
static void hold_writer(fixture *f, gate *g, done_counter *dc, store_job *block)
{
    *g = (gate){.open = false};
    pthread_mutex_init(&g->lock, NULL);
    pthread_cond_init(&g->cond, NULL);
    *dc = (done_counter){0};
    pthread_mutex_init(&dc->lock, NULL);
    pthread_cond_init(&dc->cond, NULL);
    *block = (store_job){.run = blocking_job, .ctx = g, .arena = &f->a, .done = count_done, .user = dc};
    store_submit(f->s, block);
    pthread_mutex_lock(&g->lock);
    while (!g->entered)
        pthread_cond_wait(&g->cond, &g->lock);
    pthread_mutex_unlock(&g->lock);
}

Test(store, group_commit_rolls_back_only_the_failing_job)
{
    fixture f;
    setup_fixture(&f, true);
    gate g;
    done_counter dc;
    store_job block;
    hold_writer(&f, &g, &dc, &block);

    /* These three queue up behind the blocked batch and run as one batch. */
    put_ctx a = {.table = "T", .n = 1}, b = {.table = "T", .n = 2, .fail = true}, c = {.table = "T", .n = 1};
    a.items[0] = parse_in(&f.a, "{\"pk\":{\"S\":\"a\"},\"sk\":{\"N\":\"1\"},\"g\":{\"S\":\"G\"}}");
    b.items[0] = parse_in(&f.a, "{\"pk\":{\"S\":\"b\"},\"sk\":{\"N\":\"1\"},\"g\":{\"S\":\"G\"},\"gs\":{\"N\":\"1\"}}");
    b.items[1] = parse_in(&f.a, "{\"pk\":{\"S\":\"a\"},\"sk\":{\"N\":\"1\"},\"g\":{\"S\":\"CHANGED\"}}");
    c.items[0] = parse_in(&f.a, "{\"pk\":{\"S\":\"c\"},\"sk\":{\"N\":\"1\"},\"g\":{\"S\":\"G\"}}");
    store_job ja = {.run = put_job, .ctx = &a, .arena = &f.a, .done = count_done, .user = &dc};
    store_job jb = {.run = put_job, .ctx = &b, .arena = &f.a, .done = count_done, .user = &dc};
    store_job jc = {.run = put_job, .ctx = &c, .arena = &f.a, .done = count_done, .user = &dc};
    store_submit(f.s, &ja);
    store_submit(f.s, &jb);
    store_submit(f.s, &jc);
    pthread_mutex_lock(&g.lock);
    g.open = true;
    pthread_cond_broadcast(&g.cond);
    pthread_mutex_unlock(&g.lock);
    pthread_mutex_lock(&dc.lock);
    while (dc.done < 4)
        pthread_cond_wait(&dc.cond, &dc.lock);
    pthread_mutex_unlock(&dc.lock);

    cr_assert_eq(ja.status, 0);
    cr_assert_eq(jb.status, -1);
    cr_assert_str_eq(jb.error.type, "ConditionalCheckFailedException");
    cr_assert_eq(jc.status, 0);
    cr_assert_not_null(get(&f, "{\"pk\":{\"S\":\"a\"},\"sk\":{\"N\":\"1\"}}"));
    cr_assert_null(get(&f, "{\"pk\":{\"S\":\"b\"},\"sk\":{\"N\":\"1\"}}"));
    cr_assert_not_null(get(&f, "{\"pk\":{\"S\":\"c\"},\"sk\":{\"N\":\"1\"}}"));
    json_t *a_now = get(&f, "{\"pk\":{\"S\":\"a\"},\"sk\":{\"N\":\"1\"}}");
    cr_assert(json_eq_text(json_object_get(a_now, "g"), "{\"S\":\"G\"}", &f.a));
    cr_assert_eq(json_array_size(walk(&f, "gall", NULL)), 0);
    cr_assert_eq(json_array_size(walk(&f, "gkeys", NULL)), 2);
    cr_assert_eq(stats(&f, NULL).item_count, 2);
    cr_assert_eq(stats(&f, "gkeys").item_count, 2);
    teardown_fixture(&f);
}

/* Replayable jobs run straight in the batch's transaction (all replayable) or share one nested
 * transaction (mixed with another job); one failing after its writes makes the writer roll them
 * back and replay them job by job, with the outcome of one transaction per job. */
static void replayable_batch(bool fail_after_writing, bool mixed)
{
    fixture f;
    setup_fixture(&f, true);
    gate g;
    done_counter dc;
    store_job block;
    hold_writer(&f, &g, &dc, &block);

    /* a and c succeed; b fails after writing (or writes nothing when !fail_after_writing); d fails
     * before writing anything, as a condition check does. */
    put_ctx a = {.table = "T", .n = 1}, b = {.table = "T", .n = fail_after_writing ? 2 : 0, .fail = true},
            c = {.table = "T", .n = 1}, d = {.table = "T", .n = 0, .fail = true};
    a.items[0] = parse_in(&f.a, "{\"pk\":{\"S\":\"a\"},\"sk\":{\"N\":\"1\"},\"g\":{\"S\":\"G\"}}");
    b.items[0] = parse_in(&f.a, "{\"pk\":{\"S\":\"b\"},\"sk\":{\"N\":\"1\"},\"g\":{\"S\":\"G\"},\"gs\":{\"N\":\"1\"}}");
    b.items[1] = parse_in(&f.a, "{\"pk\":{\"S\":\"a\"},\"sk\":{\"N\":\"1\"},\"g\":{\"S\":\"CHANGED\"}}");
    c.items[0] = parse_in(&f.a, "{\"pk\":{\"S\":\"c\"},\"sk\":{\"N\":\"1\"},\"g\":{\"S\":\"G\"}}");
    put_ctx *ctxs[] = {&a, &b, &c, &d};
    store_job jobs[4];
    for (int i = 0; i < 4; i++) {
        jobs[i] = (store_job){.run = put_job,
                              .ctx = ctxs[i],
                              .arena = &f.a,
                              .done = count_done,
                              .user = &dc,
                              .replayable = !(mixed && i == 3)};
        store_submit(f.s, &jobs[i]);
    }
    pthread_mutex_lock(&g.lock);
    g.open = true;
    pthread_cond_broadcast(&g.cond);
    pthread_mutex_unlock(&g.lock);
    pthread_mutex_lock(&dc.lock);
    while (dc.done < 5)
        pthread_cond_wait(&dc.cond, &dc.lock);
    pthread_mutex_unlock(&dc.lock);

    cr_assert_eq(jobs[0].status, 0);
    cr_assert_eq(jobs[1].status, -1);
    cr_assert_str_eq(jobs[1].error.type, "ConditionalCheckFailedException");
    cr_assert_eq(jobs[2].status, 0);
    cr_assert_eq(jobs[3].status, -1);
    cr_assert_str_eq(jobs[3].error.type, "ConditionalCheckFailedException");
    /* Replayed: a and b ran twice (shared, then alone); c and d, never reached in the shared run, once. */
    int shared_then_alone = fail_after_writing ? 2 : 1;
    cr_assert_eq(a.runs, shared_then_alone);
    cr_assert_eq(b.runs, shared_then_alone);
    cr_assert_eq(c.runs, 1);
    cr_assert_eq(d.runs, 1);
    json_t *a_now = get(&f, "{\"pk\":{\"S\":\"a\"},\"sk\":{\"N\":\"1\"}}");
    cr_assert_not_null(a_now);
    cr_assert(json_eq_text(json_object_get(a_now, "g"), "{\"S\":\"G\"}", &f.a));
    cr_assert_null(get(&f, "{\"pk\":{\"S\":\"b\"},\"sk\":{\"N\":\"1\"}}"));
    cr_assert_not_null(get(&f, "{\"pk\":{\"S\":\"c\"},\"sk\":{\"N\":\"1\"}}"));
    cr_assert_eq(json_array_size(walk(&f, "gall", NULL)), 0);
    cr_assert_eq(json_array_size(walk(&f, "gkeys", NULL)), 2);
    cr_assert_eq(stats(&f, NULL).item_count, 2);
    cr_assert_eq(stats(&f, "gkeys").item_count, 2);
    teardown_fixture(&f);
}

Test(store, replayable_jobs_replayed_alone_when_one_fails_after_writing)
{
    replayable_batch(true, false);
}

Test(store, replayable_jobs_failing_before_writing_need_no_replay)
{
    replayable_batch(false, false);
}

Test(store, replayable_run_next_to_another_job_replayed_alone_when_one_fails_after_writing)
{
    replayable_batch(true, true);
}

Test(store, replayable_run_next_to_another_job_failing_before_writing_needs_no_replay)
{
    replayable_batch(false, true);
}

Test(store, reopening_keeps_tables_items_and_indexes)
{
    fixture f;
    setup_fixture(&f, true);
    put(&f, "{\"pk\":{\"S\":\"a\"},\"sk\":{\"N\":\"1\"},\"g\":{\"S\":\"G\"},\"gs\":{\"N\":\"3\"}}");
    store_close(f.s);
    open_store(&f);
    json_t *item = get(&f, "{\"pk\":{\"S\":\"a\"},\"sk\":{\"N\":\"1\"}}");
    cr_assert_not_null(item);
    cr_assert_eq(json_array_size(walk(&f, "gall", NULL)), 1);
    cr_assert_eq(stats(&f, NULL).item_count, 1);
    store_reader *r = store_read_begin(f.s);
    const table_def *t = store_read_table(r, SLICE_LIT("T"));
    cr_assert_eq(t->n_indexes, 4);
    cr_assert_eq(t->n_gsi, 3);
    cr_assert(slice_eq_cstr(t->indexes[3].name, "lsi"));
    cr_assert_eq(t->indexes[0].key.range.type, ATTR_N);
    cr_assert_eq(t->billing, BILLING_PAY_PER_REQUEST);
    store_read_end(r);
    teardown_fixture(&f);
}

static int delete_table_job(store_tx *tx, void *ctx, aws_error *err)
{
    (void)ctx;
    const table_def *t = store_tx_table(tx, SLICE_LIT("T"));
    return t != NULL ? store_tx_delete_table(tx, t, err) : -1;
}

Test(store, readers_keep_their_snapshot_across_a_catalog_change)
{
    fixture f;
    setup_fixture(&f, true);
    put(&f, "{\"pk\":{\"S\":\"a\"},\"sk\":{\"N\":\"1\"}}");
    store_reader *r = store_read_begin(f.s);
    const table_def *old = store_read_table(r, SLICE_LIT("T"));
    cr_assert_not_null(old);

    /* Another thread deletes the table while this reader still holds the old snapshot. */
    aws_error err;
    cr_assert_eq(store_run(f.s, delete_table_job, NULL, &f.a, &err), 0, "%s", err.message);
    /* A second change forces the writer to try reclaiming; the pinned snapshot must survive. */
    json_t *def = parse_in(&f.a, DEFINITION);
    arena *prev = json_arena_push(&f.a);
    json_object_set_new(def, "TableName", json_string("T2"));
    json_arena_pop(prev);
    cr_assert_eq(store_run(f.s, create_job, def, &f.a, &err), 0, "%s", err.message);

    cr_assert(slice_eq_cstr(old->name, "T"));
    cr_assert_eq(old->n_indexes, 4);
    json_t *item;
    prev = json_arena_push(&f.a);
    cr_assert_eq(store_get_item(r, old, parse_in(&f.a, "{\"pk\":{\"S\":\"a\"},\"sk\":{\"N\":\"1\"}}"), &item, &err), 0);
    json_arena_pop(prev);
    cr_assert_not_null(item, "the reader's transaction still sees the item");
    store_read_end(r);

    r = store_read_begin(f.s);
    cr_assert_null(store_read_table(r, SLICE_LIT("T")));
    cr_assert_not_null(store_read_table(r, SLICE_LIT("T2")));
    size_t n;
    store_read_tables(r, SLICE_NULL, &n);
    cr_assert_eq(n, 1);
    store_read_end(r);

    /* Re-creating T starts empty. */
    def = parse_in(&f.a, DEFINITION);
    prev = json_arena_push(&f.a);
    json_object_set_new(def, "DbName", json_string("t:fresh"));
    json_arena_pop(prev);
    cr_assert_eq(store_run(f.s, create_job, def, &f.a, &err), 0, "%s", err.message);
    cr_assert_null(get(&f, "{\"pk\":{\"S\":\"a\"},\"sk\":{\"N\":\"1\"}}"));
    cr_assert_eq(stats(&f, NULL).item_count, 0);
    teardown_fixture(&f);
}

Test(store, failed_catalog_change_is_rolled_back)
{
    fixture f;
    setup_fixture(&f, true);
    aws_error err;
    json_t *def = parse_in(&f.a, DEFINITION);
    cr_assert_eq(store_run(f.s, create_job, def, &f.a, &err), -1);
    cr_assert_str_eq(err.type, "ResourceInUseException");
    cr_assert_str_eq(err.message, "Table already exists: T");
    store_reader *r = store_read_begin(f.s);
    size_t n;
    store_read_tables(r, SLICE_NULL, &n);
    cr_assert_eq(n, 1);
    store_read_end(r);
    teardown_fixture(&f);
}

static int update_add_index_job(store_tx *tx, void *ctx, aws_error *err)
{
    const table_def *t = store_tx_table(tx, SLICE_LIT("T"));
    return store_tx_update_table(tx, t, ctx, NULL, err);
}

Test(store, new_index_is_backfilled_and_dropped_index_emptied)
{
    fixture f;
    setup_fixture(&f, true);
    put(&f, "{\"pk\":{\"S\":\"a\"},\"sk\":{\"N\":\"1\"},\"h\":{\"S\":\"H\"}}");
    put(&f, "{\"pk\":{\"S\":\"b\"},\"sk\":{\"N\":\"1\"}}");
    json_t *def = parse_in(&f.a, DEFINITION);
    json_t *gsis = json_object_get(def, "GlobalSecondaryIndexes");
    json_array_remove(gsis, 0); /* drop gall */
    json_array_append_new(
        gsis, parse_in(&f.a, "{\"IndexName\":\"gh\",\"KeySchema\":[{\"AttributeName\":\"h\",\"KeyType\":\"HASH\"}],"
                             "\"Projection\":{\"ProjectionType\":\"ALL\"},\"DbName\":\"x:1:h\"}"));
    json_array_append_new(json_object_get(def, "AttributeDefinitions"),
                          parse_in(&f.a, "{\"AttributeName\":\"h\",\"AttributeType\":\"S\"}"));
    aws_error err;
    cr_assert_eq(store_run(f.s, update_add_index_job, def, &f.a, &err), 0, "%s", err.message);
    json_t *entries = walk(&f, "gh", NULL);
    cr_assert_eq(json_array_size(entries), 1);
    cr_assert_eq(stats(&f, "gh").item_count, 1);
    store_reader *r = store_read_begin(f.s);
    cr_assert_null(table_find_index(store_read_table(r, SLICE_LIT("T")), SLICE_LIT("gall")));
    store_read_end(r);
    /* Later writes maintain the new index. */
    put(&f, "{\"pk\":{\"S\":\"c\"},\"sk\":{\"N\":\"1\"},\"h\":{\"S\":\"H2\"}}");
    cr_assert_eq(json_array_size(walk(&f, "gh", NULL)), 2);
    teardown_fixture(&f);
}

static int enable_ttl_job(store_tx *tx, void *ctx, aws_error *err)
{
    (void)ctx;
    const table_def *t = store_tx_table(tx, SLICE_LIT("T"));
    json_t *d = json_deep_copy(t->definition);
    json_object_set_new(d, "TimeToLive", json_pack("{s:s,s:s}", "AttributeName", "exp", "Status", "ENABLED"));
    return store_tx_update_table(tx, t, d, NULL, err);
}

static int disable_ttl_job(store_tx *tx, void *ctx, aws_error *err)
{
    (void)ctx;
    const table_def *t = store_tx_table(tx, SLICE_LIT("T"));
    json_t *d = json_deep_copy(t->definition);
    json_object_del(d, "TimeToLive");
    return store_tx_update_table(tx, t, d, NULL, err);
}

static int delete_t2_job(store_tx *tx, void *ctx, aws_error *err)
{
    (void)ctx;
    const table_def *t = store_tx_table(tx, SLICE_LIT("T2"));
    return t != NULL ? store_tx_delete_table(tx, t, err) : -1;
}

Test(store, ttl_sweep_deletes_expired_items_with_their_index_entries)
{
    fixture f;
    setup_fixture(&f, true);
    aws_error err;
    cr_assert_eq(store_run(f.s, enable_ttl_job, NULL, &f.a, &err), 0, "%s", err.message);
    put(&f, "{\"pk\":{\"S\":\"old\"},\"sk\":{\"N\":\"1\"},\"g\":{\"S\":\"G\"},\"exp\":{\"N\":\"1000\"}}");
    put(&f, "{\"pk\":{\"S\":\"new\"},\"sk\":{\"N\":\"1\"},\"g\":{\"S\":\"G\"},\"exp\":{\"N\":\"3000\"}}");
    put(&f, "{\"pk\":{\"S\":\"str\"},\"sk\":{\"N\":\"1\"},\"exp\":{\"S\":\"1000\"}}");
    put(&f, "{\"pk\":{\"S\":\"none\"},\"sk\":{\"N\":\"1\"}}");
    cr_assert_eq(ttl_sweep_once(f.s, 2000.0), 1);
    cr_assert_null(get(&f, "{\"pk\":{\"S\":\"old\"},\"sk\":{\"N\":\"1\"}}"));
    cr_assert_not_null(get(&f, "{\"pk\":{\"S\":\"new\"},\"sk\":{\"N\":\"1\"}}"));
    cr_assert_not_null(get(&f, "{\"pk\":{\"S\":\"str\"},\"sk\":{\"N\":\"1\"}}"));
    cr_assert_eq(json_array_size(walk(&f, "gkeys", NULL)), 1);
    cr_assert_eq(stats(&f, NULL).item_count, 3);
    teardown_fixture(&f);
}

Test(store, keys_longer_than_lmdb_allows_round_trip)
{
    fixture f;
    setup_fixture(&f, true);
    char *big = malloc(2100);
    for (int variant = 0; variant < 3; variant++) {
        memset(big, 'a', 2000);
        big[1999] = (char)('x' + variant); /* same first 1999 bytes: differ only past the LMDB prefix */
        big[2000] = '\0';
        char *item = malloc(4500);
        snprintf(item, 4500, "{\"pk\":{\"S\":\"%s\"},\"sk\":{\"N\":\"%d\"},\"g\":{\"S\":\"%s\"}}", big, variant, big);
        put(&f, item);
        free(item);
    }
    char *key = malloc(2300);
    snprintf(key, 2300, "{\"pk\":{\"S\":\"%s\"},\"sk\":{\"N\":\"2\"}}", big);
    json_t *got = get(&f, key);
    cr_assert_not_null(got);
    cr_assert_eq(json_string_length(json_object_get(json_object_get(got, "pk"), "S")), 2000);
    json_t *all = walk(&f, NULL, NULL);
    cr_assert_eq(json_array_size(all), 3);
    cr_assert_eq(json_array_size(walk(&f, "gkeys", NULL)), 3);
    /* Resuming after a long key with its full encoding continues past exactly that entry. */
    store_reader *r = store_read_begin(f.s);
    const table_def *t = store_read_table(r, SLICE_LIT("T"));
    store_range range = {0};
    aws_error err;
    cr_assert_eq(keyenc_table_key(&f.a, &t->key, json_array_get(all, 0), &range.after, &err), 0);
    store_read_end(r);
    cr_assert_eq(json_array_size(walk(&f, NULL, &range)), 2);
    del(&f, key);
    cr_assert_null(get(&f, key));
    cr_assert_eq(json_array_size(walk(&f, "gkeys", NULL)), 2);
    free(key);
    free(big);
    teardown_fixture(&f);
}

/* Readers on other threads while the catalog changes under them: snapshots must stay valid for as
 * long as a reader holds them (run under AddressSanitizer to catch a premature free). */
typedef struct churn {
    store *s;
    _Atomic bool stop;
    _Atomic long reads;
} churn;

static void *reader_thread(void *arg)
{
    churn *c = arg;
    arena a;
    arena_init(&a, 4096);
    while (!atomic_load(&c->stop)) {
        store_reader *r = store_read_begin(c->s);
        size_t n;
        const table_def *const *tables = store_read_tables(r, SLICE_NULL, &n);
        for (size_t i = 0; i < n; i++) {
            const table_def *t = tables[i];
            cr_assert(t->name.len > 0 && t->n_indexes == 4);
            store_stats st;
            store_read_stats(r, t, t->indexes[0].name, &st);
            store_range all = {0};
            aws_error err;
            store_cursor *cur = store_cursor_open(r, t, &t->indexes[1], &all, &err);
            slice k, v;
            if (cur != NULL) {
                while (store_cursor_next(cur, &k, &v, &err) == 1)
                    ;
                store_cursor_close(cur);
            }
        }
        store_read_end(r);
        atomic_fetch_add(&c->reads, 1);
    }
    arena_destroy(&a);
    return NULL;
}

Test(store, catalog_churn_with_concurrent_readers)
{
    fixture f;
    setup_fixture(&f, true);
    put(&f, "{\"pk\":{\"S\":\"a\"},\"sk\":{\"N\":\"1\"},\"g\":{\"S\":\"G\"}}");
    churn c = {.s = f.s};
    pthread_t th[2];
    for (int i = 0; i < 2; i++)
        pthread_create(&th[i], NULL, reader_thread, &c);
    for (int round = 0; round < 40; round++) {
        aws_error err;
        json_t *def = parse_in(&f.a, DEFINITION);
        arena *prev = json_arena_push(&f.a);
        json_object_set_new(def, "TableName", json_string("T2"));
        json_object_set_new(def, "DbName", json_sprintf("t:round%d", round));
        json_arena_pop(prev);
        cr_assert_eq(store_run(f.s, create_job, def, &f.a, &err), 0, "%s", err.message);
        cr_assert_eq(store_run(f.s, enable_ttl_job, NULL, &f.a, &err), 0, "%s", err.message);
        cr_assert_eq(store_run(f.s, delete_t2_job, NULL, &f.a, &err), 0, "%s", err.message);
        cr_assert_eq(store_run(f.s, disable_ttl_job, NULL, &f.a, &err), 0, "%s", err.message);
    }
    atomic_store(&c.stop, true);
    for (int i = 0; i < 2; i++)
        pthread_join(th[i], NULL);
    cr_assert_gt(atomic_load(&c.reads), 0);
    cr_assert_not_null(get(&f, "{\"pk\":{\"S\":\"a\"},\"sk\":{\"N\":\"1\"}}"));
    teardown_fixture(&f);
}
