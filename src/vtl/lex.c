#include "vtl/lex.h"

#include <string.h>

/* How a token kind behaves once matched (JavaCC's TOKEN / MORE / SKIP / SPECIAL_TOKEN). */
enum { CL_TOKEN, CL_MORE, CL_SKIP, CL_SPECIAL };

#define S(x)       (1u << (x))
#define ALL_STATES 0x7ffu

/* The lexical states each kind is defined in, in Parser.jjt's order. */
static const struct {
    uint32_t states;
    uint8_t cls;
} defs[TK__COUNT] = {
    [TK_EOF] = {0, CL_TOKEN},
    [TK_INDEX_LBRACKET] = {S(LS_REFERENCE) | S(LS_REFMODIFIER), CL_TOKEN},
    [TK_INDEX_RBRACKET] = {S(LS_REFINDEX), CL_TOKEN},
    [TK_LBRACKET] = {S(LS_DIRECTIVE) | S(LS_REFMOD2), CL_TOKEN},
    [TK_RBRACKET] = {S(LS_DIRECTIVE) | S(LS_REFMOD2), CL_TOKEN},
    [TK_COMMA] = {S(LS_DIRECTIVE) | S(LS_REFMOD2), CL_TOKEN},
    [TK_DOUBLEDOT] = {S(LS_DIRECTIVE) | S(LS_REFMOD2), CL_TOKEN},
    [TK_COLON] = {S(LS_DIRECTIVE) | S(LS_REFMOD2), CL_TOKEN},
    [TK_LEFT_CURLEY] = {S(LS_DIRECTIVE) | S(LS_REFMOD2), CL_TOKEN},
    [TK_RIGHT_CURLEY] = {S(LS_DIRECTIVE) | S(LS_REFMOD2), CL_TOKEN},
    [TK_LPAREN] = {S(LS_DIRECTIVE) | S(LS_REFMODIFIER), CL_TOKEN},
    [TK_RPAREN] = {S(LS_DIRECTIVE), CL_TOKEN},
    [TK_REFMOD2_RPAREN] = {S(LS_REFMOD2), CL_TOKEN},
    [TK_ESCAPE_DIRECTIVE] = {S(LS_DEFAULT), CL_TOKEN},
    [TK_SET_DIRECTIVE] = {S(LS_DEFAULT) | S(LS_REFERENCE) | S(LS_REFMODIFIER) | S(LS_REFMOD2), CL_TOKEN},
    [TK_DOLLAR] = {ALL_STATES, CL_MORE},
    [TK_DOLLARBANG] = {ALL_STATES, CL_MORE},
    [TK_TEXTBLOCK_OPEN] = {ALL_STATES, CL_MORE},
    [TK_FORMAL_OPEN] = {ALL_STATES, CL_MORE},
    [TK_COMMENT_OPEN] = {ALL_STATES, CL_MORE},
    [TK_HASH] = {ALL_STATES, CL_MORE},
    [TK_SINGLE_LINE_COMMENT_START] = {S(LS_DEFAULT) | S(LS_PRE_DIRECTIVE) | S(LS_DIRECTIVE) | S(LS_REFERENCE),
                                      CL_TOKEN},
    [TK_DOUBLE_ESCAPE] = {S(LS_DEFAULT), CL_TOKEN},
    [TK_ESCAPE] = {S(LS_DEFAULT), CL_TOKEN},
    [TK_TEXT] = {S(LS_DEFAULT), CL_TOKEN},
    [TK_SINGLE_LINE_COMMENT] = {S(LS_IN_SINGLE_LINE_COMMENT), CL_TOKEN},
    [TK_FORMAL_COMMENT] = {S(LS_IN_FORMAL_COMMENT), CL_TOKEN},
    [TK_MULTI_LINE_COMMENT] = {S(LS_IN_MULTI_LINE_COMMENT), CL_TOKEN},
    [TK_TEXTBLOCK] = {S(LS_IN_TEXTBLOCK), CL_TOKEN},
    [TK_COMMENT_SKIP] = {S(LS_IN_SINGLE_LINE_COMMENT) | S(LS_IN_FORMAL_COMMENT) | S(LS_IN_MULTI_LINE_COMMENT), CL_SKIP},
    [TK_TEXTBLOCK_MORE] = {S(LS_IN_TEXTBLOCK), CL_MORE},
    [TK_WHITESPACE] = {S(LS_DIRECTIVE) | S(LS_REFMOD2) | S(LS_REFINDEX), CL_TOKEN},
    [TK_STRING_LITERAL] = {S(LS_DIRECTIVE) | S(LS_REFMOD2) | S(LS_REFINDEX), CL_TOKEN},
    [TK_TRUE] = {S(LS_REFERENCE) | S(LS_DIRECTIVE) | S(LS_REFMODIFIER) | S(LS_REFMOD2) | S(LS_REFINDEX), CL_TOKEN},
    [TK_FALSE] = {S(LS_REFERENCE) | S(LS_DIRECTIVE) | S(LS_REFMODIFIER) | S(LS_REFMOD2) | S(LS_REFINDEX), CL_TOKEN},
    [TK_NEWLINE] = {S(LS_DIRECTIVE), CL_TOKEN},
    [TK_MINUS] = {S(LS_DIRECTIVE), CL_TOKEN},
    [TK_PLUS] = {S(LS_DIRECTIVE), CL_TOKEN},
    [TK_MULTIPLY] = {S(LS_DIRECTIVE), CL_TOKEN},
    [TK_DIVIDE] = {S(LS_DIRECTIVE), CL_TOKEN},
    [TK_MODULUS] = {S(LS_DIRECTIVE), CL_TOKEN},
    [TK_LOGICAL_AND] = {S(LS_DIRECTIVE), CL_TOKEN},
    [TK_LOGICAL_OR] = {S(LS_DIRECTIVE), CL_TOKEN},
    [TK_LOGICAL_LT] = {S(LS_DIRECTIVE), CL_TOKEN},
    [TK_LOGICAL_LE] = {S(LS_DIRECTIVE), CL_TOKEN},
    [TK_LOGICAL_GT] = {S(LS_DIRECTIVE), CL_TOKEN},
    [TK_LOGICAL_GE] = {S(LS_DIRECTIVE), CL_TOKEN},
    [TK_LOGICAL_EQUALS] = {S(LS_DIRECTIVE), CL_TOKEN},
    [TK_LOGICAL_NOT_EQUALS] = {S(LS_DIRECTIVE), CL_TOKEN},
    [TK_LOGICAL_NOT] = {S(LS_DIRECTIVE), CL_TOKEN},
    [TK_EQUALS] = {S(LS_DIRECTIVE), CL_TOKEN},
    [TK_END] = {S(LS_PRE_DIRECTIVE), CL_TOKEN},
    [TK_IF_DIRECTIVE] = {S(LS_PRE_DIRECTIVE), CL_TOKEN},
    [TK_ELSEIF_DIRECTIVE] = {S(LS_PRE_DIRECTIVE), CL_TOKEN},
    [TK_ELSE_DIRECTIVE] = {S(LS_PRE_DIRECTIVE), CL_TOKEN},
    [TK_INTEGER_LITERAL] = {S(LS_PRE_DIRECTIVE) | S(LS_DIRECTIVE) | S(LS_REFMOD2) | S(LS_REFINDEX), CL_TOKEN},
    [TK_FLOATING_POINT_LITERAL] = {S(LS_PRE_DIRECTIVE) | S(LS_DIRECTIVE) | S(LS_REFMOD2) | S(LS_REFINDEX), CL_TOKEN},
    [TK_WORD] = {S(LS_PRE_DIRECTIVE) | S(LS_DIRECTIVE), CL_TOKEN},
    [TK_BRACKETED_WORD] = {S(LS_PRE_DIRECTIVE) | S(LS_DIRECTIVE), CL_TOKEN},
    [TK_IDENTIFIER] = {S(LS_REFERENCE) | S(LS_REFMODIFIER) | S(LS_REFMOD2), CL_TOKEN},
    [TK_DOT] = {S(LS_REFERENCE) | S(LS_REFMODIFIER) | S(LS_REFMOD2), CL_TOKEN},
    [TK_LCURLY] = {S(LS_REFERENCE) | S(LS_REFMODIFIER), CL_TOKEN},
    [TK_RCURLY] = {S(LS_REFERENCE) | S(LS_REFMODIFIER), CL_TOKEN},
    [TK_REFERENCE_TERMINATOR] = {S(LS_REFERENCE) | S(LS_REFMODIFIER), CL_SPECIAL},
    [TK_DIRECTIVE_TERMINATOR] = {S(LS_PRE_DIRECTIVE), CL_SPECIAL},
    [TK_EMPTY_INDEX] = {S(LS_DEFAULT) | S(LS_REFERENCE), CL_TOKEN},
};

