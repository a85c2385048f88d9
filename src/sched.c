/* sched: slots (the semaphore), per-origin queues with caps and start
 * spacing, retry timers, the handle pool, and the one cancellation path.
 * Lines become tasks in task, records go to the writer. */
#include "sched.h"
#include "clock.h"
#include "evcurl.h"
#include "filter.h"
#include "log.h"
#include "origin.h"
#include "retry.h"
#include "task.h"

#include <assert.h>
#include <signal.h>
#include <stddef.h>
#include <stdlib.h>
#include <sys/queue.h>
#include <unistd.h>

/* A task and the scheduler's state of it. */
struct sched_task {
    struct task task;
    struct sched *s;
    struct origin *origin;
    struct origin_entry entry;    /* in its origin's queue */
    TAILQ_ENTRY(sched_task) link; /* in the list of those waiting to retry, or the spares */
    struct event *retry_ev;       /* the backoff timer, kept across reuse */
    struct event *jq_ev;          /* the jq answer is in; kept across reuse */
    int slot;                     /* the pool slot while in flight, else -1 */
};

TAILQ_HEAD(sched_tasks, sched_task);

/* One easy handle of the pool and the task using it. */
struct sched_slot {
    struct task_handle h;
    struct sched_task *st;
};

/* The causes the scheduler cancels for by itself; the writer's cut-off
 * (--fail-fast, --max-failures) brings its own. */
static const struct sched_cause {
    int sig;
    enum sched_end end;
    const char *name, *message;
} sched_causes[] = {
    {SIGINT, SCHED_SIGINT, "SIGINT", "interrupted by SIGINT"},
    {SIGTERM, SCHED_SIGTERM, "SIGTERM", "terminated by SIGTERM"},
    {SIGHUP, SCHED_SIGHUP, "SIGHUP", "terminated by SIGHUP"},
    {0, SCHED_DEADLINE, "--deadline", "cancelled by --deadline"},
};

#define SCHED_NSIGNALS 3 /* the first rows of sched_causes */

struct sched {
    struct event_base *base;
    const struct config *cfg;
    struct input *in;
    struct writer *w;
    struct evcurl *ec;
    struct task_common *tc;
    struct retry_policy retry;

    struct sched_slot *slots; /* cfg->parallel of them */
    int *free_slots;          /* a stack of unused slot indexes */
    long nfree;

    bool per_origin;             /* --per-host or --rate-per-host given */
    struct origin one;           /* the only origin when !per_origin */
    struct origin_table origins; /* when per_origin */
    struct origin_heap ready;    /* origins that may start their head now */
    struct origin_heap timed;    /* origins waiting for their next start time */
    int64_t next_global;         /* --rate: earliest next start (µs) */
    struct event *wake_ev;

    long queued;               /* read, waiting for a slot */
    long waiting;              /* waiting to retry */
    struct sched_tasks wait;   /* the tasks waiting to retry */
    struct sched_tasks spares; /* freed tasks kept for reuse */
    long readahead;
    struct filter *filter; /* --shard, --resume; NULL: every line */
    uint64_t rng;

    uint64_t seq; /* the last seq handed out */
    bool input_done;
    bool input_waiting; /* the input event is armed */
    bool input_failed;
    struct event *input_ev;
    struct event *signal_ev[SCHED_NSIGNALS];
    struct event *deadline_ev;
    enum sched_end cancel; /* SCHED_DONE: not cancelled */
    const char *cancel_name, *cancel_message;

    int64_t t0, t_cancel, t_end;
};

static struct sched_task *sched_task_of(struct origin_entry *e)
{
    return (struct sched_task *)(void *)((char *)e - offsetof(struct sched_task, entry));
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
    return sched_task_of(e);
}

/* ---- tasks -------------------------------------------------------------- */

static void sched_on_retry(evutil_socket_t fd, short events, void *arg);
static void sched_on_jq(evutil_socket_t fd, short events, void *arg);

