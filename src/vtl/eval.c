#include "vtl/eval.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/json.h"
#include "core/swar.h"
#include "vtl/lex.h"
#include "vtl/parse.h"
#include "vtl/slots.h"
#include "vtl/straight.h"

void rc_fail(rctx *c, int status, const char *type, const char *fmt, ...)
{
    if (c->ctrl == CTRL_ERROR)
        return;
    c->ctrl = CTRL_ERROR;
    va_list ap;
    va_start(ap, fmt);
    c->err->status = status;
    c->err->type = type;
    vsnprintf(c->err->message, sizeof(c->err->message), fmt, ap);
    va_end(ap);
}

static void render_block(rctx *c, const vnode *b);
static inline void render_flat(rctx *c, const vnode *b);
static vval eval(rctx *c, const vnode *n);
static bool truthy(rctx *c, const vnode *n);

/* ---------- output ---------- */

static __attribute__((noinline)) void emit_slow(rctx *c, slice s)
{
    if (c->ctrl == CTRL_ERROR)
        return;
    if (c->out->len + s.len > VTL_MAX_OUTPUT) {
        rc_fail(c, 500, "InternalServerErrorException", "rendered output exceeds %u bytes", VTL_MAX_OUTPUT);
        return;
    }
    if (s.len == 0) /* an empty slice may have no pointer */
        return;
    jutil_buf_puts(c->out, s);
}

/* n (1 to 32) bytes from s to d: two overlapping loads and stores per width instead of a call to memcpy, which
 * costs more than the copy for the short runs a template prints. */
static inline __attribute__((always_inline)) void copy_short(char *d, const char *s, size_t n)
{
    if (n >= 16) {
        uint64_t a0, a1, b0, b1;
        memcpy(&a0, s, 8);
        memcpy(&a1, s + 8, 8);
        memcpy(&b0, s + n - 16, 8);
        memcpy(&b1, s + n - 8, 8);
        memcpy(d, &a0, 8);
        memcpy(d + 8, &a1, 8);
        memcpy(d + n - 16, &b0, 8);
        memcpy(d + n - 8, &b1, 8);
    } else if (n >= 8) {
        uint64_t a, b;
        memcpy(&a, s, 8);
        memcpy(&b, s + n - 8, 8);
        memcpy(d, &a, 8);
        memcpy(d + n - 8, &b, 8);
    } else if (n >= 4) {
        uint32_t a, b;
        memcpy(&a, s, 4);
        memcpy(&b, s + n - 4, 4);
        memcpy(d, &a, 4);
        memcpy(d + n - 4, &b, 4);
    } else {
        d[0] = s[0];
        d[n / 2] = s[n / 2];
        d[n - 1] = s[n - 1];
    }
}

/* Most writes fit the buffer and the limit: one test for both before copying, the rest out of line. Output
 * printed after an error is never seen (a failed render gives none), so it is not tested for here. */
static inline __attribute__((always_inline)) void emit(rctx *c, slice s)
{
    jutil_buf *b = c->out;
    size_t end = b->len + s.len;
    if (end < b->cap && end <= VTL_MAX_OUTPUT && s.len != 0) {
        if (s.len <= 32)
            copy_short(b->ptr + b->len, s.ptr, s.len);
        else
            memcpy(b->ptr + b->len, s.ptr, s.len);
        b->len = end;
        return;
    }
    emit_slow(c, s);
}

/* The output buffer and the step count of a flat block's loop, held in registers: where the next byte goes, the
 * end of the room the buffer has (within its capacity, keeping the NUL's place, and VTL_MAX_OUTPUT), the count.
 * Stored back before anything that may print, count or look at them (every call out of the loop), and read again
 * after it. The buffer is c->out throughout: calls that print elsewhere put it back. */
typedef struct flat_state {
    char *dst, *room_end;
    size_t steps;
} flat_state;

static inline __attribute__((always_inline)) void flat_store(rctx *c, const flat_state *f)
{
    c->out->len = (size_t)(f->dst - c->out->ptr);
    c->steps = f->steps;
}

static inline __attribute__((always_inline)) void flat_load(rctx *c, flat_state *f)
{
    jutil_buf *out = c->out;
    size_t room = out->cap > 0 ? out->cap - 1 : 0; /* a buf always has room for its NUL */
    if (room > VTL_MAX_OUTPUT)
        room = VTL_MAX_OUTPUT;
    f->dst = out->ptr + out->len;
    f->room_end = out->ptr + (room > out->len ? room : out->len);
    f->steps = c->steps;
}

/* emit, into the held buffer: true when printed here; false when emit itself must (stored back first). The same
 * test as emit's: the end within the capacity less the NUL and within VTL_MAX_OUTPUT. */
static inline __attribute__((always_inline)) bool flat_put(flat_state *f, slice s)
{
    if (!(s.len - 1 < 32 && s.len <= (size_t)(f->room_end - f->dst)))
        return false;
    copy_short(f->dst, s.ptr, s.len);
    f->dst += s.len;
    return true;
}

static inline bool flat_run(rctx *c, const vnode *b, flat_state *fp);

typedef struct block_ref {
    const vnode *body;
    frame *frame;
} block_ref;

static void print_block(void *ctx, jutil_buf *b, const void *blk)
{
    rctx *c = ctx;
    const block_ref *br = blk;
    if (c->depth >= VTL_MAX_DEPTH) {
        rc_fail(c, 500, "InternalServerErrorException", "#define nesting deeper than %d", VTL_MAX_DEPTH);
        return;
    }
    jutil_buf *saved = c->out;
    c->out = b;
    c->depth++;
    render_block(c, br->body);
    if (c->ctrl == CTRL_BREAK) /* #break inside a #define ends the block */
        c->ctrl = CTRL_NONE;
    c->depth--;
    c->out = saved;
}

slice v_to_string(rctx *c, vval v)
{
    if (v.kind == V_STRING)
        return v_s(v);
    jutil_buf b;
    jutil_buf_init(&b, c->a, 32);
    v_print(&b, v, print_block, c);
    return jutil_buf_slice(&b);
}

/* ---------- variables ---------- */

/* $context is built on its first read: most templates read one field of it or none, and building the
 * maps costs more than the rest of a small render. */
static vval resolve(rctx *c, vval v)
{
    if (v.kind != V_CONTEXT)
        return v;
    if (c->context.kind != V_MAP)
        c->context = apigw_context(c);
    return c->context;
}

/* The hot paths below are split: what a reference inside a loop needs is inline, searches and macro frames are
 * out of line, so that the common case does not pay for their registers and stack. */
#define HOT  static inline __attribute__((always_inline))
#define COLD static __attribute__((noinline))

COLD vval *global_search(rctx *c, slice name, uint32_t slot)
{
    long at = vmap_find_str(c->vars, name);
    vval *v = at >= 0 ? &c->vars->vals[at] : NULL;
    if (slot != 0) {
        c->var_at[slot].val = v;
        c->var_at[slot].gen = c->vars_gen;
    }
    return v;
}

/* Where name's value sits in the variables map, NULL when absent. A numbered name (slot != 0) is searched for
 * once per change to the map's set of names instead of at every reference; an unnumbered one every time (entry 0's
 * generation is one vars_gen never reaches). */
HOT vval *global_ref(rctx *c, slice name, uint32_t slot)
{
    const var_slot *s = &c->var_at[slot];
    if (s->gen == c->vars_gen)
        return s->val;
    return global_search(c, name, slot);
}

