/* jsonpath: Jayway JsonPath 2.0's evaluation rules, as the reference harness observes them (default
 * configuration: no DEFAULT_PATH_LEAF_TO_NULL, no SUPPRESS_EXCEPTIONS, no REQUIRE_PROPERTIES):
 *   - a missing leaf property throws PathNotFound, even in an indefinite path ($.a[0,1].x), except under an
 *     array wildcard, which drops the elements that throw ($.a[*].x);
 *   - a missing property before the leaf is skipped when a later token is indefinite or an earlier one is a
 *     slice, index union or filter, else throws (inner_missing_throws);
 *   - a property of something that is not an object throws PathNotFound (again caught only by [*]);
 *   - [n] on something that is not an array is an InvalidPathException; a negative or too large index is
 *     PathNotFound (2.0 has no negative indexes; slices [-2:] do work, [a:b] with a negative a does not);
 *   - a deep scan visits a node, then its children in order, and applies the next token where it fits;
 *   - filters compare an @ or $ path with a literal or another path: a number on the left turns the right
 *     side into a number (a non-numeric string is an error, as in Jayway), a string compares as text,
 *     anything missing or structured never matches; `"x"` (double quotes) is no string in 2.0 and never
 *     matches; `in`, `nin`, `size`, `empty` and `!(...)` are rejected as 2.0 rejects them.
 * Not reproduced: 2.0's reading of `$.'name'` (it yields an empty map) and of adjacent quoted strings in
 * filters ('it''s'); both are rejected here.
 * The expected results in tests/unit/test_jsonpath.c were obtained from the harness's libraries. */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "vtl/jsonpath.h"

#include <ctype.h>
#include <math.h>
#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "vtl/jutil.h"

typedef enum tok_kind { T_PROP, T_MULTIPROP, T_INDEX, T_MULTIINDEX, T_SLICE, T_WILDCARD, T_SCAN, T_FILTER } tok_kind;

typedef struct fexpr fexpr;

typedef struct tok {
    tok_kind kind;
    slice *names; /* T_PROP (one), T_MULTIPROP */
    size_t count;
    long *indexes; /* T_INDEX (one), T_MULTIINDEX */
    bool has_from, has_to;
    long from, to; /* T_SLICE */
    fexpr *filter; /* T_FILTER; NULL when malformed, then filter_error says why */
    aws_error *filter_error;
    slice fragment; /* the bracket text, for messages */
} tok;

struct jsonpath {
    tok *toks;
    size_t n;
    bool definite;
};

/* ---- filter expressions ---- */

typedef enum fval_kind { V_PATH, V_STRING, V_NUMBER, V_TRUE, V_FALSE, V_NULL, V_NEVER, V_REGEX } fval_kind;

typedef struct fval {
    fval_kind kind;
    bool from_root; /* V_PATH: $ rather than @ */
    jsonpath *path; /* V_PATH: relative path (its toks after the @) */
    slice text;     /* V_STRING, V_NUMBER (literal text) */
    double number;
    pcre2_code *regex; /* V_REGEX */
} fval;

typedef enum fop { OP_NONE, OP_EQ, OP_NE, OP_LT, OP_LE, OP_GT, OP_GE, OP_MATCH, OP_AND, OP_OR } fop;

struct fexpr {
    fop op;
    fexpr *l, *r; /* OP_AND / OP_OR */
    fval a, b;    /* comparisons; OP_NONE: existence of a */
};

typedef struct compiler {
    arena *a;
    const char *s;
    size_t n, i;
    aws_error *e;
    bool lazy; /* the error is one Jayway 2.0 raises only when the filter runs */
} compiler;

