/* test_headers: collecting response header lines as libcurl's header
 * callback hands them over (status lines, folding, trailers, redirects),
 * lookups by name in any case, the JSON object with repeated names joined
 * and secrets hidden, and a response with tens of thousands of lines. */
#include "unit.h"

#include "headers.h"

/* Feed the lines of TEXT ("\n"-separated; each gets its CRLF back). */
static void feed(struct headers *h, const char *text)
{
    struct buf line = {0};
    for (const char *p = text; *p;) {
        size_t n = strcspn(p, "\n");
        buf_clear(&line);
        buf_add(&line, p, n);
        buf_add(&line, "\r\n", 2);
        headers_feed(h, line.p, line.len);
        p += n + (p[n] == '\n');
    }
    buf_free(&line);
}

static char *json(struct headers *h)
{
    struct buf b = {0};
    headers_json(h, &b);
    return (char *)(uintptr_t)buf_str(&b); /* the caller frees */
}

#define assert_json(h, want)                                                                       \
    do {                                                                                           \
        char *got_ = json(h);                                                                      \
        assert_string_equal(got_, want);                                                           \
        free(got_);                                                                                \
    } while (0)

static void test_basic(void **state)
{
    (void)state;
    struct headers h;
    headers_init(&h);
    feed(&h, "HTTP/1.1 200 OK\nContent-Type: text/plain\nX-A: 1\nx-a:   2  \nX-B:\nX-A: 3\n\n");
    assert_string_equal(headers_get(&h, "content-type", 0), "text/plain");
    assert_string_equal(headers_get(&h, "X-A", 0), "1");
    assert_string_equal(headers_get(&h, "x-A", 1), "2"); /* blanks around the value dropped */
    assert_string_equal(headers_get(&h, "X-A", 2), "3");
    assert_null(headers_get(&h, "X-A", 3));
    assert_string_equal(headers_get(&h, "X-B", 0), ""); /* present, empty */
    assert_null(headers_get(&h, "X-C", 0));
    assert_null(headers_get(&h, "X", 0));
    assert_json(&h, "{\"Content-Type\":\"text/plain\",\"X-A\":\"1, 2, 3\",\"X-B\":\"\"}");
    headers_free(&h);
}

static void test_nothing(void **state)
{
    (void)state;
    struct headers h;
    headers_init(&h);
    assert_null(headers_get(&h, "X-A", 0));
    assert_json(&h, "{}");
    feed(&h, "X-A: 1\n"); /* no status line: not a response's header */
    assert_null(headers_get(&h, "X-A", 0));
    headers_free(&h);
}

static void test_last_response_only(void **state)
{
    (void)state;
    /* a redirect, a 100 Continue, a proxy's CONNECT reply: only the last
     * response's headers count; trailers after the block do not */
    struct headers h;
    headers_init(&h);
    feed(&h, "HTTP/1.1 200 Connection established\nX-Proxy: p\n\n"
             "HTTP/1.1 302 Found\nLocation: /b\nX-A: first\n\n"
             "HTTP/1.1 100 Continue\n\n"
             "HTTP/2 200 \ncontent-type: a/b\nx-a: second\n\n");
    assert_null(headers_get(&h, "Location", 0));
    assert_null(headers_get(&h, "X-Proxy", 0));
    assert_string_equal(headers_get(&h, "X-A", 0), "second");
    assert_null(headers_get(&h, "X-A", 1));
    feed(&h, "X-Trailer: t\n");
    assert_null(headers_get(&h, "X-Trailer", 0));
    assert_json(&h, "{\"content-type\":\"a/b\",\"x-a\":\"second\"}");
    headers_reset(&h);
    assert_null(headers_get(&h, "X-A", 0));
    feed(&h, "HTTP/1.1 204 No Content\nX-New: 1\n\n");
    assert_string_equal(headers_get(&h, "X-New", 0), "1");
    headers_free(&h);
}

