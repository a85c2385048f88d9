/* test_task: the pure part of task, task_classify, against the contract's
 * table of error kinds (libcurl result, HTTP status, --max-filesize). */
#include "unit.h"

#include "task.h"

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

/* The contract's tls list (51 is checked by test_tls_51). */
static void test_tls(void **state)
{
    (void)state;
    CHECK_KIND(KIND_TLS, true, 35, 53, 54, 58, 59, 60, 64, 66, 77, 80, 82, 83, 90, 91);
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

/* ---- known bugs (run with --bugs) --------------------------------------- */

/* The contract lists 51 among the tls codes; task_classify has no case for
 * it (CURLE_OBSOLETE51 in libcurl 7.88), so it comes out as other. */
static void test_tls_51(void **state)
{
    (void)state;
    CHECK_KIND(KIND_TLS, true, 51);
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
    cmocka_unit_test(test_tls_51),
};

UNIT_MAIN("task", tests)
