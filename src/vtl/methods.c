/* The Java methods templates call on Strings, Lists, Maps, Map entries, numbers and $foreach, with
 * Java's semantics (UTF-16 indexes, java.util.regex via PCRE2) and Velocity's method matching
 * (an int parameter takes an Integer, a String parameter only a String, Object anything). */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdio.h>
#include <string.h>

#include "vtl/eval.h"

static mresult found(vval v)
{
    return (mresult){true, v};
}
static const mresult NOT_FOUND = {false, {0}};

static bool is_str(vval v)
{
    return v.kind == V_STRING;
}
static bool is_int(vval v)
{
    return v.kind == V_INT;
}

/* ---------- UTF-16 view of UTF-8 strings ---------- */

static bool ascii(slice s)
{
    for (size_t i = 0; i < s.len; i++)
        if ((unsigned char)s.ptr[i] >= 0x80)
            return false;
    return true;
}

static size_t seq_len(unsigned char c)
{
    return c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
}

static int64_t u16_len(slice s)
{
    if (ascii(s))
        return (int64_t)s.len;
    int64_t n = 0;
    for (size_t i = 0; i < s.len;) {
        size_t l = seq_len((unsigned char)s.ptr[i]);
        n += l == 4 ? 2 : 1;
        i += l;
    }
    return n;
}

/* byte offset of UTF-16 index u (u <= length) */
static size_t u16_off(slice s, int64_t u)
{
    if (ascii(s))
        return (size_t)u;
    size_t i = 0;
    int64_t n = 0;
    while (i < s.len && n < u) {
        size_t l = seq_len((unsigned char)s.ptr[i]);
        n += l == 4 ? 2 : 1;
        i += l;
    }
    return i > s.len ? s.len : i;
}

static int64_t u16_index(slice s, size_t off)
{
    return u16_len(slice_make(s.ptr, off));
}

static void sioobe(rctx *c, const char *m, long long b, long long e, long long len)
{
    rc_fail(c, 500, "InternalServerErrorException",
            "Invocation of method '%s' in class java.lang.String threw exception "
            "java.lang.StringIndexOutOfBoundsException: begin %lld, end %lld, length %lld",
            m, b, e, len);
}

static slice lower_upper(rctx *c, slice s, bool upper)
{
    char *o = arena_alloc(c->a, s.len + 1);
    for (size_t i = 0; i < s.len; i++) {
        char ch = s.ptr[i];
        if (upper && ch >= 'a' && ch <= 'z')
            ch = (char)(ch - 32);
        else if (!upper && ch >= 'A' && ch <= 'Z')
            ch = (char)(ch + 32);
        o[i] = ch;
    }
    return slice_make(o, s.len);
}

static long find(slice hay, slice needle, size_t from)
{
    if (needle.len == 0)
        return from <= hay.len ? (long)from : -1;
    for (size_t i = from; i + needle.len <= hay.len; i++)
        if (memcmp(hay.ptr + i, needle.ptr, needle.len) == 0)
            return (long)i;
    return -1;
}

static long rfind(slice hay, slice needle, size_t from)
{
    if (needle.len > hay.len)
        return -1;
    size_t start = hay.len - needle.len;
    if (from < start)
        start = from;
    for (size_t i = start + 1; i-- > 0;)
        if (memcmp(hay.ptr + i, needle.ptr, needle.len) == 0)
            return (long)i;
    return -1;
}

static slice replace_literal(rctx *c, slice s, slice from, slice to)
{
    jutil_buf b;
    jutil_buf_init(&b, c->a, s.len + 16);
    if (from.len == 0) { /* Java inserts the replacement between every character */
        jutil_buf_puts(&b, to);
        for (size_t i = 0; i < s.len;) {
            size_t l = seq_len((unsigned char)s.ptr[i]);
            jutil_buf_put(&b, s.ptr + i, l);
            jutil_buf_puts(&b, to);
            i += l;
        }
        return jutil_buf_slice(&b);
    }
    size_t i = 0;
    long at;
    while ((at = find(s, from, i)) >= 0) {
        jutil_buf_put(&b, s.ptr + i, (size_t)at - i);
        jutil_buf_puts(&b, to);
        i = (size_t)at + from.len;
    }
    jutil_buf_put(&b, s.ptr + i, s.len - i);
    return jutil_buf_slice(&b);
}

