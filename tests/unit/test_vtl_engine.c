/* The engine's own contract: compile errors, render failures, limits, overrides handed back to the
 * gateway, and reuse of one compiled template. Template semantics are in test_vtl_oracle.c. */
#include "vtl_test_util.h"

Test(vtl_engine, compile_error_names_token_line_and_column)
{
    arena a;
    arena_init(&a, 4096);
    aws_error err;
    error_clear(&err);
    cr_assert_null(vtl_compile(SLICE_LIT("ok\n\n#end"), &a, &err));
    cr_assert_str_eq(err.message, "Encountered \"#end\" at line 3, column 1");
    cr_assert_eq(err.status, 400);
    error_clear(&err);
    cr_assert_null(vtl_compile(SLICE_LIT("#if(true)\nx"), &a, &err));
    cr_assert(strstr(err.message, "<EOF>") != NULL, "%s", err.message);
    error_clear(&err);
    cr_assert_null(vtl_compile(SLICE_LIT("#set($x = 5 -1)"), &a, &err));
    cr_assert_str_eq(err.message, "Encountered \"-1\" at line 1, column 13");
    arena_destroy(&a);
}

Test(vtl_engine, compiled_template_renders_the_same_twice)
{
    arena load, req;
    arena_init(&load, 4096);
    arena_init(&req, 4096);
    aws_error err;
    error_clear(&err);
    vtl_template *t = vtl_compile(SLICE_LIT("#set($l = [])#foreach($i in [1..3])$l.add($i)#end$l"), &load, &err);
    cr_assert_not_null(t);
    vtl_env env;
    memset(&env, 0, sizeof(env));
    for (int round = 0; round < 2; round++) {
        slice out;
        cr_assert_eq(vtl_render(t, &env, &req, &out, &err), 0);
        cr_assert(slice_eq(out, SLICE_LIT("truetruetrue[1, 2, 3]")), "%.*s", (int)out.len, out.ptr);
        arena_reset(&req);
    }
    arena_destroy(&req);
    arena_destroy(&load);
}

Test(vtl_engine, overrides_are_handed_back)
{
    arena a;
    arena_init(&a, 4096);
    vtl_case k = {.template_text = "#set($context.requestOverride.header.X-Amz-Target = \"DynamoDB_20120810.PutItem\")"
                                   "#set($context.requestOverride.querystring['q'] = 'v')"
                                   "#set($context.responseOverride.status = 444)"
                                   "$context.responseOverride.put('header', {'X-Out': 'yes'})"};
    slice out;
    aws_error err;
    vtl_env env;
    cr_assert_eq(vtl_test_render(&a, &k, &out, &err, &env), 0, "%s", err.message);
    cr_assert_eq(env.overrides.response_status, 444);
    cr_assert_eq(env.overrides.request_header.count, 1);
    cr_assert(slice_eq_cstr(env.overrides.request_header.items[0].name, "X-Amz-Target"));
    cr_assert(slice_eq_cstr(env.overrides.request_header.items[0].value, "DynamoDB_20120810.PutItem"));
    cr_assert_eq(env.overrides.request_querystring.count, 1);
    cr_assert_eq(env.overrides.response_header.count, 1);
    cr_assert(slice_eq_cstr(env.overrides.response_header.items[0].value, "yes"));
    arena_destroy(&a);
}

Test(vtl_engine, response_template_sees_request_overrides)
{
    arena a;
    arena_init(&a, 4096);
    aws_error err;
    error_clear(&err);
    vtl_template *t =
        vtl_compile(SLICE_LIT("$context.responseOverride.status/$context.requestOverride.header.A"), &a, &err);
    vtl_pair h = {SLICE_LIT("A"), SLICE_LIT("b")};
    vtl_env env;
    memset(&env, 0, sizeof(env));
    env.overrides.request_header = (vtl_pairs){&h, 1};
    env.overrides.response_status = 201;
    slice out;
    cr_assert_eq(vtl_render(t, &env, &a, &out, &err), 0);
    cr_assert(slice_eq(out, SLICE_LIT("201/b")), "%.*s", (int)out.len, out.ptr);
    arena_destroy(&a);
}

/* API Gateway's quota: a #foreach runs at most 1,000 iterations; Portico stops the loop there, as
 * Velocity's directive.foreach.maxloops does. */
