/*
 * expr_key: KeyConditionExpression. Owns the rules DynamoDB applies to a key condition (one
 * equality on the partition key, optionally AND one sort key condition: = < <= > >= BETWEEN
 * begins_with) and turns a compiled condition into an expr_key_range the store can scan. Never
 * knows how keys are encoded or stored.
 */
#include <string.h>

#include "core/json.h"
#include "dynamo/expr_internal.h"

typedef struct key_cond {
    slice name;
    expr_sort_op op;
    json_t *v1, *v2;
} key_cond;

typedef struct key_conds {
    key_cond c[3];
    int n;
} key_conds;

static expr_sort_op sort_op_of(expr_tok_kind k, bool flipped)
{
    switch (k) {
    case TK_EQ:
        return EXPR_SORT_EQ;
    case TK_LT:
        return flipped ? EXPR_SORT_GT : EXPR_SORT_LT;
    case TK_LE:
        return flipped ? EXPR_SORT_GE : EXPR_SORT_LE;
    case TK_GT:
        return flipped ? EXPR_SORT_LT : EXPR_SORT_GT;
    case TK_GE:
        return flipped ? EXPR_SORT_LE : EXPR_SORT_GE;
    default:
        return EXPR_SORT_NONE;
    }
}

static int add_cond(key_conds *kc, slice name, expr_sort_op op, json_t *v1, json_t *v2, aws_error *err)
{
    for (int i = 0; i < kc->n && i < 3; i++)
        if (slice_eq(kc->c[i].name, name))
            return error_validation(err, "KeyConditionExpressions must only contain one condition per key");
    if (kc->n < 3)
        kc->c[kc->n] = (key_cond){name, op, v1, v2};
    kc->n++;
    return 0;
}

/* The one key attribute of a condition's operands, with DynamoDB's complaints about the others. */
static int key_operand(const expr_node *n, int *path_at, aws_error *err)
{
    *path_at = -1;
    for (uint32_t i = 0; i < n->nargs; i++) {
        const expr_node *a = n->args[i];
        if (a->kind == EN_SIZE)
            return error_validation(err, "KeyConditionExpressions cannot contain nested operations");
        if (a->kind != EN_PATH)
            continue;
        if (*path_at >= 0)
            return error_validation(err, "Invalid condition in KeyConditionExpression: Multiple attribute names used "
                                         "in one condition");
        if (a->path.n > 1)
            return error_validation(err, "KeyConditionExpressions cannot have conditions on nested attributes");
        *path_at = (int)i;
    }
    if (*path_at < 0)
        return error_validation(err, "Invalid condition in KeyConditionExpression: No key attribute specified");
    return 0;
}

static int collect(const expr_node *n, key_conds *kc, aws_error *err)
{
    int at;
    switch (n->kind) {
    case EN_AND:
        if (collect(n->args[0], kc, err) != 0)
            return -1;
        return collect(n->args[1], kc, err);
    case EN_OR:
        return error_validation(err, "Invalid operator used in KeyConditionExpression: OR");
    case EN_NOT:
        return error_validation(err, "Invalid operator used in KeyConditionExpression: NOT");
    case EN_IN:
        return error_validation(err, "Invalid operator used in KeyConditionExpression: IN");
    case EN_SIZE:
        return error_validation(err, "KeyConditionExpressions cannot contain nested operations");
    case EN_EXISTS:
    case EN_NOT_EXISTS:
    case EN_TYPE:
    case EN_CONTAINS:
    case EN_UNKNOWN_FUNCTION:
        return error_validation(err, "Invalid operator used in KeyConditionExpression: %.*s", SLICE_FMT(n->name));
    case EN_COMPARE:
        if (n->op == TK_NE)
            return error_validation(err, "Invalid operator used in KeyConditionExpression: <>");
        if (key_operand(n, &at, err) != 0)
            return -1;
        return add_cond(kc, n->args[at]->path.elems[0].name, sort_op_of(n->op, at == 1), n->args[1 - at]->value, NULL,
                        err);
    case EN_BETWEEN:
    case EN_BEGINS_WITH: {
        const char *what = n->kind == EN_BETWEEN ? "BETWEEN" : "begins_with";
        if (n->nargs < 2 || (n->args[0]->kind != EN_PATH && n->args[0]->kind != EN_SIZE))
            return error_validation(err,
                                    "Invalid condition in KeyConditionExpression: %s operator must have the key "
                                    "attribute as its first operand",
                                    what);
        if (key_operand(n, &at, err) != 0)
            return -1;
        if (at != 0)
            return error_validation(err, "Invalid condition in KeyConditionExpression: Multiple attribute names used "
                                         "in one condition");
        if (n->kind == EN_BETWEEN)
            return add_cond(kc, n->args[0]->path.elems[0].name, EXPR_SORT_BETWEEN, n->args[1]->value, n->args[2]->value,
                            err);
        return add_cond(kc, n->args[0]->path.elems[0].name, EXPR_SORT_BEGINS_WITH, n->args[1]->value, NULL, err);
    }
    default:
        return error_validation(err, "Invalid condition in KeyConditionExpression: No key attribute specified");
    }
}

