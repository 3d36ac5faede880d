/* The `portico` program: picks the subcommand; the work is in src/cli/. */
#include <stdio.h>
#include <string.h>

#include "cli/commands.h"
#include "core/json.h"

#define PORTICO_VERSION "0.1.0"

static const struct {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
} commands[] = {
    {"serve", cmd_serve, "serve APIs and the DynamoDB wire API on the embedded store"},
    {"render", cmd_render, "render one mapping template offline"},
    {"test-invoke", cmd_test_invoke, "run one request through an API without a server"},
    {"validate", cmd_validate, "load a template, compile its mapping templates, warn about traps"},
};

static void usage(FILE *out)
{
    fputs("usage: portico COMMAND [ARGS...]\n\ncommands:\n", out);
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        fprintf(out, "  %-12s %s\n", commands[i].name, commands[i].summary);
    fputs("\n`portico COMMAND --help` describes a command's arguments.\n", out);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "help") == 0) {
        usage(stdout);
        return 0;
    }
    if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "version") == 0) {
        puts("portico " PORTICO_VERSION);
        return 0;
    }
    json_glue_init();
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        if (strcmp(argv[1], commands[i].name) == 0)
            return commands[i].run(argc - 2, argv + 2);
    fprintf(stderr, "portico: unknown command '%s'\n\n", argv[1]);
    usage(stderr);
    return 2;
}
