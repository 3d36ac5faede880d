#include "gateway/selection.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdlib.h>

struct selection_pattern {
    pcre2_code *code;
};

selection_pattern *selection_compile(slice pattern, aws_error *err)
{
    int code;
    PCRE2_SIZE offset;
    pcre2_code *re = pcre2_compile((PCRE2_SPTR)pattern.ptr, pattern.len, PCRE2_UTF | PCRE2_ANCHORED | PCRE2_ENDANCHORED,
                                   &code, &offset, NULL);
    if (re == NULL) {
        PCRE2_UCHAR msg[256];
        pcre2_get_error_message(code, msg, sizeof(msg));
        error_set(err, 400, "BadRequestException", "%s at offset %zu", (const char *)msg, (size_t)offset);
        return NULL;
    }
    pcre2_jit_compile(re, PCRE2_JIT_COMPLETE);
    selection_pattern *p = malloc(sizeof(*p));
    p->code = re;
    return p;
}

bool selection_matches(const selection_pattern *p, slice subject)
{
    pcre2_match_data *md = pcre2_match_data_create_from_pattern(p->code, NULL);
    int rc = pcre2_match(p->code, (PCRE2_SPTR)(subject.ptr != NULL ? subject.ptr : ""), subject.len, 0, 0, md, NULL);
    pcre2_match_data_free(md);
    return rc >= 0;
}
