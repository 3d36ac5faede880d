/* Parsing and the static checks of expressions: DynamoDB's error messages, word for word. */
#include "expr_test_util.h"

TestSuite(expr_parse, .init = tu_setup, .fini = tu_teardown);

#define V1 "{':v': {'S': 'x'}}"

Test(expr_parse, accepts_every_condition_construct)
{
    compile_ok((tx){.values = "{':a': {'N': '1'}, ':b': {'N': '5'}, ':s': {'S': 'p'}, ':t': {'S': 'SS'}}",
                    .names = "{'#n': 'name'}",
                    .condition = "a = :a AND b <> :a AND c < :a AND d <= :a AND e > :a AND e2 >= :a OR "
                                 "f BETWEEN :a AND :b OR g IN (:a, :b) OR NOT attribute_exists(h) AND "
                                 "attribute_not_exists(#n.x[3]) AND attribute_type(i, :t) AND begins_with(j, :s) "
                                 "AND contains(k, :s) AND size(l) > :a AND (m = :a OR m = :b)"});
}

Test(expr_parse, keywords_are_case_insensitive)
{
    compile_ok((tx){.values = "{':a': {'N': '1'}, ':b': {'N': '2'}}",
                    .condition = "a = :a and b between :a AnD :b or not c in (:a)"});
    compile_ok((tx){.values = "{':a': {'N': '1'}}", .update = "set a = :a remove b add c :a"});
}

Test(expr_parse, syntax_error_names_the_token_and_its_neighbours)
{
    EXPECT_ERROR("Invalid UpdateExpression: Syntax error; token: \"INVALID\", near: \"INVALID SYNTAX\"", .values = V1,
                 .update = "INVALID SYNTAX HERE");
    EXPECT_ERROR("Invalid UpdateExpression: Syntax error; token: \":\", near: \"hits : incr\"",
                 .values = "{':incr': {'N': '1'}}", .update = "ADD hits : incr");
    EXPECT_ERROR("Invalid ProjectionExpression: Syntax error; token: \"!\", near: \"!!\"", .projection = "!!");
    EXPECT_ERROR("Invalid ConditionExpression: Syntax error; token: \"<EOF>\", near: \"=\"", .condition = "a =");
    EXPECT_ERROR("Invalid ConditionExpression: Syntax error; token: \"AND\", near: \"a AND b\"", .values = V1,
                 .condition = "a AND b = :v");
    EXPECT_ERROR("Invalid FilterExpression: Syntax error; token: \"<EOF>\", near: \"a\"", .filter = "a");
    EXPECT_ERROR("Invalid UpdateExpression: Syntax error; token: \"+\", near: \":v + :v\"", .values = V1,
                 .update = "SET a = :v + :v + :v");
    EXPECT_ERROR("Invalid ConditionExpression: Syntax error; token: \")\", near: \":v)\"", .values = V1,
                 .condition = "a = :v)");
}

Test(expr_parse, empty_and_oversized_expressions)
{
    EXPECT_ERROR("Invalid KeyConditionExpression: The expression can not be empty;", .key = "");
    EXPECT_ERROR("Invalid UpdateExpression: The expression can not be empty;", .update = "");
    char *big = arena_alloc(&tu_arena, 4200);
    memset(big, ' ', 4097);
    memcpy(big, "a = :v", 6);
    big[4097] = '\0';
    EXPECT_ERROR("Invalid ConditionExpression: Expression size has exceeded the maximum allowed size; expression "
                 "size: 4097",
                 .values = V1, .condition = big);
    big[4096] = '\0';
    compile_ok((tx){.values = V1, .condition = big});
}

Test(expr_parse, reserved_words_need_placeholders)
{
    EXPECT_ERROR("Invalid ConditionExpression: Attribute name is a reserved keyword; reserved keyword: status",
                 .values = V1, .condition = "status = :v");
    EXPECT_ERROR("Invalid ProjectionExpression: Attribute name is a reserved keyword; reserved keyword: Name",
                 .projection = "a, b.Name");
    EXPECT_ERROR("Invalid UpdateExpression: Attribute name is a reserved keyword; reserved keyword: size", .values = V1,
                 .update = "SET size = :v");
    compile_ok((tx){.names = "{'#s': 'status'}", .values = V1, .condition = "#s = :v"});
    compile_ok((tx){.projection = "statuses, named, zone1"});
}