/* global_ref for a numbered reference's root name, the name read only when searched for. */
COLD vval *global_search_ref(rctx *c, const vnode *r)
{
    return global_search(c, r->text, r->slot);
}

HOT vval *global_ref_of(rctx *c, const vnode *r)
{
    const var_slot *s = &c->var_at[r->slot];
    if (s->gen == c->vars_gen)
        return s->val;
    return global_search_ref(c, r);
}

COLD vval global_context(rctx *c, vval *v)
{
    *v = resolve(c, *v);
    return *v;
}

HOT vval get_global(rctx *c, slice name, uint32_t slot, uint8_t hint)
{
    vval *at = global_ref(c, name, slot);
    if (at != NULL)
        return at->kind == V_CONTEXT ? global_context(c, at) : *at;
    if (hint & RH_FOREACH)
        return c->foreach ? (vval){.kind = V_FOREACH, .u.f = c->foreach} : v_null();
    if (hint & RH_NULL_IF_MISSING)
        return v_null();
    return v_str(SLICE_NULL); /* API Gateway: an unknown name is "" */
}

/* Inside a macro: its frames first (locals, then arguments by name), then globals. */
COLD vval get_var_framed(rctx *c, const vnode *r)
{
    slice name = r->text;
    for (frame *f = c->frame; f; f = f->parent) {
        long i = vmap_find_str(f->locals, name);
        if (i >= 0 && f->locals->vals[i].kind != V_NULL)
            return resolve(c, f->locals->vals[i]);
        for (uint32_t k = 0; k < f->macro->nparams && k < f->call->nkids; k++) {
            if (!slice_eq(f->macro->params[k], name))
                continue;
            /* arguments bind by name: evaluated in the caller's scope at each use */
            frame *saved = c->frame;
            c->frame = f->parent;
            vval v = eval(c, f->call->kids[k]);
            c->frame = saved;
            return v;
        }
    }
    return get_global(c, name, r->slot, r->hint);
}

/* The value of reference r's root name. */
HOT vval get_var(rctx *c, const vnode *r)
{
    if (c->frame != NULL)
        return get_var_framed(c, r);
    return get_global(c, r->text, r->slot, r->hint);
}

/* Map.put on the variables map, through the remembered place when there is one. */
COLD void set_var_slow(rctx *c, slice name, uint32_t slot, vval v)
{
    for (frame *f = c->frame; f; f = f->parent)
        vmap_put(c->a, f->locals, v_str(name), v);
    vval *at = global_ref(c, name, slot);
    if (at != NULL) {
        *at = v;
        return;
    }
    vmap_put(c->a, c->vars, v_str(name), v);
    c->vars_gen++;
}

/* Map.put of the name into every macro frame's locals and the variables map; outside macros, for a name already
 * there, a store at its remembered place. */
HOT void set_var(rctx *c, slice name, uint32_t slot, vval v)
{
    const var_slot *s = &c->var_at[slot];
    if (c->frame == NULL && s->gen == c->vars_gen && s->val != NULL) { /* never entry 0 (global_ref) */
        *s->val = v;
        return;
    }
    set_var_slow(c, name, slot, v);
}

static void remove_var(rctx *c, slice name)
{
    for (frame *f = c->frame; f; f = f->parent)
        vmap_remove(f->locals, v_str(name));
    size_t had = c->vars->n;
    vmap_remove(c->vars, v_str(name));
    if (c->vars->n != had)
        c->vars_gen++;
}

/* ---------- references ---------- */

static vval index_get(rctx *c, vval self, vval arg, const vnode *n)
{
    (void)n;
    if (self.kind == V_LIST) {
        if (arg.kind != V_INT)
            return v_null();
        int64_t i = arg.u.i;
        if (i < 0)
            i += (int64_t)self.u.l->n;
        if (i < 0 || (size_t)i >= self.u.l->n) {
            rc_fail(c, 500, "InternalServerErrorException",
                    "Error invoking method 'get(java.lang.Integer)' in java.util.ArrayList: index %lld out of bounds "
                    "for length %zu",
                    (long long)arg.u.i, self.u.l->n);
            return v_null();
        }
        vval v = self.u.l->items[i];
        return v.kind == V_NULL ? v_str(SLICE_NULL) : v;
    }
    mresult r = m_call(c, self, SLICE_LIT("get"), &arg, 1);
    return r.found ? r.v : v_null();
}

static vval eval_args_call(rctx *c, vval cur, const vnode *m)
{
    vval stack_args[8];
    vval *args = m->nkids <= 8 ? stack_args : arena_alloc(c->a, m->nkids * sizeof(vval));
    for (uint32_t i = 0; i < m->nkids; i++) {
        args[i] = eval(c, m->kids[i]);
        if (c->ctrl == CTRL_ERROR)
            return v_null();
    }
    mresult r;
    if (cur.kind == V_INPUT)
        r = apigw_input(c, m->text, args, m->nkids, m->path);
    else if (cur.kind == V_UTIL)
        r = apigw_util(c, m->text, args, m->nkids);
    else
        r = m_call(c, cur, m->text, args, m->nkids);
    if (!r.found)
        return v_null();
    return r.v.kind == V_NULL ? v_str(SLICE_NULL) : r.v;
}

/* $context.prop (prop PH_PLAIN and shorter than CONTEXT_NAME_MAX) while $context is not built, when the member
 * is a string, number or boolean: true with *out what the built map would hold. */
HOT bool context_scalar(rctx *c, slice prop, vval *out)
{
    const vtl_pairs *known = &c->env->context_strings; /* the caller's, ahead of a call */
    for (size_t i = 0; i < known->count; i++)
        if (known->items[i].name.len == prop.len && swar_equal_short(known->items[i].name.ptr, prop.ptr, prop.len)) {
            *out = v_str(known->items[i].value);
            return true;
        }
    return apigw_context_scalar(c, prop, out);
}

/* $context.name (for a string, number or boolean member) read before $context is built, without building it:
 * most templates read $context.requestId or another single field. True with *out the member's value as
 * $context.name would give it. */
HOT bool context_member(rctx *c, const vnode *r, vval *out)
{
    if (!(r->hint & RH_CONTEXT) || c->context.kind == V_MAP || c->frame != NULL || r->nkids == 0 ||
        r->kids[0]->kind != E_PROP || !(r->kids[0]->hint & PH_PLAIN))
        return false;
    slice prop = r->kids[0]->text;
    if (prop.len >= CONTEXT_NAME_MAX)
        return false;
    const vval *at = global_ref_of(c, r);
    if (at == NULL || at->kind != V_CONTEXT)
        return false;
    return context_scalar(c, prop, out);
}

/* m_property on a map for a property site the parser found plain (PH_PLAIN): the same lookup, tried first at
 * the place the site found its name in the previous map. Keys are unique, so a hit is the search's answer. */
COLD long map_search(rctx *c, const vmap *m, const vnode *p)
{
    long i = vmap_find_str(m, p->text);
    if (i >= 0 && p->slot != 0)
        c->prop_at[p->slot] = (uint32_t)i;
    return i;
}

/* The index of p's name in m, -1 when absent: tried first where p found it in the previous map. Keys are unique,
 * so a hit is the search's answer. */
HOT long map_index(rctx *c, const vmap *m, const vnode *p)
{
    uint32_t guess = c->prop_at[p->slot]; /* entry 0, for unnumbered sites, is only ever a guess too */
    if (guess < m->n) {
        const vval *k = &m->keys[guess];
        if (k->kind == V_STRING && k->len == p->text.len && swar_equal_short(k->u.str, p->text.ptr, p->text.len))
            return (long)guess;
    }
    return map_search(c, m, p);
}

