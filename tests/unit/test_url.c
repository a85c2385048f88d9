/* test_url: turning input lines into fetchable URLs (default scheme, http
 * and https only, libcurl's syntax check) and hiding passwords in output. */
#include "unit.h"

#include "url.h"

/* ---- helpers ------------------------------------------------------------ */

struct prep {
    struct url_checker *c;
    struct buf dst;
};

static int prep_setup(void **state)
{
    struct prep *p = calloc(1, sizeof *p);
    p->c = url_checker_new();
    buf_adds(&p->dst, "stale content"); /* url_prepare must replace it */
    *state = p;
    return 0;
}

static int prep_teardown(void **state)
{
    struct prep *p = *state;
    url_checker_free(p->c);
    buf_free(&p->dst);
    free(p);
    return 0;
}

static const char *prepare(struct prep *p, const char *line, const char *proto)
{
    return url_prepare(p->c, line, strlen(line), proto, &p->dst);
}

#define assert_ok(p, line, proto, want)                                                            \
    do {                                                                                           \
        const char *why_ = prepare(p, line, proto);                                                \
        if (why_)                                                                                  \
            fail_msg("'%s' rejected: %s", line, why_);                                             \
        assert_string_equal(buf_str(&(p)->dst), want);                                             \
    } while (0)

/* LINE must be rejected, with a reason containing WHY (unless NULL). */
static void check_rejected(struct prep *p, const char *line, const char *why)
{
    const char *got = prepare(p, line, "https");
    if (!got)
        fail_msg("'%s' accepted as %s", line, buf_str(&p->dst));
    if (why && !strstr(got, why))
        fail_msg("'%s' rejected with '%s', not '%s'", line, got, why);
}

#define assert_rejected(p, line, why) check_rejected(p, line, why)

static char *redact(const char *url)
{
    struct buf b = {0};
    url_redact(url, &b);
    char *s = strdup(buf_str(&b));
    buf_free(&b);
    return s;
}

#define assert_redact(url, want)                                                                   \
    do {                                                                                           \
        char *got_ = redact(url);                                                                  \
        assert_string_equal(got_, want);                                                           \
        free(got_);                                                                                \
    } while (0)

static char *clip_cut(const char *line, size_t len, bool cut)
{
    struct buf b = {0};
    url_clip(line, len, cut, &b);
    char *s = strdup(buf_str(&b));
    buf_free(&b);
    return s;
}

static char *clip(const char *line, size_t len)
{
    return clip_cut(line, len, false);
}

/* A string of N copies of C (caller frees). */
static char *repeat(char c, size_t n)
{
    char *s = malloc(n + 1);
    memset(s, c, n);
    s[n] = '\0';
    return s;
}

/* ---- url_prepare -------------------------------------------------------- */

static void test_prepare_default_scheme(void **state)
{
    struct prep *p = *state;
    assert_ok(p, "example.com", "https", "https://example.com");
    assert_ok(p, "example.com/a?b=c#d", "https", "https://example.com/a?b=c#d");
    assert_ok(p, "example.com:8080/x", "http", "http://example.com:8080/x");
    assert_ok(p, "127.0.0.1", "http", "http://127.0.0.1");
    assert_ok(p, "[::1]:80/", "https", "https://[::1]:80/");
    assert_ok(p, "user:pw@example.com/", "https", "https://user:pw@example.com/");
}

static void test_prepare_http_https(void **state)
{
    struct prep *p = *state;
    /* a URL with a scheme is kept as written */
    assert_ok(p, "http://a/", "https", "http://a/");
    assert_ok(p, "https://a/", "http", "https://a/");
    assert_ok(p, "HTTP://A/", "https", "HTTP://A/");
    assert_ok(p, "HtTpS://a.example:443/x", "https", "HtTpS://a.example:443/x");
    assert_ok(p, "http://[::1]:8080/p", "https", "http://[::1]:8080/p");
}

static void test_prepare_other_schemes(void **state)
{
    struct prep *p = *state;
    assert_rejected(p, "ftp://example.com/", "scheme");
    assert_rejected(p, "file:///etc/passwd", "scheme");
    assert_rejected(p, "gopher://x/", "scheme");
    assert_rejected(p, "httpx://x/", "scheme");
    assert_rejected(p, "http2://x/", "scheme");
    assert_rejected(p, "ws://x/", "scheme");
    assert_rejected(p, "hxxp://example.com/", "scheme");
}

