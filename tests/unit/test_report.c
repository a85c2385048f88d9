/* test_report: the latency histograms (percentiles against known
 * distributions, within the stated error), the escapers, the stderr and JSON
 * summaries, and every --report kind written from a sequence of records:
 * JUnit checked by xmllint against tests/unit/junit.xsd, TAP by prove and
 * TAP::Parser, Markdown byte for byte, JSON through cJSON. */
#include "unit.h"

#include "report.h"
#include "report_impl.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <sys/wait.h>

/* ---- helpers ------------------------------------------------------------ */

#define FFFD "\xEF\xBF\xBD"

static struct record rec_ok(const char *url, int64_t usec)
{
    return (struct record){
        .seq = 1,
        .input = "urls.txt:1",
        .url = url,
        .url_effective = url,
        .method = "GET",
        .http_code = 200,
        .ok = true,
        .kind = KIND_NONE,
        .error_code = -1,
        .attempts = 1,
        .time_total = usec,
    };
}

static struct record rec_fail(const char *url, enum record_kind kind, long code, int64_t usec)
{
    struct record r = rec_ok(url, usec);
    r.ok = false;
    r.kind = kind;
    r.http_code = code;
    if (kind == KIND_CANCELLED || kind == KIND_INPUT)
        r.attempts = 0;
    return r;
}

/* A fresh, registered (so removed by unit_cleanup) empty file; its path. */
static const char *scratch(const char *name)
{
    return unit_file(name, "", 0);
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    struct buf b = {0};
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        buf_add(&b, chunk, n);
    fclose(f);
    return (char *)(uintptr_t)buf_str(&b); /* the caller frees */
}

/* Run CMD through the shell; its exit status, and its output (stdout and
 * stderr) in *OUT (caller frees). */
static int run(const char *cmd, char **out)
{
    struct buf c = {0};
    buf_addf(&c, "%s 2>&1", cmd);
    FILE *p = popen(buf_str(&c), "r");
    buf_free(&c);
    assert_non_null(p);
    struct buf b = {0};
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, p)) > 0)
        buf_add(&b, chunk, n);
    int st = pclose(p);
    *out = (char *)(uintptr_t)buf_str(&b);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static bool have(const char *tool)
{
    char cmd[128], *out;
    snprintf(cmd, sizeof cmd, "command -v %s", tool);
    bool ok = run(cmd, &out) == 0;
    free(out);
    return ok;
}

#define NEED(tool)                                                                                 \
    do {                                                                                           \
        if (!have(tool)) {                                                                         \
            print_message("%s not installed (scripts/deps.sh test): skipped\n", tool);             \
            skip();                                                                                \
        }                                                                                          \
    } while (0)

/* The directory of this source file, where junit.xsd lives. */
static const char *srcdir(void)
{
    static char dir[4096];
    snprintf(dir, sizeof dir, "%s", __FILE__);
    char *slash = strrchr(dir, '/');
    if (slash)
        *slash = '\0';
    else
        snprintf(dir, sizeof dir, ".");
    return dir;
}

/* ---- histograms --------------------------------------------------------- */

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* Feed V[0..N) as latencies and compare p50, p90, p99, p99.9 and max with
 * the exact nearest-rank percentiles, within 1 % (the stated bound). */
static void check_percentiles(int64_t *v, size_t n)
{
    struct report *r = report_new();
    for (size_t i = 0; i < n; i++) {
        struct record rec = rec_ok("https://h/", v[i]);
        report_record(r, &rec);
    }
    qsort(v, n, sizeof *v, cmp_i64);
    static const unsigned pm[] = {1, 100, 500, 900, 990, 999, 1000};
    for (size_t i = 0; i < sizeof pm / sizeof pm[0]; i++) {
        size_t rank = (n * pm[i] + 999) / 1000;
        int64_t want = v[rank ? rank - 1 : 0];
        int64_t got = report_latency(r, pm[i]);
        double err = want ? (double)llabs(got - want) / (double)want : (double)got;
        if (err > 0.01)
            fail_msg("p%.1f: got %lld, want %lld (error %.4f)", pm[i] / 10.0, (long long)got,
                     (long long)want, err);
    }
    assert_int_equal(report_latency(r, 1000), v[n - 1]);
    report_free(r);
}

static void test_hist_empty(void **state)
{
    (void)state;
    struct report *r = report_new();
    assert_int_equal(report_latency(r, 500), -1);
    assert_int_equal(report_latency(r, 1000), -1);
    report_free(r);
}

static void test_hist_small_exact(void **state)
{
    (void)state;
    /* below 128 µs every value has a bucket of its own */
    int64_t v[127];
    for (size_t i = 0; i < 127; i++)
        v[i] = (int64_t)(126 - i) + 1;
    struct report *r = report_new();
    for (size_t i = 0; i < 127; i++) {
        struct record rec = rec_ok("https://h/", v[i]);
        report_record(r, &rec);
    }
    assert_int_equal(report_latency(r, 500), 64);
    assert_int_equal(report_latency(r, 900), 115);
    assert_int_equal(report_latency(r, 1), 1);
    assert_int_equal(report_latency(r, 1000), 127);
    report_free(r);
}

static void test_hist_uniform(void **state)
{
    (void)state;
    size_t n = 100000;
    int64_t *v = malloc(n * sizeof *v);
    for (size_t i = 0; i < n; i++)
        v[i] = (int64_t)((i * 7919) % n) * 10 + 5; /* 5 µs .. 1 s, shuffled */
    check_percentiles(v, n);
    free(v);
}

/* A deterministic generator (xorshift64*) for the random distributions. */
static uint64_t rng(uint64_t *s)
{
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * 2685821657736338717u;
}

static double unit_rand(uint64_t *s)
{
    return (double)(rng(s) >> 11) / 9007199254740992.0; /* [0, 1) */
}

static void test_hist_log_uniform(void **state)
{
    (void)state;
    /* 1 µs .. 1000 s, every decade equally likely: the whole range */
    size_t n = 50000;
    int64_t *v = malloc(n * sizeof *v);
    uint64_t s = 42;
    for (size_t i = 0; i < n; i++)
        v[i] = (int64_t)pow(10.0, 9.0 * unit_rand(&s));
    check_percentiles(v, n);
    free(v);
}

static void test_hist_exponential(void **state)
{
    (void)state;
    /* latencies of a service: 20 ms mean, a long tail */
    size_t n = 50000;
    int64_t *v = malloc(n * sizeof *v);
    uint64_t s = 7;
    for (size_t i = 0; i < n; i++)
        v[i] = 1000 + (int64_t)(-20000.0 * log(1.0 - unit_rand(&s)));
    check_percentiles(v, n);
    free(v);
}

static void test_hist_bimodal(void **state)
{
    (void)state;
    /* 95 % fast (about 3 ms), 5 % slow (about 2 s): p99 is in the slow mode */
    size_t n = 20000;
    int64_t *v = malloc(n * sizeof *v);
    uint64_t s = 99;
    for (size_t i = 0; i < n; i++)
        v[i] = i % 20 ? 2500 + (int64_t)(unit_rand(&s) * 1000)
                      : 1800000 + (int64_t)(unit_rand(&s) * 400000);
    check_percentiles(v, n);
    free(v);
}

