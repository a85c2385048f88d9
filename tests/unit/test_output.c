/* test_output: the record renderers (JSONL, text, -w templates; the string
 * escapers are test_text's) and the summary object, checked byte for byte.
 * The writer that puts them on stdout has its own test (test_writer). */
#include "unit.h"

#include "headers.h"
#include "output.h"

#include <cjson/cJSON.h>
#include <limits.h>

/* ---- helpers ------------------------------------------------------------ */

#define FFFD "\xEF\xBF\xBD"

/* A successful fetch with every field set. */
static struct record full_record(void)
{
    return (struct record){
        .seq = 7,
        .input = "urls.txt:12",
        .url = "https://a/",
        .url_effective = "https://a/b",
        .method = "GET",
        .http_code = 200,
        .ok = true,
        .kind = KIND_NONE,
        .error_code = -1,
        .attempts = 1,
        .time_total = 12345,
        .time_namelookup = 1000,
        .time_connect = 2000,
        .time_appconnect = 0,
        .time_starttransfer = 10000,
        .time_redirect = 0,
        .time_queue = 500,
        .size_download = 1024,
        .content_type = "text/html",
        .http_version = "1.1",
        .remote_ip = "127.0.0.1",
        .num_redirects = 1,
        .num_connects = 1,
        .redirect_url = "https://a/c",
        .remote_port = 443,
        .local_ip = "127.0.0.2",
        .local_port = 50123,
        .scheme = "https",
        .speed_download = 82947,
        .speed_upload = 0,
        .size_header = 114,
        .size_request = 89,
        .size_upload = 0,
        .time_pretransfer = 2500,
    };
}

static const char full_jsonl[] =
    "{\"seq\":7,\"input\":\"urls.txt:12\",\"url\":\"https://a/\",\"url_effective\":\"https://a/b\","
    "\"method\":\"GET\",\"http_code\":200,\"ok\":true,\"error\":null,\"attempts\":1,"
    "\"time_total\":0.012345,\"time_namelookup\":0.001000,\"time_connect\":0.002000,"
    "\"time_appconnect\":0.000000,\"time_starttransfer\":0.010000,\"time_redirect\":0.000000,"
    "\"time_queue\":0.000500,\"size_download\":1024,\"content_type\":\"text/html\","
    "\"http_version\":\"1.1\",\"remote_ip\":\"127.0.0.1\",\"num_redirects\":1,\"num_connects\":1,"
    "\"timestamp\":null,\"redirect_url\":\"https://a/c\",\"remote_port\":443,"
    "\"local_ip\":\"127.0.0.2\",\"local_port\":50123,\"scheme\":\"https\","
    "\"speed_download\":82947,\"speed_upload\":0,\"size_header\":114,\"size_request\":89,"
    "\"size_upload\":0,\"time_pretransfer\":0.002500}"
    "\n";

/* A fetch that got no response. */
static struct record dns_record(void)
{
    return (struct record){
        .seq = 3,
        .input = "-:4",
        .url = "https://nope.invalid/",
        .url_effective = "https://nope.invalid/",
        .method = "GET",
        .http_code = 0,
        .ok = false,
        .kind = KIND_DNS,
        .error_code = 6,
        .error_message = "Could not resolve host: nope.invalid",
        .attempts = 2,
        .time_total = 1500,
    };
}

static char *render(const struct output_options *opt, const struct record *r)
{
    struct buf b = {0};
    output_render(opt, r, &b);
    char *s = strdup(buf_str(&b));
    buf_free(&b);
    return s;
}

static char *render_fmt(enum output_format f, bool color, const struct record *r)
{
    struct output_options opt = {.format = f, .color = color, .fd = -1};
    return render(&opt, r);
}

#define assert_render(fmt, color, rec, want)                                                       \
    do {                                                                                           \
        struct record r_ = rec;                                                                    \
        char *got_ = render_fmt(fmt, color, &r_);                                                  \
        assert_string_equal(got_, want);                                                           \
        free(got_);                                                                                \
    } while (0)

/* Render R through the -w template TEXT. */
static char *render_tmpl(const char *text, const struct record *r)
{
    struct buf err = {0};
    struct output_template *t = output_template_parse(text, &err);
    if (!t)
        fail_msg("template '%s' rejected: %s", text, buf_str(&err));
    buf_free(&err);
    struct output_options opt = {.format = FORMAT_TEMPLATE, .tmpl = t, .fd = -1};
    char *s = render(&opt, r);
    output_template_free(t);
    return s;
}

