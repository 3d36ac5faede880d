#include "gateway/json_schema.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <math.h>
#include <pcre2.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/json.h"

/* A regular expression of the schema ("pattern", a "patternProperties" key), compiled once. */
typedef struct prepared_regex {
    const char *source; /* identity: the schema's own string (pattern value or property key) */
    pcre2_code *code;
} prepared_regex;

/* A "$ref" of the schema and the schema it points at. */
typedef struct prepared_ref {
    const json_t *ref_node;
    const json_t *target;
} prepared_ref;

struct json_schema {
    const json_t *root;
    prepared_regex *regexes;
    size_t regex_count, regex_cap;
    prepared_ref *refs;
    size_t ref_count, ref_cap;
};

#define MAX_DEPTH 64

/* ---- preparation ------------------------------------------------------------------------------ */

static int add_regex(json_schema *s, const char *source, aws_error *err)
{
    for (size_t i = 0; i < s->regex_count; i++)
        if (s->regexes[i].source == source)
            return 0;
    int code;
    PCRE2_SIZE offset;
    pcre2_code *re = pcre2_compile((PCRE2_SPTR)source, PCRE2_ZERO_TERMINATED, PCRE2_UTF, &code, &offset, NULL);
    if (re == NULL) {
        PCRE2_UCHAR msg[256];
        pcre2_get_error_message(code, msg, sizeof(msg));
        return error_set(err, 400, "BadRequestException", "Invalid model schema: pattern \"%s\": %s at offset %zu",
                         source, (const char *)msg, (size_t)offset);
    }
    if (s->regex_count == s->regex_cap) {
        s->regex_cap = s->regex_cap ? s->regex_cap * 2 : 8;
        s->regexes = realloc(s->regexes, s->regex_cap * sizeof(*s->regexes));
    }
    s->regexes[s->regex_count++] = (prepared_regex){source, re};
    return 0;
}

static const pcre2_code *find_regex(const json_schema *s, const char *source)
{
    for (size_t i = 0; i < s->regex_count; i++)
        if (s->regexes[i].source == source)
            return s->regexes[i].code;
    return NULL;
}

static const json_t *resolve_ref(const json_t *root, slice ref, json_schema_model_lookup lookup, void *ctx)
{
    static const char models_marker[] = "/models/";
    if (slice_starts_with(ref, SLICE_LIT("#/definitions/"))) {
        slice name = slice_sub(ref, 14, ref.len);
        const json_t *defs = json_object_get(root, "definitions");
        const json_t *local = json_is_object(defs) ? json_object_getn(defs, name.ptr, name.len) : NULL;
        if (local != NULL)
            return local;
        return lookup != NULL ? lookup(ctx, name) : NULL;
    }
    if (slice_eq_cstr(ref, "#"))
        return root;
    const char *m = memmem(ref.ptr, ref.len, models_marker, sizeof(models_marker) - 1);
    if (m != NULL && lookup != NULL) {
        size_t from = (size_t)(m - ref.ptr) + sizeof(models_marker) - 1;
        return lookup(ctx, slice_sub(ref, from, ref.len));
    }
    return NULL;
}

static int prepare_node(json_schema *s, const json_t *node, json_schema_model_lookup lookup, void *ctx, int depth,
                        aws_error *err);

static int prepare_children(json_schema *s, const json_t *value, json_schema_model_lookup lookup, void *ctx, int depth,
                            aws_error *err)
{
    size_t i;
    const char *key;
    const json_t *child;
    if (json_is_array(value)) {
        json_array_foreach(value, i, child)
        {
            if (prepare_node(s, child, lookup, ctx, depth + 1, err) != 0)
                return -1;
        }
    } else if (json_is_object(value)) {
        json_object_foreach((json_t *)value, key, child)
        {
            if (prepare_node(s, child, lookup, ctx, depth + 1, err) != 0)
                return -1;
        }
    }
    return 0;
}

