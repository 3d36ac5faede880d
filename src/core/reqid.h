/*
 * reqid: request ids as AWS makes them (random UUID version 4, lower-case) from a per-thread
 * generator seeded by the operating system, so that making one costs no system call or lock.
 */
#ifndef PORTICO_CORE_REQID_H
#define PORTICO_CORE_REQID_H

#include <stdint.h>

#define REQID_UUID_LEN 36

/* Writes 36 characters and a NUL. */
void reqid_uuid(char out[REQID_UUID_LEN + 1]);
/* An X-Ray trace header value, "Root=1-" 8 hex digits of the epoch second, "-", 24 random hex digits:
 * REQID_TRACE_LEN characters and a NUL. */
#define REQID_TRACE_LEN 40
void reqid_trace(char out[REQID_TRACE_LEN + 1], int64_t epoch_seconds);
/* 64 random bits from the same generator (not for secrets: use OpenSSL's RAND_bytes for those). */
uint64_t reqid_random64(void);

#endif
