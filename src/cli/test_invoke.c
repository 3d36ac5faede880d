#include <stdio.h>

#include "cli/commands.h"

int cmd_test_invoke(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fputs("portico: 'test-invoke' is not built yet\n", stderr);
    return 1;
}
