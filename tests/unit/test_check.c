/* test_check: --expect-* expectations: parsing each kind, the status list,
 * override semantics, streaming (body-contains across chunks, the capped
 * body, SHA-256), evaluation and the failed checks (as the record's JSON
 * array writes them, byte for byte). */
#include "unit.h"

#include <strings.h>
#include <time.h>

#include "check.h"
#include "jqw.h"
#include "text.h"

/* ---- helpers ------------------------------------------------------------ */

/* A spec from NAME, VALUE pairs ending with NULL; every value must parse. */
static struct check_spec *spec_of(const char *name, ...)
{
    struct check_spec *s = check_spec_new();
    struct buf err = {0};
    va_list ap;
    va_start(ap, name);
    for (const char *n = name; n; n = va_arg(ap, const char *)) {
        const char *v = va_arg(ap, const char *);
        if (!check_spec_set(s, n, v, &err))
            fail_msg("--expect-%s '%s' rejected: %s", n, v, buf_str(&err));
    }
    va_end(ap);
    buf_free(&err);
    return s;
}

/* Set NAME to VALUE on a fresh spec; it must be rejected with a message
 * containing WHY. */
static void check_rejected(const char *name, const char *value, const char *why)
{
    struct check_spec *s = check_spec_new();
    struct buf err = {0};
    if (check_spec_set(s, name, value, &err))
        fail_msg("--expect-%s '%s' accepted", name, value);
    if (!strstr(buf_str(&err), why))
        fail_msg("--expect-%s '%s' rejected with '%s', not '%s'", name, value, buf_str(&err), why);
    assert_true(check_spec_empty(s));
    check_spec_free(s);
    buf_free(&err);
}

/* Response headers for the lookup callback: NAME, VALUE pairs. */
struct hdrs {
    const char *const *kv;
    size_t n; /* pairs */
};

static const char *hdr_lookup(void *arg, const char *name, size_t index)
{
    const struct hdrs *h = arg;
    for (size_t i = 0; i < h->n; i++)
        if (!strcasecmp(h->kv[2 * i], name) && index-- == 0)
            return h->kv[2 * i + 1];
    return NULL;
}

static struct hdrs no_headers = {NULL, 0};

/* A response; a jq program holds unless the test says otherwise. */
static struct check_response resp(long code, int64_t time_us, int64_t size, struct hdrs *h)
{
    struct check_response r = {.http_code = code,
                               .time_total = time_us,
                               .size_download = size,
                               .header = hdr_lookup,
                               .header_arg = h,
                               .jq_holds = true};
    return r;
}

/* The N failures F as the record's JSON array writes them (appended to
 * OUT; nothing when N is 0). */
static void failures_json(struct buf *out, const struct check_failure *f, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        buf_adds(out, i ? ",{\"check\":" : "[{\"check\":");
        text_json_string(out, f[i].check, strlen(f[i].check));
        buf_adds(out, ",\"expected\":");
        text_json_string(out, f[i].expected, strlen(f[i].expected));
        buf_adds(out, ",\"actual\":");
        text_json_string(out, f[i].actual, strlen(f[i].actual));
        buf_addc(out, '}');
    }
    if (n)
        buf_addc(out, ']');
}

/* check_evaluate() with its failures as JSON in OUT (replacing it). */
static int evaluate(const struct check_spec *s, struct check_state *st,
                    const struct check_response *r, struct buf *out)
{
    const struct check_failure *f = (const void *)&f; /* must be set */
    size_t n = check_evaluate(s, st, r, &f);
    assert_true(n ? f != NULL : f == NULL);
    buf_clear(out);
    failures_json(out, f, n);
    return (int)n;
}

/* Feed BODY in chunks of CHUNK bytes (0: all at once) to a fresh attempt of
 * S, evaluate it against R, and return the checks JSON ("" when none
 * failed, malloc'd) with the failure count in *N. */
static char *run(const struct check_spec *s, const char *body, size_t chunk, size_t max_body,
                 const struct check_response *r, int *n)
{
    struct check_state st;
    check_state_init(&st);
    check_state_begin(&st, s, max_body, false, false);
    size_t len = strlen(body);
    if (chunk == 0)
        chunk = len ? len : 1;
    for (size_t off = 0; off < len; off += chunk)
        check_state_feed(&st, body + off, len - off < chunk ? len - off : chunk);
    struct buf out = {0};
    *n = evaluate(s, &st, r, &out);
    char *json = strdup(out.p ? buf_str(&out) : "");
    buf_free(&out);
    check_state_free(&st);
    return json;
}

/* S against BODY and R must fail exactly with WANT (a JSON array), or pass
 * when WANT is "". */
static void check_eval(const struct check_spec *s, const char *body, const struct check_response *r,
                       const char *want)
{
    int n;
    char *got = run(s, body, 0, 1 << 20, r, &n);
    if (strcmp(got, want))
        fail_msg("checks\n  got  %s\n  want %s", got, want);
    assert_int_equal(n == 0, *want == '\0');
    free(got);
}

/* One expectation NAME=VALUE against BODY with a 200 response and no
 * headers: passes (WANT "") or fails with exactly WANT. */
static void check_one(const char *name, const char *value, const char *body, const char *want)
{
    struct check_spec *s = spec_of(name, value, NULL);
    struct check_response r = resp(200, 1000, (int64_t)strlen(body), &no_headers);
    check_eval(s, body, &r, want);
    check_spec_free(s);
}

/* ---- empty specs -------------------------------------------------------- */

static void test_empty_spec(void **state)
{
    (void)state;
    struct check_spec *s = check_spec_new();
    assert_true(check_spec_empty(s));
    assert_true(check_spec_empty(NULL));
    assert_false(check_spec_needs_body(s));
    assert_false(check_spec_has_status(s));
    assert_false(check_spec_has_status(NULL));

    struct check_state st;
    check_state_init(&st);
    check_state_begin(&st, s, 1 << 20, false, false);
    assert_false(st.active); /* the write callback's fast path */
    check_state_feed(&st, "hello", 5);
    assert_int_equal(st.fed, 0);
    assert_null(st.body.p);
    assert_null(st.sha);

    struct buf out = {0};
    struct check_response r = resp(404, 1, 5, &no_headers);
    assert_int_equal(evaluate(s, &st, &r, &out), 0);
    assert_int_equal(evaluate(NULL, &st, &r, &out), 0);
    assert_int_equal(out.len, 0);
    assert_null(check_state_sha256_hex(&st));
    size_t len;
    bool cut;
    assert_null(check_state_body(&st, &len, &cut));
    assert_int_equal(len, 0);
    assert_false(cut);
    check_state_free(&st);
    check_spec_free(s);
    check_spec_free(NULL);
}

