/* test_summarize: a record read back from its JSON Lines form is the same
 * record (rendered again byte for byte, every key and optional key), and
 * what is not a record is refused. */
#include "unit.h"

#include "output.h"
#include "summarize.h"

static char *jsonl(const struct record *r)
{
    struct output_options opt = {.format = FORMAT_JSONL, .fd = -1};
    struct buf b = {0};
    output_render(&opt, r, &b);
    char *s = strdup(buf_str(&b));
    buf_free(&b);
    return s;
}

/* R rendered, read back, rendered again: the same bytes. */
static void round_trip(const struct record *r)
{
    char *once = jsonl(r);
    struct record back;
    struct summarize_tree *t;
    assert_true(summarize_parse(once, strlen(once) - 1, &back, &t));
    char *twice = jsonl(&back);
    assert_string_equal(once, twice);
    summarize_tree_free(t);
    free(once);
    free(twice);
}

static void test_round_trip(void **state)
{
    (void)state;
    static const struct check_failure checks[] = {{"status", "200", "503"},
                                                  {"header", "X-A: ^1$", "(absent)"}};
    struct record full = {
        .seq = 7,
        .input = "urls.txt:12",
        .url = "https://u:***@a/\xC3\xA9?q=\"x\"",
        .url_effective = "https://a/b",
        .method = "POST",
        .http_code = 503,
        .ok = false,
        .kind = KIND_CHECK,
        .error_code = -1,
        .error_message = "failed checks: status header",
        .attempts = 3,
        .time_total = 12345,
        .time_namelookup = 1000,
        .time_connect = 2000,
        .time_appconnect = 3000,
        .time_starttransfer = 10000,
        .time_redirect = 7,
        .time_queue = 500,
        .size_download = 1024,
        .content_type = "text/html",
        .http_version = "2",
        .remote_ip = "::1",
        .num_redirects = 1,
        .num_connects = 1,
        .timestamp_ms = 1764624600123,
        .redirect_url = "https://a/c",
        .remote_port = 8443,
        .local_ip = "::1",
        .local_port = 40001,
        .scheme = "https",
        .speed_download = 82947,
        .speed_upload = 1234,
        .size_header = 114,
        .size_request = 89,
        .size_upload = 5,
        .time_pretransfer = 2500,
        .id_json = "{\"not\":\"scalar\"}",
        .checks = checks,
        .nchecks = 2,
        .headers_json = "{\"Server\":\"x\",\"Set-Cookie\":\"***\"}",
        .body = "hello\nworld",
        .body_len = 11,
        .has_body = true,
        .body_truncated = true,
        .body_sha256 = "6181a664ef9e7c714790d19758d73408965c75ecfde9238937947cde2cb4162f",
        .filename_effective = "out/7_a_b",
        .sources =
            (const struct record_source[]){{"docs/a b.md", 3, 14, NULL}, {"c:d.html", 1, 2, NULL}},
        .nsources = 2,
    };
    round_trip(&full);
    full.id_json = "17";
    round_trip(&full);
    full.id_json = "\"job-1\"";
    round_trip(&full);
    struct record bare = {
        .seq = 1,
        .input = "-:1",
        .url = "ftp://x/",
        .url_effective = "ftp://x/",
        .method = "GET",
        .kind = KIND_INPUT,
        .error_code = -1,
        .error_message = "unsupported scheme",
    };
    round_trip(&bare);
    bare.kind = KIND_NONE;
    bare.ok = true;
    bare.http_code = 200;
    round_trip(&bare);
}

/* -w on a record read back: its headers key answers %header{NAME} and
 * %{header_json}, the new keys their names. */
static void test_write_out_read_back(void **state)
{
    (void)state;
    const char *line =
        "{\"url\":\"https://a/\",\"method\":\"GET\",\"ok\":true,\"error\":null,"
        "\"remote_port\":443,\"scheme\":\"https\",\"size_header\":120,"
        "\"headers\":{\"ETag\":\"\\\"v1\\\"\",\"Set-Cookie\":\"***\"},\"id\":\"j 1\"}";
    struct record r;
    struct summarize_tree *t;
    assert_true(summarize_parse(line, strlen(line), &r, &t));
    struct buf err = {0};
    struct output_template *tmpl =
        output_template_parse("%header{etag}|%header{set-cookie}|%{header_json}|%{remote_port}|"
                              "%{scheme}|%{size_header}|%{id}",
                              &err);
    assert_non_null(tmpl);
    buf_free(&err);
    struct output_options opt = {.format = FORMAT_TEMPLATE, .tmpl = tmpl, .fd = -1};
    struct buf b = {0};
    output_render(&opt, &r, &b);
    assert_string_equal(buf_str(&b), "\"v1\"|***|{\"ETag\":\"\\\"v1\\\"\",\"Set-Cookie\":\"***\"}|"
                                     "443|https|120|j 1");
    buf_free(&b);
    output_template_free(tmpl);
    summarize_tree_free(t);
}