static int prepare_node(json_schema *s, const json_t *node, json_schema_model_lookup lookup, void *ctx, int depth,
                        aws_error *err)
{
    if (!json_is_object(node))
        return 0;
    if (depth > MAX_DEPTH)
        return error_set(err, 400, "BadRequestException", "Invalid model schema: nested too deeply");
    const json_t *ref = json_object_get(node, "$ref");
    if (json_is_string(ref)) {
        const json_t *target = resolve_ref(s->root, json_string_slice(ref), lookup, ctx);
        if (target == NULL)
            return error_set(err, 400, "BadRequestException", "Invalid model schema: $ref \"%s\" refers to no model",
                             json_string_value(ref));
        if (s->ref_count == s->ref_cap) {
            s->ref_cap = s->ref_cap ? s->ref_cap * 2 : 8;
            s->refs = realloc(s->refs, s->ref_cap * sizeof(*s->refs));
        }
        s->refs[s->ref_count++] = (prepared_ref){ref, target};
        /* A model referred to by name is prepared in its own right; recursion through refs stops here. */
        if (target != s->root && prepare_node(s, target, lookup, ctx, depth + 1, err) != 0)
            return -1;
    }
    const json_t *pattern = json_object_get(node, "pattern");
    if (json_is_string(pattern) && add_regex(s, json_string_value(pattern), err) != 0)
        return -1;
    const json_t *pattern_props = json_object_get(node, "patternProperties");
    if (json_is_object(pattern_props)) {
        const char *key;
        const json_t *sub;
        json_object_foreach((json_t *)pattern_props, key, sub)
        {
            if (add_regex(s, key, err) != 0 || prepare_node(s, sub, lookup, ctx, depth + 1, err) != 0)
                return -1;
        }
    }
    static const char *const schema_keys[] = {"items", "additionalItems", "additionalProperties", "not"};
    for (size_t i = 0; i < sizeof(schema_keys) / sizeof(schema_keys[0]); i++) {
        const json_t *sub = json_object_get(node, schema_keys[i]);
        if (json_is_object(sub) ? prepare_node(s, sub, lookup, ctx, depth + 1, err)
                                : prepare_children(s, sub, lookup, ctx, depth, err))
            return -1;
    }
    static const char *const map_keys[] = {"properties", "definitions"};
    for (size_t i = 0; i < sizeof(map_keys) / sizeof(map_keys[0]); i++)
        if (prepare_children(s, json_object_get(node, map_keys[i]), lookup, ctx, depth, err) != 0)
            return -1;
    static const char *const list_keys[] = {"allOf", "anyOf", "oneOf"};
    for (size_t i = 0; i < sizeof(list_keys) / sizeof(list_keys[0]); i++)
        if (prepare_children(s, json_object_get(node, list_keys[i]), lookup, ctx, depth, err) != 0)
            return -1;
    return 0;
}

json_schema *json_schema_prepare(const json_t *schema, json_schema_model_lookup lookup, void *lookup_ctx,
                                 aws_error *err)
{
    json_schema *s = calloc(1, sizeof(*s));
    s->root = schema;
    if (prepare_node(s, schema, lookup, lookup_ctx, 0, err) != 0) {
        json_schema_free(s);
        return NULL;
    }
    return s;
}

void json_schema_free(json_schema *s)
{
    if (s == NULL)
        return;
    for (size_t i = 0; i < s->regex_count; i++)
        pcre2_code_free(s->regexes[i].code);
    free(s->regexes);
    free(s->refs);
    free(s);
}

/* ---- validation ------------------------------------------------------------------------------- */

typedef struct validation {
    const json_schema *schema;
    buf messages;
    size_t count;
    bool quiet; /* inside anyOf/oneOf/not probes: count failures, keep no text */
} validation;

static int append_json_cb(const char *bytes, size_t len, void *data)
{
    buf_append(data, bytes, len);
    return 0;
}

static void append_json(buf *b, const json_t *v)
{
    json_dump_callback(v, append_json_cb, b, JSON_COMPACT | JSON_ENCODE_ANY);
}

