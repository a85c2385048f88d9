/* test_sink: stdout's thread: bytes arrive whole and in order, the backlog
 * and the records not yet written are counted, room and drain are told
 * once each, a closed reader (EPIPE) and a broken stdout stop it for good,
 * and a reader that stopped reading never blocks the caller: the sink
 * gives up on it when freed, with the records it could not write counted
 * (the 2 s rule's parts). Idle, it sees a pipe's reader go without
 * writing; and it draws the status line around each block of records. */
#include "unit.h"

#include "sink.h"

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <time.h>

struct told {
    atomic_int ev[3];
};

static void notify(void *arg, enum sink_event ev)
{
    struct told *t = arg;
    atomic_fetch_add(&t->ev[ev], 1);
}

static struct sink *sink_on(int fd, struct told *t)
{
    for (int i = 0; i < 3; i++)
        atomic_init(&t->ev[i], 0);
    struct sink_options o = {.fd = fd, .notify = notify, .arg = t};
    return sink_new(&o);
}

/* N records of LEN bytes each ("x...x\n") into B and E. */
static void records(struct buf *b, struct sink_ends *e, int n, size_t len, char c)
{
    for (int i = 0; i < n; i++) {
        for (size_t k = 0; k + 1 < len; k++)
            buf_addc(b, c);
        buf_addc(b, '\n');
        sink_ends_add(e, b->len);
    }
}

static void test_writes_in_order(void **state)
{
    (void)state;
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    struct told t;
    struct sink *s = sink_on(fds[1], &t);
    struct buf b = {0};
    struct sink_ends e = {0};
    records(&b, &e, 3, 10, 'a');
    sink_put(s, &b, &e);
    assert_int_equal(b.len, 0);
    assert_int_equal(e.n, 0);
    records(&b, &e, 2, 5, 'b');
    sink_put(s, &b, &e);
    assert_true(sink_sync(s, 5000));
    assert_int_equal(sink_backlog(s), 0);
    assert_int_equal(sink_unwritten(s), 0);
    assert_int_equal(sink_status(s), SINK_OK);
    char *got = unit_drain(fds[0], NULL);
    assert_string_equal(got, "aaaaaaaaa\naaaaaaaaa\naaaaaaaaa\nbbbb\nbbbb\n");
    free(got);
    assert_true(sink_want_drained(s)); /* nothing left: true at once */
    sink_free(s);
    buf_free(&b);
    sink_ends_free(&e);
    close(fds[0]);
    close(fds[1]);
}

static void test_closed_reader(void **state)
{
    (void)state;
    void (*old)(int) = signal(SIGPIPE, SIG_IGN);
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    close(fds[0]);
    struct told t;
    struct sink *s = sink_on(fds[1], &t);
    struct buf b = {0};
    struct sink_ends e = {0};
    records(&b, &e, 1, 10, 'a');
    sink_put(s, &b, &e);
    assert_true(sink_sync(s, 5000));
    assert_int_equal(sink_status(s), SINK_CLOSED);
    assert_int_equal(atomic_load(&t.ev[SINK_STOPPED]), 1);
    /* sticky: later bytes are dropped */
    records(&b, &e, 1, 10, 'b');
    sink_put(s, &b, &e);
    assert_int_equal(sink_backlog(s), 0);
    assert_true(sink_want_room(s, 0));
    sink_free(s);
    buf_free(&b);
    sink_ends_free(&e);
    close(fds[1]);
    signal(SIGPIPE, old);
}

