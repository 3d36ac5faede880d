#include "dynamo/legacy.h"

#include "dynamo/attr.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- a growable string, freed by the translation that made it ---- */

typedef struct sbuf {
    char *p;
    size_t len, cap;
} sbuf;

static void sb_add(sbuf *b, const char *s, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 128;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *p = realloc(b->p, cap);
        if (p == NULL)
            abort();
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}
static void sb_str(sbuf *b, const char *s)
{
    sb_add(b, s, strlen(s));
}
static void sb_free(sbuf *b)
{
    free(b->p);
    *b = (sbuf){0};
}

/* ---- the translation state ---- */

typedef struct ctx {
    json_t *names;  /* ExpressionAttributeNames of the result (the caller's plus ours) */
    json_t *values; /* ExpressionAttributeValues of the result */
    unsigned next_name, next_value;
    aws_error *err;
} ctx;

/* Appends a fresh #placeholder standing for the attribute `attr`. */
static void emit_name(ctx *c, sbuf *b, const char *attr)
{
    char key[32];
    do
        snprintf(key, sizeof key, "#n%u", c->next_name++);
    while (json_object_get(c->names, key) != NULL);
    json_object_set_new(c->names, key, json_string(attr));
    sb_str(b, key);
}

/* Appends a fresh :placeholder standing for `value`. */
static void emit_value(ctx *c, sbuf *b, json_t *value)
{
    char key[32];
    do
        snprintf(key, sizeof key, ":v%u", c->next_value++);
    while (json_object_get(c->values, key) != NULL);
    json_object_set(c->values, key, value);
    sb_str(b, key);
}

static bool present(const json_t *request, const char *name)
{
    const json_t *v = json_object_get(request, name);
    return v != NULL && !json_is_null(v);
}

/* The data type of an AttributeValue ("S", "N", ...), or NULL with err set. */
static const char *value_type(ctx *c, const json_t *value)
{
    if (!json_is_object(value) || json_object_size(value) == 0) {
        error_validation(c->err,
                         "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes");
        return NULL;
    }
    if (json_object_size(value) > 1) {
        error_validation(c->err, "Supplied AttributeValue has more than one datatypes set, must contain exactly one of "
                                 "the supported datatypes");
        return NULL;
    }
    static const char *const types[] = {"S", "N", "B", "BOOL", "NULL", "M", "L", "SS", "NS", "BS"};
    const char *key = json_object_iter_key(json_object_iter((json_t *)value));
    for (size_t i = 0; i < sizeof types / sizeof *types; i++)
        if (strcmp(key, types[i]) == 0) {
            /* The legacy parameters report a bad value in its own words, not as an
             * ExpressionAttributeValues problem: check (and canonicalise) it here. */
            if (attr_validate((json_t *)value, c->err) < 0)
                return NULL;
            return types[i];
        }
    error_validation(c->err, "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes");
    return NULL;
}

/* ---- ComparisonOperator ---- */

typedef enum cmp_op {
    OP_EQ,
    OP_NE,
    OP_LE,
    OP_LT,
    OP_GE,
    OP_GT,
    OP_NOT_NULL,
    OP_NULL,
    OP_CONTAINS,
    OP_NOT_CONTAINS,
    OP_BEGINS_WITH,
    OP_IN,
    OP_BETWEEN,
    OP_COUNT
} cmp_op;

static const struct {
    const char *name;
    int min_args, max_args; /* max -1: unbounded */
    const char *types;      /* allowed AttributeValue types, space separated; NULL: any */
} CMP[OP_COUNT] = {
    [OP_EQ] = {"EQ", 1, 1, NULL},
    [OP_NE] = {"NE", 1, 1, NULL},
    [OP_LE] = {"LE", 1, 1, " S N B "},
    [OP_LT] = {"LT", 1, 1, " S N B "},
    [OP_GE] = {"GE", 1, 1, " S N B "},
    [OP_GT] = {"GT", 1, 1, " S N B "},
    [OP_NOT_NULL] = {"NOT_NULL", 0, 0, NULL},
    [OP_NULL] = {"NULL", 0, 0, NULL},
    [OP_CONTAINS] = {"CONTAINS", 1, 1, " S N B BOOL NULL "},
    [OP_NOT_CONTAINS] = {"NOT_CONTAINS", 1, 1, " S N B BOOL NULL "},
    [OP_BEGINS_WITH] = {"BEGINS_WITH", 1, 1, " S B "},
    [OP_IN] = {"IN", 1, -1, " S N B "},
    [OP_BETWEEN] = {"BETWEEN", 2, 2, " S N B "},
};

