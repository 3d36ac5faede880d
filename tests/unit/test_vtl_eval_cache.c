/* The evaluator's fast paths (variables found through remembered places, properties looked up first where
 * the same reference found them in the previous map, names classified when parsed) against the cases where they
 * must give way to the general path. Expected outputs are the reference renderer's (tests/vtl-diff/oracle:
 * Velocity 1.7 as API Gateway runs it). */
#include <stdio.h>

#include "vtl/jutil.h"
#include "vtl_test_util.h"

static const char *const body =
    "{\"items\":[{\"a\":\"1\",\"b\":\"2\"},{\"b\":\"3\",\"a\":\"4\"},{\"a\":\"5\"},{\"c\":\"x\",\"a\":\"6\",\"b\":"
    "\"7\"},{\"a\":null,\"b\":\"8\"},{\"b\":\"9\",\"a\":{\"S\":\"deep\"}}],\"n\":[1,null,3],\"f\":[{\"t\":true},{\"t\":"
    "false},{\"t\":null},{\"t\":0},{\"t\":\"\"},{}]}";

static void expect_case(const char *template_text, const char *expected)
{
    vtl_case k = {.template_text = template_text,
                  .body = body,
                  .context_json = "{\"requestId\": \"req-1\", \"identity\": {\"sourceIp\": \"1.2.3.4\"}}"};
    expect_render(&k, expected);
}

/* maps from one JSON array whose keys come in different orders, or are missing or null */
Test(vtl_eval_cache, key_order)
{
    expect_case("#foreach($e in $input.path('$.items'))$e.a:$e.b;#end", "1:2;4:3;5:;6:7;:8;{S=deep}:9;");
}

/* a hyphen belongs to the property name ($e.a- is property "a-") */
Test(vtl_eval_cache, key_hyphen)
{
    expect_case("#foreach($e in $input.path('$.items'))$e.a-$e.b;#end", "2;3;;7;8;9;");
}

/* one property site over maps of different shapes, a number key where the name was last found */
Test(vtl_eval_cache, mixed_keys)
{
    expect_case("#set($m1 = {'a': 'x'})#set($m2 = {1: 'one', 'a': 'y'})#set($m3 = {'b': 'z', 'a': 'w'})#foreach($m in "
                "[$m1, $m2, $m3, $m1])$m.a#end",
                "xywx");
}

/* a macro argument shadows the loop variable; a global set inside the macro is seen outside */
Test(vtl_eval_cache, macro_shadow)
{
    expect_case("#macro(show $e)[$e.a|$x]#set($x = 'in')#end#set($x = 'out')#foreach($e in "
                "$input.path('$.items'))#show($e.b)$e.a $x;#end $x",
                "[|out]1 in;[|in]4 in;[|in]5 in;[|in]6 in;[|in] in;[|in]{S=deep} in; in");
}

/* a macro argument bound by name to a property of the loop variable */
Test(vtl_eval_cache, macro_byname)
{
    expect_case("#macro(twice $v)$v$v#end#foreach($e in $input.path('$.items'))#twice($e.a),#end",
                "11,44,55,66,,{S=deep}{S=deep},");
}

/* #set of the loop variable and of a new variable inside the loop body */
Test(vtl_eval_cache, set_in_loop)
{
    expect_case("#foreach($i in [1..3])<$k>$i#set($i = 'x')$i#set($k = $i)#end $k $i", "<>1x<x>2x<x>3x x ");
}

/* null items remove the loop variable; nested loops over one name restore it; loop counters */
Test(vtl_eval_cache, null_items)
{
    expect_case("#foreach($v in $input.path('$.n'))[$v]#end#foreach($i in [1,2])#foreach($i in "
                "['a','b'])$i$velocityCount$foreach.index$foreach.hasNext#end$i$velocityCount#end/$i/$velocityCount/"
                "$foreach.hasNext",
                "[1][][3]a10trueb21false11a10trueb21false22///");
}

/* trees parsed while rendering (#evaluate) and #define blocks reading the loop variable */
Test(vtl_eval_cache, evaluate_define)
{
    expect_case(
        "#define($blk)<$e.a>#end#foreach($e in $input.path('$.items'))#evaluate('#set($z = $e.b)$z.$e.a')$blk#end $z",
        "2.1<1>3.4<4>.5<5>7.6<6>8.<>9.{S=deep}<{S=deep}> 9");
}

