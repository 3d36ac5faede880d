/* The Comments example in its four forms loads to one model. */
#include "stack_testlib.h"

TestSuite(stack_comments, .init = stack_test_setup, .fini = stack_test_teardown);

static stack_model *load_file(const char *path)
{
    stack_model *m = NULL;
    int rc = stack_load(path, NULL, &m, &test_arena, &test_err);
    cr_assert_eq(rc, 0, "%s: %s", path, test_err.message);
    return m;
}

static char *api_json(const stack_model *m)
{
    cr_assert_eq(m->api_count, 1);
    arena *prev = json_arena_push(&test_arena);
    slice s = json_dump_slice(stack_api_to_json(&m->apis[0], false), JSON_INDENT(1) | JSON_SORT_KEYS);
    json_arena_pop(prev);
    return (char *)s.ptr;
}

static char *table_json(const stack_model *m)
{
    cr_assert_eq(m->table_count, 1);
    arena *prev = json_arena_push(&test_arena);
    slice s = json_dump_slice(m->tables[0].create_request, JSON_COMPACT | JSON_SORT_KEYS);
    json_arena_pop(prev);
    return (char *)s.ptr;
}

Test(stack_comments, example_template_has_the_tutorial_api)
{
    stack_model *m = load_file(repo_path("examples/comments/template.yaml"));
    const model_api *api = &m->apis[0];
    cr_assert_str_eq(api->name.ptr, "CommentsApi");
    cr_assert_eq(api->id.len, 10);
    for (size_t i = 0; i < api->id.len; i++)
        cr_assert((api->id.ptr[i] >= 'a' && api->id.ptr[i] <= 'z') || (api->id.ptr[i] >= '0' && api->id.ptr[i] <= '9'));
    cr_assert_not_null(model_api_stage(api, SLICE_LIT("prod")));

    model_path_param params[4];
    size_t np;
    const model_resource *r = model_api_match(api, SLICE_LIT("/comments"), params, 4, &np);
    cr_assert_not_null(r);
    const model_method *post = model_resource_method(r, MODEL_VERB_POST);
    cr_assert_not_null(post);
    cr_assert_null(model_resource_method(r, MODEL_VERB_GET));
    cr_assert_eq(post->integration.type, MODEL_INTEGRATION_AWS);
    cr_assert_str_eq(post->integration.uri.ptr, "arn:aws:apigateway:us-east-1:dynamodb:action/PutItem");
    cr_assert_str_eq(post->integration.aws_action.ptr, "PutItem");
    cr_assert_str_eq(post->integration.http_method.ptr, "POST");
    cr_assert_str_eq(post->integration.credentials.ptr, "arn:aws:iam::123456789012:role/CommentsApiDynamoDBRole");
    cr_assert_not_null(post->integration.role);
    const model_template *t =
        model_template_find(&post->integration.request_templates, SLICE_LIT("Application/JSON; charset=UTF-8"));
    cr_assert_not_null(t);
    cr_assert_contains(t->text.ptr, "\"S\": \"$context.requestId\"");
    cr_assert_contains(t->text.ptr, "$input.path('$.pageId')");

    r = model_api_match(api, SLICE_LIT("/comments/page%201"), params, 4, &np);
    cr_assert_not_null(r);
    cr_assert_str_eq(r->path.ptr, "/comments/{pageId}");
    cr_assert_eq(np, 1);
    cr_assert(slice_eq_cstr(params[0].name, "pageId"));
    cr_assert(slice_eq_cstr(params[0].value, "page%201"));
    const model_method *get = model_resource_method(r, MODEL_VERB_GET);
    cr_assert_str_eq(get->integration.aws_action.ptr, "Query");
    cr_assert_eq(get->request_parameters.count, 1);
    cr_assert(get->request_parameters.items[0].required);
    cr_assert_not_null(get->integration.default_response);
    const model_template *rt =
        model_template_find(&get->integration.default_response->response_templates, SLICE_LIT("application/json"));
    cr_assert_contains(rt->text.ptr, "#foreach($elem in $inputRoot.Items)");
    cr_assert_null(model_api_match(api, SLICE_LIT("/nothing"), params, 4, &np));

    /* the table, as CreateTable wants it */
    cr_assert_str_eq(m->tables[0].name.ptr, "Comments");
    cr_assert_str_eq(m->tables[0].arn.ptr, "arn:aws:dynamodb:us-east-1:123456789012:table/Comments");
    json_t *gsi = json_array_get(json_object_get(m->tables[0].create_request, "GlobalSecondaryIndexes"), 0);
    cr_assert_str_eq(json_string_value(json_object_get(gsi, "IndexName")), "pageId-index");
    cr_assert_str_eq(json_string_value(json_object_get(json_object_get(gsi, "Projection"), "ProjectionType")),
                     "INCLUDE");

    /* the role allows exactly what the tutorial needs */
    const model_role *role = post->integration.role;
    cr_assert(model_role_allows(role, "dynamodb:PutItem", m->tables[0].arn));
    cr_assert(
        model_role_allows(role, "dynamodb:Query",
                          SLICE_LIT("arn:aws:dynamodb:us-east-1:123456789012:table/Comments/index/pageId-index")));
    cr_assert_not(model_role_allows(role, "dynamodb:DeleteItem", m->tables[0].arn));
    cr_assert_not(
        model_role_allows(role, "dynamodb:PutItem", SLICE_LIT("arn:aws:dynamodb:us-east-1:123456789012:table/Other")));
    cr_assert_eq(m->unsupported_count, 0, "unexpected warning: %s", m->unsupported_count ? m->unsupported[0].ptr : "");
    cr_assert_eq(m->ignored_count, 0);
}

