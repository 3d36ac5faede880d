/*
 * ast: the compiled form of a mapping template. Built once by the parser in the template's arena and
 * read-only afterwards (rendering never writes to it), so one compiled template serves every request
 * and every thread. Statement and expression nodes share one shape.
 */
#ifndef PORTICO_VTL_AST_H
#define PORTICO_VTL_AST_H

#include <stdbool.h>
#include <stdint.h>

#include "core/slice.h"

typedef enum {
    /* statements */
    N_BLOCK,      /* kids: statements */
    N_TEXT,       /* text: bytes to emit */
    N_REF,        /* a reference statement: kids[0] is the E_REF */
    N_IF,         /* kids: cond, block, cond, block, ..., [else block] (flags: NF_HAS_ELSE) */
    N_SET,        /* kids[0]: E_REF target, kids[1]: value */
    N_FOREACH,    /* text: loop variable name; kids[0]: iterable, kids[1]: block */
    N_DEFINE,     /* text: name; kids[0]: block */
    N_MACRO_DEF,  /* nothing at render time: macros are resolved at compile time */
    N_MACRO_CALL, /* text: name; kids: args; literal: source for an unknown macro */
    N_BREAK,
    N_STOP,
    N_EVALUATE, /* kids[0]: expression whose string value is rendered as a template */
    /* expressions */
    E_STRING,  /* text: value (no interpolation) */
    E_ISTRING, /* kids[0]: block rendered to a string; flags NF_STRIP_LAST */
    E_INT,     /* ival, flags NF_LONG when it does not fit an int */
    E_FLOAT,   /* dval */
    E_TRUE,
    E_FALSE,
    E_WORD,   /* text: bare word (#foreach's "in", schmoo macro arguments): value null */
    E_REF,    /* text: root name; kids: E_PROP / E_METHOD / E_INDEX modifiers */
    E_PROP,   /* text: property name */
    E_METHOD, /* text: method name; kids: arguments */
    E_INDEX,  /* kids[0]: index */
    E_RANGE,  /* kids[0], kids[1] */
    E_LIST,   /* kids: elements */
    E_MAP,    /* kids: key, value, key, value, ... */
    E_OR,
    E_AND,
    E_NOT,
    E_EQ,
    E_NE,
    E_LT,
    E_GT,
    E_LE,
    E_GE,
    E_ADD,
    E_SUB,
    E_MUL,
    E_DIV,
    E_MOD,
    N_FLAT_END, /* after the last statement of a BH_FLAT block's kids (not counted in nkids): where its loop stops */
} node_kind;

enum {
    NF_HAS_ELSE = 1,
    NF_QUIET = 2,   /* $!ref */
    NF_ESCAPED = 4, /* \$ref: prints its source text */
    NF_RUNT = 8,    /* an identifier the parser took for a reference: prints itself, value null */
    NF_LONG = 16,
    NF_STRIP_LAST = 32,
    NF_NOT_COMPUTABLE = 64,
    /* N_IF: #if($foreach.getter)text#end (one condition, no #else, a block of one text), a loop's separator:
     * marked by slots.h so that rendering can answer it without evaluating an expression (ival: the getter's
     * FE_* code, text: the text) */
    NF_FOREACH_IF = 128,
};

/* vnode.hint: what a name is, decided once by the parser (slots.h) so that rendering never compares it as a
 * string. E_REF root names: */
