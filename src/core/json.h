/*
 * json: the glue between jansson and the request arena.
 *
 * jansson's allocator is process-wide, so Portico installs one that looks at a per-thread "current
 * arena": while a thread has one (json_arena_push), every json_t it creates lives in that arena and
 * json_decref of it costs nothing; with none, jansson uses malloc as usual (the model loaded at
 * start). Each block records where it came from, so a decref that crosses the two is still right.
 * Call json_glue_init once before any thread starts.
 */
#ifndef PORTICO_CORE_JSON_H
#define PORTICO_CORE_JSON_H

#include <jansson.h>

#include "core/arena.h"
#include "core/slice.h"

void json_glue_init(void);

/* Makes `a` the current arena of this thread and returns the previous one (to restore with pop). */
arena *json_arena_push(arena *a);
void json_arena_pop(arena *previous);
arena *json_arena_current(void);

/* Small helpers over jansson that every module wants. */
static inline slice json_string_slice(const json_t *s)
{
    return json_is_string(s) ? slice_make(json_string_value(s), json_string_length(s)) : SLICE_NULL;
}
/* Serialises compactly into the current arena (or malloc when none; then free with free()). */
slice json_dump_slice(const json_t *value, size_t flags);

#endif