static void test_prepare_malformed(void **state)
{
    struct prep *p = *state;
    assert_rejected(p, "http://", NULL);
    assert_rejected(p, "https://", NULL);
    assert_rejected(p, "://x", NULL);
    assert_rejected(p, "://", NULL);
    assert_rejected(p, "1http://x/", NULL);
    assert_rejected(p, "ht tp://x/", NULL);
    assert_rejected(p, "http://exa mple.com/", NULL);
    assert_rejected(p, "https://a/b c", NULL);
    assert_rejected(p, "example .com", NULL);
    assert_rejected(p, "http://a:99999/", NULL);
    assert_rejected(p, "http://a:port/", NULL);
}

static void test_prepare_nul_byte(void **state)
{
    struct prep *p = *state;
    static const char line[] = "http://a/\0b";
    const char *why = url_prepare(p->c, line, sizeof line - 1, "https", &p->dst);
    assert_non_null(why);
}

static void test_prepare_length_limit(void **state)
{
    struct prep *p = *state;
    static const char head[] = "https://a.example/";
    char *line = repeat('x', URL_MAX_LINE + 1);
    memcpy(line, head, sizeof head - 1);
    /* exactly 64 KiB: accepted */
    const char *why = url_prepare(p->c, line, URL_MAX_LINE, "https", &p->dst);
    assert_null(why);
    assert_int_equal(p->dst.len, URL_MAX_LINE);
    /* one more byte: rejected */
    why = url_prepare(p->c, line, URL_MAX_LINE + 1, "https", &p->dst);
    assert_non_null(why);
    assert_non_null(strstr(why, "64 KiB"));
    free(line);
}

static void test_prepare_uses_len(void **state)
{
    struct prep *p = *state;
    /* only LEN bytes of LINE count */
    static const char line[] = "http://a/ trailing garbage";
    assert_null(url_prepare(p->c, line, 9, "https", &p->dst));
    assert_string_equal(buf_str(&p->dst), "http://a/");
}

static void test_prepare_reusable(void **state)
{
    struct prep *p = *state;
    assert_rejected(p, "ftp://x/", NULL);
    assert_ok(p, "b.example", "http", "http://b.example");
    assert_rejected(p, "http://", NULL);
    assert_ok(p, "https://c.example/", "http", "https://c.example/");
}

/* ---- url_redact_prepared, url_redact -------------------------------------- */

/* LINE is prepared; its shown form must be WANT, or LINE unchanged when
 * WANT is NULL (no password). */
static void check_shown(struct prep *p, const char *line, const char *want)
{
    const char *why = prepare(p, line, "https");
    if (why)
        fail_msg("'%s' rejected: %s", line, why);
    struct buf b = {0};
    bool redacted = url_redact_prepared(p->c, buf_str(&p->dst), &b);
    if (redacted != (want != NULL) || (want && strcmp(buf_str(&b), want)))
        fail_msg("'%s' shown as '%s' (%s), not '%s'", line, buf_str(&b),
                 redacted ? "redacted" : "not redacted", want ? want : "(as is)");
    buf_free(&b);
}

/* The password is the one libcurl's parse finds, the one it sends. */
static void test_redact_prepared(void **state)
{
    struct prep *p = *state;
    check_shown(p, "https://user:pw@host/", "https://user:***@host/");
    check_shown(p, "http://u:p@h:8080", "http://u:***@h:8080");
    check_shown(p, "https://:pw@host/", "https://:***@host/");
    check_shown(p, "https://u:@host/", "https://u:***@host/"); /* empty, but given */
    check_shown(p, "user:pw@example.com/", "https://user:***@example.com/");
    /* libcurl skips the third slash and sends user:pass: a scan of the text
     * after "://" found no userinfo */
    check_shown(p, "http:///user:pass@host/", "http:///user:***@host/");
    check_shown(p, "https://u:p%40ss@host/x", "https://u:***@host/x");
    check_shown(p, "https://u:p:q@host/", "https://u:***@host/");
    /* no password */
    check_shown(p, "https://user@host/", NULL);
    check_shown(p, "https://host/", NULL);
    check_shown(p, "https://host:8080/", NULL);
    check_shown(p, "https://host/a@b", NULL);
    check_shown(p, "https://host/u:p@x", NULL);
    check_shown(p, "https://host?u=a:b@c", NULL);
    check_shown(p, "https://host#a:b@c", NULL);
    check_shown(p, "host/u:p@x", NULL);
}

