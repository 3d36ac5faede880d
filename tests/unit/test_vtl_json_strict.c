/* The strict fast route of v_parse_json (value_json_strict.c) against the permissive json-smart route
 * (jutil_json_parse, converted by v_from_json): whenever the fast route takes a document its values print and
 * compare the same; documents outside its subset are left to the permissive route, which gives the same
 * results and errors through v_parse_json as on its own. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "jutil_vectors.h"
#include "vtl/value.h"
#include "vtl_test_util.h"

#define COUNT(x) (sizeof(x) / sizeof((x)[0]))

typedef struct doc_case {
    const char *text;
    size_t len; /* 0: strlen */
    bool fast;  /* the strict route must take it */
} doc_case;

static const doc_case DOCS[] = {
    /* the strict subset */
    {"{}", 0, true},
    {"[]", 0, true},
    {" \t\r\n{ \"a\" : 1 , \"b\":[ ] ,\"c\":{ } } \n", 0, true},
    {"[1,-0,0,-1,1.0,1e5,1E+5,1e-5,-0.0,0.5,123456789012345678,-123456789012345678,2147483647,2147483648,"
     "-2147483648,-2147483649,1.7976931348623157e308,4.9e-324,3.141592653589793238462643383279]",
     0, true},
    {"[true,false,null,\"\",\"x\"]", 0, true},
    {"{\"s\":\"a\\\"b\\\\c\\/d\\be\\ff\\ng\\rh\\ti\"}", 0, true},
    {"[\"caf\xc3\xa9\",\"\xe2\x82\xac\",\"\xf0\x9f\x98\x80\",\"bad \xff\xfe utf8\",\"\xc3\"]", 0, true},
    {"[\"\\n\xc3\xa9\\t\"]", 0, true},
    {"{\"a\":1,\"a\":2,\"b\":3,\"a\":4}", 0, true},
    {"{\"k1\":1,\"k2\":2,\"k3\":3,\"k4\":4,\"k5\":5,\"k6\":6,\"k7\":7,\"k8\":8,\"k9\":9,\"k10\":10,\"k3\":33,"
     "\"k11\":11,\"k1\":111,\"k12\":{\"x\":[1,{\"y\":null}]},\"\":0,\"\":1}",
     0, true},
    {"[[[[[[[[[[{\"a\":[[[[[[[[[[1]]]]]]]]]]}]]]]]]]]]]", 0, true},
    {"[\"exactly8\",\"exactly16bytes!!\",\"seven77\",\"a longer string that crosses several words\"]", 0, true},
    {"[\"ctl\x01\x1f chars\"]", 0, true},
    {"{\"a\\u0000b\":1}", 0, false},
    {"{\"a\0b\":\"c\0d\"}", 13, true},
    /* one-string objects as DynamoDB writes typed values, read without opening a frame ({"S": and {"N": matched
     * as one word), and the shapes next to them that must take the general way */
    {"[{\"S\":\"x\"},{\"S\": \"y\"},{\"N\": \"12\"},{\"S\":\"\"},{\"S\": \"\"}]", 0, true},
    {"{\"a\":{\"S\":\"x\"},\"b\":{\"SS\": \"y\"},\"c\":{\"S\" : \"z\"},\"d\":{ \"S\": \"w\" }}", 0, true},
    {"[{\"S\": \"x\", \"N\": \"1\"},{\"S\": \"x\",\"S\": \"y\"},{\"S\": 1},{\"S\": [\"x\"]}]", 0, true},
    {"[{\"S\": \"a\\\"b\\n\"},{\"S\": \"caf\xc3\xa9\"},{\"\\n\": \"x\"},{\"/\": \"x\"},{\" \": \"x\"}]", 0, true},
    {"[{\"\x01\": \"x\"},{\"\xc3\xa9\": \"x\"},{\"\xff\": \"x\"},{\"S\":\"x\"}\n]", 0, true},
    {"[{\"S\":\"x\"}]", 0, true},
    {"{\"S\":\"x\"}", 0, true},
    {"[{\"\"\":\"x\"}]", 0, false},
    {"[{\"\\\":\"x\"}]", 0, false},
    {"[{\"S\":\"x\"}", 0, false},
    {"[{\"S\":\"x\"]", 0, false},
    {"[{\"S\":\"x}]", 0, false},
    {"[{\"S\":\"x\\q\"}]", 0, false},
    {"[{\"S\"\"x\"}]", 0, false},
    {"[{\"S\":  \"x\"},{\"S\":\n\"x\"}]", 0, true},
    {"[{\"S\":\"\\u0041\"}]", 0, false},
    /* left to the permissive route: json-smart's extensions, or errors */
    {"[\"\\u00e9\"]", 0, false},
    {"[\"\\ud83d\\ude00\"]", 0, false},
    {"[\"\\x41\"]", 0, false},
    {"[\"\\q\"]", 0, false},
    {"['single']", 0, false},
    {"{unquoted: 1}", 0, false},
    {"[01]", 0, false},
    {"[1.]", 0, false},
    {"[.5]", 0, false},
    {"[1e]", 0, false},
    {"[-]", 0, false},
    {"[+1]", 0, false},
    {"[1234567890123456789]", 0, false},
    {"[99999999999999999999]", 0, false},
    {"[1e400]", 0, false},
    {"[-1e400]", 0, false},
    {"[1,]", 0, false},
    {"[,1]", 0, false},
    {"{\"a\":1,}", 0, false},
    {"[1 2]", 0, false},
    {"[truex]", 0, false},
    {"[true }]", 0, false},
    {"[nul]", 0, false},
    {"[NaN]", 0, false},
    {"{\"a\" 1}", 0, false},
    {"{\"a\":1]", 0, false},
    {"[1}", 0, false},
    {"{} trailing", 0, false},
    {"[] []", 0, false},
    {"\"top string\"", 0, false},
    {"42", 0, false},
    {"true", 0, false},
    {"", 0, false},
    {"   ", 0, false},
    {"[", 0, false},
    {"{\"a\":", 0, false},
    {"{\"a", 0, false},
    {"[\"unterminated", 0, false},
    {"[\"ends in backslash\\", 0, false},
    {"[\"esc \\\" unterminated", 0, false},
    {"[1\x0b]", 0, false},
    {"[1,\xc3\xa9]", 0, false},
    {"\xef\xbb\xbf{}", 0, false},
};

