/* test_buf: the growable byte buffer: appending bytes, characters, strings
 * and formats with growth and the NUL kept after the content; integers at
 * their limits; fixed-point seconds with rounding at every precision. */
#include "unit.h"

#include "buf.h"

#include <limits.h>
#include <stdbool.h>

static void test_empty(void **state)
{
    (void)state;
    struct buf b = {0};
    assert_string_equal(buf_str(&b), ""); /* an empty buffer is a string too */
    assert_int_equal(b.len, 0);
    buf_clear(&b);
    assert_string_equal(buf_str(&b), "");
    buf_free(&b);
    assert_null(b.p);
    assert_int_equal(b.cap, 0);
    buf_clear(&b); /* on a freed buffer: nothing */
    buf_free(&b);
}

static void test_append_and_grow(void **state)
{
    (void)state;
    struct buf b = {0};
    buf_add(&b, "ab\0cd", 5); /* bytes, a NUL among them */
    assert_int_equal(b.len, 5);
    assert_memory_equal(b.p, "ab\0cd", 6);
    buf_addc(&b, 'e');
    buf_adds(&b, "fg");
    assert_int_equal(b.len, 8);
    assert_memory_equal(b.p, "ab\0cdefg", 9);
    buf_clear(&b);
    assert_int_equal(b.len, 0);
    assert_string_equal(b.p, "");
    /* grows by doubling, the content kept, always NUL-terminated */
    size_t caps = 0, last = 0;
    for (int i = 0; i < 10000; i++) {
        buf_addc(&b, (char)('a' + i % 26));
        assert_true(b.len < b.cap);
        assert_int_equal(b.p[b.len], '\0');
        if (b.cap != last) {
            caps++;
            last = b.cap;
        }
    }
    assert_true(caps < 16);
    for (int i = 0; i < 10000; i++)
        assert_int_equal(b.p[i], 'a' + i % 26);
    buf_free(&b);
}

static void test_reserve(void **state)
{
    (void)state;
    struct buf b = {0};
    buf_reserve(&b, 1000);
    assert_true(b.cap >= 1001);
    char *p = b.p;
    for (int i = 0; i < 1000; i++)
        buf_addc(&b, 'x');
    assert_ptr_equal(b.p, p); /* no reallocation within what was reserved */
    buf_reserve(&b, 0);
    assert_ptr_equal(b.p, p);
    buf_free(&b);
}

static void test_addf(void **state)
{
    (void)state;
    struct buf b = {0};
    buf_adds(&b, "<");
    buf_addf(&b, "%d-%s-%.2f", 42, "x", 1.005);
    buf_addf(&b, "%s", ""); /* nothing to add */
    buf_addc(&b, '>');
    assert_string_equal(buf_str(&b), "<42-x-1.00>");
    /* longer than anything the buffer had room for */
    char *big = malloc(5000);
    memset(big, 'z', 4999);
    big[4999] = '\0';
    buf_clear(&b);
    buf_addf(&b, "[%s]", big);
    assert_int_equal(b.len, 5001);
    assert_int_equal(b.p[0], '[');
    assert_int_equal(b.p[5000], ']');
    assert_int_equal(b.p[5001], '\0');
    free(big);
    buf_free(&b);
}

static void assert_int_text(int64_t v, const char *want, bool as_unsigned)
{
    struct buf b = {0};
    if (as_unsigned)
        buf_add_u64(&b, (uint64_t)v);
    else
        buf_add_i64(&b, v);
    assert_string_equal(buf_str(&b), want);
    buf_free(&b);
}

static void test_integers(void **state)
{
    (void)state;
    assert_int_text(0, "0", true);
    assert_int_text(7, "7", true);
    assert_int_text(1000000, "1000000", true);
    struct buf b = {0};
    buf_add_u64(&b, UINT64_MAX);
    assert_string_equal(buf_str(&b), "18446744073709551615");
    buf_free(&b);
    assert_int_text(0, "0", false);
    assert_int_text(-1, "-1", false);
    assert_int_text(-1234567, "-1234567", false);
    assert_int_text(INT64_MAX, "9223372036854775807", false);
    assert_int_text(INT64_MIN, "-9223372036854775808", false);
}

static void assert_secs(int64_t usec, int digits, const char *want)
{
    struct buf b = {0};
    buf_add_secs(&b, usec, digits);
    if (strcmp(buf_str(&b), want) != 0)
        fail_msg("buf_add_secs(%lld, %d) = '%s', want '%s'", (long long)usec, digits, b.p, want);
    buf_free(&b);
}

static void test_secs(void **state)
{
    (void)state;
    assert_secs(0, 6, "0.000000");
    assert_secs(1, 6, "0.000001");
    assert_secs(1234567, 6, "1.234567");
    assert_secs(1234567, 3, "1.235"); /* rounded half up */
    assert_secs(1234499, 3, "1.234");
    assert_secs(1234500, 3, "1.235");
    assert_secs(999999, 3, "1.000"); /* rounding carries into the seconds */
    assert_secs(999500, 3, "1.000");
    assert_secs(999499, 3, "0.999");
    assert_secs(2500000, 2, "2.50");
    assert_secs(1004999, 2, "1.00");
    assert_secs(1005000, 2, "1.01");
    assert_secs(95000, 1, "0.1");
    assert_secs(12345, 0, "0.0");        /* digits below 1 act as 1 */
    assert_secs(1234567, 9, "1.234567"); /* above 6 as 6 */
    assert_secs(-1500, 3, "-0.002");
    assert_secs(-2000000, 2, "-2.00");
    assert_secs(INT64_MAX, 6, "9223372036854.775807");
    assert_secs(INT64_MIN, 6, "-9223372036854.775808");
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_empty),    cmocka_unit_test(test_append_and_grow),
    cmocka_unit_test(test_reserve),  cmocka_unit_test(test_addf),
    cmocka_unit_test(test_integers), cmocka_unit_test(test_secs),
};

UNIT_MAIN("buf", tests)