static void test_broken(void **state)
{
    (void)state;
    int fd = open("/dev/full", O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        skip();
    struct told t;
    struct sink *s = sink_on(fd, &t);
    struct buf b = {0};
    struct sink_ends e = {0};
    records(&b, &e, 1, 10, 'a');
    sink_put(s, &b, &e);
    assert_true(sink_sync(s, 5000));
    assert_int_equal(sink_status(s), SINK_ERROR);
    assert_int_equal(atomic_load(&t.ev[SINK_STOPPED]), 1);
    sink_free(s);
    buf_free(&b);
    sink_ends_free(&e);
    close(fd);
}

/* A reader that stopped: the caller never waits, the backlog and the
 * unwritten records are counted; when it reads again, room and drain are
 * told; a sink freed while stuck gives up at once. */
static void test_stuck_reader(void **state)
{
    (void)state;
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    struct told t;
    struct sink *s = sink_on(fds[1], &t);
    struct buf b = {0};
    struct sink_ends e = {0};
    /* 200 records of 1 KiB: far more than a pipe holds (64 KiB) */
    records(&b, &e, 200, 1024, 'a');
    sink_put(s, &b, &e);
    records(&b, &e, 100, 1024, 'b');
    sink_put(s, &b, &e); /* while the thread is stuck: never blocks */
    assert_false(sink_sync(s, 100));
    size_t backlog = sink_backlog(s);
    uint64_t unwritten = sink_unwritten(s);
    assert_true(backlog > 200 * 1024);
    assert_true(backlog <= 300 * 1024 - 16 * 1024); /* the pipe took a piece or more */
    assert_true(unwritten >= backlog / 1024 && unwritten <= backlog / 1024 + 1);
    assert_false(sink_want_room(s, 16 * 1024));
    assert_false(sink_want_drained(s));
    /* the reader reads: everything arrives, and each event is told once */
    size_t total = 0;
    char tmp[65536];
    while (total < 300 * 1024) {
        ssize_t n = read(fds[0], tmp, sizeof tmp);
        assert_true(n > 0);
        total += (size_t)n;
    }
    assert_true(sink_sync(s, 5000));
    assert_int_equal(sink_unwritten(s), 0);
    assert_int_equal(atomic_load(&t.ev[SINK_ROOM]), 1);
    assert_int_equal(atomic_load(&t.ev[SINK_DRAINED]), 1);
    /* stuck again, then given up on */
    records(&b, &e, 300, 1024, 'c');
    sink_put(s, &b, &e);
    assert_false(sink_sync(s, 100));
    assert_true(sink_unwritten(s) > 200);
    sink_free(s); /* cuts the write short: returns although nobody reads */
    buf_free(&b);
    sink_ends_free(&e);
    close(fds[0]);
    close(fds[1]);
}

/* Records of no bytes (an empty -w template) are never waited for. */
static void test_empty_records(void **state)
{
    (void)state;
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    struct told t;
    struct sink *s = sink_on(fds[1], &t);
    struct buf b = {0};
    struct sink_ends e = {0};
    sink_put(s, &b, &e);
    assert_true(sink_sync(s, 1000));
    assert_int_equal(sink_unwritten(s), 0);
    sink_free(s);
    buf_free(&b);
    sink_ends_free(&e);
    close(fds[0]);
    close(fds[1]);
}

static void test_reader_gone_idle(void **state)
{
    (void)state;
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    struct told t;
    struct sink *s = sink_on(fds[1], &t);
    close(fds[0]); /* nothing handed over: only watching can see it */
    for (int i = 0; i < 500 && !atomic_load(&t.ev[SINK_STOPPED]); i++)
        nanosleep(&(struct timespec){0, 10 * 1000 * 1000}, NULL);
    assert_int_equal(atomic_load(&t.ev[SINK_STOPPED]), 1);
    assert_int_equal(sink_status(s), SINK_CLOSED);
    assert_true(sink_want_drained(s));
    sink_free(s);
    close(fds[1]);
}

static void test_status_line(void **state)
{
    (void)state;
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    struct sink_options o = {.fd = fds[1], .status_fd = fds[1]};
    struct sink *s = sink_new(&o);
    sink_status_line(s, "1/2 URLs", 8);
    assert_true(sink_sync(s, 5000)); /* drawn */
    struct buf b = {0};
    struct sink_ends e = {0};
    records(&b, &e, 2, 3, 'r');
    sink_put(s, &b, &e);
    assert_true(sink_sync(s, 5000)); /* erased, the records, drawn again */
    sink_status_line(s, "2/2 URLs", 8);
    assert_true(sink_sync(s, 5000));
    sink_status_line(s, "", 0); /* erased for good */
    assert_true(sink_sync(s, 5000));
    records(&b, &e, 1, 3, 's');
    sink_put(s, &b, &e);
    assert_true(sink_sync(s, 5000)); /* nothing to erase or draw */
    char *got = unit_drain(fds[0], NULL);
    assert_string_equal(got, "\r\033[K1/2 URLs\r\033[Krr\nrr\n\r\033[K1/2 URLs"
                             "\r\033[K2/2 URLs\r\033[Kss\n");
    free(got);
    sink_free(s);
    buf_free(&b);
    sink_ends_free(&e);
    close(fds[0]);
    close(fds[1]);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_writes_in_order), cmocka_unit_test(test_closed_reader),
    cmocka_unit_test(test_broken),          cmocka_unit_test(test_stuck_reader),
    cmocka_unit_test(test_empty_records),   cmocka_unit_test(test_reader_gone_idle),
    cmocka_unit_test(test_status_line),
};

UNIT_MAIN("sink", tests)
