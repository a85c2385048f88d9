/* test_spec: JSON request spec lines: every key, types, unknown keys,
 * trailing text, and header name matching. */
#include "unit.h"

#include "spec.h"

static bool parse(const char *line, struct spec *s, struct buf *err)
{
    buf_clear(err);
    return spec_parse(line, strlen(line), s, err);
}

static void test_full_spec(void **state)
{
    (void)state;
    struct spec s;
    struct buf err = {0};
    assert_true(parse("{\"url\":\"http://a/\",\"method\":\"PUT\",\"headers\":{\"X-A\":\"1\","
                      "\"X-Empty\":\"\"},\"data\":\"k=v\",\"id\":42,"
                      "\"expect\":{\"status\":\"201\",\"header\":[\"A: b\",\"C: d\"]}}",
                      &s, &err));
    assert_string_equal(s.url, "http://a/");
    assert_string_equal(s.method, "PUT");
    assert_int_equal(s.nheaders, 2);
    assert_string_equal(s.headers[0], "X-A: 1");
    assert_string_equal(s.headers[1], "X-Empty;");
    assert_string_equal(s.data, "k=v");
    assert_int_equal(s.data_len, 3);
    assert_string_equal(s.id_json, "42");
    assert_int_equal(s.nexpect, 3);
    assert_string_equal(s.expect[0], "status");
    assert_string_equal(s.expect[1], "201");
    assert_string_equal(s.expect[2], "header");
    assert_string_equal(s.expect[3], "A: b");
    assert_string_equal(s.expect[5], "C: d");
    spec_clear(&s);
    assert_null(s.url);
    buf_free(&err);
}

static void test_minimal_and_ids(void **state)
{
    (void)state;
    struct spec s;
    struct buf err = {0};
    assert_true(parse("{\"url\":\"x\"}", &s, &err));
    assert_null(s.method);
    assert_null(s.data);
    assert_null(s.id_json);
    spec_clear(&s);
    assert_true(parse("{\"url\":\"x\",\"id\":\"a\\\"b\"}", &s, &err));
    assert_string_equal(s.id_json, "\"a\\\"b\"");
    spec_clear(&s);
    assert_true(parse("{\"url\":\"x\",\"id\":null}  ", &s, &err));
    assert_string_equal(s.id_json, "null");
    spec_clear(&s);
    assert_true(parse("{\"url\":\"x\",\"id\":false}", &s, &err));
    assert_string_equal(s.id_json, "false");
    spec_clear(&s);
    buf_free(&err);
}

static void assert_bad(const char *line, const char *want)
{
    struct spec s;
    struct buf err = {0};
    if (parse(line, &s, &err))
        fail_msg("accepted: %s", line);
    if (!strstr(buf_str(&err), want))
        fail_msg("for %s: message '%s' lacks '%s'", line, err.p, want);
    assert_null(s.url);
    buf_free(&err);
}

static void test_bad_specs(void **state)
{
    (void)state;
    assert_bad("{", "invalid JSON");
    assert_bad("{\"url\":\"x\"} extra", "text after");
    assert_bad("[1]", "must be a JSON object");
    assert_bad("{\"method\":\"GET\"}", "without \"url\"");
    assert_bad("{\"url\":5}", "\"url\" must be a string");
    assert_bad("{\"url\":\"x\",\"bogus\":1}", "unknown key \"bogus\"");
    assert_bad("{\"url\":\"x\",\"headers\":[\"a\"]}", "\"headers\" must be an object");
    assert_bad("{\"url\":\"x\",\"headers\":{\"A\":1}}", "\"headers\" must be an object");
    assert_bad("{\"url\":\"x\",\"headers\":{\"A\":\"a\\r\\nb\"}}", "bad header");
    assert_bad("{\"url\":\"x\",\"headers\":{\"A:B\":\"v\"}}", "bad header");
    assert_bad("{\"url\":\"x\",\"id\":[1]}", "\"id\" must be");
    assert_bad("{\"url\":\"x\",\"method\":\"G T\"}", "bad \"method\"");
    /* control characters never reach the wire (issue 13) */
    assert_bad("{\"url\":\"x\",\"method\":\"GET\\r\\nX: 1\"}", "bad \"method\"");
    assert_bad("{\"url\":\"x\",\"method\":\"G\\u0001\"}", "bad \"method\"");
    assert_bad("{\"url\":\"x\",\"headers\":{\"A\":\"a\\u0000b\"}}", "NUL");
    assert_bad("{\"url\":\"x\\u0000y\"}", "NUL");
    assert_bad("{\"url\":\"x\",\"headers\":{\"A\":\"a\\u007fb\"}}", "bad header");
    assert_bad("{\"url\":\"x\",\"headers\":{\"A\\u0001\":\"v\"}}", "bad header");
    assert_bad("{\"url\":\"x\",\"headers\":{\"A(\":\"v\"}}", "bad header");
    assert_bad("{\"url\":\"x\",\"expect\":{\"nope\":\"1\"}}", "unknown expectation");
    assert_bad("{\"url\":\"x\",\"expect\":{\"status\":200}}", "must be a string");
    assert_bad("{\"url\":\"x\",\"expect\":\"200\"}", "\"expect\" must be an object");
}

