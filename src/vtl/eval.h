/*
 * eval: renders a compiled template (ast.h) against one request's environment, with Velocity 1.7's
 * semantics and API Gateway's null rules (nulls and unknown names evaluate to ""). Shared between the
 * evaluator (eval.c), the Java methods on values (methods.c) and API Gateway's $input/$util/$context
 * (apigw.c). Everything a render allocates is in the request arena; the template is never written.
 */
#ifndef PORTICO_VTL_EVAL_H
#define PORTICO_VTL_EVAL_H

#include "core/error.h"
#include "vtl/ast.h"
#include "vtl/jutil.h"
#include "vtl/value.h"
#include "vtl/vtl.h"

typedef struct frame frame;
struct frame {
    const vmacro *macro;
    const vnode *call; /* the N_MACRO_CALL whose arguments bind by name */
    frame *parent;
    vmap *locals;
};

enum { CTRL_NONE, CTRL_BREAK, CTRL_STOP, CTRL_ERROR };

/* Where a variable's value (by its name's slots.h number) sits in the variables map, NULL when absent; true
 * while `gen` is the render's vars_gen (the map's arrays move only when a name is added). */
typedef struct var_slot {
    uint64_t gen;
    vval *val;
} var_slot;

typedef struct rctx {
    arena *a;
    const vtl_template *t;
    vtl_env *env;
    jutil_buf *out;
    vmap *vars;
    frame *frame;
    vforeach *foreach;
    int depth;
    int ctrl;
    size_t steps, arena_start;
    size_t memory_limit; /* arena_start + VTL_MAX_MEMORY */
    /* The render's caches, indexed by slots.h's numbers (entry 0 unused). vars_gen changes whenever a name is
     * added to or removed from vars (values are replaced in place and never move). prop_at: where each
     * property site found its name in the last map it read (maps read from one JSON array share their key
     * order); only a guess, checked at every use. */
    var_slot *var_at;
    uint64_t vars_gen;
    uint32_t *prop_at;
    aws_error *err;
    /* $input's parsed body, parsed once on first use */
    json_t *body_json;
    int body_state; /* 0 not parsed, 1 parsed, -1 failed */
    slice body_err; /* why it failed (an aws_error here would make the context costly to clear) */
    vval context;   /* the $context map */
    /* The body read straight into values for simple paths (apigw.c): state 0 not read, 1 read and not yet
     * handed out, 2 handed out (a template may change what it was given: the next read re-reads). */
    vval doc;
    int doc_state;
    /* Where apigw_input_const tries a name first: after the key its last step found (templates read a body's
     * members in the order they come); only a guess, checked at every use. */
    uint32_t input_guess;
} rctx;

/* The result of looking up a method: found (value, possibly null) or not found (Velocity: null, and
 * the reference is "invalid"). */
typedef struct mresult {
    bool found;
    vval v;
} mresult;