/* ---------- regular expressions (java.util.regex through PCRE2) ---------- */

static pcre2_code *regex(rctx *c, slice pattern)
{
    int code;
    PCRE2_SIZE off;
    pcre2_code *re =
        pcre2_compile((PCRE2_SPTR)pattern.ptr, pattern.len, PCRE2_UTF | PCRE2_MATCH_INVALID_UTF, &code, &off, NULL);
    if (!re) {
        PCRE2_UCHAR msg[256];
        pcre2_get_error_message(code, msg, sizeof(msg));
        rc_fail(c, 500, "InternalServerErrorException", "java.util.regex.PatternSyntaxException: %s near index %zu",
                (char *)msg, (size_t)off);
    }
    return re;
}

/* Java's Matcher.appendReplacement: $n and ${name} groups, backslash escapes. */
static bool append_replacement(rctx *c, jutil_buf *b, slice rep, slice subject, PCRE2_SIZE *ov, uint32_t ngroups)
{
    for (size_t i = 0; i < rep.len; i++) {
        char ch = rep.ptr[i];
        if (ch == '\\') {
            i++;
            if (i >= rep.len) {
                rc_fail(c, 500, "InternalServerErrorException",
                        "java.lang.IllegalArgumentException: character to be escaped is missing");
                return false;
            }
            jutil_buf_putc(b, rep.ptr[i]);
        } else if (ch == '$') {
            i++;
            if (i >= rep.len || rep.ptr[i] < '0' || rep.ptr[i] > '9') {
                rc_fail(c, 500, "InternalServerErrorException",
                        "java.lang.IllegalArgumentException: Illegal group reference");
                return false;
            }
            uint32_t g = (uint32_t)(rep.ptr[i] - '0');
            if (g >= ngroups) {
                rc_fail(c, 500, "InternalServerErrorException", "java.lang.IndexOutOfBoundsException: No group %u", g);
                return false;
            }
            while (i + 1 < rep.len && rep.ptr[i + 1] >= '0' && rep.ptr[i + 1] <= '9') {
                uint32_t ng = g * 10 + (uint32_t)(rep.ptr[i + 1] - '0');
                if (ng >= ngroups)
                    break;
                g = ng;
                i++;
            }
            if (ov[2 * g] != PCRE2_UNSET)
                jutil_buf_put(b, subject.ptr + ov[2 * g], ov[2 * g + 1] - ov[2 * g]);
        } else {
            jutil_buf_putc(b, ch);
        }
    }
    return true;
}

typedef bool (*match_fn)(rctx *c, void *ctx, slice s, PCRE2_SIZE *ov, uint32_t ngroups);

/* Iterates the matches of re over s as Java's Matcher.find does (empty matches advance by one). */
static int each_match(rctx *c, pcre2_code *re, slice s, int limit, match_fn fn, void *ctx)
{
    pcre2_match_data *md = pcre2_match_data_create_from_pattern(re, NULL);
    size_t start = 0;
    int n = 0;
    while (start <= s.len && (limit < 0 || n < limit)) {
        int rc = pcre2_match(re, (PCRE2_SPTR)s.ptr, s.len, start, 0, md, NULL);
        if (rc < 0)
            break;
        PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
        uint32_t ng = pcre2_get_ovector_count(md);
        n++;
        if (!fn(c, ctx, s, ov, ng)) {
            n = -1;
            break;
        }
        if (ov[1] == ov[0]) {
            if (ov[1] >= s.len)
                break;
            start = ov[1] + seq_len((unsigned char)s.ptr[ov[1]]);
        } else {
            start = ov[1];
        }
    }
    pcre2_match_data_free(md);
    return n;
}

typedef struct rep_ctx {
    jutil_buf *b;
    slice rep;
    size_t last;
} rep_ctx;

static bool rep_one(rctx *c, void *vctx, slice s, PCRE2_SIZE *ov, uint32_t ng)
{
    rep_ctx *r = vctx;
    if (ov[0] > r->last) /* an empty string may have a NULL pointer: no arithmetic on it */
        jutil_buf_put(r->b, s.ptr + r->last, ov[0] - r->last);
    if (!append_replacement(c, r->b, r->rep, s, ov, ng))
        return false;
    r->last = ov[1];
    return true;
}

