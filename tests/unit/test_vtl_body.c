/* The request body read straight into template values (value_json.c) and the fast route of $input.path /
 * $input.json over it (apigw.c), and $context built on first read: the same results as the jansson route
 * and as Java, including when a template changes what it was given. */
#include <criterion/criterion.h>

#include "jutil_vectors.h"
#include "vtl/eval.h"
#include "vtl/value.h"
#include "vtl_test_util.h"

#define COUNT(x) (sizeof(x) / sizeof((x)[0]))

/* Every json-smart vector recorded from the Java library: same acceptance, same message, same printing. */
Test(vtl_body, reader_into_values_matches_json_smart)
{
    arena a;
    arena_init(&a, 1 << 16);
    for (size_t i = 0; i < COUNT(JSON_PARSE); i++) {
        const jutil_vector *v = &JSON_PARSE[i];
        vval doc;
        aws_error e;
        error_clear(&e);
        int rc = v_parse_json(&a, slice_make(v->in.ptr, v->in.len), &doc, &e);
        if (v->error.ptr != NULL) {
            cr_expect_eq(rc, -1, "parse(%s) should fail", v->in.ptr);
            cr_expect_str_eq(e.message, v->error.ptr, "parse(%s)", v->in.ptr);
            cr_expect_str_eq(e.type, "ParseException");
            continue;
        }
        cr_expect_eq(rc, 0, "parse(%s): %s", v->in.ptr, e.message);
        if (rc != 0)
            continue;
        jutil_buf b;
        jutil_buf_init(&b, &a, 64);
        v_print(&b, doc, NULL, NULL);
        jutil_buf_putc(&b, '\n');
        v_print_json(&b, doc, JUTIL_JSON_LT_COMPRESS);
        jutil_buf_putc(&b, '\n');
        v_print_json(&b, doc, JUTIL_JSON_DEFAULT);
        cr_expect(b.len == v->out.len && memcmp(b.ptr, v->out.ptr, b.len) == 0, "parse(%s) gave \"%s\", Java \"%s\"",
                  v->in.ptr, b.ptr, v->out.ptr);
    }
    arena_destroy(&a);
}

/* The reader and v_from_json over jutil_json_parse agree on documents the vectors do not cover: repeated
 * keys (in small objects and in large ones, which use a hash index), deep nesting, every value kind. */
Test(vtl_body, reader_into_values_matches_the_jansson_route)
{
    json_glue_init();
    static const char *docs[] = {
        "{\"a\":1,\"a\":2,\"b\":3,\"a\":4}",
        "{\"k1\":1,\"k2\":2,\"k3\":3,\"k4\":4,\"k5\":5,\"k6\":6,\"k7\":7,\"k8\":8,\"k9\":9,\"k10\":10,\"k3\":33,"
        "\"k11\":11,\"k1\":111,\"k12\":{\"x\":[1,{\"y\":null}]}}",
        "[[[[{\"a\":[true,false,null,-0,1.5e3,12345678901,\"s\\u00e9\\n\"]}]]]]",
        "{'q': 'single', unquoted: some text, \"e\": \"\\ud83d\\ude00\\/\", n: 01, m: -, d: 1., big: "
        "99999999999999999999}",
        "{\"\":\"\",\"x\":{}, \"y\":[], \"z\":\"caf\xc3\xa9\"}",
    };
    arena a;
    arena_init(&a, 1 << 16);
    arena *prev = json_arena_push(&a);
    for (size_t i = 0; i < COUNT(docs); i++) {
        aws_error e;
        error_clear(&e);
        json_t *j = NULL;
        cr_assert_eq(jutil_json_parse(slice_cstr(docs[i]), &j, &e), 0, "%s", docs[i]);
        vval direct;
        cr_assert_eq(v_parse_json(&a, slice_cstr(docs[i]), &direct, &e), 0, "%s", docs[i]);
        vval converted = v_from_json(&a, j);
        jutil_buf b1, b2;
        jutil_buf_init(&b1, &a, 64);
        jutil_buf_init(&b2, &a, 64);
        v_print(&b1, direct, NULL, NULL);
        v_print_json(&b1, direct, JUTIL_JSON_DEFAULT);
        v_print(&b2, converted, NULL, NULL);
        v_print_json(&b2, converted, JUTIL_JSON_DEFAULT);
        cr_expect(slice_eq(buf_slice(&b1), buf_slice(&b2)), "%s: [%s] vs [%s]", docs[i], b1.ptr, b2.ptr);
        cr_expect(v_java_equals(direct, converted), "%s", docs[i]);
    }
    json_arena_pop(prev);
    arena_destroy(&a);
}