static int invalid(aws_error *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int invalid(aws_error *e, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    e->status = 500;
    e->type = "InvalidPathException";
    vsnprintf(e->message, sizeof(e->message), fmt, ap);
    va_end(ap);
    return -1;
}

static bool tok_definite(const tok *t)
{
    return t->kind == T_PROP || t->kind == T_MULTIPROP || t->kind == T_INDEX;
}

static void skip_ws(compiler *c)
{
    while (c->i < c->n && c->s[c->i] == ' ')
        c->i++;
}

static int compile_path(arena *a, slice path, bool relative, jsonpath **out, aws_error *e);
static fexpr *parse_or(compiler *c);

static bool starts(compiler *c, const char *w)
{
    size_t k = strlen(w);
    return c->i + k <= c->n && memcmp(c->s + c->i, w, k) == 0;
}

/* The extent of a path inside a filter: up to a space, an operator or a closing parenthesis, brackets kept. */
static size_t path_extent(compiler *c)
{
    size_t j = c->i, depth = 0;
    char quote = 0;
    while (j < c->n) {
        char ch = c->s[j];
        if (quote) {
            if (ch == quote)
                quote = 0;
        } else if (ch == '\'' && depth > 0) {
            quote = ch;
        } else if (ch == '[') {
            depth++;
        } else if (ch == ']') {
            if (depth == 0)
                break;
            depth--;
        } else if (depth == 0 && (ch == ' ' || ch == ')' || ch == '=' || ch == '!' || ch == '<' || ch == '>' ||
                                  ch == '&' || ch == '|')) {
            break;
        }
        j++;
    }
    return j;
}

static void *regex_alloc(size_t size, void *a)
{
    return arena_alloc(a, size);
}
static void regex_free(void *p, void *a)
{
    (void)p;
    (void)a;
}

static int parse_value(compiler *c, fval *v)
{
    skip_ws(c);
    memset(v, 0, sizeof(*v));
    if (c->i >= c->n)
        return invalid(c->e, "Could not parse filter: unexpected end");
    char ch = c->s[c->i];
    if (ch == '@' || ch == '$') {
        size_t end = path_extent(c);
        v->kind = V_PATH;
        v->from_root = ch == '$';
        slice rest = slice_make(c->s + c->i + 1, end - c->i - 1);
        c->i = end;
        return compile_path(c->a, rest, true, &v->path, c->e);
    }
    if (ch == '\'') {
        size_t j = c->i + 1;
        while (j < c->n && c->s[j] != '\'')
            j++;
        if (j >= c->n)
            return invalid(c->e, "Could not parse filter: unterminated string");
        v->kind = V_STRING;
        v->text = slice_make(c->s + c->i + 1, j - c->i - 1);
        c->i = j + 1;
        return 0;
    }
    if (ch == '"') { /* 2.0 does not read double-quoted strings as strings: such a comparison never matches */
        size_t j = c->i + 1;
        while (j < c->n && c->s[j] != '"')
            j++;
        v->kind = V_NEVER;
        c->i = j < c->n ? j + 1 : j;
        return 0;
    }
    if (ch == '/') {
        size_t j = c->i + 1;
        while (j < c->n && c->s[j] != '/') {
            if (c->s[j] == '\\')
                j++;
            j++;
        }
        if (j >= c->n)
            return invalid(c->e, "Could not parse filter: unterminated regular expression");
        slice pat = slice_make(c->s + c->i + 1, j - c->i - 1);
        j++;
        uint32_t opts = PCRE2_ANCHORED | PCRE2_ENDANCHORED | PCRE2_UTF;
        while (j < c->n && isalpha((unsigned char)c->s[j])) {
            if (c->s[j] == 'i')
                opts |= PCRE2_CASELESS;
            j++;
        }
        int err;
        PCRE2_SIZE off;
        v->kind = V_REGEX;
        /* the compiled pattern lives in the path's arena like the rest of it */
        pcre2_general_context *gc = pcre2_general_context_create(regex_alloc, regex_free, c->a);
        pcre2_compile_context *cc = pcre2_compile_context_create(gc);
        v->regex = pcre2_compile((PCRE2_SPTR)pat.ptr, pat.len, opts, &err, &off, cc);
        if (v->regex == NULL)
            return invalid(c->e, "Invalid regular expression /%.*s/", SLICE_FMT(pat));
        c->i = j;
        return 0;
    }
    if (ch == '-' || isdigit((unsigned char)ch)) {
        size_t j = c->i + 1;
        while (j < c->n && (isdigit((unsigned char)c->s[j]) || c->s[j] == '.' || c->s[j] == 'e' || c->s[j] == 'E'))
            j++;
        v->kind = V_NUMBER;
        v->text = slice_make(c->s + c->i, j - c->i);
        char buf[64];
        snprintf(buf, sizeof buf, "%.*s", (int)v->text.len, v->text.ptr);
        v->number = strtod(buf, NULL);
        c->i = j;
        return 0;
    }
    if (starts(c, "true")) {
        v->kind = V_TRUE;
        c->i += 4;
        return 0;
    }
    if (starts(c, "false")) {
        v->kind = V_FALSE;
        c->i += 5;
        return 0;
    }
    if (starts(c, "null")) {
        v->kind = V_NULL;
        c->i += 4;
        return 0;
    }
    return invalid(c->e, "Could not parse filter: unexpected character '%c'", ch);
}

static fop parse_op(compiler *c)
{
    skip_ws(c);
    static const struct {
        const char *text;
        fop op;
    } ops[] = {{"==", OP_EQ},    {"!=", OP_NE}, {"<=", OP_LE}, {">=", OP_GE},
               {"=~", OP_MATCH}, {"<", OP_LT},  {">", OP_GT}};
    for (size_t k = 0; k < sizeof ops / sizeof ops[0]; k++)
        if (starts(c, ops[k].text)) {
            c->i += strlen(ops[k].text);
            return ops[k].op;
        }
    return OP_NONE;
}

static fexpr *parse_primary(compiler *c)
{
    skip_ws(c);
    fexpr *x = arena_calloc(c->a, sizeof(*x));
    if (c->i < c->n && c->s[c->i] == '(') {
        c->i++;
        fexpr *inner = parse_or(c);
        if (inner == NULL)
            return NULL;
        skip_ws(c);
        if (c->i >= c->n || c->s[c->i] != ')') {
            invalid(c->e, "Could not parse filter: missing )");
            return NULL;
        }
        c->i++;
        return inner;
    }
    if (c->i < c->n && c->s[c->i] == '!') {
        /* 2.0 accepts only !@.path (non-existence) */
        c->i++;
        if (c->i >= c->n || c->s[c->i] != '@') {
            invalid(c->e, "java.lang.UnsupportedOperationException: CriteriaType  can not be parsed");
            return NULL;
        }
        if (parse_value(c, &x->a) != 0)
            return NULL;
        x->op = OP_NONE;
        x->b.kind = V_FALSE; /* marks negation */
        return x;
    }
    if (parse_value(c, &x->a) != 0)
        return NULL;
    size_t save = c->i;
    x->op = parse_op(c);
    if (x->op == OP_NONE) {
        c->i = save;
        skip_ws(c);
        if (c->i < c->n && c->s[c->i] != ')' && c->s[c->i] != '&' && c->s[c->i] != '|') {
            invalid(c->e, "Space not allowed in path");
            return NULL;
        }
        x->b.kind = V_TRUE; /* existence */
        return x;
    }
    if (parse_value(c, &x->b) != 0) {
        c->lazy = true; /* 2.0 keeps the operand's text and fails converting it */
        return NULL;
    }
    if (x->op == OP_MATCH && x->b.kind != V_REGEX) {
        invalid(c->e, "Could not parse filter: =~ needs a /regex/");
        return NULL;
    }
    return x;
}

static fexpr *parse_and(compiler *c)
{
    fexpr *l = parse_primary(c);
    while (l != NULL) {
        skip_ws(c);
        if (!starts(c, "&&"))
            break;
        c->i += 2;
        fexpr *r = parse_primary(c);
        if (r == NULL)
            return NULL;
        fexpr *x = arena_calloc(c->a, sizeof(*x));
        x->op = OP_AND;
        x->l = l;
        x->r = r;
        l = x;
    }
    return l;
}

static fexpr *parse_or(compiler *c)
{
    fexpr *l = parse_and(c);
    while (l != NULL) {
        skip_ws(c);
        if (!starts(c, "||"))
            break;
        c->i += 2;
        fexpr *r = parse_and(c);
        if (r == NULL)
            return NULL;
        fexpr *x = arena_calloc(c->a, sizeof(*x));
        x->op = OP_OR;
        x->l = l;
        x->r = r;
        l = x;
    }
    return l;
}

/* ---- path compilation ---- */

typedef struct tok_list {
    tok *items;
    size_t n, cap;
    arena *a;
} tok_list;

static tok *push_tok(tok_list *l, tok_kind kind)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 8;
        tok *items = arena_alloc(l->a, cap * sizeof(tok));
        if (l->n > 0)
            memcpy(items, l->items, l->n * sizeof(tok));
        l->items = items;
        l->cap = cap;
    }
    tok *t = &l->items[l->n++];
    memset(t, 0, sizeof(*t));
    t->kind = kind;
    return t;
}

