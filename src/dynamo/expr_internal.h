/*
 * expr_internal: the pieces shared by the expression modules (lexer, parser, checks, evaluator,
 * projection, update, key conditions). Not for use outside src/dynamo/expr*.c.
 *
 * A compiled expression is a tree of expr_node allocated in the request arena. Document paths are
 * already resolved (#names substituted) and values already looked up (:values point at the
 * request's ExpressionAttributeValues), so evaluation never consults the maps again.
 */
#ifndef PORTICO_DYNAMO_EXPR_INTERNAL_H
#define PORTICO_DYNAMO_EXPR_INTERNAL_H

#include <stdint.h>

#include "dynamo/expr.h"

/* DynamoDB's documented limits on expressions. */
#define EXPR_MAX_BYTES       4096 /* any expression string */
#define EXPR_MAX_OPERATORS   300  /* operators and functions in one expression */
#define EXPR_MAX_IN_OPERANDS 100
#define EXPR_MAX_PATH_DEPTH  32
#define EXPR_MAX_NESTING     300 /* parentheses, NOT, calls: bounds recursion (deeper needs >300 operators) */

/* ---- lexer ---- */

typedef enum expr_tok_kind {
    TK_EOF,
    TK_IDENT,  /* a name or keyword: [A-Za-z_][A-Za-z0-9_]* */
    TK_NAME,   /* #placeholder */
    TK_VALUE,  /* :placeholder */
    TK_NUMBER, /* [0-9]+, for list indexes */
    TK_LPAREN,
    TK_RPAREN,
    TK_LBRACKET,
    TK_RBRACKET,
    TK_COMMA,
    TK_DOT,
    TK_EQ,
    TK_NE,
    TK_LT,
    TK_LE,
    TK_GT,
    TK_GE,
    TK_PLUS,
    TK_MINUS,
    TK_OTHER, /* any other character: always a syntax error where it appears */
} expr_tok_kind;

typedef struct expr_token {
    expr_tok_kind kind;
    uint32_t start, len; /* bytes in the source */
} expr_token;

/* Splits src into tokens (the last is TK_EOF). Never fails: unknown characters become TK_OTHER. */
expr_token *expr_lex(arena *a, slice src, size_t *count);

/* Is this word one of DynamoDB's reserved words (case-insensitive)? */
bool expr_is_reserved(slice word);

/* ---- tree ---- */

typedef struct expr_path_elem {
    slice name;     /* attribute name (placeholders substituted) */
    uint32_t index; /* list index when is_index */
    bool is_index;
} expr_path_elem;

typedef struct expr_path {
    expr_path_elem *elems;
    uint32_t n;
} expr_path;

typedef enum expr_node_kind {
    /* operands */
    EN_PATH,
    EN_VALUE,
    EN_SIZE,
    EN_IF_NOT_EXISTS,
    EN_LIST_APPEND,
    EN_PLUS,
    EN_MINUS,
    /* conditions */
    EN_COMPARE, /* op: TK_EQ .. TK_GE */
    EN_BETWEEN,
    EN_IN,
    EN_AND,
    EN_OR,
    EN_NOT,
    EN_EXISTS,
    EN_NOT_EXISTS,
    EN_TYPE,
    EN_BEGINS_WITH,
    EN_CONTAINS,
    EN_UNKNOWN_FUNCTION, /* only while checking: reported as "Invalid function name" */
} expr_node_kind;

typedef struct expr_node expr_node;
struct expr_node {
    expr_node_kind kind;
    expr_tok_kind op; /* EN_COMPARE */
    uint32_t nargs;
    expr_node **args;
    expr_path path; /* EN_PATH */
    json_t *value;  /* EN_VALUE: borrowed from ExpressionAttributeValues */
    slice name;     /* function name as written; EN_VALUE: the :placeholder */
};

struct expr_condition {
    expr_node *root;
};

typedef struct expr_proj_node expr_proj_node; /* expr_project.c */

struct expr_projection {
    expr_path *paths;
    uint32_t n;
    slice *tops; /* distinct top-level names */
    uint32_t ntops;
    expr_proj_node *tree; /* the paths as a tree, built at compile time */
};

typedef enum expr_action_kind { EA_SET, EA_REMOVE, EA_ADD, EA_DELETE } expr_action_kind;

typedef struct expr_action {
    expr_action_kind kind;
    expr_path path;
    expr_node *value; /* SET: the right-hand side; ADD / DELETE: the :value; REMOVE: NULL */
} expr_action;

struct expr_update {
    expr_action *actions;
    uint32_t n;
    slice *tops;
    uint32_t ntops;
    expr_projection returned; /* the targeted paths, for UPDATED_OLD / UPDATED_NEW */
};

/* ---- parsing ---- */

typedef enum expr_kind {
    EXPR_KIND_CONDITION,
    EXPR_KIND_FILTER,
    EXPR_KIND_KEY_CONDITION,
    EXPR_KIND_PROJECTION,
    EXPR_KIND_UPDATE,
} expr_kind;

/* "ConditionExpression", ... as DynamoDB names them in messages. */
const char *expr_kind_name(expr_kind k);

/* The names and values of one request, with what the expressions used of them. */
typedef struct expr_symbols {
    json_t *names, *values;
    const char **name_keys, **value_keys; /* map keys in request order */
    bool *name_used, *value_used;
    size_t nnames, nvalues;
} expr_symbols;

/* Parse and check one expression. On failure fills err with "Invalid <Kind>: <message>". */
int expr_parse_condition(arena *a, expr_symbols *sym, expr_kind kind, slice src, expr_condition **out, aws_error *err);
int expr_parse_projection(arena *a, expr_symbols *sym, slice src, expr_projection **out, aws_error *err);
int expr_parse_update(arena *a, expr_symbols *sym, slice src, expr_update **out, aws_error *err);

/* ---- evaluation helpers ---- */

/* The value at path in item (an item object, or NULL), or NULL when absent. */
json_t *expr_path_get(const json_t *item, const expr_path *p);
/* "[a, b, [0]]": how DynamoDB prints a path in messages. */
char *expr_path_str(arena *a, const expr_path *p);
/* Type tag of an attribute value ("S", "N", "M", ...) and its payload, or NULL if malformed. */
const char *expr_attr_type(const json_t *v, json_t **payload);

/* The path tree of a projection, and the projection of an item through it (a new object in the
 * current json arena). Shared by ProjectionExpression and UPDATED_OLD / UPDATED_NEW. */
expr_proj_node *expr_proj_tree(arena *a, const expr_path *paths, uint32_t n);
json_t *expr_proj_apply(const expr_proj_node *root, const json_t *item);

/* Same-typed S / N / B values: 0 and their order in *order; -1 when they cannot be ordered. */
int expr_value_compare(const json_t *x, const json_t *y, int *order);

#endif
