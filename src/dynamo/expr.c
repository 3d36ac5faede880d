/*
 * expr: compiling all the expressions of one request against its ExpressionAttributeNames and
 * ExpressionAttributeValues. Owns the checks of the two maps, the size limit and the cross-expression
 * bookkeeping (a name or value unused by every expression of the request is an error).
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "core/json.h"
#include "dynamo/attr.h"
#include "dynamo/expr_internal.h"

static bool placeholder_ok(const char *key, char sigil)
{
    if (key[0] != sigil || key[1] == '\0')
        return false;
    for (const char *c = key + 1; *c != '\0'; c++)
        if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') || *c == '_'))
            return false;
    return true;
}

static int load_names(arena *a, expr_symbols *sym, aws_error *err)
{
    json_t *names = sym->names;
    if (names == NULL)
        return 0;
    if (!json_is_object(names) || json_object_size(names) == 0)
        return error_validation(err, "ExpressionAttributeNames must not be empty");
    sym->nnames = json_object_size(names);
    sym->name_keys = arena_alloc(a, sym->nnames * sizeof(*sym->name_keys));
    sym->name_used = arena_calloc(a, sym->nnames * sizeof(*sym->name_used));
    size_t i = 0;
    const char *key;
    json_t *v;
    json_object_foreach(names, key, v)
    {
        if (!placeholder_ok(key, '#'))
            return error_validation(err, "ExpressionAttributeNames contains invalid key: Syntax error; key: \"%s\"",
                                    key);
        if (!json_is_string(v) || json_string_length(v) == 0)
            return error_validation(
                err, "ExpressionAttributeNames contains invalid value: Empty attribute name for key %s", key);
        sym->name_keys[i++] = key;
    }
    return 0;
}

static int load_values(arena *a, expr_symbols *sym, aws_error *err)
{
    json_t *values = sym->values;
    if (values == NULL)
        return 0;
    if (!json_is_object(values) || json_object_size(values) == 0)
        return error_validation(err, "ExpressionAttributeValues must not be empty");
    sym->nvalues = json_object_size(values);
    sym->value_keys = arena_alloc(a, sym->nvalues * sizeof(*sym->value_keys));
    sym->value_used = arena_calloc(a, sym->nvalues * sizeof(*sym->value_used));
    size_t i = 0;
    const char *key;
    json_t *v;
    json_object_foreach(values, key, v)
    {
        if (!placeholder_ok(key, ':'))
            return error_validation(err, "ExpressionAttributeValues contains invalid key: Syntax error; key: \"%s\"",
                                    key);
        sym->value_keys[i++] = key;
    }
    json_object_foreach(values, key, v)
    {
        aws_error inner;
        error_clear(&inner);
        if (attr_validate(v, &inner) != 0)
            return error_validation(err, "ExpressionAttributeValues contains invalid value: %s for key %s",
                                    inner.message, key);
    }
    return 0;
}

static bool present(slice s)
{
    return s.ptr != NULL;
}

static int check_text(expr_kind kind, slice src, aws_error *err)
{
    if (src.len == 0)
        return error_validation(err, "Invalid %s: The expression can not be empty;", expr_kind_name(kind));
    if (src.len > EXPR_MAX_BYTES)
        return error_validation(
            err, "Invalid %s: Expression size has exceeded the maximum allowed size; expression size: %zu",
            expr_kind_name(kind), src.len);
    return 0;
}

static int compile_condition(arena *a, expr_symbols *sym, expr_kind kind, slice src, expr_condition **out,
                             aws_error *err)
{
    if (!present(src))
        return 0;
    if (check_text(kind, src, err) != 0)
        return -1;
    return expr_parse_condition(a, sym, kind, src, out, err);
}

static int unused(const char *what, const char **keys, const bool *used, size_t n, aws_error *err)
{
    char list[AWS_ERROR_MESSAGE_MAX];
    size_t len = 0;
    bool any = false;
    list[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        if (used[i])
            continue;
        int w = snprintf(list + len, sizeof(list) - len, "%s%s", any ? ", " : "", keys[i]);
        any = true;
        if (w < 0 || (size_t)w >= sizeof(list) - len) {
            len = sizeof(list) - 1;
            break;
        }
        len += (size_t)w;
    }
    if (!any)
        return 0;
    return error_validation(err, "Value provided in %s unused in expressions: keys: {%s}", what, list);
}

int expr_compile(arena *a, const expr_input *in, expr_set *out, aws_error *err)
{
    memset(out, 0, sizeof(*out));
    expr_symbols sym = {.names = in->names, .values = in->values};
    if (load_names(a, &sym, err) != 0 || load_values(a, &sym, err) != 0)
        return -1;
    if (present(in->update)) {
        if (check_text(EXPR_KIND_UPDATE, in->update, err) != 0 ||
            expr_parse_update(a, &sym, in->update, &out->update, err) != 0)
            return -1;
    }
    if (compile_condition(a, &sym, EXPR_KIND_CONDITION, in->condition, &out->condition, err) != 0 ||
        compile_condition(a, &sym, EXPR_KIND_KEY_CONDITION, in->key_condition, &out->key_condition, err) != 0 ||
        compile_condition(a, &sym, EXPR_KIND_FILTER, in->filter, &out->filter, err) != 0)
        return -1;
    if (present(in->projection)) {
        if (check_text(EXPR_KIND_PROJECTION, in->projection, err) != 0 ||
            expr_parse_projection(a, &sym, in->projection, &out->projection, err) != 0)
            return -1;
    }
    if (unused("ExpressionAttributeNames", sym.name_keys, sym.name_used, sym.nnames, err) != 0 ||
        unused("ExpressionAttributeValues", sym.value_keys, sym.value_used, sym.nvalues, err) != 0)
        return -1;
    return 0;
}

int expr_check_params(const expr_input *in, unsigned accepted, aws_error *err)
{
    static const struct {
        unsigned bit;
        const char *name;
        size_t offset;
    } params[] = {
        {EXPR_PARAM_UPDATE, "UpdateExpression", offsetof(expr_input, update)},
        {EXPR_PARAM_CONDITION, "ConditionExpression", offsetof(expr_input, condition)},
        {EXPR_PARAM_FILTER, "FilterExpression", offsetof(expr_input, filter)},
        {EXPR_PARAM_KEY_CONDITION, "KeyConditionExpression", offsetof(expr_input, key_condition)},
        {EXPR_PARAM_PROJECTION, "ProjectionExpression", offsetof(expr_input, projection)},
    };
    bool any = false, any_valued = false;
    size_t nvalued = 0;
    for (size_t i = 0; i < sizeof(params) / sizeof(params[0]); i++) {
        if (!(accepted & params[i].bit))
            continue;
        bool here = present(*(const slice *)((const char *)in + params[i].offset));
        any = any || here;
        if (params[i].bit == EXPR_PARAM_PROJECTION)
            continue;
        any_valued = any_valued || here;
        nvalued++;
    }
    if (in->names != NULL && !any)
        return error_validation(err, "ExpressionAttributeNames can only be specified when using expressions");
    if (in->values != NULL && nvalued > 0 && !any_valued) {
        /* the names of the parameters that could have used the values, written only for the message */
        char valued[160];
        size_t len = 0, n = 0;
        valued[0] = '\0';
        for (size_t i = 0; i < sizeof(params) / sizeof(params[0]); i++) {
            if (!(accepted & params[i].bit) || params[i].bit == EXPR_PARAM_PROJECTION)
                continue;
            int w = snprintf(valued + len, sizeof(valued) - len, "%s%s", n++ ? " and " : "", params[i].name);
            if (w > 0 && (size_t)w < sizeof(valued) - len)
                len += (size_t)w;
        }
        return error_validation(err,
                                "ExpressionAttributeValues can only be specified when using expressions: %s %s null",
                                valued, nvalued > 1 ? "are" : "is");
    }
    return 0;
}
