#include "core/reqid.h"

#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* xoshiro256** state per thread; seeded lazily. */
static _Thread_local uint64_t state[4];
static _Thread_local int seeded;

static uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

static void seed(void)
{
    if (RAND_bytes((unsigned char *)state, sizeof(state)) != 1) {
        /* Only uniqueness matters here, not secrecy: fall back to the clock and the stack address. */
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        state[0] = (uint64_t)ts.tv_nsec * 0x9e3779b97f4a7c15ULL;
        state[1] = (uint64_t)ts.tv_sec ^ (uint64_t)(uintptr_t)&ts;
        state[2] = 0x2545f4914f6cdd1dULL;
        state[3] = 0x94d049bb133111ebULL;
    }
    seeded = 1;
}

uint64_t reqid_random64(void)
{
    if (!seeded)
        seed();
    uint64_t result = rotl(state[1] * 5, 7) * 9;
    uint64_t t = state[1] << 17;
    state[2] ^= state[0];
    state[3] ^= state[1];
    state[1] ^= state[2];
    state[0] ^= state[3];
    state[2] ^= t;
    state[3] = rotl(state[3], 45);
    return result;
}

static const char hex[] = "0123456789abcdef";

/* The low `digits` nibbles of v in lower-case hex, most significant first. */
static char *put_hex(char *out, uint64_t v, int digits)
{
    for (int i = digits - 1; i >= 0; i--)
        *out++ = hex[(v >> (4 * i)) & 15];
    return out;
}

void reqid_trace(char out[REQID_TRACE_LEN + 1], int64_t epoch_seconds)
{
    memcpy(out, "Root=1-", 7);
    char *p = put_hex(out + 7, (uint64_t)epoch_seconds, 8);
    *p++ = '-';
    p = put_hex(p, reqid_random64(), 12);
    p = put_hex(p, reqid_random64(), 12);
    *p = '\0';
}

void reqid_uuid(char out[REQID_UUID_LEN + 1])
{
    unsigned char b[16];
    uint64_t hi = reqid_random64(), lo = reqid_random64();
    for (int i = 0; i < 8; i++) {
        b[i] = (unsigned char)(hi >> (56 - 8 * i));
        b[8 + i] = (unsigned char)(lo >> (56 - 8 * i));
    }
    b[6] = (unsigned char)((b[6] & 0x0f) | 0x40); /* version 4 */
    b[8] = (unsigned char)((b[8] & 0x3f) | 0x80); /* RFC 4122 variant */
    char *p = out;
    for (int i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            *p++ = '-';
        *p++ = hex[b[i] >> 4];
        *p++ = hex[b[i] & 15];
    }
    *p = '\0';
}