static void test_unknown_name(void **state)
{
    (void)state;
    check_rejected("stauts", "200", "unknown expectation 'stauts'");
    check_rejected("", "200", "unknown expectation");
}

/* ---- status ------------------------------------------------------------- */

static void test_status_default(void **state)
{
    (void)state;
    struct check_spec *s = check_spec_new();
    assert_false(check_status_ok(s, 0));
    assert_false(check_status_ok(s, 199));
    assert_true(check_status_ok(s, 200));
    assert_true(check_status_ok(s, 204));
    assert_true(check_status_ok(s, 399));
    assert_false(check_status_ok(s, 400));
    assert_false(check_status_ok(NULL, 500));
    assert_true(check_status_ok(NULL, 302));
    check_spec_free(s);
}

static void test_status_list(void **state)
{
    (void)state;
    struct check_spec *s = spec_of("status", "200,204,404", NULL);
    assert_true(check_spec_has_status(s));
    assert_true(check_status_ok(s, 200));
    assert_true(check_status_ok(s, 204));
    assert_true(check_status_ok(s, 404)); /* outside the default, but listed */
    assert_false(check_status_ok(s, 201));
    assert_false(check_status_ok(s, 301)); /* a 3xx not listed fails */
    check_spec_free(s);

    s = spec_of("status", " 200 , 300 - 399,5xx", NULL);
    assert_true(check_status_ok(s, 300));
    assert_true(check_status_ok(s, 350));
    assert_true(check_status_ok(s, 399));
    assert_true(check_status_ok(s, 500));
    assert_true(check_status_ok(s, 599));
    assert_false(check_status_ok(s, 400));
    assert_false(check_status_ok(s, 600));
    assert_false(check_status_ok(s, 201));
    check_spec_free(s);

    s = spec_of("status", "2XX", NULL);
    assert_true(check_status_ok(s, 299));
    assert_false(check_status_ok(s, 300));
    check_spec_free(s);

    /* the ends of HTTP's range */
    s = spec_of("status", "100,599,100-599,1xx", NULL);
    assert_true(check_status_ok(s, 100));
    assert_true(check_status_ok(s, 599));
    check_spec_free(s);
}

static void test_status_normalised(void **state)
{
    (void)state;
    struct check_spec *s = spec_of("status", " 200 ,204, 300 - 399 ,4XX", NULL);
    struct check_response r = resp(500, 0, 0, &no_headers);
    check_eval(s, "", &r,
               "[{\"check\":\"status\",\"expected\":\"200,204,300-399,4xx\",\"actual\":\"500\"}]");
    check_spec_free(s);
}

static void test_status_invalid(void **state)
{
    (void)state;
    check_rejected("status", "", "--expect-status: the list is empty");
    check_rejected("status", "  ", "the list is empty");
    check_rejected("status", "abc", "--expect-status: 'abc' is not a status code");
    check_rejected("status", "20", "'20' is not a status code");
    check_rejected("status", "2000", "'2000' is not a status code");
    /* HTTP's codes are 100 to 599 */
    check_rejected("status", "099", "--expect-status: 099 is not an HTTP status code (100 to 599)");
    check_rejected("status", "600", "--expect-status: 600 is not an HTTP status code (100 to 599)");
    check_rejected("status", "999", "999 is not an HTTP status code");
    check_rejected("status", "200,600", "600 is not an HTTP status code");
    check_rejected("status", "500-600",
                   "'500-600' is not a range of status codes like 300-399 "
                   "(codes are 100 to 599)");
    check_rejected("status", "6xx", "'6xx' is not a status code");
    check_rejected("status", "9XX", "'9XX' is not a status code");
    check_rejected("status", "+200", "'+200' is not a status code");
    check_rejected("status", "200x", "'200x' is not a status code");
    check_rejected("status", "0xx", "'0xx' is not a status code");
    check_rejected("status", "2x", "'2x' is not a status code");
    check_rejected("status", "200,", "empty item in '200,'");
    check_rejected("status", ",200", "empty item");
    check_rejected("status", "200,,204", "empty item in '200,,204'");
    check_rejected("status", "200 204", "'200 204' is not a status code");
    check_rejected("status", "399-300", "range '399-300' runs backwards");
    check_rejected("status", "200-", "'200-' is not a range");
    check_rejected("status", "-200", "'-200' is not a range");
    check_rejected("status", "200-300-400", "is not a range");
    check_rejected("status", "2xx-3xx", "is not a range");
}

static void test_status_eval(void **state)
{
    (void)state;
    struct check_spec *s = spec_of("status", "200,204", NULL);
    struct check_response r = resp(404, 0, 0, &no_headers);
    check_eval(s, "", &r, "[{\"check\":\"status\",\"expected\":\"200,204\",\"actual\":\"404\"}]");
    r.http_code = 204;
    check_eval(s, "", &r, "");
    check_spec_free(s);

    /* without a status expectation the status is not a check ("http" kind) */
    s = spec_of("body-contains", "x", NULL);
    r = resp(500, 0, 1, &no_headers);
    check_eval(s, "x", &r, "");
    check_spec_free(s);
}

static void test_set_replaces(void **state)
{
    (void)state;
    struct check_spec *s = spec_of("status", "200", "status", "404", NULL);
    assert_false(check_status_ok(s, 200));
    assert_true(check_status_ok(s, 404));
    /* a rejected value leaves the earlier one in place */
    struct buf err = {0};
    assert_false(check_spec_set(s, "status", "nope", &err));
    assert_true(check_status_ok(s, 404));
    buf_free(&err);
    check_spec_free(s);
}

/* ---- headers ------------------------------------------------------------ */

