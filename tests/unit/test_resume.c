/* test_resume: which records count as final (kinds, --resume-failed,
 * --max-age), request keys (id, method + URL), torn and foreign lines,
 * several files, and the newline owed to a torn stdout. */
#include "unit.h"

#include "clock.h"
#include "resume.h"

static const struct resume_options any = {.failed_only = false, .max_age_ms = -1};

static bool done(const struct resume *r, const char *id, const char *method, const char *url)
{
    struct buf k = {0};
    resume_key(&k, id, method, url);
    bool d = resume_done(r, k.p, k.len);
    buf_free(&k);
    return d;
}

static struct resume *load1(const char *path, const struct resume_options *opt)
{
    struct buf err = {0};
    char *files[] = {strdup(path)};
    struct resume *r = resume_load(files, 1, opt, &err);
    assert_non_null(r);
    free(files[0]);
    buf_free(&err);
    return r;
}

static const char records[] =
    "{\"seq\":1,\"url\":\"https://a/\",\"method\":\"GET\",\"ok\":true,\"error\":null}\n"
    "{\"seq\":2,\"url\":\"https://b/\",\"method\":\"GET\",\"ok\":false,"
    "\"error\":{\"kind\":\"http\",\"code\":null,\"message\":\"x\"}}\n"
    "{\"seq\":3,\"url\":\"https://c/\",\"method\":\"GET\",\"ok\":false,"
    "\"error\":{\"kind\":\"cancelled\",\"code\":42,\"message\":\"x\"}}\n"
    "{\"seq\":4,\"url\":\"https://d/\",\"method\":\"POST\",\"ok\":true,\"error\":null}\n"
    "{\"seq\":5,\"url\":\"https://e/\",\"method\":\"GET\",\"ok\":true,\"error\":null,"
    "\"id\":\"job-7\"}\n"
    "{\"seq\":6,\"url\":\"https://u:***@f/q?x=\\\"y\\\"\",\"method\":\"GET\",\"ok\":true,"
    "\"error\":null,\"checks\":[{\"check\":\"a\"}],\"headers\":{\"k\":\"v\"}}\n";

static void test_final_kinds(void **state)
{
    (void)state;
    struct resume *r = load1(unit_text_file("r1.jsonl", records), &any);
    assert_int_equal(resume_count(r), 5);
    assert_true(done(r, NULL, "GET", "https://a/"));
    assert_true(done(r, NULL, "GET", "https://b/"));  /* failed, but final */
    assert_false(done(r, NULL, "GET", "https://c/")); /* cancelled: not final */
    assert_true(done(r, NULL, "POST", "https://d/"));
    assert_false(done(r, NULL, "GET", "https://d/"));           /* the method is part of the key */
    assert_true(done(r, "\"job-7\"", "GET", "https://other/")); /* the id is the key */
    assert_false(done(r, NULL, "GET", "https://e/"));
    assert_true(done(r, NULL, "GET", "https://u:***@f/q?x=\"y\""));
    assert_false(done(r, NULL, "GET", "https://never/"));
    resume_free(r);

    struct resume_options failed = any;
    failed.failed_only = true;
    r = load1(unit_text_file("r2.jsonl", records), &failed);
    assert_true(done(r, NULL, "GET", "https://a/"));
    assert_false(done(r, NULL, "GET", "https://b/")); /* --resume-failed: fetched again */
    resume_free(r);
}

static void test_max_age(void **state)
{
    (void)state;
    int64_t now = 1764624600000; /* 2025-12-01T21:30:00Z */
    const char *f = unit_text_file(
        "age.jsonl", "{\"url\":\"https://new/\",\"method\":\"GET\",\"ok\":true,\"error\":null,"
                     "\"timestamp\":\"2025-12-01T21:00:00.000Z\"}\n"
                     "{\"url\":\"https://old/\",\"method\":\"GET\",\"ok\":true,\"error\":null,"
                     "\"timestamp\":\"2025-11-29T21:00:00.000Z\"}\n"
                     "{\"url\":\"https://null/\",\"method\":\"GET\",\"ok\":true,\"error\":null,"
                     "\"timestamp\":null}\n"
                     "{\"url\":\"https://none/\",\"method\":\"GET\",\"ok\":true,\"error\":null}\n");
    struct resume_options day = {.failed_only = false, .max_age_ms = 86400000, .now_wall_ms = now};
    struct resume *r = load1(f, &day);
    assert_true(done(r, NULL, "GET", "https://new/"));
    assert_false(done(r, NULL, "GET", "https://old/"));
    assert_false(done(r, NULL, "GET", "https://null/"));
    assert_false(done(r, NULL, "GET", "https://none/"));
    resume_free(r);
    r = load1(f, &any); /* without --max-age every one is final */
    assert_int_equal(resume_count(r), 4);
    resume_free(r);
}