/* Starts one failure message; returns NULL while probing quietly. */
static buf *fail(validation *v)
{
    v->count++;
    if (v->quiet)
        return NULL;
    buf_append_cstr(&v->messages, v->count == 1 ? "" : ", ");
    return &v->messages;
}

static const char *type_name(const json_t *j)
{
    switch (json_typeof(j)) {
    case JSON_OBJECT:
        return "object";
    case JSON_ARRAY:
        return "array";
    case JSON_STRING:
        return "string";
    case JSON_INTEGER:
        return "integer";
    case JSON_REAL:
        return "number";
    case JSON_TRUE:
    case JSON_FALSE:
        return "boolean";
    default:
        return "null";
    }
}

static bool type_allows(const char *allowed, const json_t *instance)
{
    const char *actual = type_name(instance);
    return strcmp(allowed, actual) == 0 || (strcmp(allowed, "number") == 0 && json_is_integer(instance));
}

static double number_of(const json_t *j)
{
    return json_number_value(j);
}

static size_t utf8_length(const char *s, size_t len)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++)
        if (((unsigned char)s[i] & 0xc0) != 0x80)
            n++;
    return n;
}

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void append_sorted_names(buf *b, const char **names, size_t count)
{
    qsort(names, count, sizeof(*names), compare_names);
    buf_append_char(b, '[');
    for (size_t i = 0; i < count; i++) {
        json_t *s = json_string(names[i]);
        if (i != 0)
            buf_append_char(b, ',');
        append_json(b, s);
        json_decref(s);
    }
    buf_append_char(b, ']');
}

static void validate_node(validation *v, const json_t *schema, const json_t *instance, int depth);

/* Runs a sub-schema quietly and says whether it passed. */
static bool probe(validation *v, const json_t *schema, const json_t *instance, int depth)
{
    validation sub = *v;
    sub.quiet = true;
    sub.count = 0;
    validate_node(&sub, schema, instance, depth + 1);
    return sub.count == 0;
}

static const json_t *ref_target(const json_schema *s, const json_t *ref_node)
{
    for (size_t i = 0; i < s->ref_count; i++)
        if (s->refs[i].ref_node == ref_node)
            return s->refs[i].target;
    return NULL;
}

static void validate_type(validation *v, const json_t *type, const json_t *instance)
{
    bool ok = false;
    if (json_is_string(type))
        ok = type_allows(json_string_value(type), instance);
    size_t i;
    const json_t *t;
    json_array_foreach(type, i, t)
    {
        ok = ok || (json_is_string(t) && type_allows(json_string_value(t), instance));
    }
    if (ok)
        return;
    buf *b = fail(v);
    if (b == NULL)
        return;
    buf_printf(b, "instance type (%s) does not match any allowed primitive type (allowed: ", type_name(instance));
    if (json_is_string(type)) {
        buf_append_char(b, '[');
        append_json(b, type);
        buf_append_char(b, ']');
    } else {
        append_json(b, type);
    }
    buf_append_char(b, ')');
}