static const char *const kind_names[TK__COUNT] = {
    [TK_EOF] = "<EOF>",
    [TK_INDEX_LBRACKET] = "\"[\"",
    [TK_INDEX_RBRACKET] = "\"]\"",
    [TK_LBRACKET] = "\"[\"",
    [TK_RBRACKET] = "\"]\"",
    [TK_COMMA] = "\",\"",
    [TK_DOUBLEDOT] = "\"..\"",
    [TK_COLON] = "\":\"",
    [TK_LEFT_CURLEY] = "\"{\"",
    [TK_RIGHT_CURLEY] = "\"}\"",
    [TK_LPAREN] = "\"(\"",
    [TK_RPAREN] = "<RPAREN>",
    [TK_REFMOD2_RPAREN] = "\")\"",
    [TK_ESCAPE_DIRECTIVE] = "<ESCAPE_DIRECTIVE>",
    [TK_SET_DIRECTIVE] = "<SET_DIRECTIVE>",
    [TK_SINGLE_LINE_COMMENT_START] = "\"##\"",
    [TK_DOUBLE_ESCAPE] = "\"\\\\\\\\\"",
    [TK_ESCAPE] = "\"\\\\\"",
    [TK_TEXT] = "<TEXT>",
    [TK_SINGLE_LINE_COMMENT] = "<SINGLE_LINE_COMMENT>",
    [TK_FORMAL_COMMENT] = "\"*#\"",
    [TK_MULTI_LINE_COMMENT] = "\"*#\"",
    [TK_TEXTBLOCK] = "\"]]#\"",
    [TK_WHITESPACE] = "<WHITESPACE>",
    [TK_STRING_LITERAL] = "<STRING_LITERAL>",
    [TK_TRUE] = "\"true\"",
    [TK_FALSE] = "\"false\"",
    [TK_NEWLINE] = "<NEWLINE>",
    [TK_MINUS] = "\"-\"",
    [TK_PLUS] = "\"+\"",
    [TK_MULTIPLY] = "\"*\"",
    [TK_DIVIDE] = "\"/\"",
    [TK_MODULUS] = "\"%\"",
    [TK_LOGICAL_AND] = "<LOGICAL_AND>",
    [TK_LOGICAL_OR] = "<LOGICAL_OR>",
    [TK_LOGICAL_LT] = "<LOGICAL_LT>",
    [TK_LOGICAL_LE] = "<LOGICAL_LE>",
    [TK_LOGICAL_GT] = "<LOGICAL_GT>",
    [TK_LOGICAL_GE] = "<LOGICAL_GE>",
    [TK_LOGICAL_EQUALS] = "<LOGICAL_EQUALS>",
    [TK_LOGICAL_NOT_EQUALS] = "<LOGICAL_NOT_EQUALS>",
    [TK_LOGICAL_NOT] = "<LOGICAL_NOT>",
    [TK_EQUALS] = "\"=\"",
    [TK_END] = "<END>",
    [TK_IF_DIRECTIVE] = "<IF_DIRECTIVE>",
    [TK_ELSEIF_DIRECTIVE] = "<ELSEIF_DIRECTIVE>",
    [TK_ELSE_DIRECTIVE] = "<ELSE_DIRECTIVE>",
    [TK_INTEGER_LITERAL] = "<INTEGER_LITERAL>",
    [TK_FLOATING_POINT_LITERAL] = "<FLOATING_POINT_LITERAL>",
    [TK_WORD] = "<WORD>",
    [TK_BRACKETED_WORD] = "<BRACKETED_WORD>",
    [TK_IDENTIFIER] = "<IDENTIFIER>",
    [TK_DOT] = "<DOT>",
    [TK_LCURLY] = "\"{\"",
    [TK_RCURLY] = "\"}\"",
    [TK_EMPTY_INDEX] = "<EMPTY_INDEX>",
};

