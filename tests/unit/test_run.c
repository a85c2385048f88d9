/* test_run: what the loops share: the -j slots (exact under threads, the
 * wait queue, the fair share, no lost wake-up), the --rate clock (starts
 * spaced even when claimed from several threads), the read-ahead count and
 * its wake-ups, and the first-wins cancellation that wakes everyone. */
#include "unit.h"

#include "clock.h"
#include "run.h"

#include <pthread.h>
#include <stdatomic.h>

/* A waker that counts. */
struct counter {
    atomic_int n;
};

static void count(void *arg)
{
    struct counter *c = arg;
    atomic_fetch_add(&c->n, 1);
}

static struct run_waker counting(struct counter *c)
{
    atomic_init(&c->n, 0);
    return (struct run_waker){count, c};
}

/* ---- slots -------------------------------------------------------------- */

static void test_slots_exact(void **state)
{
    (void)state;
    struct run r;
    struct counter dc, ca;
    run_init(&r, 3, 0, counting(&dc));
    struct run_member a = {0};
    run_member_add(&r, &a, counting(&ca));
    assert_int_equal(run_slots_take(&r, &a, 5), 3); /* never more than -j */
    assert_int_equal(run_slots_used(&r), 3);
    assert_true(atomic_load(&a.queued)); /* it waits for the other two */
    run_slots_give(&r, &a, 1);
    assert_int_equal(run_slots_used(&r), 2);
    /* the pass's end hands the free slot to the waiter (itself) and wakes it */
    run_slots_settle(&r, &a, true);
    assert_int_equal(atomic_load(&ca.n), 1);
    assert_int_equal(run_slots_take(&r, &a, 1), 1);
    assert_int_equal(run_slots_used(&r), 3);
    run_slots_give(&r, &a, 3);
    run_slots_settle(&r, &a, false);
    assert_false(atomic_load(&a.queued));
    assert_int_equal(run_slots_used(&r), 0);
    run_member_leave(&r, &a);
    run_destroy(&r);
}

/* A loop beyond its share takes no free slot while another one waits: the
 * slot goes to the waiter, which is woken. */
static void test_slots_fair_share(void **state)
{
    (void)state;
    struct run r;
    struct counter dc, ca, cb;
    run_init(&r, 4, 0, counting(&dc));
    struct run_member a = {0}, b = {0};
    run_member_add(&r, &a, counting(&ca));
    run_member_add(&r, &b, counting(&cb));
    assert_int_equal(run_slots_take(&r, &a, 4), 4); /* alone: all of them */
    assert_int_equal(run_slots_take(&r, &b, 2), 0); /* none left: B waits */
    assert_true(atomic_load(&b.queued));
    run_slots_give(&r, &a, 1); /* A's transfer ended; A holds 3 of a share of 2 */
    assert_int_equal(run_slots_take(&r, &a, 1), 0);
    run_slots_settle(&r, &a, true);
    assert_int_equal(atomic_load(&cb.n), 1); /* B was handed the slot */
    assert_int_equal(run_slots_take(&r, &b, 2), 1);
    run_slots_give(&r, &a, 1);
    run_slots_settle(&r, &a, true);
    assert_int_equal(atomic_load(&cb.n), 2);
    assert_int_equal(run_slots_take(&r, &b, 1), 1);
    assert_false(atomic_load(&b.queued)); /* its two are in hand */
    /* A no longer waits (its pump found nothing more to start); with no
     * one waiting, a loop takes a slot it gave back itself */
    run_slots_settle(&r, &a, false);
    assert_false(atomic_load(&a.queued));
    run_slots_give(&r, &b, 1);
    run_slots_settle(&r, &b, false);
    assert_int_equal(atomic_load(&ca.n), 0);
    assert_int_equal(run_slots_take(&r, &b, 1), 1);
    assert_int_equal(run_slots_used(&r), 4);
    run_slots_give(&r, &a, 2);
    run_slots_give(&r, &b, 2);
    run_member_leave(&r, &a);
    run_member_leave(&r, &b);
    assert_int_equal(run_slots_used(&r), 0);
    run_destroy(&r);
}

/* Loops given tasks count in the share before they ask: the first one to
 * ask takes its share, not every slot, and the pass's end hands none beyond
 * a share while another has tasks it has not looked at. */