static void print_both(jutil_buf *b, vval v)
{
    v_print(b, v, NULL, NULL);
    jutil_buf_putc(b, '\n');
    v_print_json(b, v, JUTIL_JSON_DEFAULT);
    jutil_buf_putc(b, '\n');
    v_print_json(b, v, JUTIL_JSON_LT_COMPRESS);
}

/* Compares the fast route, v_parse_json and the permissive route on one document. */
static void check_doc(arena *a, slice text, int want_fast, const char *label)
{
    aws_error pe, ve;
    error_clear(&pe);
    error_clear(&ve);
    json_t *j = NULL;
    int prc = jutil_json_parse(text, &j, &pe);
    vval fast, via;
    bool took = v_parse_json_strict(a, text, &fast);
    int vrc = v_parse_json(a, text, &via, &ve);
    if (want_fast >= 0)
        cr_expect_eq(took, want_fast == 1, "%s: strict route %s", label, took ? "took it" : "left it");
    cr_expect_eq(vrc, prc, "%s: v_parse_json %d, permissive %d", label, vrc, prc);
    if (prc != 0) {
        cr_expect(!took, "%s: strict route took a document the permissive one refuses", label);
        if (vrc != 0)
            cr_expect_str_eq(ve.message, pe.message, "%s", label);
        return;
    }
    vval want = v_from_json(a, j);
    jutil_buf bw, bv;
    jutil_buf_init(&bw, a, 64);
    jutil_buf_init(&bv, a, 64);
    print_both(&bw, want);
    print_both(&bv, via);
    cr_expect(slice_eq(buf_slice(&bw), buf_slice(&bv)), "%s: [%s] vs [%s]", label, bw.ptr, bv.ptr);
    cr_expect(v_java_equals(want, via), "%s", label);
    if (took) {
        jutil_buf bf;
        jutil_buf_init(&bf, a, 64);
        print_both(&bf, fast);
        cr_expect(slice_eq(buf_slice(&bw), buf_slice(&bf)), "%s: [%s] vs [%s]", label, bw.ptr, bf.ptr);
        cr_expect(v_java_equals(want, fast), "%s", label);
    }
}

