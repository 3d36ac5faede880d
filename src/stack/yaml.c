#include "stack/yaml.h"

#include <ctype.h>
#include <errno.h>
#include <libfyaml.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define TEMPLATE_ERROR "ValidationError"

/* CloudFormation's short-form tags: the tag suffix and the long key it stands for. */
static const struct {
    const char *tag;
    const char *key;
} short_tags[] = {
    {"Ref", "Ref"},
    {"Condition", "Condition"},
    {"GetAtt", "Fn::GetAtt"},
    {"Base64", "Fn::Base64"},
    {"Cidr", "Fn::Cidr"},
    {"FindInMap", "Fn::FindInMap"},
    {"GetAZs", "Fn::GetAZs"},
    {"ImportValue", "Fn::ImportValue"},
    {"Join", "Fn::Join"},
    {"Select", "Fn::Select"},
    {"Split", "Fn::Split"},
    {"Sub", "Fn::Sub"},
    {"Transform", "Fn::Transform"},
    {"And", "Fn::And"},
    {"Equals", "Fn::Equals"},
    {"If", "Fn::If"},
    {"Not", "Fn::Not"},
    {"Or", "Fn::Or"},
    {"Length", "Fn::Length"},
    {"ToJsonString", "Fn::ToJsonString"},
};

typedef enum { TAG_NONE, TAG_STR, TAG_INT, TAG_FLOAT, TAG_BOOL, TAG_NULL, TAG_PLAIN_CORE, TAG_CFN } tag_kind;

typedef struct anchor {
    char *name;
    json_t *value; /* NULL while the node that defines it is still open */
    size_t weight;
} anchor;

typedef struct frame {
    json_t *container;   /* object or array */
    json_t *key;         /* pending key of a mapping (string), NULL when a key is expected */
    const char *cfn_key; /* short tag to wrap the container in when it closes */
    char *anchor;
    size_t weight;
    json_t *merges;     /* array of objects from "<<" to merge in at the end */
    bool merge_pending; /* the pending key is "<<" */
    int line, column;
} frame;

typedef struct builder {
    const char *name;
    aws_error *err;
    frame stack[STACK_YAML_MAX_DEPTH];
    int depth;
    anchor *anchors;
    size_t anchor_count, anchor_cap;
    size_t total_weight;
    json_t *root;
    bool done;
} builder;

static int fail_at(builder *b, const struct fy_mark *m, const char *fmt, const char *arg)
{
    char what[512];
    snprintf(what, sizeof(what), fmt, arg);
    if (m != NULL)
        error_set(b->err, 400, TEMPLATE_ERROR, "%s:%d:%d: %s", b->name, m->line + 1, m->column + 1, what);
    else
        error_set(b->err, 400, TEMPLATE_ERROR, "%s: %s", b->name, what);
    return -1;
}

static const struct fy_mark *token_mark(struct fy_token *t)
{
    return t != NULL ? fy_token_start_mark(t) : NULL;
}

static size_t json_weight_scalar(size_t len)
{
    return 1 + len / 64;
}

static anchor *anchor_find(builder *b, const char *name, size_t len)
{
    /* Later definitions shadow earlier ones, as YAML says. */
    for (size_t i = b->anchor_count; i-- > 0;)
        if (strlen(b->anchors[i].name) == len && memcmp(b->anchors[i].name, name, len) == 0)
            return &b->anchors[i];
    return NULL;
}

static int anchor_define(builder *b, struct fy_token *tok, char **out)
{
    *out = NULL;
    if (tok == NULL)
        return 0;
    size_t len;
    const char *text = fy_token_get_text(tok, &len);
    if (text == NULL)
        return fail_at(b, token_mark(tok), "%s", "bad anchor");
    if (b->anchor_count == b->anchor_cap) {
        size_t cap = b->anchor_cap ? b->anchor_cap * 2 : 16;
        anchor *n = realloc(b->anchors, cap * sizeof(*n));
        if (n == NULL)
            return fail_at(b, token_mark(tok), "%s", "out of memory");
        b->anchors = n;
        b->anchor_cap = cap;
    }
    anchor *a = &b->anchors[b->anchor_count++];
    /* The token's text points into the unterminated input: copy exactly len bytes (strndup may look
     * one byte further, past the end of the buffer). */
    a->name = malloc(len + 1);
    if (a->name != NULL) {
        memcpy(a->name, text, len);
        a->name[len] = '\0';
    }
    a->value = NULL;
    a->weight = 0;
    if (a->name == NULL) {
        b->anchor_count--;
        return fail_at(b, token_mark(tok), "%s", "out of memory");
    }
    *out = a->name;
    return 0;
}

