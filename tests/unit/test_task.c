/* test_task: task_classify against the contract's table of error kinds
 * (libcurl result, HTTP status, --max-filesize); task_from_line: an input
 * line into a task (label, URL, redaction, the method decided once) or
 * into its input record. */
#include "unit.h"

#include "prepare.h"
#include "task.h"
#include "url.h"

/* Every code in CODES classifies as KIND, with no response and with one. */
static void check_kind(const int *codes, size_t n, enum record_kind kind, bool any_status)
{
    for (size_t i = 0; i < n; i++) {
        enum record_kind got = task_classify((CURLcode)codes[i], 0, false);
        if (got != kind)
            fail_msg("code %d: %s, want %s", codes[i], record_kind_name(got),
                     record_kind_name(kind));
        if (!any_status)
            continue;
        got = task_classify((CURLcode)codes[i], 200, false);
        if (got != kind)
            fail_msg("code %d after a 200: %s, want %s", codes[i], record_kind_name(got),
                     record_kind_name(kind));
    }
}

#define CHECK_KIND(kind, any_status, ...)                                                          \
    do {                                                                                           \
        static const int codes_[] = {__VA_ARGS__};                                                 \
        check_kind(codes_, sizeof codes_ / sizeof codes_[0], kind, any_status);                    \
    } while (0)

static void test_ok_statuses(void **state)
{
    (void)state;
    assert_int_equal(task_classify(CURLE_OK, 200, false), KIND_NONE);
    assert_int_equal(task_classify(CURLE_OK, 204, false), KIND_NONE);
    assert_int_equal(task_classify(CURLE_OK, 299, false), KIND_NONE);
    assert_int_equal(task_classify(CURLE_OK, 301, false), KIND_NONE);
    assert_int_equal(task_classify(CURLE_OK, 399, false), KIND_NONE);
}

static void test_http_statuses(void **state)
{
    (void)state;
    assert_int_equal(task_classify(CURLE_OK, 400, false), KIND_HTTP);
    assert_int_equal(task_classify(CURLE_OK, 404, false), KIND_HTTP);
    assert_int_equal(task_classify(CURLE_OK, 429, false), KIND_HTTP);
    assert_int_equal(task_classify(CURLE_OK, 500, false), KIND_HTTP);
    assert_int_equal(task_classify(CURLE_OK, 599, false), KIND_HTTP);
    assert_int_equal(task_classify(CURLE_OK, 100, false), KIND_HTTP);
    assert_int_equal(task_classify(CURLE_OK, 199, false), KIND_HTTP);
}

static void test_dns(void **state)
{
    (void)state;
    CHECK_KIND(KIND_DNS, false, CURLE_COULDNT_RESOLVE_HOST);
    assert_int_equal(CURLE_COULDNT_RESOLVE_HOST, 6);
}

static void test_connect(void **state)
{
    (void)state;
    CHECK_KIND(KIND_CONNECT, false, 7, 55, 56);
    assert_int_equal(task_classify(CURLE_COULDNT_CONNECT, 0, false), KIND_CONNECT);
}

static void test_send_recv_after_response(void **state)
{
    (void)state;
    /* 55/56 before any response: connect; after one: protocol */
    assert_int_equal(task_classify(CURLE_SEND_ERROR, 0, false), KIND_CONNECT);
    assert_int_equal(task_classify(CURLE_RECV_ERROR, 0, false), KIND_CONNECT);
    assert_int_equal(task_classify(CURLE_SEND_ERROR, 200, false), KIND_PROTOCOL);
    assert_int_equal(task_classify(CURLE_RECV_ERROR, 200, false), KIND_PROTOCOL);
    assert_int_equal(task_classify(CURLE_RECV_ERROR, 500, false), KIND_PROTOCOL);
    assert_int_equal(task_classify(CURLE_RECV_ERROR, 100, false), KIND_PROTOCOL);
}

