/* test_redact: the run's secrets collected from the config, header lines
 * with secret names, libcurl's notes, secret strings anywhere, the short
 * ones left alone, longest first. */
#include "unit.h"

#include "cli.h"
#include "redact.h"

static char *redacted(const struct redact *r, const char *line)
{
    struct buf b = {0};
    redact_line(r, line, strlen(line), &b);
    char *s = strdup(buf_str(&b));
    buf_free(&b);
    return s;
}

#define ASSERT_REDACTED(r, line, want)                                                             \
    do {                                                                                           \
        char *got_ = redacted(r, line);                                                            \
        assert_string_equal(got_, want);                                                           \
        free(got_);                                                                                \
    } while (0)

static void test_header_names(void **state)
{
    (void)state;
    ASSERT_REDACTED(NULL, "Authorization: Basic YWxpY2U6eA==", "Authorization: ***");
    ASSERT_REDACTED(NULL, "proxy-authorization:Basic x", "proxy-authorization: ***");
    ASSERT_REDACTED(NULL, "Cookie: a=1; b=2", "Cookie: ***");
    ASSERT_REDACTED(NULL, "set-cookie: sid=1; Path=/", "set-cookie: ***");
    ASSERT_REDACTED(NULL, "X-Visible: shown", "X-Visible: shown");
    ASSERT_REDACTED(NULL, "Cookie2: x", "Cookie2: x");
    /* a line that is no header (blanks before the colon) keeps its text */
    ASSERT_REDACTED(NULL, "Connected to h (127.0.0.1) port 80: Cookie",
                    "Connected to h (127.0.0.1) port 80: Cookie");
    ASSERT_REDACTED(NULL, "", "");
}

static void test_notes(void **state)
{
    (void)state;
    ASSERT_REDACTED(NULL, "Added cookie sid=\"s3cr3t\" for domain a, path /, expire 0",
                    "Added cookie sid=\"***\" for domain a, path /, expire 0");
    ASSERT_REDACTED(NULL, "Replaced cookie sid=\"x y\" for domain a, path /, expire 0",
                    "Replaced cookie sid=\"***\" for domain a, path /, expire 0");
    ASSERT_REDACTED(NULL, "Server auth using Basic with user 'alice'",
                    "Server auth using Basic with user '***'");
    ASSERT_REDACTED(NULL, "Proxy auth using Digest with user 'bob'",
                    "Proxy auth using Digest with user '***'");
    ASSERT_REDACTED(NULL, "a cookie jar", "a cookie jar");
}

static struct config config_of(void)
{
    struct config c;
    memset(&c, 0, sizeof c);
    return c;
}

static void test_secrets(void **state)
{
    (void)state;
    struct config c = config_of();
    char hf0[] = "api.example=X-Key: k3yvalue", hf1[] = "*.b.example=X-Other: ab";
    char h0[] = "Authorization: Bearer hdr-token", h1[] = "X-Plain: plainvalue";
    char pass[] = "certpass";
    char *hf[] = {hf0, hf1};
    char *h[] = {h0, h1};
    c.user = "alice:passw0rd";
    c.proxy_user = "bob:pr0xypw";
    c.oauth2_bearer = "bearer-t0ken";
    c.cert_password = pass;
    c.header_for = hf;
    c.nheader_for = 2;
    c.headers = h;
    c.nheaders = 2;
    struct redact *r = redact_new(&c);
    ASSERT_REDACTED(r, "the user alice:passw0rd here", "the user *** here");
    ASSERT_REDACTED(r, "passw0rd and pr0xypw", "*** and ***");
    ASSERT_REDACTED(r, "token YWxpY2U6cGFzc3cwcmQ= in text", "token *** in text");
    ASSERT_REDACTED(r, "bearer-t0ken certpass k3yvalue hdr-token", "*** *** *** ***");
    /* the --header-for headers' names are secret names */
    ASSERT_REDACTED(r, "X-Key: anything", "X-Key: ***");
    ASSERT_REDACTED(r, "x-other: z", "x-other: ***");
    /* -H headers of other names are not secrets; short secrets ("ab") are
     * masked only in their header */
    ASSERT_REDACTED(r, "X-Plain: plainvalue", "X-Plain: plainvalue");
    ASSERT_REDACTED(r, "about ab", "about ab");
    /* the whole value first, not its password part alone */
    ASSERT_REDACTED(r, "=alice:passw0rd=", "=***=");
    redact_free(r);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_header_names),
    cmocka_unit_test(test_notes),
    cmocka_unit_test(test_secrets),
};

UNIT_MAIN("redact", tests)