Test(vtl_engine, foreach_stops_after_1000_iterations)
{
    arena a;
    arena_init(&a, 4096);
    vtl_case k = {.template_text = "#set($n = 0)#foreach($i in [1..1500])#set($n = $n + 1)#end$n $i"};
    slice out;
    aws_error err;
    cr_assert_eq(vtl_test_render(&a, &k, &out, &err, NULL), 0);
    cr_assert(slice_eq(out, SLICE_LIT("1000 ")), "%.*s", (int)out.len, out.ptr);
    arena_destroy(&a);
}

/* Each {template, output} pair renders (with no request) to exactly that output. */
static void expect_outputs(const char *const (*cases)[2], size_t n)
{
    for (size_t i = 0; i < n; i++) {
        arena a;
        arena_init(&a, 4096);
        vtl_case k = {.template_text = cases[i][0]};
        slice out;
        aws_error err;
        cr_assert_eq(vtl_test_render(&a, &k, &out, &err, NULL), 0, "%s", cases[i][0]);
        cr_assert(slice_eq(out, slice_cstr(cases[i][1])), "%s gave %.*s", cases[i][0], (int)out.len, out.ptr);
        arena_destroy(&a);
    }
}

Test(vtl_engine, empty_templates_and_empty_loop_bodies_render_nothing)
{
    static const char *const cases[][2] = {
        {"", ""}, {"#foreach($i in [1, 2])#end|", "|"}, {"#if(true)#end#foreach($i in [])#end", ""}};
    expect_outputs(cases, sizeof(cases) / sizeof(cases[0]));
}

/* Velocity 1.7 takes Number.intValue() of a range's ends (outputs from the reference renderer). */
Test(vtl_engine, range_ends_are_java_ints)
{
    static const char *const cases[][2] = {
        {"#foreach($i in [2147483648..2147483650])$i #end", "-2147483648 -2147483647 -2147483646 "},
        {"#foreach($i in [4294967297..4294967299])$i #end", "1 2 3 "},
        {"#set($d = 2.9)#foreach($i in [$d..4])$i #end", "2 3 4 "},
        {"#set($d = -2.9)#foreach($i in [$d..0])$i #end", "-2 -1 0 "},
    };
    expect_outputs(cases, sizeof(cases) / sizeof(cases[0]));
    /* a double far past int's range saturates: a range too large to build is an error, not undefined behaviour */
    expect_failure(&(vtl_case){.template_text = "#set($r = [0222222222222222222222222222222222222222222222..3])$r"});
}

/* A $foreach the template set is hidden by the loop's own and comes back after it (outputs from the reference). */
Test(vtl_engine, loop_scope_shadows_a_foreach_variable)
{
    static const char *const cases[][2] = {
        {"#set($foreach = 'x')#foreach($i in [1,2])$i#if($foreach.hasNext),#end#end|$foreach", "1,2|x"},
        {"#set($foreach = 'x')#foreach($i in [1,2])#foreach($j in [3,4])$j#if($foreach.hasNext),#end#end;#end|$foreach",
         "3,4;3,4;|x"},
        {"#set($foreach = 'x')#foreach($i in [1,2])$foreach.index#set($foreach = 'z')#end|$foreach", "0|z"},
        {"#set($foreach = 'x')#foreach($i in [])#end|$foreach", "|x"},
        {"#macro(m)#foreach($i in [1,2])$foreach.count#end#end#set($foreach = 'x')#m()|$foreach", "12|x"},
        {"#foreach($i in [1,2])#set($foreach = 'y')$i#if($foreach.hasNext),#end#end|$foreach", "1,2,|y"},
    };
    expect_outputs(cases, sizeof(cases) / sizeof(cases[0]));
}

Test(vtl_engine, runaway_templates_fail_instead_of_hanging)
{
    expect_failure(&(vtl_case){.template_text = "#macro(vtlrec)#vtlrec()#end#vtlrec()"});
    expect_failure(
        &(vtl_case){.template_text = "#set($s = 'xxxxxxxxxxxxxxxx')#foreach($i in [1..40])#set($s = \"$s$s\")#end"});
    expect_failure(&(vtl_case){
        .template_text = "#foreach($a in [1..1000])#foreach($b in [1..1000])#foreach($c in [1..1000])x#end#end#end"});
}

Test(vtl_engine, malformed_json_body_is_the_clients_fault)
{
    arena a;
    arena_init(&a, 4096);
    vtl_case k = {.template_text = "$input.path('$')", .body = "{a"};
    slice out;
    aws_error err;
    cr_assert_eq(vtl_test_render(&a, &k, &out, &err, NULL), -1);
    cr_assert_eq(err.status, 400);
    /* not JSON at all: the body is a string */
    vtl_case k2 = {.template_text = "$input.path('$')|$input.json('$')", .body = "a=b"};
    cr_assert_eq(vtl_test_render(&a, &k2, &out, &err, NULL), 0);
    cr_assert(slice_eq(out, SLICE_LIT("a=b|\"a=b\"")), "%.*s", (int)out.len, out.ptr);
    arena_destroy(&a);
}