const char *tok_kind_name(tok_kind k)
{
    return k < TK__COUNT && kind_names[k] ? kind_names[k] : "?";
}

static bool is_alpha(int c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
static bool is_digit(int c)
{
    return c >= '0' && c <= '9';
}
static bool is_dirchar(int c)
{
    return is_alpha(c) || is_digit(c) || c == '_' || c == '@';
}

/* Matchers return the length of the longest match of a kind at s[0..n), 0 for none. */
static size_t m_newline_opt(const char *s, size_t n, size_t i)
{
    size_t j = i;
    while (j < n && (s[j] == ' ' || s[j] == '\t'))
        j++;
    if (j < n && s[j] == '\n')
        return j + 1;
    if (j < n && s[j] == '\r')
        return (j + 1 < n && s[j + 1] == '\n') ? j + 2 : j + 1;
    return i;
}

static size_t m_lit(const char *s, size_t n, const char *lit)
{
    size_t l = strlen(lit);
    return n >= l && memcmp(s, lit, l) == 0 ? l : 0;
}

static size_t m_word(const char *s, size_t n)
{
    if (n == 0 || !(is_alpha(s[0]) || s[0] == '_' || s[0] == '@'))
        return 0;
    size_t i = 1;
    while (i < n && is_dirchar(s[i]))
        i++;
    return i;
}

static size_t m_bracketed_word(const char *s, size_t n)
{
    if (n < 3 || s[0] != '{' || !(is_alpha(s[1]) || s[1] == '_'))
        return 0;
    size_t i = 2;
    while (i < n && is_dirchar(s[i]))
        i++;
    return i < n && s[i] == '}' ? i + 1 : 0;
}

static size_t m_string(const char *s, size_t n)
{
    if (n == 0 || (s[0] != '"' && s[0] != '\''))
        return 0;
    char q = s[0];
    size_t best = 0, i = 1;
    while (i < n) {
        if (s[i] == q) {
            best = i + 1;
            if (i + 1 < n && s[i + 1] == q) {
                i += 2;
                continue;
            }
            break;
        }
        i++;
    }
    return best;
}

static size_t m_exponent(const char *s, size_t n, size_t i)
{
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        size_t j = i + 1;
        if (j < n && (s[j] == '+' || s[j] == '-'))
            j++;
        size_t k = j;
        while (k < n && is_digit(s[k]))
            k++;
        if (k > j)
            return k;
    }
    return i;
}