static void test_header_pass_fail(void **state)
{
    (void)state;
    static const char *const kv[] = {"Content-Type", "text/html; charset=utf-8", "X-Id", "42"};
    struct hdrs h = {kv, 2};
    struct check_response r = resp(200, 0, 0, &h);

    struct check_spec *s = spec_of("header", "Content-Type: ^text/html", NULL);
    check_eval(s, "", &r, "");
    check_spec_free(s);

    s = spec_of("header", "content-type:application/json", NULL); /* no blank after ':' */
    check_eval(s, "", &r,
               "[{\"check\":\"header\",\"expected\":\"content-type: application/json\","
               "\"actual\":\"text/html; charset=utf-8\"}]");
    check_spec_free(s);

    s = spec_of("header", "X-Missing: .", NULL);
    check_eval(s, "", &r,
               "[{\"check\":\"header\",\"expected\":\"X-Missing: .\",\"actual\":\"(absent)\"}]");
    check_spec_free(s);

    /* an empty regex asks only for the header */
    s = spec_of("header", "X-Id:", NULL);
    check_eval(s, "", &r, "");
    check_spec_free(s);
    s = spec_of("header", "X-Other:   ", NULL);
    check_eval(s, "", &r,
               "[{\"check\":\"header\",\"expected\":\"X-Other:\",\"actual\":\"(absent)\"}]");
    check_spec_free(s);

    /* no header callback at all: every header is absent */
    s = spec_of("header", "X-Id: 42", NULL);
    r.header = NULL;
    check_eval(s, "", &r,
               "[{\"check\":\"header\",\"expected\":\"X-Id: 42\",\"actual\":\"(absent)\"}]");
    check_spec_free(s);
}

static void test_header_repeated(void **state)
{
    (void)state;
    static const char *const kv[] = {"Set-Cookie", "a=1", "Other",      "x",
                                     "Set-Cookie", "b=2", "set-cookie", "c=3"};
    struct hdrs h = {kv, 4};
    struct check_response r = resp(200, 0, 0, &h);

    struct check_spec *s = spec_of("header", "Set-Cookie: ^c=", NULL); /* the third value */
    check_eval(s, "", &r, "");
    check_spec_free(s);

    /* a secret's values are matched but never shown */
    s = spec_of("header", "Set-Cookie: ^d=", NULL);
    check_eval(s, "", &r,
               "[{\"check\":\"header\",\"expected\":\"Set-Cookie: ^d=\","
               "\"actual\":\"***, ***, ***\"}]");
    check_spec_free(s);
    static const char *const kv2[] = {"X-C", "a=1", "Other", "x", "X-C", "b=2", "x-c", "c=3"};
    struct hdrs h2 = {kv2, 4};
    struct check_response r2 = resp(200, 0, 0, &h2);
    s = spec_of("header", "X-C: ^d=", NULL);
    check_eval(s, "", &r2,
               "[{\"check\":\"header\",\"expected\":\"X-C: ^d=\","
               "\"actual\":\"a=1, b=2, c=3\"}]");
    check_spec_free(s);

    /* repeatable: each header expectation is checked, in the order given */
    s = spec_of("header", "Other: y", "header", "Set-Cookie: b", "header", "Nope: z", NULL);
    check_eval(s, "", &r,
               "[{\"check\":\"header\",\"expected\":\"Other: y\",\"actual\":\"x\"},"
               "{\"check\":\"header\",\"expected\":\"Nope: z\",\"actual\":\"(absent)\"}]");
    check_spec_free(s);
}

static void test_header_escaping_and_clip(void **state)
{
    (void)state;
    char long_value[301];
    memset(long_value, 'v', 300);
    long_value[300] = '\0';
    const char *kv[] = {"X-Q", "say \"hi\"\\", "X-Long", long_value};
    struct hdrs h = {kv, 2};
    struct check_response r = resp(200, 0, 0, &h);
    struct check_spec *s = spec_of("header", "X-Q: ^\"bye\"$", NULL);
    check_eval(s, "", &r,
               "[{\"check\":\"header\",\"expected\":\"X-Q: ^\\\"bye\\\"$\","
               "\"actual\":\"say \\\"hi\\\"\\\\\"}]");
    check_spec_free(s);

    s = spec_of("header", "X-Long: ^w", NULL);
    char want[512];
    snprintf(want, sizeof want,
             "[{\"check\":\"header\",\"expected\":\"X-Long: ^w\",\"actual\":\"%.256s...\"}]",
             long_value);
    check_eval(s, "", &r, want);
    check_spec_free(s);
}

static void test_header_invalid(void **state)
{
    (void)state;
    check_rejected("header", "NoColon", "--expect-header: 'NoColon' is not 'Name: REGEX'");
    check_rejected("header", ": x", "is not 'Name: REGEX'");
    check_rejected("header", "Bad Name: x", "is not 'Name: REGEX'");
    check_rejected("header", "X-A: a(",
                   "--expect-header: bad regex 'a(' at offset 2: missing closing parenthesis");
    check_rejected("header", "X-A: [z-a]", "range out of order");
}

/* ---- body regex --------------------------------------------------------- */

static void test_body_regex(void **state)
{
    (void)state;
    check_one("body", "\"status\":\\s*\"up\"", "{\"status\": \"up\"}", "");
    check_one("body", "(?i)HELLO", "well, hello there", "");
    check_one("body", "^ok$", "not ok",
              "[{\"check\":\"body\",\"expected\":\"^ok$\",\"actual\":\"no match\"}]");
    check_one("body", "caf\xc3\xa9", "un caf\xc3\xa9", ""); /* UTF-8 pattern */
    check_one("body", "^.{3}$", "\xc3\xa9t\xc3\xa9", "");   /* . is one character */
    /* invalid UTF-8 in the body never matches but does not break matching */
    check_one("body", "ok", "\xff\xfe ok", "");
    check_one("body", "", "", ""); /* an empty regex matches an empty body */

    struct check_spec *s = spec_of("body", "x", NULL);
    assert_true(check_spec_needs_body(s));
    check_spec_free(s);
}

/* A body of N copies of UNIT and then TAIL (caller frees). */
static char *repeated(const char *unit, size_t n, const char *tail)
{
    size_t u = strlen(unit), t = strlen(tail);
    char *s = malloc(n * u + t + 1);
    for (size_t i = 0; i < n; i++)
        memcpy(s + i * u, unit, u);
    memcpy(s + n * u, tail, t + 1);
    return s;
}

static double seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* PATTERN on BODY fails with "regex over its ... limit" (WANT), soon. */
static void check_limited(const char *pattern, const char *body, const char *want)
{
    struct check_spec *s = spec_of("body", pattern, NULL);
    struct check_response r = resp(200, 0, (int64_t)strlen(body), &no_headers);
    double t0 = seconds();
    int n;
    char *got = run(s, body, 0, 4 << 20, &r, &n);
    double took = seconds() - t0;
    assert_int_equal(n, 1);
    struct buf w = {0};
    buf_addf(&w, "[{\"check\":\"body\",\"expected\":");
    text_json_string(&w, pattern, strlen(pattern));
    buf_addf(&w, ",\"actual\":\"%s\"}]", want);
    if (strcmp(got, w.p))
        fail_msg("%s\n  got  %s\n  want %s", pattern, got, w.p);
    /* the budget is about 0.2 s of steps; a slow machine gets ten times that */
    if (took > 5.0)
        fail_msg("%s took %.1f s", pattern, took);
    buf_free(&w);
    free(got);
    check_spec_free(s);
}

