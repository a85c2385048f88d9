/* test_linkset: resolving relative links (RFC 3986's examples, through
 * libcurl), the normal form distinct URLs are told apart by, local file
 * targets, and the set of distinct links with the places they were found. */
#include "unit.h"

#include "buf.h"
#include "linkset.h"

static int set_setup(void **state)
{
    *state = linkset_new();
    return 0;
}

static int set_teardown(void **state)
{
    linkset_free(*state);
    return 0;
}

static void check_resolve(struct linkset *s, const char *base, const char *ref, const char *want)
{
    struct buf out = {0};
    buf_adds(&out, "stale");
    const char *why = linkset_resolve(s, base, ref, &out);
    if (why)
        fail_msg("'%s' against '%s': %s", ref, base, why);
    if (strcmp(buf_str(&out), want) != 0)
        fail_msg("'%s' against '%s' gave '%s', not '%s'", ref, base, out.p, want);
    buf_free(&out);
}

static void test_resolve_rfc3986(void **state)
{
    /* RFC 3986 5.4, with the base's host a.test; libcurl writes an empty
     * path as "/" ("//g" gives "http://g/"). */
    static const char base[] = "http://a.test/b/c/d;p?q";
    static const char *const cases[][2] = {
        {"g", "http://a.test/b/c/g"},
        {"./g", "http://a.test/b/c/g"},
        {"g/", "http://a.test/b/c/g/"},
        {"/g", "http://a.test/g"},
        {"//g", "http://g/"},
        {"?y", "http://a.test/b/c/d;p?y"},
        {"g?y", "http://a.test/b/c/g?y"},
        {"#s", "http://a.test/b/c/d;p?q#s"},
        {"g#s", "http://a.test/b/c/g#s"},
        {"g?y#s", "http://a.test/b/c/g?y#s"},
        {";x", "http://a.test/b/c/;x"},
        {"", "http://a.test/b/c/d;p?q"},
        {".", "http://a.test/b/c/"},
        {"./", "http://a.test/b/c/"},
        {"..", "http://a.test/b/"},
        {"../g", "http://a.test/b/g"},
        {"../..", "http://a.test/"},
        {"../../g", "http://a.test/g"},
        {"../../../g", "http://a.test/g"},
        {"/./g", "http://a.test/g"},
        {"g.", "http://a.test/b/c/g."},
        {"g;x=1/../y", "http://a.test/b/c/y"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        check_resolve(*state, base, cases[i][0], cases[i][1]);
}

static void test_resolve_more(void **state)
{
    struct linkset *s = *state;
    check_resolve(s, "https://a.test/docs/", "https://Other.test/x", "https://Other.test/x");
    check_resolve(s, "https://a.test/docs/", "guide.html#Setup Steps",
                  "https://a.test/docs/guide.html#Setup Steps");
    check_resolve(s, "https://a.test/docs/", "a b/é.png", "https://a.test/docs/a%20b/%c3%a9.png");
    check_resolve(s, "https://a.test/page#old", "x", "https://a.test/x");
    check_resolve(s, "https://a.test/page#old", "#new", "https://a.test/page#new");
    check_resolve(s, "https://a.test/page?q=1", "", "https://a.test/page?q=1");
    check_resolve(s, "http://a.test:8080/d/", "../up", "http://a.test:8080/up");

    struct buf out = {0};
    /* a relative base is an error, not resolved against the last base */
    assert_non_null(linkset_resolve(s, "docs/", "x", &out));
    assert_non_null(linkset_resolve(s, "ftp://a.test/", "x", &out));
    assert_non_null(linkset_resolve(s, "not a url", "x", &out));
    assert_non_null(linkset_resolve(s, "http://a.test/", "http://[bad/", &out));
    /* the handle is reusable after an error */
    check_resolve(s, "http://a.test/b/", "c", "http://a.test/b/c");
    buf_free(&out);
}

static void check_norm(struct linkset *s, const char *url, const char *want, const char *frag)
{
    struct buf out = {0}, f = {0};
    bool has = false;
    buf_adds(&f, "stale");
    const char *why = linkset_normalize(s, url, &out, &f, &has);
    if (why)
        fail_msg("'%s': %s", url, why);
    if (strcmp(buf_str(&out), want) != 0)
        fail_msg("'%s' gave '%s', not '%s'", url, out.p, want);
    assert_int_equal(has, frag != NULL);
    assert_string_equal(buf_str(&f), frag ? frag : "");
    buf_free(&out);
    buf_free(&f);
}

static void test_normalize(void **state)
{
    struct linkset *s = *state;
    check_norm(s, "HTTP://Example.TEST:80/a/./b/../c#Frag%20x", "http://example.test/a/c",
               "Frag x");
    check_norm(s, "https://x.test:443", "https://x.test/", NULL);
    check_norm(s, "https://x.test:8443/P?Q=1", "https://x.test:8443/P?Q=1", NULL);
    check_norm(s, "http://x.test/a b", "http://x.test/a%20b", NULL);
    check_norm(s, "http://x.test/p?q=1#", "http://x.test/p?q=1", "");
    check_norm(s, "http://User:Pw@X.Test/", "http://User:Pw@x.test/", NULL);
    check_norm(s, "http://[::1]:80/", "http://[::1]/", NULL);
    check_norm(s, "http://x.test/#caf%C3%A9", "http://x.test/", "café");

    /* the same URL written differently has one normal form */
    struct buf a = {0}, b = {0};
    assert_null(linkset_normalize(s, "http://X.test", &a, NULL, NULL));
    assert_null(linkset_normalize(s, "http://x.TEST:80/#top", &b, NULL, NULL));
    assert_string_equal(a.p, b.p);

    assert_non_null(linkset_normalize(s, "ftp://x.test/", &a, NULL, NULL));
    assert_null(linkset_normalize(s, "http://x.test/", &a, NULL, NULL));
    assert_non_null(linkset_normalize(s, "relative/x", &a, NULL, NULL)); /* not against the last */
    assert_non_null(linkset_normalize(s, "mailto:x@y.test", &a, NULL, NULL));
    assert_non_null(linkset_normalize(s, "http://", &a, NULL, NULL));
    buf_free(&a);
    buf_free(&b);
}

static void check_local(const char *doc, const char *ref, const char *root, const char *want,
                        const char *frag)
{
    struct buf path = {0}, f = {0};
    bool has = true;
    buf_adds(&path, "stale");
    const char *why = linkset_local(doc, ref, root, &path, &f, &has);
    if (why)
        fail_msg("'%s' in '%s': %s", ref, doc, why);
    if (strcmp(buf_str(&path), want) != 0)
        fail_msg("'%s' in '%s' gave '%s', not '%s'", ref, doc, path.p, want);
    assert_int_equal(has, frag != NULL);
    assert_string_equal(buf_str(&f), frag ? frag : "");
    buf_free(&path);
    buf_free(&f);
}

static void test_local(void **state)
{
    (void)state;
    check_local("docs/guide/intro.md", "../api.md#Usage", NULL, "docs/api.md", "Usage");
    check_local("docs/guide/intro.md", "img/a%20b.png?raw=1", NULL, "docs/guide/img/a b.png", NULL);
    check_local("docs/guide/intro.md", "#frag", NULL, "docs/guide/intro.md", "frag");
    check_local("docs/guide/intro.md", "", NULL, "docs/guide/intro.md", NULL);
    check_local("docs/guide/intro.md", "?q", NULL, "docs/guide/intro.md", NULL);
    check_local("docs/guide/intro.md", "./x.md", NULL, "docs/guide/x.md", NULL);
    check_local("docs/guide/intro.md", "a//b/./c/", NULL, "docs/guide/a/b/c", NULL);
    check_local("docs/guide/intro.md", "../../../x.md", NULL, "../x.md", NULL);
    check_local("../up/doc.md", "../../x.md", NULL, "../../x.md", NULL);
    check_local("README.md", "docs/", NULL, "docs", NULL);
    check_local("README.md", "..", NULL, "..", NULL);
    check_local("README.md", ".", NULL, ".", NULL);
    check_local("/abs/dir/a.md", "../../../../x", NULL, "/x", NULL);
    check_local("/a.md", "b.md", NULL, "/b.md", NULL);
    check_local("-", "x.md#caf%C3%A9", NULL, "x.md", "café");
    check_local("docs/a.md", "/root.md", "site", "site/root.md", NULL);
    check_local("docs/a.md", "/sub/../root.md", "/srv/www/", "/srv/www/root.md", NULL);

    struct buf path = {0};
    assert_non_null(linkset_local("docs/a.md", "/root.md", NULL, &path, NULL, NULL));
    buf_free(&path);
}

static void test_unescape(void **state)
{
    (void)state;
    struct buf out = {0};
    static const char in[] = "%41%2f%zz%0%00%e9%C3%A9%";
    linkset_unescape(in, sizeof in - 1, &out);
    assert_string_equal(out.p, "A/%zz%0%00\xe9\xc3\xa9%");
    buf_clear(&out);
    linkset_unescape("%41%42", 5, &out); /* only LEN bytes: "%4" is no escape */
    assert_string_equal(out.p, "A%4");
    buf_free(&out);
}

static void test_set(void **state)
{
    struct linkset *s = *state;
    uint32_t a = linkset_file(s, "a.md"), b = linkset_file(s, "docs/b.html");
    assert_int_not_equal(a, b);
    assert_int_equal(linkset_file(s, "a.md"), a);
    assert_int_equal(linkset_file(s, "docs/b.html"), b);
    assert_string_equal(linkset_file_name(s, a), "a.md");
    assert_string_equal(linkset_file_name(s, b), "docs/b.html");

    bool added;
    static const char k1[] = "http://x.test/", k2[] = "http://y.test/p";
    assert_int_equal(linkset_add(s, k1, strlen(k1), a, 3, 7, NULL, 0, &added), 0);
    assert_true(added);
    assert_int_equal(linkset_add(s, k2, strlen(k2), a, 4, 1, "top", 3, &added), 1);
    assert_true(added);
    assert_int_equal(linkset_add(s, k1, strlen(k1), b, 10, 2, "sec", 3, &added), 0);
    assert_false(added);
    /* the same place again (a reference used twice) is one place */
    assert_int_equal(linkset_add(s, k1, strlen(k1), b, 10, 2, "sec", 3, &added), 0);
    assert_int_equal(linkset_add(s, k1, strlen(k1), a, 1, 1, NULL, 0, &added), 0);
    assert_int_equal(linkset_count(s), 2);

    const struct linkset_entry *e = linkset_entry(s, 0);
    assert_string_equal(e->key, k1);
    assert_int_equal(e->nsources, 3);
    struct buf out = {0};
    for (size_t i = 0; i < e->nsources; i++) {
        if (i)
            buf_addc(&out, ' ');
        linkset_source_format(s, &e->sources[i], &out);
    }
    assert_string_equal(out.p, "a.md:3:7 docs/b.html:10:2 a.md:1:1");
    assert_null(e->sources[0].fragment);
    assert_string_equal(e->sources[1].fragment, "sec");
    e = linkset_entry(s, 1);
    assert_string_equal(e->key, k2);
    assert_int_equal(e->nsources, 1);
    assert_string_equal(e->sources[0].fragment, "top");
    buf_free(&out);
}

static void test_set_many(void **state)
{
    struct linkset *s = *state;
    uint32_t f = linkset_file(s, "big.md");
    char key[64];
    for (int round = 0; round < 2; round++) {
        for (int i = 0; i < 20000; i++) {
            int n = snprintf(key, sizeof key, "http://h%d.test/p%d", i % 50, i);
            bool added;
            size_t idx = linkset_add(s, key, (size_t)n, f, (uint32_t)(round * 20000 + i + 1), 1,
                                     NULL, 0, &added);
            assert_int_equal(idx, (size_t)i);
            assert_int_equal(added, round == 0);
        }
    }
    assert_int_equal(linkset_count(s), 20000);
    const struct linkset_entry *e = linkset_entry(s, 12345);
    assert_int_equal(e->nsources, 2);
    assert_int_equal(e->sources[0].line, 12346);
    assert_int_equal(e->sources[1].line, 32346);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown(test_resolve_rfc3986, set_setup, set_teardown),
    cmocka_unit_test_setup_teardown(test_resolve_more, set_setup, set_teardown),
    cmocka_unit_test_setup_teardown(test_normalize, set_setup, set_teardown),
    cmocka_unit_test(test_local),
    cmocka_unit_test(test_unescape),
    cmocka_unit_test_setup_teardown(test_set, set_setup, set_teardown),
    cmocka_unit_test_setup_teardown(test_set_many, set_setup, set_teardown),
};

UNIT_MAIN("linkset", tests)