static void test_slots_fresh(void **state)
{
    (void)state;
    struct run r;
    struct counter dc, ca, cb;
    run_init(&r, 10, 0, counting(&dc));
    struct run_member a = {0}, b = {0};
    run_member_add(&r, &a, counting(&ca));
    run_member_add(&r, &b, counting(&cb));
    run_loaded(&r, &a, 20); /* a batch for each, before either sees it */
    run_loaded(&r, &b, 20);
    assert_int_equal(run_slots_take(&r, &a, 20), 5);
    run_loaded(&r, &a, -20);
    run_slots_settle(&r, &a, true);
    assert_int_equal(atomic_load(&a.granted), 0); /* B has not looked yet */
    assert_int_equal(run_slots_used(&r), 5);
    assert_int_equal(run_slots_take(&r, &b, 20), 5);
    run_loaded(&r, &b, -20);
    run_slots_settle(&r, &b, true);
    assert_int_equal(run_slots_used(&r), 10);
    /* alone with tasks, a loop may take every slot */
    run_slots_settle(&r, &a, false); /* neither waits any more */
    run_slots_give(&r, &b, 5);
    run_slots_settle(&r, &b, false);
    run_slots_give(&r, &a, 5);
    run_slots_settle(&r, &a, false);
    assert_int_equal(run_slots_used(&r), 0);
    run_loaded(&r, &a, 30);
    assert_int_equal(run_slots_take(&r, &a, 30), 10);
    run_loaded(&r, &a, -30);
    run_slots_give(&r, &a, 10);
    run_slots_settle(&r, &a, false);
    run_member_leave(&r, &a);
    run_member_leave(&r, &b);
    assert_int_equal(run_slots_used(&r), 0);
    run_destroy(&r);
}

/* Handed slots a loop no longer wants go back when it leaves. */
static void test_slots_leave(void **state)
{
    (void)state;
    struct run r;
    struct counter dc, ca, cb;
    run_init(&r, 1, 0, counting(&dc));
    struct run_member a = {0}, b = {0};
    run_member_add(&r, &a, counting(&ca));
    run_member_add(&r, &b, counting(&cb));
    assert_int_equal(run_slots_take(&r, &a, 1), 1);
    assert_int_equal(run_slots_take(&r, &b, 1), 0);
    run_slots_give(&r, &a, 1);
    run_slots_settle(&r, &a, false);
    assert_int_equal(atomic_load(&b.granted), 1);
    run_member_leave(&r, &b); /* it ends without taking it */
    assert_int_equal(run_slots_used(&r), 0);
    assert_int_equal(run_slots_take(&r, &a, 1), 1);
    run_slots_give(&r, &a, 1);
    run_member_leave(&r, &a);
    run_destroy(&r);
}

/* Threads: loops that take, hold and give slots at random. The slots held
 * never exceed -j, and no loop that waits is forgotten (each finishes its
 * rounds; a lost wake-up would leave it waiting past the timeout). */
#define STRESS_LOOPS 6
#define STRESS_ROUNDS 3000

struct stress_loop {
    struct run *r;
    struct run_member m;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    bool woken;
    uint64_t rng;
    atomic_long *held_total;
    atomic_long *max_total;
    int lost; /* waits that timed out */
};

static void stress_wake(void *arg)
{
    struct stress_loop *l = arg;
    pthread_mutex_lock(&l->lock);
    l->woken = true;
    pthread_cond_signal(&l->cond);
    pthread_mutex_unlock(&l->lock);
}

static uint32_t stress_rand(struct stress_loop *l)
{
    l->rng ^= l->rng << 13;
    l->rng ^= l->rng >> 7;
    l->rng ^= l->rng << 17;
    return (uint32_t)l->rng;
}

