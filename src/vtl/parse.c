#include "vtl/parse.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/hex.h"
#include "core/utf8.h"
#include "vtl/lex.h"
#include "vtl/slots.h"

#define MAX_NESTING 100

typedef struct parser {
    vlex lx;
    arena *a;
    slice src;
    token *toks;
    size_t ntoks, cap, cur;
    vtl_template *t;
    aws_error *err;
    bool failed;
    int nesting, depth;
} parser;

/* ---------- tokens ---------- */

static token *peek(parser *p, size_t k) /* k = 1 is the next token */
{
    while (p->cur + k > p->ntoks) {
        if (p->ntoks == p->cap) {
            size_t cap = p->cap ? p->cap * 2 : 64;
            token *n = arena_alloc(p->a, cap * sizeof(*n));
            if (p->ntoks)
                memcpy(n, p->toks, p->ntoks * sizeof(*n));
            p->toks = n;
            p->cap = cap;
        }
        if (p->ntoks > 0 && p->toks[p->ntoks - 1].kind == TK_EOF) {
            p->toks[p->ntoks] = p->toks[p->ntoks - 1];
        } else {
            p->toks[p->ntoks] = lex_next(&p->lx);
        }
        p->ntoks++;
    }
    return &p->toks[p->cur + k - 1];
}

static tok_kind pk(parser *p, size_t k)
{
    return peek(p, k)->kind;
}
static slice img(parser *p, const token *t)
{
    return tok_image(&p->lx, t);
}

static int fail_at(parser *p, const token *t)
{
    if (p->failed)
        return -1;
    p->failed = true;
    int line, col;
    if (p->lx.failed) {
        uint32_t at = p->lx.error_pos;
        lex_line_col(p->src, at, &line, &col);
        if (at < p->src.len)
            error_set(p->err, 400, "BadRequestException",
                      "Lexical error: Encountered: \"%c\" (%d), after : \"\" at line %d, column %d", p->src.ptr[at],
                      (unsigned char)p->src.ptr[at], line, col);
        else
            error_set(p->err, 400, "BadRequestException", "Lexical error: Encountered: <EOF> at line %d, column %d",
                      line, col);
        return -1;
    }
    lex_line_col(p->src, t->begin, &line, &col);
    if (t->kind == TK_EOF)
        error_set(p->err, 400, "BadRequestException", "Encountered \"<EOF>\" at line %d, column %d", line, col);
    else {
        /* the token image with JavaCC's escapes, as Velocity's ParseException shows it */
        slice s = img(p, t);
        char esc[420];
        size_t o = 0;
        for (size_t i = 0; i < s.len && o < 400; i++) {
            char ch = s.ptr[i];
            const char *rep = ch == '\n'   ? "\\n"
                              : ch == '\r' ? "\\r"
                              : ch == '\t' ? "\\t"
                              : ch == '"'  ? "\\\""
                              : ch == '\\' ? "\\\\"
                                           : NULL;
            if (rep) {
                esc[o++] = rep[0];
                esc[o++] = rep[1];
            } else
                esc[o++] = ch;
        }
        error_set(p->err, 400, "BadRequestException", "Encountered \"%.*s\" at line %d, column %d", (int)o, esc, line,
                  col);
    }
    return -1;
}

static int fail_msg(parser *p, const token *t, const char *msg)
{
    if (p->failed)
        return -1;
    p->failed = true;
    int line, col;
    lex_line_col(p->src, t->begin, &line, &col);
    error_set(p->err, 400, "BadRequestException", "%s at line %d, column %d", msg, line, col);
    return -1;
}

static token *take(parser *p)
{
    token *t = peek(p, 1);
    p->cur++;
    return t;
}

static token *expect(parser *p, tok_kind k)
{
    token *t = peek(p, 1);
    if (t->kind != k || p->lx.failed) {
        fail_at(p, t);
        return NULL;
    }
    p->cur++;
    return t;
}

static void skip_ws(parser *p)
{
    if (pk(p, 1) == TK_WHITESPACE)
        p->cur++;
}

/* ---------- nodes ---------- */

static vnode *mk(parser *p, int kind, const token *t)
{
    vnode *n = arena_calloc(p->a, sizeof(*n));
    n->kind = (uint8_t)kind;
    n->pos = t ? t->begin : 0;
    return n;
}

typedef struct kids {
    vnode **v;
    uint32_t n, cap;
} kids;

static void add(parser *p, kids *k, vnode *n)
{
    if (k->n == k->cap) {
        uint32_t cap = k->cap ? k->cap * 2 : 4;
        vnode **v = arena_alloc(p->a, cap * sizeof(*v));
        if (k->n)
            memcpy(v, k->v, k->n * sizeof(*v));
        k->v = v;
        k->cap = cap;
    }
    k->v[k->n++] = n;
}

static void set_kids(vnode *n, kids *k)
{
    n->kids = k->v;
    n->nkids = k->n;
}

static vnode *mk2(parser *p, int kind, const token *t, vnode *a, vnode *b)
{
    vnode *n = mk(p, kind, t);
    n->kids = arena_alloc(p->a, 2 * sizeof(vnode *));
    n->kids[0] = a;
    n->kids[1] = b;
    n->nkids = b ? 2 : 1;
    return n;
}

/* ---------- references ---------- */

static vnode *expression(parser *p);
static vnode *parameter(parser *p);
static vnode *reference(parser *p);
static vnode *block(parser *p);

