#include <criterion/criterion.h>
#include <string.h>

#include "dynamo/legacy.h"

static json_t *parse(const char *text)
{
    json_error_t e;
    json_t *v = json_loads(text, 0, &e);
    cr_assert_not_null(v, "bad test JSON: %s", e.text);
    return v;
}

/* Translates `text` and returns the result; asserts success. */
static json_t *ok(legacy_request kind, const char *text, legacy_info *info)
{
    json_t *req = parse(text);
    aws_error err;
    error_clear(&err);
    json_t *out = legacy_translate(kind, req, info, &err);
    cr_assert_not_null(out, "unexpected error: %s", err.message);
    json_decref(req);
    return out;
}

/* Translates `text` and asserts the ValidationException message. */
static void fails(legacy_request kind, const char *text, const char *message)
{
    json_t *req = parse(text);
    aws_error err;
    error_clear(&err);
    json_t *out = legacy_translate(kind, req, NULL, &err);
    cr_assert_null(out, "expected an error for %s", text);
    cr_assert_str_eq(err.type, "ValidationException");
    cr_assert_eq(err.status, 400);
    cr_assert_str_eq(err.message, message);
    json_decref(req);
}

static const char *str(json_t *obj, const char *key)
{
    json_t *v = json_object_get(obj, key);
    cr_assert(json_is_string(v), "missing %s", key);
    return json_string_value(v);
}

static const char *name(json_t *out, const char *placeholder)
{
    return str(json_object_get(out, "ExpressionAttributeNames"), placeholder);
}

Test(legacy, request_without_legacy_parameters_is_returned_as_is)
{
    json_t *req = parse("{\"TableName\":\"t\",\"ProjectionExpression\":\"a\"}");
    aws_error err;
    error_clear(&err);
    json_t *out = legacy_translate(LEGACY_GET_ITEM, req, NULL, &err);
    cr_assert_eq(out, req);
    json_decref(out);
    json_decref(req);
}

Test(legacy, attributes_to_get_becomes_projection)
{
    legacy_info info;
    json_t *out = ok(LEGACY_GET_ITEM, "{\"TableName\":\"t\",\"AttributesToGet\":[\"a.b\",\"c\"]}", &info);
    cr_assert(info.attributes_to_get);
    cr_assert_str_eq(str(out, "ProjectionExpression"), "#n0, #n1");
    /* names are taken literally: a dotted name stays one top-level attribute */
    cr_assert_str_eq(name(out, "#n0"), "a.b");
    cr_assert_str_eq(name(out, "#n1"), "c");
    cr_assert_null(json_object_get(out, "AttributesToGet"));
    json_decref(out);
}

Test(legacy, duplicate_attributes_to_get)
{
    fails(LEGACY_GET_ITEM, "{\"AttributesToGet\":[\"a\",\"a\"]}",
          "One or more parameter values were invalid: Duplicate value in attribute name: a");
}

Test(legacy, mixing_expression_and_legacy_parameters)
{
    fails(LEGACY_GET_ITEM, "{\"AttributesToGet\":[\"a\"],\"ProjectionExpression\":\"a\"}",
          "Can not use both expression and non-expression parameters in the same request: Non-expression parameters: "
          "{AttributesToGet} Expression parameters: {ProjectionExpression}");
    fails(LEGACY_UPDATE_ITEM,
          "{\"AttributeUpdates\":{},\"Expected\":{},\"ConditionExpression\":\"a = :a\",\"UpdateExpression\":\"SET a = "
          ":a\"}",
          "Can not use both expression and non-expression parameters in the same request: Non-expression parameters: "
          "{AttributeUpdates, Expected} Expression parameters: {UpdateExpression, ConditionExpression}");
    fails(LEGACY_QUERY, "{\"QueryFilter\":{},\"KeyConditions\":{},\"KeyConditionExpression\":\"a = :a\"}",
          "Can not use both expression and non-expression parameters in the same request: Non-expression parameters: "
          "{QueryFilter, KeyConditions} Expression parameters: {KeyConditionExpression}");
}