/* What m_property gives for an absent or null map value: API Gateway prints nulls as "". */
static const vval empty_string = {.kind = V_STRING, .len = 0, .u.str = ""};

/* m_property on a map for a property site the parser found plain (PH_PLAIN): a pointer to the value, to be
 * read before anything changes the map. */
HOT const vval *map_property_at(rctx *c, const vmap *m, const vnode *p)
{
    long i = map_index(c, m, p);
    return i >= 0 && m->vals[i].kind != V_NULL ? &m->vals[i] : &empty_string;
}

HOT vval map_property(rctx *c, const vmap *m, const vnode *p)
{
    return *map_property_at(c, m, p);
}

static vval eval_ref_upto(rctx *c, const vnode *r, uint32_t upto)
{
    if (r->flags & NF_RUNT)
        return v_null();
    uint32_t i = 0;
    vval cur;
    if (upto > 0 && context_member(c, r, &cur))
        i = 1;
    else
        cur = get_var(c, r);
    for (; i < upto && cur.kind != V_NULL && c->ctrl != CTRL_ERROR; i++) {
        const vnode *m = r->kids[i];
        switch (m->kind) {
        case E_PROP:
            if (cur.kind == V_MAP && (m->hint & PH_PLAIN))
                cur = map_property(c, cur.u.m, m);
            else if (cur.kind == V_FOREACH && (m->hint & PH_FOREACH_MASK))
                cur = m_foreach_property(cur.u.f, (m->hint & PH_FOREACH_MASK) >> PH_FOREACH_SHIFT);
            else
                cur = m_property(c, cur, m->text);
            break;
        case E_METHOD:
            /* $input.path('$.a') and $input.json with their constant paths compiled with the template */
            cur = cur.kind == V_INPUT && m->path != NULL ? apigw_input_const(c, m->path) : eval_args_call(c, cur, m);
            break;
        case E_INDEX: {
            vval arg = eval(c, m->kids[0]);
            cur = index_get(c, cur, arg, m);
            break;
        }
        default:
            cur = v_null();
        }
    }
    return cur;
}

/* eval_ref_upto for the commonest references, a name and properties ($elem.name.S), without the method and
 * index cases. */
HOT vval eval_props(rctx *c, const vnode *r)
{
    /* cur points at the value in its map (or at tmp), so that the walk copies only the value it ends on */
    vval tmp;
    const vval *cur;
    if (c->frame == NULL && (cur = global_ref_of(c, r)) != NULL && cur->kind != V_CONTEXT) {
        /* the value where it is */
    } else if (c->frame == NULL && cur == NULL && (r->hint & RH_FOREACH) && c->foreach != NULL) {
        /* $foreach inside a loop, not set by the template: what get_var gives, without searching again */
        tmp = (vval){.kind = V_FOREACH, .u.f = c->foreach};
        cur = &tmp;
    } else {
        tmp = get_var(c, r);
        if (c->ctrl == CTRL_ERROR)
            return tmp;
        cur = &tmp;
    }
    vnode *const *kids = r->kids;
    for (uint32_t i = 0, n = r->nkids; i < n; i++) {
        const vnode *p = kids[i];
        if (cur->kind == V_MAP && (p->hint & PH_PLAIN)) {
            cur = map_property_at(c, cur->u.m, p);
        } else if (cur->kind == V_NULL) {
            break;
        } else if (cur->kind == V_FOREACH && (p->hint & PH_FOREACH_MASK)) {
            tmp = m_foreach_property(cur->u.f, (p->hint & PH_FOREACH_MASK) >> PH_FOREACH_SHIFT);
            cur = &tmp;
        } else {
            tmp = m_property(c, *cur, p->text);
            cur = &tmp;
            if (c->ctrl == CTRL_ERROR)
                break;
        }
    }
    return *cur;
}

static vval eval_ref(rctx *c, const vnode *r)
{
    /* $context.x is read without building $context (context_member) */
    if ((r->hint & (RH_PROPS | RH_CONTEXT)) == RH_PROPS)
        return eval_props(c, r);
    return eval_ref_upto(c, r, r->nkids);
}

/* Prints reference r whose value is v. */
static void render_ref_value(rctx *c, const vnode *r, vval v)
{
    if (c->ctrl == CTRL_ERROR)
        return;
    if (r->flags & NF_ESCAPED) {
        emit(c, slice_make(r->prefix.ptr, (size_t)r->ival));
        if (v.kind == V_NULL)
            emit(c, SLICE_LIT("\\"));
        emit(c, r->literal);
        return;
    }
    if (r->prefix.len != 0)
        emit(c, r->prefix);
    if (v.kind == V_NULL)
        return;
    if (v.kind == V_BLOCK) {
        print_block(c, c->out, v.u.blk);
        return;
    }
    if (v.kind == V_STRING) {
        emit(c, v_s(v));
        return;
    }
    emit(c, v_to_string(c, v));
}

static void render_ref(rctx *c, const vnode *r)
{
    if (r->flags & NF_RUNT) {
        emit(c, r->text);
        return;
    }
    render_ref_value(c, r, (r->hint & (RH_PROPS | RH_CONTEXT)) == RH_PROPS ? eval_props(c, r) : eval_ref(c, r));
}

/* render_ref for the references most templates print ($elem.name.S, RH_PLAIN): a string value is printed here,
 * anything else the general way. */
HOT void render_plain_ref(rctx *c, const vnode *r)
{
    vval v = eval_props(c, r);
    if (v.kind == V_STRING)
        emit(c, v_s(v)); /* after an error what is printed is never seen */
    else
        render_ref_value(c, r, v);
}

/* A map key of n bytes (n its length too) equal to a property's name: swar_equal_short with the one-byte names of
 * DynamoDB's attribute values ("S", "N", "M", "L") answered first, in one comparison. */
static inline __attribute__((always_inline)) bool prop_name_equal(const char *key, const char *name, size_t n)
{
    if (n == 1)
        return key[0] == name[0];
    return swar_equal_short(key, name, n);
}

/* The string a plain reference prints when its variable holds maps down to a string: each property found where
 * its site found it in the previous map (or by a search), the value pointed at where it sits. NULL for anything
 * else (a property not a plain lookup, a value not a map on the way, a missing or null one before the last
 * property, a last value not a string): render_plain_ref then starts again, as lookups change nothing but the
 * caches. `all_plain`: the caller knows every property is PH_PLAIN (a flat block's references). */
static inline __attribute__((always_inline)) const vval *map_ref_string(rctx *c, const vnode *r, bool all_plain)
{
    const vval *cur = global_ref_of(c, r);
    if (cur == NULL)
        return NULL;
    const uint32_t *prop_at = c->prop_at;
    vnode *const *kids = r->kids;
    for (uint32_t i = 0, n = r->nkids; i < n; i++) {
        const vnode *p = kids[i];
        if (cur->kind != V_MAP || (!all_plain && !(p->hint & PH_PLAIN)))
            return NULL;
        const vmap *m = cur->u.m;
        size_t at = prop_at[p->slot];
        const vval *k;
        /* the key's kind and length against the name's, precomputed (slots.c; 0 when not: then searched) */
        if (!(at < m->n && v_head(k = &m->keys[at]) == (uint64_t)p->ival &&
              prop_name_equal(k->u.str, p->text.ptr, p->text.len))) {
            long found = map_search(c, m, p);
            if (found < 0)
                return NULL;
            at = (size_t)found;
        }
        cur = &m->vals[at];
    }
    return cur->kind == V_STRING ? cur : NULL;
}