#define assert_tmpl(text, rec, want)                                                               \
    do {                                                                                           \
        struct record r_ = rec;                                                                    \
        char *got_ = render_tmpl(text, &r_);                                                       \
        assert_string_equal(got_, want);                                                           \
        free(got_);                                                                                \
    } while (0)

/* ---- JSONL records ------------------------------------------------------ */

static void test_jsonl_full_record(void **state)
{
    (void)state;
    assert_render(FORMAT_JSONL, false, full_record(), full_jsonl);
}

static void test_jsonl_checks(void **state)
{
    (void)state;
    /* the checks array, byte for byte, after the fixed keys */
    static const struct check_failure checks[] = {
        {"status", "201", "200"},
        {"body", "\"ok\"", "b\x01\n\xFF"},
        {"header", "X-A: ^1$", ""},
    };
    struct record r = full_record();
    r.ok = false;
    r.kind = KIND_CHECK;
    r.error_message = "failed checks: status body header";
    r.checks = checks;
    r.nchecks = 3;
    char *s = render_fmt(FORMAT_JSONL, false, &r);
    assert_non_null(
        strstr(s, "\"time_pretransfer\":0.002500,\"checks\":[{\"check\":\"status\",\"expected\":"
                  "\"201\",\"actual\":\"200\"},{\"check\":\"body\",\"expected\":"
                  "\"\\\"ok\\\"\",\"actual\":\"b\\u0001\\n" FFFD "\"},{\"check\":"
                  "\"header\",\"expected\":\"X-A: ^1$\",\"actual\":\"\"}]}\n"));
    free(s);
    r.nchecks = 0; /* none: no key */
    s = render_fmt(FORMAT_JSONL, false, &r);
    assert_null(strstr(s, "\"checks\""));
    free(s);
}

static void test_jsonl_key_order(void **state)
{
    (void)state;
    static const char *const keys[] = {
        "seq",
        "input",
        "url",
        "url_effective",
        "method",
        "http_code",
        "ok",
        "error",
        "attempts",
        "time_total",
        "time_namelookup",
        "time_connect",
        "time_appconnect",
        "time_starttransfer",
        "time_redirect",
        "time_queue",
        "size_download",
        "content_type",
        "http_version",
        "remote_ip",
        "num_redirects",
        "num_connects",
        "timestamp",
        "redirect_url",
        "remote_port",
        "local_ip",
        "local_port",
        "scheme",
        "speed_download",
        "speed_upload",
        "size_header",
        "size_request",
        "size_upload",
        "time_pretransfer",
    };
    struct record r = dns_record();
    char *s = render_fmt(FORMAT_JSONL, false, &r);
    cJSON *j = cJSON_Parse(s);
    assert_non_null(j);
    size_t i = 0;
    for (cJSON *c = j->child; c; c = c->next, i++) {
        assert_true(i < sizeof keys / sizeof keys[0]);
        assert_string_equal(c->string, keys[i]);
    }
    assert_int_equal(i, sizeof keys / sizeof keys[0]);
    cJSON_Delete(j);
    free(s);
}

static void test_jsonl_optional_keys(void **state)
{
    (void)state;
    /* after the fixed keys, in their order, each only when set */
    static const struct check_failure checks[] = {{"status", "200", "503"}};
    struct record r = full_record();
    r.id_json = "\"a\"";
    r.checks = checks;
    r.nchecks = 1;
    r.headers_json = "{\"X\":\"1\"}";
    r.has_body = true;
    r.body = "hi";
    r.body_len = 2;
    r.body_sha256 = "ab";
    r.filename_effective = "out/7_a";
    char *s = render_fmt(FORMAT_JSONL, false, &r);
    assert_non_null(strstr(s, "\"time_pretransfer\":0.002500,\"id\":\"a\",\"checks\":[{\"check\":"
                              "\"status\",\"expected\":\"200\",\"actual\":\"503\"}],"
                              "\"headers\":{\"X\":\"1\"},\"body\":\"hi\",\"body_truncated\":false,"
                              "\"body_sha256\":\"ab\",\"filename_effective\":\"out/7_a\"}\n"));
    free(s);
    /* the -w-only names are never keys */
    struct headers h;
    headers_init(&h);
    r = full_record();
    r.response_headers = &h;
    r.error_code = 7;
    s = render_fmt(FORMAT_JSONL, false, &r);
    static const char *const never[] = {"\"body_truncated\"", "\"error_kind\"",
                                        "\"header_json\"",    "\"json\"",
                                        "\"response_code\"",  "\"exitcode\""};
    for (size_t i = 0; i < sizeof never / sizeof never[0]; i++)
        assert_null(strstr(s, never[i]));
    assert_string_equal(s, full_jsonl);
    free(s);
    headers_free(&h);
}

