/* test_sched: the loops' schedulers and the dispatcher driven in-process,
 * as main drives them, with 1, 2 and 4 loops, against the fixture server
 * (started as a child on port 0, stopped by its PID): one record per line
 * read, -j and --per-host as the server sees them, retries and
 * Retry-After, the exact --max-failures cut-off, the one drain on
 * --deadline and on a closed stdout. */
#include "unit.h"

#include "cli.h"
#include "dispatch.h"
#include "input.h"
#include "prepare.h"
#include "writer.h"

#include <cjson/cJSON.h>
#include <curl/curl.h>
#include <event2/thread.h>
#include <signal.h>
#include <sys/wait.h>

#ifndef VOLLEY_FIXTURE
#error "VOLLEY_FIXTURE must name the fixture server binary"
#endif

/* ---- the fixture -------------------------------------------------------- */

static pid_t fix_pid;
static char fix_base[64];  /* http://127.0.0.1:PORT */
static char fix_base2[64]; /* http://127.0.0.2:PORT2, a second origin */
static unsigned fix_port, fix_port2;

static int fixture_start(void **state)
{
    (void)state;
    signal(SIGPIPE, SIG_IGN);
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
        return -1;
    int fds[2];
    if (pipe(fds) != 0)
        return -1;
    fix_pid = fork();
    if (fix_pid < 0)
        return -1;
    if (fix_pid == 0) {
        dup2(fds[1], STDOUT_FILENO);
        close(fds[0]);
        close(fds[1]);
        execl(VOLLEY_FIXTURE, VOLLEY_FIXTURE, "--max-seconds", "120", "--listen", "127.0.0.1",
              "--listen", "127.0.0.2", (char *)NULL);
        _exit(127);
    }
    close(fds[1]);
    FILE *f = fdopen(fds[0], "r");
    if (!f || fscanf(f, "%u %u", &fix_port, &fix_port2) != 2)
        return -1;
    fclose(f);
    snprintf(fix_base, sizeof fix_base, "http://127.0.0.1:%u", fix_port);
    snprintf(fix_base2, sizeof fix_base2, "http://127.0.0.2:%u", fix_port2);
    return 0;
}

static int fixture_stop(void **state)
{
    if (fix_pid > 0) {
        kill(fix_pid, SIGTERM);
        waitpid(fix_pid, NULL, 0);
    }
    curl_global_cleanup();
    return unit_cleanup(state);
}

static size_t collect(char *p, size_t size, size_t n, void *arg)
{
    buf_add(arg, p, size * n);
    return size * n;
}

/* GET PATH from the fixture; its body, parsed as JSON (caller frees). */
static cJSON *fixture_json(const char *path)
{
    struct buf url = {0}, body = {0};
    buf_addf(&url, "%s%s", fix_base, path);
    CURL *h = curl_easy_init();
    assert_non_null(h);
    curl_easy_setopt(h, CURLOPT_URL, url.p);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &body);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, 5000L);
    assert_int_equal(curl_easy_perform(h), CURLE_OK);
    curl_easy_cleanup(h);
    cJSON *j = cJSON_Parse(buf_str(&body));
    buf_free(&url);
    buf_free(&body);
    return j;
}

static void fixture_reset(void)
{
    cJSON_Delete(fixture_json("/stats/reset"));
    cJSON_Delete(fixture_json("/log/reset"));
}

/* The most requests PORT ever had in flight since the reset. */
static int fixture_max_inflight(unsigned port)
{
    cJSON *s = fixture_json("/stats");
    char key[16];
    snprintf(key, sizeof key, "%u", port);
    cJSON *p = cJSON_GetObjectItem(cJSON_GetObjectItem(s, "by_port"), key);
    int n = cJSON_GetObjectItem(p, "max_inflight")->valueint;
    cJSON_Delete(s);
    return n;
}

/* ---- a run -------------------------------------------------------------- */

struct result {
    enum run_end end;
    struct output_summary sum;
    const char *stopped_by; /* static text */
    int64_t stopped_after_us;
    long inflight_after;
    size_t handles; /* easy handles made */
    cJSON *recs;    /* the JSONL records, as an array in the order written */
};

/* The loops of the runs: each test runs with 1, 2 and 4. */
static const char *threads = "1";

/* Run the engine over ARGS (volley's options and --url values, NULL ended;
 * --json -q --threads THREADS added) with stdout on OUT_FD (< 0: a scratch
 * file). */
