/* test_place: an origin always lands on the same loop, by FNV-1a-64 of its
 * key mod N (the contract's test vectors), origins spread over the loops;
 * without per-origin limits tasks go to the less loaded of two loops and
 * the loads stay level, whatever the origin. */
#include "unit.h"

#include "hash.h"
#include "place.h"

static long loads[8];

static long load_of(void *arg, int i)
{
    (void)arg;
    return loads[i];
}

static void test_hash(void **state)
{
    (void)state;
    /* the contract's FNV-1a-64 vectors */
    assert_true(hash_fnv1a64("a", 1) == 12638187200555641996ULL);
    assert_true(hash_fnv1a64("example.com", 11) == 6298361471204529350ULL);
    assert_int_equal(place_origin("example.com", 4), (int)(6298361471204529350ULL % 4));
}

static void test_by_origin(void **state)
{
    (void)state;
    struct place p;
    place_init(&p, 4, true, 1, load_of, NULL);
    int first = place_pick(&p, "http://a.example/x");
    assert_int_equal(place_origin("http://a.example", 4), first); /* origin_key()'s form */
    memset(loads, 0, sizeof loads);
    loads[first] = 1000; /* load does not move an origin */
    for (int i = 0; i < 50; i++) {
        assert_int_equal(place_pick(&p, "http://a.example/y?i"), first);
        assert_int_equal(place_pick(&p, "HTTP://A.example:80/z"), first);
    }
    /* other origins: over the loops, roughly evenly */
    int per[4] = {0};
    char url[64];
    for (int i = 0; i < 400; i++) {
        snprintf(url, sizeof url, "https://h%d.example/", i);
        per[place_pick(&p, url)]++;
    }
    for (int i = 0; i < 4; i++)
        assert_true(per[i] > 60 && per[i] < 140);
    place_free(&p);
}

static void test_by_load(void **state)
{
    (void)state;
    for (int n = 1; n <= 8; n++) {
        struct place p;
        place_init(&p, n, false, 42 + (uint64_t)n, load_of, NULL);
        memset(loads, 0, sizeof loads);
        uint32_t x = 12345;
        for (int i = 0; i < 1000; i++) {
            int k = place_pick(&p, "http://one.example/");
            assert_true(k >= 0 && k < n);
            loads[k]++;
            x = x * 1103515245u + 12345u; /* a loop at random finishes a task */
            int f = (int)((x >> 16) % (uint32_t)n);
            if (i % 2 == 0)
                loads[f] -= loads[f] > 0;
        }
        long lo = loads[0], hi = loads[0];
        for (int i = 1; i < n; i++) {
            lo = loads[i] < lo ? loads[i] : lo;
            hi = loads[i] > hi ? loads[i] : hi;
        }
        if (hi - lo > 3)
            fail_msg("%d loops: loads from %ld to %ld", n, lo, hi);
        place_free(&p);
    }
    /* a loop far behind gets the next tasks */
    struct place p;
    place_init(&p, 2, false, 7, load_of, NULL);
    loads[0] = 100;
    loads[1] = 0;
    for (int i = 0; i < 10; i++)
        assert_int_equal(place_pick(&p, "http://one.example/"), 1);
    place_free(&p);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_hash),
    cmocka_unit_test(test_by_origin),
    cmocka_unit_test(test_by_load),
};

UNIT_MAIN("place", tests)
