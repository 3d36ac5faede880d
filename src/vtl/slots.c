#include "vtl/slots.h"

#include <string.h>

#include "vtl/eval.h"

uint8_t slots_ref_hint(slice name)
{
    if (slice_eq_cstr(name, "foreach"))
        return RH_FOREACH | RH_NULL_IF_MISSING;
    if (slice_eq_cstr(name, "velocityCount") || slice_eq_cstr(name, "velocityHasNext") ||
        (name.len && name.ptr[0] == '.'))
        return RH_NULL_IF_MISSING;
    if (slice_eq_cstr(name, "context"))
        return RH_CONTEXT;
    return 0;
}

uint8_t slots_prop_hint(slice name)
{
    /* the limits m_property looks a map up within; outside them (and for "class") it answers otherwise */
    if (name.len == 0 || name.len + 4 >= 128 || slice_eq_cstr(name, "class"))
        return 0;
    return (uint8_t)(PH_PLAIN | (m_foreach_property_code(name) << PH_FOREACH_SHIFT));
}

/* A render's caches are allocated and cleared with it: past these counts (generated templates), names and
 * property sites go unnumbered and take the general path. */
enum { MAX_NAMES = 1024, MAX_PROPS = 4096 };

/* Names to numbers through an open-addressing table; templates name few variables, but a generated one may
 * name thousands, so no linear search. */
typedef struct namer {
    arena *a;
    slice *names;   /* by number */
    uint32_t *ids;  /* the table: a number, 0 for free */
    size_t nids;    /* table size, a power of two */
    uint32_t count; /* numbers given, the last one included */
    uint32_t props;
    bool velocity_vars; /* the tree names $velocityCount or $velocityHasNext, or holds an #evaluate */
    bool foreach_var;   /* the tree may set a variable named foreach (#set, #foreach, #define), or evaluates text */
} namer;

static bool is_velocity_var(slice name)
{
    return slice_eq_cstr(name, "velocityCount") || slice_eq_cstr(name, "velocityHasNext");
}

static uint32_t name_hash(slice s)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < s.len; i++)
        h = (h ^ (uint8_t)s.ptr[i]) * 16777619u;
    return h;
}

static void table_put(namer *nm, uint32_t id)
{
    size_t mask = nm->nids - 1, i = name_hash(nm->names[id]) & mask;
    while (nm->ids[i])
        i = (i + 1) & mask;
    nm->ids[i] = id;
}

static uint32_t name_number(namer *nm, slice name)
{
    size_t mask = nm->nids - 1;
    for (size_t i = name_hash(name) & mask; nm->ids[i]; i = (i + 1) & mask)
        if (slice_eq(nm->names[nm->ids[i]], name))
            return nm->ids[i];
    if (nm->count >= MAX_NAMES)
        return 0;
    if ((size_t)(nm->count + 1) * 2 > nm->nids) {
        size_t n = nm->nids * 2;
        slice *names = arena_alloc(nm->a, n * sizeof(slice));
        memcpy(names, nm->names, (nm->count + 1) * sizeof(slice));
        nm->names = names;
        nm->ids = arena_calloc(nm->a, n * sizeof(uint32_t));
        nm->nids = n;
        for (uint32_t id = 1; id <= nm->count; id++)
            table_put(nm, id);
    }
    nm->names[++nm->count] = name;
    table_put(nm, nm->count);
    return nm->count;
}

/* #if($foreach.getter)text#end: the condition a property reference on $foreach naming one of its getters, the
 * block one text statement. */
static bool is_foreach_if(const vnode *n)
{
    if (n->kind != N_IF || n->nkids != 2 || (n->flags & NF_HAS_ELSE))
        return false;
    const vnode *cond = n->kids[0], *block = n->kids[1];
    return cond->kind == E_REF && cond->flags == 0 && (cond->hint & RH_FOREACH) &&
           (cond->hint & (RH_PROPS | RH_CONTEXT)) == RH_PROPS && cond->nkids == 1 && cond->kids[0]->kind == E_PROP &&
           (cond->kids[0]->hint & PH_FOREACH_MASK) != 0 && block->kind == N_BLOCK && block->nkids == 1 &&
           block->kids[0]->kind == N_TEXT;
}

/* A plain reference whose properties are all map lookups (PH_PLAIN). */
static bool is_map_ref(const vnode *r)
{
    if (!(r->hint & RH_PLAIN))
        return false;
    for (uint32_t i = 0; i < r->nkids; i++)
        if (!(r->kids[i]->hint & PH_PLAIN))
            return false;
    return true;
}