static void test_body_regex_limits(void **state)
{
    (void)state;
    /* the classic: exponential backtracking at the first position */
    char *a = repeated("a", 100000, "b");
    check_limited("(a+)+$", a, "regex over its match limit");
    check_limited("(*NO_JIT)(a+)+$", a, "regex over its match limit");
    free(a);
    /* just under PCRE2's per-position limit at each of 360000 positions:
     * hours without a budget for the whole check, JIT or not */
    char *groups = repeated("aaaaaaaaaaaaaaaaax", 20000, "");
    check_limited("(a+)+$", groups, "regex over its match limit");
    check_limited("(*NO_JIT)(a+)+$", groups, "regex over its match limit");
    free(groups);
    /* deep backtracking: the interpreter's depth or heap limit, the JIT's
     * stack */
    char *deep = repeated("a", 300000, "b");
    check_limited("(*NO_JIT)(?:a|a)*$", deep, "regex over its depth limit");
    check_limited("(?:a|a)*$", deep, "regex over its JIT stack limit");
    check_limited("(*NO_JIT)((a)|(a))*$", deep, "regex over its heap limit");
    /* a pattern that needs no backtracking still searches the whole body */
    struct check_spec *s = spec_of("body", "ab$", NULL);
    struct check_response r = resp(200, 0, 300001, &no_headers);
    check_eval(s, deep, &r, "");
    check_spec_free(s);
    free(deep);
}

static void test_header_regex_limits(void **state)
{
    (void)state;
    /* one budget for all the values of a header: 3000 values of just under
     * the per-position limit each still end */
    static const char value[] = "aaaaaaaaaaaaaaaaaaaax";
    const char **kv = malloc(2 * 3000 * sizeof *kv);
    for (size_t i = 0; i < 3000; i++) {
        kv[2 * i] = "X-A";
        kv[2 * i + 1] = value;
    }
    struct hdrs h = {kv, 3000};
    struct check_spec *s = spec_of("header", "X-A: (a+)+$", NULL);
    struct check_response r = resp(200, 0, 0, &h);
    double t0 = seconds();
    check_eval(s, "", &r,
               "[{\"check\":\"header\",\"expected\":\"X-A: (a+)+$\",\"actual\":\"regex over its "
               "match limit\"}]");
    assert_true(seconds() - t0 < 5.0);
    check_spec_free(s);
    free(kv);
}

static void test_body_regex_invalid(void **state)
{
    (void)state;
    check_rejected("body", "(abc", "--expect-body: bad regex '(abc' at offset 4: missing closing");
    check_rejected("body", "a{2,1}", "--expect-body: bad regex 'a{2,1}' at offset");
    check_rejected("body", "\xff", "--expect-body: bad regex"); /* not UTF-8 */
}

static void test_body_regex_truncated(void **state)
{
    (void)state;
    struct check_spec *s = spec_of("body", "efg", NULL);
    struct check_response r = resp(200, 0, 8, &no_headers);
    int n;
    char *got = run(s, "abcdefgh", 3, 4, &r, &n);
    assert_string_equal(
        got,
        "[{\"check\":\"body\",\"expected\":\"efg\",\"actual\":\"no match in the first 4 bytes\"}]");
    assert_int_equal(n, 1);
    free(got);
    check_spec_free(s);

    /* what was kept still matches */
    s = spec_of("body", "^abc", NULL);
    got = run(s, "abcdefgh", 1, 4, &r, &n);
    assert_string_equal(got, "");
    assert_int_equal(n, 0);
    free(got);
    check_spec_free(s);
}

/* ---- max_body and the kept body ------------------------------------------ */

static void test_max_body(void **state)
{
    (void)state;
    struct check_spec *s = spec_of("body", "x", NULL);
    struct check_state st;
    check_state_init(&st);
    check_state_begin(&st, s, 10, false, false);
    for (int i = 0; i < 7; i++)
        check_state_feed(&st, "abc", 3);
    size_t len;
    bool cut;
    const char *b = check_state_body(&st, &len, &cut);
    assert_int_equal(len, 10);
    assert_true(cut);
    assert_memory_equal(b, "abcabcabca", 10);
    assert_int_equal(b[10], '\0');
    assert_true(st.body.cap <= 10 + 64); /* never grows past max_body and a little slack */
    assert_int_equal(st.fed, 21);

    /* a new attempt starts over, keeping the memory */
    check_state_begin(&st, s, 10, false, false);
    check_state_feed(&st, "xyz", 3);
    b = check_state_body(&st, &len, &cut);
    assert_int_equal(len, 3);
    assert_false(cut);
    assert_string_equal(b, "xyz");

    /* exactly max_body is not truncated */
    check_state_begin(&st, s, 3, false, false);
    check_state_feed(&st, "abc", 3);
    b = check_state_body(&st, &len, &cut);
    assert_int_equal(len, 3);
    assert_false(cut);

    /* reset releases the body; the state can be begun again */
    check_state_reset(&st);
    assert_null(st.body.p);
    assert_null(check_state_body(&st, &len, &cut));
    check_state_begin(&st, s, 0, false, false); /* max_body 0: nothing kept */
    check_state_feed(&st, "abc", 3);
    b = check_state_body(&st, &len, &cut);
    assert_string_equal(b, "");
    assert_int_equal(len, 0);
    assert_true(cut);
    check_state_free(&st);
    check_spec_free(s);
}

static void test_want_body(void **state)
{
    (void)state;
    /* --include-body with no checks: the body is kept, capped */
    struct check_state st;
    check_state_init(&st);
    check_state_begin(&st, NULL, 5, false, true);
    assert_true(st.active);
    check_state_feed(&st, "hello world", 11);
    size_t len;
    bool cut;
    const char *b = check_state_body(&st, &len, &cut);
    assert_int_equal(len, 5);
    assert_true(cut);
    assert_memory_equal(b, "hello", 5);

    /* an empty body that was asked for is "" */
    check_state_begin(&st, NULL, 5, false, true);
    b = check_state_body(&st, &len, &cut);
    assert_non_null(b);
    assert_int_equal(len, 0);
    assert_false(cut);
    check_state_free(&st);
}

