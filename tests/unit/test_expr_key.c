/* KeyConditionExpression: checks against the key schema and the resulting key range. */
#include "expr_test_util.h"

TestSuite(expr_key, .init = tu_setup, .fini = tu_teardown);

static const key_schema composite = {{SLICE_LIT("pk"), ATTR_S}, {SLICE_LIT("sk"), ATTR_N}};
static const key_schema hash_only = {{SLICE_LIT("pk"), ATTR_S}, {SLICE_NULL, ATTR_NONE}};

#define VALUES "{':p': {'S': 'p1'}, ':a': {'N': '1'}, ':b': {'N': '9'}, ':s': {'S': 'x'}}"

/* Compiles `key` with just the values it mentions and resolves it. */
static int resolve(const char *key, const key_schema *ks, expr_key_range *r, aws_error *e)
{
    json_t *all = J(VALUES), *used = json_object();
    const char *k;
    json_t *v;
    json_object_foreach(all, k, v)
    {
        const char *p = strstr(key, k);
        if (p != NULL && (p[2] < 'a' || p[2] > 'z'))
            json_object_set(used, k, v);
    }
    expr_input in;
    memset(&in, 0, sizeof(in));
    in.values = json_object_size(used) ? used : NULL;
    in.names = strstr(key, "#k") ? J("{'#k': 'sk'}") : NULL;
    in.key_condition = slice_cstr(key);
    expr_set s;
    error_clear(e);
    if (expr_compile(&tu_arena, &in, &s, e) != 0)
        return -1;
    return expr_key_condition_resolve(s.key_condition, ks, r, e);
}

static expr_key_range ok(const char *key, const key_schema *ks)
{
    expr_key_range r;
    aws_error e;
    cr_assert_eq(resolve(key, ks, &r, &e), 0, "%s: %s", key, e.message);
    return r;
}

static void bad(const char *key, const key_schema *ks, const char *msg)
{
    expr_key_range r;
    aws_error e;
    cr_assert_eq(resolve(key, ks, &r, &e), -1, "%s: expected an error", key);
    cr_assert_str_eq(e.message, msg);
}

Test(expr_key, partition_only)
{
    expr_key_range r = ok("pk = :p", &composite);
    assert_json(r.partition_value, "{'S': 'p1'}");
    cr_assert_eq(r.sort_op, EXPR_SORT_NONE);
    r = ok(":p = pk", &hash_only);
    assert_json(r.partition_value, "{'S': 'p1'}");
}

Test(expr_key, sort_conditions)
{
    expr_key_range r = ok("pk = :p AND sk BETWEEN :a AND :b", &composite);
    cr_assert_eq(r.sort_op, EXPR_SORT_BETWEEN);
    assert_json(r.sort_value, "{'N': '1'}");
    assert_json(r.sort_value2, "{'N': '9'}");
    r = ok("#k < :a AND pk = :p", &composite);
    cr_assert_eq(r.sort_op, EXPR_SORT_LT);
    r = ok("pk = :p AND :a < sk", &composite); /* value first: the operator turns round */
    cr_assert_eq(r.sort_op, EXPR_SORT_GT);
    r = ok("(pk = :p) AND (sk >= :a)", &composite);
    cr_assert_eq(r.sort_op, EXPR_SORT_GE);
    r = ok("pk = :p AND sk = :a", &composite);
    cr_assert_eq(r.sort_op, EXPR_SORT_EQ);
    key_schema strings = {{SLICE_LIT("pk"), ATTR_S}, {SLICE_LIT("sk"), ATTR_S}};
    r = ok("pk = :p AND begins_with(sk, :s)", &strings);
    cr_assert_eq(r.sort_op, EXPR_SORT_BEGINS_WITH);
    cr_assert(expr_key_sort_matches(&r, J("{'S': 'xyz'}")));
    cr_assert_not(expr_key_sort_matches(&r, J("{'S': 'yx'}")));
}

Test(expr_key, sort_matches)
{
    expr_key_range r = ok("pk = :p AND sk BETWEEN :a AND :b", &composite);
    cr_assert(expr_key_sort_matches(&r, J("{'N': '1.0'}")));
    cr_assert(expr_key_sort_matches(&r, J("{'N': '9'}")));
    cr_assert_not(expr_key_sort_matches(&r, J("{'N': '9.01'}")));
    cr_assert_not(expr_key_sort_matches(&r, J("{'S': '5'}")));
    r = ok("pk = :p", &composite);
    cr_assert(expr_key_sort_matches(&r, J("{'N': '123'}")));
}

Test(expr_key, errors)
{
    bad("sk = :a", &composite, "Query condition missed key schema element: pk");
    bad("pk = :p AND attr2 = :a", &composite, "Query condition missed key schema element: sk");
    bad("pk = :p AND sk = :a", &hash_only, "Query key condition not supported");
    bad("pk < :p", &composite, "Query key condition not supported");
    bad("pk = :p OR sk = :a", &composite, "Invalid operator used in KeyConditionExpression: OR");
    bad("pk = :p AND NOT sk = :a", &composite, "Invalid operator used in KeyConditionExpression: NOT");
    bad("pk IN (:p)", &composite, "Invalid operator used in KeyConditionExpression: IN");
    bad("pk <> :p", &composite, "Invalid operator used in KeyConditionExpression: <>");
    bad("pk = :p AND attribute_exists(sk)", &composite,
        "Invalid operator used in KeyConditionExpression: attribute_exists");
    bad("pk = :p AND sk = :a AND sk = :b", &composite,
        "KeyConditionExpressions must only contain one condition per key");
    bad("pk = :p AND size(sk) = :a", &composite, "KeyConditionExpressions cannot contain nested operations");
    bad("pk.x = :p", &composite, "KeyConditionExpressions cannot have conditions on nested attributes");
    bad("pk = sk", &composite,
        "Invalid condition in KeyConditionExpression: Multiple attribute names used in one "
        "condition");
    bad(":p = :p", &composite, "Invalid condition in KeyConditionExpression: No key attribute specified");
    bad("pk = :p AND :a BETWEEN sk AND :b", &composite,
        "Invalid condition in KeyConditionExpression: BETWEEN operator must have the key attribute as its first "
        "operand");
    bad("pk = :a", &composite,
        "One or more parameter values were invalid: Condition parameter type does not match schema type");
    bad("pk = :p AND sk > :s", &composite,
        "One or more parameter values were invalid: Condition parameter type does not match schema type");
    bad("pk = :p AND begins_with(sk, :a)", &composite,
        "Invalid KeyConditionExpression: Incorrect operand type for operator or function; operator or function: "
        "begins_with, operand type: N");
    bad("pk = :p AND sk = :a AND x = :b", &composite, "Conditions can be of length 1 or 2 only");
}
