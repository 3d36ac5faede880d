/*
 * iam_policy: decides whether an IAM role's policies allow one action on one resource, the way IAM
 * evaluates identity-based policies: an explicit Deny wins, otherwise any matching Allow allows,
 * otherwise the request is implicitly denied. This is how an integration's `credentials` role limits
 * which tables and indexes a method reaches.
 *
 * Supported: Effect, Action / NotAction, Resource / NotResource (strings or lists, `*` and `?`
 * wildcards; actions compared without regard to case, resources with). Managed policies are expanded
 * into documents by the loader (cfn.c). Condition blocks are not evaluated: a statement with a
 * Condition never allows (fail closed) and always denies when its Effect is Deny.
 * Never consults anything but the documents it is given.
 */
#ifndef PORTICO_STACK_IAM_POLICY_H
#define PORTICO_STACK_IAM_POLICY_H

#include <jansson.h>
#include <stdbool.h>

#include "core/slice.h"

typedef enum iam_decision { IAM_IMPLICIT_DENY, IAM_ALLOW, IAM_EXPLICIT_DENY } iam_decision;

/* One policy document ({"Version":…, "Statement": […] or {…}}). */
iam_decision iam_policy_evaluate(const json_t *document, slice action, slice resource);

/* Combines several documents (a role's inline policies and managed ones) as IAM does. */
iam_decision iam_policies_evaluate(const json_t *const *documents, size_t count, slice action, slice resource);

/* IAM's wildcard match: `*` any run of characters, `?` exactly one. */
bool iam_wildcard_match(slice pattern, slice text, bool ignore_case);

#endif