/* escaped, quiet, formal and prefixed references inside a loop */
Test(vtl_eval_cache, escapes)
{
    expect_case("#foreach($e in $input.path('$.items'))\\$e.a $!e.c ${e.b} $$e.a #$e.b \\\\$e.a|#end",
                "$e.a  2 $1 #2 \\1|$e.a  3 $4 #3 \\4|$e.a   $5 # \\5|$e.a x 7 $6 #7 \\6|$e.a  8 $ #8 \\|$e.a  9 "
                "${S=deep} #9 \\{S=deep}|");
}

/* class and getters beside map lookups */
Test(vtl_eval_cache, class_props)
{
    expect_case("#foreach($e in $input.path('$.items'))$e.class $e.empty $e.size() $e.a.length() $e.a.class|#end",
                "class java.util.LinkedHashMap  2 1 class java.lang.String|class java.util.LinkedHashMap  2 1 class "
                "java.lang.String|class java.util.LinkedHashMap  1 1 class java.lang.String|class "
                "java.util.LinkedHashMap  3 1 class java.lang.String|class java.util.LinkedHashMap  2 0 class "
                "java.lang.String|class java.util.LinkedHashMap  2  class java.util.LinkedHashMap|");
}

/* a variable removed and added again while other variables keep their places */
Test(vtl_eval_cache, remove_add)
{
    expect_case("#set($a = 1)#set($b = 2)#foreach($v in [1, $null, 3])$a$b$v#set($c = $v)#end$a$b$c#foreach($a in "
                "[5])$a$b#end$a$b",
                "121121231235212");
}

/* a loop over a map's values and the $foreach getters */
Test(vtl_eval_cache, map_loop)
{
    expect_case("#set($m = {'p': 1, 'q': 2})#foreach($v in $m)$v $foreach.count $foreach.first $foreach.last "
                "$foreach.index $foreach.hasNext;#end",
                "1 1 true false 0 true;2 2 false true 1 false;");
}

/* $context members read before and after $context is built */
Test(vtl_eval_cache, context)
{
    expect_case(
        "$context.requestId $context.stage #set($c = $context)$c.requestId $context.identity.sourceIp $context.class",
        "req-1 prodreq-1 1.2.3.4 class java.util.LinkedHashMap");
}

/* undefined names and loop names outside loops */
Test(vtl_eval_cache, undefined)
{
    expect_case("[$nope][$nope.x][$!nope][$velocityCount][$velocityHasNext][$foreach][$foreach.index]",
                "[][][][][][][]");
}

/* new variables added inside a loop move the variables map's arrays: remembered places must follow */
Test(vtl_eval_cache, grow_vars)
{
    expect_case(
        "#foreach($i in [1..3])$i#set($w = $i)#set($v1 = 1)#set($v2 = 2)#set($v3 = 3)#set($v4 = 4)#set($v5 = "
        "5)#set($v6 = 6)#set($v7 = 7)#set($v8 = 8)#set($v9 = 9)#set($v10 = 10)#set($v11 = 11)#set($v12 = 12)#set($v13 "
        "= 13)#set($v14 = 14)#set($v15 = 15)#set($v16 = 16)#set($v17 = 17)#set($v18 = 18)#set($v19 = 19)#set($v20 = "
        "20)#set($v21 = 21)#set($v22 = 22)#set($v23 = 23)#set($v24 = 24)$i$v24$w;#end$i$v1",
        "11241;22242;33243;1");
}

/* one compiled template rendered over two bodies whose maps order their keys differently: what a render remembers
 * does not outlive it */
Test(vtl_eval_cache, renders_do_not_share_what_they_remember)
{
    arena load, req;
    arena_init(&load, 4096);
    arena_init(&req, 4096);
    json_glue_init();
    aws_error err;
    error_clear(&err);
    vtl_template *t = vtl_compile(SLICE_LIT("#foreach($e in $input.path('$'))$e.b$e.a,#end"), &load, &err);
    cr_assert_not_null(t);
    const char *bodies[] = {"[{\"a\":\"1\",\"b\":\"2\"},{\"a\":\"3\",\"b\":\"4\"}]",
                            "[{\"b\":\"5\",\"a\":\"6\"},{\"c\":\"7\",\"b\":\"8\",\"a\":\"9\"}]",
                            "[{\"a\":\"1\",\"b\":\"2\"}]"};
    const char *expected[] = {"21,43,", "56,89,", "21,"};
    for (int i = 0; i < 3; i++) {
        vtl_env env = {.body = slice_cstr(bodies[i])};
        slice out;
        cr_assert_eq(vtl_render(t, &env, &req, &out, &err), 0, "%s", err.message);
        cr_assert(slice_eq_cstr(out, expected[i]), "%.*s", (int)out.len, out.ptr);
        arena_reset(&req);
    }
    arena_destroy(&req);
    arena_destroy(&load);
}

