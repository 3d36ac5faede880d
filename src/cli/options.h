/*
 * options: the arguments that describe one request on the command line (test-invoke), parsed into
 * what the gateway takes: positionals, --header K=V, --query K=V, --body / --body-file, --stage,
 * --data, --parameter K=V. Memory is malloc'd and released by cli_request_free.
 */
#ifndef PORTICO_CLI_OPTIONS_H
#define PORTICO_CLI_OPTIONS_H

#include "core/slice.h"
#include "stack/stack.h"
#include "vtl/vtl.h"

#define CLI_MAX_POSITIONAL 8

typedef struct cli_request {
    const char *positional[CLI_MAX_POSITIONAL];
    int positional_count;
    vtl_pairs headers;
    const char *query; /* "a=1&b=2" */
    slice body;
    const char *stage;    /* NULL: the API's first stage */
    const char *data_dir; /* default ./portico-data */
    stack_parameter *parameters;
    size_t parameter_count;
    /* owned memory */
    vtl_pair *header_items;
    char *body_owned;
    char *query_owned;
} cli_request;

/* Parses argv; `positionals` is how many are required. Prints `usage` and returns -1 on a mistake. */
int cli_request_parse(int argc, char **argv, int positionals, cli_request *out, const char *usage);
void cli_request_free(cli_request *r);
/* Reads a whole file; NULL (and a message on stderr) when it cannot. */
char *cli_read_file(const char *path, size_t *len);

#endif
