/* test_slug: GitHub-style heading ids: lower case (Unicode too), what is
 * dropped and kept, spaces to '-', and numbering of repeated ids. */
#include "unit.h"

#include "buf.h"
#include "slug.h"

static int slug_setup(void **state)
{
    *state = slug_new();
    return 0;
}

static int slug_teardown(void **state)
{
    slug_free(*state);
    return 0;
}

/* The id of one heading in a fresh document. */
static void check_one(struct slug *s, const char *text, const char *want)
{
    struct buf out = {0};
    buf_adds(&out, "stale"); /* slug_next must replace it */
    slug_reset(s);
    const char *got = slug_next(s, text, strlen(text), &out);
    if (strcmp(got, want) != 0)
        fail_msg("'%s' gave '%s', not '%s'", text, got, want);
    assert_int_equal(out.len, strlen(want));
    buf_free(&out);
}

static void test_basic(void **state)
{
    check_one(*state, "Getting Started", "getting-started");
    check_one(*state, "What's new in v2.0?", "whats-new-in-v20");
    check_one(*state, "C++ & Rust", "c--rust");
    check_one(*state, "snake_case and kebab-case", "snake_case-and-kebab-case");
    check_one(*state, "  two  spaces ", "--two--spaces-");
    check_one(*state, "tab\there", "tabhere");
    check_one(*state, "Emoji 🎉 party", "emoji--party");
    check_one(*state, "(parens) [brackets] {braces}", "parens-brackets-braces");
    check_one(*state, "", "");
    check_one(*state, "!!!", "");
}

static void test_unicode(void **state)
{
    check_one(*state, "Ünïcode Straße", "ünïcode-straße");
    check_one(*state, "ÉTÉ À LA PLAGE", "été-à-la-plage");
    check_one(*state, "ΣΊΣΥΦΟΣ", "σίσυφοσ"); /* simple case mapping: no final sigma */
    check_one(*state, "日本語のタイトル", "日本語のタイトル");
    check_one(*state, "ǅ titlecase", "ǆ-titlecase");
    check_one(*state, "Ⅻ chapter",
              "Ⅻ-chapter");                  /* kept (a letter number), not lower-cased by PCRE2 */
    check_one(*state, "x² and ½", "x-and-"); /* other numbers are dropped */
    check_one(*state, "nbsp\xC2\xA0here", "nbsphere");
    /* invalid UTF-8 is dropped, the rest kept */
    check_one(*state, "bad\xff\xfe bytes \xC3", "bad-bytes-");
}

static void test_lowercase_lengthens(void **state)
{
    /* U+023A (2 bytes) lower-cases to U+2C65 (3 bytes): the output is
     * longer than the input, past any fixed margin. */
    struct buf in = {0}, want = {0};
    for (int i = 0; i < 200; i++) {
        buf_adds(&in, "\xC8\xBA");
        buf_adds(&want, "\xE2\xB1\xA5");
    }
    check_one(*state, in.p, want.p);
    buf_free(&in);
    buf_free(&want);
}

static void test_duplicates(void **state)
{
    struct slug *s = *state;
    struct buf out = {0};
    static const char *const texts[] = {"Usage", "usage", "Usage!", "Usage 1", "usage", "Other"};
    static const char *const want[] = {"usage",     "usage-1", "usage-2",
                                       "usage-1-1", "usage-3", "other"};
    slug_reset(s);
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        const char *got = slug_next(s, texts[i], strlen(texts[i]), &out);
        if (strcmp(got, want[i]) != 0)
            fail_msg("heading %zu '%s' gave '%s', not '%s'", i, texts[i], got, want[i]);
    }
    /* github-slugger: "a", "a-1", then "a" counts on to "a-2" */
    slug_reset(s);
    assert_string_equal(slug_next(s, "a", 1, &out), "a");
    assert_string_equal(slug_next(s, "a-1", 3, &out), "a-1");
    assert_string_equal(slug_next(s, "a", 1, &out), "a-2");
    assert_string_equal(slug_next(s, "", 0, &out), "");
    assert_string_equal(slug_next(s, "?", 1, &out), "-1");
    /* a new document starts again */
    slug_reset(s);
    assert_string_equal(slug_next(s, "a", 1, &out), "a");
    buf_free(&out);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_basic),
    cmocka_unit_test(test_unicode),
    cmocka_unit_test(test_lowercase_lengthens),
    cmocka_unit_test(test_duplicates),
};

int main(void)
{
    return cmocka_run_group_tests_name("slug", tests, slug_setup, slug_teardown);
}
