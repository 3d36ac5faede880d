/*
 * expr_parse: turns the tokens of one expression into a checked tree. Owns the grammars of
 * condition / filter / key condition, projection and update expressions, substituting #names and
 * :values as it goes, and the static checks DynamoDB makes before touching any item (reserved
 * words, undefined names and values, operand counts and types, overlapping paths, limits).
 *
 * DynamoDB reports a syntax error at once, and otherwise the first problem of the highest-ranked
 * kind; the parser therefore collects at most one message per kind and picks by rank at the end.
 * Recursion is bounded by EXPR_MAX_NESTING whatever the input.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "dynamo/expr_internal.h"

typedef enum err_kind {
    ERR_LIMIT,
    ERR_PARENS,
    ERR_UNKNOWN_FUNCTION,
    ERR_MISUSED_FUNCTION,
    ERR_RESERVED,
    ERR_SECTION,
    ERR_NAME_OR_VALUE, /* conditions rank names and values together */
    ERR_NAME,
    ERR_VALUE,
    ERR_OVERLAP,
    ERR_CONFLICT,
    ERR_OPERAND_COUNT,
    ERR_DISTINCT,
    ERR_ACTION_OPERAND, /* ADD / DELETE operand types */
    ERR_FUNCTION,
    ERR_KINDS,
} err_kind;

typedef struct parser {
    arena *a;
    expr_symbols *sym;
    expr_kind kind;
    slice src;
    expr_token *toks;
    size_t ntoks, pos;
    int depth;
    int operators;
    bool failed; /* a syntax error or limit ended the parse; message in err */
    aws_error *err;
    const char *errs[ERR_KINDS];
} parser;

const char *expr_kind_name(expr_kind k)
{
    switch (k) {
    case EXPR_KIND_CONDITION:
        return "ConditionExpression";
    case EXPR_KIND_FILTER:
        return "FilterExpression";
    case EXPR_KIND_KEY_CONDITION:
        return "KeyConditionExpression";
    case EXPR_KIND_PROJECTION:
        return "ProjectionExpression";
    case EXPR_KIND_UPDATE:
        return "UpdateExpression";
    }
    return "Expression";
}

/* ---- errors ---- */

