/* `portico validate TEMPLATE`: loads the template, compiles every mapping template, selection
 * pattern and model, and warns about the traps users fall into. Exit 0 when it loads (warnings or
 * not), 1 when it does not. Touches no data. */
#include <stdio.h>
#include <string.h>

#include "cli/commands.h"
#include "gateway/gateway.h"
#include "gateway/lint.h"
#include "stack/stack.h"

int cmd_validate(int argc, char **argv)
{
    stack_parameter params[64];
    size_t param_count = 0;
    const char *path = NULL;
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--parameter") == 0 && i + 1 < argc && param_count < 64) {
            if (stack_parameter_parse(argv[++i], &params[param_count]) != 0) {
                fprintf(stderr, "portico: --parameter expects K=V\n");
                return 1;
            }
            param_count++;
        } else if (path == NULL && argv[i][0] != '-') {
            path = argv[i];
        } else {
            fputs("usage: portico validate TEMPLATE [--parameter K=V]...\n", stderr);
            return 1;
        }
    }
    if (path == NULL) {
        fputs("usage: portico validate TEMPLATE [--parameter K=V]...\n", stderr);
        return 1;
    }
    arena load;
    arena_init(&load, 1 << 16);
    stack_model *model;
    aws_error err;
    error_clear(&err);
    stack_options opts = {.parameters = params, .parameter_count = param_count};
    int rc = 1;
    gateway *g = NULL;
    if (stack_load(path, &opts, &model, &load, &err) != 0 ||
        (g = gateway_create((const stack_model *const *)&model, 1, NULL, NULL, &load, &err)) == NULL) {
        fprintf(stderr, "portico: %s: %s\n", path, err.message);
    } else {
        stack_print_warnings(stdout, model);
        size_t warnings = gateway_lint(model, stdout);
        printf("%s: %zu API(s), %zu table(s), %zu warning(s)\n", path, model->api_count, model->table_count, warnings);
        rc = 0;
    }
    gateway_destroy(g);
    arena_destroy(&load);
    return rc;
}
