/* dispatch: reading, filtering, making and placing tasks; signals,
 * --deadline and the wake-ups; the loops' start and end; the last flush. */
#include "dispatch.h"
#include "clock.h"
#include "filter.h"
#include "log.h"
#include "place.h"
#include "sched.h"
#include "task.h"

#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

/* Lines read in one feed at most, so that skipping many lines (--shard,
 * --resume) never holds up the signals or, with one loop, the loop. */
#define DISPATCH_READ_BUDGET 4096

/* stdout's backlog: reading stops above HIGH, goes on at LOW */
#define DISPATCH_BACKLOG_HIGH ((size_t)2 << 20)
#define DISPATCH_BACKLOG_LOW ((size_t)512 << 10)

/* The causes the dispatcher cancels for by itself; the writer's cut-off
 * (--fail-fast, --max-failures) and a closed stdout bring their own. */
static const struct dispatch_cause {
    int sig;
    enum run_end end;
    const char *name, *message;
} dispatch_causes[] = {
    {SIGINT, RUN_SIGINT, "SIGINT", "interrupted by SIGINT"},
    {SIGTERM, RUN_SIGTERM, "SIGTERM", "terminated by SIGTERM"},
    {SIGHUP, RUN_SIGHUP, "SIGHUP", "terminated by SIGHUP"},
    {0, RUN_DEADLINE, "--deadline", "cancelled by --deadline"},
};

#define DISPATCH_NSIGNALS 3 /* the first rows of dispatch_causes */

struct dispatch {
    const struct config *cfg;
    struct input *in;
    struct filter *filter; /* --shard, --resume; NULL: every line */
    struct writer *w;
    struct event_base *base;
    struct run run;
    struct task_common *tc;
    struct handles *hp; /* the easy handles every loop borrows */
    struct sched **loops;
    int n;
    bool inline_loop; /* one loop, on this thread and base (--threads 1) */
    struct place place;
    struct mailbox_list *batch; /* per loop: placed this feed, not yet posted */
    struct mailbox_list spares; /* tasks to reuse */

    struct event *kick; /* activated by the loops, the writer and the run */
    struct event *input_ev;
    struct event *signal_ev[DISPATCH_NSIGNALS];
    struct event *deadline_ev;
    struct event *grace_ev;

    uint64_t seq; /* the last seq handed out */
    bool input_done;
    bool input_waiting; /* the input event is armed */
    bool input_failed;
    bool loops_closed;
    bool grace_over;
    int64_t t0, t_end;
};

/* ---- wake-ups ----------------------------------------------------------- */

static void dispatch_on_kick(evutil_socket_t fd, short events, void *arg)
{
    (void)fd;
    (void)events;
    (void)arg; /* the pass after this event does the work */
}

static void dispatch_wake(void *arg)
{
    struct dispatch *d = arg;
    event_active(d->kick, EV_READ, 0);
}

/* The writer's events, from any thread. */
static void dispatch_on_writer(void *arg, enum writer_event ev)
{
    struct dispatch *d = arg;
    if (ev == WRITER_STOPPED) {
        enum writer_status st = writer_status(d->w);
        run_cancel(&d->run, st == WRITER_CLOSED ? RUN_CLOSED : RUN_OUT_ERROR,
                   st == WRITER_CLOSED ? "a closed stdout" : "a write error", NULL, clock_now_us());
    }
    dispatch_wake(d);
}

static void dispatch_on_signal(evutil_socket_t sig, short events, void *arg)
{
    (void)events;
    struct dispatch *d = arg;
    for (size_t i = 0; i < DISPATCH_NSIGNALS; i++)
        if (dispatch_causes[i].sig == sig)
            run_cancel(&d->run, dispatch_causes[i].end, dispatch_causes[i].name,
                       dispatch_causes[i].message, clock_now_us());
}