enum {
    RH_FOREACH = 1,         /* $foreach */
    RH_NULL_IF_MISSING = 2, /* $foreach, $velocityCount, $velocityHasNext, a name starting with '.': null, not "" */
    RH_CONTEXT = 4,         /* $context */
    RH_PROPS = 8,           /* a computed reference whose modifiers are all properties ($a.b.c) */
    RH_PLAIN = 16,          /* RH_PROPS, not $context, printed with no prefix and not escaped */
    /* $input.path / $input.json with a constant path and nothing after it, set by apigw_precompile (the call's
     * node holds the compiled path) */
    RH_INPUT_CONST = 32,
};
/* N_BLOCK: BH_FLAT when every statement is text, a plain reference (RH_PLAIN) whose properties are all PH_PLAIN,
 * or an NF_FOREACH_IF #if, which
 * eval.c renders in one loop that keeps the output and the step count in registers (what a loop body usually is).
 * Its texts (N_TEXT's and the NF_FOREACH_IF #if's text) of at most FLAT_TEXT_PAD bytes have FLAT_TEXT_PAD readable
 * bytes (slots.c copies them when it marks the block), so that the loop prints each with one fixed-size move, and
 * its kids array holds an N_FLAT_END node after the last statement. */
enum { BH_FLAT = 1, FLAT_TEXT_PAD = 32 };
/* E_PROP names: PH_PLAIN when a map answers it by lookup (not "class", within m_property's length limits); the
 * bits under PH_FOREACH_MASK say which $foreach getter it names (methods.c's foreach_property_code), 0 none. */
enum {
    PH_PLAIN = 1,
    PH_FOREACH_SHIFT = 1,
    PH_FOREACH_MASK = 7 << PH_FOREACH_SHIFT,
};

typedef struct vnode vnode;
struct vnode {
    uint8_t kind;
    uint8_t flags;
    uint8_t hint; /* RH_* on E_REF, PH_* on E_PROP, BH_* on N_BLOCK */
    uint32_t pos; /* source offset, for messages */
    uint32_t nkids;
    /* Numbered by slots.h at compile time, 0 when not numbered (trees parsed while rendering, by #evaluate):
     * E_REF, N_FOREACH, N_DEFINE: the variable name's number; E_PROP: the site's own number. Indexes the
     * render's caches, never the tree. */
    uint32_t slot;
    slice text;
    slice literal; /* E_REF: source text ("$a.b()"); N_MACRO_CALL: what an undefined macro prints */
    slice prefix;  /* E_REF: backslashes and "#"/"$" printed before the value */
    int64_t ival;  /* E_PROP numbered by slots.h: v_string_head of its name (0 when not numbered) */
    double dval;
    vnode **kids;
    const struct vmacro *macro; /* N_MACRO_CALL resolved at compile time, or NULL */
    /* E_METHOD $input.path / $input.json with a constant argument: the path compiled at load, its steps decoded
     * (apigw.c; NULL when it does not compile: rendering then reports the error as it would without this) */
    const struct input_path *path;
};

typedef struct vmacro {
    slice name;
    slice *params; /* without '$' */
    uint32_t nparams;
    vnode *body;
    struct vmacro *next;
} vmacro;

typedef struct vtl_template vtl_template;
struct vtl_template {
    slice source;
    vnode *root;
    vmacro *macros;
    /* how many variable names and property sites slots.h numbered: the sizes of a render's caches (numbers
     * start at 1; the SLOT_ names below SLOT_FIRST_FREE are always there) */
    uint32_t nnames, nprops;
    /* slots_number found no name $velocityCount or $velocityHasNext and no #evaluate (which could name them at
     * render time): nothing can read them, so #foreach need not set them. False unless proved. */
    bool no_velocity_vars;
    /* slots_number found nothing that sets a variable named foreach (#set, #foreach or #define of that name) and no
     * #evaluate: $foreach is always the loop's. False unless proved. */
    bool no_foreach_var;
    /* The statements as straight.h's pieces when the template is only text and constant references, else
     * NULL. */
    const struct straight_piece *straight;
    uint32_t nstraight;
};

/* Numbers every template gives the same names: the loop variables, and API Gateway's variables, which a render
 * puts in its variables map before anything else (eval.c knows where they are without a search). */
enum {
    SLOT_VELOCITY_COUNT = 1,
    SLOT_VELOCITY_HAS_NEXT,
    SLOT_INPUT,
    SLOT_UTIL,
    SLOT_CONTEXT,
    SLOT_STAGE_VARIABLES,
    SLOT_FIRST_FREE
};

#endif