static size_t m_integer(const char *s, size_t n)
{
    size_t i = (n > 0 && s[0] == '-') ? 1 : 0, d = i;
    while (i < n && is_digit(s[i]))
        i++;
    if (i == d)
        return 0;
    if (i + 1 < n && s[i] == '.' && s[i + 1] == '.')
        i += 2;
    return i;
}

static size_t m_float(const char *s, size_t n)
{
    size_t i = (n > 0 && s[0] == '-') ? 1 : 0, d = i, best = 0;
    while (i < n && is_digit(s[i]))
        i++;
    size_t intdigits = i - d;
    if (intdigits > 0) {
        size_t e = m_exponent(s, n, i);
        if (e > i)
            best = e;
    }
    if (i < n && s[i] == '.') {
        size_t j = i + 1;
        while (j < n && is_digit(s[j]))
            j++;
        if (intdigits > 0 || j > i + 1) {
            size_t e = m_exponent(s, n, j);
            if (e > best)
                best = e;
        }
    }
    return best;
}

static size_t m_identifier(const char *s, size_t n)
{
    if (n == 0 || !(is_alpha(s[0]) || s[0] == '_'))
        return 0;
    size_t i = 1;
    while (i < n && (is_alpha(s[i]) || is_digit(s[i]) || s[i] == '-' || s[i] == '_'))
        i++;
    return i;
}

static size_t m_keyword_or(const char *s, size_t n, const char *a, const char *b)
{
    size_t x = m_lit(s, n, a), y = m_lit(s, n, b);
    return x > y ? x : y;
}

