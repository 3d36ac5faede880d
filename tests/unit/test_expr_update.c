/* UpdateExpression applied to items: results and runtime errors. */
#include "expr_test_util.h"

TestSuite(expr_update, .init = tu_setup, .fini = tu_teardown);

/* Applies `update` (with `values`) to `item` (NULL: new item); returns the new item or NULL with the
 * error message in *msg. */
static json_t *apply(const char *update, const char *values, const char *item, const char **msg)
{
    expr_set s = compile_ok((tx){.update = update, .values = values});
    json_t *old = item ? J(item) : NULL;
    json_t *before = old ? json_deep_copy(old) : NULL;
    json_t *out = NULL;
    aws_error e;
    error_clear(&e);
    int rc = expr_update_apply(s.update, old, &out, &e);
    if (old != NULL)
        cr_assert(json_equal(old, before), "the old item was modified");
    if (rc != 0) {
        cr_assert_null(out);
        *msg = arena_strndup(&tu_arena, e.message, strlen(e.message));
        return NULL;
    }
    return out;
}

static void expect_item(const char *update, const char *values, const char *item, const char *want)
{
    const char *msg = NULL;
    json_t *got = apply(update, values, item, &msg);
    cr_assert_not_null(got, "%s: %s", update, msg);
    assert_json(got, want);
}

static void expect_error(const char *update, const char *values, const char *item, const char *want)
{
    const char *msg = NULL;
    json_t *got = apply(update, values, item, &msg);
    cr_assert_null(got, "%s: expected an error", update);
    cr_assert_str_eq(msg, want);
}

Test(expr_update, set_creates_and_replaces)
{
    expect_item("SET a = :v, b = :w", "{':v': {'S': 'x'}, ':w': {'N': '1'}}", NULL,
                "{'a': {'S': 'x'}, 'b': {'N': '1'}}");
    expect_item("SET a = :v", "{':v': {'S': 'x'}}", "{'a': {'N': '5'}, 'k': {'S': 'key'}}",
                "{'a': {'S': 'x'}, 'k': {'S': 'key'}}");
    expect_item("SET m.b = :v, m.c.d = :v", "{':v': {'S': 'x'}}", "{'m': {'M': {'c': {'M': {}}}}}",
                "{'m': {'M': {'b': {'S': 'x'}, 'c': {'M': {'d': {'S': 'x'}}}}}}");
    expect_item("SET c = a", NULL, "{'a': {'L': [{'S': 'x'}]}}",
                "{'a': {'L': [{'S': 'x'}]}, 'c': {'L': [{'S': 'x'}]}}");
}

Test(expr_update, right_hand_sides_read_the_old_item)
{
    expect_item("SET a = b, b = a", NULL, "{'a': {'S': '1'}, 'b': {'S': '2'}}", "{'a': {'S': '2'}, 'b': {'S': '1'}}");
}

Test(expr_update, arithmetic_is_exact_decimal)
{
    expect_item("SET a = a + :d", "{':d': {'N': '0.2'}}", "{'a': {'N': '0.1'}}", "{'a': {'N': '0.3'}}");
    expect_item("SET a = :x - a", "{':x': {'N': '1'}}", "{'a': {'N': '0.1'}}", "{'a': {'N': '0.9'}}");
    expect_item("SET a = a + :d", "{':d': {'N': '1'}}", "{'a': {'N': '99999999999999999999999999999999999998'}}",
                "{'a': {'N': '99999999999999999999999999999999999999'}}");
    expect_item("SET n = if_not_exists(n, :z) + :one", "{':z': {'N': '0'}, ':one': {'N': '1'}}", NULL,
                "{'n': {'N': '1'}}");
    expect_item("SET n = if_not_exists(n, :z) + :one", "{':z': {'N': '0'}, ':one': {'N': '1'}}", "{'n': {'N': '41'}}",
                "{'n': {'N': '42'}}");
}

