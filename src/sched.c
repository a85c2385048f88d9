/* sched: slots (the semaphore), the queue of tasks read ahead, the handle
 * pool, record emission and cancellation. */
#include "sched.h"
#include "evcurl.h"
#include "log.h"
#include "task.h"
#include "url.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>

/* One easy handle of the pool and the task using it. */
struct slot {
    CURL *easy;
    struct task *task;
    char errbuf[CURL_ERROR_SIZE];
};

struct sched {
    struct event_base *base;
    const struct config *cfg;
    struct input *in;
    struct output *out;
    struct evcurl *ec;
    struct task_common *tc;

    struct slot *slots; /* cfg->parallel of them */
    int *free_slots;    /* a stack of unused slot indexes */
    long nfree;
    long inflight;

    struct task *head, *tail; /* read, waiting for a slot */
    long queued;
    long readahead;
    struct task *spare; /* freed tasks kept for reuse */

    uint64_t seq; /* the last seq handed out */
    bool input_done;
    bool input_waiting; /* the input event is armed */
    bool input_failed;
    struct event *input_ev;
    struct event *sigint_ev, *sigterm_ev;
    enum sched_end cancel; /* SCHED_DONE: not cancelled */

    int64_t t0;
    struct output_summary sum;
};

/* ---- tasks -------------------------------------------------------------- */

static struct task *sched_task_get(struct sched *s)
{
    struct task *t = s->spare;
    if (t)
        s->spare = t->next;
    else
        t = log_calloc(1, sizeof *t);
    task_reset(t);
    return t;
}

static void sched_task_put(struct sched *s, struct task *t)
{
    t->next = s->spare;
    s->spare = t;
}

static void sched_emit(struct sched *s, struct task *t)
{
    const struct record *r = &t->rec;
    s->sum.urls++;
    if (r->ok)
        s->sum.ok++;
    s->sum.by_kind[r->kind]++;
    output_record(s->out, r);
    if (output_should_flush(s->out))
        output_flush(s->out);
}

/* ---- transfers ---------------------------------------------------------- */

static void sched_start(struct sched *s, struct task *t)
{
    int i = s->free_slots[--s->nfree];
    struct slot *sl = &s->slots[i];
    if (!sl->easy)
        sl->easy = task_easy_new(s->tc, sl->errbuf);
    sl->task = t;
    task_attach(t, s->tc, sl->easy, i, sl->errbuf, task_now());
    s->inflight++;
    evcurl_add(s->ec, sl->easy);
}

static void sched_release(struct sched *s, struct task *t)
{
    s->slots[t->slot].task = NULL;
    s->free_slots[s->nfree++] = t->slot;
    t->slot = -1;
    t->easy = NULL;
    s->inflight--;
}

static void sched_on_done(void *arg, CURL *easy, CURLcode result)
{
    struct sched *s = arg;
    struct task *t = NULL;
    curl_easy_getinfo(easy, CURLINFO_PRIVATE, (char **)&t);
    task_finish(t, s->tc, result, task_now());
    sched_emit(s, t); /* before the handle is reused: the record borrows it */
    sched_release(s, t);
    sched_task_put(s, t);
}

/* ---- input -------------------------------------------------------------- */

static void sched_on_input(evutil_socket_t fd, short events, void *arg)
{
    (void)fd;
    (void)events;
    struct sched *s = arg;
    s->input_waiting = false;
}

static void sched_accept(struct sched *s, const struct input_line *l)
{
    struct task *t = sched_task_get(s);
    t->seq = ++s->seq;
    t->t_read = task_now();
    buf_adds(&t->label, l->source);
    buf_addc(&t->label, ':');
    buf_add_u64(&t->label, l->lineno);
    if (l->too_long)
        t->input_error = "line longer than 64 KiB";
    else {
        if (!t->parsed)
            t->parsed = url_checker_new();
        t->input_error = url_prepare(t->parsed, l->text, l->len, s->cfg->proto_default, &t->url);
    }
    if (t->input_error) {
        url_clip(l->text, l->len, &t->shown);
        task_input_error(t, s->tc);
        sched_emit(s, t);
        sched_task_put(s, t);
        return;
    }
    if (url_has_password(t->url.p))
        url_redact(t->url.p, &t->shown);
    if (s->tail)
        s->tail->next = t;
    else
        s->head = t;
    s->tail = t;
    s->queued++;
}

static struct task *sched_pop(struct sched *s)
{
    struct task *t = s->head;
    s->head = t->next;
    if (!s->head)
        s->tail = NULL;
    t->next = NULL;
    s->queued--;
    return t;
}

/* Start what the free slots allow, and read ahead to refill the queue. */
static void sched_pump(struct sched *s)
{
    for (;;) {
        while (s->nfree > 0 && s->head)
            sched_start(s, sched_pop(s));
        if (s->input_done || s->input_waiting || s->queued >= s->readahead ||
            !output_can_accept(s->out, s->seq + 1))
            return;
        struct input_line l;
        switch (input_next(s->in, &l)) {
        case INPUT_LINE:
            sched_accept(s, &l);
            break;
        case INPUT_AGAIN:
            if (event_assign(s->input_ev, s->base, input_fd(s->in), EV_READ, sched_on_input, s) ||
                event_add(s->input_ev, NULL))
                log_die(LOG_EXIT_INTERNAL, "cannot watch the input");
            s->input_waiting = true;
            return;
        case INPUT_EOF:
            s->input_done = true;
            break;
        case INPUT_ERROR:
            log_warn("%s", input_error(s->in));
            s->input_failed = true;
            break;
        }
    }
}

