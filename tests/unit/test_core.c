#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/error.h"
#include "core/json.h"
#include "core/json_write.h"
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

/* json_write must give json_dumpb's bytes for every flag combination it claims. */
Test(json_write, matches_jansson_byte_for_byte)
{
    arena a;
    arena_init(&a, 4096);
    const char *docs[] = {
        "{}",
        "[]",
        "{\"a\":1,\"b\":[true,false,null,-9223372036854775808,9223372036854775807],\"c\":{\"d\":\"e\"}}",
        "{\"q\":\"quote\\\" back\\\\ slash/ \\b\\f\\n\\r\\t \\u0001\\u001f \\u007f é 😀 \\u2028\"}",
        "[1.5,0.1,1e300,-2.5e-7,100.0,3.0]",
        "{\"key\":\"nul\\u0000inside\"}",
        "[[],{},[{}],{\"x\":[]}]",
    };
    size_t flag_sets[] = {JSON_COMPACT, 0, JSON_COMPACT | JSON_REAL_PRECISION(5), JSON_ENCODE_ANY};
    for (size_t i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
        json_t *v = json_loads(docs[i], JSON_ALLOW_NUL, NULL);
        cr_assert_not_null(v, "%s", docs[i]);
        for (size_t f = 0; f < sizeof(flag_sets) / sizeof(flag_sets[0]); f++) {
            size_t expected_len = json_dumpb(v, NULL, 0, flag_sets[f]);
            char *expected = malloc(expected_len + 1);
            json_dumpb(v, expected, expected_len, flag_sets[f]);
            expected[expected_len] = 0;
            buf b;
            buf_init(&b, &a, 16);
            cr_assert(json_write(&b, v, flag_sets[f]));
            slice got = buf_slice(&b);
            cr_assert_eq(got.len, expected_len, "%s: %.*s vs %s", docs[i], (int)got.len, got.ptr, expected);
            cr_assert(memcmp(got.ptr, expected, got.len) == 0, "%.*s vs %s", (int)got.len, got.ptr, expected);
            free(expected);
        }
        json_decref(v);
    }
    json_t *scalar = json_string("s");
    buf b;
    buf_init(&b, &a, 16);
    cr_assert_not(json_write(&b, scalar, JSON_COMPACT), "a bare scalar needs JSON_ENCODE_ANY, as with json_dumpb");
    cr_assert(json_write(&b, scalar, JSON_COMPACT | JSON_ENCODE_ANY));
    cr_assert(slice_eq_cstr(buf_slice(&b), "\"s\""));
    json_decref(scalar);
    cr_assert_not(json_write_supports(JSON_SORT_KEYS));
    arena_destroy(&a);
}