static vval replace_regex(rctx *c, slice s, slice pattern, slice rep, bool all)
{
    pcre2_code *re = regex(c, pattern);
    if (!re)
        return v_null();
    jutil_buf b;
    jutil_buf_init(&b, c->a, s.len + 16);
    rep_ctx r = {&b, rep, 0};
    int n = each_match(c, re, s, all ? -1 : 1, rep_one, &r);
    pcre2_code_free(re);
    if (n < 0)
        return v_null();
    if (s.len > r.last)
        jutil_buf_put(&b, s.ptr + r.last, s.len - r.last);
    return v_str(jutil_buf_slice(&b));
}

static vval matches(rctx *c, slice s, slice pattern)
{
    pcre2_code *re = regex(c, pattern);
    if (!re)
        return v_null();
    pcre2_match_data *md = pcre2_match_data_create_from_pattern(re, NULL);
    int rc = pcre2_match(re, (PCRE2_SPTR)s.ptr, s.len, 0, PCRE2_ANCHORED | PCRE2_ENDANCHORED, md, NULL);
    pcre2_match_data_free(md);
    pcre2_code_free(re);
    return v_bool(rc >= 0);
}

typedef struct split_ctx {
    rctx *c;
    vlist *l;
    size_t index;
    int limit;
} split_ctx;

static bool split_one(rctx *c, void *vctx, slice s, PCRE2_SIZE *ov, uint32_t ng)
{
    (void)ng;
    split_ctx *sc = vctx;
    if (sc->limit > 0 && sc->l->n >= (size_t)sc->limit - 1)
        return true;
    if (sc->index == 0 && ov[0] == 0 && ov[1] == 0)
        return true; /* no leading empty string for a zero-width match at the start */
    vlist_add(c->a, sc->l, v_str(slice_make(s.ptr + sc->index, ov[0] - sc->index)));
    sc->index = ov[1];
    return true;
}

static vval split(rctx *c, slice s, slice pattern, int limit)
{
    pcre2_code *re = regex(c, pattern);
    if (!re)
        return v_null();
    vlist *l = vlist_new(c->a, 8, false);
    split_ctx sc = {c, l, 0, limit};
    each_match(c, re, s, -1, split_one, &sc);
    pcre2_code_free(re);
    if (sc.index == 0 && l->n == 0) {
        vlist_add(c->a, l, v_str(s));
        return (vval){.kind = V_LIST, .u.l = l};
    }
    vlist_add(c->a, l, v_str(slice_make(s.ptr + sc.index, s.len - sc.index)));
    if (limit == 0)
        while (l->n > 0 && l->items[l->n - 1].len == 0)
            l->n--;
    return (vval){.kind = V_LIST, .u.l = l};
}

/* ---------- dispatch ---------- */

#define NAME(lit) slice_eq_cstr(name, lit)

static slice java_trim(slice s)
{
    size_t b = 0, e = s.len;
    while (b < e && (unsigned char)s.ptr[b] <= ' ')
        b++;
    while (e > b && (unsigned char)s.ptr[e - 1] <= ' ')
        e--;
    return slice_make(s.ptr + b, e - b);
}