static void validate_object(validation *v, const json_t *schema, const json_t *instance, int depth)
{
    const json_t *required = json_object_get(schema, "required");
    if (json_is_array(required) && json_array_size(required) > 0) {
        const char **missing = arena_alloc(v->messages.a, json_array_size(required) * sizeof(char *));
        size_t n = 0, i;
        const json_t *name;
        json_array_foreach(required, i, name)
        {
            if (json_is_string(name) && json_object_get(instance, json_string_value(name)) == NULL)
                missing[n++] = json_string_value(name);
        }
        buf *b = n > 0 ? fail(v) : NULL;
        if (b != NULL) {
            buf_append_cstr(b, "object has missing required properties (");
            append_sorted_names(b, missing, n);
            buf_append_char(b, ')');
        }
    }
    size_t count = json_object_size(instance);
    const json_t *min = json_object_get(schema, "minProperties"), *max = json_object_get(schema, "maxProperties");
    buf *b;
    if (json_is_integer(min) && (json_int_t)count < json_integer_value(min) && (b = fail(v)) != NULL)
        buf_printf(b, "object has too few properties (found %zu but schema requires at least %lld)", count,
                   (long long)json_integer_value(min));
    if (json_is_integer(max) && (json_int_t)count > json_integer_value(max) && (b = fail(v)) != NULL)
        buf_printf(b, "object has too many properties (found %zu but schema requires at most %lld)", count,
                   (long long)json_integer_value(max));

    const json_t *properties = json_object_get(schema, "properties");
    const json_t *patterns = json_object_get(schema, "patternProperties");
    const json_t *additional = json_object_get(schema, "additionalProperties");
    const char **extra = arena_alloc(v->messages.a, (count + 1) * sizeof(char *));
    size_t extra_count = 0;
    pcre2_match_data *md = json_is_object(patterns) ? pcre2_match_data_create(4, NULL) : NULL;
    const char *key;
    const json_t *value;
    json_object_foreach((json_t *)instance, key, value)
    {
        bool matched = false;
        const json_t *sub = json_is_object(properties) ? json_object_get(properties, key) : NULL;
        if (sub != NULL) {
            matched = true;
            validate_node(v, sub, value, depth + 1);
        }
        if (md != NULL) {
            const char *pattern;
            const json_t *psub;
            json_object_foreach((json_t *)patterns, pattern, psub)
            {
                const pcre2_code *re = find_regex(v->schema, pattern);
                if (re != NULL && pcre2_match(re, (PCRE2_SPTR)key, strlen(key), 0, 0, md, NULL) >= 0) {
                    matched = true;
                    validate_node(v, psub, value, depth + 1);
                }
            }
        }
        if (!matched) {
            if (json_is_object(additional))
                validate_node(v, additional, value, depth + 1);
            else if (json_is_false(additional))
                extra[extra_count++] = key;
        }
    }
    if (md != NULL)
        pcre2_match_data_free(md);
    if (extra_count > 0 && (b = fail(v)) != NULL) {
        buf_append_cstr(b, "object instance has properties which are not allowed by the schema: ");
        append_sorted_names(b, extra, extra_count);
    }
}

static void validate_array(validation *v, const json_t *schema, const json_t *instance, int depth)
{
    size_t n = json_array_size(instance);
    const json_t *min = json_object_get(schema, "minItems"), *max = json_object_get(schema, "maxItems");
    buf *b;
    if (json_is_integer(min) && (json_int_t)n < json_integer_value(min) && (b = fail(v)) != NULL)
        buf_printf(b, "array is too short: must have at least %lld elements but instance has %zu elements",
                   (long long)json_integer_value(min), n);
    if (json_is_integer(max) && (json_int_t)n > json_integer_value(max) && (b = fail(v)) != NULL)
        buf_printf(b, "array is too long: must have at most %lld elements but instance has %zu elements",
                   (long long)json_integer_value(max), n);
    if (json_is_true(json_object_get(schema, "uniqueItems"))) {
        bool duplicate = false;
        for (size_t i = 0; i < n && !duplicate; i++)
            for (size_t j = i + 1; j < n && !duplicate; j++)
                duplicate = json_equal(json_array_get(instance, i), json_array_get(instance, j));
        if (duplicate && (b = fail(v)) != NULL)
            buf_append_cstr(b, "array must not contain duplicate elements");
    }
    const json_t *items = json_object_get(schema, "items");
    if (json_is_object(items)) {
        for (size_t i = 0; i < n; i++)
            validate_node(v, items, json_array_get(instance, i), depth + 1);
    } else if (json_is_array(items)) {
        size_t tuple = json_array_size(items);
        const json_t *additional = json_object_get(schema, "additionalItems");
        for (size_t i = 0; i < n; i++) {
            if (i < tuple)
                validate_node(v, json_array_get(items, i), json_array_get(instance, i), depth + 1);
            else if (json_is_object(additional))
                validate_node(v, additional, json_array_get(instance, i), depth + 1);
        }
        if (json_is_false(additional) && n > tuple && (b = fail(v)) != NULL)
            buf_printf(b, "array is too long: must have at most %zu elements but instance has %zu elements", tuple, n);
    }
}