static void test_hist_beyond_range(void **state)
{
    (void)state;
    /* over 2^30 µs (about 1074 s) values share a bucket; max stays exact */
    struct report *r = report_new();
    int64_t v[] = {5000000000, 3000000000, 2000000000, -5};
    for (size_t i = 0; i < 4; i++) {
        struct record rec = rec_ok("https://h/", v[i]);
        report_record(r, &rec);
    }
    assert_int_equal(report_latency(r, 1000), 5000000000);
    assert_int_equal(report_latency(r, 1), 0); /* negative counts as 0 */
    int64_t p50 = report_latency(r, 500);
    assert_true(p50 > 1000000000 && p50 <= 5000000000);
    report_free(r);
}

static void test_hist_skips_unattempted(void **state)
{
    (void)state;
    struct report *r = report_new();
    struct record a = rec_ok("https://h/", 1000);
    struct record b = rec_fail("https://h/", KIND_CANCELLED, 0, 900000);
    struct record c = rec_fail("not a url", KIND_INPUT, 0, 0);
    struct record d = rec_fail("https://h/", KIND_CANCELLED, 0, 800000);
    d.attempts = 1; /* aborted mid-flight: a partial time, not a latency */
    struct record e = rec_fail("https://h/", KIND_TIMEOUT, 0, 30000000);
    report_record(r, &a);
    report_record(r, &b);
    report_record(r, &c);
    report_record(r, &d);
    report_record(r, &e);
    int64_t p1 = report_latency(r, 1);
    assert_true(p1 >= 1000 && p1 <= 1010);
    assert_int_equal(report_latency(r, 1000), 30000000); /* timeouts count */
    report_free(r);
}

/* ---- the sample run ----------------------------------------------------- */

/* Six URLs: two ok (one slow), an HTTP 404, a timeout, a cancelled one and
 * a failed check; three hosts and odd bytes. Elapsed 2.5 s. */
static void feed_sample(struct report *r, struct output_summary *s)
{
    struct record v[6];
    v[0] = rec_ok("https://a.example/", 12000);
    v[0].size_download = 1000;
    v[1] = rec_fail("https://b.example/x|y", KIND_HTTP, 404, 34000);
    v[1].input = "urls.txt:2";
    v[1].size_download = 200;
    v[1].remote_ip = "127.0.0.1";
    v[2] = rec_ok("https://A.example:443/slow", 1500000);
    v[2].input = "urls.txt:3";
    v[3] = rec_fail("https://c.example:8443/<&>", KIND_TIMEOUT, 0, 2000000);
    v[3].input = "arg:1";
    v[3].error_code = 28;
    v[3].error_message = "Operation timed out after 2000 milliseconds with 0 bytes received";
    v[4] = rec_fail("https://d.example/", KIND_CANCELLED, 0, 0);
    v[4].input = "-:4";
    v[4].error_message = "terminated by SIGTERM";
    v[5] = rec_fail("https://a.example/c#x", KIND_CHECK, 200, 5000);
    v[5].input = "urls.txt:5";
    static const struct check_failure checks[] = {{"status", "201", "200"},
                                                  {"body", "\"ok\"", "b\x01\n"}};
    v[5].checks = checks;
    v[5].nchecks = 2;
    v[5].url_effective = "https://a.example/d";
    for (size_t i = 0; i < 6; i++) {
        v[i].seq = i + 1;
        report_record(r, &v[i]);
    }
    *s = (struct output_summary){.urls = 6, .ok = 2, .failed = 3, .elapsed_us = 2500000};
    s->by_kind[KIND_HTTP] = 1;
    s->by_kind[KIND_TIMEOUT] = 1;
    s->by_kind[KIND_CANCELLED] = 1;
    s->by_kind[KIND_CHECK] = 1;
}

static void test_summary_text(void **state)
{
    (void)state;
    struct report *r = report_new();
    struct output_summary s;
    feed_sample(r, &s);
    struct buf b = {0};
    report_summary_text(r, &s, &b);
    assert_string_equal(buf_str(&b),
                        "volley: 6 URLs in 2.50s (2.4 URLs/s), 1.2 kB received\n"
                        "  ok 2, failed 3: 1 timeout, 1 http, 1 check, 1 cancelled\n"
                        "  status: 2xx 3, 4xx 1, none 2\n"
                        "  latency: p50 34.0ms, p90 2.00s, p99 2.00s, max 2.00s\n"
                        "  slowest hosts (p90): c.example:8443 2.00s, a.example 1.50s, "
                        "b.example 34.0ms\n");
    buf_free(&b);
    report_free(r);
}

static void test_summary_text_small(void **state)
{
    (void)state;
    struct report *r = report_new();
    struct output_summary s = {.urls = 0, .elapsed_us = 1000};
    struct buf b = {0};
    report_summary_text(r, &s, &b);
    assert_string_equal(buf_str(&b), "volley: 0 URLs in 0.00s (0.0 URLs/s), 0 B received\n");

    /* one URL, one host: no slowest hosts */
    struct record rec = rec_ok("http://only.example:80/", 812);
    rec.size_download = 5300000;
    report_record(r, &rec);
    s = (struct output_summary){.urls = 1, .ok = 1, .elapsed_us = 250000};
    buf_clear(&b);
    report_summary_text(r, &s, &b);
    assert_string_equal(buf_str(&b), "volley: 1 URL in 0.25s (4.0 URLs/s), 5.3 MB received\n"
                                     "  ok 1, failed 0\n"
                                     "  status: 2xx 1\n"
                                     "  latency: p50 0.81ms, p90 0.81ms, p99 0.81ms, max 0.81ms\n");
    buf_free(&b);
    report_free(r);
}

static void test_summary_json(void **state)
{
    (void)state;
    struct report *r = report_new();
    struct output_summary s;
    feed_sample(r, &s);
    struct buf b = {0};
    report_summary_json(r, &s, &b);
    cJSON *j = cJSON_Parse(buf_str(&b));
    if (!j)
        fail_msg("not JSON: %s", b.p);
    /* output_summary_json's keys come first, unchanged */
    struct buf base = {0};
    output_summary_json(&base, &s);
    assert_memory_equal(b.p, base.p, base.len - 1);
    assert_int_equal(cJSON_GetObjectItem(j, "urls")->valueint, 6);
    assert_int_equal(cJSON_GetObjectItem(j, "failed")->valueint, 3); /* not the cancelled one */
    assert_int_equal(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "errors"), "check")->valueint, 1);
    assert_int_equal(cJSON_GetObjectItem(j, "bytes")->valueint, 1200);
    cJSON *st = cJSON_GetObjectItem(j, "status");
    assert_int_equal(cJSON_GetArraySize(st), 3);
    assert_int_equal(cJSON_GetObjectItem(st, "2xx")->valueint, 3);
    assert_int_equal(cJSON_GetObjectItem(st, "4xx")->valueint, 1);
    assert_int_equal(cJSON_GetObjectItem(st, "none")->valueint, 2);
    cJSON *lat = cJSON_GetObjectItem(j, "latency");
    assert_int_equal(cJSON_GetObjectItem(lat, "count")->valueint, 5);
    assert_float_equal(cJSON_GetObjectItem(lat, "min")->valuedouble, 0.005, 1e-9);
    assert_float_equal(cJSON_GetObjectItem(lat, "p50")->valuedouble, 0.034, 0.034 * 0.01);
    assert_float_equal(cJSON_GetObjectItem(lat, "max")->valuedouble, 2.0, 1e-9);
    assert_float_equal(cJSON_GetObjectItem(lat, "mean")->valuedouble, 3551000 / 5 / 1e6, 1e-6);
    assert_int_equal(cJSON_GetObjectItem(j, "hosts")->valueint, 3);
    cJSON *slow = cJSON_GetObjectItem(j, "slowest_hosts");
    assert_int_equal(cJSON_GetArraySize(slow), 3);
    assert_string_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(slow, 0), "host")->valuestring,
                        "c.example:8443");
    cJSON *a = cJSON_GetArrayItem(slow, 1);
    assert_string_equal(cJSON_GetObjectItem(a, "host")->valuestring, "a.example");
    assert_int_equal(cJSON_GetObjectItem(a, "count")->valueint, 3);
    assert_float_equal(cJSON_GetObjectItem(a, "max")->valuedouble, 1.5, 1e-9);

    /* nothing timed: nulls */
    struct report *e = report_new();
    struct output_summary es = {.urls = 0};
    buf_clear(&b);
    report_summary_json(e, &es, &b);
    cJSON *ej = cJSON_Parse(buf_str(&b));
    assert_non_null(ej);
    assert_true(cJSON_IsNull(cJSON_GetObjectItem(cJSON_GetObjectItem(ej, "latency"), "p50")));
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(ej, "slowest_hosts")), 0);
    cJSON_Delete(ej);
    report_free(e);

    cJSON_Delete(j);
    buf_free(&base);
    buf_free(&b);
    report_free(r);
}