#define CMP_ENUM "[IN, NULL, BETWEEN, LT, NOT_CONTAINS, EQ, GT, NOT_NULL, NE, LE, BEGINS_WITH, GE, CONTAINS]"

static int cmp_lookup(const char *name)
{
    for (int i = 0; i < OP_COUNT; i++)
        if (strcmp(CMP[i].name, name) == 0)
            return i;
    return -1;
}

static bool type_allowed(const char *types, const char *type)
{
    if (types == NULL)
        return true;
    char needle[16];
    snprintf(needle, sizeof needle, " %s ", type);
    return strstr(types, needle) != NULL;
}

/* "queryFilter" for "QueryFilter": the member path DynamoDB's constraint messages use. */
static void lower_first(char *out, size_t size, const char *param)
{
    snprintf(out, size, "%s", param);
    if (out[0] >= 'A' && out[0] <= 'Z')
        out[0] = (char)(out[0] - 'A' + 'a');
}

/* Checks the operand list of one condition; a NULL list counts as empty. */
static int check_operands(ctx *c, cmp_op op, const json_t *list)
{
    size_t n = json_is_array(list) ? json_array_size(list) : 0;
    if ((int)n < CMP[op].min_args || (CMP[op].max_args >= 0 && (int)n > CMP[op].max_args))
        return error_validation(
            c->err,
            "One or more parameter values were invalid: Invalid number of argument(s) for the %s ComparisonOperator",
            CMP[op].name);
    const char *first = NULL;
    for (size_t i = 0; i < n; i++) {
        const char *type = value_type(c, json_array_get(list, i));
        if (type == NULL)
            return -1;
        if (first == NULL)
            first = type;
        else if (strcmp(first, type) != 0)
            return error_validation(c->err, "One or more parameter values were invalid: AttributeValues inside "
                                            "AttributeValueList must be of same type");
    }
    for (size_t i = 0; i < n; i++) {
        const char *type = value_type(c, json_array_get(list, i));
        if (!type_allowed(CMP[op].types, type))
            return error_validation(c->err,
                                    "One or more parameter values were invalid: ComparisonOperator %s is not valid for "
                                    "%s AttributeValue type",
                                    CMP[op].name, type);
    }
    return 0;
}

/* Appends the expression for `attr <op> operands`. */
static void emit_condition(ctx *c, sbuf *b, const char *attr, cmp_op op, json_t *list)
{
    static const char *const infix[OP_COUNT] = {
        [OP_EQ] = " = ", [OP_NE] = " <> ", [OP_LE] = " <= ", [OP_LT] = " < ", [OP_GE] = " >= ", [OP_GT] = " > "};
    switch (op) {
    case OP_EQ:
    case OP_NE:
    case OP_LE:
    case OP_LT:
    case OP_GE:
    case OP_GT:
        emit_name(c, b, attr);
        sb_str(b, infix[op]);
        emit_value(c, b, json_array_get(list, 0));
        break;
    case OP_NOT_NULL:
    case OP_NULL:
        sb_str(b, op == OP_NULL ? "attribute_not_exists(" : "attribute_exists(");
        emit_name(c, b, attr);
        sb_str(b, ")");
        break;
    case OP_CONTAINS:
    case OP_NOT_CONTAINS:
    case OP_BEGINS_WITH:
        sb_str(b, op == OP_BEGINS_WITH ? "begins_with(" : op == OP_CONTAINS ? "contains(" : "NOT contains(");
        emit_name(c, b, attr);
        sb_str(b, ", ");
        emit_value(c, b, json_array_get(list, 0));
        sb_str(b, ")");
        break;
    case OP_IN:
        emit_name(c, b, attr);
        sb_str(b, " IN (");
        for (size_t i = 0; i < json_array_size(list); i++) {
            if (i > 0)
                sb_str(b, ", ");
            emit_value(c, b, json_array_get(list, i));
        }
        sb_str(b, ")");
        break;
    case OP_BETWEEN:
        emit_name(c, b, attr);
        sb_str(b, " BETWEEN ");
        emit_value(c, b, json_array_get(list, 0));
        sb_str(b, " AND ");
        emit_value(c, b, json_array_get(list, 1));
        break;
    case OP_COUNT:
        break;
    }
}

