/* test_cli: cli_parse on argv arrays (defaults, every option, usage errors,
 * --help and --version) and the duration and size parsers. */
#include "unit.h"

#include "cli.h"

/* ---- helpers ------------------------------------------------------------ */

/* One parse: a writable argv (getopt permutes it; the config borrows from
 * it), the config, the error message and what went to OUT. */
struct run {
    char *args[64]; /* what to free */
    char *argv[64]; /* what getopt may permute */
    int argc;
    struct config cfg;
    struct buf err;
    char *out;
    size_t outlen;
    enum cli_result rc;
};

static void run_parse(struct run *r, const char *const *args)
{
    memset(r, 0, sizeof *r);
    r->args[r->argc++] = strdup("volley");
    for (; *args; args++) {
        assert_true(r->argc < 63);
        r->args[r->argc++] = strdup(*args);
    }
    memcpy(r->argv, r->args, sizeof r->argv);
    FILE *out = open_memstream(&r->out, &r->outlen);
    assert_non_null(out);
    r->rc = cli_parse(r->argc, r->argv, &r->cfg, out, &r->err);
    fclose(out);
    buf_str(&r->err);
}

static void run_free(struct run *r)
{
    cli_free(&r->cfg);
    buf_free(&r->err);
    free(r->out);
    for (int i = 0; i < r->argc; i++)
        free(r->args[i]);
}

#define PARSE(r, ...) run_parse(r, (const char *const[]){__VA_ARGS__, NULL})

/* Parse the arguments; it must succeed. */
#define PARSE_OK(r, ...)                                                                           \
    do {                                                                                           \
        PARSE(r, __VA_ARGS__);                                                                     \
        if ((r)->rc != CLI_RUN)                                                                    \
            fail_msg("cli_parse: %d: %s", (int)(r)->rc, (r)->err.p);                               \
    } while (0)

/* Parse the arguments; it must fail with a message containing WANT. */
static void check_error(const char *want, const char *const *args)
{
    struct run r;
    run_parse(&r, args);
    if (r.rc != CLI_ERROR)
        fail_msg("accepted (rc %d), want an error mentioning '%s'", (int)r.rc, want);
    if (!r.err.p || !strstr(r.err.p, want))
        fail_msg("error '%s' does not mention '%s'", r.err.p ? r.err.p : "", want);
    run_free(&r);
}

#define REJECTED(want, ...) check_error(want, (const char *const[]){__VA_ARGS__, NULL})

/* ---- defaults and simple options ---------------------------------------- */

static void test_defaults(void **state)
{
    (void)state;
    struct run r;
    PARSE(&r, NULL);
    assert_int_equal(r.rc, CLI_RUN);
    assert_string_equal(r.err.p, "");
    assert_int_equal(r.outlen, 0);
    const struct config *c = &r.cfg;
    assert_int_equal(c->nfiles, 0);
    assert_int_equal(c->nurls, 0);
    assert_string_equal(c->proto_default, "https");
    assert_int_equal(c->parallel, 50);
    assert_int_equal(c->max_time_ms, 30000);
    assert_int_equal(c->connect_timeout_ms, 10000);
    assert_int_equal(c->format, FORMAT_TEXT);
    assert_null(c->tmpl);
    assert_false(c->order_input);
    assert_int_equal(c->color, COLOR_AUTO);
    assert_false(c->quiet);
    assert_null(c->method);
    assert_int_equal(c->nheaders, 0);
    assert_null(c->data);
    assert_int_equal(c->data_len, 0);
    assert_string_equal(c->user_agent, "volley/" VOLLEY_VERSION);
    assert_false(c->head);
    assert_false(c->location);
    assert_int_equal(c->max_redirs, 10);
    assert_false(c->insecure);
    assert_null(c->cacert);
    assert_int_equal(c->http, HTTPV_DEFAULT);
    assert_false(c->compressed);
    assert_null(c->proxy);
    assert_int_equal(c->nresolve, 0);
    assert_int_equal(c->nconnect_to, 0);
    assert_int_equal(c->max_filesize, -1);
    run_free(&r);
}