static void anchor_complete(builder *b, const char *name, json_t *value, size_t weight)
{
    if (name == NULL)
        return;
    for (size_t i = b->anchor_count; i-- > 0;)
        if (b->anchors[i].name == name) {
            b->anchors[i].value = json_incref(value);
            b->anchors[i].weight = weight;
            return;
        }
}

static const char *cfn_key_for(builder *b, struct fy_token *tag, tag_kind *kind)
{
    *kind = TAG_NONE;
    if (tag == NULL)
        return NULL;
    size_t hl, sl;
    const char *handle = fy_tag_token_handle(tag, &hl);
    const char *suffix = fy_tag_token_suffix(tag, &sl);
    if (handle == NULL || suffix == NULL)
        return NULL;
    if (hl == 1 && handle[0] == '!') {
        if (sl == 0) { /* the non-specific tag "!": a string */
            *kind = TAG_STR;
            return NULL;
        }
        for (size_t i = 0; i < sizeof(short_tags) / sizeof(short_tags[0]); i++)
            if (strlen(short_tags[i].tag) == sl && memcmp(short_tags[i].tag, suffix, sl) == 0) {
                *kind = TAG_CFN;
                return short_tags[i].key;
            }
    }
    const char *full = fy_token_get_text0(tag);
    if (full != NULL && strncmp(full, "tag:yaml.org,2002:", 18) == 0) {
        const char *t = full + 18;
        if (strcmp(t, "str") == 0 || strcmp(t, "binary") == 0 || strcmp(t, "timestamp") == 0)
            *kind = TAG_STR;
        else if (strcmp(t, "int") == 0)
            *kind = TAG_INT;
        else if (strcmp(t, "float") == 0)
            *kind = TAG_FLOAT;
        else if (strcmp(t, "bool") == 0)
            *kind = TAG_BOOL;
        else if (strcmp(t, "null") == 0)
            *kind = TAG_NULL;
        else if (strcmp(t, "map") == 0 || strcmp(t, "seq") == 0)
            *kind = TAG_NONE;
        else
            *kind = TAG_PLAIN_CORE;
        return NULL;
    }
    char shown[128];
    snprintf(shown, sizeof(shown), "%s", full != NULL ? full : "?");
    fail_at(b, token_mark(tag), "unknown tag %s", shown);
    *kind = TAG_PLAIN_CORE;
    return (const char *)-1;
}

static bool all_digits(const char *s, size_t n)
{
    if (n == 0)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!isdigit((unsigned char)s[i]))
            return false;
    return true;
}

static bool is_float_text(const char *s, size_t n)
{
    size_t i = 0, digits = 0;
    if (i < n && (s[i] == '-' || s[i] == '+'))
        i++;
    while (i < n && isdigit((unsigned char)s[i]))
        i++, digits++;
    if (i < n && s[i] == '.') {
        i++;
        while (i < n && isdigit((unsigned char)s[i]))
            i++, digits++;
    }
    if (digits == 0)
        return false;
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < n && (s[i] == '-' || s[i] == '+'))
            i++;
        if (!(i < n && isdigit((unsigned char)s[i])))
            return false;
        while (i < n && isdigit((unsigned char)s[i]))
            i++;
    }
    return i == n;
}

