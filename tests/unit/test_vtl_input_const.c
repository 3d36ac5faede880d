/* The shorter ways the evaluator prints API Gateway's variables: $input.path / $input.json with a constant path
 * (compiled with the template and walked straight through the body's values), $context.name read before
 * $context is built (from vtl_env.context_strings when the caller hands them in), and the globals found at the
 * places every template numbers them. Each case is where such a way must give way to the general one; expected
 * outputs are the reference renderer's (tests/vtl-diff/oracle, mode awsjp). */
#include "vtl_test_util.h"

static const char *const body =
    "{\"a\":\"A\",\"n\":5,\"l\":[\"x\",\"y\",\"z\"],\"o\":{\"k\":\"v\",\"in\":{\"deep\":\"D\"}},\"z\":null}";
static const char *const context = "{\"requestId\": \"req-1\", \"identity\": {\"sourceIp\": \"1.2.3.4\"}}";
static const char *stage_vars[] = {"s", "S"};

static void expect_case(const char *template_text, const char *expected)
{
    vtl_case k = {.template_text = template_text,
                  .body = body,
                  .context_json = context,
                  .stage_vars = stage_vars,
                  .nstage_vars = 1};
    expect_render(&k, expected);
}

static void expect_body_case(const char *template_text, const char *body_text, const char *expected)
{
    vtl_case k = {.template_text = template_text, .body = body_text};
    expect_render(&k, expected);
}

/* A template that names $input itself: #set, a macro parameter, a loop variable. */
Test(vtl_input_const, input_renamed_by_the_template)
{
    expect_case("#set($input = 'x')[$input.path('$.a')]", "[]");
    expect_case("#macro(m $input)[$input.path('$.a')]#end#m('x')#m($input)", "[][A]");
    expect_case("#foreach($input in ['q'])[$input.path('$.a')]#end[$input.path('$.a')]", "[][A]");
}

Test(vtl_input_const, argument_not_a_literal)
{
    expect_case("#set($p = '$.a')$input.path($p)|#set($p = '$.o.k')$input.path($p)|$input.path(\"$.$p\")", "A|v|");
}

/* Paths the walk leaves to the general route: a missing name, an index (negative, out of range), a property of
 * a string, a null, a number. */
Test(vtl_input_const, walk_gives_way)
{
    expect_case("[$input.path('$.missing')][$input.path('$.l[1]')][$input.path('$.l[-1]')][$input.path('$.l[7]')]["
                "$input.path('$.a.b')][$input.path('$.z')][$input.path('$.n')]",
                "[][y][][][][][5]");
}

/* A container handed to the template and changed there is not what the next read finds (Jayway reads the body
 * again for every call). */
Test(vtl_input_const, container_handed_out_is_read_again)
{
    expect_case(
        "#set($m = $input.path('$.o'))#set($d = $m.put('k','changed'))$m.k|$input.path('$.o.k')|$input.path('$.o').k",
        "changed|v|v");
}

Test(vtl_input_const, json_with_a_constant_path)
{
    expect_case("$input.json('$.o')|$input.json('$.a')|$input.json('$.missing')|$input.json('$.l[0]')",
                "{\"k\":\"v\",\"in\":{\"deep\":\"D\"}}|\"A\"|\"\"|\"x\"");
}

/* Escaped, quiet, braced and prefixed references print as the general printer prints them. */
Test(vtl_input_const, escapes_and_prefixes)
{
    expect_case("\\$input.path('$.a')|$!input.path('$.missing')|$!{input.path('$.a')}|#$input.path('$.a')",
                "$input.path('$.a')||A|#A");
    expect_case("a$input.path('$.a')b\\\\$input.path('$.a')", "aAb\\A");
}

/* #evaluate parses at render time: its tree is not numbered and its paths are not precompiled. */
Test(vtl_input_const, evaluate)
{
    expect_case("#evaluate('$input.path(\"$.a\")|$context.requestId')", "A|req-1");
}

Test(vtl_input_const, body_not_json)
{
    expect_body_case("[$input.path('$.a')][$input.path('$')]", "hello", "[][hello]");
    /* malformed JSON: the client's fault, whichever read comes first */
    expect_error(&(vtl_case){.template_text = "[$input.path('$.a')]", .body = "{\"a\":"}, 400,
                 "Could not process payload");
    /* the body "null": Jayway refuses a null document */
    expect_error(&(vtl_case){.template_text = "[$input.path('$.a')]", .body = "null"}, 500,
                 "json object can not be null");
}