static void dispatch_on_deadline(evutil_socket_t fd, short events, void *arg)
{
    (void)fd;
    (void)events;
    struct dispatch *d = arg;
    const struct dispatch_cause *c = &dispatch_causes[DISPATCH_NSIGNALS];
    run_cancel(&d->run, c->end, c->name, c->message, clock_now_us());
}

static void dispatch_on_grace(evutil_socket_t fd, short events, void *arg)
{
    (void)fd;
    (void)events;
    struct dispatch *d = arg;
    d->grace_over = true;
}

static void dispatch_on_input(evutil_socket_t fd, short events, void *arg)
{
    (void)fd;
    (void)events;
    struct dispatch *d = arg;
    d->input_waiting = false;
}

static long dispatch_load(void *arg, int i)
{
    struct dispatch *d = arg;
    return sched_load(d->loops[i]);
}

/* ---- tasks -------------------------------------------------------------- */

/* A task to fill: a spare, one given back by a loop, or a new one; reset
 * here, on this thread (its check specs are shared by reference counts
 * that only this thread touches). */
static struct sched_task *dispatch_task(struct dispatch *d)
{
    if (!d->spares.head)
        for (int i = 0; i < d->n; i++)
            sched_returns(d->loops[i], &d->spares);
    struct mailbox_link *l = mailbox_list_pop(&d->spares);
    struct sched_task *st = l ? sched_task_of(l) : sched_task_new();
    task_reset(&st->task);
    return st;
}

static void dispatch_spare(struct dispatch *d, struct sched_task *st)
{
    mailbox_list_add(&d->spares, &st->link);
}

/* Line L, the SEQ-th read: its input record now, a task placed in this
 * feed's batch, or nothing when the filter skips it. The one place a line
 * read is kept or skipped before it becomes work: --shard (a hash of the
 * line's key) and --resume (a done request) decide here, with the seq taken
 * all the same (shards and resumed runs never share one), and --links
 * feeds its extracted lines in front of it. True when it became a task. */
static bool dispatch_accept(struct dispatch *d, const struct input_line *l, uint64_t seq,
                            int64_t now)
{
    struct filter *f = d->filter;
    if (f && !filter_line(f, l->text, l->len)) {
        writer_skip(d->w, seq, false);
        return false;
    }
    if (f && filter_done_quick(f, d->tc, l)) {
        writer_skip(d->w, seq, true);
        return false;
    }
    struct sched_task *st = dispatch_task(d);
    bool fetchable = task_from_line(&st->task, d->tc, l, seq, now);
    if (f && !filter_task(f, &st->task, d->tc)) {
        writer_skip(d->w, seq, true);
        dispatch_spare(d, st);
        return false;
    }
    if (!fetchable) {
        if (writer_record(d->w, &st->task.rec)) {
            const struct writer_cut *cut = writer_cutoff(d->w);
            run_cancel(&d->run, RUN_FAILURES, cut->option, cut->message, now);
        }
        dispatch_spare(d, st);
        return false;
    }
    int i = place_pick(&d->place, st->task.url.p);
    mailbox_list_add(&d->batch[i], &st->link);
    return true;
}

static void dispatch_close_loops(struct dispatch *d)
{
    if (d->loops_closed)
        return;
    d->loops_closed = true;
    for (int i = 0; i < d->n; i++)
        sched_close(d->loops[i]);
    if (d->input_waiting)
        event_del(d->input_ev);
    d->input_waiting = false;
}

/* ---- the feed ----------------------------------------------------------- */

enum dispatch_stall { STALL_NONE, STALL_CREDIT, STALL_WINDOW, STALL_BACKLOG };

/* Read and place lines while the read-ahead, the window and stdout's
 * backlog allow; say what stopped it. */