static void test_torn_and_foreign(void **state)
{
    (void)state;
    const char *f = unit_text_file(
        "torn.jsonl", "not a record\n"
                      "{\"url\":\"https://a/\",\"method\":\"GET\",\"ok\":true,\"error\":null}\n"
                      "200 0.001 3 https://text/\n"
                      "{\"url\":\"https://b/\",\"method\":\"GET\",\"ok\":true,\"error\":null}\n"
                      "{\"url\":\"https://torn/\",\"method\":\"GET\",\"ok\":tr");
    struct resume *r = load1(f, &any);
    assert_int_equal(resume_count(r), 2);
    assert_true(done(r, NULL, "GET", "https://b/"));
    assert_false(done(r, NULL, "GET", "https://torn/"));
    int fd = open(f, O_WRONLY | O_APPEND | O_CLOEXEC);
    assert_true(fd >= 0);
    assert_true(resume_needs_newline(r, fd));
    close(fd);
    resume_free(r);

    const char *whole = unit_text_file(
        "whole.jsonl", "{\"url\":\"https://a/\",\"method\":\"GET\",\"ok\":true,\"error\":null}\n");
    r = load1(whole, &any);
    fd = open(whole, O_WRONLY | O_APPEND | O_CLOEXEC);
    assert_false(resume_needs_newline(r, fd));
    close(fd);
    assert_false(resume_needs_newline(r, STDERR_FILENO));
    resume_free(r);
}

static void test_files(void **state)
{
    (void)state;
    const char *a = unit_text_file(
        "fa.jsonl", "{\"url\":\"https://a/\",\"method\":\"GET\",\"ok\":true,\"error\":null}\n");
    const char *b = unit_text_file(
        "fb.jsonl", "{\"url\":\"https://a/\",\"method\":\"GET\",\"ok\":true,\"error\":null}\n"
                    "{\"url\":\"https://b/\",\"method\":\"GET\",\"ok\":true,\"error\":null}\n");
    char *files[] = {strdup(a), strdup(b)};
    struct buf err = {0};
    struct resume *r = resume_load(files, 2, &any, &err);
    assert_non_null(r);
    assert_int_equal(resume_count(r), 2); /* one key, one fingerprint */
    resume_free(r);
    char *missing[] = {files[0], strdup("/nonexistent/x.jsonl")};
    assert_null(resume_load(missing, 2, &any, &err));
    free(missing[1]);
    assert_non_null(strstr(err.p, "cannot read --resume /nonexistent/x.jsonl"));
    buf_clear(&err);
    char *dir[] = {strdup("/tmp")};
    assert_null(resume_load(dir, 1, &any, &err));
    assert_non_null(strstr(err.p, "Is a directory"));
    free(dir[0]);
    free(files[0]);
    free(files[1]);
    buf_free(&err);
}

/* A line longer than the read buffer, split across chunks. */
static void test_long_line(void **state)
{
    (void)state;
    struct buf doc = {0};
    for (int i = 0; i < 3000; i++)
        buf_addf(&doc,
                 "{\"url\":\"https://h/%d\",\"method\":\"GET\",\"ok\":true,\"error\":null,"
                 "\"body\":\"%0600d\"}\n",
                 i, i);
    buf_adds(&doc, "{\"url\":\"https://long/\",\"method\":\"GET\",\"ok\":true,\"body\":\"");
    for (int i = 0; i < 3 << 20; i++)
        buf_addc(&doc, 'x');
    buf_adds(&doc, "\"}\n");
    struct resume *r = load1(unit_file("long.jsonl", doc.p, doc.len), &any);
    assert_int_equal(resume_count(r), 3001);
    char url[64];
    for (int i = 0; i < 3000; i++) { /* every one found: the in-place sort holds */
        snprintf(url, sizeof url, "https://h/%d", i);
        assert_true(done(r, NULL, "GET", url));
        snprintf(url, sizeof url, "https://h/%d/", i);
        assert_false(done(r, NULL, "GET", url));
    }
    assert_true(done(r, NULL, "GET", "https://long/"));
    resume_free(r);
    buf_free(&doc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_final_kinds),      cmocka_unit_test(test_max_age),
        cmocka_unit_test(test_torn_and_foreign), cmocka_unit_test(test_files),
        cmocka_unit_test(test_long_line),
    };
    return cmocka_run_group_tests_name("resume", tests, NULL, unit_cleanup);
}