/* A block eval.c may render in its flat loop (BH_FLAT); its #if statements already marked. */
static bool is_flat(const vnode *b)
{
    if (b->kind != N_BLOCK)
        return false;
    for (uint32_t i = 0; i < b->nkids; i++) {
        const vnode *s = b->kids[i];
        if (!(s->kind == N_TEXT || (s->kind == N_REF && s->nkids == 1 && is_map_ref(s->kids[0])) ||
              (s->kind == N_IF && (s->flags & NF_FOREACH_IF))))
            return false;
    }
    return true;
}

/* A copy of text with FLAT_TEXT_PAD readable bytes (zeros past the text), so that the flat loop copies it with
 * one fixed-size move. */
static slice padded_text(arena *a, slice text)
{
    char *p = arena_alloc(a, FLAT_TEXT_PAD);
    memset(p, 0, FLAT_TEXT_PAD);
    if (text.len != 0)
        memcpy(p, text.ptr, text.len);
    return slice_make(p, text.len);
}

/* Gives the texts a flat block prints (its text statements and its #if texts) FLAT_TEXT_PAD readable bytes when
 * they are no longer than that (ast.h: BH_FLAT). */
static void pad_flat_texts(arena *a, vnode *b)
{
    for (uint32_t i = 0; i < b->nkids; i++) {
        vnode *s = b->kids[i];
        if ((s->kind == N_TEXT || s->kind == N_IF) && s->text.len <= FLAT_TEXT_PAD)
            s->text = padded_text(a, s->text);
    }
}

/* The block's statements followed by an N_FLAT_END node (ast.h: BH_FLAT), in a new array: nkids stays the count. */
static void end_flat_kids(arena *a, vnode *b)
{
    vnode **kids = arena_alloc(a, (b->nkids + 1) * sizeof(*kids));
    if (b->nkids != 0)
        memcpy(kids, b->kids, b->nkids * sizeof(*kids));
    vnode *end = arena_calloc(a, sizeof(*end));
    end->kind = N_FLAT_END;
    kids[b->nkids] = end;
    b->kids = kids;
}

static void number_tree(namer *nm, vnode *n)
{
    if (n == NULL)
        return;
    if (n->kind == N_EVALUATE ||
        ((n->kind == E_REF || n->kind == N_FOREACH || n->kind == N_DEFINE) && is_velocity_var(n->text)))
        nm->velocity_vars = true;
    if (n->kind == N_EVALUATE ||
        (n->kind == N_SET && n->nkids > 0 && n->kids[0]->kind == E_REF && slice_eq_cstr(n->kids[0]->text, "foreach")) ||
        ((n->kind == N_FOREACH || n->kind == N_DEFINE) && slice_eq_cstr(n->text, "foreach")))
        nm->foreach_var = true;
    if (is_foreach_if(n)) {
        /* what rendering needs of it, on the node itself: the getter and the text */
        n->flags |= NF_FOREACH_IF;
        n->ival = (n->kids[0]->kids[0]->hint & PH_FOREACH_MASK) >> PH_FOREACH_SHIFT;
        n->text = n->kids[1]->kids[0]->text;
    }
    if (n->slot == 0) { /* a node reached twice keeps its first number */
        switch (n->kind) {
        case E_REF:
        case N_FOREACH:
        case N_DEFINE:
            n->slot = name_number(nm, n->text);
            break;
        case E_PROP:
            if (nm->props < MAX_PROPS)
                n->slot = ++nm->props;
            n->ival = (int64_t)v_string_head(n->text.len); /* what a map key equal to the name starts with */
            break;
        default:
            break;
        }
    }
    for (uint32_t i = 0; i < n->nkids; i++)
        number_tree(nm, n->kids[i]);
    if (is_flat(n) && !(n->hint & BH_FLAT)) {
        pad_flat_texts(nm->a, n);
        end_flat_kids(nm->a, n);
        n->hint |= BH_FLAT;
    }
}

void slots_number(vtl_template *t, arena *a)
{
    namer nm = {.a = a, .nids = 16};
    nm.names = arena_alloc(a, nm.nids * sizeof(slice));
    nm.ids = arena_calloc(a, nm.nids * sizeof(uint32_t));
    nm.names[0] = SLICE_NULL;
    /* the loop variables every #foreach sets, numbered whether or not the template names them */
    name_number(&nm, SLICE_LIT("velocityCount"));
    name_number(&nm, SLICE_LIT("velocityHasNext"));
    /* and API Gateway's, in the order of the SLOT_ numbers */
    name_number(&nm, SLICE_LIT("input"));
    name_number(&nm, SLICE_LIT("util"));
    name_number(&nm, SLICE_LIT("context"));
    name_number(&nm, SLICE_LIT("stageVariables"));
    number_tree(&nm, t->root);
    for (vmacro *m = t->macros; m; m = m->next)
        number_tree(&nm, m->body);
    t->nnames = nm.count;
    t->nprops = nm.props;
    t->no_velocity_vars = !nm.velocity_vars;
    t->no_foreach_var = !nm.foreach_var;
}
