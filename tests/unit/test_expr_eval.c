/* Conditions and filters on items: DynamoDB's truth tables. */
#include "expr_test_util.h"

TestSuite(expr_eval, .init = tu_setup, .fini = tu_teardown);

#define ITEM                                                                                                           \
    "{'s': {'S': 'hello'}, 'n': {'N': '10'}, 'b': {'B': 'AQID'}, 'ss': {'SS': ['a', 'b']},"                            \
    " 'ns': {'NS': ['1', '2.5']}, 'bs': {'BS': ['AQ==', 'Ag==']}, 'l': {'L': [{'S': 'x'}, {'N': '3'}]},"               \
    " 'm': {'M': {'k': {'S': 'v'}, 'inr': {'L': [{'N': '1'}, {'M': {'deep': {'BOOL': true}}}]}}},"                     \
    " 't': {'BOOL': true}, 'z': {'NULL': true}, 'e': {'S': ''}}"

#define VALUES                                                                                                         \
    "{':hello': {'S': 'hello'}, ':he': {'S': 'he'}, ':ell': {'S': 'ell'}, ':zzz': {'S': 'zzz'}, ':a': {'S': 'a'},"     \
    " ':x': {'S': 'x'}, ':v': {'S': 'v'}, ':ten': {'N': '10.0'}, ':n3': {'N': '3'}, ':n5': {'N': '5'},"                \
    " ':n20': {'N': '20'}, ':n2': {'N': '2'}, ':n25': {'N': '2.50'}, ':b12': {'B': 'AQI='}, ':b2': {'B': 'Ag=='},"     \
    " ':b9': {'B': 'CQ=='}, ':true': {'BOOL': true}, ':null': {'NULL': true}, ':tS': {'S': 'S'}, ':tN': {'S': 'N'},"   \
    " ':tM': {'S': 'M'}, ':tSS': {'S': 'SS'}, ':tNULL': {'S': 'NULL'}, ':l': {'L': [{'S': 'x'}, {'N': '3.0'}]},"       \
    " ':ss': {'SS': ['b', 'a']}, ':strue': {'S': 'true'}, ':empty': {'S': ''}}"

static bool mentions(const char *text, const char *word)
{
    size_t n = strlen(word);
    for (const char *p = strstr(text, word); p != NULL; p = strstr(p + 1, word)) {
        char after = p[n];
        if (!((after >= 'a' && after <= 'z') || (after >= 'A' && after <= 'Z') || (after >= '0' && after <= '9') ||
              after == '_'))
            return true;
    }
    return false;
}

/* Compiles a condition with just the shared values it mentions, and evaluates it on an item. */
static bool holds(const char *condition, const char *item)
{
    expr_input in;
    memset(&in, 0, sizeof(in));
    in.values = J(VALUES);
    in.condition = slice_cstr(condition);
    expr_set s;
    aws_error e;
    error_clear(&e);
    if (expr_compile(&tu_arena, &in, &s, &e) != 0) {
        /* Only the unused-values check may fail: recompile with just the values used. */
        cr_assert(strstr(e.message, "unused in expressions") != NULL, "%s: %s", condition, e.message);
        json_t *used = json_object();
        const char *key;
        json_t *v;
        json_object_foreach(in.values, key, v) if (mentions(condition, key)) json_object_set(used, key, v);
        in.values = json_object_size(used) ? used : NULL;
        cr_assert_eq(expr_compile(&tu_arena, &in, &s, &e), 0, "%s: %s", condition, e.message);
    }
    return expr_condition_matches(s.condition, item ? J(item) : NULL);
}

#define TRUE_(c)  cr_assert(holds(c, ITEM), "expected true: %s", c)
#define FALSE_(c) cr_assert_not(holds(c, ITEM), "expected false: %s", c)

Test(expr_eval, equality_across_types_is_false_not_an_error)
{
    TRUE_("s = :hello");
    TRUE_("n = :ten"); /* numbers compare as decimals */
    FALSE_("s = :ten");
    FALSE_("t = :strue");
    TRUE_("t = :true");
    TRUE_("z = :null");
    TRUE_("ss = :ss"); /* sets compare as sets */
    TRUE_("l = :l");   /* lists compare element by element, numbers as decimals (3 = 3.0) */
}

Test(expr_eval, list_equality_is_deep)
{
    cr_assert(holds("l = :l", "{'l': {'L': [{'S': 'x'}, {'N': '3.0'}]}}"));
    cr_assert_not(holds("l = :l", "{'l': {'L': [{'N': '3'}, {'S': 'x'}]}}"));
}

Test(expr_eval, not_equal_with_absent_attribute_is_true)
{
    TRUE_("absent <> :hello");
    TRUE_("s <> :ten");
    FALSE_("s <> :hello");
    FALSE_("absent = :hello");
}