/* printed references whose values are not strings: numbers, booleans, lists, maps, absent, #define blocks */
Test(vtl_eval_cache, plain_values)
{
    expect_case("#define($blk)B$e.n#end#set($m = {'n': 1, 'd': 2.5, 'b': true, 'l': [1,2], 'm': {'k': 'v'}, 'x': "
                "$blk})#foreach($e in [$m])$e.n $e.d $e.b $e.l $e.m $e.m.k $e.zz $e.x|#end",
                "1 2.5 true [1, 2] {k=v} v  B1|");
}

/* #if / #elseif / #else on properties, absent properties being "" and so true */
Test(vtl_eval_cache, if_chains)
{
    expect_case("#foreach($e in $input.path('$.items'))#if($e.c)C#elseif($e.a)A$e.a#else-#end#if($e.b)#else!#end#end",
                "CCCCCC");
}

/* conditions on JSON true, false, null, 0 and "" */
Test(vtl_eval_cache, if_values)
{
    expect_case("#foreach($f in $input.path('$.f'))#if($f.t)T#{else}F#end#if($f.t.class)c#end#end", "TcFcTcTcTcTc");
}

/* #if blocks of one text, of a #set and a reference, and #else blocks, on the loop's getters */
Test(vtl_eval_cache, if_blocks)
{
    expect_case("#foreach($i in [1..3])#if($foreach.hasNext)$i,#end#if($foreach.last)#set($z = "
                "$i)last$z#end#if($velocityHasNext)#{else}end#end#end",
                "1,2,last3end");
}

/* text inside #if blocks still counts its steps: a runaway loop fails instead of running on */
Test(vtl_eval_cache, if_blocks_count_their_steps)
{
    expect_failure(&(vtl_case){.template_text = "#foreach($a in [1..1000])#foreach($b in [1..1000])#foreach($c in "
                                                "[1..1000])#if(true)x#end#end#end#end"});
}

/* a generated template with more names and property sites than a render keeps places for: the ones past the
 * limit take the general path and render the same */
Test(vtl_eval_cache, names_past_the_numbered_ones)
{
    arena a;
    arena_init(&a, 1 << 16);
    jutil_buf t;
    jutil_buf_init(&t, &a, 1 << 16);
    jutil_buf_puts(&t, SLICE_LIT("#set($m = {'k': 'x', 'j': 'y'})"));
    for (int i = 0; i < 1100; i++) {
        char s[64];
        snprintf(s, sizeof s, "#set($v%d = %d)", i, i);
        jutil_buf_puts(&t, slice_cstr(s));
    }
    jutil_buf_puts(&t, SLICE_LIT("#foreach($i in [1, 2])$v3,$v1099,"));
    for (int i = 0; i < 5000; i++)
        jutil_buf_puts(&t, i % 2 ? SLICE_LIT("$m.j") : SLICE_LIT("$m.k"));
    jutil_buf_puts(&t, SLICE_LIT(";#end"));
    slice src = jutil_buf_slice(&t);
    char *text = arena_strndup(&a, src.ptr, src.len);
    vtl_case k = {.template_text = text};
    slice out;
    aws_error err;
    cr_assert_eq(vtl_test_render(&a, &k, &out, &err, NULL), 0, "%s", err.message);
    cr_assert_eq(out.len, 2 * (2 + 5 + 5000 + 1), "%zu", out.len);
    for (int round = 0; round < 2; round++) {
        const char *o = out.ptr + round * (2 + 5 + 5000 + 1);
        cr_assert(strncmp(o, "3,1099,", 7) == 0, "%.20s", o);
        for (int i = 0; i < 5000; i++)
            cr_assert_eq(o[7 + i], i % 2 ? 'y' : 'x', "at %d", i);
        cr_assert_eq(o[7 + 5000], ';');
    }
    arena_destroy(&a);
}

/* #foreach sets $velocityCount and $velocityHasNext only when the template names them or evaluates text that
 * could: text given to #evaluate, and a macro's body, see them as Velocity sets them */