static bool starts_parameter(tok_kind k)
{
    switch (k) {
    case TK_WHITESPACE:
    case TK_STRING_LITERAL:
    case TK_INTEGER_LITERAL:
    case TK_LBRACKET:
    case TK_LEFT_CURLEY:
    case TK_TRUE:
    case TK_FALSE:
    case TK_IDENTIFIER:
    case TK_LCURLY:
    case TK_FLOATING_POINT_LITERAL:
        return true;
    default:
        return false;
    }
}

static vnode *index_mod(parser *p)
{
    token *lb = take(p); /* INDEX_LBRACKET */
    skip_ws(p);
    vnode *arg = NULL;
    switch (pk(p, 1)) {
    case TK_STRING_LITERAL:
    case TK_INTEGER_LITERAL:
    case TK_TRUE:
    case TK_FALSE:
    case TK_IDENTIFIER:
    case TK_LCURLY:
        arg = parameter(p);
        break;
    default:
        fail_at(p, peek(p, 1));
        return NULL;
    }
    if (!arg)
        return NULL;
    skip_ws(p);
    if (!expect(p, TK_INDEX_RBRACKET))
        return NULL;
    return mk2(p, E_INDEX, lb, arg, NULL);
}

static vnode *method_mod(parser *p)
{
    token *name = take(p);
    take(p); /* LPAREN */
    vnode *m = mk(p, E_METHOD, name);
    m->text = img(p, name);
    kids k = {0};
    if (starts_parameter(pk(p, 1))) {
        vnode *a = parameter(p);
        if (!a)
            return NULL;
        add(p, &k, a);
        while (pk(p, 1) == TK_COMMA) {
            take(p);
            a = parameter(p);
            if (!a)
                return NULL;
            add(p, &k, a);
        }
    }
    if (!expect(p, TK_REFMOD2_RPAREN))
        return NULL;
    set_kids(m, &k);
    return m;
}

static bool modifiers(parser *p, kids *k, token **last)
{
    while (pk(p, 1) == TK_INDEX_LBRACKET) {
        vnode *ix = index_mod(p);
        if (!ix)
            return false;
        add(p, k, ix);
        *last = &p->toks[p->cur - 1];
    }
    while (pk(p, 1) == TK_DOT && pk(p, 2) == TK_IDENTIFIER) {
        take(p);
        if (pk(p, 2) == TK_LPAREN && (starts_parameter(pk(p, 3)) || pk(p, 3) == TK_REFMOD2_RPAREN)) {
            vnode *m = method_mod(p);
            if (!m)
                return false;
            add(p, k, m);
        } else {
            token *id = take(p);
            vnode *pr = mk(p, E_PROP, id);
            pr->text = img(p, id);
            pr->hint = slots_prop_hint(pr->text);
            add(p, k, pr);
        }
        *last = &p->toks[p->cur - 1];
        while (pk(p, 1) == TK_INDEX_LBRACKET) {
            vnode *ix = index_mod(p);
            if (!ix)
                return false;
            add(p, k, ix);
            *last = &p->toks[p->cur - 1];
        }
    }
    return true;
}

/* Velocity's ASTReference.getRoot: escapes, prefixes, quiet and formal forms from the first token. */
static void reference_root(parser *p, vnode *r, token *first, token *name_tok, token *last)
{
    slice im = img(p, first);
    size_t i = 0;
    slice lit_rest = slice_make(p->src.ptr + first->end, last->end - first->end);
    const char *sb = memmem(im.ptr, im.len, "\\!", 2);
    if (sb != NULL) {
        /* "$\!x": not a reference; prints with one backslash fewer. */
        size_t d = (size_t)(memchr(im.ptr, '$', im.len) ? (const char *)memchr(im.ptr, '$', im.len) - im.ptr : 0);
        size_t st = d;
        while (st < im.len && im.ptr[st] != '\\')
            st++;
        size_t cnt = 0;
        while (st + cnt < im.len && im.ptr[st + cnt] == '\\')
            cnt++;
        size_t n = im.len - 1 + lit_rest.len;
        char *buf = arena_alloc(p->a, n + 1);
        memcpy(buf, im.ptr, st + cnt - 1);
        memcpy(buf + st + cnt - 1, im.ptr + st + cnt, im.len - st - cnt);
        memcpy(buf + im.len - 1, lit_rest.ptr, lit_rest.len);
        r->text = slice_make(buf, im.len - 1);
        r->literal = slice_make(buf, n);
        r->flags |= NF_NOT_COMPUTABLE;
        return;
    }
    while (i < im.len && im.ptr[i] == '\\')
        i++;
    slice esc = slice_make(im.ptr, i / 2);
    if (i % 2)
        r->flags |= NF_ESCAPED;
    im = slice_sub(im, i, im.len);
    size_t loc = im.len;
    while (loc > 0 && im.ptr[loc - 1] != '$')
        loc--;
    slice more = SLICE_NULL;
    if (loc > 1) { /* lastIndexOf('$') > 0 */
        more = slice_make(im.ptr, loc - 1);
        im = slice_sub(im, loc - 1, im.len);
    }
    if (esc.len || more.len) {
        char *buf = arena_alloc(p->a, esc.len + more.len + 1);
        memcpy(buf, esc.ptr, esc.len);
        if (more.len)
            memcpy(buf + esc.len, more.ptr, more.len);
        r->prefix = slice_make(buf, esc.len + more.len);
        r->ival = (int64_t)esc.len; /* the escape part, printed alone for escaped references */
    }
    char *lit = arena_alloc(p->a, im.len + lit_rest.len + 1);
    memcpy(lit, im.ptr, im.len);
    memcpy(lit + im.len, lit_rest.ptr, lit_rest.len);
    r->literal = slice_make(lit, im.len + lit_rest.len);
    if (im.len >= 2 && im.ptr[0] == '$' && im.ptr[1] == '!') {
        r->flags |= NF_QUIET;
        r->text = (im.len >= 3 && im.ptr[2] == '{') ? img(p, name_tok) : slice_sub(im, 2, im.len);
    } else if (slice_eq_cstr(im, "${")) {
        r->text = img(p, name_tok);
    } else if (im.len >= 1 && im.ptr[0] == '$') {
        r->text = slice_sub(im, 1, im.len);
    } else {
        r->flags |= NF_RUNT;
        r->text = im;
    }
}

