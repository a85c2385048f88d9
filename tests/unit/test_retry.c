/* test_retry: the pure retry policy: which failures are transient, the
 * backoff with full jitter and its cap, Retry-After in both forms. */
#include "unit.h"

#include "retry.h"

#include <curl/curl.h>

static const struct retry_policy policy = {.retries = 3, .delay_ms = 1000, .max_delay_ms = 30000};

static struct retry_attempt attempt(enum record_kind kind, long curl_code, long http_code)
{
    return (struct retry_attempt){.kind = kind,
                                  .curl_code = curl_code,
                                  .http_code = http_code,
                                  .idempotent = true,
                                  .attempts = 1,
                                  .retry_after_ms = -1};
}

static void test_transient(void **state)
{
    (void)state;
    struct retry_attempt a;
    a = attempt(KIND_CONNECT, CURLE_COULDNT_CONNECT, 0);
    assert_true(retry_transient(&a));
    a = attempt(KIND_DNS, CURLE_COULDNT_RESOLVE_HOST, 0);
    assert_true(retry_transient(&a));
    a = attempt(KIND_TIMEOUT, CURLE_OPERATION_TIMEDOUT, 0);
    assert_true(retry_transient(&a));
    a = attempt(KIND_PROTOCOL, CURLE_GOT_NOTHING, 0);
    assert_true(retry_transient(&a));
    a = attempt(KIND_PROTOCOL, CURLE_RECV_ERROR, 200);
    assert_true(retry_transient(&a));
    a = attempt(KIND_PROTOCOL, CURLE_TOO_MANY_REDIRECTS, 302);
    assert_false(retry_transient(&a));
    a = attempt(KIND_PROTOCOL, CURLE_PARTIAL_FILE, 200);
    assert_false(retry_transient(&a));
    static const long yes[] = {408, 429, 500, 502, 503, 504};
    for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++) {
        a = attempt(KIND_HTTP, 0, yes[i]);
        assert_true(retry_transient(&a));
    }
    static const long no[] = {400, 401, 403, 404, 410, 501, 505};
    for (size_t i = 0; i < sizeof no / sizeof no[0]; i++) {
        a = attempt(KIND_HTTP, 0, no[i]);
        assert_false(retry_transient(&a));
    }
    a = attempt(KIND_TLS, CURLE_PEER_FAILED_VERIFICATION, 0);
    assert_false(retry_transient(&a));
    /* a transient status refused by --expect-status (kind check) stays transient */
    a = attempt(KIND_CHECK, 0, 503);
    assert_true(retry_transient(&a));
    a = attempt(KIND_CHECK, 0, 200);
    assert_false(retry_transient(&a));
    a = attempt(KIND_TOO_LARGE, CURLE_FILESIZE_EXCEEDED, 200);
    assert_false(retry_transient(&a));
}

static void test_no_retry(void **state)
{
    (void)state;
    struct retry_attempt a = attempt(KIND_NONE, 0, 200);
    assert_int_equal(retry_decide(&policy, &a, 0), -1);
    a = attempt(KIND_INPUT, 0, 0);
    assert_int_equal(retry_decide(&policy, &a, 0), -1);
    a = attempt(KIND_CANCELLED, 0, 0);
    assert_int_equal(retry_decide(&policy, &a, 0), -1);
    a = attempt(KIND_HTTP, 0, 404);
    assert_int_equal(retry_decide(&policy, &a, 0), -1);
    /* out of attempts: 1 + 3 made */
    a = attempt(KIND_CONNECT, CURLE_COULDNT_CONNECT, 0);
    a.attempts = 4;
    assert_int_equal(retry_decide(&policy, &a, 0), -1);
    a.attempts = 3;
    assert_true(retry_decide(&policy, &a, 0) >= 0);
    /* not idempotent */
    a = attempt(KIND_HTTP, 0, 503);
    a.idempotent = false;
    assert_int_equal(retry_decide(&policy, &a, 0), -1);
    /* --retry 0 */
    struct retry_policy none = policy;
    none.retries = 0;
    a = attempt(KIND_CONNECT, CURLE_COULDNT_CONNECT, 0);
    assert_int_equal(retry_decide(&none, &a, 0), -1);
}