/* The contract's tls list (51: CURLE_PEER_FAILED_VERIFICATION before 7.62). */
static void test_tls(void **state)
{
    (void)state;
    CHECK_KIND(KIND_TLS, true, 35, 51, 53, 54, 58, 59, 60, 64, 66, 77, 80, 82, 83, 90, 91);
    assert_int_equal(task_classify(CURLE_PEER_FAILED_VERIFICATION, 0, false), KIND_TLS);
    assert_int_equal(task_classify(CURLE_SSL_CONNECT_ERROR, 0, false), KIND_TLS);
}

static void test_timeout(void **state)
{
    (void)state;
    CHECK_KIND(KIND_TIMEOUT, true, 28);
    assert_int_equal(task_classify(CURLE_OPERATION_TIMEDOUT, 0, false), KIND_TIMEOUT);
}

static void test_too_large(void **state)
{
    (void)state;
    CHECK_KIND(KIND_TOO_LARGE, true, 63);
    /* the write callback's flag wins over whatever libcurl said */
    assert_int_equal(task_classify(CURLE_WRITE_ERROR, 200, true), KIND_TOO_LARGE);
    assert_int_equal(task_classify(CURLE_OK, 200, true), KIND_TOO_LARGE);
    assert_int_equal(task_classify(CURLE_OK, 404, true), KIND_TOO_LARGE);
    assert_int_equal(task_classify(CURLE_RECV_ERROR, 0, true), KIND_TOO_LARGE);
    /* without the flag a write error is not too_large */
    assert_int_not_equal(task_classify(CURLE_WRITE_ERROR, 200, false), KIND_TOO_LARGE);
}

static void test_protocol(void **state)
{
    (void)state;
    CHECK_KIND(KIND_PROTOCOL, true, 1, 8, 16, 18, 47, 52, 92);
    assert_int_equal(task_classify(CURLE_GOT_NOTHING, 0, false), KIND_PROTOCOL);
    assert_int_equal(task_classify(CURLE_TOO_MANY_REDIRECTS, 302, false), KIND_PROTOCOL);
}

static void test_cancelled(void **state)
{
    (void)state;
    CHECK_KIND(KIND_CANCELLED, true, 42);
}

static void test_other(void **state)
{
    (void)state;
    /* anything not in the table: other */
    CHECK_KIND(KIND_OTHER, true, 2, 3, 4, 23, 26, 27, 43, 48, 61, 65, 89, 94, 99);
    assert_int_equal(task_classify((CURLcode)10000, 0, false), KIND_OTHER);
}

static void test_contract_table_is_exhaustive(void **state)
{
    (void)state;
    /* no code maps to input, http or check: those are decided elsewhere */
    for (int c = 1; c < CURL_LAST; c++) {
        enum record_kind k = task_classify((CURLcode)c, 0, false);
        assert_int_not_equal(k, KIND_NONE);
        assert_int_not_equal(k, KIND_INPUT);
        assert_int_not_equal(k, KIND_HTTP);
        assert_int_not_equal(k, KIND_CHECK);
    }
}

/* ---- task_from_line ----------------------------------------------------- */

struct line_case {
    char *argv[16]; /* the config borrows from them */
    int argc;
    struct config cfg;
    struct task_common *tc;
    struct task t;
};

/* A task_common from volley's options ARGS (NULL ended). */
static void line_setup(struct line_case *c, const char *const *args)
{
    c->argc = 0;
    c->argv[c->argc++] = strdup("volley");
    for (; *args; args++)
        c->argv[c->argc++] = strdup(*args);
    c->argv[c->argc] = NULL;
    struct buf err = {0};
    if (cli_parse(c->argc, c->argv, &c->cfg, stdout, &err) != CLI_RUN)
        fail_msg("cli_parse: %s", buf_str(&err));
    if (!prepare_config(&c->cfg, NULL, &err)) /* reads -d into cfg.data */
        fail_msg("prepare_config: %s", buf_str(&err));
    buf_free(&err);
    c->tc = task_common_new(&c->cfg, NULL, NULL);
    memset(&c->t, 0, sizeof c->t);
    task_init(&c->t);
}