static void test_parallel(void **state)
{
    (void)state;
    struct run r;
    PARSE_OK(&r, "-j", "8");
    assert_int_equal(r.cfg.parallel, 8);
    run_free(&r);
    PARSE_OK(&r, "--parallel=1");
    assert_int_equal(r.cfg.parallel, 1);
    run_free(&r);
    PARSE_OK(&r, "-j100000");
    assert_int_equal(r.cfg.parallel, 100000);
    run_free(&r);
    REJECTED("--parallel", "-j", "0");
    REJECTED("--parallel", "-j", "abc");
    REJECTED("--parallel", "-j", "-3");
    REJECTED("--parallel", "-j", "100001");
    REJECTED("--parallel", "-j", "5x");
    REJECTED("--parallel", "-j", "");
    REJECTED("'abc'", "--parallel", "abc"); /* the bad value is quoted back */
}

static void test_times(void **state)
{
    (void)state;
    struct run r;
    PARSE_OK(&r, "-m", "2.5", "--connect-timeout", "1.5");
    assert_int_equal(r.cfg.max_time_ms, 2500);
    assert_int_equal(r.cfg.connect_timeout_ms, 1500);
    run_free(&r);
    PARSE_OK(&r, "--max-time", "0", "--connect-timeout=0.0001");
    assert_int_equal(r.cfg.max_time_ms, 0);
    assert_int_equal(r.cfg.connect_timeout_ms, 1); /* rounded up, never to 0 */
    run_free(&r);
    REJECTED("--max-time", "-m", "-1");
    REJECTED("--max-time", "-m", "abc");
    REJECTED("--max-time", "-m", "1s");
    REJECTED("--connect-timeout", "--connect-timeout", "-0.5");
    REJECTED("--connect-timeout", "--connect-timeout", "nan");
}

static void test_formats(void **state)
{
    (void)state;
    static const struct {
        const char *arg;
        enum output_format f;
    } cases[] = {{"text", FORMAT_TEXT}, {"jsonl", FORMAT_JSONL}, {"json", FORMAT_JSON}};
    struct run r;
    for (size_t i = 0; i < 3; i++) {
        PARSE_OK(&r, "--format", cases[i].arg);
        assert_int_equal(r.cfg.format, cases[i].f);
        run_free(&r);
    }
    PARSE_OK(&r, "--json");
    assert_int_equal(r.cfg.format, FORMAT_JSONL);
    run_free(&r);
    /* the last one wins */
    PARSE_OK(&r, "--json", "--format", "text");
    assert_int_equal(r.cfg.format, FORMAT_TEXT);
    run_free(&r);
    REJECTED("--format", "--format", "xml");
    REJECTED("--format", "--format", "JSON");
    REJECTED("--format", "--format", "");
}

static void test_write_out(void **state)
{
    (void)state;
    struct run r;
    PARSE_OK(&r, "-w", "%{http_code} %{url}\\n");
    assert_int_equal(r.cfg.format, FORMAT_TEMPLATE);
    assert_non_null(r.cfg.tmpl);
    run_free(&r);
    /* -w wins over --format whatever the order */
    PARSE_OK(&r, "--write-out", "%{json}", "--format", "json");
    assert_int_equal(r.cfg.format, FORMAT_TEMPLATE);
    run_free(&r);
    REJECTED("size_upload", "-w", "%{size_upload}");
    REJECTED("unknown", "-w", "%{nope}");
    REJECTED("unterminated", "-w", "%{url");
}

static void test_order_color_quiet(void **state)
{
    (void)state;
    struct run r;
    PARSE_OK(&r, "--order", "input", "--color", "always", "-q");
    assert_true(r.cfg.order_input);
    assert_int_equal(r.cfg.color, COLOR_ALWAYS);
    assert_true(r.cfg.quiet);
    run_free(&r);
    PARSE_OK(&r, "--order", "input", "--order", "completion", "--color=never", "--quiet");
    assert_false(r.cfg.order_input);
    assert_int_equal(r.cfg.color, COLOR_NEVER);
    assert_true(r.cfg.quiet);
    run_free(&r);
    PARSE_OK(&r, "--color", "never", "--color", "auto");
    assert_int_equal(r.cfg.color, COLOR_AUTO);
    run_free(&r);
    REJECTED("--order", "--order", "x");
    REJECTED("--order", "--order", "Input");
    REJECTED("--color", "--color", "x");
    REJECTED("--color", "--color", "yes");
}