static void test_all_errors(void **state)
{
    (void)state;
    struct retry_policy all = policy;
    all.all_errors = true;
    struct retry_attempt a = attempt(KIND_HTTP, 0, 404);
    a.idempotent = false;
    assert_true(retry_decide(&all, &a, 7) >= 0);
    a = attempt(KIND_CHECK, 0, 200);
    assert_true(retry_decide(&all, &a, 7) >= 0);
    a = attempt(KIND_TLS, CURLE_PEER_FAILED_VERIFICATION, 0);
    assert_true(retry_decide(&all, &a, 7) >= 0);
    a = attempt(KIND_INPUT, 0, 0);
    assert_int_equal(retry_decide(&all, &a, 7), -1);
    a = attempt(KIND_CANCELLED, 42, 0);
    assert_int_equal(retry_decide(&all, &a, 7), -1);
    /* a local failure (out of file descriptors, --deny-private) never */
    a = attempt(KIND_OTHER, CURLE_COULDNT_CONNECT, 0);
    assert_true(retry_decide(&all, &a, 7) >= 0);
    a.local = true;
    assert_int_equal(retry_decide(&all, &a, 7), -1);
    assert_int_equal(retry_decide(&policy, &a, 7), -1);
}

/* --links' own --retry: a 429 or a 503 only, at the time they ask for. */
static void test_busy_only(void **state)
{
    (void)state;
    struct retry_policy busy = policy;
    busy.busy_only = true;
    struct retry_attempt a = attempt(KIND_HTTP, 0, 429);
    a.retry_after_ms = 1000;
    assert_int_equal(retry_decide(&busy, &a, 7), 1000);
    a = attempt(KIND_HTTP, 0, 503);
    assert_true(retry_decide(&busy, &a, 7) >= 0);
    static const long no[] = {408, 500, 502, 504};
    for (size_t i = 0; i < sizeof no / sizeof no[0]; i++) {
        a = attempt(KIND_HTTP, 0, no[i]);
        assert_int_equal(retry_decide(&busy, &a, 7), -1);
        assert_true(retry_decide(&policy, &a, 7) >= 0);
    }
    a = attempt(KIND_CONNECT, CURLE_COULDNT_CONNECT, 0);
    assert_int_equal(retry_decide(&busy, &a, 7), -1);
    a = attempt(KIND_TIMEOUT, CURLE_OPERATION_TIMEDOUT, 0);
    assert_int_equal(retry_decide(&busy, &a, 7), -1);
    /* --retry-all-errors given: every failure again */
    busy.all_errors = true;
    a = attempt(KIND_HTTP, 0, 404);
    assert_true(retry_decide(&busy, &a, 7) >= 0);
}

static void test_backoff_full_jitter(void **state)
{
    (void)state;
    struct retry_attempt a = attempt(KIND_TIMEOUT, CURLE_OPERATION_TIMEDOUT, 0);
    /* attempt n waits uniformly in [0, delay * 2^(n-1)], capped */
    a.attempts = 1;
    assert_int_equal(retry_decide(&policy, &a, 0), 0);
    assert_int_equal(retry_decide(&policy, &a, 1000), 1000);
    assert_int_equal(retry_decide(&policy, &a, 1001), 0);
    assert_int_equal(retry_decide(&policy, &a, UINT32_MAX), (long)(UINT32_MAX % 1001));
    a.attempts = 2;
    assert_int_equal(retry_decide(&policy, &a, 2000), 2000);
    a.attempts = 3;
    assert_int_equal(retry_decide(&policy, &a, 4000), 4000);
    assert_int_equal(retry_decide(&policy, &a, 4001), 0);
    struct retry_policy many = policy;
    many.retries = 100;
    a.attempts = 60; /* no overflow, capped at 30 s */
    assert_int_equal(retry_decide(&many, &a, 30000), 30000);
    assert_int_equal(retry_decide(&many, &a, 30001), 0);
    long max = 0;
    for (uint32_t r = 0; r < 100000; r += 7) {
        long d = retry_decide(&many, &a, r * 2654435761u);
        assert_true(d >= 0 && d <= 30000);
        if (d > max)
            max = d;
    }
    assert_true(max > 25000); /* the whole range is used */
}