static void test_folded_and_odd_lines(void **state)
{
    (void)state;
    struct headers h;
    headers_init(&h);
    feed(&h, "HTTP/1.1 200 OK\n  X-Lead: blank first\nX-Fold: a\n   b  \n\tc\nno colon here\n"
             ": no name\nX-After: z\n\n");
    assert_string_equal(headers_get(&h, "X-Lead", 0), "blank first");
    assert_string_equal(headers_get(&h, "X-Fold", 0), "a b\tc"); /* one blank kept, as libcurl */
    assert_string_equal(headers_get(&h, "X-After", 0), "z");
    assert_json(&h, "{\"X-Lead\":\"blank first\",\"X-Fold\":\"a b\\tc\",\"X-After\":\"z\"}");
    /* bytes are data: escaped in JSON */
    headers_reset(&h);
    feed(&h, "HTTP/1.1 200 OK\nX-Q: \"\\\x01\xFF\n\n");
    assert_json(&h, "{\"X-Q\":\"\\\"\\\\\\u0001\xEF\xBF\xBD\"}");
    headers_free(&h);
}

static void test_secrets(void **state)
{
    (void)state;
    assert_true(headers_secret("Set-Cookie", 10));
    assert_true(headers_secret("COOKIE", 6));
    assert_true(headers_secret("authorization", 13));
    assert_true(headers_secret("Proxy-Authorization", 19));
    assert_false(headers_secret("Cookie2", 7));
    assert_false(headers_secret("Set-Cookie", 9)); /* LEN bytes only */
    assert_false(headers_secret("X-Authorization", 15));
    struct headers h;
    headers_init(&h);
    feed(&h, "HTTP/1.1 200 OK\nSet-Cookie: a=1\nX-V: shown\nset-cookie: b=2\n"
             "Authorization: Bearer t\nProxy-Authorization: Basic x\nCookie: c=3\n\n");
    assert_json(&h, "{\"Set-Cookie\":\"***\",\"X-V\":\"shown\",\"Authorization\":\"***\","
                    "\"Proxy-Authorization\":\"***\",\"Cookie\":\"***\"}");
    /* the checks still see the values */
    assert_string_equal(headers_get(&h, "Set-Cookie", 1), "b=2");
    headers_free(&h);
}

static void test_many_lines(void **state)
{
    (void)state;
    /* 30000 lines: one name repeated 15000 times between 15000 distinct
     * ones; every name and value is where it belongs */
    struct headers h;
    headers_init(&h);
    headers_feed(&h, "HTTP/1.1 200 OK\r\n", 17);
    char line[64];
    for (int i = 0; i < 30000; i++) {
        int n = i % 2 ? snprintf(line, sizeof line, "X-%d: %d\r\n", i, i)
                      : snprintf(line, sizeof line, "X-M: %d\r\n", i);
        headers_feed(&h, line, (size_t)n);
    }
    headers_feed(&h, "\r\n", 2);
    for (int i = 0; i < 30000; i++) {
        char name[32], want[32];
        snprintf(want, sizeof want, "%d", i);
        if (i % 2) {
            snprintf(name, sizeof name, "x-%d", i);
            assert_string_equal(headers_get(&h, name, 0), want);
        } else {
            assert_string_equal(headers_get(&h, "x-m", (size_t)i / 2), want);
        }
    }
    assert_null(headers_get(&h, "X-M", 15000));
    char *j = json(&h);
    assert_int_equal(strncmp(j, "{\"X-M\":\"0, 2, 4, ", 17), 0);
    assert_non_null(strstr(j, ", 29998\",\"X-1\":\"1\",\"X-3\":\"3\","));
    assert_non_null(strstr(j, ",\"X-29999\":\"29999\"}"));
    size_t keys = 0;
    for (const char *p = j; (p = strstr(p, "\":\"")); p++)
        keys++;
    assert_int_equal(keys, 15001);
    free(j);
    headers_free(&h);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_basic),
    cmocka_unit_test(test_nothing),
    cmocka_unit_test(test_last_response_only),
    cmocka_unit_test(test_folded_and_odd_lines),
    cmocka_unit_test(test_secrets),
    cmocka_unit_test(test_many_lines),
};

UNIT_MAIN("headers", tests)