static void test_large_body_growth(void **state)
{
    (void)state;
    struct check_spec *s = spec_of("body", "END$", NULL);
    struct check_state st;
    check_state_init(&st);
    check_state_begin(&st, s, 1 << 20, false, false);
    char chunk[1000];
    memset(chunk, 'a', sizeof chunk);
    for (int i = 0; i < 300; i++)
        check_state_feed(&st, chunk, sizeof chunk);
    check_state_feed(&st, "END", 3);
    size_t len;
    bool cut;
    check_state_body(&st, &len, &cut);
    assert_int_equal(len, 300003);
    assert_false(cut);
    struct buf out = {0};
    struct check_response r = resp(200, 0, 300003, &no_headers);
    assert_int_equal(evaluate(s, &st, &r, &out), 0);
    buf_free(&out);
    check_state_free(&st);
    check_spec_free(s);
}

/* ---- body-contains ------------------------------------------------------ */

/* NEEDLE must be found (or not) in BODY fed whole, byte by byte, and in
 * chunks of every size up to 7. */
static void check_contains(const char *needle, const char *body, bool found)
{
    struct check_spec *s = spec_of("body-contains", needle, NULL);
    struct check_response r = resp(200, 0, (int64_t)strlen(body), &no_headers);
    for (size_t chunk = 0; chunk <= 7; chunk++) {
        int n;
        char *got = run(s, body, chunk, 1 << 20, &r, &n);
        if (found != (n == 0))
            fail_msg("'%s' in '%s' with chunks of %zu: %s", needle, body, chunk, got);
        free(got);
    }
    check_spec_free(s);
}

static void test_contains(void **state)
{
    (void)state;
    check_contains("needle", "haystack with a needle in it", true);
    check_contains("needle", "haystack with a needl e in it", false);
    check_contains("needle", "needle", true);
    check_contains("needle", "needl", false);
    check_contains("needle", "", false);
    check_contains("n", "xxxn", true);
    check_contains("aab", "aaab", true); /* a partial match restarts inside itself */
    check_contains("abab", "abaabab", true);
    check_contains("abab", "abaaba", false);
    check_contains("aaaa", "aaabaaab", false);
    check_contains("aaaa", "aaabaaaa", true);
    check_contains("abcabd", "abcabcabd", true);
    check_contains("AB", "ab", false); /* case matters */
    check_contains("\xc3\xa9", "caf\xc3\xa9", true);

    check_one(
        "body-contains", "\"ok\"\n", "{}",
        "[{\"check\":\"body-contains\",\"expected\":\"\\\"ok\\\"\\n\",\"actual\":\"not found\"}]");
}

static void test_contains_streaming(void **state)
{
    (void)state;
    /* body-contains alone buffers nothing, whatever the body's size */
    struct check_spec *s = spec_of("body-contains", "tail", NULL);
    assert_false(check_spec_needs_body(s));
    struct check_state st;
    check_state_init(&st);
    check_state_begin(&st, s, 1 << 20, false, false);
    char chunk[4096];
    memset(chunk, 't', sizeof chunk);
    for (int i = 0; i < 100; i++)
        check_state_feed(&st, chunk, sizeof chunk);
    check_state_feed(&st, "ai", 2);
    check_state_feed(&st, "l", 1);
    assert_true(st.found);
    assert_false(st.active); /* nothing left to do for later chunks */
    assert_null(st.body.p);
    size_t len;
    bool cut;
    assert_null(check_state_body(&st, &len, &cut));
    struct buf out = {0};
    struct check_response r = resp(200, 0, 409603, &no_headers);
    assert_int_equal(evaluate(s, &st, &r, &out), 0);

    /* the next attempt searches afresh */
    check_state_begin(&st, s, 1 << 20, false, false);
    assert_false(st.found);
    check_state_feed(&st, "tai", 3);
    assert_int_equal(evaluate(s, &st, &r, &out), 1);
    assert_string_equal(
        buf_str(&out),
        "[{\"check\":\"body-contains\",\"expected\":\"tail\",\"actual\":\"not found\"}]");
    buf_free(&out);
    check_state_free(&st);
    check_spec_free(s);

    check_rejected("body-contains", "", "--expect-body-contains: the text must not be empty");
}

/* ---- jq ----------------------------------------------------------------- */

/* jq programs run in jqw's worker (test_jqw has what jq answers); here: the
 * program is kept as text, the answer the response brings becomes the
 * failure, and the compile check words its message. */

static void test_jq_answer(void **state)
{
    (void)state;
    struct check_spec *s = spec_of("jq", ".ok", NULL);
    assert_string_equal(check_spec_jq(s), ".ok");
    assert_true(check_spec_needs_body(s));
    struct check_response r = resp(200, 0, 0, &no_headers);
    check_eval(s, "anything", &r, "");
    r.jq_holds = false;
    r.jq_actual = "false";
    check_eval(s, "", &r, "[{\"check\":\"jq\",\"expected\":\".ok\",\"actual\":\"false\"}]");
    r.jq_actual = "jq program over its 1 s budget";
    check_eval(s, "", &r,
               "[{\"check\":\"jq\",\"expected\":\".ok\",\"actual\":\"jq program over its 1 s "
               "budget\"}]");
    r.jq_actual = NULL;
    check_eval(s, "", &r,
               "[{\"check\":\"jq\",\"expected\":\".ok\",\"actual\":\"(not evaluated)\"}]");
    check_spec_free(s);
    assert_null(check_spec_jq(NULL));
    s = spec_of("status", "200", NULL);
    assert_null(check_spec_jq(s));
    check_spec_free(s);
}

static void test_jq_long_answer_clipped(void **state)
{
    (void)state;
    struct check_spec *s = spec_of("jq", ".", NULL);
    struct check_response r = resp(200, 0, 2, &no_headers);
    char longer[1000];
    memset(longer, 'x', sizeof longer - 1);
    longer[sizeof longer - 1] = '\0';
    r.jq_holds = false;
    r.jq_actual = longer;
    int n;
    char *got = run(s, "{}", 0, 1 << 20, &r, &n);
    assert_int_equal(n, 1);
    const char *a = strstr(got, "\"actual\":\"") + 10;
    assert_int_equal(strlen(a), 256 + 3 + 3); /* 256 characters, "...", "\"}]" */
    assert_non_null(strstr(got, "...\"}]"));
    free(got);
    check_spec_free(s);
}