Test(expr_update, runtime_errors)
{
    expect_error("SET a = b + :v", "{':v': {'N': '1'}}", "{'a': {'N': '1'}}",
                 "The provided expression refers to an attribute that does not exist in the item");
    expect_error("SET a = b + :v", "{':v': {'N': '1'}}", "{'b': {'S': 'x'}}",
                 "An operand in the update expression has an incorrect data type");
    expect_error("SET a = list_append(b, :v)", "{':v': {'L': []}}", "{'b': {'S': 'x'}}",
                 "An operand in the update expression has an incorrect data type");
    expect_error("SET a.b = :v", "{':v': {'N': '1'}}", NULL,
                 "The document path provided in the update expression is invalid for update");
    expect_error("SET a.b = :v", "{':v': {'N': '1'}}", "{'a': {'L': []}}",
                 "The document path provided in the update expression is invalid for update");
    expect_error("SET a[0] = :v", "{':v': {'N': '1'}}", "{'a': {'M': {}}}",
                 "The document path provided in the update expression is invalid for update");
    expect_error("ADD a :v", "{':v': {'N': '1'}}", "{'a': {'S': 'x'}}",
                 "An operand in the update expression has an incorrect data type");
    expect_error("ADD a :v", "{':v': {'SS': ['x']}}", "{'a': {'NS': ['1']}}",
                 "An operand in the update expression has an incorrect data type");
    expect_error("DELETE a :v", "{':v': {'SS': ['x']}}", "{'a': {'S': 'x'}}",
                 "An operand in the update expression has an incorrect data type");
    const char *msg = NULL;
    cr_assert_null(apply("SET a = a + :d", "{':d': {'N': '9E125'}}", "{'a': {'N': '9E125'}}", &msg));
    cr_assert(strstr(msg, "overflow") != NULL, "%s", msg);
}

Test(expr_update, if_not_exists_and_list_append)
{
    expect_item("SET a = if_not_exists(a, :v)", "{':v': {'S': 'new'}}", "{'a': {'S': 'old'}}", "{'a': {'S': 'old'}}");
    expect_item("SET a = if_not_exists(b, :v)", "{':v': {'S': 'new'}}", "{'a': {'S': 'old'}}", "{'a': {'S': 'new'}}");
    expect_item("SET l = list_append(l, :v)", "{':v': {'L': [{'N': '3'}]}}", "{'l': {'L': [{'N': '1'}, {'N': '2'}]}}",
                "{'l': {'L': [{'N': '1'}, {'N': '2'}, {'N': '3'}]}}");
    expect_item("SET l = list_append(:v, l)", "{':v': {'L': [{'N': '0'}]}}", "{'l': {'L': [{'N': '1'}]}}",
                "{'l': {'L': [{'N': '0'}, {'N': '1'}]}}");
    expect_item("SET l = list_append(if_not_exists(l, :e), :v)", "{':e': {'L': []}, ':v': {'L': [{'S': 'x'}]}}", NULL,
                "{'l': {'L': [{'S': 'x'}]}}");
}

Test(expr_update, list_indexes)
{
    const char *item = "{'l': {'L': [{'S': 'a'}, {'S': 'b'}, {'S': 'c'}, {'S': 'd'}]}}";
    expect_item("SET l[1] = :v", "{':v': {'S': 'B'}}", item,
                "{'l': {'L': [{'S': 'a'}, {'S': 'B'}, {'S': 'c'}, {'S': 'd'}]}}");
    expect_item("SET l[10] = :v", "{':v': {'S': 'e'}}", item,
                "{'l': {'L': [{'S': 'a'}, {'S': 'b'}, {'S': 'c'}, {'S': 'd'}, {'S': 'e'}]}}");
    /* Positions name the old elements even when several are removed. */
    expect_item("REMOVE l[0], l[2]", NULL, item, "{'l': {'L': [{'S': 'b'}, {'S': 'd'}]}}");
    expect_item("REMOVE l[1] SET l[3] = :v", "{':v': {'S': 'D'}}", item,
                "{'l': {'L': [{'S': 'a'}, {'S': 'c'}, {'S': 'D'}]}}");
    expect_item("REMOVE l[9]", NULL, item, item);
    expect_item("SET m.l[0].x = :v", "{':v': {'S': 'y'}}", "{'m': {'M': {'l': {'L': [{'M': {}}]}}}}",
                "{'m': {'M': {'l': {'L': [{'M': {'x': {'S': 'y'}}}]}}}}");
}

Test(expr_update, remove)
{
    expect_item("REMOVE a, m.b", NULL, "{'a': {'S': 'x'}, 'c': {'S': 'y'}, 'm': {'M': {'b': {'N': '1'}}}}",
                "{'c': {'S': 'y'}, 'm': {'M': {}}}");
    expect_item("REMOVE nothing", NULL, "{'a': {'S': 'x'}}", "{'a': {'S': 'x'}}");
    expect_item("REMOVE a", NULL, NULL, "{}");
}