static void test_proto_default(void **state)
{
    (void)state;
    struct run r;
    PARSE_OK(&r, "--proto-default", "http");
    assert_string_equal(r.cfg.proto_default, "http");
    run_free(&r);
    PARSE_OK(&r, "--proto-default", "HTTPS");
    assert_string_equal(r.cfg.proto_default, "https");
    run_free(&r);
    PARSE_OK(&r, "--proto-default", "Http");
    assert_string_equal(r.cfg.proto_default, "http");
    run_free(&r);
    REJECTED("--proto-default", "--proto-default", "ftp");
    REJECTED("--proto-default", "--proto-default", "https://");
}

static void test_request_options(void **state)
{
    (void)state;
    struct run r;
    PARSE_OK(&r, "-X", "PUT", "-A", "ua/1", "-L", "--max-redirs", "5", "-k", "--cacert", "ca.pem",
             "--compressed", "-x", "http://proxy:3128", "--resolve", "a:443:127.0.0.1", "--resolve",
             "b:80:::1", "--connect-to", "a:443:b:8443");
    const struct config *c = &r.cfg;
    assert_string_equal(c->method, "PUT");
    assert_string_equal(c->user_agent, "ua/1");
    assert_true(c->location);
    assert_int_equal(c->max_redirs, 5);
    assert_true(c->insecure);
    assert_string_equal(c->cacert, "ca.pem");
    assert_true(c->compressed);
    assert_string_equal(c->proxy, "http://proxy:3128");
    assert_int_equal(c->nresolve, 2);
    assert_string_equal(c->resolve[0], "a:443:127.0.0.1");
    assert_string_equal(c->resolve[1], "b:80:::1");
    assert_int_equal(c->nconnect_to, 1);
    assert_string_equal(c->connect_to[0], "a:443:b:8443");
    assert_int_equal(c->nfiles, 0); /* option values are not files */
    run_free(&r);

    PARSE_OK(&r, "--request=DELETE", "--user-agent", "", "--location", "--insecure", "-I");
    assert_string_equal(r.cfg.method, "DELETE");
    assert_string_equal(r.cfg.user_agent, "");
    assert_true(r.cfg.location);
    assert_true(r.cfg.insecure);
    assert_true(r.cfg.head);
    run_free(&r);

    PARSE_OK(&r, "--head");
    assert_true(r.cfg.head);
    assert_null(r.cfg.data);
    run_free(&r);

    REJECTED("--request", "-X", "");
    REJECTED("--request", "-X", "GET /x");
}

static void test_http_versions(void **state)
{
    (void)state;
    struct run r;
    PARSE_OK(&r, "--http1.1");
    assert_int_equal(r.cfg.http, HTTPV_1_1);
    run_free(&r);
    PARSE_OK(&r, "--http2");
    assert_int_equal(r.cfg.http, HTTPV_2);
    run_free(&r);
    PARSE_OK(&r, "--http2-prior-knowledge");
    assert_int_equal(r.cfg.http, HTTPV_2_PRIOR);
    run_free(&r);
    PARSE_OK(&r, "--http2", "--http1.1");
    assert_int_equal(r.cfg.http, HTTPV_1_1);
    run_free(&r);
}

static void test_max_redirs(void **state)
{
    (void)state;
    struct run r;
    PARSE_OK(&r, "--max-redirs", "-1");
    assert_int_equal(r.cfg.max_redirs, -1);
    run_free(&r);
    PARSE_OK(&r, "--max-redirs", "0");
    assert_int_equal(r.cfg.max_redirs, 0);
    run_free(&r);
    REJECTED("--max-redirs", "--max-redirs", "-2");
    REJECTED("--max-redirs", "--max-redirs", "1001");
    REJECTED("--max-redirs", "--max-redirs", "x");
}

static void test_max_filesize(void **state)
{
    (void)state;
    struct run r;
    PARSE_OK(&r, "--max-filesize", "1k");
    assert_int_equal(r.cfg.max_filesize, 1024);
    run_free(&r);
    PARSE_OK(&r, "--max-filesize", "0");
    assert_int_equal(r.cfg.max_filesize, 0);
    run_free(&r);
    PARSE_OK(&r, "--max-filesize", "2M");
    assert_int_equal(r.cfg.max_filesize, 2 * 1024 * 1024);
    run_free(&r);
    REJECTED("--max-filesize", "--max-filesize", "1X");
    REJECTED("--max-filesize", "--max-filesize", "-1");
    REJECTED("--max-filesize", "--max-filesize", "");
}

