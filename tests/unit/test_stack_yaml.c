#include "stack_testlib.h"

TestSuite(stack_yaml, .init = stack_test_setup, .fini = stack_test_teardown);

static json_t *parse(const char *text)
{
    arena *prev = json_arena_push(&test_arena);
    json_t *v = stack_yaml_parse("f.yaml", text, strlen(text), &test_err);
    json_arena_pop(prev);
    return v;
}

static char *dump(json_t *v)
{
    arena *prev = json_arena_push(&test_arena);
    slice s = json_dump_slice(v, JSON_COMPACT | JSON_SORT_KEYS);
    json_arena_pop(prev);
    return (char *)s.ptr;
}

static void expect(const char *yaml, const char *json)
{
    json_t *v = parse(yaml);
    cr_assert_not_null(v, "parse failed: %s", test_err.message);
    cr_assert_str_eq(dump(v), json);
}

static void expect_error(const char *yaml, const char *fragment)
{
    json_t *v = parse(yaml);
    cr_assert_null(v, "parse should fail: %s", yaml);
    cr_assert_contains(test_err.message, fragment);
}

Test(stack_yaml, short_tags_become_long_forms)
{
    expect("a: !Ref X", "{\"a\":{\"Ref\":\"X\"}}");
    expect("a: !Condition C", "{\"a\":{\"Condition\":\"C\"}}");
    expect("a: !Sub 'x-${AWS::Region}'", "{\"a\":{\"Fn::Sub\":\"x-${AWS::Region}\"}}");
    expect("a: !Sub [\"${A}\", {A: 1}]", "{\"a\":{\"Fn::Sub\":[\"${A}\",{\"A\":1}]}}");
    expect("a: !Join [',', [a, b]]", "{\"a\":{\"Fn::Join\":[\",\",[\"a\",\"b\"]]}}");
    expect("a: !Select [0, !Split [',', 'a,b']]", "{\"a\":{\"Fn::Select\":[0,{\"Fn::Split\":[\",\",\"a,b\"]}]}}");
    expect("a: !If [C, !Ref AWS::NoValue, x]", "{\"a\":{\"Fn::If\":[\"C\",{\"Ref\":\"AWS::NoValue\"},\"x\"]}}");
    expect("a: !Equals [a, b]", "{\"a\":{\"Fn::Equals\":[\"a\",\"b\"]}}");
    expect("a: !Not [!Condition C]", "{\"a\":{\"Fn::Not\":[{\"Condition\":\"C\"}]}}");
    expect("a: !And [!Condition C, !Condition D]",
           "{\"a\":{\"Fn::And\":[{\"Condition\":\"C\"},{\"Condition\":\"D\"}]}}");
    expect("a: !Or [!Condition C, !Condition D]", "{\"a\":{\"Fn::Or\":[{\"Condition\":\"C\"},{\"Condition\":\"D\"}]}}");
    expect("a: !FindInMap [M, k1, k2]", "{\"a\":{\"Fn::FindInMap\":[\"M\",\"k1\",\"k2\"]}}");
    expect("a: !Base64 hello", "{\"a\":{\"Fn::Base64\":\"hello\"}}");
    expect("a: !ImportValue Exp", "{\"a\":{\"Fn::ImportValue\":\"Exp\"}}");
    expect("a: !Cidr ['10.0.0.0/16', 2, 8]", "{\"a\":{\"Fn::Cidr\":[\"10.0.0.0/16\",2,8]}}");
    expect("a: !GetAZs ''", "{\"a\":{\"Fn::GetAZs\":\"\"}}");
    expect("a: !Transform {Name: AWS::Include, Parameters: {Location: x.yaml}}",
           "{\"a\":{\"Fn::Transform\":{\"Name\":\"AWS::Include\",\"Parameters\":{\"Location\":\"x.yaml\"}}}}");
}

