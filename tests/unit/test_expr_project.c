/* ProjectionExpression on items. */
#include "expr_test_util.h"

TestSuite(expr_project, .init = tu_setup, .fini = tu_teardown);

#define ITEM                                                                                                           \
    "{'a': {'S': 'x'}, 'b': {'N': '1'}, 'l': {'L': [{'S': 'l0'}, {'S': 'l1'}, {'M': {'p': {'S': 'q'}, 'r': "           \
    "{'S': 's'}}}, {'S': 'l3'}]}, 'm': {'M': {'k': {'S': 'v'}, 'n': {'M': {'deep': {'N': '7'}}}, 'e': {'M': {}}}}}"

static json_t *project(const char *projection, const char *names)
{
    expr_set s = compile_ok((tx){.projection = projection, .names = names});
    return expr_project(s.projection, J(ITEM));
}

Test(expr_project, top_level_attributes)
{
    assert_json(project("a, b, absent", NULL), "{'a': {'S': 'x'}, 'b': {'N': '1'}}");
    assert_json(project("#x", "{'#x': 'a'}"), "{'a': {'S': 'x'}}");
}

Test(expr_project, nested_paths_keep_their_structure)
{
    assert_json(project("m.k", NULL), "{'m': {'M': {'k': {'S': 'v'}}}}");
    assert_json(project("m.n.deep, m.k", NULL), "{'m': {'M': {'k': {'S': 'v'}, 'n': {'M': {'deep': {'N': '7'}}}}}}");
    assert_json(project("m.e", NULL), "{'m': {'M': {'e': {'M': {}}}}}");
    /* Nothing of a nested path in the item: its parents are left out too. */
    assert_json(project("m.absent, a", NULL), "{'a': {'S': 'x'}}");
    assert_json(project("a.b", NULL), "{}");
}

Test(expr_project, list_indexes_give_compacted_lists)
{
    assert_json(project("l[3], l[1]", NULL), "{'l': {'L': [{'S': 'l1'}, {'S': 'l3'}]}}");
    assert_json(project("l[2].r, l[9]", NULL), "{'l': {'L': [{'M': {'r': {'S': 's'}}}]}}");
    assert_json(project("l[2].p, l[2].r", NULL), "{'l': {'L': [{'M': {'p': {'S': 'q'}, 'r': {'S': 's'}}}]}}");
}

Test(expr_project, no_projection_and_no_item)
{
    assert_json(expr_project(NULL, J(ITEM)), ITEM);
    expr_set s = compile_ok((tx){.projection = "a"});
    assert_json(expr_project(s.projection, NULL), "{}");
    cr_assert_eq(expr_projection_top_count(s.projection), 1);
}

Test(expr_project, top_names)
{
    expr_set s = compile_ok((tx){.projection = "m.k, a, m.n, l[0]"});
    cr_assert_eq(expr_projection_top_count(s.projection), 3);
    cr_assert(slice_eq_cstr(expr_projection_top_name(s.projection, 0), "m"));
    cr_assert(slice_eq_cstr(expr_projection_top_name(s.projection, 1), "a"));
    cr_assert(slice_eq_cstr(expr_projection_top_name(s.projection, 2), "l"));
}