static void test_hosts_bounded(void **state)
{
    (void)state;
    /* 1500 hosts: 1024 tracked, the rest as "(other)", which is slowest */
    struct report *r = report_new();
    char url[64];
    for (int i = 0; i < 1500; i++) {
        snprintf(url, sizeof url, "https://user:pw@h%d.example/p", i);
        struct record rec = rec_ok(url, i < 1024 ? 1000 : 900000);
        report_record(r, &rec);
        report_record(r, &rec); /* seen twice: still one host */
    }
    struct output_summary s = {.urls = 3000, .ok = 3000, .elapsed_us = 1000000};
    struct buf b = {0};
    report_summary_json(r, &s, &b);
    cJSON *j = cJSON_Parse(buf_str(&b));
    assert_non_null(j);
    assert_int_equal(cJSON_GetObjectItem(j, "hosts")->valueint, 1025);
    cJSON *first = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "slowest_hosts"), 0);
    assert_string_equal(cJSON_GetObjectItem(first, "host")->valuestring, "(other)");
    assert_int_equal(cJSON_GetObjectItem(first, "count")->valueint, 2 * 476);
    cJSON *second = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "slowest_hosts"), 1);
    assert_string_equal(cJSON_GetObjectItem(second, "host")->valuestring, "h0.example");
    cJSON_Delete(j);
    buf_free(&b);
    report_free(r);
}

static void test_hosts_parsed(void **state)
{
    (void)state;
    /* user info, case, default ports and IPv6 literals; no scheme: no host */
    struct report *r = report_new();
    const char *urls[] = {"https://a.example",     "HTTPS://A.EXAMPLE:443/x",
                          "http://a.example:443/", "http://[::1]:80/",
                          "http://u@[::1]/p?q#f",  "https://[::1]:8443",
                          "a.example/no-scheme",   NULL};
    for (size_t i = 0; i < sizeof urls / sizeof urls[0]; i++) {
        struct record rec = rec_ok(urls[i], (int64_t)(i + 1) * 1000);
        report_record(r, &rec);
    }
    struct output_summary s = {.urls = 8, .ok = 8, .elapsed_us = 1000000};
    struct buf b = {0};
    report_summary_json(r, &s, &b);
    cJSON *j = cJSON_Parse(buf_str(&b));
    assert_non_null(j);
    assert_int_equal(cJSON_GetObjectItem(j, "hosts")->valueint, 4);
    cJSON *slow = cJSON_GetObjectItem(j, "slowest_hosts");
    assert_string_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(slow, 0), "host")->valuestring,
                        "[::1]:8443");
    assert_string_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(slow, 1), "host")->valuestring,
                        "[::1]");
    assert_int_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(slow, 1), "count")->valueint, 2);
    assert_string_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(slow, 2), "host")->valuestring,
                        "a.example:443");
    cJSON_Delete(j);
    buf_free(&b);
    report_free(r);
}

/* ---- --report specs ----------------------------------------------------- */

#define ADD_FAILS(r, spec, want)                                                                   \
    do {                                                                                           \
        struct buf e_ = {0};                                                                       \
        assert_false(report_add(r, spec, &e_));                                                    \
        assert_string_equal(buf_str(&e_), want);                                                   \
        buf_free(&e_);                                                                             \
    } while (0)

static void test_add_errors(void **state)
{
    (void)state;
    struct report *r = report_new();
    struct buf spec = {0}, want = {0}, err = {0};
    ADD_FAILS(r, "junit",
              "--report junit: expected KIND=FILE (KIND: junit, tap, markdown, json, github; "
              "github alone writes to stderr)");
    ADD_FAILS(r, "xml=out.xml",
              "--report xml=out.xml: unknown kind 'xml' (expected junit, tap, markdown, json or "
              "github)");
    ADD_FAILS(r, "=out.xml",
              "--report =out.xml: unknown kind '' (expected junit, tap, markdown, json or github)");
    ADD_FAILS(r, "tap=", "--report tap=: missing FILE after '='");
    ADD_FAILS(r, "tap=/nonexistent-dir/x.tap",
              "--report tap=/nonexistent-dir/x.tap: cannot open /nonexistent-dir/x.tap: No such "
              "file or directory");
    buf_addf(&spec, "json=%s", unit_tmpdir());
    buf_addf(&want, "--report %s: cannot open %s: Is a directory", spec.p, unit_tmpdir());
    ADD_FAILS(r, spec.p, want.p);

    /* the same FILE twice, as the same string or another path to it */
    const char *path = scratch("twice.txt");
    buf_clear(&spec);
    buf_addf(&spec, "tap=%s", path);
    assert_true(report_add(r, spec.p, &err));
    buf_clear(&spec);
    buf_addf(&spec, "junit=%s", path);
    buf_clear(&want);
    buf_addf(&want, "--report %s: %s is already a report file", spec.p, path);
    ADD_FAILS(r, spec.p, want.p);
    buf_clear(&spec);
    buf_addf(&spec, "json=%s/./twice.txt", unit_tmpdir());
    buf_clear(&want);
    buf_addf(&want, "--report %s: %s/./twice.txt is the same file as %s", spec.p, unit_tmpdir(),
             path);
    ADD_FAILS(r, spec.p, want.p);
    /* two reports of one kind are fine */
    buf_clear(&spec);
    buf_addf(&spec, "tap=%s", scratch("second.tap"));
    assert_true(report_add(r, spec.p, &err));
    assert_int_equal(err.len, 0);
    report_free(r); /* never finished: closes, leaks nothing */
    buf_free(&spec);
    buf_free(&want);
    buf_free(&err);
}