static void line_teardown(struct line_case *c)
{
    task_free(&c->t);
    task_common_free(c->tc);
    cli_free(&c->cfg);
    for (int i = 0; i < c->argc; i++)
        free(c->argv[i]);
}

/* Turn TEXT (from list.txt line 7) into C's task, reset first. */
static bool from_line(struct line_case *c, const char *text)
{
    task_reset(&c->t);
    struct input_line l = {.text = text, .len = strlen(text), .source = "list.txt", .lineno = 7};
    return task_from_line(&c->t, c->tc, &l, 42, 1000);
}

#define assert_rejected(c, text, why)                                                              \
    do {                                                                                           \
        assert_false(from_line(c, text));                                                          \
        assert_int_equal((c)->t.rec.kind, KIND_INPUT);                                             \
        assert_int_equal((c)->t.rec.attempts, 0);                                                  \
        assert_int_equal((c)->t.rec.seq, 42);                                                      \
        assert_string_equal((c)->t.rec.input, "list.txt:7");                                       \
        assert_non_null(strstr((c)->t.rec.error_message, why));                                    \
    } while (0)

static void test_from_line(void **state)
{
    (void)state;
    struct line_case c;
    line_setup(&c, (const char *const[]){"--proto-default", "http", NULL});
    assert_true(from_line(&c, "h.example/x"));
    assert_int_equal(c.t.seq, 42);
    assert_int_equal(c.t.t_read, 1000);
    assert_string_equal(buf_str(&c.t.label), "list.txt:7");
    assert_string_equal(buf_str(&c.t.url), "http://h.example/x");
    assert_int_equal(c.t.shown.len, 0); /* shown as fetched */
    assert_string_equal(c.t.method, "GET");
    /* a password is fetched, never shown */
    assert_true(from_line(&c, "https://u:secret@h/"));
    assert_string_equal(buf_str(&c.t.url), "https://u:secret@h/");
    assert_string_equal(buf_str(&c.t.shown), "https://u:***@h/");
    /* not fetchable: the record says why, the line shown clipped and redacted */
    assert_rejected(&c, "ftp://u:pw@h/", "unsupported scheme");
    assert_string_equal(c.t.rec.url, "ftp://u:***@h/");
    assert_rejected(&c, "{\"url\": 1}", "url");
    assert_rejected(&c, "{\"url\": \"https://h/\", \"method\": \"HEAD\", \"data\": \"x\"}",
                    "a HEAD request cannot send data");
    char *longl = malloc(3000);
    memset(longl, 'a', 2999);
    longl[2999] = '\0';
    task_reset(&c.t);
    struct input_line l = {
        .text = longl, .len = 2048, .source = "list.txt", .lineno = 7, .too_long = true};
    assert_false(task_from_line(&c.t, c.tc, &l, 42, 1000));
    assert_string_equal(c.t.rec.error_message, "line longer than 64 KiB");
    assert_true(strlen(c.t.rec.url) < 300); /* clipped */
    free(longl);
    line_teardown(&c);
}

/* libcurl's receive buffer: 16 KiB until a body outgrows it, then 128 KiB
 * for the loop's next 256 transfers, each big body renewing that; with
 * --limit-rate, 16 KiB or the rate when lower, whatever the bodies. */