Test(expr_parse, undefined_names_and_values)
{
    EXPECT_ERROR("Invalid UpdateExpression: An expression attribute value used in expression is not defined; "
                 "attribute value: :x",
                 .update = "SET a = :x");
    EXPECT_ERROR("Invalid FilterExpression: An expression attribute name used in the document path is not defined; "
                 "attribute name: #missing",
                 .values = V1, .filter = "#missing = :v");
    EXPECT_ERROR("Invalid ProjectionExpression: An expression attribute name used in the document path is not "
                 "defined; attribute name: #n",
                 .names = "{'#m': 'x'}", .projection = "#m, #n");
}

Test(expr_parse, unused_names_and_values_across_all_expressions)
{
    EXPECT_ERROR("Value provided in ExpressionAttributeValues unused in expressions: keys: {:a, :c}",
                 .values = "{':a': {'S': '1'}, ':b': {'S': '2'}, ':c': {'S': '3'}}", .condition = "x = :b");
    EXPECT_ERROR("Value provided in ExpressionAttributeNames unused in expressions: keys: {#unused}",
                 .names = "{'#unused': 'someattr'}", .values = V1, .update = "SET attr1 = :v");
    /* Used by some expression of the request is enough. */
    compile_ok((tx){.names = "{'#p': 'p', '#q': 'q'}",
                    .values = "{':a': {'S': '1'}, ':b': {'S': '2'}}",
                    .key = "#p = :a",
                    .filter = "f = :b",
                    .projection = "#q"});
    compile_ok((tx){.names = "{'#a': 'a'}", .values = V1, .update = "SET #a = :v", .condition = "#a <> :v"});
}

Test(expr_parse, maps_are_checked)
{
    EXPECT_ERROR("ExpressionAttributeValues must not be empty", .values = "{}", .condition = "a = b");
    EXPECT_ERROR("ExpressionAttributeNames must not be empty", .names = "{}", .condition = "a = b");
    EXPECT_ERROR("ExpressionAttributeNames contains invalid key: Syntax error; key: \"n\"", .names = "{'n': 'x'}",
                 .condition = "a = b");
    EXPECT_ERROR("ExpressionAttributeValues contains invalid key: Syntax error; key: \"v-1\"",
                 .values = "{'v-1': {'S': 'x'}}", .condition = "a = b");
    expr_set s;
    aws_error e;
    cr_assert_eq(tcompile((tx){.values = "{':v': {'N': 'abc'}}", .condition = "a = :v"}, &s, &e), -1);
    cr_assert(strncmp(e.message, "ExpressionAttributeValues contains invalid value: ", 50) == 0, "%s", e.message);
    cr_assert(strstr(e.message, " for key :v") != NULL, "%s", e.message);
}

Test(expr_parse, names_substitute_whole_attribute_names)
{
    expr_set s = compile_ok((tx){.names = "{'#d': 'a.b'}", .values = V1, .condition = "#d = :v"});
    cr_assert(expr_condition_matches(s.condition, J("{'a.b': {'S': 'x'}}")));
    cr_assert_not(expr_condition_matches(s.condition, J("{'a': {'M': {'b': {'S': 'x'}}}}")));
}

Test(expr_parse, update_paths_may_not_overlap_or_conflict)
{
    EXPECT_ERROR("Invalid UpdateExpression: Two document paths overlap with each other; must remove or rewrite one of "
                 "these paths; path one: [a], path two: [a, b]",
                 .values = V1, .update = "SET a = :v, a.b = :v");
    EXPECT_ERROR("Invalid UpdateExpression: Two document paths overlap with each other; must remove or rewrite one of "
                 "these paths; path one: [f], path two: [f]",
                 .values = V1, .update = "SET f = :v REMOVE f");
    EXPECT_ERROR("Invalid UpdateExpression: Two document paths conflict with each other; must remove or rewrite one "
                 "of these paths; path one: [a, b], path two: [a, [0]]",
                 .values = V1, .update = "SET a.b = :v, a[0] = :v");
    EXPECT_ERROR("Invalid ProjectionExpression: Two document paths overlap with each other; must remove or rewrite "
                 "one of these paths; path one: [a, [1]], path two: [a, [1], c]",
                 .projection = "a[1], a[1].c");
    compile_ok((tx){.values = V1, .update = "SET a.b = :v, a.c = :v REMOVE l[0], l[1]"});
}

