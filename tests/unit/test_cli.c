/* test_cli: cli_parse on argv arrays (defaults from the table, every type
 * of option, exact names, bundling, --name=value, usage errors and their
 * messages, did-you-mean, curl's options volley does not have, --help,
 * --help-table and --version), the option table's own consistency, and the
 * number parsers. */
#include "unit.h"

#include "cli.h"
#include "cli_table.h"

#include <limits.h>

/* ---- helpers ------------------------------------------------------------ */

/* One parse: a writable argv (the config borrows from it), the config, the
 * error message and what went to OUT. */
struct run {
    char *args[64]; /* what to free */
    char *argv[64]; /* what cli_parse reads */
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

/* Parse the arguments; it must fail with a message containing WANT (or,
 * when EXACT, being WANT). */
static void check_error(const char *want, bool exact, const char *const *args)
{
    struct run r;
    run_parse(&r, args);
    if (r.rc != CLI_ERROR)
        fail_msg("accepted (rc %d), want an error mentioning '%s'", (int)r.rc, want);
    if (!r.err.p || (exact ? strcmp(r.err.p, want) != 0 : !strstr(r.err.p, want)))
        fail_msg("error '%s' does not %s '%s'", r.err.p ? r.err.p : "", exact ? "equal" : "mention",
                 want);
    run_free(&r);
}

#define REJECTED(want, ...) check_error(want, false, (const char *const[]){__VA_ARGS__, NULL})
#define REJECTED_AS(want, ...) check_error(want, true, (const char *const[]){__VA_ARGS__, NULL})

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
    assert_true(c->max_fail_ratio < 0);
    assert_int_equal(c->per_host, 0);
    assert_int_equal(c->rate_us, 0);
    assert_int_equal(c->deadline_ms, 0);
    assert_int_equal(c->retries, 0);
    assert_int_equal(c->retry_delay_ms, 1000);
    assert_int_equal(c->retry_max_delay_ms, 30000);
    assert_int_equal(c->max_failures, 0);
    assert_int_equal(c->max_body, 1024 * 1024);
    assert_int_equal(c->progress, PROGRESS_AUTO);
    assert_false(c->show_error);
    assert_false(c->fail);
    assert_null(c->write_out);
    assert_int_equal(c->ndata_args, 0);
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
    REJECTED_AS("--parallel needs a whole number from 1 to 100000, not 'x'", "-j", "x");
    /* decimal only: strtol alone would take blanks, '+' and (base 0) hex */
    REJECTED("--parallel", "-j", "0x10");
    REJECTED("--parallel", "-j", " 5");
    REJECTED("--parallel", "-j", "+5");
    REJECTED("--parallel", "-j", "1e3");
    REJECTED_AS("--retry needs a whole number from 0 to 1000, not '1e3'", "--retry", "1e3");
    REJECTED_AS("--max-failures needs a whole number of at least 1, not '0'", "--max-failures",
                "0");
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
    REJECTED("--max-time", "-m", "1ms");
    REJECTED("--max-time", "-m", "s");
    PARSE_OK(&r, "-m", "1s", "--connect-timeout", "1.5m", "--retry-max-delay", "1h", "--max-age",
             "7d");
    assert_int_equal(r.cfg.max_time_ms, 1000);
    assert_int_equal(r.cfg.connect_timeout_ms, 90000);
    assert_int_equal(r.cfg.retry_max_delay_ms, 3600000);
    assert_int_equal(r.cfg.max_age_ms, 7L * 86400000);
    run_free(&r);
    REJECTED("--connect-timeout", "--connect-timeout", "-0.5");
    REJECTED("--connect-timeout", "--connect-timeout", "nan");
    REJECTED_AS("--max-time needs seconds (e.g. 2, 0.5 or 30m), not '0x10'", "-m", "0x10");
    REJECTED("--max-time", "-m", "1e1");
    REJECTED("--max-time", "-m", "inf");
    REJECTED_AS("--deadline needs seconds above 0 (e.g. 2, 0.5 or 30m), not '0'", "--deadline",
                "0");
    PARSE_OK(&r, "--deadline", "0.0001", "--retry-delay=.25", "--retry-max-delay", "2.");
    assert_int_equal(r.cfg.deadline_ms, 1);
    assert_int_equal(r.cfg.retry_delay_ms, 250);
    assert_int_equal(r.cfg.retry_max_delay_ms, 2000);
    run_free(&r);
}