static void test_recv_buffer(void **state)
{
    (void)state;
    struct line_case c;
    line_setup(&c, (const char *const[]){NULL});
    struct task_recv_sizer rs = {0};
    assert_int_equal(task_common_recv_buffer(c.tc, NULL), 16384);
    assert_int_equal(task_common_recv_buffer(c.tc, &rs), 16384);
    task_common_recv_seen(&rs, 16384); /* fits: no change */
    assert_int_equal(task_common_recv_buffer(c.tc, &rs), 16384);
    task_common_recv_seen(&rs, 16385);
    for (int i = 0; i < 255; i++) {
        assert_int_equal(task_common_recv_buffer(c.tc, &rs), 131072);
        task_common_recv_seen(&rs, 1024);
    }
    task_common_recv_seen(&rs, 100000); /* renewed before it ran out */
    for (int i = 0; i < 256; i++) {
        assert_int_equal(task_common_recv_buffer(c.tc, &rs), 131072);
        task_common_recv_seen(&rs, 0);
    }
    assert_int_equal(task_common_recv_buffer(c.tc, &rs), 16384);
    line_teardown(&c);

    line_setup(&c, (const char *const[]){"--limit-rate", "4k", NULL});
    task_common_recv_seen(&rs, 1 << 20);
    assert_int_equal(task_common_recv_buffer(c.tc, &rs), 4096);
    line_teardown(&c);
    line_setup(&c, (const char *const[]){"--limit-rate", "1M", NULL});
    assert_int_equal(task_common_recv_buffer(c.tc, &rs), 16384);
    line_teardown(&c);
    line_setup(&c, (const char *const[]){"--limit-rate", "100", NULL});
    assert_int_equal(task_common_recv_buffer(c.tc, &rs), 1024);
    line_teardown(&c);
}

/* The quick request key of a plain line is the key of the task it makes;
 * the lines it cannot tell are left to the task. */
static void test_quick_key(void **state)
{
    (void)state;
    struct line_case c;
    line_setup(&c, (const char *const[]){"-X", "PUT", NULL});
    static const char *const plain[] = {"h.example/x", "HTTP://H.example:8080/a?b=\"c\"#f",
                                        "https://h/\xC3\xA9"};
    struct buf url = {0}, quick = {0}, full = {0};
    for (size_t i = 0; i < sizeof plain / sizeof plain[0]; i++) {
        struct input_line l = {.text = plain[i], .len = strlen(plain[i]), .source = "l"};
        assert_true(task_quick_key(c.tc, &l, &url, &quick));
        assert_true(from_line(&c, plain[i]));
        task_key(&c.t, c.tc, &full);
        assert_string_equal(quick.p, full.p);
    }
    static const char *const slow[] = {"https://u:p@h/", "{\"url\":\"https://h/\"}", "ftp://h/",
                                       "1://h/"};
    for (size_t i = 0; i < sizeof slow / sizeof slow[0]; i++) {
        struct input_line l = {.text = slow[i], .len = strlen(slow[i]), .source = "l"};
        assert_false(task_quick_key(c.tc, &l, &url, &quick));
    }
    buf_free(&url);
    buf_free(&quick);
    buf_free(&full);
    line_teardown(&c);
}

/* The method is decided in one place: the one given, else POST with data,
 * HEAD with -I, GET; a spec's data means POST even under -I. */
static void test_method_decided_once(void **state)
{
    (void)state;
    struct line_case c;
    line_setup(&c, (const char *const[]){"-I", NULL});
    assert_true(from_line(&c, "https://h/"));
    assert_string_equal(c.t.method, "HEAD");
    assert_true(from_line(&c, "{\"url\": \"https://h/\"}"));
    assert_string_equal(c.t.method, "HEAD");
    assert_true(from_line(&c, "{\"url\": \"https://h/\", \"data\": \"x\"}"));
    assert_string_equal(c.t.method, "POST");
    line_teardown(&c);

    line_setup(&c, (const char *const[]){"-d", "a=1", NULL});
    assert_true(from_line(&c, "https://h/"));
    assert_string_equal(c.t.method, "POST");
    assert_true(from_line(&c, "{\"url\": \"https://h/\", \"method\": \"PUT\"}"));
    assert_string_equal(c.t.method, "PUT");
    line_teardown(&c);

    line_setup(&c, (const char *const[]){"-X", "DELETE", NULL});
    assert_true(from_line(&c, "{\"url\": \"https://h/\", \"data\": \"x\"}"));
    assert_string_equal(c.t.method, "DELETE");
    line_teardown(&c);
}