Test(vtl_json_strict, agrees_with_the_permissive_route)
{
    VTL_TEST_ARENA_OPEN(a, prev);
    for (size_t i = 0; i < COUNT(DOCS); i++) {
        slice text = slice_make(DOCS[i].text, DOCS[i].len ? DOCS[i].len : strlen(DOCS[i].text));
        check_doc(&a, text, DOCS[i].fast, DOCS[i].text);
    }
    VTL_TEST_ARENA_CLOSE(a, prev);
}

/* Every json-smart vector recorded from the Java library goes through both routes alike. */
Test(vtl_json_strict, agrees_on_the_json_smart_vectors)
{
    VTL_TEST_ARENA_OPEN(a, prev);
    for (size_t i = 0; i < COUNT(JSON_PARSE); i++)
        check_doc(&a, slice_make(JSON_PARSE[i].in.ptr, JSON_PARSE[i].in.len), -1, JSON_PARSE[i].in.ptr);
    VTL_TEST_ARENA_CLOSE(a, prev);
}

/* Large objects find repeated keys through a hash index, big arrays outgrow the route's first value stack,
 * and nesting past the route's depth limit (but within json-smart's) is left to the permissive reader. */
Test(vtl_json_strict, large_and_deep_documents)
{
    VTL_TEST_ARENA_OPEN(a, prev);
    jutil_buf b;
    jutil_buf_init(&b, &a, 1 << 16);
    jutil_buf_putc(&b, '{');
    for (int i = 0; i < 700; i++) {
        char kv[64];
        int n = snprintf(kv, sizeof kv, "%s\"k%d\":[%d,\"v%d\"]", i ? "," : "", i % 300, i, i);
        jutil_buf_put(&b, kv, (size_t)n);
    }
    jutil_buf_putc(&b, '}');
    check_doc(&a, buf_slice(&b), 1, "700 keys, 300 distinct");

    for (int depth = 499; depth <= 502; depth++) {
        jutil_buf d;
        jutil_buf_init(&d, &a, 2048);
        for (int i = 0; i < depth; i++)
            jutil_buf_putc(&d, '[');
        jutil_buf_put(&d, "1", 1);
        for (int i = 0; i < depth; i++)
            jutil_buf_putc(&d, ']');
        check_doc(&a, buf_slice(&d), depth <= 500, "deep array");
    }
    jutil_buf deep;
    jutil_buf_init(&deep, &a, 4096);
    for (int i = 0; i < 1200; i++)
        jutil_buf_put(&deep, "{\"a\":", 5);
    check_doc(&a, buf_slice(&deep), 0, "past json-smart's depth limit");
    VTL_TEST_ARENA_CLOSE(a, prev);
}

/* A document in a buffer of exactly its length, so that the sanitizers see any read past its end. */
static void check_exact(arena *a, const char *text, size_t len, int want_fast, const char *label)
{
    char *copy = malloc(len ? len : 1);
    cr_assert_not_null(copy);
    memcpy(copy, text, len);
    check_doc(a, slice_make(copy, len), want_fast, label);
    free(copy);
}

static void check_str(arena *a, const char *text, int want_fast)
{
    check_exact(a, text, strlen(text), want_fast, text);
}

/* Strings and numbers whose ends fall on each side of the eight-byte words the reader scans, at each distance
 * from the end of the text (where whole words no longer fit), as keys, values and single-string objects. */
