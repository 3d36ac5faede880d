/*
 * commands: the subcommands of the `portico` program, one file each under src/cli/. Each takes the
 * arguments after its own name and returns the process exit status. Nothing here serves requests;
 * the commands wire the modules together.
 */
#ifndef PORTICO_CLI_COMMANDS_H
#define PORTICO_CLI_COMMANDS_H

int cmd_serve(int argc, char **argv);       /* serve [TEMPLATE...] [--data DIR] [--listen A:P] ... */
int cmd_render(int argc, char **argv);      /* render TEMPLATE_FILE [--body ...] ...: one mapping template */
int cmd_test_invoke(int argc, char **argv); /* test-invoke TEMPLATE METHOD PATH ...: the console's TEST button */
int cmd_validate(int argc, char **argv);    /* validate TEMPLATE: load, compile, warn about traps */

#endif