static void note(parser *p, err_kind k, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void note(parser *p, err_kind k, const char *fmt, ...)
{
    if (p->errs[k] != NULL)
        return;
    va_list ap;
    va_start(ap, fmt);
    p->errs[k] = arena_vsprintf(p->a, fmt, ap);
    va_end(ap);
}

static void fail(parser *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void fail(parser *p, const char *fmt, ...)
{
    if (p->failed)
        return;
    p->failed = true;
    char msg[AWS_ERROR_MESSAGE_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    error_validation(p->err, "Invalid %s: %s", expr_kind_name(p->kind), msg);
}

/* `Syntax error; token: "=", near: "a = ="`: the offending token, and the source from the token
 * before it to the token after it. */
static void syntax_error(parser *p)
{
    const expr_token *t = &p->toks[p->pos];
    size_t from = p->pos > 0 ? p->toks[p->pos - 1].start : t->start;
    size_t to;
    if (t->kind == TK_EOF)
        to = p->pos > 0 ? p->toks[p->pos - 1].start + p->toks[p->pos - 1].len : t->start;
    else if (p->toks[p->pos + 1].kind == TK_EOF)
        to = t->start + t->len;
    else
        to = p->toks[p->pos + 1].start + p->toks[p->pos + 1].len;
    if (t->kind == TK_EOF)
        fail(p, "Syntax error; token: \"<EOF>\", near: \"%.*s\"", (int)(to - from), p->src.ptr + from);
    else
        fail(p, "Syntax error; token: \"%.*s\", near: \"%.*s\"", (int)t->len, p->src.ptr + t->start, (int)(to - from),
             p->src.ptr + from);
}

static bool count_operator(parser *p)
{
    if (++p->operators > EXPR_MAX_OPERATORS) {
        fail(p, "The expression contains too many operators; operator count: %d", p->operators);
        return false;
    }
    return true;
}

static bool enter(parser *p)
{
    if (++p->depth > EXPR_MAX_NESTING) {
        /* Only redundant parentheses can nest this deep without breaking the operator limit. */
        fail(p, "The expression has redundant parentheses;");
        return false;
    }
    return true;
}

/* ---- tokens ---- */

static const expr_token *peek(parser *p)
{
    return &p->toks[p->pos];
}
static const expr_token *peek2(parser *p)
{
    return &p->toks[p->pos + (p->toks[p->pos].kind != TK_EOF)];
}
static slice tok_text(parser *p, const expr_token *t)
{
    return slice_make(p->src.ptr + t->start, t->len);
}
static void advance(parser *p)
{
    if (p->toks[p->pos].kind != TK_EOF)
        p->pos++;
}

static bool is_keyword(parser *p, const expr_token *t, const char *kw)
{
    return t->kind == TK_IDENT && slice_eq_nocase(tok_text(p, t), slice_cstr(kw));
}

static bool expect(parser *p, expr_tok_kind k)
{
    if (peek(p)->kind != k) {
        syntax_error(p);
        return false;
    }
    advance(p);
    return true;
}

/* ---- nodes ---- */

static expr_node *node(parser *p, expr_node_kind k, uint32_t nargs)
{
    expr_node *n = arena_calloc(p->a, sizeof(*n));
    n->kind = k;
    n->nargs = nargs;
    if (nargs > 0)
        n->args = arena_calloc(p->a, nargs * sizeof(*n->args));
    return n;
}

static expr_node *node2(parser *p, expr_node_kind k, expr_node *x, expr_node *y)
{
    expr_node *n = node(p, k, 2);
    n->args[0] = x;
    n->args[1] = y;
    return n;
}

static bool is_condition_node(const expr_node *n)
{
    switch (n->kind) {
    case EN_COMPARE:
    case EN_BETWEEN:
    case EN_IN:
    case EN_AND:
    case EN_OR:
    case EN_NOT:
    case EN_EXISTS:
    case EN_NOT_EXISTS:
    case EN_TYPE:
    case EN_BEGINS_WITH:
    case EN_CONTAINS:
    case EN_UNKNOWN_FUNCTION:
        return true;
    default:
        return false;
    }
}

static bool is_function_node(const expr_node *n)
{
    switch (n->kind) {
    case EN_SIZE:
    case EN_IF_NOT_EXISTS:
    case EN_LIST_APPEND:
    case EN_EXISTS:
    case EN_NOT_EXISTS:
    case EN_TYPE:
    case EN_BEGINS_WITH:
    case EN_CONTAINS:
    case EN_UNKNOWN_FUNCTION:
        return true;
    default:
        return false;
    }
}

/* ---- symbols ---- */

static slice resolve_name(parser *p, slice placeholder)
{
    expr_symbols *s = p->sym;
    for (size_t i = 0; i < s->nnames; i++) {
        if (slice_eq_cstr(placeholder, s->name_keys[i])) {
            s->name_used[i] = true;
            return json_string_slice(json_object_get(s->names, s->name_keys[i]));
        }
    }
    const char *fmt = "An expression attribute name used in the document path is not defined; attribute name: %.*s";
    note(p, ERR_NAME_OR_VALUE, fmt, SLICE_FMT(placeholder));
    note(p, ERR_NAME, fmt, SLICE_FMT(placeholder));
    return SLICE_LIT("");
}

static json_t *resolve_value(parser *p, slice placeholder)
{
    expr_symbols *s = p->sym;
    for (size_t i = 0; i < s->nvalues; i++) {
        if (slice_eq_cstr(placeholder, s->value_keys[i])) {
            s->value_used[i] = true;
            return json_object_get(s->values, s->value_keys[i]);
        }
    }
    const char *fmt = "An expression attribute value used in expression is not defined; attribute value: %.*s";
    note(p, ERR_NAME_OR_VALUE, fmt, SLICE_FMT(placeholder));
    note(p, ERR_VALUE, fmt, SLICE_FMT(placeholder));
    return NULL;
}

/* ---- paths ---- */

static bool parse_path_name(parser *p, expr_path_elem *e)
{
    const expr_token *t = peek(p);
    if (t->kind == TK_IDENT) {
        slice w = tok_text(p, t);
        if (expr_is_reserved(w))
            note(p, ERR_RESERVED, "Attribute name is a reserved keyword; reserved keyword: %.*s", SLICE_FMT(w));
        e->name = w;
    } else if (t->kind == TK_NAME) {
        e->name = resolve_name(p, tok_text(p, t));
    } else {
        syntax_error(p);
        return false;
    }
    e->is_index = false;
    advance(p);
    return true;
}

static bool parse_path(parser *p, expr_path *out)
{
    size_t cap = 4, n = 0;
    expr_path_elem *elems = arena_alloc(p->a, cap * sizeof(*elems));
    if (!parse_path_name(p, &elems[n++]))
        return false;
    for (;;) {
        expr_path_elem e = {0};
        const expr_token *t = peek(p);
        if (t->kind == TK_DOT) {
            advance(p);
            if (!parse_path_name(p, &e))
                return false;
        } else if (t->kind == TK_LBRACKET) {
            advance(p);
            t = peek(p);
            if (t->kind != TK_NUMBER) {
                syntax_error(p);
                return false;
            }
            uint64_t v = 0;
            for (uint32_t i = 0; i < t->len; i++) {
                v = v * 10 + (uint64_t)(p->src.ptr[t->start + i] - '0');
                if (v > UINT32_MAX)
                    v = UINT32_MAX; /* saturate: such an index never exists in an item */
            }
            advance(p);
            if (!expect(p, TK_RBRACKET))
                return false;
            e.is_index = true;
            e.index = (uint32_t)v;
        } else {
            break;
        }
        if (n == cap) {
            expr_path_elem *bigger = arena_alloc(p->a, 2 * cap * sizeof(*elems));
            memcpy(bigger, elems, n * sizeof(*elems));
            elems = bigger;
            cap *= 2;
        }
        elems[n++] = e;
    }
    out->elems = elems;
    out->n = (uint32_t)n;
    return true;
}

static bool paths_equal(const expr_path *x, const expr_path *y)
{
    if (x->n != y->n)
        return false;
    for (uint32_t i = 0; i < x->n; i++) {
        if (x->elems[i].is_index != y->elems[i].is_index)
            return false;
        if (x->elems[i].is_index ? x->elems[i].index != y->elems[i].index
                                 : !slice_eq(x->elems[i].name, y->elems[i].name))
            return false;
    }
    return true;
}

char *expr_path_str(arena *a, const expr_path *p)
{
    size_t len = 3;
    for (uint32_t i = 0; i < p->n; i++)
        len += (p->elems[i].is_index ? 14 : p->elems[i].name.len) + 2;
    char *s = arena_alloc(a, len), *w = s;
    *w++ = '[';
    for (uint32_t i = 0; i < p->n; i++) {
        if (i > 0) {
            *w++ = ',';
            *w++ = ' ';
        }
        if (p->elems[i].is_index) {
            w += sprintf(w, "[%u]", p->elems[i].index);
        } else {
            memcpy(w, p->elems[i].name.ptr, p->elems[i].name.len);
            w += p->elems[i].name.len;
        }
    }
    *w++ = ']';
    *w = '\0';
    return s;
}

/* Two targets of one update (or two projected paths) may not overlap (one a prefix of the other)
 * nor conflict (the same position read as a map key by one and a list index by the other). */
static void check_overlap(parser *p, const expr_path *earlier, const expr_path *later)
{
    uint32_t n = earlier->n < later->n ? earlier->n : later->n;
    for (uint32_t i = 0; i < n; i++) {
        const expr_path_elem *x = &earlier->elems[i], *y = &later->elems[i];
        if (x->is_index != y->is_index) {
            note(p, ERR_CONFLICT,
                 "Two document paths conflict with each other; must remove or rewrite one of these paths; "
                 "path one: %s, path two: %s",
                 expr_path_str(p->a, earlier), expr_path_str(p->a, later));
            return;
        }
        if (x->is_index ? x->index != y->index : !slice_eq(x->name, y->name))
            return;
    }
    note(p, ERR_OVERLAP,
         "Two document paths overlap with each other; must remove or rewrite one of these paths; "
         "path one: %s, path two: %s",
         expr_path_str(p->a, earlier), expr_path_str(p->a, later));
}

/* ---- operands and functions ---- */

/* True when the tokens from `open` (a "(") to the current position (just past the matching ")")
 * are "((...))": a parenthesised group whose whole content is another parenthesised group. */
static bool doubled_parens(parser *p, size_t open)
{
    if (p->toks[open + 1].kind != TK_LPAREN || p->toks[p->pos - 2].kind != TK_RPAREN)
        return false;
    /* the "(" at open+1 must close exactly at pos-2 */
    int level = 0;
    for (size_t i = open + 1; i < p->pos - 1; i++) {
        if (p->toks[i].kind == TK_LPAREN)
            level++;
        else if (p->toks[i].kind == TK_RPAREN && --level == 0)
            return i == p->pos - 2;
    }
    return false;
}

static expr_node *parse_operand(parser *p);
static expr_node *parse_update_value(parser *p);

static expr_node_kind function_kind(parser *p, slice name)
{
    static const struct {
        const char *name;
        expr_node_kind kind;
        bool update;
    } fns[] = {
        {"attribute_exists", EN_EXISTS, false},    {"attribute_not_exists", EN_NOT_EXISTS, false},
        {"attribute_type", EN_TYPE, false},        {"begins_with", EN_BEGINS_WITH, false},
        {"contains", EN_CONTAINS, false},          {"size", EN_SIZE, false},
        {"if_not_exists", EN_IF_NOT_EXISTS, true}, {"list_append", EN_LIST_APPEND, true},
    };
    bool update = p->kind == EXPR_KIND_UPDATE;
    for (size_t i = 0; i < sizeof(fns) / sizeof(fns[0]); i++)
        if (fns[i].update == update && slice_eq_cstr(name, fns[i].name))
            return fns[i].kind;
    return EN_UNKNOWN_FUNCTION;
}

static expr_node *parse_function(parser *p)
{
    slice name = tok_text(p, peek(p));
    advance(p); /* name */
    advance(p); /* ( */
    if (!count_operator(p) || !enter(p))
        return NULL;
    expr_node_kind k = function_kind(p, name);
    if (k == EN_UNKNOWN_FUNCTION)
        note(p, ERR_UNKNOWN_FUNCTION, "Invalid function name; function: %.*s", SLICE_FMT(name));
    size_t cap = 4, n = 0;
    expr_node **args = arena_alloc(p->a, cap * sizeof(*args));
    for (;;) {
        expr_node *arg = p->kind == EXPR_KIND_UPDATE ? parse_update_value(p) : parse_operand(p);
        if (arg == NULL)
            return NULL;
        if (n == cap) {
            expr_node **bigger = arena_alloc(p->a, 2 * cap * sizeof(*args));
            memcpy(bigger, args, n * sizeof(*args));
            args = bigger;
            cap *= 2;
        }
        args[n++] = arg;
        if (peek(p)->kind != TK_COMMA)
            break;
        advance(p);
    }
    if (!expect(p, TK_RPAREN))
        return NULL;
    p->depth--;
    expr_node *f = node(p, k, 0);
    f->nargs = (uint32_t)n;
    f->args = args;
    f->name = name;
    return f;
}

/* An operand: a path, a :value, a function call, or one of these in parentheses. */
static expr_node *parse_operand(parser *p)
{
    const expr_token *t = peek(p);
    switch (t->kind) {
    case TK_LPAREN: {
        size_t open = p->pos;
        advance(p);
        if (!enter(p))
            return NULL;
        expr_node *inner = parse_operand(p);
        if (inner == NULL || !expect(p, TK_RPAREN))
            return NULL;
        p->depth--;
        if (doubled_parens(p, open))
            note(p, ERR_PARENS, "The expression has redundant parentheses;");
        return inner;
    }
    case TK_VALUE: {
        expr_node *v = node(p, EN_VALUE, 0);
        v->name = tok_text(p, t);
        v->value = resolve_value(p, v->name);
        advance(p);
        return v;
    }
    case TK_IDENT:
        if (peek2(p)->kind == TK_LPAREN)
            return parse_function(p);
        /* fall through */
    case TK_NAME: {
        expr_node *n = node(p, EN_PATH, 0);
        if (!parse_path(p, &n->path))
            return NULL;
        return n;
    }
    default:
        syntax_error(p);
        return NULL;
    }
}

/* ---- conditions ---- */

static expr_node *parse_or(parser *p);

static bool is_comparator(expr_tok_kind k)
{
    return k >= TK_EQ && k <= TK_GE;
}

/* A comparison, BETWEEN, IN, function, or a parenthesised condition. Returns a plain operand only
 * when a ")" follows it, for "(a) = :v" to work through the enclosing call. */
static expr_node *parse_comparison(parser *p)
{
    expr_node *left;
    bool grouped = false;
    if (peek(p)->kind == TK_LPAREN) {
        size_t open = p->pos;
        advance(p);
        if (!enter(p))
            return NULL;
        left = parse_or(p);
        if (left == NULL || !expect(p, TK_RPAREN))
            return NULL;
        p->depth--;
        if (doubled_parens(p, open))
            note(p, ERR_PARENS, "The expression has redundant parentheses;");
        grouped = true;
        if (is_condition_node(left))
            return left;
    } else {
        left = parse_operand(p);
        if (left == NULL)
            return NULL;
    }
    const expr_token *t = peek(p);
    if (is_comparator(t->kind)) {
        if (!count_operator(p))
            return NULL;
        advance(p);
        expr_node *right = parse_operand(p);
        if (right == NULL)
            return NULL;
        expr_node *c = node2(p, EN_COMPARE, left, right);
        c->op = t->kind;
        return c;
    }
    if (is_keyword(p, t, "BETWEEN")) {
        if (!count_operator(p))
            return NULL;
        advance(p);
        expr_node *low = parse_operand(p);
        if (low == NULL)
            return NULL;
        if (!is_keyword(p, peek(p), "AND")) {
            syntax_error(p);
            return NULL;
        }
        advance(p);
        expr_node *high = parse_operand(p);
        if (high == NULL)
            return NULL;
        expr_node *b = node(p, EN_BETWEEN, 3);
        b->args[0] = left;
        b->args[1] = low;
        b->args[2] = high;
        return b;
    }
    if (is_keyword(p, t, "IN")) {
        if (!count_operator(p))
            return NULL;
        advance(p);
        if (!expect(p, TK_LPAREN))
            return NULL;
        size_t cap = 8, n = 1;
        expr_node **args = arena_alloc(p->a, cap * sizeof(*args));
        args[0] = left;
        for (;;) {
            expr_node *x = parse_operand(p);
            if (x == NULL)
                return NULL;
            if (n == cap) {
                expr_node **bigger = arena_alloc(p->a, 2 * cap * sizeof(*args));
                memcpy(bigger, args, n * sizeof(*args));
                args = bigger;
                cap *= 2;
            }
            args[n++] = x;
            if (peek(p)->kind != TK_COMMA)
                break;
            advance(p);
        }
        if (!expect(p, TK_RPAREN))
            return NULL;
        if (n - 1 > EXPR_MAX_IN_OPERANDS)
            note(p, ERR_LIMIT, "The IN operator is provided with too many operands; number of operands: %zu", n - 1);
        expr_node *in = node(p, EN_IN, 0);
        in->nargs = (uint32_t)n;
        in->args = args;
        return in;
    }
    if (is_function_node(left) && !grouped)
        return left; /* attribute_exists(a) ...; size(a) alone is reported by the checks */
    if (t->kind == TK_RPAREN)
        return left;
    syntax_error(p);
    return NULL;
}

static bool need_condition(parser *p, const expr_node *n)
{
    if (n->kind == EN_SIZE || is_condition_node(n))
        return true;
    syntax_error(p); /* an operand where a condition must be: the token after it is wrong */
    return false;
}

static expr_node *parse_not(parser *p)
{
    if (is_keyword(p, peek(p), "NOT")) {
        if (!count_operator(p) || !enter(p))
            return NULL;
        advance(p);
        expr_node *x = parse_not(p);
        if (x == NULL || !need_condition(p, x))
            return NULL;
        p->depth--;
        expr_node *n = node(p, EN_NOT, 1);
        n->args[0] = x;
        return n;
    }
    return parse_comparison(p);
}

static expr_node *parse_and(parser *p)
{
    expr_node *left = parse_not(p);
    while (left != NULL && is_keyword(p, peek(p), "AND")) {
        if (!need_condition(p, left) || !count_operator(p))
            return NULL;
        advance(p);
        expr_node *right = parse_not(p);
        if (right == NULL || !need_condition(p, right))
            return NULL;
        left = node2(p, EN_AND, left, right);
    }
    return left;
}

static expr_node *parse_or(parser *p)
{
    expr_node *left = parse_and(p);
    while (left != NULL && is_keyword(p, peek(p), "OR")) {
        if (!need_condition(p, left) || !count_operator(p))
            return NULL;
        advance(p);
        expr_node *right = parse_and(p);
        if (right == NULL || !need_condition(p, right))
            return NULL;
        left = node2(p, EN_OR, left, right);
    }
    return left;
}

/* ---- static checks of conditions ---- */

static const char *value_type(const expr_node *n)
{
    if (n->kind != EN_VALUE || n->value == NULL)
        return NULL;
    return expr_attr_type(n->value, NULL);
}

/* "{N:5}" as DynamoDB prints a scalar value in BETWEEN messages. */
static char *value_str(arena *a, const json_t *v)
{
    json_t *payload = NULL;
    const char *type = expr_attr_type(v, &payload);
    if (type == NULL)
        return "{}";
    if (json_is_string(payload))
        return arena_sprintf(a, "{%s:%s}", type, json_string_value(payload));
    slice s = json_dump_slice(payload, JSON_COMPACT);
    char *r = arena_sprintf(a, "{%s:%.*s}", type, SLICE_FMT(s));
    if (json_arena_current() == NULL)
        free((void *)s.ptr);
    return r;
}

static void check_distinct(parser *p, const char *op, expr_node *x, expr_node *y)
{
    if (x->kind == EN_PATH && y->kind == EN_PATH && paths_equal(&x->path, &y->path))
        note(p, ERR_DISTINCT,
             "The first operand must be distinct from the remaining operands for this operator or function; "
             "operator: %s, first operand: %s",
             op, expr_path_str(p->a, &x->path));
}

static void check_operand(parser *p, expr_node *n);

/* Only size() may stand where a value is expected. */
static void check_not_condition_function(parser *p, const expr_node *arg)
{
    if (is_function_node(arg) && arg->kind != EN_SIZE && arg->kind != EN_UNKNOWN_FUNCTION)
        note(p, ERR_MISUSED_FUNCTION,
             "The function is not allowed to be used this way in an expression; function: %.*s", SLICE_FMT(arg->name));
}

static void check_condition(parser *p, expr_node *n)
{
    switch (n->kind) {
    case EN_AND:
    case EN_OR:
    case EN_NOT:
        for (uint32_t i = 0; i < n->nargs; i++)
            check_condition(p, n->args[i]);
        return;
    case EN_SIZE:
        note(p, ERR_MISUSED_FUNCTION,
             "The function is not allowed to be used this way in an expression; function: %.*s", SLICE_FMT(n->name));
        check_operand(p, n);
        return;
    case EN_COMPARE: {
        static const char *ops[] = {
            [TK_EQ] = "=", [TK_NE] = "<>", [TK_LT] = "<", [TK_LE] = "<=", [TK_GT] = ">", [TK_GE] = ">="};
        for (uint32_t i = 0; i < 2; i++) {
            check_not_condition_function(p, n->args[i]);
            check_operand(p, n->args[i]);
        }
        check_distinct(p, ops[n->op], n->args[0], n->args[1]);
        return;
    }
    case EN_BETWEEN: {
        for (uint32_t i = 0; i < 3; i++) {
            check_not_condition_function(p, n->args[i]);
            check_operand(p, n->args[i]);
        }
        const char *lt = value_type(n->args[1]), *ht = value_type(n->args[2]);
        if (lt != NULL && ht != NULL) {
            int order = 0;
            if (strcmp(lt, ht) != 0)
                note(p, ERR_FUNCTION,
                     "The BETWEEN operator requires same data type for lower and upper bounds; lower bound operand: "
                     "AttributeValue: %s, upper bound operand: AttributeValue: %s",
                     value_str(p->a, n->args[1]->value), value_str(p->a, n->args[2]->value));
            else if (expr_value_compare(n->args[1]->value, n->args[2]->value, &order) == 0 && order > 0)
                note(p, ERR_FUNCTION,
                     "The BETWEEN operator requires upper bound to be greater than or equal to lower bound; lower "
                     "bound operand: AttributeValue: %s, upper bound operand: AttributeValue: %s",
                     value_str(p->a, n->args[1]->value), value_str(p->a, n->args[2]->value));
        }
        return;
    }
    case EN_IN:
        for (uint32_t i = 0; i < n->nargs; i++) {
            check_not_condition_function(p, n->args[i]);
            check_operand(p, n->args[i]);
        }
        return;
    default:
        check_operand(p, n);
        return;
    }
}

static void check_function_args(parser *p, expr_node *n, uint32_t want)
{
    if (n->nargs != want)
        note(
            p, ERR_OPERAND_COUNT,
            "Incorrect number of operands for operator or function; operator or function: %.*s, number of operands: %u",
            SLICE_FMT(n->name), n->nargs);
}

static void operand_type_error(parser *p, const expr_node *f, const char *type)
{
    note(p, ERR_FUNCTION,
         "Incorrect operand type for operator or function; operator or function: %.*s, operand type: %s",
         SLICE_FMT(f->name), type);
}

/* Checks a node in operand position (and the function calls themselves, wherever they are). */
static void check_operand(parser *p, expr_node *n)
{
    if (!is_function_node(n))
        return;
    for (uint32_t i = 0; i < n->nargs; i++) {
        check_not_condition_function(p, n->args[i]);
        check_operand(p, n->args[i]);
    }
    switch (n->kind) {
    case EN_EXISTS:
    case EN_NOT_EXISTS:
        check_function_args(p, n, 1);
        if (n->nargs >= 1 && n->args[0]->kind != EN_PATH)
            note(p, ERR_FUNCTION, "Operator or function requires a document path; operator or function: %.*s",
                 SLICE_FMT(n->name));
        break;
    case EN_SIZE: {
        check_function_args(p, n, 1);
        const char *t = n->nargs >= 1 ? value_type(n->args[0]) : NULL;
        if (t != NULL && (!strcmp(t, "N") || !strcmp(t, "BOOL") || !strcmp(t, "NULL")))
            operand_type_error(p, n, t);
        break;
    }
    case EN_BEGINS_WITH:
        check_function_args(p, n, 2);
        if (n->nargs == 2)
            check_distinct(p, "begins_with", n->args[0], n->args[1]);
        for (uint32_t i = 0; i < n->nargs; i++) {
            const char *t = value_type(n->args[i]);
            if (t != NULL && strcmp(t, "S") != 0 && strcmp(t, "B") != 0) {
                operand_type_error(p, n, t);
                break;
            }
        }
        break;
    case EN_CONTAINS:
        check_function_args(p, n, 2);
        if (n->nargs == 2)
            check_distinct(p, "contains", n->args[0], n->args[1]);
        break;
    case EN_TYPE: {
        check_function_args(p, n, 2);
        if (n->nargs != 2)
            break;
        check_distinct(p, "attribute_type", n->args[0], n->args[1]);
        json_t *payload = NULL;
        const char *t = n->args[1]->kind == EN_VALUE && n->args[1]->value != NULL
                            ? expr_attr_type(n->args[1]->value, &payload)
                            : NULL;
        if (t == NULL || strcmp(t, "S") != 0) {
            if (n->args[1]->kind != EN_VALUE || n->args[1]->value != NULL)
                operand_type_error(p, n, t != NULL ? t : "{NS,SS,L,BS,N,M,B,BOOL,NULL,S}");
            break;
        }
        static const char *types[] = {"S", "N", "B", "NULL", "SS", "BOOL", "L", "BS", "NS", "M"};
        const char *want = json_string_value(payload);
        bool ok = false;
        for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
            ok = ok || strcmp(want, types[i]) == 0;
        if (!ok)
            note(p, ERR_FUNCTION,
                 "Invalid attribute type name found; type: %s, valid types: {B,NULL,SS,BOOL,L,BS,N,NS,S,M}", want);
        break;
    }
    default:
        break;
    }
}

/* ---- updates ---- */

/* An update operand: path, :value, function call, or a parenthesised value. */
static expr_node *parse_update_operand(parser *p)
{
    const expr_token *t = peek(p);
    if (t->kind == TK_LPAREN) {
        advance(p);
        if (!enter(p))
            return NULL;
        expr_node *inner = parse_update_value(p);
        if (inner == NULL || !expect(p, TK_RPAREN))
            return NULL;
        p->depth--;
        return inner;
    }
    return parse_operand(p);
}

/* operand [ (+|-) operand ] */
static expr_node *parse_update_value(parser *p)
{
    expr_node *left = parse_update_operand(p);
    if (left == NULL)
        return NULL;
    expr_tok_kind k = peek(p)->kind;
    if (k != TK_PLUS && k != TK_MINUS)
        return left;
    if (!count_operator(p))
        return NULL;
    advance(p);
    expr_node *right = parse_update_operand(p);
    if (right == NULL)
        return NULL;
    expr_node *n = node2(p, k == TK_PLUS ? EN_PLUS : EN_MINUS, left, right);
    n->name = k == TK_PLUS ? SLICE_LIT("+") : SLICE_LIT("-");
    return n;
}

static void check_update_value(parser *p, expr_node *n)
{
    switch (n->kind) {
    case EN_PLUS:
    case EN_MINUS:
    case EN_LIST_APPEND:
    case EN_IF_NOT_EXISTS:
    case EN_UNKNOWN_FUNCTION:
    case EN_SIZE:
    case EN_EXISTS:
    case EN_NOT_EXISTS:
    case EN_TYPE:
    case EN_BEGINS_WITH:
    case EN_CONTAINS:
        break;
    default:
        return;
    }
    for (uint32_t i = 0; i < n->nargs; i++)
        check_update_value(p, n->args[i]);
    if (n->kind == EN_UNKNOWN_FUNCTION)
        return;
    if (n->nargs != 2) {
        note(
            p, ERR_FUNCTION,
            "Incorrect number of operands for operator or function; operator or function: %.*s, number of operands: %u",
            SLICE_FMT(n->name), n->nargs);
        return;
    }
    if (n->kind == EN_IF_NOT_EXISTS) {
        if (n->args[0]->kind != EN_PATH)
            note(p, ERR_FUNCTION, "Operator or function requires a document path; operator or function: %.*s",
                 SLICE_FMT(n->name));
        return;
    }
    const char *want = n->kind == EN_LIST_APPEND ? "L" : "N";
    for (uint32_t i = 0; i < 2; i++) {
        const char *t = value_type(n->args[i]);
        if (t != NULL && strcmp(t, want) != 0) {
            operand_type_error(p, n, t);
            return;
        }
    }
}

static const char *long_type_name(const char *t)
{
    static const char *map[][2] = {{"S", "STRING"},     {"N", "NUMBER"}, {"B", "BINARY"}, {"NULL", "NULL"},
                                   {"BOOL", "BOOLEAN"}, {"L", "LIST"},   {"M", "MAP"}};
    for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
        if (strcmp(t, map[i][0]) == 0)
            return map[i][1];
    return NULL;
}

static bool parse_update_clauses(parser *p, expr_update *u)
{
    static const char *sections[] = {"SET", "REMOVE", "ADD", "DELETE"};
    bool seen[4] = {false};
    size_t cap = 8;
    u->actions = arena_alloc(p->a, cap * sizeof(*u->actions));
    u->n = 0;
    while (peek(p)->kind != TK_EOF) {
        int s = -1;
        for (int i = 0; i < 4; i++)
            if (is_keyword(p, peek(p), sections[i]))
                s = i;
        if (s < 0) {
            syntax_error(p);
            return false;
        }
        if (seen[s])
            note(p, ERR_SECTION, "The \"%s\" section can only be used once in an update expression;", sections[s]);
        seen[s] = true;
        advance(p);
        for (;;) {
            expr_action act = {.kind = (expr_action_kind)s};
            if (!parse_path(p, &act.path))
                return false;
            if (act.kind == EA_SET) {
                if (!expect(p, TK_EQ))
                    return false;
                act.value = parse_update_value(p);
                if (act.value == NULL)
                    return false;
            } else if (act.kind == EA_ADD || act.kind == EA_DELETE) {
                const expr_token *t = peek(p);
                if (t->kind != TK_VALUE) {
                    syntax_error(p);
                    return false;
                }
                act.value = node(p, EN_VALUE, 0);
                act.value->name = tok_text(p, t);
                act.value->value = resolve_value(p, act.value->name);
                advance(p);
            }
            if (u->n == cap) {
                expr_action *bigger = arena_alloc(p->a, 2 * cap * sizeof(*bigger));
                memcpy(bigger, u->actions, u->n * sizeof(*bigger));
                u->actions = bigger;
                cap *= 2;
            }
            u->actions[u->n++] = act;
            if (peek(p)->kind != TK_COMMA)
                break;
            advance(p);
        }
    }
    return true;
}

static void check_update(parser *p, expr_update *u)
{
    for (uint32_t i = 0; i < u->n; i++) {
        expr_action *act = &u->actions[i];
        for (uint32_t j = 0; j < i; j++)
            check_overlap(p, &u->actions[j].path, &act->path);
        if (act->kind == EA_SET) {
            check_update_value(p, act->value);
        } else if ((act->kind == EA_ADD || act->kind == EA_DELETE) && act->value->value != NULL) {
            const char *t = expr_attr_type(act->value->value, NULL);
            const char *long_name = t != NULL ? long_type_name(t) : NULL;
            if (long_name != NULL && !(act->kind == EA_ADD && strcmp(t, "N") == 0))
                note(p, ERR_ACTION_OPERAND,
                     "Incorrect operand type for operator or function; operator: %s, operand type: %s, typeSet: %s",
                     act->kind == EA_ADD ? "ADD" : "DELETE", long_name,
                     act->kind == EA_ADD ? "ALLOWED_FOR_ADD_OPERAND" : "ALLOWED_FOR_DELETE_OPERAND");
        }
    }
}

/* ---- top-level names ---- */

static void collect_tops(arena *a, const expr_path *paths, size_t stride, uint32_t n, slice **tops, uint32_t *ntops)
{
    *tops = arena_alloc(a, (n + 1) * sizeof(**tops));
    *ntops = 0;
    for (uint32_t i = 0; i < n; i++) {
        const expr_path *path = (const expr_path *)((const char *)paths + i * stride);
        slice top = path->elems[0].name;
        bool dup = false;
        for (uint32_t j = 0; j < *ntops && !dup; j++)
            dup = slice_eq((*tops)[j], top);
        if (!dup)
            (*tops)[(*ntops)++] = top;
    }
}

/* ---- entry points ---- */

static void parser_init(parser *p, arena *a, expr_symbols *sym, expr_kind kind, slice src, aws_error *err)
{
    memset(p, 0, sizeof(*p));
    p->a = a;
    p->sym = sym;
    p->kind = kind;
    p->src = src;
    p->err = err;
    p->toks = expr_lex(a, src, &p->ntoks);
}

/* Reports the highest-ranked problem found, in the order DynamoDB ranks them for this kind. */
static int finish(parser *p, const err_kind *order, size_t n)
{
    if (p->failed)
        return -1;
    for (size_t i = 0; i < n; i++) {
        if (p->errs[order[i]] != NULL) {
            fail(p, "%s", p->errs[order[i]]);
            return -1;
        }
    }
    return 0;
}

int expr_parse_condition(arena *a, expr_symbols *sym, expr_kind kind, slice src, expr_condition **out, aws_error *err)
{
    parser p;
    parser_init(&p, a, sym, kind, src, err);
    expr_node *root = parse_or(&p);
    if (root != NULL && !p.failed) {
        if (peek(&p)->kind != TK_EOF || (!is_condition_node(root) && root->kind != EN_SIZE))
            syntax_error(&p);
        else
            check_condition(&p, root);
    }
    static const err_kind order[] = {ERR_LIMIT,    ERR_PARENS,        ERR_UNKNOWN_FUNCTION, ERR_MISUSED_FUNCTION,
                                     ERR_RESERVED, ERR_NAME_OR_VALUE, ERR_OPERAND_COUNT,    ERR_DISTINCT,
                                     ERR_FUNCTION};
    if (finish(&p, order, sizeof(order) / sizeof(order[0])) != 0)
        return -1;
    expr_condition *c = arena_calloc(a, sizeof(*c));
    c->root = root;
    *out = c;
    return 0;
}

int expr_parse_projection(arena *a, expr_symbols *sym, slice src, expr_projection **out, aws_error *err)
{
    parser p;
    parser_init(&p, a, sym, EXPR_KIND_PROJECTION, src, err);
    size_t cap = 8;
    expr_projection *proj = arena_calloc(a, sizeof(*proj));
    proj->paths = arena_alloc(a, cap * sizeof(*proj->paths));
    for (;;) {
        expr_path path;
        if (!parse_path(&p, &path))
            break;
        for (uint32_t j = 0; j < proj->n; j++)
            check_overlap(&p, &proj->paths[j], &path);
        if (proj->n == cap) {
            expr_path *bigger = arena_alloc(a, 2 * cap * sizeof(*bigger));
            memcpy(bigger, proj->paths, proj->n * sizeof(*bigger));
            proj->paths = bigger;
            cap *= 2;
        }
        proj->paths[proj->n++] = path;
        if (peek(&p)->kind == TK_COMMA) {
            advance(&p);
            continue;
        }
        if (peek(&p)->kind != TK_EOF)
            syntax_error(&p);
        break;
    }
    static const err_kind order[] = {ERR_LIMIT, ERR_RESERVED, ERR_NAME, ERR_OVERLAP, ERR_CONFLICT};
    if (finish(&p, order, sizeof(order) / sizeof(order[0])) != 0)
        return -1;
    collect_tops(a, proj->paths, sizeof(expr_path), proj->n, &proj->tops, &proj->ntops);
    proj->tree = expr_proj_tree(a, proj->paths, proj->n);
    *out = proj;
    return 0;
}

int expr_parse_update(arena *a, expr_symbols *sym, slice src, expr_update **out, aws_error *err)
{
    parser p;
    parser_init(&p, a, sym, EXPR_KIND_UPDATE, src, err);
    expr_update *u = arena_calloc(a, sizeof(*u));
    if (peek(&p)->kind == TK_EOF)
        syntax_error(&p);
    else if (parse_update_clauses(&p, u))
        check_update(&p, u);
    static const err_kind order[] = {ERR_LIMIT, ERR_RESERVED, ERR_UNKNOWN_FUNCTION, ERR_SECTION,        ERR_NAME,
                                     ERR_VALUE, ERR_OVERLAP,  ERR_CONFLICT,         ERR_ACTION_OPERAND, ERR_FUNCTION};
    if (finish(&p, order, sizeof(order) / sizeof(order[0])) != 0)
        return -1;
    collect_tops(a, &u->actions[0].path, sizeof(expr_action), u->n, &u->tops, &u->ntops);
    u->returned.n = u->n;
    u->returned.paths = arena_alloc(a, (u->n + 1) * sizeof(expr_path));
    for (uint32_t i = 0; i < u->n; i++)
        u->returned.paths[i] = u->actions[i].path;
    u->returned.tops = u->tops;
    u->returned.ntops = u->ntops;
    u->returned.tree = expr_proj_tree(a, u->returned.paths, u->returned.n);
    *out = u;
    return 0;
}
