/*
 * error: failures as values. A function that can fail on outside input returns a status (0 ok, -1
 * failed) and fills an aws_error with what AWS would answer: the HTTP status, the error type as
 * AWS names it ("ValidationException", "ConditionalCheckFailedException", ...) and the message.
 * Nothing in the project aborts on bad input.
 */
#ifndef PORTICO_CORE_ERROR_H
#define PORTICO_CORE_ERROR_H

#include <stdbool.h>
#include <stddef.h>

#define AWS_ERROR_MESSAGE_MAX 1024

typedef struct aws_error {
    int status;       /* HTTP status, 0 while no error is set */
    const char *type; /* static string: AWS's error type without namespace; NULL while no error */
    char message[AWS_ERROR_MESSAGE_MAX];
} aws_error;

/* Fills e and returns -1, so that callers can write `return error_set(e, 400, "ValidationException", ...)`. */
int error_set(aws_error *e, int status, const char *type, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* Shorthand for DynamoDB's most common error. */
int error_validation(aws_error *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static inline bool error_is_set(const aws_error *e) { return e->type != NULL; }
static inline void error_clear(aws_error *e)
{
    e->status = 0;
    e->type = NULL;
    e->message[0] = '\0';
}

#endif
