#include <stdio.h>

#include "cli/commands.h"

int cmd_serve(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fputs("portico: 'serve' is not built yet\n", stderr);
    return 1;
}