Test(expr_parse, update_sections_and_operands)
{
    EXPECT_ERROR("Invalid UpdateExpression: The \"SET\" section can only be used once in an update expression;",
                 .values = V1, .update = "SET a = :v SET b = :v");
    EXPECT_ERROR("Invalid UpdateExpression: Incorrect operand type for operator or function; operator or function: "
                 "+, operand type: S",
                 .values = "{':s': {'S': 'x'}, ':n': {'N': '1'}}", .update = "SET a = :s + :n");
    EXPECT_ERROR("Invalid UpdateExpression: Incorrect operand type for operator or function; operator or function: "
                 "list_append, operand type: M",
                 .values = "{':m': {'M': {}}}", .update = "SET a = list_append(a, :m)");
    EXPECT_ERROR("Invalid UpdateExpression: Incorrect operand type for operator or function; operator: ADD, operand "
                 "type: STRING, typeSet: ALLOWED_FOR_ADD_OPERAND",
                 .values = V1, .update = "ADD a :v");
    EXPECT_ERROR("Invalid UpdateExpression: Incorrect operand type for operator or function; operator: DELETE, "
                 "operand type: NUMBER, typeSet: ALLOWED_FOR_DELETE_OPERAND",
                 .values = "{':n': {'N': '1'}}", .update = "DELETE a :n");
    EXPECT_ERROR("Invalid UpdateExpression: Operator or function requires a document path; operator or function: "
                 "if_not_exists",
                 .values = V1, .update = "SET a = if_not_exists(:v, :v)");
    EXPECT_ERROR("Invalid UpdateExpression: Invalid function name; function: size", .values = V1,
                 .update = "SET a = size(b)");
    EXPECT_ERROR("Invalid UpdateExpression: Syntax error; token: \"b\", near: \"a b\"", .values = V1,
                 .update = "ADD a b");
    compile_ok((tx){.values = "{':n': {'N': '1'}, ':e': {'L': []}, ':l': {'L': [{'S': 'x'}]}, ':s': {'SS': ['a']}}",
                    .update = "SET c = if_not_exists(c, :n) + :n, d = list_append(if_not_exists(d, :e), :l), "
                              "e = (f - :n) ADD g :s, h :n DELETE i :s"});
}

Test(expr_parse, condition_functions_are_checked)
{
    EXPECT_ERROR("Invalid ConditionExpression: Invalid function name; function: foo", .condition = "foo(a)");
    EXPECT_ERROR("Invalid ConditionExpression: The function is not allowed to be used this way in an expression; "
                 "function: attribute_exists",
                 .values = V1, .condition = "attribute_exists(a) = :v");
    EXPECT_ERROR("Invalid ConditionExpression: The function is not allowed to be used this way in an expression; "
                 "function: size",
                 .condition = "size(a)");
    EXPECT_ERROR("Invalid ConditionExpression: Incorrect number of operands for operator or function; operator or "
                 "function: attribute_exists, number of operands: 2",
                 .condition = "attribute_exists(a, b)");
    EXPECT_ERROR("Invalid ConditionExpression: Operator or function requires a document path; operator or function: "
                 "attribute_not_exists",
                 .values = V1, .condition = "attribute_not_exists(:v)");
    EXPECT_ERROR("Invalid ConditionExpression: Incorrect operand type for operator or function; operator or function: "
                 "begins_with, operand type: N",
                 .values = "{':n': {'N': '1'}}", .condition = "begins_with(a, :n)");
    EXPECT_ERROR("Invalid ConditionExpression: Invalid attribute type name found; type: X, valid types: "
                 "{B,NULL,SS,BOOL,L,BS,N,NS,S,M}",
                 .values = "{':t': {'S': 'X'}}", .condition = "attribute_type(a, :t)");
    EXPECT_ERROR("Invalid ConditionExpression: The first operand must be distinct from the remaining operands for "
                 "this operator or function; operator: =, first operand: [a, b]",
                 .condition = "a.b = a.b");
    EXPECT_ERROR("Invalid ConditionExpression: Invalid function name; function: if_not_exists", .values = V1,
                 .condition = "if_not_exists(a, :v) = :v");
}