/* --links: sources read back; an entry not of the form FILE:LINE:COLUMN is
 * left out. */
static void test_sources_read_back(void **state)
{
    (void)state;
    static const char line[] =
        "{\"url\":\"http://a/\",\"method\":\"GET\",\"ok\":false,\"error\":{\"kind\":\"missing\","
        "\"code\":null,\"message\":\"gone\"},\"sources\":[\"a.md:1:2\",\"x:y.md:30:4\",\"bad\","
        "\"b.md:1\",\"c.md:x:1\",7,\"d.md:5:6\"]}";
    struct record r;
    struct summarize_tree *t;
    assert_true(summarize_parse(line, sizeof line - 1, &r, &t));
    assert_int_equal(r.kind, KIND_MISSING);
    assert_int_equal(r.nsources, 3);
    assert_string_equal(r.sources[0].file, "a.md");
    assert_int_equal(r.sources[0].line, 1);
    assert_int_equal(r.sources[0].column, 2);
    assert_string_equal(r.sources[1].file, "x:y.md");
    assert_int_equal(r.sources[1].line, 30);
    assert_string_equal(r.sources[2].file, "d.md");
    assert_int_equal(r.sources[2].column, 6);
    assert_null(r.sources[2].fragment);
    summarize_tree_free(t);
}

static void test_not_records(void **state)
{
    (void)state;
    static const char *bad[] = {
        "",
        "200 0.001 3 https://a/",
        "[1,2]",
        "{\"url\":\"https://a/\"}",
        "{\"url\":\"https://a/\",\"method\":\"GET\",\"ok\":1}",
        "{\"url\":\"https://a/\",\"method\":\"GET\",\"ok\":false,\"error\":{\"code\":3}}",
        "{\"url\":\"https://a/\",\"method\":\"GET\",\"ok\":tr",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct record r;
        struct summarize_tree *t = (struct summarize_tree *)1;
        assert_false(summarize_parse(bad[i], strlen(bad[i]), &r, &t));
        assert_null(t);
    }
    /* an unknown kind is "other"; unknown keys are ignored */
    const char *odd = "{\"url\":\"https://a/\",\"method\":\"GET\",\"ok\":false,\"future\":[1],"
                      "\"error\":{\"kind\":\"quantum\",\"code\":null,\"message\":\"m\"}}";
    struct record r;
    struct summarize_tree *t;
    assert_true(summarize_parse(odd, strlen(odd), &r, &t));
    assert_int_equal(r.kind, KIND_OTHER);
    assert_int_equal(r.error_code, -1);
    summarize_tree_free(t);
}

/* Found by fuzz_records: numbers no integer holds (cJSON reads 1e400 as
 * infinity) were cast to the record's integers (undefined behaviour), and
 * an id or a header with invalid UTF-8 was printed back raw by cJSON. */
static void test_hostile_values(void **state)
{
    (void)state;
    const char *huge = "{\"url\":\"x\",\"method\":\"GET\",\"ok\":false,\"seq\":1e400,"
                       "\"attempts\":-1e400,\"time_total\":1e300,"
                       "\"error\":{\"kind\":\"dns\",\"code\":1e400}}";
    struct record r;
    struct summarize_tree *t;
    assert_true(summarize_parse(huge, strlen(huge), &r, &t));
    assert_true(r.seq == 9007199254740992ULL); /* 2^53, the largest exact one */
    assert_true(r.attempts == -9007199254740992LL);
    assert_true(r.error_code == 9007199254740992LL);
    assert_true(r.time_total == 9007199254740992LL);
    char *once = jsonl(&r);
    summarize_tree_free(t);
    assert_true(summarize_parse(once, strlen(once) - 1, &r, &t));
    char *twice = jsonl(&r);
    assert_string_equal(once, twice);
    summarize_tree_free(t);
    free(once);
    free(twice);

    const char *bad = "{\"url\":\"x\",\"method\":\"GET\",\"ok\":true,\"id\":\"a\xff\","
                      "\"headers\":{\"x-\xe9\":\"v\xc3\",\"n\":[\"\xfe\",1.5,null]}}";
    assert_true(summarize_parse(bad, strlen(bad), &r, &t));
    assert_string_equal(r.id_json, "\"a\xEF\xBF\xBD\"");
    assert_string_equal(r.headers_json,
                        "{\"x-\xEF\xBF\xBD\":\"v\xEF\xBF\xBD\",\"n\":[\"\xEF\xBF\xBD\",1.5,null]}");
    summarize_tree_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),          cmocka_unit_test(test_sources_read_back),
        cmocka_unit_test(test_write_out_read_back), cmocka_unit_test(test_not_records),
        cmocka_unit_test(test_hostile_values),
    };
    return cmocka_run_group_tests_name("summarize", tests, NULL, unit_cleanup);
}