Test(vtl_eval_cache, loop_counters_seen_through_evaluate_and_macros)
{
    expect_case(
        "#foreach($i in ['a','b'])#evaluate('$velocityCount:$velocityHasNext;')#end[#evaluate('$velocityCount')]",
        "1:true;2:false;[]");
    expect_case("#macro(m)$velocityCount#end#foreach($i in ['a','b'])#m()#end;#foreach($i in [1,2,3])$i#if($foreach."
                "hasNext),#end#end",
                "12;1,2,3");
}

/* DynamoDB typed values ({"S": "..."}, read by the JSON reader's one-string-object route) printed through
 * property references, beside values of other shapes at the same sites */
Test(vtl_eval_cache, typed_values)
{
    vtl_case k = {.template_text = "#set($inputRoot = $input.path('$'))#foreach($e in $inputRoot.Items)$e.a.S/$e.b.N/"
                                   "$e.c.S;#end",
                  .body = "{\"Items\": [{\"a\": {\"S\": \"x\"}, \"b\": {\"N\":\"12\"}, \"c\": {\"S\":\"q\\\"z\"}}, "
                          "{\"a\":{\"S\":\"\"},\"b\":{\"N\": \"1.5\"},\"c\":{\"SS\": \"w\"}}]}",
                  .context_json = "{\"requestId\": \"req-1\"}"};
    expect_render(&k, "x/12/q\"z;/1.5/;");
}

/* #if($foreach.getter)text#end (NF_FOREACH_IF, answered from the loop's state) against the cases where the general
 * way must answer: outside loops, in macros, nested loops, #else and #elseif */
Test(vtl_eval_cache, foreach_if)
{
    expect_case("#foreach($i in [1,2,3])$i#if($foreach.hasNext),#end#end", "1,2,3");
    expect_case(
        "#foreach($i in "
        "[1,2])$i#if($foreach.first)F#end#if($foreach.last)L#end#if($foreach.index)I#end#if($foreach.count)C#end;#end",
        "1FIC;2LIC;");
    expect_case("[#if($foreach.hasNext)x#end]", "[]");
    expect_case(
        "#foreach($a in [1,2])#foreach($b in [3,4])$a$b#if($foreach.hasNext),#end#end#if($foreach.hasNext);#end#end",
        "13,14;23,24");
    expect_case("#macro(sep)#if($foreach.hasNext),#end#end#foreach($i in [1,2,3])$i#sep()#end", "1,2,3");
    /* a template that may set a variable named foreach, or evaluates text, looks the name up first */
    expect_case("#foreach($i in [1,2])$i#if($foreach.hasNext),#end#end#set($foreach = 'x')$foreach", "1,2x");
    expect_case("#foreach($i in [1,2,3])$i#if($foreach.hasNext),#end#end#evaluate('#foreach($j in "
                "[1,2])$j#if($foreach.hasNext);#end#end')",
                "1,2,31;2");
    expect_case(
        "#foreach($i in [1,2])$i#if($foreach.hasNext)#else-#end#if($foreach.hasNext),#elseif($foreach.last).#end#end",
        "1,2-.");
}

/* references walked through maps where they sit (render_map_ref) against what makes them give way: a missing key,
 * a null value before the last property, a value that is not a map on the way, a last value that is not a string,
 * a variable that is not a map, maps whose keys come in another order */
static const char *const typed_body =
    "{\"Items\": [{\"a\": {\"S\": \"x\"}, \"b\": {\"N\": \"1\"}, \"n\": null, \"m\": {\"S\": null}, \"s\": \"str\", "
    "\"num\": 5, \"l\": [1, \"two\"], \"t\": true}, {\"b\": {\"N\": \"2\"}, \"a\": {\"S\": \"y\"}, \"s\": {\"S\": "
    "\"z\"}, \"num\": {\"S\": \"6\"}}, \"plain\", null, 7]}";

Test(vtl_eval_cache, map_references)
{
    {
        vtl_case k = {.template_text =
                          "#set($r = $input.path('$'))#foreach($e in "
                          "$r.Items)[$e.a.S|$e.b.N|$e.x.S|$e.n.S|$e.m.S|$e.s.S|$e.num.S|$e.l|$e.t|$e.a|$e.s]#end",
                      .body = typed_body,
                      .context_json = "{\"requestId\": \"r\"}"};
        expect_render(
            &k, "[x|1||||||[1,\"two\"]|true|{S=x}|str][y|2||||z|6|||{S=y}|{S=z}][||||||||||][||||||||||][||||||||||]");
    }
    {
        vtl_case k = {.template_text =
                          "#set($r = $input.path('$'))#foreach($e in $r.Items)[$e.a.S]#end#set($e = 'q')[$e.a.S]",
                      .body = typed_body,
                      .context_json = "{\"requestId\": \"r\"}"};
        expect_render(&k, "[x][y][][][][]");
    }
}