/* render_plain_ref, outside macros, printing a string found through maps where it sits. */
HOT void render_map_ref(rctx *c, const vnode *r)
{
    const vval *v;
    if (c->frame == NULL && (v = map_ref_string(c, r, false)) != NULL)
        emit(c, v_s(*v));
    else
        render_plain_ref(c, r);
}

/* render_ref for $input.path('$.a') / $input.json (RH_INPUT_CONST) outside macros, where $input names what it
 * names without evaluating anything: the call made straight away. */
HOT void render_input_const(rctx *c, const vnode *r)
{
    const vval *at;
    if (c->frame != NULL || (at = global_ref_of(c, r)) == NULL || at->kind != V_INPUT) {
        render_ref(c, r);
        return;
    }
    const input_path *ip = r->kids[0]->path;
    const bool as_is = r->prefix.len == 0 && !(r->flags & NF_ESCAPED); /* a string prints as it is */
    if (ip->member && as_is) {
        const vval *s = apigw_input_member_string(c, ip);
        if (s != NULL) {
            emit(c, v_s(*s));
            return;
        }
        if (c->ctrl != CTRL_NONE)
            return;
    }
    vval v = apigw_input_const(c, ip);
    if (v.kind == V_STRING && as_is)
        emit(c, v_s(v)); /* after an error what is printed is never seen */
    else
        render_ref_value(c, r, v);
}

/* render_ref for $context.name, when context_member can answer it. */
HOT void render_context_ref(rctx *c, const vnode *r)
{
    vval v;
    if (r->nkids != 1 || (r->flags & NF_RUNT) || !context_member(c, r, &v))
        render_ref(c, r);
    else if (v.kind == V_STRING && r->prefix.len == 0 && !(r->flags & NF_ESCAPED))
        emit(c, v_s(v)); /* after an error what is printed is never seen */
    else
        render_ref_value(c, r, v);
}

/* #set($a.b.c = v) / #set($m[$k] = v) */
static void set_ref(rctx *c, const vnode *r, vval v)
{
    if (r->nkids == 0) {
        set_var(c, r->text, r->slot, v);
        return;
    }
    vval target = eval_ref_upto(c, r, r->nkids - 1);
    if (target.kind == V_NULL || c->ctrl == CTRL_ERROR)
        return;
    const vnode *last = r->kids[r->nkids - 1];
    if (last->kind == E_INDEX) {
        vval key = eval(c, last->kids[0]);
        if (target.kind == V_LIST) {
            if (key.kind != V_INT)
                return;
            int64_t i = key.u.i < 0 ? key.u.i + (int64_t)target.u.l->n : key.u.i;
            if (i < 0 || (size_t)i >= target.u.l->n) {
                rc_fail(
                    c, 500, "InternalServerErrorException",
                    "Exception calling method 'set(java.lang.Integer,%s)' in java.util.ArrayList: index out of bounds",
                    v_class_name(v));
                return;
            }
            target.u.l->items[i] = v;
        } else if (target.kind == V_MAP) {
            vmap_put(c->a, target.u.m, key, v);
        }
        return;
    }
    if (target.kind == V_MAP)
        vmap_put(c->a, target.u.m, v_str(last->text), v);
}

/* ---------- expressions ---------- */

static vval arith(rctx *c, int op, vval l, vval r)
{
    if (!v_is_num(l) || !v_is_num(r))
        return v_null();
    if (l.kind == V_DOUBLE || r.kind == V_DOUBLE) {
        double a = l.kind == V_DOUBLE ? l.u.d : (double)l.u.i, b = r.kind == V_DOUBLE ? r.u.d : (double)r.u.i;
        switch (op) {
        case E_ADD:
            return v_double(a + b);
        case E_SUB:
            return v_double(a - b);
        case E_MUL:
            return v_double(a * b);
        case E_DIV:
            return b == 0 ? v_null() : v_double(a / b);
        default:
            return b == 0 ? v_null() : v_double(fmod(a, b));
        }
    }
    int64_t a = l.u.i, b = r.u.i, res;
    bool lng = l.kind == V_LONG || r.kind == V_LONG, ovf = false;
    switch (op) {
    case E_ADD:
        ovf = __builtin_add_overflow(a, b, &res);
        break;
    case E_SUB:
        ovf = __builtin_sub_overflow(a, b, &res);
        break;
    case E_MUL:
        ovf = __builtin_mul_overflow(a, b, &res);
        break;
    case E_DIV:
        if (b == 0)
            return v_null();
        if (a == INT64_MIN && b == -1)
            return v_double(-(double)INT64_MIN);
        res = a / b;
        break;
    default:
        if (b == 0)
            return v_null();
        res = (b == -1) ? 0 : a % b;
        break;
    }
    if (ovf) { /* BigInteger in Velocity; a double is the nearest we carry */
        double x = (double)a, y = (double)b;
        return v_double(op == E_ADD ? x + y : op == E_SUB ? x - y : x * y);
    }
    (void)c;
    return lng ? v_long(res) : v_integral(res);
}

static int num_cmp(vval l, vval r)
{
    if (l.kind == V_DOUBLE || r.kind == V_DOUBLE) {
        double a = l.kind == V_DOUBLE ? l.u.d : (double)l.u.i, b = r.kind == V_DOUBLE ? r.u.d : (double)r.u.i;
        return a < b ? -1 : a > b ? 1 : 0;
    }
    return l.u.i < r.u.i ? -1 : l.u.i > r.u.i ? 1 : 0;
}

static bool same_family(vval a, vval b)
{
    if (a.kind == b.kind)
        return a.kind != V_LIST || true;
    return false;
}

static bool values_equal(rctx *c, vval l, vval r)
{
    if (v_is_num(l) && v_is_num(r))
        return num_cmp(l, r) == 0;
    if (l.kind != V_NULL && r.kind != V_NULL && same_family(l, r))
        return v_java_equals(l, r);
    if (l.kind == V_NULL && r.kind == V_NULL)
        return true;
    if (l.kind == V_NULL || r.kind == V_NULL)
        return false;
    return slice_eq(v_to_string(c, l), v_to_string(c, r));
}

/* Java's Number.intValue(), which Velocity 1.7's range takes of both ends: a double saturates (NaN is 0), a long
 * keeps its low 32 bits. */
static int64_t java_int_value(vval v)
{
    if (v.kind != V_DOUBLE)
        return (int32_t)(uint32_t)(uint64_t)v.u.i;
    if (v.u.d != v.u.d)
        return 0;
    if (v.u.d >= 2147483647.0)
        return INT32_MAX;
    if (v.u.d <= -2147483648.0)
        return INT32_MIN;
    return (int64_t)v.u.d;
}

static vval range_value(rctx *c, const vnode *n)
{
    vval a = eval(c, n->kids[0]), b = eval(c, n->kids[1]);
    if (!v_is_num(a) || !v_is_num(b))
        return v_null();
    int64_t from = java_int_value(a), to = java_int_value(b);
    uint64_t count = (uint64_t)(from <= to ? to - from : from - to) + 1;
    if (count > 1000000) {
        rc_fail(c, 500, "InternalServerErrorException", "range [%lld..%lld] is too large", (long long)from,
                (long long)to);
        return v_null();
    }
    vlist *l = vlist_new(c->a, (size_t)count, false);
    for (uint64_t i = 0; i < count; i++)
        vlist_add(c->a, l, v_integral(from <= to ? from + (int64_t)i : from - (int64_t)i));
    return (vval){.kind = V_LIST, .u.l = l};
}