static void run_sched(struct result *r, int out_fd, const char *const *args)
{
    char *argv[2 * 400 + 16];
    int argc = 0;
    argv[argc++] = strdup("volley");
    argv[argc++] = strdup("--json");
    argv[argc++] = strdup("-q");
    argv[argc++] = strdup("--threads");
    argv[argc++] = strdup(threads);
    for (; *args; args++) {
        assert_true(argc + 1 < (int)(sizeof argv / sizeof argv[0]));
        argv[argc++] = strdup(*args);
    }
    argv[argc] = NULL;
    struct config cfg;
    struct buf err = {0};
    enum cli_result cr = cli_parse(argc, argv, &cfg, stdout, &err);
    if (cr != CLI_RUN)
        fail_msg("cli_parse: %s", buf_str(&err));
    struct report *rep = report_new();
    if (!prepare_config(&cfg, rep, &err))
        fail_msg("prepare_config: %s", buf_str(&err));
    assert_int_equal(cfg.threads, atol(threads) < cfg.parallel ? atol(threads) : cfg.parallel);
    int fd = out_fd;
    if (fd < 0) {
        fd = open(unit_text_file("sched.out", ""), O_RDWR | O_TRUNC | O_CLOEXEC);
        assert_true(fd >= 0);
    }
    struct writer_options wo = {
        .out = {.format = cfg.format, .fd = fd, .window = (size_t)cfg.parallel * 4 + 16},
        .rep = rep,
        .allow_timeouts = cfg.allow_timeouts,
        .fail_fast = cfg.fail_fast,
        .max_failures = cfg.max_failures,
        .summary_fd = -1,
    };
    struct writer *w = writer_new(&wo);
    struct input *in = input_new(cfg.urls, cfg.nurls, cfg.files, cfg.nfiles);
    struct dispatch *d = dispatch_new(&cfg, in, NULL, w, NULL, NULL);

    r->end = dispatch_run(d);
    r->inflight_after = dispatch_inflight(d);
    r->handles = dispatch_handles_made(d);
    r->stopped_by = dispatch_stopped_by(d, &r->stopped_after_us);
    struct writer_end we = {.elapsed_us = dispatch_elapsed_us(d)};
    writer_finish(w, &we, &err);
    uint64_t unwritten;
    dispatch_finish_output(d, &unwritten);
    writer_counts(w, &r->sum);

    writer_free(w);
    dispatch_free(d);
    report_free(rep);
    input_free(in);
    cli_free(&cfg);
    for (int i = 0; i < argc; i++)
        free(argv[i]);
    buf_free(&err);

    r->recs = cJSON_CreateArray();
    if (out_fd < 0) {
        lseek(fd, 0, SEEK_SET);
        char *all = unit_drain(fd, NULL);
        for (char *line = strtok(all, "\n"); line; line = strtok(NULL, "\n")) {
            cJSON *rec = cJSON_Parse(line);
            if (!rec)
                fail_msg("not a JSON record: %s", line);
            cJSON_AddItemToArray(r->recs, rec);
        }
        free(all);
        close(fd);
    }
}

static void run_free(struct result *r)
{
    cJSON_Delete(r->recs);
}

/* The URLs as --url options: "--url", U1, "--url", U2, ... (NULL ended),
 * into V (room for 2 * N + 1 + EXTRA). */
static const char **with_urls(const char **v, size_t at, char urls[][160], size_t n)
{
    for (size_t i = 0; i < n; i++) {
        v[at++] = "--url";
        v[at++] = urls[i];
    }
    v[at] = NULL;
    return v;
}

