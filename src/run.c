/* run: the -j slots with their wait queue and fair share, the --rate clock,
 * the read-ahead count and the cancellation cause, shared by every loop. */
#include "run.h"
#include "log.h"

#include <signal.h>
#include <stdlib.h>

#define RUN_MAX_WAKE 64 /* loops woken by one settle, at most (--threads' limit) */

void run_init(struct run *r, long parallel, int64_t rate_us, struct run_waker dispatcher)
{
    *r = (struct run){0};
    r->parallel = parallel > 0 ? parallel : 1;
    r->rate_us = rate_us;
    r->readahead = 2 * r->parallel;
    atomic_init(&r->used, 0);
    atomic_init(&r->nwaiting, 0);
    atomic_init(&r->ncounted, 0);
    atomic_init(&r->nfresh, 0);
    atomic_init(&r->next_start, 0);
    atomic_init(&r->pending, 0);
    atomic_init(&r->wake_below, -1);
    atomic_init(&r->cause, RUN_DONE);
    r->dispatcher = dispatcher;
    if (pthread_mutex_init(&r->lock, NULL) != 0)
        log_die(LOG_EXIT_INTERNAL, "cannot make a lock");
}

void run_destroy(struct run *r)
{
    pthread_mutex_destroy(&r->lock);
    free(r->members);
    r->members = NULL;
}

void run_member_add(struct run *r, struct run_member *m, struct run_waker wake)
{
    m->wake = wake;
    atomic_init(&m->held, 0);
    atomic_init(&m->granted, 0);
    atomic_init(&m->queued, false);
    atomic_init(&m->state, 0);
    m->unseen = 0;
    m->next = NULL;
    m->want = 0;
    if (r->nmembers == r->cap) {
        r->cap = r->cap ? 2 * r->cap : 8;
        r->members = log_realloc(r->members, (size_t)r->cap * sizeof *r->members);
    }
    r->members[r->nmembers++] = m;
}

void run_thread_start(pthread_t *t, void *(*fn)(void *arg), void *arg)
{
    sigset_t block, old;
    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGTERM);
    sigaddset(&block, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &block, &old);
    int rc = pthread_create(t, NULL, fn, arg);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (rc != 0)
        log_die(LOG_EXIT_INTERNAL, "cannot start a thread");
}

static void run_wake(const struct run_waker *w)
{
    if (w->fn)
        w->fn(w->arg);
}

/* ---- slots ------------------------------------------------------------- */

/* -j divided among the loops that hold or want slots or were just given
 * tasks, rounded up. */
static long run_share(struct run *r)
{
    long n = atomic_load(&r->ncounted);
    if (n < 1)
        n = 1;
    return (r->parallel + n - 1) / n;
}

/* Take up to N free slots; how many it got. */
static long run_take_free(struct run *r, long n)
{
    long used = atomic_load(&r->used);
    for (;;) {
        long k = r->parallel - used;
        if (k <= 0)
            return 0;
        if (k > n)
            k = n;
        if (atomic_compare_exchange_weak(&r->used, &used, used + k))
            return k;
    }
}

/* How many free slots M may take now, of N it wants, holding EXTRA more
 * than its count says: up to its share always; beyond it only while no
 * other loop waits and no other loop was given tasks it has not looked at
 * yet (it would find the slots gone). */
static long run_may_take(struct run *r, struct run_member *m, long extra, long n)
{
    long others = atomic_load(&r->nwaiting) - (atomic_load(&m->queued) ? 1 : 0);
    long fresh = atomic_load(&r->nfresh) - (atomic_load(&m->state) & RUN_FRESH ? 1 : 0);
    if (others <= 0 && fresh <= 0)
        return n;
    long room = run_share(r) - atomic_load(&m->held) - extra;
    return room < 0 ? 0 : room < n ? room : n;
}

static void run_unqueue_locked(struct run *r, struct run_member *m)
{
    struct run_member *prev = NULL, *x = r->head;
    while (x && x != m) {
        prev = x;
        x = x->next;
    }
    if (!x)
        return;
    if (prev)
        prev->next = m->next;
    else
        r->head = m->next;
    if (r->tail == m)
        r->tail = prev;
    m->next = NULL;
    m->want = 0;
    atomic_store(&m->queued, false);
    atomic_fetch_sub(&r->nwaiting, 1);
}

