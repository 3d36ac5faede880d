/* CloudFormation templates: parameters, conditions, includes, the API Gateway resources, errors. */
#include "stack_testlib.h"

TestSuite(stack_cfn, .init = stack_test_setup, .fini = stack_test_teardown);

static const char *table_yaml = "    Type: AWS::DynamoDB::Table\n"
                                "    Properties:\n"
                                "      KeySchema: [{AttributeName: id, KeyType: HASH}]\n"
                                "      AttributeDefinitions: [{AttributeName: id, AttributeType: S}]\n";

Test(stack_cfn, parameters_defaults_overrides_and_checks)
{
    char *t = arena_sprintf(&test_arena,
                            "Parameters:\n"
                            "  Name: {Type: String, Default: orders, AllowedPattern: '[a-z]+', MaxLength: 10}\n"
                            "  Env: {Type: String, AllowedValues: [dev, prod]}\n"
                            "  Rcu: {Type: Number, Default: 5, MinValue: 1}\n"
                            "Resources:\n"
                            "  T:\n%s      TableName: !Sub '${Name}-${Env}'\n"
                            "      ProvisionedThroughput: {ReadCapacityUnits: !Ref Rcu, WriteCapacityUnits: '2'}\n",
                            table_yaml);
    cr_assert_contains(load_error(t), "Parameters: [Env] must have values");
    stack_parameter p[2] = {{"Env", "prod"}, {"Name", "shop"}};
    stack_options o = {.parameters = p, .parameter_count = 1};
    stack_model *m = load_text_opts(t, &o);
    cr_assert_not_null(m, "%s", test_err.message);
    cr_assert_str_eq(m->tables[0].name.ptr, "orders-prod");
    json_t *pt = json_object_get(m->tables[0].create_request, "ProvisionedThroughput");
    cr_assert_eq(json_integer_value(json_object_get(pt, "ReadCapacityUnits")), 5);
    cr_assert_eq(json_integer_value(json_object_get(pt, "WriteCapacityUnits")), 2);
    cr_assert_str_eq(json_string_value(json_object_get(m->tables[0].create_request, "BillingMode")), "PROVISIONED");
    o.parameter_count = 2;
    m = load_text_opts(t, &o);
    cr_assert_str_eq(m->tables[0].name.ptr, "shop-prod");
    stack_parameter bad[2] = {{"Env", "test"}};
    o.parameters = bad;
    o.parameter_count = 1;
    cr_assert_null(load_text_opts(t, &o));
    cr_assert_contains(test_err.message, "Parameter 'Env' must be one of AllowedValues");
    stack_parameter upper[2] = {{"Env", "dev"}, {"Name", "Shop"}};
    o.parameters = upper;
    o.parameter_count = 2;
    cr_assert_null(load_text_opts(t, &o));
    cr_assert_contains(test_err.message, "Parameter 'Name' must match pattern [a-z]+");
    stack_parameter unknown[1] = {{"Nope", "x"}};
    o.parameters = unknown;
    o.parameter_count = 1;
    cr_assert_null(load_text_opts(t, &o));
    cr_assert_contains(test_err.message, "[Nope] do not exist in the template");

    char arg[] = "Env=prod=1";
    stack_parameter parsed;
    cr_assert_eq(stack_parameter_parse(arg, &parsed), 0);
    cr_assert_str_eq(parsed.key, "Env");
    cr_assert_str_eq(parsed.value, "prod=1");
    char none[] = "novalue";
    cr_assert_eq(stack_parameter_parse(none, &parsed), -1);
}