static void test_jsonl_error_object(void **state)
{
    (void)state;
    assert_render(FORMAT_JSONL, false, dns_record(),
                  "{\"seq\":3,\"input\":\"-:4\",\"url\":\"https://nope.invalid/\","
                  "\"url_effective\":\"https://nope.invalid/\",\"method\":\"GET\",\"http_code\":0,"
                  "\"ok\":false,\"error\":{\"kind\":\"dns\",\"code\":6,"
                  "\"message\":\"Could not resolve host: nope.invalid\"},\"attempts\":2,"
                  "\"time_total\":0.001500,\"time_namelookup\":0.000000,\"time_connect\":0.000000,"
                  "\"time_appconnect\":0.000000,\"time_starttransfer\":0.000000,"
                  "\"time_redirect\":0.000000,\"time_queue\":0.000000,\"size_download\":0,"
                  "\"content_type\":null,\"http_version\":null,\"remote_ip\":null,"
                  "\"num_redirects\":0,\"num_connects\":0,\"timestamp\":null,"
                  "\"redirect_url\":null,\"remote_port\":0,\"local_ip\":null,\"local_port\":0,"
                  "\"scheme\":null,\"speed_download\":0,\"speed_upload\":0,\"size_header\":0,"
                  "\"size_request\":0,\"size_upload\":0,\"time_pretransfer\":0.000000}\n");
}

static char *render_error(enum record_kind kind, long code, const char *msg)
{
    struct record r = dns_record();
    r.kind = kind;
    r.error_code = code;
    r.error_message = msg;
    char *s = render_fmt(FORMAT_JSONL, false, &r);
    char *e = strstr(s, "\"error\":");
    char *end = e ? strstr(e, ",\"attempts\"") : NULL;
    if (!end)
        fail_msg("no error key in %s", s);
    *end = '\0';
    char *out = strdup(e);
    free(s);
    return out;
}

static void test_jsonl_error_code_null(void **state)
{
    (void)state;
    char *s = render_error(KIND_HTTP, -1, "HTTP status outside 2xx/3xx");
    assert_string_equal(s, "\"error\":{\"kind\":\"http\",\"code\":null,"
                           "\"message\":\"HTTP status outside 2xx/3xx\"}");
    free(s);
    s = render_error(KIND_CANCELLED, 42, "interrupted");
    assert_string_equal(s, "\"error\":{\"kind\":\"cancelled\",\"code\":42,"
                           "\"message\":\"interrupted\"}");
    free(s);
    s = render_error(KIND_OTHER, 0, "x");
    assert_string_equal(s, "\"error\":{\"kind\":\"other\",\"code\":0,\"message\":\"x\"}");
    free(s);
    /* a missing message is an empty string, never null or absent */
    s = render_error(KIND_INPUT, -1, NULL);
    assert_string_equal(s, "\"error\":{\"kind\":\"input\",\"code\":null,\"message\":\"\"}");
    free(s);
    /* KIND_NONE: null even with a code set */
    s = render_error(KIND_NONE, 7, "ignored");
    assert_string_equal(s, "\"error\":null");
    free(s);
}

static void test_jsonl_strings_repaired(void **state)
{
    (void)state;
    struct record r = full_record();
    r.url = "https://a/\xFF\"\n";
    r.kind = KIND_INPUT;
    r.error_message = "bad \x01 line";
    r.content_type = "text/\xC3";
    char *s = render_fmt(FORMAT_JSONL, false, &r);
    assert_non_null(strstr(s, "\"url\":\"https://a/" FFFD "\\\"\\n\","));
    assert_non_null(strstr(s, "\"message\":\"bad \\u0001 line\""));
    assert_non_null(strstr(s, "\"content_type\":\"text/" FFFD "\""));
    /* one line, and it parses */
    assert_ptr_equal(strchr(s, '\n'), s + strlen(s) - 1);
    cJSON *j = cJSON_Parse(s);
    assert_non_null(j);
    cJSON_Delete(j);
    free(s);
}