/* Reads ComparisonOperator of a filter or key condition entry; -1 with err set when absent or unknown. */
static int read_operator(ctx *c, const char *param, const char *attr, const json_t *cond)
{
    char member[64];
    lower_first(member, sizeof member, param);
    const json_t *op = json_object_get(cond, "ComparisonOperator");
    if (op == NULL || json_is_null(op))
        return error_validation(
            c->err,
            "1 validation error detected: Value null at '%s.%s.member.comparisonOperator' failed to "
            "satisfy constraint: Member must not be null",
            member, attr);
    int i = json_is_string(op) ? cmp_lookup(json_string_value(op)) : -1;
    if (i < 0)
        return error_validation(
            c->err,
            "1 validation error detected: Value '%s' at '%s.%s.member.comparisonOperator' failed to "
            "satisfy constraint: Member must satisfy enum value set: " CMP_ENUM,
            json_is_string(op) ? json_string_value(op) : "", member, attr);
    return i;
}

/* ConditionalOperator: false for AND (the default), true for OR; -1 with err set when invalid. */
static int read_conditional_operator(ctx *c, const json_t *request)
{
    const json_t *op = json_object_get(request, "ConditionalOperator");
    if (op == NULL || json_is_null(op))
        return 0;
    if (json_is_string(op) && strcmp(json_string_value(op), "AND") == 0)
        return 0;
    if (json_is_string(op) && strcmp(json_string_value(op), "OR") == 0)
        return 1;
    return error_validation(c->err,
                            "1 validation error detected: Value '%s' at 'conditionalOperator' failed to satisfy "
                            "constraint: Member must satisfy enum value set: [OR, AND]",
                            json_is_string(op) ? json_string_value(op) : "");
}

static int require_object(ctx *c, const json_t *v, const char *param)
{
    if (!json_is_object(v))
        return error_set(c->err, 400, "SerializationException", "Unexpected field type in %s", param);
    return 0;
}

/* QueryFilter / ScanFilter / KeyConditions into `out` (empty when the map is). */
static int translate_conditions(ctx *c, const char *param, const json_t *map, bool or, bool key_conditions, sbuf *out)
{
    if (require_object(c, map, param) < 0)
        return -1;
    const char *attr;
    json_t *cond;
    bool first = true;
    json_object_foreach((json_t *)map, attr, cond)
    {
        if (require_object(c, cond, param) < 0)
            return -1;
        int op = read_operator(c, param, attr, cond);
        if (op < 0)
            return -1;
        json_t *list = json_object_get(cond, "AttributeValueList");
        if (list != NULL && !json_is_null(list) && !json_is_array(list))
            return error_set(c->err, 400, "SerializationException", "Unexpected field type in AttributeValueList");
        if (check_operands(c, (cmp_op)op, list) < 0)
            return -1;
        if (!first)
            sb_str(out, or ? " OR " : " AND ");
        first = false;
        emit_condition(c, out, attr, (cmp_op)op, list);
    }
    if (key_conditions) {
        size_t n = json_object_size(map);
        if (n != 1 && n != 2)
            return error_validation(c->err, "Conditions can be of length 1 or 2 only");
        json_object_foreach((json_t *)map, attr, cond)
        {
            int op = cmp_lookup(json_string_value(json_object_get(cond, "ComparisonOperator")));
            if (op == OP_NULL || op == OP_NOT_NULL || op == OP_NE || op == OP_CONTAINS || op == OP_NOT_CONTAINS ||
                op == OP_IN)
                return error_validation(c->err, "Attempted conditional constraint is not an indexable operation");
        }
    }
    return 0;
}