Test(stack_cfn, resource_conditions_and_depends_on)
{
    char *t = arena_sprintf(&test_arena,
                            "Parameters: {Env: {Type: String, Default: dev}}\n"
                            "Conditions: {IsProd: !Equals [!Ref Env, prod]}\n"
                            "Resources:\n"
                            "  Always:\n%s"
                            "  ProdOnly:\n    Condition: IsProd\n%s",
                            table_yaml, table_yaml);
    stack_model *m = must_load(t);
    cr_assert_eq(m->table_count, 1);
    cr_assert_str_eq(m->tables[0].logical_id.ptr, "Always");
    char *refers = arena_sprintf(&test_arena,
                                 "Parameters: {Env: {Type: String, Default: dev}}\n"
                                 "Conditions: {IsProd: !Equals [!Ref Env, prod]}\n"
                                 "Resources:\n"
                                 "  Always:\n%s      TableName: !Sub '${ProdOnly}-x'\n"
                                 "  ProdOnly:\n    Condition: IsProd\n%s",
                                 table_yaml, table_yaml);
    cr_assert_contains(load_error(refers), "Ref refers to resource ProdOnly, which is not created");
    char *deps = arena_sprintf(&test_arena, "Resources:\n  A:\n    DependsOn: [Missing]\n%s", table_yaml);
    cr_assert_contains(load_error(deps), "Resource A: DependsOn refers to unknown resource Missing");
}

Test(stack_cfn, includes_and_their_errors)
{
    char *t =
        arena_sprintf(&test_arena, "Resources:\n"
                                   "  Api:\n"
                                   "    Type: AWS::ApiGateway::RestApi\n"
                                   "    Properties:\n"
                                   "      Body:\n"
                                   "        Fn::Transform: {Name: AWS::Include, Parameters: {Location: api.yaml}}\n"
                                   "  Tbl:\n"
                                   "    Fn::Transform: {Name: AWS::Include, Parameters: {Location: "
                                   "'s3://bucket/path/snippet.yaml'}}\n");
    stack_model *m = must_load(t);
    cr_assert_eq(m->api_count, 1);
    cr_assert_str_eq(m->apis[0].name.ptr, "Included");
    cr_assert_not_null(model_api_match(&m->apis[0], SLICE_LIT("/things"), NULL, 0, NULL));
    cr_assert_eq(m->table_count, 1);
    cr_assert_str_eq(m->tables[0].name.ptr, "Included");

    const char *missing = "Resources:\n  Api:\n    Type: AWS::ApiGateway::RestApi\n    Properties:\n      Body:\n"
                          "        Fn::Transform: {Name: AWS::Include, Parameters: {Location: nothere.yaml}}\n";
    const char *msg = load_error(missing);
    cr_assert_contains(msg, "Resource Api, property Properties.Body: cannot read included file");
    cr_assert_contains(msg, "nothere.yaml");
    const char *macro = "Resources:\n  Api:\n    Type: AWS::ApiGateway::RestApi\n    Properties:\n      Body:\n"
                        "        Fn::Transform: {Name: MyMacro}\n";
    cr_assert_contains(load_error(macro), "only the AWS::Include transform is supported (macro MyMacro)");
    stack_options nofiles = {.no_files = true};
    cr_assert_null(load_text_opts(t, &nofiles));
    cr_assert_contains(test_err.message, "reading files is disabled");
}

Test(stack_cfn, broken_templates_give_clear_errors)
{
    cr_assert_contains(load_error("Resources:\n  A: [1, 2\n"), "t.yaml:");
    cr_assert_contains(load_error("Foo: bar\n"), "neither a CloudFormation template");
    cr_assert_contains(load_error("Resources:\n  A:\n    Properties: {}\n"), "Resource A: the resource has no Type");
    cr_assert_contains(load_error("Resources: {}\n"), "needs a Resources section");
    cr_assert_contains(load_error("Resources:\n  A:\n    Type: AWS::DynamoDB::Table\n    Properties: {}\n"),
                       "needs KeySchema and AttributeDefinitions");
    cr_assert_contains(load_error("Resources:\n  A:\n    Type: AWS::DynamoDB::Table\n    Properties:\n"
                                  "      TableName: !Ref B\n  B:\n    Type: AWS::DynamoDB::Table\n    Properties:\n"
                                  "      TableName: !Ref A\n"),
                       "circular dependency");
    cr_assert_contains(load_error("Transform: MyMacro\nResources:\n  A: {Type: AWS::SNS::Topic}\n"),
                       "transform MyMacro is not supported");
}