static void validate_number(validation *v, const json_t *schema, const json_t *instance)
{
    double x = number_of(instance);
    const json_t *min = json_object_get(schema, "minimum"), *max = json_object_get(schema, "maximum");
    buf *b;
    if (json_is_number(min)) {
        bool exclusive = json_is_true(json_object_get(schema, "exclusiveMinimum"));
        double m = number_of(min);
        if ((exclusive ? x <= m : x < m) && (b = fail(v)) != NULL) {
            if (exclusive) {
                buf_append_cstr(b, "numeric instance is not strictly greater than the required minimum ");
                append_json(b, min);
            } else {
                buf_append_cstr(b, "numeric instance is lower than the required minimum (minimum: ");
                append_json(b, min);
                buf_append_cstr(b, ", found: ");
                append_json(b, instance);
                buf_append_char(b, ')');
            }
        }
    }
    if (json_is_number(max)) {
        bool exclusive = json_is_true(json_object_get(schema, "exclusiveMaximum"));
        double m = number_of(max);
        if ((exclusive ? x >= m : x > m) && (b = fail(v)) != NULL) {
            if (exclusive) {
                buf_append_cstr(b, "numeric instance is not strictly lower than the required maximum ");
                append_json(b, max);
            } else {
                buf_append_cstr(b, "numeric instance is greater than the required maximum (maximum: ");
                append_json(b, max);
                buf_append_cstr(b, ", found: ");
                append_json(b, instance);
                buf_append_char(b, ')');
            }
        }
    }
    const json_t *multiple = json_object_get(schema, "multipleOf");
    if (json_is_number(multiple) && number_of(multiple) > 0) {
        double q = x / number_of(multiple);
        if (fabs(q - round(q)) > 1e-9 && (b = fail(v)) != NULL) {
            buf_append_cstr(b, "remainder of division is not zero (");
            append_json(b, instance);
            buf_append_cstr(b, " / ");
            append_json(b, multiple);
            buf_append_char(b, ')');
        }
    }
}

static void validate_string(validation *v, const json_t *schema, const json_t *instance)
{
    const char *s = json_string_value(instance);
    size_t bytes = json_string_length(instance), len = utf8_length(s, bytes);
    const json_t *min = json_object_get(schema, "minLength"), *max = json_object_get(schema, "maxLength");
    buf *b;
    if (json_is_integer(min) && (json_int_t)len < json_integer_value(min) && (b = fail(v)) != NULL) {
        buf_append_cstr(b, "string ");
        append_json(b, instance);
        buf_printf(b, " is too short (length: %zu, required minimum: %lld)", len, (long long)json_integer_value(min));
    }
    if (json_is_integer(max) && (json_int_t)len > json_integer_value(max) && (b = fail(v)) != NULL) {
        buf_append_cstr(b, "string ");
        append_json(b, instance);
        buf_printf(b, " is too long (length: %zu, maximum allowed: %lld)", len, (long long)json_integer_value(max));
    }
    const json_t *pattern = json_object_get(schema, "pattern");
    const pcre2_code *re = json_is_string(pattern) ? find_regex(v->schema, json_string_value(pattern)) : NULL;
    if (re != NULL) {
        pcre2_match_data *md = pcre2_match_data_create(4, NULL);
        int rc = pcre2_match(re, (PCRE2_SPTR)s, bytes, 0, 0, md, NULL);
        pcre2_match_data_free(md);
        if (rc < 0 && (b = fail(v)) != NULL) {
            buf_append_cstr(b, "ECMA 262 regex ");
            append_json(b, pattern);
            buf_append_cstr(b, " does not match input string ");
            append_json(b, instance);
        }
    }
}

