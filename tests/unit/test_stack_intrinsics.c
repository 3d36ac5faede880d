/* Every intrinsic function, seen through a stage variable whose value is the expression. */
#include "stack_testlib.h"

TestSuite(stack_intrinsics, .init = stack_test_setup, .fini = stack_test_teardown);

static const char *base_template = "%s\n"
                                   "Resources:\n"
                                   "  Api:\n"
                                   "    Type: AWS::ApiGateway::RestApi\n"
                                   "    Properties: {Name: a}\n"
                                   "  Table:\n"
                                   "    Type: AWS::DynamoDB::Table\n"
                                   "    Properties:\n"
                                   "      KeySchema: [{AttributeName: id, KeyType: HASH}]\n"
                                   "      AttributeDefinitions: [{AttributeName: id, AttributeType: S}]\n"
                                   "  Named:\n"
                                   "    Type: AWS::DynamoDB::Table\n"
                                   "    Properties:\n"
                                   "      TableName: !Sub '${AWS::StackName}-named'\n"
                                   "      KeySchema: [{AttributeName: id, KeyType: HASH}]\n"
                                   "      AttributeDefinitions: [{AttributeName: id, AttributeType: S}]\n"
                                   "  Role:\n"
                                   "    Type: AWS::IAM::Role\n"
                                   "    Properties: {RoleName: r1, AssumeRolePolicyDocument: {}}\n"
                                   "  Fn:\n"
                                   "    Type: AWS::Lambda::Function\n"
                                   "    Properties: {Runtime: python3.12}\n"
                                   "  Dep:\n"
                                   "    Type: AWS::ApiGateway::Deployment\n"
                                   "    Properties:\n"
                                   "      RestApiId: !Ref Api\n"
                                   "      StageName: s\n"
                                   "      StageDescription:\n"
                                   "        Variables:\n"
                                   "          V: %s\n";

static const char *eval_opts(const char *expr, const char *sections, const stack_options *opts)
{
    char *t = arena_sprintf(&test_arena, base_template, sections != NULL ? sections : "", expr);
    stack_model *m = load_text_opts(t, opts);
    if (m == NULL)
        return NULL;
    const slice *v = model_map_get(&m->apis[0].stages[0].variables, SLICE_LIT("V"));
    return v != NULL ? v->ptr : "(absent)";
}

static const char *eval(const char *expr, const char *sections)
{
    return eval_opts(expr, sections, NULL);
}

static void expect(const char *expr, const char *sections, const char *want)
{
    const char *got = eval(expr, sections);
    cr_assert_not_null(got, "%s: %s", expr, test_err.message);
    cr_assert_str_eq(got, want, "%s", expr);
}

static void expect_error(const char *expr, const char *sections, const char *fragment)
{
    const char *got = eval(expr, sections);
    cr_assert_null(got, "%s should fail, gave %s", expr, got);
    cr_assert_contains(test_err.message, fragment);
}

Test(stack_intrinsics, ref_parameters_pseudo_parameters_and_resources)
{
    expect("!Ref P", "Parameters: {P: {Type: String, Default: hello}}", "hello");
    expect("!Ref AWS::Region", NULL, "us-east-1");
    expect("!Ref AWS::AccountId", NULL, "123456789012");
    expect("!Ref AWS::StackName", NULL, "t");
    expect("!Ref AWS::Partition", NULL, "aws");
    expect("!Ref AWS::URLSuffix", NULL, "amazonaws.com");
    expect("!Ref Named", NULL, "t-named");
    expect("!Ref Role", NULL, "r1");
    const char *generated = eval("!Ref Table", NULL);
    cr_assert_not_null(generated, "%s", test_err.message);
    cr_assert(strncmp(generated, "t-Table-", 8) == 0 && strlen(generated) == 20, "%s", generated);
    const char *api = eval("!Ref Api", NULL);
    cr_assert_eq(strlen(api), 10);
    stack_options o = {.stack_name = "shop", .region = "eu-west-1", .account_id = "111122223333"};
    cr_assert_str_eq(eval_opts("!Sub '${AWS::StackName}/${AWS::Region}/${AWS::AccountId}'", NULL, &o),
                     "shop/eu-west-1/111122223333");
}

Test(stack_intrinsics, no_value_removes_the_property)
{
    expect("!Ref AWS::NoValue", NULL, "(absent)");
    expect("!If [Yes, !Ref AWS::NoValue, x]", "Conditions: {Yes: !Equals [a, a]}", "(absent)");
}

Test(stack_intrinsics, get_att)
{
    expect("!GetAtt Named.Arn", NULL, "arn:aws:dynamodb:us-east-1:123456789012:table/t-named");
    expect("!GetAtt [Named, StreamArn]", NULL,
           "arn:aws:dynamodb:us-east-1:123456789012:table/t-named/stream/1970-01-01T00:00:00.000");
    expect("!GetAtt Role.Arn", NULL, "arn:aws:iam::123456789012:role/r1");
    const char *root = eval("!GetAtt Api.RootResourceId", NULL);
    cr_assert_not_null(root);
    cr_assert_eq(strlen(root), 10);
    expect("!GetAtt [Named, !Ref P]", "Parameters: {P: {Type: String, Default: Arn}}",
           "arn:aws:dynamodb:us-east-1:123456789012:table/t-named");
    const char *fn = eval("!GetAtt Fn.Arn", NULL);
    cr_assert_not_null(fn, "%s", test_err.message);
    cr_assert(strncmp(fn, "arn:aws:lambda:us-east-1:123456789012:function:t-Fn-", 52) == 0, "%s", fn);
}