static void *stress_main(void *arg)
{
    struct stress_loop *l = arg;
    long held = 0;
    for (int round = 0; round < STRESS_ROUNDS; round++) {
        long want = 1 + (long)(stress_rand(l) % 4);
        long got = run_slots_take(l->r, &l->m, want);
        held += got;
        long total = atomic_fetch_add(l->held_total, got) + got;
        long max = atomic_load(l->max_total);
        while (total > max && !atomic_compare_exchange_weak(l->max_total, &max, total))
            ;
        bool starved = got < want;
        long give = held ? 1 + (long)(stress_rand(l) % (unsigned long)held) : 0;
        atomic_fetch_sub(l->held_total, give);
        run_slots_give(l->r, &l->m, give);
        held -= give;
        run_slots_settle(l->r, &l->m, starved && held == 0);
        if (starved && held == 0) { /* nothing in flight: only a wake-up helps */
            pthread_mutex_lock(&l->lock);
            struct timespec until;
            clock_gettime(CLOCK_REALTIME, &until);
            until.tv_sec += 5;
            while (!l->woken && atomic_load(&l->m.granted) == 0)
                if (pthread_cond_timedwait(&l->cond, &l->lock, &until) != 0) {
                    l->lost++;
                    break;
                }
            l->woken = false;
            pthread_mutex_unlock(&l->lock);
        }
    }
    atomic_fetch_sub(l->held_total, held);
    run_slots_give(l->r, &l->m, held);
    run_member_leave(l->r, &l->m);
    return NULL;
}

static void test_slots_threads(void **state)
{
    (void)state;
    struct run r;
    struct counter dc;
    run_init(&r, 5, 0, counting(&dc));
    atomic_long held_total, max_total;
    atomic_init(&held_total, 0);
    atomic_init(&max_total, 0);
    struct stress_loop loops[STRESS_LOOPS];
    for (int i = 0; i < STRESS_LOOPS; i++) {
        struct stress_loop *l = &loops[i];
        memset(l, 0, sizeof *l);
        l->r = &r;
        pthread_mutex_init(&l->lock, NULL);
        pthread_cond_init(&l->cond, NULL);
        l->rng = 0x9E3779B97F4A7C15ULL * (uint64_t)(i + 1);
        l->held_total = &held_total;
        l->max_total = &max_total;
        run_member_add(&r, &l->m, (struct run_waker){stress_wake, l});
    }
    pthread_t t[STRESS_LOOPS];
    for (int i = 0; i < STRESS_LOOPS; i++)
        assert_int_equal(pthread_create(&t[i], NULL, stress_main, &loops[i]), 0);
    for (int i = 0; i < STRESS_LOOPS; i++)
        pthread_join(t[i], NULL);
    for (int i = 0; i < STRESS_LOOPS; i++) {
        assert_int_equal(loops[i].lost, 0);
        pthread_mutex_destroy(&loops[i].lock);
        pthread_cond_destroy(&loops[i].cond);
    }
    assert_true(atomic_load(&max_total) <= 5);
    assert_true(atomic_load(&max_total) >= 1);
    assert_int_equal(run_slots_used(&r), 0);
    run_destroy(&r);
}

/* ---- the --rate clock --------------------------------------------------- */

static void test_rate_claim(void **state)
{
    (void)state;
    struct run r;
    struct counter dc;
    run_init(&r, 10, 1000, counting(&dc));
    int64_t at = 0;
    assert_true(run_rate_claim(&r, 5000, &at));
    assert_int_equal(run_rate_next(&r), 6000);
    assert_false(run_rate_claim(&r, 5500, &at));
    assert_int_equal(at, 6000);
    assert_true(run_rate_claim(&r, 6200, &at)); /* from when it started */
    assert_int_equal(run_rate_next(&r), 7200);
    run_destroy(&r);
    run_init(&r, 10, 0, counting(&dc)); /* no --rate: always */
    for (int i = 0; i < 100; i++)
        assert_true(run_rate_claim(&r, 1, &at));
    run_destroy(&r);
}

struct rate_thread {
    struct run *r;
    int64_t starts[200];
    int n;
};