static void test_add_truncates_and_hides_temp(void **state)
{
    (void)state;
    const char *path = unit_text_file("old.xml", "old contents");
    struct buf spec = {0}, err = {0};
    buf_addf(&spec, "junit=%s", path);
    const char *tmpdir = getenv("TMPDIR");
    char *saved = tmpdir ? strdup(tmpdir) : NULL;
    setenv("TMPDIR", unit_tmpdir(), 1);
    struct report *r = report_new();
    assert_true(report_add(r, spec.p, &err));
    if (saved) {
        setenv("TMPDIR", saved, 1);
        free(saved);
    } else {
        unsetenv("TMPDIR");
    }
    /* not emptied yet: a later bad --report must leave it as it was */
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal((size_t)st.st_size, strlen("old contents"));
    assert_false(report_add(r, "nope=x", &err));
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal((size_t)st.st_size, strlen("old contents"));
    /* the temporary file is already unlinked: the directory holds old.xml
     * (and whatever other tests registered), no volley-report-* */
    char *out;
    struct buf cmd = {0};
    buf_addf(&cmd, "ls -A '%s' | grep -c volley-report", unit_tmpdir());
    run(cmd.p, &out);
    assert_string_equal(out, "0\n");
    free(out);
    buf_free(&cmd);
    /* the finish replaces the old contents */
    struct output_summary sum = {0};
    assert_true(report_finish(r, &sum, &err));
    char *xml = slurp(path);
    assert_null(strstr(xml, "old contents"));
    assert_non_null(strstr(xml, "<testsuites"));
    free(xml);
    report_free(r);
    buf_free(&spec);
    buf_free(&err);
}

static void test_finish_write_error(void **state)
{
    (void)state;
    if (access("/dev/full", W_OK) != 0)
        skip();
    struct report *r = report_new();
    struct buf err = {0};
    assert_true(report_add(r, "json=/dev/full", &err));
    struct output_summary s = {.urls = 0};
    assert_false(report_finish(r, &s, &err));
    assert_string_equal(buf_str(&err),
                        "cannot write the json report /dev/full: No space left on device");
    buf_free(&err);
    report_free(r);
}

/* Run the sample through one report of KIND into the new file NAME; its
 * contents (caller frees) and, in *PATH, where it is. */
static char *sample_report(const char *kind, const char *name, const char **path)
{
    *path = scratch(name);
    struct buf spec = {0}, err = {0};
    buf_addf(&spec, "%s=%s", kind, *path);
    struct report *r = report_new();
    if (!report_add(r, spec.p, &err))
        fail_msg("%s", err.p);
    struct output_summary s;
    feed_sample(r, &s);
    if (!report_finish(r, &s, &err))
        fail_msg("%s", err.p);
    report_free(r);
    buf_free(&spec);
    buf_free(&err);
    return slurp(*path);
}

/* ---- JUnit -------------------------------------------------------------- */

/* xmllint's verdict on PATH against junit.xsd: its exit status. */
static int xmllint(const char *path, char **out)
{
    struct buf cmd = {0};
    buf_addf(&cmd, "xmllint --noout --schema '%s/junit.xsd' '%s'", srcdir(), path);
    int st = run(cmd.p, out);
    buf_free(&cmd);
    return st;
}

static void assert_valid_junit(const char *path)
{
    char *out;
    int st = xmllint(path, &out);
    if (st != 0)
        fail_msg("xmllint %s: status %d\n%s", path, st, out);
    free(out);
}

/* The XPath expression's value in PATH, as xmllint computes it (caller
 * frees). */
static char *xpath(const char *path, const char *expr)
{
    struct buf cmd = {0};
    buf_addf(&cmd, "xmllint --xpath '%s' '%s'", expr, path);
    char *out;
    int st = run(cmd.p, &out);
    if (st != 0)
        fail_msg("%s: status %d\n%s", cmd.p, st, out);
    buf_free(&cmd);
    return out;
}

#define assert_xpath(path, expr, want)                                                             \
    do {                                                                                           \
        char *got_ = xpath(path, expr);                                                            \
        assert_string_equal(got_, want);                                                           \
        free(got_);                                                                                \
    } while (0)

static void test_junit(void **state)
{
    (void)state;
    NEED("xmllint");
    const char *path;
    char *x = sample_report("junit", "sample.xml", &path);
    assert_valid_junit(path);
    assert_non_null(
        strstr(x, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"volley\" "
                  "tests=\"6\" failures=\"2\" errors=\"1\" skipped=\"1\" time=\"2.500\">\n"
                  "  <testsuite name=\"volley\" tests=\"6\" failures=\"2\" errors=\"1\" "
                  "skipped=\"1\" time=\"2.500\" timestamp=\""));
    assert_non_null(strstr(
        x, "    <testcase name=\"GET https://a.example/ (urls.txt:1)\" classname=\"urls.txt\" "
           "time=\"0.012\"/>\n"));
    assert_non_null(
        strstr(x, "    <testcase name=\"GET https://c.example:8443/&lt;&amp;&gt; (arg:1)\" "
                  "classname=\"volley\" time=\"2.000\">\n      <error message=\"timeout: "
                  "Operation timed out after 2000 milliseconds with 0 bytes received\" "
                  "type=\"timeout\">"));
    assert_non_null(
        strstr(x, "    <testcase name=\"GET https://d.example/ (-:4)\" classname=\"stdin\" "
                  "time=\"0.000\">\n      <skipped message=\"cancelled: terminated by "
                  "SIGTERM\"/>\n    </testcase>\n"));
    assert_non_null(strstr(x, "  </testsuite>\n</testsuites>\n"));
    /* what a parser reads back */
    assert_xpath(path, "count(//testcase)", "6\n");
    assert_xpath(path, "string(//testcase[4]/@name)", "GET https://c.example:8443/<&> (arg:1)\n");
    assert_xpath(path, "string(//testcase[2]/@name)", "GET https://b.example/x|y (urls.txt:2)\n");
    assert_xpath(path, "string(//testcase[2]/failure/@message)", "http: HTTP 404\n");
    assert_xpath(path, "string(//testcase[2]/failure)",
                 "kind: http\ninput: urls.txt:2\nmethod: GET\nurl: https://b.example/x|y\n"
                 "http_code: 404\nattempts: 1\ntime_total: 0.034000\nremote_ip: 127.0.0.1\n\n");
    assert_xpath(path, "string(//testcase[6]/failure/@type)", "check\n");
    assert_xpath(path, "string(//testcase[6]/failure/@message)",
                 "check: status: expected 201, actual 200; body: expected \"ok\", actual b\n\n");
    assert_xpath(path, "string(//testcase[6]/failure)",
                 "kind: check\ninput: urls.txt:5\nmethod: GET\nurl: https://a.example/c#x\n"
                 "url_effective: https://a.example/d\nhttp_code: 200\nattempts: 1\n"
                 "time_total: 0.005000\nchecks:\n  - status: expected 201, actual 200\n"
                 "  - body: expected \"ok\", actual b\n\n\n");
    free(x);
}

