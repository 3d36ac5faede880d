#include "http/sigv4.h"

#include <string.h>

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static slice trim(slice s)
{
    while (s.len != 0 && is_space(s.ptr[0])) {
        s.ptr++;
        s.len--;
    }
    while (s.len != 0 && is_space(s.ptr[s.len - 1]))
        s.len--;
    return s;
}

static void split_credential(sigv4_header *out)
{
    slice c = out->credential;
    while (c.len != 0 && c.ptr[c.len - 1] == '/')
        c.len--;
    slice parts[5];
    int n = 0;
    size_t start = 0;
    for (size_t i = 0; i <= c.len; i++) {
        if (i == c.len || c.ptr[i] == '/') {
            if (n < 5)
                parts[n] = slice_make(c.ptr + start, i - start);
            n++;
            start = i + 1;
        }
    }
    out->credential_parts = c.len == 0 ? 0 : n;
    if (n == 5) {
        out->access_key = parts[0];
        out->date = parts[1];
        out->region = parts[2];
        out->service = parts[3];
        out->terminator = parts[4];
    }
}

void sigv4_parse_header(slice authorization, sigv4_header *out)
{
    memset(out, 0, sizeof(*out));
    slice s = trim(authorization);
    size_t i = 0;
    while (i < s.len && !is_space(s.ptr[i]) && s.ptr[i] != ',')
        i++;
    out->algorithm = slice_make(s.ptr, i);
    while (i < s.len) {
        while (i < s.len && (is_space(s.ptr[i]) || s.ptr[i] == ','))
            i++;
        size_t start = i;
        while (i < s.len && !is_space(s.ptr[i]) && s.ptr[i] != ',')
            i++;
        slice param = slice_make(s.ptr + start, i - start);
        if (param.len == 0)
            continue;
        const char *eq = memchr(param.ptr, '=', param.len);
        if (eq == NULL)
            continue;
        slice key = slice_make(param.ptr, (size_t)(eq - param.ptr));
        slice value = slice_make(eq + 1, param.len - key.len - 1);
        if (slice_eq_cstr(key, "Credential"))
            out->credential = value;
        else if (slice_eq_cstr(key, "SignedHeaders"))
            out->signed_headers = value;
        else if (slice_eq_cstr(key, "Signature"))
            out->signature = value;
    }
    if (out->credential.ptr != NULL)
        split_credential(out);
}

int sigv4_query_param(slice query, const char *name, slice *value)
{
    if (query.len == 0)
        return -1;
    size_t nlen = strlen(name);
    size_t i = 0;
    while (i <= query.len) {
        size_t start = i;
        while (i < query.len && query.ptr[i] != '&')
            i++;
        slice pair = slice_make(query.ptr + start, i - start);
        const char *eq = pair.len != 0 ? memchr(pair.ptr, '=', pair.len) : NULL;
        size_t klen = eq != NULL ? (size_t)(eq - pair.ptr) : pair.len;
        if (klen == nlen && memcmp(pair.ptr, name, nlen) == 0) {
            if (value != NULL)
                *value = eq != NULL ? slice_make(eq + 1, pair.len - klen - 1) : slice_make("", 0);
            return 0;
        }
        i++;
    }
    return -1;
}