static vnode *reference(parser *p)
{
    if (++p->nesting > MAX_NESTING) {
        fail_msg(p, peek(p, 1), "Template nesting too deep");
        return NULL;
    }
    token *first = take(p), *name = first, *last = first;
    vnode *r = mk(p, E_REF, first);
    kids k = {0};
    if (first->kind == TK_LCURLY) {
        name = expect(p, TK_IDENTIFIER);
        if (!name)
            return NULL;
        last = name;
        if (!modifiers(p, &k, &last))
            return NULL;
        last = expect(p, TK_RCURLY);
        if (!last)
            return NULL;
    } else if (!modifiers(p, &k, &last)) {
        return NULL;
    }
    set_kids(r, &k);
    reference_root(p, r, first, name, last);
    r->hint = slots_ref_hint(r->text);
    if (!(r->flags & NF_RUNT)) {
        uint32_t props = 0;
        while (props < r->nkids && r->kids[props]->kind == E_PROP)
            props++;
        if (props == r->nkids)
            r->hint |= RH_PROPS;
        if (props == r->nkids && !(r->hint & RH_CONTEXT) && r->prefix.len == 0 && !(r->flags & NF_ESCAPED))
            r->hint |= RH_PLAIN;
    }
    p->nesting--;
    return r;
}

/* ---------- literals ---------- */

static vnode *string_literal(parser *p)
{
    token *t = take(p);
    slice im = img(p, t);
    char q = im.ptr[0];
    slice body = slice_sub(im, 1, im.len - 2);
    char *out = arena_alloc(p->a, body.len + 2);
    size_t o = 0;
    for (size_t i = 0; i < body.len; i++) {
        char c = body.ptr[i];
        if (q == '"' && c == '\\' && i + 1 < body.len && body.ptr[i + 1] == 'u') {
            if (i + 6 > body.len) {
                fail_msg(p, t, "Invalid unicode escape in string literal");
                return NULL;
            }
            uint32_t cp = 0;
            for (int j = 2; j < 6; j++) {
                int h = hex_digit_value((unsigned char)body.ptr[i + j]);
                if (h < 0) {
                    fail_msg(p, t, "Invalid unicode escape in string literal");
                    return NULL;
                }
                cp = cp * 16 + (uint32_t)h;
            }
            i += 5;
            if (cp >= 0xD800 && cp < 0xDC00 && i + 6 < body.len && body.ptr[i + 1] == '\\' && body.ptr[i + 2] == 'u') {
                uint32_t lo = 0;
                int ok = 1;
                for (int j = 3; j < 7; j++) {
                    int h = hex_digit_value((unsigned char)body.ptr[i + j]);
                    if (h < 0)
                        ok = 0;
                    else
                        lo = lo * 16 + (uint32_t)h;
                }
                if (ok && lo >= 0xDC00 && lo < 0xE000) {
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                    i += 6;
                }
            }
            o += utf8_put(out + o, cp); /* a \u escape is at most 6 bytes: never longer than its source */
            continue;
        }
        out[o++] = c;
        if (c == q && i + 1 < body.len && body.ptr[i + 1] == q)
            i++;
    }
    slice value = slice_make(out, o);
    bool interpolate = q == '"' && (memchr(im.ptr, '$', im.len) || memchr(im.ptr, '#', im.len));
    if (!interpolate) {
        vnode *n = mk(p, E_STRING, t);
        n->text = value;
        return n;
    }
    bool line_comment = memmem(value.ptr, value.len, "##", 2) != NULL;
    if (!line_comment) {
        out[o++] = ' ';
        value.len = o;
    }
    if (p->depth + 1 > 6) {
        fail_msg(p, t, "String literals nested too deep");
        return NULL;
    }
    aws_error sub;
    error_clear(&sub);
    vnode *tree = vtl_parse(p->t, value, p->a, p->depth + 1, &sub);
    if (!tree) {
        int line, col;
        lex_line_col(p->src, t->begin, &line, &col);
        p->failed = true;
        error_set(p->err, 400, "BadRequestException", "Failed to parse String literal at line %d, column %d: %s", line,
                  col, sub.message);
        return NULL;
    }
    vnode *n = mk2(p, E_ISTRING, t, tree, NULL);
    if (!line_comment)
        n->flags |= NF_STRIP_LAST;
    return n;
}

