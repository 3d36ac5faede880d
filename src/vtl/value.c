#include "vtl/value.h"

#include <math.h>
#include <string.h>

/* A new list or map takes one allocation for itself and its first arrays. */
vlist *vlist_new(arena *a, size_t cap, bool json)
{
    cap = cap ? cap : 4;
    vlist *l = arena_alloc(a, sizeof(*l) + cap * sizeof(vval));
    l->n = 0;
    l->cap = cap;
    l->items = (vval *)(l + 1);
    l->json = json;
    return l;
}

void vlist_add(arena *a, vlist *l, vval v)
{
    if (l->n == l->cap) {
        size_t cap = l->cap * 2;
        vval *n = arena_alloc(a, cap * sizeof(vval));
        memcpy(n, l->items, l->n * sizeof(vval));
        l->items = n;
        l->cap = cap;
    }
    l->items[l->n++] = v;
}

long vmap_find(const vmap *m, vval key)
{
    for (size_t i = 0; i < m->n; i++)
        if (v_java_equals(m->keys[i], key))
            return (long)i;
    return -1;
}

vval vmap_put(arena *a, vmap *m, vval key, vval value)
{
    /* a String equals only Strings */
    long i = key.kind == V_STRING ? vmap_find_str(m, v_s(key)) : vmap_find(m, key);
    if (i >= 0) {
        vval old = m->vals[i];
        m->vals[i] = value;
        return old;
    }
    if (m->n == m->cap) {
        size_t cap = m->cap * 2;
        vval *k = arena_alloc(a, cap * sizeof(vval)), *v = arena_alloc(a, cap * sizeof(vval));
        memcpy(k, m->keys, m->n * sizeof(vval));
        memcpy(v, m->vals, m->n * sizeof(vval));
        m->keys = k;
        m->vals = v;
        m->cap = cap;
    }
    m->keys[m->n] = key;
    m->vals[m->n] = value;
    m->n++;
    return v_null();
}

vval vmap_remove(vmap *m, vval key)
{
    long i = key.kind == V_STRING ? vmap_find_str(m, v_s(key)) : vmap_find(m, key);
    if (i < 0)
        return v_null();
    vval old = m->vals[i];
    memmove(&m->keys[i], &m->keys[i + 1], (m->n - (size_t)i - 1) * sizeof(vval));
    memmove(&m->vals[i], &m->vals[i + 1], (m->n - (size_t)i - 1) * sizeof(vval));
    m->n--;
    return old;
}

bool v_java_equals(vval a, vval b)
{
    if (a.kind != b.kind)
        return false;
    switch (a.kind) {
    case V_NULL:
        return true;
    case V_STRING:
        return slice_eq(v_s(a), v_s(b));
    case V_INT:
    case V_LONG:
        return a.u.i == b.u.i;
    case V_DOUBLE:
        return a.u.d == b.u.d || (isnan(a.u.d) && isnan(b.u.d));
    case V_BOOL:
        return a.u.b == b.u.b;
    case V_LIST:
        if (a.u.l == b.u.l)
            return true;
        if (a.u.l->n != b.u.l->n)
            return false;
        for (size_t i = 0; i < a.u.l->n; i++)
            if (!v_java_equals(a.u.l->items[i], b.u.l->items[i]))
                return false;
        return true;
    case V_MAP:
        if (a.u.m == b.u.m)
            return true;
        if (a.u.m->n != b.u.m->n)
            return false;
        for (size_t i = 0; i < a.u.m->n; i++) {
            long j = vmap_find(b.u.m, a.u.m->keys[i]);
            if (j < 0 || !v_java_equals(a.u.m->vals[i], b.u.m->vals[j]))
                return false;
        }
        return true;
    case V_ENTRY:
        return v_java_equals(a.u.e->map->keys[a.u.e->idx], b.u.e->map->keys[b.u.e->idx]) &&
               v_java_equals(a.u.e->map->vals[a.u.e->idx], b.u.e->map->vals[b.u.e->idx]);
    case V_FOREACH:
        return a.u.f == b.u.f;
    case V_BLOCK:
        return a.u.blk == b.u.blk;
    default:
        return true;
    }
}

const char *v_class_name(vval v)
{
    switch (v.kind) {
    case V_STRING:
        return "java.lang.String";
    case V_INT:
        return "java.lang.Integer";
    case V_LONG:
        return "java.lang.Long";
    case V_DOUBLE:
        return "java.lang.Double";
    case V_BOOL:
        return "java.lang.Boolean";
    case V_LIST:
        return v.u.l->json ? "net.minidev.json.JSONArray" : "java.util.ArrayList";
    case V_MAP:
        return "java.util.LinkedHashMap";
    case V_ENTRY:
        return "java.util.LinkedHashMap$Entry";
    case V_FOREACH:
        return "org.apache.velocity.runtime.directive.ForeachScope";
    case V_BLOCK:
        return "org.apache.velocity.runtime.directive.Block$Reference";
    default:
        return "java.lang.Object";
    }
}

static void print_number(jutil_buf *b, vval v)
{
    char num[JUTIL_NUMBER_MAX];
    size_t n = v.kind == V_DOUBLE ? jutil_format_double(v.u.d, num) : jutil_format_long((long long)v.u.i, num);
    jutil_buf_put(b, num, n);
}