Test(vtl_engine, method_exceptions_fail_the_render)
{
    expect_failure(&(vtl_case){.template_text = "#set($l = [1])$l.get(3)"});
    expect_failure(&(vtl_case){.template_text = "$util.base64Decode('***')"});
    expect_failure(&(vtl_case){.template_text = "#set($s = 'abc')$s.substring(9)"});
}

Test(vtl_engine, arithmetic_and_division_by_zero)
{
    expect_plain("#set($a = 7 / 2)$a #set($b = 7 / 2.0)$b #set($c = 7 / 0)<$c> #set($d = 2147483647 + 1)$d",
                 "33.5<> 2147483648");
    expect_plain("#set($x = 1e21)$x #set($y = 0.00001)$y",
                 "1.0E211.0E-5"); /* the space before #set after a reference is eaten */
}

/* A body handed over already parsed renders exactly as the same body given as text, and its text is
 * written only when the template asks for $input.body. */
Test(vtl_engine, parsed_body_renders_as_its_text)
{
    const char *text =
        "{\"Count\":2,\"Items\":[{\"id\":{\"S\":\"a\\\"b\"}},{\"id\":{\"S\":\"c\"}}],\"x\":1.5,\"t\":true}";
    const char *tpl = "#set($r = $input.path('$'))$r.Count|$input.json('$.Items[0]')|"
                      "#foreach($i in $r.Items)$i.id.S,#end|$r.x|$r|$input.body";
    arena a;
    arena_init(&a, 1 << 14);
    json_glue_init();
    aws_error err;
    vtl_template *t = vtl_compile(slice_cstr(tpl), &a, &err);
    cr_assert_not_null(t);
    arena *prev = json_arena_push(&a);
    json_t *tree = json_loads(text, 0, NULL);
    json_arena_pop(prev);
    cr_assert_not_null(tree);

    vtl_env from_text = {.body = slice_cstr(text)};
    slice expected;
    cr_assert_eq(vtl_render(t, &from_text, &a, &expected, &err), 0, "%s", err.message);

    vtl_env from_tree = {.body = SLICE_NULL, .body_json = tree};
    slice got;
    cr_assert_eq(vtl_render(t, &from_tree, &a, &got, &err), 0, "%s", err.message);
    cr_assert(slice_eq(got, expected), "%.*s\nvs\n%.*s", (int)got.len, got.ptr, (int)expected.len, expected.ptr);

    vtl_template *no_body = vtl_compile(slice_cstr("$input.path('$.Count')"), &a, &err);
    vtl_env lazy = {.body = SLICE_NULL, .body_json = tree};
    cr_assert_eq(vtl_render(no_body, &lazy, &a, &got, &err), 0);
    cr_assert(slice_eq_cstr(got, "2"));
    cr_assert_null(lazy.body.ptr, "the text is not written when nothing reads it");
    arena_destroy(&a);
}

/* $context may come from a provider, called once and only when the template reads it. */
static int context_calls;
static const json_t *context_provider(void *user)
{
    context_calls++;
    return user;
}

Test(vtl_engine, context_provider_is_called_on_first_read_only)
{
    arena a;
    arena_init(&a, 1 << 14);
    json_glue_init();
    aws_error err;
    arena *prev = json_arena_push(&a);
    json_t *ctx = json_pack("{s:s, s:{s:s}}", "requestId", "r-1", "identity", "sourceIp", "1.2.3.4");
    json_arena_pop(prev);
    vtl_template *reads = vtl_compile(slice_cstr("$context.requestId $context.identity.sourceIp"), &a, &err);
    vtl_template *ignores = vtl_compile(slice_cstr("#set($x = 1)$x"), &a, &err);
    cr_assert(reads != NULL && ignores != NULL);
    slice out;
    context_calls = 0;
    vtl_env lazy = {.context_of = context_provider, .context_user = ctx};
    cr_assert_eq(vtl_render(ignores, &lazy, &a, &out, &err), 0);
    cr_assert_eq(context_calls, 0);
    cr_assert_eq(vtl_render(reads, &lazy, &a, &out, &err), 0, "%s", err.message);
    cr_assert(slice_eq_cstr(out, "r-1 1.2.3.4"), "%.*s", (int)out.len, out.ptr);
    cr_assert_eq(context_calls, 1);
    arena_destroy(&a);
}