Test(expr_update, add)
{
    expect_item("ADD n :v", "{':v': {'N': '5'}}", NULL, "{'n': {'N': '5'}}");
    expect_item("ADD n :v", "{':v': {'N': '-1.5'}}", "{'n': {'N': '1'}}", "{'n': {'N': '-0.5'}}");
    expect_item("ADD s :v", "{':v': {'SS': ['b', 'c']}}", "{'s': {'SS': ['a', 'b']}}",
                "{'s': {'SS': ['a', 'b', 'c']}}");
    expect_item("ADD s :v", "{':v': {'NS': ['1.0', '2']}}", "{'s': {'NS': ['1']}}", "{'s': {'NS': ['1', '2']}}");
    expect_item("ADD s :v", "{':v': {'BS': ['AQ==']}}", NULL, "{'s': {'BS': ['AQ==']}}");
    expect_item("ADD m.n :v", "{':v': {'N': '2'}}", "{'m': {'M': {'n': {'N': '2'}}}}",
                "{'m': {'M': {'n': {'N': '4'}}}}");
}

Test(expr_update, delete)
{
    expect_item("DELETE s :v", "{':v': {'SS': ['a', 'z']}}", "{'s': {'SS': ['a', 'b']}}", "{'s': {'SS': ['b']}}");
    expect_item("DELETE s :v", "{':v': {'NS': ['2.0']}}", "{'s': {'NS': ['1', '2']}}", "{'s': {'NS': ['1']}}");
    expect_item("DELETE s :v", "{':v': {'SS': ['a', 'b']}}", "{'s': {'SS': ['a', 'b']}, 'k': {'S': 'x'}}",
                "{'k': {'S': 'x'}}");
    expect_item("DELETE s :v", "{':v': {'SS': ['a']}}", "{'k': {'S': 'x'}}", "{'k': {'S': 'x'}}");
}

Test(expr_update, keys_touches_and_returned)
{
    aws_error e;
    expr_set s = compile_ok((tx){.values = "{':v': {'S': 'x'}}", .update = "SET pk = :v"});
    error_clear(&e);
    cr_assert_eq(expr_update_check_keys(s.update, SLICE_LIT("pk"), SLICE_NULL, &e), -1);
    cr_assert_str_eq(e.message,
                     "One or more parameter values were invalid: Cannot update attribute pk. This attribute is part of "
                     "the key");
    s = compile_ok((tx){.values = "{':v': {'S': 'x'}}", .update = "REMOVE a SET sk.x = :v"});
    cr_assert_eq(expr_update_check_keys(s.update, SLICE_LIT("pk"), SLICE_LIT("sk"), &e), -1);
    cr_assert_str_eq(e.message, "Key attributes must be scalars; list random access '[]' and map lookup '.' are not "
                                "allowed: Key: sk");
    s = compile_ok((tx){.names = "{'#a': 'a'}",
                        .values = "{':v': {'S': 'x'}, ':n': {'N': '1'}}",
                        .update = "SET #a = :v, m.k = :v, m.j = :v REMOVE gone ADD n :n"});
    cr_assert_eq(expr_update_check_keys(s.update, SLICE_LIT("pk"), SLICE_LIT("sk"), &e), 0);
    cr_assert(expr_update_touches(s.update, SLICE_LIT("a")));
    cr_assert(expr_update_touches(s.update, SLICE_LIT("m")));
    cr_assert_not(expr_update_touches(s.update, SLICE_LIT("k")));
    cr_assert_eq(expr_update_top_count(s.update), 4);
    cr_assert(slice_eq_cstr(expr_update_top_name(s.update, 1), "m"));

    json_t *old = J("{'pk': {'S': 'p'}, 'a': {'S': 'old'}, 'm': {'M': {'k': {'S': 'k0'}, 'other': {'S': 'o'}}}, "
                    "'gone': {'N': '1'}, 'keep': {'S': 'y'}}");
    assert_json(expr_update_returned(s.update, old),
                "{'a': {'S': 'old'}, 'm': {'M': {'k': {'S': 'k0'}}}, 'gone': {'N': '1'}}");
    s = compile_ok((tx){.values = "{':v': {'S': 'x'}}", .update = "SET a = :v, m.k = :v, m.j = :v REMOVE gone"});
    json_t *new_item = NULL;
    cr_assert_eq(expr_update_apply(s.update, old, &new_item, &e), 0);
    assert_json(expr_update_returned(s.update, new_item),
                "{'a': {'S': 'x'}, 'm': {'M': {'k': {'S': 'x'}, 'j': {'S': 'x'}}}}");
    s = compile_ok((tx){.update = "REMOVE nothing"});
    cr_assert_null(expr_update_returned(s.update, old));
}