/* Expected into a condition expression. */
static int translate_expected(ctx *c, const json_t *expected, bool or, sbuf *out)
{
    if (require_object(c, expected, "Expected") < 0)
        return -1;
    const char *attr;
    json_t *cond;
    bool first = true;
    json_object_foreach((json_t *)expected, attr, cond)
    {
        if (require_object(c, cond, "Expected") < 0)
            return -1;
        json_t *value = json_object_get(cond, "Value");
        json_t *list = json_object_get(cond, "AttributeValueList");
        json_t *exists = json_object_get(cond, "Exists");
        json_t *opv = json_object_get(cond, "ComparisonOperator");
        if (value != NULL && json_is_null(value))
            value = NULL;
        if (list != NULL && json_is_null(list))
            list = NULL;
        if (exists != NULL && json_is_null(exists))
            exists = NULL;
        if (opv != NULL && json_is_null(opv))
            opv = NULL;
        if (list != NULL && !json_is_array(list))
            return error_set(c->err, 400, "SerializationException", "Unexpected field type in AttributeValueList");
        if (exists != NULL && !json_is_boolean(exists))
            return error_set(c->err, 400, "SerializationException", "Unexpected token received from parser");
        if (list != NULL && value != NULL)
            return error_validation(c->err,
                                    "One or more parameter values were invalid: Value and AttributeValueList cannot be "
                                    "used together for Attribute: %s",
                                    attr);
        if (!first)
            sb_str(out, or ? " OR " : " AND ");
        first = false;
        if (opv != NULL) {
            int op = json_is_string(opv) ? cmp_lookup(json_string_value(opv)) : -1;
            if (op < 0)
                return error_validation(
                    c->err,
                    "1 validation error detected: Value '%s' at 'expected.%s.member.comparisonOperator' "
                    "failed to satisfy constraint: Member must satisfy enum value set: " CMP_ENUM,
                    json_is_string(opv) ? json_string_value(opv) : "", attr);
            if (exists != NULL)
                return error_validation(c->err,
                                        "One or more parameter values were invalid: Exists and ComparisonOperator "
                                        "cannot be used together for Attribute: %s",
                                        attr);
            if (op != OP_NULL && op != OP_NOT_NULL && list == NULL && value == NULL)
                return error_validation(
                    c->err,
                    "One or more parameter values were invalid: Value or AttributeValueList must be used with "
                    "ComparisonOperator: %s for Attribute: %s",
                    CMP[op].name, attr);
            json_t *operands = list;
            json_t *single = NULL;
            if (value != NULL)
                operands = single = json_pack("[O]", value);
            int rc = check_operands(c, (cmp_op)op, operands);
            if (rc == 0)
                emit_condition(c, out, attr, (cmp_op)op, operands);
            json_decref(single);
            if (rc < 0)
                return -1;
        } else if (list != NULL) {
            return error_validation(c->err,
                                    "One or more parameter values were invalid: AttributeValueList can only be used "
                                    "with a ComparisonOperator for Attribute: %s",
                                    attr);
        } else {
            bool want = exists == NULL || json_is_true(exists);
            if (want && value == NULL)
                return error_validation(c->err,
                                        "One or more parameter values were invalid: Value must be provided when Exists "
                                        "is %s for Attribute: %s",
                                        exists == NULL ? "null" : "true", attr);
            if (!want && value != NULL)
                return error_validation(c->err,
                                        "One or more parameter values were invalid: Value cannot be used when Exists "
                                        "is false for Attribute: %s",
                                        attr);
            if (want) {
                if (value_type(c, value) == NULL)
                    return -1;
                emit_name(c, out, attr);
                sb_str(out, " = ");
                emit_value(c, out, value);
            } else {
                sb_str(out, "attribute_not_exists(");
                emit_name(c, out, attr);
                sb_str(out, ")");
            }
        }
    }
    return 0;
}

