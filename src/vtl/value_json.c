/* value_json: a JSON document read straight into template values (json_reader.h instantiated for vval), so
 * that $input.path and $util.parseJson hand a template its LinkedHashMap / JSONArray / String values
 * without building a jansson tree first and converting it. The result is what v_from_json gives for
 * jutil_json_parse's tree of the same text, with one difference that is a fix: keys holding U+0000 are
 * kept whole. Strings without escapes or non-ASCII bytes point into the text instead of being copied. */
#include <math.h>

#include "vtl/jutil_internal.h"
#include "vtl/value.h"

/* Objects up to this many keys look for a repeated key by scanning; larger ones get a hash index while
 * being read, so that a hostile document with many keys costs linear time. */
#define SCAN_KEYS 8

typedef struct obj_state {
    uint32_t *slots; /* index + 1 of the key in the map, 0 for empty; NULL until the object is large */
    size_t nslots;
} obj_state;

static inline __attribute__((always_inline)) vval make_string(arena *a, const uint8_t *s, size_t n, bool high,
                                                              bool in_doc)
{
    if (n == 0)
        return v_str(SLICE_LIT(""));
    if (high) {
        jutil_buf b;
        jutil_buf_init(&b, a, n + 16);
        jutil_java_decode(&b, s, n);
        return v_str(jutil_buf_slice(&b));
    }
    if (in_doc)
        return v_str(slice_make((const char *)s, n));
    return v_str(arena_slice_dup(a, slice_make((const char *)s, n)));
}

static vval real_value(double d)
{
    if (isinf(d)) /* out of range: Infinity in Java (a string here, as jutil_json_parse gives) */
        return v_str(d < 0 ? SLICE_LIT("-Infinity") : SLICE_LIT("Infinity"));
    return v_double(d);
}

static vval array_new(arena *a)
{
    return (vval){.kind = V_LIST, .u.l = vlist_new(a, 4, true)};
}

static vval object_new(arena *a, obj_state *st)
{
    st->slots = NULL;
    st->nslots = 0;
    return (vval){.kind = V_MAP, .u.m = vmap_new(a, 4)};
}

static uint32_t key_hash(slice k)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < k.len; i++)
        h = (h ^ (uint8_t)k.ptr[i]) * 16777619u;
    return h;
}

static void index_insert(obj_state *st, const vmap *m, size_t at)
{
    size_t mask = st->nslots - 1, i = key_hash(v_s(m->keys[at])) & mask;
    while (st->slots[i])
        i = (i + 1) & mask;
    st->slots[i] = (uint32_t)at + 1;
}

static void index_build(arena *a, obj_state *st, const vmap *m, size_t nslots)
{
    st->nslots = nslots;
    st->slots = arena_calloc(a, nslots * sizeof(uint32_t));
    for (size_t k = 0; k < m->n; k++)
        index_insert(st, m, k);
}

static long index_find(const obj_state *st, const vmap *m, slice key)
{
    size_t mask = st->nslots - 1, i = key_hash(key) & mask;
    for (; st->slots[i]; i = (i + 1) & mask)
        if (slice_eq(v_s(m->keys[st->slots[i] - 1]), key))
            return (long)st->slots[i] - 1;
    return -1;
}

/* LinkedHashMap.put for a reader: a repeated key keeps its place and takes the new value. */
static void object_set(arena *a, vval *obj, obj_state *st, vval key, vval v)
{
    vmap *m = obj->u.m;
    long at = st->slots ? index_find(st, m, v_s(key)) : vmap_find_str(m, v_s(key));
    if (at >= 0) {
        m->vals[at] = v;
        return;
    }
    if (m->n == m->cap) {
        size_t cap = m->cap * 2;
        vval *k = arena_alloc(a, cap * sizeof(vval)), *x = arena_alloc(a, cap * sizeof(vval));
        memcpy(k, m->keys, m->n * sizeof(vval));
        memcpy(x, m->vals, m->n * sizeof(vval));
        m->keys = k;
        m->vals = x;
        m->cap = cap;
    }
    m->keys[m->n] = key;
    m->vals[m->n] = v;
    m->n++;
    if (st->slots == NULL) {
        if (m->n > SCAN_KEYS)
            index_build(a, st, m, 64);
    } else if (m->n * 2 > st->nslots) {
        index_build(a, st, m, st->nslots * 2);
    } else {
        index_insert(st, m, m->n - 1);
    }
}

#define JV                                vval
#define JV_OBJ                            obj_state
#define JV_FAIL                           ((vval){.kind = 0xff})
#define jv_failed(v)                      ((v).kind == 0xff)
#define jv_string(p, s, n, high, in_doc)  make_string((p)->sink, (s), (n), (high), (in_doc))
#define jv_integer(p, v)                  ((void)(p), v_integral((int64_t)(v)))
#define jv_double(p, d)                   ((void)(p), real_value(d))
#define jv_true(p)                        v_bool(true)
#define jv_false(p)                       v_bool(false)
#define jv_null(p)                        v_null()
#define jv_array_new(p)                   array_new((p)->sink)
#define jv_array_push(p, arr, v)          vlist_add((p)->sink, (arr)->u.l, (v))
#define jv_object_new(p, st)              object_new((p)->sink, (st))
#define jv_object_set(p, obj, st, key, v) object_set((p)->sink, (obj), (st), (key), (v))
#define jv_object_done(p, obj, st)        ((void)(obj), (void)(st))
#define jv_drop(v)                        ((void)(v))
#define JSON_READER_ENTRY                 read_value_document
#include "vtl/json_reader.h"

/* Out of line: inlined, its frame would be set up for every document, strict ones too. */
static __attribute__((noinline)) int read_permissive(slice text, arena *a, vval *out, aws_error *e)
{
    return read_value_document(text, a, out, e);
}

int v_parse_json(arena *a, slice text, vval *out, aws_error *e)
{
    if (v_parse_json_strict(a, text, out))
        return 0;
    return read_permissive(text, a, out, e);
}