static slice trim(slice s)
{
    while (s.len > 0 && s.ptr[0] == ' ') {
        s.ptr++;
        s.len--;
    }
    while (s.len > 0 && s.ptr[s.len - 1] == ' ')
        s.len--;
    return s;
}

static bool parse_long(slice s, long *out)
{
    s = trim(s);
    if (s.len == 0 || s.len > 18)
        return false;
    size_t k = 0;
    bool neg = false;
    if (s.ptr[0] == '-') {
        neg = true;
        k = 1;
    }
    if (k >= s.len)
        return false;
    long v = 0;
    for (; k < s.len; k++) {
        if (!isdigit((unsigned char)s.ptr[k]))
            return false;
        v = v * 10 + (s.ptr[k] - '0');
    }
    *out = neg ? -v : v;
    return true;
}

/* The bracket starting at path[i] == '['; returns the index after its ']' or (size_t)-1. */
static size_t bracket_end(slice path, size_t i)
{
    size_t j = i + 1;
    if (j + 1 < path.len && path.ptr[j] == '?' && path.ptr[j + 1] == '(') {
        /* a filter: the matching ")]" outside quotes and regexes */
        int depth = 0;
        char quote = 0;
        for (j = i + 2; j < path.len; j++) {
            char ch = path.ptr[j];
            if (quote) {
                if (ch == '\\')
                    j++;
                else if (ch == quote)
                    quote = 0;
            } else if (ch == '\'' || ch == '"' || (ch == '/' && depth > 0)) {
                quote = ch;
            } else if (ch == '(') {
                depth++;
            } else if (ch == ')') {
                depth--;
                if (depth == 0)
                    return j + 1 < path.len && path.ptr[j + 1] == ']' ? j + 2 : (size_t)-1;
            }
        }
        return (size_t)-1;
    }
    char quote = 0;
    for (; j < path.len; j++) {
        char ch = path.ptr[j];
        if (quote) {
            if (ch == quote)
                quote = 0;
        } else if (ch == '\'') {
            quote = ch;
        } else if (ch == ']') {
            return j + 1;
        }
    }
    return (size_t)-1;
}