/* AttributeUpdates into an update expression (empty when there is nothing to do). */
static int translate_updates(ctx *c, const json_t *updates, sbuf *out)
{
    if (require_object(c, updates, "AttributeUpdates") < 0)
        return -1;
    sbuf set = {0}, remove = {0}, add = {0}, del = {0};
    const char *attr;
    json_t *upd;
    int rc = 0;
    json_object_foreach((json_t *)updates, attr, upd)
    {
        if (require_object(c, upd, "AttributeUpdates") < 0) {
            rc = -1;
            break;
        }
        json_t *value = json_object_get(upd, "Value");
        json_t *actionv = json_object_get(upd, "Action");
        if (value != NULL && json_is_null(value))
            value = NULL;
        const char *action = "PUT";
        if (actionv != NULL && !json_is_null(actionv)) {
            action = json_is_string(actionv) ? json_string_value(actionv) : "";
            if (strcmp(action, "PUT") != 0 && strcmp(action, "ADD") != 0 && strcmp(action, "DELETE") != 0) {
                rc = error_validation(
                    c->err,
                    "1 validation error detected: Value '%s' at 'attributeUpdates.%s.member.action' failed "
                    "to satisfy constraint: Member must satisfy enum value set: [ADD, PUT, DELETE]",
                    action, attr);
                break;
            }
        }
        const char *type = NULL;
        if (value != NULL && (type = value_type(c, value)) == NULL) {
            rc = -1;
            break;
        }
        if (value == NULL && strcmp(action, "DELETE") != 0) {
            rc = error_validation(c->err, "One or more parameter values were invalid: Only DELETE action is allowed "
                                          "when no attribute value is specified");
            break;
        }
        if (strcmp(action, "DELETE") == 0) {
            if (value == NULL) {
                sb_str(&remove, remove.len ? ", " : "REMOVE ");
                emit_name(c, &remove, attr);
                continue;
            }
            if (strcmp(type, "SS") != 0 && strcmp(type, "NS") != 0 && strcmp(type, "BS") != 0) {
                rc = error_validation(c->err,
                                      "One or more parameter values were invalid: DELETE action with value is not "
                                      "supported for the type %s",
                                      type);
                break;
            }
            sb_str(&del, del.len ? ", " : "DELETE ");
            emit_name(c, &del, attr);
            sb_str(&del, " ");
            emit_value(c, &del, value);
        } else if (strcmp(action, "ADD") == 0) {
            if (strcmp(type, "L") == 0) {
                /* AttributeUpdates' ADD appends to a list; expressions say it with list_append. */
                sb_str(&set, set.len ? ", " : "SET ");
                emit_name(c, &set, attr);
                sb_str(&set, " = list_append(if_not_exists(");
                emit_name(c, &set, attr);
                sb_str(&set, ", ");
                json_t *empty = json_pack("{s:[]}", "L");
                emit_value(c, &set, empty);
                json_decref(empty);
                sb_str(&set, "), ");
                emit_value(c, &set, value);
                sb_str(&set, ")");
                continue;
            }
            if (strcmp(type, "N") != 0 && strcmp(type, "SS") != 0 && strcmp(type, "NS") != 0 &&
                strcmp(type, "BS") != 0) {
                rc = error_validation(
                    c->err, "One or more parameter values were invalid: ADD action is not supported for the type %s",
                    type);
                break;
            }
            sb_str(&add, add.len ? ", " : "ADD ");
            emit_name(c, &add, attr);
            sb_str(&add, " ");
            emit_value(c, &add, value);
        } else {
            sb_str(&set, set.len ? ", " : "SET ");
            emit_name(c, &set, attr);
            sb_str(&set, " = ");
            emit_value(c, &set, value);
        }
    }
    if (rc == 0) {
        sbuf *parts[] = {&set, &remove, &add, &del};
        for (size_t i = 0; i < 4; i++) {
            if (parts[i]->len == 0)
                continue;
            if (out->len)
                sb_str(out, " ");
            sb_add(out, parts[i]->p, parts[i]->len);
        }
    }
    sb_free(&set);
    sb_free(&remove);
    sb_free(&add);
    sb_free(&del);
    return rc;
}

/* AttributesToGet into a projection expression. */
static int translate_attributes_to_get(ctx *c, const json_t *list, sbuf *out)
{
    if (!json_is_array(list))
        return error_set(c->err, 400, "SerializationException", "Unexpected field type in AttributesToGet");
    size_t n = json_array_size(list);
    if (n < 1 || n > 255)
        return error_validation(
            c->err,
            "1 validation error detected: Value '[]' at 'attributesToGet' failed to satisfy constraint: "
            "Member must have length %s",
            n < 1 ? "greater than or equal to 1" : "less than or equal to 255");
    for (size_t i = 0; i < n; i++) {
        const json_t *name = json_array_get(list, i);
        if (!json_is_string(name))
            return error_set(c->err, 400, "SerializationException", "Unexpected field type in AttributesToGet");
        for (size_t j = 0; j < i; j++)
            if (json_equal((json_t *)name, json_array_get(list, j)))
                return error_validation(
                    c->err, "One or more parameter values were invalid: Duplicate value in attribute name: %s",
                    json_string_value(name));
    }
    for (size_t i = 0; i < n; i++) {
        if (i > 0)
            sb_str(out, ", ");
        emit_name(c, out, json_string_value(json_array_get(list, i)));
    }
    return 0;
}