static vnode *integer_literal(parser *p)
{
    token *t = take(p);
    slice im = img(p, t);
    char buf[64];
    size_t l = im.len < 63 ? im.len : 63;
    memcpy(buf, im.ptr, l);
    buf[l] = 0;
    vnode *n = mk(p, E_INT, t);
    errno = 0;
    long long v = strtoll(buf, NULL, 10);
    if (errno == ERANGE || im.len > 40) {
        /* Velocity makes a BigInteger; a double is the closest we carry. */
        n->kind = E_FLOAT;
        n->dval = strtod(buf, NULL);
        n->flags |= NF_LONG;
        return n;
    }
    n->ival = v;
    if (v > 2147483647LL || v < -2147483648LL)
        n->flags |= NF_LONG;
    return n;
}

static vnode *float_literal(parser *p)
{
    token *t = take(p);
    slice im = img(p, t);
    char *buf = arena_strndup(p->a, im.ptr, im.len);
    vnode *n = mk(p, E_FLOAT, t);
    n->dval = strtod(buf, NULL);
    return n;
}

/* LOOKAHEAD( <LBRACKET> [<WHITESPACE>] (Reference() | IntegerLiteral()) [<WHITESPACE>] <DOUBLEDOT> ) */
static bool range_ahead(parser *p)
{
    if (pk(p, 1) != TK_LBRACKET)
        return false;
    size_t save = p->cur;
    bool saved_failed = p->failed;
    aws_error saved_err = *p->err;
    int saved_nesting = p->nesting;
    p->cur++;
    skip_ws(p);
    bool ok = true;
    if (pk(p, 1) == TK_INTEGER_LITERAL)
        p->cur++;
    else if (pk(p, 1) == TK_IDENTIFIER || (pk(p, 1) == TK_LCURLY && pk(p, 2) == TK_IDENTIFIER))
        ok = reference(p) != NULL;
    else
        ok = false;
    if (ok) {
        skip_ws(p);
        ok = pk(p, 1) == TK_DOUBLEDOT;
    }
    p->cur = save;
    p->failed = saved_failed;
    *p->err = saved_err;
    p->nesting = saved_nesting;
    return ok;
}

static vnode *range_end(parser *p)
{
    if (pk(p, 1) == TK_INTEGER_LITERAL)
        return integer_literal(p);
    if (pk(p, 1) == TK_IDENTIFIER || pk(p, 1) == TK_LCURLY)
        return reference(p);
    fail_at(p, peek(p, 1));
    return NULL;
}

static vnode *integer_range(parser *p)
{
    token *lb = take(p);
    skip_ws(p);
    vnode *a = range_end(p);
    if (!a)
        return NULL;
    skip_ws(p);
    if (!expect(p, TK_DOUBLEDOT))
        return NULL;
    skip_ws(p);
    vnode *b = range_end(p);
    if (!b)
        return NULL;
    skip_ws(p);
    if (!expect(p, TK_RBRACKET))
        return NULL;
    return mk2(p, E_RANGE, lb, a, b);
}

static vnode *object_array(parser *p)
{
    token *lb = take(p);
    vnode *n = mk(p, E_LIST, lb);
    kids k = {0};
    if (starts_parameter(pk(p, 1))) {
        vnode *a = parameter(p);
        if (!a)
            return NULL;
        add(p, &k, a);
        while (pk(p, 1) == TK_COMMA) {
            take(p);
            if (!(a = parameter(p)))
                return NULL;
            add(p, &k, a);
        }
    }
    if (!expect(p, TK_RBRACKET))
        return NULL;
    set_kids(n, &k);
    return n;
}

static vnode *map_literal(parser *p)
{
    token *lc = take(p);
    vnode *n = mk(p, E_MAP, lc);
    kids k = {0};
    /* LOOKAHEAD(2) Parameter() */
    bool pairs = starts_parameter(pk(p, 1)) &&
                 (pk(p, 1) != TK_WHITESPACE || (starts_parameter(pk(p, 2)) && pk(p, 2) != TK_WHITESPACE));
    if (pairs) {
        for (;;) {
            vnode *key = parameter(p);
            if (!key || !expect(p, TK_COLON))
                return NULL;
            vnode *val = parameter(p);
            if (!val)
                return NULL;
            add(p, &k, key);
            add(p, &k, val);
            if (pk(p, 1) != TK_COMMA)
                break;
            take(p);
        }
    } else {
        skip_ws(p);
    }
    if (pk(p, 1) == TK_RIGHT_CURLEY || pk(p, 1) == TK_RCURLY)
        take(p);
    else {
        fail_at(p, peek(p, 1));
        return NULL;
    }
    set_kids(n, &k);
    return n;
}

static vnode *parameter(parser *p)
{
    if (++p->nesting > MAX_NESTING) {
        fail_msg(p, peek(p, 1), "Template nesting too deep");
        return NULL;
    }
    skip_ws(p);
    vnode *n = NULL;
    token *t = peek(p, 1);
    switch (t->kind) {
    case TK_STRING_LITERAL:
        n = string_literal(p);
        break;
    case TK_INTEGER_LITERAL:
        n = integer_literal(p);
        break;
    case TK_LBRACKET:
        n = range_ahead(p) ? integer_range(p) : object_array(p);
        break;
    case TK_LEFT_CURLEY:
        n = map_literal(p);
        break;
    case TK_TRUE:
        take(p);
        n = mk(p, E_TRUE, t);
        break;
    case TK_FALSE:
        take(p);
        n = mk(p, E_FALSE, t);
        break;
    case TK_IDENTIFIER:
    case TK_LCURLY:
        n = reference(p);
        break;
    case TK_FLOATING_POINT_LITERAL:
        n = float_literal(p);
        break;
    default:
        fail_at(p, t);
        return NULL;
    }
    if (!n)
        return NULL;
    skip_ws(p);
    p->nesting--;
    return n;
}

