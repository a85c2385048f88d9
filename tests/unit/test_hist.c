/* test_hist: the log-linear histogram alone: exact below 2^(BITS+1), every
 * percentile within the stated error on known distributions for both
 * precisions, min/max/mean exact, values beyond the range, reuse. */
#include "unit.h"

#include "hist.h"

#include <math.h>

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* A deterministic generator (xorshift64*). */
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

/* Add V[0..N) to a histogram of BITS and compare its percentiles with the
 * exact nearest-rank ones: within 1/2^(BITS+1) of the true value. */
static void check_percentiles(unsigned bits, int64_t *v, size_t n)
{
    struct hist h;
    hist_init(&h, bits);
    for (size_t i = 0; i < n; i++)
        hist_add(&h, v[i]);
    qsort(v, n, sizeof *v, cmp_i64);
    double bound = 1.0 / (double)(2u << bits);
    static const unsigned pm[] = {1, 100, 250, 500, 750, 900, 990, 999};
    for (size_t i = 0; i < sizeof pm / sizeof pm[0]; i++) {
        size_t rank = (n * pm[i] + 999) / 1000;
        int64_t want = v[rank ? rank - 1 : 0];
        int64_t got = hist_quantile(&h, pm[i]);
        double err = want ? (double)llabs(got - want) / (double)want : (double)got;
        if (err > bound)
            fail_msg("bits %u p%.1f: got %lld, want %lld (error %.4f > %.4f)", bits, pm[i] / 10.0,
                     (long long)got, (long long)want, err, bound);
    }
    assert_int_equal(hist_quantile(&h, 1000), v[n - 1]);
    assert_int_equal(h.min, v[0]);
    assert_int_equal(h.max, v[n - 1]);
    assert_int_equal(h.n, n);
    hist_free(&h);
}

static void test_empty(void **state)
{
    (void)state;
    struct hist h;
    hist_init(&h, HIST_FINE_BITS);
    assert_int_equal(hist_quantile(&h, 500), -1);
    assert_int_equal(hist_quantile(&h, 1000), -1);
    assert_int_equal(hist_mean(&h), -1);
    assert_null(h.counts); /* nothing allocated before the first value */
    hist_free(&h);
}

static void test_small_exact(void **state)
{
    (void)state;
    /* below 2^(BITS+1) every value has a bucket of its own */
    static const unsigned bits[] = {HIST_FINE_BITS, HIST_COARSE_BITS};
    for (size_t b = 0; b < 2; b++) {
        int64_t top = (int64_t)2 << bits[b];
        struct hist h;
        hist_init(&h, bits[b]);
        for (int64_t v = top - 1; v >= 0; v--)
            hist_add(&h, v);
        for (unsigned pm = 1; pm < 1000; pm += 7) {
            uint64_t rank = ((uint64_t)top * pm + 999) / 1000;
            assert_int_equal(hist_quantile(&h, pm), (int64_t)rank - 1);
        }
        assert_int_equal(hist_quantile(&h, 1000), top - 1);
        hist_free(&h);
    }
}

static void test_distributions(void **state)
{
    (void)state;
    size_t n = 50000;
    int64_t *v = malloc(n * sizeof *v);
    uint64_t seed = 42;
    static const unsigned bits[] = {HIST_FINE_BITS, HIST_COARSE_BITS};
    for (size_t b = 0; b < 2; b++) {
        for (size_t i = 0; i < n; i++) /* uniform, 5 µs .. 0.5 s */
            v[i] = (int64_t)((i * 7919) % n) * 10 + 5;
        check_percentiles(bits[b], v, n);
        for (size_t i = 0; i < n; i++) /* log-uniform, 10 µs .. 100 s */
            v[i] = (int64_t)exp(log(10.0) + unit_rand(&seed) * (log(1e8) - log(10.0)));
        check_percentiles(bits[b], v, n);
        for (size_t i = 0; i < n; i++) /* exponential, mean 20 ms */
            v[i] = (int64_t)(-20000.0 * log(1.0 - unit_rand(&seed)));
        check_percentiles(bits[b], v, n);
        for (size_t i = 0; i < n; i++) /* bimodal: 1 ms and 2 s */
            v[i] = i % 10 ? 1000 + (int64_t)(rng(&seed) % 50) : 2000000 + (int64_t)(rng(&seed) % 9);
        check_percentiles(bits[b], v, n);
    }
    free(v);
}

static void test_beyond_range_and_negative(void **state)
{
    (void)state;
    struct hist h;
    hist_init(&h, HIST_FINE_BITS);
    hist_add(&h, -5); /* counts as 0 */
    hist_add(&h, INT64_MAX);
    hist_add(&h, (int64_t)1 << 40);
    assert_int_equal(h.min, 0);
    assert_int_equal(h.max, INT64_MAX);
    assert_int_equal(hist_quantile(&h, 1), 0);
    /* beyond 2^HIST_TOP the values share the last bucket: its middle,
     * never beyond max */
    int64_t p50 = hist_quantile(&h, 500);
    assert_true(p50 >= ((int64_t)1 << HIST_TOP) * 63 / 64 && p50 < (int64_t)1 << HIST_TOP);
    assert_int_equal(hist_quantile(&h, 1000), INT64_MAX);
    hist_free(&h);
}

static void test_mean_and_reuse(void **state)
{
    (void)state;
    struct hist h;
    hist_init(&h, HIST_COARSE_BITS);
    hist_add(&h, 1);
    hist_add(&h, 2);
    assert_int_equal(hist_mean(&h), 2); /* 1.5 rounds up */
    hist_add(&h, 1000000);
    assert_int_equal(hist_mean(&h), 333334);
    hist_free(&h);
    assert_int_equal(h.n, 0);
    assert_int_equal(h.bits, HIST_COARSE_BITS);
    assert_int_equal(hist_quantile(&h, 500), -1);
    hist_add(&h, 7);
    assert_int_equal(hist_quantile(&h, 500), 7);
    hist_free(&h);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_empty),          cmocka_unit_test(test_small_exact),
    cmocka_unit_test(test_distributions),  cmocka_unit_test(test_beyond_range_and_negative),
    cmocka_unit_test(test_mean_and_reuse),
};

UNIT_MAIN("hist", tests)