Test(stack_cfn, api_gateway_resources)
{
    const char *t =
        "Resources:\n"
        "  Api:\n"
        "    Type: AWS::ApiGateway::RestApi\n"
        "    Properties: {Name: shop, ApiKeySourceType: HEADER, BinaryMediaTypes: ['image~1png']}\n"
        "  Items:\n"
        "    Type: AWS::ApiGateway::Resource\n"
        "    Properties: {RestApiId: !Ref Api, ParentId: !GetAtt Api.RootResourceId, PathPart: items}\n"
        "  Proxy:\n"
        "    Type: AWS::ApiGateway::Resource\n"
        "    Properties: {RestApiId: !Ref Api, ParentId: !Ref Items, PathPart: '{proxy+}'}\n"
        "  ItemModel:\n"
        "    Type: AWS::ApiGateway::Model\n"
        "    Properties: {RestApiId: !Ref Api, Name: Item, ContentType: application/json,\n"
        "                 Schema: {type: object, required: [id]}}\n"
        "  Validator:\n"
        "    Type: AWS::ApiGateway::RequestValidator\n"
        "    Properties: {RestApiId: !Ref Api, Name: body-only, ValidateRequestBody: true}\n"
        "  Put:\n"
        "    Type: AWS::ApiGateway::Method\n"
        "    Properties:\n"
        "      RestApiId: !Ref Api\n"
        "      ResourceId: !Ref Items\n"
        "      HttpMethod: put\n"
        "      ApiKeyRequired: true\n"
        "      AuthorizationType: NONE\n"
        "      RequestValidatorId: !Ref Validator\n"
        "      RequestModels: {application/json: !Ref ItemModel}\n"
        "      RequestParameters: {method.request.querystring.dry: false}\n"
        "      MethodResponses: [{StatusCode: '200', ResponseParameters: {method.response.header.X-A: true}}]\n"
        "      Integration:\n"
        "        Type: MOCK\n"
        "        PassthroughBehavior: NEVER\n"
        "        TimeoutInMillis: 5000\n"
        "        RequestTemplates: {application/json: '{\"statusCode\": 200}'}\n"
        "        IntegrationResponses:\n"
        "          - {StatusCode: '200'}\n"
        "          - {StatusCode: '400', SelectionPattern: '4\\d{2}',\n"
        "             ResponseParameters: {method.response.header.X-A: \"'x'\"}}\n"
        "  Any:\n"
        "    Type: AWS::ApiGateway::Method\n"
        "    Properties: {RestApiId: !Ref Api, ResourceId: !Ref Proxy, HttpMethod: ANY,\n"
        "                 AuthorizationType: NONE, Integration: {Type: HTTP_PROXY, Uri: 'http://x/{proxy}',\n"
        "                 IntegrationHttpMethod: ANY}}\n"
        "  Missing:\n"
        "    Type: AWS::ApiGateway::GatewayResponse\n"
        "    Properties: {RestApiId: !Ref Api, ResponseType: MISSING_AUTHENTICATION_TOKEN, StatusCode: '404',\n"
        "                 ResponseTemplates: {application/json: '{\"message\": \"nope\"}'}}\n"
        "  Dep:\n"
        "    Type: AWS::ApiGateway::Deployment\n"
        "    Properties: {RestApiId: !Ref Api}\n"
        "  Stage:\n"
        "    Type: AWS::ApiGateway::Stage\n"
        "    Properties: {RestApiId: !Ref Api, DeploymentId: !Ref Dep, StageName: v1,\n"
        "                 Variables: {table: items}}\n"
        "  Key:\n"
        "    Type: AWS::ApiGateway::ApiKey\n"
        "    Properties: {Name: k1, Value: abcdefghijklmnopqrst, Enabled: true}\n"
        "  Plan:\n"
        "    Type: AWS::ApiGateway::UsagePlan\n"
        "    DependsOn: Stage\n"
        "    Properties:\n"
        "      ApiStages: [{ApiId: !Ref Api, Stage: v1}]\n"
        "      Throttle: {RateLimit: 10, BurstLimit: 20}\n"
        "      Quota: {Limit: 1000, Period: MONTH}\n"
        "  PlanKey:\n"
        "    Type: AWS::ApiGateway::UsagePlanKey\n"
        "    Properties: {KeyId: !Ref Key, KeyType: API_KEY, UsagePlanId: !Ref Plan}\n"
        "  Logs:\n"
        "    Type: AWS::Logs::LogGroup\n";
    stack_model *m = must_load(t);
    const model_api *api = &m->apis[0];
    cr_assert_str_eq(api->name.ptr, "shop");
    cr_assert_eq(api->binary_media_type_count, 1);
    cr_assert_str_eq(api->binary_media_types[0].ptr, "image/png");
    const model_stage *st = model_api_stage(api, SLICE_LIT("v1"));
    cr_assert_not_null(st);
    cr_assert_str_eq(model_map_get(&st->variables, SLICE_LIT("table"))->ptr, "items");

    const model_resource *items = model_api_match(api, SLICE_LIT("/items"), NULL, 0, NULL);
    const model_method *put = model_resource_method(items, MODEL_VERB_PUT);
    cr_assert_not_null(put);
    cr_assert(put->api_key_required);
    cr_assert_str_eq(put->request_validator->name.ptr, "body-only");
    cr_assert(put->request_validator->validate_body);
    cr_assert_eq(put->request_model_count, 1);
    cr_assert_str_eq(put->request_models[0].model->name.ptr, "Item");
    cr_assert_str_eq(json_string_value(json_object_get(put->request_models[0].model->schema, "type")), "object");
    cr_assert_eq(put->integration.passthrough, MODEL_PASSTHROUGH_NEVER);
    cr_assert_eq(put->integration.timeout_ms, 5000);
    cr_assert_eq(put->integration.response_count, 2);
    cr_assert_str_eq(put->integration.responses[0].selection_pattern.ptr, "4\\d{2}");
    cr_assert_str_eq(put->integration.default_response->status_code.ptr, "200");
    cr_assert(put->responses[0].response_parameters.items[0].required);

    model_path_param pp[2];
    size_t n;
    const model_resource *proxy = model_api_match(api, SLICE_LIT("/items/a/b/c"), pp, 2, &n);
    cr_assert_not_null(proxy);
    cr_assert_eq(proxy->kind, MODEL_SEGMENT_GREEDY);
    cr_assert(slice_eq_cstr(pp[0].value, "a/b/c"));
    cr_assert_not_null(model_resource_method(proxy, MODEL_VERB_DELETE)); /* ANY */
    cr_assert_eq(model_resource_method(proxy, MODEL_VERB_DELETE)->integration.type, MODEL_INTEGRATION_HTTP_PROXY);

    const model_gateway_response *g = model_api_gateway_response(api, SLICE_LIT("MISSING_AUTHENTICATION_TOKEN"));
    cr_assert_str_eq(g->status_code.ptr, "404");

    const model_api_key *key = model_api_key_by_value(m, SLICE_LIT("abcdefghijklmnopqrst"));
    cr_assert_not_null(key);
    cr_assert(key->enabled);
    const model_usage_plan *plans[2];
    cr_assert_eq(model_usage_plans_for(m, api, SLICE_LIT("v1"), key, plans, 2), 1);
    cr_assert_eq(plans[0]->throttle.burst_limit, 20);
    cr_assert_eq(plans[0]->quota_limit, 1000);
    cr_assert_str_eq(plans[0]->quota_period.ptr, "MONTH");
    cr_assert_eq(model_usage_plans_for(m, api, SLICE_LIT("prod"), key, plans, 2), 0);
    cr_assert_eq(m->ignored_count, 1);
    cr_assert_str_eq(m->ignored[0].type.ptr, "AWS::Logs::LogGroup");
    cr_assert_eq(model_api_for_host(m, SLICE_LIT("localhost:8080")), api);
    char host[64];
    snprintf(host, sizeof(host), "%s.execute-api.localhost:8080", api->id.ptr);
    cr_assert_eq(model_api_for_host(m, slice_cstr(host)), api);
}