static const char *rec_str(const cJSON *rec, const char *key)
{
    const cJSON *v = cJSON_GetObjectItem(rec, key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static int rec_int(const cJSON *rec, const char *key)
{
    return cJSON_GetObjectItem(rec, key)->valueint;
}

static const char *rec_kind(const cJSON *rec)
{
    const cJSON *e = cJSON_GetObjectItem(rec, "error");
    return cJSON_IsNull(e) ? "none" : cJSON_GetObjectItem(e, "kind")->valuestring;
}

/* Every record's seq is distinct and they are exactly 1..N. */
static void assert_seqs_complete(const struct result *r)
{
    int n = cJSON_GetArraySize(r->recs);
    bool *seen = calloc((size_t)n + 1, 1);
    const cJSON *rec;
    cJSON_ArrayForEach(rec, r->recs)
    {
        int seq = rec_int(rec, "seq");
        assert_true(seq >= 1 && seq <= n);
        assert_false(seen[seq]);
        seen[seq] = true;
    }
    free(seen);
    assert_int_equal(r->sum.urls, (uint64_t)n);
    assert_int_equal(r->inflight_after, 0);
}

/* ---- the tests ---------------------------------------------------------- */

static char urls[400][160];

/* One record per line read, bad lines included; -j as the server sees it. */
static void test_every_line_one_record(void **state)
{
    (void)state;
    fixture_reset();
    size_t n = 0;
    for (int i = 0; i < 60; i++)
        snprintf(urls[n++], sizeof urls[0], "%s/delay/20?i=%d", fix_base, i);
    snprintf(urls[n++], sizeof urls[0], "ftp://x/");
    snprintf(urls[n++], sizeof urls[0], "{\"url\": 1}");
    snprintf(urls[n++], sizeof urls[0], "{\"url\": \"%s/ok?spec\", \"method\": \"HEAD\"}",
             fix_base);
    const char *v[2 * 400 + 8] = {"-j", "8"};
    struct result r;
    run_sched(&r, -1, with_urls(v, 2, urls, n));
    assert_int_equal(r.end, RUN_DONE);
    assert_null(r.stopped_by);
    assert_int_equal(cJSON_GetArraySize(r.recs), 63);
    assert_seqs_complete(&r);
    assert_int_equal(r.sum.ok, 61);
    assert_int_equal(r.sum.failed, 2);
    assert_int_equal(r.sum.by_kind[KIND_INPUT], 2);
    const cJSON *rec;
    cJSON_ArrayForEach(rec, r.recs)
    {
        if (strcmp(rec_kind(rec), "input") == 0)
            assert_int_equal(rec_int(rec, "attempts"), 0);
        if (strstr(rec_str(rec, "url"), "?spec"))
            assert_string_equal(rec_str(rec, "method"), "HEAD");
    }
    assert_int_equal(fixture_max_inflight(fix_port), 8);
    /* one pool for every loop: no more handles than were ever in flight */
    assert_true(r.handles >= 1 && r.handles <= 8);
    run_free(&r);
}

/* --per-host: each origin at most N in flight, and both busy at once. */
static void test_per_host(void **state)
{
    (void)state;
    fixture_reset();
    size_t n = 0;
    for (int i = 0; i < 20; i++) {
        snprintf(urls[n++], sizeof urls[0], "%s/delay/30?a=%d", fix_base, i);
        snprintf(urls[n++], sizeof urls[0], "%s/delay/30?b=%d", fix_base2, i);
    }
    const char *v[2 * 400 + 8] = {"-j", "10", "--per-host", "3"};
    struct result r;
    run_sched(&r, -1, with_urls(v, 4, urls, n));
    assert_int_equal(r.end, RUN_DONE);
    assert_seqs_complete(&r);
    assert_int_equal(r.sum.ok, 40);
    assert_int_equal(fixture_max_inflight(fix_port), 3);
    assert_int_equal(fixture_max_inflight(fix_port2), 3);
    run_free(&r);
}

/* Retries wait on timers and come back; Retry-After (read by task_finish)
 * sets the wait. */
static void test_retries(void **state)
{
    (void)state;
    fixture_reset();
    snprintf(urls[0], sizeof urls[0], "%s/flaky/2/sched-k1", fix_base);
    snprintf(urls[1], sizeof urls[0], "%s/retry-after/503/1/sched-k2", fix_base);
    snprintf(urls[2], sizeof urls[0], "%s/status/404", fix_base); /* not transient */
    const char *v[16] = {"--retry", "3", "--retry-delay", "0.001", "--retry-max-delay", "5"};
    struct result r;
    run_sched(&r, -1, with_urls(v, 6, urls, 3));
    assert_int_equal(r.end, RUN_DONE);
    assert_seqs_complete(&r);
    const cJSON *rec;
    cJSON_ArrayForEach(rec, r.recs)
    {
        const char *u = rec_str(rec, "url");
        if (strstr(u, "flaky")) {
            assert_string_equal(rec_kind(rec), "none");
            assert_int_equal(rec_int(rec, "attempts"), 3);
        } else if (strstr(u, "retry-after")) {
            assert_string_equal(rec_kind(rec), "none");
            assert_int_equal(rec_int(rec, "attempts"), 2);
        } else {
            assert_string_equal(rec_kind(rec), "http");
            assert_int_equal(rec_int(rec, "attempts"), 1);
        }
    }
    /* the second attempt came after the server's Retry-After: 1 s, not
     * the 1 ms backoff */
    cJSON *log = fixture_json("/log");
    double t[2];
    int k = 0;
    cJSON_ArrayForEach(rec, log)
    {
        if (strstr(rec_str(rec, "path"), "sched-k2") && k < 2)
            t[k++] = cJSON_GetObjectItem(rec, "t_ms")->valuedouble;
    }
    assert_int_equal(k, 2);
    assert_true(t[1] - t[0] >= 950);
    cJSON_Delete(log);
    run_free(&r);
}

/* Many fast failures finish in one loop pass: exactly N are recorded. */
static void test_max_failures_exact(void **state)
{
    (void)state;
    for (int i = 0; i < 300; i++)
        snprintf(urls[i], sizeof urls[0], "%s/status/500?m=%d", fix_base, i);
    for (int round = 0; round < 3; round++) {
        const char *v[2 * 400 + 8] = {"-j", "50", "--max-failures", "10"};
        struct result r;
        run_sched(&r, -1, with_urls(v, 4, urls, 300));
        assert_int_equal(r.end, RUN_FAILURES);
        assert_string_equal(r.stopped_by, "--max-failures");
        assert_seqs_complete(&r);
        assert_int_equal(r.sum.failed, 10);
        assert_int_equal(r.sum.by_kind[KIND_HTTP], 10);
        assert_int_equal(r.sum.by_kind[KIND_CANCELLED], r.sum.urls - 10);
        assert_true(r.sum.urls < 300); /* the rest was never read */
        run_free(&r);
    }
}

/* The loops borrow their easy handles from one pool: however the load
 * moves between them (transfers of uneven lengths), the handles made are
 * at most -j. (With a pool per loop, each loop kept as many as it once had
 * in flight: up to -j each.) */
static void test_handles_shared(void **state)
{
    (void)state;
    fixture_reset();
    for (int i = 0; i < 300; i++)
        snprintf(urls[i], sizeof urls[0], "%s/delay/%d?h=%d", fix_base, (i * 7) % 23, i);
    const char *v[2 * 400 + 8] = {"-j", "8"};
    struct result r;
    run_sched(&r, -1, with_urls(v, 2, urls, 300));
    assert_int_equal(r.end, RUN_DONE);
    assert_int_equal(r.sum.ok, 300);
    assert_int_equal(fixture_max_inflight(fix_port), 8);
    assert_true(r.handles >= 1 && r.handles <= 8);
    run_free(&r);
}

/* --deadline: the drain ends every task held, with its record. */
static void test_deadline_drains(void **state)
{
    (void)state;
    fixture_reset();
    for (int i = 0; i < 20; i++)
        snprintf(urls[i], sizeof urls[0], "%s/delay/5000?d=%d", fix_base, i);
    const char *v[2 * 400 + 8] = {"-j", "3", "--deadline", "0.2", "--retry", "1"};
    struct result r;
    run_sched(&r, -1, with_urls(v, 6, urls, 20));
    assert_int_equal(r.end, RUN_DEADLINE);
    assert_string_equal(r.stopped_by, "--deadline");
    /* libevent's timers run on the coarse monotonic clock (a few ms) */
    assert_true(r.stopped_after_us >= 190000 && r.stopped_after_us < 2000000);
    assert_seqs_complete(&r);
    assert_true(r.sum.urls >= 3 && r.sum.urls < 20);
    int aborted = 0;
    const cJSON *rec;
    cJSON_ArrayForEach(rec, r.recs)
    {
        assert_string_equal(rec_kind(rec), "cancelled");
        const cJSON *e = cJSON_GetObjectItem(rec, "error");
        assert_string_equal(rec_str(e, "message"), "cancelled by --deadline");
        if (rec_int(rec, "attempts") == 1) {
            aborted++;
            assert_int_equal(cJSON_GetObjectItem(e, "code")->valueint, 42);
        } else {
            assert_int_equal(rec_int(rec, "attempts"), 0);
            assert_true(cJSON_IsNull(cJSON_GetObjectItem(e, "code")));
        }
    }
    assert_int_equal(aborted, 3);
    assert_int_equal(r.sum.failed, 0);
    run_free(&r);
}

/* stdout gone: the run stops, the drain writes nothing more. */
static void test_stdout_closed(void **state)
{
    (void)state;
    for (int i = 0; i < 300; i++)
        snprintf(urls[i], sizeof urls[0], "%s/delay/10?c=%d", fix_base, i);
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    close(fds[0]); /* no reader */
    const char *v[2 * 400 + 8] = {"-j", "20"};
    struct result r;
    run_sched(&r, fds[1], with_urls(v, 2, urls, 300));
    assert_int_equal(r.end, RUN_CLOSED);
    assert_int_equal(r.inflight_after, 0);
    assert_true(r.sum.urls < 300);
    close(fds[1]);
    run_free(&r);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_every_line_one_record),
    cmocka_unit_test(test_per_host),
    cmocka_unit_test(test_retries),
    cmocka_unit_test(test_max_failures_exact),
    cmocka_unit_test(test_handles_shared),
    cmocka_unit_test(test_deadline_drains),
    cmocka_unit_test(test_stdout_closed),
};

int main(void)
{
    if (evthread_use_pthreads() != 0) /* the loops wake each other's bases */
        return 1;
    static const char *const loops[] = {"1", "2", "4"};
    int failed = 0;
    for (size_t i = 0; i < sizeof loops / sizeof loops[0]; i++) {
        threads = loops[i];
        char name[32];
        snprintf(name, sizeof name, "sched --threads %s", threads);
        failed += cmocka_run_group_tests_name(name, tests, fixture_start, fixture_stop);
    }
    return failed;
}