/* Blocks of text and plain references (BH_FLAT, rendered with the output held in registers) against what makes
 * them call out: values that are not strings, #define blocks printed into the same output, output growing past
 * the buffer, a macro's body (rendered the general way) */
Test(vtl_eval_cache, flat_blocks)
{
    char want[8192];
    size_t n = 0;
    for (int i = 1; i <= 100; i++)
        n += (size_t)snprintf(want + n, sizeof want - n, "abcdefghijklmnopqrstuvwxyz0123456789:%d;", i);
    expect_case("#set($s = 'abcdefghijklmnopqrstuvwxyz0123456789')#foreach($i in [1..100])$s:$i;#end", want);
    expect_case("#define($blk)[$i]#end#foreach($i in [1,2,3])$blk#end", "[1][2][3]");
    expect_case("#foreach($e in $input.path('$.items'))$e.a|$e|$e.missing.x|$e.a.S;#end",
                "1|{a=1, b=2}||;4|{b=3, a=4}||;5|{a=5}||;6|{c=x, a=6, b=7}||;|{a=null, b=8}||;{S=deep}|{b=9, "
                "a={S=deep}}||deep;");
    expect_case("#macro(m $v)<$v.a>#end#foreach($e in $input.path('$.items'))#m($e)#end", "<1><4><5><6><><{S=deep}>");
    expect_case("#foreach($e in $input.path('$.f'))$e.t,#end", "true,false,,0,,,");
    /* a property that is no map lookup keeps the block out of the flat loop; one a string answers calls out */
    expect_case("#foreach($e in $input.path('$.items'))$e.a.class;#end",
                "class java.lang.String;class java.lang.String;class java.lang.String;class java.lang.String;class "
                "java.lang.String;class java.util.LinkedHashMap;");
    expect_case("#foreach($e in $input.path('$.items'))$e.a.empty;#end", "false;false;false;false;true;;");
}

/* The step limit counts a flat block's statements as render_block does: a render of exactly VTL_MAX_STEPS
 * statements, the last ones in flat loop bodies, succeeds; one more fails. */
static int render_steps(size_t extra, aws_error *err)
{
    /* 1 (#set) + extra + 1 + 998 * 1000 (first loop) + 1 + 1000 + 1000 * 1000 * 4 (nested loops) */
    jutil_buf b;
    arena a;
    arena_init(&a, 1 << 16);
    jutil_buf_init(&b, &a, 8192);
    jutil_buf_puts(&b, SLICE_LIT("#set($e = '')"));
    for (size_t i = 0; i < extra; i++)
        jutil_buf_puts(&b, SLICE_LIT("$e"));
    jutil_buf_puts(&b, SLICE_LIT("#foreach($c in [1..998])"));
    for (int i = 0; i < 1000; i++)
        jutil_buf_puts(&b, SLICE_LIT("$e"));
    jutil_buf_puts(&b, SLICE_LIT("#end#foreach($a in [1..1000])#foreach($b in [1..1000])$e$e$e$e#end#end"));
    vtl_case k = {.template_text = jutil_buf_slice(&b).ptr, .body = "{}"};
    slice out;
    int rc = vtl_test_render(&a, &k, &out, err, NULL);
    if (rc == 0)
        cr_expect_eq(out.len, 0u);
    arena_destroy(&a);
    return rc;
}

Test(vtl_eval_cache, flat_blocks_step_limit)
{
    aws_error err;
    cr_assert_eq(render_steps(997, &err), 0, "%s", err.message);
    cr_assert_eq(render_steps(998, &err), -1);
    cr_assert_str_eq(err.message, "template rendering exceeded 5000000 steps");
}

/* empty blocks (no statements at all), in a loop body and an #if */
Test(vtl_eval_cache, empty_blocks)
{
    expect_case("#foreach($i in [1,2])#end|#if(true)#end|#foreach($e in $input.path('$.items'))#end|", "|||");
}
