#include <stdio.h>

#include "cli/commands.h"

int cmd_render(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fputs("portico: 'render' is not built yet\n", stderr);
    return 1;
}