static enum dispatch_stall dispatch_read(struct dispatch *d)
{
    long room = run_pending_room(&d->run), placed = 0;
    uint64_t window_end = writer_window_end(d->w);
    if (writer_backlog(d->w) > DISPATCH_BACKLOG_HIGH)
        return STALL_BACKLOG;
    int64_t now = clock_now_us();
    for (int reads = 0; !d->input_done && !d->input_waiting && run_cause(&d->run) == RUN_DONE;
         reads++) {
        if (placed >= room)
            return STALL_CREDIT;
        if (d->seq + 1 >= window_end)
            return STALL_WINDOW;
        if (reads == DISPATCH_READ_BUDGET) { /* go on after one more loop pass */
            event_active(d->kick, EV_READ, 0);
            return STALL_NONE;
        }
        struct input_line l;
        switch (input_next(d->in, &l)) {
        case INPUT_LINE:
            if (dispatch_accept(d, &l, ++d->seq, now))
                placed++;
            break;
        case INPUT_AGAIN:
            if (event_assign(d->input_ev, d->base, input_fd(d->in), EV_READ, dispatch_on_input,
                             d) ||
                event_add(d->input_ev, NULL))
                log_die(LOG_EXIT_INTERNAL, "cannot watch the input");
            d->input_waiting = true;
            break;
        case INPUT_EOF:
            d->input_done = true;
            break;
        case INPUT_ERROR:
            log_warn("%s", input_error(d->in));
            d->input_failed = true;
            break;
        }
    }
    return STALL_NONE;
}

/* Post this feed's batches: the read-ahead and every loop's load count
 * them first. */
static void dispatch_post(struct dispatch *d)
{
    long n = 0;
    for (int i = 0; i < d->n; i++) {
        n += (long)d->batch[i].n;
        sched_assign(d->loops[i], (long)d->batch[i].n);
    }
    if (!n)
        return;
    run_pending_add(&d->run, n);
    for (int i = 0; i < d->n; i++)
        if (d->batch[i].head)
            sched_post(d->loops[i], &d->batch[i]);
}

/* Read as much as may be read now; when something holds reading back, ask
 * to be woken when it no longer does (and read on if it already does not).
 * True when a line was read or the loops were closed. */
static bool dispatch_feed(struct dispatch *d)
{
    uint64_t seq = d->seq;
    bool closed = d->loops_closed;
    for (;;) {
        enum dispatch_stall why = dispatch_read(d);
        dispatch_post(d);
        bool again = false;
        switch (why) {
        case STALL_NONE:
            break;
        case STALL_CREDIT: {
            if (d->inline_loop)
                break; /* the loop's next turn, on this thread, makes the room */
            long ra = d->run.readahead, step = ra / 4 > 0 ? ra / 4 : 1;
            again = run_pending_wait(&d->run, ra - step + 1) > 0;
            break;
        }
        case STALL_WINDOW: {
            uint64_t quarter = (uint64_t)(d->cfg->parallel + 4);
            again = writer_want_window(d->w, d->seq + 1 + quarter);
            break;
        }
        case STALL_BACKLOG:
            again = writer_want_room(d->w, DISPATCH_BACKLOG_LOW);
            break;
        }
        if (!again)
            break;
    }
    writer_flush(d->w); /* the input records of this feed */
    if (d->input_done || run_cause(&d->run) != RUN_DONE)
        dispatch_close_loops(d);
    return d->seq != seq || d->loops_closed != closed;
}

/* ---- the run ------------------------------------------------------------ */

static struct event *dispatch_event(struct event *ev)
{
    if (!ev)
        log_die(LOG_EXIT_INTERNAL, "out of memory");
    return ev;
}