/* ---- headers ------------------------------------------------------------ */

static void test_headers(void **state)
{
    (void)state;
    struct run r;
    PARSE_OK(&r, "-H", "Accept: text/plain", "--header", "X-Empty;", "-H", "X-Drop:");
    assert_int_equal(r.cfg.nheaders, 3);
    assert_string_equal(r.cfg.headers[0], "Accept: text/plain");
    assert_string_equal(r.cfg.headers[1], "X-Empty;");
    assert_string_equal(r.cfg.headers[2], "X-Drop:");
    run_free(&r);
    REJECTED("CR or LF", "-H", "A: b\r\nEvil: yes");
    REJECTED("CR or LF", "-H", "A: b\n");
    REJECTED("CR or LF", "-H", "A: b\rc");
    REJECTED("header", "-H", "NoColon");
    REJECTED("header", "-H", ": value");
    REJECTED("header", "-H", "");
    REJECTED("header", "-H", ";");
}

/* ---- data --------------------------------------------------------------- */

static void assert_data(const struct config *c, const char *want, size_t len)
{
    assert_non_null(c->data);
    assert_int_equal(c->data_len, len);
    assert_memory_equal(c->data, want, len);
    assert_int_equal(c->data[len], '\0');
}

static void test_data_joined(void **state)
{
    (void)state;
    struct run r;
    PARSE_OK(&r, "-d", "a=1");
    assert_data(&r.cfg, "a=1", 3);
    assert_null(r.cfg.method); /* POST comes from the data, not -X */
    run_free(&r);
    PARSE_OK(&r, "-d", "a=1", "--data", "b=2", "-d", "c");
    assert_data(&r.cfg, "a=1&b=2&c", 9);
    run_free(&r);
    PARSE_OK(&r, "-d", "a", "--data-binary", "b");
    assert_data(&r.cfg, "a&b", 3);
    run_free(&r);
    PARSE_OK(&r, "--data-binary", "a", "-d", "b");
    assert_data(&r.cfg, "a&b", 3);
    run_free(&r);
    /* as in curl, --data-binary pieces are joined with '&' too */
    PARSE_OK(&r, "--data-binary", "a", "--data-binary", "b");
    assert_data(&r.cfg, "a&b", 3);
    run_free(&r);
    PARSE_OK(&r, "-d", "");
    assert_data(&r.cfg, "", 0);
    run_free(&r);
}

static void test_data_file(void **state)
{
    (void)state;
    static const char body[] = "x=1\r\ny=2\n\nz\0w\r\n";
    const char *path = unit_file("data.txt", body, sizeof body - 1);
    char at[512];
    snprintf(at, sizeof at, "@%s", path);
    struct run r;
    /* -d @file drops CR and LF */
    PARSE_OK(&r, "-d", at);
    assert_data(&r.cfg, "x=1y=2z\0w", 9);
    run_free(&r);
    /* --data-binary @file keeps every byte */
    PARSE_OK(&r, "--data-binary", at);
    assert_data(&r.cfg, body, sizeof body - 1);
    run_free(&r);
    PARSE_OK(&r, "-d", "a", "-d", at);
    assert_data(&r.cfg, "a&x=1y=2z\0w", 11);
    run_free(&r);
    const char *empty = unit_text_file("empty.txt", "");
    snprintf(at, sizeof at, "@%s", empty);
    PARSE_OK(&r, "--data-binary", at);
    assert_data(&r.cfg, "", 0);
    run_free(&r);
    REJECTED("no-such-file", "-d", "@/nonexistent/no-such-file");
    REJECTED("no-such-file", "--data-binary", "@/nonexistent/no-such-file");
}

static void test_head_with_data(void **state)
{
    (void)state;
    REJECTED("--head", "-I", "-d", "x");
    REJECTED("--head", "--data-binary", "x", "--head");
}

/* ---- sources ------------------------------------------------------------ */

