/* test_progress: the progress line's text (counts, percentage, rate, ETA,
 * durations past an hour, an unknown total), and the line drawn from a
 * libevent timer with the counts of its callback, then erased. */
#include "unit.h"

#include "progress.h"

static void assert_line(struct progress_counts c, int64_t total, const char *want)
{
    struct buf b = {0};
    progress_line(&b, &c, total);
    assert_string_equal(buf_str(&b), want);
    buf_free(&b);
}

static void test_line(void **state)
{
    (void)state;
    assert_line(
        (struct progress_counts){.done = 3, .failed = 1, .inflight = 2, .elapsed_us = 3000000}, 10,
        "3/10 URLs  30%  1/s  2 in flight  1 failed  0:03  ETA 0:07");
    /* the total unknown (stdin): no share, no ETA */
    assert_line((struct progress_counts){.done = 3, .inflight = 2, .elapsed_us = 3000000}, -1,
                "3 URLs  1/s  2 in flight  0 failed  0:03");
    /* done: no ETA */
    assert_line((struct progress_counts){.done = 10, .elapsed_us = 2000000}, 10,
                "10/10 URLs 100%  5/s  0 in flight  0 failed  0:02");
    /* at the start: no rate yet, so no ETA */
    assert_line((struct progress_counts){0}, 20,
                "0/20 URLs   0%  0/s  0 in flight  0 failed  0:00");
    /* an empty list */
    assert_line((struct progress_counts){0}, 0, "0/0 URLs  0/s  0 in flight  0 failed  0:00");
    /* past an hour: H:MM:SS; the ETA rounds to the second */
    assert_line(
        (struct progress_counts){
            .done = 1000, .failed = 12, .inflight = 50, .elapsed_us = 3725000000},
        3000, "1000/3000 URLs  33%  0/s  50 in flight  12 failed  1:02:05  ETA 2:04:10");
    assert_line((struct progress_counts){.done = 1, .elapsed_us = 1500000}, 4,
                "1/4 URLs  25%  1/s  0 in flight  0 failed  0:01  ETA 0:05");
}

struct fake {
    int calls;
    struct progress_counts c;
};

static void fake_counts(void *arg, struct progress_counts *c)
{
    struct fake *f = arg;
    f->calls++;
    c->done = f->c.done;
    c->failed = f->c.failed;
    c->inflight = f->c.inflight;
}

/* Drawn on the fd when its timer fires, "\r" and erase first; erased when
 * freed after drawing. */
static void test_drawn_and_erased(void **state)
{
    (void)state;
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    struct event_base *base = event_base_new();
    assert_non_null(base);
    struct fake f = {.c = {.done = 4, .failed = 1, .inflight = 3}};
    struct progress *p = progress_new(base, fds[1], 8, fake_counts, &f);
    char *none = unit_drain(fds[0], NULL);
    assert_string_equal(none, ""); /* nothing before the first tick */
    free(none);
    assert_int_equal(event_base_loop(base, EVLOOP_ONCE), 0); /* the 250 ms tick */
    assert_int_equal(f.calls, 1);
    char *got = unit_drain(fds[0], NULL);
    assert_true(strncmp(got, "\r\033[K4/8 URLs  50%  ", 19) == 0);
    assert_non_null(strstr(got, "  3 in flight  1 failed  0:00"));
    assert_null(strchr(got, '\n'));
    free(got);
    progress_free(p);
    got = unit_drain(fds[0], NULL);
    assert_string_equal(got, "\r\033[K");
    free(got);

    /* never drawn: nothing to erase */
    p = progress_new(base, fds[1], -1, fake_counts, &f);
    progress_free(p);
    got = unit_drain(fds[0], NULL);
    assert_string_equal(got, "");
    free(got);
    event_base_free(base);
    close(fds[0]);
    close(fds[1]);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_line),
    cmocka_unit_test(test_drawn_and_erased),
};

UNIT_MAIN("progress", tests)