struct dispatch *dispatch_new(const struct config *cfg, struct input *in, struct filter *f,
                              struct writer *w, const struct share *share, struct jqw *jq)
{
    struct dispatch *d = log_calloc(1, sizeof *d);
    d->cfg = cfg;
    d->in = in;
    d->filter = f;
    d->w = w;
    d->base = event_base_new();
    if (!d->base)
        log_die(LOG_EXIT_INTERNAL, "cannot create the event loop");
    d->kick = dispatch_event(event_new(d->base, -1, 0, dispatch_on_kick, d));
    d->input_ev = dispatch_event(event_new(d->base, -1, 0, NULL, NULL));
    d->deadline_ev = dispatch_event(evtimer_new(d->base, dispatch_on_deadline, d));
    d->grace_ev = dispatch_event(evtimer_new(d->base, dispatch_on_grace, d));
    for (size_t i = 0; i < DISPATCH_NSIGNALS; i++) {
        int sig = dispatch_causes[i].sig;
        d->signal_ev[i] = dispatch_event(evsignal_new(d->base, sig, dispatch_on_signal, d));
        struct sigaction old;
        if (sig == SIGHUP && sigaction(sig, NULL, &old) == 0 && old.sa_handler == SIG_IGN)
            continue; /* under nohup(1) a hang-up stays ignored */
        event_add(d->signal_ev[i], NULL);
    }
    run_init(&d->run, cfg->parallel, cfg->rate_us, (struct run_waker){dispatch_wake, d});
    writer_set_notify(w, dispatch_on_writer, d);
    d->tc = task_common_new(cfg, share, jq);
    d->hp = handles_new(d->tc);
    d->n = cfg->threads > 0 ? (int)cfg->threads : 1;
    d->inline_loop = d->n == 1;
    d->loops = log_calloc((size_t)d->n, sizeof *d->loops);
    d->batch = log_calloc((size_t)d->n, sizeof *d->batch);
    for (int i = 0; i < d->n; i++)
        d->loops[i] = sched_new(cfg, &d->run, w, d->tc, d->hp, d->inline_loop ? d->base : NULL);
    place_init(&d->place, d->n, cfg->per_host > 0 || cfg->rate_host_us > 0,
               (uint64_t)clock_now_us() ^ (uint64_t)getpid(), dispatch_load, d);
    return d;
}

void dispatch_free(struct dispatch *d)
{
    if (!d)
        return;
    for (int i = 0; i < d->n; i++) {
        sched_returns(d->loops[i], &d->spares);
        sched_free(d->loops[i]);
    }
    struct mailbox_link *l;
    while ((l = mailbox_list_pop(&d->spares)))
        sched_task_free(sched_task_of(l));
    free(d->loops);
    free(d->batch);
    place_free(&d->place);
    handles_free(d->hp); /* after the loops: their multis held the handles */
    task_common_free(d->tc);
    run_destroy(&d->run);
    event_free(d->kick);
    event_free(d->input_ev);
    event_free(d->deadline_ev);
    event_free(d->grace_ev);
    for (size_t i = 0; i < DISPATCH_NSIGNALS; i++)
        event_free(d->signal_ev[i]);
    event_base_free(d->base);
    free(d);
}

struct event_base *dispatch_base(struct dispatch *d)
{
    return d->base;
}

static bool dispatch_loops_ended(struct dispatch *d)
{
    for (int i = 0; i < d->n; i++)
        if (!sched_ended(d->loops[i]))
            return false;
    return true;
}

/* --threads 1: the one loop's turn and the reading alternate on this
 * thread until neither moves, as volley read and started before it had
 * threads: every line read starts at once when a slot is free. True once
 * the loop has ended. */
static bool dispatch_inline_turn(struct dispatch *d)
{
    for (;;) {
        if (sched_turn(d->loops[0]))
            return true;
        bool moved = run_cause(&d->run) == RUN_DONE ? dispatch_feed(d) : false;
        if (run_cause(&d->run) != RUN_DONE && !d->loops_closed) {
            dispatch_close_loops(d);
            moved = true;
        }
        if (!moved)
            return false;
    }
}

/* How the run ended: a closed or broken stdout, else the cancellation cause
 * (RUN_DONE: none). */
