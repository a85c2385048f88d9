/* sched: one loop's origins and their queues, its handle pool, its retry
 * timers and its share of the run's slots; the loop's thread and its pass. */
#include "sched.h"
#include "clock.h"
#include "evcurl.h"
#include "log.h"
#include "retry.h"

#include <assert.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdlib.h>
#include <unistd.h>

TAILQ_HEAD(sched_tasks, sched_task);

struct sched {
    const struct config *cfg;
    struct run *run;
    struct writer *w;
    const struct task_common *tc;
    struct event_base *base;
    bool own_base; /* its own, run in its own thread; else the caller's */
    struct evcurl *ec;
    struct retry_policy retry;
    pthread_t thread;
    atomic_bool ended;

    struct run_member member; /* its part in the run's slots */
    struct event *kick;       /* activated to wake the loop (mailbox, slots, cancellation) */
    struct mailbox in;        /* tasks from the dispatcher */
    struct mailbox back;      /* tasks whose record is out, to the dispatcher */
    atomic_long load;         /* posted, not given back */
    bool closed;              /* the mailbox is closed and empty */
    long taken;               /* tasks taken in this turn (run_loaded) */

    struct handles *hp;      /* the run's pool of easy handles */
    struct handle_list busy; /* the handles its transfers hold now, for the drain */
    long inflight;
    long freed; /* slots its transfers ended with this pass, given back at the pump */

    bool per_origin;             /* --per-host or --rate-per-host given */
    struct origin one;           /* the only origin when !per_origin */
    struct origin_table origins; /* when per_origin */
    struct origin_heap ready;    /* origins that may start their head now */
    struct origin_heap timed;    /* origins waiting for their next start time */
    struct event *wake_ev;       /* the next start's time */

    long queued;              /* taken in, waiting for a slot */
    long waiting;             /* waiting to retry */
    struct sched_tasks wait;  /* the tasks waiting to retry */
    long started;             /* this pass: tasks that left the read-ahead */
    struct mailbox_list done; /* this pass: tasks whose record is out */
    uint64_t rng;
    struct task_recv_sizer recv; /* its recent bodies, for libcurl's receive buffer */
};

static struct sched_task *sched_task_of_entry(struct origin_entry *e)
{
    return (struct sched_task *)(void *)((char *)e - offsetof(struct sched_task, entry));
}

struct sched_task *sched_task_of(struct mailbox_link *l)
{
    return (struct sched_task *)(void *)((char *)l - offsetof(struct sched_task, link));
}

struct sched_task *sched_task_new(void)
{
    struct sched_task *st = log_calloc(1, sizeof *st);
    task_init(&st->task);
    /* assigned to the base of the loop that runs it, each time it waits
     * for a jq answer (event_assign) */
    st->jq_ev = log_calloc(1, event_get_struct_event_size());
    return st;
}

void sched_task_free(struct sched_task *st)
{
    if (!st)
        return;
    task_free(&st->task);
    free(st->jq_ev); /* never pending here: answered or withdrawn first */
    free(st);
}

/* ---- origins ------------------------------------------------------------ */

static struct origin *sched_origin_get(struct sched *s, const char *url)
{
    return s->per_origin ? origin_table_get(&s->origins, url) : &s->one;
}

/* Put O where its state says: ready to start, waiting for its start time,
 * blocked by its cap (no heap), or gone when idle. */
static void sched_origin_update(struct sched *s, struct origin *o, int64_t now)
{
    long cap = s->cfg->per_host;
    bool rate_wait = s->cfg->rate_host_us && o->next_start > now;
    if (origin_head(o) && (cap == 0 || o->inflight < cap)) {
        if (rate_wait) {
            origin_heap_remove(&s->ready, o);
            origin_heap_put(&s->timed, o);
        } else {
            origin_heap_remove(&s->timed, o);
            origin_heap_put(&s->ready, o);
        }
        return;
    }
    origin_heap_remove(&s->ready, o);
    if (!origin_head(o) && o->inflight == 0 && o->waiting == 0 && o != &s->one) {
        if (rate_wait) { /* keep its spacing until the time has passed */
            origin_heap_put(&s->timed, o);
        } else {
            origin_heap_remove(&s->timed, o);
            origin_table_remove(&s->origins, o);
        }
        return;
    }
    origin_heap_remove(&s->timed, o);
}