static size_t match(tok_kind k, const char *s, size_t n)
{
    switch (k) {
    case TK_INDEX_LBRACKET:
    case TK_LBRACKET:
        return m_lit(s, n, "[");
    case TK_INDEX_RBRACKET:
    case TK_RBRACKET:
        return m_lit(s, n, "]");
    case TK_COMMA:
        return m_lit(s, n, ",");
    case TK_DOUBLEDOT:
        return m_lit(s, n, "..");
    case TK_COLON:
        return m_lit(s, n, ":");
    case TK_LEFT_CURLEY:
    case TK_LCURLY:
        return m_lit(s, n, "{");
    case TK_RIGHT_CURLEY:
    case TK_RCURLY:
        return m_lit(s, n, "}");
    case TK_LPAREN:
        return m_lit(s, n, "(");
    case TK_RPAREN:
        return n > 0 && s[0] == ')' ? m_newline_opt(s, n, 1) : 0;
    case TK_REFMOD2_RPAREN:
        return m_lit(s, n, ")");
    case TK_ESCAPE_DIRECTIVE: {
        size_t i = 0;
        while (i < n && s[i] == '\\')
            i++;
        if (i % 2 == 0 || i >= n || s[i] != '#')
            return 0;
        size_t w = m_word(s + i + 1, n - i - 1), b = m_bracketed_word(s + i + 1, n - i - 1);
        size_t l = w > b ? w : b;
        return l ? i + 1 + l : 0;
    }
    case TK_SET_DIRECTIVE: {
        size_t i = 0;
        while (i < n && (s[i] == ' ' || s[i] == '\t'))
            i++;
        size_t l = m_lit(s + i, n - i, "#set");
        if (!l)
            l = m_lit(s + i, n - i, "#{set}");
        if (!l)
            return 0;
        i += l;
        while (i < n && s[i] == ' ')
            i++;
        return i < n && s[i] == '(' ? i + 1 : 0;
    }
    case TK_DOLLAR: {
        size_t i = 0;
        while (i < n && s[i] == '\\')
            i++;
        return i < n && s[i] == '$' ? i + 1 : 0;
    }
    case TK_DOLLARBANG: {
        size_t i = 0;
        while (i < n && s[i] == '\\')
            i++;
        if (i >= n || s[i] != '$')
            return 0;
        i++;
        while (i < n && s[i] == '\\')
            i++;
        return i < n && s[i] == '!' ? i + 1 : 0;
    }
    case TK_TEXTBLOCK_OPEN:
        return m_lit(s, n, "#[[");
    case TK_FORMAL_OPEN:
        return n >= 4 && memcmp(s, "#**", 3) == 0 && s[3] != '#' ? 4 : 0;
    case TK_COMMENT_OPEN:
        return m_lit(s, n, "#*");
    case TK_HASH:
        return m_lit(s, n, "#");
    case TK_SINGLE_LINE_COMMENT_START:
        return m_lit(s, n, "##");
    case TK_DOUBLE_ESCAPE:
        return m_lit(s, n, "\\\\");
    case TK_ESCAPE:
        return m_lit(s, n, "\\");
    case TK_TEXT: {
        size_t i = 0;
        while (i < n && s[i] != '$' && s[i] != '#' && s[i] != '\\')
            i++;
        return i;
    }
    case TK_SINGLE_LINE_COMMENT:
    case TK_NEWLINE:
        if (n > 0 && s[0] == '\n')
            return 1;
        if (n > 0 && s[0] == '\r')
            return n > 1 && s[1] == '\n' ? 2 : 1;
        return 0;
    case TK_FORMAL_COMMENT:
    case TK_MULTI_LINE_COMMENT:
        return m_lit(s, n, "*#");
    case TK_TEXTBLOCK:
        return m_lit(s, n, "]]#");
    case TK_COMMENT_SKIP:
    case TK_TEXTBLOCK_MORE:
    case TK_REFERENCE_TERMINATOR:
    case TK_DIRECTIVE_TERMINATOR:
        return n > 0 ? 1 : 0;
    case TK_WHITESPACE: {
        size_t i = 0;
        while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r'))
            i++;
        return i;
    }
    case TK_STRING_LITERAL:
        return m_string(s, n);
    case TK_TRUE:
        return m_lit(s, n, "true");
    case TK_FALSE:
        return m_lit(s, n, "false");
    case TK_MINUS:
        return m_lit(s, n, "-");
    case TK_PLUS:
        return m_lit(s, n, "+");
    case TK_MULTIPLY:
        return m_lit(s, n, "*");
    case TK_DIVIDE:
        return m_lit(s, n, "/");
    case TK_MODULUS:
        return m_lit(s, n, "%");
    case TK_LOGICAL_AND:
        return m_keyword_or(s, n, "&&", "and");
    case TK_LOGICAL_OR:
        return m_keyword_or(s, n, "||", "or");
    case TK_LOGICAL_LT:
        return m_keyword_or(s, n, "<", "lt");
    case TK_LOGICAL_LE:
        return m_keyword_or(s, n, "<=", "le");
    case TK_LOGICAL_GT:
        return m_keyword_or(s, n, ">", "gt");
    case TK_LOGICAL_GE:
        return m_keyword_or(s, n, ">=", "ge");
    case TK_LOGICAL_EQUALS:
        return m_keyword_or(s, n, "==", "eq");
    case TK_LOGICAL_NOT_EQUALS:
        return m_keyword_or(s, n, "!=", "ne");
    case TK_LOGICAL_NOT:
        return m_keyword_or(s, n, "!", "not");
    case TK_EQUALS:
        return m_lit(s, n, "=");
    case TK_END: {
        size_t l = m_lit(s, n, "end");
        if (!l)
            l = m_lit(s, n, "{end}");
        return l ? m_newline_opt(s, n, l) : 0;
    }
    case TK_IF_DIRECTIVE:
        return m_keyword_or(s, n, "if", "{if}");
    case TK_ELSEIF_DIRECTIVE:
        return m_keyword_or(s, n, "elseif", "{elseif}");
    case TK_ELSE_DIRECTIVE: {
        size_t l = m_lit(s, n, "else");
        if (!l)
            l = m_lit(s, n, "{else}");
        return l ? m_newline_opt(s, n, l) : 0;
    }
    case TK_INTEGER_LITERAL:
        return m_integer(s, n);
    case TK_FLOATING_POINT_LITERAL:
        return m_float(s, n);
    case TK_WORD:
        return m_word(s, n);
    case TK_BRACKETED_WORD:
        return m_bracketed_word(s, n);
    case TK_IDENTIFIER:
        return m_identifier(s, n);
    case TK_DOT:
        return n >= 2 && s[0] == '.' && is_alpha(s[1]) ? 2 : 0;
    case TK_EMPTY_INDEX: {
        size_t a = m_lit(s, n, "$["), b = m_lit(s, n, "$!["), c = m_lit(s, n, "$\\!["), d = m_lit(s, n, "$.");
        size_t l = a > b ? a : b;
        l = l > c ? l : c;
        return l > d ? l : d;
    }
    default:
        return 0;
    }
}

