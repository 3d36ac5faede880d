#include "cli/options.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *cli_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        fprintf(stderr, "portico: cannot read %s\n", path);
        return NULL;
    }
    size_t cap = 4096, n = 0;
    char *data = malloc(cap);
    size_t got;
    while ((got = fread(data + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap)
            data = realloc(data, cap *= 2);
    }
    fclose(f);
    data[n < cap ? n : cap - 1] = '\0';
    *len = n;
    return data;
}

static int split_pair(const char *arg, slice *name, slice *value)
{
    const char *eq = strchr(arg, '=');
    if (eq == NULL)
        return -1;
    *name = slice_make(arg, (size_t)(eq - arg));
    *value = slice_cstr(eq + 1);
    return 0;
}

int cli_request_parse(int argc, char **argv, int positionals, cli_request *r, const char *usage)
{
    memset(r, 0, sizeof(*r));
    r->data_dir = "portico-data";
    r->query = "";
    r->header_items = calloc((size_t)argc + 1, sizeof(*r->header_items));
    r->parameters = calloc((size_t)argc + 1, sizeof(*r->parameters));
    size_t query_len = 0;
    r->query_owned = calloc(1, 1);
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        bool has_value = i + 1 < argc;
        if (strcmp(a, "--help") == 0) {
            fputs(usage, stdout);
            cli_request_free(r);
            return -1;
        } else if (strcmp(a, "--header") == 0 && has_value) {
            vtl_pair *p = &r->header_items[r->headers.count];
            if (split_pair(argv[++i], &p->name, &p->value) != 0)
                goto bad;
            r->headers.count++;
        } else if (strcmp(a, "--query") == 0 && has_value) {
            const char *q = argv[++i];
            if (strchr(q, '=') == NULL)
                goto bad;
            size_t n = strlen(q);
            r->query_owned = realloc(r->query_owned, query_len + n + 2);
            if (query_len != 0)
                r->query_owned[query_len++] = '&';
            memcpy(r->query_owned + query_len, q, n + 1);
            query_len += n;
        } else if (strcmp(a, "--body") == 0 && has_value) {
            r->body = slice_cstr(argv[++i]);
        } else if (strcmp(a, "--body-file") == 0 && has_value) {
            size_t len;
            free(r->body_owned);
            r->body_owned = cli_read_file(argv[++i], &len);
            if (r->body_owned == NULL)
                goto bad_quiet;
            r->body = slice_make(r->body_owned, len);
        } else if (strcmp(a, "--stage") == 0 && has_value) {
            r->stage = argv[++i];
        } else if (strcmp(a, "--data") == 0 && has_value) {
            r->data_dir = argv[++i];
        } else if (strcmp(a, "--parameter") == 0 && has_value) {
            if (stack_parameter_parse(argv[++i], &r->parameters[r->parameter_count]) != 0)
                goto bad;
            r->parameter_count++;
        } else if (a[0] == '-' && a[1] == '-') {
            fprintf(stderr, "portico: unknown or incomplete option %s\n", a);
            goto bad_quiet;
        } else if (r->positional_count < CLI_MAX_POSITIONAL) {
            r->positional[r->positional_count++] = a;
        }
        continue;
    bad:
        fprintf(stderr, "portico: %s expects K=V\n", a);
        goto bad_quiet;
    }
    r->headers.items = r->header_items;
    r->query = r->query_owned;
    if (r->positional_count == positionals)
        return 0;
bad_quiet:
    fputs(usage, stderr);
    cli_request_free(r);
    return -1;
}

void cli_request_free(cli_request *r)
{
    free(r->header_items);
    free(r->parameters);
    free(r->body_owned);
    free(r->query_owned);
    r->header_items = NULL;
    r->parameters = NULL;
    r->body_owned = r->query_owned = NULL;
}