static void sched_queue(struct sched *s, struct sched_task *st)
{
    st->entry.seq = st->task.seq;
    origin_push(st->origin, &st->entry);
    s->queued++;
}

static struct sched_task *sched_dequeue(struct sched *s, struct origin *o)
{
    struct origin_entry *e = origin_pop(o);
    if (!e)
        return NULL;
    s->queued--;
    return sched_task_of_entry(e);
}

/* ---- tasks -------------------------------------------------------------- */

/* T's record is out: it goes back to the dispatcher at the pass's end. */
static void sched_task_done(struct sched *s, struct sched_task *st)
{
    assert(!st->slot);
    st->s = NULL;
    st->origin = NULL;
    mailbox_list_add(&s->done, &st->link);
}

/* Hand T's record to the writer; it may reach the failure cut-off. */
static void sched_emit(struct sched *s, struct sched_task *st)
{
    if (writer_record(s->w, &st->task.rec)) {
        const struct writer_cut *cut = writer_cutoff(s->w);
        run_cancel(s->run, RUN_FAILURES, cut->option, cut->message, clock_now_us());
    }
}

/* ---- transfers ---------------------------------------------------------- */

static void sched_start_task(struct sched *s, struct sched_task *st, int64_t now)
{
    struct handle_slot *sl = handles_get(s->hp);
    TAILQ_INSERT_TAIL(&s->busy, sl, link);
    sl->user = st;
    st->slot = sl;
    task_attach(&st->task, s->tc, &sl->h, task_common_recv_buffer(s->tc, &s->recv), now);
    st->origin->inflight++;
    s->inflight++;
    evcurl_add(s->ec, sl->h.easy, st);
}

/* T's transfer ended: its handle goes back to the pool, its slot to the
 * run (at the next pump). */
static void sched_release(struct sched *s, struct sched_task *st)
{
    struct handle_slot *sl = st->slot;
    assert(sl && sl->user == st);
    TAILQ_REMOVE(&s->busy, sl, link);
    st->slot = NULL;
    task_detach(&st->task);
    handles_put(s->hp, sl); /* last: another loop may take it at once */
    st->origin->inflight--;
    s->inflight--;
    s->freed++;
}

static uint32_t sched_random(struct sched *s)
{
    uint64_t x = s->rng; /* xorshift64* */
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    s->rng = x;
    return (uint32_t)((x * 2685821657736338717ULL) >> 32);
}

static void sched_on_retry(evutil_socket_t fd, short events, void *arg);

/* T's record is complete: retry it (waiting on a timer, holding no slot)
 * or hand the record over and free the slot. */
static void sched_settle(struct sched *s, struct sched_task *st, int64_t now)
{
    long delay = -1;
    if (s->cfg->retries > 0 && run_cause(s->run) == RUN_DONE)
        delay = retry_decide(&s->retry, &st->task.outcome, sched_random(s));
    struct origin *o = st->origin;
    if (delay >= 0) { /* wait on a timer, holding no slot */
        sched_release(s, st);
        o->waiting++;
        s->waiting++;
        run_pending_add(s->run, 1); /* read and not started, again */
        TAILQ_INSERT_HEAD(&s->wait, st, wait);
        st->retry_ev = evtimer_new(s->base, sched_on_retry, st);
        if (!st->retry_ev)
            log_die(LOG_EXIT_INTERNAL, "out of memory");
        struct timeval tv = clock_timeval_ms(delay);
        evtimer_add(st->retry_ev, &tv);
    } else {
        sched_emit(s, st); /* before the handle is reused: the record borrows it */
        sched_release(s, st);
        sched_task_done(s, st);
    }
    sched_origin_update(s, o, now);
}

static void sched_on_jq(evutil_socket_t fd, short events, void *arg);

static void sched_on_done(void *arg, void *data, CURLcode result)
{
    struct sched *s = arg;
    struct sched_task *st = data;
    int64_t now = clock_now_us();
    if (run_cause(s->run) == RUN_DONE && task_follow(&st->task, s->tc, &result, now)) {
        evcurl_add(s->ec, st->slot->h.easy, st); /* the next hop, in the same slot */
        return;
    }
    bool jq = task_finish(&st->task, s->tc, result, now);
    task_common_recv_seen(&s->recv, st->task.rec.size_download);
    if (jq) {
        /* its jq check runs in the worker: the task keeps its slot (and
         * the handle its record borrows from) until the answer is in, as
         * an event of this loop's base */
        event_assign(st->jq_ev, s->base, -1, 0, sched_on_jq, st);
        task_jq_submit(&st->task, s->tc, st->jq_ev);
        return;
    }
    sched_settle(s, st, now);
}