Test(vtl_json_strict, word_boundaries_and_the_end_of_the_text)
{
    VTL_TEST_ARENA_OPEN(a, prev);
    static const char *const NUMBERS[] = {"0",
                                          "7",
                                          "-0",
                                          "12345678",
                                          "123456789",
                                          "1234567812345678",
                                          "-1234567",
                                          "2147483647",
                                          "2147483648",
                                          "-2147483649",
                                          "123456789012345678",
                                          "-123456789012345678",
                                          "0.5",
                                          "-0.0",
                                          "1e5",
                                          "1E-22",
                                          "1e22",
                                          "1e23",
                                          "12345678.87654321",
                                          "0.1234567890123456789",
                                          "9007199254740993.0",
                                          "9007199254740992.0",
                                          "1.7976931348623157e308",
                                          "4.9e-324",
                                          "2.2250738585072014e-308",
                                          "0e5",
                                          "123.456e-7",
                                          "1.0E+2"};
    char doc[256], s[64];
    for (size_t n = 0; n <= 40; n++) { /* past two of the reader's 16-byte steps */
        memset(s, 'a' + (int)(n % 26), n);
        s[n] = '\0';
        for (size_t pad = 0; pad < 10; pad++) {
            const char *ws = "          " + (10 - pad);
            snprintf(doc, sizeof doc, "[%s\"%s\"]", ws, s);
            check_str(&a, doc, 1);
            snprintf(doc, sizeof doc, "{%s\"%s\":%s\"%s\"}", ws, s, ws, s);
            check_str(&a, doc, 1);
            snprintf(doc, sizeof doc, "{\"k\":1,%s\"%s\":[]}", ws, s);
            check_str(&a, doc, 1);
            snprintf(doc, sizeof doc, "[{\"S\":\"%s\"},{\"S\": \"%s\" },%s{ \"%s\" : \"x\" }]", s, s, ws, s);
            check_str(&a, doc, 1);
            snprintf(doc, sizeof doc, "{\"%s\":\"\\n%s\"}", s, s); /* an escape: the scan is not plain */
            check_str(&a, doc, 1);
            snprintf(doc, sizeof doc, "[\"caf\xc3\xa9%s\",%s\"%s\"]", s, ws, s); /* non-ASCII */
            check_str(&a, doc, 1);
        }
    }
    for (size_t i = 0; i < COUNT(NUMBERS); i++)
        for (size_t pad = 0; pad < 10; pad++) {
            const char *ws = "          " + (10 - pad);
            snprintf(doc, sizeof doc, "[%s%s]", NUMBERS[i], ws);
            check_str(&a, doc, -1);
            snprintf(doc, sizeof doc, "{\"n\":%s%s,\"m\":[%s,%s]}", ws, NUMBERS[i], NUMBERS[i], NUMBERS[i]);
            check_str(&a, doc, -1);
            snprintf(doc, sizeof doc, "[%s, \"x\\t\", %s]", NUMBERS[i], NUMBERS[i]);
            check_str(&a, doc, -1);
        }
    VTL_TEST_ARENA_CLOSE(a, prev);
}

/* Objects whose keys share lengths, repeat, or differ only in a later byte; small and large ones. */
Test(vtl_json_strict, repeated_keys)
{
    VTL_TEST_ARENA_OPEN(a, prev);
    static const char *const DOCS2[] = {
        "{\"ab\":1,\"cd\":2,\"ef\":3}",
        "{\"ab\":1,\"ac\":2,\"ab\":3}",
        "{\"ab\":1,\"ac\":2,\"ad\":3,\"ac\":{\"x\":1,\"x\":[2]}}",
        "{\"a\":1,\"\":2,\"\":3,\"b\":4}",
        "{\"S\":\"x\",\"S\":\"y\"}",
        "{\"S\":\"x\",\"S\":{}}",
        "{\"key\":\"v\",\"kez\":\"w\",\"kex\":null}",
        "{\"x\":1,\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\":2,\"x\":3}",
        "{\"abcdefghijklmnopq\":1,\"abcdefghijklmnopr\":2,\"abcdefghijklmnopq\":3}",
    };
    for (size_t i = 0; i < COUNT(DOCS2); i++)
        check_str(&a, DOCS2[i], 1);
    /* 1 to 40 keys (either side of the small-object limit), with a repeat at each place or none */
    for (int n = 1; n <= 40; n++)
        for (int rep = -1; rep < n; rep++) {
            jutil_buf b;
            jutil_buf_init(&b, &a, 1024);
            jutil_buf_putc(&b, '{');
            for (int i = 0; i < n; i++) {
                char kv[48];
                int len = snprintf(kv, sizeof kv, "%s\"k%d\":%d", i ? "," : "", i, i);
                jutil_buf_put(&b, kv, (size_t)len);
            }
            if (rep >= 0) {
                char kv[48];
                int len = snprintf(kv, sizeof kv, ",\"k%d\":\"again\"", rep);
                jutil_buf_put(&b, kv, (size_t)len);
            }
            jutil_buf_putc(&b, '}');
            check_exact(&a, b.ptr, b.len, 1, "keys k0..kn");
        }
    VTL_TEST_ARENA_CLOSE(a, prev);
}