static void test_jsonl_huge_numbers(void **state)
{
    (void)state;
    struct record r = full_record();
    r.seq = UINT64_MAX;
    r.size_download = INT64_MAX;
    r.http_code = 999;
    r.attempts = LONG_MAX;
    r.time_total = INT64_MAX;
    r.num_redirects = -1;
    char *s = render_fmt(FORMAT_JSONL, false, &r);
    assert_non_null(strstr(s, "{\"seq\":18446744073709551615,"));
    assert_non_null(strstr(s, ",\"size_download\":9223372036854775807,"));
    assert_non_null(strstr(s, ",\"attempts\":9223372036854775807,"));
    assert_non_null(strstr(s, ",\"time_total\":9223372036854.775807,"));
    assert_non_null(strstr(s, ",\"num_redirects\":-1,"));
    free(s);

    r.size_download = INT64_MIN;
    s = render_fmt(FORMAT_JSONL, false, &r);
    assert_non_null(strstr(s, ",\"size_download\":-9223372036854775808,"));
    free(s);
}

static void test_jsonl_times(void **state)
{
    (void)state;
    struct record r = full_record();
    r.time_total = 0;
    r.time_namelookup = -1500;
    r.time_connect = -1;
    r.time_appconnect = 1;
    r.time_starttransfer = 999999;
    r.time_redirect = 1000000;
    r.time_queue = 61234567;
    char *s = render_fmt(FORMAT_JSONL, false, &r);
    assert_non_null(strstr(s, "\"time_total\":0.000000,\"time_namelookup\":-0.001500,"
                              "\"time_connect\":-0.000001,\"time_appconnect\":0.000001,"
                              "\"time_starttransfer\":0.999999,\"time_redirect\":1.000000,"
                              "\"time_queue\":61.234567,"));
    cJSON *j = cJSON_Parse(s);
    assert_non_null(j);
    assert_float_equal(cJSON_GetObjectItem(j, "time_namelookup")->valuedouble, -0.0015, 1e-9);
    cJSON_Delete(j);
    free(s);
}

static void test_kind_names(void **state)
{
    (void)state;
    static const char *const names[KIND__COUNT] = {
        "none",     "input", "dns",   "connect",   "tls",   "timeout", "too_large",
        "protocol", "http",  "check", "cancelled", "other", "denied",
    };
    for (int k = 0; k < KIND__COUNT; k++)
        assert_string_equal(record_kind_name((enum record_kind)k), names[k]);
    assert_string_equal(record_kind_name(KIND__COUNT), "other");
    assert_string_equal(record_kind_name((enum record_kind)1000), "other");
}

/* ---- text records ------------------------------------------------------- */

static struct record text_ok(void)
{
    struct record r = full_record();
    r.time_total = 12000;
    return r;
}

static void test_text_ok(void **state)
{
    (void)state;
    assert_render(FORMAT_TEXT, false, text_ok(), "200 0.012 1024 https://a/\n");
}

static void test_text_rounding(void **state)
{
    (void)state;
    struct record r = text_ok();
    r.time_total = 12499;
    assert_render(FORMAT_TEXT, false, r, "200 0.012 1024 https://a/\n");
    r.time_total = 12500;
    assert_render(FORMAT_TEXT, false, r, "200 0.013 1024 https://a/\n");
    r.time_total = 1999999;
    assert_render(FORMAT_TEXT, false, r, "200 2.000 1024 https://a/\n");
    r.time_total = 0;
    r.size_download = 0;
    assert_render(FORMAT_TEXT, false, r, "200 0.000 0 https://a/\n");
    r.time_total = 123456789;
    r.size_download = INT64_MAX;
    assert_render(FORMAT_TEXT, false, r, "200 123.457 9223372036854775807 https://a/\n");
}

static void test_text_err(void **state)
{
    (void)state;
    assert_render(FORMAT_TEXT, false, dns_record(),
                  "ERR 0.002 0 https://nope.invalid/ dns: Could not resolve host: nope.invalid\n");
    struct record r = dns_record();
    r.kind = KIND_INPUT;
    r.error_message = "unsupported scheme (only http and https are fetched)";
    r.url = "ftp://x/";
    r.time_total = 0;
    assert_render(FORMAT_TEXT, false, r,
                  "ERR 0.000 0 ftp://x/ input: unsupported scheme (only http and https are "
                  "fetched)\n");
}

static void test_text_http_error(void **state)
{
    (void)state;
    struct record r = text_ok();
    r.http_code = 404;
    r.ok = false;
    r.kind = KIND_HTTP;
    r.error_message = "HTTP status outside 2xx/3xx";
    r.size_download = 9;
    assert_render(FORMAT_TEXT, false, r,
                  "404 0.012 9 https://a/ http: HTTP status outside 2xx/3xx\n");
}