Test(legacy, key_conditions_may_go_with_filter_expression)
{
    legacy_info info;
    json_t *out =
        ok(LEGACY_QUERY,
           "{\"KeyConditions\":{\"pk\":{\"ComparisonOperator\":\"EQ\",\"AttributeValueList\":[{\"S\":\"x\"}]}},"
           "\"FilterExpression\":\"#n0 > :v0\",\"ExpressionAttributeNames\":{\"#n0\":\"f\"},"
           "\"ExpressionAttributeValues\":{\":v0\":{\"N\":\"1\"}}}",
           &info);
    cr_assert(info.key_conditions);
    /* fresh placeholders skip the caller's own */
    cr_assert_str_eq(str(out, "KeyConditionExpression"), "#n1 = :v1");
    cr_assert_str_eq(name(out, "#n1"), "pk");
    cr_assert_str_eq(name(out, "#n0"), "f");
    json_t *v1 = json_object_get(json_object_get(out, "ExpressionAttributeValues"), ":v1");
    cr_assert_str_eq(str(v1, "S"), "x");
    cr_assert_str_eq(str(out, "FilterExpression"), "#n0 > :v0");
    json_decref(out);
}

Test(legacy, expression_attribute_names_without_expressions)
{
    fails(LEGACY_GET_ITEM, "{\"ExpressionAttributeNames\":{\"#a\":\"a\"}}",
          "ExpressionAttributeNames can only be specified when using expressions");
    fails(LEGACY_SCAN, "{\"ExpressionAttributeValues\":{\":a\":{\"S\":\"a\"}}}",
          "ExpressionAttributeValues can only be specified when using expressions: FilterExpression is null");
    fails(LEGACY_UPDATE_ITEM, "{\"ExpressionAttributeValues\":{\":a\":{\"S\":\"a\"}}}",
          "ExpressionAttributeValues can only be specified when using expressions: UpdateExpression and "
          "ConditionExpression are null");
}

Test(legacy, query_needs_key_conditions)
{
    fails(LEGACY_QUERY, "{\"TableName\":\"t\"}",
          "Either the KeyConditions or KeyConditionExpression parameter must be specified in the request.");
}

Test(legacy, scan_filter_with_or)
{
    legacy_info info;
    json_t *out = ok(LEGACY_SCAN,
                     "{\"ConditionalOperator\":\"OR\",\"ScanFilter\":{"
                     "\"a\":{\"ComparisonOperator\":\"BETWEEN\",\"AttributeValueList\":[{\"N\":\"1\"},{\"N\":\"5\"}]},"
                     "\"b\":{\"ComparisonOperator\":\"NOT_NULL\"},"
                     "\"c\":{\"ComparisonOperator\":\"IN\",\"AttributeValueList\":[{\"S\":\"x\"},{\"S\":\"y\"}]},"
                     "\"d\":{\"ComparisonOperator\":\"NOT_CONTAINS\",\"AttributeValueList\":[{\"S\":\"z\"}]}}}",
                     &info);
    cr_assert(info.filter);
    cr_assert_str_eq(str(out, "FilterExpression"),
                     "#n0 BETWEEN :v0 AND :v1 OR attribute_exists(#n1) OR #n2 IN (:v2, :v3) OR NOT contains(#n3, :v4)");
    cr_assert_null(json_object_get(out, "ConditionalOperator"));
    cr_assert_null(json_object_get(out, "ScanFilter"));
    json_decref(out);
}

Test(legacy, argument_counts_per_operator)
{
    fails(LEGACY_SCAN, "{\"ScanFilter\":{\"a\":{\"ComparisonOperator\":\"EQ\"}}}",
          "One or more parameter values were invalid: Invalid number of argument(s) for the EQ ComparisonOperator");
    fails(LEGACY_SCAN,
          "{\"ScanFilter\":{\"a\":{\"ComparisonOperator\":\"NULL\",\"AttributeValueList\":[{\"S\":\"a\"}]}}}",
          "One or more parameter values were invalid: Invalid number of argument(s) for the NULL ComparisonOperator");
    fails(
        LEGACY_SCAN,
        "{\"ScanFilter\":{\"a\":{\"ComparisonOperator\":\"BETWEEN\",\"AttributeValueList\":[{\"N\":\"1\"}]}}}",
        "One or more parameter values were invalid: Invalid number of argument(s) for the BETWEEN ComparisonOperator");
    fails(LEGACY_QUERY, "{\"KeyConditions\":{\"a\":{\"ComparisonOperator\":\"IN\",\"AttributeValueList\":[]}}}",
          "One or more parameter values were invalid: Invalid number of argument(s) for the IN ComparisonOperator");
}

