/* OpenAPI 3.0 and Swagger 2.0 documents with API Gateway's extensions; SAM APIs and tables. */
#include "stack_testlib.h"

TestSuite(stack_openapi, .init = stack_test_setup, .fini = stack_test_teardown);

static const char *swagger =
    "swagger: '2.0'\n"
    "info: {title: Pets, description: pet store}\n"
    "consumes: [application/json]\n"
    "x-amazon-apigateway-api-key-source: HEADER\n"
    "x-amazon-apigateway-binary-media-types: ['image/png', '*/*']\n"
    "x-amazon-apigateway-request-validators:\n"
    "  all: {validateRequestBody: true, validateRequestParameters: true}\n"
    "  params: {validateRequestBody: false, validateRequestParameters: true}\n"
    "x-amazon-apigateway-request-validator: params\n"
    "x-amazon-apigateway-gateway-responses:\n"
    "  DEFAULT_4XX:\n"
    "    statusCode: '400'\n"
    "    responseParameters: {gatewayresponse.header.Access-Control-Allow-Origin: \"'*'\"}\n"
    "    responseTemplates: {application/json: '{\"error\": $context.error.messageString}'}\n"
    "securityDefinitions:\n"
    "  api_key: {type: apiKey, name: x-api-key, in: header}\n"
    "definitions:\n"
    "  Pet: {type: object, properties: {name: {type: string}, tag: {$ref: '#/definitions/Tag'}}}\n"
    "  Tag: {type: string}\n"
    "paths:\n"
    "  /pets:\n"
    "    post:\n"
    "      operationId: AddPet\n"
    "      security: [{api_key: []}]\n"
    "      x-amazon-apigateway-request-validator: all\n"
    "      parameters:\n"
    "        - {name: body, in: body, required: true, schema: {$ref: '#/definitions/Pet'}}\n"
    "        - {name: X-Trace, in: header, required: false, type: string}\n"
    "      responses:\n"
    "        '200': {description: ok, headers: {X-Id: {type: string}}, schema: {$ref: '#/definitions/Pet'}}\n"
    "      x-amazon-apigateway-integration:\n"
    "        type: aws\n"
    "        uri: arn:aws:apigateway:us-east-1:dynamodb:action/PutItem\n"
    "        httpMethod: post\n"
    "        credentials: arn:aws:iam::123456789012:role/r\n"
    "        requestParameters: {integration.request.header.X-Trace: method.request.header.X-Trace}\n"
    "        passthroughBehavior: never\n"
    "        contentHandling: CONVERT_TO_TEXT\n"
    "        cacheKeyParameters: [method.request.header.X-Trace]\n"
    "        responses:\n"
    "          '4\\d{2}': {statusCode: '400', responseTemplates: {application/json: '{\"bad\": true}'}}\n"
    "          default:\n"
    "            statusCode: '200'\n"
    "            responseParameters: {method.response.header.X-Id: \"'1'\"}\n"
    "  /pets/{petId}:\n"
    "    parameters: [{name: petId, in: path, required: true, type: string}]\n"
    "    get:\n"
    "      parameters: [{name: verbose, in: query, required: true, type: boolean}]\n"
    "      responses: {'200': {description: ok}}\n"
    "      x-amazon-apigateway-integration: {type: mock, requestTemplates: {application/json: '{\"statusCode\": "
    "200}'},\n"
    "                                        responses: {default: {statusCode: '200'}}}\n"
    "    x-amazon-apigateway-any-method:\n"
    "      responses: {}\n"
    "      x-amazon-apigateway-integration: {type: http_proxy, uri: 'https://example.com/{petId}', httpMethod: ANY}\n";

