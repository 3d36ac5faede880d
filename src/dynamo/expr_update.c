/*
 * expr_update: applies a compiled UpdateExpression to an item. Owns DynamoDB's update semantics:
 * every right-hand side reads the old item; list positions in REMOVE and SET name the old item's
 * elements (removed elements close up only at the end, SET past the end appends); ADD adds numbers
 * (a missing attribute counts as 0) and unites sets; DELETE takes elements out of a set and drops
 * the attribute when none are left. Numbers use exact decimal arithmetic (core/decimal.h).
 * Never modifies the item it is given: it works on a deep copy.
 */
#include <stdlib.h>
#include <string.h>

#include "core/decimal.h"
#include "core/json.h"
#include "dynamo/attr.h"
#include "dynamo/expr_internal.h"

#define MSG_MISSING  "The provided expression refers to an attribute that does not exist in the item"
#define MSG_BAD_PATH "The document path provided in the update expression is invalid for update"
#define MSG_BAD_TYPE "An operand in the update expression has an incorrect data type"

/* ---- right-hand sides ---- */

static json_t *eval_value(const expr_node *n, const json_t *old, aws_error *err)
{
    switch (n->kind) {
    case EN_VALUE:
        return json_deep_copy(n->value);
    case EN_PATH: {
        json_t *v = expr_path_get(old, &n->path);
        if (v == NULL) {
            error_validation(err, MSG_MISSING);
            return NULL;
        }
        return json_deep_copy(v);
    }
    case EN_IF_NOT_EXISTS: {
        json_t *v = expr_path_get(old, &n->args[0]->path);
        return v != NULL ? json_deep_copy(v) : eval_value(n->args[1], old, err);
    }
    case EN_LIST_APPEND: {
        json_t *x = eval_value(n->args[0], old, err);
        if (x == NULL)
            return NULL;
        json_t *y = eval_value(n->args[1], old, err);
        if (y == NULL) {
            json_decref(x);
            return NULL;
        }
        json_t *lx = json_object_get(x, "L"), *ly = json_object_get(y, "L");
        if (attr_type_of(x) != ATTR_L || attr_type_of(y) != ATTR_L || !json_is_array(lx) || !json_is_array(ly)) {
            json_decref(x);
            json_decref(y);
            error_validation(err, MSG_BAD_TYPE);
            return NULL;
        }
        json_array_extend(lx, ly);
        json_decref(y);
        return x;
    }
    case EN_PLUS:
    case EN_MINUS: {
        json_t *x = eval_value(n->args[0], old, err);
        if (x == NULL)
            return NULL;
        json_t *y = eval_value(n->args[1], old, err);
        if (y == NULL) {
            json_decref(x);
            return NULL;
        }
        decimal a, b, r;
        bool numbers =
            attr_type_of(x) == ATTR_N && attr_type_of(y) == ATTR_N && attr_n(x, &a) == 0 && attr_n(y, &b) == 0;
        json_decref(x);
        json_decref(y);
        if (!numbers) {
            error_validation(err, MSG_BAD_TYPE);
            return NULL;
        }
        int rc = n->kind == EN_PLUS ? decimal_add(&a, &b, &r, err) : decimal_sub(&a, &b, &r, err);
        return rc == 0 ? attr_new_n_decimal(&r) : NULL;
    }
    default:
        error_validation(err, MSG_BAD_TYPE);
        return NULL;
    }
}

/* ---- locating targets in the new item ---- */

/* Where a path's last element lives: a map (the item itself at top level) or a list. */
typedef struct target {
    json_t *map;  /* object name -> value, or NULL */
    json_t *list; /* array of values, or NULL */
    const expr_path_elem *last;
} target;

static int locate(json_t *item, const expr_path *p, target *t, aws_error *err)
{
    json_t *container = NULL; /* the attribute value holding the next element */
    t->map = item;
    t->list = NULL;
    for (uint32_t i = 0; i + 1 < p->n; i++) {
        const expr_path_elem *e = &p->elems[i];
        container = i == 0        ? json_object_getn(item, e->name.ptr, e->name.len)
                    : e->is_index ? (t->list != NULL ? json_array_get(t->list, e->index) : NULL)
                                  : (t->map != NULL ? json_object_getn(t->map, e->name.ptr, e->name.len) : NULL);
        if (container == NULL || json_is_null(container))
            return error_validation(err, MSG_BAD_PATH);
        const expr_path_elem *next = &p->elems[i + 1];
        json_t *inner = json_object_get(container, next->is_index ? "L" : "M");
        if (next->is_index ? !json_is_array(inner) : !json_is_object(inner))
            return error_validation(err, MSG_BAD_PATH);
        t->map = next->is_index ? NULL : inner;
        t->list = next->is_index ? inner : NULL;
    }
    t->last = &p->elems[p->n - 1];
    return 0;
}