static int compile_bracket(tok_list *l, slice frag, aws_error *e)
{
    slice inner = trim(slice_make(frag.ptr + 1, frag.len - 2));
    if (slice_eq_cstr(inner, "*")) {
        push_tok(l, T_WILDCARD)->fragment = frag;
        return 0;
    }
    if (inner.len >= 2 && inner.ptr[0] == '?' && inner.ptr[1] == '(') {
        if (inner.len < 3 || inner.ptr[inner.len - 1] != ')')
            goto bad;
        /* Jayway 2.0 reports some malformed filters only when they are applied: those errors wait until then */
        aws_error fe;
        error_clear(&fe);
        compiler c = {.a = l->a, .s = inner.ptr + 2, .n = inner.len - 3, .i = 0, .e = &fe};
        fexpr *f = parse_or(&c);
        if (f != NULL) {
            skip_ws(&c);
            if (c.i != c.n) {
                invalid(&fe, "Could not parse filter: %.*s", SLICE_FMT(inner));
                f = NULL;
            }
        }
        if (f == NULL && !c.lazy) {
            *e = fe;
            return -1;
        }
        tok *t = push_tok(l, T_FILTER);
        t->filter = f;
        t->fragment = frag;
        if (f == NULL) {
            t->filter_error = arena_alloc(l->a, sizeof(aws_error));
            *t->filter_error = fe;
        }
        return 0;
    }
    if (inner.len > 0 && inner.ptr[0] == '\'') {
        slice names[64];
        size_t count = 0, i = 0;
        while (i < inner.len) {
            while (i < inner.len && inner.ptr[i] == ' ')
                i++;
            if (i >= inner.len || inner.ptr[i] != '\'' || count == 64)
                goto bad;
            size_t j = i + 1;
            while (j < inner.len && inner.ptr[j] != '\'')
                j++;
            if (j >= inner.len)
                goto bad;
            names[count++] = slice_make(inner.ptr + i + 1, j - i - 1);
            i = j + 1;
            while (i < inner.len && inner.ptr[i] == ' ')
                i++;
            if (i < inner.len) {
                if (inner.ptr[i] != ',')
                    goto bad;
                i++;
            }
        }
        tok *t = push_tok(l, count == 1 ? T_PROP : T_MULTIPROP);
        t->names = arena_alloc(l->a, count * sizeof(slice));
        memcpy(t->names, names, count * sizeof(slice));
        t->count = count;
        t->fragment = frag;
        return 0;
    }
    const char *colon = memchr(inner.ptr, ':', inner.len);
    if (colon != NULL) {
        slice a = slice_make(inner.ptr, (size_t)(colon - inner.ptr));
        slice rest = slice_make(colon + 1, inner.len - a.len - 1);
        const char *colon2 = memchr(rest.ptr, ':', rest.len);
        slice b = colon2 ? slice_make(rest.ptr, (size_t)(colon2 - rest.ptr)) : rest; /* a step is ignored */
        tok *t = push_tok(l, T_SLICE);
        t->fragment = frag;
        t->has_from = trim(a).len > 0;
        t->has_to = trim(b).len > 0;
        if ((t->has_from && !parse_long(a, &t->from)) || (t->has_to && !parse_long(b, &t->to)) ||
            (!t->has_from && !t->has_to))
            goto bad;
        return 0;
    }
    {
        long idx[64];
        size_t count = 0;
        size_t i = 0;
        while (i <= inner.len) {
            const char *comma = memchr(inner.ptr + i, ',', inner.len - i);
            size_t end = comma ? (size_t)(comma - inner.ptr) : inner.len;
            if (count == 64 || !parse_long(slice_make(inner.ptr + i, end - i), &idx[count]))
                goto bad;
            count++;
            i = end + 1;
            if (comma == NULL)
                break;
        }
        tok *t = push_tok(l, count == 1 ? T_INDEX : T_MULTIINDEX);
        t->indexes = arena_alloc(l->a, count * sizeof(long));
        memcpy(t->indexes, idx, count * sizeof(long));
        t->count = count;
        t->fragment = frag;
        return 0;
    }
bad:
    return invalid(e, "Could not analyze path component: %.*s", SLICE_FMT(frag));
}