/* A NUL would end a string early (cJSON's are C strings): refused, raw
 * or as \u0000, in any string, key or value. */
static void test_nul_in_strings(void **state)
{
    (void)state;
    static const char *const lines[] = {
        "{\"url\":\"http://a/\\u0000evil\"}",
        "{\"url\":\"x\",\"data\":\"a\\u0000b\"}",
        "{\"url\":\"x\",\"method\":\"GET\\u0000\"}",
        "{\"url\":\"x\",\"headers\":{\"X-A\":\"v\\u0000w\"}}",
        "{\"url\":\"x\",\"headers\":{\"X\\u0000\":\"v\"}}",
        "{\"url\":\"x\",\"id\":\"a\\u0000\"}",
        "{\"url\":\"x\",\"expect\":{\"body\":\"a\\u0000\"}}",
        "{\"url\\u0000\":\"x\"}",
        "{\"url\":\"x\\\\\\u0000\"}", /* an escaped backslash, then the escape */
    };
    for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++)
        assert_bad(lines[i], "NUL (\\u0000) in a request spec string");
    /* a raw NUL byte */
    static const char raw[] = "{\"url\":\"a\0b\"}";
    struct spec s;
    struct buf err = {0};
    assert_false(spec_parse(raw, sizeof raw - 1, &s, &err));
    assert_non_null(strstr(buf_str(&err), "NUL"));
    /* "\\u0000" is a backslash and the text u0000: fine */
    assert_true(parse("{\"url\":\"x\",\"data\":\"a\\\\u0000\"}", &s, &err));
    assert_string_equal(s.data, "a\\u0000");
    assert_int_equal(s.data_len, 7);
    spec_clear(&s);
    /* other escapes are fine */
    assert_true(parse("{\"url\":\"x\",\"data\":\"\\u0001\\u00e9\"}", &s, &err));
    assert_int_equal(s.data_len, 3);
    spec_clear(&s);
    buf_free(&err);
}

/* The id as the record writes it: valid UTF-8 always, the same bytes the
 * --resume key is made of. */
static void test_id_utf8(void **state)
{
    (void)state;
    struct spec s;
    struct buf err = {0};
    assert_true(parse("{\"url\":\"x\",\"id\":\"a\xff\xc3(b\"}", &s, &err));
    assert_string_equal(s.id_json, "\"a\xEF\xBF\xBD\xEF\xBF\xBD(b\"");
    spec_clear(&s);
    assert_true(parse("{\"url\":\"x\",\"id\":\"caf\xc3\xa9 \\u00e9\\t\"}", &s, &err));
    assert_string_equal(s.id_json, "\"caf\xc3\xa9 \xc3\xa9\\t\"");
    spec_clear(&s);
    assert_true(parse("{\"url\":\"x\",\"id\":-1.5e3}", &s, &err));
    assert_string_equal(s.id_json, "-1500");
    spec_clear(&s);
    buf_free(&err);
}

static void test_header_names(void **state)
{
    (void)state;
    assert_int_equal(spec_header_name_len("X-A: 1"), 3);
    assert_int_equal(spec_header_name_len("X-Empty;"), 7);
    assert_true(spec_header_named("x-a: 1", "X-A", 3));
    assert_false(spec_header_named("X-AB: 1", "X-A", 3));
    assert_false(spec_header_named("X: 1", "X-A", 3));
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_full_spec), cmocka_unit_test(test_minimal_and_ids),
    cmocka_unit_test(test_bad_specs), cmocka_unit_test(test_nul_in_strings),
    cmocka_unit_test(test_id_utf8),   cmocka_unit_test(test_header_names),
};

UNIT_MAIN("spec", tests)