static void test_junit_names(void **state)
{
    (void)state;
    NEED("xmllint");
    /* one name per record: two requests to one URL are two tests; a spec's
     * id names its test */
    const char *path = scratch("names.xml");
    struct buf spec = {0}, err = {0};
    buf_addf(&spec, "junit=%s", path);
    struct report *r = report_new();
    assert_true(report_add(r, spec.p, &err));
    struct record a = rec_ok("https://h/x", 10), b = rec_ok("https://h/x", 20);
    b.input = "urls.txt:2";
    struct record c = rec_ok("https://h/x", 30), d = rec_fail("https://h/y", KIND_HTTP, 500, 40);
    c.method = "POST";
    c.input = "urls.txt:3";
    d.id_json = "\"login \\u00e9 <&>\"";
    struct record e = rec_ok("https://h/z", 50);
    e.id_json = "7";
    struct record *all[] = {&a, &b, &c, &d, &e};
    for (size_t i = 0; i < 5; i++)
        report_record(r, all[i]);
    struct output_summary s = {.urls = 5, .ok = 4, .elapsed_us = 1000};
    s.by_kind[KIND_HTTP] = 1;
    assert_true(report_finish(r, &s, &err));
    report_free(r);
    assert_valid_junit(path);
    assert_xpath(path, "string(//testcase[1]/@name)", "GET https://h/x (urls.txt:1)\n");
    assert_xpath(path, "string(//testcase[2]/@name)", "GET https://h/x (urls.txt:2)\n");
    assert_xpath(path, "string(//testcase[3]/@name)", "POST https://h/x (urls.txt:3)\n");
    assert_xpath(path, "string(//testcase[4]/@name)", "login \xC3\xA9 <&>\n");
    assert_xpath(path, "string(//testcase[5]/@name)", "7\n");
    assert_xpath(path, "count(//testcase[@name=preceding-sibling::testcase/@name])", "0\n");
    buf_free(&spec);
    buf_free(&err);
}

static void test_junit_empty_and_large(void **state)
{
    (void)state;
    NEED("xmllint");
    const char *path = scratch("empty.xml");
    struct buf spec = {0}, err = {0};
    buf_addf(&spec, "junit=%s", path);
    struct report *r = report_new();
    assert_true(report_add(r, spec.p, &err));
    struct output_summary s = {.urls = 0};
    assert_true(report_finish(r, &s, &err));
    report_free(r);
    assert_valid_junit(path);
    assert_xpath(path, "string(//testsuite/@tests)", "0\n");

    /* 20000 testcases stream through the temporary file */
    path = scratch("large.xml");
    buf_clear(&spec);
    buf_addf(&spec, "junit=%s", path);
    r = report_new();
    assert_true(report_add(r, spec.p, &err));
    char url[64];
    for (int i = 0; i < 20000; i++) {
        snprintf(url, sizeof url, "https://h%d.example/%d", i % 7, i);
        struct record rec = i % 100 ? rec_ok(url, i) : rec_fail(url, KIND_HTTP, 500, i);
        report_record(r, &rec);
    }
    s = (struct output_summary){.urls = 20000, .ok = 19800, .failed = 200, .elapsed_us = 9000000};
    s.by_kind[KIND_HTTP] = 200;
    assert_true(report_finish(r, &s, &err));
    report_free(r);
    assert_valid_junit(path);
    assert_xpath(path, "count(//testcase)", "20000\n");
    assert_xpath(path, "count(//testcase/failure)", "200\n");
    assert_xpath(path, "string(//testsuite/@failures)", "200\n");
    buf_free(&spec);
    buf_free(&err);
}

static void test_junit_schema_rejects(void **state)
{
    (void)state;
    NEED("xmllint");
    /* the schema is not a rubber stamp */
    static const char *const bad[] = {
        "<testsuite name=\"v\" tests=\"1\"><testcase classname=\"x\"/></testsuite>",
        "<testsuite name=\"v\" tests=\"1\"><testcase name=\"a\" time=\"1.2345\"/></testsuite>",
        "<testsuite name=\"v\" tests=\"-1\"></testsuite>",
        ("<testsuite name=\"v\" tests=\"1\"><testcase name=\"a\"><failure/><skipped/>"
         "</testcase></testsuite>"),
        "<testsuite name=\"v\" tests=\"1\" timestamp=\"2024-01-02 03:04:05\"></testsuite>",
        "<testsuites><testcase name=\"a\"/></testsuites>",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char name[32], *out;
        snprintf(name, sizeof name, "bad%zu.xml", i);
        const char *path = unit_text_file(name, bad[i]);
        if (xmllint(path, &out) == 0)
            fail_msg("junit.xsd accepts %s", bad[i]);
        free(out);
    }
    const char *good = unit_text_file(
        "good.xml",
        "<testsuites><testsuite name=\"v\" tests=\"1\" timestamp=\"2024-01-02T03:04:05\">"
        "<testcase name=\"a\" time=\"1.5\"><error type=\"t\">x</error>"
        "<system-out>o</system-out></testcase></testsuite></testsuites>");
    assert_valid_junit(good);
}

/* ---- TAP ---------------------------------------------------------------- */

static const char sample_tap[] =
    "TAP version 13\n"
    "ok 1 - https://a.example/\n"
    "not ok 2 - https://b.example/x|y\n"
    "  ---\n"
    "  kind: \"http\"\n"
    "  input: \"urls.txt:2\"\n"
    "  method: \"GET\"\n"
    "  url: \"https://b.example/x|y\"\n"
    "  http_code: 404\n"
    "  attempts: 1\n"
    "  time_total: 0.034000\n"
    "  remote_ip: \"127.0.0.1\"\n"
    "  ...\n"
    "ok 3 - https://A.example:443/slow\n"
    "not ok 4 - https://c.example:8443/<&>\n"
    "  ---\n"
    "  kind: \"timeout\"\n"
    "  message: \"Operation timed out after 2000 milliseconds with 0 bytes received\"\n"
    "  input: \"arg:1\"\n"
    "  method: \"GET\"\n"
    "  url: \"https://c.example:8443/<&>\"\n"
    "  http_code: 0\n"
    "  error_code: 28\n"
    "  attempts: 1\n"
    "  time_total: 2.000000\n"
    "  ...\n"
    "ok 5 - https://d.example/ # SKIP cancelled: terminated by SIGTERM\n"
    "not ok 6 - https://a.example/c\\#x\n"
    "  ---\n"
    "  kind: \"check\"\n"
    "  input: \"urls.txt:5\"\n"
    "  method: \"GET\"\n"
    "  url: \"https://a.example/c#x\"\n"
    "  url_effective: \"https://a.example/d\"\n"
    "  http_code: 200\n"
    "  attempts: 1\n"
    "  time_total: 0.005000\n"
    "  checks:\n"
    "    - check: \"status\"\n"
    "      expected: \"201\"\n"
    "      actual: \"200\"\n"
    "    - check: \"body\"\n"
    "      expected: \"\\\"ok\\\"\"\n"
    "      actual: \"b\\x01\\n\"\n"
    "  ...\n"
    "1..6\n";

/* What TAP::Parser makes of the file: counts, parse errors, and the YAML
 * diagnostics read back. */
static const char tap_parser_script[] =
    "use TAP::Parser; binmode STDOUT, ':encoding(UTF-8)'; my $p = TAP::Parser->new({exec => "
    "[\"cat\", $ARGV[0]]});"
    "my @y; while (my $r = $p->next) { push @y, $r->data if $r->is_yaml }"
    "my $c = $y[2]{checks};"
    "printf \"tests=%d failed=%d skipped=%d plan=%s errors=%d yaml=%d\\n\", scalar $p->tests_run,"
    "scalar $p->failed, scalar $p->skipped, $p->plan, scalar $p->parse_errors, scalar @y;"
    "print \"$_\\n\" for $p->parse_errors;"
    "printf \"%s|%s|%s|%s|%s|%d\\n\", $y[0]{kind}, $y[1]{message}, $y[2]{url},"
    "$c->[0]{actual}, $c->[1]{expected}, length $c->[1]{actual};";

