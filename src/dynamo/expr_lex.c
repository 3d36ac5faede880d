/*
 * expr_lex: splits an expression string into tokens. Owns only the token rules; what a token means
 * is the parser's business. Never fails: a character no rule knows becomes a TK_OTHER token, which
 * the parser reports as DynamoDB does (`Syntax error; token: "!", near: "!!"`).
 */
#include "dynamo/expr_internal.h"

static bool is_word_start(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}
static bool is_word(char c)
{
    return is_word_start(c) || is_digit(c);
}
static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Length of the UTF-8 sequence starting at s (at most left bytes), so that an odd character is
 * reported whole. */
static uint32_t utf8_len(const unsigned char *s, size_t left)
{
    uint32_t n = 1;
    if (s[0] >= 0xf0)
        n = 4;
    else if (s[0] >= 0xe0)
        n = 3;
    else if (s[0] >= 0xc0)
        n = 2;
    if (n > left)
        n = (uint32_t)left;
    for (uint32_t i = 1; i < n; i++)
        if ((s[i] & 0xc0) != 0x80)
            return i;
    return n;
}

expr_token *expr_lex(arena *a, slice src, size_t *count)
{
    /* Every token but EOF consumes at least one byte. */
    expr_token *toks = arena_alloc(a, (src.len + 1) * sizeof(*toks));
    size_t n = 0, i = 0;
    const char *s = src.ptr;
    while (i < src.len) {
        if (is_space(s[i])) {
            i++;
            continue;
        }
        expr_token t = {TK_OTHER, (uint32_t)i, 1};
        char c = s[i];
        if (is_word_start(c)) {
            size_t j = i + 1;
            while (j < src.len && is_word(s[j]))
                j++;
            t.kind = TK_IDENT;
            t.len = (uint32_t)(j - i);
        } else if (is_digit(c)) {
            size_t j = i + 1;
            while (j < src.len && is_digit(s[j]))
                j++;
            t.kind = TK_NUMBER;
            t.len = (uint32_t)(j - i);
        } else if ((c == '#' || c == ':') && i + 1 < src.len && is_word(s[i + 1])) {
            size_t j = i + 1;
            while (j < src.len && is_word(s[j]))
                j++;
            t.kind = c == '#' ? TK_NAME : TK_VALUE;
            t.len = (uint32_t)(j - i);
        } else {
            char d = i + 1 < src.len ? s[i + 1] : '\0';
            switch (c) {
            case '(':
                t.kind = TK_LPAREN;
                break;
            case ')':
                t.kind = TK_RPAREN;
                break;
            case '[':
                t.kind = TK_LBRACKET;
                break;
            case ']':
                t.kind = TK_RBRACKET;
                break;
            case ',':
                t.kind = TK_COMMA;
                break;
            case '.':
                t.kind = TK_DOT;
                break;
            case '=':
                t.kind = TK_EQ;
                break;
            case '+':
                t.kind = TK_PLUS;
                break;
            case '-':
                t.kind = TK_MINUS;
                break;
            case '<':
                if (d == '=') {
                    t.kind = TK_LE;
                    t.len = 2;
                } else if (d == '>') {
                    t.kind = TK_NE;
                    t.len = 2;
                } else {
                    t.kind = TK_LT;
                }
                break;
            case '>':
                if (d == '=') {
                    t.kind = TK_GE;
                    t.len = 2;
                } else {
                    t.kind = TK_GT;
                }
                break;
            default:
                t.len = utf8_len((const unsigned char *)s + i, src.len - i);
                break;
            }
        }
        toks[n++] = t;
        i += t.len;
    }
    toks[n] = (expr_token){TK_EOF, (uint32_t)src.len, 0};
    *count = n + 1;
    return toks;
}