static void *rate_main(void *arg)
{
    struct rate_thread *t = arg;
    while (t->n < 20) {
        int64_t now = clock_now_us(), at;
        if (run_rate_claim(t->r, now, &at))
            t->starts[t->n++] = now;
    }
    return NULL;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

/* Four threads claiming as fast as they can: every start is at least the
 * interval after the one before, whichever thread made it. */
static void test_rate_threads(void **state)
{
    (void)state;
    struct run r;
    struct counter dc;
    run_init(&r, 10, 2000, counting(&dc));
    struct rate_thread rt[4] = {{.r = &r}, {.r = &r}, {.r = &r}, {.r = &r}};
    pthread_t t[4];
    for (int i = 0; i < 4; i++)
        assert_int_equal(pthread_create(&t[i], NULL, rate_main, &rt[i]), 0);
    for (int i = 0; i < 4; i++)
        pthread_join(t[i], NULL);
    int64_t all[80];
    int n = 0;
    for (int i = 0; i < 4; i++)
        for (int j = 0; j < rt[i].n; j++)
            all[n++] = rt[i].starts[j];
    qsort(all, (size_t)n, sizeof all[0], cmp_i64);
    for (int i = 1; i < n; i++)
        assert_true(all[i] - all[i - 1] >= 2000);
    run_destroy(&r);
}

/* ---- read-ahead --------------------------------------------------------- */

static void test_pending(void **state)
{
    (void)state;
    struct run r;
    struct counter dc, ca;
    run_init(&r, 4, 0, counting(&dc)); /* read-ahead 8 */
    struct run_member a = {0};
    run_member_add(&r, &a, counting(&ca));
    assert_int_equal(run_pending_room(&r), 8);
    run_pending_add(&r, 8);
    assert_int_equal(run_pending_room(&r), 0);
    /* every slot in use: woken only below the mark */
    assert_int_equal(run_slots_take(&r, &a, 4), 4);
    assert_int_equal(run_pending_wait(&r, 6), 0);
    run_pending_sub(&r, 1);
    assert_int_equal(atomic_load(&dc.n), 0);
    run_pending_sub(&r, 2); /* 5 < 6 */
    assert_int_equal(atomic_load(&dc.n), 1);
    run_pending_sub(&r, 1); /* once per wait */
    assert_int_equal(atomic_load(&dc.n), 1);
    /* a free slot: woken at any room, what it reads may start at once */
    run_pending_add(&r, 4);
    assert_int_equal(run_pending_wait(&r, 2), 0);
    run_slots_give(&r, &a, 1);
    run_pending_sub(&r, 1);
    assert_int_equal(atomic_load(&dc.n), 2);
    /* room made before the wait: it says so at once */
    assert_true(run_pending_wait(&r, 2) > 0);
    run_pending_sub(&r, 1);
    assert_int_equal(atomic_load(&dc.n), 2);
    run_slots_give(&r, &a, 3);
    run_member_leave(&r, &a);
    run_destroy(&r);
}

/* ---- cancellation ------------------------------------------------------- */

static void test_cancel(void **state)
{
    (void)state;
    struct run r;
    struct counter dc, ca, cb;
    run_init(&r, 4, 0, counting(&dc));
    struct run_member a = {0}, b = {0};
    run_member_add(&r, &a, counting(&ca));
    run_member_add(&r, &b, counting(&cb));
    int64_t at = -1;
    assert_int_equal(run_cause(&r), RUN_DONE);
    assert_null(run_cancel_name(&r, &at));
    assert_true(run_cancel(&r, RUN_DEADLINE, "--deadline", "cancelled by --deadline", 123));
    assert_false(run_cancel(&r, RUN_SIGINT, "SIGINT", "interrupted by SIGINT", 456));
    assert_int_equal(run_cause(&r), RUN_DEADLINE);
    assert_string_equal(run_cancel_name(&r, &at), "--deadline");
    assert_int_equal(at, 123);
    assert_string_equal(run_cancel_message(&r), "cancelled by --deadline");
    /* everyone was woken, once */
    assert_int_equal(atomic_load(&ca.n), 1);
    assert_int_equal(atomic_load(&cb.n), 1);
    assert_int_equal(atomic_load(&dc.n), 1);
    assert_true(run_cause_emits(RUN_DEADLINE));
    assert_true(run_cause_emits(RUN_FAILURES));
    assert_false(run_cause_emits(RUN_CLOSED));
    assert_false(run_cause_emits(RUN_OUT_ERROR));
    run_member_leave(&r, &a);
    run_member_leave(&r, &b);
    run_destroy(&r);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_slots_exact),   cmocka_unit_test(test_slots_fair_share),
    cmocka_unit_test(test_slots_fresh),   cmocka_unit_test(test_slots_leave),
    cmocka_unit_test(test_slots_threads), cmocka_unit_test(test_rate_claim),
    cmocka_unit_test(test_rate_threads),  cmocka_unit_test(test_pending),
    cmocka_unit_test(test_cancel),
};

UNIT_MAIN("run", tests)
