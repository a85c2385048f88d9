/* test_trace: what the debug and header callbacks buffer, and the lines
 * trace_flush writes: [seq] prefixes, marks, data counted (never shown),
 * secrets redacted, -D blocks after their URL, the caps. */
#include "unit.h"

#include "cli.h"
#include "trace.h"

/* Flush T as record SEQ into two files; the -v and -D texts (caller
 * frees). */
static void flush(struct trace *t, uint64_t seq, const struct redact *r, char **v, char **d)
{
    const char *pv = unit_text_file("v.txt", ""), *pd = unit_text_file("d.txt", "");
    int fv = open(pv, O_RDWR | O_TRUNC), fd = open(pd, O_RDWR | O_TRUNC);
    assert_true(fv >= 0 && fd >= 0);
    assert_true(trace_flush(t, seq, r, fv, fd));
    lseek(fv, 0, SEEK_SET);
    lseek(fd, 0, SEEK_SET);
    *v = unit_drain(fv, NULL);
    *d = unit_drain(fd, NULL);
    close(fv);
    close(fd);
}

static void feed(struct trace *t, curl_infotype type, const char *s)
{
    struct trace *tp = t;
    trace_debug(NULL, type, (char *)(uintptr_t)s, strlen(s), &tp);
}

static void test_verbose_lines(void **state)
{
    (void)state;
    struct trace t = {0};
    feed(&t, CURLINFO_TEXT, "  Trying 127.0.0.1:80...\n");
    feed(&t, CURLINFO_HEADER_OUT,
         "GET /x HTTP/1.1\r\nHost: a\r\nAuthorization: Basic eHk=\r\n\r\n");
    feed(&t, CURLINFO_HEADER_IN, "HTTP/1.1 200 OK\r\n");
    feed(&t, CURLINFO_HEADER_IN, "Set-Cookie: s=1\r\n");
    feed(&t, CURLINFO_DATA_IN, "body bytes");
    feed(&t, CURLINFO_DATA_IN, "more");
    feed(&t, CURLINFO_SSL_DATA_IN, "tls record");
    feed(&t, CURLINFO_DATA_OUT, "sent");
    char *v, *d;
    flush(&t, 17, NULL, &v, &d);
    assert_string_equal(v, "[17] *   Trying 127.0.0.1:80...\n"
                           "[17] > GET /x HTTP/1.1\n"
                           "[17] > Host: a\n"
                           "[17] > Authorization: ***\n"
                           "[17] >\n"
                           "[17] < HTTP/1.1 200 OK\n"
                           "[17] < Set-Cookie: ***\n"
                           "[17] { [14 bytes data]\n"
                           "[17] } [4 bytes data]\n");
    assert_string_equal(d, "");
    free(v);
    free(d);
    /* flushed: nothing left */
    flush(&t, 17, NULL, &v, &d);
    assert_string_equal(v, "");
    free(v);
    free(d);
    /* no task using the handle: dropped */
    struct trace *none = NULL;
    trace_debug(NULL, CURLINFO_TEXT, (char *)(uintptr_t) "x\n", 2, &none);
    trace_free(&t);
}

static void test_dump_blocks(void **state)
{
    (void)state;
    struct trace t = {0};
    const char *lines[] = {"HTTP/1.1 302 Found\r\n", "Location: /b\r\n",    "\r\n",
                           "HTTP/1.1 200 OK\r\n",    "Set-Cookie: a=1\r\n", "\r\n"};
    for (size_t i = 0; i < 6; i++)
        trace_header(&t, i < 3 ? "http://u:pw@h/a" : "http://u:pw@h/b", lines[i], strlen(lines[i]));
    char *v, *d;
    flush(&t, 3, NULL, &v, &d);
    assert_string_equal(d, "[3] http://u:***@h/a\nHTTP/1.1 302 Found\nLocation: /b\n\n"
                           "[3] http://u:***@h/b\nHTTP/1.1 200 OK\nSet-Cookie: ***\n\n");
    assert_string_equal(v, "");
    free(v);
    free(d);
    trace_free(&t);
}

static void test_caps(void **state)
{
    (void)state;
    struct trace t = {0};
    size_t n = TRACE_CAP / 2 + 10;
    char *big = malloc(n + 1);
    assert_non_null(big);
    memset(big, 'x', n);
    big[n] = '\0';
    feed(&t, CURLINFO_TEXT, big);
    feed(&t, CURLINFO_TEXT, big); /* over the cap: counted */
    trace_header(&t, "u", big, n);
    trace_header(&t, "u", big, n);
    char *v, *d;
    flush(&t, 1, NULL, &v, &d);
    char want[96];
    snprintf(want, sizeof want, "[1] * [%zu bytes of trace not kept]\n", n);
    assert_non_null(strstr(v, want));
    snprintf(want, sizeof want, "[1] [%zu bytes of headers not kept]\n", n);
    assert_non_null(strstr(d, want));
    free(v);
    free(d);
    free(big);
    trace_free(&t);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_verbose_lines),
    cmocka_unit_test(test_dump_blocks),
    cmocka_unit_test(test_caps),
};

UNIT_MAIN("trace", tests)
