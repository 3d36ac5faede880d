#include <stdio.h>

#include "cli/commands.h"

int cmd_validate(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fputs("portico: 'validate' is not built yet\n", stderr);
    return 1;
}