static void test_tap(void **state)
{
    (void)state;
    NEED("prove");
    const char *path;
    char *t = sample_report("tap", "sample.tap", &path);
    assert_string_equal(t, sample_tap);
    free(t);

    char *out;
    struct buf cmd = {0};
    buf_addf(&cmd, "prove -e cat '%s'", path);
    int st = run(cmd.p, &out);
    assert_int_equal(st, 1); /* it parsed, and three tests failed */
    if (!strstr(out, "Failed 3/6 subtests") || !strstr(out, "(less 1 skipped subtest: 2 okay)") ||
        strstr(out, "Parse errors"))
        fail_msg("prove said:\n%s", out);
    free(out);

    const char *script = unit_text_file("tap.pl", tap_parser_script);
    buf_clear(&cmd);
    buf_addf(&cmd, "perl '%s' '%s'", script, path);
    st = run(cmd.p, &out);
    assert_int_equal(st, 0);
    assert_string_equal(out, "tests=6 failed=3 skipped=1 plan=1..6 errors=0 yaml=3\n"
                             "http|Operation timed out after 2000 milliseconds with 0 bytes "
                             "received|https://a.example/c#x|200|\"ok\"|3\n");
    free(out);
    buf_free(&cmd);
}

/* --links records with sources: one per failure, as a report sees them. */
static const struct record_source gh_sources[] = {
    {"docs/a,b:c%.md", 3, 14, NULL},
    {"-", 2, 1, NULL},
    {"https://h.test/sitemap.xml", 4, 7, NULL},
    {"docs/g.md", 9, 2, "intro"},
};

static struct record gh_link(void)
{
    struct record r = rec_fail("http://x.test/p?q=%41", KIND_HTTP, 404, 1000);
    r.input = "docs/a,b:c%.md:3";
    r.error_message = "HTTP status outside 2xx/3xx";
    r.sources = gh_sources;
    r.nsources = 4;
    return r;
}

/* --report github: an annotation per failing place, escaped as the Actions
 * runner reads workflow commands; a list's record at its FILE:LINE. */
static void test_github(void **state)
{
    (void)state;
    const char *path = scratch("gh.txt");
    struct report *r = report_new();
    struct buf spec = {0}, err = {0};
    buf_addf(&spec, "github=%s", path);
    assert_true(report_add(r, spec.p, &err));
    struct record link = gh_link();
    report_record(r, &link);
    static const struct check_failure frag[] = {{"fragment", "#intro", "no such anchor"}};
    link.kind = KIND_CHECK;
    link.http_code = 200;
    link.checks = frag;
    link.nchecks = 1;
    link.error_message = "missing fragment #intro";
    report_record(r, &link); /* only docs/g.md:9:2 has #intro */
    struct record list = rec_fail("http://x.test/\r\n", KIND_CONNECT, 0, 10);
    list.input = "urls,1.txt:17";
    list.error_message = "Failed to connect\r\nnext 100%";
    report_record(r, &list);
    list.input = "arg:2";
    report_record(r, &list);
    struct record ok = rec_ok("http://x.test/", 5);
    report_record(r, &ok);
    struct record cancelled = rec_fail("http://x.test/c", KIND_CANCELLED, 0, 0);
    report_record(r, &cancelled);
    struct output_summary sum = {.urls = 6, .ok = 1, .failed = 4};
    assert_true(report_finish(r, &sum, &err));
    char *t = slurp(path);
    assert_string_equal(
        t, "::error file=docs/a%2Cb%3Ac%25.md,line=3,col=14,title=broken link::"
           "http://x.test/p?q=%2541: 404 http: HTTP status outside 2xx/3xx\n"
           "::error title=broken link::http://x.test/p?q=%2541: 404 http: HTTP status outside "
           "2xx/3xx (at -:2:1)\n"
           "::error title=broken link::http://x.test/p?q=%2541: 404 http: HTTP status outside "
           "2xx/3xx (at https://h.test/sitemap.xml:4:7)\n"
           "::error file=docs/g.md,line=9,col=2,title=broken link::http://x.test/p?q=%2541: 404 "
           "http: HTTP status outside 2xx/3xx\n"
           "::error file=docs/g.md,line=9,col=2,title=broken link::http://x.test/p?q=%2541#intro: "
           "check: missing fragment #intro\n"
           "::error file=urls%2C1.txt,line=17::http://x.test/%0D%0A: connect: Failed to connect"
           "%0D%0Anext 100%25\n"
           "::error::http://x.test/%0D%0A: connect: Failed to connect%0D%0Anext 100%25\n");
    free(t);
    report_free(r);
    buf_free(&spec);
    buf_free(&err);
}

/* --report github alone: to stderr, which is never emptied; only once. */
static void test_github_stderr(void **state)
{
    (void)state;
    const char *path = scratch("stderr.txt");
    int fd = open(path, O_WRONLY | O_APPEND);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, "before\n", 7), 7);
    int saved = dup(STDERR_FILENO);
    assert_true(dup2(fd, STDERR_FILENO) >= 0);
    close(fd);
    struct report *r = report_new();
    struct buf err = {0};
    assert_true(report_add(r, "github", &err));
    assert_false(report_add(r, "github", &err));
    struct record link = gh_link();
    link.nsources = 1;
    report_record(r, &link);
    struct output_summary sum = {.urls = 1, .failed = 1};
    assert_true(report_finish(r, &sum, &err));
    report_free(r);
    dup2(saved, STDERR_FILENO);
    close(saved);
    char *t = slurp(path);
    assert_string_equal(t,
                        "before\n::error file=docs/a%2Cb%3Ac%25.md,line=3,col=14,title=broken "
                        "link::http://x.test/p?q=%2541: 404 http: HTTP status outside 2xx/3xx\n");
    free(t);
    assert_non_null(strstr(buf_str(&err), "--report github: stderr already has a report"));
    buf_free(&err);
}

/* The places of a broken link: in the JUnit and TAP details and the
 * Markdown report's input column. */
static void test_sources_in_reports(void **state)
{
    (void)state;
    struct record link = gh_link();
    struct buf d = {0};
    report_details(&d, &link, false);
    assert_non_null(strstr(d.p, "\nsources:\n  - docs/a,b:c%.md:3:14\n  - -:2:1\n"
                                "  - https://h.test/sitemap.xml:4:7\n  - docs/g.md:9:2\n"));
    buf_clear(&d);
    report_details(&d, &link, true);
    assert_non_null(strstr(d.p, "\n  sources:\n    - \"docs/a,b:c%.md:3:14\"\n"));
    buf_clear(&d);
    report_sources(&d, &link, 2);
    assert_string_equal(d.p, "docs/a,b:c%.md:3:14, -:2:1 and 2 more");
    buf_free(&d);
    const char *path = scratch("links.md");
    struct report *r = report_new();
    struct buf spec = {0}, err = {0};
    buf_addf(&spec, "markdown=%s", path);
    assert_true(report_add(r, spec.p, &err));
    report_record(r, &link);
    struct output_summary sum = {.urls = 1, .failed = 1};
    sum.by_kind[KIND_HTTP] = 1;
    assert_true(report_finish(r, &sum, &err));
    char *t = slurp(path);
    assert_non_null(strstr(t, "| docs/a,b:c%.md:3:14, -:2:1, https://h.test/sitemap.xml:4:7, "
                              "docs/g.md:9:2 | http://x.test/p?q=%41 | 404 | http |"));
    free(t);
    report_free(r);
    buf_free(&spec);
    buf_free(&err);
}

