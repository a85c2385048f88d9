/* test_fragment: a fragment against a document's anchors (and the fragments
 * every page has), the type of a fetched body, the failures of one link's
 * fragments and their message. */
#include "unit.h"

#include "fragment.h"

static void test_found(void **state)
{
    (void)state;
    static char a0[] = "install", a1[] = "usage-1", a2[] = "user-content-usage";
    char *anchors[] = {a0, a1, a2}; /* sorted, as links_extract makes them */
    assert_true(fragment_found(anchors, 3, "install"));
    assert_true(fragment_found(anchors, 3, "usage-1"));
    assert_false(fragment_found(anchors, 3, "Install")); /* ids are case-sensitive */
    assert_false(fragment_found(anchors, 3, "nowhere"));
    /* GitHub's rendered Markdown: "user-content-NAME" holds NAME */
    assert_true(fragment_found(anchors, 3, "usage"));
    assert_true(fragment_found(anchors, 3, "user-content-usage"));
    /* every page: its top, and text fragments name no anchor */
    assert_true(fragment_found(anchors, 3, ""));
    assert_true(fragment_found(anchors, 3, "top"));
    assert_true(fragment_found(anchors, 3, "TOP"));
    assert_true(fragment_found(NULL, 0, ":~:text=some%20words"));
    assert_false(fragment_found(NULL, 0, "topmost"));
    assert_false(fragment_found(NULL, 0, "x"));
}

static void test_body_format(void **state)
{
    (void)state;
    enum links_format f = LINKS_FORMAT_TEXT;
    assert_true(fragment_body_format("text/html", NULL, &f));
    assert_int_equal(f, LINKS_FORMAT_HTML);
    f = LINKS_FORMAT_TEXT;
    assert_true(fragment_body_format(" Text/HTML; charset=utf-8", NULL, &f));
    assert_int_equal(f, LINKS_FORMAT_HTML);
    assert_true(fragment_body_format("application/xhtml+xml", NULL, &f));
    assert_int_equal(f, LINKS_FORMAT_HTML);
    assert_true(fragment_body_format("text/markdown; charset=UTF-8", NULL, &f));
    assert_int_equal(f, LINKS_FORMAT_MD);
    f = LINKS_FORMAT_TEXT;
    assert_true(fragment_body_format("text/x-markdown", NULL, &f));
    assert_int_equal(f, LINKS_FORMAT_MD);
    /* a raw .md file served as text/plain (the query and fragment aside) */
    f = LINKS_FORMAT_TEXT;
    assert_true(
        fragment_body_format("text/plain; charset=utf-8", "https://r.test/a/README.MD?x=1", &f));
    assert_int_equal(f, LINKS_FORMAT_MD);
    assert_true(fragment_body_format("text/plain", "https://r.test/a.markdown#top", &f));
    assert_false(fragment_body_format("text/plain", "https://r.test/a.txt", &f));
    assert_false(fragment_body_format("text/plain", "https://r.test/a.md.txt", &f));
    assert_false(fragment_body_format("text/plain", NULL, &f));
    assert_false(fragment_body_format("text/htmlx", NULL, &f));
    assert_false(fragment_body_format("application/json", NULL, &f));
    assert_false(fragment_body_format(NULL, "https://r.test/a.md", &f));
}

static void test_check_anchors(void **state)
{
    (void)state;
    struct fragment_check *fc = fragment_check_new();
    static char a0[] = "a", a1[] = "b";
    char *anchors[] = {a0, a1};
    const char *frags[] = {"a", "gone", "b", "also gone"};
    const struct check_failure *failed;
    assert_int_equal(fragment_check_anchors(fc, anchors, 2, frags, 4, 0, &failed), 2);
    assert_string_equal(failed[0].check, "fragment");
    assert_string_equal(failed[0].expected, "#gone");
    assert_string_equal(failed[0].actual, "no such anchor");
    assert_string_equal(failed[1].expected, "#also gone");
    struct buf msg = {0};
    assert_string_equal(fragment_message(failed, 2, &msg), "missing fragments #gone, #also gone");
    assert_string_equal(fragment_message(failed, 1, &msg), "missing fragment #gone");
    /* a document read up to --max-body says so */
    assert_int_equal(fragment_check_anchors(fc, anchors, 2, frags + 1, 1, 1024, &failed), 1);
    assert_string_equal(failed[0].actual, "no such anchor in the first 1024 bytes (--max-body)");
    /* none missing */
    assert_int_equal(fragment_check_anchors(fc, anchors, 2, frags, 1, 0, &failed), 0);
    assert_null(failed);
    buf_free(&msg);
    fragment_check_free(fc);
}

static void test_check_document(void **state)
{
    (void)state;
    struct fragment_check *fc = fragment_check_new();
    const struct check_failure *failed;
    static const char html[] = "<h2 id=\"one\">One</h2><a name=\"two\"></a><p id='three'>";
    const char *h[] = {"one", "two", "three", "four"};
    assert_int_equal(
        fragment_check_document(fc, html, sizeof html - 1, LINKS_FORMAT_HTML, h, 4, 0, &failed), 1);
    assert_string_equal(failed[0].expected, "#four");
    /* Markdown: the headings' GitHub ids, a repeated one numbered */
    static const char md[] = "# Getting Started!\n\n## Usage\n\n## Usage\n";
    const char *m[] = {"getting-started", "usage", "usage-1", "usage-2"};
    assert_int_equal(
        fragment_check_document(fc, md, sizeof md - 1, LINKS_FORMAT_MD, m, 4, 0, &failed), 1);
    assert_string_equal(failed[0].expected, "#usage-2");
    /* an empty body has no anchors but its top */
    const char *t[] = {"top", "x"};
    assert_int_equal(fragment_check_document(fc, NULL, 0, LINKS_FORMAT_HTML, t, 2, 0, &failed), 1);
    fragment_check_free(fc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_found),
        cmocka_unit_test(test_body_format),
        cmocka_unit_test(test_check_anchors),
        cmocka_unit_test(test_check_document),
    };
    return cmocka_run_group_tests_name("fragment", tests, NULL, unit_cleanup);
}