/* Where the strict route stops: at the last bracket, with white space of every kind around tokens. */
Test(vtl_json_strict, brackets_and_white_space)
{
    VTL_TEST_ARENA_OPEN(a, prev);
    static const struct {
        const char *text;
        int fast;
    } CASES[] = {
        {"[1] ", 1},
        {"\t\r\n [1]\t\r\n ", 1},
        {"[[1]", 0},
        {"[1]]", 0},
        {"{\"a\":[1]}}", 0},
        {"{\"S\":\"x\"}}", 0},
        {"{\"S\":\"x\"}]", 0},
        {"[{\"S\":\"x\"}", 0},
        {"{\"S\":\"x\"", 0},
        {"{\"S\":\"x}", 0},
        {"{\"a\":1} {\"b\":2}", 0},
        {"{ \"a\" :\t1 ,\n\"b\"\r\n:\n[ 1 , 2 ] , \"c\" : { \"S\" : \"x\" } }", 1},
        {"{\"a\":  \"x\"  ,  \"b\":\t\t\"y\"\n}", 1},
        {"{\"a\":\x0b\"x\"}", 0},
        {"{\"a\"\x0b:\"x\"}", 0},
        {"[1,\x0b2]", 0},
        {"[\"x\"\x0b]", 0},
        {"{\"a\":-}", 0},
        {"{\"a\":-\"x\"}", 0},
        {"[-x]", 0},
        {"[tru]", 0},
        {"[fals]", 0},
        {"{\"a\":nul}", 0},
        {"[true,false,null,-1,{\"S\":\"\"}]", 1},
    };
    for (size_t i = 0; i < COUNT(CASES); i++)
        check_str(&a, CASES[i].text, CASES[i].fast);
    /* indentation of every depth up to three words, before and after tokens and around the document */
    for (int k = 0; k <= 24; k++) {
        char in[32], doc[512];
        memset(in, ' ', (size_t)k);
        in[k] = '\0';
        snprintf(doc, sizeof doc, "%s{\n%s\"a\" :%s[\n%s1 ,\n%s\t\"x\"%s\r\n%s]%s,\n%s\"b\":%s{%s\"S\":%s\"y\"%s}\n}%s",
                 in, in, in, in, in, in, in, in, in, in, in, in, in, in);
        check_str(&a, doc, 1);
    }
    VTL_TEST_ARENA_CLOSE(a, prev);
}

/* Strings without escapes or non-ASCII bytes point into the text, as the permissive reader's do; a text with
 * a backslash or non-ASCII byte anywhere (here after more than a kilobyte) is scanned the careful way. */
Test(vtl_json_strict, strings_point_into_the_text)
{
    VTL_TEST_ARENA_OPEN(a, prev);
    for (int tail = 0; tail < 3; tail++) {
        jutil_buf b;
        jutil_buf_init(&b, &a, 4096);
        jutil_buf_putc(&b, '[');
        for (int i = 0; i < 200; i++) {
            char item[32];
            int len = snprintf(item, sizeof item, "%s\"item %d\"", i ? "," : "", i);
            jutil_buf_put(&b, item, (size_t)len);
        }
        static const char *const TAILS[] = {"", ",\"a\\\"b\"", ",\"caf\xc3\xa9\""};
        jutil_buf_puts(&b, slice_make(TAILS[tail], strlen(TAILS[tail])));
        jutil_buf_putc(&b, ']');
        vval v;
        cr_assert(v_parse_json_strict(&a, buf_slice(&b), &v));
        cr_assert_eq(v.kind, V_LIST);
        cr_assert_eq(v.u.l->n, tail ? 201u : 200u);
        for (size_t i = 0; i < 200; i++) {
            vval s = v.u.l->items[i];
            char want[16];
            int len = snprintf(want, sizeof want, "item %zu", i);
            cr_assert_eq(s.kind, V_STRING);
            cr_assert(slice_eq(v_s(s), slice_make(want, (size_t)len)));
            cr_assert(s.u.str > b.ptr && s.u.str < b.ptr + b.len, "item %zu points outside the text", i);
        }
        if (tail) {
            vval s = v.u.l->items[200];
            cr_assert(slice_eq(v_s(s), tail == 1 ? SLICE_LIT("a\"b") : SLICE_LIT("caf\xc3\xa9")));
        }
        check_exact(&a, b.ptr, b.len, 1, "200 strings");
    }
    VTL_TEST_ARENA_CLOSE(a, prev);
}
