#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/base64.h"
#include "core/error.h"
#include "core/json.h"
#include "core/json_parse.h"
#include "core/json_write.h"
#include "core/reqid.h"
#include "core/slice.h"
#include "core/swar.h"

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

Test(reqid, trace_header_shape)
{
    char a[REQID_TRACE_LEN + 1], b[REQID_TRACE_LEN + 1];
    reqid_trace(a, 0x6b027666);
    reqid_trace(b, 0x6b027666);
    cr_assert_eq(strlen(a), REQID_TRACE_LEN);
    cr_assert(strncmp(a, "Root=1-6b027666-", 16) == 0, "%s", a);
    cr_assert_eq(strspn(a + 16, "0123456789abcdef"), 24, "%s", a);
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

/* json_write_string copies plain text a word at a time and hands over to the escaping loop at the first byte
 * that needs it: an escape at every position of strings around the word size, against jansson's bytes. */
Test(json_write, string_escapes_at_every_position)
{
    arena a;
    arena_init(&a, 4096);
    const char specials[] = {'"', '\\', '\n', 0x01, 0x1f};
    for (size_t len = 0; len <= 40; len++) {
        for (size_t at = 0; at <= len; at++) {
            for (size_t k = 0; k < sizeof specials; k++) {
                char text[48];
                memset(text, 'a' + (int)(len % 26), len);
                if (at < len)
                    text[at] = specials[k];
                json_t *v = json_stringn(text, len);
                cr_assert_not_null(v);
                char expected[300];
                size_t n = json_dumpb(v, expected, sizeof expected, JSON_ENCODE_ANY);
                buf b;
                buf_init(&b, &a, 1); /* 64 bytes: with the prefix, longer strings make it grow */
                memset(b.ptr, 'x', 30);
                b.len = 30;
                json_write_string(&b, text, len);
                cr_assert_eq(b.len, n + 30, "len %zu at %zu", len, at);
                cr_assert(memcmp(b.ptr + 30, expected, n) == 0, "len %zu at %zu", len, at);
                json_decref(v);
            }
        }
    }
    arena_destroy(&a);
}

Test(buf, append_int_prints_as_printf)
{
    arena a;
    arena_init(&a, 256);
    long long values[] = {0, 7, -7, 10, 999999, -1000000, 9223372036854775807LL, -9223372036854775807LL - 1};
    for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
        buf b;
        buf_init(&b, &a, 1);
        buf_append_int(&b, values[i]);
        char expected[32];
        snprintf(expected, sizeof expected, "%lld", values[i]);
        cr_assert(slice_eq_cstr(buf_slice(&b), expected), "%s", expected);
    }
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

/* Strings are scanned a word at a time: every character that needs an escape (and neighbours that
 * do not) at every position of strings around the word size, against json_dumpb. */
Test(json_write, escapes_found_at_every_position)
{
    arena a;
    arena_init(&a, 4096);
    const unsigned char specials[] = {'"',  '\\', 0x00, 0x01, '\n', 0x1f, 0x20,
                                      0x21, 0x5b, 0x5d, 0x7f, 0x80, 0xc3, 0xff};
    char text[41];
    for (size_t len = 1; len <= 40; len++) {
        for (size_t pos = 0; pos < len; pos++) {
            for (size_t k = 0; k < sizeof specials; k++) {
                memset(text, 'x', len);
                text[pos] = (char)specials[k];
                if (specials[k] >= 0x80) { /* keep it UTF-8: a two-byte sequence, or a lone valid lead */
                    if (pos + 1 < len)
                        text[pos] = (char)0xc3, text[pos + 1] = (char)0xa9;
                    else
                        text[pos] = 'y';
                }
                json_t *v = json_stringn(text, len);
                cr_assert_not_null(v);
                size_t expected_len = json_dumpb(v, NULL, 0, JSON_ENCODE_ANY | JSON_COMPACT);
                char expected[256];
                cr_assert_lt(expected_len, sizeof expected);
                json_dumpb(v, expected, expected_len, JSON_ENCODE_ANY | JSON_COMPACT);
                buf b;
                buf_init(&b, &a, 16);
                cr_assert(json_write(&b, v, JSON_ENCODE_ANY | JSON_COMPACT));
                cr_assert_eq(b.len, expected_len, "len %zu pos %zu char %02x", len, pos, specials[k]);
                cr_assert(memcmp(b.ptr, expected, b.len) == 0, "len %zu pos %zu char %02x", len, pos, specials[k]);
                json_decref(v);
            }
        }
        arena_reset(&a);
    }
    arena_destroy(&a);
}

/* json_dumps would allocate through the glue allocator; these bytes are plain malloc. */
static char *dump_any(const json_t *v)
{
    size_t n = json_dumpb(v, NULL, 0, JSON_ENCODE_ANY | JSON_COMPACT);
    char *text = malloc(n + 1);
    json_dumpb(v, text, n, JSON_ENCODE_ANY | JSON_COMPACT);
    text[n] = '\0';
    return text;
}

/* json_parse accepts and refuses what json_loadb does, and builds the same tree. */
static void parse_like_jansson(const char *text, size_t len, size_t flags)
{
    json_t *ours = json_parse(slice_make(text, len), flags);
    json_t *theirs = json_loadb(text, len, flags, NULL);
    cr_assert_eq(ours == NULL, theirs == NULL, "%.*s: json_parse %s, json_loadb %s", (int)len, text,
                 ours ? "accepts" : "refuses", theirs ? "accepts" : "refuses");
    if (ours != NULL) {
        char *a = dump_any(ours), *b = dump_any(theirs);
        cr_assert_str_eq(a, b);
        cr_assert(json_equal(ours, theirs));
        free(a);
        free(b);
    }
    json_decref(ours);
    json_decref(theirs);
}

Test(json_parse, agrees_with_jansson)
{
    static const char *const texts[] = {
        "{}",
        "[]",
        " {\"a\" : [1 , 2] } ",
        "{\"a\":1,\"a\":2,\"b\":3}",
        "[0,-0,-0.0,1e5,1E+5,2.5e-3,-12]",
        "[9223372036854775807]",
        "[9223372036854775808]",
        "[-9223372036854775808]",
        "[-9223372036854775809]",
        "[1e308]",
        "[1e309]",
        "[-1e309]",
        "[1e-400]",
        "[01]",
        "[1.]",
        "[.5]",
        "[-]",
        "[+1]",
        "[1e]",
        "[1e+]",
        "[0x10]",
        "[1true]",
        "[true]",
        "[tru]",
        "[truex]",
        "[nul]",
        "[null,false]",
        "[\"\\u00e9\\uD83D\\uDE00\"]",
        "[\"\\uD83D\"]",
        "[\"\\uDE00\"]",
        "[\"\\uD83Dx\"]",
        "[\"\\uD83D\\u0041\"]",
        "[\"\\u0000\"]",
        "{\"\\u0000\":1}",
        "[\"\\x\"]",
        "[\"\\u12\"]",
        "[\"\\u12G4\"]",
        "[\"a\\/b\\\\c\\\"d\\b\\f\\n\\r\\t\"]",
        "[\"tab\there\"]",
        "[\"\xc3\xa9\"]",
        "[\"\xc3\"]",
        "[\"\xc0\x80\"]",
        "[\"\xed\xa0\x80\"]",
        "[\"\xf4\x90\x80\x80\"]",
        "[\"\xf0\x9f\x98\x80\"]",
        "[\"\xe2\x82\"]",
        "[\"\x7f\"]",
        "[1,]",
        "{\"a\":1,}",
        "{\"a\"}",
        "{\"a\":}",
        "{1:2}",
        "[1 2]",
        "[1] x",
        "[1]\n\t ",
        "",
        "   ",
        "\"alone\"",
        "42",
        "null",
        "[\"unterminated",
        "{\"k\":\"v\"",
        "\xef\xbb\xbf{}",
        "[1]\x00",
        "{\"a\":{\"b\":{\"c\":[[[]]]}}}",
        "[\"esc \\\" then \xc3\xa9 and \\n\"]",
    };
    for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
        size_t len = strlen(texts[i]);
        if (strcmp(texts[i], "[1]") == 0)
            len = 4; /* with the NUL after it */
        parse_like_jansson(texts[i], len, 0);
        parse_like_jansson(texts[i], len, JSON_ALLOW_NUL | JSON_DECODE_ANY);
    }
    parse_like_jansson("[1]\0", 4, 0);
    parse_like_jansson("[\"a\0b\"]", 7, JSON_ALLOW_NUL);
    /* nesting: jansson's limit counts every value, scalars included */
    for (int depth = 2046; depth <= 2050; depth++) {
        char *deep = malloc((size_t)depth * 2 + 2);
        memset(deep, '[', (size_t)depth);
        deep[depth] = '1';
        memset(deep + depth + 1, ']', (size_t)depth);
        parse_like_jansson(deep, (size_t)depth * 2 + 1, 0);
        memset(deep + depth, ']', (size_t)depth);
        parse_like_jansson(deep, (size_t)depth * 2, 0);
        free(deep);
    }
    /* a long string with escapes crosses the scratch buffer's growth */
    char big[5000];
    size_t n = 0;
    big[n++] = '[';
    big[n++] = '"';
    for (int i = 0; i < 1000; i++) {
        memcpy(big + n, "ab\\n", 4);
        n += 4;
    }
    big[n++] = '"';
    big[n++] = ']';
    parse_like_jansson(big, n, 0);
}