static struct sched_task *sched_task_get(struct sched *s)
{
    struct sched_task *st = TAILQ_FIRST(&s->spares);
    if (st) {
        TAILQ_REMOVE(&s->spares, st, link);
    } else {
        st = log_calloc(1, sizeof *st);
        task_init(&st->task);
        st->s = s;
        st->slot = -1;
        st->retry_ev = evtimer_new(s->base, sched_on_retry, st);
        st->jq_ev = event_new(s->base, -1, 0, sched_on_jq, st);
        if (!st->retry_ev || !st->jq_ev)
            log_die(LOG_EXIT_INTERNAL, "out of memory");
    }
    task_reset(&st->task);
    st->origin = NULL;
    return st;
}

static void sched_task_put(struct sched *s, struct sched_task *st)
{
    assert(st->slot < 0);
    TAILQ_INSERT_HEAD(&s->spares, st, link);
}

static void sched_cancel(struct sched *s, enum sched_end why, const char *name, const char *message)
{
    if (s->cancel != SCHED_DONE)
        return; /* the first cause wins */
    s->cancel = why;
    s->cancel_name = name;
    s->cancel_message = message;
    s->t_cancel = clock_now_us();
}

/* Hand T's record to the writer; it may reach the failure cut-off. */
static void sched_emit(struct sched *s, struct sched_task *st)
{
    if (writer_record(s->w, &st->task.rec)) {
        const struct writer_cut *cut = writer_cutoff(s->w);
        sched_cancel(s, SCHED_FAILURES, cut->option, cut->message);
    }
}

/* ---- transfers ---------------------------------------------------------- */

static void sched_start(struct sched *s, struct sched_task *st, int64_t now)
{
    assert(s->nfree > 0);
    int i = s->free_slots[--s->nfree];
    struct sched_slot *sl = &s->slots[i];
    assert(!sl->st);
    if (!sl->h.easy)
        task_common_handle_init(s->tc, &sl->h);
    sl->st = st;
    st->slot = i;
    task_attach(&st->task, s->tc, &sl->h, now);
    st->origin->inflight++;
    evcurl_add(s->ec, sl->h.easy, st);
}