static void test_rates_and_ratio(void **state)
{
    (void)state;
    struct run r;
    PARSE_OK(&r, "--rate", "4", "--rate-per-host=2/m", "--max-fail-ratio", "2.5%");
    assert_int_equal(r.cfg.rate_us, 250000);
    assert_int_equal(r.cfg.rate_host_us, 30000000);
    assert_true(r.cfg.max_fail_ratio > 0.0249 && r.cfg.max_fail_ratio < 0.0251);
    run_free(&r);
    PARSE_OK(&r, "--max-fail-ratio=0");
    assert_true(r.cfg.max_fail_ratio == 0);
    run_free(&r);
    REJECTED_AS("--rate needs a rate like 10, 10/s, 100/m or 1000/h, not '0x10'", "--rate", "0x10");
    REJECTED("--rate-per-host", "--rate-per-host", "1/d");
    REJECTED("--rate", "--rate", "0");
    REJECTED_AS("--max-fail-ratio needs a percentage from 0 to 100 (e.g. 5%), not '101'",
                "--max-fail-ratio", "101");
    REJECTED("--max-fail-ratio", "--max-fail-ratio", "0x5");
    REJECTED("--max-fail-ratio", "--max-fail-ratio", "5%%");
    REJECTED_AS("--max-body needs a size in bytes (e.g. 65536 or 1M), not '1.5M'", "--max-body",
                "1.5M");
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
    REJECTED_AS("--format must be text, jsonl or json, not 'xml'", "--format", "xml");
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
    REJECTED("ssl_verify_result", "-w", "%{ssl_verify_result}"); /* a curl name volley lacks */
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
    REJECTED_AS("--progress must be auto, always or never, not 'sometimes'", "--progress",
                "sometimes");
    REJECTED_AS("--order must be completion or input, not 'x'", "--order", "x");
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
    REJECTED_AS("--proto-default must be https or http, not 'ftp'", "--proto-default", "ftp");
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
    REJECTED_AS("--request needs a METHOD with no white space, not 'GET /x'", "-X", "GET /x");
    REJECTED_AS("--output-dir needs a DIR that is not empty, not ''", "--output-dir", "");
    /* these are checked by prepare, not by the parse */
    PARSE_OK(&r, "--resolve", "foo", "--connect-to", "garbage", "-x", "not a url", "--cacert",
             "/nonexistent.pem");
    assert_string_equal(r.cfg.resolve[0], "foo");
    assert_string_equal(r.cfg.proxy, "not a url");
    run_free(&r);
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

/* -d, --data-binary, --data-raw and --data-urlencode are kept as given, in
 * order, and --url-query apart; prepare reads and joins them
 * (test_prepare). */
static void test_data_args(void **state)
{
    (void)state;
    struct run r;
    PARSE_OK(&r, "-d", "a=1", "--data-binary", "@x.bin", "--data=b=2", "-d@-", "-d", "",
             "--data-raw", "@raw", "--url-query", "q=1", "--data-urlencode", "n@f");
    assert_int_equal(r.cfg.ndata_args, 7);
    static const struct cli_data want[] = {
        {"a=1", DATA_ASCII}, {"@x.bin", DATA_BINARY}, {"b=2", DATA_ASCII},    {"@-", DATA_ASCII},
        {"", DATA_ASCII},    {"@raw", DATA_RAW},      {"n@f", DATA_URLENCODE}};
    for (size_t i = 0; i < 7; i++) {
        assert_string_equal(r.cfg.data_args[i].arg, want[i].arg);
        assert_int_equal(r.cfg.data_args[i].kind, want[i].kind);
    }
    assert_int_equal(r.cfg.nquery_args, 1);
    assert_string_equal(r.cfg.query_args[0].arg, "q=1");
    assert_int_equal(r.cfg.query_args[0].kind, DATA_QUERY);
    assert_null(r.cfg.data); /* nothing read yet */
    assert_null(r.cfg.method);
    run_free(&r);
    /* a missing file is not opened by the parse */
    PARSE_OK(&r, "-d", "@/nonexistent/no-such-file");
    run_free(&r);
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
    PARSE_OK(&r, "--", a, "-q", "--");
    assert_int_equal(r.cfg.nfiles, 3);
    assert_string_equal(r.cfg.files[1], "-q");
    assert_string_equal(r.cfg.files[2], "--");
    assert_false(r.cfg.quiet);
    run_free(&r);
    /* files are not probed by the parse, and URL arguments stay files until
     * prepare; each remembers how many --url came before it */
    PARSE_OK(&r, "--url", "u1", "/nonexistent/list.txt", "https://a/", "--url", "u2", "http://b/");
    assert_int_equal(r.cfg.nfiles, 3);
    assert_int_equal(r.cfg.nurls, 2);
    assert_int_equal(r.cfg.file_nurls[0], 1);
    assert_int_equal(r.cfg.file_nurls[1], 1);
    assert_int_equal(r.cfg.file_nurls[2], 2);
    run_free(&r);
}

/* ---- curl's request flags ---------------------------------------------- */

static void test_credentials_and_cookies(void **state)
{
    (void)state;
    struct run r;
    PARSE_OK(&r, "-u", "a:b", "--digest", "--oauth2-bearer", "t", "--netrc", "--netrc-file", "n",
             "--netrc-optional", "-U", "p:q", "--noproxy", "*", "--header-for", "h=X: 1",
             "--header-for", "*.d=Y;", "-b", "a=1", "-b", "jar", "-c", "out", "-e", "r;auto");
    assert_string_equal(r.cfg.user, "a:b");
    assert_int_equal(r.cfg.auth, AUTH_DIGEST);
    assert_string_equal(r.cfg.oauth2_bearer, "t");
    assert_true(r.cfg.netrc && r.cfg.netrc_optional);
    assert_string_equal(r.cfg.netrc_file, "n");
    assert_string_equal(r.cfg.proxy_user, "p:q");
    assert_string_equal(r.cfg.noproxy, "*");
    assert_int_equal(r.cfg.nheader_for, 2);
    assert_string_equal(r.cfg.header_for[1], "*.d=Y;");
    assert_int_equal(r.cfg.ncookies, 2);
    assert_string_equal(r.cfg.cookie_jar, "out");
    assert_string_equal(r.cfg.referer, "r;auto");
    run_free(&r);
    PARSE_OK(&r, "--digest", "--anyauth");
    assert_int_equal(r.cfg.auth, AUTH_ANY);
    run_free(&r);
    PARSE_OK(&r, "--anyauth", "--basic");
    assert_int_equal(r.cfg.auth, AUTH_BASIC);
    run_free(&r);
    REJECTED_AS("--user needs USER:PASSWORD (volley does not ask for a password)", "-u", "alice");
    REJECTED_AS("--proxy-user needs USER:PASSWORD (volley does not ask for a password)", "-U",
                "bob");
    REJECTED("PATTERN a host name or *.domain", "--header-for", "noequals");
    REJECTED("PATTERN a host name", "--header-for", "h:80=X: 1");
    REJECTED("PATTERN a host name", "--header-for", "*.=X: 1");
    REJECTED("PATTERN a host name", "--header-for", "a*b=X: 1");
    REJECTED("--header-for: a header must look like", "--header-for", "h=novalue");
}

static void test_body_and_connection(void **state)
{
    (void)state;
    struct run r;
    PARSE_OK(&r, "-G", "-d", "a", "--path-as-is", "--local-port", "4000-4009", "-4", "--limit-rate",
             "2k", "--keepalive-time", "7", "--no-keepalive", "--interface", "lo", "-v", "-D",
             "h.txt", "--tlsv1.3", "--ciphers", "C", "-E", "c:p", "--key", "k", "--cert-type",
             "der", "--capath", "d", "--pinnedpubkey", "sha256//x");
    assert_true(r.cfg.get && r.cfg.path_as_is && r.cfg.no_keepalive && r.cfg.verbose);
    assert_int_equal(r.cfg.local_port, 4000);
    assert_int_equal(r.cfg.local_port_range, 10);
    assert_int_equal(r.cfg.ip, IP_V4);
    assert_int_equal(r.cfg.limit_rate, 2048);
    assert_int_equal(r.cfg.keepalive_ms, 7000);
    assert_string_equal(r.cfg.interface, "lo");
    assert_string_equal(r.cfg.dump_header, "h.txt");
    assert_int_equal(r.cfg.dump_header_fd, -1); /* opened by prepare */
    assert_int_equal(r.cfg.tls_min, TLS_1_3);
    assert_string_equal(r.cfg.cert, "c:p");
    assert_string_equal(r.cfg.cert_type, "DER");
    run_free(&r);
    PARSE_OK(&r, "-F", "x=1", "--form", "y=@f");
    assert_int_equal(r.cfg.nforms, 2);
    assert_null(r.cfg.form); /* parsed by prepare */
    run_free(&r);
    PARSE_OK(&r, "--local-port", "80", "-6", "--tlsv1.2");
    assert_int_equal(r.cfg.local_port, 80);
    assert_int_equal(r.cfg.local_port_range, 0);
    assert_int_equal(r.cfg.ip, IP_V6);
    assert_int_equal(r.cfg.tls_min, TLS_1_2);
    assert_int_equal(r.cfg.keepalive_ms, 60000); /* curl's default */
    assert_string_equal(r.cfg.cert_type, "PEM");
    run_free(&r);
    PARSE_OK(&r, "-G", "-I", "-d", "a=1"); /* a HEAD with the query */
    run_free(&r);
    REJECTED("--form cannot be combined with --data", "-F", "a=1", "-d", "x");
    REJECTED("--form cannot be combined with --get", "-F", "a=1", "-G");
    REJECTED("--form cannot be combined with --head", "-F", "a=1", "-I");
    REJECTED("--head cannot be combined with --data", "-I", "-d", "x");
    REJECTED("--local-port needs a port N or a range N-M", "--local-port", "0");
    REJECTED("--local-port needs", "--local-port", "10-9");
    REJECTED("--local-port needs", "--local-port", "1-70000");
    REJECTED("--local-port needs", "--local-port", "x");
    REJECTED("--keepalive-time", "--keepalive-time", "0.5");
    REJECTED("--cert-type must be PEM, DER, ENG or P12", "--cert-type", "pfx");
}

/* Control characters would go on the wire as they are: usage errors, and
 * a secret's value is never repeated in the message. */
static void test_control_characters(void **state)
{
    (void)state;
    REJECTED_AS("--user-agent must not contain control characters such as CR or LF (byte 0x0d "
                "at 2)",
                "-A", "x\r\nX-Injected: 1");
    REJECTED("--request must not contain control characters", "-X", "GET\n");
    REJECTED("--referer must not contain control characters", "-e", "http://a/\x01");
    REJECTED("--interface must not contain", "--interface", "lo\n");
    REJECTED("--noproxy must not contain", "--noproxy", "a\rb");
    REJECTED("--header: the value of header 'X-A' must not contain control characters", "-H",
             "X-A: 1\x7f");
    REJECTED("--header: a header name must be an HTTP token", "-H", "X\x01A: 1");
    REJECTED("--header: a header name must be an HTTP token", "-H", "X A: 1");
    REJECTED("--header-for: the value of header 'X' must not", "--header-for", "h=X: 1\r\nY: 2");
    /* a tab is a legal header value byte, and a legal -A byte */
    struct run r;
    PARSE_OK(&r, "-H", "X: a\tb", "-A", "a\tb");
    run_free(&r);
    /* secrets are not echoed */
    const char *secret[][2] = {{"-u", "al:s3cret\n"},
                               {"--oauth2-bearer", "t0ken\r"},
                               {"-U", "p:s3cret\x01"},
                               {"--header-for", "h=X-K: s3cret\n"},
                               {"-H", "Authorization: s3cret\r"},
                               {"-u", ""},
                               {"-E", ""}};
    for (size_t i = 0; i < sizeof secret / sizeof secret[0]; i++) {
        run_parse(&r, (const char *const[]){secret[i][0], secret[i][1], NULL});
        assert_int_equal(r.rc, CLI_ERROR);
        if (strstr(r.err.p, "s3cret") || strstr(r.err.p, "t0ken") ||
            (!*secret[i][1] && strstr(r.err.p, "''")))
            fail_msg("the message repeats the value: %s", r.err.p);
        run_free(&r);
    }
}

/* ---- usage errors ------------------------------------------------------- */

static void test_unknown_option(void **state)
{
    (void)state;
    REJECTED_AS("unknown option --bogus (see volley --help)", "--bogus");
    REJECTED_AS("unknown option --bogus (see volley --help)", "--bogus=1");
    REJECTED_AS("unknown option -W (see volley --help)", "-W");
    REJECTED_AS("unknown option -W (see volley --help)", "-qW");
    REJECTED_AS("unknown option --paralel; did you mean --parallel?", "--paralel", "4");
    REJECTED_AS("unknown option --parallell; did you mean --parallel?", "--parallell=4");
    REJECTED_AS("unknown option --pralalel; did you mean --parallel?", "--pralalel");
    REJECTED_AS("unknown option --http; did you mean --http1.1, --http2 or "
                "--http2-prior-knowledge?",
                "--http");
    REJECTED_AS("unknown option --retry-d; did you mean --retry-delay?", "--retry-d", "1");
    REJECTED_AS("unknown option --formt; did you mean --form or --format?", "--formt", "json");
    REJECTED("did you mean --include-body", "--include-bod");
}

/* Long options match their exact name only, never a prefix: these were
 * --user-agent, --fail-fast and --output-dir under getopt_long. */
static void test_exact_names(void **state)
{
    (void)state;
    REJECTED_AS("unknown option --user-agen; did you mean --user-agent?", "--user-agen", "x");
    REJECTED_AS("unknown option --use; did you mean --user or --user-agent?", "--use=x:y");
    REJECTED("curl's -o writes one body; volley writes bodies with --output-dir", "--output", "x");
    REJECTED("unknown option --paral", "--paral", "4");
    REJECTED("unknown option --ur", "--ur", "https://a/");
    struct run r;
    PARSE_OK(&r, "--user", "alice:secret");
    assert_string_equal(r.cfg.user, "alice:secret");
    assert_string_equal(r.cfg.user_agent, "volley/" VOLLEY_VERSION);
    run_free(&r);
    PARSE_OK(&r, "--fail", "--url", "https://a/");
    assert_true(r.cfg.fail);
    assert_false(r.cfg.fail_fast);
    run_free(&r);
    PARSE_OK(&r, "--fail-fast");
    assert_true(r.cfg.fail_fast);
    assert_false(r.cfg.fail);
    run_free(&r);
}

/* A curl option volley does not offer is a usage error saying so. */
static void test_curl_only(void **state)
{
    (void)state;
    REJECTED_AS("-o/--output is a curl option that volley does not have: curl's -o writes one "
                "body; volley writes bodies with --output-dir",
                "-o", "x");
    REJECTED("-o/--output is a curl option", "-ko", "x");
    REJECTED("-O/--remote-name is a curl option", "-O");
    REJECTED("-T/--upload-file is a curl option", "--upload-file", "f");
    REJECTED("c-ares, which Debian's is not", "--dns-servers", "127.0.0.1");
    REJECTED("-#/--progress-bar is a curl option", "-#");
    REJECTED("-C/--continue-at is a curl option", "-C", "-");
    REJECTED("volley's -j/--parallel", "--parallel-max", "10");
    REJECTED("-K/--config is a curl option", "-K", "x");
    REJECTED_AS("-Z is a curl option that volley does not have: volley is always parallel: -j",
                "-Z");
    REJECTED("-Z is a curl option", "-qZ");
    REJECTED("HTTP/3", "--http3");
    /* the table never hides an option volley has */
    size_t n;
    const struct cli_opt *rows = cli_table_rows(&n);
    for (size_t i = 0; i < n; i++) {
        assert_null(cli_table_curl_long(rows[i].name, strlen(rows[i].name)));
        assert_null(cli_table_curl_short(rows[i].letter));
    }
}

/* Short letters bundle; the last may take the rest or the next argument. */
static void test_bundling(void **state)
{
    (void)state;
    struct run r;
    PARSE_OK(&r, "-kL", "-qIj4", "-m", "2", "-Xput");
    assert_true(r.cfg.insecure);
    assert_true(r.cfg.location);
    assert_true(r.cfg.quiet);
    assert_true(r.cfg.head);
    assert_int_equal(r.cfg.parallel, 4);
    assert_int_equal(r.cfg.max_time_ms, 2000);
    assert_string_equal(r.cfg.method, "put");
    run_free(&r);
    PARSE_OK(&r, "-kj", "7", "-Hx: y", "-Aua", "-dk=v");
    assert_int_equal(r.cfg.parallel, 7);
    assert_string_equal(r.cfg.headers[0], "x: y");
    assert_string_equal(r.cfg.user_agent, "ua");
    assert_string_equal(r.cfg.data_args[0].arg, "k=v");
    run_free(&r);
    /* a value may start with '-' */
    PARSE_OK(&r, "--max-redirs", "-1", "-A", "-q", "--url", "--x");
    assert_int_equal(r.cfg.max_redirs, -1);
    assert_string_equal(r.cfg.user_agent, "-q");
    assert_false(r.cfg.quiet);
    assert_string_equal(r.cfg.urls[0], "--x");
    run_free(&r);
    REJECTED_AS("-j needs a value (N)", "-kj");
}

/* --name=value works for every type; "=" may be part of the value. */
static void test_equals_value(void **state)
{
    (void)state;
    struct run r;
    PARSE_OK(&r, "--parallel=3", "--max-time=1.5", "--rate=2/s", "--max-body=2k",
             "--max-fail-ratio=5", "--format=json", "--proto-default=HTTP", "--user-agent=a=b",
             "--resolve=h:1:127.0.0.1", "--header=A: b=c", "--url=https://x/?a=b",
             "--expect-status=200", "--data=k=v", "--write-out=%{url}");
    assert_int_equal(r.cfg.parallel, 3);
    assert_int_equal(r.cfg.max_time_ms, 1500);
    assert_int_equal(r.cfg.rate_us, 500000);
    assert_int_equal(r.cfg.max_body, 2048);
    assert_true(r.cfg.max_fail_ratio > 0.049 && r.cfg.max_fail_ratio < 0.051);
    assert_int_equal(r.cfg.format, FORMAT_TEMPLATE);
    assert_string_equal(r.cfg.proto_default, "http");
    assert_string_equal(r.cfg.user_agent, "a=b");
    assert_string_equal(r.cfg.resolve[0], "h:1:127.0.0.1");
    assert_string_equal(r.cfg.headers[0], "A: b=c");
    assert_string_equal(r.cfg.urls[0], "https://x/?a=b");
    assert_non_null(r.cfg.checks);
    assert_string_equal(r.cfg.data_args[0].arg, "k=v");
    run_free(&r);
    PARSE_OK(&r, "--user-agent=");
    assert_string_equal(r.cfg.user_agent, "");
    run_free(&r);
}

/* curl's -s, -S, -f and -i, with the meaning they have here. */
static void test_curl_flags(void **state)
{
    (void)state;
    struct run r;
    PARSE_OK(&r, "-sSfi");
    assert_true(r.cfg.quiet);
    assert_true(r.cfg.show_error);
    assert_true(r.cfg.fail);
    assert_true(r.cfg.include_headers);
    assert_false(r.cfg.fail_fast);
    assert_false(r.cfg.include_body);
    run_free(&r);
    PARSE_OK(&r, "--silent", "--show-error", "--fail", "--include");
    assert_true(r.cfg.quiet);
    assert_true(r.cfg.show_error);
    assert_true(r.cfg.fail);
    assert_true(r.cfg.include_headers);
    run_free(&r);
}

static void test_missing_argument(void **state)
{
    (void)state;
    REJECTED("-j", "-j");
    REJECTED("--parallel", "--parallel");
    REJECTED("--url", "-q", "--url");
    REJECTED("-H", "-H");
    REJECTED("-w", "-w");
    REJECTED_AS("--format needs a value (FMT)", "--format");
    REJECTED_AS("-j needs a value (N)", "-j");
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
    /* defaults, choices and "repeatable" come from the rows */
    assert_non_null(strstr(r.out, "transfers in flight at once (default 50)\n"));
    assert_non_null(strstr(r.out, "record format: text, jsonl or json (default text)\n"));
    assert_non_null(strstr(r.out, "(default volley/" VOLLEY_VERSION ")\n"));
    assert_non_null(strstr(r.out, "add a request header (repeatable)\n"));
    assert_null(strstr(r.out, "help-table"));
    run_free(&r);
    PARSE(&r, "-h");
    assert_int_equal(r.rc, CLI_DONE);
    assert_true(r.outlen > 100);
    run_free(&r);
}

/* --help-table: one TSV row per visible option, from the same rows. */
static void test_help_table(void **state)
{
    (void)state;
    struct run r;
    PARSE(&r, "--help-table");
    assert_int_equal(r.rc, CLI_DONE);
    assert_non_null(
        strstr(r.out, "parallel\t-j\tinteger\tN\t50\t\t\ttransfers in flight at once\n"));
    assert_non_null(strstr(r.out, "\nformat\t\tchoice\tFMT\ttext\ttext jsonl json\t\t"));
    assert_non_null(strstr(r.out, "\nheader\t-H\tcustom\t'NAME: VALUE'\t\t\trepeat\t"));
    assert_non_null(strstr(r.out, "\nquiet\t-q\tflag\t\t\t\t\t"));
    assert_null(strstr(r.out, "help-table"));
    size_t n, visible = 0, lines = 0;
    const struct cli_opt *rows = cli_table_rows(&n);
    for (size_t i = 0; i < n; i++)
        visible += !(rows[i].flags & CLI_F_HIDDEN);
    for (size_t i = 0; i < r.outlen; i++)
        lines += r.out[i] == '\n';
    assert_int_equal(lines, visible);
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
        {"2s", 2000},
        {"1.5m", 90000},
        {"2h", 7200000},
        {"1d", 86400000},
        {"365d", 31536000000},
        {"0.0015", 2},
        {".5", 500},
        {"3.", 3000},
        {"86400", 86400000},
        {"31536000", 31536000000L},
    };
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        long ms = -7;
        if (!cli_parse_secs(good[i].s, &ms))
            fail_msg("'%s' rejected", good[i].s);
        assert_int_equal(ms, good[i].ms);
    }
    static const char *const bad[] = {"",    "abc", "1x",  "1 ",       "-1",  "-0.001",
                                      "inf", "nan", "1e1", "31536001", "1,5", "0x10",
                                      " 1",  "+1",  ".",   "1.2.3"};
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