static void test_text_response_with_error(void **state)
{
    (void)state;
    /* a response came, then the transfer failed: the status stays */
    struct record r = text_ok();
    r.ok = false;
    r.kind = KIND_PROTOCOL;
    r.error_code = 18;
    r.error_message = "transfer closed";
    assert_render(FORMAT_TEXT, false, r, "200 0.012 1024 https://a/ protocol: transfer closed\n");
}

static void test_text_one_line(void **state)
{
    (void)state;
    struct record r = dns_record();
    r.url = "https://a/\nb\xFF\tc\\d";
    r.error_message = "two\nlines\r\x01";
    assert_render(FORMAT_TEXT, false, r,
                  "ERR 0.002 0 https://a/\\nb" FFFD "\\tc\\\\d dns: two\\nlines\\r\\x01\n");
    r.error_message = NULL;
    r.url = NULL;
    assert_render(FORMAT_TEXT, false, r, "ERR 0.002 0  dns: \n");
}

static void test_text_checks(void **state)
{
    (void)state;
    /* a failed check's note shows what was expected and what came */
    struct check_failure checks[] = {
        {"status", "200", "503"},
        {"header", "Content-Type: json", "(absent)"},
        {"jq", ".ok", "b\ta\\d"},
    };
    struct record r = text_ok();
    r.http_code = 503;
    r.ok = false;
    r.kind = KIND_CHECK;
    r.error_message = "failed check: status";
    r.checks = checks;
    r.nchecks = 1;
    assert_render(FORMAT_TEXT, false, r, "503 0.012 1024 https://a/ check: status 200 != 503\n");
    r.nchecks = 3;
    assert_render(FORMAT_TEXT, false, r,
                  "503 0.012 1024 https://a/ check: status 200 != 503; header Content-Type: json "
                  "!= (absent); jq .ok != b\\ta\\\\d\n");
    /* long values are cut to 64 characters */
    char big[200];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    checks[0].actual = big;
    r.nchecks = 1;
    char *got = render_fmt(FORMAT_TEXT, false, &r);
    char want[256];
    snprintf(want, sizeof want, "503 0.012 1024 https://a/ check: status 200 != %.64s...\n", big);
    assert_string_equal(got, want);
    free(got);
    /* an http failure keeps its message; the checks are in the JSON */
    r.kind = KIND_HTTP;
    r.error_message = "HTTP status outside 2xx/3xx";
    assert_render(FORMAT_TEXT, false, r,
                  "503 0.012 1024 https://a/ http: HTTP status outside 2xx/3xx\n");
}

static void test_text_id(void **state)
{
    (void)state;
    /* a spec's id after the URL, one column: blanks as \x20 */
    struct record r = text_ok();
    r.id_json = "\"api-7\"";
    assert_render(FORMAT_TEXT, false, r, "200 0.012 1024 https://a/ id=api-7\n");
    r.id_json = "\"a b\\tc\\\\d\\u00e9\"";
    assert_render(FORMAT_TEXT, false, r, "200 0.012 1024 https://a/ id=a\\x20b\\tc\\\\d\xC3\xA9\n");
    r.id_json = "17";
    assert_render(FORMAT_TEXT, false, r, "200 0.012 1024 https://a/ id=17\n");
    r.id_json = "null";
    assert_render(FORMAT_TEXT, false, r, "200 0.012 1024 https://a/ id=null\n");
    /* before the note */
    struct record d = dns_record();
    d.id_json = "\"x\"";
    assert_render(FORMAT_TEXT, false, d,
                  "ERR 0.002 0 https://nope.invalid/ id=x dns: Could not resolve host: "
                  "nope.invalid\n");
    assert_render(FORMAT_TEXT, true, d,
                  "\033[31mERR\033[0m 0.002 0 https://nope.invalid/ id=x "
                  "\033[31mdns: Could not resolve host: nope.invalid\033[0m\n");
}

static void test_text_color(void **state)
{
    (void)state;
    struct record r = text_ok();
    assert_render(FORMAT_TEXT, true, r, "\033[32m200\033[0m 0.012 1024 https://a/\n");
    r.http_code = 301;
    assert_render(FORMAT_TEXT, true, r, "\033[36m301\033[0m 0.012 1024 https://a/\n");
    r.http_code = 404;
    r.ok = false;
    r.kind = KIND_HTTP;
    r.error_message = "m";
    assert_render(FORMAT_TEXT, true, r,
                  "\033[33m404\033[0m 0.012 1024 https://a/ \033[31mhttp: m\033[0m\n");
    r.http_code = 503;
    assert_render(FORMAT_TEXT, true, r,
                  "\033[31m503\033[0m 0.012 1024 https://a/ \033[31mhttp: m\033[0m\n");
    assert_render(FORMAT_TEXT, true, dns_record(),
                  "\033[31mERR\033[0m 0.002 0 https://nope.invalid/ "
                  "\033[31mdns: Could not resolve host: nope.invalid\033[0m\n");
}