Test(stack_openapi, swagger_2_with_extensions)
{
    stack_model *m = must_load(swagger);
    cr_assert_eq(m->api_count, 1);
    const model_api *api = &m->apis[0];
    cr_assert_str_eq(api->name.ptr, "Pets");
    cr_assert_not_null(model_api_stage(api, SLICE_LIT("prod")));
    cr_assert_eq(api->binary_media_type_count, 2);
    cr_assert_eq(api->model_count, 2);
    cr_assert_eq(model_api_resolve_ref(api, SLICE_LIT("#/definitions/Tag")), model_api_model(api, SLICE_LIT("Tag")));
    cr_assert_not_null(
        model_api_resolve_ref(api, SLICE_LIT("https://apigateway.amazonaws.com/restapis/abc/models/Pet")));
    cr_assert_str_eq(model_api_gateway_response(api, SLICE_LIT("DEFAULT_4XX"))->status_code.ptr, "400");

    const model_resource *pets = model_api_match(api, SLICE_LIT("/pets"), NULL, 0, NULL);
    const model_method *post = model_resource_method(pets, MODEL_VERB_POST);
    cr_assert(post->api_key_required);
    cr_assert_str_eq(post->operation_name.ptr, "AddPet");
    cr_assert_str_eq(post->request_validator->name.ptr, "all");
    cr_assert_eq(post->request_model_count, 1);
    cr_assert_str_eq(post->request_models[0].model->name.ptr, "Pet");
    cr_assert_eq(post->request_parameters.count, 1);
    cr_assert_str_eq(post->request_parameters.items[0].name.ptr, "method.request.header.X-Trace");
    cr_assert_not(post->request_parameters.items[0].required);
    cr_assert_str_eq(post->responses[0].response_parameters.items[0].name.ptr, "method.response.header.X-Id");
    cr_assert_str_eq(post->responses[0].response_models[0].model->name.ptr, "Pet");
    const model_integration *in = &post->integration;
    cr_assert_str_eq(in->http_method.ptr, "POST");
    cr_assert_eq(in->passthrough, MODEL_PASSTHROUGH_NEVER);
    cr_assert_eq(in->content_handling, MODEL_CONTENT_CONVERT_TO_TEXT);
    cr_assert_eq(in->cache_key_parameter_count, 1);
    cr_assert_eq(in->response_count, 2);
    cr_assert_str_eq(in->responses[0].selection_pattern.ptr, "4\\d{2}");
    cr_assert(in->default_response->is_default);
    cr_assert_null(in->role); /* the role is not in this document */

    model_path_param pp[4];
    size_t n;
    const model_resource *pet = model_api_match(api, SLICE_LIT("/pets/7/"), pp, 4, &n);
    cr_assert_not_null(pet);
    const model_method *get = model_resource_method(pet, MODEL_VERB_GET);
    cr_assert_str_eq(get->request_validator->name.ptr, "params"); /* the document's default */
    cr_assert_eq(get->request_parameters.count, 2);
    cr_assert_eq(get->integration.type, MODEL_INTEGRATION_MOCK);
    cr_assert_eq(model_resource_method(pet, MODEL_VERB_PATCH)->integration.type, MODEL_INTEGRATION_HTTP_PROXY);
    cr_assert_eq(model_resource_method(pet, MODEL_VERB_GET), get);
}

Test(stack_openapi, openapi_3_request_bodies_and_security)
{
    const char *doc = "openapi: 3.0.1\n"
                      "info: {title: Orders}\n"
                      "security: [{key: []}]\n"
                      "components:\n"
                      "  securitySchemes:\n"
                      "    key: {type: apiKey, name: x-api-key, in: header}\n"
                      "    auth: {type: apiKey, name: Authorization, in: header,\n"
                      "           x-amazon-apigateway-authtype: custom,\n"
                      "           x-amazon-apigateway-authorizer: {type: token, authorizerUri: x}}\n"
                      "  schemas:\n"
                      "    Order: {type: object, required: [id]}\n"
                      "  requestBodies:\n"
                      "    OrderBody: {content: {application/json: {schema: {$ref: '#/components/schemas/Order'}}}}\n"
                      "x-amazon-apigateway-cors: {allowOrigins: ['*']}\n"
                      "paths:\n"
                      "  /orders:\n"
                      "    post:\n"
                      "      requestBody: {$ref: '#/components/requestBodies/OrderBody'}\n"
                      "      responses: {'201': {description: created}}\n"
                      "      x-amazon-apigateway-integration: {type: mock, responses: {default: {statusCode: '201'}}}\n"
                      "    put:\n"
                      "      security: [{auth: []}]\n"
                      "      requestBody: {content: {text/plain: {schema: {type: string, maxLength: 5}}}}\n"
                      "      responses: {}\n"
                      "      x-amazon-apigateway-integration: {type: mock}\n";
    stack_model *m = must_load(doc);
    const model_api *api = &m->apis[0];
    const model_resource *r = model_api_match(api, SLICE_LIT("/orders"), NULL, 0, NULL);
    const model_method *post = model_resource_method(r, MODEL_VERB_POST);
    cr_assert(post->api_key_required);
    cr_assert_str_eq(post->request_models[0].model->name.ptr, "Order");
    const model_method *put = model_resource_method(r, MODEL_VERB_PUT);
    cr_assert_not(put->api_key_required);
    cr_assert_str_eq(put->authorization_type.ptr, "CUSTOM");
    cr_assert_str_eq(put->request_models[0].content_type.ptr, "text/plain");
    cr_assert(strncmp(put->request_models[0].model->name.ptr, "Model", 5) == 0);
    bool cors_warned = false;
    for (size_t i = 0; i < m->unsupported_count; i++)
        cors_warned = cors_warned || strstr(m->unsupported[i].ptr, "x-amazon-apigateway-cors") != NULL;
    cr_assert(cors_warned);
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    stack_print_warnings(f, m);
    fclose(f);
    cr_assert_contains(text, "warning: x-amazon-apigateway-cors is an HTTP API extension");
    free(text);
}