Test(expr_eval, ordering_only_within_s_n_b)
{
    TRUE_("n < :n20");
    TRUE_("n > :n5");
    TRUE_("n >= :ten");
    TRUE_("n <= :ten");
    FALSE_("n < :ten");
    FALSE_("n < :zzz"); /* different types */
    TRUE_("s < :zzz");
    TRUE_("s > :he");
    TRUE_("b < :b2"); /* bytes 01 02 03 < 02 */
    FALSE_("t < :true");
    FALSE_("absent < :n5");
    FALSE_("ss < :ss");
}

Test(expr_eval, between_and_in)
{
    TRUE_("n BETWEEN :n5 AND :n20");
    TRUE_("n BETWEEN :ten AND :ten");
    FALSE_("n BETWEEN :n2 AND :n5");
    FALSE_("s BETWEEN :n2 AND :n5");
    TRUE_("s BETWEEN :he AND :zzz");
    TRUE_("n IN (:n5, :ten)");
    FALSE_("n IN (:n5, :n20)");
    TRUE_("s IN (:ten, :hello)");
    FALSE_("absent IN (:hello)");
    TRUE_("size(s) BETWEEN :n3 AND :n5");
}

Test(expr_eval, contains)
{
    TRUE_("contains(s, :ell)");
    TRUE_("contains(s, :empty)");
    FALSE_("contains(s, :zzz)");
    TRUE_("contains(ss, :a)");
    FALSE_("contains(ss, :x)");
    TRUE_("contains(ns, :n25)"); /* 2.50 is 2.5 */
    FALSE_("contains(ns, :n2)");
    FALSE_("contains(ns, :a)");
    TRUE_("contains(bs, :b2)");
    TRUE_("contains(l, :x)");
    TRUE_("contains(l, :n3)");
    FALSE_("contains(l, :a)");
    TRUE_("contains(b, :b12)");
    FALSE_("contains(n, :n3)");
    FALSE_("contains(absent, :a)");
}

Test(expr_eval, begins_with)
{
    TRUE_("begins_with(s, :he)");
    TRUE_("begins_with(s, :hello)");
    FALSE_("begins_with(s, :ell)");
    TRUE_("begins_with(b, :b12)");
    FALSE_("begins_with(b, :b2)");
    FALSE_("begins_with(n, :he)");
    FALSE_("begins_with(absent, :he)");
    TRUE_("begins_with(m.k, :v)");
}

Test(expr_eval, attribute_type_and_existence)
{
    TRUE_("attribute_type(s, :tS)");
    TRUE_("attribute_type(n, :tN)");
    TRUE_("attribute_type(m, :tM)");
    TRUE_("attribute_type(ss, :tSS)");
    TRUE_("attribute_type(z, :tNULL)");
    FALSE_("attribute_type(s, :tN)");
    FALSE_("attribute_type(absent, :tS)");
    TRUE_("attribute_exists(s)");
    TRUE_("attribute_exists(m.k)");
    TRUE_("attribute_exists(m.inr[1].deep)");
    TRUE_("attribute_exists(l[1])");
    FALSE_("attribute_exists(l[2])");
    FALSE_("attribute_exists(s.k)");
    FALSE_("attribute_exists(m[0])");
    TRUE_("attribute_not_exists(absent)");
    FALSE_("attribute_not_exists(e)");
}

Test(expr_eval, size)
{
    TRUE_("size(s) = :n5");
    TRUE_("size(b) = :n3");
    TRUE_("size(ss) = :n2");
    TRUE_("size(l) = :n2");
    TRUE_("size(m) = :n2");
    TRUE_("size(m.inr) = :n2");
    FALSE_("size(n) = :n2");
}

Test(expr_eval, logic_and_precedence)
{
    TRUE_("s = :zzz OR s = :hello AND n = :ten");
    FALSE_("(s = :zzz OR s = :hello) AND n = :n5");
    TRUE_("NOT s = :zzz");
    FALSE_("NOT attribute_exists(s)");
    TRUE_("NOT (s = :zzz AND n = :ten)");
    TRUE_("NOT NOT s = :hello");
}

Test(expr_eval, no_item)
{
    cr_assert(holds("attribute_not_exists(pk)", NULL));
    cr_assert_not(holds("attribute_exists(pk)", NULL));
    cr_assert_not(holds("pk = :a", NULL));
    cr_assert(holds("pk <> :a", NULL));
}

Test(expr_eval, references_top_level_names)
{
    expr_set s = compile_ok(
        (tx){.names = "{'#p': 'pk'}", .values = "{':v': {'S': 'x'}}", .filter = "#p = :v OR size(m.k[0]) > :v"});
    cr_assert(expr_condition_references(s.filter, SLICE_LIT("pk")));
    cr_assert(expr_condition_references(s.filter, SLICE_LIT("m")));
    cr_assert_not(expr_condition_references(s.filter, SLICE_LIT("k")));
    cr_assert_not(expr_condition_references(s.filter, SLICE_LIT("#p")));
}