/* $context.name before $context is built, and after the template changed it or built it. */
Test(vtl_input_const, context_members)
{
    expect_case("#set($context = {'requestId': 'mine'})$context.requestId", "mine");
    expect_case("#macro(c $context)[$context.requestId]#end#c('str')[$context.requestId]", "[][req-1]");
    expect_case("$context.requestId|$context.stage|$context.missing|$context.identity.sourceIp|$!context.nothing",
                "req-1|prod||1.2.3.4|");
    expect_case("#set($context.requestOverride.header.X = 'h')#set($context.responseOverride.status = 201)"
                "$context.requestId|$context.requestOverride.header.X",
                "req-1|h");
    expect_case("#set($d = $context.put('requestId', 'changed'))$context.requestId", "changed");
    expect_case("#foreach($x in [1,2])$input.path('$.l[1]')$context.requestId#end", "yreq-1yreq-1");
}

/* The globals are in the variables map from the start, where the template may replace them. */
Test(vtl_input_const, globals)
{
    expect_case("#set($util = 'u')$util|#set($stageVariables = 'sv')$stageVariables|$stageVariables.length()",
                "u|sv|2");
    expect_case("$util.escapeJavaScript($input.path('$.a'))|$stageVariables.s|$input.params('nope')|", "A|S||");
}

/* vtl_env.context_strings answers $context.name while $context is not built; once it is, the map does (the caller
 * hands in the same values, so only an inconsistent caller could tell). */
static slice render_with_known(arena *a, const char *template_text, const json_t *ctx)
{
    aws_error err;
    error_clear(&err);
    vtl_template *t = vtl_compile(slice_cstr(template_text), a, &err);
    cr_assert_not_null(t, "%s", err.message);
    static const vtl_pair known[] = {{SLICE_LIT("requestId"), SLICE_LIT("known-id")}};
    vtl_env env = {.body = slice_cstr(body), .context = ctx, .context_strings = {known, 1}};
    slice out;
    cr_assert_eq(vtl_render(t, &env, a, &out, &err), 0, "%s", err.message);
    return out;
}

Test(vtl_input_const, context_strings_from_the_caller)
{
    arena a;
    arena_init(&a, 4096);
    json_glue_init();
    arena *prev = json_arena_push(&a);
    json_t *ctx = json_pack("{s:s, s:s}", "requestId", "json-id", "stage", "prod");
    json_arena_pop(prev);
    /* not built: the caller's string */
    slice out = render_with_known(&a, "$context.requestId|$context.stage|$context.other", ctx);
    cr_assert(slice_eq(out, SLICE_LIT("known-id|prod|")), "%.*s", (int)out.len, out.ptr);
    /* built by a read of the whole map: the map's member */
    out = render_with_known(&a, "#set($x = $context)$context.requestId", ctx);
    cr_assert(slice_eq(out, SLICE_LIT("json-id")), "%.*s", (int)out.len, out.ptr);
    /* replaced by the template */
    out = render_with_known(&a, "#set($context = {'requestId': 'mine'})$context.requestId", ctx);
    cr_assert(slice_eq(out, SLICE_LIT("mine")), "%.*s", (int)out.len, out.ptr);
    arena_destroy(&a);
}

/* $input.path('$.name'), read straight from the body's top-level map when it holds a string there
 * (apigw_input_member_string), against what the general route gives: a repeated key, a body that is an array or
 * empty, escaped and non-ASCII strings, values that are not strings, and a body the template changed. */
Test(vtl_input_const, member_reads)
{
    expect_body_case("[$input.path('$.a')][$input.path('$.b')]", "{\"a\":\"1\",\"b\":\"x\",\"a\":\"2\"}", "[2][x]");
    expect_body_case("[$input.path('$.a')][$input.path('$.0')]", "[\"p\",\"q\"]", "[][]");
    expect_body_case("[$input.path('$.a')][$input.path('$.u')]",
                     "{\"a\":\"x\\\"y\\\\n\",\"u\":\"caf\xc3\xa9 \\u00e9\"}", "[x\"y\\n][caf\xc3\xa9 \xc3\xa9]");
    expect_body_case("[$input.path('$.a')][$input.path('$.a')][$input.path('$.b')][$input.path('$.c')]",
                     "{\"a\":\"A\",\"b\":true,\"c\":1.5}", "[A][A][true][1.5]");
    expect_body_case("[$input.path('$.a')]", "", "[]");
    expect_body_case("#set($o = $input.path('$'))#set($x = $o.put('a','changed'))[$o.a][$input.path('$.a')]",
                     "{\"a\":\"A\"}", "[changed][A]");
}