/* YAML 1.2 core schema for plain scalars, with the exceptions yaml.h explains. */
static json_t *plain_scalar(const char *s, size_t n)
{
    if (n == 0 || (n == 1 && s[0] == '~') ||
        (n == 4 && (!memcmp(s, "null", 4) || !memcmp(s, "Null", 4) || !memcmp(s, "NULL", 4))))
        return json_null();
    if ((n == 4 && (!memcmp(s, "true", 4) || !memcmp(s, "True", 4) || !memcmp(s, "TRUE", 4))))
        return json_true();
    if ((n == 5 && (!memcmp(s, "false", 5) || !memcmp(s, "False", 5) || !memcmp(s, "FALSE", 5))))
        return json_false();
    size_t sign = (s[0] == '-' || s[0] == '+') ? 1 : 0;
    if (all_digits(s + sign, n - sign)) {
        if (n - sign > 1 && s[sign] == '0')
            return json_stringn(s, n);
        char buf[32];
        if (n < sizeof(buf)) {
            memcpy(buf, s, n);
            buf[n] = '\0';
            errno = 0;
            char *end;
            long long v = strtoll(buf, &end, 10);
            if (errno == 0 && *end == '\0')
                return json_integer(v);
        }
        return json_stringn(s, n);
    }
    if (n > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'o')) {
        char buf[32];
        if (n < sizeof(buf)) {
            memcpy(buf, s + 2, n - 2);
            buf[n - 2] = '\0';
            errno = 0;
            char *end;
            long long v = strtoll(buf, &end, s[1] == 'x' ? 16 : 8);
            if (errno == 0 && *end == '\0' && end != buf)
                return json_integer(v);
        }
        return json_stringn(s, n);
    }
    if (is_float_text(s, n) && !(n - sign > 1 && s[sign] == '0' && s[sign + 1] != '.')) {
        char buf[64];
        if (n < sizeof(buf)) {
            memcpy(buf, s, n);
            buf[n] = '\0';
            double d = strtod(buf, NULL);
            if (d == d && d < 1e308 && d > -1e308)
                return json_real(d);
        }
    }
    return json_stringn(s, n);
}

static json_t *wrap_cfn(const char *cfn_key, json_t *value)
{
    json_t *o = json_object();
    if (strcmp(cfn_key, "Fn::GetAtt") == 0 && json_is_string(value)) {
        /* "Resource.Attribute": the attribute may itself contain dots (Endpoint.Address). */
        const char *s = json_string_value(value);
        const char *dot = strchr(s, '.');
        json_t *list = json_array();
        if (dot != NULL) {
            json_array_append_new(list, json_stringn(s, (size_t)(dot - s)));
            json_array_append_new(list, json_string(dot + 1));
        } else {
            json_array_append_new(list, json_string(s));
        }
        json_decref(value);
        value = list;
    }
    json_object_set_new(o, cfn_key, value);
    return o;
}

static int add_value(builder *b, json_t *value, size_t weight, const struct fy_mark *m);

static int merge_into(builder *b, frame *f, json_t *src, const struct fy_mark *m)
{
    if (json_is_object(src)) {
        json_array_append(f->merges, src);
        return 0;
    }
    if (json_is_array(src)) {
        size_t i;
        json_t *v;
        json_array_foreach(src, i, v)
        {
            if (!json_is_object(v))
                return fail_at(b, m, "%s", "merge key '<<' needs a mapping or a list of mappings");
            json_array_append(f->merges, v);
        }
        return 0;
    }
    return fail_at(b, m, "%s", "merge key '<<' needs a mapping or a list of mappings");
}

/* Hands a finished node to its parent (or makes it the document). Steals `value`. */
static int add_value(builder *b, json_t *value, size_t weight, const struct fy_mark *m)
{
    if (value == NULL)
        return fail_at(b, m, "%s", "out of memory");
    b->total_weight += weight;
    if (b->total_weight > STACK_YAML_MAX_WEIGHT) {
        json_decref(value);
        return fail_at(b, m, "%s", "document too large once aliases are expanded (alias bomb?)");
    }
    if (b->depth == 0) {
        if (b->root != NULL) {
            json_decref(value);
            return fail_at(b, m, "%s", "more than one document");
        }
        b->root = value;
        return 0;
    }
    frame *f = &b->stack[b->depth - 1];
    f->weight += weight;
    if (json_is_array(f->container))
        return json_array_append_new(f->container, value) == 0 ? 0 : fail_at(b, m, "%s", "out of memory");
    if (f->key == NULL) {
        if (!json_is_string(value)) {
            json_decref(value);
            return fail_at(b, m, "%s", "mapping keys must be plain strings");
        }
        f->key = value;
        return 0;
    }
    const char *k = json_string_value(f->key);
    int rc = 0;
    if (f->merge_pending) {
        rc = merge_into(b, f, value, m);
        json_decref(value);
    } else if (json_object_get(f->container, k) != NULL) {
        json_decref(value);
        rc = fail_at(b, m, "duplicate key '%s'", k);
    } else if (json_object_setn_new(f->container, k, json_string_length(f->key), value) != 0) {
        rc = fail_at(b, m, "%s", "out of memory");
    }
    json_decref(f->key);
    f->key = NULL;
    f->merge_pending = false;
    return rc;
}