/* Set (ON) or clear BIT of M's state; the run counts M while any bit is
 * set. ACTIVE has one writer (the loop), FRESH changes under the run's
 * lock; the counts follow each change. */
static void run_member_bit(struct run *r, struct run_member *m, int bit, bool on)
{
    int old = on ? atomic_fetch_or(&m->state, bit) : atomic_fetch_and(&m->state, ~bit);
    int now = on ? old | bit : old & ~bit;
    if (old == now)
        return;
    if (bit == RUN_FRESH)
        atomic_fetch_add(&r->nfresh, on ? 1 : -1);
    if (!old != !now)
        atomic_fetch_add(&r->ncounted, now ? 1 : -1);
}

/* M counts towards the fair share while it holds, is handed or waits for
 * slots; only M changes this. */
static void run_member_activity(struct run *r, struct run_member *m, bool queued)
{
    bool act = atomic_load(&m->held) > 0 || atomic_load(&m->granted) > 0 || queued;
    run_member_bit(r, m, RUN_ACTIVE, act);
}

long run_slots_take(struct run *r, struct run_member *m, long want)
{
    long got = atomic_exchange(&m->granted, 0);
    if (got > want) { /* more than it can use now: free again (settled at the pass's end) */
        atomic_fetch_sub(&r->used, got - want);
        got = want;
    }
    if (got < want)
        got += run_take_free(r, run_may_take(r, m, got, want - got));
    atomic_fetch_add(&m->held, got);
    if (got < want) {
        /* wait for the rest; then look again, in case a slot was given
         * back before this loop was in the queue (the giver saw no waiter) */
        pthread_mutex_lock(&r->lock);
        if (!atomic_load(&m->queued)) {
            atomic_store(&m->queued, true);
            m->next = NULL;
            if (r->tail)
                r->tail->next = m;
            else
                r->head = m;
            r->tail = m;
            atomic_fetch_add(&r->nwaiting, 1);
        }
        m->want = want - got;
        pthread_mutex_unlock(&r->lock);
        run_member_activity(r, m, true);
        long more = run_take_free(r, run_may_take(r, m, 0, want - got));
        if (more) {
            atomic_fetch_add(&m->held, more);
            got += more;
            pthread_mutex_lock(&r->lock);
            if (got >= want)
                run_unqueue_locked(r, m);
            else
                m->want = want - got;
            pthread_mutex_unlock(&r->lock);
        }
    }
    run_member_activity(r, m, atomic_load(&m->queued));
    return got;
}

void run_slots_give(struct run *r, struct run_member *m, long n)
{
    atomic_fetch_sub(&m->held, n);
    atomic_fetch_sub(&r->used, n);
}

/* The waiter to hand the next slot to: the first one below its share;
 * else, when no other loop was given tasks it has not looked at yet, the
 * first one (it borrows); else none (that loop gets its share when it
 * asks). */
static struct run_member *run_pick_locked(struct run *r, long share)
{
    for (struct run_member *w = r->head; w; w = w->next)
        if (atomic_load(&w->held) + atomic_load(&w->granted) < share)
            return w;
    struct run_member *h = r->head;
    long fresh = atomic_load(&r->nfresh) - (h && atomic_load(&h->state) & RUN_FRESH ? 1 : 0);
    return fresh <= 0 ? h : NULL;
}

void run_slots_settle(struct run *r, struct run_member *m, bool wants_more)
{
    if (!wants_more && atomic_load(&m->queued)) {
        pthread_mutex_lock(&r->lock);
        run_unqueue_locked(r, m);
        pthread_mutex_unlock(&r->lock);
    }
    struct run_member *wake[RUN_MAX_WAKE];
    int nwake = 0;
    if (atomic_load(&r->nwaiting) > 0 && atomic_load(&r->used) < r->parallel) {
        pthread_mutex_lock(&r->lock);
        long share = run_share(r);
        struct run_member *w;
        while ((w = run_pick_locked(r, share)) && run_take_free(r, 1) == 1) {
            atomic_fetch_add(&w->granted, 1);
            if (--w->want <= 0)
                run_unqueue_locked(r, w);
            bool listed = false;
            for (int i = 0; i < nwake && !listed; i++)
                listed = wake[i] == w;
            if (!listed && nwake < RUN_MAX_WAKE)
                wake[nwake++] = w;
        }
        pthread_mutex_unlock(&r->lock);
    }
    run_member_activity(r, m, atomic_load(&m->queued));
    for (int i = 0; i < nwake; i++)
        run_wake(&wake[i]->wake);
}