static json_t *target_get(const target *t)
{
    if (t->last->is_index) {
        json_t *v = json_array_get(t->list, t->last->index);
        return json_is_null(v) ? NULL : v;
    }
    return json_object_getn(t->map, t->last->name.ptr, t->last->name.len);
}

/* Lists that hold holes (JSON null) to close up at the end. */
typedef struct holes {
    json_t **lists;
    size_t n, cap;
} holes;

static void holes_add(holes *h, json_t *list)
{
    for (size_t i = 0; i < h->n; i++)
        if (h->lists[i] == list)
            return;
    if (h->n == h->cap) {
        size_t cap = h->cap ? 2 * h->cap : 8;
        json_t **bigger = malloc(cap * sizeof(*bigger));
        if (bigger == NULL)
            abort();
        if (h->n > 0)
            memcpy(bigger, h->lists, h->n * sizeof(*bigger));
        free(h->lists);
        h->lists = bigger;
        h->cap = cap;
    }
    h->lists[h->n++] = list;
}

/* Takes ownership of v. */
static void target_set(const target *t, json_t *v)
{
    if (!t->last->is_index)
        json_object_setn_new(t->map, t->last->name.ptr, t->last->name.len, v);
    else if (t->last->index < json_array_size(t->list))
        json_array_set_new(t->list, t->last->index, v);
    else
        json_array_append_new(t->list, v);
}

static void target_remove(const target *t, holes *h)
{
    if (!t->last->is_index) {
        json_object_deln(t->map, t->last->name.ptr, t->last->name.len);
    } else if (t->last->index < json_array_size(t->list)) {
        json_array_set_new(t->list, t->last->index, json_null());
        holes_add(h, t->list);
    }
}

/* ---- ADD and DELETE ---- */

static bool set_has(attr_type element, json_t *members, json_t *x)
{
    size_t i;
    json_t *m;
    if (element != ATTR_N) {
        json_array_foreach(members, i, m) if (json_equal(m, x)) return true;
        return false;
    }
    decimal dx, dm;
    aws_error ignored;
    if (decimal_parse(json_string_slice(x), &dx, &ignored) != 0)
        return false;
    json_array_foreach(members, i, m) if (decimal_parse(json_string_slice(m), &dm, &ignored) == 0 &&
                                          decimal_compare(&dx, &dm) == 0) return true;
    return false;
}

static int apply_add(const target *t, const json_t *value, aws_error *err)
{
    json_t *cur = target_get(t);
    attr_type vt = attr_type_of(value);
    if (cur == NULL) {
        target_set(t, json_deep_copy(value));
        return 0;
    }
    if (attr_type_of(cur) != vt)
        return error_validation(err, MSG_BAD_TYPE);
    if (vt == ATTR_N) {
        decimal a, b, r;
        if (attr_n(cur, &a) != 0 || attr_n(value, &b) != 0)
            return error_validation(err, MSG_BAD_TYPE);
        if (decimal_add(&a, &b, &r, err) != 0)
            return -1;
        target_set(t, attr_new_n_decimal(&r));
        return 0;
    }
    json_t *members = attr_payload(cur), *x;
    size_t i;
    json_array_foreach(attr_payload(value), i, x) if (!set_has(attr_set_element_type(vt), members, x))
        json_array_append(members, x);
    return 0;
}

static int apply_delete(const target *t, const json_t *value, holes *h, aws_error *err)
{
    json_t *cur = target_get(t);
    if (cur == NULL)
        return 0;
    attr_type vt = attr_type_of(value);
    if (attr_type_of(cur) != vt)
        return error_validation(err, MSG_BAD_TYPE);
    json_t *members = attr_payload(cur), *gone = attr_payload(value);
    for (size_t i = json_array_size(members); i-- > 0;)
        if (set_has(attr_set_element_type(vt), gone, json_array_get(members, i)))
            json_array_remove(members, i);
    if (json_array_size(members) == 0)
        target_remove(t, h);
    return 0;
}

