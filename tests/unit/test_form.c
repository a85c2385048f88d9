/* test_form: curl's -F syntax: NAME=TEXT, =@FILE, =<FILE, ;type= and
 * ;filename=, quoted values, the errors; and the curl_mime made of it. */
#include "unit.h"

#include "form.h"

static struct form *parse_ok(const char *arg)
{
    struct form *f = NULL;
    struct buf err = {0};
    if (!form_add(&f, arg, &err))
        fail_msg("form_add(%s): %s", arg, buf_str(&err));
    buf_free(&err);
    return f;
}

static void refused(const char *arg, const char *want)
{
    struct form *f = NULL;
    struct buf err = {0};
    assert_false(form_add(&f, arg, &err));
    if (!strstr(buf_str(&err), want))
        fail_msg("'%s': error '%s' does not mention '%s'", arg, err.p, want);
    assert_null(f);
    buf_free(&err);
}

static void test_text(void **state)
{
    (void)state;
    struct form *f = parse_ok("name=some value");
    assert_int_equal(f->n, 1);
    assert_string_equal(f->parts[0].name, "name");
    assert_string_equal(f->parts[0].data, "some value");
    assert_null(f->parts[0].file);
    assert_null(f->parts[0].type);
    assert_true(form_add(&f, "q=\"a;b \\\"c\\\"\";type=text/x", &(struct buf){0}));
    assert_int_equal(f->n, 2);
    assert_string_equal(f->parts[1].data, "a;b \"c\"");
    assert_string_equal(f->parts[1].type, "text/x");
    assert_true(form_add(&f, "empty=", &(struct buf){0}));
    assert_string_equal(f->parts[2].data, "");
    form_free(f);
}

static void test_files(void **state)
{
    (void)state;
    const char *p = unit_text_file("up.txt", "file\ncontent");
    char arg[512];
    snprintf(arg, sizeof arg, "f=@%s;type=text/plain;filename=x.txt", p);
    struct form *f = parse_ok(arg);
    assert_string_equal(f->parts[0].file, p);
    assert_null(f->parts[0].data);
    assert_string_equal(f->parts[0].type, "text/plain");
    assert_string_equal(f->parts[0].filename, "x.txt");
    snprintf(arg, sizeof arg, "t=<%s", p);
    struct buf err = {0};
    assert_true(form_add(&f, arg, &err));
    assert_string_equal(f->parts[1].data, "file\ncontent");
    assert_int_equal(f->parts[1].len, 12);
    assert_null(f->parts[1].file);
    /* the multipart body can be made of it */
    CURL *easy = curl_easy_init();
    curl_mime *m = form_mime(f, easy);
    assert_non_null(m);
    curl_mime_free(m);
    curl_easy_cleanup(easy);
    form_free(f);
}

static void test_errors(void **state)
{
    (void)state;
    refused("novalue", "NAME=TEXT");
    refused("=x", "NAME=TEXT");
    refused("f=@/nonexistent/no-such-file", "cannot read /nonexistent/no-such-file");
    refused("f=</nonexistent/no-such-file", "cannot read");
    refused("f=@/tmp", "Is a directory");
    refused("f=@", "no file name");
    refused("a=b;bogus=1", "unknown parameter ';bogus'");
    refused("a=b;filename=x", "unknown parameter ';filename'"); /* for @FILE only */
    refused("a=\"open", "not closed");
    refused("a=\"x\"y", "text after");
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_text),
    cmocka_unit_test(test_files),
    cmocka_unit_test(test_errors),
};

UNIT_MAIN("form", tests)
