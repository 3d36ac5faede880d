#include "core/error.h"

#include <stdarg.h>
#include <stdio.h>

static int error_vset(aws_error *e, int status, const char *type, const char *fmt, va_list ap)
{
    e->status = status;
    e->type = type;
    vsnprintf(e->message, sizeof(e->message), fmt, ap);
    return -1;
}

int error_set(aws_error *e, int status, const char *type, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    error_vset(e, status, type, fmt, ap);
    va_end(ap);
    return -1;
}

int error_validation(aws_error *e, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    error_vset(e, 400, "ValidationException", fmt, ap);
    va_end(ap);
    return -1;
}