Test(stack_cfn, api_errors)
{
    const char *dup = "Resources:\n  Api: {Type: AWS::ApiGateway::RestApi, Properties: {Name: a}}\n"
                      "  A: {Type: AWS::ApiGateway::Resource, Properties: {RestApiId: !Ref Api, "
                      "ParentId: !GetAtt Api.RootResourceId, PathPart: '{a}'}}\n"
                      "  B: {Type: AWS::ApiGateway::Resource, Properties: {RestApiId: !Ref Api, "
                      "ParentId: !GetAtt Api.RootResourceId, PathPart: '{b}'}}\n";
    cr_assert_contains(load_error(dup), "only one is allowed");
    const char *verb = "Resources:\n  Api: {Type: AWS::ApiGateway::RestApi, Properties: {Name: a}}\n"
                       "  M: {Type: AWS::ApiGateway::Method, Properties: {RestApiId: !Ref Api, "
                       "ResourceId: !GetAtt Api.RootResourceId, HttpMethod: FETCH}}\n";
    cr_assert_contains(load_error(verb), "HttpMethod FETCH is not an HTTP method");
    const char *other = "Resources:\n  Api: {Type: AWS::ApiGateway::RestApi, Properties: {Name: a}}\n"
                        "  M: {Type: AWS::ApiGateway::Method, Properties: {RestApiId: nope, "
                        "ResourceId: !GetAtt Api.RootResourceId, HttpMethod: GET}}\n";
    cr_assert_contains(load_error(other), "RestApiId nope is not a RestApi of this stack");
}