static mresult string_method(rctx *c, slice s, slice name, vval *a, uint32_t n)
{
    if (n == 0) {
        if (NAME("length"))
            return found(v_int(u16_len(s)));
        if (NAME("isEmpty"))
            return found(v_bool(s.len == 0));
        if (NAME("toLowerCase"))
            return found(v_str(lower_upper(c, s, false)));
        if (NAME("toUpperCase"))
            return found(v_str(lower_upper(c, s, true)));
        if (NAME("trim"))
            return found(v_str(java_trim(s)));
        if (NAME("toString") || NAME("intern"))
            return found(v_str(s));
        if (NAME("hashCode")) {
            int32_t h = 0;
            for (size_t i = 0; i < s.len; i++)
                h = (int32_t)((uint32_t)h * 31u + (unsigned char)s.ptr[i]);
            return found(v_int(h));
        }
        return NOT_FOUND;
    }
    if (n == 1) {
        vval x = a[0];
        if (NAME("equals"))
            return found(v_bool(is_str(x) && slice_eq(s, v_s(x))));
        if (NAME("equalsIgnoreCase"))
            return is_str(x) || x.kind == V_NULL ? found(v_bool(is_str(x) && slice_eq_nocase(s, v_s(x)))) : NOT_FOUND;
        if (NAME("substring") && is_int(x)) {
            int64_t len = u16_len(s);
            if (x.u.i < 0 || x.u.i > len) {
                sioobe(c, "substring", (long long)x.u.i, (long long)len, (long long)len);
                return found(v_null());
            }
            return found(v_str(slice_sub(s, u16_off(s, x.u.i), s.len)));
        }
        if (NAME("charAt") && is_int(x)) {
            int64_t len = u16_len(s);
            if (x.u.i < 0 || x.u.i >= len) {
                rc_fail(c, 500, "InternalServerErrorException",
                        "Invocation of method 'charAt' in class java.lang.String threw exception "
                        "java.lang.StringIndexOutOfBoundsException: index %lld, length %lld",
                        (long long)x.u.i, (long long)len);
                return found(v_null());
            }
            size_t o = u16_off(s, x.u.i);
            return found(v_str(slice_make(s.ptr + o, seq_len((unsigned char)s.ptr[o]))));
        }
        if (!is_str(x))
            return NOT_FOUND;
        slice t = v_s(x);
        if (NAME("contains"))
            return found(v_bool(find(s, t, 0) >= 0));
        if (NAME("startsWith"))
            return found(v_bool(slice_starts_with(s, t)));
        if (NAME("endsWith"))
            return found(v_bool(s.len >= t.len && memcmp(s.ptr + s.len - t.len, t.ptr, t.len) == 0));
        if (NAME("indexOf")) {
            long i = find(s, t, 0);
            return found(v_int(i < 0 ? -1 : u16_index(s, (size_t)i)));
        }
        if (NAME("lastIndexOf")) {
            long i = rfind(s, t, s.len);
            return found(v_int(i < 0 ? -1 : u16_index(s, (size_t)i)));
        }
        if (NAME("concat")) {
            char *o = arena_alloc(c->a, s.len + t.len + 1);
            memcpy(o, s.ptr, s.len);
            memcpy(o + s.len, t.ptr, t.len);
            return found(v_str(slice_make(o, s.len + t.len)));
        }
        if (NAME("matches"))
            return found(matches(c, s, t));
        if (NAME("split"))
            return found(split(c, s, t, 0));
        if (NAME("compareTo")) {
            int k = slice_cmp(s, t);
            return found(v_int(k));
        }
        return NOT_FOUND;
    }
    if (n == 2) {
        vval x = a[0], y = a[1];
        if (NAME("substring") && is_int(x) && is_int(y)) {
            int64_t len = u16_len(s);
            if (x.u.i < 0 || y.u.i > len || x.u.i > y.u.i) {
                sioobe(c, "substring", (long long)x.u.i, (long long)y.u.i, (long long)len);
                return found(v_null());
            }
            size_t b = u16_off(s, x.u.i), e = u16_off(s, y.u.i);
            return found(v_str(slice_make(s.ptr + b, e - b)));
        }
        if ((NAME("indexOf") || NAME("lastIndexOf")) && is_str(x) && is_int(y)) {
            int64_t from = y.u.i;
            if (NAME("indexOf")) {
                if (from < 0)
                    from = 0;
                if (from > u16_len(s))
                    return found(v_int(x.len == 0 ? u16_len(s) : -1));
                long i = find(s, v_s(x), u16_off(s, from));
                return found(v_int(i < 0 ? -1 : u16_index(s, (size_t)i)));
            }
            if (from < 0)
                return found(v_int(-1));
            long i = rfind(s, v_s(x), u16_off(s, from));
            return found(v_int(i < 0 ? -1 : u16_index(s, (size_t)i)));
        }
        if (NAME("startsWith") && is_str(x) && is_int(y)) {
            if (y.u.i < 0 || y.u.i > u16_len(s))
                return found(v_bool(false));
            return found(v_bool(slice_starts_with(slice_sub(s, u16_off(s, y.u.i), s.len), v_s(x))));
        }
        if (NAME("split") && is_str(x) && is_int(y))
            return found(split(c, s, v_s(x), (int)y.u.i));
        if (!is_str(x) || !is_str(y))
            return NOT_FOUND;
        if (NAME("replace"))
            return found(v_str(replace_literal(c, s, v_s(x), v_s(y))));
        if (NAME("replaceAll"))
            return found(replace_regex(c, s, v_s(x), v_s(y), true));
        if (NAME("replaceFirst"))
            return found(replace_regex(c, s, v_s(x), v_s(y), false));
    }
    return NOT_FOUND;
}