/* ---------- expressions ---------- */

static vnode *primary(parser *p)
{
    skip_ws(p);
    vnode *n = NULL;
    token *t = peek(p, 1);
    switch (t->kind) {
    case TK_STRING_LITERAL:
        n = string_literal(p);
        break;
    case TK_IDENTIFIER:
    case TK_LCURLY:
        n = reference(p);
        break;
    case TK_INTEGER_LITERAL:
        n = integer_literal(p);
        break;
    case TK_LBRACKET:
        n = range_ahead(p) ? integer_range(p) : object_array(p);
        break;
    case TK_FLOATING_POINT_LITERAL:
        n = float_literal(p);
        break;
    case TK_LEFT_CURLEY:
        n = map_literal(p);
        break;
    case TK_TRUE:
        take(p);
        n = mk(p, E_TRUE, t);
        break;
    case TK_FALSE:
        take(p);
        n = mk(p, E_FALSE, t);
        break;
    case TK_LPAREN:
        take(p);
        n = expression(p);
        if (n && !expect(p, TK_RPAREN))
            return NULL;
        break;
    default:
        fail_at(p, t);
        return NULL;
    }
    if (!n)
        return NULL;
    skip_ws(p);
    return n;
}

static vnode *unary(parser *p)
{
    if (++p->nesting > MAX_NESTING) {
        fail_msg(p, peek(p, 1), "Expression nesting too deep");
        return NULL;
    }
    vnode *n;
    if (pk(p, 1) == TK_LOGICAL_NOT || (pk(p, 1) == TK_WHITESPACE && pk(p, 2) == TK_LOGICAL_NOT)) {
        skip_ws(p);
        token *t = take(p);
        vnode *x = unary(p);
        n = x ? mk2(p, E_NOT, t, x, NULL) : NULL;
    } else {
        n = primary(p);
    }
    p->nesting--;
    return n;
}

static vnode *multiplicative(parser *p)
{
    vnode *l = unary(p);
    while (l) {
        tok_kind k = pk(p, 1);
        int op = k == TK_MULTIPLY ? E_MUL : k == TK_DIVIDE ? E_DIV : k == TK_MODULUS ? E_MOD : -1;
        if (op < 0)
            break;
        token *t = take(p);
        vnode *r = unary(p);
        l = r ? mk2(p, op, t, l, r) : NULL;
    }
    return l;
}

static vnode *additive(parser *p)
{
    vnode *l = multiplicative(p);
    while (l) {
        tok_kind k = pk(p, 1);
        int op = k == TK_PLUS ? E_ADD : k == TK_MINUS ? E_SUB : -1;
        if (op < 0)
            break;
        token *t = take(p);
        vnode *r = multiplicative(p);
        l = r ? mk2(p, op, t, l, r) : NULL;
    }
    return l;
}

static vnode *relational(parser *p)
{
    vnode *l = additive(p);
    while (l) {
        tok_kind k = pk(p, 1);
        int op = k == TK_LOGICAL_LT   ? E_LT
                 : k == TK_LOGICAL_GT ? E_GT
                 : k == TK_LOGICAL_LE ? E_LE
                 : k == TK_LOGICAL_GE ? E_GE
                                      : -1;
        if (op < 0)
            break;
        token *t = take(p);
        vnode *r = additive(p);
        l = r ? mk2(p, op, t, l, r) : NULL;
    }
    return l;
}

static vnode *equality(parser *p)
{
    vnode *l = relational(p);
    while (l) {
        tok_kind k = pk(p, 1);
        int op = k == TK_LOGICAL_EQUALS ? E_EQ : k == TK_LOGICAL_NOT_EQUALS ? E_NE : -1;
        if (op < 0)
            break;
        token *t = take(p);
        vnode *r = relational(p);
        l = r ? mk2(p, op, t, l, r) : NULL;
    }
    return l;
}

static vnode *and_expr(parser *p)
{
    vnode *l = equality(p);
    while (l && pk(p, 1) == TK_LOGICAL_AND) {
        token *t = take(p);
        vnode *r = equality(p);
        l = r ? mk2(p, E_AND, t, l, r) : NULL;
    }
    return l;
}

static vnode *expression(parser *p)
{
    if (++p->nesting > MAX_NESTING) {
        fail_msg(p, peek(p, 1), "Expression nesting too deep");
        return NULL;
    }
    vnode *l = and_expr(p);
    while (l && pk(p, 1) == TK_LOGICAL_OR) {
        token *t = take(p);
        vnode *r = and_expr(p);
        l = r ? mk2(p, E_OR, t, l, r) : NULL;
    }
    p->nesting--;
    return l;
}

/* ---------- statements ---------- */

static vnode *text_node(parser *p, token *t, slice s)
{
    vnode *n = mk(p, N_TEXT, t);
    n->text = s;
    return n;
}

static vnode *text_token(parser *p)
{
    token *t = take(p);
    slice im = img(p, t);
    if (t->special.len == 0)
        return text_node(p, t, im);
    char *buf = arena_alloc(p->a, t->special.len + im.len);
    memcpy(buf, t->special.ptr, t->special.len);
    memcpy(buf + t->special.len, im.ptr, im.len);
    return text_node(p, t, slice_make(buf, t->special.len + im.len));
}

static bool is_known_directive(slice name)
{
    static const char *const names[] = {"foreach",  "include", "parse",  "macro", "literal",
                                        "evaluate", "break",   "define", "stop"};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (slice_eq_cstr(name, names[i]))
            return true;
    return false;
}