static int on_scalar(builder *b, struct fy_event *e)
{
    struct fy_token *vt = e->scalar.value;
    const struct fy_mark *m = token_mark(vt);
    size_t n = 0;
    const char *s = vt != NULL ? fy_token_get_text(vt, &n) : "";
    if (s == NULL)
        s = "", n = 0;
    tag_kind kind;
    const char *cfn_key = cfn_key_for(b, e->scalar.tag, &kind);
    if (cfn_key == (const char *)-1)
        return -1;
    char *anchor_name;
    if (anchor_define(b, e->scalar.anchor, &anchor_name) != 0)
        return -1;
    bool plain = vt != NULL && fy_token_scalar_style(vt) == FYSS_PLAIN;
    bool is_key =
        b->depth > 0 && json_is_object(b->stack[b->depth - 1].container) && b->stack[b->depth - 1].key == NULL;
    json_t *v;
    if (is_key) {
        if (kind == TAG_CFN)
            return fail_at(b, m, "%s", "a mapping key cannot be a function");
        v = json_stringn(s, n);
        if (v != NULL && plain && n == 2 && memcmp(s, "<<", 2) == 0)
            b->stack[b->depth - 1].merge_pending = true;
    } else if (kind == TAG_CFN) {
        v = wrap_cfn(cfn_key, json_stringn(s, n));
    } else if (kind == TAG_STR || (kind == TAG_NONE && !plain)) {
        v = json_stringn(s, n);
    } else if (kind == TAG_NULL) {
        v = json_null();
    } else if (kind == TAG_BOOL || kind == TAG_INT || kind == TAG_FLOAT) {
        v = plain_scalar(s, n);
        if (v != NULL && ((kind == TAG_BOOL && !json_is_boolean(v)) || (kind == TAG_INT && !json_is_integer(v)) ||
                          (kind == TAG_FLOAT && !json_is_number(v)))) {
            json_decref(v);
            return fail_at(b, m, "%s", "scalar does not match its tag");
        }
    } else {
        v = plain_scalar(s, n);
    }
    size_t w = json_weight_scalar(n);
    if (anchor_name != NULL)
        anchor_complete(b, anchor_name, v, w);
    return add_value(b, v, w, m);
}

static int on_alias(builder *b, struct fy_event *e)
{
    const struct fy_mark *m = token_mark(e->alias.anchor);
    size_t n = 0;
    const char *name = e->alias.anchor != NULL ? fy_token_get_text(e->alias.anchor, &n) : NULL;
    anchor *a = name != NULL ? anchor_find(b, name, n) : NULL;
    char shown[128];
    snprintf(shown, sizeof(shown), "%.*s", (int)(n < 100 ? n : 100), name != NULL ? name : "");
    if (a == NULL)
        return fail_at(b, m, "unknown anchor '%s'", shown);
    if (a->value == NULL)
        return fail_at(b, m, "alias '%s' refers to a node that contains it", shown);
    bool is_key =
        b->depth > 0 && json_is_object(b->stack[b->depth - 1].container) && b->stack[b->depth - 1].key == NULL;
    if (is_key && !json_is_string(a->value))
        return fail_at(b, m, "%s", "mapping keys must be plain strings");
    /* Shared, not copied: the tree becomes a DAG; the weight keeps its expanded size honest. */
    return add_value(b, json_incref(a->value), a->weight, m);
}