static vval list_of(rctx *c, size_t cap)
{
    return (vval){.kind = V_LIST, .u.l = vlist_new(c->a, cap, false)};
}

static mresult list_method(rctx *c, vlist *l, slice name, vval *a, uint32_t n)
{
    if (n == 0) {
        if (NAME("size"))
            return found(v_int((int64_t)l->n));
        if (NAME("isEmpty"))
            return found(v_bool(l->n == 0));
        if (NAME("clear")) {
            l->n = 0;
            return found(v_null());
        }
        if (NAME("toString") || (l->json && NAME("toJSONString"))) {
            vval self = {.kind = V_LIST, .u.l = l};
            return found(v_str(v_to_string(c, self)));
        }
        return NOT_FOUND;
    }
    if (n == 1) {
        if (NAME("get") && is_int(a[0])) {
            if (a[0].u.i < 0 || (size_t)a[0].u.i >= l->n) {
                rc_fail(c, 500, "InternalServerErrorException",
                        "Invocation of method 'get' in class java.util.ArrayList threw exception "
                        "java.lang.IndexOutOfBoundsException: Index %lld out of bounds for length %zu",
                        (long long)a[0].u.i, l->n);
                return found(v_null());
            }
            return found(l->items[a[0].u.i]);
        }
        if (NAME("add")) {
            vlist_add(c->a, l, a[0]);
            return found(v_bool(true));
        }
        if (NAME("contains") || NAME("indexOf")) {
            for (size_t i = 0; i < l->n; i++)
                if (v_java_equals(l->items[i], a[0]))
                    return found(NAME("contains") ? v_bool(true) : v_int((int64_t)i));
            return found(NAME("contains") ? v_bool(false) : v_int(-1));
        }
        if (NAME("remove")) {
            if (is_int(a[0])) {
                if (a[0].u.i < 0 || (size_t)a[0].u.i >= l->n) {
                    rc_fail(c, 500, "InternalServerErrorException",
                            "Invocation of method 'remove' in class java.util.ArrayList threw exception "
                            "java.lang.IndexOutOfBoundsException");
                    return found(v_null());
                }
                vval old = l->items[a[0].u.i];
                memmove(&l->items[a[0].u.i], &l->items[a[0].u.i + 1], (l->n - (size_t)a[0].u.i - 1) * sizeof(vval));
                l->n--;
                return found(old);
            }
            for (size_t i = 0; i < l->n; i++)
                if (v_java_equals(l->items[i], a[0])) {
                    memmove(&l->items[i], &l->items[i + 1], (l->n - i - 1) * sizeof(vval));
                    l->n--;
                    return found(v_bool(true));
                }
            return found(v_bool(false));
        }
        if (NAME("addAll") && a[0].kind == V_LIST) {
            vlist *o = a[0].u.l;
            size_t k = o->n;
            for (size_t i = 0; i < k; i++)
                vlist_add(c->a, l, o->items[i]);
            return found(v_bool(k > 0));
        }
        if (NAME("equals"))
            return found(v_bool(v_java_equals((vval){.kind = V_LIST, .u.l = l}, a[0])));
        return NOT_FOUND;
    }
    if (n == 2 && is_int(a[0]) && (NAME("set") || NAME("add"))) {
        int64_t i = a[0].u.i;
        if (i < 0 || (size_t)i > l->n || (NAME("set") && (size_t)i == l->n)) {
            rc_fail(c, 500, "InternalServerErrorException",
                    "java.lang.IndexOutOfBoundsException: Index %lld out of bounds for length %zu", (long long)i, l->n);
            return found(v_null());
        }
        if (NAME("set")) {
            vval old = l->items[i];
            l->items[i] = a[1];
            return found(old);
        }
        vlist_add(c->a, l, v_null());
        memmove(&l->items[i + 1], &l->items[i], (l->n - 1 - (size_t)i) * sizeof(vval));
        l->items[i] = a[1];
        return found(v_null());
    }
    return NOT_FOUND;
}

