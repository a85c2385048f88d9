/* test_writer: the one writer: the buffered stdout with --order input,
 * --format json and a closed or broken stdout; the counts and the one
 * definition of a failed URL; the exact --fail-fast and --max-failures
 * cut-off; the reports it feeds; the summary and its stop line. */
#include "unit.h"

#include "writer.h"

#include <cjson/cJSON.h>
#include <signal.h>

/* ---- helpers ------------------------------------------------------------ */

/* A passing record, rendered in text as "200 0.012 1024 https://a/SEQ\n". */
static char rec_urls[64][32];

static struct record ok_record(uint64_t seq)
{
    char *url = rec_urls[seq % 64];
    snprintf(url, sizeof rec_urls[0], "https://a/%llu", (unsigned long long)seq);
    return (struct record){
        .seq = seq,
        .input = "urls.txt:1",
        .url = url,
        .url_effective = url,
        .method = "GET",
        .http_code = 200,
        .ok = true,
        .kind = KIND_NONE,
        .error_code = -1,
        .attempts = 1,
        .time_total = 12000,
        .size_download = 1024,
    };
}

/* A record of KIND (not ok). */
static struct record bad_record(uint64_t seq, enum record_kind kind)
{
    struct record r = ok_record(seq);
    r.ok = false;
    r.kind = kind;
    r.http_code = kind == KIND_HTTP ? 500 : 0;
    r.error_code = kind == KIND_HTTP ? -1 : 7;
    r.error_message = "bad";
    return r;
}

struct pipe_out {
    int rd, wr;
    struct writer *w;
    struct report *rep;
};

/* A writer of FMT to a pipe. */
static void pipe_open(struct pipe_out *p, const struct writer_options *base)
{
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    p->rd = fds[0];
    p->wr = fds[1];
    p->rep = report_new();
    struct writer_options o = *base;
    o.out.fd = p->wr;
    o.rep = p->rep;
    p->w = writer_new(&o);
}

static void pipe_open_fmt(struct pipe_out *p, enum output_format fmt, bool order_input,
                          size_t window)
{
    struct writer_options o = {
        .out = {.format = fmt, .order_input = order_input, .window = window},
        .summary_fd = -1,
    };
    pipe_open(p, &o);
}

static void pipe_close(struct pipe_out *p)
{
    writer_free(p->w);
    report_free(p->rep);
    if (p->rd >= 0)
        close(p->rd);
    close(p->wr);
}

static void put(struct writer *w, uint64_t seq)
{
    struct record r = ok_record(seq);
    assert_false(writer_record(w, &r));
}

/* Flush and return what reached the pipe (caller frees). */
static char *flushed(struct pipe_out *p)
{
    assert_int_equal(writer_flush(p->w), WRITER_OK);
    return unit_drain(p->rd, NULL);
}

/* The text lines of the records with the seqs in LIST (0-terminated). */
static char *lines_of(const uint64_t *list)
{
    struct buf b = {0};
    for (; *list; list++)
        buf_addf(&b, "200 0.012 1024 https://a/%llu\n", (unsigned long long)*list);
    char *s = strdup(buf_str(&b));
    buf_free(&b);
    return s;
}

#define assert_flushed(p, ...)                                                                     \
    do {                                                                                           \
        static const uint64_t seqs_[] = {__VA_ARGS__, 0};                                          \
        char *want_ = lines_of(seqs_);                                                             \
        char *got_ = flushed(p);                                                                   \
        assert_string_equal(got_, want_);                                                          \
        free(got_);                                                                                \
        free(want_);                                                                               \
    } while (0)
#define NONE 0

static struct writer_end end_of(int64_t elapsed_us)
{
    return (struct writer_end){.elapsed_us = elapsed_us};
}

/* ---- stdout: order, window, document, flushing -------------------------- */