static void validate_combinators(validation *v, const json_t *schema, const json_t *instance, int depth)
{
    buf *b;
    const json_t *all = json_object_get(schema, "allOf");
    if (json_is_array(all)) {
        size_t i, matched = 0;
        const json_t *sub;
        json_array_foreach(all, i, sub)
        {
            matched += probe(v, sub, instance, depth);
        }
        if (matched < json_array_size(all) && (b = fail(v)) != NULL)
            buf_printf(b, "instance failed to match all required schemas (matched only %zu out of %zu)", matched,
                       json_array_size(all));
    }
    const json_t *any = json_object_get(schema, "anyOf");
    if (json_is_array(any)) {
        size_t i, matched = 0;
        const json_t *sub;
        json_array_foreach(any, i, sub)
        {
            matched += probe(v, sub, instance, depth);
        }
        if (matched == 0 && (b = fail(v)) != NULL)
            buf_printf(b, "instance failed to match at least one required schema among %zu", json_array_size(any));
    }
    const json_t *one = json_object_get(schema, "oneOf");
    if (json_is_array(one)) {
        size_t i, matched = 0;
        const json_t *sub;
        json_array_foreach(one, i, sub)
        {
            matched += probe(v, sub, instance, depth);
        }
        if (matched != 1 && (b = fail(v)) != NULL)
            buf_printf(b, "instance failed to match exactly one schema (matched %zu out of %zu)", matched,
                       json_array_size(one));
    }
    const json_t *not = json_object_get(schema, "not");
    if (json_is_object(not ) && probe(v, not, instance, depth) && (b = fail(v)) != NULL)
        buf_append_cstr(b, "instance matched a schema which it should not have");
}

static void validate_node(validation *v, const json_t *schema, const json_t *instance, int depth)
{
    buf *b;
    if (!json_is_object(schema))
        return;
    if (depth > MAX_DEPTH) {
        if ((b = fail(v)) != NULL)
            buf_append_cstr(b, "schema nesting is too deep to validate");
        return;
    }
    const json_t *ref = json_object_get(schema, "$ref");
    if (ref != NULL) {
        /* Draft 4: a $ref replaces the schema it appears in. */
        const json_t *target = ref_target(v->schema, ref);
        if (target != NULL)
            validate_node(v, target, instance, depth + 1);
        return;
    }
    const json_t *type = json_object_get(schema, "type");
    if (type != NULL) {
        size_t before = v->count;
        validate_type(v, type, instance);
        if (v->count != before)
            return; /* the other keywords would only repeat the type mismatch */
    }
    const json_t *enumeration = json_object_get(schema, "enum");
    if (json_is_array(enumeration)) {
        bool found = false;
        size_t i;
        const json_t *candidate;
        json_array_foreach(enumeration, i, candidate)
        {
            found = found || json_equal(candidate, instance);
        }
        if (!found && (b = fail(v)) != NULL) {
            buf_append_cstr(b, "instance value (");
            append_json(b, instance);
            buf_append_cstr(b, ") not found in enum (possible values: ");
            append_json(b, enumeration);
            buf_append_char(b, ')');
        }
    }
    if (json_is_object(instance))
        validate_object(v, schema, instance, depth);
    else if (json_is_array(instance))
        validate_array(v, schema, instance, depth);
    else if (json_is_number(instance))
        validate_number(v, schema, instance);
    else if (json_is_string(instance))
        validate_string(v, schema, instance);
    validate_combinators(v, schema, instance, depth);
}

bool json_schema_validate(const json_schema *schema, const json_t *instance, arena *a, slice *messages)
{
    validation v = {.schema = schema, .count = 0, .quiet = false};
    buf_init(&v.messages, a, 128);
    buf_append_char(&v.messages, '[');
    validate_node(&v, schema->root, instance, 0);
    buf_append_char(&v.messages, ']');
    if (messages != NULL)
        *messages = buf_slice(&v.messages);
    return v.count == 0;
}
