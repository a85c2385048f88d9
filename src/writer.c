/* writer: counts, the failure cut-off, the --order input window and the
 * stdout buffer; the reports and the summary at the end. */
#include "writer.h"
#include "log.h"

#include <assert.h>
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <unistd.h>

#define WRITER_FLUSH_AT (64 * 1024)

static const struct writer_cut writer_cuts[] = {
    {"--fail-fast", "cancelled by --fail-fast"},
    {"--max-failures", "cancelled by --max-failures"},
};

struct writer {
    struct writer_options opt;
    struct output_summary sum;
    const struct writer_cut *cut; /* NULL until the cut-off is reached */
    struct buf out;               /* rendered, waiting to be written */
    struct buf scratch;           /* one rendered record */
    enum writer_status status;
    uint64_t records; /* records in OUT or written so far */
    /* --order input: a ring of held records, indexed by seq % window */
    struct buf *ring;
    bool *held;
    bool *skip;        /* held, but nothing to write: a skipped line */
    uint64_t next_seq; /* the next seq to go out */
};

struct writer *writer_new(const struct writer_options *opt)
{
    struct writer *w = log_calloc(1, sizeof *w);
    w->opt = *opt;
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
    return w;
}

void writer_free(struct writer *w)
{
    if (!w)
        return;
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
        output_render(oo, r, &w->out);
        w->records++;
        return;
    }
    if (r->seq == w->next_seq && oo->format != FORMAT_JSON) {
        output_render(oo, r, &w->out);
        w->records++;
        w->next_seq++;
    } else {
        size_t slot = writer_slot(w, r->seq);
        buf_clear(&w->ring[slot]);
        output_render(oo, r, &w->ring[slot]);
    }
    writer_release(w);
}

void writer_skip(struct writer *w, uint64_t seq, bool resumed)
{
    if (resumed)
        w->sum.skipped++;
    if (!w->opt.out.order_input)
        return;
    w->skip[writer_slot(w, seq)] = true;
    writer_release(w);
}

bool writer_record(struct writer *w, const struct record *r)
{
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
        writer_flush(w);
    return tripped;
}

const struct writer_cut *writer_cutoff(const struct writer *w)
{
    return w->cut;
}

bool writer_can_accept(const struct writer *w, uint64_t seq)
{
    return !w->opt.out.order_input || seq < w->next_seq + w->opt.out.window;
}

enum writer_status writer_status(const struct writer *w)
{
    return w->status;
}

const struct output_summary *writer_counts(const struct writer *w)
{
    return &w->sum;
}

enum writer_status writer_flush(struct writer *w)
{
    size_t done = 0;
    int fd = w->opt.out.fd;
    while (w->status == WRITER_OK && done < w->out.len) {
        ssize_t n = write(fd, w->out.p + done, w->out.len - done);
        if (n > 0) {
            done += (size_t)n;
        } else if (n < 0 && errno == EINTR) {
            continue;
        } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            struct pollfd pfd = {.fd = fd, .events = POLLOUT};
            poll(&pfd, 1, -1);
        } else {
            w->status = (n < 0 && errno == EPIPE) ? WRITER_CLOSED : WRITER_ERROR;
        }
    }
    buf_clear(&w->out);
    return w->status;
}

bool writer_finish(struct writer *w, const struct writer_end *e, struct buf *err)
{
    w->sum.elapsed_us = e->elapsed_us;
    if (w->opt.out.format == FORMAT_JSON && w->status == WRITER_OK) {
        buf_adds(&w->out, w->records ? "\n],\"summary\":" : "{\"results\":[],\"summary\":");
        output_summary_json(&w->out, &w->sum);
        buf_adds(&w->out, "}\n");
    }
    writer_flush(w);
    return report_finish(w->opt.rep, &w->sum, err); /* files: written even after | head */
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
    if (w->opt.summary_fd < 0 || w->status == WRITER_CLOSED)
        return;
    struct buf b = {0};
    report_summary_text(w->opt.rep, &w->sum, &b);
    if (w->sum.skipped)
        buf_addf(&b, "  skipped %llu already done (--resume)\n",
                 (unsigned long long)w->sum.skipped);
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
