/* writer: counts, the failure cut-off, the --order input window and the
 * rendered records, under one lock; stdout's bytes go to the sink; the
 * reports and the summary at the end. */
#include "writer.h"
#include "log.h"
#include "sink.h"

#include <assert.h>
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

#define WRITER_FLUSH_AT (64 * 1024)

static const struct writer_cut writer_cuts[] = {
    {"--fail-fast", "cancelled by --fail-fast"},
    {"--max-failures", "cancelled by --max-failures"},
};

struct writer {
    struct writer_options opt;
    pthread_mutex_t lock; /* every field below */
    struct sink *sink;
    struct output_summary sum;
    const struct writer_cut *cut; /* NULL until the cut-off is reached */
    struct buf out;               /* rendered, not yet handed to the sink */
    struct buf scratch;           /* one rendered record */
    struct sink_ends ends;        /* where OUT's records end */
    enum writer_status status;    /* the sink's, once it stopped */
    uint64_t records;             /* records rendered in order so far */
    uint64_t want_seq;            /* writer_want_window()'s seq; 0: none */
    /* --order input: a ring of held records, indexed by seq % window */
    struct buf *ring;
    bool *held;
    bool *skip;        /* held, but nothing to write: a skipped line */
    uint64_t next_seq; /* the next seq to go out */
};

static enum writer_status writer_of_sink(enum sink_status st)
{
    return st == SINK_OK ? WRITER_OK : st == SINK_CLOSED ? WRITER_CLOSED : WRITER_ERROR;
}

/* The sink's events, told on as the writer's. */
static void writer_on_sink(void *arg, enum sink_event ev)
{
    struct writer *w = arg;
    if (!w->opt.notify)
        return;
    static const enum writer_event map[] = {[SINK_ROOM] = WRITER_ROOM,
                                            [SINK_DRAINED] = WRITER_DRAINED,
                                            [SINK_STOPPED] = WRITER_STOPPED};
    w->opt.notify(w->opt.notify_arg, map[ev]);
}

struct writer *writer_new(const struct writer_options *opt)
{
    struct writer *w = log_calloc(1, sizeof *w);
    w->opt = *opt;
    if (pthread_mutex_init(&w->lock, NULL) != 0)
        log_die(LOG_EXIT_INTERNAL, "cannot make a lock");
    struct output_options *oo = &w->opt.out;
    if (oo->format == FORMAT_JSON && !w->opt.any_order)
        oo->order_input = true;
    if (w->opt.any_order)
        oo->order_input = false;
    if (oo->window < 16)
        oo->window = 16;
    if (oo->order_input) {
        w->ring = log_calloc(oo->window, sizeof *w->ring);
        w->held = log_calloc(oo->window, sizeof *w->held);
        w->skip = log_calloc(oo->window, sizeof *w->skip);
    }
    w->next_seq = 1;
    buf_reserve(&w->out, WRITER_FLUSH_AT * 2);
    struct sink_options so = {.fd = oo->fd,
                              .status_fd = opt->status_line ? opt->summary_fd : -1,
                              .notify = writer_on_sink,
                              .arg = w};
    w->sink = sink_new(&so);
    return w;
}

void writer_status_line(struct writer *w, const char *line, size_t len)
{
    if (w->opt.status_line) /* the sink has its own lock */
        sink_status_line(w->sink, line, len);
}

void writer_free(struct writer *w)
{
    if (!w)
        return;
    sink_free(w->sink);
    pthread_mutex_destroy(&w->lock);
    sink_ends_free(&w->ends);
    if (w->ring)
        for (size_t i = 0; i < w->opt.out.window; i++)
            buf_free(&w->ring[i]);
    free(w->ring);
    free(w->held);
    free(w->skip);
    buf_free(&w->out);
    buf_free(&w->scratch);
    free(w);
}

/* The one definition: a URL failed when it did not pass and was not
 * cancelled (and, with --allow-timeouts, did not time out). */
static bool writer_failed(const struct writer *w, const struct record *r)
{
    return !r->ok && r->kind != KIND_CANCELLED &&
           !(r->kind == KIND_TIMEOUT && w->opt.allow_timeouts);
}

/* A rendered record, in order, into the buffer. */
static void writer_emit(struct writer *w, const char *p, size_t n)
{
    if (w->opt.out.format == FORMAT_JSON)
        buf_adds(&w->out, w->records ? ",\n" : "{\"results\":[\n");
    buf_add(&w->out, p, n);
    w->records++;
    if (n)
        sink_ends_add(&w->ends, w->out.len);
}

/* Render R straight into the buffer (it is next in line). */
static void writer_render(struct writer *w, const struct record *r)
{
    size_t before = w->out.len;
    output_render(&w->opt.out, r, &w->out);
    w->records++;
    if (w->out.len > before)
        sink_ends_add(&w->ends, w->out.len);
}