Test(legacy, operand_types_per_operator)
{
    fails(LEGACY_SCAN,
          "{\"ScanFilter\":{\"a\":{\"ComparisonOperator\":\"LT\",\"AttributeValueList\":[{\"BOOL\":true}]}}}",
          "One or more parameter values were invalid: ComparisonOperator LT is not valid for BOOL AttributeValue type");
    fails(LEGACY_SCAN,
          "{\"ScanFilter\":{\"a\":{\"ComparisonOperator\":\"CONTAINS\",\"AttributeValueList\":[{\"SS\":[\"a\"]}]}}}",
          "One or more parameter values were invalid: ComparisonOperator CONTAINS is not valid for SS AttributeValue "
          "type");
    fails(
        LEGACY_SCAN,
        "{\"ScanFilter\":{\"a\":{\"ComparisonOperator\":\"IN\",\"AttributeValueList\":[{\"S\":\"a\"},{\"N\":\"1\"}]}}}",
        "One or more parameter values were invalid: AttributeValues inside AttributeValueList must be of same type");
    fails(LEGACY_SCAN, "{\"ScanFilter\":{\"a\":{\"ComparisonOperator\":\"XX\"}}}",
          "1 validation error detected: Value 'XX' at 'scanFilter.a.member.comparisonOperator' failed to satisfy "
          "constraint: Member must satisfy enum value set: [IN, NULL, BETWEEN, LT, NOT_CONTAINS, EQ, GT, NOT_NULL, NE, "
          "LE, BEGINS_WITH, GE, CONTAINS]");
}

Test(legacy, key_conditions)
{
    json_t *out =
        ok(LEGACY_QUERY,
           "{\"KeyConditions\":{\"pk\":{\"ComparisonOperator\":\"EQ\",\"AttributeValueList\":[{\"S\":\"p\"}]},"
           "\"sk\":{\"ComparisonOperator\":\"BEGINS_WITH\",\"AttributeValueList\":[{\"S\":\"a\"}]}}}",
           NULL);
    cr_assert_str_eq(str(out, "KeyConditionExpression"), "#n0 = :v0 AND begins_with(#n1, :v1)");
    json_decref(out);
    fails(LEGACY_QUERY,
          "{\"KeyConditions\":{\"pk\":{\"ComparisonOperator\":\"NE\",\"AttributeValueList\":[{\"S\":\"p\"}]}}}",
          "Attempted conditional constraint is not an indexable operation");
    fails(LEGACY_QUERY, "{\"KeyConditions\":{}}", "Conditions can be of length 1 or 2 only");
}

Test(legacy, expected_forms)
{
    legacy_info info;
    json_t *out = ok(LEGACY_PUT_ITEM,
                     "{\"Expected\":{\"a\":{\"Value\":{\"S\":\"x\"}},\"b\":{\"Exists\":false},"
                     "\"c\":{\"Exists\":true,\"Value\":{\"N\":\"1\"}},"
                     "\"d\":{\"ComparisonOperator\":\"GT\",\"Value\":{\"N\":\"2\"}},"
                     "\"e\":{\"ComparisonOperator\":\"NULL\"}}}",
                     &info);
    cr_assert(info.expected);
    cr_assert_str_eq(
        str(out, "ConditionExpression"),
        "#n0 = :v0 AND attribute_not_exists(#n1) AND #n2 = :v1 AND #n3 > :v2 AND attribute_not_exists(#n4)");
    json_decref(out);
}