static void test_tap_passing_and_empty(void **state)
{
    (void)state;
    NEED("prove");
    const char *path = scratch("pass.tap");
    struct buf spec = {0}, err = {0};
    buf_addf(&spec, "tap=%s", path);
    struct report *r = report_new();
    assert_true(report_add(r, spec.p, &err));
    struct record a = rec_ok("https://a/#1", 10), b = rec_ok("https://b/ # TODO no", 20);
    report_record(r, &a);
    report_record(r, &b);
    struct output_summary s = {.urls = 2, .ok = 2, .elapsed_us = 100};
    assert_true(report_finish(r, &s, &err));
    report_free(r);
    char *t = slurp(path);
    assert_string_equal(t, "TAP version 13\nok 1 - https://a/\\#1\nok 2 - https://b/ \\# TODO no\n"
                           "1..2\n");
    free(t);
    char *out;
    struct buf cmd = {0};
    buf_addf(&cmd, "prove -e cat '%s'", path);
    if (run(cmd.p, &out) != 0 || !strstr(out, "Result: PASS"))
        fail_msg("prove said:\n%s", out);
    free(out);

    /* no URLs: a valid, skipped plan */
    path = scratch("empty.tap");
    buf_clear(&spec);
    buf_addf(&spec, "tap=%s", path);
    r = report_new();
    assert_true(report_add(r, spec.p, &err));
    s = (struct output_summary){.urls = 0};
    assert_true(report_finish(r, &s, &err));
    report_free(r);
    t = slurp(path);
    assert_string_equal(t, "TAP version 13\n1..0 # SKIP no URLs\n");
    free(t);
    buf_clear(&cmd);
    buf_addf(&cmd, "prove -e cat '%s'", path);
    run(cmd.p, &out); /* prove fails a run without tests ("NOTESTS") */
    if (!strstr(out, "skipped: no URLs") || strstr(out, "Parse errors"))
        fail_msg("prove said:\n%s", out);
    free(out);
    buf_free(&cmd);
    buf_free(&spec);
    buf_free(&err);
}

/* ---- Markdown ----------------------------------------------------------- */

static const char sample_md[] =
    "### volley: 3 of 6 URLs failed\n"
    "\n"
    "| URLs | ok | failed | time | URLs/s | received |\n"
    "|--:|--:|--:|--:|--:|--:|\n"
    "| 6 | 2 | 3 | 2.50s | 2.4 | 1.2 kB |\n"
    "\n"
    "**Failed:** 1 timeout, 1 http, 1 check, 1 cancelled\n"
    "\n"
    "**Status:** 2xx 3, 4xx 1, none 2\n"
    "\n"
    "| latency | p50 | p90 | p99 | max |\n"
    "|---|--:|--:|--:|--:|\n"
    "| all URLs | 34.0ms | 2.00s | 2.00s | 2.00s |\n"
    "| c.example:8443 | 2.00s | 2.00s | 2.00s | 2.00s |\n"
    "| a.example | 11.8ms | 1.50s | 1.50s | 1.50s |\n" /* 6 % buckets */
    "| b.example | 34.0ms | 34.0ms | 34.0ms | 34.0ms |\n"
    "\n"
    "#### Failures\n"
    "\n"
    "| input | URL | status | error | message |\n"
    "|---|---|--:|---|---|\n"
    "| urls.txt:2 | https://b.example/x\\|y | 404 | http | HTTP 404 |\n"
    "| arg:1 | https://c.example:8443/\\<\\&\\> | ERR | timeout | Operation timed out after 2000 "
    "milliseconds with 0 bytes received |\n"
    "| urls.txt:5 | https://a.example/c#x | 200 | check | status: expected 201, actual 200; body: "
    "expected \"ok\", actual b   |\n";

static void test_markdown(void **state)
{
    (void)state;
    const char *path;
    char *m = sample_report("markdown", "sample.md", &path);
    assert_string_equal(m, sample_md);
    free(m);
}

static void test_markdown_capped(void **state)
{
    (void)state;
    const char *path = scratch("many.md");
    struct buf spec = {0}, err = {0};
    buf_addf(&spec, "markdown=%s", path);
    struct report *r = report_new();
    assert_true(report_add(r, spec.p, &err));
    char url[64];
    for (int i = 0; i < 150; i++) {
        snprintf(url, sizeof url, "https://x.example/%d", i);
        struct record rec = rec_fail(url, KIND_HTTP, 503, 1000);
        report_record(r, &rec);
    }
    struct record c = rec_fail("https://x.example/c", KIND_CANCELLED, 0, 0);
    report_record(r, &c);
    struct output_summary s = {.urls = 151, .ok = 0, .failed = 150, .elapsed_us = 1000000};
    s.by_kind[KIND_HTTP] = 150;
    s.by_kind[KIND_CANCELLED] = 1;
    assert_true(report_finish(r, &s, &err));
    report_free(r);
    char *m = slurp(path);
    assert_non_null(strstr(m, "### volley: 150 of 151 URLs failed\n"));
    assert_non_null(strstr(m, "| input | URL | status | error | message |\n"));
    assert_non_null(strstr(m, "| urls.txt:1 | https://x.example/99 | 503 | http | HTTP 503 |\n\n"
                              "\xE2\x80\xA6 and 50 more\n"));
    assert_null(strstr(m, "https://x.example/100 "));
    assert_null(strstr(m, "https://x.example/c")); /* cancelled: counted, not listed */
    size_t rows = 0;
    for (const char *p = m; (p = strstr(p, "| urls.txt:1 |")); p++)
        rows++;
    assert_int_equal(rows, 100);
    assert_int_equal(m[strlen(m) - 1], '\n');
    assert_int_not_equal(m[strlen(m) - 2], '\n');
    free(m);

    /* all fine: a short report */
    path = scratch("ok.md");
    buf_clear(&spec);
    buf_addf(&spec, "markdown=%s", path);
    r = report_new();
    assert_true(report_add(r, spec.p, &err));
    struct record a = rec_ok("https://a/", 1500);
    report_record(r, &a);
    s = (struct output_summary){.urls = 1, .ok = 1, .elapsed_us = 20000};
    assert_true(report_finish(r, &s, &err));
    report_free(r);
    m = slurp(path);
    assert_string_equal(m, "### volley: 1 URL ok\n"
                           "\n"
                           "| URLs | ok | failed | time | URLs/s | received |\n"
                           "|--:|--:|--:|--:|--:|--:|\n"
                           "| 1 | 1 | 0 | 0.02s | 50.0 | 0 B |\n"
                           "\n"
                           "**Status:** 2xx 1\n"
                           "\n"
                           "| latency | p50 | p90 | p99 | max |\n"
                           "|---|--:|--:|--:|--:|\n"
                           "| all URLs | 1.50ms | 1.50ms | 1.50ms | 1.50ms |\n");
    free(m);

    /* none failed, one cancelled: not "all ok" */
    path = scratch("cancelled.md");
    buf_clear(&spec);
    buf_addf(&spec, "markdown=%s", path);
    r = report_new();
    assert_true(report_add(r, spec.p, &err));
    report_record(r, &a);
    struct record cancelled = rec_fail("https://b/", KIND_CANCELLED, 0, 0);
    report_record(r, &cancelled);
    s = (struct output_summary){.urls = 2, .ok = 1, .failed = 0, .elapsed_us = 20000};
    s.by_kind[KIND_CANCELLED] = 1;
    assert_true(report_finish(r, &s, &err));
    report_free(r);
    m = slurp(path);
    assert_non_null(strstr(m, "### volley: 1 of 2 URLs ok\n"));
    assert_non_null(strstr(m, "| 2 | 1 | 0 | 0.02s |"));
    assert_non_null(strstr(m, "**Failed:** 1 cancelled\n"));
    free(m);
    buf_free(&spec);
    buf_free(&err);
}

