/*
 * lex: Velocity 1.7's token manager, state for state. Velocity's grammar is a JavaCC lexer with
 * eleven lexical states, a state stack and "MORE" prefixes; its whitespace rules (what a directive
 * eats), its escapes and most of its oddities live in the lexer, so reproducing them byte for byte
 * means reproducing the state machine rather than approximating it. Tokens are produced on demand
 * because the parser switches states itself at two points, exactly as Velocity's parser does.
 * Knows nothing about values or rendering.
 */
#ifndef PORTICO_VTL_LEX_H
#define PORTICO_VTL_LEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/slice.h"

/* Lexical states, named as in Velocity's Parser.jjt. */
enum {
    LS_DEFAULT,
    LS_REFERENCE,
    LS_REFMODIFIER,
    LS_REFMOD2,
    LS_REFINDEX,
    LS_DIRECTIVE,
    LS_PRE_DIRECTIVE,
    LS_IN_SINGLE_LINE_COMMENT,
    LS_IN_FORMAL_COMMENT,
    LS_IN_MULTI_LINE_COMMENT,
    LS_IN_TEXTBLOCK,
};

/* Token kinds in the order Parser.jjt defines them (the order breaks ties between equal-length
 * matches). Kinds up to TK_DIRECTIVE_TERMINATOR may be produced; the rest are internal. */
typedef enum {
    TK_EOF,
    TK_INDEX_LBRACKET,
    TK_INDEX_RBRACKET,
    TK_LBRACKET,
    TK_RBRACKET,
    TK_COMMA,
    TK_DOUBLEDOT,
    TK_COLON,
    TK_LEFT_CURLEY,
    TK_RIGHT_CURLEY,
    TK_LPAREN,
    TK_RPAREN,
    TK_REFMOD2_RPAREN,
    TK_ESCAPE_DIRECTIVE,
    TK_SET_DIRECTIVE,
    TK_DOLLAR,         /* MORE */
    TK_DOLLARBANG,     /* MORE */
    TK_TEXTBLOCK_OPEN, /* MORE "#[[" */
    TK_FORMAL_OPEN,    /* MORE "#**" */
    TK_COMMENT_OPEN,   /* MORE "#*" */
    TK_HASH,           /* MORE */
    TK_SINGLE_LINE_COMMENT_START,
    TK_DOUBLE_ESCAPE,
    TK_ESCAPE,
    TK_TEXT,
    TK_SINGLE_LINE_COMMENT,
    TK_FORMAL_COMMENT,
    TK_MULTI_LINE_COMMENT,
    TK_TEXTBLOCK,
    TK_COMMENT_SKIP,   /* SKIP */
    TK_TEXTBLOCK_MORE, /* MORE */
    TK_WHITESPACE,
    TK_STRING_LITERAL,
    TK_TRUE,
    TK_FALSE,
    TK_NEWLINE,
    TK_MINUS,
    TK_PLUS,
    TK_MULTIPLY,
    TK_DIVIDE,
    TK_MODULUS,
    TK_LOGICAL_AND,
    TK_LOGICAL_OR,
    TK_LOGICAL_LT,
    TK_LOGICAL_LE,
    TK_LOGICAL_GT,
    TK_LOGICAL_GE,
    TK_LOGICAL_EQUALS,
    TK_LOGICAL_NOT_EQUALS,
    TK_LOGICAL_NOT,
    TK_EQUALS,
    TK_END,
    TK_IF_DIRECTIVE,
    TK_ELSEIF_DIRECTIVE,
    TK_ELSE_DIRECTIVE,
    TK_INTEGER_LITERAL,
    TK_FLOATING_POINT_LITERAL,
    TK_WORD,
    TK_BRACKETED_WORD,
    TK_IDENTIFIER,
    TK_DOT,
    TK_LCURLY,
    TK_RCURLY,
    TK_REFERENCE_TERMINATOR, /* SPECIAL */
    TK_DIRECTIVE_TERMINATOR, /* SPECIAL */
    TK_EMPTY_INDEX,
    TK__COUNT
} tok_kind;

typedef struct token {
    tok_kind kind;
    uint32_t begin, end; /* image = source[begin, end), except DOT whose image is "." */
    slice special;       /* '#' and '$' of the special tokens just before (Velocity's getSpecialText) */
} token;

typedef struct lex_frame {
    int lparen, rparen, state;
} lex_frame;

typedef struct vlex {
    slice src;
    size_t pos;
    int state;
    int lparen, rparen;
    bool in_reference, in_directive, in_comment, in_set;
    lex_frame *stack;
    size_t depth, cap;
    arena *a;
    bool failed;        /* lexical error: no token matches */
    uint32_t error_pos; /* where */
} vlex;

void lex_init(vlex *lx, slice src, arena *a);
/* The next token (kind TK_EOF at the end). On a lexical error sets lx->failed and returns TK_EOF. */
token lex_next(vlex *lx);
slice tok_image(const vlex *lx, const token *t);
/* Parser-driven state changes (Velocity's Directive production). */
void lex_switch_to(vlex *lx, int state);
bool lex_state_pop(vlex *lx);
/* Velocity's isLeftParenthesis: are the next non-blank characters a '('? */
bool lex_left_paren_follows(const vlex *lx);
/* Line and column (1-based, tabs every 8 as JavaCC counts them) of a source offset. */
void lex_line_col(slice src, uint32_t pos, int *line, int *col);
const char *tok_kind_name(tok_kind k);

#endif