static mresult map_method(rctx *c, vmap *m, slice name, vval *a, uint32_t n)
{
    if (n == 0) {
        if (NAME("size"))
            return found(v_int((int64_t)m->n));
        if (NAME("isEmpty"))
            return found(v_bool(m->n == 0));
        if (NAME("keySet") || NAME("values") || NAME("entrySet")) {
            vval l = list_of(c, m->n);
            for (size_t i = 0; i < m->n; i++) {
                vval x;
                if (NAME("keySet"))
                    x = m->keys[i];
                else if (NAME("values"))
                    x = m->vals[i];
                else {
                    ventry *e = arena_alloc(c->a, sizeof(*e));
                    e->map = m;
                    e->idx = i;
                    x = (vval){.kind = V_ENTRY, .u.e = e};
                }
                vlist_add(c->a, l.u.l, x);
            }
            return found(l);
        }
        if (NAME("clear")) {
            m->n = 0;
            return found(v_null());
        }
        if (NAME("toString"))
            return found(v_str(v_to_string(c, (vval){.kind = V_MAP, .u.m = m})));
        return NOT_FOUND;
    }
    if (n == 1) {
        if (NAME("get")) {
            long i = vmap_find(m, a[0]);
            return found(i >= 0 ? m->vals[i] : v_null());
        }
        if (NAME("containsKey"))
            return found(v_bool(vmap_find(m, a[0]) >= 0));
        if (NAME("containsValue")) {
            for (size_t i = 0; i < m->n; i++)
                if (v_java_equals(m->vals[i], a[0]))
                    return found(v_bool(true));
            return found(v_bool(false));
        }
        if (NAME("remove"))
            return found(vmap_remove(m, a[0]));
        if (NAME("putAll") && a[0].kind == V_MAP) {
            vmap *o = a[0].u.m;
            size_t k = o->n;
            for (size_t i = 0; i < k; i++)
                vmap_put(c->a, m, o->keys[i], o->vals[i]);
            return found(v_null());
        }
        if (NAME("equals"))
            return found(v_bool(v_java_equals((vval){.kind = V_MAP, .u.m = m}, a[0])));
        return NOT_FOUND;
    }
    if (n == 2) {
        if (NAME("put"))
            return found(vmap_put(c->a, m, a[0], a[1]));
        if (NAME("getOrDefault")) {
            long i = vmap_find(m, a[0]);
            return found(i >= 0 ? m->vals[i] : a[1]);
        }
        if (NAME("putIfAbsent")) {
            long i = vmap_find(m, a[0]);
            if (i >= 0 && m->vals[i].kind != V_NULL)
                return found(m->vals[i]);
            vmap_put(c->a, m, a[0], a[1]);
            return found(v_null());
        }
    }
    return NOT_FOUND;
}

static mresult foreach_method(vforeach *f, slice name, uint32_t n)
{
    if (n != 0)
        return NOT_FOUND;
    if (NAME("getIndex"))
        return found(v_int(f->index));
    if (NAME("getCount"))
        return found(v_int(f->index + 1));
    if (NAME("hasNext") || NAME("getHasNext"))
        return found(v_bool(f->has_next));
    if (NAME("isFirst") || NAME("getFirst"))
        return found(v_bool(f->index == 0));
    if (NAME("isLast") || NAME("getLast"))
        return found(v_bool(!f->has_next));
    if (NAME("getParent"))
        return found(f->parent ? (vval){.kind = V_FOREACH, .u.f = f->parent} : v_null());
    return NOT_FOUND;
}

/* A property of $foreach as the getter search below finds it: get + the name with its first letter in upper
 * case, or as written (the is-forms give the same values as the get-forms). */
int m_foreach_property_code(slice name)
{
    if (name.len < 2)
        return FE_NONE;
    char first = name.ptr[0] >= 'a' && name.ptr[0] <= 'z' ? (char)(name.ptr[0] - 32) : name.ptr[0];
    slice rest = slice_make(name.ptr + 1, name.len - 1);
    if (first == 'H' && slice_eq_cstr(rest, "asNext"))
        return FE_HAS_NEXT;
    if (first == 'I' && slice_eq_cstr(rest, "ndex"))
        return FE_INDEX;
    if (first == 'C' && slice_eq_cstr(rest, "ount"))
        return FE_COUNT;
    if (first == 'F' && slice_eq_cstr(rest, "irst"))
        return FE_FIRST;
    if (first == 'L' && slice_eq_cstr(rest, "ast"))
        return FE_LAST;
    return FE_NONE; /* getParent and the rest: the general search */
}