/* A key holding U+0000 is kept whole (Java's String keeps it; the keys used to be cut at the NUL), by the
 * reader and by the jansson route alike. */
Test(vtl_body, keys_with_nul_are_kept_whole)
{
    arena a;
    arena_init(&a, 4096);
    vval doc;
    aws_error e;
    error_clear(&e);
    const char text[] = "{\"a\\u0000b\":1,\"a\\u0000c\":2}";
    cr_assert_eq(v_parse_json(&a, slice_make(text, sizeof text - 1), &doc, &e), 0);
    cr_assert_eq(doc.kind, V_MAP);
    cr_assert_eq(doc.u.m->n, 2);
    cr_assert(slice_eq(v_s(doc.u.m->keys[1]), slice_make("a\0c", 3)));
    /* through the reader ($.o) and through jsonpath over jansson ($.* yields a new array) */
    expect_render(&(vtl_case){.template_text = "$input.path('$.o').keySet().get(1).length()|"
                                               "$input.path('$.*').get(0).keySet().get(1).length()",
                              .body = "{\"o\":{\"a\\u0000b\":1,\"a\\u0000c\":2}}"},
                  "3|3");
    arena_destroy(&a);
}

static const char *BODY = "{\"m\":{\"k\":\"v\"},\"l\":[1,2],\"Items\":[{\"a\":{\"S\":\"1\"}},{\"a\":{\"S\":\"2\"}}]}";

/* Jayway parses the body for every $input.path: what one call returned, changed by the template, does not
 * show in what the next call returns, while changes made through one result show through that result. */
Test(vtl_body, each_path_read_is_a_fresh_document)
{
    expect_render(&(vtl_case){.template_text = "#set($a = $input.path('$'))#set($b = $input.path('$'))"
                                               "#set($d = $a.put('x', 1))$a.x|$b.x|$input.path('$.x')|",
                              .body = BODY},
                  "1|||");
    expect_render(&(vtl_case){.template_text = "#set($m = $input.path('$.m'))#set($d = $m.put('k', 'w'))"
                                               "$m.k $input.path('$.m.k') $input.path('$').m.k",
                              .body = BODY},
                  "w v v");
    /* nested: the change is visible through the parent it was made in */
    expect_render(&(vtl_case){.template_text = "#set($r = $input.path('$'))#set($d = $r.m.put('z', 2))"
                                               "#set($d = $r.l.add(3))$r.m $r.l $input.path('$.l') $input.json('$')",
                              .body = BODY},
                  "{k=v, z=2} [1,2,3] [1,2] {\"m\":{\"k\":\"v\"},\"l\":[1,2],\"Items\":[{\"a\":{\"S\":\"1\"}},{\"a\":{"
                  "\"S\":\"2\"}}]}");
    /* #set into a map read from the body */
    expect_render(&(vtl_case){.template_text = "#set($r = $input.path('$.Items'))#set($r[0].a.S = 'x')"
                                               "#foreach($e in $r)$e.a.S#end #foreach($e in $input.path('$.Items'))"
                                               "$e.a.S#end",
                              .body = BODY},
                  "x2 12");
}

Test(vtl_body, simple_paths_print_and_compare_as_before)
{
    expect_render(&(vtl_case){.template_text = "$input.path('$.m')|$input.json('$.m')|$input.path('$.l')|"
                                               "$input.path('$.l[1]')|$input.path(\"$['m']['k']\")|"
                                               "$input.path('$.Items[1].a')",
                              .body = BODY},
                  "{k=v}|{\"k\":\"v\"}|[1,2]|2|v|{S=2}");
    expect_render(&(vtl_case){.template_text = "#if($input.path('$.m') == $input.path('$.m'))eq#end "
                                               "$input.path('$.m').equals($input.path('$.m')) "
                                               "$input.path('$.l').getClass()",
                              .body = BODY},
                  "eq true class net.minidev.json.JSONArray");
    /* off the happy path the jsonpath route decides: missing names, indexes out of range, wrong kinds */
    expect_render(&(vtl_case){.template_text = "[$input.path('$.q')][$input.path('$.m.q.r')][$input.path('$.l[5]')]"
                                               "[$input.path('$.l.k')][$input.json('$.q')][$input.path('$.l[-1]')]",
                              .body = BODY},
                  "[][][][][\"\"][]");
    expect_failure(&(vtl_case){.template_text = "$input.path('$.m[0]')", .body = BODY});
    expect_failure(&(vtl_case){.template_text = "$input.path('$.a')", .body = "null"});
    /* a path given by a variable takes the same route as a constant one */
    expect_render(&(vtl_case){.template_text = "#set($p = '$.m.k')$input.path($p)|$input.json($p)", .body = BODY},
                  "v|\"v\"");
}

