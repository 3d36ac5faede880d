#include "vtl/straight.h"

#include "vtl/eval.h"

/* The piece statement n is, or false when it is none (the template is then not straight). */
static bool piece_of(const vnode *n, straight_piece *p)
{
    *p = (straight_piece){.stmt = n};
    if (n->kind == N_TEXT) {
        p->kind = SP_TEXT;
        p->text = n->text;
        return true;
    }
    if (n->kind != N_REF)
        return false;
    const vnode *r = n->kids[0];
    /* printed as its value alone: no backslashes or `#` before it, not a name the parser only took for one */
    if ((r->flags & (NF_RUNT | NF_ESCAPED)) || r->prefix.len != 0 || r->nkids != 1)
        return false;
    const vnode *m = r->kids[0];
    if ((r->hint & RH_INPUT_CONST) && m->path != NULL && m->path->member) {
        p->kind = SP_MEMBER;
        p->path = m->path;
        return true;
    }
    /* a name context_scalar may answer: one m_property looks up in a map */
    if ((r->hint & RH_CONTEXT) && m->kind == E_PROP && (m->hint & PH_PLAIN) && m->text.len < CONTEXT_NAME_MAX) {
        p->kind = SP_CONTEXT;
        p->text = m->text;
        return true;
    }
    if (slice_eq_cstr(r->text, "input") && m->kind == E_METHOD && slice_eq_cstr(m->text, "params") && m->nkids == 1 &&
        m->kids[0]->kind == E_STRING) {
        p->kind = SP_PARAM;
        p->text = m->kids[0]->text;
        return true;
    }
    return false;
}

void straight_plan(vtl_template *t, arena *a)
{
    const vnode *root = t->root;
    t->straight = NULL;
    t->nstraight = 0;
    if (t->macros != NULL || root->kind != N_BLOCK || root->nkids > VTL_MAX_STEPS)
        return;
    straight_piece *pieces = arena_alloc(a, (root->nkids + 1) * sizeof(*pieces));
    for (uint32_t i = 0; i < root->nkids; i++)
        if (!piece_of(root->kids[i], &pieces[i]))
            return;
    t->straight = pieces;
    t->nstraight = root->nkids;
}