void v_print_json(jutil_buf *b, vval v, jutil_json_style style)
{
    switch (v.kind) {
    case V_NULL:
        jutil_buf_put(b, "null", 4);
        return;
    case V_INT:
    case V_LONG:
    case V_DOUBLE:
        print_number(b, v);
        return;
    case V_BOOL:
        v.u.b ? jutil_buf_put(b, "true", 4) : jutil_buf_put(b, "false", 5);
        return;
    case V_LIST:
        jutil_buf_putc(b, '[');
        for (size_t i = 0; i < v.u.l->n; i++) {
            if (i)
                jutil_buf_putc(b, ',');
            v_print_json(b, v.u.l->items[i], style);
        }
        jutil_buf_putc(b, ']');
        return;
    case V_MAP:
        jutil_buf_putc(b, '{');
        for (size_t i = 0; i < v.u.m->n; i++) {
            if (i)
                jutil_buf_putc(b, ',');
            vval k = v.u.m->keys[i];
            jutil_buf_putc(b, '"');
            if (k.kind == V_STRING)
                jutil_json_write_string(b, v_s(k), style);
            else {
                jutil_buf kb;
                jutil_buf_init(&kb, b->a, 32);
                v_print(&kb, k, NULL, NULL);
                jutil_json_write_string(b, jutil_buf_slice(&kb), style);
            }
            jutil_buf_put(b, "\":", 2);
            v_print_json(b, v.u.m->vals[i], style);
        }
        jutil_buf_putc(b, '}');
        return;
    case V_STRING:
        jutil_buf_putc(b, '"');
        jutil_json_write_string(b, v_s(v), style);
        jutil_buf_putc(b, '"');
        return;
    default: {
        jutil_buf kb;
        jutil_buf_init(&kb, b->a, 32);
        v_print(&kb, v, NULL, NULL);
        jutil_buf_putc(b, '"');
        jutil_json_write_string(b, jutil_buf_slice(&kb), style);
        jutil_buf_putc(b, '"');
        return;
    }
    }
}

void v_print(jutil_buf *b, vval v, v_block_printer pb, void *pctx)
{
    switch (v.kind) {
    case V_NULL:
        jutil_buf_put(b, "null", 4);
        return;
    case V_STRING:
        jutil_buf_puts(b, v_s(v));
        return;
    case V_INT:
    case V_LONG:
    case V_DOUBLE:
        print_number(b, v);
        return;
    case V_BOOL:
        v.u.b ? jutil_buf_put(b, "true", 4) : jutil_buf_put(b, "false", 5);
        return;
    case V_LIST:
        if (v.u.l->json) {
            v_print_json(b, v, JUTIL_JSON_DEFAULT);
            return;
        }
        jutil_buf_putc(b, '[');
        for (size_t i = 0; i < v.u.l->n; i++) {
            if (i)
                jutil_buf_put(b, ", ", 2);
            vval x = v.u.l->items[i];
            if (x.kind == V_LIST && x.u.l == v.u.l)
                jutil_buf_puts(b, SLICE_LIT("(this Collection)"));
            else
                v_print(b, x, pb, pctx);
        }
        jutil_buf_putc(b, ']');
        return;
    case V_MAP:
        jutil_buf_putc(b, '{');
        for (size_t i = 0; i < v.u.m->n; i++) {
            if (i)
                jutil_buf_put(b, ", ", 2);
            vval k = v.u.m->keys[i], x = v.u.m->vals[i];
            if (k.kind == V_MAP && k.u.m == v.u.m)
                jutil_buf_puts(b, SLICE_LIT("(this Map)"));
            else
                v_print(b, k, pb, pctx);
            jutil_buf_putc(b, '=');
            if (x.kind == V_MAP && x.u.m == v.u.m)
                jutil_buf_puts(b, SLICE_LIT("(this Map)"));
            else
                v_print(b, x, pb, pctx);
        }
        jutil_buf_putc(b, '}');
        return;
    case V_ENTRY:
        v_print(b, v.u.e->map->keys[v.u.e->idx], pb, pctx);
        jutil_buf_putc(b, '=');
        v_print(b, v.u.e->map->vals[v.u.e->idx], pb, pctx);
        return;
    case V_BLOCK:
        if (pb)
            pb(pctx, b, v.u.blk);
        return;
    case V_FOREACH:
        jutil_buf_puts(b, SLICE_LIT("org.apache.velocity.runtime.directive.ForeachScope"));
        return;
    case V_INPUT:
        jutil_buf_puts(b, SLICE_LIT("$input"));
        return;
    case V_UTIL:
        jutil_buf_puts(b, SLICE_LIT("$util"));
        return;
    default:
        return;
    }
}

vval v_from_json(arena *a, const json_t *j)
{
    if (j == NULL)
        return v_null();
    switch (json_typeof(j)) {
    case JSON_OBJECT: {
        vmap *m = vmap_new(a, json_object_size(j));
        const char *k;
        size_t klen;
        json_t *x;
        /* keys with their lengths: a key may hold U+0000 */
        json_object_keylen_foreach((json_t *)j, k, klen, x)
        {
            /* JSON keys are unique: append without searching */
            if (m->n == m->cap)
                vmap_put(a, m, v_str(slice_make(k, klen)), v_from_json(a, x));
            else {
                m->keys[m->n] = v_str(slice_make(k, klen));
                m->vals[m->n] = v_from_json(a, x);
                m->n++;
            }
        }
        return (vval){.kind = V_MAP, .u.m = m};
    }
    case JSON_ARRAY: {
        vlist *l = vlist_new(a, json_array_size(j), true);
        size_t i;
        json_t *x;
        json_array_foreach(j, i, x) vlist_add(a, l, v_from_json(a, x));
        return (vval){.kind = V_LIST, .u.l = l};
    }
    case JSON_STRING:
        return v_str(slice_make(json_string_value(j), json_string_length(j)));
    case JSON_INTEGER:
        return v_integral((int64_t)json_integer_value(j));
    case JSON_REAL:
        return v_double(json_real_value(j));
    case JSON_TRUE:
        return v_bool(true);
    case JSON_FALSE:
        return v_bool(false);
    default:
        return v_null();
    }
}