/* A value given to an option that takes none. */
static void test_value_for_flag(void **state)
{
    (void)state;
    REJECTED_AS("--quiet takes no value, not '1'", "--quiet=1");
    REJECTED_AS("--head takes no value, not 'yes'", "--head=yes");
}

static void test_decimal(void **state)
{
    (void)state;
    assert_true(cli_decimal("10", false, false));
    assert_true(cli_decimal("-1", false, true));
    assert_false(cli_decimal("-1", false, false));
    assert_false(cli_decimal("1.5", false, false));
    assert_true(cli_decimal("1.5", true, false));
    assert_false(cli_decimal("", true, true));
    assert_false(cli_decimal("-", true, true));
    assert_false(cli_decimal("0x1", true, true));
    assert_false(cli_decimal("1e3", true, true));
}

/* ---- the table itself --------------------------------------------------- */

/* Each row is one the parser can use: sorted unique names, unique letters,
 * a field of the C type its type stores, a default that converts, choices
 * only on choice rows, an argument name exactly when it takes a value. */
static void test_table(void **state)
{
    (void)state;
    size_t n;
    const struct cli_opt *rows = cli_table_rows(&n);
    assert_true(n > 50);
    for (size_t i = 0; i < n; i++) {
        const struct cli_opt *o = &rows[i];
        if (i > 0 && strcmp(rows[i - 1].name, o->name) >= 0)
            fail_msg("not sorted: %s, %s", rows[i - 1].name, o->name);
        assert_ptr_equal(cli_table_long(o->name, strlen(o->name)), o);
        if (o->letter)
            assert_ptr_equal(cli_table_short(o->letter), o);
        assert_non_null(o->help);
        bool takes =
            o->type != CLI_FLAG &&
            !(o->type == CLI_CUSTOM && (o->custom == CLI_C_HELP || o->custom == CLI_C_HELP_TABLE ||
                                        o->custom == CLI_C_VERSION));
        if (takes != (o->arg != NULL))
            fail_msg("--%s: argument name and type disagree", o->name);
        assert_true((o->type == CLI_CHOICE) == (o->choices != NULL));
        size_t want = 0;
        switch (o->type) {
        case CLI_INT:
        case CLI_SECS:
            want = sizeof(long);
            break;
        case CLI_RATE:
        case CLI_SIZE:
            want = sizeof(int64_t);
            break;
        case CLI_PERCENT:
            want = sizeof(double);
            break;
        case CLI_STRING:
            want = sizeof(const char *);
            assert_int_equal(o->store, CLI_S_STR);
            break;
        case CLI_LIST:
            want = sizeof(char **);
            assert_int_equal(o->store, CLI_S_LIST);
            assert_true(o->flags & CLI_F_REPEAT);
            break;
        case CLI_FLAG:
        case CLI_CHOICE:
            want = o->store == CLI_S_BOOL  ? sizeof(bool)
                   : o->store == CLI_S_STR ? sizeof(const char *)
                                           : sizeof(int);
            break;
        case CLI_CUSTOM:
            assert_int_equal(o->store, CLI_S_NONE);
            assert_null(o->def);
            break;
        }
        if (o->type != CLI_CUSTOM && o->size != want)
            fail_msg("--%s: field of %zu bytes, want %zu", o->name, o->size, want);
        if (o->def) { /* the default parses as a typed value */
            char arg[128];
            snprintf(arg, sizeof arg, "--%s=%s", o->name, o->def);
            struct run r;
            PARSE_OK(&r, arg);
            run_free(&r);
        }
    }
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_defaults),
    cmocka_unit_test(test_parallel),
    cmocka_unit_test(test_times),
    cmocka_unit_test(test_formats),
    cmocka_unit_test(test_write_out),
    cmocka_unit_test(test_order_color_quiet),
    cmocka_unit_test(test_proto_default),
    cmocka_unit_test(test_request_options),
    cmocka_unit_test(test_http_versions),
    cmocka_unit_test(test_max_redirs),
    cmocka_unit_test(test_max_filesize),
    cmocka_unit_test(test_headers),
    cmocka_unit_test(test_data_args),
    cmocka_unit_test(test_head_with_data),
    cmocka_unit_test(test_urls),
    cmocka_unit_test(test_files),
    cmocka_unit_test(test_unknown_option),
    cmocka_unit_test(test_missing_argument),
    cmocka_unit_test(test_help),
    cmocka_unit_test(test_version),
    cmocka_unit_test(test_reparse),
    cmocka_unit_test(test_parse_secs),
    cmocka_unit_test(test_parse_size),
    cmocka_unit_test(test_value_for_flag),
    cmocka_unit_test(test_rates_and_ratio),
    cmocka_unit_test(test_exact_names),
    cmocka_unit_test(test_curl_only),
    cmocka_unit_test(test_bundling),
    cmocka_unit_test(test_equals_value),
    cmocka_unit_test(test_curl_flags),
    cmocka_unit_test(test_help_table),
    cmocka_unit_test(test_decimal),
    cmocka_unit_test(test_table),
    cmocka_unit_test(test_credentials_and_cookies),
    cmocka_unit_test(test_body_and_connection),
    cmocka_unit_test(test_control_characters),
};

UNIT_MAIN("cli", tests)
