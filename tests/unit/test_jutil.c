/* jutil against outputs of the real Java libraries: the vectors in jutil_vectors.h were produced by
 * tests/vtl-diff/oracle/JutilVectors.java (Commons Lang 2.6, java.net.URLEncoder/URLDecoder, java.util.Base64,
 * Double.toString of OpenJDK 17, json-smart 2.2 via Jayway JsonPath 2.0's JsonSmartJsonProvider). */
#include <criterion/criterion.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "vtl/jutil.h"

#include "jutil_vectors.h"

#define COUNT(t) (sizeof(t) / sizeof((t)[0]))

typedef void (*writer)(jutil_buf *, slice);
typedef int (*fallible)(jutil_buf *, slice, aws_error *);

static slice S(jutil_text t)
{
    return slice_make(t.ptr, t.len);
}

static bool same(jutil_buf *b, jutil_text want)
{
    slice got = jutil_buf_slice(b);
    return want.ptr != NULL && got.len == want.len && memcmp(got.ptr, want.ptr, got.len) == 0;
}

static void check_writer(const jutil_vector *v, size_t n, writer f, const char *name)
{
    arena a;
    arena_init(&a, 4096);
    for (size_t i = 0; i < n; i++) {
        jutil_buf b;
        jutil_buf_init(&b, &a, 8);
        f(&b, S(v[i].in));
        cr_expect(same(&b, v[i].out), "%s(\"%s\") gave \"%s\", Java \"%s\"", name, v[i].in.ptr, b.ptr, v[i].out.ptr);
    }
    arena_destroy(&a);
}

static void check_fallible(const jutil_vector *v, size_t n, fallible f, const char *name)
{
    arena a;
    arena_init(&a, 4096);
    for (size_t i = 0; i < n; i++) {
        jutil_buf b;
        jutil_buf_init(&b, &a, 8);
        aws_error e;
        error_clear(&e);
        int rc = f(&b, S(v[i].in), &e);
        if (v[i].error.ptr != NULL) {
            cr_expect_eq(rc, -1, "%s(\"%s\") should fail", name, v[i].in.ptr);
            cr_expect_str_eq(e.message, v[i].error.ptr, "%s(\"%s\")", name, v[i].in.ptr);
        } else {
            cr_expect_eq(rc, 0, "%s(\"%s\") failed: %s", name, v[i].in.ptr, e.message);
            cr_expect(same(&b, v[i].out), "%s(\"%s\") gave \"%s\", Java \"%s\"", name, v[i].in.ptr, b.ptr,
                      v[i].out.ptr);
        }
    }
    arena_destroy(&a);
}

Test(jutil, escape_javascript_as_commons_lang)
{
    check_writer(ESCAPE_JAVASCRIPT, COUNT(ESCAPE_JAVASCRIPT), jutil_escape_javascript, "escapeJavaScript");
}

Test(jutil, url_encode_as_java)
{
    check_writer(URL_ENCODE, COUNT(URL_ENCODE), jutil_url_encode, "urlEncode");
}

Test(jutil, url_decode_as_java)
{
    check_fallible(URL_DECODE, COUNT(URL_DECODE), jutil_url_decode, "urlDecode");
}

Test(jutil, base64_as_java)
{
    check_writer(BASE64_ENCODE, COUNT(BASE64_ENCODE), jutil_base64_encode, "base64Encode");
    check_fallible(BASE64_DECODE, COUNT(BASE64_DECODE), jutil_base64_decode, "base64Decode");
}

Test(jutil, escape_keeps_nul_and_invalid_utf8_as_java_reads_it)
{
    arena a;
    arena_init(&a, 1024);
    jutil_buf b;
    jutil_buf_init(&b, &a, 8);
    jutil_escape_javascript(&b, slice_make("a\0b\xff", 4)); /* 0xff is U+FFFD once Java decoded it */
    cr_assert_str_eq(jutil_buf_slice(&b).ptr, "a\\u0000b\\uFFFD");
    arena_destroy(&a);
}

Test(jutil, double_to_string_as_java)
{
    for (size_t i = 0; i < COUNT(DOUBLE_TO_STRING); i++) {
        const char *in = DOUBLE_TO_STRING[i].in.ptr;
        double d;
        if (in[0] == 'x') {
            uint64_t bits = strtoull(in + 1, NULL, 16);
            memcpy(&d, &bits, sizeof d);
        } else {
            d = strtod(in, NULL);
        }
        char out[JUTIL_NUMBER_MAX];
        size_t n = jutil_format_double(d, out);
        cr_expect_eq(n, strlen(out));
        cr_expect_str_eq(out, DOUBLE_TO_STRING[i].out.ptr, "Double.toString(%s)", in);
    }
}

Test(jutil, long_to_string)
{
    char out[JUTIL_NUMBER_MAX];
    jutil_format_long(0, out);
    cr_assert_str_eq(out, "0");
    jutil_format_long(-9223372036854775807LL - 1, out);
    cr_assert_str_eq(out, "-9223372036854775808");
    jutil_format_long(2147483648LL, out);
    cr_assert_str_eq(out, "2147483648");
}

Test(jutil, json_smart_permissive_parse_and_print)
{
    json_glue_init();
    arena a;
    arena_init(&a, 1 << 16);
    arena *prev = json_arena_push(&a);
    for (size_t i = 0; i < COUNT(JSON_PARSE); i++) {
        const jutil_vector *v = &JSON_PARSE[i];
        json_t *doc = NULL;
        aws_error e;
        error_clear(&e);
        int rc = jutil_json_parse(S(v->in), &doc, &e);
        if (v->error.ptr != NULL) {
            cr_expect_eq(rc, -1, "parse(%s) should fail", v->in.ptr);
            cr_expect_str_eq(e.message, v->error.ptr, "parse(%s)", v->in.ptr);
            cr_expect_str_eq(e.type, "ParseException");
            continue;
        }
        cr_expect_eq(rc, 0, "parse(%s): %s", v->in.ptr, e.message);
        if (rc != 0)
            continue;
        jutil_buf b;
        jutil_buf_init(&b, &a, 64);
        jutil_java_string(&b, doc);
        jutil_buf_putc(&b, '\n');
        jutil_json_write(&b, doc, JUTIL_JSON_LT_COMPRESS);
        jutil_buf_putc(&b, '\n');
        jutil_json_write(&b, doc, JUTIL_JSON_DEFAULT);
        cr_expect(same(&b, v->out), "parse(%s) gave \"%s\", Java \"%s\"", v->in.ptr, b.ptr, v->out.ptr);
    }
    json_arena_pop(prev);
    arena_destroy(&a);
}