static int compile_path(arena *a, slice path, bool relative, jsonpath **out, aws_error *e)
{
    tok_list l = {.a = a};
    size_t i = 0;
    if (!relative) {
        path = trim(path);
        if (path.len == 0)
            return invalid(e, "Path may not be null empty");
        if (path.ptr[0] == '$') {
            i = 1;
        } else {
            /* Jayway reads "a.b" as "$.a.b" */
            char *p = arena_alloc(a, path.len + 3);
            memcpy(p, "$.", 2);
            memcpy(p + 2, path.ptr, path.len);
            path = slice_make(p, path.len + 2);
            i = 1;
        }
    }
    while (i < path.len) {
        char ch = path.ptr[i];
        if (ch == '[') {
            size_t end = bracket_end(path, i);
            if (end == (size_t)-1)
                return invalid(e, "Could not analyze path component: %.*s", (int)(path.len - i), path.ptr + i);
            if (compile_bracket(&l, slice_make(path.ptr + i, end - i), e) != 0)
                return -1;
            i = end;
            continue;
        }
        if (ch != '.')
            return invalid(e, "Could not parse path %.*s at %c", SLICE_FMT(path), ch);
        i++;
        if (i < path.len && path.ptr[i] == '.') {
            i++;
            push_tok(&l, T_SCAN);
            if (i < path.len && path.ptr[i] == '.') /* "..." reads as ".." then ".name" */
                i++;
            if (i >= path.len)
                return invalid(e, "A path can not end with a scan.");
        }
        if (i >= path.len)
            return invalid(e, "Path must not end with a '.' or '..'");
        if (path.ptr[i] == '[')
            continue;
        if (path.ptr[i] == '*') {
            push_tok(&l, T_WILDCARD)->fragment = slice_make(path.ptr + i, 1);
            i++;
            continue;
        }
        size_t start = i;
        while (i < path.len && path.ptr[i] != '.' && path.ptr[i] != '[')
            i++;
        tok *t = push_tok(&l, T_PROP);
        t->names = arena_alloc(a, sizeof(slice));
        t->names[0] = slice_make(path.ptr + start, i - start);
        t->count = 1;
    }
    jsonpath *p = arena_alloc(a, sizeof(*p));
    p->toks = l.items;
    p->n = l.n;
    p->definite = true;
    for (size_t k = 0; k < l.n; k++)
        if (!tok_definite(&l.items[k]))
            p->definite = false;
    *out = p;
    return 0;
}

int jsonpath_compile(arena *a, slice path, jsonpath **out, aws_error *e)
{
    return compile_path(a, path, false, out, e);
}

bool jsonpath_is_definite(const jsonpath *p)
{
    return p->definite;
}

int jsonpath_simple_length(const jsonpath *p)
{
    for (size_t i = 0; i < p->n; i++) {
        const tok *t = &p->toks[i];
        if (!((t->kind == T_PROP && t->count == 1) || (t->kind == T_INDEX && t->count == 1)))
            return -1;
    }
    return (int)p->n;
}

void jsonpath_simple_step(const jsonpath *p, size_t i, slice *name, long *index)
{
    const tok *t = &p->toks[i];
    if (t->kind == T_PROP) {
        *name = t->names[0];
        *index = -1;
    } else {
        *name = SLICE_NULL;
        *index = t->indexes[0] < 0 ? -2 : t->indexes[0];
    }
}

/* ---- evaluation ---- */

enum { NF = 1 }; /* PathNotFoundException, travelling up like the exception does */

static int eval_path(const jsonpath *p, json_t *root, json_t **out, aws_error *e);

typedef struct ctx {
    const jsonpath *p;
    json_t *root;
    json_t *results;
    aws_error *e;
} ctx;

static int eval_at(ctx *c, size_t i, json_t *node);

static int not_applicable(ctx *c, const tok *t, json_t *node, const char *what)
{
    arena scratch;
    arena_init(&scratch, 1024);
    jutil_buf b;
    jutil_buf_init(&b, &scratch, 256);
    jutil_java_string(&b, node);
    if (b.len > 300)
        b.len = 300;
    invalid(c->e, "Filter: %.*s %s. Current context is: %.*s", SLICE_FMT(t->fragment), what, (int)b.len, b.ptr);
    arena_destroy(&scratch);
    return -1;
}

/* A missing property before the leaf: what 2.0 does, found by comparing thousands of paths with the library.
 * It is skipped when a later token is indefinite (any kind) or an earlier one is a slice, a union of
 * indexes or a filter; otherwise (only wildcards and scans, or nothing indefinite) it throws. */
static bool inner_missing_throws(const jsonpath *p, size_t i)
{
    for (size_t k = i + 1; k < p->n; k++)
        if (!tok_definite(&p->toks[k]))
            return false;
    for (size_t k = 0; k < i; k++) {
        tok_kind kind = p->toks[k].kind;
        if (kind == T_MULTIINDEX || kind == T_SLICE || kind == T_FILTER)
            return false;
    }
    return true;
}