/* Not compiled when set: the worker says whether it compiles. */
static void test_jq_compile(void **state)
{
    (void)state;
    struct jqw_options o = {.time_ms = 5000, .mem_bytes = JQW_MEM_BYTES, .max_body = 1 << 20};
    struct jqw *w = jqw_new(&o);
    struct buf err = {0};
    struct check_spec *s = spec_of("jq", ".a | (", NULL); /* accepted as text */
    assert_false(check_spec_compile(s, w, &err));
    assert_memory_equal(buf_str(&err), "--expect-jq: '.a | (' does not compile: syntax error", 51);
    assert_null(strchr(buf_str(&err), '\n'));            /* one line */
    assert_null(strstr(buf_str(&err), "compile error")); /* jq's trailer dropped */
    check_spec_free(s);
    buf_clear(&err);
    s = spec_of("jq", "nosuchfunction", NULL);
    assert_false(check_spec_compile(s, w, &err));
    assert_non_null(strstr(buf_str(&err), "nosuchfunction/0 is not defined"));
    check_spec_free(s);
    buf_clear(&err);
    s = spec_of("jq", ".items | length > 1", "status", "200", NULL);
    assert_true(check_spec_compile(s, w, &err));
    check_spec_free(s);
    s = spec_of("status", "200", NULL);
    assert_true(check_spec_compile(s, w, &err)); /* no jq: nothing to ask */
    assert_true(check_spec_compile(NULL, w, &err));
    check_spec_free(s);
    assert_int_equal(err.len, 0);
    /* a program over jqw's bound is rejected when set */
    size_t n = JQW_MAX_PROGRAM + 1;
    char *prog = malloc(n + 1);
    memset(prog, ' ', n);
    prog[0] = '.';
    prog[n] = '\0';
    check_rejected("jq", prog, "--expect-jq: the program is too long");
    free(prog);
    buf_free(&err);
    jqw_free(w);
}

/* ---- time, size --------------------------------------------------------- */

static void test_time(void **state)
{
    (void)state;
    struct check_spec *s = spec_of("time", "0.5", NULL);
    struct check_response r = resp(200, 500000, 0, &no_headers);
    check_eval(s, "", &r, "");
    r.time_total = 734218;
    check_eval(s, "", &r, "[{\"check\":\"time\",\"expected\":\"<= 0.5\",\"actual\":\"0.734218\"}]");
    check_spec_free(s);

    s = spec_of("time", "2", NULL);
    r.time_total = 2500000;
    check_eval(s, "", &r, "[{\"check\":\"time\",\"expected\":\"<= 2\",\"actual\":\"2.5\"}]");
    check_spec_free(s);

    s = spec_of("time", "0.1", NULL); /* no floating-point drift: 100000 µs */
    r.time_total = 100000;
    check_eval(s, "", &r, "");
    r.time_total = 100001;
    check_eval(s, "", &r, "[{\"check\":\"time\",\"expected\":\"<= 0.1\",\"actual\":\"0.100001\"}]");
    check_spec_free(s);

    check_rejected("time", "", "--expect-time: '' is not a number of seconds");
    check_rejected("time", "abc", "--expect-time: 'abc' is not a number of seconds");
    check_rejected("time", "-1", "is not a number of seconds");
    check_rejected("time", "1s", "is not a number of seconds");
    check_rejected("time", "inf", "is not a number of seconds");
    check_rejected("time", "nan", "is not a number of seconds");
}

static void test_size(void **state)
{
    (void)state;
    struct check_response r = resp(200, 0, 1024, &no_headers);
    struct check_spec *s = spec_of("size", "1024", NULL);
    check_eval(s, "", &r, "");
    r.size_download = 1023;
    check_eval(s, "", &r, "[{\"check\":\"size\",\"expected\":\"1024\",\"actual\":\"1023\"}]");
    check_spec_free(s);

    s = spec_of("size", "100-200", NULL);
    r.size_download = 100;
    check_eval(s, "", &r, "");
    r.size_download = 200;
    check_eval(s, "", &r, "");
    r.size_download = 201;
    check_eval(s, "", &r, "[{\"check\":\"size\",\"expected\":\"100-200\",\"actual\":\"201\"}]");
    r.size_download = 99;
    check_eval(s, "", &r, "[{\"check\":\"size\",\"expected\":\"100-200\",\"actual\":\"99\"}]");
    check_spec_free(s);

    s = spec_of("size", "100-", NULL);
    r.size_download = 1000000000;
    check_eval(s, "", &r, "");
    r.size_download = 0;
    check_eval(s, "", &r, "[{\"check\":\"size\",\"expected\":\">= 100\",\"actual\":\"0\"}]");
    check_spec_free(s);

    s = spec_of("size", " 1k - 2K ", NULL);
    r.size_download = 10;
    check_eval(s, "", &r, "[{\"check\":\"size\",\"expected\":\"1024-2048\",\"actual\":\"10\"}]");
    check_spec_free(s);

    s = spec_of("size", "0", NULL);
    r.size_download = 0;
    check_eval(s, "", &r, "");
    check_spec_free(s);

    s = spec_of("size", "1M-", NULL);
    r.size_download = 1048575;
    check_eval(s, "", &r,
               "[{\"check\":\"size\",\"expected\":\">= 1048576\",\"actual\":\"1048575\"}]");
    check_spec_free(s);

    check_rejected("size", "", "--expect-size: '' is not N, MIN-MAX or MIN- (bytes)");
    check_rejected("size", "abc", "--expect-size: 'abc' is not N, MIN-MAX or MIN-");
    check_rejected("size", "200-100", "is not N, MIN-MAX or MIN-");
    check_rejected("size", "-5", "is not N, MIN-MAX or MIN-");
    check_rejected("size", "1x", "is not N");
    check_rejected("size", "1kb", "is not N");
    check_rejected("size", "+5", "is not N");
    check_rejected("size", "1-2-3", "is not N");
    check_rejected("size", "99999999999999999999", "is not N");
    check_rejected("size", "9999999999999999G", "is not N");
}

/* ---- SHA-256 ------------------------------------------------------------ */

#define SHA_ABC "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
#define SHA_EMPTY "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