Test(stack_openapi, openapi_errors)
{
    cr_assert_contains(load_error("openapi: 3.0.1\ninfo: {title: x}\npaths:\n  /a:\n    post:\n"
                                  "      requestBody: {content: {application/json: {schema: {$ref: "
                                  "'#/components/schemas/Nope'}}}}\n"),
                       "$ref #/components/schemas/Nope does not name a schema");
    cr_assert_contains(load_error("openapi: 3.0.1\ninfo: {title: x}\npaths:\n  /a:\n    get:\n"
                                  "      x-amazon-apigateway-integration: {type: lambda}\n"),
                       "integration type lambda is not one of");
    cr_assert_contains(load_error("openapi: 2.5.0\ninfo: {title: x}\npaths: {}\n"), "version 2.5.0 is not supported");
    cr_assert_contains(load_error("swagger: '2.0'\ninfo: {title: x}\npaths:\n  /a/b{c}:\n    get: {}\n"),
                       "mixes text and a {parameter}");
}

TestSuite(stack_sam, .init = stack_test_setup, .fini = stack_test_teardown);

Test(stack_sam, serverless_api_with_keys_usage_plan_and_definition_uri)
{
    const char *t = "Transform: AWS::Serverless-2016-10-31\n"
                    "Resources:\n"
                    "  Things:\n"
                    "    Type: AWS::Serverless::Api\n"
                    "    Properties:\n"
                    "      StageName: v2\n"
                    "      Variables: {mode: test}\n"
                    "      DefinitionUri: api.yaml\n"
                    "      Auth:\n"
                    "        ApiKeyRequired: true\n"
                    "        UsagePlan:\n"
                    "          CreateUsagePlan: PER_API\n"
                    "          Quota: {Limit: 500, Period: DAY}\n"
                    "          Throttle: {RateLimit: 5, BurstLimit: 10}\n"
                    "  Users:\n"
                    "    Type: AWS::Serverless::SimpleTable\n"
                    "  Numbers:\n"
                    "    Type: AWS::Serverless::SimpleTable\n"
                    "    Properties:\n"
                    "      TableName: numbers\n"
                    "      PrimaryKey: {Name: n, Type: Number}\n"
                    "      ProvisionedThroughput: {ReadCapacityUnits: 1, WriteCapacityUnits: 1}\n"
                    "  Handler:\n"
                    "    Type: AWS::Serverless::Function\n"
                    "    Properties: {Runtime: nodejs20.x, Handler: index.handler}\n";
    stack_model *m = must_load(t);
    const model_api *api = &m->apis[0];
    cr_assert_str_eq(api->name.ptr, "Included");
    const model_stage *st = model_api_stage(api, SLICE_LIT("v2"));
    cr_assert_not_null(st);
    cr_assert_str_eq(model_map_get(&st->variables, SLICE_LIT("mode"))->ptr, "test");
    const model_resource *r = model_api_match(api, SLICE_LIT("/things"), NULL, 0, NULL);
    cr_assert(model_resource_method(r, MODEL_VERB_GET)->api_key_required);
    cr_assert_eq(m->api_key_count, 1);
    cr_assert(m->api_keys[0].enabled);
    cr_assert(m->api_keys[0].value_generated);
    cr_assert_eq(m->api_keys[0].value.len, 40);
    const model_usage_plan *plans[2];
    cr_assert_eq(model_usage_plans_for(m, api, SLICE_LIT("v2"), &m->api_keys[0], plans, 2), 1);
    cr_assert_eq(plans[0]->quota_limit, 500);
    cr_assert_eq(plans[0]->throttle.burst_limit, 10);

    cr_assert_eq(m->table_count, 2);
    const model_table *users = &m->tables[0], *numbers = model_table_by_name(m, SLICE_LIT("numbers"));
    cr_assert(strncmp(users->name.ptr, "t-Users-", 8) == 0);
    json_t *ks = json_array_get(json_object_get(users->create_request, "KeySchema"), 0);
    cr_assert_str_eq(json_string_value(json_object_get(ks, "AttributeName")), "id");
    cr_assert_str_eq(json_string_value(json_object_get(users->create_request, "BillingMode")), "PAY_PER_REQUEST");
    json_t *ad = json_array_get(json_object_get(numbers->create_request, "AttributeDefinitions"), 0);
    cr_assert_str_eq(json_string_value(json_object_get(ad, "AttributeType")), "N");
    cr_assert_str_eq(json_string_value(json_object_get(numbers->create_request, "BillingMode")), "PROVISIONED");
    cr_assert_eq(m->ignored_count, 1);
    cr_assert_str_eq(m->ignored[0].type.ptr, "AWS::Serverless::Function");
}

Test(stack_sam, serverless_api_needs_a_stage)
{
    cr_assert_contains(load_error("Transform: AWS::Serverless-2016-10-31\nResources:\n  A:\n"
                                  "    Type: AWS::Serverless::Api\n    Properties: {DefinitionUri: api.yaml}\n"),
                       "AWS::Serverless::Api needs StageName");
}