Test(stack_cfn, roles_and_managed_policies)
{
    const char *t = "Resources:\n"
                    "  Reader:\n"
                    "    Type: AWS::IAM::Role\n"
                    "    Properties:\n"
                    "      AssumeRolePolicyDocument: {}\n"
                    "      ManagedPolicyArns: [arn:aws:iam::aws:policy/AmazonDynamoDBReadOnlyAccess]\n"
                    "  Writer:\n"
                    "    Type: AWS::IAM::Role\n"
                    "    Properties:\n"
                    "      RoleName: writer\n"
                    "      AssumeRolePolicyDocument: {}\n"
                    "      ManagedPolicyArns: [arn:aws:iam::aws:policy/AmazonDynamoDBFullAccess]\n"
                    "  NoDelete:\n"
                    "    Type: AWS::IAM::Policy\n"
                    "    Properties:\n"
                    "      PolicyName: no-delete\n"
                    "      Roles: [!Ref Writer]\n"
                    "      PolicyDocument:\n"
                    "        Statement: [{Effect: Deny, Action: 'dynamodb:Delete*', Resource: '*'}]\n";
    stack_model *m = must_load(t);
    cr_assert_eq(m->role_count, 2);
    slice arn = SLICE_LIT("arn:aws:dynamodb:us-east-1:123456789012:table/T");
    const model_role *reader = &m->roles[0], *writer = &m->roles[1];
    cr_assert(strncmp(reader->name.ptr, "t-Reader-", 9) == 0);
    cr_assert(model_role_allows(reader, "dynamodb:GetItem", arn));
    cr_assert(model_role_allows(reader, "dynamodb:query", arn));
    cr_assert_not(model_role_allows(reader, "dynamodb:PutItem", arn));
    cr_assert(model_role_allows(writer, "dynamodb:PutItem", arn));
    cr_assert_not(model_role_allows(writer, "dynamodb:DeleteItem", arn));
    cr_assert_str_eq(writer->arn.ptr, "arn:aws:iam::123456789012:role/writer");
}