void run_loaded(struct run *r, struct run_member *m, long n)
{
    pthread_mutex_lock(&r->lock);
    m->unseen += n;
    run_member_bit(r, m, RUN_FRESH, m->unseen > 0);
    pthread_mutex_unlock(&r->lock);
}

void run_member_leave(struct run *r, struct run_member *m)
{
    pthread_mutex_lock(&r->lock);
    run_unqueue_locked(r, m);
    pthread_mutex_unlock(&r->lock);
    long g = atomic_exchange(&m->granted, 0);
    if (g)
        atomic_fetch_sub(&r->used, g);
    run_slots_settle(r, m, false);
}

long run_slots_used(struct run *r)
{
    return atomic_load(&r->used);
}

/* ---- the --rate clock -------------------------------------------------- */

bool run_rate_claim(struct run *r, int64_t now, int64_t *at)
{
    if (!r->rate_us)
        return true;
    long long next = atomic_load(&r->next_start);
    for (;;) {
        if (next > now) {
            *at = next;
            return false;
        }
        if (atomic_compare_exchange_weak(&r->next_start, &next, now + r->rate_us))
            return true;
    }
}

int64_t run_rate_next(struct run *r)
{
    return atomic_load(&r->next_start);
}

/* ---- read-ahead -------------------------------------------------------- */

void run_pending_add(struct run *r, long n)
{
    atomic_fetch_add(&r->pending, n);
}

void run_pending_sub(struct run *r, long n)
{
    long now = atomic_fetch_sub(&r->pending, n) - n;
    long below = atomic_load(&r->wake_below);
    if (below < 0)
        return;
    /* Below the mark; or any room at all while slots are free: then what
     * is read next may start at once (another origin past one at its
     * --per-host cap), and waiting for the mark would hold it back. */
    bool due = now < below || (now < r->readahead && atomic_load(&r->used) < r->parallel);
    if (due && atomic_exchange(&r->wake_below, -1) >= 0)
        run_wake(&r->dispatcher);
}

long run_pending(struct run *r)
{
    return atomic_load(&r->pending);
}

long run_pending_room(struct run *r)
{
    long room = r->readahead - atomic_load(&r->pending);
    return room > 0 ? room : 0;
}

long run_pending_wait(struct run *r, long below)
{
    atomic_store(&r->wake_below, below);
    long room = run_pending_room(r);
    if (room > 0)
        atomic_store(&r->wake_below, -1);
    return room;
}

/* ---- cancellation ------------------------------------------------------ */

bool run_cancel(struct run *r, enum run_end cause, const char *name, const char *message,
                int64_t now)
{
    pthread_mutex_lock(&r->lock);
    bool first = atomic_load(&r->cause) == RUN_DONE;
    if (first) {
        r->cancel_name = name;
        r->cancel_message = message;
        r->cancel_at = now;
        atomic_store(&r->cause, (int)cause);
    }
    pthread_mutex_unlock(&r->lock);
    if (first) {
        for (int i = 0; i < r->nmembers; i++)
            run_wake(&r->members[i]->wake);
        run_wake(&r->dispatcher);
    }
    return first;
}

enum run_end run_cause(struct run *r)
{
    return (enum run_end)atomic_load_explicit(&r->cause, memory_order_acquire);
}

const char *run_cancel_name(struct run *r, int64_t *at)
{
    pthread_mutex_lock(&r->lock);
    const char *name = r->cancel_name;
    *at = r->cancel_at;
    pthread_mutex_unlock(&r->lock);
    return name;
}

const char *run_cancel_message(struct run *r)
{
    pthread_mutex_lock(&r->lock);
    const char *m = r->cancel_message;
    pthread_mutex_unlock(&r->lock);
    return m;
}

bool run_cause_emits(enum run_end cause)
{
    return cause != RUN_CLOSED && cause != RUN_OUT_ERROR;
}
