/*
 * value: the Java objects a mapping template sees (String, Integer/Long, Double, Boolean, null,
 * ArrayList, json-smart JSONArray, LinkedHashMap, Map.Entry, API Gateway's $input/$util) and how Java
 * prints and compares them. Values live in the request arena; lists and maps are mutable (templates
 * call add and put), everything else is immutable. Never evaluates templates.
 */
#ifndef PORTICO_VTL_VALUE_H
#define PORTICO_VTL_VALUE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/arena.h"
#include "core/error.h"
#include "core/slice.h"
#include "core/swar.h"
#include "vtl/jutil.h"

typedef enum {
    V_NULL,
    V_STRING,
    V_INT,    /* java.lang.Integer */
    V_LONG,   /* java.lang.Long */
    V_DOUBLE, /* java.lang.Double */
    V_BOOL,
    V_LIST,    /* ArrayList, or json-smart JSONArray when l->json */
    V_MAP,     /* LinkedHashMap */
    V_ENTRY,   /* Map.Entry from entrySet() */
    V_INPUT,   /* $input */
    V_UTIL,    /* $util */
    V_FOREACH, /* $foreach */
    V_BLOCK,   /* a #define block, rendered when printed */
    V_CONTEXT, /* $context before its first read (eval.c builds it then); never handed to a template */
} vkind;

typedef struct vlist vlist;
typedef struct vmap vmap;
typedef struct vforeach vforeach;

typedef struct ventry ventry;

/* 16 bytes, so that functions return values in registers: a String keeps its length beside the kind
 * (v_s gives the slice), a Map.Entry is a pointer to its (map, index). */
typedef struct vval {
    uint8_t kind;
    uint32_t len; /* V_STRING: byte length */
    union {
        const char *str; /* V_STRING: bytes (never NULL) */
        int64_t i;
        double d;
        bool b;
        vlist *l;
        vmap *m;
        ventry *e;
        vforeach *f;
        const void *blk;
    } u;
} vval;

struct ventry {
    vmap *map;
    size_t idx;
};

struct vlist {
    vval *items;
    size_t n, cap;
    bool json; /* JSONArray: prints as compact JSON */
};

struct vmap {
    vval *keys, *vals;
    size_t n, cap;
};

struct vforeach {
    int64_t index;
    bool has_next;
    vforeach *parent;
};

/* A value's kind and String length as one word (the bytes between them, padding, masked out), and what that word is
 * for a String of `len` bytes: one comparison tests both. */
_Static_assert(offsetof(vval, kind) == 0 && offsetof(vval, len) == 4, "vval's head is kind, then len");
static inline uint64_t v_head(const vval *v)
{
    uint64_t w;
    memcpy(&w, v, sizeof(w));
    return w & 0xffffffff000000ffull;
}
static inline uint64_t v_string_head(size_t len)
{
    return (uint64_t)(uint32_t)len << 32 | V_STRING;
}

static inline vval v_null(void)
{
    return (vval){.kind = V_NULL};
}
static inline vval v_str(slice s)
{
    /* Never a NULL pointer, even for "": string methods do arithmetic on it. Strings are bounded far below
     * 4 GiB (VTL_MAX_OUTPUT, API Gateway's payload limit). */
    if (s.ptr == NULL)
        s = SLICE_LIT("");
    return (vval){.kind = V_STRING, .len = (uint32_t)s.len, .u.str = s.ptr};
}
static inline slice v_s(vval v)
{
    return slice_make(v.u.str, v.len);
}
static inline vval v_int(int64_t i)
{
    return (vval){.kind = V_INT, .u.i = i};
}
static inline vval v_long(int64_t i)
{
    return (vval){.kind = V_LONG, .u.i = i};
}
static inline vval v_double(double d)
{
    return (vval){.kind = V_DOUBLE, .u.d = d};
}
static inline vval v_bool(bool b)
{
    return (vval){.kind = V_BOOL, .u.b = b};
}
static inline bool v_is_num(vval v)
{
    return v.kind == V_INT || v.kind == V_LONG || v.kind == V_DOUBLE;
}
/* An integral result: Integer when it fits, Long otherwise (Velocity's MathUtils widening). */
static inline vval v_integral(int64_t i)
{
    return (i >= INT32_MIN && i <= INT32_MAX) ? v_int(i) : v_long(i);
}

vlist *vlist_new(arena *a, size_t cap, bool json);
void vlist_add(arena *a, vlist *l, vval v);
/* Inline: readers and the evaluator make maps by the thousand; the allocation is a few instructions. */
static inline vmap *vmap_new(arena *a, size_t cap)
{
    cap = cap ? cap : 4;
    vmap *m = arena_alloc(a, sizeof(*m) + 2 * cap * sizeof(vval));
    m->n = 0;
    m->cap = cap;
    m->keys = (vval *)(m + 1);
    m->vals = m->keys + cap;
    return m;
}
/* Index of key or -1. Keys compare as Java's equals. */
long vmap_find(const vmap *m, vval key);
/* Inline: templates look names up in maps at every reference. */
static inline __attribute__((always_inline)) long vmap_find_str(const vmap *m, slice key)
{
    /* Most keys differ in length or first byte: those are decided without touching the rest. Keys are
     * unique, so the scan may run from the end, where the variables set last (loop variables) are. */
    const vval *k = m->keys;
    if (key.len == 0) {
        for (size_t i = m->n; i-- > 0;)
            if (k[i].kind == V_STRING && k[i].len == 0)
                return (long)i;
        return -1;
    }
    char first = key.ptr[0];
    for (size_t i = m->n; i-- > 0;)
        if (k[i].kind == V_STRING && k[i].len == key.len && k[i].u.str[0] == first &&
            (k[i].u.str == key.ptr || swar_equal_short(k[i].u.str, key.ptr, key.len)))
            return (long)i;
    return -1;
}

/* Returns the previous value (null when none), as Map.put does. */
vval vmap_put(arena *a, vmap *m, vval key, vval value);
vval vmap_remove(vmap *m, vval key);

/* Java's equals(): same class and same value. */
bool v_java_equals(vval a, vval b);
/* String.valueOf(v) into b (null prints "null"). `render_block` prints #define blocks. */
typedef void (*v_block_printer)(void *ctx, jutil_buf *b, const void *blk);
void v_print(jutil_buf *b, vval v, v_block_printer pb, void *pctx);
/* json-smart's writer (JSONArray contents and $input.json). */
void v_print_json(jutil_buf *b, vval v, jutil_json_style style);
/* A jansson value from the JSON provider as the Java object json-smart gives (objects: LinkedHashMap,
 * arrays: JSONArray). */
vval v_from_json(arena *a, const json_t *j);
/* jutil_json_parse and v_from_json in one step (value_json.c): the document read straight into values in
 * `a`, with the same acceptance, errors and result. Strings may point into `text`, which must outlive
 * them (the request body does). */
int v_parse_json(arena *a, slice text, vval *out, aws_error *e);
/* v_parse_json's fast route for plain strict JSON (value_json_strict.c): true with *out set, exactly as the
 * permissive reader would give it, when `text` is an object or array in the strict subset; false for anything
 * else (then the permissive reader decides, errors included). May leave unused bytes in `a` when false. */
bool v_parse_json_strict(arena *a, slice text, vval *out);
const char *v_class_name(vval v);

#endif
