/*
 * expr_eval: evaluates compiled conditions (ConditionExpression, FilterExpression) on an item, with
 * DynamoDB's semantics: an operator applied to values of different types, or to an attribute the
 * item lacks, is false rather than an error. Owns path lookup in items. Never modifies an item.
 */
#include <string.h>

#include "core/json.h"
#include "dynamo/attr.h"
#include "dynamo/expr_internal.h"

const char *expr_attr_type(const json_t *v, json_t **payload)
{
    if (!json_is_object(v) || json_object_size(v) != 1)
        return NULL;
    const char *key;
    json_t *val;
    json_object_foreach((json_t *)v, key, val)
    {
        if (payload != NULL)
            *payload = val;
        return key;
    }
    return NULL;
}

json_t *expr_path_get(const json_t *item, const expr_path *p)
{
    if (item == NULL || p->n == 0 || p->elems[0].is_index)
        return NULL;
    json_t *cur = json_object_getn(item, p->elems[0].name.ptr, p->elems[0].name.len);
    for (uint32_t i = 1; i < p->n && cur != NULL; i++) {
        const expr_path_elem *e = &p->elems[i];
        if (e->is_index) {
            json_t *list = json_object_get(cur, "L");
            cur = json_is_array(list) ? json_array_get(list, e->index) : NULL;
            if (json_is_null(cur))
                cur = NULL; /* a hole left by REMOVE while an update is applied */
        } else {
            json_t *map = json_object_get(cur, "M");
            cur = json_is_object(map) ? json_object_getn(map, e->name.ptr, e->name.len) : NULL;
        }
    }
    return cur;
}

/* Same-typed S / N / B values: 0 and their order; -1 when they cannot be ordered. */
int expr_value_compare(const json_t *x, const json_t *y, int *order)
{
    attr_type tx = attr_type_of(x), ty = attr_type_of(y);
    if (tx != ty || !attr_type_is_ordered(tx))
        return -1;
    *order = attr_compare(x, y);
    return 0;
}

/* An operand's value: borrowed from the item or the request, or made here (size()) and then
 * released by the caller with operand_done. */
typedef struct operand {
    json_t *v;
    bool owned;
} operand;

static operand eval_operand(const expr_node *n, const json_t *item)
{
    operand o = {NULL, false};
    switch (n->kind) {
    case EN_PATH:
        o.v = expr_path_get(item, &n->path);
        break;
    case EN_VALUE:
        o.v = n->value;
        break;
    case EN_SIZE: {
        operand x = eval_operand(n->args[0], item);
        if (x.v != NULL) {
            int64_t size = attr_size_function(x.v);
            if (size >= 0) {
                o.v = attr_new_n_int64(size);
                o.owned = true;
            }
        }
        if (x.owned)
            json_decref(x.v);
        break;
    }
    default:
        break;
    }
    return o;
}

static void operand_done(operand *o)
{
    if (o->owned)
        json_decref(o->v);
}

static bool decoded_bytes(const json_t *av, arena *a, slice *out)
{
    return attr_b_decode(a, av, out) == 0;
}

static bool bytes_contain(slice hay, slice needle)
{
    return needle.len == 0 || memmem(hay.ptr, hay.len, needle.ptr, needle.len) != NULL;
}

/* begins_with and contains on binary values compare raw bytes; a scratch arena holds them. */
static bool eval_begins_with(const json_t *x, const json_t *y)
{
    attr_type tx = attr_type_of(x), ty = attr_type_of(y);
    if (tx != ty)
        return false;
    if (tx == ATTR_S)
        return slice_starts_with(attr_s(x), attr_s(y));
    if (tx != ATTR_B)
        return false;
    arena a;
    arena_init(&a, 1024);
    slice bx, by;
    bool r = decoded_bytes(x, &a, &bx) && decoded_bytes(y, &a, &by) && slice_starts_with(bx, by);
    arena_destroy(&a);
    return r;
}