Test(vtl_body, parse_json_reads_into_values)
{
    expect_plain("#set($j = $util.parseJson('{\"a\":[1,{\"b\":2}],\"a\":[3]}'))$j $j.a[0] $j.a.getClass()",
                 "{a=[3]} 3 class net.minidev.json.JSONArray");
    expect_failure(&(vtl_case){.template_text = "$util.parseJson('[1')"});
}

Test(vtl_body, context_is_built_when_first_read)
{
    expect_render(&(vtl_case){.template_text = "$context.stage|#set($context = 'x')$context"}, "prod|x");
    expect_render(&(vtl_case){.template_text = "#set($context = 'x')$context"}, "x");
    expect_render(&(vtl_case){.template_text = "#foreach($context in [1,2])$context#end$context.stage"}, "12prod");
    expect_render(&(vtl_case){.template_text = "#macro(m)#foreach($context in [1])$context#end$context.stage#end#m()"},
                  "1prod");
}

/* Without reading $context the overrides come back as they went in, repeated names merged as the
 * override maps merge them. */
Test(vtl_body, overrides_pass_through_when_context_is_not_read)
{
    arena a;
    arena_init(&a, 4096);
    aws_error err;
    error_clear(&err);
    vtl_template *t = vtl_compile(SLICE_LIT("plain"), &a, &err);
    vtl_pair h[] = {
        {SLICE_LIT("A"), SLICE_LIT("1")}, {SLICE_LIT("B"), SLICE_LIT("2")}, {SLICE_LIT("A"), SLICE_LIT("3")}};
    vtl_env env;
    memset(&env, 0, sizeof(env));
    env.overrides.request_header = (vtl_pairs){h, 3};
    env.overrides.response_status = 202;
    slice out;
    cr_assert_eq(vtl_render(t, &env, &a, &out, &err), 0);
    cr_assert_eq(env.overrides.request_header.count, 2);
    cr_assert(slice_eq_cstr(env.overrides.request_header.items[0].name, "A"));
    cr_assert(slice_eq_cstr(env.overrides.request_header.items[0].value, "3"));
    cr_assert_eq(env.overrides.response_status, 202);
    vtl_env empty;
    memset(&empty, 0, sizeof(empty));
    cr_assert_eq(vtl_render(t, &empty, &a, &out, &err), 0);
    cr_assert_eq(empty.overrides.request_header.count, 0);
    cr_assert_eq(empty.overrides.response_status, 0);
    arena_destroy(&a);
}

/* $context.name for a string, number or boolean member is read without building $context; everything that
 * could see the difference (a changed or replaced $context, maps and lists, $context.class, the overrides,
 * macro arguments named context) still goes through the built map. */
Test(vtl_body, context_scalars_read_without_building_the_map)
{
    const char *ctx = "{\"requestId\":\"r-1\",\"n\":7,\"big\":12345678901,\"f\":1.5,\"ok\":true,\"nul\":null,"
                      "\"identity\":{\"sourceIp\":\"1.2.3.4\"},\"list\":[1,2]}";
    expect_render(&(vtl_case){.template_text = "$context.requestId|$context.requestId.length()|$context.n|"
                                               "$context.big|$context.f|$context.ok|$context.nul|$context.none|"
                                               "$!context.none|$context.identity.sourceIp|$context.list.size()",
                              .context_json = ctx},
                  "r-1|3|7|12345678901|1.5|true||||1.2.3.4|2");
    expect_render(&(vtl_case){.template_text = "$context.class|$context.n.class", .context_json = ctx},
                  "class java.util.LinkedHashMap|class java.lang.Integer");
    expect_render(&(vtl_case){.template_text = "$context.stage#set($context.stage = 'beta')|$context.stage|"
                                               "#set($dummy = $context.put('requestId', 'r-2'))$context.requestId",
                              .context_json = ctx},
                  "prod|beta|r-2");
    expect_render(&(vtl_case){.template_text = "$context.identity.put('sourceIp', 'x')$context.identity.sourceIp|"
                                               "$context.requestId",
                              .context_json = ctx},
                  "1.2.3.4x|r-1");
    expect_render(&(vtl_case){.template_text = "#macro(m $context)$context.length()#end#m('abcd')|$context.requestId",
                              .context_json = ctx},
                  "4|r-1");
    expect_render(&(vtl_case){.template_text = "#set($context.requestOverride.header.h = 'v')"
                                               "$context.requestOverride.header.h|$context.responseOverride.status",
                              .context_json = ctx},
                  "v|");
}