/* The jq answer of a task holding its slot is in. */
static void sched_on_jq(evutil_socket_t fd, short events, void *arg)
{
    (void)fd;
    (void)events;
    struct sched_task *st = arg;
    struct sched *s = st->s;
    task_jq_done(&st->task, s->tc);
    sched_settle(s, st, clock_now_us());
}

static void sched_unwait(struct sched *s, struct sched_task *st)
{
    TAILQ_REMOVE(&s->wait, st, wait);
    event_free(st->retry_ev);
    st->retry_ev = NULL;
    st->origin->waiting--;
    s->waiting--;
}

static void sched_on_retry(evutil_socket_t fd, short events, void *arg)
{
    (void)fd;
    (void)events;
    struct sched_task *st = arg;
    struct sched *s = st->s;
    sched_unwait(s, st);
    sched_queue(s, st);
    sched_origin_update(s, st->origin, clock_now_us());
}

/* ---- the mailbox -------------------------------------------------------- */

static void sched_intake(struct sched *s)
{
    struct mailbox_list l = {0};
    s->closed = mailbox_take(&s->in, &l);
    if (!l.head)
        return;
    s->taken += (long)l.n;
    int64_t now = clock_now_us();
    struct mailbox_link *ln;
    while ((ln = mailbox_list_pop(&l))) {
        struct sched_task *st = sched_task_of(ln);
        st->s = s;
        st->slot = NULL;
        st->origin = sched_origin_get(s, st->task.url.p);
        sched_queue(s, st);
        sched_origin_update(s, st->origin, now);
    }
}

/* ---- the pump ----------------------------------------------------------- */

/* How many slots the loop could use now: every queued task without
 * per-origin limits, one per ready origin with them, one with --rate. */
static long sched_want(const struct sched *s)
{
    if (s->cfg->rate_us)
        return 1;
    return s->per_origin ? (long)s->ready.n : s->queued;
}

/* Start what the slots, caps and rates allow. */
static void sched_pump(struct sched *s)
{
    int64_t now = clock_now_us();
    if (s->freed) { /* the slots of this pass's ended transfers */
        run_slots_give(s->run, &s->member, s->freed);
        s->freed = 0;
    }
    struct origin *o;
    while ((o = origin_heap_top(&s->timed)) && o->next_start <= now)
        sched_origin_update(s, o, now);
    long have = 0;
    bool starved = false;
    int64_t wake = -1;
    while ((o = origin_heap_top(&s->ready))) {
        if (s->cfg->rate_us && run_rate_next(s->run) > now) {
            wake = run_rate_next(s->run);
            break;
        }
        if (have == 0 && (have = run_slots_take(s->run, &s->member, sched_want(s))) == 0) {
            starved = true; /* woken when a slot is handed over */
            break;
        }
        int64_t at;
        if (!run_rate_claim(s->run, now, &at)) { /* another loop started just now */
            wake = at;
            break;
        }
        have--;
        sched_start_task(s, sched_dequeue(s, o), now);
        s->started++;
        if (s->cfg->rate_host_us)
            o->next_start = now + s->cfg->rate_host_us;
        sched_origin_update(s, o, now);
    }
    if (have) /* taken and not used */
        run_slots_give(s->run, &s->member, have);
    run_slots_settle(s->run, &s->member, starved);
    /* wake up when the next start is due */
    struct origin *t = origin_heap_top(&s->timed);
    if (t && (wake < 0 || t->next_start < wake))
        wake = t->next_start;
    if (wake >= 0) {
        struct timeval tv = clock_timeval_us(wake - now);
        evtimer_add(s->wake_ev, &tv);
    }
}

/* ---- cancellation ------------------------------------------------------- */

/* The end of one task the drain takes: its cancelled record when EMIT. */
static void sched_drop(struct sched *s, struct sched_task *st, bool aborted, bool emit,
                       const char *why, int64_t now)
{
    if (emit) {
        task_cancelled(&st->task, s->tc, why, aborted, now);
        sched_emit(s, st);
    }
    if (st->slot)
        sched_release(s, st);
    sched_task_done(s, st);
}