static void test_sha256_want(void **state)
{
    (void)state;
    /* --sha256 without any check */
    struct check_state st;
    check_state_init(&st);
    check_state_begin(&st, NULL, 1 << 20, true, false);
    assert_true(st.active);
    check_state_feed(&st, "a", 1);
    check_state_feed(&st, "bc", 2);
    assert_string_equal(check_state_sha256_hex(&st), SHA_ABC);
    assert_string_equal(check_state_sha256_hex(&st), SHA_ABC); /* idempotent */
    size_t len;
    bool cut;
    assert_null(check_state_body(&st, &len, &cut)); /* hashing keeps no body */

    /* the next attempt hashes afresh, reusing the context */
    check_state_begin(&st, NULL, 1 << 20, true, false);
    assert_string_equal(check_state_sha256_hex(&st), SHA_EMPTY);

    /* and not at all when nothing asks for it */
    check_state_begin(&st, NULL, 1 << 20, false, false);
    check_state_feed(&st, "abc", 3);
    assert_null(check_state_sha256_hex(&st));
    check_state_free(&st);
}

static void test_sha256_whole_body(void **state)
{
    (void)state;
    /* the hash covers the whole body, past max_body */
    struct check_spec *s = spec_of("sha256", SHA_ABC, "body", "^a", NULL);
    struct check_response r = resp(200, 0, 3, &no_headers);
    int n;
    char *got = run(s, "abc", 1, 1, &r, &n);
    assert_string_equal(got, "");
    free(got);
    check_spec_free(s);
}

static void test_sha256_check(void **state)
{
    (void)state;
    check_one("sha256", SHA_ABC, "abc", "");
    /* upper case and surrounding blanks are accepted */
    check_one("sha256", " BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD ", "abc",
              "");
    check_one("sha256", SHA_ABC, "abd",
              "[{\"check\":\"sha256\",\"expected\":\"" SHA_ABC "\",\"actual\":\""
              "a52d159f262b2c6ddb724a61840befc36eb30c88877a4030b65cbe86298449c9\"}]");
    check_one("sha256", SHA_EMPTY, "", "");

    check_rejected("sha256", "abc", "--expect-sha256: 'abc' is not 64 hex digits");
    check_rejected("sha256", SHA_ABC "0", "is not 64 hex digits");
    check_rejected("sha256",
                   "g"
                   "a7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
                   "is not 64 hex digits");
    check_rejected("sha256", "", "is not 64 hex digits");
}

/* ---- several failures, override ----------------------------------------- */

static void test_failure_order(void **state)
{
    (void)state;
    static const char *const kv[] = {"X-A", "1"};
    struct hdrs h = {kv, 1};
    /* set in a different order from the report's */
    struct check_spec *s =
        spec_of("sha256", SHA_ABC, "size", "1", "time", "0.001", "jq", ".ok", "body-contains",
                "zzz", "body", "^\\{", "header", "X-A: 2", "status", "201", NULL);
    struct check_response r = resp(200, 2000, 11, &h);
    r.jq_holds = false;
    r.jq_actual = "null";
    check_eval(s, "{\"ok\":null}", &r,
               "[{\"check\":\"status\",\"expected\":\"201\",\"actual\":\"200\"},"
               "{\"check\":\"header\",\"expected\":\"X-A: 2\",\"actual\":\"1\"},"
               "{\"check\":\"body-contains\",\"expected\":\"zzz\",\"actual\":\"not found\"},"
               "{\"check\":\"jq\",\"expected\":\".ok\",\"actual\":\"null\"},"
               "{\"check\":\"time\",\"expected\":\"<= 0.001\",\"actual\":\"0.002\"},"
               "{\"check\":\"size\",\"expected\":\"1\",\"actual\":\"11\"},"
               "{\"check\":\"sha256\",\"expected\":\"" SHA_ABC "\",\"actual\":\""
               "78fa2886f5e9367182124d9465d8ad8827856f6bce3db3b362e0e90257cf6733\"}]");
    check_spec_free(s);
}

static void test_evaluate_owns_failures(void **state)
{
    (void)state;
    /* the failures are the state's: valid after the spec is freed, until
     * the next begin */
    struct check_spec *s = spec_of("status", "201", "body-contains", "zz", NULL);
    struct check_state st;
    check_state_init(&st);
    check_state_begin(&st, s, 100, false, false);
    struct check_response r = resp(200, 0, 0, &no_headers);
    const struct check_failure *f;
    assert_int_equal(check_evaluate(s, &st, &r, &f), 2);
    check_spec_free(s);
    assert_string_equal(f[0].check, "status");
    assert_string_equal(f[0].expected, "201");
    assert_string_equal(f[0].actual, "200");
    assert_string_equal(f[1].check, "body-contains");
    assert_string_equal(f[1].expected, "zz");
    assert_string_equal(f[1].actual, "not found");
    /* the next attempt starts with none */
    s = spec_of("status", "200", NULL);
    check_state_begin(&st, s, 100, false, false);
    assert_int_equal(st.nfailed, 0);
    assert_int_equal(check_evaluate(s, &st, &r, &f), 0);
    assert_null(f);
    /* many header failures grow the array */
    check_spec_free(s);
    s = check_spec_new();
    struct buf err = {0};
    for (int i = 0; i < 40; i++) {
        char v[32];
        snprintf(v, sizeof v, "X-%d: ^%d$", i, i);
        assert_true(check_spec_set(s, "header", v, &err));
    }
    check_state_begin(&st, s, 100, false, false);
    assert_int_equal(check_evaluate(s, &st, &r, &f), 40);
    assert_string_equal(f[39].expected, "X-39: ^39$");
    assert_string_equal(f[39].actual, "(absent)");
    check_state_free(&st);
    check_spec_free(s);
    buf_free(&err);
}