static void test_retry_after(void **state)
{
    (void)state;
    struct retry_attempt a = attempt(KIND_HTTP, 0, 429);
    a.retry_after_ms = 5000;
    assert_int_equal(retry_decide(&policy, &a, 123), 5000);
    a.retry_after_ms = 0;
    assert_int_equal(retry_decide(&policy, &a, 123), 0);
    a.retry_after_ms = 120000; /* capped by --retry-max-delay */
    assert_int_equal(retry_decide(&policy, &a, 123), 30000);
}

static void test_parse_after(void **state)
{
    (void)state;
    time_t now = 784111777; /* Sun, 06 Nov 1994 08:49:37 GMT */
    assert_int_equal(retry_parse_after("120", now), 120000);
    assert_int_equal(retry_parse_after(" 0 ", now), 0);
    assert_int_equal(retry_parse_after("Sun, 06 Nov 1994 08:49:37 GMT", now), 0);
    assert_int_equal(retry_parse_after("Sun, 06 Nov 1994 08:50:37 GMT", now), 60000);
    assert_int_equal(retry_parse_after("Mon, 07 Nov 1994 08:49:37 GMT", now), 86400000);
    assert_int_equal(retry_parse_after("Sat, 05 Nov 1994 08:49:37 GMT", now), 0); /* past */
    assert_int_equal(retry_parse_after("Thu, 01 Jan 2037 00:00:00 GMT", 2114380800 - 10), 10000);
    assert_int_equal(retry_parse_after("", now), -1);
    assert_int_equal(retry_parse_after("soon", now), -1);
    assert_int_equal(retry_parse_after("12abc", now), -1);
    /* found by fuzz_retry_after: sscanf takes signs, so a negative field was a date */
    assert_int_equal(retry_parse_after("Sun, 06 Nov 1994 -1:50:37 GMT", now), -1);
    assert_int_equal(retry_parse_after("Sun, 06 Nov 1994 08:-1:37 GMT", now), -1);
    assert_int_equal(retry_parse_after("Sun, 06 Nov -1994 08:49:37 GMT", now), -1);
    assert_int_equal(retry_parse_after("Sun, 06 Nov 1994 -2147483648:00:00 GMT", now), -1);
    assert_int_equal(retry_parse_after("-5", now), -1);
    assert_int_equal(retry_parse_after("Sun, 06 Foo 1994 08:49:37 GMT", now), -1);
    assert_int_equal(retry_parse_after("Sun, 06 Nov 1994 08:49:37 PST", now), -1);
    /* absurd values are capped at a year, not overflowed */
    assert_int_equal(retry_parse_after("99999999999999999999", now), 31536000000L);
}

static void test_idempotent(void **state)
{
    (void)state;
    assert_true(retry_idempotent("GET"));
    assert_true(retry_idempotent("head"));
    assert_true(retry_idempotent("PUT"));
    assert_true(retry_idempotent("DELETE"));
    assert_true(retry_idempotent("OPTIONS"));
    assert_false(retry_idempotent("POST"));
    assert_false(retry_idempotent("PATCH"));
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_transient),           cmocka_unit_test(test_no_retry),
    cmocka_unit_test(test_all_errors),          cmocka_unit_test(test_busy_only),
    cmocka_unit_test(test_backoff_full_jitter), cmocka_unit_test(test_retry_after),
    cmocka_unit_test(test_parse_after),         cmocka_unit_test(test_idempotent),
};

UNIT_MAIN("retry", tests)