struct sched_drain_arg {
    struct sched *s;
    bool emit;
    const char *why;
    int64_t now;
};

static void sched_drain_origin(struct origin *o, void *arg)
{
    struct sched_drain_arg *a = arg;
    struct sched_task *st;
    while ((st = sched_dequeue(a->s, o))) {
        a->s->started++; /* it leaves the read-ahead */
        sched_drop(a->s, st, false, a->emit, a->why, a->now);
    }
}

/* The one end of every task the loop holds: abort what runs, stop the retry
 * timers, empty the queues. EMIT: each gets its cancelled record (every
 * line read gets exactly one); else nothing more is written (stdout is
 * gone). */
static void sched_drain(struct sched *s, bool emit)
{
    int64_t now = clock_now_us();
    const char *why = run_cancel_message(s->run);
    struct handle_slot *sl, *next;
    for (sl = TAILQ_FIRST(&s->busy); sl; sl = next) { /* each drop takes SL out of the list */
        next = TAILQ_NEXT(sl, link);
        struct sched_task *st = sl->user;
        if (task_jq_waiting(&st->task)) { /* its transfer is over; its jq check is withdrawn */
            task_jq_cancel(&st->task, s->tc);
            sched_drop(s, st, false, emit, why, now);
            continue;
        }
        evcurl_remove(s->ec, sl->h.easy);
        sched_drop(s, st, true, emit, why, now);
    }
    struct sched_task *st;
    while ((st = TAILQ_FIRST(&s->wait))) {
        sched_unwait(s, st);
        s->started++;
        sched_drop(s, st, false, emit, why, now);
    }
    struct sched_drain_arg a = {s, emit, why, now};
    if (s->per_origin)
        origin_table_each(&s->origins, sched_drain_origin, &a);
    else
        sched_drain_origin(&s->one, &a);
    if (s->freed) {
        run_slots_give(s->run, &s->member, s->freed);
        s->freed = 0;
    }
    run_slots_settle(s->run, &s->member, false);
}

/* ---- the loop ----------------------------------------------------------- */

static void sched_on_wake(evutil_socket_t fd, short events, void *arg)
{
    (void)fd;
    (void)events;
    (void)arg; /* the pass after this event does the work */
}

static void sched_kick(void *arg)
{
    struct sched *s = arg;
    event_active(s->kick, EV_READ, 0);
}

/* The pass's end: the records to stdout's thread, the finished tasks back
 * to the dispatcher, the read-ahead they leave. */
static void sched_publish(struct sched *s)
{
    writer_flush(s->w);
    if (s->done.head) {
        long n = (long)s->done.n;
        mailbox_post(&s->back, &s->done);
        atomic_fetch_sub(&s->load, n);
    }
    if (s->started) {
        run_pending_sub(s->run, s->started);
        s->started = 0;
    }
}

bool sched_turn(struct sched *s)
{
    sched_intake(s);
    enum run_end cause = run_cause(s->run);
    if (cause != RUN_DONE)
        sched_drain(s, run_cause_emits(cause));
    else
        sched_pump(s);
    /* the new tasks were looked at: they hold or wait for slots now, or
     * cannot start yet */
    if (s->taken) {
        run_loaded(s->run, &s->member, -s->taken);
        s->taken = 0;
    }
    sched_publish(s);
    if (!s->closed || s->queued || s->waiting || s->inflight)
        return false;
    /* closed (no task comes any more) and nothing held: the loop's end */
    run_member_leave(s->run, &s->member);
    atomic_store(&s->ended, true);
    if (s->run->dispatcher.fn)
        s->run->dispatcher.fn(s->run->dispatcher.arg);
    return true;
}

void sched_collect(struct sched *s)
{
    evcurl_drain(s->ec);
}

static void *sched_main(void *arg)
{
    struct sched *s = arg;
    while (!sched_turn(s)) {
        event_base_loop(s->base, EVLOOP_ONCE | EVLOOP_NO_EXIT_ON_EMPTY);
        sched_collect(s);
    }
    return NULL;
}

static struct event *sched_event(struct event *ev)
{
    if (!ev)
        log_die(LOG_EXIT_INTERNAL, "out of memory");
    return ev;
}