Test(stack_yaml, get_att_both_forms)
{
    expect("a: !GetAtt Table.Arn", "{\"a\":{\"Fn::GetAtt\":[\"Table\",\"Arn\"]}}");
    expect("a: !GetAtt Db.Endpoint.Address", "{\"a\":{\"Fn::GetAtt\":[\"Db\",\"Endpoint.Address\"]}}");
    expect("a: !GetAtt [Table, Arn]", "{\"a\":{\"Fn::GetAtt\":[\"Table\",\"Arn\"]}}");
}

Test(stack_yaml, scalars_follow_the_core_schema)
{
    expect("a: 5\nb: -3\nc: 1.5\nd: true\ne: False\nf: null\ng: ~\nh: '5'\ni: \"true\"\nj: yes",
           "{\"a\":5,\"b\":-3,\"c\":1.5,\"d\":true,\"e\":false,\"f\":null,\"g\":null,\"h\":\"5\",\"i\":\"true\","
           "\"j\":\"yes\"}");
    /* an account id keeps its leading zero; huge numbers stay text */
    expect("a: 012345678901\nb: 123456789012345678901234567890",
           "{\"a\":\"012345678901\",\"b\":\"123456789012345678901234567890\"}");
    expect("a: !!str 12\n200: x", "{\"200\":\"x\",\"a\":\"12\"}");
}

Test(stack_yaml, block_scalars_keep_their_newlines)
{
    expect("a: |\n  line1\n  line2\nb: >-\n  folded\n  text\n", "{\"a\":\"line1\\nline2\\n\",\"b\":\"folded text\"}");
}

Test(stack_yaml, anchors_aliases_and_merge_keys)
{
    expect("base: &b {x: 1, y: 2}\ncopy: *b\nmerged:\n  <<: *b\n  y: 3\n",
           "{\"base\":{\"x\":1,\"y\":2},\"copy\":{\"x\":1,\"y\":2},\"merged\":{\"x\":1,\"y\":3}}");
    expect("a: &s hello\nb: [*s, *s]", "{\"a\":\"hello\",\"b\":[\"hello\",\"hello\"]}");
}

Test(stack_yaml, syntax_errors_name_file_line_and_column)
{
    expect_error("a: 1\nb: [1, 2\nc: 3\n", "f.yaml:");
    json_t *v = parse("Resources:\n  A:\n    Type: x\n   bad: - y\n");
    cr_assert_null(v);
    cr_assert(strncmp(test_err.message, "f.yaml:4:", 9) == 0 || strncmp(test_err.message, "f.yaml:3:", 9) == 0, "%s",
              test_err.message);
}

Test(stack_yaml, semantic_errors)
{
    expect_error("a: 1\na: 2\n", "duplicate key 'a'");
    expect_error("a: !Bogus x\n", "unknown tag !Bogus");
    expect_error("a: *nope\n", "unknown anchor 'nope'");
    expect_error("a: 1\n---\nb: 2\n", "more than one YAML document");
    expect_error("", "empty");
    expect_error("? [a]\n: b\n", "mapping keys must be plain strings");
    expect_error("a: 1\nb: \xff\xfe\n", "f.yaml:2:4: not valid UTF-8");
    expect("a: caf\xc3\xa9", "{\"a\":\"caf\xc3\xa9\"}");
}

Test(stack_yaml, alias_bombs_are_refused)
{
    const char *bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
                       "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
                       "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
                       "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
                       "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\n"
                       "f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\n"
                       "g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f, *f]\n";
    expect_error(bomb, "alias bomb");
}

Test(stack_yaml, json_documents_load_with_jansson)
{
    arena *prev = json_arena_push(&test_arena);
    const char *good = "  {\"a\": [1, \"x\"]}", *dup = "{\"a\": 1,\n \"a\": 2}";
    json_t *v = stack_document_parse("f.json", good, strlen(good), &test_err);
    json_t *bad = stack_document_parse("f.json", dup, strlen(dup), &test_err);
    json_arena_pop(prev);
    cr_assert_not_null(v);
    cr_assert_eq(json_integer_value(json_array_get(json_object_get(v, "a"), 0)), 1);
    cr_assert_null(bad);
    cr_assert_contains(test_err.message, "f.json:2:");
}