/* ---- cancellation ------------------------------------------------------- */

static void sched_on_signal(evutil_socket_t sig, short events, void *arg)
{
    (void)events;
    struct sched *s = arg;
    if (s->cancel == SCHED_DONE)
        s->cancel = sig == SIGINT ? SCHED_SIGINT : SCHED_SIGTERM;
}

/* The one cancellation path: abort what runs, cancel what waits, read no
 * more. Every line read gets exactly one record. */
static void sched_cancel_all(struct sched *s, const char *why)
{
    int64_t now = task_now();
    for (long i = 0; i < s->cfg->parallel; i++) {
        struct task *t = s->slots[i].task;
        if (!t)
            continue;
        evcurl_remove(s->ec, t->easy);
        task_cancelled(t, s->tc, why, true, now);
        sched_emit(s, t);
        sched_release(s, t);
        sched_task_put(s, t);
    }
    while (s->head) {
        struct task *t = sched_pop(s);
        task_cancelled(t, s->tc, why, false, now);
        sched_emit(s, t);
        sched_task_put(s, t);
    }
    s->input_done = true;
    if (s->input_waiting)
        event_del(s->input_ev);
    s->input_waiting = false;
}

/* Stdout is gone: stop at once, writing nothing more. */
static void sched_abandon(struct sched *s)
{
    for (long i = 0; i < s->cfg->parallel; i++) {
        struct task *t = s->slots[i].task;
        if (!t)
            continue;
        evcurl_remove(s->ec, t->easy);
        sched_release(s, t);
        sched_task_put(s, t);
    }
    while (s->head)
        sched_task_put(s, sched_pop(s));
}

/* ---- the loop ----------------------------------------------------------- */

struct sched *sched_new(struct event_base *base, const struct config *cfg, struct input *in,
                        struct output *out)
{
    struct sched *s = log_calloc(1, sizeof *s);
    s->base = base;
    s->cfg = cfg;
    s->in = in;
    s->out = out;
    s->ec = evcurl_new(base, sched_on_done, s);
    s->tc = task_common_new(cfg);
    s->slots = log_calloc((size_t)cfg->parallel, sizeof *s->slots);
    s->free_slots = log_calloc((size_t)cfg->parallel, sizeof *s->free_slots);
    for (long i = 0; i < cfg->parallel; i++)
        s->free_slots[i] = (int)(cfg->parallel - 1 - i);
    s->nfree = cfg->parallel;
    s->readahead = 2 * cfg->parallel;
    s->input_ev = event_new(base, -1, 0, NULL, NULL);
    s->sigint_ev = evsignal_new(base, SIGINT, sched_on_signal, s);
    s->sigterm_ev = evsignal_new(base, SIGTERM, sched_on_signal, s);
    if (!s->input_ev || !s->sigint_ev || !s->sigterm_ev)
        log_die(LOG_EXIT_INTERNAL, "out of memory");
    event_add(s->sigint_ev, NULL);
    event_add(s->sigterm_ev, NULL);
    return s;
}

void sched_free(struct sched *s)
{
    if (!s)
        return;
    evcurl_free(s->ec); /* every handle was removed before */
    for (long i = 0; i < s->cfg->parallel; i++)
        if (s->slots[i].easy)
            curl_easy_cleanup(s->slots[i].easy);
    while (s->head)
        sched_task_put(s, sched_pop(s));
    while (s->spare) {
        struct task *t = s->spare;
        s->spare = t->next;
        task_free(t);
        free(t);
    }
    event_free(s->input_ev);
    event_free(s->sigint_ev);
    event_free(s->sigterm_ev);
    task_common_free(s->tc);
    free(s->slots);
    free(s->free_slots);
    free(s);
}

static const char *sched_cancel_reason(enum sched_end e)
{
    return e == SCHED_SIGINT ? "interrupted by SIGINT" : "terminated by SIGTERM";
}

enum sched_end sched_run(struct sched *s)
{
    s->t0 = task_now();
    sched_pump(s);
    output_flush(s->out);
    while (output_status(s->out) == OUTPUT_OK) {
        if (s->cancel != SCHED_DONE) {
            sched_cancel_all(s, sched_cancel_reason(s->cancel));
            break;
        }
        if (s->input_done && !s->head && s->inflight == 0)
            break;
        event_base_loop(s->base, EVLOOP_ONCE);
        evcurl_drain(s->ec);
        if (s->cancel == SCHED_DONE)
            sched_pump(s);
        output_flush(s->out);
    }
    s->sum.elapsed_us = task_now() - s->t0;
    if (output_status(s->out) == OUTPUT_OK)
        output_finish(s->out, &s->sum);
    switch (output_status(s->out)) {
    case OUTPUT_CLOSED:
        sched_abandon(s);
        return SCHED_CLOSED;
    case OUTPUT_ERROR:
        sched_abandon(s);
        return SCHED_OUT_ERROR;
    case OUTPUT_OK:
        break;
    }
    return s->cancel;
}

const struct output_summary *sched_summary(const struct sched *s)
{
    return &s->sum;
}

bool sched_input_failed(const struct sched *s)
{
    return s->input_failed;
}