Test(legacy, expected_errors)
{
    fails(LEGACY_PUT_ITEM, "{\"Expected\":{\"a\":{}}}",
          "One or more parameter values were invalid: Value must be provided when Exists is null for Attribute: a");
    fails(LEGACY_PUT_ITEM, "{\"Expected\":{\"a\":{\"Exists\":true}}}",
          "One or more parameter values were invalid: Value must be provided when Exists is true for Attribute: a");
    fails(LEGACY_DELETE_ITEM, "{\"Expected\":{\"a\":{\"Exists\":false,\"Value\":{\"S\":\"x\"}}}}",
          "One or more parameter values were invalid: Value cannot be used when Exists is false for Attribute: a");
    fails(LEGACY_PUT_ITEM, "{\"Expected\":{\"a\":{\"Exists\":true,\"ComparisonOperator\":\"EQ\"}}}",
          "One or more parameter values were invalid: Exists and ComparisonOperator cannot be used together for "
          "Attribute: a");
    fails(LEGACY_PUT_ITEM, "{\"Expected\":{\"a\":{\"ComparisonOperator\":\"EQ\"}}}",
          "One or more parameter values were invalid: Value or AttributeValueList must be used with "
          "ComparisonOperator: EQ for Attribute: a");
    fails(
        LEGACY_PUT_ITEM, "{\"Expected\":{\"a\":{\"AttributeValueList\":[{\"S\":\"x\"}]}}}",
        "One or more parameter values were invalid: AttributeValueList can only be used with a ComparisonOperator for "
        "Attribute: a");
    fails(LEGACY_PUT_ITEM,
          "{\"Expected\":{\"a\":{\"ComparisonOperator\":\"EQ\",\"Value\":{\"S\":\"x\"},\"AttributeValueList\":[]}}}",
          "One or more parameter values were invalid: Value and AttributeValueList cannot be used together for "
          "Attribute: a");
    fails(
        LEGACY_PUT_ITEM,
        "{\"Expected\":{\"a\":{\"ComparisonOperator\":\"BETWEEN\",\"AttributeValueList\":[{\"N\":\"1\"}]}}}",
        "One or more parameter values were invalid: Invalid number of argument(s) for the BETWEEN ComparisonOperator");
    fails(LEGACY_PUT_ITEM, "{\"ConditionalOperator\":\"XOR\",\"Expected\":{\"a\":{\"Exists\":false}}}",
          "1 validation error detected: Value 'XOR' at 'conditionalOperator' failed to satisfy constraint: Member must "
          "satisfy enum value set: [OR, AND]");
}

Test(legacy, attribute_updates)
{
    legacy_info info;
    json_t *out = ok(LEGACY_UPDATE_ITEM,
                     "{\"AttributeUpdates\":{\"a\":{\"Action\":\"PUT\",\"Value\":{\"S\":\"x\"}},"
                     "\"b\":{\"Action\":\"DELETE\"},\"c\":{\"Action\":\"ADD\",\"Value\":{\"N\":\"1\"}},"
                     "\"d\":{\"Action\":\"DELETE\",\"Value\":{\"SS\":[\"q\"]}},\"e\":{\"Value\":{\"BOOL\":true}},"
                     "\"f\":{\"Action\":\"ADD\",\"Value\":{\"L\":[{\"S\":\"z\"}]}}}}",
                     &info);
    cr_assert(info.attribute_updates);
    cr_assert_str_eq(str(out, "UpdateExpression"),
                     "SET #n0 = :v0, #n4 = :v3, #n5 = list_append(if_not_exists(#n6, :v4), :v5) REMOVE #n1 ADD #n2 :v1 "
                     "DELETE #n3 :v2");
    cr_assert_str_eq(name(out, "#n5"), "f");
    cr_assert_str_eq(name(out, "#n6"), "f");
    json_decref(out);
}

Test(legacy, attribute_update_errors)
{
    fails(LEGACY_UPDATE_ITEM, "{\"AttributeUpdates\":{\"a\":{\"Action\":\"PUT\"}}}",
          "One or more parameter values were invalid: Only DELETE action is allowed when no attribute value is "
          "specified");
    fails(LEGACY_UPDATE_ITEM, "{\"AttributeUpdates\":{\"a\":{\"Action\":\"DELETE\",\"Value\":{\"S\":\"x\"}}}}",
          "One or more parameter values were invalid: DELETE action with value is not supported for the type S");
    fails(LEGACY_UPDATE_ITEM, "{\"AttributeUpdates\":{\"a\":{\"Action\":\"ADD\",\"Value\":{\"S\":\"x\"}}}}",
          "One or more parameter values were invalid: ADD action is not supported for the type S");
}

Test(legacy, operand_values_are_validated_in_their_own_words)
{
    fails(LEGACY_SCAN, "{\"ScanFilter\":{\"a\":{\"ComparisonOperator\":\"EQ\",\"AttributeValueList\":[{\"NS\":[]}]}}}",
          "One or more parameter values were invalid: An number set  may not be empty");
    json_t *out = ok(LEGACY_PUT_ITEM, "{\"Expected\":{\"a\":{\"Value\":{\"N\":\"1.50\"}}}}", NULL);
    json_t *v = json_object_get(json_object_get(out, "ExpressionAttributeValues"), ":v0");
    cr_assert_str_eq(json_string_value(json_object_get(v, "N")), "1.5");
    json_decref(out);
}