mresult m_call(rctx *c, vval self, slice name, vval *a, uint32_t n)
{
    if (n == 0 && NAME("getClass")) {
        const char *cn = v_class_name(self);
        return found(v_str(slice_make(arena_sprintf(c->a, "class %s", cn), strlen(cn) + 6)));
    }
    switch (self.kind) {
    case V_STRING:
        return string_method(c, v_s(self), name, a, n);
    case V_LIST:
        return list_method(c, self.u.l, name, a, n);
    case V_MAP:
        return map_method(c, self.u.m, name, a, n);
    case V_ENTRY:
        if (n == 0 && NAME("getKey"))
            return found(self.u.e->map->keys[self.u.e->idx]);
        if (n == 0 && NAME("getValue"))
            return found(self.u.e->map->vals[self.u.e->idx]);
        if (n == 1 && NAME("setValue")) {
            vval old = self.u.e->map->vals[self.u.e->idx];
            self.u.e->map->vals[self.u.e->idx] = a[0];
            return found(old);
        }
        if (n == 0 && NAME("toString"))
            return found(v_str(v_to_string(c, self)));
        return NOT_FOUND;
    case V_FOREACH:
        return foreach_method(self.u.f, name, n);
    case V_INT:
    case V_LONG:
    case V_DOUBLE:
    case V_BOOL:
        if (n == 0 && NAME("toString"))
            return found(v_str(v_to_string(c, self)));
        if (n == 1 && NAME("equals"))
            return found(v_bool(v_java_equals(self, a[0])));
        if (n == 0 && self.kind != V_BOOL) {
            double d = self.kind == V_DOUBLE ? self.u.d : (double)self.u.i;
            int64_t i = self.kind == V_DOUBLE ? (int64_t)self.u.d : self.u.i;
            if (NAME("intValue"))
                return found(v_int((int32_t)i));
            if (NAME("longValue"))
                return found(v_long(i));
            if (NAME("doubleValue"))
                return found(v_double(d));
        }
        if (n == 0 && self.kind == V_BOOL && NAME("booleanValue"))
            return found(self);
        return NOT_FOUND;
    case V_BLOCK:
        if (n == 0 && NAME("toString"))
            return found(v_str(v_to_string(c, self)));
        return NOT_FOUND;
    default:
        return NOT_FOUND;
    }
}

/* Velocity's property lookup: getFoo()/getfoo(), a Map's get("foo"), isFoo(); API Gateway turns a
 * missing property into "". */
vval m_property(rctx *c, vval self, slice name)
{
    if (self.kind == V_INPUT)
        return slice_eq_cstr(name, "body") ? apigw_input(c, SLICE_LIT("body"), NULL, 0, NULL).v : v_str(SLICE_NULL);
    char buf[128];
    if (name.len + 4 < sizeof(buf) && name.len > 0) {
        if (slice_eq_cstr(name, "class"))
            return m_call(c, self, SLICE_LIT("getClass"), NULL, 0).v;
        if (self.kind == V_FOREACH) { /* $foreach.hasNext in every loop: its getter found without a name built */
            int code = m_foreach_property_code(name);
            if (code != FE_NONE)
                return m_foreach_property(self.u.f, code);
        }
        if (self.kind == V_MAP) {
            long i = vmap_find_str(self.u.m, name);
            vval v = i >= 0 ? self.u.m->vals[i] : v_null();
            return v.kind == V_NULL ? v_str(SLICE_NULL) : v;
        }
        const char *prefixes[] = {"get", "is"};
        for (int p = 0; p < 2; p++) {
            size_t pl = strlen(prefixes[p]);
            memcpy(buf, prefixes[p], pl);
            memcpy(buf + pl, name.ptr, name.len);
            for (int up = 1; up >= 0; up--) {
                buf[pl] = name.ptr[0];
                if (up && buf[pl] >= 'a' && buf[pl] <= 'z')
                    buf[pl] = (char)(buf[pl] - 32);
                else if (up)
                    continue;
                mresult r = m_call(c, self, slice_make(buf, pl + name.len), NULL, 0);
                if (r.found) {
                    if (p == 1 && r.v.kind != V_BOOL)
                        continue;
                    return r.v.kind == V_NULL ? v_str(SLICE_NULL) : r.v;
                }
            }
        }
    }
    return v_str(SLICE_NULL);
}