void lex_init(vlex *lx, slice src, arena *a)
{
    memset(lx, 0, sizeof(*lx));
    lx->src = src;
    lx->a = a;
    lx->state = LS_DEFAULT;
}

void lex_switch_to(vlex *lx, int state)
{
    lx->state = state;
}

static void push(vlex *lx)
{
    if (lx->depth == lx->cap) {
        size_t cap = lx->cap ? lx->cap * 2 : 16;
        lex_frame *s = arena_alloc(lx->a, cap * sizeof(*s));
        if (lx->depth)
            memcpy(s, lx->stack, lx->depth * sizeof(*s));
        lx->stack = s;
        lx->cap = cap;
    }
    lx->stack[lx->depth++] = (lex_frame){lx->lparen, lx->rparen, lx->state};
    lx->lparen = 0;
}

bool lex_state_pop(vlex *lx)
{
    if (lx->depth == 0) {
        lx->lparen = 0;
        lx->state = LS_DEFAULT;
        return false;
    }
    lex_frame f = lx->stack[--lx->depth];
    lx->lparen = f.lparen;
    lx->rparen = f.rparen;
    lx->state = f.state;
    return true;
}

static void rparen_handler(vlex *lx)
{
    bool closed = lx->in_comment;
    while (!closed) {
        if (lx->lparen > 0) {
            if (lx->lparen == lx->rparen + 1)
                lex_state_pop(lx);
            else
                lx->rparen++;
            closed = true;
        } else if (!lex_state_pop(lx)) {
            break;
        }
    }
}

