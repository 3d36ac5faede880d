/*
 * expr_project: ProjectionExpression (and the UPDATED_OLD / UPDATED_NEW views of an update). Owns
 * the path tree built once per compiled projection and the copy of an item's selected parts: nested
 * paths keep their structure, list indexes give compacted lists in index order, and parts the item
 * lacks are left out (with the maps and lists that would only have held them).
 */
#include <string.h>

#include "core/json.h"
#include "dynamo/expr_internal.h"

struct expr_proj_node {
    expr_path_elem key;
    bool leaf;
    expr_proj_node *kids; /* first child; index children sorted by index */
    expr_proj_node *next; /* next sibling */
};

static expr_proj_node *find_or_add(arena *a, expr_proj_node *parent, const expr_path_elem *e)
{
    expr_proj_node **link = &parent->kids;
    for (; *link != NULL; link = &(*link)->next) {
        expr_proj_node *k = *link;
        if (k->key.is_index != e->is_index)
            continue;
        if (e->is_index ? k->key.index == e->index : slice_eq(k->key.name, e->name))
            return k;
        if (e->is_index && k->key.index > e->index)
            break;
    }
    expr_proj_node *n = arena_calloc(a, sizeof(*n));
    n->key = *e;
    n->next = *link;
    *link = n;
    return n;
}

expr_proj_node *expr_proj_tree(arena *a, const expr_path *paths, uint32_t n)
{
    expr_proj_node *root = arena_calloc(a, sizeof(*root));
    for (uint32_t i = 0; i < n; i++) {
        expr_proj_node *cur = root;
        for (uint32_t j = 0; j < paths[i].n; j++)
            cur = find_or_add(a, cur, &paths[i].elems[j]);
        cur->leaf = true;
    }
    return root;
}

static json_t *copy_or_project(const expr_proj_node *k, const json_t *v);

/* The parts of value av that node n's children select, or NULL when there are none. */
static json_t *project_value(const expr_proj_node *n, const json_t *av)
{
    json_t *list = json_object_get(av, "L"), *map = json_object_get(av, "M");
    json_t *out_list = NULL, *out_map = NULL;
    for (const expr_proj_node *k = n->kids; k != NULL; k = k->next) {
        json_t *v;
        if (k->key.is_index) {
            if (!json_is_array(list) || (v = json_array_get(list, k->key.index)) == NULL)
                continue;
            json_t *part = copy_or_project(k, v);
            if (part == NULL)
                continue;
            if (out_list == NULL)
                out_list = json_array();
            json_array_append_new(out_list, part);
        } else {
            if (!json_is_object(map) || (v = json_object_getn(map, k->key.name.ptr, k->key.name.len)) == NULL)
                continue;
            json_t *part = copy_or_project(k, v);
            if (part == NULL)
                continue;
            if (out_map == NULL)
                out_map = json_object();
            json_object_setn_new(out_map, k->key.name.ptr, k->key.name.len, part);
        }
    }
    /* A path tree never mixes map keys and list indexes under one node (the parser rejects it). */
    if (out_list != NULL) {
        json_decref(out_map);
        return json_pack("{s:o}", "L", out_list);
    }
    if (out_map != NULL)
        return json_pack("{s:o}", "M", out_map);
    return NULL;
}

static json_t *copy_or_project(const expr_proj_node *k, const json_t *v)
{
    return k->leaf ? json_deep_copy(v) : project_value(k, v);
}

json_t *expr_proj_apply(const expr_proj_node *root, const json_t *item)
{
    json_t *out = json_object();
    if (item == NULL || root == NULL)
        return out;
    for (const expr_proj_node *k = root->kids; k != NULL; k = k->next) {
        if (k->key.is_index)
            continue;
        json_t *v = json_object_getn(item, k->key.name.ptr, k->key.name.len);
        if (v == NULL)
            continue;
        json_t *part = copy_or_project(k, v);
        if (part != NULL)
            json_object_setn_new(out, k->key.name.ptr, k->key.name.len, part);
    }
    return out;
}

json_t *expr_project(const expr_projection *p, const json_t *item)
{
    if (p == NULL)
        return item != NULL ? json_deep_copy(item) : json_object();
    return expr_proj_apply(p->tree, item);
}

size_t expr_projection_top_count(const expr_projection *p)
{
    return p != NULL ? p->ntops : 0;
}

slice expr_projection_top_name(const expr_projection *p, size_t i)
{
    return p != NULL && i < p->ntops ? p->tops[i] : SLICE_NULL;
}