static int on_start(builder *b, struct fy_event *e, bool mapping)
{
    struct fy_token *tag = mapping ? e->mapping_start.tag : e->sequence_start.tag;
    struct fy_token *anc = mapping ? e->mapping_start.anchor : e->sequence_start.anchor;
    struct fy_token *start = mapping ? e->mapping_start.mapping_start : e->sequence_start.sequence_start;
    const struct fy_mark *m = token_mark(start != NULL ? start : (tag != NULL ? tag : anc));
    if (b->depth >= STACK_YAML_MAX_DEPTH)
        return fail_at(b, m, "%s", "nesting too deep");
    if (b->depth > 0 && json_is_object(b->stack[b->depth - 1].container) && b->stack[b->depth - 1].key == NULL)
        return fail_at(b, m, "%s", "mapping keys must be plain strings");
    tag_kind kind;
    const char *cfn_key = cfn_key_for(b, tag, &kind);
    if (cfn_key == (const char *)-1)
        return -1;
    frame *f = &b->stack[b->depth];
    memset(f, 0, sizeof(*f));
    if (anchor_define(b, anc, &f->anchor) != 0)
        return -1;
    f->container = mapping ? json_object() : json_array();
    f->merges = mapping ? json_array() : NULL;
    f->cfn_key = cfn_key;
    f->weight = 1;
    if (m != NULL)
        f->line = m->line, f->column = m->column;
    b->depth++;
    return 0;
}

static int on_end(builder *b, struct fy_event *e)
{
    (void)e;
    frame f = b->stack[--b->depth];
    json_t *v = f.container;
    if (f.key != NULL)
        json_decref(f.key);
    if (f.merges != NULL) {
        size_t i;
        json_t *src;
        json_array_foreach(f.merges, i, src)
        {
            const char *k;
            json_t *mv;
            json_object_foreach(src, k, mv)
            {
                if (json_object_get(v, k) == NULL)
                    json_object_set(v, k, mv);
            }
        }
        json_decref(f.merges);
    }
    if (f.cfn_key != NULL)
        v = wrap_cfn(f.cfn_key, v);
    anchor_complete(b, f.anchor, v, f.weight);
    struct fy_mark m = {0, f.line, f.column};
    /* The weight of the children was already counted when they were added. */
    b->total_weight -= f.weight - 1;
    return add_value(b, v, f.weight, &m);
}

static void builder_free(builder *b)
{
    for (int i = 0; i < b->depth; i++) {
        json_decref(b->stack[i].container);
        json_decref(b->stack[i].key);
        json_decref(b->stack[i].merges);
    }
    b->depth = 0;
    for (size_t i = 0; i < b->anchor_count; i++) {
        free(b->anchors[i].name);
        json_decref(b->anchors[i].value);
    }
    free(b->anchors);
    b->anchors = NULL;
}

static void diag_discard(struct fy_diag *diag, void *user, const char *buf, size_t len)
{
    (void)diag, (void)user, (void)buf, (void)len;
}

/* Offset of the first byte that is not well-formed UTF-8 (or is NUL), or len. YAML text is UTF-8
 * without NULs; checking first also keeps malformed bytes away from the parser. */
static size_t utf8_invalid_at(const unsigned char *s, size_t len)
{
    size_t i = 0;
    while (i < len) {
        unsigned char c = s[i];
        size_t n = c < 0x80 ? 0 : (c & 0xE0) == 0xC0 ? 1 : (c & 0xF0) == 0xE0 ? 2 : (c & 0xF8) == 0xF0 ? 3 : 9;
        if (c == 0 || n == 9 || (n == 1 && c < 0xC2) || (n == 3 && c > 0xF4) || i + n >= len)
            return i;
        for (size_t k = 1; k <= n; k++)
            if ((s[i + k] & 0xC0) != 0x80)
                return i;
        if (n == 2 && ((c == 0xE0 && s[i + 1] < 0xA0) || (c == 0xED && s[i + 1] >= 0xA0)))
            return i;
        if (n == 3 && ((c == 0xF0 && s[i + 1] < 0x90) || (c == 0xF4 && s[i + 1] >= 0x90)))
            return i;
        i += n + 1;
    }
    return len;
}

