#include <criterion/criterion.h>
#include <string.h>

#include "core/arena.h"
#include "core/error.h"
#include "core/json.h"
#include "core/reqid.h"
#include "core/slice.h"

Test(arena, allocations_are_aligned_and_distinct)
{
    arena a;
    arena_init(&a, 256);
    char *p = arena_alloc(&a, 3), *q = arena_alloc(&a, 5);
    cr_assert_eq((uintptr_t)p % 16, 0);
    cr_assert_eq((uintptr_t)q % 16, 0);
    cr_assert_neq(p, q);
    char *big = arena_alloc(&a, 100000); /* larger than a chunk */
    memset(big, 'x', 100000);
    cr_assert_str_eq(arena_sprintf(&a, "%s-%d", "id", 42), "id-42");
    arena_reset(&a);
    cr_assert_eq(a.total_bytes, 0);
    char *r = arena_alloc(&a, 8);
    cr_assert_not_null(r);
    arena_destroy(&a);
}

Test(slice, compare_and_equal)
{
    cr_assert(slice_eq_cstr(SLICE_LIT("abc"), "abc"));
    cr_assert_not(slice_eq_cstr(SLICE_LIT("abc"), "abd"));
    cr_assert(slice_eq_nocase(SLICE_LIT("Content-Type"), SLICE_LIT("content-type")));
    cr_assert_lt(slice_cmp(SLICE_LIT("ab"), SLICE_LIT("abc")), 0);
    cr_assert_gt(slice_cmp(SLICE_LIT("b"), SLICE_LIT("abc")), 0);
    cr_assert(slice_eq(slice_sub(SLICE_LIT("hello"), 1, 3), SLICE_LIT("ell")));
    cr_assert_eq(slice_sub(SLICE_LIT("hi"), 5, 1).len, 0);
}

Test(error, set_fills_type_status_and_message)
{
    aws_error e;
    error_clear(&e);
    cr_assert_not(error_is_set(&e));
    cr_assert_eq(error_validation(&e, "bad %s", "key"), -1);
    cr_assert_str_eq(e.type, "ValidationException");
    cr_assert_eq(e.status, 400);
    cr_assert_str_eq(e.message, "bad key");
}

Test(reqid, uuid_v4_shape_and_uniqueness)
{
    char a[REQID_UUID_LEN + 1], b[REQID_UUID_LEN + 1];
    reqid_uuid(a);
    reqid_uuid(b);
    cr_assert_eq(strlen(a), 36);
    cr_assert_eq(a[8], '-');
    cr_assert_eq(a[14], '4');
    cr_assert(strchr("89ab", a[19]) != NULL);
    cr_assert_str_neq(a, b);
}

Test(json, arena_objects_and_heap_objects_coexist)
{
    json_glue_init();
    json_t *heap = json_pack("{s:s}", "k", "v");
    arena a;
    arena_init(&a, 1024);
    arena *prev = json_arena_push(&a);
    json_t *in_arena = json_pack("{s:i, s:[i,i]}", "n", 1, "l", 2, 3);
    cr_assert_gt(a.total_bytes, 0);
    slice text = json_dump_slice(in_arena, JSON_COMPACT | JSON_SORT_KEYS);
    cr_assert(slice_eq_cstr(text, "{\"l\":[2,3],\"n\":1}"));
    json_decref(in_arena); /* a no-op for arena blocks */
    json_decref(heap);     /* a real free even while an arena is current */
    json_arena_pop(prev);
    arena_destroy(&a);
}