/* --header-for patterns: a host exactly, or the names under *.DOMAIN. */
static void test_host_matches(void **state)
{
    (void)state;
    assert_true(task_common_host_matches("api.example", "api.example", 11));
    assert_true(task_common_host_matches("api.example", "API.Example", 11));
    assert_true(task_common_host_matches("api.example", "api.example.", 12));
    assert_false(task_common_host_matches("api.example", "xapi.example", 12));
    assert_false(task_common_host_matches("api.example", "api.example.org", 15));
    assert_true(task_common_host_matches("*.example", "a.example", 9));
    assert_true(task_common_host_matches("*.example", "a.b.EXAMPLE", 11));
    assert_false(task_common_host_matches("*.example", "example", 7));
    assert_false(task_common_host_matches("*.example", "badexample", 10));
    assert_true(task_common_host_matches("127.0.0.1", "127.0.0.1", 9));
    assert_true(task_common_host_matches("[::1]", "[::1]", 5));
}

/* A line whose host a --header-for pattern matches gets the header (over a
 * -H of that name, under a spec's) and, with -L, volley follows it; -G and
 * --url-query go into the query of what is fetched, not the shown URL. */
static void test_header_for_and_query(void **state)
{
    (void)state;
    struct line_case c;
    line_setup(&c,
               (const char *const[]){"-L", "-H", "X-K: all", "--header-for", "*.example=X-K: mine",
                                     "--url-query", "q=a b", "-G", "-d", "x=1", NULL});
    assert_true(from_line(&c, "https://a.example/p?z=0"));
    assert_true(c.t.self_follow);
    assert_non_null(c.t.hfor_headers);
    assert_string_equal(c.t.hfor_headers->data, "X-K: mine");
    assert_null(c.t.hfor_headers->next);
    assert_string_equal(c.t.method, "GET");
    assert_true(c.t.query);
    assert_string_equal(buf_str(&c.t.url), "https://a.example/p?z=0");
    char *u = NULL;
    curl_url_get(url_checker_handle(c.t.parsed), CURLUPART_URL, &u, 0);
    assert_string_equal(u, "https://a.example/p?z=0&q=a%20b&x=1");
    curl_free(u);
    assert_string_equal(buf_str(&c.t.origin), "https://a.example:443");
    /* another host: no header, libcurl follows */
    assert_true(from_line(&c, "https://example/"));
    assert_false(c.t.self_follow);
    assert_null(c.t.hfor_headers);
    /* a spec's header of that name wins */
    assert_true(
        from_line(&c, "{\"url\": \"https://b.example/\", \"headers\": {\"x-k\": \"spec\"}}"));
    assert_string_equal(c.t.hfor_headers->data, "x-k: spec");
    assert_null(c.t.hfor_headers->next);
    line_teardown(&c);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_ok_statuses),
    cmocka_unit_test(test_http_statuses),
    cmocka_unit_test(test_dns),
    cmocka_unit_test(test_connect),
    cmocka_unit_test(test_send_recv_after_response),
    cmocka_unit_test(test_tls),
    cmocka_unit_test(test_timeout),
    cmocka_unit_test(test_too_large),
    cmocka_unit_test(test_protocol),
    cmocka_unit_test(test_cancelled),
    cmocka_unit_test(test_other),
    cmocka_unit_test(test_contract_table_is_exhaustive),
    cmocka_unit_test(test_from_line),
    cmocka_unit_test(test_method_decided_once),
    cmocka_unit_test(test_host_matches),
    cmocka_unit_test(test_header_for_and_query),
    cmocka_unit_test(test_quick_key),
    cmocka_unit_test(test_recv_buffer),
};

UNIT_MAIN("task", tests)