static void test_urls(void **state)
{
    (void)state;
    struct run r;
    PARSE_OK(&r, "--url", "  https://a/ \t", "--url=b.example", "--url", "\nc\r\n");
    assert_int_equal(r.cfg.nurls, 3);
    assert_string_equal(r.cfg.urls[0], "https://a/");
    assert_string_equal(r.cfg.urls[1], "b.example");
    assert_string_equal(r.cfg.urls[2], "c");
    assert_int_equal(r.cfg.nfiles, 0);
    run_free(&r);
    REJECTED("--url", "--url", "   ");
    REJECTED("--url", "--url", "");
}

static void test_files(void **state)
{
    (void)state;
    const char *a = unit_text_file("a.txt", "https://a/\n");
    const char *b = unit_text_file("b.txt", "");
    struct run r;
    /* options may follow files; "-" is stdin and is not opened */
    PARSE_OK(&r, a, "-q", "-", b);
    assert_true(r.cfg.quiet);
    assert_int_equal(r.cfg.nfiles, 3);
    assert_string_equal(r.cfg.files[0], a);
    assert_string_equal(r.cfg.files[1], "-");
    assert_string_equal(r.cfg.files[2], b);
    run_free(&r);
    /* after "--" everything is a file */
    PARSE_OK(&r, "--", a);
    assert_int_equal(r.cfg.nfiles, 1);
    run_free(&r);
    REJECTED("-q", "--", "-q");
}

static void test_bad_files(void **state)
{
    (void)state;
    const char *a = unit_text_file("ok.txt", "x\n");
    REJECTED("/nonexistent/list.txt", "/nonexistent/list.txt");
    REJECTED("/nonexistent/list.txt", a, "/nonexistent/list.txt");
    REJECTED("Is a directory", unit_tmpdir());
    if (geteuid() != 0) {
        const char *locked = unit_text_file("locked.txt", "x\n");
        chmod(locked, 0);
        REJECTED("locked.txt", locked);
    }
}

/* ---- usage errors ------------------------------------------------------- */

static void test_unknown_option(void **state)
{
    (void)state;
    REJECTED("--bogus", "--bogus");
    REJECTED("--bogus", "--bogus=1");
    REJECTED("-Z", "-Z");
    REJECTED("-Z", "-qZ");
    REJECTED("--http", "--http"); /* ambiguous abbreviation */
}

static void test_missing_argument(void **state)
{
    (void)state;
    REJECTED("-j", "-j");
    REJECTED("--parallel", "--parallel");
    REJECTED("--url", "-q", "--url");
    REJECTED("-H", "-H");
    REJECTED("-w", "-w");
    REJECTED("needs a value", "--format");
}

static void test_help(void **state)
{
    (void)state;
    struct run r;
    PARSE(&r, "-q", "--help", "--bogus");
    assert_int_equal(r.rc, CLI_DONE);
    assert_non_null(r.out);
    assert_true(strncmp(r.out, "Usage: volley ", 14) == 0);
    assert_non_null(strstr(r.out, "--parallel"));
    assert_non_null(strstr(r.out, "--write-out"));
    assert_non_null(strstr(r.out, "-j, --parallel N"));
    assert_int_equal(r.out[r.outlen - 1], '\n');
    run_free(&r);
    PARSE(&r, "-h");
    assert_int_equal(r.rc, CLI_DONE);
    assert_true(r.outlen > 100);
    run_free(&r);
}

static void test_version(void **state)
{
    (void)state;
    struct run r;
    PARSE(&r, "--version");
    assert_int_equal(r.rc, CLI_DONE);
    assert_true(strncmp(r.out, "volley " VOLLEY_VERSION "\n", strlen(VOLLEY_VERSION) + 8) == 0);
    assert_non_null(strstr(r.out, "\nlibcurl "));
    assert_non_null(strstr(r.out, "\nlibevent "));
    assert_non_null(strstr(r.out, "\ncJSON "));
    assert_string_equal(r.err.p, "");
    run_free(&r);
}

static void test_reparse(void **state)
{
    (void)state;
    /* getopt is reset on each call: the second parse starts afresh */
    struct run r;
    PARSE(&r, "-j");
    assert_int_equal(r.rc, CLI_ERROR);
    run_free(&r);
    PARSE_OK(&r, "-j", "3", "-H", "A: b");
    assert_int_equal(r.cfg.parallel, 3);
    run_free(&r);
    PARSE_OK(&r, "-q");
    assert_int_equal(r.cfg.parallel, 50);
    assert_int_equal(r.cfg.nheaders, 0);
    assert_true(r.cfg.quiet);
    run_free(&r);
    /* an error in the middle of a cluster leaves nothing behind: the "k"
     * of the first argv (still alive) is not read by the next parse */
    struct run first;
    PARSE(&first, "-qZk");
    assert_int_equal(first.rc, CLI_ERROR);
    PARSE_OK(&r, "-j", "3");
    assert_false(r.cfg.insecure);
    assert_false(r.cfg.quiet);
    assert_int_equal(r.cfg.parallel, 3);
    run_free(&r);
    run_free(&first);
}