/* ---- the update ---- */

static void close_holes(holes *h)
{
    for (size_t i = 0; i < h->n; i++) {
        json_t *list = h->lists[i];
        for (size_t j = json_array_size(list); j-- > 0;)
            if (json_is_null(json_array_get(list, j)))
                json_array_remove(list, j);
    }
    free(h->lists);
}

int expr_update_apply(const expr_update *u, const json_t *item, json_t **out, aws_error *err)
{
    *out = NULL;
    json_t *copy = item != NULL ? json_deep_copy(item) : json_object();
    if (u == NULL) {
        *out = copy;
        return 0;
    }
    /* Right-hand sides first, all on the old item. */
    json_t **values = calloc(u->n + 1, sizeof(*values));
    if (values == NULL)
        abort();
    holes h = {0};
    int rc = 0;
    for (uint32_t i = 0; i < u->n && rc == 0; i++)
        if (u->actions[i].kind == EA_SET && (values[i] = eval_value(u->actions[i].value, item, err)) == NULL)
            rc = -1;
    /* REMOVE next, leaving holes in lists so that positions keep naming the old elements. */
    for (uint32_t i = 0; i < u->n && rc == 0; i++) {
        if (u->actions[i].kind != EA_REMOVE)
            continue;
        target t;
        rc = locate(copy, &u->actions[i].path, &t, err);
        if (rc == 0)
            target_remove(&t, &h);
    }
    for (uint32_t i = 0; i < u->n && rc == 0; i++) {
        const expr_action *act = &u->actions[i];
        if (act->kind == EA_REMOVE)
            continue;
        target t;
        if ((rc = locate(copy, &act->path, &t, err)) != 0)
            break;
        if (act->kind == EA_SET) {
            target_set(&t, values[i]);
            values[i] = NULL;
        } else if (act->kind == EA_ADD) {
            rc = apply_add(&t, act->value->value, err);
        } else {
            rc = apply_delete(&t, act->value->value, &h, err);
        }
    }
    for (uint32_t i = 0; i < u->n; i++)
        json_decref(values[i]);
    free(values);
    close_holes(&h);
    if (rc != 0) {
        json_decref(copy);
        return -1;
    }
    *out = copy;
    return 0;
}

/* ---- what an update touches ---- */

int expr_update_check_keys(const expr_update *u, slice partition_key, slice sort_key, aws_error *err)
{
    if (u == NULL)
        return 0;
    slice keys[2] = {partition_key, sort_key};
    for (int k = 0; k < 2; k++) {
        if (keys[k].ptr == NULL || keys[k].len == 0)
            continue;
        for (uint32_t i = 0; i < u->n; i++) {
            const expr_path *p = &u->actions[i].path;
            if (!slice_eq(p->elems[0].name, keys[k]))
                continue;
            if (p->n > 1)
                return error_validation(err,
                                        "Key attributes must be scalars; list random access '[]' and map lookup '.' "
                                        "are not allowed: Key: %.*s",
                                        SLICE_FMT(keys[k]));
            return error_validation(
                err,
                "One or more parameter values were invalid: Cannot update attribute %.*s. This attribute is part of "
                "the key",
                SLICE_FMT(keys[k]));
        }
    }
    return 0;
}

bool expr_update_touches(const expr_update *u, slice top_name)
{
    for (uint32_t i = 0; u != NULL && i < u->ntops; i++)
        if (slice_eq(u->tops[i], top_name))
            return true;
    return false;
}

size_t expr_update_top_count(const expr_update *u)
{
    return u != NULL ? u->ntops : 0;
}

slice expr_update_top_name(const expr_update *u, size_t i)
{
    return u != NULL && i < u->ntops ? u->tops[i] : SLICE_NULL;
}

json_t *expr_update_returned(const expr_update *u, const json_t *item)
{
    if (u == NULL || item == NULL)
        return NULL;
    json_t *r = expr_proj_apply(u->returned.tree, item);
    if (json_object_size(r) == 0) {
        json_decref(r);
        return NULL;
    }
    return r;
}