static void sched_release(struct sched *s, struct sched_task *st)
{
    assert(st->slot >= 0 && s->slots[st->slot].st == st);
    s->slots[st->slot].st = NULL;
    s->free_slots[s->nfree++] = st->slot;
    st->slot = -1;
    task_detach(&st->task);
    st->origin->inflight--;
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

/* T's record is complete: retry it (waiting on a timer, holding no slot)
 * or hand the record over and free the slot. */
static void sched_settle(struct sched *s, struct sched_task *st, int64_t now)
{
    long delay = -1;
    if (s->cfg->retries > 0 && s->cancel == SCHED_DONE)
        delay = retry_decide(&s->retry, &st->task.outcome, sched_random(s));
    struct origin *o = st->origin;
    if (delay >= 0) { /* wait on a timer, holding no slot */
        sched_release(s, st);
        o->waiting++;
        s->waiting++;
        TAILQ_INSERT_HEAD(&s->wait, st, link);
        struct timeval tv = clock_timeval_ms(delay);
        evtimer_add(st->retry_ev, &tv);
    } else {
        sched_emit(s, st); /* before the handle is reused: the record borrows it */
        sched_release(s, st);
        sched_task_put(s, st);
    }
    sched_origin_update(s, o, now);
}

static void sched_on_done(void *arg, void *data, CURLcode result)
{
    struct sched *s = arg;
    struct sched_task *st = data;
    int64_t now = clock_now_us();
    if (s->cancel == SCHED_DONE && task_follow(&st->task, s->tc, &result, now)) {
        evcurl_add(s->ec, s->slots[st->slot].h.easy, st); /* the next hop, in the same slot */
        return;
    }
    if (task_finish(&st->task, s->tc, result, now)) {
        /* its jq check runs in the worker: the task keeps its slot (and
         * the handle its record borrows from) until the answer is in */
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
    TAILQ_REMOVE(&s->wait, st, link);
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

/* ---- input -------------------------------------------------------------- */

static void sched_on_input(evutil_socket_t fd, short events, void *arg)
{
    (void)fd;
    (void)events;
    struct sched *s = arg;
    s->input_waiting = false;
}

/* Line L, the next read: this run's work (a queued task or its input
 * record), or skipped by --shard or --resume (its seq is taken all the same,
 * so shards and resumed runs never reuse one). */
static void sched_accept(struct sched *s, const struct input_line *l, int64_t now)
{
    uint64_t seq = ++s->seq;
    if (s->filter && !filter_line(s->filter, l->text, l->len)) {
        writer_skip(s->w, seq, false);
        return;
    }
    if (s->filter && filter_done_quick(s->filter, s->tc, l)) {
        writer_skip(s->w, seq, true);
        return;
    }
    struct sched_task *st = sched_task_get(s);
    bool fetchable = task_from_line(&st->task, s->tc, l, seq, now);
    if (s->filter && !filter_task(s->filter, &st->task, s->tc)) {
        writer_skip(s->w, seq, true);
        sched_task_put(s, st);
        return;
    }
    if (!fetchable) {
        sched_emit(s, st); /* its input record */
        sched_task_put(s, st);
        return;
    }
    st->origin = sched_origin_get(s, st->task.url.p);
    sched_queue(s, st);
    sched_origin_update(s, st->origin, now);
}

/* ---- the pump ----------------------------------------------------------- */

/* Lines read in one pump at most, so that skipping many lines (--shard,
 * --resume) never holds up the loop. */
#define SCHED_READ_BUDGET 4096

/* Start what the slots, caps and rates allow; read ahead to refill. */
static void sched_pump(struct sched *s)
{
    int64_t now = clock_now_us();
    for (int reads = 0;; reads++) {
        if (s->cancel != SCHED_DONE)
            return; /* a record just written reached the failure cut-off */
        struct origin *o;
        while ((o = origin_heap_top(&s->timed)) && o->next_start <= now)
            sched_origin_update(s, o, now);
        while (s->nfree > 0 && (o = origin_heap_top(&s->ready)) &&
               !(s->cfg->rate_us && now < s->next_global)) {
            sched_start(s, sched_dequeue(s, o), now);
            if (s->cfg->rate_host_us)
                o->next_start = now + s->cfg->rate_host_us;
            if (s->cfg->rate_us)
                s->next_global = now + s->cfg->rate_us;
            sched_origin_update(s, o, now);
        }
        if (s->cancel != SCHED_DONE)
            return;
        if (s->input_done || s->input_waiting || s->queued + s->waiting >= s->readahead ||
            !writer_can_accept(s->w, s->seq + 1))
            break;
        if (reads == SCHED_READ_BUDGET) { /* go on after one more loop pass */
            event_active(s->wake_ev, EV_TIMEOUT, 0);
            break;
        }
        struct input_line l;
        switch (input_next(s->in, &l)) {
        case INPUT_LINE:
            sched_accept(s, &l, now);
            break;
        case INPUT_AGAIN:
            if (event_assign(s->input_ev, s->base, input_fd(s->in), EV_READ, sched_on_input, s) ||
                event_add(s->input_ev, NULL))
                log_die(LOG_EXIT_INTERNAL, "cannot watch the input");
            s->input_waiting = true;
            break;
        case INPUT_EOF:
            s->input_done = true;
            break;
        case INPUT_ERROR:
            log_warn("%s", input_error(s->in));
            s->input_failed = true;
            break;
        }
    }
    /* wake up when the next start is due */
    int64_t wake = -1;
    if (s->cfg->rate_us && s->nfree > 0 && s->ready.n && now < s->next_global)
        wake = s->next_global;
    struct origin *t = origin_heap_top(&s->timed);
    if (t && (wake < 0 || t->next_start < wake))
        wake = t->next_start;
    if (wake >= 0) {
        struct timeval tv = clock_timeval_us(wake - now);
        evtimer_add(s->wake_ev, &tv);
    }
}

/* ---- cancellation ------------------------------------------------------- */

static void sched_on_signal(evutil_socket_t sig, short events, void *arg)
{
    (void)events;
    struct sched *s = arg;
    for (size_t i = 0; i < SCHED_NSIGNALS; i++)
        if (sched_causes[i].sig == sig)
            sched_cancel(s, sched_causes[i].end, sched_causes[i].name, sched_causes[i].message);
}

static void sched_on_deadline(evutil_socket_t fd, short events, void *arg)
{
    (void)fd;
    (void)events;
    const struct sched_cause *c = &sched_causes[SCHED_NSIGNALS];
    sched_cancel(arg, c->end, c->name, c->message);
}

static void sched_on_wake(evutil_socket_t fd, short events, void *arg)
{
    (void)fd;
    (void)events;
    (void)arg; /* the pump after this loop pass starts what is due */
}

/* The end of one task the drain takes: its cancelled record when EMIT. */
static void sched_drop(struct sched *s, struct sched_task *st, bool aborted, bool emit, int64_t now)
{
    if (emit) {
        task_cancelled(&st->task, s->tc, s->cancel_message, aborted, now);
        sched_emit(s, st);
    }
    if (st->slot >= 0)
        sched_release(s, st);
    sched_task_put(s, st);
}

struct sched_drain_arg {
    struct sched *s;
    bool emit;
    int64_t now;
};

static void sched_drain_origin(struct origin *o, void *arg)
{
    struct sched_drain_arg *a = arg;
    struct sched_task *st;
    while ((st = sched_dequeue(a->s, o)))
        sched_drop(a->s, st, false, a->emit, a->now);
}

/* The one end of every task still held: abort what runs, stop the retry
 * timers, empty the queues, read no more. EMIT: each gets its cancelled
 * record (every line read gets exactly one); else nothing more is written
 * (stdout is gone). */
static void sched_drain(struct sched *s, bool emit)
{
    int64_t now = clock_now_us();
    for (long i = 0; i < s->cfg->parallel; i++) {
        struct sched_task *st = s->slots[i].st;
        if (!st)
            continue;
        if (task_jq_waiting(&st->task)) { /* its transfer is over; its jq check is withdrawn */
            task_jq_cancel(&st->task, s->tc);
            sched_drop(s, st, false, emit, now);
            continue;
        }
        evcurl_remove(s->ec, s->slots[i].h.easy);
        sched_drop(s, st, true, emit, now);
    }
    struct sched_task *st;
    while ((st = TAILQ_FIRST(&s->wait))) {
        evtimer_del(st->retry_ev);
        sched_unwait(s, st);
        sched_drop(s, st, false, emit, now);
    }
    struct sched_drain_arg a = {s, emit, now};
    if (s->per_origin)
        origin_table_each(&s->origins, sched_drain_origin, &a);
    else
        sched_drain_origin(&s->one, &a);
    s->input_done = true;
    if (s->input_waiting)
        event_del(s->input_ev);
    s->input_waiting = false;
}

/* ---- the loop ----------------------------------------------------------- */

static struct event *sched_event(struct event *ev)
{
    if (!ev)
        log_die(LOG_EXIT_INTERNAL, "out of memory");
    return ev;
}

struct sched *sched_new(struct event_base *base, const struct config *cfg,
                        const struct share *share, struct input *in, struct filter *f,
                        struct writer *w, struct jqw *jq)
{
    struct sched *s = log_calloc(1, sizeof *s);
    s->base = base;
    s->cfg = cfg;
    s->in = in;
    s->filter = f;
    s->w = w;
    s->ec = evcurl_new(base, sched_on_done, s);
    s->tc = task_common_new(cfg, share, jq);
    s->retry = (struct retry_policy){cfg->retries, cfg->retry_delay_ms, cfg->retry_max_delay_ms,
                                     cfg->retry_all_errors};
    s->slots = log_calloc((size_t)cfg->parallel, sizeof *s->slots);
    s->free_slots = log_calloc((size_t)cfg->parallel, sizeof *s->free_slots);
    for (long i = 0; i < cfg->parallel; i++)
        s->free_slots[i] = (int)(cfg->parallel - 1 - i);
    s->nfree = cfg->parallel;
    s->readahead = 2 * cfg->parallel;
    s->per_origin = cfg->per_host > 0 || cfg->rate_host_us > 0;
    origin_init(&s->one);
    if (s->per_origin)
        origin_table_init(&s->origins);
    s->ready.order = ORIGIN_BY_HEAD;
    s->timed.order = ORIGIN_BY_TIME;
    TAILQ_INIT(&s->wait);
    TAILQ_INIT(&s->spares);
    s->rng = (uint64_t)clock_now_us() ^ ((uint64_t)getpid() << 32) ^ 0x9E3779B97F4A7C15ULL;
    s->input_ev = sched_event(event_new(base, -1, 0, NULL, NULL));
    s->wake_ev = sched_event(evtimer_new(base, sched_on_wake, s));
    for (size_t i = 0; i < SCHED_NSIGNALS; i++) {
        int sig = sched_causes[i].sig;
        s->signal_ev[i] = sched_event(evsignal_new(base, sig, sched_on_signal, s));
        struct sigaction old;
        if (sig == SIGHUP && sigaction(sig, NULL, &old) == 0 && old.sa_handler == SIG_IGN)
            continue; /* under nohup(1) a hang-up stays ignored */
        event_add(s->signal_ev[i], NULL);
    }
    s->deadline_ev = sched_event(evtimer_new(base, sched_on_deadline, s));
    return s;
}

void sched_free(struct sched *s)
{
    if (!s)
        return;
    sched_drain(s, false); /* nothing is left after sched_run() */
    evcurl_free(s->ec);    /* every handle was removed before */
    for (long i = 0; i < s->cfg->parallel; i++)
        task_common_handle_cleanup(&s->slots[i].h);
    if (s->per_origin)
        origin_table_free(&s->origins);
    struct sched_task *st;
    while ((st = TAILQ_FIRST(&s->spares))) {
        TAILQ_REMOVE(&s->spares, st, link);
        event_free(st->retry_ev);
        event_free(st->jq_ev);
        task_free(&st->task);
        free(st);
    }
    origin_heap_free(&s->ready);
    origin_heap_free(&s->timed);
    event_free(s->input_ev);
    event_free(s->wake_ev);
    for (size_t i = 0; i < SCHED_NSIGNALS; i++)
        event_free(s->signal_ev[i]);
    event_free(s->deadline_ev);
    task_common_free(s->tc);
    free(s->slots);
    free(s->free_slots);
    free(s);
}

enum sched_end sched_run(struct sched *s)
{
    s->t0 = clock_now_us();
    if (s->cfg->deadline_ms) {
        struct timeval tv = clock_timeval_ms(s->cfg->deadline_ms);
        evtimer_add(s->deadline_ev, &tv);
    }
    sched_pump(s);
    writer_flush(s->w);
    while (writer_status(s->w) == WRITER_OK) {
        if (s->cancel != SCHED_DONE) {
            sched_drain(s, true);
            break;
        }
        if (s->input_done && s->queued == 0 && s->waiting == 0 && s->nfree == s->cfg->parallel)
            break;
        event_base_loop(s->base, EVLOOP_ONCE);
        evcurl_drain(s->ec);
        if (s->cancel == SCHED_DONE)
            sched_pump(s);
        writer_flush(s->w);
    }
    s->t_end = clock_now_us();
    switch (writer_status(s->w)) {
    case WRITER_CLOSED:
        sched_drain(s, false);
        return SCHED_CLOSED;
    case WRITER_ERROR:
        sched_drain(s, false);
        return SCHED_OUT_ERROR;
    case WRITER_OK:
        break;
    }
    return s->cancel;
}

long sched_inflight(const struct sched *s)
{
    return s->cfg->parallel - s->nfree;
}

int64_t sched_elapsed_us(const struct sched *s)
{
    return (s->t_end ? s->t_end : clock_now_us()) - s->t0;
}

const char *sched_stopped_by(const struct sched *s, int64_t *after_us)
{
    *after_us = s->cancel != SCHED_DONE ? s->t_cancel - s->t0 : 0;
    return s->cancel != SCHED_DONE ? s->cancel_name : NULL;
}

bool sched_input_failed(const struct sched *s)
{
    return s->input_failed;
}