/* Runs the token's lexical action; returns how many characters to push back. */
static size_t action(vlex *lx, tok_kind k, slice img)
{
    switch (k) {
    case TK_INDEX_LBRACKET:
        push(lx);
        lx->state = LS_REFINDEX;
        return 0;
    case TK_INDEX_RBRACKET:
        lex_state_pop(lx);
        return 0;
    case TK_LPAREN:
        if (!lx->in_comment)
            lx->lparen++;
        if (lx->state == LS_REFMODIFIER)
            lx->state = LS_REFMOD2;
        return 0;
    case TK_RPAREN:
        rparen_handler(lx);
        return 0;
    case TK_REFMOD2_RPAREN:
        lx->state = LS_REFERENCE;
        return 0;
    case TK_SET_DIRECTIVE:
        if (!lx->in_comment) {
            lx->in_directive = true;
            push(lx);
            lx->in_set = true;
            lx->state = LS_DIRECTIVE;
            lx->lparen++;
        }
        return 0;
    case TK_DOLLAR:
    case TK_DOLLARBANG:
        if (!lx->in_comment) {
            if (lx->state == LS_REFERENCE) {
                lx->in_reference = false;
                lex_state_pop(lx);
            }
            lx->in_reference = true;
            push(lx);
            lx->state = LS_REFERENCE;
        }
        return 0;
    case TK_TEXTBLOCK_OPEN:
        if (!lx->in_comment) {
            lx->in_comment = true;
            push(lx);
            lx->state = LS_IN_TEXTBLOCK;
        }
        return 0;
    case TK_FORMAL_OPEN:
        if (!lx->in_comment) {
            lx->in_comment = true;
            push(lx);
            lx->state = LS_IN_FORMAL_COMMENT;
            return 1;
        }
        return 0;
    case TK_COMMENT_OPEN:
        if (!lx->in_comment) {
            lx->in_comment = true;
            push(lx);
            lx->state = LS_IN_MULTI_LINE_COMMENT;
        }
        return 0;
    case TK_HASH:
        if (!lx->in_comment) {
            if (lx->state == LS_REFERENCE || lx->state == LS_REFMODIFIER) {
                lx->in_reference = false;
                lex_state_pop(lx);
            }
            lx->in_directive = true;
            push(lx);
            lx->state = LS_PRE_DIRECTIVE;
        }
        return 0;
    case TK_SINGLE_LINE_COMMENT_START:
        if (!lx->in_comment) {
            if (lx->state == LS_REFERENCE) {
                lx->in_reference = false;
                lex_state_pop(lx);
            }
            lx->in_comment = true;
            push(lx);
            lx->state = LS_IN_SINGLE_LINE_COMMENT;
        }
        return 0;
    case TK_SINGLE_LINE_COMMENT:
    case TK_FORMAL_COMMENT:
    case TK_MULTI_LINE_COMMENT:
    case TK_TEXTBLOCK:
        lx->in_comment = false;
        lex_state_pop(lx);
        return 0;
    case TK_STRING_LITERAL:
        if (lx->state == LS_DIRECTIVE && !lx->in_set && lx->lparen == 0)
            lex_state_pop(lx);
        return 0;
    case TK_NEWLINE:
        lex_state_pop(lx);
        lx->in_set = false;
        lx->in_directive = false;
        return 0;
    case TK_END:
    case TK_ELSE_DIRECTIVE:
        lx->in_directive = false;
        lex_state_pop(lx);
        return 0;
    case TK_IF_DIRECTIVE:
    case TK_ELSEIF_DIRECTIVE:
        lx->state = LS_DIRECTIVE;
        return 0;
    case TK_INTEGER_LITERAL: {
        size_t back = (img.len >= 2 && img.ptr[img.len - 1] == '.' && img.ptr[img.len - 2] == '.') ? 2 : 0;
        if (lx->lparen == 0 && !lx->in_set && lx->state != LS_REFMOD2 && lx->state != LS_REFINDEX)
            lex_state_pop(lx);
        return back;
    }
    case TK_FLOATING_POINT_LITERAL:
        if (lx->lparen == 0 && !lx->in_set && lx->state != LS_REFMOD2)
            lex_state_pop(lx);
        return 0;
    case TK_DOT:
        lx->state = LS_REFMODIFIER;
        return 1;
    case TK_RCURLY:
        lex_state_pop(lx);
        return 0;
    case TK_REFERENCE_TERMINATOR:
        lx->in_reference = false;
        lex_state_pop(lx);
        return 1;
    case TK_DIRECTIVE_TERMINATOR:
        lx->in_directive = false;
        lex_state_pop(lx);
        return 1;
    default:
        return 0;
    }
}