Test(stack_comments, all_forms_load_to_the_same_model)
{
    stack_model *yaml = load_file(repo_path("examples/comments/template.yaml"));
    stack_model *json = load_file(fixture_path("comments/template.json"));
    stack_model *sam = load_file(fixture_path("comments/sam.yaml"));
    stack_model *openapi = load_file(fixture_path("comments/openapi.yaml"));
    char *a = api_json(yaml), *b = api_json(json), *c = api_json(sam), *d = api_json(openapi);
    cr_assert_str_eq(a, b, "template.yaml vs template.json");
    cr_assert_str_eq(a, c, "template.yaml vs sam.yaml");
    cr_assert_str_eq(a, d, "template.yaml vs openapi.yaml");
    cr_assert_str_eq(table_json(yaml), table_json(json));
    cr_assert_str_eq(table_json(yaml), table_json(sam));
    cr_assert_eq(openapi->table_count, 0);
    cr_assert_eq(yaml->role_count, 1);
    cr_assert_eq(json->role_count, 1);
    cr_assert_eq(sam->role_count, 1);
    cr_assert_str_eq(yaml->roles[0].arn.ptr, sam->roles[0].arn.ptr);
    cr_assert_str_eq(yaml->roles[0].arn.ptr, json->roles[0].arn.ptr);
}

Test(stack_comments, ids_are_stable_and_routes_print)
{
    stack_model *a = load_file(repo_path("examples/comments/template.yaml"));
    char id[16];
    snprintf(id, sizeof(id), "%s", a->apis[0].id.ptr);
    stack_model *b = load_file(repo_path("examples/comments/template.yaml"));
    cr_assert_str_eq(b->apis[0].id.ptr, id);
    cr_assert_str_eq(a->stack_name.ptr, "template");

    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    stack_print_routes(f, a, "http://127.0.0.1:8080");
    fclose(f);
    cr_assert_contains(text, "POST    http://127.0.0.1:8080/prod/comments  -> AWS dynamodb:PutItem");
    cr_assert_contains(text, "GET     http://127.0.0.1:8080/prod/comments/{pageId}  -> AWS dynamodb:Query");
    cr_assert_contains(text, "table Comments");
    free(text);
}