/* ---- the parameters each request may carry ---- */

typedef struct params {
    const char *expr[4];   /* expression parameters, in DynamoDB's order, NULL-terminated */
    const char *legacy[5]; /* legacy parameters */
} params;

static const params PARAMS[] = {
    [LEGACY_GET_ITEM] = {{"ProjectionExpression"}, {"AttributesToGet"}},
    [LEGACY_BATCH_GET] = {{"ProjectionExpression"}, {"AttributesToGet"}},
    [LEGACY_QUERY] = {{"ProjectionExpression", "FilterExpression", "KeyConditionExpression"},
                      {"AttributesToGet", "QueryFilter", "ConditionalOperator", "KeyConditions"}},
    [LEGACY_SCAN] = {{"ProjectionExpression", "FilterExpression"},
                     {"AttributesToGet", "ScanFilter", "ConditionalOperator"}},
    [LEGACY_PUT_ITEM] = {{"ConditionExpression"}, {"Expected", "ConditionalOperator"}},
    [LEGACY_DELETE_ITEM] = {{"ConditionExpression"}, {"Expected", "ConditionalOperator"}},
    [LEGACY_UPDATE_ITEM] = {{"UpdateExpression", "ConditionExpression"},
                            {"AttributeUpdates", "Expected", "ConditionalOperator"}},
};

/* The names in `names` that pass `keep`, joined by `sep`: built only for an error message. */
static void join_names(char *out, size_t size, const char *const *names, size_t max, const json_t *request,
                       bool only_present, const char *skip, const char *sep)
{
    size_t len = 0, n = 0;
    out[0] = '\0';
    for (size_t i = 0; i < max && names[i] && len < size; i++) {
        if ((skip && strcmp(names[i], skip) == 0) || (only_present && !present(request, names[i])))
            continue;
        int w = snprintf(out + len, size - len, "%s%s", n++ ? sep : "", names[i]);
        len += w > 0 ? (size_t)w : 0;
    }
}

static int check_mixing(legacy_request kind, const json_t *request, aws_error *err)
{
    const params *p = &PARAMS[kind];
    size_t n_expr = 0, n_legacy = 0;
    for (size_t i = 0; i < 4 && p->expr[i]; i++)
        n_expr += present(request, p->expr[i]);
    /* KeyConditions may go with the other expressions as long as KeyConditionExpression is absent. */
    const char *exempt = kind == LEGACY_QUERY && !present(request, "KeyConditionExpression") ? "KeyConditions" : NULL;
    for (size_t i = 0; i < 5 && p->legacy[i]; i++)
        n_legacy += (!exempt || strcmp(p->legacy[i], exempt) != 0) && present(request, p->legacy[i]);
    if (n_expr && n_legacy) {
        char exprs[256], legacies[256];
        join_names(exprs, sizeof exprs, p->expr, 4, request, true, NULL, ", ");
        join_names(legacies, sizeof legacies, p->legacy, 5, request, true, exempt, ", ");
        return error_validation(err,
                                "Can not use both expression and non-expression parameters in the same request: "
                                "Non-expression parameters: {%s} Expression parameters: {%s}",
                                legacies, exprs);
    }
    if (present(request, "ExpressionAttributeNames") && n_expr == 0)
        return error_validation(err, "ExpressionAttributeNames can only be specified when using expressions");
    if (present(request, "ExpressionAttributeValues")) {
        size_t n_vals = 0;
        bool any = false;
        for (size_t i = 0; i < 4 && p->expr[i]; i++) {
            if (strcmp(p->expr[i], "ProjectionExpression") == 0)
                continue;
            n_vals++;
            any = any || present(request, p->expr[i]);
        }
        if (n_vals && !any) {
            char vals[256];
            join_names(vals, sizeof vals, p->expr, 4, request, false, "ProjectionExpression", " and ");
            return error_validation(
                err, "ExpressionAttributeValues can only be specified when using expressions: %s %s null", vals,
                n_vals > 1 ? "are" : "is");
        }
    }
    return 0;
}