static void test_override(void **state)
{
    (void)state;
    static const char *const kv[] = {"X-A", "a", "X-B", "b"};
    struct hdrs h = {kv, 2};
    struct check_spec *base = spec_of("status", "200", "body-contains", "base", "header", "X-A: a",
                                      "header", "X-A: nope", "time", "1", NULL);
    struct check_spec *line = spec_of("status", "404", "header", "X-B: b", NULL);
    struct check_spec *o = check_spec_override(base, line);
    /* free the sources first: the result holds its own references */
    check_spec_free(base);
    check_spec_free(line);

    assert_true(check_status_ok(o, 404));
    assert_false(check_status_ok(o, 200));
    struct check_response r = resp(404, 2000000, 4, &h);
    /* line's headers replace base's both; base's body-contains and time stay */
    check_eval(o, "base", &r, "[{\"check\":\"time\",\"expected\":\"<= 1\",\"actual\":\"2\"}]");
    check_eval(o, "xxxx", &r,
               "[{\"check\":\"body-contains\",\"expected\":\"base\",\"actual\":\"not found\"},"
               "{\"check\":\"time\",\"expected\":\"<= 1\",\"actual\":\"2\"}]");

    /* an override of an override, and a line with no headers keeps them */
    struct check_spec *line2 = spec_of("jq", ".", NULL);
    struct check_spec *o2 = check_spec_override(o, line2);
    check_spec_free(line2);
    r.time_total = 0;
    check_eval(o2, "true", &r,
               "[{\"check\":\"body-contains\",\"expected\":\"base\",\"actual\":\"not found\"}]");
    check_eval(o2, "\"base\"", &r, "");
    assert_true(check_spec_needs_body(o2));
    assert_false(check_spec_needs_body(o));
    check_spec_free(o);
    check_spec_free(o2);
}

static void test_override_nulls(void **state)
{
    (void)state;
    struct check_spec *base = spec_of("status", "418", "header", "X: y", NULL);
    struct check_spec *o = check_spec_override(base, NULL);
    assert_true(check_status_ok(o, 418));
    check_spec_free(o);
    o = check_spec_override(NULL, base);
    assert_true(check_status_ok(o, 418));
    check_spec_free(o);
    o = check_spec_override(NULL, NULL);
    assert_true(check_spec_empty(o));
    check_spec_free(o);
    struct check_spec *empty = check_spec_new();
    o = check_spec_override(base, empty); /* an empty line changes nothing */
    assert_true(check_spec_has_status(o));
    struct check_response r = resp(418, 0, 0, &no_headers);
    check_eval(o, "", &r, "[{\"check\":\"header\",\"expected\":\"X: y\",\"actual\":\"(absent)\"}]");
    check_spec_free(o);
    check_spec_free(empty);
    check_spec_free(base);
}

static void test_cache(void **state)
{
    (void)state;
    struct check_cache *c = check_cache_new(2);
    struct buf err = {0};
    struct check_spec *a = check_spec_new(), *b = check_spec_new(), *d = check_spec_new();
    assert_true(check_spec_set_cached(a, c, "jq", ".ok", &err));
    assert_true(check_spec_set_cached(a, c, "header", "X-A: ^1$", &err));
    assert_true(check_spec_set_cached(a, c, "status", "200", &err)); /* not cached, still set */
    /* hits: the same compiled items, shared */
    assert_true(check_spec_set_cached(b, c, "jq", ".ok", &err));
    assert_true(check_spec_set_cached(b, c, "header", "X-A: ^1$", &err));
    assert_true(check_spec_set_cached(b, c, "header", "X-A: ^1$", &err)); /* twice in one spec */
    /* the same text under another name is another entry; evicts the oldest */
    assert_true(check_spec_set_cached(d, c, "body", ".ok", &err));
    assert_true(check_spec_set_cached(d, c, "jq", ".ok", &err)); /* made again after eviction */
    /* a bad value is rejected every time, cached or not */
    assert_false(check_spec_set_cached(d, c, "body", ".a | (", &err));
    assert_false(check_spec_set_cached(d, c, "body", ".a | (", &err));
    assert_false(check_spec_set_cached(d, c, "nope", "x", &err));
    assert_true(check_spec_set_cached(d, NULL, "time", "1", &err));
    check_cache_free(c); /* specs outlive the cache */
    check_cache_free(NULL);

    static const char *const kv[] = {"X-A", "2"};
    struct hdrs h = {kv, 1};
    struct check_response r = resp(200, 0, 0, &h);
    check_eval(a, "{\"ok\": true}", &r,
               "[{\"check\":\"header\",\"expected\":\"X-A: ^1$\",\"actual\":\"2\"}]");
    r.jq_holds = false;
    r.jq_actual = "false";
    check_eval(b, "{\"ok\": false}", &r,
               "[{\"check\":\"header\",\"expected\":\"X-A: ^1$\",\"actual\":\"2\"},"
               "{\"check\":\"header\",\"expected\":\"X-A: ^1$\",\"actual\":\"2\"},"
               "{\"check\":\"jq\",\"expected\":\".ok\",\"actual\":\"false\"}]");
    r.jq_holds = true;
    check_eval(d, "{\"ok\": true}", &r, "");
    check_spec_free(a);
    check_spec_free(b);
    check_spec_free(d);
    buf_free(&err);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_empty_spec),
    cmocka_unit_test(test_unknown_name),
    cmocka_unit_test(test_status_default),
    cmocka_unit_test(test_status_list),
    cmocka_unit_test(test_status_normalised),
    cmocka_unit_test(test_status_invalid),
    cmocka_unit_test(test_status_eval),
    cmocka_unit_test(test_set_replaces),
    cmocka_unit_test(test_header_pass_fail),
    cmocka_unit_test(test_header_repeated),
    cmocka_unit_test(test_header_escaping_and_clip),
    cmocka_unit_test(test_header_invalid),
    cmocka_unit_test(test_body_regex),
    cmocka_unit_test(test_body_regex_invalid),
    cmocka_unit_test(test_body_regex_truncated),
    cmocka_unit_test(test_max_body),
    cmocka_unit_test(test_want_body),
    cmocka_unit_test(test_large_body_growth),
    cmocka_unit_test(test_contains),
    cmocka_unit_test(test_contains_streaming),
    cmocka_unit_test(test_jq_answer),
    cmocka_unit_test(test_jq_long_answer_clipped),
    cmocka_unit_test(test_jq_compile),
    cmocka_unit_test(test_time),
    cmocka_unit_test(test_size),
    cmocka_unit_test(test_sha256_want),
    cmocka_unit_test(test_sha256_whole_body),
    cmocka_unit_test(test_sha256_check),
    cmocka_unit_test(test_failure_order),
    cmocka_unit_test(test_evaluate_owns_failures),
    cmocka_unit_test(test_body_regex_limits),
    cmocka_unit_test(test_header_regex_limits),
    cmocka_unit_test(test_override),
    cmocka_unit_test(test_override_nulls),
    cmocka_unit_test(test_cache),
};

int main(int argc, char **argv)
{
    if (jqw_is_worker(argc, argv)) /* this binary is its own jq worker (test_jq_compile) */
        return jqw_worker_main(argc, argv);
    return cmocka_run_group_tests_name("check", tests, NULL, unit_cleanup);
}