token lex_next(vlex *lx)
{
    const char *s = lx->src.ptr;
    size_t n = lx->src.len;
    char special[64];
    size_t special_len = 0;
    char *special_big = NULL;
    bool special_comment = false;
    for (;;) {
        size_t begin = lx->pos;
        bool more = false;
        for (;;) {
            if (lx->pos >= n) {
                if (more) {
                    lx->failed = true;
                    lx->error_pos = (uint32_t)lx->pos;
                }
                token t = {TK_EOF, (uint32_t)n, (uint32_t)n, SLICE_NULL};
                return t;
            }
            tok_kind best = TK_EOF;
            size_t best_len = 0;
            for (int k = 1; k < TK__COUNT; k++) {
                if (!(defs[k].states & S(lx->state)))
                    continue;
                size_t l = match((tok_kind)k, s + lx->pos, n - lx->pos);
                if (l > best_len) {
                    best_len = l;
                    best = (tok_kind)k;
                }
            }
            if (best == TK_EOF) {
                lx->failed = true;
                lx->error_pos = (uint32_t)lx->pos;
                return (token){TK_EOF, (uint32_t)lx->pos, (uint32_t)lx->pos, SLICE_NULL};
            }
            lx->pos += best_len;
            slice img = slice_make(s + begin, lx->pos - begin);
            size_t back = action(lx, best, img);
            lx->pos -= back;
            switch (defs[best].cls) {
            case CL_MORE:
                more = true;
                continue;
            case CL_SKIP:
                break;
            case CL_SPECIAL:
                special_comment = img.len >= 2 && img.ptr[0] == '#' && img.ptr[1] == '#';
                for (size_t i = 0; i < img.len; i++) {
                    if (img.ptr[i] != '#' && img.ptr[i] != '$')
                        continue;
                    if (special_len < sizeof(special)) {
                        special[special_len++] = img.ptr[i];
                    } else {
                        if (special_big == NULL) {
                            special_big = arena_alloc(lx->a, n + sizeof(special));
                            memcpy(special_big, special, special_len);
                        }
                        special_big[special_len++] = img.ptr[i];
                    }
                }
                break;
            default: {
                token t = {best, (uint32_t)begin, (uint32_t)lx->pos, SLICE_NULL};
                if (special_len && !special_comment) {
                    t.special = special_big ? slice_make(special_big, special_len)
                                            : arena_slice_dup(lx->a, slice_make(special, special_len));
                }
                return t;
            }
            }
            break;
        }
    }
}

slice tok_image(const vlex *lx, const token *t)
{
    if (t->kind == TK_DOT)
        return SLICE_LIT(".");
    return slice_make(lx->src.ptr + t->begin, t->end - t->begin);
}

bool lex_left_paren_follows(const vlex *lx)
{
    for (size_t i = lx->pos; i < lx->src.len; i++) {
        char c = lx->src.ptr[i];
        if (c == '(')
            return true;
        if (c != ' ' && c != '\n' && c != '\r' && c != '\t')
            return false;
    }
    return false;
}

void lex_line_col(slice src, uint32_t pos, int *line, int *col)
{
    int l = 1, c = 0;
    bool cr = false, lf = false;
    for (uint32_t i = 0; i <= pos && i < src.len; i++) {
        char ch = src.ptr[i];
        c++;
        if (lf) {
            lf = false;
            l++;
            c = 1;
        } else if (cr) {
            cr = false;
            if (ch == '\n')
                lf = true;
            else {
                l++;
                c = 1;
            }
        }
        if (ch == '\r')
            cr = true;
        else if (ch == '\n')
            lf = true;
        else if (ch == '\t') {
            c--;
            c += 8 - (c % 8);
        }
    }
    if (pos >= src.len) { /* at the end: one past the last character */
        if (lf || cr) {
            l++;
            c = 1;
        } else
            c++;
    }
    *line = l;
    *col = c;
}