json_t *stack_yaml_parse(const char *name, const char *data, size_t len, aws_error *err)
{
    size_t bad = utf8_invalid_at((const unsigned char *)data, len);
    if (bad < len) {
        int line = 1, col = 1;
        for (size_t i = 0; i < bad; i++)
            if (data[i] == '\n')
                line++, col = 1;
            else
                col++;
        error_set(err, 400, TEMPLATE_ERROR, "%s:%d:%d: not valid UTF-8 text", name, line, col);
        return NULL;
    }
    builder b;
    memset(&b, 0, sizeof(b));
    b.name = name;
    b.err = err;

    struct fy_diag_cfg dcfg;
    fy_diag_cfg_default(&dcfg);
    dcfg.fp = NULL;
    dcfg.output_fn = diag_discard;
    dcfg.colorize = false;
    struct fy_diag *diag = fy_diag_create(&dcfg);
    if (diag == NULL) {
        error_set(err, 500, TEMPLATE_ERROR, "%s: cannot create the YAML parser", name);
        return NULL;
    }
    fy_diag_set_collect_errors(diag, true);
    struct fy_parse_cfg cfg;
    memset(&cfg, 0, sizeof(cfg));
    cfg.flags = FYPCF_QUIET | FYPCF_DEFAULT_VERSION_1_2 | FYPCF_ALLOW_DUPLICATE_KEYS;
    cfg.diag = diag;
    struct fy_parser *p = fy_parser_create(&cfg);
    if (p == NULL || fy_parser_set_string(p, data, len) != 0) {
        if (p != NULL)
            fy_parser_destroy(p);
        fy_diag_destroy(diag);
        error_set(err, 500, TEMPLATE_ERROR, "%s: cannot create the YAML parser", name);
        return NULL;
    }
    int rc = 0;
    int docs = 0;
    struct fy_event *e;
    while (rc == 0 && (e = fy_parser_parse(p)) != NULL) {
        switch (e->type) {
        case FYET_DOCUMENT_START:
            if (++docs > 1)
                rc = fail_at(&b, token_mark(e->document_start.document_start), "%s",
                             "more than one YAML document (a template is one document)");
            break;
        case FYET_SCALAR:
            rc = on_scalar(&b, e);
            break;
        case FYET_ALIAS:
            rc = on_alias(&b, e);
            break;
        case FYET_MAPPING_START:
            rc = on_start(&b, e, true);
            break;
        case FYET_SEQUENCE_START:
            rc = on_start(&b, e, false);
            break;
        case FYET_MAPPING_END:
        case FYET_SEQUENCE_END:
            rc = b.depth > 0 ? on_end(&b, e) : -1;
            break;
        default:
            break;
        }
        fy_parser_event_free(p, e);
    }
    if (rc == 0 && fy_parser_get_stream_error(p)) {
        void *it = NULL;
        struct fy_diag_error *de = fy_diag_errors_iterate(diag, &it);
        if (de != NULL)
            error_set(err, 400, TEMPLATE_ERROR, "%s:%d:%d: %s", name, de->line, de->column,
                      de->msg != NULL ? de->msg : "YAML syntax error");
        else
            error_set(err, 400, TEMPLATE_ERROR, "%s: YAML syntax error", name);
        rc = -1;
    }
    fy_parser_destroy(p);
    fy_diag_destroy(diag);
    builder_free(&b);
    if (rc != 0) {
        json_decref(b.root);
        return NULL;
    }
    if (b.root == NULL || json_is_null(b.root)) {
        json_decref(b.root);
        error_set(err, 400, TEMPLATE_ERROR, "%s: the document is empty", name);
        return NULL;
    }
    return b.root;
}

json_t *stack_json_parse(const char *name, const char *data, size_t len, aws_error *err)
{
    json_error_t je;
    json_t *v = json_loadb(data, len, JSON_REJECT_DUPLICATES, &je);
    if (v == NULL) {
        error_set(err, 400, TEMPLATE_ERROR, "%s:%d:%d: %s", name, je.line, je.column, je.text);
        return NULL;
    }
    return v;
}

json_t *stack_document_parse(const char *name, const char *data, size_t len, aws_error *err)
{
    size_t i = 0;
    if (len >= 3 && (unsigned char)data[0] == 0xEF && (unsigned char)data[1] == 0xBB && (unsigned char)data[2] == 0xBF)
        i = 3;
    while (i < len && (data[i] == ' ' || data[i] == '\t' || data[i] == '\r' || data[i] == '\n'))
        i++;
    if (i < len && (data[i] == '{' || data[i] == '['))
        return stack_json_parse(name, data + i, len - i, err);
    return stack_yaml_parse(name, data, len, err);
}