static enum run_end dispatch_end(struct dispatch *d)
{
    switch (writer_status(d->w)) {
    case WRITER_CLOSED:
        return RUN_CLOSED;
    case WRITER_ERROR:
        return RUN_OUT_ERROR;
    case WRITER_OK:
        break;
    }
    return run_cause(&d->run);
}

void dispatch_seq_taken(struct dispatch *d, uint64_t seq)
{
    d->seq = seq;
}

enum run_end dispatch_run(struct dispatch *d)
{
    d->t0 = clock_now_us();
    const struct writer_cut *cut = writer_cutoff(d->w);
    if (cut)
        run_cancel(&d->run, RUN_FAILURES, cut->option, cut->message, d->t0);
    if (d->cfg->deadline_ms) {
        struct timeval tv = clock_timeval_ms(d->cfg->deadline_ms);
        evtimer_add(d->deadline_ev, &tv);
    }
    if (d->inline_loop) { /* one loop, on this base: its passes are ours */
        dispatch_feed(d);
        while (!dispatch_inline_turn(d)) {
            event_base_loop(d->base, EVLOOP_ONCE | EVLOOP_NO_EXIT_ON_EMPTY);
            sched_collect(d->loops[0]);
        }
    } else { /* N loops on their threads: this one reads, places, and waits */
        for (int i = 0; i < d->n; i++)
            sched_start(d->loops[i]);
        dispatch_feed(d);
        while (!dispatch_loops_ended(d)) {
            event_base_loop(d->base, EVLOOP_ONCE | EVLOOP_NO_EXIT_ON_EMPTY);
            if (run_cause(&d->run) == RUN_DONE)
                dispatch_feed(d);
            else
                dispatch_close_loops(d);
        }
        for (int i = 0; i < d->n; i++)
            sched_join(d->loops[i]);
    }
    d->t_end = clock_now_us();
    evtimer_del(d->deadline_ev);
    return dispatch_end(d);
}

/* Whether a cause gives stdout only the grace period to flush. */
static bool dispatch_hurried(enum run_end end)
{
    return end == RUN_SIGINT || end == RUN_SIGTERM || end == RUN_SIGHUP || end == RUN_DEADLINE;
}

enum run_end dispatch_finish_output(struct dispatch *d, uint64_t *unwritten)
{
    *unwritten = 0;
    bool timed = false;
    d->grace_over = false;
    for (;;) {
        if (writer_want_drained(d->w))
            break;
        if (!timed && dispatch_hurried(run_cause(&d->run))) {
            struct timeval tv = clock_timeval_ms(DISPATCH_GRACE_MS);
            evtimer_add(d->grace_ev, &tv);
            timed = true;
        }
        if (d->grace_over) {
            *unwritten = writer_unwritten(d->w);
            break;
        }
        event_base_loop(d->base, EVLOOP_ONCE | EVLOOP_NO_EXIT_ON_EMPTY);
    }
    evtimer_del(d->grace_ev);
    return dispatch_end(d);
}

long dispatch_inflight(struct dispatch *d)
{
    return run_slots_used(&d->run);
}

size_t dispatch_handles_made(struct dispatch *d)
{
    return handles_made(d->hp);
}

int64_t dispatch_elapsed_us(struct dispatch *d)
{
    return (d->t_end ? d->t_end : clock_now_us()) - d->t0;
}

const char *dispatch_stopped_by(struct dispatch *d, int64_t *after_us)
{
    int64_t at = 0;
    const char *name = run_cause(&d->run) != RUN_DONE ? run_cancel_name(&d->run, &at) : NULL;
    enum run_end c = run_cause(&d->run);
    if (c == RUN_CLOSED || c == RUN_OUT_ERROR)
        name = NULL; /* not a cancellation the summary reports */
    *after_us = name ? at - d->t0 : 0;
    return name;
}

bool dispatch_input_failed(struct dispatch *d)
{
    return d->input_failed;
}

int dispatch_threads(struct dispatch *d)
{
    return d->n;
}
