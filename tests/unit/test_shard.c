/* test_shard: FNV-1a-64 with the contract's vectors, --shard K/N parsing,
 * the keys of each --shard-by and the split they give. */
#include "unit.h"

#include "hash.h"
#include "shard.h"

static void test_fnv_vectors(void **state)
{
    (void)state;
    assert_true(hash_fnv1a64("", 0) == 14695981039346656037ULL); /* the offset basis */
    assert_true(hash_fnv1a64("a", 1) == 12638187200555641996ULL);
    assert_true(hash_fnv1a64("example.com", 11) == 6298361471204529350ULL);
    assert_true(hash_fnv1a64("foobar", 6) == 0x85944171f73967e8ULL); /* FNV's own table */
    struct buf k = {0};
    assert_int_equal(shard_of(SHARD_BY_HOST, "https", "https://example.com/x", 21, 4, &k), 3);
    buf_free(&k);
}

static void test_parse(void **state)
{
    (void)state;
    unsigned long k, n;
    struct buf err = {0};
    assert_true(shard_parse("1/4", &k, &n, &err));
    assert_int_equal(k, 1);
    assert_int_equal(n, 4);
    assert_true(shard_parse("4/4", &k, &n, &err));
    static const char *bad[] = {"0/4", "5/4",  "1/0",  "1",     "/4",   "1/",
                                "a/b", "-1/4", "1/4x", "0x1/4", " 1/4", "1/9999999999"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        buf_clear(&err);
        assert_false(shard_parse(bad[i], &k, &n, &err));
        assert_non_null(strstr(err.p, "--shard"));
    }
    buf_clear(&err);
    assert_false(shard_parse("0/4", &k, &n, &err));
    assert_non_null(strstr(err.p, "counts from 1"));
    buf_free(&err);
}

static const char *key(enum shard_by by, const char *line)
{
    static struct buf k;
    shard_key(by, "https", line, strlen(line), &k);
    return k.p;
}

static void test_keys(void **state)
{
    (void)state;
    assert_string_equal(key(SHARD_BY_HOST, "https://u:p@WWW.Example.COM:8443/a?b#c"),
                        "www.example.com");
    assert_string_equal(key(SHARD_BY_HOST, "example.com/path"), "example.com");
    assert_string_equal(key(SHARD_BY_HOST, "http://[::1]:8080/"), "::1");
    assert_string_equal(key(SHARD_BY_HOST, "http://xn--bcher-kva.example/"),
                        "xn--bcher-kva.example");
    assert_string_equal(key(SHARD_BY_HOST, "http://BÜCHER.example/"), "bÜcher.example");
    assert_string_equal(key(SHARD_BY_DOMAIN, "https://a.b.example.co.uk/"), "example.co.uk");
    assert_string_equal(key(SHARD_BY_DOMAIN, "https://www.Example.com/"), "example.com");
    assert_string_equal(key(SHARD_BY_DOMAIN, "http://127.0.0.1:8080/"), "127.0.0.1");
    assert_string_equal(key(SHARD_BY_DOMAIN, "http://localhost/"), "localhost");
    assert_string_equal(key(SHARD_BY_DOMAIN, "http://[fd00::1]/"), "fd00::1");
    assert_string_equal(key(SHARD_BY_ORIGIN, "HTTP://Example.com:80/x"), "http://example.com");
    assert_string_equal(key(SHARD_BY_ORIGIN, "https://example.com:443/x"), "https://example.com");
    assert_string_equal(key(SHARD_BY_ORIGIN, "https://example.com:8443/x"),
                        "https://example.com:8443");
    assert_string_equal(key(SHARD_BY_ORIGIN, "example.com:80/x"), "https://example.com:80");
    assert_string_equal(key(SHARD_BY_ORIGIN, "http://[::1]:81/"), "http://[::1]:81");
    assert_string_equal(key(SHARD_BY_URL, "https://Example.com/A"), "https://Example.com/A");
    /* a request spec: its "url" */
    assert_string_equal(key(SHARD_BY_HOST, "{\"url\": \"https://Spec.example/x\", \"id\": 1}"),
                        "spec.example");
    assert_string_equal(key(SHARD_BY_URL, "{\"url\": \"https://Spec.example/x\"}"),
                        "https://Spec.example/x");
    /* no host: the trimmed text */
    assert_string_equal(key(SHARD_BY_HOST, "http:///nohost"), "http:///nohost");
    assert_string_equal(key(SHARD_BY_HOST, "{\"nourl\": 1}"), "{\"nourl\": 1}");
    assert_string_equal(key(SHARD_BY_HOST, "{not json"), "{not json");
    assert_string_equal(key(SHARD_BY_DOMAIN, "http://u@/x"), "http://u@/x");
}

/* Every line lands in exactly one shard, and a host's lines in the same. */
static void test_split(void **state)
{
    (void)state;
    struct buf k = {0}, line = {0};
    unsigned long count[8] = {0};
    for (int h = 0; h < 200; h++) {
        unsigned long first = 0;
        for (int p = 0; p < 5; p++) {
            buf_clear(&line);
            buf_addf(&line, "https://host%d.example:%d/page/%d", h, 8000 + p, p);
            unsigned long s = shard_of(SHARD_BY_HOST, "https", line.p, line.len, 8, &k);
            assert_true(s >= 1 && s <= 8);
            if (p == 0)
                first = s;
            assert_int_equal(s, first);
            count[s - 1]++;
        }
    }
    for (int i = 0; i < 8; i++) /* 1000 lines over 8 shards: none empty, none huge */
        assert_true(count[i] > 50 && count[i] < 250);
    buf_free(&k);
    buf_free(&line);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fnv_vectors),
        cmocka_unit_test(test_parse),
        cmocka_unit_test(test_keys),
        cmocka_unit_test(test_split),
    };
    return cmocka_run_group_tests_name("shard", tests, NULL, unit_cleanup);
}