static bool is_block_directive(slice name)
{
    return slice_eq_cstr(name, "foreach") || slice_eq_cstr(name, "macro") || slice_eq_cstr(name, "literal") ||
           slice_eq_cstr(name, "define");
}

const vmacro *vtl_find_macro(const vtl_template *t, slice name)
{
    for (const vmacro *m = t->macros; m; m = m->next)
        if (slice_eq(m->name, name))
            return m;
    return NULL;
}

static bool is_control_name(parser *p, slice name)
{
    return is_known_directive(name) || vtl_find_macro(p->t, name) != NULL;
}

static vnode *escaped_directive(parser *p)
{
    token *t = take(p);
    slice im = img(p, t);
    size_t last = 0;
    for (size_t i = 0; i < im.len; i++)
        if (im.ptr[i] == '\\')
            last = i;
    slice dir = slice_sub(im, last + 1, im.len);
    slice tag = slice_sub(dir, 1, dir.len);
    if (tag.len && tag.ptr[0] == '{')
        tag = slice_sub(tag, 1, tag.len - 2);
    bool recognized = is_control_name(p, tag) || slice_eq_cstr(tag, "if") || slice_eq_cstr(tag, "end") ||
                      slice_eq_cstr(tag, "set") || slice_eq_cstr(tag, "else") || slice_eq_cstr(tag, "elseif");
    if (!recognized)
        return text_node(p, t, im);
    size_t half = last / 2;
    char *buf = arena_alloc(p->a, half + dir.len);
    memcpy(buf, im.ptr, half);
    memcpy(buf + half, dir.ptr, dir.len);
    return text_node(p, t, slice_make(buf, half + dir.len));
}

static vnode *escape_run(parser *p)
{
    token *first = peek(p, 1);
    size_t count = 0;
    while (pk(p, 1) == TK_DOUBLE_ESCAPE) {
        take(p);
        count++;
    }
    token *next = peek(p, 1);
    bool control = false;
    switch (next->kind) {
    case TK_IF_DIRECTIVE:
    case TK_ELSE_DIRECTIVE:
    case TK_ELSEIF_DIRECTIVE:
    case TK_END:
        control = true;
        break;
    default:
        break;
    }
    slice nim = img(p, next);
    if (nim.len > 0 && is_control_name(p, slice_sub(nim, 1, nim.len)))
        control = true;
    size_t per = control ? 1 : 2;
    char *buf = arena_alloc(p->a, count * per + 1);
    for (size_t i = 0; i < count * per; i++)
        buf[i] = '\\';
    return text_node(p, first, slice_make(buf, count * per));
}

static bool starts_directive_arg(tok_kind k)
{
    switch (k) {
    case TK_IDENTIFIER:
    case TK_LCURLY:
    case TK_WORD:
    case TK_STRING_LITERAL:
    case TK_INTEGER_LITERAL:
    case TK_LBRACKET:
    case TK_FLOATING_POINT_LITERAL:
    case TK_LEFT_CURLEY:
    case TK_TRUE:
    case TK_FALSE:
        return true;
    default:
        return false;
    }
}

static vnode *directive_arg(parser *p)
{
    token *t = peek(p, 1);
    switch (t->kind) {
    case TK_IDENTIFIER:
    case TK_LCURLY:
        return reference(p);
    case TK_WORD: {
        take(p);
        vnode *w = mk(p, E_WORD, t);
        w->text = img(p, t);
        return w;
    }
    case TK_STRING_LITERAL:
        return string_literal(p);
    case TK_INTEGER_LITERAL:
        return integer_literal(p);
    case TK_LBRACKET:
        return range_ahead(p) ? integer_range(p) : object_array(p);
    case TK_FLOATING_POINT_LITERAL:
        return float_literal(p);
    case TK_LEFT_CURLEY:
        return map_literal(p);
    case TK_TRUE:
        take(p);
        return mk(p, E_TRUE, t);
    case TK_FALSE:
        take(p);
        return mk(p, E_FALSE, t);
    default:
        fail_at(p, t);
        return NULL;
    }
}