/* Sets a render failure (status 500 unless given) and stops rendering. */
void rc_fail(rctx *c, int status, const char *type, const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* methods.c */
mresult m_call(rctx *c, vval self, slice name, vval *args, uint32_t nargs);
vval m_property(rctx *c, vval self, slice name);
/* The $foreach getters m_property answers without a search: which one a property name names (FE_NONE when
 * none), and its value (never null). */
enum { FE_NONE, FE_HAS_NEXT, FE_INDEX, FE_COUNT, FE_FIRST, FE_LAST };
int m_foreach_property_code(slice name);
static inline vval m_foreach_property(const vforeach *f, int code)
{
    if (code == FE_HAS_NEXT) /* a loop's separator: the commonest, ahead of the others */
        return v_bool(f->has_next);
    switch (code) {
    case FE_HAS_NEXT:
        return v_bool(f->has_next);
    case FE_INDEX:
        return v_int(f->index);
    case FE_COUNT:
        return v_int(f->index + 1);
    case FE_FIRST:
        return v_bool(f->index == 0);
    default:
        return v_bool(!f->has_next);
    }
}
slice v_to_string(rctx *c, vval v);
/* apigw.c */
/* `path` is the node's precompiled $input.path / $input.json argument, or NULL. */
mresult apigw_input(rctx *c, slice name, vval *args, uint32_t nargs, const struct input_path *path);
/* A path argument of $input.path / $input.json compiled, with its steps decoded when it is simple
 * (jsonpath_simple_length): once with the template for a constant argument, at the call for any other. */
typedef struct input_step {
    slice name;
    long index; /* as jsonpath_simple_step gives it: -1 for a name */
} input_step;
typedef struct input_path {
    const struct jsonpath *path;
    slice arg;   /* the text, for the general route */
    bool json;   /* a constant argument's method: $input.json, else $input.path */
    int nsteps;  /* -1 when the path is not simple */
    bool member; /* $input.path('$.name'): one step, a name (the commonest request template reads) */
    input_step steps[];
} input_path;
/* The body as values, read on first use (and again after the template was handed a container of it); NULL
 * after rc_fail. */
const vval *apigw_body_values(rctx *c);
/* apigw_input_const where its walk does not answer. */
vval apigw_input_const_general(rctx *c, const input_path *ip);
/* What $input.path / $input.json (the node's method) gives for the node's precompiled constant argument, as
 * eval_args_call would give it after apigw_input (a null or missing value as ""): the call without evaluating
 * the argument or comparing the method's name. Inline: the walk of a simple path through the body's values is
 * shorter than a call. */
/* vmap_find_str, trying c->input_guess first (keys are unique: a hit is the search's answer). */
static inline __attribute__((always_inline)) long input_find(rctx *c, const vmap *m, slice name)
{
    uint32_t g = c->input_guess;
    const vval *k;
    long at;
    if (g < m->n && (k = &m->keys[g])->kind == V_STRING && k->len == name.len &&
        swar_equal_short(k->u.str, name.ptr, name.len))
        at = (long)g;
    else if ((at = vmap_find_str(m, name)) < 0)
        return -1;
    c->input_guess = (uint32_t)at + 1;
    return at;
}
static inline __attribute__((always_inline)) vval apigw_input_const(rctx *c, const input_path *ip)
{
    if (!ip->json && ip->nsteps >= 0) { /* path_fast and read_simple in one, for $input.path */
        const vval *root = c->doc_state == 1 ? &c->doc : apigw_body_values(c), *cur = root;
        if (root == NULL)
            return v_str(SLICE_NULL); /* after rc_fail */
        int i = 0;
        for (; i < ip->nsteps; i++) {
            const input_step *st = &ip->steps[i];
            long at;
            if (st->index == -1 && cur->kind == V_MAP && (at = input_find(c, cur->u.m, st->name)) >= 0)
                cur = &cur->u.m->vals[at];
            else if (st->index >= 0 && cur->kind == V_LIST && (size_t)st->index < cur->u.l->n)
                cur = &cur->u.l->items[st->index];
            else
                break;
        }
        if (i == ip->nsteps && root->kind != V_NULL) {
            if (cur->kind == V_MAP || cur->kind == V_LIST)
                c->doc_state = 2;
            return cur->kind == V_NULL ? v_str(SLICE_NULL) : *cur;
        }
    }
    return apigw_input_const_general(c, ip);
}
/* $input.path('$.name') for a constant path of one name (ip->member), when the body is an object whose member of
 * that name is a string: that string where it sits; NULL for anything else, and after rc_fail (c->ctrl then
 * says so), the general route then deciding. Strings are never changed in place, so nothing marks the body as
 * handed out. */
static inline __attribute__((always_inline)) const vval *apigw_input_member_string(rctx *c, const input_path *ip)
{
    const vval *root = c->doc_state == 1 ? &c->doc : apigw_body_values(c);
    if (root == NULL || root->kind != V_MAP)
        return NULL;
    const vmap *m = root->u.m;
    long at = input_find(c, m, ip->steps[0].name);
    return at >= 0 && m->vals[at].kind == V_STRING ? &m->vals[at] : NULL;
}
/* Compiles the constant path arguments of $input.path / $input.json in a template's tree into `a`. */
void apigw_precompile(vnode *n, arena *a);
/* $input.params(name): the path parameter of that name, else the query string's, else the header's; "" (a
 * NULL slice) when none has it. */
slice apigw_param(const vtl_env *env, slice name);
mresult apigw_util(rctx *c, slice name, vval *args, uint32_t nargs);
vval apigw_context(rctx *c);
/* The names $context.name may be read under before $context is built: those m_property answers with a map
 * lookup (PH_PLAIN: not empty, not "class") and shorter than this. */
enum { CONTEXT_NAME_MAX = 120 };
/* $context.name before $context is built: true with *out set when the member is a string, number or boolean
 * (what the built map would hold under that name); false when only the built map can answer. */
bool apigw_context_scalar(rctx *c, slice name, vval *out);
void apigw_overrides_out(rctx *c);

#endif
