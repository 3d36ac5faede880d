/* The loader's small tools: growable arrays, messages, copies into the load arena, ids, includes. */
#include "stack/loader.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <xxhash.h>

#include "core/json.h"
#include "stack/yaml.h"

void vec_init(vec *v, size_t elem)
{
    v->items = NULL;
    v->count = v->cap = 0;
    v->elem = elem;
}

void *vec_push(arena *a, vec *v)
{
    if (v->count == v->cap) {
        size_t cap = v->cap ? v->cap * 2 : 8;
        void *n = arena_alloc(a, cap * v->elem);
        if (v->count)
            memcpy(n, v->items, v->count * v->elem);
        v->items = n;
        v->cap = cap;
    }
    void *slot = (char *)v->items + v->count++ * v->elem;
    memset(slot, 0, v->elem);
    return slot;
}

void *vec_finish(arena *into, const vec *v)
{
    if (v->count == 0)
        return NULL;
    void *out = arena_alloc(into, v->count * v->elem);
    memcpy(out, v->items, v->count * v->elem);
    return out;
}

int loader_fail(loader *L, const char *fmt, ...)
{
    if (error_is_set(L->err))
        return -1; /* the first (innermost) message is the useful one */
    char what[AWS_ERROR_MESSAGE_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof(what), fmt, ap);
    va_end(ap);
    const char *where = L->where_resource != NULL ? L->where_resource : "Template";
    if (L->where_len > 0)
        error_set(L->err, 400, LOADER_ERROR, "%s: %s, property %s: %s", L->file_name, where, L->where_prop, what);
    else
        error_set(L->err, 400, LOADER_ERROR, "%s: %s: %s", L->file_name, where, what);
    return -1;
}

void loader_note(loader *L, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *text = arena_vsprintf(L->load, fmt, ap);
    va_end(ap);
    for (size_t i = 0; i < L->unsupported.count; i++)
        if (strcmp(VEC_AT(&L->unsupported, slice, i).ptr, text) == 0)
            return;
    *(slice *)vec_push(&L->scratch, &L->unsupported) = slice_cstr(text);
}

void loader_where_push(loader *L, const char *key, size_t *saved)
{
    *saved = L->where_len;
    size_t n = strlen(key), need = (L->where_len ? 1 : 0) + n;
    if (L->where_len + need + 1 > sizeof(L->where_prop))
        return;
    if (L->where_len)
        L->where_prop[L->where_len++] = '.';
    memcpy(L->where_prop + L->where_len, key, n);
    L->where_len += n;
    L->where_prop[L->where_len] = '\0';
}

void loader_where_pop(loader *L, size_t saved)
{
    L->where_len = saved;
    L->where_prop[saved] = '\0';
}

slice keep_strn(loader *L, const char *s, size_t n)
{
    if (s == NULL)
        return slice_make(arena_strndup(L->load, "", 0), 0);
    return slice_make(arena_strndup(L->load, s, n), n);
}

slice keep_str(loader *L, const char *s)
{
    return keep_strn(L, s, s != NULL ? strlen(s) : 0);
}

slice keep_json_str(loader *L, const json_t *v)
{
    if (json_is_string(v))
        return keep_strn(L, json_string_value(v), json_string_length(v));
    if (json_is_integer(v))
        return keep_str(L, scratch_printf(L, "%lld", (long long)json_integer_value(v)));
    if (json_is_real(v))
        return keep_str(L, scratch_printf(L, "%.17g", json_real_value(v)));
    if (json_is_boolean(v))
        return keep_str(L, json_is_true(v) ? "true" : "false");
    return keep_str(L, "");
}

json_t *keep_json(loader *L, const json_t *v)
{
    if (v == NULL)
        return NULL;
    arena *prev = json_arena_push(L->load);
    json_t *copy = json_deep_copy(v);
    json_arena_pop(prev);
    return copy;
}

char *scratch_printf(loader *L, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = arena_vsprintf(&L->scratch, fmt, ap);
    va_end(ap);
    return s;
}