static void test_completion_order(void **state)
{
    (void)state;
    struct pipe_out p;
    pipe_open_fmt(&p, FORMAT_TEXT, false, 0);
    assert_flushed(&p, NONE);
    put(p.w, 2);
    put(p.w, 1);
    /* nothing is written before a flush */
    char *early = unit_drain(p.rd, NULL);
    assert_string_equal(early, "");
    free(early);
    assert_flushed(&p, 2, 1);
    assert_flushed(&p, NONE); /* the buffer was emptied */
    assert_true(writer_can_accept(p.w, 1000000));
    assert_int_equal(writer_status(p.w), WRITER_OK);
    pipe_close(&p);
}

static void test_order_input(void **state)
{
    (void)state;
    struct pipe_out p;
    pipe_open_fmt(&p, FORMAT_TEXT, true, 0);
    put(p.w, 3);
    put(p.w, 2);
    assert_flushed(&p, NONE); /* held until 1 is out */
    put(p.w, 1);
    assert_flushed(&p, 1, 2, 3);
    put(p.w, 4); /* next in line: not held */
    assert_flushed(&p, 4);
    put(p.w, 6);
    put(p.w, 7);
    assert_flushed(&p, NONE);
    put(p.w, 5);
    put(p.w, 9);
    assert_flushed(&p, 5, 6, 7);
    put(p.w, 8);
    assert_flushed(&p, 8, 9);
    pipe_close(&p);
}

static void test_window(void **state)
{
    (void)state;
    struct pipe_out p;
    pipe_open_fmt(&p, FORMAT_TEXT, true, 20);
    assert_true(writer_can_accept(p.w, 1));
    assert_true(writer_can_accept(p.w, 20));
    assert_false(writer_can_accept(p.w, 21));
    /* fill the window but for its first seq: all held */
    for (uint64_t s = 2; s <= 20; s++)
        put(p.w, s);
    assert_false(writer_can_accept(p.w, 21));
    assert_flushed(&p, NONE);
    put(p.w, 1);
    assert_true(writer_can_accept(p.w, 21));
    assert_true(writer_can_accept(p.w, 40));
    assert_false(writer_can_accept(p.w, 41));
    assert_flushed(&p, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20);
    /* the ring is reused without mixing records up */
    for (uint64_t s = 40; s >= 21; s--)
        put(p.w, s);
    assert_flushed(&p, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39,
                   40);
    /* at least 16 slots whatever was asked */
    pipe_close(&p);
    pipe_open_fmt(&p, FORMAT_TEXT, true, 1);
    assert_true(writer_can_accept(p.w, 16));
    assert_false(writer_can_accept(p.w, 17));
    pipe_close(&p);
}

static void test_json_document(void **state)
{
    (void)state;
    struct pipe_out p;
    pipe_open_fmt(&p, FORMAT_JSON, false, 0); /* json implies input order */
    assert_false(writer_can_accept(p.w, 17));
    uint64_t order[] = {3, 1, 2};
    for (size_t i = 0; i < 3; i++) {
        struct record r = i == 1 ? bad_record(order[i], KIND_DNS) : ok_record(order[i]);
        writer_record(p.w, &r);
    }
    char *early = flushed(&p);
    assert_true(strncmp(early, "{\"results\":[\n{\"seq\":1,", 22) == 0);
    struct buf all = {0};
    buf_adds(&all, early);
    free(early);
    struct writer_end e = end_of(2500000);
    struct buf err = {0};
    assert_true(writer_finish(p.w, &e, &err));
    buf_free(&err);
    size_t len;
    char *rest = unit_drain(p.rd, &len);
    buf_adds(&all, rest);
    free(rest);
    assert_string_equal(all.p + all.len - 2, "}\n");

    cJSON *j = cJSON_Parse(all.p);
    assert_non_null(j);
    assert_string_equal(j->child->string, "results");
    assert_string_equal(j->child->next->string, "summary");
    cJSON *res = cJSON_GetObjectItem(j, "results");
    assert_int_equal(cJSON_GetArraySize(res), 3);
    for (int i = 0; i < 3; i++)
        assert_int_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(res, i), "seq")->valueint, i + 1);
    cJSON *err0 = cJSON_GetObjectItem(cJSON_GetArrayItem(res, 0), "error");
    assert_string_equal(cJSON_GetObjectItem(err0, "kind")->valuestring, "dns");
    cJSON *sum = cJSON_GetObjectItem(j, "summary");
    assert_int_equal(cJSON_GetObjectItem(sum, "urls")->valueint, 3);
    assert_int_equal(cJSON_GetObjectItem(sum, "ok")->valueint, 2);
    assert_int_equal(cJSON_GetObjectItem(sum, "failed")->valueint, 1);
    assert_true(cJSON_GetObjectItem(sum, "elapsed")->valuedouble == 2.5);
    cJSON_Delete(j);
    buf_free(&all);
    pipe_close(&p);
}