/* --order input: write whatever is now next in line. */
static void writer_release(struct writer *w)
{
    const struct output_options *oo = &w->opt.out;
    for (;;) {
        size_t s = (size_t)(w->next_seq % oo->window);
        if (!w->held[s])
            break;
        if (!w->skip[s])
            writer_emit(w, w->ring[s].p, w->ring[s].len);
        w->held[s] = w->skip[s] = false;
        w->next_seq++;
    }
}

/* --order input: the ring slot of SEQ, which must be free. */
static size_t writer_slot(struct writer *w, uint64_t seq)
{
    /* the caller keeps seq within the window (writer_can_accept) */
    assert(seq >= w->next_seq && seq < w->next_seq + w->opt.out.window);
    size_t slot = (size_t)(seq % w->opt.out.window);
    assert(!w->held[slot]);
    w->held[slot] = true;
    return slot;
}

/* Render R into the buffer, or hold it until the records before it are out. */
static void writer_output(struct writer *w, const struct record *r)
{
    const struct output_options *oo = &w->opt.out;
    if (!oo->order_input && oo->format == FORMAT_JSON) { /* --summarize: as they come */
        buf_clear(&w->scratch);
        output_render(oo, r, &w->scratch);
        writer_emit(w, w->scratch.p, w->scratch.len);
        return;
    }
    if (!oo->order_input) {
        writer_render(w, r);
        return;
    }
    if (r->seq == w->next_seq && oo->format != FORMAT_JSON) {
        writer_render(w, r);
        w->next_seq++;
    } else {
        size_t slot = writer_slot(w, r->seq);
        buf_clear(&w->ring[slot]);
        output_render(oo, r, &w->ring[slot]);
    }
    writer_release(w);
}

/* Hand OUT to the sink (lock held). */
static enum writer_status writer_flush_locked(struct writer *w)
{
    if (w->status == WRITER_OK) {
        if (w->out.len)
            sink_put(w->sink, &w->out, &w->ends);
        w->status = writer_of_sink(sink_status(w->sink));
    }
    if (w->status != WRITER_OK) {
        buf_clear(&w->out);
        w->ends.n = 0;
    }
    return w->status;
}

/* Whether SEQ fits the --order input window (lock held). */
static bool writer_fits(const struct writer *w, uint64_t seq)
{
    return !w->opt.out.order_input || seq < w->next_seq + w->opt.out.window;
}

/* After the window moved (lock held): true when writer_want_window()'s seq
 * fits now (the caller tells, without the lock). */
static bool writer_window_moved(struct writer *w)
{
    bool fits = w->want_seq && writer_fits(w, w->want_seq);
    if (fits)
        w->want_seq = 0;
    return fits;
}

void writer_skip(struct writer *w, uint64_t seq, bool resumed)
{
    pthread_mutex_lock(&w->lock);
    if (resumed)
        w->sum.skipped++;
    bool window = false;
    if (w->opt.out.order_input) {
        w->skip[writer_slot(w, seq)] = true;
        writer_release(w);
        window = writer_window_moved(w);
    }
    pthread_mutex_unlock(&w->lock);
    if (window && w->opt.notify)
        w->opt.notify(w->opt.notify_arg, WRITER_WINDOW);
}

bool writer_record(struct writer *w, const struct record *r)
{
    pthread_mutex_lock(&w->lock);
    bool failed = writer_failed(w, r);
    struct record cancelled;
    if (failed && w->cut) { /* after the cut-off: not one failure more */
        cancelled = *r;
        cancelled.kind = KIND_CANCELLED;
        cancelled.error_code = -1;
        cancelled.error_message = w->cut->message;
        cancelled.checks = NULL;
        cancelled.nchecks = 0;
        r = &cancelled;
        failed = false;
    }
    bool tripped = false;
    struct output_summary *s = &w->sum;
    s->urls++;
    if (r->ok)
        s->ok++;
    s->by_kind[r->kind]++;
    if (failed) {
        s->failed++;
        if (w->opt.fail_fast)
            w->cut = &writer_cuts[0];
        else if (w->opt.max_failures && s->failed >= (uint64_t)w->opt.max_failures)
            w->cut = &writer_cuts[1];
        tripped = w->cut != NULL;
    }
    if (w->status == WRITER_OK)
        writer_output(w, r);
    report_record(w->opt.rep, r);
    if (w->out.len >= WRITER_FLUSH_AT)
        writer_flush_locked(w);
    bool window = writer_window_moved(w);
    pthread_mutex_unlock(&w->lock);
    if (window && w->opt.notify)
        w->opt.notify(w->opt.notify_arg, WRITER_WINDOW);
    return tripped;
}

const struct writer_cut *writer_cutoff(struct writer *w)
{
    pthread_mutex_lock(&w->lock);
    const struct writer_cut *cut = w->cut;
    pthread_mutex_unlock(&w->lock);
    return cut;
}

bool writer_can_accept(struct writer *w, uint64_t seq)
{
    pthread_mutex_lock(&w->lock);
    bool ok = writer_fits(w, seq);
    pthread_mutex_unlock(&w->lock);
    return ok;
}

