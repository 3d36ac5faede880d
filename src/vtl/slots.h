/*
 * slots: what the compiler works out once so that rendering does not redo it at every reference. The parser
 * classifies names (vnode.hint: $foreach, $context, a property a map answers by lookup); after parsing,
 * slots_number gives every variable name in the template a number (shared by every node naming it) and every
 * property site its own number, so that a render can keep small caches indexed by them (eval.c: where a name
 * sits in the variables map, where a property was found in the last map). It also marks the shapes eval.c has
 * shorter ways for (loop separators NF_FOREACH_IF, flat blocks BH_FLAT) and notes what the template can never do
 * (name the loop counters, set a variable named foreach). The tree stays read-only while rendering: the caches
 * belong to the render. Never evaluates anything and never changes what renders.
 */
#ifndef PORTICO_VTL_SLOTS_H
#define PORTICO_VTL_SLOTS_H

#include <stdint.h>

#include "core/arena.h"
#include "core/slice.h"
#include "vtl/ast.h"

/* RH_* for a reference's root name, PH_* for a property name. */
uint8_t slots_ref_hint(slice name);
uint8_t slots_prop_hint(slice name);

/* Numbers the names and property sites of t's tree and macros (t->nnames, t->nprops). */
void slots_number(vtl_template *t, arena *a);

#endif