/* ---- JSON --------------------------------------------------------------- */

static void test_json_report(void **state)
{
    (void)state;
    const char *path;
    char *j = sample_report("json", "sample.json", &path);
    struct report *r = report_new();
    struct output_summary s;
    feed_sample(r, &s);
    struct buf want = {0};
    report_summary_json(r, &s, &want);
    buf_addc(&want, '\n');
    assert_string_equal(j, want.p);
    cJSON *doc = cJSON_Parse(j);
    assert_non_null(doc);
    assert_int_equal(cJSON_GetObjectItem(doc, "urls")->valueint, 6);
    cJSON_Delete(doc);
    buf_free(&want);
    report_free(r);
    free(j);
}

static void test_all_kinds_at_once(void **state)
{
    (void)state;
    /* one run, four reports, each as it would be alone */
    const char *paths[4];
    const char *names[4] = {"all.xml", "all.tap", "all.md", "all.json"};
    const char *kinds[4] = {"junit", "tap", "markdown", "json"};
    struct report *r = report_new();
    struct buf spec = {0}, err = {0};
    for (size_t i = 0; i < 4; i++) {
        paths[i] = scratch(names[i]);
        buf_clear(&spec);
        buf_addf(&spec, "%s=%s", kinds[i], paths[i]);
        assert_true(report_add(r, spec.p, &err));
    }
    struct output_summary s;
    feed_sample(r, &s);
    assert_true(report_finish(r, &s, &err));
    report_free(r);
    char *t = slurp(paths[1]), *m = slurp(paths[2]);
    assert_string_equal(t, sample_tap);
    assert_string_equal(m, sample_md);
    free(t);
    free(m);
    if (have("xmllint"))
        assert_valid_junit(paths[0]);
    buf_free(&spec);
    buf_free(&err);
}

/* ---- arbitrary bytes ---------------------------------------------------- */

static void random_bytes(uint64_t *seed, char *dst, size_t n)
{
    static const char pool[] = "<>&\"'|#\\`*_[]\n\r\t\x01\x7F -:./";
    for (size_t i = 0; i < n; i++) {
        uint64_t x = rng(seed);
        dst[i] = (char)(x % 3 ? (int)(x >> 8) : pool[(x >> 8) % (sizeof pool - 1)]);
        if (!dst[i])
            dst[i] = 'z';
    }
    dst[n] = '\0';
}

static void test_random_bytes(void **state)
{
    (void)state;
    /* records made of random bytes: every report still parses, one entry
     * per record, one table row per failure */
    const char *paths[3] = {scratch("rand.xml"), scratch("rand.tap"), scratch("rand.md")};
    const char *kinds[3] = {"junit", "tap", "markdown"};
    struct report *r = report_new();
    struct buf spec = {0}, err = {0};
    for (size_t i = 0; i < 3; i++) {
        buf_clear(&spec);
        buf_addf(&spec, "%s=%s", kinds[i], paths[i]);
        assert_true(report_add(r, spec.p, &err));
    }
    uint64_t seed = 12345;
    char url[80], input[40], msg[120], expected[120], actual[120];
    size_t failed = 0;
    for (int i = 0; i < 400; i++) {
        random_bytes(&seed, url, 8 + rng(&seed) % 60);
        random_bytes(&seed, input, rng(&seed) % 30);
        random_bytes(&seed, msg, rng(&seed) % 100);
        random_bytes(&seed, expected, rng(&seed) % 100);
        random_bytes(&seed, actual, rng(&seed) % 100);
        const struct check_failure checks[] = {{"body", expected, actual},
                                               {"x\x01\xE2\x80\xA8", "\n", actual}};
        struct record rec = rec_fail(url, (enum record_kind)(1 + i % (KIND__COUNT - 1)), 0, i);
        rec.ok = i % 4 == 0;
        rec.input = input;
        rec.error_message = msg;
        rec.checks = checks;
        rec.nchecks = 1 + (size_t)(i % 2);
        rec.url_effective = msg;
        rec.remote_ip = input;
        rec.method = msg;
        failed += !rec.ok && rec.kind != KIND_CANCELLED;
        report_record(r, &rec);
    }
    struct output_summary s = {.urls = 400, .ok = 100, .failed = failed, .elapsed_us = 1000};
    assert_true(report_finish(r, &s, &err));
    report_free(r);

    if (have("xmllint")) {
        assert_valid_junit(paths[0]);
        assert_xpath(paths[0], "count(//testcase)", "400\n");
    }
    if (have("perl")) {
        char *out;
        const char *script = unit_text_file("rand.pl", tap_parser_script);
        buf_clear(&spec);
        buf_addf(&spec, "perl '%s' '%s' | head -1", script, paths[1]);
        run(spec.p, &out);
        buf_clear(&spec);
        buf_addf(&spec, "tests=400 failed=%zu skipped=%zu plan=1..400 errors=0 yaml=%zu\n", failed,
                 (size_t)(400 - 100 - failed), failed);
        assert_string_equal(out, spec.p);
        free(out);
    }
    char *m = slurp(paths[2]);
    const char *table = strstr(m, "|---|---|--:|---|---|\n");
    assert_non_null(table);
    size_t rows = 0;
    for (const char *p = strchr(table, '\n') + 1; *p == '|'; p = strchr(p, '\n') + 1)
        rows++;
    assert_int_equal(rows, failed < 100 ? failed : 100);
    free(m);
    buf_free(&spec);
    buf_free(&err);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_hist_empty),
    cmocka_unit_test(test_hist_small_exact),
    cmocka_unit_test(test_hist_uniform),
    cmocka_unit_test(test_hist_log_uniform),
    cmocka_unit_test(test_hist_exponential),
    cmocka_unit_test(test_hist_bimodal),
    cmocka_unit_test(test_hist_beyond_range),
    cmocka_unit_test(test_hist_skips_unattempted),
    cmocka_unit_test(test_summary_text),
    cmocka_unit_test(test_summary_text_small),
    cmocka_unit_test(test_summary_json),
    cmocka_unit_test(test_hosts_bounded),
    cmocka_unit_test(test_hosts_parsed),
    cmocka_unit_test(test_add_errors),
    cmocka_unit_test(test_add_truncates_and_hides_temp),
    cmocka_unit_test(test_finish_write_error),
    cmocka_unit_test(test_junit),
    cmocka_unit_test(test_junit_names),
    cmocka_unit_test(test_junit_empty_and_large),
    cmocka_unit_test(test_junit_schema_rejects),
    cmocka_unit_test(test_tap),
    cmocka_unit_test(test_github),
    cmocka_unit_test(test_github_stderr),
    cmocka_unit_test(test_sources_in_reports),
    cmocka_unit_test(test_tap_passing_and_empty),
    cmocka_unit_test(test_markdown),
    cmocka_unit_test(test_markdown_capped),
    cmocka_unit_test(test_json_report),
    cmocka_unit_test(test_all_kinds_at_once),
    cmocka_unit_test(test_random_bytes),
};

UNIT_MAIN("report", tests)