uint64_t writer_window_end(struct writer *w)
{
    if (!w->opt.out.order_input)
        return UINT64_MAX;
    pthread_mutex_lock(&w->lock);
    uint64_t end = w->next_seq + w->opt.out.window;
    pthread_mutex_unlock(&w->lock);
    return end;
}

void writer_set_notify(struct writer *w, void (*notify)(void *arg, enum writer_event ev), void *arg)
{
    pthread_mutex_lock(&w->lock);
    w->opt.notify = notify;
    w->opt.notify_arg = arg;
    pthread_mutex_unlock(&w->lock);
}

bool writer_want_window(struct writer *w, uint64_t seq)
{
    pthread_mutex_lock(&w->lock);
    bool ok = writer_fits(w, seq);
    w->want_seq = ok ? 0 : seq;
    pthread_mutex_unlock(&w->lock);
    return ok;
}

enum writer_status writer_status(struct writer *w)
{
    pthread_mutex_lock(&w->lock);
    if (w->status == WRITER_OK)
        w->status = writer_of_sink(sink_status(w->sink));
    enum writer_status st = w->status;
    pthread_mutex_unlock(&w->lock);
    return st;
}

void writer_counts(struct writer *w, struct output_summary *out)
{
    pthread_mutex_lock(&w->lock);
    *out = w->sum;
    pthread_mutex_unlock(&w->lock);
}

enum writer_status writer_flush(struct writer *w)
{
    pthread_mutex_lock(&w->lock);
    enum writer_status st = writer_flush_locked(w);
    pthread_mutex_unlock(&w->lock);
    return st;
}

size_t writer_backlog(struct writer *w)
{
    pthread_mutex_lock(&w->lock);
    size_t n = w->out.len + sink_backlog(w->sink);
    pthread_mutex_unlock(&w->lock);
    return n;
}

bool writer_want_room(struct writer *w, size_t mark)
{
    writer_flush(w); /* what is rendered counts as the sink's from here */
    return sink_want_room(w->sink, mark);
}

bool writer_want_drained(struct writer *w)
{
    writer_flush(w);
    return sink_want_drained(w->sink);
}

bool writer_sync(struct writer *w, long timeout_ms)
{
    writer_flush(w);
    bool done = sink_sync(w->sink, timeout_ms);
    writer_status(w);
    return done;
}

uint64_t writer_unwritten(struct writer *w)
{
    pthread_mutex_lock(&w->lock);
    uint64_t n = w->ends.n + sink_unwritten(w->sink);
    pthread_mutex_unlock(&w->lock);
    return n;
}

bool writer_finish(struct writer *w, const struct writer_end *e, struct buf *err)
{
    pthread_mutex_lock(&w->lock);
    w->sum.elapsed_us = e->elapsed_us;
    if (w->opt.out.format == FORMAT_JSON && w->status == WRITER_OK) {
        buf_adds(&w->out, w->records ? "\n],\"summary\":" : "{\"results\":[],\"summary\":");
        output_summary_json(&w->out, &w->sum);
        buf_adds(&w->out, "}\n");
    }
    writer_flush_locked(w);
    struct output_summary sum = w->sum;
    pthread_mutex_unlock(&w->lock);
    return report_finish(w->opt.rep, &sum, err); /* files: written even after | head */
}

void writer_stop_line(struct buf *dst, const struct writer_end *e)
{
    if (!e->stopped_by)
        return;
    buf_adds(dst, "  stopped by ");
    buf_adds(dst, e->stopped_by);
    buf_adds(dst, " after ");
    buf_add_secs(dst, e->stopped_after_us > 0 ? e->stopped_after_us : 0, 2);
    buf_adds(dst, " s; ");
    if (e->unread < 0) {
        buf_adds(dst, "the rest of ");
        buf_adds(dst, e->unread_source ? e->unread_source : "the input");
        buf_adds(dst, " was not read\n");
    } else if (e->unread == 0) {
        buf_adds(dst, "every line was read\n");
    } else {
        buf_add_u64(dst, (uint64_t)e->unread);
        buf_adds(dst, e->unread == 1 ? " line not read\n" : " lines not read\n");
    }
}

void writer_print_summary(struct writer *w, const struct writer_end *e)
{
    if (w->opt.summary_fd < 0 || writer_status(w) == WRITER_CLOSED)
        return;
    struct buf b = {0};
    struct output_summary sum;
    writer_counts(w, &sum);
    report_summary_text(w->opt.rep, &sum, &b);
    if (sum.skipped)
        buf_addf(&b, "  skipped %llu already done (--resume)\n", (unsigned long long)sum.skipped);
    writer_stop_line(&b, e);
    for (size_t done = 0; done < b.len;) {
        ssize_t n = write(w->opt.summary_fd, b.p + done, b.len - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break; /* stderr is best effort */
        done += (size_t)n;
    }
    buf_free(&b);
}
