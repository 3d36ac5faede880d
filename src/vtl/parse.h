/*
 * parse: Velocity 1.7's grammar (Parser.jjt) over the lexer in lex.h, producing the compiled form in
 * ast.h. Mirrors the grammar's productions and lookaheads so that what Velocity accepts, rejects and
 * prints is the same. Never evaluates anything.
 */
#ifndef PORTICO_VTL_PARSE_H
#define PORTICO_VTL_PARSE_H

#include "core/arena.h"
#include "core/error.h"
#include "vtl/ast.h"

/* Parses `src` into a block. `t` collects #macro definitions (shared with interpolated strings).
 * On error returns NULL and fills err with Velocity's wording. */
vnode *vtl_parse(vtl_template *t, slice src, arena *a, int depth, aws_error *err);
const vmacro *vtl_find_macro(const vtl_template *t, slice name);

#endif
