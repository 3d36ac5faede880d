/* The strict reader's shortcuts (value_json_strict.c) at the edges where they must give way: the typed value's
 * opening matched as one word right after its key's `": {`, a key's `":"` read straight into its string, and a
 * plain string near the end of the text found in the text's last sixteen bytes. Each document is compared with
 * the permissive route, in a buffer of exactly its length so that the sanitizers see any read past its end. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "vtl/value.h"
#include "vtl_test_util.h"

static void print_both(jutil_buf *b, vval v)
{
    v_print(b, v, NULL, NULL);
    jutil_buf_putc(b, '\n');
    v_print_json(b, v, JUTIL_JSON_DEFAULT);
}

/* want_fast: 1 the strict route must take it, 0 leave it, -1 either */
static void check_exact(arena *a, const char *text, size_t len, int want_fast, const char *label)
{
    char *copy = malloc(len ? len : 1);
    cr_assert_not_null(copy);
    memcpy(copy, text, len);
    slice s = slice_make(copy, len);
    aws_error pe;
    error_clear(&pe);
    json_t *j = NULL;
    int prc = jutil_json_parse(s, &j, &pe);
    vval fast;
    bool took = v_parse_json_strict(a, s, &fast);
    if (want_fast >= 0)
        cr_expect_eq(took, want_fast == 1, "%s: strict route %s", label, took ? "took it" : "left it");
    if (prc != 0) {
        cr_expect(!took, "%s: strict route took a document the permissive one refuses", label);
    } else if (took) {
        jutil_buf bw, bf;
        jutil_buf_init(&bw, a, 64);
        jutil_buf_init(&bf, a, 64);
        vval want = v_from_json(a, j);
        print_both(&bw, want);
        print_both(&bf, fast);
        cr_expect(slice_eq(buf_slice(&bw), buf_slice(&bf)), "%s: [%s] vs [%s]", label, bw.ptr, bf.ptr);
        cr_expect(v_java_equals(want, fast), "%s", label);
    }
    free(copy);
}

static void check_str(arena *a, const char *text, int want_fast)
{
    check_exact(a, text, strlen(text), want_fast, text);
}

/* `"key": {"S": "..."}` goes to the typed read from the key; every shape next to it takes the general way and
 * gives the same values. */