static void test_text_no_color_codes(void **state)
{
    (void)state;
    struct record recs[] = {text_ok(), dns_record()};
    for (size_t i = 0; i < 2; i++) {
        char *s = render_fmt(FORMAT_TEXT, false, &recs[i]);
        assert_null(strchr(s, '\033'));
        free(s);
    }
}

/* ---- -w templates ------------------------------------------------------- */

static void test_tmpl_basic(void **state)
{
    (void)state;
    assert_tmpl("%{http_code} %{url}\\n", text_ok(), "200 https://a/\n");
    /* written exactly as given: no newline added */
    assert_tmpl("%{http_code}", text_ok(), "200");
    assert_tmpl("", text_ok(), "");
    assert_tmpl("plain", text_ok(), "plain");
}

static void test_tmpl_every_record_field(void **state)
{
    (void)state;
    assert_tmpl("%{seq}|%{input}|%{url}|%{url_effective}|%{method}|%{http_code}|%{ok}|"
                "%{attempts}|%{time_total}|%{time_namelookup}|%{time_connect}|"
                "%{time_appconnect}|%{time_starttransfer}|%{time_redirect}|%{time_queue}|"
                "%{size_download}|%{content_type}|%{http_version}|%{remote_ip}|"
                "%{num_redirects}|%{num_connects}",
                full_record(),
                "7|urls.txt:12|https://a/|https://a/b|GET|200|true|1|0.012345|0.001000|0.002000|"
                "0.000000|0.010000|0.000000|0.000500|1024|text/html|1.1|127.0.0.1|1|1");
}

static void test_tmpl_aliases(void **state)
{
    (void)state;
    assert_tmpl("%{response_code}", text_ok(), "200");
    /* no error: empty kind and message, code 0 */
    assert_tmpl("[%{error}][%{error_kind}][%{error_code}][%{exitcode}][%{error_message}]"
                "[%{errormsg}]",
                text_ok(), "[][][0][0][][]");
    assert_tmpl("[%{error}][%{error_kind}][%{error_code}][%{exitcode}][%{errormsg}]", dns_record(),
                "[dns][dns][6][6][Could not resolve host: nope.invalid]");
    struct record r = dns_record();
    r.kind = KIND_HTTP;
    r.error_code = -1;
    r.http_code = 500;
    r.error_message = "bad\nstatus";
    assert_tmpl("%{error_kind} %{exitcode} %{response_code} %{ok} %{error_message}", r,
                "http 0 500 false bad\\nstatus");
}

static void test_tmpl_curl_names(void **state)
{
    (void)state;
    struct record r = full_record();
    r.timestamp_ms = 1764624600123;
    assert_tmpl("%{redirect_url}|%{remote_port}|%{local_ip}|%{local_port}|%{scheme}|"
                "%{speed_download}|%{speed_upload}|%{size_header}|%{size_request}|"
                "%{size_upload}|%{time_pretransfer}|%{timestamp}",
                r,
                "https://a/c|443|127.0.0.2|50123|https|82947|0|114|89|0|0.002500|"
                "2025-12-01T21:30:00.123Z");
    /* nothing fetched: null strings are nothing, numbers 0 */
    assert_tmpl("[%{redirect_url}][%{remote_port}][%{local_ip}][%{scheme}][%{timestamp}]",
                dns_record(), "[][0][][][]");
}

static void test_tmpl_optional_keys(void **state)
{
    (void)state;
    static const struct check_failure checks[] = {{"status", "200", "503"}, {"jq", ".ok", "a\tb"}};
    struct record r = full_record();
    /* not set: nothing */
    assert_tmpl("[%{id}][%{checks}][%{headers}][%{body}][%{body_sha256}][%{filename_effective}]"
                "[%{body_truncated}]",
                r, "[][][][][][][false]");
    r.id_json = "\"job 1\\n\"";
    r.checks = checks;
    r.nchecks = 2;
    r.headers_json = "{\"X\":\"a\\\"b\"}";
    r.has_body = true;
    r.body = "hi\nthere";
    r.body_len = 8;
    r.body_truncated = true;
    r.body_sha256 = "ab12";
    r.filename_effective = "out/7_a b";
    assert_tmpl("[%{id}][%{checks}][%{headers}][%{body}][%{body_sha256}][%{filename_effective}]"
                "[%{body_truncated}]",
                r,
                "[job 1\\n][status 200 != 503; jq .ok != a\\tb][{\"X\":\"a\\\"b\"}][hi\\nthere]"
                "[ab12][out/7_a b][true]");
    r.id_json = "-2.5";
    assert_tmpl("%{id}", r, "-2.5");
}