Test(stack_intrinsics, sub_forms)
{
    expect("!Sub 'a-${P}-${AWS::Region}-${Named.Arn}'", "Parameters: {P: {Type: String, Default: x}}",
           "a-x-us-east-1-arn:aws:dynamodb:us-east-1:123456789012:table/t-named");
    expect("!Sub ['${A}/${B}', {A: one, B: !Ref Named}]", NULL, "one/t-named");
    expect("!Sub 'keep ${!Literal} and $notvar'", NULL, "keep ${Literal} and $notvar");
    expect("!Sub '${ Named }'", NULL, "t-named");
    expect_error("!Sub '${Missing}'", NULL, "Ref refers to unknown resource or parameter Missing");
}

Test(stack_intrinsics, join_select_split)
{
    expect("!Join ['-', [a, b, !Ref Named]]", NULL, "a-b-t-named");
    expect("!Join ['', []]", NULL, "");
    expect("!Select [1, [a, b, c]]", NULL, "b");
    expect("!Select ['2', !Split [',', 'x,y,z']]", NULL, "z");
    expect("!Join ['+', !Split ['/', 'a/b//c']]", NULL, "a+b++c");
    expect("!Select [1, !Ref L]", "Parameters: {L: {Type: CommaDelimitedList, Default: 'p, q ,r'}}", "q");
    expect_error("!Select [5, [a]]", NULL, "index 5 is out of range");
    expect_error("!Join [',', a]", NULL, "Fn::Join needs a list");
}

Test(stack_intrinsics, find_in_map)
{
    const char *maps = "Mappings:\n  Env:\n    us-east-1: {Size: small}\n    eu-west-1: {Size: big}\n";
    expect("!FindInMap [Env, !Ref AWS::Region, Size]", maps, "small");
    expect_error("!FindInMap [Env, nowhere, Size]", maps, "mapping Env has no key nowhere");
    expect_error("!FindInMap [Nope, a, b]", maps, "unknown mapping Nope");
}

Test(stack_intrinsics, base64_getazs_cidr_length_tojson)
{
    expect("!Base64 'hello world'", NULL, "aGVsbG8gd29ybGQ=");
    expect("!Base64 ab", NULL, "YWI=");
    expect("!Select [1, !GetAZs '']", NULL, "us-east-1b");
    expect("!Join [' ', !Cidr ['10.0.0.0/16', 3, 8]]", NULL, "10.0.0.0/24 10.0.1.0/24 10.0.2.0/24");
    expect("!Join [' ', !Cidr ['192.168.0.0/24', 2, 6]]", NULL, "192.168.0.0/26 192.168.0.64/26");
    expect("{'Fn::Length': [a, b, c]}", NULL, "3");
    expect("{'Fn::ToJsonString': {a: [1, 'x']}}", NULL, "{\"a\":[1,\"x\"]}");
    expect_error("!ImportValue Shared", NULL, "Fn::ImportValue is not supported");
}

Test(stack_intrinsics, conditions)
{
    const char *conds = "Parameters: {Env: {Type: String, Default: prod, AllowedValues: [prod, dev]}}\n"
                        "Conditions:\n"
                        "  IsProd: !Equals [!Ref Env, prod]\n"
                        "  IsDev: !Not [!Condition IsProd]\n"
                        "  Both: !And [!Condition IsProd, !Equals [a, a]]\n"
                        "  Either: !Or [!Condition IsDev, !Equals [1, '1']]\n"
                        "  Loop1: !Condition Loop2\n"
                        "  Loop2: !Condition Loop1\n";
    expect("!If [IsProd, p, d]", conds, "p");
    expect("!If [IsDev, p, d]", conds, "d");
    expect("!If [Both, yes, no]", conds, "yes");
    expect("!If [Either, yes, no]", conds, "yes");
    stack_parameter dev = {"Env", "dev"};
    stack_options o = {.parameters = &dev, .parameter_count = 1};
    cr_assert_str_eq(eval_opts("!If [IsProd, p, d]", conds, &o), "d");
    expect_error("!If [Nope, a, b]", conds, "unknown condition Nope");
    expect_error("!If [Loop1, a, b]", conds, "circular dependency");
}

Test(stack_intrinsics, wrong_references_name_the_resource_and_property)
{
    const char *msg = eval("!GetAtt Tabel.Arn", NULL);
    cr_assert_null(msg);
    cr_assert_contains(
        test_err.message,
        "Resource Dep, property StageDescription.Variables.V: Fn::GetAtt refers to unknown resource Tabel");
    expect_error("!GetAtt Named.Nope", NULL, "resource Named (AWS::DynamoDB::Table) has no attribute Nope");
    expect_error("!Ref Nothing", NULL, "Ref refers to unknown resource or parameter Nothing");
    expect_error("{'Fn::Bogus': 1}", NULL, "unknown function Fn::Bogus");
}