static void test_json_empty(void **state)
{
    (void)state;
    struct pipe_out p;
    pipe_open_fmt(&p, FORMAT_JSON, false, 0);
    struct writer_end e = end_of(0);
    struct buf err = {0};
    assert_true(writer_finish(p.w, &e, &err));
    buf_free(&err);
    char *got = unit_drain(p.rd, NULL);
    assert_string_equal(got, "{\"results\":[],\"summary\":{\"urls\":0,\"ok\":0,\"failed\":0,"
                             "\"errors\":{},\"elapsed\":0.000000,\"urls_per_second\":0.0}}\n");
    free(got);
    pipe_close(&p);
}

static void test_jsonl_no_summary_on_stdout(void **state)
{
    (void)state;
    struct pipe_out p;
    pipe_open_fmt(&p, FORMAT_JSONL, false, 0);
    put(p.w, 1);
    struct writer_end e = end_of(1000);
    struct buf err = {0};
    assert_true(writer_finish(p.w, &e, &err));
    buf_free(&err);
    char *got = unit_drain(p.rd, NULL);
    assert_true(strncmp(got, "{\"seq\":1,", 9) == 0);
    assert_null(strstr(got, "summary"));
    assert_int_equal(strchr(got, '\n') - got + 1, (long)strlen(got)); /* one line */
    free(got);
    pipe_close(&p);
}

static void test_closed(void **state)
{
    (void)state;
    void (*old)(int) = signal(SIGPIPE, SIG_IGN);
    struct pipe_out p;
    pipe_open_fmt(&p, FORMAT_TEXT, false, 0);
    put(p.w, 1);
    close(p.rd);
    p.rd = -1;
    assert_int_equal(writer_flush(p.w), WRITER_CLOSED);
    assert_int_equal(writer_status(p.w), WRITER_CLOSED);
    /* sticky: nothing more is written, but records are still counted */
    put(p.w, 2);
    assert_int_equal(writer_flush(p.w), WRITER_CLOSED);
    assert_int_equal(writer_counts(p.w)->urls, 2);
    struct writer_end e = end_of(0);
    struct buf err = {0};
    assert_true(writer_finish(p.w, &e, &err)); /* reports are still written */
    buf_free(&err);
    assert_int_equal(writer_status(p.w), WRITER_CLOSED);
    pipe_close(&p);
    signal(SIGPIPE, old);
}