static int eval_index(ctx *c, size_t i, json_t *node, long idx)
{
    if (idx < 0 || (size_t)idx >= json_array_size(node))
        return NF;
    return eval_at(c, i + 1, json_array_get(node, (size_t)idx));
}

static bool matches_filter(ctx *c, const fexpr *f, json_t *node, int *err);

static bool scan_predicate(ctx *c, const tok *t, json_t *node, int *err)
{
    switch (t->kind) {
    case T_PROP:
        return json_is_object(node) && json_object_getn(node, t->names[0].ptr, t->names[0].len) != NULL;
    case T_MULTIPROP:
        if (!json_is_object(node))
            return false;
        for (size_t k = 0; k < t->count; k++)
            if (json_object_getn(node, t->names[k].ptr, t->names[k].len) == NULL)
                return false;
        return true;
    case T_INDEX:
    case T_MULTIINDEX:
    case T_SLICE:
        return json_is_array(node);
    case T_FILTER:
        if (t->filter == NULL) {
            *c->e = *t->filter_error;
            *err = 1;
            return false;
        }
        /* the filter is tried on the container itself (@ is the array or object) */
        return (json_is_array(node) || json_is_object(node)) && matches_filter(c, t->filter, node, err);
    default:
        return true;
    }
}

static int walk(ctx *c, size_t i, json_t *node)
{
    /* i is the scan token; i + 1 the token it looks for */
    const tok *pt = &c->p->toks[i + 1];
    bool pt_leaf = i + 2 == c->p->n;
    int err = 0, rc;
    if (json_is_object(node)) {
        if (scan_predicate(c, pt, node, &err)) {
            if ((rc = eval_at(c, i + 1, node)) != 0)
                return rc;
        }
        if (err)
            return -1;
        const char *key;
        json_t *v;
        json_object_foreach(node, key, v)
        {
            if (json_is_object(v) || json_is_array(v))
                if ((rc = walk(c, i, v)) != 0)
                    return rc;
        }
    } else if (json_is_array(node)) {
        if (scan_predicate(c, pt, node, &err)) {
            if (pt_leaf) {
                if ((rc = eval_at(c, i + 1, node)) != 0)
                    return rc;
            } else {
                /* Jayway 2.0 hands each element to the token after the one it matched */
                for (size_t k = 0; k < json_array_size(node); k++)
                    if ((rc = eval_at(c, i + 2, json_array_get(node, k))) != 0)
                        return rc;
            }
        }
        if (err)
            return -1;
        for (size_t k = 0; k < json_array_size(node); k++) {
            json_t *v = json_array_get(node, k);
            if (json_is_object(v) || json_is_array(v))
                if ((rc = walk(c, i, v)) != 0)
                    return rc;
        }
    }
    return 0;
}

static int eval_at(ctx *c, size_t i, json_t *node)
{
    if (i == c->p->n) {
        json_array_append(c->results, node);
        return 0;
    }
    const tok *t = &c->p->toks[i];
    int rc;
    switch (t->kind) {
    case T_PROP: {
        if (!json_is_object(node))
            return NF;
        json_t *v = json_object_getn(node, t->names[0].ptr, t->names[0].len);
        if (v == NULL) {
            if (i + 1 == c->p->n || inner_missing_throws(c->p, i))
                return NF;
            return 0;
        }
        return eval_at(c, i + 1, v);
    }
    case T_MULTIPROP: {
        if (!json_is_object(node))
            return NF;
        if (i + 1 < c->p->n) /* 2.0 reports this only when it gets here */
            return invalid(c->e, "Multi properties can only be used as path leafs");
        json_t *m = json_object();
        for (size_t k = 0; k < t->count; k++) {
            json_t *v = json_object_getn(node, t->names[k].ptr, t->names[k].len);
            if (v != NULL)
                json_object_setn(m, t->names[k].ptr, t->names[k].len, v);
        }
        rc = eval_at(c, i + 1, m);
        json_decref(m);
        return rc;
    }
    case T_INDEX:
    case T_MULTIINDEX:
        if (json_is_null(node))
            return NF; /* "The path ... is null" */
        if (!json_is_array(node))
            return not_applicable(c, t, node, "can only be applied to arrays");
        for (size_t k = 0; k < t->count; k++)
            if ((rc = eval_index(c, i, node, t->indexes[k])) != 0)
                return rc;
        return 0;
    case T_SLICE: {
        if (json_is_null(node))
            return NF;
        if (!json_is_array(node))
            return not_applicable(c, t, node, "can only be applied to arrays");
        long len = (long)json_array_size(node), from, to;
        if (t->has_from && !t->has_to) { /* [a:] */
            from = t->from < 0 ? (len + t->from < 0 ? 0 : len + t->from) : t->from;
            to = len;
        } else if (!t->has_from) { /* [:b] */
            from = 0;
            to = t->to < 0 ? len + t->to : (t->to < len ? t->to : len);
        } else { /* [a:b]: a negative a is read as an index, and is out of bounds */
            from = t->from;
            to = t->to < len ? t->to : len;
        }
        for (long k = from; k < to; k++)
            if ((rc = eval_index(c, i, node, k)) != 0)
                return rc;
        return 0;
    }
    case T_WILDCARD:
        if (json_is_object(node)) {
            const char *key;
            json_t *v;
            json_object_foreach(node, key, v)
            {
                if ((rc = eval_at(c, i + 1, v)) != 0)
                    return rc;
            }
        } else if (json_is_array(node)) {
            for (size_t k = 0; k < json_array_size(node); k++) {
                rc = eval_at(c, i + 1, json_array_get(node, k));
                if (rc < 0)
                    return rc;
            }
        }
        return 0;
    case T_SCAN:
        return walk(c, i, node);
    case T_FILTER: {
        int err = 0;
        if (t->filter == NULL && (json_is_array(node) || json_is_object(node))) {
            *c->e = *t->filter_error;
            return -1;
        }
        if (json_is_array(node)) {
            for (size_t k = 0; k < json_array_size(node); k++) {
                json_t *v = json_array_get(node, k);
                bool ok = matches_filter(c, t->filter, v, &err);
                if (err)
                    return -1;
                if (ok && (rc = eval_at(c, i + 1, v)) != 0)
                    return rc;
            }
            return 0;
        }
        if (json_is_object(node)) {
            bool ok = matches_filter(c, t->filter, node, &err);
            if (err)
                return -1;
            return ok ? eval_at(c, i + 1, node) : 0;
        }
        tok q = *t;
        q.fragment = SLICE_LIT("[?]");
        return not_applicable(c, &q, node, "can not be applied to primitives");
    }
    }
    return 0;
}