Test(vtl_json_strict2, typed_values_after_a_key)
{
    VTL_TEST_ARENA_OPEN(a, prev);
    static const struct {
        const char *text;
        int fast;
    } cases[] = {
        {"{\"k\": {\"S\": \"x\"}, \"l\": {\"N\": \"1\"}}", 1},
        {"{\"k\": {\"S\":\"x\"}, \"l\": {\"S\": \"\"}}", 1},
        {"{\"k\": {\"S\":  \"x\"}, \"l\": {\"S\":\t\"y\"}}", 1},
        {"{\"k\": {\"S\": \"x\", \"N\": \"1\"}, \"l\": {\"S\": 1}}", 1},
        {"{\"k\": {\"SS\": \"x\"}, \"l\": {\"S\" : \"y\"}, \"m\": { \"S\": \"z\"}}", 1},
        {"{\"k\": {\"S\": [\"x\"]}, \"l\": {\"S\": {\"S\": \"y\"}}}", 1},
        {"{\"k\": {\"\": \"x\"}, \"l\": {\"/\": \"y\"}, \"m\": {\" \": \"z\"}}", 1},
        {"{\"k\": {\"\\n\": \"x\"}, \"l\": {\"\xc3\xa9\": \"y\"}, \"m\": {\"S\": \"caf\xc3\xa9\"}}", 1},
        {"{\"k\": {\"S\": \"a\\\"b\"}, \"l\": {\"\xff\": \"y\"}}", 1},
        {"{\"k\": {\"S\": \"x\"}, \"k\": {\"S\": \"y\"}}", 1},
        {"{\"k\": {\"S\": \"x\"}}", 1},
        {"{\"a\": 1, \"k\": {\"S\": \"x\"}}", 1},
        {"{\"a\": 1, \"k\": {\"S\"}}", 0},
        {"{\"a\": 1, \"k\": {\"\"\": \"x\"}}", 0},
        {"{\"a\": 1, \"k\": {\"\\\": \"x\"}}", 0},
        {"{\"a\": 1, \"k\": {\"S\": \"x\"]}", 0},
        {"{\"a\": 1, \"k\": {\"S\": \"x}}", 0},
        {"{\"a\": 1, \"k\": {\"S\": \"x\"}", 0},
        {"{\"a\": 1, \"k\": {\"S\": \"x\\u0041\"}}", 0},
        {"{\"a\": 1, \"k\": {", 0},
        {"{\"a\": 1, \"k\": {\"S", 0},
        {"{\"a\": 1, \"k\": {\"S\": ", 0},
        {"{\"a\": 1, \"k\":  {\"S\": \"x\"}, \"l\":\n{\"S\": \"y\"}}", 1},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        check_str(&a, cases[i].text, cases[i].fast);
    VTL_TEST_ARENA_CLOSE(a, prev);
}

/* A key's `":"` followed by a quote reads the string at once; anything else after the colon, the usual way. */
Test(vtl_json_strict2, compact_string_values)
{
    VTL_TEST_ARENA_OPEN(a, prev);
    static const struct {
        const char *text;
        int fast;
    } cases[] = {
        {"{\"a\":\"1\",\"b\":\"\",\"c\":\"x\"}", 1},
        {"{\"a\":1,\"b\":\"x\",\"c\":[\"y\"],\"d\":{\"e\":\"z\"}}", 1},
        {"{\"a\":1,\"b\":\"x\\ty\",\"c\":\"caf\xc3\xa9\"}", 1},
        {"{\"a\":1,\"b\": \"x\",\"c\" :\"y\",\"d\":\n\"z\"}", 1},
        {"{\"a\":1,\"a\":\"x\",\"a\":\"y\"}", 1},
        {"{\"a\":1,\"b\":\"x}", 0},
        {"{\"a\":1,\"b\":\"x\"", 0},
        {"{\"a\":1,\"b\":\"x\"]", 0},
        {"{\"a\":1,\"b\":\"x\\u0041\"}", 0},
        {"{\"a\":1,\"b\":\"", 0},
        {"{\"a\":1,\"b\":\"}", 0},
        {"{\"a\":1,\"b\"::\"x\"}", 0},
        {"{\"a\":1,\"b\":\"x\" \"y\"}", 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        check_str(&a, cases[i].text, cases[i].fast);
    VTL_TEST_ARENA_CLOSE(a, prev);
}

/* Strings ending at every distance from the end of texts shorter and longer than sixteen bytes, closed or not,
 * plain or with an escape or a non-ASCII byte elsewhere in the text. */
Test(vtl_json_strict2, strings_near_the_end_of_the_text)
{
    VTL_TEST_ARENA_OPEN(a, prev);
    static const char *const prefixes[] = {"", "\"\\n\",", "\"\xc3\xa9\","};
    for (size_t pi = 0; pi < 3; pi++)
        for (int n = 0; n <= 40; n++)
            for (int pad = 0; pad <= 3; pad++) {
                char doc[128];
                int len = snprintf(doc, sizeof doc, "[%s\"", prefixes[pi]);
                for (int i = 0; i < n; i++)
                    doc[len++] = (char)('a' + i % 26);
                doc[len++] = '"';
                for (int i = 0; i < pad; i++)
                    doc[len++] = ' ';
                doc[len++] = ']';
                doc[len] = '\0';
                check_exact(&a, doc, (size_t)len, 1, doc);
                /* the same without its closing quote: never taken, nothing read past the end */
                memmove(doc + len - pad - 2, doc + len - pad - 1, (size_t)pad + 2);
                check_exact(&a, doc, (size_t)len - 1, 0, doc);
                /* as the value of a last key, compact */
                char obj[160];
                int olen = snprintf(obj, sizeof obj, "{\"k\":\"%.*s\"}", n,
                                    "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz");
                check_exact(&a, obj, (size_t)olen, 1, obj);
                check_exact(&a, obj, (size_t)olen - 2, 0, obj);
            }
    VTL_TEST_ARENA_CLOSE(a, prev);
}