static vval eval_istring(rctx *c, const vnode *n)
{
    if (c->depth >= VTL_MAX_DEPTH) {
        rc_fail(c, 500, "InternalServerErrorException", "string interpolation nested deeper than %d", VTL_MAX_DEPTH);
        return v_null();
    }
    jutil_buf b;
    jutil_buf_init(&b, c->a, 64);
    jutil_buf *saved = c->out;
    c->out = &b;
    c->depth++;
    render_block(c, n->kids[0]);
    c->depth--;
    c->out = saved;
    slice s = jutil_buf_slice(&b);
    if ((n->flags & NF_STRIP_LAST) && s.len > 0)
        s.len--;
    return v_str(s);
}

static vval eval(rctx *c, const vnode *n)
{
    if (c->ctrl == CTRL_ERROR)
        return v_null();
    switch (n->kind) {
    case E_STRING:
        return v_str(n->text);
    case E_ISTRING:
        return eval_istring(c, n);
    case E_INT:
        return (n->flags & NF_LONG) ? v_long(n->ival) : v_int(n->ival);
    case E_FLOAT:
        return v_double(n->dval);
    case E_TRUE:
        return v_bool(true);
    case E_FALSE:
        return v_bool(false);
    case E_WORD:
        return v_null();
    case E_REF:
        return eval_ref(c, n);
    case E_RANGE:
        return range_value(c, n);
    case E_LIST: {
        vlist *l = vlist_new(c->a, n->nkids, false);
        for (uint32_t i = 0; i < n->nkids; i++)
            vlist_add(c->a, l, eval(c, n->kids[i]));
        return (vval){.kind = V_LIST, .u.l = l};
    }
    case E_MAP: {
        vmap *m = vmap_new(c->a, n->nkids / 2);
        for (uint32_t i = 0; i + 1 < n->nkids; i += 2) {
            vval k = eval(c, n->kids[i]);
            vval v = eval(c, n->kids[i + 1]);
            vmap_put(c->a, m, k, v);
        }
        return (vval){.kind = V_MAP, .u.m = m};
    }
    case E_OR:
    case E_AND:
    case E_NOT:
    case E_EQ:
    case E_NE:
    case E_LT:
    case E_GT:
    case E_LE:
    case E_GE:
        return v_bool(truthy(c, n));
    case E_ADD: {
        vval l = eval(c, n->kids[0]), r = eval(c, n->kids[1]);
        if (l.kind == V_STRING || r.kind == V_STRING) {
            slice a = l.kind == V_NULL ? n->kids[0]->literal : v_to_string(c, l);
            slice b = r.kind == V_NULL ? n->kids[1]->literal : v_to_string(c, r);
            char *buf = arena_alloc(c->a, a.len + b.len + 1);
            if (a.len)
                memcpy(buf, a.ptr, a.len);
            if (b.len)
                memcpy(buf + a.len, b.ptr, b.len);
            return v_str(slice_make(buf, a.len + b.len));
        }
        return arith(c, E_ADD, l, r);
    }
    case E_SUB:
    case E_MUL:
    case E_DIV:
    case E_MOD: {
        vval l = eval(c, n->kids[0]), r = eval(c, n->kids[1]);
        return arith(c, n->kind, l, r);
    }
    default:
        return v_null();
    }
}

static bool truthy(rctx *c, const vnode *n)
{
    if (c->ctrl == CTRL_ERROR)
        return false;
    switch (n->kind) {
    case E_REF: {
        vval v = (n->hint & (RH_PROPS | RH_CONTEXT)) == RH_PROPS ? eval_props(c, n) : eval_ref(c, n);
        if (v.kind == V_NULL)
            return false;
        if (v.kind == V_BOOL)
            return v.u.b;
        return true;
    }
    case E_TRUE:
        return true;
    case E_OR:
        return truthy(c, n->kids[0]) || truthy(c, n->kids[1]);
    case E_AND:
        return truthy(c, n->kids[0]) && truthy(c, n->kids[1]);
    case E_NOT:
        return !truthy(c, n->kids[0]);
    case E_EQ:
    case E_NE: {
        vval l = eval(c, n->kids[0]), r = eval(c, n->kids[1]);
        bool eq = values_equal(c, l, r);
        return n->kind == E_EQ ? eq : !eq;
    }
    case E_LT:
    case E_GT:
    case E_LE:
    case E_GE: {
        vval l = eval(c, n->kids[0]), r = eval(c, n->kids[1]);
        if (!v_is_num(l) || !v_is_num(r))
            return false;
        int k = num_cmp(l, r);
        return n->kind == E_LT ? k < 0 : n->kind == E_GT ? k > 0 : n->kind == E_LE ? k <= 0 : k >= 0;
    }
    default:
        return false; /* Velocity: literals, lists and maps do not evaluate to true */
    }
}

/* ---------- directives ---------- */

