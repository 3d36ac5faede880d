/* Straight templates (vtl/straight.h): which templates are rendered as a list of pieces, and the ways such a
 * render must end as the general one would: output that outgrows its first buffer, output past the limit, a body
 * that fails to read. What each piece prints when it gives way to the general route is checked against the
 * reference renderer in the differential corpus (tests/vtl-diff/cases/facts.json, fact-71 to fact-75). */
#include <stdlib.h>

#include "vtl/ast.h"
#include "vtl/straight.h"
#include "vtl_test_util.h"

static bool is_straight(const char *template_text)
{
    arena a;
    arena_init(&a, 4096);
    aws_error err;
    error_clear(&err);
    vtl_template *t = vtl_compile(slice_cstr(template_text), &a, &err);
    cr_assert_not_null(t, "%s: %s", template_text, err.message);
    bool straight = t->straight != NULL;
    if (straight)
        cr_assert_eq(t->nstraight, t->root->nkids);
    arena_destroy(&a);
    return straight;
}

Test(vtl_straight, which_templates)
{
    /* the Comments tutorial's PutItem and Query request templates */
    cr_assert(is_straight("{\"TableName\": \"Comments\", \"Item\": {\"commentId\": {\"S\": \"$context.requestId\"},"
                          " \"pageId\": {\"S\": \"$input.path('$.pageId')\"}}}"));
    cr_assert(is_straight("{\"TableName\": \"Comments\", \"KeyConditionExpression\": \"pageId = :v1\","
                          " \"ExpressionAttributeValues\": {\":v1\": {\"S\": \"$input.params('pageId')\"}}}"));
    cr_assert(is_straight("plain text"));
    cr_assert(is_straight(""));
    cr_assert(is_straight("$!context.stage ${input.path('$.a')}"));
    /* anything else renders the general way */
    cr_assert(!is_straight("#set($a = 1)$input.path('$.a')"));
    cr_assert(!is_straight("\\$input.path('$.a')"));
    cr_assert(!is_straight("\\\\$input.path('$.a')"));
    cr_assert(!is_straight("$input.path('$.a.b')"));
    cr_assert(!is_straight("$input.json('$.a')"));
    cr_assert(!is_straight("$input.path('$.a').length()"));
    cr_assert(!is_straight("$context.identity.sourceIp"));
    cr_assert(!is_straight("$input.params($x)"));
    cr_assert(!is_straight("$input.params()"));
    cr_assert(!is_straight("$stageVariables.a"));
    cr_assert(!is_straight("#macro(m)x#end#m()"));
    cr_assert(!is_straight("#if(true)x#end"));
}

/* A body string printed many times over: the output passes the room the render started with, more than once. */
Test(vtl_straight, output_outgrows_its_buffer)
{
    char value[251], body[300], tpl[64 * 24 + 1] = "", want[64 * 260 + 1] = "";
    for (int i = 0; i < 250; i++)
        value[i] = (char)('a' + i % 26);
    value[250] = '\0';
    snprintf(body, sizeof body, "{\"a\":\"%s\"}", value);
    for (int i = 0; i < 64; i++) {
        strcat(tpl, "$input.path('$.a')|");
        strcat(want, value);
        strcat(want, "|");
    }
    vtl_case k = {.template_text = tpl, .body = body};
    expect_render(&k, want);
}

Test(vtl_straight, output_limit)
{
    size_t n = VTL_MAX_OUTPUT / 4 + 16;
    char *body = malloc(n + 16);
    cr_assert_not_null(body);
    memcpy(body, "{\"a\":\"", 6);
    memset(body + 6, 'x', n);
    strcpy(body + 6 + n, "\"}");
    vtl_case k = {.template_text = "$input.path('$.a')$input.path('$.a')$input.path('$.a')$input.path('$.a')!",
                  .body = body};
    expect_error(&k, 500, "rendered output exceeds");
    free(body);
}

/* A malformed body fails the render at the first piece that reads it, whatever was printed before. */
Test(vtl_straight, body_fails_to_read)
{
    expect_error(
        &(vtl_case){.template_text = "before $context.stage [$input.path('$.a')] after", .body = "{\"a\": tru"}, 400,
        "Could not process payload");
}

/* Pieces after one that gave way still print from their own sources, and the general route's reads (a number, a
 * container, $context built) leave them right. */
Test(vtl_straight, pieces_after_the_general_route)
{
    const char *path[] = {"id", "P"}, *query[] = {"id", "Q", "q", "q1"}, *headers[] = {"q", "hq", "h", "H"};
    vtl_case k = {.template_text = "$input.path('$.n')|$input.path('$.s')|$input.path('$.o')|$input.path('$.s')|"
                                   "$context.identity.sourceIp|$context.stage|$input.params('id')|"
                                   "$input.params('q')|$input.params('h')|$input.params('none')|",
                  .body = "{\"n\": 2.0, \"s\": \"str\", \"o\": {\"k\": [1, \"v\"]}}",
                  .path = path,
                  .npath = 1,
                  .query = query,
                  .nquery = 2,
                  .headers = headers,
                  .nheaders = 2,
                  .context_json = "{\"identity\": {\"sourceIp\": \"1.2.3.4\"}}"};
    expect_render(&k, "2.0|str|{k=[1,\"v\"]}|str|1.2.3.4|prod|P|q1|H||");
}
