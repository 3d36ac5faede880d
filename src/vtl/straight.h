/*
 * straight: the shape most request templates have, text and API Gateway's constant references and nothing else
 * (PutItem's: text, $context.requestId, $input.path('$.pageId'); Query's: $input.params('pageId')). Such a
 * template can set no variable and loop over nothing, so a render needs none of the variables map and caches
 * that eval.c sets up for the general case: vtl_compile lists its statements once as pieces, and eval.c prints
 * them in order, each reference looked up directly. A reference whose value is anything but a string there
 * (a number, a missing member, a body that is not an object) is rendered the general way, that statement alone.
 * The list is built with the template and read-only afterwards.
 */
#ifndef PORTICO_VTL_STRAIGHT_H
#define PORTICO_VTL_STRAIGHT_H

#include <stdint.h>

#include "core/arena.h"
#include "core/slice.h"
#include "vtl/ast.h"

typedef enum {
    SP_TEXT,    /* text: printed as it is */
    SP_MEMBER,  /* $input.path('$.name'): path (input_path.member), the body's member when it is a string */
    SP_CONTEXT, /* $context.name: text is the name, the caller's or the $context object's string member */
    SP_PARAM,   /* $input.params('name'): text is the name, always a string ("" when absent) */
} straight_kind;

typedef struct straight_piece {
    uint32_t kind;
    slice text;
    const struct input_path *path;
    const vnode *stmt; /* the statement itself, for the general way */
} straight_piece;

/* Sets t->straight and t->nstraight when t's tree is straight (after apigw_precompile, whose compiled paths
 * it reads); leaves them NULL and 0 otherwise. */
void straight_plan(vtl_template *t, arena *a);

#endif