static vnode *directive(parser *p)
{
    token *t = take(p);
    slice im = img(p, t);
    slice name = t->kind == TK_BRACKETED_WORD ? slice_sub(im, 2, im.len - 3) : slice_sub(im, 1, im.len);
    /* the image may carry a MORE prefix ("$#foo"): the name is what follows the last '#' */
    for (size_t i = im.len; i > 0; i--) {
        if (im.ptr[i - 1] == '#') {
            name = slice_sub(im, i, im.len);
            if (name.len && name.ptr[0] == '{')
                name = slice_sub(name, 1, name.len - 2);
            break;
        }
    }
    bool known = is_known_directive(name);
    bool is_macro_def = slice_eq_cstr(name, "macro");
    bool is_vm = !known && vtl_find_macro(p->t, name) != NULL;
    bool is_block = known ? is_block_directive(name) : (name.len && name.ptr[0] == '@');
    if (p->cur != p->ntoks) {
        fail_msg(p, t, "Internal parser error");
        return NULL;
    }
    lex_switch_to(&p->lx, LS_DIRECTIVE);
    kids args = {0};
    token *last = t;
    if (lex_left_paren_follows(&p->lx)) {
        skip_ws(p);
        if (!expect(p, TK_LPAREN))
            return NULL;
        int pos = 0;
        for (;;) {
            tok_kind a = pk(p, 1), b = pk(p, 2);
            bool more = starts_directive_arg(a) || (a == TK_WHITESPACE && (starts_directive_arg(b) || b == TK_COMMA)) ||
                        (a == TK_COMMA && (b == TK_WHITESPACE || starts_directive_arg(b)));
            if (!more)
                break;
            skip_ws(p);
            if (pk(p, 1) == TK_COMMA) {
                take(p);
                skip_ws(p);
            }
            token *at = peek(p, 1);
            vnode *arg = directive_arg(p);
            if (!arg)
                return NULL;
            if (arg->kind == E_WORD) {
                if (is_macro_def && pos == 0) {
                } else if (is_vm) {
                    char msg[160];
                    snprintf(msg, sizeof(msg), "Invalid arg #%d in VM %.*s", pos, SLICE_FMT(im));
                    fail_msg(p, at, msg);
                    return NULL;
                } else if (known && (!slice_eq_cstr(name, "foreach") || pos != 1)) {
                    char msg[160];
                    snprintf(msg, sizeof(msg), "Invalid arg #%d in directive %.*s", pos, SLICE_FMT(im));
                    fail_msg(p, at, msg);
                    return NULL;
                }
            } else if (is_macro_def && pos == 0) {
                fail_msg(p, at,
                         "Invalid first arg in #macro() directive - must be a word token (no ' or \" surrounding)");
                return NULL;
            }
            add(p, &args, arg);
            pos++;
        }
        skip_ws(p);
        if (!(last = expect(p, TK_RPAREN)))
            return NULL;
        if (!is_block)
            goto line_directive;
    } else {
        if (is_macro_def) {
            fail_msg(p, t, "A macro declaration requires at least a name argument");
            return NULL;
        }
        lex_state_pop(&p->lx);
        p->lx.in_directive = false;
        goto line_directive;
    }
    /* block directives */
    {
        vnode *body = block(p);
        if (!body)
            return NULL;
        if (!expect(p, TK_END))
            return NULL;
        if (slice_eq_cstr(name, "foreach")) {
            if (args.n < 3 || args.v[0]->kind != E_REF) {
                fail_msg(p, t, "#foreach requires a reference, 'in' and a collection");
                return NULL;
            }
            vnode *n = mk(p, N_FOREACH, t);
            n->text = args.v[0]->text;
            n->kids = arena_alloc(p->a, 2 * sizeof(vnode *));
            n->kids[0] = args.v[2];
            n->kids[1] = body;
            n->nkids = 2;
            return n;
        }
        if (slice_eq_cstr(name, "define")) {
            if (args.n < 1 || args.v[0]->kind != E_REF) {
                fail_msg(p, t, "#define requires a reference argument");
                return NULL;
            }
            vnode *n = mk2(p, N_DEFINE, t, body, NULL);
            n->text = args.v[0]->text;
            return n;
        }
        if (is_macro_def) {
            if (args.n < 1) {
                fail_msg(p, t, "A macro declaration requires at least a name argument");
                return NULL;
            }
            vmacro *m = arena_calloc(p->a, sizeof(*m));
            m->name = args.v[0]->text;
            m->nparams = args.n - 1;
            m->params = arena_alloc(p->a, (args.n) * sizeof(slice));
            for (uint32_t i = 1; i < args.n; i++) {
                if (args.v[i]->kind != E_REF) {
                    fail_msg(p, t, "Macro arguments must be references");
                    return NULL;
                }
                m->params[i - 1] = args.v[i]->text;
            }
            m->body = body;
            if (!vtl_find_macro(p->t, m->name)) {
                m->next = p->t->macros;
                p->t->macros = m;
            }
            return mk(p, N_MACRO_DEF, t);
        }
        if (slice_eq_cstr(name, "literal")) {
            /* #literal() ... #end: the body's source, unparsed */
            vnode *n = mk(p, N_TEXT, t);
            uint32_t from = last->end, to = p->toks[p->cur - 1].begin;
            n->text = slice_make(p->src.ptr + from, to > from ? to - from : 0);
            return n;
        }
        /* #@blockmacro: not supported by API Gateway templates in practice; render nothing */
        return mk(p, N_BLOCK, t);
    }
line_directive:
    if (slice_eq_cstr(name, "break"))
        return mk(p, N_BREAK, t);
    if (slice_eq_cstr(name, "stop"))
        return mk(p, N_STOP, t);
    if (slice_eq_cstr(name, "evaluate")) {
        if (args.n < 1) {
            fail_msg(p, t, "#evaluate() requires exactly one argument");
            return NULL;
        }
        return mk2(p, N_EVALUATE, t, args.v[0], NULL);
    }
    if (known) { /* #include / #parse: no resources behind API Gateway templates */
        vnode *n = mk(p, N_TEXT, t);
        n->text = SLICE_NULL;
        return n;
    }
    vnode *n = mk(p, N_MACRO_CALL, t);
    n->text = name;
    set_kids(n, &args);
    n->literal = slice_make(p->src.ptr + t->begin, last->end - t->begin);
    if (last == t) {
        /* "#foo" with no parentheses prints "#" and its name */
        char *b = arena_alloc(p->a, name.len + 1);
        b[0] = '#';
        memcpy(b + 1, name.ptr, name.len);
        n->literal = slice_make(b, name.len + 1);
    }
    return n;
}