/* What of the URL names an --output-dir file: never the userinfo. */
static void test_name_part(void **state)
{
    struct prep *p = *state;
    static const char *const cases[][2] = {
        {"http://u:secret@h:8080/a/b?q=1#f", "h:8080/a/b"},
        {"http:///user:secret@host/x", "host/x"},
        {"https://host", "host/"},
        {"https://[::1]/p", "[::1]/p"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        assert_null(prepare(p, cases[i][0], "https"));
        struct buf b = {0};
        url_name_part(p->c, &b);
        assert_string_equal(buf_str(&b), cases[i][1]);
        buf_free(&b);
    }
}

static void test_redact(void **state)
{
    (void)state;
    assert_redact("https://user:pw@host/x", "https://user:***@host/x");
    assert_redact("http://u:secret@h:8080", "http://u:***@h:8080");
    assert_redact("https://:pw@host/", "https://:***@host/");
    /* the last '@' of the authority ends the userinfo */
    assert_redact("https://u:p@ss@host/", "https://u:***@host/");
    assert_redact("https://u:p:q@host/", "https://u:***@host/");
    /* untouched */
    assert_redact("https://user@host/", "https://user@host/");
    assert_redact("https://host/path@x:y", "https://host/path@x:y");
    assert_redact("https://host?next=a:b@c", "https://host?next=a:b@c");
    assert_redact("https://host#a:b@c", "https://host#a:b@c");
    assert_redact("https://host:8080/", "https://host:8080/");
    assert_redact("no scheme at all", "no scheme at all");
    assert_redact("", "");
    /* a second URL in the query is not the authority */
    assert_redact("https://h/?u=http://a:b@c", "https://h/?u=http://a:b@c");
    /* libcurl's parse decides, as for the URL it fetches */
    assert_redact("http:///user:pass@host/", "http:///user:***@host/");
    /* what libcurl cannot parse is scrubbed */
    assert_redact("http://u:p/ss@h/", "http://u:***@h/");
}

static void test_redact_appends(void **state)
{
    (void)state;
    struct buf b = {0};
    buf_adds(&b, "> ");
    url_redact("https://u:p@h/", &b);
    assert_string_equal(buf_str(&b), "> https://u:***@h/");
    buf_free(&b);
}

/* ---- url_clip ----------------------------------------------------------- */

static void test_clip_short(void **state)
{
    (void)state;
    char *s = clip("ftp://x/ y", 10);
    assert_string_equal(s, "ftp://x/ y");
    free(s);
    /* only LEN bytes */
    s = clip("abcdef", 3);
    assert_string_equal(s, "abc");
    free(s);
    s = clip("", 0);
    assert_string_equal(s, "");
    free(s);
}

static void test_clip_boundary(void **state)
{
    (void)state;
    char *line = repeat('a', 300);
    char *s = clip(line, 256);
    assert_string_equal(s, line + 300 - 256); /* exactly 256: kept whole */
    free(s);
    s = clip(line, 257);
    assert_int_equal(strlen(s), 256 + 3);
    assert_memory_equal(s, line, 256);
    assert_string_equal(s + 256, "...");
    free(s);
    s = clip(line, 300);
    assert_int_equal(strlen(s), 259);
    assert_string_equal(s + 256, "...");
    free(s);
    free(line);
}

/* LINE: N copies of the UTF-8 character CH (caller frees). */
static char *repeat_utf8(const char *ch, size_t n)
{
    size_t w = strlen(ch);
    char *s = malloc(n * w + 1);
    for (size_t i = 0; i < n; i++)
        memcpy(s + i * w, ch, w);
    s[n * w] = '\0';
    return s;
}

static void test_clip_utf8(void **state)
{
    (void)state;
    /* 256 characters are kept whatever their width */
    static const char *const chars[] = {"\xC3\xA9", "\xE2\x82\xAC", "\xF0\x9F\x98\x80"};
    for (size_t k = 0; k < 3; k++) {
        size_t w = strlen(chars[k]);
        char *line = repeat_utf8(chars[k], 300);
        char *s = clip(line, 256 * w);
        assert_string_equal(s, line + 44 * w); /* exactly 256: whole */
        free(s);
        s = clip(line, 300 * w);
        assert_int_equal(strlen(s), 256 * w + 3);
        assert_memory_equal(s, line, 256 * w);
        assert_string_equal(s + 256 * w, "...");
        free(s);
        free(line);
    }
    /* mixed: 255 ASCII, a 2-byte character, then more ASCII */
    char *line = repeat('a', 300);
    memcpy(line + 255, "\xC3\xA9", 2);
    char *s = clip(line, 300);
    assert_int_equal(strlen(s), 257 + 3);
    assert_memory_equal(s + 253, "aa\xC3\xA9...", 7);
    free(s);
    /* a 4-byte character as the 257th is cut off whole */
    memset(line, 'a', 300);
    memcpy(line + 256, "\xF0\x9F\x98\x80", 4);
    s = clip(line, 300);
    assert_int_equal(strlen(s), 256 + 3);
    assert_string_equal(s + 256, "...");
    free(s);
    free(line);
}

static void test_clip_redacts(void **state)
{
    (void)state;
    static const char line[] = "ftp://user:secret@host/ x";
    char *s = clip(line, sizeof line - 1);
    assert_string_equal(s, "ftp://user:***@host/ x");
    free(s);
    /* redacted first, then cut */
    char *big = repeat('z', 400);
    memcpy(big, "http://u:secret@h/ ", 19);
    s = clip(big, 400);
    assert_null(strstr(s, "secret"));
    assert_true(strncmp(s, "http://u:***@h/ zzz", 19) == 0);
    assert_int_equal(strlen(s), 259);
    free(s);
    free(big);
}

/* Refused lines are scrubbed of what looks like a password, NULs and all. */
static void test_clip_scrubs_shapes(void **state)
{
    (void)state;
    static const struct {
        const char *line;
        size_t len; /* 0: strlen */
        const char *want;
    } cases[] = {
        {"//u:p@h/", 0, "//u:***@h/"},
        {"http://u:p/ss@h/", 0, "http://u:***@h/"},                     /* an unencoded '/' */
        {"http://u:p//ss@h/", 0, "http://u:***@h/"},                    /* even "//" */
        {"http://u:pass\0@h/", 17, "http://u:***@h/"},                  /* a NUL after it */
        {"http://u:pa\0ss@h/x", 18, "http://u:***@h/x"},                /* and inside */
        {"http://u:p@ss@h/", 0, "http://u:***@h/"},                     /* the last '@' */
        {"http://u://p@h/", 0, "http://u:***@h/"},                      /* "//" in it */
        {"http:///user:pass@h:99999/", 0, "http:///user:***@h:99999/"}, /* a bad port */
        {"ftp://user:secret@host/ x", 0, "ftp://user:***@host/ x"},
        {"{\"url\":\"http://u:p@h/\",\"bad\":1}", 0, "{\"url\":\"http://u:***@h/\",\"bad\":1}"},
        {"{\"url\":\"http:\\/\\/u:p@h\\/\"}", 0, "{\"url\":\"http:\\/\\/u:***@h\\/\"}"},
        {"{\"url\":\"u:p@h\"}", 0, "{\"url\":\"u:***@h\"}"},
        /* found by fuzz_url: a quoted user name outside a spec is no JSON
         * name, so its ':' starts the password */
        {"http://\"user\":secret@h/\0x", 25, "http://\"user\":***@h/"},
        {"ht\"l\":pw;@h/", 0, "ht\"l\":***@h/"},
        /* nothing like a password */
        {"http://h:8080/a b", 0, "http://h:8080/a b"},
        {"mailto", 0, "mailto"},
        {"no at sign: here", 0, "no at sign: here"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t len = cases[i].len ? cases[i].len : strlen(cases[i].line);
        char *s = clip(cases[i].line, len);
        if (strcmp(s, cases[i].want))
            fail_msg("'%s' clipped to '%s', not '%s'", cases[i].line, s, cases[i].want);
        free(s);
    }
    /* the start of a longer line: a password may run past its end */
    char *s = clip_cut("http://u:secretsecret", 21, true);
    assert_string_equal(s, "http://u:***");
    free(s);
    s = clip_cut("http://h/path", 13, true);
    assert_string_equal(s, "http://h/path");
    free(s);
}

static void test_clip_appends(void **state)
{
    (void)state;
    struct buf b = {0};
    buf_adds(&b, "keep:");
    char *line = repeat('q', 1000);
    url_clip(line, 1000, false, &b);
    assert_int_equal(b.len, 5 + 256 + 3);
    assert_true(strncmp(buf_str(&b), "keep:qqq", 8) == 0);
    free(line);
    buf_free(&b);
}

/* ---- url_host ----------------------------------------------------------- */

#define assert_host(url, want)                                                                     \
    do {                                                                                           \
        char h_[64];                                                                               \
        size_t n_ = url_host(url, h_, sizeof h_);                                                  \
        assert_string_equal(h_, want);                                                             \
        assert_int_equal(n_, strlen(want));                                                        \
    } while (0)

static void test_host(void **state)
{
    (void)state;
    assert_host("https://a.example", "a.example");
    assert_host("HTTPS://A.EXAMPLE:443/x", "a.example"); /* lower-cased, default port */
    assert_host("http://a.example:80/", "a.example");
    assert_host("http://a.example:443/", "a.example:443"); /* not http's default */
    assert_host("https://a.example:80/", "a.example:80");
    assert_host("http://[::1]:80/", "[::1]");
    assert_host("http://u:p@[::1]/p?q#f", "[::1]"); /* never the user info */
    assert_host("http://u@h:8080?q", "h:8080");
    assert_host("https://[::1]:8443", "[::1]:8443");
    assert_host("https://[fe80::1]", "[fe80::1]"); /* an address's colons are not a port */
    assert_host("http://h#frag@x", "h");
    assert_host("a.example/no-scheme", "");
    assert_host("a.example/x?u=https://b/", ""); /* a "://" after the path is not a scheme */
    assert_host(NULL, "");
    /* cut to the buffer */
    char small[5];
    assert_int_equal(url_host("http://abcdefgh/", small, sizeof small), 4);
    assert_string_equal(small, "abcd");
}

/* ---- bugs once, kept fixed ---------------------------------------------- */

/* A bad line without "://" kept its password: userinfo was only looked for
 * after "://", but volley treats such a line as a URL with the default
 * scheme, so "user:secret@host" carries a password. */
static void test_clip_redacts_without_scheme(void **state)
{
    (void)state;
    static const char line[] = "user:secret@exa mple.com/";
    char *s = clip(line, sizeof line - 1);
    assert_string_equal(s, "user:***@exa mple.com/");
    free(s);
}

/* url_clip counted characters as the bytes that are not 10xxxxxx, but a
 * stray continuation byte is shown as one U+FFFD each: a bad line of 300
 * such bytes was not cut, and its record showed 300 characters, not 256. */
static void test_clip_stray_continuation_bytes(void **state)
{
    (void)state;
    char *line = repeat('\x80', 300);
    char *s = clip(line, 300);
    assert_int_equal(strlen(s), 256 + 3);
    free(s);
    free(line);
}

/* A line without a scheme but with "://" later (a redirect target in the
 * query) was rejected as "malformed scheme": the first "://" anywhere was
 * taken as the end of a scheme. Only a "://" before the first '/', '?' or
 * '#' can end one; curl adds the default scheme here. */
static void test_prepare_scheme_in_query(void **state)
{
    struct prep *p = *state;
    assert_ok(p, "example.com/login?next=https://example.com/home", "https",
              "https://example.com/login?next=https://example.com/home");
    assert_ok(p, "example.com/r#http://x", "http", "http://example.com/r#http://x");
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown(test_prepare_default_scheme, prep_setup, prep_teardown),
    cmocka_unit_test_setup_teardown(test_prepare_http_https, prep_setup, prep_teardown),
    cmocka_unit_test_setup_teardown(test_prepare_other_schemes, prep_setup, prep_teardown),
    cmocka_unit_test_setup_teardown(test_prepare_malformed, prep_setup, prep_teardown),
    cmocka_unit_test_setup_teardown(test_prepare_nul_byte, prep_setup, prep_teardown),
    cmocka_unit_test_setup_teardown(test_prepare_length_limit, prep_setup, prep_teardown),
    cmocka_unit_test_setup_teardown(test_prepare_uses_len, prep_setup, prep_teardown),
    cmocka_unit_test_setup_teardown(test_prepare_reusable, prep_setup, prep_teardown),
    cmocka_unit_test_setup_teardown(test_redact_prepared, prep_setup, prep_teardown),
    cmocka_unit_test_setup_teardown(test_name_part, prep_setup, prep_teardown),
    cmocka_unit_test(test_clip_scrubs_shapes),
    cmocka_unit_test(test_redact),
    cmocka_unit_test(test_redact_appends),
    cmocka_unit_test(test_clip_short),
    cmocka_unit_test(test_clip_boundary),
    cmocka_unit_test(test_clip_utf8),
    cmocka_unit_test(test_clip_redacts),
    cmocka_unit_test(test_clip_appends),
    cmocka_unit_test(test_host),
    cmocka_unit_test_setup_teardown(test_prepare_scheme_in_query, prep_setup, prep_teardown),
    cmocka_unit_test(test_clip_redacts_without_scheme),
    cmocka_unit_test(test_clip_stray_continuation_bytes),
};

UNIT_MAIN("url", tests)