/* The headers of a response, as libcurl's header callback hands them over. */
static void feed_headers(struct headers *h)
{
    static const char *const lines[] = {
        "HTTP/1.1 200 OK\r\n",
        "Content-Type: text/html\r\n",
        "X-A: 1\r\n",
        "x-a: 2\r\n",
        "Set-Cookie: s=1\r\n",
        "X-Tab: a\tb \r\n",
        "\r\n",
    };
    headers_init(h);
    for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++)
        headers_feed(h, lines[i], strlen(lines[i]));
}

static void test_tmpl_response_headers(void **state)
{
    (void)state;
    struct headers h;
    feed_headers(&h);
    struct record r = full_record();
    r.response_headers = &h;
    /* curl's %header{NAME}: any case, the first value; secrets as *** */
    assert_tmpl("%header{content-type}|%header{X-A}|%header{set-cookie}|%header{nope}|"
                "%header{X-Tab}|%{http_code}",
                r, "text/html|1|***||a\\tb|200");
    assert_tmpl("%{header_json}", r,
                "{\"Content-Type\":\"text/html\",\"X-A\":\"1, 2\",\"Set-Cookie\":\"***\","
                "\"X-Tab\":\"a\\tb\"}");
    /* a record read back (--summarize) has the headers key's object */
    r.headers_json = "{\"Y\":\"2\"}";
    assert_tmpl("%{header_json}", r, "{\"Y\":\"2\"}");
    /* no response, or not collected: nothing */
    r = full_record();
    assert_tmpl("[%header{content-type}][%{header_json}]", r, "[][]");
    headers_free(&h);
}

static void test_tmpl_wants_headers(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        bool headers;
    } cases[] = {
        {"%{http_code} %{url}", false}, {"%{headers}", false},       {"%{json}", false},
        {"a %header{etag} b", true},    {"%{header_json}\\n", true}, {"%%header{etag}", false},
        {"%{seq}%header{x-a}", true},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct buf err = {0};
        struct output_template *t = output_template_parse(cases[i].text, &err);
        assert_non_null(t);
        assert_int_equal(err.len, 0);
        assert_int_equal(output_template_headers(t), cases[i].headers);
        output_template_free(t);
    }
    assert_false(output_template_headers(NULL));
    /* %%header{x} is a literal */
    assert_tmpl("%%header{x}", text_ok(), "%header{x}");
}

static void test_tmpl_nulls(void **state)
{
    (void)state;
    assert_tmpl("[%{content_type}][%{http_version}][%{remote_ip}]", dns_record(), "[][][]");
}

static void test_tmpl_json(void **state)
{
    (void)state;
    char want[sizeof full_jsonl];
    memcpy(want, full_jsonl, sizeof full_jsonl);
    want[sizeof full_jsonl - 2] = '\0'; /* drop the newline */
    assert_tmpl("%{json}", full_record(), want);
}

static void test_tmpl_escapes(void **state)
{
    (void)state;
    assert_tmpl("a\\tb\\nc\\rd\\\\e", text_ok(), "a\tb\nc\rd\\e");
    assert_tmpl("100%% %{http_code}%%", text_ok(), "100% 200%");
    /* anything else is literal */
    assert_tmpl("50% \\x %d %", text_ok(), "50% \\x %d %");
}

static void check_tmpl_rejected(const char *text, const char *name, const char *why)
{
    struct buf err = {0};
    struct output_template *t = output_template_parse(text, &err);
    assert_null(t);
    assert_non_null(strstr(buf_str(&err), why));
    if (name && *name) { /* the message ends with ": NAME" */
        size_t n = strlen(name);
        assert_true(err.len > n + 2);
        assert_memory_equal(err.p + err.len - n - 2, ": ", 2);
        assert_string_equal(err.p + err.len - n, name);
    }
    buf_free(&err);
}

