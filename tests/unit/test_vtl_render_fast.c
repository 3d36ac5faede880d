/* The render's shortest ways at their edges: texts of flat blocks printed in fixed-size moves (their length and the
 * room left in the output), map keys tested by their kind and length in one comparison and one-byte names in one
 * more, $input.path's steps tried first after the key the last one found, and names without a cache number. Each
 * case is one where the short way must give way to the general one, with the output the general way gives. */
#include <stdio.h>
#include <stdlib.h>

#include "vtl/jutil.h"
#include "vtl_test_util.h"

static void expect_body(const char *template_text, const char *body, const char *expected)
{
    vtl_case k = {.template_text = template_text, .body = body};
    expect_render(&k, expected);
}

/* n bytes of a fixed pattern, NUL-terminated */
static char *pattern(size_t n)
{
    char *s = malloc(n + 1);
    cr_assert_not_null(s);
    for (size_t i = 0; i < n; i++)
        s[i] = (char)('a' + (char)(i % 26));
    s[n] = '\0';
    return s;
}

/* Texts of 1, 31, 32 (the longest one move copies), 33 and 65 bytes between references, in a loop body. */
Test(vtl_render_fast, flat_texts_at_the_move_size)
{
    static const size_t lens[] = {1, 31, 32, 33, 65};
    for (size_t li = 0; li < sizeof lens / sizeof lens[0]; li++) {
        char *t = pattern(lens[li]);
        char tpl[512], want[4096];
        snprintf(tpl, sizeof tpl, "#foreach($e in $input.path('$.items'))%s$e.a.S|%s#end", t, t);
        size_t n = 0;
        for (int i = 0; i < 3; i++)
            n += (size_t)snprintf(want + n, sizeof want - n, "%s%d|%s", t, i, t);
        expect_body(tpl, "{\"items\":[{\"a\":{\"S\":\"0\"}},{\"a\":{\"S\":\"1\"}},{\"a\":{\"S\":\"2\"}}]}", want);
        free(t);
    }
}

/* Loops printing far more than the first output buffer holds: the moves stop where the room does and the buffer
 * grows as it would; each separator (#if($foreach.hasNext)) too. */
Test(vtl_render_fast, flat_texts_as_the_output_grows)
{
    static char want[48 * 3000 + 16];
    size_t n = 0;
    for (int k = 1; k <= 3; k++) {
        for (int i = 1; i <= 1000; i++)
            n += (size_t)snprintf(want + n, sizeof want - n, "<abcdefghijklmnopqrstuvwxyz01234>%d%s", i,
                                  i < 1000 ? "," : "");
        n += (size_t)snprintf(want + n, sizeof want - n, ";");
    }
    expect_body("#foreach($k in [1..3])#foreach($i in [1..1000])<abcdefghijklmnopqrstuvwxyz01234>$i"
                "#if($foreach.hasNext),#end#end;#end",
                "{}", want);
}

/* 32-byte texts up to the output limit exactly (VTL_MAX_OUTPUT is 512 * 512 of them; a loop turns at most
 * VTL_FOREACH_MAX times), then one byte past it. */
static int render_output(const char *template_text, size_t *out_len, aws_error *err)
{
    arena a;
    arena_init(&a, 1 << 16);
    vtl_case k = {.template_text = template_text, .body = "{}"};
    slice out;
    int rc = vtl_test_render(&a, &k, &out, err, NULL);
    if (rc == 0)
        *out_len = out.len;
    arena_destroy(&a);
    return rc;
}

Test(vtl_render_fast, flat_texts_at_the_output_limit)
{
    char tpl[256];
    aws_error err;
    size_t out_len = 0;
    cr_assert_eq(VTL_MAX_OUTPUT, 512u * 512u * 32u);
    snprintf(tpl, sizeof tpl,
             "#foreach($i in [1..512])#foreach($j in [1..512])abcdefghijklmnopqrstuvwxyz012345#end#end");
    cr_assert_eq(render_output(tpl, &out_len, &err), 0, "%s", err.message);
    cr_assert_eq(out_len, (size_t)VTL_MAX_OUTPUT);
    snprintf(tpl, sizeof tpl,
             "x#foreach($i in [1..512])#foreach($j in [1..512])abcdefghijklmnopqrstuvwxyz012345#end#end");
    cr_assert_eq(render_output(tpl, &out_len, &err), -1);
    cr_assert_str_eq(err.message, "rendered output exceeds 8388608 bytes");
}

/* One-byte names ("S") against keys of one byte that differ, keys that start alike, and keys in other places. */
Test(vtl_render_fast, one_byte_names)
{
    expect_body("#foreach($e in $input.path('$.items'))[$e.v.S]#end",
                "{\"items\":[{\"v\":{\"S\":\"1\"}},{\"v\":{\"T\":\"2\"}},{\"v\":{\"N\":\"3\",\"S\":\"4\"}},"
                "{\"v\":{\"SS\":\"5\"}},{\"v\":{\"s\":\"6\"}},{\"v\":{\"S\":\"7\",\"T\":\"8\"}},{\"v\":{}},"
                "{\"v\":{\"S\":\"\"}}]}",
                "[1][][4][][][7][][]");
}

/* Keys that are not strings, or strings of the name's length that differ, where the previous map had the name. */
Test(vtl_render_fast, keys_of_other_kinds_and_lengths)
{
    expect_body("#set($m1 = {'ab': 'x', 'cd': 'y'})#set($m2 = {1: 'one', 'ab': 'z'})#set($m3 = {'ac': 'w', 'ab': 'v'})"
                "#set($m4 = {'abc': 'u'})#foreach($m in [$m1, $m2, $m3, $m4, $m1])($m.ab)#end",
                "{}", "(x)(z)(v)()(x)");
    expect_body("#set($m1 = {'S': 'x'})#set($m2 = {true: 'b', 'S': 'y'})#set($m3 = {1.5: 'd', 'T': 't'})"
                "#foreach($m in [$m1, $m2, $m3, $m1])($m.S)#end",
                "{}", "(x)(y)()(x)");
}

/* $input.path's constant steps: names read out of the body's order, nested, missing, and read twice. */
Test(vtl_render_fast, input_paths_out_of_order)
{
    expect_body("$input.path('$.a')|$input.path('$.b')|$input.path('$.c.a')|$input.path('$.a')|$input.path('$.z')|"
                "$input.path('$.c.b')|$input.path('$.c')|$input.json('$.b')",
                "{\"b\":\"1\",\"a\":\"2\",\"c\":{\"b\":\"3\",\"a\":\"4\"}}", "2|1|4|2||3|{b=3, a=4}|\"1\"");
    expect_body("$input.path('$.x')$input.path('$.y')$input.path('$.x')", "{\"y\":\"Y\"}", "Y");
    expect_body("$input.path('$.a')$input.path('$.b')", "{\"a\":{\"b\":1},\"b\":2}", "{b=1}2");
}

/* References in text #evaluate parses while rendering: no cache numbers and no precomputed key heads, so every
 * lookup searches; the same output. */
Test(vtl_render_fast, references_evaluate_parses)
{
    expect_body("#set($x = 'v')#evaluate('#foreach($e in $input.path(\"$.items\"))$e.a.S:$x;#end')",
                "{\"items\":[{\"a\":{\"S\":\"1\"}},{\"b\":2,\"a\":{\"S\":\"2\"}},{\"a\":{\"N\":\"3\"}}]}",
                "1:v;2:v;:v;");
    expect_body("#evaluate('#set($y = \"w\")')$y", "{}", "w");
}