static void render_foreach(rctx *c, const vnode *n)
{
    const vnode *src = n->kids[0];
    vval coll = eval(c, src);
    if (c->ctrl == CTRL_ERROR || coll.kind == V_NULL)
        return;
    vval *items = NULL;
    size_t count = 0;
    vmap *keys_of = NULL;
    if (coll.kind == V_LIST) {
        /* iterate a snapshot of the length: Velocity's iterator would fail on concurrent change */
        items = coll.u.l->items;
        count = coll.u.l->n;
    } else if (coll.kind == V_MAP) {
        keys_of = coll.u.m;
        count = coll.u.m->n;
    } else {
        return; /* not iterable */
    }
    slice name = n->text;
    const slice count_name = SLICE_LIT("velocityCount"), has_next_name = SLICE_LIT("velocityHasNext");
    /* Velocity sets $velocityCount and $velocityHasNext at every turn; a template that cannot name them (and
     * evaluates no text that could) cannot tell whether they were set */
    const bool velocity_vars = !c->t->no_velocity_vars;
    const vval *at = global_ref(c, name, n->slot);
    bool had = at != NULL;
    vval old = had ? *at : v_null();
    bool hc = false, hh = false;
    vval old_count = v_null(), old_hn = v_null();
    if (velocity_vars) {
        at = global_ref(c, count_name, SLOT_VELOCITY_COUNT);
        hc = at != NULL;
        old_count = hc ? *at : v_null();
        at = global_ref(c, has_next_name, SLOT_VELOCITY_HAS_NEXT);
        hh = at != NULL;
        old_hn = hh ? *at : v_null();
    }
    /* Velocity puts the loop's scope over a $foreach the template set before the loop and puts that value back
     * after it, unless the template set $foreach again inside (Directive.preRender / postRender) */
    const slice foreach_name = SLICE_LIT("foreach");
    vval *shadowed_at = c->t->no_foreach_var ? NULL : global_ref(c, foreach_name, 0);
    bool shadowed = shadowed_at != NULL;
    vval shadowed_value = shadowed ? *shadowed_at : v_null();
    if (shadowed)
        remove_var(c, foreach_name);
    vforeach scope = {.index = -1, .has_next = false, .parent = c->foreach};
    c->foreach = &scope;
    const vnode *body = n->kids[1];
    if (keys_of == NULL && !velocity_vars && (body->hint & BH_FLAT) && c->frame == NULL) {
        /* the loop below for a list and a flat body, without what they do not need */
        const vlist *l = coll.u.l;
        /* the output and the step count held across the turns: setting the loop variable touches neither */
        flat_state f;
        flat_load(c, &f);
        bool held = true;
        const size_t turns = count < VTL_FOREACH_MAX ? count : VTL_FOREACH_MAX;
        const var_slot *at_var = &c->var_at[n->slot]; /* the caches do not move during a render */
        for (size_t i = 0; i < turns && i < l->n; i++) {
            vval item = l->items[i];
            scope.index = (int64_t)i;
            scope.has_next = i + 1 < l->n;
            if (item.kind != V_NULL && at_var->gen == c->vars_gen && at_var->val != NULL) /* not entry 0 */
                *at_var->val = item; /* set_var's own first case, its test of c->frame made above */
            else if (item.kind == V_NULL)
                remove_var(c, name);
            else
                set_var(c, name, n->slot, item);
            if (!flat_run(c, body, &f)) {
                held = false;
                if (c->ctrl == CTRL_BREAK)
                    c->ctrl = CTRL_NONE;
                break;
            }
        }
        if (held)
            flat_store(c, &f);
        count = 0; /* done */
    }
    for (size_t i = 0; i < count && i < VTL_FOREACH_MAX; i++) {
        vval item;
        if (keys_of) {
            if (i >= keys_of->n)
                break;
            item = keys_of->vals[i];
        } else {
            if (i >= coll.u.l->n)
                break;
            item = coll.u.l->items[i];
            (void)items;
        }
        size_t now = keys_of ? keys_of->n : coll.u.l->n;
        scope.index = (int64_t)i;
        scope.has_next = i + 1 < now;
        if (velocity_vars) {
            set_var(c, count_name, SLOT_VELOCITY_COUNT, v_int((int64_t)i + 1));
            set_var(c, has_next_name, SLOT_VELOCITY_HAS_NEXT, v_bool(scope.has_next));
        }
        if (item.kind == V_NULL)
            remove_var(c, name);
        else
            set_var(c, name, n->slot, item);
        if ((n->kids[1]->hint & BH_FLAT) && c->frame == NULL) /* render_block's first test, without its call */
            render_flat(c, n->kids[1]);
        else
            render_block(c, n->kids[1]);
        if (c->ctrl == CTRL_BREAK) {
            c->ctrl = CTRL_NONE;
            break;
        }
        if (c->ctrl != CTRL_NONE)
            break;
    }
    c->foreach = scope.parent;
    if (c->ctrl == CTRL_ERROR)
        return;
    if (shadowed && global_ref(c, foreach_name, 0) == NULL)
        set_var(c, foreach_name, 0, shadowed_value);
    if (had)
        set_var(c, name, n->slot, old);
    else
        remove_var(c, name);
    if (!velocity_vars)
        return;
    if (hc)
        set_var(c, count_name, SLOT_VELOCITY_COUNT, old_count);
    else
        remove_var(c, count_name);
    if (hh)
        set_var(c, has_next_name, SLOT_VELOCITY_HAS_NEXT, old_hn);
    else
        remove_var(c, has_next_name);
}

static void render_macro_call(rctx *c, const vnode *n)
{
    const vmacro *m = vtl_find_macro(c->t, n->text);
    if (m == NULL) {
        emit(c, n->literal);
        return;
    }
    if (c->depth >= VTL_MAX_DEPTH) {
        rc_fail(c, 500, "InternalServerErrorException", "Max calling depth of %d was exceeded in macro '%.*s'",
                VTL_MAX_DEPTH, SLICE_FMT(n->text));
        return;
    }
    frame f = {.macro = m, .call = n, .parent = c->frame, .locals = vmap_new(c->a, 4)};
    /* constant arguments (numbers, booleans, words) are evaluated once, at the call */
    for (uint32_t k = 0; k < m->nparams && k < n->nkids; k++) {
        int kind = n->kids[k]->kind;
        if (kind != E_REF && kind != E_RANGE && kind != E_LIST && kind != E_MAP && kind != E_STRING &&
            kind != E_ISTRING)
            vmap_put(c->a, f.locals, v_str(m->params[k]), eval(c, n->kids[k]));
    }
    c->frame = &f;
    c->depth++;
    render_block(c, m->body);
    c->depth--;
    c->frame = f.parent;
    if (c->ctrl == CTRL_BREAK)
        c->ctrl = CTRL_NONE;
}

static void render_evaluate(rctx *c, const vnode *n)
{
    vval v = eval(c, n->kids[0]);
    if (v.kind == V_NULL || c->ctrl == CTRL_ERROR)
        return;
    if (c->depth >= VTL_MAX_DEPTH) {
        rc_fail(c, 500, "InternalServerErrorException", "#evaluate nested deeper than %d", VTL_MAX_DEPTH);
        return;
    }
    slice src = v_to_string(c, v);
    aws_error e;
    error_clear(&e);
    /* macros the evaluated text defines go into a per-request copy: the compiled template is shared */
    vtl_template *scope = arena_alloc(c->a, sizeof(*scope));
    *scope = *c->t;
    vnode *tree = vtl_parse(scope, src, c->a, 1, &e);
    if (!tree) {
        rc_fail(c, 500, "InternalServerErrorException", "#evaluate: %s", e.message);
        return;
    }
    const vtl_template *saved = c->t;
    c->t = scope;
    c->depth++;
    render_block(c, tree);
    c->depth--;
    c->t = saved;
    if (c->ctrl == CTRL_BREAK)
        c->ctrl = CTRL_NONE;
}

static void limit_exceeded(rctx *c);

/* render_block for a block of one text statement (what #if($foreach.hasNext),#end holds) without entering the
 * block loop again. */
HOT void render_short_block(rctx *c, const vnode *b)
{
    if (b->nkids != 1 || b->kids[0]->kind != N_TEXT) {
        render_block(c, b);
        return;
    }
    if (c->ctrl != CTRL_NONE)
        return;
    if (++c->steps > VTL_MAX_STEPS || c->a->total_bytes > c->memory_limit) {
        limit_exceeded(c);
        return;
    }
    emit(c, b->kids[0]->text);
}

/* The condition of an #if or #elseif: property references (the commonest, $foreach.hasNext) without a call. */
HOT bool condition(rctx *c, const vnode *n)
{
    if (n->kind != E_REF || (n->hint & (RH_PROPS | RH_CONTEXT)) != RH_PROPS)
        return truthy(c, n);
    if (c->ctrl == CTRL_ERROR)
        return false;
    vval v = eval_props(c, n);
    return v.kind == V_BOOL ? v.u.b : v.kind != V_NULL;
}

/* An #if marked NF_FOREACH_IF, outside macros, in a loop, with no variable named foreach: the getter read
 * straight from the loop's state, as condition() would read it through $foreach. False when the general way must
 * answer. */
HOT bool render_foreach_if(rctx *c, const vnode *n)
{
    const vnode *cond = n->kids[0];
    if (c->frame != NULL || c->foreach == NULL || global_ref(c, cond->text, cond->slot) != NULL)
        return false;
    vval v = m_foreach_property(c->foreach, (cond->kids[0]->hint & PH_FOREACH_MASK) >> PH_FOREACH_SHIFT);
    if (v.kind != V_BOOL || v.u.b) /* $foreach.index and .count are numbers: true */
        render_short_block(c, n->kids[1]);
    return true;
}

HOT void render_if(rctx *c, const vnode *n)
{
    if ((n->flags & NF_FOREACH_IF) && render_foreach_if(c, n))
        return;
    uint32_t pairs = (n->flags & NF_HAS_ELSE) ? n->nkids - 1 : n->nkids;
    for (uint32_t i = 0; i + 1 < pairs + 1 && i < pairs; i += 2) {
        if (condition(c, n->kids[i])) {
            render_short_block(c, n->kids[i + 1]);
            return;
        }
        if (c->ctrl != CTRL_NONE)
            return;
    }
    if (n->flags & NF_HAS_ELSE)
        render_short_block(c, n->kids[n->nkids - 1]);
}

