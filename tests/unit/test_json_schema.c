#include <criterion/criterion.h>

#include "core/json.h"
#include "gateway/json_schema.h"

static arena a;
static void setup(void)
{
    arena_init(&a, 4096);
}
static void teardown(void)
{
    arena_destroy(&a);
}

static const json_t *lookup_model(void *ctx, slice name)
{
    return slice_eq_cstr(name, "Address") ? ctx : NULL;
}

/* Validates `body` against `schema_text` and returns the messages ("[]" when valid). */
static const char *check(const char *schema_text, const char *body)
{
    json_t *address = json_loads("{\"type\":\"object\",\"required\":[\"city\"]}", 0, NULL);
    json_t *schema = json_loads(schema_text, 0, NULL);
    json_t *instance = json_loads(body, JSON_DECODE_ANY, NULL);
    cr_assert_not_null(schema);
    cr_assert_not_null(instance);
    aws_error err;
    error_clear(&err);
    json_schema *s = json_schema_prepare(schema, lookup_model, address, &err);
    cr_assert_not_null(s, "prepare failed: %s", err.message);
    slice messages;
    bool ok = json_schema_validate(s, instance, &a, &messages);
    cr_assert_eq(ok, slice_eq_cstr(messages, "[]"));
    json_schema_free(s);
    json_decref(schema);
    json_decref(instance);
    json_decref(address);
    return messages.ptr;
}

TestSuite(json_schema, .init = setup, .fini = teardown);

Test(json_schema, types_and_required)
{
    const char *schema = "{\"type\":\"object\",\"required\":[\"name\",\"age\"],"
                         "\"properties\":{\"name\":{\"type\":\"string\"},\"age\":{\"type\":\"integer\"}}}";
    cr_assert_str_eq(check(schema, "{\"name\":\"ann\",\"age\":3}"), "[]");
    cr_assert_str_eq(check(schema, "{}"), "[object has missing required properties ([\"age\",\"name\"])]");
    cr_assert_str_eq(check(schema, "{\"name\":1,\"age\":2.5}"),
                     "[instance type (integer) does not match any allowed primitive type (allowed: [\"string\"]), "
                     "instance type (number) does not match any allowed primitive type (allowed: [\"integer\"])]");
    cr_assert_str_eq(check(schema, "[1]"),
                     "[instance type (array) does not match any allowed primitive type (allowed: [\"object\"])]");
    cr_assert_str_eq(check("{\"type\":[\"string\",\"null\"]}", "null"), "[]");
    cr_assert_str_eq(check("{\"type\":\"number\"}", "3"), "[]");
}

Test(json_schema, strings_numbers_enums)
{
    cr_assert_str_eq(check("{\"minLength\":3}", "\"ab\""),
                     "[string \"ab\" is too short (length: 2, required minimum: 3)]");
    cr_assert_str_eq(check("{\"maxLength\":2}", "\"\xc3\xa9t\xc3\xa9\""),
                     "[string \"\xc3\xa9t\xc3\xa9\" is too long (length: 3, maximum allowed: 2)]");
    cr_assert_str_eq(check("{\"pattern\":\"^p[0-9]+$\"}", "\"p12\""), "[]");
    cr_assert_str_eq(check("{\"pattern\":\"^p[0-9]+$\"}", "\"x\""),
                     "[ECMA 262 regex \"^p[0-9]+$\" does not match input string \"x\"]");
    cr_assert_str_eq(check("{\"minimum\":1}", "0"),
                     "[numeric instance is lower than the required minimum (minimum: 1, found: 0)]");
    cr_assert_str_eq(check("{\"maximum\":5,\"exclusiveMaximum\":true}", "5"),
                     "[numeric instance is not strictly lower than the required maximum 5]");
    cr_assert_str_eq(check("{\"multipleOf\":2}", "5"), "[remainder of division is not zero (5 / 2)]");
    cr_assert_str_eq(check("{\"enum\":[\"dog\",\"cat\"]}", "\"fish\""),
                     "[instance value (\"fish\") not found in enum (possible values: [\"dog\",\"cat\"])]");
}

Test(json_schema, objects_arrays_and_combinators)
{
    cr_assert_str_eq(check("{\"properties\":{\"a\":{}},\"additionalProperties\":false}", "{\"a\":1,\"z\":2,\"b\":3}"),
                     "[object instance has properties which are not allowed by the schema: [\"b\",\"z\"]]");
    cr_assert_str_eq(check("{\"patternProperties\":{\"^x-\":{\"type\":\"string\"}},\"additionalProperties\":false}",
                           "{\"x-a\":\"ok\"}"),
                     "[]");
    cr_assert_str_eq(check("{\"items\":{\"type\":\"integer\"},\"minItems\":2,\"uniqueItems\":true}", "[1,1]"),
                     "[array must not contain duplicate elements]");
    cr_assert_str_eq(check("{\"minItems\":2}", "[1]"),
                     "[array is too short: must have at least 2 elements but instance has 1 elements]");
    cr_assert_str_eq(check("{\"anyOf\":[{\"type\":\"string\"},{\"type\":\"integer\"}]}", "true"),
                     "[instance failed to match at least one required schema among 2]");
    cr_assert_str_eq(check("{\"oneOf\":[{\"type\":\"number\"},{\"type\":\"integer\"}]}", "1"),
                     "[instance failed to match exactly one schema (matched 2 out of 2)]");
    cr_assert_str_eq(check("{\"not\":{\"type\":\"null\"}}", "null"),
                     "[instance matched a schema which it should not have]");
}

Test(json_schema, refs_to_definitions_and_models)
{
    const char *schema = "{\"definitions\":{\"id\":{\"type\":\"string\"}},\"properties\":{\"id\":{\"$ref\":"
                         "\"#/definitions/id\"},\"home\":{\"$ref\":"
                         "\"https://apigateway.amazonaws.com/restapis/abc/models/Address\"}}}";
    cr_assert_str_eq(check(schema, "{\"id\":\"x\",\"home\":{\"city\":\"Oslo\"}}"), "[]");
    cr_assert_str_eq(check(schema, "{\"id\":2,\"home\":{}}"),
                     "[instance type (integer) does not match any allowed primitive type (allowed: [\"string\"]), "
                     "object has missing required properties ([\"city\"])]");
}

Test(json_schema, unusable_schemas_are_refused_at_load)
{
    json_t *bad_pattern = json_loads("{\"pattern\":\"(\"}", 0, NULL);
    json_t *bad_ref = json_loads("{\"$ref\":\"#/definitions/none\"}", 0, NULL);
    aws_error err;
    cr_assert_null(json_schema_prepare(bad_pattern, NULL, NULL, &err));
    cr_assert(strstr(err.message, "pattern") != NULL);
    cr_assert_null(json_schema_prepare(bad_ref, NULL, NULL, &err));
    cr_assert(strstr(err.message, "#/definitions/none") != NULL);
    json_decref(bad_pattern);
    json_decref(bad_ref);
}
