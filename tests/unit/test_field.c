/* test_field: the field table's invariants: names unique and found, the
 * fixed keys before the optional ones before the -w names, and every
 * CURLINFO row's member of the type libcurl writes (task_finish's loop
 * stores through it). */
#include "unit.h"

#include "field.h"

static void test_names_unique_and_found(void **state)
{
    (void)state;
    size_t n;
    const struct field *t = field_table(&n);
    assert_true(n > 30);
    for (size_t i = 0; i < n; i++) {
        assert_ptr_equal(field_find(t[i].name, strlen(t[i].name)), &t[i]);
        for (size_t j = i + 1; j < n; j++)
            assert_string_not_equal(t[i].name, t[j].name);
        assert_true(t[i].off < sizeof(struct record));
    }
    assert_null(field_find("nope", 4));
    assert_null(field_find("url", 2)); /* the whole name */
    assert_null(field_find("URL", 3)); /* case-sensitive */
    assert_non_null(field_find("url_effective!", 13));
}

static void test_order(void **state)
{
    (void)state;
    size_t n;
    const struct field *t = field_table(&n);
    /* the record's fixed keys start with seq and timestamp comes before
     * the keys added after it */
    assert_string_equal(t[0].name, "seq");
    enum field_key last = FIELD_FIXED;
    for (size_t i = 0; i < n; i++) {
        assert_true(t[i].key >= last);
        last = t[i].key;
        /* only fixed keys come from libcurl as they are */
        if (t[i].info != CURLINFO_NONE)
            assert_int_equal(t[i].key, FIELD_FIXED);
    }
    assert_int_equal(last, FIELD_WRITE_OUT);
    assert_true(field_find("timestamp", 9) < field_find("redirect_url", 12));
    assert_true(field_find("time_pretransfer", 16) < field_find("id", 2));
}

static void test_curlinfo_types(void **state)
{
    (void)state;
    size_t n, from_curl = 0;
    const struct field *t = field_table(&n);
    for (size_t i = 0; i < n; i++) {
        if (t[i].info == CURLINFO_NONE)
            continue;
        from_curl++;
        switch (t[i].info & CURLINFO_TYPEMASK) {
        case CURLINFO_LONG:
            assert_int_equal(t[i].type, FIELD_LONG);
            break;
        case CURLINFO_OFF_T: /* stored as int64_t */
            assert_true(t[i].type == FIELD_I64 || t[i].type == FIELD_SECS);
            break;
        case CURLINFO_STRING:
            assert_int_equal(t[i].type, FIELD_STR);
            break;
        default:
            fail_msg("%s: a CURLINFO type the record cannot hold", t[i].name);
        }
    }
    assert_true(from_curl >= 20);
    /* rows as curl's -w documents them */
    assert_int_equal(field_find("time_pretransfer", 16)->info, CURLINFO_PRETRANSFER_TIME_T);
    assert_int_equal(field_find("size_header", 11)->info, CURLINFO_HEADER_SIZE);
    assert_int_equal(field_find("size_request", 12)->info, CURLINFO_REQUEST_SIZE);
    assert_int_equal(field_find("remote_port", 11)->info, CURLINFO_PRIMARY_PORT);
    assert_int_equal(field_find("redirect_url", 12)->info, CURLINFO_REDIRECT_URL);
}

static void test_curl_names(void **state)
{
    (void)state;
    /* curl's --write-out names volley has */
    static const char *const curl[] = {
        "content_type",    "errormsg",
        "exitcode",        "filename_effective",
        "header_json",     "http_code",
        "http_version",    "json",
        "local_ip",        "local_port",
        "method",          "num_connects",
        "num_redirects",   "redirect_url",
        "remote_ip",       "remote_port",
        "response_code",   "scheme",
        "size_download",   "size_header",
        "size_request",    "size_upload",
        "speed_download",  "speed_upload",
        "time_appconnect", "time_connect",
        "time_namelookup", "time_pretransfer",
        "time_redirect",   "time_starttransfer",
        "time_total",      "url",
        "url_effective",
    };
    for (size_t i = 0; i < sizeof curl / sizeof curl[0]; i++)
        if (!field_find(curl[i], strlen(curl[i])))
            fail_msg("curl's %%{%s} is missing", curl[i]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_names_unique_and_found),
        cmocka_unit_test(test_order),
        cmocka_unit_test(test_curlinfo_types),
        cmocka_unit_test(test_curl_names),
    };
    return cmocka_run_group_tests_name("field", tests, NULL, unit_cleanup);
}