/* The value of a filter operand at `node`: NULL when a path finds nothing. */
static json_t *operand(ctx *c, const fval *v, json_t *node, int *err)
{
    if (v->kind != V_PATH)
        return NULL;
    json_t *out = NULL;
    aws_error e;
    error_clear(&e);
    int rc = eval_path(v->path, v->from_root ? c->root : node, &out, &e);
    if (rc < 0) {
        *c->e = e;
        *err = 1;
        return NULL;
    }
    if (rc == JSONPATH_NOT_FOUND)
        return NULL;
    if (!jsonpath_is_definite(v->path)) {
        json_t *first = json_array_size(out) > 0 ? json_incref(json_array_get(out, 0)) : NULL;
        json_decref(out);
        return first;
    }
    return out;
}

static bool to_number(slice text, double *out)
{
    char buf[64];
    if (text.len == 0 || text.len >= sizeof buf)
        return false;
    memcpy(buf, text.ptr, text.len);
    buf[text.len] = '\0';
    char *end;
    *out = strtod(buf, &end);
    return *end == '\0';
}

static int number_error(ctx *c, const fval *b)
{
    c->e->status = 500;
    c->e->type = "NumberFormatException";
    snprintf(c->e->message, sizeof(c->e->message),
             "Character %c is neither a decimal digit number, decimal point, nor \"e\" notation exponential mark.",
             b->kind == V_STRING && b->text.len > 0 ? b->text.ptr[0] : (b->kind == V_TRUE ? 't' : 'f'));
    return -1;
}

static bool compare(ctx *c, fop op, json_t *l, const fval *b, json_t *r, int *err)
{
    /* the right side as text or number */
    if (l == NULL || json_is_object(l) || json_is_array(l) || b->kind == V_NEVER)
        return false;
    if (b->kind == V_PATH && (r == NULL || json_is_object(r) || json_is_array(r)))
        return false;
    if (b->kind == V_NULL || (b->kind == V_PATH && json_is_null(r))) {
        if (op == OP_EQ)
            return json_is_null(l);
        if (op == OP_NE)
            return !json_is_null(l);
        return false;
    }
    if (json_is_null(l))
        return op == OP_NE;
    if (json_is_number(l)) {
        double x = json_number_value(l), y;
        if (b->kind == V_NUMBER) {
            y = b->number;
        } else if (b->kind == V_PATH) {
            if (json_is_number(r))
                y = json_number_value(r);
            else if (!json_is_string(r) || !to_number(json_string_slice(r), &y))
                return false;
        } else if (b->kind == V_STRING) {
            if (!to_number(b->text, &y)) {
                *err = 1;
                number_error(c, b);
                return false;
            }
        } else {
            *err = 1;
            number_error(c, b);
            return false;
        }
        switch (op) {
        case OP_EQ:
            return x == y;
        case OP_NE:
            return x != y;
        case OP_LT:
            return x < y;
        case OP_LE:
            return x <= y;
        case OP_GT:
            return x > y;
        case OP_GE:
            return x >= y;
        default:
            return false;
        }
    }
    /* strings and booleans compare as text */
    slice ls = json_is_string(l) ? json_string_slice(l) : (json_is_true(l) ? SLICE_LIT("true") : SLICE_LIT("false"));
    char num[JUTIL_NUMBER_MAX];
    slice rs;
    switch (b->kind) {
    case V_STRING:
    case V_NUMBER:
        rs = b->text;
        break;
    case V_TRUE:
        rs = SLICE_LIT("true");
        break;
    case V_FALSE:
        rs = SLICE_LIT("false");
        break;
    default:
        if (json_is_string(r))
            rs = json_string_slice(r);
        else if (json_is_integer(r))
            rs = slice_make(num, jutil_format_long(json_integer_value(r), num));
        else if (json_is_real(r))
            rs = slice_make(num, jutil_format_double(json_real_value(r), num));
        else
            rs = json_is_true(r) ? SLICE_LIT("true") : SLICE_LIT("false");
    }
    int cmp = slice_cmp(ls, rs);
    switch (op) {
    case OP_EQ:
        return cmp == 0;
    case OP_NE:
        return cmp != 0;
    case OP_LT:
        return cmp < 0;
    case OP_LE:
        return cmp <= 0;
    case OP_GT:
        return cmp > 0;
    case OP_GE:
        return cmp >= 0;
    default:
        return false;
    }
}

