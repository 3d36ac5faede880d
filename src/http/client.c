#include "http/loop_internal.h"

void http_client_loop_dispose(http_loop *loop)
{
    (void)loop;
}