/* ---- cli_parse_secs / cli_parse_size ------------------------------------ */

static void test_parse_secs(void **state)
{
    (void)state;
    static const struct {
        const char *s;
        long ms;
    } good[] = {
        {"1", 1000},
        {"0", 0},
        {"0.5", 500},
        {"2.25", 2250},
        {"0.0001", 1},
        {"0.0015", 2},
        {"1e1", 10000},
        {"86400", 86400000},
        {"31536000", 31536000000L},
    };
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        long ms = -7;
        if (!cli_parse_secs(good[i].s, &ms))
            fail_msg("'%s' rejected", good[i].s);
        assert_int_equal(ms, good[i].ms);
    }
    static const char *const bad[] = {"",    "abc", "1s",    "1 ",       "-1", "-0.001",
                                      "inf", "nan", "1e400", "31536001", "1,5"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        long ms = -7;
        if (cli_parse_secs(bad[i], &ms))
            fail_msg("'%s' accepted as %ld ms", bad[i], ms);
        assert_int_equal(ms, -7); /* untouched on error */
    }
}

static void test_parse_size(void **state)
{
    (void)state;
    static const struct {
        const char *s;
        int64_t v;
    } good[] = {
        {"0", 0},
        {"1024", 1024},
        {"10k", 10240},
        {"10K", 10240},
        {"2m", 2097152},
        {"2M", 2097152},
        {"1G", 1073741824},
        {"3g", 3221225472LL},
        {"9223372036854775807", INT64_MAX},
        {"8589934591G", 8589934591LL * 1073741824LL},
    };
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        int64_t v = -7;
        if (!cli_parse_size(good[i].s, &v))
            fail_msg("'%s' rejected", good[i].s);
        assert_true(v == good[i].v);
    }
    static const char *const bad[] = {"",
                                      "k",
                                      "1X",
                                      "1kb",
                                      "1.5M",
                                      "-1",
                                      "-1k",
                                      "1 k",
                                      "9223372036854775808",
                                      "8589934592G",
                                      "9007199254740992k"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int64_t v = -7;
        if (cli_parse_size(bad[i], &v))
            fail_msg("'%s' accepted as %lld", bad[i], (long long)v);
        assert_true(v == -7);
    }
}

/* ---- known bugs (run with --bugs) --------------------------------------- */

/* A value given to an option that takes none is reported as an unknown
 * short option: "--quiet=1" says "unknown option -q". */
static void test_value_for_flag(void **state)
{
    (void)state;
    REJECTED("--quiet", "--quiet=1");
    REJECTED("--head", "--head=yes");
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_defaults),       cmocka_unit_test(test_parallel),
    cmocka_unit_test(test_times),          cmocka_unit_test(test_formats),
    cmocka_unit_test(test_write_out),      cmocka_unit_test(test_order_color_quiet),
    cmocka_unit_test(test_proto_default),  cmocka_unit_test(test_request_options),
    cmocka_unit_test(test_http_versions),  cmocka_unit_test(test_max_redirs),
    cmocka_unit_test(test_max_filesize),   cmocka_unit_test(test_headers),
    cmocka_unit_test(test_data_joined),    cmocka_unit_test(test_data_file),
    cmocka_unit_test(test_head_with_data), cmocka_unit_test(test_urls),
    cmocka_unit_test(test_files),          cmocka_unit_test(test_bad_files),
    cmocka_unit_test(test_unknown_option), cmocka_unit_test(test_missing_argument),
    cmocka_unit_test(test_help),           cmocka_unit_test(test_version),
    cmocka_unit_test(test_reparse),        cmocka_unit_test(test_parse_secs),
    cmocka_unit_test(test_parse_size),     cmocka_unit_test(test_value_for_flag),
};

UNIT_MAIN("cli", tests)