const char *loader_gen_id(loader *L, size_t n, bool upper, const char *a, const char *b)
{
    static const char lower_set[] = "abcdefghijklmnopqrstuvwxyz0123456789";
    static const char upper_set[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    const char *set = upper ? upper_set : lower_set;
    XXH64_state_t *st = XXH64_createState();
    char *out = arena_alloc(L->load, n + 1);
    uint64_t h = 0;
    size_t left = 0;
    for (size_t i = 0; i < n; i++) {
        if (left < 6) {
            XXH64_reset(st, i);
            XXH64_update(st, L->stack_name, strlen(L->stack_name) + 1);
            if (a != NULL)
                XXH64_update(st, a, strlen(a) + 1);
            if (b != NULL)
                XXH64_update(st, b, strlen(b) + 1);
            h = XXH64_digest(st);
            left = 12; /* 36^12 < 2^64 */
        }
        out[i] = set[h % 36];
        h /= 36;
        left--;
    }
    out[n] = '\0';
    XXH64_freeState(st);
    return out;
}

const char *loader_gen_name(loader *L, const char *logical_id, size_t max_len)
{
    const char *suffix = loader_gen_id(L, 12, true, logical_id, "name");
    char *name = scratch_printf(L, "%s-%s-%s", L->stack_name, logical_id, suffix);
    size_t n = strlen(name);
    if (n > max_len) {
        /* Keep the suffix, shorten the rest, as CloudFormation does. */
        size_t keep = max_len - 13;
        name = scratch_printf(L, "%.*s-%s", (int)keep, name, suffix);
    }
    return name;
}

static const char *basename_of(const char *p)
{
    const char *s = strrchr(p, '/');
    return s != NULL ? s + 1 : p;
}

json_t *loader_load_location(loader *L, const json_t *location)
{
    const char *loc = json_string_value(location);
    if (json_is_object(location)) {
        const char *bucket = json_string_value(json_object_get(location, "Bucket"));
        const char *key = json_string_value(json_object_get(location, "Key"));
        if (key != NULL)
            loc = scratch_printf(L, "s3://%s/%s", bucket != NULL ? bucket : "", key);
    }
    if (loc == NULL) {
        loader_fail(L, "needs a local path or {Bucket, Key}");
        return NULL;
    }
    return loader_load_include(L, loc);
}

json_t *loader_load_include(loader *L, const char *location)
{
    if (L->opts->no_files) {
        loader_fail(L, "including %s: reading files is disabled", location);
        return NULL;
    }
    const char *path = location;
    bool remote = strncmp(location, "s3://", 5) == 0 || strncmp(location, "https://", 8) == 0 ||
                  strncmp(location, "http://", 7) == 0;
    if (remote)
        path = basename_of(location); /* `aws cloudformation package` uploaded a local file of that name */
    if (strncmp(path, "file://", 7) == 0)
        path += 7;
    char *full = path[0] == '/' ? scratch_printf(L, "%s", path)
                                : scratch_printf(L, "%s/%s", L->base_dir != NULL ? L->base_dir : ".", path);
    FILE *f = fopen(full, "rb");
    if (f == NULL) {
        if (remote)
            loader_fail(L, "cannot read %s: Portico reads local files, and there is no %s next to the template (%s)",
                        location, path, strerror(errno));
        else
            loader_fail(L, "cannot read included file %s (%s)", full, strerror(errno));
        return NULL;
    }
    struct stat st;
    if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode) || st.st_size > 16 * 1024 * 1024) {
        fclose(f);
        loader_fail(L, "cannot read included file %s (not a regular file under 16 MB)", full);
        return NULL;
    }
    size_t n = (size_t)st.st_size;
    char *buf = arena_alloc(&L->scratch, n + 1);
    size_t got = fread(buf, 1, n, f);
    fclose(f);
    buf[got] = '\0';
    aws_error sub;
    error_clear(&sub);
    json_t *doc = stack_document_parse(full, buf, got, &sub);
    if (doc == NULL) {
        loader_fail(L, "in included file: %s", sub.message);
        return NULL;
    }
    return doc;
}
