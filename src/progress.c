/* progress: a one-line, self-erasing status display on stderr. */
#include "progress.h"
#include "clock.h"
#include "log.h"

#include <stdlib.h>
#include <unistd.h>

struct progress {
    struct event *ev;
    int fd;
    int64_t total;
    progress_fn fn;
    void *arg;
    int64_t t0; /* when it was made: the start of the run */
    bool drawn;
    void (*put)(void *arg, const char *line, size_t len); /* NULL: on fd */
    void *put_arg;
};

static void progress_duration(struct buf *dst, int64_t secs)
{
    if (secs >= 3600)
        buf_addf(dst, "%lld:%02lld:%02lld", (long long)(secs / 3600), (long long)(secs / 60 % 60),
                 (long long)(secs % 60));
    else
        buf_addf(dst, "%lld:%02lld", (long long)(secs / 60), (long long)(secs % 60));
}

void progress_line(struct buf *dst, const struct progress_counts *c, int64_t total)
{
    double secs = (double)c->elapsed_us / 1e6;
    double rate = secs > 0 ? (double)c->done / secs : 0;
    buf_add_u64(dst, c->done);
    if (total >= 0) {
        buf_addf(dst, "/%lld URLs", (long long)total);
        if (total > 0)
            buf_addf(dst, " %3.0f%%", 100.0 * (double)c->done / (double)total);
    } else {
        buf_adds(dst, " URLs");
    }
    buf_addf(dst, "  %.0f/s  %ld in flight  %llu failed", rate, c->inflight,
             (unsigned long long)c->failed);
    buf_adds(dst, "  ");
    progress_duration(dst, (int64_t)secs);
    if (total > 0 && rate > 0 && (uint64_t)total > c->done) {
        buf_adds(dst, "  ETA ");
        progress_duration(dst, (int64_t)((double)((uint64_t)total - c->done) / rate + 0.5));
    }
}

static void progress_write(int fd, const struct buf *b)
{
    size_t done = 0;
    while (done < b->len) {
        ssize_t n = write(fd, b->p + done, b->len - done);
        if (n <= 0)
            return; /* the progress line is best effort */
        done += (size_t)n;
    }
}

static void progress_draw(evutil_socket_t fd, short events, void *arg)
{
    (void)fd;
    (void)events;
    struct progress *p = arg;
    struct progress_counts c = {0};
    p->fn(p->arg, &c);
    c.elapsed_us = clock_now_us() - p->t0;
    struct buf b = {0};
    if (p->put) {
        progress_line(&b, &c, p->total);
        p->put(p->put_arg, b.p, b.len);
    } else {
        buf_adds(&b, "\r\033[K");
        progress_line(&b, &c, p->total);
        progress_write(p->fd, &b);
    }
    buf_free(&b);
    p->drawn = true;
}

struct progress *progress_new(struct event_base *base, int fd, int64_t total, progress_fn fn,
                              void *arg)
{
    struct progress *p = log_calloc(1, sizeof *p);
    p->fd = fd;
    p->total = total;
    p->fn = fn;
    p->arg = arg;
    p->t0 = clock_now_us();
    p->ev = event_new(base, -1, EV_PERSIST, progress_draw, p);
    if (!p->ev)
        log_die(LOG_EXIT_INTERNAL, "out of memory");
    struct timeval tv = clock_timeval_ms(250);
    event_add(p->ev, &tv);
    return p;
}

void progress_route(struct progress *p, void (*put)(void *arg, const char *line, size_t len),
                    void *arg)
{
    p->put = put;
    p->put_arg = arg;
}

void progress_free(struct progress *p)
{
    if (!p)
        return;
    event_free(p->ev);
    if (p->drawn && p->put) {
        p->put(p->put_arg, "", 0);
    } else if (p->drawn) {
        struct buf b = {0};
        buf_adds(&b, "\r\033[K");
        progress_write(p->fd, &b);
        buf_free(&b);
    }
    free(p);
}