static vnode *if_statement(parser *p)
{
    token *t = take(p);
    kids k = {0};
    vnode *n = mk(p, N_IF, t);
    skip_ws(p);
    if (!expect(p, TK_LPAREN))
        return NULL;
    vnode *c = expression(p);
    if (!c || !expect(p, TK_RPAREN))
        return NULL;
    vnode *b = block(p);
    if (!b)
        return NULL;
    add(p, &k, c);
    add(p, &k, b);
    while (pk(p, 1) == TK_ELSEIF_DIRECTIVE) {
        take(p);
        skip_ws(p);
        if (!expect(p, TK_LPAREN))
            return NULL;
        c = expression(p);
        if (!c || !expect(p, TK_RPAREN))
            return NULL;
        b = block(p);
        if (!b)
            return NULL;
        add(p, &k, c);
        add(p, &k, b);
    }
    if (pk(p, 1) == TK_ELSE_DIRECTIVE) {
        take(p);
        b = block(p);
        if (!b)
            return NULL;
        add(p, &k, b);
        n->flags |= NF_HAS_ELSE;
    }
    if (!expect(p, TK_END))
        return NULL;
    set_kids(n, &k);
    return n;
}

static vnode *set_directive(parser *p)
{
    token *t = take(p);
    skip_ws(p);
    if (pk(p, 1) != TK_IDENTIFIER && pk(p, 1) != TK_LCURLY) {
        fail_at(p, peek(p, 1));
        return NULL;
    }
    vnode *target = reference(p);
    if (!target)
        return NULL;
    skip_ws(p);
    if (!expect(p, TK_EQUALS))
        return NULL;
    vnode *value = expression(p);
    if (!value || !expect(p, TK_RPAREN))
        return NULL;
    p->lx.in_set = false;
    if (pk(p, 1) == TK_NEWLINE)
        take(p);
    return mk2(p, N_SET, t, target, value);
}

static bool starts_statement(tok_kind k)
{
    switch (k) {
    case TK_IF_DIRECTIVE:
    case TK_IDENTIFIER:
    case TK_LCURLY:
    case TK_SINGLE_LINE_COMMENT_START:
    case TK_MULTI_LINE_COMMENT:
    case TK_FORMAL_COMMENT:
    case TK_TEXTBLOCK:
    case TK_SET_DIRECTIVE:
    case TK_ESCAPE_DIRECTIVE:
    case TK_DOUBLE_ESCAPE:
    case TK_WORD:
    case TK_BRACKETED_WORD:
    case TK_TEXT:
    case TK_DOT:
    case TK_RPAREN:
    case TK_LPAREN:
    case TK_INTEGER_LITERAL:
    case TK_FLOATING_POINT_LITERAL:
    case TK_STRING_LITERAL:
    case TK_ESCAPE:
    case TK_RCURLY:
    case TK_EMPTY_INDEX:
        return true;
    default:
        return false;
    }
}

static vnode *statement(parser *p)
{
    token *t = peek(p, 1);
    switch (t->kind) {
    case TK_IF_DIRECTIVE:
        return if_statement(p);
    case TK_IDENTIFIER: {
        vnode *r = reference(p);
        return r ? mk2(p, N_REF, t, r, NULL) : NULL;
    }
    case TK_LCURLY:
        if (pk(p, 2) == TK_IDENTIFIER) {
            vnode *r = reference(p);
            return r ? mk2(p, N_REF, t, r, NULL) : NULL;
        }
        return text_token(p);
    case TK_SINGLE_LINE_COMMENT_START:
        take(p);
        if (pk(p, 1) == TK_SINGLE_LINE_COMMENT)
            take(p);
        return text_node(p, t, SLICE_NULL);
    case TK_MULTI_LINE_COMMENT:
    case TK_FORMAL_COMMENT:
        take(p);
        return text_node(p, t, SLICE_NULL);
    case TK_TEXTBLOCK: {
        take(p);
        slice im = img(p, t);
        const char *open = memmem(im.ptr, im.len, "#[[", 3);
        size_t off = open ? (size_t)(open - im.ptr) + 3 : 0;
        return text_node(p, t, slice_sub(im, off, im.len - off - 3));
    }
    case TK_SET_DIRECTIVE:
        return set_directive(p);
    case TK_ESCAPE_DIRECTIVE:
        return escaped_directive(p);
    case TK_DOUBLE_ESCAPE:
        return escape_run(p);
    case TK_WORD:
    case TK_BRACKETED_WORD:
        return directive(p);
    default:
        return text_token(p);
    }
}

static vnode *block(parser *p)
{
    if (++p->nesting > MAX_NESTING) {
        fail_msg(p, peek(p, 1), "Template nesting too deep");
        return NULL;
    }
    vnode *b = mk(p, N_BLOCK, peek(p, 1));
    kids k = {0};
    while (!p->failed && starts_statement(pk(p, 1))) {
        if (p->lx.failed)
            break;
        vnode *s = statement(p);
        if (!s)
            return NULL;
        add(p, &k, s);
    }
    set_kids(b, &k);
    p->nesting--;
    return p->failed ? NULL : b;
}

vnode *vtl_parse(vtl_template *t, slice src, arena *a, int depth, aws_error *err)
{
    parser p;
    memset(&p, 0, sizeof(p));
    lex_init(&p.lx, src, a);
    p.a = a;
    p.src = src;
    p.t = t;
    p.err = err;
    p.depth = depth;
    vnode *b = block(&p);
    if (!b)
        return NULL;
    if (p.lx.failed || pk(&p, 1) != TK_EOF) {
        fail_at(&p, peek(&p, 1));
        return NULL;
    }
    return b;
}
