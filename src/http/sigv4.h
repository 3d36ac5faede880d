/*
 * sigv4: reading the parts of an AWS Signature Version 4 `Authorization` header
 * ("AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/dynamodb/aws4_request,
 * SignedHeaders=host;x-amz-date, Signature=abc..."). Only parses: it never verifies a signature and
 * never decides what an error looks like (each service words its own).
 */
#ifndef PORTICO_HTTP_SIGV4_H
#define PORTICO_HTTP_SIGV4_H

#include "core/slice.h"

typedef struct sigv4_header {
    slice algorithm;                             /* the first word: "AWS4-HMAC-SHA256" */
    slice credential, signed_headers, signature; /* SLICE_NULL when the parameter is absent */
    /* The credential scope, split on '/' (trailing slashes ignored); filled when it has 5 parts. */
    int credential_parts;
    slice access_key, date, region, service, terminator;
} sigv4_header;

/* Never fails: what is missing stays SLICE_NULL. Parameters are separated by commas and/or spaces. */
void sigv4_parse_header(slice authorization, sigv4_header *out);

/* The value of query-string parameter `name` (raw, not percent-decoded). Returns 0 when present
 * (with or without '='), -1 when absent. */
int sigv4_query_param(slice query, const char *name, slice *value);

#endif
