#include <criterion/criterion.h>

#include "core/json.h"
#include "stack/iam_policy.h"

static const char *table_arn = "arn:aws:dynamodb:us-east-1:123456789012:table/Comments";
static const char *index_arn = "arn:aws:dynamodb:us-east-1:123456789012:table/Comments/index/pageId-index";

static iam_decision decide(const char *policy, const char *action, const char *resource)
{
    json_t *doc = json_loads(policy, 0, NULL);
    cr_assert_not_null(doc, "bad test policy");
    iam_decision d = iam_policy_evaluate(doc, slice_cstr(action), slice_cstr(resource));
    json_decref(doc);
    return d;
}

Test(iam_policy, wildcards)
{
    cr_assert(iam_wildcard_match(SLICE_LIT("dynamodb:*"), SLICE_LIT("dynamodb:PutItem"), false));
    cr_assert(iam_wildcard_match(SLICE_LIT("DynamoDB:putitem"), SLICE_LIT("dynamodb:PutItem"), true));
    cr_assert_not(iam_wildcard_match(SLICE_LIT("DynamoDB:putitem"), SLICE_LIT("dynamodb:PutItem"), false));
    cr_assert(iam_wildcard_match(SLICE_LIT("dynamodb:Get?tem"), SLICE_LIT("dynamodb:GetItem"), false));
    cr_assert(iam_wildcard_match(SLICE_LIT("arn:*:table/Comments*"), slice_cstr(index_arn), false));
    cr_assert_not(iam_wildcard_match(SLICE_LIT("arn:*:table/Comments"), slice_cstr(index_arn), false));
    cr_assert(iam_wildcard_match(SLICE_LIT("*"), SLICE_LIT(""), false));
    cr_assert_not(iam_wildcard_match(SLICE_LIT("?"), SLICE_LIT(""), false));
}

Test(iam_policy, allow_only_listed_actions_on_listed_resources)
{
    const char *policy = "{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":[\"dynamodb:PutItem\",\"dynamodb:Query\"],"
                         "\"Resource\":[\"arn:aws:dynamodb:us-east-1:123456789012:table/Comments\","
                         "\"arn:aws:dynamodb:us-east-1:123456789012:table/Comments/index/*\"]}]}";
    cr_assert_eq(decide(policy, "dynamodb:PutItem", table_arn), IAM_ALLOW);
    cr_assert_eq(decide(policy, "dynamodb:Query", index_arn), IAM_ALLOW);
    cr_assert_eq(decide(policy, "dynamodb:DeleteItem", table_arn), IAM_IMPLICIT_DENY);
    cr_assert_eq(decide(policy, "dynamodb:PutItem", "arn:aws:dynamodb:us-east-1:123456789012:table/Other"),
                 IAM_IMPLICIT_DENY);
}

Test(iam_policy, explicit_deny_wins_and_not_elements)
{
    const char *policy = "{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"dynamodb:*\",\"Resource\":\"*\"},"
                         "{\"Effect\":\"Deny\",\"NotAction\":[\"dynamodb:Get*\",\"dynamodb:Query\"],"
                         "\"Resource\":\"*\"}]}";
    cr_assert_eq(decide(policy, "dynamodb:GetItem", table_arn), IAM_ALLOW);
    cr_assert_eq(decide(policy, "dynamodb:PutItem", table_arn), IAM_EXPLICIT_DENY);
    const char *not_resource = "{\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"dynamodb:*\","
                               "\"NotResource\":\"arn:aws:dynamodb:*:*:table/Secret*\"}}";
    cr_assert_eq(decide(not_resource, "dynamodb:Scan", table_arn), IAM_ALLOW);
    cr_assert_eq(decide(not_resource, "dynamodb:Scan", "arn:aws:dynamodb:us-east-1:1:table/Secrets"),
                 IAM_IMPLICIT_DENY);
}

Test(iam_policy, conditions_never_allow)
{
    const char *policy = "{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"dynamodb:*\",\"Resource\":\"*\","
                         "\"Condition\":{\"Bool\":{\"aws:SecureTransport\":\"true\"}}}]}";
    cr_assert_eq(decide(policy, "dynamodb:GetItem", table_arn), IAM_IMPLICIT_DENY);
}

Test(iam_policy, several_documents_combine)
{
    json_t *ro = json_loads("{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":[\"dynamodb:Get*\",\"dynamodb:Query\","
                            "\"dynamodb:Scan\"],\"Resource\":\"*\"}]}",
                            0, NULL);
    json_t *deny_scan = json_loads("{\"Statement\":[{\"Effect\":\"Deny\",\"Action\":\"dynamodb:Scan\","
                                   "\"Resource\":\"*\"}]}",
                                   0, NULL);
    const json_t *docs[] = {ro, deny_scan};
    cr_assert_eq(iam_policies_evaluate(docs, 2, SLICE_LIT("dynamodb:Query"), slice_cstr(table_arn)), IAM_ALLOW);
    cr_assert_eq(iam_policies_evaluate(docs, 2, SLICE_LIT("dynamodb:Scan"), slice_cstr(table_arn)), IAM_EXPLICIT_DENY);
    cr_assert_eq(iam_policies_evaluate(docs, 2, SLICE_LIT("dynamodb:PutItem"), slice_cstr(table_arn)),
                 IAM_IMPLICIT_DENY);
    json_decref(ro);
    json_decref(deny_scan);
}