static bool eval_contains(const json_t *x, const json_t *y)
{
    attr_type tx = attr_type_of(x), ty = attr_type_of(y);
    if (tx == ATTR_S && ty == ATTR_S)
        return bytes_contain(attr_s(x), attr_s(y));
    if (tx == ATTR_B && ty == ATTR_B) {
        arena a;
        arena_init(&a, 1024);
        slice bx, by;
        bool r = decoded_bytes(x, &a, &bx) && decoded_bytes(y, &a, &by) && bytes_contain(bx, by);
        arena_destroy(&a);
        return r;
    }
    if (tx == ATTR_L) {
        json_t *list = attr_payload(x), *el;
        size_t i;
        json_array_foreach(list, i, el) if (attr_equal(el, y)) return true;
        return false;
    }
    if (attr_type_is_set(tx) && attr_set_element_type(tx) == ty) {
        /* Compare as single values so that numbers compare as decimals ("1" in ["1.0"]). */
        json_t *list = attr_payload(x), *el;
        size_t i;
        json_t *payload = attr_payload(y);
        json_array_foreach(list, i, el)
        {
            if (ty != ATTR_N) {
                if (json_equal(el, payload))
                    return true;
                continue;
            }
            decimal a, b;
            if (attr_n(y, &b) != 0)
                return false;
            aws_error ignored;
            if (decimal_parse(json_string_slice(el), &a, &ignored) == 0 && decimal_compare(&a, &b) == 0)
                return true;
        }
    }
    return false;
}

static bool compare_values(expr_tok_kind op, const json_t *x, const json_t *y)
{
    if (op == TK_EQ)
        return x != NULL && y != NULL && attr_equal(x, y);
    if (op == TK_NE) {
        if (x == NULL && y == NULL)
            return false;
        return x == NULL || y == NULL || !attr_equal(x, y);
    }
    int order;
    if (x == NULL || y == NULL || expr_value_compare(x, y, &order) != 0)
        return false;
    switch (op) {
    case TK_LT:
        return order < 0;
    case TK_LE:
        return order <= 0;
    case TK_GT:
        return order > 0;
    case TK_GE:
        return order >= 0;
    default:
        return false;
    }
}

static bool eval(const expr_node *n, const json_t *item)
{
    switch (n->kind) {
    case EN_AND:
        return eval(n->args[0], item) && eval(n->args[1], item);
    case EN_OR:
        return eval(n->args[0], item) || eval(n->args[1], item);
    case EN_NOT:
        return !eval(n->args[0], item);
    case EN_EXISTS:
        return expr_path_get(item, &n->args[0]->path) != NULL;
    case EN_NOT_EXISTS:
        return expr_path_get(item, &n->args[0]->path) == NULL;
    default:
        break;
    }
    /* Operators over operand values. */
    operand ops[3] = {{0}};
    bool r = false;
    uint32_t nops = n->nargs < 3 ? n->nargs : 3;
    if (n->kind != EN_IN)
        for (uint32_t i = 0; i < nops; i++)
            ops[i] = eval_operand(n->args[i], item);
    switch (n->kind) {
    case EN_COMPARE:
        r = compare_values(n->op, ops[0].v, ops[1].v);
        break;
    case EN_BETWEEN:
        r = compare_values(TK_GE, ops[0].v, ops[1].v) && compare_values(TK_LE, ops[0].v, ops[2].v);
        break;
    case EN_IN: {
        operand x = eval_operand(n->args[0], item);
        for (uint32_t i = 1; i < n->nargs && !r && x.v != NULL; i++) {
            operand y = eval_operand(n->args[i], item);
            r = y.v != NULL && attr_equal(x.v, y.v);
            operand_done(&y);
        }
        operand_done(&x);
        break;
    }
    case EN_TYPE: {
        json_t *want = ops[1].v != NULL ? attr_payload(ops[1].v) : NULL;
        r = ops[0].v != NULL && json_is_string(want) &&
            strcmp(attr_type_name(attr_type_of(ops[0].v)), json_string_value(want)) == 0;
        break;
    }
    case EN_BEGINS_WITH:
        r = ops[0].v != NULL && ops[1].v != NULL && eval_begins_with(ops[0].v, ops[1].v);
        break;
    case EN_CONTAINS:
        r = ops[0].v != NULL && ops[1].v != NULL && eval_contains(ops[0].v, ops[1].v);
        break;
    default:
        r = false;
        break;
    }
    for (uint32_t i = 0; i < nops; i++)
        operand_done(&ops[i]);
    return r;
}

bool expr_condition_matches(const expr_condition *c, const json_t *item)
{
    if (c == NULL || c->root == NULL)
        return true;
    return eval(c->root, item);
}

static bool references(const expr_node *n, slice top)
{
    if (n->kind == EN_PATH)
        return n->path.n > 0 && !n->path.elems[0].is_index && slice_eq(n->path.elems[0].name, top);
    for (uint32_t i = 0; i < n->nargs; i++)
        if (references(n->args[i], top))
            return true;
    return false;
}

bool expr_condition_references(const expr_condition *c, slice top_name)
{
    return c != NULL && c->root != NULL && references(c->root, top_name);
}