static int set_expression(json_t *out, const char *name, sbuf *b)
{
    if (b->len)
        json_object_set_new(out, name, json_stringn(b->p, b->len));
    return 0;
}

json_t *legacy_translate(legacy_request kind, json_t *request, legacy_info *info, aws_error *err)
{
    legacy_info local;
    if (info == NULL)
        info = &local;
    *info = (legacy_info){0};
    if (!json_is_object(request)) {
        error_set(err, 400, "SerializationException", "Start of structure or map found where not expected");
        return NULL;
    }
    if (check_mixing(kind, request, err) < 0)
        return NULL;
    if (kind == LEGACY_QUERY && !present(request, "KeyConditions") && !present(request, "KeyConditionExpression")) {
        error_validation(
            err, "Either the KeyConditions or KeyConditionExpression parameter must be specified in the request.");
        return NULL;
    }
    bool any = false;
    for (size_t i = 0; i < 5 && PARAMS[kind].legacy[i]; i++)
        any = any || present(request, PARAMS[kind].legacy[i]);
    if (!any)
        return json_incref(request);

    json_t *out = json_copy(request);
    const json_t *names0 = json_object_get(request, "ExpressionAttributeNames");
    const json_t *values0 = json_object_get(request, "ExpressionAttributeValues");
    ctx c = {
        .names = json_is_object(names0) ? json_copy((json_t *)names0) : json_object(),
        .values = json_is_object(values0) ? json_copy((json_t *)values0) : json_object(),
        .err = err,
    };
    sbuf projection = {0}, filter = {0}, keycond = {0}, condition = {0}, update = {0};
    int rc = 0;

    int or = read_conditional_operator(&c, request);
    if (or < 0)
        rc = -1;
    if (rc == 0 && present(request, "AttributesToGet")) {
        info->attributes_to_get = true;
        rc = translate_attributes_to_get(&c, json_object_get(request, "AttributesToGet"), &projection);
    }
    if (rc == 0 && kind == LEGACY_QUERY && present(request, "QueryFilter")) {
        info->filter = true;
        rc = translate_conditions(&c, "QueryFilter", json_object_get(request, "QueryFilter"), or == 1, false, &filter);
    }
    if (rc == 0 && kind == LEGACY_SCAN && present(request, "ScanFilter")) {
        info->filter = true;
        rc = translate_conditions(&c, "ScanFilter", json_object_get(request, "ScanFilter"), or == 1, false, &filter);
    }
    if (rc == 0 && kind == LEGACY_QUERY && present(request, "KeyConditions")) {
        info->key_conditions = true;
        rc =
            translate_conditions(&c, "KeyConditions", json_object_get(request, "KeyConditions"), false, true, &keycond);
    }
    if (rc == 0 && (kind == LEGACY_PUT_ITEM || kind == LEGACY_DELETE_ITEM || kind == LEGACY_UPDATE_ITEM) &&
        present(request, "Expected")) {
        info->expected = true;
        rc = translate_expected(&c, json_object_get(request, "Expected"), or == 1, &condition);
    }
    if (rc == 0 && kind == LEGACY_UPDATE_ITEM && present(request, "AttributeUpdates")) {
        info->attribute_updates = true;
        rc = translate_updates(&c, json_object_get(request, "AttributeUpdates"), &update);
    }
    if (rc == 0) {
        for (size_t i = 0; i < 5 && PARAMS[kind].legacy[i]; i++)
            json_object_del(out, PARAMS[kind].legacy[i]);
        set_expression(out, "ProjectionExpression", &projection);
        set_expression(out, "FilterExpression", &filter);
        set_expression(out, "KeyConditionExpression", &keycond);
        set_expression(out, "ConditionExpression", &condition);
        set_expression(out, "UpdateExpression", &update);
        if (json_object_size(c.names))
            json_object_set(out, "ExpressionAttributeNames", c.names);
        if (json_object_size(c.values))
            json_object_set(out, "ExpressionAttributeValues", c.values);
    }
    json_decref(c.names);
    json_decref(c.values);
    sb_free(&projection);
    sb_free(&filter);
    sb_free(&keycond);
    sb_free(&condition);
    sb_free(&update);
    if (rc < 0) {
        json_decref(out);
        return NULL;
    }
    return out;
}