Test(base64, round_trip_and_strict_refusals)
{
    arena a;
    arena_init(&a, 1024);
    unsigned char raw[12];
    for (size_t len = 0; len <= sizeof raw; len++) {
        for (size_t i = 0; i < len; i++)
            raw[i] = (unsigned char)(37 * i + 251 * len);
        slice text = base64_encode(&a, slice_make((const char *)raw, len));
        cr_assert_eq(text.len, base64_encoded_len(len));
        cr_assert_eq(base64_decoded_len(text), len);
        slice back;
        cr_assert_eq(base64_decode(&a, text, &back), 0);
        cr_assert(back.len == len && memcmp(back.ptr, raw, len) == 0, "length %zu", len);
    }
    cr_assert(slice_eq_cstr(base64_encode(&a, SLICE_LIT("hi")), "aGk="));
    cr_assert_eq(base64_decode_into(SLICE_LIT("aGk"), NULL), BASE64_BAD_LENGTH);
    cr_assert_eq(base64_decode_into(SLICE_LIT("aG=k"), NULL), BASE64_BAD_CHARACTER, "padding before the end");
    cr_assert_eq(base64_decode_into(SLICE_LIT("aGk=aGk="), NULL), BASE64_BAD_CHARACTER, "padding mid-text");
    cr_assert_eq(base64_decode_into(SLICE_LIT("a==="), NULL), BASE64_BAD_CHARACTER);
    cr_assert_eq(base64_decode_into(SLICE_LIT("aGl="), NULL), BASE64_NOT_CANONICAL, "dropped bits set");
    cr_assert_eq(base64_decode_into(SLICE_LIT("aB=="), NULL), BASE64_NOT_CANONICAL);
    cr_assert_eq(base64_digit('='), -1);
    arena_destroy(&a);
}

/* swar_equal_short reads overlapping words: a difference at any position of any length must show. */
Test(swar, equal_short_sees_every_byte)
{
    char a[40], b[40];
    for (size_t n = 0; n <= sizeof a; n++) {
        for (size_t i = 0; i < n; i++)
            a[i] = b[i] = (char)('a' + i % 26);
        cr_assert(swar_equal_short(a, b, n), "length %zu", n);
        for (size_t at = 0; at < n; at++) {
            b[at] ^= 0x20;
            cr_assert_not(swar_equal_short(a, b, n), "length %zu, byte %zu", n, at);
            b[at] ^= 0x20;
        }
    }
}