static void test_error(void **state)
{
    (void)state;
    int fd = open("/dev/full", O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        skip();
    struct report *rep = report_new();
    struct writer_options o = {.out = {.format = FORMAT_TEXT, .fd = fd}, .rep = rep};
    struct writer *w = writer_new(&o);
    put(w, 1);
    assert_int_equal(writer_flush(w), WRITER_ERROR);
    assert_int_equal(writer_status(w), WRITER_ERROR);
    writer_free(w);
    report_free(rep);
    close(fd);
}

/* Records are buffered: written in blocks of 64 KiB, not one write each. */
static void test_flushes_in_blocks(void **state)
{
    (void)state;
    const char *path = unit_text_file("big.out", "");
    int fd = open(path, O_RDWR | O_CLOEXEC);
    assert_true(fd >= 0);
    struct report *rep = report_new();
    struct writer_options o = {.out = {.format = FORMAT_JSONL, .fd = fd}, .rep = rep};
    struct writer *w = writer_new(&o);
    struct stat st;
    uint64_t n = 0;
    do {
        put(w, ++n);
        assert_int_equal(fstat(fd, &st), 0);
        assert_true(n < 10000);
    } while (st.st_size == 0);
    /* the first write came once 64 KiB were queued: many records, whole */
    assert_true(n > 100);
    assert_true(st.st_size >= 64 * 1024);
    lseek(fd, 0, SEEK_SET);
    size_t len;
    char *got = unit_drain(fd, &len);
    assert_int_equal(got[len - 1], '\n');
    size_t lines = 0;
    for (size_t i = 0; i < len; i++)
        lines += got[i] == '\n';
    assert_int_equal(lines, n);
    free(got);
    writer_free(w);
    report_free(rep);
    close(fd);
}

/* ---- counts and the cut-off --------------------------------------------- */

static void test_failed_definition(void **state)
{
    (void)state;
    for (int allow = 0; allow <= 1; allow++) {
        struct pipe_out p;
        struct writer_options o = {
            .out = {.format = FORMAT_JSONL}, .allow_timeouts = allow, .summary_fd = -1};
        pipe_open(&p, &o);
        struct record rs[] = {
            ok_record(1),
            bad_record(2, KIND_HTTP),
            bad_record(3, KIND_CANCELLED),
            bad_record(4, KIND_TIMEOUT),
            bad_record(5, KIND_INPUT),
            bad_record(6, KIND_CHECK),
        };
        for (size_t i = 0; i < sizeof rs / sizeof rs[0]; i++)
            assert_false(writer_record(p.w, &rs[i]));
        const struct output_summary *s = writer_counts(p.w);
        assert_int_equal(s->urls, 6);
        assert_int_equal(s->ok, 1);
        /* not ok, not cancelled, not an allowed timeout */
        assert_int_equal(s->failed, allow ? 3 : 4);
        assert_int_equal(s->by_kind[KIND_CANCELLED], 1);
        assert_int_equal(s->by_kind[KIND_TIMEOUT], 1);
        assert_null(writer_cutoff(p.w));
        pipe_close(&p);
    }
}

/* --max-failures 3: the third failure trips it; every failure after it is
 * recorded as cancelled; passing records and cancelled ones stay as they
 * are. */
static void test_max_failures_exact(void **state)
{
    (void)state;
    struct pipe_out p;
    struct writer_options o = {.out = {.format = FORMAT_JSONL}, .max_failures = 3};
    pipe_open(&p, &o);
    struct record r = bad_record(1, KIND_HTTP);
    assert_false(writer_record(p.w, &r));
    r = bad_record(2, KIND_INPUT);
    assert_false(writer_record(p.w, &r));
    r = ok_record(3);
    assert_false(writer_record(p.w, &r));
    assert_null(writer_cutoff(p.w));
    r = bad_record(4, KIND_CONNECT);
    assert_true(writer_record(p.w, &r)); /* the third */
    const struct writer_cut *cut = writer_cutoff(p.w);
    assert_non_null(cut);
    assert_string_equal(cut->option, "--max-failures");
    assert_string_equal(cut->message, "cancelled by --max-failures");
    /* finished in the same loop pass, after the cut-off */
    r = bad_record(5, KIND_HTTP);
    static const struct check_failure status_failed = {"status", "200", "503"};
    r.checks = &status_failed;
    r.nchecks = 1;
    assert_false(writer_record(p.w, &r));
    r = ok_record(6);
    assert_false(writer_record(p.w, &r));
    r = bad_record(7, KIND_CANCELLED);
    r.error_message = "cancelled by --max-failures";
    assert_false(writer_record(p.w, &r));
    const struct output_summary *s = writer_counts(p.w);
    assert_int_equal(s->urls, 7);
    assert_int_equal(s->failed, 3);
    assert_int_equal(s->ok, 2);
    assert_int_equal(s->by_kind[KIND_HTTP], 1);
    assert_int_equal(s->by_kind[KIND_CANCELLED], 2);

    char *got = flushed(&p);
    cJSON *five = cJSON_Parse(strstr(got, "{\"seq\":5,"));
    assert_non_null(five);
    cJSON *e = cJSON_GetObjectItem(five, "error");
    assert_string_equal(cJSON_GetObjectItem(e, "kind")->valuestring, "cancelled");
    assert_true(cJSON_IsNull(cJSON_GetObjectItem(e, "code")));
    assert_string_equal(cJSON_GetObjectItem(e, "message")->valuestring,
                        "cancelled by --max-failures");
    assert_null(cJSON_GetObjectItem(five, "checks"));
    assert_int_equal(cJSON_GetObjectItem(five, "http_code")->valueint, 500); /* what it got */
    cJSON_Delete(five);
    cJSON *six = cJSON_Parse(strstr(got, "{\"seq\":6,"));
    assert_true(cJSON_IsTrue(cJSON_GetObjectItem(six, "ok")));
    cJSON_Delete(six);
    free(got);
    pipe_close(&p);
}

static void test_fail_fast_exact(void **state)
{
    (void)state;
    struct pipe_out p;
    struct writer_options o = {.out = {.format = FORMAT_TEXT}, .fail_fast = true};
    pipe_open(&p, &o);
    struct record r = bad_record(1, KIND_CANCELLED); /* not a failure */
    assert_false(writer_record(p.w, &r));
    r = bad_record(2, KIND_TIMEOUT);
    assert_true(writer_record(p.w, &r));
    assert_string_equal(writer_cutoff(p.w)->option, "--fail-fast");
    for (uint64_t seq = 3; seq < 10; seq++) {
        r = bad_record(seq, KIND_HTTP);
        assert_false(writer_record(p.w, &r)); /* tripped once only */
    }
    assert_int_equal(writer_counts(p.w)->failed, 1);
    assert_int_equal(writer_counts(p.w)->by_kind[KIND_CANCELLED], 8);
    char *got = flushed(&p);
    assert_non_null(
        strstr(got, "500 0.012 1024 https://a/9 cancelled: cancelled by --fail-fast\n"));
    free(got);
    pipe_close(&p);
}

/* An allowed timeout is no failure, so it never trips the cut-off. */
static void test_allowed_timeouts_do_not_trip(void **state)
{
    (void)state;
    struct pipe_out p;
    struct writer_options o = {
        .out = {.format = FORMAT_TEXT}, .fail_fast = true, .allow_timeouts = true};
    pipe_open(&p, &o);
    struct record r = bad_record(1, KIND_TIMEOUT);
    assert_false(writer_record(p.w, &r));
    assert_null(writer_cutoff(p.w));
    r = bad_record(2, KIND_DNS);
    assert_true(writer_record(p.w, &r));
    pipe_close(&p);
}

/* ---- the summary -------------------------------------------------------- */

static char *stop_line(struct writer_end e)
{
    struct buf b = {0};
    writer_stop_line(&b, &e);
    char *s = strdup(buf_str(&b));
    buf_free(&b);
    return s;
}

#define assert_stop_line(e, want)                                                                  \
    do {                                                                                           \
        char *got_ = stop_line(e);                                                                 \
        assert_string_equal(got_, want);                                                           \
        free(got_);                                                                                \
    } while (0)

static void test_stop_line(void **state)
{
    (void)state;
    assert_stop_line(((struct writer_end){.elapsed_us = 5}), "");
    assert_stop_line(((struct writer_end){
                         .stopped_by = "--deadline", .stopped_after_us = 1000400, .unread = 150}),
                     "  stopped by --deadline after 1.00 s; 150 lines not read\n");
    assert_stop_line(
        ((struct writer_end){.stopped_by = "SIGINT", .stopped_after_us = 2500000, .unread = 1}),
        "  stopped by SIGINT after 2.50 s; 1 line not read\n");
    assert_stop_line(((struct writer_end){.stopped_by = "--max-failures", .unread = 0}),
                     "  stopped by --max-failures after 0.00 s; every line was read\n");
    assert_stop_line(((struct writer_end){.stopped_by = "SIGTERM",
                                          .stopped_after_us = 10000,
                                          .unread = -1,
                                          .unread_source = "stdin"}),
                     "  stopped by SIGTERM after 0.01 s; the rest of stdin was not read\n");
}

/* The summary goes to its fd: the report's lines, then the stop line. */
static void test_print_summary(void **state)
{
    (void)state;
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    struct pipe_out p;
    struct writer_options o = {.out = {.format = FORMAT_TEXT}, .summary_fd = fds[1]};
    pipe_open(&p, &o);
    put(p.w, 1);
    struct record r = bad_record(2, KIND_HTTP);
    writer_record(p.w, &r);
    r = bad_record(3, KIND_CANCELLED);
    writer_record(p.w, &r);
    struct writer_end e = {.elapsed_us = 2000000,
                           .stopped_by = "--deadline",
                           .stopped_after_us = 1000000,
                           .unread = 7};
    struct buf err = {0};
    assert_true(writer_finish(p.w, &e, &err));
    buf_free(&err);
    writer_print_summary(p.w, &e);
    char *got = unit_drain(fds[0], NULL);
    assert_true(strncmp(got, "volley: 3 URLs in 2.00s", 23) == 0);
    /* cancelled URLs are not failed ones */
    assert_non_null(strstr(got, "  ok 1, failed 1: "));
    assert_string_equal(got + strlen(got) -
                            strlen("  stopped by --deadline after 1.00 s; 7 lines "
                                   "not read\n"),
                        "  stopped by --deadline after 1.00 s; 7 lines not read\n");
    free(got);
    pipe_close(&p);
    close(fds[0]);
    close(fds[1]);
}

/* -q (no fd) and a closed stdout: no summary. */
static void test_no_summary(void **state)
{
    (void)state;
    void (*old)(int) = signal(SIGPIPE, SIG_IGN);
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    struct pipe_out p;
    struct writer_options o = {.out = {.format = FORMAT_TEXT}, .summary_fd = fds[1]};
    pipe_open(&p, &o);
    put(p.w, 1);
    close(p.rd);
    p.rd = -1;
    struct writer_end e = end_of(1);
    struct buf err = {0};
    writer_finish(p.w, &e, &err);
    buf_free(&err);
    writer_print_summary(p.w, &e);
    char *got = unit_drain(fds[0], NULL);
    assert_string_equal(got, "");
    free(got);
    pipe_close(&p);

    pipe_open_fmt(&p, FORMAT_TEXT, false, 0); /* summary_fd -1 */
    writer_print_summary(p.w, &e);
    pipe_close(&p);
    close(fds[0]);
    close(fds[1]);
    signal(SIGPIPE, old);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_completion_order),
    cmocka_unit_test(test_order_input),
    cmocka_unit_test(test_window),
    cmocka_unit_test(test_json_document),
    cmocka_unit_test(test_json_empty),
    cmocka_unit_test(test_jsonl_no_summary_on_stdout),
    cmocka_unit_test(test_closed),
    cmocka_unit_test(test_error),
    cmocka_unit_test(test_flushes_in_blocks),
    cmocka_unit_test(test_failed_definition),
    cmocka_unit_test(test_max_failures_exact),
    cmocka_unit_test(test_fail_fast_exact),
    cmocka_unit_test(test_allowed_timeouts_do_not_trip),
    cmocka_unit_test(test_stop_line),
    cmocka_unit_test(test_print_summary),
    cmocka_unit_test(test_no_summary),
};

UNIT_MAIN("writer", tests)