struct sched *sched_new(const struct config *cfg, struct run *run, struct writer *w,
                        const struct task_common *tc, struct handles *hp, struct event_base *base)
{
    struct sched *s = log_calloc(1, sizeof *s);
    s->hp = hp;
    TAILQ_INIT(&s->busy);
    s->cfg = cfg;
    s->run = run;
    s->w = w;
    s->tc = tc;
    s->own_base = !base;
    s->base = base ? base : event_base_new();
    if (!s->base)
        log_die(LOG_EXIT_INTERNAL, "cannot create an event loop");
    s->ec = evcurl_new(s->base, sched_on_done, s);
    /* Each loop's connection cache holds its share of the run's (prepare:
     * 4 × -j as far as the open files allow), so that many origins find
     * their idle connections again — when an origin's connections live in
     * one loop: with one loop, or with --per-host/--rate-per-host (an
     * origin on one loop). Otherwise an origin's transfers are spread over
     * every loop, one loop's idle connections are of no use to another,
     * and a share of -j keeps them from piling up past -j (bench/soak.sh:
     * 932 connections at -j 500 over two loops without it). */
    long loops = cfg->threads > 1 ? cfg->threads : 1;
    bool one_home = loops == 1 || cfg->per_host > 0 || cfg->rate_host_us > 0;
    long bound = one_home ? cfg->conn_cache : cfg->parallel;
    if (bound > 0)
        evcurl_max_connections(s->ec, (bound + loops - 1) / loops);
    s->retry = (struct retry_policy){cfg->retries, cfg->retry_delay_ms, cfg->retry_max_delay_ms,
                                     cfg->retry_all_errors, cfg->retry_busy_only};
    atomic_init(&s->ended, false);
    atomic_init(&s->load, 0);
    s->kick = sched_event(event_new(s->base, -1, 0, sched_on_wake, s));
    s->wake_ev = sched_event(evtimer_new(s->base, sched_on_wake, s));
    mailbox_init(&s->in, sched_kick, s);
    mailbox_init(&s->back, NULL, NULL);
    run_member_add(run, &s->member, (struct run_waker){sched_kick, s});
    s->per_origin = cfg->per_host > 0 || cfg->rate_host_us > 0;
    origin_init(&s->one);
    if (s->per_origin)
        origin_table_init(&s->origins);
    s->ready.order = ORIGIN_BY_HEAD;
    s->timed.order = ORIGIN_BY_TIME;
    TAILQ_INIT(&s->wait);
    s->rng = (uint64_t)clock_now_us() ^ ((uint64_t)getpid() << 32) ^ (uint64_t)(uintptr_t)s ^
             0x9E3779B97F4A7C15ULL;
    return s;
}

void sched_free(struct sched *s)
{
    if (!s)
        return;
    assert(s->inflight == 0 && s->queued == 0 && s->waiting == 0);
    assert(TAILQ_EMPTY(&s->busy));
    evcurl_free(s->ec); /* every handle was removed before, and is the pool's */
    if (s->per_origin)
        origin_table_free(&s->origins);
    origin_heap_free(&s->ready);
    origin_heap_free(&s->timed);
    event_free(s->kick);
    event_free(s->wake_ev);
    if (s->own_base)
        event_base_free(s->base);
    mailbox_destroy(&s->in);
    mailbox_destroy(&s->back);
    free(s);
}

void sched_start(struct sched *s)
{
    if (s->own_base)
        run_thread_start(&s->thread, sched_main, s);
}

void sched_join(struct sched *s)
{
    if (s->own_base)
        pthread_join(s->thread, NULL);
}

bool sched_ended(struct sched *s)
{
    return atomic_load(&s->ended);
}

void sched_assign(struct sched *s, long n)
{
    if (n <= 0)
        return;
    atomic_fetch_add(&s->load, n);
    run_loaded(s->run, &s->member, n);
}

void sched_post(struct sched *s, struct mailbox_list *list)
{
    if (!mailbox_post(&s->in, list))
        log_die(LOG_EXIT_INTERNAL, "a task was posted to a closed loop");
}

void sched_close(struct sched *s)
{
    mailbox_close(&s->in);
}

void sched_returns(struct sched *s, struct mailbox_list *out)
{
    mailbox_take(&s->back, out);
}

long sched_load(struct sched *s)
{
    return atomic_load_explicit(&s->load, memory_order_relaxed);
}