static void test_tmpl_unknown(void **state)
{
    (void)state;
    check_tmpl_rejected("%{nope}", "nope", "unknown");
    check_tmpl_rejected("ok %{http_code} %{ssl_verify_result}\\n", "ssl_verify_result", "unknown");
    check_tmpl_rejected("%{URL}", "URL", "unknown"); /* names are case-sensitive */
    check_tmpl_rejected("%{}", "", "unknown");
    check_tmpl_rejected("%{ url }", " url ", "unknown");
}

static void test_tmpl_unterminated(void **state)
{
    (void)state;
    check_tmpl_rejected("%{url", NULL, "unterminated");
    check_tmpl_rejected("%{http_code} %{", NULL, "unterminated");
    check_tmpl_rejected("%header{etag", NULL, "unterminated %header{");
    check_tmpl_rejected("%header{}", "", "header name");
    check_tmpl_rejected("%header{x:y}", "x:y", "header name");
}

/* ---- the summary -------------------------------------------------------- */

static struct output_summary summary(void)
{
    struct output_summary s = {.urls = 10, .ok = 7, .failed = 3, .elapsed_us = 2500000};
    s.by_kind[KIND_DNS] = 2;
    s.by_kind[KIND_HTTP] = 1;
    return s;
}

static void test_summary_json(void **state)
{
    (void)state;
    struct output_summary s = summary();
    struct buf b = {0};
    output_summary_json(&b, &s);
    assert_string_equal(buf_str(&b), "{\"urls\":10,\"ok\":7,\"failed\":3,\"errors\":{\"dns\":2,"
                                     "\"http\":1},\"elapsed\":2.500000,\"urls_per_second\":4.0}");
    cJSON *j = cJSON_Parse(b.p);
    assert_non_null(j);
    cJSON_Delete(j);

    struct output_summary z = {0};
    buf_clear(&b);
    output_summary_json(&b, &z);
    assert_string_equal(buf_str(&b), "{\"urls\":0,\"ok\":0,\"failed\":0,\"errors\":{},"
                                     "\"elapsed\":0.000000,\"urls_per_second\":0.0}");
    buf_free(&b);
}

/* ---- known bugs (run with --bugs) --------------------------------------- */

/* buf_add_secs negates and rounds in int64_t: INT64_MIN and values near
 * INT64_MAX overflow (undefined behaviour; UBSan aborts). */
static void test_text_extreme_times(void **state)
{
    (void)state;
    struct record r = text_ok();
    r.time_total = INT64_MAX;
    assert_render(FORMAT_TEXT, false, r, "200 9223372036854.776 1024 https://a/\n");
    r.time_total = INT64_MIN;
    assert_render(FORMAT_TEXT, false, r, "200 -9223372036854.776 1024 https://a/\n");
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_jsonl_full_record),
    cmocka_unit_test(test_jsonl_key_order),
    cmocka_unit_test(test_jsonl_checks),
    cmocka_unit_test(test_jsonl_optional_keys),
    cmocka_unit_test(test_jsonl_error_object),
    cmocka_unit_test(test_jsonl_error_code_null),
    cmocka_unit_test(test_jsonl_strings_repaired),
    cmocka_unit_test(test_jsonl_huge_numbers),
    cmocka_unit_test(test_jsonl_times),
    cmocka_unit_test(test_kind_names),
    cmocka_unit_test(test_text_ok),
    cmocka_unit_test(test_text_rounding),
    cmocka_unit_test(test_text_err),
    cmocka_unit_test(test_text_http_error),
    cmocka_unit_test(test_text_response_with_error),
    cmocka_unit_test(test_text_one_line),
    cmocka_unit_test(test_text_checks),
    cmocka_unit_test(test_text_id),
    cmocka_unit_test(test_text_color),
    cmocka_unit_test(test_text_no_color_codes),
    cmocka_unit_test(test_tmpl_basic),
    cmocka_unit_test(test_tmpl_every_record_field),
    cmocka_unit_test(test_tmpl_aliases),
    cmocka_unit_test(test_tmpl_curl_names),
    cmocka_unit_test(test_tmpl_optional_keys),
    cmocka_unit_test(test_tmpl_response_headers),
    cmocka_unit_test(test_tmpl_wants_headers),
    cmocka_unit_test(test_tmpl_nulls),
    cmocka_unit_test(test_tmpl_json),
    cmocka_unit_test(test_tmpl_escapes),
    cmocka_unit_test(test_tmpl_unknown),
    cmocka_unit_test(test_tmpl_unterminated),
    cmocka_unit_test(test_summary_json),
    cmocka_unit_test(test_text_extreme_times),
};

UNIT_MAIN("output", tests)