static void limit_exceeded(rctx *c)
{
    if (c->steps > VTL_MAX_STEPS)
        rc_fail(c, 500, "InternalServerErrorException", "template rendering exceeded %u steps", VTL_MAX_STEPS);
    else
        rc_fail(c, 500, "InternalServerErrorException", "template rendering exceeded %u bytes of memory",
                VTL_MAX_MEMORY);
}

/* A statement other than text (render_block prints text itself), its step already counted. */
static void render_node(rctx *c, const vnode *n)
{
    switch (n->kind) {
    case N_BLOCK:
        render_block(c, n);
        return;
    case N_REF:
        render_ref(c, n->kids[0]);
        return;
    case N_IF:
        render_if(c, n);
        return;
    case N_SET: {
        vval v = eval(c, n->kids[1]);
        if (v.kind == V_NULL || c->ctrl == CTRL_ERROR)
            return; /* Velocity 1.7 leaves the target unchanged when the value is null */
        set_ref(c, n->kids[0], v);
        return;
    }
    case N_FOREACH:
        render_foreach(c, n);
        return;
    case N_DEFINE: {
        block_ref *br = arena_alloc(c->a, sizeof(*br));
        br->body = n->kids[0];
        br->frame = c->frame;
        set_var(c, n->text, n->slot, (vval){.kind = V_BLOCK, .u.blk = br});
        return;
    }
    case N_MACRO_DEF:
        return;
    case N_MACRO_CALL:
        render_macro_call(c, n);
        return;
    case N_BREAK:
        c->ctrl = CTRL_BREAK;
        return;
    case N_STOP:
        c->ctrl = CTRL_STOP;
        return;
    case N_EVALUATE:
        render_evaluate(c, n);
        return;
    default:
        return;
    }
}

/* ---------- flat blocks ---------- */

/* A statement of a flat block that the held buffer could not take: `text` printed when it has bytes, else s
 * rendered the general way. Out of line, so that the loop's registers are not spent on it. */
COLD void flat_slow(rctx *c, const vnode *s, slice text)
{
    if (text.ptr != NULL)
        emit(c, text);
    else if (s->kind == N_REF)
        render_map_ref(c, s->kids[0]);
    else
        render_if(c, s);
}

/* The statements of a BH_FLAT block outside macros, with *fp holding the state (flat_load): true when they all
 * ran, *fp then holding it still; false when the render or the loop stopped, the state stored. They are the
 * statements render_block would run, each counted and checked against the
 * limits before it runs (the memory limit again only after a call: printing into the held buffer and looking
 * values up take nothing from the arena), with the same output; text, string references and loop separators are printed
 * into the held buffer, anything else through the general functions (with the state stored around the call, and the
 * block stopped as render_block stops it when that call ends the render or the loop). */
static inline __attribute__((always_inline)) bool flat_run(rctx *c, const vnode *b, flat_state *fp)
{
    flat_state f = *fp;
    vnode *const *k = b->kids; /* ends with an N_FLAT_END (ast.h), even when empty: no count to compare */
    const vnode *s;
    slice text;
next_checked:
    s = *k++;
    if (s->kind == N_FLAT_END)
        goto done;
    /* the arena and the limit read from c each time: held in registers too, they would crowd the loop's own */
    if (__builtin_expect(c->a->total_bytes > c->memory_limit, 0)) {
        f.steps++; /* counted as it runs, so that limit_exceeded names the step limit first, as it would */
        goto limit;
    }
    goto run;
next_unchanged: /* nothing taken from the arena since the last check: the memory limit holds as it did */
    s = *k++;
run: /* each statement counted (and the count checked) before it runs */
    if (s->kind == N_TEXT) {
        if (__builtin_expect(++f.steps > VTL_MAX_STEPS, 0))
            goto limit;
        text = s->text;
        goto padded;
    } else if (s->kind == N_REF) {
        if (__builtin_expect(++f.steps > VTL_MAX_STEPS, 0))
            goto limit;
        const vval *v = map_ref_string(c, s->kids[0], true);
        if (v == NULL)
            goto general;
        text = v_s(*v);
    } else if (s->kind == N_FLAT_END) {
        goto done;
    } else { /* an NF_FOREACH_IF #if: render_foreach_if, its block one text (render_short_block) */
        if (__builtin_expect(++f.steps > VTL_MAX_STEPS, 0))
            goto limit;
        const vnode *cond = s->kids[0];
        if (c->foreach == NULL || (!c->t->no_foreach_var && global_ref(c, cond->text, cond->slot) != NULL))
            goto general;
        vval v = m_foreach_property(c->foreach, (int)s->ival);
        if (v.kind == V_BOOL && !v.u.b)
            goto next_unchanged;
        if (__builtin_expect(++f.steps > VTL_MAX_STEPS, 0))
            goto limit;
        text = s->text;
        goto padded;
    }
    if (flat_put(&f, text))
        goto next_unchanged;
    goto put_slow;
padded: /* a text of the block: FLAT_TEXT_PAD readable bytes when it is no longer (ast.h) */
    if (text.len <= FLAT_TEXT_PAD && (size_t)(f.room_end - f.dst) >= FLAT_TEXT_PAD) {
        memcpy(f.dst, text.ptr, FLAT_TEXT_PAD); /* within the room: the bytes past the text are written over later */
        f.dst += text.len;
        goto next_unchanged;
    }
put_slow:
    flat_store(c, &f);
    flat_slow(c, s, text.ptr != NULL ? text : SLICE_LIT(""));
    goto called;
general:
    flat_store(c, &f);
    flat_slow(c, s, SLICE_NULL);
called: /* what the call printed and counted, and whether it ended the render */
    flat_load(c, &f);
    if (c->ctrl != CTRL_NONE)
        return false;
    goto next_checked;
done:
    *fp = f;
    return true;
limit:
    flat_store(c, &f);
    limit_exceeded(c);
    return false;
}

static inline __attribute__((always_inline)) void render_flat(rctx *c, const vnode *b)
{
    if (c->ctrl != CTRL_NONE)
        return;
    flat_state f;
    flat_load(c, &f);
    if (flat_run(c, b, &f))
        flat_store(c, &f);
}

/* Every statement is a step, checked against the step and memory limits before it runs; text, most of what a
 * template holds, is printed here without a call. */
static void render_block(rctx *c, const vnode *b)
{
    if ((b->hint & BH_FLAT) && c->frame == NULL) {
        render_flat(c, b);
        return;
    }
    const size_t *used = &c->a->total_bytes, limit = c->memory_limit; /* neither the arena nor the limit moves */
    if (b->nkids == 0 || c->ctrl != CTRL_NONE)                        /* an empty block may have no array at all */
        return;
    for (vnode *const *k = b->kids, *const *end = k + b->nkids; k != end;) {
        const vnode *n = *k++;
        if (__builtin_expect(++c->steps > VTL_MAX_STEPS || *used > limit, 0)) {
            limit_exceeded(c);
            return;
        }
        if (n->kind == N_TEXT) {
            /* emit's own first case: a text that fits cannot stop the render, so the loop goes on untested */
            jutil_buf *out = c->out;
            size_t len = n->text.len, to = out->len + len;
            if (to < out->cap && to <= VTL_MAX_OUTPUT && len != 0) {
                if (len <= 32)
                    copy_short(out->ptr + out->len, n->text.ptr, len);
                else
                    memcpy(out->ptr + out->len, n->text.ptr, len);
                out->len = to;
                continue;
            }
            emit_slow(c, n->text);
        } else if (n->kind == N_REF && (n->kids[0]->hint & RH_PLAIN))
            render_map_ref(c, n->kids[0]);
        else if (n->kind == N_REF && (n->kids[0]->hint & RH_INPUT_CONST))
            render_input_const(c, n->kids[0]);
        else if (n->kind == N_REF && (n->kids[0]->hint & RH_CONTEXT))
            render_context_ref(c, n->kids[0]);
        else if (n->kind == N_REF)
            render_ref(c, n->kids[0]);
        else if (n->kind == N_IF)
            render_if(c, n);
        else
            render_node(c, n);
        if (c->ctrl != CTRL_NONE)
            return;
    }
}

