#include "stack/iam_policy.h"

#include <ctype.h>
#include <string.h>

#include "core/json.h"

bool iam_wildcard_match(slice pattern, slice text, bool ignore_case)
{
    /* Iterative glob with one backtrack point: no recursion, linear for the shapes policies use. */
    size_t p = 0, t = 0, star_p = (size_t)-1, star_t = 0;
    while (t < text.len) {
        if (p < pattern.len && pattern.ptr[p] == '*') {
            star_p = p++;
            star_t = t;
            continue;
        }
        if (p < pattern.len) {
            char a = pattern.ptr[p], b = text.ptr[t];
            if (ignore_case) {
                a = (char)tolower((unsigned char)a);
                b = (char)tolower((unsigned char)b);
            }
            if (a == '?' || a == b) {
                p++;
                t++;
                continue;
            }
        }
        if (star_p == (size_t)-1)
            return false;
        p = star_p + 1;
        t = ++star_t;
    }
    while (p < pattern.len && pattern.ptr[p] == '*')
        p++;
    return p == pattern.len;
}

/* Does a string, or a list of strings, hold a pattern matching `value`? */
static bool any_matches(const json_t *patterns, slice value, bool ignore_case)
{
    if (json_is_string(patterns))
        return iam_wildcard_match(json_string_slice(patterns), value, ignore_case);
    size_t i;
    const json_t *p;
    json_array_foreach(patterns, i, p)
    {
        if (json_is_string(p) && iam_wildcard_match(json_string_slice(p), value, ignore_case))
            return true;
    }
    return false;
}

static bool matches_element(const json_t *st, const char *key, const char *not_key, slice value, bool ignore_case)
{
    const json_t *listed = json_object_get(st, key);
    if (listed != NULL)
        return any_matches(listed, value, ignore_case);
    const json_t *excluded = json_object_get(st, not_key);
    return excluded != NULL && !any_matches(excluded, value, ignore_case);
}

static iam_decision evaluate_statement(const json_t *st, slice action, slice resource)
{
    if (!json_is_object(st) || !matches_element(st, "Action", "NotAction", action, true) ||
        !matches_element(st, "Resource", "NotResource", resource, false))
        return IAM_IMPLICIT_DENY;
    const char *effect = json_string_value(json_object_get(st, "Effect"));
    if (effect != NULL && strcmp(effect, "Deny") == 0)
        return IAM_EXPLICIT_DENY;
    if (effect != NULL && strcmp(effect, "Allow") == 0 && json_object_get(st, "Condition") == NULL)
        return IAM_ALLOW;
    return IAM_IMPLICIT_DENY;
}

static iam_decision combine(iam_decision so_far, iam_decision next)
{
    if (so_far == IAM_EXPLICIT_DENY || next == IAM_EXPLICIT_DENY)
        return IAM_EXPLICIT_DENY;
    return so_far == IAM_ALLOW || next == IAM_ALLOW ? IAM_ALLOW : IAM_IMPLICIT_DENY;
}

iam_decision iam_policy_evaluate(const json_t *document, slice action, slice resource)
{
    const json_t *statements = json_object_get(document, "Statement");
    if (json_is_object(statements))
        return evaluate_statement(statements, action, resource);
    iam_decision result = IAM_IMPLICIT_DENY;
    size_t i;
    const json_t *st;
    json_array_foreach(statements, i, st)
    {
        result = combine(result, evaluate_statement(st, action, resource));
    }
    return result;
}

iam_decision iam_policies_evaluate(const json_t *const *documents, size_t count, slice action, slice resource)
{
    iam_decision result = IAM_IMPLICIT_DENY;
    for (size_t i = 0; i < count; i++)
        result = combine(result, iam_policy_evaluate(documents[i], action, resource));
    return result;
}
