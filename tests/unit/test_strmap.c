/* test_strmap: the string → value map: lookups, updates, growth, keys
 * with NUL bytes, stable key copies, clearing. */
#include "unit.h"

#include "strmap.h"

static void test_put_get(void **state)
{
    (void)state;
    struct strmap *m = strmap_new();
    size_t v = 99;
    bool added = false;
    assert_false(strmap_get(m, "a", 1, &v));
    assert_int_equal(v, 99); /* untouched when absent */
    const char *k = strmap_put(m, "abc", 3, 7, &added);
    assert_true(added);
    assert_string_equal(k, "abc");
    assert_true(strmap_get(m, "abc", 3, &v));
    assert_int_equal(v, 7);
    assert_false(strmap_get(m, "ab", 2, NULL)); /* the length counts */
    assert_false(strmap_get(m, "abcd", 4, NULL));
    assert_ptr_equal(strmap_put(m, "abc", 3, 8, &added), k); /* update: same copy */
    assert_false(added);
    assert_true(strmap_get(m, "abc", 3, &v));
    assert_int_equal(v, 8);
    assert_int_equal(strmap_count(m), 1);
    assert_true(strmap_get(m, "abcdef", 3, NULL)); /* only LEN bytes are the key */
    strmap_free(m);
}

static void test_nul_bytes(void **state)
{
    (void)state;
    struct strmap *m = strmap_new();
    strmap_put(m, "a\0b", 3, 1, NULL);
    strmap_put(m, "a\0c", 3, 2, NULL);
    strmap_put(m, "a", 1, 3, NULL);
    size_t v;
    assert_true(strmap_get(m, "a\0b", 3, &v));
    assert_int_equal(v, 1);
    assert_true(strmap_get(m, "a\0c", 3, &v));
    assert_int_equal(v, 2);
    assert_true(strmap_get(m, "a", 1, &v));
    assert_int_equal(v, 3);
    assert_true(strmap_get(m, "", 0, &v) == false);
    strmap_put(m, "", 0, 4, NULL);
    assert_true(strmap_get(m, "", 0, &v));
    assert_int_equal(v, 4);
    strmap_free(m);
}

static void test_growth_and_clear(void **state)
{
    (void)state;
    struct strmap *m = strmap_new();
    enum { N = 100000 };
    const char *first = strmap_put(m, "key0", 4, 0, NULL);
    char key[32];
    for (size_t i = 1; i < N; i++) {
        int n = snprintf(key, sizeof key, "key%zu", i);
        bool added;
        strmap_put(m, key, (size_t)n, i * 3, &added);
        assert_true(added);
    }
    assert_int_equal(strmap_count(m), N);
    assert_string_equal(first, "key0"); /* copies do not move as the table grows */
    for (size_t i = 0; i < N; i++) {
        int n = snprintf(key, sizeof key, "key%zu", i);
        size_t v;
        assert_true(strmap_get(m, key, (size_t)n, &v));
        assert_int_equal(v, i * 3);
    }
    strmap_clear(m);
    assert_int_equal(strmap_count(m), 0);
    assert_false(strmap_get(m, "key1", 4, NULL));
    strmap_put(m, "key1", 4, 5, NULL);
    assert_true(strmap_get(m, "key1", 4, NULL));
    strmap_free(m);
    strmap_free(NULL);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_put_get),
    cmocka_unit_test(test_nul_bytes),
    cmocka_unit_test(test_growth_and_clear),
};

UNIT_MAIN("strmap", tests)