static bool matches_filter(ctx *c, const fexpr *f, json_t *node, int *err)
{
    switch (f->op) {
    case OP_AND:
        return matches_filter(c, f->l, node, err) && !*err && matches_filter(c, f->r, node, err);
    case OP_OR:
        return (matches_filter(c, f->l, node, err) && !*err) || (!*err && matches_filter(c, f->r, node, err));
    case OP_NONE: {
        json_t *v = operand(c, &f->a, node, err);
        bool exists = v != NULL && !json_is_null(v); /* 2.0: a null value does not count as present */
        json_decref(v);
        return f->b.kind == V_FALSE ? !exists : exists;
    }
    case OP_MATCH: {
        json_t *v = operand(c, &f->a, node, err);
        bool ok = false;
        if (v != NULL && json_is_string(v)) {
            pcre2_match_data *md = pcre2_match_data_create_from_pattern(f->b.regex, NULL);
            ok = pcre2_match(f->b.regex, (PCRE2_SPTR)json_string_value(v), json_string_length(v), 0, 0, md, NULL) >= 0;
            pcre2_match_data_free(md);
        }
        json_decref(v);
        return ok;
    }
    default: {
        json_t *l = f->a.kind == V_PATH ? operand(c, &f->a, node, err) : NULL;
        json_t *r = f->b.kind == V_PATH ? operand(c, &f->b, node, err) : NULL;
        bool ok = false;
        if (!*err) {
            if (f->a.kind == V_PATH) {
                ok = compare(c, f->op, l, &f->b, r, err);
            } else if (f->b.kind == V_PATH) {
                /* literal on the left: swap, mirroring the operator */
                fop mirrored = f->op == OP_LT   ? OP_GT
                               : f->op == OP_GT ? OP_LT
                               : f->op == OP_LE ? OP_GE
                               : f->op == OP_GE ? OP_LE
                                                : f->op;
                ok = compare(c, mirrored, r, &f->a, NULL, err);
            }
        }
        json_decref(l);
        json_decref(r);
        return ok;
    }
    }
}

int jsonpath_eval(const jsonpath *p, json_t *root, json_t **out, aws_error *e)
{
    if (root == NULL || json_is_null(root)) { /* JsonPath.parse(null): Jayway refuses a null document */
        *out = NULL;
        e->status = 500;
        e->type = "IllegalArgumentException";
        snprintf(e->message, sizeof(e->message), "json object can not be null");
        return -1;
    }
    return eval_path(p, root, out, e);
}

static int eval_path(const jsonpath *p, json_t *root, json_t **out, aws_error *e)
{
    *out = NULL;
    if (p->n == 0) {
        *out = json_incref(root);
        return JSONPATH_FOUND;
    }
    ctx c = {.p = p, .root = root, .results = json_array(), .e = e};
    int rc = eval_at(&c, 0, root);
    if (rc < 0) {
        json_decref(c.results);
        return -1;
    }
    if (rc == NF) {
        json_decref(c.results);
        return JSONPATH_NOT_FOUND;
    }
    if (p->definite) {
        if (json_array_size(c.results) == 0) {
            json_decref(c.results);
            return JSONPATH_NOT_FOUND;
        }
        *out = json_incref(json_array_get(c.results, 0));
        json_decref(c.results);
        return JSONPATH_FOUND;
    }
    *out = c.results;
    return JSONPATH_FOUND;
}

int jsonpath_read(arena *a, slice path, json_t *root, json_t **out, aws_error *e)
{
    jsonpath *p;
    if (jsonpath_compile(a, path, &p, e) != 0)
        return -1;
    return jsonpath_eval(p, root, out, e);
}