Test(expr_parse, between_bounds_are_checked)
{
    EXPECT_ERROR("Invalid ConditionExpression: The BETWEEN operator requires upper bound to be greater than or equal "
                 "to lower bound; lower bound operand: AttributeValue: {N:5}, upper bound operand: AttributeValue: "
                 "{N:1}",
                 .values = "{':lo': {'N': '5'}, ':hi': {'N': '1'}}", .condition = "a BETWEEN :lo AND :hi");
    EXPECT_ERROR("Invalid ConditionExpression: The BETWEEN operator requires same data type for lower and upper "
                 "bounds; lower bound operand: AttributeValue: {N:5}, upper bound operand: AttributeValue: {S:z}",
                 .values = "{':lo': {'N': '5'}, ':hi': {'S': 'z'}}", .condition = "a BETWEEN :lo AND :hi");
    compile_ok((tx){.values = "{':lo': {'N': '-5'}, ':hi': {'N': '-5.0'}}", .condition = "a BETWEEN :lo AND :hi"});
}

Test(expr_parse, parentheses)
{
    compile_ok((tx){.values = V1, .condition = "(a = :v) AND ((b = :v) OR (c = :v))"});
    compile_ok((tx){.values = V1, .condition = "(a = :v AND (b = :v))"});
    compile_ok((tx){.values = V1, .condition = "(a) = :v"});
    compile_ok((tx){.values = V1, .condition = "NOT (a = :v)"});
    EXPECT_ERROR("Invalid ConditionExpression: The expression has redundant parentheses;", .values = V1,
                 .condition = "((a = :v))");
    EXPECT_ERROR("Invalid ConditionExpression: The expression has redundant parentheses;", .values = V1,
                 .condition = "a = :v AND ((b = :v))");
    EXPECT_ERROR("Invalid ConditionExpression: The expression has redundant parentheses;", .values = V1,
                 .condition = "((a)) = :v");
}

Test(expr_parse, limits)
{
    /* IN takes at most 100 operands. */
    char buf[4096];
    size_t len = (size_t)sprintf(buf, "a IN (");
    for (int i = 0; i < 101; i++)
        len += (size_t)sprintf(buf + len, "%s:v", i ? "," : "");
    sprintf(buf + len, ")");
    EXPECT_ERROR("Invalid ConditionExpression: The IN operator is provided with too many operands; number of "
                 "operands: 101",
                 .values = V1, .condition = buf);
    /* 301 operators. */
    len = 0;
    for (int i = 0; i < 151; i++)
        len += (size_t)sprintf(buf + len, "%sa = :v", i ? " OR " : "");
    EXPECT_ERROR("Invalid ConditionExpression: The expression contains too many operators; operator count: 301",
                 .values = V1, .condition = buf);
}

Test(expr_parse, deep_nesting_is_an_error_not_a_crash)
{
    char *deep = arena_alloc(&tu_arena, 4200);
    size_t n = 0;
    for (int i = 0; i < 800; i++)
        n += (size_t)sprintf(deep + n, "NOT ");
    sprintf(deep + n, "a = :v");
    EXPECT_ERROR("Invalid ConditionExpression: The expression contains too many operators; operator count: 301",
                 .values = V1, .condition = deep);
    memset(deep, '(', 4000);
    deep[4000] = '\0';
    expr_set s;
    aws_error e;
    cr_assert_eq(tcompile((tx){.condition = deep}, &s, &e), -1);
    memset(deep, '(', 2000);
    sprintf(deep + 2000, "size(");
    cr_assert_eq(tcompile((tx){.condition = deep}, &s, &e), -1);
}

Test(expr_parse, check_params_per_operation)
{
    aws_error e;
    expr_input in;
    memset(&in, 0, sizeof(in));
    in.values = J(V1);
    error_clear(&e);
    cr_assert_eq(expr_check_params(&in, EXPR_PARAM_CONDITION, &e), -1);
    cr_assert_str_eq(e.message, "ExpressionAttributeValues can only be specified when using expressions: "
                                "ConditionExpression is null");
    cr_assert_eq(expr_check_params(&in, EXPR_PARAM_PROJECTION | EXPR_PARAM_FILTER | EXPR_PARAM_KEY_CONDITION, &e), -1);
    cr_assert_str_eq(e.message, "ExpressionAttributeValues can only be specified when using expressions: "
                                "FilterExpression and KeyConditionExpression are null");
    in.values = NULL;
    in.names = J("{'#a': 'a'}");
    cr_assert_eq(expr_check_params(&in, EXPR_PARAM_PROJECTION, &e), -1);
    cr_assert_str_eq(e.message, "ExpressionAttributeNames can only be specified when using expressions");
    in.projection = SLICE_LIT("#a");
    cr_assert_eq(expr_check_params(&in, EXPR_PARAM_PROJECTION, &e), 0);
}