static const key_cond *find(const key_conds *kc, slice name)
{
    for (int i = 0; i < kc->n; i++)
        if (slice_eq(kc->c[i].name, name))
            return &kc->c[i];
    return NULL;
}

static bool typed(const json_t *v, attr_type t)
{
    return v == NULL || attr_type_of(v) == t;
}

int expr_key_condition_resolve(const expr_condition *c, const key_schema *schema, expr_key_range *out, aws_error *err)
{
    memset(out, 0, sizeof(*out));
    key_conds kc = {.n = 0};
    if (c == NULL || c->root == NULL)
        return error_validation(err, "Query condition missed key schema element: %.*s", SLICE_FMT(schema->hash.name));
    if (collect(c->root, &kc, err) != 0)
        return -1;
    if (kc.n > 2)
        return error_validation(err, "Conditions can be of length 1 or 2 only");
    bool has_range = key_schema_has_range(schema);
    if (!has_range && kc.n > 1)
        return error_validation(err, "Query key condition not supported");
    const key_cond *hash = find(&kc, schema->hash.name);
    if (hash == NULL)
        return error_validation(err, "Query condition missed key schema element: %.*s", SLICE_FMT(schema->hash.name));
    if (!typed(hash->v1, schema->hash.type))
        return error_validation(err,
                                "One or more parameter values were invalid: Condition parameter type does not match "
                                "schema type");
    if (hash->op != EXPR_SORT_EQ)
        return error_validation(err, "Query key condition not supported");
    out->partition_value = hash->v1;
    out->sort_op = EXPR_SORT_NONE;
    if (!has_range)
        return 0;
    const key_cond *range = find(&kc, schema->range.name);
    if (range == NULL) {
        if (kc.n > 1)
            return error_validation(err, "Query condition missed key schema element: %.*s",
                                    SLICE_FMT(schema->range.name));
        return 0;
    }
    if (!typed(range->v1, schema->range.type) || !typed(range->v2, schema->range.type))
        return error_validation(err,
                                "One or more parameter values were invalid: Condition parameter type does not match "
                                "schema type");
    if (range->op == EXPR_SORT_BEGINS_WITH && schema->range.type == ATTR_N)
        return error_validation(err, "Invalid KeyConditionExpression: Incorrect operand type for operator or "
                                     "function; operator or function: begins_with, operand type: N");
    out->sort_op = range->op;
    out->sort_value = range->v1;
    out->sort_value2 = range->v2;
    return 0;
}

bool expr_key_sort_matches(const expr_key_range *r, const json_t *v)
{
    int order, order2;
    if (r->sort_op == EXPR_SORT_NONE)
        return true;
    if (v == NULL || expr_value_compare(v, r->sort_value, &order) != 0)
        return false;
    switch (r->sort_op) {
    case EXPR_SORT_EQ:
        return order == 0;
    case EXPR_SORT_LT:
        return order < 0;
    case EXPR_SORT_LE:
        return order <= 0;
    case EXPR_SORT_GT:
        return order > 0;
    case EXPR_SORT_GE:
        return order >= 0;
    case EXPR_SORT_BETWEEN:
        return order >= 0 && expr_value_compare(v, r->sort_value2, &order2) == 0 && order2 <= 0;
    case EXPR_SORT_BEGINS_WITH: {
        if (attr_type_of(v) == ATTR_S)
            return slice_starts_with(attr_s(v), attr_s(r->sort_value));
        arena a;
        arena_init(&a, 512);
        slice x, y;
        bool ok = attr_b_decode(&a, v, &x) == 0 && attr_b_decode(&a, r->sort_value, &y) == 0 && slice_starts_with(x, y);
        arena_destroy(&a);
        return ok;
    }
    default:
        return false;
    }
}
