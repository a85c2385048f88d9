/* test_clock: days from civil dates, RFC 3339 timestamps both ways. */
#include "unit.h"

#include "clock.h"

static void test_days(void **state)
{
    (void)state;
    assert_int_equal(clock_days_from_civil(1970, 1, 1), 0);
    assert_int_equal(clock_days_from_civil(2000, 3, 1), 11017);
    assert_int_equal(clock_days_from_civil(1969, 12, 31), -1);
    assert_int_equal(clock_days_from_civil(2026, 12, 1), 20788);
}

static void test_rfc3339(void **state)
{
    (void)state;
    struct buf b = {0};
    clock_rfc3339(&b, 0);
    assert_string_equal(b.p, "1970-01-01T00:00:00.000Z");
    buf_clear(&b);
    int64_t t = (clock_days_from_civil(2026, 12, 1) * 86400 + 21 * 3600 + 30 * 60) * 1000 + 123;
    clock_rfc3339(&b, t);
    assert_string_equal(b.p, "2026-12-01T21:30:00.123Z");
    int64_t back = 0;
    assert_true(clock_parse_rfc3339(b.p, b.len, &back));
    assert_true(back == t);
    buf_clear(&b);
    clock_rfc3339(&b, clock_days_from_civil(2024, 2, 29) * 86400000LL + 86399999);
    assert_string_equal(b.p, "2024-02-29T23:59:59.999Z");
    buf_clear(&b);
    clock_rfc3339(&b, -1);
    assert_string_equal(b.p, "1969-12-31T23:59:59.999Z");
    buf_free(&b);

    int64_t v;
    assert_true(clock_parse_rfc3339("2026-12-01T22:30:00+01:00", 25, &v));
    assert_true(v == t - 123);
    assert_true(clock_parse_rfc3339("2026-12-01t21:30:00.1234z", 25, &v));
    assert_true(v == t - 123 + 123);
    assert_true(clock_parse_rfc3339("2024-02-29T00:00:00Z", 20, &v));
    assert_true(clock_parse_rfc3339("2000-02-29T00:00:00Z", 20, &v));
    assert_true(clock_parse_rfc3339("0000-01-01T00:00:00Z", 20, &v));
    assert_true(clock_parse_rfc3339("9999-12-31T23:59:59.999Z", 24, &v));
    static const char *bad[] = {
        "", "2026-12-01", "2026-13-01T00:00:00Z", "2026-12-01T24:00:00Z", "2026-12-01T21:30:00",
        "2026-12-01T21:30:00.Z", "2026-12-01T21:30:00Zx", "26-12-01T21:30:00Z",
        /* found by fuzz_rfc3339: days past the month's end, and
         * instants before year 0000 in UTC */
        "2026-02-31T00:00:00Z", "2026-04-31T00:00:00Z", "2023-02-29T00:00:00Z",
        "2100-02-29T00:00:00Z", "0000-01-01T00:00:00+00:01"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_false(clock_parse_rfc3339(bad[i], strlen(bad[i]), &v));
}

static void test_wall(void **state)
{
    (void)state;
    int64_t a = clock_wall_ms();
    assert_true(a > clock_days_from_civil(2025, 1, 1) * 86400000LL);
    assert_true(clock_wall_ms() >= a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_days),
        cmocka_unit_test(test_rfc3339),
        cmocka_unit_test(test_wall),
    };
    return cmocka_run_group_tests_name("clock", tests, NULL, unit_cleanup);
}
