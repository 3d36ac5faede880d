/*
 * slots: what the compiler works out once so that rendering does not redo it at every reference. The parser
 * classifies names (vnode.hint: $foreach, $context, a property a map answers by lookup); after parsing,
 * slots_number gives every variable name in the template a number (shared by every node naming it) and every
 * property site its own number, so that a render can keep small caches indexed by them (eval.c: where a name
 * sits in the variables map, where a property was found in the last map). The tree stays read-only while
 * rendering: the caches belong to the render. Never evaluates anything and never changes what renders.
 */
#ifndef PORTICO_VTL_SLOTS_H
#define PORTICO_VTL_SLOTS_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "core/arena.h"
#include "core/slice.h"
#include "vtl/ast.h"

/* RH_* for a reference's root name, PH_* for a property name. */
uint8_t slots_ref_hint(slice name);
uint8_t slots_prop_hint(slice name);

/* Numbers the names and property sites of t's tree and macros (t->nnames, t->nprops). */
void slots_number(vtl_template *t, arena *a);

/* n bytes of a and b equal: names are short, so two overlapping word loads answer most of them without a call
 * to memcmp. */
static inline bool slots_same_bytes(const char *a, const char *b, size_t n)
{
    if (n >= 8) {
        if (n > 16)
            return memcmp(a, b, n) == 0;
        uint64_t x0, y0, x1, y1;
        memcpy(&x0, a, 8);
        memcpy(&y0, b, 8);
        memcpy(&x1, a + n - 8, 8);
        memcpy(&y1, b + n - 8, 8);
        return ((x0 ^ y0) | (x1 ^ y1)) == 0;
    }
    if (n >= 4) {
        uint32_t x0, y0, x1, y1;
        memcpy(&x0, a, 4);
        memcpy(&y0, b, 4);
        memcpy(&x1, a + n - 4, 4);
        memcpy(&y1, b + n - 4, 4);
        return ((x0 ^ y0) | (x1 ^ y1)) == 0;
    }
    if (n == 0)
        return true;
    /* 1 to 3 bytes: the first, middle and last cover them all */
    return a[0] == b[0] && a[n / 2] == b[n / 2] && a[n - 1] == b[n - 1];
}

#endif