/* ---------- public API ---------- */

vtl_template *vtl_compile(slice source, arena *a, aws_error *err)
{
    vtl_template *t = arena_calloc(a, sizeof(*t));
    t->source = arena_slice_dup(a, source);
    t->root = vtl_parse(t, t->source, a, 0, err);
    if (t->root == NULL)
        return NULL;
    slots_number(t, a);
    apigw_precompile(t->root, a);
    for (vmacro *m = t->macros; m; m = m->next)
        apigw_precompile(m->body, a);
    straight_plan(t, a);
    return t;
}

/* The variables map every render starts with, in the order of their SLOT_ numbers: copied in one move (the last
 * value, $stageVariables, is the render's own map). */
#define GLOBAL_NAME(s)                                                                                                 \
    {                                                                                                                  \
        .kind = V_STRING, .len = sizeof(s) - 1, .u.str = s                                                             \
    }
static const vval global_names[4] = {GLOBAL_NAME("input"), GLOBAL_NAME("util"), GLOBAL_NAME("context"),
                                     GLOBAL_NAME("stageVariables")};
static const vval global_values[4] = {{.kind = V_INPUT}, {.kind = V_UTIL}, {.kind = V_CONTEXT}, {.kind = V_NULL}};
#undef GLOBAL_NAME

/* The variables map and caches of a general render: API Gateway's variables written straight into a new map (its
 * names are distinct, so no put needs to look for them first), and their places remembered under the numbers
 * slots.c gives them in every template. */
static void vars_setup(rctx *c)
{
    arena *a = c->a;
    const vtl_template *t = c->t;
    const vtl_pairs *stage = &c->env->stage_variables;
    vmap *vars = c->vars = vmap_new(a, 16);
    vmap *sv = vmap_new(a, stage->count); /* before the loop: Map.put keeps the last of a name */
    for (size_t i = 0; i < stage->count; i++)
        vmap_put(a, sv, v_str(stage->items[i].name), v_str(stage->items[i].value));
    /* the loop variables' and the globals' numbers are there even in a tree slots_number never saw */
    uint32_t nnames = t->nnames >= SLOT_FIRST_FREE - 1 ? t->nnames : SLOT_FIRST_FREE - 1;
    size_t caches = (nnames + 1) * sizeof(var_slot) + (t->nprops + 1) * sizeof(uint32_t);
    c->var_at = arena_alloc(a, caches);
    memset(c->var_at, 0, caches);
    c->prop_at = (uint32_t *)(c->var_at + nnames + 1);
    /* Generation 0: the cleared entries say "not in the map", true of every name but the globals. Entry 0, for
     * unnumbered names, is never current. */
    c->vars_gen = 0;
    c->var_at[0].gen = UINT64_MAX;
    memcpy(vars->keys, global_names, sizeof(global_names));
    memcpy(vars->vals, global_values, sizeof(global_values));
    vars->vals[3] = (vval){.kind = V_MAP, .u.m = sv};
    c->var_at[SLOT_INPUT].val = &vars->vals[0];
    c->var_at[SLOT_UTIL].val = &vars->vals[1];
    c->var_at[SLOT_CONTEXT].val = &vars->vals[2];
    c->var_at[SLOT_STAGE_VARIABLES].val = &vars->vals[3];
    vars->n = 4;
}

/* A straight template (straight.h): each piece printed from where its string is, into the output held as in a
 * flat block's loop (nothing a piece calls prints); the first piece that has no string to print sets the
 * variables map up and renders its statement the general way, as render_block would at that step (nothing
 * before it could have changed a variable). */
static void render_straight(rctx *c)
{
    const straight_piece *p = c->t->straight, *end = p + c->t->nstraight;
    flat_state f;
    flat_load(c, &f);
    for (; p != end; p++) {
        slice text;
        vval v;
        const vval *s;
        switch (p->kind) {
        case SP_TEXT:
            text = p->text;
            break;
        case SP_MEMBER:
            if ((s = apigw_input_member_string(c, p->path)) == NULL) {
                if (c->ctrl != CTRL_NONE)
                    return; /* the body failed to read: nothing printed is seen */
                goto general;
            }
            text = v_s(*s);
            break;
        case SP_CONTEXT:
            if (c->context.kind == V_MAP || !context_scalar(c, p->text, &v) || v.kind != V_STRING)
                goto general;
            text = v_s(v);
            break;
        default: /* SP_PARAM */
            text = apigw_param(c->env, p->text);
        }
        if (text.len <= (size_t)(f.room_end - f.dst)) {
            if (text.len - 1 < 32)
                copy_short(f.dst, text.ptr, text.len);
            else if (text.len != 0)
                memcpy(f.dst, text.ptr, text.len);
            f.dst += text.len;
            continue;
        }
        flat_store(c, &f);
        emit_slow(c, text);
        if (c->ctrl != CTRL_NONE)
            return; /* past the output limit */
        flat_load(c, &f);
        continue;
    general:
        flat_store(c, &f);
        if (c->vars == NULL)
            vars_setup(c);
        c->steps = (size_t)(p - c->t->straight) + 1;
        if (c->a->total_bytes > c->memory_limit) {
            limit_exceeded(c);
            return;
        }
        render_node(c, p->stmt);
        if (c->ctrl != CTRL_NONE)
            return;
        flat_load(c, &f);
    }
    flat_store(c, &f);
}

int vtl_render(const vtl_template *t, vtl_env *env, arena *a, slice *out, aws_error *err)
{
    arena *prev = json_arena_push(a);
    rctx c = {.a = a, .t = t, .env = env, .err = err}; /* cleared in place: cheaper than a call to memset */
    c.arena_start = a->total_bytes;
    c.memory_limit = c.arena_start + VTL_MAX_MEMORY;
    jutil_buf b;
    /* Room for what the template prints, which for most templates is in proportion to the body they read,
     * within a bound: growing the buffer copies everything printed so far, each time. */
    size_t room = t->source.len + 256 + (env->body.len < 65536 ? env->body.len : 65536);
    jutil_buf_init(&b, a, room);
    c.out = &b;
    if (t->straight != NULL) {
        render_straight(&c);
    } else {
        vars_setup(&c);
        render_block(&c, t->root);
    }
    json_arena_pop(prev);
    if (c.ctrl == CTRL_ERROR)
        return -1;
    if (c.context.kind == V_MAP || env->overrides.request_header.count != 0 || env->overrides.request_path.count != 0 ||
        env->overrides.request_querystring.count != 0 || env->overrides.response_header.count != 0)
        apigw_overrides_out(&c); /* else the overrides are what came in */
    *out = jutil_buf_slice(&b);
    return 0;
}
